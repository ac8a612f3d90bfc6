/* MPI sweeps: rank 0 hands out chunks of variant positions on request (dynamic load balancing)
 * and writes the files through the same writer as threaded runs; every other rank evaluates its
 * chunks with its own threads and sends the row text back.  Rows are a pure function of (spec,
 * id) and the writer orders them, so the files equal a single-process run's.
 * Built only with -Dmpi=enabled (OpenMPI); otherwise every call reports SIP_EUNSUPPORTED.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "sip_config.h"
#include "sweep/sweep_internal.h"

#if SIP_HAVE_MPI
#include <mpi.h>
#include <pthread.h>
#include <unistd.h>

enum { TAG_REQUEST = 1, TAG_RESULT = 2, TAG_WORK = 3 };
#define MAX_CHUNK 64

/* Per-row header in a result message, followed by the CSV and JSON bytes. */
typedef struct {
    uint64_t pos;
    uint64_t csv_len, json_len;
    uint32_t valid, feasible;
    double obj[SIP_SWEEP_MAX_OBJECTIVES];
} wire_row_t;

bool sip_sweep_mpi_available(void)
{
    return true;
}

sip_status_t sip_sweep_mpi_init(int *argc, char ***argv, int *rank, int *size, sip_error_t *err)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return sip_error_set(err, SIP_EINTERNAL, NULL, 0, "MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return SIP_OK;
}

