/* sipsim thermal FILE: junction temperatures per die, hotspot, headroom, thermal budget and
 * power caps; maps (CSV, SVG); HotSpot export; transients over a power trace; HotSpot cases.
 * --workload: die powers from the package's workload (kernel library: sip_workload_evaluate, then
 * sip_workload_apply_power: idle + (TDP - idle) x activity of the workload's phase step).
 * sipsim bench thermal: build/factor/solve times (medians), optionally beside a HotSpot binary.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _XOPEN_SOURCE 700 /* realpath() */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/kernels.h"
#include "sipsim/thermal.h"

typedef struct {
    int grid;
    const char *csv, *svg, *export_dir, *trace, *hotspot_dir;
    double dt_s, secondary_r;
    bool no_caps, workload;
} thermal_args_t;

static int parse_args(int *argc, char **argv, thermal_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->secondary_r = -1.0;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *s = argv[i];
        bool has_arg = i + 1 < *argc;
        if (strcmp(s, "--no-caps") == 0) {
            a->no_caps = true;
            continue;
        }
        if (strcmp(s, "--workload") == 0) {
            a->workload = true;
            continue;
        }
        const char **dst = strcmp(s, "--csv") == 0 ? &a->csv : strcmp(s, "--svg") == 0 ? &a->svg
                         : strcmp(s, "--export-hotspot") == 0 ? &a->export_dir : strcmp(s, "--transient") == 0 ? &a->trace
                         : strcmp(s, "--hotspot") == 0 ? &a->hotspot_dir : NULL;
        bool num = strcmp(s, "--grid") == 0 || strcmp(s, "--dt") == 0 || strcmp(s, "--secondary") == 0;
        if (!dst && !num) {
            argv[out++] = argv[i];
            continue;
        }
        if (!has_arg)
            return cli_usage("thermal", "option %s needs an argument", s);
        const char *v = argv[++i];
        if (dst) {
            *dst = v;
            continue;
        }
        char *end;
        double x = strtod(v, &end);
        if (end == v || *end || !isfinite(x))
            return cli_usage("thermal", "%s %s: not a number", s, v);
        if (strcmp(s, "--grid") == 0) {
            if (x < 1 || x > SIP_THERMAL_MAX_GRID || x != floor(x))
                return cli_usage("thermal", "--grid %s (expected an integer 1..%d)", v, SIP_THERMAL_MAX_GRID);
            a->grid = (int)x;
        } else if (strcmp(s, "--dt") == 0) {
            if (!(x > 0))
                return cli_usage("thermal", "--dt %s (expected seconds > 0)", v);
            a->dt_s = x;
        } else {
            if (!(x > 0))
                return cli_usage("thermal", "--secondary %s (expected K/W > 0)", v);
            a->secondary_r = x;
        }
    }
    *argc = out;
    argv[out] = NULL;
    if (a->trace && !(a->dt_s > 0))
        return cli_usage("thermal", "--transient needs --dt SECONDS (the time each trace row holds)");
    return 0;
}

/* dir/name; false (and "") when it does not fit */
static bool join(char *out, size_t size, const char *dir, const char *name)
{
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        out[0] = 0;
        return false;
    }
    return true;
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* HotSpot config of a case: the nearest hotspot.config in CASE_DIR or any directory above it
 * (shared/peers/hotspot keeps one config two levels above cases/b).  Fills cfg (or "" when none
 * is found) and a note saying which file was used, for the report: the model falls back to
 * HotSpot's code defaults without one, which must never happen silently. */
