/* sipsim svg FILE: pictures of a package — the floorplan (dies by kind or temperature, UCIe
 * ports and links by bandwidth and utilization, heat map, scale bar) or the latency-vs-load
 * plot — as SVG, or the floorplan as PNG/PDF through cairo.
 * Exit: 0 written, 2 bad input, usage, or a picture the engines cannot provide.
 * SPDX-License-Identifier: GPL-3.0-or-later */
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
           "Floorplan of a package: dies coloured by kind or by temperature (heat map of the\n"
           "thermal solve under them), UCIe ports, links (width by raw bandwidth, colour by\n"
           "utilization under the package's traffic), labels, scale bar.  --plot latency draws\n"
           "mean latency against offered load instead.  The format follows --png/--pdf or the\n"
           "extension of OUT (.svg, .png, .pdf); SVG goes to stdout without -o.\n"
           "exit: 0 written, 2 bad input or usage\n");
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
    sip_floorplan_options_t fo;
    sip_floorplan_options_init(&fo);
    sip_report_options_t ro;
    sip_report_options_init(&ro);
    const char *file = NULL;
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
    if (!file)
        return cli_usage("svg", "missing FILE");
    if (format < 0)
        format = common.output && strcmp(common.output, "-") != 0
                     ? sip_image_format_lookup(common.output)
                     : SIP_IMAGE_SVG;
    if (format < 0)
        format = SIP_IMAGE_SVG;
    if (format != SIP_IMAGE_SVG && (!common.output || strcmp(common.output, "-") == 0))
        return cli_usage("svg", "%s output needs -o FILE", sip_image_format_name(format));
    if (latency && format != SIP_IMAGE_SVG)
        return cli_usage("svg", "the latency plot is SVG only");
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
