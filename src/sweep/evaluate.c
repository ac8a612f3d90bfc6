/* Evaluating one variant: build it, run the enabled engines, test the constraints; and the row
 * text (CSV, JSON) the result files hold.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/check.h"
#include "sipsim/cost.h"
#include "sipsim/netsim.h"
#include "sipsim/thermal.h"
#include "sipsim/tpp.h"
#include "sipsim/traffic.h"
#include "sipsim/ucie.h"
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

/* An engine rejected the variant: the row is invalid, the sweep goes on. */
static sip_status_t invalid(sip_sweep_row_t *row, const char *engine, const sip_error_t *e)
{
    char msg[SIP_MESSAGE_MAX];
    sip_error_format(e, msg, sizeof msg);
    snprintf(row->reason, sizeof row->reason, "%s: %.400s", engine, msg);
    row->valid = false;
    return e->status == SIP_ENOMEM ? SIP_ENOMEM : SIP_OK;
}

static sip_status_t run_ucie(const sip_package_t *pkg, sip_sweep_row_t *row, sip_error_t *e)
{
    double sum = 0, min = INFINITY, lat = 0, peak = 0, fit = 0, raw = 0, pj = 0;
    for (int l = 0; l < pkg->n_links; l++) {
        sip_ucie_link_result_t r;
        SIP_TRY(sip_ucie_link_eval(pkg, l, &r, e));
        sum += r.payload_GBps_per_dir;
        min = fmin(min, r.payload_GBps_per_dir);
        lat = fmax(lat, r.latency_ns);
        peak += r.peak_power_w;
        fit += r.fit;
        raw += r.raw_GBps_bidir;
        pj += r.raw_GBps_bidir * r.energy_pj_per_bit;
    }
    double *m = row->metric;
    m[SIP__M_D2D_LINKS] = pkg->n_links;
    m[SIP__M_D2D_GBPS] = sum;
    m[SIP__M_D2D_MIN_GBPS] = pkg->n_links ? min : 0.0;
    m[SIP__M_D2D_LATENCY_NS] = lat;
    m[SIP__M_D2D_PJ_PER_BIT] = raw > 0 ? pj / raw : 0.0;
    m[SIP__M_D2D_PEAK_W] = peak;
    m[SIP__M_D2D_FIT] = fit;
    return SIP_OK;
}

static sip_status_t run_traffic(const sip_sweep_spec_t *spec, const sip_package_t *pkg,
                                sip_sweep_row_t *row, sip_error_t *e)
{
    sip_network_t *net = NULL;
    sip_routes_t *routes = NULL;
    sip_demand_matrix_t *d = NULL;
    sip_traffic_result_t *res = NULL;
    sip_pattern_params_t params;
    const char *pattern = spec->traffic_pattern[0] ? spec->traffic_pattern
                          : pkg->traffic.pattern[0] ? pkg->traffic.pattern
                                                    : "uniform";
    sip_status_t st = sip_network_from_package(pkg, NULL, &net, e);
    if (st == SIP_OK)
        st = sip_pattern_params_from_package(net, pkg, &params, e);
    if (st == SIP_OK)
        st = sip_routes_compute(net, (sip_routing_t)spec->routing, NULL, &routes, e);
    if (st == SIP_OK)
        st = sip_demand_build(net, pattern, &params, &d, e);
    if (st == SIP_OK)
        st = sip_traffic_evaluate(net, routes, d, NULL, &res, e);
    if (st == SIP_OK) {
        double *m = row->metric;
        m[SIP__M_SATURATION] = res->saturation_load;
        m[SIP__M_MAX_UTIL] = res->max_util;
        m[SIP__M_MEAN_HOPS] = res->mean_hops;
        m[SIP__M_ZERO_LOAD_NS] = res->mean_zero_load_ns;
        m[SIP__M_LATENCY_NS] = res->mean_latency_ns;
        m[SIP__M_TRAFFIC_W] = res->d2d_power_w;
        m[SIP__M_PJ_PER_BYTE] = res->energy_pj_per_byte;
    }
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);
    sip_routes_destroy(routes);
    sip_network_destroy(net);
    return st;
}

static sip_status_t run_thermal(const sip_sweep_spec_t *spec, const sip_package_t *pkg,
                                sip_sweep_row_t *row, sip_error_t *e)
{
    sip_thermal_options_t opt = {.grid_rows = spec->thermal_grid, .grid_cols = spec->thermal_grid,
                                 .secondary_r_c_per_w = -1.0, .skip_power_caps = true};
    sip_thermal_model_t *model = NULL;
    sip_thermal_result_t *res = NULL;
    sip_status_t st = sip_thermal_model_create(pkg, &opt, &model, e);
    if (st == SIP_OK)
        st = sip_thermal_solve(model, NULL, &res, e);
    if (st == SIP_OK) {
        row->metric[SIP__M_TJ_MAX_C] = res->t_max_c;
        row->metric[SIP__M_HEADROOM_C] = res->headroom_c;
        row->metric[SIP__M_BUDGET_W] = res->budget_power_w;
    }
    sip_thermal_result_destroy(res);
    sip_thermal_model_destroy(model);
    return st;
}

