/* What a precision costs on given data: quantize-dequantize one tensor (INT8 absmax, FP8 E4M3 /
 * E5M2 and FP4 E2M1 with power-of-two block scales, MXFP4) with its error statistics and the
 * scales used, and an INT8 GEMM through the bit-exact int32 path against the double reference.
 * Element rounding is sip_quantize_scalar (numerics.c); this file adds the scales and the
 * bookkeeping (clipped, flushed, per-block scales) that sip_quantize_block does not report.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/quant.h"

/* E8M0 shared-scale exponents are -127..127 (255 encodes NaN): OCP MX v1.0 §5.4. */
#define E8M0_MIN_EXP (-127)
#define E8M0_MAX_EXP 127
/* MXFP4 is E2M1 with one scale per k = 32 elements: OCP MX v1.0 Table 1. */
#define MX_BLOCK 32
/* Symmetric INT8: amax maps to 127 so that -127..127 is symmetric around zero (absmax
 * quantization, Dettmers et al., LLM.int8(), 2022, §3.1); codes saturate at -128..127. */
#define INT8_AMAX_CODE 127.0

static const struct {
    const char *name;
    int fmt; /* sip_float_format_t, or -1 for INT8 */
} precisions[SIP_QUANT_COUNT] = {
    {"int8", -1},
    {"fp8_e4m3", SIP_FMT_FP8_E4M3},
    {"fp8_e5m2", SIP_FMT_FP8_E5M2},
    {"fp4_e2m1", SIP_FMT_FP4_E2M1},
    {"mxfp4", SIP_FMT_FP4_E2M1},
};

const char *sip_quant_precision_name(sip_quant_precision_t p)
{
    return (unsigned)p < SIP_QUANT_COUNT ? precisions[p].name : "?";
}

sip_status_t sip_quant_precision_parse(const char *name, sip_quant_precision_t *out,
                                       sip_error_t *err)
{
    for (int p = 0; name && p < SIP_QUANT_COUNT; p++)
        if (strcmp(name, precisions[p].name) == 0) {
            *out = (sip_quant_precision_t)p;
            return SIP_OK;
        }
    return sip_error_set(err, SIP_EINVAL, NULL, 0, "unknown precision '%s' (expected int8, "
                         "fp8_e4m3, fp8_e5m2, fp4_e2m1 or mxfp4)", name ? name : "");
}

int64_t sip_quant_default_block(sip_quant_precision_t p)
{
    return p == SIP_QUANT_MXFP4 ? MX_BLOCK : SIP_QUANT_BLOCK_TENSOR;
}

void sip_quant_stats_compute(const double *x, const double *y, int64_t n, sip_quant_stats_t *st)
{
    memset(st, 0, sizeof *st);
    st->n = n;
    /* Sums of squares relative to the largest magnitude, so data near DBL_MAX does not
     * overflow them (the ratios are what matter). */
    double amax = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (fabs(x[i]) > amax)
            amax = fabs(x[i]);
        if (fabs(y[i]) > amax)
            amax = fabs(y[i]);
    }
    const double norm = amax > 0.0 ? amax : 1.0;
    double sum_x2 = 0.0, sum_e2 = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const double d = fabs(y[i] - x[i]);
        const double xn = x[i] / norm, dn = d / norm;
        sum_x2 += xn * xn;
        sum_e2 += dn * dn;
        if (d > st->max_abs_err)
            st->max_abs_err = d;
        if (x[i] != 0.0 && y[i] == 0.0)
            st->n_flushed++;
    }
    st->rmse = n > 0 ? norm * sqrt(sum_e2 / (double)n) : 0.0;
    if (sum_e2 == 0.0) {
        st->rel_rmse = 0.0;
        st->sqnr_db = INFINITY;
    } else if (sum_x2 == 0.0) {
        st->rel_rmse = INFINITY;
        st->sqnr_db = -INFINITY;
    } else {
        st->rel_rmse = sqrt(sum_e2 / sum_x2);
        st->sqnr_db = 10.0 * log10(sum_x2 / sum_e2);
    }
    st->flushed_fraction = n > 0 ? (double)st->n_flushed / (double)n : 0.0;
}

/* The largest finite magnitude of fmt and the exponent of its largest binade (MX "emax_elem"),
 * from the rounding function itself so the two can never disagree. */
static double format_max(sip_float_format_t fmt, int *emax)
{
    const double max = sip_quantize_scalar(fmt, DBL_MAX);
    int e2;
    frexp(max, &e2);
    *emax = e2 - 1;
    return max;
}

