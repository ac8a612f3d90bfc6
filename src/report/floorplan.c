/* The floorplan picture: substrate, dies (by kind or by temperature, with the thermal grid under
 * them), UCIe ports and links (width by raw bandwidth, colour by utilization under the package's
 * traffic), labels, a scale bar and legends.  Drawn on a canvas (SVG or cairo).
 * Model coordinates have y up (model.h); pictures have y down: y_px = top + (H - y_mm) x scale.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "report_internal.h"

enum {
    MARGIN_PX = 16,
    TITLE_PX = 34,      /* title and subtitle above the substrate */
    GAP_PX = 14,
    SCALE_PX = 26,      /* scale bar row */
    LEGEND_ROW_PX = 24,
    MIN_WIDTH_PX = 600, /* room for the legends */
    HEAT_LEVELS = 64,   /* colour steps of the heat map */
};

static const sip__rgb_t BLACK = {0x22, 0x22, 0x22}, GREY = {0x66, 0x66, 0x66},
                        LIGHT = {0xaa, 0xaa, 0xaa}, WHITE = {0xff, 0xff, 0xff};

void sip_floorplan_options_init(sip_floorplan_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->color = SIP_COLOR_KIND;
    o->heatmap = true;
    o->labels = true;
    o->width_px = 720.0;
}

const char *sip_color_mode_name(sip_color_mode_t mode)
{
    static const char *names[SIP_COLOR_COUNT] = {"kind", "temperature"};
    return mode >= 0 && mode < SIP_COLOR_COUNT ? names[mode] : "?";
}

int sip_color_mode_lookup(const char *name)
{
    for (int m = 0; name && m < SIP_COLOR_COUNT; m++)
        if (strcmp(name, sip_color_mode_name((sip_color_mode_t)m)) == 0)
            return m;
    return -1;
}

typedef struct {
    double scale;      /* px per mm */
    double left, top;  /* substrate's upper-left corner, px */
    double sub_h_mm;
    double width_px, height_px;
    int legend_rows;
    double t_lo_c, t_hi_c; /* heat colour range (temperature mode) */
} layout_t;

static double px_x(const layout_t *L, double x_mm)
{
    return L->left + x_mm * L->scale;
}

static double px_y(const layout_t *L, double y_mm)
{
    return L->top + (L->sub_h_mm - y_mm) * L->scale;
}

static sip_status_t layout(const sip_report_t *r, const sip_floorplan_options_t *o, layout_t *L,
                           sip_error_t *err)
{
    const sip_package_t *pkg = r->pkg;
    memset(L, 0, sizeof *L);
    if (!(pkg->substrate.width_mm > 0.0) || !(pkg->substrate.height_mm > 0.0))
        return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->substrate.line,
                             "substrate has no area (expected width_mm and height_mm > 0)");
    if (o->color < 0 || o->color >= SIP_COLOR_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "unknown colour mode");
    if (o->color == SIP_COLOR_TEMPERATURE && !r->thermal) {
        char why[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32] = "thermal engine not run";
        if (r->thermal_error.status != SIP_OK)
            sip_error_format(&r->thermal_error, why, sizeof why);
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "colour by temperature needs the thermal result (%s)", why);
    }
    double w = o->width_px > 0.0 ? o->width_px : 720.0;
    if (w < 200.0)
        w = 200.0;
    L->scale = w / pkg->substrate.width_mm;
    L->sub_h_mm = pkg->substrate.height_mm;
    double sub_h_px = L->sub_h_mm * L->scale;
    L->width_px = ceil((w > MIN_WIDTH_PX ? w : MIN_WIDTH_PX) + 2 * MARGIN_PX);
    L->left = MARGIN_PX + ((L->width_px - 2 * MARGIN_PX) - w) / 2.0;
    L->top = MARGIN_PX + TITLE_PX;
    L->legend_rows = 3; /* dies; link utilization; link width */
    L->height_px = ceil(L->top + sub_h_px + GAP_PX + SCALE_PX + LEGEND_ROW_PX * L->legend_rows +
                        MARGIN_PX);
    if (o->color == SIP_COLOR_TEMPERATURE) {
        const sip_thermal_result_t *t = r->thermal;
        size_t n = (size_t)t->rows * t->cols;
        const double *cell = t->t_c + (size_t)t->power_layer * n;
        L->t_lo_c = L->t_hi_c = cell[0];
        for (size_t i = 1; i < n; i++) {
            if (cell[i] < L->t_lo_c)
                L->t_lo_c = cell[i];
            if (cell[i] > L->t_hi_c)
                L->t_hi_c = cell[i];
        }
        for (int d = 0; d < t->n_dies; d++)
            if (t->dies[d].t_max_c > L->t_hi_c)
                L->t_hi_c = t->dies[d].t_max_c;
        if (L->t_hi_c - L->t_lo_c < 1e-6)
            L->t_hi_c = L->t_lo_c + 1.0;
    }
    return SIP_OK;
}

