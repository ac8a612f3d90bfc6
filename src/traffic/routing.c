/* Routing on a network: minimal-latency (deterministic), ECMP, dimension order, up*-down*.
 * Every algorithm is a row of a const registry; all produce the same sip_routes_t, which the
 * analytic engine and the flit simulator both read.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- adjacency --------------------------------------------------------------------------- */

void sip__adjacency_fini(sip__adjacency_t *adj)
{
    free(adj->first);
    free(adj->chan);
    free(adj->in_first);
    free(adj->in_chan);
    memset(adj, 0, sizeof *adj);
}

/* Counting sort by node, then insertion sort by (neighbour, channel) within each row: rows are
 * short (node degree), and this keeps the library free of global state (no qsort context). */
static void fill_rows(const sip_network_t *net, bool out, int *first, int *chan)
{
    const int n = net->n_nodes, m = net->n_channels;
    memset(first, 0, (size_t)(n + 1) * sizeof *first);
    for (int c = 0; c < m; c++)
        first[(out ? net->channels[c].from : net->channels[c].to) + 1]++;
    for (int u = 0; u < n; u++)
        first[u + 1] += first[u];
    for (int c = 0; c < m; c++) {
        int u = out ? net->channels[c].from : net->channels[c].to;
        int pos = first[u];
        /* find the next free slot of row u: rows are filled in channel order */
        while (chan[pos] >= 0)
            pos++;
        chan[pos] = c;
    }
    for (int u = 0; u < n; u++) {
        for (int i = first[u] + 1; i < first[u + 1]; i++) {
            int c = chan[i], j = i - 1;
            int key = out ? net->channels[c].to : net->channels[c].from;
            while (j >= first[u]) {
                int o = chan[j];
                int ok = out ? net->channels[o].to : net->channels[o].from;
                if (ok < key || (ok == key && o < c))
                    break;
                chan[j + 1] = o;
                j--;
            }
            chan[j + 1] = c;
        }
    }
}

sip_status_t sip__adjacency_build(const sip_network_t *net, sip__adjacency_t *adj, sip_error_t *err)
{
    memset(adj, 0, sizeof *adj);
    const int n = net->n_nodes, m = net->n_channels;
    adj->first = malloc((size_t)(n + 1) * sizeof *adj->first);
    adj->in_first = malloc((size_t)(n + 1) * sizeof *adj->in_first);
    adj->chan = malloc((size_t)(m > 0 ? m : 1) * sizeof *adj->chan);
    adj->in_chan = malloc((size_t)(m > 0 ? m : 1) * sizeof *adj->in_chan);
    if (!adj->first || !adj->in_first || !adj->chan || !adj->in_chan) {
        sip__adjacency_fini(adj);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
    }
    for (int c = 0; c < m; c++)
        adj->chan[c] = adj->in_chan[c] = -1;
    fill_rows(net, true, adj->first, adj->chan);
    fill_rows(net, false, adj->in_first, adj->in_chan);
    return SIP_OK;
}

/* ---- names ------------------------------------------------------------------------------- */

static const char *const routing_names[] = {"minimal", "ecmp", "dor", "updown"};

const char *sip_routing_name(sip_routing_t algorithm)
{
    return (unsigned)algorithm < SIP_ROUTING_COUNT ? routing_names[algorithm] : "?";
}

int sip_routing_lookup(const char *name)
{
    return sip_enum_lookup(routing_names, SIP_ROUTING_COUNT, name);
}

/* ---- route table under construction ------------------------------------------------------ */

typedef struct {
    sip_routes_t *r;
    int cap_paths, cap_hops;
} builder_t;

static sip_status_t add_path(builder_t *b, const int *chans, int n, double weight, sip_error_t *err)
{
    sip_routes_t *r = b->r;
    if (r->n_paths + 1 > b->cap_paths) {
        int nc = b->cap_paths ? b->cap_paths * 2 : 256;
        void *p = realloc(r->paths, (size_t)nc * sizeof *r->paths);
        if (!p)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
        r->paths = p;
        b->cap_paths = nc;
    }
    if (r->n_hops + n > b->cap_hops) {
        int nc = b->cap_hops ? b->cap_hops : 1024;
        while (nc < r->n_hops + n)
            nc *= 2;
        void *p = realloc(r->hops, (size_t)nc * sizeof *r->hops);
        if (!p)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
        r->hops = p;
        b->cap_hops = nc;
    }
    sip_path_t *path = &r->paths[r->n_paths++];
    path->first_hop = r->n_hops;
    path->n_hops = n;
    path->weight = weight;
    if (n > 0) /* r->hops may still be NULL while only empty (s == d) paths exist */
        memcpy(r->hops + r->n_hops, chans, (size_t)n * sizeof *chans);
    r->n_hops += n;
    return SIP_OK;
}

