/* netsim: the cycle-level simulation core, BookSim2's trafficmanager.cpp (booksim/booksim2
 * commit 28f4329): endpoints (sources, injection and ejection), channels with link errors and
 * replay, the delivery wheel, run control (warm-up, sampling, drain) and the result.  The parts
 * BookSim2 keeps apart are apart here too: routers in netsim_router.c (the "iq" router behind
 * an ops struct), allocators in netsim_alloc.c (a registry of ops structs), queues in
 * netsim_queue.c, latency statistics in netsim_stats.c; the shared state is netsim_sim.h.  Line
 * references below are to that commit.
 *
 * Phases of one cycle (trafficmanager.cpp:954-1270): endpoints read ejected flits and injection
 * credits; routers read flits and credits that arrive this cycle; sources generate packets and
 * send at most one flit each; ejected flits are retired and their credits sent; every router
 * evaluates and updates its stages and writes its outputs.  Everything a router writes goes into
 * a channel that delivers it one or more cycles later, so the order in which routers are visited
 * never changes a result (read / evaluate / write).  All random draws come from the generator in
 * the simulation context, in node order.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "netsim_sim.h"

/* ------------------------------------------------------------------------------- RNG ---- */

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** (Blackman & Vigna), seeded by splitmix64. */
static inline uint64_t rng_next(sim_t *s)
{
    uint64_t *r = s->rng;
    uint64_t out = rotl(r[1] * 5, 7) * 9, t = r[1] << 17;
    r[2] ^= r[0];
    r[3] ^= r[1];
    r[1] ^= r[2];
    r[0] ^= r[3];
    r[2] ^= t;
    r[3] = rotl(r[3], 45);
    return out;
}
static inline double rng_unit(sim_t *s) { return (double)(rng_next(s) >> 11) * 0x1.0p-53; }

static void rng_seed(sim_t *s, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        s->rng[i] = z ^ (z >> 31);
    }
}

/* ----------------------------------------------------------------------------- flits ---- */

static int32_t flit_new(sim_t *s)
{
    if (s->free_flit >= 0) {
        int32_t f = s->free_flit;
        s->free_flit = s->flits[f].next_free;
        return f;
    }
    if (s->n_flits == s->cap_flits) {
        int32_t nc = s->cap_flits ? s->cap_flits * 2 : 4096;
        flit_t *nf = realloc(s->flits, (size_t)nc * sizeof *nf);
        if (!nf) {
            s->oom = true;
            return -1;
        }
        s->flits = nf;
        s->cap_flits = nc;
    }
    return s->n_flits++;
}

static void flit_free(sim_t *s, int32_t f)
{
    s->flits[f].next_free = s->free_flit;
    s->free_flit = f;
}

/* --------------------------------------------------------------------------- channels ---- */

void sip__netsim_wheel_grow(sim_t *s, uint32_t k)
{
    int nc = s->wheel_cap[k] ? s->wheel_cap[k] * 2 : 16;
    witem_t *nv = realloc(s->wheel[k], (size_t)nc * sizeof *nv);
    if (!nv) {
        s->oom = true;
        return;
    }
    s->wheel[k] = nv;
    s->wheel_cap[k] = nc;
}

/* Send a flit over channel c in cycle now.  A flit sent in cycle t is read by the receiver in
 * t + latency + 1 (channel.hpp: ReadInputs queues it at t+1 for t+latency, WriteOutputs exposes
 * it, the receiver reads it the next cycle).  UCIe go-back-N replay (facts.md §1.5, UCIe 1.0
 * §3.7): a flit that fails CRC is NAKed after it arrives; the sender replays it and everything
 * sent after it, so it and every later flit arrive one round trip (2 x latency + 2 cycles)
 * later, in order, at most `width` per cycle. */
void sip__netsim_chan_send_flit(sim_t *s, chan_t *c, int32_t f)
{
    int32_t arrival = s->now + c->latency + 1;
    if (c->perr > 0.0 && rng_unit(s) < c->perr) {
        s->flit_errors++;
        int32_t replay = s->now + 2 * c->latency + 2;
        if (replay > c->replay_end)
            c->replay_end = replay;
        arrival += 2 * c->latency + 2;
    } else if (s->now < c->replay_end) {
        s->replayed++;
    }
    if (arrival < c->last_arrival)
        arrival = c->last_arrival;
    if (arrival == c->last_arrival) {
        if (c->n_last >= c->width) {
            arrival++;
            c->n_last = 0;
        }
    } else {
        c->n_last = 0;
    }
    c->last_arrival = arrival;
    c->n_last++;
    wheel_add(s, arrival, (int32_t)(c - s->ch) * 2, f, 0);
    if (s->state != ST_DRAINING)
        c->sent++;
}

