/* The network of a package: one node per UCIe vertex (instances not attached to a host), one
 * channel per link and direction with the UCIe model's payload bandwidth, latency and energy.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/ucie.h"

/* peers/booksim results.md "Router pipeline": BookSim's default input-queued VC router takes
 * route computation, VC allocation, switch allocation and switch traversal, 1 cycle each. */
#define DEFAULT_ROUTER_CYCLES 4.0
/* Instance centres closer than this share a grid row or column. */
#define GRID_TOLERANCE_MM 0.1

static int host_of(const sip_package_t *pkg, int inst)
{
    /* follow attachments (HBM -> host); bounded in case of a malformed chain */
    for (int guard = 0; guard < pkg->n_instances && pkg->instances[inst].attached_to >= 0; guard++)
        inst = pkg->instances[inst].attached_to;
    return pkg->instances[inst].attached_to >= 0 ? -1 : inst;
}

static double fastest_clock_ghz(const sip_chiplet_type_t *t)
{
    double best = 0.0;
    for (int i = 0; i < t->n_engines; i++)
        best = fmax(best, t->engines[i].clock_ghz);
    return best;
}

/* Distinct values of v[0..n) within tolerance, sorted; index of each value in out_index. */
static int cluster(const double *v, int n, int *out_index)
{
    double *keys = malloc((size_t)n * sizeof *keys);
    if (!keys)
        return -1;
    int k = 0;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < k && fabs(keys[j] - v[i]) > GRID_TOLERANCE_MM)
            j++;
        if (j == k)
            keys[k++] = v[i];
    }
    /* insertion sort the keys, then index by rank */
    for (int i = 1; i < k; i++) {
        double x = keys[i];
        int j = i - 1;
        while (j >= 0 && keys[j] > x) {
            keys[j + 1] = keys[j];
            j--;
        }
        keys[j + 1] = x;
    }
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (fabs(keys[j] - v[i]) > GRID_TOLERANCE_MM)
            j++;
        out_index[i] = j;
    }
    free(keys);
    return k;
}

/* Grid coordinates when the node centres form a complete cols x rows grid (y up = row up). */
static void assign_grid(const sip_package_t *pkg, sip_network_t *net)
{
    const int n = net->n_nodes;
    double *cx = malloc((size_t)n * sizeof *cx), *cy = malloc((size_t)n * sizeof *cy);
    int *ix = malloc((size_t)n * sizeof *ix), *iy = malloc((size_t)n * sizeof *iy);
    if (cx && cy && ix && iy) {
        for (int v = 0; v < n; v++) {
            sip_rect_t r = sip_instance_rect(pkg, net->nodes[v].instance);
            cx[v] = 0.5 * (r.x0_mm + r.x1_mm);
            cy[v] = 0.5 * (r.y0_mm + r.y1_mm);
        }
        int cols = cluster(cx, n, ix), rows = cluster(cy, n, iy);
        if (cols > 0 && rows > 0 && cols * rows == n) {
            for (int v = 0; v < n; v++) {
                net->nodes[v].x = ix[v];
                net->nodes[v].y = iy[v];
            }
            /* sip_network_set_coords recomputes the grid and checks every cell is taken once */
            sip_network_set_coords(net, 0, ix[0], iy[0], NULL);
            if (net->mesh_cols == 0)
                for (int v = 0; v < n; v++)
                    net->nodes[v].x = net->nodes[v].y = -1;
        }
    }
    free(cx);
    free(cy);
    free(ix);
    free(iy);
}

