/* The Pareto plot: two objectives of a set of design points (a sweep's result rows), the
 * feasible points, and the non-dominated ones among them.  The front is computed here for the
 * two plotted objectives (a sweep's own front may use more objectives).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

enum { PW = 640, PH = 420, PL = 78, PR = 24, PT = 40, PB = 54 };

static const sip__rgb_t INK = {0x22, 0x22, 0x22}, GRID = {0xdd, 0xdd, 0xdd},
                        FEAS = {0x4e, 0x79, 0xa7}, INFEAS = {0xaa, 0xaa, 0xaa},
                        FRONT = {0xd7, 0x30, 0x27};

typedef struct {
    double a, b; /* objectives turned into "smaller is better" */
    int i;
} pt_t;

static int pt_cmp(const void *p, const void *q)
{
    const pt_t *u = p, *v = q;
    if (u->a != v->a)
        return u->a < v->a ? -1 : 1;
    if (u->b != v->b)
        return u->b < v->b ? -1 : 1;
    return u->i - v->i;
}

static bool usable(const sip_pareto_plot_t *p, int i)
{
    return isfinite(p->x[i]) && isfinite(p->y[i]);
}

int sip_pareto_front_2d(const sip_pareto_plot_t *p, bool *front)
{
    if (front)
        memset(front, 0, (size_t)(p->n > 0 ? p->n : 0) * sizeof *front);
    pt_t *v = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *v);
    if (!v)
        return -1;
    int m = 0;
    for (int i = 0; i < p->n; i++)
        if (usable(p, i) && (!p->feasible || p->feasible[i]))
            v[m++] = (pt_t){p->x_maximize ? -p->x[i] : p->x[i],
                            p->y_maximize ? -p->y[i] : p->y[i], i};
    qsort(v, (size_t)m, sizeof *v, pt_cmp);
    /* sorted by a then b: a point is on the front when its b beats every earlier point's, or
     * when it equals the last front point (duplicates do not dominate each other) */
    int n_front = 0;
    double best_b = INFINITY, last_a = NAN;
    for (int k = 0; k < m; k++) {
        bool on = v[k].b < best_b || (v[k].b == best_b && v[k].a == last_a);
        if (!on)
            continue;
        best_b = v[k].b;
        last_a = v[k].a;
        if (front)
            front[v[k].i] = true;
        n_front++;
    }
    free(v);
    return n_front;
}

static double nice_step(double span)
{
    double raw = span / 6.0;
    double p = pow(10.0, floor(log10(raw)));
    return raw <= p ? p : raw <= 2.0 * p ? 2.0 * p : raw <= 5.0 * p ? 5.0 * p : 10.0 * p;
}

static void fmt_tick(char *buf, size_t n, double v, double step)
{
    int dec = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, n, "%.*f", dec > 6 ? 6 : dec, fabs(v) < 1e-12 * step ? 0.0 : v);
}

/* Axis range [lo, hi] rounded out to ticks. */
static void axis(double lo, double hi, double *a, double *b, double *step)
{
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    }
    *step = nice_step(hi - lo);
    *a = floor(lo / *step + 1e-9) * *step;
    *b = ceil(hi / *step - 1e-9) * *step;
}

static sip_status_t draw(const sip_pareto_plot_t *p, const bool *front, sip__canvas_t *c,
                         sip_error_t *err)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    int n_points = 0, n_feasible = 0, n_front = 0;
    for (int i = 0; i < p->n; i++) {
        if (!usable(p, i))
            continue;
        x0 = fmin(x0, p->x[i]);
        x1 = fmax(x1, p->x[i]);
        y0 = fmin(y0, p->y[i]);
        y1 = fmax(y1, p->y[i]);
        n_points++;
        n_feasible += !p->feasible || p->feasible[i];
        n_front += front[i];
    }
    if (n_points == 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "Pareto plot: no point with both objectives finite");
    double xa, xb, xs, ya, yb, ys;
    axis(x0, x1, &xa, &xb, &xs);
    axis(y0, y1, &ya, &yb, &ys);
    const double L = PL, R = PW - PR, T = PT, B = PH - PB;
