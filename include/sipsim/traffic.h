/* sipsim — die-to-die traffic, analytically: networks, routes, demand patterns, link loads,
 * saturation, latency and D2D energy.  The cycle-level simulator (netsim) uses the same
 * sip_network_t and sip_routes_t, so both engines see identical channels and paths.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Units: bandwidth in GB/s (1e9 bytes/s), time in ns.  A network built in code with
 * flit_bytes = 1 and clock_ghz = 1 therefore reads directly in flits/cycle and cycles, which is
 * how the BookSim2 reference meshes are expressed (shared/peers/booksim).
 *
 * Model of a packet's zero-load latency along one path (head-flit, cut-through):
 *     T0 = inject_latency_ns(src endpoint)
 *        + sum over routers on the path of router_delay_ns
 *        + sum over channels on the path of latency_ns   (head flit incl. its own serialization)
 *        + eject_latency_ns(dst endpoint)
 *        + (packet_bytes - flit_bytes) / (smallest bandwidth on the path, ports included)
 * The last term is the tail's serialization behind the head.
 */
#ifndef SIPSIM_TRAFFIC_H
#define SIPSIM_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include "sipsim/model.h"
#include "sipsim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Network: routers (nodes), directed channels between them, endpoints (terminals) on nodes.
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    char name[SIP_NAME_MAX];
    int instance;           /* package instance index; -1 for networks built in code */
    sip_kind_t kind;        /* compute for mesh nodes */
    int x, y;               /* mesh coordinates (column, row); -1 when not on a grid */
    double router_delay_ns; /* head flit through this node's router pipeline */
    int first_endpoint;     /* endpoints of a node are contiguous */
    int n_endpoints;
} sip_net_node_t;

typedef struct {
    int from, to;             /* node indices */
    int link;                 /* package link index; -1 for networks built in code */
    int reverse;              /* channel of the opposite direction, or -1 */
    double capacity_GBps;     /* payload bandwidth in this direction */
    double latency_ns;        /* head flit: adapter + PHY + flight + one flit's serialization */
    double energy_pj_per_bit; /* per payload bit moved over this channel */
} sip_channel_t;

typedef struct {
    int node;
    int local;                /* index among its node's endpoints */
    double inject_GBps;       /* injection port bandwidth (source side) */
    double eject_GBps;        /* ejection port bandwidth (sink side) */
    double inject_latency_ns; /* from packet creation to the first router */
    double eject_latency_ns;  /* from the last router's switch to the sink */
} sip_endpoint_t;

typedef struct sip_network {
    char name[SIP_NAME_MAX];
    double flit_bytes;        /* unit of link-level serialization */
    int n_nodes, n_channels, n_endpoints;
    sip_net_node_t *nodes;    /* owned */
    sip_channel_t *channels;  /* owned */
    sip_endpoint_t *endpoints;/* owned, grouped by node in node order */
    int mesh_cols, mesh_rows; /* > 0 when every node has distinct grid coordinates */
    int n_instances;          /* package instances (0 for networks built in code) */
    int *instance_node;       /* owned: instance -> node (attached HBM -> its host), or -1 */
    int cap_nodes, cap_channels, cap_endpoints;
    /* Package networks: the compute nodes in ring order (sip_package_ring_order: snake order
     * when the compute dies sit on a grid), the order of the allreduce pattern and of the
     * workload's rings.  Owned; NULL / 0 for networks built in code (grid snake, else node
     * order). */
    int *ring_nodes;
    int n_ring_nodes;
} sip_network_t;

/* Empty network; flit_bytes > 0. */
SIP_EXPORT sip_status_t sip_network_create(const char *name, double flit_bytes, sip_network_t **out,
                                           sip_error_t *err);
SIP_EXPORT void sip_network_destroy(sip_network_t *net);
/* Append; return the new index or -1 (err filled).  Endpoints must be added in node order. */
SIP_EXPORT int sip_network_add_node(sip_network_t *net, const char *name, sip_kind_t kind,
                                    double router_delay_ns, sip_error_t *err);
SIP_EXPORT int sip_network_add_channel(sip_network_t *net, int from, int to, double capacity_GBps,
                                       double latency_ns, double energy_pj_per_bit, sip_error_t *err);
