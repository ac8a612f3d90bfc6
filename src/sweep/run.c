/* Running a sweep: worker threads evaluate variants, one writer streams rows in variant order.
 *
 * Durability: rows reach the files (write(2), the kernel's page cache) as soon as every earlier
 * row of the shard is done, one write per file and batch, so a process killed at any moment
 * leaves whole rows for a prefix of the variants plus at most one partial line per file.
 * --resume counts the complete lines of both files, truncates both to the shorter count and
 * continues from there; rows are a pure function of (spec, id), so the finished files equal an
 * uninterrupted run's byte for byte (the "result set" is the files themselves).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sweep/sweep_internal.h"

typedef struct {
    bool ready;
    bool valid, feasible;
    char *csv, *json;
    size_t csv_len, json_len, csv_cap, json_cap;
    double obj[SIP_SWEEP_MAX_OBJECTIVES];
} slot_t;

struct sip__writer {
    const sip_sweep_spec_t *spec;
    sip_sweep_run_options_t opt;
    uint64_t total, next, resumed, invalid, feasible;
    int fd_csv, fd_json;
    char path_csv[SIP_PATH_MAX], path_json[SIP_PATH_MAX], path_meta[SIP_PATH_MAX];
    slot_t *slots;
    /* Rows gathered in order and not yet written (pending), and the batch being written by the
     * one thread that claimed the flush (out): writes happen outside the callers' lock. */
    char *batch_csv, *batch_json, *out_csv, *out_json;
    size_t bc_len, bc_cap, bj_len, bj_cap, oc_len, oc_cap, oj_len, oj_cap;
    bool flushing;
    /* feasible rows for the Pareto front: position and objective values */
    uint64_t *front_pos;
    double *front_obj;
    size_t n_front, cap_front;
    double t0, last_progress;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sip_sweep_run_options_init(sip_sweep_run_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->prefix = "sweep";
}

uint64_t sip__writer_next(const sip__writer_t *w)
{
    return w->next;
}

static sip_status_t write_all(int fd, const char *buf, size_t len, const char *path, sip_error_t *err)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return sip_error_set(err, SIP_EIO, path, 0, "cannot write: %s", strerror(errno));
        buf += n;
        len -= (size_t)n;
    }
    return SIP_OK;
}

static sip_status_t read_file(const char *path, char **out, size_t *len, sip_error_t *err)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sip_error_set(err, errno == ENOENT ? SIP_ENOTFOUND : SIP_EIO, path, 0,
                             "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *p = realloc(buf, cap * 2 + 1);
        if (!p) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = p;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return sip_error_set(err, SIP_ENOMEM, path, 0, "cannot allocate a read buffer");
    if (bad) {
        free(buf);
        return sip_error_set(err, SIP_EIO, path, 0, "cannot read");
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SIP_OK;
}

/* ------------------------------------------------------------------ meta file */

/* jansson, compact and in insertion order: a run's meta file has the same bytes as before the
 * writer used it (so --resume of older files works) and any spec name stays valid JSON. */
static sip_status_t meta_text(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt,
                              char **b, size_t *l, size_t *c)
{
    char fp[32], text[SIP_NAME_MAX + 160];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)spec->fingerprint);
    json_t *name = json_string(spec->name);
    json_t *o = json_pack("{s:o, s:s, s:I, s:[i, i]}", "name", name ? name : json_null(),
                          "fingerprint", fp, "variants", (json_int_t)spec->n_variants, "shard",
                          opt->shard_count > 1 ? opt->shard_index : 1,
                          opt->shard_count > 1 ? opt->shard_count : 1);
    json_t *objectives = json_array(), *constraints = json_array();
    bool ok = o && objectives && constraints;
    for (int i = 0; ok && i < spec->n_objectives; i++) {
        snprintf(text, sizeof text, "%s %s", spec->objectives[i].maximize ? "max" : "min",
                 sip_sweep_metric(spec->objectives[i].metric)->name);
        ok = json_array_append_new(objectives, json_string(text)) == 0;
    }
    for (int i = 0; ok && i < spec->n_constraints; i++) {
        const sip_sweep_constraint_t *k = &spec->constraints[i];
        const char *metric = sip_sweep_metric(k->metric)->name, *op = sip_op_symbol(k->op);
        if (sip_sweep_metric(k->metric)->is_text)
            snprintf(text, sizeof text, "%s %s %s", metric, op, k->word);
        else
            snprintf(text, sizeof text, "%s %s %.17g", metric, op, k->value);
        ok = json_array_append_new(constraints, json_string(text)) == 0;
    }
    if (ok) {
        ok = json_object_set_new(o, "objectives", objectives) == 0;
        objectives = NULL;
    }
    if (ok) {
        ok = json_object_set_new(o, "constraints", constraints) == 0;
        constraints = NULL;
    }
    char *dump = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    json_decref(objectives);
    json_decref(constraints);
    if (!dump)
        return SIP_ENOMEM;
    sip_status_t st = sip__buf_printf(b, l, c, "%s\n", dump);
    free(dump);
    return st;
}