#define HOTSPOT_CONFIG_NAME "hotspot.config"
static void find_hotspot_config(const char *dir, char *cfg, size_t cfg_size, char *note, size_t note_size)
{
    cfg[0] = 0;
    char at[SIP_PATH_MAX];
    char *abs = realpath(dir, NULL); /* absolute, so that ".." steps reach the root */
    int n = snprintf(at, sizeof at, "%s", abs ? abs : dir);
    free(abs);
    if (n < 0 || (size_t)n >= sizeof at) {
        snprintf(note, note_size, "no %s found (case path too long); HotSpot's code defaults", HOTSPOT_CONFIG_NAME);
        return;
    }
    for (int up = 0;; up++) {
        char cand[SIP_PATH_MAX + 32];
        if (join(cand, sizeof cand, at, HOTSPOT_CONFIG_NAME) && file_exists(cand)) {
            snprintf(cfg, cfg_size, "%s", cand);
            if (up == 0)
                snprintf(note, note_size, "%s (in the case directory)", cand);
            else
                snprintf(note, note_size, "%s (%d level%s above the case directory)", cand, up, up > 1 ? "s" : "");
            return;
        }
        char *slash = strrchr(at, '/');
        if (!slash || (slash == at && at[1] == 0))
            break;
        if (slash == at)
            slash[1] = 0; /* "/x" -> "/" */
        else
            *slash = 0;
    }
    snprintf(note, note_size, "no %s in %s or any directory above it; HotSpot's code defaults", HOTSPOT_CONFIG_NAME, dir);
}

/* A HotSpot case directory: hotspot.config (see find_hotspot_config), case.opts, power.ptrace. */
static int load_hotspot_case(const char *dir, int grid, sip_thermal_model_t **out, char *note, size_t note_size)
{
    char cfg[SIP_PATH_MAX + 32], opts_path[SIP_PATH_MAX + 32];
    find_hotspot_config(dir, cfg, sizeof cfg, note, note_size);
    join(opts_path, sizeof opts_path, dir, "case.opts");
    static const int max_tok = 64;
    char tok[64][SIP_PATH_MAX];
    const char *opts[66];
    int n = 0;
    bool has_p = false;
    FILE *f = fopen(opts_path, "r");
    if (f) {
        while (n < max_tok && fscanf(f, "%511s", tok[n]) == 1) {
            has_p = has_p || strcmp(tok[n], "-p") == 0;
            opts[n] = tok[n];
            n++;
        }
        fclose(f);
    }
    if (!has_p) {
        opts[n++] = "-p";
        opts[n++] = "power.ptrace";
    }
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_thermal_model_create_hotspot(dir, cfg[0] ? cfg : NULL, opts, n, grid, grid, out, &err) != SIP_OK) {
        cli_print_error(&err);
        fprintf(stderr, "sipsim thermal: HotSpot config: %s\n", note);
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static void print_json(FILE *out, const sip_thermal_model_t *m, const sip_thermal_result_t *r, const double *trace_max,
                       int n_steps, double dt_s, const char *power_source, const char *config_note)
{
    json_t *root = json_object(), *dies = json_array(), *layers = json_array();
    for (int l = 0; l < sip_thermal_model_n_layers(m); l++) {
        const sip_thermal_layer_t *L = sip_thermal_model_layer(m, l);
        json_array_append_new(layers, json_pack("{s:s, s:o, s:o, s:o, s:b}", "name", L->name, "thickness_um", jnum(L->thickness_um),
                                                "k_w_per_mk", jnum(L->k_w_per_mk), "heat_capacity_j_per_m3k",
                                                jnum(L->heat_capacity_j_per_m3k), "power", L->has_power));
    }
    for (int d = 0; d < r->n_dies; d++) {
        const sip_thermal_die_t *D = &r->dies[d];
        json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "name", D->name, "power_w", jnum(D->power_w), "t_max_c",
                              jnum(D->t_max_c), "t_avg_c", jnum(D->t_avg_c), "t_avg_touched_c", jnum(D->t_avg_touched_c),
                              "headroom_c", jnum(D->headroom_c));
        json_object_set_new(o, "power_cap_w", D->power_cap_w >= 0 ? json_real(D->power_cap_w) : json_null());
        if (trace_max) {
            json_t *a = json_array();
            for (int s = 0; s < n_steps; s++)
                json_array_append_new(a, jnum(trace_max[(size_t)s * r->n_dies + d]));
            json_object_set_new(o, "transient_t_max_c", a);
        }
        json_array_append_new(dies, o);
    }
    json_object_set_new(root, "grid", json_pack("{s:i, s:i, s:o, s:o}", "rows", r->rows, "cols", r->cols, "width_mm",
                                                 jnum(r->width_mm), "height_mm", jnum(r->height_mm)));
    json_object_set_new(root, "layers", layers);
    json_object_set_new(root, "ambient_c", jnum(r->ambient_c));
    json_object_set_new(root, "tj_max_c", jnum(r->tj_max_c));
    json_object_set_new(root, "t_max_c", jnum(r->t_max_c));
    json_object_set_new(root, "hotspot", json_pack("{s:s, s:o, s:o}", "die", r->hot_die >= 0 ? r->dies[r->hot_die].name : "",
                                                   "x_mm", jnum(r->hot_x_mm), "y_mm", jnum(r->hot_y_mm)));
    json_object_set_new(root, "headroom_c", jnum(r->headroom_c));
    json_object_set_new(root, "power_source", json_string(power_source));
    if (config_note)
        json_object_set_new(root, "hotspot_config", json_string(config_note));
    json_object_set_new(root, "power_in_w", jnum(r->power_in_w));
    json_object_set_new(root, "heat_out_w", jnum(r->heat_out_w));
    json_object_set_new(root, "budget_scale", r->budget_scale >= 0 ? json_real(r->budget_scale) : json_null());
    json_object_set_new(root, "budget_power_w", r->budget_power_w >= 0 ? json_real(r->budget_power_w) : json_null());
    if (trace_max) {
        json_object_set_new(root, "transient_steps", json_integer(n_steps));
        json_object_set_new(root, "transient_dt_s", jnum(dt_s));
    }
    json_object_set_new(root, "dies", dies);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (text)
        fprintf(out, "%s\n", text);
    free(text);
    json_decref(root);
}