SIP_EXPORT int sip_network_add_endpoint(sip_network_t *net, int node, double inject_GBps,
                                        double eject_GBps, double inject_latency_ns,
                                        double eject_latency_ns, sip_error_t *err);
/* Set a node's grid position; recomputes mesh_cols/mesh_rows (0 unless the grid is complete). */
SIP_EXPORT sip_status_t sip_network_set_coords(sip_network_t *net, int node, int x, int y,
                                               sip_error_t *err);
/* Channel from a to b, or -1 (lowest index when there are parallel channels). */
SIP_EXPORT int sip_network_find_channel(const sip_network_t *net, int from, int to);

/* A cols x rows mesh, nodes numbered id = y * cols + x (BookSim's numbering), neighbours
 * joined by a channel in each direction.  All delays are in cycles of clock_ghz; every
 * channel and port carries one flit of flit_bytes per cycle. */
typedef struct {
    int cols, rows;
    int endpoints_per_node;
    double flit_bytes;
    double clock_ghz;
    double router_cycles;   /* head flit through a router */
    double link_cycles;     /* head flit over a channel */
    double inject_cycles;   /* creation to first router */
    double eject_cycles;    /* last router to sink */
    double energy_pj_per_bit;
} sip_mesh_params_t;

/* The BookSim2 reference mesh (shared/peers/booksim configs, 4-stage iq router, 1-cycle
 * channels, 1 flit/cycle, 1 node per router), with flit_bytes = 1 and clock = 1 GHz so that
 * GB/s = flits/cycle and ns = cycles.  two_stage selects the _2stage variant. */
SIP_EXPORT void sip_mesh_params_booksim(sip_mesh_params_t *p, int k, bool two_stage);
SIP_EXPORT sip_status_t sip_network_mesh(const sip_mesh_params_t *p, sip_network_t **out,
                                         sip_error_t *err);

/* From a package: one node per instance that is not attached to a host (HBM stacks are not
 * UCIe vertices), one channel per link direction with payload bandwidth, latency and energy
 * from the UCIe link model (sipsim/ucie.h).  Nodes get grid coordinates when the instance
 * centres form a complete grid (dimension-order routing then applies). */
typedef struct {
    int endpoints_per_chiplet; /* 0 = the package's traffic.endpoints_per_chiplet, else 1 */
    double router_cycles;      /* 0 = 4 (BookSim iq router RC/VA/SA/ST, peers/booksim) */
    double router_clock_ghz;   /* 0 = the die's fastest engine clock, else the package's */
    /* Endpoint ports, for engines that model them concretely (netsim's terminals inject and
     * eject one flit per cycle, BookSim2-style): 0 = the defaults above (the chiplet's UCIe
     * link payload shared by its endpoints; no on-die latency). */
    double endpoint_GBps;      /* injection and ejection bandwidth of every endpoint */
    double inject_cycles;      /* creation -> first router, in router clock cycles */
    double eject_cycles;       /* last router -> sink, in router clock cycles */
} sip_network_options_t;

