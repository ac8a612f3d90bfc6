/* sipsim system FILE: a system of packages (boards, nodes, racks joined by off-package links):
 * 3A090 per package with its off-package I/O, the board as one integrated circuit, 4A090 per
 * level, and inference across packages against package-to-package bandwidth caps.  Text or
 * --json; -f dot|json -o OUT exports the system graph; --svg OUT draws the hierarchy.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/system.h"

/* Graph and picture expand every package; beyond this they stop being readable. */
#define GRAPH_MAX_PACKAGES 4096

/* Names come from the file: escape them for XML text and for DOT's quoted strings. */
static void put_xml(FILE *f, const char *t)
{
    for (; *t; t++) {
        if (*t == '<')
            fputs("&lt;", f);
        else if (*t == '>')
            fputs("&gt;", f);
        else if (*t == '&')
            fputs("&amp;", f);
        else if (*t == '"')
            fputs("&quot;", f);
        else
            fputc(*t, f);
    }
}

static void put_dot(FILE *f, const char *t)
{
    for (; *t; t++) {
        if (*t == '"' || *t == '\\')
            fputc('\\', f);
        fputc(*t, f);
    }
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static const char *class_2023(const sip_system_result_t *r)
{
    return r->package_tpp->classes[sip_tpp_rule_find("bis-2023")].class_name;
}

static const char *class_2022(const sip_system_result_t *r)
{
    return r->package_tpp->classes[sip_tpp_rule_find("bis-2022")].class_name;
}

static json_t *to_json(const sip_system_t *s, const sip_system_result_t *r)
{
    const sip_tpp_metrics_t *m = &r->package_tpp->metrics;
    json_t *o = json_object();
    json_object_set_new(o, "system", json_string(s->name));
    json_object_set_new(o, "package", json_pack("{s:s, s:s, s:f, s:f, s:f, s:b, s:s, s:s}",
                                                "name", s->package->name, "file", s->package_file,
                                                "tpp", m->value[SIP_METRIC_TPP], "pd",
                                                m->value[SIP_METRIC_PD], "io_GBps",
                                                r->package_io_GBps, "io_from_links",
                                                r->package_io_from_links, "class_2023",
                                                class_2023(r), "class_2022", class_2022(r)));
    json_t *lv = json_array();
    for (int i = 0; i < r->n_levels; i++) {
        const sip_system_level_t *l = &s->levels[i];
        json_array_append_new(
            lv, json_pack("{s:s, s:i, s:I, s:f, s:s, s:i, s:f, s:i, s:s, s:f, s:f, s:s, s:s, s:s}",
                          "name", l->name, "count", l->count, "packages",
                          (json_int_t)r->levels[i].packages, "tpp", r->levels[i].tpp, "link",
                          sip_syslink_kind_name(l->link.kind), "lanes", l->link.lanes, "rate_gbps",
                          l->link.rate_gbps, "links", l->link.links, "topology",
                          sip_topology_name(l->link.topology), "GBps_per_dir",
                          sip_system_link_GBps(&l->link), "latency_ns", l->link.latency_ns,
                          "class_4a090", r->levels[i].class_4a090, "class_4a090_each_package",
                          r->levels[i].class_4a090_each, "class_4a090_board_as_one_ic",
                          r->levels[i].class_4a090_board));
    }
    json_object_set_new(o, "levels", lv);
    json_object_set_new(o, "board_as_one_ic",
                        json_pack("{s:f, s:f, s:s}", "tpp",
                                  r->board_metrics.value[SIP_METRIC_TPP], "pd",
                                  r->board_metrics.value[SIP_METRIC_PD], "class_2023",
                                  r->board_class_2023.class_name));
    if (r->has_workload) {
        json_t *pts = json_array();
        for (int i = 0; i < r->n_points; i++) {
            const sip_cluster_point_t *p = &r->points[i];
            json_t *x = json_pack("{s:s, s:f, s:i, s:i, s:i, s:b}", "phase",
                                  p->decode ? "decode" : "prefill", "cap_GBps", p->cap_GBps, "tp",
                                  p->tp, "pp", p->pp, "packages", p->packages, "fits", p->fits);
            if (p->fits) {
                json_object_set_new(x, "compute_s", num(p->compute_s));
                json_object_set_new(x, "comm_s", num(p->comm_s));
                json_object_set_new(x, "step_s", num(p->step_s));
                json_object_set_new(x, "latency_s", num(p->latency_s));
                json_object_set_new(x, "tokens_per_s", num(p->tokens_per_s));
                json_object_set_new(x, "compute_share", num(p->compute_share));
            }
            json_array_append_new(pts, x);
        }
        json_t *caps = json_array();
        for (int c = 0; c < r->n_caps; c++)
            json_array_append_new(caps, json_pack("{s:s, s:f, s:i, s:o}", "phase",
                                                  r->caps[c].decode ? "decode" : "prefill",
                                                  "cap_GBps", r->caps[c].cap_GBps,
                                                  "useful_tp", r->caps[c].useful_tp, "latency_s",
                                                  num(r->caps[c].best_latency_s)));
        json_object_set_new(o, "inference",
                            json_pack("{s:s, s:i, s:i, s:s, s:o, s:o}", "model", r->shape.name,
                                      "batch", s->workload.batch,
                                      "context_tokens", s->workload.context_tokens, "precision",
                                      sip_precision_name(s->workload.precision), "points", pts,
                                      "caps", caps));
    }
    return o;
}

static void print_text(FILE *f, const sip_system_t *s, const sip_system_result_t *r)
{
    const sip_tpp_metrics_t *m = &r->package_tpp->metrics;
    fprintf(f, "system %s%s%s\n", s->name, s->description[0] ? ": " : "", s->description);
    fprintf(f, "  package %s (%s): TPP %.1f, PD %.3f, off-package I/O %.1f GB/s both directions%s\n",
            s->package->name, s->package_file, m->value[SIP_METRIC_TPP], m->value[SIP_METRIC_PD],
            r->package_io_GBps, r->package_io_from_links ? " (from the first level's links)"
                                                         : " (its io blocks)");
    fprintf(f, "    3A090 (2023): %s;  October 2022 rule (TPP and I/O): %s\n", class_2023(r),
            class_2022(r));
    for (int k = 0; k < r->package_tpp->n_warnings; k++)
        fprintf(f, "    warning: %s\n", r->package_tpp->warnings[k].message);
    fprintf(f, "\n  %-8s %6s %9s %13s  %-44s %s\n", "level", "count", "packages", "sum of TPP",
            "link per child (per direction)", "4A090");
    for (int i = 0; i < r->n_levels; i++) {
        const sip_system_level_t *l = &s->levels[i];
        char link[96];
        snprintf(link, sizeof link, "%s %dx x%d @ %g Gb/s = %.1f GB/s, %s, %g ns",
                 sip_syslink_kind_name(l->link.kind), l->link.links, l->link.lanes,
                 l->link.rate_gbps, sip_system_link_GBps(&l->link), sip_topology_name(l->link.topology),
                 l->link.latency_ns);
        fprintf(f, "  %-8s %6d %9ld %13.1f  %-44s %s\n", l->name, l->count, r->levels[i].packages,
                r->levels[i].tpp, link, r->levels[i].class_4a090);
    }
    fprintf(f, "\n  4A090 readings (the stricter is reported): any package of the level is 3A090 -> %s;\n"
               "  a %s's %d packages on one substrate as one integrated circuit (facts.md §2.3 [S21]):\n"
               "  TPP %.1f, PD %.3f -> %s -> %s\n",
            r->levels[0].class_4a090_each, s->levels[0].name, s->levels[0].count,
            r->board_metrics.value[SIP_METRIC_TPP], r->board_metrics.value[SIP_METRIC_PD],
            r->board_class_2023.class_name, r->levels[0].class_4a090_board);
    if (!r->has_workload)
        return;
    fprintf(f, "\ninference across packages: %s, batch %d, context %d, %s; tensor parallel over the "
               "%s's links (or the cap), pipeline over the %s's\n",
            r->shape.name, s->workload.batch, s->workload.context_tokens,
            sip_precision_name(s->workload.precision), s->levels[0].name,
            s->n_levels > 1 ? s->levels[1].name : "(none)");
    for (int c = 0; c < r->n_caps; c++) {
        const sip_cluster_cap_t *cap = &r->caps[c];
        if (c == 0 || cap->decode != r->caps[c - 1].decode)
            fprintf(f, "\n  %s (%s)\n  %9s %4s %4s %8s %11s %9s %9s %10s %12s %8s\n",
                    cap->decode ? "decode" : "prefill",
                    cap->decode ? "one token per sequence per step; latency = time per output token"
                                : "the whole prompt in one step: the training-like, bandwidth-heavy case",
                    "cap GB/s", "tp", "pp", "packages", "compute ms", "comm ms", "step ms",
                    "latency ms", "tokens/s", "compute");
        for (int k = 0; k < cap->n; k++) {
            const sip_cluster_point_t *p = &r->points[cap->first + k];
            if (!p->fits) {
                fprintf(f, "  %9.1f %4d %4s %8s  %s\n", p->cap_GBps, p->tp, "-", "-",
                        p->pp == 0 ? "the model's heads do not split this many ways"
                                   : "does not fit the packages' HBM at any pipeline depth");
                continue;
            }
            fprintf(f, "  %9.1f %4d %4d %8d %11.3f %9.3f %9.3f %10.3f %12.1f %7.0f%%\n", p->cap_GBps,
                    p->tp, p->pp, p->packages, 1e3 * p->compute_s, 1e3 * p->comm_s, 1e3 * p->step_s,
                    1e3 * p->latency_s, p->tokens_per_s, 100.0 * p->compute_share);
        }
        if (cap->useful_tp > 0)
            fprintf(f, "  -> cap %.1f GB/s: tensor parallel pays up to %d package%s (latency %.3f ms)%s\n",
                    cap->cap_GBps, cap->useful_tp, cap->useful_tp == 1 ? "" : "s",
                    1e3 * cap->best_latency_s,
                    cap->useful_tp == r->max_tp ? ", the most the first level offers"
                                                : "; every larger degree gains < 10 %");
        else
            fprintf(f, "  -> cap %.1f GB/s: the model fits no configuration of this system\n",
                    cap->cap_GBps);
    }
}

/* ---- graph: packages, one switch per switched level instance, links ---- */

typedef struct {
    int n_nodes;
    json_t *nodes, *edges;
    FILE *dot;
} graph_t;

static int add_node(graph_t *g, const char *kind, const char *label, int level)
{
    int id = g->n_nodes++;
    if (g->nodes)
        json_array_append_new(g->nodes, json_pack("{s:i, s:s, s:s, s:i}", "id", id, "kind", kind,
                                                  "label", label, "level", level));
    if (g->dot) {
        fprintf(g->dot, "  n%d [label=\"", id);
        put_dot(g->dot, label);
        fprintf(g->dot, "\", shape=%s];\n", strcmp(kind, "switch") == 0 ? "diamond" : "box");
    }
    return id;
}

static void add_edge(graph_t *g, int a, int b, const sip_system_level_t *l)
{
    double GBps = sip_system_link_GBps(&l->link);
    if (l->link.topology == SIP_TOPO_ALL_TO_ALL && l->count > 1)
        GBps /= l->count - 1;
    if (l->link.topology == SIP_TOPO_RING && l->count > 2)
        GBps /= 2.0;
    if (g->edges)
        json_array_append_new(g->edges, json_pack("{s:i, s:i, s:s, s:s, s:f}", "from", a, "to", b,
                                                  "level", l->name, "kind",
                                                  sip_syslink_kind_name(l->link.kind), "GBps", GBps));
    if (g->dot)
        fprintf(g->dot, "  n%d -- n%d [label=\"%s %.0f GB/s\"];\n", a, b,
                sip_syslink_kind_name(l->link.kind), GBps);
}

/* Build one instance of `level`; returns the node that represents it to the level above. */
static int build(graph_t *g, const sip_system_t *s, int level, const char *prefix)
{
    if (level < 0)
        return add_node(g, "package", prefix, -1);
    const sip_system_level_t *l = &s->levels[level];
    if (l->count < 1)
        return -1; /* the loader requires count >= 1 */
    int *child = calloc((size_t)l->count, sizeof *child);
    if (!child)
        return -1;
    for (int i = 0; i < l->count; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s%s%d", prefix, prefix[0] ? "." : "",
                 level == 0 ? "p" : s->levels[level - 1].name, i);
        child[i] = build(g, s, level - 1, name);
    }
    int rep = child[0];
    if (l->link.topology == SIP_TOPO_SWITCH) {
        char name[300];
        snprintf(name, sizeof name, "%s%s%s-switch", prefix, prefix[0] ? "." : "", l->name);
        rep = add_node(g, "switch", name, level);
        for (int i = 0; i < l->count; i++)
            add_edge(g, child[i], rep, l);
    } else if (l->link.topology == SIP_TOPO_ALL_TO_ALL) {
        for (int i = 0; i < l->count; i++)
            for (int j = i + 1; j < l->count; j++)
                add_edge(g, child[i], child[j], l);
    } else {
        for (int i = 0; l->count > 1 && i < l->count; i++)
            if (l->count > 2 || i == 0)
                add_edge(g, child[i], child[(i + 1) % l->count], l);
    }
    free(child);
    return rep;
}

