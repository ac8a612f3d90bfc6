/* Systems of packages (issue 16): the shipped inference rack against its hand check, the
 * collectives' closed form, the cap bounding tensor parallelism, the loader's bad input
 * (status + line + message) and the CLI.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/cli_run.h"
#include "sipsim.h"
#include "sipsim/system.h"

static const char *rack_rel = "systems/infer_rack.cfg";

static char *src_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", cli_source_root(), rel);
    return buf;
}

static sip_system_t *load_ok(const char *rel)
{
    sip_system_t *s = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_system_load(src_path(rel), NULL, &s, &err), SIP_OK, "%s", err.message);
    return s;
}

static sip_system_result_t *eval_ok(const sip_system_t *s)
{
    sip_system_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_system_evaluate(s, &r, &err), SIP_OK, "%s", err.message);
    return r;
}

Test(system_rack, aggregate_tpp_and_classes_match_the_hand_check)
{
    /* systems/infer_rack.cfg comment: package 2359.296, board 18,874.368, rack
     * 75,497.472; package not 3A090 (2023) nor (2022, 512 GB/s < 600); board as one IC a.1. */
    sip_system_t *s = load_ok(rack_rel);
    sip_system_result_t *r = eval_ok(s);
    cr_assert_float_eq(r->package_tpp->metrics.value[SIP_METRIC_TPP], 2359.296, 1e-6);
    cr_assert_float_eq(r->levels[0].tpp, 18874.368, 1e-6);
    cr_assert_float_eq(r->levels[1].tpp, 75497.472, 1e-6);
    cr_assert_eq(r->levels[1].packages, 32);
    cr_assert_float_eq(r->package_io_GBps, 512.0, 1e-9);
    cr_assert_not(r->package_io_from_links);
    cr_assert_float_eq(r->link_GBps, 128.0, 1e-9);
    cr_assert_str_eq(r->package_tpp->classes[sip_tpp_rule_find("bis-2023")].class_name, "not 3A090");
    cr_assert_str_eq(r->package_tpp->classes[sip_tpp_rule_find("bis-2022")].class_name,
                     "not 3A090 (2022)");
    cr_assert_str_eq(r->board_class_2023.class_name, "3A090.a.1");
    cr_assert_float_eq(r->board_metrics.value[SIP_METRIC_PD], 2359.296 / 764.0, 1e-9);
    for (int i = 0; i < r->n_levels; i++) {
        cr_assert_str_eq(r->levels[i].class_4a090_each, "not 4A090");
        cr_assert_str_eq(r->levels[i].class_4a090_board, "4A090.a");
        cr_assert_str_eq(r->levels[i].class_4a090, "4A090.a", "the stricter reading");
    }
    sip_system_result_destroy(r);
    sip_system_destroy(s);
}

static const sip_cluster_point_t *point(const sip_system_result_t *r, bool decode, double cap, int tp)
{
    for (int i = 0; i < r->n_points; i++)
        if (r->points[i].decode == decode && r->points[i].cap_GBps == cap && r->points[i].tp == tp)
            return &r->points[i];
    return NULL;
}

Test(system_rack, tensor_parallel_traffic_follows_the_ring_allreduce_closed_form)
{
    /* Prefill of 8 x 4096 tokens, hidden 8192, fp8: 268,435,456 bytes per all-reduce, 2 per
     * layer, 80 layers.  Between caps 64 and 128 GB/s at tp 8 only the bandwidth term moves:
     * 160 x 2 x 7/8 x bytes x (1/64e9 - 1/128e9). */
    sip_system_t *s = load_ok(rack_rel);
    sip_system_result_t *r = eval_ok(s);
    const sip_cluster_point_t *a = point(r, false, 64.0, 8), *b = point(r, false, 128.0, 8);
    cr_assert(a && b && a->fits && b->fits);
    double bytes = 8.0 * 4096 * 8192 * 1.0;
    double want = 160.0 * 2.0 * 7.0 / 8.0 * bytes * (1.0 / 64e9 - 1.0 / 128e9);
    cr_assert_float_eq(a->comm_s - b->comm_s, want, 1e-9 * want);
    cr_assert_float_eq(a->compute_s, b->compute_s, 0.0, "the cap does not change compute");
    /* 70 GB of fp8 weights do not fit one package's 64 GB of HBM: tp 1 needs 2 stages. */
    cr_assert_eq(point(r, true, 128.0, 1)->pp, 2);
    /* More cap, more tokens/s, at every fitting point. */
    for (int tp = 2; tp <= 8; tp *= 2)
        cr_assert(point(r, false, 450.0, tp)->tokens_per_s > point(r, false, 16.0, tp)->tokens_per_s);
    sip_system_result_destroy(r);
    sip_system_destroy(s);
}