/* ------------------------------------------------------------------ resume */

/* Byte offset just past the n-th complete line (n = count of '\n'), and the count. */
static size_t complete_lines(const char *buf, size_t len, uint64_t *n)
{
    size_t end = 0;
    *n = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n') {
            (*n)++;
            end = i + 1;
        }
    return end;
}

static size_t offset_after_lines(const char *buf, size_t len, uint64_t lines)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < len && seen < lines; i++)
        if (buf[i] == '\n' && ++seen == lines)
            return i + 1;
    return 0;
}

static sip_status_t push_front(sip__writer_t *w, uint64_t pos, const double *obj)
{
    int k = w->spec->n_objectives;
    if (k == 0)
        return SIP_OK;
    if (w->n_front == w->cap_front) {
        size_t cap = w->cap_front ? 2 * w->cap_front : 1024;
        uint64_t *p = realloc(w->front_pos, cap * sizeof *p);
        if (!p)
            return SIP_ENOMEM;
        w->front_pos = p;
        double *o = realloc(w->front_obj, cap * (size_t)k * sizeof *o);
        if (!o)
            return SIP_ENOMEM;
        w->front_obj = o;
        w->cap_front = cap;
    }
    w->front_pos[w->n_front] = pos;
    memcpy(w->front_obj + w->n_front * (size_t)k, obj, (size_t)k * sizeof *obj);
    w->n_front++;
    return SIP_OK;
}

static sip_status_t resume_rows(sip__writer_t *w, sip_error_t *err)
{
    const sip_sweep_spec_t *spec = w->spec;
    char *meta = NULL, *csv = NULL, *json = NULL;
    size_t meta_len, csv_len, json_len;
    sip_status_t st = read_file(w->path_meta, &meta, &meta_len, err);
    if (st == SIP_ENOTFOUND) {
        sip_error_clear(err);
        return SIP_ENOTFOUND; /* nothing to resume: a fresh run */
    }
    if (st != SIP_OK)
        return st;
    char *want = NULL;
    size_t wl = 0, wc = 0;
    st = meta_text(spec, &w->opt, &want, &wl, &wc);
    if (st == SIP_OK && strcmp(want, meta) != 0)
        st = sip_error_set(err, SIP_EINVAL, w->path_meta, 0,
                           "written by another spec, spec version or shard (expected %.*s)",
                           (int)(wl > 0 ? wl - 1 : 0), want);
    free(want);
    free(meta);
    if (st != SIP_OK)
        return st;
    if ((st = read_file(w->path_csv, &csv, &csv_len, err)) != SIP_OK ||
        (st = read_file(w->path_json, &json, &json_len, err)) != SIP_OK) {
        free(csv);
        free(json);
        return st;
    }
    uint64_t n_csv, n_json;
    complete_lines(csv, csv_len, &n_csv);
    complete_lines(json, json_len, &n_json);
    uint64_t rows = n_csv > 0 ? n_csv - 1 : 0; /* CSV line 1 is the header */
    if (n_json < rows)
        rows = n_json;
    if (rows > w->total)
        rows = w->total;
    size_t csv_keep = n_csv > 0 ? offset_after_lines(csv, csv_len, rows + 1) : 0;
    size_t json_keep = offset_after_lines(json, json_len, rows);
    if (rows == 0)
        json_keep = 0;
    /* Recover counts and objective values of the rows kept. */
    const char *p = json;
    int k = spec->n_objectives;
    for (uint64_t pos = 0; pos < rows && st == SIP_OK; pos++) {
        const char *nl = strchr(p, '\n');
        json_error_t je;
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, &je);
        json_t *id = o ? json_object_get(o, "id") : NULL;
        if (!o || !json_is_integer(id) || (uint64_t)json_integer_value(id) != sip__shard_id(&w->opt, pos)) {
            st = sip_error_set(err, SIP_EINVAL, w->path_json, (int)(pos + 1),
                               "row %llu is not variant %llu (expected the rows of this shard in "
                               "order)", (unsigned long long)pos,
                               (unsigned long long)sip__shard_id(&w->opt, pos));
            json_decref(o);
            break;
        }
        bool valid = json_is_true(json_object_get(o, "valid"));
        bool feasible = json_is_true(json_object_get(o, "feasible"));
        w->invalid += !valid;
        w->feasible += feasible;
        if (feasible && k > 0) {
            double obj[SIP_SWEEP_MAX_OBJECTIVES];
            json_t *m = json_object_get(o, "metrics");
            for (int j = 0; j < k; j++) {
                json_t *v = json_object_get(m, sip_sweep_metric(spec->objectives[j].metric)->name);
                obj[j] = json_is_number(v) ? json_number_value(v) : NAN;
            }
            if (push_front(w, pos, obj) != SIP_OK)
                st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        }
        json_decref(o);
        p = nl + 1;
    }
    free(csv);
    free(json);
    if (st != SIP_OK)
        return st;
    if (truncate(w->path_csv, (off_t)csv_keep) != 0 || truncate(w->path_json, (off_t)json_keep) != 0)
        return sip_error_set(err, SIP_EIO, w->path_csv, 0, "cannot truncate: %s", strerror(errno));
    w->next = rows;
    w->resumed = rows;
    if (csv_keep == 0)
        return SIP_ENOTFOUND; /* not even a header: start the files afresh */
    return SIP_OK;
}

