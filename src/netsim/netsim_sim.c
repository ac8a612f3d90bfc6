/* netsim: the cycle-level simulation core.
 *
 * The router is BookSim2's input-queued VC router ("iq", booksim/booksim2 commit 28f4329,
 * src/routers/iq_router.cpp) re-expressed in C over flat arrays: the same stage queues (routing,
 * VC allocation, switch allocation, crossbar) with the same evaluate-then-update order inside a
 * cycle, the same separable iSLIP allocator (allocators/islip.cpp), the same credit accounting
 * (buffer_state.cpp) and the same endpoint behaviour (trafficmanager.cpp _Inject/_Step).  Line
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

#include "netsim_internal.h"
#include "netsim_alloc.h"
#include "netsim_queue.h"

/* ------------------------------------------------------------------------- queues ---- */

/* Flit ids in order: a node's packet being injected, a router output after the crossbar. */
typedef SIP__NETSIM_QUEUE(int32_t) flitq_t;
/* Credits waiting to go upstream: the VCs of one input port freed in one cycle. */
typedef SIP__NETSIM_QUEUE(uint64_t) creditq_t;

/* Stage-queue entry (iq_router.cpp keeps deques of pair<time, pair<pair<input, vc>, result>>). */
typedef struct {
    int32_t t;
    int16_t in, vc;
    int32_t res;
} st_t;
typedef SIP__NETSIM_QUEUE(st_t) stq_t;

static inline void stq_push(stq_t *q, int in, int vc)
{
    st_t *e = &q->e[ring_push(&q->r)];
    e->t = -1;
    e->in = (int16_t)in;
    e->vc = (int16_t)vc;
    e->res = -1;
}
static inline st_t *stq_at(stq_t *q, uint32_t i) { return &q->e[ring_at(&q->r, i)]; }

/* Crossbar entry. */
typedef struct {
    int32_t t, flit;
    int16_t ein, eout;
} xb_t;
typedef SIP__NETSIM_QUEUE(xb_t) xbq_t;

/* Processed-credit entry: credits for output `out` that take effect at t (credit_delay). */
typedef struct {
    int32_t t;
    int16_t out;
    uint64_t vcs;
} pc_t;
typedef SIP__NETSIM_QUEUE(pc_t) pcq_t;

/* --------------------------------------------------------------------- sim structures ---- */

typedef struct {
    int32_t dest, src;
    int32_t ctime, itime, head_itime, atime;
    int16_t vc, hops;
    int16_t la_port; /* lookahead route: output port at the router the flit is heading to */
    uint8_t head, tail, record;
    int32_t next_free;
} flit_t;

enum { VC_IDLE, VC_ROUTING, VC_VA, VC_ACTIVE };
enum { STALL = -2 };

typedef struct {
    int latency, width;
    double perr;
    /* Fractional bandwidth (rate_flits of the description, 0 = whole flits per cycle): the
     * sender may send while it holds a token; tokens grow by `rate` per cycle and, while the
     * output queue is empty, are capped at `width` (one burst). */
    double rate, tokens;
    int32_t tok_time;
    int32_t last_arrival; /* go-back-N keeps arrivals in order */
    int n_last;           /* flits already arriving in last_arrival (width lanes) */
    int32_t replay_end;   /* flits sent before this cycle are behind a replay */
    int64_t sent;         /* flits sent in the measurement window */
    int dst_router, dst_port; /* receiving router and input port; dst_router -1 = node */
    int src_router, src_port;
} chan_t;

typedef struct {
    int n_in, n_out;
    int *in_chan, *out_chan;
    int *in_sp, *out_sp, *in_base, *out_base;
    int *exp_out_port; /* expanded output -> output port */
    int n_in_exp, n_out_exp;
    /* input VCs, iv = in * V + vc */
    int32_t *buf;      /* [n_in * V * B] rings */
    uint16_t *bhead, *bcount;
    uint8_t *state;
    int16_t *vroute, *vout_port, *vout_vc;
    /* output VCs, ov = out * V + vc (BufferState of the next hop) */
    int32_t *in_use_by;
    int16_t *occ;
    uint8_t *tail_sent;
    flitq_t *obuf;    /* [n_out] output queues after the crossbar */
    creditq_t *cbuf;  /* [n_in] credits waiting to be sent upstream */
    uint64_t *out_credits; /* [n_in] this cycle's credit mask per input */
    stq_t route_q, va_q, sa_q;
    xbq_t xb;         /* crossbar traversal */
    pcq_t pc;         /* credits received, taking effect after credit_delay */
    int32_t *inq_port, *inq_flit; /* flits read this cycle */
    int n_inq;
    int *sw_rr_offset;
    alloc_t va, sa;
    bool active;
    /* Fast path (router_step_fast): the default single-cycle pipeline with one flit per port
     * per cycle and at most 64 input and 64 output VCs.  Each stage queue then holds exactly
     * the VCs in that stage, so it is kept as a bitset over input VCs. */
    bool fast;
    uint64_t m_route, m_va, m_sa; /* VCs routing, in VC allocation, active with a flit */
    uint64_t ov_busy;             /* output VCs with in_use_by >= 0 */
    uint64_t obuf_mask;           /* outputs with flits in obuf */
    int pending_out;     /* flits in obuf + credits in cbuf */
    int16_t *route_port; /* [n_nodes] output port towards each node */
    int16_t *next_la;    /* [n_out * n_nodes] port at the next router, -1 = none */
} router_t;

typedef struct {
    int32_t qtime;
    bool qdrained;
    flitq_t pq;        /* the flits of the packet being injected */
    int last_vc;
    int16_t *occ;      /* injection-port BufferState */
    int32_t *in_use;
    uint8_t *tail_sent;
    int32_t head_itime;
    int inj, ej;       /* channel indices */
    int32_t ejected;   /* flit read this cycle, -1 none */
} node_t;

typedef struct {
    int64_t *count;
    int32_t cap;
    int64_t n;
    double sum;
    int32_t max;
} hist_t;

typedef struct {
    int32_t ch; /* channel * 2, + 1 for a credit */
    int32_t flit;
    uint64_t vcs;
} witem_t;

typedef enum { ST_WARMING, ST_RUNNING, ST_DRAINING } sim_state_t;