/* ---- shortest paths with phases ------------------------------------------------------------
 * A state is (node, phase).  Minimal routing has one phase.  Up*-down* has two: phase 0 may
 * still take "up" channels, phase 1 has taken a "down" channel and may only go down.  For each
 * destination a reverse Dijkstra gives dist[(v,p)] = cheapest (latency, hops) to the
 * destination; paths are then read forward hop by hop, so every route is consistent with a
 * per-router destination table (BookSim anynet `min`: ties -> lowest next-hop router id). */

typedef struct {
    double ns;
    int hops;
} cost_t;

/* Latencies compare equal within a relative 1e-9: sums of the same delays in another order
 * must not break ties differently. */
static int cost_cmp(cost_t a, cost_t b)
{
    double tol = 1e-9 * fmax(1.0, fmax(fabs(a.ns), fabs(b.ns)));
    if (a.ns < b.ns - tol)
        return -1;
    if (a.ns > b.ns + tol)
        return 1;
    return (a.hops > b.hops) - (a.hops < b.hops);
}

typedef struct {
    const sip_network_t *net;
    sip__adjacency_t adj;
    int phases;
    unsigned char *up; /* per channel: 1 = up (towards the root) */
    cost_t *dist;      /* [d][v*phases + p] */
    /* heap scratch */
    int *heap_state;
    cost_t *heap_cost;
    int heap_n, heap_cap;
} sp_t;

/* Next phase after taking channel c in phase p, or -1 when not allowed. */
static inline int step_phase(const sp_t *sp, int c, int p)
{
    if (sp->phases == 1)
        return 0;
    if (sp->up[c])
        return p == 0 ? 0 : -1;
    return 1;
}

static bool heap_less(cost_t a, cost_t b)
{
    return a.ns < b.ns || (a.ns == b.ns && a.hops < b.hops);
}

static void heap_push(sp_t *sp, int state, cost_t c)
{
    int i = sp->heap_n++;
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!heap_less(c, sp->heap_cost[parent]))
            break;
        sp->heap_cost[i] = sp->heap_cost[parent];
        sp->heap_state[i] = sp->heap_state[parent];
        i = parent;
    }
    sp->heap_cost[i] = c;
    sp->heap_state[i] = state;
}

static int heap_pop(sp_t *sp, cost_t *c)
{
    int top = sp->heap_state[0];
    *c = sp->heap_cost[0];
    int n = --sp->heap_n;
    cost_t lc = sp->heap_cost[n];
    int ls = sp->heap_state[n];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        cost_t mc = lc;
        if (l < n && heap_less(sp->heap_cost[l], mc)) {
            m = l;
            mc = sp->heap_cost[l];
        }
        if (r < n && heap_less(sp->heap_cost[r], mc))
            m = r;
        if (m == i)
            break;
        sp->heap_cost[i] = sp->heap_cost[m];
        sp->heap_state[i] = sp->heap_state[m];
        i = m;
    }
    if (n > 0) {
        sp->heap_cost[i] = lc;
        sp->heap_state[i] = ls;
    }
    return top;
}

static void reverse_dijkstra(sp_t *sp, int d)
{
    const int n = sp->net->n_nodes, P = sp->phases;
    cost_t *dist = sp->dist + (size_t)d * n * P;
    for (int s = 0; s < n * P; s++) {
        dist[s].ns = INFINITY;
        dist[s].hops = INT_MAX;
    }
    sp->heap_n = 0;
    for (int p = 0; p < P; p++) {
        dist[d * P + p] = (cost_t){0.0, 0};
        heap_push(sp, d * P + p, dist[d * P + p]);
    }
    while (sp->heap_n > 0) {
        cost_t c;
        int st = heap_pop(sp, &c);
        if (heap_less(dist[st], c))
            continue; /* stale entry */
        int v = st / P, pv = st % P;
        for (int i = sp->adj.in_first[v]; i < sp->adj.in_first[v + 1]; i++) {
            int ch = sp->adj.in_chan[i];
            int u = sp->net->channels[ch].from;
            for (int pu = 0; pu < P; pu++) {
                if (step_phase(sp, ch, pu) != pv)
                    continue;
                cost_t nc = {c.ns + sip__channel_cost_ns(sp->net, ch), c.hops + 1};
                if (heap_less(nc, dist[u * P + pu])) {
                    dist[u * P + pu] = nc;
                    heap_push(sp, u * P + pu, nc);
                }
            }
        }
    }
}

