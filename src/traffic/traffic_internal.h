/* Internals shared by the files of src/traffic (not installed).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TRAFFIC_INTERNAL_H
#define SIPSIM_TRAFFIC_INTERNAL_H

#include <stdio.h>

#include "sipsim/traffic.h"

/* Out-channels per node in compressed rows, each row sorted by (to node, channel index) so a
 * scan meets candidates in the deterministic tie-break order (lowest next-hop node id). */
typedef struct {
    int *first;    /* n_nodes + 1: out-channels of u are chan[first[u] .. first[u+1]) */
    int *chan;     /* n_channels */
    int *in_first; /* the same for in-channels, sorted by (from node, channel index) */
    int *in_chan;
} sip__adjacency_t;

sip_status_t sip__adjacency_build(const sip_network_t *net, sip__adjacency_t *adj, sip_error_t *err);
void sip__adjacency_fini(sip__adjacency_t *adj);

/* Head-flit cost of taking channel c: its latency plus the receiving router's pipeline. */
static inline double sip__channel_cost_ns(const sip_network_t *net, int c)
{
    return net->channels[c].latency_ns + net->nodes[net->channels[c].to].router_delay_ns;
}

/* Sort flows by (src, dst) and merge duplicates.  Zero-rate flows stay: at load 0 they
 * still carry the pattern's shape (averages then weight flows equally). */
void sip__demand_normalize(sip_demand_matrix_t *d);
/* Append without keeping the order (call sip__demand_normalize afterwards). */
sip_status_t sip__demand_push(sip_demand_matrix_t *d, int src, int dst, double GBps, sip_error_t *err);

/* Injection rate of endpoint e under params, GB/s. */
static inline double sip__source_GBps(const sip_network_t *net, const sip_pattern_params_t *p, int e)
{
    return p->load_in_GBps ? p->load : p->load * net->endpoints[e].inject_GBps;
}

#endif
