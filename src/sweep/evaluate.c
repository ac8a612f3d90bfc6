/* Evaluating one variant: build it, evaluate it once (sip_evaluate with the spec's options), map
 * the result to the row's metrics, test the constraints; and the row text (CSV, JSON) the
 * result files hold.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sipsim/eval.h"
#include "sweep/sweep_internal.h"

sip_status_t sip_sweep_row_init(sip_sweep_row_t *row, sip_error_t *err)
{
    memset(row, 0, sizeof *row);
    row->metric = malloc(SIP__M_COUNT * sizeof *row->metric);
    row->metric_text = calloc(SIP__M_COUNT, sizeof *row->metric_text);
    if (!row->metric || !row->metric_text) {
        sip_sweep_row_fini(row);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate a sweep row");
    }
    return SIP_OK;
}

void sip_sweep_row_fini(sip_sweep_row_t *row)
{
    if (!row)
        return;
    free(row->metric);
    free((void *)row->metric_text);
    row->metric = NULL;
    row->metric_text = NULL;
}

static bool on(const sip_sweep_spec_t *spec, sip_sweep_engine_t e)
{
    return (spec->engines & (1u << e)) != 0;
}

void sip_sweep_eval_options(const sip_sweep_spec_t *spec, sip_eval_options_t *o)
{
    *o = sip_eval_options_default();
    o->check = on(spec, SIP_SWEEP_CHECK);
    o->graph = false;
    o->ucie = on(spec, SIP_SWEEP_UCIE);
    o->traffic = on(spec, SIP_SWEEP_TRAFFIC);
    o->thermal = on(spec, SIP_SWEEP_THERMAL);
    o->tpp = on(spec, SIP_SWEEP_TPP);
    o->cost = on(spec, SIP_SWEEP_COST);
    o->workload = on(spec, SIP_SWEEP_WORKLOAD);
    o->netsim = on(spec, SIP_SWEEP_NETSIM);
    snprintf(o->traffic_pattern, sizeof o->traffic_pattern, "%s", spec->traffic_pattern);
    o->routing = (sip_routing_t)spec->routing;
    o->curve_points = 0;
    o->thermal_grid = spec->thermal_grid;
    o->thermal_power_caps = false;
    o->cost_crossover = false;
    o->tpp_detail = false;
    o->netsim_rate = spec->netsim_rate;
    o->netsim_seed = spec->seed;
}

/* An engine rejected the variant: the row is invalid, the sweep goes on. */
static void invalid(sip_sweep_row_t *row, const char *engine, const sip_error_t *e)
{
    char msg[SIP_MESSAGE_MAX];
    sip_error_format(e, msg, sizeof msg);
    snprintf(row->reason, sizeof row->reason, "%s: %.400s", engine, msg);
    row->valid = false;
}

static const char *tpp_class(const sip_tpp_result_t *t, const char *rule_id)
{
    int rule = sip_tpp_rule_find(rule_id);
    for (int i = 0; i < t->n_classes; i++)
        if (t->classes[i].rule == rule)
            return t->classes[i].class_name;
    return NULL;
}

/* The row's metrics from one evaluation (sipsim/eval.h).  The first enabled engine without a
 * result makes the row invalid, in the order check, ucie, tpp, traffic, cost, thermal, netsim,
 * workload. */
