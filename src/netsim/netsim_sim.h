/* netsim simulation state shared by the parts of the simulator: the trafficmanager-like core
 * (netsim_sim.c: endpoints, channels, run control), the routers (netsim_router.c), allocators
 * (netsim_alloc.c), queues (netsim_queue.c) and statistics.  Plain structs over flat arrays;
 * the few helpers every part calls on the hot path are inline here.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIP_NETSIM_SIM_H
#define SIP_NETSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "netsim_alloc.h"
#include "netsim_internal.h"
#include "netsim_queue.h"
#include "netsim_stats.h"

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

/* ------------------------------------------------------------------------- state ---- */

typedef struct router router_t;
typedef struct sim sim_t;

/* A router implementation, BookSim2's Router subclasses as an ops struct.  Phases of a cycle
 * (see netsim_sim.c): read_flit / read_credit take what a channel delivers this cycle, step
 * evaluates and updates the pipeline, write_outputs sends flits and credits into the channels. */
typedef struct {
    const char *name;
    /* Whether this implementation can run router r under cfg (ports and allocators built). */
    bool (*fits)(const sip_netsim_config_t *cfg, const router_t *r);
    void (*read_flit)(sim_t *s, router_t *r, int port, int32_t flit);
    void (*read_credit)(sim_t *s, router_t *r, int port, uint64_t vcs);
    void (*step)(sim_t *s, router_t *r);
    void (*write_outputs)(sim_t *s, router_t *r);
} sip__netsim_router_ops_t;

/* BookSim2's iq router stage for stage (any configuration), and the same router on bitsets for
 * the default single-cycle pipeline: identical results bit for bit (tests/netsim/test_fastpath.c). */
extern const sip__netsim_router_ops_t sip__netsim_router_iq, sip__netsim_router_iq_fast;

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

struct router {
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
    const sip__netsim_router_ops_t *ops; /* the implementation that steps this router */
    /* Bitset state of the fast implementation (sip__netsim_router_iq_fast): with the default
     * single-cycle pipeline each stage queue holds exactly the VCs in that stage, so it is kept
     * as a bitset over input VCs. */
    uint64_t m_route, m_va, m_sa; /* VCs routing, in VC allocation, active with a flit */
    uint64_t ov_busy;             /* output VCs with in_use_by >= 0 */
    uint64_t obuf_mask;           /* outputs with flits in obuf */
    int pending_out;     /* flits in obuf + credits in cbuf */
    int16_t *route_port; /* [n_nodes] output port towards each node */
    int16_t *next_la;    /* [n_out * n_nodes] port at the next router, -1 = none */
};

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
    int32_t ch; /* channel * 2, + 1 for a credit */
    int32_t flit;
    uint64_t vcs;
} witem_t;

typedef enum { ST_WARMING, ST_RUNNING, ST_DRAINING } sim_state_t;

struct sim {
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
    const sip_pattern_ops_t *pattern; /* destinations: traffic's pattern registry */
    sip_pattern_draw_t draw;
    stats_t stats;
    int64_t inflight, inflight_ctime, measured_inflight, credits_outstanding;
    int64_t flit_errors, replayed;
    bool oom;
    /* Delivery wheel: what arrives in cycle t (flits and credits, with their channel) is listed
     * in slot t & wheel_mask, so routers never poll idle links.  The slot spans the longest
     * possible flight (see sim_build), and a channel's arrivals keep their order. */
    witem_t **wheel;
    int *wheel_n, *wheel_cap;
    uint32_t wheel_mask;
};

/* ------------------------------------------------------------------------ channels ---- */

/* Grow wheel slot k (sets s->oom on failure). */
void sip__netsim_wheel_grow(sim_t *s, uint32_t k);
/* Send flit f over channel c in cycle now (link errors and go-back-N replay included). */
void sip__netsim_chan_send_flit(sim_t *s, chan_t *c, int32_t f);

static inline void wheel_add(sim_t *s, int32_t t, int32_t ch, int32_t flit, uint64_t vcs)
{
    uint32_t k = (uint32_t)t & s->wheel_mask;
    if (s->wheel_n[k] == s->wheel_cap[k]) {
        sip__netsim_wheel_grow(s, k);
        if (s->oom)
            return;
    }
    witem_t *w = &s->wheel[k][s->wheel_n[k]++];
    w->ch = ch;
    w->flit = flit;
    w->vcs = vcs;
}

static inline void chan_send_credit(sim_t *s, chan_t *c, uint64_t vcs)
{
    wheel_add(s, s->now + c->latency + 1, (int32_t)(c - s->ch) * 2 + 1, -1, vcs);
    s->credits_outstanding++;
}

/* --------------------------------------------------------------------------- routers ---- */

static inline int port_for(const router_t *r, int dest) { return r->route_port[dest]; }

/* Ports, buffers, allocators and the route table of every router, each router on the first
 * implementation that fits it (sip__netsim_router_iq_fast, else sip__netsim_router_iq).  The
 * channels and endpoints of s are built already. */
sip_status_t sip__netsim_routers_build(sim_t *s, sip_error_t *err);
void sip__netsim_routers_free(sim_t *s);
/* The read phase: everything the channels deliver this cycle, flits and credits, into the
 * routers (read_flit / read_credit) and the endpoints (ejection, injection credits). */
void sip__netsim_deliver(sim_t *s);
/* Every router's step (when active) and write_outputs (when it holds flits or credits). */
void sip__netsim_routers_step(sim_t *s);

#endif
