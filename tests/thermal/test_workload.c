/* Die powers from the package's workload (kernel library: sip_workload_apply_power) through the
 * thermal engine, in the library and through `sipsim thermal --workload`.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "sipsim.h"
#include "sipsim/kernels.h"
#include "sipsim/thermal.h"
#include "common/cli_run.h"

#define GRID 24

static sip_package_t *load_default(void)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    cr_assert(pkg->workload.present, "default.cfg is expected to carry a workload section");
    return pkg;
}

static sip_thermal_result_t *solve(const sip_package_t *pkg, const double *power_w)
{
    sip_thermal_options_t o = {.grid_rows = GRID, .grid_cols = GRID, .secondary_r_c_per_w = -1.0,
                               .skip_power_caps = true};
    sip_thermal_model_t *m = NULL;
    sip_thermal_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_thermal_model_create(pkg, &o, &m, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_thermal_solve(m, power_w, &r, &err), SIP_OK, "%s", err.message);
    sip_thermal_model_destroy(m);
    return r;
}

Test(thermal_workload, workload_power_map_balances_and_orders_temperatures)
{
    sip_package_t *pkg = load_default();
    sip_workload_result_t *wr = NULL;
    sip_package_t *wpkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &wr, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_workload_apply_power(pkg, wr, &wpkg, &err), SIP_OK, "%s", err.message);

    sip_thermal_result_t *rw = solve(wpkg, NULL), *rp = solve(pkg, NULL);
    /* Every die draws the workload's power for its instance. */
    double expected_in = 0.0;
    bool some_lower = false;
    cr_assert_eq(rw->n_dies, rp->n_dies);
    for (int d = 0; d < rw->n_dies; d++) {
        int inst = sip_package_find_instance(pkg, rw->dies[d].name);
        cr_assert_geq(inst, 0, "die %s", rw->dies[d].name);
        cr_assert_float_eq(rw->dies[d].power_w, wr->power_w[inst], 1e-12 * wr->power_w[inst] + 1e-300);
        expected_in += wr->power_w[inst];
        some_lower = some_lower || rw->dies[d].power_w < rp->dies[d].power_w * (1.0 - 1e-6);
    }
    cr_assert(some_lower, "the workload is expected to leave some die below its TDP");
    /* Heat out = power in within 0.1 %. */
    cr_assert_float_eq(rw->power_in_w, expected_in, 1e-9 * expected_in);
    cr_assert_float_eq(rw->heat_out_w, rw->power_in_w, 1e-3 * rw->power_in_w);
    /* The conductance matrix is an M-matrix (its inverse has no negative entry), so a power map
     * that is nowhere above another gives temperatures nowhere above: the workload draws at most
     * each die's TDP (idle + (TDP - idle) x activity, activity <= 1). */
    const int cells = rw->n_layers * rw->rows * rw->cols;
    for (int d = 0; d < rw->n_dies; d++)
        cr_assert_leq(rw->dies[d].power_w, rp->dies[d].power_w * (1.0 + 1e-12));
    for (int i = 0; i < cells; i++)
        cr_assert_leq(rw->t_c[i], rp->t_c[i] + 1e-9, "cell %d: %g > %g", i, rw->t_c[i], rp->t_c[i]);
    cr_assert_lt(rw->t_max_c, rp->t_max_c);
    /* The same map given to the package's model as a power vector: same temperatures. */
    double *p = malloc(sizeof(double) * (size_t)rp->n_dies);
    for (int d = 0; d < rp->n_dies; d++)
        p[d] = rw->dies[d].power_w;
    sip_thermal_result_t *rv = solve(pkg, p);
    for (int i = 0; i < cells; i++)
        cr_assert_float_eq(rv->t_c[i], rw->t_c[i], 1e-9);
    free(p);
    sip_thermal_result_destroy(rv);
    sip_thermal_result_destroy(rw);
    sip_thermal_result_destroy(rp);
    sip_package_destroy(wpkg);
    sip_workload_result_destroy(wr);
    sip_package_destroy(pkg);
}

Test(thermal_workload, cli_workload_flag_uses_the_workload_power)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    char args[1024];
    snprintf(args, sizeof args, "thermal '%s/topologies/default.cfg' --workload --grid %d --no-caps --json",
             root, GRID);
    int status;
    char *out = cli_run(NULL, args, &status);
    cr_assert_eq(status, 0, "%s", args);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert_not_null(j, "%s", jerr.text);
    free(out);

    sip_package_t *pkg = load_default();
    sip_workload_result_t *wr = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &wr, NULL), SIP_OK);
    cr_assert_eq(strncmp(json_string_value(json_object_get(j, "power_source")), "workload", 8), 0);
    double sum = 0.0;
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(j, "dies"), i, v) {
        int inst = sip_package_find_instance(pkg, json_string_value(json_object_get(v, "name")));
        cr_assert_geq(inst, 0);
        cr_assert_float_eq(json_real_value(json_object_get(v, "power_w")), wr->power_w[inst],
                           1e-9 * wr->power_w[inst] + 1e-300);
        sum += wr->power_w[inst];
    }
    const double in = json_real_value(json_object_get(j, "power_in_w"));
    cr_assert_float_eq(in, sum, 1e-9 * sum);
    cr_assert_float_eq(json_real_value(json_object_get(j, "heat_out_w")), in, 1e-3 * in);
    json_decref(j);
    sip_workload_result_destroy(wr);
    sip_package_destroy(pkg);

    /* A package without a workload section is an input error. */
    snprintf(args, sizeof args, "thermal '%s/topologies/mesh_2x4.cfg' --workload --grid 8", root);
    free(cli_run(NULL, args, &status));
    cr_assert_eq(status, 2);
}
