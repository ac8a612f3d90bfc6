/* sipsim report FILE (and `sipsim FILE`): the package summary, one section per function.
 * The engines run once (sip_evaluate); --json prints the library's document of that evaluation
 * (sip_eval_result_to_json), text prints one section per row of sections[] below.  The
 * package, instance, link, check and graph sections have JSON forms too: `sipsim info` uses
 * them.
 * Exit: 0 clean, 1 design-rule errors, 2 bad input or usage.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "report.h"

/* ---- context ---- */

int report_ctx_open(report_ctx_t *ctx, const char *path, const cli_common_t *common)
{
    memset(ctx, 0, sizeof *ctx);
    int rc = cli_load_package(path, common, &ctx->pkg);
    if (rc != CLI_EXIT_OK)
        return rc;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_check_run(ctx->pkg, &ctx->check, &err) != SIP_OK) {
        cli_print_error(&err);
        report_ctx_close(ctx);
        return CLI_EXIT_INPUT;
    }
    sip_error_clear(&ctx->graph_error);
    if (sip_graph_build(ctx->pkg, &ctx->graph, &ctx->graph_error) == SIP_OK &&
        sip_graph_metrics_compute(ctx->graph, &ctx->metrics, &ctx->graph_error) != SIP_OK) {
        sip_graph_destroy(ctx->graph);
        ctx->graph = NULL;
    }
    return CLI_EXIT_OK;
}

void report_ctx_close(report_ctx_t *ctx)
{
    sip_report_destroy(ctx->engines);
    sip_graph_metrics_destroy(ctx->metrics);
    sip_graph_destroy(ctx->graph);
    sip_check_result_destroy(ctx->check);
    sip_package_destroy(ctx->pkg);
    memset(ctx, 0, sizeof *ctx);
}

json_t *report_json_from_text(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

/* JSON has no infinity or NaN: such a figure is null. */
static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int n_attached(const sip_package_t *pkg)
{
    int n = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        n += pkg->instances[i].attached_to >= 0;
    return n;
}

/* ---- package ---- */

static void package_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    fprintf(out, "package %s (%s)\n", pkg->name, pkg->path);
    if (pkg->description[0])
        fprintf(out, "  %s\n", pkg->description);
    fprintf(out, "  substrate %s, %.1f x %.1f mm\n", sip_substrate_name(pkg->substrate.kind),
            pkg->substrate.width_mm, pkg->substrate.height_mm);
    int attached = n_attached(pkg);
    fprintf(out, "  %d dies + %d attached memory stack%s, %d UCIe link%s\n",
            pkg->n_instances - attached, attached, attached == 1 ? "" : "s", pkg->n_links,
            pkg->n_links == 1 ? "" : "s");
    fprintf(out, "  total power %.1f W", sip_package_total_power_w(pkg));
    if (pkg->thermal.power_budget_w >= 0)
        fprintf(out, " (budget %.1f W)", pkg->thermal.power_budget_w);
    fprintf(out, "\n\n");
}

static json_t *package_json(const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    int attached = n_attached(pkg);
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:o, s:o}, s:i, s:i, s:i, s:o, s:o}", "name",
                     pkg->name, "path", pkg->path, "description", pkg->description, "substrate",
                     "kind", sip_substrate_name(pkg->substrate.kind), "width_mm",
                     jnum(pkg->substrate.width_mm), "height_mm", jnum(pkg->substrate.height_mm),
                     "dies", pkg->n_instances - attached, "attached_stacks", attached, "links",
                     pkg->n_links, "total_power_w", jnum(sip_package_total_power_w(pkg)),
                     "power_budget_w",
                     pkg->thermal.power_budget_w >= 0 ? jnum(pkg->thermal.power_budget_w)
                                                      : json_null());
}

/* ---- chiplet types ---- */

static int type_ports_modules(const sip_chiplet_type_t *t)
{
    int m = 0;
    for (int p = 0; p < t->n_ports; p++)
        m += t->ports[p].modules;
    return m;
}

