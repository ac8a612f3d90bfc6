/* A whole sweep as JSON lines in memory, for callers that want rows rather than files (the Python
 * binding's sipsim.sweep → pandas.DataFrame).  It runs sip_sweep_run unchanged — same threads,
 * ordering and row text — into a private temporary folder, reads the rows back and marks each
 * with "pareto", then removes the folder.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/sweep.h"
#include "sipsim/version.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The files sip_sweep_run writes for a prefix (run.c). */
static const char *const run_file_suffixes[] = {".csv", ".jsonl", ".meta.json", ".pareto.csv",
                                                ".pareto.jsonl", ".meta.json.tmp"};

static bool looks_like_text(const char *s)
{
    return strchr(s, '\n') != NULL || strchr(s, '=') != NULL;
}

static sip_status_t parse_options(const char *options_json, sip_sweep_run_options_t *opt,
                                  sip_error_t *err)
{
    if (!options_json || !*options_json)
        return SIP_OK;
    json_error_t je;
    json_t *root = json_loads(options_json, 0, &je);
    sip_status_t st = SIP_OK;
    if (!root || !json_is_object(root)) {
        st = sip_error_set(err, SIP_EINVAL, "<options>", root ? 0 : je.line,
                           "sweep options must be a JSON object%s%s", root ? "" : ": ",
                           root ? "" : je.text);
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "threads") == 0 && json_is_integer(v) && json_integer_value(v) >= 0 &&
            json_integer_value(v) <= 4096) {
            opt->threads = (int)json_integer_value(v);
        } else if (strcmp(key, "limit") == 0 && json_is_integer(v) && json_integer_value(v) >= 0) {
            opt->limit = (uint64_t)json_integer_value(v);
        } else if (strcmp(key, "shard") == 0 && json_is_string(v)) {
            int k = 0, n = 0;
            char tail;
            if (sscanf(json_string_value(v), "%d/%d%c", &k, &n, &tail) != 2 || n < 1 || k < 1 ||
                k > n) {
                st = sip_error_set(err, SIP_EINVAL, "<options>", 0,
                                   "shard: '%s' (expected K/N with 1 <= K <= N)",
                                   json_string_value(v));
                goto out;
            }
            opt->shard_index = k;
            opt->shard_count = n;
        } else {
            bool known = strcmp(key, "threads") == 0 || strcmp(key, "limit") == 0 ||
                         strcmp(key, "shard") == 0;
            st = sip_error_set(err, known ? SIP_EINVAL : SIP_ENOTFOUND, "<options>", 0,
                               "%s sweep option '%s' (expected threads: integer >= 0, limit: "
                               "integer >= 0, shard: \"K/N\")",
                               known ? "mistyped" : "unknown", key);
            goto out;
        }
    }
out:
    json_decref(root);
    return st;
}

static sip_status_t slurp(const char *path, char **out, sip_error_t *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot read: %s", strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    sip_status_t st = SIP_OK;
    for (;;) {
        if (!buf) {
            st = sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory reading rows");
            goto out;
        }
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        cap *= 2;
        char *grown = realloc(buf, cap);
        if (!grown)
            free(buf);
        buf = grown;
    }
    if (ferror(f)) {
        st = sip_error_set(err, SIP_EIO, path, 0, "read error");
        goto out;
    }
    buf[len] = '\0';
    *out = buf;
    buf = NULL;
out:
    free(buf);
    fclose(f);
    return st;
}

/* The rows as JSON objects, each marked "pareto": on the front of the spec's objectives among the
 * feasible rows returned.  That is the front of the rows in hand — also for a run cut short by
 * "limit", where sip_sweep_run writes no front file (its front is of the whole sweep). */
