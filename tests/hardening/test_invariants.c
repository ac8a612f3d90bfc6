/* Physical invariants the engines must keep whatever the input (issue 12): energy balance and
 * monotonicity in thermal, flow conservation in traffic and netsim, monotonicity of saturation
 * throughput in link bandwidth and of TPP in clock, and determinism (same input and seed, same
 * bytes).  Run on every shipped package where it is cheap.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <sys/wait.h>

#include "hardening.h"

#define GRID 16

/* ------------------------------------------------------------------ thermal */

static sip_thermal_model_t *thermal_model(const sip_package_t *pkg)
{
    sip_thermal_options_t opts = {.grid_rows = GRID, .grid_cols = GRID, .secondary_r_c_per_w = -1,
                                  .skip_power_caps = true};
    sip_thermal_model_t *model = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_thermal_model_create(pkg, &opts, &model, &err);
    cr_assert_eq(st, SIP_OK, "%s: %s", pkg->name, err.message);
    return model;
}

static sip_thermal_result_t *thermal_solve(sip_thermal_model_t *model, const double *power_w)
{
    sip_thermal_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_thermal_solve(model, power_w, &r, &err), SIP_OK, "%s", err.message);
    return r;
}

/* Steady state: the heat leaving through the ambient paths equals the power put in, and the
 * power put in is the dies' powers. */
Test(hardening_invariants, thermal_energy_balance_every_shipped_package)
{
    char names[HARD_MAX_SHIPPED][128];
    int n = hard_shipped(names);
    for (int i = 0; i < n; i++) {
        sip_package_t *pkg = hard_load_shipped(names[i]);
        sip_thermal_model_t *model = thermal_model(pkg);
        sip_thermal_result_t *r = thermal_solve(model, NULL);
        double dies_w = 0.0;
        for (int d = 0; d < r->n_dies; d++)
            dies_w += r->dies[d].power_w;
        cr_assert_gt(r->power_in_w, 0.0, "%s", names[i]);
        cr_assert_float_eq(r->power_in_w, dies_w, 1e-9 * dies_w, "%s: in %.12g W, dies %.12g W",
                           names[i], r->power_in_w, dies_w);
        cr_assert_float_eq(r->heat_out_w, r->power_in_w, 1e-6 * r->power_in_w,
                           "%s: in %.12g W, out %.12g W", names[i], r->power_in_w, r->heat_out_w);
        /* Nothing is colder than ambient when every source is non-negative. */
        int cells = r->n_layers * r->rows * r->cols;
        for (int c = 0; c < cells; c++)
            cr_assert_geq(r->t_c[c], r->ambient_c - 1e-9, "%s: cell %d %.6f C below ambient",
                          names[i], c, r->t_c[c]);
        sip_thermal_result_destroy(r);
        sip_thermal_model_destroy(model);
        sip_package_destroy(pkg);
    }
}

/* More power in any one die never lowers the temperature anywhere (the conductance matrix is
 * an M-matrix: its inverse has no negative entry). */
Test(hardening_invariants, thermal_more_power_never_lowers_temperature)
{
    const char *packages[] = {"default.cfg", "mi300x_like.cfg", "adv_2x2.cfg"};
    for (size_t k = 0; k < sizeof packages / sizeof packages[0]; k++) {
        sip_package_t *pkg = hard_load_shipped(packages[k]);
        sip_thermal_model_t *model = thermal_model(pkg);
        int n_dies = sip_thermal_model_n_dies(model);
        const double *p0 = sip_thermal_model_default_power(model);
        sip_thermal_result_t *base = thermal_solve(model, NULL);
        int cells = base->n_layers * base->rows * base->cols;
        double *p = malloc((size_t)n_dies * sizeof *p);
        cr_assert_not_null(p);
        for (int d = 0; d < n_dies; d++) {
            memcpy(p, p0, (size_t)n_dies * sizeof *p);
            p[d] += 5.0;
            sip_thermal_result_t *r = thermal_solve(model, p);
            for (int c = 0; c < cells; c++)
                cr_assert_geq(r->t_c[c], base->t_c[c] - 1e-9,
                              "%s: +5 W in die %s cooled cell %d from %.9f to %.9f C", packages[k],
                              sip_thermal_model_die_name(model, d), c, base->t_c[c], r->t_c[c]);
            cr_assert_gt(r->dies[d].t_max_c, base->dies[d].t_max_c, "%s: die %d", packages[k], d);
            sip_thermal_result_destroy(r);
        }
        free(p);
        sip_thermal_result_destroy(base);
        sip_thermal_model_destroy(model);
        sip_package_destroy(pkg);
    }
}