/* --------------------------------------------------------------------------- traffic ---- */

static uint64_t draw_rng(void *state) { return rng_next(state); }

/* The destination of src's next packet, from traffic's pattern registry (sipsim/traffic.h), so
 * that a pattern name means the same in netsim and the analytic engine. */
static int pattern_dest(sim_t *s, int src)
{
    return s->pattern->draw(&s->draw, src, draw_rng, s);
}

static void generate_packet(sim_t *s, int src, int32_t ctime)
{
    node_t *n = &s->nd[src];
    int dest = pattern_dest(s, src);
    bool record = s->state == ST_RUNNING || (s->state == ST_DRAINING && ctime < s->drain_time);
    for (int i = 0; i < s->cfg.packet_size; i++) {
        int32_t fi = flit_new(s);
        if (fi < 0)
            return;
        flit_t *f = &s->flits[fi];
        memset(f, 0, sizeof *f);
        f->src = src;
        f->dest = dest;
        f->ctime = ctime;
        f->head = i == 0;
        f->tail = i == s->cfg.packet_size - 1;
        f->record = record;
        f->vc = -1;
        f->la_port = -1;
        f->itime = f->head_itime = f->atime = -1;
        n->pq.e[ring_push(&n->pq.r)] = fi;
        s->inflight++;
        s->inflight_ctime += ctime;
        if (record)
            s->measured_inflight++;
    }
}

/* TrafficManager::_Inject (trafficmanager.cpp:922-952): a source with an empty queue runs the
 * Bernoulli trials it owes since qtime until one fires; the packet's creation time is the trial's
 * cycle (include_queuing = 1), so source queueing counts in its latency. */
static void inject(sim_t *s)
{
    for (int i = 0; i < s->N; i++) {
        node_t *n = &s->nd[i];
        if (n->pq.r.n)
            continue;
        bool generated = false;
        while (!generated && n->qtime <= s->now) {
            if (rng_unit(s) < s->p_packet) {
                generate_packet(s, i, s->cfg.include_queuing ? n->qtime : s->now);
                generated = true;
            }
            n->qtime++;
        }
        if (s->state == ST_DRAINING && n->qtime > s->drain_time)
            n->qdrained = true;
    }
}

/* The source side of _Step (trafficmanager.cpp:1010-1195): a head flit takes the next free VC
 * with credit in round-robin order from the last one used; body flits follow on that VC. */
static void node_send(sim_t *s, int i)
{
    node_t *n = &s->nd[i];
    if (!n->pq.r.n)
        return;
    const int V = s->V;
    int32_t fi = n->pq.e[ring_front(&n->pq.r)];
    flit_t *f = &s->flits[fi];
    if (f->head && f->vc == -1) {
        for (int k = 1; k <= V; k++) {
            int lvc = n->last_vc;
            int vc = (lvc < 0 || lvc >= V) ? 0 : (lvc + k) % V;
            if (n->in_use[vc] >= 0)
                continue;
            if (n->occ[vc] >= s->B)
                continue;
            f->vc = (int16_t)vc;
            break;
        }
    }
    if (f->vc == -1 || n->occ[f->vc] >= s->B)
        return;
    chan_t *c = &s->ch[n->inj];
    if (f->head) {
        if (!s->cfg.routing_delay)
            f->la_port = (int16_t)port_for(&s->rt[c->dst_router], f->dest);
        n->in_use[f->vc] = 0;
        n->tail_sent[f->vc] = 0;
        n->last_vc = f->vc;
        n->head_itime = s->now;
    }
    ring_pop(&n->pq.r);
    n->occ[f->vc]++;
    if (f->tail) {
        n->tail_sent[f->vc] = 1;
        if (!s->cfg.wait_for_tail_credit)
            n->in_use[f->vc] = -1;
    }
    f->itime = s->now;
    f->head_itime = n->head_itime;
    if (n->pq.r.n && !f->tail)
        s->flits[n->pq.e[ring_front(&n->pq.r)]].vc = f->vc;
    if (s->state != ST_DRAINING)
        s->stats.sent_flits++;
    sip__netsim_chan_send_flit(s, c, fi);
}

