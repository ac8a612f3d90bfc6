/* sipsim evaluation internals shared by the files of src/eval.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_EVAL_INTERNAL_H
#define SIPSIM_EVAL_INTERNAL_H

#include <jansson.h>

#include "sipsim/eval.h"

/* The name of the workload pattern (sip_package_demand_build). */
#define SIP_PATTERN_WORKLOAD "workload"

/* JSON builders behind the public *_to_json functions (json.c); NULL on ENOMEM. */
json_t *sip__json_number(double v);
json_t *sip__ucie_json(const sip_package_t *pkg, const sip_ucie_link_result_t *links,
                       const double *link_util);
json_t *sip__traffic_json(const sip_network_t *net, const sip_routes_t *routes,
                          const sip_demand_matrix_t *demand, const char *pattern,
                          const sip_traffic_result_t *t);
json_t *sip__thermal_json(const sip_thermal_result_t *t);
json_t *sip__tpp_json(const sip_tpp_result_t *t);
json_t *sip__workload_json(const sip_workload_result_t *w);
json_t *sip__cost_json(const sip_cost_result_t *c);
json_t *sip__netsim_json(const sip_netsim_net_t *net, const sip_netsim_result_t *r);
json_t *sip__eval_json(const sip_eval_result_t *r);
/* Dump j (stolen) to *out with the library's number format; ENOMEM if j is NULL. */
sip_status_t sip__json_finish(json_t *j, char **out, sip_error_t *err);

#endif
