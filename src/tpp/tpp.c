/* TPP, performance density, I/O bandwidth and HBM density of a package; classification under
 * the rule tables of rules.c; what-if limits per knob.  Reading of the rule: include/sipsim/tpp.h
 * and facts.md §2.3.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/tpp.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relative tolerance of threshold comparisons (see sip_condition_holds). */
#define TPP_REL_TOL 1e-9
/* Largest instance count the chiplet-count what-if explores. */
#define TPP_MAX_CHIPLETS_WHATIF 4096

static const char *const aggregation_names[] = {"max_of_sums", "sum_of_maxes"};
static const char *const unknown_names[] = {"stricter", "nonplanar", "planar"};
static const char *const metric_names[] = {"tpp", "pd", "io", "hbm_density", "logic_dies",
                                           "processing_dies", "dram"};
static const char *const metric_units[] = {"", "/mm2", "GB/s", "GB/s/mm2", "dies", "dies", "GB/s"};
/* The rules' own terms (facts.md §2.2-2.5). */
static const char *const metric_labels[] = {
    "total processing performance", "performance density",
    "aggregate bidirectional transfer rate (off-package I/O)", "memory bandwidth density",
    "logic dies", "logic-processing dies (exclude co-packaged HBM)", "DRAM bandwidth"};
static const char *const cmp_symbols[] = {">=", ">", "<", "<="};
static const char *const knob_names[] = {"clock", "macs", "chiplets", "io", "clock_die"};
static const char *const knob_units[] = {"GHz", "x", "instances", "GB/s", "GHz"};

_Static_assert(sizeof metric_labels / sizeof metric_labels[0] == SIP_METRIC_COUNT, "metric table");
_Static_assert(sizeof knob_names / sizeof knob_names[0] == SIP_KNOB_COUNT, "knob table");

void sip_tpp_options_init(sip_tpp_options_t *options)
{
    memset(options, 0, sizeof *options);
    options->aggregation = SIP_TPP_SUM_OF_MAXES;
    options->datacenter = true;
    options->nonplanar_max_nm = 0;
    options->unknown_transistor = SIP_TPP_UNKNOWN_STRICTER;
}

const char *sip_tpp_unknown_name(sip_tpp_unknown_t u)
{
    return (unsigned)u < SIP_TPP_UNKNOWN_COUNT ? unknown_names[u] : "?";
}

int sip_tpp_unknown_lookup(const char *name)
{
    return sip_enum_lookup(unknown_names, SIP_TPP_UNKNOWN_COUNT, name);
}

const char *sip_tpp_aggregation_name(sip_tpp_aggregation_t a)
{
    return (unsigned)a < SIP_TPP_AGGREGATION_COUNT ? aggregation_names[a] : "?";
}

int sip_tpp_aggregation_lookup(const char *name)
{
    return sip_enum_lookup(aggregation_names, SIP_TPP_AGGREGATION_COUNT, name);
}

const char *sip_metric_name(sip_metric_t m)
{
    return (unsigned)m < SIP_METRIC_COUNT ? metric_names[m] : "?";
}

const char *sip_metric_unit(sip_metric_t m)
{
    return (unsigned)m < SIP_METRIC_COUNT ? metric_units[m] : "?";
}

const char *sip_metric_label(sip_metric_t m)
{
    return (unsigned)m < SIP_METRIC_COUNT ? metric_labels[m] : "?";
}

const char *sip_cmp_symbol(sip_cmp_t c)
{
    return (unsigned)c < SIP_CMP_COUNT ? cmp_symbols[c] : "?";
}

const char *sip_knob_name(sip_knob_t k)
{
    return (unsigned)k < SIP_KNOB_COUNT ? knob_names[k] : "?";
}

const char *sip_knob_unit(sip_knob_t k)
{
    return (unsigned)k < SIP_KNOB_COUNT ? knob_units[k] : "?";
}

bool sip_condition_holds(const sip_condition_t *c, double value)
{
    double eps = TPP_REL_TOL * fabs(c->threshold);
    switch (c->cmp) {
    case SIP_CMP_GE: return value >= c->threshold - eps;
    case SIP_CMP_GT: return value > c->threshold + eps;
    case SIP_CMP_LT: return value < c->threshold - eps;
    case SIP_CMP_LE: return value <= c->threshold + eps;
    default: return false;
    }
}

/* Dense tera-MAC/s of all `count` engines at one precision: MACs/cycle x GHz x 1e9 / 1e12. */
static double engine_mactops(const sip_engine_t *e, sip_precision_t p)
{
    for (int r = 0; r < e->n_rates; r++)
        if (e->rates[r].precision == p)
            return (double)e->count * e->rates[r].macs_per_cycle * e->clock_ghz * 1e-3;
    return 0.0;
}

double sip_engine_tpp(const sip_engine_t *e, sip_precision_t p)
{
    /* 3A090 technical note: TPP = 2 x MacTOPS x bit length (facts.md §2.3). */
    return 2.0 * engine_mactops(e, p) * sip_precision_bits(p);
}

