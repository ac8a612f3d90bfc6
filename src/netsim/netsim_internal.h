/* netsim internals shared by the files of src/netsim.  SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIP_NETSIM_INTERNAL_H
#define SIP_NETSIM_INTERNAL_H

#include "sipsim/netsim.h"

/* Allocate an empty network with n routers / nodes / channels (arrays zeroed, routes -1). */
sip_status_t sip__netsim_net_alloc(int n_routers, int n_nodes, int n_channels, sip_netsim_net_t **out,
                                   sip_error_t *err);
/* Check that every route leads to its node without loops (used after routing and by run). */
sip_status_t sip__netsim_net_check(const sip_netsim_net_t *net, sip_error_t *err);
/* How many routers sip_netsim_run would step with the bitset fast path (router_t.fast) for this
 * network and config: lets tests show that a fast-vs-general comparison compares something. */
sip_status_t sip__netsim_fast_routers(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg, int *n_fast,
                                      sip_error_t *err);

#endif
