/* Traffic patterns: each one a small ops struct in a const registry; adding a pattern is one
 * function and one row.  Every pattern turns a per-source injection rate (load x injection
 * bandwidth, or load GB/s) into flows between endpoints, so bytes injected = bytes ejected by
 * construction: each source's rate is split into shares that sum to 1.
 * Synthetic patterns follow BookSim2's definitions (peers/booksim results.md "Traffic"):
 * uniform includes the source itself; transpose swaps the halves of the id bits; bitcomp is
 * ~src & (N-1).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <stdlib.h>
#include <string.h>

/* log2(n) when n is a power of two, else -1. */
static int log2_exact(int n)
{
    int b = 0;
    while ((1 << b) < n)
        b++;
    return (1 << b) == n ? b : -1;
}

static sip_status_t build_uniform(const sip_network_t *net, const sip_pattern_params_t *p,
                                  sip_demand_matrix_t *d, sip_error_t *err)
{
    const int n = net->n_endpoints;
    for (int s = 0; s < n; s++) {
        double share = sip__source_GBps(net, p, s) / n;
        for (int t = 0; t < n; t++)
            SIP_TRY(sip__demand_push(d, s, t, share, err));
    }
    return SIP_OK;
}

static sip_status_t build_alltoall(const sip_network_t *net, const sip_pattern_params_t *p,
                                   sip_demand_matrix_t *d, sip_error_t *err)
{
    const int n = net->n_endpoints;
    if (n < 2)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "alltoall: %d endpoint (expected >= 2)", n);
    for (int s = 0; s < n; s++) {
        double share = sip__source_GBps(net, p, s) / (n - 1);
        for (int t = 0; t < n; t++)
            if (t != s)
                SIP_TRY(sip__demand_push(d, s, t, share, err));
    }
    return SIP_OK;
}

static sip_status_t build_hotspot(const sip_network_t *net, const sip_pattern_params_t *p,
                                  sip_demand_matrix_t *d, sip_error_t *err)
{
    if (p->n_hotspots < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "hotspot: no hotspot given (expected at least one node, e.g. the I/O die)");
    double h = p->hotspot_fraction > 0.0 ? p->hotspot_fraction : 1.0;
    if (h > 1.0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "hotspot: fraction %g (expected 0..1)", h);
    const int n = net->n_endpoints;
    int n_targets = 0;
    bool seen[SIP_TRAFFIC_MAX_HOTSPOTS] = {false};
    for (int i = 0; i < p->n_hotspots; i++) {
        int v = p->hotspots[i];
        if (v < 0 || v >= net->n_nodes || net->nodes[v].n_endpoints < 1)
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "hotspot: node %d (expected a node with endpoints, 0..%d)", v,
                                 net->n_nodes - 1);
        for (int j = 0; j < i; j++)
            seen[i] = seen[i] || p->hotspots[j] == v;
        if (!seen[i])
            n_targets += net->nodes[v].n_endpoints;
    }
    for (int s = 0; s < n; s++) {
        double r = sip__source_GBps(net, p, s);
        for (int i = 0; i < p->n_hotspots; i++) {
            if (seen[i])
                continue;
            const sip_net_node_t *v = &net->nodes[p->hotspots[i]];
            for (int e = 0; e < v->n_endpoints; e++)
                SIP_TRY(sip__demand_push(d, s, v->first_endpoint + e, r * h / n_targets, err));
        }
        if (h < 1.0)
            for (int t = 0; t < n; t++)
                SIP_TRY(sip__demand_push(d, s, t, r * (1.0 - h) / n, err));
    }
    return SIP_OK;
}

static sip_status_t build_transpose(const sip_network_t *net, const sip_pattern_params_t *p,
                                    sip_demand_matrix_t *d, sip_error_t *err)
{
    const int n = net->n_endpoints, bits = log2_exact(n);
    if (bits < 0 || bits % 2)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "transpose: %d endpoints (expected an even power of two, e.g. 64)", n);
    const int half = bits / 2;
    for (int s = 0; s < n; s++)
        SIP_TRY(sip__demand_push(d, s, ((s >> half) | (s << half)) & (n - 1),
                                 sip__source_GBps(net, p, s), err));
    return SIP_OK;
}

