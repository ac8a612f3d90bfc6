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
};

/* Keys that mean a structure the dense shape does not have. */
static const struct {
    const char *key;
    const char *what;
} unsupported_keys[] = {
    {"num_local_experts", "a mixture of experts (Mixtral)"},
    {"num_experts_per_tok", "a mixture of experts"},
    {"n_routed_experts", "a mixture of experts (DeepSeek)"},
    {"num_experts", "a mixture of experts (Qwen-MoE)"},
    {"kv_lora_rank", "multi-head latent attention (DeepSeek)"},
};

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
                               "key \"%s\": %s is not a dense decoder shape (expected a dense "
                               "model: llama, mistral, qwen2, qwen3, gemma, gemma2)",
                               unsupported_keys[i].key, unsupported_keys[i].what);
            goto out;
        }
    }
    if (!fam) {
        st = sip_error_set(err, SIP_EUNSUPPORTED, path, key_line(text, len, "model_type"),
                           "model_type \"%s\" (expected a dense decoder family: llama, mistral, "
                           "qwen2, qwen3, gemma, gemma2)", json_string_value(mt));
        goto out;
    }
    snprintf(r.model_type, sizeof r.model_type, "%s", fam->model_type);
    /* A window shorter than the context changes which keys attention reads: not modelled.
     * Qwen2 writes sliding_window with use_sliding_window false (inactive). */
    json_t *sw = json_object_get(root, "sliding_window"), *use = json_object_get(root,
                                                                              "use_sliding_window");
    if (sw && !json_is_null(sw) && !(use && json_is_false(use))) {
        st = sip_error_set(err, SIP_EUNSUPPORTED, path, key_line(text, len, "sliding_window"),
                           "key \"sliding_window\": sliding-window attention is not modelled "
                           "(expected null, or use_sliding_window false)");
        goto out;
    }
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
