/* A Hugging Face config.json (transformers' PretrainedConfig as save_pretrained writes it) read
 * into a transformer decoder shape (include/sipsim/import.h).  Only the keys that size the
 * compute are read; the many others (rope_theta, token ids, ...) change no kernel and are
 * ignored.  Keys naming structure the shape cannot represent are rejected, never dropped.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/import.h"

/* Decoder families whose layer is the shape's layer (pre-norm attention + FFN, no biases
 * that matter).  Defaults are the transformers configuration classes' (v4.40+): LlamaConfig,
 * MistralConfig, Qwen2Config, Qwen3Config tie_word_embeddings=False; GemmaConfig, Gemma2Config
 * tie_word_embeddings=True.  Every one of them uses a gated MLP (gate_proj, up_proj, down_proj:
 * LlamaMLP, MistralMLP, Qwen2MLP, GemmaMLP).  Qwen2's q/k/v biases (3 x hidden per layer,
 * < 0.01 % of the weights) are not in the shape. */
typedef struct {
    const char *model_type;
    bool tied_default;
} hf_family_t;

static const hf_family_t families[] = {
    {"llama", false}, {"mistral", false}, {"qwen2", false},
    {"qwen3", false}, {"gemma", true},    {"gemma2", true},
    /* MixtralConfig, DeepseekV2Config, DeepseekV3Config: tie_word_embeddings=False; each
     * expert (and DeepSeek's shared experts and dense layers) a gated MLP (MixtralBlockSparseTop2MLP,
     * DeepseekV3MLP). */
    {"mixtral", false}, {"deepseek_v2", false}, {"deepseek_v3", false},
};

/* Keys that mean a structure the shape does not have.  Qwen-MoE's shared expert has its own
 * width (shared_expert_intermediate_size), the shape's shared experts are moe_ffn wide. */
static const struct {
    const char *key;
    const char *what;
} unsupported_keys[] = {
    {"num_experts", "a mixture of experts with a separately sized shared expert (Qwen-MoE)"},
    {"shared_expert_intermediate_size", "a shared expert of its own width (Qwen-MoE)"},
};

/* Keys that only some families read (space-separated model_types).  Routing choices
 * (topk_method, n_group, topk_group, scoring_func, routed_scaling_factor) change which experts
 * a token meets, not how many, and are ignored like the other non-sizing keys. */
static const struct {
    const char *key;
    const char *families;
} family_keys[] = {
    {"num_local_experts", "mixtral"},
    {"num_experts_per_tok", "mixtral deepseek_v2 deepseek_v3"},
    {"n_routed_experts", "deepseek_v2 deepseek_v3"},
    {"n_shared_experts", "deepseek_v2 deepseek_v3"},
    {"moe_intermediate_size", "deepseek_v2 deepseek_v3"},
    {"first_k_dense_replace", "deepseek_v2 deepseek_v3"},
    {"moe_layer_freq", "deepseek_v2 deepseek_v3"},
    {"kv_lora_rank", "deepseek_v2 deepseek_v3"},
    {"q_lora_rank", "deepseek_v2 deepseek_v3"},
    {"qk_rope_head_dim", "deepseek_v2 deepseek_v3"},
    {"qk_nope_head_dim", "deepseek_v2 deepseek_v3"},
    {"v_head_dim", "deepseek_v2 deepseek_v3"},
};

