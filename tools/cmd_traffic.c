/* sipsim traffic FILE: routes, link loads, saturation, latency and D2D power of a demand;
 * sipsim bench traffic: analytic evaluations per second.
 * FILE is a package file, or mesh:CxR[:2stage] for a BookSim2 reference mesh built in code
 * (shared/peers/booksim: 1 flit/cycle channels, 4-stage router; GB/s read as flits/cycle and
 * ns as cycles).
 * --pattern workload: the die-to-die demand of the package's `workload` section at its step rate
 * (kernel library: sip_workload_evaluate + sip_workload_demand); --load scales it (1 = as is).
 * The pattern lives here, not in the traffic registry, because the kernel library sits above
 * the traffic engine (DESIGN.md: dependencies point one way).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/kernels.h"
#include "sipsim/traffic.h"
#include "sipsim/ucie.h"

typedef struct {
    const char *file;
    const char *pattern;
    const char *routing;
    double load;
    bool load_set, load_in_GBps;
    double packet_bytes;
    int endpoints;
    double router_clock_ghz, router_cycles;
    const char *hotspots[SIP_TRAFFIC_MAX_HOTSPOTS];
    int n_hotspots;
    double hotspot_fraction;
    bool routes, flows;
    const char *curve;
    int points;
} traffic_args_t;

static int parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    if (!*s || *end || !isfinite(*out))
        return cli_usage(cmd, "%s '%s' (expected a number)", opt, s);
    return 0;
}

static int parse_args(int argc, char **argv, traffic_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->points = 20;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        int rc = 0;
        if (strcmp(o, "--routes") == 0) {
            a->routes = true;
            takes = false;
        } else if (strcmp(o, "--flows") == 0) {
            a->flows = true;
            takes = false;
        } else if (strcmp(o, "--load-GBps") == 0) {
            a->load_in_GBps = true;
            takes = false;
        } else if (o[0] != '-' || strcmp(o, "-") == 0) {
            if (a->file)
                return cli_usage(argv[0], "more than one FILE ('%s')", o);
            a->file = o;
            takes = false;
        } else if (!v) {
            return cli_usage(argv[0], "option %s needs an argument", o);
        } else if (strcmp(o, "--pattern") == 0) {
            a->pattern = v;
        } else if (strcmp(o, "--routing") == 0) {
            a->routing = v;
        } else if (strcmp(o, "--load") == 0) {
            rc = parse_double(argv[0], o, v, &a->load);
            a->load_set = true;
        } else if (strcmp(o, "--packet-bytes") == 0) {
            rc = parse_double(argv[0], o, v, &a->packet_bytes);
        } else if (strcmp(o, "--router-clock") == 0) {
            rc = parse_double(argv[0], o, v, &a->router_clock_ghz);
        } else if (strcmp(o, "--router-cycles") == 0) {
            rc = parse_double(argv[0], o, v, &a->router_cycles);
        } else if (strcmp(o, "--hotspot-fraction") == 0) {
            rc = parse_double(argv[0], o, v, &a->hotspot_fraction);
        } else if (strcmp(o, "--endpoints") == 0) {
            a->endpoints = atoi(v);
            if (a->endpoints < 1 || a->endpoints > 64)
                return cli_usage(argv[0], "--endpoints %s (expected 1..64)", v);
        } else if (strcmp(o, "--points") == 0) {
            a->points = atoi(v);
            if (a->points < 2 || a->points > 10000)
                return cli_usage(argv[0], "--points %s (expected 2..10000)", v);
        } else if (strcmp(o, "--hotspot") == 0) {
            if (a->n_hotspots >= SIP_TRAFFIC_MAX_HOTSPOTS)
                return cli_usage(argv[0], "at most %d --hotspot", SIP_TRAFFIC_MAX_HOTSPOTS);
            a->hotspots[a->n_hotspots++] = v;
        } else if (strcmp(o, "--curve") == 0) {
            a->curve = v;
        } else {
            return cli_usage(argv[0], "unknown option %s", o);
        }
        if (rc)
            return rc;
        if (takes)
            i++;
    }
    if (!a->file)
        return cli_usage(argv[0], "missing FILE (a package, or mesh:CxR[:2stage])");
    return 0;
}

/* mesh:CxR[:2stage] or mesh:K -> BookSim reference mesh; returns 1 if FILE is not a mesh. */
static int mesh_from_spec(const char *spec, int endpoints, sip_network_t **out, sip_error_t *err)
{
    if (strncmp(spec, "mesh:", 5) != 0)
        return 1;
    int cols = 0, rows = 0, n = 0;
    const char *s = spec + 5;
    if (sscanf(s, "%dx%d%n", &cols, &rows, &n) != 2) {
        n = 0;
        if (sscanf(s, "%d%n", &cols, &n) != 1) {
            sip_error_set(err, SIP_EINVAL, spec, 0, "mesh spec (expected mesh:CxR or mesh:K)");
            return -1;
        }
        rows = cols;
    }
    const char *rest = s + n;
    bool two_stage = strcmp(rest, ":2stage") == 0;
    if (*rest && !two_stage) {
        sip_error_set(err, SIP_EINVAL, spec, 0, "mesh spec suffix '%s' (expected :2stage or nothing)", rest);
        return -1;
    }
    sip_mesh_params_t p;
    sip_mesh_params_booksim(&p, cols, two_stage);
    p.rows = rows;
    if (endpoints > 0)
        p.endpoints_per_node = endpoints;
    return sip_network_mesh(&p, out, err) == SIP_OK ? 0 : -1;
}

