/* Reference numerics: INT8 GEMM bit exact with int32 wrap-around; FP8 E4M3/E5M2 and FP4 E2M1
 * rounding (ties to even, saturation) and MX block scaling.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sipsim.h"

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

Test(kernels_numerics, int8_gemm_matches_int64_reference)
{
    enum { M = 7, N = 9, K = 33 };
    int8_t a[M * K], b[K * N];
    int32_t c[M * N];
    uint64_t seed = 12345;
    for (int i = 0; i < M * K; i++)
        a[i] = (int8_t)(int)(lcg(&seed) % 256 - 128);
    for (int i = 0; i < K * N; i++)
        b[i] = (int8_t)(int)(lcg(&seed) % 256 - 128);
    sip_ref_gemm_int8(M, N, K, a, b, c);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            int64_t s = 0;
            for (int p = 0; p < K; p++)
                s += (int64_t)a[i * K + p] * b[p * N + j];
            cr_assert_eq((int64_t)c[i * N + j], s);
        }
    /* Hand case: [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50]. */
    const int8_t a2[4] = {1, 2, 3, 4}, b2[4] = {5, 6, 7, 8};
    int32_t c2[4];
    sip_ref_gemm_int8(2, 2, 2, a2, b2, c2);
    cr_assert_eq(c2[0], 19);
    cr_assert_eq(c2[1], 22);
    cr_assert_eq(c2[2], 43);
    cr_assert_eq(c2[3], 50);
}

Test(kernels_numerics, int8_gemm_wraps_like_an_int32_accumulator)
{
    /* (-128) x (-128) = 16384; 131072 of them = 2^31, one past INT32_MAX: wraps to INT32_MIN. */
    enum { K = 131072 };
    int8_t *a = malloc(K), *b = malloc(K);
    cr_assert(a && b);
    for (int i = 0; i < K; i++)
        a[i] = b[i] = -128;
    int32_t c;
    sip_ref_gemm_int8(1, 1, K, a, b, &c);
    cr_assert_eq(c, INT32_MIN);
    sip_ref_gemm_int8(1, 1, K - 1, a, b, &c);
    cr_assert_eq(c, INT32_MAX - 16383);
    free(a);
    free(b);
}

Test(kernels_numerics, fp8_e4m3_rounding)
{
    const sip_float_format_t f = SIP_FMT_FP8_E4M3;
    cr_assert_float_eq(sip_quantize_scalar(f, 448.0), 448.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(f, 1000.0), 448.0, 0); /* saturates */
    cr_assert_float_eq(sip_quantize_scalar(f, -1e9), -448.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(f, INFINITY), 448.0, 0); /* no Inf in E4M3 */
    /* 0.3 = 1.2 x 2^-2; 3 mantissa bits: 1.2 x 8 = 9.6 -> 10 -> 1.25 x 2^-2 = 0.3125. */
    cr_assert_float_eq(sip_quantize_scalar(f, 0.3), 0.3125, 0);
    /* Tie: 1.0625 is half-way between 1.0 and 1.125 -> even mantissa 1.0; 1.1875 -> 1.25. */
    cr_assert_float_eq(sip_quantize_scalar(f, 1.0625), 1.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(f, 1.1875), 1.25, 0);
    /* Smallest subnormal 2^-9; below half of it rounds to zero. */
    cr_assert_float_eq(sip_quantize_scalar(f, ldexp(1.0, -9)), ldexp(1.0, -9), 0);
    cr_assert_float_eq(sip_quantize_scalar(f, ldexp(1.0, -11)), 0.0, 0);
    cr_assert(isnan(sip_quantize_scalar(f, NAN)));
}

