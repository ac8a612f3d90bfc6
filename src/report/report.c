/* The report renders one evaluation (src/eval): these are the evaluation's entry points under
 * the report's names, and the figures the pictures read from it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "sipsim/report.h"

void sip_report_options_init(sip_report_options_t *o)
{
    *o = sip_eval_options_default();
}

sip_status_t sip_report_create(const sip_package_t *pkg, const sip_report_options_t *options,
                               sip_report_t **out, sip_error_t *err)
{
    return sip_evaluate(pkg, options, out, err);
}

void sip_report_destroy(sip_report_t *r)
{
    sip_eval_result_destroy(r);
}

double sip_report_instance_t_max_c(const sip_report_t *r, int instance)
{
    if (!r || !r->thermal || instance < 0 || instance >= r->thermal->n_dies)
        return NAN;
    return r->thermal->dies[instance].t_max_c;
}
