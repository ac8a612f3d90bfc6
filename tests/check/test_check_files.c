/* Design rules on package files (tests/check/bad/): the loader's file:line reaches the finding.
 * One file per rule, each a one-change variant of clean.cfg (the file's first line says what
 * changed).  SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <string.h>

#include "shipped.h"
#include "sipsim.h"

typedef struct {
    const char *file;  /* in tests/check/bad/ */
    const char *rule;  /* NULL: no finding at all */
    int count;         /* findings of that rule */
    const char *where; /* path suffix of the first finding */
    int line;
    sip_severity_t severity;
} bad_case_t;

static const bad_case_t cases[] = {
    {"clean.cfg", NULL, 0, NULL, 0, SIP_SEVERITY_ERROR},
    {"overlap.cfg", "overlap", 1, "/overlap.cfg", 6, SIP_SEVERITY_ERROR},
    {"off_substrate.cfg", "off-substrate", 1, "/off_substrate.cfg", 7, SIP_SEVERITY_ERROR},
    {"shoreline.cfg", "shoreline", 1, "/chiplets/cpu_crowded.cfg", 8, SIP_SEVERITY_ERROR},
    {"port_span.cfg", "port-span", 1, "/chiplets/cpu_edge_port.cfg", 8, SIP_SEVERITY_ERROR},
    {"link_endpoint.cfg", "link-endpoint", 1, "/link_endpoint.cfg", 12, SIP_SEVERITY_ERROR},
    {"package_substrate.cfg", "package-substrate", 2, "/package_substrate.cfg", 11, SIP_SEVERITY_ERROR},
    {"reach.cfg", "reach", 1, "/reach.cfg", 11, SIP_SEVERITY_ERROR},
    {"port_reuse.cfg", "port-reuse", 1, "/port_reuse.cfg", 13, SIP_SEVERITY_ERROR},
    {"modules.cfg", "modules", 2, "/modules.cfg", 11, SIP_SEVERITY_ERROR},
    {"rate.cfg", "rate", 2, "/rate.cfg", 11, SIP_SEVERITY_ERROR},
    {"ucie.cfg", "ucie", 1, "/ucie.cfg", 11, SIP_SEVERITY_ERROR},
    {"link_down.cfg", "link-down", 1, "/link_down.cfg", 11, SIP_SEVERITY_ERROR},
    {"disconnected.cfg", "disconnected", 1, "/disconnected.cfg", 7, SIP_SEVERITY_ERROR},
    {"no_io_path.cfg", "no-io-path", 2, "/no_io_path.cfg", 5, SIP_SEVERITY_ERROR},
    {"power_density.cfg", "power-density", 2, "/power_density.cfg", 5, SIP_SEVERITY_ERROR},
    {"power_budget.cfg", "power-budget", 1, "/power_budget.cfg", 14, SIP_SEVERITY_ERROR},
    {"memory_adjacent.cfg", "memory-adjacent", 1, "/memory_adjacent.cfg", 8, SIP_SEVERITY_WARNING},
    /* reticle.cfg also carries standard links on the interposer (package-substrate errors) */
    {"reticle.cfg", "reticle", 1, "/reticle.cfg", 3, SIP_SEVERITY_ERROR},
    {"link_overload.cfg", "link-overload", 2, "/link_overload.cfg", 11, SIP_SEVERITY_WARNING},
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

Test(check_files, every_rule_has_a_bad_file_reporting_its_id_and_line)
{
    /* Every registry rule except package-mismatch (the loader already refuses a link whose
     * ports disagree; the in-code suite covers it) has a file here. */
    for (int r = 0; r < sip_check_rule_count(); r++) {
        const char *id = sip_check_rule(r)->id;
        bool found = strcmp(id, "package-mismatch") == 0;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            found = found || (cases[i].rule && strcmp(cases[i].rule, id) == 0);
        cr_assert(found, "rule '%s' has no bad file", id);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case_t *c = &cases[i];
        char path[512];
        snprintf(path, sizeof path, "%s/tests/check/bad/%s", shipped_root(), c->file);
        sip_package_t *pkg = shipped_load(path);
        sip_check_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_check_run(pkg, &r, &err), SIP_OK, "%s: %s", c->file, err.message);
        if (!c->rule) {
            cr_assert_eq(r->n_findings, 0, "%s: %s", c->file,
                         r->n_findings ? r->findings[0].message : "");
        } else {
            cr_assert_eq(sip_check_result_count(r, c->rule), c->count, "%s: %d '%s' findings",
                         c->file, sip_check_result_count(r, c->rule), c->rule);
            const sip_finding_t *f = NULL;
            for (int k = 0; k < r->n_findings && !f; k++)
                if (strcmp(r->findings[k].rule, c->rule) == 0)
                    f = &r->findings[k];
            cr_assert(ends_with(f->path, c->where), "%s: finding in %s, expected *%s", c->file,
                      f->path, c->where);
            cr_assert_eq(f->line, c->line, "%s: '%s' at line %d, expected %d", c->file, c->rule,
                         f->line, c->line);
            cr_assert_eq(f->severity, c->severity, "%s", c->file);
            cr_assert_eq(r->n_errors > 0, c->severity == SIP_SEVERITY_ERROR, "%s", c->file);
        }
        sip_check_result_destroy(r);
        sip_package_destroy(pkg);
    }
}

/* The reticle rule: one 26 x 33 mm field in either orientation passes, anything larger needs
 * substrate.stitching = "stitched"; organic substrates are not lithographic interposers. */
Test(check_files, reticle_field_in_either_orientation_or_stitched)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/check/bad/reticle.cfg", shipped_root());
    sip_package_t *pkg = shipped_load(path);
    const struct {
        double w, h;
        bool stitched;
        sip_substrate_kind_t kind;
        int want;
    } cases[] = {
        {77.0, 55.0, false, SIP_SUBSTRATE_INTERPOSER, 1}, {77.0, 55.0, true, SIP_SUBSTRATE_INTERPOSER, 0},
        {26.0, 33.0, false, SIP_SUBSTRATE_INTERPOSER, 0}, {33.0, 26.0, false, SIP_SUBSTRATE_INTERPOSER, 0},
        {26.5, 33.0, false, SIP_SUBSTRATE_INTERPOSER, 1}, {20.0, 40.0, false, SIP_SUBSTRATE_INTERPOSER, 1},
        {77.0, 55.0, false, SIP_SUBSTRATE_ORGANIC, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pkg->substrate.width_mm = cases[i].w;
        pkg->substrate.height_mm = cases[i].h;
        pkg->substrate.stitched = cases[i].stitched;
        pkg->substrate.kind = cases[i].kind;
        sip_check_result_t *r = NULL;
        cr_assert_eq(sip_check_run(pkg, &r, NULL), SIP_OK);
        cr_assert_eq(sip_check_result_count(r, "reticle"), cases[i].want, "%g x %g stitched %d kind %d",
                     cases[i].w, cases[i].h, cases[i].stitched, (int)cases[i].kind);
        sip_check_result_destroy(r);
    }
    sip_package_destroy(pkg);
}
