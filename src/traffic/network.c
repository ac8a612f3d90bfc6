/* Networks for the traffic and netsim engines: nodes, directed channels, endpoints; meshes
 * built in code (the BookSim2 reference cases).  The package builder is in network_package.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sip_status_t sip_network_create(const char *name, double flit_bytes, sip_network_t **out,
                                sip_error_t *err)
{
    *out = NULL;
    if (!(flit_bytes > 0.0) || !isfinite(flit_bytes))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "network: flit_bytes %g (expected > 0)",
                             flit_bytes);
    sip_network_t *net = calloc(1, sizeof *net);
    if (!net)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "network: out of memory");
    snprintf(net->name, sizeof net->name, "%s", name ? name : "");
    net->flit_bytes = flit_bytes;
    *out = net;
    return SIP_OK;
}

void sip_network_destroy(sip_network_t *net)
{
    if (!net)
        return;
    free(net->nodes);
    free(net->channels);
    free(net->endpoints);
    free(net->instance_node);
    free(net->ring_nodes);
    free(net);
}

/* Grow *arr (element size `size`) so that it holds at least need elements. */
static bool grow(void **arr, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return true;
    int ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * size);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

int sip_network_add_node(sip_network_t *net, const char *name, sip_kind_t kind,
                         double router_delay_ns, sip_error_t *err)
{
    if (!(router_delay_ns >= 0.0) || !isfinite(router_delay_ns)) {
        sip_error_set(err, SIP_EINVAL, NULL, 0, "network: node %s router delay %g ns (expected >= 0)",
                      name ? name : "?", router_delay_ns);
        return -1;
    }
    if (net->n_nodes >= SIP_MAX_INSTANCES * 8) {
        sip_error_set(err, SIP_ELIMIT, NULL, 0, "network: more than %d nodes", SIP_MAX_INSTANCES * 8);
        return -1;
    }
    if (!grow((void **)&net->nodes, &net->cap_nodes, net->n_nodes + 1, sizeof *net->nodes)) {
        sip_error_set(err, SIP_ENOMEM, NULL, 0, "network: out of memory");
        return -1;
    }
    sip_net_node_t *n = &net->nodes[net->n_nodes];
    memset(n, 0, sizeof *n);
    if (name)
        snprintf(n->name, sizeof n->name, "%s", name);
    else
        snprintf(n->name, sizeof n->name, "n%d", net->n_nodes);
    n->instance = -1;
    n->kind = kind;
    n->x = n->y = -1;
    n->router_delay_ns = router_delay_ns;
    n->first_endpoint = net->n_endpoints;
    /* A new node has no coordinates, so the grid is no longer complete. */
    net->mesh_cols = net->mesh_rows = 0;
    return net->n_nodes++;
}

int sip_network_add_channel(sip_network_t *net, int from, int to, double capacity_GBps,
                            double latency_ns, double energy_pj_per_bit, sip_error_t *err)
{
    if (from < 0 || from >= net->n_nodes || to < 0 || to >= net->n_nodes || from == to) {
        sip_error_set(err, SIP_EINVAL, NULL, 0,
                      "network: channel %d->%d (expected two distinct nodes in 0..%d)", from, to,
                      net->n_nodes - 1);
        return -1;
    }
    if (!(capacity_GBps > 0.0) || !isfinite(capacity_GBps) || !(latency_ns >= 0.0) ||
        !isfinite(latency_ns) || !(energy_pj_per_bit >= 0.0) || !isfinite(energy_pj_per_bit)) {
        sip_error_set(err, SIP_EINVAL, NULL, 0,
                      "network: channel %s->%s capacity %g GB/s, latency %g ns, energy %g pJ/b "
                      "(expected capacity > 0, latency >= 0, energy >= 0)",
                      net->nodes[from].name, net->nodes[to].name, capacity_GBps, latency_ns,
                      energy_pj_per_bit);
        return -1;
    }
    if (!grow((void **)&net->channels, &net->cap_channels, net->n_channels + 1,
              sizeof *net->channels)) {
        sip_error_set(err, SIP_ENOMEM, NULL, 0, "network: out of memory");
        return -1;
    }
    int idx = net->n_channels;
    sip_channel_t *c = &net->channels[idx];
    c->from = from;
    c->to = to;
    c->link = -1;
    c->reverse = -1;
    c->capacity_GBps = capacity_GBps;
    c->latency_ns = latency_ns;
    c->energy_pj_per_bit = energy_pj_per_bit;
    /* Pair with the first unpaired channel of the opposite direction. */
    for (int i = 0; i < idx; i++) {
        sip_channel_t *o = &net->channels[i];
        if (o->from == to && o->to == from && o->reverse < 0) {
            o->reverse = idx;
            c->reverse = i;
            break;
        }
    }
    net->n_channels++;
    return idx;
}

