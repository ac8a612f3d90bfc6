/* TPP, performance density, classification edges, aggregation readings and what-if limits on
 * packages built in code.  Thresholds and worked examples: facts.md §2.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sipsim.h"
#include "sipsim/tpp.h"

/* A compute type whose single engine reaches `tpp` at `prec` with one MAC array at 1 GHz:
 * TPP = 2 x macs x 1e-3 x bits, so macs = tpp / (2e-3 x bits). */
static sip_chiplet_type_t compute_type(const char *name, double tpp, sip_precision_t prec,
                                       double area_mm2, int process_nm)
{
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    strcpy(t.name, name);
    t.kind = SIP_KIND_COMPUTE;
    t.width_mm = area_mm2 / 10.0;
    t.height_mm = 10.0;
    t.process_nm = process_nm;
    /* Stated, as the shipped chiplets do: these tests are not about unknown planarity. */
    t.transistor = process_nm >= 28 ? SIP_TRANSISTOR_PLANAR : SIP_TRANSISTOR_FINFET;
    t.n_engines = 1;
    strcpy(t.engines[0].name, "tensor");
    t.engines[0].count = 1;
    t.engines[0].clock_ghz = 1.0;
    t.engines[0].n_rates = 1;
    t.engines[0].rates[0].precision = prec;
    t.engines[0].rates[0].macs_per_cycle = tpp / (2e-3 * sip_precision_bits(prec));
    return t;
}

static int add_instance(sip_package_t *pkg, int type, const char *name, double x_mm)
{
    sip_instance_t in;
    sip_instance_init(&in);
    strcpy(in.name, name);
    in.type = type;
    in.x_mm = x_mm;
    return sip_package_add_instance(pkg, &in, NULL);
}

/* One compute die of TPP `tpp` (fp16) and area `area_mm2`, with off-package I/O of
 * `io_per_dir_GBps` in each direction. */
static sip_package_t *one_die(double tpp, double area_mm2, double io_per_dir_GBps)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t t = compute_type("die", tpp, SIP_PREC_FP16, area_mm2, 5);
    if (io_per_dir_GBps > 0.0) {
        t.n_ios = 1;
        strcpy(t.ios[0].name, "link");
        t.ios[0].kind = SIP_IO_NVLINK;
        t.ios[0].bandwidth_GBps = io_per_dir_GBps;
    }
    cr_assert_eq(sip_package_add_type(pkg, &t, NULL), 0);
    add_instance(pkg, 0, "c0", 0.0);
    return pkg;
}

static sip_tpp_metrics_t metrics_of(const sip_package_t *pkg)
{
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    return m;
}

static const char *class_of(const sip_package_t *pkg, const char *rule, bool datacenter)
{
    sip_tpp_metrics_t m = metrics_of(pkg);
    sip_tpp_class_t c;
    sip_tpp_classify(&m, sip_tpp_rule_find(rule), datacenter, &c);
    return c.class_name;
}

static void expect_class(double tpp, double area, double io, const char *rule, bool dc,
                         const char *expected)
{
    sip_package_t *pkg = one_die(tpp, area, io);
    const char *got = class_of(pkg, rule, dc);
    cr_assert_str_eq(got, expected, "TPP %.6g, area %.6g mm2, I/O %.6g GB/s/dir under %s (%s): %s",
                     tpp, area, io, rule, dc ? "datacenter" : "non-datacenter", got);
    sip_package_destroy(pkg);
}

