/* SCALE-Sim v2's trace-driven memory system, re-implemented in C (our code, not SCALE-Sim's) so
 * that total cycles with a finite DRAM bandwidth ("USER" mode: compute + stall cycles) equal
 * SCALE-Sim's exactly.  The closed forms in systolic.c give the stall-free schedule; stalls
 * depend on which address every cycle asks for, so this is the slow "detailed" path: it builds
 * the same operand, prefetch and demand matrices as SCALE-Sim v2 @ 22f88b1 and replays the
 * demand one line per cycle through the double-buffered scratchpad.  Sources (v2 tree):
 *   compute/operand_matrix.py          im2col addresses of ifmap, filter, ofmap
 *   compute/systolic_compute_{os,ws,is}.py  prefetch matrices (diagonal roll-out for some),
 *                                      demand matrices (fold order, null prefixes, skew, flip)
 *   memory/double_buffered_scratchpad_mem.py:155-209  the per-line loop and stall sum
 *   memory/read_buffer.py              set-hashed active/prefetch windows, new_prefetch timing
 *   memory/read_port.py (latency 1), memory/write_buffer.py, write_port.py (latency 0)
 * Everything is in words (SCALE-Sim's word_size is 1 byte, single_layer_sim.py:132).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "sipsim/kernels.h"

/* ------------------------------------------------------------------ matrices (-1 = null) */

typedef struct {
    int64_t r, c;
    int32_t *d;
} mat_t;

static bool mat_alloc(mat_t *m, int64_t r, int64_t c)
{
    m->r = r;
    m->c = c;
    m->d = malloc((size_t)(r * c > 0 ? r * c : 1) * sizeof *m->d);
    if (!m->d)
        return false;
    for (int64_t i = 0; i < r * c; i++)
        m->d[i] = -1;
    return true;
}

#define AT(m, i, j) ((m)->d[(i) * (m)->c + (j)])

/* Rows appended one block at a time (np.concatenate along axis 0). */
typedef struct {
    int64_t rows, cap, c;
    int32_t *d;
} rows_t;

static int32_t *rows_add(rows_t *b, int64_t n)
{
    if (b->rows + n > b->cap) {
        int64_t cap = b->cap ? b->cap : 1024;
        while (cap < b->rows + n)
            cap *= 2;
        int32_t *p = realloc(b->d, (size_t)(cap * b->c) * sizeof *p);
        if (!p)
            return NULL;
        b->d = p;
        b->cap = cap;
    }
    int32_t *out = b->d + b->rows * b->c;
    for (int64_t i = 0; i < n * b->c; i++)
        out[i] = -1;
    b->rows += n;
    return out;
}

/* One fold block (rows x cols, already padded), optionally flipped, prefixed and suffixed with
 * null rows, then skewed (skew_matrix: column c shifted down by c), appended to `b`. */
static bool add_block(rows_t *b, const mat_t *blk, bool flip, int64_t prefix, int64_t suffix,
                      bool skew)
{
    int64_t rows = prefix + blk->r + suffix, cols = blk->c;
    int64_t out_rows = skew ? rows + cols - 1 : rows;
    int32_t *o = rows_add(b, out_rows);
    if (!o)
        return false;
    for (int64_t i = 0; i < blk->r; i++) {
        int64_t src = flip ? blk->r - 1 - i : i;
        for (int64_t j = 0; j < cols; j++)
            o[(prefix + i + (skew ? j : 0)) * cols + j] = AT(blk, src, j);
    }
    return true;
}

/* Sub-matrix [r0, r1) x [c0, c1) of src (transposed first when `trans`), padded with nulls to
 * out_r x out_c. */
static bool block_of(mat_t *out, const mat_t *src, bool trans, int64_t r0, int64_t r1, int64_t c0,
                     int64_t c1, int64_t out_r, int64_t out_c)
{
    if (!mat_alloc(out, out_r, out_c))
        return false;
    for (int64_t i = r0; i < r1; i++)
        for (int64_t j = c0; j < c1; j++)
            AT(out, i - r0, j - c0) = trans ? AT(src, j, i) : AT(src, i, j);
    return true;
}

/* Prefetch order: row-major, or rolled out along anti-diagonals (os.py create_*_prefetch_mat,
 * "Fixing ISSUE #15, #16"). */
