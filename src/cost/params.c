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
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
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
}

void sip_cost_params_apply_spec(sip_cost_params_t *p, const sip_cost_spec_t *spec)
{
    if (!spec || !spec->present)
        return;
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
}
