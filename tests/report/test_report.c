/* Criterion suite for src/report: escaping, golden floorplans, what the pictures encode (links
 * by bandwidth and utilization, temperature colours, scale bar), the latency plot, the HTML
 * page's sections and self-containment, PNG/PDF through cairo, the CLI.
 * Goldens: SIPSIM_UPDATE_GOLDEN=1 rewrites tests/expected/floorplan_*.svg (review the diff).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report_test.h"
#include "sip_config.h"

static char *escape(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    sip_markup_escape(f, s);
    fclose(f);
    return buf;
}

Test(report_escape, markup_characters_become_entities)
{
    char *e = escape("<script>alert(1)</script> & \"q\" 'a'");
    cr_assert_str_eq(e, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;");
    free(e);
    e = escape("already &amp; escaped");
    cr_assert_str_eq(e, "already &amp;amp; escaped"); /* escaped once more: shown literally */
    free(e);
}

Test(report_escape, control_bytes_and_bad_utf8_become_replacement_characters)
{
    char *e = escape("a\x01z\tt\n\xc3\xa9\xff\xe2\x82");
    /* tab, newline and a valid e-acute kept; 0x01, 0xff and a truncated sequence replaced */
    cr_assert_str_eq(e, "a\xef\xbf\xbdz\tt\n\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    free(e);
    e = escape("");
    cr_assert_str_eq(e, "");
    free(e);
}

/* ---- golden floorplans (kind colours; UCIe and analytic traffic are closed forms) ---- */

static void golden_floorplan(const char *package, const char *name)
{
    sip_package_t *pkg = rt_load(package);
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    char *svg = rt_capture(r, RT_FLOORPLAN, NULL);
    char what[1024];
    snprintf(what, sizeof what, "floorplan of %s", package);
    test_golden_check(svg, name, what);
    free(svg);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

Test(report_golden, default_floorplan)
{
    golden_floorplan("topologies/default.cfg", "floorplan_default.svg");
}

Test(report_golden, mesh_2x4_floorplan)
{
    golden_floorplan("topologies/mesh_2x4.cfg", "floorplan_mesh_2x4.svg");
}

/* ---- what the floorplan encodes ---- */

/* The value of attribute `name` in the n-th element that starts with `tag` and has class cls. */
static const char *nth_elem(const char *svg, const char *tag_cls, int n)
{
    const char *p = svg;
    for (int i = 0; i <= n; i++) {
        p = strstr(p, tag_cls);
        if (!p)
            return NULL;
        if (i < n)
            p++;
    }
    return p;
}

static double attr_num(const char *elem, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(elem, key);
    cr_assert_not_null(p, "no %s in %.80s", name, elem);
    return strtod(p + strlen(key), NULL);
}

static unsigned attr_rgb(const char *elem, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"#", name);
    const char *p = strstr(elem, key);
    cr_assert_not_null(p, "no %s in %.80s", name, elem);
    return (unsigned)strtoul(p + strlen(key), NULL, 16);
}

Test(report_floorplan, one_shape_per_die_port_and_link_with_width_by_bandwidth)
{
    /* epyc_like has links of different widths (GMI-like x16 vs x64): widths must differ */
    const char *pkgs[] = {"topologies/default.cfg", "topologies/epyc_like.cfg",
                          "topologies/mi300x_like.cfg"};
    for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++) {
        sip_package_t *pkg = rt_load(pkgs[i]);
        sip_report_options_t o;
        rt_fast_options(&o);
        sip_report_t *r = rt_report(pkg, &o);
        cr_assert_not_null(r->links);
        char *svg = rt_capture(r, RT_FLOORPLAN, NULL);
        int ports = 0;
        for (int k = 0; k < pkg->n_instances; k++)
            ports += sip_instance_type(pkg, k)->n_ports;
        cr_assert_eq(rt_count(svg, "class=\"die\""), pkg->n_instances, "%s", pkgs[i]);
        cr_assert_eq(rt_count(svg, "class=\"port\""), ports, "%s", pkgs[i]);
        cr_assert_eq(rt_count(svg, "class=\"link\""), pkg->n_links, "%s", pkgs[i]);
        double max_bw = 0.0;
        for (int k = 0; k < pkg->n_links; k++)
            max_bw = fmax(max_bw, r->links[k].raw_GBps_per_dir);
        int busiest = 0, idlest = 0;
        for (int k = 0; k < pkg->n_links; k++) {
            /* the paint attributes follow the class attribute */
            const char *e = nth_elem(strstr(svg, "<g class=\"links\">"), "class=\"link\"", k);
            cr_assert_not_null(e);
            double w = attr_num(e, "stroke-width");
            cr_assert_float_eq(w, 1.5 + 6.0 * r->links[k].raw_GBps_per_dir / max_bw, 0.006,
                               "%s link %d", pkgs[i], k);
            if (r->link_util[k] > r->link_util[busiest])
                busiest = k;
            if (r->link_util[k] < r->link_util[idlest])
                idlest = k;
        }
        /* utilization colour: green (idle) towards red (busy) */
        if (r->link_util[busiest] > r->link_util[idlest] + 0.05) {
            const char *g = strstr(svg, "<g class=\"links\">");
            unsigned hot = attr_rgb(nth_elem(g, "class=\"link\"", busiest), "stroke");
            unsigned cold = attr_rgb(nth_elem(g, "class=\"link\"", idlest), "stroke");
            int hot_rg = (int)(hot >> 16) - (int)((hot >> 8) & 0xff);
            int cold_rg = (int)(cold >> 16) - (int)((cold >> 8) & 0xff);
            cr_assert_gt(hot_rg, cold_rg, "%s: busy link #%06x not redder than idle #%06x",
                         pkgs[i], hot, cold);
        }
        free(svg);
        sip_report_destroy(r);
        sip_package_destroy(pkg);
    }
}

