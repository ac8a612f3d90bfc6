/* sipsim — design-space exploration: sweep specs, variants, parallel evaluation, result files,
 * Pareto fronts, sharding and MPI.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sweep spec (libconfig, read by src/config/sweep_spec.c) names a base package, axes that vary
 * settings of it by path, a sampling plan, the engines to run, constraints and objectives.
 * Variant `id` (0 .. n_variants-1) is a pure function of the spec and id: the grid decodes id
 * in mixed radix (last axis fastest); random and Latin-hypercube samples draw from a counter-
 * based generator keyed by (seed, id, axis).  Any thread, rank or shard evaluating a variant
 * therefore produces the same row, and rows are written in variant order: a sweep's result
 * files are byte-identical whatever the thread count, sharding of work, MPI ranks or resumes.
 *
 * Paths (a dot-separated walk of the package schema, `sipsim help package`):
 *   substrate.kind  thermal.tj_max_c  cost.volume_units  traffic.load  workload.batch
 *   instances.NAME.x_mm   instances.*.power_w   instances.NAME.type (the chiplet type in a slot)
 *   links.NAME.rate_gtps  links.*.modules  links.*.flit
 *   types.NAME.width_mm  types.NAME.tdp_w  types.NAME.engines.ENGINE.clock_ghz
 *   types.*.ports.*.max_rate_gtps
 *   compute_chiplets  (keep the first N compute instances; drop the rest, their attached
 *                      stacks and their links)
 *   placement         ("base" | "mesh" | "ring" | "star": re-place the UCIe dies and rewire)
 * `*` selects every element; a name selects one.  Values out of the schema's range, or that do
 * not compose (a new type without the port a link uses), make the variant invalid with a reason.
 */
#ifndef SIPSIM_SWEEP_H
#define SIPSIM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sipsim/config.h"
#include "sipsim/eval.h"
#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ engines and metrics */

typedef enum {
    SIP_SWEEP_CHECK,
    SIP_SWEEP_UCIE,
    SIP_SWEEP_TPP,
    SIP_SWEEP_TRAFFIC,
    SIP_SWEEP_COST,
    SIP_SWEEP_THERMAL,
    SIP_SWEEP_NETSIM,
    SIP_SWEEP_WORKLOAD,      /* the package's workload section (kernel library) */
    SIP_SWEEP_ENGINE_COUNT
} sip_sweep_engine_t;

/* The fast analytic set run when a spec names no engines (plus workload when the base package
 * has a workload section). */
#define SIP_SWEEP_ENGINES_FAST                                                               \
    ((1u << SIP_SWEEP_CHECK) | (1u << SIP_SWEEP_UCIE) | (1u << SIP_SWEEP_TPP) |              \
     (1u << SIP_SWEEP_TRAFFIC) | (1u << SIP_SWEEP_COST))

SIP_EXPORT const char *sip_sweep_engine_name(sip_sweep_engine_t engine);
SIP_EXPORT int sip_sweep_engine_lookup(const char *name); /* -1 if unknown */

/* One metric a variant reports: numbers, or words (check = "ok"/"fail", class names). */
typedef struct {
    const char *name;
    const char *unit;
    sip_sweep_engine_t engine;  /* SIP_SWEEP_ENGINE_COUNT = from the model, always present */
    bool is_text;
    const char *help;
} sip_sweep_metric_info_t;

SIP_EXPORT int sip_sweep_metric_count(void);
SIP_EXPORT const sip_sweep_metric_info_t *sip_sweep_metric(int index);
SIP_EXPORT int sip_sweep_metric_lookup(const char *name); /* -1 if unknown */

/* ------------------------------------------------------------------ spec */

typedef enum { SIP_SAMPLING_GRID, SIP_SAMPLING_RANDOM, SIP_SAMPLING_LHS, SIP_SAMPLING_COUNT } sip_sampling_t;
SIP_EXPORT const char *sip_sampling_name(sip_sampling_t sampling);

/* What an axis sets, resolved against the base package when the spec is read. */
typedef enum {
    SIP_SETTER_FIELD,        /* a numeric, enum or string field at (target, index, offset) */
    SIP_SETTER_TYPE,         /* instance chiplet type (value = type index in the base) */
    SIP_SETTER_COMPUTE,      /* number of compute chiplets */
    SIP_SETTER_PLACEMENT,    /* placement generator (value = sip_placement_t) */
    SIP_SETTER_KIND_COUNT
} sip_setter_kind_t;

