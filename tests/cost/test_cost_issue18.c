/* Issue 18, cost: the interposer-package NRE (Chiplet Actuary issue #3), memory cost and
 * known-good-stack yield, assembly / package test / burn-in, reticle stitching, the requested
 * node and nodes outside the table, and assembly/test sites (files, `cost.site`, sweeps).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"
#include "sipsim/cost.h"

static sip_cost_result_t *cost_of(const sip_package_t *pkg, const sip_cost_params_t *p)
{
    sip_cost_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_cost_evaluate(pkg, p, &r, &err), SIP_OK, "%s", err.message);
    return r;
}

/* The default package re-derived by hand after the issue-18 changes (organic, chip-last, no
 * volume; every number from src/cost/params.c):
 *   infer_iod 10 x 14 mm, process_nm 6 -> the 7 nm row (D0 0.09, wafer $9346):
 *     dies/wafer = pi 145^2 / (10.2 x 14.2) - pi 290 / sqrt(2 x 10.2 x 14.2) = 402.505
 *     Y = (1 + 0.0009 x 140 / 10)^-10 = 0.882309; pass = Y + (1 - Y) 0.01 = 0.883486
 *     raw = 9346 / 402.505 = 23.2196; KGD = (23.2196 + 32 s x 0.006) / 0.883486 = 26.4991
 *   compute_infer 12 x 13 mm, 5 nm (D0 0.11, $16988): dies/wafer 359.394, Y 0.843543,
 *     pass 0.845108, raw 47.2685, KGD 56.1591; four of them = 224.6365
 *   hbm3_stack: 16 GB x $9/GB = $144 (HBM3E $8-10/GB [MEM]); four = 576.  Known-good-stack
 *     escape yield 0.93 / (0.93 + 0.07 x 0.01) = 0.999248 each.
 *   chips C = 26.4991 + 224.6365 + 576 = 827.1356
 *   C4 bumps 0.005 $/mm2 x (140 + 4 x 156 + 4 x 121 = 1248 mm2) = 6.24
 *   substrate 66 x 35 = 2310 mm2 x 0.005 $/mm2 x 2.0 (multi-die, > 30 x 30 mm) = 23.10
 *   bond yield 0.99^9 = 0.913517; escapes y_e = (Y/pass)_iod (Y/pass)_cmp^4 x 0.999248^4
 *     = 0.988314
 *   assembly 9 dies x 0.0790543 (CATCH organic pick-and-place + bonding) = 0.711488;
 *     package test 3.2 ms x 0.006 $/s = 1.92e-5; no burn-in
 *   recurring = (827.1356 + 6.24 + 23.10 + 0.711488 + 0.0000192) / (0.913517 x 0.988314)
 *             = $949.4321 (was $309.72 before memory, assembly and package test were costed) */
Test(cost_issue18, default_package_matches_the_hand_derivation)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_cost_result_t *r = cost_of(pkg, NULL);
    cr_assert_float_eq(r->package.recurring_usd, 949.4320667622287, 1e-6);
    cr_assert_float_eq(r->package.memory_usd, 576.0, 1e-9);
    cr_assert_float_eq(r->package.memory_escape_yield, pow(0.93 / (0.93 + 0.07 * 0.01), 4), 1e-12);
    cr_assert_float_eq(r->package.assembly_usd,
                       9 * 0.07905427307063533 / (pow(0.99, 9) * r->package.escape_yield), 1e-9);
    cr_assert_float_eq(r->package.burn_in_usd, 0.0, 0);
    cr_assert_eq(r->package.interposer_fields, 1);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Chiplet Actuary issue #3: the interposer package's NRE charged the substrate at its
 * recurring $/mm2 (A100: 7745.5 mm2 x 0.005 = $38.73).  Now: organic-substrate NRE. */