/* A board of 4 default packages running Llama-3-8B (fits one package) under one cap. */
static sip_system_result_t *small_board(double cap_GBps, sip_system_t **out_sys)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name = \"b4\"; package = \"../topologies/default.cfg\";\n"
             "levels = ( { name = \"board\"; contains = \"package\"; count = 4;\n"
             "  link = { kind = \"scaleup\"; lanes = 1; rate_gbps = 8.0; topology = \"switch\";\n"
             "           latency_ns = 500.0; }; } );\n"
             "workload = { model = \"llama3-8b\"; phase = \"decode\"; batch = 64; context_tokens = 1024;\n"
             "             precision = \"fp8\"; };\n"
             "caps = ( { GBps = %.9g; } );\n", cap_GBps);
    sip_system_t *s = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_system_load_string(text, src_path("systems/b4.cfg"), NULL, &s, &err),
                 SIP_OK, "%s", err.message);
    *out_sys = s;
    return eval_ok(s);
}

Test(system_cap, a_low_cap_bounds_useful_tensor_parallelism)
{
    /* Prefill of 64 x 1024 tokens: with a 1 GB/s cap the all-reduces swamp the compute and
     * tensor parallelism stops paying at 1 package; at 1000 GB/s it pays up to all 4. */
    sip_system_t *s = NULL;
    sip_system_result_t *r = small_board(1.0, &s);
    cr_assert_gt(r->package_tokens_per_s, 0.0, "llama3-8b fits one package");
    int low = -1, high = -1;
    for (int c = 0; c < r->n_caps; c++)
        if (!r->caps[c].decode && r->caps[c].cap_GBps == 1.0)
            low = r->caps[c].useful_tp;
    sip_system_result_destroy(r);
    sip_system_destroy(s);
    r = small_board(1000.0, &s);
    for (int c = 0; c < r->n_caps; c++)
        if (!r->caps[c].decode && r->caps[c].cap_GBps == 1000.0)
            high = r->caps[c].useful_tp;
    cr_assert_eq(low, 1, "useful tp at 1 GB/s: %d", low);
    cr_assert_eq(high, 4, "useful tp at 1000 GB/s: %d", high);
    sip_system_result_destroy(r);
    sip_system_destroy(s);
}

static sip_system_result_t *mi300x_board(int lanes, sip_system_t **out_sys)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name = \"mi\"; package = \"../topologies/reference/mi300x.cfg\";\n"
             "levels = ( { name = \"board\"; contains = \"package\"; count = 8;\n"
             "  link = { kind = \"scaleup\"; lanes = %d; rate_gbps = 64.0; topology = \"switch\";\n"
             "           latency_ns = 100.0; }; } );\n", lanes);
    sip_system_t *s = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_system_load_string(text, src_path("systems/mi.cfg"), NULL, &s, &err), SIP_OK,
                 "%s", err.message);
    *out_sys = s;
    return eval_ok(s);
}