sip_status_t sip__floorplan_size(const sip_report_t *r, const sip_floorplan_options_t *o,
                                 double *w_px, double *h_px, sip_error_t *err)
{
    sip_floorplan_options_t d;
    if (!o) {
        sip_floorplan_options_init(&d);
        o = &d;
    }
    layout_t L;
    SIP_TRY(layout(r, o, &L, err));
    *w_px = L.width_px;
    *h_px = L.height_px;
    return SIP_OK;
}

static double heat_t(const layout_t *L, double t_c)
{
    return (t_c - L->t_lo_c) / (L->t_hi_c - L->t_lo_c);
}

/* The power layer's grid, one rectangle per run of cells of the same colour in a row. */
static void draw_heatmap(const sip_report_t *r, const layout_t *L, sip__canvas_t *c)
{
    const sip_thermal_result_t *t = r->thermal;
    const double *cell = t->t_c + (size_t)t->power_layer * t->rows * t->cols;
    double cw = t->width_mm / t->cols, ch = t->height_mm / t->rows;
    c->ops->group_begin(c, "heatmap");
    char hex_a[8], hex_b[8];
    for (int row = 0; row < t->rows; row++) {
        int start = 0;
        for (int col = 1; col <= t->cols; col++) {
            sip__rgb_t a = sip__heat_rgb(heat_t(L, cell[(size_t)row * t->cols + start]), HEAT_LEVELS);
            if (col < t->cols) {
                sip__rgb_t b = sip__heat_rgb(heat_t(L, cell[(size_t)row * t->cols + col]), HEAT_LEVELS);
                if (strcmp(sip__rgb_hex(a, hex_a), sip__rgb_hex(b, hex_b)) == 0)
                    continue;
            }
            double x0 = t->x0_mm + start * cw, x1 = t->x0_mm + col * cw;
            double y0 = t->y0_mm + row * ch, y1 = y0 + ch;
            sip__paint_t p = {.fill = true, .fill_rgb = a};
            /* a hair of overlap hides the seams anti-aliasing leaves between cells */
            c->ops->rect(c, px_x(L, x0), px_y(L, y1), (x1 - x0) * L->scale + 0.3,
                         (y1 - y0) * L->scale + 0.3, &p);
            start = col;
        }
    }
    c->ops->group_end(c);
}

static void fmt_power(char *buf, size_t n, double w)
{
    snprintf(buf, n, w >= 100.0 ? "%.0f W" : "%.1f W", w);
}