Test(cost_issue18, interposer_package_nre_designs_the_substrate)
{
    sip_package_t *pkg = test_load_package("topologies/reference/a100_sxm.cfg");
    sip_cost_result_t *r = cost_of(pkg, NULL);
    double interposer = 54.7 * 35.4, substrate = 4.0 * interposer;
    sip_cost_params_t p;
    sip_cost_params_init(&p);
    /* Interposer design + one mask set per reticle field (1936.4 / 858 -> 3 fields) +
     * substrate 7745.5 mm2 x $3000/mm2 + $300k = $23.5M for the substrate alone. */
    double expect = interposer * p.interposer_nre_usd_per_mm2 + 3 * p.interposer_nre_usd_fixed +
                    substrate * 3e3 + 3e5;
    cr_assert_float_eq(r->nre_package_usd, expect, 1e-6 * expect);
    cr_assert(substrate * 3e3 + 3e5 > 1e7, "the substrate NRE is tens of millions");
    cr_assert(r->nre_package_usd - interposer * p.interposer_nre_usd_per_mm2 -
                  3 * p.interposer_nre_usd_fixed > 1e7);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

/* A100's 1936 mm2 interposer exceeds the model's own 26 x 33 = 858 mm2 reticle. */
Test(cost_issue18, oversized_interposer_is_stitched_from_reticle_fields)
{
    sip_package_t *pkg = test_load_package("topologies/reference/a100_sxm.cfg");
    sip_cost_params_t p;
    sip_cost_params_init(&p);
    cr_assert_eq(sip_cost_reticle_fields(&p, 858.0), 1);
    cr_assert_eq(sip_cost_reticle_fields(&p, 859.0), 2);
    cr_assert_eq(sip_cost_reticle_fields(&p, 54.7 * 35.4), 3);
    sip_cost_result_t *r = cost_of(pkg, &p);
    cr_assert_eq(r->package.interposer_fields, 3);
    double y_plain = r->package.interposer_yield;
    p.stitch_yield = 0.98; /* two stitch boundaries */
    sip_cost_result_t *rs = cost_of(pkg, &p);
    cr_assert_float_eq(rs->package.stitch_yield, 0.98 * 0.98, 1e-12);
    cr_assert_float_eq(rs->package.interposer_yield, y_plain * 0.98 * 0.98, 1e-12);
    cr_assert(rs->package.recurring_usd > r->package.recurring_usd);
    /* A100 80GB: five 16 GiB HBM2E stacks, 17.18 GB each (topologies/reference/a100_sxm.cfg), at $9/GB. */
    cr_assert_float_eq(r->package.memory_usd, 5 * 17.18 * 9.0, 1e-6, "memory %g",
                       r->package.memory_usd);
    sip_cost_result_destroy(r);
    sip_cost_result_destroy(rs);
    sip_package_destroy(pkg);
}

Test(cost_issue18, memory_priced_per_stack_replaces_per_gb)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_cost_params_t p;
    sip_cost_params_init(&p);
    p.memory_stack_usd = 250.0;
    sip_cost_result_t *r = cost_of(pkg, &p);
    cr_assert_float_eq(r->package.memory_usd, 1000.0, 1e-9);
    p.memory_stack_usd = 0.0;
    p.memory_usd_per_gb = 0.0;
    p.memory_stack_yield = 1.0; /* free, perfect stacks: no memory cost, no stack escapes */
    sip_cost_result_t *r0 = cost_of(pkg, &p);
    cr_assert_float_eq(r0->package.memory_usd, 0.0, 0);
    cr_assert_float_eq(r0->package.memory_escape_yield, 1.0, 0);
    sip_cost_result_destroy(r);
    sip_cost_result_destroy(r0);
    sip_package_destroy(pkg);
}

Test(cost_issue18, node_column_is_the_requested_node)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_cost_result_t *r = cost_of(pkg, NULL);
    bool seen = false;
    for (int i = 0; i < r->n_dies; i++)
        if (strcmp(r->dies[i].name, "infer_iod") == 0) {
            seen = true;
            cr_assert_eq(r->dies[i].requested_node_nm, 6);
            cr_assert_eq(r->dies[i].node_nm, 7);
            cr_assert(!r->dies[i].node_extrapolated);
        }
    cr_assert(seen);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(cost_issue18, node_outside_the_table_is_an_error_or_flagged)
{
    sip_package_t *pkg = test_load_package("tests/cost/data/node_2nm.cfg");
    sip_cost_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, &err), SIP_EINVAL);
    cr_assert_null(r);
    cr_assert(strstr(err.message, "process_nm 2 is outside the cost table"), "%s", err.message);
    cr_assert(strstr(err.path, "cost_die_2nm.cfg"), "%s", err.path);
    pkg->cost.node_extrapolation = true;
    r = cost_of(pkg, NULL);
    cr_assert_eq(r->dies[0].requested_node_nm, 2);
    cr_assert_eq(r->dies[0].node_nm, 3);
    cr_assert(r->dies[0].node_extrapolated);
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Fixture site lab_line: $1 per die assembly, 10 h x $0.25 burn-in, 1000 units/month. */
Test(cost_issue18, package_named_site_is_costed_there)
{
    sip_package_t *pkg = test_load_package("tests/cost/data/site_pkg.cfg");
    cr_assert_eq(pkg->cost.n_sites, 1);
    cr_assert_str_eq(pkg->cost.sites[0].region, "Lab");
    sip_cost_params_t p;
    sip_cost_params_init(&p);
    sip_cost_params_apply_spec(&p, &pkg->cost);
    p.volume_units = 3000;
    sip_cost_result_t *r = cost_of(pkg, &p);
    cr_assert_str_eq(r->params.site, "lab_line");
    cr_assert_float_eq(r->package.burn_in_usd, 2.5, 1e-12);
    /* One die at $1, over bond 0.99 x the die's escape yield. */
    cr_assert_float_eq(r->package.assembly_usd, 1.0 / (0.99 * r->dies[0].escape_yield), 1e-12);
    cr_assert_float_eq(r->months_to_volume, 3.0, 1e-12);
    /* The same package without the site: model defaults, cheaper here. */
    sip_cost_params_t d;
    sip_cost_params_init(&d);
    sip_cost_result_t *rd = cost_of(pkg, &d);
    cr_assert_float_eq(r->package.recurring_usd - rd->package.recurring_usd,
                       2.5 + (1.0 - 0.07905427307063533) / (0.99 * r->dies[0].escape_yield), 1e-9);
    sip_cost_result_destroy(r);
    sip_cost_result_destroy(rd);
    sip_package_destroy(pkg);
}

