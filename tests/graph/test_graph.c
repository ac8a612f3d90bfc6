/* Package graph: construction, metrics against hand calculations, exports that read back.
 * Packages built in code; the shipped files are in test_graph_data.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../check/fixture.h"
#include "exports.h"
#include "graph/graph_internal.h"
#include "sipsim/graph.h"

static sip_graph_t *build(const sip_package_t *pkg)
{
    sip_graph_t *g = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_graph_build(pkg, &g, &err), SIP_OK, "%s", err.message);
    return g;
}

static sip_graph_metrics_t *metrics(const sip_graph_t *g)
{
    sip_graph_metrics_t *m = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_graph_metrics_compute(g, &m, &err), SIP_OK, "%s", err.message);
    return m;
}

Test(graph_build, attached_stacks_become_host_attributes)
{
    sip_package_t *pkg = fx_package();
    sip_graph_t *g = build(pkg);
    cr_assert_eq(sip_graph_vertex_count(g), 3); /* c0, io, c1; hbm0 folds into c0 */
    cr_assert_eq(sip_graph_edge_count(g), 2);
    cr_assert_eq(sip_graph_vertex_of_instance(g, FX_HBM0), -1);
    const sip_graph_vertex_t *c0 = sip_graph_vertex(g, sip_graph_vertex_of_instance(g, FX_C0));
    cr_assert_str_eq(c0->name, "c0");
    cr_assert_eq(c0->hbm_stacks, 1);
    cr_assert_float_eq(c0->hbm_GBps, 819.2, 1e-9);
    cr_assert_float_eq(c0->hbm_gb, 16.0, 1e-9);
    cr_assert_float_eq(c0->x_mm, 10.0, 1e-12); /* centre of 5..15 */
    const sip_graph_vertex_t *io = sip_graph_vertex(g, sip_graph_vertex_of_instance(g, FX_IO));
    cr_assert(io->is_io);
    cr_assert_eq(io->hbm_stacks, 0);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_build, edge_carries_raw_bandwidth_length_and_ucie_figures)
{
    sip_package_t *pkg = fx_package();
    sip_graph_t *g = build(pkg);
    const sip_graph_edge_t *e = sip_graph_edge(g, 0);
    /* 4 modules x 16 lanes x 16 GT/s / 8 = 128 GB/s per direction (facts.md §1.4 formula). */
    cr_assert_float_eq(e->bandwidth_GBps, 128.0, 1e-9);
    cr_assert_eq(e->modules, 4);
    cr_assert_eq(e->lanes, 16);
    cr_assert_float_eq(e->length_mm, 5.0, 1e-12);
    /* 68B flits carry 64 of 68 bytes at most (facts.md §1.5). */
    cr_assert_leq(e->payload_GBps, 128.0 * 64.0 / 68.0 + 1e-9);
    cr_assert_gt(e->payload_GBps, 100.0);
    cr_assert_gt(e->latency_ns, 0.0);
    /* Standard package, long reach, 0.7 V, <= 16 GT/s: 1.0 pJ/b (facts.md §1.4, Table 6). */
    cr_assert_gt(e->energy_pj_per_bit, 0.0);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_build, link_to_an_attached_stack_is_einval)
{
    sip_package_t *pkg = fx_package();
    pkg->instances[FX_IO].attached_to = FX_C1; /* io becomes a stack: l0 and l1 end on it */
    sip_graph_t *g = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_graph_build(pkg, &g, &err), SIP_EINVAL);
    cr_assert_null(g);
    cr_assert_eq(err.line, 20);
    sip_package_destroy(pkg);
}

/* Chain c0 - io - c1, both links 128 GB/s:
 *   diameter 2 hops (c0 to c1), average over the 3 pairs (1 + 1 + 2) / 3 = 4/3;
 *   balanced cut of 3 vertices = 1 | 2: cutting either link, 128 GB/s;
 *   io is the articulation point, both links are bridges;
 *   betweenness of l0: pairs (c0,io) and (c0,c1) use it = 2. */
