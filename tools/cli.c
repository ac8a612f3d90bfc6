/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void cli_print_error(const sip_error_t *err)
{
    char buf[SIP_PATH_MAX + SIP_MESSAGE_MAX + 32];
    sip_error_format(err, buf, sizeof buf);
    fprintf(stderr, "sipsim: %s\n", buf);
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sipsim %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    const cli_command_t *c = cli_find_command(command);
    if (c)
        fprintf(stderr, "usage: sipsim %s %s\n", c->name, c->usage);
    return CLI_EXIT_INPUT;
}

int cli_parse_common(int *argc, char **argv, cli_common_t *common)
{
    memset(common, 0, sizeof *common);
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            common->json = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            common->help = true;
        } else if (strcmp(a, "-L") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= *argc) {
                cli_usage(argv[0], "option %s needs an argument", a);
                return -1;
            }
            if (a[1] == 'o') {
                common->output = argv[++i];
            } else {
                if (common->n_library_dirs >= CLI_MAX_LIBDIRS) {
                    cli_usage(argv[0], "at most %d -L directories", CLI_MAX_LIBDIRS);
                    return -1;
                }
                common->library_dirs[common->n_library_dirs++] = argv[++i];
            }
        } else if (strncmp(a, "-L", 2) == 0 && a[2]) {
            if (common->n_library_dirs >= CLI_MAX_LIBDIRS) {
                cli_usage(argv[0], "at most %d -L directories", CLI_MAX_LIBDIRS);
                return -1;
            }
            common->library_dirs[common->n_library_dirs++] = a + 2;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int cli_load_package(const char *path, const cli_common_t *common, sip_package_t **out)
{
    sip_load_options_t opts = {.library_dirs = common->library_dirs,
                               .n_library_dirs = common->n_library_dirs};
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_package_load(path, &opts, out, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

FILE *cli_open_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    if (cli_mkdir_for_file(path) != 0) /* -o out/x.svg: create out/ (mkdir -p) */
        return NULL;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "sipsim: %s: cannot open for writing\n", path);
    return f;
}

void cli_close_output(FILE *out)
{
    if (out && out != stdout)
        fclose(out);
    else if (out)
        fflush(out);
}

void cli_print_json(FILE *out, json_t *j, size_t flags)
{
    json_dumpf(j, out, flags);
    fputc('\n', out);
    json_decref(j);
}

double cli_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

const cli_command_t *cli_find_command(const char *name)
{
    for (int i = 0; i < cli_n_commands; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

int cli_mkdir_parents(const char *dir)
{
    char buf[SIP_PATH_MAX];
    if (!dir || !*dir)
        return 0;
    if (strlen(dir) >= sizeof buf) {
        fprintf(stderr, "sipsim: %s: path too long\n", dir);
        return -1;
    }
    strcpy(buf, dir);
    /* Every prefix that ends before a '/', then the whole path (mkdir -p). */
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        struct stat sb;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "sipsim: %s: cannot create folder (%s)\n", buf, strerror(errno));
            return -1;
        }
        if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "sipsim: %s: exists and is not a folder\n", buf);
            return -1;
        }
        *p = c;
        if (c == '\0')
            return 0;
    }
}

int cli_mkdir_for_file(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash || slash == path)
        return 0;
    char buf[SIP_PATH_MAX];
    snprintf(buf, sizeof buf, "%.*s", (int)(slash - path), path);
    return cli_mkdir_parents(buf);
}
