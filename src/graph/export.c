/* Graph exports: GraphML (igraph, yEd, Gephi), DOT (Graphviz), JSON (jansson).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One attribute table per scope (graph, vertex, edge) drives all three writers, so every
 * format carries the same attributes with the same values (numbers with 12 significant
 * digits).  Metric attributes sit at the end of each table and appear only with metrics.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"

#define REAL_DIGITS 12

typedef enum { T_STR, T_REAL, T_INT, T_BOOL } atype_t;

typedef struct {
    atype_t type;
    const char *s;
    double d;
    long long i;
    bool b;
} value_t;

static value_t make_STR(const char *s) { return (value_t){.type = T_STR, .s = s}; }
static value_t make_REAL(double d) { return (value_t){.type = T_REAL, .d = d}; }
static value_t make_INT(long long i) { return (value_t){.type = T_INT, .i = i}; }
static value_t make_BOOL(bool b) { return (value_t){.type = T_BOOL, .b = b}; }

static bool in_list(const int *list, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (list[i] == x)
            return true;
    return false;
}

/* X(name, type, metric, expression): g = graph, m = metrics (only for metric rows),
 * v / e = the vertex / edge, i = its index.  Metric rows last. */
#define GRAPH_ATTRS(X)                                                                       \
    X("name", STR, false, g->name)                                                          \
    X("substrate", STR, false, sip_substrate_name(g->substrate))                            \
    X("substrate_width_mm", REAL, false, g->substrate_width_mm)                             \
    X("substrate_height_mm", REAL, false, g->substrate_height_mm)                           \
    X("components", INT, true, m->n_components)                                             \
    X("diameter_hops", INT, true, m->diameter_hops)                                         \
    X("diameter_ns", REAL, true, m->diameter_ns)                                            \
    X("avg_path_hops", REAL, true, m->avg_path_hops)                                        \
    X("avg_path_ns", REAL, true, m->avg_path_ns)                                            \
    X("bisection_GBps", REAL, true, m->bisection_GBps)                                      \
    X("bisection_links", INT, true, m->bisection_links)                                     \
    X("bisection_method", STR, true, sip_bisection_method_name(m->bisection_method))

#define VERTEX_ATTRS(X)                                                                      \
    X("name", STR, false, v->name)                                                          \
    X("type", STR, false, v->type)                                                          \
    X("kind", STR, false, sip_kind_name(v->kind))                                           \
    X("io", BOOL, false, v->is_io)                                                          \
    X("x_mm", REAL, false, v->x_mm)                                                         \
    X("y_mm", REAL, false, v->y_mm)                                                         \
    X("width_mm", REAL, false, v->width_mm)                                                 \
    X("height_mm", REAL, false, v->height_mm)                                               \
    X("power_w", REAL, false, v->power_w)                                                   \
    X("hbm_stacks", INT, false, v->hbm_stacks)                                              \
    X("hbm_GBps", REAL, false, v->hbm_GBps)                                                 \
    X("hbm_gb", REAL, false, v->hbm_gb)                                                     \
    X("articulation", BOOL, true, in_list(m->articulation_points, m->n_articulation_points, i)) \
    X("bisection_side", INT, true, m->bisection_side[i] ? 1 : 0)

#define EDGE_ATTRS(X)                                                                        \
    X("name", STR, false, e->name)                                                          \
    X("package", STR, false, sip_ucie_package_name(e->package))                             \
    X("modules", INT, false, e->modules)                                                    \
    X("lanes", INT, false, e->lanes)                                                        \
    X("rate_gtps", REAL, false, e->rate_gtps)                                               \
    X("bandwidth_GBps", REAL, false, e->bandwidth_GBps)                                     \
    X("payload_GBps", REAL, false, e->payload_GBps)                                         \
    X("latency_ns", REAL, false, e->latency_ns)                                             \
    X("energy_pj_per_bit", REAL, false, e->energy_pj_per_bit)                               \
    X("length_mm", REAL, false, e->length_mm)                                               \
    X("betweenness", REAL, true, m->edge_betweenness[i])                                    \
    X("bridge", BOOL, true, in_list(m->bridges, m->n_bridges, i))                           \
    X("bisection_cut", BOOL, true, m->bisection_side[e->from] != m->bisection_side[e->to])

