/* The README's examples, run against the build (issue 19).  The rule, stated in README.md
 * ("Examples"): every line of a ```sh block that starts with `sipsim ` is run, with `sipsim`
 * replaced by SIPSIM_EXE, from a fresh folder holding links to this checkout's chiplets/,
 * topologies/, models/ and sweeps/ (so `-o out/...` writes there, not in the checkout); the exit
 * status must be 0, or N when the line ends with `# exit N`.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "common/files.h"

static int sh(const char *cmd)
{
    int ws = system(cmd);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

Test(cli_readme, every_sh_example_runs_with_its_exit_status, .timeout = 300)
{
    const char *root = cli_source_root(), *exe = getenv("SIPSIM_EXE");
    cr_assert_not_null(exe, "SIPSIM_EXE is not set (run through meson test)");
    char path[1024];
    snprintf(path, sizeof path, "%s/README.md", root);
    char *text = test_read_file(path, NULL);
    cr_assert_not_null(text, "%s", path);
    char dir[] = "/tmp/sipsim-readme-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "for d in chiplets topologies models sweeps; do ln -s '%s'/$d '%s'/$d; done",
             root, dir);
    cr_assert_eq(sh(cmd), 0);
    int examples = 0;
    bool in_sh = false;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "```", 3) == 0) {
            in_sh = !in_sh && strcmp(line + 3, "sh") == 0;
            continue;
        }
        if (!in_sh || strncmp(line, "sipsim ", 7) != 0)
            continue;
        char args[2048];
        snprintf(args, sizeof args, "%s", line + 7);
        int want = 0;
        char *hash = strstr(args, "# exit ");
        if (hash) {
            want = atoi(hash + 7);
            *hash = '\0';
        }
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >/dev/null 2>&1", dir, exe, args);
        int got = sh(cmd);
        cr_expect_eq(got, want, "README example `sipsim %s` exited %d, expected %d", args, got, want);
        examples++;
    }
    /* the Examples block holds 9; fewer means the extraction broke */
    cr_assert_geq(examples, 9, "only %d README examples found", examples);
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(sh(cmd), 0);
}
