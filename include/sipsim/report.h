/* sipsim — pictures and the one-page report: SVG floorplan (dies by kind or temperature, UCIe
 * ports and links by bandwidth and utilization, heat-map overlay, scale bar), latency-vs-load
 * plot, a self-contained HTML page with every engine's section, PNG/PDF through cairo.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sip_report_t gathers the results of every engine for one package, once: design rules, the
 * package graph, the UCIe model of each link, analytic traffic (the package's own pattern and
 * load), the thermal solve, TPP/3A090 classification, cost and the package's workload
 * (kernel library).  An engine that cannot evaluate
 * the package does not fail the report: its result is NULL and its error says why, and the
 * pictures and the page leave that part out (or say why in its section).
 *
 * Output is deterministic: numbers are written with fixed formats, nothing depends on the time,
 * the machine or the path the package was loaded from (only its file name appears), so the
 * same package gives the same bytes (tests/expected/ holds golden SVGs).
 * Every user-supplied string (package, instance, type, link, port names, descriptions, finding
 * messages) goes through sip_markup_escape before it reaches SVG or HTML.
 */
#ifndef SIPSIM_REPORT_H
#define SIPSIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sipsim/check.h"
#include "sipsim/cost.h"
#include "sipsim/eval.h"
#include "sipsim/graph.h"
#include "sipsim/kernels.h"
#include "sipsim/model.h"
#include "sipsim/thermal.h"
#include "sipsim/tpp.h"
#include "sipsim/traffic.h"
#include "sipsim/ucie.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The report renders one evaluation (sipsim/eval.h): its options and result are the
 * evaluation's, under the names the report API has always had. */
typedef sip_eval_options_t sip_report_options_t;
typedef sip_eval_result_t sip_report_t;

SIP_EXPORT void sip_report_options_init(sip_report_options_t *options);
/* sip_eval_options_default(), sip_evaluate() and sip_eval_result_destroy() by their report
 * names (options NULL = the defaults). */
SIP_EXPORT sip_status_t sip_report_create(const sip_package_t *pkg,
                                          const sip_report_options_t *options,
                                          sip_report_t **out, sip_error_t *err);
SIP_EXPORT void sip_report_destroy(sip_report_t *report);

/* Temperature of an instance from the thermal result (hottest cell), NAN if not available. */
SIP_EXPORT double sip_report_instance_t_max_c(const sip_report_t *report, int instance);

/* Write s with &, <, >, " and ' replaced by entities: the one escaping function for SVG text,
 * attributes and HTML.  Control characters other than tab/newline become U+FFFD (XML 1.0
 * forbids them); invalid UTF-8 bytes likewise. */
SIP_EXPORT void sip_markup_escape(FILE *out, const char *s);

/* ---- pictures ---- */

typedef enum {
    SIP_COLOR_KIND,         /* compute / memory / io / custom */
    SIP_COLOR_TEMPERATURE,  /* each die's hottest cell; with the heat map under it */
    SIP_COLOR_COUNT
} sip_color_mode_t;

SIP_EXPORT const char *sip_color_mode_name(sip_color_mode_t mode);
SIP_EXPORT int sip_color_mode_lookup(const char *name); /* "kind", "temperature"; -1 */

typedef struct {
    sip_color_mode_t color;
    bool heatmap;            /* thermal grid under the dies (temperature mode; default true) */
    bool labels;             /* instance names and powers (default true) */
    double width_px;         /* drawing width of the substrate; 0 = 720 */
} sip_floorplan_options_t;

SIP_EXPORT void sip_floorplan_options_init(sip_floorplan_options_t *options);

/* The floorplan as a standalone SVG document (options NULL = defaults).  Temperature mode
 * without a thermal result is SIP_EINVAL (with the thermal error in the message). */
SIP_EXPORT sip_status_t sip_report_floorplan_svg(const sip_report_t *report,
                                                 const sip_floorplan_options_t *options,
                                                 FILE *out, sip_error_t *err);
/* Mean latency against offered load from the traffic engine (SIP_EINVAL without traffic). */
SIP_EXPORT sip_status_t sip_report_latency_svg(const sip_report_t *report, FILE *out,
                                               sip_error_t *err);

/* A two-objective Pareto plot of design points (e.g. the rows of a sweep's results file):
 * every point, the feasible ones filled, the non-dominated feasible ones (the front, computed
 * here for these two objectives) in red joined by a step line. */
typedef struct {
    int n;
    const double *x, *y;          /* objective values; non-finite points are not drawn */
    const bool *feasible;         /* NULL = all feasible */
    const long long *ids;         /* row ids for tooltips; NULL = index */
    bool x_maximize, y_maximize;  /* direction of each objective */
    const char *x_label, *y_label, *title;
} sip_pareto_plot_t;

/* Marks front[i] (may be NULL) and returns the number of points on the front. */
SIP_EXPORT int sip_pareto_front_2d(const sip_pareto_plot_t *plot, bool *front);
SIP_EXPORT sip_status_t sip_report_pareto_svg(const sip_pareto_plot_t *plot, FILE *out,
                                              sip_error_t *err);

typedef enum { SIP_IMAGE_SVG, SIP_IMAGE_PNG, SIP_IMAGE_PDF, SIP_IMAGE_COUNT } sip_image_format_t;
SIP_EXPORT const char *sip_image_format_name(sip_image_format_t format);
/* "svg", "png", "pdf" or a file name ending in one of them; -1 if none. */
SIP_EXPORT int sip_image_format_lookup(const char *name_or_path);
/* The floorplan as PNG (2 px per SVG unit) or PDF written to path, through cairo; SVG as
 * above.  SIP_EUNSUPPORTED when the build has no cairo. */
SIP_EXPORT sip_status_t sip_report_floorplan_write(const sip_report_t *report,
                                                   const sip_floorplan_options_t *options,
                                                   sip_image_format_t format, const char *path,
                                                   sip_error_t *err);
/* The latency and Pareto plots the same way (PNG, PDF or SVG to a file). */
SIP_EXPORT sip_status_t sip_report_latency_write(const sip_report_t *report,
                                                 sip_image_format_t format, const char *path,
                                                 sip_error_t *err);
SIP_EXPORT sip_status_t sip_report_pareto_write(const sip_pareto_plot_t *plot,
                                                sip_image_format_t format, const char *path,
                                                sip_error_t *err);

/* ---- the page ---- */

/* One self-contained HTML page: inline CSS and SVG, no scripts, no external resources (a
 * Content-Security-Policy forbids fetching any).  Sections, each with id="sec-NAME":
 * summary, floorplan, check, links, traffic, thermal, tpp, workload, cost, graph; a section whose engine
 * was not run is left out, one whose engine failed says why. */
SIP_EXPORT sip_status_t sip_report_html(const sip_report_t *report, FILE *out, sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
