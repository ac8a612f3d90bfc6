/* The workload pattern: the die-to-die demand of a package's `workload` section (kernel library)
 * through the analytic engine, in the library and through `sipsim traffic --pattern workload`.
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
#include "sipsim/traffic.h"
#include "common/cli_run.h"

static sip_package_t *load_default(void)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    cr_assert(pkg->workload.present, "default.cfg is expected to carry a workload section");
    return pkg;
}

/* Flow conservation on the workload demand, and the demand is the workload result's, instance
 * pair by instance pair (split over the endpoints of each node). */
static void check_workload_demand(int endpoints_per_chiplet)
{
    sip_package_t *pkg = load_default();
    sip_error_t err;
    sip_error_clear(&err);
    sip_network_options_t no = {.endpoints_per_chiplet = endpoints_per_chiplet};
    sip_network_t *net = NULL;
    sip_routes_t *routes = NULL;
    sip_workload_result_t *wr = NULL;
    sip_demand_matrix_t *d = NULL;
    sip_traffic_result_t *res = NULL;
    cr_assert_eq(sip_network_from_package(pkg, &no, &net, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_routes_compute(net, SIP_ROUTING_MINIMAL, NULL, &routes, &err), SIP_OK);
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &wr, &err), SIP_OK, "%s", err.message);
    cr_assert_gt(wr->n_demands, 0);
    cr_assert_eq(sip_workload_demand(net, wr, &d, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_traffic_evaluate(net, routes, d, NULL, &res, &err), SIP_OK, "%s", err.message);

    double total = 0.0;
    for (int i = 0; i < wr->n_demands; i++)
        total += wr->demands[i].GBps;
    cr_assert_gt(total, 0.0);
    cr_assert_float_eq(res->injected_GBps, total, 1e-12 * total);
    cr_assert_float_eq(res->ejected_GBps, total, 1e-12 * total);
    double byte_hops = 0.0;
    for (int i = 0; i < d->n_flows; i++)
        byte_hops += d->flows[i].GBps * res->flow_hops[i];
    cr_assert_float_eq(res->channel_GBps_sum, byte_hops, 1e-12 * byte_hops);
    /* Per instance pair: the flows between the two nodes' endpoints add up to the demand. */
    for (int i = 0; i < wr->n_demands; i++) {
        const int a = net->instance_node[wr->demands[i].from_instance];
        const int b = net->instance_node[wr->demands[i].to_instance];
        double sum = 0.0;
        for (int f = 0; f < d->n_flows; f++)
            if (net->endpoints[d->flows[f].src].node == a && net->endpoints[d->flows[f].dst].node == b)
                sum += d->flows[f].GBps;
        cr_assert_float_eq(sum, wr->demands[i].GBps, 1e-12 * wr->demands[i].GBps + 1e-300,
                           "demand %d: %g vs %g", i, sum, wr->demands[i].GBps);
    }
    /* The workload's own traffic evaluation saw the same busiest port: at the step rate its
     * utilisation is the one the workload reports. */
    cr_assert_float_eq(res->max_util, wr->d2d_max_util, 1e-9 * wr->d2d_max_util);
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);
    sip_workload_result_destroy(wr);
    sip_routes_destroy(routes);
    sip_network_destroy(net);
    sip_package_destroy(pkg);
}

Test(traffic_workload, demand_conserves_flow_and_is_the_workloads)
{
    check_workload_demand(0);
}

Test(traffic_workload, demand_split_over_endpoints_conserves_flow)
{
    check_workload_demand(2);
}

Test(traffic_workload, cli_pattern_workload_is_the_library_demand)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    char args[1024];
    snprintf(args, sizeof args, "traffic '%s/topologies/default.cfg' --pattern workload --json", root);
    json_t *j = cli_run_json(NULL, args);
    snprintf(args, sizeof args, "traffic '%s/topologies/default.cfg' --pattern workload --load 2.5 --json", root);
    json_t *j2 = cli_run_json(NULL, args);

    sip_package_t *pkg = load_default();
    sip_network_t *net = NULL;
    sip_workload_result_t *wr = NULL;
    sip_demand_matrix_t *d = NULL;
    cr_assert_eq(sip_network_from_package(pkg, NULL, &net, NULL), SIP_OK);
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &wr, NULL), SIP_OK);
    cr_assert_eq(sip_workload_demand(net, wr, &d, NULL), SIP_OK);

    cr_assert_str_eq(json_string_value(json_object_get(j, "pattern")), "workload");
    json_t *flows = json_object_get(j, "flows");
    cr_assert_eq((int)json_array_size(flows), d->n_flows);
    double total = 0.0;
    for (int i = 0; i < d->n_flows; i++) {
        json_t *f = json_array_get(flows, (size_t)i);
        cr_assert_eq(json_integer_value(json_object_get(f, "src")), d->flows[i].src);
        cr_assert_eq(json_integer_value(json_object_get(f, "dst")), d->flows[i].dst);
        cr_assert_float_eq(json_real_value(json_object_get(f, "GBps")), d->flows[i].GBps,
                           1e-9 * d->flows[i].GBps + 1e-300);
        total += d->flows[i].GBps;
    }
    const double inj = json_real_value(json_object_get(j, "injected_GBps"));
    cr_assert_float_eq(inj, total, 1e-9 * total);
    cr_assert_float_eq(json_real_value(json_object_get(j, "ejected_GBps")), inj, 1e-9 * inj);
    double sum = 0.0, byte_hops = 0.0;
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(j, "channels"), i, v)
        sum += json_real_value(json_object_get(v, "load_GBps"));
    json_array_foreach(flows, i, v)
        byte_hops += json_real_value(json_object_get(v, "GBps")) * json_real_value(json_object_get(v, "hops"));
    cr_assert_float_eq(sum, byte_hops, 1e-9 * sum);
    /* --load scales the demand; the saturation scale shrinks by the same factor. */
    cr_assert_float_eq(json_real_value(json_object_get(j2, "injected_GBps")), 2.5 * inj, 1e-9 * inj);
    cr_assert_float_eq(json_real_value(json_object_get(j2, "saturation_scale")),
                       json_real_value(json_object_get(j, "saturation_scale")) / 2.5,
                       1e-9 * json_real_value(json_object_get(j, "saturation_scale")));

    sip_demand_destroy(d);
    sip_workload_result_destroy(wr);
    sip_network_destroy(net);
    sip_package_destroy(pkg);
    json_decref(j);
    json_decref(j2);
}

Test(traffic_workload, cli_pattern_workload_without_workload_is_an_input_error)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    char args[1024];
    int status;
    snprintf(args, sizeof args, "traffic '%s/topologies/mesh_2x4.cfg' --pattern workload", root);
    free(cli_run(NULL, args, &status));
    cr_assert_eq(status, 2);
    free(cli_run(NULL, "traffic mesh:4x4 --pattern workload", &status));
    cr_assert_eq(status, 2);
}
