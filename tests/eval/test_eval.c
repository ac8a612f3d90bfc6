/* Criterion suite for src/eval: the options table, one evaluation against the engines called
 * directly, every sweep metric of every shipped package against a direct sip_evaluate, the
 * workload traffic pattern everywhere, JSON (library and every command) for hostile names, the
 * JSON entry points of the bindings, and the regression tests of issue 15's four bugs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"

static const char *root(void)
{
    return cli_source_root();
}

/* ---- the options table ---- */

Test(eval_options, defaults_come_from_the_table)
{
    sip_eval_options_t o = sip_eval_options_default();
    cr_assert(o.check && o.graph && o.ucie && o.traffic && o.thermal && o.tpp && o.cost &&
              o.workload);
    cr_assert(!o.netsim);
    cr_assert_eq(o.curve_points, 20);
    cr_assert(o.thermal_power_caps);
    cr_assert(!o.thermal_workload_power);
    cr_assert_eq(o.routing, SIP_ROUTING_MINIMAL);
    cr_assert_float_eq(o.netsim_rate, 0.1, 1e-15);
    /* every row's default text parses to the value the defaults hold */
    int n = sip_eval_option_count();
    cr_assert_gt(n, 10);
    for (int i = 0; i < n; i++) {
        sip_eval_option_info_t info;
        cr_assert(sip_eval_option_info(i, &info));
        sip_eval_options_t p = sip_eval_options_default();
        sip_error_t err;
        cr_assert_eq(sip_eval_options_set(&p, info.name, info.default_text, &err), SIP_OK,
                     "%s = '%s': %s", info.name, info.default_text, err.message);
        cr_assert_eq(memcmp(&p, &o, sizeof p), 0, "option %s", info.name);
    }
    sip_eval_option_info_t info;
    cr_assert(!sip_eval_option_info(n, &info));
}

Test(eval_options, bad_names_and_values_are_named)
{
    sip_eval_options_t o = sip_eval_options_default();
    sip_error_t err;
    cr_assert_eq(sip_eval_options_set(&o, "thermal_gird", "16", &err), SIP_ENOTFOUND);
    cr_assert(strstr(err.message, "thermal_gird") && strstr(err.message, "did you mean"),
              "%s", err.message);
    cr_assert_eq(sip_eval_options_set(&o, "thermal_grid", "-3", &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "thermal_grid") && strstr(err.message, "expected"), "%s",
              err.message);
    cr_assert_eq(sip_eval_options_set(&o, "routing", "zigzag", &err), SIP_EINVAL);
    cr_assert_eq(sip_eval_options_set(&o, "ucie", "maybe", &err), SIP_EINVAL);
    cr_assert_eq(sip_eval_options_set(&o, "netsim_rate", "nan", &err), SIP_EINVAL);
    cr_assert_eq(sip_eval_options_set(&o, "routing", "ecmp", &err), SIP_OK);
    cr_assert_eq(o.routing, SIP_ROUTING_ECMP);
}

/* ---- one evaluation = the engines called directly ---- */

