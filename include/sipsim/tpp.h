/* sipsim — export-control compute metrics: TPP, performance density, I/O bandwidth, HBM
 * memory bandwidth density; classification under the US BIS rules (ECCN 3A090) with margins
 * and what-if limits.  Rules and worked examples: shared/reference/facts.md §2.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading of the rule (facts.md §2.3).  Where the text leaves room, every reading is evaluated
 * and the stricter class is the answer (a compliance answer must never be the lenient one by
 * accident); the readings are kept in the result so a report can show both.
 *   TPP of one engine at precision p = 2 x MacTOPS(p) x bits(p), dense rates.
 *   SIP_TPP_SUM_OF_MAXES (default, the rule's "aggregated over all processing units"): every
 *     engine of every die contributes its own best precision, summed.
 *   SIP_TPP_MAX_OF_SUMS (alternative): TPP_p = sum over engines at one precision, TPP = max_p;
 *     it drops engines that do not run the winning precision, so it is never the larger.
 *   Performance density = TPP / applicable die area: every non-memory die whose `transistor`
 *   key says finfet or gaa.  A die without the key is unknown: its area is counted in one
 *   reading and left out in the other (unless nonplanar_max_nm derives it from the node, an
 *   assumption the caller has to ask for).  Memory dies (HBM) never count.
 *   I/O bandwidth (October 2022 rule) = both directions of every `io` block of every instance;
 *   die-to-die UCIe links stay inside the package and HBM is volatile memory: neither counts.
 *   A package without any `io` block has no modelled off-package I/O: the 2022 class is then
 *   "not evaluated" unless the TPP condition already fails.
 *   3A090.c (Dec 2024): HBM whose memory bandwidth density > 2 GB/s/mm2, unless co-packaged
 *   with a logic IC whose primary function is logic processing.  A logic die that only serves
 *   the stack as control interface and PHY (HBM base die, memory controller die) does not
 *   exclude it (note to 3A090.c, 89 FR 96790).  "Logic processing" here = a non-memory die of
 *   kind compute or with MAC engines.
 */
#ifndef SIPSIM_TPP_H
#define SIPSIM_TPP_H

#include <stdbool.h>

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SIP_TPP_MAX_OF_SUMS,   /* per precision sum over units, then the best precision */
    SIP_TPP_SUM_OF_MAXES,  /* per engine the best precision, then the sum */
    SIP_TPP_AGGREGATION_COUNT
} sip_tpp_aggregation_t;

/* Dies whose `transistor` key is unknown in the PD denominator. */
typedef enum {
    SIP_TPP_UNKNOWN_STRICTER,  /* default: both readings, the one giving the stricter class */
    SIP_TPP_UNKNOWN_NONPLANAR, /* counted */
    SIP_TPP_UNKNOWN_PLANAR,    /* left out */
    SIP_TPP_UNKNOWN_COUNT
} sip_tpp_unknown_t;

typedef struct {
    sip_tpp_aggregation_t aggregation;
    /* "Designed or marketed for use in datacenters" (Note 2 to 3A090).  The model has no such
     * flag, so the caller says; default true (the stricter reading). */
    bool datacenter;
    /* 0 (default): planarity comes from the die's `transistor` key only.  N > 0: a die without
     * the key but with process_nm <= N is read as non-planar, above N as planar — the caller's
     * assumption, reported as a warning. */
    int nonplanar_max_nm;
    sip_tpp_unknown_t unknown_transistor;
    /* Off-package I/O given by the caller (a system file's links) instead of the dies' `io`
     * blocks; both directions, GB/s. */
    bool io_given;
    double io_GBps;
} sip_tpp_options_t;

SIP_EXPORT void sip_tpp_options_init(sip_tpp_options_t *options);
SIP_EXPORT const char *sip_tpp_aggregation_name(sip_tpp_aggregation_t aggregation);
SIP_EXPORT int sip_tpp_aggregation_lookup(const char *name); /* -1 if unknown */
SIP_EXPORT const char *sip_tpp_unknown_name(sip_tpp_unknown_t unknown);
SIP_EXPORT int sip_tpp_unknown_lookup(const char *name);     /* -1 if unknown */

