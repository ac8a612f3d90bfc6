/* sipsim sweep SPEC, sipsim pareto RESULTS..., sipsim bench sweep.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "sip_config.h"

static void progress_bar(void *user, const sip_sweep_progress_t *p)
{
    (void)user;
    double frac = p->total ? (double)p->done / (double)p->total : 1.0;
    double rate = p->elapsed_s > 0 ? (double)(p->done - p->resumed) / p->elapsed_s : 0.0;
    double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0.0;
    char bar[31];
    int fill = (int)(frac * 30.0);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %5.1f%% %llu/%llu  %.0f/s  ETA %.0fs  invalid %llu  feasible %llu ", bar,
            100.0 * frac, (unsigned long long)p->done, (unsigned long long)p->total, rate, eta,
            (unsigned long long)p->invalid, (unsigned long long)p->feasible);
    fflush(stderr);
}

static int list_metrics(bool json)
{
    if (json) {
        json_t *arr = json_array();
        for (int i = 0; i < sip_sweep_metric_count(); i++) {
            const sip_sweep_metric_info_t *m = sip_sweep_metric(i);
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:s}", "metric", m->name, "unit",
                               m->is_text ? "(word)" : m->unit, "engine",
                               m->engine < SIP_SWEEP_ENGINE_COUNT ? sip_sweep_engine_name(m->engine)
                                                                  : "model",
                               "meaning", m->help));
        }
        cli_print_json(stdout, arr, JSON_INDENT(2));
        return CLI_EXIT_OK;
    }
    printf("%-20s %-18s %-8s %s\n", "metric", "unit", "engine", "meaning");
    for (int i = 0; i < sip_sweep_metric_count(); i++) {
        const sip_sweep_metric_info_t *m = sip_sweep_metric(i);
        printf("%-20s %-18s %-8s %s\n", m->name, m->is_text ? "(word)" : m->unit,
               m->engine < SIP_SWEEP_ENGINE_COUNT ? sip_sweep_engine_name(m->engine) : "model",
               m->help);
    }
    return CLI_EXIT_OK;
}

static bool parse_u64(const char *s, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return s[0] >= '0' && s[0] <= '9' && end && !*end && errno == 0;
}

/* Started by mpirun (OpenMPI / PMI environments)? */
static bool under_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int cmd_sweep(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    const char *spec_path = NULL;
    sip_sweep_run_options_t opt;
    sip_sweep_run_options_init(&opt);
    opt.prefix = NULL;
    int progress = -1; /* -1 = when stderr is a terminal */
    bool mpi = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long v;
        if (strcmp(a, "--metrics") == 0)
            return list_metrics(common.json);
        if (strcmp(a, "--resume") == 0) {
            opt.resume = true;
        } else if (strcmp(a, "--progress") == 0) {
            progress = 1;
        } else if (strcmp(a, "--no-progress") == 0) {
            progress = 0;
        } else if (strcmp(a, "--mpi") == 0) {
            mpi = true;
        } else if ((strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) && i + 1 < argc) {
            if (!parse_u64(argv[++i], &v) || v > 1024)
                return cli_usage(argv[0], "%s %s (expected 0 .. 1024 threads, 0 = every CPU)", a, argv[i]);
            opt.threads = (int)v;
        } else if (strcmp(a, "--limit") == 0 && i + 1 < argc) {
            if (!parse_u64(argv[++i], &v))
                return cli_usage(argv[0], "--limit %s (expected a whole number)", argv[i]);
            opt.limit = v;
        } else if (strcmp(a, "--shard") == 0 && i + 1 < argc) {
            int k = 0, n = 0;
            char tail;
            if (sscanf(argv[++i], "%d/%d%c", &k, &n, &tail) != 2 || n < 1 || k < 1 || k > n)
                return cli_usage(argv[0], "--shard %s (expected K/N with 1 <= K <= N)", argv[i]);
            opt.shard_index = k;
            opt.shard_count = n;
        } else if (a[0] != '-' && !spec_path) {
            spec_path = a;
        } else {
            return cli_usage(argv[0], "unexpected argument '%s'", a);
        }
    }
    if (common.help) {
        const cli_command_t *c = cli_find_command("sweep");
        printf("usage: sipsim sweep %s\n", c ? c->usage : "");
        return CLI_EXIT_OK;
    }
    if (!spec_path)
        return cli_usage(argv[0], "no sweep spec given");
    if (under_mpirun() && !sip_sweep_mpi_available()) {
        fprintf(stderr, "sipsim sweep: started by mpirun, but this sipsim was built without MPI "
                        "(meson setup -Dmpi=enabled); refusing to let every rank write the same files\n");
        return CLI_EXIT_INPUT;
    }
    mpi = mpi || under_mpirun();
    int rank = 0, size = 1;
    sip_error_t err;
    sip_error_clear(&err);
    if (mpi && sip_sweep_mpi_init(&argc, &argv, &rank, &size, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    char prefix[SIP_PATH_MAX];
    if (common.output) {
        snprintf(prefix, sizeof prefix, "%s", common.output);
    } else {
        /* Default: the spec's stem in the current folder, with the shard appended. */
        const char *b = strrchr(spec_path, '/');
        b = b ? b + 1 : spec_path;
        const char *dot = strrchr(b, '.');
        int len = dot && dot != b ? (int)(dot - b) : (int)strlen(b);
        if (opt.shard_count > 1)
            snprintf(prefix, sizeof prefix, "%.*s.shard%dof%d", len, b, opt.shard_index, opt.shard_count);
        else
            snprintf(prefix, sizeof prefix, "%.*s", len, b);
    }
    opt.prefix = prefix;
    /* -o out/name: create out/ as `mkdir -p` would (the shipped spec's Run line writes there). */
    if (rank == 0 && cli_mkdir_for_file(prefix) != 0) {
        if (mpi)
            sip_sweep_mpi_finalize();
        return CLI_EXIT_INPUT;
    }
    if (progress < 0)
        progress = isatty(STDERR_FILENO) && rank == 0;
    if (progress && rank == 0) {
        opt.progress = progress_bar;
        opt.progress_interval_s = 0.2;
    }
    sip_load_options_t lo = {.library_dirs = common.library_dirs, .n_library_dirs = common.n_library_dirs};
    sip_sweep_spec_t *spec = NULL;
    int rc = CLI_EXIT_INPUT;
    if (sip_sweep_spec_load(spec_path, &lo, &spec, &err) != SIP_OK) {
        if (rank == 0)
            cli_print_error(&err);
        goto out;
    }
    sip_sweep_summary_t sum;
    memset(&sum, 0, sizeof sum);
    sip_status_t st = mpi ? sip_sweep_run_mpi(spec, &opt, &sum, &err) : sip_sweep_run(spec, &opt, &sum, &err);
    if (progress && rank == 0)
        fputc('\n', stderr);
    if (st != SIP_OK) {
        cli_print_error(&err);
        goto out;
    }
    rc = CLI_EXIT_OK;
    if (rank != 0)
        goto out;
    double rate = sum.elapsed_s > 0 ? (double)(sum.rows - sum.resumed) / sum.elapsed_s : 0.0;
    if (common.json) {
        /* jansson: a spec name with quotes, backslashes or control characters stays valid JSON
         * (invalid UTF-8 becomes null) */
        json_t *name = json_string(spec->name), *where = json_string(prefix);
        json_t *j = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:i, s:o}", "name",
                              name ? name : json_null(), "variants", (json_int_t)spec->n_variants,
                              "rows", (json_int_t)sum.rows, "resumed", (json_int_t)sum.resumed,
                              "invalid", (json_int_t)sum.invalid, "feasible",
                              (json_int_t)sum.feasible, "pareto", (json_int_t)sum.pareto,
                              "seconds", sum.elapsed_s, "variants_per_s", rate, "ranks", size,
                              "prefix", where ? where : json_null());
        if (!j) {
            fprintf(stderr, "sipsim sweep: cannot build the JSON summary\n");
            rc = CLI_EXIT_INPUT;
            goto out;
        }
        cli_print_json(stdout, j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    } else {
        printf("sweep %s: %llu of %llu variants (%llu resumed), %llu invalid, %llu feasible", spec->name,
               (unsigned long long)sum.rows, (unsigned long long)spec->n_variants,
               (unsigned long long)sum.resumed, (unsigned long long)sum.invalid,
               (unsigned long long)sum.feasible);
        if (spec->n_objectives)
            printf(", %llu on the Pareto front", (unsigned long long)sum.pareto);
        printf("\n  %.2f s, %.0f variants/s%s\n  %s.csv %s.jsonl %s.meta.json", sum.elapsed_s, rate,
               size > 1 ? " (MPI)" : "", prefix, prefix, prefix);
        if (spec->n_objectives)
            printf(" %s.pareto.csv %s.pareto.jsonl", prefix, prefix);
        printf("\n");
    }
out:
    sip_sweep_spec_destroy(spec);
    if (mpi)
        sip_sweep_mpi_finalize();
    return rc;
}

