/* Bisection bandwidth: the minimum-weight balanced cut of the package graph.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Balanced = sides of floor(n/2) and ceil(n/2) vertices; weight = per-direction bandwidth of
 * the links cut.  Up to SIP_BISECTION_EXACT_MAX vertices every split is enumerated (C(24,12)
 * = 2.7 M at most, halved by symmetry when n is even).  Above that: Kernighan-Lin (Bell Syst.
 * Tech. J. 49(2), 1970) from three deterministic starts (split by x, by y, by breadth-first
 * order from vertex 0), best result kept: an upper bound on the true minimum.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"

/* Gains below this (GB/s) are rounding, not improvement. */
#define GAIN_EPS_GBPS 1e-9

static double mask_cut(const sip_graph_t *g, uint32_t mask)
{
    double cut = 0;
    for (int k = 0; k < g->n_edges; k++) {
        const sip_graph_edge_t *e = &g->edges[k];
        if (((mask >> e->from) ^ (mask >> e->to)) & 1u)
            cut += e->bandwidth_GBps;
    }
    return cut;
}

/* Next integer with the same number of set bits (Gosper's hack); x must be non-zero. */
static uint32_t next_combination(uint32_t x)
{
    uint32_t c = x & (~x + 1u), r = x + c;
    return (((r ^ x) >> 2) / c) | r;
}

static void exact(const sip_graph_t *g, bool *side, double *cut_GBps)
{
    int n = g->n_vertices;
    double best = INFINITY;
    uint32_t best_mask = 0;
    if (n % 2 == 0) {
        /* Vertex 0 always in the set: each split is seen once. */
        int m = n - 1, k = n / 2 - 1;
        if (k == 0) {
            best_mask = 1u;
            best = mask_cut(g, best_mask);
        } else {
            for (uint32_t x = (1u << k) - 1; x < (1u << m); x = next_combination(x)) {
                uint32_t mask = 1u | (x << 1);
                double c = mask_cut(g, mask);
                if (c < best - GAIN_EPS_GBPS) {
                    best = c;
                    best_mask = mask;
                }
            }
        }
    } else {
        int k = n / 2;
        for (uint32_t x = (1u << k) - 1; x < (1u << n); x = next_combination(x)) {
            double c = mask_cut(g, x);
            if (c < best - GAIN_EPS_GBPS) {
                best = c;
                best_mask = x;
            }
        }
    }
    bool flip = best_mask & 1u; /* vertex 0 on the false side */
    for (int v = 0; v < n; v++)
        side[v] = (((best_mask >> v) & 1u) != 0) != flip;
    *cut_GBps = best;
}

/* ---- Kernighan-Lin ---- */

typedef struct {
    int n;
    double *w;     /* n x n summed link bandwidth (parallel links add) */
    double *d;     /* external minus internal cost per vertex */
    bool *locked;
    int *order_a, *order_b;
    int *swap_a, *swap_b;
    double *gain;
} kl_t;

static int by_d_desc(const void *x, const void *y, const double *d)
{
    double a = d[*(const int *)x], b = d[*(const int *)y];
    if (a != b)
        return a < b ? 1 : -1;
    return *(const int *)x - *(const int *)y;
}

