/* Running a program from a test and capturing what it prints: the sipsim CLI (SIPSIM_EXE) for
 * the end-to-end tests of every area, and any shell command (Graphviz `dot` in the graph suite).
 * Failures are Criterion assertions, so callers get a NUL-terminated buffer or the test stops.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TESTS_CLI_RUN_H
#define SIPSIM_TESTS_CLI_RUN_H

#include <jansson.h>

/* Run the shell command CMD and return its whole stdout (malloc'd, NUL-terminated); *wait_status
 * is pclose()'s raw wait status. */
char *cli_capture(const char *cmd, int *wait_status);

/* SIPSIM_SOURCE_ROOT, asserted to be set (meson test sets it). */
const char *cli_source_root(void);

/* Run `sipsim ARGS` with stderr discarded, in directory DIR when DIR is not NULL; return its
 * stdout (malloc'd) and its exit status in *status (-1 when it did not exit normally). */
char *cli_run(const char *dir, const char *args, int *status);

/* cli_run that must exit 0 and print one JSON document: the parsed document (json_decref it). */
json_t *cli_run_json(const char *dir, const char *args);

#endif
