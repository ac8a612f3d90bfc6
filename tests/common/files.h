/* Files the suites read: shipped packages (SIPSIM_SOURCE_ROOT), whole files, golden outputs in
 * tests/expected/.  Failures are Criterion assertions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TESTS_FILES_H
#define SIPSIM_TESTS_FILES_H

#include <stddef.h>

#include "sipsim.h"

/* Load REL (relative to the source root) with the default search path; asserted to load. */
sip_package_t *test_load_package(const char *rel);

/* The whole file at PATH (malloc'd, NUL-terminated; its length in *len when len is not NULL), or
 * NULL when it cannot be opened. */
char *test_read_file(const char *path, size_t *len);

/* GOT must equal tests/expected/NAME; WHAT names the output in the failure message.
 * SIPSIM_UPDATE_GOLDEN=1 rewrites the golden first (review the diff). */
void test_golden_check(const char *got, const char *name, const char *what);

#endif