SIP_EXPORT sip_status_t sip_network_from_package(const sip_package_t *pkg,
                                                 const sip_network_options_t *opts,
                                                 sip_network_t **out, sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * Routes: per (source node, destination node) one or more paths, each a channel list with a
 * split weight (weights of a pair sum to 1).  Paths of (s, s) have no channels.
 * ---------------------------------------------------------------------------------------- */

typedef enum {
    SIP_ROUTING_MINIMAL, /* minimal-latency shortest path, ties -> lowest next-hop node id,
                            hop by hop (= BookSim anynet `min`) */
    SIP_ROUTING_ECMP,    /* all minimal-latency next hops, equal split at every router */
    SIP_ROUTING_DOR,     /* dimension order, X (columns) then Y; needs a complete mesh */
    SIP_ROUTING_UPDOWN,  /* up*-down* on a BFS spanning tree: deadlock-free on any graph */
    SIP_ROUTING_COUNT
} sip_routing_t;

typedef struct {
    int first_hop;   /* index into routes->hops */
    int n_hops;      /* channels on the path */
    double weight;   /* share of the pair's traffic */
} sip_path_t;

typedef struct sip_routes {
    sip_routing_t algorithm;
    int n_nodes;
    int *pair_first;   /* n_nodes*n_nodes + 1 offsets into paths: pair (s,d) = s*n_nodes + d */
    int n_paths;
    sip_path_t *paths;
    int n_hops;
    int *hops;         /* channel indices */
    int updown_root;   /* root of the up*-down* tree, -1 otherwise */
} sip_routes_t;

typedef struct {
    int max_paths;   /* ECMP: most paths per pair before SIP_ELIMIT; 0 = 64 */
    int updown_root; /* up*-down* root node; -1 = highest degree, ties lowest id */
} sip_routing_options_t;

SIP_EXPORT const char *sip_routing_name(sip_routing_t algorithm);
/* Index of a routing name ("minimal", "ecmp", "dor", "updown"), or -1. */
SIP_EXPORT int sip_routing_lookup(const char *name);
/* opts may be NULL (defaults). */
SIP_EXPORT sip_status_t sip_routes_compute(const sip_network_t *net, sip_routing_t algorithm,
                                           const sip_routing_options_t *opts, sip_routes_t **out,
                                           sip_error_t *err);
SIP_EXPORT void sip_routes_destroy(sip_routes_t *routes);
static inline int sip_routes_pair(const sip_routes_t *r, int src, int dst)
{
    return src * r->n_nodes + dst;
}
/* The routes as a destination table, as hop-by-hop routers (and BookSim anynet) hold them:
 * next[u * n_nodes + d] = channel a packet at node u for node d leaves on, -1 at u == d or when
 * no path of the routes visits u towards d.  SIP_EINVAL when the routes are not destination-based
 * (ECMP splits, or up*-down* paths whose next hop depends on the way in). */
SIP_EXPORT sip_status_t sip_routes_next_table(const sip_network_t *net, const sip_routes_t *routes,
                                              int *next, sip_error_t *err);
/* Routes as text ("route a->b: a-c-b  weight 1  latency_ns X", one line per path) or JSON;
 * *out is malloc'd, caller frees. */
SIP_EXPORT sip_status_t sip_routes_format(const sip_network_t *net, const sip_routes_t *routes,
                                          bool json, char **out, sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * Demand: flows between endpoints in GB/s, produced by patterns from a const registry.
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    int src, dst;  /* endpoint indices */
    double GBps;
} sip_flow_t;

typedef struct sip_demand_matrix {
    int n_endpoints;
    int n_flows, cap_flows;
    sip_flow_t *flows;   /* owned; sorted by (src, dst), no duplicates, GBps >= 0 */
    double load;         /* the load it was built for (see sip_pattern_params_t) */
    bool load_in_GBps;
} sip_demand_matrix_t;

#define SIP_TRAFFIC_MAX_HOTSPOTS 16

typedef struct {
    double load;              /* per source endpoint: fraction of its injection bandwidth, or GB/s */
    bool load_in_GBps;
    int n_hotspots;           /* hotspot: destination nodes (all their endpoints, equal shares) */
    int hotspots[SIP_TRAFFIC_MAX_HOTSPOTS];
    double hotspot_fraction;  /* share of each source's traffic to the hotspots, rest uniform;
                                 0 = 1.0 (BookSim hotspot: all of it) */
    int n_demands;            /* explicit: GB/s between package instances (or nodes when the */
    const sip_demand_t *demands; /* network has no instances); scaled by load (1 = as given) */
} sip_pattern_params_t;

/* The per-packet form of a pattern, for simulators that draw each packet's destination
 * (netsim): the same meaning as the demand matrix a pattern builds, over endpoints
 * 0..n_endpoints-1.  Random choices take the caller's generator, so that a simulation keeps
 * one random stream (same seed = same bytes). */
typedef uint64_t (*sip_pattern_rng_fn)(void *state);

typedef struct {
    int n_endpoints;
    int cols, rows;             /* > 0 when endpoint e sits at grid (e % cols, e / cols) and
                                   cols x rows = n_endpoints (k-ary 2-cube numbering), else 0 */
    int n_hotspots;             /* hotspot: destination endpoints, drawn in proportion to */
    const int *hotspots;        /* hotspot_weights (NULL = equal); BookSim2's hotspot */
    const int *hotspot_weights;
    int hotspot_total;          /* set by draw_init: sum of the weights */
} sip_pattern_draw_t;

typedef struct sip_pattern_ops {
    const char *name;
    const char *summary;
    sip_status_t (*build)(const sip_network_t *net, const sip_pattern_params_t *params,
                          sip_demand_matrix_t *out, sip_error_t *err);
    /* Check a draw context and fill its derived fields (SIP_EINVAL saying what the pattern
     * needs, for the caller to prefix with the pattern's name); NULL when the pattern has no
     * per-packet form. */
    sip_status_t (*draw_init)(sip_pattern_draw_t *ctx, sip_error_t *err);
    /* Destination endpoint of the next packet from endpoint src. */
    int (*draw)(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *rng_state);
} sip_pattern_ops_t;

/* Registry: "uniform", "hotspot", "transpose", "bitcomp", "neighbor", "alltoall", "allreduce",
 * "explicit", "bitrev", "shuffle", "tornado", "adjacent".  Every pattern netsim runs has a
 * per-packet form (draw); neighbor and tornado are BookSim2's (grid steps on a mesh), adjacent
 * is "the nodes a channel reaches". */
SIP_EXPORT int sip_pattern_count(void);
SIP_EXPORT const sip_pattern_ops_t *sip_pattern_get(int index);
SIP_EXPORT const sip_pattern_ops_t *sip_pattern_find(const char *name);
/* Defaults: load 0.1 of injection bandwidth, no hotspots. */
SIP_EXPORT void sip_pattern_params_init(sip_pattern_params_t *params);
/* Fill params from the package's traffic section (load, hotspot instances -> nodes, demands). */
SIP_EXPORT sip_status_t sip_pattern_params_from_package(const sip_network_t *net,
                                                        const sip_package_t *pkg,
                                                        sip_pattern_params_t *params,
                                                        sip_error_t *err);
SIP_EXPORT sip_status_t sip_demand_build(const sip_network_t *net, const char *pattern,
                                         const sip_pattern_params_t *params,
                                         sip_demand_matrix_t **out, sip_error_t *err);
SIP_EXPORT void sip_demand_destroy(sip_demand_matrix_t *demand);
/* Append a flow (merged with an existing (src,dst) entry; keeps the order invariant). */
SIP_EXPORT sip_status_t sip_demand_add(sip_demand_matrix_t *demand, int src, int dst, double GBps,
                                       sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * Evaluation: link loads, saturation, latency, energy.
 * ---------------------------------------------------------------------------------------- */

/* Routers as input-queued virtual-channel routers (BookSim2 "iq", netsim): each input port has
 * `vcs` VCs of `vc_buffer_flits` flits; a VC passes one packet at a time through the pipeline
 * (routing, VC and switch allocation), so it is held for the first router_stages -
 * crossbar_stages stages of router_delay_ns plus one cycle per further flit, plus the packet's
 * wait for its output.  The defaults are netsim's default router (sip_netsim_config_init:
 * 4 VCs x 4 flits, 4 stages of which 1 is the crossbar), so that both engines agree by
 * construction; see evaluate.c for the queueing model. */
typedef struct {
    double packet_bytes;   /* 0 = one flit */
    int vcs;               /* VCs per router input port: 0 = 4, < 0 = unlimited (no VC model) */
    int vc_buffer_flits;   /* flits per VC buffer: 0 = 4 */
    int router_stages;     /* pipeline stages in router_delay_ns: 0 = 4 (RC, VA, SA, ST) */
    int crossbar_stages;   /* of which after switch allocation (the VC is free again): 0 = 1 */
} sip_traffic_options_t;

/* A turn through a router: traffic entering on `in` and leaving on `out`.  in: a channel index,
 * or n_channels + endpoint for an injection port; out: a channel index, or n_channels + endpoint
 * for an ejection port. */
typedef struct {
    int in, out;
    double GBps;
} sip_turn_t;

/* SIP_PORT_ROUTER: the VCs of a router input port (index: a channel index, or n_channels +
 * endpoint for an injection port, as sip_turn_t.in); its router is the node that port enters. */
typedef enum { SIP_PORT_CHANNEL, SIP_PORT_INJECT, SIP_PORT_EJECT, SIP_PORT_ROUTER } sip_port_kind_t;

typedef struct {
    sip_port_kind_t kind;
    int index;             /* channel or endpoint index; SIP_PORT_ROUTER: input port */
    double utilization;    /* SIP_PORT_ROUTER: share of its VCs occupied just below saturation */
} sip_bottleneck_t;

typedef struct sip_traffic_result {
    int n_channels, n_endpoints, n_flows;
    double *channel_GBps;      /* offered load per channel (direction) */
    double *channel_util;      /* channel_GBps / capacity_GBps */
    double *inject_GBps, *eject_GBps, *inject_util, *eject_util; /* per endpoint */
    double *flow_hops;         /* per flow (demand order): mean channels crossed */
    double *flow_zero_load_ns; /* per flow: T0, weighted over its paths */
    double *flow_latency_ns;   /* per flow: T0 + queueing (ports and VCs); INFINITY when saturated */
    /* VC model (evaluate.c): per router input port, the mean share of its VCs occupied (Little:
     * packet rate x VC holding time / VCs); 0 without the VC model.  At 1 the port's VCs cannot
     * keep up and latency is INFINITY even below the channel-load bound. */
    double *channel_vc_util;   /* [n_channels] input port the channel feeds */
    double *inject_vc_util;    /* [n_endpoints] injection input port */
    int n_turns;
    sip_turn_t *turns;         /* load per (input port, output port) pair, sorted by in, out */
    double injected_GBps, ejected_GBps;
    double channel_GBps_sum;   /* sum of channel loads = sum of demand x hops */
    double max_util;
    /* Largest factor on the demand that the network sustains: the smaller of the channel-load
     * bound (no channel, injection or ejection port above 100 %) and the router bound (every
     * input port's VCs keep up, the VC model of evaluate.c); latency is finite below it. */
    double saturation_scale;
    double saturation_load;    /* demand.load x saturation_scale (flits/node/cycle on meshes) */
    int n_bottlenecks;
    /* The ports that set saturation_scale: when the channel-load bound does, every port within
     * 1e-9 of max_util (channels first); when the routers do, the input ports whose VCs run out
     * first (SIP_PORT_ROUTER). */
    sip_bottleneck_t *bottlenecks;
    double mean_hops, mean_zero_load_ns, mean_latency_ns; /* weighted by GBps */
    double d2d_power_w;        /* channel energy x load */
    double energy_pj_per_byte; /* D2D energy per byte delivered */
    /* The channel-load bound alone (Dally & Towles §3.3.1, BookSim's "ideal" throughput):
     * 1 / max_util, and demand.load times it.  saturation_scale <= channel_bound_scale. */
    double channel_bound_scale, channel_bound_load;
    bool router_limited;       /* saturation set by router VCs below the channel-load bound */
} sip_traffic_result_t;

/* opts may be NULL (packets of one flit). */
SIP_EXPORT sip_status_t sip_traffic_evaluate(const sip_network_t *net, const sip_routes_t *routes,
                                             const sip_demand_matrix_t *demand,
                                             const sip_traffic_options_t *opts,
                                             sip_traffic_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_traffic_result_destroy(sip_traffic_result_t *res);

/* "a->b" for a channel, "inject NODE.k" / "eject NODE.k" for an endpoint port, "router NODE
 * (input a->NODE)" / "router NODE (input inject NODE.k)" for a router input port; returns buf. */
SIP_EXPORT const char *sip_traffic_port_name(const sip_network_t *net, sip_bottleneck_t port,
                                             char *buf, size_t size);

/* Latency of a result's demand scaled by `scale` (loads and utilizations linear in it);
 * INFINITY at or beyond saturation, or where some input port's VCs cannot keep up; NAN when
 * out of memory.  Used for latency-vs-load curves. */
SIP_EXPORT double sip_traffic_mean_latency_at(const sip_network_t *net, const sip_routes_t *routes,
                                              const sip_demand_matrix_t *demand,
                                              const sip_traffic_options_t *opts,
                                              const sip_traffic_result_t *res, double scale);

#ifdef __cplusplus
}
#endif
#endif
