/* Size limits: every input that could make sipsim allocate without bound is refused before the
 * allocation, with SIP_ELIMIT and a message naming the count and the limit (issue 12).  Each
 * limit is hit from just above; where cheap, the limit itself is shown to load.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "hardening.h"

/* A package of compute_infer dies in a row (the shipped chiplet library), optionally with
 * inline blocks carrying extra ports, links between the first two dies, a demand matrix. */
typedef struct {
    int instances, links, blocks, block_ports, demands;
} gen_t;

static char *generate(const gen_t *g)
{
    hard_buf_t b = {0};
    hard_printf(&b, "name = \"limits\";\nsubstrate = { kind = \"organic\"; width_mm = 200.0; "
                    "height_mm = 200.0; };\n");
    if (g->blocks > 0) {
        hard_printf(&b, "blocks = (\n");
        for (int k = 0; k < g->blocks; k++) {
            hard_printf(&b, "%s  { name = \"b%d\"; base = \"compute_infer\";", k ? ",\n" : "", k);
            if (g->block_ports > 0) {
                hard_printf(&b, " ports = (");
                for (int p = 0; p < g->block_ports; p++)
                    hard_printf(&b, "%s{ name = \"p%d\"; edge = \"north\"; position_mm = 1.0; "
                                    "package = \"standard\"; modules = 1; max_rate_gtps = 16.0; "
                                    "bump_pitch_um = 110.0; }", p ? ", " : "", p);
                hard_printf(&b, ");");
            }
            hard_printf(&b, " }");
        }
        hard_printf(&b, "\n);\n");
    }
    hard_printf(&b, "instances = (\n");
    for (int i = 0; i < g->instances; i++)
        hard_printf(&b, "%s  { name = \"i%d\"; type = \"compute_infer\"; x_mm = %d.0; y_mm = 0.0; }",
                    i ? ",\n" : "", i, 13 * (i % 15));
    hard_printf(&b, "\n);\n");
    if (g->links > 0) {
        hard_printf(&b, "links = (\n");
        for (int l = 0; l < g->links; l++)
            hard_printf(&b, "%s  { from = \"i0.e0\"; to = \"i1.w0\"; }", l ? ",\n" : "");
        hard_printf(&b, "\n);\n");
    }
    if (g->demands > 0) {
        hard_printf(&b, "traffic = { matrix = (\n");
        for (int d = 0; d < g->demands; d++)
            hard_printf(&b, "%s  { from = \"i0\"; to = \"i1\"; GBps = 1.0; }", d ? ",\n" : "");
        hard_printf(&b, "\n); };\n");
    }
    return b.s;
}

static void expect_limit(const gen_t *g, const char *words, int count, int limit)
{
    char *text = generate(g);
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_status_t st = hard_load_string(text, &pkg, &err);
    free(text);
    cr_assert_eq(st, SIP_ELIMIT, "expected ELIMIT, got %s: %s", sip_status_str(st), err.message);
    cr_assert_null(pkg);
    char want[128];
    snprintf(want, sizeof want, "too many %s: %d (expected at most %d)", words, count, limit);
    cr_assert(strstr(err.message, want) != NULL, "message '%s' lacks '%s'", err.message, want);
    cr_assert_gt(err.line, 0, "no line in '%s'", err.message);
}

Test(hardening_limits, instances_beyond_limit)
{
    expect_limit(&(gen_t){.instances = SIP_MAX_INSTANCES + 1}, "instances", SIP_MAX_INSTANCES + 1,
                 SIP_MAX_INSTANCES);
}

Test(hardening_limits, instances_at_limit_load)
{
    char *text = generate(&(gen_t){.instances = SIP_MAX_INSTANCES});
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_status_t st = hard_load_string(text, &pkg, &err);
    free(text);
    cr_assert_eq(st, SIP_OK, "%s", err.message);
    cr_assert_eq(pkg->n_instances, SIP_MAX_INSTANCES);
    sip_package_destroy(pkg);
}

Test(hardening_limits, links_beyond_limit)
{
    expect_limit(&(gen_t){.instances = 2, .links = SIP_MAX_LINKS + 1}, "links", SIP_MAX_LINKS + 1,
                 SIP_MAX_LINKS);
}