static void draw_dies(const sip_report_t *r, const sip_floorplan_options_t *o, const layout_t *L,
                      sip__canvas_t *c)
{
    const sip_package_t *pkg = r->pkg;
    bool temp = o->color == SIP_COLOR_TEMPERATURE;
    bool heat = temp && o->heatmap;
    c->ops->group_begin(c, "dies");
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        sip_rect_t rc = sip_instance_rect(pkg, i);
        double tmax = sip_report_instance_t_max_c(r, i);
        char title[4 * SIP_NAME_MAX + 160], tbuf[48] = "";
        if (isfinite(tmax))
            snprintf(tbuf, sizeof tbuf, ", %.1f \xc2\xb0""C max", tmax);
        snprintf(title, sizeof title, "%s (%s, %s): %.2f x %.2f mm at (%.2f, %.2f), %.1f W%s",
                 pkg->instances[i].name, t->name, sip_kind_name(t->kind), rc.x1_mm - rc.x0_mm,
                 rc.y1_mm - rc.y0_mm, rc.x0_mm, rc.y0_mm, sip_instance_power_w(pkg, i), tbuf);
        sip__paint_t p = {.fill = !heat, .stroke_px = heat ? 1.5 : 1.0, .stroke_rgb = BLACK,
                          .title = title, .cls = "die"};
        p.fill_rgb = temp ? sip__heat_rgb(heat_t(L, tmax), 0) : sip__kind_rgb(t->kind);
        c->ops->rect(c, px_x(L, rc.x0_mm), px_y(L, rc.y1_mm), (rc.x1_mm - rc.x0_mm) * L->scale,
                     (rc.y1_mm - rc.y0_mm) * L->scale, &p);
    }
    c->ops->group_end(c);
}

static bool port_used(const sip_package_t *pkg, int inst, int port, int *link)
{
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        if ((l->from_instance == inst && l->from_port == port) ||
            (l->to_instance == inst && l->to_port == port)) {
            *link = k;
            return true;
        }
    }
    return false;
}

/* Each port as the strip of die edge its modules take (UCIe module width, facts.md §1.2),
 * 0.6 mm deep into the die; used ports dark, unused ones light. */
static void draw_ports(const sip_report_t *r, const layout_t *L, sip__canvas_t *c)
{
    const sip_package_t *pkg = r->pkg;
    const double depth_mm = 0.6;
    c->ops->group_begin(c, "ports");
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        for (int p = 0; p < t->n_ports; p++) {
            const sip_port_t *port = &t->ports[p];
            double x, y;
            sip_edge_t edge;
            sip_port_location(pkg, i, p, &x, &y, &edge);
            double len = port->modules * sip_ucie_module_width_mm(port->package);
            double x0, y0, x1, y1;
            if (edge == SIP_EDGE_NORTH || edge == SIP_EDGE_SOUTH) {
                x0 = x - len / 2.0;
                x1 = x + len / 2.0;
                y0 = edge == SIP_EDGE_NORTH ? y - depth_mm : y;
                y1 = edge == SIP_EDGE_NORTH ? y : y + depth_mm;
            } else {
                y0 = y - len / 2.0;
                y1 = y + len / 2.0;
                x0 = edge == SIP_EDGE_EAST ? x - depth_mm : x;
                x1 = edge == SIP_EDGE_EAST ? x : x + depth_mm;
            }
            int link = -1;
            bool used = port_used(pkg, i, p, &link);
            char title[3 * SIP_NAME_MAX + 160];
            snprintf(title, sizeof title, "port %s.%s: %s edge, UCIe %s, %d module%s, max %g GT/s%s%s",
                     pkg->instances[i].name, port->name, sip_edge_name(edge),
                     sip_ucie_package_name(port->package), port->modules,
                     port->modules == 1 ? "" : "s", port->max_rate_gtps,
                     used ? ", link " : " (unused)", used ? pkg->links[link].name : "");
            sip__paint_t pp = {.fill = true, .fill_rgb = used ? BLACK : LIGHT, .title = title,
                               .cls = "port"};
            double w = (x1 - x0) * L->scale, h = (y1 - y0) * L->scale;
            c->ops->rect(c, px_x(L, x0), px_y(L, y1), w > 1.5 ? w : 1.5, h > 1.5 ? h : 1.5, &pp);
        }
    }
    c->ops->group_end(c);
}

