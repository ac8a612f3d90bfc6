/* Plots: mean packet latency against offered load, from the analytic traffic engine (zero-load
 * latency plus M/D/1 queueing per port, src/traffic), up to 0.99 of saturation.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "report_internal.h"

enum { PLOT_W = 620, PLOT_H = 340, PAD_L = 90, PAD_R = 24, PAD_T = 40, PAD_B = 50 };
#define CURVE_CAP 10.0 /* y axis: at most 10 x the zero-load latency (see sip__latency_draw) */

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
    /* The y axis stops at CURVE_CAP x the zero-load latency (an assumption for legibility: past
     * it the network is effectively saturated and a linear axis would flatten the rest); a
     * curve that climbs past it, or turns infinite, leaves the chart at a marked point. */
    const double cap_ns = CURVE_CAP * r->curve_latency_ns[0];
    double xmax = 0.0, ymax = 0.0;
    for (int i = 0; i < r->n_curve; i++) {
        if (r->curve_load[i] > xmax)
            xmax = r->curve_load[i];
        if (isfinite(r->curve_latency_ns[i]) && r->curve_latency_ns[i] > ymax)
            ymax = r->curve_latency_ns[i];
    }
    if (cap_ns > 0.0 && ymax > cap_ns)
        ymax = cap_ns;
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

    /* The curve up to its last point inside the chart; where the next point is above the top
     * (or infinite), the line goes on to the top edge and an arrow marks where it leaves. */
    double px[66], py[66];
    int n = 0, n_in = 0;
    int leave = -1; /* index of the first point outside the chart */
    for (int i = 0; i < r->n_curve && n < 64; i++) {
        double lat = r->curve_latency_ns[i];
        if (!isfinite(lat) || lat > ymax * (1.0 + 1e-9)) {
            leave = i;
            break;
        }
        px[n] = x0 + (x1 - x0) * r->curve_load[i] / xmax;
        py[n] = y0 - (y0 - y1) * lat / ymax;
        n++;
    }
    n_in = n;
    double ex = 0.0;
    if (leave > 0 && n > 0) {
        /* crossing of the top edge: linear between the last point inside and the first outside;
         * an infinite point rises at its own load */
        double la = r->curve_load[leave - 1], lb = r->curve_load[leave];
        double ya = r->curve_latency_ns[leave - 1], yb = r->curve_latency_ns[leave];
        double lx = isfinite(yb) && yb > ya ? la + (lb - la) * (ymax - ya) / (yb - ya) : lb;
        ex = x0 + (x1 - x0) * lx / xmax;
        px[n] = ex;
        py[n] = y1;
        n++;
    }
    sip__paint_t lp = {.stroke_px = 2.0, .stroke_rgb = LINE, .cls = "curve"};
    c->ops->polyline(c, n, px, py, &lp);
    if (leave > 0 && n_in > 0) {
        char tip[160];
        if (isfinite(r->curve_latency_ns[leave]))
            snprintf(tip, sizeof tip, "latency leaves the chart: %.1f ns at load %.4g (%.0f %% of "
                     "saturation)", r->curve_latency_ns[leave], r->curve_load[leave],
                     100.0 * r->curve_fraction[leave]);
        else
            snprintf(tip, sizeof tip, "latency unbounded from load %.4g (%.0f %% of saturation)",
                     r->curve_load[leave], 100.0 * r->curve_fraction[leave]);
        /* an arrowhead on the top edge, pointing up */
        double ax[3] = {ex - 5.0, ex, ex + 5.0}, ay[3] = {y1 + 8.0, y1, y1 + 8.0};
        sip__paint_t ap = {.stroke_px = 2.0, .stroke_rgb = LINE, .title = tip, .cls = "leaves-chart"};
        c->ops->polyline(c, 3, ax, ay, &ap);
        sip__font_t af = {.size_px = 10.0, .anchor = SIP__ANCHOR_END, .rgb = LINE};
        c->ops->text(c, ex - 8.0, y1 + 10.0,
                     isfinite(r->curve_latency_ns[leave]) ? "off scale" : "unbounded", &af);
    }
    c->ops->group_begin(c, "points");
    for (int i = 0; i < n_in; i++) {
        char pt[96];
        snprintf(pt, sizeof pt, "load %.4g (%.0f %% of saturation): %.2f ns", r->curve_load[i],
                 100.0 * r->curve_fraction[i], r->curve_latency_ns[i]);
        sip__paint_t dp = {.fill = true, .fill_rgb = LINE, .title = pt};
        c->ops->circle(c, px[i], py[i], 2.5, &dp);
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