void sip_sweep_mpi_finalize(void)
{
    int done = 0;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

/* ------------------------------------------------------------------ worker ranks */

typedef struct {
    const sip_sweep_spec_t *spec;
    const sip_sweep_run_options_t *opt;
    uint64_t start, count, next;
    pthread_mutex_t lock;
    sip__row_text_t *text;   /* [count] */
    wire_row_t *head;        /* [count] */
    sip_status_t status;
    sip_error_t err;
} chunk_t;

static void *chunk_worker(void *arg)
{
    chunk_t *c = arg;
    sip_sweep_row_t row;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_sweep_row_init(&row, &err);
    while (st == SIP_OK) {
        pthread_mutex_lock(&c->lock);
        uint64_t i = c->next < c->count && c->status == SIP_OK ? c->next++ : c->count;
        pthread_mutex_unlock(&c->lock);
        if (i >= c->count)
            break;
        uint64_t pos = c->start + i;
        wire_row_t *h = &c->head[i];
        memset(h, 0, sizeof *h);
        st = sip__row_evaluate(c->spec, c->opt, pos, &row, &c->text[i], h->obj, &err);
        if (st != SIP_OK)
            break;
        h->pos = pos;
        h->csv_len = c->text[i].csv_len;
        h->json_len = c->text[i].json_len;
        h->valid = row.valid;
        h->feasible = row.feasible;
    }
    if (st != SIP_OK) {
        pthread_mutex_lock(&c->lock);
        if (c->status == SIP_OK) {
            c->status = st;
            c->err = err;
        }
        pthread_mutex_unlock(&c->lock);
    }
    sip_sweep_row_fini(&row);
    return NULL;
}

static sip_status_t work(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt, int threads,
                         sip_error_t *err)
{
    sip__row_text_t text[MAX_CHUNK];
    wire_row_t head[MAX_CHUNK];
    memset(text, 0, sizeof text);
    char *msg = NULL;
    size_t msg_cap = 0;
    sip_status_t st = SIP_OK;
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
    for (;;) {
        uint64_t range[2];
        MPI_Recv(range, 2, MPI_UINT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (range[1] == 0)
            break;
        chunk_t c = {.spec = spec, .opt = opt, .start = range[0], .count = range[1],
                     .text = text, .head = head};
        sip_error_clear(&c.err);
        pthread_mutex_init(&c.lock, NULL);
        int n = threads < (int)c.count ? threads : (int)c.count;
        pthread_t tids[256];
        int started = 0;
        for (; n > 1 && started < n && started < 256; started++)
            if (pthread_create(&tids[started], NULL, chunk_worker, &c) != 0)
                break;
        if (started == 0)
            chunk_worker(&c);
        for (int i = 0; i < started; i++)
            pthread_join(tids[i], NULL);
        pthread_mutex_destroy(&c.lock);
        /* Result message: count, status, then rows (a failed chunk sends count 0). */
        size_t need = 2 * sizeof(uint64_t);
        uint64_t sent = c.status == SIP_OK ? c.count : 0;
        for (uint64_t i = 0; i < sent; i++)
            need += sizeof(wire_row_t) + head[i].csv_len + head[i].json_len;
        if (need > msg_cap) {
            char *p = realloc(msg, need);
            if (!p) {
                st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
                sent = 0;
                need = 2 * sizeof(uint64_t);
                p = msg ? msg : malloc(need);
                if (!p)
                    MPI_Abort(MPI_COMM_WORLD, 1);
            } else {
                msg_cap = need;
            }
            msg = p;
        }
        uint64_t meta[2] = {sent, (uint64_t)(c.status == SIP_OK && st == SIP_OK ? SIP_OK : SIP_ENOMEM)};
        memcpy(msg, meta, sizeof meta);
        size_t off = sizeof meta;
        for (uint64_t i = 0; i < sent; i++) {
            memcpy(msg + off, &head[i], sizeof head[i]);
            off += sizeof head[i];
            memcpy(msg + off, text[i].csv, head[i].csv_len);
            off += head[i].csv_len;
            memcpy(msg + off, text[i].json, head[i].json_len);
            off += head[i].json_len;
        }
        MPI_Send(msg, (int)off, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
        if (c.status != SIP_OK && st == SIP_OK) {
            st = c.status;
            if (err)
                *err = c.err;
        }
    }
    for (int i = 0; i < MAX_CHUNK; i++) {
        free(text[i].csv);
        free(text[i].json);
    }
    free(msg);
    return st;
}

/* ------------------------------------------------------------------ rank 0 */

static sip_status_t coordinate(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt,
                               int size, sip_sweep_summary_t *summary, sip_error_t *err)
{
    uint64_t total = sip__shard_total(spec, opt);
    sip__writer_t *w = NULL;
    uint64_t claim;
    sip_status_t st = sip__writer_open(spec, opt, total, &w, &claim, err);
    uint64_t end = total;
    if (st == SIP_OK && opt->limit > 0 && opt->limit < total) /* rows in the files: run.c */
        end = opt->limit > claim ? opt->limit : claim;
    int workers = size - 1, active = workers;
    int *pending = malloc((size_t)workers * sizeof *pending);
    int n_pending = 0;
    char *buf = NULL;
    int buf_cap = 0;
    if (!pending && st == SIP_OK)
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    while (active > 0) {
        MPI_Status ms;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ms);
        int len = 0;
        MPI_Get_count(&ms, MPI_BYTE, &len);
        if (len > buf_cap) {
            char *p = realloc(buf, (size_t)len);
            if (!p)
                MPI_Abort(MPI_COMM_WORLD, 1);
            buf = p;
            buf_cap = len;
        }
        MPI_Recv(buf, len, MPI_BYTE, ms.MPI_SOURCE, ms.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (ms.MPI_TAG == TAG_RESULT) {
            uint64_t meta[2];
            memcpy(meta, buf, sizeof meta);
            if (meta[1] != SIP_OK && st == SIP_OK)
                st = sip_error_set(err, (sip_status_t)meta[1], NULL, 0, "rank %d failed: %s",
                                   ms.MPI_SOURCE, sip_status_str((sip_status_t)meta[1]));
            size_t off = sizeof meta;
            for (uint64_t i = 0; i < meta[0] && st == SIP_OK; i++) {
                wire_row_t h;
                memcpy(&h, buf + off, sizeof h);
                off += sizeof h;
                const char *csv = buf + off;
                off += h.csv_len;
                const char *json = buf + off;
                off += h.json_len;
                st = sip__writer_put(w, h.pos, csv, h.csv_len, json, h.json_len, h.valid, h.feasible,
                                     h.obj, err);
            }
            if (st == SIP_OK)
                st = sip__writer_flush(w, err);
        }
        pending[n_pending++] = ms.MPI_SOURCE;
        /* Serve waiting ranks while the writer's window has room. */
        int kept = 0;
        for (int i = 0; i < n_pending; i++) {
            uint64_t limit = st == SIP_OK ? sip__writer_next(w) + SIP__WRITER_WINDOW : 0;
            if (limit > end)
                limit = end;
            uint64_t remaining = end > claim ? end - claim : 0;
            /* Smaller chunks near the end keep every rank busy until the last variant. */
            uint64_t chunk = remaining / (4 * (uint64_t)workers);
            chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;
            uint64_t count = claim < limit ? limit - claim : 0;
            count = count < chunk ? count : chunk;
            if (count == 0 && st == SIP_OK && claim < end) {
                pending[kept++] = pending[i]; /* window full: wait for earlier rows */
                continue;
            }
            uint64_t range[2] = {claim, count};
            claim += count;
            MPI_Send(range, 2, MPI_UINT64_T, pending[i], TAG_WORK, MPI_COMM_WORLD);
            if (count == 0)
                active--;
        }
        n_pending = kept;
    }
    free(pending);
    free(buf);
    if (st == SIP_OK)
        st = sip__writer_close(w, summary, err);
    sip__writer_destroy(w);
    return st;
}

sip_status_t sip_sweep_run_mpi(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *options,
                               sip_sweep_summary_t *summary, sip_error_t *err)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1)
        return sip_sweep_run(spec, options, summary, err);
    sip_sweep_run_options_t opt;
    if (options)
        opt = *options;
    else
        sip_sweep_run_options_init(&opt);
    if (opt.shard_count > 1 && (opt.shard_index < 1 || opt.shard_index > opt.shard_count))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "shard %d/%d (expected 1 <= K <= N)",
                             opt.shard_index, opt.shard_count);
    if (summary)
        memset(summary, 0, sizeof *summary);
    if (rank == 0)
        return coordinate(spec, &opt, size, summary, err);
    int threads = opt.threads;
    if (threads <= 0)
        threads = 1;
    return work(spec, &opt, threads, err);
}

#else

bool sip_sweep_mpi_available(void)
{
    return false;
}

sip_status_t sip_sweep_mpi_init(int *argc, char ***argv, int *rank, int *size, sip_error_t *err)
{
    (void)argc;
    (void)argv;
    *rank = 0;
    *size = 1;
    return sip_error_set(err, SIP_EUNSUPPORTED, NULL, 0,
                         "this sipsim was built without MPI (expected meson setup -Dmpi=enabled)");
}

void sip_sweep_mpi_finalize(void)
{
}

sip_status_t sip_sweep_run_mpi(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *options,
                               sip_sweep_summary_t *summary, sip_error_t *err)
{
    (void)spec;
    (void)options;
    (void)summary;
    return sip_error_set(err, SIP_EUNSUPPORTED, NULL, 0,
                         "this sipsim was built without MPI (expected meson setup -Dmpi=enabled)");
}

#endif
