/* netsim statistics: what the measurement window records and how it becomes a result.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIP_NETSIM_STATS_H
#define SIP_NETSIM_STATS_H

#include <stdint.h>

#include "sipsim/netsim.h"

/* Latency histogram, one bin per cycle (quantiles exact), grown on demand. */
typedef struct {
    int64_t *count;
    int32_t cap;
    int64_t n;
    double sum;
    int32_t max;
} hist_t;

typedef struct {
    hist_t plat, nlat;        /* packet (creation -> tail ejection) and network latency, cycles */
    double flat_sum;          /* flit latency: injection -> ejection, every flit */
    int64_t flat_n;
    int64_t hops_sum, hops_n; /* routers per recorded packet */
    int64_t sent_flits, accepted_flits; /* by endpoints in the window */
} stats_t;

/* Start a new window (BookSim2's _ClearStats). */
void sip__netsim_stats_clear(stats_t *st);
/* Record one packet at its tail; -1 when out of memory. */
int sip__netsim_stats_packet(stats_t *st, int32_t packet_cycles, int32_t network_cycles, int hops);
/* injected, accepted (flits/node/cycle over `window` cycles), latencies and hops of res. */
void sip__netsim_stats_fill(const stats_t *st, double window, int n_nodes, sip_netsim_result_t *res);
void sip__netsim_stats_fini(stats_t *st);

#endif
