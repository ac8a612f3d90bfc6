/* Issue 17: the reference packages (public products) run the workload model; one die needs no
 * die-to-die traffic; HBM attached to I/O dies (MI300X); causal prefill; TTFT; the bottleneck
 * named; pipeline micro-batches; 64-bit GEMM counts; the CLI's exit codes and finite-DRAM mode.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"

static double rel(double a, double b)
{
    return fabs(a - b) / fabs(b);
}

/* Peak options: every efficiency 1, so the numbers below follow from the datasheets alone. */
static sip_workload_options_t peak_options(void)
{
    sip_workload_options_t o;
    sip_workload_options_init(&o);
    o.tile.mac_efficiency = o.tile.vector_efficiency = o.tile.hbm_efficiency = 1.0;
    return o;
}

static sip_workload_t decode_of(const char *model, sip_precision_t prec, int batch, int context)
{
    sip_workload_t wl;
    memset(&wl, 0, sizeof wl);
    wl.present = true;
    snprintf(wl.model, sizeof wl.model, "%s", model);
    snprintf(wl.phase, sizeof wl.phase, "decode");
    wl.batch = batch;
    wl.context_tokens = context;
    wl.precision = prec;
    return wl;
}

typedef struct {
    const char *path;
    sip_precision_t precision;
    double hbm_GBps;        /* published (topology comments cite the datasheets) */
} ref_t;

/* H100 SXM 3.35 TB/s, A100 80GB 2039 GB/s, MI300X 5.3 TB/s (datasheets); H800 = H100's memory;
 * H20 and Ascend 910 keep their JEDEC stacks (5 x 819.2, 4 x 460). */
static const ref_t refs[] = {
    {"topologies/reference/h100_sxm.cfg", SIP_PREC_BF16, 3350.0},
    {"topologies/reference/a100_sxm.cfg", SIP_PREC_BF16, 2039.0},
    {"topologies/reference/h800_sxm.cfg", SIP_PREC_BF16, 3350.0},
    {"topologies/reference/h20.cfg", SIP_PREC_BF16, 4096.0},
    {"topologies/reference/ascend910.cfg", SIP_PREC_FP16, 1840.0},
    {"topologies/reference/mi300x.cfg", SIP_PREC_BF16, 5300.0},
};

Test(kernels_packages, reference_packages_run_decode_at_published_hbm_bandwidth)
{
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        sip_package_t *pkg = test_load_package(refs[i].path);
        const sip_workload_t wl = decode_of("llama3-8b", refs[i].precision, 1, 1024);
        const sip_workload_options_t o = peak_options();
        sip_workload_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &r, &err), SIP_OK, "%s: %s",
                     refs[i].path, err.message);
        cr_assert(rel(r->hbm_GBps, refs[i].hbm_GBps) < 1e-9, "%s: %g GB/s", refs[i].path,
                  r->hbm_GBps);
        cr_assert(r->fits);
        /* Batch-1 decode streams the weights once per token: HBM-bound on all of them except
         * H20, whose throttled tensor cores (148 TFLOPS) make the MACs bind. */
        cr_assert(r->decode.limit == SIP_LIMIT_HBM || r->decode.limit == SIP_LIMIT_COMPUTE,
                  "%s: %s", refs[i].path, sip_limit_name(r->decode.limit));
        if (r->decode.limit == SIP_LIMIT_HBM) {
            const double bytes_per_s = r->hbm_bytes_per_token * r->tokens_per_s;
            /* Time is HBM time: bytes / bandwidth (MI300X adds the ring all-reduce). */
            cr_assert(bytes_per_s <= r->hbm_GBps * 1e9 * (1.0 + 1e-9), "%s", refs[i].path);
            cr_assert(bytes_per_s > 0.85 * r->hbm_GBps * 1e9, "%s: %g of %g GB/s", refs[i].path,
                      bytes_per_s / 1e9, r->hbm_GBps);
        }
        sip_workload_result_destroy(r);
        sip_package_destroy(pkg);
    }
}

