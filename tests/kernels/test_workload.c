/* Workloads on packages: the shipped default package's decode step, the HBM-bound and
 * compute-bound limits against hand formulas, power for thermal, demand for traffic.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "sipsim.h"

static double rel(double a, double b)
{
    return fabs(a - b) / fabs(b);
}

/* The hand formulas below are about the peaks: every efficiency 1 (the defaults are
 * calibrated on measurements, tests/kernels/test_measured.c). */
static sip_workload_options_t peak_opts(void)
{
    sip_workload_options_t o;
    sip_workload_options_init(&o);
    o.tile.mac_efficiency = o.tile.vector_efficiency = o.tile.hbm_efficiency = 1.0;
    return o;
}

Test(kernels_workload, default_package_decode_step)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    cr_assert(pkg->workload.present);
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &r, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(r->workload.tensor_parallel, 4);
    cr_assert_eq(r->workload.pipeline_parallel, 1);
    cr_assert_eq(r->n_compute, 4);
    cr_assert(r->fits);
    cr_assert(r->step == &r->decode);
    cr_assert_float_eq(r->decode.tokens, 8.0, 0);
    cr_assert(r->tokens_per_s > 0.0 && isfinite(r->tokens_per_s));
    cr_assert_float_eq(r->tokens_per_s * r->tpot_s, 8.0, 1e-9);
    cr_assert(r->ttft_s > r->tpot_s);
    /* Step time = the sum of what bounded each part. */
    double sum = 0.0;
    for (int l = 0; l < SIP_LIMIT_COUNT; l++)
        sum += r->decode.time_by_limit_s[l];
    cr_assert(rel(sum, r->decode.time_s) < 1e-9);
    /* MACs per token = the dense MACs of the shape + attention against 4097 keys. */
    const sip_model_shape_t *s = &r->shape; /* read from models/llama3-8b.cfg */
    cr_assert_str_eq(s->name, "llama3-8b");
    const double att = 32.0 * 2 * 32 * 4097 * 128; /* layers x (QK, PV) x heads x keys x hd */
    cr_assert(rel(r->macs_per_token, sip_model_shape_dense_macs_per_token(s) + att) < 1e-9);
    /* Power: every die between its idle and its TDP; unused dies none here. */
    double total = 0.0;
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        cr_assert(r->power_w[i] >= t->idle_w - 1e-9 && r->power_w[i] <= t->tdp_w + 1e-9,
                  "%s: %g W", pkg->instances[i].name, r->power_w[i]);
        total += r->power_w[i];
    }
    cr_assert(rel(r->j_per_token, total * r->tpot_s / 8.0) < 1e-9);
    /* Compute dies busy, their HBM active. */
    for (int k = 0; k < 4; k++)
        cr_assert(r->busy_s[r->compute_instances[k]] > 0.0);
    /* The demand evaluates through the traffic engine to the same busiest-port load. */
    cr_assert(r->n_demands >= 4);
    sip_network_t *net = NULL;
    sip_routes_t *routes = NULL;
    sip_demand_matrix_t *dm = NULL;
    sip_traffic_result_t *tr = NULL;
    cr_assert_eq(sip_network_from_package(pkg, NULL, &net, &err), SIP_OK);
    cr_assert_eq(sip_routes_compute(net, SIP_ROUTING_MINIMAL, NULL, &routes, &err), SIP_OK);
    cr_assert_eq(sip_workload_demand(net, r, &dm, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_traffic_evaluate(net, routes, dm, NULL, &tr, &err), SIP_OK);
    cr_assert(rel(tr->max_util, r->d2d_max_util) < 1e-9, "%g vs %g", tr->max_util,
              r->d2d_max_util);
    cr_assert(tr->max_util < 1.0);
    /* Ring all-reduce: c0 -> c1 carries 2 x 3/4 x 8 x 4096 B x 2 per layer x 32 per step. */
    const int c0 = sip_package_find_instance(pkg, "c0"), c1 = sip_package_find_instance(pkg, "c1");
    double c0c1 = 0.0;
    for (int i = 0; i < r->n_demands; i++)
        if (r->demands[i].from_instance == c0 && r->demands[i].to_instance == c1)
            c0c1 = r->demands[i].GBps;
    cr_assert(rel(c0c1 * r->tpot_s * 1e9, 1.5 * 8 * 4096 * 2 * 32) < 1e-9);
    /* Thermal input: a copy with those powers. */
    sip_package_t *hot = NULL;
    cr_assert_eq(sip_workload_apply_power(pkg, r, &hot, &err), SIP_OK);
    cr_assert_float_eq(sip_package_total_power_w(hot), total, 1e-9);
    sip_package_destroy(hot);
    sip_traffic_result_destroy(tr);
    sip_demand_destroy(dm);
    sip_routes_destroy(routes);
    sip_network_destroy(net);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Set the fp8 rate of every compute_infer engine (MACs per cycle) and every HBM's bandwidth. */
static void tune(sip_package_t *pkg, double macs_per_cycle, double hbm_GBps)
{
    for (int t = 0; t < pkg->n_types; t++) {
        sip_chiplet_type_t *ty = &pkg->types[t];
        for (int e = 0; e < ty->n_engines; e++)
            for (int k = 0; k < ty->engines[e].n_rates; k++)
                if (ty->engines[e].rates[k].precision == SIP_PREC_FP8 && macs_per_cycle > 0)
                    ty->engines[e].rates[k].macs_per_cycle = macs_per_cycle;
        for (int m = 0; m < ty->n_memories; m++)
            if (hbm_GBps > 0)
                ty->memories[m].bandwidth_GBps = hbm_GBps;
    }
}

/* Both array schedules: SCALE-Sim's and double-buffered weights (the workload default). */
static void hbm_bound_decode(bool weight_prefetch)
{
    /* Arrays 32 x faster than shipped and HBM at 100 GB/s per stack: decode at batch 1 streams
     * every weight and the KV cache once per token. */
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_workload_options_t opts = peak_opts();
    cr_assert(opts.tile.weight_prefetch, "workloads default to double-buffered weights");
    opts.tile.weight_prefetch = weight_prefetch;
    tune(pkg, 32.0 * 16384, 100.0);
    sip_workload_t wl = pkg->workload;
    wl.batch = 1;
    wl.context_tokens = 1024;
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &opts, &r, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(r->decode.limit, SIP_LIMIT_HBM);
    /* Bytes per token by hand (fp8: 1 byte): the weight matrices (not the norms; of the
     * embedding only the token's row), the LM head, and K, V of 1025 positions read plus the
     * new position written, per layer over 8 KV heads of 128. */
    const double h = 4096, L = 32, hd = 128;
    const double layer_w = h * (4096 + 2 * 1024) + 4096 * h + 3 * h * 14336;
    const double kv = L * 2 * 8 * hd * (1025 + 1);
    const double bytes = L * layer_w + 128256 * h + h + kv;
    cr_assert(rel(r->hbm_bytes_per_token, bytes) < 1e-3, "%g vs %g", r->hbm_bytes_per_token,
              bytes);
    cr_assert_float_eq(r->hbm_GBps, 400.0, 1e-9);
    const double expect = r->hbm_GBps * 1e9 / bytes;
    cr_assert(rel(r->tokens_per_s, expect) < 0.02, "tokens/s %g, bandwidth / bytes %g",
              r->tokens_per_s, expect);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(kernels_workload, hbm_bound_decode_is_bandwidth_over_bytes_per_token)
{
    hbm_bound_decode(true);
}

Test(kernels_workload, hbm_bound_decode_without_prefetch_too)
{
    hbm_bound_decode(false);
}

Test(kernels_workload, compute_bound_is_peak_over_macs_times_utilization)
{
    /* A GEMM-dominated shape on one compute die (tp = pp = 1) of the default package, batch 512
     * decode: every dense GEMM maps whole 128 x 128 folds and an even fold count on the 2 WS
     * arrays, so the SCALE-Sim utilisation is T / P = 512 / (2 x 128 + 128 + 512 - 2). */
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    const sip_model_shape_t shape = {.name = "wide", .layers = 1, .hidden = 8192, .heads = 1,
                                     .kv_heads = 1, .head_dim = 128, .ffn = 65536, .vocab = 128,
                                     .gated_ffn = true};
    sip_workload_t wl = pkg->workload;
    wl.batch = 512;
    wl.context_tokens = 0;
    wl.tensor_parallel = 1;
    wl.pipeline_parallel = 1;
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    sip_workload_options_t opts = peak_opts();
    opts.tile.weight_prefetch = false; /* SCALE-Sim's schedule: the T / P utilisation below */
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, &shape, &opts, &r, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(r->decode.limit, SIP_LIMIT_COMPUTE);
    cr_assert_float_eq(r->peak_macs_per_s, 2.0 * 16384 * 1.125e9, 1.0);
    const double util = 512.0 / (2 * 128 + 128 + 512 - 2);
    const double macs = 8192.0 * (128 + 256) + 128.0 * 8192 + 3.0 * 8192 * 65536 + 8192.0 * 128;
    const double expect = r->peak_macs_per_s / macs * util;
    cr_assert(rel(r->tokens_per_s, expect) < 0.02, "tokens/s %g, peak / MACs x util %g",
              r->tokens_per_s, expect);
    /* Only c0 works: the others idle at idle power, not busy. */
    const int c2 = sip_package_find_instance(pkg, "c2");
    cr_assert_float_eq(r->busy_s[c2], 0.0, 0);
    cr_assert_float_eq(r->power_w[c2], sip_instance_type(pkg, c2)->idle_w, 1e-9);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

/* The same GEMM-dominated step with double-buffered weights: T = 512 > R = 128, so folds on an
 * array follow each other every T cycles; each GEMM pays one tile load and one fill/drain:
 * cycles = R + (F_a - 1) T + T + (R + C - 2) - 1 with F_a folds per array (hand-counted below),
 * i.e. utilisation close to 1 instead of T / P. */
Test(kernels_workload, compute_bound_with_weight_prefetch_is_peak_over_macs_times_utilization)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    const sip_model_shape_t shape = {.name = "wide", .layers = 1, .hidden = 8192, .heads = 1,
                                     .kv_heads = 1, .head_dim = 128, .ffn = 65536, .vocab = 128,
                                     .gated_ffn = true};
    sip_workload_t wl = pkg->workload;
    wl.batch = 512;
    wl.context_tokens = 0;
    wl.tensor_parallel = 1;
    wl.pipeline_parallel = 1;
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    const sip_workload_options_t peak = peak_opts();
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, &shape, &peak, &r, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(r->decode.limit, SIP_LIMIT_COMPUTE);
    /* Folds (K/128 x N/128) over 2 arrays: QKV 64 x 3, O 1 x 64, gate+up 64 x 1024,
     * down 512 x 64, LM head 64 x 1. */
    const double per_array[] = {64 * 3 / 2, 64 / 2, 64 * 1024 / 2, 512 * 64 / 2, 64 / 2};
    const double R = 128, C = 128, T = 512;
    double cycles = 0.0;
    for (int g = 0; g < 5; g++)
        cycles += R + (per_array[g] - 1) * T + T + (R + C - 2) - 1;
    const double macs = 8192.0 * (128 + 256) + 128.0 * 8192 + 3.0 * 8192 * 65536 + 8192.0 * 128;
    const double util = 512.0 * macs / (cycles * 2 * 16384);
    cr_assert(util > 0.99 && util < 1.0, "utilisation %g", util);
    const double expect = r->peak_macs_per_s / macs * util;
    cr_assert(rel(r->tokens_per_s, expect) < 0.02, "tokens/s %g, peak / MACs x util %g",
              r->tokens_per_s, expect);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Decode at batch 8 on the shipped package: prefetching weights makes it faster, but each
 * 128 x 128 tile still shifts in one row per cycle while only 8 rows stream through it, so
 * the arrays' weight intake (2 arrays x 128 B/cycle x 1.125 GHz = 288 GB/s per die) -- not
 * the 819 GB/s of HBM -- bounds the step: MAC utilisation T / R = 8 / 128 at best. */
Test(kernels_workload, decode_with_prefetch_is_bound_by_the_weight_intake)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_workload_options_t opts = peak_opts();
    sip_workload_result_t *on = NULL, *off = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, &opts, &on, NULL), SIP_OK);
    opts.tile.weight_prefetch = false;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, &opts, &off, NULL), SIP_OK);
    cr_assert_lt(on->decode.time_s, 0.5 * off->decode.time_s);
    cr_assert_leq(on->decode.mac_utilization, 8.0 / 128.0);
    cr_assert_gt(on->decode.mac_utilization, 0.5 * 8.0 / 128.0);
    /* Bytes of weights per die over the arrays' intake: a lower bound of the step time. */
    const double intake_Bps = 2.0 * 128 * 1.125e9;
    cr_assert_geq(on->decode.time_s, on->weight_bytes_per_chiplet / intake_Bps);
    cr_assert_lt(on->decode.time_s, 1.5 * on->weight_bytes_per_chiplet / intake_Bps);
    sip_workload_result_destroy(on);
    sip_workload_result_destroy(off);
    sip_package_destroy(pkg);
}

