/* The one-page HTML report: inline CSS and SVG, no script, no external resource (a
 * Content-Security-Policy forbids fetching anything), every user string escaped.
 * Each section is <section id="sec-NAME">; a section whose engine was not run is left out,
 * one whose engine failed says why.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "report_internal.h"

static const char CSS[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#222;background:#fafafa}"
    "header{background:#2f3e4e;color:#fff;padding:14px 24px}"
    "header h1{margin:0 0 4px 0;font-size:22px}header p{margin:2px 0;color:#dde}"
    "nav{padding:8px 24px;background:#e8ecf0;font-size:13px}nav a{margin-right:14px;color:#234}"
    "main{padding:0 24px 24px 24px;max-width:1200px}"
    "section{background:#fff;border:1px solid #ddd;border-radius:4px;margin:16px 0;"
    "padding:8px 16px 14px 16px}"
    "h2{font-size:18px;margin:8px 0 10px 0;border-bottom:1px solid #eee;padding-bottom:4px}"
    "h3{font-size:15px;margin:14px 0 6px 0}"
    "table{border-collapse:collapse;font-size:12px;margin:6px 0}"
    "th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;white-space:nowrap}"
    "th{background:#f0f2f4;text-align:center}td.l{text-align:left}"
    ".ok{color:#1a7f37;font-weight:bold}.bad{color:#b3261e;font-weight:bold}"
    ".warn{color:#9a6700;font-weight:bold}.na{color:#777;font-style:italic}"
    ".fig{overflow-x:auto}svg{max-width:100%;height:auto}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:13px}"
    "dt{color:#555}dd{margin:0}";

/* ---- small writers ---- */

static void esc(FILE *o, const char *s)
{
    sip_markup_escape(o, s);
}

/* printf into a buffer, then escaped: for text that mixes numbers and user strings. */
static void escf(FILE *o, const char *fmt, ...) SIP_PRINTF(2, 3);
static void escf(FILE *o, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    esc(o, buf);
}

static void section_begin(FILE *o, const char *id, const char *title)
{
    fprintf(o, "<section id=\"sec-%s\">\n<h2>%s</h2>\n", id, title);
}

static void section_end(FILE *o)
{
    fputs("</section>\n", o);
}

static void not_available(FILE *o, const char *what, const sip_error_t *e)
{
    char why[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32] = "not evaluated";
    if (e && e->status != SIP_OK)
        sip_error_format(e, why, sizeof why);
    fprintf(o, "<p class=\"na\">%s not available: ", what);
    esc(o, why);
    fputs("</p>\n", o);
}

static void th_row(FILE *o, const char *const *cells, int n)
{
    fputs("<tr>", o);
    for (int i = 0; i < n; i++)
        fprintf(o, "<th%s>%s</th>", i == 0 ? " class=\"l\"" : "", cells[i]);
    fputs("</tr>\n", o);
}

static void td_text(FILE *o, const char *s)
{
    fputs("<td class=\"l\">", o);
    esc(o, s);
    fputs("</td>", o);
}

