/* Cost model: formulas pinned to hand-computed values (Chiplet Actuary's equations with the
 * parameters of src/cost/params.c), and the expected shapes: super-linear monolithic cost, a
 * crossover that moves to smaller areas as defect density rises, chip-first vs chip-last, NRE
 * shared by reuse.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "sipsim.h"
#include "sipsim/cost.h"

static sip_cost_params_t defaults(void)
{
    sip_cost_params_t p;
    sip_cost_params_init(&p);
    return p;
}

Test(cost_formula, dies_per_wafer_matches_hand_computation)
{
    /* pi (150 - 5)^2 / 104.04 - pi (300 - 10) / sqrt(2 x 104.04), (10 + 0.2)^2 = 104.04 */
    sip_cost_params_t p = defaults();
    cr_assert_float_eq(sip_cost_dies_per_wafer(&p, 10.0, 10.0), 571.7124344116608, 1e-9);
    cr_assert_float_eq(sip_cost_dies_per_wafer(&p, 20.0, 30.0), 82.19207323225984, 1e-9);
    /* A full 26 x 33 mm reticle field. */
    cr_assert_float_eq(sip_cost_dies_per_wafer(&p, 26.0, 33.0), 54.0927424244627, 1e-9);
    /* Larger than the wafer can hold: zero, not negative. */
    cr_assert_float_eq(sip_cost_dies_per_wafer(&p, 200.0, 200.0), 0.0, 0.0);
}

Test(cost_formula, negative_binomial_yield_matches_hand_computation)
{
    /* (1 + D0/100 x A / alpha)^-alpha */
    cr_assert_float_eq(sip_cost_yield(100.0, 0.09, 10.0), 0.9142991955050759, 1e-12);
    cr_assert_float_eq(sip_cost_yield(800.0, 0.11, 10.0), 0.4302402590579391, 1e-12);
    cr_assert_float_eq(sip_cost_yield(600.0, 0.06, 6.0), 0.7049605404396764, 1e-12);
    /* Large alpha tends to Poisson exp(-D0 A). */
    cr_assert_float_eq(sip_cost_yield(100.0, 0.1, 1e7), exp(-0.1), 1e-6);
}

Test(cost_formula, node_lookup_is_nearest_on_a_log_scale)
{
    cr_assert_eq(sip_cost_node(4)->node_nm, 5);
    cr_assert_eq(sip_cost_node(6)->node_nm, 7);
    cr_assert_eq(sip_cost_node(16)->node_nm, 14);
    cr_assert_eq(sip_cost_node(7)->node_nm, 7);
    cr_assert_null(sip_cost_node(0));
    /* NRE of a 300 mm2 die is the table's figure. */
    cr_assert_float_eq(sip_cost_die_nre(sip_cost_node(7), 300.0), 29.8e7, 1.0);
}

static sip_package_t *package(sip_substrate_kind_t kind, double sub_w, double sub_h)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    pkg->substrate.kind = kind;
    pkg->substrate.width_mm = sub_w;
    pkg->substrate.height_mm = sub_h;
    return pkg;
}

static int add_type(sip_package_t *pkg, const char *name, sip_kind_t kind, double w, double h,
                    int nm)
{
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    strcpy(t.name, name);
    t.kind = kind;
    t.width_mm = w;
    t.height_mm = h;
    t.process_nm = nm;
    return sip_package_add_type(pkg, &t, NULL);
}

static int add_inst(sip_package_t *pkg, int type, const char *name, double x)
{
    sip_instance_t in;
    sip_instance_init(&in);
    strcpy(in.name, name);
    in.type = type;
    in.x_mm = x;
    return sip_package_add_instance(pkg, &in, NULL);
}

