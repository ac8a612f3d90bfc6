/* Kernels on one tile: GEMM (batched, GEMV, conv), attention, norms, element-wise.  Each is a
 * systolic schedule (systolic.c) plus vector work, then a roofline against SRAM and HBM.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "sipsim/kernels.h"

static const char *const bound_names[] = {"compute", "sram", "hbm", "weight-feed"};

const char *sip_bound_name(sip_bound_t b)
{
    return (unsigned)b < SIP_BOUND_COUNT ? bound_names[b] : "?";
}

static sip_status_t check_tile(const sip_tile_t *t, sip_error_t *err)
{
    if (t->array_rows < 1 || t->array_cols < 1 || t->n_arrays < 1 || !(t->clock_ghz > 0.0) ||
        !(t->macs_per_cell > 0.0) || !(t->vector_elems_per_s > 0.0) ||
        !(t->bytes_per_elem > 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "tile without arrays, clock, MAC rate or vector rate (expected a "
                             "tile from sip_tile_from_chiplet)");
    return SIP_OK;
}

/* Roofline of one kernel: compute (array schedule + vector work, which depend on each other and
 * so run in sequence), SRAM and HBM transfers overlap with it; the slowest of the three sets the
 * time. */
static sip_status_t finish(const sip_tile_t *t, sip_kernel_result_t *r, sip_error_t *err)
{
    const double hz = t->clock_ghz * 1e9;
    const double vector_s = r->vector_ops / t->vector_elems_per_s;
    r->vector_cycles = vector_s * hz;
    /* Achieved MAC rate = peak x efficiency (sip_tile_params_t); 1 for SCALE-Sim. */
    const double eff = t->mac_efficiency > 0.0 ? t->mac_efficiency : 1.0;
    r->compute_s = r->array_cycles / (hz * eff) + vector_s;
    r->sram_s = t->sram_GBps > 0.0 ? r->sram_bytes / (t->sram_GBps * 1e9) : 0.0;
    if (r->hbm_bytes > 0.0 && !(t->hbm_GBps > 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "kernel reads %g bytes from HBM but the tile has no attached "
                             "memory (expected an HBM stack attached to the die)",
                             r->hbm_bytes);
    r->hbm_s = r->hbm_bytes > 0.0 ? r->hbm_bytes / (t->hbm_GBps * 1e9) : 0.0;
    r->time_s = r->compute_s;
    /* Compute-bound with the arrays mostly waiting for their stationary tiles: name the
     * intake, not the MACs. */
    r->bound = 2.0 * r->feed_cycles > r->array_cycles && r->feed_cycles > r->vector_cycles
                   ? SIP_BOUND_WEIGHT_FEED
                   : SIP_BOUND_COMPUTE;
    if (r->sram_s > r->time_s)
        r->time_s = r->sram_s, r->bound = SIP_BOUND_SRAM;
    if (r->hbm_s > r->time_s)
        r->time_s = r->hbm_s, r->bound = SIP_BOUND_HBM;
    r->cycles = r->time_s * hz;
    const double peak = sip_tile_peak_macs_per_s(t);
    r->utilization = r->time_s > 0.0 ? r->macs / (r->time_s * peak) : 0.0;
    /* Unknown parameters stay NAN; a term with nothing to count is exactly 0. */
    r->energy_mac_pj = r->macs > 0.0 ? r->macs * t->pj_per_mac : 0.0;
    r->energy_sram_pj = r->sram_bytes > 0.0 ? r->sram_bytes * t->sram_pj_per_byte : 0.0;
    r->energy_hbm_pj = r->hbm_bytes > 0.0 ? r->hbm_bytes * 8.0 * t->hbm_pj_per_bit : 0.0;
    r->energy_pj = r->energy_mac_pj + r->energy_sram_pj + r->energy_hbm_pj;
    return SIP_OK;
}

/* Systolic part of a batched GEMM: folds of all batch members spread over the arrays. */
static sip_status_t gemm_part(const sip_tile_t *t, int64_t batch, int64_t m, int64_t n, int64_t k,
                              sip_kernel_result_t *r, sip_error_t *err)
{
    sip_systolic_result_t s;
    SIP_TRY(sip_systolic_gemm(t->array_rows, t->array_cols, t->dataflow, m, n, k, &s, err));
    const int64_t folds = batch * s.folds;
    const int64_t per_array = (folds + t->n_arrays - 1) / t->n_arrays;
    /* SCALE-Sim: folds one after the other, F x P - 1.  With prefetch (sip_tile_params_t),
     * the stationary tile of fold i+1 shifts in (R cycles) while fold i streams its T rows,
     * so folds start max(R, T) apart; the first load and the last fill/drain skew
     * (R + C - 2) stay exposed. */
    double cycles = (double)per_array * (double)s.cycles_per_fold - 1.0;
    double feed = 0.0;
    const double R = t->array_rows, C = t->array_cols, T = (double)s.t;
    if (t->weight_prefetch && t->dataflow != SIP_DATAFLOW_OS) {
        cycles = R + (double)(per_array - 1) * fmax(R, T) + T + (R + C - 2.0) - 1.0;
        /* Cycles the arrays wait for the next tile beyond its stream: the first load and
         * every fold where the shift-in (R) outlasts the stream (T). */
        feed = R + (double)(per_array - 1) * fmax(R - T, 0.0);
    } else if (t->dataflow != SIP_DATAFLOW_OS) {
        /* SCALE-Sim's schedule: every fold loads its tile (2R of P = 2R + C + T - 2). */
        feed = (double)per_array * 2.0 * R;
    }
    /* A cell doing macs_per_cell MACs per cycle runs the same schedule that many times
     * faster (or slower, below one). */
    r->array_cycles += cycles / t->macs_per_cell;
    r->feed_cycles += feed / t->macs_per_cell;
    r->macs += (double)batch * (double)s.macs;
    r->sram_bytes += (double)batch *
                     (double)(s.sram_ifmap_reads + s.sram_filter_reads + s.sram_ofmap_writes) *
                     t->bytes_per_elem;
    r->mapping_eff = s.mapping_eff;
    return SIP_OK;
}

sip_status_t sip_kernel_gemm(const sip_tile_t *t, int64_t batch, int64_t m, int64_t n, int64_t k,
                             const sip_gemm_operands_t *ops, sip_kernel_result_t *out,
                             sip_error_t *err)
{
    SIP_TRY(check_tile(t, err));
    if (batch < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "GEMM batch %lld (expected >= 1)",
                             (long long)batch);
    sip_kernel_result_t r;
    memset(&r, 0, sizeof r);
    SIP_TRY(gemm_part(t, batch, m, n, k, &r, err));
    if (ops) {
        const double e = t->bytes_per_elem;
        if (ops->a_in_hbm)
            r.hbm_bytes += (double)batch * (double)m * (double)k * e;
        if (ops->b_in_hbm)
            r.hbm_bytes += (ops->b_shared ? 1.0 : (double)batch) * (double)k * (double)n *
                           (ops->b_bytes_per_elem > 0.0 ? ops->b_bytes_per_elem : e);
        if (ops->c_in_hbm)
            r.hbm_bytes += (double)batch * (double)m * (double)n * e;
    }
    SIP_TRY(finish(t, &r, err));
    *out = r;
    return SIP_OK;
}

sip_status_t sip_kernel_gemv(const sip_tile_t *t, int64_t batch, int64_t n, int64_t k,
                             bool weights_in_hbm, sip_kernel_result_t *out, sip_error_t *err)
{
    const sip_gemm_operands_t ops = {.b_in_hbm = weights_in_hbm, .b_shared = true};
    return sip_kernel_gemm(t, 1, batch, n, k, &ops, out, err);
}

sip_status_t sip_kernel_conv(const sip_tile_t *t, const sip_conv_t *conv, bool in_hbm,
                             sip_kernel_result_t *out, sip_error_t *err)
{
    int64_t m, n, k;
    SIP_TRY(sip_conv_lower(conv, &m, &n, &k, err));
    SIP_TRY(check_tile(t, err));
    sip_kernel_result_t r;
    memset(&r, 0, sizeof r);
    SIP_TRY(gemm_part(t, 1, m, n, k, &r, err));
    if (in_hbm) {
        /* Input feature map, filters and output cross the HBM interface once each (the
         * lowered im2col matrix is built on chip). */
        const double e = t->bytes_per_elem;
        r.hbm_bytes = ((double)conv->in_h * conv->in_w * conv->channels + (double)k * n +
                       (double)m * n) * e;
    }
    SIP_TRY(finish(t, &r, err));
    *out = r;
    return SIP_OK;
}

/* Softmax over each score row: max, exp and sum, scale = 3 element passes. */
#define SOFTMAX_PASSES 3.0

/* Scores a causal and/or windowed attention computes out of the full q x kv matrix: query i
 * (0-based, the last q of the kv positions) sees a + i keys, a = kv - q + 1 (causal), or kv
 * (not), each capped at the window. */
static double visible_scores(int64_t q, int64_t kv, bool causal, int64_t window)
{
    const double W = window > 0 ? (double)window : INFINITY;
    if (!causal)
        return (double)q * fmin((double)kv, W);
    const double a = (double)(kv - q + 1);
    if (a >= W)
        return (double)q * W;
    const double c = fmin((double)q, W - a); /* queries below the cap */
    return c * a + c * (c - 1.0) / 2.0 + ((double)q - c) * (W < INFINITY ? W : 0.0);
}

/* Scale the systolic part of r (MACs, schedule, SRAM) to the computed fraction of the score
 * matrix: masked tiles are skipped, not computed. */
static void scale_scores(sip_kernel_result_t *r, double f)
{
    r->macs *= f;
    r->array_cycles *= f;
    r->feed_cycles *= f;
    r->sram_bytes *= f;
}

sip_status_t sip_kernel_attention(const sip_tile_t *t, const sip_attention_t *a,
                                  sip_kernel_result_t *out, sip_error_t *err)
{
    SIP_TRY(check_tile(t, err));
    const bool mla = a->mla_kv_lora_rank > 0;
    if (a->batch < 1 || a->q_heads < 1 || a->kv_heads < 1 || a->head_dim < 1 ||
        a->q_tokens < 1 || a->kv_tokens < 1 || a->q_heads < a->kv_heads ||
        a->q_tokens > a->kv_tokens || a->window_tokens < 0 || a->kv_bytes_per_elem < 0.0 ||
        a->mla_kv_lora_rank < 0 || a->mla_rope_dim < 0 || a->mla_v_head_dim < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "attention batch %lld, heads %lld/%lld, head_dim %lld, tokens "
                             "%lld/%lld, window %lld (expected >= 1, q_heads >= kv_heads, "
                             "q_tokens <= kv_tokens, window >= 0)",
                             (long long)a->batch, (long long)a->q_heads, (long long)a->kv_heads,
                             (long long)a->head_dim, (long long)a->q_tokens,
                             (long long)a->kv_tokens, (long long)a->window_tokens);
    /* Grouped-query attention: the query heads of a group share one K and V, so their rows
     * stack into one GEMM per (sequence, KV head).  MLA reading its cache (decode) works in
     * the latent space (W_UK, W_UV absorbed): every head shares the one latent, QK over
     * kv_lora_rank + rope, PV over kv_lora_rank; MLA on fresh tokens (prefill) expands K, V per
     * head: QK over head_dim + rope, PV over v_head_dim. */
    const bool absorbed = mla && a->kv_in_hbm;
    const int64_t group = absorbed ? a->q_heads
                          : mla    ? 1
                                   : (a->q_heads + a->kv_heads - 1) / a->kv_heads;
    const int64_t rows = a->q_tokens * group;
    const int64_t gemms = a->batch * (absorbed ? 1 : mla ? a->q_heads : a->kv_heads);
    const int64_t qk_dim = absorbed ? a->mla_kv_lora_rank + a->mla_rope_dim
                           : mla    ? a->head_dim + a->mla_rope_dim
                                    : a->head_dim;
    const int64_t pv_dim = absorbed ? a->mla_kv_lora_rank
                           : mla    ? (a->mla_v_head_dim > 0 ? a->mla_v_head_dim : a->head_dim)
                                    : a->head_dim;
    const double frac = visible_scores(a->q_tokens, a->kv_tokens, a->causal, a->window_tokens) /
                        ((double)a->q_tokens * (double)a->kv_tokens);
    sip_kernel_result_t r;
    memset(&r, 0, sizeof r);
    SIP_TRY(gemm_part(t, gemms, rows, a->kv_tokens, qk_dim, &r, err)); /* S = Q K^T */
    const double me = r.mapping_eff;
    SIP_TRY(gemm_part(t, gemms, rows, pv_dim, a->kv_tokens, &r, err)); /* O = P V */
    r.mapping_eff = 0.5 * (me + r.mapping_eff);
    scale_scores(&r, frac);
    const double scores = (double)gemms * (double)rows * (double)a->kv_tokens * frac;
    r.vector_ops = SOFTMAX_PASSES * scores;
    /* Each softmax pass reads the scores, the last writes them. */
    r.sram_bytes += (SOFTMAX_PASSES + 1.0) * scores * t->bytes_per_elem;
    /* One cached position: K and V of every KV head, or the one MLA latent. */
    const double kv_e = a->kv_bytes_per_elem > 0.0 ? a->kv_bytes_per_elem : t->bytes_per_elem;
    const double kv_row = (double)a->batch * kv_e *
                          (mla ? (double)(a->mla_kv_lora_rank + a->mla_rope_dim)
                               : 2.0 * (double)a->kv_heads * a->head_dim);
    /* Keys read from the cache: a window reaches back window - 1 before the first query. */
    double keys = (double)a->kv_tokens;
    if (a->window_tokens > 0)
        keys = fmin(keys, (double)(a->window_tokens + a->q_tokens - 1));
    if (a->kv_in_hbm)
        r.hbm_bytes += kv_row * keys;
    if (a->kv_write_hbm)
        r.hbm_bytes += kv_row * (double)a->q_tokens;
    SIP_TRY(finish(t, &r, err));
    *out = r;
    return SIP_OK;
}

static sip_status_t vector_kernel(const sip_tile_t *t, double elems, double passes,
                                  double tensors_read, bool in_hbm, sip_kernel_result_t *out,
                                  sip_error_t *err)
{
    SIP_TRY(check_tile(t, err));
    if (!(elems > 0.0) || !(passes > 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "element-wise kernel with %g elements x %g ops (expected > 0)", elems,
                             passes);
    sip_kernel_result_t r;
    memset(&r, 0, sizeof r);
    r.vector_ops = elems * passes;
    r.sram_bytes = (passes * tensors_read + 1.0) * elems * t->bytes_per_elem;
    if (in_hbm)
        r.hbm_bytes = (tensors_read + 1.0) * elems * t->bytes_per_elem;
    SIP_TRY(finish(t, &r, err));
    *out = r;
    return SIP_OK;
}

sip_status_t sip_kernel_norm(const sip_tile_t *t, sip_norm_t norm, int64_t rows, int64_t cols,
                             bool in_hbm, sip_kernel_result_t *out, sip_error_t *err)
{
    /* RMSNorm: sum of squares, then scale by rsqrt x weight; LayerNorm adds the mean pass. */
    const double passes = norm == SIP_NORM_LAYER ? 3.0 : 2.0;
    return vector_kernel(t, (double)rows * (double)cols, passes, 1.0, in_hbm, out, err);
}

sip_status_t sip_kernel_elementwise(const sip_tile_t *t, int64_t elems, double ops_per_elem,
                                    int n_inputs, bool in_hbm, sip_kernel_result_t *out,
                                    sip_error_t *err)
{
    if (n_inputs < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "element-wise kernel with %d inputs "
                             "(expected >= 1)", n_inputs);
    SIP_TRY(check_tile(t, err));
    sip_kernel_result_t r;
    SIP_TRY(vector_kernel(t, (double)elems, ops_per_elem, 1.0, false, &r, err));
    /* Every input is read once per element, whatever the op count. */
    r.sram_bytes = ((double)n_inputs + 1.0) * (double)elems * t->bytes_per_elem;
    r.hbm_bytes = in_hbm ? r.sram_bytes : 0.0;
    SIP_TRY(finish(t, &r, err));
    *out = r;
    return SIP_OK;
}

void sip_kernel_result_add(sip_kernel_result_t *a, const sip_kernel_result_t *b,
                           const sip_tile_t *t)
{
    const double total_macs = a->macs + b->macs;
    if (total_macs > 0.0)
        a->mapping_eff = (a->mapping_eff * a->macs + b->mapping_eff * b->macs) / total_macs;
    a->macs = total_macs;
    a->vector_ops += b->vector_ops;
    a->array_cycles += b->array_cycles;
    a->vector_cycles += b->vector_cycles;
    a->feed_cycles += b->feed_cycles;
    a->cycles += b->cycles;
    a->compute_s += b->compute_s;
    a->sram_s += b->sram_s;
    a->hbm_s += b->hbm_s;
    a->time_s += b->time_s;
    a->sram_bytes += b->sram_bytes;
    a->hbm_bytes += b->hbm_bytes;
    a->energy_mac_pj += b->energy_mac_pj;
    a->energy_sram_pj += b->energy_sram_pj;
    a->energy_hbm_pj += b->energy_hbm_pj;
    a->energy_pj += b->energy_pj;
    a->bound = 2.0 * a->feed_cycles > a->array_cycles && a->feed_cycles > a->vector_cycles
                   ? SIP_BOUND_WEIGHT_FEED
                   : SIP_BOUND_COMPUTE;
    if (a->sram_s > a->compute_s && a->sram_s >= a->hbm_s)
        a->bound = SIP_BOUND_SRAM;
    else if (a->hbm_s > a->compute_s)
        a->bound = SIP_BOUND_HBM;
    a->utilization = a->time_s > 0.0 ? a->macs / (a->time_s * sip_tile_peak_macs_per_s(t)) : 0.0;
}
