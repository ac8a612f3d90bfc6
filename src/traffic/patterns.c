/* Traffic patterns: each one a small ops struct in a const registry; adding a pattern is one
 * function and one row.  Every pattern turns a per-source injection rate (load x injection
 * bandwidth, or load GB/s) into flows between endpoints, so bytes injected = bytes ejected by
 * construction: each source's rate is split into shares that sum to 1.
 * Synthetic patterns follow BookSim2's definitions (peers/booksim results.md "Traffic";
 * booksim2 28f4329 src/traffic.cpp): uniform includes the source itself; transpose swaps the
 * halves of the id bits; bitcomp is ~src & (N-1).
 * A pattern may also have a per-packet form (draw_init / draw): the destination of each packet
 * of a simulation (netsim), drawn so that its average is the demand matrix.  Both forms of a
 * pattern share the functions below, so a name means one thing in both engines.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <limits.h>
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

/* Destination maps shared by the demand matrices and the per-packet draws (n a power of two). */
static int transpose_of(int n, int s)
{
    const int half = log2_exact(n) / 2;
    return ((s >> half) | (s << half)) & (n - 1);
}
static int bitcomp_of(int n, int s) { return ~s & (n - 1); }
/* traffic.cpp BitRevTrafficPattern: the id bits in reverse order. */
static int bitrev_of(int n, int s)
{
    int r = 0;
    for (int m = n; m > 1; m >>= 1) {
        r = (r << 1) | (s & 1);
        s >>= 1;
    }
    return r;
}
/* traffic.cpp ShuffleTrafficPattern: the id bits rotated left by one. */
static int shuffle_of(int n, int s)
{
    int sh = s << 1;
    return (sh & (n - 1)) | ((sh & n) ? 1 : 0);
}

/* Grid maps (k-ary 2-cube numbering, traffic.cpp TornadoTrafficPattern and
 * NeighborTrafficPattern): position (x, y) on a cols x rows grid -> destination position. */
typedef void (*grid_map_fn)(int cols, int rows, int *x, int *y);
/* (ceil(k/2) - 1) steps along every dimension. */
static void tornado_of(int cols, int rows, int *x, int *y)
{
    *x = (*x + (cols + 1) / 2 - 1) % cols;
    *y = (*y + (rows + 1) / 2 - 1) % rows;
}
/* BookSim2's neighbor: one step along every dimension, wrapping: (x + 1) mod k, (y + 1) mod k.
 * Until this registry served netsim too, traffic's `neighbor` meant "the nodes a channel
 * reaches" while netsim's meant this; BookSim2's definition won so that netsim's neighbor runs
 * stay comparable with BookSim2, and the graph pattern is now `adjacent`. */
static void neighbor_of(int cols, int rows, int *x, int *y)
{
    *x = (*x + 1) % cols;
    *y = (*y + 1) % rows;
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
    for (int s = 0; s < n; s++)
        SIP_TRY(sip__demand_push(d, s, transpose_of(n, s), sip__source_GBps(net, p, s), err));
    return SIP_OK;
}

/* Endpoint of node v that endpoint s (local index l) talks to: the same local index, wrapped. */
static int peer_endpoint(const sip_network_t *net, int v, int s)
{
    const sip_net_node_t *node = &net->nodes[v];
    return node->first_endpoint + net->endpoints[s].local % node->n_endpoints;
}

static sip_status_t build_bitcomp(const sip_network_t *net, const sip_pattern_params_t *p,
                                  sip_demand_matrix_t *d, sip_error_t *err)
{
    const int n = net->n_endpoints;
    if (log2_exact(n) < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "bitcomp: %d endpoints (expected a power of two)", n);
    for (int s = 0; s < n; s++)
        SIP_TRY(sip__demand_push(d, s, bitcomp_of(n, s), sip__source_GBps(net, p, s), err));
    return SIP_OK;
}

static sip_status_t build_bitperm(const sip_network_t *net, const sip_pattern_params_t *p, sip_demand_matrix_t *d,
                                  const char *name, int (*map)(int n, int s), sip_error_t *err)
{
    const int n = net->n_endpoints;
    if (log2_exact(n) < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "%s: %d endpoints (expected a power of two)", name, n);
    for (int s = 0; s < n; s++)
        SIP_TRY(sip__demand_push(d, s, map(n, s), sip__source_GBps(net, p, s), err));
    return SIP_OK;
}

