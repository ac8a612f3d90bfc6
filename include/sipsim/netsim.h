/* sipsim — cycle-level flit simulator (netsim): input-queued virtual-channel routers, credit
 * flow control, links with per-direction latency and width, optional UCIe flit errors with
 * go-back-N replay, Bernoulli sources, BookSim2-style warm-up / sampling / drain statistics.
 *
 * The router follows BookSim2's "iq" router (booksim/booksim2 commit 28f4329,
 * src/routers/iq_router.cpp) stage for stage, so that a network configured identically gives the
 * same zero-load latency and the same saturation throughput (shared/peers/booksim/results.md).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef SIPSIM_NETSIM_H
#define SIPSIM_NETSIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sipsim/model.h"
#include "sipsim/status.h"
#include "sipsim/traffic.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- network description ---- */

struct sip_netsim_config;

/* One directed channel between two routers.  Credits return over a channel of the same latency. */
typedef struct {
    int from_router, to_router;
    int latency_cycles;      /* >= 1; a flit sent in cycle t is read by the next router in t+latency+1 */
    int width_flits;         /* flits per cycle the channel carries (>= 1); ports get that speedup */
    /* Mean flits per cycle when the link's bandwidth is not a whole number of flits per cycle
     * (0 < rate <= width_flits = ceil(rate)): the sender spaces flits by 1 / rate cycles with a
     * token bucket of one burst of width_flits.  0 = width_flits (no spacing). */
    double rate_flits;
    double flit_error_prob;  /* probability a flit arrives corrupted (UCIe CRC error), 0 = none */
    int link;                /* package link index it models, or -1 */
    /* Sort keys of the channel among its routers' output / input ports (ties: channel order).
     * BookSim2's kncube orders ports +x, -x, +y, -y; the mesh builder sets these to match. */
    int out_slot, in_slot;
} sip_netsim_channel_t;

/* A network: routers, endpoint nodes on routers, directed channels and a destination-based
 * routing table.  Plain data owned by the struct (sip_netsim_net_destroy frees it). */
typedef struct {
    char name[SIP_NAME_MAX];
    int n_routers, n_nodes, n_channels;
    int *node_router;            /* [n_nodes] router of each endpoint */
    int *node_latency_cycles;    /* [n_nodes] injection = ejection channel latency (>= 1) */
    sip_netsim_channel_t *channels;
    /* [n_routers * n_nodes]: the channel a packet at router r for node d leaves on, -1 = eject
     * (d sits on r).  Filled by sip_netsim_net_route_dor / _route_min or by the caller. */
    int *route_next;
    /* Router port order, which decides round-robin tie-breaks as in BookSim2: k-ary n-cubes put
     * the channels first (+x, -x, +y, -y) and the endpoint last; anynet puts endpoints first. */
    bool nodes_first;
    int mesh_k;                  /* > 0 for a k x k mesh built by sip_netsim_net_mesh */
    char (*router_names)[SIP_NAME_MAX]; /* [n_routers] */
} sip_netsim_net_t;

SIP_EXPORT void sip_netsim_net_destroy(sip_netsim_net_t *net);
/* A k x k 2-D mesh with one node per router, 1-cycle channels and injection/ejection, numbered as
 * BookSim2's kncube (node = y*k + x), dimension-order routed (X first). */
SIP_EXPORT sip_status_t sip_netsim_net_mesh(int k, sip_netsim_net_t **out, sip_error_t *err);
/* Read a BookSim2 anynet file ("router R node N ... router S L ...", latency after a router or
 * node id, default 1) and route it with sip_netsim_net_route_min. */
SIP_EXPORT sip_status_t sip_netsim_net_read_anynet(const char *path, sip_netsim_net_t **out,
                                                   sip_error_t *err);
/* Dimension-order (X then Y) routing for a mesh built by sip_netsim_net_mesh. */
SIP_EXPORT sip_status_t sip_netsim_net_route_dor(sip_netsim_net_t *net, sip_error_t *err);
/* Shortest path by channel latency, ties to the lowest router id, as BookSim2 anynet `min`. */
SIP_EXPORT sip_status_t sip_netsim_net_route_min(sip_netsim_net_t *net, sip_error_t *err);
/* The analytic engine's network (sipsim/traffic.h) as a netsim network, so that both engines
 * see the same channels and paths by construction: one router per node, one netsim node per
 * endpoint, channel c = network channel c (parallel links stay separate), and the route table
 * from sip_routes_next_table (destination-based routes: minimal or dor).  At `clock_ghz` with
 * `flit_bytes`-byte flits a channel takes round(latency_ns x clock) cycles and carries
 * capacity_GBps / (flit_bytes x clock) flits per cycle (rate_flits; width = its ceiling); an
 * endpoint's injection and ejection take round(inject / eject latency x clock) - 1 and
 * round(eject latency x clock) cycles (at least 1 each), since a netsim packet needs one
 * cycle more than its channels (see sip_netsim_config_router_cycles). */