Test(eval_evaluate, results_equal_the_engines_called_directly)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_eval_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_evaluate(pkg, NULL, &r, &err), SIP_OK);
    cr_assert_not_null(r->check);
    cr_assert_not_null(r->graph);
    cr_assert_not_null(r->links);
    cr_assert_not_null(r->traffic);
    cr_assert_not_null(r->thermal);
    cr_assert_not_null(r->tpp);
    cr_assert_not_null(r->cost);
    cr_assert_not_null(r->workload, "%s", r->workload_error.message);
    cr_assert(!r->netsim_done);

    sip_thermal_options_t to = {.secondary_r_c_per_w = -1.0};
    sip_thermal_model_t *m = NULL;
    sip_thermal_result_t *t = NULL;
    cr_assert_eq(sip_thermal_model_create(pkg, &to, &m, &err), SIP_OK);
    cr_assert_eq(sip_thermal_solve(m, NULL, &t, &err), SIP_OK);
    cr_assert_eq(t->t_max_c, r->thermal->t_max_c);
    cr_assert_eq(t->budget_power_w, r->thermal->budget_power_w);
    sip_thermal_result_destroy(t);
    sip_thermal_model_destroy(m);

    sip_workload_result_t *w = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &w, &err), SIP_OK);
    cr_assert_eq(w->tokens_per_s, r->workload->tokens_per_s);
    cr_assert_eq(w->tpot_s, r->workload->tpot_s);
    /* cost per token/s uses the workload of the same evaluation */
    cr_assert_float_eq(r->cost->usd_per_tokens_per_s, r->cost->package.total_usd / w->tokens_per_s,
                       1e-9 * r->cost->usd_per_tokens_per_s);
    sip_workload_result_destroy(w);

    sip_tpp_result_t *tp = NULL;
    cr_assert_eq(sip_tpp_evaluate(pkg, NULL, &tp, &err), SIP_OK);
    cr_assert_eq(tp->metrics.value[SIP_METRIC_TPP], r->tpp->metrics.value[SIP_METRIC_TPP]);
    sip_tpp_result_destroy(tp);
    sip_eval_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(eval_evaluate, engines_switched_off_are_not_run)
{
    sip_package_t *pkg = test_load_package("topologies/mesh_2x4.cfg");
    sip_eval_options_t o = sip_eval_options_default();
    o.thermal = o.graph = o.cost = false;
    sip_eval_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_evaluate(pkg, &o, &r, &err), SIP_OK);
    cr_assert_null(r->thermal);
    cr_assert_null(r->graph);
    cr_assert_null(r->cost);
    cr_assert_not_null(r->traffic);
    cr_assert_null(r->workload); /* mesh_2x4 has no workload section */
    char *text = NULL;
    cr_assert_eq(sip_eval_result_to_json(r, &text, &err), SIP_OK);
    json_t *j = json_loads(text, 0, NULL);
    cr_assert_not_null(j);
    cr_assert(json_is_null(json_object_get(j, "thermal")));
    cr_assert(json_is_null(json_object_get(j, "workload")));
    cr_assert(json_is_object(json_object_get(j, "traffic")));
    json_decref(j);
    sip_free(text);
    sip_eval_result_destroy(r);
    sip_package_destroy(pkg);
}

/* ---- every sweep metric = a direct evaluation, for every shipped package ---- */

typedef struct {
    const char *name;
    double (*number)(const sip_eval_result_t *r);
    const char *(*word)(const sip_eval_result_t *r);
} metric_ref_t;

