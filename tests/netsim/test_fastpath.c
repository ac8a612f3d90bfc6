/* netsim's two router implementations must not drift apart: routers with the default
 * single-cycle pipeline run a bitset fast path (iq_fast in src/netsim/netsim_router.c),
 * everything else the general BookSim2-iq path.  force_general_router = 1 sends every router
 * down the general path, so each case here runs twice and every reported statistic must be the
 * same bit for bit.  Each case first shows that the fast path really is taken (and that the flag
 * really turns it off), so a comparison of two identical general-path runs cannot pass for one.
 * Runs are short (one warm-up period, a few hundred cycles per sample) to keep the suite cheap
 * under ASan; a divergence in the routers shows within a few hundred cycles of contention.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "netsim/netsim_internal.h"
#include "sipsim.h"

static const char *root(void)
{
    const char *r = getenv("SIPSIM_SOURCE_ROOT");
    return r ? r : ".";
}

/* Same bits, not merely equal values: NaN means (no packets) must match too. */
static void same_double(const char *label, const char *field, double a, double b)
{
    cr_assert(memcmp(&a, &b, sizeof a) == 0, "%s: %s fast %.17g vs general %.17g", label, field, a, b);
}

static void same_latency(const char *label, const char *what, const sip_netsim_latency_t *a,
                         const sip_netsim_latency_t *b)
{
    char f[64];
    snprintf(f, sizeof f, "%s.mean", what);
    same_double(label, f, a->mean, b->mean);
    snprintf(f, sizeof f, "%s.p50", what);
    same_double(label, f, a->p50, b->p50);
    snprintf(f, sizeof f, "%s.p99", what);
    same_double(label, f, a->p99, b->p99);
    snprintf(f, sizeof f, "%s.max", what);
    same_double(label, f, a->max, b->max);
    cr_assert_eq(a->count, b->count, "%s: %s.count fast %lld vs general %lld", label, what, (long long)a->count,
                 (long long)b->count);
}

static int fast_routers(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg)
{
    sip_error_t err;
    sip_error_clear(&err);
    int n = -1;
    cr_assert_eq(sip__netsim_fast_routers(net, cfg, &n, &err), SIP_OK, "%s", err.message);
    return n;
}

/* Run NET under CFG with and without force_general_router and require identical results.
 * min_fast: how many routers must take the fast path without the flag (all of them on a mesh). */
static void check_same(const char *label, const sip_netsim_net_t *net, const sip_netsim_config_t *cfg, int min_fast)
{
    sip_netsim_config_t fast = *cfg, general = *cfg;
    fast.force_general_router = false;
    general.force_general_router = true;
    int n_fast = fast_routers(net, &fast);
    cr_assert_geq(n_fast, min_fast, "%s: %d of %d routers on the fast path (expected >= %d)", label, n_fast,
                  net->n_routers, min_fast);
    cr_assert_gt(n_fast, 0, "%s: no router on the fast path, nothing to compare", label);
    cr_assert_eq(fast_routers(net, &general), 0, "%s: force_general_router left routers on the fast path", label);

    sip_netsim_result_t a, b;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_netsim_run(net, &fast, &a, &err), SIP_OK, "%s: %s", label, err.message);
    cr_assert_eq(sip_netsim_run(net, &general, &b, &err), SIP_OK, "%s: %s", label, err.message);
    cr_log_info("%s: %d/%d fast routers, %s, %lld packets, latency %.4f, accepted %.4f, %lld cycles, "
                "%lld flit errors", label, n_fast, net->n_routers, sip_netsim_run_status_name(a.status),
                (long long)a.packet.count, a.packet.mean, a.accepted, (long long)a.cycles, (long long)a.flit_errors);
    /* the runs must have carried traffic, or equality says nothing */
    cr_assert_gt(a.packet.count, 0, "%s: no packets measured", label);

    cr_assert_eq(a.status, b.status, "%s: status fast %s vs general %s", label, sip_netsim_run_status_name(a.status),
                 sip_netsim_run_status_name(b.status));
    same_double(label, "offered", a.offered, b.offered);
    same_double(label, "injected", a.injected, b.injected);
    same_double(label, "accepted", a.accepted, b.accepted);
    same_latency(label, "packet", &a.packet, &b.packet);
    same_latency(label, "network", &a.network, &b.network);
    same_double(label, "flit_latency_mean", a.flit_latency_mean, b.flit_latency_mean);
    same_double(label, "hops_mean", a.hops_mean, b.hops_mean);
    cr_assert_eq(a.cycles, b.cycles, "%s: cycles %lld vs %lld", label, (long long)a.cycles, (long long)b.cycles);
    cr_assert_eq(a.measure_cycles, b.measure_cycles, "%s: measure_cycles %lld vs %lld", label,
                 (long long)a.measure_cycles, (long long)b.measure_cycles);
    cr_assert_eq(a.flit_errors, b.flit_errors, "%s: flit_errors %lld vs %lld", label, (long long)a.flit_errors,
                 (long long)b.flit_errors);
    cr_assert_eq(a.replayed_flits, b.replayed_flits, "%s: replayed_flits %lld vs %lld", label,
                 (long long)a.replayed_flits, (long long)b.replayed_flits);
    cr_assert_eq(a.n_channels, b.n_channels, "%s: n_channels", label);
    for (int c = 0; c < a.n_channels; c++) {
        char f[64];
        snprintf(f, sizeof f, "channel_utilization[%d]", c);
        same_double(label, f, a.channel_utilization[c], b.channel_utilization[c]);
    }
    sip_netsim_result_fini(&a);
    sip_netsim_result_fini(&b);
}

