/* netsim: network descriptions — k x k mesh, BookSim2 anynet files, packages — and routing
 * (dimension order; shortest path by latency with BookSim2's tie-breaking).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsim_internal.h"
#include "sipsim/ucie.h"

/* Largest destination table (routers x nodes ints, 64 MiB): a 64 x 64 mesh, or 1024 chiplets
 * with 16 endpoints each. */
#define NETSIM_MAX_ROUTE_ENTRIES (1 << 24)

void sip_netsim_net_destroy(sip_netsim_net_t *net)
{
    if (!net)
        return;
    free(net->node_router);
    free(net->node_latency_cycles);
    free(net->channels);
    free(net->route_next);
    free(net->router_names);
    free(net);
}

sip_status_t sip__netsim_net_alloc(int n_routers, int n_nodes, int n_channels, sip_netsim_net_t **out,
                                   sip_error_t *err)
{
    *out = NULL;
    if (n_routers < 1 || n_nodes < 1 || n_channels < 0 || n_routers > 65536 || n_nodes > 65536 ||
        n_channels > 1 << 22)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0,
                             "netsim: %d routers, %d nodes, %d channels (expected 1..65536 routers "
                             "and nodes)", n_routers, n_nodes, n_channels);
    /* The destination table has routers x nodes entries: bound the product too, or a 256 x 256
     * mesh asks for 2^32 entries (16 GiB) before anything is simulated (found by fuzz/). */
    if ((int64_t)n_routers * n_nodes > NETSIM_MAX_ROUTE_ENTRIES)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0,
                             "netsim: %d routers x %d nodes = %lld route-table entries (expected at "
                             "most %d)", n_routers, n_nodes, (long long)n_routers * n_nodes,
                             NETSIM_MAX_ROUTE_ENTRIES);
    sip_netsim_net_t *net = calloc(1, sizeof *net);
    if (!net)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    net->n_routers = n_routers;
    net->n_nodes = n_nodes;
    net->n_channels = n_channels;
    net->node_router = calloc((size_t)n_nodes, sizeof(int));
    net->node_latency_cycles = calloc((size_t)n_nodes, sizeof(int));
    net->channels = calloc((size_t)n_channels + 1, sizeof *net->channels);
    net->route_next = malloc((size_t)n_routers * n_nodes * sizeof(int));
    net->router_names = calloc((size_t)n_routers, sizeof *net->router_names);
    if (!net->node_router || !net->node_latency_cycles || !net->channels || !net->route_next ||
        !net->router_names) {
        sip_netsim_net_destroy(net);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    }
    for (size_t i = 0; i < (size_t)n_routers * n_nodes; i++)
        net->route_next[i] = -1;
    for (int i = 0; i < n_nodes; i++)
        net->node_latency_cycles[i] = 1;
    for (int r = 0; r < n_routers; r++)
        snprintf(net->router_names[r], SIP_NAME_MAX, "r%d", r);
    *out = net;
    return SIP_OK;
}

sip_status_t sip__netsim_net_check(const sip_netsim_net_t *net, sip_error_t *err)
{
    const int N = net->n_nodes;
    for (int i = 0; i < N; i++)
        if (net->node_router[i] < 0 || net->node_router[i] >= net->n_routers)
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: node %d on router %d (of %d)", i,
                                 net->node_router[i], net->n_routers);
    for (int c = 0; c < net->n_channels; c++) {
        const sip_netsim_channel_t *ch = &net->channels[c];
        if (ch->from_router < 0 || ch->from_router >= net->n_routers || ch->to_router < 0 ||
            ch->to_router >= net->n_routers || ch->from_router == ch->to_router)
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: channel %d joins routers %d -> %d",
                                 c, ch->from_router, ch->to_router);
    }
    /* every (router, node) route reaches the node within n_routers hops */
    for (int r = 0; r < net->n_routers; r++)
        for (int d = 0; d < N; d++) {
            int cur = r, hops = 0;
            while (cur != net->node_router[d]) {
                int c = net->route_next[(size_t)cur * N + d];
                if (c < 0 || c >= net->n_channels || net->channels[c].from_router != cur)
                    return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                         "netsim: no route from router %s to node %d",
                                         net->router_names[cur], d);
                cur = net->channels[c].to_router;
                if (++hops > net->n_routers)
                    return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                         "netsim: routing loop from router %s to node %d",
                                         net->router_names[r], d);
            }
            if (net->route_next[(size_t)cur * N + d] != -1)
                return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                     "netsim: router %s does not eject node %d", net->router_names[cur], d);
        }
    return SIP_OK;
}