static void map_metrics(const sip_sweep_spec_t *spec, const sip_eval_result_t *r,
                        sip_sweep_row_t *row)
{
    const sip_package_t *pkg = r->pkg;
    double *m = row->metric;
    m[SIP__M_POWER_W] = sip_package_total_power_w(pkg);
    m[SIP__M_INSTANCES] = pkg->n_instances;
    int compute = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        compute += sip_instance_type(pkg, i)->kind == SIP_KIND_COMPUTE;
    m[SIP__M_COMPUTE] = compute;
    m[SIP__M_SUBSTRATE_MM2] = pkg->substrate.width_mm * pkg->substrate.height_mm;
    row->valid = false;
    if (on(spec, SIP_SWEEP_CHECK)) {
        if (!r->check)
            return invalid(row, "check", &r->check_error);
        m[SIP__M_CHECK_ERRORS] = r->check->n_errors;
        m[SIP__M_CHECK_WARNINGS] = r->check->n_warnings;
        /* the first error, for the reason of a row the check constraint drops */
        const sip_check_result_t *c = r->check;
        if (c->n_errors > 0)
            snprintf(row->reason, sizeof row->reason, "[%.40s] %.150s:%d: %.300s",
                     c->findings[0].rule, c->findings[0].path, c->findings[0].line,
                     c->findings[0].message);
        row->metric_text[SIP__M_CHECK] = c->n_errors ? "fail" : "ok";
    }
    if (on(spec, SIP_SWEEP_UCIE)) {
        if (!r->links)
            return invalid(row, "ucie", &r->ucie_error);
        double sum = 0, min = INFINITY, lat = 0, peak = 0, fit = 0, raw = 0, pj = 0;
        for (int l = 0; l < pkg->n_links; l++) {
            const sip_ucie_link_result_t *u = &r->links[l];
            sum += u->payload_GBps_per_dir;
            min = fmin(min, u->payload_GBps_per_dir);
            lat = fmax(lat, u->latency_ns);
            peak += u->peak_power_w;
            fit += u->fit;
            raw += u->raw_GBps_bidir;
            pj += u->raw_GBps_bidir * u->energy_pj_per_bit;
        }
        m[SIP__M_D2D_LINKS] = pkg->n_links;
        m[SIP__M_D2D_GBPS] = sum;
        m[SIP__M_D2D_MIN_GBPS] = pkg->n_links ? min : 0.0;
        m[SIP__M_D2D_LATENCY_NS] = lat;
        m[SIP__M_D2D_PJ_PER_BIT] = raw > 0 ? pj / raw : 0.0;
        m[SIP__M_D2D_PEAK_W] = peak;
        m[SIP__M_D2D_FIT] = fit;
    }
    if (on(spec, SIP_SWEEP_TPP)) {
        if (!r->tpp)
            return invalid(row, "tpp", &r->tpp_error);
        const sip_tpp_metrics_t *tm = &r->tpp->metrics;
        m[SIP__M_TPP] = tm->value[SIP_METRIC_TPP];
        m[SIP__M_PD] = tm->value[SIP_METRIC_PD];
        m[SIP__M_IO_GBPS] = tm->value[SIP_METRIC_IO_GBPS];
        m[SIP__M_HBM_DENSITY] = tm->value[SIP_METRIC_HBM_DENSITY];
        m[SIP__M_LOGIC_DIES] = tm->value[SIP_METRIC_LOGIC_DIES];
        /* TPP/PD classes: the October 2023 rule; HBM: the December 2024 rule (facts.md §2). */
        row->metric_text[SIP__M_TPP_CLASS] = tpp_class(r->tpp, "bis-2023");
        row->metric_text[SIP__M_HBM_CLASS] = tpp_class(r->tpp, "bis-2024-hbm");
    }
    if (on(spec, SIP_SWEEP_TRAFFIC)) {
        if (!r->traffic)
            return invalid(row, "traffic", &r->traffic_error);
        const sip_traffic_result_t *t = r->traffic;
        m[SIP__M_SATURATION] = t->saturation_load;
        m[SIP__M_MAX_UTIL] = t->max_util;
        m[SIP__M_MEAN_HOPS] = t->mean_hops;
        m[SIP__M_ZERO_LOAD_NS] = t->mean_zero_load_ns;
        m[SIP__M_LATENCY_NS] = t->mean_latency_ns;
        m[SIP__M_TRAFFIC_W] = t->d2d_power_w;
        m[SIP__M_PJ_PER_BYTE] = t->energy_pj_per_byte;
    }
    if (on(spec, SIP_SWEEP_COST)) {
        if (!r->cost)
            return invalid(row, "cost", &r->cost_error);
        const sip_cost_result_t *c = r->cost;
        m[SIP__M_COST_USD] = c->package.total_usd;
        m[SIP__M_RECURRING_USD] = c->package.recurring_usd;
        m[SIP__M_NRE_USD] = c->package.nre_per_unit_usd;
        m[SIP__M_USD_PER_TPP] = c->usd_per_tpp;
        m[SIP__M_ASSEMBLY_YIELD] = c->package.assembly_yield;
        m[SIP__M_LOGIC_MM2] = c->package.logic_area_mm2;
    }
    if (on(spec, SIP_SWEEP_THERMAL)) {
        if (!r->thermal)
            return invalid(row, "thermal", &r->thermal_error);
        m[SIP__M_TJ_MAX_C] = r->thermal->t_max_c;
        m[SIP__M_HEADROOM_C] = r->thermal->headroom_c;
        m[SIP__M_BUDGET_W] = r->thermal->budget_power_w;
    }
    if (on(spec, SIP_SWEEP_NETSIM)) {
        if (!r->netsim_done)
            return invalid(row, "netsim", &r->netsim_error);
        const sip_netsim_result_t *n = &r->netsim;
        m[SIP__M_NETSIM_LATENCY] = n->status == SIP_NETSIM_OK ? n->packet.mean : INFINITY;
        m[SIP__M_NETSIM_ACCEPTED] = n->accepted;
        m[SIP__M_NETSIM_HOPS] = n->hops_mean;
    }
    /* A package without a workload section has no workload metrics (empty), not an invalid row. */
    if (on(spec, SIP_SWEEP_WORKLOAD) && pkg->workload.present) {
        const sip_workload_result_t *w = r->workload;
        if (!w)
            return invalid(row, "workload", &r->workload_error);
        m[SIP__M_TOKENS_PER_S] = w->tokens_per_s;
        m[SIP__M_TTFT_MS] = 1e3 * w->ttft_s;
        m[SIP__M_TPOT_MS] = 1e3 * w->tpot_s;
        m[SIP__M_J_PER_TOKEN] = w->j_per_token;
        m[SIP__M_MAC_UTILIZATION] = w->step->mac_utilization;
        m[SIP__M_WORKLOAD_FITS] = w->fits ? 1.0 : 0.0;
        row->metric_text[SIP__M_WORKLOAD_LIMIT] = sip_limit_name(w->step->limit);
        m[SIP__M_USD_PER_TOKENS_PER_S] = r->cost ? r->cost->usd_per_tokens_per_s : NAN;
    }
    row->valid = true;
}