typedef struct {
    const sip_netsim_net_t *net;
    sip_netsim_config_t cfg;
    int V, B, N, R, C;
    uint64_t rng[4];
    int32_t now;
    flit_t *flits;
    int32_t n_flits, cap_flits, free_flit;
    chan_t *ch;
    int n_ch;
    router_t *rt;
    node_t *nd;
    sim_state_t state;
    int32_t reset_time, drain_time;
    bool empty_network;
    double p_packet;
    int shift; /* transpose */
    int *hot_cum, hot_total;
    hist_t plat, nlat;
    double flat_sum;
    int64_t flat_n;
    int64_t hops_sum, hops_n;
    int64_t inflight, inflight_ctime, measured_inflight, credits_outstanding;
    int64_t sent_flits, accepted_flits;
    int64_t flit_errors, replayed;
    bool oom;
    /* Delivery wheel: what arrives in cycle t (flits and credits, with their channel) is listed
     * in slot t & wheel_mask, so routers never poll idle links.  The slot spans the longest
     * possible flight (see sim_build), and a channel's arrivals keep their order. */
    witem_t **wheel;
    int *wheel_n, *wheel_cap;
    uint32_t wheel_mask;
} sim_t;

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

/* ------------------------------------------------------------------------- histogram ---- */

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

static void wheel_grow(sim_t *s, uint32_t k)
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

static inline void wheel_add(sim_t *s, int32_t t, int32_t ch, int32_t flit, uint64_t vcs)
{
    uint32_t k = (uint32_t)t & s->wheel_mask;
    if (s->wheel_n[k] == s->wheel_cap[k]) {
        wheel_grow(s, k);
        if (s->oom)
            return;
    }
    witem_t *w = &s->wheel[k][s->wheel_n[k]++];
    w->ch = ch;
    w->flit = flit;
    w->vcs = vcs;
}

/* Send a flit over channel c in cycle now.  A flit sent in cycle t is read by the receiver in
 * t + latency + 1 (channel.hpp: ReadInputs queues it at t+1 for t+latency, WriteOutputs exposes
 * it, the receiver reads it the next cycle).  UCIe go-back-N replay (facts.md §1.5, UCIe 1.0
 * §3.7): a flit that fails CRC is NAKed after it arrives; the sender replays it and everything
 * sent after it, so it and every later flit arrive one round trip (2 x latency + 2 cycles)
 * later, in order, at most `width` per cycle. */
static void chan_send_flit(sim_t *s, chan_t *c, int32_t f)
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

static inline void chan_send_credit(sim_t *s, chan_t *c, uint64_t vcs)
{
    wheel_add(s, s->now + c->latency + 1, (int32_t)(c - s->ch) * 2 + 1, -1, vcs);
    s->credits_outstanding++;
}

/* --------------------------------------------------------------------------- routers ---- */

static inline int port_for(const router_t *r, int dest) { return r->route_port[dest]; }

/* Deliver everything arriving this cycle (the read phase): flits into router input queues or
 * endpoint ejection, credits into routers' credit queues or the endpoints' buffer state. */
static void deliver(sim_t *s)
{
    uint32_t k = (uint32_t)s->now & s->wheel_mask;
    int n = s->wheel_n[k];
    const witem_t *items = s->wheel[k];
    for (int i = 0; i < n; i++) {
        int cid = items[i].ch >> 1;
        chan_t *c = &s->ch[cid];
        if (!(items[i].ch & 1)) {
            {
                int32_t fi = items[i].flit;
                if (c->dst_router >= 0 && s->rt[c->dst_router].fast) {
                    /* router_input_queuing for a fast router, done here: nothing reads the
                     * router between this read phase and its step. */
                    router_t *r = &s->rt[c->dst_router];
                    int iv = c->dst_port * s->V + s->flits[fi].vc;
                    int slot = r->bhead[iv] + r->bcount[iv];
                    if (slot >= s->B)
                        slot -= s->B;
                    r->buf[(size_t)iv * s->B + slot] = fi;
                    if (r->state[iv] == VC_IDLE) {
                        r->state[iv] = VC_ROUTING;
                        r->m_route |= 1ull << iv;
                    } else if (r->state[iv] == VC_ACTIVE && r->bcount[iv] == 0) {
                        r->m_sa |= 1ull << iv;
                    }
                    r->bcount[iv]++;
                    r->active = true;
                } else if (c->dst_router >= 0) {
                    router_t *r = &s->rt[c->dst_router];
                    /* keep the cycle's arrivals in input-port order (BookSim2's map<input, flit>) */
                    int j = r->n_inq++;
                    while (j > 0 && r->inq_port[j - 1] > c->dst_port) {
                        r->inq_port[j] = r->inq_port[j - 1];
                        r->inq_flit[j] = r->inq_flit[j - 1];
                        j--;
                    }
                    r->inq_port[j] = c->dst_port;
                    r->inq_flit[j] = fi;
                    r->active = true;
                } else {
                    node_t *nd = &s->nd[cid - s->C - s->N];
                    nd->ejected = fi;
                    if (s->state != ST_DRAINING)
                        s->accepted_flits++;
                }
            }
        } else {
            {
                uint64_t m = items[i].vcs;
                s->credits_outstanding--;
                if (c->src_router >= 0 && s->rt[c->src_router].fast) {
                    /* credit_delay = 0: the credit is processed this cycle, before the step */
                    router_t *r = &s->rt[c->src_router];
                    while (m) {
                        int ov = c->src_port * s->V + __builtin_ctzll(m);
                        m &= m - 1;
                        r->occ[ov]--;
                        if (s->cfg.wait_for_tail_credit && r->occ[ov] == 0 && r->tail_sent[ov]) {
                            r->in_use_by[ov] = -1;
                            r->ov_busy &= ~(1ull << ov);
                        }
                    }
                } else if (c->src_router >= 0) {
                    router_t *r = &s->rt[c->src_router];
                    pc_t *q = &r->pc.e[ring_push(&r->pc.r)];
                    q->t = s->now + s->cfg.credit_delay;
                    q->vcs = m;
                    q->out = (int16_t)c->src_port;
                    r->active = true;
                } else {
                    node_t *nd = &s->nd[cid - s->C];
                    while (m) {
                        int vc = __builtin_ctzll(m);
                        m &= m - 1;
                        nd->occ[vc]--;
                        if (s->cfg.wait_for_tail_credit && nd->occ[vc] == 0 && nd->tail_sent[vc])
                            nd->in_use[vc] = -1;
                    }
                }
            }
        }
    }
    s->wheel_n[k] = 0;
}

static inline int32_t buf_front(const sim_t *s, const router_t *r, int iv)
{
    return r->buf[(size_t)iv * s->B + r->bhead[iv]];
}

