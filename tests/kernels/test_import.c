/* Models from frameworks: a Hugging Face config.json read into the decoder shape, ONNX graphs
 * (the .onnx files in tests/data/import/, made by tests/data/import/make_models.py, and libonnx-testdata)
 * walked into kernel sequences with hand-counted ops and MACs, and both end to end in
 * `sipsim perf`.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"

static void src_path(char *buf, size_t size, const char *rel)
{
    int w = snprintf(buf, size, "%s/%s", cli_source_root(), rel);
    cr_assert(w > 0 && (size_t)w < size, "path too long: %s", rel);
}

/* ---------------------------------------------------------------- config.json */

Test(import_hf, llama3_8b_config_matches_the_shipped_model_file)
{
    /* tests/data/import/llama3-8b/config.json is the config.json published with
     * huggingface.co/meta-llama/Meta-Llama-3-8B (model card: github.com/meta-llama/llama3
     * MODEL_CARD.md); models/llama3-8b.cfg copies the same numbers by hand. */
    char path[1024], cfg[1024];
    src_path(path, sizeof path, "tests/data/import/llama3-8b/config.json");
    src_path(cfg, sizeof cfg, "models/llama3-8b.cfg");
    sip_hf_config_t hf;
    sip_model_shape_t ref;
    sip_error_t err;
    cr_assert_eq(sip_hf_config_load(path, &hf, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_model_shape_load(cfg, &ref, &err), SIP_OK, "%s", err.message);
    const sip_model_shape_t *s = &hf.shape;
    cr_assert_str_eq(s->name, "llama3-8b");
    cr_assert_str_eq(hf.model_type, "llama");
    cr_assert_eq(hf.max_position_embeddings, 8192);
    cr_assert_eq(s->layers, ref.layers);
    cr_assert_eq(s->hidden, ref.hidden);
    cr_assert_eq(s->heads, ref.heads);
    cr_assert_eq(s->kv_heads, ref.kv_heads);
    cr_assert_eq(s->head_dim, ref.head_dim);
    cr_assert_eq(s->ffn, ref.ffn);
    cr_assert_eq(s->vocab, ref.vocab);
    cr_assert_eq(s->gated_ffn, ref.gated_ffn);
    cr_assert_eq(s->tied_embeddings, ref.tied_embeddings);
    cr_assert_eq(s->precision, ref.precision);
    /* The checkpoint's parameter count (models/llama3-8b.cfg: 8,030,261,248). */
    cr_assert_float_eq(sip_model_shape_params(s), 8030261248.0, 0.5);
}

/* Every field the workload reads, config.json import against the hand-copied model file. */
static void assert_same_shape(const sip_model_shape_t *s, const sip_model_shape_t *ref)
{
    cr_assert_eq(s->layers, ref->layers, "%s layers", ref->name);
    cr_assert_eq(s->hidden, ref->hidden, "%s hidden", ref->name);
    cr_assert_eq(s->heads, ref->heads, "%s heads", ref->name);
    cr_assert_eq(s->kv_heads, ref->kv_heads, "%s kv_heads", ref->name);
    cr_assert_eq(s->head_dim, ref->head_dim, "%s head_dim", ref->name);
    cr_assert_eq(s->ffn, ref->ffn, "%s ffn", ref->name);
    cr_assert_eq(s->vocab, ref->vocab, "%s vocab", ref->name);
    cr_assert_eq(s->gated_ffn, ref->gated_ffn, "%s gated", ref->name);
    cr_assert_eq(s->tied_embeddings, ref->tied_embeddings, "%s tied", ref->name);
    cr_assert_eq(s->precision, ref->precision, "%s precision", ref->name);
    cr_assert_eq(s->n_experts, ref->n_experts, "%s experts", ref->name);
    cr_assert_eq(s->experts_per_token, ref->experts_per_token, "%s per token", ref->name);
    cr_assert_eq(s->moe_ffn, ref->moe_ffn, "%s moe_ffn", ref->name);
    cr_assert_eq(s->shared_experts, ref->shared_experts, "%s shared", ref->name);
    cr_assert_eq(s->dense_layers, ref->dense_layers, "%s dense_layers", ref->name);
    cr_assert_eq(s->q_lora_rank, ref->q_lora_rank, "%s q_lora_rank", ref->name);
    cr_assert_eq(s->kv_lora_rank, ref->kv_lora_rank, "%s kv_lora_rank", ref->name);
    cr_assert_eq(s->qk_rope_dim, ref->qk_rope_dim, "%s qk_rope_dim", ref->name);
    cr_assert_eq(s->v_head_dim, ref->v_head_dim, "%s v_head_dim", ref->name);
    cr_assert_eq(s->sliding_window, ref->sliding_window, "%s sliding_window", ref->name);
    cr_assert_float_eq(sip_model_shape_params(s), sip_model_shape_params(ref), 0.5, "%s params",
                       ref->name);
}

Test(import_hf, moe_mla_and_window_configs_match_the_shipped_model_files)
{
    /* The config.json files published with huggingface.co/mistralai/Mixtral-8x7B-v0.1,
     * huggingface.co/deepseek-ai/DeepSeek-V3 and huggingface.co/mistralai/Mistral-7B-v0.1;
     * models/ copies the same numbers by hand (branch workload). */
    static const struct {
        const char *json, *cfg, *model_type;
        int max_pos;
        double params; /* model cards: Mixtral 46.7 B (arXiv:2401.04088), DeepSeek-V3 671 B */
    } cases[] = {
        {"tests/data/import/Mixtral-8x7B-v0.1/config.json", "models/mixtral-8x7b.cfg", "mixtral",
         32768, 46.7e9},
        {"tests/data/import/DeepSeek-V3/config.json", "models/deepseek-v3.cfg", "deepseek_v3",
         163840, 671e9},
        {"tests/data/import/Mistral-7B-v0.1/config.json", "models/mistral-7b.cfg", "mistral",
         32768, 7.24e9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024], cfg[1024];
        src_path(path, sizeof path, cases[i].json);
        src_path(cfg, sizeof cfg, cases[i].cfg);
        sip_hf_config_t hf;
        sip_model_shape_t ref;
        sip_error_t err;
        cr_assert_eq(sip_hf_config_load(path, &hf, &err), SIP_OK, "%s", err.message);
        cr_assert_eq(sip_model_shape_load(cfg, &ref, &err), SIP_OK, "%s", err.message);
        cr_assert_str_eq(hf.model_type, cases[i].model_type);
        cr_assert_eq(hf.max_position_embeddings, cases[i].max_pos);
        assert_same_shape(&hf.shape, &ref);
        const double p = sip_model_shape_params(&hf.shape);
        cr_assert(fabs(p / cases[i].params - 1.0) < 0.01, "%s: %.4g parameters", cases[i].json, p);
    }
}

Test(import_hf, model_lookup_reads_a_config_json_path)
{
    char path[1024];
    src_path(path, sizeof path, "tests/data/import/llama3-8b/config.json");
    sip_model_shape_t s;
    sip_error_t err;
    cr_assert_eq(sip_model_shape_find(path, NULL, 0, &s, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(s.kv_heads, 8);
    cr_assert_eq(s.ffn, 14336);
}

static sip_status_t parse(const char *json, sip_hf_config_t *hf, sip_error_t *err)
{
    sip_error_clear(err);
    return sip_hf_config_parse(json, strlen(json), "x/config.json", hf, err);
}

Test(import_hf, defaults_follow_the_transformers_config_classes)
{
    /* No num_key_value_heads: multi-head (LlamaConfig); gemma ties embeddings by default. */
    sip_hf_config_t hf;
    sip_error_t err;
    cr_assert_eq(parse("{\"model_type\": \"gemma\", \"num_hidden_layers\": 2, \"hidden_size\": 64,"
                       " \"num_attention_heads\": 4, \"intermediate_size\": 256, \"vocab_size\": "
                       "1000, \"head_dim\": 32, \"torch_dtype\": \"float16\"}", &hf, &err),
                 SIP_OK, "%s", err.message);
    cr_assert_eq(hf.shape.kv_heads, 4);
    cr_assert_eq(hf.shape.head_dim, 32);
    cr_assert(hf.shape.tied_embeddings);
    cr_assert_eq(hf.shape.precision, SIP_PREC_FP16);
    cr_assert_str_eq(hf.shape.name, "x");
}

Test(import_hf, bad_configs_name_the_key_and_line)
{
    static const struct {
        const char *json;
        sip_status_t status;
        int line;
        const char *needle;
    } cases[] = {
        {"{\"model_type\": \"llama\",\n \"num_local_experts\": 8}", SIP_EUNSUPPORTED, 2,
         "num_local_experts"},
        {"{\"model_type\": \"llama\",\n\"num_experts_per_tok\": 2}", SIP_EUNSUPPORTED, 2,
         "num_experts_per_tok"},
        {"{\"model_type\": \"qwen2_moe\",\n\"num_experts\": 60}", SIP_EUNSUPPORTED, 2,
         "num_experts"},
        {"{\"model_type\": \"gpt2\"}", SIP_EUNSUPPORTED, 1, "gpt2"},
        {"{\"model_type\": \"gemma2\", \"num_hidden_layers\": 4, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,"
         " \"torch_dtype\": \"bfloat16\",\n \"sliding_window\": 4096}", SIP_EUNSUPPORTED, 2,
         "alternate"},
        {"{\"model_type\": \"qwen2\", \"num_hidden_layers\": 28, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,"
         " \"torch_dtype\": \"bfloat16\", \"use_sliding_window\": true, \"sliding_window\":"
         " 4096,\n\"max_window_layers\": 21}", SIP_EUNSUPPORTED, 2, "max_window_layers"},
        {"{\"model_type\": \"deepseek_v3\", \"num_hidden_layers\": 4, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,"
         " \"torch_dtype\": \"bfloat16\", \"n_routed_experts\": 8, \"num_experts_per_tok\":"
         " 2, \"moe_intermediate_size\": 8,\n\"moe_layer_freq\": 2}", SIP_EUNSUPPORTED, 2,
         "moe_layer_freq"},
        {"{\"model_type\": \"mixtral\", \"num_hidden_layers\": 4, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,"
         " \"torch_dtype\": \"bfloat16\", \"num_local_experts\": 8,\n\"num_experts_per_tok\":"
         " 9}", SIP_EINVAL, 2, "num_experts_per_tok"},
        {"{\"model_type\": \"deepseek_v2\", \"num_hidden_layers\": 4, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,"
         " \"torch_dtype\": \"bfloat16\"}", SIP_EINVAL, 0, "kv_lora_rank"},
        {"{\"model_type\": \"llama\", \"num_hidden_layers\": 4, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,"
         " \"torch_dtype\": \"float16\",\n\"quantization_config\": {\"quant_method\": "
         "\"gptq\"}}", SIP_EUNSUPPORTED, 2, "gptq"},
        {"{\"model_type\": \"llama\"}", SIP_EINVAL, 0, "num_hidden_layers"},
        {"{\"model_type\": \"llama\", \"num_hidden_layers\": 2, \"hidden_size\": 64,\n"
         "\"num_attention_heads\": 4, \"num_key_value_heads\": 3, \"intermediate_size\": 9,"
         " \"vocab_size\": 10, \"torch_dtype\": \"bfloat16\"}", SIP_EINVAL, 2,
         "num_key_value_heads"},
        {"{\"model_type\": \"llama\", \"num_hidden_layers\": 2.5}", SIP_EINVAL, 1,
         "num_hidden_layers"},
        {"{\"model_type\": \"llama\", \"num_hidden_layers\": 2, \"hidden_size\": 64,"
         " \"num_attention_heads\": 4, \"intermediate_size\": 9, \"vocab_size\": 10,\n"
         "\"torch_dtype\": \"int3\"}", SIP_EINVAL, 2, "int3"},
        {"{\"model_type\": \"llama\", \"hidden_size\": 4096", SIP_EPARSE, 1, "expected"},
        {"[1, 2]", SIP_EINVAL, 1, "object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sip_hf_config_t hf;
        sip_error_t err;
        cr_assert_eq(parse(cases[i].json, &hf, &err), cases[i].status, "case %zu: %s", i,
                     err.message);
        cr_assert_eq(err.line, cases[i].line, "case %zu: line %d: %s", i, err.line, err.message);
        cr_assert_str_eq(err.path, "x/config.json");
        cr_assert(strstr(err.message, cases[i].needle), "case %zu: %s", i, err.message);
    }
}

Test(import_hf, perf_runs_a_config_json_end_to_end)
{
    /* The same decode step as the shipped model file: the shape is all the workload reads. */
    json_t *a = cli_run_json(cli_source_root(), "perf topologies/default.cfg --json --model "
                                   "tests/data/import/llama3-8b/config.json");
    json_t *b = cli_run_json(cli_source_root(), "perf topologies/default.cfg --json --model llama3-8b");
    cr_assert_str_eq(json_string_value(json_object_get(a, "model")), "llama3-8b");
    const double ta = json_real_value(json_object_get(a, "tokens_per_s"));
    const double tb = json_real_value(json_object_get(b, "tokens_per_s"));
    cr_assert(ta > 0.0);
    cr_assert_float_eq(ta, tb, 1e-9 * tb);
    json_decref(a);
    json_decref(b);
}

/* ---------------------------------------------------------------- ONNX graphs */

static sip_status_t load_onnx(const char *rel, const char *const *dims, int n_dims,
                              sip_kernel_seq_t *seq, sip_error_t *err)
{
    char path[2048];
    if (rel[0] == '/') {
        int w = snprintf(path, sizeof path, "%s", rel);
        cr_assert(w > 0 && (size_t)w < sizeof path, "path too long: %s", rel);
    } else
        src_path(path, sizeof path, rel);
    const sip_onnx_options_t o = {.n_dims = n_dims, .dims = dims};
    sip_error_clear(err);
    return sip_onnx_load(path, &o, seq, err);
}

static void assert_gemm(const sip_kop_t *k, const char *name, int64_t batch, int64_t m,
                        int64_t n, int64_t kk, bool weight)
{
    cr_assert_eq(k->kind, SIP_KOP_GEMM, "%s: kind %s", name, sip_kop_kind_name(k->kind));
    cr_assert_str_eq(k->name, name);
    cr_assert_eq(k->batch, batch, "%s: batch %lld", name, (long long)k->batch);
    cr_assert_eq(k->m, m, "%s: m %lld", name, (long long)k->m);
    cr_assert_eq(k->n, n, "%s: n %lld", name, (long long)k->n);
    cr_assert_eq(k->k, kk, "%s: k %lld", name, (long long)k->k);
    cr_assert_eq(k->b_is_weight, weight, "%s", name);
    cr_assert_float_eq(k->macs, (double)batch * m * n * kk, 0);
}

static void assert_elementwise(const sip_kop_t *k, const char *name, int64_t elems, double ops)
{
    cr_assert_eq(k->kind, SIP_KOP_ELEMENTWISE, "%s: kind %s", name, sip_kop_kind_name(k->kind));
    cr_assert_str_eq(k->name, name);
    cr_assert_eq(k->elems, elems, "%s: %lld elements", name, (long long)k->elems);
    cr_assert_float_eq(k->ops_per_elem, ops, 0, "%s: %g ops", name, k->ops_per_elem);
}

Test(import_onnx, mlp_kernels_and_macs_by_hand)
{
    sip_kernel_seq_t s;
    sip_error_t err;
    cr_assert_eq(load_onnx("tests/data/import/mlp.onnx", NULL, 0, &s, &err), SIP_OK, "%s",
                 err.message);
    /* x [4, 16]: fc1 MatMul W1 [16, 32] = 4 x 32 x 16 = 2048 MACs; + b1 and Relu on 128
     * elements; fc2 Gemm W2 [32, 8] = 4 x 8 x 32 = 1024 MACs, + C on 32; Softmax: 3 passes over
     * 32.  Kernels: 6, MACs 3072; weights W1 512 + b1 32 + W2 256 + c 8 = 808 elements. */
    cr_assert_eq(s.n_ops, 6);
    assert_gemm(&s.ops[0], "fc1", 1, 4, 32, 16, true);
    assert_elementwise(&s.ops[1], "fc1_bias", 128, 1.0);
    assert_elementwise(&s.ops[2], "relu", 128, 1.0);
    assert_gemm(&s.ops[3], "fc2", 1, 4, 8, 32, true);
    assert_elementwise(&s.ops[4], "fc2", 32, 1.0);
    assert_elementwise(&s.ops[5], "softmax", 32, 3.0);
    cr_assert_float_eq(s.macs, 3072.0, 0);
    cr_assert_float_eq(s.weight_elems, 808.0, 0);
    cr_assert(s.ops[0].a_from_input);
    cr_assert_not(s.ops[3].a_from_input);
    sip_kernel_seq_fini(&s);
}

Test(import_onnx, transformer_block_fuses_attention)
{
    const char *dims[] = {"batch=2"};
    sip_kernel_seq_t s;
    sip_error_t err;
    cr_assert_eq(load_onnx("tests/data/import/block.onnx", dims, 1, &s, &err), SIP_OK, "%s",
                 err.message);
    /* batch 2 x 8 tokens = 16 rows, hidden 32, 4 heads of 8, FFN 64:
     *   LayerNorm 16 x 32; Q, K, V, O projections 16 x 32 x 32 = 16384 MACs each;
     *   attention over 2 x 4 = 8 (sequence, head) pairs, 8 queries x 8 keys x 8 wide:
     *   QK^T 8 x 8 x 8 x 8 = 4096 + PV 4096 = 8192 MACs (the Div by sqrt(8) stays an
     *   element-wise kernel over 8 x 8 x 8 = 512 scores);
     *   FFN up 16 x 64 x 32 = 32768, Relu over 1024, down 16 x 32 x 64 = 32768; residuals on 512.
     *   Total 4 x 16384 + 8192 + 2 x 32768 = 139264 MACs in 12 kernels; the 6 Reshapes and
     *   Transposes that split and merge heads plus 2 more are shape-only (8 of 22 nodes). */
    cr_assert_eq(s.n_nodes, 22);
    cr_assert_eq(s.n_shape_only, 8);
    cr_assert_eq(s.n_ops, 12);
    cr_assert_eq(s.ops[0].kind, SIP_KOP_NORM);
    cr_assert_eq(s.ops[0].norm, SIP_NORM_LAYER);
    cr_assert_eq(s.ops[0].rows, 16);
    cr_assert_eq(s.ops[0].cols, 32);
    assert_gemm(&s.ops[1], "q_proj", 1, 16, 32, 32, true);
    assert_gemm(&s.ops[3], "v_proj", 1, 16, 32, 32, true);
    assert_elementwise(&s.ops[4], "scale", 512, 1.0);
    const sip_kop_t *a = &s.ops[5];
    cr_assert_eq(a->kind, SIP_KOP_ATTENTION);
    cr_assert_str_eq(a->name, "qk");
    cr_assert_eq(a->n_nodes, 4); /* qk, scale, attn_softmax, pv */
    cr_assert_eq(a->att.batch, 8);
    cr_assert_eq(a->att.q_tokens, 8);
    cr_assert_eq(a->att.kv_tokens, 8);
    cr_assert_eq(a->att.head_dim, 8);
    cr_assert_float_eq(a->macs, 8192.0, 0);
    assert_gemm(&s.ops[6], "o_proj", 1, 16, 32, 32, true);
    assert_gemm(&s.ops[8], "ffn_up", 1, 16, 64, 32, true);
    assert_elementwise(&s.ops[9], "ffn_act", 1024, 1.0);
    assert_gemm(&s.ops[10], "ffn_down", 1, 16, 32, 64, true);
    assert_elementwise(&s.ops[11], "residual2", 512, 1.0);
    cr_assert_float_eq(s.macs, 139264.0, 0);
    /* gamma, beta 64 + 4 x 1024 + 2 x 2048 + the scale scalar 1; the int64 shapes are not
     * weights. */
    cr_assert_float_eq(s.weight_elems, 8257.0, 0);
    sip_kernel_seq_fini(&s);
}

Test(import_onnx, cnn_conv_lowering_by_hand)
{
    sip_kernel_seq_t s;
    sip_error_t err;
    cr_assert_eq(load_onnx("tests/data/import/cnn.onnx", NULL, 0, &s, &err), SIP_OK, "%s",
                 err.message);
    /* conv1: 3x3 pad 1 on [1, 3, 32, 32] -> [1, 8, 32, 32]: M = 1024 pixels, N = 8 filters,
     *   K = 3 x 3 x 3 = 27: 221184 MACs, + bias on 8192;
     * BatchNorm (inference: scale and shift) 2 ops x 8192; Relu 8192;
     * MaxPool 2x2 stride 2 -> [1, 8, 16, 16]: 2048 outputs x 4 window elements;
     * dwconv 3x3 stride 2 pad 1 group 8 on [1, 8, 16, 16] -> [1, 8, 8, 8]: 8 GEMMs of
     *   64 pixels x 1 filter x 9 = 4608 MACs;
     * GlobalAveragePool over 512 inputs; Flatten shape-only; fc Gemm transB [10, 8]:
     *   1 x 10 x 8 = 80 MACs + bias on 10.  9 kernels, 225872 MACs. */
    cr_assert_eq(s.n_ops, 9);
    assert_gemm(&s.ops[0], "conv1", 1, 1024, 8, 27, true);
    assert_elementwise(&s.ops[1], "conv1", 8192, 1.0);
    assert_elementwise(&s.ops[2], "bn1", 8192, 2.0);
    assert_elementwise(&s.ops[3], "relu1", 8192, 1.0);
    assert_elementwise(&s.ops[4], "pool1", 2048, 4.0);
    assert_gemm(&s.ops[5], "dwconv", 8, 64, 1, 9, true);
    assert_elementwise(&s.ops[6], "gap", 512, 1.0);
    assert_gemm(&s.ops[7], "fc", 1, 1, 10, 8, true);
    assert_elementwise(&s.ops[8], "fc", 10, 1.0);
    cr_assert_float_eq(s.macs, 225872.0, 0);
    cr_assert_eq(s.n_shape_only, 1);
    sip_kernel_seq_fini(&s);
}

Test(import_onnx, testdata_models_by_hand)
{
    /* libonnx-testdata (onnx/backend/test/data), each a single node. */
    static const struct {
        const char *model;
        int64_t batch, m, n, k;
    } cases[] = {
        /* Conv x [2, 3, 7, 5], W [4, 3, 3, 2] -> [2, 4, 5, 4]: 40 pixels, K 3 x 3 x 2 = 18. */
        {"pytorch-converted/test_Conv2d", 1, 40, 4, 18},
        /* Gemm x [4, 10], W [8, 10] transB: 4 x 8 x 10. */
        {"pytorch-converted/test_Linear", 1, 4, 8, 10},
        /* Gemm a [6, 3] transA, b [6, 4]: M 3, K 6, N 4. */
        {"node/test_gemm_transposeA", 1, 3, 4, 6},
        /* Conv x [1, 1, 7, 5], W 3x3, pads (1, 0, 1, 0), stride 2: (7 + 2 - 3) / 2 + 1 = 4 by
         * (5 - 3) / 2 + 1 = 2 = 8 pixels, K 9. */
        {"node/test_conv_with_strides_and_asymmetric_padding", 1, 8, 1, 9},
        /* Depthwise x [2, 4, 6, 6], group 4, 3x3 stride 2 -> [2, 4, 2, 2]: 4 GEMMs of 8 x 1 x 9. */
        {"pytorch-converted/test_Conv2d_depthwise_strided", 4, 8, 1, 9},
        /* Conv x [20, 16, 50, 40], W [13, 16, 3, 3] -> 20 x 48 x 38 = 36480 pixels, K 144. */
        {"pytorch-operator/test_operator_conv", 1, 36480, 13, 144},
        /* MatMul [2, 3, 4] x [2, 4, 3]: 2 GEMMs of 3 x 3 x 4. */
        {"node/test_matmul_3d", 2, 3, 3, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "/usr/share/libonnx-testdata/data/%s/model.onnx",
                 cases[i].model);
        sip_kernel_seq_t s;
        sip_error_t err;
        cr_assert_eq(load_onnx(path, NULL, 0, &s, &err), SIP_OK, "%s: %s", cases[i].model,
                     err.message);
        cr_assert(s.n_ops >= 1);
        const sip_kop_t *k = &s.ops[0];
        cr_assert_eq(k->kind, SIP_KOP_GEMM, "%s", cases[i].model);
        cr_assert(k->batch == cases[i].batch && k->m == cases[i].m && k->n == cases[i].n &&
                      k->k == cases[i].k,
                  "%s: %lld x %lld x %lld x %lld", cases[i].model, (long long)k->batch,
                  (long long)k->m, (long long)k->n, (long long)k->k);
        sip_kernel_seq_fini(&s);
    }
}

/* Every model of libonnx-testdata either reads (and then its inferred output shapes equal the
 * ones the file declares: sip_onnx_load checks them) or fails with a message naming a node;
 * none crashes.  Most failures are operators that are no kernel of ours (Hardmax, LSTM, ...). */
Test(import_onnx, every_testdata_model_reads_or_errors_cleanly)
{
    static const char *const dirs[] = {"node", "pytorch-converted", "pytorch-operator",
                                       "simple"};
    int n_ok = 0, n_err = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "ls /usr/share/libonnx-testdata/data/%s", dirs[d]);
        int status;
        char *list = cli_capture(cmd, &status);
        cr_assert_eq(status, 0, "libonnx-testdata is not installed (%s)", cmd);
        for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
            char path[1024];
            snprintf(path, sizeof path, "/usr/share/libonnx-testdata/data/%s/%s/model.onnx",
                     dirs[d], line);
            sip_kernel_seq_t s;
            sip_error_t err;
            if (load_onnx(path, NULL, 0, &s, &err) == SIP_OK) {
                n_ok++;
                cr_assert_geq(s.n_nodes, 1);
                sip_kernel_seq_fini(&s);
            } else {
                n_err++;
                cr_assert_str_eq(err.path, path);
                cr_assert(err.message[0], "%s", path);
                cr_assert_null(s.ops);
            }
        }
        free(list);
    }
    /* libonnx-testdata 1.12: 513 of 1072 read. */
    cr_assert_geq(n_ok, 500, "%d read, %d errors", n_ok, n_err);
    cr_assert_geq(n_ok + n_err, 1000);
}

Test(import_onnx, bad_models_name_the_node_and_what_was_expected)
{
    static const struct {
        const char *file;
        int n_dims;
        sip_status_t status;
        const char *needle;
    } cases[] = {
        {"tests/data/import/bad_op.onnx", 0, SIP_EUNSUPPORTED,
         "node 'odd_op' (index 1, Hardmax): unsupported operator 'Hardmax'"},
        {"tests/data/import/bad_shape.onnx", 0, SIP_EINVAL,
         "node 'mismatch' (index 0, MatMul): inner dimensions differ: 'x' [4, 16] x 'W' [9, 8]"},
        {"tests/data/import/block.onnx", 0, SIP_EINVAL,
         "node 'ln1' (index 0, LayerNormalization): input 'x' has symbolic dimension 'batch'"},
        {"tests/data/import/slice_no_vi.onnx", 0, SIP_EUNSUPPORTED,
         "node 'take_two' (index 0, Slice): output 'xs' needs a value_info entry"},
        {"tests/data/import/bad_huge.onnx", 0, SIP_ELIMIT,
         "tensor 'x' has 1.21e+24 elements (expected at most 2^50)"},
        {"tests/data/import/make_models.py", 0, SIP_EPARSE, "not a valid ONNX protobuf"},
        {"tests/data/import/missing.onnx", 0, SIP_EIO, "cannot open"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sip_kernel_seq_t s;
        sip_error_t err;
        cr_assert_eq(load_onnx(cases[i].file, NULL, 0, &s, &err), cases[i].status,
                     "%s: %s", cases[i].file, err.message);
        cr_assert(strstr(err.message, cases[i].needle), "%s: %s", cases[i].file, err.message);
        cr_assert(strstr(err.path, cases[i].file), "%s", err.path);
    }
    /* With value_info the same Slice graph reads: 2 rows x 8 x 16. */
    sip_kernel_seq_t s;
    sip_error_t err;
    cr_assert_eq(load_onnx("tests/data/import/slice_vi.onnx", NULL, 0, &s, &err), SIP_OK, "%s",
                 err.message);
    assert_gemm(&s.ops[0], "fc", 1, 2, 8, 16, true);
    sip_kernel_seq_fini(&s);
    const char *bad_dim[] = {"batch=zero"};
    cr_assert_eq(load_onnx("tests/data/import/block.onnx", bad_dim, 1, &s, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "batch=zero"), "%s", err.message);
}

Test(import_onnx, truncated_and_corrupt_files_error_never_crash)
{
    char path[1024];
    src_path(path, sizeof path, "tests/data/import/mlp.onnx");
    size_t len;
    char *data = test_read_file(path, &len);
    cr_assert_not_null(data);
    /* Every proper prefix is an error (onnx.save writes opset_import after the graph). */
    for (size_t n = 0; n < len; n++) {
        sip_kernel_seq_t s;
        sip_error_t err;
        sip_error_clear(&err);
        sip_status_t st = sip_onnx_parse((const uint8_t *)data, n, "cut.onnx", NULL, &s, &err);
        cr_assert_neq(st, SIP_OK, "prefix of %zu of %zu bytes read", n, len);
        cr_assert(err.message[0]);
    }
    /* Each byte overwritten in turn: an error or a graph, never a crash or a leak. */
    int n_err = 0;
    for (size_t i = 0; i < len; i++) {
        char *copy = malloc(len);
        memcpy(copy, data, len);
        copy[i] = (char)(copy[i] ^ 0x5a);
        sip_kernel_seq_t s;
        sip_error_t err;
        if (sip_onnx_parse((const uint8_t *)copy, len, "flip.onnx", NULL, &s, &err) == SIP_OK)
            sip_kernel_seq_fini(&s);
        else
            n_err++;
        free(copy);
    }
    cr_assert_gt(n_err, 0);
    free(data);
}

/* ---------------------------------------------------------------- on a package */

Test(import_onnx, sequence_splits_rows_over_the_compute_chiplets)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_kernel_seq_t s;
    sip_error_t err;
    cr_assert_eq(load_onnx("tests/data/import/cnn.onnx", NULL, 0, &s, &err), SIP_OK, "%s",
                 err.message);
    sip_kernel_seq_result_t *all = NULL, *one = NULL;
    cr_assert_eq(sip_kernel_seq_evaluate(pkg, &s, SIP_PREC_FP8, 0, NULL, &all, &err), SIP_OK,
                 "%s", err.message);
    cr_assert_eq(sip_kernel_seq_evaluate(pkg, &s, SIP_PREC_FP8, 1, NULL, &one, &err), SIP_OK,
                 "%s", err.message);
    cr_assert_eq(all->n_ranks, 4); /* the default package's four compute dies */
    cr_assert_eq(one->n_ranks, 1);
    /* Rows split evenly here (1024 / 4, 8 groups / 4, ...): no MAC is added by rounding, except
     * fc whose single row runs on every rank (4 x 80 instead of 80). */
    cr_assert_float_eq(one->macs, 225872.0, 0);
    cr_assert_float_eq(all->macs, 225872.0 + 3 * 80.0, 0);
    /* Pass time is the sum of the kernels' times, each the slowest rank's. */
    double sum = 0.0;
    for (int i = 0; i < all->n_ops; i++)
        sum += all->ops[i].time_s;
    cr_assert_float_eq(all->time_s, sum, 1e-12 * sum);
    /* conv1 on 4 ranks: each rank's share is the GEMM 256 x 8 x 27 on its tile. */
    sip_tile_t t;
    sip_workload_options_t o;
    sip_workload_options_init(&o);
    cr_assert_eq(sip_tile_from_instance(pkg, all->ranks[0], SIP_PREC_FP8, &o.tile, &t, &err),
                 SIP_OK);
    sip_kernel_result_t k;
    const sip_gemm_operands_t ops = {.b_in_hbm = true, .b_shared = true};
    cr_assert_eq(sip_kernel_gemm(&t, 1, 256, 8, 27, &ops, &k, &err), SIP_OK);
    cr_assert_float_eq(all->ops[0].time_s, k.time_s, 1e-15);
    /* Its HBM bytes: the filters 8 x 27 and a quarter of the input feature map 3 x 32 x 32
     * (x is a graph input), not the im2col matrix 256 x 27. */
    cr_assert_float_eq(all->ops[0].k.hbm_bytes, (8.0 * 27 + 3 * 32 * 32 / 4.0) * t.bytes_per_elem,
                       1e-9);
    cr_assert(one->ops[0].time_s > all->ops[0].time_s);
    cr_assert(all->fits);
    cr_assert(all->energy_j > 0.0);
    sip_kernel_seq_result_destroy(all);
    sip_kernel_seq_result_destroy(one);
    /* More ranks than the package has: an error. */
    cr_assert_eq(sip_kernel_seq_evaluate(pkg, &s, SIP_PREC_FP8, 9, NULL, &all, &err),
                 SIP_EINVAL);
    cr_assert_null(all);
    sip_kernel_seq_fini(&s);
    sip_package_destroy(pkg);
}

Test(import_onnx, perf_runs_an_onnx_model_end_to_end)
{
    json_t *j = cli_run_json(cli_source_root(), "perf topologies/default.cfg --json "
                                                "--model-file tests/data/import/block.onnx "
                                                "--onnx-dim batch=2");
    cr_assert_str_eq(json_string_value(json_object_get(j, "graph")), "block");
    cr_assert_eq(json_array_size(json_object_get(j, "kernels")), 12);
    cr_assert_float_eq(json_real_value(json_object_get(j, "macs")), 139264.0, 0);
    cr_assert(json_real_value(json_object_get(j, "passes_per_s")) > 0.0);
    json_t *att = json_array_get(json_object_get(j, "kernels"), 5);
    cr_assert_str_eq(json_string_value(json_object_get(att, "kernel")), "attention");
    json_decref(j);
    /* The workload's model may name the graph too (--model), with --ranks. */
    j = cli_run_json(cli_source_root(), "perf topologies/default.cfg --json --model "
                                        "tests/data/import/cnn.onnx --ranks 2");
    cr_assert_eq(json_array_size(json_object_get(j, "compute_chiplets")), 2);
    json_decref(j);
    /* Unbound symbolic batch: exit 2 with the node named. */
    int status;
    char *out = cli_run(cli_source_root(), "perf topologies/default.cfg --model-file "
                                           "tests/data/import/block.onnx", &status);
    cr_assert_eq(status, 2);
    free(out);
}

Test(import_onnx, committed_models_are_what_the_script_writes)
{
    /* The fixtures are generated, not hand-edited: make_models.py (Debian's python3-onnx)
     * writes the same bytes again. */
    char dir[] = "/tmp/sipsim-onnx-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/data/import/make_models.py' '%s' 2>&1",
             cli_source_root(), dir);
    int status;
    char *out = cli_capture(cmd, &status);
    cr_assert_eq(status, 0, "%s", out);
    free(out);
    static const char *const files[] = {"mlp.onnx", "block.onnx", "cnn.onnx", "slice_vi.onnx",
                                        "slice_no_vi.onnx", "bad_op.onnx", "bad_shape.onnx",
                                        "bad_huge.onnx"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[1024], b[1024];
        snprintf(a, sizeof a, "%s/%s", dir, files[i]);
        src_path(b, sizeof b, "tests/data/import/");
        strncat(b, files[i], sizeof b - strlen(b) - 1);
        size_t na, nb;
        char *da = test_read_file(a, &na), *db = test_read_file(b, &nb);
        cr_assert(da && db, "%s", files[i]);
        cr_assert(na == nb && memcmp(da, db, na) == 0, "%s differs from the script's output",
                  files[i]);
        free(da);
        free(db);
        remove(a);
    }
    rmdir(dir);
}