static bool holds(const sip_sweep_constraint_t *c, const sip_sweep_row_t *row)
{
    if (sip_sweep_metric(c->metric)->is_text) {
        const char *v = row->metric_text[c->metric];
        bool eq = v && strcmp(v, c->word) == 0;
        return c->op == SIP_OP_EQ ? eq : !eq;
    }
    double v = row->metric[c->metric];
    if (isnan(v))
        return false;
    switch (c->op) {
    case SIP_OP_LT: return v < c->value;
    case SIP_OP_LE: return v <= c->value;
    case SIP_OP_GT: return v > c->value;
    case SIP_OP_GE: return v >= c->value;
    case SIP_OP_EQ: return v == c->value;
    case SIP_OP_NE: return v != c->value;
    default: return false;
    }
}

static sip_status_t evaluate(const sip_sweep_spec_t *spec, const sip_package_t *pkg,
                             sip_sweep_row_t *row)
{
    sip_eval_options_t o;
    sip_sweep_eval_options(spec, &o);
    sip_eval_result_t *r = NULL;
    sip_error_t e;
    sip_error_clear(&e);
    sip_status_t st = sip_evaluate(pkg, &o, &r, &e);
    if (st != SIP_OK)
        return st; /* ENOMEM: an engine's own failure is kept in the result */
    map_metrics(spec, r, row);
    sip_eval_result_destroy(r);
    return SIP_OK;
}

