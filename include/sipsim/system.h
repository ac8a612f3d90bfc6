/* sipsim — systems of packages: boards, nodes and racks of one package type joined by
 * off-package links (PCIe, CXL, Ethernet, proprietary scale-up), their export classification
 * (3A090 per package, the broad "integrated circuit" reading of a board, 4A090 per level) and
 * inference across packages (tensor parallel over the first level's links, pipeline parallel
 * over the rest) showing how a package-to-package bandwidth cap bounds useful cluster size.
 * File format: `sipsim help system`-style comments in src/config/system_load.c; example
 * systems/infer_rack.cfg.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_SYSTEM_H
#define SIPSIM_SYSTEM_H

#include <stdbool.h>

#include "sipsim/config.h"
#include "sipsim/kernels.h"
#include "sipsim/model.h"
#include "sipsim/tpp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIP_SYSTEM_MAX_LEVELS 6
#define SIP_SYSTEM_MAX_CAPS 16
/* Largest package count a system may hold (checked before anything is evaluated). */
#define SIP_SYSTEM_MAX_PACKAGES 1048576

typedef enum {
    SIP_SYSLINK_PCIE, SIP_SYSLINK_CXL, SIP_SYSLINK_ETHERNET, SIP_SYSLINK_SCALEUP, SIP_SYSLINK_COUNT
} sip_syslink_kind_t;
/* How a level's children are joined: each child's links go to one switch, to every other child
 * (links divided among the peers), or to its two ring neighbours. */
typedef enum { SIP_TOPO_SWITCH, SIP_TOPO_ALL_TO_ALL, SIP_TOPO_RING, SIP_TOPO_COUNT } sip_topology_t;

SIP_EXPORT const char *const *sip_syslink_kind_names(void);
SIP_EXPORT const char *const *sip_topology_names(void);
SIP_EXPORT const char *sip_syslink_kind_name(sip_syslink_kind_t kind);
SIP_EXPORT const char *sip_topology_name(sip_topology_t topology);

/* The off-package link of each child of a level: `links` links of `lanes` lanes at rate_gbps
 * per lane and direction. */
typedef struct {
    sip_syslink_kind_t kind;
    int lanes;
    double rate_gbps;
    int links;
    sip_topology_t topology;
    double latency_ns;      /* per hop, one way (switch: child-switch-child = 2 hops) */
    int line;
} sip_system_link_t;

/* GB/s per direction one child can send over its links. */
SIP_EXPORT double sip_system_link_GBps(const sip_system_link_t *link);

typedef struct {
    char name[SIP_NAME_MAX];       /* "board", "node", "rack" */
    char contains[SIP_NAME_MAX];   /* "package" for the first level, else the level below */
    int count;                     /* children per instance of this level */
    sip_system_link_t link;
    int line;
} sip_system_level_t;

typedef struct {
    char name[SIP_NAME_MAX];
    char description[256];
    char path[SIP_PATH_MAX];
    char package_file[SIP_PATH_MAX]; /* as written, relative to the system file */
    int package_line;
    sip_package_t *package;          /* owned, loaded */
    int n_levels;
    sip_system_level_t levels[SIP_SYSTEM_MAX_LEVELS];
    bool datacenter;                 /* the packages' marketing (Note 2 to 3A090); default true */
    sip_workload_t workload;         /* optional: inference across packages (both phases are
                                        studied; `phase` is only checked) */
    int n_caps;                      /* package-to-package bandwidth caps to study, GB/s/dir */
    double caps_GBps[SIP_SYSTEM_MAX_CAPS];
} sip_system_t;

/* Load a system file and the package it names (path relative to the system file; -L dirs in
 * options as for packages).  Errors "path:line: message". */
SIP_EXPORT sip_status_t sip_system_load(const char *path, const sip_load_options_t *options,
                                        sip_system_t **out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_system_load_string(const char *text, const char *path,
                                               const sip_load_options_t *options,
                                               sip_system_t **out, sip_error_t *err);
SIP_EXPORT void sip_system_destroy(sip_system_t *sys);

/* Packages in one instance of level L (L = n_levels - 1: the whole system). */
SIP_EXPORT long sip_system_packages_in(const sip_system_t *sys, int level);

/* One point of the cluster study: tensor parallel over tp packages of the first level (its
 * links, or the studied cap), pipeline parallel over pp groups (the smallest power of two
 * whose share of the weights and KV cache fits). */
typedef struct {
    bool decode;                   /* phase: decode (one token per sequence) or prefill */
    int tp, pp, packages;
    double cap_GBps;               /* per package and direction over the first level's links */
    bool fits;                     /* weights + KV cache fit the packages' HBM (pp = 0: the
                                      model's heads do not split tp ways) */
    double compute_s;              /* per-package step time from the kernel library */
    double comm_s;                 /* tensor-parallel all-reduces and pipeline sends per step */
    double step_s;                 /* compute + comm: the pipeline's beat */
    double latency_s;              /* pp x step_s: one step through every stage (decode: TPOT) */
    double tokens_per_s;           /* steady state, pp batches in flight */
    double compute_share;          /* compute_s / step_s */
} sip_cluster_point_t;

typedef struct {
    bool decode;
    double cap_GBps;
    int first, n;                  /* its points: points[first .. first + n) by ascending tp */
    int useful_tp;                 /* largest tp whose latency still beats half its tp by >= 10 % */
    double best_latency_s;         /* at useful_tp */
} sip_cluster_cap_t;

typedef struct {
    sip_tpp_result_t *package_tpp;   /* owned: the package as the system wires it */
    double package_io_GBps;          /* both directions: io blocks, or the first level's links */
    bool package_io_from_links;      /* the package has no io block: links give its I/O */
    double link_GBps;                /* first level, per package and direction */
    /* Per level: packages, aggregate TPP, 4A090 class per reading. */
    int n_levels;
    struct {
        long packages;
        double tpp;                  /* sum over its packages */
        double io_GBps;              /* per child, both directions, over this level's link */
        const char *class_4a090;     /* "4A090.a", "4A090.b" or "not 4A090" (stricter reading) */
        const char *class_4a090_each;  /* reading: "any of which" package is 3A090 */
        const char *class_4a090_board; /* reading: a board's packages are one "integrated circuit" */
    } levels[SIP_SYSTEM_MAX_LEVELS];
    /* The board (first level) as one integrated circuit (the EAR's broad IC definition,
     * facts.md §2.3 [S21] footnote 4): TPP and PD summed over its packages. */
    sip_tpp_metrics_t board_metrics;
    sip_tpp_class_t board_class_2023;
    /* Inference across packages. */
    bool has_workload;
    sip_model_shape_t shape;
    double package_tokens_per_s;     /* one package alone, if the model fits; else 0 */
    int n_points;
    sip_cluster_point_t *points;     /* owned: every cap x every (tp, pp) */
    int max_tp;                      /* largest tensor-parallel degree studied */
    int n_caps;                      /* caps x both phases, prefill first */
    sip_cluster_cap_t caps[2 * SIP_SYSTEM_MAX_CAPS];
} sip_system_result_t;

SIP_EXPORT sip_status_t sip_system_evaluate(const sip_system_t *sys, sip_system_result_t **out,
                                            sip_error_t *err);
SIP_EXPORT void sip_system_result_destroy(sip_system_result_t *res);

#ifdef __cplusplus
}
#endif
#endif