static double engine_best_tpp(const sip_engine_t *e, sip_precision_t *best)
{
    double t = 0.0;
    if (best)
        *best = SIP_PREC_INT8;
    for (int p = 0; p < SIP_PREC_COUNT; p++) {
        double v = sip_engine_tpp(e, (sip_precision_t)p);
        if (v > t * (1.0 + TPP_REL_TOL)) {
            t = v;
            if (best)
                *best = (sip_precision_t)p;
        }
    }
    return t;
}

/* Per-instance contributions, the building blocks of the package metrics and the what-if. */
typedef struct {
    double by_precision[SIP_PREC_COUNT];
    double best_sum;      /* sum over engines of each engine's best precision */
    double applicable_mm2;  /* non-planar logic (stated, or derived on request) */
    double unknown_mm2;     /* logic whose transistor architecture is unknown */
    double logic_mm2;
    double io_GBps;       /* both directions */
    double hbm_density;   /* memory dies only */
    double dram_GBps;
    int logic_dies;
    int processing_dies;
    int unknown_dies;
    int io_blocks;
} contribution_t;

static bool type_is_logic(const sip_chiplet_type_t *t)
{
    return t->kind != SIP_KIND_MEMORY;
}

/* "Logic IC whose primary function is logic processing" (note to 3A090.c): a compute die or
 * any die with MAC engines.  An io/custom die without engines (HBM base die, memory
 * controller, PHY, switch) is not one, which is the restrictive side of the note. */
static bool type_is_processing(const sip_chiplet_type_t *t)
{
    return type_is_logic(t) && (t->kind == SIP_KIND_COMPUTE || t->n_engines > 0);
}

/* The die's transistor architecture as the PD denominator reads it. */
static sip_transistor_t type_transistor(const sip_chiplet_type_t *t, const sip_tpp_options_t *o)
{
    if (t->transistor != SIP_TRANSISTOR_UNKNOWN)
        return t->transistor;
    if (o->nonplanar_max_nm > 0 && t->process_nm > 0)
        return t->process_nm <= o->nonplanar_max_nm ? SIP_TRANSISTOR_FINFET : SIP_TRANSISTOR_PLANAR;
    return SIP_TRANSISTOR_UNKNOWN;
}

static bool transistor_nonplanar(sip_transistor_t tr)
{
    return tr == SIP_TRANSISTOR_FINFET || tr == SIP_TRANSISTOR_GAA;
}

static void contribution_of_type(const sip_chiplet_type_t *t, const sip_tpp_options_t *o,
                                 contribution_t *c)
{
    memset(c, 0, sizeof *c);
    for (int e = 0; e < t->n_engines; e++) {
        for (int p = 0; p < SIP_PREC_COUNT; p++)
            c->by_precision[p] += sip_engine_tpp(&t->engines[e], (sip_precision_t)p);
        c->best_sum += engine_best_tpp(&t->engines[e], NULL);
    }
    double area = t->width_mm * t->height_mm;
    if (type_is_logic(t)) {
        c->logic_mm2 = area;
        c->logic_dies = 1;
        c->processing_dies = type_is_processing(t);
        sip_transistor_t tr = type_transistor(t, o);
        if (tr == SIP_TRANSISTOR_UNKNOWN) {
            c->unknown_mm2 = area;
            c->unknown_dies = 1;
        } else if (transistor_nonplanar(tr)) {
            c->applicable_mm2 = area;
        }
    }
    for (int i = 0; i < t->n_ios; i++) {
        const sip_io_t *io = &t->ios[i];
        double per_dir = io->bandwidth_GBps > 0.0 ? io->bandwidth_GBps
                                                  : io->lanes * io->rate_gbps / 8.0;
        c->io_GBps += 2.0 * per_dir;
    }
    c->io_blocks = t->n_ios;
    double mem = 0.0;
    for (int m = 0; m < t->n_memories; m++)
        if (t->memories[m].kind != SIP_MEM_SRAM)
            mem += t->memories[m].bandwidth_GBps;
    c->dram_GBps = mem;
    if (!type_is_logic(t) && area > 0.0)
        c->hbm_density = mem / area;
}

static void contribution_add(contribution_t *sum, const contribution_t *c, double n)
{
    for (int p = 0; p < SIP_PREC_COUNT; p++)
        sum->by_precision[p] += n * c->by_precision[p];
    sum->best_sum += n * c->best_sum;
    sum->applicable_mm2 += n * c->applicable_mm2;
    sum->unknown_mm2 += n * c->unknown_mm2;
    sum->logic_mm2 += n * c->logic_mm2;
    sum->io_GBps += n * c->io_GBps;
    sum->logic_dies += (int)n * c->logic_dies;
    sum->processing_dies += (int)n * c->processing_dies;
    sum->unknown_dies += (int)n * c->unknown_dies;
    sum->io_blocks += (int)n * c->io_blocks;
    if (n > 0.0 && c->hbm_density > sum->hbm_density)
        sum->hbm_density = c->hbm_density;
}