/* The test's own reading of each metric from the evaluation (not the sweep's mapping). */
static double power_w(const sip_eval_result_t *r) { return sip_package_total_power_w(r->pkg); }
static double instances(const sip_eval_result_t *r) { return r->pkg->n_instances; }
static double compute_chiplets(const sip_eval_result_t *r)
{
    int n = 0;
    for (int i = 0; i < r->pkg->n_instances; i++)
        n += sip_instance_type(r->pkg, i)->kind == SIP_KIND_COMPUTE;
    return n;
}
static double substrate_mm2(const sip_eval_result_t *r)
{
    return r->pkg->substrate.width_mm * r->pkg->substrate.height_mm;
}
static const char *check_word(const sip_eval_result_t *r) { return r->check->n_errors ? "fail" : "ok"; }
static double check_errors(const sip_eval_result_t *r) { return r->check->n_errors; }
static double check_warnings(const sip_eval_result_t *r) { return r->check->n_warnings; }
static double d2d_links(const sip_eval_result_t *r) { return r->pkg->n_links; }
static double d2d_GBps(const sip_eval_result_t *r)
{
    double s = 0;
    for (int k = 0; k < r->pkg->n_links; k++)
        s += r->links[k].payload_GBps_per_dir;
    return s;
}
static double d2d_min_GBps(const sip_eval_result_t *r)
{
    double m = INFINITY;
    for (int k = 0; k < r->pkg->n_links; k++)
        m = fmin(m, r->links[k].payload_GBps_per_dir);
    return r->pkg->n_links ? m : 0.0;
}
static double d2d_latency_ns(const sip_eval_result_t *r)
{
    double m = 0;
    for (int k = 0; k < r->pkg->n_links; k++)
        m = fmax(m, r->links[k].latency_ns);
    return m;
}
static double d2d_pj_per_bit(const sip_eval_result_t *r)
{
    double raw = 0, pj = 0;
    for (int k = 0; k < r->pkg->n_links; k++) {
        raw += r->links[k].raw_GBps_bidir;
        pj += r->links[k].raw_GBps_bidir * r->links[k].energy_pj_per_bit;
    }
    return raw > 0 ? pj / raw : 0.0;
}
static double d2d_peak_w(const sip_eval_result_t *r)
{
    double s = 0;
    for (int k = 0; k < r->pkg->n_links; k++)
        s += r->links[k].peak_power_w;
    return s;
}
static double d2d_fit(const sip_eval_result_t *r)
{
    double s = 0;
    for (int k = 0; k < r->pkg->n_links; k++)
        s += r->links[k].fit;
    return s;
}
static double tpp(const sip_eval_result_t *r) { return r->tpp->metrics.value[SIP_METRIC_TPP]; }
static double pd(const sip_eval_result_t *r) { return r->tpp->metrics.value[SIP_METRIC_PD]; }
static double io_GBps(const sip_eval_result_t *r) { return r->tpp->metrics.value[SIP_METRIC_IO_GBPS]; }
static double hbm_density(const sip_eval_result_t *r) { return r->tpp->metrics.value[SIP_METRIC_HBM_DENSITY]; }
static double logic_dies(const sip_eval_result_t *r) { return r->tpp->metrics.value[SIP_METRIC_LOGIC_DIES]; }
static const char *rule_class(const sip_eval_result_t *r, const char *id)
{
    sip_tpp_class_t c;
    sip_tpp_classify(&r->tpp->metrics, sip_tpp_rule_find(id), r->tpp->options.datacenter, &c);
    return c.class_name;
}
static const char *tpp_class(const sip_eval_result_t *r) { return rule_class(r, "bis-2023"); }
static const char *hbm_class(const sip_eval_result_t *r) { return rule_class(r, "bis-2024-hbm"); }
static double saturation_load(const sip_eval_result_t *r) { return r->traffic->saturation_load; }
static double max_util(const sip_eval_result_t *r) { return r->traffic->max_util; }
static double mean_hops(const sip_eval_result_t *r) { return r->traffic->mean_hops; }
static double zero_load_ns(const sip_eval_result_t *r) { return r->traffic->mean_zero_load_ns; }
static double latency_ns(const sip_eval_result_t *r) { return r->traffic->mean_latency_ns; }
static double traffic_w(const sip_eval_result_t *r) { return r->traffic->d2d_power_w; }
static double pj_per_byte(const sip_eval_result_t *r) { return r->traffic->energy_pj_per_byte; }
static double cost_usd(const sip_eval_result_t *r) { return r->cost->package.total_usd; }
static double recurring_usd(const sip_eval_result_t *r) { return r->cost->package.recurring_usd; }
static double nre_usd(const sip_eval_result_t *r) { return r->cost->package.nre_per_unit_usd; }
static double usd_per_tpp(const sip_eval_result_t *r) { return r->cost->usd_per_tpp; }
static double assembly_yield(const sip_eval_result_t *r) { return r->cost->package.assembly_yield; }
static double logic_mm2(const sip_eval_result_t *r) { return r->cost->package.logic_area_mm2; }
static double tj_max_c(const sip_eval_result_t *r) { return r->thermal->t_max_c; }
static double headroom_c(const sip_eval_result_t *r) { return r->thermal->headroom_c; }
static double budget_w(const sip_eval_result_t *r) { return r->thermal->budget_power_w; }
static double netsim_latency(const sip_eval_result_t *r)
{
    return r->netsim.status == SIP_NETSIM_OK ? r->netsim.packet.mean : INFINITY;
}
static double netsim_accepted(const sip_eval_result_t *r) { return r->netsim.accepted; }
static double netsim_hops(const sip_eval_result_t *r) { return r->netsim.hops_mean; }
#define WL(expr) (r->workload ? (expr) : NAN)
static double tokens_per_s(const sip_eval_result_t *r) { return WL(r->workload->tokens_per_s); }
static double ttft_ms(const sip_eval_result_t *r) { return WL(1e3 * r->workload->ttft_s); }
static double tpot_ms(const sip_eval_result_t *r) { return WL(1e3 * r->workload->tpot_s); }
static double j_per_token(const sip_eval_result_t *r) { return WL(r->workload->j_per_token); }
static double mac_util(const sip_eval_result_t *r) { return WL(r->workload->step->mac_utilization); }
static double fits(const sip_eval_result_t *r) { return WL(r->workload->fits ? 1.0 : 0.0); }
static const char *limit(const sip_eval_result_t *r)
{
    return r->workload ? sip_limit_name(r->workload->step->limit) : NULL;
}
static double usd_per_tps(const sip_eval_result_t *r)
{
    return r->workload && r->cost ? r->cost->package.total_usd / r->workload->tokens_per_s : NAN;
}
#undef WL