int sip_network_add_endpoint(sip_network_t *net, int node, double inject_GBps, double eject_GBps,
                             double inject_latency_ns, double eject_latency_ns, sip_error_t *err)
{
    if (node < 0 || node >= net->n_nodes) {
        sip_error_set(err, SIP_EINVAL, NULL, 0, "network: endpoint on node %d (expected 0..%d)",
                      node, net->n_nodes - 1);
        return -1;
    }
    if (net->n_endpoints > 0 && net->endpoints[net->n_endpoints - 1].node > node) {
        sip_error_set(err, SIP_EINVAL, NULL, 0,
                      "network: endpoint on node %d after one on node %d (expected node order)",
                      node, net->endpoints[net->n_endpoints - 1].node);
        return -1;
    }
    if (!(inject_GBps > 0.0) || !(eject_GBps > 0.0) || !isfinite(inject_GBps) ||
        !isfinite(eject_GBps) || !(inject_latency_ns >= 0.0) || !(eject_latency_ns >= 0.0) ||
        !isfinite(inject_latency_ns) || !isfinite(eject_latency_ns)) {
        sip_error_set(err, SIP_EINVAL, NULL, 0,
                      "network: endpoint on %s: inject %g GB/s, eject %g GB/s, latencies %g/%g ns "
                      "(expected bandwidths > 0, latencies >= 0)",
                      net->nodes[node].name, inject_GBps, eject_GBps, inject_latency_ns,
                      eject_latency_ns);
        return -1;
    }
    if (!grow((void **)&net->endpoints, &net->cap_endpoints, net->n_endpoints + 1,
              sizeof *net->endpoints)) {
        sip_error_set(err, SIP_ENOMEM, NULL, 0, "network: out of memory");
        return -1;
    }
    sip_net_node_t *n = &net->nodes[node];
    if (n->n_endpoints == 0)
        n->first_endpoint = net->n_endpoints;
    /* Nodes after this one start (empty) after it, keeping first_endpoint monotone. */
    for (int v = node + 1; v < net->n_nodes; v++)
        net->nodes[v].first_endpoint = net->n_endpoints + 1;
    sip_endpoint_t *e = &net->endpoints[net->n_endpoints];
    e->node = node;
    e->local = n->n_endpoints++;
    e->inject_GBps = inject_GBps;
    e->eject_GBps = eject_GBps;
    e->inject_latency_ns = inject_latency_ns;
    e->eject_latency_ns = eject_latency_ns;
    return net->n_endpoints++;
}

/* mesh_cols/rows = extent of the coordinates when every node has distinct ones filling the
 * rectangle, else 0. */
static void update_grid(sip_network_t *net)
{
    net->mesh_cols = net->mesh_rows = 0;
    int cols = 0, rows = 0;
    for (int i = 0; i < net->n_nodes; i++) {
        if (net->nodes[i].x < 0 || net->nodes[i].y < 0)
            return;
        if (net->nodes[i].x + 1 > cols)
            cols = net->nodes[i].x + 1;
        if (net->nodes[i].y + 1 > rows)
            rows = net->nodes[i].y + 1;
    }
    if (net->n_nodes == 0 || (long)cols * rows != net->n_nodes)
        return;
    bool *seen = calloc((size_t)net->n_nodes, sizeof *seen);
    if (!seen)
        return;
    bool ok = true;
    for (int i = 0; i < net->n_nodes && ok; i++) {
        int id = net->nodes[i].y * cols + net->nodes[i].x;
        ok = !seen[id];
        seen[id] = true;
    }
    free(seen);
    if (ok) {
        net->mesh_cols = cols;
        net->mesh_rows = rows;
    }
}

sip_status_t sip_network_set_coords(sip_network_t *net, int node, int x, int y, sip_error_t *err)
{
    if (node < 0 || node >= net->n_nodes || x < -1 || y < -1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "network: coordinates (%d,%d) for node %d (expected x,y >= 0)", x, y,
                             node);
    net->nodes[node].x = x;
    net->nodes[node].y = y;
    update_grid(net);
    return SIP_OK;
}

int sip_network_find_channel(const sip_network_t *net, int from, int to)
{
    for (int i = 0; i < net->n_channels; i++)
        if (net->channels[i].from == from && net->channels[i].to == to)
            return i;
    return -1;
}