static int node_by_name(const sip_network_t *net, const sip_package_t *pkg, const char *name)
{
    if (pkg) {
        int inst = sip_package_find_instance(pkg, name);
        if (inst >= 0)
            return net->instance_node[inst];
    }
    for (int v = 0; v < net->n_nodes; v++)
        if (strcmp(net->nodes[v].name, name) == 0)
            return v;
    char *end;
    long v = strtol(name, &end, 10);
    return (*name && !*end && v >= 0 && v < net->n_nodes) ? (int)v : -1;
}

static const char *port_name(const sip_network_t *net, sip_bottleneck_t b, char *buf, size_t size)
{
    if (b.kind == SIP_PORT_CHANNEL) {
        const sip_channel_t *c = &net->channels[b.index];
        snprintf(buf, size, "%s->%s", net->nodes[c->from].name, net->nodes[c->to].name);
    } else {
        const sip_endpoint_t *e = &net->endpoints[b.index];
        snprintf(buf, size, "%s %s.%d", b.kind == SIP_PORT_INJECT ? "inject" : "eject",
                 net->nodes[e->node].name, e->local);
    }
    return buf;
}

static void print_text(FILE *out, const sip_network_t *net, const sip_routes_t *routes,
                       const sip_demand_matrix_t *d, const char *pattern,
                       const sip_traffic_result_t *r, bool flows)
{
    const char *unit = strcmp(pattern, "workload") == 0 ? "x the workload's demand at its step rate"
                       : d->load_in_GBps ? "GB/s per source" : "of injection bandwidth";
    fprintf(out, "network %s: %d nodes, %d channels, %d endpoints; routing %s; pattern %s, load %g %s\n",
            net->name, net->n_nodes, net->n_channels, net->n_endpoints,
            sip_routing_name(routes->algorithm), pattern, d->load, unit);
    fprintf(out, "injected %.6g GB/s, ejected %.6g GB/s, mean hops %.4f, channel load sum %.6g GB/s\n",
            r->injected_GBps, r->ejected_GBps, r->mean_hops, r->channel_GBps_sum);
    fprintf(out, "max utilization %.4f%%; saturation at %.6g x this demand = load %.6g %s\n",
            100.0 * r->max_util, r->saturation_scale, r->saturation_load, unit);
    fprintf(out, "bottlenecks (%d):", r->n_bottlenecks);
    char buf[160];
    for (int b = 0; b < r->n_bottlenecks && b < 16; b++)
        fprintf(out, " %s", port_name(net, r->bottlenecks[b], buf, sizeof buf));
    fprintf(out, "%s\n", r->n_bottlenecks > 16 ? " ..." : "");
    fprintf(out, "latency: zero-load mean %.4f ns, with queueing (M/D/1 per port) mean %.4f ns\n",
            r->mean_zero_load_ns, r->mean_latency_ns);
    fprintf(out, "D2D power %.6g W, %.6g pJ per byte delivered\n\n", r->d2d_power_w,
            r->energy_pj_per_byte);
    fprintf(out, "%-28s %12s %12s %8s %11s\n", "channel", "capacity_GBps", "load_GBps", "util_%",
            "latency_ns");
    for (int c = 0; c < net->n_channels; c++) {
        const sip_channel_t *ch = &net->channels[c];
        snprintf(buf, sizeof buf, "%s->%s", net->nodes[ch->from].name, net->nodes[ch->to].name);
        fprintf(out, "%-28s %12.6g %12.6g %8.3f %11.4g\n", buf, ch->capacity_GBps, r->channel_GBps[c],
                100.0 * r->channel_util[c], ch->latency_ns);
    }
    if (flows) {
        fprintf(out, "\n%-24s %-24s %12s %8s %12s %12s\n", "src", "dst", "GBps", "hops", "t0_ns",
                "latency_ns");
        for (int i = 0; i < d->n_flows; i++) {
            const sip_flow_t *f = &d->flows[i];
            char s[80], t[80];
            snprintf(s, sizeof s, "%s.%d", net->nodes[net->endpoints[f->src].node].name, net->endpoints[f->src].local);
            snprintf(t, sizeof t, "%s.%d", net->nodes[net->endpoints[f->dst].node].name, net->endpoints[f->dst].local);
            fprintf(out, "%-24s %-24s %12.6g %8.3f %12.6g %12.6g\n", s, t, f->GBps, r->flow_hops[i],
                    r->flow_zero_load_ns[i], r->flow_latency_ns[i]);
        }
    }
}