Test(system_io, links_give_the_2022_io_term_to_a_package_without_io_blocks)
{
    /* The reference MI300X models no io block: alone its 2022 class is not evaluated.  On a
     * board its links are its off-package I/O: x16 at 64 Gb/s = 128 GB/s per direction, 256
     * both (< 600: not 3A090 (2022)); x48 = 384 per direction, 768 both (>= 600: controlled). */
    sip_system_t *s = NULL;
    sip_system_result_t *r = mi300x_board(16, &s);
    cr_assert(r->package_io_from_links);
    cr_assert_float_eq(r->package_io_GBps, 256.0, 1e-9);
    cr_assert_str_eq(r->package_tpp->classes[sip_tpp_rule_find("bis-2022")].class_name,
                     "not 3A090 (2022)");
    cr_assert_str_eq(r->levels[0].class_4a090, "4A090.a", "MI300X is 3A090.a.1 (2023)");
    sip_system_result_destroy(r);
    sip_system_destroy(s);
    r = mi300x_board(48, &s);
    cr_assert_float_eq(r->package_io_GBps, 768.0, 1e-9);
    cr_assert_str_eq(r->package_tpp->classes[sip_tpp_rule_find("bis-2022")].class_name,
                     "3A090.a (2022)");
    sip_system_result_destroy(r);
    sip_system_destroy(s);
}

/* ---- bad input: status, line and message ---- */

typedef struct {
    const char *what;
    const char *text;
    sip_status_t status;
    int line;
    const char *needle;
} bad_t;

#define LEVEL_OK                                                                                  \
    "levels = ( { name = \"board\"; contains = \"package\"; count = 4;\n"                         \
    "  link = { kind = \"cxl\"; lanes = 16; rate_gbps = 64.0; topology = \"switch\"; latency_ns = 1.0; }; } );\n"

static const bad_t bad_inputs[] = {
    {"typo in a key", "name = \"x\"; package = \"../topologies/default.cfg\";\nlevles = ();\n", SIP_EINVAL, 2,
     "levels"},
    {"missing levels", "name = \"x\"; package = \"../topologies/default.cfg\";\n", SIP_EINVAL, 0, "levels"},
    {"empty file", "", SIP_EINVAL, 0, "empty"},
    {"package file missing", "name = \"x\";\npackage = \"../nope.cfg\";\n" LEVEL_OK, SIP_ENOTFOUND, 2,
     "nope.cfg"},
    {"first level must contain packages",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n"
     "levels = ( { name = \"board\";\n contains = \"node\"; count = 4;\n"
     "  link = { kind = \"cxl\"; lanes = 16; rate_gbps = 64.0; topology = \"switch\"; latency_ns = 1.0; }; } );\n",
     SIP_EINVAL, 3, "expected \"package\""},
    {"unknown topology",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n"
     "levels = ( { name = \"board\"; contains = \"package\"; count = 4;\n"
     "  link = { kind = \"cxl\"; lanes = 16; rate_gbps = 64.0; topology = \"mesh\"; latency_ns = 1.0; }; } );\n",
     SIP_EINVAL, 3, "switch"},
    {"count out of range",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n"
     "levels = ( { name = \"board\"; contains = \"package\"; count = 0;\n"
     "  link = { kind = \"cxl\"; lanes = 16; rate_gbps = 64.0; topology = \"switch\"; latency_ns = 1.0; }; } );\n",
     SIP_EINVAL, 2, "count"},
    {"all_to_all without a link per peer",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n"
     "levels = ( { name = \"board\"; contains = \"package\"; count = 4;\n"
     "  link = { kind = \"scaleup\"; lanes = 4; rate_gbps = 64.0; topology = \"all_to_all\";\n"
     "           links = 2; latency_ns = 1.0; }; } );\n",
     SIP_EINVAL, 4, "at least 3 links"},
    {"link wider than the package's io",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n"
     "levels = ( { name = \"board\"; contains = \"package\"; count = 4;\n"
     "  link = { kind = \"cxl\"; lanes = 64; rate_gbps = 64.0; topology = \"switch\"; latency_ns = 1.0; }; } );\n",
     SIP_EINVAL, 3, "offers 256.0 GB/s"},
    {"too many packages",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n"
     "levels = ( { name = \"board\"; contains = \"package\"; count = 65536;\n"
     "  link = { kind = \"cxl\"; lanes = 1; rate_gbps = 1.0; topology = \"switch\"; latency_ns = 1.0; }; },\n"
     "  { name = \"rack\"; contains = \"board\";\n count = 65536;\n"
     "  link = { kind = \"ethernet\"; lanes = 1; rate_gbps = 1.0; topology = \"switch\"; latency_ns = 1.0; }; } );\n",
     SIP_ELIMIT, 5, "at most"},
    {"unknown model",
     "name = \"x\"; package = \"../topologies/default.cfg\";\n" LEVEL_OK
     "workload = { model = \"llama3-9b\"; phase = \"decode\"; precision = \"fp8\"; };\n",
     SIP_ENOTFOUND, 4, "llama3-8b"},
};

