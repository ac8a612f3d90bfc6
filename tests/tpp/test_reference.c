/* Public products as packages (topologies/reference/): each loads, passes the design-rule
 * checks, reproduces its published TPP within 1 % and lands in its expected class
 * (facts.md §2.6).  The default package sits just under 3A090.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "sipsim.h"
#include "sipsim/check.h"
#include "sipsim/tpp.h"

static sip_package_t *load(const char *rel)
{
    sip_package_t *pkg = test_load_package(rel);
    sip_check_result_t *chk = NULL;
    cr_assert_eq(sip_check_run(pkg, &chk, NULL), SIP_OK);
    for (int i = 0; i < chk->n_findings; i++)
        if (chk->findings[i].severity == SIP_SEVERITY_ERROR)
            cr_log_error("%s: %s: %s", rel, chk->findings[i].rule, chk->findings[i].message);
    cr_assert_eq(chk->n_errors, 0, "%s fails %d design rules", rel, chk->n_errors);
    cr_assert_eq(chk->n_warnings, 0, "%s has %d design-rule warnings", rel, chk->n_warnings);
    sip_check_result_destroy(chk);
    return pkg;
}

typedef struct {
    const char *file;
    double published_tpp;
    double published_pd;   /* facts.md §2.6; 0 = not checked */
    const char *class_2023;
    const char *class_2022; /* NULL = not checked */
} reference_t;

static void check_reference(const reference_t *ref)
{
    sip_package_t *pkg = load(ref->file);
    sip_tpp_result_t *r = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    double tpp = r->metrics.value[SIP_METRIC_TPP];
    cr_assert(fabs(tpp / ref->published_tpp - 1.0) <= 0.01, "%s: TPP %.1f vs published %.1f",
              ref->file, tpp, ref->published_tpp);
    if (ref->published_pd > 0.0) {
        double pd = r->metrics.value[SIP_METRIC_PD];
        cr_assert(fabs(pd / ref->published_pd - 1.0) <= 0.01, "%s: PD %.3f vs %.3f", ref->file,
                  pd, ref->published_pd);
    }
    cr_assert_str_eq(r->classes[sip_tpp_rule_find("bis-2023")].class_name, ref->class_2023,
                     "%s", ref->file);
    if (ref->class_2022)
        cr_assert_str_eq(r->classes[sip_tpp_rule_find("bis-2022")].class_name, ref->class_2022,
                         "%s", ref->file);
    /* Package-level HBM is co-packaged with logic: never 3A090.c. */
    cr_assert_str_eq(r->classes[sip_tpp_rule_find("bis-2024-hbm")].class_name, "not 3A090.c");
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(tpp_reference, a100_is_4992_and_a1_and_controlled_in_2022)
{
    reference_t r = {"topologies/reference/a100_sxm.cfg", 4992.0, 6.04, "3A090.a.1", "3A090.a (2022)"};
    check_reference(&r);
}

Test(tpp_reference, h100_sxm_is_15832)
{
    reference_t r = {"topologies/reference/h100_sxm.cfg", 15832.0, 19.45, "3A090.a.1", "3A090.a (2022)"};
    check_reference(&r);
}

Test(tpp_reference, h800_is_controlled_in_2023_but_not_in_2022_by_io_bandwidth)
{
    reference_t r = {"topologies/reference/h800_sxm.cfg", 15832.0, 19.45, "3A090.a.1", "not 3A090 (2022)"};
    check_reference(&r);
    /* And it is the I/O condition that fails, the TPP one holds. */
    sip_package_t *pkg = load(r.file);
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, NULL), SIP_OK);
    cr_assert(m.value[SIP_METRIC_IO_GBPS] < 600.0);
    cr_assert(m.value[SIP_METRIC_TPP] >= 4800.0);
    sip_package_destroy(pkg);
}

Test(tpp_reference, h20_is_2368_and_not_3a090)
{
    reference_t r = {"topologies/reference/h20.cfg", 2368.0, 2.91, "not 3A090", NULL};
    check_reference(&r);
    /* Headroom: the clock may rise to 1.83 GHz x 2400 / 2368 before 3A090.b.1 (TPP >= 2400;
     * PD then 2.95 >= 1.6); a second GPU die makes it b.1. */
    sip_package_t *pkg = load(r.file);
    sip_tpp_result_t *res = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &res, NULL), SIP_OK);
    int rule = sip_tpp_rule_find("bis-2023");
    bool clock_seen = false, chip_seen = false;
    for (int i = 0; i < res->n_limits; i++) {
        const sip_tpp_limit_t *l = &res->limits[i];
        if (l->rule != rule || l->clause != -1)
            continue;
        if (l->knob == SIP_KNOB_CLOCK) {
            cr_assert_float_eq(l->limit, 1.83 * 2400.0 / 2368.0, 1e-6);
            cr_assert_not(l->inclusive);
            clock_seen = true;
        } else if (l->knob == SIP_KNOB_CHIPLETS) {
            cr_assert_float_eq(l->limit, 1.0, 0.0);
            cr_assert(l->inclusive);
            chip_seen = true;
        }
    }
    cr_assert(clock_seen && chip_seen);
    sip_tpp_result_destroy(res);
    sip_package_destroy(pkg);
}

Test(tpp_reference, mi300x_is_20919_and_not_evaluated_in_2022_without_modelled_io)
{
    /* topologies/reference/mi300x.cfg models no off-package I/O (its Infinity Fabric and PCIe
     * rates are not in facts.md): the 2022 rule's I/O term cannot be decided. */
    reference_t r = {"topologies/reference/mi300x.cfg", 20919.0, 8.7, "3A090.a.1", "not evaluated"};
    check_reference(&r);
}

Test(tpp_reference, ascend910_is_4096_and_a2)
{
    reference_t r = {"topologies/reference/ascend910.cfg", 4096.0, 8.98, "3A090.a.2", NULL};
    check_reference(&r);
}

Test(tpp_reference, default_package_sits_just_under_3a090)
{
    /* The design brief of topologies/default.cfg: TPP 2300-2399, PD 2.8-3.19, not 3A090. */
    sip_package_t *pkg = load("topologies/default.cfg");
    sip_tpp_result_t *r = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    double tpp = r->metrics.value[SIP_METRIC_TPP], pd = r->metrics.value[SIP_METRIC_PD];
    cr_assert(tpp >= 2300.0 && tpp < 2400.0, "TPP %.1f", tpp);
    cr_assert(pd >= 2.8 && pd < 3.2, "PD %.3f", pd);
    cr_assert_str_eq(r->classes[sip_tpp_rule_find("bis-2023")].class_name, "not 3A090");
    /* Both readings of the aggregation agree for it (every engine has the same profile). */
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.aggregation = SIP_TPP_SUM_OF_MAXES;
    sip_tpp_metrics_t m;
    cr_assert_eq(sip_tpp_metrics(pkg, &o, &m, NULL), SIP_OK);
    cr_assert_float_eq(m.value[SIP_METRIC_TPP], tpp, 1e-9 * tpp);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
}