static void print_text(FILE *out, const char *name, const sip_thermal_model_t *m, const sip_thermal_result_t *r,
                       const double *trace_max, int n_steps, double dt_s, const char *power_source,
                       const char *config_note)
{
    fprintf(out, "thermal %s: %d x %d grid over %.2f x %.2f mm, %d layers (", name, r->rows, r->cols, r->width_mm,
            r->height_mm, r->n_layers);
    for (int l = 0; l < sip_thermal_model_n_layers(m); l++)
        fprintf(out, "%s%s", l ? " " : "", sip_thermal_model_layer(m, l)->name);
    fprintf(out, "), ambient %.1f C, Tj,max %.1f C\n", r->ambient_c, r->tj_max_c);
    fprintf(out, "power: %s\n", power_source);
    if (config_note)
        fprintf(out, "HotSpot config: %s\n", config_note);
    fprintf(out, "\n");
    fprintf(out, "%-12s %9s %9s %9s %10s %11s%s\n", "die", "power W", "Tmax C", "Tavg C", "headroom", "cap W",
            trace_max ? "  Tmax end of trace C" : "");
    for (int d = 0; d < r->n_dies; d++) {
        const sip_thermal_die_t *D = &r->dies[d];
        char cap[32] = "-";
        if (D->power_cap_w >= 0)
            snprintf(cap, sizeof cap, "%.1f", D->power_cap_w);
        fprintf(out, "%-12s %9.2f %9.2f %9.2f %10.2f %11s", D->name, D->power_w, D->t_max_c, D->t_avg_c, D->headroom_c, cap);
        if (trace_max)
            fprintf(out, "  %.2f", trace_max[(size_t)(n_steps - 1) * r->n_dies + d]);
        fprintf(out, "\n");
    }
    fprintf(out, "\npackage max %.2f C at (%.2f, %.2f) mm on %s; headroom %.2f K\n", r->t_max_c, r->hot_x_mm, r->hot_y_mm,
            r->hot_die >= 0 ? r->dies[r->hot_die].name : "-", r->headroom_c);
    fprintf(out, "heat in %.3f W, out %.3f W (balance %.2e)\n", r->power_in_w, r->heat_out_w,
            r->power_in_w > 0 ? (r->heat_out_w - r->power_in_w) / r->power_in_w : 0.0);
    if (r->budget_scale >= 0)
        fprintf(out, "thermal budget: power map x %.4f = %.1f W total brings the hottest die to %.1f C\n", r->budget_scale,
                r->budget_power_w, r->tj_max_c);
    if (trace_max)
        fprintf(out, "transient: %d steps of %g s (backward Euler, from the first row's steady state); Tmax above is "
                     "the steady state of the last row\n", n_steps, dt_s);
}