/* JSON numbers: jansson cannot encode inf; saturation of an empty demand is reported as null. */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static void print_json(FILE *out, const sip_network_t *net, const sip_routes_t *routes,
                       const sip_demand_matrix_t *d, const char *pattern, const sip_traffic_result_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "network", json_string(net->name));
    json_object_set_new(o, "routing", json_string(sip_routing_name(routes->algorithm)));
    json_object_set_new(o, "pattern", json_string(pattern));
    json_object_set_new(o, "load", num(d->load));
    json_object_set_new(o, "load_in_GBps", json_boolean(d->load_in_GBps));
    json_object_set_new(o, "injected_GBps", num(r->injected_GBps));
    json_object_set_new(o, "ejected_GBps", num(r->ejected_GBps));
    json_object_set_new(o, "channel_GBps_sum", num(r->channel_GBps_sum));
    json_object_set_new(o, "mean_hops", num(r->mean_hops));
    json_object_set_new(o, "max_utilization", num(r->max_util));
    json_object_set_new(o, "saturation_scale", num(r->saturation_scale));
    json_object_set_new(o, "saturation_load", num(r->saturation_load));
    json_object_set_new(o, "mean_zero_load_ns", num(r->mean_zero_load_ns));
    json_object_set_new(o, "mean_latency_ns", num(r->mean_latency_ns));
    json_object_set_new(o, "queueing_model", json_string("M/D/1 per port"));
    json_object_set_new(o, "d2d_power_w", num(r->d2d_power_w));
    json_object_set_new(o, "energy_pj_per_byte", num(r->energy_pj_per_byte));
    char buf[160];
    json_t *bn = json_array();
    for (int b = 0; b < r->n_bottlenecks; b++)
        json_array_append_new(bn, json_pack("{s:s, s:o}", "port", port_name(net, r->bottlenecks[b], buf, sizeof buf),
                                            "utilization", num(r->bottlenecks[b].utilization)));
    json_object_set_new(o, "bottlenecks", bn);
    json_t *ch = json_array();
    for (int c = 0; c < net->n_channels; c++) {
        const sip_channel_t *x = &net->channels[c];
        json_array_append_new(ch, json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "from",
                                            net->nodes[x->from].name, "to", net->nodes[x->to].name,
                                            "link", x->link, "capacity_GBps", num(x->capacity_GBps),
                                            "load_GBps", num(r->channel_GBps[c]), "utilization",
                                            num(r->channel_util[c]), "latency_ns", num(x->latency_ns)));
    }
    json_object_set_new(o, "channels", ch);
    json_t *fl = json_array();
    for (int i = 0; i < d->n_flows; i++)
        json_array_append_new(fl, json_pack("{s:i, s:i, s:o, s:o, s:o, s:o}", "src", d->flows[i].src,
                                            "dst", d->flows[i].dst, "GBps", num(d->flows[i].GBps),
                                            "hops", num(r->flow_hops[i]), "zero_load_ns",
                                            num(r->flow_zero_load_ns[i]), "latency_ns",
                                            num(r->flow_latency_ns[i])));
    json_object_set_new(o, "flows", fl);
    cli_print_json(out, o, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
}

