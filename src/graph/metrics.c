/* Graph metrics on igraph: paths, diameter, betweenness, articulation points, bridges.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only file that includes <igraph.h>.  igraph 0.10.2 on Debian is built without thread
 * safety (IGRAPH_THREAD_SAFE 0: its error handler, warning handler and cleanup stack are
 * process globals) and its default error handler aborts.  So every entry here takes one
 * process-wide lock, installs our handlers, and restores the caller's before unlocking.
 * The lock and the reason buffer it guards are the only statics in the library.
 */
#include <igraph.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"

static pthread_mutex_t igraph_lock = PTHREAD_MUTEX_INITIALIZER;
static char igraph_reason[256]; /* first non-empty reason of the current call; under the lock */

static void keep_reason(const char *reason, const char *file, int line, igraph_error_t code)
{
    (void)file;
    (void)line;
    if (!igraph_reason[0] && reason && reason[0])
        snprintf(igraph_reason, sizeof igraph_reason, "%s (%s)", reason, igraph_strerror(code));
    IGRAPH_FINALLY_FREE();
}

static void drop_warning(const char *reason, const char *file, int line)
{
    (void)reason;
    (void)file;
    (void)line;
}

typedef struct {
    igraph_error_handler_t *error;
    igraph_warning_handler_t *warning;
} handlers_t;

static handlers_t enter(void)
{
    pthread_mutex_lock(&igraph_lock);
    igraph_reason[0] = '\0';
    handlers_t h = {igraph_set_error_handler(keep_reason), igraph_set_warning_handler(drop_warning)};
    return h;
}

static void leave(handlers_t h)
{
    igraph_set_error_handler(h.error);
    igraph_set_warning_handler(h.warning);
    pthread_mutex_unlock(&igraph_lock);
}

static sip_status_t fail(const sip_graph_t *g, igraph_error_t code, const char *what,
                         sip_error_t *err)
{
    return sip_error_set(err, code == IGRAPH_ENOMEM ? SIP_ENOMEM : SIP_EINTERNAL, g->path, 0,
                         "igraph failed computing %s: %s", what,
                         igraph_reason[0] ? igraph_reason : igraph_strerror(code));
}

const char *sip_bisection_method_name(sip_bisection_method_t method)
{
    static const char *const names[] = {"none", "exact", "kernighan-lin"};
    return (unsigned)method < SIP_BISECTION_METHOD_COUNT ? names[method] : "?";
}