static void types_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    fprintf(out, "chiplet types\n  %-18s %-8s %13s %5s %8s %6s %8s  %s\n", "name", "kind",
            "size mm", "nm", "TDP W", "ports", "modules", "defined in");
    for (int i = 0; i < pkg->n_types; i++) {
        const sip_chiplet_type_t *t = &pkg->types[i];
        char size[32];
        snprintf(size, sizeof size, "%.2f x %.2f", t->width_mm, t->height_mm);
        fprintf(out, "  %-18s %-8s %13s %5d %8.1f %6d %8d  %s:%d\n", t->name,
                sip_kind_name(t->kind), size, t->process_nm, t->tdp_w, t->n_ports,
                type_ports_modules(t), t->path, t->line);
    }
    fprintf(out, "\n");
}

static json_t *types_json(const report_ctx_t *ctx)
{
    json_t *a = json_array();
    for (int i = 0; a && i < ctx->pkg->n_types; i++) {
        const sip_chiplet_type_t *t = &ctx->pkg->types[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:i, s:o, s:i, s:i, s:s, s:i}",
                                           "name", t->name, "kind", sip_kind_name(t->kind),
                                           "width_mm", jnum(t->width_mm), "height_mm",
                                           jnum(t->height_mm), "process_nm", t->process_nm,
                                           "tdp_w", jnum(t->tdp_w), "ports", t->n_ports,
                                           "modules", type_ports_modules(t), "path", t->path,
                                           "line", t->line));
    }
    return a;
}

/* ---- instances ---- */

static void instances_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    fprintf(out, "instances\n  %-10s %-18s %-8s %15s %4s %15s %8s  %s\n", "name", "type", "kind",
            "position mm", "rot", "footprint mm", "power W", "attached to");
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_instance_t *in = &pkg->instances[i];
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        sip_rect_t r = sip_instance_rect(pkg, i);
        char pos[40], fp[40];
        snprintf(pos, sizeof pos, "%.2f, %.2f", in->x_mm, in->y_mm);
        snprintf(fp, sizeof fp, "%.2f x %.2f", r.x1_mm - r.x0_mm, r.y1_mm - r.y0_mm);
        fprintf(out, "  %-10s %-18s %-8s %15s %4d %15s %8.1f  %s\n", in->name, t->name,
                sip_kind_name(t->kind), pos, in->rotation_deg, fp, sip_instance_power_w(pkg, i),
                in->attached_to >= 0 ? pkg->instances[in->attached_to].name : "-");
    }
    fprintf(out, "\n");
}

static json_t *instances_json(const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    json_t *a = json_array();
    for (int i = 0; a && i < pkg->n_instances; i++) {
        const sip_instance_t *in = &pkg->instances[i];
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:o, s:o}", "name", in->name, "type",
                         t->name, "kind", sip_kind_name(t->kind), "x_mm", jnum(in->x_mm), "y_mm",
                         jnum(in->y_mm), "rotation_deg", in->rotation_deg, "power_w",
                         jnum(sip_instance_power_w(pkg, i)), "attached_to",
                         in->attached_to >= 0 ? json_string(pkg->instances[in->attached_to].name)
                                              : json_null()));
    }
    return a;
}

/* ---- links ---- */

static void port_label(const sip_package_t *pkg, int inst, int port, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", pkg->instances[inst].name,
             sip_instance_type(pkg, inst)->ports[port].name);
}

static void links_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    fprintf(out, "links\n  %-12s %-14s %-14s %-8s %-7s %5s %9s %9s %9s %8s\n", "name", "from",
            "to", "package", "width", "GT/s", "length mm", "raw GB/s", "pay GB/s", "lat ns");
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        char from[2 * SIP_NAME_MAX + 2], to[2 * SIP_NAME_MAX + 2], width[32];
        port_label(pkg, l->from_instance, l->from_port, from, sizeof from);
        port_label(pkg, l->to_instance, l->to_port, to, sizeof to);
        snprintf(width, sizeof width, "%dx%d", l->modules, sip_link_lanes_per_module(l));
        fprintf(out, "  %-12s %-14s %-14s %-8s %-7s %5g %9.2f", l->name, from, to,
                sip_ucie_package_name(l->package), width, l->rate_gtps, sip_link_length_mm(pkg, k));
        if (ctx->graph) {
            const sip_graph_edge_t *e = sip_graph_edge(ctx->graph, k);
            fprintf(out, " %9.1f %9.1f %8.3f\n", e->bandwidth_GBps, e->payload_GBps, e->latency_ns);
        } else {
            fprintf(out, " %9s %9s %8s\n", "-", "-", "-");
        }
    }
    fprintf(out, "  (GB/s per direction; raw = modules x lanes x rate / 8, pay = after flit "
                 "overhead and retry)\n\n");
}