static void metrics_from(const contribution_t *sum, double dram_memdies, double dram_logic,
                         const sip_tpp_options_t *o, bool unknown_counted, sip_tpp_metrics_t *m)
{
    memset(m, 0, sizeof *m);
    double best = 0.0;
    m->precision = SIP_PREC_INT8;
    for (int p = 0; p < SIP_PREC_COUNT; p++) {
        m->tpp_by_precision[p] = sum->by_precision[p];
        if (sum->by_precision[p] > best * (1.0 + TPP_REL_TOL)) {
            best = sum->by_precision[p];
            m->precision = (sip_precision_t)p;
        }
    }
    /* Precisions within the comparison tolerance of the best tie: none of them "wins". */
    for (int p = 0; p < SIP_PREC_COUNT && best > 0.0; p++)
        if (sum->by_precision[p] >= best * (1.0 - TPP_REL_TOL))
            m->tied[m->n_tied++] = (sip_precision_t)p;
    m->tpp_max_of_sums = best;
    m->tpp_sum_of_maxes = sum->best_sum;
    double tpp = o->aggregation == SIP_TPP_SUM_OF_MAXES ? sum->best_sum : best;
    m->value[SIP_METRIC_TPP] = tpp;
    m->n_unknown_transistor_dies = sum->unknown_dies;
    m->unknown_transistor_area_mm2 = sum->unknown_mm2;
    m->unknown_counted = unknown_counted && sum->unknown_dies > 0;
    double area = sum->applicable_mm2 + (m->unknown_counted ? sum->unknown_mm2 : 0.0);
    m->applicable_area_mm2 = area;
    m->logic_area_mm2 = sum->logic_mm2;
    /* No applicable die (all planar): PD is undefined; report 0 so no PD clause fires. */
    m->value[SIP_METRIC_PD] = area > 0.0 ? tpp / area : 0.0;
    if (o->io_given) {
        m->value[SIP_METRIC_IO_GBPS] = o->io_GBps;
    } else {
        m->value[SIP_METRIC_IO_GBPS] = sum->io_GBps;
        m->unknown[SIP_METRIC_IO_GBPS] = sum->io_blocks == 0;
    }
    m->value[SIP_METRIC_HBM_DENSITY] = sum->hbm_density;
    m->value[SIP_METRIC_LOGIC_DIES] = sum->logic_dies;
    m->value[SIP_METRIC_PROCESSING_DIES] = sum->processing_dies;
    /* HBM described on memory dies if there are any, else on the logic dies' memory entries
     * (never both: a compute die's `memory` entry may describe the very stacks beside it). */
    m->dram_GBps = dram_memdies > 0.0 ? dram_memdies : dram_logic;
    m->value[SIP_METRIC_DRAM_GBPS] = m->dram_GBps;
}

static sip_status_t check_package(const sip_package_t *pkg, const sip_tpp_options_t *o,
                                  sip_error_t *err)
{
    if ((unsigned)o->aggregation >= SIP_TPP_AGGREGATION_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "unknown TPP aggregation %d", o->aggregation);
    if ((unsigned)o->unknown_transistor >= SIP_TPP_UNKNOWN_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "unknown transistor treatment %d",
                             o->unknown_transistor);
    if (o->io_given && !(o->io_GBps >= 0.0 && isfinite(o->io_GBps)))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "given off-package I/O %g GB/s (expected a finite value >= 0)",
                             o->io_GBps);
    for (int i = 0; i < pkg->n_instances; i++) {
        int t = pkg->instances[i].type;
        if (t < 0 || t >= pkg->n_types)
            return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->instances[i].line,
                                 "instance '%s' has no chiplet type (expected a loaded type)",
                                 pkg->instances[i].name);
    }
    return SIP_OK;
}

/* Sum of every instance's contribution, optionally leaving out instances of one type or one
 * instance. */
static void package_sum(const sip_package_t *pkg, const sip_tpp_options_t *o, int skip_type,
                        int skip_instance, contribution_t *sum, double *dram_memdies,
                        double *dram_logic)
{
    memset(sum, 0, sizeof *sum);
    *dram_memdies = *dram_logic = 0.0;
    for (int i = 0; i < pkg->n_instances; i++) {
        if (pkg->instances[i].type == skip_type || i == skip_instance)
            continue;
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        contribution_t c;
        contribution_of_type(t, o, &c);
        contribution_add(sum, &c, 1.0);
        if (type_is_logic(t))
            *dram_logic += c.dram_GBps;
        else
            *dram_memdies += c.dram_GBps;
    }
}

static bool scope_matches(sip_scope_t scope, bool datacenter)
{
    return scope == SIP_SCOPE_ANY || (scope == SIP_SCOPE_DATACENTER) == datacenter;
}

double sip_tpp_class_rank(const sip_tpp_class_t *cls)
{
    const sip_rule_t *r = sip_tpp_rule(cls->rule);
    if (cls->clause >= 0)
        return cls->clause;
    if (!cls->evaluated)
        return cls->undecided_clause + 0.5;
    return r ? r->n_clauses + 1.0 : 1e9;
}

/* The reading with the stricter bis-2023 class (ties: the first). */
static bool stricter_2023(const sip_tpp_metrics_t *a, const sip_tpp_metrics_t *b, bool dc)
{
    int r = sip_tpp_rule_find("bis-2023");
    sip_tpp_class_t ca, cb;
    sip_tpp_classify(a, r, dc, &ca);
    sip_tpp_classify(b, r, dc, &cb);
    return sip_tpp_class_rank(&cb) < sip_tpp_class_rank(&ca);
}

