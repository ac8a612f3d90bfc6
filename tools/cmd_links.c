/* sipsim links FILE: the UCIe link model for every link of a package (one row per link,
 * totals per chiplet); --json for the same as JSON.  Every link is validated first: a bad
 * link parameter prints "path:line: ..." and exits 2.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/ucie.h"

typedef struct {
    int links;
    double raw_GBps_per_dir;     /* sum over the chiplet's links */
    double payload_GBps_per_dir;
    double shoreline_mm;         /* die edge its UCIe modules take */
    double peak_power_w;         /* its half of each link's PHY power at full utilization */
} chiplet_total_t;

static void link_label(const sip_package_t *pkg, int i, char *buf, size_t size)
{
    const sip_link_t *l = &pkg->links[i];
    if (l->name[0])
        snprintf(buf, size, "%s", l->name);
    else
        snprintf(buf, size, "%s-%s", pkg->instances[l->from_instance].name,
                 pkg->instances[l->to_instance].name);
}

static void port_label(const sip_package_t *pkg, int inst, int port, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s", pkg->instances[inst].name,
             sip_instance_type(pkg, inst)->ports[port].name);
}

static void print_text(FILE *out, const sip_package_t *pkg, const sip_ucie_link_result_t *r,
                       const chiplet_total_t *tot)
{
    fprintf(out, "package %s: %d UCIe links\n\n", pkg->name, pkg->n_links);
    fprintf(out, "%-14s %-10s %-10s %-3s %-7s %5s %-26s %6s %-15s %9s %9s %8s %6s %7s %9s %9s\n",
            "link", "from", "to", "pkg", "width", "GT/s", "flit/protocol", "mm", "trained",
            "raw GB/s", "pay GB/s", "lat ns", "pJ/b", "peak W", "FIT>=", "burst<=");
    for (int i = 0; i < pkg->n_links; i++) {
        const sip_link_t *l = &pkg->links[i];
        char name[2 * SIP_NAME_MAX + 2], from[2 * SIP_NAME_MAX + 2], to[2 * SIP_NAME_MAX + 2];
        char width[32], fp[64];
        link_label(pkg, i, name, sizeof name);
        port_label(pkg, l->from_instance, l->from_port, from, sizeof from);
        port_label(pkg, l->to_instance, l->to_port, to, sizeof to);
        snprintf(width, sizeof width, "%dx%d", r[i].modules, r[i].lanes_per_module);
        snprintf(fp, sizeof fp, "%s/%s", sip_flit_name(l->flit), sip_protocol_name(l->protocol));
        fprintf(out,
                "%-14s %-10s %-10s %-3s %-7s %5g%s %-26s %6.2f %-15s %9.1f %9.1f %8.3f %6.3g %7.3f "
                "%9.2g %9.2g\n",
                name, from, to, l->package == SIP_UCIE_ADVANCED ? "A" : "S", width, r[i].rate_gtps,
                r[i].ucie3 ? "*" : " ", fp, sip_link_length_mm(pkg, i),
                sip_ucie_trained_name(r[i].trained), r[i].raw_GBps_per_dir,
                r[i].payload_GBps_per_dir, r[i].latency_ns, r[i].energy_pj_per_bit,
                r[i].peak_power_w, r[i].fit, r[i].fit_burst_bound);
    }
    fprintf(out, "\nGB/s per direction; peak W = both directions at full utilization (idle "
                 "%.0f %% of peak); * = UCIe 3.0 rate\n",
            pkg->n_links > 0 ? 100.0 * r[0].idle_power_fraction : 15.0);
    fprintf(out, "FIT>= = undetected flit errors per 1e9 h with INDEPENDENT bit errors at the raw "
                 "BER: a lower bound\n"
                 "burst<= = upper bound when errors come in bursts: each error event escapes the "
                 "CRC-16 with <= 2^-15\n");
    for (int i = 0; i < pkg->n_links; i++) {
        char name[2 * SIP_NAME_MAX + 2];
        link_label(pkg, i, name, sizeof name);
        if (r[i].fit_high)
            fprintf(out, "warning: link %s: raw format (no adapter CRC or retry) at BER %.2g has "
                         "FIT %.2g, far from UCIe's FIT << 1 target (use a 68B or 256B flit)\n",
                    name, r[i].raw_ber, r[i].fit);
    }
    fputc('\n', out);
    fprintf(out, "%-14s %5s %12s %12s %12s %9s\n", "chiplet", "links", "raw GB/s", "pay GB/s",
            "shoreline mm", "peak W");
    for (int i = 0; i < pkg->n_instances; i++) {
        if (tot[i].links == 0)
            continue;
        fprintf(out, "%-14s %5d %12.1f %12.1f %12.3f %9.3f\n", pkg->instances[i].name,
                tot[i].links, tot[i].raw_GBps_per_dir, tot[i].payload_GBps_per_dir,
                tot[i].shoreline_mm, tot[i].peak_power_w);
    }
}

/* The link objects are the library's (sip_ucie_link_results_to_json, as in `sipsim report
 * --json`'s ucie section); the totals per chiplet are this command's. */
