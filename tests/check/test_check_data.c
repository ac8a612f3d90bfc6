/* Every shipped chiplet and package passes the design rules.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <string.h>

#include "shipped.h"
#include "sipsim.h"

static void log_findings(const char *path, const sip_check_result_t *r)
{
    for (int i = 0; i < r->n_findings; i++)
        cr_log_error("%s: %s:%d: %s [%s]: %s", path, r->findings[i].path, r->findings[i].line,
                     sip_severity_name(r->findings[i].severity), r->findings[i].rule,
                     r->findings[i].message);
}

Test(check_data, every_shipped_package_loads_and_has_no_design_rule_error)
{
    shipped_t s;
    shipped_packages(&s);
    cr_assert_geq(s.n, 7, "expected at least 7 shipped packages, found %d", s.n);
    for (int i = 0; i < s.n; i++) {
        sip_package_t *pkg = shipped_load(s.path[i]);
        sip_check_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_check_run(pkg, &r, &err), SIP_OK, "%s: %s", s.path[i], err.message);
        log_findings(s.path[i], r);
        cr_assert_eq(r->n_errors, 0, "%s: %d design-rule errors (first: %s)", s.path[i],
                     r->n_errors, r->n_findings ? r->findings[0].message : "");
        sip_check_result_destroy(r);
        sip_package_destroy(pkg);
    }
}

/* A chiplet alone: placed at the origin of a substrate its own size, it must load and pass
 * the rules that concern one die (ports on their edges, shoreline, power density against any
 * limit the package sets is not applicable here).  Connectivity rules need a package. */
Test(check_data, every_shipped_chiplet_loads_and_its_ports_fit_its_edges)
{
    shipped_t s = {0};
    shipped_scan(&s, "chiplets");
    cr_assert_geq(s.n, 12, "expected at least 12 shipped chiplets, found %d", s.n);
    static const char *const die_rules[] = {"shoreline", "port-span", "off-substrate"};
    for (int i = 0; i < s.n; i++) {
        sip_chiplet_type_t t;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_chiplet_load(s.path[i], &t, &err), SIP_OK, "%s: %s", s.path[i],
                     err.message);
        sip_package_t *pkg = NULL;
        cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
        pkg->substrate.kind = SIP_SUBSTRATE_BRIDGE; /* carries both UCIe package types */
        pkg->substrate.width_mm = t.width_mm;
        pkg->substrate.height_mm = t.height_mm;
        cr_assert_eq(sip_package_add_type(pkg, &t, NULL), 0);
        sip_instance_t in;
        sip_instance_init(&in);
        snprintf(in.name, sizeof in.name, "die");
        in.type = 0;
        cr_assert_eq(sip_package_add_instance(pkg, &in, NULL), 0);
        sip_check_result_t *r = NULL;
        cr_assert_eq(sip_check_run(pkg, &r, &err), SIP_OK, "%s: %s", s.path[i], err.message);
        for (size_t k = 0; k < sizeof die_rules / sizeof die_rules[0]; k++) {
            if (sip_check_result_count(r, die_rules[k]) > 0)
                log_findings(s.path[i], r);
            cr_assert_eq(sip_check_result_count(r, die_rules[k]), 0, "%s breaks rule %s",
                         s.path[i], die_rules[k]);
        }
        sip_check_result_destroy(r);
        sip_package_destroy(pkg);
    }
}