static json_t *links_json(const report_ctx_t *ctx)
{
    const sip_package_t *pkg = ctx->pkg;
    json_t *a = json_array();
    for (int k = 0; a && k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        char from[2 * SIP_NAME_MAX + 2], to[2 * SIP_NAME_MAX + 2];
        port_label(pkg, l->from_instance, l->from_port, from, sizeof from);
        port_label(pkg, l->to_instance, l->to_port, to, sizeof to);
        const sip_graph_edge_t *e = ctx->graph ? sip_graph_edge(ctx->graph, k) : NULL;
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "name",
                         l->name, "from", from, "to", to, "package",
                         sip_ucie_package_name(l->package), "modules", l->modules, "lanes",
                         sip_link_lanes_per_module(l), "rate_gtps", jnum(l->rate_gtps),
                         "length_mm", jnum(sip_link_length_mm(pkg, k)), "bandwidth_GBps",
                         e ? jnum(e->bandwidth_GBps) : json_null(), "payload_GBps",
                         e ? jnum(e->payload_GBps) : json_null(), "latency_ns",
                         e ? jnum(e->latency_ns) : json_null()));
    }
    return a;
}

/* ---- design rules ---- */

void report_check_text(FILE *out, const sip_check_result_t *check)
{
    fprintf(out, "design rules: %d error%s, %d warning%s (%d rules)\n", check->n_errors,
            check->n_errors == 1 ? "" : "s", check->n_warnings, check->n_warnings == 1 ? "" : "s",
            check->n_rules_run);
    for (int i = 0; i < check->n_findings; i++) {
        const sip_finding_t *f = &check->findings[i];
        fprintf(out, "  %s:%d: %s [%s]: %s\n", f->path, f->line, sip_severity_name(f->severity),
                f->rule, f->message);
    }
}

static void check_text(FILE *out, const report_ctx_t *ctx)
{
    report_check_text(out, ctx->check);
    fprintf(out, "\n");
}

static json_t *check_json(const report_ctx_t *ctx)
{
    char *text = NULL;
    if (sip_check_result_to_json(ctx->check, &text, NULL) != SIP_OK)
        return NULL;
    json_t *j = report_json_from_text(text);
    free(text);
    return j;
}

/* ---- package graph ---- */

static const char *vertex_name(const sip_graph_t *g, int v)
{
    return sip_graph_vertex(g, v)->name;
}

