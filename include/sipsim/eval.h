/* sipsim — one evaluation of a package: every engine run once, with named defaults, into one
 * result that `sipsim report` renders, a sweep maps to its metrics, each `sipsim ENGINE`
 * prints its part of, and JSON (jansson, in the library) serializes.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Order of the engines (each reads the package as const):
 *   check -> graph -> ucie (every link) -> workload (kernel library, when the package has a
 *   workload section) -> traffic (the package's pattern; "workload" = the workload's D2D demand)
 *   -> thermal (package powers, or the workload's per-die power) -> tpp -> cost (with the
 *   workload's tokens/s for $ per token/s) -> netsim (off by default: the slow detailed path).
 * An engine that cannot evaluate the package leaves its result NULL and its error set (the
 * others still run); only ENOMEM and invalid arguments fail the call.
 */
#ifndef SIPSIM_EVAL_H
#define SIPSIM_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sipsim/check.h"
#include "sipsim/cost.h"
#include "sipsim/graph.h"
#include "sipsim/kernels.h"
#include "sipsim/model.h"
#include "sipsim/netsim.h"
#include "sipsim/thermal.h"
#include "sipsim/tpp.h"
#include "sipsim/traffic.h"
#include "sipsim/ucie.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of one evaluation.  Every default lives in one table (src/eval/options.c), which is
 * also the list of names sip_eval_options_set and the JSON options of sip_evaluate_json accept
 * (`sipsim help eval` prints it). */
typedef struct {
    bool check, graph, ucie, traffic, thermal, tpp, cost;
    bool workload;              /* the package's workload section, when it has one */
    bool netsim;                /* flit-level simulation of the package (slow; default off) */
    char traffic_pattern[SIP_NAME_MAX]; /* "" = the package's traffic.pattern, else uniform */
    sip_routing_t routing;      /* traffic and the workload's D2D routes (default minimal) */
    int curve_points;           /* latency-vs-load points below saturation (default 20) */
    int thermal_grid;           /* cells per side; 0 = the package's or the engine's default */
    bool thermal_power_caps;    /* one extra solve per die (default true) */
    bool thermal_workload_power;/* dies at the workload's power instead of their own (default false) */
    bool tpp_detail;            /* terms, dominance, what-if limits (default true; else metrics
                                   and every rule's class only) */
    bool cost_crossover;        /* the monolithic-vs-chiplet volume crossover study (default true) */
    double netsim_rate;         /* flits/node/cycle offered (default 0.1) */
    uint64_t netsim_seed;       /* default 1 */
} sip_eval_options_t;

/* The defaults of the table. */
SIP_EXPORT sip_eval_options_t sip_eval_options_default(void);
/* Set one option by its table name from text ("true", "0.2", "ecmp"); EINVAL names the option
 * and what was expected, ENOTFOUND an unknown name (with a did-you-mean). */
SIP_EXPORT sip_status_t sip_eval_options_set(sip_eval_options_t *opts, const char *name,
                                             const char *value, sip_error_t *err);
/* The table, for help and bindings: name, type ("bool", "int", "number", "word"), default as
 * text, and a help line.  Returns false past the end. */
typedef struct {
    const char *name, *type, *default_text, *help;
} sip_eval_option_info_t;
SIP_EXPORT int sip_eval_option_count(void);
SIP_EXPORT bool sip_eval_option_info(int index, sip_eval_option_info_t *out);

typedef struct sip_eval_result {
    const sip_package_t *pkg;            /* borrowed: must outlive the result */
    sip_eval_options_t options;          /* the options it ran with */
    sip_check_result_t *check;           /* NULL: see check_error */
    sip_error_t check_error;
    sip_graph_t *graph;                  /* NULL: see graph_error */
    sip_graph_metrics_t *metrics;
    sip_error_t graph_error;
    /* UCIe model, one result per package link (NULL when not run or a link fails). */
    sip_ucie_link_result_t *links;
    sip_error_t ucie_error;
    /* Traffic: the pattern and load over the routing of the options. */
    sip_network_t *net;
    sip_routes_t *routes;
    sip_demand_matrix_t *demand;
    sip_traffic_result_t *traffic;
    char traffic_pattern[SIP_NAME_MAX];
    double *link_load_GBps;              /* per package link: the busier direction */
    double *link_util;                   /* per package link: the busier direction's utilization */
    int n_curve;                         /* latency vs load: fraction of saturation, load, ns */
    double *curve_fraction, *curve_load, *curve_latency_ns;
    sip_error_t traffic_error;
    sip_thermal_result_t *thermal;       /* dies[i] is instance i */
    sip_error_t thermal_error;
    sip_tpp_result_t *tpp;
    sip_error_t tpp_error;
    sip_cost_result_t *cost;
    sip_error_t cost_error;
    sip_workload_result_t *workload;     /* NULL also when the package has no workload */
    sip_error_t workload_error;
    bool netsim_done;                    /* netsim holds a result */
    sip_netsim_result_t netsim;
    sip_error_t netsim_error;
} sip_eval_result_t;