sip_status_t sip_sweep_evaluate(const sip_sweep_spec_t *spec, uint64_t id, sip_sweep_row_t *row,
                                sip_error_t *err)
{
    row->id = id;
    row->valid = false;
    row->feasible = false;
    row->reason[0] = '\0';
    for (int i = 0; i < SIP__M_COUNT; i++) {
        row->metric[i] = NAN;
        row->metric_text[i] = NULL;
    }
    sip_sweep_variant_values(spec, id, row->axis_value);
    sip_error_t e;
    sip_error_clear(&e);
    sip_package_t *pkg = NULL;
    sip_status_t st = sip_sweep_variant_build(spec, row->axis_value, &pkg, &e);
    if (st == SIP_ENOMEM)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory building variant %llu",
                             (unsigned long long)id);
    if (st != SIP_OK) {
        invalid(row, "variant", &e);
        return SIP_OK;
    }
    st = evaluate(spec, pkg, row);
    sip_package_destroy(pkg);
    if (st != SIP_OK)
        return sip_error_set(err, st, NULL, 0, "out of memory evaluating variant %llu",
                             (unsigned long long)id);
    if (row->valid) {
        /* An infeasible row says which constraint drops it and, for the design-rule check, the
         * first error (held in reason by evaluate()); a feasible row has no reason. */
        char check_error[sizeof row->reason];
        snprintf(check_error, sizeof check_error, "%s", row->reason);
        row->reason[0] = '\0';
        row->feasible = true;
        for (int c = 0; c < spec->n_constraints && row->feasible; c++) {
            const sip_sweep_constraint_t *k = &spec->constraints[c];
            row->feasible = holds(k, row);
            if (row->feasible)
                continue;
            const bool on_check = k->metric == SIP__M_CHECK || k->metric == SIP__M_CHECK_ERRORS;
            snprintf(row->reason, sizeof row->reason, "constraint '%.100s' fails%s%.380s",
                     k->text, on_check && check_error[0] ? ": " : "", on_check ? check_error : "");
        }
    }
    return SIP_OK;
}

/* ------------------------------------------------------------------ row text */

static sip_status_t put_str(char **b, size_t *l, size_t *c, const char *s, size_t n)
{
    SIP_TRY(sip__buf_reserve(b, l, c, n));
    memcpy(*b + *l, s, n);
    *l += n;
    (*b)[*l] = '\0';
    return SIP_OK;
}

/* Numbers: 12 significant digits in printf's %g layout, the same bytes on every run, thread and
 * rank.  printf's exact multi-precision float path was most of a row's formatting time; here the
 * 12 digits come from one correctly rounded IEEE multiply or divide by an exact power of ten
 * (10^0..10^22 are exact doubles), so the text is a pure function of the value.  Outside that
 * range (and for 0 / non-finite) printf is used. */
static int fmt12(double v, char *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double a = fabs(v);
    if (v == floor(v) && a < 1e12)
        return snprintf(out, 40, "%lld", (long long)v);
    int e = (int)floor(log10(a));
    long long m = 0;
    for (int tries = 0; tries < 3; tries++) {
        int k = 11 - e;
        if (k > 22 || k < -22)
            return snprintf(out, 40, "%.12g", v);
        m = llround(k >= 0 ? a * p10[k] : a / p10[-k]);
        if (m >= 1000000000000LL)
            e++;
        else if (m < 100000000000LL)
            e--;
        else
            break;
    }
    if (m < 100000000000LL || m >= 1000000000000LL)
        return snprintf(out, 40, "%.12g", v);
    char d[13];
    for (int i = 11; i >= 0; i--) {
        d[i] = (char)('0' + m % 10);
        m /= 10;
    }
    int nd = 12;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    int n = 0;
    if (v < 0)
        out[n++] = '-';
    if (e < -4 || e >= 12) {
        out[n++] = d[0];
        if (nd > 1) {
            out[n++] = '.';
            for (int i = 1; i < nd; i++)
                out[n++] = d[i];
        }
        n += snprintf(out + n, 8, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        return n;
    }
    if (e < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = 0; i < -e - 1; i++)
            out[n++] = '0';
        for (int i = 0; i < nd; i++)
            out[n++] = d[i];
        return n;
    }
    for (int i = 0; i <= e; i++)
        out[n++] = i < nd ? d[i] : '0';
    if (nd > e + 1) {
        out[n++] = '.';
        for (int i = e + 1; i < nd; i++)
            out[n++] = d[i];
    }
    return n;
}

