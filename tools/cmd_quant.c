/* sipsim quant --precision P [--block N] DATA | --gemm A B M N K: the error a precision costs on
 * given numbers (library: sip_numbers_read, sip_quant_tensor, sip_quant_gemm_int8).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/quant.h"

/* JSON lists every scale up to this many blocks; beyond, only their count, minimum and maximum
 * (a 2^26-value MXFP4 tensor has 2^21 scales). */
#define JSON_SCALES_MAX 65536

static const char usage_text[] =
    "usage: sipsim quant --precision int8|fp8_e4m3|fp8_e5m2|fp4_e2m1|mxfp4 [--block N|tensor]\n"
    "                    [--limit N] [--json] [-o OUT] (DATA | --gemm A B M N K)\n"
    "  DATA: decimal numbers separated by whitespace, newlines or commas ('#' comments).\n"
    "  --block N: one scale per N values (0 = no scaling; default: per tensor, mxfp4: 32).\n"
    "  --gemm A B M N K: A (M x K) x B (K x N) through INT8 codes with int32 accumulation\n"
    "    against the double-precision product of the given numbers (per-tensor scales).\n"
    "  --limit N: refuse files with more than N numbers (default 67108864).\n";

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null(); /* exact: SQNR infinite -> null */
}

static bool parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static json_t *stats_json(const sip_quant_stats_t *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "n", json_integer(s->n));
    json_object_set_new(o, "max_abs_err", num(s->max_abs_err));
    json_object_set_new(o, "rmse", num(s->rmse));
    json_object_set_new(o, "rel_rmse", num(s->rel_rmse));
    json_object_set_new(o, "sqnr_db", num(s->sqnr_db));
    json_object_set_new(o, "clipped", json_integer(s->n_clipped));
    json_object_set_new(o, "clipped_fraction", json_real(s->clipped_fraction));
    json_object_set_new(o, "flushed", json_integer(s->n_flushed));
    json_object_set_new(o, "flushed_fraction", json_real(s->flushed_fraction));
    return o;
}

static void stats_text(FILE *out, const char *indent, const sip_quant_stats_t *s)
{
    fprintf(out, "%smax abs error    %.6g\n", indent, s->max_abs_err);
    fprintf(out, "%sRMSE             %.6g\n", indent, s->rmse);
    fprintf(out, "%srelative RMSE    %.6g\n", indent, s->rel_rmse);
    if (isinf(s->sqnr_db) && s->sqnr_db > 0)
        fprintf(out, "%sSQNR             inf dB (exact)\n", indent);
    else
        fprintf(out, "%sSQNR             %.2f dB\n", indent, s->sqnr_db);
    fprintf(out, "%sclipped          %lld of %lld (%.4g %%)\n", indent, (long long)s->n_clipped,
            (long long)s->n, 100.0 * s->clipped_fraction);
    fprintf(out, "%sflushed to zero  %lld of %lld (%.4g %%)\n", indent, (long long)s->n_flushed,
            (long long)s->n, 100.0 * s->flushed_fraction);
}

static const char *scaling_name(int64_t block)
{
    return block == 0 ? "none" : block == SIP_QUANT_BLOCK_TENSOR ? "per_tensor" : "per_block";
}