Test(cost_package, single_die_on_organic_matches_hand_computation)
{
    /* 10 x 10 mm N7 die: site 9346 / 571.712 = 16.347; yield 0.91430; test 32 s x 0.006 $/s;
     * pass = Y + (1 - Y) x 0.01; KGD = (16.347 + 0.192) / pass = 18.0727.
     * Package: (KGD + 100 mm2 x 0.005 C4 + 400 mm2 x 0.005 substrate) / (0.99 x Y / pass)
     * = 20.80002, plus assembly and package test over the same yield (issue 18, params.c
     * [CATCH-A]): pick-and-place (600000 / 5 + 100000) / (31536000 x 0.9) $/s x 10 s +
     * bonding (200000 / 5 + 100000) / (31536000 x 0.9) x 20 s / 64 = 0.0790543 $ per die;
     * test 64 x 500 x 1e-7 s x 0.006 $/s = 1.92e-5 $: + 0.0799469 -> 20.87997. */
    sip_package_t *pkg = package(SIP_SUBSTRATE_ORGANIC, 20.0, 20.0);
    add_type(pkg, "die", SIP_KIND_COMPUTE, 10.0, 10.0, 7);
    add_inst(pkg, 0, "d0", 0.0);
    sip_cost_result_t *r = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    cr_assert_eq(r->n_dies, 1);
    cr_assert_float_eq(r->dies[0].kgd_usd, 18.072739066960334, 1e-9);
    cr_assert_float_eq(r->package.recurring_usd, 20.8799699835643, 1e-9);
    cr_assert_float_eq(r->package.assembly_usd, 0.07905427307063533 / (0.99 * r->dies[0].escape_yield),
                       1e-12);
    /* The breakdown adds up to the total. */
    const sip_cost_breakdown_t *b = &r->package;
    double sum = b->dies_usd + b->die_defects_usd + b->test_usd + b->bumps_usd + b->memory_usd +
                 b->interposer_usd + b->substrate_usd + b->package_defects_usd + b->wasted_dies_usd +
                 b->assembly_usd + b->package_test_usd + b->burn_in_usd;
    cr_assert_float_eq(sum, b->recurring_usd, 1e-9);
    /* No volume: NRE is reported but not amortised. */
    cr_assert_float_eq(r->package.total_usd, r->package.recurring_usd, 0.0);
    cr_assert(r->nre_total_usd > 0.0);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

static sip_package_t *two_on_interposer(bool chip_first)
{
    sip_package_t *pkg = package(SIP_SUBSTRATE_INTERPOSER, 30.0, 20.0);
    add_type(pkg, "die", SIP_KIND_COMPUTE, 10.0, 10.0, 7);
    add_inst(pkg, 0, "a", 0.0);
    add_inst(pkg, 0, "b", 12.0);
    pkg->cost.present = true;
    pkg->cost.chip_first = chip_first;
    return pkg;
}

Test(cost_package, chip_last_and_chip_first_on_an_interposer_match_hand_computation)
{
    /* Interposer 600 mm2 (55 nm wafer 1937 $, D0 0.06, alpha 6: y1 = 0.70496), substrate 4 x 600
     * mm2; two dies, micro-bump bonding 0.95 each, substrate attach 0.99.
     * chip-last  = C/(y2 y3 ye) + I/(y1 y2 y3 ye) + S/(y3 ye) = 97.1606
     * chip-first = (C + I)/(y1 y3 ye) + S/(y3 ye)            = 105.0276
     * plus (issue 18) assembly: 2 dies at the micro-bump rate (500000 / 5 + 100000) /
     * (31536000 x 0.9) $/s x (10 + 20) s = 0.211399 each, the interposer attach at the organic
     * 0.0790543, package test 1.92e-5: 0.501871 over y2 y3 ye (chip-last) = 97.7234 or over
     * y1 y3 ye (chip-first: interposer defects scrap assembled packages) = 105.7481. */
    sip_package_t *last = two_on_interposer(false), *first = two_on_interposer(true);
    sip_cost_result_t *rl = NULL, *rf = NULL;
    cr_assert_eq(sip_cost_evaluate(last, NULL, &rl, NULL), SIP_OK);
    cr_assert_eq(sip_cost_evaluate(first, NULL, &rf, NULL), SIP_OK);
    cr_assert_float_eq(rl->package.interposer_yield, 0.7049605404396764, 1e-12);
    cr_assert_float_eq(rl->package.recurring_usd, 97.72340290421803, 1e-8);
    cr_assert_float_eq(rf->package.recurring_usd, 105.74808323819951, 1e-8);
    /* Chip-first scraps good dies with every bad interposer. */
    cr_assert(rf->package.wasted_dies_usd > rl->package.wasted_dies_usd);
    sip_cost_result_destroy(rl);
    sip_cost_result_destroy(rf);
    sip_package_destroy(last);
    sip_package_destroy(first);
}

Test(cost_shape, monolithic_cost_rises_faster_than_linearly_with_area)
{
    sip_cost_params_t p = defaults();
    double prev_per_mm2 = 0.0;
    for (double a = 50.0; a <= 800.0; a *= 2.0) {
        double chip, mono;
        sip_cost_split_study(&p, 5, SIP_SUBSTRATE_ORGANIC, a, 4, 0.0, &chip, &mono);
        double per_mm2 = mono / a;
        cr_assert(per_mm2 > prev_per_mm2, "cost per mm2 %.4f at %.0f mm2 not above %.4f", per_mm2,
                  a, prev_per_mm2);
        prev_per_mm2 = per_mm2;
    }
}

Test(cost_shape, crossover_moves_to_smaller_area_as_defect_density_rises)
{
    sip_cost_params_t p = defaults();
    /* Four chiplets with one UCIe-A x64 module each side of a link (2 x 0.3888 x 1.043 mm2). */
    double d2d = 2.0 * 0.3888 * 1.043;
    double prev = INFINITY;
    const double d0[] = {0.05, 0.1, 0.2, 0.4};
    for (int i = 0; i < 4; i++) {
        p.defect_density_per_cm2 = d0[i];
        double x = sip_cost_crossover_area(&p, 5, SIP_SUBSTRATE_ORGANIC, 4, d2d, 10.0, 5000.0);
        cr_assert(isfinite(x), "no crossover at D0 %.2f", d0[i]);
        cr_assert(x < prev, "crossover %.1f mm2 at D0 %.2f not below %.1f", x, d0[i], prev);
        /* Below the crossover the monolithic die is cheaper, above it the chiplets. */
        double c, m;
        sip_cost_split_study(&p, 5, SIP_SUBSTRATE_ORGANIC, 0.9 * x, 4, d2d, &c, &m);
        cr_assert(c > m);
        sip_cost_split_study(&p, 5, SIP_SUBSTRATE_ORGANIC, 1.1 * x, 4, d2d, &c, &m);
        cr_assert(c < m);
        prev = x;
    }
}

Test(cost_nre, reuse_across_packages_shares_the_chiplet_nre)
{
    sip_package_t *a = package(SIP_SUBSTRATE_ORGANIC, 40.0, 40.0);
    add_type(a, "std", SIP_KIND_COMPUTE, 10.0, 10.0, 5);
    add_inst(a, 0, "c0", 0.0);
    add_inst(a, 0, "c1", 12.0);
    sip_package_t *b = package(SIP_SUBSTRATE_ORGANIC, 40.0, 40.0);
    add_type(b, "std", SIP_KIND_COMPUTE, 10.0, 10.0, 5);
    add_type(b, "custom_io", SIP_KIND_IO, 5.0, 10.0, 7);
    add_inst(b, 0, "c0", 0.0);
    add_inst(b, 1, "io", 12.0);
    const sip_package_t *both[] = {a, b};
    double vol[] = {1e5, 1e5};
    sip_cost_result_t *alone = NULL, *pair[2] = {NULL, NULL};
    sip_cost_params_t p = defaults();
    p.volume_units = 1e5;
    cr_assert_eq(sip_cost_evaluate(a, &p, &alone, NULL), SIP_OK);
    cr_assert_eq(sip_cost_evaluate_portfolio(both, vol, 2, NULL, pair, NULL), SIP_OK);
    /* Alone: the std die's NRE over 2 x 1e5 dies; shared with b: over 3 x 1e5. */
    double nre = sip_cost_die_nre(sip_cost_node(5), 100.0);
    cr_assert_float_eq(alone->dies[0].nre_per_unit_usd, nre / 2e5, 1e-6);
    cr_assert_float_eq(pair[0]->dies[0].nre_per_unit_usd, nre / 3e5, 1e-6);
    cr_assert(pair[0]->package.total_usd < alone->package.total_usd);
    cr_assert_float_eq(pair[0]->package.recurring_usd, alone->package.recurring_usd, 1e-9);
    sip_cost_result_destroy(alone);
    sip_cost_result_destroy(pair[0]);
    sip_cost_result_destroy(pair[1]);
    sip_package_destroy(a);
    sip_package_destroy(b);
}

Test(cost_package, bought_memory_is_not_fabbed_and_bridges_follow_advanced_links)
{
    sip_package_t *pkg = package(SIP_SUBSTRATE_BRIDGE, 50.0, 40.0);
    int c = add_type(pkg, "cc", SIP_KIND_COMPUTE, 10.0, 10.0, 5);
    int m = add_type(pkg, "hbm", SIP_KIND_MEMORY, 11.0, 11.0, 0);
    pkg->types[c].n_ports = 1;
    strcpy(pkg->types[c].ports[0].name, "e0");
    add_inst(pkg, c, "c0", 0.0);
    add_inst(pkg, c, "c1", 12.0);
    add_inst(pkg, m, "m0", 30.0);
    sip_link_t l;
    sip_link_init(&l);
    strcpy(l.name, "c0-c1");
    l.from_instance = 0;
    l.to_instance = 1;
    l.from_port = l.to_port = 0;
    l.package = SIP_UCIE_ADVANCED;
    l.modules = 2;
    l.length_mm = 1.0;
    sip_package_add_link(pkg, &l, NULL);
    sip_cost_result_t *r = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    cr_assert_eq(r->package.n_bridges, 1);
    /* 2 modules x 0.3888 mm x (2 x 1.043 + 1.0) mm */
    cr_assert_float_eq(r->package.interposer_mm2, 2 * 0.3888 * (2 * 1.043 + 1.0), 1e-12);
    cr_assert_float_eq(r->package.memory_usd, 0.0, 0.0);
    cr_assert_float_eq(r->package.logic_area_mm2, 200.0, 1e-12);
    /* Monolithic: 200 mm2 minus both ends' PHYs of the link, no bridges left. */
    cr_assert_float_eq(r->d2d_phy_mm2, 2 * 2 * 0.3888 * 1.043, 1e-12);
    cr_assert_float_eq(r->mono_area_mm2, 200.0 - r->d2d_phy_mm2, 1e-12);
    cr_assert_eq(r->mono.n_bridges, 0);
    cr_assert_eq(r->mono_node_nm, 5);
    /* A price per stack brings memory into the cost. */
    sip_cost_params_t p = defaults();
    p.memory_stack_usd = 100.0;
    sip_cost_result_t *r2 = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, &p, &r2, NULL), SIP_OK);
    cr_assert_float_eq(r2->package.memory_usd, 100.0, 1e-12);
    cr_assert(r2->package.recurring_usd > r->package.recurring_usd + 100.0);
    sip_cost_result_destroy(r);
    sip_cost_result_destroy(r2);
    sip_package_destroy(pkg);
}

