/* The report: every engine's result for one package, gathered once.  An engine that cannot
 * evaluate the package leaves its result NULL and its error set; only ENOMEM fails the call.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/report.h"

void sip_report_options_init(sip_report_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->ucie = o->traffic = o->thermal = o->tpp = o->cost = o->workload = true;
    o->thermal_power_caps = true;
    o->curve_points = 20;
}

static bool is_enomem(sip_status_t st)
{
    return st == SIP_ENOMEM;
}

static sip_status_t collect_ucie(sip_report_t *r)
{
    const sip_package_t *pkg = r->pkg;
    if (pkg->n_links == 0) {
        r->links = calloc(1, sizeof *r->links); /* a valid, empty result */
        return r->links ? SIP_OK : SIP_ENOMEM;
    }
    r->links = calloc((size_t)pkg->n_links, sizeof *r->links);
    if (!r->links)
        return SIP_ENOMEM;
    for (int k = 0; k < pkg->n_links; k++) {
        sip_status_t st = sip_ucie_link_eval(pkg, k, &r->links[k], &r->ucie_error);
        if (st != SIP_OK) {
            free(r->links);
            r->links = NULL;
            return is_enomem(st) ? st : SIP_OK;
        }
    }
    return SIP_OK;
}

/* The package's own traffic (its pattern and load, uniform 0.1 of injection bandwidth when it
 * names none) over minimal routing, as `sipsim traffic FILE` evaluates it. */
static sip_status_t collect_traffic(sip_report_t *r, int points)
{
    const sip_package_t *pkg = r->pkg;
    sip_error_t *e = &r->traffic_error;
    sip_status_t st;
    snprintf(r->traffic_pattern, sizeof r->traffic_pattern, "%s",
             pkg->traffic.pattern[0] ? pkg->traffic.pattern : "uniform");
    sip_pattern_params_t params;
    if ((st = sip_network_from_package(pkg, NULL, &r->net, e)) != SIP_OK ||
        (st = sip_pattern_params_from_package(r->net, pkg, &params, e)) != SIP_OK ||
        (st = sip_routes_compute(r->net, SIP_ROUTING_MINIMAL, NULL, &r->routes, e)) != SIP_OK ||
        (st = sip_demand_build(r->net, r->traffic_pattern, &params, &r->demand, e)) != SIP_OK ||
        (st = sip_traffic_evaluate(r->net, r->routes, r->demand, NULL, &r->traffic, e)) != SIP_OK)
        goto fail;
    size_t nl = (size_t)(pkg->n_links > 0 ? pkg->n_links : 1);
    r->link_load_GBps = calloc(nl, sizeof *r->link_load_GBps);
    r->link_util = calloc(nl, sizeof *r->link_util);
    if (!r->link_load_GBps || !r->link_util) {
        st = sip_error_set(e, SIP_ENOMEM, NULL, 0, "out of memory (report traffic)");
        goto fail;
    }
    for (int c = 0; c < r->net->n_channels; c++) {
        int k = r->net->channels[c].link;
        if (k < 0 || k >= pkg->n_links)
            continue;
        if (r->traffic->channel_util[c] > r->link_util[k])
            r->link_util[k] = r->traffic->channel_util[c];
        if (r->traffic->channel_GBps[c] > r->link_load_GBps[k])
            r->link_load_GBps[k] = r->traffic->channel_GBps[c];
    }
    /* Latency against load: evenly spaced fractions of saturation, the last at 0.99 (the
     * M/D/1 queues grow without bound at 1). */
    double sat = r->traffic->saturation_scale;
    if (points > 60)
        points = 60; /* the plot draws at most 64 points */
    if (points > 0 && isfinite(sat) && sat > 0.0) {
        int n = points + 1;
        r->curve_fraction = malloc((size_t)n * sizeof(double));
        r->curve_load = malloc((size_t)n * sizeof(double));
        r->curve_latency_ns = malloc((size_t)n * sizeof(double));
        if (!r->curve_fraction || !r->curve_load || !r->curve_latency_ns) {
            st = sip_error_set(e, SIP_ENOMEM, NULL, 0, "out of memory (report traffic)");
            goto fail;
        }
        for (int i = 0; i < n; i++) {
            double frac = i < points ? (double)i / points : 0.99;
            r->curve_fraction[i] = frac;
            r->curve_load[i] = r->demand->load * frac * sat;
            r->curve_latency_ns[i] = sip_traffic_mean_latency_at(r->net, r->routes, r->demand,
                                                                 NULL, r->traffic, frac * sat);
        }
        r->n_curve = n;
    }
    return SIP_OK;
fail:
    free(r->curve_fraction);
    free(r->curve_load);
    free(r->curve_latency_ns);
    r->curve_fraction = r->curve_load = r->curve_latency_ns = NULL;
    r->n_curve = 0;
    free(r->link_load_GBps);
    free(r->link_util);
    r->link_load_GBps = r->link_util = NULL;
    sip_traffic_result_destroy(r->traffic);
    sip_demand_destroy(r->demand);
    sip_routes_destroy(r->routes);
    sip_network_destroy(r->net);
    r->traffic = NULL;
    r->demand = NULL;
    r->routes = NULL;
    r->net = NULL;
    return is_enomem(st) ? st : SIP_OK;
}

