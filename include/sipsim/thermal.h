/* sipsim — thermal budget: floorplan -> power map -> finite-volume grid -> temperatures.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thermal model is built once (geometry, layer stack, conductance matrix, sparse Cholesky
 * factor) and then solved for any number of power maps: steady state by one forward/backward
 * substitution, transients by backward-Euler steps with a second factor.  Two flavours:
 *
 *  - native: from a composed package.  The grid covers the substrate; the layer stack comes from
 *    the substrate kind (defaults with sources in src/thermal/stack.c, overridable through
 *    `thermal.layers`); dies and the mould between them share the die layer cell by cell, and
 *    any layer may be heterogeneous (a die's own material, `gap:<layer>`); nodes
 *    sit at layer mid-planes; the sink-to-ambient resistance is spread over the top face by area.
 *  - HotSpot: reproduces HotSpot 7's grid model (commit f18831e) for HotSpot inputs (.flp,
 *    .ptrace, .lcf, config options), including its 12 lumped spreader/sink periphery nodes, its
 *    vertical-resistance convention (shared/peers/hotspot/results.md §2, §5) and -detailed_3D
 *    (per-unit materials of each layer's floorplan).
 *
 * Temperatures are degrees Celsius; the grid's row 0 is the south (lowest y) row.
 */
#ifndef SIPSIM_THERMAL_H
#define SIPSIM_THERMAL_H

#include <stdbool.h>
#include <stdio.h>

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIP_THERMAL_DEFAULT_GRID 64 /* HotSpot's default grid_rows/grid_cols */
#define SIP_THERMAL_MAX_GRID 1024

/* One layer of the stack, bottom (board side) first. */
typedef struct {
    char name[SIP_NAME_MAX];
    double thickness_um;
    double k_w_per_mk;
    double heat_capacity_j_per_m3k;
    bool lateral;    /* false: no lateral conduction (HotSpot's "N" flag) */
    bool has_power;  /* dies dissipate in this layer */
} sip_thermal_layer_t;

/* Steady-state solver: sparse Cholesky (CHOLMOD: factor once, each further power map is one
 * substitution) or conjugate gradients with a multigrid preconditioner (O(n) per power map; the
 * faster one-shot solve on fine grids).  Both agree to far below 1e-6 K; transients always use
 * CHOLMOD.  AUTO picks multigrid from SIP_THERMAL_MG_MIN_CELLS cells per layer up. */
typedef enum { SIP_THERMAL_SOLVER_AUTO, SIP_THERMAL_SOLVER_CHOLMOD, SIP_THERMAL_SOLVER_MULTIGRID } sip_thermal_solver_t;
#define SIP_THERMAL_MG_MIN_CELLS 1024

typedef struct {
    int grid_rows, grid_cols;       /* 0 = package's thermal.grid, else SIP_THERMAL_DEFAULT_GRID */
    double secondary_r_c_per_w;     /* bottom (board) path to ambient, spread by area; <= 0 = off */
    bool skip_power_caps;           /* power caps cost one extra solve per die */
    sip_thermal_solver_t solver;
} sip_thermal_options_t;

/* A die (native: an instance; HotSpot mode: a unit of a power layer's floorplan). */
typedef struct {
    char name[SIP_NAME_MAX];
    double x0_mm, y0_mm, x1_mm, y1_mm;
    int layer;
    double power_w;
    double t_max_c;          /* hottest cell the die touches */
    double t_avg_c;          /* overlap-area-weighted mean */
    double t_avg_touched_c;  /* plain mean of every touched cell (HotSpot's block temperature) */
    double headroom_c;       /* tj_max - t_max */
    double power_cap_w;      /* largest power of this die alone, others unchanged, with every die
                                at or below tj_max (0 if already over; < 0 = not computed) */
} sip_thermal_die_t;

typedef struct {
    int rows, cols, n_layers;
    double x0_mm, y0_mm, width_mm, height_mm; /* grid footprint */
    int power_layer;                 /* first layer with power (maps and hotspot refer to it) */
    double *t_c;                     /* n_layers * rows * cols, index (l * rows + r) * cols + c */
    int n_extra;                     /* lumped nodes (HotSpot periphery) */
    double *extra_t_c;
    int n_dies;
    sip_thermal_die_t *dies;
    double ambient_c, tj_max_c;
    double t_max_c;                  /* hottest die cell */
    double hot_x_mm, hot_y_mm;
    int hot_die;
    double headroom_c;
    double power_in_w, heat_out_w;   /* heat out = sum over ambient conductances */
    double budget_scale;             /* power-map scale at which the hottest die reaches tj_max;
                                        < 0 = unbounded (no power) */
    double budget_power_w;           /* budget_scale * power_in_w */
} sip_thermal_result_t;

typedef struct sip_thermal_model sip_thermal_model_t;