/* k x k mesh as BookSim2's kncube (networks/kncube.cpp) with use_noc_latency = 1: 1-cycle
 * channels and 1-cycle injection/ejection; ports +x, -x, +y, -y, then the endpoint. */
sip_status_t sip_netsim_net_mesh(int k, sip_netsim_net_t **out, sip_error_t *err)
{
    *out = NULL;
    if (k < 1 || k > 256)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: mesh k = %d (expected 1..256)", k);
    int n = k * k, nc = 4 * k * (k - 1);
    sip_netsim_net_t *net;
    SIP_TRY(sip__netsim_net_alloc(n, n, nc, &net, err));
    snprintf(net->name, sizeof net->name, "mesh%dx%d", k, k);
    net->mesh_k = k;
    net->nodes_first = false;
    int c = 0;
    for (int r = 0; r < n; r++) {
        int x = r % k, y = r / k;
        net->node_router[r] = r;
        snprintf(net->router_names[r], SIP_NAME_MAX, "r%d_%d", x, y);
        /* dim 0: +x (slot 0), -x (slot 1); dim 1: +y (slot 2), -y (slot 3).  An input port's slot
         * is that of the channel's direction reversed: BookSim adds the input from the +x
         * neighbour (a -x channel) first. */
        const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
        for (int d = 0; d < 4; d++) {
            int nx = x + dx[d], ny = y + dy[d];
            if (nx < 0 || nx >= k || ny < 0 || ny >= k)
                continue;
            sip_netsim_channel_t *ch = &net->channels[c++];
            ch->from_router = r;
            ch->to_router = ny * k + nx;
            ch->latency_cycles = 1;
            ch->width_flits = 1;
            ch->link = -1;
            ch->out_slot = d;
            ch->in_slot = d ^ 1;
        }
    }
    sip_status_t st = sip_netsim_net_route_dor(net, err);
    if (st != SIP_OK) {
        sip_netsim_net_destroy(net);
        return st;
    }
    *out = net;
    return SIP_OK;
}

/* dor_next_mesh (routefunc.cpp:540-568): resolve x (id % k) first, then y. */
sip_status_t sip_netsim_net_route_dor(sip_netsim_net_t *net, sip_error_t *err)
{
    int k = net->mesh_k;
    if (k <= 0 || net->n_routers != k * k || net->n_nodes != k * k)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: dimension-order routing needs a k x k mesh");
    /* The channel of each (router, direction: +x, -x, +y, -y), lowest index first as
     * a search over the channels: looking it up per table entry cost routers x nodes x channels, half a
     * minute at k = 25 (found by fuzz/). */
    int *step = malloc((size_t)net->n_routers * 4 * sizeof *step);
    if (!step)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    for (int i = 0; i < net->n_routers * 4; i++)
        step[i] = -1;
    for (int c = net->n_channels - 1; c >= 0; c--) {
        int f = net->channels[c].from_router, t = net->channels[c].to_router;
        int dir = t == f + 1 ? 0 : t == f - 1 ? 1 : t == f + k ? 2 : t == f - k ? 3 : -1;
        if (dir >= 0 && f >= 0 && f < net->n_routers)
            step[f * 4 + dir] = c;
    }
    for (int r = 0; r < net->n_routers; r++)
        for (int d = 0; d < net->n_nodes; d++) {
            int x = r % k, y = r / k, tx = d % k, ty = d / k, next, dir;
            if (x != tx) {
                dir = tx > x ? 0 : 1;
                next = y * k + (tx > x ? x + 1 : x - 1);
            } else if (y != ty) {
                dir = ty > y ? 2 : 3;
                next = (ty > y ? y + 1 : y - 1) * k + x;
            } else {
                dir = -1;
                next = -1;
            }
            net->route_next[(size_t)r * net->n_nodes + d] = next < 0 ? -1 : step[r * 4 + dir];
            if (next >= 0 && net->route_next[(size_t)r * net->n_nodes + d] < 0) {
                free(step);
                return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: mesh channel %d -> %d missing", r, next);
            }
        }
    free(step);
    return SIP_OK;
}

