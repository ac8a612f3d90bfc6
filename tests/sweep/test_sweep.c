/* Criterion suite for src/sweep and src/config/sweep_spec.c: spec errors with path:line, axes by
 * path, sampling, variant building (types, compute count, placement generators), Pareto fronts,
 * deterministic and resumable result files, the CLI under kill -9, and MPI against one process.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/files.h"
#include "sip_config.h"
#include "sipsim.h"

static const char *root(void)
{
    const char *r = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert_not_null(r, "SIPSIM_SOURCE_ROOT is not set (run through meson test)");
    return r;
}

/* A spec text with `base` pointing at the shipped default package; body follows. */
static char *spec_text(const char *body)
{
    size_t n = strlen(body) + 1024;
    char *t = malloc(n);
    cr_assert_not_null(t);
    snprintf(t, n, "base = \"%s/topologies/default.cfg\";\n%s", root(), body);
    return t;
}

static sip_sweep_spec_t *load_ok(const char *body)
{
    char *t = spec_text(body);
    sip_error_t err;
    sip_error_clear(&err);
    sip_sweep_spec_t *s = NULL;
    sip_status_t st = sip_sweep_spec_load_string(t, "t.cfg", NULL, &s, &err);
    char msg[1024];
    sip_error_format(&err, msg, sizeof msg);
    cr_assert_eq(st, SIP_OK, "spec failed: %s", msg);
    free(t);
    return s;
}

static sip_error_t load_bad(const char *body)
{
    char *t = spec_text(body);
    sip_error_t err;
    sip_error_clear(&err);
    sip_sweep_spec_t *s = NULL;
    sip_status_t st = sip_sweep_spec_load_string(t, "t.cfg", NULL, &s, &err);
    cr_assert_neq(st, SIP_OK, "spec should fail: %s", body);
    cr_assert_null(s);
    free(t);
    return err;
}

