/* sipsim help [GROUP]: the input format, generated from the schema tables.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "cli.h"
#include "commands.h"

int cmd_help(int argc, char **argv)
{
    const char *const *groups = sip_help_groups();
    if (argc < 2) {
        printf("input groups (sipsim help GROUP):\n");
        for (int i = 0; groups[i]; i++)
            printf("  %s\n", groups[i]);
        printf("\ncommands: sipsim --help\n");
        return CLI_EXIT_OK;
    }
    char *text = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_help_text(argv[1], &text, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    fputs(text, stdout);
    free(text);
    return CLI_EXIT_OK;
}
