/* Native thermal model of a composed package: default layer stacks per substrate kind, the
 * package's `thermal.layers` overrides, and the finite-volume network over the substrate.
 *
 * Every default below traces to shared/reference/facts.md §3.1 (conductivities) or to HotSpot 7
 * (commit f18831e; shared/peers/hotspot: hotspot.config, cases/b/stack.lcf, and the constants of
 * temperature.h for the secondary-path layers), which is the peer these numbers are checked
 * against.  Where facts.md marks a value UNVERIFIED (organic substrate), HotSpot's value is used.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermal/thermal_internal.h"

/* ---- materials: k in W/(m K), volumetric heat capacity in J/(m^3 K) ---- */
/* Silicon: k = 149, facts.md §3.1 [S36]; heat capacity 1.75e6, HotSpot p_chip. */
#define K_SILICON 149.0
#define C_SILICON 1.75e6
/* Copper lid and sink base: k = 400, facts.md §3.1 (391-401 [S36][S37]) = HotSpot k_spreader /
 * k_sink; heat capacity 3.55e6, HotSpot p_spreader / p_sink. */
#define K_COPPER 400.0
#define C_COPPER 3.55e6
/* TIM1 indium solder: k = 86, facts.md §3.1 [S38]; heat capacity 4.0e6, HotSpot p_interface. */
#define K_TIM1 86.0
/* TIM2 grease/paste: facts.md §3.1 gives 1-8 W/(m K) for pastes [S39]; 4.0 is HotSpot's
 * k_interface, inside that range.  Heat capacity 4.0e6, HotSpot p_interface. */
#define K_TIM2 4.0
#define C_TIM 4.0e6
/* Organic package substrate: facts.md §3.1 has no vetted effective k (UNVERIFIED), so
 * HotSpot's secondary-path substrate: k = 1/RHO_SUB = 2.0, SPEC_HEAT_SUB 1.6e6 (temperature.h). */
#define K_SUBSTRATE 2.0
#define C_SUBSTRATE 1.6e6
/* C4 / micro-bumps with underfill: HotSpot K_C4 = 1/RHO_C4 = 1.25, SPEC_HEAT_C4 1.65e6. */
#define K_BUMP 1.25
#define C_BUMP 1.65e6
/* Mould compound between dies: k = 1.0, the value shared/peers/hotspot/results.md §4.4 gives
 * the gap fillers of its *_mold cases; heat capacity: HotSpot SPEC_HEAT_UNDERFILL 2.65e6. */
#define K_MOULD 1.0
#define C_MOULD 2.65e6

/* ---- thicknesses (um): HotSpot t_chip 150, t_interface 20, t_spreader 1000, t_sink 6900
 * (hotspot.config), interposer 100 (cases/b/stack.lcf), t_sub 1000 and t_c4 100
 * (hotspot.config, secondary path). ---- */
#define T_DIE_UM 150.0
#define T_TIM_UM 20.0
#define T_LID_UM 1000.0
#define T_SINK_UM 6900.0
#define T_INTERPOSER_UM 100.0
#define T_SUBSTRATE_UM 1000.0
#define T_BUMP_UM 100.0

/* Sink-to-ambient resistance for air cooling: HotSpot's r_convec 0.1 K/W (its code default and
 * examples; shared/peers/hotspot/hotspot.config).  No sourced default exists for liquid cooling
 * (facts.md §3.2 gives only Tj limits), so liquid needs thermal.sink_r_c_per_w. */
#define R_SINK_AIR_C_PER_W 0.1