SIP_EXPORT sip_status_t sip_netsim_net_from_network(const sip_network_t *tnet,
                                                    const sip_routes_t *routes, double clock_ghz,
                                                    double flit_bytes, sip_netsim_net_t **out,
                                                    sip_error_t *err);
/* Package -> network: sip_network_from_package with every router clocked at `clock_ghz`, the
 * router pipeline of a default config (sip_netsim_config_init), endpoints as netsim terminals
 * (one flit of `flit_bytes` per cycle, 2 cycles creation -> router, 1 cycle router -> sink),
 * `endpoints` per chiplet (<= 0: the package's traffic.endpoints_per_chiplet, else 1), minimal
 * routes; then sip_netsim_net_from_network.  flit_bytes <= 0: the package's UCIe flit. */
SIP_EXPORT sip_status_t sip_netsim_net_from_package(const sip_package_t *pkg, int endpoints,
                                                    double clock_ghz, int flit_bytes,
                                                    sip_netsim_net_t **out, sip_error_t *err);
/* The options netsim uses for sip_network_from_package (above), for callers that want the
 * analytic engine on the very network netsim simulates (e.g. with other routes); cfg may be
 * NULL (sip_netsim_config_init's router). */
SIP_EXPORT void sip_netsim_network_options(const sip_package_t *pkg, int endpoints, double clock_ghz,
                                           double flit_bytes, const struct sip_netsim_config *cfg,
                                           sip_network_options_t *opts);

/* ------------------------------------------------------------------------- configuration ---- */

typedef enum {
    SIP_NETSIM_ALLOC_ISLIP,          /* separable iSLIP (BookSim2 "islip") */
    SIP_NETSIM_ALLOC_SEPARABLE_IF,   /* separable input-first, round-robin arbiters */
    SIP_NETSIM_ALLOC_COUNT
} sip_netsim_alloc_t;

typedef enum {
    SIP_NETSIM_UNIFORM,     /* destination uniform over all nodes, the source included */
    SIP_NETSIM_TRANSPOSE,   /* swap the low and high halves of the node-id bits */
    SIP_NETSIM_BITCOMP,     /* ~src & (N-1) */
    SIP_NETSIM_BITREV,
    SIP_NETSIM_SHUFFLE,
    SIP_NETSIM_TORNADO,     /* mesh: (x + ceil(k/2) - 1) mod k per dimension */
    SIP_NETSIM_NEIGHBOR,    /* mesh: (x + 1) mod k per dimension */
    SIP_NETSIM_HOTSPOT,     /* weighted over the listed hotspot nodes */
    SIP_NETSIM_PATTERN_COUNT
} sip_netsim_pattern_t;

#define SIP_NETSIM_MAX_HOTSPOTS 64

typedef struct sip_netsim_config {
    /* router (BookSim2 names in comments) */
    int num_vcs;              /* num_vcs, <= 64 */
    int vc_buf_size;          /* vc_buf_size, flits per VC (private buffers) */
    int routing_delay;        /* 0 = lookahead routing */
    int vc_alloc_delay;       /* >= 1 */
    int sw_alloc_delay;       /* >= 1 */
    int st_final_delay;       /* crossbar traversal (st_prepare_delay + st_final_delay) >= 1 */
    int credit_delay;
    bool speculative;         /* VC and switch allocation in parallel (spec_sw_allocator = prio);
                               * needs vc_alloc_delay = sw_alloc_delay = 1 (SIP_EINVAL otherwise) */
    bool wait_for_tail_credit;
    sip_netsim_alloc_t vc_allocator, sw_allocator;
    int alloc_iters;          /* iSLIP iterations */
    /* traffic */
    sip_netsim_pattern_t pattern;
    int n_hotspots;
    int hotspots[SIP_NETSIM_MAX_HOTSPOTS];
    int hotspot_weights[SIP_NETSIM_MAX_HOTSPOTS];
    double injection_rate;    /* flits per node per cycle (injection_rate_uses_flits = 1) */
    int packet_size;          /* flits */
    bool include_queuing;     /* packet latency counts source queueing */
    uint64_t seed;
    /* statistics (sim_type = latency) */
    int warmup_periods;
    int sample_period;        /* cycles */
    int max_samples;
    double latency_thres;     /* abort as unstable above this mean latency (in-flight included) */
    double stopping_thres, acc_stopping_thres;
    int64_t max_drain_cycles; /* safety bound on the drain (0 = 100 * sample_period) */
    /* Not a BookSim2 key.  Routers with the default single-cycle pipeline (all delays 1, not
     * speculative, credit_delay 0, iSLIP, 1-flit channels, <= 64 input and output VCs) normally
     * run a bitset fast path; true makes every router take the general path.  The results are
     * the same bit for bit (tests/netsim/test_fastpath.c); this exists to check exactly that. */
    bool force_general_router;
} sip_netsim_config_t;

/* BookSim2's defaults as used by shared/peers/booksim/configs (4 VCs x 4 flits, 4-stage router,
 * iSLIP, uniform, 1-flit packets, 3 warm-up periods of 10000 cycles, 10 samples max). */
