/* `sipsim links`: rows and totals of a good package, `path:line:` errors and exit 2 for bad
 * link parameters (issue 3).  Runs the built binary (SIPSIM_EXE).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check/shipped.h"
#include "sipsim.h"

typedef struct {
    int exit_code;
    char out[65536];
    char err[4096];
} run_t;

static void slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot read %s", path);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Run `sipsim links ARGS` from the fixture folder. */
static void run_links(const char *args, run_t *r)
{
    const char *exe = getenv("SIPSIM_EXE"), *root = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert(exe && root, "SIPSIM_EXE and SIPSIM_SOURCE_ROOT must be set");
    char dir[] = "/tmp/sipsim_links_XXXXXX";
    cr_assert(mkdtemp(dir));
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s/tests/ucie/data' && '%s' links %s >'%s/out' 2>'%s/err'",
             root, exe, args, dir, dir);
    int status = system(cmd);
    cr_assert(WIFEXITED(status), "sipsim did not exit normally");
    r->exit_code = WEXITSTATUS(status);
    char path[256];
    snprintf(path, sizeof path, "%s/out", dir);
    slurp(path, r->out, sizeof r->out);
    unlink(path);
    snprintf(path, sizeof path, "%s/err", dir);
    slurp(path, r->err, sizeof r->err);
    unlink(path);
    rmdir(dir);
}

Test(ucie_cli, good_package_lists_links_and_chiplet_totals)
{
    run_t r;
    run_links("links_ok.cfg --json", &r);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr);
    cr_assert(root, "bad JSON: %s", jerr.text);
    json_t *links = json_object_get(root, "links");
    cr_assert_eq(json_array_size(links), 2);
    json_t *a = json_array_get(links, 1);
    cr_assert_str_eq(json_string_value(json_object_get(a, "name")), "a0-a1");
    /* 4 x64 at 12 GT/s = 384 GB/s; PCIe 256B flit keeps 236/256 of it. */
    cr_assert_float_eq(json_real_value(json_object_get(a, "raw_GBps_per_dir")), 384.0, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(a, "payload_GBps_per_dir")), 354.0, 1e-6);
    cr_assert_float_eq(json_real_value(json_object_get(a, "length_mm")), 1.0, 1e-9);
    json_t *chips = json_object_get(root, "chiplets");
    cr_assert_eq(json_array_size(chips), 4);
    json_t *s0 = json_array_get(chips, 0);
    cr_assert_str_eq(json_string_value(json_object_get(s0, "name")), "s0");
    cr_assert_float_eq(json_real_value(json_object_get(s0, "raw_GBps_per_dir")), 64.0, 1e-9);
    json_decref(root);

    run_links("links_ok.cfg", &r);
    cr_assert_eq(r.exit_code, 0);
    cr_assert(strstr(r.out, "s0-s1") && strstr(r.out, "a0-a1") && strstr(r.out, "chiplet"),
              "%s", r.out);
}

Test(ucie_cli, bad_link_parameters_exit_2_with_path_and_line)
{
    /* file, line of the offending link, words of the message */
    static const struct {
        const char *file;
        int line;
        const char *needle;
    } rows[] = {
        {"bad_rate.cfg", 11, "not a UCIe data rate"},
        {"bad_lanes.cfg", 13, "lanes_per_module 16"},
        {"bad_reach.cfg", 13, "reach"},
        {"bad_modules.cfg", 11, "modules"},
        {"bad_modules3.cfg", 11, "modules 3"},
        {"bad_pitch.cfg", 13, "bump-pitch group"},
        {"bad_port_rate.cfg", 11, "max_rate_gtps 16"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        run_t r;
        run_links(rows[i].file, &r);
        cr_assert_eq(r.exit_code, 2, "%s: exit %d", rows[i].file, r.exit_code);
        char where[128];
        snprintf(where, sizeof where, "%s:%d: ", rows[i].file, rows[i].line);
        cr_assert(strstr(r.err, where), "%s: stderr '%s' lacks '%s'", rows[i].file, r.err, where);
        cr_assert(strstr(r.err, rows[i].needle), "%s: stderr '%s'", rows[i].file, r.err);
        cr_assert_eq(r.out[0], '\0', "%s: printed a table despite the error", rows[i].file);
    }
}

Test(ucie_cli, usage_errors_exit_2)
{
    run_t r;
    run_links("", &r);
    cr_assert_eq(r.exit_code, 2);
    run_links("does_not_exist.cfg", &r);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(strstr(r.err, "does_not_exist.cfg"), "%s", r.err);
}

/* Every shipped topology's links pass the UCIe rules and evaluate (DESIGN.md: shipped data
 * loads and passes in the tests). */
Test(ucie_shipped, every_topology_link_validates_and_evaluates)
{
    shipped_t s = {0};
    shipped_scan(&s, "topologies");
    cr_assert(s.n > 0);
    for (int f = 0; f < s.n; f++) {
        const char *path = s.path[f];
        sip_package_t *pkg = shipped_load(path);
        sip_error_t err;
        sip_error_clear(&err);
        for (int i = 0; i < pkg->n_links; i++) {
            sip_ucie_link_result_t r;
            cr_assert_eq(sip_ucie_link_eval(pkg, i, &r, &err), SIP_OK, "%s link %d: %s", path,
                         i, err.message);
            cr_assert(r.payload_GBps_per_dir > 0.0 && r.latency_ns >= 2.0);
            cr_assert(r.fit > 0.0 && r.fit < 1.0, "%s link %d FIT %g", path, i, r.fit);
        }
        sip_package_destroy(pkg);
    }
}

/* Issue 18: FIT is labelled a lower bound, the burst bound is printed, and a raw-format link
 * with a large FIT is warned about. */
Test(ucie_cli, fit_is_a_lower_bound_and_raw_links_are_warned)
{
    run_t r;
    run_links("links_raw.cfg", &r);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    cr_assert(strstr(r.out, "a lower bound"), "%s", r.out);
    cr_assert(strstr(r.out, "burst<="), "%s", r.out);
    cr_assert(strstr(r.out, "warning: link s0-s1: raw format"), "%s", r.out);
    cr_assert(!strstr(r.out, "warning: link a0-a1"), "%s", r.out);
    run_links("links_ok.cfg", &r);
    cr_assert_eq(r.exit_code, 0);
    cr_assert(!strstr(r.out, "warning:"), "%s", r.out);
    run_links("links_raw.cfg --json", &r);
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr);
    cr_assert(root, "bad JSON: %s", jerr.text);
    json_t *s = json_array_get(json_object_get(root, "links"), 0);
    cr_assert(json_is_true(json_object_get(s, "fit_high")));
    cr_assert(json_real_value(json_object_get(s, "fit_burst_bound")) >=
              json_real_value(json_object_get(s, "fit")));
    json_decref(root);
}
