/* The thermal network: nodes (grid cells of every layer plus lumped nodes), conductances,
 * heat sources, and its sparse Cholesky factorisation (SuiteSparse CHOLMOD).
 *
 * Unknowns are temperature rises above ambient, so the system is G * theta = P with G
 * symmetric positive definite (every node reaches ambient through some path): Cholesky applies,
 * one factorisation serves every power map, and results are exactly linear in power.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermal/thermal_internal.h"

/* HotSpot's tolerance for grid-aligned block edges (util.h DELTA, util.c tolerant_ceil/floor). */
#define HOTSPOT_DELTA 1.0e-6

sip_status_t sip__thermal_model_alloc(int rows, int cols, int n_layers, int n_extra,
                                      sip_thermal_model_t **out, sip_error_t *err)
{
    *out = NULL;
    if (rows < 1 || cols < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "thermal grid %d x %d (expected 1..%d per side)",
                             rows, cols, SIP_THERMAL_MAX_GRID);
    /* Size limit checked before allocation (issue 12). */
    if (rows > SIP_THERMAL_MAX_GRID || cols > SIP_THERMAL_MAX_GRID)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0, "thermal grid %d x %d (expected 1..%d per side)",
                             rows, cols, SIP_THERMAL_MAX_GRID);
    if (n_layers < 1 || n_layers > SIP_THERMAL_MAX_STACK)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0, "%d thermal layers (expected 1..%d)", n_layers,
                             SIP_THERMAL_MAX_STACK);
    sip_thermal_model_t *m = calloc(1, sizeof *m);
    if (!m)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal model)");
    m->rows = rows;
    m->cols = cols;
    m->n_layers = n_layers;
    m->n_extra = n_extra;
    m->n_nodes = n_layers * rows * cols + n_extra;
    m->g_amb = calloc((size_t)m->n_nodes, sizeof *m->g_amb);
    m->cap_edges = 3 * m->n_nodes + 64;
    m->edge_a = malloc((size_t)m->cap_edges * sizeof *m->edge_a);
    m->edge_b = malloc((size_t)m->cap_edges * sizeof *m->edge_b);
    m->edge_g = malloc((size_t)m->cap_edges * sizeof *m->edge_g);
    if (!m->g_amb || !m->edge_a || !m->edge_b || !m->edge_g) {
        sip_thermal_model_destroy(m);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal network of %d nodes)", rows * cols * n_layers);
    }
    *out = m;
    return SIP_OK;
}

void sip_thermal_model_destroy(sip_thermal_model_t *m)
{
    if (!m)
        return;
    sip__thermal_mg_destroy(m->mg);
    if (m->cc_started) {
        cholmod_free_factor(&m->L, &m->cc);
        cholmod_free_factor(&m->Lt, &m->cc);
        cholmod_free_sparse(&m->G, &m->cc);
        cholmod_finish(&m->cc);
    }
    for (int d = 0; m->dies && d < m->n_dies; d++) {
        free(m->dies[d].src_node);
        free(m->dies[d].src_frac);
        free(m->dies[d].cell_node);
        free(m->dies[d].cell_frac);
    }
    free(m->dies);
    free(m->default_power);
    free(m->edge_a);
    free(m->edge_b);
    free(m->edge_g);
    free(m->g_amb);
    free(m->c_j_per_k);
    free(m);
}

sip_status_t sip__thermal_edge_add(sip_thermal_model_t *m, int a, int b, double g, sip_error_t *err)
{
    if (!(g > 0.0) || a == b)
        return SIP_OK; /* no coupling (e.g. a layer without lateral conduction) */
    if (!isfinite(g))
        return sip_error_set(err, SIP_ENUMERIC, NULL, 0, "thermal conductance is not finite (zero thickness or resistance?)");
    if (m->n_edges == m->cap_edges) {
        int cap = 2 * m->cap_edges;
        int *na = realloc(m->edge_a, (size_t)cap * sizeof *na);
        if (na)
            m->edge_a = na;
        int *nb = realloc(m->edge_b, (size_t)cap * sizeof *nb);
        if (nb)
            m->edge_b = nb;
        double *ng = realloc(m->edge_g, (size_t)cap * sizeof *ng);
        if (ng)
            m->edge_g = ng;
        if (!na || !nb || !ng)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal edges)");
        m->cap_edges = cap;
    }
    m->edge_a[m->n_edges] = a;
    m->edge_b[m->n_edges] = b;
    m->edge_g[m->n_edges] = g;
    m->n_edges++;
    return SIP_OK;
}