static int write_curve(const char *path, const sip_network_t *net, const sip_routes_t *routes,
                       const sip_demand_matrix_t *d, const sip_traffic_options_t *opts,
                       const sip_traffic_result_t *r, int points)
{
    FILE *f = cli_open_output(path);
    if (!f)
        return CLI_EXIT_INPUT;
    fprintf(f, "fraction_of_saturation,load,max_utilization,mean_latency_ns\n");
    if (isfinite(r->saturation_scale))
        for (int i = 0; i <= points; i++) {
            /* points evenly spaced below saturation, the last one at 99 % */
            double frac = i < points ? (double)i / points : 0.99;
            double scale = frac * r->saturation_scale;
            fprintf(f, "%.6g,%.9g,%.9g,%.9g\n", frac, d->load * scale, r->max_util * scale,
                    sip_traffic_mean_latency_at(net, routes, d, opts, r, scale));
        }
    cli_close_output(f);
    return CLI_EXIT_OK;
}

/* The package workload's D2D demand (GB/s at its step rate, routed as `alg` in the workload
 * evaluation too) on net, times scale. */
static sip_status_t workload_demand(const sip_package_t *pkg, const sip_network_t *net,
                                    sip_routing_t alg, double scale, sip_demand_matrix_t **out,
                                    sip_error_t *err)
{
    *out = NULL;
    if (!(scale >= 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "--load %g (expected a scale >= 0 of the workload's demand)", scale);
    sip_workload_options_t wo;
    sip_workload_options_init(&wo);
    wo.routing = alg;
    sip_workload_result_t *wr = NULL;
    SIP_TRY(sip_workload_evaluate(pkg, NULL, NULL, &wo, &wr, err));
    sip_status_t st = sip_workload_demand(net, wr, out, err);
    sip_workload_result_destroy(wr);
    if (st != SIP_OK)
        return st;
    for (int i = 0; i < (*out)->n_flows; i++)
        (*out)->flows[i].GBps *= scale;
    (*out)->load = scale;
    (*out)->load_in_GBps = false;
    return SIP_OK;
}

/* A package whose only node on the die-to-die graph is one die (the rest attached to it). */
static bool single_die(const sip_package_t *pkg)
{
    int dies = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        dies += pkg->instances[i].attached_to < 0;
    return dies == 1 && pkg->n_links == 0;
}

int cmd_traffic(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim traffic FILE [--pattern P] [--load X] [--load-GBps] [--routing R]\n"
               "         [--packet-bytes B] [--endpoints N] [--hotspot NAME]... [--hotspot-fraction F]\n"
               "         [--router-clock GHZ] [--router-cycles N] [--routes] [--flows] [--json]\n"
               "         [--curve FILE.csv] [--points N] [-o FILE]\n"
               "FILE: a package, or mesh:CxR[:2stage] (BookSim2 reference mesh: GB/s = flits/cycle, ns = cycles)\n"
               "patterns:");
        for (int i = 0; i < sip_pattern_count(); i++)
            printf(" %s", sip_pattern_get(i)->name);
        printf(" workload (the package's workload section, at its step rate; --load scales it)");
        printf("\nrouting: minimal ecmp dor updown\n");
        return CLI_EXIT_OK;
    }
    traffic_args_t a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    sip_error_t err;
    sip_error_clear(&err);
    sip_package_t *pkg = NULL;
    sip_network_t *net = NULL;
    sip_routes_t *routes = NULL;
    sip_demand_matrix_t *d = NULL;
    sip_traffic_result_t *res = NULL;
    FILE *out = NULL;
    rc = CLI_EXIT_INPUT;
    int m = mesh_from_spec(a.file, a.endpoints, &net, &err);
    if (m < 0)
        goto fail;
    if (m > 0) {
        if (cli_load_package(a.file, &common, &pkg) != CLI_EXIT_OK)
            goto out;
        if (single_die(pkg)) {
            /* One die (HBM on its own PHY): nothing crosses a UCIe link.  That is a result,
             * not an error (issue 17: H100, A100, ... as packages). */
            out = cli_open_output(common.output);
            if (!out)
                goto out;
            if (common.json)
                fprintf(out, "{\n  \"network\": \"%s\",\n  \"nodes\": 1,\n  \"channels\": 0,\n"
                             "  \"offered_GBps\": 0.0,\n  \"max_util\": 0.0,\n  \"note\": \"one "
                             "die: no die-to-die traffic\"\n}\n", pkg->name);
            else
                fprintf(out, "network %s: 1 die, no UCIe links: no die-to-die traffic (0 GB/s "
                             "offered, every channel idle)\n", pkg->name);
            rc = CLI_EXIT_OK;
            goto out;
        }
        sip_network_options_t no = {.endpoints_per_chiplet = a.endpoints,
                                    .router_cycles = a.router_cycles,
                                    .router_clock_ghz = a.router_clock_ghz};
        if (sip_network_from_package(pkg, &no, &net, &err) != SIP_OK)
            goto fail;
    }
    sip_pattern_params_t params;
    if (pkg) {
        if (sip_pattern_params_from_package(net, pkg, &params, &err) != SIP_OK)
            goto fail;
    } else {
        sip_pattern_params_init(&params);
    }
    const char *pattern = a.pattern ? a.pattern : pkg && pkg->traffic.pattern[0] ? pkg->traffic.pattern : "uniform";
    if (a.load_set) {
        params.load = a.load;
        params.load_in_GBps = a.load_in_GBps;
    } else if (a.load_in_GBps) {
        params.load_in_GBps = true;
    }
    if (a.hotspot_fraction > 0.0)
        params.hotspot_fraction = a.hotspot_fraction;
    if (a.n_hotspots > 0) {
        params.n_hotspots = 0;
        for (int i = 0; i < a.n_hotspots; i++) {
            int v = node_by_name(net, pkg, a.hotspots[i]);
            if (v < 0) {
                rc = cli_usage(argv[0], "--hotspot %s: no such instance or node", a.hotspots[i]);
                goto out;
            }
            params.hotspots[params.n_hotspots++] = v;
        }
    }
    sip_routing_t alg = pkg ? SIP_ROUTING_MINIMAL : SIP_ROUTING_DOR;
    if (a.routing) {
        int idx = sip_routing_lookup(a.routing);
        if (idx < 0) {
            rc = cli_usage(argv[0], "--routing %s (expected minimal, ecmp, dor or updown)", a.routing);
            goto out;
        }
        alg = (sip_routing_t)idx;
    }
    if (sip_routes_compute(net, alg, NULL, &routes, &err) != SIP_OK)
        goto fail;
    out = cli_open_output(common.output);
    if (!out)
        goto out;
    if (a.routes) {
        char *text = NULL;
        if (sip_routes_format(net, routes, common.json, &text, &err) != SIP_OK)
            goto fail;
        fputs(text, out);
        if (common.json)
            fputc('\n', out);
        free(text);
        rc = CLI_EXIT_OK;
        goto out;
    }
    if (strcmp(pattern, "workload") == 0) {
        if (!pkg) {
            rc = cli_usage(argv[0], "--pattern workload needs a package FILE with a workload section");
            goto out;
        }
        if (workload_demand(pkg, net, alg, a.load_set ? a.load : 1.0, &d, &err) != SIP_OK)
            goto fail;
    } else if (sip_demand_build(net, pattern, &params, &d, &err) != SIP_OK) {
        goto fail;
    }
    sip_traffic_options_t topts = {.packet_bytes = a.packet_bytes};
    if (sip_traffic_evaluate(net, routes, d, &topts, &res, &err) != SIP_OK)
        goto fail;
    if (common.json)
        print_json(out, net, routes, d, pattern, res);
    else
        print_text(out, net, routes, d, pattern, res, a.flows);
    rc = CLI_EXIT_OK;
    if (a.curve)
        rc = write_curve(a.curve, net, routes, d, &topts, res, a.points);
    goto out;
