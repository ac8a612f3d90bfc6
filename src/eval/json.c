/* Every engine result as JSON (jansson): the one serializer `sipsim ENGINE --json`,
 * `sipsim report --json` and the bindings share.  Numbers are JSON reals with 12 significant
 * digits (integers stay integers); JSON has no NaN or infinity, so those are null.  Strings
 * from the user (names, paths, messages) go through jansson, which escapes quotes, backslashes
 * and control characters and refuses invalid UTF-8 (such a string becomes null, not broken text).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"

json_t *sip__json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

#define num sip__json_number

/* A user string: invalid UTF-8 is dropped to null rather than failing the whole document. */
static json_t *str(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_null();
}

/* Set key on o to v (stolen); a NULL v (ENOMEM) poisons o so the caller sees the failure. */
static bool put(json_t *o, const char *key, json_t *v)
{
    return v && json_object_set_new(o, key, v) == 0;
}

static json_t *finish(json_t *o, bool ok)
{
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *error_json(const sip_error_t *e)
{
    char buf[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32] = "not evaluated";
    if (e->status != SIP_OK)
        sip_error_format(e, buf, sizeof buf);
    json_t *o = json_object();
    return o ? finish(o, put(o, "error", str(buf))) : NULL;
}

sip_status_t sip__json_finish(json_t *j, char **out, sip_error_t *err)
{
    *out = NULL;
    if (!j)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (JSON)");
    *out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(j);
    if (!*out)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (JSON)");
    return SIP_OK;
}

/* ------------------------------------------------------------------ UCIe */

static void port_label(const sip_package_t *pkg, int inst, int port, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", pkg->instances[inst].name,
             sip_instance_type(pkg, inst)->ports[port].name);
}

/* One link: the package's link, the UCIe model's result, and (link_util not NULL) its
 * utilization and power at the evaluation's traffic.  `sipsim links --json` and the ucie
 * section of the evaluation are arrays of these. */
static json_t *link_json(const sip_package_t *pkg, int k, const sip_ucie_link_result_t *x,
                         const double *link_util)
{
    const sip_link_t *l = &pkg->links[k];
    char name[2 * SIP_NAME_MAX + 2], from[2 * SIP_NAME_MAX + 2], to[2 * SIP_NAME_MAX + 2];
    if (l->name[0])
        snprintf(name, sizeof name, "%s", l->name);
    else
        snprintf(name, sizeof name, "%s-%s", pkg->instances[l->from_instance].name,
                 pkg->instances[l->to_instance].name);
    port_label(pkg, l->from_instance, l->from_port, from, sizeof from);
    port_label(pkg, l->to_instance, l->to_port, to, sizeof to);
    double util = link_util ? link_util[k] : 0.0;
    json_t *o = json_object();
    bool ok = o && put(o, "name", str(name)) && put(o, "from", str(from)) &&
              put(o, "to", str(to)) &&
              put(o, "package", str(sip_ucie_package_name(l->package))) &&
              put(o, "flit", str(sip_flit_name(l->flit))) &&
              put(o, "protocol", str(sip_protocol_name(l->protocol))) &&
              put(o, "length_mm", num(sip_link_length_mm(pkg, k))) &&
              put(o, "trained", str(sip_ucie_trained_name(x->trained))) &&
              put(o, "training", str(sip_ucie_trained_name(x->trained))) &&
              put(o, "modules", json_integer(x->modules)) &&
              put(o, "lanes_per_module", json_integer(x->lanes_per_module)) &&
              put(o, "lanes", json_integer(x->lanes_per_module)) &&
              put(o, "spare_lanes_used", json_integer(x->spare_lanes_used)) &&
              put(o, "rate_gtps", num(x->rate_gtps)) && put(o, "ucie3", json_boolean(x->ucie3)) &&
              put(o, "raw_ber", num(x->raw_ber)) &&
              put(o, "raw_GBps_per_dir", num(x->raw_GBps_per_dir)) &&
              put(o, "raw_GBps_bidir", num(x->raw_GBps_bidir)) &&
              put(o, "payload_share", num(x->payload_share)) &&
              put(o, "payload_GBps_per_dir", num(x->payload_GBps_per_dir)) &&
              put(o, "payload_GBps_bidir", num(x->payload_GBps_bidir)) &&
              put(o, "shoreline_mm", num(x->shoreline_mm)) &&
              put(o, "shoreline_GBps_per_mm", num(x->shoreline_GBps_per_mm)) &&
              put(o, "module_depth_mm", num(x->module_depth_mm)) &&
              put(o, "areal_GBps_per_mm2", num(x->areal_GBps_per_mm2)) &&
              put(o, "adapter_phy_ns", num(x->adapter_phy_ns)) && put(o, "phy_ns", num(x->phy_ns)) &&
              put(o, "flight_ns", num(x->flight_ns)) &&
              put(o, "serialization_ns", num(x->serialization_ns)) &&
              put(o, "latency_ns", num(x->latency_ns)) &&
              put(o, "energy_pj_per_bit", num(x->energy_pj_per_bit)) &&
              put(o, "peak_power_w", num(x->peak_power_w)) &&
              put(o, "idle_power_fraction", num(x->idle_power_fraction)) &&
              put(o, "flit_bytes", json_integer(x->flit_bytes)) &&
              put(o, "flit_error_prob", num(x->flit_error_prob)) &&
              put(o, "flit_undetected_prob", num(x->flit_undetected_prob)) &&
              put(o, "replay_rtt_flits", json_integer(x->replay_rtt_flits)) &&
              put(o, "goodput_loss", num(x->goodput_loss)) && put(o, "goodput", num(x->goodput)) &&
              put(o, "retry_mean_added_ns", num(x->retry_mean_added_ns)) &&
              put(o, "retry_p99_added_ns", num(x->retry_p99_added_ns)) &&
              put(o, "fit", num(x->fit)) && put(o, "fit_burst_bound", num(x->fit_burst_bound)) &&
              put(o, "fit_high", json_boolean(x->fit_high)) &&
              put(o, "adapter_ns", num(x->adapter_ns)) &&
              put(o, "release_bytes", json_integer(x->release_bytes)) &&
              put(o, "release_ns", num(x->release_ns)) && put(o, "line", json_integer(l->line)) &&
              put(o, "utilization", link_util ? num(util) : json_null()) &&
              put(o, "power_w", num(sip_ucie_link_power_w(x, util)));
    return finish(o, ok);
}

