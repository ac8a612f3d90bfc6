/* libFuzzer harness: BookSim2 inputs -> netsim.  The input holds a BookSim2 config and an
 * anynet file separated by a line "%%" (the config names the anynet file `net.anynet`).  Both
 * are read as `sipsim netsim` reads them; small networks are then simulated briefly, twice, and
 * the two results must be identical (same seed, same numbers).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"

/* Bounds that keep one execution in milliseconds; what they cut is run length, not code paths. */
#define FUZZ_MAX_ROUTERS 32
#define FUZZ_MAX_NODES 64

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void simulate(const sip_netsim_net_t *net, sip_netsim_config_t *cfg)
{
    if (net->n_routers > FUZZ_MAX_ROUTERS || net->n_nodes > FUZZ_MAX_NODES)
        return;
    cfg->warmup_periods = clamp_int(cfg->warmup_periods, 0, 1);
    cfg->sample_period = clamp_int(cfg->sample_period, 1, 100);
    cfg->max_samples = clamp_int(cfg->max_samples, 1, 3);
    cfg->packet_size = clamp_int(cfg->packet_size, 1, 8);
    cfg->num_vcs = clamp_int(cfg->num_vcs, 1, 8);
    cfg->vc_buf_size = clamp_int(cfg->vc_buf_size, 1, 16);
    if (cfg->max_drain_cycles <= 0 || cfg->max_drain_cycles > 2000)
        cfg->max_drain_cycles = 2000;
    sip_netsim_result_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    sip_error_t err;
    sip_status_t st = sip_netsim_run(net, cfg, &a, &err);
    fuzz_expect_error(st, &err, "sip_netsim_run");
    if (st == SIP_OK) {
        sip_status_t st2 = sip_netsim_run(net, cfg, &b, &err);
        FUZZ_CHECK(st2 == SIP_OK, "second run failed");
        /* Determinism: the RNG lives in the run, so the same input gives the same numbers. */
        FUZZ_CHECK(a.status == b.status && a.cycles == b.cycles &&
                       a.packet.count == b.packet.count &&
                       memcmp(&a.accepted, &b.accepted, sizeof a.accepted) == 0 &&
                       memcmp(&a.packet.mean, &b.packet.mean, sizeof a.packet.mean) == 0,
                   "run 1: %lld cycles accepted %.17g; run 2: %lld cycles accepted %.17g",
                   (long long)a.cycles, a.accepted, (long long)b.cycles, b.accepted);
        FUZZ_CHECK(!(a.accepted < 0) && !(a.injected < 0), "accepted %g injected %g", a.accepted,
                   a.injected);
        for (int c = 0; c < a.n_channels; c++)
            FUZZ_CHECK(!(a.channel_utilization[c] < 0) && !(a.channel_utilization[c] > 1.0 + 1e-9),
                       "channel %d utilization %g", c, a.channel_utilization[c]);
    }
    sip_netsim_result_fini(&a);
    sip_netsim_result_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1;
    char *text = fuzz_text(data, size);
    if (fuzz_names_special_file(text)) {
        free(text);
        return -1;
    }
    char *parts[2];
    int n = fuzz_split(text, parts, 2);
    const char *dir = fuzz_scratch_dir();
    char cfg_path[512], net_path[512];
    snprintf(cfg_path, sizeof cfg_path, "%s/booksim.cfg", dir);
    snprintf(net_path, sizeof net_path, "%s/net.anynet", dir);
    fuzz_write_file(cfg_path, parts[0], strlen(parts[0]));
    const char *anynet = n > 1 ? parts[1] : "";
    fuzz_write_file(net_path, anynet, strlen(anynet));

    sip_error_t err;
    sip_netsim_net_t *net = NULL;
    sip_status_t st = sip_netsim_net_read_anynet(net_path, &net, &err);
    fuzz_expect_error(st, &err, "sip_netsim_net_read_anynet");
    sip_netsim_net_destroy(net);
    net = NULL;

    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    st = sip_netsim_booksim_read(cfg_path, &cfg, &net, &err);
    fuzz_expect_error(st, &err, "sip_netsim_booksim_read");
    if (st == SIP_OK && net)
        simulate(net, &cfg);
    sip_netsim_net_destroy(net);
    free(text);
    return 0;
}
