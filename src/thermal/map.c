/* Temperature maps: CSV (one row per cell) and an SVG heat map of the power layer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "thermal/thermal_internal.h"

sip_status_t sip_thermal_write_csv(const sip_thermal_result_t *r, int layer, FILE *out, sip_error_t *err)
{
    if (layer < 0)
        layer = r->power_layer;
    if (layer >= r->n_layers)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "layer %d (expected 0..%d)", layer, r->n_layers - 1);
    double cw = r->width_mm / r->cols, ch = r->height_mm / r->rows;
    fprintf(out, "x_mm,y_mm,t_c\n");
    for (int row = 0; row < r->rows; row++)
        for (int c = 0; c < r->cols; c++)
            fprintf(out, "%.6g,%.6g,%.4f\n", r->x0_mm + (c + 0.5) * cw, r->y0_mm + (row + 0.5) * ch,
                    r->t_c[((size_t)layer * r->rows + row) * r->cols + c]);
    if (ferror(out))
        return sip_error_set(err, SIP_EIO, NULL, 0, "cannot write the temperature CSV");
    return SIP_OK;
}

/* Blue (coolest) -> red (hottest) through green and yellow. */
static void colour(double f, int *rr, int *gg, int *bb)
{
    f = fmin(1.0, fmax(0.0, f));
    double r = fmin(1.0, fmax(0.0, 2.0 * f - 0.5) * 1.5), g = 1.0 - fabs(2.0 * f - 1.0) * 0.9,
           b = fmin(1.0, fmax(0.0, 1.0 - 2.0 * f) * 1.6);
    *rr = (int)lround(255 * fmin(1.0, r));
    *gg = (int)lround(255 * fmax(0.0, g));
    *bb = (int)lround(255 * b);
}

static void xml_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else
            fputc(*s, out);
    }
}

sip_status_t sip_thermal_write_svg(const sip_thermal_result_t *r, FILE *out, sip_error_t *err)
{
    const double scale = 600.0 / fmax(r->width_mm, r->height_mm); /* px per mm */
    const double W = r->width_mm * scale, H = r->height_mm * scale, legend = 90.0;
    const double *t = r->t_c + (size_t)r->power_layer * r->rows * r->cols;
    double lo = t[0], hi = t[0];
    for (size_t i = 0; i < (size_t)r->rows * r->cols; i++) {
        lo = fmin(lo, t[i]);
        hi = fmax(hi, t[i]);
    }
    double span = hi - lo > 1e-9 ? hi - lo : 1.0;
    double cw = W / r->cols, ch = H / r->rows;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.1f %.1f\" "
                 "font-family=\"sans-serif\" font-size=\"11\">\n", W + legend, H + 30, W + legend, H + 30);
    fprintf(out, "<title>power-layer temperature, %.2f-%.2f C</title>\n<g shape-rendering=\"crispEdges\">\n", lo, hi);
    for (int row = 0; row < r->rows; row++) {
        for (int c = 0; c < r->cols; c++) {
            int R, G, B;
            colour((t[(size_t)row * r->cols + c] - lo) / span, &R, &G, &B);
            /* SVG y grows downwards; row 0 is the south edge */
            fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#%02x%02x%02x\"/>\n", c * cw,
                    H - (row + 1) * ch, cw + 0.05, ch + 0.05, R, G, B);
        }
    }
    fprintf(out, "</g>\n<g fill=\"none\" stroke=\"black\" stroke-width=\"1\">\n");
    for (int d = 0; d < r->n_dies; d++) {
        const sip_thermal_die_t *D = &r->dies[d];
        if (D->layer != r->power_layer)
            continue;
        fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", (D->x0_mm - r->x0_mm) * scale,
                H - (D->y1_mm - r->y0_mm) * scale, (D->x1_mm - D->x0_mm) * scale, (D->y1_mm - D->y0_mm) * scale);
    }
    fprintf(out, "</g>\n");
    for (int d = 0; d < r->n_dies; d++) {
        const sip_thermal_die_t *D = &r->dies[d];
        if (D->layer != r->power_layer || D->power_w <= 0.0)
            continue;
        fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", (0.5 * (D->x0_mm + D->x1_mm) - r->x0_mm) * scale,
                H - (0.5 * (D->y0_mm + D->y1_mm) - r->y0_mm) * scale);
        xml_text(out, D->name);
        fprintf(out, " %.1f C</text>\n", D->t_max_c);
    }
    if (r->hot_die >= 0)
        fprintf(out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"5\" fill=\"none\" stroke=\"white\" stroke-width=\"2\"><title>hotspot "
                     "%.2f C</title></circle>\n", (r->hot_x_mm - r->x0_mm) * scale, H - (r->hot_y_mm - r->y0_mm) * scale, r->t_max_c);
    for (int i = 0; i <= 10; i++) {
        int R, G, B;
        colour(1.0 - i / 10.0, &R, &G, &B);
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.2f\" fill=\"#%02x%02x%02x\"/>\n", W + 10, i * H / 11.0,
                H / 11.0 + 0.5, R, G, B);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"12\">%.1f C</text>\n<text x=\"%.1f\" y=\"%.1f\">%.1f C</text>\n", W + 30, hi, W + 30, H, lo);
    fprintf(out, "<text x=\"4\" y=\"%.1f\">%.1f x %.1f mm, %d x %d cells, max %.2f C</text>\n</svg>\n", H + 20, r->width_mm,
            r->height_mm, r->cols, r->rows, r->t_max_c);
    if (ferror(out))
        return sip_error_set(err, SIP_EIO, NULL, 0, "cannot write the temperature SVG");
    return SIP_OK;
}