sip_status_t sip__thermal_add_lateral(sip_thermal_model_t *m, int l, const double *k_cell, sip_error_t *err)
{
    const sip_thermal_layer_t *ly = &m->layers[l];
    if (!ly->lateral)
        return SIP_OK;
    double cw = m->width_mm * 1e-3 / m->cols, ch = m->height_mm * 1e-3 / m->rows;
    double t = ly->thickness_um * 1e-6;
    for (int r = 0; r < m->rows; r++) {
        for (int c = 0; c < m->cols; c++) {
            double k = k_cell ? k_cell[r * m->cols + c] : ly->k_w_per_mk;
            /* HotSpot getr(): rx = cw / (k * ch * t), ry = ch / (k * cw * t); neighbours couple
             * through rx/2 + rx/2 (temperature_grid.c find_res()). */
            if (c + 1 < m->cols) {
                double k2 = k_cell ? k_cell[r * m->cols + c + 1] : ly->k_w_per_mk;
                double R = cw / (2.0 * k * ch * t) + cw / (2.0 * k2 * ch * t);
                /* HotSpot's find_res() couples east-west neighbours through ry and north-south
                 * neighbours through rx (the i/j branches are swapped); identical for square
                 * cells, and reproduced in HotSpot mode only. */
                if (m->hotspot)
                    R = ch / (2.0 * k * cw * t) + ch / (2.0 * k2 * cw * t);
                SIP_TRY(sip__thermal_edge_add(m, sip__thermal_node(m, l, r, c), sip__thermal_node(m, l, r, c + 1), 1.0 / R, err));
            }
            if (r + 1 < m->rows) {
                double k2 = k_cell ? k_cell[(r + 1) * m->cols + c] : ly->k_w_per_mk;
                double R = ch / (2.0 * k * cw * t) + ch / (2.0 * k2 * cw * t);
                if (m->hotspot)
                    R = cw / (2.0 * k * ch * t) + cw / (2.0 * k2 * ch * t);
                SIP_TRY(sip__thermal_edge_add(m, sip__thermal_node(m, l, r, c), sip__thermal_node(m, l, r + 1, c), 1.0 / R, err));
            }
        }
    }
    return SIP_OK;
}

static int tolerant_floor(double v)
{
    double n = floor(v + 0.5);
    return fabs(v - n) < HOTSPOT_DELTA ? (int)n : (int)floor(v);
}

static int tolerant_ceil(double v)
{
    double n = floor(v + 0.5);
    return fabs(v - n) < HOTSPOT_DELTA ? (int)n : (int)ceil(v);
}

static sip_status_t append_pair(int **node, double **val, int *n, int node_v, double v, sip_error_t *err)
{
    int *nn = realloc(*node, (size_t)(*n + 1) * sizeof *nn);
    if (nn)
        *node = nn;
    double *nv = realloc(*val, (size_t)(*n + 1) * sizeof *nv);
    if (nv)
        *val = nv;
    if (!nn || !nv)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (die cells)");
    (*node)[*n] = node_v;
    (*val)[*n] = v;
    (*n)++;
    return SIP_OK;
}

/* fraction >= 0: spread that fraction of the die's power over the rectangle by area (HotSpot's
 * xlate_vector_b2g(): power density times overlap).  fraction < 0: the rectangle is the die's
 * outline and defines the cells it touches (hotspot_touch: HotSpot's set_bgmap() index rule). */