static void td_num(FILE *o, const char *fmt, double v)
{
    if (!isfinite(v)) {
        fputs(v > 0 ? "<td>&#8734;</td>" : "<td>-</td>", o);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    fprintf(o, "<td>%s</td>", buf);
}

static void td_int(FILE *o, int v)
{
    fprintf(o, "<td>%d</td>", v);
}

static void dl_item(FILE *o, const char *term, const char *fmt, ...) SIP_PRINTF(3, 4);
static void dl_item(FILE *o, const char *term, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(o, "<dt>%s</dt><dd>", term);
    esc(o, buf);
    fputs("</dd>\n", o);
}

static sip_status_t inline_floorplan(FILE *o, const sip_report_t *r, sip_color_mode_t mode,
                                     sip_error_t *err)
{
    sip_floorplan_options_t fo;
    sip_floorplan_options_init(&fo);
    fo.color = mode;
    double w, h;
    SIP_TRY(sip__floorplan_size(r, &fo, &w, &h, err));
    sip__canvas_t c;
    sip__svg_canvas_init(&c, o, w, h, false);
    fputs("<div class=\"fig\">\n", o);
    SIP_TRY(sip__floorplan_draw(r, &fo, &c, err));
    fputs("</div>\n", o);
    return SIP_OK;
}

/* ---- sections ---- */

static void header(FILE *o, const sip_report_t *r)
{
    const sip_package_t *pkg = r->pkg;
    fputs("<header>\n<h1>", o);
    esc(o, pkg->name);
    fputs("</h1>\n", o);
    if (pkg->description[0]) {
        fputs("<p>", o);
        esc(o, pkg->description);
        fputs("</p>\n", o);
    }
    fputs("<p>", o);
    escf(o, "%s; substrate %s %.1f x %.1f mm; %d dies, %d UCIe links; %.1f W",
         sip__basename(pkg->path), sip_substrate_name(pkg->substrate.kind),
         pkg->substrate.width_mm, pkg->substrate.height_mm, pkg->n_instances, pkg->n_links,
         sip_package_total_power_w(pkg));
    fputs("</p>\n</header>\n<nav>", o);
    fputs("<a href=\"#sec-summary\">summary</a><a href=\"#sec-floorplan\">floorplan</a>"
          "<a href=\"#sec-check\">design rules</a><a href=\"#sec-links\">links</a>",
          o);
    if (r->traffic || r->traffic_error.status != SIP_OK)
        fputs("<a href=\"#sec-traffic\">traffic</a>", o);
    if (r->thermal || r->thermal_error.status != SIP_OK)
        fputs("<a href=\"#sec-thermal\">thermal</a>", o);
    if (r->tpp || r->tpp_error.status != SIP_OK)
        fputs("<a href=\"#sec-tpp\">TPP / 3A090</a>", o);
    if (r->options.workload)
        fputs("<a href=\"#sec-workload\">workload</a>", o);
    if (r->cost || r->cost_error.status != SIP_OK)
        fputs("<a href=\"#sec-cost\">cost</a>", o);
    fputs("<a href=\"#sec-graph\">graph</a></nav>\n<main>\n", o);
}

static void summary(FILE *o, const sip_report_t *r)
{
    const sip_package_t *pkg = r->pkg;
    section_begin(o, "summary", "Summary");
    fputs("<dl>\n", o);
    dl_item(o, "package", "%s (%s)", pkg->name, sip__basename(pkg->path));
    dl_item(o, "substrate", "%s, %.1f x %.1f mm", sip_substrate_name(pkg->substrate.kind),
            pkg->substrate.width_mm, pkg->substrate.height_mm);
    dl_item(o, "dies / links", "%d / %d", pkg->n_instances, pkg->n_links);
    dl_item(o, "total power", "%.1f W", sip_package_total_power_w(pkg));
    if (r->check)
        dl_item(o, "design rules", "%d errors, %d warnings", r->check->n_errors,
                r->check->n_warnings);
    if (r->traffic)
        dl_item(o, "traffic", "%s: max link utilization %.1f %%, saturation at %.3g x load",
                r->traffic_pattern, 100.0 * r->traffic->max_util, r->traffic->saturation_scale);
    if (r->thermal)
        dl_item(o, "hottest die", "%.1f \xc2\xb0""C (headroom %.1f K to Tj,max %.1f \xc2\xb0""C)",
                r->thermal->t_max_c, r->thermal->headroom_c, r->thermal->tj_max_c);
    if (r->tpp) {
        dl_item(o, "TPP", "%.1f (performance density %.3f per mm2)",
                r->tpp->metrics.value[SIP_METRIC_TPP], r->tpp->metrics.value[SIP_METRIC_PD]);
        for (int i = 0; i < r->tpp->n_classes; i++)
            dl_item(o, sip_tpp_rule(r->tpp->classes[i].rule)->id, "%s",
                    r->tpp->classes[i].class_name);
    }
    if (r->workload)
        dl_item(o, "workload", "%s %s: %.1f tokens/s, %s-bound", r->workload->shape.name,
                r->workload->workload.phase, r->workload->tokens_per_s,
                sip_limit_name(r->workload->step->limit));
    if (r->cost)
        dl_item(o, "cost per good package", "$%.2f (recurring $%.2f + NRE $%.2f)",
                r->cost->package.total_usd, r->cost->package.recurring_usd,
                r->cost->package.nre_per_unit_usd);
    fputs("</dl>\n", o);
    section_end(o);
}

static sip_status_t floorplan(FILE *o, const sip_report_t *r, sip_error_t *err)
{
    section_begin(o, "floorplan", "Floorplan");
    fputs("<p>Dies coloured by kind; UCIe ports as dark strips on the die edges (light: "
          "unused); links drawn between port centres, width in proportion to raw bandwidth, "
          "colour by utilization under the package's traffic. Hover for details.</p>\n", o);
    SIP_TRY(inline_floorplan(o, r, SIP_COLOR_KIND, err));
    section_end(o);
    return SIP_OK;
}

static void check(FILE *o, const sip_report_t *r)
{
    section_begin(o, "check", "Design rules");
    if (!r->check) {
        not_available(o, "design-rule check", &r->check_error);
        section_end(o);
        return;
    }
    const sip_check_result_t *c = r->check;
    fprintf(o, "<p><span class=\"%s\">%d error%s</span>, <span class=\"%s\">%d warning%s</span> "
               "(%d rules run)</p>\n",
            c->n_errors ? "bad" : "ok", c->n_errors, c->n_errors == 1 ? "" : "s",
            c->n_warnings ? "warn" : "ok", c->n_warnings, c->n_warnings == 1 ? "" : "s",
            c->n_rules_run);
    if (c->n_findings > 0) {
        static const char *head[] = {"severity", "rule", "where", "message"};
        fputs("<table>\n", o);
        th_row(o, head, 4);
        for (int i = 0; i < c->n_findings; i++) {
            const sip_finding_t *f = &c->findings[i];
            char where[SIP_PATH_MAX + 16];
            snprintf(where, sizeof where, "%s:%d", sip__basename(f->path), f->line);
            fprintf(o, "<tr><td class=\"l %s\">%s</td>",
                    f->severity == SIP_SEVERITY_ERROR ? "bad" : "warn",
                    sip_severity_name(f->severity));
            td_text(o, f->rule);
            td_text(o, where);
            td_text(o, f->message);
            fputs("</tr>\n", o);
        }
        fputs("</table>\n", o);
    }
    section_end(o);
}

static void port_label(const sip_package_t *pkg, int inst, int port, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%s", pkg->instances[inst].name,
             sip_instance_type(pkg, inst)->ports[port].name);
}