static char *tmpdir(void)
{
    char *d = strdup("/tmp/sipsim-test-sweep-XXXXXX");
    cr_assert_not_null(mkdtemp(d));
    return d;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    char *x = test_read_file(a, &la), *y = test_read_file(b, &lb);
    cr_assert_not_null(x, "missing %s", a);
    cr_assert_not_null(y, "missing %s", b);
    cr_assert_eq(la, lb, "%s (%zu bytes) and %s (%zu bytes) differ in size", a, la, b, lb);
    cr_assert_eq(memcmp(x, y, la), 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

static void rm_rf(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ------------------------------------------------------------------ spec errors */

Test(sweep_spec, constraint_errors_name_the_spec_line)
{
    sip_error_t e = load_bad("axes = ();\n"
                             "constraints = [\n"
                             "  \"tpp < 4800\",\n"
                             "  \"tp < 4800\"\n"
                             "];\n");
    cr_assert_eq(e.status, SIP_EINVAL);
    cr_assert_str_eq(e.path, "t.cfg");
    cr_assert_eq(e.line, 5, "line %d: %s", e.line, e.message); /* line 1 is the base */
    cr_assert(strstr(e.message, "did you mean 'tpp'"), "%s", e.message);

    e = load_bad("axes = ();\nconstraints = [\"tpp << 4800\"];\n");
    cr_assert_eq(e.line, 3);
    cr_assert(strstr(e.message, "unknown operator"), "%s", e.message);
    e = load_bad("axes = ();\nconstraints = [\"check < ok\"];\n");
    cr_assert(strstr(e.message, "expected == or !="), "%s", e.message);
    e = load_bad("axes = ();\nconstraints = [\"tpp < lots\"];\n");
    cr_assert(strstr(e.message, "not a number"), "%s", e.message);
    /* A metric of an engine that does not run. */
    e = load_bad("axes = ();\n\nconstraints = [\"tj_max_c < 95\"];\n");
    cr_assert_eq(e.line, 4);
    cr_assert(strstr(e.message, "needs engine 'thermal'"), "%s", e.message);
    e = load_bad("axes = ();\nobjectives = [\"maximum tpp\"];\n");
    cr_assert_eq(e.line, 3);
}

Test(sweep_spec, constraint_parser)
{
    sip_sweep_constraint_t c;
    cr_assert_eq(sip_sweep_constraint_parse(" tpp<=4800 ", "x", 1, &c, NULL), SIP_OK);
    cr_assert_eq(c.op, SIP_OP_LE);
    cr_assert_float_eq(c.value, 4800.0, 0.0);
    cr_assert_eq(sip_sweep_constraint_parse("tpp_class == not 3A090", "x", 1, &c, NULL), SIP_OK);
    cr_assert_str_eq(c.word, "not 3A090");
    cr_assert_eq(sip_sweep_constraint_parse("check != 'ok'", "x", 1, &c, NULL), SIP_OK);
    cr_assert_str_eq(c.word, "ok");
    cr_assert_eq(c.op, SIP_OP_NE);
    sip_sweep_objective_t o;
    cr_assert_eq(sip_sweep_objective_parse("max:tpp", "x", 1, &o, NULL), SIP_OK);
    cr_assert(o.maximize);
    cr_assert_eq(sip_sweep_objective_parse("min cost_usd", "x", 1, &o, NULL), SIP_OK);
    cr_assert(!o.maximize);
    cr_assert_eq(sip_sweep_objective_parse("min check", "x", 1, &o, NULL), SIP_EINVAL);
}

Test(sweep_spec, axis_errors_name_the_axis_line)
{
    sip_error_t e = load_bad("axes = (\n  { path = \"links.*.rate_gtp\"; values = [8.0]; }\n);\n");
    cr_assert_eq(e.line, 3, "line %d: %s", e.line, e.message);
    cr_assert(strstr(e.message, "did you mean 'rate_gtps'"), "%s", e.message);
    e = load_bad("axes = (\n  { path = \"links.*.modules\"; values = [0]; }\n);\n");
    cr_assert(strstr(e.message, "out of range"), "%s", e.message);
    e = load_bad("axes = (\n  { path = \"instances.nope.x_mm\"; values = [1.0]; }\n);\n");
    cr_assert(strstr(e.message, "no instances named 'nope'"), "%s", e.message);
    e = load_bad("axes = (\n  { path = \"substrate.kind\"; values = [\"glass\"]; }\n);\n");
    cr_assert(strstr(e.message, "organic"), "%s", e.message);
    e = load_bad("axes = (\n  { path = \"thermal.tj_max_c\"; range = [80.0, 100.0]; }\n);\n");
    cr_assert(strstr(e.message, "cannot be gridded"), "%s", e.message);
    e = load_bad("axes = (\n  { path = \"instances.c0.type\"; values = [\"no_such_die\"]; }\n);\n");
    cr_assert_eq(e.status, SIP_ENOTFOUND);
    e = load_bad("axes = ();\nengines = [\"thermals\"];\n");
    cr_assert(strstr(e.message, "did you mean 'thermal'"), "%s", e.message);
    e = load_bad("axes = ();\nsampling = { method = \"lhs\"; };\n");
    cr_assert(strstr(e.message, "samples"), "%s", e.message);
}

/* ------------------------------------------------------------------ axes and sampling */

Test(sweep_axes, grid_decodes_last_axis_fastest)
{
    sip_sweep_spec_t *s = load_ok("axes = (\n"
                                  " { path = \"links.*.rate_gtps\"; values = [8.0, 16.0, 32.0]; },\n"
                                  " { path = \"thermal.tj_max_c\"; range = [85.0, 105.0, 10.0]; },\n"
                                  " { path = \"cost.volume_units\"; log_range = [1e3, 1e5, 3.0]; }\n"
                                  ");\n");
    cr_assert_eq(s->n_variants, 27u);
    cr_assert_eq(s->axes[1].n_values, 3);
    cr_assert_float_eq(s->axes[2].values[1], 1e4, 1e-6);
    double v[SIP_SWEEP_MAX_AXES];
    sip_sweep_variant_values(s, 5, v); /* 5 = 0*9 + 1*3 + 2 */
    cr_assert_float_eq(v[0], 8.0, 0.0);
    cr_assert_float_eq(v[1], 95.0, 0.0);
    cr_assert_float_eq(v[2], 1e5, 1e-6);
    sip_package_t *p = NULL;
    cr_assert_eq(sip_sweep_variant_build(s, v, &p, NULL), SIP_OK);
    for (int l = 0; l < p->n_links; l++)
        cr_assert_float_eq(p->links[l].rate_gtps, 8.0, 0.0);
    cr_assert_float_eq(p->thermal.tj_max_c, 95.0, 0.0);
    cr_assert_float_eq(p->cost.volume_units, 1e5, 1e-6);
    /* The base is untouched. */
    cr_assert_float_eq(s->base->links[0].rate_gtps, 32.0, 0.0);
    sip_package_destroy(p);
    sip_sweep_spec_destroy(s);
}

Test(sweep_axes, lhs_hits_every_stratum_once)
{
    sip_sweep_spec_t *s = load_ok("sampling = { method = \"lhs\"; samples = 50; seed = 7; };\n"
                                  "axes = (\n"
                                  " { path = \"thermal.tj_max_c\"; range = [80.0, 130.0]; },\n"
                                  " { path = \"types.compute_infer.engines.mxu.clock_ghz\"; log_range = [0.5, 2.0]; }\n"
                                  ");\n");
    cr_assert_eq(s->n_variants, 50u);
    int hit0[50] = {0}, hit1[50] = {0};
    for (uint64_t id = 0; id < 50; id++) {
        double v[SIP_SWEEP_MAX_AXES];
        sip_sweep_variant_values(s, id, v);
        int k0 = (int)floor(v[0] - 80.0);
        int k1 = (int)floor(log(v[1] / 0.5) / log(4.0) * 50.0);
        cr_assert(k0 >= 0 && k0 < 50 && k1 >= 0 && k1 < 50);
        hit0[k0]++;
        hit1[k1]++;
    }
    for (int i = 0; i < 50; i++) {
        cr_assert_eq(hit0[i], 1, "stratum %d of axis 0 hit %d times", i, hit0[i]);
        cr_assert_eq(hit1[i], 1, "stratum %d of axis 1 hit %d times", i, hit1[i]);
    }
    sip_sweep_spec_destroy(s);
}

Test(sweep_axes, random_is_a_function_of_seed_and_id)
{
    sip_sweep_spec_t *a = load_ok("sampling = { method = \"random\"; samples = 20; seed = 3; };\n"
                                  "axes = ( { path = \"thermal.tj_max_c\"; range = [80.0, 130.0]; } );\n");
    sip_sweep_spec_t *b = load_ok("sampling = { method = \"random\"; samples = 20; seed = 4; };\n"
                                  "axes = ( { path = \"thermal.tj_max_c\"; range = [80.0, 130.0]; } );\n");
    double x[SIP_SWEEP_MAX_AXES], y[SIP_SWEEP_MAX_AXES], z[SIP_SWEEP_MAX_AXES];
    sip_sweep_variant_values(a, 11, x);
    sip_sweep_variant_values(a, 11, y);
    sip_sweep_variant_values(b, 11, z);
    cr_assert_float_eq(x[0], y[0], 0.0);
    cr_assert(x[0] != z[0]);
    cr_assert(x[0] >= 80.0 && x[0] <= 130.0);
    sip_sweep_spec_destroy(a);
    sip_sweep_spec_destroy(b);
}

/* ------------------------------------------------------------------ variants */

Test(sweep_variant, type_slot_keeps_ports_by_name)
{
    sip_sweep_spec_t *s = load_ok("axes = ( { path = \"instances.c0.type\"; values = [\"compute_infer\", \"compute_fp4\"]; } );\n");
    cr_assert_eq(s->n_variants, 2u);
    double v[SIP_SWEEP_MAX_AXES];
    sip_sweep_variant_values(s, 1, v);
    sip_package_t *p = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_sweep_variant_build(s, v, &p, &err);
    if (st == SIP_OK) {
        int c0 = sip_package_find_instance(p, "c0");
        cr_assert_str_eq(sip_instance_type(p, c0)->name, "compute_fp4");
        for (int l = 0; l < p->n_links; l++)
            if (p->links[l].from_instance == c0)
                cr_assert_lt(p->links[l].from_port, sip_instance_type(p, c0)->n_ports);
        sip_package_destroy(p);
    } else {
        /* A type without the port a link uses is an invalid variant with the port named. */
        cr_assert(strstr(err.message, "no port"), "%s", err.message);
    }
    sip_sweep_row_t row;
    cr_assert_eq(sip_sweep_row_init(&row, NULL), SIP_OK);
    cr_assert_eq(sip_sweep_evaluate(s, 1, &row, NULL), SIP_OK);
    /* Built variants are evaluated (valid, or an engine says why not); unbuilt ones are not. */
    if (st != SIP_OK)
        cr_assert(!row.valid && strstr(row.reason, "variant: "), "%s", row.reason);
    else
        cr_assert(row.valid || !strstr(row.reason, "variant: "), "%s", row.reason);
    cr_log_info("compute_fp4 in slot c0: %s", row.valid ? "valid" : row.reason);
    sip_sweep_row_fini(&row);
    sip_sweep_spec_destroy(s);
}

Test(sweep_variant, compute_count_drops_dies_stacks_and_links)
{
    sip_sweep_spec_t *s = load_ok("axes = ( { path = \"compute_chiplets\"; values = [2, 4, 6]; } );\n");
    double v[SIP_SWEEP_MAX_AXES] = {2};
    sip_package_t *p = NULL;
    cr_assert_eq(sip_sweep_variant_build(s, v, &p, NULL), SIP_OK);
    /* c0, c1, io, hbm0, hbm1; links c0-io, c1-io, c0-c1 (default.cfg). */
    cr_assert_eq(p->n_instances, 5);
    cr_assert_eq(p->n_links, 3);
    cr_assert_geq(sip_package_find_instance(p, "hbm1"), 0);
    cr_assert_lt(sip_package_find_instance(p, "hbm2"), 0);
    for (int i = 0; i < p->n_instances; i++)
        if (p->instances[i].attached_to >= 0)
            cr_assert_lt(p->instances[i].attached_to, p->n_instances);
    sip_package_destroy(p);
    /* More dies than the base has needs a placement generator. */
    v[0] = 6;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_sweep_variant_build(s, v, &p, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "placement"), "%s", err.message);
    sip_sweep_row_t row;
    cr_assert_eq(sip_sweep_row_init(&row, NULL), SIP_OK);
    cr_assert_eq(sip_sweep_evaluate(s, 2, &row, NULL), SIP_OK);
    cr_assert(!row.valid);
    cr_assert(strstr(row.reason, "variant: compute_chiplets = 6"), "%s", row.reason);
    sip_sweep_row_fini(&row);
    sip_sweep_spec_destroy(s);
}

static int links_of(const sip_package_t *p, int inst)
{
    int n = 0;
    for (int l = 0; l < p->n_links; l++)
        n += p->links[l].from_instance == inst || p->links[l].to_instance == inst;
    return n;
}

Test(sweep_variant, placement_generators_wire_mesh_ring_star)
{
    sip_sweep_spec_t *s = load_ok("engines = [\"check\", \"ucie\"];\n"
                                  "axes = ( { path = \"placement\"; values = [\"mesh\", \"ring\", \"star\"]; },\n"
                                  "         { path = \"compute_chiplets\"; values = [4, 6]; } );\n");
    /* 5 vertices (c0..c3, io) for 4 compute dies. */
    const int want_links[3] = {5, 5, 4};
    for (int g = 0; g < 3; g++) {
        double v[SIP_SWEEP_MAX_AXES] = {g + 1, 4};
        sip_package_t *p = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_sweep_variant_build(s, v, &p, &err), SIP_OK, "%s", err.message);
        cr_assert_eq(p->n_links, want_links[g], "%s: %d links", sip_placement_name(g + 1), p->n_links);
        int io = sip_package_find_instance(p, "io");
        if (g == 2)
            cr_assert_eq(links_of(p, io), 4);
        if (g == 1)
            for (int i = 0; i < p->n_instances; i++)
                if (p->instances[i].attached_to < 0)
                    cr_assert_eq(links_of(p, i), 2, "ring: %s", p->instances[i].name);
        /* Every link is a legal UCIe link and no die overlaps another. */
        for (int l = 0; l < p->n_links; l++)
            cr_assert_eq(sip_ucie_link_validate(p, l, &err), SIP_OK, "%s", err.message);
        sip_check_result_t *c = NULL;
        cr_assert_eq(sip_check_run(p, &c, NULL), SIP_OK);
        cr_assert_eq(sip_check_result_count(c, "overlap"), 0, "%s overlaps", sip_placement_name(g + 1));
        sip_check_result_destroy(c);
        sip_package_destroy(p);
    }
    /* Six compute dies in a mesh: 7 vertices on a 3-column grid. */
    double v[SIP_SWEEP_MAX_AXES] = {SIP_PLACEMENT_MESH, 6};
    sip_package_t *p = NULL;
    cr_assert_eq(sip_sweep_variant_build(s, v, &p, NULL), SIP_OK);
    cr_assert_eq(p->n_instances, 13);
    /* rows c0 c1 c2 / c3 io c4 / c5: 4 horizontal and 4 vertical neighbours. */
    cr_assert_eq(p->n_links, 8);
    sip_package_destroy(p);
    sip_sweep_spec_destroy(s);
}

/* ------------------------------------------------------------------ Pareto */

Test(sweep_pareto, hand_made_front)
{
    /* (cost, latency), both minimised.  Front: A(1,5) B(2,3) B'(2,3) D(4,1).
     * C(3,4) is dominated by B, E(5,5) by everything, F(2,6) by A, G has a NaN. */
    const double pts[] = {1, 5, 2, 3, 3, 4, 4, 1, 5, 5, 2, 3, 2, 6, NAN, 0};
    int64_t front[8];
    int n = sip_pareto_front(pts, 8, 2, NULL, front);
    cr_assert_eq(n, 4);
    const int64_t want[] = {0, 1, 3, 5};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(front[i], want[i]);
    /* Maximise the second objective instead: (1,5) dominates ... only (1,6)-like points survive. */
    bool maxi[2] = {false, true};
    n = sip_pareto_front(pts, 8, 2, maxi, front);
    /* min x, max y: A(1,5) and F(2,6) are non-dominated; E(5,5) dominated by A. */
    cr_assert_eq(n, 2);
    cr_assert_eq(front[0], 0);
    cr_assert_eq(front[1], 6);
    /* One objective over the 8 first values (1 5 2 3 3 4 4 1): every minimum. */
    n = sip_pareto_front(pts, 8, 1, NULL, front);
    cr_assert_eq(n, 2);
    cr_assert_eq(front[0], 0);
    cr_assert_eq(front[1], 7);
}

/* Brute force against the sort-and-scan algorithm on seeded random 3-objective sets. */
Test(sweep_pareto, matches_brute_force)
{
    enum { N = 300, K = 3 };
    double *v = malloc(N * K * sizeof *v);
    int64_t *front = malloc(N * sizeof *front);
    uint64_t x = 12345;
    for (int i = 0; i < N * K; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (double)((x >> 33) % 20); /* ties on purpose */
    }
    bool maxi[K] = {false, true, false};
    int n = sip_pareto_front(v, N, K, maxi, front);
    int k = 0;
    for (int i = 0; i < N; i++) {
        bool dom = false;
        for (int j = 0; j < N && !dom; j++) {
            bool le = true, lt = false;
            for (int d = 0; d < K; d++) {
                double a = maxi[d] ? -v[j * K + d] : v[j * K + d];
                double b = maxi[d] ? -v[i * K + d] : v[i * K + d];
                le = le && a <= b;
                lt = lt || a < b;
            }
            dom = le && lt;
        }
        if (!dom) {
            cr_assert_lt(k, n);
            cr_assert_eq(front[k], i);
            k++;
        }
    }
    cr_assert_eq(k, n);
    free(v);
    free(front);
}

/* ------------------------------------------------------------------ runs and files */

static const char *run_body =
    "axes = (\n"
    "  { name = \"clock\"; path = \"types.compute_infer.engines.mxu.clock_ghz\"; range = [0.8, 1.6, 0.2]; },\n"
    "  { path = \"types.compute_infer.width_mm\"; values = [10.0, 12.0]; },\n"
    "  { path = \"links.*.modules\"; values = [1, 3, 4]; },\n"
    "  { path = \"compute_chiplets\"; values = [2, 4]; }\n"
    ");\n"
    "constraints = [\"tpp < 4800\", \"check == ok\", \"tpp_class == not 3A090\"];\n"
    "objectives = [\"max tpp\", \"min cost_usd\"];\n";

static void run_to(const sip_sweep_spec_t *s, const char *prefix, int threads, int shard_k,
                   int shard_n, bool resume, uint64_t limit, sip_sweep_summary_t *sum)
{
    sip_sweep_run_options_t o;
    sip_sweep_run_options_init(&o);
    o.prefix = prefix;
    o.threads = threads;
    o.shard_index = shard_k;
    o.shard_count = shard_n;
    o.resume = resume;
    o.limit = limit;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_sweep_run(s, &o, sum, &err);
    char msg[1024];
    sip_error_format(&err, msg, sizeof msg);
    cr_assert_eq(st, SIP_OK, "%s", msg);
}

static void same_results(const char *a, const char *b)
{
    static const char *const ends[] = {".csv", ".jsonl", ".pareto.csv", ".pareto.jsonl", ".meta.json"};
    for (int i = 0; i < 5; i++) {
        char x[1024], y[1024];
        snprintf(x, sizeof x, "%s%s", a, ends[i]);
        snprintf(y, sizeof y, "%s%s", b, ends[i]);
        assert_same_file(x, y);
    }
}

Test(sweep_run, rows_invalid_variants_and_thread_independence, .timeout = 120)
{
    sip_sweep_spec_t *s = load_ok(run_body);
    cr_assert_eq(s->n_variants, 60u);
    char *d = tmpdir();
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/one", d);
    snprintf(p2, sizeof p2, "%s/two", d);
    sip_sweep_summary_t a, b;
    run_to(s, p1, 1, 0, 0, false, 0, &a);
    run_to(s, p2, 3, 0, 0, false, 0, &b);
    same_results(p1, p2);
    cr_assert_eq(a.rows, 60u);
    /* modules = 3 is not a UCIe module count: a third of the variants are invalid rows. */
    cr_assert_eq(a.invalid, 20u);
    cr_assert_gt(a.feasible, 0u);
    cr_assert_gt(a.pareto, 0u);
    char path[300];
    snprintf(path, sizeof path, "%s.jsonl", p1);
    char *j = test_read_file(path, NULL);
    cr_assert(strstr(j, "\"valid\":false"));
    cr_assert(strstr(j, "\"reason\":\"ucie: "), "invalid rows carry the engine's reason");
    free(j);
    /* The front file equals `sipsim pareto` on the rows. */
    sip_sweep_objective_t obj[8];
    int n = 0;
    cr_assert_eq(sip_sweep_meta_objectives(path, obj, 8, &n, NULL), SIP_OK);
    cr_assert_eq(n, 2);
    char front[300];
    snprintf(front, sizeof front, "%s/front.jsonl", d);
    FILE *f = fopen(front, "w");
    int64_t nf = 0;
    const char *paths[] = {path};
    cr_assert_eq(sip_pareto_results(paths, 1, obj, n, f, &nf, NULL), SIP_OK);
    fclose(f);
    cr_assert_eq((uint64_t)nf, a.pareto);
    snprintf(path, sizeof path, "%s.pareto.jsonl", p1);
    assert_same_file(front, path);
    rm_rf(d);
    free(d);
    sip_sweep_spec_destroy(s);
}

Test(sweep_run, shards_partition_the_rows, .timeout = 120)
{
    sip_sweep_spec_t *s = load_ok(run_body);
    char *d = tmpdir();
    char full[256], s1[256], s2[256], path[300];
    snprintf(full, sizeof full, "%s/full", d);
    snprintf(s1, sizeof s1, "%s/s1", d);
    snprintf(s2, sizeof s2, "%s/s2", d);
    sip_sweep_summary_t sum;
    run_to(s, full, 2, 0, 0, false, 0, &sum);
    run_to(s, s1, 2, 1, 2, false, 0, &sum);
    cr_assert_eq(sum.rows, 30u);
    run_to(s, s2, 2, 2, 2, false, 0, &sum);
    /* Interleave the shard rows (ids 0,2,4.. and 1,3,5..) and compare with the full run. */
    snprintf(path, sizeof path, "%s.jsonl", full);
    char *f = test_read_file(path, NULL);
    snprintf(path, sizeof path, "%s.jsonl", s1);
    char *a = test_read_file(path, NULL);
    snprintf(path, sizeof path, "%s.jsonl", s2);
    char *b = test_read_file(path, NULL);
    size_t lf = strlen(f);
    char *merged = malloc(lf + 1), *m = merged, *pa = a, *pb = b;
    for (int i = 0; i < 60; i++) {
        char **src = (i % 2) ? &pb : &pa;
        char *nl = strchr(*src, '\n');
        cr_assert_not_null(nl);
        memcpy(m, *src, (size_t)(nl - *src) + 1);
        m += nl - *src + 1;
        *src = nl + 1;
    }
    *m = '\0';
    cr_assert_str_eq(merged, f);
    free(merged);
    /* The front over both shards is the full run's front. */
    char p1[300], p2[300], front[300], want[300];
    snprintf(p1, sizeof p1, "%s.jsonl", s1);
    snprintf(p2, sizeof p2, "%s.jsonl", s2);
    snprintf(front, sizeof front, "%s/front.jsonl", d);
    snprintf(want, sizeof want, "%s.pareto.jsonl", full);
    const char *shards[] = {p1, p2};
    FILE *out = fopen(front, "w");
    cr_assert_eq(sip_pareto_results(shards, 2, s->objectives, s->n_objectives, out, NULL, NULL), SIP_OK);
    fclose(out);
    assert_same_file(front, want);
    free(f);
    free(a);
    free(b);
    rm_rf(d);
    free(d);
    sip_sweep_spec_destroy(s);
}

Test(sweep_run, resume_after_partial_lines_equals_uninterrupted, .timeout = 120)
{
    sip_sweep_spec_t *s = load_ok(run_body);
    char *d = tmpdir();
    char full[256], part[256], path[300];
    snprintf(full, sizeof full, "%s/full", d);
    snprintf(part, sizeof part, "%s/part", d);
    sip_sweep_summary_t sum;
    run_to(s, full, 2, 0, 0, false, 0, &sum);
    /* An interrupted run: 23 rows, then a torn CSV line and a JSON file one row shorter with a
     * torn line of its own (as a kill between the two writes can leave them). */
    run_to(s, part, 2, 0, 0, false, 23, &sum);
    cr_assert_eq(sum.rows, 23u);
    snprintf(path, sizeof path, "%s.csv", part);
    FILE *f = fopen(path, "a");
    fputs("23,1,0,1.2,10", f);
    fclose(f);
    snprintf(path, sizeof path, "%s.jsonl", part);
    size_t len;
    char *j = test_read_file(path, &len);
    char *last = j + len - 2;
    while (last > j && *last != '\n')
        last--;
    f = fopen(path, "w");
    fwrite(j, 1, (size_t)(last - j) + 1, f);
    fputs("{\"id\":22,\"val", f);
    fclose(f);
    free(j);
    run_to(s, part, 2, 0, 0, true, 0, &sum);
    cr_assert_eq(sum.resumed, 22u);
    cr_assert_eq(sum.rows, 60u);
    same_results(full, part);
    /* Resuming a finished run changes nothing; resuming with another spec is refused. */
    run_to(s, part, 1, 0, 0, true, 0, &sum);
    cr_assert_eq(sum.resumed, 60u);
    same_results(full, part);
    sip_sweep_spec_t *other = load_ok("axes = ( { path = \"links.*.modules\"; values = [1, 2]; } );\n");
    sip_sweep_run_options_t o;
    sip_sweep_run_options_init(&o);
    o.prefix = part;
    o.resume = true;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_sweep_run(other, &o, NULL, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "another spec"), "%s", err.message);
    sip_sweep_spec_destroy(other);
    rm_rf(d);
    free(d);
    sip_sweep_spec_destroy(s);
}

