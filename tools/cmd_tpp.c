/* sipsim tpp FILE: TPP, performance density, I/O bandwidth, HBM density, the class under every
 * BIS rule table with each threshold's margin, and what-if limits.  Table or --json.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/tpp.h"

static json_t *num(double v)
{
    /* JSON has no infinity: an unreached limit is null. */
    return isfinite(v) ? json_real(v) : json_null();
}

static const char *truth_name(sip_tpp_truth_t t)
{
    return t == SIP_TPP_TRUE ? "holds" : t == SIP_TPP_FALSE ? "fails" : "not evaluated";
}

static json_t *class_json(const sip_tpp_class_t *cls)
{
    const sip_rule_t *rule = sip_tpp_rule(cls->rule);
    json_t *e = json_object();
    json_object_set_new(e, "rule", json_string(rule->id));
    json_object_set_new(e, "title", json_string(rule->title));
    json_object_set_new(e, "citation", json_string(rule->citation));
    json_object_set_new(e, "published", json_string(rule->published));
    json_object_set_new(e, "effective", json_string(rule->effective));
    json_object_set_new(e, "source", json_string(rule->source));
    json_object_set_new(e, "class", json_string(cls->class_name));
    json_object_set_new(e, "controlled", json_boolean(cls->clause >= 0));
    json_object_set_new(e, "evaluated", json_boolean(cls->evaluated));
    if (cls->clause >= 0)
        json_object_set_new(e, "consequence", json_string(rule->clauses[cls->clause].consequence));
    json_t *ms = json_array();
    for (int k = 0; k < cls->n_margins; k++) {
        const sip_clause_t *cl = &rule->clauses[cls->margins[k].clause];
        const sip_condition_t *cond = &cl->conditions[cls->margins[k].condition];
        json_t *x = json_object();
        json_object_set_new(x, "clause", json_string(cl->name));
        json_object_set_new(x, "metric", json_string(sip_metric_name(cond->metric)));
        json_object_set_new(x, "term", json_string(sip_metric_label(cond->metric)));
        json_object_set_new(x, "cmp", json_string(sip_cmp_symbol(cond->cmp)));
        json_object_set_new(x, "threshold", json_real(cond->threshold));
        json_object_set_new(x, "value", num(cls->margins[k].value));
        json_object_set_new(x, "margin", num(cls->margins[k].margin));
        json_object_set_new(x, "holds", json_boolean(cls->margins[k].holds));
        json_object_set_new(x, "known", json_boolean(cls->margins[k].known));
        json_object_set_new(x, "source", json_string(cl->source));
        json_object_set_new(x, "verified", json_boolean(cl->verified));
        json_array_append_new(ms, x);
    }
    json_object_set_new(e, "margins", ms);
    json_t *xs = json_array();
    for (int k = 0; k < cls->n_exceptions; k++) {
        const sip_exception_t *ex = &rule->exceptions[cls->exceptions[k].exception];
        json_t *x = json_object();
        json_object_set_new(x, "exception", json_string(ex->name));
        json_object_set_new(x, "evaluated_conditions", json_string(truth_name(cls->exceptions[k].state)));
        json_t *ne = json_array();
        for (int u = 0; u < ex->n_unevaluated; u++)
            json_array_append_new(ne, json_string(ex->unevaluated[u]));
        json_object_set_new(x, "not_evaluated", ne);
        json_object_set_new(x, "source", json_string(ex->source));
        json_array_append_new(xs, x);
    }
    json_object_set_new(e, "exceptions", xs);
    return e;
}

