/* Steady and transient solves and what a package architect reads off them: junction
 * temperatures per die, hotspot, headroom, heat balance, thermal budget and power caps.
 * The budget and the caps are exact because the model is linear in power (superposition).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "thermal/thermal_internal.h"

void sip_thermal_result_destroy(sip_thermal_result_t *r)
{
    if (!r)
        return;
    free(r->t_c);
    free(r->extra_t_c);
    free(r->dies);
    free(r);
}

static void cell_centre(const sip_thermal_model_t *m, int node, double *x, double *y)
{
    int in_layer = node % (m->rows * m->cols);
    int r = in_layer / m->cols, c = in_layer % m->cols;
    *x = m->x0_mm + (c + 0.5) * m->width_mm / m->cols;
    *y = m->y0_mm + (r + 0.5) * m->height_mm / m->rows;
}

/* Power caps: die d's response per watt u = G^-1 e_d; every die cell c must keep
 * T(c) + (cap - P_d) u(c) <= tj_max. */
static sip_status_t power_caps(sip_thermal_model_t *m, const double *power_w, const double *theta,
                               sip_thermal_result_t *res, sip_error_t *err)
{
    sip_status_t st = SIP_OK;
    double *unit = calloc((size_t)m->n_dies, sizeof *unit);
    double *b = malloc((size_t)m->n_nodes * sizeof *b);
    double *u = malloc((size_t)m->n_nodes * sizeof *u);
    if (!unit || !b || !u) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (power caps)");
        goto out;
    }
    for (int d = 0; d < m->n_dies; d++) {
        res->dies[d].power_cap_w = -1.0;
        if (m->dies[d].n_src == 0)
            continue;
        unit[d] = 1.0;
        sip__thermal_power_vector(m, unit, b);
        unit[d] = 0.0;
        st = sip__thermal_solve_raw(m, 0.0, b, u, err);
        if (st != SIP_OK)
            goto out;
        double extra = DBL_MAX;
        for (int e = 0; e < m->n_dies; e++) {
            const thermal_die_t *de = &m->dies[e];
            for (int k = 0; k < de->n_cells; k++) {
                int n = de->cell_node[k];
                if (u[n] > 0.0)
                    extra = fmin(extra, (m->tj_max_c - m->ambient_c - theta[n]) / u[n]);
            }
        }
        res->dies[d].power_cap_w = extra == DBL_MAX ? -1.0 : fmax(0.0, power_w[d] + extra);
    }
out:
    free(unit);
    free(b);
    free(u);
    return st;
}

