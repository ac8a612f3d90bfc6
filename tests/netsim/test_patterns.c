/* One meaning per pattern name: netsim draws every packet's destination from traffic's pattern
 * registry (src/traffic/patterns.c), so the per-packet draws must average to the demand matrix
 * the analytic engine builds under the same name, and netsim's packets must go where the draw
 * says.  SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim.h"

/* splitmix64: a fixed stream, so the frequency checks below are deterministic */
static uint64_t test_rng(void *state)
{
    uint64_t *x = state, z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static sip_network_t *booksim_mesh(int k)
{
    sip_mesh_params_t mp;
    sip_mesh_params_booksim(&mp, k, false);
    sip_network_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_network_mesh(&mp, &net, &err), SIP_OK, "%s", err.message);
    return net;
}

static sip_pattern_draw_t grid_ctx(int k)
{
    sip_pattern_draw_t ctx = {.n_endpoints = k * k, .cols = k, .rows = k};
    return ctx;
}

static double flow_share(const sip_demand_matrix_t *d, int src, int dst, double src_GBps)
{
    for (int i = 0; i < d->n_flows; i++)
        if (d->flows[i].src == src && d->flows[i].dst == dst)
            return d->flows[i].GBps / src_GBps;
    return 0.0;
}

Test(netsim_patterns, every_netsim_pattern_is_drawn_from_the_registry)
{
    for (int p = 0; p < SIP_NETSIM_PATTERN_COUNT; p++) {
        const char *name = sip_netsim_pattern_name((sip_netsim_pattern_t)p);
        const sip_pattern_ops_t *ops = sip_pattern_find(name);
        cr_assert_not_null(ops, "netsim pattern %s is not in traffic's registry", name);
        cr_assert_not_null(ops->draw, "%s has no per-packet form", name);
        cr_assert_not_null(ops->draw_init, "%s has no per-packet check", name);
    }
}

/* Each source's draws, counted over many packets, against its row of the demand matrix. */
static void check_draws_average_to_demand(const char *name, const sip_pattern_params_t *p,
                                          sip_pattern_draw_t ctx, int draws, double tol)
{
    sip_network_t *net = booksim_mesh(4);
    sip_error_t err;
    sip_demand_matrix_t *d = NULL;
    cr_assert_eq(sip_demand_build(net, name, p, &d, &err), SIP_OK, "%s: %s", name, err.message);
    const sip_pattern_ops_t *ops = sip_pattern_find(name);
    cr_assert_eq(ops->draw_init(&ctx, &err), SIP_OK, "%s: %s", name, err.message);
    uint64_t state = 42;
    int *count = calloc((size_t)ctx.n_endpoints, sizeof *count);
    for (int s = 0; s < ctx.n_endpoints; s++) {
        memset(count, 0, (size_t)ctx.n_endpoints * sizeof *count);
        for (int i = 0; i < draws; i++) {
            int t = ops->draw(&ctx, s, test_rng, &state);
            cr_assert(t >= 0 && t < ctx.n_endpoints, "%s: draw %d from %d out of range", name, t, s);
            count[t]++;
        }
        for (int t = 0; t < ctx.n_endpoints; t++) {
            double want = flow_share(d, s, t, p->load), got = (double)count[t] / draws;
            cr_assert(fabs(got - want) <= tol, "%s: %d -> %d drawn %.4f of packets, demand share %.4f", name, s,
                      t, got, want);
        }
    }
    free(count);
    sip_demand_destroy(d);
    sip_network_destroy(net);
}

Test(netsim_patterns, draws_average_to_the_demand_matrix)
{
    sip_pattern_params_t p;
    sip_pattern_params_init(&p);
    p.load = 1.0; /* flows in GB/s = shares of the source's 1 GB/s port */
    /* permutations: every draw is the one destination of the source's row (tolerance 0) */
    check_draws_average_to_demand("transpose", &p, grid_ctx(4), 4, 0.0);
    check_draws_average_to_demand("bitcomp", &p, grid_ctx(4), 4, 0.0);
    check_draws_average_to_demand("bitrev", &p, grid_ctx(4), 4, 0.0);
    check_draws_average_to_demand("shuffle", &p, grid_ctx(4), 4, 0.0);
    check_draws_average_to_demand("tornado", &p, grid_ctx(4), 4, 0.0);
    check_draws_average_to_demand("neighbor", &p, grid_ctx(4), 4, 0.0);
    /* uniform: 1/16 each; 16,000 draws give a standard error of 0.0019 */
    check_draws_average_to_demand("uniform", &p, grid_ctx(4), 16000, 0.01);
    /* hotspot: all of it to nodes 5 and 9, equal shares */
    p.n_hotspots = 2;
    p.hotspots[0] = 5;
    p.hotspots[1] = 9;
    sip_pattern_draw_t ctx = grid_ctx(4);
    ctx.n_hotspots = 2;
    ctx.hotspots = p.hotspots;
    check_draws_average_to_demand("hotspot", &p, ctx, 8000, 0.02);
}

/* BookSim2's neighbor (traffic.cpp NeighborTrafficPattern): (x + 1) mod k along each dimension,
 * in both engines; "the nodes a channel reaches" is `adjacent`. */
