/* Shared helpers of the libFuzzer harnesses (fuzz/README.md).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_FUZZ_COMMON_H
#define SIPSIM_FUZZ_COMMON_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipsim.h"

/* Inputs larger than this only slow the fuzzer down: the loaders' interesting states are
 * reachable with short texts. */
#define FUZZ_MAX_INPUT 65536

/* The repository root (shipped chiplets and data): SIPSIM_SOURCE_ROOT, else the configured one. */
static inline const char *fuzz_source_root(void)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    return root && root[0] ? root : SIPSIM_FUZZ_SOURCE_ROOT;
}

/* A NUL-terminated copy of the input (the loaders read C strings). */
static inline char *fuzz_text(const unsigned char *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* A failure must come with a status other than OK and a message: an empty message is a bug the
 * user would see as "error: " with nothing after it. */
static inline void fuzz_expect_error(sip_status_t st, const sip_error_t *err, const char *what)
{
    if (st == SIP_OK)
        return;
    if (st < 0 || st >= SIP_STATUS_COUNT || err->message[0] == '\0') {
        fprintf(stderr, "%s failed with status %d and no message\n", what, (int)st);
        abort();
    }
}

#define FUZZ_CHECK(cond, ...)                                                               \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "invariant violated at %s:%d: %s: ", __FILE__, __LINE__, #cond);\
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

static char fuzz_scratch_path[256];

/* Remove the scratch folder and the files the harness wrote into it. */
static inline void fuzz_scratch_remove(void)
{
    DIR *d = opendir(fuzz_scratch_path);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", fuzz_scratch_path, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(fuzz_scratch_path);
}

/* A private scratch folder per process for harnesses whose readers take file names; removed
 * at exit. */
static inline const char *fuzz_scratch_dir(void)
{
    if (!fuzz_scratch_path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_scratch_path, sizeof fuzz_scratch_path, "%s/sipsim-fuzz-XXXXXX",
                 tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(fuzz_scratch_path))
            abort();
        atexit(fuzz_scratch_remove);
    }
    return fuzz_scratch_path;
}

static inline void fuzz_write_file(const char *path, const char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

/* Split the input at lines "%%" into at most max parts (the harness's files, in order);
 * returns the count.  Parts point into text, which is modified. */
static inline int fuzz_split(char *text, char **parts, int max)
{
    int n = 0;
    parts[n++] = text;
    char *p = text;
    while (n < max && (p = strstr(p, "\n%%\n")) != NULL) {
        p[1] = '\0';
        p += 4;
        parts[n++] = p;
    }
    return n;
}

/* Readers that take file names must not be pointed at devices or the process table by a
 * mutated name: /dev/zero has no end of line and would only hang the fuzzer. */
static inline int fuzz_names_special_file(const char *text)
{
    return strstr(text, "/dev") || strstr(text, "/proc") || strstr(text, "/sys");
}

#endif
