/* Reference numerics: bit-exact INT8 GEMM with int32 accumulation, and FP8 / FP4
 * quantize-dequantize with MX block scaling, so the error a precision costs can be measured on
 * real data.  Formats: OCP 8-bit Floating Point Specification (OFP8) rev 1.0 (E4M3, E5M2) and
 * OCP Microscaling Formats (MX) v1.0 (E2M1 elements, E8M0 shared scale, §5.3 and §6.3).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>

#include "sipsim/kernels.h"

void sip_ref_gemm_int8(int64_t m, int64_t n, int64_t k, const int8_t *a, const int8_t *b,
                       int32_t *c)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            /* Unsigned arithmetic wraps modulo 2^32 like an int32 hardware accumulator,
             * without signed-overflow undefined behaviour. */
            uint32_t acc = 0;
            for (int64_t p = 0; p < k; p++)
                acc += (uint32_t)((int32_t)a[i * k + p] * (int32_t)b[p * n + j]);
            c[i * n + j] = acc <= (uint32_t)INT32_MAX ? (int32_t)acc
                                                      : -(int32_t)(~acc) - 1;
        }
}

typedef struct {
    const char *name;
    int mant_bits;    /* explicit mantissa bits */
    int emin;         /* exponent of the smallest normal */
    int emax;         /* exponent of the largest normal (MX "emax_elem") */
    double max;       /* largest finite magnitude */
    bool has_inf;
} fmt_t;

static const fmt_t formats[SIP_FMT_COUNT] = {
    /* E4M3: bias 7; S.1111.111 is NaN, so the largest is 1.75 x 2^8 = 448 (OFP8 Table 1). */
    {"fp8_e4m3", 3, -6, 8, 448.0, false},
    /* E5M2: bias 15, IEEE-like; largest 1.75 x 2^15 = 57344 (OFP8 Table 1). */
    {"fp8_e5m2", 2, -14, 15, 57344.0, true},
    /* E2M1: bias 1, no Inf/NaN; values 0, 0.5, 1, 1.5, 2, 3, 4, 6 (MX v1.0 §5.3.3). */
    {"fp4_e2m1", 1, 0, 2, 6.0, false},
};

const char *sip_float_format_name(sip_float_format_t fmt)
{
    return (unsigned)fmt < SIP_FMT_COUNT ? formats[fmt].name : "?";
}

double sip_quantize_scalar(sip_float_format_t fmt, double x)
{
    if ((unsigned)fmt >= SIP_FMT_COUNT || isnan(x))
        return NAN;
    const fmt_t *f = &formats[fmt];
    const double mag = fabs(x);
    if (isinf(x) && f->has_inf)
        return x;
    if (mag == 0.0)
        return x; /* keeps the sign of zero */
    /* Saturating conversion (OFP8 §3.2 "saturation mode"; MX elements have no Inf). */
    if (mag >= f->max)
        return copysign(f->max, x);
    int e2;
    frexp(mag, &e2); /* mag = frac x 2^e2, frac in [0.5, 1): exponent e2 - 1 */
    int e = e2 - 1;
    if (e < f->emin)
        e = f->emin; /* subnormals share the smallest normal's spacing */
    const double quantum = ldexp(1.0, e - f->mant_bits);
    /* nearbyint rounds half to even in the default rounding mode. */
    double q = nearbyint(mag / quantum) * quantum;
    if (q > f->max)
        q = f->max;
    return copysign(q, x);
}

/* E8M0 shared scale: exponents -127..127 (255 is NaN), MX v1.0 §5.4. */
#define E8M0_MIN_EXP (-127)
#define E8M0_MAX_EXP 127

sip_status_t sip_quantize_block(sip_float_format_t fmt, int64_t block, const double *x, int64_t n,
                                double *y, sip_quant_error_t *qerr, sip_error_t *err)
{
    if ((unsigned)fmt >= SIP_FMT_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "number format %d out of range", (int)fmt);
    if (block < 0 || n < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "block %lld, n %lld (expected >= 0)", (long long)block, (long long)n);
    const fmt_t *f = &formats[fmt];
    const int64_t bs = block > 0 ? block : (n > 0 ? n : 1);
    double sum_x2 = 0.0, sum_e2 = 0.0, max_abs = 0.0;
    for (int64_t b0 = 0; b0 < n; b0 += bs) {
        const int64_t b1 = b0 + bs < n ? b0 + bs : n;
        double scale = 1.0;
        if (block > 0) {
            double amax = 0.0;
            for (int64_t i = b0; i < b1; i++)
                if (isfinite(x[i]) && fabs(x[i]) > amax)
                    amax = fabs(x[i]);
            if (amax > 0.0) {
                /* MX v1.0 §6.3: shared_exp = floor(log2(amax)) - emax_elem. */
                int e2;
                frexp(amax, &e2);
                int se = (e2 - 1) - f->emax;
                if (se < E8M0_MIN_EXP)
                    se = E8M0_MIN_EXP;
                if (se > E8M0_MAX_EXP)
                    se = E8M0_MAX_EXP;
                scale = ldexp(1.0, se);
            }
        }
        for (int64_t i = b0; i < b1; i++) {
            y[i] = sip_quantize_scalar(fmt, x[i] / scale) * scale;
            if (isfinite(x[i]) && isfinite(y[i])) {
                const double d = y[i] - x[i];
                sum_x2 += x[i] * x[i];
                sum_e2 += d * d;
                if (fabs(d) > max_abs)
                    max_abs = fabs(d);
            }
        }
    }
    if (qerr) {
        qerr->max_abs_err = max_abs;
        qerr->rms_err = n > 0 ? sqrt(sum_e2 / (double)n) : 0.0;
        qerr->sqnr_db = sum_e2 > 0.0 ? 10.0 * log10(sum_x2 / sum_e2) : INFINITY;
    }
    return SIP_OK;
}