static double max_link_GBps(const sip_report_t *r)
{
    double m = 0.0;
    for (int k = 0; r->links && k < r->pkg->n_links; k++)
        if (r->links[k].raw_GBps_per_dir > m)
            m = r->links[k].raw_GBps_per_dir;
    return m;
}

/* Line width: 1.5 px plus up to 6 px in proportion to the link's raw bandwidth. */
static double link_width_px(double GBps, double max_GBps)
{
    return max_GBps > 0.0 ? 1.5 + 6.0 * GBps / max_GBps : 2.0;
}

static void draw_links(const sip_report_t *r, const layout_t *L, sip__canvas_t *c)
{
    const sip_package_t *pkg = r->pkg;
    double max_bw = max_link_GBps(r);
    c->ops->group_begin(c, "links");
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        double x0, y0, x1, y1;
        sip_edge_t e;
        sip_port_location(pkg, l->from_instance, l->from_port, &x0, &y0, &e);
        sip_port_location(pkg, l->to_instance, l->to_port, &x1, &y1, &e);
        const sip_ucie_link_result_t *u = r->links ? &r->links[k] : NULL;
        char title[6 * SIP_NAME_MAX + 256], bw[64] = "", load[80] = "";
        if (u)
            snprintf(bw, sizeof bw, ", %.1f GB/s raw per direction, %s", u->raw_GBps_per_dir,
                     sip_ucie_trained_name(u->trained));
        if (r->link_util)
            snprintf(load, sizeof load, "; load %.1f GB/s (%.1f %%)", r->link_load_GBps[k],
                     100.0 * r->link_util[k]);
        snprintf(title, sizeof title, "link %s: %s.%s - %s.%s, UCIe %s %dx%d at %g GT/s%s%s",
                 l->name, pkg->instances[l->from_instance].name,
                 sip_instance_type(pkg, l->from_instance)->ports[l->from_port].name,
                 pkg->instances[l->to_instance].name,
                 sip_instance_type(pkg, l->to_instance)->ports[l->to_port].name,
                 sip_ucie_package_name(l->package), l->modules, sip_link_lanes_per_module(l),
                 l->rate_gtps, bw, load);
        sip__paint_t p = {.stroke_px = link_width_px(u ? u->raw_GBps_per_dir : 0.0, max_bw),
                          .stroke_rgb = r->link_util ? sip__util_rgb(r->link_util[k]) : GREY,
                          .stroke_opacity = 0.9,
                          .dashed = u && u->trained == SIP_UCIE_TRAINED_DOWN,
                          .title = title,
                          .cls = "link"};
        c->ops->line(c, px_x(L, x0), px_y(L, y0), px_x(L, x1), px_y(L, y1), &p);
    }
    c->ops->group_end(c);
}

static void draw_labels(const sip_report_t *r, const sip_floorplan_options_t *o, const layout_t *L,
                        sip__canvas_t *c)
{
    const sip_package_t *pkg = r->pkg;
    bool temp = o->color == SIP_COLOR_TEMPERATURE;
    c->ops->group_begin(c, "labels");
    for (int i = 0; i < pkg->n_instances; i++) {
        sip_rect_t rc = sip_instance_rect(pkg, i);
        double w = (rc.x1_mm - rc.x0_mm) * L->scale, h = (rc.y1_mm - rc.y0_mm) * L->scale;
        const char *name = pkg->instances[i].name;
        size_t len = strlen(name) > 0 ? strlen(name) : 1;
        /* about 0.6 em per character fits the name across the die */
        double size = (w - 4.0) / (0.62 * (double)len);
        size = size > 12.0 ? 12.0 : size;
        if (size < 6.0 || h < size + 4.0)
            continue; /* no room: the tooltip still names it */
        double cx = (px_x(L, rc.x0_mm) + px_x(L, rc.x1_mm)) / 2.0;
        double cy = (px_y(L, rc.y0_mm) + px_y(L, rc.y1_mm)) / 2.0;
        char v[48];
        if (temp)
            snprintf(v, sizeof v, "%.1f \xc2\xb0""C", sip_report_instance_t_max_c(r, i));
        else
            fmt_power(v, sizeof v, sip_instance_power_w(pkg, i));
        /* the value on a second line when the die has room for it (about 0.6 em a character) */
        bool two = h >= 2.0 * size + 8.0 && 0.62 * 0.85 * size * (double)strlen(v) <= w - 4.0;
        sip__rgb_t ink = temp ? BLACK : WHITE;
        sip__font_t f = {.size_px = size, .anchor = SIP__ANCHOR_MIDDLE, .rgb = ink, .bold = true};
        c->ops->text(c, cx, two ? cy - 1.0 : cy + size * 0.35, name, &f);
        if (two) {
            f.bold = false;
            f.size_px = size * 0.85;
            c->ops->text(c, cx, cy + size * 0.95, v, &f);
        }
    }
    c->ops->group_end(c);
}

