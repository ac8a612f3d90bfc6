/* sipsim check FILE: the design rules.  Findings as "path:line: severity [rule]: message",
 * errors before warnings; --json for the same as JSON; --rules lists the rule registry.
 * Exit: 0 no errors (warnings allowed), 1 design-rule errors, 2 bad input or usage.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "report.h"

static int list_rules(bool json)
{
    if (json) {
        json_t *a = json_array();
        for (int i = 0; a && i < sip_check_rule_count(); i++) {
            const sip_check_rule_info_t *r = sip_check_rule(i);
            json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "id", r->id, "severity",
                                               sip_severity_name(r->severity), "summary",
                                               r->summary));
        }
        char *text = a ? json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(a);
        if (!text)
            return CLI_EXIT_INPUT;
        printf("%s\n", text);
        free(text);
        return CLI_EXIT_OK;
    }
    for (int i = 0; i < sip_check_rule_count(); i++) {
        const sip_check_rule_info_t *r = sip_check_rule(i);
        printf("%-18s %-8s %s\n", r->id, sip_severity_name(r->severity), r->summary);
    }
    return CLI_EXIT_OK;
}

/* --json on bad input: the error as a JSON object where the findings would go, so a script that
 * parses stdout sees why (the same text is on stderr). */
static void print_error_json(const cli_common_t *common, const sip_error_t *err)
{
    FILE *out = cli_open_output(common->output);
    if (!out)
        return;
    json_t *e = json_pack("{s:s, s:s, s:i, s:s}", "status", sip_status_str(err->status), "path",
                          err->path, "line", err->line, "message", err->message);
    cli_print_json(out, json_pack("{s:o}", "error", e), JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    cli_close_output(out);
}

int cmd_check(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) != 0)
        return CLI_EXIT_INPUT;
    bool rules = false;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0)
            rules = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("check", "unknown option '%s'", argv[i]);
        else if (file)
            return cli_usage("check", "unexpected argument '%s'", argv[i]);
        else
            file = argv[i];
    }
    if (common.help) {
        printf("usage: sipsim check FILE [--json] [-L DIR] [-o OUT]\n"
               "       sipsim check --rules [--json]\n"
               "Design rules (geometry, UCIe reach/shoreline/ports/rates, package type, "
               "connectivity, power).\n"
               "exit: 0 no errors (warnings allowed), 1 design-rule errors, 2 bad input or "
               "usage\n");
        return CLI_EXIT_OK;
    }
    if (rules)
        return file ? cli_usage("check", "--rules takes no FILE") : list_rules(common.json);
    if (!file)
        return cli_usage("check", "missing FILE");
    sip_package_t *pkg = NULL;
    sip_load_options_t opts = {.library_dirs = common.library_dirs,
                               .n_library_dirs = common.n_library_dirs};
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_package_load(file, &opts, &pkg, &err) != SIP_OK) {
        cli_print_error(&err);
        if (common.json)
            print_error_json(&common, &err);
        return CLI_EXIT_INPUT;
    }
    int rc = CLI_EXIT_OK;
    sip_check_result_t *res = NULL;
    if (sip_check_run(pkg, &res, &err) != SIP_OK) {
        cli_print_error(&err);
        if (common.json)
            print_error_json(&common, &err);
        sip_package_destroy(pkg);
        return CLI_EXIT_INPUT;
    }
    FILE *out = cli_open_output(common.output);
    if (!out) {
        rc = CLI_EXIT_INPUT;
    } else if (common.json) {
        char *text = NULL;
        if (sip_check_result_to_json(res, &text, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
        } else {
            fprintf(out, "%s\n", text);
            free(text);
        }
    } else {
        report_check_text(out, res);
    }
    cli_close_output(out);
    if (rc == CLI_EXIT_OK && res->n_errors > 0)
        rc = CLI_EXIT_CHECK;
    sip_check_result_destroy(res);
    sip_package_destroy(pkg);
    return rc;
}