/* ------------------------------------------------------------------ the CLI */

static char *write_spec(const char *dir, const char *body)
{
    char *path = malloc(512);
    snprintf(path, 512, "%s/spec.cfg", dir);
    char *t = spec_text(body);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(t, f);
    fclose(f);
    free(t);
    return path;
}

static int run_cmd(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static uint64_t count_lines(const char *path)
{
    size_t len = 0;
    char *b = test_read_file(path, &len);
    uint64_t n = 0;
    for (size_t i = 0; b && i < len; i++)
        n += b[i] == '\n';
    free(b);
    return n;
}

/* 8 x 5 x 3 x 2 x 10 = 2400 variants: long enough to be killed mid-run. */
static const char *kill_body =
    "axes = (\n"
    "  { path = \"types.compute_infer.engines.mxu.clock_ghz\"; range = [0.8, 1.5, 0.1]; },\n"
    "  { path = \"types.compute_infer.width_mm\"; range = [10.0, 12.0, 0.5]; },\n"
    "  { path = \"links.*.rate_gtps\"; values = [16.0, 24.0, 32.0]; },\n"
    "  { path = \"links.*.modules\"; values = [2, 4]; },\n"
    "  { path = \"cost.volume_units\"; log_range = [1e4, 1e6, 10.0]; }\n"
    ");\n"
    "constraints = [\"tpp < 4800\", \"check == ok\"];\n"
    "objectives = [\"max tpp\", \"min cost_usd\", \"max saturation_load\"];\n";

Test(sweep_cli, kill_9_then_resume_equals_uninterrupted, .timeout = 300)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe, "SIPSIM_EXE is not set (run through meson test)");
    char *d = tmpdir();
    char *spec = write_spec(d, kill_body);
    char cmd[2048], path[600];
    snprintf(cmd, sizeof cmd, "'%s' sweep '%s' -o '%s/full' -j 2 --no-progress >/dev/null", exe, spec, d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(path, sizeof path, "%s/full.jsonl", d);
    cr_assert_eq(count_lines(path), 2400u);
    char killed[600];
    snprintf(killed, sizeof killed, "%s/killed", d);
    snprintf(path, sizeof path, "%s/killed.jsonl", d);
    /* Kill -9 as soon as rows stream, several times, then resume to the end. */
    int kills = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 1);
            execl(exe, exe, "sweep", spec, "-o", killed, "-j", "2", "--no-progress",
                  attempt ? "--resume" : (char *)NULL, (char *)NULL);
            _exit(127);
        }
        uint64_t before = attempt ? count_lines(path) : 0;
        struct timespec ts = {0, 2000000};
        for (int i = 0; i < 20000; i++) {
            if (count_lines(path) > before + 50)
                break;
            nanosleep(&ts, NULL);
        }
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        kills += WIFSIGNALED(status);
    }
    cr_assert_gt(kills, 0, "no run was killed before it finished");
    cr_assert_lt(count_lines(path), 2400u, "the killed runs finished the sweep");
    snprintf(cmd, sizeof cmd, "'%s' sweep '%s' -o '%s' -j 2 --resume --no-progress >/dev/null", exe,
             spec, killed);
    cr_assert_eq(run_cmd(cmd), 0);
    char full[600];
    snprintf(full, sizeof full, "%s/full", d);
    same_results(full, killed);
    /* sipsim pareto on the rows gives the run's front file. */
    snprintf(cmd, sizeof cmd, "'%s' pareto '%s/full.jsonl' -o '%s/front.jsonl' 2>/dev/null", exe, d, d);
    cr_assert_eq(run_cmd(cmd), 0);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/front.jsonl", d);
    snprintf(b, sizeof b, "%s/full.pareto.jsonl", d);
    assert_same_file(a, b);
    free(spec);
    rm_rf(d);
    free(d);
}

