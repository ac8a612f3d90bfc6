/* One systolic array: SCALE-Sim v2's compute schedule in closed form.  Every formula here is
 * derived from the SCALE-Sim v2 source (commit 22f88b1) in shared/peers/scalesim/results.md
 * ("Closed forms"), with the v2 file:line each term comes from, and checked there against 64
 * SCALE-Sim runs with zero difference; tests/kernels replays those runs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdbool.h>
#include <stdint.h>

#include "sipsim/kernels.h"

static int64_t ceil_div(int64_t a, int64_t b)
{
    return a / b + (a % b != 0); /* no a + b - 1: it overflows near INT64_MAX */
}

/* a x b x c in 64 bits; false when it overflows. */
static bool mul3(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t ab;
    return !__builtin_mul_overflow(a, b, &ab) && !__builtin_mul_overflow(ab, c, out);
}

sip_status_t sip_systolic_gemm(int rows, int cols, sip_dataflow_t dataflow, int64_t m, int64_t n,
                               int64_t k, sip_systolic_result_t *out, sip_error_t *err)
{
    if (rows < 1 || cols < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "systolic array %d x %d (expected rows and cols >= 1)", rows, cols);
    if (m < 1 || n < 1 || k < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "GEMM %lld x %lld x %lld (expected M, N, K >= 1)", (long long)m,
                             (long long)n, (long long)k);
    if ((unsigned)dataflow >= SIP_DATAFLOW_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "dataflow %d (expected os, ws or is)",
                             (int)dataflow);
    const int64_t r = rows, c = cols;
    /* Every count below is a product of at most three sizes (MACs, SRAM words, cycles): refuse
     * a GEMM whose counts do not fit 64 bits rather than wrap to a negative cycle count. */
    sip_systolic_result_t res = {.m = m, .n = n, .k = k};
    if (!mul3(m, n, k, &res.macs) || m > INT64_MAX / 4 - 2 * (r + c))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "GEMM %lld x %lld x %lld: %s exceeds 64-bit counts (expected "
                             "M x N x K < 2^63)", (long long)m, (long long)n, (long long)k,
                             "the MAC count");
    /* Spatial/temporal mapping: os.py:69-71, ws.py:67-69, is.py:69-71. */
    int64_t pu; /* fold length SCALE-Sim divides by in "Compute Util %" */
    switch (dataflow) {
    case SIP_DATAFLOW_OS:
        res.sr = m, res.sc = n, res.t = k;
        /* (T-1) null rows + R rows, skewed over C columns (os.py:316-370). */
        res.cycles_per_fold = r + c + res.t - 2;
        pu = res.cycles_per_fold;
        break;
    case SIP_DATAFLOW_WS:
        res.sr = k, res.sc = n, res.t = m;
        /* (2R-1) prefix rows + T rows, skewed over C (ws.py:284-308). */
        res.cycles_per_fold = 2 * r + c + res.t - 2;
        /* Quirk: taken from the un-skewed filter block's rows + cols - 1 (ws.py:265). */
        pu = 2 * r + 2 * c + res.t - 3;
        break;
    default: /* IS: the same structure as WS (is.py:184-308); quirk from is.py:224 */
        res.sr = k, res.sc = m, res.t = n;
        res.cycles_per_fold = 2 * r + c + res.t - 2;
        pu = 2 * r + 2 * c + res.t - 3;
        break;
    }
    const int64_t row_folds = ceil_div(res.sr, r), col_folds = ceil_div(res.sc, c);
    /* Folds run strictly in sequence; "Total Cycles" is the 0-based index of the last ofmap
     * row serviced (double_buffered_scratchpad_mem.py:155-209), hence the single - 1. */
    if (res.t > INT64_MAX / 4 || !mul3(row_folds, col_folds, 1, &res.folds) ||
        !mul3(res.folds, res.cycles_per_fold, 1, &res.cycles) || !mul3(m, k, ceil_div(n, c), &pu) ||
        !mul3(k, n, ceil_div(m, r), &pu) || !mul3(m, n, ceil_div(k, r), &pu) ||
        !mul3(k, n, ceil_div(m, c), &pu))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "GEMM %lld x %lld x %lld on %d x %d: the cycle or SRAM access count "
                             "exceeds 64 bits (expected smaller sizes)", (long long)m,
                             (long long)n, (long long)k, rows, cols);
    res.cycles -= 1;
    /* Restore the fold length (pu was scratch for the overflow checks above). */
    pu = dataflow == SIP_DATAFLOW_OS ? res.cycles_per_fold : 2 * r + 2 * c + res.t - 3;
    /* single_layer_sim.py:214-216. */
    res.overall_util = (double)res.macs / ((double)res.cycles * (double)(r * c));
    res.mapping_eff = (double)(res.sr * res.sc) / ((double)res.folds * (double)(r * c));
    res.compute_util = res.mapping_eff * (double)res.t / (double)pu;
    /* SRAM access counts (results.md table; os.py:240-349, ws.py:198-295, is.py:200-295). */
    switch (dataflow) {
    case SIP_DATAFLOW_OS:
        res.sram_ifmap_reads = m * k * ceil_div(n, c);
        res.sram_filter_reads = k * n * ceil_div(m, r);
        /* Quirk: os.py:349 counts rows + cols extra writes per fold. */
        res.sram_ofmap_writes = m * n + res.folds * (r + c);
        break;
    case SIP_DATAFLOW_WS:
        res.sram_ifmap_reads = m * k * ceil_div(n, c);
        res.sram_filter_reads = k * n;
        res.sram_ofmap_writes = m * n * ceil_div(k, r); /* partial sums per K fold */
        break;
    default:
        res.sram_ifmap_reads = m * k;
        res.sram_filter_reads = k * n * ceil_div(m, c);
        res.sram_ofmap_writes = m * n * ceil_div(k, r);
        break;
    }
    *out = res;
    return SIP_OK;
}

sip_status_t sip_conv_lower(const sip_conv_t *cv, int64_t *m, int64_t *n, int64_t *k,
                            sip_error_t *err)
{
    if (cv->in_h < 1 || cv->in_w < 1 || cv->channels < 1 || cv->filt_h < 1 || cv->filt_w < 1 ||
        cv->filters < 1 || cv->stride < 1 || cv->pad < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "convolution with a non-positive size, stride or a negative pad");
    const int64_t eh = cv->in_h + 2 * cv->pad, ew = cv->in_w + 2 * cv->pad;
    if (cv->filt_h > eh || cv->filt_w > ew)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "filter %lld x %lld larger than the (padded) input %lld x %lld",
                             (long long)cv->filt_h, (long long)cv->filt_w, (long long)eh,
                             (long long)ew);
    /* SCALE-Sim: ofmap = ceil((H - fh + s) / s) (topology_utils.py:209-212), which equals
     * floor((H - fh) / s) + 1. */
    const int64_t oh = (eh - cv->filt_h) / cv->stride + 1, ow = (ew - cv->filt_w) / cv->stride + 1;
    *m = oh * ow;
    *n = cv->filters;
    *k = cv->filt_h * cv->filt_w * cv->channels;
    return SIP_OK;
}