typedef enum { SIP_TARGET_PACKAGE, SIP_TARGET_TYPE, SIP_TARGET_INSTANCE, SIP_TARGET_LINK } sip_target_t;
typedef enum { SIP_FIELD_DOUBLE, SIP_FIELD_INT, SIP_FIELD_BOOL, SIP_FIELD_STRING } sip_field_store_t;
typedef enum { SIP_PLACEMENT_BASE, SIP_PLACEMENT_MESH, SIP_PLACEMENT_RING, SIP_PLACEMENT_STAR, SIP_PLACEMENT_COUNT } sip_placement_t;
SIP_EXPORT const char *sip_placement_name(sip_placement_t placement);

typedef struct {
    sip_target_t target;
    int index;               /* type / instance / link index in the base package (-1: package) */
    size_t offset;           /* byte offset of the field inside that object */
} sip_setter_slot_t;

typedef struct {
    sip_setter_kind_t kind;
    /* SIP_SETTER_FIELD: where and how to store */
    sip_field_store_t store;
    int n_slots;
    sip_setter_slot_t *slots; /* owned; also the instances of SIP_SETTER_TYPE */
    double min, max;          /* schema range (numbers) */
    bool min_open;
    int size;                 /* strings: buffer size */
    /* enum fields and word-valued axes: the names a value indexes */
    const char *const *names;
    int n_names;
} sip_setter_t;

typedef struct {
    char name[128];           /* column name: `name = ...` or the path */
    char path[128];
    sip_setter_t setter;
    /* Values: a discrete list, or a continuous [lo, hi] (random / lhs only). */
    int n_values;
    double *values;           /* owned: numbers, enum indices, type indices */
    char (*words)[SIP_NAME_MAX]; /* owned: printed form of word values (NULL for numbers) */
    bool continuous;
    bool log_scale;           /* continuous log-uniform */
    double lo, hi;
    int line;
} sip_sweep_axis_t;

typedef enum { SIP_OP_LT, SIP_OP_LE, SIP_OP_GT, SIP_OP_GE, SIP_OP_EQ, SIP_OP_NE, SIP_OP_COUNT } sip_op_t;

typedef struct {
    int metric;               /* sip_sweep_metric index */
    sip_op_t op;
    double value;             /* numeric metrics */
    char word[SIP_NAME_MAX];  /* text metrics ("ok") */
    char text[128];           /* as written */
    int line;
} sip_sweep_constraint_t;

typedef struct {
    int metric;
    bool maximize;
    int line;
} sip_sweep_objective_t;

#define SIP_SWEEP_MAX_AXES 32
#define SIP_SWEEP_MAX_CONSTRAINTS 32
#define SIP_SWEEP_MAX_OBJECTIVES 8

typedef struct {
    char path[SIP_PATH_MAX];  /* the spec file */
    char name[SIP_NAME_MAX];
    uint64_t fingerprint;     /* FNV-1a of the spec text: guards --resume against a changed spec */
    sip_package_t *base;      /* owned: base package (+ chiplet types that type axes bring in) */
    char base_path[SIP_PATH_MAX];
    unsigned engines;         /* bit set of sip_sweep_engine_t */
    sip_sampling_t sampling;
    uint64_t samples;         /* random / lhs */
    uint64_t seed;
    int n_axes;
    sip_sweep_axis_t axes[SIP_SWEEP_MAX_AXES];
    int n_constraints;
    sip_sweep_constraint_t constraints[SIP_SWEEP_MAX_CONSTRAINTS];
    int n_objectives;
    sip_sweep_objective_t objectives[SIP_SWEEP_MAX_OBJECTIVES];
    /* engine settings */
    char traffic_pattern[SIP_NAME_MAX]; /* "" = the package's, else uniform */
    int routing;              /* sip_routing_t */
    int thermal_grid;         /* 0 = the package's thermal.grid, else the engine default */
    double netsim_rate;       /* flits/node/cycle */
    double placement_gap_mm;  /* spacing of generated placements */
    uint64_t n_variants;
    uint32_t *lhs_perm;       /* owned: n_axes x samples strata (lhs) */
} sip_sweep_spec_t;

/* Read a spec (src/config/sweep_spec.c).  The base package path is relative to the spec file;
 * options (may be NULL) add chiplet library folders.  Errors: "spec:line: message". */