json_t *sip__ucie_json(const sip_package_t *pkg, const sip_ucie_link_result_t *links,
                       const double *link_util)
{
    json_t *a = json_array();
    bool ok = a != NULL;
    for (int k = 0; ok && k < pkg->n_links; k++)
        ok = json_array_append_new(a, link_json(pkg, k, &links[k], link_util)) == 0;
    return finish(a, ok);
}

/* ------------------------------------------------------------------ traffic */

json_t *sip__traffic_json(const sip_network_t *net, const sip_routes_t *routes,
                          const sip_demand_matrix_t *d, const char *pattern,
                          const sip_traffic_result_t *r)
{
    json_t *o = json_object();
    bool ok = o && put(o, "network", str(net->name)) &&
              put(o, "routing", str(sip_routing_name(routes->algorithm))) &&
              put(o, "pattern", str(pattern)) && put(o, "load", num(d->load)) &&
              put(o, "load_in_GBps", json_boolean(d->load_in_GBps)) &&
              put(o, "injected_GBps", num(r->injected_GBps)) &&
              put(o, "ejected_GBps", num(r->ejected_GBps)) &&
              put(o, "channel_GBps_sum", num(r->channel_GBps_sum)) &&
              put(o, "mean_hops", num(r->mean_hops)) &&
              put(o, "max_utilization", num(r->max_util)) &&
              put(o, "saturation_scale", num(r->saturation_scale)) &&
              put(o, "saturation_load", num(r->saturation_load)) &&
              put(o, "channel_bound_scale", num(r->channel_bound_scale)) &&
              put(o, "channel_bound_load", num(r->channel_bound_load)) &&
              put(o, "router_limited", json_boolean(r->router_limited)) &&
              put(o, "mean_zero_load_ns", num(r->mean_zero_load_ns)) &&
              put(o, "mean_latency_ns", num(r->mean_latency_ns)) &&
              put(o, "queueing_model", str("M/D/1 per port")) &&
              put(o, "d2d_power_w", num(r->d2d_power_w)) &&
              put(o, "energy_pj_per_byte", num(r->energy_pj_per_byte));
    char buf[2 * SIP_NAME_MAX + 32];
    json_t *bn = ok ? json_array() : NULL;
    ok = ok && put(o, "bottlenecks", bn);
    for (int b = 0; ok && b < r->n_bottlenecks; b++)
        ok = json_array_append_new(
                 bn, json_pack("{s:o, s:o}", "port",
                               str(sip_traffic_port_name(net, r->bottlenecks[b], buf, sizeof buf)),
                               "utilization", num(r->bottlenecks[b].utilization))) == 0;
    json_t *ch = ok ? json_array() : NULL;
    ok = ok && put(o, "channels", ch);
    for (int c = 0; ok && c < net->n_channels; c++) {
        const sip_channel_t *x = &net->channels[c];
        ok = json_array_append_new(
                 ch, json_pack("{s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "from",
                               str(net->nodes[x->from].name), "to", str(net->nodes[x->to].name),
                               "link", x->link, "capacity_GBps", num(x->capacity_GBps),
                               "load_GBps", num(r->channel_GBps[c]), "utilization",
                               num(r->channel_util[c]), "latency_ns", num(x->latency_ns))) == 0;
    }
    json_t *fl = ok ? json_array() : NULL;
    ok = ok && put(o, "flows", fl);
    for (int i = 0; ok && i < d->n_flows; i++)
        ok = json_array_append_new(
                 /* from/to name the nodes as the channels do; src/dst are the node ids. */
                 fl, json_pack("{s:o, s:o, s:i, s:i, s:o, s:o, s:o, s:o}", "from",
                               str(net->nodes[d->flows[i].src].name), "to",
                               str(net->nodes[d->flows[i].dst].name), "src", d->flows[i].src,
                               "dst", d->flows[i].dst, "GBps", num(d->flows[i].GBps), "hops",
                               num(r->flow_hops[i]), "zero_load_ns",
                               num(r->flow_zero_load_ns[i]), "latency_ns",
                               num(r->flow_latency_ns[i]))) == 0;
    return finish(o, ok);
}

