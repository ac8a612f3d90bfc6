/* The SVG backend of the drawing interface, the one markup escaping function, and colours.
 * Numbers are written with two decimals: the same drawing gives the same bytes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "report_internal.h"

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there are not one. */
static int utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

void sip_markup_escape(FILE *out, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        switch (*p) {
        case '&': fputs("&amp;", out); p++; continue;
        case '<': fputs("&lt;", out); p++; continue;
        case '>': fputs("&gt;", out); p++; continue;
        case '"': fputs("&quot;", out); p++; continue;
        case '\'': fputs("&#39;", out); p++; continue;
        default: break;
        }
        if (*p < 0x20 && *p != '\t' && *p != '\n') {
            fputs("\xef\xbf\xbd", out); /* XML 1.0 has no control characters */
            p++;
            continue;
        }
        int n = utf8_len(p);
        if (n == 0) {
            fputs("\xef\xbf\xbd", out);
            p++;
            continue;
        }
        fwrite(p, 1, (size_t)n, out);
        p += n;
    }
}

const char *sip__basename(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "";
}

/* ---- colours ---- */

const char *sip__rgb_hex(sip__rgb_t c, char buf[8])
{
    snprintf(buf, 8, "#%02x%02x%02x", c.r, c.g, c.b);
    return buf;
}

sip__rgb_t sip__kind_rgb(sip_kind_t kind)
{
    /* Tableau 10: distinguishable, also for the common colour-vision deficiencies */
    static const sip__rgb_t rgb[SIP_KIND_COUNT] = {
        {0x4e, 0x79, 0xa7}, /* compute: blue */
        {0xf2, 0x8e, 0x2b}, /* memory: orange */
        {0x59, 0xa1, 0x4f}, /* io: green */
        {0xb0, 0x7a, 0xa1}, /* custom: purple */
    };
    return kind >= 0 && kind < SIP_KIND_COUNT ? rgb[kind] : (sip__rgb_t){0x99, 0x99, 0x99};
}

static sip__rgb_t ramp(const sip__rgb_t *stops, int n, double t)
{
    if (!(t > 0.0))
        return stops[0];
    if (t >= 1.0)
        return stops[n - 1];
    double x = t * (n - 1);
    int i = (int)x;
    double f = x - i;
    sip__rgb_t a = stops[i], b = stops[i + 1];
    return (sip__rgb_t){(unsigned char)lround(a.r + f * (b.r - a.r)),
                        (unsigned char)lround(a.g + f * (b.g - a.g)),
                        (unsigned char)lround(a.b + f * (b.b - a.b))};
}

sip__rgb_t sip__heat_rgb(double t, int levels)
{
    /* ColorBrewer RdYlBu, reversed: diverging, readable in print and on screen */
    static const sip__rgb_t stops[] = {
        {0x31, 0x36, 0x95}, {0x45, 0x75, 0xb4}, {0x74, 0xad, 0xd1}, {0xab, 0xd9, 0xe9},
        {0xfe, 0xe0, 0x90}, {0xfd, 0xae, 0x61}, {0xf4, 0x6d, 0x43}, {0xd7, 0x30, 0x27},
        {0xa5, 0x00, 0x26},
    };
    if (levels > 1) {
        double q = floor((t > 0.0 ? (t < 1.0 ? t : 1.0) : 0.0) * levels);
        t = (q >= levels ? levels - 1 : q) / (levels - 1);
    }
    return ramp(stops, (int)(sizeof stops / sizeof stops[0]), t);
}

sip__rgb_t sip__util_rgb(double u)
{
    static const sip__rgb_t stops[] = {{0x1a, 0x98, 0x50}, {0xfe, 0xe0, 0x8b}, {0xd7, 0x30, 0x27}};
    return ramp(stops, 3, u);
}

/* ---- SVG backend ---- */