Test(graph_metrics, chain_of_three_by_hand)
{
    sip_package_t *pkg = fx_package();
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    cr_assert_eq(m->n_components, 1);
    cr_assert_eq(m->diameter_hops, 2);
    cr_assert_float_eq(m->diameter_ns, sip_graph_edge(g, 0)->latency_ns + sip_graph_edge(g, 1)->latency_ns, 1e-9);
    cr_assert_float_eq(m->avg_path_hops, 4.0 / 3.0, 1e-12);
    cr_assert_eq(m->bisection_method, SIP_BISECTION_EXACT);
    cr_assert_float_eq(m->bisection_GBps, 128.0, 1e-9);
    cr_assert_eq(m->bisection_links, 1);
    cr_assert_eq(m->n_articulation_points, 1);
    cr_assert_eq(m->articulation_points[0], sip_graph_vertex_of_instance(g, FX_IO));
    cr_assert_eq(m->n_bridges, 2);
    cr_assert_float_eq(m->edge_betweenness[0], 2.0, 1e-12);
    cr_assert_float_eq(m->edge_betweenness[1], 2.0, 1e-12);
    cr_assert_float_eq(sip_graph_cut_GBps(g, m->bisection_side), m->bisection_GBps, 1e-9);
    cr_assert_not(m->bisection_side[0]);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

/* An R x C mesh of 10 x 10 mm dies on a 1 mm pitch gap, standard links of `modules` x16 at
 * 16 GT/s between neighbours (east-west and north-south). */
static sip_package_t *mesh(int rows, int cols, int modules)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    snprintf(pkg->name, sizeof pkg->name, "mesh_%dx%d", rows, cols);
    snprintf(pkg->path, sizeof pkg->path, "mesh.cfg");
    pkg->substrate.width_mm = 11.0 * cols + 1;
    pkg->substrate.height_mm = 11.0 * rows + 1;
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    snprintf(t.name, sizeof t.name, "tile");
    t.kind = SIP_KIND_IO; /* every tile has off-package I/O: keeps no-io-path quiet */
    t.n_ios = 0;
    t.width_mm = t.height_mm = 10.0;
    t.tdp_w = 10.0;
    const sip_edge_t edges[4] = {SIP_EDGE_NORTH, SIP_EDGE_EAST, SIP_EDGE_SOUTH, SIP_EDGE_WEST};
    for (int p = 0; p < 4; p++)
        fx_port(&t, (const char *[]){"n", "e", "s", "w"}[p], edges[p], 5.0, 5 + p);
    cr_assert_eq(sip_package_add_type(pkg, &t, NULL), 0);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            char name[16];
            snprintf(name, sizeof name, "t%d%d", r, c);
            fx_instance(pkg, name, 0, 1 + 11.0 * c, 1 + 11.0 * r, 10 + r * cols + c);
        }
    int line = 100;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int v = r * cols + c;
            char name[32];
            if (c + 1 < cols) {
                snprintf(name, sizeof name, "h%d", v);
                int k = fx_link(pkg, name, v, 1, v + 1, 3, line++);
                pkg->links[k].modules = modules;
            }
            if (r + 1 < rows) {
                snprintf(name, sizeof name, "v%d", v);
                int k = fx_link(pkg, name, v, 0, v + cols, 2, line++);
                pkg->links[k].modules = modules;
            }
        }
    return pkg;
}

/* 2 x 4 mesh, 2 modules per link: 2 x 16 x 16 / 8 = 64 GB/s per link.
 *   edges 2 x 3 horizontal + 4 vertical = 10; diameter 1 + 3 = 4 hops;
 *   balanced cuts: between columns 2 and 3 cuts 2 links = 128 GB/s; between the rows cuts 4 =
 *   256 GB/s; any other 4 | 4 split cuts more.  Bisection = 128 GB/s, 2 links. */
