/* sipsim — yield and cost per package: dies per wafer, negative-binomial die yield, wafer cost
 * per node, known-good-die test, interposer / bridge / substrate cost and yield, bonding yield,
 * chip-first vs chip-last assembly, NRE amortised over volume and shared by every package that
 * reuses a chiplet type; the same logic area as one monolithic die and the chiplet/monolithic
 * crossover area.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model is Chiplet Actuary (Y. Feng, K. Ma, "Chiplet Actuary: A Quantitative Cost Model and
 * Multi-Chiplet Architecture Exploration", DAC 2022, arXiv:2203.12268; parameters from its
 * published parameter.ini), with the known-good-die test step of CATCH (A. Graening et al.,
 * arXiv:2503.15753).  Every default is in src/cost/params.c with its source.
 */
#ifndef SIPSIM_COST_H
#define SIPSIM_COST_H

#include <stdbool.h>

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One process node of the wafer table. */
typedef struct {
    int node_nm;
    double defect_density_per_cm2;
    double wafer_cost_usd;        /* 300 mm wafer */
    double nre_usd_300mm2;        /* design NRE of a 300 mm2 die, first tape-out included */
} sip_node_cost_t;

SIP_EXPORT int sip_cost_node_count(void);
SIP_EXPORT const sip_node_cost_t *sip_cost_node_at(int index);
/* The table row nearest to process_nm on a log scale (4 -> 5, 6 -> 7, 16 -> 14); NULL if <= 0. */
SIP_EXPORT const sip_node_cost_t *sip_cost_node(int process_nm);

typedef struct {
    /* wafer and die */
    double wafer_diameter_mm;
    double scribe_mm;
    double edge_loss_mm;
    double clustering_alpha;           /* negative-binomial cluster parameter of logic dies */
    double defect_density_per_cm2;     /* > 0 overrides the node table for every logic die */
    double wafer_cost_usd;             /* > 0 overrides the node table for every logic die */
    double reticle_mm2;                /* largest die one exposure field prints */
    /* known-good-die test (every die is tested before assembly) */
    double test_usd_per_second;
    double test_seconds_per_die;
    double test_coverage;              /* fraction of defective dies the test catches */
    /* bumps */
    double c4_usd_per_mm2;             /* per mm2 of die on an organic substrate */
    double ubump_usd_per_mm2;          /* per mm2 of die on an interposer or bridge */
    /* organic substrate */
    double os_usd_per_mm2;
    double os_bonding_yield;           /* per die on organic; interposer-to-substrate attach */
    double os_area_scale;              /* substrate area / die (or interposer) area */
    double os_nre_usd_per_mm2, os_nre_usd_fixed;
    /* silicon interposer (and the silicon of bridges) */
    int interposer_node_nm;            /* wafer cost row used for interposer silicon */
    double interposer_defect_density_per_cm2;
    double interposer_clustering_alpha;
    double interposer_bonding_yield;   /* per die, micro-bump */
    double interposer_area_scale;      /* interposer area / die area when the floorplan has none */
    double interposer_nre_usd_per_mm2, interposer_nre_usd_fixed;
    /* UCIe PHY geometry used for bridge size and D2D overhead (facts.md §1.2) */
    double phy_advanced_width_mm, phy_advanced_depth_mm;
    double phy_standard_width_mm, phy_standard_depth_mm;
    /* volume and assembly */
    bool chip_first;                   /* dies placed before the interposer / RDL is built */
    double volume_units;               /* 0 = do not amortise NRE */
    double nre_usd;                    /* > 0 replaces the modelled NRE of a package */
    double memory_stack_usd;           /* price of one bought memory die (HBM); 0 = not costed */
    /* Skip the chiplet/monolithic crossover search (~260 split studies, most of an evaluation's
     * time): crossover_area_mm2 is then NAN.  Sweeps set it (issue 9); default false. */
    bool skip_crossover;
    /* ---- added for issue 18 (params.c has the sources) ---- */
    bool node_extrapolation;           /* process_nm outside the table: nearest row, flagged */
    double memory_usd_per_gb;          /* bought memory price per GB of capacity (memory_stack_usd
                                        * > 0 replaces it with a price per stack) */
    double memory_stack_yield;         /* a stack's yield before the vendor's known-good-stack
                                        * test; with test_coverage it gives the escape yield */
    double assembly_usd_per_die_organic;   /* pick-and-place + C4 bonding per die */
    double assembly_usd_per_die_ubump;     /* pick-and-place + micro-bump bonding per die */
    double package_test_seconds;       /* final test of each assembled package */
    double burn_in_hours, burn_in_usd_per_hour; /* per package; 0 h = no burn-in */
    double stitch_yield;               /* yield of one reticle-stitch boundary of an interposer */
    /* The site the package is costed at ("" = none: the defaults above) and what it reports. */
    char site[SIP_NAME_MAX];
    char site_region[SIP_NAME_MAX];
    double site_capacity_units_per_month; /* 0 = not given */
    double site_lead_time_weeks;
} sip_cost_params_t;

