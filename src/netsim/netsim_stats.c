/* netsim statistics (netsim_stats.h): latency histograms with exact quantiles, BookSim2's
 * per-packet counters (trafficmanager.cpp _RetireFlit and _UpdateStats) and their summary in
 * sip_netsim_result_t.  SPDX-License-Identifier: GPL-3.0-or-later */
#include "netsim_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int hist_add(hist_t *h, int32_t v)
{
    if (v < 0)
        v = 0;
    if (v >= h->cap) {
        int32_t nc = h->cap ? h->cap : 256;
        while (nc <= v)
            nc *= 2;
        int64_t *c = realloc(h->count, (size_t)nc * sizeof *c);
        if (!c)
            return -1;
        memset(c + h->cap, 0, (size_t)(nc - h->cap) * sizeof *c);
        h->count = c;
        h->cap = nc;
    }
    h->count[v]++;
    h->n++;
    h->sum += v;
    if (v > h->max)
        h->max = v;
    return 0;
}

static void hist_clear(hist_t *h)
{
    if (h->count)
        memset(h->count, 0, (size_t)h->cap * sizeof *h->count);
    h->n = 0;
    h->sum = 0;
    h->max = 0;
}

static double hist_quantile(const hist_t *h, double q)
{
    if (h->n == 0)
        return NAN;
    int64_t need = (int64_t)ceil(q * (double)h->n);
    if (need < 1)
        need = 1;
    int64_t acc = 0;
    for (int32_t v = 0; v < h->cap; v++) {
        acc += h->count[v];
        if (acc >= need)
            return v;
    }
    return h->max;
}

static void hist_fill(const hist_t *h, sip_netsim_latency_t *out)
{
    out->count = h->n;
    out->mean = h->n ? h->sum / (double)h->n : NAN;
    out->p50 = hist_quantile(h, 0.5);
    out->p99 = hist_quantile(h, 0.99);
    out->max = h->n ? h->max : NAN;
}

void sip__netsim_stats_clear(stats_t *st)
{
    hist_clear(&st->plat);
    hist_clear(&st->nlat);
    st->flat_sum = 0;
    st->flat_n = 0;
    st->hops_sum = st->hops_n = 0;
    st->sent_flits = st->accepted_flits = 0;
}

int sip__netsim_stats_packet(stats_t *st, int32_t packet_cycles, int32_t network_cycles, int hops)
{
    st->hops_sum += hops;
    st->hops_n++;
    return hist_add(&st->plat, packet_cycles) || hist_add(&st->nlat, network_cycles) ? -1 : 0;
}

void sip__netsim_stats_fill(const stats_t *st, double window, int n_nodes, sip_netsim_result_t *res)
{
    res->injected = window > 0 ? (double)st->sent_flits / window / n_nodes : 0.0;
    res->accepted = window > 0 ? (double)st->accepted_flits / window / n_nodes : 0.0;
    hist_fill(&st->plat, &res->packet);
    hist_fill(&st->nlat, &res->network);
    res->flit_latency_mean = st->flat_n ? st->flat_sum / (double)st->flat_n : NAN;
    res->hops_mean = st->hops_n ? (double)st->hops_sum / (double)st->hops_n : NAN;
}

void sip__netsim_stats_fini(stats_t *st)
{
    free(st->plat.count);
    free(st->nlat.count);
}

void sip_netsim_result_fini(sip_netsim_result_t *res)
{
    if (!res)
        return;
    free(res->channel_utilization);
    res->channel_utilization = NULL;
    res->n_channels = 0;
}