sip_status_t sip_network_from_package(const sip_package_t *pkg, const sip_network_options_t *opts,
                                      sip_network_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_network_options_t o = {0};
    if (opts)
        o = *opts;
    const int n_ep = o.endpoints_per_chiplet > 0 ? o.endpoints_per_chiplet
                     : pkg->traffic.endpoints_per_chiplet > 0 ? pkg->traffic.endpoints_per_chiplet
                                                              : 1;
    const double router_cycles = o.router_cycles > 0.0 ? o.router_cycles : DEFAULT_ROUTER_CYCLES;
    double package_clock = 0.0;
    for (int t = 0; t < pkg->n_types; t++)
        package_clock = fmax(package_clock, fastest_clock_ghz(&pkg->types[t]));

    sip_ucie_link_result_t *links = calloc((size_t)(pkg->n_links > 0 ? pkg->n_links : 1), sizeof *links);
    if (!links)
        return sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "traffic: out of memory");
    double flit_bytes = 0.0;
    sip_status_t st = SIP_OK;
    for (int l = 0; l < pkg->n_links && st == SIP_OK; l++) {
        st = sip_ucie_link_eval(pkg, l, &links[l], err);
        flit_bytes = fmax(flit_bytes, (double)links[l].flit_bytes);
    }
    sip_network_t *net = NULL;
    if (st == SIP_OK)
        st = sip_network_create(pkg->name, flit_bytes > 0.0 ? flit_bytes : 1.0, &net, err);
    if (st != SIP_OK)
        goto out;
    net->n_instances = pkg->n_instances;
    net->instance_node = malloc((size_t)(pkg->n_instances > 0 ? pkg->n_instances : 1) * sizeof *net->instance_node);
    if (!net->instance_node) {
        st = sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "traffic: out of memory");
        goto out;
    }
    for (int i = 0; i < pkg->n_instances; i++) {
        net->instance_node[i] = -1;
        if (pkg->instances[i].attached_to >= 0)
            continue;
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        double clock = o.router_clock_ghz > 0.0 ? o.router_clock_ghz : fastest_clock_ghz(t);
        if (clock <= 0.0)
            clock = package_clock;
        if (clock <= 0.0) {
            st = sip_error_set(err, SIP_EINVAL, pkg->path, pkg->instances[i].line,
                               "traffic: no router clock for %s (expected an engine clock_ghz in the "
                               "package or a router clock option)", pkg->instances[i].name);
            goto out;
        }
        int v = sip_network_add_node(net, pkg->instances[i].name, t->kind, router_cycles / clock, err);
        if (v < 0) {
            st = err ? err->status : SIP_EINVAL;
            goto out;
        }
        net->nodes[v].instance = i;
        net->instance_node[i] = v;
    }
    for (int i = 0; i < pkg->n_instances; i++)
        if (pkg->instances[i].attached_to >= 0) {
            int h = host_of(pkg, i);
            net->instance_node[i] = h >= 0 ? net->instance_node[h] : -1;
        }
    /* The compute nodes in ring order (the collectives' order, as the workload uses it). */
    net->ring_nodes = malloc((size_t)net->n_nodes * sizeof *net->ring_nodes + 1);
    if (!net->ring_nodes) {
        st = sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "traffic: out of memory");
        goto out;
    }
    for (int v = 0; v < net->n_nodes; v++)
        if (net->nodes[v].kind == SIP_KIND_COMPUTE)
            net->ring_nodes[net->n_ring_nodes++] = net->nodes[v].instance;
    sip_package_ring_order(pkg, net->ring_nodes, net->n_ring_nodes);
    for (int k = 0; k < net->n_ring_nodes; k++)
        net->ring_nodes[k] = net->instance_node[net->ring_nodes[k]];
    double *out_bw = calloc((size_t)net->n_nodes + 1, sizeof *out_bw);
    double *in_bw = calloc((size_t)net->n_nodes + 1, sizeof *in_bw);
    if (!out_bw || !in_bw) {
        free(out_bw);
        free(in_bw);
        st = sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "traffic: out of memory");
        goto out;
    }
    for (int l = 0; l < pkg->n_links && st == SIP_OK; l++) {
        const sip_link_t *lk = &pkg->links[l];
        int a = net->instance_node[lk->from_instance], b = net->instance_node[lk->to_instance];
        /* a link trained down carries nothing; a link inside one vertex is not on the graph */
        if (a < 0 || b < 0 || a == b || !(links[l].payload_GBps_per_dir > 0.0))
            continue;
        for (int dir = 0; dir < 2 && st == SIP_OK; dir++) {
            int from = dir ? b : a, to = dir ? a : b;
            int c = sip_network_add_channel(net, from, to, links[l].payload_GBps_per_dir,
                                            links[l].latency_ns, links[l].energy_pj_per_bit, err);
            if (c < 0) {
                st = err ? err->status : SIP_EINVAL;
                break;
            }
            net->channels[c].link = l;
            out_bw[from] += links[l].payload_GBps_per_dir;
            in_bw[to] += links[l].payload_GBps_per_dir;
        }
    }
    /* Endpoints: a chiplet injects at most what its UCIe links carry out of it, shared by its
     * endpoints (issue 4: load "as a fraction of its link capacity").  The on-die path from an
     * engine to the D2D adapter is not modelled (0 ns): the router pipeline and the UCIe link
     * latency (adapter + PHY + flight + serialization) make up the zero-load latency. */
    for (int v = 0; v < net->n_nodes && st == SIP_OK; v++) {
        if (!(out_bw[v] > 0.0) || !(in_bw[v] > 0.0)) {
            const sip_instance_t *inst = &pkg->instances[net->nodes[v].instance];
            st = sip_error_set(err, SIP_EINVAL, pkg->path, inst->line,
                               "traffic: %s has no working UCIe link in %s direction (expected "
                               "every chiplet connected both ways)",
                               inst->name, out_bw[v] > 0.0 ? "the incoming" : "the outgoing");
            break;
        }
        /* router_delay_ns = router_cycles / clock, router_cycles > 0: back to the node's clock */
        const double ns_per_cycle = net->nodes[v].router_delay_ns / router_cycles;
        const double inj_ns = o.inject_cycles > 0.0 ? o.inject_cycles * ns_per_cycle : 0.0;
        const double ej_ns = o.eject_cycles > 0.0 ? o.eject_cycles * ns_per_cycle : 0.0;
        const double inj_GBps = o.endpoint_GBps > 0.0 ? o.endpoint_GBps : out_bw[v] / n_ep;
        const double ej_GBps = o.endpoint_GBps > 0.0 ? o.endpoint_GBps : in_bw[v] / n_ep;
        for (int e = 0; e < n_ep; e++)
            if (sip_network_add_endpoint(net, v, inj_GBps, ej_GBps, inj_ns, ej_ns, err) < 0) {
                st = err ? err->status : SIP_EINVAL;
                break;
            }
    }
    free(out_bw);
    free(in_bw);
    if (st == SIP_OK)
        assign_grid(pkg, net);
