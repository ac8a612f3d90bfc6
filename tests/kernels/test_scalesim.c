/* The systolic model against SCALE-Sim v2: every finished run in
 * tests/data/kernels/scalesim_v2_results.csv (a copy of shared/peers/scalesim/results.csv),
 * zero difference in cycles and SRAM counts, utilisations to 1e-9 relative.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim.h"

#define MAX_FIELDS 48

typedef struct {
    char *f[MAX_FIELDS];
    int n;
} row_t;

static int split(char *line, row_t *r)
{
    r->n = 0;
    char *p = line;
    while (r->n < MAX_FIELDS) {
        r->f[r->n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    char *nl = strpbrk(r->f[r->n - 1], "\r\n");
    if (nl)
        *nl = '\0';
    return r->n;
}

static int col(const row_t *header, const char *name)
{
    for (int i = 0; i < header->n; i++)
        if (strcmp(header->f[i], name) == 0)
            return i;
    cr_assert_fail("column %s missing", name);
    return -1;
}

static FILE *open_data(void)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert_not_null(root);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/kernels/scalesim_v2_results.csv", root);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    return f;
}

static void assert_rel(double ours, double theirs, const char *what, const char *ctx)
{
    const double tol = 1e-9 * fmax(1.0, fabs(theirs));
    cr_assert(fabs(ours - theirs) <= tol, "%s: %s ours %.15g SCALE-Sim %.15g", ctx, what, ours,
              theirs);
}

Test(kernels_scalesim, every_finished_run_matches_exactly)
{
    FILE *f = open_data();
    char hline[4096], line[4096];
    cr_assert_not_null(fgets(hline, sizeof hline, f));
    row_t h;
    split(hline, &h);
    const int c_peer = col(&h, "peer"), c_case = col(&h, "case"), c_arr = col(&h, "array"),
              c_df = col(&h, "dataflow"), c_mode = col(&h, "mode"), c_m = col(&h, "M"),
              c_n = col(&h, "N"), c_k = col(&h, "K"), c_cyc = col(&h, "compute_cycles"),
              c_stall = col(&h, "stall_cycles"), c_ou = col(&h, "overall_util_pct"),
              c_me = col(&h, "mapping_eff_pct"), c_cu = col(&h, "compute_util_pct"),
              c_si = col(&h, "sram_ifmap_reads"), c_sf = col(&h, "sram_filter_reads"),
              c_so = col(&h, "sram_ofmap_writes"), c_st = col(&h, "status");
    int n_ok = 0, n_stalled = 0, n_per_df[SIP_DATAFLOW_COUNT] = {0};
    while (fgets(line, sizeof line, f)) {
        row_t r;
        cr_assert_eq(split(line, &r), h.n);
        if (strcmp(r.f[c_st], "ok") != 0)
            continue;
        int rows, cols;
        cr_assert_eq(sscanf(r.f[c_arr], "%dx%d", &rows, &cols), 2);
        const int df = sip_enum_lookup(sip_dataflow_names(), SIP_DATAFLOW_COUNT, r.f[c_df]);
        cr_assert(df >= 0, "dataflow %s", r.f[c_df]);
        char ctx[160];
        snprintf(ctx, sizeof ctx, "%s %s %s %s %s", r.f[c_peer], r.f[c_case], r.f[c_arr],
                 r.f[c_df], r.f[c_mode]);
        sip_systolic_result_t s;
        sip_error_t err;
        cr_assert_eq(sip_systolic_gemm(rows, cols, (sip_dataflow_t)df, atoll(r.f[c_m]),
                                       atoll(r.f[c_n]), atoll(r.f[c_k]), &s, &err),
                     SIP_OK);
        const long long total = atoll(r.f[c_cyc]), stall = atoll(r.f[c_stall]);
        /* Compute cycles: zero difference.  USER-mode runs add DRAM stall cycles on top
         * (Total = F x P - 1 + Stall); the stall-free part must still match exactly. */
        cr_assert_eq(s.cycles + stall, total, "%s: cycles ours %lld + stall %lld, SCALE-Sim %lld",
                     ctx, (long long)s.cycles, stall, total);
        if (stall == 0)
            assert_rel(100.0 * s.overall_util, atof(r.f[c_ou]), "overall util", ctx);
        else
            n_stalled++;
        /* Overall Util is MACs over the reported cycles, stalls included. */
        assert_rel(100.0 * (double)s.macs / ((double)total * rows * cols), atof(r.f[c_ou]),
                   "overall util (reported cycles)", ctx);
        assert_rel(100.0 * s.mapping_eff, atof(r.f[c_me]), "mapping efficiency", ctx);
        assert_rel(100.0 * s.compute_util, atof(r.f[c_cu]), "compute util", ctx);
        cr_assert_eq(s.sram_ifmap_reads, atoll(r.f[c_si]), "%s: SRAM ifmap reads", ctx);
        cr_assert_eq(s.sram_filter_reads, atoll(r.f[c_sf]), "%s: SRAM filter reads", ctx);
        cr_assert_eq(s.sram_ofmap_writes, atoll(r.f[c_so]), "%s: SRAM ofmap writes", ctx);
        n_ok++;
        n_per_df[df]++;
    }
    fclose(f);
    /* The file holds 54 finished runs (v2 CALC and USER, v3), 4 of them with stalls. */
    cr_assert_eq(n_ok, 54);
    cr_assert_eq(n_stalled, 4);
    for (int d = 0; d < SIP_DATAFLOW_COUNT; d++)
        cr_assert(n_per_df[d] >= 15, "dataflow %d: %d runs", d, n_per_df[d]);
}

