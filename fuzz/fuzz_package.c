/* libFuzzer harness: package text -> loader (with the shipped chiplet library) -> every
 * analytic engine on what loads.  Crashes, sanitizer reports, leaks, a failure without a message
 * and a broken physical invariant (flow conservation, energy balance) all stop the fuzzer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"

/* Engines whose cost grows fast with size only run on packages small enough to keep the
 * fuzzer at hundreds of executions per second (the exact bisection enumerates splits). */
#define FUZZ_ENGINE_MAX_INSTANCES 16
#define FUZZ_THERMAL_GRID 8

static void run_graph(const sip_package_t *pkg)
{
    sip_error_t err;
    sip_graph_t *g = NULL;
    sip_status_t st = sip_graph_build(pkg, &g, &err);
    fuzz_expect_error(st, &err, "sip_graph_build");
    if (st != SIP_OK)
        return;
    sip_graph_metrics_t *m = NULL;
    st = sip_graph_metrics_compute(g, &m, &err);
    fuzz_expect_error(st, &err, "sip_graph_metrics_compute");
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
}

static void run_traffic(const sip_package_t *pkg)
{
    sip_error_t err;
    sip_network_t *net = NULL;
    sip_routes_t *routes = NULL;
    sip_demand_matrix_t *demand = NULL;
    sip_traffic_result_t *res = NULL;
    sip_status_t st = sip_network_from_package(pkg, NULL, &net, &err);
    fuzz_expect_error(st, &err, "sip_network_from_package");
    if (st != SIP_OK)
        goto out;
    st = sip_routes_compute(net, SIP_ROUTING_MINIMAL, NULL, &routes, &err);
    fuzz_expect_error(st, &err, "sip_routes_compute");
    if (st != SIP_OK)
        goto out;
    sip_pattern_params_t params;
    sip_pattern_params_init(&params);
    st = sip_pattern_params_from_package(net, pkg, &params, &err);
    fuzz_expect_error(st, &err, "sip_pattern_params_from_package");
    if (st != SIP_OK)
        goto out;
    const char *pattern = pkg->traffic.pattern[0] ? pkg->traffic.pattern : "uniform";
    st = sip_demand_build(net, pattern, &params, &demand, &err);
    fuzz_expect_error(st, &err, "sip_demand_build");
    if (st != SIP_OK)
        goto out;
    st = sip_traffic_evaluate(net, routes, demand, NULL, &res, &err);
    fuzz_expect_error(st, &err, "sip_traffic_evaluate");
    if (st != SIP_OK)
        goto out;
    /* Flow conservation: what is injected is ejected (routes deliver every pair they serve). */
    double tol = 1e-9 * (1.0 + fabs(res->injected_GBps));
    FUZZ_CHECK(fabs(res->injected_GBps - res->ejected_GBps) <= tol, "injected %.17g ejected %.17g",
               res->injected_GBps, res->ejected_GBps);
    FUZZ_CHECK(!(res->max_util < 0) && !(res->saturation_scale < 0), "util %g scale %g",
               res->max_util, res->saturation_scale);
out:
    sip_traffic_result_destroy(res);
    sip_demand_destroy(demand);
    sip_routes_destroy(routes);
    sip_network_destroy(net);
}

static void run_thermal(const sip_package_t *pkg)
{
    sip_error_t err;
    sip_thermal_options_t opts = {.grid_rows = FUZZ_THERMAL_GRID, .grid_cols = FUZZ_THERMAL_GRID,
                                  .secondary_r_c_per_w = -1, .skip_power_caps = true};
    sip_thermal_model_t *model = NULL;
    sip_status_t st = sip_thermal_model_create(pkg, &opts, &model, &err);
    fuzz_expect_error(st, &err, "sip_thermal_model_create");
    if (st != SIP_OK)
        return;
    sip_thermal_result_t *r = NULL;
    st = sip_thermal_solve(model, NULL, &r, &err);
    fuzz_expect_error(st, &err, "sip_thermal_solve");
    if (st == SIP_OK) {
        /* Energy balance at steady state: every watt put in leaves through the ambient paths. */
        double tol = 1e-6 * (1.0 + fabs(r->power_in_w));
        FUZZ_CHECK(fabs(r->power_in_w - r->heat_out_w) <= tol, "in %.17g W out %.17g W",
                   r->power_in_w, r->heat_out_w);
    }
    sip_thermal_result_destroy(r);
    sip_thermal_model_destroy(model);
}

static void run_engines(const sip_package_t *pkg)
{
    sip_error_t err;
    sip_check_result_t *check = NULL;
    sip_status_t st = sip_check_run(pkg, &check, &err);
    fuzz_expect_error(st, &err, "sip_check_run");
    sip_check_result_destroy(check);

    for (int l = 0; l < pkg->n_links; l++) {
        sip_ucie_link_result_t lr;
        st = sip_ucie_link_validate(pkg, l, &err);
        fuzz_expect_error(st, &err, "sip_ucie_link_validate");
        st = sip_ucie_link_eval(pkg, l, &lr, &err);
        fuzz_expect_error(st, &err, "sip_ucie_link_eval");
    }

    sip_tpp_result_t *tpp = NULL;
    st = sip_tpp_evaluate(pkg, NULL, &tpp, &err);
    fuzz_expect_error(st, &err, "sip_tpp_evaluate");
    sip_tpp_result_destroy(tpp);

    sip_cost_result_t *cost = NULL;
    st = sip_cost_evaluate(pkg, NULL, &cost, &err);
    fuzz_expect_error(st, &err, "sip_cost_evaluate");
    sip_cost_result_destroy(cost);

    if (pkg->n_instances > FUZZ_ENGINE_MAX_INSTANCES)
        return;
    run_graph(pkg);
    run_traffic(pkg);
    run_thermal(pkg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1;
    static char chiplets[SIP_PATH_MAX];
    static const char *dirs[1];
    if (!chiplets[0]) {
        snprintf(chiplets, sizeof chiplets, "%s/chiplets", fuzz_source_root());
        dirs[0] = chiplets;
    }
    char *text = fuzz_text(data, size);
    sip_load_options_t opts = {.library_dirs = dirs, .n_library_dirs = 1, .no_default_dirs = true};
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_package_load_string(text, "fuzz.cfg", &opts, &pkg, &err);
    fuzz_expect_error(st, &err, "sip_package_load_string");
    if (st == SIP_OK) {
        FUZZ_CHECK(pkg != NULL, "OK without a package");
        run_engines(pkg);
    } else {
        FUZZ_CHECK(pkg == NULL, "failed load left a package");
    }
    sip_package_destroy(pkg);
    free(text);
    return 0;
}