static int32_t *rolled(const rows_t *p, bool diag)
{
    int64_t M = p->rows, N = p->c, idx = 0;
    int32_t *out = malloc((size_t)(M * N > 0 ? M * N : 1) * sizeof *out);
    if (!out)
        return NULL;
    if (!diag) {
        memcpy(out, p->d, (size_t)(M * N) * sizeof *out);
        return out;
    }
    for (int64_t dg = 0; dg < M + N; dg++) {
        int64_t hi = dg < M - 1 ? dg : M - 1, lo = dg - N + 1 > 0 ? dg - N + 1 : 0;
        for (int64_t row = hi; row >= lo; row--)
            out[idx++] = p->d[row * N + (dg - row)];
    }
    return out;
}

/* ------------------------------------------------------------------ read buffer */

typedef struct {
    int64_t total, active_size, prefetch_size, bw;
    int64_t n_sets, n_active_sets, n_prefetch_sets;
    int64_t win_start, win_end;
    bool active_full;
    double last_prefetch;
    /* addr -> set ids holding it (CSR over addr - base) */
    int64_t base, span;
    int64_t *first;            /* span + 1 */
    int64_t *ids;
} rdbuf_t;

static bool rdbuf_init(rdbuf_t *rb, int64_t total, int64_t bw, const int32_t *fetch, int64_t n)
{
    memset(rb, 0, sizeof *rb);
    rb->total = total;
    rb->active_size = (total + 1) / 2; /* ceil(total x 0.5) */
    rb->prefetch_size = total - rb->active_size;
    rb->bw = bw;
    rb->last_prefetch = -1;
    /* prepare_hashed_buffer: sets of ceil(total / 100) valid addresses in fetch order (the
     * fetch matrix is the prefetch vector in lines of bw; nulls skipped). */
    int64_t eps = (total + 99) / 100;
    int64_t lo = INT64_MAX, hi = -1;
    for (int64_t i = 0; i < n; i++)
        if (fetch[i] != -1) {
            lo = fetch[i] < lo ? fetch[i] : lo;
            hi = fetch[i] > hi ? fetch[i] : hi;
        }
    if (hi < 0)
        lo = hi = 0;
    rb->base = lo;
    rb->span = hi - lo + 1;
    rb->first = calloc((size_t)rb->span + 1, sizeof *rb->first);
    int64_t *last = malloc((size_t)rb->span * sizeof *last);
    if (!rb->first || !last) {
        free(last);
        return false;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int64_t a = 0; a < rb->span; a++)
            last[a] = -1;
        int64_t set = 0, ctr = 0;
        for (int64_t i = 0; i < n; i++) {
            if (fetch[i] == -1)
                continue;
            int64_t a = fetch[i] - lo;
            if (last[a] != set) {
                last[a] = set;
                if (pass == 0)
                    rb->first[a + 1]++;
                else
                    rb->ids[rb->first[a]++] = set;
            }
            if (++ctr >= eps) {
                set++;
                ctr = 0;
            }
        }
        if (pass == 0) {
            rb->n_sets = set + 1;
            for (int64_t a = 0; a < rb->span; a++)
                rb->first[a + 1] += rb->first[a];
            rb->ids = malloc((size_t)(rb->first[rb->span] > 0 ? rb->first[rb->span] : 1) *
                             sizeof *rb->ids);
            if (!rb->ids) {
                free(last);
                return false;
            }
        } else {
            /* first[a] was advanced to the end of a's run: shift back. */
            for (int64_t a = rb->span; a > 0; a--)
                rb->first[a] = rb->first[a - 1];
            rb->first[0] = 0;
        }
    }
    free(last);
    int64_t max_active = (rb->active_size + eps - 1) / eps;
    int64_t max_prefetch = (rb->prefetch_size + eps - 1) / eps;
    rb->n_active_sets = rb->n_sets > max_active ? max_active : rb->n_sets;
    int64_t rest = rb->n_sets - rb->n_active_sets;
    rb->n_prefetch_sets = rest > max_prefetch ? max_prefetch : rest;
    return true;
}

static void rdbuf_free(rdbuf_t *rb)
{
    free(rb->first);
    free(rb->ids);
}

/* active_buffer_hit: is one of addr's sets in the (circular) active window? */
static bool rdbuf_hit(const rdbuf_t *rb, int64_t addr)
{
    int64_t a = addr - rb->base;
    if (a < 0 || a >= rb->span)
        return false;
    for (int64_t k = rb->first[a]; k < rb->first[a + 1]; k++) {
        int64_t s = rb->ids[k];
        if (rb->win_start < rb->win_end ? (s >= rb->win_start && s < rb->win_end)
                                        : (s >= rb->win_start || s < rb->win_end))
            return true;
    }
    return false;
}