/* ------------------------------------------------------------------ traffic (analytic) */

typedef struct {
    sip_network_t *net;
    sip_routes_t *routes;
    sip_demand_matrix_t *demand;
} flows_t;

static void flows_build(const sip_package_t *pkg, sip_routing_t routing, const char *pattern,
                        flows_t *f)
{
    sip_error_t err;
    sip_error_clear(&err);
    memset(f, 0, sizeof *f);
    cr_assert_eq(sip_network_from_package(pkg, NULL, &f->net, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_routes_compute(f->net, routing, NULL, &f->routes, &err), SIP_OK, "%s: %s",
                 pkg->name, err.message);
    sip_pattern_params_t params;
    sip_pattern_params_init(&params);
    cr_assert_eq(sip_pattern_params_from_package(f->net, pkg, &params, &err), SIP_OK, "%s",
                 err.message);
    cr_assert_eq(sip_demand_build(f->net, pattern, &params, &f->demand, &err), SIP_OK, "%s",
                 err.message);
}

static void flows_free(flows_t *f)
{
    sip_demand_destroy(f->demand);
    sip_routes_destroy(f->routes);
    sip_network_destroy(f->net);
}

static sip_traffic_result_t *evaluate(const sip_network_t *net, const sip_routes_t *routes,
                                      const sip_demand_matrix_t *demand)
{
    sip_traffic_result_t *res = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_traffic_evaluate(net, routes, demand, NULL, &res, &err), SIP_OK, "%s",
                 err.message);
    return res;
}

/* At every router, what comes in (channels in + its endpoints' injection) goes out (channels
 * out + its endpoints' ejection); in total, injected = ejected = the demand; and the channel
 * loads add up to demand x hops. */
static void check_conservation(const char *what, const sip_network_t *net,
                               const sip_demand_matrix_t *demand, const sip_traffic_result_t *res)
{
    double total = 0.0;
    for (int i = 0; i < demand->n_flows; i++)
        total += demand->flows[i].GBps;
    double tol = 1e-9 * (1.0 + total);
    cr_assert_float_eq(res->injected_GBps, total, tol, "%s: injected %.12g of %.12g", what,
                       res->injected_GBps, total);
    cr_assert_float_eq(res->ejected_GBps, total, tol, "%s: ejected %.12g of %.12g", what,
                       res->ejected_GBps, total);
    double *balance = calloc((size_t)net->n_nodes, sizeof *balance);
    cr_assert_not_null(balance);
    for (int c = 0; c < net->n_channels; c++) {
        balance[net->channels[c].to] += res->channel_GBps[c];
        balance[net->channels[c].from] -= res->channel_GBps[c];
    }
    for (int e = 0; e < net->n_endpoints; e++) {
        balance[net->endpoints[e].node] += res->inject_GBps[e];
        balance[net->endpoints[e].node] -= res->eject_GBps[e];
    }
    for (int n = 0; n < net->n_nodes; n++)
        cr_assert_float_eq(balance[n], 0.0, tol, "%s: node %s gains %.12g GB/s", what,
                           net->nodes[n].name, balance[n]);
    free(balance);
    double hops = 0.0;
    for (int i = 0; i < demand->n_flows; i++)
        hops += demand->flows[i].GBps * res->flow_hops[i];
    double sum = 0.0;
    for (int c = 0; c < net->n_channels; c++)
        sum += res->channel_GBps[c];
    cr_assert_float_eq(sum, hops, 1e-9 * (1.0 + hops), "%s: channels %.12g, demand x hops %.12g",
                       what, sum, hops);
    cr_assert_float_eq(res->channel_GBps_sum, sum, 1e-9 * (1.0 + sum), "%s", what);
}