static json_t *metrics_json(const sip_tpp_metrics_t *m)
{
    json_t *o = json_object();
    for (int k = 0; k < SIP_METRIC_COUNT; k++)
        json_object_set_new(o, sip_metric_name((sip_metric_t)k),
                            m->unknown[k] ? json_null() : json_real(m->value[k]));
    json_object_set_new(o, "tpp_sum_of_maxes", json_real(m->tpp_sum_of_maxes));
    json_object_set_new(o, "tpp_max_of_sums", json_real(m->tpp_max_of_sums));
    json_object_set_new(o, "applicable_area_mm2", json_real(m->applicable_area_mm2));
    json_object_set_new(o, "unknown_transistor_area_mm2", json_real(m->unknown_transistor_area_mm2));
    json_object_set_new(o, "unknown_transistor_counted", json_boolean(m->unknown_counted));
    return o;
}

static json_t *to_json(const sip_package_t *pkg, const sip_tpp_result_t *r)
{
    const sip_tpp_metrics_t *m = &r->metrics;
    json_t *o = json_object();
    json_object_set_new(o, "package", json_string(pkg->name));
    json_object_set_new(o, "aggregation", json_string(sip_tpp_aggregation_name(r->options.aggregation)));
    json_object_set_new(o, "datacenter", json_boolean(r->options.datacenter));
    json_object_set_new(o, "nonplanar_max_nm", json_integer(r->options.nonplanar_max_nm));
    json_object_set_new(o, "unknown_transistor", json_string(sip_tpp_unknown_name(r->options.unknown_transistor)));
    json_object_set_new(o, "tpp", json_real(m->value[SIP_METRIC_TPP]));
    json_object_set_new(o, "precision", json_string(sip_precision_name(m->precision)));
    json_t *tie = json_array();
    for (int k = 0; m->n_tied > 1 && k < m->n_tied; k++)
        json_array_append_new(tie, json_string(sip_precision_name(m->tied[k])));
    json_object_set_new(o, "precision_tie", tie);
    json_object_set_new(o, "performance_density", json_real(m->value[SIP_METRIC_PD]));
    json_object_set_new(o, "applicable_area_mm2", json_real(m->applicable_area_mm2));
    json_object_set_new(o, "logic_area_mm2", json_real(m->logic_area_mm2));
    json_object_set_new(o, "io_GBps", m->unknown[SIP_METRIC_IO_GBPS] ? json_null()
                                                                       : json_real(m->value[SIP_METRIC_IO_GBPS]));
    json_object_set_new(o, "io_modelled", json_boolean(!m->unknown[SIP_METRIC_IO_GBPS]));
    json_object_set_new(o, "hbm_density_GBps_per_mm2", json_real(m->value[SIP_METRIC_HBM_DENSITY]));
    json_object_set_new(o, "dram_GBps", json_real(m->dram_GBps));
    json_t *byp = json_object();
    for (int p = 0; p < SIP_PREC_COUNT; p++)
        if (m->tpp_by_precision[p] > 0.0)
            json_object_set_new(byp, sip_precision_name((sip_precision_t)p), json_real(m->tpp_by_precision[p]));
    json_object_set_new(o, "tpp_by_precision", byp);
    json_t *inst = json_array();
    for (int i = 0; i < r->n_instances; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(pkg->instances[i].name));
        json_object_set_new(e, "type", json_string(t->name));
        json_object_set_new(e, "tpp", json_real(r->instance_tpp[i]));
        json_object_set_new(e, "pd_area", json_boolean(r->instance_applicable[i]));
        json_object_set_new(e, "transistor", json_string(sip_transistor_name(t->transistor)));
        json_array_append_new(inst, e);
    }
    json_object_set_new(o, "instances", inst);
    if (r->dominant_instance >= 0) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, r->dominant_instance);
        json_t *d = json_object();
        json_object_set_new(d, "instance", json_string(pkg->instances[r->dominant_instance].name));
        json_object_set_new(d, "type", json_string(t->name));
        json_object_set_new(d, "engine", json_string(t->engines[r->dominant_engine].name));
        json_object_set_new(d, "precision", json_string(sip_precision_name(r->dominant_precision)));
        json_object_set_new(o, "dominant", d);
    }
    /* Same keys as `sipsim report --json`'s tpp section: "classes" keyed by rule id. */
    json_t *classes = json_object();
    for (int c = 0; c < r->n_classes; c++)
        json_object_set_new(classes, sip_tpp_rule(r->classes[c].rule)->id, class_json(&r->classes[c]));
    json_object_set_new(o, "classes", classes);
    json_t *rds = json_array();
    for (int k = 0; k < r->n_readings; k++) {
        const sip_tpp_reading_t *rd = &r->readings[k];
        json_t *x = json_object();
        json_object_set_new(x, "aggregation", json_string(sip_tpp_aggregation_name(rd->aggregation)));
        json_object_set_new(x, "unknown_transistor_counted", json_boolean(rd->unknown_counted));
        json_object_set_new(x, "metrics", metrics_json(&rd->metrics));
        json_t *cl = json_object();
        for (int c = 0; c < r->n_classes; c++) {
            json_object_set_new(cl, sip_tpp_rule(c)->id, json_string(rd->classes[c].class_name));
            if (r->governing[c] == k)
                json_object_set_new(x, "governs", json_true());
        }
        json_object_set_new(x, "classes", cl);
        json_array_append_new(rds, x);
    }
    json_object_set_new(o, "readings", rds);
    json_t *ws = json_array();
    for (int k = 0; k < r->n_warnings; k++)
        json_array_append_new(ws, json_string(r->warnings[k].message));
    json_object_set_new(o, "warnings", ws);
    json_t *lims = json_array();
    for (int i = 0; i < r->n_limits; i++) {
        const sip_tpp_limit_t *l = &r->limits[i];
        const sip_rule_t *rule = sip_tpp_rule(l->rule);
        json_t *x = json_object();
        json_object_set_new(x, "knob", json_string(sip_knob_name(l->knob)));
        json_object_set_new(x, "unit", json_string(sip_knob_unit(l->knob)));
        json_object_set_new(x, "rule", json_string(rule->id));
        if (l->clause >= 0) {
            const sip_clause_t *cl = &rule->clauses[l->clause];
            const sip_condition_t *cond = &cl->conditions[l->condition];
            json_object_set_new(x, "clause", json_string(cl->name));
            json_object_set_new(x, "metric", json_string(sip_metric_name(cond->metric)));
            json_object_set_new(x, "threshold", json_real(cond->threshold));
        }
        json_object_set_new(x, "current", json_real(l->current));
        json_object_set_new(x, "limit", num(l->limit));
        json_object_set_new(x, "inclusive", json_boolean(l->inclusive));
        json_array_append_new(lims, x);
    }
    json_object_set_new(o, "limits", lims);
    return o;
}