Test(tpp_formula, bis_equivalence_600_int8_tops_and_300_fp16_tflops_are_4800)
{
    /* facts.md §2.3: TPP 4800 = 2 x 300 MacTOPS at 8 bits = 2 x 150 MacTOPS at 16 bits. */
    sip_engine_t e;
    memset(&e, 0, sizeof e);
    e.count = 100;
    e.clock_ghz = 2.0;
    e.n_rates = 2;
    e.rates[0].precision = SIP_PREC_INT8;
    e.rates[0].macs_per_cycle = 1500.0;  /* 100 x 1500 x 2e9 = 300e12 MAC/s */
    e.rates[1].precision = SIP_PREC_FP16;
    e.rates[1].macs_per_cycle = 750.0;   /* 150e12 MAC/s */
    cr_assert_float_eq(sip_engine_tpp(&e, SIP_PREC_INT8), 4800.0, 1e-9);
    cr_assert_float_eq(sip_engine_tpp(&e, SIP_PREC_FP16), 4800.0, 1e-9);
    cr_assert_float_eq(sip_engine_tpp(&e, SIP_PREC_FP8), 0.0, 0.0);
}

Test(tpp_formula, higher_clock_never_lowers_tpp)
{
    sip_package_t *pkg = one_die(1000.0, 400.0, 0.0);
    double prev = -1.0;
    for (double ghz = 0.1; ghz <= 4.0; ghz += 0.05) {
        pkg->types[0].engines[0].clock_ghz = ghz;
        double tpp = metrics_of(pkg).value[SIP_METRIC_TPP];
        cr_assert(tpp > prev, "TPP %.3f at %.2f GHz not above %.3f", tpp, ghz, prev);
        prev = tpp;
    }
    sip_package_destroy(pkg);
}

Test(tpp_formula, package_sums_chiplets_each_below_threshold)
{
    /* facts.md §2.6: 8 chiplets of TPP 700 are each below 1600, the package (5600) is a.1. */
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t t = compute_type("small", 700.0, SIP_PREC_INT8, 100.0, 5);
    sip_package_add_type(pkg, &t, NULL);
    char name[16];
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "c%d", i);
        add_instance(pkg, 0, name, 12.0 * i);
    }
    sip_tpp_metrics_t m = metrics_of(pkg);
    cr_assert_float_eq(m.value[SIP_METRIC_TPP], 5600.0, 1e-6);
    cr_assert_float_eq(m.value[SIP_METRIC_PD], 7.0, 1e-9);
    cr_assert_str_eq(class_of(pkg, "bis-2023", true), "3A090.a.1");
    sip_package_destroy(pkg);
}

Test(tpp_formula, memory_and_planar_dies_leave_the_pd_denominator)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t c = compute_type("xcd", 2000.0, SIP_PREC_FP8, 200.0, 5);
    sip_chiplet_type_t io = compute_type("iod6", 0.0, SIP_PREC_FP8, 100.0, 6);
    io.kind = SIP_KIND_IO;
    io.n_engines = 0;
    sip_chiplet_type_t old = io;
    strcpy(old.name, "iod28");
    old.process_nm = 28;
    old.transistor = SIP_TRANSISTOR_PLANAR;
    sip_chiplet_type_t hbm;
    sip_chiplet_type_init(&hbm);
    strcpy(hbm.name, "hbm");
    hbm.kind = SIP_KIND_MEMORY;
    hbm.width_mm = 11.0;
    hbm.height_mm = 11.0;
    hbm.n_memories = 1;
    hbm.memories[0].kind = SIP_MEM_HBM3;
    hbm.memories[0].bandwidth_GBps = 819.2;
    sip_package_add_type(pkg, &c, NULL);
    sip_package_add_type(pkg, &io, NULL);
    sip_package_add_type(pkg, &old, NULL);
    sip_package_add_type(pkg, &hbm, NULL);
    add_instance(pkg, 0, "c0", 0.0);
    add_instance(pkg, 1, "io6", 30.0);
    add_instance(pkg, 2, "io28", 50.0);
    add_instance(pkg, 3, "m0", 70.0);
    sip_tpp_metrics_t m = metrics_of(pkg);
    /* 200 (N5) + 100 (N6); the 28 nm die is declared planar; HBM is memory. */
    cr_assert_float_eq(m.applicable_area_mm2, 300.0, 1e-9);
    cr_assert_float_eq(m.logic_area_mm2, 400.0, 1e-9);
    cr_assert_float_eq(m.value[SIP_METRIC_PD], 2000.0 / 300.0, 1e-9);
    cr_assert_float_eq(m.value[SIP_METRIC_LOGIC_DIES], 3.0, 0.0);
    cr_assert_float_eq(m.value[SIP_METRIC_HBM_DENSITY], 819.2 / 121.0, 1e-9);
    /* Co-packaged with logic: 3A090.c does not apply. */
    cr_assert_str_eq(class_of(pkg, "bis-2024-hbm", true), "not 3A090.c");
    /* Without its key, a node cut-off at 28 nm (the caller's assumption) pulls it in. */
    pkg->types[2].transistor = SIP_TRANSISTOR_UNKNOWN;
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.nonplanar_max_nm = 28;
    cr_assert_eq(sip_tpp_metrics(pkg, &o, &m, NULL), SIP_OK);
    cr_assert_float_eq(m.applicable_area_mm2, 400.0, 1e-9);
    sip_package_destroy(pkg);
}