Test(kernels_numerics, fp8_e5m2_and_fp4_e2m1_rounding)
{
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP8_E5M2, 57344.0), 57344.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP8_E5M2, 1e6), 57344.0, 0);
    cr_assert(isinf(sip_quantize_scalar(SIP_FMT_FP8_E5M2, INFINITY)));
    /* 2 mantissa bits: 1.1 -> 1.0 (1.1 x 4 = 4.4 -> 4); 1.4 -> 1.5. */
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP8_E5M2, 1.1), 1.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP8_E5M2, 1.4), 1.5, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP8_E5M2, ldexp(1.0, -16)), ldexp(1.0, -16), 0);
    /* E2M1 values 0, 0.5, 1, 1.5, 2, 3, 4, 6. */
    const double grid[] = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0};
    for (int i = 0; i < 8; i++) {
        cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, grid[i]), grid[i], 0);
        cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, -grid[i]), -grid[i], 0);
    }
    /* Ties to even: 2.5 -> 2 (mantissa 0), 3.5 -> 4, 5 -> 4, 0.25 -> 0, 0.75 -> 1. */
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, 2.5), 2.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, 3.5), 4.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, 5.0), 4.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, 0.25), 0.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, 0.75), 1.0, 0);
    cr_assert_float_eq(sip_quantize_scalar(SIP_FMT_FP4_E2M1, 7.0), 6.0, 0);
}

Test(kernels_numerics, mx_block_scaling)
{
    /* Block of 4 with amax 96 = 1.5 x 2^6: shared exponent 6 - 2 (E2M1 emax) = 4, scale 16;
     * 96/16 = 6, 40/16 = 2.5 -> 2 -> 32, 8/16 = 0.5, 1/16 -> 0. */
    const double x[4] = {96.0, -40.0, 8.0, 1.0};
    double y[4];
    sip_quant_error_t q;
    cr_assert_eq(sip_quantize_block(SIP_FMT_FP4_E2M1, 4, x, 4, y, &q, NULL), SIP_OK);
    cr_assert_float_eq(y[0], 96.0, 0);
    cr_assert_float_eq(y[1], -32.0, 0);
    cr_assert_float_eq(y[2], 8.0, 0);
    cr_assert_float_eq(y[3], 0.0, 0);
    cr_assert_float_eq(q.max_abs_err, 8.0, 0);
    cr_assert_float_eq(q.rms_err, sqrt((64.0 + 1.0) / 4.0), 1e-12);
    /* Values on the scaled grid round-trip exactly: SQNR infinite. */
    const double exact[4] = {6.0, 3.0, -1.5, 0.5};
    cr_assert_eq(sip_quantize_block(SIP_FMT_FP4_E2M1, 4, exact, 4, y, &q, NULL), SIP_OK);
    cr_assert(isinf(q.sqnr_db));
    /* On smooth data FP8 E4M3 beats FP4 E2M1 by many dB, and block scaling helps FP4 when
     * magnitudes vary across blocks. */
    enum { N = 4096 };
    double *v = malloc(N * sizeof *v), *w = malloc(N * sizeof *w);
    cr_assert(v && w);
    uint64_t seed = 7;
    for (int i = 0; i < N; i++)
        v[i] = ((double)lcg(&seed) / 2147483648.0 - 0.5) * pow(10.0, (i / 32) % 4);
    sip_quant_error_t e8, e4, e4_noscale;
    cr_assert_eq(sip_quantize_block(SIP_FMT_FP8_E4M3, 32, v, N, w, &e8, NULL), SIP_OK);
    cr_assert_eq(sip_quantize_block(SIP_FMT_FP4_E2M1, 32, v, N, w, &e4, NULL), SIP_OK);
    cr_assert_eq(sip_quantize_block(SIP_FMT_FP4_E2M1, 0, v, N, w, &e4_noscale, NULL), SIP_OK);
    cr_assert(e8.sqnr_db > e4.sqnr_db + 10.0, "fp8 %g dB fp4 %g dB", e8.sqnr_db, e4.sqnr_db);
    cr_assert(e4.sqnr_db > e4_noscale.sqnr_db, "scaled %g unscaled %g", e4.sqnr_db,
              e4_noscale.sqnr_db);
    free(v);
    free(w);
    cr_assert_eq(sip_quantize_block(SIP_FMT_COUNT, 4, x, 4, y, NULL, NULL), SIP_EINVAL);
}