/* 1, 2 or 5 x 10^k mm, the largest not above a quarter of the substrate width. */
static double nice_length(double max)
{
    double p = pow(10.0, floor(log10(max)));
    return max >= 5.0 * p ? 5.0 * p : max >= 2.0 * p ? 2.0 * p : p;
}

static void draw_scale_bar(const sip_report_t *r, const layout_t *L, sip__canvas_t *c, double y)
{
    double len_mm = nice_length(r->pkg->substrate.width_mm / 4.0);
    double x0 = L->left, x1 = L->left + len_mm * L->scale;
    sip__paint_t p = {.stroke_px = 2.0, .stroke_rgb = BLACK, .cls = "scalebar"};
    c->ops->line(c, x0, y + 8.0, x1, y + 8.0, &p);
    c->ops->line(c, x0, y + 3.0, x0, y + 13.0, &p);
    c->ops->line(c, x1, y + 3.0, x1, y + 13.0, &p);
    char buf[96];
    snprintf(buf, sizeof buf, "%g mm", len_mm);
    sip__font_t f = {.size_px = 11.0, .rgb = BLACK};
    c->ops->text(c, x1 + 6.0, y + 12.0, buf, &f);
    snprintf(buf, sizeof buf, "substrate %s %.1f x %.1f mm",
             sip_substrate_name(r->pkg->substrate.kind), r->pkg->substrate.width_mm,
             r->pkg->substrate.height_mm);
    f.anchor = SIP__ANCHOR_END;
    f.rgb = GREY;
    c->ops->text(c, L->width_px - MARGIN_PX, y + 12.0, buf, &f);
}

static double swatch(sip__canvas_t *c, double x, double y, sip__rgb_t rgb, const char *label)
{
    sip__paint_t p = {.fill = true, .fill_rgb = rgb, .stroke_px = 0.8, .stroke_rgb = BLACK};
    c->ops->rect(c, x, y + 2.0, 14.0, 12.0, &p);
    sip__font_t f = {.size_px = 11.0, .rgb = BLACK};
    c->ops->text(c, x + 19.0, y + 12.5, label, &f);
    return x + 19.0 + 7.0 * (double)strlen(label) + 14.0;
}

/* A colour ramp of n steps between x0 and x1 with labels at both ends. */
static void ramp_legend(sip__canvas_t *c, double x0, double x1, double y, bool heat,
                        const char *lo, const char *hi)
{
    const int n = 32;
    double w = (x1 - x0) / n;
    for (int i = 0; i < n; i++) {
        double t = (i + 0.5) / n;
        sip__paint_t p = {.fill = true, .fill_rgb = heat ? sip__heat_rgb(t, 0) : sip__util_rgb(t)};
        c->ops->rect(c, x0 + i * w, y + 2.0, w + 0.3, 12.0, &p);
    }
    sip__paint_t frame = {.stroke_px = 0.8, .stroke_rgb = BLACK};
    c->ops->rect(c, x0, y + 2.0, x1 - x0, 12.0, &frame);
    sip__font_t f = {.size_px = 11.0, .anchor = SIP__ANCHOR_END, .rgb = BLACK};
    c->ops->text(c, x0 - 5.0, y + 12.5, lo, &f);
    f.anchor = SIP__ANCHOR_START;
    c->ops->text(c, x1 + 5.0, y + 12.5, hi, &f);
}