static void router_input_queuing(sim_t *s, router_t *r)
{
    const int V = s->V;
    for (int k = 0; k < r->n_inq; k++) {
        int p = r->inq_port[k];
        int32_t fi = r->inq_flit[k];
        flit_t *f = &s->flits[fi];
        int vc = f->vc, iv = p * V + vc;
        int slot = r->bhead[iv] + r->bcount[iv];
        if (slot >= s->B)
            slot -= s->B;
        r->buf[(size_t)iv * s->B + slot] = fi;
        r->bcount[iv]++;
        if (r->state[iv] == VC_IDLE) {
            if (s->cfg.routing_delay) {
                r->state[iv] = VC_ROUTING;
                stq_push(&r->route_q, p, vc);
            } else {
                r->vroute[iv] = f->la_port;
                r->state[iv] = VC_VA;
                if (s->cfg.speculative)
                    stq_push(&r->sa_q, p, vc);
                stq_push(&r->va_q, p, vc);
            }
        } else if (r->state[iv] == VC_ACTIVE && buf_front(s, r, iv) == fi) {
            stq_push(&r->sa_q, p, vc);
        }
    }
    r->n_inq = 0;
    while (r->pc.r.n && r->pc.e[ring_front(&r->pc.r)].t <= s->now) {
        int o = r->pc.e[ring_front(&r->pc.r)].out;
        uint64_t m = r->pc.e[ring_front(&r->pc.r)].vcs;
        while (m) {
            int vc = __builtin_ctzll(m);
            m &= m - 1;
            int ov = o * V + vc;
            r->occ[ov]--;
            if (s->cfg.wait_for_tail_credit && r->occ[ov] == 0 && r->tail_sent[ov])
                r->in_use_by[ov] = -1;
        }
        ring_pop(&r->pc.r);
    }
}

/* _SWAllocAddReq (iq_router.cpp:1224-1325): one request per (expanded input, expanded output);
 * among VCs of one input the higher priority, then the round-robin order from sw_rr_offset wins. */
static inline int rr_dist(int x, int off, int n) { return x >= off ? x - off : x - off + n; }

static void sw_add_req(sim_t *s, router_t *r, int in, int vc, int out, int prio)
{
    int ein = r->in_base[in] + (r->in_sp[in] == 1 ? 0 : vc % r->in_sp[in]);
    int eout = r->out_base[out] + (r->out_sp[out] == 1 ? 0 : in % r->out_sp[out]);
    alloc_t *a = &r->sa;
    size_t k = (size_t)ein * a->n_out + eout;
    if (alloc_has(a, ein, eout)) {
        int lvc = a->label[k], lpri = a->prio[k], off = r->sw_rr_offset[ein], V = s->V;
        if (prio > lpri || (prio == lpri && rr_dist(vc, off, V) < rr_dist(lvc, off, V))) {
            a->label[k] = (int16_t)vc;
            a->prio[k] = (int8_t)prio;
        }
        return;
    }
    alloc_add(a, ein, eout);
    a->label[k] = (int16_t)vc;
    a->prio[k] = (int8_t)prio;
}