static void print_limit_value(FILE *f, const sip_tpp_limit_t *l)
{
    if (isnan(l->limit))
        fprintf(f, "%-22s", "not evaluated");
    else if (!isfinite(l->limit))
        fprintf(f, "%-22s", "never");
    else
        fprintf(f, "%-12.6g %-9s", l->limit, l->inclusive ? "(incl.)" : "(excl.)");
}

static const char *pd_area_word(const sip_package_t *pkg, const sip_tpp_result_t *r, int i)
{
    const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
    if (t->kind == SIP_KIND_MEMORY)
        return "no (memory)";
    if (t->transistor == SIP_TRANSISTOR_UNKNOWN && r->options.nonplanar_max_nm <= 0)
        return r->instance_applicable[i] ? "yes (transistor unknown: counted)"
                                         : "no (transistor unknown: left out)";
    if (t->transistor == SIP_TRANSISTOR_UNKNOWN)
        return r->instance_applicable[i] ? "yes (assumed from node)" : "no (assumed planar from node)";
    return r->instance_applicable[i] ? "yes" : "no (planar)";
}

static void print_class(FILE *f, const sip_tpp_class_t *cls)
{
    const sip_rule_t *rule = sip_tpp_rule(cls->rule);
    fprintf(f, "\n%s: %s\n  %s; published %s, effective %s; read in %s\n", rule->id, rule->title,
            rule->citation, rule->published, rule->effective, rule->source);
    fprintf(f, "  class: %s%s%s\n", cls->class_name, cls->clause >= 0 ? " - " : "",
            cls->clause >= 0 ? rule->clauses[cls->clause].consequence : "");
    if (!cls->evaluated)
        fprintf(f, "  (%s could apply, but a term it needs is not modelled)\n",
                rule->clauses[cls->undecided_clause].name);
    for (int k = 0; k < cls->n_margins; k++) {
        const sip_clause_t *cl = &rule->clauses[cls->margins[k].clause];
        const sip_condition_t *cond = &cl->conditions[cls->margins[k].condition];
        char term[128];
        snprintf(term, sizeof term, "%s %s %g%s%s", sip_metric_label(cond->metric),
                 sip_cmp_symbol(cond->cmp), cond->threshold, *sip_metric_unit(cond->metric) ? " " : "",
                 sip_metric_unit(cond->metric));
        if (!cls->margins[k].known)
            fprintf(f, "    %-15s %-58s %s\n", cl->name, term, "not modelled");
        else
            fprintf(f, "    %-15s %-58s value %12.4f  margin %+12.4f  %s%s\n", cl->name, term,
                    cls->margins[k].value, cls->margins[k].margin,
                    cls->margins[k].holds ? "holds" : "fails", cl->verified ? "" : " (UNVERIFIED)");
    }
    for (int k = 0; k < cls->n_exceptions; k++) {
        const sip_exception_t *ex = &rule->exceptions[cls->exceptions[k].exception];
        fprintf(f, "  %s: evaluable conditions %s", ex->name, truth_name(cls->exceptions[k].state));
        for (int c = 0; c < ex->n_conditions; c++)
            fprintf(f, "%s%s %s %g %s", c ? ", " : " (", sip_metric_label(ex->conditions[c].metric),
                    sip_cmp_symbol(ex->conditions[c].cmp), ex->conditions[c].threshold,
                    sip_metric_unit(ex->conditions[c].metric));
        fprintf(f, "%s\n", ex->n_conditions ? ")" : "");
        for (int u = 0; u < ex->n_unevaluated; u++)
            fprintf(f, "    not evaluated: %s\n", ex->unevaluated[u]);
    }
    /* An exception of a clause that does not apply is not a finding, but say it exists. */
    for (int x = 0; x < rule->n_exceptions && cls->clause < 0; x++)
        fprintf(f, "  %s: not applicable (%s does not apply)\n", rule->exceptions[x].name,
                rule->clauses[rule->exceptions[x].clause].name);
}