static const sip_thermal_layer_t L_SUBSTRATE = {"substrate", T_SUBSTRATE_UM, K_SUBSTRATE, C_SUBSTRATE, true, false};
static const sip_thermal_layer_t L_C4 = {"c4", T_BUMP_UM, K_BUMP, C_BUMP, true, false};
static const sip_thermal_layer_t L_INTERPOSER = {"interposer", T_INTERPOSER_UM, K_SILICON, C_SILICON, true, false};
static const sip_thermal_layer_t L_UBUMP = {"ubump", T_BUMP_UM, K_BUMP, C_BUMP, true, false};
static const sip_thermal_layer_t L_DIE = {"die", T_DIE_UM, K_SILICON, C_SILICON, true, true};
static const sip_thermal_layer_t L_TIM1 = {"tim1", T_TIM_UM, K_TIM1, C_TIM, true, false};
static const sip_thermal_layer_t L_LID = {"lid", T_LID_UM, K_COPPER, C_COPPER, true, false};
static const sip_thermal_layer_t L_TIM2 = {"tim2", T_TIM_UM, K_TIM2, C_TIM, true, false};
static const sip_thermal_layer_t L_SINK = {"sink", T_SINK_UM, K_COPPER, C_COPPER, true, false};
/* Not a layer of its own: the material of the die layer outside the dies. */
static const sip_thermal_layer_t L_MOULD = {"mould", T_DIE_UM, K_MOULD, C_MOULD, true, false};

/* Bottom (board side) to top (sink).  Organic and bridge packages: dies on C4 bumps on the
 * laminate (bridges are small silicon inserts in the laminate and are not resolved).
 * Interposer packages: dies on micro-bumps on the interposer on C4 on the laminate. */
static int default_stack(sip_substrate_kind_t kind, sip_thermal_layer_t *out)
{
    int n = 0;
    out[n++] = L_SUBSTRATE;
    out[n++] = L_C4;
    if (kind == SIP_SUBSTRATE_INTERPOSER) {
        out[n++] = L_INTERPOSER;
        out[n++] = L_UBUMP;
    }
    out[n++] = L_DIE;
    out[n++] = L_TIM1;
    out[n++] = L_LID;
    out[n++] = L_TIM2;
    out[n++] = L_SINK;
    return n;
}

static void apply_override(sip_thermal_layer_t *L, const sip_layer_t *o)
{
    if (o->thickness_um > 0.0)
        L->thickness_um = o->thickness_um;
    if (o->k_w_per_mk > 0.0)
        L->k_w_per_mk = o->k_w_per_mk;
    if (o->heat_capacity_j_per_m3k > 0.0)
        L->heat_capacity_j_per_m3k = o->heat_capacity_j_per_m3k;
}

static int find_layer(const sip_thermal_layer_t *layers, int n, const char *name)
{
    int l = 0;
    while (l < n && strcmp(layers[l].name, name) != 0)
        l++;
    return l < n ? l : -1;
}

#define GAP_PREFIX "gap:"

/* Overrides in two passes, so that a gap or die material starts from its layer's material
 * after that layer's own override, whatever the order in the file:
 *   1. a layer name overrides the layer; "mould" (or "mold") the die layer's gap material;
 *   2. "gap:<layer>" the material of <layer> outside the dies (the die layer's gap is the
 *      mould), an instance name that die's material in the die layer, a chiplet type name the
 *      material of every die of that type (an instance entry wins over its type's). */