/* _RetireFlit (trafficmanager.cpp:643-741): statistics at the tail, per packet. */
static void retire(sim_t *s, int32_t fi)
{
    flit_t *f = &s->flits[fi];
    s->stats.flat_sum += f->atime - f->itime;
    s->stats.flat_n++;
    s->inflight--;
    s->inflight_ctime -= f->ctime;
    if (f->record)
        s->measured_inflight--;
    if (f->tail && (s->state == ST_WARMING || f->record) &&
        sip__netsim_stats_packet(&s->stats, f->atime - f->ctime, f->atime - f->head_itime, f->hops))
        s->oom = true;
    flit_free(s, fi);
}

static void clear_stats(sim_t *s)
{
    sip__netsim_stats_clear(&s->stats);
    for (int c = 0; c < s->n_ch; c++)
        s->ch[c].sent = 0;
    s->reset_time = s->now;
}

static void step(sim_t *s)
{
    const int N = s->N;
    for (int i = 0; i < N; i++)
        s->nd[i].ejected = -1;
    sip__netsim_deliver(s);
    if (!s->empty_network)
        inject(s);
    for (int i = 0; i < N; i++)
        node_send(s, i);
    for (int i = 0; i < N; i++) {
        node_t *n = &s->nd[i];
        if (n->ejected < 0)
            continue;
        flit_t *f = &s->flits[n->ejected];
        f->atime = s->now;
        chan_send_credit(s, &s->ch[n->ej], 1ull << f->vc);
        retire(s, n->ejected);
    }
    sip__netsim_routers_step(s);
    s->now++;
}

/* ------------------------------------------------------------------------ build / free ---- */

static void sim_free(sim_t *s)
{
    sip__netsim_routers_free(s);
    if (s->nd) {
        for (int i = 0; i < s->N; i++) {
            free(s->nd[i].pq.e);
            free(s->nd[i].occ);
            free(s->nd[i].in_use);
            free(s->nd[i].tail_sent);
        }
        free(s->nd);
    }
    free(s->ch);
    if (s->wheel)
        for (uint32_t k = 0; k <= s->wheel_mask; k++)
            free(s->wheel[k]);
    free(s->wheel);
    free(s->wheel_n);
    free(s->wheel_cap);
    free(s->flits);
    sip__netsim_stats_fini(&s->stats);
}