static int run_tensor(FILE *out, bool json, sip_quant_precision_t p, int64_t block,
                      const char *path, int64_t limit)
{
    double *x = NULL;
    int64_t n = 0;
    sip_error_t err;
    sip_quant_result_t *r = NULL;
    int rc = CLI_EXIT_INPUT;
    if (sip_numbers_read(path, limit, &x, &n, &err) != SIP_OK) {
        cli_print_error(&err);
        goto out;
    }
    if (sip_quant_tensor(p, block, x, n, &r, &err) != SIP_OK) {
        snprintf(err.path, sizeof err.path, "%s", path);
        cli_print_error(&err);
        goto out;
    }
    double smin = INFINITY, smax = 0.0;
    for (int64_t i = 0; i < r->n_scales; i++) {
        smin = fmin(smin, r->scales[i]);
        smax = fmax(smax, r->scales[i]);
    }
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string(path));
        json_object_set_new(o, "precision", json_string(sip_quant_precision_name(p)));
        json_object_set_new(o, "scaling", json_string(scaling_name(r->block)));
        json_object_set_new(o, "block", json_integer(r->block >= n ? n : r->block));
        json_object_set_new(o, "n_scales", json_integer(r->n_scales));
        json_object_set_new(o, "scale_min", r->n_scales ? json_real(smin) : json_null());
        json_object_set_new(o, "scale_max", r->n_scales ? json_real(smax) : json_null());
        if (r->n_scales <= JSON_SCALES_MAX) {
            json_t *a = json_array();
            for (int64_t i = 0; i < r->n_scales; i++)
                json_array_append_new(a, json_real(r->scales[i]));
            json_object_set_new(o, "scales", a);
        }
        json_object_set_new(o, "error", stats_json(&r->stats));
        cli_print_json(out, o, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    } else {
        fprintf(out, "%s: %lld values as %s, ", path, (long long)n, sip_quant_precision_name(p));
        if (r->block == 0)
            fprintf(out, "no scaling\n");
        else if (r->block == SIP_QUANT_BLOCK_TENSOR)
            fprintf(out, "one scale for the tensor\n");
        else
            fprintf(out, "one scale per %lld values\n", (long long)r->block);
        stats_text(out, "  ", &r->stats);
        if (r->n_scales == 1)
            fprintf(out, "  scale            %.9g\n", r->scales[0]);
        else if (r->n_scales > 1) {
            fprintf(out, "  scales           %lld, from %.9g to %.9g", (long long)r->n_scales,
                    smin, smax);
            if (r->n_scales <= 8) {
                fprintf(out, ":");
                for (int64_t i = 0; i < r->n_scales; i++)
                    fprintf(out, " %.9g", r->scales[i]);
            }
            fprintf(out, "\n");
        }
    }
    rc = CLI_EXIT_OK;
out:
    sip_quant_result_destroy(r);
    free(x);
    return rc;
}

static int run_gemm(FILE *out, bool json, char **g, int64_t limit)
{
    const char *cmd = "quant";
    int64_t dim[3];
    for (int i = 0; i < 3; i++)
        if (!parse_i64(g[2 + i], 1, SIP_NUMBERS_MAX_DEFAULT, &dim[i]))
            return cli_usage(cmd, "bad %c '%s' for --gemm (expected an integer 1..%lld)",
                             "MNK"[i], g[2 + i], (long long)SIP_NUMBERS_MAX_DEFAULT);
    double *a = NULL, *b = NULL;
    int64_t na = 0, nb = 0;
    sip_error_t err;
    sip_quant_gemm_t *r = NULL;
    int rc = CLI_EXIT_INPUT;
    if (sip_numbers_read(g[0], limit, &a, &na, &err) != SIP_OK ||
        sip_numbers_read(g[1], limit, &b, &nb, &err) != SIP_OK) {
        cli_print_error(&err);
        goto out;
    }
    if (sip_quant_gemm_int8(dim[0], dim[1], dim[2], a, na, b, nb, &r, &err) != SIP_OK) {
        cli_print_error(&err);
        goto out;
    }
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "a", json_string(g[0]));
        json_object_set_new(o, "b", json_string(g[1]));
        json_object_set_new(o, "precision", json_string("int8"));
        json_object_set_new(o, "m", json_integer(r->m));
        json_object_set_new(o, "n", json_integer(r->n));
        json_object_set_new(o, "k", json_integer(r->k));
        json_object_set_new(o, "scale_a", json_real(r->scale_a));
        json_object_set_new(o, "scale_b", json_real(r->scale_b));
        json_object_set_new(o, "accumulators_wrapped", json_integer(r->n_wrapped));
        json_object_set_new(o, "a_error", stats_json(&r->a_stats));
        json_object_set_new(o, "b_error", stats_json(&r->b_stats));
        json_object_set_new(o, "c_error", stats_json(&r->c_stats));
        cli_print_json(out, o, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    } else {
        fprintf(out, "INT8 GEMM %lld x %lld x %lld (int32 accumulation) against double "
                "precision\n", (long long)r->m, (long long)r->n, (long long)r->k);
        fprintf(out, "  A %s: scale %.9g\n", g[0], r->scale_a);
        stats_text(out, "    ", &r->a_stats);
        fprintf(out, "  B %s: scale %.9g\n", g[1], r->scale_b);
        stats_text(out, "    ", &r->b_stats);
        fprintf(out, "  C = A x B: %lld accumulators wrapped past int32\n",
                (long long)r->n_wrapped);
        stats_text(out, "    ", &r->c_stats);
    }
    rc = CLI_EXIT_OK;