static const metric_ref_t refs[] = {
    {"power_w", power_w, NULL}, {"instances", instances, NULL},
    {"compute_chiplets", compute_chiplets, NULL}, {"substrate_mm2", substrate_mm2, NULL},
    {"check", NULL, check_word}, {"check_errors", check_errors, NULL},
    {"check_warnings", check_warnings, NULL}, {"d2d_links", d2d_links, NULL},
    {"d2d_GBps", d2d_GBps, NULL}, {"d2d_min_GBps", d2d_min_GBps, NULL},
    {"d2d_latency_ns", d2d_latency_ns, NULL}, {"d2d_pj_per_bit", d2d_pj_per_bit, NULL},
    {"d2d_peak_w", d2d_peak_w, NULL}, {"d2d_fit", d2d_fit, NULL}, {"tpp", tpp, NULL},
    {"pd", pd, NULL}, {"io_GBps", io_GBps, NULL}, {"hbm_density", hbm_density, NULL},
    {"logic_dies", logic_dies, NULL}, {"tpp_class", NULL, tpp_class},
    {"hbm_class", NULL, hbm_class}, {"saturation_load", saturation_load, NULL},
    {"max_util", max_util, NULL}, {"mean_hops", mean_hops, NULL},
    {"zero_load_ns", zero_load_ns, NULL}, {"latency_ns", latency_ns, NULL},
    {"traffic_w", traffic_w, NULL}, {"pj_per_byte", pj_per_byte, NULL},
    {"cost_usd", cost_usd, NULL}, {"recurring_usd", recurring_usd, NULL},
    {"nre_per_unit_usd", nre_usd, NULL}, {"usd_per_tpp", usd_per_tpp, NULL},
    {"assembly_yield", assembly_yield, NULL}, {"logic_area_mm2", logic_mm2, NULL},
    {"tj_max_c", tj_max_c, NULL}, {"thermal_headroom_c", headroom_c, NULL},
    {"thermal_budget_w", budget_w, NULL}, {"netsim_latency", netsim_latency, NULL},
    {"netsim_accepted", netsim_accepted, NULL}, {"netsim_hops", netsim_hops, NULL},
    {"tokens_per_s", tokens_per_s, NULL}, {"ttft_ms", ttft_ms, NULL},
    {"tpot_ms", tpot_ms, NULL}, {"j_per_token", j_per_token, NULL},
    {"mac_utilization", mac_util, NULL}, {"workload_fits", fits, NULL},
    {"workload_limit", NULL, limit}, {"usd_per_tokens_per_s", usd_per_tps, NULL},
};

static const char *const shipped[] = {
    "topologies/adv_2x2.cfg",           "topologies/default.cfg",
    "topologies/epyc_like.cfg",         "topologies/mesh_2x4.cfg",
    "topologies/mi300x_like.cfg",       "topologies/ring.cfg",
    "topologies/star.cfg",              "topologies/switch_hub.cfg",
    "topologies/reference/a100_sxm.cfg", "topologies/reference/ascend910.cfg",
    "topologies/reference/h100_sxm.cfg", "topologies/reference/h20.cfg",
    "topologies/reference/h800_sxm.cfg", "topologies/reference/mi300x.cfg",
};