static sip_status_t collect_thermal(sip_report_t *r, const sip_report_options_t *o)
{
    sip_thermal_options_t to = {.grid_rows = o->thermal_grid,
                                .grid_cols = o->thermal_grid,
                                .secondary_r_c_per_w = -1.0,
                                .skip_power_caps = !o->thermal_power_caps};
    sip_thermal_model_t *m = NULL;
    sip_status_t st = sip_thermal_model_create(r->pkg, &to, &m, &r->thermal_error);
    if (st == SIP_OK)
        st = sip_thermal_solve(m, NULL, &r->thermal, &r->thermal_error);
    sip_thermal_model_destroy(m);
    if (st == SIP_OK && r->thermal->n_dies != r->pkg->n_instances) {
        /* the native model has one die per instance (src/thermal/stack.c); say so if not */
        sip_error_set(&r->thermal_error, SIP_EINTERNAL, NULL, 0,
                      "thermal result has %d dies for %d instances", r->thermal->n_dies,
                      r->pkg->n_instances);
        sip_thermal_result_destroy(r->thermal);
        r->thermal = NULL;
    }
    return is_enomem(st) ? st : SIP_OK;
}

sip_status_t sip_report_create(const sip_package_t *pkg, const sip_report_options_t *options,
                               sip_report_t **out, sip_error_t *err)
{
    if (out)
        *out = NULL;
    if (!pkg || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_create: NULL argument");
    sip_report_options_t defaults;
    sip_report_options_init(&defaults);
    const sip_report_options_t *o = options ? options : &defaults;
    sip_report_t *r = calloc(1, sizeof *r);
    if (!r)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (report)");
    r->pkg = pkg;
    r->options = *o;
    sip_error_clear(&r->check_error);
    sip_error_clear(&r->graph_error);
    sip_error_clear(&r->ucie_error);
    sip_error_clear(&r->traffic_error);
    sip_error_clear(&r->thermal_error);
    sip_error_clear(&r->tpp_error);
    sip_error_clear(&r->cost_error);
    sip_error_clear(&r->workload_error);
    sip_status_t st = sip_check_run(pkg, &r->check, &r->check_error);
    if (is_enomem(st))
        goto fail;
    st = sip_graph_build(pkg, &r->graph, &r->graph_error);
    if (st == SIP_OK) {
        st = sip_graph_metrics_compute(r->graph, &r->metrics, &r->graph_error);
        if (st != SIP_OK) {
            sip_graph_destroy(r->graph);
            r->graph = NULL;
        }
    }
    if (is_enomem(st))
        goto fail;
    st = SIP_OK;
    if (o->ucie && (st = collect_ucie(r)) != SIP_OK)
        goto fail;
    if (o->traffic && (st = collect_traffic(r, o->curve_points)) != SIP_OK)
        goto fail;
    if (o->thermal && (st = collect_thermal(r, o)) != SIP_OK)
        goto fail;
    if (o->tpp && is_enomem(st = sip_tpp_evaluate(pkg, NULL, &r->tpp, &r->tpp_error)))
        goto fail;
    if (o->cost && is_enomem(st = sip_cost_evaluate(pkg, NULL, &r->cost, &r->cost_error)))
        goto fail;
    if (o->workload && pkg->workload.present &&
        is_enomem(st = sip_workload_evaluate(pkg, NULL, NULL, NULL, &r->workload,
                                             &r->workload_error)))
        goto fail;
    if (r->cost) /* dollars per token/s of the package's workload (NAN without one) */
        sip_cost_set_throughput(r->cost, r->workload ? r->workload->tokens_per_s : NAN);
    *out = r;
    return SIP_OK;
fail:
    sip_report_destroy(r);
    return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (report)");
}

void sip_report_destroy(sip_report_t *r)
{
    if (!r)
        return;
    sip_check_result_destroy(r->check);
    sip_graph_metrics_destroy(r->metrics);
    sip_graph_destroy(r->graph);
    free(r->links);
    free(r->link_load_GBps);
    free(r->link_util);
    free(r->curve_fraction);
    free(r->curve_load);
    free(r->curve_latency_ns);
    sip_traffic_result_destroy(r->traffic);
    sip_demand_destroy(r->demand);
    sip_routes_destroy(r->routes);
    sip_network_destroy(r->net);
    sip_thermal_result_destroy(r->thermal);
    sip_tpp_result_destroy(r->tpp);
    sip_cost_result_destroy(r->cost);
    sip_workload_result_destroy(r->workload);
    free(r);
}

double sip_report_instance_t_max_c(const sip_report_t *r, int instance)
{
    if (!r || !r->thermal || instance < 0 || instance >= r->thermal->n_dies)
        return NAN;
    return r->thermal->dies[instance].t_max_c;
}
