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
 *
 * Virtual channels (sip_traffic_options_t.vcs > 0, the default): BookSim2's iq router (and
 * netsim, its clone) keeps one packet per input VC in its pipeline at a time -- a VC routes,
 * allocates an output VC and wins the switch for its head packet before the next packet in the
 * same VC buffer starts routing (iq_router.cpp: a VC returns to routing only after its tail
 * leaves).  So each input VC is a server whose service ("holding") time per packet is
 *     H = (router_stages - crossbar_stages) cycles + (flits - 1) cycles + W_out,
 * where W_out is the packet's wait for its output port (the M/D/1 wait above, plus, for a
 * channel output, the time spent without a credit when the downstream VC is full).  By Little's
 * law the mean number of occupied VCs of an input port is lambda H, and the port keeps up only
 * while rho = lambda H / V < 1: an input port's VCs bound its packet rate at V / H even when
 * its channel is wide (MI300X-like IOD-to-IOD links: 10 flits/cycle of channel, 4/3 packets
 * per cycle of VCs).  The upstream router assigns arriving packets to the downstream VCs in
 * turn (round-robin over the free VCs), so each VC sees a Poisson stream split V ways:
 * Erlang-V inter-arrival times, squared coefficient of variation c_a^2 = 1/V.  The wait in the
 * VC buffer then follows Kingman's G/G/1 approximation with deterministic service,
 *     Wq = rho / (1 - rho) x (c_a^2 / 2) x H,
 * which is exactly M/D/1 for V = 1.  A full VC buffer (K = vc_buffer_flits / flits packets)
 * stalls the upstream router: with the queue length beyond the packet in service taken as
 * exponential with the mean Lq / rho (heavy-traffic limit of the same queue), the chance an
 * arriving packet finds its VC full is P = rho exp(-(K - 1) rho / Lq); it then waits about half
 * a holding time plus the credit's return over the channel, which lengthens the holding time
 * of the upstream input VC (the VC/credit back-pressure of wormhole models: Dally, "Virtual-
 * channel flow control", IEEE TPDS 3(2) 1992; Ould-Khaoua, IEEE TC 48(12) 1999).  Holding times
 * depend on each other through these stalls, so they are solved as a fixed point over ports.
 * Zero load is unchanged (every wait vanishes) and so is the channel-load bound; the VC term
 * only adds waiting below it, and latency turns INFINITY where some port's rho reaches 1.
 *
 * Saturation is therefore the smaller of two bounds: the channel-load bound above and the
 * router bound, the largest demand scale at which the VC fixed point is stable (every input
 * port's rho < 1).  Waits grow with load, so stability is monotone in the scale and the router
 * bound is found by bisection on the same solver the latency uses: latency is finite below the
 * reported saturation and infinite above it.  On BookSim2's 8x8 mesh (uniform, 1-flit packets)
 * the router bound is 0.40-0.41 flits/node/cycle against a channel-load bound of 0.5, where
 * BookSim2 measures 0.40 sustained and 0.41 unstable (peers/booksim results.md).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sip_traffic_result_destroy(sip_traffic_result_t *res)
{
    if (!res)
        return;
    free(res->channel_GBps); /* one block holds every double array */
    free(res->bottlenecks);
    free(res->turns);
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

/* Router VC parameters after defaults (sip_traffic_options_t). */
typedef struct {
    int vcs;          /* <= 0: no VC model */
    int buffer_flits;
    int stages, crossbar_stages;
} vc_params_t;

static vc_params_t vc_params_of(const sip_traffic_options_t *opts)
{
    /* netsim's default router (sip_netsim_config_init: BookSim2's 4 VCs x 4 flits, 4-stage iq
     * router with a 1-stage crossbar, shared/peers/booksim configs) */
    vc_params_t p = {4, 4, 4, 1};
    if (opts) {
        if (opts->vcs)
            p.vcs = opts->vcs;
        if (opts->vc_buffer_flits > 0)
            p.buffer_flits = opts->vc_buffer_flits;
        if (opts->router_stages > 0)
            p.stages = opts->router_stages;
        if (opts->crossbar_stages > 0)
            p.crossbar_stages = opts->crossbar_stages;
    }
    if (p.crossbar_stages > p.stages)
        p.crossbar_stages = p.stages;
    return p;
}

/* Working arrays of the VC fixed point, one block: per input port (n_channels + n_endpoints)
 * and per output port (likewise). */
typedef struct {
    double *wq_in;   /* wait in the input VC buffer, ns */
    double *util_in; /* rho of the input port's VCs */
    double *hold;    /* VC holding time, ns */
    double *w_out;   /* wait for the output port (M/D/1 + credit stalls), ns */
    double *pfull;   /* chance an arriving packet finds its VC buffer full */
    double *inject_util_scaled; /* injection port utilization (per endpoint) */
    double *block;
} vc_state_t;

static void vc_state_fini(vc_state_t *st)
{
    free(st->block);
    st->block = NULL;
}

static int vc_state_init(vc_state_t *st, int nports)
{
    st->block = calloc((size_t)nports * 6 + 1, sizeof(double));
    if (!st->block)
        return -1;
    st->wq_in = st->block;
    st->util_in = st->wq_in + nports;
    st->hold = st->util_in + nports;
    st->w_out = st->hold + nports;
    st->pfull = st->w_out + nports;
    st->inject_util_scaled = st->pfull + nports;
    return 0;
}

/* Solve the VC model at `scale` x the result's loads.  Returns false when some input port's
 * VCs cannot keep up (rho >= 1): latency is then unbounded.  Without the VC model (vcs <= 0)
 * only the output waits are filled. */
static bool vc_solve_from(const sip_network_t *net, const sip_traffic_result_t *res,
                          double packet_bytes, vc_params_t vp, double scale, vc_state_t *st,
                          bool warm);

static bool vc_solve(const sip_network_t *net, const sip_traffic_result_t *res, double packet_bytes,
                     vc_params_t vp, double scale, vc_state_t *st)
{
    return vc_solve_from(net, res, packet_bytes, vp, scale, st, false);
}

/* warm: st already holds the solution at a lower scale.  Every wait grows with the holding
 * times, so the iteration rises monotonically from any state below the fixed point: starting
 * there reaches the same fixed point in fewer rounds (the router-bound bisection). */
static bool vc_solve_from(const sip_network_t *net, const sip_traffic_result_t *res,
                          double packet_bytes, vc_params_t vp, double scale, vc_state_t *st,
                          bool warm)
{
    const int nc = net->n_channels, ne = net->n_endpoints, np = nc + ne;
    /* output waits without stalls: M/D/1 per port */
    for (int c = 0; c < nc; c++)
        st->w_out[c] = md1_wait_ns(res->channel_util[c] * scale, packet_bytes / net->channels[c].capacity_GBps);
    for (int e = 0; e < ne; e++) {
        st->w_out[nc + e] = md1_wait_ns(res->eject_util[e] * scale, packet_bytes / net->endpoints[e].eject_GBps);
        st->inject_util_scaled[e] = res->inject_util[e] * scale;
    }
    for (int q = 0; q < np && !warm; q++) {
        st->wq_in[q] = st->util_in[q] = st->pfull[q] = 0.0;
        st->hold[q] = 0.0;
    }
    if (vp.vcs <= 0 || !res->n_turns)
        return true;
    const double V = vp.vcs;
    const double flits = ceil(packet_bytes / net->flit_bytes - 1e-9);
    const double k_pkts = fmax(1.0, floor(vp.buffer_flits / flits));
    const double ca2 = 1.0 / V; /* round-robin split of a Poisson stream: Erlang-V gaps */
    bool stable = true;
    for (int it = 0; it < 200; it++) {
        double change = 0.0;
        stable = true;
        int t = 0;
        for (int q = 0; q < np; q++) {
            double lam_GBps = 0.0, wsum = 0.0;
            for (; t < res->n_turns && res->turns[t].in == q; t++) {
                const sip_turn_t *tr = &res->turns[t];
                double w = st->w_out[tr->out];
                if (tr->out < nc) /* credit stall at a full downstream VC */
                    w += st->pfull[tr->out] * (0.5 * st->hold[tr->out] + net->channels[tr->out].latency_ns);
                lam_GBps += tr->GBps;
                wsum += tr->GBps * w;
            }
            if (lam_GBps <= 0.0)
                continue;
            int node = q < nc ? net->channels[q].to : net->endpoints[q - nc].node;
            double cycle_ns = net->nodes[node].router_delay_ns / vp.stages;
            double hold = cycle_ns * (vp.stages - vp.crossbar_stages + flits - 1.0) + wsum / lam_GBps;
            double lam = lam_GBps * scale / packet_bytes; /* packets per ns */
            double rho = lam * hold / V;
            change = fmax(change, fabs(hold - st->hold[q]));
            st->hold[q] = hold;
            st->util_in[q] = rho;
            if (rho >= 1.0) {
                stable = false;
                st->wq_in[q] = INFINITY;
                st->pfull[q] = 1.0;
                continue;
            }
            double wq = rho / (1.0 - rho) * 0.5 * ca2 * hold;
            double lq = lam / V * wq; /* packets waiting in one VC */
            st->wq_in[q] = wq;
            st->pfull[q] = lq > 0.0 ? rho * exp(-(k_pkts - 1.0) * rho / lq) : (k_pkts <= 1.0 ? rho : 0.0);
        }
        if (!stable || change < 1e-12)
            break;
    }
    return stable;
}

/* The router bound (file comment): the largest scale in [0, hi] at which the VC fixed point is
 * stable, by bisection to a relative 1e-6 (each try warm-started from the last stable one); hi
 * itself when the solve is stable there.  A stable solve at s also bounds it from above: loads
 * grow as s and holding times do not shrink, so rho reaches 1 by s / max rho.  On return st
 * holds the solve at the last stable scale, and *unstable_hi the scale just above it. */
static double router_bound(const sip_network_t *net, const sip_traffic_result_t *res,
                           double packet_bytes, vc_params_t vp, double hi, vc_state_t *st,
                           double *unstable_hi)
{
    *unstable_hi = hi;
    if (vp.vcs <= 0 || !res->n_turns || !isfinite(hi) || vc_solve(net, res, packet_bytes, vp, hi, st))
        return hi;
    const int np = net->n_channels + net->n_endpoints;
    const size_t bytes = (size_t)np * 6 * sizeof(double);
    vc_state_t lo_st = {0};
    (void)vc_state_init(&lo_st, np); /* out of memory: lo_st.block NULL, cold starts, same answer */
    double lo = 0.0;
    bool have_lo = false;
    for (int it = 0; it < 60 && hi - lo > 1e-6 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        bool warm = have_lo && lo_st.block;
        if (warm)
            memcpy(st->block, lo_st.block, bytes);
        if (vc_solve_from(net, res, packet_bytes, vp, mid, st, warm)) {
            lo = mid;
            double rmax = 0.0;
            for (int q = 0; q < np; q++)
                rmax = fmax(rmax, st->util_in[q]);
            if (rmax > 0.0 && mid / rmax < hi)
                hi = mid / rmax;
            have_lo = true;
            if (lo_st.block)
                memcpy(lo_st.block, st->block, bytes);
        } else {
            hi = mid;
        }
    }
    *unstable_hi = hi;
    if (have_lo && lo_st.block)
        memcpy(st->block, lo_st.block, bytes);
    else
        vc_solve(net, res, packet_bytes, vp, lo, st);
    vc_state_fini(&lo_st);
    return lo;
}

/* Router-limited: the bottlenecks become the input ports whose VCs cannot keep up just above
 * the router bound, with their VC occupancy just below it (st, from router_bound). */
static sip_status_t router_bottlenecks(const sip_network_t *net, sip_traffic_result_t *res,
                                       double packet_bytes, vc_params_t vp, double unstable_hi,
                                       vc_state_t *st, sip_error_t *err)
{
    const int np = net->n_channels + net->n_endpoints;
    double *below = malloc((size_t)np * sizeof *below + 1);
    if (!below)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "traffic: out of memory");
    memcpy(below, st->util_in, (size_t)np * sizeof *below);
    vc_solve(net, res, packet_bytes, vp, unstable_hi, st);
    /* The ports at rho >= 1; should the solve at unstable_hi end without one (its round
     * limit), the ports with the highest occupancy below. */
    double thr = 1.0;
    int nb = 0;
    for (int q = 0; q < np; q++)
        nb += st->util_in[q] >= thr;
    if (nb == 0) {
        thr = 0.0;
        for (int q = 0; q < np; q++)
            thr = fmax(thr, below[q]);
        thr *= 1.0 - 1e-9;
        for (int q = 0; q < np; q++)
            st->util_in[q] = below[q];
        for (int q = 0; q < np; q++)
            nb += st->util_in[q] >= thr;
    }
    sip_bottleneck_t *b = malloc((size_t)nb * sizeof *b + 1);
    if (!b) {
        free(below);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "traffic: out of memory");
    }
    int n = 0;
    for (int q = 0; q < np; q++)
        if (st->util_in[q] >= thr)
            b[n++] = (sip_bottleneck_t){SIP_PORT_ROUTER, q, below[q]};
    free(below);
    free(res->bottlenecks);
    res->bottlenecks = b;
    res->n_bottlenecks = n;
    return SIP_OK;
}

const char *sip_traffic_port_name(const sip_network_t *net, sip_bottleneck_t port, char *buf,
                                  size_t size)
{
    const int nc = net->n_channels;
    if (port.kind == SIP_PORT_CHANNEL && port.index >= 0 && port.index < nc) {
        const sip_channel_t *c = &net->channels[port.index];
        snprintf(buf, size, "%s->%s", net->nodes[c->from].name, net->nodes[c->to].name);
    } else if ((port.kind == SIP_PORT_INJECT || port.kind == SIP_PORT_EJECT) && port.index >= 0 &&
               port.index < net->n_endpoints) {
        const sip_endpoint_t *e = &net->endpoints[port.index];
        snprintf(buf, size, "%s %s.%d", port.kind == SIP_PORT_INJECT ? "inject" : "eject",
                 net->nodes[e->node].name, e->local);
    } else if (port.kind == SIP_PORT_ROUTER && port.index >= 0 && port.index < nc) {
        const sip_channel_t *c = &net->channels[port.index];
        snprintf(buf, size, "router %s (input %s->%s)", net->nodes[c->to].name,
                 net->nodes[c->from].name, net->nodes[c->to].name);
    } else if (port.kind == SIP_PORT_ROUTER && port.index >= nc && port.index < nc + net->n_endpoints) {
        const sip_endpoint_t *e = &net->endpoints[port.index - nc];
        snprintf(buf, size, "router %s (input inject %s.%d)", net->nodes[e->node].name,
                 net->nodes[e->node].name, e->local);
    } else {
        snprintf(buf, size, "port %d", port.index);
    }
    return buf;
}

/* Zero-load and loaded latency of one flow, weighted over its paths; hops likewise.  st holds
 * the port waits (vc_solve); NULL means zero load. */
static void flow_latency(const sip_network_t *net, const sip_routes_t *routes, const sip_flow_t *f,
                         double packet_bytes, const vc_state_t *st, double *t0_out, double *lat_out,
                         double *hops_out)
{
    const int nc = net->n_channels;
    const sip_endpoint_t *es = &net->endpoints[f->src], *ed = &net->endpoints[f->dst];
    const int u = es->node, v = ed->node;
    const int pair = sip_routes_pair(routes, u, v);
    const double tail_bytes = packet_bytes > net->flit_bytes ? packet_bytes - net->flit_bytes : 0.0;
    double w_ends = 0.0;
    if (st) /* injection port, the injection input's VCs, ejection port */
        w_ends = md1_wait_ns(st->inject_util_scaled[f->src], packet_bytes / es->inject_GBps) +
                 st->wq_in[nc + f->src] + st->w_out[nc + f->dst];
    double t0 = 0.0, lat = 0.0, hops = 0.0;
    for (int p = routes->pair_first[pair]; p < routes->pair_first[pair + 1]; p++) {
        const sip_path_t *path = &routes->paths[p];
        double head = es->inject_latency_ns + net->nodes[u].router_delay_ns + ed->eject_latency_ns;
        double min_bw = es->inject_GBps < ed->eject_GBps ? es->inject_GBps : ed->eject_GBps;
        double wait = w_ends;
        for (int h = 0; h < path->n_hops; h++) {
            int c = routes->hops[path->first_hop + h];
            const sip_channel_t *ch = &net->channels[c];
            head += ch->latency_ns + net->nodes[ch->to].router_delay_ns;
            if (ch->capacity_GBps < min_bw)
                min_bw = ch->capacity_GBps;
            if (st)
                wait += st->w_out[c] + st->wq_in[c];
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

/* Loads per (input port, output port) turn through the routers, sorted by input then output:
 * outputs of a node get local slots (its out-channels in index order, then its endpoints), so
 * a dense (input x slot) table accumulates the flows' paths in one pass. */
static sip_status_t build_turns(const sip_network_t *net, const sip_routes_t *routes,
                                const sip_demand_matrix_t *demand, sip_traffic_result_t *res,
                                sip_error_t *err)
{
    const int nc = net->n_channels, ne = net->n_endpoints, nn = net->n_nodes, np = nc + ne;
    sip_status_t st = SIP_OK;
    int *outdeg = calloc((size_t)nn + 1, sizeof *outdeg);
    int *first = calloc((size_t)nn + 1, sizeof *first);
    int *slot = calloc((size_t)nc + 1, sizeof *slot);
    int *slot_chan = calloc((size_t)nc + 1, sizeof *slot_chan);
    double *tab = NULL;
    if (!outdeg || !first || !slot || !slot_chan)
        goto oom;
    for (int c = 0; c < nc; c++)
        slot[c] = outdeg[net->channels[c].from]++;
    int m = 1;
    for (int u = 0; u < nn; u++) {
        first[u + 1] = first[u] + outdeg[u];
        if (outdeg[u] + net->nodes[u].n_endpoints > m)
            m = outdeg[u] + net->nodes[u].n_endpoints;
    }
    for (int c = 0; c < nc; c++)
        slot_chan[first[net->channels[c].from] + slot[c]] = c;
    tab = calloc((size_t)np * (size_t)m, sizeof *tab);
    if (!tab)
        goto oom;
    for (int i = 0; i < demand->n_flows; i++) {
        const sip_flow_t *f = &demand->flows[i];
        const sip_endpoint_t *ed = &net->endpoints[f->dst];
        int pair = sip_routes_pair(routes, net->endpoints[f->src].node, ed->node);
        for (int p = routes->pair_first[pair]; p < routes->pair_first[pair + 1]; p++) {
            const sip_path_t *path = &routes->paths[p];
            double g = f->GBps * path->weight;
            int q = nc + f->src;
            for (int h = 0; h < path->n_hops; h++) {
                int c = routes->hops[path->first_hop + h];
                tab[(size_t)q * m + slot[c]] += g;
                q = c;
            }
            tab[(size_t)q * m + outdeg[ed->node] + ed->local] += g;
        }
    }
    int n = 0;
    for (size_t k = 0; k < (size_t)np * m; k++)
        n += tab[k] > 0.0;
    res->turns = malloc((size_t)n * sizeof *res->turns + 1);
    if (!res->turns)
        goto oom;
    for (int q = 0; q < np; q++) {
        int u = q < nc ? net->channels[q].to : net->endpoints[q - nc].node;
        for (int j = 0; j < m; j++) {
            double g = tab[(size_t)q * m + j];
            if (g <= 0.0)
                continue;
            int out = j < outdeg[u] ? slot_chan[first[u] + j] : nc + net->nodes[u].first_endpoint + (j - outdeg[u]);
            res->turns[res->n_turns++] = (sip_turn_t){q, out, g};
        }
    }
    goto out;
oom:
    st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "traffic: out of memory");
out:
    free(outdeg);
    free(first);
    free(slot);
    free(slot_chan);
    free(tab);
    return st;
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
    double *block = calloc((size_t)(3 * nc + 5 * ne + 3 * nf + 1), sizeof *block);
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
    res->channel_vc_util = res->flow_latency_ns + nf;
    res->inject_vc_util = res->channel_vc_util + nc;

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
    res->channel_bound_scale = max_util > 0.0 ? 1.0 / max_util : INFINITY;
    res->channel_bound_load = demand->load * res->channel_bound_scale;
    res->saturation_scale = res->channel_bound_scale; /* the router bound may lower it below */
    res->saturation_load = res->channel_bound_load;
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

    /* Pass 2: port and VC waits, latency per flow. */
    const double pkt = packet_bytes_of(net, opts);
    sip_status_t st = build_turns(net, routes, demand, res, err);
    vc_state_t vs = {0};
    if (st == SIP_OK && vc_state_init(&vs, nc + ne))
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "traffic: out of memory");
    if (st != SIP_OK) {
        sip_traffic_result_destroy(res);
        return st;
    }
    const vc_params_t vp = vc_params_of(opts);
    double unstable_hi;
    double rb = router_bound(net, res, pkt, vp, res->channel_bound_scale, &vs, &unstable_hi);
    if (rb < res->channel_bound_scale) {
        res->router_limited = true;
        res->saturation_scale = rb;
        res->saturation_load = demand->load * rb;
        st = router_bottlenecks(net, res, pkt, vp, unstable_hi, &vs, err);
        if (st != SIP_OK) {
            vc_state_fini(&vs);
            sip_traffic_result_destroy(res);
            return st;
        }
    }
    vc_solve(net, res, pkt, vp, 1.0, &vs);
    memcpy(res->channel_vc_util, vs.util_in, (size_t)nc * sizeof(double));
    memcpy(res->inject_vc_util, vs.util_in + nc, (size_t)ne * sizeof(double));
    double wsum = 0.0, hsum = 0.0, t0sum = 0.0, latsum = 0.0;
    const bool unweighted = res->injected_GBps <= 0.0; /* load 0: average the pattern's flows */
    for (int i = 0; i < nf; i++) {
        const sip_flow_t *f = &demand->flows[i];
        flow_latency(net, routes, f, pkt, &vs, &res->flow_zero_load_ns[i], &res->flow_latency_ns[i],
                     &res->flow_hops[i]);
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
    vc_state_fini(&vs);
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
    vc_state_t vs = {0};
    if (vc_state_init(&vs, net->n_channels + net->n_endpoints))
        return NAN; /* out of memory: no estimate */
    if (!vc_solve(net, res, pkt, vc_params_of(opts), scale, &vs)) {
        vc_state_fini(&vs);
        return INFINITY; /* some input port's VCs cannot keep up */
    }
    const bool unweighted = res->injected_GBps <= 0.0;
    double wsum = 0.0, latsum = 0.0;
    for (int i = 0; i < demand->n_flows; i++) {
        double t0, lat, hops;
        flow_latency(net, routes, &demand->flows[i], pkt, &vs, &t0, &lat, &hops);
        double w = unweighted ? 1.0 : demand->flows[i].GBps;
        wsum += w;
        latsum += w * lat;
    }
    vc_state_fini(&vs);
    return wsum > 0.0 ? latsum / wsum : 0.0;
}