typedef struct {
    const char *name;
    atype_t type;
    bool metric;
} attr_t;

#define ROW(nm, ty, met, expr) {nm, T_##ty, met},
static const attr_t graph_attrs[] = {GRAPH_ATTRS(ROW)};
static const attr_t vertex_attrs[] = {VERTEX_ATTRS(ROW)};
static const attr_t edge_attrs[] = {EDGE_ATTRS(ROW)};
#undef ROW
#define COUNT(a) ((int)(sizeof a / sizeof a[0]))

/* The k-th attribute's value; m is dereferenced only by metric rows. */
#define GET(nm, ty, met, expr)                                                               \
    if (k == n++)                                                                            \
        return make_##ty(expr);

static value_t graph_value(const sip_graph_t *g, const sip_graph_metrics_t *m, int k)
{
    int n = 0;
    GRAPH_ATTRS(GET)
    return make_STR("");
}

static value_t vertex_value(const sip_graph_t *g, const sip_graph_metrics_t *m, int i, int k)
{
    const sip_graph_vertex_t *v = &g->vertices[i];
    int n = 0;
    VERTEX_ATTRS(GET)
    return make_STR("");
}

static value_t edge_value(const sip_graph_t *g, const sip_graph_metrics_t *m, int i, int k)
{
    const sip_graph_edge_t *e = &g->edges[i];
    int n = 0;
    EDGE_ATTRS(GET)
    return make_STR("");
}
#undef GET

static const attr_t *scope_table(char scope, int *count)
{
    switch (scope) {
    case 'g': *count = COUNT(graph_attrs); return graph_attrs;
    case 'v': *count = COUNT(vertex_attrs); return vertex_attrs;
    case 'e': *count = COUNT(edge_attrs); return edge_attrs;
    default: *count = 0; return NULL;
    }
}

int sip_graph_attribute_count(char scope, bool with_metrics)
{
    int n, used = 0;
    const attr_t *t = scope_table(scope, &n);
    for (int i = 0; t && i < n; i++)
        used += with_metrics || !t[i].metric;
    return used;
}

const char *sip_graph_attribute_name(char scope, bool with_metrics, int index)
{
    return (index >= 0 && index < sip_graph_attribute_count(scope, with_metrics))
               ? scope_table(scope, &(int){0})[index].name
               : NULL;
}

static const char *const format_names[] = {"graphml", "dot", "json"};

const char *sip_graph_format_name(sip_graph_format_t format)
{
    return (unsigned)format < SIP_GRAPH_FORMAT_COUNT ? format_names[format] : "?";
}

int sip_graph_format_lookup(const char *name)
{
    if (strcmp(name, "gv") == 0)
        return SIP_GRAPH_FORMAT_DOT;
    return sip_enum_lookup(format_names, SIP_GRAPH_FORMAT_COUNT, name);
}

/* ---- text writers ---- */

static void put_real(FILE *f, double d)
{
    if (isfinite(d))
        fprintf(f, "%.*g", REAL_DIGITS, d);
    else
        fputs(isnan(d) ? "NaN" : d > 0 ? "INF" : "-INF", f);
}

/* XML 1.0 cannot carry control characters at all: they become '?'. */
static void put_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '?' : c, f);
        }
    }
}

static void put_dot_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

static void put_value(FILE *f, value_t v, bool xml)
{
    switch (v.type) {
    case T_STR: xml ? put_xml(f, v.s) : put_dot_string(f, v.s); break;
    case T_REAL: put_real(f, v.d); break;
    case T_INT: fprintf(f, "%lld", v.i); break;
    case T_BOOL: fputs(v.b ? "true" : "false", f); break;
    }
}

static const char *graphml_type(atype_t t)
{
    static const char *const names[] = {"string", "double", "int", "boolean"};
    return names[t];
}

static void graphml_keys(FILE *f, const char *prefix, const char *domain, const attr_t *t,
                         int n)
{
    for (int k = 0; k < n; k++)
        fprintf(f, "  <key id=\"%s_%s\" for=\"%s\" attr.name=\"%s\" attr.type=\"%s\"/>\n", prefix,
                t[k].name, domain, t[k].name, graphml_type(t[k].type));
}

