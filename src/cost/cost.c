/* Yield and cost of a package (Chiplet Actuary's model, DAC 2022, with CATCH's known-good-die
 * test step); parameters and their sources in params.c.
 *
 * Per die type: site cost = wafer cost / dies per wafer; die yield Y by negative binomial; the
 * KGD test (coverage c) passes Y + (1 - Y)(1 - c) of the dies, of which Y / pass are good (the
 * rest are test escapes, found only at package test).  Cost of a passed die = (site + test) /
 * pass.
 * Per package (Chiplet Actuary package.py, cost_RE), with y_e the chance of no escape:
 *   organic:            (dies + bumps + substrate) / (y_bond^n  y_e)
 *   interposer, chip-last:  dies / (y2 y3 y_e) + interposer / (y1 y2 y3 y_e) + substrate / (y3 y_e)
 *   interposer, chip-first: dies / (y1 y3 y_e) + interposer / (y1 y3 y_e) + substrate / (y3 y_e)
 *     y1 = interposer yield, y2 = micro-bump bonding yield^n, y3 = substrate attach yield.
 *     Chip-last: a bad interposer is caught before dies go on it; chip-first: dies sit in the
 *     interposer/RDL while it is built, so its defects scrap them.
 *   bridge (not in Chiplet Actuary; our reading): dies bond with micro-bumps onto an organic
 *     substrate with embedded silicon bridges, one per advanced UCIe link, sized to cover both
 *     PHYs and the gap; bridges are made on the interposer process and scrapped with y1:
 *     (dies + bridges / y1 + substrate) / (y2 y_e).  Chip-first is read as chip-last here.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/tpp.h"

/* Strict C11 hides PI. */
#define PI 3.14159265358979323846

double sip_cost_dies_per_wafer(const sip_cost_params_t *p, double w, double h)
{
    double a = (w + p->scribe_mm) * (h + p->scribe_mm);
    double r = p->wafer_diameter_mm / 2.0 - p->edge_loss_mm;
    double n = PI * r * r / a - PI * (p->wafer_diameter_mm - 2.0 * p->edge_loss_mm) / sqrt(2.0 * a);
    return n > 0.0 ? n : 0.0;
}

double sip_cost_yield(double area_mm2, double d0_per_cm2, double alpha)
{
    return pow(1.0 + d0_per_cm2 / 100.0 * area_mm2 / alpha, -alpha);
}

double sip_cost_die_nre(const sip_node_cost_t *node, double area_mm2)
{
    return node ? node->nre_usd_300mm2 * (0.8 * area_mm2 / 300.0 + 0.2) : 0.0;
}

/* ---- the core: a list of dies on a substrate ---- */

typedef struct {
    double w_mm, h_mm;
    int count;
    const sip_node_cost_t *node; /* NULL = bought memory die */
    double capacity_gb;          /* bought memory: capacity of one die */
    int requested_nm;            /* the type's process_nm */
} die_in_t;

typedef struct {
    sip_substrate_kind_t kind;
    double interposer_mm2;
    double substrate_mm2;
    int n_bridges;
    double bridge_mm2; /* each (the mean over the package's advanced links) */
} pkg_in_t;

