/* Pareto fronts: the non-dominated rows of a sweep under min/max objectives.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/sweep_internal.h"

typedef struct {
    const double *v;
    int k;
    const bool *maxi;
} order_ctx_t;

static double val(const order_ctx_t *c, int64_t i, int j)
{
    double x = c->v[i * c->k + j];
    return c->maxi && c->maxi[j] ? -x : x;
}

/* qsort has no context argument in C11: sort an index array with an explicit merge sort. */
static int cmp_points(const order_ctx_t *c, int64_t a, int64_t b)
{
    for (int j = 0; j < c->k; j++) {
        double x = val(c, a, j), y = val(c, b, j);
        if (x < y)
            return -1;
        if (x > y)
            return 1;
    }
    return a < b ? -1 : a > b;
}

static void merge_sort(const order_ctx_t *c, int64_t *idx, int64_t *tmp, int64_t n)
{
    if (n < 2)
        return;
    int64_t h = n / 2;
    merge_sort(c, idx, tmp, h);
    merge_sort(c, idx + h, tmp, n - h);
    int64_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = cmp_points(c, idx[i], idx[j]) <= 0 ? idx[i++] : idx[j++];
    while (i < h)
        tmp[o++] = idx[i++];
    while (j < n)
        tmp[o++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int sip_pareto_front(const double *values, int64_t n, int k, const bool *maximize, int64_t *front)
{
    if (n <= 0 || k <= 0)
        return 0;
    order_ctx_t c = {values, k, maximize};
    int64_t *idx = malloc((size_t)n * sizeof *idx), *tmp = malloc((size_t)n * sizeof *tmp);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return -1;
    }
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        bool ok = true;
        for (int j = 0; j < k && ok; j++)
            ok = isfinite(values[i * k + j]);
        if (ok)
            idx[m++] = i;
    }
    /* In lexicographic order no point can dominate one before it, so a single pass against the
     * front found so far decides each point. */
    merge_sort(&c, idx, tmp, m);
    int64_t nf = 0;
    for (int64_t s = 0; s < m; s++) {
        int64_t p = idx[s];
        bool dominated = false;
        for (int64_t f = 0; f < nf && !dominated; f++) {
            int64_t q = front[f];
            bool le = true, lt = false;
            for (int j = 0; j < k && le; j++) {
                double a = val(&c, q, j), b = val(&c, p, j);
                le = a <= b;
                lt |= a < b;
            }
            dominated = le && lt;
        }
        if (!dominated)
            front[nf++] = p;
    }
    qsort(front, (size_t)nf, sizeof *front, cmp_i64);
    free(idx);
    free(tmp);
    return (int)nf;
}

/* ------------------------------------------------------------------ result files */

typedef struct {
    uint64_t id;
    char *line;
} kept_t;

static int cmp_kept(const void *a, const void *b)
{
    uint64_t x = ((const kept_t *)a)->id, y = ((const kept_t *)b)->id;
    return (x > y) - (x < y);
}