Test(hardening_limits, chiplet_types_beyond_limit)
{
    expect_limit(&(gen_t){.instances = 1, .blocks = SIP_MAX_TYPES + 1}, "blocks",
                 SIP_MAX_TYPES + 1, SIP_MAX_TYPES);
}

Test(hardening_limits, ports_beyond_limit)
{
    expect_limit(&(gen_t){.instances = 1, .blocks = 1, .block_ports = SIP_MAX_PORTS + 1}, "ports",
                 SIP_MAX_PORTS + 1, SIP_MAX_PORTS);
}

Test(hardening_limits, demand_matrix_beyond_limit)
{
    expect_limit(&(gen_t){.instances = 2, .demands = SIP_MAX_DEMANDS + 1}, "matrix",
                 SIP_MAX_DEMANDS + 1, SIP_MAX_DEMANDS);
}

/* The model's append functions enforce the same limits for packages built in code. */
Test(hardening_limits, model_append_beyond_limit)
{
    sip_package_t *pkg = NULL;
    sip_error_t err;
    cr_assert_eq(sip_package_create(&pkg, &err), SIP_OK);
    sip_chiplet_type_t type;
    sip_chiplet_type_init(&type);
    snprintf(type.name, sizeof type.name, "t");
    cr_assert_eq(sip_package_add_type(pkg, &type, &err), 0);
    sip_instance_t inst;
    sip_instance_init(&inst);
    for (int i = 0; i < SIP_MAX_INSTANCES; i++) {
        snprintf(inst.name, sizeof inst.name, "i%d", i);
        cr_assert_eq(sip_package_add_instance(pkg, &inst, &err), i);
    }
    sip_error_clear(&err);
    cr_assert_eq(sip_package_add_instance(pkg, &inst, &err), -1);
    cr_assert_eq(err.status, SIP_ELIMIT);
    cr_assert(strstr(err.message, "limit 1024") != NULL, "%s", err.message);
    cr_assert_eq(pkg->n_instances, SIP_MAX_INSTANCES);
    sip_package_destroy(pkg);
}

/* Thermal grid cells: the per-side limit holds for options as for the package file. */
Test(hardening_limits, thermal_grid_beyond_limit)
{
    sip_package_t *pkg = hard_load_shipped("default.cfg");
    sip_thermal_options_t opts = {.grid_rows = SIP_THERMAL_MAX_GRID + 1, .grid_cols = 8,
                                  .secondary_r_c_per_w = -1, .skip_power_caps = true};
    sip_thermal_model_t *model = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_thermal_model_create(pkg, &opts, &model, &err);
    cr_assert_eq(st, SIP_ELIMIT, "got %s: %s", sip_status_str(st), err.message);
    cr_assert_null(model);
    cr_assert(strstr(err.message, "1025") && strstr(err.message, "1024"), "%s", err.message);
    sip_package_destroy(pkg);
}

Test(hardening_limits, thermal_grid_in_file_beyond_limit)
{
    char *text = generate(&(gen_t){.instances = 1});
    hard_buf_t b = {0};
    hard_printf(&b, "%sthermal = { grid = [%d, 8]; };\n", text, SIP_THERMAL_MAX_GRID + 1);
    free(text);
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_status_t st = hard_load_string(b.s, &pkg, &err);
    free(b.s);
    cr_assert_neq(st, SIP_OK);
    cr_assert_null(pkg);
    cr_assert(strstr(err.message, "1025") && strstr(err.message, "1024"), "%s", err.message);
}

/* Analytic traffic: networks are bounded by nodes (8 per possible instance). */
Test(hardening_limits, traffic_mesh_beyond_limit)
{
    sip_mesh_params_t p;
    sip_mesh_params_booksim(&p, 4, false);
    p.cols = 91;
    p.rows = 91; /* 8281 > 8 x 1024 nodes */
    sip_network_t *net = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_network_mesh(&p, &net, &err);
    cr_assert_eq(st, SIP_ELIMIT, "got %s: %s", sip_status_str(st), err.message);
    cr_assert_null(net);
    cr_assert(strstr(err.message, "8192") != NULL, "%s", err.message);
}