Test(netsim_patterns, neighbor_is_booksim2s_in_both_engines)
{
    sip_network_t *net = booksim_mesh(4);
    sip_pattern_params_t p;
    sip_pattern_params_init(&p);
    p.load = 1.0;
    sip_demand_matrix_t *d = NULL;
    sip_error_t err;
    cr_assert_eq(sip_demand_build(net, "neighbor", &p, &d, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(d->n_flows, 16);
    cr_assert_float_eq(flow_share(d, 0, 5, 1.0), 1.0, 1e-12);  /* (0,0) -> (1,1) */
    cr_assert_float_eq(flow_share(d, 3, 4, 1.0), 1.0, 1e-12);  /* (3,0) -> (0,1) */
    cr_assert_float_eq(flow_share(d, 15, 0, 1.0), 1.0, 1e-12); /* (3,3) -> (0,0) */
    sip_demand_destroy(d);
    cr_assert_eq(sip_demand_build(net, "adjacent", &p, &d, &err), SIP_OK, "%s", err.message);
    cr_assert_float_eq(flow_share(d, 0, 1, 1.0), 0.5, 1e-12); /* a corner: two neighbours */
    cr_assert_float_eq(flow_share(d, 0, 4, 1.0), 0.5, 1e-12);
    sip_demand_destroy(d);
    sip_network_destroy(net);
    sip_pattern_draw_t ctx = grid_ctx(4);
    const sip_pattern_ops_t *nb = sip_pattern_find("neighbor");
    cr_assert_eq(nb->draw_init(&ctx, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(nb->draw(&ctx, 0, NULL, NULL), 5);
    cr_assert_eq(nb->draw(&ctx, 15, NULL, NULL), 0);
}

Test(netsim_patterns, hotspot_weights_and_bad_contexts)
{
    const sip_pattern_ops_t *hot = sip_pattern_find("hotspot");
    int nodes[2] = {3, 12}, weights[2] = {1, 3};
    sip_pattern_draw_t ctx = grid_ctx(4);
    ctx.n_hotspots = 2;
    ctx.hotspots = nodes;
    ctx.hotspot_weights = weights;
    sip_error_t err;
    cr_assert_eq(hot->draw_init(&ctx, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(ctx.hotspot_total, 4);
    uint64_t state = 7;
    int n12 = 0;
    for (int i = 0; i < 8000; i++)
        n12 += hot->draw(&ctx, 0, test_rng, &state) == 12;
    cr_assert(fabs(n12 / 8000.0 - 0.75) < 0.02, "weight 3 of 4 drew %.4f", n12 / 8000.0);
    nodes[1] = 16; /* out of range */
    cr_assert_eq(hot->draw_init(&ctx, &err), SIP_EINVAL);
    sip_pattern_draw_t no_grid = {.n_endpoints = 16};
    cr_assert_eq(sip_pattern_find("tornado")->draw_init(&no_grid, &err), SIP_EINVAL);
    cr_assert_not_null(strstr(err.message, "grid"));
    sip_pattern_draw_t odd = {.n_endpoints = 8};
    cr_assert_eq(sip_pattern_find("transpose")->draw_init(&odd, &err), SIP_EINVAL);
    cr_assert_eq(sip_pattern_find("bitrev")->draw_init(&odd, &err), SIP_OK);
}

/* Routers per packet under dimension-order routing when each source sends to draw(src). */
static double expected_hops(const sip_pattern_ops_t *ops, int k)
{
    sip_pattern_draw_t ctx = grid_ctx(k);
    sip_error_t err;
    cr_assert_eq(ops->draw_init(&ctx, &err), SIP_OK, "%s", err.message);
    double sum = 0;
    for (int s = 0; s < k * k; s++) {
        int t = ops->draw(&ctx, s, NULL, NULL);
        sum += abs(s % k - t % k) + abs(s / k - t / k) + 1;
    }
    return sum / (k * k);
}

/* netsim's packets travel exactly as far as the registry's destinations are: a netsim that kept
 * its own (different) definition of a name would miss these means. */
Test(netsim_patterns, netsim_packets_go_where_the_registry_draws)
{
    const sip_netsim_pattern_t pats[] = {SIP_NETSIM_TRANSPOSE, SIP_NETSIM_BITCOMP, SIP_NETSIM_BITREV,
                                         SIP_NETSIM_SHUFFLE, SIP_NETSIM_TORNADO, SIP_NETSIM_NEIGHBOR};
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_netsim_net_mesh(8, &net, &err), SIP_OK, "%s", err.message);
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        const char *name = sip_netsim_pattern_name(pats[i]);
        sip_netsim_config_t cfg;
        sip_netsim_config_init(&cfg);
        cfg.pattern = pats[i];
        cfg.injection_rate = 0.02;
        cfg.warmup_periods = 1;
        cfg.sample_period = 2000;
        cfg.max_samples = 4;
        sip_netsim_result_t res;
        cr_assert_eq(sip_netsim_run(net, &cfg, &res, &err), SIP_OK, "%s: %s", name, err.message);
        double want = expected_hops(sip_pattern_find(name), 8);
        cr_assert_gt(res.packet.count, 1000, "%s: %lld packets", name, (long long)res.packet.count);
        /* every source sends at the same rate: the mean over packets is the mean over sources,
         * up to which sources happened to send (some 2,000+ packets: well within 3 %) */
        cr_assert(fabs(res.hops_mean - want) <= 0.03 * want, "%s: netsim %.4f routers per packet, registry %.4f",
                  name, res.hops_mean, want);
        sip_netsim_result_fini(&res);
    }
    sip_netsim_net_destroy(net);
}