Test(hardening_invariants, traffic_flow_conservation_every_shipped_package)
{
    char names[HARD_MAX_SHIPPED][128];
    int n = hard_shipped(names);
    const sip_routing_t routings[] = {SIP_ROUTING_MINIMAL, SIP_ROUTING_ECMP, SIP_ROUTING_UPDOWN};
    const char *patterns[] = {"uniform", "alltoall"};
    for (int i = 0; i < n; i++) {
        sip_package_t *pkg = hard_load_shipped(names[i]);
        int vertices = 0;
        for (int k = 0; k < pkg->n_instances; k++)
            vertices += pkg->instances[k].attached_to < 0;
        if (vertices < 2) { /* a monolithic die (reference GPUs): no die-to-die traffic */
            sip_package_destroy(pkg);
            continue;
        }
        for (size_t r = 0; r < sizeof routings / sizeof routings[0]; r++) {
            for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
                flows_t f;
                flows_build(pkg, routings[r], patterns[p], &f);
                sip_traffic_result_t *res = evaluate(f.net, f.routes, f.demand);
                char what[8192 + 64];
                snprintf(what, sizeof what, "%s %s %s", names[i], sip_routing_name(routings[r]),
                         patterns[p]);
                check_conservation(what, f.net, f.demand, res);
                sip_traffic_result_destroy(res);
                flows_free(&f);
            }
        }
        sip_package_destroy(pkg);
    }
}

/* More bandwidth on any one channel never lowers the saturation throughput (same routes: the
 * load on every port is unchanged and one capacity grew). */
Test(hardening_invariants, traffic_more_bandwidth_never_lowers_saturation)
{
    const char *packages[] = {"default.cfg", "mesh_2x4.cfg", "star.cfg", "epyc_like.cfg"};
    for (size_t k = 0; k < sizeof packages / sizeof packages[0]; k++) {
        sip_package_t *pkg = hard_load_shipped(packages[k]);
        flows_t f;
        flows_build(pkg, SIP_ROUTING_MINIMAL, "uniform", &f);
        sip_traffic_result_t *base = evaluate(f.net, f.routes, f.demand);
        cr_assert_gt(base->saturation_scale, 0.0, "%s", packages[k]);
        for (int c = 0; c < f.net->n_channels; c++) {
            double cap = f.net->channels[c].capacity_GBps;
            f.net->channels[c].capacity_GBps = 2.0 * cap;
            sip_traffic_result_t *res = evaluate(f.net, f.routes, f.demand);
            cr_assert_geq(res->saturation_scale, base->saturation_scale * (1.0 - 1e-12),
                          "%s: channel %d at 2x bandwidth: saturation %.12g < %.12g", packages[k],
                          c, res->saturation_scale, base->saturation_scale);
            sip_traffic_result_destroy(res);
            f.net->channels[c].capacity_GBps = cap;
        }
        /* Every channel at once, routes recomputed (latencies shrink with serialization). */
        for (int c = 0; c < f.net->n_channels; c++)
            f.net->channels[c].capacity_GBps *= 2.0;
        sip_routes_t *routes = NULL;
        sip_error_t err;
        cr_assert_eq(sip_routes_compute(f.net, SIP_ROUTING_MINIMAL, NULL, &routes, &err), SIP_OK);
        sip_traffic_result_t *res = evaluate(f.net, routes, f.demand);
        cr_assert_geq(res->saturation_scale, base->saturation_scale * (1.0 - 1e-12),
                      "%s: all channels 2x: saturation %.12g < %.12g", packages[k],
                      res->saturation_scale, base->saturation_scale);
        sip_traffic_result_destroy(res);
        sip_routes_destroy(routes);
        sip_traffic_result_destroy(base);
        flows_free(&f);
        sip_package_destroy(pkg);
    }
}

/* Same inputs, same numbers, bit for bit. */
Test(hardening_invariants, traffic_deterministic)
{
    sip_package_t *pkg = hard_load_shipped("default.cfg");
    flows_t a, b;
    flows_build(pkg, SIP_ROUTING_ECMP, "uniform", &a);
    flows_build(pkg, SIP_ROUTING_ECMP, "uniform", &b);
    sip_traffic_result_t *ra = evaluate(a.net, a.routes, a.demand);
    sip_traffic_result_t *rb = evaluate(b.net, b.routes, b.demand);
    cr_assert_eq(ra->n_channels, rb->n_channels);
    cr_assert_eq(memcmp(ra->channel_GBps, rb->channel_GBps,
                        (size_t)ra->n_channels * sizeof *ra->channel_GBps), 0);
    cr_assert_eq(memcmp(ra->flow_latency_ns, rb->flow_latency_ns,
                        (size_t)ra->n_flows * sizeof *ra->flow_latency_ns), 0);
    cr_assert_eq(memcmp(&ra->saturation_scale, &rb->saturation_scale, sizeof(double)), 0);
    sip_traffic_result_destroy(ra);
    sip_traffic_result_destroy(rb);
    flows_free(&a);
    flows_free(&b);
    sip_package_destroy(pkg);
}