void sip_mesh_params_booksim(sip_mesh_params_t *p, int k, bool two_stage)
{
    memset(p, 0, sizeof *p);
    p->cols = p->rows = k;
    p->endpoints_per_node = 1; /* configs: c = 1 */
    p->flit_bytes = 1.0;       /* so that GB/s read as flits/cycle ... */
    p->clock_ghz = 1.0;        /* ... and ns as cycles */
    /* peers/booksim results.md "Router pipeline": routing, VC allocation, switch allocation and
     * switch traversal take 1 cycle each (4 per router); the _2stage variant (lookahead routing +
     * speculative VA/SA) takes 2, i.e. 3 per hop with the 1-cycle link. */
    p->router_cycles = two_stage ? 2.0 : 4.0;
    p->link_cycles = 1.0; /* use_noc_latency = 1: mesh channel 1 cycle (kncube.cpp:119) */
    /* "A packet created in cycle t enters the injection channel in cycle t ... and reaches the
     * first router at t+2"; "after the last router's switch traversal, the ejection channel
     * takes 1 cycle" (results.md). */
    p->inject_cycles = 2.0;
    p->eject_cycles = 1.0;
    p->energy_pj_per_bit = 0.0; /* BookSim models no energy */
}

sip_status_t sip_network_mesh(const sip_mesh_params_t *p, sip_network_t **out, sip_error_t *err)
{
    *out = NULL;
    /* Size limit checked before allocation (issue 12). */
    if ((long)p->cols * p->rows > SIP_MAX_INSTANCES * 8)
        return sip_error_set(err, SIP_ELIMIT, NULL, 0, "mesh: %dx%d = %ld nodes (expected at most %d)",
                             p->cols, p->rows, (long)p->cols * p->rows, SIP_MAX_INSTANCES * 8);
    if (p->cols < 1 || p->rows < 1 || p->endpoints_per_node < 0 || p->endpoints_per_node > 64 || !(p->clock_ghz > 0.0) ||
        !(p->flit_bytes > 0.0) || !(p->router_cycles >= 0.0) || !(p->link_cycles >= 0.0) ||
        !(p->inject_cycles >= 0.0) || !(p->eject_cycles >= 0.0))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "mesh: %dx%d, %d endpoints/node, clock %g GHz, flit %g B (expected "
                             "1..%d nodes, 0..64 endpoints, positive clock and flit, delays >= 0)",
                             p->cols, p->rows, p->endpoints_per_node, p->clock_ghz, p->flit_bytes,
                             SIP_MAX_INSTANCES * 8);
    char name[SIP_NAME_MAX];
    snprintf(name, sizeof name, "mesh%dx%d", p->cols, p->rows);
    sip_network_t *net = NULL;
    SIP_TRY(sip_network_create(name, p->flit_bytes, &net, err));
    const double cycle_ns = 1.0 / p->clock_ghz;
    const double bw_GBps = p->flit_bytes * p->clock_ghz; /* one flit per cycle */
    sip_status_t st = SIP_OK;
    for (int y = 0; y < p->rows; y++)
        for (int x = 0; x < p->cols; x++) {
            char nn[SIP_NAME_MAX];
            snprintf(nn, sizeof nn, "r%d", y * p->cols + x);
            if (sip_network_add_node(net, nn, SIP_KIND_COMPUTE, p->router_cycles * cycle_ns, err) < 0) {
                st = err ? err->status : SIP_EINVAL;
                goto out;
            }
        }
    for (int i = 0; i < net->n_nodes; i++) {
        net->nodes[i].x = i % p->cols;
        net->nodes[i].y = i / p->cols;
    }
    update_grid(net);
    /* Channels in node order, each node's east, west, north, south neighbour. */
    for (int i = 0; i < net->n_nodes; i++) {
        int x = i % p->cols, y = i / p->cols;
        const int nb[4][2] = {{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}};
        for (int d = 0; d < 4; d++) {
            int nx = nb[d][0], ny = nb[d][1];
            if (nx < 0 || ny < 0 || nx >= p->cols || ny >= p->rows)
                continue;
            if (sip_network_add_channel(net, i, ny * p->cols + nx, bw_GBps,
                                        p->link_cycles * cycle_ns, p->energy_pj_per_bit, err) < 0) {
                st = err ? err->status : SIP_EINVAL;
                goto out;
            }
        }
    }
    for (int i = 0; i < net->n_nodes; i++)
        for (int e = 0; e < p->endpoints_per_node; e++)
            if (sip_network_add_endpoint(net, i, bw_GBps, bw_GBps, p->inject_cycles * cycle_ns,
                                         p->eject_cycles * cycle_ns, err) < 0) {
                st = err ? err->status : SIP_EINVAL;
                goto out;
            }
out:
    if (st != SIP_OK) {
        sip_network_destroy(net);
        return st;
    }
    *out = net;
    return SIP_OK;
}