static void links(FILE *o, const sip_report_t *r)
{
    const sip_package_t *pkg = r->pkg;
    section_begin(o, "links", "UCIe links");
    if (!r->links)
        not_available(o, "UCIe link model", &r->ucie_error);
    if (pkg->n_links == 0) {
        fputs("<p>No die-to-die links.</p>\n", o);
        section_end(o);
        return;
    }
    static const char *head[] = {"link", "from", "to", "package", "width", "GT/s", "length mm",
                                 "raw GB/s", "payload GB/s", "latency ns", "pJ/bit",
                                 "raw BER", "training", "load GB/s", "util %", "power W"};
    int nh = r->links ? (r->link_util ? 16 : 13) : 7;
    fputs("<table>\n", o);
    th_row(o, head, nh);
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        char a[2 * SIP_NAME_MAX + 2], b[2 * SIP_NAME_MAX + 2], w[32];
        port_label(pkg, l->from_instance, l->from_port, a, sizeof a);
        port_label(pkg, l->to_instance, l->to_port, b, sizeof b);
        fputs("<tr>", o);
        td_text(o, l->name);
        td_text(o, a);
        td_text(o, b);
        td_text(o, sip_ucie_package_name(l->package));
        if (r->links) {
            const sip_ucie_link_result_t *u = &r->links[k];
            snprintf(w, sizeof w, "%dx%d", u->modules, u->lanes_per_module);
            td_text(o, w);
            td_num(o, "%g", u->rate_gtps);
            td_num(o, "%.2f", sip_link_length_mm(pkg, k));
            td_num(o, "%.1f", u->raw_GBps_per_dir);
            td_num(o, "%.1f", u->payload_GBps_per_dir);
            td_num(o, "%.3f", u->latency_ns);
            td_num(o, "%.3f", u->energy_pj_per_bit);
            td_num(o, "%.0e", u->raw_ber);
            td_text(o, sip_ucie_trained_name(u->trained));
            if (r->link_util) {
                td_num(o, "%.1f", r->link_load_GBps[k]);
                td_num(o, "%.1f", 100.0 * r->link_util[k]);
                td_num(o, "%.3f", sip_ucie_link_power_w(u, r->link_util[k]));
            }
        } else {
            snprintf(w, sizeof w, "%dx%d", l->modules, sip_link_lanes_per_module(l));
            td_text(o, w);
            td_num(o, "%g", l->rate_gtps);
            td_num(o, "%.2f", sip_link_length_mm(pkg, k));
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n<p>Bandwidths per direction; payload after flit/CRC overhead and replay; "
          "latency one way at zero load; power of both directions at the link's utilization "
          "(UCIe 1.0 model, src/ucie).</p>\n",
          o);
    section_end(o);
}

