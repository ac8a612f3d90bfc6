/* sipsim svg FILE: pictures of a package — the floorplan (dies by kind or temperature, UCIe
 * ports and links by bandwidth and utilization, heat map, scale bar) or the latency-vs-load
 * plot — as SVG, or the floorplan as PNG/PDF through cairo.
 * Exit: 0 written, 2 bad input, usage, or a picture the engines cannot provide.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/report.h"

static void usage_text(void)
{
    printf("usage: sipsim svg FILE [-o OUT] [--color kind|temperature] [--no-heatmap] "
           "[--no-labels]\n"
           "                 [--width PX] [--grid N] [--plot floorplan|latency] [--png|--pdf]\n"
           "       sipsim svg --pareto RESULTS.jsonl [--x max:METRIC] [--y min:METRIC] [-o OUT]\n"
           "Floorplan of a package: dies coloured by kind or by temperature (heat map of the\n"
           "thermal solve under them), UCIe ports, links (width by raw bandwidth, colour by\n"
           "utilization under the package's traffic), labels, scale bar.  --plot latency draws\n"
           "mean latency against offered load instead.  Any picture: the format follows --png/--pdf or the\n"
           "extension of OUT (.svg, .png, .pdf); SVG goes to stdout without -o.\n"
           "--pareto: two objectives of a sweep's result rows (default x max:tpp, y min:cost_usd),\n"
           "feasible rows filled, the non-dominated ones in red.\n"
           "exit: 0 written, 2 bad input or usage\n");
}

/* "max:NAME", "min:NAME" or "NAME" (then `def_max`). */
static void objective(const char *s, bool def_max, const char **name, bool *maximize)
{
    *maximize = def_max;
    *name = s;
    if (strncmp(s, "max:", 4) == 0 || strncmp(s, "min:", 4) == 0) {
        *maximize = s[1] == 'a';
        *name = s + 4;
    }
}

typedef struct {
    int n, cap;
    double *x, *y;
    bool *feasible;
    long long *ids;
} rows_t;

static void rows_free(rows_t *r)
{
    free(r->x);
    free(r->y);
    free(r->feasible);
    free(r->ids);
}

static double metric(json_t *row, const char *name, bool *seen)
{
    json_t *v = json_object_get(json_object_get(row, "metrics"), name);
    if (v)
        *seen = true;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The rows of a sweep results file (JSON Lines: id, valid, feasible, axes, metrics). */
static int read_rows(const char *path, const char *xn, const char *yn, rows_t *r)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "sipsim: %s: cannot open\n", path);
        return CLI_EXIT_INPUT;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = CLI_EXIT_OK;
    bool seen_x = false, seen_y = false;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[len - 1] != '\n')
            break; /* the torn last line of an interrupted sweep */
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        if (!o || !json_is_integer(json_object_get(o, "id"))) {
            fprintf(stderr, "sipsim: %s:%d: not a sweep result row (%s)\n", path, lineno,
                    o ? "no id" : je.text);
            json_decref(o);
            rc = CLI_EXIT_INPUT;
            break;
        }
        if (r->n == r->cap) {
            int c2 = r->cap ? 2 * r->cap : 256;
            double *x = realloc(r->x, (size_t)c2 * sizeof *x);
            if (x)
                r->x = x;
            double *y = realloc(r->y, (size_t)c2 * sizeof *y);
            if (y)
                r->y = y;
            bool *fe = realloc(r->feasible, (size_t)c2 * sizeof *fe);
            if (fe)
                r->feasible = fe;
            long long *id = realloc(r->ids, (size_t)c2 * sizeof *id);
            if (id)
                r->ids = id;
            if (!x || !y || !fe || !id) {
                fprintf(stderr, "sipsim: out of memory\n");
                json_decref(o);
                rc = CLI_EXIT_INPUT;
                break;
            }
            r->cap = c2;
        }
        r->ids[r->n] = (long long)json_integer_value(json_object_get(o, "id"));
        r->feasible[r->n] = json_is_true(json_object_get(o, "feasible"));
        r->x[r->n] = metric(o, xn, &seen_x);
        r->y[r->n] = metric(o, yn, &seen_y);
        r->n++;
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (rc == CLI_EXIT_OK && r->n > 0 && (!seen_x || !seen_y)) {
        fprintf(stderr, "sipsim: %s: no row has the metric '%s' (see `sipsim sweep --metrics`)\n",
                path, !seen_x ? xn : yn);
        rc = CLI_EXIT_INPUT;
    }
    return rc;
}

static int pareto(const char *path, const char *xs, const char *ys, const char *output,
                  sip_image_format_t format)
{
    sip_pareto_plot_t p = {0};
    objective(xs ? xs : "max:tpp", true, &p.x_label, &p.x_maximize);
    objective(ys ? ys : "min:cost_usd", false, &p.y_label, &p.y_maximize);
    rows_t r = {0};
    int rc = read_rows(path, p.x_label, p.y_label, &r);
    if (rc != CLI_EXIT_OK) {
        rows_free(&r);
        return rc;
    }
    char title[512];
    const char *slash = strrchr(path, '/');
    snprintf(title, sizeof title, "Pareto front: %s", slash ? slash + 1 : path);
    p.n = r.n;
    p.x = r.x;
    p.y = r.y;
    p.feasible = r.feasible;
    p.ids = r.ids;
    p.title = title;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st;
    if (format == SIP_IMAGE_SVG) {
        FILE *out = cli_open_output(output);
        if (!out) {
            rows_free(&r);
            return CLI_EXIT_INPUT;
        }
        st = sip_report_pareto_svg(&p, out, &err);
        cli_close_output(out);
    } else {
        st = sip_report_pareto_write(&p, format, output, &err);
    }
    if (st != SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
    }
    rows_free(&r);
    return rc;
}

