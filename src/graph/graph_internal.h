/* Internals of src/graph (no igraph types here either: only metrics.c includes igraph.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_GRAPH_INTERNAL_H
#define SIPSIM_GRAPH_INTERNAL_H

#include "sipsim/graph.h"

struct sip_graph {
    char name[SIP_NAME_MAX];
    char path[SIP_PATH_MAX];
    sip_substrate_kind_t substrate;
    double substrate_width_mm, substrate_height_mm;
    int n_vertices;
    sip_graph_vertex_t *vertices;
    int n_edges;
    sip_graph_edge_t *edges;
    int n_instances;
    int *vertex_of_instance; /* n_instances entries, -1 for attached stacks */
};

/* Per-link figures the edges carry (bandwidth, latency, energy), from the UCIe model. */
sip_status_t sip__graph_link_figures(const sip_package_t *pkg, int link, sip_graph_edge_t *edge,
                                     sip_error_t *err);

/* Minimum balanced cut: exact enumeration up to SIP_BISECTION_EXACT_MAX vertices, else
 * Kernighan-Lin.  side[] gets n_vertices entries. */
sip_status_t sip__graph_bisection(const sip_graph_t *g, bool *side, double *cut_GBps,
                                  sip_bisection_method_t *method);

#endif