Test(tpp_aggregation, readings_differ_only_when_precision_profiles_differ)
{
    /* Engine A: 1000 at int8 only; engine B: 800 at fp16 only.  Sum of maxes (the default, the
     * rule's sum over processing units): 1800; max over sums: max(1000, 800). */
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t t = compute_type("mix", 1000.0, SIP_PREC_INT8, 100.0, 5);
    t.n_engines = 2;
    t.engines[1] = t.engines[0];
    strcpy(t.engines[1].name, "vec");
    t.engines[1].rates[0].precision = SIP_PREC_FP16;
    t.engines[1].rates[0].macs_per_cycle = 800.0 / (2e-3 * 16);
    sip_package_add_type(pkg, &t, NULL);
    add_instance(pkg, 0, "c0", 0.0);
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, &o, &m, NULL), SIP_OK);
    cr_assert_float_eq(m.value[SIP_METRIC_TPP], 1800.0, 1e-9);
    o.aggregation = SIP_TPP_MAX_OF_SUMS;
    cr_assert_eq(sip_tpp_metrics(pkg, &o, &m, NULL), SIP_OK);
    cr_assert_float_eq(m.value[SIP_METRIC_TPP], 1000.0, 1e-9);
    cr_assert_eq(m.precision, SIP_PREC_INT8);
    /* Same profile on both engines: the readings agree. */
    pkg->types[0].engines[1].rates[0].precision = SIP_PREC_INT8;
    pkg->types[0].engines[1].rates[0].macs_per_cycle = 800.0 / (2e-3 * 8);
    for (int a = 0; a < SIP_TPP_AGGREGATION_COUNT; a++) {
        o.aggregation = (sip_tpp_aggregation_t)a;
        cr_assert_eq(sip_tpp_metrics(pkg, &o, &m, NULL), SIP_OK);
        cr_assert_float_eq(m.value[SIP_METRIC_TPP], 1800.0, 1e-9);
    }
    cr_assert_eq(sip_tpp_aggregation_lookup("sum_of_maxes"), SIP_TPP_SUM_OF_MAXES);
    sip_package_destroy(pkg);
}

/* ---- the edge of every threshold: inclusive (>=) or exclusive (>, <) reading ---- */

Test(tpp_edges, tpp_4800_is_a1_inclusive)
{
    expect_class(4800.0, 10000.0, 0.0, "bis-2023", true, "3A090.a.1");
    /* Just below 4800 at PD 2.0: b.1, whose "TPP < 4800" bound is exclusive. */
    expect_class(4800.0 * (1 - 1e-6), 2400.0, 0.0, "bis-2023", true, "3A090.b.1");
}

Test(tpp_edges, tpp_just_below_4800_with_low_density_is_not_3a090)
{
    /* PD 4799.99 / 4000 = 1.2 < 1.6: neither b.1 nor b.2. */
    expect_class(4800.0 * (1 - 1e-6), 4000.0, 0.0, "bis-2023", true, "not 3A090");
}

