/* Tiles from chiplets, kernels on a tile (multi-array split, precision rate, roofline), model
 * shapes.  SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipsim.h"

static sip_chiplet_type_t load_chiplet(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/chiplets/%s.cfg", getenv("SIPSIM_SOURCE_ROOT"), name);
    sip_chiplet_type_t t;
    sip_error_t err;
    cr_assert_eq(sip_chiplet_load(path, &t, &err), SIP_OK, "%s", err.message);
    return t;
}

/* A tile built by hand: one R x C array at 1 GHz, one MAC per cell, 1-byte elements. */
static sip_tile_t hand_tile(int r, int c, sip_dataflow_t df, int arrays)
{
    sip_tile_t t;
    memset(&t, 0, sizeof t);
    t.array_rows = r;
    t.array_cols = c;
    t.dataflow = df;
    t.n_arrays = arrays;
    t.clock_ghz = 1.0;
    t.precision = SIP_PREC_INT8;
    t.macs_per_cell = 1.0;
    t.vector_elems_per_s = 64e9;
    t.bytes_per_elem = 1.0;
    t.sram_bytes = 1e6;
    t.hbm_GBps = 100.0;
    t.hbm_bytes = 1e9;
    t.pj_per_mac = NAN;
    t.sram_pj_per_byte = NAN;
    t.hbm_pj_per_bit = NAN;
    return t;
}

Test(kernels_tile, compute_infer_tile_from_its_engines)
{
    /* chiplets/compute_infer.cfg: 2 x 128x128 WS arrays at 1.125 GHz, int8/fp8 16384 MAC/cycle,
     * fp16/bf16 8192; 48 MB SRAM. */
    sip_chiplet_type_t ct = load_chiplet("compute_infer");
    sip_tile_t t;
    sip_error_t err;
    cr_assert_eq(sip_tile_from_chiplet(&ct, SIP_PREC_FP8, 819.2, 16e9, NULL, &t, &err), SIP_OK);
    cr_assert_eq(t.array_rows, 128);
    cr_assert_eq(t.array_cols, 128);
    cr_assert_eq(t.n_arrays, 2);
    cr_assert_eq(t.dataflow, SIP_DATAFLOW_WS);
    cr_assert_float_eq(t.macs_per_cell, 1.0, 1e-12);
    cr_assert_float_eq(t.bytes_per_elem, 1.0, 1e-12);
    cr_assert_float_eq(t.sram_bytes, 48e6, 1e-3);
    cr_assert(t.vector_on_array);
    cr_assert_float_eq(sip_tile_peak_macs_per_s(&t), 2.0 * 16384 * 1.125e9, 1.0);
    cr_assert(isnan(t.pj_per_mac) && isnan(t.hbm_pj_per_bit) && isnan(t.sram_pj_per_byte));
    cr_assert_eq(sip_tile_from_chiplet(&ct, SIP_PREC_BF16, 0, 0, NULL, &t, &err), SIP_OK);
    cr_assert_float_eq(t.macs_per_cell, 0.5, 1e-12);
    cr_assert_float_eq(t.bytes_per_elem, 2.0, 1e-12);
    /* No int4 rate: an error naming the chiplet. */
    cr_assert_eq(sip_tile_from_chiplet(&ct, SIP_PREC_INT4, 0, 0, NULL, &t, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "compute_infer") && strstr(err.message, "int4"));
    /* A vector engine (compute_train's vpu) feeds the vector path. */
    sip_chiplet_type_t tr = load_chiplet("compute_train");
    cr_assert_eq(sip_tile_from_chiplet(&tr, SIP_PREC_BF16, 0, 0, NULL, &t, &err), SIP_OK,
                 "%s", err.message);
    cr_assert(!t.vector_on_array);
}

