/* The shipped packages: every one's DOT renders and its GraphML reads back with the same
 * counts and attributes; default.cfg and mesh_2x4.cfg against hand calculations.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <string.h>

#include "../check/shipped.h"
#include "exports.h"

static void load_graph(const char *path, sip_package_t **pkg, sip_graph_t **g,
                       sip_graph_metrics_t **m)
{
    *pkg = shipped_load(path);
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_graph_build(*pkg, g, &err), SIP_OK, "%s: %s", path, err.message);
    cr_assert_eq(sip_graph_metrics_compute(*g, m, &err), SIP_OK, "%s: %s", path, err.message);
}

static void load_named(const char *name, sip_package_t **pkg, sip_graph_t **g,
                       sip_graph_metrics_t **m)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/topologies/%s", shipped_root(), name);
    load_graph(path, pkg, g, m);
}

static int vertex(const sip_graph_t *g, const char *name)
{
    for (int v = 0; v < sip_graph_vertex_count(g); v++)
        if (strcmp(sip_graph_vertex(g, v)->name, name) == 0)
            return v;
    cr_assert_fail("no vertex '%s'", name);
    return -1;
}

static const sip_graph_edge_t *edge(const sip_graph_t *g, const char *name)
{
    for (int k = 0; k < sip_graph_edge_count(g); k++)
        if (strcmp(sip_graph_edge(g, k)->name, name) == 0)
            return sip_graph_edge(g, k);
    cr_assert_fail("no link '%s'", name);
    return NULL;
}

Test(graph_data, every_shipped_package_exports_render_and_read_back, .timeout = 240)
{
    shipped_t s;
    shipped_packages(&s);
    cr_assert_geq(s.n, 7);
    for (int i = 0; i < s.n; i++) {
        sip_package_t *pkg;
        sip_graph_t *g;
        sip_graph_metrics_t *m;
        load_graph(s.path[i], &pkg, &g, &m);
        /* Reference designs include monolithic dies (one vertex, no links). */
        cr_assert_geq(sip_graph_vertex_count(g), 1, "%s", s.path[i]);
        cr_assert_eq(m->n_components, 1, "%s", s.path[i]);
        ex_check_all(g, m);
        sip_graph_metrics_destroy(m);
        sip_graph_destroy(g);
        sip_package_destroy(pkg);
    }
}

/* default.cfg, by hand (the same arithmetic heads the file):
 *   vertices c0 c1 c2 c3 io (the four HBM3 stacks are attached: hbm_GBps 819.2 each host);
 *   8 links, each 4 modules x 16 lanes x 32 GT/s / 8 = 256 GB/s per direction;
 *   a wheel: spokes cN-io, ring c0-c1-c2-c3-c0.
 *   Diameter: opposite dies (c0-c2, c1-c3) are 2 hops apart, all else 1 -> 2 hops.
 *   Bisection (2 | 3 vertices): side {a, b} cuts deg(a) + deg(b) - 2 x links(a, b) with
 *   deg(cN) = 3, deg(io) = 4: ring neighbours 3 + 3 - 2 = 4, opposite dies 6, io with a die
 *   4 + 3 - 2 = 5 -> 4 links x 256 = 1024 GB/s.
 *   Average path: 10 pairs, 2 of them (the opposite dies) at 2 hops -> 12 / 10 = 1.2 hops.
 *   Diameter in ns: the opposite dies' best path takes two ring links, one vertical (1 mm)
 *   and one horizontal (14 mm): latency(c0-c1) + latency(c1-c2). */
