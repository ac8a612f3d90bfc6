/* Package graph: vertices from unattached instances, edges from links.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"
#include "model/model_internal.h"

static bool die_is_io(const sip_chiplet_type_t *t)
{
    return t->kind == SIP_KIND_IO || t->n_ios > 0;
}

/* Memory an attached stack brings to its host: every memory entry of the stack's type. */
static void add_stack(sip_graph_vertex_t *v, const sip_chiplet_type_t *t)
{
    v->hbm_stacks++;
    for (int m = 0; m < t->n_memories; m++) {
        v->hbm_GBps += t->memories[m].bandwidth_GBps;
        v->hbm_gb += t->memories[m].capacity_gb;
    }
}

static sip_status_t check_indices(const sip_package_t *pkg, sip_error_t *err)
{
    for (int i = 0; i < pkg->n_instances; i++)
        SIP_TRY(sip__instance_check_indices(pkg, i, err));
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        int ends[2] = {l->from_instance, l->to_instance};
        for (int e = 0; e < 2; e++) {
            SIP_TRY(sip__link_check_end(pkg, k, e, err));
            if (pkg->instances[ends[e]].attached_to >= 0)
                return sip_error_set(err, SIP_EINVAL, pkg->path, l->line,
                                     "link '%s' ends on attached memory stack '%s' (attached "
                                     "stacks are not UCIe graph vertices)",
                                     l->name, pkg->instances[ends[e]].name);
        }
    }
    return SIP_OK;
}

sip_status_t sip_graph_build(const sip_package_t *pkg, sip_graph_t **out, sip_error_t *err)
{
    *out = NULL;
    SIP_TRY(check_indices(pkg, err));
    sip_graph_t *g = calloc(1, sizeof *g);
    if (!g)
        return sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "cannot allocate graph");
    sip_status_t st = SIP_OK;
    snprintf(g->name, sizeof g->name, "%s", pkg->name);
    snprintf(g->path, sizeof g->path, "%s", pkg->path);
    g->substrate = pkg->substrate.kind;
    g->substrate_width_mm = pkg->substrate.width_mm;
    g->substrate_height_mm = pkg->substrate.height_mm;
    size_t ni = (size_t)pkg->n_instances, nl = (size_t)pkg->n_links;
    g->n_instances = pkg->n_instances;
    g->vertex_of_instance = malloc((ni ? ni : 1) * sizeof *g->vertex_of_instance);
    g->vertices = calloc(ni ? ni : 1, sizeof *g->vertices);
    g->edges = calloc(nl ? nl : 1, sizeof *g->edges);
    if (!g->vertex_of_instance || !g->vertices || !g->edges) {
        st = sip_error_set(err, SIP_ENOMEM, pkg->path, 0, "cannot allocate graph");
        goto out;
    }
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_instance_t *in = &pkg->instances[i];
        g->vertex_of_instance[i] = -1;
        if (in->attached_to >= 0)
            continue;
        const sip_chiplet_type_t *t = sip_instance_type(pkg, i);
        sip_rect_t r = sip_instance_rect(pkg, i);
        sip_graph_vertex_t *v = &g->vertices[g->n_vertices];
        v->instance = i;
        snprintf(v->name, sizeof v->name, "%s", in->name);
        snprintf(v->type, sizeof v->type, "%s", t->name);
        v->kind = t->kind;
        v->is_io = die_is_io(t);
        v->x_mm = (r.x0_mm + r.x1_mm) / 2;
        v->y_mm = (r.y0_mm + r.y1_mm) / 2;
        v->width_mm = r.x1_mm - r.x0_mm;
        v->height_mm = r.y1_mm - r.y0_mm;
        v->power_w = sip_instance_power_w(pkg, i);
        g->vertex_of_instance[i] = g->n_vertices++;
    }
    for (int i = 0; i < pkg->n_instances; i++) {
        int host = pkg->instances[i].attached_to;
        if (host >= 0)
            add_stack(&g->vertices[g->vertex_of_instance[host]], sip_instance_type(pkg, i));
    }
    for (int k = 0; k < pkg->n_links; k++) {
        const sip_link_t *l = &pkg->links[k];
        sip_graph_edge_t *e = &g->edges[k];
        e->link = k;
        snprintf(e->name, sizeof e->name, "%s", l->name);
        e->from = g->vertex_of_instance[l->from_instance];
        e->to = g->vertex_of_instance[l->to_instance];
        e->package = l->package;
        e->modules = l->modules;
        e->lanes = sip_link_lanes_per_module(l);
        e->rate_gtps = l->rate_gtps;
        e->length_mm = sip_link_length_mm(pkg, k);
        st = sip__graph_link_figures(pkg, k, e, err);
        if (st != SIP_OK)
            goto out;
    }
    g->n_edges = pkg->n_links;
out:
    if (st != SIP_OK) {
        sip_graph_destroy(g);
        return st;
    }
    *out = g;
    return SIP_OK;
}

void sip_graph_destroy(sip_graph_t *graph)
{
    if (!graph)
        return;
    free(graph->vertex_of_instance);
    free(graph->vertices);
    free(graph->edges);
    free(graph);
}

const char *sip_graph_name(const sip_graph_t *graph) { return graph->name; }
int sip_graph_vertex_count(const sip_graph_t *graph) { return graph->n_vertices; }
int sip_graph_edge_count(const sip_graph_t *graph) { return graph->n_edges; }

const sip_graph_vertex_t *sip_graph_vertex(const sip_graph_t *graph, int vertex)
{
    return (vertex >= 0 && vertex < graph->n_vertices) ? &graph->vertices[vertex] : NULL;
}

const sip_graph_edge_t *sip_graph_edge(const sip_graph_t *graph, int edge)
{
    return (edge >= 0 && edge < graph->n_edges) ? &graph->edges[edge] : NULL;
}

int sip_graph_vertex_of_instance(const sip_graph_t *graph, int instance)
{
    return (instance >= 0 && instance < graph->n_instances) ? graph->vertex_of_instance[instance]
                                                            : -1;
}

double sip_graph_cut_GBps(const sip_graph_t *graph, const bool *side)
{
    double cut = 0;
    for (int k = 0; k < graph->n_edges; k++)
        if (side[graph->edges[k].from] != side[graph->edges[k].to])
            cut += graph->edges[k].bandwidth_GBps;
    return cut;
}