/* ------------------------------------------------------------------ thermal */

json_t *sip__thermal_json(const sip_thermal_result_t *t)
{
    json_t *dies = json_array();
    bool ok = dies != NULL;
    for (int d = 0; ok && d < t->n_dies; d++) {
        const sip_thermal_die_t *D = &t->dies[d];
        ok = json_array_append_new(
                 dies, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "name", str(D->name),
                                 "power_w", num(D->power_w), "t_max_c", num(D->t_max_c),
                                 "t_avg_c", num(D->t_avg_c), "headroom_c", num(D->headroom_c),
                                 "power_cap_w",
                                 D->power_cap_w >= 0 ? num(D->power_cap_w) : json_null())) == 0;
    }
    if (!ok) {
        json_decref(dies);
        return NULL;
    }
    return json_pack("{s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                     "s:o}",
                     "grid_rows", t->rows, "grid_cols", t->cols, "layers", t->n_layers,
                     "ambient_c", num(t->ambient_c), "tj_max_c", num(t->tj_max_c), "t_max_c",
                     num(t->t_max_c), "hot_x_mm", num(t->hot_x_mm), "hot_y_mm", num(t->hot_y_mm),
                     "headroom_c", num(t->headroom_c), "hot_die",
                     t->hot_die >= 0 ? str(t->dies[t->hot_die].name) : json_null(),
                     "budget_scale", t->budget_scale >= 0 ? num(t->budget_scale) : json_null(),
                     "budget_power_w", t->budget_scale >= 0 ? num(t->budget_power_w) : json_null(),
                     "power_in_w", num(t->power_in_w), "heat_out_w", num(t->heat_out_w), "dies",
                     dies);
}

/* ------------------------------------------------------------------ TPP */