void report_graph_text(FILE *out, const sip_graph_t *g, const sip_graph_metrics_t *m)
{
    fprintf(out, "package graph: %d vertices, %d links, %d component%s\n", m->n_vertices,
            m->n_edges, m->n_components, m->n_components == 1 ? "" : "s");
    fprintf(out, "  diameter %d hops, %.3f ns; average shortest path %.3f hops, %.3f ns\n",
            m->diameter_hops, m->diameter_ns, m->avg_path_hops, m->avg_path_ns);
    if (m->bisection_method == SIP_BISECTION_NONE) {
        fprintf(out, "  bisection bandwidth: none (fewer than 2 vertices)\n");
    } else {
        fprintf(out, "  bisection bandwidth %.1f GB/s per direction (%d link%s cut; %s)\n",
                m->bisection_GBps, m->bisection_links, m->bisection_links == 1 ? "" : "s",
                m->bisection_method == SIP_BISECTION_EXACT
                    ? "exact: every balanced split enumerated"
                    : "Kernighan-Lin heuristic, 3 starts: an upper bound");
        for (int s = 0; s < 2; s++) {
            fprintf(out, "    side %c:", 'A' + s);
            for (int v = 0; v < m->n_vertices; v++)
                if (m->bisection_side[v] == (s == 1))
                    fprintf(out, " %s", vertex_name(g, v));
            fprintf(out, "\n");
        }
    }
    fprintf(out, "  articulation points:");
    for (int i = 0; i < m->n_articulation_points; i++)
        fprintf(out, " %s", vertex_name(g, m->articulation_points[i]));
    fprintf(out, "%s\n  bridges:", m->n_articulation_points ? "" : " none");
    for (int i = 0; i < m->n_bridges; i++)
        fprintf(out, " %s", sip_graph_edge(g, m->bridges[i])->name);
    fprintf(out, "%s\n", m->n_bridges ? "" : " none");
    if (m->n_edges > 0) {
        fprintf(out, "  %-12s %-23s %11s %9s %8s\n", "link", "ends", "betweenness", "raw GB/s",
                "lat ns");
        for (int k = 0; k < m->n_edges; k++) {
            const sip_graph_edge_t *e = sip_graph_edge(g, k);
            char ends[2 * SIP_NAME_MAX + 2];
            snprintf(ends, sizeof ends, "%s-%s", vertex_name(g, e->from), vertex_name(g, e->to));
            fprintf(out, "  %-12s %-23s %11.2f %9.1f %8.3f\n", e->name, ends,
                    m->edge_betweenness[k], e->bandwidth_GBps, e->latency_ns);
        }
    }
}

static void graph_text(FILE *out, const report_ctx_t *ctx)
{
    if (!ctx->graph) {
        char buf[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32];
        sip_error_format(&ctx->graph_error, buf, sizeof buf);
        fprintf(out, "package graph: not built: %s\n\n", buf);
        return;
    }
    report_graph_text(out, ctx->graph, ctx->metrics);
    fprintf(out, "\n");
}

static json_t *graph_json(const report_ctx_t *ctx)
{
    if (!ctx->graph) {
        char buf[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32];
        sip_error_format(&ctx->graph_error, buf, sizeof buf);
        return json_pack("{s:s}", "error", buf);
    }
    char *text = NULL;
    if (sip_graph_export(ctx->graph, ctx->metrics, SIP_GRAPH_FORMAT_JSON, &text, NULL) != SIP_OK)
        return NULL;
    json_t *j = report_json_from_text(text);
    free(text);
    return j;
}

const report_section_t report_section_package = {"package", package_text, package_json};
const report_section_t report_section_types = {"types", types_text, types_json};
const report_section_t report_section_instances = {"instances", instances_text, instances_json};
const report_section_t report_section_links = {"links", links_text, links_json};
const report_section_t report_section_check = {"check", check_text, check_json};
const report_section_t report_section_graph = {"graph", graph_text, graph_json};

int report_print(FILE *out, const report_ctx_t *ctx, const report_section_t *sections, int n,
                 bool json)
{
    if (!json) {
        for (int i = 0; i < n; i++)
            sections[i].text(out, ctx);
        return CLI_EXIT_OK;
    }
    json_t *root = json_object();
    for (int i = 0; root && i < n; i++) {
        json_t *j = sections[i].json(ctx);
        if (!j || json_object_set_new(root, sections[i].name, j) != 0) {
            json_decref(root);
            root = NULL;
        }
    }
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                             JSON_REAL_PRECISION(12))
                      : NULL;
    json_decref(root);
    if (!text) {
        fprintf(stderr, "sipsim: cannot build the JSON report\n");
        return CLI_EXIT_INPUT;
    }
    fprintf(out, "%s\n", text);
    free(text);
    return CLI_EXIT_OK;
}

/* ---- engine sections (sipsim/report.h gathers the results once) ---- */

static void engine_missing_text(FILE *out, const char *what, const sip_error_t *e)
{
    char buf[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32] = "not evaluated";
    if (e->status != SIP_OK)
        sip_error_format(e, buf, sizeof buf);
    fprintf(out, "%s: not available: %s\n\n", what, buf);
}