/* Short statistics: one warm-up period and at most 3 samples of `period` cycles. */
static sip_netsim_config_t short_cfg(double rate, int packet_size, int period)
{
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    cfg.injection_rate = rate;
    cfg.packet_size = packet_size;
    cfg.warmup_periods = 1;
    cfg.sample_period = period;
    cfg.max_samples = 3;
    cfg.seed = 11;
    return cfg;
}

static sip_netsim_net_t *mesh(int k)
{
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_netsim_net_mesh(k, &net, &err), SIP_OK, "%s", err.message);
    return net;
}

/* BookSim2 saturates the 4x4 mesh at 0.73 (P = 1) / 0.70 (P = 4), the 8x8 at 0.40, 8x8 transpose
 * at 0.14 and the chiplet star at 0.22 flits/node/cycle (shared/peers/booksim/results.md): the
 * high loads below sit near or past saturation, where buffers fill, credits run out and the
 * allocators see the most conflicts; past it the run aborts as unstable. */
Test(netsim_fastpath, mesh4x4_uniform_low_and_high_load)
{
    sip_netsim_net_t *net = mesh(4);
    sip_netsim_config_t cfg = short_cfg(0.05, 1, 500);
    check_same("4x4 uniform 0.05", net, &cfg, 16);
    cfg = short_cfg(0.7, 1, 500);
    check_same("4x4 uniform 0.7", net, &cfg, 16);
    cfg = short_cfg(0.9, 1, 300);
    check_same("4x4 uniform 0.9", net, &cfg, 16);
    sip_netsim_net_destroy(net);
}

Test(netsim_fastpath, mesh8x8_uniform_low_and_high_load)
{
    sip_netsim_net_t *net = mesh(8);
    sip_netsim_config_t cfg = short_cfg(0.05, 1, 300);
    check_same("8x8 uniform 0.05", net, &cfg, 64);
    cfg = short_cfg(0.38, 1, 300);
    check_same("8x8 uniform 0.38", net, &cfg, 64);
    cfg = short_cfg(0.5, 1, 300);
    check_same("8x8 uniform 0.5", net, &cfg, 64);
    sip_netsim_net_destroy(net);
}

Test(netsim_fastpath, mesh8x8_transpose)
{
    sip_netsim_net_t *net = mesh(8);
    sip_netsim_config_t cfg = short_cfg(0.1, 1, 300);
    cfg.pattern = SIP_NETSIM_TRANSPOSE;
    check_same("8x8 transpose 0.1", net, &cfg, 64);
    cfg.injection_rate = 0.2;
    check_same("8x8 transpose 0.2", net, &cfg, 64);
    sip_netsim_net_destroy(net);
}

