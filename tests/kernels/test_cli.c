/* sipsim perf / kernel end to end: the built binary (SIPSIM_EXE) on the shipped default package,
 * JSON agrees with the library, exit codes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli_run.h"
#include "sipsim.h"

/* The commands name shipped files relative to the source root. */
static char *run(const char *args, int *status)
{
    return cli_run(cli_source_root(), args, status);
}

static json_t *run_json(const char *args)
{
    return cli_run_json(cli_source_root(), args);
}

static double jnum(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    cr_assert_not_null(v, "key %s", key);
    return json_number_value(v);
}

Test(kernels_cli, perf_default_json_matches_the_library)
{
    json_t *j = run_json("perf topologies/default.cfg --json");
    char path[1024];
    snprintf(path, sizeof path, "%s/topologies/default.cfg", getenv("SIPSIM_SOURCE_ROOT"));
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_load(path, NULL, &pkg, NULL), SIP_OK);
    sip_workload_result_t *r = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &r, NULL), SIP_OK);
    cr_assert_str_eq(json_string_value(json_object_get(j, "model")), "llama3-8b");
    cr_assert_float_eq(jnum(j, "tokens_per_s"), r->tokens_per_s, 1e-9 * r->tokens_per_s);
    cr_assert_float_eq(jnum(j, "tpot_s"), r->tpot_s, 1e-9 * r->tpot_s);
    cr_assert_float_eq(jnum(j, "ttft_s"), r->ttft_s, 1e-9 * r->ttft_s);
    cr_assert_float_eq(jnum(j, "j_per_token"), r->j_per_token, 1e-9 * r->j_per_token);
    cr_assert_str_eq(json_string_value(json_object_get(j, "bottleneck")),
                     sip_limit_name(r->step->limit));
    cr_assert_eq(json_array_size(json_object_get(j, "instances")), (size_t)pkg->n_instances);
    cr_assert_eq(json_array_size(json_object_get(j, "demand")), (size_t)r->n_demands);
    /* Unknown energy parameters are null in JSON, not 0. */
    const json_t *en = json_object_get(j, "energy_bottom_up");
    cr_assert(json_is_null(json_object_get(en, "hbm_pj_per_token")));
    json_decref(j);
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
    /* Given the parameter, it is reported. */
    j = run_json("perf topologies/default.cfg --json --hbm-pj-per-bit 4");
    en = json_object_get(j, "energy_bottom_up");
    cr_assert(json_is_real(json_object_get(en, "hbm_pj_per_token")));
    cr_assert_float_eq(jnum(en, "hbm_pj_per_token"), jnum(j, "hbm_bytes_per_token") * 32.0,
                       1e-6 * jnum(en, "hbm_pj_per_token"));
    json_decref(j);
}

/* --no-weight-prefetch: SCALE-Sim's per-fold weight reload, as the library without prefetch. */
Test(kernels_cli, perf_weight_prefetch_flag)
{
    json_t *on = run_json("perf topologies/default.cfg --json");
    json_t *off = run_json("perf topologies/default.cfg --json --no-weight-prefetch");
    cr_assert(json_is_true(json_object_get(on, "weight_prefetch")));
    cr_assert(json_is_false(json_object_get(off, "weight_prefetch")));
    char path[1024];
    snprintf(path, sizeof path, "%s/topologies/default.cfg", getenv("SIPSIM_SOURCE_ROOT"));
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_load(path, NULL, &pkg, NULL), SIP_OK);
    sip_workload_options_t opts;
    sip_workload_options_init(&opts);
    opts.tile.weight_prefetch = false;
    sip_workload_result_t *r = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, &opts, &r, NULL), SIP_OK);
    cr_assert_float_eq(jnum(off, "tokens_per_s"), r->tokens_per_s, 1e-9 * r->tokens_per_s);
    cr_assert_gt(jnum(on, "tokens_per_s"), 2.0 * jnum(off, "tokens_per_s"));
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
    json_decref(on);
    json_decref(off);
}

Test(kernels_cli, perf_overrides_and_text)
{
    json_t *j = run_json("perf topologies/default.cfg --json --phase prefill --context 256 "
                         "--batch 2 --tp 2 --pp 2");
    cr_assert_str_eq(json_string_value(json_object_get(j, "phase")), "prefill");
    cr_assert_eq(json_integer_value(json_object_get(j, "pipeline_parallel")), 2);
    cr_assert_float_eq(jnum(json_object_get(j, "prefill"), "tokens"), 512.0, 0);
    json_decref(j);
    int status;
    char *out = run("perf topologies/default.cfg", &status);
    cr_assert_eq(status, 0);
    cr_assert(strstr(out, "tokens/s") && strstr(out, "TTFT") && strstr(out, "bottleneck"));
    free(out);
}