static void sp_fini(sp_t *sp)
{
    sip__adjacency_fini(&sp->adj);
    free(sp->up);
    free(sp->dist);
    free(sp->heap_state);
    free(sp->heap_cost);
}

static sip_status_t sp_init(sp_t *sp, const sip_network_t *net, int phases, sip_error_t *err)
{
    memset(sp, 0, sizeof *sp);
    sp->net = net;
    sp->phases = phases;
    SIP_TRY(sip__adjacency_build(net, &sp->adj, err));
    const size_t n = (size_t)net->n_nodes;
    /* Each relaxation pushes at most once per (channel, phase) plus the seeds. */
    sp->heap_cap = net->n_channels * phases * phases + net->n_nodes * phases + phases;
    sp->up = calloc((size_t)net->n_channels + 1, 1);
    sp->dist = malloc(n * n * (size_t)phases * sizeof *sp->dist);
    sp->heap_state = malloc((size_t)sp->heap_cap * sizeof *sp->heap_state);
    sp->heap_cost = malloc((size_t)sp->heap_cap * sizeof *sp->heap_cost);
    if (!sp->up || !sp->dist || !sp->heap_state || !sp->heap_cost) {
        sp_fini(sp);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
    }
    return SIP_OK;
}

/* Enumerate the equal-cost paths from state (u,p) to d (ECMP: every router splits equally
 * over its best next hops; single: only the first, i.e. lowest next-hop id). */
typedef struct {
    sp_t *sp;
    builder_t *b;
    int s, d;
    bool ecmp;
    int max_paths;
    int n_found;
    int *stack;
    int *next_first, *next_count, *next_chan; /* next-hop table of the current destination */
    sip_error_t *err;
} walk_t;

/* Best next channels of every state (u,p) towards the current destination, computed once per
 * destination so that the walks only follow the table. */
static sip_status_t next_hop_table(walk_t *w)
{
    sp_t *sp = w->sp;
    const int n = sp->net->n_nodes, P = sp->phases;
    const cost_t *dist = sp->dist + (size_t)w->d * n * P;
    int k = 0;
    for (int u = 0; u < n; u++)
        for (int p = 0; p < P; p++) {
            const int st = u * P + p;
            w->next_first[st] = k;
            if (u == w->d || isinf(dist[st].ns)) {
                w->next_count[st] = 0;
                continue;
            }
            cost_t best = {INFINITY, INT_MAX};
            int n_best = 0;
            for (int i = sp->adj.first[u]; i < sp->adj.first[u + 1]; i++) {
                int ch = sp->adj.chan[i];
                int q = step_phase(sp, ch, p);
                if (q < 0)
                    continue;
                cost_t rest = dist[sp->net->channels[ch].to * P + q];
                if (isinf(rest.ns))
                    continue;
                cost_t c = {rest.ns + sip__channel_cost_ns(sp->net, ch), rest.hops + 1};
                int cmp = n_best ? cost_cmp(c, best) : -1;
                if (cmp < 0) {
                    best = c;
                    n_best = 0;
                    k = w->next_first[st];
                }
                if (cmp <= 0 && (w->ecmp || n_best == 0)) {
                    w->next_chan[k++] = ch;
                    n_best++;
                }
            }
            w->next_count[st] = n_best;
        }
    return SIP_OK;
}