Test(tpp_edges, a2_at_1600_and_pd_5_92_inclusive)
{
    double area = 1600.0 / 5.92;
    expect_class(1600.0, area, 0.0, "bis-2023", true, "3A090.a.2");
    /* TPP a hair below 1600 (same area): nothing applies (b.* need TPP >= 1600 or 2400). */
    expect_class(1600.0 * (1 - 1e-6), area, 0.0, "bis-2023", true, "not 3A090");
    /* PD a hair below 5.92 at TPP 1600: b.2 (3.2 <= PD < 5.92). */
    expect_class(1600.0, area * (1 + 1e-6), 0.0, "bis-2023", true, "3A090.b.2");
}

Test(tpp_edges, b1_at_2400_and_pd_1_6_inclusive)
{
    expect_class(2400.0, 2400.0 / 1.6, 0.0, "bis-2023", true, "3A090.b.1");
    expect_class(2400.0 * (1 - 1e-6), 2400.0 / 1.6, 0.0, "bis-2023", true, "not 3A090");
    expect_class(2400.0, 2400.0 / 1.6 * (1 + 1e-6), 0.0, "bis-2023", true, "not 3A090");
}

Test(tpp_edges, b2_at_pd_3_2_inclusive)
{
    expect_class(1600.0, 1600.0 / 3.2, 0.0, "bis-2023", true, "3A090.b.2");
    expect_class(1600.0, 1600.0 / 3.2 * (1 + 1e-6), 0.0, "bis-2023", true, "not 3A090");
}

Test(tpp_edges, b1_upper_bounds_are_exclusive)
{
    /* TPP 4800 leaves b.1 for a.1; PD 5.92 at TPP 3000 leaves b.1 for a.2. */
    expect_class(3000.0, 3000.0 / 5.92, 0.0, "bis-2023", true, "3A090.a.2");
    expect_class(3000.0, 3000.0 / 5.92 * (1 + 1e-6), 0.0, "bis-2023", true, "3A090.b.1");
}

Test(tpp_edges, oct_2022_needs_4800_and_600_GBps_both_inclusive)
{
    expect_class(4800.0, 800.0, 300.0, "bis-2022", true, "3A090.a (2022)");
    expect_class(4800.0, 800.0, 300.0 * (1 - 1e-6), "bis-2022", true, "not 3A090 (2022)");
    expect_class(4800.0 * (1 - 1e-6), 800.0, 300.0, "bis-2022", true, "not 3A090 (2022)");
}

Test(tpp_edges, non_datacenter_items_below_4800_are_outside_3a090)
{
    expect_class(1600.0, 100.0, 0.0, "bis-2023", false, "not 3A090");
    expect_class(3000.0, 1000.0, 0.0, "bis-2023", false, "not 3A090");
    sip_package_t *pkg = one_die(4800.0, 800.0, 0.0);
    sip_tpp_metrics_t m = metrics_of(pkg);
    sip_tpp_class_t c;
    sip_tpp_classify(&m, sip_tpp_rule_find("bis-2023"), false, &c);
    cr_assert_str_eq(c.class_name, "3A090.a.1");
    cr_assert_not_null(strstr(sip_tpp_rule(c.rule)->clauses[c.clause].consequence, "NAC"));
    sip_package_destroy(pkg);
}

static sip_package_t *hbm_only(double density)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t hbm;
    sip_chiplet_type_init(&hbm);
    strcpy(hbm.name, "hbm");
    hbm.kind = SIP_KIND_MEMORY;
    hbm.width_mm = 10.0;
    hbm.height_mm = 10.0;
    hbm.n_memories = 1;
    hbm.memories[0].kind = SIP_MEM_HBM3;
    hbm.memories[0].bandwidth_GBps = density * 100.0;
    sip_package_add_type(pkg, &hbm, NULL);
    add_instance(pkg, 0, "m0", 0.0);
    return pkg;
}

