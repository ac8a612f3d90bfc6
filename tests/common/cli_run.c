/* See cli_run.h.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli_run.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

char *cli_capture(const char *cmd, int *wait_status)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "cannot run %s", cmd);
    size_t cap = 1 << 16, len = 0, n;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    /* Read to EOF (a program killed by SIGPIPE would report a false exit status). */
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            out = realloc(out, cap);
            cr_assert_not_null(out);
        }
    }
    out[len] = '\0';
    *wait_status = pclose(p);
    return out;
}

const char *cli_source_root(void)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    cr_assert_not_null(root, "SIPSIM_SOURCE_ROOT is not set (run through meson test)");
    return root;
}

char *cli_run(const char *dir, const char *args, int *status)
{
    const char *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe, "SIPSIM_EXE is not set (run through meson test)");
    char cmd[4096];
    int n = dir ? snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2>/dev/null", dir, exe, args)
                : snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", exe, args);
    cr_assert(n > 0 && (size_t)n < sizeof cmd, "command too long: sipsim %s", args);
    int st;
    char *out = cli_capture(cmd, &st);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

json_t *cli_run_json(const char *dir, const char *args)
{
    int status;
    char *out = cli_run(dir, args, &status);
    cr_assert_eq(status, 0, "sipsim %s", args);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    cr_assert_not_null(j, "%s: %s", args, jerr.text);
    free(out);
    return j;
}