Test(eval_sweep, every_metric_of_every_shipped_package_equals_a_direct_evaluation, .timeout = 600)
{
    /* every metric has a reference reading here: a metric added to the sweep fails this test
     * until it is */
    cr_assert_eq(sip_sweep_metric_count(), (int)(sizeof refs / sizeof refs[0]));
    for (int m = 0; m < sip_sweep_metric_count(); m++)
        cr_assert_str_eq(refs[m].name, sip_sweep_metric(m)->name);
    static const struct { const char *name; sip_sweep_engine_t engine; } engines[] = {
        {"check", SIP_SWEEP_CHECK},     {"ucie", SIP_SWEEP_UCIE},
        {"tpp", SIP_SWEEP_TPP},         {"traffic", SIP_SWEEP_TRAFFIC},
        {"cost", SIP_SWEEP_COST},       {"thermal", SIP_SWEEP_THERMAL},
        {"netsim", SIP_SWEEP_NETSIM},   {"workload", SIP_SWEEP_WORKLOAD},
    };
    enum { N_ENGINES = sizeof engines / sizeof engines[0] };
    int compared = 0;
    for (size_t p = 0; p < sizeof shipped / sizeof shipped[0]; p++) {
        sip_package_t *pkg = test_load_package(shipped[p]);
        sip_error_t err;
        /* 1. every engine: the direct evaluation says which ones can evaluate the package */
        sip_eval_options_t all = sip_eval_options_default();
        all.netsim = true;
        sip_eval_result_t *full = NULL;
        cr_assert_eq(sip_evaluate(pkg, &all, &full, &err), SIP_OK);
        const bool ok[N_ENGINES] = {full->check, full->links, full->tpp, full->traffic,
                                    full->cost, full->thermal, full->netsim_done,
                                    !pkg->workload.present || full->workload};
        const sip_error_t *why[N_ENGINES] = {
            &full->check_error, &full->ucie_error, &full->tpp_error, &full->traffic_error,
            &full->cost_error, &full->thermal_error, &full->netsim_error, &full->workload_error};
        for (int with_all = 1; with_all >= 0; with_all--) {
            char list[256] = "";
            for (int e = 0; e < N_ENGINES; e++)
                if (with_all || ok[e])
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"",
                             list[0] ? ", " : "", engines[e].name);
            char text[2048];
            snprintf(text, sizeof text,
                     "name = \"one\";\nbase = \"%s/%s\";\nengines = [%s];\naxes = ();\n", root(),
                     shipped[p], list);
            sip_sweep_spec_t *spec = NULL;
            cr_assert_eq(sip_sweep_spec_load_string(text, "one.cfg", NULL, &spec, &err), SIP_OK,
                         "%s: %s", shipped[p], err.message);
            cr_assert_eq(spec->n_variants, 1);
            sip_sweep_row_t row;
            cr_assert_eq(sip_sweep_row_init(&row, &err), SIP_OK);
            cr_assert_eq(sip_sweep_evaluate(spec, 0, &row, &err), SIP_OK);
            int first_bad = -1;
            for (int e = 0; e < N_ENGINES && first_bad < 0; e++)
                if (!ok[e])
                    first_bad = e;
            if (with_all) {
                /* 2. all engines: invalid exactly when one fails, with that engine's message */
                cr_assert_eq(row.valid, first_bad < 0, "%s: %s", shipped[p], row.reason);
                if (first_bad >= 0) {
                    cr_assert(strncmp(row.reason, engines[first_bad].name,
                                      strlen(engines[first_bad].name)) == 0 &&
                                  strstr(row.reason, why[first_bad]->message),
                              "%s: reason '%s', engine %s: '%s'", shipped[p], row.reason,
                              engines[first_bad].name, why[first_bad]->message);
                    sip_sweep_row_fini(&row);
                    sip_sweep_spec_destroy(spec);
                    continue;
                }
            }
            /* 3. the engines that work: every metric equals the direct evaluation's */
            cr_assert(row.valid, "%s: %s", shipped[p], row.reason);
            sip_eval_options_t o;
            sip_sweep_eval_options(spec, &o);
            sip_eval_result_t *r = NULL;
            cr_assert_eq(sip_evaluate(pkg, &o, &r, &err), SIP_OK);
            for (int m = 0; m < sip_sweep_metric_count(); m++) {
                sip_sweep_engine_t e = sip_sweep_metric(m)->engine;
                if (e != SIP_SWEEP_ENGINE_COUNT && !(spec->engines & (1u << e))) {
                    cr_assert(isnan(row.metric[m]) && !row.metric_text[m], "%s %s: engine off",
                              shipped[p], refs[m].name);
                    continue;
                }
                if (refs[m].word) {
                    const char *want = refs[m].word(r), *got = row.metric_text[m];
                    cr_assert((!want && !got) || (want && got && strcmp(want, got) == 0),
                              "%s %s: sweep '%s', evaluation '%s'", shipped[p], refs[m].name,
                              got ? got : "(none)", want ? want : "(none)");
                } else {
                    double want = refs[m].number(r), got = row.metric[m];
                    cr_assert((isnan(want) && isnan(got)) || want == got,
                              "%s %s: sweep %.17g, evaluation %.17g", shipped[p], refs[m].name,
                              got, want);
                }
                compared++;
            }
            sip_eval_result_destroy(r);
            sip_sweep_row_fini(&row);
            sip_sweep_spec_destroy(spec);
        }
        sip_eval_result_destroy(full);
        sip_package_destroy(pkg);
    }
    /* most metrics of most packages were compared (single-die packages have no traffic) */
    cr_assert_gt(compared, 14 * 30, "%d comparisons", compared);
}

/* ---- issue 15, bug 1: the sweep never ran the workload ---- */