Test(kernels_cli, exit_codes)
{
    int status;
    char *out = run("perf topologies/default.cfg --model nope", &status);
    cr_assert_eq(status, 2);
    free(out);
    out = run("perf topologies/ring.cfg", &status); /* no workload section */
    cr_assert_eq(status, 2);
    free(out);
    out = run("perf topologies/default.cfg --tp 3 --pp 2", &status);
    cr_assert_eq(status, 2);
    free(out);
    out = run("kernel gemm 1 2", &status);
    cr_assert_eq(status, 2);
    free(out);
}

Test(kernels_cli, kernel_gemm_is_scalesim)
{
    /* results.csv: Conv2_1a WS on 32x32 = 108359 cycles; 512^3 OS on 128x128 = 12255. */
    json_t *j = run_json("kernel conv 56 56 64 3 3 64 1 --array 32x32 --dataflow ws --json");
    const json_t *a = json_object_get(j, "one_array");
    cr_assert_eq(json_integer_value(json_object_get(a, "total_cycles")), 108359);
    cr_assert_eq(json_integer_value(json_object_get(a, "M")), 2916);
    json_decref(j);
    j = run_json("kernel gemm 512 512 512 --array 128x128 --dataflow os --json");
    a = json_object_get(j, "one_array");
    cr_assert_eq(json_integer_value(json_object_get(a, "total_cycles")), 12255);
    cr_assert_float_eq(jnum(a, "overall_util_pct"), 66.84618523051816, 1e-9);
    json_decref(j);
}

/* Issue 19: the workload's rings follow the snake order the README promises.  On mesh_2x4 (a
 * 2 x 4 grid of compute dies, links only between grid neighbours) every D2D demand between two
 * compute dies must be over a direct link; instance order made a3 -> b0 and b3 -> a0 4 hops. */
static bool linked(const sip_package_t *pkg, int a, int b)
{
    for (int l = 0; l < pkg->n_links; l++)
        if ((pkg->links[l].from_instance == a && pkg->links[l].to_instance == b) ||
            (pkg->links[l].from_instance == b && pkg->links[l].to_instance == a))
            return true;
    return false;
}

Test(kernels_workload, rings_run_in_snake_order_over_neighbours)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/topologies/default.cfg", getenv("SIPSIM_SOURCE_ROOT"));
    sip_package_t *def = NULL, *mesh = NULL;
    cr_assert_eq(sip_package_load(path, NULL, &def, NULL), SIP_OK);
    snprintf(path, sizeof path, "%s/topologies/mesh_2x4.cfg", getenv("SIPSIM_SOURCE_ROOT"));
    cr_assert_eq(sip_package_load(path, NULL, &mesh, NULL), SIP_OK);
    /* mesh_2x4 has no memory: give every compute die the default package's HBM3 stack (beside
     * it; the workload reads capacity and bandwidth, not the position) */
    int hbm_type = sip_package_add_type(mesh, &def->types[sip_package_find_type(def, "hbm3_stack")], NULL);
    cr_assert_geq(hbm_type, 0);
    const int n_inst = mesh->n_instances;
    for (int i = 0; i < n_inst; i++) {
        if (sip_instance_type(mesh, i)->kind != SIP_KIND_COMPUTE)
            continue;
        sip_instance_t h;
        sip_instance_init(&h);
        snprintf(h.name, sizeof h.name, "hbm%d", i);
        h.type = hbm_type;
        h.x_mm = mesh->instances[i].x_mm;
        h.y_mm = mesh->instances[i].y_mm;
        h.attached_to = i;
        cr_assert_geq(sip_package_add_instance(mesh, &h, NULL), 0);
    }
    /* the 8-die tensor-parallel ring (rings inside pipeline stages of a 2 x 4 grid cannot all
     * close over neighbours, so only the full ring is held to it) */
    const int tp_pp[][2] = {{8, 1}};
    for (size_t c = 0; c < sizeof tp_pp / sizeof tp_pp[0]; c++) {
        sip_workload_t wl = def->workload; /* llama3-8b decode */
        wl.tensor_parallel = tp_pp[c][0];
        wl.pipeline_parallel = tp_pp[c][1];
        sip_workload_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_workload_evaluate(mesh, &wl, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
        int between_dies = 0;
        for (int i = 0; i < r->n_demands; i++) {
            int a = r->demands[i].from_instance, b = r->demands[i].to_instance;
            if (sip_instance_type(mesh, a)->kind != SIP_KIND_COMPUTE ||
                sip_instance_type(mesh, b)->kind != SIP_KIND_COMPUTE)
                continue;
            between_dies++;
            cr_assert(linked(mesh, a, b), "tp %d pp %d: demand %s -> %s is not over a link",
                      tp_pp[c][0], tp_pp[c][1], mesh->instances[a].name, mesh->instances[b].name);
        }
        cr_assert_geq(between_dies, 8, "tp %d pp %d", tp_pp[c][0], tp_pp[c][1]);
        sip_workload_result_destroy(r);
    }
    sip_package_destroy(mesh);
    sip_package_destroy(def);
}
