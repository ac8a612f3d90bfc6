/* Internals of src/report: a small drawing interface with two backends (SVG text, cairo), so
 * the floorplan and the plots are drawn once and come out the same in SVG, PNG and PDF.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_REPORT_INTERNAL_H
#define SIPSIM_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "sipsim/report.h"

typedef struct {
    unsigned char r, g, b;
} sip__rgb_t;

typedef enum { SIP__ANCHOR_START, SIP__ANCHOR_MIDDLE, SIP__ANCHOR_END } sip__anchor_t;

/* How a shape is painted.  A field left zero means "none" (no fill, no stroke, no title). */
typedef struct {
    bool fill;
    sip__rgb_t fill_rgb;
    double fill_opacity;     /* 0 = opaque */
    double stroke_px;        /* 0 = no stroke */
    sip__rgb_t stroke_rgb;
    double stroke_opacity;   /* 0 = opaque */
    bool dashed;
    const char *title;       /* SVG tooltip (user text, escaped by the backend) */
    const char *cls;         /* SVG class (a fixed identifier, not user text) */
} sip__paint_t;

typedef struct {
    double size_px;
    sip__anchor_t anchor;
    sip__rgb_t rgb;
    bool bold;
} sip__font_t;

typedef struct sip__canvas sip__canvas_t;
typedef struct {
    void (*begin)(sip__canvas_t *c, const char *title);
    void (*end)(sip__canvas_t *c);
    void (*group_begin)(sip__canvas_t *c, const char *cls);
    void (*group_end)(sip__canvas_t *c);
    void (*rect)(sip__canvas_t *c, double x, double y, double w, double h, const sip__paint_t *p);
    void (*line)(sip__canvas_t *c, double x0, double y0, double x1, double y1,
                 const sip__paint_t *p);
    void (*polyline)(sip__canvas_t *c, int n, const double *x, const double *y,
                     const sip__paint_t *p);
    void (*circle)(sip__canvas_t *c, double cx, double cy, double r, const sip__paint_t *p);
    void (*text)(sip__canvas_t *c, double x, double y, const char *s, const sip__font_t *f);
} sip__canvas_ops_t;

struct sip__canvas {
    const sip__canvas_ops_t *ops;
    double width_px, height_px;
    FILE *out;      /* SVG backend */
    void *cr;       /* cairo backend: cairo_t * */
    bool standalone; /* SVG: XML declaration (a file) or not (inline in HTML) */
};

/* An SVG canvas writing to out; standalone adds the XML declaration. */
void sip__svg_canvas_init(sip__canvas_t *c, FILE *out, double width_px, double height_px,
                          bool standalone);

/* Colours. */
sip__rgb_t sip__kind_rgb(sip_kind_t kind);
/* Temperature ramp (cool blue -> hot red) at t in [0, 1], quantized to `levels` steps. */
sip__rgb_t sip__heat_rgb(double t, int levels);
/* Link utilization: green (0) -> yellow (0.5) -> red (1 and beyond). */
sip__rgb_t sip__util_rgb(double u);
/* "#rrggbb" into buf[8]. */
const char *sip__rgb_hex(sip__rgb_t c, char buf[8]);

/* Drawings, on any canvas. */
sip_status_t sip__floorplan_size(const sip_report_t *r, const sip_floorplan_options_t *o,
                                 double *w_px, double *h_px, sip_error_t *err);
sip_status_t sip__floorplan_draw(const sip_report_t *r, const sip_floorplan_options_t *o,
                                 sip__canvas_t *c, sip_error_t *err);
void sip__latency_size(double *w_px, double *h_px);
sip_status_t sip__latency_draw(const sip_report_t *r, sip__canvas_t *c, sip_error_t *err);

void sip__pareto_size(double *w_px, double *h_px);
sip_status_t sip__pareto_draw(const sip_pareto_plot_t *p, sip__canvas_t *c, sip_error_t *err);

/* The file name of a path (what reports show instead of the machine's directory layout). */
const char *sip__basename(const char *path);

#endif