/* Defaults (src/cost/params.c, each with its source). */
SIP_EXPORT void sip_cost_params_init(sip_cost_params_t *params);
/* Apply a package's `cost` section (volume, assembly, NRE, process overrides; its site, when
 * it names one, through sip_cost_params_apply_site). */
SIP_EXPORT void sip_cost_params_apply_spec(sip_cost_params_t *params, const sip_cost_spec_t *spec);
/* Apply an assembly/test site: its nonzero numbers replace the defaults, its name, region,
 * capacity and lead time are recorded. */
SIP_EXPORT void sip_cost_params_apply_site(sip_cost_params_t *params, const sip_cost_site_t *site);
/* The site called `name` in a package's catalogue (cost.site files), NULL if none. */
SIP_EXPORT const sip_cost_site_t *sip_cost_site_find(const sip_cost_spec_t *spec, const char *name);
/* Exposure fields an interposer of area_mm2 needs: ceil(area / reticle), at least 1. */
SIP_EXPORT int sip_cost_reticle_fields(const sip_cost_params_t *params, double area_mm2);
/* Is process_nm inside the node table's range (3..55 nm)? */
SIP_EXPORT bool sip_cost_node_in_table(int process_nm);

/* ---- formulas (exposed so tests and sweeps can use them) ---- */
/* Gross die sites on a wafer (Chiplet Actuary): pi (d/2 - e)^2 / A - pi (d - 2e) / sqrt(2 A),
 * A = (w + scribe)(h + scribe); continuous, not floored. */
SIP_EXPORT double sip_cost_dies_per_wafer(const sip_cost_params_t *params, double width_mm,
                                          double height_mm);
/* Negative-binomial yield (1 + D0 A / alpha)^-alpha, D0 per cm2, A in mm2. */
SIP_EXPORT double sip_cost_yield(double area_mm2, double defect_density_per_cm2, double alpha);
/* Design NRE of a die: NRE_300 x (0.8 A / 300 + 0.2) (Chiplet Actuary: module 0.5 and chip 0.3
 * scale with area, 0.2 fixed). */
SIP_EXPORT double sip_cost_die_nre(const sip_node_cost_t *node, double area_mm2);

/* One chiplet type as built. */
typedef struct {
    int type;                 /* index into package->types */
    char name[SIP_NAME_MAX];
    int count;                /* instances in this package */
    int node_nm;              /* cost-table node used; 0 = bought part */
    double area_mm2;
    double dies_per_wafer;
    double yield;             /* die yield before test */
    double pass_fraction;     /* dies that pass the KGD test */
    double escape_yield;      /* probability a passed die is good */
    double raw_usd;           /* wafer cost / dies per wafer */
    double test_usd;          /* test cost per passed die */
    double kgd_usd;           /* cost of one passed die, test included */
    double nre_usd;           /* design NRE of the type */
    double nre_per_unit_usd;  /* NRE per die, amortised over every package that uses the type */
    /* ---- added for issue 18 ---- */
    int requested_node_nm;    /* the type's process_nm (node_nm is the table row costed) */
    bool node_extrapolated;   /* requested node outside the table, costed as its nearest row */
    double capacity_gb;       /* bought memory: capacity of one die (stack) */
} sip_cost_die_t;