/* Run the engines on pkg (opts NULL = sip_eval_options_default()).  Free with
 * sip_eval_result_destroy. */
SIP_EXPORT sip_status_t sip_evaluate(const sip_package_t *pkg, const sip_eval_options_t *opts,
                                     sip_eval_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_eval_result_destroy(sip_eval_result_t *result);

/* The demand a package's traffic section asks for on net: pattern (NULL = the package's, else
 * uniform) with params; "workload" is the D2D demand of the package's workload at its step rate
 * (workload = its evaluation, or NULL to evaluate it here with `routing`) times params->load
 * (1 = as is).  Every other name is the traffic engine's registry (sip_demand_build). */
SIP_EXPORT sip_status_t sip_package_demand_build(const sip_package_t *pkg, const sip_network_t *net,
                                                 const char *pattern,
                                                 const sip_pattern_params_t *params,
                                                 const sip_workload_result_t *workload,
                                                 sip_routing_t routing, sip_demand_matrix_t **out,
                                                 sip_error_t *err);

/* ---- JSON (jansson, in the library) ----
 * Each writes one JSON document to *json_out (malloc'd; free with sip_free), numbers with 12
 * significant digits, non-finite numbers as null.  `sipsim ENGINE --json` and
 * `sipsim report --json` print exactly these objects. */
SIP_EXPORT sip_status_t sip_ucie_link_results_to_json(const sip_package_t *pkg,
                                                      const sip_ucie_link_result_t *links,
                                                      const double *link_util, char **json_out,
                                                      sip_error_t *err);
SIP_EXPORT sip_status_t sip_traffic_result_to_json(const sip_network_t *net,
                                                   const sip_routes_t *routes,
                                                   const sip_demand_matrix_t *demand,
                                                   const char *pattern,
                                                   const sip_traffic_result_t *result,
                                                   char **json_out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_thermal_result_to_json(const sip_thermal_result_t *result,
                                                   char **json_out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_tpp_result_to_json(const sip_tpp_result_t *result, char **json_out,
                                               sip_error_t *err);
SIP_EXPORT sip_status_t sip_workload_result_to_json(const sip_workload_result_t *result,
                                                    char **json_out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_cost_result_to_json(const sip_cost_result_t *result, char **json_out,
                                                sip_error_t *err);
/* net (may be NULL) adds the per-channel table. */
SIP_EXPORT sip_status_t sip_netsim_result_to_json(const sip_netsim_net_t *net,
                                                  const sip_netsim_result_t *result,
                                                  char **json_out, sip_error_t *err);
/* The whole evaluation: {"package", "instances", "links", "check", "graph", "ucie", "traffic",
 * "thermal", "tpp", "workload", "cost", "netsim"}; an engine that failed is {"error": "path:line:
 * message"}, one not run is null. */
SIP_EXPORT sip_status_t sip_eval_result_to_json(const sip_eval_result_t *result, char **json_out,
                                                sip_error_t *err);

/* For bindings: load a package (path_or_text: a file path, or libconfig text when it contains a
 * newline or '='; its chiplet types and model shapes are then looked up in chiplets/ and models/
 * of the current directory), evaluate it with options_json (NULL or a JSON object of option names from the
 * table, e.g. {"thermal_grid": 32, "routing": "ecmp"}) and return sip_eval_result_to_json's
 * document in *json_out (free with sip_free). */
SIP_EXPORT sip_status_t sip_evaluate_json(const char *path_or_text, const char *options_json,
                                          char **json_out, sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