/* AnyNet::route (networks/anynet.cpp:255-316): Dijkstra from every router with channel latency
 * as weight; the unsettled router of smallest distance is taken in increasing id order and a
 * distance is only replaced by a strictly smaller one, so ties go to the lowest router id. */
/* Binary min-heap of (distance, router) for route_min: popping the smallest pair is the linear
 * scan's choice (smallest distance, ties to the lowest id). */
typedef struct {
    long long dist;
    int router;
} heap_item_t;

static bool heap_less(heap_item_t a, heap_item_t b)
{
    return a.dist < b.dist || (a.dist == b.dist && a.router < b.router);
}

static void heap_push(heap_item_t *h, int *n, heap_item_t item)
{
    int i = (*n)++;
    while (i > 0 && heap_less(item, h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = item;
}

static heap_item_t heap_pop(heap_item_t *h, int *n)
{
    heap_item_t top = h[0], last = h[--*n];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && heap_less(h[c + 1], h[c]))
            c++;
        if (!heap_less(h[c], last))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

sip_status_t sip_netsim_net_route_min(sip_netsim_net_t *net, sip_error_t *err)
{
    const int R = net->n_routers, N = net->n_nodes, C = net->n_channels;
    long long *dist = malloc((size_t)R * sizeof *dist);
    int *prev = malloc((size_t)R * sizeof *prev);
    char *done = malloc((size_t)R);
    /* Out-channels of every router in index order (CSR), the first channel from the router being
     * relaxed to each neighbour (stamped by that router), and a heap with one entry per
     * improvement.  This keeps the result of the scan over all router pairs that anynet.cpp
     * does, in O(R (R + C log C)) instead of O(R^3 C): hours at a few thousand routers (found
     * by fuzz/). */
    int *out_first = calloc((size_t)R + 1, sizeof *out_first);
    int *out = malloc(((size_t)C + 1) * sizeof *out);
    int *first = malloc((size_t)R * sizeof *first);
    int *stamp = malloc((size_t)R * sizeof *stamp);
    int *order = malloc((size_t)R * sizeof *order); /* routers in the order they settle */
    heap_item_t *heap = malloc(((size_t)C + 2) * sizeof *heap);
    sip_status_t st = SIP_OK;
    if (!dist || !prev || !done || !out_first || !out || !first || !stamp || !order || !heap) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
        goto done_all;
    }
    for (int c = 0; c < C; c++) {
        const sip_netsim_channel_t *ch = &net->channels[c];
        if (ch->from_router < 0 || ch->from_router >= R || ch->to_router < 0 || ch->to_router >= R) {
            st = sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: channel %d joins routers %d and %d "
                               "(expected 0..%d)", c, ch->from_router, ch->to_router, R - 1);
            goto done_all;
        }
        out_first[ch->from_router + 1]++;
    }
    for (int r = 0; r < R; r++)
        out_first[r + 1] += out_first[r];
    for (int r = 0; r < R; r++)
        stamp[r] = out_first[r]; /* fill cursor */
    for (int c = 0; c < C; c++)
        out[stamp[net->channels[c].from_router]++] = c;
    for (int s = 0; s < R && st == SIP_OK; s++) {
        for (int i = 0; i < R; i++) {
            dist[i] = LLONG_MAX;
            prev[i] = -1;
            done[i] = 0;
            stamp[i] = -1;
        }
        dist[s] = 0;
        int n_heap = 0, n_order = 0;
        heap_push(heap, &n_heap, (heap_item_t){0, s});
        while (n_heap > 0) {
            heap_item_t top = heap_pop(heap, &n_heap);
            int u = top.router;
            if (done[u] || top.dist != dist[u])
                continue; /* stale entry */
            done[u] = 1;
            order[n_order++] = u;
            /* Only the lowest-index channel u -> v counts, as in the scan over router pairs. */
            for (int j = out_first[u]; j < out_first[u + 1]; j++) {
                const sip_netsim_channel_t *ch = &net->channels[out[j]];
                int v = ch->to_router;
                if (stamp[v] == u)
                    continue;
                stamp[v] = u;
                long long nd = dist[u] + ch->latency_cycles;
                if (nd < dist[v]) {
                    dist[v] = nd;
                    prev[v] = u;
                    heap_push(heap, &n_heap, (heap_item_t){nd, v});
                }
            }
        }
        for (int i = 0; i < R; i++)
            first[i] = -1;
        for (int j = out_first[s + 1] - 1; j >= out_first[s]; j--)
            first[net->channels[out[j]].to_router] = out[j];
        /* First hop towards every settled router, in settle order (a router's predecessor
         * settles before it): walking prev per destination was O(R) each.  Reuses stamp. */
        int *hop_of = stamp;
        for (int i = 1; i < n_order; i++) {
            int v = order[i];
            hop_of[v] = prev[v] == s ? v : hop_of[prev[v]];
        }
        for (int d = 0; d < N; d++) {
            int t = net->node_router[d];
            if (t == s) {
                net->route_next[(size_t)s * N + d] = -1;
                continue;
            }
            if (dist[t] == LLONG_MAX) {
                st = sip_error_set(err, SIP_EINVAL, NULL, 0,
                                   "netsim: router %s cannot reach node %d (router %s)",
                                   net->router_names[s], d, net->router_names[t]);
                break;
            }
            net->route_next[(size_t)s * N + d] = first[hop_of[t]];
        }
    }
done_all:
    free(dist);
    free(prev);
    free(done);
    free(out_first);
    free(out);
    free(first);
    free(stamp);
    free(order);
    free(heap);
    return st;
}

