/* Design-rule checks: one bad package per rule (status, rule id, file and line), on packages
 * built in code (tests/check/fixture.h).  Shipped files: test_check_data.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "sipsim/check.h"

static sip_check_result_t *run(const sip_package_t *pkg)
{
    sip_check_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_check_run(pkg, &r, &err), SIP_OK, "%s", err.message);
    cr_assert_not_null(r);
    return r;
}

/* The only finding of `rule` must be at path:line; returns it. */
static const sip_finding_t *only(const sip_check_result_t *r, const char *rule, const char *path,
                                 int line)
{
    const sip_finding_t *hit = NULL;
    for (int i = 0; i < r->n_findings; i++) {
        if (strcmp(r->findings[i].rule, rule) != 0)
            continue;
        cr_assert_null(hit, "more than one '%s' finding: %s / %s", rule, hit ? hit->message : "",
                       r->findings[i].message);
        hit = &r->findings[i];
    }
    cr_assert_not_null(hit, "no '%s' finding (%d findings)", rule, r->n_findings);
    cr_assert_str_eq(hit->path, path);
    cr_assert_eq(hit->line, line, "'%s' at line %d, expected %d: %s", rule, hit->line, line,
                 hit->message);
    return hit;
}

#define PKG "topologies/fixture.cfg"

Test(check_rules, fixture_is_clean)
{
    sip_package_t *pkg = fx_package();
    sip_check_result_t *r = run(pkg);
    for (int i = 0; i < r->n_findings; i++)
        cr_log_error("%s:%d: [%s] %s", r->findings[i].path, r->findings[i].line,
                     r->findings[i].rule, r->findings[i].message);
    cr_assert_eq(r->n_findings, 0);
    cr_assert_eq(r->n_rules_run, sip_check_rule_count());
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, registry_ids_are_unique_and_described)
{
    int n = sip_check_rule_count();
    cr_assert_geq(n, 16);
    for (int i = 0; i < n; i++) {
        const sip_check_rule_info_t *a = sip_check_rule(i);
        cr_assert_not_null(a);
        cr_assert_gt(strlen(a->summary), 10);
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(a->id, sip_check_rule(j)->id);
    }
    cr_assert_null(sip_check_rule(n));
    cr_assert_null(sip_check_rule(-1));
}