Test(eval_regression, workload_batch_axis_changes_the_rows)
{
    char text[1024];
    snprintf(text, sizeof text,
             "name = \"batch\";\nbase = \"%s/topologies/default.cfg\";\n"
             "axes = ( { path = \"workload.batch\"; values = [1, 64]; } );\n"
             "objectives = [\"max tokens_per_s\", \"min tpot_ms\"];\n",
             root());
    sip_sweep_spec_t *spec = NULL;
    sip_error_t err;
    /* no engines named: the default set runs the workload because the base has one */
    cr_assert_eq(sip_sweep_spec_load_string(text, "batch.cfg", NULL, &spec, &err), SIP_OK, "%s",
                 err.message);
    cr_assert(spec->engines & (1u << SIP_SWEEP_WORKLOAD));
    sip_sweep_row_t a, b;
    cr_assert_eq(sip_sweep_row_init(&a, &err), SIP_OK);
    cr_assert_eq(sip_sweep_row_init(&b, &err), SIP_OK);
    cr_assert_eq(sip_sweep_evaluate(spec, 0, &a, &err), SIP_OK);
    cr_assert_eq(sip_sweep_evaluate(spec, 1, &b, &err), SIP_OK);
    cr_assert(a.valid && b.valid, "%s / %s", a.reason, b.reason);
    int tps = sip_sweep_metric_lookup("tokens_per_s");
    int tpot = sip_sweep_metric_lookup("tpot_ms");
    cr_assert(isfinite(a.metric[tps]) && isfinite(b.metric[tps]));
    /* decode of 64 sequences moves more tokens per step than of 1 (weights read once) */
    cr_assert_gt(b.metric[tps], 4.0 * a.metric[tps], "batch 1: %g, batch 64: %g tokens/s",
                 a.metric[tps], b.metric[tps]);
    cr_assert_neq(a.metric[tpot], b.metric[tpot]);
    sip_sweep_row_fini(&a);
    sip_sweep_row_fini(&b);
    sip_sweep_spec_destroy(spec);
}

/* ---- issue 15, bug 2: `sipsim report` said "unknown pattern 'workload'" ---- */

Test(eval_regression, workload_pattern_works_in_report_and_evaluation)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/eval/hostile.cfg", root());
    sip_load_options_t lo;
    memset(&lo, 0, sizeof lo);
    char lib[1024];
    snprintf(lib, sizeof lib, "%s/chiplets", root());
    const char *dirs[] = {lib};
    lo.library_dirs = dirs;
    lo.n_library_dirs = 1;
    sip_package_t *pkg = NULL;
    sip_error_t err;
    cr_assert_eq(sip_package_load(path, &lo, &pkg, &err), SIP_OK, "%s", err.message);
    cr_assert_str_eq(pkg->traffic.pattern, "workload");
    sip_eval_result_t *r = NULL;
    cr_assert_eq(sip_evaluate(pkg, NULL, &r, &err), SIP_OK);
    cr_assert_not_null(r->traffic, "%s", r->traffic_error.message);
    cr_assert_not_null(r->workload);
    /* the demand is the workload's, as is (load 1) */
    sip_demand_matrix_t *d = NULL;
    cr_assert_eq(sip_workload_demand(r->net, r->workload, &d, &err), SIP_OK);
    cr_assert_eq(d->n_flows, r->demand->n_flows);
    cr_assert_gt(d->n_flows, 0);
    for (int i = 0; i < d->n_flows; i++)
        cr_assert_eq(d->flows[i].GBps, r->demand->flows[i].GBps);
    cr_assert_float_eq(r->demand->load, 1.0, 0.0);
    sip_demand_destroy(d);
    sip_eval_result_destroy(r);
    sip_package_destroy(pkg);

    char args[2200];
    int status = 0;
    snprintf(args, sizeof args, "report -L '%s' '%s'", lib, path);
    char *out = cli_run(NULL, args, &status);
    cr_assert_eq(status, 0, "sipsim %s exited %d", args, status);
    cr_assert(strstr(out, "traffic: workload, load 1 x the workload's demand"), "%s", out);
    cr_assert_null(strstr(out, "unknown pattern"));
    free(out);
}

/* ---- issue 15, bug 3: `sipsim sweep --json` printed a"b unescaped ---- */