static void die_cost(const sip_cost_params_t *p, const die_in_t *d, sip_cost_die_t *o)
{
    o->count = d->count;
    o->area_mm2 = d->w_mm * d->h_mm;
    o->requested_node_nm = d->requested_nm;
    o->capacity_gb = d->capacity_gb;
    if (!d->node) {
        /* Bought memory (params.c [MEM] [HBMY]): priced per stack or per GB; the vendor's
         * known-good-stack test passes a bad stack with 1 - coverage, and such an escape
         * scraps the package like a KGD escape. */
        double y = p->memory_stack_yield > 0.0 ? fmin(p->memory_stack_yield, 1.0) : 1.0;
        o->node_nm = 0;
        o->yield = y;
        o->pass_fraction = y + (1.0 - y) * (1.0 - p->test_coverage);
        o->escape_yield = y / o->pass_fraction;
        o->kgd_usd = p->memory_stack_usd > 0.0 ? p->memory_stack_usd
                                               : p->memory_usd_per_gb * d->capacity_gb;
        return;
    }
    o->node_extrapolated = !sip_cost_node_in_table(d->requested_nm);
    double d0 = p->defect_density_per_cm2 > 0.0 ? p->defect_density_per_cm2 : d->node->defect_density_per_cm2;
    double wafer = p->wafer_cost_usd > 0.0 ? p->wafer_cost_usd : d->node->wafer_cost_usd;
    o->node_nm = d->node->node_nm;
    o->dies_per_wafer = sip_cost_dies_per_wafer(p, d->w_mm, d->h_mm);
    o->yield = sip_cost_yield(o->area_mm2, d0, p->clustering_alpha);
    o->pass_fraction = o->yield + (1.0 - o->yield) * (1.0 - p->test_coverage);
    o->escape_yield = o->yield / o->pass_fraction;
    o->raw_usd = o->dies_per_wafer > 0.0 ? wafer / o->dies_per_wafer : INFINITY;
    double test = p->test_usd_per_second * p->test_seconds_per_die;
    o->test_usd = test / o->pass_fraction;
    o->kgd_usd = (o->raw_usd + test) / o->pass_fraction;
    o->nre_usd = sip_cost_die_nre(d->node, o->area_mm2);
}

static double silicon_cost(const sip_cost_params_t *p, double area_mm2)
{
    const sip_node_cost_t *n = sip_cost_node(p->interposer_node_nm);
    double side = sqrt(area_mm2);
    double dpw = sip_cost_dies_per_wafer(p, side, side);
    return dpw > 0.0 && n ? n->wafer_cost_usd / dpw : INFINITY;
}

/* Chiplet Actuary OS.cost_raw_package: more substrate layers for multi-die packages. */
static double os_layer_factor(int n_dies, double area_mm2)
{
    if (n_dies <= 1)
        return 1.0;
    if (area_mm2 > 30.0 * 30.0)
        return 2.0;
    if (area_mm2 > 17.0 * 17.0)
        return 1.75;
    return 1.5;
}