#define PX(v) (L + (R - L) * ((v) - xa) / (xb - xa))
#define PY(v) (B - (B - T) * ((v) - ya) / (yb - ya))
    c->ops->begin(c, p->title ? p->title : "Pareto front");
    sip__font_t tf = {.size_px = 13.0, .rgb = INK, .bold = true};
    c->ops->text(c, L, 22.0, p->title ? p->title : "Pareto front", &tf);
    sip__paint_t grid = {.stroke_px = 1.0, .stroke_rgb = GRID};
    sip__font_t lf = {.size_px = 10.0, .anchor = SIP__ANCHOR_MIDDLE, .rgb = INK};
    char buf[160];
    c->ops->group_begin(c, "axes");
    for (int i = 0; xa + i * xs <= xb + 1e-9 * xs; i++) {
        double v = xa + i * xs;
        c->ops->line(c, PX(v), B, PX(v), T, &grid);
        fmt_tick(buf, sizeof buf, v, xs);
        c->ops->text(c, PX(v), B + 14.0, buf, &lf);
    }
    lf.anchor = SIP__ANCHOR_END;
    for (int i = 0; ya + i * ys <= yb + 1e-9 * ys; i++) {
        double v = ya + i * ys;
        c->ops->line(c, L, PY(v), R, PY(v), &grid);
        fmt_tick(buf, sizeof buf, v, ys);
        c->ops->text(c, L - 5.0, PY(v) + 3.5, buf, &lf);
    }
    sip__paint_t ax = {.stroke_px = 1.2, .stroke_rgb = INK};
    c->ops->line(c, L, B, R, B, &ax);
    c->ops->line(c, L, B, L, T, &ax);
    lf.anchor = SIP__ANCHOR_MIDDLE;
    lf.size_px = 11.0;
    snprintf(buf, sizeof buf, "%s (%s)", p->x_label ? p->x_label : "x",
             p->x_maximize ? "maximize" : "minimize");
    c->ops->text(c, (L + R) / 2.0, PH - 26.0, buf, &lf);
    snprintf(buf, sizeof buf, "vertical: %s (%s)", p->y_label ? p->y_label : "y",
             p->y_maximize ? "maximize" : "minimize");
    c->ops->text(c, (L + R) / 2.0, PH - 10.0, buf, &lf);
    c->ops->group_end(c);

    /* points: infeasible hollow grey, feasible blue, front red on top */
    for (int pass = 0; pass < 3; pass++) {
        c->ops->group_begin(c, pass == 0 ? "infeasible" : pass == 1 ? "feasible" : "front");
        for (int i = 0; i < p->n; i++) {
            if (!usable(p, i))
                continue;
            bool feas = !p->feasible || p->feasible[i];
            int kind = !feas ? 0 : front[i] ? 2 : 1;
            if (kind != pass)
                continue;
            char t[192];
            snprintf(t, sizeof t, "row %lld: %s %.6g, %s %.6g%s", p->ids ? p->ids[i] : (long long)i,
                     p->x_label ? p->x_label : "x", p->x[i], p->y_label ? p->y_label : "y",
                     p->y[i], kind == 2 ? " (Pareto front)" : kind == 0 ? " (infeasible)" : "");
            sip__paint_t dp = {.fill = kind != 0,
                               .fill_rgb = kind == 2 ? FRONT : FEAS,
                               .fill_opacity = kind == 1 ? 0.6 : 0.0,
                               .stroke_px = kind == 0 ? 1.0 : 0.0,
                               .stroke_rgb = INFEAS,
                               .title = t};
            c->ops->circle(c, PX(p->x[i]), PY(p->y[i]), kind == 2 ? 3.5 : 2.5, &dp);
        }
        c->ops->group_end(c);
    }
    /* the front as a step line in order along x */
    if (n_front >= 2) {
        double *fx = malloc((size_t)n_front * 2 * sizeof *fx);
        double *fy = malloc((size_t)n_front * 2 * sizeof *fy);
        int *idx = malloc((size_t)n_front * sizeof *idx);
        if (!fx || !fy || !idx) {
            free(fx);
            free(fy);
            free(idx);
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (Pareto plot)");
        }
        int m = 0;
        for (int i = 0; i < p->n; i++)
            if (front[i])
                idx[m++] = i;
        for (int a = 1; a < m; a++) /* insertion sort by x: fronts are small */
            for (int b = a; b > 0 && (p->x[idx[b]] < p->x[idx[b - 1]] ||
                                      (p->x[idx[b]] == p->x[idx[b - 1]] && idx[b] < idx[b - 1]));
                 b--) {
                int t = idx[b];
                idx[b] = idx[b - 1];
                idx[b - 1] = t;
            }
        int k = 0;
        for (int a = 0; a < m; a++) {
            if (a > 0) { /* horizontal then vertical: the attainment surface */
                fx[k] = PX(p->x[idx[a]]);
                fy[k] = PY(p->y[idx[a - 1]]);
                k++;
            }
            fx[k] = PX(p->x[idx[a]]);
            fy[k] = PY(p->y[idx[a]]);
            k++;
        }
        sip__paint_t sp = {.stroke_px = 1.5, .stroke_rgb = FRONT, .stroke_opacity = 0.8,
                           .cls = "front-line"};
        c->ops->polyline(c, k, fx, fy, &sp);
        free(fx);
        free(fy);
        free(idx);
    }
    snprintf(buf, sizeof buf, "%d points, %d feasible, %d on the front", n_points, n_feasible,
             n_front);
    sip__font_t nf = {.size_px = 11.0, .anchor = SIP__ANCHOR_END, .rgb = {0x66, 0x66, 0x66}};
    c->ops->text(c, R, 22.0, buf, &nf);
#undef PX
#undef PY
    c->ops->end(c);
    return SIP_OK;
}

void sip__pareto_size(double *w_px, double *h_px)
{
    *w_px = PW;
    *h_px = PH;
}

sip_status_t sip__pareto_draw(const sip_pareto_plot_t *p, sip__canvas_t *c, sip_error_t *err)
{
    if (!p || p->n < 0 || (p->n > 0 && (!p->x || !p->y)))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "Pareto plot: bad argument");
    bool *front = calloc((size_t)(p->n > 0 ? p->n : 1), sizeof *front);
    if (!front || sip_pareto_front_2d(p, front) < 0) {
        free(front);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (Pareto plot)");
    }
    sip_status_t st = draw(p, front, c, err);
    free(front);
    return st;
}

sip_status_t sip_report_pareto_svg(const sip_pareto_plot_t *p, FILE *out, sip_error_t *err)
{
    if (!out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_pareto_svg: NULL output");
    sip__canvas_t c;
    sip__svg_canvas_init(&c, out, PW, PH, true);
    SIP_TRY(sip__pareto_draw(p, &c, err));
    return ferror(out) ? sip_error_set(err, SIP_EIO, NULL, 0, "cannot write the SVG") : SIP_OK;
}
