/* sipsim quant: the number-file reader (bad-input table with status and line), hand-computed
 * quantization of small vectors for every precision, SQNR ordering by bits on seeded data, the
 * INT8 GEMM path bit exact against a plain int32 loop, and the CLI end to end.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "sipsim.h"

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* Roughly Gaussian (sum of 4 uniforms), zero mean. */
static double noise(uint64_t *s)
{
    double v = 0.0;
    for (int i = 0; i < 4; i++)
        v += (double)lcg(s) / 2147483648.0 - 0.5;
    return v;
}

static sip_quant_result_t *quant(sip_quant_precision_t p, int64_t block, const double *x, int n)
{
    sip_quant_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_quant_tensor(p, block, x, n, &r, &err), SIP_OK, "%s", err.message);
    return r;
}

static void expect_y(const sip_quant_result_t *r, const double *want, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_eq(r->y[i], want[i], "%s y[%d] = %.17g, expected %.17g",
                     sip_quant_precision_name(r->precision), i, r->y[i], want[i]);
}

/* ---- reader ---- */

Test(kernels_quant, reader_accepts_whitespace_commas_comments)
{
    const char text[] = "# header\n1, 2.5,-3e2\n\t+4  .5 # tail\r\n6.\n1e-320\n";
    double *v = NULL;
    int64_t n = 0;
    sip_error_t err;
    cr_assert_eq(sip_numbers_parse(text, sizeof text - 1, "t", 0, &v, &n, &err), SIP_OK, "%s",
                 err.message);
    const double want[] = {1, 2.5, -300, 4, 0.5, 6, 1e-320};
    cr_assert_eq(n, 7);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(v[i], want[i]);
    free(v);
}

Test(kernels_quant, reader_bad_input_table)
{
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        int64_t max;
        sip_status_t status;
        int line;
        const char *needle;
    } cases[] = {
        {"", 0, 0, SIP_EPARSE, 1, "no numbers"},
        {"  \n# only a comment\n", 0, 0, SIP_EPARSE, 2, "no numbers"},
        {"1 2 abc\n", 0, 0, SIP_EPARSE, 1, "'abc' is not a number"},
        {"1\n2\nnan\n", 0, 0, SIP_EPARSE, 3, "not finite"},
        {"1,2\n-Infinity\n", 0, 0, SIP_EPARSE, 2, "not finite"},
        {"1\n\n1e999\n", 0, 0, SIP_EPARSE, 3, "out of range"},
        {"1..2", 0, 0, SIP_EPARSE, 1, "not a number"},
        {"0x10", 0, 0, SIP_EPARSE, 1, "not a number"},
        {"1e", 0, 0, SIP_EPARSE, 1, "not a number"},
        {"-", 0, 0, SIP_EPARSE, 1, "not a number"},
        {"1,,2", 0, 0, SIP_EPARSE, 1, "empty field"},
        {"1\n,2", 0, 0, SIP_EPARSE, 2, "empty field"},
        {"1,\n2", 0, 0, SIP_EPARSE, 1, "nothing after ','"},
        {"1 2\n3,", 0, 0, SIP_EPARSE, 2, "nothing after ','"},
        {"1\n2 \0003", 6, 0, SIP_EPARSE, 2, "\\x00"},
        {"\xff\xfe\x01", 0, 0, SIP_EPARSE, 1, "\\xff\\xfe\\x01"},
        {"1 2 3\n4\n", 0, 3, SIP_ELIMIT, 2, "more than 3 numbers"},
        {"1 2 3", 0, 3, SIP_OK, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        double *v = (double *)&cases; /* must come back NULL on failure */
        int64_t n = -1;
        sip_error_t err;
        sip_error_clear(&err);
        const sip_status_t st =
            sip_numbers_parse(cases[i].text, len, "bad.txt", cases[i].max, &v, &n, &err);
        cr_assert_eq(st, cases[i].status, "case %zu: status %s (%s)", i, sip_status_str(st),
                     err.message);
        if (st == SIP_OK) {
            cr_assert_eq(n, 3);
            free(v);
            continue;
        }
        cr_assert_null(v, "case %zu", i);
        cr_assert_eq(n, 0, "case %zu", i);
        cr_assert_eq(err.line, cases[i].line, "case %zu: line %d, expected %d (%s)", i, err.line,
                     cases[i].line, err.message);
        cr_assert_str_eq(err.path, "bad.txt");
        cr_assert_not_null(strstr(err.message, cases[i].needle), "case %zu: '%s'", i,
                           err.message);
        cr_assert_not_null(strstr(err.message, "(expected"), "case %zu: '%s'", i, err.message);
    }
    /* A 200-character token is refused without overrunning anything. */
    char longtok[201];
    memset(longtok, '1', 200);
    longtok[200] = '\0';
    double *v = NULL;
    int64_t n = 0;
    sip_error_t err;
    cr_assert_eq(sip_numbers_parse(longtok, 200, "long", 0, &v, &n, &err), SIP_EPARSE);
    cr_assert_not_null(strstr(err.message, "longer than"));
}

