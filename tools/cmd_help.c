/* sipsim help [GROUP]: the input format, generated from the schema tables.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

int cmd_help(int argc, char **argv)
{
    const char *const *groups = sip_help_groups();
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        argc = 1; /* `help --help` is the group list, exit 0 */
    if (argc < 2) {
        printf("Input files are libconfig text: chiplet types (chiplets/NAME.cfg) and packages\n"
               "(topologies/NAME.cfg).  `sipsim help GROUP` lists every key of a group with its\n"
               "type, range, unit and meaning.\n\ngroups:\n");
        for (int i = 0; groups[i]; i++) {
            /* The first line of a group's text is "NAME: where it appears". */
            char *text = NULL;
            sip_error_t err;
            sip_error_clear(&err);
            const char *title = "";
            if (sip_help_text(groups[i], &text, &err) == SIP_OK) {
                char *colon = strstr(text, ": ");
                char *nl = strchr(text, '\n');
                if (nl)
                    *nl = '\0';
                if (colon)
                    title = colon + 2;
            }
            printf("  %-10s %s\n", groups[i], title);
            free(text);
        }
        printf("  %-10s %s\n", "eval", "options of one evaluation (sip_evaluate, sip_evaluate_json)");
        printf("\ncommands: sipsim --help\n");
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "eval") == 0) {
        /* the library's one table of evaluation options and defaults (src/eval/options.c) */
        printf("eval: options of one evaluation (sip_eval_options_set, sip_evaluate_json's JSON)\n");
        for (int i = 0; i < sip_eval_option_count(); i++) {
            sip_eval_option_info_t o;
            sip_eval_option_info(i, &o);
            printf("  %-22s %-6s default %-8s %s\n", o.name, o.type,
                   o.default_text[0] ? o.default_text : "\"\"", o.help);
        }
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