sip_status_t sip__thermal_stack_materials(const sip_package_t *pkg, sip_thermal_layer_t *layers, int *n_out,
                                          sip__thermal_materials_t *mat, sip_error_t *err)
{
    int n = default_stack(pkg->substrate.kind, layers);
    int dl = 0;
    while (!layers[dl].has_power)
        dl++;
    memset(mat, 0, sizeof *mat);
    mat->die_k = calloc((size_t)pkg->n_instances + 1, sizeof *mat->die_k);
    mat->die_c = calloc((size_t)pkg->n_instances + 1, sizeof *mat->die_c);
    if (!mat->die_k || !mat->die_c) {
        sip__thermal_materials_fini(mat);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (die materials)");
    }
    mat->gap[dl] = L_MOULD;
    mat->gap_set[dl] = true;
    for (int i = 0; i < pkg->thermal.n_layers; i++) {
        const sip_layer_t *o = &pkg->thermal.layers[i];
        if (strcmp(o->name, "mould") == 0 || strcmp(o->name, "mold") == 0) {
            apply_override(&mat->gap[dl], o);
            continue;
        }
        int l = find_layer(layers, n, o->name);
        if (l >= 0) {
            apply_override(&layers[l], o);
            continue;
        }
        bool gap = strncmp(o->name, GAP_PREFIX, strlen(GAP_PREFIX)) == 0 &&
                   find_layer(layers, n, o->name + strlen(GAP_PREFIX)) >= 0;
        bool die = false;
        for (int k = 0; k < pkg->n_instances && !die; k++)
            die = strcmp(pkg->instances[k].name, o->name) == 0 || strcmp(sip_instance_type(pkg, k)->name, o->name) == 0;
        if (!gap && !die) {
            char names[512] = "";
            for (int k = 0; k < n; k++) {
                strncat(names, layers[k].name, sizeof names - strlen(names) - 1);
                strncat(names, ", ", sizeof names - strlen(names) - 1);
            }
            strncat(names, "mould, gap:<layer>, or a die instance or chiplet type name", sizeof names - strlen(names) - 1);
            sip__thermal_materials_fini(mat);
            return sip_error_set(err, SIP_EINVAL, pkg->path, o->line, "thermal.layers: no layer '%s' in the %s stack (expected one of %s)",
                                 o->name, sip_substrate_name(pkg->substrate.kind), names);
        }
        if (o->thickness_um > 0.0) {
            sip__thermal_materials_fini(mat);
            return sip_error_set(err, SIP_EINVAL, pkg->path, o->line, "thermal.layers: '%s' is a material within a layer; its "
                                 "thickness is the layer's (give k_w_per_mk and heat_capacity_j_per_m3k only)", o->name);
        }
    }
    for (int k = 0; k < pkg->n_instances; k++) {
        mat->die_k[k] = layers[dl].k_w_per_mk;
        mat->die_c[k] = layers[dl].heat_capacity_j_per_m3k;
    }
    for (int pass = 0; pass < 2; pass++) { /* types first, so an instance entry wins */
        for (int i = 0; i < pkg->thermal.n_layers; i++) {
            const sip_layer_t *o = &pkg->thermal.layers[i];
            if (find_layer(layers, n, o->name) >= 0 || strcmp(o->name, "mould") == 0 || strcmp(o->name, "mold") == 0)
                continue;
            if (pass == 0 && strncmp(o->name, GAP_PREFIX, strlen(GAP_PREFIX)) == 0) {
                int l = find_layer(layers, n, o->name + strlen(GAP_PREFIX));
                if (!mat->gap_set[l]) {
                    mat->gap[l] = layers[l];
                    mat->gap_set[l] = true;
                }
                apply_override(&mat->gap[l], o);
                continue;
            }
            for (int k = 0; k < pkg->n_instances; k++) {
                bool hit = pass == 0 ? strcmp(sip_instance_type(pkg, k)->name, o->name) == 0
                                     : strcmp(pkg->instances[k].name, o->name) == 0;
                if (!hit)
                    continue;
                if (o->k_w_per_mk > 0.0)
                    mat->die_k[k] = o->k_w_per_mk;
                if (o->heat_capacity_j_per_m3k > 0.0)
                    mat->die_c[k] = o->heat_capacity_j_per_m3k;
                mat->dies_differ = true;
            }
        }
    }
    *n_out = n;
    return SIP_OK;
}

void sip__thermal_materials_fini(sip__thermal_materials_t *mat)
{
    free(mat->die_k);
    free(mat->die_c);
    mat->die_k = mat->die_c = NULL;
}

double sip__thermal_sink_r_c_per_w(const sip_package_t *pkg)
{
    if (pkg->thermal.sink_r_c_per_w > 0.0)
        return pkg->thermal.sink_r_c_per_w;
    return pkg->thermal.cooling == SIP_COOLING_AIR ? R_SINK_AIR_C_PER_W : -1.0;
}