static json_t *to_json(const sip_package_t *pkg, const sip_ucie_link_result_t *r,
                       const chiplet_total_t *tot)
{
    char *text = NULL;
    json_t *links = NULL;
    if (sip_ucie_link_results_to_json(pkg, r, NULL, &text, NULL) == SIP_OK)
        links = json_loads(text, 0, NULL);
    sip_free(text);
    json_t *root = json_object(), *chips = json_array(), *name = json_string(pkg->name);
    if (!root || !chips || !links) {
        json_decref(root);
        json_decref(chips);
        json_decref(links);
        json_decref(name);
        return NULL;
    }
    json_object_set_new(root, "package", name ? name : json_null());
    for (int i = 0; i < pkg->n_instances; i++) {
        if (tot[i].links == 0)
            continue;
        json_t *o = json_object();
        json_t *iname = json_string(pkg->instances[i].name);
        json_object_set_new(o, "name", iname ? iname : json_null());
        json_object_set_new(o, "links", json_integer(tot[i].links));
        json_object_set_new(o, "raw_GBps_per_dir", json_real(tot[i].raw_GBps_per_dir));
        json_object_set_new(o, "payload_GBps_per_dir", json_real(tot[i].payload_GBps_per_dir));
        json_object_set_new(o, "shoreline_mm", json_real(tot[i].shoreline_mm));
        json_object_set_new(o, "peak_power_w", json_real(tot[i].peak_power_w));
        json_array_append_new(chips, o);
    }
    json_object_set_new(root, "links", links);
    json_object_set_new(root, "chiplets", chips);
    return root;
}

int cmd_links(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim links FILE [--json] [-L DIR] [-o FILE]\n"
               "UCIe link model for every link: trained width/rate, raw and payload GB/s per\n"
               "direction, latency, pJ/bit, peak PHY power, FIT; totals per chiplet.\n");
        return CLI_EXIT_OK;
    }
    if (argc != 2)
        return cli_usage(argv[0], argc < 2 ? "missing FILE" : "more than one FILE");
    sip_package_t *pkg = NULL;
    int rc = cli_load_package(argv[1], &common, &pkg);
    if (rc != CLI_EXIT_OK)
        return rc;
    sip_ucie_link_result_t *r = calloc((size_t)pkg->n_links + 1, sizeof *r);
    chiplet_total_t *tot = calloc((size_t)pkg->n_instances + 1, sizeof *tot);
    FILE *out = NULL;
    if (!r || !tot) {
        fprintf(stderr, "sipsim links: out of memory\n");
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    /* Report every bad link, not just the first. */
    for (int i = 0; i < pkg->n_links; i++) {
        sip_error_t err;
        sip_error_clear(&err);
        if (sip_ucie_link_eval(pkg, i, &r[i], &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
        }
    }
    if (rc != CLI_EXIT_OK)
        goto out;
    for (int i = 0; i < pkg->n_links; i++) {
        const sip_link_t *l = &pkg->links[i];
        int ends[2] = {l->from_instance, l->to_instance};
        for (int e = 0; e < 2; e++) {
            chiplet_total_t *t = &tot[ends[e]];
            t->links++;
            t->raw_GBps_per_dir += r[i].raw_GBps_per_dir;
            t->payload_GBps_per_dir += r[i].payload_GBps_per_dir;
            t->shoreline_mm += r[i].shoreline_mm;
            t->peak_power_w += 0.5 * r[i].peak_power_w; /* each end holds one TX+RX PHY */
        }
    }
    out = cli_open_output(common.output);
    if (!out) {
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (common.json) {
        json_t *root = to_json(pkg, r, tot);
        if (!root) {
            fprintf(stderr, "sipsim links: cannot build the JSON output\n");
            rc = CLI_EXIT_INPUT;
        } else {
            cli_print_json(out, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        }
    } else {
        print_text(out, pkg, r, tot);
    }
    cli_close_output(out);
out:
    free(r);
    free(tot);
    sip_package_destroy(pkg);
    return rc;
}

/* ---- sipsim bench ucie: how fast the model is for sweeps (medians of 5 repeats) ---- */
int bench_ucie(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    enum { REPEATS = 5, EVALS = 200000 };
    static const double rates[] = {4, 8, 12, 16, 24, 32};
    double evals_per_s[REPEATS], flits_per_s[REPEATS];
    double sink = 0.0;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = cli_now_s();
        for (int i = 0; i < EVALS; i++) {
            sip_ucie_params_t p;
            sip_ucie_params_init(&p, (i & 1) ? SIP_UCIE_ADVANCED : SIP_UCIE_STANDARD,
                                 rates[i % 6], (i & 1) ? 1.0 : 10.0);
            p.flit = (sip_flit_format_t)(1 + (i / 2) % 2);
            p.failed_lanes = i % 5;
            sip_ucie_link_result_t r;
            if (sip_ucie_eval(&p, &r, NULL) == SIP_OK)
                sink += r.payload_GBps_per_dir;
        }
        evals_per_s[rep] = EVALS / (cli_now_s() - t0);
        sip_ucie_params_t p;
        sip_ucie_params_init(&p, SIP_UCIE_ADVANCED, 32, 1.5);
        p.raw_ber = 1e-6;
        sip_ucie_replay_mc_t mc;
        t0 = cli_now_s();
        if (sip_ucie_replay_mc(&p, 100000000, (uint64_t)rep, &mc, NULL) != SIP_OK)
            return CLI_EXIT_INPUT;
        flits_per_s[rep] = (double)mc.delivered / (cli_now_s() - t0);
    }
    qsort(evals_per_s, REPEATS, sizeof(double), cli_cmp_double);
    qsort(flits_per_s, REPEATS, sizeof(double), cli_cmp_double);
    printf("ucie link evaluations: %.3g per second (median of %d x %d)\n", evals_per_s[REPEATS / 2],
           REPEATS, (int)EVALS);
    printf("ucie replay Monte-Carlo at BER 1e-6 (68B, x64 @ 32 GT/s): %.3g delivered flits per "
           "second (median of %d x 1e8)\n",
           flits_per_s[REPEATS / 2], REPEATS);
    return sink > 0.0 ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}
