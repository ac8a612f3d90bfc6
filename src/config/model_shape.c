/* Transformer decoder model files (models/NAME.cfg): read with the loader's schema machinery
 * (unknown keys with "did you mean", types, ranges, path:line errors), found by name the way
 * chiplet types are (models/ beside the package file, its parent, its grandparent, then the
 * installed data folder) or by explicit path.  Lives in src/config because only this area
 * includes <libconfig.h>; the shape type and its arithmetic are the kernel library's
 * (include/sipsim/kernels.h, src/kernels/shapes.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_internal.h"
#include "sip_config.h"
#include "sipsim/import.h"
#include "sipsim/kernels.h"

#define NONE SIZE_MAX
/* Model files scanned for a "did you mean" on an unknown name. */
#define MAX_CANDIDATES 256
#define N_DEFAULT_DIRS 4

static const char *const *ffn_kind_names(void)
{
    static const char *const names[] = {"plain", "gated"};
    return names;
}

static const char *const *embedding_names(void)
{
    static const char *const names[] = {"separate", "tied"};
    return names;
}

static const char *const *precision_names(void)
{
    return sip_precision_names();
}

/* Ranges are sanity bounds (wide enough for any published decoder), not model numbers. */
static const sip__field_t model_fields[] = {
    {.key = "source", .type = SIP__F_STRING, .help = "where the numbers come from (citation)",
     .offset = offsetof(sip_model_shape_t, source), .size = (int)sizeof(((sip_model_shape_t *)0)->source)},
    {.key = "layers", .type = SIP__F_INT, .required = true, .min = 1, .max = 10000,
     .help = "decoder layers (num_hidden_layers)", .offset = offsetof(sip_model_shape_t, layers)},
    {.key = "hidden", .type = SIP__F_INT, .required = true, .min = 1, .max = 1048576,
     .help = "model width (hidden_size)", .offset = offsetof(sip_model_shape_t, hidden)},
    {.key = "heads", .type = SIP__F_INT, .required = true, .min = 1, .max = 65536,
     .help = "query heads (num_attention_heads)", .offset = offsetof(sip_model_shape_t, heads)},
    {.key = "kv_heads", .type = SIP__F_INT, .required = true, .min = 1, .max = 65536,
     .help = "key/value heads (num_key_value_heads); must divide heads",
     .offset = offsetof(sip_model_shape_t, kv_heads)},
    {.key = "head_dim", .type = SIP__F_INT, .min = 1, .max = 65536,
     .help = "width of one head; default hidden / heads", .offset = offsetof(sip_model_shape_t, head_dim)},
    {.key = "ffn", .type = SIP__F_INT, .required = true, .min = 1, .max = 16777216,
     .help = "FFN inner width (intermediate_size)", .offset = offsetof(sip_model_shape_t, ffn)},
    {.key = "ffn_kind", .type = SIP__F_ENUM, .help = "gated (SwiGLU: gate, up, down) or plain "
     "(up, down); default gated", .offset = offsetof(sip_model_shape_t, gated_ffn),
     .names = ffn_kind_names, .n_names = 2, .store = SIP__ENUM_BOOL},
    {.key = "vocab", .type = SIP__F_INT, .required = true, .min = 1, .max = 16777216,
     .help = "vocabulary size (vocab_size)", .offset = offsetof(sip_model_shape_t, vocab)},
    {.key = "embeddings", .type = SIP__F_ENUM, .help = "separate (embedding and LM head) or tied "
     "(tie_word_embeddings); default separate", .offset = offsetof(sip_model_shape_t, tied_embeddings),
     .names = embedding_names, .n_names = 2, .store = SIP__ENUM_BOOL},
    {.key = "precision", .type = SIP__F_ENUM, .required = true, .help = "precision of the released "
     "weights (torch_dtype); the workload's precision sets the compute", .offset =
     offsetof(sip_model_shape_t, precision), .names = precision_names, .n_names = SIP_PREC_COUNT,
     .store = SIP__ENUM_INT},    {.key = "experts", .type = SIP__F_INT, .min = 0, .max = 65536, .help = "routed experts of an "
     "MoE FFN (n_routed_experts / num_local_experts); default 0 = dense",
     .offset = offsetof(sip_model_shape_t, n_experts)},
    {.key = "experts_per_token", .type = SIP__F_INT, .min = 0, .max = 65536, .help = "experts a "
     "token is routed to (num_experts_per_tok)", .offset = offsetof(sip_model_shape_t, experts_per_token)},
    {.key = "moe_ffn", .type = SIP__F_INT, .min = 0, .max = 16777216, .help = "intermediate size "
     "of one expert (moe_intermediate_size); default ffn", .offset = offsetof(sip_model_shape_t, moe_ffn)},
    {.key = "shared_experts", .type = SIP__F_INT, .min = 0, .max = 65536, .help = "always-on "
     "experts of moe_ffn (n_shared_experts); default 0", .offset = offsetof(sip_model_shape_t, shared_experts)},
    {.key = "dense_layers", .type = SIP__F_INT, .min = 0, .max = 10000, .help = "first layers "
     "with the dense FFN of ffn (first_k_dense_replace); default 0",
     .offset = offsetof(sip_model_shape_t, dense_layers)},
    {.key = "q_lora_rank", .type = SIP__F_INT, .min = 0, .max = 1048576, .help = "MLA query "
     "bottleneck (q_lora_rank); default 0 = a full query projection",
     .offset = offsetof(sip_model_shape_t, q_lora_rank)},
    {.key = "kv_lora_rank", .type = SIP__F_INT, .min = 0, .max = 1048576, .help = "MLA latent "
     "cached per token (kv_lora_rank); default 0 = GQA attention; head_dim is then "
     "qk_nope_head_dim", .offset = offsetof(sip_model_shape_t, kv_lora_rank)},
    {.key = "qk_rope_dim", .type = SIP__F_INT, .min = 0, .max = 65536, .help = "MLA decoupled "
     "RoPE key width (qk_rope_head_dim)", .offset = offsetof(sip_model_shape_t, qk_rope_dim)},
    {.key = "v_head_dim", .type = SIP__F_INT, .min = 0, .max = 65536, .help = "MLA value head "
     "width (v_head_dim); default head_dim", .offset = offsetof(sip_model_shape_t, v_head_dim)},
    {.key = "sliding_window", .type = SIP__F_INT, .min = 0, .max = 1073741824, .help = "keys a "
     "query attends to (sliding_window); default 0 = all",
     .offset = offsetof(sip_model_shape_t, sliding_window)},
};

