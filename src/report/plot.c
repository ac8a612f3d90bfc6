/* Plots: mean packet latency against offered load, from the analytic traffic engine (zero-load
 * latency plus M/D/1 queueing per port, src/traffic), up to 0.99 of saturation.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "report_internal.h"

enum { PLOT_W = 620, PLOT_H = 340, PAD_L = 90, PAD_R = 24, PAD_T = 40, PAD_B = 50 };

static const sip__rgb_t INK = {0x22, 0x22, 0x22}, GRID = {0xdd, 0xdd, 0xdd},
                        LINE = {0x4e, 0x79, 0xa7}, SAT = {0xd7, 0x30, 0x27};

void sip__latency_size(double *w_px, double *h_px)
{
    *w_px = PLOT_W;
    *h_px = PLOT_H;
}

/* Tick step: 1, 2 or 5 x 10^k giving at most about 6 intervals over [0, max]. */
static double tick_step(double max)
{
    double raw = max / 6.0;
    double p = pow(10.0, floor(log10(raw)));
    return raw <= p ? p : raw <= 2.0 * p ? 2.0 * p : raw <= 5.0 * p ? 5.0 * p : 10.0 * p;
}

static void fmt_tick(char *buf, size_t n, double v, double step)
{
    int dec = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, n, "%.*f", dec > 6 ? 6 : dec, v);
}

sip_status_t sip__latency_draw(const sip_report_t *r, sip__canvas_t *c, sip_error_t *err)
{
    if (!r->traffic || r->n_curve < 2)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "latency plot needs the traffic result with a finite saturation");
    double xmax = 0.0, ymax = 0.0;
    for (int i = 0; i < r->n_curve; i++) {
        if (r->curve_load[i] > xmax)
            xmax = r->curve_load[i];
        if (isfinite(r->curve_latency_ns[i]) && r->curve_latency_ns[i] > ymax)
            ymax = r->curve_latency_ns[i];
    }
    double sat_load = r->demand->load * r->traffic->saturation_scale;
    if (sat_load > xmax)
        xmax = sat_load;
    if (!(xmax > 0.0) || !(ymax > 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "latency plot: no load or no latency");
    double xs = tick_step(xmax), ys = tick_step(ymax);
    xmax = ceil(xmax / xs - 1e-9) * xs;
    ymax = ceil(ymax / ys - 1e-9) * ys;
    double x0 = PAD_L, x1 = PLOT_W - PAD_R, y0 = PLOT_H - PAD_B, y1 = PAD_T;
    char title[SIP_NAME_MAX * 2 + 96];
    snprintf(title, sizeof title, "%s: mean latency vs offered load (%s, %s routing)",
             r->pkg->name, r->traffic_pattern, sip_routing_name(r->routes->algorithm));
    c->ops->begin(c, title);
    sip__font_t tf = {.size_px = 13.0, .rgb = INK, .bold = true};
    c->ops->text(c, 16.0, 22.0, title, &tf);
    sip__paint_t grid = {.stroke_px = 1.0, .stroke_rgb = GRID};
    sip__font_t lf = {.size_px = 10.0, .anchor = SIP__ANCHOR_MIDDLE, .rgb = INK};
    char buf[64];
    c->ops->group_begin(c, "axes");
    for (int i = 0; i * xs <= xmax + 1e-9 * xmax; i++) {
        double x = x0 + (x1 - x0) * (i * xs) / xmax;
        c->ops->line(c, x, y0, x, y1, &grid);
        fmt_tick(buf, sizeof buf, i * xs, xs);
        c->ops->text(c, x, y0 + 14.0, buf, &lf);
    }
    lf.anchor = SIP__ANCHOR_END;
    for (int i = 0; i * ys <= ymax + 1e-9 * ymax; i++) {
        double y = y0 - (y0 - y1) * (i * ys) / ymax;
        c->ops->line(c, x0, y, x1, y, &grid);
        fmt_tick(buf, sizeof buf, i * ys, ys);
        c->ops->text(c, x0 - 5.0, y + 3.5, buf, &lf);
    }
    sip__paint_t axis = {.stroke_px = 1.2, .stroke_rgb = INK};
    c->ops->line(c, x0, y0, x1, y0, &axis);
    c->ops->line(c, x0, y0, x0, y1, &axis);
    lf.anchor = SIP__ANCHOR_MIDDLE;
    lf.size_px = 11.0;
    c->ops->text(c, (x0 + x1) / 2.0, PLOT_H - 12.0,
                 r->demand->load_in_GBps ? "offered load (GB/s per source)"
                                         : "offered load (fraction of injection bandwidth per source)",
                 &lf);
    c->ops->text(c, 30.0, (y0 + y1) / 2.0 - 40.0, "ns", &lf);
    c->ops->text(c, 30.0, (y0 + y1) / 2.0 - 26.0, "mean", &lf);
    c->ops->text(c, 30.0, (y0 + y1) / 2.0 - 12.0, "latency", &lf);
    c->ops->group_end(c);

    double sx = x0 + (x1 - x0) * sat_load / xmax;
    char st[96];
    snprintf(st, sizeof st, "saturation at load %.4g", sat_load);
    sip__paint_t sp = {.stroke_px = 1.2, .stroke_rgb = SAT, .dashed = true, .title = st,
                       .cls = "saturation"};
    c->ops->line(c, sx, y0, sx, y1, &sp);
    sip__font_t sf = {.size_px = 10.0, .anchor = SIP__ANCHOR_END, .rgb = SAT};
    c->ops->text(c, sx - 4.0, y1 + 12.0, "saturation", &sf);

    double px[64], py[64];
    int n = 0;
    for (int i = 0; i < r->n_curve && n < 64; i++) {
        if (!isfinite(r->curve_latency_ns[i]))
            continue;
        px[n] = x0 + (x1 - x0) * r->curve_load[i] / xmax;
        py[n] = y0 - (y0 - y1) * r->curve_latency_ns[i] / ymax;
        n++;
    }
    sip__paint_t lp = {.stroke_px = 2.0, .stroke_rgb = LINE, .cls = "curve"};
    c->ops->polyline(c, n, px, py, &lp);
    c->ops->group_begin(c, "points");
    for (int i = 0, j = 0; i < r->n_curve && j < n; i++) {
        if (!isfinite(r->curve_latency_ns[i]))
            continue;
        char pt[96];
        snprintf(pt, sizeof pt, "load %.4g (%.0f %% of saturation): %.2f ns", r->curve_load[i],
                 100.0 * r->curve_fraction[i], r->curve_latency_ns[i]);
        sip__paint_t dp = {.fill = true, .fill_rgb = LINE, .title = pt};
        c->ops->circle(c, px[j], py[j], 2.5, &dp);
        j++;
    }
    c->ops->group_end(c);
    c->ops->end(c);
    return SIP_OK;
}

sip_status_t sip_report_latency_svg(const sip_report_t *r, FILE *out, sip_error_t *err)
{
    if (!r || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_latency_svg: NULL argument");
    sip__canvas_t c;
    double w, h;
    sip__latency_size(&w, &h);
    sip__svg_canvas_init(&c, out, w, h, true);
    SIP_TRY(sip__latency_draw(r, &c, err));
    return ferror(out) ? sip_error_set(err, SIP_EIO, NULL, 0, "cannot write the SVG") : SIP_OK;
}