sip_status_t sip_tpp_metrics(const sip_package_t *pkg, const sip_tpp_options_t *options,
                             sip_tpp_metrics_t *out, sip_error_t *err)
{
    sip_tpp_options_t o;
    if (options)
        o = *options;
    else
        sip_tpp_options_init(&o);
    memset(out, 0, sizeof *out);
    SIP_TRY(check_package(pkg, &o, err));
    contribution_t sum;
    double dm, dl;
    package_sum(pkg, &o, -1, -1, &sum, &dm, &dl);
    metrics_from(&sum, dm, dl, &o, o.unknown_transistor != SIP_TPP_UNKNOWN_PLANAR, out);
    if (o.unknown_transistor == SIP_TPP_UNKNOWN_STRICTER && sum.unknown_dies > 0) {
        sip_tpp_metrics_t excluded;
        metrics_from(&sum, dm, dl, &o, false, &excluded);
        if (stricter_2023(out, &excluded, o.datacenter))
            *out = excluded;
    }
    return SIP_OK;
}

void sip_tpp_classify(const sip_tpp_metrics_t *m, int rule, bool datacenter, sip_tpp_class_t *out)
{
    memset(out, 0, sizeof *out);
    out->rule = rule;
    out->clause = -1;
    out->undecided_clause = -1;
    out->evaluated = true;
    const sip_rule_t *r = sip_tpp_rule(rule);
    if (!r) {
        out->class_name = "?";
        return;
    }
    out->class_name = r->uncontrolled;
    int max_margins = (int)(sizeof out->margins / sizeof out->margins[0]);
    bool decided = false;  /* a clause matched, or one could not be decided */
    for (int c = 0; c < r->n_clauses; c++) {
        const sip_clause_t *cl = &r->clauses[c];
        if (!scope_matches(cl->scope, datacenter))
            continue;
        sip_tpp_truth_t truth = SIP_TPP_TRUE;
        for (int k = 0; k < cl->n_conditions; k++) {
            const sip_condition_t *cond = &cl->conditions[k];
            double v = m->value[cond->metric];
            bool known = !m->unknown[cond->metric];
            bool holds = known && sip_condition_holds(cond, v);
            if (!known && truth == SIP_TPP_TRUE)
                truth = SIP_TPP_UNDECIDED;
            else if (known && !holds)
                truth = SIP_TPP_FALSE;
            if (out->n_margins < max_margins) {
                int n = out->n_margins++;
                out->margins[n].clause = c;
                out->margins[n].condition = k;
                out->margins[n].value = known ? v : NAN;
                out->margins[n].threshold = cond->threshold;
                /* Positive = the condition holds by that much (see tpp.h). */
                bool upper = cond->cmp == SIP_CMP_LT || cond->cmp == SIP_CMP_LE;
                out->margins[n].margin = !known ? NAN : upper ? cond->threshold - v : v - cond->threshold;
                out->margins[n].holds = holds;
                out->margins[n].known = known;
            }
        }
        if (decided)
            continue;
        if (truth == SIP_TPP_TRUE) {
            out->clause = c;
            out->class_name = cl->name;
            decided = true;
        } else if (truth == SIP_TPP_UNDECIDED) {
            /* First match wins: a clause we cannot decide hides every later one. */
            out->evaluated = false;
            out->undecided_clause = c;
            out->class_name = "not evaluated";
            decided = true;
        }
    }
    if (out->clause < 0)
        return;
    int max_exc = (int)(sizeof out->exceptions / sizeof out->exceptions[0]);
    for (int x = 0; x < r->n_exceptions && out->n_exceptions < max_exc; x++) {
        const sip_exception_t *ex = &r->exceptions[x];
        if (ex->clause != out->clause)
            continue;
        sip_tpp_truth_t state = SIP_TPP_TRUE;
        for (int k = 0; k < ex->n_conditions; k++) {
            const sip_condition_t *cond = &ex->conditions[k];
            if (m->unknown[cond->metric]) {
                if (state == SIP_TPP_TRUE)
                    state = SIP_TPP_UNDECIDED;
            } else if (!sip_condition_holds(cond, m->value[cond->metric])) {
                state = SIP_TPP_FALSE;
            }
        }
        out->exceptions[out->n_exceptions].exception = x;
        out->exceptions[out->n_exceptions].state = state;
        out->n_exceptions++;
    }
}

static bool controlled_at(const sip_tpp_metrics_t *m, int rule, bool datacenter)
{
    sip_tpp_class_t cls;
    sip_tpp_classify(m, rule, datacenter, &cls);
    return cls.clause >= 0;
}

/* ---- what-if ---- */

/* A rule with a condition on a metric the package does not model has no whole-rule limit: the
 * knob cannot show it stays uncontrolled (NAN = not evaluated). */
static bool rule_needs_unknown(int rule, const sip_tpp_metrics_t *m, bool datacenter)
{
    const sip_rule_t *r = sip_tpp_rule(rule);
    for (int c = 0; r && c < r->n_clauses; c++) {
        if (!scope_matches(r->clauses[c].scope, datacenter))
            continue;
        for (int k = 0; k < r->clauses[c].n_conditions; k++)
            if (m->unknown[r->clauses[c].conditions[k].metric])
                return true;
    }
    return false;
}

/* Metrics that move linearly with a continuous knob k: value = base + slope * k. */
typedef struct {
    sip_tpp_metrics_t base;
    double slope[SIP_METRIC_COUNT];
} affine_t;