static void print_text(FILE *f, const sip_package_t *pkg, const sip_tpp_result_t *r)
{
    const sip_tpp_metrics_t *m = &r->metrics;
    fprintf(f, "package %s  (%s item; TPP aggregated %s)\n", pkg->name,
            r->options.datacenter ? "datacenter" : "not a datacenter",
            r->options.aggregation == SIP_TPP_SUM_OF_MAXES
                ? "over all processing units, each unit at its highest-TPP precision (the rule's sum)"
                : "as the best single precision summed over units (alternative reading)");
    fprintf(f, "  total processing performance %12.1f", m->value[SIP_METRIC_TPP]);
    if (m->n_tied > 1) {
        fprintf(f, "   (precisions tie:");
        for (int k = 0; k < m->n_tied; k++)
            fprintf(f, "%s%s", k ? " = " : " ", sip_precision_name(m->tied[k]));
        fprintf(f, ")\n");
    } else if (m->tpp_by_precision[m->precision] > 0.0) {
        fprintf(f, "   (highest per-precision sum %s)\n", sip_precision_name(m->precision));
    } else {
        fprintf(f, "\n");
    }
    fprintf(f, "  TPP by precision            ");
    for (int p = 0; p < SIP_PREC_COUNT; p++)
        if (m->tpp_by_precision[p] > 0.0)
            fprintf(f, " %s %.1f", sip_precision_name((sip_precision_t)p), m->tpp_by_precision[p]);
    fprintf(f, "\n");
    fprintf(f, "  readings: sum over units %.1f, highest single-precision sum %.1f%s\n",
            m->tpp_sum_of_maxes, m->tpp_max_of_sums,
            fabs(m->tpp_sum_of_maxes - m->tpp_max_of_sums) <= 1e-9 * m->tpp_sum_of_maxes
                ? " (agree)" : " (differ: see readings)");
    fprintf(f, "  applicable die area          %12.1f mm2 (logic dies %.1f mm2", m->applicable_area_mm2,
            m->logic_area_mm2);
    if (m->n_unknown_transistor_dies > 0)
        fprintf(f, "; %.1f mm2 of unknown transistor type %s", m->unknown_transistor_area_mm2,
                m->unknown_counted ? "counted" : "left out");
    fprintf(f, ")\n");
    fprintf(f, "  performance density          %12.3f /mm2\n", m->value[SIP_METRIC_PD]);
    if (m->unknown[SIP_METRIC_IO_GBPS])
        fprintf(f, "  off-package I/O              not modelled (no die has an io block)\n");
    else
        fprintf(f, "  off-package I/O              %12.1f GB/s (both directions)\n",
                m->value[SIP_METRIC_IO_GBPS]);
    fprintf(f, "  memory bandwidth density     %12.2f GB/s/mm2 (highest stack)\n",
            m->value[SIP_METRIC_HBM_DENSITY]);
    fprintf(f, "  DRAM bandwidth               %12.1f GB/s\n", m->dram_GBps);
    fprintf(f, "\n  %-12s %-20s %10s  %s\n", "instance", "type", "TPP", "PD area");
    for (int i = 0; i < r->n_instances; i++)
        fprintf(f, "  %-12s %-20s %10.1f  %s\n", pkg->instances[i].name,
                sip_instance_type(pkg, i)->name, r->instance_tpp[i], pd_area_word(pkg, r, i));
    if (r->dominant_instance >= 0) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, r->dominant_instance);
        fprintf(f, "  dominant: %s (%s), engine %s", pkg->instances[r->dominant_instance].name,
                t->name, t->engines[r->dominant_engine].name);
        if (m->n_tied > 1)
            fprintf(f, " (precisions tie)\n");
        else
            fprintf(f, " at %s\n", sip_precision_name(r->dominant_precision));
    }
    if (r->n_warnings > 0) {
        fprintf(f, "\nwarnings:\n");
        for (int k = 0; k < r->n_warnings; k++)
            fprintf(f, "  %s\n", r->warnings[k].message);
    }
    bool differ = false;
    for (int k = 1; k < r->n_readings; k++)
        for (int c = 0; c < r->n_classes; c++)
            differ = differ || r->readings[k].classes[c].clause != r->readings[0].classes[c].clause ||
                     r->readings[k].classes[c].evaluated != r->readings[0].classes[c].evaluated;
    if (differ) {
        fprintf(f, "\nreadings (the stricter class of each rule is the answer, marked *):\n");
        for (int k = 0; k < r->n_readings; k++) {
            const sip_tpp_reading_t *rd = &r->readings[k];
            fprintf(f, "  %-12s%s TPP %10.1f  PD %8.4f ", sip_tpp_aggregation_name(rd->aggregation),
                    rd->metrics.n_unknown_transistor_dies == 0 ? ""
                    : rd->unknown_counted ? " unknown-transistor area counted"
                                          : " unknown-transistor area left out",
                    rd->metrics.value[SIP_METRIC_TPP], rd->metrics.value[SIP_METRIC_PD]);
            for (int c = 0; c < r->n_classes; c++)
                fprintf(f, " %s%s", rd->classes[c].class_name, r->governing[c] == k ? "*" : "");
            fprintf(f, "\n");
        }
    }
    fprintf(f, "\nmargins: > 0 = the condition holds by that much, < 0 = it fails by that much\n");
    for (int c = 0; c < r->n_classes; c++)
        print_class(f, &r->classes[c]);
    fprintf(f, "\nwhat-if: largest knob value (from 0 up) below each threshold / staying uncontrolled\n"
               "  (clock: every engine; clock_die: the dominant die's engines only)\n");
    fprintf(f, "  %-9s %-9s %-12s %-34s %12s  %s\n", "knob", "unit", "rule", "threshold", "now", "limit");
    for (int i = 0; i < r->n_limits; i++) {
        const sip_tpp_limit_t *l = &r->limits[i];
        const sip_rule_t *rule = sip_tpp_rule(l->rule);
        char what[80];
        if (l->clause < 0) {
            snprintf(what, sizeof what, "stays %s", rule->uncontrolled);
        } else {
            const sip_clause_t *cl = &rule->clauses[l->clause];
            const sip_condition_t *cond = &cl->conditions[l->condition];
            snprintf(what, sizeof what, "%s %s %s %g", cl->name, sip_metric_name(cond->metric),
                     sip_cmp_symbol(cond->cmp), cond->threshold);
        }
        fprintf(f, "  %-9s %-9s %-12s %-34s %12.6g  ", sip_knob_name(l->knob), sip_knob_unit(l->knob),
                rule->id, what, l->current);
        print_limit_value(f, l);
        fprintf(f, "\n");
    }
}