static sip_status_t run_netsim(const sip_sweep_spec_t *spec, const sip_package_t *pkg,
                               sip_sweep_row_t *row, sip_error_t *e)
{
    /* The CLI's package defaults (tools/cmd_netsim.c): 1 GHz router clock, 32-byte flits. */
    sip_netsim_net_t *net = NULL;
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    cfg.injection_rate = spec->netsim_rate;
    cfg.seed = spec->seed;
    sip_netsim_result_t res;
    memset(&res, 0, sizeof res);
    sip_status_t st = sip_netsim_net_from_package(pkg, 0, 1.0, 32, &net, e);
    if (st == SIP_OK)
        st = sip_netsim_run(net, &cfg, &res, e);
    if (st == SIP_OK) {
        row->metric[SIP__M_NETSIM_LATENCY] = res.status == SIP_NETSIM_OK ? res.packet.mean : INFINITY;
        row->metric[SIP__M_NETSIM_ACCEPTED] = res.accepted;
        row->metric[SIP__M_NETSIM_HOPS] = res.hops_mean;
    }
    sip_netsim_result_fini(&res);
    sip_netsim_net_destroy(net);
    return st;
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
    sip_error_t e;
    sip_error_clear(&e);
    double *m = row->metric;
    m[SIP__M_POWER_W] = sip_package_total_power_w(pkg);
    m[SIP__M_INSTANCES] = pkg->n_instances;
    int compute = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        compute += sip_instance_type(pkg, i)->kind == SIP_KIND_COMPUTE;
    m[SIP__M_COMPUTE] = compute;
    m[SIP__M_SUBSTRATE_MM2] = pkg->substrate.width_mm * pkg->substrate.height_mm;
    if (on(spec, SIP_SWEEP_CHECK)) {
        sip_check_result_t *c = NULL;
        if (sip_check_run(pkg, &c, &e) != SIP_OK)
            return invalid(row, "check", &e);
        m[SIP__M_CHECK_ERRORS] = c->n_errors;
        m[SIP__M_CHECK_WARNINGS] = c->n_warnings;
        /* the first error, for the reason of a row the check constraint drops (below) */
        if (c->n_errors > 0)
            snprintf(row->reason, sizeof row->reason, "[%.40s] %.150s:%d: %.300s", c->findings[0].rule,
                     c->findings[0].path, c->findings[0].line, c->findings[0].message);
        row->metric_text[SIP__M_CHECK] = c->n_errors ? "fail" : "ok";
        sip_check_result_destroy(c);
    }
    if (on(spec, SIP_SWEEP_UCIE) && run_ucie(pkg, row, &e) != SIP_OK)
        return invalid(row, "ucie", &e);
    if (on(spec, SIP_SWEEP_TPP)) {
        sip_tpp_options_t opt;
        sip_tpp_options_init(&opt);
        sip_tpp_metrics_t tm;
        if (sip_tpp_metrics(pkg, &opt, &tm, &e) != SIP_OK)
            return invalid(row, "tpp", &e);
        m[SIP__M_TPP] = tm.value[SIP_METRIC_TPP];
        m[SIP__M_PD] = tm.value[SIP_METRIC_PD];
        m[SIP__M_IO_GBPS] = tm.value[SIP_METRIC_IO_GBPS];
        m[SIP__M_HBM_DENSITY] = tm.value[SIP_METRIC_HBM_DENSITY];
        m[SIP__M_LOGIC_DIES] = tm.value[SIP_METRIC_LOGIC_DIES];
        /* TPP/PD classes: the October 2023 rule; HBM: the December 2024 rule (facts.md §2). */
        static const struct { const char *rule; int metric; } classes[] = {
            {"bis-2023", SIP__M_TPP_CLASS}, {"bis-2024-hbm", SIP__M_HBM_CLASS}};
        for (int i = 0; i < 2; i++) {
            int rule = sip_tpp_rule_find(classes[i].rule);
            if (rule < 0)
                continue;
            sip_tpp_class_t cls;
            sip_tpp_classify(&tm, rule, opt.datacenter, &cls);
            row->metric_text[classes[i].metric] = cls.class_name;
        }
    }
    if (on(spec, SIP_SWEEP_TRAFFIC) && run_traffic(spec, pkg, row, &e) != SIP_OK)
        return invalid(row, "traffic", &e);
    if (on(spec, SIP_SWEEP_COST)) {
        sip_cost_result_t *c = NULL;
        sip_cost_params_t cp;
        sip_cost_params_init(&cp);
        sip_cost_params_apply_spec(&cp, &pkg->cost);
        cp.skip_crossover = true; /* a per-package study no sweep metric reports */
        if (sip_cost_evaluate(pkg, &cp, &c, &e) != SIP_OK)
            return invalid(row, "cost", &e);
        m[SIP__M_COST_USD] = c->package.total_usd;
        m[SIP__M_RECURRING_USD] = c->package.recurring_usd;
        m[SIP__M_NRE_USD] = c->package.nre_per_unit_usd;
        m[SIP__M_USD_PER_TPP] = c->usd_per_tpp;
        m[SIP__M_ASSEMBLY_YIELD] = c->package.assembly_yield;
        m[SIP__M_LOGIC_MM2] = c->package.logic_area_mm2;
        sip_cost_result_destroy(c);
    }
    if (on(spec, SIP_SWEEP_THERMAL) && run_thermal(spec, pkg, row, &e) != SIP_OK)
        return invalid(row, "thermal", &e);
    if (on(spec, SIP_SWEEP_NETSIM) && run_netsim(spec, pkg, row, &e) != SIP_OK)
        return invalid(row, "netsim", &e);
    row->valid = true;
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

static sip_status_t put_json_string(char **b, size_t *l, size_t *c, const char *s)
{
    SIP_TRY(sip__buf_reserve(b, l, c, strlen(s) * 6 + 2));
    char *p = *b + *l;
    *p++ = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 0x20) {
            p += sprintf(p, "\\u%04x", ch);
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    *l = (size_t)(p - *b);
    (*b)[*l] = '\0';
    return SIP_OK;
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

static sip_status_t put_axis(const sip_sweep_spec_t *spec, int a, double v, bool json, char **b,
                             size_t *l, size_t *c)
{
    const sip_sweep_axis_t *ax = &spec->axes[a];
    const char *word = NULL;
    if (ax->words) {
        for (int i = 0; i < ax->n_values && !word; i++)
            if (ax->values[i] == v)
                word = ax->words[i];
    }
    if (word)
        return json ? put_json_string(b, l, c, word) : put_csv_string(b, l, c, word);
    return put_number(b, l, c, v, json);
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
        SIP_TRY(put_axis(spec, a, row->axis_value[a], false, b, l, c));
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

sip_status_t sip_sweep_row_json(const sip_sweep_spec_t *spec, const sip_sweep_row_t *row, char **b,
                                size_t *l, size_t *c)
{
    SIP_TRY(sip__buf_printf(b, l, c, "{\"id\":%llu,\"valid\":%s,\"feasible\":%s,\"axes\":{",
                            (unsigned long long)row->id, row->valid ? "true" : "false",
                            row->feasible ? "true" : "false"));
    for (int a = 0; a < spec->n_axes; a++) {
        if (a)
            SIP_TRY(sip__buf_printf(b, l, c, ","));
        SIP_TRY(put_json_string(b, l, c, spec->axes[a].name));
        SIP_TRY(sip__buf_printf(b, l, c, ":"));
        SIP_TRY(put_axis(spec, a, row->axis_value[a], true, b, l, c));
    }
    SIP_TRY(sip__buf_printf(b, l, c, "},\"metrics\":{"));
    int cols[SIP__M_COUNT];
    int n = sip_sweep_columns(spec, cols, SIP__M_COUNT);
    for (int i = 0; i < n; i++) {
        SIP_TRY(sip__buf_printf(b, l, c, "%s\"%s\":", i ? "," : "", sip_sweep_metric(cols[i])->name));
        if (sip_sweep_metric(cols[i])->is_text) {
            if (row->metric_text[cols[i]])
                SIP_TRY(put_json_string(b, l, c, row->metric_text[cols[i]]));
            else
                SIP_TRY(sip__buf_printf(b, l, c, "null"));
        } else {
            SIP_TRY(put_number(b, l, c, row->metric[cols[i]], true));
        }
    }
    SIP_TRY(sip__buf_printf(b, l, c, "}"));
    if (!row->valid || row->reason[0]) { /* invalid, or infeasible: why */
        SIP_TRY(sip__buf_printf(b, l, c, ",\"reason\":"));
        SIP_TRY(put_json_string(b, l, c, row->reason));
    }
    return sip__buf_printf(b, l, c, "}\n");
}

double sip__as_written(double v)
{
    if (!isfinite(v))
        return NAN;
    char tmp[40];
    tmp[fmt12(v, tmp)] = '\0';
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