Test(kernels_packages, one_die_has_no_die_to_die_demand)
{
    sip_package_t *pkg = test_load_package("topologies/reference/h100_sxm.cfg");
    const sip_workload_t wl = decode_of("llama3-8b", SIP_PREC_FP8, 8, 2048);
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(r->n_compute, 1);
    cr_assert_eq(r->n_demands, 0);
    cr_assert_float_eq(r->decode.d2d_bytes, 0.0, 0);
    cr_assert_float_eq(r->decode.time_by_limit_s[SIP_LIMIT_D2D], 0.0, 0);
    /* Its HBM stacks are busy, the die draws more than idle. */
    const int gpu = sip_package_find_instance(pkg, "gpu"), hbm0 = sip_package_find_instance(pkg, "hbm0");
    cr_assert_gt(r->busy_s[hbm0], 0.0);
    cr_assert_gt(r->power_w[gpu], sip_instance_type(pkg, gpu)->idle_w);
    /* Asking for two dies on one is an error naming the line, not a crash. */
    sip_workload_t two = wl;
    two.tensor_parallel = 2;
    cr_assert_eq(sip_workload_evaluate(pkg, &two, NULL, NULL, &r, &err), SIP_EINVAL);
    sip_package_destroy(pkg);
}

/* MI300X: the XCDs have no HBM of their own; each reaches the two stacks of the IOD it is
 * bonded to (shared with the other XCD there) over its UCIe link, and that traffic is on the
 * links. */
Test(kernels_packages, mi300x_reaches_hbm_through_its_io_dies)
{
    sip_package_t *pkg = test_load_package("topologies/reference/mi300x.cfg");
    const sip_workload_t wl = decode_of("llama3-70b", SIP_PREC_FP8, 8, 2048);
    const sip_workload_options_t o = peak_options();
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &r, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(r->n_compute, 8);
    cr_assert(rel(r->hbm_GBps, 5300.0) < 1e-9);
    cr_assert(rel(r->hbm_capacity_bytes_per_chiplet, 25.77e9) < 1e-9);
    cr_assert(r->fits);
    /* iod0 -> xcd0 carries xcd0's HBM bytes of the step. */
    const int iod0 = sip_package_find_instance(pkg, "iod0"), xcd0 = sip_package_find_instance(pkg, "xcd0");
    double GBps = 0.0;
    for (int i = 0; i < r->n_demands; i++)
        if (r->demands[i].from_instance == iod0 && r->demands[i].to_instance == xcd0)
            GBps = r->demands[i].GBps;
    cr_assert_gt(GBps, 0.0);
    cr_assert_leq(GBps, 662.5 * (1.0 + 1e-9));
    /* The IOD's stacks are busy. */
    cr_assert_gt(r->busy_s[sip_package_find_instance(pkg, "hbm0")], 0.0);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Prefill of one 8192-token prompt: attention MACs are the causal half (plus the diagonal),
 * per layer 2 (QK, PV) x heads x head_dim x n (n + 1) / 2. */
Test(kernels_packages, prefill_counts_the_causal_half_of_the_scores)
{
    sip_package_t *pkg = test_load_package("topologies/reference/h100_sxm.cfg");
    sip_workload_t wl = decode_of("llama3-8b", SIP_PREC_FP8, 1, 8192);
    strcpy(wl.phase, "prefill");
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
    const double n = 8192.0;
    const double att = 32.0 * 2 * 32 * 128 * n * (n + 1) / 2;
    /* Dense MACs: every projection for every token; the LM head for the last token only. */
    const double dense = sip_model_shape_dense_macs_per_token(&r->shape) * n -
                         (n - 1) * 128256.0 * 4096;
    cr_assert(rel(r->prefill.macs, dense + att) < 1e-9, "%g vs %g", r->prefill.macs, dense + att);
    /* TTFT is the prefill (vLLM / TensorRT-LLM), not prefill + a decode step. */
    cr_assert_float_eq(r->ttft_s, r->prefill.time_s, 0);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(kernels_packages, attention_kernel_causal_and_window_counts)
{
    sip_package_t *pkg = test_load_package("topologies/reference/h100_sxm.cfg");
    sip_tile_t t;
    cr_assert_eq(sip_tile_from_instance(pkg, 0, SIP_PREC_BF16, NULL, &t, NULL), SIP_OK);
    sip_attention_t a = {.batch = 1, .q_heads = 8, .kv_heads = 8, .head_dim = 128,
                         .q_tokens = 100, .kv_tokens = 100};
    sip_kernel_result_t full, causal, win;
    cr_assert_eq(sip_kernel_attention(&t, &a, &full, NULL), SIP_OK);
    a.causal = true;
    cr_assert_eq(sip_kernel_attention(&t, &a, &causal, NULL), SIP_OK);
    cr_assert(rel(causal.macs, full.macs * (100.0 * 101 / 2) / (100.0 * 100)) < 1e-12);
    /* Window 10: queries 0..9 see 1..10 keys, the other 90 see 10. */
    a.window_tokens = 10;
    cr_assert_eq(sip_kernel_attention(&t, &a, &win, NULL), SIP_OK);
    cr_assert(rel(win.macs, full.macs * (55.0 + 900.0) / (100.0 * 100)) < 1e-12);
    /* Decode (1 query after 99 cached): the window caps the keys read from the cache. */
    sip_attention_t d = {.batch = 1, .q_heads = 8, .kv_heads = 8, .head_dim = 128,
                         .q_tokens = 1, .kv_tokens = 100, .kv_in_hbm = true, .causal = true,
                         .window_tokens = 10};
    cr_assert_eq(sip_kernel_attention(&t, &d, &win, NULL), SIP_OK);
    cr_assert(rel(win.hbm_bytes, 2.0 * 8 * 128 * 2 * 10) < 1e-12);
    d.q_tokens = 101; /* more queries than keys */
    cr_assert_eq(sip_kernel_attention(&t, &d, &win, NULL), SIP_EINVAL);
    sip_package_destroy(pkg);
}

/* The default package's decode: 2 WS arrays of 128 x 128 take weights at 2 x 128 B per cycle
 * (288 GB/s per die) against 819 GB/s of HBM: the weight intake binds, and is named. */
Test(kernels_packages, default_decode_is_bound_by_the_weight_feed)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_workload_result_t *r = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &r, NULL), SIP_OK);
    cr_assert_eq(r->decode.limit, SIP_LIMIT_WEIGHT_FEED);
    cr_assert_str_eq(sip_limit_name(r->decode.limit), "weight-feed");
    cr_assert_gt(r->decode.time_by_limit_s[SIP_LIMIT_WEIGHT_FEED], 0.9 * r->decode.time_s);
    sip_workload_result_destroy(r);
    /* 32 x faster arrays: prefill's big GEMMs are MAC-bound ("macs"). */
    sip_workload_t wl = pkg->workload;
    strcpy(wl.phase, "prefill");
    wl.context_tokens = 1024;
    wl.batch = 1;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, NULL), SIP_OK);
    cr_assert_eq(r->prefill.limit, SIP_LIMIT_COMPUTE);
    cr_assert_str_eq(sip_limit_name(SIP_LIMIT_COMPUTE), "macs");
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Pipeline parallel 4 on the default package, prefill of 4 prompts: one micro-batch runs the
 * stages one after the other (4 x a stage of 4 prompts); 4 micro-batches fill the pipeline:
 * (4 + 3) x a stage of 1 prompt, a stage of 1 prompt being a quarter of 4 (MAC-bound). */