/* ------------------------------------------------------------------ netsim */

static void netsim_short(sip_netsim_config_t *cfg, double rate)
{
    sip_netsim_config_init(cfg);
    cfg->warmup_periods = 1;
    cfg->sample_period = 1000;
    cfg->max_samples = 8;
    cfg->injection_rate = rate;
    cfg->seed = 7;
}

static void netsim_run(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                       sip_netsim_result_t *res)
{
    sip_error_t err;
    sip_error_clear(&err);
    memset(res, 0, sizeof *res);
    cr_assert_eq(sip_netsim_run(net, cfg, res, &err), SIP_OK, "%s", err.message);
}

/* Below saturation every flit offered is delivered: over the measurement window the accepted
 * rate equals the injected rate up to the flits in flight at its edges. */
Test(hardening_invariants, netsim_flow_conservation)
{
    sip_netsim_net_t *mesh = NULL;
    sip_error_t err;
    cr_assert_eq(sip_netsim_net_mesh(4, &mesh, &err), SIP_OK);
    sip_package_t *pkg = hard_load_shipped("default.cfg");
    sip_netsim_net_t *chiplets = NULL;
    cr_assert_eq(sip_netsim_net_from_package(pkg, 0, 2.0, 32, &chiplets, &err), SIP_OK, "%s",
                 err.message);
    const sip_netsim_net_t *nets[] = {mesh, chiplets};
    for (size_t k = 0; k < 2; k++) {
        sip_netsim_config_t cfg;
        netsim_short(&cfg, 0.1);
        sip_netsim_result_t res;
        netsim_run(nets[k], &cfg, &res);
        cr_assert_eq(res.status, SIP_NETSIM_OK, "%s: %s", nets[k]->name,
                     sip_netsim_run_status_name(res.status));
        cr_assert_gt(res.packet.count, 1000);
        /* Window edges: at most a few flits per node against >= 1000 cycles x 0.1 per node. */
        cr_assert_float_eq(res.accepted, res.injected, 0.03 * res.injected,
                           "%s: injected %.6f, accepted %.6f flits/node/cycle", nets[k]->name,
                           res.injected, res.accepted);
        cr_assert_float_eq(res.injected, cfg.injection_rate, 0.15 * cfg.injection_rate,
                           "%s: offered %.3f, injected %.6f", nets[k]->name, cfg.injection_rate,
                           res.injected);
        sip_netsim_result_fini(&res);
    }
    sip_netsim_net_destroy(chiplets);
    sip_netsim_net_destroy(mesh);
    sip_package_destroy(pkg);
}

/* Wider channels never carry less: offered 1 flit/node/cycle, beyond the 1-flit mesh's
 * saturation, the accepted rate with 2-flit channels is at least as high. */
Test(hardening_invariants, netsim_wider_channels_never_lower_throughput)
{
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_netsim_net_mesh(4, &net, &err), SIP_OK);
    sip_netsim_config_t cfg;
    netsim_short(&cfg, 1.0);
    cfg.latency_thres = 1e9; /* measure the accepted rate even when unstable */
    cfg.max_samples = 4;
    cfg.max_drain_cycles = 1000;
    sip_netsim_result_t narrow, wide;
    netsim_run(net, &cfg, &narrow);
    for (int c = 0; c < net->n_channels; c++)
        net->channels[c].width_flits = 2;
    netsim_run(net, &cfg, &wide);
    cr_assert_lt(narrow.accepted, 0.95, "1-flit mesh should saturate below 1.0: %.3f",
                 narrow.accepted);
    cr_assert_geq(wide.accepted, narrow.accepted, "2-flit %.4f < 1-flit %.4f", wide.accepted,
                  narrow.accepted);
    sip_netsim_result_fini(&narrow);
    sip_netsim_result_fini(&wide);
    sip_netsim_net_destroy(net);
}

