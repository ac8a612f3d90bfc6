/* netsim routers: BookSim2's input-queued VC router ("iq", booksim/booksim2 commit 28f4329,
 * src/routers/iq_router.cpp) as two implementations behind one ops struct
 * (sip__netsim_router_ops_t, netsim_sim.h):
 *   iq       the stage queues (routing, VC allocation, switch allocation, crossbar) with the same
 *            evaluate-then-update order inside a cycle, any delays, speculation, wide ports;
 *   iq_fast  the same router for the default single-cycle pipeline (all delays 1, credit_delay 0,
 *            allocators with a bitset form, one flit per port, <= 64 input and output VCs), its
 *            stage queues as bitsets.  Results are identical bit for bit
 *            (tests/netsim/test_fastpath.c; force_general_router = 1 turns it off to check).
 * Each router runs on the first implementation of router_registry that fits it.  Line
 * references are to that commit.  SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "netsim_sim.h"

/* The fast implementation's functions are also the ops table's, so the compiler keeps a copy
 * and would call that copy from sip__netsim_deliver and sip__netsim_routers_step; forcing them
 * inline there is what the single-file simulator got for free (a further 3 % of the
 * instructions of `sipsim bench netsim` at load 0.2, cachegrind; 0.4 % remain). */
#define FAST_INLINE __attribute__((always_inline))

static inline void stq_push(stq_t *q, int in, int vc)
{
    st_t *e = &q->e[ring_push(&q->r)];
    e->t = -1;
    e->in = (int16_t)in;
    e->vc = (int16_t)vc;
    e->res = -1;
}
static inline st_t *stq_at(stq_t *q, uint32_t i) { return &q->e[ring_at(&q->r, i)]; }

/* ----------------------------------------------------------------------- read phase ---- */

/* The flits a general router reads this cycle, kept in input-port order (BookSim2's
 * map<input, flit>); iq_input_queuing takes them into the VC buffers during the step. */
static void iq_read_flit(sim_t *s, router_t *r, int port, int32_t fi)
{
    (void)s;
    int j = r->n_inq++;
    while (j > 0 && r->inq_port[j - 1] > port) {
        r->inq_port[j] = r->inq_port[j - 1];
        r->inq_flit[j] = r->inq_flit[j - 1];
        j--;
    }
    r->inq_port[j] = port;
    r->inq_flit[j] = fi;
    r->active = true;
}

/* Credits take effect credit_delay cycles later (processed in iq_input_queuing). */
static void iq_read_credit(sim_t *s, router_t *r, int port, uint64_t vcs)
{
    pc_t *q = &r->pc.e[ring_push(&r->pc.r)];
    q->t = s->now + s->cfg.credit_delay;
    q->vcs = vcs;
    q->out = (int16_t)port;
    r->active = true;
}

/* iq_input_queuing for a fast router, done as the flit arrives: nothing reads the router
 * between this read phase and its step. */
static inline FAST_INLINE void iq_fast_read_flit(sim_t *s, router_t *r, int port, int32_t fi)
{
    int iv = port * s->V + s->flits[fi].vc;
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
}

/* credit_delay = 0: the credit is processed this cycle, before the step */
static inline FAST_INLINE void iq_fast_read_credit(sim_t *s, router_t *r, int port, uint64_t m)
{
    while (m) {
        int ov = port * s->V + __builtin_ctzll(m);
        m &= m - 1;
        r->occ[ov]--;
        if (s->cfg.wait_for_tail_credit && r->occ[ov] == 0 && r->tail_sent[ov]) {
            r->in_use_by[ov] = -1;
            r->ov_busy &= ~(1ull << ov);
        }
    }
}

/* ----------------------------------------------------------------- evaluate / update ---- */

static inline int32_t buf_front(const sim_t *s, const router_t *r, int iv)
{
    return r->buf[(size_t)iv * s->B + r->bhead[iv]];
}

static void iq_input_queuing(sim_t *s, router_t *r)
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