json_t *sip__tpp_json(const sip_tpp_result_t *t)
{
    json_t *classes = json_object();
    bool ok = classes != NULL;
    for (int i = 0; ok && i < t->n_classes; i++) {
        const sip_tpp_class_t *c = &t->classes[i];
        const sip_rule_t *rule = sip_tpp_rule(c->rule);
        json_t *margins = json_array();
        ok = margins != NULL;
        for (int j = 0; ok && j < c->n_margins; j++) {
            const sip_clause_t *cl = &rule->clauses[c->margins[j].clause];
            const sip_condition_t *cd = &cl->conditions[c->margins[j].condition];
            ok = json_array_append_new(
                     margins, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "clause", cl->name,
                                        "metric", sip_metric_name(cd->metric), "cmp",
                                        sip_cmp_symbol(cd->cmp), "threshold", num(cd->threshold),
                                        "value", num(c->margins[j].value), "margin",
                                        num(c->margins[j].margin), "holds",
                                        c->margins[j].holds)) == 0;
        }
        if (!ok) {
            json_decref(margins);
            break;
        }
        ok = put(classes, rule->id,
                 json_pack("{s:s, s:o}", "class", c->class_name, "margins", margins));
    }
    if (!ok) {
        json_decref(classes);
        return NULL;
    }
    const sip_tpp_metrics_t *m = &t->metrics;
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "tpp",
                     num(m->value[SIP_METRIC_TPP]), "performance_density",
                     num(m->value[SIP_METRIC_PD]), "io_GBps", num(m->value[SIP_METRIC_IO_GBPS]),
                     "hbm_density", num(m->value[SIP_METRIC_HBM_DENSITY]), "logic_dies",
                     num(m->value[SIP_METRIC_LOGIC_DIES]), "applicable_area_mm2",
                     num(m->applicable_area_mm2), "precision", sip_precision_name(m->precision),
                     "classes", classes);
}

/* ------------------------------------------------------------------ workload */

static json_t *step_json(const sip_step_t *s)
{
    json_t *by = json_object();
    bool ok = by != NULL;
    for (int l = 0; ok && l < SIP_LIMIT_COUNT; l++)
        ok = put(by, sip_limit_name((sip_limit_t)l), num(s->time_by_limit_s[l]));
    if (!ok) {
        json_decref(by);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "tokens",
                     num(s->tokens), "time_s", num(s->time_s), "limit", sip_limit_name(s->limit),
                     "time_by_limit_s", by, "macs", num(s->macs), "hbm_bytes", num(s->hbm_bytes),
                     "d2d_bytes", num(s->d2d_bytes), "io_bytes", num(s->io_bytes),
                     "mac_utilization", num(s->mac_utilization), "energy_j", num(s->energy_j));
}

json_t *sip__workload_json(const sip_workload_result_t *w)
{
    json_t *o = json_object();
    bool ok = o && put(o, "model", str(w->shape.name)) &&
              put(o, "model_path", str(w->shape.path)) &&
              put(o, "phase", str(w->workload.phase)) &&
              put(o, "batch", json_integer(w->workload.batch)) &&
              put(o, "context_tokens", json_integer(w->workload.context_tokens)) &&
              put(o, "precision", str(sip_precision_name(w->precision))) &&
              put(o, "tensor_parallel", json_integer(w->workload.tensor_parallel)) &&
              put(o, "pipeline_parallel", json_integer(w->workload.pipeline_parallel)) &&
              put(o, "chiplets", json_integer(w->n_compute)) &&
              put(o, "tokens_per_s", num(w->tokens_per_s)) && put(o, "ttft_s", num(w->ttft_s)) &&
              put(o, "tpot_s", num(w->tpot_s)) &&
              put(o, "limit", str(sip_limit_name(w->step->limit))) &&
              put(o, "mac_utilization", num(w->step->mac_utilization)) &&
              put(o, "j_per_token", num(w->j_per_token)) &&
              put(o, "hbm_bytes_per_token", num(w->hbm_bytes_per_token)) &&
              put(o, "macs_per_token", num(w->macs_per_token)) &&
              put(o, "peak_macs_per_s", num(w->peak_macs_per_s)) &&
              put(o, "hbm_GBps", num(w->hbm_GBps)) &&
              put(o, "weight_bytes_per_chiplet", num(w->weight_bytes_per_chiplet)) &&
              put(o, "kv_bytes_per_chiplet", num(w->kv_bytes_per_chiplet)) &&
              put(o, "hbm_capacity_bytes_per_chiplet", num(w->hbm_capacity_bytes_per_chiplet)) &&
              put(o, "fits", json_boolean(w->fits)) &&
              put(o, "d2d_max_util", num(w->d2d_max_util)) &&
              put(o, "d2d_energy_pj_per_byte", num(w->d2d_energy_pj_per_byte)) &&
              put(o, "prefill", step_json(&w->prefill)) && put(o, "decode", step_json(&w->decode));
    json_t *inst = ok ? json_array() : NULL;
    ok = ok && put(o, "instance_power_w", inst);
    for (int i = 0; ok && i < w->n_instances; i++)
        ok = json_array_append_new(inst, num(w->power_w[i])) == 0;
    return finish(o, ok);
}