static sip_status_t mark_rows(const sip_sweep_spec_t *spec, const char *rows, char **out,
                              sip_error_t *err)
{
    json_t *all = json_array();
    double *obj = NULL;
    int64_t *pos = NULL, *front = NULL;
    char *buf = NULL;
    sip_status_t st = SIP_OK;
    if (!all)
        return sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
    for (const char *line = rows; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const char *start = line;
        line += n + (end ? 1 : 0);
        if (n == 0)
            continue;
        json_error_t je;
        json_t *row = json_loadb(start, n, 0, &je);
        if (!json_is_object(row) || json_array_append_new(all, row) != 0) {
            st = sip_error_set(err, SIP_EINTERNAL, "<sweep>", 0, "sweep row is not JSON: %s",
                               je.text);
            goto out;
        }
    }
    size_t n_rows = json_array_size(all);
    int k = spec->n_objectives;
    obj = malloc((n_rows * (size_t)k + 1) * sizeof *obj);
    pos = malloc((n_rows + 1) * sizeof *pos);
    front = malloc((n_rows + 1) * sizeof *front);
    if (!obj || !pos || !front) {
        st = sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
        goto out;
    }
    int64_t n_feasible = 0;
    for (size_t r = 0; r < n_rows; r++) {
        json_t *row = json_array_get(all, r);
        json_object_set_new(row, "pareto", json_false());
        if (k == 0 || !json_is_true(json_object_get(row, "feasible")))
            continue;
        json_t *metrics = json_object_get(row, "metrics");
        for (int j = 0; j < k; j++) {
            json_t *v = json_object_get(metrics, sip_sweep_metric(spec->objectives[j].metric)->name);
            obj[n_feasible * k + j] = json_is_number(v) ? json_number_value(v) : NAN;
        }
        pos[n_feasible++] = (int64_t)r;
    }
    bool maximize[SIP_SWEEP_MAX_OBJECTIVES];
    for (int j = 0; j < k; j++)
        maximize[j] = spec->objectives[j].maximize;
    int64_t n_front = k > 0 ? sip_pareto_front(obj, n_feasible, k, maximize, front) : 0;
    if (n_front < 0) {
        st = sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
        goto out;
    }
    for (int64_t f = 0; f < n_front; f++)
        json_object_set_new(json_array_get(all, (size_t)pos[front[f]]), "pareto", json_true());
    size_t cap = strlen(rows) + 16 * n_rows + 64, len = 0;
    if (!(buf = malloc(cap))) {
        st = sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
        goto out;
    }
    buf[0] = '\0';
    for (size_t r = 0; r < n_rows; r++) {
        char *text = json_dumps(json_array_get(all, r), JSON_COMPACT | JSON_PRESERVE_ORDER);
        size_t tl = text ? strlen(text) : 0;
        char *grown = text && len + tl + 2 > cap ? realloc(buf, cap = (len + tl + 2) * 2) : buf;
        if (!text || !grown) {
            free(text);
            st = sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
            goto out;
        }
        buf = grown;
        memcpy(buf + len, text, tl);
        len += tl;
        buf[len++] = '\n';
        buf[len] = '\0';
        free(text);
    }
    *out = buf;
    buf = NULL;
out:
    free(buf);
    free(obj);
    free(pos);
    free(front);
    json_decref(all);
    return st;
}

sip_status_t sip_sweep_run_json(const char *spec_path_or_text, const char *options_json,
                                char **jsonl_out, sip_error_t *err)
{
    sip_sweep_spec_t *spec = NULL;
    char dir[SIP_PATH_MAX];
    bool have_dir = false;
    char prefix[SIP_PATH_MAX + 16];
    char *rows = NULL;
    sip_status_t st;

    if (!jsonl_out || !spec_path_or_text) {
        st = sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_sweep_run_json: NULL argument");
        goto out;
    }
    *jsonl_out = NULL;
    sip_sweep_run_options_t opt;
    sip_sweep_run_options_init(&opt);
    if ((st = parse_options(options_json, &opt, err)) != SIP_OK)
        goto out;
    st = looks_like_text(spec_path_or_text)
             ? sip_sweep_spec_load_string(spec_path_or_text, "<text>", NULL, &spec, err)
             : sip_sweep_spec_load(spec_path_or_text, NULL, &spec, err);
    if (st != SIP_OK)
        goto out;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > SIP_PATH_MAX - 64)
        tmp = "/tmp";
    snprintf(dir, sizeof dir, "%s/sipsim-sweep-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        st = sip_error_set(err, SIP_EIO, dir, 0, "cannot create a temporary folder: %s",
                           strerror(errno));
        goto out;
    }
    have_dir = true;
    snprintf(prefix, sizeof prefix, "%s/sweep", dir);
    opt.prefix = prefix;
    sip_sweep_summary_t summary;
    if ((st = sip_sweep_run(spec, &opt, &summary, err)) != SIP_OK)
        goto out;
    char path[SIP_PATH_MAX + 48];
    snprintf(path, sizeof path, "%s.jsonl", prefix);
    if ((st = slurp(path, &rows, err)) != SIP_OK)
        goto out;
    st = mark_rows(spec, rows, jsonl_out, err);
out:
    if (have_dir) {
        for (size_t i = 0; i < sizeof run_file_suffixes / sizeof *run_file_suffixes; i++) {
            char path2[SIP_PATH_MAX + 48];
            snprintf(path2, sizeof path2, "%s%s", prefix, run_file_suffixes[i]);
            unlink(path2);
        }
        rmdir(dir);
    }
    free(rows);
    sip_sweep_spec_destroy(spec);
    return st;
}