/* ---- UCIe link model ---- */

static void ucie_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_report_t *r = ctx->engines;
    if (!r->links) {
        engine_missing_text(out, "UCIe link model", &r->ucie_error);
        return;
    }
    fprintf(out, "UCIe link model\n  %-12s %-9s %7s %8s %8s %7s %7s %8s %8s %8s %8s\n", "link",
            "training", "width", "raw GB/s", "pay GB/s", "lat ns", "pJ/bit", "raw BER", "FIT",
            "util %", "power W");
    for (int k = 0; k < ctx->pkg->n_links; k++) {
        const sip_ucie_link_result_t *u = &r->links[k];
        char width[32];
        snprintf(width, sizeof width, "%dx%d", u->modules, u->lanes_per_module);
        double util = r->link_util ? r->link_util[k] : 0.0;
        fprintf(out, "  %-12s %-9s %7s %8.1f %8.1f %7.3f %7.3f %8.0e %8.2g %8.1f %8.3f\n",
                ctx->pkg->links[k].name, sip_ucie_trained_name(u->trained), width,
                u->raw_GBps_per_dir, u->payload_GBps_per_dir, u->latency_ns,
                u->energy_pj_per_bit, u->raw_ber, u->fit, 100.0 * util,
                sip_ucie_link_power_w(u, util));
    }
    fprintf(out, "  (util and power at the package's traffic%s)\n\n",
            r->link_util ? "" : ": not evaluated, shown idle");
}


/* ---- traffic ---- */

static void traffic_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_report_t *r = ctx->engines;
    if (!r->traffic) {
        engine_missing_text(out, "traffic", &r->traffic_error);
        return;
    }
    const sip_traffic_result_t *t = r->traffic;
    fprintf(out, "traffic: %s, load %g %s, %s routing\n", r->traffic_pattern, r->demand->load,
            strcmp(r->traffic_pattern, "workload") == 0 ? "x the workload's demand at its step rate"
            : r->demand->load_in_GBps                   ? "GB/s per source"
                                                        : "of injection bandwidth",
            sip_routing_name(r->routes->algorithm));
    fprintf(out, "  injected %.2f GB/s; max utilization %.2f %%; saturation at %.4g x this load\n",
            t->injected_GBps, 100.0 * t->max_util, t->saturation_scale);
    fprintf(out, "  mean hops %.3f; latency zero-load %.3f ns, with queueing %.3f ns; D2D power "
                 "%.3f W\n\n",
            t->mean_hops, t->mean_zero_load_ns, t->mean_latency_ns, t->d2d_power_w);
}


/* ---- thermal ---- */

static void thermal_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_report_t *r = ctx->engines;
    if (!r->thermal) {
        engine_missing_text(out, "thermal", &r->thermal_error);
        return;
    }
    const sip_thermal_result_t *t = r->thermal;
    fprintf(out, "thermal: %d x %d grid, %d layers; ambient %.1f C, Tj,max %.1f C\n", t->rows,
            t->cols, t->n_layers, t->ambient_c, t->tj_max_c);
    fprintf(out, "  hottest %.2f C at (%.2f, %.2f) mm on %s; headroom %.2f K\n", t->t_max_c,
            t->hot_x_mm, t->hot_y_mm, t->hot_die >= 0 ? t->dies[t->hot_die].name : "-",
            t->headroom_c);
    if (t->budget_scale >= 0)
        fprintf(out, "  thermal budget: power map x %.4f = %.1f W total\n", t->budget_scale,
                t->budget_power_w);
    fprintf(out, "  %-12s %8s %8s %8s %9s %8s\n", "die", "power W", "Tmax C", "Tavg C",
            "headroom", "cap W");
    for (int d = 0; d < t->n_dies; d++) {
        const sip_thermal_die_t *D = &t->dies[d];
        fprintf(out, "  %-12s %8.2f %8.2f %8.2f %9.2f", D->name, D->power_w, D->t_max_c,
                D->t_avg_c, D->headroom_c);
        if (D->power_cap_w >= 0)
            fprintf(out, " %8.1f\n", D->power_cap_w);
        else
            fprintf(out, " %8s\n", "-");
    }
    fprintf(out, "\n");
}