/* ------------------------------------------------------------------ cost */

json_t *sip__cost_json(const sip_cost_result_t *c)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:b, s:o, s:o, s:o}", "total_usd",
                     num(c->package.total_usd), "recurring_usd", num(c->package.recurring_usd),
                     "nre_per_unit_usd", num(c->package.nre_per_unit_usd), "assembly_yield",
                     num(c->package.assembly_yield), "logic_area_mm2",
                     num(c->package.logic_area_mm2), "monolithic_usd", num(c->mono.total_usd),
                     "monolithic_area_mm2", num(c->mono_area_mm2), "monolithic_node_nm",
                     c->mono_node_nm, "monolithic_over_reticle", c->mono_exceeds_reticle,
                     "usd_per_tpp", num(c->usd_per_tpp), "tokens_per_s", num(c->tokens_per_s),
                     "usd_per_tokens_per_s", num(c->usd_per_tokens_per_s));
}

/* ------------------------------------------------------------------ netsim */

static json_t *latency_json(const sip_netsim_latency_t *l, bool full)
{
    if (!full)
        return json_pack("{s:o, s:o, s:o}", "mean", num(l->mean), "p50", num(l->p50), "p99",
                         num(l->p99));
    return json_pack("{s:o, s:o, s:o, s:o, s:I}", "mean", num(l->mean), "p50", num(l->p50), "p99",
                     num(l->p99), "max", num(l->max), "count", (json_int_t)l->count);
}

json_t *sip__netsim_json(const sip_netsim_net_t *net, const sip_netsim_result_t *r)
{
    json_t *o = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I}",
                          "status", sip_netsim_run_status_name(r->status), "sustained",
                          sip_netsim_result_sustained(r), "offered", num(r->offered), "injected",
                          num(r->injected), "accepted", num(r->accepted), "packet_latency",
                          latency_json(&r->packet, true), "network_latency",
                          latency_json(&r->network, false), "flit_latency_mean",
                          num(r->flit_latency_mean), "hops_mean", num(r->hops_mean), "cycles",
                          (json_int_t)r->cycles, "measure_cycles", (json_int_t)r->measure_cycles,
                          "flit_errors", (json_int_t)r->flit_errors, "replayed_flits",
                          (json_int_t)r->replayed_flits);
    if (!o || !net)
        return o;
    json_t *ch = json_array();
    bool ok = put(o, "channels", ch);
    for (int c = 0; ok && c < r->n_channels && c < net->n_channels; c++) {
        const sip_netsim_channel_t *x = &net->channels[c];
        ok = json_array_append_new(
                 ch, json_pack("{s:o, s:o, s:i, s:i, s:i, s:o, s:o}", "from",
                               str(net->router_names[x->from_router]), "to",
                               str(net->router_names[x->to_router]), "link", x->link,
                               "latency_cycles", x->latency_cycles, "width_flits", x->width_flits,
                               "rate_flits", num(x->rate_flits > 0.0 ? x->rate_flits : x->width_flits),
                               "utilization", num(r->channel_utilization[c]))) == 0;
    }
    return finish(o, ok);
}

/* ------------------------------------------------------------------ public text forms */

