/* Export a package as a HotSpot 7 grid-model case (die.flp, power.ptrace, stack.lcf with one
 * floorplan per layer, hotspot.config, case.opts, NOTE) so users can run HotSpot on our designs:
 *   hotspot -c hotspot.config $(cat case.opts) -steady_file out.steady -grid_steady_file out.grid
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermal/thermal_internal.h"

static FILE *open_in(const char *dir, const char *name, sip_error_t *err)
{
    char path[SIP_PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = n > 0 && n < (int)sizeof path ? fopen(path, "w") : NULL;
    if (!f)
        sip_error_set(err, SIP_EIO, path, 0, "cannot open for writing");
    return f;
}

static sip_status_t close_checked(FILE *f, const char *dir, const char *name, sip_error_t *err)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad)
        return sip_error_set(err, SIP_EIO, dir, 0, "%s: write failed", name);
    return SIP_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Distinct sorted values (tolerance 1 nm). */
static int uniq(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || v[i] - v[k - 1] > 1e-6)
            v[k++] = v[i];
    return k;
}

/* One layer's floorplan: the dies' outlines, then fillers tiling the rest of the footprint
 * (HotSpot expects a tiled footprint, and -detailed_3D needs a unit over every cell), with
 * columns 6-7 (heat capacity, resistivity) on every unit so -detailed_3D takes the materials:
 * die d gets (k_in[d], c_in[d]), the fillers the gap material.  Units are named after the dies
 * (die layer) or "<layer>_<die>" and "<layer>_fill<n>" (other layers: names are per layer in
 * HotSpot, but distinct names keep its steady file readable). */
static void write_tiled_flp(FILE *f, const sip_thermal_model_t *m, const double *xs, int nx, const double *ys, int ny,
                            const char *prefix, const double *k_in, const double *c_in, const sip_thermal_layer_t *gap,
                            int *n_fill_out)
{
    double X0 = m->x0_mm, Y0 = m->y0_mm;
    int nd = m->n_dies, n_fill = 0;
    const char *sep = prefix[0] ? "_" : "";
    for (int d = 0; d < nd; d++)
        fprintf(f, "%s%s%s\t%.9f\t%.9f\t%.9f\t%.9f\t%.6g\t%.6g\n", prefix, sep, m->dies[d].name,
                (m->dies[d].x1_mm - m->dies[d].x0_mm) * 1e-3, (m->dies[d].y1_mm - m->dies[d].y0_mm) * 1e-3,
                (m->dies[d].x0_mm - X0) * 1e-3, (m->dies[d].y0_mm - Y0) * 1e-3, c_in[d], 1.0 / k_in[d]);
    for (int j = 0; j + 1 < ny; j++) {
        int start = -1;
        for (int i = 0; i + 1 <= nx; i++) {
            bool covered = true;
            if (i + 1 < nx) {
                double cx = 0.5 * (xs[i] + xs[i + 1]), cy = 0.5 * (ys[j] + ys[j + 1]);
                covered = false;
                for (int d = 0; d < nd && !covered; d++)
                    covered = cx > m->dies[d].x0_mm && cx < m->dies[d].x1_mm && cy > m->dies[d].y0_mm && cy < m->dies[d].y1_mm;
            }
            if (!covered && start < 0)
                start = i;
            if (covered && start >= 0) {
                fprintf(f, "%s%sfill%d\t%.9f\t%.9f\t%.9f\t%.9f\t%.6g\t%.6g\n", prefix, sep, n_fill++, (xs[i] - xs[start]) * 1e-3,
                        (ys[j + 1] - ys[j]) * 1e-3, (xs[start] - X0) * 1e-3, (ys[j] - Y0) * 1e-3, gap->heat_capacity_j_per_m3k,
                        1.0 / gap->k_w_per_mk);
                start = -1;
            }
        }
    }
    *n_fill_out = n_fill;
}

