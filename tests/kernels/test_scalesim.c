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

Test(kernels_scalesim, user_bandwidth_runs_match_with_stalls)
{
    /* USER mode (finite DRAM bandwidth): the detailed trace model reproduces SCALE-Sim's
     * "Total Cycles" (compute + stalls) and "Stall Cycles" with zero difference, including the
     * four runs that stall (Conv2_1a on 32x32 OS, 128x128 OS, WS and IS). */
    FILE *f = open_data();
    char hline[4096], line[4096];
    cr_assert_not_null(fgets(hline, sizeof hline, f));
    row_t h;
    split(hline, &h);
    const int c_peer = col(&h, "peer"), c_case = col(&h, "case"), c_arr = col(&h, "array"),
              c_df = col(&h, "dataflow"), c_mode = col(&h, "mode"), c_m = col(&h, "M"),
              c_n = col(&h, "N"), c_k = col(&h, "K"), c_cyc = col(&h, "compute_cycles"),
              c_stall = col(&h, "stall_cycles"), c_st = col(&h, "status"),
              c_ki = col(&h, "ifmap_sram_kB"), c_kf = col(&h, "filter_sram_kB"),
              c_ko = col(&h, "ofmap_sram_kB"), c_bw = col(&h, "dram_bw_words_per_cycle");
    int n = 0, n_stalled = 0;
    while (fgets(line, sizeof line, f)) {
        row_t r;
        cr_assert_eq(split(line, &r), h.n);
        if (strcmp(r.f[c_st], "ok") != 0 || strcmp(r.f[c_mode], "USER") != 0)
            continue;
        int rows, cols;
        cr_assert_eq(sscanf(r.f[c_arr], "%dx%d", &rows, &cols), 2);
        const int df = sip_enum_lookup(sip_dataflow_names(), SIP_DATAFLOW_COUNT, r.f[c_df]);
        cr_assert(df >= 0);
        char ctx[160];
        snprintf(ctx, sizeof ctx, "%s %s %s %s", r.f[c_peer], r.f[c_case], r.f[c_arr], r.f[c_df]);
        const long long m = atoll(r.f[c_m]), nn = atoll(r.f[c_n]), k = atoll(r.f[c_k]);
        /* GEMM rows as SCALE-Sim lowers them (topology_utils.py:74); the conv row is
         * shared/peers/scalesim/topologies/resnet18_conv2_1a.csv. */
        sip_conv_t cv = {.in_h = m, .in_w = k, .channels = 1, .filt_h = 1, .filt_w = k,
                         .filters = nn, .stride = 1};
        if (strcmp(r.f[c_case], "Conv2_1a") == 0)
            cv = (sip_conv_t){.in_h = 56, .in_w = 56, .channels = 64, .filt_h = 3, .filt_w = 3,
                              .filters = 64, .stride = 1};
        const sip_scalesim_memory_t mem = {
            .ifmap_words = atoll(r.f[c_ki]) * 1024, .filter_words = atoll(r.f[c_kf]) * 1024,
            .ofmap_words = atoll(r.f[c_ko]) * 1024, .dram_words_per_cycle = atoll(r.f[c_bw])};
        sip_systolic_detailed_t d;
        sip_error_t err;
        cr_assert_eq(sip_systolic_conv_detailed(&mem, rows, cols, (sip_dataflow_t)df, &cv, &d,
                                                &err), SIP_OK, "%s: %s", ctx, err.message);
        cr_assert_eq(d.m * d.n * d.k, m * nn * k, "%s", ctx);
        cr_assert_eq(d.cycles, atoll(r.f[c_cyc]), "%s: total cycles ours %lld SCALE-Sim %s", ctx,
                     (long long)d.cycles, r.f[c_cyc]);
        cr_assert_eq(d.stall_cycles, atoll(r.f[c_stall]), "%s: stalls ours %lld SCALE-Sim %s",
                     ctx, (long long)d.stall_cycles, r.f[c_stall]);
        /* The stall-free part is the closed form's F x P - 1. */
        sip_systolic_result_t s;
        cr_assert_eq(sip_systolic_gemm(rows, cols, (sip_dataflow_t)df, m, nn, k, &s, &err), SIP_OK);
        cr_assert_eq(d.cycles - d.stall_cycles, s.cycles, "%s", ctx);
        n_stalled += d.stall_cycles > 0;
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 11);
    cr_assert_eq(n_stalled, 4);
}

Test(kernels_scalesim, detailed_rejects_bad_input)
{
    const sip_scalesim_memory_t mem = {65536, 65536, 65536, 10};
    sip_conv_t cv = {.in_h = 8, .in_w = 8, .channels = 1, .filt_h = 1, .filt_w = 8, .filters = 8,
                     .stride = 1};
    sip_systolic_detailed_t d;
    sip_error_t err;
    cr_assert_eq(sip_systolic_conv_detailed(&mem, 0, 8, SIP_DATAFLOW_OS, &cv, &d, &err), SIP_EINVAL);
    const sip_scalesim_memory_t no_bw = {65536, 65536, 65536, 0};
    cr_assert_eq(sip_systolic_conv_detailed(&no_bw, 8, 8, SIP_DATAFLOW_OS, &cv, &d, &err),
                 SIP_EINVAL);
    cv.pad = 1;
    cr_assert_eq(sip_systolic_conv_detailed(&mem, 8, 8, SIP_DATAFLOW_OS, &cv, &d, &err), SIP_EINVAL);
    cv.pad = 0;
    /* An 8 x 8 x 8 GEMM that fits every scratchpad: no stalls, the closed form exactly. */
    cr_assert_eq(sip_systolic_conv_detailed(&mem, 4, 4, SIP_DATAFLOW_WS, &cv, &d, &err), SIP_OK);
    sip_systolic_result_t s;
    cr_assert_eq(sip_systolic_gemm(4, 4, SIP_DATAFLOW_WS, 8, 8, 8, &s, &err), SIP_OK);
    cr_assert_eq(d.stall_cycles, 0);
    cr_assert_eq(d.cycles, s.cycles);
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
