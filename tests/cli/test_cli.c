/* The sipsim CLI as a user runs it: exit codes, --json on every report command, and golden
 * outputs in tests/expected/ (run from the source root with relative paths, so the text is
 * stable).  SIPSIM_UPDATE_GOLDEN=1 rewrites the goldens instead of comparing (review the diff).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check/shipped.h"
#include "common/cli_run.h"
#include "common/files.h"

typedef struct {
    int status;
    char *out; /* stdout */
} run_t;

/* Run `sipsim ARGS` in the source root; stderr is discarded. */
static run_t run(const char *args)
{
    run_t r;
    r.out = cli_run(shipped_root(), args, &r.status);
    return r;
}

static int status_of(const char *args)
{
    run_t r = run(args);
    free(r.out);
    return r.status;
}

static void golden(const char *args, const char *name, int want_status)
{
    run_t r = run(args);
    cr_assert_eq(r.status, want_status, "sipsim %s exited %d, expected %d", args, r.status,
                 want_status);
    char what[1024];
    snprintf(what, sizeof what, "sipsim %s", args);
    test_golden_check(r.out, name, what);
    free(r.out);
}

static json_t *json_of(const char *args, int want_status)
{
    run_t r = run(args);
    cr_assert_eq(r.status, want_status, "sipsim %s exited %d", args, r.status);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    cr_assert_not_null(j, "sipsim %s: not JSON: %s", args, je.text);
    free(r.out);
    return j;
}

#define BAD "tests/check/bad/"

Test(cli_exit, usage_errors_exit_2_and_help_exits_0)
{
    cr_assert_eq(status_of("--help"), 0);
    cr_assert_eq(status_of(""), 2);
    cr_assert_eq(status_of("no-such-command"), 2);
    const char *cmds[] = {"check", "info", "graph", "export", "report"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char a[128];
        snprintf(a, sizeof a, "%s --help", cmds[i]);
        cr_assert_eq(status_of(a), 0, "%s", a);
        snprintf(a, sizeof a, "%s", cmds[i]);
        cr_assert_eq(status_of(a), 2, "%s without FILE", a);
        snprintf(a, sizeof a, "%s " BAD "clean.cfg extra", cmds[i]);
        cr_assert_eq(status_of(a), 2, "%s", a);
    }
    cr_assert_eq(status_of("check --bogus " BAD "clean.cfg"), 2);
    cr_assert_eq(status_of("export " BAD "clean.cfg"), 2); /* no format */
    cr_assert_eq(status_of("export -f svgz " BAD "clean.cfg"), 2);
}

Test(cli_exit, bad_input_exits_2)
{
    cr_assert_eq(status_of("check no/such/file.cfg"), 2);
    cr_assert_eq(status_of("report no/such/file.cfg"), 2);
    cr_assert_eq(status_of("graph no/such/file.cfg"), 2);
    cr_assert_eq(status_of("no/such/file.cfg"), 2);
}

Test(cli_exit, design_rule_errors_exit_1_warnings_exit_0)
{
    cr_assert_eq(status_of("check " BAD "clean.cfg"), 0);
    cr_assert_eq(status_of("check " BAD "memory_adjacent.cfg"), 0);
    const char *bad[] = {"overlap", "reach", "shoreline", "ucie", "power_budget", "no_io_path"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char a[256];
        snprintf(a, sizeof a, "check " BAD "%s.cfg", bad[i]);
        cr_assert_eq(status_of(a), 1, "%s", a);
        snprintf(a, sizeof a, "report " BAD "%s.cfg", bad[i]);
        cr_assert_eq(status_of(a), 1, "%s", a);
        snprintf(a, sizeof a, BAD "%s.cfg", bad[i]);
        cr_assert_eq(status_of(a), 1, "%s", a);
    }
    /* A link the UCIe model refuses: no graph, a design-rule exit. */
    cr_assert_eq(status_of("graph " BAD "reach.cfg"), 1);
    cr_assert_eq(status_of("export -f json " BAD "reach.cfg"), 1);
    /* A geometric error does not stop the graph. */
    cr_assert_eq(status_of("graph " BAD "overlap.cfg"), 0);
}