static sip_status_t sim_build(sim_t *s, const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                              sip_error_t *err)
{
    memset(s, 0, sizeof *s);
    s->net = net;
    s->cfg = *cfg;
    s->V = cfg->num_vcs;
    s->B = cfg->vc_buf_size;
    s->N = net->n_nodes;
    s->R = net->n_routers;
    s->C = net->n_channels;
    s->free_flit = -1;
    s->n_ch = s->C + 2 * s->N;
    const int V = s->V, N = s->N;
    rng_seed(s, cfg->seed);
    s->p_packet = cfg->injection_rate / cfg->packet_size;

    /* destinations: the pattern of the same name in traffic's registry, over the nodes; a mesh
     * built by sip_netsim_net_mesh numbers them as a k x k grid (node = y * k + x) */
    const char *pattern = sip_netsim_pattern_name(cfg->pattern);
    s->draw.n_endpoints = N;
    if (net->mesh_k > 0 && net->mesh_k * net->mesh_k == N)
        s->draw.cols = s->draw.rows = net->mesh_k;
    if (cfg->pattern == SIP_NETSIM_HOTSPOT) {
        if (cfg->n_hotspots < 1 || cfg->n_hotspots > SIP_NETSIM_MAX_HOTSPOTS)
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: hotspot pattern needs 1..%d hotspot nodes",
                                 SIP_NETSIM_MAX_HOTSPOTS);
        s->draw.n_hotspots = cfg->n_hotspots;
        s->draw.hotspots = s->cfg.hotspots;
        s->draw.hotspot_weights = s->cfg.hotspot_weights;
    }
    s->pattern = sip_pattern_find(pattern);
    if (!s->pattern || !s->pattern->draw)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: pattern %s has no per-packet form", pattern);
    sip_error_t why;
    sip_error_clear(&why);
    if (s->pattern->draw_init(&s->draw, &why) != SIP_OK)
        return sip_error_set(err, why.status ? why.status : SIP_EINVAL, NULL, 0, "netsim: pattern %s: %s", pattern,
                             why.message);

    s->ch = calloc((size_t)s->n_ch, sizeof *s->ch);
    s->nd = calloc((size_t)N, sizeof *s->nd);
    s->rt = calloc((size_t)s->R, sizeof *s->rt);
    if (!s->ch || !s->nd || !s->rt)
        goto oom;
    uint32_t credit_bound = (uint32_t)(V * s->B);
    for (int c = 0; c < s->n_ch; c++) {
        chan_t *ch = &s->ch[c];
        if (c < s->C) {
            const sip_netsim_channel_t *d = &net->channels[c];
            ch->latency = d->latency_cycles;
            ch->width = d->width_flits;
            ch->perr = d->flit_error_prob;
            ch->rate = d->rate_flits;
        } else {
            int node = (c - s->C) % N;
            ch->latency = net->node_latency_cycles[node];
            ch->width = 1;
        }
        ch->last_arrival = -1;
        ch->dst_router = -1;
        ch->src_router = -1;
    }
    {
        /* an arrival is at most latency + replay round trip (2 latency + 2) + one cycle per flit
         * queued behind it (<= V x B by credits) + credit_delay ahead */
        uint32_t horizon = 16 + (uint32_t)cfg->credit_delay + credit_bound;
        for (int c = 0; c < s->n_ch; c++)
            if ((uint32_t)(3 * s->ch[c].latency + 4) + credit_bound + 16 > horizon)
                horizon = (uint32_t)(3 * s->ch[c].latency + 4) + credit_bound + 16;
        uint32_t size = sip__netsim_pow2_at_least(horizon + 1);
        s->wheel_mask = size - 1;
        s->wheel = calloc(size, sizeof *s->wheel);
        s->wheel_n = calloc(size, sizeof *s->wheel_n);
        s->wheel_cap = calloc(size, sizeof *s->wheel_cap);
        if (!s->wheel || !s->wheel_n || !s->wheel_cap)
            goto oom;
    }
    for (int i = 0; i < N; i++) {
        node_t *n = &s->nd[i];
        n->inj = s->C + i;
        n->ej = s->C + N + i;
        n->last_vc = -1;
        n->ejected = -1;
        n->occ = calloc((size_t)V, sizeof *n->occ);
        n->in_use = malloc((size_t)V * sizeof *n->in_use);
        n->tail_sent = calloc((size_t)V, 1);
        n->pq.e = sip__netsim_ring_alloc(&n->pq.r, (uint32_t)cfg->packet_size, sizeof *n->pq.e);
        if (!n->occ || !n->in_use || !n->tail_sent || !n->pq.e)
            goto oom;
        for (int v = 0; v < V; v++)
            n->in_use[v] = -1;
    }

    return sip__netsim_routers_build(s, err);

oom:
    return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory building the simulation");
}

/* ---------------------------------------------------------------------- run control ---- */

static double inflight_mean_latency(const sim_t *s)
{
    double lat = s->stats.plat.sum + (double)s->inflight * s->now - (double)s->inflight_ctime;
    double cnt = (double)s->stats.plat.n + (double)s->inflight;
    return lat / cnt;
}

static bool packets_outstanding(const sim_t *s)
{
    if (s->measured_inflight > 0)
        return true;
    for (int i = 0; i < s->N; i++)
        if (!s->nd[i].qdrained)
            return true;
    return false;
}