static char *temp_dir(void)
{
    char *t = strdup("/tmp/sipsim-eval-XXXXXX");
    cr_assert_not_null(mkdtemp(t));
    return t;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(eval_regression, sweep_json_of_a_quoted_spec_name_parses)
{
    char *dir = temp_dir();
    char spec[512], text[1024], args[1400];
    snprintf(spec, sizeof spec, "%s/q.cfg", dir);
    snprintf(text, sizeof text,
             "name = \"a\\\"b\\\\c\";\nbase = \"%s/topologies/mesh_2x4.cfg\";\n"
             "axes = ( { path = \"links.*.modules\"; values = [1, 2]; } );\n"
             "objectives = [\"max saturation_load\"];\n",
             root());
    write_file(spec, text);
    snprintf(args, sizeof args, "sweep '%s' -o '%s/out' -j 1 --json", spec, dir);
    json_t *j = cli_run_json(NULL, args);
    cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "a\"b\\c");
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), 2);
    json_decref(j);
    /* the meta file and every row are JSON too */
    snprintf(text, sizeof text, "%s/out.meta.json", dir);
    json_error_t je;
    j = json_load_file(text, 0, &je);
    cr_assert_not_null(j, "%s: %s", text, je.text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "a\"b\\c");
    json_decref(j);
    snprintf(text, sizeof text, "%s/out.jsonl", dir);
    j = json_load_file(text, JSON_DISABLE_EOF_CHECK, &je);
    cr_assert_not_null(j, "%s: %s", text, je.text);
    json_decref(j);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_assert_eq(system(args), 0);
    free(dir);
}

/* ---- issue 15, bug 4: a broken chiplet file as a type-axis value lost its path:line ---- */

Test(eval_regression, broken_chiplet_as_axis_value_keeps_path_and_line)
{
    char *dir = temp_dir();
    char path[512], text[1024];
    snprintf(path, sizeof path, "%s/broken_die.cfg", dir);
    write_file(path, "# a chiplet with a typo\nkind = \"compute\";\nwidht_mm = 10.0;\n");
    snprintf(text, sizeof text,
             "name = \"types\";\nbase = \"%s/topologies/default.cfg\";\n"
             "axes = ( { path = \"instances.c0.type\";\n  values = [\"compute_infer\", "
             "\"broken_die\"]; } );\n",
             root());
    const char *dirs[] = {dir};
    sip_load_options_t lo;
    memset(&lo, 0, sizeof lo);
    lo.library_dirs = dirs;
    lo.n_library_dirs = 1;
    sip_sweep_spec_t *spec = NULL;
    sip_error_t err;
    sip_status_t st = sip_sweep_spec_load_string(text, "types.cfg", &lo, &spec, &err);
    cr_assert_neq(st, SIP_OK);
    cr_assert_null(spec);
    char msg[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32];
    sip_error_format(&err, msg, sizeof msg);
    /* the spec's line of the value, and the chiplet file's own path:line */
    cr_assert_eq(err.line, 4, "%s", msg);
    char want[600];
    snprintf(want, sizeof want, "%s:3:", path);
    cr_assert(strstr(msg, want), "'%s' lacks '%s'", msg, want);
    cr_assert(strstr(msg, "widht_mm"), "%s", msg);
    snprintf(text, sizeof text, "rm -rf '%s'", dir);
    cr_assert_eq(system(text), 0);
    free(dir);
}

/* ---- JSON for hostile names: the library and every command ---- */

static const char *hostile_pkg_name = "pkg \"quoted\" \\back\\ \x01" "ctl \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac";

Test(eval_json, every_command_prints_parsable_json_for_hostile_names, .timeout = 300)
{
    static const char *const commands[] = {
        "report", "run", "check", "info", "graph", "export --format json", "traffic", "tpp",
        "cost", "links", "thermal", "perf", "netsim --rate 0.05",
    };
    char args[2048];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        snprintf(args, sizeof args, "%s -L '%s/chiplets' '%s/tests/data/eval/hostile.cfg' --json",
                 commands[i], root(), root());
        json_t *j = cli_run_json(NULL, args); /* asserts exit 0 and one JSON document */
        json_decref(j);
    }
    snprintf(args, sizeof args, "report -L '%s/chiplets' '%s/tests/data/eval/hostile.cfg' --json",
             root(), root());
    json_t *j = cli_run_json(NULL, args);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "package"), "name")),
                     hostile_pkg_name);
    json_t *inst = json_object_get(j, "instances");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(inst, 1), "name")),
                     "c1\x01\t");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(inst, 3), "name")),
                     "c3\xe6\x97\xa5\xe6\x9c\xac");
    json_t *thermal = json_object_get(j, "thermal");
    cr_assert(json_is_number(json_object_get(thermal, "t_max_c")));
    json_decref(j);
}