/* OCP MX v1.0 §6.3: shared exponent floor(log2(amax)) - emax_elem, clamped to E8M0. */
static double mx_scale(double amax, int emax)
{
    if (!(amax > 0.0))
        return 1.0;
    int e2;
    frexp(amax, &e2);
    int se = (e2 - 1) - emax;
    if (se < E8M0_MIN_EXP)
        se = E8M0_MIN_EXP;
    if (se > E8M0_MAX_EXP)
        se = E8M0_MAX_EXP;
    return ldexp(1.0, se);
}

static double int8_scale(double amax)
{
    if (!(amax > 0.0))
        return 1.0;
    const double s = amax / INT8_AMAX_CODE;
    /* amax below 127 x the smallest subnormal: the quotient underflows; the smallest positive
     * double still maps amax to a code within range. */
    return s > 0.0 ? s : DBL_TRUE_MIN;
}

/* One INT8 code of v = x / scale (ties to even); *clipped when it saturates. */
static int8_t int8_code(double v, bool *clipped)
{
    const double r = nearbyint(v);
    *clipped = r > 127.0 || r < -128.0;
    return (int8_t)(r > 127.0 ? 127 : r < -128.0 ? -128 : (int)r);
}

sip_status_t sip_quant_tensor(sip_quant_precision_t p, int64_t block, const double *x, int64_t n,
                              sip_quant_result_t **out, sip_error_t *err)
{
    *out = NULL;
    if ((unsigned)p >= SIP_QUANT_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "precision %d out of range", (int)p);
    if (n < 1 || block < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "n %lld, block %lld (expected n >= 1, "
                             "block >= 0)", (long long)n, (long long)block);
    if (n > SIP_NUMBERS_MAX_DEFAULT)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0, "%lld values (expected at most %lld)",
                             (long long)n, (long long)SIP_NUMBERS_MAX_DEFAULT);
    if (p == SIP_QUANT_MXFP4 && block == SIP_QUANT_BLOCK_TENSOR)
        block = MX_BLOCK;
    if (p == SIP_QUANT_MXFP4 && block != MX_BLOCK)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "mxfp4 with block %lld (expected %d, "
                             "OCP MX v1.0 Table 1; use fp4_e2m1 for other blocks)",
                             (long long)block, MX_BLOCK);
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "value %lld is not finite (expected "
                                 "a finite number)", (long long)i);
    sip_status_t st = SIP_OK;
    sip_quant_result_t *r = calloc(1, sizeof *r);
    if (!r)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    r->precision = p;
    r->n = n;
    r->block = block;
    const int64_t bs = block > 0 ? block : n;
    r->n_scales = block > 0 ? (n - 1) / bs + 1 : 0;
    r->y = malloc((size_t)n * sizeof *r->y);
    r->scales = malloc((size_t)(r->n_scales > 0 ? r->n_scales : 1) * sizeof *r->scales);
    if (!r->y || !r->scales) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "no memory for %lld values", (long long)n);
        goto out;
    }
    const int fmt = precisions[p].fmt;
    int emax = 0;
    const double fmax = fmt >= 0 ? format_max((sip_float_format_t)fmt, &emax) : 0.0;
    int64_t clipped = 0;
    for (int64_t b0 = 0, blk = 0; b0 < n; blk++) {
        const int64_t b1 = n - b0 > bs ? b0 + bs : n;
        double scale = 1.0;
        if (block > 0) {
            double amax = 0.0;
            for (int64_t i = b0; i < b1; i++)
                if (fabs(x[i]) > amax)
                    amax = fabs(x[i]);
            scale = fmt >= 0 ? mx_scale(amax, emax) : int8_scale(amax);
            r->scales[blk] = scale;
        }
        for (int64_t i = b0; i < b1; i++) {
            const double v = x[i] / scale;
            if (fmt >= 0) {
                clipped += fabs(v) > fmax;
                r->y[i] = sip_quantize_scalar((sip_float_format_t)fmt, v) * scale;
            } else {
                bool c;
                r->y[i] = (double)int8_code(v, &c) * scale;
                clipped += c;
            }
        }
        b0 = b1;
    }
    sip_quant_stats_compute(x, r->y, n, &r->stats);
    r->stats.n_clipped = clipped;
    r->stats.clipped_fraction = (double)clipped / (double)n;
out:
    if (st != SIP_OK) {
        sip_quant_result_destroy(r);
        r = NULL;
    }
    *out = r;
    return st;
}

void sip_quant_result_destroy(sip_quant_result_t *r)
{
    if (!r)
        return;
    free(r->y);
    free(r->scales);
    free(r);
}

