/* Placement generators for sweeps: re-place the dies of the UCIe graph (instances not attached
 * to a host) as a mesh, a ring or a star, carry each die's attached memory stacks along at their
 * base offsets (die + stacks = one tile), and rewire the links between neighbours through free
 * ports on the facing edges.  The substrate is resized to the tiles plus a margin.
 *
 *   mesh: tiles row-major on a ceil(sqrt(n))-column grid; links to the east and south neighbour.
 *   ring: tiles on two rows (first half left to right, second half right to left); links
 *         between consecutive tiles and from the last back to the first.
 *   star: the first non-compute die (the I/O die) is the hub in the middle column, the other tiles
 *         alternate into a west and an east column; one link per tile to the hub.
 * Generated links copy the template link (the base's first link after the variant's settings:
 * rate, modules, flit, protocol, voltage) and are clamped to what both ports offer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/sweep_internal.h"

typedef struct {
    int host;                /* instance index */
    double x0, y0, w, h;     /* tile bounding box in base coordinates */
} tile_t;

typedef struct {
    sip_package_t *pkg;
    uint32_t *used;          /* per instance: ports taken by generated links */
    const sip_link_t *tmpl;
    sip_error_t *err;
    const char *name;        /* generator name for messages */
} wiring_t;

static void move_tile(sip_package_t *pkg, const tile_t *t, double x, double y)
{
    double dx = x - t->x0, dy = y - t->y0;
    for (int i = 0; i < pkg->n_instances; i++)
        if (i == t->host || pkg->instances[i].attached_to == t->host) {
            pkg->instances[i].x_mm += dx;
            pkg->instances[i].y_mm += dy;
        }
}

static void centre(const sip_package_t *pkg, int inst, double *x, double *y)
{
    sip_rect_t r = sip_instance_rect(pkg, inst);
    *x = 0.5 * (r.x0_mm + r.x1_mm);
    *y = 0.5 * (r.y0_mm + r.y1_mm);
}

/* The free port of `inst` on `edge` (after rotation) nearest to (tx, ty) with package `want`
 * (-1 = any); -1 if none. */
static int pick_port(const wiring_t *w, int inst, sip_edge_t edge, double tx, double ty, int want)
{
    const sip_chiplet_type_t *t = sip_instance_type(w->pkg, inst);
    int best = -1;
    double best_d = INFINITY;
    for (int p = 0; p < t->n_ports && p < 32; p++) {
        if (w->used[inst] & (1u << p))
            continue;
        if (want >= 0 && (int)t->ports[p].package != want)
            continue;
        double x, y;
        sip_edge_t e;
        sip_port_location(w->pkg, inst, p, &x, &y, &e);
        if (e != edge)
            continue;
        double d = fabs(x - tx) + fabs(y - ty);
        if (d < best_d) {
            best_d = d;
            best = p;
        }
    }
    return best;
}