static void draw_legends(const sip_report_t *r, const sip_floorplan_options_t *o, const layout_t *L,
                         sip__canvas_t *c, double y)
{
    c->ops->group_begin(c, "legend");
    sip__font_t f = {.size_px = 11.0, .rgb = BLACK, .bold = true};
    double x = MARGIN_PX;
    char lo[64], hi[64], buf[160];
    if (o->color == SIP_COLOR_KIND) {
        c->ops->text(c, x, y + 12.5, "dies:", &f);
        x += 44.0;
        for (int k = 0; k < SIP_KIND_COUNT; k++)
            x = swatch(c, x, y, sip__kind_rgb((sip_kind_t)k), sip_kind_name((sip_kind_t)k));
    } else {
        c->ops->text(c, x, y + 12.5, "temperature:", &f);
        snprintf(lo, sizeof lo, "%.1f \xc2\xb0""C", L->t_lo_c);
        snprintf(hi, sizeof hi, "%.1f \xc2\xb0""C", L->t_hi_c);
        ramp_legend(c, x + 140.0, x + 340.0, y, true, lo, hi);
        snprintf(buf, sizeof buf, "Tj,max %.1f \xc2\xb0""C, ambient %.1f \xc2\xb0""C",
                 r->thermal->tj_max_c, r->thermal->ambient_c);
        sip__font_t g = {.size_px = 11.0, .rgb = GREY};
        c->ops->text(c, x + 410.0, y + 12.5, buf, &g);
    }
    y += LEGEND_ROW_PX;
    x = MARGIN_PX;
    c->ops->text(c, x, y + 12.5, "links:", &f);
    sip__font_t g = {.size_px = 11.0, .rgb = GREY};
    if (r->link_util) {
        ramp_legend(c, x + 90.0, x + 220.0, y, false, "0 %", "100 %");
        snprintf(buf, sizeof buf, "utilization, %s at %g%s", r->traffic_pattern,
                 r->demand->load, r->demand->load_in_GBps ? " GB/s" : " of injection");
        c->ops->text(c, x + 275.0, y + 12.5, buf, &g);
    } else {
        c->ops->text(c, x + 50.0, y + 12.5, "no traffic evaluated", &g);
    }
    y += LEGEND_ROW_PX;
    double max_bw = max_link_GBps(r);
    if (max_bw > 0.0) {
        /* the thinnest and the widest line a link can get, with what they stand for */
        sip__paint_t thin = {.stroke_px = link_width_px(0.0, max_bw), .stroke_rgb = GREY};
        sip__paint_t wide = {.stroke_px = link_width_px(max_bw, max_bw), .stroke_rgb = GREY};
        c->ops->line(c, x + 90.0, y + 8.0, x + 120.0, y + 8.0, &thin);
        c->ops->text(c, x + 126.0, y + 12.5, "0", &g);
        c->ops->line(c, x + 150.0, y + 8.0, x + 180.0, y + 8.0, &wide);
        snprintf(buf, sizeof buf, "%.0f GB/s: width in proportion to raw bandwidth per direction",
                 max_bw);
        c->ops->text(c, x + 186.0, y + 12.5, buf, &g);
    } else {
        c->ops->text(c, x + 90.0, y + 12.5,
                     r->pkg->n_links ? "link bandwidth not evaluated" : "no links", &g);
    }
    c->ops->group_end(c);
}