Test(check_rules, overlapping_dies_reported_at_the_second_instance)
{
    sip_package_t *pkg = fx_package();
    pkg->instances[FX_IO].x_mm = 14.0; /* c0 spans x 5..15: 1 x 10 mm overlap */
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "overlap", PKG, 11);
    cr_assert_eq(f->severity, SIP_SEVERITY_ERROR);
    cr_assert_not_null(strstr(f->message, "10.000 mm^2"), "%s", f->message);
    cr_assert_eq(r->n_errors, 1);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, die_off_the_substrate)
{
    sip_package_t *pkg = fx_package();
    pkg->instances[FX_C1].rotation_deg = 90; /* still 10 x 10 */
    pkg->instances[FX_C1].y_mm = 31.0;       /* spans y 31..41 on a 40 mm substrate */
    sip_check_result_t *r = run(pkg);
    only(r, "off-substrate", PKG, 12);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, standard_link_beyond_25_mm)
{
    sip_package_t *pkg = fx_package();
    pkg->links[0].length_mm = 25.5;
    sip_check_result_t *r = run(pkg);
    only(r, "reach", PKG, 20);
    cr_assert_eq(r->n_errors, 1);
    sip_check_result_destroy(r);
    pkg->links[0].length_mm = 25.0; /* exactly at reach is allowed */
    r = run(pkg);
    cr_assert_eq(r->n_findings, 0);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

/* Advanced package on a bridge substrate: 2 mm reach.  Every port and link made advanced. */
static void make_advanced(sip_package_t *pkg)
{
    pkg->substrate.kind = SIP_SUBSTRATE_BRIDGE;
    for (int t = 0; t < pkg->n_types; t++)
        for (int p = 0; p < pkg->types[t].n_ports; p++) {
            pkg->types[t].ports[p].package = SIP_UCIE_ADVANCED;
            pkg->types[t].ports[p].bump_pitch_um = 45.0;
        }
    for (int k = 0; k < pkg->n_links; k++)
        pkg->links[k].package = SIP_UCIE_ADVANCED;
    /* Dies 1 mm apart: ports face each other across 1 mm. */
    pkg->instances[FX_IO].x_mm = 16.0;
    pkg->instances[FX_C1].x_mm = 25.0;
}

Test(check_rules, advanced_link_beyond_2_mm)
{
    sip_package_t *pkg = fx_package();
    make_advanced(pkg);
    sip_check_result_t *r = run(pkg);
    cr_assert_eq(r->n_errors, 0, "%s", r->n_findings ? r->findings[0].message : "");
    sip_check_result_destroy(r);
    pkg->instances[FX_C1].x_mm = 26.5; /* l1: 2.5 mm */
    r = run(pkg);
    only(r, "reach", PKG, 21);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, modules_exceed_the_edge_shoreline)
{
    sip_package_t *pkg = fx_package();
    /* 18 standard modules x 0.5715 mm = 10.287 mm on a 10 mm edge. */
    pkg->types[FX_CPU].ports[0].modules = 18;
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "shoreline", "chiplets/cpu.cfg", 7);
    cr_assert_not_null(strstr(f->message, "10.2870 mm"), "%s", f->message);
    sip_check_result_destroy(r);
    /* 17 modules = 9.7155 mm fit the edge but not around position 4 mm: only the span rule. */
    pkg->types[FX_CPU].ports[0].modules = 17;
    pkg->types[FX_CPU].ports[0].position_mm = 4.0;
    r = run(pkg);
    cr_assert_eq(sip_check_result_count(r, "shoreline"), 0);
    only(r, "port-span", "chiplets/cpu.cfg", 7);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, port_span_off_its_edge_or_over_another_port)
{
    sip_package_t *pkg = fx_package();
    pkg->types[FX_CPU].ports[0].position_mm = 1.0; /* 4 x 0.5715: [-0.143, 2.143] */
    sip_check_result_t *r = run(pkg);
    only(r, "port-span", "chiplets/cpu.cfg", 7);
    sip_check_result_destroy(r);
    pkg->types[FX_CPU].ports[0].position_mm = 5.0;
    fx_port(&pkg->types[FX_CPU], "e1", SIP_EDGE_EAST, 7.0, 9); /* 2 mm < 2.286 mm apart */
    r = run(pkg);
    only(r, "port-span", "chiplets/cpu.cfg", 9);
    cr_assert_eq(sip_check_result_count(r, "shoreline"), 0);
    sip_check_result_destroy(r);
    pkg->types[FX_CPU].ports[2].position_mm = 7.3; /* 2.3 mm apart: clear */
    r = run(pkg);
    cr_assert_eq(r->n_findings, 0);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, port_used_by_two_links)
{
    sip_package_t *pkg = fx_package();
    fx_link(pkg, "l2", FX_C0, 0, FX_C1, 0, 22); /* c0.e0 is l0's */
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "port-reuse", PKG, 22);
    cr_assert_not_null(strstr(f->message, "c0.e0"), "%s", f->message);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, link_modules_beyond_the_port)
{
    sip_package_t *pkg = fx_package();
    pkg->types[FX_IOD].ports[1].modules = 2; /* io.w0 offers 2, l0 uses 4 */
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "modules", PKG, 20);
    cr_assert_not_null(strstr(f->message, "io.w0"), "%s", f->message);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, rate_above_one_ends_maximum)
{
    sip_package_t *pkg = fx_package();
    pkg->types[FX_IOD].ports[0].max_rate_gtps = 12.0; /* io.e0, used by l1 at 16 GT/s */
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "rate", PKG, 21);
    cr_assert_not_null(strstr(f->message, "io.e0"), "%s", f->message);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, ucie_parameter_rules_come_from_the_ucie_model)
{
    sip_package_t *pkg = fx_package();
    pkg->links[0].rate_gtps = 20.0; /* not a UCIe rate (4, 8, 12, 16, 24, 32) */
    pkg->links[1].modules = 3;      /* not 1, 2 or 4 */
    sip_check_result_t *r = run(pkg);
    cr_assert_eq(sip_check_result_count(r, "ucie"), 2);
    cr_assert_eq(r->findings[0].line, 20);
    cr_assert_eq(r->findings[1].line, 21);
    cr_assert_eq(r->n_errors, 2);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, advanced_bump_pitch_group_limits_the_rate)
{
    sip_package_t *pkg = fx_package();
    make_advanced(pkg);
    /* 28 um is bump-pitch group 1: 12 GT/s at most (facts.md §1.2, UCIe 1.0 Table 7).  The
     * coarser end decides the group, so both ends of l0 (c0.e0, io.w0) go to 28 um. */
    pkg->types[FX_CPU].ports[0].bump_pitch_um = 28.0;
    pkg->types[FX_IOD].ports[1].bump_pitch_um = 28.0;
    sip_check_result_t *r = run(pkg);
    only(r, "ucie", PKG, 20);
    sip_check_result_destroy(r);
    pkg->links[0].rate_gtps = 12.0;
    r = run(pkg);
    cr_assert_eq(r->n_findings, 0);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, a_link_is_reported_once_by_its_specific_rule)
{
    sip_package_t *pkg = fx_package();
    pkg->links[0].length_mm = 30.0; /* the UCIe model would also refuse it: no second report */
    sip_check_result_t *r = run(pkg);
    only(r, "reach", PKG, 20);
    cr_assert_eq(sip_check_result_count(r, "ucie"), 0);
    cr_assert_eq(r->n_findings, 1);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, standard_package_not_on_an_interposer)
{
    sip_package_t *pkg = fx_package();
    pkg->substrate.kind = SIP_SUBSTRATE_INTERPOSER;
    pkg->links[1].package = SIP_UCIE_ADVANCED; /* l1 also mismatches its standard ports */
    sip_check_result_t *r = run(pkg);
    only(r, "package-substrate", PKG, 20);
    only(r, "package-mismatch", PKG, 21);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, advanced_package_not_on_organic)
{
    sip_package_t *pkg = fx_package();
    make_advanced(pkg);
    pkg->substrate.kind = SIP_SUBSTRATE_ORGANIC;
    sip_check_result_t *r = run(pkg);
    cr_assert_eq(sip_check_result_count(r, "package-substrate"), 2);
    cr_assert_eq(r->n_errors, 2);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, link_joining_a_die_to_itself)
{
    sip_package_t *pkg = fx_package();
    pkg->links[1].from_instance = FX_C1;
    pkg->links[1].from_port = 0; /* c1.e0 -> c1.w0 */
    sip_check_result_t *r = run(pkg);
    only(r, "link-endpoint", PKG, 21);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, disconnected_package)
{
    sip_package_t *pkg = fx_package();
    pkg->n_links = 1; /* drop l1: c1 is alone */
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "disconnected", PKG, 12);
    cr_assert_not_null(strstr(f->message, "'c1'"), "%s", f->message);
    only(r, "no-io-path", PKG, 12); /* and it cannot reach the I/O die either */
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, compute_without_a_path_to_io)
{
    sip_package_t *pkg = fx_package();
    pkg->types[FX_IOD].kind = SIP_KIND_CUSTOM;
    pkg->types[FX_IOD].n_ios = 0;
    sip_check_result_t *r = run(pkg);
    cr_assert_eq(sip_check_result_count(r, "no-io-path"), 2);
    cr_assert_eq(r->findings[0].line, 10);
    cr_assert_eq(r->findings[1].line, 12);
    cr_assert_eq(sip_check_result_count(r, "disconnected"), 0);
    sip_check_result_destroy(r);
    /* A custom die with off-package I/O counts as an I/O die. */
    pkg->types[FX_IOD].n_ios = 1;
    r = run(pkg);
    cr_assert_eq(r->n_findings, 0);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, power_density_above_the_limit)
{
    sip_package_t *pkg = fx_package();
    pkg->thermal.power_density_limit_w_per_mm2 = 0.5; /* cpu: 100 W / 100 mm^2 = 1.0 */
    pkg->instances[FX_C0].power_w = 40.0;             /* c0 runs at 0.4 W/mm^2 */
    sip_check_result_t *r = run(pkg);
    /* c1 takes the type's TDP: the offending setting is in the chiplet file. */
    const sip_finding_t *f = only(r, "power-density", "chiplets/cpu.cfg", 1);
    cr_assert_not_null(strstr(f->message, "'c1'"), "%s", f->message);
    sip_check_result_destroy(r);
    pkg->instances[FX_C0].power_w = 60.0; /* now c0's own setting is the culprit too */
    pkg->instances[FX_C1].power_w = 10.0;
    r = run(pkg);
    only(r, "power-density", PKG, 10);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, total_power_above_the_budget)
{
    sip_package_t *pkg = fx_package();
    pkg->thermal.power_budget_w = 235.0; /* 100 + 20 + 100 + 15 = 235 W: at the budget */
    sip_check_result_t *r = run(pkg);
    cr_assert_eq(r->n_findings, 0);
    sip_check_result_destroy(r);
    pkg->thermal.power_budget_w = 200.0;
    r = run(pkg);
    const sip_finding_t *f = only(r, "power-budget", PKG, 30);
    cr_assert_not_null(strstr(f->message, "235.0 W"), "%s", f->message);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, memory_stack_away_from_its_host_is_a_warning)
{
    sip_package_t *pkg = fx_package();
    pkg->instances[FX_HBM0].x_mm = 16.0; /* diagonal to c0: no facing edges */
    sip_check_result_t *r = run(pkg);
    const sip_finding_t *f = only(r, "memory-adjacent", PKG, 13);
    cr_assert_eq(f->severity, SIP_SEVERITY_WARNING);
    cr_assert_eq(r->n_errors, 0);
    cr_assert_eq(r->n_warnings, 1);
    sip_check_result_destroy(r);
    /* Facing c0 but with the I/O die in between. */
    pkg->instances[FX_HBM0].x_mm = 5.0;
    pkg->instances[FX_HBM0].y_mm = 28.0;
    pkg->instances[FX_IO].y_mm = 16.5; /* io spans y 16.5..26.5, x 20..28 */
    pkg->instances[FX_IO].x_mm = 6.0;
    pkg->links[0].length_mm = 10.0;
    pkg->links[1].length_mm = 10.0;
    r = run(pkg);
    only(r, "memory-adjacent", PKG, 13);
    cr_assert_eq(r->n_errors, 0, "%s", r->n_errors ? r->findings[0].message : "");
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_rules, errors_come_before_warnings)
{
    sip_package_t *pkg = fx_package();
    pkg->instances[FX_HBM0].x_mm = 16.0;   /* warning, from the last rule */
    pkg->thermal.power_budget_w = 100.0;    /* error */
    pkg->instances[FX_IO].x_mm = 14.0;      /* error, from the first rule */
    sip_check_result_t *r = run(pkg);
    cr_assert_eq(r->n_errors, 2);
    cr_assert_eq(r->n_warnings, 1);
    cr_assert_str_eq(r->findings[0].rule, "overlap");
    cr_assert_str_eq(r->findings[1].rule, "power-budget");
    cr_assert_str_eq(r->findings[2].rule, "memory-adjacent");
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(check_structure, broken_indices_are_einval_with_the_link_line)
{
    sip_package_t *pkg = fx_package();
    pkg->links[1].to_port = 7;
    sip_check_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_check_run(pkg, &r, &err), SIP_EINVAL);
    cr_assert_null(r);
    cr_assert_eq(err.line, 21);
    cr_assert_str_eq(err.path, PKG);
    sip_package_destroy(pkg);
}

Test(check_json, result_as_json_parses_back)
{
    sip_package_t *pkg = fx_package();
    pkg->thermal.power_budget_w = 100.0;
    pkg->instances[FX_HBM0].x_mm = 16.0;
    sip_check_result_t *r = run(pkg);
    char *text = NULL;
    cr_assert_eq(sip_check_result_to_json(r, &text, NULL), SIP_OK);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    cr_assert_not_null(root, "%s", je.text);
    cr_assert_eq(json_integer_value(json_object_get(root, "errors")), 1);
    cr_assert_eq(json_integer_value(json_object_get(root, "warnings")), 1);
    json_t *f0 = json_array_get(json_object_get(root, "findings"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(f0, "rule")), "power-budget");
    cr_assert_eq(json_integer_value(json_object_get(f0, "line")), 30);
    json_decref(root);
    free(text);
    sip_check_result_destroy(r);
    sip_package_destroy(pkg);
}
