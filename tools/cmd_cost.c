/* sipsim cost FILE...: cost per good package with its breakdown, die table, NRE, cost per TPP,
 * the monolithic comparison and the chiplet/monolithic crossover area.  Several FILEs are one
 * portfolio: chiplet types with the same name share their design NRE.  Table or --json.
 * A package with a `workload` section also gets its cost per token/s: the kernel library's
 * tokens/s of the workload's phase (sip_workload_evaluate) into sip_cost_set_throughput.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "sipsim/cost.h"
#include "sipsim/kernels.h"

#define COST_MAX_FILES 64

/* What the workload of a package gave (for the printout next to the cost). */
typedef struct {
    bool present, ok, fits;
    char model[SIP_NAME_MAX], phase[16];
    char error[SIP_MESSAGE_MAX];
} workload_info_t;

static void eval_workload(const sip_package_t *pkg, sip_cost_result_t *r, workload_info_t *w)
{
    memset(w, 0, sizeof *w);
    w->present = pkg->workload.present;
    if (!w->present)
        return;
    sip_error_t err;
    sip_error_clear(&err);
    sip_workload_result_t *wr = NULL;
    if (sip_workload_evaluate(pkg, NULL, NULL, NULL, &wr, &err) != SIP_OK) {
        snprintf(w->error, sizeof w->error, "%s", err.message);
        return;
    }
    w->ok = true;
    w->fits = wr->fits;
    snprintf(w->model, sizeof w->model, "%s", wr->shape.name);
    snprintf(w->phase, sizeof w->phase, "%s", wr->workload.phase);
    sip_cost_set_throughput(r, wr->tokens_per_s);
    sip_workload_result_destroy(wr);
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *breakdown_json(const sip_cost_breakdown_t *b)
{
    json_t *o = json_object();
    json_object_set_new(o, "dies_usd", num(b->dies_usd));
    json_object_set_new(o, "die_defects_usd", num(b->die_defects_usd));
    json_object_set_new(o, "test_usd", num(b->test_usd));
    json_object_set_new(o, "bumps_usd", num(b->bumps_usd));
    json_object_set_new(o, "memory_usd", num(b->memory_usd));
    json_object_set_new(o, "interposer_usd", num(b->interposer_usd));
    json_object_set_new(o, "substrate_usd", num(b->substrate_usd));
    json_object_set_new(o, "package_defects_usd", num(b->package_defects_usd));
    json_object_set_new(o, "wasted_dies_usd", num(b->wasted_dies_usd));
    json_object_set_new(o, "recurring_usd", num(b->recurring_usd));
    json_object_set_new(o, "nre_per_unit_usd", num(b->nre_per_unit_usd));
    json_object_set_new(o, "total_usd", num(b->total_usd));
    json_object_set_new(o, "interposer_yield", num(b->interposer_yield));
    json_object_set_new(o, "bonding_yield", num(b->bonding_yield));
    json_object_set_new(o, "escape_yield", num(b->escape_yield));
    json_object_set_new(o, "assembly_yield", num(b->assembly_yield));
    json_object_set_new(o, "logic_area_mm2", num(b->logic_area_mm2));
    json_object_set_new(o, "interposer_mm2", num(b->interposer_mm2));
    json_object_set_new(o, "substrate_mm2", num(b->substrate_mm2));
    json_object_set_new(o, "bridges", json_integer(b->n_bridges));
    json_object_set_new(o, "assembly_usd", num(b->assembly_usd));
    json_object_set_new(o, "package_test_usd", num(b->package_test_usd));
    json_object_set_new(o, "burn_in_usd", num(b->burn_in_usd));
    json_object_set_new(o, "memory_escape_yield", num(b->memory_escape_yield));
    json_object_set_new(o, "interposer_fields", json_integer(b->interposer_fields));
    json_object_set_new(o, "stitch_yield", num(b->stitch_yield));
    return o;
}

static json_t *to_json(const sip_package_t *pkg, const sip_cost_result_t *r, const workload_info_t *w)
{
    json_t *o = json_object();
    json_object_set_new(o, "package", json_string(pkg->name));
    json_object_set_new(o, "substrate", json_string(sip_substrate_name(pkg->substrate.kind)));
    json_object_set_new(o, "assembly", json_string(r->params.chip_first ? "chip_first" : "chip_last"));
    json_object_set_new(o, "volume_units", num(r->params.volume_units));
    if (r->params.site[0]) {
        json_t *site = json_object();
        json_object_set_new(site, "name", json_string(r->params.site));
        json_object_set_new(site, "region", json_string(r->params.site_region));
        json_object_set_new(site, "capacity_units_per_month",
                            num(r->params.site_capacity_units_per_month));
        json_object_set_new(site, "lead_time_weeks", num(r->params.site_lead_time_weeks));
        json_object_set_new(site, "months_to_volume", num(r->months_to_volume));
        json_object_set_new(o, "site", site);
    }
    json_t *dies = json_array();
    for (int i = 0; i < r->n_dies; i++) {
        const sip_cost_die_t *d = &r->dies[i];
        json_t *e = json_object();
        json_object_set_new(e, "type", json_string(d->name));
        json_object_set_new(e, "count", json_integer(d->count));
        json_object_set_new(e, "node_nm", json_integer(d->node_nm));
        json_object_set_new(e, "requested_node_nm", json_integer(d->requested_node_nm));
        json_object_set_new(e, "node_extrapolated", json_boolean(d->node_extrapolated));
        json_object_set_new(e, "bought", json_boolean(d->node_nm == 0));
        json_object_set_new(e, "area_mm2", num(d->area_mm2));
        json_object_set_new(e, "dies_per_wafer", num(d->dies_per_wafer));
        json_object_set_new(e, "yield", num(d->yield));
        json_object_set_new(e, "pass_fraction", num(d->pass_fraction));
        json_object_set_new(e, "escape_yield", num(d->escape_yield));
        json_object_set_new(e, "raw_usd", num(d->raw_usd));
        json_object_set_new(e, "kgd_usd", num(d->kgd_usd));
        json_object_set_new(e, "nre_usd", num(d->nre_usd));
        json_object_set_new(e, "nre_per_unit_usd", num(d->nre_per_unit_usd));
        json_array_append_new(dies, e);
    }
    json_object_set_new(o, "dies", dies);
    json_object_set_new(o, "cost", breakdown_json(&r->package));
    json_object_set_new(o, "nre_chips_usd", num(r->nre_chips_usd));
    json_object_set_new(o, "nre_package_usd", num(r->nre_package_usd));
    json_object_set_new(o, "nre_total_usd", num(r->nre_total_usd));
    json_object_set_new(o, "tpp", num(r->tpp));
    json_object_set_new(o, "usd_per_tpp", num(r->usd_per_tpp));
    json_object_set_new(o, "tokens_per_s", num(r->tokens_per_s));
    json_object_set_new(o, "usd_per_tokens_per_s", num(r->usd_per_tokens_per_s));
    if (w->present) {
        json_t *wj = json_object();
        if (w->ok) {
            json_object_set_new(wj, "model", json_string(w->model));
            json_object_set_new(wj, "phase", json_string(w->phase));
            json_object_set_new(wj, "fits", json_boolean(w->fits));
        } else {
            json_object_set_new(wj, "error", json_string(w->error));
        }
        json_object_set_new(o, "workload", wj);
    }
    json_t *mono = json_object();
    json_object_set_new(mono, "area_mm2", num(r->mono_area_mm2));
    json_object_set_new(mono, "d2d_phy_mm2", num(r->d2d_phy_mm2));
    json_object_set_new(mono, "node_nm", json_integer(r->mono_node_nm));
    json_object_set_new(mono, "yield", num(r->mono_yield));
    json_object_set_new(mono, "exceeds_reticle", json_boolean(r->mono_exceeds_reticle));
    json_object_set_new(mono, "cost", breakdown_json(&r->mono));
    json_object_set_new(o, "monolithic", mono);
    json_object_set_new(o, "split_chiplets", json_integer(r->n_split));
    json_object_set_new(o, "crossover_area_mm2", num(r->crossover_area_mm2));
    return o;
}

static void print_breakdown(FILE *f, const char *title, const sip_cost_breakdown_t *b)
{
    fprintf(f, "  %s\n", title);
    fprintf(f, "    dies %.2f, die defects %.2f, KGD test %.2f, bumps %.2f, memory %.2f\n",
            b->dies_usd, b->die_defects_usd, b->test_usd, b->bumps_usd, b->memory_usd);
    fprintf(f, "    interposer/bridges %.2f (%.1f mm2, %d bridges), substrate %.2f (%.1f mm2)\n",
            b->interposer_usd, b->interposer_mm2, b->n_bridges, b->substrate_usd, b->substrate_mm2);
    fprintf(f, "    scrapped in assembly: packages %.2f, good dies %.2f\n", b->package_defects_usd,
            b->wasted_dies_usd);
    fprintf(f, "    assembly %.2f, package test %.4f, burn-in %.2f\n", b->assembly_usd,
            b->package_test_usd, b->burn_in_usd);
    if (b->interposer_fields > 1)
        fprintf(f, "    interposer stitched from %d reticle fields (stitch yield %.4f)\n",
                b->interposer_fields, b->stitch_yield);
    fprintf(f, "    yields: interposer %.4f, bonding %.4f, test escapes %.4f (known-good "
               "stacks %.5f) -> assembly %.4f\n",
            b->interposer_yield, b->bonding_yield, b->escape_yield, b->memory_escape_yield,
            b->assembly_yield);
    fprintf(f, "    recurring per good package  $%.2f\n", b->recurring_usd);
}

static void print_text(FILE *f, const sip_package_t *pkg, const sip_cost_result_t *r,
                       const workload_info_t *w)
{
    fprintf(f, "package %s: %s substrate, %s, ", pkg->name, sip_substrate_name(pkg->substrate.kind),
            r->params.chip_first ? "chip-first" : "chip-last");
    if (r->params.volume_units > 0.0)
        fprintf(f, "volume %.0f units\n", r->params.volume_units);
    else
        fprintf(f, "no volume given (NRE not amortised)\n");
    if (r->params.site[0]) {
        fprintf(f, "  site %s (%s)", r->params.site, r->params.site_region);
        if (r->params.site_capacity_units_per_month > 0.0)
            fprintf(f, ": capacity %.0f units/month", r->params.site_capacity_units_per_month);
        if (r->params.site_lead_time_weeks > 0.0)
            fprintf(f, ", lead time %.0f weeks", r->params.site_lead_time_weeks);
        if (isfinite(r->months_to_volume))
            fprintf(f, ", %.1f months for the volume", r->months_to_volume);
        fputc('\n', f);
    }
    bool any_mapped = false, any_extrapolated = false;
    fprintf(f, "  %-20s %5s %7s %8s %10s %7s %7s %10s %12s %10s\n", "type", "count", "node", "mm2",
            "dies/wafer", "yield", "pass", "KGD $", "NRE $", "NRE/die $");
    for (int i = 0; i < r->n_dies; i++) {
        const sip_cost_die_t *d = &r->dies[i];
        if (d->node_nm == 0) {
            fprintf(f, "  %-20s %5d %7s %8.1f %10s %7s %7s %10.2f %12s %10s\n", d->name, d->count,
                    "bought", d->area_mm2, "-", "-", "-", d->kgd_usd, "-", "-");
            continue;
        }
        /* The node the type asks for; "6>7" = costed as the 7 nm row, "*" = outside the
         * table (cost.node_outside_table = "extrapolate"). */
        char node[24];
        if (d->requested_node_nm == d->node_nm)
            snprintf(node, sizeof node, "%d", d->node_nm);
        else
            snprintf(node, sizeof node, "%d>%d%s", d->requested_node_nm, d->node_nm,
                     d->node_extrapolated ? "*" : "");
        fprintf(f, "  %-20s %5d %7s %8.1f %10.1f %7.4f %7.4f %10.2f %12.4g %10.2f\n", d->name,
                d->count, node, d->area_mm2, d->dies_per_wafer, d->yield, d->pass_fraction,
                d->kgd_usd, d->nre_usd, d->nre_per_unit_usd);
        any_mapped = any_mapped || d->requested_node_nm != d->node_nm;
        any_extrapolated = any_extrapolated || d->node_extrapolated;
    }
    if (any_mapped)
        fprintf(f, "  node A>B: the type's process_nm A is costed with the table's B nm row%s\n",
                any_extrapolated ? "; * = EXTRAPOLATED, A is outside the table" : "");
    print_breakdown(f, "chiplet package", &r->package);
    fprintf(f, "    NRE per unit $%.2f -> total per good package $%.2f\n",
            r->package.nre_per_unit_usd, r->package.total_usd);
    fprintf(f, "  NRE: chiplet designs $%.4g + package $%.4g = $%.4g\n", r->nre_chips_usd,
            r->nre_package_usd, r->nre_total_usd);
    if (r->tpp > 0.0)
        fprintf(f, "  TPP %.1f -> $%.4f per unit of TPP\n", r->tpp, r->usd_per_tpp);
    if (w->present && w->ok)
        fprintf(f, "  workload %s %s: %.6g tokens/s -> $%.4f per token/s%s\n", w->model, w->phase,
                r->tokens_per_s, r->usd_per_tokens_per_s,
                w->fits ? "" : " (weights + KV cache do NOT fit the attached memory)");
    else if (w->present)
        fprintf(f, "  workload: not evaluated (%s)\n", w->error);
    fprintf(f, "  monolithic: %.1f mm2 (logic %.1f - D2D PHY %.1f) on %d nm, yield %.4f%s\n",
            r->mono_area_mm2, r->package.logic_area_mm2, r->d2d_phy_mm2, r->mono_node_nm,
            r->mono_yield, r->mono_exceeds_reticle ? ", EXCEEDS the reticle" : "");
    print_breakdown(f, "monolithic package", &r->mono);
    if (isfinite(r->crossover_area_mm2))
        fprintf(f, "  crossover: %d chiplets are cheaper than one die above %.1f mm2 of logic\n",
                r->n_split, r->crossover_area_mm2);
    else
        fprintf(f, "  crossover: none between 10 and 5000 mm2 for %d chiplets\n", r->n_split);
}

static int parse_double(const char *cmd, const char *opt, const char *s, double lo, double *v)
{
    char *end;
    *v = strtod(s, &end);
    if (*end || !(*v >= lo))
        return cli_usage(cmd, "bad %s '%s' (expected a number >= %g)", opt, s, lo);
    return 0;
}

int cmd_cost(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    const char *files[COST_MAX_FILES];
    int n_files = 0;
    double volume = -1.0, d0 = -1.0, mem = -1.0;
    const char *site = NULL;
    int assembly = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--chip-first") == 0) {
            assembly = 1;
        } else if (strcmp(a, "--chip-last") == 0) {
            assembly = 0;
        } else if (strcmp(a, "--volume") == 0 && i + 1 < argc) {
            if (parse_double(argv[0], a, argv[++i], 1.0, &volume))
                return CLI_EXIT_INPUT;
        } else if (strcmp(a, "--defect-density") == 0 && i + 1 < argc) {
            if (parse_double(argv[0], a, argv[++i], 0.0, &d0))
                return CLI_EXIT_INPUT;
        } else if (strcmp(a, "--memory-usd") == 0 && i + 1 < argc) {
            if (parse_double(argv[0], a, argv[++i], 0.0, &mem))
                return CLI_EXIT_INPUT;
        } else if (strcmp(a, "--site") == 0 && i + 1 < argc) {
            site = argv[++i];
        } else if (a[0] == '-') {
            return cli_usage(argv[0], "unknown option '%s'", a);
        } else if (n_files < COST_MAX_FILES) {
            files[n_files++] = a;
        } else {
            return cli_usage(argv[0], "at most %d FILEs", COST_MAX_FILES);
        }
    }
    if (common.help) {
        printf("usage: sipsim cost FILE... [--json] [--volume N] [--chip-first|--chip-last]\n"
               "                   [--defect-density PER_CM2] [--memory-usd USD] [--site NAME]\n"
               "                   [-L DIR] [-o FILE]\n"
               "--site NAME costs every FILE at the assembly/test site sites/NAME.cfg (see\n"
               "`sipsim help site`); a package's own cost.site does the same.\n");
        return CLI_EXIT_OK;
    }
    if (n_files == 0)
        return cli_usage(argv[0], "missing FILE");
    sip_package_t *pkgs[COST_MAX_FILES] = {0};
    sip_cost_result_t *res[COST_MAX_FILES] = {0};
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < n_files && rc == CLI_EXIT_OK; i++) {
        rc = cli_load_package(files[i], &common, &pkgs[i]);
        if (rc == CLI_EXIT_OK && site) {
            sip_error_t err;
            sip_error_clear(&err);
            if (sip_package_load_sites(pkgs[i], site, &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
            }
        }
    }
    if (rc == CLI_EXIT_OK) {
        /* Each package's own `cost` section, then the command-line overrides. */
        sip_error_t err;
        sip_error_clear(&err);
        sip_cost_params_t params[COST_MAX_FILES];
        for (int i = 0; i < n_files && rc == CLI_EXIT_OK; i++) {
            sip_cost_params_init(&params[i]);
            sip_cost_params_apply_spec(&params[i], &pkgs[i]->cost);
            if (volume > 0.0)
                params[i].volume_units = volume;
            if (assembly >= 0)
                params[i].chip_first = assembly == 1;
            if (d0 > 0.0)
                params[i].defect_density_per_cm2 = d0;
            if (mem >= 0.0)
                params[i].memory_stack_usd = mem;
            if (sip_cost_evaluate(pkgs[i], &params[i], &res[i], &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
            }
        }
        /* Shared NRE: re-run as one portfolio with each package's volume. */
        if (rc == CLI_EXIT_OK && n_files > 1) {
            double vols[COST_MAX_FILES];
            for (int i = 0; i < n_files; i++) {
                vols[i] = params[i].volume_units;
                sip_cost_result_destroy(res[i]);
                res[i] = NULL;
            }
            if (sip_cost_evaluate_portfolio((const sip_package_t *const *)pkgs, vols, n_files,
                                            params, res, &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
            }
        }
    }
    workload_info_t winfo[COST_MAX_FILES];
    for (int i = 0; i < n_files && rc == CLI_EXIT_OK; i++)
        eval_workload(pkgs[i], res[i], &winfo[i]);
    FILE *out = rc == CLI_EXIT_OK ? cli_open_output(common.output) : NULL;
    if (rc == CLI_EXIT_OK && !out)
        rc = CLI_EXIT_INPUT;
    if (rc == CLI_EXIT_OK) {
        if (common.json) {
            json_t *j;
            if (n_files == 1) {
                j = to_json(pkgs[0], res[0], &winfo[0]);
            } else {
                j = json_array();
                for (int i = 0; i < n_files; i++)
                    json_array_append_new(j, to_json(pkgs[i], res[i], &winfo[i]));
            }
            cli_print_json(out, j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        } else {
            for (int i = 0; i < n_files; i++) {
                if (i)
                    fputc('\n', out);
                print_text(out, pkgs[i], res[i], &winfo[i]);
            }
        }
    }
    cli_close_output(out);
    for (int i = 0; i < n_files; i++) {
        sip_cost_result_destroy(res[i]);
        sip_package_destroy(pkgs[i]);
    }
    return rc;
}
