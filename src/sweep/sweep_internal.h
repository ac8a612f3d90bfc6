/* sipsim sweep internals shared by the files of src/sweep.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_SWEEP_INTERNAL_H
#define SIPSIM_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sipsim/sweep.h"

/* Metric indices: the order of the table in spec.c. */
enum {
    SIP__M_POWER_W,
    SIP__M_INSTANCES,
    SIP__M_COMPUTE,
    SIP__M_SUBSTRATE_MM2,
    SIP__M_CHECK,
    SIP__M_CHECK_ERRORS,
    SIP__M_CHECK_WARNINGS,
    SIP__M_D2D_LINKS,
    SIP__M_D2D_GBPS,
    SIP__M_D2D_MIN_GBPS,
    SIP__M_D2D_LATENCY_NS,
    SIP__M_D2D_PJ_PER_BIT,
    SIP__M_D2D_PEAK_W,
    SIP__M_D2D_FIT,
    SIP__M_TPP,
    SIP__M_PD,
    SIP__M_IO_GBPS,
    SIP__M_HBM_DENSITY,
    SIP__M_LOGIC_DIES,
    SIP__M_TPP_CLASS,
    SIP__M_HBM_CLASS,
    SIP__M_SATURATION,
    SIP__M_MAX_UTIL,
    SIP__M_MEAN_HOPS,
    SIP__M_ZERO_LOAD_NS,
    SIP__M_LATENCY_NS,
    SIP__M_TRAFFIC_W,
    SIP__M_PJ_PER_BYTE,
    SIP__M_COST_USD,
    SIP__M_RECURRING_USD,
    SIP__M_NRE_USD,
    SIP__M_USD_PER_TPP,
    SIP__M_ASSEMBLY_YIELD,
    SIP__M_LOGIC_MM2,
    SIP__M_TJ_MAX_C,
    SIP__M_HEADROOM_C,
    SIP__M_BUDGET_W,
    SIP__M_NETSIM_LATENCY,
    SIP__M_NETSIM_ACCEPTED,
    SIP__M_NETSIM_HOPS,
    SIP__M_TOKENS_PER_S,
    SIP__M_TTFT_MS,
    SIP__M_TPOT_MS,
    SIP__M_J_PER_TOKEN,
    SIP__M_MAC_UTILIZATION,
    SIP__M_WORKLOAD_FITS,
    SIP__M_WORKLOAD_LIMIT,
    SIP__M_USD_PER_TOKENS_PER_S,
    SIP__M_COUNT
};

/* Growable text buffer helpers (row formatting). */
sip_status_t sip__buf_reserve(char **buf, size_t *len, size_t *cap, size_t more);
sip_status_t sip__buf_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    SIP_PRINTF(4, 5);

/* Counter-based uniform in [0, 1) keyed by (seed, id, stream). */
double sip__sweep_u01(uint64_t seed, uint64_t id, uint64_t stream);

/* Placement generators (placement.c): re-place the UCIe dies of pkg and rewire its links. */
sip_status_t sip__placement_apply(sip_package_t *pkg, sip_placement_t placement, double gap_mm,
                                  const sip_link_t *link_template, sip_error_t *err);

/* Row text for the writers: CSV and JSON lines of a row. */
typedef struct {
    char *csv;
    size_t csv_len, csv_cap;
    char *json;
    size_t json_len, json_cap;
} sip__row_text_t;

/* A metric as the JSON rows hold it (12 significant digits; non-finite = NaN): the Pareto front
 * of a run is computed on these, so it equals one recomputed from the files. */
double sip__as_written(double v);
sip_status_t sip__row_text(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row,
                           sip__row_text_t *text);

/* Result files of a run (run.c), shared with the MPI driver: rows are handed in by position
 * (0 .. total-1 within the shard) in any order and written in order. */
typedef struct sip__writer sip__writer_t;
sip_status_t sip__writer_open(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt,
                              uint64_t total, sip__writer_t **out, uint64_t *first_pos,
                              sip_error_t *err);
/* Take ownership of nothing: copies the text.  objectives: spec->n_objectives values. */
sip_status_t sip__writer_put(sip__writer_t *w, uint64_t pos, const char *csv, size_t csv_len,
                             const char *json, size_t json_len, bool valid, bool feasible,
                             const double *objectives, sip_error_t *err);
/* Writing gathered rows: claim (under the caller's lock; false if nothing is pending or another
 * thread is writing), write (without the lock), end (under the lock).  flush = all three, for
 * single-threaded callers. */
bool sip__writer_claim_flush(sip__writer_t *w);
sip_status_t sip__writer_write_claimed(sip__writer_t *w, sip_error_t *err);
void sip__writer_end_flush(sip__writer_t *w);
sip_status_t sip__writer_flush(sip__writer_t *w, sip_error_t *err);
/* Next position the writer waits for; workers stay within a window of it. */
uint64_t sip__writer_next(const sip__writer_t *w);
#define SIP__WRITER_WINDOW 4096
sip_status_t sip__writer_close(sip__writer_t *w, sip_sweep_summary_t *summary, sip_error_t *err);
void sip__writer_destroy(sip__writer_t *w);

/* Variant id of position pos in a shard. */
static inline uint64_t sip__shard_id(const sip_sweep_run_options_t *opt, uint64_t pos)
{
    return opt->shard_count > 1 ? (uint64_t)(opt->shard_index - 1) + pos * (uint64_t)opt->shard_count
                                : pos;
}

/* What a worker (threads of run.c, ranks of mpi.c) does with position pos of its shard: evaluate
 * the variant into row, its CSV and JSON lines into text, and the spec's objectives as written
 * (sip__as_written) into objectives[spec->n_objectives]. */
sip_status_t sip__row_evaluate(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt,
                               uint64_t pos, sip_sweep_row_t *row, sip__row_text_t *text,
                               double *objectives, sip_error_t *err);
static inline uint64_t sip__shard_total(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt)
{
    if (opt->shard_count <= 1)
        return spec->n_variants;
    uint64_t k = (uint64_t)(opt->shard_index - 1), n = (uint64_t)opt->shard_count;
    return spec->n_variants > k ? (spec->n_variants - k + n - 1) / n : 0;
}

#endif