static sip_status_t build_bitrev(const sip_network_t *net, const sip_pattern_params_t *p,
                                 sip_demand_matrix_t *d, sip_error_t *err)
{
    return build_bitperm(net, p, d, "bitrev", bitrev_of, err);
}

static sip_status_t build_shuffle(const sip_network_t *net, const sip_pattern_params_t *p,
                                  sip_demand_matrix_t *d, sip_error_t *err)
{
    return build_bitperm(net, p, d, "shuffle", shuffle_of, err);
}

/* A grid map on the nodes' grid positions; each endpoint sends to the endpoint of the same
 * local index on the destination node. */
static sip_status_t build_grid(const sip_network_t *net, const sip_pattern_params_t *p, sip_demand_matrix_t *d,
                               const char *name, grid_map_fn map, sip_error_t *err)
{
    const int cols = net->mesh_cols, rows = net->mesh_rows;
    if (cols < 1 || rows < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "%s: the nodes are not a complete grid (expected a mesh, e.g. mesh:4x4)", name);
    int *grid = malloc((size_t)cols * rows * sizeof *grid);
    if (!grid)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "%s: out of memory", name);
    for (int v = 0; v < net->n_nodes; v++)
        grid[net->nodes[v].y * cols + net->nodes[v].x] = v;
    sip_status_t st = SIP_OK;
    for (int s = 0; s < net->n_endpoints && st == SIP_OK; s++) {
        const sip_net_node_t *u = &net->nodes[net->endpoints[s].node];
        int x = u->x, y = u->y;
        map(cols, rows, &x, &y);
        int v = grid[y * cols + x];
        if (net->nodes[v].n_endpoints > 0)
            st = sip__demand_push(d, s, peer_endpoint(net, v, s), sip__source_GBps(net, p, s), err);
        else
            st = sip_error_set(err, SIP_EINVAL, NULL, 0, "%s: destination node %s has no endpoints", name,
                               net->nodes[v].name);
    }
    free(grid);
    return st;
}

static sip_status_t build_tornado(const sip_network_t *net, const sip_pattern_params_t *p,
                                  sip_demand_matrix_t *d, sip_error_t *err)
{
    return build_grid(net, p, d, "tornado", tornado_of, err);
}

static sip_status_t build_neighbor(const sip_network_t *net, const sip_pattern_params_t *p,
                                   sip_demand_matrix_t *d, sip_error_t *err)
{
    return build_grid(net, p, d, "neighbor", neighbor_of, err);
}

/* Nearest neighbours on the graph: each source splits its rate equally over the distinct nodes
 * its node has a channel to (those with endpoints). */
static sip_status_t build_adjacent(const sip_network_t *net, const sip_pattern_params_t *p,
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

/* ------------------------------------------------------------------ per-packet forms ---- */

static sip_status_t draw_init_any(sip_pattern_draw_t *ctx, sip_error_t *err)
{
    if (ctx->n_endpoints < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "%d endpoints (expected >= 1)", ctx->n_endpoints);
    return SIP_OK;
}

static sip_status_t draw_init_pow2(sip_pattern_draw_t *ctx, sip_error_t *err)
{
    SIP_TRY(draw_init_any(ctx, err));
    if (log2_exact(ctx->n_endpoints) < 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "%d endpoints (expected a power of two)", ctx->n_endpoints);
    return SIP_OK;
}

static sip_status_t draw_init_transpose(sip_pattern_draw_t *ctx, sip_error_t *err)
{
    SIP_TRY(draw_init_pow2(ctx, err));
    if (log2_exact(ctx->n_endpoints) % 2)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "%d endpoints (expected an even power of two, e.g. 64)", ctx->n_endpoints);
    return SIP_OK;
}

static sip_status_t draw_init_grid(sip_pattern_draw_t *ctx, sip_error_t *err)
{
    SIP_TRY(draw_init_any(ctx, err));
    if (ctx->cols < 1 || ctx->rows < 1 || ctx->cols * ctx->rows != ctx->n_endpoints)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "%d endpoints not on a grid (expected a k x k mesh)", ctx->n_endpoints);
    return SIP_OK;
}

static inline int hotspot_weight(const sip_pattern_draw_t *ctx, int i)
{
    return ctx->hotspot_weights ? ctx->hotspot_weights[i] : 1;
}