Test(graph_data, default_package_by_hand)
{
    sip_package_t *pkg;
    sip_graph_t *g;
    sip_graph_metrics_t *m;
    load_named("default.cfg", &pkg, &g, &m);
    cr_assert_eq(sip_graph_vertex_count(g), 5);
    cr_assert_eq(sip_graph_edge_count(g), 8);
    for (int k = 0; k < 8; k++)
        cr_assert_float_eq(sip_graph_edge(g, k)->bandwidth_GBps, 4 * 16 * 32 / 8.0, 1e-9);
    cr_assert_eq(m->diameter_hops, 2);
    cr_assert_float_eq(m->bisection_GBps, 1024.0, 1e-9);
    cr_assert_eq(m->bisection_links, 4);
    cr_assert_eq(m->bisection_method, SIP_BISECTION_EXACT);
    cr_assert_float_eq(m->avg_path_hops, 1.2, 1e-12);
    double two_ring_links = edge(g, "c0-c1")->latency_ns + edge(g, "c1-c2")->latency_ns;
    cr_assert_float_eq(m->diameter_ns, two_ring_links, 1e-9);
    cr_assert_eq(m->n_articulation_points, 0);
    cr_assert_eq(m->n_bridges, 0);
    cr_assert_float_eq(sip_graph_vertex(g, vertex(g, "c0"))->hbm_GBps, 819.2, 1e-9);
    cr_assert_float_eq(sip_graph_vertex(g, vertex(g, "io"))->hbm_GBps, 0.0, 1e-12);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}

/* mesh_2x4.cfg, by hand (the same arithmetic heads the file):
 *   vertices a0..a3 (north row), b0..b3 (south row), io west of column 0: 9;
 *   12 links of 4 x 16 x 32 / 8 = 256 GB/s: 6 along the rows, 4 up the columns, io-a0, io-b0.
 *   Diameter: io to a3 (io-a0-a1-a2-a3) = 4 hops, as are a0-b3 and b0-a3; nothing longer.
 *   Bisection (4 | 5): no link is a bridge (each lies on a cycle; io-a0-b0 closes the west
 *   end), so every cut takes >= 2 links; {a2 a3 b2 b3} | {io a0 a1 b0 b1} takes exactly 2
 *   (a1-a2, b1-b2) -> 2 x 256 = 512 GB/s.
 *   Average path: the 8 mesh dies give 56 over 28 pairs (columns 4 x (3x1 + 2x2 + 1x3) = 40,
 *   rows 16 x 1 = 16); io adds 2 x (1 + 2 + 3 + 4) = 20 over 8 pairs: 76 / 36 hops.
 *   Diameter in ns: io-a0 + 3 row links. */
Test(graph_data, mesh_2x4_package_by_hand)
{
    sip_package_t *pkg;
    sip_graph_t *g;
    sip_graph_metrics_t *m;
    load_named("mesh_2x4.cfg", &pkg, &g, &m);
    cr_assert_eq(sip_graph_vertex_count(g), 9);
    cr_assert_eq(sip_graph_edge_count(g), 12);
    for (int k = 0; k < 12; k++)
        cr_assert_float_eq(sip_graph_edge(g, k)->bandwidth_GBps, 256.0, 1e-9);
    cr_assert_eq(m->diameter_hops, 4);
    cr_assert_float_eq(m->bisection_GBps, 512.0, 1e-9);
    cr_assert_eq(m->bisection_links, 2);
    cr_assert_float_eq(m->avg_path_hops, 76.0 / 36.0, 1e-12);
    double io_to_a3 = edge(g, "io-a0")->latency_ns + edge(g, "a0-a1")->latency_ns +
                      edge(g, "a1-a2")->latency_ns + edge(g, "a2-a3")->latency_ns;
    cr_assert_float_eq(m->diameter_ns, io_to_a3, 1e-9);
    /* The cut separates the east columns from the rest. */
    int a2 = vertex(g, "a2"), a3 = vertex(g, "a3"), b2 = vertex(g, "b2"), b3 = vertex(g, "b3");
    cr_assert(m->bisection_side[a2] == m->bisection_side[a3] &&
              m->bisection_side[a2] == m->bisection_side[b2] &&
              m->bisection_side[a2] == m->bisection_side[b3]);
    cr_assert_neq(m->bisection_side[a2], m->bisection_side[vertex(g, "io")]);
    sip_graph_metrics_destroy(m);
    sip_graph_destroy(g);
    sip_package_destroy(pkg);
}