Test(graph_metrics, mesh_2x4_by_hand)
{
    sip_package_t *pkg = mesh(2, 4, 2);
    sip_check_result_t *r = NULL;
    cr_assert_eq(sip_check_run(pkg, &r, NULL), SIP_OK);
    cr_assert_eq(r->n_errors, 0, "%s", r->n_findings ? r->findings[0].message : "");
    sip_check_result_destroy(r);
    sip_graph_t *g = build(pkg);
    cr_assert_eq(sip_graph_edge_count(g), 10);
    sip_graph_metrics_t *m = metrics(g);
    cr_assert_eq(m->diameter_hops, 4);
    cr_assert_float_eq(m->bisection_GBps, 128.0, 1e-9);
    cr_assert_eq(m->bisection_links, 2);
    cr_assert_eq(m->n_articulation_points, 0);
    cr_assert_eq(m->n_bridges, 0);
    int left = 0;
    for (int v = 0; v < 8; v++)
        left += !m->bisection_side[v];
    cr_assert_eq(left, 4);
    /* Average over the 28 pairs of Manhattan distance: column part 4 row pairings x
     * (3 x 1 + 2 x 2 + 1 x 3) = 40, row part 4 x 4 pairs x 1 = 16; 56 / 28 = 2. */
    cr_assert_float_eq(m->avg_path_hops, 2.0, 1e-12);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

/* 5 x 6 mesh = 30 vertices: above the exact limit, so Kernighan-Lin.  The minimum balanced
 * cut (15 | 15) separates columns 0-2 from 3-5: 5 links x 32 GB/s (1 module) = 160 GB/s
 * (a cut between rows cannot balance 5 rows, and 6 vertical links > 5 anyway). */
Test(graph_metrics, kernighan_lin_finds_the_mesh_bisection)
{
    sip_package_t *pkg = mesh(5, 6, 1);
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    cr_assert_eq(m->bisection_method, SIP_BISECTION_KERNIGHAN_LIN);
    cr_assert_float_eq(m->bisection_GBps, 160.0, 1e-9);
    cr_assert_eq(m->bisection_links, 5);
    int left = 0;
    for (int v = 0; v < 30; v++)
        left += !m->bisection_side[v];
    cr_assert_eq(left, 15);
    cr_assert_eq(m->diameter_hops, 4 + 5);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

/* 3 x 3 mesh, 1 module = 32 GB/s per link, 12 links; balanced = 4 | 5.
 * The cut around a 4-vertex side S is (sum of degrees in S) - 2 x (links inside S).
 * Degrees: corners 2, edge middles 3, centre 4.  At most 4 links fit inside 4 grid vertices
 * (a 2 x 2 block, which holds a corner, two middles and the centre: 12 - 8 = 4); with 3
 * inside (a tree) the cheapest degree sum is 2 + 3 + 2 + 3 = 10 (an L or a row plus one):
 * 10 - 6 = 4.  So the bisection is 4 links = 128 GB/s. */
Test(graph_metrics, odd_mesh_3x3_by_hand)
{
    sip_package_t *pkg = mesh(3, 3, 1);
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    cr_assert_eq(m->bisection_method, SIP_BISECTION_EXACT);
    cr_assert_float_eq(m->bisection_GBps, 128.0, 1e-9);
    cr_assert_eq(m->bisection_links, 4);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_metrics, disconnected_graph_reports_components)
{
    sip_package_t *pkg = fx_package();
    pkg->n_links = 1;
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    cr_assert_eq(m->n_components, 2);
    cr_assert_eq(m->diameter_hops, 1);
    cr_assert_float_eq(m->bisection_GBps, 0.0, 1e-12); /* {c1} | {c0, io} cuts nothing */
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_metrics, empty_and_single_vertex_graphs)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    cr_assert_eq(m->bisection_method, SIP_BISECTION_NONE);
    cr_assert_eq(m->diameter_hops, 0);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_export, formats_by_name)
{
    cr_assert_eq(sip_graph_format_lookup("graphml"), SIP_GRAPH_FORMAT_GRAPHML);
    cr_assert_eq(sip_graph_format_lookup("dot"), SIP_GRAPH_FORMAT_DOT);
    cr_assert_eq(sip_graph_format_lookup("gv"), SIP_GRAPH_FORMAT_DOT);
    cr_assert_eq(sip_graph_format_lookup("json"), SIP_GRAPH_FORMAT_JSON);
    cr_assert_eq(sip_graph_format_lookup("xml"), -1);
}

Test(graph_export, every_format_carries_the_same_attributes)
{
    sip_package_t *pkg = fx_package();
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    ex_check_all(g, NULL);
    ex_check_all(g, m);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_export, names_needing_escapes_survive_every_format)
{
    sip_package_t *pkg = fx_package();
    snprintf(pkg->name, sizeof pkg->name, "a \"quoted\" <pkg> & 'co' \\ x");
    snprintf(pkg->instances[FX_C0].name, SIP_NAME_MAX, "c<0>&\"");
    snprintf(pkg->links[0].name, SIP_NAME_MAX, "l'0'\\");
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    ex_check_all(g, m);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

Test(graph_export, metrics_of_another_graph_are_rejected)
{
    sip_package_t *pkg = fx_package();
    sip_graph_t *g = build(pkg);
    sip_graph_metrics_t *m = metrics(g);
    pkg->n_links = 1;
    sip_graph_t *g2 = build(pkg);
    char *text = NULL;
    cr_assert_eq(sip_graph_export(g2, m, SIP_GRAPH_FORMAT_JSON, &text, NULL), SIP_EINVAL);
    cr_assert_null(text);
    sip_graph_destroy(g2);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}