sip_status_t sip__writer_open(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt,
                              uint64_t total, sip__writer_t **out, uint64_t *first_pos,
                              sip_error_t *err)
{
    *out = NULL;
    sip__writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate the writer");
    w->spec = spec;
    w->opt = *opt;
    w->total = total;
    w->fd_csv = w->fd_json = -1;
    w->t0 = w->last_progress = now_s();
    w->slots = calloc(SIP__WRITER_WINDOW, sizeof *w->slots);
    sip_status_t st = SIP_OK;
    char *b = NULL;
    size_t l = 0, c = 0;
    if (!w->slots) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate the writer");
        goto out;
    }
    if (opt->no_files)
        goto out;
    const char *pre = opt->prefix ? opt->prefix : "sweep";
    if (snprintf(w->path_csv, SIP_PATH_MAX, "%s.csv", pre) >= SIP_PATH_MAX - 16 ||
        snprintf(w->path_json, SIP_PATH_MAX, "%s.jsonl", pre) < 0 ||
        snprintf(w->path_meta, SIP_PATH_MAX, "%s.meta.json", pre) < 0) {
        st = sip_error_set(err, SIP_EINVAL, pre, 0, "output prefix too long");
        goto out;
    }
    bool fresh = true;
    if (opt->resume) {
        st = resume_rows(w, err);
        fresh = st == SIP_ENOTFOUND;
        if (st != SIP_OK && !fresh)
            goto out;
        if (fresh) {
            w->next = w->resumed = w->invalid = w->feasible = 0;
            w->n_front = 0;
        }
        st = SIP_OK;
    }
    int flags = O_WRONLY | O_CREAT | (fresh ? O_TRUNC : O_APPEND);
    w->fd_csv = open(w->path_csv, flags, 0644);
    w->fd_json = w->fd_csv >= 0 ? open(w->path_json, flags, 0644) : -1;
    if (w->fd_csv < 0 || w->fd_json < 0) {
        st = sip_error_set(err, SIP_EIO, w->fd_csv < 0 ? w->path_csv : w->path_json, 0,
                           "cannot open for writing: %s", strerror(errno));
        goto out;
    }
    if (fresh) {
        /* Meta first (via a temporary file), then the CSV header. */
        char tmp[SIP_PATH_MAX + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", w->path_meta);
        if ((st = meta_text(spec, opt, &b, &l, &c)) != SIP_OK)
            goto out;
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write_all(fd, b, l, tmp, err) != SIP_OK || fsync(fd) != 0 ||
            rename(tmp, w->path_meta) != 0) {
            if (fd >= 0)
                close(fd);
            st = sip_error_set(err, SIP_EIO, w->path_meta, 0, "cannot write: %s", strerror(errno));
            goto out;
        }
        close(fd);
        l = 0;
        if ((st = sip_sweep_csv_header(spec, &b, &l, &c)) != SIP_OK ||
            (st = write_all(w->fd_csv, b, l, w->path_csv, err)) != SIP_OK)
            goto out;
    }