static sip_status_t model_finish(const sip__cfg_ctx_t *cx, const config_setting_t *group, void *obj)
{
    sip_model_shape_t *s = obj;
    if (s->heads % s->kv_heads != 0)
        return sip__fail(cx, sip__member(group, "kv_heads"), SIP_EINVAL,
                         "kv_heads %d does not divide heads %d (expected a whole number of query "
                         "heads per KV head)", s->kv_heads, s->heads);
    if (s->head_dim == 0) {
        if (s->hidden % s->heads != 0)
            return sip__fail(cx, sip__member(group, "heads"), SIP_EINVAL,
                             "heads %d does not divide hidden %d (expected head_dim = ... when "
                             "the heads are not hidden / heads wide)", s->heads, s->hidden);
        s->head_dim = s->hidden / s->heads;
    }
    if (s->n_experts > 0 && (s->experts_per_token < 1 || s->experts_per_token > s->n_experts))
        return sip__fail(cx, sip__member(group, "experts"), SIP_EINVAL,
                         "experts %d with experts_per_token %d (expected 1 .. experts)",
                         s->n_experts, s->experts_per_token);
    if (s->n_experts > 0 && s->moe_ffn == 0)
        s->moe_ffn = s->ffn;
    if (s->n_experts == 0 && (s->experts_per_token || s->shared_experts || s->dense_layers))
        return sip__fail(cx, sip__member(group, "experts_per_token") ? sip__member(group,
                         "experts_per_token") : group, SIP_EINVAL,
                         "expert settings without experts (expected experts = N)");
    if (s->kv_lora_rank > 0 && s->v_head_dim == 0)
        s->v_head_dim = s->head_dim;
    if (s->kv_lora_rank == 0 && (s->q_lora_rank || s->qk_rope_dim || s->v_head_dim))
        return sip__fail(cx, group, SIP_EINVAL, "MLA widths without kv_lora_rank (expected "
                         "kv_lora_rank = N for multi-head latent attention)");
    return SIP_OK;
}