void sip_graph_metrics_destroy(sip_graph_metrics_t *metrics)
{
    if (!metrics)
        return;
    free(metrics->bisection_side);
    free(metrics->edge_betweenness);
    free(metrics->articulation_points);
    free(metrics->bridges);
    free(metrics);
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Copy an igraph index vector into a sorted malloc'd int array. */
static int *sorted_ints(const igraph_vector_int_t *v, int *count)
{
    igraph_integer_t n = igraph_vector_int_size(v);
    int *out = malloc((size_t)(n ? n : 1) * sizeof *out);
    if (!out)
        return NULL;
    for (igraph_integer_t i = 0; i < n; i++)
        out[i] = (int)VECTOR(*v)[i];
    qsort(out, (size_t)n, sizeof *out, int_cmp);
    *count = (int)n;
    return out;
}

static double finite_or_zero(igraph_real_t x)
{
    return isfinite(x) ? (double)x : 0.0;
}

sip_status_t sip_graph_metrics_compute(const sip_graph_t *g, sip_graph_metrics_t **out,
                                       sip_error_t *err)
{
    *out = NULL;
    sip_graph_metrics_t *m = calloc(1, sizeof *m);
    size_t nv = (size_t)g->n_vertices, ne = (size_t)g->n_edges;
    if (m) {
        m->bisection_side = calloc(nv ? nv : 1, sizeof *m->bisection_side);
        m->edge_betweenness = calloc(ne ? ne : 1, sizeof *m->edge_betweenness);
    }
    if (!m || !m->bisection_side || !m->edge_betweenness) {
        sip_graph_metrics_destroy(m);
        return sip_error_set(err, SIP_ENOMEM, g->path, 0, "cannot allocate graph metrics");
    }
    m->n_vertices = g->n_vertices;
    m->n_edges = g->n_edges;

    sip_status_t st = sip__graph_bisection(g, m->bisection_side, &m->bisection_GBps,
                                           &m->bisection_method);
    if (st != SIP_OK) {
        sip_graph_metrics_destroy(m);
        return sip_error_set(err, st, g->path, 0, "cannot allocate bisection search");
    }
    for (int k = 0; k < g->n_edges; k++)
        m->bisection_links += m->bisection_side[g->edges[k].from] != m->bisection_side[g->edges[k].to];

    handlers_t h = enter();
    igraph_t ig;
    bool have_graph = false, have_ends = false, have_ap = false, have_br = false;
    bool have_weights = false, have_betweenness = false;
    igraph_vector_int_t ends, ap, br;
    igraph_vector_t weights, betweenness;
    igraph_error_t rc = IGRAPH_SUCCESS;
    const char *what = "the graph";
    igraph_integer_t n_comp = 0;
    igraph_real_t diam = 0, diam_ns = 0, avg = 0, avg_ns = 0;

    if ((rc = igraph_vector_int_init(&ends, 2 * (igraph_integer_t)ne)) != IGRAPH_SUCCESS)
        goto out;
    have_ends = true;
    if ((rc = igraph_vector_int_init(&ap, 0)) != IGRAPH_SUCCESS)
        goto out;
    have_ap = true;
    if ((rc = igraph_vector_int_init(&br, 0)) != IGRAPH_SUCCESS)
        goto out;
    have_br = true;
    if ((rc = igraph_vector_init(&weights, (igraph_integer_t)ne)) != IGRAPH_SUCCESS)
        goto out;
    have_weights = true;
    if ((rc = igraph_vector_init(&betweenness, 0)) != IGRAPH_SUCCESS)
        goto out;
    have_betweenness = true;
    for (size_t k = 0; k < ne; k++) {
        VECTOR(ends)[2 * k] = g->edges[k].from;
        VECTOR(ends)[2 * k + 1] = g->edges[k].to;
        VECTOR(weights)[k] = g->edges[k].latency_ns;
    }
    if ((rc = igraph_create(&ig, &ends, (igraph_integer_t)nv, IGRAPH_UNDIRECTED)) != IGRAPH_SUCCESS)
        goto out;
    have_graph = true;
    what = "components";
    if ((rc = igraph_connected_components(&ig, NULL, NULL, &n_comp, IGRAPH_WEAK)) != IGRAPH_SUCCESS)
        goto out;
    what = "the diameter";
    if (nv >= 2) {
        if ((rc = igraph_diameter(&ig, &diam, NULL, NULL, NULL, NULL, false, true)) != IGRAPH_SUCCESS)
            goto out;
        if ((rc = igraph_diameter_dijkstra(&ig, &weights, &diam_ns, NULL, NULL, NULL, NULL, false,
                                           true)) != IGRAPH_SUCCESS)
            goto out;
        what = "the average shortest path";
        if ((rc = igraph_average_path_length(&ig, &avg, NULL, false, true)) != IGRAPH_SUCCESS)
            goto out;
        if ((rc = igraph_average_path_length_dijkstra(&ig, &avg_ns, NULL, &weights, false,
                                                      true)) != IGRAPH_SUCCESS)
            goto out;
    }
    what = "edge betweenness";
    if ((rc = igraph_edge_betweenness(&ig, &betweenness, false, NULL)) != IGRAPH_SUCCESS)
        goto out;
    what = "articulation points";
    if ((rc = igraph_articulation_points(&ig, &ap)) != IGRAPH_SUCCESS)
        goto out;
    what = "bridges";
    if ((rc = igraph_bridges(&ig, &br)) != IGRAPH_SUCCESS)
        goto out;

    m->n_components = (int)n_comp;
    m->diameter_hops = (int)finite_or_zero(diam);
    m->diameter_ns = finite_or_zero(diam_ns);
    m->avg_path_hops = finite_or_zero(avg);
    m->avg_path_ns = finite_or_zero(avg_ns);
    for (size_t k = 0; k < ne; k++)
        m->edge_betweenness[k] = VECTOR(betweenness)[k];
    m->articulation_points = sorted_ints(&ap, &m->n_articulation_points);
    m->bridges = sorted_ints(&br, &m->n_bridges);
    if (!m->articulation_points || !m->bridges)
        rc = IGRAPH_ENOMEM;
out:
    if (rc != IGRAPH_SUCCESS)
        st = fail(g, rc, what, err);
    if (have_graph)
        igraph_destroy(&ig);
    if (have_ends)
        igraph_vector_int_destroy(&ends);
    if (have_ap)
        igraph_vector_int_destroy(&ap);
    if (have_br)
        igraph_vector_int_destroy(&br);
    if (have_weights)
        igraph_vector_destroy(&weights);
    if (have_betweenness)
        igraph_vector_destroy(&betweenness);
    leave(h);
    if (st != SIP_OK) {
        sip_graph_metrics_destroy(m);
        return st;
    }
    *out = m;
    return SIP_OK;
}