Test(kernels_tile, energy_parameters_are_used_only_when_given)
{
    sip_chiplet_type_t ct = load_chiplet("compute_infer");
    sip_tile_params_t p;
    sip_tile_params_init(&p);
    p.pj_per_mac = 0.25;
    p.hbm_pj_per_bit = 4.0;
    p.sram_pj_per_byte = 1.0;
    sip_tile_t t;
    cr_assert_eq(sip_tile_from_chiplet(&ct, SIP_PREC_FP8, 819.2, 16e9, &p, &t, NULL), SIP_OK);
    sip_kernel_result_t r;
    cr_assert_eq(sip_kernel_gemv(&t, 1, 4096, 4096, true, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.energy_mac_pj, 4096.0 * 4096 * 0.25, 1e-3);
    cr_assert_float_eq(r.energy_hbm_pj, 4096.0 * 4096 * 8 * 4.0, 1e-3);
    cr_assert_float_eq(r.energy_sram_pj, r.sram_bytes, 1e-3);
    cr_assert_float_eq(r.energy_pj, r.energy_mac_pj + r.energy_hbm_pj + r.energy_sram_pj, 1e-3);
    /* Without parameters every energy that needs one is NAN (not modelled), not 0. */
    cr_assert_eq(sip_tile_from_chiplet(&ct, SIP_PREC_FP8, 819.2, 16e9, NULL, &t, NULL), SIP_OK);
    cr_assert_eq(sip_kernel_gemv(&t, 1, 4096, 4096, true, &r, NULL), SIP_OK);
    cr_assert(isnan(r.energy_mac_pj) && isnan(r.energy_hbm_pj) && isnan(r.energy_pj));
}

Test(kernels_gemm, one_array_is_the_systolic_model)
{
    const sip_tile_t t = hand_tile(32, 32, SIP_DATAFLOW_OS, 1);
    sip_kernel_result_t r;
    cr_assert_eq(sip_kernel_gemm(&t, 1, 512, 512, 512, NULL, &r, NULL), SIP_OK);
    /* results.csv: 512^3 OS on 32x32 = 146943 cycles, SRAM 4194304 + 4194304 + 278528. */
    cr_assert_float_eq(r.array_cycles, 146943.0, 1e-9);
    cr_assert_float_eq(r.sram_bytes, 4194304.0 + 4194304.0 + 278528.0, 1e-6);
    cr_assert_eq(r.bound, SIP_BOUND_COMPUTE);
    cr_assert_float_eq(r.time_s, 146943e-9, 1e-15);
    cr_assert_float_eq(r.utilization, 512.0 * 512 * 512 / (146943.0 * 1024), 1e-12);
    cr_assert_float_eq(r.hbm_bytes, 0.0, 1e-12);
}

Test(kernels_gemm, folds_spread_over_arrays_and_precision_scales_cycles)
{
    sip_tile_t t = hand_tile(32, 32, SIP_DATAFLOW_WS, 4);
    sip_kernel_result_t r;
    /* 64^3 WS: F = 4 folds of P = 158 -> 4 arrays run one fold each: 158 - 1. */
    cr_assert_eq(sip_kernel_gemm(&t, 1, 64, 64, 64, NULL, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.array_cycles, 157.0, 1e-9);
    /* Batch 3: 12 folds over 4 arrays = 3 each. */
    cr_assert_eq(sip_kernel_gemm(&t, 3, 64, 64, 64, NULL, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.array_cycles, 3.0 * 158 - 1, 1e-9);
    cr_assert_float_eq(r.macs, 3.0 * 64 * 64 * 64, 1e-6);
    /* Half a MAC per cell per cycle (e.g. fp16 at half the int8 rate): twice the cycles. */
    t.macs_per_cell = 0.5;
    cr_assert_eq(sip_kernel_gemm(&t, 1, 64, 64, 64, NULL, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.array_cycles, 2.0 * 157, 1e-9);
}

/* Weight prefetch (double-buffered stationary tile): R + (F - 1) max(R, T) + T + (R + C - 2) - 1
 * cycles for F folds on one array; one fold is SCALE-Sim's P - 1; OS has nothing to prefetch. */
Test(kernels_gemm, weight_prefetch_overlaps_tile_loads_with_streaming)
{
    sip_tile_t t = hand_tile(32, 32, SIP_DATAFLOW_WS, 1);
    sip_kernel_result_t off, on;
    /* 64^3 WS: F = 4 folds, T = M = 64 > R: SCALE-Sim 4 x (2 x 32 + 32 + 64 - 2) - 1 = 631. */
    cr_assert_eq(sip_kernel_gemm(&t, 1, 64, 64, 64, NULL, &off, NULL), SIP_OK);
    cr_assert_float_eq(off.array_cycles, 4.0 * 158 - 1, 1e-9);
    t.weight_prefetch = true;
    cr_assert_eq(sip_kernel_gemm(&t, 1, 64, 64, 64, NULL, &on, NULL), SIP_OK);
    cr_assert_float_eq(on.array_cycles, 32 + 3.0 * 64 + 64 + (32 + 32 - 2) - 1, 1e-9);
    cr_assert_float_eq(on.macs, off.macs, 0);
    cr_assert_float_eq(on.sram_bytes, off.sram_bytes, 0);
    /* Decode-like: T = 8 rows per 32-row tile: folds start R apart (the load is the limit). */
    cr_assert_eq(sip_kernel_gemm(&t, 1, 8, 256, 256, NULL, &on, NULL), SIP_OK);
    const double F = 8.0 * 8.0;
    cr_assert_float_eq(on.array_cycles, 32 + (F - 1) * 32 + 8 + (32 + 32 - 2) - 1, 1e-9);
    t.weight_prefetch = false;
    cr_assert_eq(sip_kernel_gemm(&t, 1, 8, 256, 256, NULL, &off, NULL), SIP_OK);
    cr_assert_float_eq(off.array_cycles, F * (2 * 32 + 32 + 8 - 2) - 1, 1e-9);
    /* One fold: identical to SCALE-Sim. */
    t.weight_prefetch = true;
    cr_assert_eq(sip_kernel_gemm(&t, 1, 20, 32, 32, NULL, &on, NULL), SIP_OK);
    cr_assert_float_eq(on.array_cycles, 2 * 32 + 32 + 20 - 2 - 1, 1e-9);
    /* Output stationary: unchanged. */
    sip_tile_t os = hand_tile(32, 32, SIP_DATAFLOW_OS, 1);
    os.weight_prefetch = true;
    cr_assert_eq(sip_kernel_gemm(&os, 1, 512, 512, 512, NULL, &on, NULL), SIP_OK);
    cr_assert_float_eq(on.array_cycles, 146943.0, 1e-9);
}

Test(kernels_gemm, gemv_from_hbm_is_bandwidth_bound)
{
    /* 128x128 OS array, 1 vector x 8192 x 8192 int8 weights from 100 GB/s:
     * 67.1 MB / 100 GB/s = 671 us; the array needs 64 x (128+128+8192-2) - 1 = 540.7 k cycles
     * = 541 us at 1 GHz: HBM bound. */
    const sip_tile_t t = hand_tile(128, 128, SIP_DATAFLOW_OS, 1);
    sip_kernel_result_t r;
    cr_assert_eq(sip_kernel_gemv(&t, 1, 8192, 8192, true, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.hbm_bytes, 8192.0 * 8192, 1e-6);
    cr_assert_eq(r.bound, SIP_BOUND_HBM);
    cr_assert_float_eq(r.time_s, 8192.0 * 8192 / 100e9, 1e-12);
    cr_assert_float_eq(r.array_cycles, 64.0 * (128 + 128 + 8192 - 2) - 1, 1e-9);
    /* A finite SRAM bandwidth below the schedule's need makes it SRAM bound. */
    sip_tile_t slow = t;
    slow.sram_GBps = 1.0;
    cr_assert_eq(sip_kernel_gemv(&slow, 1, 8192, 8192, true, &r, NULL), SIP_OK);
    cr_assert_eq(r.bound, SIP_BOUND_SRAM);
    cr_assert_float_eq(r.time_s, r.sram_bytes / 1e9, 1e-12);
    /* No attached memory and weights in HBM: an error, not a silent zero. */
    sip_tile_t none = t;
    none.hbm_GBps = 0.0;
    sip_error_t err;
    cr_assert_eq(sip_kernel_gemv(&none, 1, 64, 64, true, &r, &err), SIP_EINVAL);
}

Test(kernels_conv, conv_is_its_lowered_gemm)
{
    const sip_tile_t t = hand_tile(32, 32, SIP_DATAFLOW_IS, 1);
    const sip_conv_t cv = {56, 56, 64, 3, 3, 64, 1, 0};
    sip_kernel_result_t r, g;
    cr_assert_eq(sip_kernel_conv(&t, &cv, false, &r, NULL), SIP_OK);
    cr_assert_eq(sip_kernel_gemm(&t, 1, 2916, 64, 576, NULL, &g, NULL), SIP_OK);
    /* results.csv Conv2_1a IS on 32x32: 261647 cycles. */
    cr_assert_float_eq(r.array_cycles, 261647.0, 1e-9);
    cr_assert_float_eq(r.array_cycles, g.array_cycles, 1e-9);
    cr_assert_eq(sip_kernel_conv(&t, &cv, true, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.hbm_bytes, 56.0 * 56 * 64 + 576.0 * 64 + 2916.0 * 64, 1e-6);
}

Test(kernels_attention, decode_reads_the_kv_cache)
{
    const sip_tile_t t = hand_tile(128, 128, SIP_DATAFLOW_WS, 2);
    const sip_attention_t a = {.batch = 4, .q_heads = 8, .kv_heads = 2, .head_dim = 128,
                               .q_tokens = 1, .kv_tokens = 1001, .kv_in_hbm = true,
                               .kv_write_hbm = true};
    sip_kernel_result_t r;
    cr_assert_eq(sip_kernel_attention(&t, &a, &r, NULL), SIP_OK);
    /* K and V of 1001 tokens x 2 KV heads x 128 x 4 sequences, plus the new token's. */
    cr_assert_float_eq(r.hbm_bytes, 2.0 * 4 * 2 * 128 * (1001 + 1), 1e-6);
    /* QK^T and PV: 8 GEMMs each of 4 x 1001 x 128 MACs. */
    cr_assert_float_eq(r.macs, 2.0 * 8 * 4 * 1001 * 128, 1e-6);
    /* Softmax: 3 passes over 8 x 4 x 1001 scores. */
    cr_assert_float_eq(r.vector_ops, 3.0 * 8 * 4 * 1001, 1e-6);
    /* Systolic part, WS on 128x128: QK^T Sr = 128, Sc = 1001 -> 8 folds; PV Sr = 1001 -> 8
     * folds, Sc = 128; P = 2x128 + 128 + 4 - 2 = 386; 8 GEMMs x 8 folds / 2 arrays each. */
    cr_assert_float_eq(r.array_cycles, 2.0 * (32.0 * 386 - 1), 1e-9);
    sip_attention_t bad = a;
    bad.kv_heads = 16;
    cr_assert_eq(sip_kernel_attention(&t, &bad, &r, NULL), SIP_EINVAL);
}

Test(kernels_vector, norms_and_elementwise_count_passes)
{
    const sip_tile_t t = hand_tile(32, 32, SIP_DATAFLOW_OS, 1);
    sip_kernel_result_t r;
    cr_assert_eq(sip_kernel_norm(&t, SIP_NORM_RMS, 8, 4096, false, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.vector_ops, 2.0 * 8 * 4096, 1e-9);
    cr_assert_float_eq(r.time_s, 2.0 * 8 * 4096 / 64e9, 1e-15);
    cr_assert_float_eq(r.utilization, 0.0, 1e-15);
    cr_assert_eq(sip_kernel_norm(&t, SIP_NORM_LAYER, 8, 4096, true, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.vector_ops, 3.0 * 8 * 4096, 1e-9);
    cr_assert_float_eq(r.hbm_bytes, 2.0 * 8 * 4096, 1e-9);
    cr_assert_eq(sip_kernel_elementwise(&t, 1000, 1.0, 2, true, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.hbm_bytes, 3000.0, 1e-9);
    cr_assert_float_eq(r.time_s, 3000.0 / 100e9, 1e-15);
    cr_assert_eq(r.bound, SIP_BOUND_HBM);
    cr_assert_eq(sip_kernel_elementwise(&t, 0, 1.0, 2, true, &r, NULL), SIP_EINVAL);
}

static sip_model_shape_t shipped_model(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s.cfg", getenv("SIPSIM_SOURCE_ROOT"), name);
    sip_model_shape_t s;
    sip_error_t err;
    cr_assert_eq(sip_model_shape_load(path, &s, &err), SIP_OK, "%s", err.message);
    return s;
}

Test(kernels_shapes, llama3_parameter_counts)
{
    /* Parameter counts of the public checkpoints: Meta-Llama-3-8B 8,030,261,248 and
     * Meta-Llama-3-70B 70,553,706,496 (sums of the safetensors shapes of the configs cited in
     * models/llama3-8b.cfg and models/llama3-70b.cfg). */
    const sip_model_shape_t s8 = shipped_model("llama3-8b");
    const sip_model_shape_t s70 = shipped_model("llama3-70b");
    cr_assert_float_eq(sip_model_shape_params(&s8), 8030261248.0, 0.5);
    cr_assert_float_eq(sip_model_shape_params(&s70), 70553706496.0, 0.5);
    cr_assert_str_eq(s8.name, "llama3-8b");
    cr_assert_eq(s8.head_dim, 128); /* default hidden / heads */
    cr_assert_eq(s70.kv_heads, 8);
    cr_assert(s8.gated_ffn && !s8.tied_embeddings);
    cr_assert_eq(s8.precision, SIP_PREC_BF16);
    cr_assert(strstr(s8.source, "Meta-Llama-3-8B") != NULL);
    /* MACs per token: every weight matrix once (no norms, no embedding lookup). */
    cr_assert_float_eq(sip_model_shape_dense_macs_per_token(&s8),
                       8030261248.0 - 128256.0 * 4096 - 4096 - 32.0 * 2 * 4096, 0.5);
    /* Tying the LM head to the embedding drops one vocab x hidden matrix. */
    sip_model_shape_t tied = s8;
    tied.tied_embeddings = true;
    cr_assert_float_eq(sip_model_shape_params(&tied), 8030261248.0 - 128256.0 * 4096, 0.5);
}

Test(kernels_shapes, find_by_name_and_path)
{
    char pkg[1024], near[1024];
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    snprintf(pkg, sizeof pkg, "%s/topologies/default.cfg", root);
    sip_model_shape_t s;
    sip_error_t err;
    /* By name: models/ in the package file's parent folder. */
    cr_assert_eq(sip_model_shape_find("llama3-70b", pkg, 3, &s, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(s.layers, 80);
    cr_assert(strstr(s.path, "/models/llama3-70b.cfg") != NULL, "%s", s.path);
    /* By path, relative to the package's folder. */
    cr_assert_eq(sip_model_shape_find("../models/llama3-8b.cfg", pkg, 3, &s, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(s.layers, 32);
    /* A typo: not found, at the package's line, with a suggestion and the folders searched. */
    cr_assert_eq(sip_model_shape_find("llama3-8c", pkg, 7, &s, &err), SIP_ENOTFOUND);
    cr_assert_eq(err.line, 7);
    cr_assert(strstr(err.message, "did you mean 'llama3-8b'") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "/models") != NULL, "%s", err.message);
    cr_assert_eq(sip_model_shape_find("gpt-5", pkg, 7, &s, &err), SIP_ENOTFOUND);
    cr_assert_eq(sip_model_shape_find("no/such.cfg", pkg, 7, &s, &err), SIP_ENOTFOUND);
    cr_assert_eq(sip_model_shape_find("../x", pkg, 7, &s, &err), SIP_ENOTFOUND);
    cr_assert_eq(sip_model_shape_find("a b", pkg, 7, &s, &err), SIP_EINVAL);
    /* Nothing beside a package elsewhere: only the installed folder is left. */
    snprintf(near, sizeof near, "/nonexistent-dir/x.cfg");
    sip_status_t st = sip_model_shape_find("llama3-8b", near, 1, &s, &err);
    cr_assert(st == SIP_OK || st == SIP_ENOTFOUND);
}

/* Write `text` as DIR/NAME.cfg in a fresh temp folder and load it. */
static sip_status_t load_model_text(const char *name, const char *text, sip_model_shape_t *s,
                                    sip_error_t *err)
{
    char dir[] = "/tmp/sipsim-models-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/%s.cfg", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    sip_status_t st = sip_model_shape_load(path, s, err);
    remove(path);
    rmdir(dir);
    return st;
}

#define GOOD_KEYS "layers = 2;\nhidden = 64;\nheads = 4;\nkv_heads = 2;\nffn = 128;\n" \
                  "vocab = 1000;\nprecision = \"bf16\";\n"

Test(kernels_shapes, bad_model_files)
{
    sip_model_shape_t s;
    sip_error_t err;
    cr_assert_eq(load_model_text("ok", GOOD_KEYS, &s, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(s.head_dim, 16);
    cr_assert(s.gated_ffn);
    struct {
        const char *text;
        sip_status_t status;
        int line;
        const char *words;
    } bad[] = {
        {GOOD_KEYS "layerz = 3;\n", SIP_EINVAL, 8, "did you mean 'layers'"},
        {"layers = 0;\nhidden = 64;\nheads = 4;\nkv_heads = 2;\nffn = 128;\nvocab = 1000;\n"
         "precision = \"bf16\";\n", SIP_EINVAL, 1, "layers"},
        {"layers = 2;\nhidden = 64;\nheads = 4;\nkv_heads = 3;\nffn = 128;\nvocab = 1000;\n"
         "precision = \"bf16\";\n", SIP_EINVAL, 4, "does not divide"},
        {"layers = 2;\nhidden = 65;\nheads = 4;\nkv_heads = 2;\nffn = 128;\nvocab = 1000;\n"
         "precision = \"bf16\";\n", SIP_EINVAL, 3, "head_dim"},
        {"layers = 2;\nhidden = 64;\nheads = 4;\nkv_heads = 2;\nffn = 128;\nvocab = 1000;\n",
         SIP_EINVAL, 0, "precision"},
        {GOOD_KEYS "ffn_kind = \"swish\";\n", SIP_EINVAL, 8, "gated"},
        {"layers = 2;\nhidden = 64;\nheads = 4;\nkv_heads = 2;\nffn = 128;\nvocab = 0;\n"
         "precision = \"bf16\";\n", SIP_EINVAL, 6, "vocab"},
        {"layers = 2;\nhidden = \"wide\";\n", SIP_EINVAL, 2, "hidden"},
        {"layers = 2;\nhidden = = 64;\n", SIP_EPARSE, 2, ""},
        {"", SIP_EINVAL, 1, "empty file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sip_status_t st = load_model_text("bad", bad[i].text, &s, &err);
        cr_assert_eq(st, bad[i].status, "case %zu: %s", i, sip_status_str(st));
        if (bad[i].line > 0)
            cr_assert_eq(err.line, bad[i].line, "case %zu: %s:%d: %s", i, err.path, err.line,
                         err.message);
        cr_assert(strstr(err.message, bad[i].words) != NULL, "case %zu: %s", i, err.message);
        cr_assert(strstr(err.path, "/bad.cfg") != NULL, "case %zu: %s", i, err.path);
    }
    /* A file name that is not a model name. */
    cr_assert_eq(load_model_text("bad name", GOOD_KEYS, &s, &err), SIP_EINVAL);
}