Test(tpp_edges, hbm_density_2_is_exclusive_and_3_3_bounds_the_exception)
{
    const char *rule = "bis-2024-hbm";
    sip_package_t *p = hbm_only(2.0);
    cr_assert_str_eq(class_of(p, rule, true), "not 3A090.c");
    sip_package_destroy(p);
    p = hbm_only(2.0 * (1 + 1e-6));
    sip_tpp_metrics_t m = metrics_of(p);
    sip_tpp_class_t c;
    sip_tpp_classify(&m, sip_tpp_rule_find(rule), true, &c);
    cr_assert_str_eq(c.class_name, "3A090.c");
    cr_assert_eq(c.n_exceptions, 1);
    cr_assert_eq(c.exceptions[0].state, SIP_TPP_TRUE, "below 3.3 GB/s/mm2: License Exception HBM");
    sip_package_destroy(p);
    p = hbm_only(3.3);
    m = metrics_of(p);
    sip_tpp_classify(&m, sip_tpp_rule_find(rule), true, &c);
    cr_assert_str_eq(c.class_name, "3A090.c");
    cr_assert_eq(c.exceptions[0].state, SIP_TPP_FALSE, "3.3 GB/s/mm2 is not below 3.3");
    sip_package_destroy(p);
}

Test(tpp_margins, every_condition_reports_value_minus_threshold)
{
    sip_package_t *pkg = one_die(2368.0, 814.0, 450.0);
    sip_tpp_metrics_t m = metrics_of(pkg);
    sip_tpp_class_t c;
    sip_tpp_classify(&m, sip_tpp_rule_find("bis-2023"), true, &c);
    cr_assert_str_eq(c.class_name, "not 3A090");
    /* a.1 (DC), a.2 (2), b.1 (4), b.2 (3) = 10 conditions; the non-DC a.1 is out of scope. */
    cr_assert_eq(c.n_margins, 10);
    cr_assert_float_eq(c.margins[0].margin, 2368.0 - 4800.0, 1e-9);
    cr_assert_not(c.margins[0].holds);
    sip_tpp_classify(&m, sip_tpp_rule_find("bis-2022"), true, &c);
    cr_assert_float_eq(c.margins[1].value, 900.0, 1e-9);
    cr_assert_float_eq(c.margins[1].margin, 300.0, 1e-9);
    sip_package_destroy(pkg);
}

/* ---- what-if ---- */

static const sip_tpp_limit_t *find_limit(const sip_tpp_result_t *r, sip_knob_t knob, const char *rule,
                                         int clause, int condition)
{
    int ri = sip_tpp_rule_find(rule);
    for (int i = 0; i < r->n_limits; i++) {
        const sip_tpp_limit_t *l = &r->limits[i];
        if (l->knob == knob && l->rule == ri && l->clause == clause && l->condition == condition)
            return l;
    }
    return NULL;
}