/* ---- the JSON entry points of the bindings ---- */

Test(eval_json, evaluate_json_from_a_path_and_from_text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/topologies/default.cfg", root());
    char *out = NULL;
    sip_error_t err;
    cr_assert_eq(sip_evaluate_json(path, NULL, &out, &err), SIP_OK, "%s", err.message);
    json_t *j = json_loads(out, 0, NULL);
    sip_free(out);
    cr_assert_not_null(j);
    double t_path = json_number_value(json_object_get(json_object_get(j, "thermal"), "t_max_c"));
    json_decref(j);

    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_eval_result_t *r = NULL;
    cr_assert_eq(sip_evaluate(pkg, NULL, &r, &err), SIP_OK);
    cr_assert_float_eq(t_path, r->thermal->t_max_c, 1e-9 * r->thermal->t_max_c);
    sip_eval_result_destroy(r);
    sip_package_destroy(pkg);

    /* libconfig text (contains '=') with options overriding the table */
    size_t len = 0;
    char *text = test_read_file(path, &len);
    cr_assert_not_null(text);
    char lib[1024];
    snprintf(lib, sizeof lib, "%s/chiplets", root());
    char *cwd = getcwd(NULL, 0);
    cr_assert_eq(chdir(root()), 0); /* chiplets/ and models/ beside "<string>" */
    cr_assert_eq(sip_evaluate_json(text, "{\"thermal_grid\": 16, \"routing\": \"ecmp\", "
                                         "\"thermal_power_caps\": false}",
                                   &out, &err),
                 SIP_OK, "%s", err.message);
    cr_assert_eq(chdir(cwd), 0);
    free(cwd);
    free(text);
    j = json_loads(out, 0, NULL);
    sip_free(out);
    cr_assert_not_null(j);
    json_t *th = json_object_get(j, "thermal");
    cr_assert_eq(json_integer_value(json_object_get(th, "grid_rows")), 16);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "traffic"), "routing")),
                     "ecmp");
    json_decref(j);

    /* errors: unknown option, wrong type, broken package text with its line */
    cr_assert_eq(sip_evaluate_json(path, "{\"thermal_gird\": 16}", &out, &err), SIP_ENOTFOUND);
    cr_assert_null(out);
    cr_assert_eq(sip_evaluate_json(path, "{\"ucie\": [1]}", &out, &err), SIP_EINVAL);
    cr_assert_eq(sip_evaluate_json(path, "[1, 2]", &out, &err), SIP_EINVAL);
    cr_assert_eq(sip_evaluate_json(path, "{", &out, &err), SIP_EPARSE);
    cr_assert_neq(sip_evaluate_json("name = \"x\";\nsubstrate = { kind = 3; };\n", NULL, &out,
                                    &err),
                  SIP_OK);
    cr_assert_eq(err.line, 2, "%s", err.message);
    cr_assert_neq(sip_evaluate_json("/nonexistent/package.cfg", NULL, &out, &err), SIP_OK);
    cr_assert_null(out);
}

Test(eval_json, sweep_run_json_rows_match_the_csv_metric_names)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/sweeps/default_3a090.cfg", root());
    char *out = NULL;
    sip_error_t err;
    cr_assert_eq(sip_sweep_run_json(path, "{\"limit\": 3}", &out, &err), SIP_OK, "%s",
                 err.message);
    sip_sweep_spec_t *spec = NULL;
    cr_assert_eq(sip_sweep_spec_load(path, NULL, &spec, &err), SIP_OK);
    int cols[128];
    int n = sip_sweep_columns(spec, cols, 128);
    int lines = 0;
    for (char *p = out, *nl; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
        json_error_t je;
        json_t *row = json_loadb(p, (size_t)(nl - p), 0, &je);
        cr_assert_not_null(row, "line %d: %s", lines + 1, je.text);
        cr_assert_eq(json_integer_value(json_object_get(row, "id")), lines);
        json_t *m = json_object_get(row, "metrics");
        cr_assert_eq((int)json_object_size(m), n);
        for (int i = 0; i < n; i++)
            cr_assert_not_null(json_object_get(m, sip_sweep_metric(cols[i])->name));
        json_decref(row);
    }
    cr_assert_eq(lines, 3);
    sip_free(out);
    sip_sweep_spec_destroy(spec);
    cr_assert_eq(sip_sweep_run_json(path, "{\"limt\": 3}", &out, &err), SIP_ENOTFOUND);
    cr_assert_null(out);
}
