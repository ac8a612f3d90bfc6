/* sipsim — command-line front end.  SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sip_config.h"

static void print_usage(FILE *out)
{
    fprintf(out, "sipsim %s — compose and evaluate chiplet system-in-package designs\n\n"
                 "usage: sipsim COMMAND [options] FILE\n"
                 "       sipsim FILE            (same as `sipsim report FILE`)\n\n"
                 "commands:\n", SIP_VERSION);
    for (int i = 0; i < cli_n_commands; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "\ncommon options: -L DIR (chiplet library), --json, -o FILE, --help\n"
                 "exit codes: 0 clean, 1 design-rule errors, 2 bad input or usage\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return CLI_EXIT_INPUT;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("sipsim %s\n", SIP_VERSION);
        return CLI_EXIT_OK;
    }
    const cli_command_t *cmd = cli_find_command(argv[1]);
    if (cmd)
        return cmd->run(argc - 1, argv + 1);
    /* `sipsim FILE [options]` is the package report. */
    const cli_command_t *report = cli_find_command("report");
    if (report && argv[1][0] != '-' && strchr(argv[1], '.')) {
        argv[0] = (char *)"report";
        return report->run(argc, argv);
    }
    fprintf(stderr, "sipsim: unknown command '%s' (see sipsim --help)\n", argv[1]);
    return CLI_EXIT_INPUT;
}