/* service_reads for one demand line at `cycle`; returns the cycle it is served. */
static double rdbuf_read(rdbuf_t *rb, const int32_t *line, int64_t n, double cycle, bool *stuck)
{
    if (!rb->active_full) {
        /* prefetch_active_buffer: the requests end one cycle before the first demand. */
        rb->last_prefetch = cycle - 1;
        rb->win_start = 0;
        rb->win_end = rb->n_active_sets;
        rb->active_full = true;
    }
    double offset = 1; /* hit latency */
    int64_t lines = (rb->prefetch_size + rb->bw - 1) / rb->bw;
    for (int64_t i = 0; i < n; i++) {
        if (line[i] == -1)
            continue;
        int64_t guard = 0;
        while (!rdbuf_hit(rb, line[i])) {
            /* new_prefetch: the window slides by the prefetch sets; the request lines are
             * issued one per cycle after the last one returned, each back after the read
             * port's latency of 1. */
            rb->win_start = (rb->win_start + rb->n_prefetch_sets) % rb->n_sets;
            rb->win_end = (rb->win_start + rb->n_active_sets) % rb->n_sets;
            rb->last_prefetch = rb->last_prefetch + (double)(lines - 1) + 1 + 1;
            double stall = rb->last_prefetch - (cycle + offset);
            if (stall > 0)
                offset += stall;
            if (++guard > rb->n_sets + 1) {
                *stuck = true; /* SCALE-Sim would loop forever: the address is never fetched */
                return cycle + offset;
            }
        }
    }
    return cycle + offset;
}

/* ------------------------------------------------------------------ write buffer */

typedef struct {
    int64_t total, drain_size, bw;
    int64_t free_space;
    double drain_end;
    int64_t line_idx;           /* words in the line being filled */
    int64_t n_rows, cap;        /* rows pushed: into the cache, then the trace matrix */
    int32_t *valid;             /* valid words of each row */
    int64_t n_trace;            /* rows moved to the trace matrix */
    int64_t drain_start;        /* first row not yet drained */
} wrbuf_t;

static bool wr_push_row(wrbuf_t *wb, int64_t valid)
{
    if (wb->n_rows == wb->cap) {
        int64_t cap = wb->cap ? 2 * wb->cap : 1024;
        int32_t *p = realloc(wb->valid, (size_t)cap * sizeof *p);
        if (!p)
            return false;
        wb->valid = p;
        wb->cap = cap;
    }
    wb->valid[wb->n_rows++] = (int32_t)valid;
    return true;
}

/* append_to_trace_mat: the cache (rows n_trace .. n_rows) joins the trace matrix. */
static bool wr_flush(wrbuf_t *wb, bool force)
{
    if (force && wb->line_idx != 0) {
        if (!wr_push_row(wb, wb->line_idx))
            return false;
        wb->line_idx = 0;
    }
    wb->n_trace = wb->n_rows;
    return true;
}

/* empty_drain_buf: drain lines go out one per cycle (write port latency 0). */
static double wr_drain(wrbuf_t *wb, double start)
{
    int64_t lines = (wb->drain_size + wb->bw - 1) / wb->bw;
    int64_t end = wb->drain_start + lines < wb->n_trace ? wb->drain_start + lines : wb->n_trace;
    int64_t n = end - wb->drain_start;
    if (n <= 0)
        return start - 1; /* SCALE-Sim would index an empty slice here; never reached */
    /* Only the last line's nulls are discounted (write_buffer.py empty_drain_buf). */
    wb->free_space += (n - 1) * wb->bw + wb->valid[end - 1];
    wb->drain_start = end;
    return start + (double)(n - 1);
}

static double wrbuf_write(wrbuf_t *wb, const int32_t *line, int64_t n, double cycle, bool *oom)
{
    double cur = cycle;
    for (int64_t i = 0; i < n; i++) {
        if (line[i] == -1)
            continue;
        /* store_to_trace_mat_cache */
        wb->line_idx++;
        wb->free_space--;
        if (wb->line_idx >= wb->bw) {
            if (!wr_push_row(wb, wb->bw)) {
                *oom = true;
                return cur;
            }
            wb->line_idx = 0;
            if (wb->n_rows - wb->n_trace >= 1024) /* max_cache_lines */
                wr_flush(wb, false);
        }
        if (cur < wb->drain_end) {
            if (!(wb->free_space > 0))
                cur = wb->drain_end;
        } else if (wb->free_space < wb->total - wb->drain_size) {
            if (!wr_flush(wb, true)) {
                *oom = true;
                return cur;
            }
            wb->drain_end = wr_drain(wb, cur);
        }
    }
    return cur;
}