Test(report_floorplan, scale_bar_is_a_round_length_near_a_quarter_of_the_substrate)
{
    sip_package_t *pkg = rt_load("topologies/default.cfg"); /* 66 mm wide */
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    char *svg = rt_capture(r, RT_FLOORPLAN, NULL);
    cr_assert_not_null(strstr(svg, ">10 mm</text>"));
    /* 720 px for 66 mm: the 10 mm bar is 109.09 px long */
    const char *g = strstr(svg, "class=\"scalebar\"");
    cr_assert_not_null(g);
    const char *line = g;
    while (line > svg && strncmp(line, "<line", 5) != 0)
        line--;
    double x1 = attr_num(line, "x1"), x2 = attr_num(line, "x2");
    cr_assert_float_eq(x2 - x1, 720.0 / 66.0 * 10.0, 0.011);
    free(svg);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

Test(report_floorplan, temperature_colours_follow_the_thermal_result)
{
    sip_package_t *pkg = rt_load("topologies/epyc_like.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    o.thermal = true;
    o.thermal_power_caps = false;
    sip_report_t *r = rt_report(pkg, &o);
    cr_assert_not_null(r->thermal, "%s", r->thermal_error.message);
    sip_floorplan_options_t fo;
    sip_floorplan_options_init(&fo);
    fo.color = SIP_COLOR_TEMPERATURE;
    fo.heatmap = false;
    char *svg = rt_capture(r, RT_FLOORPLAN, &fo);
    /* the hottest die is filled with the hot end of the ramp, the coolest with the cold end */
    int hot = 0, cold = 0;
    for (int i = 0; i < pkg->n_instances; i++) {
        if (r->thermal->dies[i].t_max_c > r->thermal->dies[hot].t_max_c)
            hot = i;
        if (r->thermal->dies[i].t_max_c < r->thermal->dies[cold].t_max_c)
            cold = i;
    }
    const char *dies = strstr(svg, "<g class=\"dies\">");
    cr_assert_not_null(dies);
    unsigned h = attr_rgb(nth_elem(dies, "<rect", hot), "fill");
    unsigned c = attr_rgb(nth_elem(dies, "<rect", cold), "fill");
    cr_assert_eq(h, 0xa50026u, "hottest die fill #%06x", h); /* RdYlBu's last stop */
    /* the coolest die: ColorBrewer RdYlBu (9 classes, reversed) interpolated at its place
     * between the coolest cell of the die layer and the hottest die */
    static const unsigned stops[9] = {0x313695, 0x4575b4, 0x74add1, 0xabd9e9, 0xfee090,
                                      0xfdae61, 0xf46d43, 0xd73027, 0xa50026};
    const sip_thermal_result_t *t = r->thermal;
    const double *cell = t->t_c + (size_t)t->power_layer * t->rows * t->cols;
    double lo = cell[0];
    for (int i = 1; i < t->rows * t->cols; i++)
        lo = fmin(lo, cell[i]);
    double x = (t->dies[cold].t_max_c - lo) / (t->dies[hot].t_max_c - lo) * 8.0;
    int k = (int)x;
    double f = x - k;
    for (int sh = 0; sh <= 16; sh += 8) {
        double a = (stops[k] >> sh) & 0xff, b = (stops[k < 8 ? k + 1 : 8] >> sh) & 0xff;
        cr_assert_float_eq((double)((c >> sh) & 0xff), a + f * (b - a), 0.51,
                           "coolest die fill #%06x at ramp position %.3f", c, x / 8.0);
    }
    cr_assert_null(strstr(svg, "class=\"heatmap\""));
    char label[64];
    snprintf(label, sizeof label, ">%.1f \xc2\xb0""C</text>", r->thermal->dies[hot].t_max_c);
    cr_assert_not_null(strstr(svg, label), "no label %s", label);
    free(svg);
    /* with the heat map: grid runs under the dies, and the hotspot marked */
    fo.heatmap = true;
    svg = rt_capture(r, RT_FLOORPLAN, &fo);
    const char *hm = strstr(svg, "<g class=\"heatmap\">");
    cr_assert_not_null(hm);
    cr_assert_lt(hm, strstr(svg, "<g class=\"dies\">"));
    const char *hm_end = strstr(hm, "</g>");
    int runs = 0;
    for (const char *q = strstr(hm, "<rect"); q && q < hm_end; q = strstr(q + 1, "<rect"))
        runs++;
    cr_assert_geq(runs, r->thermal->rows, "at least one run of cells per grid row");
    cr_assert_leq(runs, r->thermal->rows * r->thermal->cols);
    cr_assert_not_null(strstr(svg, "class=\"hotspot\""));
    free(svg);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

Test(report_floorplan, temperature_without_thermal_says_why)
{
    sip_package_t *pkg = rt_load("topologies/ring.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    sip_floorplan_options_t fo;
    sip_floorplan_options_init(&fo);
    fo.color = SIP_COLOR_TEMPERATURE;
    FILE *f = fopen("/dev/null", "w");
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_report_floorplan_svg(r, &fo, f, &err), SIP_EINVAL);
    fclose(f);
    cr_assert_not_null(strstr(err.message, "thermal"), "%s", err.message);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

/* ---- latency plot ---- */

Test(report_latency, curve_rises_from_zero_load_latency_to_saturation)
{
    sip_package_t *pkg = rt_load("topologies/mesh_2x4.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    cr_assert_not_null(r->traffic, "%s", r->traffic_error.message);
    cr_assert_eq(r->n_curve, o.curve_points + 1);
    /* at no load the mean latency is the zero-load latency; it grows with load */
    cr_assert_float_eq(r->curve_latency_ns[0], r->traffic->mean_zero_load_ns,
                       1e-9 * r->traffic->mean_zero_load_ns);
    /* Latency rises with load; saturation is where the first router's VCs or channel run out,
     * so below it every point is finite (an infinite one would leave the chart, marked). */
    int n_finite = 1;
    for (int i = 1; i < r->n_curve; i++) {
        if (!isfinite(r->curve_latency_ns[i])) {
            cr_assert(!isfinite(r->curve_latency_ns[r->n_curve - 1]));
            continue;
        }
        cr_assert_eq(n_finite, i, "a finite point follows an infinite one");
        cr_assert_gt(r->curve_latency_ns[i], r->curve_latency_ns[i - 1]);
        n_finite++;
    }
    cr_assert_geq(n_finite, r->n_curve / 2);
    cr_assert_float_eq(r->curve_fraction[r->n_curve - 1], 0.99, 1e-12);
    char *svg = rt_capture(r, RT_LATENCY, NULL);
    cr_assert_eq(rt_count(svg, "<circle"), n_finite);
    cr_assert_not_null(strstr(svg, "class=\"saturation\""));
    /* the polyline's y (pixels, down) falls as latency rises */
    const char *p = strstr(svg, "<polyline points=\"");
    cr_assert_not_null(p);
    p += strlen("<polyline points=\"");
    double prev_y = INFINITY;
    for (int i = 0; i < n_finite; i++) {
        char *end;
        strtod(p, &end);
        cr_assert_eq(*end, ',');
        double y = strtod(end + 1, &end);
        cr_assert_lt(y, prev_y);
        prev_y = y;
        p = end;
    }
    free(svg);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

/* The start of the SVG element (from its '<') that carries class="CLS". */
static const char *element_with_class(const char *svg, const char *cls)
{
    char want[64];
    snprintf(want, sizeof want, "class=\"%s\"", cls);
    const char *c = strstr(svg, want);
    if (!c)
        return NULL;
    while (c > svg && *c != '<')
        c--;
    return c;
}

/* The last point of the polyline starting at EL. */
static void polyline_last(const char *el, double *x, double *y)
{
    const char *p = strstr(el, "points=\"");
    cr_assert_not_null(p);
    p += strlen("points=\"");
    *x = *y = NAN;
    char *end;
    for (;;) {
        double a = strtod(p, &end);
        if (end == p || *end != ',')
            break;
        *x = a;
        *y = strtod(end + 1, &end);
        p = end;
    }
}

/* Issue 19: the curve must reach the saturation line, or show where it leaves the chart. */
Test(report_latency, curve_reaches_saturation_or_marks_where_it_leaves)
{
    sip_package_t *pkg = rt_load("topologies/default.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    cr_assert_geq(r->n_curve, 10);
    char *svg = rt_capture(r, RT_LATENCY, NULL);
    const char *sat = element_with_class(svg, "saturation");
    cr_assert_not_null(sat);
    double sx = NAN;
    cr_assert_eq(sscanf(sat, "<line x1=\"%lf\"", &sx), 1, "%.80s", sat);
    double cx, cy;
    polyline_last(element_with_class(svg, "curve"), &cx, &cy);
    /* the last point is at 0.99 of saturation: within 2 % of the line (plot x starts at 90 px) */
    cr_assert(cx <= sx && cx >= 90.0 + 0.98 * (sx - 90.0), "curve ends at x %g, saturation at %g", cx, sx);
    cr_assert_null(element_with_class(svg, "leaves-chart"), "nothing leaves: no marker");
    free(svg);

    /* Infinite from point k on (as when a queue saturates below the reported saturation): the
     * line rises to the top edge at point k's load and an arrow marks it; no point is dropped
     * silently. */
    const int k = r->n_curve / 2;
    double kept = r->curve_latency_ns[k];
    for (int i = k; i < r->n_curve; i++)
        r->curve_latency_ns[i] = INFINITY;
    svg = rt_capture(r, RT_LATENCY, NULL);
    const char *mark = element_with_class(svg, "leaves-chart");
    cr_assert_not_null(mark, "no marker where the curve leaves the chart");
    cr_assert_not_null(strstr(mark, "unbounded"));
    polyline_last(element_with_class(svg, "curve"), &cx, &cy);
    double top = 40.0; /* PAD_T: the chart's top edge */
    cr_assert_float_eq(cy, top, 0.01);
    double want_x = 90.0 + (sx - 90.0) * r->curve_load[k] / (r->curve_load[r->n_curve - 1] / 0.99);
    cr_assert(fabs(cx - want_x) < 1.0, "leaves at x %g, point %d is at %g", cx, k, want_x);
    cr_assert_eq(rt_count(svg, "<circle"), k);
    free(svg);

    /* A finite point far above the others: the axis stops at 10 x zero-load latency and the
     * line leaves the chart between the two points, marked "off scale". */
    for (int i = k; i < r->n_curve; i++)
        r->curve_latency_ns[i] = 1e6;
    r->curve_latency_ns[k] = kept;
    svg = rt_capture(r, RT_LATENCY, NULL);
    mark = element_with_class(svg, "leaves-chart");
    cr_assert_not_null(mark);
    cr_assert_not_null(strstr(svg, "off scale"));
    polyline_last(element_with_class(svg, "curve"), &cx, &cy);
    cr_assert_float_eq(cy, top, 0.01);
    cr_assert_eq(rt_count(svg, "<circle"), k + 1);
    free(svg);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

/* ---- the page ---- */

static const char *all_sections[] = {"summary", "floorplan", "check", "links", "traffic",
                                     "thermal", "tpp", "workload", "cost", "graph"};

static bool has_section(const char *html, const char *name)
{
    char id[64];
    snprintf(id, sizeof id, "<section id=\"sec-%s\">", name);
    return strstr(html, id) != NULL;
}

Test(report_html, every_engine_has_its_section_and_the_page_is_self_contained)
{
    sip_package_t *pkg = rt_load("topologies/default.cfg");
    sip_report_options_t o;
    sip_report_options_init(&o);
    o.thermal_power_caps = false;
    sip_report_t *r = rt_report(pkg, &o);
    cr_assert_not_null(r->workload, "%s", r->workload_error.message);
    char *html = rt_capture(r, RT_HTML, NULL);
    for (size_t i = 0; i < sizeof all_sections / sizeof all_sections[0]; i++)
        cr_assert(has_section(html, all_sections[i]), "no section %s", all_sections[i]);
    cr_assert_eq(rt_count(html, "<section "), rt_count(html, "</section>"));
    /* no scripts, no external resources; the only URL is the SVG namespace */
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<link"));
    cr_assert_null(strstr(html, "src="));
    cr_assert_null(strstr(html, "url("));
    cr_assert_null(strstr(html, "https:"));
    cr_assert_eq(rt_count(html, "http:"), rt_count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
    cr_assert_not_null(strstr(html, "Content-Security-Policy\" content=\"default-src 'none';"));
    /* inline SVGs: kind floorplan, temperature floorplan, latency plot */
    cr_assert_eq(rt_count(html, "<svg "), 3);
    cr_assert_null(strstr(html, "<?xml"));
    /* no machine-specific path: only the file name */
    cr_assert_null(strstr(html, shipped_root()));
    free(html);
    sip_report_destroy(r);

    /* engines not run: their sections are left out */
    rt_fast_options(&o);
    o.ucie = o.traffic = false;
    r = rt_report(pkg, &o);
    html = rt_capture(r, RT_HTML, NULL);
    const char *absent[] = {"traffic", "thermal", "tpp", "workload", "cost"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        cr_assert(!has_section(html, absent[i]), "section %s without its engine", absent[i]);
    cr_assert(has_section(html, "links") && has_section(html, "floorplan"));
    free(html);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

Test(report_html, a_failing_engine_says_why_in_its_section)
{
    /* clean.cfg's dies have no engine clock: the traffic engine cannot time routers */
    sip_package_t *pkg = rt_load("tests/check/bad/clean.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    cr_assert_null(r->traffic);
    cr_assert_neq(r->traffic_error.status, SIP_OK);
    char *html = rt_capture(r, RT_HTML, NULL);
    const char *sec = strstr(html, "<section id=\"sec-traffic\">");
    cr_assert_not_null(sec);
    const char *na = strstr(sec, "traffic not available: ");
    cr_assert_not_null(na);
    cr_assert_lt(na, strstr(sec, "</section>"));
    free(html);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

Test(report_html, same_package_same_bytes)
{
    sip_package_t *pkg = rt_load("topologies/star.cfg");
    sip_report_options_t o;
    sip_report_options_init(&o);
    o.thermal_power_caps = false;
    sip_report_t *a = rt_report(pkg, &o), *b = rt_report(pkg, &o);
    char *x = rt_capture(a, RT_HTML, NULL), *y = rt_capture(b, RT_HTML, NULL);
    cr_assert_str_eq(x, y);
    free(x);
    free(y);
    sip_report_destroy(a);
    sip_report_destroy(b);
    sip_package_destroy(pkg);
}

/* ---- hostile names (tests/data/report/xss.cfg) ---- */

static void assert_no_markup_injection(const char *doc, const char *what)
{
    cr_assert_null(strstr(doc, "<script"), "%s: raw <script", what);
    cr_assert_null(strstr(doc, "<img"), "%s: raw <img", what);
    cr_assert_null(strstr(doc, "<svg onload"), "%s: raw <svg onload", what);
    cr_assert_null(strstr(doc, "<b>"), "%s: raw <b>", what);
    cr_assert_not_null(strstr(doc, "&lt;script&gt;alert(1)&lt;/script&gt;"), "%s", what);
    cr_assert_not_null(strstr(doc, "c1&amp;amp;"), "%s", what);
}

Test(report_xss, chiplet_named_script_is_literal_text_in_svg_and_html)
{
    sip_package_t *pkg = rt_load("tests/data/report/xss.cfg");
    cr_assert_eq(sip_package_find_instance(pkg, "<script>alert(1)</script>"), 0);
    sip_report_options_t o;
    sip_report_options_init(&o);
    o.thermal_power_caps = false;
    sip_report_t *r = rt_report(pkg, &o);
    cr_assert_not_null(r->thermal);
    char *svg = rt_capture(r, RT_FLOORPLAN, NULL);
    assert_no_markup_injection(svg, "floorplan");
    /* the name is a label's text and a tooltip */
    cr_assert_not_null(strstr(svg, ">&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
    cr_assert_not_null(strstr(svg, "<title>&lt;script&gt;alert(1)&lt;/script&gt; (compute_infer"));
    free(svg);
    sip_floorplan_options_t fo;
    sip_floorplan_options_init(&fo);
    fo.color = SIP_COLOR_TEMPERATURE;
    svg = rt_capture(r, RT_FLOORPLAN, &fo);
    assert_no_markup_injection(svg, "temperature floorplan");
    free(svg);
    char *html = rt_capture(r, RT_HTML, NULL);
    assert_no_markup_injection(html, "html");
    cr_assert_not_null(strstr(html, "<title>&lt;img src=x onerror=alert(2)&gt; &#8212;"));
    cr_assert_not_null(strstr(html, "&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
    free(html);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

/* ---- PNG and PDF ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

Test(report_image, png_and_pdf_through_cairo)
{
    sip_package_t *pkg = rt_load("topologies/adv_2x2.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    sip_report_t *r = rt_report(pkg, &o);
    char dir[] = "/tmp/sipsim-report-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char png[256], pdf[256];
    snprintf(png, sizeof png, "%s/f.png", dir);
    snprintf(pdf, sizeof pdf, "%s/f.pdf", dir);
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_report_floorplan_write(r, NULL, SIP_IMAGE_PNG, png, &err);
#if SIP_HAVE_CAIRO
    cr_assert_eq(st, SIP_OK, "%s", err.message);
    size_t n = 0;
    unsigned char *b = (unsigned char *)test_read_file(png, &n);
    cr_assert_not_null(b);
    cr_assert_gt(n, 1000);
    cr_assert_eq(memcmp(b, "\x89PNG\r\n\x1a\n", 8), 0);
    /* IHDR: twice the SVG's size */
    char *svg = rt_capture(r, RT_FLOORPLAN, NULL);
    double w = attr_num(strstr(svg, "<svg "), "width"), h = attr_num(strstr(svg, "<svg "), "height");
    cr_assert_eq(be32(b + 16), (uint32_t)(2 * w));
    cr_assert_eq(be32(b + 20), (uint32_t)(2 * h));
    free(svg);
    free(b);
    cr_assert_eq(sip_report_floorplan_write(r, NULL, SIP_IMAGE_PDF, pdf, &err), SIP_OK, "%s",
                 err.message);
    b = (unsigned char *)test_read_file(pdf, &n);
    cr_assert_not_null(b);
    cr_assert_eq(memcmp(b, "%PDF-", 5), 0);
    free(b);
    /* the plots too: latency 620 x 340 and Pareto 640 x 420 units */
    cr_assert_eq(sip_report_latency_write(r, SIP_IMAGE_PNG, png, &err), SIP_OK, "%s", err.message);
    b = (unsigned char *)test_read_file(png, &n);
    cr_assert(be32(b + 16) == 1240 && be32(b + 20) == 680);
    free(b);
    const double x[] = {1, 2, 3}, y[] = {3, 1, 2};
    sip_pareto_plot_t pp = {.n = 3, .x = x, .y = y, .x_label = "a", .y_label = "b"};
    cr_assert_eq(sip_report_pareto_write(&pp, SIP_IMAGE_PDF, pdf, &err), SIP_OK, "%s", err.message);
    b = (unsigned char *)test_read_file(pdf, &n);
    cr_assert_eq(memcmp(b, "%PDF-", 5), 0);
    free(b);
    unlink(png);
    unlink(pdf);
#else
    cr_assert_eq(st, SIP_EUNSUPPORTED);
#endif
    rmdir(dir);
    cr_assert_eq(sip_image_format_lookup("out.PNG"), SIP_IMAGE_PNG);
    cr_assert_eq(sip_image_format_lookup("a/b.pdf"), SIP_IMAGE_PDF);
    cr_assert_eq(sip_image_format_lookup("x.svg"), SIP_IMAGE_SVG);
    cr_assert_eq(sip_image_format_lookup("x.jpeg"), -1);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}

/* ---- the CLI ---- */

static int sh(const char *fmt, const char *a, const char *b)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe, "SIPSIM_EXE is not set (run through meson test)");
    char cmd[4096], args[2048];
    snprintf(args, sizeof args, fmt, a, b);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >/dev/null 2>&1", shipped_root(), exe, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(report_cli, svg_and_html_commands)
{
    char dir[] = "/tmp/sipsim-report-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char f[512];
    snprintf(f, sizeof f, "%s/a.svg", dir);
    cr_assert_eq(sh("svg topologies/ring.cfg -o %s%s", f, ""), 0);
    char *s = test_read_file(f, NULL);
    cr_assert_not_null(s);
    cr_assert_eq(strncmp(s, "<?xml", 5), 0);
    cr_assert_not_null(strstr(s, "</svg>\n"));
    free(s);
    unlink(f);
    snprintf(f, sizeof f, "%s/lat.svg", dir);
    cr_assert_eq(sh("svg topologies/ring.cfg --plot latency -o %s%s", f, ""), 0);
    s = test_read_file(f, NULL);
    cr_assert_not_null(strstr(s, "class=\"curve\""));
    free(s);
    unlink(f);
    snprintf(f, sizeof f, "%s/r.html", dir);
    cr_assert_eq(sh("report tests/data/report/xss.cfg -L chiplets -o %s%s", f, ""), 0);
    s = test_read_file(f, NULL);
    cr_assert_not_null(s);
    assert_no_markup_injection(s, "sipsim report -o r.html");
    free(s);
    unlink(f);
    cr_assert_eq(sh("svg topologies/ring.cfg --color %s%s", "heat", ""), 2);
    cr_assert_eq(sh("svg topologies/ring.cfg --png%s%s", "", ""), 2); /* PNG needs -o */
    cr_assert_eq(sh("svg no/such.cfg%s%s", "", ""), 2);
    cr_assert_eq(sh("report topologies/ring.cfg --json -o %s/x.html%s", dir, ""), 2);
    rmdir(dir);
}

/* ---- Pareto plot ---- */

Test(report_pareto, front_of_two_objectives)
{
    /* max x, min y: (100,10) and (200,20) twice are the front; (150,25) and (50,10) are
     * dominated; (300,15) would dominate (200,20) but is infeasible; (NAN, 5) is not drawn */
    const double x[] = {100, 200, 150, 300, 200, NAN, 50};
    const double y[] = {10, 20, 25, 15, 20, 5, 10};
    const bool feasible[] = {true, true, true, false, true, true, true};
    sip_pareto_plot_t p = {.n = 7, .x = x, .y = y, .feasible = feasible, .x_maximize = true};
    bool front[7];
    cr_assert_eq(sip_pareto_front_2d(&p, front), 3);
    const bool want[] = {true, true, false, false, true, false, false};
    for (int i = 0; i < 7; i++)
        cr_assert_eq(front[i], want[i], "point %d", i);
    /* min x, max y: (50,10) beats (100,10); (150,25) beats both (200,20); (300,15) infeasible */
    p.x_maximize = false;
    p.y_maximize = true;
    cr_assert_eq(sip_pareto_front_2d(&p, front), 2);
    const bool want2[] = {false, false, true, false, false, false, true};
    for (int i = 0; i < 7; i++)
        cr_assert_eq(front[i], want2[i], "point %d (min x, max y)", i);
    /* every point feasible: (300,15) joins and dominates (200,20) under max x, min y */
    p.feasible = NULL;
    p.x_maximize = true;
    p.y_maximize = false;
    cr_assert_eq(sip_pareto_front_2d(&p, front), 2);
    cr_assert(front[0] && front[3]);
}

Test(report_pareto, svg_of_a_sweep_results_file)
{
    char dir[] = "/tmp/sipsim-report-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char f[512];
    snprintf(f, sizeof f, "%s/p.svg", dir);
    cr_assert_eq(sh("svg --pareto tests/data/report/sweep_rows.jsonl -o %s%s", f, ""), 0);
    char *s = test_read_file(f, NULL);
    cr_assert_not_null(s);
    cr_assert_not_null(strstr(s, ">6 points, 5 feasible, 3 on the front</text>"));
    const char *g = strstr(s, "<g class=\"front\">");
    cr_assert_not_null(g);
    const char *end = strstr(g, "</g>");
    int n = 0;
    for (const char *q = strstr(g, "<circle"); q && q < end; q = strstr(q + 1, "<circle"))
        n++;
    cr_assert_eq(n, 3);
    cr_assert_not_null(strstr(g, "<title>row 0: tpp 100, cost_usd 10 (Pareto front)</title>"));
    cr_assert_not_null(strstr(g, "<title>row 4: tpp 200, cost_usd 20 (Pareto front)</title>"));
    cr_assert_not_null(strstr(s, "<title>row 3: tpp 300, cost_usd 15 (infeasible)</title>"));
    cr_assert_not_null(strstr(s, "class=\"front-line\""));
    free(s);
    unlink(f);
    cr_assert_eq(sh("svg --pareto tests/data/report/sweep_rows.jsonl --y min:no_such_metric%s%s",
                    "", ""), 2);
    cr_assert_eq(sh("svg --pareto topologies/default.cfg%s%s", "", ""), 2);
    rmdir(dir);
}

/* Issue 19: the page counts dies and attached memory stacks apart, as the text report does
 * (mi300x_like: 12 dies + 8 HBM stacks, not "20 dies"). */
Test(report_html, counts_dies_and_memory_stacks_like_the_text_report)
{
    sip_package_t *pkg = rt_load("topologies/mi300x_like.cfg");
    sip_report_options_t o;
    rt_fast_options(&o);
    o.traffic = false;
    sip_report_t *r = rt_report(pkg, &o);
    char *html = rt_capture(r, RT_HTML, NULL);
    cr_assert_not_null(strstr(html, "12 dies + 8 attached memory stacks"));
    const char *twenty = strstr(html, "20 dies");
    cr_assert_null(twenty, "%.120s", twenty ? twenty - 60 : "");
    free(html);
    sip_report_destroy(r);
    sip_package_destroy(pkg);
}