static void assemble(const sip_cost_params_t *p, const die_in_t *dies, int n, const pkg_in_t *k,
                     sip_cost_die_t *die_out, sip_cost_breakdown_t *b)
{
    memset(b, 0, sizeof *b);
    double chips = 0.0, bumps = 0.0, y_e = 1.0, mem_e = 1.0;
    int n_dies = 0;
    bool organic = k->kind == SIP_SUBSTRATE_ORGANIC;
    for (int i = 0; i < n; i++) {
        sip_cost_die_t tmp, *o = die_out ? &die_out[i] : &tmp;
        if (!die_out)
            memset(&tmp, 0, sizeof tmp);
        die_cost(p, &dies[i], o);
        double c = dies[i].count;
        n_dies += dies[i].count;
        if (!dies[i].node) {
            b->memory_usd += c * o->kgd_usd;
            mem_e *= pow(o->escape_yield, c);
        } else {
            b->dies_usd += c * o->raw_usd;
            b->die_defects_usd += c * (o->raw_usd / o->pass_fraction - o->raw_usd);
            b->test_usd += c * o->test_usd;
            b->logic_area_mm2 += c * o->area_mm2;
        }
        chips += c * o->kgd_usd;
        bumps += c * o->area_mm2 * (organic ? p->c4_usd_per_mm2 : p->ubump_usd_per_mm2);
        y_e *= pow(o->escape_yield, c);
    }
    b->bumps_usd = bumps;
    b->escape_yield = y_e;
    b->memory_escape_yield = mem_e;
    b->interposer_fields = 1;
    b->stitch_yield = 1.0;
    b->substrate_mm2 = k->substrate_mm2;
    double C = chips + bumps;
    double S, I = 0.0, y1 = 1.0, total;
    switch (k->kind) {
    case SIP_SUBSTRATE_INTERPOSER: {
        S = k->substrate_mm2 * p->os_usd_per_mm2;
        I = silicon_cost(p, k->interposer_mm2) + k->interposer_mm2 * p->c4_usd_per_mm2;
        y1 = sip_cost_yield(k->interposer_mm2, p->interposer_defect_density_per_cm2,
                            p->interposer_clustering_alpha);
        /* Larger than the reticle: stitched from several exposure fields (params.c). */
        b->interposer_fields = sip_cost_reticle_fields(p, k->interposer_mm2);
        b->stitch_yield = pow(p->stitch_yield, b->interposer_fields - 1);
        y1 *= b->stitch_yield;
        double y2 = pow(p->interposer_bonding_yield, n_dies), y3 = p->os_bonding_yield;
        if (p->chip_first) {
            total = (C + I) / (y1 * y3 * y_e) + S / (y3 * y_e);
            b->wasted_dies_usd = C * (1.0 / (y1 * y3 * y_e) - 1.0);
            b->package_defects_usd = I * (1.0 / (y1 * y3 * y_e) - 1.0) + S * (1.0 / (y3 * y_e) - 1.0);
            b->bonding_yield = y3;
        } else {
            total = C / (y2 * y3 * y_e) + I / (y1 * y2 * y3 * y_e) + S / (y3 * y_e);
            b->wasted_dies_usd = C * (1.0 / (y2 * y3 * y_e) - 1.0);
            b->package_defects_usd = I * (1.0 / (y1 * y2 * y3 * y_e) - 1.0) + S * (1.0 / (y3 * y_e) - 1.0);
            b->bonding_yield = y2 * y3;
        }
        b->interposer_mm2 = k->interposer_mm2;
        break;
    }
    case SIP_SUBSTRATE_BRIDGE: {
        S = k->substrate_mm2 * p->os_usd_per_mm2 * os_layer_factor(n_dies, k->substrate_mm2);
        if (k->n_bridges > 0 && k->bridge_mm2 > 0.0) {
            double yb = sip_cost_yield(k->bridge_mm2, p->interposer_defect_density_per_cm2,
                                       p->interposer_clustering_alpha);
            I = k->n_bridges * silicon_cost(p, k->bridge_mm2);
            y1 = pow(yb, k->n_bridges);
        }
        double y2 = pow(p->interposer_bonding_yield, n_dies);
        total = (C + I / y1 + S) / (y2 * y_e);
        b->wasted_dies_usd = C * (1.0 / (y2 * y_e) - 1.0);
        b->package_defects_usd = I / y1 - I + (I / y1 + S) * (1.0 / (y2 * y_e) - 1.0);
        b->bonding_yield = y2;
        b->interposer_mm2 = k->n_bridges * k->bridge_mm2;
        b->n_bridges = k->n_bridges;
        break;
    }
    default: {
        S = k->substrate_mm2 * p->os_usd_per_mm2 * os_layer_factor(n_dies, k->substrate_mm2);
        double yb = pow(p->os_bonding_yield, n_dies);
        total = (C + S) / (yb * y_e);
        b->wasted_dies_usd = C * (1.0 / (yb * y_e) - 1.0);
        b->package_defects_usd = S * (1.0 / (yb * y_e) - 1.0);
        b->bonding_yield = yb;
        break;
    }
    }
    b->interposer_usd = I;
    b->substrate_usd = S;
    b->interposer_yield = y1;
    b->assembly_yield = y1 * b->bonding_yield * y_e;
    /* Assembly labour and package test (params.c [CATCH-A] [CATCH]) are spent on every
     * package that is assembled: bonding failures and test escapes scrap assembled packages,
     * so they divide by bonding x escape yield; a chip-first interposer's defects scrap them
     * too.  A chip-last interposer or bridge is tested before dies go on it.  Burn-in runs on
     * packages that passed final test.  Per die: micro-bump rate on an interposer or bridge
     * (plus the interposer's own attach at the organic rate), organic rate otherwise. */
    double per_die = organic ? p->assembly_usd_per_die_organic : p->assembly_usd_per_die_ubump;
    double labour = n_dies * per_die +
                    (k->kind == SIP_SUBSTRATE_INTERPOSER ? p->assembly_usd_per_die_organic : 0.0);
    double scrapped = (k->kind == SIP_SUBSTRATE_INTERPOSER && p->chip_first)
                          ? b->assembly_yield
                          : b->bonding_yield * y_e;
    double ptest = p->test_usd_per_second * p->package_test_seconds;
    b->assembly_usd = scrapped > 0.0 ? labour / scrapped : INFINITY;
    b->package_test_usd = scrapped > 0.0 ? ptest / scrapped : INFINITY;
    b->burn_in_usd = p->burn_in_hours * p->burn_in_usd_per_hour;
    total += b->assembly_usd + b->package_test_usd + b->burn_in_usd;
    b->recurring_usd = total;
    b->total_usd = total;
}

