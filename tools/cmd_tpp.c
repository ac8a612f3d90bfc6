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

static json_t *to_json(const sip_package_t *pkg, const sip_tpp_result_t *r)
{
    const sip_tpp_metrics_t *m = &r->metrics;
    json_t *o = json_object();
    json_object_set_new(o, "package", json_string(pkg->name));
    json_object_set_new(o, "aggregation", json_string(sip_tpp_aggregation_name(r->options.aggregation)));
    json_object_set_new(o, "datacenter", json_boolean(r->options.datacenter));
    json_object_set_new(o, "nonplanar_max_nm", json_integer(r->options.nonplanar_max_nm));
    json_object_set_new(o, "tpp", json_real(m->value[SIP_METRIC_TPP]));
    json_object_set_new(o, "precision", json_string(sip_precision_name(m->precision)));
    json_object_set_new(o, "performance_density", json_real(m->value[SIP_METRIC_PD]));
    json_object_set_new(o, "applicable_area_mm2", json_real(m->applicable_area_mm2));
    json_object_set_new(o, "logic_area_mm2", json_real(m->logic_area_mm2));
    json_object_set_new(o, "io_GBps", json_real(m->value[SIP_METRIC_IO_GBPS]));
    json_object_set_new(o, "hbm_density_GBps_per_mm2", json_real(m->value[SIP_METRIC_HBM_DENSITY]));
    json_object_set_new(o, "dram_GBps", json_real(m->dram_GBps));
    json_t *byp = json_object();
    for (int p = 0; p < SIP_PREC_COUNT; p++)
        if (m->tpp_by_precision[p] > 0.0)
            json_object_set_new(byp, sip_precision_name((sip_precision_t)p), json_real(m->tpp_by_precision[p]));
    json_object_set_new(o, "tpp_by_precision", byp);
    json_t *inst = json_array();
    for (int i = 0; i < r->n_instances; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(pkg->instances[i].name));
        json_object_set_new(e, "type", json_string(sip_instance_type(pkg, i)->name));
        json_object_set_new(e, "tpp", json_real(r->instance_tpp[i]));
        json_object_set_new(e, "pd_area", json_boolean(r->instance_applicable[i]));
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
    for (int c = 0; c < r->n_classes; c++) {
        const sip_tpp_class_t *cls = &r->classes[c];
        const sip_rule_t *rule = sip_tpp_rule(cls->rule);
        json_t *e = json_object();
        json_object_set_new(e, "rule", json_string(rule->id));
        json_object_set_new(e, "title", json_string(rule->title));
        json_object_set_new(e, "citation", json_string(rule->citation));
        json_object_set_new(e, "class", json_string(cls->class_name));
        json_object_set_new(e, "controlled", json_boolean(cls->clause >= 0));
        if (cls->clause >= 0)
            json_object_set_new(e, "consequence", json_string(rule->clauses[cls->clause].consequence));
        json_t *ms = json_array();
        for (int k = 0; k < cls->n_margins; k++) {
            const sip_clause_t *cl = &rule->clauses[cls->margins[k].clause];
            const sip_condition_t *cond = &cl->conditions[cls->margins[k].condition];
            json_t *x = json_object();
            json_object_set_new(x, "clause", json_string(cl->name));
            json_object_set_new(x, "metric", json_string(sip_metric_name(cond->metric)));
            json_object_set_new(x, "cmp", json_string(sip_cmp_symbol(cond->cmp)));
            json_object_set_new(x, "threshold", json_real(cond->threshold));
            json_object_set_new(x, "value", json_real(cls->margins[k].value));
            json_object_set_new(x, "margin", json_real(cls->margins[k].margin));
            json_object_set_new(x, "holds", json_boolean(cls->margins[k].holds));
            json_array_append_new(ms, x);
        }
        json_object_set_new(e, "margins", ms);
        json_object_set_new(classes, rule->id, e);
    }
    json_object_set_new(o, "classes", classes);
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
    if (!isfinite(l->limit))
        fprintf(f, "%-22s", "never");
    else
        fprintf(f, "%-12.6g %-9s", l->limit, l->inclusive ? "(incl.)" : "(excl.)");
}