Test(cost_package, defect_density_override_raises_cost)
{
    sip_package_t *pkg = package(SIP_SUBSTRATE_ORGANIC, 40.0, 40.0);
    add_type(pkg, "big", SIP_KIND_COMPUTE, 20.0, 20.0, 5);
    add_inst(pkg, 0, "c0", 0.0);
    sip_cost_result_t *r1 = NULL, *r2 = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r1, NULL), SIP_OK);
    pkg->cost.present = true;
    pkg->cost.defect_density_per_cm2 = 0.3;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r2, NULL), SIP_OK);
    cr_assert_float_eq(r2->dies[0].yield, sip_cost_yield(400.0, 0.3, 10.0), 1e-12);
    cr_assert(r2->package.recurring_usd > r1->package.recurring_usd);
    sip_cost_result_destroy(r1);
    sip_cost_result_destroy(r2);
    sip_package_destroy(pkg);
}

Test(cost_errors, logic_die_without_node_is_rejected)
{
    sip_package_t *pkg = package(SIP_SUBSTRATE_ORGANIC, 40.0, 40.0);
    add_type(pkg, "nonode", SIP_KIND_COMPUTE, 10.0, 10.0, 0);
    add_inst(pkg, 0, "c0", 0.0);
    sip_cost_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, &err), SIP_EINVAL);
    cr_assert_null(r);
    cr_assert_not_null(strstr(err.message, "process_nm"));
    sip_package_destroy(pkg);
}