static double package_nre(const sip_cost_params_t *p, const pkg_in_t *k, int n_dies)
{
    double os = k->substrate_mm2 * p->os_nre_usd_per_mm2 * os_layer_factor(n_dies, k->substrate_mm2) +
                p->os_nre_usd_fixed;
    switch (k->kind) {
    case SIP_SUBSTRATE_INTERPOSER: {
        /* Chiplet Actuary Advanced.NRE was interposer design + substrate area x the substrate's
         * RECURRING cost factor ($/mm2 of a built substrate: $38.73 for A100's 7745 mm2), the
         * acknowledged issue #3 (params.c [CA#3]).  The substrate under an interposer is an
         * organic substrate designed like any other: its NRE factor and fixed NRE (one layer
         * count: Chiplet Actuary's recurring interposer package uses none either).  A stitched
         * interposer needs a mask set per exposure field: the fixed (mask and tape-out) term
         * counts once per field (D). */
        int fields = sip_cost_reticle_fields(p, k->interposer_mm2);
        return k->interposer_mm2 * p->interposer_nre_usd_per_mm2 +
               fields * p->interposer_nre_usd_fixed + k->substrate_mm2 * p->os_nre_usd_per_mm2 +
               p->os_nre_usd_fixed;
    }
    case SIP_SUBSTRATE_BRIDGE:
        return (k->n_bridges > 0 ? k->n_bridges * k->bridge_mm2 * p->interposer_nre_usd_per_mm2 +
                                       p->interposer_nre_usd_fixed
                                 : 0.0) + os;
    default:
        return os;
    }
}

/* ---- split study and crossover ---- */

static void split_pkg(const sip_cost_params_t *p, sip_substrate_kind_t kind, double die_mm2,
                      int n_links, double bridge_mm2, pkg_in_t *k)
{
    memset(k, 0, sizeof *k);
    k->kind = kind;
    if (kind == SIP_SUBSTRATE_INTERPOSER) {
        k->interposer_mm2 = die_mm2 * p->interposer_area_scale;
        k->substrate_mm2 = k->interposer_mm2 * p->os_area_scale;
    } else {
        k->substrate_mm2 = die_mm2 * p->os_area_scale;
    }
    if (kind == SIP_SUBSTRATE_BRIDGE && n_links > 0 && bridge_mm2 > 0.0) {
        k->n_bridges = n_links;
        k->bridge_mm2 = bridge_mm2;
    }
}