/* The quantities a rule condition can test. */
typedef enum {
    SIP_METRIC_TPP,
    SIP_METRIC_PD,               /* TPP per mm2 of applicable die area */
    SIP_METRIC_IO_GBPS,          /* off-package I/O, both directions, GB/s */
    SIP_METRIC_HBM_DENSITY,      /* max over memory dies: GB/s per mm2 of stack footprint */
    SIP_METRIC_LOGIC_DIES,       /* number of non-memory dies in the package */
    SIP_METRIC_PROCESSING_DIES,  /* non-memory dies whose primary function is logic processing */
    SIP_METRIC_DRAM_GBPS,        /* total DRAM (HBM/DDR) bandwidth, GB/s */
    SIP_METRIC_COUNT
} sip_metric_t;

SIP_EXPORT const char *sip_metric_name(sip_metric_t metric);
SIP_EXPORT const char *sip_metric_unit(sip_metric_t metric);
/* The rule's own term for the metric ("memory bandwidth density"), for reports. */
SIP_EXPORT const char *sip_metric_label(sip_metric_t metric);

typedef enum { SIP_CMP_GE, SIP_CMP_GT, SIP_CMP_LT, SIP_CMP_LE, SIP_CMP_COUNT } sip_cmp_t;
SIP_EXPORT const char *sip_cmp_symbol(sip_cmp_t cmp);

typedef struct {
    sip_metric_t metric;
    sip_cmp_t cmp;
    double threshold;
} sip_condition_t;

typedef enum { SIP_SCOPE_ANY, SIP_SCOPE_DATACENTER, SIP_SCOPE_NON_DATACENTER } sip_scope_t;

#define SIP_CLAUSE_MAX_CONDITIONS 4
/* One paragraph of a rule: all conditions must hold (and the scope match). */
typedef struct {
    const char *name;         /* "3A090.a.1" */
    const char *consequence;  /* what it means for a licence */
    sip_scope_t scope;
    int n_conditions;
    sip_condition_t conditions[SIP_CLAUSE_MAX_CONDITIONS];
    const char *source;       /* where the thresholds are quoted from */
    bool verified;            /* thresholds read in the rule text (possibly via a quote) */
} sip_clause_t;

#define SIP_EXCEPTION_MAX_TERMS 4
/* A licence exception attached to a clause: the conditions the model can test, and those it
 * cannot (parties, sites, end uses), which are reported as not evaluated. */
typedef struct {
    const char *name;         /* "License Exception HBM (15 CFR 740.25)" */
    int clause;               /* the clause it relieves (index in the rule) */
    int n_conditions;
    sip_condition_t conditions[SIP_EXCEPTION_MAX_TERMS];
    int n_unevaluated;
    const char *unevaluated[SIP_EXCEPTION_MAX_TERMS];
    const char *source;
    bool verified;
} sip_exception_t;

/* A rule set: clauses in the order the rule resolves them (first match wins), which is also
 * the order of strictness (earlier = stricter). */
typedef struct {
    const char *id;           /* "bis-2023" */
    const char *title;
    const char *citation;
    const char *uncontrolled; /* name of the "no clause applies" outcome */
    int n_clauses;
    const sip_clause_t *clauses;
    const char *published;    /* Federal Register publication date, ISO 8601 */
    const char *effective;    /* effective date, ISO 8601 */
    const char *source;       /* where the text was read (facts.md section and tags) */
    int n_exceptions;
    const sip_exception_t *exceptions;
} sip_rule_t;

#define SIP_TPP_MAX_RULES 8

/* The built-in rule tables (src/tpp/rules.c), oldest first. */
SIP_EXPORT int sip_tpp_rule_count(void);
SIP_EXPORT const sip_rule_t *sip_tpp_rule(int index);
SIP_EXPORT int sip_tpp_rule_find(const char *id); /* -1 if unknown */

