/* Package model: lifetime, enum tables, geometry.  SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/model.h"
#include "model/model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"compute", "memory", "io", "custom"};
static const char *const edge_names[] = {"north", "east", "south", "west"};
static const char *const ucie_package_names[] = {"standard", "advanced"};
static const char *const substrate_names[] = {"organic", "interposer", "bridge"};
static const char *const precision_names[] = {"int4", "int8", "fp4", "fp6", "fp8", "fp16",
                                              "bf16", "tf32", "fp32", "fp64"};
/* Bit length of an operand as stored (TF32 occupies a 32-bit word). */
static const int precision_bits[] = {4, 8, 4, 6, 8, 16, 16, 32, 32, 64};
static const char *const engine_kind_names[] = {"systolic", "vector"};
static const char *const dataflow_names[] = {"os", "ws", "is"};
static const char *const memory_kind_names[] = {"hbm2e", "hbm3", "hbm3e", "ddr5", "lpddr5", "sram"};
static const char *const io_kind_names[] = {"pcie6", "pcie5", "cxl", "ethernet", "ucie_bridge",
                                            "optical", "nvlink"};
static const char *const flit_names[] = {"raw", "68b", "256b_standard", "256b_latopt",
                                         "256b_latopt_optional"};
static const char *const protocol_names[] = {"pcie", "cxl_io", "cxl_cachemem", "streaming"};
static const char *const cooling_names[] = {"air", "liquid"};
static const char *const transistor_names[] = {"unknown", "planar", "finfet", "gaa"};

#define NAME_FN(fn, type, table, count)                                                        \
    const char *fn(type v) { return ((unsigned)v < (unsigned)(count)) ? table[v] : "?"; }      \
    const char *const *fn##s(void) { return table; }

NAME_FN(sip_kind_name, sip_kind_t, kind_names, SIP_KIND_COUNT)
NAME_FN(sip_edge_name, sip_edge_t, edge_names, SIP_EDGE_COUNT)
NAME_FN(sip_ucie_package_name, sip_ucie_package_t, ucie_package_names, SIP_UCIE_PACKAGE_COUNT)
NAME_FN(sip_substrate_name, sip_substrate_kind_t, substrate_names, SIP_SUBSTRATE_COUNT)
NAME_FN(sip_precision_name, sip_precision_t, precision_names, SIP_PREC_COUNT)
NAME_FN(sip_engine_kind_name, sip_engine_kind_t, engine_kind_names, SIP_ENGINE_KIND_COUNT)
NAME_FN(sip_dataflow_name, sip_dataflow_t, dataflow_names, SIP_DATAFLOW_COUNT)
NAME_FN(sip_memory_kind_name, sip_memory_kind_t, memory_kind_names, SIP_MEM_KIND_COUNT)
NAME_FN(sip_io_kind_name, sip_io_kind_t, io_kind_names, SIP_IO_KIND_COUNT)
NAME_FN(sip_flit_name, sip_flit_format_t, flit_names, SIP_FLIT_COUNT)
NAME_FN(sip_protocol_name, sip_protocol_t, protocol_names, SIP_PROTO_COUNT)
NAME_FN(sip_cooling_name, sip_cooling_t, cooling_names, SIP_COOLING_COUNT)
NAME_FN(sip_transistor_name, sip_transistor_t, transistor_names, SIP_TRANSISTOR_COUNT)

int sip_precision_bits(sip_precision_t precision)
{
    return ((unsigned)precision < SIP_PREC_COUNT) ? precision_bits[precision] : 0;
}

