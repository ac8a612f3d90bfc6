/* Analytic evaluation of a demand on routed network: loads per channel direction and port,
 * saturation (channel-load bound), zero-load latency, a queueing estimate, D2D energy.
 *
 * Saturation: every load is linear in the demand, so the largest uniform scale with no port
 * above 100 % is 1 / max utilization; this is the channel-load bound of Dally & Towles,
 * "Principles and Practices of Interconnection Networks" §3.3.1, which counts injection and
 * ejection channels too (as peers/booksim results.md "Ideal λ" does).
 *
 * Queueing (below saturation): M/D/1 at every port on the path, independently (Kleinrock's
 * independence approximation): packets arrive as a Poisson stream and each occupies the port
 * for S = packet_bytes / capacity, so the mean wait is W = rho S / (2 (1 - rho)).  This
 * ignores router allocation losses and finite buffers; it therefore underestimates latency
 * near saturation, where BookSim's input-queued routers saturate at 70-98 % of the bound
 * (peers/booksim results.md "Sanity checks").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sip_traffic_result_destroy(sip_traffic_result_t *res)
{
    if (!res)
        return;
    free(res->channel_GBps); /* one block holds every double array */
    free(res->bottlenecks);
    free(res);
}

static inline double md1_wait_ns(double rho, double service_ns)
{
    if (rho <= 0.0)
        return 0.0;
    if (rho >= 1.0)
        return INFINITY;
    return rho * service_ns / (2.0 * (1.0 - rho));
}

static double packet_bytes_of(const sip_network_t *net, const sip_traffic_options_t *opts)
{
    return opts && opts->packet_bytes > 0.0 ? opts->packet_bytes : net->flit_bytes;
}

/* Zero-load and loaded latency of one flow, weighted over its paths; hops likewise.
 * Utilizations are multiplied by scale (curves); a NULL util array means zero load. */
static void flow_latency(const sip_network_t *net, const sip_routes_t *routes, const sip_flow_t *f,
                         double packet_bytes, const sip_traffic_result_t *res, double scale,
                         double *t0_out, double *lat_out, double *hops_out)
{
    const sip_endpoint_t *es = &net->endpoints[f->src], *ed = &net->endpoints[f->dst];
    const int u = es->node, v = ed->node;
    const int pair = sip_routes_pair(routes, u, v);
    const double tail_bytes = packet_bytes > net->flit_bytes ? packet_bytes - net->flit_bytes : 0.0;
    double w_inj = 0.0, w_ej = 0.0;
    if (res) {
        w_inj = md1_wait_ns(res->inject_util[f->src] * scale, packet_bytes / es->inject_GBps);
        w_ej = md1_wait_ns(res->eject_util[f->dst] * scale, packet_bytes / ed->eject_GBps);
    }
    double t0 = 0.0, lat = 0.0, hops = 0.0;
    for (int p = routes->pair_first[pair]; p < routes->pair_first[pair + 1]; p++) {
        const sip_path_t *path = &routes->paths[p];
        double head = es->inject_latency_ns + net->nodes[u].router_delay_ns + ed->eject_latency_ns;
        double min_bw = es->inject_GBps < ed->eject_GBps ? es->inject_GBps : ed->eject_GBps;
        double wait = w_inj + w_ej;
        for (int h = 0; h < path->n_hops; h++) {
            int c = routes->hops[path->first_hop + h];
            const sip_channel_t *ch = &net->channels[c];
            head += ch->latency_ns + net->nodes[ch->to].router_delay_ns;
            if (ch->capacity_GBps < min_bw)
                min_bw = ch->capacity_GBps;
            if (res)
                wait += md1_wait_ns(res->channel_util[c] * scale, packet_bytes / ch->capacity_GBps);
        }
        double path_t0 = head + tail_bytes / min_bw;
        t0 += path->weight * path_t0;
        lat += path->weight * (path_t0 + wait);
        hops += path->weight * path->n_hops;
    }
    *t0_out = t0;
    *lat_out = lat;
    *hops_out = hops;
}

static sip_status_t check_inputs(const sip_network_t *net, const sip_routes_t *routes,
                                 const sip_demand_matrix_t *demand, sip_error_t *err)
{
    if (routes->n_nodes != net->n_nodes)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "traffic: routes for %d nodes on a network of %d (expected the same)",
                             routes->n_nodes, net->n_nodes);
    if (demand->n_endpoints != net->n_endpoints)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "traffic: demand over %d endpoints on a network of %d (expected the same)",
                             demand->n_endpoints, net->n_endpoints);
    return SIP_OK;
}

