/* sipsim netsim: the cycle-level flit simulator from the command line, and `sipsim bench netsim`.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"

static void print_result_text(FILE *out, const sip_netsim_result_t *r)
{
    fprintf(out,
            "offered %.4g flits/node/cycle: %s\n"
            "  packet latency  mean %.4f  p50 %.0f  p99 %.0f  max %.0f cycles (%lld packets)\n"
            "  network latency mean %.4f  p50 %.0f  p99 %.0f cycles\n"
            "  flit latency mean %.4f, hops (routers) %.4f\n"
            "  injected %.5f  accepted %.5f flits/node/cycle\n"
            "  %lld cycles simulated, %lld measured; flit errors %lld, replayed flits %lld\n",
            r->offered, sip_netsim_run_status_name(r->status), r->packet.mean, r->packet.p50, r->packet.p99,
            r->packet.max, (long long)r->packet.count, r->network.mean, r->network.p50, r->network.p99,
            r->flit_latency_mean, r->hops_mean, r->injected, r->accepted, (long long)r->cycles,
            (long long)r->measure_cycles, (long long)r->flit_errors, (long long)r->replayed_flits);
}

static const char csv_header[] =
    "offered,status,packet_latency_mean,packet_latency_p50,packet_latency_p99,network_latency_mean,"
    "network_latency_p50,network_latency_p99,flit_latency_mean,hops_mean,injected,accepted,cycles,"
    "measure_cycles,flit_errors,replayed_flits\n";

static void print_result_csv(FILE *out, const sip_netsim_result_t *r)
{
    fprintf(out, "%.6g,%s,%.6g,%.0f,%.0f,%.6g,%.0f,%.0f,%.6g,%.6g,%.6g,%.6g,%lld,%lld,%lld,%lld\n", r->offered,
            sip_netsim_run_status_name(r->status), r->packet.mean, r->packet.p50, r->packet.p99, r->network.mean,
            r->network.p50, r->network.p99, r->flit_latency_mean, r->hops_mean, r->injected, r->accepted,
            (long long)r->cycles, (long long)r->measure_cycles, (long long)r->flit_errors,
            (long long)r->replayed_flits);
}

/* --json: the envelope here, each point as the library writes it (sip_netsim_result_to_json). */
static int print_json(FILE *out, const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                      const sip_netsim_result_t *res, int n, bool sweep)
{
    json_t *name = json_string(net->name), *points = json_array();
    json_t *o = json_pack("{s:o, s:i, s:i, s:i, s:s}", "network", name ? name : json_null(),
                          "routers", net->n_routers, "nodes", net->n_nodes, "packet_size",
                          cfg->packet_size, "pattern", sip_netsim_pattern_name(cfg->pattern));
    bool ok = o && points;
    if (ok && sweep) {
        double sat = sip_netsim_saturation(res, n);
        ok = json_object_set_new(o, "saturation", isfinite(sat) ? json_real(sat) : json_null()) == 0;
    }
    for (int i = 0; ok && i < n; i++) {
        char *text = NULL;
        ok = sip_netsim_result_to_json(net, &res[i], &text, NULL) == SIP_OK &&
             json_array_append_new(points, json_loads(text, 0, NULL)) == 0;
        sip_free(text);
    }
    if (ok) {
        ok = json_object_set_new(o, "points", points) == 0;
        points = NULL;
    }
    json_decref(points);
    if (!ok) {
        json_decref(o);
        fprintf(stderr, "sipsim netsim: cannot build the JSON output\n");
        return CLI_EXIT_INPUT;
    }
    cli_print_json(out, o, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    return CLI_EXIT_OK;
}

static void sweep_progress(void *user, const sip_netsim_result_t *p)
{
    (void)user;
    fprintf(stderr, "netsim: offered %.4g -> %s, latency %.2f, accepted %.4f\n", p->offered,
            sip_netsim_run_status_name(p->status), p->packet.mean, p->accepted);
}

static int parse_double_arg(const char *cmd, const char *opt, const char *v, double *out)
{
    char *end;
    *out = strtod(v, &end);
    if (end == v || *end)
        return cli_usage(cmd, "%s %s: expected a number", opt, v);
    return 0;
}

int cmd_netsim(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim netsim FILE [--rate R | --sweep] [--json] [--csv] [options]\n"
               "  FILE is a package; --booksim CFG runs a BookSim2 config instead, --mesh K a K x K mesh\n"
               "  -p, --packet-size P      flits per packet (default 1)\n"
               "  --pattern NAME           uniform transpose bitcomp bitrev shuffle tornado neighbor\n"
               "  --seed S                 random seed (default 0)\n"
               "  --set KEY=VALUE          any BookSim2 router/traffic/statistics key (repeatable);\n"
               "                           force_general_router=1 turns off the single-cycle router\n"
               "                           fast path (same results, slower; for cross-checking)\n"
               "  --sweep                  load sweep as run.sh (0.05 steps, then 0.01) to saturation\n"
               "  --clock-ghz G, --flit-bytes B, --endpoints E   package network (1 GHz, 32 B, 1;\n"
               "                           B = 0: the package's UCIe flit); links, routes (minimal) and\n"
               "                           endpoints as the analytic engine (sipsim traffic) builds them\n"
               "  --export-booksim DIR     write DIR/<name>.anynet and DIR/<name>.cfg and stop\n");
        return CLI_EXIT_OK;
    }
    const char *file = NULL, *booksim = NULL, *export_dir = NULL;
    int mesh_k = 0, endpoints = 0, flit_bytes = 32;
    double rate = -1, clock_ghz = 1.0;
    bool sweep = false, csv = false;
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    const char *sets[64];
    int n_sets = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool has_arg = true;
        double d;
        if (strcmp(a, "--sweep") == 0) {
            sweep = true;
            has_arg = false;
        } else if (strcmp(a, "--csv") == 0) {
            csv = true;
            has_arg = false;
        } else if (a[0] != '-') {
            if (file)
                return cli_usage("netsim", "more than one FILE");
            file = a;
            has_arg = false;
        } else if (!v) {
            return cli_usage("netsim", "option %s needs an argument", a);
        } else if (strcmp(a, "--rate") == 0) {
            if (parse_double_arg("netsim", a, v, &rate))
                return CLI_EXIT_INPUT;
        } else if (strcmp(a, "--booksim") == 0) {
            booksim = v;
        } else if (strcmp(a, "--mesh") == 0) {
            mesh_k = atoi(v);
        } else if (strcmp(a, "-p") == 0 || strcmp(a, "--packet-size") == 0 || strcmp(a, "--pattern") == 0 ||
                   strcmp(a, "--seed") == 0) {
            if (n_sets >= 60)
                return cli_usage("netsim", "too many settings");
            static char buf[8][128];
            static int nb = 0;
            const char *key = a[1] == 'p' && a[2] == 0 ? "packet_size"
                              : strcmp(a, "--packet-size") == 0 ? "packet_size"
                              : strcmp(a, "--pattern") == 0 ? "traffic" : "seed";
            snprintf(buf[nb & 7], sizeof buf[0], "%s=%s", key, v);
            sets[n_sets++] = buf[nb++ & 7];
        } else if (strcmp(a, "--set") == 0) {
            if (n_sets >= 60)
                return cli_usage("netsim", "too many settings");
            sets[n_sets++] = v;
        } else if (strcmp(a, "--clock-ghz") == 0) {
            if (parse_double_arg("netsim", a, v, &clock_ghz))
                return CLI_EXIT_INPUT;
        } else if (strcmp(a, "--flit-bytes") == 0) {
            if (parse_double_arg("netsim", a, v, &d))
                return CLI_EXIT_INPUT;
            flit_bytes = (int)d;
        } else if (strcmp(a, "--endpoints") == 0) {
            if (parse_double_arg("netsim", a, v, &d))
                return CLI_EXIT_INPUT;
            endpoints = (int)d;
        } else if (strcmp(a, "--export-booksim") == 0) {
            export_dir = v;
        } else {
            return cli_usage("netsim", "unknown option %s", a);
        }
        if (has_arg)
            i++;
    }
    if (!!file + !!booksim + (mesh_k > 0) != 1)
        return cli_usage("netsim", "give exactly one of FILE, --booksim CFG, --mesh K");
    if (sweep && rate >= 0)
        return cli_usage("netsim", "--rate and --sweep exclude each other");

    sip_error_t err;
    sip_error_clear(&err);
    sip_netsim_net_t *net = NULL;
    sip_package_t *pkg = NULL;
    sip_status_t st;
    if (booksim) {
        st = sip_netsim_booksim_read(booksim, &cfg, &net, &err);
    } else if (mesh_k > 0) {
        st = sip_netsim_net_mesh(mesh_k, &net, &err);
    } else {
        int rc = cli_load_package(file, &common, &pkg);
        if (rc != CLI_EXIT_OK)
            return rc;
        st = sip_netsim_net_from_package(pkg, endpoints, clock_ghz, flit_bytes, &net, &err);
        sip_package_destroy(pkg);
    }
    if (st != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    for (int i = 0; i < n_sets && st == SIP_OK; i++) {
        char kv[256];
        snprintf(kv, sizeof kv, "%s", sets[i]);
        char *eq = strchr(kv, '=');
        if (!eq) {
            sip_netsim_net_destroy(net);
            return cli_usage("netsim", "--set %s: expected KEY=VALUE", sets[i]);
        }
        *eq = 0;
        st = sip_netsim_config_set(&cfg, kv, eq + 1, &err);
    }
    if (st != SIP_OK) {
        cli_print_error(&err);
        sip_netsim_net_destroy(net);
        return CLI_EXIT_INPUT;
    }
    if (rate >= 0)
        cfg.injection_rate = rate;
    int rc = CLI_EXIT_OK;
    if (export_dir) {
        if (cli_mkdir_parents(export_dir) != 0) {
            sip_netsim_net_destroy(net);
            return CLI_EXIT_INPUT;
        }
        st = sip_netsim_export_booksim(net, &cfg, export_dir, net->name[0] ? net->name : "network", &err);
        if (st != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
        } else {
            fprintf(stderr, "netsim: wrote %s/%s.anynet and .cfg\n", export_dir, net->name);
        }
        sip_netsim_net_destroy(net);
        return rc;
    }
    FILE *out = cli_open_output(common.output);
    if (!out) {
        sip_netsim_net_destroy(net);
        return CLI_EXIT_INPUT;
    }
    sip_netsim_result_t *res = NULL;
    int n = 0;
    if (sweep) {
        sip_netsim_sweep_t sw = {0.05, 0.05, 0.01, 1.0};
        st = sip_netsim_sweep_run(net, &cfg, &sw, sweep_progress, NULL, &res, &n, &err);
    } else {
        res = calloc(1, sizeof *res);
        st = res ? sip_netsim_run(net, &cfg, res, &err) : SIP_ENOMEM;
        n = st == SIP_OK ? 1 : 0;
    }
    if (st != SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
    } else if (common.json) {
        rc = print_json(out, net, &cfg, res, n, sweep);
    } else if (csv) {
        fputs(csv_header, out);
        for (int i = 0; i < n; i++)
            print_result_csv(out, &res[i]);
    } else {
        fprintf(out, "netsim %s: %d routers, %d nodes, %d channels; %s, %d-flit packets\n", net->name, net->n_routers,
                net->n_nodes, net->n_channels, sip_netsim_pattern_name(cfg.pattern), cfg.packet_size);
        for (int i = 0; i < n; i++)
            print_result_text(out, &res[i]);
        if (sweep)
            fprintf(out, "saturation throughput %.4g flits/node/cycle\n", sip_netsim_saturation(res, n));
    }
    for (int i = 0; i < n; i++)
        sip_netsim_result_fini(&res[i]);
    free(res);
    cli_close_output(out);
    sip_netsim_net_destroy(net);
    return rc;
}