void sip_cost_split_study(const sip_cost_params_t *p, int node_nm, sip_substrate_kind_t kind,
                          double area_mm2, int n_split, double d2d_mm2, double *chiplets_usd,
                          double *mono_usd)
{
    const sip_node_cost_t *node = sip_cost_node(node_nm);
    sip_cost_breakdown_t b;
    pkg_in_t k;
    double side = sqrt(area_mm2);
    die_in_t mono = {side, side, 1, node, 0.0, node ? node->node_nm : node_nm};
    split_pkg(p, kind, area_mm2, 0, 0.0, &k);
    if (kind == SIP_SUBSTRATE_BRIDGE)
        k.kind = SIP_SUBSTRATE_ORGANIC; /* one die: nothing to bridge */
    assemble(p, &mono, 1, &k, NULL, &b);
    *mono_usd = b.recurring_usd;
    if (n_split < 1)
        n_split = 1;
    double each = area_mm2 / n_split + d2d_mm2;
    double s = sqrt(each);
    die_in_t chip = {s, s, n_split, node, 0.0, node ? node->node_nm : node_nm};
    split_pkg(p, kind, each * n_split, n_split - 1, d2d_mm2, &k);
    assemble(p, &chip, 1, &k, NULL, &b);
    *chiplets_usd = b.recurring_usd;
}

static double split_diff(const sip_cost_params_t *p, int node, sip_substrate_kind_t kind, double a,
                         int n, double d2d)
{
    double c, m;
    sip_cost_split_study(p, node, kind, a, n, d2d, &c, &m);
    return c - m;
}

double sip_cost_crossover_area(const sip_cost_params_t *p, int node_nm, sip_substrate_kind_t kind,
                               int n_split, double d2d_mm2, double lo, double hi)
{
    if (!(lo > 0.0) || !(hi > lo) || !sip_cost_node(node_nm))
        return NAN;
    if (split_diff(p, node_nm, kind, lo, n_split, d2d_mm2) <= 0.0)
        return lo;
    /* Scan a log grid for the first sign change, then bisect (the difference is smooth). */
    const int steps = 200;
    double prev = lo;
    for (int i = 1; i <= steps; i++) {
        double a = lo * pow(hi / lo, (double)i / steps);
        if (split_diff(p, node_nm, kind, a, n_split, d2d_mm2) <= 0.0) {
            double x0 = prev, x1 = a;
            for (int it = 0; it < 60; it++) {
                double mid = 0.5 * (x0 + x1);
                if (split_diff(p, node_nm, kind, mid, n_split, d2d_mm2) <= 0.0)
                    x1 = mid;
                else
                    x0 = mid;
            }
            return x1;
        }
        prev = a;
    }
    return NAN;
}

/* ---- a real package ---- */

static bool is_logic(const sip_chiplet_type_t *t)
{
    return t->kind != SIP_KIND_MEMORY;
}

static double link_phy_mm2(const sip_cost_params_t *p, const sip_link_t *l)
{
    return l->package == SIP_UCIE_ADVANCED
               ? l->modules * p->phy_advanced_width_mm * p->phy_advanced_depth_mm
               : l->modules * p->phy_standard_width_mm * p->phy_standard_depth_mm;
}

typedef struct {
    die_in_t *dies;     /* one per type used */
    int *type_of;       /* type index of each entry */
    int n;
    pkg_in_t pkg;
    double d2d_mm2;     /* PHY area of all die-to-die links, both ends */
    int n_logic;
    int mono_node_nm;
} package_in_t;