/* Whether `value cmp threshold` holds.  Values within 1e-9 (relative) of the threshold count as
 * equal to it, so a design computed to sit exactly on a threshold is not moved across it by
 * floating-point rounding of its unit conversions. */
SIP_EXPORT bool sip_condition_holds(const sip_condition_t *condition, double value);

/* The package's metrics plus per-precision TPP (used by the classifier and the what-if). */
typedef struct {
    double value[SIP_METRIC_COUNT];
    double tpp_by_precision[SIP_PREC_COUNT]; /* sum over all engines, per precision */
    sip_precision_t precision;               /* highest per-precision sum (first of a tie) */
    double applicable_area_mm2;
    double logic_area_mm2;                   /* all non-memory dies, planar or not */
    double dram_GBps;                        /* total DRAM bandwidth (HBM/DDR), for reports */
    /* Metrics the package does not model (no `io` block: off-package I/O unknown). */
    bool unknown[SIP_METRIC_COUNT];
    double tpp_sum_of_maxes, tpp_max_of_sums; /* both readings; value[TPP] is the chosen one */
    int n_tied;                              /* precisions sharing the highest sum (>= 2: a tie) */
    sip_precision_t tied[SIP_PREC_COUNT];
    int n_unknown_transistor_dies;           /* logic dies without a `transistor` key */
    double unknown_transistor_area_mm2;
    bool unknown_counted;                    /* their area is in applicable_area_mm2 */
} sip_tpp_metrics_t;

typedef enum { SIP_TPP_FALSE, SIP_TPP_TRUE, SIP_TPP_UNDECIDED } sip_tpp_truth_t;

/* Outcome of one rule for one package. */
typedef struct {
    int rule;                   /* index into the rule tables */
    int clause;                 /* matching clause or -1 (uncontrolled / not evaluated) */
    const char *class_name;     /* clause name, the rule's uncontrolled name, or "not evaluated" */
    /* Every condition of every clause in scope, in rule order.  margin > 0: the condition holds
     * by that much; < 0: it fails by that much (value - threshold for >= and >, threshold -
     * value for < and <=), in the metric's unit.  NAN when the metric is not modelled. */
    int n_margins;
    struct {
        int clause, condition;
        double value, threshold, margin;
        bool holds;
        bool known;
    } margins[32];
    bool evaluated;             /* false: a clause could match but needs an unmodelled metric */
    int undecided_clause;       /* that clause, or -1 */
    /* Licence exceptions of the matching clause: TRUE = every evaluable condition holds (the
     * unevaluated ones still have to be checked), FALSE = an evaluable condition fails. */
    int n_exceptions;
    struct {
        int exception;          /* index in the rule's exceptions */
        sip_tpp_truth_t state;
    } exceptions[4];
} sip_tpp_class_t;

/* One reading of the rule text applied to the package. */
typedef struct {
    sip_tpp_aggregation_t aggregation;
    bool unknown_counted;       /* dies without a transistor key counted in the PD area */
    sip_tpp_metrics_t metrics;
    sip_tpp_class_t classes[SIP_TPP_MAX_RULES];
} sip_tpp_reading_t;

typedef struct {
    int instance;               /* -1 = the package */
    char message[256];
} sip_tpp_warning_t;

/* One term of the TPP sum: one engine of one instance at one precision. */
typedef struct {
    int instance, engine;
    sip_precision_t precision;
    double mactops;   /* dense tera-MAC/s of all `count` engines */
    double tpp;       /* 2 x mactops x bits */
} sip_tpp_term_t;

/* CLOCK scales every engine; CLOCK_DIE only the dominant die's engines. */
typedef enum {
    SIP_KNOB_CLOCK, SIP_KNOB_MACS, SIP_KNOB_CHIPLETS, SIP_KNOB_IO, SIP_KNOB_CLOCK_DIE, SIP_KNOB_COUNT
} sip_knob_t;
SIP_EXPORT const char *sip_knob_name(sip_knob_t knob);
SIP_EXPORT const char *sip_knob_unit(sip_knob_t knob);