SIP_EXPORT sip_status_t sip_sweep_spec_load(const char *path, const sip_load_options_t *options,
                                            sip_sweep_spec_t **out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_sweep_spec_load_string(const char *text, const char *path,
                                                   const sip_load_options_t *options,
                                                   sip_sweep_spec_t **out, sip_error_t *err);
SIP_EXPORT void sip_sweep_spec_destroy(sip_sweep_spec_t *spec);

/* Parse one constraint ("tpp < 4800", "check == ok") or objective ("min cost_usd",
 * "max:tpp"); `path`/`line` name it in errors. */
SIP_EXPORT sip_status_t sip_sweep_constraint_parse(const char *text, const char *path, int line,
                                                   sip_sweep_constraint_t *out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_sweep_objective_parse(const char *text, const char *path, int line,
                                                  sip_sweep_objective_t *out, sip_error_t *err);
SIP_EXPORT const char *sip_op_symbol(sip_op_t op);

/* Finish a spec built in code: checks engines against constraints/objectives, counts variants
 * and draws the Latin-hypercube strata.  sip_sweep_spec_load calls it. */
SIP_EXPORT sip_status_t sip_sweep_spec_prepare(sip_sweep_spec_t *spec, sip_error_t *err);

/* The evaluation options (sipsim/eval.h) a spec's variants are evaluated with: its engines,
 * traffic pattern and routing, thermal grid and netsim settings; power caps, TPP detail, the cost
 * crossover study, the package graph and the latency curve off (no metric reports them). */
SIP_EXPORT void sip_sweep_eval_options(const sip_sweep_spec_t *spec, sip_eval_options_t *opts);

/* Metric columns a spec's rows carry (the enabled engines' metrics, model metrics first). */
SIP_EXPORT int sip_sweep_columns(const sip_sweep_spec_t *spec, int *metrics, int max);

/* ------------------------------------------------------------------ variants */

typedef struct {
    uint64_t id;
    bool valid;              /* built and evaluated; false: reason says why */
    bool feasible;           /* valid and every constraint holds */
    char reason[SIP_MESSAGE_MAX];
    double axis_value[SIP_SWEEP_MAX_AXES];  /* value of each axis (index into words for words) */
    double *metric;          /* [sip_sweep_metric_count()] NAN when not computed */
    const char **metric_text;/* [sip_sweep_metric_count()] text metrics (static strings) */
} sip_sweep_row_t;

SIP_EXPORT sip_status_t sip_sweep_row_init(sip_sweep_row_t *row, sip_error_t *err);
SIP_EXPORT void sip_sweep_row_fini(sip_sweep_row_t *row);

/* The axis values of a variant (no evaluation). */
SIP_EXPORT void sip_sweep_variant_values(const sip_sweep_spec_t *spec, uint64_t id, double *values);
/* Build the variant's package (a deep copy of the base with the values applied).  A variant that
 * does not compose returns SIP_EINVAL with the reason in err. */
SIP_EXPORT sip_status_t sip_sweep_variant_build(const sip_sweep_spec_t *spec, const double *values,
                                                sip_package_t **out, sip_error_t *err);
/* Build and evaluate one variant into row (thread-safe for distinct rows).  Never fails for a
 * variant that does not compose or an engine that rejects it: the row is invalid with a reason.
 * Returns non-OK only for ENOMEM. */
SIP_EXPORT sip_status_t sip_sweep_evaluate(const sip_sweep_spec_t *spec, uint64_t id,
                                           sip_sweep_row_t *row, sip_error_t *err);

/* Row text: CSV line (header by sip_sweep_csv_header) and one JSON object, each ending in '\n'.
 * Append to *buf (malloc'd, grown as needed; *len, *cap track it). */
SIP_EXPORT sip_status_t sip_sweep_csv_header(const sip_sweep_spec_t *spec, char **buf, size_t *len,
                                             size_t *cap);
SIP_EXPORT sip_status_t sip_sweep_row_csv(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row,
                                          char **buf, size_t *len, size_t *cap);
SIP_EXPORT sip_status_t sip_sweep_row_json(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row,
                                           char **buf, size_t *len, size_t *cap);

/* ------------------------------------------------------------------ running */

typedef struct {
    uint64_t done;           /* rows written (resumed rows included) */
    uint64_t total;          /* rows of this shard */
    uint64_t resumed;        /* rows found on disk at start */
    uint64_t invalid, feasible;
    double elapsed_s;        /* since this run started */
} sip_sweep_progress_t;

typedef void (*sip_sweep_progress_fn)(void *user, const sip_sweep_progress_t *progress);

typedef struct {
    const char *prefix;      /* PREFIX.csv, PREFIX.jsonl, PREFIX.pareto.{csv,jsonl}, PREFIX.meta.json */
    int threads;             /* 0 = every online CPU */
    int shard_index;         /* 1-based K of --shard K/N; 0 = no sharding */
    int shard_count;
    bool resume;             /* continue files of an interrupted run of the same spec and shard */
    sip_sweep_progress_fn progress;
    void *progress_user;
    double progress_interval_s; /* 0 = 0.2 s */
    uint64_t limit;          /* stop once the result files hold this many rows, resumed
                                ones included (tests, benchmarks); 0 = all */
    bool no_files;           /* evaluate only (benchmarks): nothing written */
} sip_sweep_run_options_t;

SIP_EXPORT void sip_sweep_run_options_init(sip_sweep_run_options_t *options);

typedef struct {
    uint64_t rows, resumed, invalid, feasible, pareto;
    double elapsed_s;
} sip_sweep_summary_t;

/* Evaluate every variant of the shard on worker threads and write the result files.  Rows are
 * streamed in variant order as they complete: a run killed at any moment leaves complete rows
 * for a prefix of the variants (at most the rows in flight are lost) and options->resume
 * continues after them.  EINVAL: resume of files written by another spec or shard. */
SIP_EXPORT sip_status_t sip_sweep_run(const sip_sweep_spec_t *spec,
                                      const sip_sweep_run_options_t *options,
                                      sip_sweep_summary_t *summary, sip_error_t *err);

/* The whole sweep in memory: every row as one JSON object per line (the row objects of
 * PREFIX.jsonl, each with "pareto": true|false added), in variant order.  spec_path_or_text is a
 * spec file, or spec text when it holds a newline or '='.  options_json may be NULL or an object
 * with "threads" (0 = every CPU), "limit" and "shard" ("K/N").  *jsonl_out is freed by sip_free.
 * Bad specs fail with "path:line: message" in err, as sip_sweep_spec_load does. */
SIP_EXPORT sip_status_t sip_sweep_run_json(const char *spec_path_or_text, const char *options_json,
                                           char **jsonl_out, sip_error_t *err);

/* MPI: the same run spread over the ranks of MPI_COMM_WORLD with dynamic load balancing (rank 0
 * hands out chunks of variants and writes the files; the others evaluate them with `threads`
 * threads each).  The files equal sip_sweep_run's.  SIP_EUNSUPPORTED in builds without MPI.
 * The caller brackets it with sip_sweep_mpi_init / sip_sweep_mpi_finalize. */
SIP_EXPORT bool sip_sweep_mpi_available(void);
SIP_EXPORT sip_status_t sip_sweep_mpi_init(int *argc, char ***argv, int *rank, int *size,
                                           sip_error_t *err);
SIP_EXPORT void sip_sweep_mpi_finalize(void);
SIP_EXPORT sip_status_t sip_sweep_run_mpi(const sip_sweep_spec_t *spec,
                                          const sip_sweep_run_options_t *options,
                                          sip_sweep_summary_t *summary, sip_error_t *err);

/* ------------------------------------------------------------------ Pareto */

/* Non-dominated points among n points of k objectives (values[i*k + j]); maximize[j] flips
 * objective j.  Points with a non-finite objective (NaN, inf: JSON rows hold them as null) are
 * never on the front; equal points are both kept.
 * front receives the indices in ascending order; returns their count (-1: ENOMEM). */
SIP_EXPORT int sip_pareto_front(const double *values, int64_t n, int k, const bool *maximize,
                                int64_t *front);

/* Read result rows (JSONL files from sip_sweep_run; several = shards) and write the rows on the
 * Pareto front of the objectives, in id order, as JSONL to out.  Only feasible rows compete.
 * n_front (may be NULL) receives the count. */
SIP_EXPORT sip_status_t sip_pareto_results(const char *const *paths, int n_paths,
                                           const sip_sweep_objective_t *objectives,
                                           int n_objectives, FILE *out, int64_t *n_front,
                                           sip_error_t *err);
/* The objectives recorded in a run's PREFIX.meta.json, given PREFIX.jsonl (or .csv). */
SIP_EXPORT sip_status_t sip_sweep_meta_objectives(const char *results_path,
                                                  sip_sweep_objective_t *objectives, int max,
                                                  int *n, sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