static sip_status_t package_in(const sip_cost_params_t *p, const sip_package_t *pkg,
                               package_in_t *in, sip_error_t *err)
{
    memset(in, 0, sizeof *in);
    in->dies = calloc((size_t)pkg->n_types + 1, sizeof *in->dies);
    in->type_of = calloc((size_t)pkg->n_types + 1, sizeof *in->type_of);
    if (!in->dies || !in->type_of)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate cost inputs");
    double die_mm2 = 0.0;
    int best_compute = 0, best_logic = 0;
    for (int t = 0; t < pkg->n_types; t++) {
        int count = 0;
        for (int i = 0; i < pkg->n_instances; i++)
            count += pkg->instances[i].type == t;
        if (count == 0)
            continue;
        const sip_chiplet_type_t *ty = &pkg->types[t];
        die_in_t *d = &in->dies[in->n];
        d->w_mm = ty->width_mm;
        d->h_mm = ty->height_mm;
        d->count = count;
        d->requested_nm = ty->process_nm;
        for (int m = 0; m < ty->n_memories; m++)
            d->capacity_gb += ty->memories[m].capacity_gb;
        if (is_logic(ty)) {
            d->node = sip_cost_node(ty->process_nm);
            if (!d->node)
                return sip_error_set(err, SIP_EINVAL, ty->path, ty->line,
                                     "chiplet type '%s' has no process_nm (expected the node, "
                                     "in nm, to cost its wafer)", ty->name);
            if (!sip_cost_node_in_table(ty->process_nm) && !p->node_extrapolation)
                return sip_error_set(err, SIP_EINVAL, ty->path, ty->line,
                                     "chiplet type '%s': process_nm %d is outside the cost "
                                     "table (expected %d to %d nm; set cost.node_outside_table "
                                     "= \"extrapolate\" to cost it as the %d nm row)",
                                     ty->name, ty->process_nm, sip_cost_node_at(0)->node_nm,
                                     sip_cost_node_at(sip_cost_node_count() - 1)->node_nm,
                                     d->node->node_nm);
            in->n_logic += count;
            if (!best_logic || ty->process_nm < best_logic)
                best_logic = ty->process_nm;
            if (ty->n_engines > 0 && (!best_compute || ty->process_nm < best_compute))
                best_compute = ty->process_nm;
        }
        die_mm2 += count * ty->width_mm * ty->height_mm;
        in->type_of[in->n++] = t;
    }
    in->mono_node_nm = best_compute ? best_compute : best_logic;
    double sub = pkg->substrate.width_mm * pkg->substrate.height_mm;
    in->pkg.kind = pkg->substrate.kind;
    if (pkg->substrate.kind == SIP_SUBSTRATE_INTERPOSER) {
        in->pkg.interposer_mm2 = sub > 0.0 ? sub : die_mm2 * p->interposer_area_scale;
        in->pkg.substrate_mm2 = in->pkg.interposer_mm2 * p->os_area_scale;
    } else {
        in->pkg.substrate_mm2 = sub > 0.0 ? sub : die_mm2 * p->os_area_scale;
    }
    double bridge_total = 0.0;
    for (int l = 0; l < pkg->n_links; l++) {
        const sip_link_t *lk = &pkg->links[l];
        if (lk->from_instance < 0 || lk->to_instance < 0 || lk->from_instance >= pkg->n_instances ||
            lk->to_instance >= pkg->n_instances)
            continue;
        if (!is_logic(sip_instance_type(pkg, lk->from_instance)) ||
            !is_logic(sip_instance_type(pkg, lk->to_instance)))
            continue;
        in->d2d_mm2 += 2.0 * link_phy_mm2(p, lk);
        if (pkg->substrate.kind == SIP_SUBSTRATE_BRIDGE && lk->package == SIP_UCIE_ADVANCED) {
            double gap = sip_link_length_mm(pkg, l);
            bridge_total += lk->modules * p->phy_advanced_width_mm *
                            (2.0 * p->phy_advanced_depth_mm + (gap > 0.0 ? gap : 0.0));
            in->pkg.n_bridges++;
        }
    }
    if (in->pkg.n_bridges > 0)
        in->pkg.bridge_mm2 = bridge_total / in->pkg.n_bridges;
    return SIP_OK;
}

static void package_in_fini(package_in_t *in)
{
    free(in->dies);
    free(in->type_of);
}

void sip_cost_result_destroy(sip_cost_result_t *r)
{
    if (!r)
        return;
    free(r->dies);
    free(r);
}