static void router_step(sim_t *s, router_t *r)
{
    const int V = s->V, B = s->B;
    const sip_netsim_config_t *cfg = &s->cfg;
    const int32_t now = s->now;

    router_input_queuing(s, r);
    bool activity = r->pc.r.n > 0;

    /* ---- evaluate ---- */
    for (uint32_t i = 0; i < r->route_q.r.n; i++) {
        st_t *e = stq_at(&r->route_q, i);
        if (e->t >= 0)
            break;
        e->t = now + cfg->routing_delay - 1;
    }

    sip__netsim_alloc_clear(&r->va);
    if (r->va_q.r.n) {
        for (uint32_t i = 0; i < r->va_q.r.n; i++) {
            st_t *e = stq_at(&r->va_q, i);
            if (e->t >= 0)
                break;
            int iv = e->in * V + e->vc, out = r->vroute[iv];
            bool elig = false;
            for (int ovc = 0; ovc < V; ovc++) {
                int ov = out * V + ovc;
                if (r->in_use_by[ov] < 0) {
                    elig = true;
                    alloc_add(&r->va, iv, ov);
                }
            }
            if (!elig)
                e->res = STALL;
        }
        alloc_run(&r->va);
        for (uint32_t i = 0; i < r->va_q.r.n; i++) {
            st_t *e = stq_at(&r->va_q, i);
            if (e->t >= 0)
                break;
            e->t = now + cfg->vc_alloc_delay - 1;
            if (e->res < -1)
                continue;
            int m = r->va.inmatch[e->in * V + e->vc];
            e->res = m >= 0 ? m : STALL;
        }
        if (cfg->vc_alloc_delay > 1) {
            for (uint32_t i = 0; i < r->va_q.r.n; i++) {
                st_t *e = stq_at(&r->va_q, i);
                if (now < e->t)
                    break;
                if (e->res >= 0 && r->in_use_by[e->res] >= 0)
                    e->res = STALL;
            }
        }
    }

    sip__netsim_alloc_clear(&r->sa);
    if (r->sa_q.r.n) {
        for (uint32_t i = 0; i < r->sa_q.r.n; i++) {
            st_t *e = stq_at(&r->sa_q, i);
            if (e->t >= 0)
                break;
            int iv = e->in * V + e->vc;
            if (r->state[iv] == VC_ACTIVE) {
                int ov = r->vout_port[iv] * V + r->vout_vc[iv];
                if (r->occ[ov] >= B) {
                    e->res = STALL;
                    continue;
                }
                sw_add_req(s, r, e->in, e->vc, r->vout_port[iv], 0);
                continue;
            }
            /* speculative request of a VC still in VC allocation (spec_check_elig = 1,
             * spec_check_cred = 1, spec_sw_allocator = prio: lower priority). */
            int out = r->vroute[iv];
            bool elig = false, cred = false;
            for (int ovc = 0; ovc < V; ovc++) {
                int ov = out * V + ovc;
                if (r->in_use_by[ov] < 0) {
                    elig = true;
                    if (r->occ[ov] < B) {
                        cred = true;
                        break;
                    }
                }
            }
            if (!elig || !cred)
                e->res = STALL;
            else
                sw_add_req(s, r, e->in, e->vc, out, -1);
        }
        alloc_run(&r->sa);
        for (uint32_t i = 0; i < r->sa_q.r.n; i++) {
            st_t *e = stq_at(&r->sa_q, i);
            if (e->t >= 0)
                break;
            e->t = now + cfg->sw_alloc_delay - 1;
            if (e->res < -1)
                continue;
            int sp = r->in_sp[e->in];
            int ein = r->in_base[e->in] + (sp == 1 ? 0 : e->vc % sp);
            int eout = r->sa.inmatch[ein];
            if (eout >= 0 && r->sa.label[(size_t)ein * r->sa.n_out + eout] == e->vc) {
                r->sw_rr_offset[ein] = e->vc + sp >= V ? e->vc + sp - V : e->vc + sp;
                e->res = eout;
            } else {
                e->res = STALL;
            }
        }
        if (cfg->speculative || cfg->sw_alloc_delay > 1) {
            for (uint32_t i = 0; i < r->sa_q.r.n; i++) {
                st_t *e = stq_at(&r->sa_q, i);
                if (now < e->t)
                    break;
                if (e->res < 0)
                    continue;
                int iv = e->in * V + e->vc, out = r->exp_out_port[e->res];
                if (cfg->speculative && r->state[iv] == VC_VA) {
                    int m = r->va.inmatch[iv];
                    if (m < 0)
                        e->res = -1;
                    else if (m / V != out)
                        e->res = STALL;
                    else if (r->occ[m] >= B)
                        e->res = STALL;
                } else if (r->occ[r->vout_port[iv] * V + r->vout_vc[iv]] >= B) {
                    e->res = STALL;
                }
            }
        }
    }

    for (uint32_t i = 0; i < r->xb.r.n; i++) {
        xb_t *x = &r->xb.e[ring_at(&r->xb.r, i)];
        if (x->t >= 0)
            break;
        x->t = now + cfg->st_final_delay - 1;
    }

    /* ---- update ---- */
    while (r->route_q.r.n) {
        st_t *e = stq_at(&r->route_q, 0);
        if (e->t < 0 || now < e->t)
            break;
        int iv = e->in * V + e->vc;
        r->vroute[iv] = (int16_t)port_for(r, s->flits[buf_front(s, r, iv)].dest);
        r->state[iv] = VC_VA;
        if (cfg->speculative)
            stq_push(&r->sa_q, e->in, e->vc);
        stq_push(&r->va_q, e->in, e->vc);
        ring_pop(&r->route_q.r);
    }
    activity = activity || r->route_q.r.n;

    while (r->va_q.r.n) {
        st_t *e = stq_at(&r->va_q, 0);
        if (e->t < 0 || now < e->t)
            break;
        int in = e->in, vc = e->vc, iv = in * V + vc;
        if (e->res >= 0) {
            int ov = e->res;
            r->in_use_by[ov] = iv;
            r->tail_sent[ov] = 0;
            r->vout_port[iv] = (int16_t)(ov / V);
            r->vout_vc[iv] = (int16_t)(ov % V);
            r->state[iv] = VC_ACTIVE;
            if (!cfg->speculative)
                stq_push(&r->sa_q, in, vc);
        } else {
            stq_push(&r->va_q, in, vc);
        }
        ring_pop(&r->va_q.r);
    }
    activity = activity || r->va_q.r.n;

    while (r->sa_q.r.n) {
        st_t *e = stq_at(&r->sa_q, 0);
        if (e->t < 0 || now < e->t)
            break;
        int in = e->in, vc = e->vc, iv = in * V + vc;
        if (e->res >= 0) {
            int eout = e->res, out = r->exp_out_port[eout];
            int ein = r->in_base[in] + (r->in_sp[in] == 1 ? 0 : vc % r->in_sp[in]);
            int match_vc = r->vout_vc[iv];
            int32_t fi = buf_front(s, r, iv);
            flit_t *f = &s->flits[fi];
            r->bhead[iv] = (uint16_t)(r->bhead[iv] + 1 == B ? 0 : r->bhead[iv] + 1);
            r->bcount[iv]--;
            f->hops++;
            f->vc = (int16_t)match_vc;
            if (!cfg->routing_delay && f->head)
                f->la_port = r->next_la[(size_t)out * s->N + f->dest];
            int ov = out * V + match_vc;
            r->occ[ov]++;
            if (f->tail) {
                r->tail_sent[ov] = 1;
                if (!cfg->wait_for_tail_credit)
                    r->in_use_by[ov] = -1;
            }
            xb_t *x = &r->xb.e[ring_push(&r->xb.r)];
            x->t = -1;
            x->flit = fi;
            x->ein = (int16_t)ein;
            x->eout = (int16_t)eout;
            r->out_credits[in] |= 1ull << vc;
            if (r->bcount[iv] == 0) {
                if (f->tail)
                    r->state[iv] = VC_IDLE;
            } else if (f->tail) {
                const flit_t *nf = &s->flits[buf_front(s, r, iv)];
                if (cfg->routing_delay) {
                    r->state[iv] = VC_ROUTING;
                    stq_push(&r->route_q, in, vc);
                } else {
                    r->vroute[iv] = nf->la_port;
                    r->state[iv] = VC_VA;
                    if (cfg->speculative)
                        stq_push(&r->sa_q, in, vc);
                    stq_push(&r->va_q, in, vc);
                }
            } else {
                stq_push(&r->sa_q, in, vc);
            }
        } else {
            stq_push(&r->sa_q, in, vc);
        }
        ring_pop(&r->sa_q.r);
    }
    activity = activity || r->sa_q.r.n || r->route_q.r.n || r->va_q.r.n;

    while (r->xb.r.n) {
        xb_t *x = &r->xb.e[ring_front(&r->xb.r)];
        if (x->t < 0 || now < x->t)
            break;
        int out = r->exp_out_port[x->eout];
        if (r->obuf[out].r.n == 0) {
            chan_t *c = &s->ch[r->out_chan[out]];
            if (c->rate > 0.0) {
                /* idle until now: refill, at most one burst */
                double t = c->tokens + c->rate * (double)(now - c->tok_time);
                c->tokens = t < c->width ? t : c->width;
                c->tok_time = now;
            }
        }
        r->obuf[out].e[ring_push(&r->obuf[out].r)] = x->flit;
        r->pending_out++;
        ring_pop(&r->xb.r);
    }
    activity = activity || r->xb.r.n;
    r->active = activity;

    for (int p = 0; p < r->n_in; p++) {
        if (r->out_credits[p]) {
            r->cbuf[p].e[ring_push(&r->cbuf[p].r)] = r->out_credits[p];
            r->out_credits[p] = 0;
            r->pending_out++;
        }
    }
}

/* router_step for a fast router (see router_t.fast): the same evaluate-then-update order with
 * routing, VC and switch allocation and crossbar delays of one cycle, no speculation, iSLIP
 * allocators and credit_delay 0.  The stage queues are bitsets: every VC in a stage is
 * evaluated each cycle, which is what the queues do under these delays, and iSLIP's result
 * does not depend on the order requests are added, so results are identical to router_step.
 * Flits and credits were already taken in by deliver(). */