static void iq_step(sim_t *s, router_t *r)
{
    const int V = s->V, B = s->B;
    const sip_netsim_config_t *cfg = &s->cfg;
    const int32_t now = s->now;

    iq_input_queuing(s, r);
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

/* iq_step for a fast router (sip__netsim_router_iq_fast): the same evaluate-then-update order with
 * routing, VC and switch allocation and crossbar delays of one cycle, no speculation, iSLIP
 * allocators and credit_delay 0.  The stage queues are bitsets: every VC in a stage is
 * evaluated each cycle, which is what the queues do under these delays, and iSLIP's result
 * does not depend on the order requests are added, so results are identical to iq_step.
 * Flits and credits were already taken in by iq_fast_read_flit / iq_fast_read_credit. */
static inline FAST_INLINE void iq_fast_step(sim_t *s, router_t *r)
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
    uint64_t va_won = va_out ? sip__netsim_islip_bits(&r->va, va_out, va_match) : 0;

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
            sa_won = sip__netsim_islip_bits(&r->sa, sa_out, sa_match);
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

/* iq_write_outputs for a fast router: only the outputs holding flits; the credits of the
 * cycle's switch winners (one per input, so the credit queues never hold more) are sent by
 * iq_fast_step itself after these flits, as iq_write_outputs orders them. */
static inline FAST_INLINE void iq_fast_write_outputs(sim_t *s, router_t *r)
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
            sip__netsim_chan_send_flit(s, c, q->e[ring_front(&q->r)]);
            ring_pop(&q->r);
            r->pending_out--;
            if (c->rate > 0.0)
                c->tokens -= 1.0;
        }
        if (!q->r.n)
            r->obuf_mask &= ~(1ull << o);
    }
}

static void iq_write_outputs(sim_t *s, router_t *r)
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
            sip__netsim_chan_send_flit(s, c, q->e[ring_front(&q->r)]);
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

/* ------------------------------------------------------------------------- registry ---- */

static bool iq_fits(const sip_netsim_config_t *cfg, const router_t *r)
{
    (void)cfg;
    (void)r;
    return true;
}

static bool iq_fast_fits(const sip_netsim_config_t *cfg, const router_t *r)
{
    const sip__netsim_alloc_ops_t *islip = sip__netsim_alloc_ops(SIP_NETSIM_ALLOC_ISLIP);
    /* force_general_router: the general path on the same network, to check the two agree */
    return !cfg->force_general_router && cfg->routing_delay == 1 && cfg->vc_alloc_delay == 1 &&
           cfg->sw_alloc_delay == 1 && cfg->st_final_delay == 1 && !cfg->speculative && cfg->credit_delay == 0 &&
           r->va.ops == islip && r->sa.ops == islip && r->n_in_exp == r->n_in &&
           r->n_out_exp == r->n_out && r->va.n_in <= 64 && r->va.n_out <= 64;
}

const sip__netsim_router_ops_t sip__netsim_router_iq = {
    "iq", iq_fits, iq_read_flit, iq_read_credit, iq_step, iq_write_outputs,
};
const sip__netsim_router_ops_t sip__netsim_router_iq_fast = {
    "iq_fast", iq_fast_fits, iq_fast_read_flit, iq_fast_read_credit, iq_fast_step, iq_fast_write_outputs,
};

/* In order of preference; the last one fits every router. */
static const sip__netsim_router_ops_t *const router_registry[] = {
    &sip__netsim_router_iq_fast,
    &sip__netsim_router_iq,
};

/* ----------------------------------------------------------- read and router phases ---- */

/* The fast implementation runs most routers in most cycles, so it is called directly: through
 * the ops pointer every flit, credit and router-cycle paid an indirect call that the compiler
 * could not inline, 6 % more instructions in `sipsim bench netsim` at load 0.2 than the
 * single-file simulator (cachegrind).  Everything else goes through the ops. */
static inline bool is_fast(const router_t *r) { return r->ops == &sip__netsim_router_iq_fast; }