static void paint_attrs(FILE *out, const sip__paint_t *p)
{
    char hex[8];
    if (p->cls)
        fprintf(out, " class=\"%s\"", p->cls);
    if (p->fill) {
        fprintf(out, " fill=\"%s\"", sip__rgb_hex(p->fill_rgb, hex));
        if (p->fill_opacity > 0.0)
            fprintf(out, " fill-opacity=\"%.2f\"", p->fill_opacity);
    } else {
        fputs(" fill=\"none\"", out);
    }
    if (p->stroke_px > 0.0) {
        fprintf(out, " stroke=\"%s\" stroke-width=\"%.2f\"", sip__rgb_hex(p->stroke_rgb, hex),
                p->stroke_px);
        if (p->stroke_opacity > 0.0)
            fprintf(out, " stroke-opacity=\"%.2f\"", p->stroke_opacity);
        if (p->dashed)
            fputs(" stroke-dasharray=\"4 3\"", out);
    }
}

/* Close an element: with a <title> child (tooltip) when there is one. */
static void close_elem(FILE *out, const char *tag, const sip__paint_t *p)
{
    if (p->title) {
        fputs("><title>", out);
        sip_markup_escape(out, p->title);
        fprintf(out, "</title></%s>\n", tag);
    } else {
        fputs("/>\n", out);
    }
}

static void svg_begin(sip__canvas_t *c, const char *title)
{
    if (c->standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", c->out);
    fprintf(c->out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\" role=\"img\">\n",
            c->width_px, c->height_px, c->width_px, c->height_px);
    if (title) {
        fputs("<title>", c->out);
        sip_markup_escape(c->out, title);
        fputs("</title>\n", c->out);
    }
    fprintf(c->out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
            c->width_px, c->height_px);
}

static void svg_end(sip__canvas_t *c)
{
    fputs("</svg>\n", c->out);
}

static void svg_group_begin(sip__canvas_t *c, const char *cls)
{
    fprintf(c->out, "<g class=\"%s\">\n", cls);
}

static void svg_group_end(sip__canvas_t *c)
{
    fputs("</g>\n", c->out);
}

static void svg_rect(sip__canvas_t *c, double x, double y, double w, double h, const sip__paint_t *p)
{
    fprintf(c->out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x, y, w, h);
    paint_attrs(c->out, p);
    close_elem(c->out, "rect", p);
}

static void svg_line(sip__canvas_t *c, double x0, double y0, double x1, double y1,
                     const sip__paint_t *p)
{
    fprintf(c->out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", x0, y0, x1, y1);
    paint_attrs(c->out, p);
    fputs(" stroke-linecap=\"round\"", c->out);
    close_elem(c->out, "line", p);
}

static void svg_polyline(sip__canvas_t *c, int n, const double *x, const double *y,
                         const sip__paint_t *p)
{
    fputs("<polyline points=\"", c->out);
    for (int i = 0; i < n; i++)
        fprintf(c->out, "%s%.2f,%.2f", i ? " " : "", x[i], y[i]);
    fputc('"', c->out);
    paint_attrs(c->out, p);
    fputs(" stroke-linejoin=\"round\"", c->out);
    close_elem(c->out, "polyline", p);
}

static void svg_circle(sip__canvas_t *c, double cx, double cy, double r, const sip__paint_t *p)
{
    fprintf(c->out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"", cx, cy, r);
    paint_attrs(c->out, p);
    close_elem(c->out, "circle", p);
}

static void svg_text(sip__canvas_t *c, double x, double y, const char *s, const sip__font_t *f)
{
    static const char *anchor[] = {"start", "middle", "end"};
    char hex[8];
    fprintf(c->out, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\" text-anchor=\"%s\" fill=\"%s\"%s>",
            x, y, f->size_px, anchor[f->anchor], sip__rgb_hex(f->rgb, hex),
            f->bold ? " font-weight=\"bold\"" : "");
    sip_markup_escape(c->out, s);
    fputs("</text>\n", c->out);
}

static const sip__canvas_ops_t svg_ops = {
    svg_begin, svg_end, svg_group_begin, svg_group_end, svg_rect,
    svg_line,  svg_polyline, svg_circle, svg_text,
};

void sip__svg_canvas_init(sip__canvas_t *c, FILE *out, double width_px, double height_px,
                          bool standalone)
{
    memset(c, 0, sizeof *c);
    c->ops = &svg_ops;
    c->out = out;
    c->width_px = width_px;
    c->height_px = height_px;
    c->standalone = standalone;
}
