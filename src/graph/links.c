/* What each edge carries, from the UCIe link model (include/sipsim/ucie.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "graph/graph_internal.h"
#include "sipsim/ucie.h"

sip_status_t sip__graph_link_figures(const sip_package_t *pkg, int link, sip_graph_edge_t *edge,
                                     sip_error_t *err)
{
    sip_ucie_link_result_t r;
    SIP_TRY(sip_ucie_link_eval(pkg, link, &r, err));
    /* Bandwidth of the wires after training (lane repair / degrade), per direction: the
     * quantity bisection bandwidth is defined on.  payload_GBps is what the protocol layer
     * gets after flit overhead and retry. */
    edge->bandwidth_GBps = r.raw_GBps_per_dir;
    edge->payload_GBps = r.payload_GBps_per_dir;
    edge->latency_ns = r.latency_ns;
    edge->energy_pj_per_bit = r.energy_pj_per_bit;
    edge->modules = r.modules;
    edge->lanes = r.lanes_per_module;
    edge->rate_gtps = r.rate_gtps;
    return SIP_OK;
}