/* ---- TPP and classification ---- */

static void tpp_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_report_t *r = ctx->engines;
    if (!r->tpp) {
        engine_missing_text(out, "TPP", &r->tpp_error);
        return;
    }
    const sip_tpp_result_t *t = r->tpp;
    fprintf(out, "TPP %.1f (%s), performance density %.4f /mm2 over %.1f mm2, I/O %.1f GB/s\n",
            t->metrics.value[SIP_METRIC_TPP],
            t->metrics.n_tied > 1 ? "precisions tie" : sip_precision_name(t->metrics.precision),
            t->metrics.value[SIP_METRIC_PD], t->metrics.applicable_area_mm2,
            t->metrics.value[SIP_METRIC_IO_GBPS]);
    for (int i = 0; i < t->n_classes; i++) {
        const sip_tpp_class_t *c = &t->classes[i];
        const sip_rule_t *rule = sip_tpp_rule(c->rule);
        fprintf(out, "  %-9s class: %s\n", rule->id, c->class_name);
        for (int j = 0; j < c->n_margins; j++) {
            const sip_clause_t *cl = &rule->clauses[c->margins[j].clause];
            const sip_condition_t *cd = &cl->conditions[c->margins[j].condition];
            fprintf(out, "    %-16s %-4s %-2s %10g  value %12.4f  margin %+12.4f%s\n", cl->name,
                    sip_metric_name(cd->metric), sip_cmp_symbol(cd->cmp), cd->threshold,
                    c->margins[j].value, c->margins[j].margin, c->margins[j].holds ? "  holds" : "");
        }
    }
    fprintf(out, "\n");
}


/* ---- workload performance (kernel library) ---- */

static void workload_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_report_t *r = ctx->engines;
    if (!r->workload) {
        if (ctx->pkg->workload.present)
            engine_missing_text(out, "workload", &r->workload_error);
        else
            fprintf(out, "workload: none in the package\n\n");
        return;
    }
    const sip_workload_result_t *w = r->workload;
    fprintf(out, "workload: %s %s, batch %d, context %d, %s on %d chiplets (tp %d x pp %d)\n",
            w->shape.name, w->workload.phase, w->workload.batch, w->workload.context_tokens,
            sip_precision_name(w->precision), w->n_compute, w->workload.tensor_parallel,
            w->workload.pipeline_parallel);
    fprintf(out, "  %.1f tokens/s; TTFT %.3f ms, TPOT %.3f ms; %s-bound, MAC utilization %.1f %%\n",
            w->tokens_per_s, 1e3 * w->ttft_s, 1e3 * w->tpot_s, sip_limit_name(w->step->limit),
            100.0 * w->step->mac_utilization);
    fprintf(out, "  %.4g J per token; memory per chiplet %.2f of %.2f GB (%s)\n\n", w->j_per_token,
            (w->weight_bytes_per_chiplet + w->kv_bytes_per_chiplet) / 1e9,
            w->hbm_capacity_bytes_per_chiplet / 1e9, w->fits ? "fits" : "does not fit");
}


/* ---- cost ---- */

static void cost_text(FILE *out, const report_ctx_t *ctx)
{
    const sip_report_t *r = ctx->engines;
    if (!r->cost) {
        engine_missing_text(out, "cost", &r->cost_error);
        return;
    }
    const sip_cost_result_t *c = r->cost;
    fprintf(out, "cost per good package: $%.2f (recurring $%.2f + NRE $%.2f per unit)\n",
            c->package.total_usd, c->package.recurring_usd, c->package.nre_per_unit_usd);
    fprintf(out, "  assembly yield %.4f; monolithic %.1f mm2 at %d nm: $%.2f%s\n",
            c->package.assembly_yield, c->mono_area_mm2, c->mono_node_nm, c->mono.total_usd,
            c->mono_exceeds_reticle ? " (over the reticle)" : "");
    if (c->usd_per_tpp > 0)
        fprintf(out, "  $%.4f per TPP\n", c->usd_per_tpp);
    if (isfinite(c->usd_per_tokens_per_s))
        fprintf(out, "  $%.4f per token/s of the workload (%.1f tokens/s)\n",
                c->usd_per_tokens_per_s, c->tokens_per_s);
    fprintf(out, "\n");
}