/* ---------------------------------------------------------------- sipsim bench netsim ---- */

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Simulated node-cycles per CPU second on the 8x8 mesh (shared/peers/booksim mesh8x8_uniform,
 * P = 1) at the loads BookSim2 was timed at: 0.2 and 0.38 flits/node/cycle.
 * To compare with BookSim2, time `booksim mesh8x8_uniform.cfg injection_rate=R packet_size=1`
 * and divide by its "Time taken is N cycles" x 64.  Both run 3 warm-up and 3 measurement periods
 * of 10000 cycles and drain (BookSim2 seed 0: 60143 cycles at 0.2, 60220 at 0.38; netsim: 60129
 * and 60172).  BookSim2 exits with status 255 after a successful run: main() returns
 * `result ? -1 : 0` with result = TrafficManager::Run() true on success (main.cpp:186). */
int bench_netsim(int argc, char **argv)
{
    int reps = 5;
    double rates[8] = {0.2, 0.38};
    int n_rates = 2, k = 8;
    bool user_rates = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) {
            if (!user_rates)
                n_rates = 0;
            user_rates = true;
            if (n_rates < 8)
                rates[n_rates++] = atof(argv[++i]);
        } else if (strcmp(argv[i], "--mesh") == 0 && i + 1 < argc) {
            k = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: sipsim bench netsim [--reps N] [--rate R]... [--mesh K]\n");
            return CLI_EXIT_INPUT;
        }
    }
    if (reps < 1 || reps > 1000 || k < 2 || k > 64)
        return cli_usage("bench", "netsim: --reps 1..1000, --mesh 2..64");
    sip_error_t err;
    sip_error_clear(&err);
    sip_netsim_net_t *net;
    if (sip_netsim_net_mesh(k, &net, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    printf("netsim bench: %dx%d mesh, uniform, 1-flit packets, BookSim2 mesh8x8_uniform.cfg settings, "
           "%d repetitions (median)\n", k, k, reps);
    printf("%-8s %-10s %-12s %-16s %-16s %-12s\n", "load", "latency", "cycles", "us/node-cycle",
           "node-cycles/s", "cpu s");
    double *t = malloc((size_t)reps * sizeof *t);
    int rc = t ? CLI_EXIT_OK : CLI_EXIT_INPUT;
    for (int ri = 0; ri < n_rates && rc == CLI_EXIT_OK; ri++) {
        sip_netsim_config_t cfg;
        sip_netsim_config_init(&cfg);
        cfg.injection_rate = rates[ri];
        sip_netsim_result_t res = {0};
        for (int r = 0; r < reps; r++) {
            sip_netsim_result_fini(&res);
            double t0 = cpu_seconds();
            if (sip_netsim_run(net, &cfg, &res, &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
                break;
            }
            t[r] = (cpu_seconds() - t0) / ((double)res.cycles * net->n_nodes);
        }
        if (rc != CLI_EXIT_OK)
            break;
        qsort(t, (size_t)reps, sizeof *t, cmp_double);
        double med = reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
        printf("%-8.3g %-10.4f %-12lld %-16.4f %-16.4g %-12.3f\n", rates[ri], res.packet.mean,
               (long long)res.cycles, med * 1e6, 1.0 / med, med * res.cycles * net->n_nodes);
        sip_netsim_result_fini(&res);
    }
    free(t);
    sip_netsim_net_destroy(net);
    return rc;
}