Test(tpp_whatif, clock_limit_is_where_tpp_reaches_each_threshold)
{
    /* TPP 2000 at 1 GHz on 2000 mm2 (PD 1.0): b.1 starts when TPP >= 2400 and PD >= 1.6, i.e.
     * at 1.6 GHz (PD reaches 1.6 after TPP reaches 2400 at 1.2 GHz). */
    sip_package_t *pkg = one_die(2000.0, 2000.0, 0.0);
    sip_tpp_result_t *r = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    const sip_tpp_limit_t *l = find_limit(r, SIP_KNOB_CLOCK, "bis-2023", -1, -1);
    cr_assert_not_null(l);
    cr_assert_float_eq(l->current, 1.0, 1e-12);
    cr_assert_float_eq(l->limit, 1.6, 1e-9);
    cr_assert_not(l->inclusive, ">= thresholds: the limit itself is already controlled");
    /* a.1 condition TPP >= 4800: 2.4 GHz. */
    l = find_limit(r, SIP_KNOB_CLOCK, "bis-2023", 0, 0);
    cr_assert_float_eq(l->limit, 2.4, 1e-9);
    /* MAC scale gives the same factor. */
    l = find_limit(r, SIP_KNOB_MACS, "bis-2023", -1, -1);
    cr_assert_float_eq(l->limit, 1.6, 1e-9);
    /* Check the claim: at 1.6 GHz x (1 - 1e-6) uncontrolled, at 1.6 GHz b.1. */
    pkg->types[0].engines[0].clock_ghz = 1.6 * (1 - 1e-6);
    cr_assert_str_eq(class_of(pkg, "bis-2023", true), "not 3A090");
    pkg->types[0].engines[0].clock_ghz = 1.6;
    cr_assert_str_eq(class_of(pkg, "bis-2023", true), "3A090.b.1");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_whatif, io_limit_of_the_2022_rule_is_600_exclusive)
{
    sip_package_t *pkg = one_die(5000.0, 800.0, 200.0);
    sip_tpp_result_t *r = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    cr_assert_str_eq(r->classes[sip_tpp_rule_find("bis-2022")].class_name, "not 3A090 (2022)");
    const sip_tpp_limit_t *l = find_limit(r, SIP_KNOB_IO, "bis-2022", -1, -1);
    cr_assert_float_eq(l->current, 400.0, 1e-9);
    cr_assert_float_eq(l->limit, 600.0, 1e-9);
    cr_assert_not(l->inclusive);
    /* The 2023 rule does not look at I/O: no limit. */
    l = find_limit(r, SIP_KNOB_IO, "bis-2023", -1, -1);
    cr_assert_eq(l->limit, 0.0, "already a.1 at any I/O");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_whatif, chiplet_count_limit_and_dominance)
{
    /* k compute chiplets of 700 (int8, 100 mm2) + one 6 nm I/O die of 300 mm2.  n chiplets:
     * TPP 700n, area 100n + 300.  b.2 needs TPP >= 1600 and PD >= 3.2: PD(n=3) = 2100/600 = 3.5
     * -> controlled at n = 3; n = 2: TPP 1400 < 1600.  So the limit is 2 (inclusive). */
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_chiplet_type_t c = compute_type("cc", 700.0, SIP_PREC_INT8, 100.0, 5);
    sip_chiplet_type_t io = compute_type("iod", 0.0, SIP_PREC_INT8, 300.0, 6);
    io.kind = SIP_KIND_IO;
    io.n_engines = 0;
    sip_package_add_type(pkg, &io, NULL);
    sip_package_add_type(pkg, &c, NULL);
    add_instance(pkg, 0, "io", 0.0);
    add_instance(pkg, 1, "c0", 40.0);
    sip_tpp_result_t *r = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    cr_assert_eq(r->dominant_instance, 1);
    cr_assert_eq(r->dominant_type, 1);
    cr_assert_eq(r->dominant_precision, SIP_PREC_INT8);
    cr_assert_float_eq(r->instance_tpp[1], 700.0, 1e-9);
    const sip_tpp_limit_t *l = find_limit(r, SIP_KNOB_CHIPLETS, "bis-2023", -1, -1);
    cr_assert_float_eq(l->current, 1.0, 0.0);
    cr_assert_float_eq(l->limit, 2.0, 0.0);
    cr_assert(l->inclusive);
    /* a.1 (TPP >= 4800): 700 x 6 = 4200 < 4800 <= 4900: 6 chiplets stay below. */
    l = find_limit(r, SIP_KNOB_CHIPLETS, "bis-2023", 0, 0);
    cr_assert_float_eq(l->limit, 6.0, 0.0);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_errors, instance_without_type_is_rejected)
{
    sip_package_t *pkg = one_die(100.0, 100.0, 0.0);
    pkg->instances[0].type = 7;
    sip_tpp_metrics_t m;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, &err), SIP_EINVAL);
    cr_assert_not_null(strstr(err.message, "c0"));
    sip_package_destroy(pkg);
}
