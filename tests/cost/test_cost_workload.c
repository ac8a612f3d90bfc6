/* Cost per token/s: the package's workload throughput (kernel library) against its cost per good
 * package, in the library (sip_cost_set_throughput) and in `sipsim cost` (text and JSON).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "sipsim.h"
#include "sipsim/cost.h"
#include "sipsim/kernels.h"
#include "common/cli_run.h"

static double workload_tokens_per_s(const sip_package_t *pkg)
{
    sip_workload_result_t *wr = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_workload_evaluate(pkg, NULL, NULL, NULL, &wr, &err), SIP_OK, "%s", err.message);
    const double t = wr->tokens_per_s;
    sip_workload_result_destroy(wr);
    cr_assert_gt(t, 0.0);
    return t;
}

Test(cost_workload, throughput_divides_the_cost_per_good_package)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    sip_cost_result_t *r = NULL;
    cr_assert_eq(sip_cost_evaluate(pkg, NULL, &r, NULL), SIP_OK);
    /* Not given: not a number, never a silent 0. */
    cr_assert(isnan(r->tokens_per_s) && isnan(r->usd_per_tokens_per_s));
    const double t = workload_tokens_per_s(pkg);
    sip_cost_set_throughput(r, t);
    cr_assert_float_eq(r->tokens_per_s, t, 0.0);
    cr_assert_float_eq(r->usd_per_tokens_per_s * t, r->package.total_usd, 1e-12 * r->package.total_usd);
    /* Twice the throughput halves the cost per token/s. */
    const double once = r->usd_per_tokens_per_s;
    sip_cost_set_throughput(r, 2.0 * t);
    cr_assert_float_eq(r->usd_per_tokens_per_s, 0.5 * once, 1e-12 * once);
    sip_cost_set_throughput(r, 0.0);
    cr_assert(isnan(r->tokens_per_s) && isnan(r->usd_per_tokens_per_s));
    sip_cost_result_destroy(r);
    sip_package_destroy(pkg);
}

Test(cost_workload, cli_reports_cost_per_token_per_second)
{
    const char *root = getenv("SIPSIM_SOURCE_ROOT");
    char args[1024];
    snprintf(args, sizeof args, "cost '%s/topologies/default.cfg' --json", root);
    json_t *j = cli_run_json(NULL, args);
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    const double t = workload_tokens_per_s(pkg);
    const double total = json_real_value(json_object_get(json_object_get(j, "cost"), "total_usd"));
    cr_assert_gt(total, 0.0);
    cr_assert_float_eq(json_real_value(json_object_get(j, "tokens_per_s")), t, 1e-9 * t);
    cr_assert_float_eq(json_real_value(json_object_get(j, "usd_per_tokens_per_s")), total / t,
                       1e-9 * total / t);
    json_t *w = json_object_get(j, "workload");
    cr_assert_str_eq(json_string_value(json_object_get(w, "model")), pkg->workload.model);
    cr_assert_str_eq(json_string_value(json_object_get(w, "phase")), pkg->workload.phase);
    json_decref(j);

    /* The text names the figure. */
    int status;
    snprintf(args, sizeof args, "cost '%s/topologies/default.cfg'", root);
    char *text = cli_run(NULL, args, &status);
    cr_assert_eq(status, 0);
    char want[128];
    snprintf(want, sizeof want, "tokens/s -> $%.4f per token/s", total / t);
    cr_assert_not_null(strstr(text, want), "missing '%s' in:\n%s", want, text);
    free(text);

    /* A package without a workload: null, not a number. */
    snprintf(args, sizeof args, "cost '%s/topologies/mesh_2x4.cfg' --json", root);
    j = cli_run_json(NULL, args);
    cr_assert(json_is_null(json_object_get(j, "usd_per_tokens_per_s")));
    cr_assert_null(json_object_get(j, "workload"));
    json_decref(j);
    sip_package_destroy(pkg);
}