static void router_step_fast(sim_t *s, router_t *r)
{
    const int V = s->V, B = s->B;
    const uint64_t vmask = V == 64 ? ~0ull : (1ull << V) - 1;
    int8_t va_match[64], sa_match[64];

    /* ---- evaluate: VC allocation over the VCs in that stage ---- */
    uint64_t va_out = 0, *va_req = r->va.out_req;
    for (uint64_t m = r->m_va; m; m &= m - 1) {
        int iv = __builtin_ctzll(m);
        uint64_t free = ~r->ov_busy & (vmask << (r->vroute[iv] * V));
        va_out |= free;
        for (; free; free &= free - 1)
            va_req[__builtin_ctzll(free)] |= 1ull << iv;
    }
    uint64_t va_won = va_out ? r->va.ops->allocate_bits(&r->va, va_out, va_match) : 0;

    /* ---- evaluate: switch allocation; per input and output the VC first in round-robin
     * order from sw_rr_offset (_SWAllocAddReq) ---- */
    uint64_t sa_out = 0, sa_won = 0, *sa_req = r->sa.out_req;
    if (r->m_sa) {
        for (int p = 0; p < r->n_in; p++) {
            uint64_t cand = (r->m_sa >> (p * V)) & vmask;
            if (!cand)
                continue;
            int off = r->sw_rr_offset[p];
            uint64_t hi = cand & (~0ull << off), reqd = 0;
            uint64_t order[2] = {hi, cand & ~hi};
            for (int h = 0; h < 2; h++)
                for (uint64_t c = order[h]; c; c &= c - 1) {
                    int vc = __builtin_ctzll(c), iv = p * V + vc, out = r->vout_port[iv];
                    if (r->occ[out * V + r->vout_vc[iv]] >= B || (reqd >> out & 1))
                        continue;
                    reqd |= 1ull << out;
                    r->sa.label[p * r->n_out + out] = (int16_t)vc;
                    sa_req[out] |= 1ull << p;
                }
            sa_out |= reqd;
        }
        if (sa_out)
            sa_won = r->sa.ops->allocate_bits(&r->sa, sa_out, sa_match);
        for (uint64_t w = sa_won; w; w &= w - 1) {
            int p = __builtin_ctzll(w), vc = r->sa.label[p * r->n_out + sa_match[p]];
            r->sw_rr_offset[p] = vc + 1 >= V ? vc + 1 - V : vc + 1;
        }
    }

    /* ---- update: routing ---- */
    for (uint64_t m = r->m_route; m; m &= m - 1) {
        int iv = __builtin_ctzll(m);
        r->vroute[iv] = r->route_port[s->flits[buf_front(s, r, iv)].dest];
        r->state[iv] = VC_VA;
    }
    r->m_va |= r->m_route;
    r->m_route = 0;

    /* ---- update: VC allocation ---- */
    for (uint64_t m = va_won; m; m &= m - 1) {
        int iv = __builtin_ctzll(m), ov = va_match[iv];
        r->in_use_by[ov] = iv;
        r->ov_busy |= 1ull << ov;
        r->tail_sent[ov] = 0;
        r->vout_port[iv] = (int16_t)(ov / V);
        r->vout_vc[iv] = (int16_t)(ov % V);
        r->state[iv] = VC_ACTIVE;
    }
    r->m_va &= ~va_won;
    r->m_sa |= va_won;

    /* ---- update: crossbar (last cycle's winners reach the output queues) ---- */
    while (r->xb.r.n) {
        xb_t *x = &r->xb.e[ring_front(&r->xb.r)];
        int out = x->eout;
        if (r->obuf[out].r.n == 0) {
            chan_t *c = &s->ch[r->out_chan[out]];
            if (c->rate > 0.0) {
                double t = c->tokens + c->rate * (double)(s->now - c->tok_time);
                c->tokens = t < c->width ? t : c->width;
                c->tok_time = s->now;
            }
        }
        r->obuf[out].e[ring_push(&r->obuf[out].r)] = x->flit;
        r->obuf_mask |= 1ull << out;
        r->pending_out++;
        ring_pop(&r->xb.r);
    }

    /* ---- update: switch allocation ---- */
    for (uint64_t w = sa_won; w; w &= w - 1) {
        int p = __builtin_ctzll(w), out = sa_match[p];
        int vc = r->sa.label[p * r->n_out + out], iv = p * V + vc;
        int match_vc = r->vout_vc[iv];
        int32_t fi = buf_front(s, r, iv);
        flit_t *f = &s->flits[fi];
        r->bhead[iv] = (uint16_t)(r->bhead[iv] + 1 == B ? 0 : r->bhead[iv] + 1);
        r->bcount[iv]--;
        f->hops++;
        f->vc = (int16_t)match_vc;
        int ov = out * V + match_vc;
        r->occ[ov]++;
        if (f->tail) {
            r->tail_sent[ov] = 1;
            if (!s->cfg.wait_for_tail_credit) {
                r->in_use_by[ov] = -1;
                r->ov_busy &= ~(1ull << ov);
            }
        }
        xb_t *x = &r->xb.e[ring_push(&r->xb.r)];
        x->flit = fi;
        x->eout = (int16_t)out;
        chan_send_credit(s, &s->ch[r->in_chan[p]], 1ull << vc);
        if (r->bcount[iv] == 0) {
            if (f->tail)
                r->state[iv] = VC_IDLE;
            r->m_sa &= ~(1ull << iv);
        } else if (f->tail) {
            r->state[iv] = VC_ROUTING;
            r->m_sa &= ~(1ull << iv);
            r->m_route |= 1ull << iv;
        }
    }
    r->active = (r->m_route | r->m_va | r->m_sa) || r->xb.r.n;

}

/* router_write_outputs for a fast router: only the outputs holding flits; the credits of the
 * cycle's switch winners (one per input, so the credit queues never hold more) are sent by
 * router_step_fast itself after these flits, as router_write_outputs orders them. */
static void router_write_outputs_fast(sim_t *s, router_t *r)
{
    for (uint64_t om = r->obuf_mask; om; om &= om - 1) {
        int o = __builtin_ctzll(om);
        flitq_t *q = &r->obuf[o];
        chan_t *c = &s->ch[r->out_chan[o]];
        int budget = c->width;
        if (c->rate > 0.0) {
            c->tokens += c->rate * (double)(s->now - c->tok_time);
            c->tok_time = s->now;
            if (c->tokens < budget)
                budget = (int)c->tokens;
        }
        for (int k = 0; k < budget && q->r.n; k++) {
            chan_send_flit(s, c, q->e[ring_front(&q->r)]);
            ring_pop(&q->r);
            r->pending_out--;
            if (c->rate > 0.0)
                c->tokens -= 1.0;
        }
        if (!q->r.n)
            r->obuf_mask &= ~(1ull << o);
    }
}

