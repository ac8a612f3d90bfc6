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

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"

static void src_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", cli_source_root(), rel);
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
        {"{\"model_type\": \"mixtral\",\n \"num_local_experts\": 8}", SIP_EUNSUPPORTED, 2,
         "num_local_experts"},
        {"{\"model_type\": \"llama\",\n\"num_experts_per_tok\": 2}", SIP_EUNSUPPORTED, 2,
         "num_experts_per_tok"},
        {"{\"model_type\": \"gpt2\"}", SIP_EUNSUPPORTED, 1, "gpt2"},
        {"{\"model_type\": \"mistral\", \"sliding_window\": 4096}", SIP_EUNSUPPORTED, 1,
         "sliding_window"},
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
