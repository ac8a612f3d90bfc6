/* Helpers shared by the report suite's files: load a package of the repository, run the report
 * engines, capture what a writer prints.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TEST_REPORT_H
#define SIPSIM_TEST_REPORT_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check/shipped.h"
#include "common/files.h"
#include "sipsim.h"

/* Load ROOT/rel (rel may also be absolute), with ROOT/chiplets as a library folder. */
static inline sip_package_t *rt_load(const char *rel)
{
    char path[1024], lib[1024];
    if (rel[0] == '/')
        snprintf(path, sizeof path, "%s", rel);
    else
        snprintf(path, sizeof path, "%s/%s", shipped_root(), rel);
    snprintf(lib, sizeof lib, "%s/chiplets", shipped_root());
    const char *dirs[] = {lib};
    sip_load_options_t o = {.library_dirs = dirs, .n_library_dirs = 1};
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_package_load(path, &o, &pkg, &err);
    cr_assert_eq(st, SIP_OK, "%s: %s", path, err.message);
    return pkg;
}

static inline sip_report_t *rt_report(const sip_package_t *pkg, const sip_report_options_t *o)
{
    sip_report_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_report_create(pkg, o, &r, &err), SIP_OK, "%s", err.message);
    cr_assert_not_null(r);
    return r;
}

/* Options for pictures without the slow engines: UCIe and traffic only. */
static inline void rt_fast_options(sip_report_options_t *o)
{
    sip_report_options_init(o);
    o->thermal = o->tpp = o->cost = o->workload = false;
}

typedef enum { RT_FLOORPLAN, RT_LATENCY, RT_HTML } rt_what_t;

/* Text a writer produced (malloc'd); fails the test when the writer fails.  Not inlined: gcc 12
 * otherwise takes the returned buffer for the address of the local open_memstream fills. */
__attribute__((noinline, unused)) static char *rt_capture(const sip_report_t *r, rt_what_t what,
                               const sip_floorplan_options_t *fo)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = what == RT_FLOORPLAN ? sip_report_floorplan_svg(r, fo, f, &err)
                      : what == RT_LATENCY ? sip_report_latency_svg(r, f, &err)
                                           : sip_report_html(r, f, &err);
    fclose(f);
    cr_assert_eq(st, SIP_OK, "writer failed: %s", err.message);
    return buf;
}

static inline int rt_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

#endif