static sip_status_t draw_init_hotspot(sip_pattern_draw_t *ctx, sip_error_t *err)
{
    SIP_TRY(draw_init_any(ctx, err));
    if (ctx->n_hotspots < 1 || !ctx->hotspots)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "no hotspot given (expected at least one node)");
    int64_t total = 0;
    for (int i = 0; i < ctx->n_hotspots; i++) {
        int w = hotspot_weight(ctx, i);
        if (ctx->hotspots[i] < 0 || ctx->hotspots[i] >= ctx->n_endpoints || w <= 0)
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "hotspot %d: node %d / weight %d out of range (expected node 0..%d, weight >= 1)",
                                 i, ctx->hotspots[i], w, ctx->n_endpoints - 1);
        total += w;
    }
    if (total > INT_MAX)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "hotspot weights sum to %lld (expected at most %d)",
                             (long long)total, INT_MAX);
    ctx->hotspot_total = (int)total;
    return SIP_OK;
}

static int draw_uniform(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)src;
    return (int)(rng(st) % (uint64_t)ctx->n_endpoints);
}

/* traffic.cpp HotSpotTrafficPattern: one draw over the summed weights, hotspots in order. */
static int draw_hotspot(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)src;
    int pick = (int)(rng(st) % (uint64_t)ctx->hotspot_total);
    int i = 0, acc = hotspot_weight(ctx, 0);
    while (pick >= acc)
        acc += hotspot_weight(ctx, ++i);
    return ctx->hotspots[i];
}

static int draw_transpose(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)rng, (void)st;
    return transpose_of(ctx->n_endpoints, src);
}
static int draw_bitcomp(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)rng, (void)st;
    return bitcomp_of(ctx->n_endpoints, src);
}
static int draw_bitrev(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)rng, (void)st;
    return bitrev_of(ctx->n_endpoints, src);
}
static int draw_shuffle(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)rng, (void)st;
    return shuffle_of(ctx->n_endpoints, src);
}

static int draw_grid(const sip_pattern_draw_t *ctx, int src, grid_map_fn map)
{
    int x = src % ctx->cols, y = src / ctx->cols;
    map(ctx->cols, ctx->rows, &x, &y);
    return y * ctx->cols + x;
}
static int draw_tornado(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)rng, (void)st;
    return draw_grid(ctx, src, tornado_of);
}
static int draw_neighbor(const sip_pattern_draw_t *ctx, int src, sip_pattern_rng_fn rng, void *st)
{
    (void)rng, (void)st;
    return draw_grid(ctx, src, neighbor_of);
}

static const sip_pattern_ops_t pattern_registry[] = {
    {"uniform", "each source to every endpoint (itself included) with equal shares", build_uniform,
     draw_init_any, draw_uniform},
    {"hotspot", "each source to the hotspot nodes' endpoints (rest uniform)", build_hotspot, draw_init_hotspot,
     draw_hotspot},
    {"transpose", "endpoint id bit halves swapped: (x,y) -> (y,x) on a mesh", build_transpose,
     draw_init_transpose, draw_transpose},
    {"bitcomp", "endpoint id bits complemented", build_bitcomp, draw_init_pow2, draw_bitcomp},
    {"neighbor", "one step along each dimension of a mesh, wrapping: (x+1, y+1) mod k (BookSim2)", build_neighbor,
     draw_init_grid, draw_neighbor},
    {"alltoall", "each source to every other endpoint with equal shares", build_alltoall, NULL, NULL},
    {"allreduce", "ring all-reduce among compute chiplets: each to its ring successor", build_allreduce, NULL,
     NULL},
    {"explicit", "the package's demand matrix (GB/s between instances) x load", build_explicit, NULL, NULL},
    {"bitrev", "endpoint id bits reversed", build_bitrev, draw_init_pow2, draw_bitrev},
    {"shuffle", "endpoint id bits rotated left by one", build_shuffle, draw_init_pow2, draw_shuffle},
    {"tornado", "(ceil(k/2) - 1) steps along each dimension of a mesh, wrapping (BookSim2)", build_tornado,
     draw_init_grid, draw_tornado},
    {"adjacent", "each source to the nodes its node has a channel to, equal shares", build_adjacent, NULL, NULL},
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