/* Multi-flit packets: body and tail flits follow the head's VC, tails release output VCs. */
Test(netsim_fastpath, mesh4x4_four_flit_packets)
{
    sip_netsim_net_t *net = mesh(4);
    sip_netsim_config_t cfg = short_cfg(0.1, 4, 500);
    check_same("4x4 uniform P=4 0.1", net, &cfg, 16);
    cfg = short_cfg(0.68, 4, 500);
    check_same("4x4 uniform P=4 0.68", net, &cfg, 16);
    sip_netsim_net_destroy(net);
}

/* Router options the fast path keeps: more VCs with shallow buffers (8 x 5 ports = 40 VCs),
 * two iSLIP iterations, wait_for_tail_credit, no source queueing in the latency. */
Test(netsim_fastpath, router_options_inside_the_fast_path)
{
    sip_netsim_net_t *net = mesh(4);
    sip_netsim_config_t cfg = short_cfg(0.4, 4, 500);
    cfg.num_vcs = 8;
    cfg.vc_buf_size = 2;
    check_same("4x4 P=4 8 VCs x 2 flits", net, &cfg, 16);
    cfg = short_cfg(0.4, 4, 500);
    cfg.alloc_iters = 2;
    cfg.wait_for_tail_credit = true;
    cfg.include_queuing = false;
    check_same("4x4 P=4 iSLIP x2, wait_for_tail_credit", net, &cfg, 16);
    cfg = short_cfg(0.3, 1, 500);
    cfg.pattern = SIP_NETSIM_HOTSPOT;
    cfg.n_hotspots = 2;
    cfg.hotspots[0] = 5;
    cfg.hotspots[1] = 10;
    cfg.hotspot_weights[0] = 3;
    cfg.hotspot_weights[1] = 1;
    check_same("4x4 hotspot {5,10} {3,1}", net, &cfg, 16);
    sip_netsim_net_destroy(net);
}

/* The BookSim2 chiplet star (anynet, endpoints first, 4-cycle links to the I/O die). */
Test(netsim_fastpath, booksim_chiplet_star)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/netsim/chiplet_star.cfg", root());
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_netsim_booksim_read(path, &cfg, &net, &err), SIP_OK, "%s:%d: %s", err.path, err.line,
                 err.message);
    sip_netsim_config_t c = short_cfg(0.1, 4, 500);
    c.num_vcs = cfg.num_vcs;
    c.vc_buf_size = cfg.vc_buf_size;
    check_same("chiplet_star P=4 0.1", net, &c, 5);
    c.injection_rate = 0.21;
    check_same("chiplet_star P=4 0.21", net, &c, 5);
    c.injection_rate = 0.3;
    check_same("chiplet_star P=4 0.3", net, &c, 5);
    sip_netsim_net_destroy(net);
}

/* Fast and general routers side by side: the channels of router 5 carry 2 flits per cycle, which
 * keeps it and its four neighbours on the general path; flits and credits cross between the two
 * kinds of router. */
Test(netsim_fastpath, mixed_fast_and_general_routers)
{
    sip_netsim_net_t *net = mesh(4);
    for (int c = 0; c < net->n_channels; c++)
        if (net->channels[c].from_router == 5 || net->channels[c].to_router == 5)
            net->channels[c].width_flits = 2;
    sip_netsim_config_t cfg = short_cfg(0.6, 4, 500);
    cr_assert_eq(fast_routers(net, &cfg), 11);
    check_same("4x4 P=4 0.6, router 5 wide", net, &cfg, 11);
    cfg = short_cfg(0.8, 1, 300);
    check_same("4x4 P=1 0.8, router 5 wide", net, &cfg, 11);
    sip_netsim_net_destroy(net);
}