Test(kernels_packages, pipeline_micro_batches_fill_the_stages)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_workload_t wl = pkg->workload;
    strcpy(wl.phase, "prefill");
    wl.batch = 4;
    wl.context_tokens = 512;
    wl.tensor_parallel = 1;
    wl.pipeline_parallel = 4;
    sip_workload_options_t o;
    sip_workload_options_init(&o);
    sip_workload_result_t *one = NULL, *four = NULL;
    o.micro_batches = 1;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &one, NULL), SIP_OK);
    o.micro_batches = 0; /* default: min(batch, pp) = 4 */
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &four, NULL), SIP_OK);
    cr_assert_eq(one->micro_batches, 1);
    cr_assert_eq(four->micro_batches, 4);
    const double compute1 = one->prefill.time_s - one->prefill.time_by_limit_s[SIP_LIMIT_D2D] -
                            one->prefill.time_by_limit_s[SIP_LIMIT_IO];
    const double compute4 = four->prefill.time_s - four->prefill.time_by_limit_s[SIP_LIMIT_D2D] -
                            four->prefill.time_by_limit_s[SIP_LIMIT_IO];
    cr_assert(rel(compute4 / compute1, 7.0 / 16.0) < 0.05, "ratio %g", compute4 / compute1);
    cr_assert_gt(four->tokens_per_s, 2.0 * one->tokens_per_s);
    /* The same MACs either way; more micro-batches than sequences is an error. */
    cr_assert(rel(four->prefill.macs, one->prefill.macs) < 1e-9);
    o.micro_batches = 5;
    sip_workload_result_t *bad = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &bad, &err), SIP_EINVAL);
    cr_assert_eq(err.line, pkg->workload.line);
    sip_workload_result_destroy(one);
    sip_workload_result_destroy(four);
    sip_package_destroy(pkg);
}