SIP_EXPORT void sip_netsim_config_init(sip_netsim_config_t *cfg);
/* Cycles a head flit spends in one router as the analytic engine counts them (router_cycles of
 * sip_network_options_t): routing + VC allocation + switch allocation + crossbar, with VC and
 * switch allocation counted once when speculative (4 for BookSim2's default iq router, 2 for
 * lookahead + speculative).  netsim's zero-load packet latency is then
 * 1 + L_inj + L_ej + hops x link + routers x router_cycles (+ tail), as in results.md. */
SIP_EXPORT int sip_netsim_config_router_cycles(const sip_netsim_config_t *cfg);
SIP_EXPORT const char *sip_netsim_pattern_name(sip_netsim_pattern_t p);
SIP_EXPORT int sip_netsim_pattern_lookup(const char *name);
/* Apply one BookSim2 "key = value" setting (router, traffic and statistics keys this simulator
 * models; topology keys are ignored here), or sipsim's force_general_router = 0 | 1.  Unknown
 * keys -> EINVAL. */
SIP_EXPORT sip_status_t sip_netsim_config_set(sip_netsim_config_t *cfg, const char *key,
                                              const char *value, sip_error_t *err);
/* Read a BookSim2 config file: fills cfg and builds its network (topology mesh n=2 c=1 with dor,
 * or anynet + min with network_file relative to the config's folder). */
SIP_EXPORT sip_status_t sip_netsim_booksim_read(const char *path, sip_netsim_config_t *cfg,
                                                sip_netsim_net_t **net, sip_error_t *err);

/* ------------------------------------------------------------------------------- results ---- */

typedef enum {
    SIP_NETSIM_OK,                /* converged and drained */
    SIP_NETSIM_UNSTABLE_LATENCY,  /* mean latency exceeded latency_thres */
    SIP_NETSIM_UNSTABLE_NOCONV,   /* no convergence within max_samples periods */
    SIP_NETSIM_RUN_STATUS_COUNT
} sip_netsim_run_status_t;

typedef struct {
    double mean, p50, p99, max;
    int64_t count;
} sip_netsim_latency_t;

typedef struct {
    sip_netsim_run_status_t status;
    double offered;               /* flits/node/cycle */
    double injected;              /* flits/node/cycle during the measurement window */
    double accepted;              /* flits/node/cycle during the measurement window */
    sip_netsim_latency_t packet;  /* creation -> tail ejection (cycles) */
    sip_netsim_latency_t network; /* head enters injection channel -> tail ejection */
    double flit_latency_mean;
    double hops_mean;             /* routers traversed per packet (BookSim "Hops average") */
    int64_t cycles;               /* simulated cycles in total */
    int64_t measure_cycles;       /* length of the measurement window */
    int n_channels;
    double *channel_utilization;  /* [n_channels] flits per cycle / width, measurement window */
    int64_t flit_errors, replayed_flits;
} sip_netsim_result_t;

SIP_EXPORT const char *sip_netsim_run_status_name(sip_netsim_run_status_t s);
SIP_EXPORT void sip_netsim_result_fini(sip_netsim_result_t *res);
/* Sustained = stable and accepted >= 0.95 x offered (shared/peers/booksim/run.sh). */
SIP_EXPORT bool sip_netsim_result_sustained(const sip_netsim_result_t *res);

/* One simulation at cfg->injection_rate.  Same net + cfg (seed included) = same result. */
SIP_EXPORT sip_status_t sip_netsim_run(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                                       sip_netsim_result_t *res, sip_error_t *err);

/* Injection sweep as shared/peers/booksim/run.sh: start, start+step, ... up to the first point not
 * sustained (or max), then the gap before it in `fine` steps.  `progress` (may be NULL) is
 * called after each point.  results: malloc'd array of *n results (free each with _fini). */
typedef void (*sip_netsim_progress_fn)(void *user, const sip_netsim_result_t *point);
typedef struct {
    double start, step, fine, max;
} sip_netsim_sweep_t;
SIP_EXPORT sip_status_t sip_netsim_sweep_run(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                                             const sip_netsim_sweep_t *sweep,
                                             sip_netsim_progress_fn progress, void *user,
                                             sip_netsim_result_t **results, int *n, sip_error_t *err);
/* Saturation throughput of a sweep: the highest offered load that is stable with
 * accepted >= 0.98 x offered (shared/peers/booksim/results.md), 0 if none. */
SIP_EXPORT double sip_netsim_saturation(const sip_netsim_result_t *results, int n);

/* ---------------------------------------------------------------------- BookSim2 export ---- */

/* Write DIR/<stem>.anynet and DIR/<stem>.cfg: the network as a BookSim2 anynet file (per-direction
 * latencies) and a config with every timing parameter of cfg, so that BookSim2 can cross-check
 * this simulator.  Channels wider than one flit cannot be expressed in anynet: they are written
 * with width 1 and a comment in the .cfg says so. */
SIP_EXPORT sip_status_t sip_netsim_export_booksim(const sip_netsim_net_t *net,
                                                  const sip_netsim_config_t *cfg, const char *dir,
                                                  const char *stem, sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