/* ------------------------------------------------------------------------- anynet ---- */

typedef struct {
    int head, body;
    bool body_router;
    int latency;
} anyline_t;

sip_status_t sip_netsim_net_read_anynet(const char *path, sip_netsim_net_t **out, sip_error_t *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open anynet file: %s", strerror(errno));
    enum { MAXE = 1 << 16 };
    anyline_t *e = malloc(MAXE * sizeof *e);
    int ne = 0, max_router = -1, max_node = -1;
    char line[4096];
    int lineno = 0;
    sip_status_t st = SIP_OK;
    if (!e) {
        fclose(f);
        return sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory");
    }
    while (st == SIP_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
        if (!tok)
            continue;
        if (strcmp(tok, "router") != 0) {
            st = sip_error_set(err, SIP_EPARSE, path, lineno,
                               "line must start with 'router' (expected router ID {router|node} ID [latency] ...)");
            break;
        }
        tok = strtok_r(NULL, " \t\r\n", &save);
        char *end;
        long head = tok ? strtol(tok, &end, 10) : -1;
        if (!tok || *end || head < 0 || head > 65535) {
            st = sip_error_set(err, SIP_EPARSE, path, lineno, "bad router id (expected 0..65535)");
            break;
        }
        if (head > max_router)
            max_router = (int)head;
        while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
            bool is_router = strcmp(tok, "router") == 0;
            if (!is_router && strcmp(tok, "node") != 0) {
                long lat = strtol(tok, &end, 10);
                if (*end || lat < 1 || lat > 100000 || ne == 0 || e[ne - 1].head != head) {
                    st = sip_error_set(err, SIP_EPARSE, path, lineno,
                                       "unexpected '%s' (expected router, node or a latency >= 1)", tok);
                    break;
                }
                e[ne - 1].latency = (int)lat;
                continue;
            }
            tok = strtok_r(NULL, " \t\r\n", &save);
            long id = tok ? strtol(tok, &end, 10) : -1;
            if (!tok || *end || id < 0 || id > 65535 || ne >= MAXE) {
                st = sip_error_set(err, SIP_EPARSE, path, lineno, "bad %s id (expected 0..65535)",
                                   is_router ? "router" : "node");
                break;
            }
            e[ne].head = (int)head;
            e[ne].body = (int)id;
            e[ne].body_router = is_router;
            e[ne].latency = 1;
            ne++;
            if (is_router && id > max_router)
                max_router = (int)id;
            if (!is_router && id > max_node)
                max_node = (int)id;
        }
    }
    fclose(f);
    if (st == SIP_OK && (max_router < 0 || max_node < 0))
        st = sip_error_set(err, SIP_EPARSE, path, lineno, "no routers or nodes");
    if (st != SIP_OK) {
        free(e);
        return st;
    }
    int R = max_router + 1, N = max_node + 1;
    /* The R x R matrix below and the R x N route table: refuse absurd ids before allocating. */
    if ((int64_t)R * R > NETSIM_MAX_ROUTE_ENTRIES || (int64_t)R * N > NETSIM_MAX_ROUTE_ENTRIES) {
        free(e);
        return sip_error_set(err, SIP_ELIMIT, path, 0,
                             "%d routers and %d nodes exceed the limit of %d table entries "
                             "(expected router and node ids below %d)",
                             R, N, NETSIM_MAX_ROUTE_ENTRIES, 4096);
    }
    /* router -> router latency matrix (a line sets one direction; the reverse defaults to 1
     * unless given, anynet.cpp:447-452) */
    int *lat = calloc((size_t)R * R, sizeof(int));
    int *node_r = malloc((size_t)N * sizeof(int));
    int *node_l = malloc((size_t)N * sizeof(int));
    if (!lat || !node_r || !node_l) {
        free(lat);
        free(node_r);
        free(node_l);
        free(e);
        return sip_error_set(err, SIP_ENOMEM, path, 0, "out of memory");
    }
    for (int i = 0; i < N; i++) {
        node_r[i] = -1;
        node_l[i] = 1;
    }
    for (int i = 0; i < ne && st == SIP_OK; i++) {
        if (e[i].body_router) {
            if (e[i].body == e[i].head) {
                st = sip_error_set(err, SIP_EPARSE, path, 0, "router %d linked to itself", e[i].head);
                break;
            }
            lat[(size_t)e[i].head * R + e[i].body] = e[i].latency;
            if (!lat[(size_t)e[i].body * R + e[i].head])
                lat[(size_t)e[i].body * R + e[i].head] = -1; /* 1 unless set later */
        } else {
            if (node_r[e[i].body] >= 0 && node_r[e[i].body] != e[i].head)
                st = sip_error_set(err, SIP_EPARSE, path, 0, "node %d on routers %d and %d", e[i].body,
                                   node_r[e[i].body], e[i].head);
            node_r[e[i].body] = e[i].head;
            node_l[e[i].body] = e[i].latency;
        }
    }
    for (int i = 0; i < N && st == SIP_OK; i++)
        if (node_r[i] < 0)
            st = sip_error_set(err, SIP_EPARSE, path, 0,
                               "node %d is not attached (nodes must be numbered 0..N-1)", i);
    int nc = 0;
    for (size_t i = 0; i < (size_t)R * R; i++)
        if (lat[i])
            nc++;
    sip_netsim_net_t *net = NULL;
    if (st == SIP_OK)
        st = sip__netsim_net_alloc(R, N, nc, &net, err);
    if (st == SIP_OK) {
        const char *base = strrchr(path, '/');
        snprintf(net->name, sizeof net->name, "%s", base ? base + 1 : path);
        char *dot = strrchr(net->name, '.');
        if (dot)
            *dot = 0;
        net->nodes_first = true;
        for (int i = 0; i < N; i++) {
            net->node_router[i] = node_r[i];
            net->node_latency_cycles[i] = node_l[i];
        }
        int c = 0;
        for (int a = 0; a < R; a++)
            for (int b = 0; b < R; b++) {
                int l = lat[(size_t)a * R + b];
                if (!l)
                    continue;
                sip_netsim_channel_t *ch = &net->channels[c++];
                ch->from_router = a;
                ch->to_router = b;
                ch->latency_cycles = l < 0 ? 1 : l;
                ch->width_flits = 1;
                ch->link = -1;
            }
        st = sip_netsim_net_route_min(net, err);
    }
    free(lat);
    free(node_r);
    free(node_l);
    free(e);
    if (st != SIP_OK) {
        sip_netsim_net_destroy(net);
        return st;
    }
    *out = net;
    return SIP_OK;
}