typedef struct {
    /* recurring cost per good package, by cause */
    double dies_usd;            /* raw silicon of the dies in the package */
    double die_defects_usd;     /* dies thrown away at test, per die kept */
    double test_usd;            /* KGD test */
    double bumps_usd;
    double memory_usd;          /* bought memory dies */
    double interposer_usd;      /* interposer or bridges, bumps included */
    double substrate_usd;
    double package_defects_usd; /* interposers/substrates scrapped by assembly failures */
    double wasted_dies_usd;     /* good dies scrapped by assembly failures and test escapes */
    double recurring_usd;       /* sum of the above */
    double nre_per_unit_usd;
    double total_usd;           /* recurring + NRE per unit */
    /* yields */
    double interposer_yield;    /* interposer or all bridges together */
    double bonding_yield;       /* all die bonds and the substrate attach */
    double escape_yield;        /* no test escape among the dies */
    double assembly_yield;      /* good packages per assembled package */
    /* areas */
    double logic_area_mm2;
    double interposer_mm2;      /* interposer, or total bridge silicon */
    double substrate_mm2;
    int n_bridges;
    /* ---- added for issue 18 (all inside recurring_usd) ---- */
    double assembly_usd;        /* pick-and-place + bonding of every die, per good package */
    double package_test_usd;    /* final test of every assembled package, per good package */
    double burn_in_usd;         /* burn-in of every good package */
    double memory_escape_yield; /* no bad bought stack among the memory dies (known-good-stack) */
    int interposer_fields;      /* reticle fields the interposer is stitched from (1 = none) */
    double stitch_yield;        /* yield of its stitch boundaries together */
} sip_cost_breakdown_t;

typedef struct {
    sip_cost_params_t params;
    sip_cost_breakdown_t package;
    double nre_chips_usd, nre_package_usd, nre_total_usd;
    double tpp;                 /* package TPP (sip_tpp_metrics, default reading) */
    double usd_per_tpp;         /* total_usd / TPP; 0 if no compute */
    /* Throughput of the package's workload (kernel library: sip_workload_result_t.tokens_per_s
     * of its phase), set by sip_cost_set_throughput; NAN = not given. */
    double tokens_per_s;
    double usd_per_tokens_per_s; /* total_usd / tokens_per_s: dollars per token/s of capacity */
    /* the same logic as one die on the most advanced logic node, same memory and substrate */
    double mono_area_mm2;       /* logic area minus the D2D PHYs of die-to-die links */
    double d2d_phy_mm2;
    int mono_node_nm;
    double mono_yield;
    bool mono_exceeds_reticle;
    sip_cost_breakdown_t mono;
    /* split of logic area A into n_split equal chiplets vs one die (same node and substrate):
     * the smallest A at which the chiplets are cheaper; NAN = not in 10..5000 mm2 */
    int n_split;
    double crossover_area_mm2;
    int n_dies;
    sip_cost_die_t *dies;       /* owned, one per chiplet type used */
    /* ---- added for issue 18 ---- */
    double months_to_volume;    /* volume / site capacity; NAN without both */
} sip_cost_result_t;

/* Cost of one package (params NULL = defaults + the package's `cost` section). */
SIP_EXPORT sip_status_t sip_cost_evaluate(const sip_package_t *pkg, const sip_cost_params_t *params,
                                          sip_cost_result_t **out, sip_error_t *err);
/* Several packages sold together: a chiplet type (same name) used by several packages shares
 * its design NRE over all their dies.  params NULL = for each package the defaults plus its
 * `cost` section, else params[i] for package i; volumes (may be NULL): volumes[i] > 0 overrides
 * package i's volume.  out[i] are filled (free each with sip_cost_result_destroy). */
SIP_EXPORT sip_status_t sip_cost_evaluate_portfolio(const sip_package_t *const *pkgs,
                                                    const double *volumes, int n,
                                                    const sip_cost_params_t *params,
                                                    sip_cost_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_cost_result_destroy(sip_cost_result_t *result);
/* Cost per unit of throughput: sets tokens_per_s and usd_per_tokens_per_s (NAN unless
 * tokens_per_s > 0).  The cost engine does not run the workload itself (sweeps cost thousands
 * of variants without one); callers pass the kernel library's figure for the package. */
SIP_EXPORT void sip_cost_set_throughput(sip_cost_result_t *result, double tokens_per_s);

/* Abstract study without a package: logic area A as `n_split` equal chiplets (each plus
 * `d2d_mm2` of die-to-die PHY) against one die, on `node_nm`, over `substrate`.  Returns the
 * recurring cost per good package of each. */
SIP_EXPORT void sip_cost_split_study(const sip_cost_params_t *params, int node_nm,
                                     sip_substrate_kind_t substrate, double area_mm2, int n_split,
                                     double d2d_mm2, double *chiplets_usd, double *mono_usd);
/* Smallest area in [lo, hi] mm2 where the chiplets become cheaper; NAN if none. */
SIP_EXPORT double sip_cost_crossover_area(const sip_cost_params_t *params, int node_nm,
                                          sip_substrate_kind_t substrate, int n_split,
                                          double d2d_mm2, double lo_mm2, double hi_mm2);

#ifdef __cplusplus
}
#endif
#endif