void sip__netsim_deliver(sim_t *s)
{
    uint32_t k = (uint32_t)s->now & s->wheel_mask;
    int n = s->wheel_n[k];
    const witem_t *items = s->wheel[k];
    for (int i = 0; i < n; i++) {
        int cid = items[i].ch >> 1;
        chan_t *c = &s->ch[cid];
        if (!(items[i].ch & 1)) {
            int32_t fi = items[i].flit;
            if (c->dst_router >= 0) {
                router_t *r = &s->rt[c->dst_router];
                if (is_fast(r))
                    iq_fast_read_flit(s, r, c->dst_port, fi);
                else
                    r->ops->read_flit(s, r, c->dst_port, fi);
            } else {
                node_t *nd = &s->nd[cid - s->C - s->N];
                nd->ejected = fi;
                if (s->state != ST_DRAINING)
                    s->stats.accepted_flits++;
            }
        } else {
            uint64_t m = items[i].vcs;
            s->credits_outstanding--;
            if (c->src_router >= 0) {
                router_t *r = &s->rt[c->src_router];
                if (is_fast(r))
                    iq_fast_read_credit(s, r, c->src_port, m);
                else
                    r->ops->read_credit(s, r, c->src_port, m);
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
    s->wheel_n[k] = 0;
}

void sip__netsim_routers_step(sim_t *s)
{
    for (int i = 0; i < s->R; i++) {
        router_t *r = &s->rt[i];
        if (is_fast(r)) {
            if (r->active)
                iq_fast_step(s, r);
            if (r->pending_out)
                iq_fast_write_outputs(s, r);
        } else {
            if (r->active)
                r->ops->step(s, r);
            if (r->pending_out)
                r->ops->write_outputs(s, r);
        }
    }
}

/* ---------------------------------------------------------------------- build / free ---- */

/* Router port order as BookSim2 builds it: anynet (anynet.cpp:140-200) adds endpoints first, in
 * node order, then router channels in channel order; kncube (kncube.cpp:86-168) adds the
 * channels first and the endpoint last. */
static int router_ports(sim_t *s, int r, int *n_in, int *n_out, int *in_list, int *out_list)
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

sip_status_t sip__netsim_routers_build(sim_t *s, sip_error_t *err)
{
    const sip_netsim_net_t *net = s->net;
    const sip_netsim_config_t *cfg = &s->cfg;
    const int V = s->V, N = s->N;
    int max_ports = s->C + N;
    int *in_list = malloc((size_t)max_ports * sizeof(int));
    int *out_list = malloc((size_t)max_ports * sizeof(int));
    if (!in_list || !out_list)
        goto oom;
    /* an output queue holds at most the crossbar's flits plus one per downstream credit */
    const uint32_t credit_bound = (uint32_t)(V * s->B);
    for (int r = 0; r < s->R; r++) {
        router_t *rt = &s->rt[r];
        router_ports(s, r, &rt->n_in, &rt->n_out, in_list, out_list);
        int ni = rt->n_in, no = rt->n_out;
        rt->in_chan = malloc((size_t)(ni + 1) * sizeof(int));
        rt->out_chan = malloc((size_t)(no + 1) * sizeof(int));
        rt->in_sp = malloc((size_t)(ni + 1) * sizeof(int));
        rt->out_sp = malloc((size_t)(no + 1) * sizeof(int));
        rt->in_base = malloc((size_t)(ni + 1) * sizeof(int));
        rt->out_base = malloc((size_t)(no + 1) * sizeof(int));
        if (!rt->in_chan || !rt->out_chan || !rt->in_sp || !rt->out_sp || !rt->in_base || !rt->out_base)
            goto oom;
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
            goto oom;
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
            goto oom;
        for (size_t k = 0; k < nov; k++)
            rt->in_use_by[k] = -1;
        for (int o = 0; o < no; o++) {
            flitq_t *q = &rt->obuf[o];
            q->e = sip__netsim_ring_alloc(&q->r, (uint32_t)(rt->n_in_exp * (cfg->st_final_delay + 2) + credit_bound),
                                          sizeof *q->e);
            if (!q->e)
                goto oom;
        }
        for (int p = 0; p < ni; p++) {
            creditq_t *q = &rt->cbuf[p];
            q->e = sip__netsim_ring_alloc(&q->r, (uint32_t)(rt->in_sp[p] * V * s->B + 4), sizeof *q->e);
            if (!q->e)
                goto oom;
        }
        /* stage queues hold each input VC at most once (one more slot as before) */
        stq_t *stage[3] = {&rt->route_q, &rt->va_q, &rt->sa_q};
        for (int k = 0; k < 3; k++) {
            stage[k]->e = sip__netsim_ring_alloc(&stage[k]->r, (uint32_t)niv + 1, sizeof *stage[k]->e);
            if (!stage[k]->e)
                goto oom;
        }
        const sip__netsim_alloc_ops_t *va_ops = sip__netsim_alloc_ops(cfg->vc_allocator),
                                      *sa_ops = sip__netsim_alloc_ops(cfg->sw_allocator);
        if (sip__netsim_alloc_init(&rt->va, (int)niv, (int)nov, false, va_ops, cfg->alloc_iters) ||
            sip__netsim_alloc_init(&rt->sa, rt->n_in_exp, rt->n_out_exp, true, sa_ops, cfg->alloc_iters))
            goto oom;
        for (size_t k = 0; k < sizeof router_registry / sizeof router_registry[0]; k++)
            if (router_registry[k]->fits(cfg, rt)) {
                rt->ops = router_registry[k];
                break;
            }
    }
    free(in_list);
    free(out_list);
    in_list = out_list = NULL;

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

oom:
    free(in_list);
    free(out_list);
    return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory building the simulation");
}

void sip__netsim_routers_free(sim_t *s)
{
    if (!s->rt)
        return;
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