/* netsim: the destination table is routers x nodes entries; a BookSim2 mesh of k = 256 would
 * ask for 2^32 of them (16 GiB) before simulating anything. */
Test(hardening_limits, netsim_route_table_beyond_limit)
{
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    const int ks[] = {65, 256};
    for (int i = 0; i < 2; i++) {
        sip_status_t st = sip_netsim_net_mesh(ks[i], &net, &err);
        cr_assert_eq(st, SIP_ELIMIT, "k = %d: got %s: %s", ks[i], sip_status_str(st), err.message);
        cr_assert_null(net);
        char want[64];
        snprintf(want, sizeof want, "%d routers x %d nodes", ks[i] * ks[i], ks[i] * ks[i]);
        cr_assert(strstr(err.message, want) && strstr(err.message, "16777216"), "%s", err.message);
    }
}

/* netsim: simulated cycles are bounded by sample_period x max_samples. */
Test(hardening_limits, netsim_cycles_beyond_limit)
{
    sip_netsim_net_t *net = NULL;
    sip_error_t err;
    cr_assert_eq(sip_netsim_net_mesh(2, &net, &err), SIP_OK);
    sip_netsim_config_t cfg;
    sip_netsim_config_init(&cfg);
    cfg.sample_period = 1000000;
    cfg.max_samples = 1001; /* 1.001e9 cycles */
    sip_netsim_result_t res;
    memset(&res, 0, sizeof res);
    sip_error_clear(&err);
    sip_status_t st = sip_netsim_run(net, &cfg, &res, &err);
    cr_assert_eq(st, SIP_ELIMIT, "got %s: %s", sip_status_str(st), err.message);
    cr_assert(strstr(err.message, "1e9") || strstr(err.message, "1000000000"), "%s", err.message);
    sip_netsim_result_fini(&res);
    sip_netsim_net_destroy(net);
}

/* ------------------------------------------------------------------ sweep size */

static void expect_sweep_limit(const char *axes, const char *sampling, const char *want)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/sweeps/limits.cfg", hard_source_root());
    hard_buf_t b = {0};
    hard_printf(&b, "name = \"limits\";\nbase = \"../topologies/default.cfg\";\n"
                    "sampling = %s;\naxes = (%s);\n", sampling, axes);
    sip_sweep_spec_t *spec = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_sweep_spec_load_string(b.s, path, NULL, &spec, &err);
    free(b.s);
    cr_assert_eq(st, SIP_ELIMIT, "got %s: %s", sip_status_str(st), err.message);
    cr_assert_null(spec);
    cr_assert(strstr(err.message, want) != NULL, "message '%s' lacks '%s'", err.message, want);
}

Test(hardening_limits, sweep_grid_beyond_2e40_variants)
{
    /* 7 axes of 64 values: 2^42 variants. */
    hard_buf_t axes = {0};
    const char *paths[] = {"instances.c0.x_mm", "instances.c0.y_mm", "instances.c1.x_mm",
                           "instances.c1.y_mm", "instances.c2.x_mm", "instances.c2.y_mm",
                           "instances.c3.x_mm"};
    for (int a = 0; a < 7; a++)
        hard_printf(&axes, "%s{ path = \"%s\"; range = [1.0, 64.0, 1.0]; }", a ? ", " : "",
                    paths[a]);
    expect_sweep_limit(axes.s, "{ method = \"grid\"; }", "more than 2^40 variants");
    free(axes.s);
}

Test(hardening_limits, sweep_axis_beyond_value_limit)
{
    expect_sweep_limit("{ path = \"thermal.tj_max_c\"; range = [50.0, 150.0, 0.000001]; }",
                       "{ method = \"grid\"; }", "values (expected at most");
}

/* Latin-hypercube strata are axes x samples entries, allocated when the spec is read. */
Test(hardening_limits, sweep_lhs_strata_beyond_limit)
{
    expect_sweep_limit("{ path = \"thermal.tj_max_c\"; range = [50.0, 150.0]; }, "
                       "{ path = \"thermal.ambient_c\"; range = [20.0, 40.0]; }",
                       "{ method = \"lhs\"; samples = 60000000; }",
                       "60000000 samples x 2 axes = 120000000 strata (expected at most 1e8)");
}