int cmd_svg(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        usage_text();
        return CLI_EXIT_OK;
    }
    if (common.json) /* refused rather than silently ignored: the figures are in `sipsim report --json` */
        return cli_usage("svg", "--json: svg writes pictures (SVG, PNG, PDF); `sipsim report --json` "
                                "has the numbers");
    sip_floorplan_options_t fo;
    sip_floorplan_options_init(&fo);
    sip_report_options_t ro;
    sip_report_options_init(&ro);
    const char *file = NULL, *pareto_file = NULL, *x_obj = NULL, *y_obj = NULL;
    int format = -1;
    bool latency = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--png") == 0 || strcmp(a, "--pdf") == 0 || strcmp(a, "--svg") == 0) {
            format = sip_image_format_lookup(a + 2);
        } else if (strcmp(a, "--no-heatmap") == 0) {
            fo.heatmap = false;
        } else if (strcmp(a, "--no-labels") == 0) {
            fo.labels = false;
        } else if (strcmp(a, "--color") == 0 || strcmp(a, "--colour") == 0) {
            int m = v ? sip_color_mode_lookup(v) : -1;
            if (m < 0)
                return cli_usage("svg", "%s %s (expected kind or temperature)", a, v ? v : "");
            fo.color = (sip_color_mode_t)m;
            i++;
        } else if (strcmp(a, "--pareto") == 0 || strcmp(a, "--x") == 0 || strcmp(a, "--y") == 0) {
            if (!v)
                return cli_usage("svg", "option %s needs an argument", a);
            *(a[2] == 'p' ? &pareto_file : a[2] == 'x' ? &x_obj : &y_obj) = v;
            i++;
        } else if (strcmp(a, "--plot") == 0) {
            if (!v || (strcmp(v, "floorplan") != 0 && strcmp(v, "latency") != 0))
                return cli_usage("svg", "--plot %s (expected floorplan or latency)", v ? v : "");
            latency = strcmp(v, "latency") == 0;
            i++;
        } else if (strcmp(a, "--width") == 0 || strcmp(a, "--grid") == 0) {
            char *end = NULL;
            double x = v ? strtod(v, &end) : 0.0;
            bool width = a[2] == 'w';
            if (!v || *end || x < (width ? 200.0 : 4.0) || x > (width ? 10000.0 : SIP_THERMAL_MAX_GRID))
                return cli_usage("svg", "%s %s (expected %s)", a, v ? v : "",
                                 width ? "200..10000 px" : "4..1024 cells");
            if (width)
                fo.width_px = x;
            else
                ro.thermal_grid = (int)x;
            i++;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("svg", "unknown option %s", a);
        } else if (file) {
            return cli_usage("svg", "unexpected argument '%s'", a);
        } else {
            file = a;
        }
    }
    if (pareto_file && file)
        return cli_usage("svg", "--pareto takes a results file instead of a package ('%s')", file);
    if (!file && !pareto_file)
        return cli_usage("svg", "missing FILE");
    if (format < 0)
        format = common.output && strcmp(common.output, "-") != 0
                     ? sip_image_format_lookup(common.output)
                     : SIP_IMAGE_SVG;
    if (format < 0)
        format = SIP_IMAGE_SVG;
    if (format != SIP_IMAGE_SVG && (!common.output || strcmp(common.output, "-") == 0))
        return cli_usage("svg", "%s output needs -o FILE", sip_image_format_name(format));
    if (common.output && strcmp(common.output, "-") != 0 && cli_mkdir_for_file(common.output) != 0)
        return CLI_EXIT_INPUT; /* PNG/PDF are written by the library: create the folder here */
    if (pareto_file)
        return pareto(pareto_file, x_obj, y_obj, common.output, (sip_image_format_t)format);
    /* engines the picture needs, and only those */
    ro.thermal = !latency && fo.color == SIP_COLOR_TEMPERATURE;
    ro.thermal_power_caps = false;
    ro.tpp = ro.cost = false;
    ro.ucie = !latency;

    sip_package_t *pkg = NULL;
    int rc = cli_load_package(file, &common, &pkg);
    if (rc != CLI_EXIT_OK)
        return rc;
    sip_report_t *rep = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_report_create(pkg, &ro, &rep, &err);
    if (st == SIP_OK) {
        if (format == SIP_IMAGE_SVG) {
            FILE *out = cli_open_output(common.output);
            if (!out) {
                sip_report_destroy(rep);
                sip_package_destroy(pkg);
                return CLI_EXIT_INPUT;
            }
            st = latency ? sip_report_latency_svg(rep, out, &err)
                         : sip_report_floorplan_svg(rep, &fo, out, &err);
            cli_close_output(out);
        } else if (latency) {
            st = sip_report_latency_write(rep, (sip_image_format_t)format, common.output, &err);
        } else {
            st = sip_report_floorplan_write(rep, &fo, (sip_image_format_t)format, common.output,
                                            &err);
        }
    }
    if (st != SIP_OK) {
        if (latency && rep && !rep->traffic && rep->traffic_error.status != SIP_OK)
            cli_print_error(&rep->traffic_error);
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
    }
    sip_report_destroy(rep);
    sip_package_destroy(pkg);
    return rc;
}