sip_status_t sip_thermal_stack(const sip_package_t *pkg, sip_thermal_layer_t *layers, int *n_out, sip_error_t *err)
{
    sip__thermal_materials_t mat;
    SIP_TRY(sip__thermal_stack_materials(pkg, layers, n_out, &mat, err));
    sip__thermal_materials_fini(&mat);
    return SIP_OK;
}

/* A block rectangle of the die's own frame in substrate coordinates (rotation as in model.h). */
static void block_rect(const sip_package_t *pkg, int inst, const sip_block_t *b, double *x0, double *y0, double *x1,
                       double *y1)
{
    const sip_instance_t *in = &pkg->instances[inst];
    const sip_chiplet_type_t *t = sip_instance_type(pkg, inst);
    double w = t->width_mm, h = t->height_mm;
    double px[2] = {b->x_mm, b->x_mm + b->width_mm}, py[2] = {b->y_mm, b->y_mm + b->height_mm};
    int turns = ((in->rotation_deg / 90) % 4 + 4) % 4;
    double qx[2], qy[2];
    for (int k = 0; k < 2; k++) {
        switch (turns) {
        case 1: qx[k] = h - py[k]; qy[k] = px[k]; break;
        case 2: qx[k] = w - px[k]; qy[k] = h - py[k]; break;
        case 3: qx[k] = py[k]; qy[k] = w - px[k]; break;
        default: qx[k] = px[k]; qy[k] = py[k]; break;
        }
    }
    *x0 = in->x_mm + fmin(qx[0], qx[1]);
    *x1 = in->x_mm + fmax(qx[0], qx[1]);
    *y0 = in->y_mm + fmin(qy[0], qy[1]);
    *y1 = in->y_mm + fmax(qy[0], qy[1]);
}