Test(hardening_invariants, netsim_same_seed_same_numbers)
{
    sip_package_t *pkg = hard_load_shipped("default.cfg");
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_netsim_net_from_package(pkg, 0, 2.0, 32, &net, &err), SIP_OK, "%s",
                 err.message);
    sip_netsim_config_t cfg;
    netsim_short(&cfg, 0.2);
    sip_netsim_result_t a, b, c;
    netsim_run(net, &cfg, &a);
    netsim_run(net, &cfg, &b);
    cfg.seed = 8;
    netsim_run(net, &cfg, &c);
    cr_assert_eq(a.cycles, b.cycles);
    cr_assert_eq(a.packet.count, b.packet.count);
    cr_assert_eq(memcmp(&a.packet, &b.packet, sizeof a.packet), 0);
    cr_assert_eq(memcmp(&a.accepted, &b.accepted, sizeof a.accepted), 0);
    cr_assert_eq(memcmp(a.channel_utilization, b.channel_utilization,
                        (size_t)a.n_channels * sizeof *a.channel_utilization), 0);
    /* The seed is used: another one draws other packets. */
    cr_assert(a.packet.count != c.packet.count || a.packet.mean != c.packet.mean);
    sip_netsim_result_fini(&a);
    sip_netsim_result_fini(&b);
    sip_netsim_result_fini(&c);
    sip_netsim_net_destroy(net);
    sip_package_destroy(pkg);
}

/* ------------------------------------------------------------------ TPP */

static double tpp_of(const sip_package_t *pkg)
{
    sip_tpp_metrics_t m;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_tpp_metrics(pkg, NULL, &m, &err), SIP_OK, "%s", err.message);
    return m.value[SIP_METRIC_TPP];
}

/* A higher clock on any one engine type never lowers the package TPP. */
Test(hardening_invariants, tpp_higher_clock_never_lowers_tpp)
{
    char names[HARD_MAX_SHIPPED][128];
    int n = hard_shipped(names);
    for (int i = 0; i < n; i++) {
        sip_package_t *pkg = hard_load_shipped(names[i]);
        double base = tpp_of(pkg);
        int engines = 0;
        for (int t = 0; t < pkg->n_types; t++) {
            for (int e = 0; e < pkg->types[t].n_engines; e++) {
                double clock = pkg->types[t].engines[e].clock_ghz;
                pkg->types[t].engines[e].clock_ghz = clock * 1.1;
                double more = tpp_of(pkg);
                cr_assert_geq(more, base, "%s: %s.%s at %.4g GHz: TPP %.6f < %.6f", names[i],
                              pkg->types[t].name, pkg->types[t].engines[e].name, clock * 1.1,
                              more, base);
                pkg->types[t].engines[e].clock_ghz = clock;
                engines++;
            }
        }
        if (base > 0)
            cr_assert_gt(engines, 0);
        sip_package_destroy(pkg);
    }
}

/* ------------------------------------------------------------------ CLI determinism */

/* Run the CLI, return its stdout (malloc'd) and exit code. */
static char *cli_output(const char *args, int *code)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe, "SIPSIM_EXE is not set");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>/dev/null", hard_source_root(), exe, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    hard_buf_t b = {0};
    char chunk[4096];
    size_t got;
    hard_printf(&b, "%s", "");
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        hard_printf(&b, "%.*s", (int)got, chunk);
    int status = pclose(p);
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return b.s;
}

Test(hardening_invariants, cli_same_input_same_bytes)
{
    const char *runs[] = {
        "traffic topologies/default.cfg --json",
        "traffic topologies/mesh_2x4.cfg --routing ecmp --pattern alltoall",
        "netsim topologies/default.cfg --rate 0.1 --json --set sample_period=1000 --set max_samples=4",
        "thermal topologies/star.cfg --json --grid 16",
        "links topologies/mi300x_like.cfg --json",
    };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        int code_a, code_b;
        char *a = cli_output(runs[r], &code_a);
        char *b = cli_output(runs[r], &code_b);
        cr_assert_eq(code_a, 0, "sipsim %s: exit %d", runs[r], code_a);
        cr_assert_eq(code_b, code_a);
        cr_assert_gt(strlen(a), 10, "sipsim %s: no output", runs[r]);
        cr_assert_str_eq(a, b, "sipsim %s: two runs differ", runs[r]);
        free(a);
        free(b);
    }
}
