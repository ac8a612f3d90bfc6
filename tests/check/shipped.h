/* The shipped data files, for the suites that must cover every one of them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TEST_SHIPPED_H
#define SIPSIM_TEST_SHIPPED_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim.h"

#define SHIPPED_MAX 128

typedef struct {
    int n;
    char path[SHIPPED_MAX][1024];
} shipped_t;

static inline const char *shipped_root(void)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert_not_null(root, "SIPSIM_SOURCE_ROOT is not set (run through meson test)");
    return root;
}

static int shipped_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Append every *.cfg in ROOT/dir, sorted. */
static inline void shipped_scan(shipped_t *s, const char *dir)
{
    char full[512];
    snprintf(full, sizeof full, "%s/%s", shipped_root(), dir);
    DIR *d = opendir(full);
    cr_assert_not_null(d, "cannot open %s", full);
    int first = s->n;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        cr_assert_lt(s->n, SHIPPED_MAX);
        snprintf(s->path[s->n++], sizeof s->path[0], "%s/%s", full, e->d_name);
    }
    closedir(d);
    qsort(s->path[first], (size_t)(s->n - first), sizeof s->path[0], shipped_cmp);
}

/* Every .cfg in topologies/ and topologies/reference/. */
static inline void shipped_packages(shipped_t *s)
{
    s->n = 0;
    shipped_scan(s, "topologies");
    shipped_scan(s, "topologies/reference");
}

static inline sip_package_t *shipped_load(const char *path)
{
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    char buf[1200];
    sip_status_t st = sip_package_load(path, NULL, &pkg, &err);
    sip_error_format(&err, buf, sizeof buf);
    cr_assert_eq(st, SIP_OK, "%s does not load: %s", path, buf);
    return pkg;
}

#endif