sip_status_t sip_thermal_model_create(const sip_package_t *pkg, const sip_thermal_options_t *opt,
                                      sip_thermal_model_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_thermal_options_t defaults = {.secondary_r_c_per_w = -1.0};
    if (!opt)
        opt = &defaults;
    if (pkg->n_instances < 1)
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0, "thermal: the package has no dies");
    double r_sink = sip__thermal_sink_r_c_per_w(pkg);
    if (!(r_sink > 0.0))
        return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->thermal.line,
                             "thermal: %s cooling needs sink_r_c_per_w (no sourced default; air uses HotSpot's 0.1 K/W)",
                             sip_cooling_name(pkg->thermal.cooling));
    sip_thermal_layer_t layers[SIP_THERMAL_MAX_STACK];
    sip__thermal_materials_t mat;
    int nl = 0;
    SIP_TRY(sip__thermal_stack_materials(pkg, layers, &nl, &mat, err));
    /* footprint: the substrate, or the dies' bounding box when no substrate size is given */
    double x0 = 0.0, y0 = 0.0, x1 = pkg->substrate.width_mm, y1 = pkg->substrate.height_mm;
    if (!(x1 > 0.0) || !(y1 > 0.0)) {
        x0 = y0 = 1e300;
        x1 = y1 = -1e300;
        for (int i = 0; i < pkg->n_instances; i++) {
            sip_rect_t r = sip_instance_rect(pkg, i);
            x0 = fmin(x0, r.x0_mm);
            y0 = fmin(y0, r.y0_mm);
            x1 = fmax(x1, r.x1_mm);
            y1 = fmax(y1, r.y1_mm);
        }
    }
    int rows = opt->grid_rows > 0 ? opt->grid_rows : pkg->thermal.grid_rows > 0 ? pkg->thermal.grid_rows : SIP_THERMAL_DEFAULT_GRID;
    int cols = opt->grid_cols > 0 ? opt->grid_cols : pkg->thermal.grid_cols > 0 ? pkg->thermal.grid_cols : SIP_THERMAL_DEFAULT_GRID;
    sip_thermal_model_t *m = NULL;
    sip_status_t st = sip__thermal_model_alloc(rows, cols, nl, 0, &m, err);
    double *kcell = NULL, *ccell = NULL, *occ = NULL, *kin = NULL, *cin = NULL;
    if (st != SIP_OK)
        goto out;
    memcpy(m->layers, layers, sizeof layers);
    m->x0_mm = x0;
    m->y0_mm = y0;
    m->width_mm = x1 - x0;
    m->height_mm = y1 - y0;
    m->ambient_c = pkg->thermal.ambient_c;
    m->tj_max_c = pkg->thermal.tj_max_c;
    m->skip_power_caps = opt->skip_power_caps;
    m->power_layer = 0;
    while (!m->layers[m->power_layer].has_power)
        m->power_layer++;
    int dl = m->power_layer;
    size_t ncell = (size_t)rows * cols;
    m->c_j_per_k = calloc((size_t)m->n_nodes, sizeof *m->c_j_per_k);
    m->dies = calloc((size_t)pkg->n_instances, sizeof *m->dies);
    m->default_power = calloc((size_t)pkg->n_instances, sizeof *m->default_power);
    /* per layer and cell: conductivity and heat capacity (used for heterogeneous layers only) */
    kcell = malloc((size_t)nl * ncell * sizeof *kcell);
    ccell = malloc((size_t)nl * ncell * sizeof *ccell);
    occ = calloc(ncell, sizeof *occ);
    kin = calloc(ncell, sizeof *kin);
    cin = calloc(ncell, sizeof *cin);
    if (!m->c_j_per_k || !m->dies || !m->default_power || !kcell || !ccell || !occ || !kin || !cin) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal model)");
        goto out;
    }

    /* dies: outline cells, power sources (type blocks by power fraction, the rest uniform) */
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        sip_rect_t r = sip_instance_rect(pkg, i);
        thermal_die_t *d = &m->dies[m->n_dies++];
        memcpy(d->name, pkg->instances[i].name, sizeof d->name);
        d->x0_mm = r.x0_mm;
        d->y0_mm = r.y0_mm;
        d->x1_mm = r.x1_mm;
        d->y1_mm = r.y1_mm;
        d->layer = dl;
        d->default_power_w = m->default_power[i] = sip_instance_power_w(pkg, i);
        if ((st = sip__thermal_die_add_rect(m, d, r.x0_mm, r.y0_mm, r.x1_mm, r.y1_mm, -1.0, false, err)) != SIP_OK) {
            if (err) { /* name the instance that does not fit */
                err->line = pkg->instances[i].line;
                snprintf(err->path, sizeof err->path, "%s", pkg->path);
            }
            goto out;
        }
        double rest = 1.0;
        for (int b = 0; b < t->n_blocks; b++) {
            const sip_block_t *B = &t->blocks[b];
            double bx0, by0, bx1, by1;
            if (B->x_mm < -1e-9 || B->y_mm < -1e-9 || B->x_mm + B->width_mm > t->width_mm + 1e-9 ||
                B->y_mm + B->height_mm > t->height_mm + 1e-9 || B->power_fraction < 0.0) {
                st = sip_error_set(err, SIP_EINVAL, t->path, B->line, "block '%s' of '%s' lies outside the die or has a negative power fraction",
                                   B->name, t->name);
                goto out;
            }
            block_rect(pkg, i, B, &bx0, &by0, &bx1, &by1);
            if ((st = sip__thermal_die_add_rect(m, d, bx0, by0, bx1, by1, B->power_fraction, false, err)) != SIP_OK)
                goto out;
            rest -= B->power_fraction;
        }
        if (rest < -1e-9) {
            st = sip_error_set(err, SIP_EINVAL, t->path, t->line, "blocks of '%s': power fractions add up to %.4f (expected <= 1)", t->name, 1.0 - rest);
            goto out;
        }
        if (rest > 1e-12 && (st = sip__thermal_die_add_rect(m, d, r.x0_mm, r.y0_mm, r.x1_mm, r.y1_mm, rest, false, err)) != SIP_OK)
            goto out;
        for (int k = 0; k < d->n_cells; k++) {
            size_t cell = (size_t)(d->cell_node[k] - sip__thermal_node(m, dl, 0, 0));
            occ[cell] += d->cell_frac[k];
            kin[cell] += d->cell_frac[k] * mat.die_k[i];
            cin[cell] += d->cell_frac[k] * mat.die_c[i];
        }
    }
    /* Heterogeneous layers, cell by cell, mixed by area in partly covered cells: the die layer is
     * each die's material over the die and mould elsewhere; a layer with a gap material is its
     * own material under the dies' outlines and the gap material elsewhere (e.g. micro-bumps in
     * underfill under the dies, mould between them).  Overlapping dies share a cell by area. */
    bool hetero[SIP_THERMAL_MAX_STACK];
    for (int l = 0; l < nl; l++) {
        hetero[l] = mat.gap_set[l];
        if (!hetero[l])
            continue;
        const sip_thermal_layer_t *in = &m->layers[l], *gap = &mat.gap[l];
        for (size_t c = 0; c < ncell; c++) {
            double f = fmin(1.0, occ[c]);
            double k_in = l == dl && occ[c] > 0.0 ? kin[c] / occ[c] : in->k_w_per_mk;
            double c_in = l == dl && occ[c] > 0.0 ? cin[c] / occ[c] : in->heat_capacity_j_per_m3k;
            kcell[(size_t)l * ncell + c] = f * k_in + (1.0 - f) * gap->k_w_per_mk;
            ccell[(size_t)l * ncell + c] = f * c_in + (1.0 - f) * gap->heat_capacity_j_per_m3k;
        }
    }

    /* finite volumes: nodes at layer mid-planes; vertical R between neighbours = half of each
     * layer's t/(k A); the sink's top and (optionally) the substrate's bottom reach ambient
     * through half a layer plus their area share of the convection resistance. */
    double cw = m->width_mm * 1e-3 / cols, ch = m->height_mm * 1e-3 / rows, A = cw * ch;
    double share = (m->width_mm * 1e-3) * (m->height_mm * 1e-3) / A; /* = rows * cols */
    for (int l = 0; l < nl; l++) {
        const double *kl = hetero[l] ? kcell + (size_t)l * ncell : NULL;
        if ((st = sip__thermal_add_lateral(m, l, kl, err)) != SIP_OK)
            goto out;
        double t = m->layers[l].thickness_um * 1e-6;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                size_t cell = (size_t)r * cols + c;
                int node = sip__thermal_node(m, l, r, c);
                double k = kl ? kl[cell] : m->layers[l].k_w_per_mk;
                double cap = kl ? ccell[(size_t)l * ncell + cell] : m->layers[l].heat_capacity_j_per_m3k;
                double half = t / (2.0 * k * A);
                m->c_j_per_k[node] = cap * t * A;
                if (l + 1 < nl) {
                    const sip_thermal_layer_t *up = &m->layers[l + 1];
                    double kup = hetero[l + 1] ? kcell[(size_t)(l + 1) * ncell + cell] : up->k_w_per_mk;
                    double R = half + up->thickness_um * 1e-6 / (2.0 * kup * A);
                    if ((st = sip__thermal_edge_add(m, node, sip__thermal_node(m, l + 1, r, c), 1.0 / R, err)) != SIP_OK)
                        goto out;
                } else {
                    m->g_amb[node] += 1.0 / (half + r_sink * share);
                }
                if (l == 0 && opt->secondary_r_c_per_w > 0.0)
                    m->g_amb[node] += 1.0 / (half + opt->secondary_r_c_per_w * share);
            }
        }
    }
    m->solver = opt->solver;
out:
    free(kcell);
    free(ccell);
    free(occ);
    free(kin);
    free(cin);
    sip__thermal_materials_fini(&mat);
    if (st != SIP_OK) {
        sip_thermal_model_destroy(m);
        return st;
    }
    *out = m;
    return SIP_OK;
}