static sip_status_t evaluate_one(const sip_package_t *pkg, const sip_cost_params_t *params,
                                 sip_cost_result_t **out, package_in_t *in, sip_error_t *err)
{
    sip_status_t st;
    memset(in, 0, sizeof *in);
    sip_cost_result_t *r = calloc(1, sizeof *r);
    if (!r)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate cost result");
    r->params = *params;
    r->tokens_per_s = r->usd_per_tokens_per_s = NAN;
    const sip_cost_params_t *p = &r->params;
    r->months_to_volume = p->site_capacity_units_per_month > 0.0 && p->volume_units > 0.0
                              ? p->volume_units / p->site_capacity_units_per_month
                              : NAN;
    if (p->site[0] && !p->site_region[0]) {
        /* A site file always has a region; a name without one was never applied (a sweep
         * value the package's site catalogue lacks). */
        st = sip_error_set(err, SIP_EINVAL, pkg->path, pkg->cost.line,
                           "cost.site '%s' is not in the package's site catalogue (expected a "
                           "sites/NAME.cfg stem found when the package was loaded)", p->site);
        goto out;
    }
    st = package_in(p, pkg, in, err);
    if (st != SIP_OK)
        goto out;
    r->dies = calloc((size_t)in->n + 1, sizeof *r->dies);
    if (!r->dies) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate cost result");
        goto out;
    }
    r->n_dies = in->n;
    assemble(p, in->dies, in->n, &in->pkg, r->dies, &r->package);
    for (int i = 0; i < in->n; i++) {
        r->dies[i].type = in->type_of[i];
        snprintf(r->dies[i].name, sizeof r->dies[i].name, "%s", pkg->types[in->type_of[i]].name);
        if (!isfinite(r->dies[i].raw_usd) && in->dies[i].node) {
            st = sip_error_set(err, SIP_EINVAL, pkg->types[in->type_of[i]].path,
                               pkg->types[in->type_of[i]].line,
                               "chiplet type '%s' (%.0f mm2) does not fit a %.0f mm wafer",
                               r->dies[i].name, r->dies[i].area_mm2, p->wafer_diameter_mm);
            goto out;
        }
    }
    if (!isfinite(r->package.recurring_usd)) {
        st = sip_error_set(err, SIP_EINVAL, pkg->path, pkg->substrate.line,
                           "substrate of %.0f mm2 does not fit a %.0f mm wafer (expected a "
                           "smaller interposer)", in->pkg.interposer_mm2, p->wafer_diameter_mm);
        goto out;
    }
    r->nre_package_usd = package_nre(p, &in->pkg, r->package.n_bridges + in->n_logic);
    for (int i = 0; i < in->n; i++)
        r->nre_chips_usd += r->dies[i].nre_usd;
    r->nre_total_usd = r->nre_chips_usd + r->nre_package_usd;
    if (p->nre_usd > 0.0) {
        r->nre_total_usd = p->nre_usd;
        r->nre_chips_usd = 0.0;
        r->nre_package_usd = p->nre_usd;
    }

    sip_tpp_metrics_t m;
    if (sip_tpp_metrics(pkg, NULL, &m, NULL) == SIP_OK)
        r->tpp = m.value[SIP_METRIC_TPP];

    /* Monolithic: the logic of every non-memory die on one die of the most advanced logic
     * node, minus the die-to-die PHYs it no longer needs; the same memory dies and substrate
     * (bridges dropped: nothing left to bridge). */
    r->d2d_phy_mm2 = in->d2d_mm2;
    r->mono_area_mm2 = r->package.logic_area_mm2 - in->d2d_mm2;
    r->mono_node_nm = in->mono_node_nm;
    r->mono_exceeds_reticle = r->mono_area_mm2 > p->reticle_mm2;
    if (r->mono_area_mm2 > 0.0 && in->n_logic > 0) {
        die_in_t *md = calloc((size_t)in->n + 1, sizeof *md);
        if (!md) {
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate cost inputs");
            goto out;
        }
        int nm = 0;
        double side = sqrt(r->mono_area_mm2);
        md[nm++] = (die_in_t){side, side, 1, sip_cost_node(in->mono_node_nm), 0.0, in->mono_node_nm};
        for (int i = 0; i < in->n; i++)
            if (!in->dies[i].node)
                md[nm++] = in->dies[i];
        pkg_in_t mk = in->pkg;
        if (mk.kind == SIP_SUBSTRATE_BRIDGE) {
            mk.kind = SIP_SUBSTRATE_ORGANIC;
            mk.n_bridges = 0;
        }
        assemble(p, md, nm, &mk, NULL, &r->mono);
        r->mono_yield = sip_cost_yield(r->mono_area_mm2,
                                       p->defect_density_per_cm2 > 0.0
                                           ? p->defect_density_per_cm2
                                           : md[0].node->defect_density_per_cm2,
                                       p->clustering_alpha);
        free(md);
        r->n_split = in->n_logic >= 2 ? in->n_logic : 2;
        double d2d_each = in->n_logic >= 2 ? in->d2d_mm2 / in->n_logic : 0.0;
        r->crossover_area_mm2 = p->skip_crossover
                                    ? NAN
                                    : sip_cost_crossover_area(p, in->mono_node_nm, pkg->substrate.kind,
                                                              r->n_split, d2d_each, 10.0, 5000.0);
    } else {
        r->crossover_area_mm2 = NAN;
    }