out:
    free(b);
    if (st != SIP_OK) {
        sip__writer_destroy(w);
        return st;
    }
    *first_pos = w->next;
    *out = w;
    return SIP_OK;
}

static void report(sip__writer_t *w, bool force)
{
    if (!w->opt.progress)
        return;
    double t = now_s();
    double every = w->opt.progress_interval_s > 0 ? w->opt.progress_interval_s : 0.2;
    if (!force && t - w->last_progress < every)
        return;
    w->last_progress = t;
    sip_sweep_progress_t p = {.done = w->next, .total = w->total, .resumed = w->resumed,
                              .invalid = w->invalid, .feasible = w->feasible,
                              .elapsed_s = t - w->t0};
    w->opt.progress(w->opt.progress_user, &p);
}

sip_status_t sip__writer_put(sip__writer_t *w, uint64_t pos, const char *csv, size_t csv_len,
                             const char *json, size_t json_len, bool valid, bool feasible,
                             const double *objectives, sip_error_t *err)
{
    if (pos < w->next || pos >= w->next + SIP__WRITER_WINDOW || pos >= w->total)
        return sip_error_set(err, SIP_EINTERNAL, NULL, 0, "row %llu outside the writer's window",
                             (unsigned long long)pos);
    slot_t *s = &w->slots[pos % SIP__WRITER_WINDOW];
    size_t zero = 0;
    s->csv_len = s->json_len = 0;
    (void)zero;
    if (sip__buf_reserve(&s->csv, &s->csv_len, &s->csv_cap, csv_len) != SIP_OK ||
        sip__buf_reserve(&s->json, &s->json_len, &s->json_cap, json_len) != SIP_OK)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    memcpy(s->csv, csv, csv_len);
    memcpy(s->json, json, json_len);
    s->csv_len = csv_len;
    s->json_len = json_len;
    s->valid = valid;
    s->feasible = feasible;
    if (w->spec->n_objectives)
        memcpy(s->obj, objectives, (size_t)w->spec->n_objectives * sizeof *objectives);
    s->ready = true;
    if (pos != w->next)
        return SIP_OK;
    /* Gather the contiguous run of finished rows for the next write. */
    while (w->next < w->total && w->slots[w->next % SIP__WRITER_WINDOW].ready) {
        slot_t *r = &w->slots[w->next % SIP__WRITER_WINDOW];
        if (w->fd_csv >= 0 &&
            (sip__buf_reserve(&w->batch_csv, &w->bc_len, &w->bc_cap, r->csv_len) != SIP_OK ||
             sip__buf_reserve(&w->batch_json, &w->bj_len, &w->bj_cap, r->json_len) != SIP_OK))
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        if (w->fd_csv >= 0) {
            memcpy(w->batch_csv + w->bc_len, r->csv, r->csv_len);
            w->bc_len += r->csv_len;
            memcpy(w->batch_json + w->bj_len, r->json, r->json_len);
            w->bj_len += r->json_len;
        }
        w->invalid += !r->valid;
        w->feasible += r->feasible;
        if (r->feasible && push_front(w, w->next, r->obj) != SIP_OK)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        r->ready = false;
        w->next++;
    }
    report(w, false);
    return SIP_OK;
}

bool sip__writer_claim_flush(sip__writer_t *w)
{
    if (w->flushing || (w->bc_len == 0 && w->bj_len == 0))
        return false;
    /* Swap the pending batch with the (written) output buffers. */
    char *c = w->out_csv, *j = w->out_json;
    size_t cc = w->oc_cap, jc = w->oj_cap;
    w->out_csv = w->batch_csv;
    w->oc_len = w->bc_len;
    w->oc_cap = w->bc_cap;
    w->out_json = w->batch_json;
    w->oj_len = w->bj_len;
    w->oj_cap = w->bj_cap;
    w->batch_csv = c;
    w->bc_cap = cc;
    w->batch_json = j;
    w->bj_cap = jc;
    w->bc_len = w->bj_len = 0;
    w->flushing = true;
    return true;
}