sip_status_t sip__thermal_result_build(sip_thermal_model_t *m, const double *power_w, const double *theta,
                                       bool caps, sip_thermal_result_t **out, sip_error_t *err)
{
    *out = NULL;
    size_t ngrid = (size_t)m->n_layers * m->rows * m->cols;
    sip_thermal_result_t *r = calloc(1, sizeof *r);
    if (!r)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal result)");
    r->t_c = malloc(ngrid * sizeof *r->t_c);
    r->extra_t_c = calloc((size_t)m->n_extra + 1, sizeof *r->extra_t_c);
    r->dies = calloc((size_t)m->n_dies + 1, sizeof *r->dies);
    if (!r->t_c || !r->extra_t_c || !r->dies) {
        sip_thermal_result_destroy(r);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal result)");
    }
    r->rows = m->rows;
    r->cols = m->cols;
    r->n_layers = m->n_layers;
    r->x0_mm = m->x0_mm;
    r->y0_mm = m->y0_mm;
    r->width_mm = m->width_mm;
    r->height_mm = m->height_mm;
    r->power_layer = m->power_layer;
    r->ambient_c = m->ambient_c;
    r->tj_max_c = m->tj_max_c;
    for (size_t i = 0; i < ngrid; i++)
        r->t_c[i] = m->ambient_c + theta[i];
    r->n_extra = m->n_extra;
    for (int i = 0; i < m->n_extra; i++)
        r->extra_t_c[i] = m->ambient_c + theta[ngrid + (size_t)i];
    for (int n = 0; n < m->n_nodes; n++)
        r->heat_out_w += m->g_amb[n] * theta[n];

    r->n_dies = m->n_dies;
    double theta_max = -DBL_MAX;
    int hot_node = -1;
    r->hot_die = -1;
    for (int d = 0; d < m->n_dies; d++) {
        const thermal_die_t *die = &m->dies[d];
        sip_thermal_die_t *o = &r->dies[d];
        memcpy(o->name, die->name, sizeof o->name);
        o->x0_mm = die->x0_mm;
        o->y0_mm = die->y0_mm;
        o->x1_mm = die->x1_mm;
        o->y1_mm = die->y1_mm;
        o->layer = die->layer;
        o->power_w = power_w[d];
        o->power_cap_w = -1.0;
        r->power_in_w += power_w[d];
        double tmax = -DBL_MAX, wsum = 0.0, wt = 0.0, tsum = 0.0;
        int node_max = -1;
        for (int k = 0; k < die->n_cells; k++) {
            double t = theta[die->cell_node[k]];
            if (t > tmax) {
                tmax = t;
                node_max = die->cell_node[k];
            }
            wsum += die->cell_frac[k];
            wt += die->cell_frac[k] * t;
            tsum += t;
        }
        if (die->n_cells == 0)
            tmax = 0.0;
        o->t_max_c = m->ambient_c + tmax;
        o->t_avg_c = m->ambient_c + (wsum > 0.0 ? wt / wsum : 0.0);
        o->t_avg_touched_c = m->ambient_c + (die->n_cells ? tsum / die->n_cells : 0.0);
        o->headroom_c = m->tj_max_c - o->t_max_c;
        if (node_max >= 0 && tmax > theta_max) {
            theta_max = tmax;
            hot_node = node_max;
            r->hot_die = d;
        }
    }
    if (hot_node >= 0) {
        r->t_max_c = m->ambient_c + theta_max;
        cell_centre(m, hot_node, &r->hot_x_mm, &r->hot_y_mm);
    } else {
        r->t_max_c = m->ambient_c;
    }
    r->headroom_c = m->tj_max_c - r->t_max_c;
    if (theta_max > 0.0) {
        r->budget_scale = (m->tj_max_c - m->ambient_c) / theta_max;
        r->budget_power_w = r->budget_scale * r->power_in_w;
    } else {
        r->budget_scale = -1.0;
        r->budget_power_w = -1.0;
    }
    if (caps) {
        sip_status_t st = power_caps(m, power_w, theta, r, err);
        if (st != SIP_OK) {
            sip_thermal_result_destroy(r);
            return st;
        }
    }
    *out = r;
    return SIP_OK;
}

sip_status_t sip_thermal_solve(sip_thermal_model_t *m, const double *power_w, sip_thermal_result_t **out,
                               sip_error_t *err)
{
    *out = NULL;
    if (!power_w)
        power_w = m->default_power;
    for (int d = 0; d < m->n_dies; d++)
        if (!(power_w[d] >= 0.0) || !isfinite(power_w[d]))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "die '%s': power %g W (expected >= 0)", m->dies[d].name, power_w[d]);
    double *b = malloc((size_t)m->n_nodes * sizeof *b);
    double *theta = malloc((size_t)m->n_nodes * sizeof *theta);
    sip_status_t st = SIP_OK;
    if (!b || !theta) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (thermal solve)");
        goto out;
    }
    sip__thermal_power_vector(m, power_w, b);
    st = sip__thermal_solve_raw(m, 0.0, b, theta, err);
    /* Never answer NaN or infinity as a temperature (issue 12). */
    for (int i = 0; st == SIP_OK && i < m->n_nodes; i++)
        if (!isfinite(theta[i]))
            st = sip_error_set(err, SIP_ENUMERIC, NULL, 0, "thermal: node %d temperature is not finite "
                               "(expected positive conductances in the layer stack and cooling)", i);
    if (st == SIP_OK)
        st = sip__thermal_result_build(m, power_w, theta, !m->skip_power_caps, out, err);
    /* Energy balance: the heat leaving through the ambient paths is the power put in.  A solve
     * that breaks it (an ill-conditioned stack such as a 3.55e6 m spreader, found by fuzz/) is
     * not an answer (issue 12). */
    if (st == SIP_OK && !(fabs((*out)->power_in_w - (*out)->heat_out_w) <= 1e-6 * (*out)->power_in_w + 1e-9)) {
        st = sip_error_set(err, SIP_ENUMERIC, NULL, 0, "thermal: %.6g W in but %.6g W out (expected equal: "
                           "the layer stack or cooling parameters make the grid ill-conditioned)",
                           (*out)->power_in_w, (*out)->heat_out_w);
        sip_thermal_result_destroy(*out);
        *out = NULL;
    }