out:
    sip_quant_gemm_destroy(r);
    free(a);
    free(b);
    return rc;
}

int cmd_quant(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    const char *precision = NULL, *data = NULL, *block_arg = NULL;
    char **gemm = NULL;
    int64_t limit = SIP_NUMBERS_MAX_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--gemm") == 0) {
            if (i + 5 >= argc)
                return cli_usage(argv[0], "--gemm needs A B M N K");
            gemm = &argv[i + 1];
            i += 5;
        } else if (strcmp(a, "--precision") == 0 || strcmp(a, "--block") == 0 ||
                   strcmp(a, "--limit") == 0) {
            if (i + 1 >= argc)
                return cli_usage(argv[0], "option %s needs a value", a);
            const char *v = argv[++i];
            if (a[2] == 'p')
                precision = v;
            else if (a[2] == 'b')
                block_arg = v;
            else if (!parse_i64(v, 1, SIP_NUMBERS_MAX_DEFAULT, &limit))
                return cli_usage(argv[0], "bad value '%s' for --limit (expected 1..%lld)", v,
                                 (long long)SIP_NUMBERS_MAX_DEFAULT);
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (!data) {
            data = a;
        } else {
            return cli_usage(argv[0], "unexpected argument '%s'", a);
        }
    }
    if (!precision)
        return cli_usage(argv[0], "missing --precision (int8, fp8_e4m3, fp8_e5m2, fp4_e2m1 or "
                         "mxfp4)");
    sip_quant_precision_t p;
    sip_error_t err;
    if (sip_quant_precision_parse(precision, &p, &err) != SIP_OK)
        return cli_usage(argv[0], "%s", err.message);
    int64_t block = sip_quant_default_block(p);
    if (block_arg && strcmp(block_arg, "tensor") != 0 &&
        !parse_i64(block_arg, 0, INT64_MAX, &block))
        return cli_usage(argv[0], "bad value '%s' for --block (expected an integer >= 0 or "
                         "'tensor')", block_arg);
    if (block_arg && strcmp(block_arg, "tensor") == 0)
        block = SIP_QUANT_BLOCK_TENSOR;
    if (gemm && data)
        return cli_usage(argv[0], "give DATA or --gemm, not both");
    if (gemm && (p != SIP_QUANT_INT8 || block_arg))
        return cli_usage(argv[0], "--gemm is INT8 with per-tensor scales (expected --precision "
                         "int8 and no --block)");
    if (!gemm && !data)
        return cli_usage(argv[0], "missing DATA file (or --gemm A B M N K)");
    FILE *out = cli_open_output(common.output);
    if (!out)
        return CLI_EXIT_INPUT;
    const int rc = gemm ? run_gemm(out, common.json, gemm, limit)
                        : run_tensor(out, common.json, p, block, data, limit);
    cli_close_output(out);
    return rc;
}