Test(sweep_cli, bad_spec_exits_2_with_path_line)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe);
    char *d = tmpdir();
    char *spec = write_spec(d, "axes = ();\nconstraints = [\"tpp >> 1\"];\n");
    char cmd[2048], out[600];
    snprintf(out, sizeof out, "%s/err.txt", d);
    snprintf(cmd, sizeof cmd, "'%s' sweep '%s' -o '%s/x' 2>'%s'", exe, spec, d, out);
    cr_assert_eq(run_cmd(cmd), 2);
    char *e = test_read_file(out, NULL);
    char want[600];
    snprintf(want, sizeof want, "%s:3: constraint 'tpp >> 1': unknown operator", spec);
    cr_assert(strstr(e, want), "%s", e);
    free(e);
    free(spec);
    rm_rf(d);
    free(d);
}

Test(sweep_cli, shipped_example_spec_runs)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe);
    char *d = tmpdir();
    char cmd[2048], path[600];
    snprintf(cmd, sizeof cmd, "'%s' sweep '%s/sweeps/default_3a090.cfg' -o '%s/ex' --limit 200 --json "
             "--no-progress >/dev/null", exe, root(), d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(path, sizeof path, "%s/ex.jsonl", d);
    cr_assert_eq(count_lines(path), 200u);
    rm_rf(d);
    free(d);
}