static bool family_has(const char *families, const char *model_type)
{
    const size_t n = strlen(model_type);
    for (const char *p = families; (p = strstr(p, model_type)) != NULL; p += n)
        if ((p == families || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* The line of the first `"key"` in the text (1-based), 0 when absent: jansson keeps no
 * positions for values, and a line makes the error findable. */
static int key_line(const char *text, size_t len, const char *key)
{
    char pat[96];
    int w = snprintf(pat, sizeof pat, "\"%s\"", key);
    if (w <= 0 || (size_t)w >= sizeof pat)
        return 0;
    const size_t pl = (size_t)w;
    int line = 1;
    for (size_t i = 0; i + pl <= len; i++) {
        if (text[i] == '\n')
            line++;
        else if (text[i] == '"' && memcmp(text + i, pat, pl) == 0)
            return line;
    }
    return 0;
}

typedef struct {
    const char *text;
    size_t len;
    const char *path;
    json_t *root;
    sip_error_t *err;
} hf_ctx_t;

/* An integer key in [min, max]; absent: *out = dflt when dflt >= 0, else an error. */
static sip_status_t get_int(const hf_ctx_t *c, const char *key, long long min, long long max,
                            long long dflt, int *out)
{
    json_t *v = json_object_get(c->root, key);
    if (!v || json_is_null(v)) {
        if (dflt >= 0) {
            *out = (int)dflt;
            return SIP_OK;
        }
        return sip_error_set(c->err, SIP_EINVAL, c->path, 0,
                             "missing key \"%s\" (expected an integer in [%lld, %lld])", key, min,
                             max);
    }
    /* An integer written as 4096.0 is still a size; anything fractional is not. */
    long long x;
    if (json_is_integer(v))
        x = json_integer_value(v);
    else if (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v))
        x = (long long)json_real_value(v);
    else
        return sip_error_set(c->err, SIP_EINVAL, c->path, key_line(c->text, c->len, key),
                             "\"%s\" is not an integer (expected an integer in [%lld, %lld])",
                             key, min, max);
    if (x < min || x > max)
        return sip_error_set(c->err, SIP_EINVAL, c->path, key_line(c->text, c->len, key),
                             "\"%s\" = %lld (expected an integer in [%lld, %lld])", key, x, min,
                             max);
    *out = (int)x;
    return SIP_OK;
}

static sip_status_t dtype_precision(const hf_ctx_t *c, sip_precision_t *out)
{
    /* transformers writes torch_dtype (newer releases: dtype) without the "torch." prefix. */
    static const struct {
        const char *name;
        sip_precision_t p;
    } dtypes[] = {{"bfloat16", SIP_PREC_BF16}, {"float16", SIP_PREC_FP16},
                  {"float32", SIP_PREC_FP32}, {"float8_e4m3fn", SIP_PREC_FP8}};
    const char *key = "torch_dtype";
    json_t *v = json_object_get(c->root, key);
    if (!v) {
        key = "dtype";
        v = json_object_get(c->root, key);
    }
    if (!v || !json_is_string(v))
        return sip_error_set(c->err, SIP_EINVAL, c->path, v ? key_line(c->text, c->len, key) : 0,
                             "%s \"torch_dtype\" (expected a string: bfloat16, float16, "
                             "float32 or float8_e4m3fn)", v ? "bad" : "missing key");
    const char *s = json_string_value(v);
    if (strncmp(s, "torch.", 6) == 0)
        s += 6;
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(s, dtypes[i].name) == 0) {
            *out = dtypes[i].p;
            return SIP_OK;
        }
    return sip_error_set(c->err, SIP_EINVAL, c->path, key_line(c->text, c->len, key),
                         "\"%s\" = \"%s\" (expected bfloat16, float16, float32 or "
                         "float8_e4m3fn)", key, json_string_value(v));
}

static bool is_deepseek(const char *model_type)
{
    return strcmp(model_type, "deepseek_v2") == 0 || strcmp(model_type, "deepseek_v3") == 0;
}

/* Mixture of experts (transformers MixtralSparseMoeBlock, DeepseekV3MoE).  Mixtral: every layer
 * has num_local_experts experts of intermediate_size (MixtralConfig defaults 8 and 2).
 * DeepSeek: n_routed_experts experts and n_shared_experts always-on experts, both
 * moe_intermediate_size wide; layers below first_k_dense_replace keep the dense MLP of
 * intermediate_size; n_routed_experts null = every layer dense.  moe_layer_freq other than 1
 * (MoE every k-th layer) is not a shape. */
static sip_status_t read_moe(const hf_ctx_t *c, const char *model_type, sip_model_shape_t *s)
{
    sip_status_t st;
    if (strcmp(model_type, "mixtral") == 0) {
        if ((st = get_int(c, "num_local_experts", 1, 65536, 8, &s->n_experts)) != SIP_OK ||
            (st = get_int(c, "num_experts_per_tok", 1, s->n_experts, 2,
                          &s->experts_per_token)) != SIP_OK)
            return st;
        s->moe_ffn = s->ffn;
        return SIP_OK;
    }
    if (!is_deepseek(model_type))
        return SIP_OK;
    if ((st = get_int(c, "n_routed_experts", 0, 65536, 0, &s->n_experts)) != SIP_OK)
        return st;
    if (s->n_experts == 0)
        return SIP_OK;
    int freq = 1;
    if ((st = get_int(c, "num_experts_per_tok", 1, s->n_experts, -1,
                      &s->experts_per_token)) != SIP_OK ||
        (st = get_int(c, "moe_intermediate_size", 1, 16777216, -1, &s->moe_ffn)) != SIP_OK ||
        (st = get_int(c, "n_shared_experts", 0, 65536, 0, &s->shared_experts)) != SIP_OK ||
        (st = get_int(c, "first_k_dense_replace", 0, s->layers, 0, &s->dense_layers)) != SIP_OK ||
        (st = get_int(c, "moe_layer_freq", 1, 10000, 1, &freq)) != SIP_OK)
        return st;
    if (freq != 1)
        return sip_error_set(c->err, SIP_EUNSUPPORTED, c->path,
                             key_line(c->text, c->len, "moe_layer_freq"),
                             "key \"moe_layer_freq\" = %d: MoE every %d-th layer is not "
                             "representable in the decoder shape (expected 1)", freq, freq);
    return SIP_OK;
}

/* Multi-head latent attention (DeepseekV3Attention): the cache holds kv_lora_rank +
 * qk_rope_head_dim per token; the shape's head_dim is qk_nope_head_dim (transformers'
 * own head_dim for these families is the RoPE width, so a head_dim key is not read). */
static sip_status_t read_mla(const hf_ctx_t *c, const char *model_type, sip_model_shape_t *s)
{
    if (!is_deepseek(model_type))
        return SIP_OK;
    sip_status_t st;
    if ((st = get_int(c, "kv_lora_rank", 1, 1048576, -1, &s->kv_lora_rank)) != SIP_OK ||
        /* q_lora_rank null (DeepSeek-V2-Lite): a full query projection. */
        (st = get_int(c, "q_lora_rank", 0, 1048576, 0, &s->q_lora_rank)) != SIP_OK ||
        (st = get_int(c, "qk_rope_head_dim", 1, 65536, -1, &s->qk_rope_dim)) != SIP_OK ||
        (st = get_int(c, "qk_nope_head_dim", 1, 65536, -1, &s->head_dim)) != SIP_OK ||
        (st = get_int(c, "v_head_dim", 1, 65536, -1, &s->v_head_dim)) != SIP_OK)
        return st;
    return SIP_OK;
}

/* Sliding-window attention on every layer.  Mistral / Mixtral: active when sliding_window is
 * set (MistralAttention).  Qwen2 / Qwen3: only with use_sliding_window true, and then on the
 * layers from max_window_layers on (Qwen2Attention), so all layers (0) or none (>= layers).
 * Gemma2 alternates windowed and global layers: not a shape. */
static sip_status_t read_window(const hf_ctx_t *c, const char *model_type, sip_model_shape_t *s)
{
    json_t *sw = json_object_get(c->root, "sliding_window");
    json_t *use = json_object_get(c->root, "use_sliding_window");
    if (use && !json_is_boolean(use))
        return sip_error_set(c->err, SIP_EINVAL, c->path,
                             key_line(c->text, c->len, "use_sliding_window"),
                             "\"use_sliding_window\" is not a boolean (expected true or false)");
    if (!sw || json_is_null(sw) || (use && json_is_false(use)))
        return SIP_OK;
    const bool qwen = strcmp(model_type, "qwen2") == 0 || strcmp(model_type, "qwen3") == 0;
    const bool mistral = strcmp(model_type, "mistral") == 0 || strcmp(model_type, "mixtral") == 0;
    if (!(mistral || (qwen && use)))
        return sip_error_set(c->err, SIP_EUNSUPPORTED, c->path,
                             key_line(c->text, c->len, "sliding_window"),
                             "key \"sliding_window\" with model_type \"%s\": %s (expected null, "
                             "or use_sliding_window false)", model_type,
                             strcmp(model_type, "gemma2") == 0
                                 ? "windowed and global layers alternate, which is not "
                                   "representable in the decoder shape"
                                 : "this family's windowed layers are not known");
    sip_status_t st;
    if (qwen) {
        int from = 0;
        if ((st = get_int(c, "max_window_layers", 0, 1 << 30, 0, &from)) != SIP_OK)
            return st;
        if (from >= s->layers)
            return SIP_OK;
        if (from > 0)
            return sip_error_set(c->err, SIP_EUNSUPPORTED, c->path,
                                 key_line(c->text, c->len, "max_window_layers"),
                                 "key \"max_window_layers\" = %d: a window on layers %d .. %d "
                                 "only is not representable in the decoder shape (expected 0 "
                                 "or >= num_hidden_layers %d)", from, from, s->layers - 1,
                                 s->layers);
    }
    return get_int(c, "sliding_window", 1, 1073741824, -1, &s->sliding_window);
}

/* Weights released quantized: DeepSeek-V3 ships FP8 e4m3 weights with torch_dtype bfloat16
 * (its config.json's quantization_config).  Other schemes (GPTQ, AWQ, bitsandbytes) size
 * weights differently and are refused rather than read as torch_dtype. */
static sip_status_t read_quantization(const hf_ctx_t *c, sip_precision_t *precision)
{
    json_t *q = json_object_get(c->root, "quantization_config");
    if (!q || json_is_null(q))
        return SIP_OK;
    json_t *m = json_is_object(q) ? json_object_get(q, "quant_method") : NULL;
    json_t *fmt = json_is_object(q) ? json_object_get(q, "fmt") : NULL;
    if (json_is_string(m) && strcmp(json_string_value(m), "fp8") == 0 &&
        (!fmt || (json_is_string(fmt) && strcmp(json_string_value(fmt), "e4m3") == 0))) {
        *precision = SIP_PREC_FP8;
        return SIP_OK;
    }
    return sip_error_set(c->err, SIP_EUNSUPPORTED, c->path,
                         key_line(c->text, c->len, "quantization_config"),
                         "key \"quantization_config\": quant_method %s%s%s is not read "
                         "(expected quant_method \"fp8\" with fmt \"e4m3\", or none; "
                         "--weight-precision sets other weight formats)",
                         json_is_string(m) ? "\"" : "", json_is_string(m) ? json_string_value(m)
                                                                          : "(missing)",
                         json_is_string(m) ? "\"" : "");
}

/* The shape's name: the folder of .../NAME/config.json (how the Hub lays out a checkout), else
 * the file stem; characters outside the model-name alphabet become '_'. */
static void shape_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *from = base;
    size_t n = strlen(base);
    if (strcmp(base, "config.json") == 0 && base != path) {
        const char *end = base - 1; /* the '/' */
        const char *start = end;
        while (start > path && start[-1] != '/')
            start--;
        if (end > start) {
            from = start;
            n = (size_t)(end - start);
        }
    } else if (n > 5 && strcmp(base + n - 5, ".json") == 0) {
        n -= 5;
    }
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++) {
        char ch = from[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-' || ch == '.';
        out[i] = ok && !(i == 0 && ch == '.') ? ch : '_';
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "config");
}