sip_status_t sip_traffic_evaluate(const sip_network_t *net, const sip_routes_t *routes,
                                  const sip_demand_matrix_t *demand,
                                  const sip_traffic_options_t *opts, sip_traffic_result_t **out,
                                  sip_error_t *err)
{
    *out = NULL;
    SIP_TRY(check_inputs(net, routes, demand, err));
    const int nc = net->n_channels, ne = net->n_endpoints, nf = demand->n_flows;
    sip_traffic_result_t *res = calloc(1, sizeof *res);
    double *block = calloc((size_t)(2 * nc + 4 * ne + 3 * nf + 1), sizeof *block);
    if (!res || !block) {
        free(res);
        free(block);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "traffic: out of memory");
    }
    res->n_channels = nc;
    res->n_endpoints = ne;
    res->n_flows = nf;
    res->channel_GBps = block;
    res->channel_util = block + nc;
    res->inject_GBps = block + 2 * nc;
    res->eject_GBps = res->inject_GBps + ne;
    res->inject_util = res->eject_GBps + ne;
    res->eject_util = res->inject_util + ne;
    res->flow_hops = res->eject_util + ne;
    res->flow_zero_load_ns = res->flow_hops + nf;
    res->flow_latency_ns = res->flow_zero_load_ns + nf;

    /* Pass 1: loads. */
    for (int i = 0; i < nf; i++) {
        const sip_flow_t *f = &demand->flows[i];
        res->inject_GBps[f->src] += f->GBps;
        res->eject_GBps[f->dst] += f->GBps;
        res->injected_GBps += f->GBps;
        res->ejected_GBps += f->GBps;
        int pair = sip_routes_pair(routes, net->endpoints[f->src].node, net->endpoints[f->dst].node);
        for (int p = routes->pair_first[pair]; p < routes->pair_first[pair + 1]; p++) {
            const sip_path_t *path = &routes->paths[p];
            double g = f->GBps * path->weight;
            for (int h = 0; h < path->n_hops; h++)
                res->channel_GBps[routes->hops[path->first_hop + h]] += g;
        }
    }
    double max_util = 0.0;
    for (int c = 0; c < nc; c++) {
        res->channel_util[c] = res->channel_GBps[c] / net->channels[c].capacity_GBps;
        res->channel_GBps_sum += res->channel_GBps[c];
        res->d2d_power_w += res->channel_GBps[c] * 8.0 * net->channels[c].energy_pj_per_bit * 1e-3;
        max_util = fmax(max_util, res->channel_util[c]);
    }
    for (int e = 0; e < ne; e++) {
        res->inject_util[e] = res->inject_GBps[e] / net->endpoints[e].inject_GBps;
        res->eject_util[e] = res->eject_GBps[e] / net->endpoints[e].eject_GBps;
        max_util = fmax(max_util, fmax(res->inject_util[e], res->eject_util[e]));
    }
    res->max_util = max_util;
    res->saturation_scale = max_util > 0.0 ? 1.0 / max_util : INFINITY;
    res->saturation_load = demand->load * res->saturation_scale;
    /* GB/s x 1e9 B/s x 8 b/B x pJ/b x 1e-12 J/pJ = W; per byte: W / (GB/s x 1e9) in pJ. */
    res->energy_pj_per_byte = res->ejected_GBps > 0.0 ? res->d2d_power_w / res->ejected_GBps * 1e3 : 0.0;

    /* Bottlenecks: every port within 1e-9 of the maximum. */
    if (max_util > 0.0) {
        const double thr = max_util * (1.0 - 1e-9);
        int nb = 0;
        for (int c = 0; c < nc; c++)
            nb += res->channel_util[c] >= thr;
        for (int e = 0; e < ne; e++)
            nb += (res->inject_util[e] >= thr) + (res->eject_util[e] >= thr);
        res->bottlenecks = malloc((size_t)nb * sizeof *res->bottlenecks);
        if (!res->bottlenecks) {
            sip_traffic_result_destroy(res);
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "traffic: out of memory");
        }
        for (int c = 0; c < nc; c++)
            if (res->channel_util[c] >= thr)
                res->bottlenecks[res->n_bottlenecks++] = (sip_bottleneck_t){SIP_PORT_CHANNEL, c, res->channel_util[c]};
        for (int e = 0; e < ne; e++) {
            if (res->inject_util[e] >= thr)
                res->bottlenecks[res->n_bottlenecks++] = (sip_bottleneck_t){SIP_PORT_INJECT, e, res->inject_util[e]};
            if (res->eject_util[e] >= thr)
                res->bottlenecks[res->n_bottlenecks++] = (sip_bottleneck_t){SIP_PORT_EJECT, e, res->eject_util[e]};
        }
    }

    /* Pass 2: latency per flow. */
    const double pkt = packet_bytes_of(net, opts);
    double wsum = 0.0, hsum = 0.0, t0sum = 0.0, latsum = 0.0;
    const bool unweighted = res->injected_GBps <= 0.0; /* load 0: average the pattern's flows */
    for (int i = 0; i < nf; i++) {
        const sip_flow_t *f = &demand->flows[i];
        flow_latency(net, routes, f, pkt, res, 1.0, &res->flow_zero_load_ns[i],
                     &res->flow_latency_ns[i], &res->flow_hops[i]);
        double w = unweighted ? 1.0 : f->GBps;
        wsum += w;
        hsum += w * res->flow_hops[i];
        t0sum += w * res->flow_zero_load_ns[i];
        latsum += w * res->flow_latency_ns[i];
    }
    if (wsum > 0.0) {
        res->mean_hops = hsum / wsum;
        res->mean_zero_load_ns = t0sum / wsum;
        res->mean_latency_ns = latsum / wsum;
    }
    *out = res;
    return SIP_OK;
}

double sip_traffic_mean_latency_at(const sip_network_t *net, const sip_routes_t *routes,
                                   const sip_demand_matrix_t *demand,
                                   const sip_traffic_options_t *opts,
                                   const sip_traffic_result_t *res, double scale)
{
    if (res->max_util * scale >= 1.0)
        return INFINITY;
    const double pkt = packet_bytes_of(net, opts);
    const bool unweighted = res->injected_GBps <= 0.0;
    double wsum = 0.0, latsum = 0.0;
    for (int i = 0; i < demand->n_flows; i++) {
        double t0, lat, hops;
        flow_latency(net, routes, &demand->flows[i], pkt, res, scale, &t0, &lat, &hops);
        double w = unweighted ? 1.0 : demand->flows[i].GBps;
        wsum += w;
        latsum += w * lat;
    }
    return wsum > 0.0 ? latsum / wsum : 0.0;
}
