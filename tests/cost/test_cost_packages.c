/* Cost of the shipped packages: every reference and default package costs cleanly, the
 * breakdown adds up, cost per TPP is defined; the `cost` section of a file reaches the engine.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "sipsim.h"
#include "sipsim/cost.h"

static double breakdown_sum(const sip_cost_breakdown_t *b)
{
    return b->dies_usd + b->die_defects_usd + b->test_usd + b->bumps_usd + b->memory_usd +
           b->interposer_usd + b->substrate_usd + b->package_defects_usd + b->wasted_dies_usd +
                 b->assembly_usd + b->package_test_usd + b->burn_in_usd;
}

Test(cost_packages, shipped_packages_cost_cleanly)
{
    static const char *const files[] = {
        "topologies/default.cfg",          "topologies/reference/a100_sxm.cfg",
        "topologies/reference/h100_sxm.cfg", "topologies/reference/h800_sxm.cfg",
        "topologies/reference/h20.cfg",      "topologies/reference/mi300x.cfg",
        "topologies/reference/ascend910.cfg",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        sip_package_t *pkg = test_load_package(files[i]);
        sip_cost_params_t p;
        sip_cost_params_init(&p);
        p.volume_units = 1e5;
        sip_cost_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_cost_evaluate(pkg, &p, &r, &err), SIP_OK, "%s: %s", files[i], err.message);
        cr_assert(isfinite(r->package.recurring_usd) && r->package.recurring_usd > 0.0, "%s", files[i]);
        cr_assert_float_eq(breakdown_sum(&r->package), r->package.recurring_usd,
                           1e-9 * r->package.recurring_usd, "%s", files[i]);
        cr_assert(r->tpp > 0.0);
        cr_assert_float_eq(r->usd_per_tpp, r->package.total_usd / r->tpp, 1e-12, "%s", files[i]);
        cr_assert(r->package.assembly_yield > 0.0 && r->package.assembly_yield <= 1.0);
        sip_cost_result_destroy(r);
        sip_package_destroy(pkg);
    }
}

Test(cost_packages, mi300x_as_one_die_exceeds_the_reticle_and_costs_more)
{
    sip_package_t *pkg = test_load_package("topologies/reference/mi300x.cfg");
    sip_cost_result_t *r = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    /* 8 XCD + 4 IOD = 2398.6 mm2 of logic, minus 16 links x 2 ends x 4 UCIe-A modules. */
    cr_assert_float_eq(r->d2d_phy_mm2, 16 * 2 * 4 * 0.3888 * 1.043, 1e-9);
    cr_assert(r->mono_exceeds_reticle);
    cr_assert(r->mono.recurring_usd > r->package.recurring_usd);
    cr_assert_eq(r->mono_node_nm, 5);
    cr_assert_eq(r->n_split, 12);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(cost_packages, cost_section_of_the_file_reaches_the_engine)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/topologies/inline_cost.cfg", root);
    const char *text =
        "name = \"inline_cost\";\n"
        "substrate = { kind = \"organic\"; width_mm = 40.0; height_mm = 40.0; };\n"
        "instances = ( { name = \"c0\"; type = \"compute_infer\"; x_mm = 2.0; y_mm = 2.0; } );\n"
        "cost = { volume_units = 5e4; assembly = \"chip_first\"; defect_density_per_cm2 = 0.25;\n"
        "         clustering_alpha = 4; wafer_cost_usd = 12000; };\n";
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load_string(text, path, NULL, &pkg, &err), SIP_OK, "%s", err.message);
    sip_cost_result_t *r = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    cr_assert_float_eq(r->params.volume_units, 5e4, 0.0);
    cr_assert(r->params.chip_first);
    double area = pkg->types[0].width_mm * pkg->types[0].height_mm;
    cr_assert_float_eq(r->dies[0].yield, sip_cost_yield(area, 0.25, 4.0), 1e-12);
    sip_cost_params_t p;
    sip_cost_params_init(&p);
    cr_assert_float_eq(r->dies[0].raw_usd,
                       12000.0 / sip_cost_dies_per_wafer(&p, pkg->types[0].width_mm,
                                                         pkg->types[0].height_mm),
                       1e-9);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}