/* mpirun -n 2 on one machine gives the files of one process.  CI runs as root in a container:
 * OpenMPI needs --allow-run-as-root and --oversubscribe (2 ranks on a 2-core runner).  Under
 * LeakSanitizer, OpenMPI's components stay loaded (disable_dlclose) so that their allocations
 * have stacks the suppression file can match (third-party libraries only). */
#define MPIRUN "OMPI_MCA_mca_base_component_disable_dlclose=1 " \
               "LSAN_OPTIONS=suppressions='%s/tests/sweep/lsan_mpi.supp' " \
               "ASAN_OPTIONS=\"$ASAN_OPTIONS:fast_unwind_on_malloc=0\" " \
               "mpirun --allow-run-as-root --oversubscribe "
Test(sweep_mpi, two_ranks_equal_one_process, .timeout = 300)
{
#if !SIP_HAVE_MPI
    cr_skip_test("built without MPI (meson setup -Dmpi=enabled)");
#else
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe);
    char *d = tmpdir();
    char *spec = write_spec(d, run_body);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' sweep '%s' -o '%s/one' -j 1 --no-progress >/dev/null", exe, spec, d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(cmd, sizeof cmd, MPIRUN "-n 2 '%s' sweep '%s' -o '%s/mpi' --no-progress >/dev/null "
             "2>'%s/mpi.err'", root(), exe, spec, d, d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(cmd, sizeof cmd, MPIRUN "-n 3 '%s' sweep '%s' -o '%s/mpi3' -j 2 --no-progress "
             ">/dev/null 2>'%s/mpi.err'", root(), exe, spec, d, d);
    cr_assert_eq(run_cmd(cmd), 0);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/one", d);
    snprintf(b, sizeof b, "%s/mpi", d);
    same_results(a, b);
    snprintf(b, sizeof b, "%s/mpi3", d);
    same_results(a, b);
    free(spec);
    rm_rf(d);
    free(d);