/* ------------------------------------------------------------------ the layer */

sip_status_t sip_systolic_conv_detailed(const sip_scalesim_memory_t *mem, int rows, int cols,
                                        sip_dataflow_t dataflow, const sip_conv_t *cv,
                                        sip_systolic_detailed_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (rows < 1 || cols < 1 || (unsigned)dataflow >= SIP_DATAFLOW_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "systolic array %d x %d, dataflow %d "
                             "(expected rows, cols >= 1 and os, ws or is)", rows, cols,
                             (int)dataflow);
    if (mem->ifmap_words < 2 || mem->filter_words < 2 || mem->ofmap_words < 2 ||
        mem->dram_words_per_cycle < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "scratchpads of %lld, %lld, %lld words at "
                             "%lld words/cycle (expected >= 2 words each and >= 1 word/cycle)",
                             (long long)mem->ifmap_words, (long long)mem->filter_words,
                             (long long)mem->ofmap_words, (long long)mem->dram_words_per_cycle);
    if (cv->pad != 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "pad %lld (expected 0: SCALE-Sim does not "
                             "pad)", (long long)cv->pad);
    int64_t M, N, K;
    SIP_TRY(sip_conv_lower(cv, &M, &N, &K, err));
    /* Addresses must fit SCALE-Sim's int32 operand matrices ('>i4'). */
    const int64_t off_if = 0, off_f = 100000000, off_o = 200000000;
    if (cv->in_h * cv->in_w * cv->channels >= off_f || K * N >= off_f || M * N >= off_f ||
        M * K > ((int64_t)1 << 31) / 4)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0, "layer too large for the detailed "
                             "model (expected operands below 10^8 words)");
    const int64_t R = rows, C = cols;
    sip_status_t st = SIP_ENOMEM;
    mat_t ifm = {0}, flt = {0}, ofm = {0}, blk = {0};
    rows_t pf_if = {.c = 0}, pf_f = {.c = 0}, dm_if = {0}, dm_f = {0}, dm_o = {0};
    int32_t *fetch_if = NULL, *fetch_f = NULL;
    rdbuf_t rb_if = {0}, rb_f = {0};
    wrbuf_t wb = {0};
    /* operand_matrix.py: ifmap M x K (im2col), filter K x N, ofmap M x N. */
    if (!mat_alloc(&ifm, M, K) || !mat_alloc(&flt, K, N) || !mat_alloc(&ofm, M, N))
        goto out;
    const int64_t ow = (cv->in_w - cv->filt_w) / cv->stride + 1;
    for (int64_t i = 0; i < M; i++) {
        int64_t orow = i / ow, ocol = i % ow, ir = orow * cv->stride, ic = ocol * cv->stride;
        int64_t window = (ir * cv->in_w + ic) * cv->channels;
        for (int64_t j = 0; j < K; j++) {
            int64_t cr = j / (cv->filt_w * cv->channels), k = j % (cv->filt_w * cv->channels);
            int64_t cc = k / cv->channels, ch = k % cv->channels;
            if (cr + ir < cv->in_h && cc + ic < cv->in_w)
                AT(&ifm, i, j) = (int32_t)((cr * cv->in_w + cc) * cv->channels + ch + window + off_if);
        }
    }
    for (int64_t i = 0; i < K; i++)
        for (int64_t j = 0; j < N; j++)
            AT(&flt, i, j) = (int32_t)(j * K + i + off_f);
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++)
            AT(&ofm, i, j) = (int32_t)(N * i + j + off_o);

    /* Per dataflow: Sr, Sc, T and the matrices (see the file header for the sources). */
    int64_t Sr, Sc, T;
    switch (dataflow) {
    case SIP_DATAFLOW_OS: Sr = M, Sc = N, T = K; break;
    case SIP_DATAFLOW_WS: Sr = K, Sc = N, T = M; break;
    default: Sr = K, Sc = M, T = N; break;
    }
    const int64_t rf = (Sr + R - 1) / R, cf = (Sc + C - 1) / C;
    bool diag_if, diag_f;
    /* Prefetch matrices. */
    if (dataflow == SIP_DATAFLOW_OS) {
        pf_if.c = R, pf_f.c = C, diag_if = diag_f = true;
        for (int64_t fr = 0; fr < rf; fr++) { /* ifmap^T[:, rows of the fold] : T x R */
            int64_t r0 = fr * R, r1 = r0 + R < Sr ? r0 + R : Sr;
            if (!block_of(&blk, &ifm, true, 0, T, r0, r1, T, R) || !add_block(&pf_if, &blk, false, 0, 0, false))
                goto out;
            free(blk.d), blk.d = NULL;
        }
        for (int64_t fc = 0; fc < cf; fc++) { /* filter[:, cols] : T x C */
            int64_t c0 = fc * C, c1 = c0 + C < Sc ? c0 + C : Sc;
            if (!block_of(&blk, &flt, false, 0, T, c0, c1, T, C) || !add_block(&pf_f, &blk, false, 0, 0, false))
                goto out;
            free(blk.d), blk.d = NULL;
        }
    } else if (dataflow == SIP_DATAFLOW_WS) {
        pf_if.c = R, pf_f.c = C, diag_if = true, diag_f = false;
        for (int64_t fr = 0; fr < rf; fr++) { /* ifmap[:, K cols of the fold] : T x R */
            int64_t c0 = fr * R, c1 = c0 + R < Sr ? c0 + R : Sr;
            if (!block_of(&blk, &ifm, false, 0, T, c0, c1, T, R) || !add_block(&pf_if, &blk, false, 0, 0, false))
                goto out;
            free(blk.d), blk.d = NULL;
        }
        for (int64_t fc = 0; fc < cf; fc++) { /* filter[:, cols] : Sr x C */
            int64_t c0 = fc * C, c1 = c0 + C < Sc ? c0 + C : Sc;
            if (!block_of(&blk, &flt, false, 0, Sr, c0, c1, Sr, C) || !add_block(&pf_f, &blk, false, 0, 0, false))
                goto out;
            free(blk.d), blk.d = NULL;
        }
    } else {
        pf_if.c = C, pf_f.c = R, diag_if = false, diag_f = true;
        for (int64_t fc = 0; fc < cf; fc++) { /* ifmap^T[:, M cols] : Sr x C */
            int64_t c0 = fc * C, c1 = c0 + C < Sc ? c0 + C : Sc;
            if (!block_of(&blk, &ifm, true, 0, Sr, c0, c1, Sr, C) || !add_block(&pf_if, &blk, false, 0, 0, false))
                goto out;
            free(blk.d), blk.d = NULL;
        }
        for (int64_t fr = 0; fr < rf; fr++) { /* filter[rows, :]^T : T x R */
            int64_t r0 = fr * R, r1 = r0 + R < Sr ? r0 + R : Sr;
            mat_t ft = {0};
            if (!block_of(&ft, &flt, false, r0, r1, 0, T, r1 - r0, T))
                goto out;
            bool ok = block_of(&blk, &ft, true, 0, T, 0, r1 - r0, T, R);
            free(ft.d);
            if (!ok || !add_block(&pf_f, &blk, false, 0, 0, false))
                goto out;
            free(blk.d), blk.d = NULL;
        }
    }
    fetch_if = rolled(&pf_if, diag_if);
    fetch_f = rolled(&pf_f, diag_f);
    if (!fetch_if || !fetch_f)
        goto out;

    /* Demand matrices: folds column-fold-major, row folds inside. */
    dm_if.c = dataflow == SIP_DATAFLOW_IS ? C : R;
    dm_f.c = dataflow == SIP_DATAFLOW_IS ? R : C;
    dm_o.c = C;
    for (int64_t fc = 0; fc < cf; fc++)
        for (int64_t fr = 0; fr < rf; fr++) {
            int64_t r0 = fr * R, r1 = r0 + R < Sr ? r0 + R : Sr;
            int64_t c0 = fc * C, c1 = c0 + C < Sc ? c0 + C : Sc;
            bool ok;
            if (dataflow == SIP_DATAFLOW_OS) {
                ok = block_of(&blk, &ifm, true, 0, T, r0, r1, T, R) &&
                     add_block(&dm_if, &blk, false, 0, C - 1, true);
                free(blk.d), blk.d = NULL;
                ok = ok && block_of(&blk, &flt, false, 0, T, c0, c1, T, C) &&
                     add_block(&dm_f, &blk, false, 0, R - 1, true);
                free(blk.d), blk.d = NULL;
                ok = ok && block_of(&blk, &ofm, false, r0, r1, c0, c1, R, C) &&
                     add_block(&dm_o, &blk, true, T - 1, 0, true);
            } else if (dataflow == SIP_DATAFLOW_WS) {
                ok = block_of(&blk, &ifm, false, 0, T, r0, r1, T, R) &&
                     add_block(&dm_if, &blk, false, R, C - 1, true);
                free(blk.d), blk.d = NULL;
                ok = ok && block_of(&blk, &flt, false, r0, r1, c0, c1, R, C) &&
                     add_block(&dm_f, &blk, true, 0, R + C + T - 2, false);
                free(blk.d), blk.d = NULL;
                ok = ok && block_of(&blk, &ofm, false, 0, T, c0, c1, T, C) &&
                     add_block(&dm_o, &blk, false, 2 * R - 1, 0, true);
            } else {
                ok = block_of(&blk, &ifm, true, r0, r1, c0, c1, R, C) &&
                     add_block(&dm_if, &blk, true, 0, R + C + T - 2, false);
                free(blk.d), blk.d = NULL;
                mat_t ft = {0};
                ok = ok && block_of(&ft, &flt, false, r0, r1, 0, T, r1 - r0, T) &&
                     block_of(&blk, &ft, true, 0, T, 0, r1 - r0, T, R);
                free(ft.d);
                ok = ok && add_block(&dm_f, &blk, false, R, C - 1, true);
                free(blk.d), blk.d = NULL;
                ok = ok && block_of(&blk, &ofm, true, 0, T, c0, c1, T, C) &&
                     add_block(&dm_o, &blk, false, 2 * R - 1, 0, true);
            }
            free(blk.d), blk.d = NULL;
            if (!ok)
                goto out;
        }
    free(ifm.d), ifm.d = NULL;
    free(flt.d), flt.d = NULL;
    free(ofm.d), ofm.d = NULL;
    if (dm_if.rows != dm_o.rows || dm_f.rows != dm_o.rows) {
        st = sip_error_set(err, SIP_EINTERNAL, NULL, 0, "demand matrices out of step (%lld, %lld, "
                           "%lld rows)", (long long)dm_if.rows, (long long)dm_f.rows,
                           (long long)dm_o.rows);
        goto out;
    }

    /* The memory system (double_buffered_scratchpad_mem.py:155-209). */
    const int64_t bw = mem->dram_words_per_cycle;
    if (!rdbuf_init(&rb_if, mem->ifmap_words, bw, fetch_if, pf_if.rows * pf_if.c) ||
        !rdbuf_init(&rb_f, mem->filter_words, bw, fetch_f, pf_f.rows * pf_f.c))
        goto out;
    wb.total = mem->ofmap_words;
    wb.drain_size = mem->ofmap_words - (mem->ofmap_words + 1) / 2;
    wb.bw = bw;
    wb.free_space = wb.total;
    int64_t stalls = 0;
    double last = 0;
    bool stuck = false, oom = false;
    for (int64_t i = 0; i < dm_o.rows; i++) {
        double cycle = (double)(i + stalls);
        double t_if = rdbuf_read(&rb_if, dm_if.d + i * dm_if.c, dm_if.c, cycle, &stuck);
        double t_f = rdbuf_read(&rb_f, dm_f.d + i * dm_f.c, dm_f.c, cycle, &stuck);
        double t_o = wrbuf_write(&wb, dm_o.d + i * dm_o.c, dm_o.c, cycle, &oom);
        if (stuck || oom)
            break;
        double s = t_if - cycle - 1;
        if (t_f - cycle - 1 > s)
            s = t_f - cycle - 1;
        if (t_o - cycle > s)
            s = t_o - cycle;
        stalls += (int64_t)s;
        last = t_o;
    }
    if (oom)
        goto out;
    if (stuck) {
        st = sip_error_set(err, SIP_EINTERNAL, NULL, 0, "a demanded address is never prefetched");
        goto out;
    }
    out->m = M, out->n = N, out->k = K;
    out->demand_lines = dm_o.rows;
    out->stall_cycles = stalls;
    out->cycles = (int64_t)last;
    st = SIP_OK;
out:
    if (st == SIP_ENOMEM)
        sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory in the detailed systolic model");
    free(ifm.d), free(flt.d), free(ofm.d), free(blk.d);
    free(pf_if.d), free(pf_f.d), free(dm_if.d), free(dm_f.d), free(dm_o.d);
    free(fetch_if), free(fetch_f);
    rdbuf_free(&rb_if), rdbuf_free(&rb_f);
    free(wb.valid);
    return st;
}