Test(cli_exit, every_shipped_package_passes_sipsim_check)
{
    shipped_t s;
    shipped_packages(&s);
    cr_assert_geq(s.n, 7);
    for (int i = 0; i < s.n; i++) {
        char a[1200];
        snprintf(a, sizeof a, "check '%s'", s.path[i]);
        cr_assert_eq(status_of(a), 0, "sipsim %s", a);
    }
}

Test(cli_json, every_report_command_speaks_json)
{
    json_t *j = json_of("check --json " BAD "reach.cfg", 1);
    cr_assert_eq(json_integer_value(json_object_get(j, "errors")), 1);
    json_t *f = json_array_get(json_object_get(j, "findings"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(f, "rule")), "reach");
    cr_assert_eq(json_integer_value(json_object_get(f, "line")), 11);
    json_decref(j);

    j = json_of("check --rules --json", 0);
    cr_assert_eq(json_array_size(j), (size_t)sip_check_rule_count());
    json_decref(j);

    j = json_of("info --json " BAD "clean.cfg", 0);
    cr_assert_eq(json_array_size(json_object_get(j, "instances")), 4);
    cr_assert_eq(json_array_size(json_object_get(j, "types")), 3);
    json_decref(j);

    j = json_of("graph --json " BAD "clean.cfg", 0);
    cr_assert_eq(json_array_size(json_object_get(j, "vertices")), 3);
    cr_assert_eq(json_array_size(json_object_get(j, "edges")), 2);
    /* Chain c0 - io - c1 of 4 x 16 x 16 / 8 = 128 GB/s links: a 1 | 2 split cuts one. */
    cr_assert_float_eq(json_real_value(json_object_get(json_object_get(j, "graph"), "bisection_GBps")),
                       128.0, 1e-9);
    json_decref(j);

    j = json_of("report --json " BAD "clean.cfg", 0);
    const char *keys[] = {"package", "instances", "links", "check", "graph"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert_not_null(json_object_get(j, keys[i]), "report has no '%s'", keys[i]);
    json_decref(j);

    j = json_of("export --json " BAD "clean.cfg", 0);
    cr_assert_eq(json_array_size(json_object_get(j, "edges")), 2);
    json_decref(j);
}

Test(cli_export, format_from_the_output_extension)
{
    char path[] = "/tmp/sipsim-cli-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    char dot[64], a[256];
    snprintf(dot, sizeof dot, "%s.gv", path);
    snprintf(a, sizeof a, "export " BAD "clean.cfg -o %s", dot);
    cr_assert_eq(status_of(a), 0);
    FILE *f = fopen(dot, "r");
    cr_assert_not_null(f);
    char head[16] = {0};
    cr_assert_gt(fread(head, 1, 6, f), 0);
    fclose(f);
    cr_assert_str_eq(head, "graph ");
    unlink(dot);
    unlink(path);
}

Test(cli_export, booksim_writes_an_anynet_with_one_router_per_die)
{
    char dir[] = "/tmp/sipsim-booksim-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char a[256], path[320];
    snprintf(a, sizeof a, "export topologies/star.cfg --booksim %s", dir);
    cr_assert_eq(status_of(a), 0);
    /* star.cfg: the I/O die in the middle and 8 compute dies, each linked to it only */
    snprintf(path, sizeof path, "%s/star.anynet", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s was not written", path);
    char line[512];
    int routers = 0, hub_neighbours = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "router ", 7) != 0)
            continue;
        routers++;
        if (strncmp(line, "router 0 ", 9) == 0)
            for (const char *p = line + 9; (p = strstr(p, "router ")); p += 7)
                hub_neighbours++;
    }
    fclose(f);
    cr_assert_eq(routers, 9);
    cr_assert_eq(hub_neighbours, 8);
    snprintf(path, sizeof path, "%s/star.cfg", dir);
    cr_assert_eq(access(path, R_OK), 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/star.anynet", dir);
    unlink(path);
    rmdir(dir);
    snprintf(a, sizeof a, "export topologies/star.cfg --booksim");
    cr_assert_eq(status_of(a), 2);
}

Test(cli_run, runs_the_workload_inside_the_package_report)
{
    json_t *doc = cli_run_json(shipped_root(), "run topologies/default.cfg --json");
    json_t *w = json_object_get(doc, "workload");
    cr_assert(json_is_object(w), "no workload section in `sipsim run --json`");
    cr_assert_str_eq(json_string_value(json_object_get(w, "model")), "llama3-8b");
    cr_assert_gt(json_number_value(json_object_get(w, "tokens_per_s")), 0.0);
    /* the rest of the package report is there too */
    cr_assert(json_is_object(json_object_get(doc, "check")));
    cr_assert(json_is_object(json_object_get(doc, "tpp")));
    json_decref(doc);
}

