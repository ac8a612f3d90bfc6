/* Cost parameters: the wafer table per node and the package/assembly defaults.
 *
 * [CA]    Y. Feng, K. Ma, "Chiplet Actuary", DAC 2022 (arXiv:2203.12268); numbers from the
 *         authors' parameter.ini, github.com/Yinxiao-Feng/chiplet-actuary @ b85c29f.
 *         Its sections: [Manufacture], one per node [3]..[55] (defect_density #/cm2,
 *         wafer_cost $/wafer, NRE $ per 300 mm2 chip incl. first tape-out), [OS] organic
 *         substrate, [SI] silicon interposer (wafer cost of the 55 nm row, per spec.py).
 *         The authors mark the 3 nm row "Inaccurate Assumptions".
 * [CATCH] A. Graening et al., "CATCH: a Cost Analysis Tool for Co-optimization of chiplet-based
 *         Heterogeneous systems", arXiv:2503.15753; github.com/nanocad-lab/CATCH
 *         test_definitions.xml @ b3c7917, wafer_process_definitions.xml @ 2ac3064.  CATCH's
 *         authors call their test parameters illustrative; override them when you have yours.
 * [F]     facts.md §1.2 (UCIe 1.0 Table 29 PHY module width and depth).
 * [CATCH-A] CATCH assembly_process_definitions.xml @ 2ac3064 (machine and technician costs,
 *         pick-and-place and bonding times; its authors call them starter values).
 * [MEM]   "What is HBM Memory, and Why Does It Matter for AI Pricing", asiatechfeed.com
 *         explainer (2026): "HBM3E costs approximately $8-10 per GB" (secondary source).
 * [HBMY]  legitlads.com HBM cost estimator (HBM3E 8-high): "Stack yield 93% (falls with
 *         height)" (secondary source, an estimator's assumption).
 * [CA#3]  Chiplet Actuary issue #3 (github.com/Yinxiao-Feng/chiplet-actuary/issues/3, closed):
 *         the advanced-package NRE used the substrate's recurring cost factor; the author
 *         acknowledged it ("thanks for pointing it out").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sipsim/cost.h"

/* [CA] parameter.ini, node sections. */
static const sip_node_cost_t nodes[] = {
    {3, 0.20, 30000.0, 100e7},
    {5, 0.11, 16988.0, 54.2e7},
    {7, 0.09, 9346.0, 29.8e7},
    {10, 0.08, 5992.0, 17.4e7},
    {14, 0.08, 3984.0, 10.6e7},
    {20, 0.07, 3677.0, 7e7},
    {28, 0.07, 2891.0, 5.1e7},
    {40, 0.07, 2274.0, 3.8e7},
    {55, 0.07, 1937.0, 2.8e7},
};

int sip_cost_node_count(void)
{
    return (int)(sizeof nodes / sizeof nodes[0]);
}

const sip_node_cost_t *sip_cost_node_at(int index)
{
    return (index >= 0 && index < sip_cost_node_count()) ? &nodes[index] : NULL;
}

const sip_node_cost_t *sip_cost_node(int process_nm)
{
    if (process_nm <= 0)
        return NULL;
    const sip_node_cost_t *best = NULL;
    double best_d = INFINITY;
    for (int i = 0; i < sip_cost_node_count(); i++) {
        double d = fabs(log((double)process_nm / nodes[i].node_nm));
        if (d < best_d) {
            best_d = d;
            best = &nodes[i];
        }
    }
    return best;
}