Test(kernels_workload, prefill_pipeline_and_70b)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_workload_t wl = pkg->workload;
    strcpy(wl.phase, "prefill");
    wl.context_tokens = 512;
    wl.batch = 1;
    wl.tensor_parallel = 2;
    wl.pipeline_parallel = 2;
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
    cr_assert(r->step == &r->prefill);
    cr_assert_float_eq(r->prefill.tokens, 512.0, 0);
    cr_assert(rel(r->tokens_per_s, 512.0 / r->prefill.time_s) < 1e-12);
    /* TTFT as vLLM / TensorRT-LLM report it: the prefill alone. */
    cr_assert(rel(r->ttft_s, r->prefill.time_s) < 1e-12);
    /* Stage 0 (c0, c1) sends activations to stage 1 (c2, c3): 512 x 4096 B / 2 per rank. */
    const int c0 = sip_package_find_instance(pkg, "c0"), c2 = sip_package_find_instance(pkg, "c2");
    double pp_GB = 0.0;
    for (int i = 0; i < r->n_demands; i++)
        if (r->demands[i].from_instance == c0 && r->demands[i].to_instance == c2)
            pp_GB = r->demands[i].GBps * r->prefill.time_s;
    cr_assert(rel(pp_GB * 1e9, 512.0 * 4096 / 2) < 1e-9);
    sip_workload_result_destroy(r);
    /* 70B in fp8 is 70.6 GB: it does not fit 4 x 16 GB, which the result says. */
    strcpy(wl.model, "llama3-70b");
    strcpy(wl.phase, "decode");
    wl.tensor_parallel = 0;
    wl.pipeline_parallel = 0;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
    cr_assert(!r->fits);
    cr_assert(r->weight_bytes_per_chiplet > 16e9);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(kernels_workload, bad_workloads_name_the_line)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_workload_t wl = pkg->workload;
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    strcpy(wl.model, "nope");
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_ENOTFOUND);
    cr_assert_eq(err.line, pkg->workload.line);
    cr_assert(strstr(err.message, "llama3-8b") != NULL);
    cr_assert_null(r);
    wl = pkg->workload;
    wl.tensor_parallel = 3;
    wl.pipeline_parallel = 2;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_EINVAL);
    wl = pkg->workload;
    wl.precision = SIP_PREC_INT4;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "int4") != NULL);
    wl = pkg->workload;
    strcpy(wl.phase, "prefill");
    wl.context_tokens = 0;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_EINVAL);
    pkg->workload.present = false;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &r, &err), SIP_EINVAL);
    sip_package_destroy(pkg);
}