/* Enumerate the paths from state (u,p) to the destination through the next-hop table. */
static sip_status_t walk(walk_t *w, int u, int p, int depth, double weight)
{
    sp_t *sp = w->sp;
    const int n = sp->net->n_nodes, P = sp->phases;
    for (;;) {
        if (u == w->d) {
            if (++w->n_found > w->max_paths)
                return sip_error_set(w->err, SIP_ELIMIT, NULL, 0,
                                     "routing: more than %d equal-cost paths from %s to %s "
                                     "(expected fewer; raise max_paths or use dor/minimal)",
                                     w->max_paths, sp->net->nodes[w->s].name,
                                     sp->net->nodes[w->d].name);
            return add_path(w->b, w->stack, depth, weight, w->err);
        }
        if (depth > n * P)
            return sip_error_set(w->err, SIP_EINTERNAL, NULL, 0, "routing: path longer than %d hops",
                                 n * P);
        const int st = u * P + p, cnt = w->next_count[st];
        const int *next = w->next_chan + w->next_first[st];
        if (cnt == 0)
            return sip_error_set(w->err, SIP_EINVAL, NULL, 0, "routing: no route from %s to %s",
                                 sp->net->nodes[w->s].name, sp->net->nodes[w->d].name);
        if (cnt == 1) { /* the common case: follow without recursion */
            w->stack[depth++] = next[0];
            p = step_phase(sp, next[0], p);
            u = sp->net->channels[next[0]].to;
            continue;
        }
        for (int i = 0; i < cnt; i++) {
            w->stack[depth] = next[i];
            SIP_TRY(walk(w, sp->net->channels[next[i]].to, step_phase(sp, next[i], p), depth + 1,
                         weight / cnt));
        }
        return SIP_OK;
    }
}

/* up*-down* orientation: BFS levels from the root over links in either direction; a channel
 * goes up when it ends at a lower level, or at the same level on a lower node id (Autonet,
 * Schroeder et al. 1991). */
static sip_status_t orient_updown(sp_t *sp, int root, sip_error_t *err)
{
    const sip_network_t *net = sp->net;
    const int n = net->n_nodes;
    int *level = malloc((size_t)n * sizeof *level);
    int *queue = malloc((size_t)n * sizeof *queue);
    if (!level || !queue) {
        free(level);
        free(queue);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
    }
    for (int v = 0; v < n; v++)
        level[v] = -1;
    int head = 0, tail = 0;
    level[root] = 0;
    queue[tail++] = root;
    while (head < tail) {
        int u = queue[head++];
        for (int pass = 0; pass < 2; pass++) {
            const int *first = pass ? sp->adj.in_first : sp->adj.first;
            const int *chan = pass ? sp->adj.in_chan : sp->adj.chan;
            for (int i = first[u]; i < first[u + 1]; i++) {
                const sip_channel_t *c = &net->channels[chan[i]];
                int v = pass ? c->from : c->to;
                if (level[v] < 0) {
                    level[v] = level[u] + 1;
                    queue[tail++] = v;
                }
            }
        }
    }
    sip_status_t st = SIP_OK;
    for (int v = 0; v < n && st == SIP_OK; v++)
        if (level[v] < 0)
            st = sip_error_set(err, SIP_EINVAL, NULL, 0,
                               "routing: node %s is not connected to %s (expected a connected network)",
                               net->nodes[v].name, net->nodes[root].name);
    for (int c = 0; c < net->n_channels && st == SIP_OK; c++) {
        int a = net->channels[c].from, b = net->channels[c].to;
        sp->up[c] = (unsigned char)(level[b] < level[a] || (level[b] == level[a] && b < a));
    }
    free(level);
    free(queue);
    return st;
}

static int default_root(const sp_t *sp)
{
    int best = 0, best_deg = -1;
    for (int u = 0; u < sp->net->n_nodes; u++) {
        int deg = sp->adj.first[u + 1] - sp->adj.first[u];
        if (deg > best_deg) {
            best_deg = deg;
            best = u;
        }
    }
    return best;
}