/* ---- models ---- */
SIP_EXPORT sip_status_t sip_thermal_model_create(const sip_package_t *pkg,
                                                 const sip_thermal_options_t *options,
                                                 sip_thermal_model_t **out, sip_error_t *err);
SIP_EXPORT void sip_thermal_model_destroy(sip_thermal_model_t *model);
SIP_EXPORT int sip_thermal_model_n_dies(const sip_thermal_model_t *model);
SIP_EXPORT const char *sip_thermal_model_die_name(const sip_thermal_model_t *model, int die);
SIP_EXPORT int sip_thermal_model_n_layers(const sip_thermal_model_t *model);
SIP_EXPORT const sip_thermal_layer_t *sip_thermal_model_layer(const sip_thermal_model_t *model, int layer);
/* The model's own die powers (package powers, or the HotSpot trace's average). */
SIP_EXPORT const double *sip_thermal_model_default_power(const sip_thermal_model_t *model);
SIP_EXPORT int sip_thermal_model_n_nodes(const sip_thermal_model_t *model);
/* Power caps cost one solve per die; HotSpot-mode models start with them on, like native ones. */
SIP_EXPORT void sip_thermal_model_set_power_caps(sip_thermal_model_t *model, bool enabled);
SIP_EXPORT void sip_thermal_model_set_solver(sip_thermal_model_t *model, sip_thermal_solver_t solver);
/* Iterations of the last multigrid-preconditioned CG solve (0 after a CHOLMOD solve). */
SIP_EXPORT int sip_thermal_model_last_iterations(const sip_thermal_model_t *model);

/* Default layer stack of a package (after thermal.layers overrides); n_out <= SIP_MAX_LAYERS. */
SIP_EXPORT sip_status_t sip_thermal_stack(const sip_package_t *pkg, sip_thermal_layer_t *layers,
                                          int *n_out, sip_error_t *err);

/* ---- steady state ---- */
/* power_w: one entry per die (NULL = the model's default powers). */
SIP_EXPORT sip_status_t sip_thermal_solve(sip_thermal_model_t *model, const double *power_w,
                                          sip_thermal_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_thermal_result_destroy(sip_thermal_result_t *result);

/* ---- transient (backward Euler) ---- */
/* trace: n_steps rows of n_dies powers, each held for dt_s.  Starts from the steady state of
 * the first row when from_steady, else from ambient.  die_t_max_c (n_steps * n_dies, may be
 * NULL) receives each die's maximum after every step; *final_out (may be NULL) the last state. */
SIP_EXPORT sip_status_t sip_thermal_transient(sip_thermal_model_t *model, const double *trace_w,
                                              int n_steps, double dt_s, bool from_steady,
                                              double *die_t_max_c,
                                              sip_thermal_result_t **final_out, sip_error_t *err);

/* ---- HotSpot compatibility ---- */
/* A HotSpot case: `config` is a HotSpot config file (may be NULL = HotSpot's code defaults),
 * `opts` further "-name value" options (argv style, later wins: case.opts, command line);
 * relative file names (-f, -p, -grid_layer_file and the .lcf's floorplans) are taken from dir.
 * grid_rows/grid_cols override -grid_rows/-grid_cols when > 0. */
SIP_EXPORT sip_status_t sip_thermal_model_create_hotspot(const char *dir, const char *config,
                                                         const char *const *opts, int n_opts,
                                                         int grid_rows, int grid_cols,
                                                         sip_thermal_model_t **out, sip_error_t *err);
/* Write die.flp, power.ptrace, stack.lcf (+ one .flp per layer, each unit with its material),
 * hotspot.config, case.opts, case_detailed.opts (-detailed_3D on, so HotSpot reads the
 * materials) and NOTE for a package into dir (which must exist), so HotSpot can be run on it. */
SIP_EXPORT sip_status_t sip_thermal_export_hotspot(const sip_package_t *pkg,
                                                   const sip_thermal_options_t *options,
                                                   const char *dir, sip_error_t *err);

/* Read a HotSpot power trace: names (n_names) and rows (n_rows x n_names), malloc'd. */
SIP_EXPORT sip_status_t sip_thermal_read_ptrace(const char *path, char (**names)[SIP_NAME_MAX],
                                                int *n_names, double **rows, int *n_rows,
                                                sip_error_t *err);

/* ---- maps ---- */
/* CSV of one layer (layer < 0 = power layer): header then x_mm,y_mm,t_c per cell. */
SIP_EXPORT sip_status_t sip_thermal_write_csv(const sip_thermal_result_t *result, int layer,
                                              FILE *out, sip_error_t *err);
/* SVG heat map of the power layer with die outlines, names and the hotspot marked. */
SIP_EXPORT sip_status_t sip_thermal_write_svg(const sip_thermal_result_t *result, FILE *out,
                                              sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