static sip_status_t put_number(char **b, size_t *l, size_t *c, double v, bool json)
{
    if (isnan(v))
        return json ? put_str(b, l, c, "null", 4) : SIP_OK;
    if (isinf(v))
        return json ? put_str(b, l, c, "null", 4) : v > 0 ? put_str(b, l, c, "inf", 3)
                                                          : put_str(b, l, c, "-inf", 4);
    char tmp[40];
    int n = fmt12(v, tmp);
    return put_str(b, l, c, tmp, (size_t)n);
}

static sip_status_t put_csv_string(char **b, size_t *l, size_t *c, const char *s)
{
    if (!strpbrk(s, ",\"\n\r"))
        return sip__buf_printf(b, l, c, "%s", s);
    SIP_TRY(sip__buf_reserve(b, l, c, strlen(s) * 2 + 2));
    char *p = *b + *l;
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"')
            *p++ = '"';
        *p++ = (*s == '\n' || *s == '\r') ? ' ' : *s;
    }
    *p++ = '"';
    *l = (size_t)(p - *b);
    (*b)[*l] = '\0';
    return SIP_OK;
}

static const char *axis_word(const sip_sweep_spec_t *spec, int a, double v)
{
    const sip_sweep_axis_t *ax = &spec->axes[a];
    for (int i = 0; ax->words && i < ax->n_values; i++)
        if (ax->values[i] == v)
            return ax->words[i];
    return NULL;
}

static sip_status_t put_axis(const sip_sweep_spec_t *spec, int a, double v, char **b, size_t *l,
                             size_t *c)
{
    const char *word = axis_word(spec, a, v);
    return word ? put_csv_string(b, l, c, word) : put_number(b, l, c, v, false);
}

sip_status_t sip_sweep_csv_header(const sip_sweep_spec_t *spec, char **b, size_t *l, size_t *c)
{
    SIP_TRY(sip__buf_printf(b, l, c, "id,valid,feasible"));
    for (int a = 0; a < spec->n_axes; a++) {
        SIP_TRY(sip__buf_printf(b, l, c, ","));
        SIP_TRY(put_csv_string(b, l, c, spec->axes[a].name));
    }
    int cols[SIP__M_COUNT];
    int n = sip_sweep_columns(spec, cols, SIP__M_COUNT);
    for (int i = 0; i < n; i++)
        SIP_TRY(sip__buf_printf(b, l, c, ",%s", sip_sweep_metric(cols[i])->name));
    return sip__buf_printf(b, l, c, ",reason\n");
}

sip_status_t sip_sweep_row_csv(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row, char **b,
                               size_t *l, size_t *c)
{
    SIP_TRY(sip__buf_printf(b, l, c, "%llu,%d,%d", (unsigned long long)row->id, row->valid,
                            row->feasible));
    for (int a = 0; a < spec->n_axes; a++) {
        SIP_TRY(sip__buf_printf(b, l, c, ","));
        SIP_TRY(put_axis(spec, a, row->axis_value[a], b, l, c));
    }
    int cols[SIP__M_COUNT];
    int n = sip_sweep_columns(spec, cols, SIP__M_COUNT);
    for (int i = 0; i < n; i++) {
        SIP_TRY(sip__buf_printf(b, l, c, ","));
        if (sip_sweep_metric(cols[i])->is_text) {
            if (row->metric_text[cols[i]])
                SIP_TRY(put_csv_string(b, l, c, row->metric_text[cols[i]]));
        } else {
            SIP_TRY(put_number(b, l, c, row->metric[cols[i]], false));
        }
    }
    SIP_TRY(sip__buf_printf(b, l, c, ","));
    SIP_TRY(put_csv_string(b, l, c, row->reason));
    return sip__buf_printf(b, l, c, "\n");
}