#endif
}

/* Issue 19: --limit N counts the rows in the files, resumed ones included: a run of 100 rows
 * resumed with --limit 300 ends with exactly the 300 rows of an uninterrupted --limit 300 run.
 * An infeasible row says why: the constraint and, for the design-rule check, the first error. */
Test(sweep_cli, resume_with_limit_writes_exactly_limit_rows_and_reasons, .timeout = 120)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe);
    char *d = tmpdir();
    char cmd[2048], a[600], b[600];
    const char *spec = "sweeps/default_3a090.cfg";
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' sweep %s -o '%s/r' --limit 100 --no-progress >/dev/null",
             root(), exe, spec, d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' sweep %s -o '%s/r' --limit 300 --resume --no-progress "
             ">/dev/null", root(), exe, spec, d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(a, sizeof a, "%s/r.jsonl", d);
    cr_assert_eq(count_lines(a), 300u);
    snprintf(a, sizeof a, "%s/r.csv", d);
    cr_assert_eq(count_lines(a), 301u); /* header + rows */
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' sweep %s -o '%s/u' --limit 300 --no-progress >/dev/null",
             root(), exe, spec, d);
    cr_assert_eq(run_cmd(cmd), 0);
    snprintf(a, sizeof a, "%s/r.jsonl", d);
    snprintf(b, sizeof b, "%s/u.jsonl", d);
    assert_same_file(a, b);
    /* reasons: every infeasible row has one naming a constraint; check failures name the rule */
    char *text = test_read_file(b, NULL);
    cr_assert_not_null(text);
    int infeasible = 0, with_rule = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        bool feasible = strstr(line, "\"feasible\":true") != NULL;
        const char *r = strstr(line, "\"reason\":\"constraint '");
        if (feasible) {
            cr_assert_null(strstr(line, "\"reason\""), "feasible row with a reason: %.200s", line);
            continue;
        }
        infeasible++;
        cr_assert_not_null(r, "infeasible row without a reason: %.300s", line);
        if (strstr(line, "\"check\":\"fail\"") && strstr(r, "'check == ok' fails: ["))
            with_rule++;
    }
    cr_assert_gt(infeasible, 0);
    cr_assert_gt(with_rule, 0, "no check failure names its rule");
    free(text);
    rm_rf(d);
    free(d);
}
