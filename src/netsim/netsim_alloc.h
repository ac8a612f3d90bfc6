/* netsim allocators: the VC and switch allocators of a router, each a small ops struct in a
 * const registry (netsim_alloc.c), as BookSim2 keeps them in src/allocators behind
 * Allocator::NewAllocator.  Adding one is one function and one row.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIP_NETSIM_ALLOC_H
#define SIP_NETSIM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipsim/netsim.h"

typedef struct alloc alloc_t;

typedef struct {
    const char *name; /* BookSim2's value of vc_allocator / sw_allocator */
    /* Match the requests added since the last clear: inmatch / outmatch (-1 = none). */
    void (*allocate)(alloc_t *a);
} sip__netsim_alloc_ops_t;

/* Registry row of an allocator, NULL when out of range. */
const sip__netsim_alloc_ops_t *sip__netsim_alloc_ops(sip_netsim_alloc_t kind);
/* Allocator of a BookSim2 name, or -1. */
int sip__netsim_alloc_lookup(const char *name);

/* Request matrix as bitsets, both ways, plus the label (input VC) and priority of each request
 * for the switch allocator (SparseAllocator keeps one request per (input, output)). */
struct alloc {
    int n_in, n_out, w_in, w_out;
    uint64_t *out_req; /* [n_out][w_in] */
    uint64_t *in_req;  /* [n_in][w_out] */
    int16_t *label;    /* [n_in * n_out], NULL for the VC allocator */
    int8_t *prio;
    int *gptr, *aptr, *inmatch, *outmatch, *grant;
    uint64_t *grant_mask; /* [n_in], single-word iSLIP */
    int *occ_in, n_occ_in;  /* inputs / outputs with requests this cycle */
    int *occ_out, n_occ_out;
    uint8_t *has_in, *has_out;
    const sip__netsim_alloc_ops_t *ops;
    int iters;
};

/* n_in x n_out requests; labels: keep a label (input VC) and priority per request (switch
 * allocation).  Returns 0, or -1 when out of memory (free with sip__netsim_alloc_free). */
int sip__netsim_alloc_init(alloc_t *a, int n_in, int n_out, bool labels, const sip__netsim_alloc_ops_t *ops,
                           int iters);
void sip__netsim_alloc_free(alloc_t *a);
/* Allocator::Clear: forget the requests and matches of the last cycle (only those touched). */
void sip__netsim_alloc_clear(alloc_t *a);

static inline bool bit_get(const uint64_t *b, int i) { return (b[i >> 6] >> (i & 63)) & 1u; }

static inline void alloc_add(alloc_t *a, int in, int out)
{
    a->in_req[(size_t)in * a->w_out + (out >> 6)] |= 1ull << (out & 63);
    a->out_req[(size_t)out * a->w_in + (in >> 6)] |= 1ull << (in & 63);
    if (!a->has_in[in]) {
        a->has_in[in] = 1;
        a->occ_in[a->n_occ_in++] = in;
    }
    if (!a->has_out[out]) {
        a->has_out[out] = 1;
        a->occ_out[a->n_occ_out++] = out;
    }
}

static inline bool alloc_has(const alloc_t *a, int in, int out)
{
    return a->has_in[in] && bit_get(&a->in_req[(size_t)in * a->w_out], out);
}

static inline void alloc_run(alloc_t *a) { a->ops->allocate(a); }

/* Round-robin pick from a one-word request mask: the first set bit at or after ptr, else the
 * first one (a BookSim2 round-robin arbiter with pointer ptr). */
static inline int rr_pick1(uint64_t m, int ptr)
{
    uint64_t hi = m & (~0ull << ptr);
    return hi ? __builtin_ctzll(hi) : __builtin_ctzll(m);
}

/* iSLIP (alloc_islip1 in netsim_alloc.c) on requests given as one-word bitsets, for the fast
 * router (up to 64 inputs and outputs, no priorities; iSLIP's result does not depend on the
 * order requests were added): out_req[o] holds the inputs requesting o for each o in out_mask
 * and is cleared on return.  Returns the matched inputs; match[i] is the output of each.
 * Inline, not an ops member: the fast router calls it twice per cycle, and through a pointer
 * it could not be inlined (measured with `sipsim bench netsim`). */
static inline uint64_t sip__netsim_islip_bits(alloc_t *a, uint64_t out_mask, int8_t *match)
{
    const int iters = a->iters, n_in = a->n_in, n_out = a->n_out;
    uint64_t *out_req = a->out_req, *gmask = a->grant_mask;
    int *gptr = a->gptr, *aptr = a->aptr;
    if (iters == 1) {
        /* one iteration: nothing matched yet, every input granted accepts (alloc_islip1) */
        uint64_t granted = 0;
        for (uint64_t om = out_mask; om; om &= om - 1) {
            int o = __builtin_ctzll(om);
            int i = rr_pick1(out_req[o], gptr[o]);
            out_req[o] = 0;
            uint64_t ib = 1ull << i;
            gmask[i] = (granted & ib ? gmask[i] : 0) | 1ull << o;
            granted |= ib;
        }
        for (uint64_t g = granted; g; g &= g - 1) {
            int i = __builtin_ctzll(g);
            int o = rr_pick1(gmask[i], aptr[i]);
            match[i] = (int8_t)o;
            gptr[o] = i + 1 == n_in ? 0 : i + 1;
            aptr[i] = o + 1 == n_out ? 0 : o + 1;
        }
        return granted;
    }
    uint64_t matched_in = 0, matched_out = 0;
    for (int iter = 0; iter < iters; iter++) {
        uint64_t granted = 0;
        for (uint64_t om = out_mask & ~matched_out; om; om &= om - 1) {
            int o = __builtin_ctzll(om);
            uint64_t m = out_req[o] & ~matched_in;
            if (!m)
                continue;
            int i = rr_pick1(m, gptr[o]);
            if (!(granted >> i & 1)) {
                granted |= 1ull << i;
                gmask[i] = 0;
            }
            gmask[i] |= 1ull << o;
        }
        if (!granted)
            break;
        for (; granted; granted &= granted - 1) {
            int i = __builtin_ctzll(granted);
            int o = rr_pick1(gmask[i], aptr[i]);
            match[i] = (int8_t)o;
            matched_in |= 1ull << i;
            matched_out |= 1ull << o;
            if (iter == 0) {
                gptr[o] = i + 1 == n_in ? 0 : i + 1;
                aptr[i] = o + 1 == n_out ? 0 : o + 1;
            }
        }
    }
    for (; out_mask; out_mask &= out_mask - 1)
        out_req[__builtin_ctzll(out_mask)] = 0;
    return matched_in;
}


#endif