sip_status_t sip__floorplan_draw(const sip_report_t *r, const sip_floorplan_options_t *o,
                                 sip__canvas_t *c, sip_error_t *err)
{
    sip_floorplan_options_t d;
    if (!o) {
        sip_floorplan_options_init(&d);
        o = &d;
    }
    layout_t L;
    SIP_TRY(layout(r, o, &L, err));
    const sip_package_t *pkg = r->pkg;
    char title[SIP_NAME_MAX + 64];
    snprintf(title, sizeof title, "%s floorplan", pkg->name);
    c->ops->begin(c, title);
    sip__font_t f = {.size_px = 15.0, .rgb = BLACK, .bold = true};
    c->ops->text(c, MARGIN_PX, MARGIN_PX + 12.0, pkg->name, &f);
    char sub[160];
    int stacks = 0; /* dies and attached memory stacks apart, as the text report counts them */
    for (int i = 0; i < pkg->n_instances; i++)
        stacks += pkg->instances[i].attached_to >= 0;
    snprintf(sub, sizeof sub, "%d dies + %d memory stacks, %d UCIe links, %.1f W; colour: %s",
             pkg->n_instances - stacks, stacks, pkg->n_links, sip_package_total_power_w(pkg),
             sip_color_mode_name(o->color));
    sip__font_t s = {.size_px = 11.0, .rgb = GREY};
    c->ops->text(c, MARGIN_PX, MARGIN_PX + 27.0, sub, &s);

    char st[160];
    snprintf(st, sizeof st, "substrate (%s) %.1f x %.1f mm", sip_substrate_name(pkg->substrate.kind),
             pkg->substrate.width_mm, pkg->substrate.height_mm);
    sip__paint_t sp = {.fill = true, .fill_rgb = {0xee, 0xee, 0xe8}, .stroke_px = 1.0,
                       .stroke_rgb = GREY, .title = st, .cls = "substrate"};
    c->ops->rect(c, L.left, L.top, pkg->substrate.width_mm * L.scale, L.sub_h_mm * L.scale, &sp);
    bool heat = o->color == SIP_COLOR_TEMPERATURE && o->heatmap;
    if (heat)
        draw_heatmap(r, &L, c);
    draw_dies(r, o, &L, c);
    draw_ports(r, &L, c);
    draw_links(r, &L, c);
    if (o->labels)
        draw_labels(r, o, &L, c);
    if (o->color == SIP_COLOR_TEMPERATURE) {
        const sip_thermal_result_t *t = r->thermal;
        char ht[SIP_NAME_MAX + 96];
        snprintf(ht, sizeof ht, "hotspot %.1f \xc2\xb0""C at (%.2f, %.2f) mm%s%s", t->t_max_c,
                 t->hot_x_mm, t->hot_y_mm, t->hot_die >= 0 ? " on " : "",
                 t->hot_die >= 0 ? t->dies[t->hot_die].name : "");
        sip__paint_t hp = {.stroke_px = 2.0, .stroke_rgb = BLACK, .title = ht, .cls = "hotspot"};
        c->ops->circle(c, px_x(&L, t->hot_x_mm), px_y(&L, t->hot_y_mm), 5.0, &hp);
    }
    double y = L.top + L.sub_h_mm * L.scale + GAP_PX;
    draw_scale_bar(r, &L, c, y);
    draw_legends(r, o, &L, c, y + SCALE_PX);
    c->ops->end(c);
    return SIP_OK;
}

sip_status_t sip_report_floorplan_svg(const sip_report_t *r, const sip_floorplan_options_t *o,
                                      FILE *out, sip_error_t *err)
{
    if (!r || !out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_floorplan_svg: NULL argument");
    double w, h;
    SIP_TRY(sip__floorplan_size(r, o, &w, &h, err));
    sip__canvas_t c;
    sip__svg_canvas_init(&c, out, w, h, true);
    SIP_TRY(sip__floorplan_draw(r, o, &c, err));
    return ferror(out) ? sip_error_set(err, SIP_EIO, NULL, 0, "cannot write the SVG") : SIP_OK;
}