static const sip__schema_t schema_model = {
    .name = "model", .title = "a model file (models/NAME.cfg): a transformer decoder shape",
    .fields = model_fields, .n_fields = (int)(sizeof model_fields / sizeof model_fields[0]),
    .line_offset = NONE, .finish = model_finish,
};

/* Model names become file names: the chiplet type alphabet. */
static bool valid_model_name(const char *name)
{
    if (!name[0] || name[0] == '.' || strlen(name) >= SIP_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

sip_status_t sip_model_shape_load(const char *path, sip_model_shape_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    char stem[SIP_PATH_MAX];
    sip__path_stem(path, stem, sizeof stem);
    if (!valid_model_name(stem))
        return sip_error_set(err, SIP_EINVAL, path, 0,
                             "model file name '%s' is not a model name (expected NAME.cfg, NAME "
                             "of letters, digits, '_', '-', '.', at most %d characters)",
                             stem, SIP_NAME_MAX - 1);
    if (strlen(path) >= sizeof out->path)
        return sip_error_set(err, SIP_EINVAL, path, 0, "model path too long (expected at most "
                             "%d characters)", (int)sizeof out->path - 1);
    sip_model_shape_t s;
    memset(&s, 0, sizeof s);
    s.gated_ffn = true;
    config_t cfg;
    config_init(&cfg);
    sip__cfg_ctx_t cx = {.path = path, .err = err};
    sip_status_t st = sip__config_read(&cfg, path, NULL, err);
    if (st == SIP_OK) {
        const config_setting_t *root = config_root_setting(&cfg);
        if (config_setting_length(root) == 0)
            st = sip__fail(&cx, root, SIP_EINVAL, "empty file (expected a model: layers, hidden, "
                           "heads, kv_heads, ffn, vocab, precision)");
        else
            st = sip__parse_group(&cx, root, &schema_model, &s, false);
    }
    config_destroy(&cfg);
    if (st != SIP_OK)
        return st;
    snprintf(s.name, sizeof s.name, "%.*s", (int)sizeof s.name - 1, stem); /* checked above */
    snprintf(s.path, sizeof s.path, "%s", path);
    *out = s;
    return SIP_OK;
}

/* ------------------------------------------------------------------ search */

static bool is_file(const char *path)
{
    return access(path, F_OK) == 0;
}

/* The folders searched for NAME.cfg, in order: models/ beside `from`, in its parent and its
 * grandparent (topologies/x.cfg and topologies/reference/x.cfg both find models/), then the
 * installed data folder. */
static int search_dirs(const char *from, char dirs[N_DEFAULT_DIRS][SIP_PATH_MAX])
{
    int n = 0;
    if (from && from[0]) {
        char dir[SIP_PATH_MAX], up[SIP_PATH_MAX];
        sip__path_dir(from, dir, sizeof dir);
        for (int level = 0; level < 3; level++) {
            int w = snprintf(dirs[n], SIP_PATH_MAX, "%s/models", dir);
            if (w > 0 && w < SIP_PATH_MAX)
                n++;
            size_t len = strlen(dir);
            if (strcmp(dir, ".") == 0)
                snprintf(up, sizeof up, "..");
            else if (strcmp(dir, "..") == 0 || (len >= 3 && strcmp(dir + len - 3, "/..") == 0))
                snprintf(up, sizeof up, "%.*s/..", (int)(sizeof up - 4), dir);
            else
                sip__path_dir(dir, up, sizeof up);
            memcpy(dir, up, sizeof dir);
        }
    }
    snprintf(dirs[n++], SIP_PATH_MAX, "%s", SIP_DATADIR "/models");
    return n;
}

static sip_status_t not_found(const char *model, const char *from, int from_line,
                              char dirs[N_DEFAULT_DIRS][SIP_PATH_MAX], int n_dirs, sip_error_t *err)
{
    const char *cand[MAX_CANDIDATES];
    char (*stems)[SIP_NAME_MAX] = malloc(MAX_CANDIDATES * sizeof *stems);
    int n = 0;
    n = sip__cfg_stems(dirs, n_dirs, stems, cand, n, MAX_CANDIDATES);
    const char *near = sip__closest(model, cand, n);
    char searched[4 * SIP_PATH_MAX];
    size_t used = 0;
    searched[0] = '\0';
    for (int d = 0; d < n_dirs && used < sizeof searched; d++) {
        int w = snprintf(searched + used, sizeof searched - used, "%s%s", d ? ", " : "", dirs[d]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    sip_status_t st;
    if (near)
        st = sip_error_set(err, SIP_ENOTFOUND, from, from_line,
                           "unknown model '%s' (did you mean '%s'? searched %s)", model, near,
                           searched);
    else {
        /* Name what there is: the stems found, in search order. */
        char names[512];
        size_t un = 0;
        names[0] = '\0';
        for (int i = 0; i < n && un < sizeof names; i++) {
            int w = snprintf(names + un, sizeof names - un, "%s%s", i ? ", " : "", cand[i]);
            if (w < 0)
                break;
            un += (size_t)w;
        }
        st = sip_error_set(err, SIP_ENOTFOUND, from, from_line,
                           "unknown model '%s' (expected one of: %s; or a path to a model file; "
                           "searched %s)", model, n ? names : "none found", searched);
    }
    free(stems);
    return st;
}

static bool is_json(const char *path)
{
    size_t len = strlen(path);
    return len > 5 && strcmp(path + len - 5, ".json") == 0;
}

/* A model file, or a Hugging Face config.json (src/kernels/import_hf.c). */
static sip_status_t load_any(const char *path, sip_model_shape_t *out, sip_error_t *err)
{
    size_t len = strlen(path);
    if (len > 5 && strcmp(path + len - 5, ".onnx") == 0)
        return sip_error_set(err, SIP_EUNSUPPORTED, path, 0,
                             "an ONNX graph is a kernel sequence, not a decoder shape (expected "
                             "`sipsim perf FILE --model-file %s`, or a .cfg or config.json here)",
                             path);
    if (!is_json(path))
        return sip_model_shape_load(path, out, err);
    sip_hf_config_t hf;
    SIP_TRY(sip_hf_config_load(path, &hf, err));
    *out = hf.shape;
    return SIP_OK;
}

sip_status_t sip_model_shape_find(const char *model, const char *from, int from_line,
                                  sip_model_shape_t *out, sip_error_t *err)
{
    size_t len = strlen(model);
    char file[SIP_PATH_MAX + SIP_NAME_MAX + 16];
    if (strchr(model, '/') || (len > 4 && strcmp(model + len - 4, ".cfg") == 0) || is_json(model) ||
        (len > 5 && strcmp(model + len - 5, ".onnx") == 0)) {
        /* An explicit path: relative to the file that names it, else as given. */
        if (model[0] != '/' && from && from[0]) {
            char dir[SIP_PATH_MAX];
            sip__path_dir(from, dir, sizeof dir);
            int w = snprintf(file, sizeof file, "%s/%s", dir, model);
            if (w > 0 && (size_t)w < sizeof file && is_file(file))
                return load_any(file, out, err);
        }
        if (is_file(model))
            return load_any(model, out, err);
        return sip_error_set(err, SIP_ENOTFOUND, from, from_line,
                             "model file '%s' not found (expected a path relative to %s or to "
                             "the working folder)", model, from && from[0] ? from : "the package");
    }
    if (!valid_model_name(model))
        return sip_error_set(err, SIP_EINVAL, from, from_line,
                             "'%s' is not a model name (expected letters, digits, '_', '-', '.', "
                             "not starting with '.', or a path ending in .cfg)", model);
    char dirs[N_DEFAULT_DIRS][SIP_PATH_MAX];
    int n_dirs = search_dirs(from, dirs);
    for (int d = 0; d < n_dirs; d++) {
        int w = snprintf(file, sizeof file, "%s/%s.cfg", dirs[d], model);
        if (w > 0 && (size_t)w < sizeof file && is_file(file))
            return sip_model_shape_load(file, out, err);
    }
    return not_found(model, from, from_line, dirs, n_dirs, err);
}