static sip_status_t wire(wiring_t *w, int a, int b)
{
    sip_package_t *pkg = w->pkg;
    double ax, ay, bx, by;
    centre(pkg, a, &ax, &ay);
    centre(pkg, b, &bx, &by);
    double dx = bx - ax, dy = by - ay;
    sip_edge_t ea, eb;
    if (fabs(dx) >= fabs(dy)) {
        ea = dx >= 0 ? SIP_EDGE_EAST : SIP_EDGE_WEST;
        eb = dx >= 0 ? SIP_EDGE_WEST : SIP_EDGE_EAST;
    } else {
        ea = dy >= 0 ? SIP_EDGE_NORTH : SIP_EDGE_SOUTH;
        eb = dy >= 0 ? SIP_EDGE_SOUTH : SIP_EDGE_NORTH;
    }
    /* The facing edge first; a die without a free port there (an I/O die with ports only on
     * its long sides) may use a side edge, never its back edge. */
    sip_edge_t side1 = (sip_edge_t)((ea + 1) % 4), side2 = (sip_edge_t)((ea + 3) % 4);
    const sip_edge_t try_a[3] = {ea, side1, side2};
    const sip_edge_t try_b[3] = {eb, side1, side2};
    int pa = -1, pb = -1;
    for (int i = 0; i < 3 && pa < 0; i++)
        pa = pick_port(w, a, try_a[i], bx, by, -1);
    for (int i = 0; i < 3 && pa >= 0 && pb < 0; i++)
        pb = pick_port(w, b, try_b[i], ax, ay, (int)sip_instance_type(pkg, a)->ports[pa].package);
    if (pa < 0 || pb < 0)
        return sip_error_set(w->err, SIP_EINVAL, NULL, 0,
                             "placement %s: no free %s port on the %s edge of '%s' for a link to '%s'",
                             w->name, pa < 0 ? "UCIe" : "matching", sip_edge_name(pa < 0 ? ea : eb),
                             pkg->instances[pa < 0 ? a : b].name, pkg->instances[pa < 0 ? b : a].name);
    const sip_port_t *A = &sip_instance_type(pkg, a)->ports[pa], *B = &sip_instance_type(pkg, b)->ports[pb];
    sip_link_t k;
    if (w->tmpl) {
        k = *w->tmpl;
    } else {
        sip_link_init(&k);
        k.modules = 4;
        k.rate_gtps = INFINITY;
    }
    snprintf(k.name, sizeof k.name, "%.30s-%.30s", pkg->instances[a].name, pkg->instances[b].name);
    k.from_instance = a;
    k.from_port = pa;
    k.to_instance = b;
    k.to_port = pb;
    k.package = A->package;
    k.length_mm = -1.0; /* Manhattan distance between the new port centres */
    k.failed_lanes = 0;
    int mods = A->modules < B->modules ? A->modules : B->modules;
    if (k.modules > mods)
        k.modules = mods;
    double rate = A->max_rate_gtps < B->max_rate_gtps ? A->max_rate_gtps : B->max_rate_gtps;
    if (k.rate_gtps > rate)
        k.rate_gtps = rate;
    if (sip_package_add_link(pkg, &k, w->err) < 0)
        return w->err ? w->err->status : SIP_ELIMIT;
    w->used[a] |= 1u << pa;
    w->used[b] |= 1u << pb;
    return SIP_OK;
}