Test(kernels_scalesim, unfinished_runs_match_the_closed_form_predictions)
{
    /* Runs SCALE-Sim could not finish carry make_results.py's prediction (pred_compute_cycles),
     * computed independently of this code from the same derivation. */
    FILE *f = open_data();
    char hline[4096], line[4096];
    cr_assert_not_null(fgets(hline, sizeof hline, f));
    row_t h;
    split(hline, &h);
    const int c_arr = col(&h, "array"), c_df = col(&h, "dataflow"), c_m = col(&h, "M"),
              c_n = col(&h, "N"), c_k = col(&h, "K"), c_st = col(&h, "status"),
              c_pred = col(&h, "pred_compute_cycles"), c_folds = col(&h, "folds"),
              c_cpf = col(&h, "cycles_per_fold");
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        row_t r;
        split(line, &r);
        if (strcmp(r.f[c_st], "ok") == 0)
            continue;
        int rows, cols;
        cr_assert_eq(sscanf(r.f[c_arr], "%dx%d", &rows, &cols), 2);
        const int df = sip_enum_lookup(sip_dataflow_names(), SIP_DATAFLOW_COUNT, r.f[c_df]);
        sip_systolic_result_t s;
        cr_assert_eq(sip_systolic_gemm(rows, cols, (sip_dataflow_t)df, atoll(r.f[c_m]),
                                       atoll(r.f[c_n]), atoll(r.f[c_k]), &s, NULL),
                     SIP_OK);
        cr_assert_eq(s.cycles, atoll(r.f[c_pred]));
        cr_assert_eq(s.folds, atoll(r.f[c_folds]));
        cr_assert_eq(s.cycles_per_fold, atoll(r.f[c_cpf]));
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 10);
}

Test(kernels_scalesim, resnet18_conv2_1a_lowers_like_scalesim)
{
    /* shared/peers/scalesim/topologies/resnet18_conv2_1a.csv: 56 x 56 x 64 input, 3 x 3, 64
     * filters, stride 1, no padding -> M = 54 x 54 = 2916, N = 64, K = 576. */
    const sip_conv_t cv = {.in_h = 56, .in_w = 56, .channels = 64, .filt_h = 3, .filt_w = 3,
                           .filters = 64, .stride = 1, .pad = 0};
    int64_t m, n, k;
    cr_assert_eq(sip_conv_lower(&cv, &m, &n, &k, NULL), SIP_OK);
    cr_assert_eq(m, 2916);
    cr_assert_eq(n, 64);
    cr_assert_eq(k, 576);
    /* And its WS run on 32 x 32 (results.md worked example): F = 18 x 2, P = 3010. */
    sip_systolic_result_t s;
    cr_assert_eq(sip_systolic_gemm(32, 32, SIP_DATAFLOW_WS, m, n, k, &s, NULL), SIP_OK);
    cr_assert_eq(s.folds, 36);
    cr_assert_eq(s.cycles_per_fold, 3010);
    cr_assert_eq(s.cycles, 108359);
    /* Padding 1 keeps the 56 x 56 output. */
    const sip_conv_t padded = {56, 56, 64, 3, 3, 64, 1, 1};
    cr_assert_eq(sip_conv_lower(&padded, &m, &n, &k, NULL), SIP_OK);
    cr_assert_eq(m, 56 * 56);
}

Test(kernels_scalesim, bad_shapes_are_rejected)
{
    sip_systolic_result_t s;
    sip_error_t err;
    cr_assert_eq(sip_systolic_gemm(0, 32, SIP_DATAFLOW_OS, 1, 1, 1, &s, &err), SIP_EINVAL);
    cr_assert_eq(sip_systolic_gemm(32, 32, SIP_DATAFLOW_OS, 0, 1, 1, &s, &err), SIP_EINVAL);
    cr_assert_eq(sip_systolic_gemm(32, 32, SIP_DATAFLOW_COUNT, 1, 1, 1, &s, &err), SIP_EINVAL);
    const sip_conv_t big = {2, 2, 1, 3, 3, 1, 1, 0};
    int64_t m, n, k;
    cr_assert_eq(sip_conv_lower(&big, &m, &n, &k, &err), SIP_EINVAL);
}
