/* sipsim report FILE (and `sipsim FILE`): the package summary, one section per function.
 * To add a section: write NAME_text(FILE *, const report_ctx_t *) and NAME_json(const
 * report_ctx_t *), and add a row to sections[] below (order = print order).
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

/* ---- the command ---- */

/* Print order of `sipsim report`.  Later areas add their sections here. */
static const report_section_t *const sections[] = {
    &report_section_package, &report_section_instances, &report_section_links,
    &report_section_check,   &report_section_graph,
};

int cmd_report(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim report FILE [--json] [-L DIR] [-o OUT]\n"
               "       sipsim FILE\n"
               "The package summary: substrate, instances, links, design rules, graph "
               "metrics.\n"
               "exit: 0 clean, 1 design-rule errors, 2 bad input or usage\n");
        return CLI_EXIT_OK;
    }
    if (argc != 2)
        return cli_usage("report", argc < 2 ? "missing FILE" : "unexpected argument '%s'",
                         argv[argc < 2 ? 0 : 2]);
    report_ctx_t ctx;
    int rc = report_ctx_open(&ctx, argv[1], &common);
    if (rc != CLI_EXIT_OK)
        return rc;
    FILE *out = cli_open_output(common.output);
    if (!out) {
        report_ctx_close(&ctx);
        return CLI_EXIT_INPUT;
    }
    report_section_t list[sizeof sections / sizeof sections[0]];
    int n = (int)(sizeof sections / sizeof sections[0]);
    for (int i = 0; i < n; i++)
        list[i] = *sections[i];
    rc = report_print(out, &ctx, list, n, common.json);
    cli_close_output(out);
    if (rc == CLI_EXIT_OK && ctx.check->n_errors > 0)
        rc = CLI_EXIT_CHECK;
    report_ctx_close(&ctx);
    return rc;
}
