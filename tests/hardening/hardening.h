/* Helpers shared by the hardening suite's files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TESTS_HARDENING_H
#define SIPSIM_TESTS_HARDENING_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim.h"

static inline const char *hard_source_root(void)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert(root != NULL, "SIPSIM_SOURCE_ROOT is not set (run through meson test)");
    return root;
}

/* A growing text buffer for generated inputs. */
typedef struct {
    char *s;
    size_t len, cap;
} hard_buf_t;

static inline void hard_printf(hard_buf_t *b, const char *fmt, ...) SIP_PRINTF(2, 3);
static inline void hard_printf(hard_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    cr_assert_geq(need, 0);
    if (b->len + (size_t)need + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + (size_t)need + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        cr_assert_not_null(b->s);
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

/* Load package text with the shipped chiplet library only. */
static inline sip_status_t hard_load_string(const char *text, sip_package_t **pkg, sip_error_t *err)
{
    static char chiplets[1024];
    snprintf(chiplets, sizeof chiplets, "%s/chiplets", hard_source_root());
    const char *dirs[] = {chiplets};
    sip_load_options_t opt = {.library_dirs = dirs, .n_library_dirs = 1, .no_default_dirs = true};
    sip_error_clear(err);
    return sip_package_load_string(text, "generated.cfg", &opt, pkg, err);
}

/* Load a shipped package (topologies/REL) the way the CLI does (default search path). */
static inline sip_package_t *hard_load_shipped(const char *rel)
{
    char path[8192 + 1024];
    snprintf(path, sizeof path, "%s/topologies/%s", hard_source_root(), rel);
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_package_load(path, NULL, &pkg, &err);
    cr_assert_eq(st, SIP_OK, "%s: %s", path, err.message);
    return pkg;
}

/* Every shipped package, relative to topologies/ (its folder and topologies/reference/),
 * sorted; returns the count.  Scanned, so a new package is covered without editing a list. */
#define HARD_MAX_SHIPPED 64
static inline int hard_shipped(char names[HARD_MAX_SHIPPED][128])
{
    int n = 0;
    const char *subs[] = {"", "reference/"};
    for (int s = 0; s < 2; s++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/topologies/%s", hard_source_root(), subs[s]);
        DIR *d = opendir(dir);
        cr_assert_not_null(d, "%s", dir);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
                continue;
            cr_assert_lt(n, HARD_MAX_SHIPPED);
            snprintf(names[n++], 128, "%s%s", subs[s], e->d_name);
        }
        closedir(d);
    }
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    cr_assert_geq(n, 8, "expected the shipped packages under topologies/");
    return n;
}

#endif
