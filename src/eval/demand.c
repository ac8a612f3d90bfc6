/* The demand of a package's traffic section: the traffic engine's pattern registry, plus
 * "workload", the D2D demand of the package's workload (kernel library) at its step rate.  It
 * lives here, above both engines, because traffic cannot depend on the kernel library (the
 * kernel library routes its D2D flows with traffic).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "eval/eval_internal.h"

sip_status_t sip_package_demand_build(const sip_package_t *pkg, const sip_network_t *net,
                                      const char *pattern, const sip_pattern_params_t *params,
                                      const sip_workload_result_t *workload,
                                      sip_routing_t routing, sip_demand_matrix_t **out,
                                      sip_error_t *err)
{
    *out = NULL;
    if (!pattern || !pattern[0])
        pattern = pkg->traffic.pattern[0] ? pkg->traffic.pattern : "uniform";
    if (strcmp(pattern, SIP_PATTERN_WORKLOAD) != 0)
        return sip_demand_build(net, pattern, params, out, err);
    if (!pkg->workload.present)
        return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->traffic.line,
                             "traffic pattern 'workload' needs a workload section in the package");
    double scale = params ? params->load : 1.0;
    if (!(scale >= 0.0) || (params && params->load_in_GBps))
        return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->traffic.line,
                             "traffic pattern 'workload': load %g%s (expected a scale >= 0 of the "
                             "workload's demand, 1 = as is)", scale,
                             params && params->load_in_GBps ? " GB/s" : "");
    sip_workload_result_t *own = NULL;
    if (!workload) {
        sip_workload_options_t wo;
        sip_workload_options_init(&wo);
        wo.routing = routing;
        SIP_TRY(sip_workload_evaluate(pkg, NULL, NULL, &wo, &own, err));
        workload = own;
    }
    sip_status_t st = sip_workload_demand(net, workload, out, err);
    sip_workload_result_destroy(own);
    if (st != SIP_OK)
        return st;
    for (int i = 0; i < (*out)->n_flows; i++)
        (*out)->flows[i].GBps *= scale;
    (*out)->load = scale;
    (*out)->load_in_GBps = false;
    return SIP_OK;
}