/* Stable merge sort of indices by d, descending (qsort has no context argument). */
static void sort_desc(int *idx, int n, const double *d, int *tmp)
{
    if (n < 2)
        return;
    int h = n / 2;
    sort_desc(idx, h, d, tmp);
    sort_desc(idx + h, n - h, d, tmp);
    int i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = by_d_desc(&idx[i], &idx[j], d) <= 0 ? idx[i++] : idx[j++];
    while (i < h)
        tmp[o++] = idx[i++];
    while (j < n)
        tmp[o++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

static double side_cut(const kl_t *kl, const bool *side)
{
    double cut = 0;
    for (int a = 0; a < kl->n; a++)
        for (int b = a + 1; b < kl->n; b++)
            if (side[a] != side[b])
                cut += kl->w[(size_t)a * kl->n + b];
    return cut;
}

/* One KL pass; returns true if it improved the cut. */
static bool kl_pass(kl_t *kl, bool *side, int *tmp)
{
    int n = kl->n;
    const double *w = kl->w;
    for (int v = 0; v < n; v++) {
        double ext = 0, in = 0;
        for (int u = 0; u < n; u++)
            if (u != v)
                *(side[u] != side[v] ? &ext : &in) += w[(size_t)v * n + u];
        kl->d[v] = ext - in;
        kl->locked[v] = false;
    }
    int steps = 0;
    for (;;) {
        int na = 0, nb = 0;
        for (int v = 0; v < n; v++)
            if (!kl->locked[v])
                (side[v] ? kl->order_b : kl->order_a)[side[v] ? nb++ : na++] = v;
        if (na == 0 || nb == 0)
            break;
        sort_desc(kl->order_a, na, kl->d, tmp);
        sort_desc(kl->order_b, nb, kl->d, tmp);
        double best = -INFINITY;
        int ba = -1, bb = -1;
        for (int i = 0; i < na; i++) {
            int a = kl->order_a[i];
            if (kl->d[a] + kl->d[kl->order_b[0]] <= best)
                break; /* no later pair can beat it: weights only lower the gain */
            for (int j = 0; j < nb; j++) {
                int b = kl->order_b[j];
                if (kl->d[a] + kl->d[b] <= best)
                    break;
                double gain = kl->d[a] + kl->d[b] - 2 * w[(size_t)a * n + b];
                if (gain > best) {
                    best = gain;
                    ba = a;
                    bb = b;
                }
            }
        }
        kl->swap_a[steps] = ba;
        kl->swap_b[steps] = bb;
        kl->gain[steps] = best;
        steps++;
        kl->locked[ba] = kl->locked[bb] = true;
        /* Update D as if a and b had swapped sides. */
        for (int v = 0; v < n; v++) {
            if (kl->locked[v])
                continue;
            double wa = w[(size_t)v * n + ba], wb = w[(size_t)v * n + bb];
            kl->d[v] += side[v] == side[ba] ? 2 * wa - 2 * wb : 2 * wb - 2 * wa;
        }
    }
    double sum = 0, best_sum = 0;
    int best_k = 0;
    for (int k = 0; k < steps; k++) {
        sum += kl->gain[k];
        if (sum > best_sum + GAIN_EPS_GBPS) {
            best_sum = sum;
            best_k = k + 1;
        }
    }
    for (int k = 0; k < best_k; k++) {
        side[kl->swap_a[k]] = !side[kl->swap_a[k]];
        side[kl->swap_b[k]] = !side[kl->swap_b[k]];
    }
    return best_k > 0;
}

/* Start orders: by x, by y (stable, ties by index), breadth-first from vertex 0. */
static void start_order(const sip_graph_t *g, int which, int *order, double *key)
{
    int n = g->n_vertices;
    for (int v = 0; v < n; v++)
        order[v] = v;
    if (which < 2) {
        for (int v = 0; v < n; v++)
            key[v] = which == 0 ? g->vertices[v].x_mm : g->vertices[v].y_mm;
        /* Stable ascending sort on key (merge sort on the negated key). */
        for (int v = 0; v < n; v++)
            key[v] = -key[v];
        sort_desc(order, n, key, order + n);
        return;
    }
    bool *seen = (bool *)key; /* n doubles are room enough for n bools */
    for (int v = 0; v < n; v++)
        seen[v] = false;
    int head = 0, tail = 0;
    for (int s = 0; s < n; s++) {
        if (seen[s])
            continue;
        seen[s] = true;
        order[tail++] = s;
        while (head < tail) {
            int v = order[head++];
            for (int k = 0; k < g->n_edges; k++) {
                const sip_graph_edge_t *e = &g->edges[k];
                int u = e->from == v ? e->to : e->to == v ? e->from : -1;
                if (u >= 0 && !seen[u]) {
                    seen[u] = true;
                    order[tail++] = u;
                }
            }
        }
    }
}

static sip_status_t kernighan_lin(const sip_graph_t *g, bool *side, double *cut_GBps)
{
    int n = g->n_vertices;
    sip_status_t st = SIP_ENOMEM;
    kl_t kl = {.n = n};
    kl.w = calloc((size_t)n * n, sizeof *kl.w);
    kl.d = malloc((size_t)n * sizeof *kl.d);
    kl.locked = malloc((size_t)n * sizeof *kl.locked);
    kl.order_a = malloc((size_t)n * sizeof *kl.order_a);
    kl.order_b = malloc((size_t)n * sizeof *kl.order_b);
    kl.swap_a = malloc((size_t)n * sizeof *kl.swap_a);
    kl.swap_b = malloc((size_t)n * sizeof *kl.swap_b);
    kl.gain = malloc((size_t)n * sizeof *kl.gain);
    int *order = malloc(2 * (size_t)n * sizeof *order);
    int *tmp = malloc((size_t)n * sizeof *tmp);
    double *key = malloc((size_t)n * sizeof *key);
    bool *trial = malloc((size_t)n * sizeof *trial);
    if (!kl.w || !kl.d || !kl.locked || !kl.order_a || !kl.order_b || !kl.swap_a ||
        !kl.swap_b || !kl.gain || !order || !tmp || !key || !trial)
        goto out;
    for (int k = 0; k < g->n_edges; k++) {
        const sip_graph_edge_t *e = &g->edges[k];
        if (e->from == e->to)
            continue;
        kl.w[(size_t)e->from * n + e->to] += e->bandwidth_GBps;
        kl.w[(size_t)e->to * n + e->from] += e->bandwidth_GBps;
    }
    double best = INFINITY;
    for (int s = 0; s < 3; s++) {
        start_order(g, s, order, key);
        for (int i = 0; i < n; i++)
            trial[order[i]] = i >= n / 2;
        /* Each pass strictly lowers the cut; n passes bound the loop against float cycling. */
        for (int pass = 0; pass < n && kl_pass(&kl, trial, tmp); pass++)
            ;
        double c = side_cut(&kl, trial);
        if (c < best - GAIN_EPS_GBPS) {
            best = c;
            bool flip = trial[0];
            for (int v = 0; v < n; v++)
                side[v] = trial[v] != flip;
        }
    }
    *cut_GBps = best;
    st = SIP_OK;
out:
    free(kl.w);
    free(kl.d);
    free(kl.locked);
    free(kl.order_a);
    free(kl.order_b);
    free(kl.swap_a);
    free(kl.swap_b);
    free(kl.gain);
    free(order);
    free(tmp);
    free(key);
    free(trial);
    return st;
}

sip_status_t sip__graph_bisection(const sip_graph_t *g, bool *side, double *cut_GBps,
                                  sip_bisection_method_t *method)
{
    int n = g->n_vertices;
    for (int v = 0; v < n; v++)
        side[v] = false;
    *cut_GBps = 0;
    if (n < 2) {
        *method = SIP_BISECTION_NONE;
        return SIP_OK;
    }
    if (n <= SIP_BISECTION_EXACT_MAX) {
        *method = SIP_BISECTION_EXACT;
        exact(g, side, cut_GBps);
        return SIP_OK;
    }
    *method = SIP_BISECTION_KERNIGHAN_LIN;
    return kernighan_lin(g, side, cut_GBps);
}