out:
    if (st != SIP_OK) {
        sip_cost_result_destroy(r);
        return st;
    }
    *out = r;
    return SIP_OK;
}

sip_status_t sip_cost_evaluate_portfolio(const sip_package_t *const *pkgs, const double *volumes,
                                         int n, const sip_cost_params_t *params,
                                         sip_cost_result_t **out, sip_error_t *err)
{
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    for (int i = 0; i < n; i++) {
        sip_cost_params_t p;
        if (params) {
            p = params[i];
        } else {
            sip_cost_params_init(&p);
            sip_cost_params_apply_spec(&p, &pkgs[i]->cost);
        }
        if (volumes && volumes[i] > 0.0)
            p.volume_units = volumes[i];
        package_in_t in;
        sip_status_t st = evaluate_one(pkgs[i], &p, &out[i], &in, err);
        package_in_fini(&in);
        if (st != SIP_OK) {
            for (int j = 0; j < i; j++) {
                sip_cost_result_destroy(out[j]);
                out[j] = NULL;
            }
            return st;
        }
    }
    /* NRE per unit: each chiplet type's design NRE over every die of that type (matched by
     * name) sold in any package of the portfolio; the package design over its own volume. */
    for (int i = 0; i < n; i++) {
        sip_cost_result_t *r = out[i];
        double vol = r->params.volume_units;
        double per_unit = 0.0;
        if (vol > 0.0) {
            if (r->params.nre_usd > 0.0) {
                per_unit = r->params.nre_usd / vol;
            } else {
                per_unit = r->nre_package_usd / vol;
                for (int d = 0; d < r->n_dies; d++) {
                    double dies = 0.0;
                    for (int j = 0; j < n; j++) {
                        double vj = out[j]->params.volume_units;
                        if (vj <= 0.0)
                            continue;
                        for (int e = 0; e < out[j]->n_dies; e++)
                            if (strcmp(out[j]->dies[e].name, r->dies[d].name) == 0)
                                dies += out[j]->dies[e].count * vj;
                    }
                    r->dies[d].nre_per_unit_usd = dies > 0.0 ? r->dies[d].nre_usd / dies : 0.0;
                    per_unit += r->dies[d].count * r->dies[d].nre_per_unit_usd;
                }
            }
        }
        r->package.nre_per_unit_usd = per_unit;
        r->package.total_usd = r->package.recurring_usd + per_unit;
        r->usd_per_tpp = r->tpp > 0.0 ? r->package.total_usd / r->tpp : 0.0;
    }
    return SIP_OK;
}

void sip_cost_set_throughput(sip_cost_result_t *r, double tokens_per_s)
{
    const bool ok = tokens_per_s > 0.0 && isfinite(tokens_per_s);
    r->tokens_per_s = ok ? tokens_per_s : NAN;
    r->usd_per_tokens_per_s = ok ? r->package.total_usd / tokens_per_s : NAN;
}

sip_status_t sip_cost_evaluate(const sip_package_t *pkg, const sip_cost_params_t *params,
                               sip_cost_result_t **out, sip_error_t *err)
{
    *out = NULL;
    return sip_cost_evaluate_portfolio(&pkg, NULL, 1, params, out, err);
}