int sip_enum_lookup(const char *const *names, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

sip_status_t sip_package_create(sip_package_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_package_t *pkg = calloc(1, sizeof *pkg);
    if (!pkg)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate package");
    pkg->substrate.kind = SIP_SUBSTRATE_ORGANIC;
    /* Defaults documented in `sipsim help thermal`; Tj,max 95 C is the assumption of facts.md §3.2. */
    pkg->thermal.ambient_c = 35.0;
    pkg->thermal.tj_max_c = 95.0;
    pkg->thermal.cooling = SIP_COOLING_AIR;
    pkg->thermal.sink_r_c_per_w = -1.0;
    pkg->thermal.power_budget_w = -1.0;
    pkg->thermal.power_density_limit_w_per_mm2 = -1.0;
    pkg->traffic.endpoints_per_chiplet = 1;
    *out = pkg;
    return SIP_OK;
}

void sip_package_destroy(sip_package_t *pkg)
{
    if (!pkg)
        return;
    free(pkg->types);
    free(pkg->instances);
    free(pkg->links);
    free(pkg->traffic.demands);
    free(pkg);
}

/* Copies keep the capacity `append` assumes: the next power of two at or above n. */
static void *dup_array(const void *src, size_t n, size_t size, bool *ok)
{
    if (n == 0 || !src)
        return NULL;
    size_t cap = 4;
    while (cap < n)
        cap *= 2;
    void *p = malloc(cap * size);
    if (!p) {
        *ok = false;
        return NULL;
    }
    memcpy(p, src, n * size);
    return p;
}

sip_status_t sip_package_clone(const sip_package_t *pkg, sip_package_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_package_t *copy = malloc(sizeof *copy);
    if (!copy)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate package copy");
    *copy = *pkg;
    bool ok = true;
    copy->types = dup_array(pkg->types, (size_t)pkg->n_types, sizeof *pkg->types, &ok);
    copy->instances = dup_array(pkg->instances, (size_t)pkg->n_instances, sizeof *pkg->instances, &ok);
    copy->links = dup_array(pkg->links, (size_t)pkg->n_links, sizeof *pkg->links, &ok);
    copy->traffic.demands = dup_array(pkg->traffic.demands, (size_t)pkg->traffic.n_demands,
                                      sizeof *pkg->traffic.demands, &ok);
    if (!ok) {
        sip_package_destroy(copy);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate package copy");
    }
    *out = copy;
    return SIP_OK;
}

/* Grow an owned array by one element; capacity doubles at powers of two. */
static int append(void **array, int *count, int limit, const void *elem, size_t size,
                  const char *what, sip_error_t *err)
{
    if (*count >= limit) {
        sip_error_set(err, SIP_ELIMIT, NULL, 0, "too many %s (limit %d)", what, limit);
        return -1;
    }
    int n = *count;
    if ((n & (n - 1)) == 0) { /* n is 0 or a power of two: grow */
        size_t cap = n == 0 ? 4 : (size_t)n * 2;
        void *p = realloc(*array, cap * size);
        if (!p) {
            sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate %s", what);
            return -1;
        }
        *array = p;
    }
    memcpy((char *)*array + (size_t)n * size, elem, size);
    *count = n + 1;
    return n;
}

int sip_package_add_type(sip_package_t *pkg, const sip_chiplet_type_t *type, sip_error_t *err)
{
    return append((void **)&pkg->types, &pkg->n_types, SIP_MAX_TYPES, type, sizeof *type,
                  "chiplet types", err);
}

int sip_package_add_instance(sip_package_t *pkg, const sip_instance_t *inst, sip_error_t *err)
{
    return append((void **)&pkg->instances, &pkg->n_instances, SIP_MAX_INSTANCES, inst,
                  sizeof *inst, "instances", err);
}

int sip_package_add_link(sip_package_t *pkg, const sip_link_t *link, sip_error_t *err)
{
    return append((void **)&pkg->links, &pkg->n_links, SIP_MAX_LINKS, link, sizeof *link,
                  "links", err);
}

int sip_package_find_type(const sip_package_t *pkg, const char *name)
{
    for (int i = 0; i < pkg->n_types; i++)
        if (strcmp(pkg->types[i].name, name) == 0)
            return i;
    return -1;
}

int sip_package_find_instance(const sip_package_t *pkg, const char *name)
{
    for (int i = 0; i < pkg->n_instances; i++)
        if (strcmp(pkg->instances[i].name, name) == 0)
            return i;
    return -1;
}

int sip_chiplet_find_port(const sip_chiplet_type_t *type, const char *name)
{
    for (int i = 0; i < type->n_ports; i++)
        if (strcmp(type->ports[i].name, name) == 0)
            return i;
    return -1;
}

void sip_chiplet_type_init(sip_chiplet_type_t *type)
{
    memset(type, 0, sizeof *type);
    type->kind = SIP_KIND_COMPUTE;
}

void sip_instance_init(sip_instance_t *inst)
{
    memset(inst, 0, sizeof *inst);
    inst->type = -1;
    inst->power_w = -1.0;
    inst->attached_to = -1;
}

void sip_link_init(sip_link_t *link)
{
    memset(link, 0, sizeof *link);
    link->from_instance = link->to_instance = -1;
    link->from_port = link->to_port = -1;
    link->modules = 1;
    link->flit = SIP_FLIT_68B;
    link->protocol = SIP_PROTO_STREAMING;
    link->length_mm = -1.0;
    link->voltage_v = 0.7;
    link->raw_ber = -1.0;
}

const sip_chiplet_type_t *sip_instance_type(const sip_package_t *pkg, int instance)
{
    return &pkg->types[pkg->instances[instance].type];
}

sip_status_t sip__instance_check_indices(const sip_package_t *pkg, int i, sip_error_t *err)
{
    const sip_instance_t *in = &pkg->instances[i];
    if (in->type < 0 || in->type >= pkg->n_types)
        return sip_error_set(err, SIP_EINVAL, pkg->path, in->line,
                             "instance '%s' has chiplet type index %d (expected 0..%d)", in->name,
                             in->type, pkg->n_types - 1);
    if (in->attached_to >= pkg->n_instances || in->attached_to == i ||
        (in->attached_to >= 0 && pkg->instances[in->attached_to].attached_to >= 0))
        return sip_error_set(err, SIP_EINVAL, pkg->path, in->line,
                             "instance '%s' is attached to index %d (expected another, "
                             "unattached instance)",
                             in->name, in->attached_to);
    return SIP_OK;
}

sip_status_t sip__link_check_end(const sip_package_t *pkg, int k, int e, sip_error_t *err)
{
    const sip_link_t *l = &pkg->links[k];
    const int instance = e == 0 ? l->from_instance : l->to_instance;
    const int port = e == 0 ? l->from_port : l->to_port;
    if (instance < 0 || instance >= pkg->n_instances || port < 0 ||
        port >= sip_instance_type(pkg, instance)->n_ports)
        return sip_error_set(err, SIP_EINVAL, pkg->path, l->line,
                             "link '%s' refers to instance %d port %d, which does not exist",
                             l->name, instance, port);
    return SIP_OK;
}

static bool quarter_turned(int rotation_deg)
{
    return rotation_deg == 90 || rotation_deg == 270;
}

sip_rect_t sip_instance_rect(const sip_package_t *pkg, int instance)
{
    const sip_instance_t *in = &pkg->instances[instance];
    const sip_chiplet_type_t *t = sip_instance_type(pkg, instance);
    double w = quarter_turned(in->rotation_deg) ? t->height_mm : t->width_mm;
    double h = quarter_turned(in->rotation_deg) ? t->width_mm : t->height_mm;
    return (sip_rect_t){in->x_mm, in->y_mm, in->x_mm + w, in->y_mm + h};
}

double sip_instance_power_w(const sip_package_t *pkg, int instance)
{
    const sip_instance_t *in = &pkg->instances[instance];
    return in->power_w >= 0.0 ? in->power_w : sip_instance_type(pkg, instance)->tdp_w;
}

void sip_port_location(const sip_package_t *pkg, int instance, int port, double *x_mm,
                       double *y_mm, sip_edge_t *edge)
{
    const sip_instance_t *in = &pkg->instances[instance];
    const sip_chiplet_type_t *t = sip_instance_type(pkg, instance);
    const sip_port_t *p = &t->ports[port];
    double w = t->width_mm, h = t->height_mm, lx = 0, ly = 0;
    switch (p->edge) {
    case SIP_EDGE_NORTH: lx = p->position_mm; ly = h; break;
    case SIP_EDGE_SOUTH: lx = p->position_mm; ly = 0; break;
    case SIP_EDGE_EAST: lx = w; ly = p->position_mm; break;
    default: lx = 0; ly = p->position_mm; break;
    }
    /* Rotate counter-clockwise about the origin, then shift the footprint back to (0, 0). */
    double rx = lx, ry = ly;
    int turns = ((in->rotation_deg / 90) % 4 + 4) % 4;
    switch (turns) {
    case 1: rx = h - ly; ry = lx; break;
    case 2: rx = w - lx; ry = h - ly; break;
    case 3: rx = ly; ry = w - lx; break;
    default: break;
    }
    if (x_mm)
        *x_mm = in->x_mm + rx;
    if (y_mm)
        *y_mm = in->y_mm + ry;
    if (edge)
        *edge = (sip_edge_t)(((int)p->edge + turns * 3) % 4); /* CCW turn: north -> west */
}

double sip_link_length_mm(const sip_package_t *pkg, int link)
{
    const sip_link_t *l = &pkg->links[link];
    if (l->length_mm >= 0.0)
        return l->length_mm;
    double ax, ay, bx, by;
    sip_port_location(pkg, l->from_instance, l->from_port, &ax, &ay, NULL);
    sip_port_location(pkg, l->to_instance, l->to_port, &bx, &by, NULL);
    return fabs(ax - bx) + fabs(ay - by);
}

int sip_link_lanes_per_module(const sip_link_t *link)
{
    if (link->lanes_per_module > 0)
        return link->lanes_per_module;
    /* UCIe 1.0: x16 standard, x64 advanced modules (facts.md §1.2). */
    return link->package == SIP_UCIE_ADVANCED ? 64 : 16;
}

double sip_rect_overlap_mm2(sip_rect_t a, sip_rect_t b)
{
    double w = fmin(a.x1_mm, b.x1_mm) - fmax(a.x0_mm, b.x0_mm);
    double h = fmin(a.y1_mm, b.y1_mm) - fmax(a.y0_mm, b.y0_mm);
    return (w > 0 && h > 0) ? w * h : 0.0;
}

double sip_package_total_power_w(const sip_package_t *pkg)
{
    double sum = 0;
    for (int i = 0; i < pkg->n_instances; i++)
        sum += sip_instance_power_w(pkg, i);
    return sum;
}

/* Index of v among the distinct values keys[0..k) (within tol); appends v when new. */
static int ring_key(double *keys, int *k, double v, double tol)
{
    for (int j = 0; j < *k; j++)
        if (fabs(keys[j] - v) <= tol)
            return j;
    keys[*k] = v;
    return (*k)++;
}

/* Rank of keys[j] in ascending order of the k keys. */
static int ring_rank(const double *keys, int k, int j)
{
    int r = 0;
    for (int i = 0; i < k; i++)
        r += keys[i] < keys[j];
    return r;
}

bool sip_package_ring_order(const sip_package_t *pkg, int *inst, int n)
{
    /* The tolerance of the traffic engine's grid detection (src/traffic/network_package.c). */
    const double tol_mm = 0.1;
    if (n < 3)
        return false;
    bool ok = false;
    double *xs = malloc((size_t)n * sizeof *xs), *ys = malloc((size_t)n * sizeof *ys);
    int *col = malloc((size_t)n * sizeof *col), *row = malloc((size_t)n * sizeof *row);
    int *cell = malloc((size_t)n * sizeof *cell);
    if (!xs || !ys || !col || !row || !cell)
        goto out;
    int nx = 0, ny = 0;
    for (int i = 0; i < n; i++) {
        sip_rect_t r = sip_instance_rect(pkg, inst[i]);
        col[i] = ring_key(xs, &nx, 0.5 * (r.x0_mm + r.x1_mm), tol_mm);
        row[i] = ring_key(ys, &ny, 0.5 * (r.y0_mm + r.y1_mm), tol_mm);
    }
    if (nx < 2 || ny < 2 || nx * ny != n)
        goto out; /* one row or column: instance order already runs along it */
    for (int c = 0; c < n; c++)
        cell[c] = -1;
    for (int i = 0; i < n; i++) {
        col[i] = ring_rank(xs, nx, col[i]);
        row[i] = ring_rank(ys, ny, row[i]);
        int c = row[i] * nx + col[i];
        if (cell[c] >= 0)
            goto out; /* two centres in one cell: not a grid */
        cell[c] = inst[i];
    }
    /* Start at inst[0]'s row if it is an outer row (else the bottom one), run away from it. */
    const bool rows_down = row[0] == ny - 1;
    const int r0 = rows_down ? ny - 1 : 0;
    bool left = row[0] == r0 ? col[0] == nx - 1 : false; /* first row runs right-to-left? */
    int m = 0;
    for (int k = 0; k < ny; k++) {
        int r = rows_down ? r0 - k : r0 + k;
        for (int j = 0; j < nx; j++)
            inst[m++] = cell[r * nx + (left ? nx - 1 - j : j)];
        left = !left;
    }
    ok = true;
out:
    free(xs);
    free(ys);
    free(col);
    free(row);
    free(cell);
    return ok;
}