Test(cli_golden, report_check_and_graph_text)
{
    golden("report " BAD "clean.cfg", "report_clean.txt", 0);
    golden(BAD "clean.cfg", "report_clean.txt", 0); /* `sipsim FILE` is the report */
    golden("check " BAD "shoreline.cfg", "check_shoreline.txt", 1);
    golden("check " BAD "memory_adjacent.cfg", "check_memory_adjacent.txt", 0);
    golden("graph topologies/mesh_2x4.cfg", "graph_mesh_2x4.txt", 0);
    golden("info " BAD "clean.cfg", "info_clean.txt", 0);
}

/* `sipsim graph` prints the hand-calculated figures (arithmetic in tests/graph/test_graph_data.c
 * and at the top of each package file): default 2 hops and 1024 GB/s, mesh_2x4 4 hops and
 * 512 GB/s. */
Test(cli_graph, prints_the_hand_calculated_diameter_and_bisection)
{
    run_t r = run("graph topologies/default.cfg");
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "diameter 2 hops"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "bisection bandwidth 1024.0 GB/s per direction"), "%s", r.out);
    free(r.out);
    r = run("graph topologies/mesh_2x4.cfg");
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "diameter 4 hops"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "bisection bandwidth 512.0 GB/s per direction"), "%s", r.out);
    free(r.out);
}

/* Issue 19: `export --no-metrics` wrote through a NULL metrics pointer (exit 139) on every
 * format.  Each format must come out without the metric attributes and with the same edges. */
Test(cli_export, no_metrics_writes_every_format_without_metric_attributes)
{
    const char *formats[] = {"graphml", "dot", "json"};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char a[256];
        snprintf(a, sizeof a, "export topologies/mesh_2x4.cfg -f %s --no-metrics", formats[i]);
        run_t r = run(a);
        cr_assert_eq(r.status, 0, "sipsim %s exited %d", a, r.status);
        cr_assert_gt(strlen(r.out), 100, "sipsim %s printed %zu bytes", a, strlen(r.out));
        /* betweenness is a metric attribute: present with metrics, absent without */
        cr_assert_null(strstr(r.out, "betweenness"), "sipsim %s still has metrics", a);
        free(r.out);
        snprintf(a, sizeof a, "export topologies/mesh_2x4.cfg -f %s", formats[i]);
        r = run(a);
        cr_assert_eq(r.status, 0);
        cr_assert_not_null(strstr(r.out, "betweenness"), "sipsim %s has no metrics", a);
        free(r.out);
    }
    json_t *j = json_of("export --json --no-metrics topologies/mesh_2x4.cfg", 0);
    cr_assert_eq(json_array_size(json_object_get(j, "vertices")), 9); /* the I/O die and the 2 x 4 compute dies */
    json_decref(j);
}

Test(cli_exit, help_for_bench_and_help_exits_0)
{
    run_t r = run("bench --help");
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "areas:"), "%s", r.out);
    free(r.out);
    r = run("help --help");
    cr_assert_eq(r.status, 0);
    cr_assert_not_null(strstr(r.out, "groups:"), "%s", r.out);
    free(r.out);
}

/* --json is either honoured (one JSON document) or refused with exit 2, never ignored. */
Test(cli_json, json_is_honoured_or_refused_never_ignored)
{
    json_t *j = json_of("sweep --metrics --json", 0);
    cr_assert(json_is_array(j));
    cr_assert_eq(json_array_size(j), (size_t)sip_sweep_metric_count());
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "metric")),
                     sip_sweep_metric(0)->name);
    json_decref(j);
    cr_assert_eq(status_of("bench --json"), 2);
    cr_assert_eq(status_of("bench ucie --json"), 2);
    cr_assert_eq(status_of("svg --json topologies/default.cfg"), 2);
    cr_assert_eq(status_of("svg topologies/default.cfg --plot latency --json"), 2);
}