/* UCIe flit errors with go-back-N replay on every mesh channel (2-cycle links). */
Test(netsim_fastpath, lossy_links_replay)
{
    sip_netsim_net_t *net = mesh(4);
    for (int c = 0; c < net->n_channels; c++) {
        net->channels[c].latency_cycles = 2;
        net->channels[c].flit_error_prob = 0.01;
    }
    sip_netsim_config_t cfg = short_cfg(0.3, 4, 500);
    check_same("4x4 lossy 1e-2 P=4 0.3", net, &cfg, 16);
    sip_netsim_net_destroy(net);
}

/* Shipped packages as `sipsim netsim FILE` builds them: UCIe link latencies, fractional link
 * rates (token bucket), anynet port order.  A router with a link carrying more than one flit per
 * cycle stays on the general path, so the default 32-byte flits leave no fast router in these
 * packages; larger flits (UCIe's 256B flit mode, or 64 / 128 B) make the links 1-flit channels.
 * Their flit error probabilities (about 1e-12 from the raw BER) give no errors in runs this
 * short: lossy_links_replay covers replay. */
static void check_package(const char *rel, int flit_bytes, double rate, int min_fast)
{
    sip_package_t *pkg = test_load_package(rel);
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_netsim_net_from_package(pkg, 0, 1.0, flit_bytes, &net, &err), SIP_OK, "%s: %s", rel,
                 err.message);
    sip_package_destroy(pkg);
    char label[256];
    snprintf(label, sizeof label, "%s (%d B flits) %.2f", rel, flit_bytes, rate);
    sip_netsim_config_t cfg = short_cfg(rate, 4, 500);
    check_same(label, net, &cfg, min_fast);
    sip_netsim_net_destroy(net);
}

Test(netsim_fastpath, shipped_default_package)
{
    check_package("topologies/default.cfg", 256, 0.05, 5);
    check_package("topologies/default.cfg", 256, 0.3, 5);
}

Test(netsim_fastpath, shipped_star_package)
{
    check_package("topologies/star.cfg", 128, 0.3, 9);
    check_package("topologies/star.cfg", 256, 0.3, 9);
}

/* More shipped packages: 13 routers, and with 128-byte flits a hub whose wide links keep 5 of its
 * 6 routers on the general path beside one fast router. */
Test(netsim_fastpath, shipped_epyc_like_and_mixed_switch_hub)
{
    check_package("topologies/epyc_like.cfg", 64, 0.3, 13);
    check_package("topologies/switch_hub.cfg", 128, 0.3, 1);
}

/* The option as users set it: the config key, and `sipsim netsim --set force_general_router=1`
 * printing the very same JSON as without it. */
Test(netsim_fastpath, option_is_a_config_key)
{
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    cr_assert(!cfg.force_general_router);
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_netsim_config_set(&cfg, "force_general_router", "1", &err), SIP_OK, "%s", err.message);
    cr_assert(cfg.force_general_router);
    cr_assert_eq(sip_netsim_config_set(&cfg, "force_general_router", "0", &err), SIP_OK, "%s", err.message);
    cr_assert(!cfg.force_general_router);
    cr_assert_eq(sip_netsim_config_set(&cfg, "force_general_router", "2", &err), SIP_EINVAL);
}

Test(netsim_fastpath, cli_set_flag_same_json, .timeout = 120)
{
    const char *args = "netsim --mesh 4 --rate 0.4 -p 4 --seed 3 --set warmup_periods=1 --set sample_period=400 "
                       "--set max_samples=3 --json";
    char with_flag[512];
    snprintf(with_flag, sizeof with_flag, "%s --set force_general_router=1", args);
    int st_a = -1, st_b = -1;
    char *a = cli_run(NULL, args, &st_a);
    char *b = cli_run(NULL, with_flag, &st_b);
    cr_assert_eq(st_a, 0);
    cr_assert_eq(st_b, 0);
    cr_assert_not_null(strstr(a, "\"channels\""), "unexpected output: %s", a);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    int st_c = -1;
    char *c = cli_run(NULL, "netsim --mesh 2 --rate 0.1 --set force_general_router=yes --json", &st_c);
    cr_assert_neq(st_c, 0, "a bad flag value is refused");
    free(c);
}