/* How far one knob can move before a threshold is reached.  Knob units: CLOCK = GHz of the
 * dominant engine (all engines scale together), CLOCK_DIE = GHz of the dominant engine with
 * only the dominant die's engines scaled (the other dies keep their clocks), MACS = scale factor on every engine's MACs per
 * cycle, CHIPLETS = number of instances of the dominant compute type, IO = off-package GB/s.
 * `limit` is the supremum of knob values v (from 0 up) at which the condition does not yet
 * hold / the rule stays uncontrolled; `inclusive` says whether v = limit itself still does;
 * INFINITY = never reached (the knob does not move that metric, or not far enough); NAN (whole
 * rule only) = not evaluated, the rule needs a metric the package does not model.
 * CHIPLETS counts from one instance up: limit 0 means a single instance already reaches it. */
typedef struct {
    sip_knob_t knob;
    int rule, clause, condition;   /* condition -1 = the whole rule (uncontrolled limit) */
    double current;
    double limit;
    bool inclusive;
} sip_tpp_limit_t;

typedef struct {
    sip_tpp_options_t options;
    sip_tpp_metrics_t metrics;
    int n_terms;
    sip_tpp_term_t *terms;          /* owned */
    int n_instances;
    double *instance_tpp;           /* owned: contribution of each instance to the package TPP */
    bool *instance_applicable;      /* owned: die area counts in the PD denominator */
    int dominant_instance;          /* -1 if no compute */
    int dominant_type;
    int dominant_engine;            /* engine index within the dominant instance's type */
    sip_precision_t dominant_precision;
    int n_classes;
    sip_tpp_class_t *classes;       /* owned, one per rule table */
    int n_limits;
    sip_tpp_limit_t *limits;        /* owned */
    /* Every reading evaluated; `metrics`, `classes` and the per-instance arrays above are those
     * of the governing reading of each rule (the stricter class; ties: the rule's reading). */
    int n_readings;
    sip_tpp_reading_t *readings;    /* owned */
    int governing[SIP_TPP_MAX_RULES]; /* reading index per rule */
    int n_warnings;
    sip_tpp_warning_t *warnings;    /* owned */
} sip_tpp_result_t;

/* Metrics only (no allocation): the fast path for sweeps.  The aggregation is the one asked
 * for; with SIP_TPP_UNKNOWN_STRICTER the unknown-transistor treatment giving the stricter
 * bis-2023 class is taken. */
SIP_EXPORT sip_status_t sip_tpp_metrics(const sip_package_t *pkg, const sip_tpp_options_t *options,
                                        sip_tpp_metrics_t *out, sip_error_t *err);
/* Strictness rank of a class within its rule: lower = stricter (matching clause index; "not
 * evaluated" just after the clause it could not decide; uncontrolled last). */
SIP_EXPORT double sip_tpp_class_rank(const sip_tpp_class_t *cls);
/* Classify metrics under one rule; datacenter selects the scope.  A condition on a metric the
 * package does not model is undecided: if the first clause that could match is undecided, the
 * class is "not evaluated". */
SIP_EXPORT void sip_tpp_classify(const sip_tpp_metrics_t *metrics, int rule, bool datacenter,
                                 sip_tpp_class_t *out);
/* Full evaluation: metrics, terms, dominance, every rule's class and margins, what-if limits.
 * options NULL = defaults.  Free with sip_tpp_result_destroy. */
SIP_EXPORT sip_status_t sip_tpp_evaluate(const sip_package_t *pkg, const sip_tpp_options_t *options,
                                         sip_tpp_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_tpp_result_destroy(sip_tpp_result_t *result);

/* TPP of one engine at one precision (2 x MacTOPS x bits); 0 if it does not run it. */
SIP_EXPORT double sip_engine_tpp(const sip_engine_t *engine, sip_precision_t precision);

#ifdef __cplusplus
}
#endif
#endif
