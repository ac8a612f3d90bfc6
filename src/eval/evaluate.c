/* One evaluation of a package: every engine once, in the order of sipsim/eval.h.  An engine that
 * cannot evaluate the package leaves its result NULL and its error set; only ENOMEM fails.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"

static bool is_enomem(sip_status_t st)
{
    return st == SIP_ENOMEM;
}

static sip_status_t collect_ucie(sip_eval_result_t *r)
{
    const sip_package_t *pkg = r->pkg;
    r->links = calloc((size_t)(pkg->n_links > 0 ? pkg->n_links : 1), sizeof *r->links);
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

static sip_status_t collect_workload(sip_eval_result_t *r)
{
    sip_workload_options_t wo;
    sip_workload_options_init(&wo);
    wo.routing = r->options.routing;
    sip_status_t st = sip_workload_evaluate(r->pkg, NULL, NULL, &wo, &r->workload,
                                            &r->workload_error);
    return is_enomem(st) ? st : SIP_OK;
}

/* The pattern (the options', the package's, else uniform) and load over the options' routing,
 * as `sipsim traffic FILE` evaluates it. */
static sip_status_t collect_traffic(sip_eval_result_t *r)
{
    const sip_package_t *pkg = r->pkg;
    const sip_eval_options_t *o = &r->options;
    sip_error_t *e = &r->traffic_error;
    sip_status_t st;
    snprintf(r->traffic_pattern, sizeof r->traffic_pattern, "%s",
             o->traffic_pattern[0] ? o->traffic_pattern
             : pkg->traffic.pattern[0] ? pkg->traffic.pattern
                                       : "uniform");
    sip_pattern_params_t params;
    if ((st = sip_network_from_package(pkg, NULL, &r->net, e)) != SIP_OK ||
        (st = sip_pattern_params_from_package(r->net, pkg, &params, e)) != SIP_OK)
        goto fail;
    if (strcmp(r->traffic_pattern, SIP_PATTERN_WORKLOAD) == 0 && !(pkg->traffic.load > 0.0)) {
        params.load = 1.0; /* the workload's demand as is */
        params.load_in_GBps = false;
    }
    if ((st = sip_routes_compute(r->net, o->routing, NULL, &r->routes, e)) != SIP_OK ||
        (st = sip_package_demand_build(pkg, r->net, r->traffic_pattern, &params, r->workload,
                                       o->routing, &r->demand, e)) != SIP_OK ||
        (st = sip_traffic_evaluate(r->net, r->routes, r->demand, NULL, &r->traffic, e)) != SIP_OK)
        goto fail;
    size_t nl = (size_t)(pkg->n_links > 0 ? pkg->n_links : 1);
    r->link_load_GBps = calloc(nl, sizeof *r->link_load_GBps);
    r->link_util = calloc(nl, sizeof *r->link_util);
    if (!r->link_load_GBps || !r->link_util) {
        st = sip_error_set(e, SIP_ENOMEM, NULL, 0, "out of memory (traffic)");
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
    int points = o->curve_points > 60 ? 60 : o->curve_points; /* the plot draws <= 64 points */
    if (points > 0 && isfinite(sat) && sat > 0.0) {
        int n = points + 1;
        r->curve_fraction = malloc((size_t)n * sizeof(double));
        r->curve_load = malloc((size_t)n * sizeof(double));
        r->curve_latency_ns = malloc((size_t)n * sizeof(double));
        if (!r->curve_fraction || !r->curve_load || !r->curve_latency_ns) {
            st = sip_error_set(e, SIP_ENOMEM, NULL, 0, "out of memory (traffic)");
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

static sip_status_t collect_thermal(sip_eval_result_t *r)
{
    const sip_eval_options_t *o = &r->options;
    sip_thermal_options_t to = {.grid_rows = o->thermal_grid,
                                .grid_cols = o->thermal_grid,
                                .secondary_r_c_per_w = -1.0,
                                .skip_power_caps = !o->thermal_power_caps};
    const double *power = NULL;
    if (o->thermal_workload_power && r->pkg->workload.present) {
        if (!r->workload) {
            sip_error_set(&r->thermal_error, SIP_EINVAL, r->pkg->path, r->pkg->workload.line,
                          "thermal at the workload's power: the workload was not evaluated");
            return SIP_OK;
        }
        power = r->workload->power_w; /* one entry per instance = per native die */
    }
    sip_thermal_model_t *m = NULL;
    sip_status_t st = sip_thermal_model_create(r->pkg, &to, &m, &r->thermal_error);
    if (st == SIP_OK && power && sip_thermal_model_n_dies(m) != r->workload->n_instances)
        st = sip_error_set(&r->thermal_error, SIP_EINTERNAL, NULL, 0,
                           "thermal model has %d dies for %d workload instances",
                           sip_thermal_model_n_dies(m), r->workload->n_instances);
    if (st == SIP_OK)
        st = sip_thermal_solve(m, power, &r->thermal, &r->thermal_error);
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

static sip_status_t collect_cost(sip_eval_result_t *r)
{
    sip_cost_params_t cp;
    sip_cost_params_init(&cp);
    sip_cost_params_apply_spec(&cp, &r->pkg->cost);
    cp.skip_crossover = !r->options.cost_crossover;
    sip_status_t st = sip_cost_evaluate(r->pkg, &cp, &r->cost, &r->cost_error);
    if (r->cost) /* dollars per token/s of the package's workload (NAN without one) */
        sip_cost_set_throughput(r->cost, r->workload ? r->workload->tokens_per_s : NAN);
    return is_enomem(st) ? st : SIP_OK;
}

/* The CLI's package defaults (tools/cmd_netsim.c): 1 GHz router clock, 32-byte flits. */
static sip_status_t collect_netsim(sip_eval_result_t *r)
{
    sip_netsim_net_t *net = NULL;
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    cfg.injection_rate = r->options.netsim_rate;
    cfg.seed = r->options.netsim_seed;
    sip_status_t st = sip_netsim_net_from_package(r->pkg, 0, 1.0, 32, &net, &r->netsim_error);
    if (st == SIP_OK)
        st = sip_netsim_run(net, &cfg, &r->netsim, &r->netsim_error);
    r->netsim_done = st == SIP_OK;
    if (st != SIP_OK)
        sip_netsim_result_fini(&r->netsim);
    sip_netsim_net_destroy(net);
    return is_enomem(st) ? st : SIP_OK;
}

sip_status_t sip_evaluate(const sip_package_t *pkg, const sip_eval_options_t *opts,
                          sip_eval_result_t **out, sip_error_t *err)
{
    if (out)
        *out = NULL;
    if (!pkg || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_evaluate: NULL argument");
    sip_eval_result_t *r = calloc(1, sizeof *r);
    if (!r)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (evaluation)");
    r->pkg = pkg;
    r->options = opts ? *opts : sip_eval_options_default();
    const sip_eval_options_t *o = &r->options;
    sip_status_t st = SIP_OK;
    if (o->check && is_enomem(st = sip_check_run(pkg, &r->check, &r->check_error)))
        goto fail;
    if (o->graph) {
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
    }
    st = SIP_OK;
    if (o->ucie && (st = collect_ucie(r)) != SIP_OK)
        goto fail;
    /* the workload first: its demand may be the traffic pattern and its power the thermal map */
    if (o->workload && pkg->workload.present && (st = collect_workload(r)) != SIP_OK)
        goto fail;
    if (o->traffic && (st = collect_traffic(r)) != SIP_OK)
        goto fail;
    if (o->thermal && (st = collect_thermal(r)) != SIP_OK)
        goto fail;
    if (o->tpp && is_enomem(st = sip_tpp_evaluate(pkg, NULL, &r->tpp, &r->tpp_error)))
        goto fail;
    if (o->cost && (st = collect_cost(r)) != SIP_OK)
        goto fail;
    if (o->netsim && (st = collect_netsim(r)) != SIP_OK)
        goto fail;
    *out = r;
    return SIP_OK;
fail:
    sip_eval_result_destroy(r);
    return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (evaluation)");
}

void sip_eval_result_destroy(sip_eval_result_t *r)
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
    if (r->netsim_done)
        sip_netsim_result_fini(&r->netsim);
    free(r);
}