static sip_status_t build_bitcomp(const sip_network_t *net, const sip_pattern_params_t *p,
                                  sip_demand_matrix_t *d, sip_error_t *err)
{
    const int n = net->n_endpoints;
    if (log2_exact(n) < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "bitcomp: %d endpoints (expected a power of two)", n);
    for (int s = 0; s < n; s++)
        SIP_TRY(sip__demand_push(d, s, ~s & (n - 1), sip__source_GBps(net, p, s), err));
    return SIP_OK;
}

/* Endpoint of node v that endpoint s (local index l) talks to: the same local index, wrapped. */
static int peer_endpoint(const sip_network_t *net, int v, int s)
{
    const sip_net_node_t *node = &net->nodes[v];
    return node->first_endpoint + net->endpoints[s].local % node->n_endpoints;
}

/* Nearest neighbour on the graph: each source splits its rate equally over the distinct nodes
 * its node has a channel to (those with endpoints). */
static sip_status_t build_neighbor(const sip_network_t *net, const sip_pattern_params_t *p,
                                   sip_demand_matrix_t *d, sip_error_t *err)
{
    sip__adjacency_t adj;
    SIP_TRY(sip__adjacency_build(net, &adj, err));
    sip_status_t st = SIP_OK;
    for (int s = 0; s < net->n_endpoints && st == SIP_OK; s++) {
        int u = net->endpoints[s].node, k = 0, last = -1;
        /* rows are sorted by neighbour id: count distinct neighbours with endpoints */
        for (int i = adj.first[u]; i < adj.first[u + 1]; i++) {
            int v = net->channels[adj.chan[i]].to;
            if (v != last && net->nodes[v].n_endpoints > 0)
                k++;
            last = v;
        }
        last = -1;
        for (int i = adj.first[u]; i < adj.first[u + 1] && st == SIP_OK; i++) {
            int v = net->channels[adj.chan[i]].to;
            if (v != last && net->nodes[v].n_endpoints > 0)
                st = sip__demand_push(d, s, peer_endpoint(net, v, s), sip__source_GBps(net, p, s) / k, err);
            last = v;
        }
    }
    sip__adjacency_fini(&adj);
    return st;
}

/* Ring all-reduce among compute nodes: in steady state every member streams to its successor
 * (reduce-scatter then all-gather both move data one step around the ring).  Ring order is the
 * boustrophedon (snake) order on a grid, so that successors are neighbours, else node order:
 * for a package, its compute dies' grid (net->ring_nodes), for a network built in code, the
 * grid of its nodes. */
static sip_status_t build_allreduce(const sip_network_t *net, const sip_pattern_params_t *p,
                                    sip_demand_matrix_t *d, sip_error_t *err)
{
    int *ring = malloc((size_t)net->n_nodes * sizeof *ring);
    if (!ring)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "allreduce: out of memory");
    int m = 0;
    if (net->ring_nodes) { /* a package's ring order (sip_package_ring_order) */
        for (int k = 0; k < net->n_ring_nodes; k++)
            if (net->nodes[net->ring_nodes[k]].n_endpoints > 0)
                ring[m++] = net->ring_nodes[k];
    } else if (net->mesh_cols > 0) {
        int *grid = malloc((size_t)net->n_nodes * sizeof *grid);
        if (!grid) {
            free(ring);
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "allreduce: out of memory");
        }
        for (int v = 0; v < net->n_nodes; v++)
            grid[net->nodes[v].y * net->mesh_cols + net->nodes[v].x] = v;
        for (int y = 0; y < net->mesh_rows; y++)
            for (int i = 0; i < net->mesh_cols; i++) {
                int v = grid[y * net->mesh_cols + (y % 2 ? net->mesh_cols - 1 - i : i)];
                if (net->nodes[v].kind == SIP_KIND_COMPUTE && net->nodes[v].n_endpoints > 0)
                    ring[m++] = v;
            }
        free(grid);
    } else {
        for (int v = 0; v < net->n_nodes; v++)
            if (net->nodes[v].kind == SIP_KIND_COMPUTE && net->nodes[v].n_endpoints > 0)
                ring[m++] = v;
    }
    sip_status_t st = SIP_OK;
    if (m < 2)
        st = sip_error_set(err, SIP_EINVAL, NULL, 0,
                           "allreduce: %d compute chiplet(s) with endpoints (expected >= 2)", m);
    for (int i = 0; i < m && st == SIP_OK; i++) {
        const sip_net_node_t *u = &net->nodes[ring[i]];
        for (int e = 0; e < u->n_endpoints && st == SIP_OK; e++) {
            int s = u->first_endpoint + e;
            st = sip__demand_push(d, s, peer_endpoint(net, ring[(i + 1) % m], s),
                                  sip__source_GBps(net, p, s), err);
        }
    }
    free(ring);
    return st;
}