/* Per-tensor INT8 codes of x[0..n); returns the scale; fills the input's error statistics. */
static double int8_tensor(const double *x, int64_t n, int8_t *q, double *deq,
                          sip_quant_stats_t *st)
{
    double amax = 0.0;
    for (int64_t i = 0; i < n; i++)
        if (fabs(x[i]) > amax)
            amax = fabs(x[i]);
    const double scale = int8_scale(amax);
    int64_t clipped = 0;
    for (int64_t i = 0; i < n; i++) {
        bool c;
        q[i] = int8_code(x[i] / scale, &c);
        clipped += c;
        deq[i] = (double)q[i] * scale;
    }
    sip_quant_stats_compute(x, deq, n, st);
    st->n_clipped = clipped;
    st->clipped_fraction = n > 0 ? (double)clipped / (double)n : 0.0;
    return scale;
}

sip_status_t sip_quant_gemm_int8(int64_t m, int64_t n, int64_t k, const double *a, int64_t n_a,
                                 const double *b, int64_t n_b, sip_quant_gemm_t **out,
                                 sip_error_t *err)
{
    *out = NULL;
    if (m < 1 || n < 1 || k < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "GEMM %lld x %lld x %lld (expected M, N, "
                             "K >= 1)", (long long)m, (long long)n, (long long)k);
    /* Products compared by division so nothing overflows int64. */
    if (m > n_a / k || m * k != n_a)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "A has %lld numbers (expected M x K = "
                             "%lld x %lld)", (long long)n_a, (long long)m, (long long)k);
    if (n > n_b / k || k * n != n_b)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "B has %lld numbers (expected K x N = "
                             "%lld x %lld)", (long long)n_b, (long long)k, (long long)n);
    if (m > SIP_NUMBERS_MAX_DEFAULT / n || n_a > SIP_NUMBERS_MAX_DEFAULT ||
        n_b > SIP_NUMBERS_MAX_DEFAULT)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0, "GEMM %lld x %lld x %lld (expected each "
                             "matrix at most %lld elements)", (long long)m, (long long)n,
                             (long long)k, (long long)SIP_NUMBERS_MAX_DEFAULT);
    for (int64_t i = 0; i < n_a; i++)
        if (!isfinite(a[i]))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "A[%lld] is not finite", (long long)i);
    for (int64_t i = 0; i < n_b; i++)
        if (!isfinite(b[i]))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "B[%lld] is not finite", (long long)i);
    sip_status_t st = SIP_OK;
    double *deq = NULL;
    sip_quant_gemm_t *g = calloc(1, sizeof *g);
    if (!g)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    g->m = m;
    g->n = n;
    g->k = k;
    const int64_t mn = m * n;
    g->a_q = malloc((size_t)n_a);
    g->b_q = malloc((size_t)n_b);
    g->c_acc = malloc((size_t)mn * sizeof *g->c_acc);
    g->c = malloc((size_t)mn * sizeof *g->c);
    g->c_ref = malloc((size_t)mn * sizeof *g->c_ref);
    deq = malloc((size_t)(n_a > n_b ? n_a : n_b) * sizeof *deq);
    if (!g->a_q || !g->b_q || !g->c_acc || !g->c || !g->c_ref || !deq) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "no memory for a %lld x %lld x %lld GEMM",
                           (long long)m, (long long)n, (long long)k);
        goto out;
    }
    g->scale_a = int8_tensor(a, n_a, g->a_q, deq, &g->a_stats);
    g->scale_b = int8_tensor(b, n_b, g->b_q, deq, &g->b_stats);
    sip_ref_gemm_int8(m, n, k, g->a_q, g->b_q, g->c_acc);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double ref = 0.0;
            int64_t exact = 0; /* |sum| <= k x 2^14 <= 2^26 x 2^14: fits int64 */
            for (int64_t p = 0; p < k; p++) {
                ref += a[i * k + p] * b[p * n + j];
                exact += (int64_t)g->a_q[i * k + p] * g->b_q[p * n + j];
            }
            g->c_ref[i * n + j] = ref;
            g->c[i * n + j] = (double)g->c_acc[i * n + j] * g->scale_a * g->scale_b;
            g->n_wrapped += exact != (int64_t)g->c_acc[i * n + j];
        }
    sip_quant_stats_compute(g->c_ref, g->c, mn, &g->c_stats);
out:
    free(deq);
    if (st != SIP_OK) {
        sip_quant_gemm_destroy(g);
        g = NULL;
    }
    *out = g;
    return st;
}

void sip_quant_gemm_destroy(sip_quant_gemm_t *g)
{
    if (!g)
        return;
    free(g->a_q);
    free(g->b_q);
    free(g->c_acc);
    free(g->c);
    free(g->c_ref);
    free(g);
}
