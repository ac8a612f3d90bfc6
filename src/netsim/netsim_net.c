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

static int find_channel(const sip_netsim_net_t *net, int from, int to)
{
    for (int c = 0; c < net->n_channels; c++)
        if (net->channels[c].from_router == from && net->channels[c].to_router == to)
            return c;
    return -1;
}

/* dor_next_mesh (routefunc.cpp:540-568): resolve x (id % k) first, then y. */
sip_status_t sip_netsim_net_route_dor(sip_netsim_net_t *net, sip_error_t *err)
{
    int k = net->mesh_k;
    if (k <= 0 || net->n_routers != k * k || net->n_nodes != k * k)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: dimension-order routing needs a k x k mesh");
    for (int r = 0; r < net->n_routers; r++)
        for (int d = 0; d < net->n_nodes; d++) {
            int x = r % k, y = r / k, tx = d % k, ty = d / k, next;
            if (x != tx)
                next = y * k + (tx > x ? x + 1 : x - 1);
            else if (y != ty)
                next = (ty > y ? y + 1 : y - 1) * k + x;
            else
                next = -1;
            net->route_next[(size_t)r * net->n_nodes + d] = next < 0 ? -1 : find_channel(net, r, next);
            if (next >= 0 && net->route_next[(size_t)r * net->n_nodes + d] < 0)
                return sip_error_set(err, SIP_EINVAL, NULL, 0, "netsim: mesh channel %d -> %d missing", r, next);
        }
    return SIP_OK;
}

/* AnyNet::route (networks/anynet.cpp:255-316): Dijkstra from every router with channel latency
 * as weight; the unsettled router of smallest distance is taken in increasing id order and a
 * distance is only replaced by a strictly smaller one, so ties go to the lowest router id. */