void sip_cost_params_init(sip_cost_params_t *p)
{
    memset(p, 0, sizeof *p);
    /* [CA] [Manufacture]: 300 mm wafer, 0.2 mm scribe lane, 5 mm edge loss, critical_level 10
     * (the negative-binomial cluster parameter of dies). */
    p->wafer_diameter_mm = 300.0;
    p->scribe_mm = 0.2;
    p->edge_loss_mm = 5.0;
    p->clustering_alpha = 10.0;
    /* [CATCH] wafer_process_definitions.xml: 26 x 33 mm reticle. */
    p->reticle_mm2 = 26.0 * 33.0;
    /* [CATCH] test_definitions.xml "free_test_0.99": 0.006 $/s tester time; 640 patterns x
     * 500 000 scan cycles x 1e-7 s = 32 s; defect coverage 0.99. */
    p->test_usd_per_second = 0.006;
    p->test_seconds_per_die = 640.0 * 500000.0 * 1e-7;
    p->test_coverage = 0.99;
    /* [CA] [OS] bump_cost_factor 0.005, [SI] bump_cost_factor 0.01 ($/mm2 of die). */
    p->c4_usd_per_mm2 = 0.005;
    p->ubump_usd_per_mm2 = 0.01;
    /* [CA] [OS]: RE_cost_factor 0.005 $/mm2, bonding_yield 0.99, area_scale_factor 4,
     * NRE_cost_factor 3e3 $/mm2, NRE_cost_fixed 3e5 $. */
    p->os_usd_per_mm2 = 0.005;
    p->os_bonding_yield = 0.99;
    p->os_area_scale = 4.0;
    p->os_nre_usd_per_mm2 = 3e3;
    p->os_nre_usd_fixed = 3e5;
    /* [CA] [SI]: defect_density 0.06, critical_level 6, bonding_yield 0.95, area_scale_factor
     * 1.1; wafer cost and NRE of the 55 nm row, NRE x 1.2 (spec.py: si_NRE_cost_factor =
     * Chip_NRE_Cost_Factor['55'] x 1.2 = 0.3 x NRE/300 x 1.2; fixed = 0.2 x NRE x 1.2). */
    p->interposer_node_nm = 55;
    p->interposer_defect_density_per_cm2 = 0.06;
    p->interposer_clustering_alpha = 6.0;
    p->interposer_bonding_yield = 0.95;
    p->interposer_area_scale = 1.1;
    p->interposer_nre_usd_per_mm2 = 0.3 * 2.8e7 / 300.0 * 1.2;
    p->interposer_nre_usd_fixed = 0.2 * 2.8e7 * 1.2;
    /* [F] UCIe 1.0 Table 29: advanced module 388.8 um wide, 1043 um deep (45 um pitch);
     * standard module 571.5 um wide, 1540 um deep at 24/32 GT/s (the deeper of the two). */
    p->phy_advanced_width_mm = 0.3888;
    p->phy_advanced_depth_mm = 1.043;
    p->phy_standard_width_mm = 0.5715;
    p->phy_standard_depth_mm = 1.540;
    p->chip_first = false;
    p->volume_units = 0.0;
    p->nre_usd = 0.0;
    p->memory_stack_usd = 0.0;
    p->node_extrapolation = false;
    /* [MEM] HBM3E $8-10 per GB: the midpoint, $9/GB.  DECISION: used for every bought memory
     * kind (HBM2E/HBM3 prices per GB are not in our sources); memory_stack_usd overrides. */
    p->memory_usd_per_gb = 9.0;
    /* [HBMY] 93 % stack yield before the vendor's test; the test is read as CATCH's KGD test
     * (coverage 0.99, below): escape yield 0.93 / (0.93 + 0.07 x 0.01) = 0.99925 per stack
     * (D).  ASSUMPTION: the vendor's known-good-stack test has the KGD test's coverage. */
    p->memory_stack_yield = 0.93;
    /* [CATCH-A] assembly per die: a machine costs (price / lifetime + technician per year) /
     * (seconds per year x uptime) per second (D, our reading of CATCH's parameters).
     * organic_simultaneous_bonding: pick-and-place $600k, 10 s, bonder $200k, 20 s for a group
     * of 64; silicon_45_individual_bonding: $500k / 10 s and $500k / 20 s per die; 5-year
     * lifetime, 0.9 uptime, $100k technician a year for each machine. */
    const double year_s = 365.0 * 24.0 * 3600.0, uptime = 0.9, tech_usd = 100000.0, life_y = 5.0;
    double pnp_org = (600000.0 / life_y + tech_usd) / (year_s * uptime);
    double bond_org = (200000.0 / life_y + tech_usd) / (year_s * uptime);
    double pnp_si = (500000.0 / life_y + tech_usd) / (year_s * uptime);
    double bond_si = (500000.0 / life_y + tech_usd) / (year_s * uptime);
    p->assembly_usd_per_die_organic = pnp_org * 10.0 + bond_org * 20.0 / 64.0;
    p->assembly_usd_per_die_ubump = pnp_si * 10.0 + bond_si * 20.0;
    /* [CATCH] test_definitions.xml "free_test_0.99", assembly test: 64 patterns x 500 scan
     * cycles x 1e-7 s = 3.2 ms at the same 0.006 $/s. */
    p->package_test_seconds = 64.0 * 500.0 * 1e-7;
    /* No burn-in unless a site says so: none of our sources gives a default. */
    p->burn_in_hours = 0.0;
    p->burn_in_usd_per_hour = 0.0;
    /* Reticle stitching: an interposer larger than reticle_mm2 is exposed in
     * ceil(A / reticle) fields (sip_cost_reticle_fields).  Its area already sets its defect
     * yield, its dies per wafer and (per field, cost.c) its mask NRE.  A separate yield per
     * stitch boundary is UNVERIFIED (no published figure found): 1.0 by default, settable. */
    p->stitch_yield = 1.0;
    p->site[0] = p->site_region[0] = '\0';
    p->site_capacity_units_per_month = 0.0;
    p->site_lead_time_weeks = 0.0;
}