static sip_status_t traffic(FILE *o, const sip_report_t *r, sip_error_t *err)
{
    section_begin(o, "traffic", "Traffic (analytic)");
    if (!r->traffic) {
        not_available(o, "traffic", &r->traffic_error);
        section_end(o);
        return SIP_OK;
    }
    const sip_traffic_result_t *t = r->traffic;
    fputs("<dl>\n", o);
    dl_item(o, "pattern", "%s, load %g %s, %s routing", r->traffic_pattern, r->demand->load,
            r->demand->load_in_GBps ? "GB/s per source" : "of injection bandwidth",
            sip_routing_name(r->routes->algorithm));
    dl_item(o, "network", "%d routers, %d channels, %d endpoints", r->net->n_nodes,
            r->net->n_channels, r->net->n_endpoints);
    dl_item(o, "injected", "%.2f GB/s", t->injected_GBps);
    dl_item(o, "max utilization", "%.2f %%", 100.0 * t->max_util);
    dl_item(o, "saturation", "%.4g x this demand (load %.4g)", t->saturation_scale,
            t->saturation_load);
    dl_item(o, "mean hops", "%.3f", t->mean_hops);
    dl_item(o, "latency", "zero-load %.3f ns, with queueing %.3f ns (M/D/1 per port)",
            t->mean_zero_load_ns, t->mean_latency_ns);
    dl_item(o, "D2D power", "%.3f W (%.3f pJ per byte)", t->d2d_power_w, t->energy_pj_per_byte);
    fputs("</dl>\n", o);
    if (t->n_bottlenecks > 0) {
        fputs("<p>Bottleneck ports: ", o);
        for (int b = 0; b < t->n_bottlenecks && b < 16; b++) {
            sip_bottleneck_t bn = t->bottlenecks[b];
            char buf[3 * SIP_NAME_MAX];
            if (bn.kind == SIP_PORT_CHANNEL) {
                const sip_channel_t *c = &r->net->channels[bn.index];
                snprintf(buf, sizeof buf, "%s->%s", r->net->nodes[c->from].name,
                         r->net->nodes[c->to].name);
            } else {
                const sip_endpoint_t *e = &r->net->endpoints[bn.index];
                snprintf(buf, sizeof buf, "%s %s.%d", bn.kind == SIP_PORT_INJECT ? "inject" : "eject",
                         r->net->nodes[e->node].name, e->local);
            }
            fputs(b ? ", " : "", o);
            esc(o, buf);
        }
        fputs(t->n_bottlenecks > 16 ? ", ...</p>\n" : "</p>\n", o);
    }
    if (r->n_curve >= 2) {
        sip__canvas_t c;
        double w, h;
        sip__latency_size(&w, &h);
        sip__svg_canvas_init(&c, o, w, h, false);
        fputs("<h3>Latency vs load</h3>\n<div class=\"fig\">\n", o);
        SIP_TRY(sip__latency_draw(r, &c, err));
        fputs("</div>\n", o);
    }
    section_end(o);
    return SIP_OK;
}