static void router_write_outputs(sim_t *s, router_t *r)
{
    for (int o = 0; o < r->n_out; o++) {
        flitq_t *q = &r->obuf[o];
        if (!q->r.n)
            continue;
        chan_t *c = &s->ch[r->out_chan[o]];
        int budget = c->width;
        if (c->rate > 0.0) {
            /* backlogged since the last send: tokens accrue uncapped */
            c->tokens += c->rate * (double)(s->now - c->tok_time);
            c->tok_time = s->now;
            if (c->tokens < budget)
                budget = (int)c->tokens;
        }
        for (int k = 0; k < budget && q->r.n; k++) {
            chan_send_flit(s, c, q->e[ring_front(&q->r)]);
            ring_pop(&q->r);
            r->pending_out--;
            if (c->rate > 0.0)
                c->tokens -= 1.0;
        }
    }
    for (int p = 0; p < r->n_in; p++) {
        creditq_t *q = &r->cbuf[p];
        if (!q->r.n)
            continue;
        chan_send_credit(s, &s->ch[r->in_chan[p]], q->e[ring_front(&q->r)]);
        ring_pop(&q->r);
        r->pending_out--;
    }
}

/* --------------------------------------------------------------------------- traffic ---- */

static int pattern_dest(sim_t *s, int src)
{
    const int N = s->N, k = s->net->mesh_k;
    switch (s->cfg.pattern) {
    case SIP_NETSIM_UNIFORM:
        return (int)(rng_next(s) % (uint64_t)N);
    case SIP_NETSIM_TRANSPOSE: {
        int lo = (1 << s->shift) - 1;
        return ((src >> s->shift) & lo) | ((src << s->shift) & (lo << s->shift));
    }
    case SIP_NETSIM_BITCOMP:
        return ~src & (N - 1);
    case SIP_NETSIM_BITREV: {
        int r = 0, x = src;
        for (int n = N; n > 1; n >>= 1) {
            r = (r << 1) | (x & 1);
            x >>= 1;
        }
        return r;
    }
    case SIP_NETSIM_SHUFFLE: {
        int sh = src << 1;
        return (sh & (N - 1)) | ((sh & N) ? 1 : 0);
    }
    case SIP_NETSIM_TORNADO: {
        int x = src % k, y = src / k;
        return ((y + (k + 1) / 2 - 1) % k) * k + (x + (k + 1) / 2 - 1) % k;
    }
    case SIP_NETSIM_NEIGHBOR: {
        int x = src % k, y = src / k;
        return ((y + 1) % k) * k + (x + 1) % k;
    }
    case SIP_NETSIM_HOTSPOT: {
        int pick = (int)(rng_next(s) % (uint64_t)s->hot_total);
        int i = 0;
        while (pick >= s->hot_cum[i])
            i++;
        return s->cfg.hotspots[i];
    }
    default:
        return src;
    }
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
        s->sent_flits++;
    chan_send_flit(s, c, fi);
}

/* _RetireFlit (trafficmanager.cpp:643-741): statistics at the tail, per packet. */
static void retire(sim_t *s, int32_t fi)
{
    flit_t *f = &s->flits[fi];
    s->flat_sum += f->atime - f->itime;
    s->flat_n++;
    s->inflight--;
    s->inflight_ctime -= f->ctime;
    if (f->record)
        s->measured_inflight--;
    if (f->tail && (s->state == ST_WARMING || f->record)) {
        s->hops_sum += f->hops;
        s->hops_n++;
        if (hist_add(&s->plat, f->atime - f->ctime) || hist_add(&s->nlat, f->atime - f->head_itime))
            s->oom = true;
    }
    flit_free(s, fi);
}

static void clear_stats(sim_t *s)
{
    hist_clear(&s->plat);
    hist_clear(&s->nlat);
    s->flat_sum = 0;
    s->flat_n = 0;
    s->hops_sum = s->hops_n = 0;
    s->sent_flits = s->accepted_flits = 0;
    for (int c = 0; c < s->n_ch; c++)
        s->ch[c].sent = 0;
    s->reset_time = s->now;
}

static void step(sim_t *s)
{
    const int N = s->N;
    for (int i = 0; i < N; i++)
        s->nd[i].ejected = -1;
    deliver(s);
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
    for (int r = 0; r < s->R; r++) {
        router_t *rt = &s->rt[r];
        if (rt->active) {
            if (rt->fast)
                router_step_fast(s, rt);
            else
                router_step(s, rt);
        }
        if (rt->pending_out) {
            if (rt->fast)
                router_write_outputs_fast(s, rt);
            else
                router_write_outputs(s, rt);
        }
    }
    s->now++;
}

/* ------------------------------------------------------------------------ build / free ---- */

static void sim_free(sim_t *s)
{
    if (s->rt) {
        for (int r = 0; r < s->R; r++) {
            router_t *rt = &s->rt[r];
            free(rt->in_chan);
            free(rt->out_chan);
            free(rt->in_sp);
            free(rt->out_sp);
            free(rt->in_base);
            free(rt->out_base);
            free(rt->exp_out_port);
            free(rt->buf);
            free(rt->bhead);
            free(rt->bcount);
            free(rt->state);
            free(rt->vroute);
            free(rt->vout_port);
            free(rt->vout_vc);
            free(rt->in_use_by);
            free(rt->occ);
            free(rt->tail_sent);
            if (rt->obuf)
                for (int o = 0; o < rt->n_out; o++)
                    free(rt->obuf[o].e);
            free(rt->obuf);
            if (rt->cbuf)
                for (int p = 0; p < rt->n_in; p++)
                    free(rt->cbuf[p].e);
            free(rt->cbuf);
            free(rt->out_credits);
            free(rt->route_q.e);
            free(rt->va_q.e);
            free(rt->sa_q.e);
            free(rt->xb.e);
            free(rt->pc.e);
            free(rt->inq_port);
            free(rt->inq_flit);
            free(rt->sw_rr_offset);
            free(rt->route_port);
            free(rt->next_la);
            sip__netsim_alloc_free(&rt->va);
            sip__netsim_alloc_free(&rt->sa);
        }
        free(s->rt);
    }
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
    free(s->hot_cum);
    free(s->plat.count);
    free(s->nlat.count);
}

/* Router port order as BookSim2 builds it: anynet (anynet.cpp:140-200) adds endpoints first, in
 * node order, then router channels in channel order; kncube (kncube.cpp:86-168) adds the
 * channels first and the endpoint last. */