/* ---- picture: nested boxes, packages as squares ---- */

#define PKG_PX 18.0
#define PAD_PX 6.0
#define LABEL_PX 14.0

static void box_size(const sip_system_t *s, int level, double *w, double *h)
{
    if (level < 0) {
        *w = *h = PKG_PX;
        return;
    }
    double cw, ch;
    box_size(s, level - 1, &cw, &ch);
    int n = s->levels[level].count;
    /* Even levels lay children in a row, odd levels in a column. */
    if (level % 2 == 0) {
        *w = n * cw + (n + 1) * PAD_PX;
        *h = ch + 2 * PAD_PX + LABEL_PX;
    } else {
        *w = cw + 2 * PAD_PX;
        *h = n * ch + (n + 1) * PAD_PX + LABEL_PX;
    }
}

static void draw(FILE *f, const sip_system_t *s, int level, double x, double y)
{
    double w, h;
    box_size(s, level, &w, &h);
    if (level < 0) {
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7ab5\"/>\n", x,
                y, w, h);
        return;
    }
    const sip_system_level_t *l = &s->levels[level];
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#555\"/>\n", x, y, w, h);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" font-family=\"sans-serif\">", x + 3,
            y + 11);
    put_xml(f, l->name);
    fprintf(f, ": %s %.0f GB/s %s</text>\n", sip_syslink_kind_name(l->link.kind),
            sip_system_link_GBps(&l->link), sip_topology_name(l->link.topology));
    double cw, ch;
    box_size(s, level - 1, &cw, &ch);
    for (int i = 0; i < l->count; i++) {
        if (level % 2 == 0)
            draw(f, s, level - 1, x + PAD_PX + i * (cw + PAD_PX), y + LABEL_PX + PAD_PX);
        else
            draw(f, s, level - 1, x + PAD_PX, y + LABEL_PX + PAD_PX + i * (ch + PAD_PX));
    }
}