static int write_maps(const thermal_args_t *a, const sip_thermal_result_t *r)
{
    sip_error_t err;
    sip_error_clear(&err);
    const char *paths[2] = {a->csv, a->svg};
    for (int k = 0; k < 2; k++) {
        if (!paths[k])
            continue;
        FILE *f = fopen(paths[k], "w");
        if (!f) {
            fprintf(stderr, "sipsim: %s: cannot open for writing\n", paths[k]);
            return CLI_EXIT_INPUT;
        }
        sip_status_t st = k == 0 ? sip_thermal_write_csv(r, -1, f, &err) : sip_thermal_write_svg(r, f, &err);
        if (fclose(f) != 0 && st == SIP_OK)
            st = sip_error_set(&err, SIP_EIO, paths[k], 0, "write failed");
        if (st != SIP_OK) {
            cli_print_error(&err);
            return CLI_EXIT_INPUT;
        }
    }
    return CLI_EXIT_OK;
}

/* Trace columns by die name; dies the trace does not name keep their model power. */
static int read_trace(const char *path, const sip_thermal_model_t *m, double **trace_out, int *n_steps)
{
    char(*names)[SIP_NAME_MAX] = NULL;
    double *rows = NULL;
    int nn = 0, nr = 0, nd = sip_thermal_model_n_dies(m);
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_thermal_read_ptrace(path, &names, &nn, &rows, &nr, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    double *trace = malloc(sizeof(double) * (size_t)nr * (size_t)nd);
    int *col = malloc(sizeof(int) * (size_t)nd);
    int rc = CLI_EXIT_OK;
    if (!trace || !col) {
        fprintf(stderr, "sipsim: out of memory\n");
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    for (int k = 0; k < nn; k++) {
        int d = 0;
        while (d < nd && strcmp(sip_thermal_model_die_name(m, d), names[k]) != 0)
            d++;
        if (d == nd) {
            fprintf(stderr, "sipsim: %s:1: '%s' is not a die of the package\n", path, names[k]);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
    }
    for (int d = 0; d < nd; d++) {
        col[d] = -1;
        for (int k = 0; k < nn; k++)
            if (strcmp(sip_thermal_model_die_name(m, d), names[k]) == 0)
                col[d] = k;
    }
    for (int s = 0; s < nr; s++)
        for (int d = 0; d < nd; d++)
            trace[(size_t)s * nd + d] = col[d] >= 0 ? rows[(size_t)s * nn + col[d]] : sip_thermal_model_default_power(m)[d];
    *trace_out = trace;
    trace = NULL;
    *n_steps = nr;
out:
    free(trace);
    free(col);
    free(names);
    free(rows);
    return rc;
}

/* Replace *pkg by a copy whose dies draw the power of the package's workload; describe it. */
static int apply_workload_power(sip_package_t **pkg, char *source, size_t size)
{
    sip_error_t err;
    sip_error_clear(&err);
    sip_workload_result_t *wr = NULL;
    sip_package_t *copy = NULL;
    if (sip_workload_evaluate(*pkg, NULL, NULL, NULL, &wr, &err) != SIP_OK ||
        sip_workload_apply_power(*pkg, wr, &copy, &err) != SIP_OK) {
        cli_print_error(&err);
        sip_workload_result_destroy(wr);
        return CLI_EXIT_INPUT;
    }
    snprintf(source, size, "workload %s %s, batch %d, context %d tokens (die activity over the step)",
             wr->shape.name, wr->workload.phase, wr->workload.batch, wr->workload.context_tokens);
    sip_workload_result_destroy(wr);
    sip_package_destroy(*pkg);
    *pkg = copy;
    return CLI_EXIT_OK;
}

int cmd_thermal(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    thermal_args_t a;
    if (parse_args(&argc, argv, &a) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        const cli_command_t *c = cli_find_command("thermal");
        printf("usage: sipsim thermal %s\n", c ? c->usage : "");
        return CLI_EXIT_OK;
    }
    if ((a.hotspot_dir && argc != 1) || (!a.hotspot_dir && argc != 2))
        return cli_usage("thermal", "expected one package FILE (or --hotspot CASE_DIR)");
    sip_package_t *pkg = NULL;
    sip_thermal_model_t *m = NULL;
    sip_thermal_result_t *r = NULL;
    double *trace = NULL, *tmax = NULL;
    int n_steps = 0, rc = CLI_EXIT_OK;
    sip_error_t err;
    sip_error_clear(&err);
    char power_source[SIP_NAME_MAX + 160], config_note[SIP_PATH_MAX + 160] = "";
    snprintf(power_source, sizeof power_source, "%s", a.hotspot_dir ? "HotSpot power trace (average)"
                                                     : "package (instance power or chiplet TDP)");
    if (a.hotspot_dir) {
        if (a.export_dir || a.secondary_r > 0 || a.workload) {
            rc = cli_usage("thermal", "--export-hotspot, --secondary and --workload need a package FILE");
            goto out;
        }
        if ((rc = load_hotspot_case(a.hotspot_dir, a.grid, &m, config_note, sizeof config_note)) != CLI_EXIT_OK)
            goto out;
        sip_thermal_model_set_power_caps(m, !a.no_caps);
    } else {
        if ((rc = cli_load_package(argv[1], &common, &pkg)) != CLI_EXIT_OK)
            goto out;
        if (a.workload && (rc = apply_workload_power(&pkg, power_source, sizeof power_source)) != CLI_EXIT_OK)
            goto out;
        sip_thermal_options_t o = {.grid_rows = a.grid, .grid_cols = a.grid, .secondary_r_c_per_w = a.secondary_r,
                                   .skip_power_caps = a.no_caps};
        if (a.export_dir) {
            mkdir(a.export_dir, 0777); /* may exist already */
            if (sip_thermal_export_hotspot(pkg, &o, a.export_dir, &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
                goto out;
            }
        }
        if (sip_thermal_model_create(pkg, &o, &m, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
    }
    if (a.trace) {
        if ((rc = read_trace(a.trace, m, &trace, &n_steps)) != CLI_EXIT_OK)
            goto out;
        tmax = malloc(sizeof(double) * (size_t)n_steps * (size_t)sip_thermal_model_n_dies(m));
        if (!tmax || sip_thermal_transient(m, trace, n_steps, a.dt_s, true, tmax, NULL, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
    }
    /* the steady report uses the package powers, or the trace's last row */
    if (sip_thermal_solve(m, trace ? trace + (size_t)(n_steps - 1) * sip_thermal_model_n_dies(m) : NULL, &r, &err) != SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if ((rc = write_maps(&a, r)) != CLI_EXIT_OK)
        goto out;
    FILE *out = cli_open_output(common.output);
    if (!out) {
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (common.json)
        print_json(out, m, r, tmax, n_steps, a.dt_s, power_source, a.hotspot_dir ? config_note : NULL);
    else
        print_text(out, pkg ? pkg->name : a.hotspot_dir, m, r, tmax, n_steps, a.dt_s, power_source,
                   a.hotspot_dir ? config_note : NULL);
    cli_close_output(out);
out:
    free(trace);
    free(tmax);
    sip_thermal_result_destroy(r);
    sip_thermal_model_destroy(m);
    sip_package_destroy(pkg);
    return rc;
}

/* ---- benchmark ---- */

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cli_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Time `hotspot` on the same case and grid (whole process, like run.sh in shared/peers/hotspot). */
static double time_hotspot(const char *bin, const char *dir, int grid)
{
    char cfg[SIP_PATH_MAX + 32], opts[SIP_PATH_MAX + 32], cmd[4 * SIP_PATH_MAX + 256], line[1024] = "";
    char note[SIP_PATH_MAX + 160];
    find_hotspot_config(dir, cfg, sizeof cfg, note, sizeof note);
    join(opts, sizeof opts, dir, "case.opts");
    FILE *f = fopen(opts, "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = 0;
        fclose(f);
        line[strcspn(line, "\n")] = 0;
    }
    char tmp[] = "/tmp/sipsim-hotspot-XXXXXX";
    if (!mkdtemp(tmp))
        return -1.0;
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' %s%s%s -p power.ptrace %s -model_type grid -grid_rows %d -grid_cols %d "
             "-steady_file %s/out.steady -grid_steady_file %s/out.grid > /dev/null 2>&1",
             dir, bin, cfg[0] ? "-c '" : "", cfg, cfg[0] ? "'" : "", line, grid, grid, tmp, tmp);
    double t0 = cli_now_s();
    int status = system(cmd);
    double t = cli_now_s() - t0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0 || status != 0)
        return -1.0;
    return t;
}

int bench_thermal(int argc, char **argv)
{
    const char *dir = NULL, *hotspot = NULL, *pkg_path = NULL;
    int repeat = 5, hs_repeat = 1;
    char def_dir[SIP_PATH_MAX + 64], note[SIP_PATH_MAX + 160];
    const char *src = getenv("SIPSIM_SOURCE_ROOT");
    join(def_dir, sizeof def_dir, src ? src : ".", "tests/data/thermal/hotspot/b");
    dir = def_dir;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--case") == 0)
            dir = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--hotspot-bin") == 0)
            hotspot = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--package") == 0)
            pkg_path = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--repeat") == 0)
            repeat = atoi(argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--hotspot-repeat") == 0)
            hs_repeat = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: sipsim bench thermal [--case HOTSPOT_CASE_DIR] [--hotspot-bin PATH] "
                            "[--hotspot-repeat N] [--package FILE] [--repeat N]\n");
            return CLI_EXIT_INPUT;
        }
    }
    if (repeat < 1 || repeat > 1000 || hs_repeat < 1 || hs_repeat > 100) {
        fprintf(stderr, "sipsim bench thermal: --repeat 1..1000, --hotspot-repeat 1..100\n");
        return CLI_EXIT_INPUT;
    }
    double *t_build = malloc(sizeof(double) * (size_t)repeat), *t_solve = malloc(sizeof(double) * (size_t)repeat);
    double *t_total = malloc(sizeof(double) * (size_t)repeat);
    if (!t_build || !t_solve || !t_total) {
        free(t_build);
        free(t_solve);
        free(t_total);
        return CLI_EXIT_INPUT;
    }
    int rc = CLI_EXIT_OK;
    printf("HotSpot-mode case %s, medians of %d runs.  total = parse inputs + build the network +\n"
           "first steady solve (HotSpot's whole process does the same and writes its outputs);\n"
           "re-solve = one more power map on the same model.  Power caps off.\n", dir, repeat);
    printf("%-8s %-9s %7s %9s %9s %9s %6s %10s %10s %9s\n", "grid", "solver", "nodes", "build s", "solve s", "total s",
           "iters", "re-solve s", "hotspot s", "speed-up");
    const int grids[] = {32, 64, 128};
    const sip_thermal_solver_t solvers[] = {SIP_THERMAL_SOLVER_MULTIGRID, SIP_THERMAL_SOLVER_CHOLMOD};
    for (int g = 0; g < 3 && rc == CLI_EXIT_OK; g++) {
        double hs_time = -1.0;
        if (hotspot) {
            double *hs = malloc(sizeof(double) * (size_t)hs_repeat);
            int ok = hs != NULL;
            for (int k = 0; ok && k < hs_repeat; k++)
                ok = (hs[k] = time_hotspot(hotspot, dir, grids[g])) > 0;
            if (ok)
                hs_time = median(hs, hs_repeat);
            free(hs);
        }
        for (int sv = 0; sv < 2 && rc == CLI_EXIT_OK; sv++) {
            int nodes = 0, iters = 0;
            double tmax = 0.0;
            for (int k = 0; k < repeat; k++) {
                sip_thermal_model_t *m = NULL;
                sip_thermal_result_t *r = NULL;
                double t0 = cli_now_s();
                if ((rc = load_hotspot_case(dir, grids[g], &m, note, sizeof note)) != CLI_EXIT_OK)
                    break;
                sip_thermal_model_set_power_caps(m, false);
                sip_thermal_model_set_solver(m, solvers[sv]);
                double t1 = cli_now_s();
                sip_error_t err;
                sip_status_t st = sip_thermal_solve(m, NULL, &r, &err);
                double t2 = cli_now_s();
                iters = sip_thermal_model_last_iterations(m);
                if (st == SIP_OK) {
                    tmax = r->t_max_c;
                    sip_thermal_result_destroy(r);
                    r = NULL;
                    /* a second power map: the die powers halved */
                    int nd = sip_thermal_model_n_dies(m);
                    double *p = malloc(sizeof(double) * (size_t)(nd + 1));
                    for (int d = 0; p && d < nd; d++)
                        p[d] = 0.5 * sip_thermal_model_default_power(m)[d];
                    t2 = cli_now_s();
                    st = p ? sip_thermal_solve(m, p, &r, &err) : SIP_ENOMEM;
                    t_solve[k] = cli_now_s() - t2;
                    free(p);
                }
                if (st != SIP_OK) {
                    cli_print_error(&err);
                    sip_thermal_model_destroy(m);
                    rc = CLI_EXIT_INPUT;
                    break;
                }
                t_build[k] = t1 - t0;
                t_total[k] = t2 - t0;
                nodes = sip_thermal_model_n_nodes(m);
                sip_thermal_result_destroy(r);
                sip_thermal_model_destroy(m);
            }
            if (rc != CLI_EXIT_OK)
                break;
            double build = median(t_build, repeat), total = median(t_total, repeat), resolve = median(t_solve, repeat);
            printf("%4dx%-3d %-9s %7d %9.4f %9.4f %9.4f %6d %10.4f", grids[g], grids[g], sv ? "cholmod" : "multigrid", nodes, build,
                   total - build, total, iters, resolve);
            if (hs_time > 0)
                printf(" %10.3f %8.1fx", hs_time, hs_time / total);
            else if (hotspot)
                printf(" %10s %9s", "failed", "-");
            printf("   max %.2f C\n", tmax);
        }
    }
    if (rc == CLI_EXIT_OK && pkg_path) {
        cli_common_t common;
        memset(&common, 0, sizeof common);
        sip_package_t *pkg = NULL;
        if ((rc = cli_load_package(pkg_path, &common, &pkg)) == CLI_EXIT_OK) {
            printf("\nnative package %s, median of %d (build + steady state + power caps, automatic solver)\n", pkg_path, repeat);
            printf("%6s %8s %10s %10s %10s\n", "grid", "nodes", "build s", "solve s", "total s");
            for (int g = 0; g < 3 && rc == CLI_EXIT_OK; g++) {
                int nodes = 0;
                for (int k = 0; k < repeat; k++) {
                    sip_thermal_options_t o = {.grid_rows = grids[g], .grid_cols = grids[g], .secondary_r_c_per_w = -1.0};
                    sip_thermal_model_t *m = NULL;
                    sip_thermal_result_t *r = NULL;
                    sip_error_t err;
                    double t0 = cli_now_s();
                    if (sip_thermal_model_create(pkg, &o, &m, &err) != SIP_OK ||
                        sip_thermal_solve(m, NULL, &r, &err) != SIP_OK) {
                        cli_print_error(&err);
                        sip_thermal_model_destroy(m);
                        rc = CLI_EXIT_INPUT;
                        break;
                    }
                    double t1 = cli_now_s();
                    t_total[k] = t1 - t0;
                    nodes = sip_thermal_model_n_nodes(m);
                    sip_thermal_result_destroy(r);
                    sip_thermal_model_destroy(m);
                }
                if (rc == CLI_EXIT_OK)
                    printf("%4dx%-3d %7d %10s %10s %10.4f\n", grids[g], grids[g], nodes, "", "", median(t_total, repeat));
            }
            sip_package_destroy(pkg);
        }
    }
    free(t_build);
    free(t_solve);
    free(t_total);
    return rc;
}