out:
    free(links);
    if (st != SIP_OK) {
        sip_network_destroy(net);
        return st;
    }
    *out = net;
    return SIP_OK;
}

sip_status_t sip_pattern_params_from_package(const sip_network_t *net, const sip_package_t *pkg,
                                             sip_pattern_params_t *params, sip_error_t *err)
{
    const sip_traffic_spec_t *t = &pkg->traffic;
    sip_pattern_params_init(params);
    if (t->load > 0.0) {
        params->load = t->load;
        params->load_in_GBps = t->load_in_GBps;
    } else if (strcmp(t->pattern, "explicit") == 0 || strcmp(t->pattern, "workload") == 0) {
        params->load = 1.0; /* the matrix (or the workload's demand, src/eval) as given */
    }
    if (t->n_hotspots > SIP_TRAFFIC_MAX_HOTSPOTS)
        return sip_error_set(err, SIP_ELIMIT, pkg->path, t->line, "traffic: %d hotspots (expected <= %d)",
                             t->n_hotspots, SIP_TRAFFIC_MAX_HOTSPOTS);
    for (int i = 0; i < t->n_hotspots; i++) {
        int inst = t->hotspots[i];
        int v = inst >= 0 && inst < net->n_instances ? net->instance_node[inst] : -1;
        if (v < 0)
            return sip_error_set(err, SIP_EINVAL, pkg->path, t->line,
                                 "traffic: hotspot instance %d is not on the UCIe graph", inst);
        params->hotspots[params->n_hotspots++] = v;
    }
    params->n_demands = t->n_demands;
    params->demands = t->demands;
    return SIP_OK;
}
