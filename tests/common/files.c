/* See files.h.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "files.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"

sip_package_t *test_load_package(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", cli_source_root(), rel);
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_package_load(path, NULL, &pkg, &err);
    char msg[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32];
    sip_error_format(&err, msg, sizeof msg);
    cr_assert_eq(st, SIP_OK, "%s: %s", rel, msg);
    return pkg;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_not_null(b);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n, "short read of %s", path);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

void test_golden_check(const char *got, const char *name, const char *what)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/expected/%s", cli_source_root(), name);
    const char *update = getenv("SIPSIM_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "cannot write %s", path);
        fputs(got, f);
        fclose(f);
    }
    char *want = test_read_file(path, NULL);
    cr_assert_not_null(want, "missing golden %s (SIPSIM_UPDATE_GOLDEN=1 writes it)", path);
    cr_assert_str_eq(got, want, "%s differs from tests/expected/%s", what, name);
    free(want);
}
