/* sipsim traffic end to end: the built binary (SIPSIM_EXE) on a BookSim mesh and a shipped
 * topology, JSON and curve output, exit codes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/cli_run.h"

Test(traffic_cli, bitcomp_mesh_json_reports_the_bound)
{
    json_t *j = cli_run_json(NULL, "traffic mesh:8x8 --pattern bitcomp --load 0.05 --json");
    cr_assert_float_eq(json_real_value(json_object_get(j, "channel_bound_load")), 0.25, 1e-9);
    /* routers saturate first on the 8x8 mesh: the reported saturation is below the bound */
    cr_assert(json_is_true(json_object_get(j, "router_limited")));
    cr_assert_lt(json_real_value(json_object_get(j, "saturation_load")), 0.25);
    cr_assert_float_eq(json_real_value(json_object_get(j, "mean_zero_load_ns")), 47.0, 1e-9);
    cr_assert_eq(json_array_size(json_object_get(j, "channels")), 224);
    cr_assert_eq(json_array_size(json_object_get(j, "flows")), 64);
    json_decref(j);
}

Test(traffic_cli, shipped_topology_conserves_flow)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    char args[1024];
    snprintf(args, sizeof args, "traffic '%s/topologies/mesh_2x4.cfg' --pattern alltoall --json", root);
    json_t *j = cli_run_json(NULL, args);
    double inj = json_real_value(json_object_get(j, "injected_GBps"));
    double ej = json_real_value(json_object_get(j, "ejected_GBps"));
    cr_assert_gt(inj, 0.0);
    cr_assert_float_eq(inj, ej, 1e-9 * inj);
    double sum = 0.0, byte_hops = 0.0;
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(j, "channels"), i, v)
        sum += json_real_value(json_object_get(v, "load_GBps"));
    json_array_foreach(json_object_get(j, "flows"), i, v)
        byte_hops += json_real_value(json_object_get(v, "GBps")) * json_real_value(json_object_get(v, "hops"));
    cr_assert_float_eq(sum, byte_hops, 1e-6 * sum);
    cr_assert_gt(json_real_value(json_object_get(j, "d2d_power_w")), 0.0);
    json_decref(j);
}

Test(traffic_cli, curve_csv_rises_until_saturation)
{
    char path[] = "/tmp/sipsim_curve_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    char args[256];
    snprintf(args, sizeof args, "traffic mesh:4x4 --curve %s --points 10", path);
    int status;
    free(cli_run(NULL, args, &status));
    cr_assert_eq(status, 0);
    FILE *f = fdopen(fd, "r");
    char line[256];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_eq(strncmp(line, "fraction_of_saturation,load,", 28), 0);
    int rows = 0;
    double prev = 0.0, frac, load, util, lat;
    /* finite and rising up to 99 % of saturation: the saturation is where the routers' VCs run
     * out (evaluate.c's VC model: about 0.82 on this mesh, below the channel-load bound of 1.0;
     * BookSim2 measures 0.73, peers/booksim results.md) */
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(sscanf(line, "%lf,%lf,%lf,%lf", &frac, &load, &util, &lat), 4);
        cr_assert(isfinite(lat), "%s", line);
        cr_assert_gt(lat, prev);
        prev = lat;
        rows++;
    }
    cr_assert_eq(rows, 11);
    cr_assert(load > 0.99 * 0.75 && load < 0.99 * 0.9, "%g", load);
    fclose(f);
    remove(path);
}

Test(traffic_cli, bad_input_exits_2)
{
    int status;
    free(cli_run(NULL, "traffic mesh:4x4 --pattern zigzag", &status));
    cr_assert_eq(status, 2);
    free(cli_run(NULL, "traffic mesh:3x3 --pattern transpose", &status));
    cr_assert_eq(status, 2);
    free(cli_run(NULL, "traffic mesh:4x4 --routing zigzag", &status));
    cr_assert_eq(status, 2);
    free(cli_run(NULL, "traffic", &status));
    cr_assert_eq(status, 2);
}

/* Issue 19: on the default package at load 0.4 the I/O die's router VCs run out (flows from
 * `io` had infinite latency) while saturation said 1.4x, the channel-load bound alone.  The
 * reported saturation is the smaller bound, the router is named as the bottleneck, latency is
 * finite just below it and infinite just above, and a faster router clock lifts it. */
static json_t *traffic_json(const char *extra)
{
    char args[1024];
    snprintf(args, sizeof args, "traffic '%s/topologies/default.cfg' --json %s",
             getenv("SIPSIM_SOURCE_ROOT"), extra);
    return cli_run_json(NULL, args);
}

Test(traffic_cli, router_saturating_first_sets_saturation_and_is_named)
{
    json_t *j = traffic_json("--load 0.4");
    double sat = json_real_value(json_object_get(j, "saturation_load"));
    double bound = json_real_value(json_object_get(j, "channel_bound_load"));
    cr_assert(json_is_true(json_object_get(j, "router_limited")));
    cr_assert_lt(sat, 0.4, "saturation %g at a load whose latency is infinite", sat);
    cr_assert_lt(sat, bound);
    cr_assert(isinf(json_number_value(json_object_get(j, "mean_latency_ns"))) ||
                  json_is_null(json_object_get(j, "mean_latency_ns")),
              "load 0.4 is above saturation %g", sat);
    json_t *bn = json_object_get(j, "bottlenecks");
    cr_assert_gt(json_array_size(bn), 0);
    const char *port = json_string_value(json_object_get(json_array_get(bn, 0), "port"));
    cr_assert_eq(strncmp(port, "router io ", 10), 0, "bottleneck %s", port);
    json_decref(j);
    /* just below and just above the reported saturation */
    char extra[64];
    snprintf(extra, sizeof extra, "--load %.9g", 0.98 * sat);
    j = traffic_json(extra);
    cr_assert(isfinite(json_number_value(json_object_get(j, "mean_latency_ns"))) &&
                  json_is_number(json_object_get(j, "mean_latency_ns")),
              "latency below saturation must be finite");
    json_decref(j);
    snprintf(extra, sizeof extra, "--load %.9g", 1.02 * sat);
    j = traffic_json(extra);
    cr_assert(!json_is_number(json_object_get(j, "mean_latency_ns")) ||
                  isinf(json_number_value(json_object_get(j, "mean_latency_ns"))));
    json_decref(j);
    /* a 4 GHz router clock shortens the VC holding time: saturation moves up */
    j = traffic_json("--load 0.4 --router-clock 4");
    cr_assert_gt(json_real_value(json_object_get(j, "saturation_load")), sat);
    json_decref(j);
}

/* Issue 19: the allreduce ring runs in snake order over the compute dies of a grid: on
 * mesh_2x4 (the I/O die west of a 2 x 4 grid) every ring step is one hop. */
Test(traffic_cli, allreduce_ring_is_snake_order_on_a_grid)
{
    char args[1024];
    snprintf(args, sizeof args, "traffic '%s/topologies/mesh_2x4.cfg' --pattern allreduce --json",
             getenv("SIPSIM_SOURCE_ROOT"));
    json_t *j = cli_run_json(NULL, args);
    json_t *flows = json_object_get(j, "flows"), *f;
    cr_assert_eq(json_array_size(flows), 8);
    size_t i;
    json_array_foreach(flows, i, f)
        cr_assert_float_eq(json_number_value(json_object_get(f, "hops")), 1.0, 1e-12, "%s -> %s",
                           json_string_value(json_object_get(f, "from")),
                           json_string_value(json_object_get(f, "to")));
    json_decref(j);
}