sip_status_t sip_ucie_link_results_to_json(const sip_package_t *pkg,
                                           const sip_ucie_link_result_t *links,
                                           const double *link_util, char **out, sip_error_t *err)
{
    if (!pkg || (!links && pkg->n_links > 0) || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_ucie_link_results_to_json: NULL argument");
    return sip__json_finish(sip__ucie_json(pkg, links, link_util), out, err);
}

sip_status_t sip_traffic_result_to_json(const sip_network_t *net, const sip_routes_t *routes,
                                        const sip_demand_matrix_t *demand, const char *pattern,
                                        const sip_traffic_result_t *result, char **out,
                                        sip_error_t *err)
{
    if (!net || !routes || !demand || !result || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_traffic_result_to_json: NULL argument");
    return sip__json_finish(sip__traffic_json(net, routes, demand, pattern, result), out, err);
}

#define TO_JSON(fn, type, builder)                                                           \
    sip_status_t fn(const type *result, char **out, sip_error_t *err)                        \
    {                                                                                        \
        if (!result || !out)                                                                 \
            return sip_error_set(err, SIP_EINVAL, NULL, 0, #fn ": NULL argument");           \
        return sip__json_finish(builder(result), out, err);                                  \
    }
TO_JSON(sip_thermal_result_to_json, sip_thermal_result_t, sip__thermal_json)
TO_JSON(sip_tpp_result_to_json, sip_tpp_result_t, sip__tpp_json)
TO_JSON(sip_workload_result_to_json, sip_workload_result_t, sip__workload_json)
TO_JSON(sip_cost_result_to_json, sip_cost_result_t, sip__cost_json)
#undef TO_JSON

sip_status_t sip_netsim_result_to_json(const sip_netsim_net_t *net,
                                       const sip_netsim_result_t *result, char **out,
                                       sip_error_t *err)
{
    if (!result || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_netsim_result_to_json: NULL argument");
    return sip__json_finish(sip__netsim_json(net, result), out, err);
}

/* ------------------------------------------------------------------ the whole evaluation */

static int n_attached(const sip_package_t *pkg)
{
    int n = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        n += pkg->instances[i].attached_to >= 0;
    return n;
}

static json_t *package_json(const sip_package_t *pkg)
{
    int attached = n_attached(pkg);
    return json_pack("{s:o, s:o, s:o, s:{s:s, s:o, s:o}, s:i, s:i, s:i, s:o, s:o}", "name",
                     str(pkg->name), "path", str(pkg->path), "description", str(pkg->description),
                     "substrate", "kind", sip_substrate_name(pkg->substrate.kind), "width_mm",
                     num(pkg->substrate.width_mm), "height_mm", num(pkg->substrate.height_mm),
                     "dies", pkg->n_instances - attached, "attached_stacks", attached, "links",
                     pkg->n_links, "total_power_w", num(sip_package_total_power_w(pkg)),
                     "power_budget_w",
                     pkg->thermal.power_budget_w >= 0 ? num(pkg->thermal.power_budget_w)
                                                      : json_null());
}

static json_t *instances_json(const sip_package_t *pkg)
{
    json_t *a = json_array();
    bool ok = a != NULL;
    for (int i = 0; ok && i < pkg->n_instances; i++) {
        const sip_instance_t *in = &pkg->instances[i];
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        ok = json_array_append_new(
                 a, json_pack("{s:o, s:o, s:s, s:o, s:o, s:i, s:o, s:o}", "name", str(in->name),
                              "type", str(t->name), "kind", sip_kind_name(t->kind), "x_mm",
                              num(in->x_mm), "y_mm", num(in->y_mm), "rotation_deg",
                              in->rotation_deg, "power_w", num(sip_instance_power_w(pkg, i)),
                              "attached_to",
                              in->attached_to >= 0 ? str(pkg->instances[in->attached_to].name)
                                                   : json_null())) == 0;
    }
    return finish(a, ok);
}


static json_t *links_json(const sip_package_t *pkg, const sip_graph_t *graph)
{
    json_t *a = json_array();
    bool ok = a != NULL;
    for (int k = 0; ok && k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        char from[2 * SIP_NAME_MAX + 2], to[2 * SIP_NAME_MAX + 2];
        port_label(pkg, l->from_instance, l->from_port, from, sizeof from);
        port_label(pkg, l->to_instance, l->to_port, to, sizeof to);
        const sip_graph_edge_t *e = graph ? sip_graph_edge(graph, k) : NULL;
        ok = json_array_append_new(
                 a, json_pack("{s:o, s:o, s:o, s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "name",
                              str(l->name), "from", str(from), "to", str(to), "package",
                              sip_ucie_package_name(l->package), "modules", l->modules, "lanes",
                              sip_link_lanes_per_module(l), "rate_gtps", num(l->rate_gtps),
                              "length_mm", num(sip_link_length_mm(pkg, k)), "bandwidth_GBps",
                              e ? num(e->bandwidth_GBps) : json_null(), "payload_GBps",
                              e ? num(e->payload_GBps) : json_null(), "latency_ns",
                              e ? num(e->latency_ns) : json_null())) == 0;
    }
    return finish(a, ok);
}

/* A library call's JSON text as a value (taking the text); NULL on ENOMEM. */
static json_t *from_text(sip_status_t st, char *text)
{
    json_t *j = st == SIP_OK && text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

static json_t *check_section(const sip_eval_result_t *r)
{
    if (!r->options.check)
        return json_null();
    if (!r->check)
        return error_json(&r->check_error);
    char *text = NULL;
    sip_status_t st = sip_check_result_to_json(r->check, &text, NULL);
    return from_text(st, text);
}

static json_t *graph_section(const sip_eval_result_t *r)
{
    if (!r->options.graph)
        return json_null();
    if (!r->graph)
        return error_json(&r->graph_error);
    char *text = NULL;
    sip_status_t st = sip_graph_export(r->graph, r->metrics, SIP_GRAPH_FORMAT_JSON, &text, NULL);
    return from_text(st, text);
}

static json_t *traffic_section(const sip_eval_result_t *r)
{
    json_t *o = sip__traffic_json(r->net, r->routes, r->demand, r->traffic_pattern, r->traffic);
    json_t *curve = o ? json_array() : NULL;
    bool ok = o && put(o, "curve", curve);
    for (int i = 0; ok && i < r->n_curve; i++)
        ok = json_array_append_new(
                 curve, json_pack("{s:o, s:o, s:o}", "fraction_of_saturation",
                                  num(r->curve_fraction[i]), "load", num(r->curve_load[i]),
                                  "mean_latency_ns", num(r->curve_latency_ns[i]))) == 0;
    return finish(o, ok);
}

/* An engine's section: its object, {"error": ...} when it failed, null when not run. */
#define SECTION(run, result, build, error) \
    (!(run) ? json_null() : (result) ? (build) : error_json(&(error)))

json_t *sip__eval_json(const sip_eval_result_t *r)
{
    const sip_package_t *pkg = r->pkg;
    const sip_eval_options_t *o = &r->options;
    json_t *root = json_object();
    bool ok = root && put(root, "package", package_json(pkg)) &&
              put(root, "instances", instances_json(pkg)) &&
              put(root, "links", links_json(pkg, r->graph));
    ok = ok && put(root, "check", check_section(r)) && put(root, "graph", graph_section(r));
    ok = ok &&
         put(root, "ucie", SECTION(o->ucie, r->links, sip__ucie_json(pkg, r->links, r->link_util),
                                   r->ucie_error)) &&
         put(root, "traffic", SECTION(o->traffic, r->traffic, traffic_section(r), r->traffic_error)) &&
         put(root, "thermal",
             SECTION(o->thermal, r->thermal, sip__thermal_json(r->thermal), r->thermal_error)) &&
         put(root, "tpp", SECTION(o->tpp, r->tpp, sip__tpp_json(r->tpp), r->tpp_error)) &&
         put(root, "workload",
             SECTION(o->workload && pkg->workload.present, r->workload,
                     sip__workload_json(r->workload), r->workload_error)) &&
         put(root, "cost", SECTION(o->cost, r->cost, sip__cost_json(r->cost), r->cost_error)) &&
         put(root, "netsim",
             SECTION(o->netsim, r->netsim_done, sip__netsim_json(NULL, &r->netsim), r->netsim_error));
    return finish(root, ok);
}
#undef SECTION

sip_status_t sip_eval_result_to_json(const sip_eval_result_t *result, char **out, sip_error_t *err)
{
    if (!result || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_eval_result_to_json: NULL argument");
    return sip__json_finish(sip__eval_json(result), out, err);
}