static void graphml_data(FILE *f, const char *indent, const char *prefix, const char *name,
                         value_t v)
{
    fprintf(f, "%s<data key=\"%s_%s\">", indent, prefix, name);
    put_value(f, v, true);
    fputs("</data>\n", f);
}

static void write_graphml(FILE *f, const sip_graph_t *g, const sip_graph_metrics_t *m)
{
    bool met = m != NULL;
    int ng = sip_graph_attribute_count('g', met), nv = sip_graph_attribute_count('v', met),
        ne = sip_graph_attribute_count('e', met);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
          "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
          "         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
          "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n", f);
    graphml_keys(f, "g", "graph", graph_attrs, ng);
    graphml_keys(f, "v", "node", vertex_attrs, nv);
    graphml_keys(f, "e", "edge", edge_attrs, ne);
    fputs("  <graph id=\"G\" edgedefault=\"undirected\">\n", f);
    for (int k = 0; k < ng; k++)
        graphml_data(f, "    ", "g", graph_attrs[k].name, graph_value(g, m, k));
    for (int i = 0; i < g->n_vertices; i++) {
        fprintf(f, "    <node id=\"n%d\">\n", i);
        for (int k = 0; k < nv; k++)
            graphml_data(f, "      ", "v", vertex_attrs[k].name, vertex_value(g, m, i, k));
        fputs("    </node>\n", f);
    }
    for (int i = 0; i < g->n_edges; i++) {
        fprintf(f, "    <edge id=\"e%d\" source=\"n%d\" target=\"n%d\">\n", i, g->edges[i].from,
                g->edges[i].to);
        for (int k = 0; k < ne; k++)
            graphml_data(f, "      ", "e", edge_attrs[k].name, edge_value(g, m, i, k));
        fputs("    </edge>\n", f);
    }
    fputs("  </graph>\n</graphml>\n", f);
}

static void dot_attrs(FILE *f, const attr_t *t, int n, value_t (*get)(void *, int), void *ctx)
{
    for (int k = 0; k < n; k++) {
        fprintf(f, "%s%s=", k ? ", " : "", t[k].name);
        value_t v = get(ctx, k);
        if (v.type == T_STR) {
            put_value(f, v, false);
        } else {
            fputc('"', f);
            put_value(f, v, false);
            fputc('"', f);
        }
    }
}

typedef struct {
    const sip_graph_t *g;
    const sip_graph_metrics_t *m;
    int i;
} getctx_t;

static value_t get_graph(void *p, int k)
{
    getctx_t *c = p;
    return graph_value(c->g, c->m, k);
}

static value_t get_vertex(void *p, int k)
{
    getctx_t *c = p;
    return vertex_value(c->g, c->m, c->i, k);
}

static value_t get_edge(void *p, int k)
{
    getctx_t *c = p;
    return edge_value(c->g, c->m, c->i, k);
}

/* Undirected DOT: nodes are boxes labelled "name\nkind"; `label` is presentation only, every
 * data attribute is carried under its own name.  Renders with `dot -Tsvg`. */
static void write_dot(FILE *f, const sip_graph_t *g, const sip_graph_metrics_t *m)
{
    bool met = m != NULL;
    getctx_t c = {g, m, 0};
    fputs("graph ", f);
    put_dot_string(f, g->name);
    fputs(" {\n  graph [", f);
    dot_attrs(f, graph_attrs, sip_graph_attribute_count('g', met), get_graph, &c);
    fputs("];\n  node [shape=box];\n", f);
    for (int i = 0; i < g->n_vertices; i++) {
        c.i = i;
        fputs("  ", f);
        put_dot_string(f, g->vertices[i].name);
        fputs(" [label=\"", f);
        for (const char *s = g->vertices[i].name; *s; s++) {
            if (*s == '"' || *s == '\\')
                fputc('\\', f);
            fputc(*s, f);
        }
        fprintf(f, "\\n%s\", ", sip_kind_name(g->vertices[i].kind));
        dot_attrs(f, vertex_attrs, sip_graph_attribute_count('v', met), get_vertex, &c);
        fputs("];\n", f);
    }
    for (int i = 0; i < g->n_edges; i++) {
        c.i = i;
        fputs("  ", f);
        put_dot_string(f, g->vertices[g->edges[i].from].name);
        fputs(" -- ", f);
        put_dot_string(f, g->vertices[g->edges[i].to].name);
        fputs(" [", f);
        dot_attrs(f, edge_attrs, sip_graph_attribute_count('e', met), get_edge, &c);
        fputs("];\n", f);
    }
    fputs("}\n", f);
}