Test(kernels_quant, reader_files_and_io_errors)
{
    char dir[] = "/tmp/sipsim-quant-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/x.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    /* More than one 64 KiB read chunk, so tokens straddle chunk boundaries. */
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%d.25%c", i, i % 10 == 9 ? '\n' : ',');
    fprintf(f, "1\n");
    fclose(f);
    double *v = NULL;
    int64_t n = 0;
    sip_error_t err;
    cr_assert_eq(sip_numbers_read(path, 0, &v, &n, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(n, 20001);
    for (int i = 0; i < 20000; i++)
        cr_assert_eq(v[i], i + 0.25);
    free(v);
    cr_assert_eq(sip_numbers_read(path, 20000, &v, &n, &err), SIP_ELIMIT);
    cr_assert_eq(err.line, 2001);
    cr_assert_null(v);
    cr_assert_eq(sip_numbers_read(dir, 0, &v, &n, &err), SIP_EIO); /* a directory */
    cr_assert_null(v);
    unlink(path);
    cr_assert_eq(sip_numbers_read(path, 0, &v, &n, &err), SIP_EIO);
    cr_assert_str_eq(err.path, path);
    rmdir(dir);
}

/* ---- hand-computed quantization, one vector per precision ---- */

Test(kernels_quant, int8_hand_computed)
{
    /* amax 127: scale 1; 0.25 -> 0 (flushed), 0.75 -> 1, 2.5 -> 2 and -3.5 -> -4 (ties even). */
    const double x[] = {127, -50, 0, 0.25, 0.75, 2.5, -3.5};
    sip_quant_result_t *r = quant(SIP_QUANT_INT8, SIP_QUANT_BLOCK_TENSOR, x, 7);
    expect_y(r, (const double[]){127, -50, 0, 0, 1, 2, -4}, 7);
    cr_assert_eq(r->n_scales, 1);
    cr_assert_eq(r->scales[0], 1.0);
    cr_assert_eq(r->stats.n_flushed, 1);
    cr_assert_eq(r->stats.n_clipped, 0);
    cr_assert_eq(r->stats.max_abs_err, 0.5);
    /* errors 0,0,0,.25,.25,.5,.5: rmse sqrt(0.625/7); sum x^2 = 16129+2500+.0625+.5625+6.25+12.25 */
    cr_assert_float_eq(r->stats.rmse, sqrt(0.625 / 7.0), 1e-15);
    const double sx2 = 16129 + 2500 + 0.0625 + 0.5625 + 6.25 + 12.25;
    cr_assert_float_eq(r->stats.sqnr_db, 10.0 * log10(sx2 / 0.625), 1e-12);
    cr_assert_float_eq(r->stats.rel_rmse, sqrt(0.625 / sx2), 1e-15);
    sip_quant_result_destroy(r);
    /* Blocks of 2: {254, 1} scale 2 -> {254, 0}; {63.5, -31.75} scale 0.5 -> codes 127, -63.5
     * -> -64 (tie to even) -> -32. */
    const double xb[] = {254, 1, 63.5, -31.75};
    r = quant(SIP_QUANT_INT8, 2, xb, 4);
    expect_y(r, (const double[]){254, 0, 63.5, -32}, 4);
    cr_assert_eq(r->n_scales, 2);
    cr_assert_eq(r->scales[0], 2.0);
    cr_assert_eq(r->scales[1], 0.5);
    sip_quant_result_destroy(r);
    /* No scaling: values cast to integers, saturating at -128..127. */
    const double xn[] = {300, -300, -128, 1.5};
    r = quant(SIP_QUANT_INT8, 0, xn, 4);
    expect_y(r, (const double[]){127, -128, -128, 2}, 4);
    cr_assert_eq(r->n_scales, 0);
    cr_assert_eq(r->stats.n_clipped, 2);
    sip_quant_result_destroy(r);
}

Test(kernels_quant, fp8_e4m3_hand_computed)
{
    /* amax 1000 = 1.95 x 2^9; E4M3 emax 8: scale 2^1.  x/2 = 0.5, 0.15, -1.5, 500:
     * 0.15 = 1.2 x 2^-3, quantum 2^-6: 9.6 -> 10 -> 0.15625; 500 > 448 saturates (clipped). */
    const double x[] = {1, 0.3, -3, 1000};
    sip_quant_result_t *r = quant(SIP_QUANT_FP8_E4M3, SIP_QUANT_BLOCK_TENSOR, x, 4);
    expect_y(r, (const double[]){1, 0.3125, -3, 896}, 4);
    cr_assert_eq(r->scales[0], 2.0);
    cr_assert_eq(r->stats.n_clipped, 1);
    cr_assert_float_eq(r->stats.clipped_fraction, 0.25, 0);
    cr_assert_eq(r->stats.max_abs_err, 104.0);
    sip_quant_result_destroy(r);
}

Test(kernels_quant, fp8_e5m2_hand_computed)
{
    /* Unscaled: 1.1 -> 1 (4.4 -> 4 quarter steps); 1.4 -> 1.5; 100 = 1.5625 x 2^6 -> 1.5 x 2^6
     * = 96; 0.001 = 1.024 x 2^-10 -> 2^-10; 1e-6 below half the smallest subnormal 2^-16 -> 0. */
    const double x[] = {1.1, 1.4, 100, -0.001, 1e-6};
    sip_quant_result_t *r = quant(SIP_QUANT_FP8_E5M2, 0, x, 5);
    expect_y(r, (const double[]){1.0, 1.5, 96, -0.0009765625, 0}, 5);
    cr_assert_eq(r->n_scales, 0);
    cr_assert_eq(r->stats.n_flushed, 1);
    cr_assert_eq(r->stats.n_clipped, 0);
    sip_quant_result_destroy(r);
}

Test(kernels_quant, fp4_e2m1_hand_computed)
{
    /* amax 7 = 1.75 x 2^2, E2M1 emax 2: scale 1.  7 -> 6 (clipped), 2.5 -> 2 (tie to even),
     * -0.2 -> -0 (flushed: E2M1 spacing below 1 is 0.5), 0.75 -> 1. */
    const double x[] = {7, 2.5, -0.2, 0.75};
    sip_quant_result_t *r = quant(SIP_QUANT_FP4_E2M1, SIP_QUANT_BLOCK_TENSOR, x, 4);
    expect_y(r, (const double[]){6, 2, -0.0, 1}, 4);
    cr_assert(signbit(r->y[2]));
    cr_assert_eq(r->scales[0], 1.0);
    cr_assert_eq(r->stats.n_clipped, 1);
    cr_assert_eq(r->stats.n_flushed, 1);
    sip_quant_result_destroy(r);
}

Test(kernels_quant, mxfp4_hand_computed)
{
    /* Two blocks of 32.  Block 0: {96, -40, 8, 1, 0...}: amax 96 = 1.5 x 2^6, scale 2^4 -> 96,
     * -32 (2.5 -> 2), 8, 0 (1/16 flushed).  Block 1: {0.375, 0.1875, -0.09375, 0...}: amax
     * 1.5 x 2^-2, scale 2^-4 -> 6, 3, -1.5 exactly. */
    double x[64] = {96, -40, 8, 1};
    x[32] = 0.375;
    x[33] = 0.1875;
    x[34] = -0.09375;
    double want[64] = {96, -32, 8, 0};
    want[32] = 0.375;
    want[33] = 0.1875;
    want[34] = -0.09375;
    sip_quant_result_t *r = quant(SIP_QUANT_MXFP4, SIP_QUANT_BLOCK_TENSOR, x, 64);
    cr_assert_eq(r->block, 32);
    expect_y(r, want, 64);
    cr_assert_eq(r->n_scales, 2);
    cr_assert_eq(r->scales[0], 16.0);
    cr_assert_eq(r->scales[1], 0.0625);
    cr_assert_eq(r->stats.n_flushed, 1);
    cr_assert_eq(r->stats.max_abs_err, 8.0);
    sip_quant_result_destroy(r);
    sip_error_t err;
    cr_assert_eq(sip_quant_tensor(SIP_QUANT_MXFP4, 16, x, 64, &r, &err), SIP_EINVAL);
    cr_assert_null(r);
    const double bad[] = {1, NAN};
    cr_assert_eq(sip_quant_tensor(SIP_QUANT_INT8, 0, bad, 2, &r, &err), SIP_EINVAL);
    cr_assert_null(r);
}

/* ---- properties on seeded data ---- */

Test(kernels_quant, sqnr_grows_with_bits_and_matches_sip_quantize_block)
{
    enum { N = 4096 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    cr_assert(x && y);
    uint64_t seed = 2024;
    for (int i = 0; i < N; i++)
        x[i] = noise(&seed);
    double sqnr[SIP_QUANT_COUNT];
    for (int p = 0; p < SIP_QUANT_COUNT; p++) {
        sip_quant_result_t *r = quant((sip_quant_precision_t)p, SIP_QUANT_BLOCK_TENSOR, x, N);
        sqnr[p] = r->stats.sqnr_db;
        /* The float paths round exactly like sip_quantize_block with the same blocks. */
        static const int fmt[SIP_QUANT_COUNT] = {-1, SIP_FMT_FP8_E4M3, SIP_FMT_FP8_E5M2,
                                                 SIP_FMT_FP4_E2M1, SIP_FMT_FP4_E2M1};
        if (fmt[p] >= 0) {
            const int64_t blk = p == SIP_QUANT_MXFP4 ? 32 : N;
            cr_assert_eq(sip_quantize_block((sip_float_format_t)fmt[p], blk, x, N, y, NULL, NULL),
                         SIP_OK);
            for (int i = 0; i < N; i++)
                cr_assert_eq(r->y[i], y[i], "%s [%d]", sip_quant_precision_name(r->precision), i);
        }
        sip_quant_result_destroy(r);
    }
    cr_assert(sqnr[SIP_QUANT_INT8] > sqnr[SIP_QUANT_FP8_E4M3] + 3.0, "int8 %g e4m3 %g",
              sqnr[SIP_QUANT_INT8], sqnr[SIP_QUANT_FP8_E4M3]);
    cr_assert(sqnr[SIP_QUANT_FP8_E4M3] > sqnr[SIP_QUANT_FP8_E5M2] + 3.0, "e4m3 %g e5m2 %g",
              sqnr[SIP_QUANT_FP8_E4M3], sqnr[SIP_QUANT_FP8_E5M2]);
    cr_assert(sqnr[SIP_QUANT_FP8_E5M2] > sqnr[SIP_QUANT_FP4_E2M1] + 3.0, "e5m2 %g e2m1 %g",
              sqnr[SIP_QUANT_FP8_E5M2], sqnr[SIP_QUANT_FP4_E2M1]);
    free(x);
    free(y);
}

Test(kernels_quant, int8_gemm_path_bit_exact)
{
    enum { M = 5, N = 7, K = 19 };
    double a[M * K], b[K * N];
    uint64_t seed = 99;
    for (int i = 0; i < M * K; i++)
        a[i] = 3.0 * noise(&seed);
    for (int i = 0; i < K * N; i++)
        b[i] = 0.01 * noise(&seed);
    sip_quant_gemm_t *g = NULL;
    sip_error_t err;
    cr_assert_eq(sip_quant_gemm_int8(M, N, K, a, M * K, b, K * N, &g, &err), SIP_OK, "%s",
                 err.message);
    /* The codes are the per-tensor absmax codes... */
    double amax = 0.0;
    for (int i = 0; i < M * K; i++)
        amax = fmax(amax, fabs(a[i]));
    cr_assert_eq(g->scale_a, amax / 127.0);
    for (int i = 0; i < M * K; i++)
        cr_assert_eq(g->a_q[i], (int8_t)nearbyint(a[i] / g->scale_a));
    /* ...and the accumulators equal a plain int32 loop on them, bit for bit. */
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            int32_t acc = 0;
            double ref = 0.0;
            for (int p = 0; p < K; p++) {
                acc += (int32_t)g->a_q[i * K + p] * (int32_t)g->b_q[p * N + j];
                ref += a[i * K + p] * b[p * N + j];
            }
            cr_assert_eq(g->c_acc[i * N + j], acc);
            cr_assert_eq(g->c[i * N + j], (double)acc * g->scale_a * g->scale_b);
            cr_assert_eq(g->c_ref[i * N + j], ref);
        }
    cr_assert_eq(g->n_wrapped, 0);
    /* 8-bit inputs give roughly 8-bit products: well above 20 dB, well below exact. */
    cr_assert(g->c_stats.sqnr_db > 20.0 && g->c_stats.sqnr_db < 80.0, "%g", g->c_stats.sqnr_db);
    sip_quant_gemm_destroy(g);
    /* Shapes must match the numbers given. */
    cr_assert_eq(sip_quant_gemm_int8(M, N, K, a, M * K - 1, b, K * N, &g, &err), SIP_EINVAL);
    cr_assert_null(g);
    cr_assert_eq(sip_quant_gemm_int8(M, N, K + 1, a, M * K, b, K * N, &g, &err), SIP_EINVAL);
    cr_assert_eq(sip_quant_gemm_int8(INT64_MAX, 2, 1, a, M * K, b, K * N, &g, &err), SIP_EINVAL);
}

/* ---- CLI ---- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(kernels_quant, cli_tensor_gemm_and_errors)
{
    char dir[] = "/tmp/sipsim-quantcli-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char x[600], a[600], b[600], bad[600], args[2048];
    snprintf(x, sizeof x, "%s/x.txt", dir);
    snprintf(a, sizeof a, "%s/a.txt", dir);
    snprintf(b, sizeof b, "%s/b.txt", dir);
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    write_file(x, "7, 2.5\n-0.2 0.75\n");
    write_file(a, "1 2\n3 4\n");
    write_file(b, "5 6\n7 8\n");
    write_file(bad, "1\n2\nfoo\n");

    snprintf(args, sizeof args, "quant --precision fp4_e2m1 --json %s", x);
    json_t *j = cli_run_json(NULL, args);
    cr_assert_str_eq(json_string_value(json_object_get(j, "precision")), "fp4_e2m1");
    cr_assert_str_eq(json_string_value(json_object_get(j, "scaling")), "per_tensor");
    const json_t *e = json_object_get(j, "error");
    cr_assert_eq(json_integer_value(json_object_get(e, "clipped")), 1);
    cr_assert_eq(json_integer_value(json_object_get(e, "flushed")), 1);
    cr_assert_float_eq(json_real_value(json_object_get(e, "max_abs_err")), 1.0, 0);
    const double err2 = 1.0 + 0.25 + 0.04 + 0.0625;
    cr_assert_float_eq(json_real_value(json_object_get(e, "rmse")), sqrt(err2 / 4.0), 1e-15);
    cr_assert_float_eq(json_real_value(json_array_get(json_object_get(j, "scales"), 0)), 1.0, 0);
    json_decref(j);

    /* Exact data: SQNR is null in JSON and "inf" in text. */
    snprintf(args, sizeof args, "quant --precision int8 --json --gemm %s %s 2 2 2", a, b);
    j = cli_run_json(NULL, args);
    cr_assert_float_eq(json_real_value(json_object_get(j, "scale_a")), 4.0 / 127.0, 1e-17);
    cr_assert_eq(json_integer_value(json_object_get(j, "accumulators_wrapped")), 0);
    e = json_object_get(j, "c_error");
    cr_assert_eq(json_integer_value(json_object_get(e, "n")), 4);
    cr_assert(json_real_value(json_object_get(e, "sqnr_db")) > 30.0);
    json_decref(j);

    int status;
    snprintf(args, sizeof args, "quant --precision mxfp4 %s", x);
    char *out = cli_run(NULL, args, &status);
    cr_assert_eq(status, 0);
    cr_assert_not_null(strstr(out, "one scale per 32 values"), "%s", out);
    cr_assert_not_null(strstr(out, "SQNR"), "%s", out);
    free(out);

    /* Bad input: exit 2 and the message names the file and line. */
    snprintf(args, sizeof args, "quant --precision int8 %s 2>&1", bad);
    out = cli_run(NULL, args, &status);
    cr_assert_eq(status, 2);
    free(out);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' quant --precision int8 '%s' 2>&1", getenv("SIPSIM_EXE"), bad);
    out = cli_capture(cmd, &status);
    char want[700];
    snprintf(want, sizeof want, "%s:3: 'foo' is not a number (expected a number)", bad);
    cr_assert_not_null(strstr(out, want), "%s", out);
    free(out);
    snprintf(args, sizeof args, "quant --precision int8 --limit 3 %s", bad);
    free(cli_run(NULL, args, &status));
    cr_assert_eq(status, 2);
    snprintf(args, sizeof args, "quant --precision fp16 %s", x);
    free(cli_run(NULL, args, &status));
    cr_assert_eq(status, 2);
    snprintf(args, sizeof args, "quant --precision int8 --gemm %s %s 3 2 2", a, b);
    free(cli_run(NULL, args, &status));
    cr_assert_eq(status, 2);

    unlink(x);
    unlink(a);
    unlink(b);
    unlink(bad);
    rmdir(dir);
}