static sip_status_t route_shortest(const sip_network_t *net, sip_routing_t alg,
                                   const sip_routing_options_t *opts, builder_t *b, sip_error_t *err)
{
    sp_t sp;
    const int P = alg == SIP_ROUTING_UPDOWN ? 2 : 1;
    SIP_TRY(sp_init(&sp, net, P, err));
    sip_status_t st = SIP_OK;
    const int n = net->n_nodes;
    int *stack = malloc((size_t)(n * P + 2) * sizeof *stack);
    int *next_first = malloc((size_t)(n * P + 1) * sizeof *next_first);
    int *next_count = malloc((size_t)(n * P + 1) * sizeof *next_count);
    int *next_chan = malloc((size_t)(net->n_channels * P + 1) * sizeof *next_chan);
    /* paths are found destination by destination; pair_end + a final reorder give the
     * source-major layout of sip_routes_t */
    int *pair_end = malloc((size_t)n * n * sizeof *pair_end);
    sip_routes_t *r = b->r;
    sip_path_t *paths = NULL;
    int *hops = NULL;
    if (!stack || !next_first || !next_count || !next_chan || !pair_end) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
        goto out;
    }
    if (alg == SIP_ROUTING_UPDOWN) {
        int root = opts->updown_root >= 0 ? opts->updown_root : default_root(&sp);
        if (root >= n) {
            st = sip_error_set(err, SIP_EINVAL, NULL, 0, "routing: up*-down* root %d (expected 0..%d)",
                               root, n - 1);
            goto out;
        }
        r->updown_root = root;
        if ((st = orient_updown(&sp, root, err)) != SIP_OK)
            goto out;
    }
    walk_t w = {.sp = &sp, .b = b, .ecmp = alg == SIP_ROUTING_ECMP,
                .max_paths = opts->max_paths > 0 ? opts->max_paths : 64, .stack = stack,
                .next_first = next_first, .next_count = next_count, .next_chan = next_chan, .err = err};
    for (int d = 0; d < n; d++) {
        reverse_dijkstra(&sp, d);
        w.d = d;
        next_hop_table(&w);
        for (int s = 0; s < n; s++) {
            r->pair_first[s * n + d] = r->n_paths;
            w.s = s;
            w.n_found = 0;
            if ((st = walk(&w, s, 0, 0, 1.0)) != SIP_OK)
                goto out;
            pair_end[s * n + d] = r->n_paths;
        }
    }
    /* reorder to source-major */
    paths = malloc((size_t)(r->n_paths > 0 ? r->n_paths : 1) * sizeof *paths);
    hops = malloc((size_t)(r->n_hops > 0 ? r->n_hops : 1) * sizeof *hops);
    if (!paths || !hops) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
        goto out;
    }
    int np = 0, nh = 0;
    for (int pair = 0; pair < n * n; pair++) {
        int first = r->pair_first[pair], end = pair_end[pair];
        r->pair_first[pair] = np;
        for (int i = first; i < end; i++) {
            sip_path_t p = r->paths[i];
            if (p.n_hops > 0)
                memcpy(hops + nh, r->hops + p.first_hop, (size_t)p.n_hops * sizeof *hops);
            p.first_hop = nh;
            nh += p.n_hops;
            paths[np++] = p;
        }
    }
    free(r->paths);
    free(r->hops);
    r->paths = paths;
    r->hops = hops;
    paths = NULL;
    hops = NULL;
out:
    free(paths);
    free(hops);
    free(stack);
    free(next_first);
    free(next_count);
    free(next_chan);
    free(pair_end);
    sp_fini(&sp);
    return st;
}

static sip_status_t route_dor(const sip_network_t *net, sip_routing_t alg,
                              const sip_routing_options_t *opts, builder_t *b, sip_error_t *err)
{
    (void)alg;
    (void)opts;
    const int n = net->n_nodes, cols = net->mesh_cols, rows = net->mesh_rows;
    if (cols <= 0 || rows <= 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "routing: dor needs grid coordinates on every node (expected a mesh "
                             "placement; use minimal or updown)");
    sip__adjacency_t adj;
    SIP_TRY(sip__adjacency_build(net, &adj, err));
    sip_status_t st = SIP_OK;
    int *grid = malloc((size_t)n * sizeof *grid);
    int *stack = malloc((size_t)(cols + rows + 2) * sizeof *stack);
    if (!grid || !stack) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
        goto out;
    }
    for (int v = 0; v < n; v++)
        grid[net->nodes[v].y * cols + net->nodes[v].x] = v;
    for (int s = 0; s < n; s++)
        for (int d = 0; d < n; d++) {
            b->r->pair_first[s * n + d] = b->r->n_paths;
            int x = net->nodes[s].x, y = net->nodes[s].y, u = s, depth = 0;
            const int dx = net->nodes[d].x, dy = net->nodes[d].y;
            while (u != d) {
                if (x != dx)
                    x += dx > x ? 1 : -1; /* X (columns) first, as BookSim `dor` */
                else
                    y += dy > y ? 1 : -1;
                int v = grid[y * cols + x], ch = -1;
                for (int i = adj.first[u]; i < adj.first[u + 1] && ch < 0; i++)
                    if (net->channels[adj.chan[i]].to == v)
                        ch = adj.chan[i];
                if (ch < 0) {
                    st = sip_error_set(err, SIP_EINVAL, NULL, 0,
                                       "routing: dor needs a channel %s->%s (expected a complete mesh)",
                                       net->nodes[u].name, net->nodes[v].name);
                    goto out;
                }
                stack[depth++] = ch;
                u = v;
            }
            if ((st = add_path(b, stack, depth, 1.0, err)) != SIP_OK)
                goto out;
        }