static int write_svg(const char *path, const sip_system_t *s)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "sipsim: %s: cannot write\n", path);
        return CLI_EXIT_INPUT;
    }
    double w, h;
    box_size(s, s->n_levels - 1, &w, &h);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", w + 4, h + 18, w + 4, h + 18);
    fprintf(f, "<text x=\"2\" y=\"12\" font-size=\"12\" font-family=\"sans-serif\">");
    put_xml(f, s->name);
    fprintf(f, ": %ld packages (squares)</text>\n", sip_system_packages_in(s, s->n_levels - 1));
    draw(f, s, s->n_levels - 1, 2, 16);
    fprintf(f, "</svg>\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "sipsim: %s: write failed\n", path);
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

int cmd_system(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    const char *file = NULL, *format = NULL, *svg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-f") == 0 && i + 1 < argc) {
            format = argv[++i];
            if (strcmp(format, "dot") != 0 && strcmp(format, "json") != 0)
                return cli_usage(argv[0], "unknown graph format '%s' (expected dot or json)", format);
        } else if (strcmp(a, "--svg") == 0 && i + 1 < argc) {
            svg = argv[++i];
        } else if (a[0] == '-') {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (!file) {
            file = a;
        } else {
            return cli_usage(argv[0], "one FILE only");
        }
    }
    if (common.help) {
        printf("usage: sipsim system FILE [--json] [-f dot|json [-o OUT]] [--svg OUT.svg] [-L DIR]\n");
        return CLI_EXIT_OK;
    }
    if (!file)
        return cli_usage(argv[0], "missing FILE");
    sip_load_options_t lo = {.library_dirs = common.library_dirs, .n_library_dirs = common.n_library_dirs};
    sip_system_t *sys = NULL;
    sip_system_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    int rc = CLI_EXIT_OK;
    if (sip_system_load(file, &lo, &sys, &err) != SIP_OK ||
        sip_system_evaluate(sys, &r, &err) != SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (svg && sip_system_packages_in(sys, sys->n_levels - 1) > GRAPH_MAX_PACKAGES) {
        fprintf(stderr, "sipsim: %s: %ld packages is too many for a picture (expected at most %d)\n",
                file, sip_system_packages_in(sys, sys->n_levels - 1), GRAPH_MAX_PACKAGES);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (svg && (rc = write_svg(svg, sys)) != CLI_EXIT_OK)
        goto out;
    FILE *o = cli_open_output(common.output);
    if (!o) {
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (format) {
        long n = sip_system_packages_in(sys, sys->n_levels - 1);
        if (n > GRAPH_MAX_PACKAGES) {
            fprintf(stderr, "sipsim: %s: %ld packages is too many for a graph (expected at most %d)\n",
                    file, n, GRAPH_MAX_PACKAGES);
            rc = CLI_EXIT_INPUT;
        } else {
            graph_t g = {0};
            if (strcmp(format, "json") == 0) {
                g.nodes = json_array();
                g.edges = json_array();
            } else {
                g.dot = o;
                fprintf(o, "graph \"");
                put_dot(o, sys->name);
                fprintf(o, "\" {\n");
            }
            build(&g, sys, sys->n_levels - 1, "");
            if (g.dot)
                fprintf(o, "}\n");
            else
                cli_print_json(o, json_pack("{s:s, s:o, s:o}", "system", sys->name, "nodes", g.nodes,
                                            "edges", g.edges),
                               JSON_INDENT(2));
        }
    } else if (common.json) {
        cli_print_json(o, to_json(sys, r), JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    } else {
        print_text(o, sys, r);
    }
    cli_close_output(o);
out:
    sip_system_result_destroy(r);
    sip_system_destroy(sys);
    return rc;
}
