/* The cairo backend of the drawing interface: the floorplan as PNG or PDF (SVG goes through
 * svg.c).  Built only with cairo (SIP_HAVE_CAIRO); without it the call says so.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <strings.h>

#include "report_internal.h"
#include "sip_config.h"

/* One picture: what to draw on a canvas. */
typedef sip_status_t (*draw_fn_t)(const void *ctx, sip__canvas_t *c, sip_error_t *err);

#if SIP_HAVE_CAIRO
#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>

static void set_rgb(cairo_t *cr, sip__rgb_t c, double opacity)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, opacity > 0.0 ? opacity : 1.0);
}

static void paint_path(cairo_t *cr, const sip__paint_t *p)
{
    if (p->fill) {
        set_rgb(cr, p->fill_rgb, p->fill_opacity);
        if (p->stroke_px > 0.0)
            cairo_fill_preserve(cr);
        else
            cairo_fill(cr);
    }
    if (p->stroke_px > 0.0) {
        set_rgb(cr, p->stroke_rgb, p->stroke_opacity);
        cairo_set_line_width(cr, p->stroke_px);
        static const double dash[] = {4.0, 3.0};
        cairo_set_dash(cr, dash, p->dashed ? 2 : 0, 0.0);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

static void c_begin(sip__canvas_t *c, const char *title)
{
    (void)title;
    cairo_t *cr = c->cr;
    cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
    cairo_paint(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
}

static void c_nop(sip__canvas_t *c)
{
    (void)c;
}

static void c_group_begin(sip__canvas_t *c, const char *cls)
{
    (void)c;
    (void)cls;
}

static void c_rect(sip__canvas_t *c, double x, double y, double w, double h, const sip__paint_t *p)
{
    cairo_rectangle(c->cr, x, y, w, h);
    paint_path(c->cr, p);
}

static void c_line(sip__canvas_t *c, double x0, double y0, double x1, double y1,
                   const sip__paint_t *p)
{
    cairo_move_to(c->cr, x0, y0);
    cairo_line_to(c->cr, x1, y1);
    sip__paint_t q = *p;
    q.fill = false;
    paint_path(c->cr, &q);
}

static void c_polyline(sip__canvas_t *c, int n, const double *x, const double *y,
                       const sip__paint_t *p)
{
    for (int i = 0; i < n; i++)
        (i ? cairo_line_to : cairo_move_to)(c->cr, x[i], y[i]);
    paint_path(c->cr, p);
}

static void c_circle(sip__canvas_t *c, double cx, double cy, double r, const sip__paint_t *p)
{
    cairo_new_sub_path(c->cr);
    cairo_arc(c->cr, cx, cy, r, 0.0, 2.0 * 3.14159265358979323846);
    paint_path(c->cr, p);
}

static void c_text(sip__canvas_t *c, double x, double y, const char *s, const sip__font_t *f)
{
    cairo_t *cr = c->cr;
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           f->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, f->size_px);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    double dx = f->anchor == SIP__ANCHOR_MIDDLE ? -e.x_advance / 2.0
                : f->anchor == SIP__ANCHOR_END  ? -e.x_advance
                                                : 0.0;
    set_rgb(cr, f->rgb, 1.0);
    cairo_move_to(cr, x + dx, y);
    cairo_show_text(cr, s);
    cairo_new_path(cr);
}

static const sip__canvas_ops_t cairo_ops = {
    c_begin, c_nop, c_group_begin, c_nop, c_rect, c_line, c_polyline, c_circle, c_text,
};

/* PNG at 2 device pixels per unit, so slides stay sharp. */
#define PNG_SCALE 2.0

static sip_status_t write_cairo(double w, double h, draw_fn_t draw, const void *ctx,
                                sip_image_format_t format, const char *path, sip_error_t *err)
{
    cairo_surface_t *s =
        format == SIP_IMAGE_PDF
            ? cairo_pdf_surface_create(path, w, h)
            : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w * PNG_SCALE),
                                         (int)ceil(h * PNG_SCALE));
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        sip_status_t st = sip_error_set(err, SIP_EIO, path, 0, "cannot create the %s surface: %s",
                                        sip_image_format_name(format),
                                        cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return st;
    }
    cairo_t *cr = cairo_create(s);
    if (format == SIP_IMAGE_PNG)
        cairo_scale(cr, PNG_SCALE, PNG_SCALE);
    sip__canvas_t c;
    memset(&c, 0, sizeof c);
    c.ops = &cairo_ops;
    c.cr = cr;
    c.width_px = w;
    c.height_px = h;
    sip_status_t st = draw(ctx, &c, err);
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    if (st == SIP_OK && cs == CAIRO_STATUS_SUCCESS && format == SIP_IMAGE_PNG)
        cs = cairo_surface_write_to_png(s, path);
    cairo_surface_finish(s);
    if (st == SIP_OK && cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st == SIP_OK && cs != CAIRO_STATUS_SUCCESS)
        st = sip_error_set(err, SIP_EIO, path, 0, "cannot write %s: %s",
                           sip_image_format_name(format), cairo_status_to_string(cs));
    return st;
}
#endif