/* TrafficManager::_SingleSim and Run (trafficmanager.cpp:1417-1690). */
static sip_netsim_run_status_t single_sim(sim_t *s)
{
    const sip_netsim_config_t *c = &s->cfg;
    int converged = 0, total_phases = 0;
    double prev_latency = 0.0, prev_accepted = 0.0;
    bool clear_last = false, lat_abort = false;
    s->state = ST_WARMING;
    clear_stats(s);
    while (total_phases < c->max_samples && (s->state != ST_RUNNING || converged < 3)) {
        if (clear_last || (s->state == ST_WARMING && total_phases % 2 == 0)) {
            clear_last = false;
            clear_stats(s);
        }
        for (int it = 0; it < c->sample_period; it++)
            step(s);
        if (s->oom)
            return SIP_NETSIM_UNSTABLE_LATENCY;
        double cur_latency = s->stats.plat.sum / (double)s->stats.plat.n;
        double cur_accepted = (double)s->stats.accepted_flits / (double)(s->now - s->reset_time) / s->N;
        double latency_change = fabs((cur_latency - prev_latency) / cur_latency);
        prev_latency = cur_latency;
        double accepted_change = fabs((cur_accepted - prev_accepted) / cur_accepted);
        prev_accepted = cur_accepted;
        if (c->latency_thres >= 0.0 && inflight_mean_latency(s) > c->latency_thres) {
            converged = 0;
            s->state = ST_DRAINING;
            s->drain_time = s->now;
            lat_abort = true;
            break;
        }
        if (s->state == ST_WARMING) {
            if (total_phases + 1 >= c->warmup_periods) {
                clear_last = true;
                s->state = ST_RUNNING;
            }
        } else if (s->state == ST_RUNNING) {
            bool lat_exc = c->stopping_thres >= 0.0 && latency_change > c->stopping_thres;
            bool acc_exc = c->acc_stopping_thres >= 0.0 && accepted_change > c->acc_stopping_thres;
            if (!lat_exc && !acc_exc)
                converged++;
            else
                converged = 0;
        }
        total_phases++;
    }
    if (lat_abort)
        return SIP_NETSIM_UNSTABLE_LATENCY;
    if (s->state != ST_RUNNING)
        return SIP_NETSIM_UNSTABLE_NOCONV;
    converged++;
    s->state = ST_DRAINING;
    s->drain_time = s->now;
    int64_t limit = c->max_drain_cycles > 0 ? c->max_drain_cycles : 100ll * c->sample_period;
    int64_t empty_steps = 0;
    while (packets_outstanding(s)) {
        step(s);
        if (s->oom)
            return SIP_NETSIM_UNSTABLE_LATENCY;
        ++empty_steps;
        if (empty_steps % 1000 == 0) {
            if (c->latency_thres >= 0.0 && inflight_mean_latency(s) > c->latency_thres)
                return SIP_NETSIM_UNSTABLE_LATENCY;
        }
        if (empty_steps > limit)
            return SIP_NETSIM_UNSTABLE_LATENCY;
    }
    /* empty the network and the credit channels (Run, trafficmanager.cpp:1640-1676) */
    s->empty_network = true;
    while (s->inflight > 0 && empty_steps++ < limit * 2)
        step(s);
    while (s->credits_outstanding > 0 && empty_steps++ < limit * 2)
        step(s);
    return SIP_NETSIM_OK;
}

