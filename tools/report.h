/* The package report: a context loaded once, and sections that print it (text) or describe
 * it (JSON).  `sipsim report` prints every section in report_sections[]; `sipsim info` a few.
 * Adding a section = one text function + one JSON function + one row in cmd_report.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TOOLS_REPORT_H
#define SIPSIM_TOOLS_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "cli.h"

typedef struct {
    sip_package_t *pkg;
    sip_check_result_t *check;     /* design rules (always run) */
    sip_graph_t *graph;            /* NULL when a link cannot be evaluated (see graph_error) */
    sip_graph_metrics_t *metrics;
    sip_error_t graph_error;
    sip_report_t *engines;         /* every engine's result (report only; NULL in info) */
} report_ctx_t;

typedef struct {
    const char *name;                               /* JSON key and --section name */
    void (*text)(FILE *out, const report_ctx_t *ctx);
    json_t *(*json)(const report_ctx_t *ctx);       /* NULL on allocation failure */
} report_section_t;

/* Load FILE, run the checks, build the graph and its metrics (a graph failure is kept in
 * graph_error, not fatal).  Returns a CLI exit code: 0, or 2 with the message printed. */
int report_ctx_open(report_ctx_t *ctx, const char *path, const cli_common_t *common);
void report_ctx_close(report_ctx_t *ctx);

/* Print (text) or emit one JSON object with a key per section; returns 0 or 2. */
int report_print(FILE *out, const report_ctx_t *ctx, const report_section_t *sections, int n,
                 bool json);

/* Sections shared by report and info (cmd_report.c). */
extern const report_section_t report_section_package;
extern const report_section_t report_section_types;
extern const report_section_t report_section_instances;
extern const report_section_t report_section_links;
extern const report_section_t report_section_check;
extern const report_section_t report_section_graph;

/* Load FILE and build its graph (+ metrics when `metrics` is not NULL), for graph and export.
 * Returns a CLI exit code, messages printed: 1 when the UCIe model refuses a link. */
int graph_load(const char *file, const cli_common_t *common, sip_package_t **pkg,
               sip_graph_t **graph, sip_graph_metrics_t **metrics);

/* Text pieces other commands reuse. */
void report_check_text(FILE *out, const sip_check_result_t *check);
void report_graph_text(FILE *out, const sip_graph_t *graph, const sip_graph_metrics_t *m);
/* A JSON object from text a library call produced (NULL if it does not parse). */
json_t *report_json_from_text(const char *text);

#endif