int cmd_tpp(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    sip_tpp_options_t opts;
    sip_tpp_options_init(&opts);
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--non-datacenter") == 0) {
            opts.datacenter = false;
        } else if (strcmp(a, "--datacenter") == 0) {
            opts.datacenter = true;
        } else if (strcmp(a, "--aggregation") == 0 && i + 1 < argc) {
            int v = sip_tpp_aggregation_lookup(argv[++i]);
            if (v < 0)
                return cli_usage(argv[0], "unknown aggregation '%s' (expected max_of_sums or sum_of_maxes)", argv[i]);
            opts.aggregation = (sip_tpp_aggregation_t)v;
        } else if (strcmp(a, "--nonplanar-max-nm") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 1000)
                return cli_usage(argv[0], "bad --nonplanar-max-nm '%s' (expected 0..1000)", argv[i]);
            opts.nonplanar_max_nm = (int)v;
        } else if (strcmp(a, "--unknown-transistor") == 0 && i + 1 < argc) {
            int v = sip_tpp_unknown_lookup(argv[++i]);
            if (v < 0)
                return cli_usage(argv[0], "unknown --unknown-transistor '%s' (expected stricter, nonplanar or planar)", argv[i]);
            opts.unknown_transistor = (sip_tpp_unknown_t)v;
        } else if (a[0] == '-') {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (!file) {
            file = a;
        } else {
            return cli_usage(argv[0], "one FILE only");
        }
    }
    if (common.help) {
        printf("usage: sipsim tpp FILE [--json] [--non-datacenter] [--aggregation max_of_sums|sum_of_maxes]\n"
               "                  [--nonplanar-max-nm N] [--unknown-transistor stricter|nonplanar|planar]\n"
               "                  [-L DIR] [-o FILE]\n");
        return CLI_EXIT_OK;
    }
    if (!file)
        return cli_usage(argv[0], "missing FILE");
    sip_package_t *pkg = NULL;
    int rc = cli_load_package(file, &common, &pkg);
    if (rc != CLI_EXIT_OK)
        return rc;
    sip_tpp_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_tpp_evaluate(pkg, &opts, &r, &err) != SIP_OK) {
        cli_print_error(&err);
        sip_package_destroy(pkg);
        return CLI_EXIT_INPUT;
    }
    FILE *out = cli_open_output(common.output);
    if (!out) {
        rc = CLI_EXIT_INPUT;
    } else if (common.json) {
        json_t *j = to_json(pkg, r);
        cli_print_json(out, j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    } else {
        print_text(out, pkg, r);
    }
    cli_close_output(out);
    sip_tpp_result_destroy(r);
    sip_package_destroy(pkg);
    return rc;
}