static const report_section_t section_ucie = {"ucie", ucie_text, NULL};
static const report_section_t section_traffic = {"traffic", traffic_text, NULL};
static const report_section_t section_thermal = {"thermal", thermal_text, NULL};
static const report_section_t section_tpp = {"tpp", tpp_text, NULL};
static const report_section_t section_workload = {"workload", workload_text, NULL};
static const report_section_t section_cost = {"cost", cost_text, NULL};

/* ---- the command ---- */

/* Print order of `sipsim report`.  Later areas add their sections here. */
static const report_section_t *const sections[] = {
    &report_section_package, &report_section_instances, &report_section_links,
    &report_section_check,   &report_section_graph,     &section_ucie,
    &section_traffic,        &section_thermal,          &section_tpp,
    &section_workload,       &section_cost,
};

/* --json: the library's document of the whole evaluation (sip_eval_result_to_json). */
static int print_eval_json(FILE *out, const sip_eval_result_t *r)
{
    char *text = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_eval_result_to_json(r, &text, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    fprintf(out, "%s\n", text);
    sip_free(text);
    return CLI_EXIT_OK;
}

/* -o FILE.html (or --html): the one-page HTML report (sipsim/report.h). */
static bool wants_html(const cli_common_t *common, bool flag)
{
    if (flag)
        return true;
    const char *o = common->output;
    size_t n = o ? strlen(o) : 0;
    return (n > 5 && strcmp(o + n - 5, ".html") == 0) || (n > 4 && strcmp(o + n - 4, ".htm") == 0);
}

int cmd_report(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim report FILE [--json] [-L DIR] [-o OUT] [--html]\n"
               "       sipsim FILE\n"
               "The package summary: substrate, instances, links, design rules, graph "
               "metrics,\n"
               "UCIe link model, traffic, thermal, TPP/3A090, workload and cost.\n"
               "-o OUT.html (or --html): one self-contained HTML page with the floorplan,\n"
               "heat map, latency plot and every section (no scripts, no network).\n"
               "exit: 0 clean, 1 design-rule errors, 2 bad input or usage\n");
        return CLI_EXIT_OK;
    }
    bool html_flag = false;
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--html") == 0)
            html_flag = true;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    if (argc != 2)
        return cli_usage("report", argc < 2 ? "missing FILE" : "unexpected argument '%s'",
                         argv[argc < 2 ? 0 : 2]);
    bool html = wants_html(&common, html_flag);
    if (html && common.json)
        return cli_usage("report", "--json and HTML output exclude each other");
    report_ctx_t ctx;
    int rc = report_ctx_open(&ctx, argv[1], &common);
    if (rc != CLI_EXIT_OK)
        return rc;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_report_create(ctx.pkg, NULL, &ctx.engines, &err) != SIP_OK) {
        cli_print_error(&err);
        report_ctx_close(&ctx);
        return CLI_EXIT_INPUT;
    }
    FILE *out = cli_open_output(common.output);
    if (!out) {
        report_ctx_close(&ctx);
        return CLI_EXIT_INPUT;
    }
    if (html) {
        rc = CLI_EXIT_OK;
        if (sip_report_html(ctx.engines, out, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
        }
    } else {
        report_section_t list[sizeof sections / sizeof sections[0]];
        int n = (int)(sizeof sections / sizeof sections[0]);
        for (int i = 0; i < n; i++)
            list[i] = *sections[i];
        rc = common.json ? print_eval_json(out, ctx.engines) : report_print(out, &ctx, list, n, false);
    }
    cli_close_output(out);
    if (rc == CLI_EXIT_OK && ctx.check->n_errors > 0)
        rc = CLI_EXIT_CHECK;
    report_ctx_close(&ctx);
    return rc;
}