Test(system_load, bad_input_reports_file_line_and_expectation)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", src_path("systems/bad.cfg"));
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        const bad_t *b = &bad_inputs[i];
        sip_system_t *s = NULL;
        sip_system_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        sip_status_t st = sip_system_load_string(b->text, path, NULL, &s, &err);
        if (st == SIP_OK) {
            st = sip_system_evaluate(s, &r, &err);
            sip_system_result_destroy(r);
            sip_system_destroy(s);
        } else {
            cr_assert_null(s, "%s: output on failure", b->what);
        }
        cr_assert_eq(st, b->status, "%s: status %d (%s)", b->what, st, err.message);
        if (b->line > 0)
            cr_assert_eq(err.line, b->line, "%s: line %d (%s)", b->what, err.line, err.message);
        cr_assert_not_null(strstr(err.message, b->needle), "%s: '%s' not in: %s", b->what,
                           b->needle, err.message);
        cr_assert(err.path[0] != '\0', "%s: no path", b->what);
    }
}

/* ---- CLI ---- */

Test(system_cli, text_json_graph_and_picture)
{
    int status = 0;
    char *out = cli_run(cli_source_root(), "system systems/infer_rack.cfg", &status);
    cr_assert_eq(status, 0);
    cr_assert_not_null(strstr(out, "75497.5"), "%s", out);
    cr_assert_not_null(strstr(out, "tensor parallel pays up to"));
    free(out);
    json_t *j = cli_run_json(cli_source_root(), "system systems/infer_rack.cfg --json");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "package"), "class_2023")),
                     "not 3A090");
    cr_assert(json_array_size(json_object_get(json_object_get(j, "inference"), "points")) > 0);
    json_decref(j);
    j = cli_run_json(cli_source_root(), "system systems/infer_rack.cfg -f json");
    /* 32 packages + 4 board switches + 1 rack switch; 32 + 4 edges. */
    cr_assert_eq(json_array_size(json_object_get(j, "nodes")), 37);
    cr_assert_eq(json_array_size(json_object_get(j, "edges")), 36);
    json_decref(j);
    out = cli_run(cli_source_root(), "system systems/infer_rack.cfg -f dot", &status);
    cr_assert_eq(status, 0);
    cr_assert(strncmp(out, "graph ", 6) == 0, "%s", out);
    free(out);
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' system systems/infer_rack.cfg --svg '%s/system_rack.svg' "
             ">/dev/null && head -c 200 '%s/system_rack.svg'",
             cli_source_root(), getenv("SIPSIM_EXE"), getenv("SIPSIM_BUILD_ROOT"),
             getenv("SIPSIM_BUILD_ROOT"));
    out = cli_capture(cmd, &status);
    cr_assert_eq(WEXITSTATUS(status), 0);
    cr_assert_not_null(strstr(out, "<svg"), "%s", out);
    free(out);
}

Test(system_cli, bad_file_exits_2_with_path_and_line)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && printf 'name = \"x\";\\npackage = \"../nope.cfg\";\\n' > '%s/bad_system.cfg' && "
             "'%s' system '%s/bad_system.cfg' 2>&1",
             cli_source_root(), getenv("SIPSIM_BUILD_ROOT"), getenv("SIPSIM_EXE"),
             getenv("SIPSIM_BUILD_ROOT"));
    int status = 0;
    char *out = cli_capture(cmd, &status);
    cr_assert_eq(WEXITSTATUS(status), 2, "%s", out);
    cr_assert_not_null(strstr(out, "bad_system.cfg:"), "%s", out);
    free(out);
}