static json_t *json_value(value_t v)
{
    switch (v.type) {
    case T_STR: return json_string(v.s);
    case T_REAL: return isfinite(v.d) ? json_real(v.d) : json_null();
    case T_INT: return json_integer(v.i);
    case T_BOOL: return json_boolean(v.b);
    }
    return NULL;
}

static bool json_attrs(json_t *obj, const attr_t *t, int n, value_t (*get)(void *, int),
                       void *ctx)
{
    for (int k = 0; k < n; k++)
        if (json_object_set_new(obj, t[k].name, json_value(get(ctx, k))) != 0)
            return false;
    return true;
}

static char *write_json(const sip_graph_t *g, const sip_graph_metrics_t *m)
{
    bool met = m != NULL, ok = true;
    getctx_t c = {g, m, 0};
    json_t *root = json_object(), *graph = json_object(), *vs = json_array(), *es = json_array();
    ok = root && graph && vs && es && json_attrs(graph, graph_attrs, sip_graph_attribute_count('g', met), get_graph, &c);
    for (int i = 0; ok && i < g->n_vertices; i++) {
        c.i = i;
        json_t *o = json_object();
        ok = o && json_attrs(o, vertex_attrs, sip_graph_attribute_count('v', met), get_vertex, &c);
        ok = json_array_append_new(vs, o) == 0 && ok;
    }
    for (int i = 0; ok && i < g->n_edges; i++) {
        c.i = i;
        json_t *o = json_object();
        ok = o && json_object_set_new(o, "source", json_string(g->vertices[g->edges[i].from].name)) == 0 &&
             json_object_set_new(o, "target", json_string(g->vertices[g->edges[i].to].name)) == 0 &&
             json_attrs(o, edge_attrs, sip_graph_attribute_count('e', met), get_edge, &c);
        ok = json_array_append_new(es, o) == 0 && ok;
    }
    char *text = NULL;
    if (ok && json_object_set_new(root, "graph", graph) == 0 &&
        json_object_set_new(root, "vertices", vs) == 0 && json_object_set_new(root, "edges", es) == 0)
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(REAL_DIGITS));
    else {
        json_decref(graph);
        json_decref(vs);
        json_decref(es);
    }
    json_decref(root);
    return text;
}

sip_status_t sip_graph_export(const sip_graph_t *graph, const sip_graph_metrics_t *metrics,
                              sip_graph_format_t format, char **out, sip_error_t *err)
{
    *out = NULL;
    if ((unsigned)format >= SIP_GRAPH_FORMAT_COUNT)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "unknown graph format %d (expected "
                             "graphml, dot or json)", (int)format);
    if (metrics && (metrics->n_vertices != graph->n_vertices || metrics->n_edges != graph->n_edges))
        return sip_error_set(err, SIP_EINVAL, graph->path, 0,
                             "metrics are of another graph (%d vertices, %d edges; expected %d, %d)",
                             metrics->n_vertices, metrics->n_edges, graph->n_vertices,
                             graph->n_edges);
    if (format == SIP_GRAPH_FORMAT_JSON) {
        *out = write_json(graph, metrics);
        return *out ? SIP_OK
                    : sip_error_set(err, SIP_EINVAL, graph->path, 0,
                                    "cannot build graph JSON (out of memory or a name that is "
                                    "not UTF-8)");
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return sip_error_set(err, SIP_ENOMEM, graph->path, 0, "cannot allocate export buffer");
    if (format == SIP_GRAPH_FORMAT_GRAPHML)
        write_graphml(f, graph, metrics);
    else
        write_dot(f, graph, metrics);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(buf);
        return sip_error_set(err, SIP_ENOMEM, graph->path, 0, "cannot write %s export",
                             sip_graph_format_name(format));
    }
    *out = buf;
    return SIP_OK;
}