int cmd_pareto(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    const char *paths[256];
    int n_paths = 0;
    sip_sweep_objective_t obj[SIP_SWEEP_MAX_OBJECTIVES];
    int n_obj = 0;
    sip_error_t err;
    sip_error_clear(&err);
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--objective") == 0 || strcmp(argv[i], "-O") == 0) && i + 1 < argc) {
            if (n_obj >= SIP_SWEEP_MAX_OBJECTIVES)
                return cli_usage(argv[0], "at most %d objectives", SIP_SWEEP_MAX_OBJECTIVES);
            if (sip_sweep_objective_parse(argv[++i], "--objective", 0, &obj[n_obj], &err) != SIP_OK) {
                cli_print_error(&err);
                return CLI_EXIT_INPUT;
            }
            n_obj++;
        } else if (argv[i][0] != '-' && n_paths < 256) {
            paths[n_paths++] = argv[i];
        } else {
            return cli_usage(argv[0], "unexpected argument '%s'", argv[i]);
        }
    }
    if (common.help) {
        printf("usage: sipsim pareto RESULTS.jsonl... [--objective min:METRIC]... [-o OUT]\n");
        return CLI_EXIT_OK;
    }
    if (n_paths == 0)
        return cli_usage(argv[0], "no result file given");
    if (n_obj == 0 && sip_sweep_meta_objectives(paths[0], obj, SIP_SWEEP_MAX_OBJECTIVES, &n_obj, &err) != SIP_OK) {
        cli_print_error(&err);
        fprintf(stderr, "sipsim pareto: give --objective min:METRIC or max:METRIC\n");
        return CLI_EXIT_INPUT;
    }
    if (n_obj == 0)
        return cli_usage(argv[0], "the run has no objectives (expected --objective min:METRIC)");
    FILE *out = cli_open_output(common.output);
    if (!out)
        return CLI_EXIT_INPUT;
    int64_t n = 0;
    sip_status_t st = sip_pareto_results(paths, n_paths, obj, n_obj, out, &n, &err);
    cli_close_output(out);
    if (st != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    fprintf(stderr, "%lld rows on the Pareto front\n", (long long)n);
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ benchmark */

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* The 1-minute load average: other work on the machine makes 2 threads look slower than they are. */
static double load_average(void)
{
    double l = -1.0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1.0;
        fclose(f);
    }
    return l;
}