/* ------------------------------------------------------------------------ package ---- */

static int cycles_of(double ns, double clock_ghz)
{
    double c = floor(ns * clock_ghz + 0.5);
    return c < 1.0 ? 1 : c > 100000.0 ? 100000 : (int)c;
}

sip_status_t sip_netsim_net_from_network(const sip_network_t *tnet, const sip_routes_t *routes,
                                         double clock_ghz, double flit_bytes, sip_netsim_net_t **out,
                                         sip_error_t *err)
{
    *out = NULL;
    if (!(clock_ghz > 0.0) || clock_ghz > 100.0 || !(flit_bytes >= 1.0) || flit_bytes > 4096.0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim: clock %g GHz, flit %g bytes (expected 0..100 GHz, 1..4096 B)",
                             clock_ghz, flit_bytes);
    if (tnet->n_nodes < 1 || tnet->n_endpoints < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim: network %s has no nodes or endpoints", tnet->name);
    const int R = tnet->n_nodes, N = tnet->n_endpoints;
    int *next = malloc((size_t)R * R * sizeof *next);
    if (!next)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    sip_status_t st = sip_routes_next_table(tnet, routes, next, err);
    sip_netsim_net_t *net = NULL;
    if (st == SIP_OK)
        st = sip__netsim_net_alloc(R, N, tnet->n_channels, &net, err);
    if (st != SIP_OK) {
        free(next);
        return st;
    }
    snprintf(net->name, sizeof net->name, "%s", tnet->name);
    /* anynet port order (endpoints first), as an exported BookSim2 file builds the routers */
    net->nodes_first = true;
    for (int v = 0; v < R; v++)
        snprintf(net->router_names[v], SIP_NAME_MAX, "%s", tnet->nodes[v].name);
    const double GBps_per_flit_per_cycle = flit_bytes * clock_ghz;
    for (int e = 0; e < N && st == SIP_OK; e++) {
        const sip_endpoint_t *ep = &tnet->endpoints[e];
        net->node_router[e] = ep->node;
        /* netsim's terminals move one flit per cycle each way: a different port bandwidth cannot
         * be simulated (sip_netsim_network_options gives the analytic engine the same ports) */
        if (fabs(ep->inject_GBps - GBps_per_flit_per_cycle) > 1e-9 * GBps_per_flit_per_cycle ||
            fabs(ep->eject_GBps - GBps_per_flit_per_cycle) > 1e-9 * GBps_per_flit_per_cycle)
            st = sip_error_set(err, SIP_EINVAL, NULL, 0,
                               "netsim: endpoint %d ports %g / %g GB/s (expected one flit per cycle: "
                               "%g GB/s; see sip_netsim_network_options)", e, ep->inject_GBps,
                               ep->eject_GBps, GBps_per_flit_per_cycle);
        /* creation -> router = 1 + L_inj cycles; router -> sink = L_ej (the ejection channel's
         * L_ej + 1 minus the router's last pipeline cycle, which the channel overlaps) */
        net->node_latency_cycles[e] = cycles_of(ep->inject_latency_ns, clock_ghz) - 1;
        if (net->node_latency_cycles[e] < 1)
            net->node_latency_cycles[e] = 1;
        int ej = cycles_of(ep->eject_latency_ns, clock_ghz);
        if (st == SIP_OK && ej != net->node_latency_cycles[e])
            st = sip_error_set(err, SIP_EUNSUPPORTED, NULL, 0,
                               "netsim: endpoint %d takes %d cycles in and %d out (expected equal "
                               "injection and ejection latency, netsim keeps one per node)", e,
                               net->node_latency_cycles[e] + 1, ej);
    }
    for (int c = 0; c < tnet->n_channels && st == SIP_OK; c++) {
        const sip_channel_t *tc = &tnet->channels[c];
        sip_netsim_channel_t *ch = &net->channels[c];
        ch->from_router = tc->from;
        ch->to_router = tc->to;
        /* a hop costs router_cycles + latency_ns in the analytic engine and router_cycles +
         * latency_cycles in netsim (see sip_netsim_config_router_cycles) */
        ch->latency_cycles = cycles_of(tc->latency_ns, clock_ghz);
        double rate = tc->capacity_GBps / GBps_per_flit_per_cycle;
        if (!(rate > 1e-6) || rate > 64.0) {
            st = sip_error_set(err, SIP_EINVAL, NULL, 0,
                               "netsim: channel %s -> %s carries %g flits per cycle (expected "
                               "1e-6..64: change the clock or the flit size)",
                               tnet->nodes[tc->from].name, tnet->nodes[tc->to].name, rate);
            break;
        }
        ch->width_flits = (int)ceil(rate - 1e-9);
        ch->rate_flits = fabs(rate - ch->width_flits) <= 1e-9 * rate ? 0.0 : rate;
        ch->link = tc->link;
        ch->out_slot = ch->in_slot = 0;
    }
    if (st == SIP_OK)
        for (int v = 0; v < R; v++)
            for (int e = 0; e < N; e++)
                net->route_next[(size_t)v * N + e] = next[(size_t)v * R + net->node_router[e]];
    free(next);
    if (st == SIP_OK)
        st = sip__netsim_net_check(net, err);
    if (st != SIP_OK) {
        sip_netsim_net_destroy(net);
        return st;
    }
    *out = net;
    return SIP_OK;
}

void sip_netsim_network_options(const sip_package_t *pkg, int endpoints, double clock_ghz,
                                double flit_bytes, const struct sip_netsim_config *cfg,
                                sip_network_options_t *opts)
{
    (void)pkg;
    sip_netsim_config_t def;
    if (!cfg) {
        sip_netsim_config_init(&def);
        cfg = &def;
    }
    memset(opts, 0, sizeof *opts);
    opts->endpoints_per_chiplet = endpoints > 0 ? endpoints : 0;
    opts->router_cycles = sip_netsim_config_router_cycles(cfg);
    opts->router_clock_ghz = clock_ghz;
    opts->endpoint_GBps = flit_bytes * clock_ghz;
    /* BookSim2's terminals (results.md): created in cycle t, at the first router in t + 2;
     * 1 cycle from the last router's switch to the sink */
    opts->inject_cycles = 2.0;
    opts->eject_cycles = 1.0;
}

/* The UCIe flit of the package: the largest flit any link uses (sip_network_from_package's
 * serialization unit). */
static double package_flit_bytes(const sip_package_t *pkg, sip_error_t *err, sip_status_t *st)
{
    double fb = 0.0;
    for (int l = 0; l < pkg->n_links && *st == SIP_OK; l++) {
        sip_ucie_link_result_t r;
        *st = sip_ucie_link_eval(pkg, l, &r, err);
        if (*st == SIP_OK && r.flit_bytes > fb)
            fb = r.flit_bytes;
    }
    return fb > 0.0 ? fb : 1.0;
}

sip_status_t sip_netsim_net_from_package(const sip_package_t *pkg, int endpoints, double clock_ghz,
                                         int flit_bytes, sip_netsim_net_t **out, sip_error_t *err)
{
    *out = NULL;
    if (!(clock_ghz > 0.0) || clock_ghz > 100.0 || flit_bytes > 4096)
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0,
                             "netsim: clock %g GHz, flit %d bytes (expected 0..100 GHz, 1..4096 B)",
                             clock_ghz, flit_bytes);
    sip_status_t st = SIP_OK;
    double fb = flit_bytes > 0 ? flit_bytes : package_flit_bytes(pkg, err, &st);
    SIP_TRY(st);
    sip_network_options_t opts;
    sip_netsim_network_options(pkg, endpoints, clock_ghz, fb, NULL, &opts);
    sip_network_t *tnet = NULL;
    sip_routes_t *routes = NULL;
    st = sip_network_from_package(pkg, &opts, &tnet, err);
    if (st == SIP_OK)
        st = sip_routes_compute(tnet, SIP_ROUTING_MINIMAL, NULL, &routes, err);
    if (st == SIP_OK)
        st = sip_netsim_net_from_network(tnet, routes, clock_ghz, fb, out, err);
    /* UCIe errors: the adapter replays flits whose CRC fails (detected errors only; raw flits
     * have no CRC and no replay), per UCIe flit of the link -> per netsim flit of fb bytes */
    for (int c = 0; st == SIP_OK && c < (*out)->n_channels; c++) {
        sip_netsim_channel_t *ch = &(*out)->channels[c];
        sip_ucie_link_result_t r;
        if (ch->link < 0)
            continue;
        st = sip_ucie_link_eval(pkg, ch->link, &r, err);
        double pd = r.flit_error_prob - r.flit_undetected_prob;
        if (st == SIP_OK && pd > 0.0 && r.flit_bytes > 0)
            ch->flit_error_prob = -expm1(fb / r.flit_bytes * log1p(-pd));
    }
    if (st != SIP_OK && *out) {
        sip_netsim_net_destroy(*out);
        *out = NULL;
    }
    sip_routes_destroy(routes);
    sip_network_destroy(tnet);
    return st;
}