sip_status_t sip__writer_write_claimed(sip__writer_t *w, sip_error_t *err)
{
    if (w->fd_csv < 0)
        return SIP_OK;
    SIP_TRY(write_all(w->fd_csv, w->out_csv, w->oc_len, w->path_csv, err));
    return write_all(w->fd_json, w->out_json, w->oj_len, w->path_json, err);
}

void sip__writer_end_flush(sip__writer_t *w)
{
    w->flushing = false;
}

sip_status_t sip__writer_flush(sip__writer_t *w, sip_error_t *err)
{
    while (sip__writer_claim_flush(w)) {
        sip_status_t st = sip__writer_write_claimed(w, err);
        sip__writer_end_flush(w);
        SIP_TRY(st);
    }
    return SIP_OK;
}

/* Copy the lines whose row position is on the front (sorted) from src to dst. */
static sip_status_t copy_front(const char *src, const char *dst, bool header, const int64_t *front,
                               int64_t n_front, sip_error_t *err)
{
    char *buf = NULL;
    size_t len;
    SIP_TRY(read_file(src, &buf, &len, err));
    char tmp[SIP_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(buf);
        return sip_error_set(err, SIP_EIO, tmp, 0, "cannot open for writing: %s", strerror(errno));
    }
    const char *p = buf;
    int64_t row = header ? -1 : 0, k = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (row < 0 || (k < n_front && front[k] == row)) {
            fwrite(p, 1, n, f);
            if (row >= 0)
                k++;
        }
        row++;
        p += n;
    }
    free(buf);
    bool bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, dst) != 0)
        return sip_error_set(err, SIP_EIO, dst, 0, "cannot write: %s", strerror(errno));
    return SIP_OK;
}

sip_status_t sip__writer_close(sip__writer_t *w, sip_sweep_summary_t *summary, sip_error_t *err)
{
    report(w, true);
    sip_status_t st = sip__writer_flush(w, err);
    int64_t n_front = 0;
    if (st == SIP_OK && w->fd_csv >= 0 && (fsync(w->fd_csv) != 0 || fsync(w->fd_json) != 0))
        st = sip_error_set(err, SIP_EIO, w->path_csv, 0, "cannot sync: %s", strerror(errno));
    int k = w->spec->n_objectives;
    if (st == SIP_OK && k > 0 && w->next == w->total) {
        int64_t *front = malloc((w->n_front ? w->n_front : 1) * sizeof *front);
        bool maxi[SIP_SWEEP_MAX_OBJECTIVES];
        for (int j = 0; j < k; j++)
            maxi[j] = w->spec->objectives[j].maximize;
        if (!front)
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        if (st == SIP_OK) {
            n_front = sip_pareto_front(w->front_obj, (int64_t)w->n_front, k, maxi, front);
            if (n_front < 0)
                st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        }
        /* Indices into the feasible list -> row positions (both ascending). */
        for (int64_t i = 0; st == SIP_OK && i < n_front; i++)
            front[i] = (int64_t)w->front_pos[front[i]];
        if (st == SIP_OK && w->fd_csv >= 0) {
            char dst[SIP_PATH_MAX + 16];
            const char *pre = w->opt.prefix ? w->opt.prefix : "sweep";
            snprintf(dst, sizeof dst, "%s.pareto.csv", pre);
            st = copy_front(w->path_csv, dst, true, front, n_front, err);
            snprintf(dst, sizeof dst, "%s.pareto.jsonl", pre);
            if (st == SIP_OK)
                st = copy_front(w->path_json, dst, false, front, n_front, err);
        }
        free(front);
    }
    if (summary) {
        summary->rows = w->next;
        summary->resumed = w->resumed;
        summary->invalid = w->invalid;
        summary->feasible = w->feasible;
        summary->pareto = (uint64_t)n_front;
        summary->elapsed_s = now_s() - w->t0;
    }
    return st;
}

void sip__writer_destroy(sip__writer_t *w)
{
    if (!w)
        return;
    if (w->fd_csv >= 0)
        close(w->fd_csv);
    if (w->fd_json >= 0)
        close(w->fd_json);
    for (int i = 0; w->slots && i < SIP__WRITER_WINDOW; i++) {
        free(w->slots[i].csv);
        free(w->slots[i].json);
    }
    free(w->slots);
    free(w->batch_csv);
    free(w->batch_json);
    free(w->out_csv);
    free(w->out_json);
    free(w->front_pos);
    free(w->front_obj);
    free(w);
}