static void print_text(FILE *f, const sip_package_t *pkg, const sip_tpp_result_t *r)
{
    const sip_tpp_metrics_t *m = &r->metrics;
    fprintf(f, "package %s  (reading: %s, %s, non-planar <= %d nm)\n", pkg->name,
            sip_tpp_aggregation_name(r->options.aggregation),
            r->options.datacenter ? "datacenter item" : "not a datacenter item",
            r->options.nonplanar_max_nm);
    fprintf(f, "  TPP                 %12.1f   (best precision %s)\n", m->value[SIP_METRIC_TPP],
            sip_precision_name(m->precision));
    fprintf(f, "  TPP by precision   ");
    for (int p = 0; p < SIP_PREC_COUNT; p++)
        if (m->tpp_by_precision[p] > 0.0)
            fprintf(f, " %s %.1f", sip_precision_name((sip_precision_t)p), m->tpp_by_precision[p]);
    fprintf(f, "\n");
    fprintf(f, "  applicable area     %12.1f mm2 (logic dies %.1f mm2)\n", m->applicable_area_mm2,
            m->logic_area_mm2);
    fprintf(f, "  performance density %12.3f /mm2\n", m->value[SIP_METRIC_PD]);
    fprintf(f, "  off-package I/O     %12.1f GB/s (both directions)\n", m->value[SIP_METRIC_IO_GBPS]);
    fprintf(f, "  HBM density (max)   %12.2f GB/s/mm2\n", m->value[SIP_METRIC_HBM_DENSITY]);
    fprintf(f, "  DRAM bandwidth      %12.1f GB/s\n", m->dram_GBps);
    fprintf(f, "\n  %-12s %-20s %10s  %s\n", "instance", "type", "TPP", "PD area");
    for (int i = 0; i < r->n_instances; i++)
        fprintf(f, "  %-12s %-20s %10.1f  %s\n", pkg->instances[i].name,
                sip_instance_type(pkg, i)->name, r->instance_tpp[i],
                r->instance_applicable[i] ? "yes" : "no");
    if (r->dominant_instance >= 0) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, r->dominant_instance);
        fprintf(f, "  dominant: %s (%s), engine %s at %s\n", pkg->instances[r->dominant_instance].name,
                t->name, t->engines[r->dominant_engine].name,
                sip_precision_name(r->dominant_precision));
    }
    for (int c = 0; c < r->n_classes; c++) {
        const sip_tpp_class_t *cls = &r->classes[c];
        const sip_rule_t *rule = sip_tpp_rule(cls->rule);
        fprintf(f, "\n%s: %s\n  %s\n  class: %s%s%s\n", rule->id, rule->title, rule->citation,
                cls->class_name, cls->clause >= 0 ? " - " : "",
                cls->clause >= 0 ? rule->clauses[cls->clause].consequence : "");
        for (int k = 0; k < cls->n_margins; k++) {
            const sip_clause_t *cl = &rule->clauses[cls->margins[k].clause];
            const sip_condition_t *cond = &cl->conditions[cls->margins[k].condition];
            fprintf(f, "    %-16s %-11s %-2s %9.4g  value %12.4f  margin %+12.4f  %s\n", cl->name,
                    sip_metric_name(cond->metric), sip_cmp_symbol(cond->cmp), cond->threshold,
                    cls->margins[k].value, cls->margins[k].margin,
                    cls->margins[k].holds ? "holds" : "-");
        }
    }
    fprintf(f, "\nwhat-if: largest knob value (from 0 up) below each threshold / staying uncontrolled\n");
    fprintf(f, "  %-9s %-9s %-12s %-26s %12s  %s\n", "knob", "unit", "rule", "threshold", "now", "limit");
    for (int i = 0; i < r->n_limits; i++) {
        const sip_tpp_limit_t *l = &r->limits[i];
        const sip_rule_t *rule = sip_tpp_rule(l->rule);
        char what[64];
        if (l->clause < 0) {
            snprintf(what, sizeof what, "stays %s", rule->uncontrolled);
        } else {
            const sip_clause_t *cl = &rule->clauses[l->clause];
            const sip_condition_t *cond = &cl->conditions[l->condition];
            snprintf(what, sizeof what, "%s %s %s %g", cl->name, sip_metric_name(cond->metric),
                     sip_cmp_symbol(cond->cmp), cond->threshold);
        }
        fprintf(f, "  %-9s %-9s %-12s %-26s %12.6g  ", sip_knob_name(l->knob), sip_knob_unit(l->knob),
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
               "                  [--nonplanar-max-nm N] [-L DIR] [-o FILE]\n");
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