static sip_status_t check_config(const sip_netsim_net_t *net, const sip_netsim_config_t *c, sip_error_t *err)
{
    if (!net || !c)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: no network or config");
    if (c->num_vcs < 1 || c->num_vcs > 64)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: num_vcs %d (expected 1..64)", c->num_vcs);
    if (c->vc_buf_size < 1 || c->vc_buf_size > 4096)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: vc_buf_size %d (expected 1..4096)",
                             c->vc_buf_size);
    if (c->routing_delay < 0 || c->routing_delay > 64 || c->vc_alloc_delay < 1 || c->vc_alloc_delay > 64 ||
        c->sw_alloc_delay < 1 || c->sw_alloc_delay > 64 || c->st_final_delay < 1 ||
        c->st_final_delay > 64 || c->credit_delay < 0 || c->credit_delay > 64)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim: router delays out of range (expected routing 0..64, VC/switch "
                             "allocation and crossbar 1..64, credit 0..64)");
    /* Speculative switch allocation is modelled for single-cycle VC and switch allocation only.
     * The speculative grant is checked against the VC allocator's result of the cycle the grant
     * completes in (iq_router.cpp:1697-1737), and the switch update sends the flit on the output
     * VC that VC allocation committed (iq_router.cpp:1961-1966).  With vc_alloc_delay >
     * sw_alloc_delay the switch grant completes before that commit, so the flit left on a stale
     * output VC it did not own and overfilled the downstream input buffer (heap overflow, fuzz
     * input tests/data/regress/anynet-speculative-va5-sa1); equal delays > 1 overflowed too (5/5).
     * BookSim2 gives no reference behaviour to reproduce: built with assertions it aborts on every
     * speculative 5x5-mesh run with a delay > 1 (measured: 2/1, 5/1 at iq_router.cpp:1964; 1/2,
     * 1/3 at :1641; 2/2, 3/3, 5/5 at :783), so these configurations are rejected. */
    if (c->speculative && (c->vc_alloc_delay != 1 || c->sw_alloc_delay != 1))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim: speculative = 1 needs vc_alloc_delay = sw_alloc_delay = 1 (got "
                             "vc_alloc_delay = %d, sw_alloc_delay = %d; BookSim2 aborts on longer "
                             "speculative allocation)",
                             c->vc_alloc_delay, c->sw_alloc_delay);
    if (c->vc_allocator < 0 || c->vc_allocator >= SIP_NETSIM_ALLOC_COUNT || c->sw_allocator < 0 ||
        c->sw_allocator >= SIP_NETSIM_ALLOC_COUNT || c->alloc_iters < 1 || c->alloc_iters > 16)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: unknown allocator or alloc_iters");
    if (c->pattern < 0 || c->pattern >= SIP_NETSIM_PATTERN_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: unknown traffic pattern");
    if (!(c->injection_rate >= 0.0) || c->injection_rate > 1.0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim: injection_rate %g (expected 0..1 flits/node/cycle)", c->injection_rate);
    if (c->packet_size < 1 || c->packet_size > 4096)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: packet_size %d (expected 1..4096 flits)",
                             c->packet_size);
    if (c->warmup_periods < 1 || c->sample_period < 1 || c->max_samples < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim: warmup_periods, sample_period and max_samples must be >= 1 "
                             "(sample_period x max_samples <= 1e9 cycles)");
    /* Simulated-cycles limit (issue 12). */
    if ((int64_t)c->sample_period * c->max_samples > 1000000000ll)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0,
                             "netsim: sample_period x max_samples = %lld cycles (expected at most 1e9)",
                             (long long)c->sample_period * c->max_samples);
    if (net->n_routers < 1 || net->n_nodes < 1 || !net->route_next)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: network has no routers, nodes or routes");
    for (int i = 0; i < net->n_channels; i++) {
        const sip_netsim_channel_t *ch = &net->channels[i];
        if (ch->latency_cycles < 1 || ch->latency_cycles > 100000 || ch->width_flits < 1 ||
            ch->width_flits > 64 || !(ch->flit_error_prob >= 0.0) || ch->flit_error_prob >= 1.0 ||
            !(ch->rate_flits >= 0.0) || ch->rate_flits > ch->width_flits ||
            (ch->rate_flits > 0.0 && ch->rate_flits < 1e-6))
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "netsim: channel %d: latency %d, width %d, rate %g, error probability "
                                 "%g (expected latency >= 1, width 1..64, rate 0 or 1e-6..width, "
                                 "probability in [0, 1))",
                                 i, ch->latency_cycles, ch->width_flits, ch->rate_flits,
                                 ch->flit_error_prob);
    }
    for (int i = 0; i < net->n_nodes; i++)
        if (net->node_latency_cycles[i] < 1)
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: node %d latency < 1", i);
    return sip__netsim_net_check(net, err);
}

sip_status_t sip__netsim_fast_routers(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg, int *n_fast,
                                      sip_error_t *err)
{
    *n_fast = 0;
    SIP_TRY(check_config(net, cfg, err));
    sim_t s;
    sip_status_t st = sim_build(&s, net, cfg, err);
    if (st == SIP_OK)
        for (int r = 0; r < s.R; r++)
            *n_fast += s.rt[r].ops == &sip__netsim_router_iq_fast;
    sim_free(&s);
    return st;
}

sip_status_t sip_netsim_run(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                            sip_netsim_result_t *res, sip_error_t *err)
{
    memset(res, 0, sizeof *res);
    SIP_TRY(check_config(net, cfg, err));
    sim_t s;
    sip_status_t st = sim_build(&s, net, cfg, err);
    if (st != SIP_OK) {
        sim_free(&s);
        return st;
    }
    sip_netsim_run_status_t rs = single_sim(&s);
    if (s.oom) {
        sim_free(&s);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory during the simulation");
    }
    int32_t end = s.state == ST_DRAINING ? s.drain_time : s.now;
    double window = (double)(end - s.reset_time);
    res->status = rs;
    res->offered = cfg->injection_rate;
    sip__netsim_stats_fill(&s.stats, window, s.N, res);
    res->cycles = s.now;
    res->measure_cycles = (int64_t)window;
    res->flit_errors = s.flit_errors;
    res->replayed_flits = s.replayed;
    res->n_channels = net->n_channels;
    res->channel_utilization = calloc((size_t)net->n_channels + 1, sizeof(double));
    if (!res->channel_utilization) {
        sim_free(&s);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    }
    for (int c = 0; c < net->n_channels; c++)
        res->channel_utilization[c] =
            window > 0 ? (double)s.ch[c].sent / window /
                             (s.ch[c].rate > 0.0 ? s.ch[c].rate : (double)s.ch[c].width) : 0.0;
    sim_free(&s);
    return SIP_OK;
}