sip_status_t sip__thermal_die_add_rect(sip_thermal_model_t *m, thermal_die_t *die, double x0, double y0,
                                       double x1, double y1, double fraction, bool hotspot_touch,
                                       sip_error_t *err)
{
    double cw = m->width_mm / m->cols, ch = m->height_mm / m->rows;
    double area = (x1 - x0) * (y1 - y0);
    if (!(area > 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "die '%s': empty rectangle", die->name);
    double lx = (x0 - m->x0_mm) / cw, rx = (x1 - m->x0_mm) / cw;
    double by = (y0 - m->y0_mm) / ch, ty = (y1 - m->y0_mm) / ch;
    /* Far outside (or NaN): refuse before the cell indices are converted to int, which overflows
     * for a rectangle many grid widths away (found by fuzz/). */
    bool far = !(lx >= -1.0 && by >= -1.0 && rx <= m->cols + 1.0 && ty <= m->rows + 1.0);
    int c0 = far ? -1 : tolerant_floor(lx), c1 = far ? 0 : tolerant_ceil(rx);
    int r0 = far ? -1 : tolerant_floor(by), r1 = far ? 0 : tolerant_ceil(ty);
    if (c0 < 0 || r0 < 0 || c1 > m->cols || r1 > m->rows)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "die '%s' (%.3f, %.3f)-(%.3f, %.3f) mm lies outside the thermal footprint "
                             "(%.3f, %.3f)-(%.3f, %.3f) mm", die->name, x0, y0, x1, y1, m->x0_mm, m->y0_mm,
                             m->x0_mm + m->width_mm, m->y0_mm + m->height_mm);
    for (int r = r0; r < r1; r++) {
        for (int c = c0; c < c1; c++) {
            double cx0 = m->x0_mm + c * cw, cy0 = m->y0_mm + r * ch;
            double ow = fmin(x1, cx0 + cw) - fmax(x0, cx0);
            double oh = fmin(y1, cy0 + ch) - fmax(y0, cy0);
            /* snap near-empty and near-full overlaps as HotSpot does */
            if (fabs(ow / cw) < HOTSPOT_DELTA)
                ow = 0.0;
            else if (fabs(ow / cw - 1.0) < HOTSPOT_DELTA)
                ow = cw;
            if (fabs(oh / ch) < HOTSPOT_DELTA)
                oh = 0.0;
            else if (fabs(oh / ch - 1.0) < HOTSPOT_DELTA)
                oh = ch;
            double ov = fmax(ow, 0.0) * fmax(oh, 0.0);
            int node = sip__thermal_node(m, die->layer, r, c);
            if (fraction >= 0.0) {
                if (ov > 0.0)
                    SIP_TRY(append_pair(&die->src_node, &die->src_frac, &die->n_src, node, fraction * ov / area, err));
            } else if (hotspot_touch || ov > 0.0) {
                SIP_TRY(append_pair(&die->cell_node, &die->cell_frac, &die->n_cells, node, ov / (cw * ch), err));
            }
        }
    }
    return SIP_OK;
}

/* Assemble the lower triangle of A = G (+ C/dt on the diagonal) and factor it. */
static sip_status_t factor_matrix(sip_thermal_model_t *m, double dt_s, cholmod_factor **out, sip_error_t *err)
{
    cholmod_common *cc = &m->cc;
    size_t nnz = (size_t)m->n_edges + (size_t)m->n_nodes;
    cholmod_triplet *T = cholmod_allocate_triplet((size_t)m->n_nodes, (size_t)m->n_nodes, nnz, -1, CHOLMOD_REAL, cc);
    if (!T)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal matrix, %zu entries)", nnz);
    int *ti = T->i, *tj = T->j;
    double *tx = T->x;
    double *diag = calloc((size_t)m->n_nodes, sizeof *diag);
    if (!diag) {
        cholmod_free_triplet(&T, cc);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal matrix)");
    }
    size_t k = 0;
    for (int e = 0; e < m->n_edges; e++) {
        int a = m->edge_a[e], b = m->edge_b[e];
        double g = m->edge_g[e];
        ti[k] = a > b ? a : b;
        tj[k] = a > b ? b : a;
        tx[k++] = -g;
        diag[a] += g;
        diag[b] += g;
    }
    for (int n = 0; n < m->n_nodes; n++) {
        ti[k] = tj[k] = n;
        tx[k++] = diag[n] + m->g_amb[n] + (dt_s > 0.0 && m->c_j_per_k ? m->c_j_per_k[n] / dt_s : 0.0);
    }
    T->nnz = k;
    free(diag);
    cholmod_sparse *A = cholmod_triplet_to_sparse(T, nnz, cc);
    cholmod_free_triplet(&T, cc);
    if (!A)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal matrix)");
    cholmod_factor *L = cholmod_analyze(A, cc);
    if (L)
        cholmod_factorize(A, L, cc);
    int status = cc->status;
    cholmod_free_sparse(&A, cc);
    if (!L || status != CHOLMOD_OK) {
        cholmod_free_factor(&L, cc);
        return sip_error_set(err, status == CHOLMOD_OUT_OF_MEMORY ? SIP_ENOMEM : SIP_ENUMERIC, NULL, 0,
                             "thermal matrix factorisation failed (CHOLMOD status %d: a node without a path "
                             "to ambient?)", status);
    }
    *out = L;
    return SIP_OK;
}