int sip_cost_reticle_fields(const sip_cost_params_t *p, double area_mm2)
{
    if (!(p->reticle_mm2 > 0.0) || !(area_mm2 > p->reticle_mm2))
        return 1;
    return (int)ceil(area_mm2 / p->reticle_mm2 - 1e-9);
}

bool sip_cost_node_in_table(int process_nm)
{
    return process_nm >= nodes[0].node_nm &&
           process_nm <= nodes[sip_cost_node_count() - 1].node_nm;
}

const sip_cost_site_t *sip_cost_site_find(const sip_cost_spec_t *spec, const char *name)
{
    if (!spec || !name || !name[0])
        return NULL;
    for (int i = 0; i < spec->n_sites && i < SIP_COST_MAX_SITES; i++)
        if (strcmp(spec->sites[i].name, name) == 0)
            return &spec->sites[i];
    return NULL;
}

void sip_cost_params_apply_site(sip_cost_params_t *p, const sip_cost_site_t *site)
{
    if (!site)
        return;
    snprintf(p->site, sizeof p->site, "%s", site->name);
    snprintf(p->site_region, sizeof p->site_region, "%s", site->region);
    if (site->assembly_usd_per_die > 0.0)
        p->assembly_usd_per_die_organic = p->assembly_usd_per_die_ubump = site->assembly_usd_per_die;
    if (site->bonding_yield_factor > 0.0) {
        p->os_bonding_yield = fmin(1.0, p->os_bonding_yield * site->bonding_yield_factor);
        p->interposer_bonding_yield =
            fmin(1.0, p->interposer_bonding_yield * site->bonding_yield_factor);
    }
    if (site->test_usd_per_second > 0.0)
        p->test_usd_per_second = site->test_usd_per_second;
    if (site->package_test_seconds > 0.0)
        p->package_test_seconds = site->package_test_seconds;
    if (site->burn_in_hours > 0.0)
        p->burn_in_hours = site->burn_in_hours;
    if (site->burn_in_usd_per_hour > 0.0)
        p->burn_in_usd_per_hour = site->burn_in_usd_per_hour;
    p->site_capacity_units_per_month = site->capacity_units_per_month;
    p->site_lead_time_weeks = site->lead_time_weeks;
}

static void apply_site_of(sip_cost_params_t *p, const sip_cost_spec_t *spec)
{
    if (!spec->site[0])
        return;
    /* The loader refuses an unknown site; a sweep may set one the catalogue lacks: then only
     * the name is recorded and sip_cost_evaluate reports it. */
    const sip_cost_site_t *site = sip_cost_site_find(spec, spec->site);
    if (site)
        sip_cost_params_apply_site(p, site);
    else
        snprintf(p->site, sizeof p->site, "%s", spec->site);
}

void sip_cost_params_apply_spec(sip_cost_params_t *p, const sip_cost_spec_t *spec)
{
    if (!spec)
        return;
    /* Every field's zero means "not given", so a spec without a cost section applies nothing;
     * not returning early on !present lets a sweep axis (cost.volume_units, cost.site) or
     * `sipsim cost --site` act on a package whose file has no cost section. */
    apply_site_of(p, spec);
    if (spec->volume_units > 0.0)
        p->volume_units = spec->volume_units;
    p->chip_first = spec->chip_first;
    if (spec->nre_usd > 0.0)
        p->nre_usd = spec->nre_usd;
    if (spec->defect_density_per_cm2 > 0.0)
        p->defect_density_per_cm2 = spec->defect_density_per_cm2;
    if (spec->clustering_alpha > 0.0)
        p->clustering_alpha = spec->clustering_alpha;
    if (spec->wafer_cost_usd > 0.0)
        p->wafer_cost_usd = spec->wafer_cost_usd;
    p->node_extrapolation = spec->node_extrapolation;
}
