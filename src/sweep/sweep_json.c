/* A whole sweep as JSON lines in memory, for callers that want rows rather than files (the Python
 * binding's sipsim.sweep → pandas.DataFrame).  It runs sip_sweep_run unchanged — same threads,
 * ordering, Pareto front and row text — into a private temporary folder, reads the rows back and
 * marks each with "pareto", then removes the folder.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/sweep.h"
#include "sipsim/version.h"

#include <errno.h>
#include <jansson.h>
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
            st = sip_error_set(err, SIP_EINVAL, "<options>", 0,
                               "unknown or mistyped sweep option '%s' (expected threads: integer "
                               ">= 0, limit: integer >= 0, shard: \"K/N\")",
                               key);
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

/* Ids of the Pareto rows, as a JSON object used as a set. */
static sip_status_t pareto_ids(const char *text, json_t *ids, sip_error_t *err)
{
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n > 0) {
            json_error_t je;
            json_t *row = json_loadb(line, n, 0, &je);
            json_t *id = row ? json_object_get(row, "id") : NULL;
            if (!json_is_integer(id)) {
                json_decref(row);
                return sip_error_set(err, SIP_EINTERNAL, "<sweep>", 0,
                                     "Pareto row without an integer id: %s", je.text);
            }
            char key[32];
            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
            json_object_set_new(ids, key, json_true());
            json_decref(row);
        }
        line += n + (end ? 1 : 0);
    }
    return SIP_OK;
}

static sip_status_t mark_rows(const char *rows, const json_t *pareto, char **out, sip_error_t *err)
{
    size_t cap = strlen(rows) + 64, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
    buf[0] = '\0';
    sip_status_t st = SIP_OK;
    for (const char *line = rows; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        line += n + (end ? 1 : 0);
        if (n == 0)
            continue;
        json_error_t je;
        json_t *row = json_loadb(line - n - (end ? 1 : 0), n, 0, &je);
        json_t *id = row ? json_object_get(row, "id") : NULL;
        if (!json_is_integer(id)) {
            json_decref(row);
            st = sip_error_set(err, SIP_EINTERNAL, "<sweep>", 0, "sweep row is not JSON: %s",
                               je.text);
            goto out;
        }
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
        json_object_set_new(row, "pareto", json_boolean(json_object_get(pareto, key) != NULL));
        char *text = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(row);
        if (!text) {
            st = sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
            goto out;
        }
        size_t tl = strlen(text);
        if (len + tl + 2 > cap) {
            cap = (len + tl + 2) * 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(text);
                st = sip_error_set(err, SIP_ENOMEM, "<sweep>", 0, "out of memory");
                goto out;
            }
            buf = grown;
        }
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
    return st;
}

sip_status_t sip_sweep_run_json(const char *spec_path_or_text, const char *options_json,
                                char **jsonl_out, sip_error_t *err)
{
    sip_sweep_spec_t *spec = NULL;
    char dir[SIP_PATH_MAX];
    bool have_dir = false;
    char prefix[SIP_PATH_MAX + 16];
    char *rows = NULL, *front = NULL;
    json_t *pareto = json_object();
    sip_status_t st;

    if (!jsonl_out || !spec_path_or_text) {
        st = sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_sweep_run_json: NULL argument");
        goto out;
    }
    *jsonl_out = NULL;
    if (!pareto) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
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
    snprintf(path, sizeof path, "%s.pareto.jsonl", prefix);
    if (access(path, R_OK) == 0) {
        if ((st = slurp(path, &front, err)) != SIP_OK || (st = pareto_ids(front, pareto, err)) != SIP_OK)
            goto out;
    }
    snprintf(path, sizeof path, "%s.jsonl", prefix);
    if ((st = slurp(path, &rows, err)) != SIP_OK)
        goto out;
    st = mark_rows(rows, pareto, jsonl_out, err);
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
    free(front);
    json_decref(pareto);
    sip_sweep_spec_destroy(spec);
    return st;
}