const char *sip_image_format_name(sip_image_format_t format)
{
    static const char *names[SIP_IMAGE_COUNT] = {"svg", "png", "pdf"};
    return format >= 0 && format < SIP_IMAGE_COUNT ? names[format] : "?";
}

int sip_image_format_lookup(const char *s)
{
    if (!s)
        return -1;
    const char *dot = strrchr(s, '.');
    const char *ext = dot ? dot + 1 : s;
    for (int f = 0; f < SIP_IMAGE_COUNT; f++)
        if (strcasecmp(ext, sip_image_format_name((sip_image_format_t)f)) == 0)
            return f;
    return -1;
}

/* The SVG canvas on a file, or cairo for PNG/PDF: the same drawing either way. */
static sip_status_t write_image(double w, double h, draw_fn_t draw, const void *ctx,
                                sip_image_format_t format, const char *path, sip_error_t *err)
{
    if (!path || format < 0 || format >= SIP_IMAGE_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "image: bad path or format");
    if (format == SIP_IMAGE_SVG) {
        FILE *f = fopen(path, "w");
        if (!f)
            return sip_error_set(err, SIP_EIO, path, 0, "cannot open for writing");
        sip__canvas_t c;
        sip__svg_canvas_init(&c, f, w, h, true);
        sip_status_t st = draw(ctx, &c, err);
        if (fclose(f) != 0 && st == SIP_OK)
            st = sip_error_set(err, SIP_EIO, path, 0, "cannot write");
        return st;
    }
#if SIP_HAVE_CAIRO
    return write_cairo(w, h, draw, ctx, format, path, err);
#else
    (void)w;
    (void)h;
    (void)draw;
    (void)ctx;
    return sip_error_set(err, SIP_EUNSUPPORTED, path, 0,
                         "%s output needs cairo (rebuild with libcairo2-dev installed)",
                         sip_image_format_name(format));
#endif
}

typedef struct {
    const sip_report_t *r;
    const sip_floorplan_options_t *o;
} floorplan_ctx_t;

static sip_status_t draw_floorplan(const void *ctx, sip__canvas_t *c, sip_error_t *err)
{
    const floorplan_ctx_t *f = ctx;
    return sip__floorplan_draw(f->r, f->o, c, err);
}

static sip_status_t draw_latency(const void *ctx, sip__canvas_t *c, sip_error_t *err)
{
    return sip__latency_draw(ctx, c, err);
}

static sip_status_t draw_pareto(const void *ctx, sip__canvas_t *c, sip_error_t *err)
{
    return sip__pareto_draw(ctx, c, err);
}

sip_status_t sip_report_floorplan_write(const sip_report_t *r, const sip_floorplan_options_t *o,
                                        sip_image_format_t format, const char *path,
                                        sip_error_t *err)
{
    if (!r)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_floorplan_write: NULL report");
    double w, h;
    SIP_TRY(sip__floorplan_size(r, o, &w, &h, err));
    floorplan_ctx_t ctx = {r, o};
    return write_image(w, h, draw_floorplan, &ctx, format, path, err);
}

sip_status_t sip_report_latency_write(const sip_report_t *r, sip_image_format_t format,
                                      const char *path, sip_error_t *err)
{
    if (!r)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_latency_write: NULL report");
    if (!r->traffic || r->n_curve < 2) /* before a PDF file is created */
        return sip__latency_draw(r, NULL, err);
    double w, h;
    sip__latency_size(&w, &h);
    return write_image(w, h, draw_latency, r, format, path, err);
}

sip_status_t sip_report_pareto_write(const sip_pareto_plot_t *p, sip_image_format_t format,
                                     const char *path, sip_error_t *err)
{
    double w, h;
    sip__pareto_size(&w, &h);
    return write_image(w, h, draw_pareto, p, format, path, err);
}