Test(kernels_packages, gemm_counts_beyond_64_bits_are_refused)
{
    sip_systolic_result_t s;
    sip_error_t err;
    const int64_t big = INT64_C(1) << 21;
    cr_assert_eq(sip_systolic_gemm(128, 128, SIP_DATAFLOW_OS, big, big, big, &s, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "64") != NULL);
    /* Just below: positive, exact counts. */
    cr_assert_eq(sip_systolic_gemm(128, 128, SIP_DATAFLOW_WS, big, big, big - 1, &s, &err), SIP_OK);
    cr_assert_gt(s.cycles, 0);
    cr_assert_eq(s.macs, big * big * (big - 1));
    cr_assert_eq(sip_systolic_gemm(1, 1, SIP_DATAFLOW_OS, INT64_MAX / 2, 4, 1, &s, &err),
                 SIP_EINVAL);
}

/* ---- the CLI ---- */

static char *run(const char *args, int *status)
{
    return cli_run(cli_source_root(), args, status);
}

Test(kernels_packages, cli_perf_and_traffic_run_on_single_die_packages)
{
    static const char *const files[] = {"h100_sxm", "a100_sxm", "h800_sxm", "h20", "mi300x"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char args[256];
        int status;
        snprintf(args, sizeof args, "perf topologies/reference/%s.cfg --model llama3-8b "
                 "--precision bf16 --batch 4 --context 1024", files[i]);
        char *out = run(args, &status);
        cr_assert_eq(status, 0, "%s: %s", files[i], out);
        cr_assert(strstr(out, "tokens/s") && strstr(out, "bottleneck"), "%s", out);
        free(out);
        snprintf(args, sizeof args, "traffic topologies/reference/%s.cfg", files[i]);
        out = run(args, &status);
        cr_assert_eq(status, 0, "%s: %s", files[i], out);
        if (strcmp(files[i], "mi300x") != 0)
            cr_assert(strstr(out, "no die-to-die traffic"), "%s", out);
        free(out);
    }
}

Test(kernels_packages, cli_does_not_fit_exits_one)
{
    int status;
    char *out = run("perf topologies/default.cfg --model llama3-70b", &status);
    cr_assert_eq(status, 1, "%s", out);
    cr_assert(strstr(out, "DOES NOT FIT"));
    free(out);
}

Test(kernels_packages, cli_kernel_gemm_overflow_exits_two)
{
    int status;
    char *out = run("kernel gemm 2097152 2097152 2097152", &status);
    cr_assert_eq(status, 2, "%s", out);
    cr_assert_null(strstr(out, "Total Cycles"), "no (wrapped) cycle count printed: %s", out);
    free(out);
}

/* shared/peers/scalesim/results.csv, USER mode: Conv2_1a WS on 128 x 128 with 1024/1024/256 kB
 * scratchpads and 64 words/cycle: Total Cycles 26466, of which 9977 stalls. */
Test(kernels_packages, cli_kernel_finite_dram_is_scalesim_user_mode)
{
    json_t *j = cli_run_json(cli_source_root(),
                             "kernel conv 56 56 64 3 3 64 1 --array 128x128 --dataflow ws "
                             "--sram-kB 1024,1024,256 --dram-words-per-cycle 64 --json");
    const json_t *d = json_object_get(json_object_get(j, "one_array"), "finite_dram");
    cr_assert_not_null(d);
    cr_assert_eq(json_integer_value(json_object_get(d, "total_cycles")), 26466);
    cr_assert_eq(json_integer_value(json_object_get(d, "stall_cycles")), 9977);
    json_decref(j);
    int status;
    char *out = run("kernel gemm 64 64 64 --dram-words-per-cycle 0", &status);
    cr_assert_eq(status, 2);
    free(out);
}

Test(kernels_packages, cli_compare_prints_the_measured_table)
{
    int status;
    char *out = run("perf --compare tests/data/measured/llm_inference.csv", &status);
    cr_assert_eq(status, 0, "%s", out);
    cr_assert(strstr(out, "| H100 SXM 80GB | llama2-7b | TensorRT-LLM") != NULL, "%s", out);
    cr_assert(strstr(out, "points: mean |error|") != NULL, "%s", out);
    free(out);
    out = run("perf --compare tests/data/measured/nope.csv", &status);
    cr_assert_eq(status, 2);
    free(out);
}