static void start_cholmod(sip_thermal_model_t *m)
{
    if (!m->cc_started) {
        cholmod_start(&m->cc);
        m->cc_started = true;
        m->cc.print = 0; /* the library never prints */
        /* AMD alone: on these layered 2-D grids METIS/NESDIS trials cost more than they save. */
        m->cc.nmethods = 1;
        m->cc.method[0].ordering = CHOLMOD_AMD;
        m->cc.postorder = 1;
    }
}

sip_status_t sip__thermal_factor(sip_thermal_model_t *m, sip_error_t *err)
{
    start_cholmod(m);
    if (m->L)
        return SIP_OK;
    return factor_matrix(m, 0.0, &m->L, err);
}

static bool use_multigrid(const sip_thermal_model_t *m)
{
    if (m->solver == SIP_THERMAL_SOLVER_AUTO)
        return m->rows * m->cols >= SIP_THERMAL_MG_MIN_CELLS && m->rows >= 8 && m->cols >= 8;
    return m->solver == SIP_THERMAL_SOLVER_MULTIGRID;
}

sip_status_t sip__thermal_solve_raw(sip_thermal_model_t *m, double dt_s, const double *b, double *x, sip_error_t *err)
{
    m->last_iterations = 0;
    if (dt_s <= 0.0 && use_multigrid(m)) {
        start_cholmod(m);
        if (!m->mg)
            SIP_TRY(sip__thermal_mg_create(m, &m->cc, &m->mg, err));
        return sip__thermal_mg_solve(m->mg, m, b, x, &m->last_iterations, err);
    }
    if (dt_s <= 0.0)
        SIP_TRY(sip__thermal_factor(m, err));
    else
        start_cholmod(m);
    cholmod_factor *L = m->L;
    if (dt_s > 0.0) {
        if (!m->c_j_per_k)
            return sip_error_set(err, SIP_EUNSUPPORTED, NULL, 0, "this thermal model has no heat capacities (transient unsupported)");
        if (!m->Lt || m->Lt_dt_s != dt_s) {
            cholmod_free_factor(&m->Lt, &m->cc);
            SIP_TRY(factor_matrix(m, dt_s, &m->Lt, err));
            m->Lt_dt_s = dt_s;
        }
        L = m->Lt;
    }
    cholmod_dense *B = cholmod_allocate_dense((size_t)m->n_nodes, 1, (size_t)m->n_nodes, CHOLMOD_REAL, &m->cc);
    if (!B)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal right-hand side)");
    memcpy(B->x, b, (size_t)m->n_nodes * sizeof *b);
    cholmod_dense *X = cholmod_solve(CHOLMOD_A, L, B, &m->cc);
    cholmod_free_dense(&B, &m->cc);
    if (!X)
        return sip_error_set(err, SIP_ENUMERIC, NULL, 0, "thermal solve failed (CHOLMOD status %d)", m->cc.status);
    memcpy(x, X->x, (size_t)m->n_nodes * sizeof *x);
    cholmod_free_dense(&X, &m->cc);
    return SIP_OK;
}

void sip__thermal_power_vector(const sip_thermal_model_t *m, const double *power_w, double *b)
{
    memset(b, 0, (size_t)m->n_nodes * sizeof *b);
    for (int d = 0; d < m->n_dies; d++) {
        const thermal_die_t *die = &m->dies[d];
        for (int s = 0; s < die->n_src; s++)
            b[die->src_node[s]] += power_w[d] * die->src_frac[s];
    }
}

int sip_thermal_model_n_dies(const sip_thermal_model_t *m) { return m->n_dies; }
const char *sip_thermal_model_die_name(const sip_thermal_model_t *m, int d)
{
    return d >= 0 && d < m->n_dies ? m->dies[d].name : NULL;
}
int sip_thermal_model_n_layers(const sip_thermal_model_t *m) { return m->n_layers; }
const sip_thermal_layer_t *sip_thermal_model_layer(const sip_thermal_model_t *m, int l)
{
    return l >= 0 && l < m->n_layers ? &m->layers[l] : NULL;
}
const double *sip_thermal_model_default_power(const sip_thermal_model_t *m) { return m->default_power; }
int sip_thermal_model_n_nodes(const sip_thermal_model_t *m) { return m->n_nodes; }
void sip_thermal_model_set_power_caps(sip_thermal_model_t *m, bool enabled) { m->skip_power_caps = !enabled; }
void sip_thermal_model_set_solver(sip_thermal_model_t *m, sip_thermal_solver_t solver) { m->solver = solver; }
int sip_thermal_model_last_iterations(const sip_thermal_model_t *m) { return m->last_iterations; }
