/* sipsim — the package graph: dies joined by UCIe links, its metrics and its exports.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Vertices are the instances that are not attached to a host (attached memory stacks become
 * attributes of their host: hbm_GBps, hbm_gb).  Edges are links, undirected, each carrying its
 * per-direction bandwidth, latency, energy per bit, length, modules, lanes and rate.
 * The graph keeps its own arrays as the model of record; no igraph type appears here.
 */
#ifndef SIPSIM_GRAPH_H
#define SIPSIM_GRAPH_H

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sip_graph sip_graph_t;

typedef struct {
    int instance;            /* index into pkg->instances */
    char name[SIP_NAME_MAX];
    char type[SIP_NAME_MAX]; /* chiplet type name */
    sip_kind_t kind;
    bool is_io;              /* kind io, or a die with off-package io */
    double x_mm, y_mm;       /* centre of the footprint, substrate coordinates */
    double width_mm, height_mm; /* footprint after rotation */
    double power_w;          /* the die alone */
    int hbm_stacks;          /* attached memory stacks: count, bandwidth, capacity */
    double hbm_GBps;
    double hbm_gb;
} sip_graph_vertex_t;

typedef struct {
    int link;                /* index into pkg->links */
    char name[SIP_NAME_MAX];
    int from, to;            /* vertex indices */
    sip_ucie_package_t package;
    int modules;             /* active after link training (UCIe model) */
    int lanes;               /* active data lanes per module */
    double rate_gtps;        /* operating rate after training */
    double bandwidth_GBps;   /* raw, per direction: modules x lanes x rate / 8 */
    double payload_GBps;     /* per direction after flit/CRC overhead and retry */
    double latency_ns;       /* one way, end to end */
    double energy_pj_per_bit;
    double length_mm;
} sip_graph_edge_t;

/* Build the graph of pkg (a snapshot: later edits to pkg do not show). */
SIP_EXPORT sip_status_t sip_graph_build(const sip_package_t *pkg, sip_graph_t **out,
                                        sip_error_t *err);
SIP_EXPORT void sip_graph_destroy(sip_graph_t *graph);

SIP_EXPORT const char *sip_graph_name(const sip_graph_t *graph);
SIP_EXPORT int sip_graph_vertex_count(const sip_graph_t *graph);
SIP_EXPORT int sip_graph_edge_count(const sip_graph_t *graph);
SIP_EXPORT const sip_graph_vertex_t *sip_graph_vertex(const sip_graph_t *graph, int vertex);
SIP_EXPORT const sip_graph_edge_t *sip_graph_edge(const sip_graph_t *graph, int edge);
/* Vertex of an instance; -1 for an attached stack or an index out of range. */
SIP_EXPORT int sip_graph_vertex_of_instance(const sip_graph_t *graph, int instance);

typedef enum {
    SIP_BISECTION_NONE,          /* fewer than two vertices */
    SIP_BISECTION_EXACT,         /* every balanced split enumerated (<= 24 vertices) */
    SIP_BISECTION_KERNIGHAN_LIN, /* Kernighan-Lin refinement from three deterministic starts */
    SIP_BISECTION_METHOD_COUNT
} sip_bisection_method_t;

/* Vertex count up to which the bisection is found by enumeration. */
#define SIP_BISECTION_EXACT_MAX 24

typedef struct {
    int n_vertices, n_edges;
    int n_components;
    /* Shortest paths: hops, and ns (sum of link latencies).  Over connected pairs only. */
    int diameter_hops;
    double diameter_ns;
    double avg_path_hops;
    double avg_path_ns;
    /* Minimum balanced cut (sides of floor(n/2) and ceil(n/2) vertices), weighted by link
     * bandwidth per direction: the bandwidth one half can send to the other. */
    double bisection_GBps;
    int bisection_links;          /* links cut */
    sip_bisection_method_t bisection_method;
    bool *bisection_side;         /* per vertex: false/true = the two halves; vertex 0 false */
    /* Per edge: shortest paths (in hops) between unordered vertex pairs that use the link,
     * ties split evenly (Brandes). */
    double *edge_betweenness;
    /* Single points of failure, ascending indices. */
    int n_articulation_points;
    int *articulation_points;     /* vertex indices */
    int n_bridges;
    int *bridges;                 /* edge indices */
} sip_graph_metrics_t;

SIP_EXPORT const char *sip_bisection_method_name(sip_bisection_method_t method);

SIP_EXPORT sip_status_t sip_graph_metrics_compute(const sip_graph_t *graph,
                                                  sip_graph_metrics_t **out, sip_error_t *err);
SIP_EXPORT void sip_graph_metrics_destroy(sip_graph_metrics_t *metrics);

/* Cut weight of a given split (per-direction GB/s of links whose ends are on different sides). */
SIP_EXPORT double sip_graph_cut_GBps(const sip_graph_t *graph, const bool *side);

typedef enum {
    SIP_GRAPH_FORMAT_GRAPHML,
    SIP_GRAPH_FORMAT_DOT,
    SIP_GRAPH_FORMAT_JSON,
    SIP_GRAPH_FORMAT_COUNT
} sip_graph_format_t;

SIP_EXPORT const char *sip_graph_format_name(sip_graph_format_t format);
/* "graphml", "dot" (or "gv"), "json"; -1 if unknown. */
SIP_EXPORT int sip_graph_format_lookup(const char *name);

/* The graph as text in one format (malloc'd, caller frees).  Every format carries the same
 * graph, vertex and edge attributes; with metrics (may be NULL) they also carry the metrics
 * (graph level: diameter, bisection; vertex: articulation; edge: betweenness, bridge). */
SIP_EXPORT sip_status_t sip_graph_export(const sip_graph_t *graph,
                                         const sip_graph_metrics_t *metrics,
                                         sip_graph_format_t format, char **out, sip_error_t *err);

/* Number of vertex / edge / graph attributes the exports carry (with or without metrics) and
 * their names, for tests and readers. */
SIP_EXPORT int sip_graph_attribute_count(char scope, bool with_metrics);
SIP_EXPORT const char *sip_graph_attribute_name(char scope, bool with_metrics, int index);

#ifdef __cplusplus
}
#endif
#endif
