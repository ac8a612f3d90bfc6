/* sipsim info FILE: what the package is made of (substrate, chiplet types, instances, links),
 * without evaluating it.  --json for the same as JSON.  Exit 0, or 2 for bad input.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli.h"
#include "commands.h"
#include "report.h"

int cmd_info(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    if (common.help) {
        printf("usage: sipsim info FILE [--json] [-L DIR] [-o OUT]\n"
               "The composed package: substrate, chiplet types (and the file:line defining "
               "each), instances, links.\n"
               "exit: 0, or 2 for bad input or usage\n");
        return CLI_EXIT_OK;
    }
    if (argc != 2)
        return cli_usage("info", argc < 2 ? "missing FILE" : "unexpected argument '%s'",
                         argv[argc < 2 ? 0 : 2]);
    report_ctx_t ctx;
    int rc = report_ctx_open(&ctx, argv[1], &common);
    if (rc != CLI_EXIT_OK)
        return rc;
    FILE *out = cli_open_output(common.output);
    if (out) {
        const report_section_t sections[] = {report_section_package, report_section_types,
                                             report_section_instances, report_section_links};
        rc = report_print(out, &ctx, sections, (int)(sizeof sections / sizeof sections[0]),
                          common.json);
        cli_close_output(out);
    } else {
        rc = CLI_EXIT_INPUT;
    }
    report_ctx_close(&ctx);
    return rc;
}
