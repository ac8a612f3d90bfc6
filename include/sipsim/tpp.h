/* sipsim — export-control compute metrics: TPP, performance density, I/O bandwidth, HBM
 * bandwidth density; classification under the US BIS rules (ECCN 3A090) with margins and
 * what-if limits.  Rules and worked examples: shared/reference/facts.md §2.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading of the rule (facts.md §2.3), switchable where the text is ambiguous:
 *   TPP of one engine at precision p = 2 x MacTOPS(p) x bits(p), dense rates;
 *   SIP_TPP_MAX_OF_SUMS (default): TPP_p = sum over every engine of every instance, TPP = max_p;
 *   SIP_TPP_SUM_OF_MAXES: each engine contributes its own best precision, summed.
 *   Performance density = TPP / applicable die area: every non-memory die (compute, io, custom)
 *   on a non-planar node (process_nm <= nonplanar_max_nm, or unknown = 0); memory dies (HBM)
 *   never count.
 *   I/O bandwidth (October 2022 rule) = both directions of every `io` block of every instance;
 *   die-to-die UCIe links stay inside the package and HBM is volatile memory: neither counts.
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

typedef struct {
    sip_tpp_aggregation_t aggregation;
    /* "Designed or marketed for use in datacenters" (Note 2 to 3A090).  The model has no such
     * flag, so the caller says; default true (the stricter reading). */
    bool datacenter;
    /* Dies at or below this node are non-planar (FinFET/GAA) and count in the PD denominator
     * (facts.md §2.3: planar >= 28 nm excluded, FinFET typically <= 16/14 nm).  Default 16. */
    int nonplanar_max_nm;
} sip_tpp_options_t;

SIP_EXPORT void sip_tpp_options_init(sip_tpp_options_t *options);
SIP_EXPORT const char *sip_tpp_aggregation_name(sip_tpp_aggregation_t aggregation);
SIP_EXPORT int sip_tpp_aggregation_lookup(const char *name); /* -1 if unknown */

/* The quantities a rule condition can test. */
typedef enum {
    SIP_METRIC_TPP,
    SIP_METRIC_PD,               /* TPP per mm2 of applicable die area */
    SIP_METRIC_IO_GBPS,          /* off-package I/O, both directions, GB/s */
    SIP_METRIC_HBM_DENSITY,      /* max over memory dies: GB/s per mm2 of stack footprint */
    SIP_METRIC_LOGIC_DIES,       /* number of non-memory dies in the package */
    SIP_METRIC_COUNT
} sip_metric_t;

SIP_EXPORT const char *sip_metric_name(sip_metric_t metric);
SIP_EXPORT const char *sip_metric_unit(sip_metric_t metric);

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
} sip_clause_t;

/* A rule set: clauses in the order the rule resolves them (first match wins). */
typedef struct {
    const char *id;           /* "bis-2023" */
    const char *title;
    const char *citation;
    const char *uncontrolled; /* name of the "no clause applies" outcome */
    int n_clauses;
    const sip_clause_t *clauses;
} sip_rule_t;

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
    sip_precision_t precision;               /* precision of the winning TPP (MAX_OF_SUMS) */
    double applicable_area_mm2;
    double logic_area_mm2;                   /* all non-memory dies, planar or not */
    double dram_GBps;                        /* total DRAM bandwidth (HBM/DDR), for reports */
} sip_tpp_metrics_t;

/* Outcome of one rule for one package. */
typedef struct {
    int rule;                   /* index into the rule tables */
    int clause;                 /* matching clause or -1 (uncontrolled) */
    const char *class_name;     /* clause name or the rule's uncontrolled name */
    /* margin = value - threshold of every condition of every clause, in rule order. */
    int n_margins;
    struct {
        int clause, condition;
        double value, threshold, margin;
        bool holds;
    } margins[32];
} sip_tpp_class_t;

/* One term of the TPP sum: one engine of one instance at one precision. */
typedef struct {
    int instance, engine;
    sip_precision_t precision;
    double mactops;   /* dense tera-MAC/s of all `count` engines */
    double tpp;       /* 2 x mactops x bits */
} sip_tpp_term_t;

typedef enum { SIP_KNOB_CLOCK, SIP_KNOB_MACS, SIP_KNOB_CHIPLETS, SIP_KNOB_IO, SIP_KNOB_COUNT } sip_knob_t;
SIP_EXPORT const char *sip_knob_name(sip_knob_t knob);
SIP_EXPORT const char *sip_knob_unit(sip_knob_t knob);

/* How far one knob can move before a threshold is reached.  Knob units: CLOCK = GHz of the
 * dominant engine (all engines scale together), MACS = scale factor on every engine's MACs per
 * cycle, CHIPLETS = number of instances of the dominant compute type, IO = off-package GB/s.
 * `limit` is the supremum of knob values v (from 0 up) at which the condition does not yet
 * hold / the rule stays uncontrolled; `inclusive` says whether v = limit itself still does;
 * INFINITY = never reached (the knob does not move that metric, or not far enough).
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
} sip_tpp_result_t;

/* Metrics only (no allocation): the fast path for sweeps. */
SIP_EXPORT sip_status_t sip_tpp_metrics(const sip_package_t *pkg, const sip_tpp_options_t *options,
                                        sip_tpp_metrics_t *out, sip_error_t *err);
/* Classify metrics under one rule; datacenter selects the scope. */
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