static int build_router_ports(sim_t *s, int r, int *n_in, int *n_out, int *in_list, int *out_list)
{
    const sip_netsim_net_t *net = s->net;
    int ni = 0, no = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool nodes = (pass == 0) == net->nodes_first;
        if (nodes) {
            for (int i = 0; i < s->N; i++)
                if (net->node_router[i] == r) {
                    in_list[ni++] = s->nd[i].inj;
                    out_list[no++] = s->nd[i].ej;
                }
        } else {
            int i0 = ni, o0 = no;
            for (int c = 0; c < s->C; c++) {
                if (net->channels[c].to_router == r)
                    in_list[ni++] = c;
                if (net->channels[c].from_router == r)
                    out_list[no++] = c;
            }
            /* stable insertion sort by slot (few ports) */
            for (int a = i0 + 1; a < ni; a++)
                for (int b = a; b > i0 && net->channels[in_list[b - 1]].in_slot >
                                              net->channels[in_list[b]].in_slot; b--) {
                    int t = in_list[b];
                    in_list[b] = in_list[b - 1];
                    in_list[b - 1] = t;
                }
            for (int a = o0 + 1; a < no; a++)
                for (int b = a; b > o0 && net->channels[out_list[b - 1]].out_slot >
                                              net->channels[out_list[b]].out_slot; b--) {
                    int t = out_list[b];
                    out_list[b] = out_list[b - 1];
                    out_list[b - 1] = t;
                }
        }
    }
    *n_in = ni;
    *n_out = no;
    return 0;
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

    if (cfg->pattern == SIP_NETSIM_TRANSPOSE || cfg->pattern == SIP_NETSIM_BITCOMP ||
        cfg->pattern == SIP_NETSIM_BITREV || cfg->pattern == SIP_NETSIM_SHUFFLE) {
        if (N & (N - 1))
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "netsim: pattern %s needs a power-of-two node count (have %d)",
                                 sip_netsim_pattern_name(cfg->pattern), N);
        int bits = 0;
        while ((1 << bits) < N)
            bits++;
        if (cfg->pattern == SIP_NETSIM_TRANSPOSE && (bits & 1))
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "netsim: transpose needs an even power of two nodes (have %d)", N);
        s->shift = bits / 2;
    }
    if ((cfg->pattern == SIP_NETSIM_TORNADO || cfg->pattern == SIP_NETSIM_NEIGHBOR) &&
        (net->mesh_k <= 0 || net->mesh_k * net->mesh_k != N))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: pattern %s needs a k x k mesh",
                             sip_netsim_pattern_name(cfg->pattern));
    if (cfg->pattern == SIP_NETSIM_HOTSPOT) {
        if (cfg->n_hotspots < 1 || cfg->n_hotspots > SIP_NETSIM_MAX_HOTSPOTS)
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "netsim: hotspot pattern needs 1..%d hotspot nodes",
                                 SIP_NETSIM_MAX_HOTSPOTS);
        s->hot_cum = malloc((size_t)cfg->n_hotspots * sizeof(int));
        if (!s->hot_cum)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
        for (int i = 0; i < cfg->n_hotspots; i++) {
            if (cfg->hotspots[i] < 0 || cfg->hotspots[i] >= N || cfg->hotspot_weights[i] <= 0)
                return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                     "netsim: hotspot %d: node %d / weight %d out of range", i,
                                     cfg->hotspots[i], cfg->hotspot_weights[i]);
            s->hot_total += cfg->hotspot_weights[i];
            s->hot_cum[i] = s->hot_total;
        }
    }

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

    int max_ports = s->C + N;
    int *in_list = malloc((size_t)max_ports * sizeof(int));
    int *out_list = malloc((size_t)max_ports * sizeof(int));
    if (!in_list || !out_list) {
        free(in_list);
        free(out_list);
        goto oom;
    }
    for (int r = 0; r < s->R; r++) {
        router_t *rt = &s->rt[r];
        build_router_ports(s, r, &rt->n_in, &rt->n_out, in_list, out_list);
        int ni = rt->n_in, no = rt->n_out;
        rt->in_chan = malloc((size_t)(ni + 1) * sizeof(int));
        rt->out_chan = malloc((size_t)(no + 1) * sizeof(int));
        rt->in_sp = malloc((size_t)(ni + 1) * sizeof(int));
        rt->out_sp = malloc((size_t)(no + 1) * sizeof(int));
        rt->in_base = malloc((size_t)(ni + 1) * sizeof(int));
        rt->out_base = malloc((size_t)(no + 1) * sizeof(int));
        if (!rt->in_chan || !rt->out_chan || !rt->in_sp || !rt->out_sp || !rt->in_base || !rt->out_base)
            goto oom_lists;
        for (int p = 0; p < ni; p++) {
            rt->in_chan[p] = in_list[p];
            chan_t *c = &s->ch[in_list[p]];
            c->dst_router = r;
            c->dst_port = p;
            /* a channel wider than one flit feeds a port whose VCs each get their own crossbar
             * input (BookSim2 input_speedup = num_vcs: expanded input = input * V + vc), so
             * flits that arrive together on different VCs can leave together; the channel
             * itself still delivers at most `width` flits per cycle. */
            rt->in_sp[p] = c->width > 1 ? V : 1;
            rt->in_base[p] = rt->n_in_exp;
            rt->n_in_exp += rt->in_sp[p];
        }
        for (int o = 0; o < no; o++) {
            rt->out_chan[o] = out_list[o];
            chan_t *c = &s->ch[out_list[o]];
            c->src_router = r;
            c->src_port = o;
            rt->out_sp[o] = c->width;
            rt->out_base[o] = rt->n_out_exp;
            rt->n_out_exp += rt->out_sp[o];
        }
        rt->exp_out_port = malloc((size_t)(rt->n_out_exp + 1) * sizeof(int));
        if (!rt->exp_out_port)
            goto oom_lists;
        for (int o = 0; o < no; o++)
            for (int k = 0; k < rt->out_sp[o]; k++)
                rt->exp_out_port[rt->out_base[o] + k] = o;
        size_t niv = (size_t)ni * V, nov = (size_t)no * V;
        rt->buf = malloc((niv * s->B + 1) * sizeof(int32_t));
        rt->bhead = calloc(niv + 1, sizeof(uint16_t));
        rt->bcount = calloc(niv + 1, sizeof(uint16_t));
        rt->state = calloc(niv + 1, 1);
        rt->vroute = calloc(niv + 1, sizeof(int16_t));
        rt->vout_port = calloc(niv + 1, sizeof(int16_t));
        rt->vout_vc = calloc(niv + 1, sizeof(int16_t));
        rt->in_use_by = malloc((nov + 1) * sizeof(int32_t));
        rt->occ = calloc(nov + 1, sizeof(int16_t));
        rt->tail_sent = calloc(nov + 1, 1);
        rt->obuf = calloc((size_t)no + 1, sizeof *rt->obuf);
        rt->cbuf = calloc((size_t)ni + 1, sizeof *rt->cbuf);
        rt->out_credits = calloc((size_t)ni + 1, sizeof(uint64_t));
        rt->inq_port = malloc((size_t)(rt->n_in_exp + 1) * sizeof(int32_t));
        rt->inq_flit = malloc((size_t)(rt->n_in_exp + 1) * sizeof(int32_t));
        rt->sw_rr_offset = calloc((size_t)rt->n_in_exp + 1, sizeof(int));
        rt->route_port = malloc((size_t)N * sizeof(int16_t));
        rt->next_la = malloc((size_t)no * N * sizeof(int16_t) + 1);
        rt->xb.e = sip__netsim_ring_alloc(&rt->xb.r, (uint32_t)(rt->n_in_exp * (cfg->st_final_delay + 1) + 1),
                                          sizeof *rt->xb.e);
        rt->pc.e = sip__netsim_ring_alloc(&rt->pc.r, (uint32_t)(no * (cfg->credit_delay + 2) + 1),
                                          sizeof *rt->pc.e);
        if (!rt->buf || !rt->bhead || !rt->bcount || !rt->state || !rt->vroute || !rt->vout_port ||
            !rt->vout_vc || !rt->in_use_by || !rt->occ || !rt->tail_sent || !rt->obuf || !rt->cbuf ||
            !rt->out_credits || !rt->inq_port || !rt->inq_flit || !rt->sw_rr_offset ||
            !rt->route_port || !rt->next_la || !rt->xb.e || !rt->pc.e)
            goto oom_lists;
        for (size_t k = 0; k < nov; k++)
            rt->in_use_by[k] = -1;
        for (int o = 0; o < no; o++) {
            flitq_t *q = &rt->obuf[o];
            q->e = sip__netsim_ring_alloc(&q->r, (uint32_t)(rt->n_in_exp * (cfg->st_final_delay + 2) + credit_bound),
                                          sizeof *q->e);
            if (!q->e)
                goto oom_lists;
        }
        for (int p = 0; p < ni; p++) {
            creditq_t *q = &rt->cbuf[p];
            q->e = sip__netsim_ring_alloc(&q->r, (uint32_t)(rt->in_sp[p] * V * s->B + 4), sizeof *q->e);
            if (!q->e)
                goto oom_lists;
        }
        /* stage queues hold each input VC at most once (one more slot as before) */
        stq_t *stage[3] = {&rt->route_q, &rt->va_q, &rt->sa_q};
        for (int k = 0; k < 3; k++) {
            stage[k]->e = sip__netsim_ring_alloc(&stage[k]->r, (uint32_t)niv + 1, sizeof *stage[k]->e);
            if (!stage[k]->e)
                goto oom_lists;
        }
        const sip__netsim_alloc_ops_t *va_ops = sip__netsim_alloc_ops(cfg->vc_allocator),
                                      *sa_ops = sip__netsim_alloc_ops(cfg->sw_allocator);
        if (sip__netsim_alloc_init(&rt->va, (int)niv, (int)nov, false, va_ops, cfg->alloc_iters) ||
            sip__netsim_alloc_init(&rt->sa, rt->n_in_exp, rt->n_out_exp, true, sa_ops, cfg->alloc_iters))
            goto oom_lists;
        /* force_general_router: the general path on the same network, to check the two agree */
        rt->fast = !cfg->force_general_router && cfg->routing_delay == 1 && cfg->vc_alloc_delay == 1 &&
                   cfg->sw_alloc_delay == 1 && cfg->st_final_delay == 1 && !cfg->speculative &&
                   cfg->credit_delay == 0 && va_ops->allocate_bits && sa_ops->allocate_bits && rt->n_in_exp == ni && rt->n_out_exp == no &&
                   niv <= 64 && nov <= 64;
    }
    free(in_list);
    free(out_list);

    /* route table -> output ports */
    for (int r = 0; r < s->R; r++) {
        router_t *rt = &s->rt[r];
        for (int d = 0; d < N; d++) {
            int c = net->route_next[(size_t)r * N + d];
            int chan = c >= 0 ? c : s->nd[d].ej;
            int port = -1;
            if (c < 0 && net->node_router[d] != r)
                return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                     "netsim: no route from router %d to node %d", r, d);
            for (int o = 0; o < rt->n_out; o++)
                if (rt->out_chan[o] == chan)
                    port = o;
            if (port < 0)
                return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                     "netsim: route from router %d to node %d uses channel %d, "
                                     "which does not leave router %d", r, d, c, r);
            rt->route_port[d] = (int16_t)port;
        }
    }
    for (int r = 0; r < s->R; r++) {
        router_t *rt = &s->rt[r];
        for (int o = 0; o < rt->n_out; o++) {
            const chan_t *c = &s->ch[rt->out_chan[o]];
            for (int d = 0; d < N; d++)
                rt->next_la[(size_t)o * N + d] =
                    c->dst_router >= 0 ? s->rt[c->dst_router].route_port[d] : -1;
        }
    }
    return SIP_OK;