static int status_of_sh(const char *cmd)
{
    int ws = system(cmd);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Output folders are created as `mkdir -p` would: --export-booksim, export --booksim, sweep -o. */
Test(cli_export, output_folders_are_created)
{
    char dir[] = "/tmp/sipsim-mkdir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe);
    char cmd[2048], path[512];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' export topologies/star.cfg --booksim '%s/a/b' 2>/dev/null",
             shipped_root(), exe, dir);
    cr_assert_eq(status_of_sh(cmd), 0, "%s", cmd);
    snprintf(path, sizeof path, "%s/a/b/star.anynet", dir);
    cr_assert_eq(access(path, R_OK), 0, "%s was not written", path);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' netsim topologies/star.cfg --export-booksim '%s/c/d/' 2>/dev/null",
             shipped_root(), exe, dir);
    cr_assert_eq(status_of_sh(cmd), 0, "%s", cmd);
    snprintf(path, sizeof path, "%s/c/d/star.cfg", dir);
    cr_assert_eq(access(path, R_OK), 0, "%s was not written", path);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' sweep sweeps/default_3a090.cfg -o '%s/out/x/ex' --limit 5 "
             "--no-progress >/dev/null 2>&1", shipped_root(), exe, dir);
    cr_assert_eq(status_of_sh(cmd), 0, "%s", cmd);
    snprintf(path, sizeof path, "%s/out/x/ex.jsonl", dir);
    cr_assert_eq(access(path, R_OK), 0, "%s was not written", path);
    /* A file where a folder must go: exit 2 with a message, not a crash. */
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' export topologies/star.cfg --booksim '%s/out/x/ex.jsonl/z' "
             "2>/dev/null", shipped_root(), exe, dir);
    cr_assert_eq(status_of_sh(cmd), 2, "%s", cmd);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Scripts read the same key for the same thing in every command (issue 19). */
Test(cli_json, keys_agree_across_commands)
{
    json_t *t = json_of("tpp --json topologies/default.cfg", 0);
    json_t *r = json_of("report --json topologies/default.cfg", 0);
    json_t *rt = json_object_get(r, "tpp");
    cr_assert_null(json_object_get(t, "pd"));
    cr_assert_null(json_object_get(t, "rules"));
    cr_assert_float_eq(json_number_value(json_object_get(t, "performance_density")),
                       json_number_value(json_object_get(rt, "performance_density")), 1e-9);
    json_t *tc = json_object_get(t, "classes"), *rc = json_object_get(rt, "classes");
    cr_assert(json_is_object(tc) && json_is_object(rc));
    cr_assert_eq(json_object_size(tc), json_object_size(rc));
    const char *id;
    json_t *v;
    json_object_foreach(rc, id, v) {
        json_t *x = json_object_get(tc, id);
        cr_assert_not_null(x, "tpp --json has no class for rule %s", id);
        cr_assert_str_eq(json_string_value(json_object_get(x, "class")),
                         json_string_value(json_object_get(v, "class")));
    }
    json_decref(t);
    json_decref(r);

    /* traffic --json flows name their nodes like the channels do */
    t = json_of("traffic --json topologies/mesh_2x4.cfg", 0);
    json_t *flows = json_object_get(t, "flows");
    cr_assert_gt(json_array_size(flows), 0);
    json_t *f = json_array_get(flows, json_array_size(flows) - 1);
    const char *from = json_string_value(json_object_get(f, "from"));
    cr_assert_not_null(from, "flows carry no node names");
    cr_assert_not_null(json_string_value(json_object_get(f, "to")));
    /* the name is the one `sipsim info` gives the node: a mesh_2x4 die or the I/O die */
    cr_assert(strcmp(from, "io") == 0 || (from[0] == 'a' || from[0] == 'b'), "%s", from);
    json_decref(t);

    /* check --json on bad input: exit 2 and the error object on stdout */
    t = json_of("check --json tests/data/bad/attach_self.cfg", 2);
    json_t *e = json_object_get(t, "error");
    cr_assert(json_is_object(e), "no error object");
    cr_assert_str_eq(json_string_value(json_object_get(e, "path")), "tests/data/bad/attach_self.cfg");
    cr_assert_eq(json_integer_value(json_object_get(e, "line")), 3);
    cr_assert_not_null(strstr(json_string_value(json_object_get(e, "message")), "tiny_compute"));
    json_decref(t);
    t = json_of("check --json no/such/file.cfg", 2);
    cr_assert(json_is_object(json_object_get(t, "error")));
    json_decref(t);
}
