/* sipsim graph FILE: the package graph and its metrics (diameter, average path, bisection
 * bandwidth, betweenness per link, articulation points, bridges).  --json prints the graph
 * with every attribute and metric (the same document as `sipsim export -f json`).
 * Exit: 0, 1 when a link breaks a design rule so the graph cannot be built, 2 bad input.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "report.h"

int graph_load(const char *file, const cli_common_t *common, sip_package_t **pkg,
               sip_graph_t **graph, sip_graph_metrics_t **metrics)
{
    *graph = NULL;
    if (metrics) /* NULL: the caller wants the graph without metrics (export --no-metrics) */
        *metrics = NULL;
    int rc = cli_load_package(file, common, pkg);
    if (rc != CLI_EXIT_OK)
        return rc;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_graph_build(*pkg, graph, &err);
    if (st == SIP_OK && metrics)
        st = sip_graph_metrics_compute(*graph, metrics, &err);
    if (st != SIP_OK) {
        cli_print_error(&err);
        sip_graph_destroy(*graph);
        *graph = NULL;
        sip_package_destroy(*pkg);
        *pkg = NULL;
        /* A link the UCIe model refuses is a design-rule error (`sipsim check` names it). */
        return st == SIP_ECHECK ? CLI_EXIT_CHECK : CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

int cmd_graph(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim graph FILE [--json] [-L DIR] [-o OUT]\n"
               "Package graph metrics: diameter (hops, ns), average shortest path, bisection\n"
               "bandwidth (exact up to %d vertices, else Kernighan-Lin), edge betweenness,\n"
               "articulation points and bridges.\n"
               "exit: 0, 1 a link breaks a design rule, 2 bad input or usage\n",
               SIP_BISECTION_EXACT_MAX);
        return CLI_EXIT_OK;
    }
    if (argc != 2)
        return cli_usage("graph", argc < 2 ? "missing FILE" : "unexpected argument '%s'",
                         argv[argc < 2 ? 0 : 2]);
    sip_package_t *pkg = NULL;
    sip_graph_t *g = NULL;
    sip_graph_metrics_t *m = NULL;
    int rc = graph_load(argv[1], &common, &pkg, &g, &m);
    if (rc != CLI_EXIT_OK)
        return rc;
    FILE *out = cli_open_output(common.output);
    if (!out) {
        rc = CLI_EXIT_INPUT;
    } else if (common.json) {
        char *text = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        if (sip_graph_export(g, m, SIP_GRAPH_FORMAT_JSON, &text, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
        } else {
            fprintf(out, "%s\n", text);
            free(text);
        }
    } else {
        fprintf(out, "package %s (%s)\n", pkg->name, pkg->path);
        report_graph_text(out, g, m);
    }
    cli_close_output(out);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
    return rc;
}