sip_status_t sip__placement_apply(sip_package_t *pkg, sip_placement_t placement, double gap_mm,
                                  const sip_link_t *link_template, sip_error_t *err)
{
    int n = 0;
    tile_t *tiles = malloc((size_t)pkg->n_instances * sizeof *tiles);
    uint32_t *used = calloc((size_t)pkg->n_instances, sizeof *used);
    sip_status_t st = SIP_OK;
    if (!tiles || !used) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    for (int i = 0; i < pkg->n_instances; i++) {
        if (pkg->instances[i].attached_to >= 0)
            continue;
        sip_rect_t r = sip_instance_rect(pkg, i);
        for (int j = 0; j < pkg->n_instances; j++)
            if (pkg->instances[j].attached_to == i) {
                sip_rect_t s = sip_instance_rect(pkg, j);
                r.x0_mm = fmin(r.x0_mm, s.x0_mm);
                r.y0_mm = fmin(r.y0_mm, s.y0_mm);
                r.x1_mm = fmax(r.x1_mm, s.x1_mm);
                r.y1_mm = fmax(r.y1_mm, s.y1_mm);
            }
        tiles[n++] = (tile_t){i, r.x0_mm, r.y0_mm, r.x1_mm - r.x0_mm, r.y1_mm - r.y0_mm};
    }
    double cw = 0, ch = 0;
    for (int i = 0; i < n; i++) {
        cw = fmax(cw, tiles[i].w);
        ch = fmax(ch, tiles[i].h);
    }
    double px = cw + gap_mm, py = ch + gap_mm;
    /* Tile i goes to cell (col[i], row[i]); rows count downwards from the top. */
    int *col = malloc((size_t)(n ? n : 1) * sizeof *col), *row = malloc((size_t)(n ? n : 1) * sizeof *row);
    if (!col || !row) {
        free(col);
        free(row);
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    int hub = -1;
    if (placement == SIP_PLACEMENT_MESH) {
        int cols = (int)ceil(sqrt((double)n));
        for (int i = 0; i < n; i++) {
            col[i] = i % cols;
            row[i] = i / cols;
        }
    } else if (placement == SIP_PLACEMENT_RING) {
        int top = (n + 1) / 2;
        for (int i = 0; i < n; i++) {
            col[i] = i < top ? i : top - 1 - (i - top);
            row[i] = i < top ? 0 : 1;
        }
    } else {
        for (int i = 0; i < n && hub < 0; i++)
            if (sip_instance_type(pkg, tiles[i].host)->kind != SIP_KIND_COMPUTE)
                hub = i;
        if (hub < 0)
            hub = 0;
        int side = 0, left = 0, right = 0;
        for (int i = 0; i < n; i++) {
            if (i == hub)
                continue;
            col[i] = side ? 2 : 0;
            row[i] = side ? right++ : left++;
            side ^= 1;
        }
        int rows = left > right ? left : right;
        col[hub] = 1;
        row[hub] = 0;
        /* The hub sits level with the middle of the columns (half-row offsets allowed). */
        double mid = rows > 0 ? 0.5 * (rows - 1) : 0.0;
        int rows_total = rows > 0 ? rows : 1;
        for (int i = 0; i < n; i++) {
            double r = i == hub ? mid : row[i];
            double x = gap_mm + col[i] * px + 0.5 * (cw - tiles[i].w);
            double y = gap_mm + (rows_total - 1 - r) * py + 0.5 * (ch - tiles[i].h);
            move_tile(pkg, &tiles[i], x, y);
        }
        pkg->substrate.width_mm = 3 * px + gap_mm;
        pkg->substrate.height_mm = rows_total * py + gap_mm;
    }
    if (placement != SIP_PLACEMENT_STAR) {
        int cols = 0, rows = 0;
        for (int i = 0; i < n; i++) {
            cols = col[i] + 1 > cols ? col[i] + 1 : cols;
            rows = row[i] + 1 > rows ? row[i] + 1 : rows;
        }
        for (int i = 0; i < n; i++) {
            double x = gap_mm + col[i] * px + 0.5 * (cw - tiles[i].w);
            double y = gap_mm + (rows - 1 - row[i]) * py + 0.5 * (ch - tiles[i].h);
            move_tile(pkg, &tiles[i], x, y);
        }
        pkg->substrate.width_mm = cols * px + gap_mm;
        pkg->substrate.height_mm = rows * py + gap_mm;
    }
    /* Rewire. */
    pkg->n_links = 0;
    wiring_t w = {.pkg = pkg, .used = used, .tmpl = link_template, .err = err,
                  .name = sip_placement_name(placement)};
    if (placement == SIP_PLACEMENT_MESH) {
        for (int i = 0; i < n && st == SIP_OK; i++)
            for (int j = i + 1; j < n && st == SIP_OK; j++)
                if ((row[i] == row[j] && col[j] == col[i] + 1) || (col[i] == col[j] && row[j] == row[i] + 1))
                    st = wire(&w, tiles[i].host, tiles[j].host);
    } else if (placement == SIP_PLACEMENT_RING) {
        for (int i = 0; i + 1 < n && st == SIP_OK; i++)
            st = wire(&w, tiles[i].host, tiles[i + 1].host);
        if (n > 2 && st == SIP_OK)
            st = wire(&w, tiles[n - 1].host, tiles[0].host);
    } else {
        for (int i = 0; i < n && st == SIP_OK; i++)
            if (i != hub)
                st = wire(&w, tiles[i].host, tiles[hub].host);
    }
    free(col);
    free(row);
out:
    free(tiles);
    free(used);
    return st;
}
