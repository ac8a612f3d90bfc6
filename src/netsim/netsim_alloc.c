/* netsim allocators (netsim_alloc.h): BookSim2's separable iSLIP (allocators/islip.cpp) and
 * separable input-first (allocators/separable_input_first.cpp) allocators with round-robin
 * arbiters, on request matrices kept as bitsets.  SPDX-License-Identifier: GPL-3.0-or-later */
#include "netsim_alloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int sip__netsim_alloc_init(alloc_t *a, int n_in, int n_out, bool labels, const sip__netsim_alloc_ops_t *ops,
                           int iters)
{
    memset(a, 0, sizeof *a);
    a->n_in = n_in;
    a->n_out = n_out;
    a->w_in = (n_in + 63) / 64;
    a->w_out = (n_out + 63) / 64;
    a->ops = ops;
    a->iters = iters < 1 ? 1 : iters;
    a->out_req = calloc((size_t)n_out * a->w_in, sizeof(uint64_t));
    a->in_req = calloc((size_t)n_in * a->w_out, sizeof(uint64_t));
    a->gptr = calloc((size_t)n_out, sizeof(int));
    a->aptr = calloc((size_t)n_in, sizeof(int));
    a->inmatch = malloc((size_t)n_in * sizeof(int));
    a->outmatch = malloc((size_t)n_out * sizeof(int));
    a->grant = malloc((size_t)n_out * sizeof(int));
    a->grant_mask = calloc((size_t)n_in + 1, sizeof(uint64_t));
    a->occ_in = malloc((size_t)n_in * sizeof(int));
    a->occ_out = malloc((size_t)n_out * sizeof(int));
    a->has_in = calloc((size_t)n_in, 1);
    a->has_out = calloc((size_t)n_out, 1);
    if (labels) {
        a->label = malloc((size_t)n_in * n_out * sizeof(int16_t));
        a->prio = malloc((size_t)n_in * n_out);
    }
    if (!a->out_req || !a->in_req || !a->gptr || !a->aptr || !a->inmatch || !a->outmatch ||
        !a->grant || !a->grant_mask || !a->occ_in || !a->occ_out || !a->has_in || !a->has_out ||
        (labels && (!a->label || !a->prio)))
        return -1;
    for (int i = 0; i < n_in; i++)
        a->inmatch[i] = -1;
    for (int o = 0; o < n_out; o++)
        a->outmatch[o] = -1;
    return 0;
}

void sip__netsim_alloc_free(alloc_t *a)
{
    free(a->out_req);
    free(a->in_req);
    free(a->label);
    free(a->prio);
    free(a->gptr);
    free(a->aptr);
    free(a->inmatch);
    free(a->outmatch);
    free(a->grant);
    free(a->grant_mask);
    free(a->occ_in);
    free(a->occ_out);
    free(a->has_in);
    free(a->has_out);
}

void sip__netsim_alloc_clear(alloc_t *a)
{
    if (a->w_in == 1 && a->w_out == 1) {
        for (int k = 0; k < a->n_occ_in; k++) {
            int i = a->occ_in[k];
            a->in_req[i] = 0;
            a->has_in[i] = 0;
            a->inmatch[i] = -1;
        }
        for (int k = 0; k < a->n_occ_out; k++) {
            int o = a->occ_out[k];
            a->out_req[o] = 0;
            a->has_out[o] = 0;
            a->outmatch[o] = -1;
        }
        a->n_occ_in = a->n_occ_out = 0;
        return;
    }
    for (int k = 0; k < a->n_occ_in; k++) {
        int i = a->occ_in[k];
        for (int w = 0; w < a->w_out; w++)
            a->in_req[(size_t)i * a->w_out + w] = 0;
        a->has_in[i] = 0;
        a->inmatch[i] = -1;
    }
    for (int k = 0; k < a->n_occ_out; k++) {
        int o = a->occ_out[k];
        for (int w = 0; w < a->w_in; w++)
            a->out_req[(size_t)o * a->w_in + w] = 0;
        a->has_out[o] = 0;
        a->outmatch[o] = -1;
    }
    a->n_occ_in = a->n_occ_out = 0;
}

/* Round-robin iteration over the set bits of a bitset: positions from, from+1, ..., n-1, 0, ...,
 * from-1 (the order a BookSim2 round-robin arbiter with pointer `from` scans its requests). */
typedef struct {
    int from, n, pos, pass;
} rr_it_t;

static inline int first_set(const uint64_t *b, int start, int end)
{
    while (start < end) {
        int w = start >> 6;
        uint64_t bits = b[w] >> (start & 63);
        if (bits) {
            int c = start + __builtin_ctzll(bits);
            return c < end ? c : -1;
        }
        start = (w + 1) << 6;
    }
    return -1;
}

static inline int rr_next(const uint64_t *b, rr_it_t *it)
{
    for (;;) {
        int end = it->pass == 0 ? it->n : it->from;
        int c = first_set(b, it->pos, end);
        if (c >= 0) {
            it->pos = c + 1;
            return c;
        }
        if (it->pass == 1)
            return -1;
        it->pass = 1;
        it->pos = 0;
    }
}

static inline rr_it_t rr_begin(int from, int n)
{
    rr_it_t it = {from, n, from, 0};
    return it;
}

/* iSLIP_Sparse::Allocate (allocators/islip.cpp:45-160): grant by round-robin from gptr, accept by
 * round-robin from aptr, pointers move only on a first-iteration accept. */
/* Single-word case (up to 64 inputs and outputs, e.g. radix 5 x 4 VCs): the same algorithm with
 * the round-robin searches done by masking and counting trailing zeros. */