sip_status_t sip_hf_config_parse(const char *text, size_t len, const char *path,
                                 sip_hf_config_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (!path)
        path = "";
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sip_error_set(err, SIP_EPARSE, path, jerr.line > 0 ? jerr.line : 0,
                             "%s (expected a JSON object: a Hugging Face config.json)", jerr.text);
    sip_status_t st = SIP_OK;
    hf_ctx_t c = {.text = text, .len = len, .path = path, .root = root, .err = err};
    sip_hf_config_t r;
    memset(&r, 0, sizeof r);
    sip_model_shape_t *s = &r.shape;
    if (!json_is_object(root)) {
        st = sip_error_set(err, SIP_EINVAL, path, 1, "not a JSON object (expected a Hugging "
                           "Face config.json: { \"model_type\": ..., \"hidden_size\": ... })");
        goto out;
    }
    json_t *mt = json_object_get(root, "model_type");
    if (!json_is_string(mt)) {
        st = sip_error_set(err, SIP_EINVAL, path, mt ? key_line(text, len, "model_type") : 0,
                           "%s \"model_type\" (expected a string such as \"llama\")",
                           mt ? "bad" : "missing key");
        goto out;
    }
    const hf_family_t *fam = NULL;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strcmp(json_string_value(mt), families[i].model_type) == 0)
            fam = &families[i];
    for (size_t i = 0; i < sizeof unsupported_keys / sizeof unsupported_keys[0]; i++) {
        json_t *v = json_object_get(root, unsupported_keys[i].key);
        if (v && !json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) == 0)) {
            st = sip_error_set(err, SIP_EUNSUPPORTED, path,
                               key_line(text, len, unsupported_keys[i].key),
                               "key \"%s\": %s is not representable in the decoder shape "
                               "(expected llama, mistral, mixtral, qwen2, qwen3, gemma, gemma2, "
                               "deepseek_v2 or deepseek_v3)",
                               unsupported_keys[i].key, unsupported_keys[i].what);
            goto out;
        }
    }
    if (!fam) {
        st = sip_error_set(err, SIP_EUNSUPPORTED, path, key_line(text, len, "model_type"),
                           "model_type \"%s\" (expected a decoder family: llama, mistral, mixtral, "
                           "qwen2, qwen3, gemma, gemma2, deepseek_v2, deepseek_v3)",
                           json_string_value(mt));
        goto out;
    }
    /* A structural key of another family (num_local_experts in a llama config) would be
     * dropped by this family's reader: refused instead. */
    for (size_t i = 0; i < sizeof family_keys / sizeof family_keys[0]; i++) {
        json_t *v = json_object_get(root, family_keys[i].key);
        if (v && !json_is_null(v) && !family_has(family_keys[i].families, fam->model_type)) {
            st = sip_error_set(err, SIP_EUNSUPPORTED, path,
                               key_line(text, len, family_keys[i].key),
                               "key \"%s\" is not read for model_type \"%s\" (expected it "
                               "only with model_type %s)", family_keys[i].key, fam->model_type,
                               family_keys[i].families);
            goto out;
        }
    }
    snprintf(r.model_type, sizeof r.model_type, "%s", fam->model_type);
    /* Ranges: the model file schema's (src/config/model_shape.c). */
    if ((st = get_int(&c, "num_hidden_layers", 1, 10000, -1, &s->layers)) != SIP_OK ||
        (st = get_int(&c, "hidden_size", 1, 1048576, -1, &s->hidden)) != SIP_OK ||
        (st = get_int(&c, "num_attention_heads", 1, 65536, -1, &s->heads)) != SIP_OK ||
        /* LlamaConfig: num_key_value_heads None means num_attention_heads (multi-head). */
        (st = get_int(&c, "num_key_value_heads", 1, 65536, s->heads, &s->kv_heads)) != SIP_OK ||
        (st = get_int(&c, "head_dim", 1, 65536, 0, &s->head_dim)) != SIP_OK ||
        (st = get_int(&c, "intermediate_size", 1, 16777216, -1, &s->ffn)) != SIP_OK ||
        (st = get_int(&c, "vocab_size", 1, 16777216, -1, &s->vocab)) != SIP_OK ||
        (st = get_int(&c, "max_position_embeddings", 1, 1 << 30, 0,
                      &r.max_position_embeddings)) != SIP_OK ||
        (st = dtype_precision(&c, &s->precision)) != SIP_OK)
        goto out;
    if ((st = read_moe(&c, fam->model_type, s)) != SIP_OK ||
        (st = read_mla(&c, fam->model_type, s)) != SIP_OK ||
        (st = read_window(&c, fam->model_type, s)) != SIP_OK ||
        (st = read_quantization(&c, &s->precision)) != SIP_OK)
        goto out;
    if (s->heads % s->kv_heads != 0) {
        st = sip_error_set(err, SIP_EINVAL, path, key_line(text, len, "num_key_value_heads"),
                           "num_key_value_heads %d does not divide num_attention_heads %d "
                           "(expected a whole number of query heads per KV head)", s->kv_heads,
                           s->heads);
        goto out;
    }
    if (s->head_dim == 0) {
        if (s->hidden % s->heads != 0) {
            st = sip_error_set(err, SIP_EINVAL, path, key_line(text, len, "num_attention_heads"),
                               "num_attention_heads %d does not divide hidden_size %d (expected "
                               "\"head_dim\" when the heads are not hidden / heads wide)",
                               s->heads, s->hidden);
            goto out;
        }
        s->head_dim = s->hidden / s->heads;
    }
    json_t *tie = json_object_get(root, "tie_word_embeddings");
    if (tie && !json_is_boolean(tie)) {
        st = sip_error_set(err, SIP_EINVAL, path, key_line(text, len, "tie_word_embeddings"),
                           "\"tie_word_embeddings\" is not a boolean (expected true or false)");
        goto out;
    }
    s->tied_embeddings = tie ? json_is_true(tie) : fam->tied_default;
    s->gated_ffn = true;
    shape_name(path, s->name, sizeof s->name);
    snprintf(s->source, sizeof s->source, "Hugging Face config.json (model_type %s)",
             fam->model_type);
    if (strlen(path) >= sizeof s->path) {
        st = sip_error_set(err, SIP_EINVAL, path, 0, "path too long (expected at most %d "
                           "characters)", (int)sizeof s->path - 1);
        goto out;
    }
    snprintf(s->path, sizeof s->path, "%s", path);
    *out = r;
out:
    json_decref(root);
    return st;
}

sip_status_t sip_hf_config_load(const char *path, sip_hf_config_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open (expected a readable "
                             "config.json)");
    /* A config.json is a few kB; 16 MB is far beyond any real one and bounds the read. */
    const size_t cap = 16u << 20;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory");
    }
    size_t n = fread(buf, 1, cap, f);
    const bool too_big = n == cap, failed = ferror(f) != 0;
    fclose(f);
    sip_status_t st;
    if (failed)
        st = sip_error_set(err, SIP_EIO, path, 0, "read error");
    else if (too_big)
        st = sip_error_set(err, SIP_ELIMIT, path, 0, "file larger than 16 MB (expected a "
                           "config.json of a few kB)");
    else
        st = sip_hf_config_parse(buf, n, path, out, err);
    free(buf);
    return st;
}