out:
    free(grid);
    free(stack);
    sip__adjacency_fini(&adj);
    return st;
}

/* The registry: adding an algorithm is one function and one row. */
typedef struct {
    sip_routing_t id;
    sip_status_t (*compute)(const sip_network_t *net, sip_routing_t alg,
                            const sip_routing_options_t *opts, builder_t *b, sip_error_t *err);
} routing_ops_t;

static const routing_ops_t routing_registry[SIP_ROUTING_COUNT] = {
    {SIP_ROUTING_MINIMAL, route_shortest},
    {SIP_ROUTING_ECMP, route_shortest},
    {SIP_ROUTING_DOR, route_dor},
    {SIP_ROUTING_UPDOWN, route_shortest},
};

void sip_routes_destroy(sip_routes_t *routes)
{
    if (!routes)
        return;
    free(routes->pair_first);
    free(routes->paths);
    free(routes->hops);
    free(routes);
}

sip_status_t sip_routes_compute(const sip_network_t *net, sip_routing_t algorithm,
                                const sip_routing_options_t *opts, sip_routes_t **out,
                                sip_error_t *err)
{
    *out = NULL;
    if ((unsigned)algorithm >= SIP_ROUTING_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "routing: algorithm %d (expected 0..%d)",
                             (int)algorithm, SIP_ROUTING_COUNT - 1);
    if (net->n_nodes < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "routing: network %s has no nodes",
                             net->name);
    sip_routing_options_t defaults = {.max_paths = 64, .updown_root = -1};
    if (!opts)
        opts = &defaults;
    sip_routes_t *r = calloc(1, sizeof *r);
    if (!r)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
    const int n = net->n_nodes;
    r->algorithm = algorithm;
    r->n_nodes = n;
    r->updown_root = -1;
    r->pair_first = malloc(((size_t)n * n + 1) * sizeof *r->pair_first);
    if (!r->pair_first) {
        sip_routes_destroy(r);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routing: out of memory");
    }
    builder_t b = {.r = r};
    sip_status_t st = routing_registry[algorithm].compute(net, algorithm, opts, &b, err);
    if (st != SIP_OK) {
        sip_routes_destroy(r);
        return st;
    }
    r->pair_first[(size_t)n * n] = r->n_paths;
    *out = r;
    return SIP_OK;
}

sip_status_t sip_routes_next_table(const sip_network_t *net, const sip_routes_t *routes, int *next,
                                   sip_error_t *err)
{
    const int n = routes->n_nodes;
    if (n != net->n_nodes)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "routing: routes for %d nodes on a network of %d (expected the same)",
                             n, net->n_nodes);
    for (long i = 0; i < (long)n * n; i++)
        next[i] = -1;
    for (int s = 0; s < n; s++)
        for (int d = 0; d < n; d++) {
            const int pair = s * n + d;
            for (int p = routes->pair_first[pair]; p < routes->pair_first[pair + 1]; p++) {
                const sip_path_t *path = &routes->paths[p];
                for (int h = 0; h < path->n_hops; h++) {
                    int c = routes->hops[path->first_hop + h];
                    int *slot = &next[(long)net->channels[c].from * n + d];
                    if (*slot >= 0 && *slot != c)
                        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                             "routing: %s routes leave %s towards %s on two channels "
                                             "(expected destination-based routes: minimal or dor)",
                                             sip_routing_name(routes->algorithm),
                                             net->nodes[net->channels[c].from].name,
                                             net->nodes[d].name);
                    *slot = c;
                }
            }
        }
    return SIP_OK;
}