Test(cost_issue18, bad_sites_report_file_and_line)
{
    char path[600];
    snprintf(path, sizeof path, "%s/tests/cost/data/unknown_site.cfg", getenv("SIPSIM_SOURCE_ROOT"));
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load(path, NULL, &pkg, &err), SIP_EINVAL);
    cr_assert_eq(err.line, 5);
    cr_assert(strstr(err.message, "'lab_lin' is not a known site") &&
                  strstr(err.message, "lab_line"), "%s", err.message);
    snprintf(path, sizeof path, "%s/tests/cost/data/broken/site_pkg.cfg", getenv("SIPSIM_SOURCE_ROOT"));
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load(path, NULL, &pkg, &err), SIP_EINVAL);
    cr_assert(strstr(err.path, "broken/sites/lab_line.cfg"), "%s", err.path);
    cr_assert_eq(err.line, 3);
    cr_assert(strstr(err.message, "assembly_usd_per_die"), "%s", err.message);
}

/* The shipped example sites load, and `sipsim cost --site` / a sweep can switch between them. */
Test(cost_issue18, shipped_sites_compare_on_the_default_package)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    cr_assert(sip_cost_site_find(&pkg->cost, "tw_osat") && sip_cost_site_find(&pkg->cost, "us_osat"));
    double usd[2];
    const char *sites[2] = {"tw_osat", "us_osat"};
    for (int i = 0; i < 2; i++) {
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_package_load_sites(pkg, sites[i], &err), SIP_OK, "%s", err.message);
        sip_cost_params_t p;
        sip_cost_params_init(&p);
        sip_cost_params_apply_spec(&p, &pkg->cost);
        sip_cost_result_t *r = cost_of(pkg, &p);
        cr_assert_str_eq(r->params.site, sites[i]);
        usd[i] = r->package.recurring_usd;
        sip_cost_result_destroy(r);
    }
    /* tw_osat keeps the model defaults: the hand-derived $949.43.  us_osat: dearer assembly
     * and test, burn-in 8 h x $0.50, bond yields x 0.995. */
    cr_assert_float_eq(usd[0], 949.4320667622287, 1e-6);
    cr_assert(usd[1] > usd[0] + 4.0, "us %g vs tw %g", usd[1], usd[0]);
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_package_load_sites(pkg, "nowhere", &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "tw_osat"), "%s", err.message);
    sip_package_destroy(pkg);
}

/* The CLI: `sipsim cost --site`, the requested node in the node column, and the README's sweep
 * over two sites (sweeps/default_sites.cfg, a string axis on cost.site). */
Test(cost_issue18, cli_site_option_node_column_and_site_sweep)
{
    int status = 0;
    char *out = cli_run(cli_source_root(), "cost topologies/default.cfg --site us_osat", &status);
    cr_assert_eq(status, 0, "%s", out);
    cr_assert(strstr(out, "site us_osat (United States)"), "%s", out);
    cr_assert(strstr(out, "6>7"), "requested node 6 shown: %s", out);
    cr_assert(strstr(out, "burn-in 4.00"), "%s", out);
    free(out);
    out = cli_run(cli_source_root(), "cost topologies/default.cfg --site nowhere", &status);
    cr_assert_eq(status, 2);
    free(out);
    out = cli_run(cli_source_root(), "cost tests/cost/data/node_2nm.cfg", &status);
    cr_assert_eq(status, 2);
    free(out);

    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/sipsim_sites_sweep && mkdir -p /tmp/sipsim_sites_sweep && "
             "cd '%s' && '%s' sweep sweeps/default_sites.cfg -o /tmp/sipsim_sites_sweep/s >/dev/null "
             "&& cat /tmp/sipsim_sites_sweep/s.csv; rm -rf /tmp/sipsim_sites_sweep",
             cli_source_root(), getenv("SIPSIM_EXE"));
    char *csv = cli_capture(cmd, &status);
    cr_assert_eq(status, 0, "%s", csv);
    /* Four rows: both sites at both volumes; tw_osat at 1e5 is the hand-derived $949.43
     * recurring; us_osat costs more at the same volume. */
    cr_assert(strstr(csv, ",tw_osat,100000,") && strstr(csv, ",us_osat,1000000,"), "%s", csv);
    cr_assert(strstr(csv, "949.43"), "%s", csv);
    cr_assert(strstr(csv, "1000.41"), "%s", csv);
    free(csv);
}
