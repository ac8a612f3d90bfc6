/* Assembly and test sites (sites/NAME.cfg): one schema table, the file reader, and the site
 * catalogue a package that names `cost.site` carries (issue 18).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "sip_config.h"

#define F_FLOAT(k, lo, open, hi, u_, h_, m)                                                \
    {.key = k, .type = SIP__F_FLOAT, .min = lo, .min_open = open, .max = hi, .unit = u_,      \
     .help = h_, .offset = offsetof(sip_cost_site_t, m)}

static const sip__field_t site_fields[] = {
    {.key = "region", .type = SIP__F_STRING, .required = true,
     .help = "where the site is (country or region), for supply-chain comparisons",
     .offset = offsetof(sip_cost_site_t, region), .size = SIP_NAME_MAX},
    F_FLOAT("assembly_usd_per_die", 0, false, 1e4, "USD",
            "pick-and-place + bonding charge per die; default from CATCH's assembly processes",
            assembly_usd_per_die),
    F_FLOAT("bonding_yield_factor", 0, true, 1.1, "",
            "scales the per-die bond yields (Chiplet Actuary's 0.99 organic, 0.95 micro-bump); "
            "default 1", bonding_yield_factor),
    F_FLOAT("test_usd_per_second", 0, true, 100, "USD/s",
            "tester time for KGD and package test; default CATCH's 0.006", test_usd_per_second),
    F_FLOAT("package_test_seconds", 0, true, 1e5, "s",
            "final test of one assembled package; default CATCH's assembly test", package_test_seconds),
    F_FLOAT("burn_in_hours", 0, false, 1e4, "h", "burn-in per package; default 0 (none)",
            burn_in_hours),
    F_FLOAT("burn_in_usd_per_hour", 0, false, 1e4, "USD/h",
            "burn-in board slot and oven time per package-hour", burn_in_usd_per_hour),
    F_FLOAT("capacity_units_per_month", 0, true, 1e10, "units/month",
            "packages the site can assemble and test per month (reported against the volume)",
            capacity_units_per_month),
    F_FLOAT("lead_time_weeks", 0, false, 520, "weeks", "order-to-ship lead time (reported)",
            lead_time_weeks),
};
const sip__schema_t sip__schema_site = {
    .name = "site", .title = "sites/NAME.cfg: an assembly and test site (cost.site = \"NAME\")",
    .help = "Sites are found in sites/ beside the package file, in its parent and grandparent "
            "folders, then in the installed data folder; the first file of a name wins.  A "
            "number left out keeps the cost model's default.",
    .fields = site_fields, .n_fields = (int)(sizeof site_fields / sizeof site_fields[0]),
    .line_offset = offsetof(sip_cost_site_t, line),
};

static sip_status_t site_load(const char *path, const char *stem, sip_cost_site_t *out,
                              sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", stem);
    snprintf(out->path, sizeof out->path, "%s", path);
    out->line = 1;
    config_t cfg;
    config_init(&cfg);
    sip__cfg_ctx_t cx = {.path = path, .err = err};
    sip_status_t st = sip__config_read(&cfg, path, NULL, err);
    if (st == SIP_OK) {
        const config_setting_t *root = config_root_setting(&cfg);
        if (config_setting_length(root) == 0)
            st = sip__fail(&cx, root, SIP_EINVAL, "empty file (expected a site: region, "
                           "assembly_usd_per_die, ...)");
        else
            st = sip__parse_group(&cx, root, &sip__schema_site, out, false);
    }
    config_destroy(&cfg);
    return st;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

sip_status_t sip__load_sites(const char *pkg_path, sip_cost_spec_t *spec, sip_error_t *err)
{
    enum { MAX_DIRS = 4, MAX_FILES = 256 };
    char dirs[MAX_DIRS][SIP_PATH_MAX];
    int n_dirs = 0;
    char dir[SIP_PATH_MAX], up[SIP_PATH_MAX];
    if (pkg_path) {
        sip__path_dir(pkg_path, dir, sizeof dir);
        for (int level = 0; level < 3; level++) {
            int w = snprintf(dirs[n_dirs], SIP_PATH_MAX, "%s/sites", dir);
            if (w > 0 && w < SIP_PATH_MAX)
                n_dirs++;
            /* parent: "." -> "..", "x/.." -> "x/../..", else the folder of the folder */
            size_t len = strlen(dir);
            if (strcmp(dir, ".") == 0)
                snprintf(up, sizeof up, "..");
            else if (strcmp(dir, "..") == 0 || (len >= 3 && strcmp(dir + len - 3, "/..") == 0))
                snprintf(up, sizeof up, "%.*s/..", (int)(sizeof up - 4), dir);
            else
                sip__path_dir(dir, up, sizeof up);
            memcpy(dir, up, sizeof dir);
        }
    }
    snprintf(dirs[n_dirs++], SIP_PATH_MAX, "%s", SIP_DATADIR "/sites");
    spec->n_sites = 0;
    char (*stems)[SIP_NAME_MAX] = malloc(sizeof(*stems) * MAX_FILES);
    const char **cand = malloc(sizeof(*cand) * MAX_FILES);
    sip_status_t st = SIP_OK;
    if (!stems || !cand) {
        st = sip_error_set(err, SIP_ENOMEM, pkg_path, spec->line, "cannot allocate the site list");
        goto out;
    }
    for (int d = 0; d < n_dirs && st == SIP_OK; d++) {
        int n = sip__cfg_stems(&dirs[d], 1, stems, cand, 0, MAX_FILES);
        /* readdir order is the file system's: sort so the catalogue is deterministic. */
        qsort(stems, (size_t)n, sizeof *stems, cmp_name);
        for (int i = 0; i < n && st == SIP_OK; i++) {
            bool seen = false;
            for (int k = 0; k < spec->n_sites; k++)
                seen = seen || strcmp(spec->sites[k].name, stems[i]) == 0;
            if (seen)
                continue;
            if (spec->n_sites >= SIP_COST_MAX_SITES) {
                st = sip_error_set(err, SIP_ELIMIT, dirs[d], 0,
                                   "more than %d site files (expected at most %d)",
                                   SIP_COST_MAX_SITES, SIP_COST_MAX_SITES);
                break;
            }
            char path[SIP_PATH_MAX];
            int w = snprintf(path, sizeof path, "%s/%s.cfg", dirs[d], stems[i]);
            if (w < 0 || w >= (int)sizeof path)
                continue;
            st = site_load(path, stems[i], &spec->sites[spec->n_sites], err);
            if (st == SIP_OK)
                spec->n_sites++;
        }
    }
    if (st != SIP_OK || !spec->site[0])
        goto out;
    bool found = false;
    for (int k = 0; k < spec->n_sites; k++)
        found = found || strcmp(spec->sites[k].name, spec->site) == 0;
    if (!found) {
        char list[256] = "";
        for (int k = 0; k < spec->n_sites; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                     spec->sites[k].name);
        st = sip_error_set(err, SIP_EINVAL, pkg_path, spec->line,
                           "cost.site '%s' is not a known site (expected one of: %s; searched "
                           "sites/ beside the package, its parent and grandparent folders and "
                           "%s)", spec->site, spec->n_sites ? list : "none found",
                           SIP_DATADIR "/sites");
    }
out:
    free(stems);
    free(cand);
    return st;
}

sip_status_t sip_package_load_sites(sip_package_t *pkg, const char *site, sip_error_t *err)
{
    if (!pkg || !site || !site[0] || strlen(site) >= sizeof pkg->cost.site)
        return sip_error_set(err, SIP_EINVAL, pkg ? pkg->path : NULL, 0,
                             "no site name given (expected a sites/NAME.cfg stem)");
    sip_cost_spec_t spec = pkg->cost;
    snprintf(spec.site, sizeof spec.site, "%s", site);
    sip_status_t st = sip__load_sites(pkg->path[0] ? pkg->path : NULL, &spec, err);
    if (st == SIP_OK)
        pkg->cost = spec;
    return st;
}
