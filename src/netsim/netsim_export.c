/* netsim: BookSim2 export — an anynet network file and a config with every timing parameter,
 * in the form shared/peers/booksim/configs uses (no comments in the anynet file: BookSim2's
 * parser asserts on them, anynet.cpp:374-419).  SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netsim_alloc.h"
#include "netsim_internal.h"

static const char *alloc_name(sip_netsim_alloc_t a)
{
    const sip__netsim_alloc_ops_t *ops = sip__netsim_alloc_ops(a);
    return ops ? ops->name : "islip";
}

sip_status_t sip_netsim_export_booksim(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                                       const char *dir, const char *stem, sip_error_t *err)
{
    char path[2 * SIP_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.anynet", dir, stem);
    FILE *f = fopen(path, "w");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot write: %s", strerror(errno));
    bool wide = false, lossy = false;
    for (int r = 0; r < net->n_routers; r++) {
        fprintf(f, "router %d", r);
        for (int n = 0; n < net->n_nodes; n++)
            if (net->node_router[n] == r) {
                fprintf(f, " node %d", n);
                if (net->node_latency_cycles[n] != 1)
                    fprintf(f, " %d", net->node_latency_cycles[n]);
            }
        /* each line gives this router's outgoing latencies; the reverse direction is given by the
         * other router's line (BookSim2 latencies are per direction) */
        for (int c = 0; c < net->n_channels; c++) {
            const sip_netsim_channel_t *ch = &net->channels[c];
            if (ch->from_router != r)
                continue;
            bool dup = false;
            for (int e = 0; e < c; e++)
                if (net->channels[e].from_router == r && net->channels[e].to_router == ch->to_router)
                    dup = true;
            if (dup)
                continue;
            fprintf(f, " router %d %d", ch->to_router, ch->latency_cycles);
            wide |= ch->width_flits > 1 || ch->rate_flits > 0.0;
            lossy |= ch->flit_error_prob > 0;
        }
        fprintf(f, "\n");
    }
    if (fclose(f) != 0)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot write: %s", strerror(errno));

    snprintf(path, sizeof path, "%s/%s.cfg", dir, stem);
    f = fopen(path, "w");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot write: %s", strerror(errno));
    fprintf(f, "// BookSim2 config written by sipsim netsim for %s (%d routers, %d nodes, %d channels).\n"
               "// Run: booksim %s.cfg  (from this folder, so network_file resolves)\n",
            net->name, net->n_routers, net->n_nodes, net->n_channels, stem);
    if (wide)
        fprintf(f, "// NOTE: some channels carry more than one flit per cycle in sipsim; anynet channels\n"
                   "// carry one, so BookSim2 will saturate earlier on those links.\n");
    if (lossy)
        fprintf(f, "// NOTE: sipsim models UCIe flit errors with go-back-N replay; BookSim2 has no link errors.\n");
    fprintf(f, "// Node ids: router r holds the nodes listed on its line in %s.anynet.\n\n", stem);
    fprintf(f, "topology = anynet;\nnetwork_file = %s.anynet;\nrouting_function = min;\n\n", stem);
    fprintf(f, "router = iq;\nnum_vcs = %d;\nvc_buf_size = %d;\nbuf_size = -1;\nbuffer_policy = private;\n"
               "wait_for_tail_credit = %d;\nvc_busy_when_full = 0;\nvc_prioritize_empty = 0;\n"
               "hold_switch_for_packet = 0;\nrouting_delay = %d;\nvc_alloc_delay = %d;\nsw_alloc_delay = %d;\n"
               "speculative = %d;\nst_prepare_delay = 0;\nst_final_delay = %d;\ncredit_delay = %d;\n"
               "vc_allocator = %s;\nsw_allocator = %s;\nalloc_iters = %d;\narb_type = round_robin;\n"
               "input_speedup = 1;\noutput_speedup = 1;\ninternal_speedup = 1.0;\noutput_buffer_size = -1;\n"
               "noq = 0;\n\n",
            cfg->num_vcs, cfg->vc_buf_size, cfg->wait_for_tail_credit ? 1 : 0, cfg->routing_delay,
            cfg->vc_alloc_delay, cfg->sw_alloc_delay, cfg->speculative ? 1 : 0, cfg->st_final_delay,
            cfg->credit_delay, alloc_name(cfg->vc_allocator), alloc_name(cfg->sw_allocator), cfg->alloc_iters);
    if (cfg->pattern == SIP_NETSIM_HOTSPOT) {
        fprintf(f, "traffic = hotspot({{");
        for (int i = 0; i < cfg->n_hotspots; i++)
            fprintf(f, "%s%d", i ? "," : "", cfg->hotspots[i]);
        fprintf(f, "},{");
        for (int i = 0; i < cfg->n_hotspots; i++)
            fprintf(f, "%s%d", i ? "," : "", cfg->hotspot_weights[i]);
        fprintf(f, "}});\n");
    } else {
        fprintf(f, "traffic = %s;\n", sip_netsim_pattern_name(cfg->pattern));
    }
    fprintf(f, "injection_process = bernoulli;\ninjection_rate = %.6f;\ninjection_rate_uses_flits = 1;\n"
               "packet_size = %d;\nclasses = 1;\nuse_read_write = 0;\npriority = none;\ninclude_queuing = %d;\n\n",
            cfg->injection_rate, cfg->packet_size, cfg->include_queuing ? 1 : 0);
    fprintf(f, "sim_type = latency;\nseed = %llu;\nwarmup_periods = %d;\nsample_period = %d;\nmax_samples = %d;\n"
               "latency_thres = %.6f;\nstopping_thres = %.6f;\nacc_stopping_thres = %.6f;\nsim_count = 1;\n",
            (unsigned long long)cfg->seed, cfg->warmup_periods, cfg->sample_period, cfg->max_samples,
            cfg->latency_thres, cfg->stopping_thres, cfg->acc_stopping_thres);
    if (fclose(f) != 0)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot write: %s", strerror(errno));
    return SIP_OK;
}