out:
    free(b);
    free(theta);
    return st;
}

sip_status_t sip_thermal_transient(sip_thermal_model_t *m, const double *trace_w, int n_steps, double dt_s,
                                   bool from_steady, double *die_t_max_c, sip_thermal_result_t **final_out,
                                   sip_error_t *err)
{
    if (final_out)
        *final_out = NULL;
    if (n_steps < 1 || !(dt_s > 0.0) || !isfinite(dt_s))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "transient: %d steps of %g s (expected >= 1 step, dt > 0)", n_steps, dt_s);
    for (long i = 0; i < (long)n_steps * m->n_dies; i++)
        if (!(trace_w[i] >= 0.0) || !isfinite(trace_w[i]))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "transient: step %ld die '%s': power %g W (expected >= 0)",
                                 i / m->n_dies, m->dies[i % m->n_dies].name, trace_w[i]);
    size_t n = (size_t)m->n_nodes;
    double *b = malloc(n * sizeof *b), *theta = calloc(n, sizeof *theta), *next = malloc(n * sizeof *next);
    sip_status_t st = SIP_OK;
    if (!b || !theta || !next) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (transient)");
        goto out;
    }
    if (!m->c_j_per_k) {
        st = sip_error_set(err, SIP_EUNSUPPORTED, NULL, 0, "this thermal model has no heat capacities (transient unsupported)");
        goto out;
    }
    if (from_steady) {
        sip__thermal_power_vector(m, trace_w, b);
        if ((st = sip__thermal_solve_raw(m, 0.0, b, theta, err)) != SIP_OK)
            goto out;
    }
    /* Backward Euler: (G + C/dt) theta_{n+1} = C/dt theta_n + P_{n+1}; unconditionally stable. */
    for (int s = 0; s < n_steps; s++) {
        const double *p = trace_w + (size_t)s * m->n_dies;
        sip__thermal_power_vector(m, p, b);
        for (size_t i = 0; i < n; i++)
            b[i] += m->c_j_per_k[i] / dt_s * theta[i];
        if ((st = sip__thermal_solve_raw(m, dt_s, b, next, err)) != SIP_OK)
            goto out;
        double *t = theta;
        theta = next;
        next = t;
        if (die_t_max_c) {
            for (int d = 0; d < m->n_dies; d++) {
                double mx = 0.0;
                for (int k = 0; k < m->dies[d].n_cells; k++)
                    mx = k == 0 ? theta[m->dies[d].cell_node[k]] : fmax(mx, theta[m->dies[d].cell_node[k]]);
                die_t_max_c[(size_t)s * m->n_dies + d] = m->ambient_c + mx;
            }
        }
    }
    if (final_out)
        st = sip__thermal_result_build(m, trace_w + (size_t)(n_steps - 1) * m->n_dies, theta, false, final_out, err);
out:
    free(b);
    free(theta);
    free(next);
    return st;
}