fail:
    cli_print_error(&err);
    rc = CLI_EXIT_INPUT;
out:
    if (out)
        cli_close_output(out);
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);
    sip_routes_destroy(routes);
    sip_network_destroy(net);
    sip_package_destroy(pkg);
    return rc;
}

/* ---- benchmark ---------------------------------------------------------------------------- */

/* The cols x rows packages of the benchmark, built in code so the figures do not depend on data
 * files: 10 mm compute tiles 1 mm apart, a UCIe-A x64 module at 16 GT/s between neighbours. */
static sip_status_t bench_package(int cols, int rows, sip_package_t **out, sip_error_t *err)
{
    sip_package_t *pkg = NULL;
    SIP_TRY(sip_package_create(&pkg, err));
    snprintf(pkg->name, sizeof pkg->name, "bench%dx%d", rows, cols);
    pkg->substrate.kind = SIP_SUBSTRATE_INTERPOSER;
    pkg->substrate.width_mm = 2.0 + 11.0 * cols;
    pkg->substrate.height_mm = 2.0 + 11.0 * rows;
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    snprintf(t.name, sizeof t.name, "tile");
    t.width_mm = t.height_mm = 10.0;
    t.tdp_w = 100.0;
    t.n_engines = 1;
    t.engines[0].count = 1;
    t.engines[0].clock_ghz = 2.0;
    for (int e = 0; e < 4; e++) {
        sip_port_t *p = &t.ports[t.n_ports++];
        snprintf(p->name, sizeof p->name, "p%d", e);
        p->edge = (sip_edge_t)e;
        p->position_mm = 5.0;
        p->package = SIP_UCIE_ADVANCED;
        p->modules = 1;
        p->max_rate_gtps = 32.0;
        p->bump_pitch_um = 45.0;
    }
    sip_status_t st = sip_package_add_type(pkg, &t, err) < 0 ? SIP_EINVAL : SIP_OK;
    const int n = cols * rows;
    for (int i = 0; i < n && st == SIP_OK; i++) {
        sip_instance_t in;
        sip_instance_init(&in);
        snprintf(in.name, sizeof in.name, "t%d", i);
        in.type = 0;
        in.x_mm = 1.0 + 11.0 * (i % cols);
        in.y_mm = 1.0 + 11.0 * (i / cols);
        if (sip_package_add_instance(pkg, &in, err) < 0)
            st = SIP_EINVAL;
    }
    for (int i = 0; i < n && st == SIP_OK; i++)
        for (int dir = 0; dir < 2 && st == SIP_OK; dir++) {
            if ((dir == 0 && i % cols == cols - 1) || (dir == 1 && i >= n - cols))
                continue;
            sip_link_t l;
            sip_link_init(&l);
            snprintf(l.name, sizeof l.name, "l%d_%d", i, dir);
            l.from_instance = i;
            l.to_instance = dir == 0 ? i + 1 : i + cols;
            l.from_port = dir == 0 ? SIP_EDGE_EAST : SIP_EDGE_NORTH;
            l.to_port = dir == 0 ? SIP_EDGE_WEST : SIP_EDGE_SOUTH;
            l.package = SIP_UCIE_ADVANCED;
            l.rate_gtps = 16.0;
            if (sip_package_add_link(pkg, &l, err) < 0)
                st = SIP_EINVAL;
        }
    if (st != SIP_OK) {
        sip_package_destroy(pkg);
        return st;
    }
    *out = pkg;
    return SIP_OK;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One evaluation: routing + demand + loads + latency (+ the network when pkg is given). */
static sip_status_t one_eval(const sip_package_t *pkg, const sip_network_t *fixed, sip_routing_t alg,
                             double *sink, sip_error_t *err)
{
    sip_network_t *own = NULL;
    const sip_network_t *net = fixed;
    if (pkg) {
        SIP_TRY(sip_network_from_package(pkg, NULL, &own, err));
        net = own;
    }
    sip_routes_t *r = NULL;
    sip_demand_matrix_t *d = NULL;
    sip_traffic_result_t *res = NULL;
    sip_pattern_params_t p;
    sip_pattern_params_init(&p);
    sip_status_t st = sip_routes_compute(net, alg, NULL, &r, err);
    if (st == SIP_OK)
        st = sip_demand_build(net, "uniform", &p, &d, err);
    if (st == SIP_OK)
        st = sip_traffic_evaluate(net, r, d, NULL, &res, err);
    if (st == SIP_OK)
        *sink += res->mean_latency_ns + res->saturation_load;
    sip_traffic_result_destroy(res);
    sip_demand_destroy(d);
    sip_routes_destroy(r);
    sip_network_destroy(own);
    return st;
}

int bench_traffic(int argc, char **argv)
{
    int repeats = 7;
    double batch_s = 0.3;
    const char *file = NULL;
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (strcmp(argv[i], "--batch-seconds") == 0 && i + 1 < argc)
            batch_s = atof(argv[++i]);
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "usage: sipsim bench traffic [PACKAGE] [--repeats N] [--batch-seconds S]\n");
            return CLI_EXIT_INPUT;
        }
    }
    if (repeats < 1 || repeats > 1000 || !(batch_s > 0.0) || batch_s > 60.0) {
        fprintf(stderr, "sipsim bench traffic: --repeats 1..1000, --batch-seconds (0, 60]\n");
        return CLI_EXIT_INPUT;
    }
    sip_error_t err;
    sip_error_clear(&err);
    sip_package_t *pkg = NULL, *big = NULL;
    sip_network_t *pkg_net = NULL, *mesh = NULL;
    sip_mesh_params_t mp;
    sip_mesh_params_booksim(&mp, 8, false);
    sip_package_t *user = NULL;
    sip_network_t *user_net = NULL;
    if (file && cli_load_package(file, &common, &user) != CLI_EXIT_OK)
        return CLI_EXIT_INPUT;
    if (bench_package(4, 2, &pkg, &err) != SIP_OK || bench_package(8, 8, &big, &err) != SIP_OK ||
        sip_network_from_package(pkg, NULL, &pkg_net, &err) != SIP_OK ||
        sip_network_mesh(&mp, &mesh, &err) != SIP_OK ||
        (user && sip_network_from_package(user, NULL, &user_net, &err) != SIP_OK)) {
        cli_print_error(&err);
        sip_package_destroy(pkg);
        sip_package_destroy(big);
        sip_package_destroy(user);
        sip_network_destroy(pkg_net);
        sip_network_destroy(mesh);
        return CLI_EXIT_INPUT;
    }
    char user_name[SIP_NAME_MAX + 48];
    snprintf(user_name, sizeof user_name, "%s (%d chiplets), minimal, uniform", user ? user->name : "",
             user_net ? user_net->n_nodes : 0);
    const struct {
        const char *name;
        const sip_package_t *pkg;
        const sip_network_t *net;
        sip_routing_t alg;
        double target;
    } cases[] = {
        {"2x4 package, minimal routing, uniform", NULL, pkg_net, SIP_ROUTING_MINIMAL, 20000},
        {"2x4 package incl. network from package + UCIe", pkg, NULL, SIP_ROUTING_MINIMAL, 20000},
        {"8x8 mesh (64 chiplets), dor, uniform", NULL, mesh, SIP_ROUTING_DOR, 500},
        {"8x8 mesh (64 chiplets), minimal, uniform", NULL, mesh, SIP_ROUTING_MINIMAL, 500},
        {"8x8 mesh (64 chiplets), up*/down*, uniform", NULL, mesh, SIP_ROUTING_UPDOWN, 500},
        {"8x8 package incl. network from package + UCIe", big, NULL, SIP_ROUTING_MINIMAL, 500},
        {user_name, NULL, user_net, SIP_ROUTING_MINIMAL, 0},
    };
    printf("traffic evaluations per CPU-second (routing + demand + loads + latency), one thread;\n"
           "%d batches of >= %.2g s each, median [min, max]\n", repeats, batch_s);
    double sink = 0.0;
    double *rates = malloc((size_t)repeats * sizeof *rates);
    int rc = CLI_EXIT_OK;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0] && rates && rc == CLI_EXIT_OK; c++) {
        if (!cases[c].net && !cases[c].pkg)
            continue; /* no PACKAGE given */
        for (int b = 0; b < repeats && rc == CLI_EXIT_OK; b++) {
            long n = 0;
            double t0 = cpu_seconds(), t = t0;
            while (t - t0 < batch_s) {
                for (int k = 0; k < 16; k++, n++)
                    if (one_eval(cases[c].pkg, cases[c].net, cases[c].alg, &sink, &err) != SIP_OK) {
                        cli_print_error(&err);
                        rc = CLI_EXIT_INPUT;
                        break;
                    }
                if (rc != CLI_EXIT_OK)
                    break;
                t = cpu_seconds();
            }
            rates[b] = n / (t - t0);
        }
        if (rc != CLI_EXIT_OK)
            break;
        qsort(rates, (size_t)repeats, sizeof *rates, cli_cmp_double);
        double med = repeats % 2 ? rates[repeats / 2] : 0.5 * (rates[repeats / 2 - 1] + rates[repeats / 2]);
        printf("  %-50s %10.0f /s  [%.0f, %.0f]", cases[c].name, med, rates[0], rates[repeats - 1]);
        if (cases[c].target > 0)
            printf("  target %.0f: %s", cases[c].target, med >= cases[c].target ? "met" : "NOT met");
        printf("\n");
    }
    /* keep the results observable so the evaluations cannot be optimised away */
    volatile double keep = sink;
    (void)keep;
    free(rates);
    sip_network_destroy(user_net);
    sip_package_destroy(user);
    sip_network_destroy(mesh);
    sip_network_destroy(pkg_net);
    sip_package_destroy(pkg);
    sip_package_destroy(big);
    return rc;
}