/* A number of a JSON row: whole values below 1e12 as integers (as the CSV writes them), others
 * as reals with 12 significant digits (JSON_REAL_PRECISION below), non-finite as null. */
static json_t *row_number(double v)
{
    if (!isfinite(v))
        return json_null();
    if (v == floor(v) && fabs(v) < 1e12)
        return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *row_string(const char *s)
{
    json_t *j = json_string(s);
    return j ? j : json_stringn("?", 1); /* invalid UTF-8 in a user string */
}

static bool set(json_t *o, const char *key, json_t *v)
{
    return v && json_object_set_new(o, key, v) == 0;
}

sip_status_t sip_sweep_row_json(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row, char **b,
                                size_t *l, size_t *c)
{
    json_t *o = json_object(), *axes = json_object(), *metrics = json_object();
    bool ok = o && axes && metrics && set(o, "id", json_integer((json_int_t)row->id)) &&
              set(o, "valid", json_boolean(row->valid)) &&
              set(o, "feasible", json_boolean(row->feasible));
    for (int a = 0; ok && a < spec->n_axes; a++) {
        const char *word = axis_word(spec, a, row->axis_value[a]);
        ok = set(axes, spec->axes[a].name,
                 word ? row_string(word) : row_number(row->axis_value[a]));
    }
    int cols[SIP__M_COUNT];
    int n = sip_sweep_columns(spec, cols, SIP__M_COUNT);
    for (int i = 0; ok && i < n; i++) {
        const sip_sweep_metric_info_t *m = sip_sweep_metric(cols[i]);
        const char *text = row->metric_text[cols[i]];
        ok = set(metrics, m->name,
                 m->is_text ? (text ? row_string(text) : json_null())
                            : row_number(row->metric[cols[i]]));
    }
    if (ok) {
        ok = set(o, "axes", axes); /* o owns it from here, set or not */
        axes = NULL;
    }
    if (ok) {
        ok = set(o, "metrics", metrics);
        metrics = NULL;
    }
    if (ok && (!row->valid || row->reason[0])) /* invalid, or infeasible: why */
        ok = set(o, "reason", row_string(row->reason));
    char *text = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))
                    : NULL;
    json_decref(o);
    json_decref(axes);
    json_decref(metrics);
    if (!text)
        return SIP_ENOMEM;
    sip_status_t st = sip__buf_printf(b, l, c, "%s\n", text);
    free(text);
    return st;
}

/* The value a JSON row holds for v: JSON_REAL_PRECISION(12) is printf's %.12g. */
double sip__as_written(double v)
{
    if (!isfinite(v))
        return NAN;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.12g", v);
    return strtod(tmp, NULL);
}

sip_status_t sip__row_text(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row,
                           sip__row_text_t *t)
{
    t->csv_len = t->json_len = 0;
    SIP_TRY(sip_sweep_row_csv(spec, row, &t->csv, &t->csv_len, &t->csv_cap));
    return sip_sweep_row_json(spec, row, &t->json, &t->json_len, &t->json_cap);
}

sip_status_t sip__row_evaluate(const sip_sweep_spec_t *spec, const sip_sweep_run_options_t *opt,
                               uint64_t pos, sip_sweep_row_t *row, sip__row_text_t *text,
                               double *objectives, sip_error_t *err)
{
    SIP_TRY(sip_sweep_evaluate(spec, sip__shard_id(opt, pos), row, err));
    if (sip__row_text(spec, row, text) != SIP_OK)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
    for (int j = 0; j < spec->n_objectives; j++)
        objectives[j] = sip__as_written(row->metric[spec->objectives[j].metric]);
    return SIP_OK;
}
