/* The sipsim CLI: shared helpers for the subcommands (argv -> library -> print -> exit code).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_CLI_H
#define SIPSIM_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "sipsim.h"

/* Exit codes (issue 2): 0 clean, 1 design-rule errors, 2 bad input or usage. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_CHECK = 1, CLI_EXIT_INPUT = 2 };

#define CLI_MAX_LIBDIRS 16

/* Options every command understands; cli_parse_common removes them from argv. */
typedef struct {
    bool json;
    bool help;
    const char *library_dirs[CLI_MAX_LIBDIRS];
    int n_library_dirs;
    const char *output; /* -o FILE */
} cli_common_t;

typedef struct {
    const char *name;
    const char *usage;   /* after "sipsim NAME " */
    const char *summary; /* one line for `sipsim --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command_t;

/* Parse and strip -L DIR, --json, -o FILE, -h/--help; returns -1 on a usage error (printed). */
int cli_parse_common(int *argc, char **argv, cli_common_t *common);
/* Load a package honouring -L; prints "path:line: message" to stderr on failure. */
int cli_load_package(const char *path, const cli_common_t *common, sip_package_t **out);
/* Print an error as "sipsim: path:line: message" on stderr. */
void cli_print_error(const sip_error_t *err);
/* Usage error: message on stderr, returns CLI_EXIT_INPUT. */
int cli_usage(const char *command, const char *fmt, ...) SIP_PRINTF(2, 3);
/* Open -o FILE (or stdout when NULL or "-"), creating its folder; NULL + message on failure. */
FILE *cli_open_output(const char *path);
void cli_close_output(FILE *out);
/* Write the JSON document J on OUT (jansson FLAGS) and a newline, then release J. */
void cli_print_json(FILE *out, json_t *j, size_t flags);
/* Benchmarks: a monotonic wall clock in seconds, and a qsort order for doubles (ascending). */
double cli_now_s(void);
int cli_cmp_double(const void *a, const void *b);
const cli_command_t *cli_find_command(const char *name);
/* mkdir -p DIR; and of the folder part of PATH (nothing when PATH has no '/').  0, or -1 with a
 * message on stderr. */
int cli_mkdir_parents(const char *dir);
int cli_mkdir_for_file(const char *path);

/* Command table, in tools/commands.c. */
extern const cli_command_t cli_commands[];
extern const int cli_n_commands;

#endif
