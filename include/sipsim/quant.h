/* sipsim — measuring what a precision costs on given data: a number-file reader, INT8 / FP8 /
 * FP4 / MXFP4 quantize-dequantize of one tensor with its error statistics and scales, and an
 * INT8 GEMM (int32 accumulation, sip_ref_gemm_int8) against the double-precision reference.
 * Built on the reference numerics in sipsim/kernels.h.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_QUANT_H
#define SIPSIM_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "sipsim/kernels.h"
#include "sipsim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest tensor the reader and the quantizer accept unless told otherwise: 2^26 numbers
 * (512 MiB of doubles); more is SIP_ELIMIT, checked before memory is allocated for it. */
#define SIP_NUMBERS_MAX_DEFAULT ((int64_t)1 << 26)

/* Read one tensor of decimal numbers separated by whitespace, newlines or single commas;
 * '#' starts a comment to the end of the line.  NaN, infinity, hexadecimal, out-of-range
 * values, empty fields (",,") and an input without numbers are SIP_EPARSE with
 * "path:line: message (expected ...)"; more than max_count numbers (0 = SIP_NUMBERS_MAX_DEFAULT)
 * is SIP_ELIMIT; I/O failures are SIP_EIO.  On success *out (free() it) holds *n_out >= 1 values;
 * on failure *out is NULL and *n_out 0. */
SIP_EXPORT sip_status_t sip_numbers_read(const char *path, int64_t max_count, double **out,
                                         int64_t *n_out, sip_error_t *err);
/* The same on text[0..len) (NUL bytes are data, and garbage); name labels the errors. */
SIP_EXPORT sip_status_t sip_numbers_parse(const char *text, size_t len, const char *name,
                                          int64_t max_count, double **out, int64_t *n_out,
                                          sip_error_t *err);

typedef enum {
    SIP_QUANT_INT8,     /* symmetric absmax: scale = amax / 127, codes -128..127 */
    SIP_QUANT_FP8_E4M3, /* OCP OFP8 E4M3, power-of-two scale (MX rule) */
    SIP_QUANT_FP8_E5M2, /* OCP OFP8 E5M2, power-of-two scale (MX rule) */
    SIP_QUANT_FP4_E2M1, /* OCP MX E2M1 elements, power-of-two scale */
    SIP_QUANT_MXFP4,    /* OCP MXFP4: E2M1 elements, one E8M0 scale per block of 32 */
    SIP_QUANT_COUNT
} sip_quant_precision_t;

/* block: 0 = no scaling (values cast as they are); N > 0 = one scale per N consecutive values;
 * SIP_QUANT_BLOCK_TENSOR (or any N >= the tensor's size) = one scale for the whole tensor. */
#define SIP_QUANT_BLOCK_TENSOR INT64_MAX

SIP_EXPORT const char *sip_quant_precision_name(sip_quant_precision_t p);
/* "int8", "fp8_e4m3", "fp8_e5m2", "fp4_e2m1", "mxfp4"; SIP_EINVAL for anything else. */
SIP_EXPORT sip_status_t sip_quant_precision_parse(const char *name, sip_quant_precision_t *out,
                                                  sip_error_t *err);
/* The block a precision uses by default: 32 for MXFP4 (its definition), else per tensor. */
SIP_EXPORT int64_t sip_quant_default_block(sip_quant_precision_t p);

typedef struct {
    int64_t n;             /* values compared */
    double max_abs_err;    /* max |y - x| */
    double rmse;           /* sqrt(mean (y - x)^2) */
    double rel_rmse;       /* rmse / rms(x): 0 if exact, INFINITY if x is all zero and y not */
    double sqnr_db;        /* 10 log10(sum x^2 / sum (y - x)^2): INFINITY if exact */
    int64_t n_clipped;     /* scaled magnitude beyond the format's largest value (saturated) */
    int64_t n_flushed;     /* x != 0 but y == 0 */
    double clipped_fraction, flushed_fraction; /* of n */
} sip_quant_stats_t;

/* The error of y against the reference x (n_clipped left 0: only the quantizer knows it). */
SIP_EXPORT void sip_quant_stats_compute(const double *x, const double *y, int64_t n,
                                        sip_quant_stats_t *st);

typedef struct {
    sip_quant_precision_t precision;
    int64_t n;          /* values */
    int64_t block;      /* as given, 0 = no scaling */
    double *y;          /* dequantized values, n */
    int64_t n_scales;   /* blocks; 0 when not scaled */
    double *scales;     /* real value = element x scale, one per block */
    sip_quant_stats_t stats;
} sip_quant_result_t;

/* Quantize-dequantize x[0..n) (finite values) with precision p and block scaling.
 * MXFP4 accepts only block 32 (or SIP_QUANT_BLOCK_TENSOR meaning its default 32). */
SIP_EXPORT sip_status_t sip_quant_tensor(sip_quant_precision_t p, int64_t block, const double *x,
                                         int64_t n, sip_quant_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_quant_result_destroy(sip_quant_result_t *r);

typedef struct {
    int64_t m, n, k;
    double scale_a, scale_b; /* per-tensor INT8 scales: a = a_q x scale_a */
    int8_t *a_q, *b_q;       /* codes, m x k and k x n, row-major */
    int32_t *c_acc;          /* sip_ref_gemm_int8(a_q, b_q): int32 accumulators, m x n */
    double *c;               /* c_acc x scale_a x scale_b */
    double *c_ref;           /* A x B in double precision from the unquantized inputs */
    int64_t n_wrapped;       /* accumulators whose exact sum does not fit in int32 */
    sip_quant_stats_t a_stats, b_stats, c_stats; /* c_stats: c against c_ref */
} sip_quant_gemm_t;

/* C = A (m x k) x B (k x n), row-major; n_a and n_b are the numbers given, which must equal
 * m*k and k*n (SIP_EINVAL otherwise); m*n above SIP_NUMBERS_MAX_DEFAULT is SIP_ELIMIT. */
SIP_EXPORT sip_status_t sip_quant_gemm_int8(int64_t m, int64_t n, int64_t k, const double *a,
                                            int64_t n_a, const double *b, int64_t n_b,
                                            sip_quant_gemm_t **out, sip_error_t *err);
SIP_EXPORT void sip_quant_gemm_destroy(sip_quant_gemm_t *g);

#ifdef __cplusplus
}
#endif
#endif