static void affine_at(const affine_t *a, double k, sip_tpp_metrics_t *m)
{
    *m = a->base;
    for (int i = 0; i < SIP_METRIC_COUNT; i++)
        m->value[i] = a->base.value[i] + a->slope[i] * k;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static sip_status_t push_limit(sip_tpp_result_t *res, int *cap, sip_tpp_limit_t lim, sip_error_t *err)
{
    if (res->n_limits == *cap) {
        int ncap = *cap ? 2 * *cap : 32;
        sip_tpp_limit_t *p = realloc(res->limits, (size_t)ncap * sizeof *p);
        if (!p)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate what-if limits");
        res->limits = p;
        *cap = ncap;
    }
    res->limits[res->n_limits++] = lim;
    return SIP_OK;
}

/* Limits of a continuous knob; `unit` converts the knob's internal value to its reported unit
 * (the clock knobs run on a scale factor and report GHz of the dominant engine). */
static sip_status_t limits_affine(sip_tpp_result_t *res, int *cap, sip_knob_t knob,
                                  const affine_t *a, double current, double unit, sip_error_t *err)
{
    bool dc = res->options.datacenter;
    for (int r = 0; r < sip_tpp_rule_count(); r++) {
        const sip_rule_t *rule = sip_tpp_rule(r);
        double bps[64];
        int nb = 0;
        for (int c = 0; c < rule->n_clauses; c++) {
            const sip_clause_t *cl = &rule->clauses[c];
            if (!scope_matches(cl->scope, dc))
                continue;
            for (int k = 0; k < cl->n_conditions; k++) {
                const sip_condition_t *cond = &cl->conditions[k];
                double s = a->slope[cond->metric];
                if (s <= 0.0)
                    continue;
                double cross = (cond->threshold - a->base.value[cond->metric]) / s;
                if (cross > 0.0 && nb < 64)
                    bps[nb++] = cross;
                if (cond->cmp != SIP_CMP_GE && cond->cmp != SIP_CMP_GT)
                    continue;
                sip_tpp_limit_t lim = {knob, r, c, k, current * unit, 0.0, false};
                if (cross > 0.0) {
                    lim.limit = cross * unit;
                    lim.inclusive = cond->cmp == SIP_CMP_GT;
                }
                SIP_TRY(push_limit(res, cap, lim, err));
            }
        }
        /* Whole rule: walk the breakpoints from 0 and stop at the first controlled point. */
        qsort(bps, (size_t)nb, sizeof bps[0], cmp_double);
        sip_tpp_limit_t lim = {knob, r, -1, -1, current * unit, INFINITY, false};
        sip_tpp_metrics_t m;
        affine_at(a, 0.0, &m);
        double prev = 0.0;
        if (controlled_at(&m, r, dc)) {
            lim.limit = 0.0;
        } else {
            for (int i = 0; i <= nb; i++) {
                double b = i < nb ? bps[i] : (prev > 0.0 ? 2.0 * prev : 1.0);
                affine_at(a, 0.5 * (prev + b), &m);
                if (controlled_at(&m, r, dc)) {
                    lim.limit = prev * unit;
                    lim.inclusive = true;
                    break;
                }
                if (i == nb)
                    break;
                affine_at(a, b, &m);
                if (controlled_at(&m, r, dc)) {
                    lim.limit = b * unit;
                    lim.inclusive = false;
                    break;
                }
                prev = b;
            }
        }
        if (rule_needs_unknown(r, &a->base, dc))
            lim.limit = NAN;
        SIP_TRY(push_limit(res, cap, lim, err));
    }
    return SIP_OK;
}

/* Chiplet-count knob: n instances of the dominant type plus everything else, n = 1..cap. */
static sip_status_t limits_chiplets(sip_tpp_result_t *res, int *cap, const sip_package_t *pkg,
                                    const sip_tpp_options_t *o, bool counted, sip_error_t *err)
{
    int type = res->dominant_type;
    contribution_t rest, unit;
    double dm, dl;
    package_sum(pkg, o, type, -1, &rest, &dm, &dl);
    contribution_of_type(&pkg->types[type], o, &unit);
    int current = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        current += pkg->instances[i].type == type;

    for (int r = 0; r < sip_tpp_rule_count(); r++) {
        const sip_rule_t *rule = sip_tpp_rule(r);
        /* Per condition: first n at which it holds; per rule: first n that is controlled. */
        int first[SIP_CLAUSE_MAX_CONDITIONS * 8];
        int first_controlled = -1;
        for (int c = 0; c < rule->n_clauses && c < 8; c++)
            for (int k = 0; k < rule->clauses[c].n_conditions; k++)
                first[c * SIP_CLAUSE_MAX_CONDITIONS + k] = -1;
        /* From one instance up: with none left the package is another product (an HBM-only
         * package, say), not a smaller version of this one. */
        for (int n = 1; n <= TPP_MAX_CHIPLETS_WHATIF; n++) {
            contribution_t sum = rest;
            contribution_add(&sum, &unit, (double)n);
            sip_tpp_metrics_t m;
            metrics_from(&sum, dm, dl + n * unit.dram_GBps, o, counted, &m);
            bool pending = first_controlled < 0;
            if (first_controlled < 0 && controlled_at(&m, r, o->datacenter))
                first_controlled = n;
            for (int c = 0; c < rule->n_clauses && c < 8; c++) {
                const sip_clause_t *cl = &rule->clauses[c];
                for (int k = 0; k < cl->n_conditions; k++) {
                    int *f = &first[c * SIP_CLAUSE_MAX_CONDITIONS + k];
                    if (*f >= 0)
                        continue;
                    pending = true;
                    if (sip_condition_holds(&cl->conditions[k], m.value[cl->conditions[k].metric]))
                        *f = n;
                }
            }
            if (!pending)
                break;
        }
        for (int c = 0; c < rule->n_clauses && c < 8; c++) {
            const sip_clause_t *cl = &rule->clauses[c];
            if (!scope_matches(cl->scope, o->datacenter))
                continue;
            for (int k = 0; k < cl->n_conditions; k++) {
                const sip_condition_t *cond = &cl->conditions[k];
                if (cond->cmp != SIP_CMP_GE && cond->cmp != SIP_CMP_GT)
                    continue;
                /* Only metrics one more chiplet moves. */
                bool moves = (cond->metric == SIP_METRIC_TPP || cond->metric == SIP_METRIC_PD)
                                 ? (unit.best_sum > 0.0)
                                 : cond->metric == SIP_METRIC_IO_GBPS ? unit.io_GBps > 0.0
                                 : cond->metric == SIP_METRIC_LOGIC_DIES;
                if (!moves)
                    continue;
                int f = first[c * SIP_CLAUSE_MAX_CONDITIONS + k];
                sip_tpp_limit_t lim = {SIP_KNOB_CHIPLETS, r, c, k, current, INFINITY, false};
                if (f == 1) {
                    lim.limit = 0.0;
                } else if (f > 1) {
                    lim.limit = f - 1;
                    lim.inclusive = true;
                }
                SIP_TRY(push_limit(res, cap, lim, err));
            }
        }
        sip_tpp_limit_t lim = {SIP_KNOB_CHIPLETS, r, -1, -1, current, INFINITY, false};
        if (first_controlled == 1) {
            lim.limit = 0.0;
        } else if (first_controlled > 1) {
            lim.limit = first_controlled - 1;
            lim.inclusive = true;
        }
        if (rule_needs_unknown(r, &res->metrics, o->datacenter))
            lim.limit = NAN;
        SIP_TRY(push_limit(res, cap, lim, err));
    }
    return SIP_OK;
}

static sip_status_t compute_limits(sip_tpp_result_t *res, const sip_package_t *pkg,
                                   const sip_tpp_options_t *o, bool counted, sip_error_t *err)
{
    int cap = 0;
    const sip_tpp_metrics_t *m = &res->metrics;
    if (res->dominant_instance >= 0) {
        /* Clock and MAC count of every engine scale TPP and PD together, nothing else. */
        affine_t a;
        memset(&a, 0, sizeof a);
        a.base = *m;
        a.base.value[SIP_METRIC_TPP] = a.base.value[SIP_METRIC_PD] = 0.0;
        a.slope[SIP_METRIC_TPP] = m->value[SIP_METRIC_TPP];
        a.slope[SIP_METRIC_PD] = m->value[SIP_METRIC_PD];
        const sip_chiplet_type_t *t = sip_instance_type(pkg, res->dominant_instance);
        double ghz = t->engines[res->dominant_engine].clock_ghz;
        SIP_TRY(limits_affine(res, &cap, SIP_KNOB_CLOCK, &a, 1.0, ghz, err));
        SIP_TRY(limits_affine(res, &cap, SIP_KNOB_MACS, &a, 1.0, 1.0, err));
        /* The dominant die alone: the rest of the package is the intercept.  Exact for the
         * sum-of-maxes reading (each engine keeps its best precision at any clock); for
         * max-of-sums the instance's share is taken at the winning precision, which is what
         * instance_tpp holds. */
        double inst = res->instance_tpp[res->dominant_instance];
        double area = m->applicable_area_mm2;
        memset(&a, 0, sizeof a);
        a.base = *m;
        a.base.value[SIP_METRIC_TPP] = m->value[SIP_METRIC_TPP] - inst;
        a.slope[SIP_METRIC_TPP] = inst;
        a.base.value[SIP_METRIC_PD] = area > 0.0 ? a.base.value[SIP_METRIC_TPP] / area : 0.0;
        a.slope[SIP_METRIC_PD] = area > 0.0 ? inst / area : 0.0;
        SIP_TRY(limits_affine(res, &cap, SIP_KNOB_CLOCK_DIE, &a, 1.0, ghz, err));
        SIP_TRY(limits_chiplets(res, &cap, pkg, o, counted, err));
    }
    affine_t a;
    memset(&a, 0, sizeof a);
    a.base = *m;
    a.base.value[SIP_METRIC_IO_GBPS] = 0.0;
    a.base.unknown[SIP_METRIC_IO_GBPS] = false; /* the knob sets it */
    a.slope[SIP_METRIC_IO_GBPS] = 1.0;
    return limits_affine(res, &cap, SIP_KNOB_IO, &a, m->value[SIP_METRIC_IO_GBPS], 1.0, err);
}

void sip_tpp_result_destroy(sip_tpp_result_t *res)
{
    if (!res)
        return;
    free(res->terms);
    free(res->instance_tpp);
    free(res->instance_applicable);
    free(res->classes);
    free(res->limits);
    free(res->readings);
    free(res->warnings);
    free(res);
}

static sip_status_t warn(sip_tpp_result_t *res, int *cap, int instance, sip_error_t *err,
                         const char *fmt, ...) SIP_PRINTF(5, 6);

static sip_status_t warn(sip_tpp_result_t *res, int *cap, int instance, sip_error_t *err,
                         const char *fmt, ...)
{
    if (res->n_warnings == *cap) {
        int ncap = *cap ? 2 * *cap : 8;
        sip_tpp_warning_t *p = realloc(res->warnings, (size_t)ncap * sizeof *p);
        if (!p)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate TPP warnings");
        res->warnings = p;
        *cap = ncap;
    }
    sip_tpp_warning_t *w = &res->warnings[res->n_warnings++];
    w->instance = instance;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
    return SIP_OK;
}

/* Warnings a compliance reader must see: dies whose planarity is unknown or assumed, I/O not
 * modelled, readings that disagree. */
static sip_status_t collect_warnings(sip_tpp_result_t *res, const sip_package_t *pkg,
                                     sip_error_t *err)
{
    int cap = 0;
    const sip_tpp_options_t *o = &res->options;
    for (int ty = 0; ty < pkg->n_types; ty++) {
        const sip_chiplet_type_t *t = &pkg->types[ty];
        if (!type_is_logic(t) || t->transistor != SIP_TRANSISTOR_UNKNOWN)
            continue;
        int first = -1, n = 0;
        for (int i = 0; i < pkg->n_instances; i++)
            if (pkg->instances[i].type == ty && n++ == 0)
                first = i;
        if (n == 0)
            continue;
        double area = t->width_mm * t->height_mm;
        if (type_transistor(t, o) != SIP_TRANSISTOR_UNKNOWN)
            SIP_TRY(warn(res, &cap, first, err,
                         "%s:%d: chiplet type '%s' (%d die%s) has no transistor key: read as %s "
                         "from process_nm %d against --nonplanar-max-nm %d (an assumption)",
                         t->path, t->line, t->name, n, n == 1 ? "" : "s",
                         transistor_nonplanar(type_transistor(t, o)) ? "non-planar" : "planar",
                         t->process_nm, o->nonplanar_max_nm));
        else
            SIP_TRY(warn(res, &cap, first, err,
                         "%s:%d: chiplet type '%s' (%d die%s, %.1f mm2 each%s) has no transistor "
                         "key (expected planar, finfet or gaa): PD is evaluated with its area "
                         "counted and left out, and the stricter class is reported",
                         t->path, t->line, t->name, n, n == 1 ? "" : "s", area,
                         t->process_nm > 0 ? "" : ", no process_nm either"));
    }
    if (res->metrics.unknown[SIP_METRIC_IO_GBPS])
        SIP_TRY(warn(res, &cap, -1, err,
                     "no die has an `io` block: off-package I/O is not modelled, so the October "
                     "2022 I/O criterion is not evaluated"));
    for (int r = 0; r < res->n_classes; r++) {
        const sip_tpp_class_t *g = &res->classes[r];
        for (int k = 0; k < res->n_readings; k++) {
            const sip_tpp_reading_t *rd = &res->readings[k];
            if (rd->classes[r].clause == g->clause && rd->classes[r].evaluated == g->evaluated)
                continue;
            SIP_TRY(warn(res, &cap, -1, err,
                         "%s: the %s reading%s gives %s (TPP %.1f, PD %.4f); the stricter %s is "
                         "reported",
                         sip_tpp_rule(r)->id, sip_tpp_aggregation_name(rd->aggregation),
                         rd->metrics.n_unknown_transistor_dies == 0 ? ""
                         : rd->unknown_counted ? " with unknown-transistor dies counted"
                                               : " with unknown-transistor dies left out",
                         rd->classes[r].class_name, rd->metrics.value[SIP_METRIC_TPP],
                         rd->metrics.value[SIP_METRIC_PD], g->class_name));
        }
    }
    return SIP_OK;
}

sip_status_t sip_tpp_evaluate(const sip_package_t *pkg, const sip_tpp_options_t *options,
                              sip_tpp_result_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_status_t st = SIP_OK;
    sip_tpp_result_t *res = calloc(1, sizeof *res);
    if (!res)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate TPP result");
    if (options)
        res->options = *options;
    else
        sip_tpp_options_init(&res->options);
    const sip_tpp_options_t *uo = &res->options;
    st = check_package(pkg, uo, err);
    if (st != SIP_OK)
        goto out;

    /* Readings: the asked-for aggregation first, then the other; unknown-transistor dies
     * counted and left out when the caller left that open. */
    contribution_t sum;
    double dm, dl;
    package_sum(pkg, uo, -1, -1, &sum, &dm, &dl);
    bool treat[2];
    int n_treat = 0;
    if (uo->unknown_transistor != SIP_TPP_UNKNOWN_PLANAR)
        treat[n_treat++] = true;
    if (uo->unknown_transistor == SIP_TPP_UNKNOWN_PLANAR ||
        (uo->unknown_transistor == SIP_TPP_UNKNOWN_STRICTER && sum.unknown_dies > 0))
        treat[n_treat++] = false;
    res->readings = calloc((size_t)(2 * n_treat), sizeof *res->readings);
    res->n_classes = sip_tpp_rule_count();
    res->classes = calloc((size_t)res->n_classes, sizeof *res->classes);
    if (!res->readings || !res->classes) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate TPP result");
        goto out;
    }
    for (int a = 0; a < 2; a++) {
        sip_tpp_options_t ro = *uo;
        ro.aggregation = a == 0 ? uo->aggregation
                                : (sip_tpp_aggregation_t)(SIP_TPP_SUM_OF_MAXES + SIP_TPP_MAX_OF_SUMS -
                                                          uo->aggregation);
        for (int u = 0; u < n_treat; u++) {
            sip_tpp_reading_t *rd = &res->readings[res->n_readings++];
            rd->aggregation = ro.aggregation;
            rd->unknown_counted = treat[u] && sum.unknown_dies > 0;
            metrics_from(&sum, dm, dl, &ro, treat[u], &rd->metrics);
            for (int r = 0; r < res->n_classes; r++)
                sip_tpp_classify(&rd->metrics, r, uo->datacenter, &rd->classes[r]);
        }
    }
    /* Governing reading per rule: the stricter class; ties go to the rule's own reading
     * (sum over all processing units), then to the order above. */
    for (int r = 0; r < res->n_classes; r++) {
        int g = 0;
        for (int k = 1; k < res->n_readings; k++) {
            double rk = sip_tpp_class_rank(&res->readings[k].classes[r]);
            double rg = sip_tpp_class_rank(&res->readings[g].classes[r]);
            if (rk < rg || (rk == rg && res->readings[k].aggregation == SIP_TPP_SUM_OF_MAXES &&
                            res->readings[g].aggregation != SIP_TPP_SUM_OF_MAXES))
                g = k;
        }
        res->governing[r] = g;
        res->classes[r] = res->readings[g].classes[r];
    }
    int r23 = sip_tpp_rule_find("bis-2023");
    const sip_tpp_reading_t *gov = &res->readings[r23 >= 0 ? res->governing[r23] : 0];
    res->metrics = gov->metrics;
    sip_tpp_options_t go = *uo;
    go.aggregation = gov->aggregation;

    int n = pkg->n_instances;
    size_t nterms = 0;
    for (int i = 0; i < n; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        for (int e = 0; e < t->n_engines; e++)
            nterms += (size_t)t->engines[e].n_rates;
    }
    res->terms = calloc(nterms ? nterms : 1, sizeof *res->terms);
    res->instance_tpp = calloc(n ? (size_t)n : 1, sizeof *res->instance_tpp);
    res->instance_applicable = calloc(n ? (size_t)n : 1, sizeof *res->instance_applicable);
    if (!res->terms || !res->instance_tpp || !res->instance_applicable) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate TPP result");
        goto out;
    }
    res->n_instances = n;

    sip_precision_t win = res->metrics.precision;
    bool maxes = go.aggregation == SIP_TPP_SUM_OF_MAXES;
    res->dominant_instance = res->dominant_type = res->dominant_engine = -1;
    res->dominant_precision = win;
    double best_inst = 0.0;
    for (int i = 0; i < n; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        sip_transistor_t tr = type_transistor(t, &go);
        res->instance_applicable[i] =
            type_is_logic(t) && (transistor_nonplanar(tr) ||
                                 (tr == SIP_TRANSISTOR_UNKNOWN && res->metrics.unknown_counted));
        double inst = 0.0;
        for (int e = 0; e < t->n_engines; e++) {
            const sip_engine_t *eng = &t->engines[e];
            for (int r = 0; r < eng->n_rates; r++) {
                sip_tpp_term_t *term = &res->terms[res->n_terms++];
                term->instance = i;
                term->engine = e;
                term->precision = eng->rates[r].precision;
                term->mactops = engine_mactops(eng, term->precision);
                term->tpp = sip_engine_tpp(eng, term->precision);
            }
            inst += maxes ? engine_best_tpp(eng, NULL) : sip_engine_tpp(eng, win);
        }
        res->instance_tpp[i] = inst;
        if (inst > best_inst) {
            best_inst = inst;
            res->dominant_instance = i;
        }
    }
    if (res->dominant_instance >= 0) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, res->dominant_instance);
        res->dominant_type = pkg->instances[res->dominant_instance].type;
        double best = -1.0;
        for (int e = 0; e < t->n_engines; e++) {
            sip_precision_t p = win;
            double v = maxes ? engine_best_tpp(&t->engines[e], &p) : sip_engine_tpp(&t->engines[e], win);
            if (v > best) {
                best = v;
                res->dominant_engine = e;
                res->dominant_precision = p;
            }
        }
    }
    st = compute_limits(res, pkg, &go, res->metrics.unknown_counted, err);
    if (st == SIP_OK)
        st = collect_warnings(res, pkg, err);
out:
    if (st != SIP_OK) {
        sip_tpp_result_destroy(res);
        return st;
    }
    *out = res;
    return SIP_OK;
}