/* ------------------------------------------------------------------ threads */

typedef struct {
    const sip_sweep_spec_t *spec;
    const sip_sweep_run_options_t *opt;
    sip__writer_t *writer;
    pthread_mutex_t lock;
    pthread_cond_t moved;
    uint64_t claim, end;
    sip_status_t status;
    sip_error_t err;
} pool_t;

static void *worker(void *arg)
{
    pool_t *p = arg;
    sip_sweep_row_t row;
    sip__row_text_t text = {0};
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_sweep_row_init(&row, &err);
    double obj[SIP_SWEEP_MAX_OBJECTIVES];
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (st != SIP_OK && p->status == SIP_OK) {
            p->status = st;
            p->err = err;
        }
        while (p->status == SIP_OK && p->claim < p->end &&
               p->claim >= sip__writer_next(p->writer) + SIP__WRITER_WINDOW)
            pthread_cond_wait(&p->moved, &p->lock);
        if (p->status != SIP_OK || p->claim >= p->end) {
            pthread_cond_broadcast(&p->moved);
            pthread_mutex_unlock(&p->lock);
            break;
        }
        uint64_t pos = p->claim++;
        pthread_mutex_unlock(&p->lock);
        st = sip__row_evaluate(p->spec, p->opt, pos, &row, &text, obj, &err);
        if (st != SIP_OK)
            continue;
        pthread_mutex_lock(&p->lock);
        if (p->status == SIP_OK)
            st = sip__writer_put(p->writer, pos, text.csv, text.csv_len, text.json, text.json_len,
                                 row.valid, row.feasible, obj, &err);
        pthread_cond_broadcast(&p->moved);
        /* One thread at a time writes the gathered rows, in order, without holding the lock;
         * rows other threads gather meanwhile go out in its next round. */
        while (st == SIP_OK && p->status == SIP_OK && sip__writer_claim_flush(p->writer)) {
            pthread_mutex_unlock(&p->lock);
            st = sip__writer_write_claimed(p->writer, &err);
            pthread_mutex_lock(&p->lock);
            sip__writer_end_flush(p->writer);
        }
        pthread_mutex_unlock(&p->lock);
    }
    free(text.csv);
    free(text.json);
    sip_sweep_row_fini(&row);
    return NULL;
}

sip_status_t sip_sweep_run(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *options,
                           sip_sweep_summary_t *summary, sip_error_t *err)
{
    sip_sweep_run_options_t opt;
    if (options)
        opt = *options;
    else
        sip_sweep_run_options_init(&opt);
    if (opt.shard_count > 1 && (opt.shard_index < 1 || opt.shard_index > opt.shard_count))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "shard %d/%d (expected 1 <= K <= N)",
                             opt.shard_index, opt.shard_count);
    int threads = opt.threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (threads > 1024)
        threads = 1024;
    uint64_t total = sip__shard_total(spec, &opt);
    sip__writer_t *w = NULL;
    uint64_t first;
    SIP_TRY(sip__writer_open(spec, &opt, total, &w, &first, err));
    pool_t p = {.spec = spec, .opt = &opt, .writer = w, .claim = first, .end = total};
    /* --limit N: the first N rows of the result files, resumed ones included, so that a
     * resumed limited run ends with the same N rows as an uninterrupted one. */
    if (opt.limit > 0 && opt.limit < total)
        p.end = opt.limit > first ? opt.limit : first;
    sip_error_clear(&p.err);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.moved, NULL);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    int started = 0;
    if (!tids) {
        p.status = sip_error_set(&p.err, SIP_ENOMEM, NULL, 0, "out of memory");
    } else if (threads == 1) {
        worker(&p);
    } else {
        for (; started < threads; started++)
            if (pthread_create(&tids[started], NULL, worker, &p) != 0)
                break;
        if (started == 0)
            worker(&p);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    pthread_cond_destroy(&p.moved);
    pthread_mutex_destroy(&p.lock);
    sip_status_t st = p.status;
    if (st != SIP_OK && err)
        *err = p.err;
    if (st == SIP_OK)
        st = sip__writer_close(w, summary, err);
    sip__writer_destroy(w);
    return st;
}