/* Explicit matrix: GB/s between package instances (or nodes of a network built in code),
 * multiplied by load and split evenly over the endpoint pairs of the two nodes. */
static sip_status_t build_explicit(const sip_network_t *net, const sip_pattern_params_t *p,
                                   sip_demand_matrix_t *d, sip_error_t *err)
{
    if (p->n_demands < 1 || !p->demands)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "explicit: no demand matrix (expected traffic = { matrix = ( { from; to; GBps; }, ... ); } in the package)");
    for (int i = 0; i < p->n_demands; i++) {
        const sip_demand_t *dm = &p->demands[i];
        int ends[2] = {dm->from_instance, dm->to_instance}, nodes[2];
        for (int k = 0; k < 2; k++) {
            int v = -1;
            if (net->n_instances > 0)
                v = ends[k] >= 0 && ends[k] < net->n_instances ? net->instance_node[ends[k]] : -1;
            else
                v = ends[k] >= 0 && ends[k] < net->n_nodes ? ends[k] : -1;
            if (v < 0 || net->nodes[v].n_endpoints < 1)
                return sip_error_set(err, SIP_EINVAL, NULL, dm->line,
                                     "explicit: demand endpoint %d is not a node with endpoints", ends[k]);
            nodes[k] = v;
        }
        if (!(dm->GBps >= 0.0))
            return sip_error_set(err, SIP_EINVAL, NULL, dm->line, "explicit: demand %g GB/s (expected >= 0)",
                                 dm->GBps);
        const sip_net_node_t *a = &net->nodes[nodes[0]], *b = &net->nodes[nodes[1]];
        double share = dm->GBps * p->load / ((double)a->n_endpoints * b->n_endpoints);
        for (int i1 = 0; i1 < a->n_endpoints; i1++)
            for (int i2 = 0; i2 < b->n_endpoints; i2++)
                SIP_TRY(sip__demand_push(d, a->first_endpoint + i1, b->first_endpoint + i2, share, err));
    }
    return SIP_OK;
}

static const sip_pattern_ops_t pattern_registry[] = {
    {"uniform", "each source to every endpoint (itself included) with equal shares", build_uniform},
    {"hotspot", "each source to the hotspot nodes' endpoints (rest uniform)", build_hotspot},
    {"transpose", "endpoint id bit halves swapped: (x,y) -> (y,x) on a mesh", build_transpose},
    {"bitcomp", "endpoint id bits complemented", build_bitcomp},
    {"neighbor", "each source to the nodes its node has a channel to, equal shares", build_neighbor},
    {"alltoall", "each source to every other endpoint with equal shares", build_alltoall},
    {"allreduce", "ring all-reduce among compute chiplets: each to its ring successor", build_allreduce},
    {"explicit", "the package's demand matrix (GB/s between instances) x load", build_explicit},
};

int sip_pattern_count(void)
{
    return (int)(sizeof pattern_registry / sizeof pattern_registry[0]);
}

const sip_pattern_ops_t *sip_pattern_get(int index)
{
    return index >= 0 && index < sip_pattern_count() ? &pattern_registry[index] : NULL;
}

const sip_pattern_ops_t *sip_pattern_find(const char *name)
{
    for (int i = 0; i < sip_pattern_count(); i++)
        if (strcmp(pattern_registry[i].name, name) == 0)
            return &pattern_registry[i];
    return NULL;
}
