/* Demand matrices: flows between endpoints in GB/s, sorted by (src, dst).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sip_demand_destroy(sip_demand_matrix_t *demand)
{
    if (!demand)
        return;
    free(demand->flows);
    free(demand);
}

sip_status_t sip__demand_push(sip_demand_matrix_t *d, int src, int dst, double GBps, sip_error_t *err)
{
    if (src < 0 || src >= d->n_endpoints || dst < 0 || dst >= d->n_endpoints)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "demand: flow %d->%d (expected endpoints 0..%d)",
                             src, dst, d->n_endpoints - 1);
    if (!(GBps >= 0.0) || !isfinite(GBps))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "demand: flow %d->%d of %g GB/s (expected >= 0)",
                             src, dst, GBps);
    if (d->n_flows >= d->cap_flows) {
        int nc = d->cap_flows ? d->cap_flows * 2 : 64;
        void *p = realloc(d->flows, (size_t)nc * sizeof *d->flows);
        if (!p)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "demand: out of memory");
        d->flows = p;
        d->cap_flows = nc;
    }
    d->flows[d->n_flows++] = (sip_flow_t){src, dst, GBps};
    return SIP_OK;
}

static int flow_cmp(const void *a, const void *b)
{
    const sip_flow_t *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return (x->dst > y->dst) - (x->dst < y->dst);
}

void sip__demand_normalize(sip_demand_matrix_t *d)
{
    bool sorted = true;
    for (int i = 1; i < d->n_flows && sorted; i++)
        sorted = flow_cmp(&d->flows[i - 1], &d->flows[i]) < 0;
    if (!sorted && d->n_flows > 1)
        qsort(d->flows, (size_t)d->n_flows, sizeof *d->flows, flow_cmp);
    int out = 0;
    for (int i = 0; i < d->n_flows; i++) {
        if (out > 0 && flow_cmp(&d->flows[out - 1], &d->flows[i]) == 0)
            d->flows[out - 1].GBps += d->flows[i].GBps;
        else
            d->flows[out++] = d->flows[i];
    }
    d->n_flows = out;
}

sip_status_t sip_demand_add(sip_demand_matrix_t *demand, int src, int dst, double GBps, sip_error_t *err)
{
    SIP_TRY(sip__demand_push(demand, src, dst, GBps, err));
    /* Binary-search the slot of the new flow among the sorted ones and merge or move it there. */
    sip_flow_t f = demand->flows[--demand->n_flows];
    int lo = 0, hi = demand->n_flows;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (flow_cmp(&demand->flows[mid], &f) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < demand->n_flows && flow_cmp(&demand->flows[lo], &f) == 0) {
        demand->flows[lo].GBps += f.GBps;
        return SIP_OK;
    }
    memmove(demand->flows + lo + 1, demand->flows + lo,
            (size_t)(demand->n_flows - lo) * sizeof *demand->flows);
    demand->flows[lo] = f;
    demand->n_flows++;
    return SIP_OK;
}

void sip_pattern_params_init(sip_pattern_params_t *params)
{
    memset(params, 0, sizeof *params);
    params->load = 0.1;
}

sip_status_t sip_demand_build(const sip_network_t *net, const char *pattern,
                              const sip_pattern_params_t *params, sip_demand_matrix_t **out,
                              sip_error_t *err)
{
    *out = NULL;
    const sip_pattern_ops_t *ops = sip_pattern_find(pattern && pattern[0] ? pattern : "uniform");
    if (!ops) {
        char names[256] = "";
        for (int i = 0; i < sip_pattern_count(); i++) {
            size_t len = strlen(names);
            snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", sip_pattern_get(i)->name);
        }
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "traffic: unknown pattern '%s' (expected one of %s)",
                             pattern, names);
    }
    if (!(params->load >= 0.0) || !isfinite(params->load))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "traffic: load %g (expected >= 0)", params->load);
    if (params->n_hotspots < 0 || params->n_hotspots > SIP_TRAFFIC_MAX_HOTSPOTS)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "traffic: %d hotspots (expected 0..%d)",
                             params->n_hotspots, SIP_TRAFFIC_MAX_HOTSPOTS);
    if (net->n_endpoints < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "traffic: network %s has no endpoints",
                             net->name);
    sip_demand_matrix_t *d = calloc(1, sizeof *d);
    if (!d)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "demand: out of memory");
    d->n_endpoints = net->n_endpoints;
    d->load = params->load;
    d->load_in_GBps = params->load_in_GBps;
    sip_status_t st = ops->build(net, params, d, err);
    if (st != SIP_OK) {
        sip_demand_destroy(d);
        return st;
    }
    sip__demand_normalize(d);
    *out = d;
    return SIP_OK;
}
