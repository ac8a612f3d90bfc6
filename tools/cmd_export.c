/* sipsim export FILE [-f graphml|dot|json] [-o OUT] [--no-metrics] | --booksim DIR: the package graph for
 * other tools (igraph/yEd/Gephi: GraphML, Graphviz: DOT, scripts: JSON), every format with the
 * same attributes.  The format comes from -f, else from OUT's extension; --json = -f json.
 * --booksim DIR writes a BookSim2 anynet network and config (the flit simulator's exporter, so
 * the network, routes and link latencies are the ones `sipsim netsim` simulates).
 * Exit: 0, 1 when a link breaks a design rule so the graph cannot be built, 2 bad input.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "report.h"

static int format_of_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    return dot ? sip_graph_format_lookup(dot + 1) : -1;
}

int cmd_export(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    const char *file = NULL, *fmt_name = NULL, *booksim_dir = NULL;
    bool metrics = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--booksim") == 0) {
            if (i + 1 >= argc)
                return cli_usage("export", "--booksim needs an output folder");
            booksim_dir = argv[++i];
        } else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--format") == 0) {
            if (i + 1 >= argc)
                return cli_usage("export", "%s needs a format (graphml, dot, json)", argv[i]);
            fmt_name = argv[++i];
        } else if (strcmp(argv[i], "--no-metrics") == 0) {
            metrics = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("export", "unknown option '%s'", argv[i]);
        } else if (file) {
            return cli_usage("export", "unexpected argument '%s'", argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (common.help) {
        printf("usage: sipsim export FILE [-f graphml|dot|json] [-o OUT] [--no-metrics] "
               "[-L DIR]\n       sipsim export FILE --booksim DIR   (BookSim2 anynet + config)\n"
               "The package graph as GraphML (igraph, yEd, Gephi), DOT (Graphviz) or JSON, "
               "all with the same\nattributes; the format comes from -f, else from OUT's "
               "extension (.graphml .dot .gv .json).\n"
               "exit: 0, 1 a link breaks a design rule, 2 bad input or usage\n");
        return CLI_EXIT_OK;
    }
    if (!file)
        return cli_usage("export", "missing FILE");
    if (booksim_dir) {
        /* Same path as `sipsim netsim FILE --export-booksim DIR`, with the same -L folders. */
        char *nargv[4 + 2 * CLI_MAX_LIBDIRS + 1];
        int n = 0;
        nargv[n++] = (char *)"netsim";
        nargv[n++] = (char *)file;
        nargv[n++] = (char *)"--export-booksim";
        nargv[n++] = (char *)booksim_dir;
        for (int i = 0; i < common.n_library_dirs; i++) {
            nargv[n++] = (char *)"-L";
            nargv[n++] = (char *)common.library_dirs[i];
        }
        nargv[n] = NULL;
        return cmd_netsim(n, nargv);
    }
    int format = fmt_name ? sip_graph_format_lookup(fmt_name)
                 : common.json ? SIP_GRAPH_FORMAT_JSON
                               : format_of_path(common.output);
    if (format < 0)
        return fmt_name ? cli_usage("export", "unknown format '%s' (expected graphml, dot or json)",
                                    fmt_name)
                        : cli_usage("export", "no format: give -f graphml|dot|json or -o "
                                              "OUT.graphml|.dot|.json");
    sip_package_t *pkg = NULL;
    sip_graph_t *g = NULL;
    sip_graph_metrics_t *m = NULL;
    int rc = graph_load(file, &common, &pkg, &g, metrics ? &m : NULL);
    if (rc != CLI_EXIT_OK)
        return rc;
    char *text = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_graph_export(g, m, (sip_graph_format_t)format, &text, &err) != SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
    } else {
        FILE *out = cli_open_output(common.output);
        if (!out) {
            rc = CLI_EXIT_INPUT;
        } else {
            fputs(text, out);
            if (format == SIP_GRAPH_FORMAT_JSON)
                fputc('\n', out);
            cli_close_output(out);
        }
    }
    free(text);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
    return rc;
}