/* 10 x 10 x 5 x 2 x 10 = 10,000 variants of the default package: clock, die size, link rate,
 * link modules and volume move TPP, PD, UCIe bandwidth, traffic saturation and cost together. */
static const char bench_spec_fmt[] =
    "name = \"bench\";\n"
    "base = \"%s\";\n"
    "engines = [\"check\", \"ucie\", \"tpp\", \"traffic\", \"cost\"];\n"
    "axes = (\n"
    "  { path = \"types.compute_infer.engines.mxu.clock_ghz\"; range = [0.6, 1.5, 0.1]; },\n"
    "  { path = \"types.compute_infer.width_mm\"; range = [10.0, 12.25, 0.25]; },\n"
    "  { path = \"links.*.rate_gtps\"; values = [8.0, 12.0, 16.0, 24.0, 32.0]; },\n"
    "  { path = \"links.*.modules\"; values = [2, 4]; },\n"
    "  { path = \"cost.volume_units\"; log_range = [1e4, 1e6, 10.0]; }\n"
    ");\n"
    "constraints = [\"tpp < 4800\", \"check == ok\"];\n"
    "objectives = [\"max tpp\", \"min cost_usd\"];\n";

int bench_sweep(int argc, char **argv)
{
    const char *pkg = NULL;
    int repeats = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !pkg)
            pkg = argv[i];
        else {
            fprintf(stderr, "usage: sipsim bench sweep [PACKAGE] [--repeats N]\n");
            return CLI_EXIT_INPUT;
        }
    }
    if (repeats < 1 || repeats > 100) {
        fprintf(stderr, "sipsim bench sweep: --repeats 1..100\n");
        return CLI_EXIT_INPUT;
    }
    if (!pkg)
        pkg = access("topologies/default.cfg", R_OK) == 0 ? "topologies/default.cfg"
                                                          : SIP_DATADIR "/topologies/default.cfg";
    char abs_pkg[SIP_PATH_MAX];
    if (pkg[0] != '/') {
        char cwd[SIP_PATH_MAX - 64];
        if (!getcwd(cwd, sizeof cwd))
            return CLI_EXIT_INPUT;
        snprintf(abs_pkg, sizeof abs_pkg, "%s/%s", cwd, pkg);
    } else {
        snprintf(abs_pkg, sizeof abs_pkg, "%s", pkg);
    }
    char text[4096];
    snprintf(text, sizeof text, bench_spec_fmt, abs_pkg);
    sip_error_t err;
    sip_error_clear(&err);
    sip_sweep_spec_t *spec = NULL;
    if (sip_sweep_spec_load_string(text, "bench.cfg", NULL, &spec, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    char dir[] = "/tmp/sipsim-bench-sweep-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "sipsim bench sweep: cannot create a temporary folder\n");
        sip_sweep_spec_destroy(spec);
        return CLI_EXIT_INPUT;
    }
    char prefix[sizeof dir + 16];
    snprintf(prefix, sizeof prefix, "%s/bench", dir);
    printf("sweep of %s: %llu variants (grid, engines check+ucie+tpp+traffic+cost, CSV+JSONL+Pareto "
           "files), median of %d runs; load average %.2f on %ld CPUs\n", pkg,
           (unsigned long long)spec->n_variants, repeats, load_average(), sysconf(_SC_NPROCESSORS_ONLN));
    double med[3] = {0};
    const int threads[] = {1, 2};
    int rc = CLI_EXIT_OK;
    for (int t = 0; t < 2 && rc == CLI_EXIT_OK; t++) {
        double *rates = calloc((size_t)repeats, sizeof *rates);
        double *cpu_us = calloc((size_t)repeats, sizeof *cpu_us);
        for (int r = 0; r < repeats && rates && cpu_us; r++) {
            sip_sweep_run_options_t opt;
            sip_sweep_run_options_init(&opt);
            opt.prefix = prefix;
            opt.threads = threads[t];
            sip_sweep_summary_t sum;
            double t0 = cli_now_s(), c0 = cpu_s();
            if (sip_sweep_run(spec, &opt, &sum, &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
                break;
            }
            rates[r] = (double)sum.rows / (cli_now_s() - t0);
            cpu_us[r] = 1e6 * (cpu_s() - c0) / (double)sum.rows;
        }
        if (rates && cpu_us && rc == CLI_EXIT_OK) {
            qsort(rates, (size_t)repeats, sizeof *rates, cli_cmp_double);
            qsort(cpu_us, (size_t)repeats, sizeof *cpu_us, cli_cmp_double);
            med[t] = rates[repeats / 2];
            printf("  %d thread%s  %8.0f variants/s  [%.0f .. %.0f]  %.0f CPU-us/variant%s\n",
                   threads[t], t ? "s" : " ", med[t], rates[0], rates[repeats - 1],
                   cpu_us[repeats / 2],
                   t == 1 ? (med[t] >= 5000 ? "  target 5000: met" : "  target 5000: NOT met") : "");
        }
        free(rates);
        free(cpu_us);
    }
    if (rc == CLI_EXIT_OK && med[0] > 0)
        printf("  speed-up 2 vs 1 thread: %.2fx  (target 1.8x: %s)\n", med[1] / med[0],
               med[1] / med[0] >= 1.8 ? "met" : "NOT met");
    static const char *const ends[] = {".csv", ".jsonl", ".meta.json", ".pareto.csv", ".pareto.jsonl"};
    for (int i = 0; i < 5; i++) {
        char p[sizeof prefix + 16];
        snprintf(p, sizeof p, "%s%s", prefix, ends[i]);
        unlink(p);
    }
    rmdir(dir);
    sip_sweep_spec_destroy(spec);
    return rc;
}