sip_status_t sip_thermal_export_hotspot(const sip_package_t *pkg, const sip_thermal_options_t *options, const char *dir,
                                        sip_error_t *err)
{
    sip_thermal_options_t opt = {.secondary_r_c_per_w = -1.0, .skip_power_caps = true};
    if (options) {
        opt = *options;
        opt.skip_power_caps = true;
    }
    sip_thermal_model_t *m = NULL;
    SIP_TRY(sip_thermal_model_create(pkg, &opt, &m, err));
    sip_status_t st = SIP_OK;
    int nd = m->n_dies, nx = 0, ny = 0, n_fill = 0;
    double *xs = malloc((2 * (size_t)nd + 2) * sizeof *xs), *ys = malloc((2 * (size_t)nd + 2) * sizeof *ys);
    double *k_in = malloc(((size_t)nd + 1) * sizeof *k_in), *c_in = malloc(((size_t)nd + 1) * sizeof *c_in);
    FILE *f = NULL;
    sip__thermal_materials_t mat = {0};
    if (!xs || !ys || !k_in || !c_in) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (export)");
        goto out;
    }
    double X0 = m->x0_mm, Y0 = m->y0_mm, X1 = X0 + m->width_mm, Y1 = Y0 + m->height_mm;
    xs[nx++] = X0;
    xs[nx++] = X1;
    ys[ny++] = Y0;
    ys[ny++] = Y1;
    for (int d = 0; d < nd; d++) {
        xs[nx++] = fmax(X0, fmin(X1, m->dies[d].x0_mm));
        xs[nx++] = fmax(X0, fmin(X1, m->dies[d].x1_mm));
        ys[ny++] = fmax(Y0, fmin(Y1, m->dies[d].y0_mm));
        ys[ny++] = fmax(Y0, fmin(Y1, m->dies[d].y1_mm));
    }
    nx = uniq(xs, nx);
    ny = uniq(ys, ny);
    int dl = m->power_layer;
    sip_thermal_layer_t stack[SIP_THERMAL_MAX_STACK];
    int nl = 0;
    if ((st = sip__thermal_stack_materials(pkg, stack, &nl, &mat, err)) != SIP_OK)
        goto out;

    /* die layer floorplan: dies, then 0 W fillers tiling the rest (HotSpot expects a tiled
     * footprint); optional columns 6-7 carry heat capacity and resistivity for -detailed_3D. */
    if (!(f = open_in(dir, "die.flp", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    fprintf(f, "# %s: die layer (dies, then mould fillers); metres, origin at the substrate's lower-left corner\n"
               "# <unit-name> <width> <height> <left-x> <bottom-y> <vol-heat-cap J/m3K> <resistivity m-K/W>\n", pkg->name);
    write_tiled_flp(f, m, xs, nx, ys, ny, "", mat.die_k, mat.die_c, &mat.gap[dl], &n_fill);
    if ((st = close_checked(f, dir, "die.flp", err)) != SIP_OK) {
        f = NULL;
        goto out;
    }
    f = NULL;

    /* power trace: dies then fillers, one line of steady powers */
    if (!(f = open_in(dir, "power.ptrace", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    for (int d = 0; d < nd; d++)
        fprintf(f, "%s%s", d ? "\t" : "", m->dies[d].name);
    for (int k = 0; k < n_fill; k++)
        fprintf(f, "\tfill%d", k);
    fprintf(f, "\n");
    for (int d = 0; d < nd; d++)
        fprintf(f, "%s%.6g", d ? "\t" : "", m->default_power[d]);
    for (int k = 0; k < n_fill; k++)
        fprintf(f, "\t0");
    fprintf(f, "\n");
    if ((st = close_checked(f, dir, "power.ptrace", err)) != SIP_OK) {
        f = NULL;
        goto out;
    }
    f = NULL;

    /* layers below the sink go into the layer file; HotSpot appends its spreader and sink */
    if (!(f = open_in(dir, "stack.lcf", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    fprintf(f, "# %s: layer 0 = board side.  Fields: number / lateral Y/N / power Y/N / heat capacity J/(m^3K) /\n"
               "# resistivity (m-K)/W / thickness m / floorplan.  HotSpot appends its spreader and sink.\n", pkg->name);
    for (int l = 0; l + 1 < nl; l++) {
        char flp[SIP_NAME_MAX + 8];
        if (snprintf(flp, sizeof flp, "%s.flp", l == dl ? "die" : stack[l].name) >= (int)sizeof flp) {
            st = sip_error_set(err, SIP_ELIMIT, NULL, 0, "layer name '%s' too long", stack[l].name);
            goto out;
        }
        fprintf(f, "\n# %s\n%d\nY\n%s\n%.6g\n%.6g\n%.6g\n%s\n", stack[l].name, l, l == dl ? "Y" : "N",
                stack[l].heat_capacity_j_per_m3k, 1.0 / stack[l].k_w_per_mk, stack[l].thickness_um * 1e-6, flp);
        if (l == dl)
            continue;
        FILE *g = open_in(dir, flp, err);
        if (!g) {
            st = err ? err->status : SIP_EIO;
            goto out;
        }
        fprintf(g, "# %s layer of %s; metres; columns 6-7: heat capacity J/(m^3K), resistivity m-K/W\n", stack[l].name, pkg->name);
        if (mat.gap_set[l]) { /* heterogeneous: the layer's material under the dies, the gap material elsewhere */
            int nf = 0;
            for (int d = 0; d < nd; d++) {
                k_in[d] = stack[l].k_w_per_mk;
                c_in[d] = stack[l].heat_capacity_j_per_m3k;
            }
            write_tiled_flp(g, m, xs, nx, ys, ny, stack[l].name, k_in, c_in, &mat.gap[l], &nf);
        } else {
            fprintf(g, "%s\t%.9f\t%.9f\t0\t0\t%.6g\t%.6g\n", stack[l].name, m->width_mm * 1e-3, m->height_mm * 1e-3,
                    stack[l].heat_capacity_j_per_m3k, 1.0 / stack[l].k_w_per_mk);
        }
        if ((st = close_checked(g, dir, flp, err)) != SIP_OK)
            goto out;
    }
    if ((st = close_checked(f, dir, "stack.lcf", err)) != SIP_OK) {
        f = NULL;
        goto out;
    }
    f = NULL;

    const sip_thermal_layer_t *sink = &stack[nl - 1];
    /* HotSpot's periphery formulas divide by (S - w): spreader and sink must be strictly larger
     * than the footprint, so both get 0.1 % beyond its longer side (a negligible overhang). */
    double side_m = fmax(m->width_mm, m->height_mm) * 1e-3 * 1.001, sink_m = side_m * 1.001;
    double r_sink = sip__thermal_sink_r_c_per_w(pkg);
    if (!(f = open_in(dir, "hotspot.config", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    fprintf(f, "# HotSpot 7 grid-model configuration written by sipsim for %s\n"
               "\t-model_type\tgrid\n\t-grid_rows\t%d\n\t-grid_cols\t%d\n\t-grid_map_mode\tavg\n"
               "\t-ambient\t%.4f\n\t-thermal_threshold\t%.4f\n\t-r_convec\t%.6g\n"
               "\t-s_sink\t%.9f\n\t-t_sink\t%.6g\n\t-k_sink\t%.6g\n\t-p_sink\t%.6g\n"
               "# a 1 um copper film: the lid and TIM2 are layers of stack.lcf\n"
               "\t-s_spreader\t%.9f\n\t-t_spreader\t1e-06\n\t-k_spreader\t400\n\t-p_spreader\t3.55e6\n"
               "\t-model_secondary\t0\n\t-package_model_used\t0\n\t-leakage_used\t0\n",
            pkg->name, m->rows, m->cols, m->ambient_c + 273.15, m->tj_max_c + 273.15, r_sink, sink_m, sink->thickness_um * 1e-6,
            sink->k_w_per_mk, sink->heat_capacity_j_per_m3k, side_m);
    if ((st = close_checked(f, dir, "hotspot.config", err)) != SIP_OK) {
        f = NULL;
        goto out;
    }
    if (!(f = open_in(dir, "case.opts", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    fprintf(f, "-grid_layer_file stack.lcf -p power.ptrace\n");
    if ((st = close_checked(f, dir, "case.opts", err)) != SIP_OK) {
        f = NULL;
        goto out;
    }
    if (!(f = open_in(dir, "case_detailed.opts", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    fprintf(f, "-grid_layer_file stack.lcf -p power.ptrace -detailed_3D on\n");
    if ((st = close_checked(f, dir, "case_detailed.opts", err)) != SIP_OK) {
        f = NULL;
        goto out;
    }
    if (!(f = open_in(dir, "NOTE", err))) {
        st = err ? err->status : SIP_EIO;
        goto out;
    }
    fprintf(f, "%s: %d dies, %.1f x %.1f mm footprint, %.1f W, exported by sipsim.\n"
               "Run: hotspot -c hotspot.config $(cat case.opts) -steady_file out.steady -grid_steady_file out.grid.steady\n"
               "Heterogeneous layers: every layer's floorplan carries each unit's material (columns 6-7: heat\n"
               "capacity, resistivity): the dies' own materials and the mould in the die layer, and the gap\n"
               "material of any layer given one (thermal.layers gap:<layer>).  HotSpot reads them only with\n"
               "-detailed_3D on: hotspot -c hotspot.config $(cat case_detailed.opts) ...  Beware: that mode also\n"
               "couples layers through half of each layer's resistance and counts half of the sink's\n"
               "convection share a second time between spreader and sink (shared/peers/hotspot results.md\n"
               "4.4: +24-67 K on its cases), so it reads much hotter than sipsim.\n"
               "Differences from sipsim's native model with case.opts (expect a few kelvin): HotSpot layers are\n"
               "homogeneous, so the gaps between dies are silicon; HotSpot couples layers through the full\n"
               "resistance of the lower layer where sipsim uses mid-plane nodes; the sink is a square of the\n"
               "footprint's longer side (+0.1 %%), so a non-square footprint gets a lumped overhang.\n",
            pkg->name, nd, m->width_mm, m->height_mm, sip_package_total_power_w(pkg));
    st = close_checked(f, dir, "NOTE", err);
    f = NULL;
out:
    if (f)
        fclose(f);
    free(xs);
    free(ys);
    free(k_in);
    free(c_in);
    sip__thermal_materials_fini(&mat);
    sip_thermal_model_destroy(m);
    return st;
}