oom_lists:
    free(in_list);
    free(out_list);
oom:
    return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory building the simulation");
}

/* ---------------------------------------------------------------------- run control ---- */

static double inflight_mean_latency(const sim_t *s)
{
    double lat = s->plat.sum + (double)s->inflight * s->now - (double)s->inflight_ctime;
    double cnt = (double)s->plat.n + (double)s->inflight;
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
        double cur_latency = s->plat.sum / (double)s->plat.n;
        double cur_accepted = (double)s->accepted_flits / (double)(s->now - s->reset_time) / s->N;
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
            *n_fast += s.rt[r].fast;
    sim_free(&s);
    return st;
}

void sip_netsim_result_fini(sip_netsim_result_t *res)
{
    if (!res)
        return;
    free(res->channel_utilization);
    res->channel_utilization = NULL;
    res->n_channels = 0;
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
    res->injected = window > 0 ? (double)s.sent_flits / window / s.N : 0.0;
    res->accepted = window > 0 ? (double)s.accepted_flits / window / s.N : 0.0;
    hist_fill(&s.plat, &res->packet);
    hist_fill(&s.nlat, &res->network);
    res->flit_latency_mean = s.flat_n ? s.flat_sum / (double)s.flat_n : NAN;
    res->hops_mean = s.hops_n ? (double)s.hops_sum / (double)s.hops_n : NAN;
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