static sip_status_t thermal(FILE *o, const sip_report_t *r, sip_error_t *err)
{
    section_begin(o, "thermal", "Thermal");
    if (!r->thermal) {
        not_available(o, "thermal solve", &r->thermal_error);
        section_end(o);
        return SIP_OK;
    }
    const sip_thermal_result_t *t = r->thermal;
    fputs("<dl>\n", o);
    dl_item(o, "grid", "%d x %d cells, %d layers", t->rows, t->cols, t->n_layers);
    dl_item(o, "hotspot", "%.2f \xc2\xb0""C at (%.2f, %.2f) mm%s%s", t->t_max_c, t->hot_x_mm,
            t->hot_y_mm, t->hot_die >= 0 ? " on " : "", t->hot_die >= 0 ? t->dies[t->hot_die].name : "");
    dl_item(o, "headroom", "%.2f K to Tj,max %.1f \xc2\xb0""C (ambient %.1f \xc2\xb0""C)",
            t->headroom_c, t->tj_max_c, t->ambient_c);
    dl_item(o, "heat balance", "%.2f W in, %.2f W out", t->power_in_w, t->heat_out_w);
    if (t->budget_scale >= 0)
        dl_item(o, "thermal budget", "power map x %.4f = %.1f W brings the hottest die to Tj,max",
                t->budget_scale, t->budget_power_w);
    fputs("</dl>\n", o);
    SIP_TRY(inline_floorplan(o, r, SIP_COLOR_TEMPERATURE, err));
    static const char *head[] = {"die", "power W", "Tmax \xc2\xb0""C", "Tavg \xc2\xb0""C",
                                 "headroom K", "power cap W"};
    fputs("<table>\n", o);
    th_row(o, head, 6);
    for (int d = 0; d < t->n_dies; d++) {
        const sip_thermal_die_t *D = &t->dies[d];
        fputs("<tr>", o);
        td_text(o, D->name);
        td_num(o, "%.2f", D->power_w);
        td_num(o, "%.2f", D->t_max_c);
        td_num(o, "%.2f", D->t_avg_c);
        td_num(o, "%.2f", D->headroom_c);
        td_num(o, "%.1f", D->power_cap_w >= 0 ? D->power_cap_w : NAN);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
    section_end(o);
    return SIP_OK;
}

static void tpp(FILE *o, const sip_report_t *r)
{
    section_begin(o, "tpp", "TPP and export classification (ECCN 3A090)");
    if (!r->tpp) {
        not_available(o, "TPP", &r->tpp_error);
        section_end(o);
        return;
    }
    const sip_tpp_result_t *t = r->tpp;
    const sip_tpp_metrics_t *m = &t->metrics;
    fputs("<dl>\n", o);
    dl_item(o, "reading", "%s, %s, non-planar <= %d nm",
            sip_tpp_aggregation_name(t->options.aggregation),
            t->options.datacenter ? "datacenter item" : "non-datacenter item",
            t->options.nonplanar_max_nm);
    for (int k = 0; k < SIP_METRIC_COUNT; k++)
        dl_item(o, sip_metric_name((sip_metric_t)k), "%.4g %s", m->value[k],
                sip_metric_unit((sip_metric_t)k));
    dl_item(o, "best precision", "%s", sip_precision_name(m->precision));
    dl_item(o, "applicable die area", "%.1f mm2 (logic %.1f mm2)", m->applicable_area_mm2,
            m->logic_area_mm2);
    fputs("</dl>\n", o);
    for (int i = 0; i < t->n_classes; i++) {
        const sip_tpp_class_t *c = &t->classes[i];
        const sip_rule_t *rule = sip_tpp_rule(c->rule);
        fputs("<h3>", o);
        escf(o, "%s: %s", rule->id, rule->title);
        fprintf(o, " &#8212; <span class=\"%s\">", c->clause >= 0 ? "bad" : "ok");
        esc(o, c->class_name);
        fputs("</span></h3>\n<p>", o);
        esc(o, rule->citation);
        fputs("</p>\n<table>\n", o);
        static const char *head[] = {"clause", "metric", "condition", "value", "margin", "holds"};
        th_row(o, head, 6);
        for (int j = 0; j < c->n_margins; j++) {
            const sip_clause_t *cl = &rule->clauses[c->margins[j].clause];
            const sip_condition_t *cd = &cl->conditions[c->margins[j].condition];
            char cond[96];
            snprintf(cond, sizeof cond, "%s %.6g", sip_cmp_symbol(cd->cmp), cd->threshold);
            fprintf(o, "<tr%s>", c->margins[j].clause == c->clause ? " class=\"bad\"" : "");
            td_text(o, cl->name);
            td_text(o, sip_metric_name(cd->metric));
            td_text(o, cond);
            td_num(o, "%.4f", c->margins[j].value);
            td_num(o, "%+.4f", c->margins[j].margin);
            td_text(o, c->margins[j].holds ? "yes" : "no");
            fputs("</tr>\n", o);
        }
        fputs("</table>\n", o);
    }
    if (t->n_limits > 0) {
        fputs("<h3>What-if limits</h3>\n<table>\n", o);
        static const char *head[] = {"knob", "rule", "reached at", "current", "limit", "unit"};
        th_row(o, head, 6);
        for (int j = 0; j < t->n_limits; j++) {
            const sip_tpp_limit_t *L = &t->limits[j];
            const sip_rule_t *rule = sip_tpp_rule(L->rule);
            char at[160];
            if (L->condition < 0 || L->clause < 0)
                snprintf(at, sizeof at, "%s (leaves %s)", rule->id, rule->uncontrolled);
            else
                snprintf(at, sizeof at, "%s %s", rule->clauses[L->clause].name,
                         sip_metric_name(rule->clauses[L->clause].conditions[L->condition].metric));
            fputs("<tr>", o);
            td_text(o, sip_knob_name(L->knob));
            td_text(o, rule->id);
            td_text(o, at);
            td_num(o, "%.4g", L->current);
            td_num(o, "%.4g", L->limit);
            td_text(o, sip_knob_unit(L->knob));
            fputs("</tr>\n", o);
        }
        fputs("</table>\n", o);
    }
    section_end(o);
}

static void workload(FILE *o, const sip_report_t *r)
{
    section_begin(o, "workload", "Workload performance");
    if (!r->workload && !r->pkg->workload.present) {
        fputs("<p class=\"na\">The package has no workload section (model, phase, batch, "
              "context_tokens, precision: see README), so no workload was evaluated.</p>\n",
              o);
        section_end(o);
        return;
    }
    if (!r->workload) {
        not_available(o, "workload", &r->workload_error);
        section_end(o);
        return;
    }
    const sip_workload_result_t *w = r->workload;
    fputs("<dl>\n", o);
    dl_item(o, "workload", "%s %s, batch %d, context %d tokens, %s", w->shape.name,
            w->workload.phase, w->workload.batch, w->workload.context_tokens,
            sip_precision_name(w->precision));
    dl_item(o, "mapping", "%d compute chiplets (tensor parallel %d x pipeline %d)", w->n_compute,
            w->workload.tensor_parallel, w->workload.pipeline_parallel);
    dl_item(o, "throughput", "%.1f tokens/s", w->tokens_per_s);
    dl_item(o, "latency", "time to first token %.3f ms, per output token %.3f ms",
            1e3 * w->ttft_s, 1e3 * w->tpot_s);
    dl_item(o, "bound by", "%s (MAC utilization %.1f %%)", sip_limit_name(w->step->limit),
            100.0 * w->step->mac_utilization);
    dl_item(o, "energy", "%.4g J per token", w->j_per_token);
    dl_item(o, "memory per chiplet", "weights %.2f GB + KV %.2f GB of %.2f GB HBM: %s",
            w->weight_bytes_per_chiplet / 1e9, w->kv_bytes_per_chiplet / 1e9,
            w->hbm_capacity_bytes_per_chiplet / 1e9, w->fits ? "fits" : "does NOT fit");
    dl_item(o, "D2D", "busiest UCIe port at %.1f %% of capacity", 100.0 * w->d2d_max_util);
    fputs("</dl>\n<table>\n", o);
    static const char *head[] = {"step",   "time ms", "MACs ms",        "SRAM ms", "HBM ms",
                                 "D2D ms", "I/O ms",  "weight feed ms", "limit"};
    th_row(o, head, 9);
    const sip_step_t *steps[2] = {&w->prefill, &w->decode};
    static const char *names[2] = {"prefill", "decode"};
    for (int s = 0; s < 2; s++) {
        fputs("<tr>", o);
        td_text(o, names[s]);
        td_num(o, "%.4f", 1e3 * steps[s]->time_s);
        for (int k = 0; k < SIP_LIMIT_COUNT; k++)
            td_num(o, "%.4f", 1e3 * steps[s]->time_by_limit_s[k]);
        td_text(o, sip_limit_name(steps[s]->limit));
        fputs("</tr>\n", o);
    }
    fputs("</table>\n<p>Kernel library (systolic tiles exact against SCALE-Sim v2, roofline per "
          "kernel); step time attributed to what bounded each kernel.</p>\n",
          o);
    section_end(o);
}

static void cost(FILE *o, const sip_report_t *r)
{
    section_begin(o, "cost", "Cost");
    if (!r->cost) {
        not_available(o, "cost", &r->cost_error);
        section_end(o);
        return;
    }
    const sip_cost_result_t *c = r->cost;
    const sip_cost_breakdown_t *b = &c->package;
    fputs("<table>\n", o);
    static const char *head[] = {"per good package", "chiplets (USD)", "monolithic (USD)"};
    th_row(o, head, 3);
    const struct {
        const char *name;
        double a, m;
    } rows[] = {
        {"dies", b->dies_usd, c->mono.dies_usd},
        {"die defects", b->die_defects_usd, c->mono.die_defects_usd},
        {"KGD test", b->test_usd, c->mono.test_usd},
        {"bumps", b->bumps_usd, c->mono.bumps_usd},
        {"memory", b->memory_usd, c->mono.memory_usd},
        {"interposer / bridges", b->interposer_usd, c->mono.interposer_usd},
        {"substrate", b->substrate_usd, c->mono.substrate_usd},
        {"package defects", b->package_defects_usd, c->mono.package_defects_usd},
        {"wasted dies", b->wasted_dies_usd, c->mono.wasted_dies_usd},
        {"recurring", b->recurring_usd, c->mono.recurring_usd},
        {"NRE per unit", b->nre_per_unit_usd, c->mono.nre_per_unit_usd},
        {"total", b->total_usd, c->mono.total_usd},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fputs("<tr>", o);
        td_text(o, rows[i].name);
        td_num(o, "%.2f", rows[i].a);
        td_num(o, "%.2f", rows[i].m);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n<dl>\n", o);
    dl_item(o, "assembly yield", "%.4f (bonding %.4f, interposer %.4f, test escapes %.4f)",
            b->assembly_yield, b->bonding_yield, b->interposer_yield, b->escape_yield);
    dl_item(o, "NRE", "chips $%.0f + package $%.0f = $%.0f", c->nre_chips_usd,
            c->nre_package_usd, c->nre_total_usd);
    if (c->usd_per_tpp > 0)
        dl_item(o, "cost per TPP", "$%.4f", c->usd_per_tpp);
    if (isfinite(c->usd_per_tokens_per_s))
        dl_item(o, "cost per token/s", "$%.4f (workload %.1f tokens/s)", c->usd_per_tokens_per_s,
                c->tokens_per_s);
    dl_item(o, "monolithic", "%.1f mm2 at %d nm, yield %.4f%s", c->mono_area_mm2,
            c->mono_node_nm, c->mono_yield,
            c->mono_exceeds_reticle ? " (exceeds the reticle: not manufacturable as one die)" : "");
    if (isfinite(c->crossover_area_mm2))
        dl_item(o, "crossover", "%d chiplets cheaper than one die above %.0f mm2", c->n_split,
                c->crossover_area_mm2);
    else
        dl_item(o, "crossover", "%d chiplets vs one die: no crossover in 10..5000 mm2",
                c->n_split);
    fputs("</dl>\n<table>\n", o);
    static const char *dh[] = {"chiplet type", "count", "node nm", "area mm2", "yield",
                               "KGD USD", "NRE per die USD"};
    th_row(o, dh, 7);
    for (int i = 0; i < c->n_dies; i++) {
        const sip_cost_die_t *d = &c->dies[i];
        fputs("<tr>", o);
        td_text(o, d->name);
        td_int(o, d->count);
        td_int(o, d->node_nm);
        td_num(o, "%.2f", d->area_mm2);
        td_num(o, "%.4f", d->yield);
        td_num(o, "%.2f", d->kgd_usd);
        td_num(o, "%.2f", d->nre_per_unit_usd);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n<p>Chiplet Actuary model (DAC 2022) with known-good-die test; parameters in "
          "src/cost/params.c.</p>\n",
          o);
    section_end(o);
}

static void graph(FILE *o, const sip_report_t *r)
{
    section_begin(o, "graph", "Package graph");
    if (!r->graph) {
        not_available(o, "package graph", &r->graph_error);
        section_end(o);
        return;
    }
    const sip_graph_metrics_t *m = r->metrics;
    fputs("<dl>\n", o);
    dl_item(o, "vertices / links", "%d / %d, %d component%s", m->n_vertices, m->n_edges,
            m->n_components, m->n_components == 1 ? "" : "s");
    dl_item(o, "diameter", "%d hops, %.3f ns", m->diameter_hops, m->diameter_ns);
    dl_item(o, "average path", "%.3f hops, %.3f ns", m->avg_path_hops, m->avg_path_ns);
    if (m->bisection_method != SIP_BISECTION_NONE)
        dl_item(o, "bisection", "%.1f GB/s per direction, %d links cut (%s)", m->bisection_GBps,
                m->bisection_links, sip_bisection_method_name(m->bisection_method));
    fprintf(o, "<dt>articulation points</dt><dd>");
    for (int i = 0; i < m->n_articulation_points; i++) {
        fputs(i ? ", " : "", o);
        esc(o, sip_graph_vertex(r->graph, m->articulation_points[i])->name);
    }
    fprintf(o, "%s</dd>\n<dt>bridges</dt><dd>", m->n_articulation_points ? "" : "none");
    for (int i = 0; i < m->n_bridges; i++) {
        fputs(i ? ", " : "", o);
        esc(o, sip_graph_edge(r->graph, m->bridges[i])->name);
    }
    fprintf(o, "%s</dd>\n</dl>\n", m->n_bridges ? "" : "none");
    section_end(o);
}

sip_status_t sip_report_html(const sip_report_t *r, FILE *o, sip_error_t *err)
{
    if (!r || !o)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_report_html: NULL argument");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          o);
    esc(o, r->pkg->name);
    fprintf(o, " &#8212; sipsim report</title>\n<style>%s</style>\n</head>\n<body>\n", CSS);
    header(o, r);
    summary(o, r);
    SIP_TRY(floorplan(o, r, err));
    check(o, r);
    links(o, r);
    if (r->traffic || r->traffic_error.status != SIP_OK)
        SIP_TRY(traffic(o, r, err));
    if (r->thermal || r->thermal_error.status != SIP_OK)
        SIP_TRY(thermal(o, r, err));
    if (r->tpp || r->tpp_error.status != SIP_OK)
        tpp(o, r);
    if (r->options.workload)
        workload(o, r);
    if (r->cost || r->cost_error.status != SIP_OK)
        cost(o, r);
    graph(o, r);
    fputs("</main>\n<footer style=\"padding:8px 24px;color:#777;font-size:12px\">sipsim "
          "report</footer>\n</body>\n</html>\n",
          o);
    return ferror(o) ? sip_error_set(err, SIP_EIO, NULL, 0, "cannot write the HTML") : SIP_OK;
}
