/* Thermal engine internals shared by the files of src/thermal (not installed).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIP_THERMAL_INTERNAL_H
#define SIP_THERMAL_INTERNAL_H

#include <suitesparse/cholmod.h>

#include "sipsim/thermal.h"

#define SIP_THERMAL_MAX_STACK (SIP_MAX_LAYERS + 2)

typedef struct sip__thermal_mg sip__thermal_mg_t;

typedef struct {
    char name[SIP_NAME_MAX];
    double x0_mm, y0_mm, x1_mm, y1_mm;
    int layer;
    double default_power_w;
    int n_src;        /* where the die's power goes: node, fraction of the die's power */
    int *src_node;
    double *src_frac;
    int n_cells;      /* cells the die touches: node, overlap area / cell area */
    int *cell_node;
    double *cell_frac;
} thermal_die_t;

struct sip_thermal_model {
    bool hotspot;                   /* HotSpot-compatible network */
    int rows, cols, n_layers, n_extra, n_nodes;
    double x0_mm, y0_mm, width_mm, height_mm;
    sip_thermal_layer_t layers[SIP_THERMAL_MAX_STACK];
    int power_layer;
    double ambient_c, tj_max_c;
    bool skip_power_caps;
    /* conductance network: edges between nodes, and each node's conductance to ambient */
    int n_edges, cap_edges;
    int *edge_a, *edge_b;
    double *edge_g;
    double *g_amb;
    double *c_j_per_k;              /* heat capacity per node; NULL = no transient model */
    int n_dies;
    thermal_die_t *dies;
    double *default_power;
    /* CHOLMOD: G factored once; G + C/dt factored per time step size */
    cholmod_common cc;
    bool cc_started;
    cholmod_sparse *G;
    cholmod_factor *L;
    cholmod_factor *Lt;
    double Lt_dt_s;
    sip_thermal_solver_t solver;
    sip__thermal_mg_t *mg;          /* multigrid hierarchy, built on first use */
    int last_iterations;
};

/* grid.c */
sip_status_t sip__thermal_model_alloc(int rows, int cols, int n_layers, int n_extra,
                                      sip_thermal_model_t **out, sip_error_t *err);
sip_status_t sip__thermal_edge_add(sip_thermal_model_t *m, int a, int b, double g_w_per_k, sip_error_t *err);
static inline int sip__thermal_node(const sip_thermal_model_t *m, int layer, int row, int col)
{
    return (layer * m->rows + row) * m->cols + col;
}
/* Lateral couplings of one layer: k per cell (NULL = the layer's k), HotSpot's rx/2 + rx/2 rule
 * (which is also the finite-volume rule between cell centres). */
sip_status_t sip__thermal_add_lateral(sip_thermal_model_t *m, int layer, const double *k_cell,
                                      sip_error_t *err);
sip_status_t sip__thermal_die_add_rect(sip_thermal_model_t *m, thermal_die_t *die, double x0_mm,
                                       double y0_mm, double x1_mm, double y1_mm, double fraction,
                                       bool hotspot_touch, sip_error_t *err);
sip_status_t sip__thermal_factor(sip_thermal_model_t *m, sip_error_t *err);
/* x = A^-1 b with A = G (dt_s <= 0) or G + C/dt_s; x and b have n_nodes entries. */
sip_status_t sip__thermal_solve_raw(sip_thermal_model_t *m, double dt_s, const double *b, double *x,
                                    sip_error_t *err);
/* Power vector (rise above ambient is the unknown) from die powers. */
void sip__thermal_power_vector(const sip_thermal_model_t *m, const double *power_w, double *b);

/* stack.c: the package's stack and the materials inside its layers (heterogeneous layers, what
 * HotSpot calls -detailed_3D): per layer, what fills it outside the dies (gap_set: the layer is
 * heterogeneous; the die layer's gap is the mould), and each die's own material in the die layer
 * (die_k / die_c per instance, malloc'd).  thermal.layers overrides apply (README, stack.c). */
typedef struct {
    sip_thermal_layer_t gap[SIP_THERMAL_MAX_STACK];
    bool gap_set[SIP_THERMAL_MAX_STACK];
    double *die_k, *die_c;
    bool dies_differ;  /* some die's material is not the die layer's */
} sip__thermal_materials_t;
sip_status_t sip__thermal_stack_materials(const sip_package_t *pkg, sip_thermal_layer_t *layers, int *n_out,
                                          sip__thermal_materials_t *mat, sip_error_t *err);
void sip__thermal_materials_fini(sip__thermal_materials_t *mat);
/* sink-to-ambient resistance (package value or the air default; < 0 = none available) */
double sip__thermal_sink_r_c_per_w(const sip_package_t *pkg);

/* multigrid.c */
sip_status_t sip__thermal_mg_create(const sip_thermal_model_t *m, cholmod_common *cc, sip__thermal_mg_t **out,
                                    sip_error_t *err);
void sip__thermal_mg_destroy(sip__thermal_mg_t *mg);
sip_status_t sip__thermal_mg_solve(sip__thermal_mg_t *mg, const sip_thermal_model_t *m, const double *b, double *x,
                                   int *iterations, sip_error_t *err);

/* analyze.c: result from the rise above ambient theta (n_nodes). */
sip_status_t sip__thermal_result_build(sip_thermal_model_t *m, const double *power_w,
                                       const double *theta, bool caps, sip_thermal_result_t **out,
                                       sip_error_t *err);

#endif