static void alloc_islip1(alloc_t *a)
{
    uint64_t matched_in = 0, matched_out = 0;
    uint64_t *gmask = (uint64_t *)a->grant_mask;
    for (int iter = 0; iter < a->iters; iter++) {
        for (int k = 0; k < a->n_occ_in; k++)
            gmask[a->occ_in[k]] = 0;
        bool any = false;
        for (int k = 0; k < a->n_occ_out; k++) {
            int o = a->occ_out[k];
            if (matched_out >> o & 1)
                continue;
            uint64_t m = a->out_req[o] & ~matched_in;
            if (!m)
                continue;
            gmask[rr_pick1(m, a->gptr[o])] |= 1ull << o;
            any = true;
        }
        if (!any)
            break;
        for (int k = 0; k < a->n_occ_in; k++) {
            int i = a->occ_in[k];
            uint64_t g = gmask[i];
            if (!g)
                continue;
            int o = rr_pick1(g, a->aptr[i]);
            a->inmatch[i] = o;
            a->outmatch[o] = i;
            matched_in |= 1ull << i;
            matched_out |= 1ull << o;
            if (iter == 0) {
                a->gptr[o] = i + 1 == a->n_in ? 0 : i + 1;
                a->aptr[i] = o + 1 == a->n_out ? 0 : o + 1;
            }
        }
    }
}

static void alloc_islip(alloc_t *a)
{
    if (a->w_in == 1 && a->w_out == 1) {
        alloc_islip1(a);
        return;
    }
    for (int iter = 0; iter < a->iters; iter++) {
        for (int k = 0; k < a->n_occ_out; k++) {
            int o = a->occ_out[k];
            a->grant[o] = -1;
            if (a->outmatch[o] != -1)
                continue;
            rr_it_t it = rr_begin(a->gptr[o], a->n_in);
            const uint64_t *col = &a->out_req[(size_t)o * a->w_in];
            int i;
            while ((i = rr_next(col, &it)) >= 0)
                if (a->inmatch[i] == -1) {
                    a->grant[o] = i;
                    break;
                }
        }
        for (int k = 0; k < a->n_occ_in; k++) {
            int i = a->occ_in[k];
            rr_it_t it = rr_begin(a->aptr[i], a->n_out);
            const uint64_t *row = &a->in_req[(size_t)i * a->w_out];
            int o;
            while ((o = rr_next(row, &it)) >= 0) {
                if (a->grant[o] == i && a->outmatch[o] == -1) {
                    a->inmatch[i] = o;
                    a->outmatch[o] = i;
                    if (iter == 0) {
                        a->gptr[o] = (i + 1) % a->n_in;
                        a->aptr[i] = (o + 1) % a->n_out;
                    }
                    break;
                }
            }
        }
        for (int k = 0; k < a->n_occ_out; k++)
            a->grant[a->occ_out[k]] = -1;
    }
}

/* SeparableInputFirstAllocator with round-robin arbiters (allocators/separable_input_first.cpp):
 * each input picks one request (priority first, then round-robin), each output picks among the
 * inputs that chose it; both pointers move past a match. */
static void alloc_separable_if(alloc_t *a)
{
    for (int k = 0; k < a->n_occ_out; k++)
        a->grant[a->occ_out[k]] = -1;
    /* output arbiters see at most one request per input: keep them in a per-output bitset by
     * reusing grant[] as "best input so far" with round-robin comparison. */
    for (int k = 0; k < a->n_occ_in; k++) {
        int i = a->occ_in[k];
        const uint64_t *row = &a->in_req[(size_t)i * a->w_out];
        int best = -1, best_pri = INT_MIN, o;
        rr_it_t it = rr_begin(a->aptr[i], a->n_out);
        while ((o = rr_next(row, &it)) >= 0) {
            int pri = a->prio ? a->prio[(size_t)i * a->n_out + o] : 0;
            if (best < 0 || pri > best_pri) {
                best = o;
                best_pri = pri;
            }
        }
        if (best < 0)
            continue;
        int g = a->grant[best];
        if (g < 0) {
            a->grant[best] = i;
        } else {
            int pi = a->prio ? a->prio[(size_t)i * a->n_out + best] : 0;
            int pg = a->prio ? a->prio[(size_t)g * a->n_out + best] : 0;
            int n = a->n_in, off = a->gptr[best];
            if (pi > pg || (pi == pg && (i - off + n) % n < (g - off + n) % n))
                a->grant[best] = i;
        }
    }
    for (int k = 0; k < a->n_occ_out; k++) {
        int o = a->occ_out[k];
        int i = a->grant[o];
        if (i < 0)
            continue;
        a->inmatch[i] = o;
        a->outmatch[o] = i;
        a->aptr[i] = (o + 1) % a->n_out;
        a->gptr[o] = (i + 1) % a->n_in;
        a->grant[o] = -1;
    }
}

static const sip__netsim_alloc_ops_t alloc_registry[SIP_NETSIM_ALLOC_COUNT] = {
    [SIP_NETSIM_ALLOC_ISLIP] = {"islip", alloc_islip},
    [SIP_NETSIM_ALLOC_SEPARABLE_IF] = {"separable_input_first", alloc_separable_if},
};

const sip__netsim_alloc_ops_t *sip__netsim_alloc_ops(sip_netsim_alloc_t kind)
{
    return kind >= 0 && kind < SIP_NETSIM_ALLOC_COUNT ? &alloc_registry[kind] : NULL;
}

int sip__netsim_alloc_lookup(const char *name)
{
    for (int k = 0; k < SIP_NETSIM_ALLOC_COUNT; k++)
        if (strcmp(alloc_registry[k].name, name) == 0)
            return k;
    return -1;
}