sip_status_t sip_pareto_results(const char *const *paths, int n_paths,
                                const sip_sweep_objective_t *objectives, int k, FILE *out,
                                int64_t *n_front, sip_error_t *err)
{
    if (n_front)
        *n_front = 0;
    if (k < 1 || k > SIP_SWEEP_MAX_OBJECTIVES)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "%d objectives (expected 1 .. %d)", k,
                             SIP_SWEEP_MAX_OBJECTIVES);
    kept_t *rows = NULL;
    double *vals = NULL;
    int64_t n = 0, cap = 0;
    sip_status_t st = SIP_OK;
    char *line = NULL;
    size_t line_cap = 0;
    for (int f = 0; f < n_paths && st == SIP_OK; f++) {
        FILE *in = fopen(paths[f], "rb");
        if (!in) {
            st = sip_error_set(err, SIP_EIO, paths[f], 0, "cannot open: %s", strerror(errno));
            break;
        }
        int lineno = 0;
        ssize_t len;
        while (st == SIP_OK && (len = getline(&line, &line_cap, in)) > 0) {
            lineno++;
            if (line[len - 1] != '\n')
                break; /* a partial last line of an interrupted run */
            json_error_t je;
            json_t *o = json_loadb(line, (size_t)len, 0, &je);
            json_t *id = o ? json_object_get(o, "id") : NULL;
            if (!o || !json_is_integer(id)) {
                st = sip_error_set(err, SIP_EPARSE, paths[f], lineno, "not a sweep result row (%s)",
                                   o ? "no id" : je.text);
                json_decref(o);
                break;
            }
            if (!json_is_true(json_object_get(o, "feasible"))) {
                json_decref(o);
                continue;
            }
            if (n == cap) {
                int64_t c2 = cap ? 2 * cap : 1024;
                kept_t *r = realloc(rows, (size_t)c2 * sizeof *r);
                double *v = r ? realloc(vals, (size_t)c2 * (size_t)k * sizeof *v) : NULL;
                if (r)
                    rows = r;
                if (!r || !v) {
                    st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
                    json_decref(o);
                    break;
                }
                vals = v;
                cap = c2;
            }
            json_t *m = json_object_get(o, "metrics");
            for (int j = 0; j < k; j++) {
                const char *name = sip_sweep_metric(objectives[j].metric)->name;
                json_t *v = json_object_get(m, name);
                if (!v) {
                    st = sip_error_set(err, SIP_EINVAL, paths[f], lineno, "row has no metric '%s' "
                                       "(expected a sweep run with that metric's engine)", name);
                    break;
                }
                vals[n * k + j] = json_is_number(v) ? json_number_value(v) : NAN;
            }
            rows[n].id = (uint64_t)json_integer_value(id);
            rows[n].line = st == SIP_OK ? strdup(line) : NULL;
            json_decref(o);
            if (st == SIP_OK && !rows[n].line)
                st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
            if (st == SIP_OK)
                n++;
        }
        fclose(in);
    }
    free(line);
    int64_t *front = NULL;
    if (st == SIP_OK) {
        front = malloc((size_t)(n ? n : 1) * sizeof *front);
        bool maxi[SIP_SWEEP_MAX_OBJECTIVES];
        for (int j = 0; j < k; j++)
            maxi[j] = objectives[j].maximize;
        int64_t nf = front ? sip_pareto_front(vals, n, k, maxi, front) : -1;
        if (nf < 0) {
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        } else {
            kept_t *sel = malloc((size_t)(nf ? nf : 1) * sizeof *sel);
            if (!sel) {
                st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
            } else {
                for (int64_t i = 0; i < nf; i++)
                    sel[i] = rows[front[i]];
                qsort(sel, (size_t)nf, sizeof *sel, cmp_kept);
                for (int64_t i = 0; i < nf; i++)
                    fputs(sel[i].line, out);
                free(sel);
                if (n_front)
                    *n_front = nf;
            }
        }
    }
    for (int64_t i = 0; i < n; i++)
        free(rows[i].line);
    free(rows);
    free(vals);
    free(front);
    return st;
}

sip_status_t sip_sweep_meta_objectives(const char *results_path, sip_sweep_objective_t *objectives,
                                       int max, int *n, sip_error_t *err)
{
    *n = 0;
    char meta[SIP_PATH_MAX];
    snprintf(meta, sizeof meta, "%s", results_path);
    static const char *const ends[] = {".pareto.jsonl", ".pareto.csv", ".jsonl", ".csv"};
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(meta), e = strlen(ends[i]);
        if (l > e && strcmp(meta + l - e, ends[i]) == 0) {
            meta[l - e] = '\0';
            break;
        }
    }
    if (strlen(meta) + 11 >= sizeof meta)
        return sip_error_set(err, SIP_EINVAL, results_path, 0, "path too long");
    strcat(meta, ".meta.json");
    json_error_t je;
    json_t *o = json_load_file(meta, 0, &je);
    if (!o)
        return sip_error_set(err, SIP_ENOTFOUND, meta, je.line > 0 ? je.line : 0, "%s", je.text);
    json_t *objs = json_object_get(o, "objectives");
    sip_status_t st = SIP_OK;
    for (size_t i = 0; i < json_array_size(objs) && st == SIP_OK; i++) {
        const char *text = json_string_value(json_array_get(objs, i));
        if (!text || *n >= max)
            st = sip_error_set(err, SIP_EINVAL, meta, 0, "bad objectives (expected at most %d "
                               "strings)", max);
        else if ((st = sip_sweep_objective_parse(text, meta, 0, &objectives[*n], err)) == SIP_OK)
            (*n)++;
    }
    json_decref(o);
    return st;
}