sip_status_t sip_netsim_net_route_min(sip_netsim_net_t *net, sip_error_t *err)
{
    const int R = net->n_routers, N = net->n_nodes;
    long long *dist = malloc((size_t)R * sizeof *dist);
    int *prev = malloc((size_t)R * sizeof *prev);
    char *done = malloc((size_t)R);
    if (!dist || !prev || !done) {
        free(dist);
        free(prev);
        free(done);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    }
    sip_status_t st = SIP_OK;
    for (int s = 0; s < R && st == SIP_OK; s++) {
        for (int i = 0; i < R; i++) {
            dist[i] = LLONG_MAX;
            prev[i] = -1;
            done[i] = 0;
        }
        dist[s] = 0;
        for (int it = 0; it < R; it++) {
            int u = -1;
            for (int i = 0; i < R; i++)
                if (!done[i] && dist[i] < LLONG_MAX && (u < 0 || dist[i] < dist[u]))
                    u = i;
            if (u < 0)
                break;
            done[u] = 1;
            /* neighbours in increasing id order, as the std::map in anynet.cpp */
            for (int v = 0; v < R; v++) {
                int c = find_channel(net, u, v);
                if (c < 0)
                    continue;
                long long nd = dist[u] + net->channels[c].latency_cycles;
                if (nd < dist[v]) {
                    dist[v] = nd;
                    prev[v] = u;
                }
            }
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
            int hop = t;
            while (prev[hop] != s)
                hop = prev[hop];
            net->route_next[(size_t)s * N + d] = find_channel(net, s, hop);
        }
    }
    free(dist);
    free(prev);
    free(done);
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

/* UCIe Adapter + PHY latency target, TX and RX together, excluding flight time: <= 2 ns
 * (facts.md §1.4, UCIe 1.0 Table 6 [S1], [S2] Table I). */
static const double ucie_adapter_phy_latency_ns = 2.0;

/* Raw BER by rate and package (facts.md §1.3, UCIe 1.0 Table 45 [S1]): 1e-27 up to 12 GT/s
 * advanced / 8 GT/s standard, 1e-15 above. */
static double ucie_default_ber(const sip_link_t *l)
{
    double limit_gtps = l->package == SIP_UCIE_ADVANCED ? 12.0 : 8.0;
    return l->rate_gtps <= limit_gtps ? 1e-27 : 1e-15;
}

sip_status_t sip_netsim_net_from_package(const sip_package_t *pkg, int endpoints, double clock_ghz,
                                         int flit_bytes, sip_netsim_net_t **out, sip_error_t *err)
{
    *out = NULL;
    if (!(clock_ghz > 0.0) || clock_ghz > 100.0 || flit_bytes < 1 || flit_bytes > 4096)
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0,
                             "netsim: clock %g GHz, flit %d bytes (expected 0..100 GHz, 1..4096 B)",
                             clock_ghz, flit_bytes);
    if (endpoints <= 0)
        endpoints = pkg->traffic.endpoints_per_chiplet > 0 ? pkg->traffic.endpoints_per_chiplet : 1;
    int *router_of = malloc((size_t)(pkg->n_instances + 1) * sizeof(int));
    if (!router_of)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    int R = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        router_of[i] = pkg->instances[i].attached_to >= 0 ? -1 : R++;
    int nc = 0;
    for (int l = 0; l < pkg->n_links; l++) {
        const sip_link_t *lk = &pkg->links[l];
        if (lk->from_instance < 0 || lk->from_instance >= pkg->n_instances || lk->to_instance < 0 ||
            lk->to_instance >= pkg->n_instances || router_of[lk->from_instance] < 0 ||
            router_of[lk->to_instance] < 0 || lk->from_instance == lk->to_instance) {
            free(router_of);
            return sip_error_set(err, SIP_EINVAL, pkg->path, lk->line,
                                 "netsim: link '%s' does not join two UCIe dies", lk->name);
        }
        nc += 2;
    }
    sip_netsim_net_t *net;
    sip_status_t st = sip__netsim_net_alloc(R > 0 ? R : 1, (R > 0 ? R : 1) * endpoints, nc, &net, err);
    if (st != SIP_OK) {
        free(router_of);
        return st;
    }
    if (R == 0) {
        free(router_of);
        sip_netsim_net_destroy(net);
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0, "netsim: package has no UCIe dies");
    }
    snprintf(net->name, sizeof net->name, "%s", pkg->name);
    net->nodes_first = true;
    for (int i = 0; i < pkg->n_instances; i++)
        if (router_of[i] >= 0)
            snprintf(net->router_names[router_of[i]], SIP_NAME_MAX, "%s", pkg->instances[i].name);
    for (int n = 0; n < net->n_nodes; n++)
        net->node_router[n] = n / endpoints;
    int c = 0;
    for (int l = 0; l < pkg->n_links; l++) {
        const sip_link_t *lk = &pkg->links[l];
        int lanes = sip_link_lanes_per_module(lk) * lk->modules - lk->failed_lanes;
        if (lanes < 1 || !(lk->rate_gtps > 0.0)) {
            sip_netsim_net_destroy(net);
            free(router_of);
            return sip_error_set(err, SIP_EINVAL, pkg->path, lk->line,
                                 "netsim: link '%s' has no working lanes or no rate", lk->name);
        }
        /* bytes per simulation cycle per direction = lanes x GT/s / 8 / clock */
        double bytes_per_cycle = lanes * lk->rate_gtps / 8.0 / clock_ghz;
        int width = (int)floor(bytes_per_cycle / flit_bytes);
        if (width < 1)
            width = 1;
        if (width > 64)
            width = 64;
        int latency = (int)ceil(ucie_adapter_phy_latency_ns * clock_ghz - 1e-9);
        if (latency < 1)
            latency = 1;
        double ber = lk->raw_ber >= 0.0 ? lk->raw_ber : ucie_default_ber(lk);
        double perr = -expm1(8.0 * flit_bytes * log1p(-ber));
        for (int dir = 0; dir < 2; dir++) {
            sip_netsim_channel_t *ch = &net->channels[c++];
            ch->from_router = router_of[dir ? lk->to_instance : lk->from_instance];
            ch->to_router = router_of[dir ? lk->from_instance : lk->to_instance];
            ch->latency_cycles = latency;
            ch->width_flits = width;
            ch->flit_error_prob = lk->flit == SIP_FLIT_RAW ? 0.0 : perr; /* raw: no adapter CRC/retry */
            ch->link = l;
        }
    }
    free(router_of);
    /* channel order as anynet (by from, then to), so port order matches an exported file */
    for (int a = 1; a < net->n_channels; a++)
        for (int b = a; b > 0; b--) {
            sip_netsim_channel_t *x = &net->channels[b - 1], *y = &net->channels[b];
            if (x->from_router < y->from_router ||
                (x->from_router == y->from_router && x->to_router <= y->to_router))
                break;
            sip_netsim_channel_t t = *x;
            *x = *y;
            *y = t;
        }
    st = sip_netsim_net_route_min(net, err);
    if (st != SIP_OK) {
        sip_netsim_net_destroy(net);
        return st;
    }
    *out = net;
    return SIP_OK;
}
