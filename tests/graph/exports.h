/* Round-trip checks of the graph exports, shared by the graph suites.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The JSON export is the reference: the test parses it and checks that
 *   - GraphML read back with igraph has the same vertex and edge counts, endpoints and every
 *     graph, vertex and edge attribute with the same value;
 *   - DOT renders with `dot -Tsvg`, and Graphviz's own parse of it (`dot -Tjson0`) has the
 *     same counts, endpoints and attributes.
 * Tests may include <igraph.h> to read our output back; the library keeps it in src/graph.
 */
#ifndef SIPSIM_TEST_EXPORTS_H
#define SIPSIM_TEST_EXPORTS_H

#include <criterion/criterion.h>
#include <igraph.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "sipsim.h"
#include "sipsim/graph.h"

static inline char *ex_text(const sip_graph_t *g, const sip_graph_metrics_t *m,
                            sip_graph_format_t fmt)
{
    char *text = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_graph_export(g, m, fmt, &text, &err), SIP_OK, "%s", err.message);
    cr_assert_not_null(text);
    return text;
}

static inline json_t *ex_json(const sip_graph_t *g, const sip_graph_metrics_t *m)
{
    char *text = ex_text(g, m, SIP_GRAPH_FORMAT_JSON);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    cr_assert_not_null(root, "JSON export does not parse: %s (line %d)", je.text, je.line);
    free(text);
    return root;
}

static inline void ex_same_number(double got, double want, const char *what)
{
    cr_assert(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)), "%s: %.17g, expected %.17g",
              what, got, want);
}

/* Compare one value as igraph read it with the JSON reference. */
static inline void ex_igraph_value(const igraph_t *ig, igraph_attribute_elemtype_t where,
                                   const char *name, igraph_integer_t id, json_t *want)
{
    char what[160];
    snprintf(what, sizeof what, "GraphML %s attribute '%s' #%ld",
             where == IGRAPH_ATTRIBUTE_GRAPH ? "graph" : where == IGRAPH_ATTRIBUTE_VERTEX ? "vertex" : "edge",
             name, (long)id);
    cr_assert(igraph_cattribute_has_attr(ig, where, name), "%s missing", what);
    if (json_is_string(want)) {
        const char *s = where == IGRAPH_ATTRIBUTE_GRAPH ? igraph_cattribute_GAS(ig, name)
                        : where == IGRAPH_ATTRIBUTE_VERTEX ? igraph_cattribute_VAS(ig, name, id)
                                                            : igraph_cattribute_EAS(ig, name, id);
        cr_assert_str_eq(s, json_string_value(want), "%s", what);
    } else if (json_is_boolean(want)) {
        bool b = where == IGRAPH_ATTRIBUTE_GRAPH ? igraph_cattribute_GAB(ig, name)
                 : where == IGRAPH_ATTRIBUTE_VERTEX ? igraph_cattribute_VAB(ig, name, id)
                                                     : igraph_cattribute_EAB(ig, name, id);
        cr_assert_eq(b, json_is_true(want), "%s", what);
    } else {
        double d = where == IGRAPH_ATTRIBUTE_GRAPH ? igraph_cattribute_GAN(ig, name)
                   : where == IGRAPH_ATTRIBUTE_VERTEX ? igraph_cattribute_VAN(ig, name, id)
                                                       : igraph_cattribute_EAN(ig, name, id);
        ex_same_number(d, json_number_value(want), what);
    }
}

/* Names igraph found for one scope must be ours, plus the GraphML element ids it keeps. */
static inline void ex_igraph_names(const igraph_strvector_t *names, json_t *ref_obj,
                                   const char *scope)
{
    igraph_integer_t n = igraph_strvector_size(names);
    size_t extra = 0;
    for (igraph_integer_t i = 0; i < n; i++) {
        const char *nm = igraph_strvector_get(names, i);
        if (!json_object_get(ref_obj, nm)) {
            cr_assert_str_eq(nm, "id", "GraphML %s attribute '%s' is not in the JSON export",
                             scope, nm);
            extra++;
        }
    }
    cr_assert_eq((size_t)n - extra, json_object_size(ref_obj),
                 "GraphML has %ld %s attributes, JSON %zu", (long)(n - (igraph_integer_t)extra),
                 scope, json_object_size(ref_obj));
}

static inline void ex_check_graphml(const sip_graph_t *g, const sip_graph_metrics_t *m, json_t *ref)
{
    char *text = ex_text(g, m, SIP_GRAPH_FORMAT_GRAPHML);
    FILE *f = fmemopen(text, strlen(text), "r");
    cr_assert_not_null(f);
    igraph_set_attribute_table(&igraph_cattribute_table);
    igraph_t ig;
    cr_assert_eq(igraph_read_graph_graphml(&ig, f, 0), IGRAPH_SUCCESS);
    fclose(f);
    json_t *vs = json_object_get(ref, "vertices"), *es = json_object_get(ref, "edges");
    cr_assert_eq(igraph_vcount(&ig), (igraph_integer_t)json_array_size(vs));
    cr_assert_eq(igraph_ecount(&ig), (igraph_integer_t)json_array_size(es));
    cr_assert_eq(igraph_vcount(&ig), sip_graph_vertex_count(g));
    cr_assert_eq(igraph_ecount(&ig), sip_graph_edge_count(g));
    cr_assert(!igraph_is_directed(&ig));

    igraph_strvector_t gn, vn, en;
    igraph_strvector_init(&gn, 0);
    igraph_strvector_init(&vn, 0);
    igraph_strvector_init(&en, 0);
    cr_assert_eq(igraph_cattribute_list(&ig, &gn, NULL, &vn, NULL, &en, NULL), IGRAPH_SUCCESS);
    json_t *gobj = json_object_get(ref, "graph");
    ex_igraph_names(&gn, gobj, "graph");
    const char *key;
    json_t *val;
    json_object_foreach(gobj, key, val)
        ex_igraph_value(&ig, IGRAPH_ATTRIBUTE_GRAPH, key, 0, val);
    if (json_array_size(vs) > 0)
        ex_igraph_names(&vn, json_array_get(vs, 0), "vertex");
    for (size_t i = 0; i < json_array_size(vs); i++)
        json_object_foreach(json_array_get(vs, i), key, val)
            ex_igraph_value(&ig, IGRAPH_ATTRIBUTE_VERTEX, key, (igraph_integer_t)i, val);
    if (json_array_size(es) > 0) {
        /* The JSON edge also names its endpoints (source, target): GraphML has them as XML. */
        json_t *e0 = json_deep_copy(json_array_get(es, 0));
        json_object_del(e0, "source");
        json_object_del(e0, "target");
        ex_igraph_names(&en, e0, "edge");
        json_decref(e0);
    }
    for (size_t i = 0; i < json_array_size(es); i++) {
        json_t *e = json_array_get(es, i);
        json_object_foreach(e, key, val) {
            if (strcmp(key, "source") == 0 || strcmp(key, "target") == 0)
                continue;
            ex_igraph_value(&ig, IGRAPH_ATTRIBUTE_EDGE, key, (igraph_integer_t)i, val);
        }
        const char *src = igraph_cattribute_VAS(&ig, "name", IGRAPH_FROM(&ig, (igraph_integer_t)i));
        const char *dst = igraph_cattribute_VAS(&ig, "name", IGRAPH_TO(&ig, (igraph_integer_t)i));
        /* Undirected: igraph may store the ends either way round. */
        const char *s = json_string_value(json_object_get(e, "source"));
        const char *t = json_string_value(json_object_get(e, "target"));
        cr_assert((strcmp(src, s) == 0 && strcmp(dst, t) == 0) ||
                  (strcmp(src, t) == 0 && strcmp(dst, s) == 0),
                  "GraphML edge %zu joins %s-%s, expected %s-%s", i, src, dst, s, t);
    }
    igraph_strvector_destroy(&gn);
    igraph_strvector_destroy(&vn);
    igraph_strvector_destroy(&en);
    igraph_destroy(&ig);
    free(text);
}

static inline bool ex_have_dot(void)
{
    return system("command -v dot >/dev/null 2>&1") == 0;
}

/* Run `dot ARGS FILE`, return its stdout (malloc'd) and exit status. */
static inline char *ex_run_dot(const char *args, const char *path, int *status)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "dot %s '%s' 2>&1", args, path);
    return cli_capture(cmd, status);
}

/* Graphviz keeps "\\" in a quoted string as two characters (escString: one backslash). */
static inline void ex_dot_value(json_t *obj, const char *key, json_t *want, const char *what)
{
    const char *got = json_string_value(json_object_get(obj, key));
    cr_assert_not_null(got, "DOT %s has no attribute '%s'", what, key);
    if (json_is_string(want)) {
        char plain[1024];
        size_t n = 0;
        for (const char *s = got; *s && n + 1 < sizeof plain; s++) {
            if (s[0] == '\\' && s[1] == '\\')
                s++;
            plain[n++] = *s;
        }
        plain[n] = '\0';
        cr_assert_str_eq(plain, json_string_value(want), "DOT %s '%s'", what, key);
    }
    else if (json_is_boolean(want))
        cr_assert_str_eq(got, json_is_true(want) ? "true" : "false", "DOT %s '%s'", what, key);
    else
        ex_same_number(strtod(got, NULL), json_number_value(want), key);
}

static inline void ex_check_dot(const sip_graph_t *g, const sip_graph_metrics_t *m, json_t *ref)
{
    if (!ex_have_dot()) {
        cr_log_warn("graphviz `dot` not installed: DOT export not rendered");
        return;
    }
    char *text = ex_text(g, m, SIP_GRAPH_FORMAT_DOT);
    char path[] = "/tmp/sipsim-dot-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    int status;
    char *svg = ex_run_dot("-Tsvg", path, &status);
    cr_assert_eq(status, 0, "dot -Tsvg failed: %s", svg);
    cr_assert_not_null(strstr(svg, "<svg"), "dot -Tsvg wrote no SVG: %.200s", svg);
    cr_assert_null(strstr(svg, "Warning"), "dot -Tsvg warned: %.300s", svg);
    free(svg);

    char *js = ex_run_dot("-Tjson0", path, &status);
    cr_assert_eq(status, 0, "dot -Tjson0 failed: %s", js);
    json_error_t je;
    json_t *parsed = json_loads(js, 0, &je);
    cr_assert_not_null(parsed, "dot -Tjson0 output does not parse: %s", je.text);
    json_t *objects = json_object_get(parsed, "objects"), *edges = json_object_get(parsed, "edges");
    json_t *vs = json_object_get(ref, "vertices"), *es = json_object_get(ref, "edges");
    cr_assert_eq(json_array_size(objects), json_array_size(vs));
    cr_assert_eq(json_array_size(edges), json_array_size(es));
    const char *key;
    json_t *val;
    json_object_foreach(json_object_get(ref, "graph"), key, val)
        ex_dot_value(parsed, key, val, "graph");
    for (size_t i = 0; i < json_array_size(vs); i++)
        json_object_foreach(json_array_get(vs, i), key, val)
            ex_dot_value(json_array_get(objects, i), key, val, "node");
    /* Graphviz lists edges grouped by tail, not in file order: pair each reference edge with
     * an unused DOT edge of the same ends and name, then compare every attribute. */
    size_t ne = json_array_size(es);
    bool *used = calloc(ne ? ne : 1, sizeof *used);
    cr_assert_not_null(used);
    for (size_t i = 0; i < ne; i++) {
        json_t *e = json_array_get(es, i), *d = NULL;
        for (size_t j = 0; j < ne && !d; j++) {
            json_t *c = json_array_get(edges, j);
            json_int_t tail = json_integer_value(json_object_get(c, "tail"));
            json_int_t head = json_integer_value(json_object_get(c, "head"));
            const char *t = json_string_value(json_object_get(json_array_get(objects, (size_t)tail), "name"));
            const char *h = json_string_value(json_object_get(json_array_get(objects, (size_t)head), "name"));
            const char *n = json_string_value(json_object_get(c, "name"));
            char plain[1024];
            size_t k = 0;
            for (const char *p = n ? n : ""; *p && k + 1 < sizeof plain; p++) {
                if (p[0] == '\\' && p[1] == '\\')
                    p++;
                plain[k++] = *p;
            }
            plain[k] = '\0';
            if (!used[j] && t && h && strcmp(t, json_string_value(json_object_get(e, "source"))) == 0 &&
                strcmp(h, json_string_value(json_object_get(e, "target"))) == 0 &&
                strcmp(plain, json_string_value(json_object_get(e, "name"))) == 0) {
                used[j] = true;
                d = c;
            }
        }
        cr_assert_not_null(d, "DOT has no edge %s -- %s named '%s'",
                           json_string_value(json_object_get(e, "source")),
                           json_string_value(json_object_get(e, "target")),
                           json_string_value(json_object_get(e, "name")));
        json_object_foreach(e, key, val) {
            if (strcmp(key, "source") == 0 || strcmp(key, "target") == 0)
                continue;
            ex_dot_value(d, key, val, "edge");
        }
    }
    free(used);
    json_decref(parsed);
    free(js);
    unlink(path);
    free(text);
}

/* All three formats of one graph (with and without metrics) carry the same attributes. */
static inline void ex_check_all(const sip_graph_t *g, const sip_graph_metrics_t *m)
{
    json_t *ref = ex_json(g, m);
    json_t *gobj = json_object_get(ref, "graph");
    cr_assert_eq(json_object_size(gobj), (size_t)sip_graph_attribute_count('g', m != NULL));
    json_t *vs = json_object_get(ref, "vertices"), *es = json_object_get(ref, "edges");
    cr_assert_eq(json_array_size(vs), (size_t)sip_graph_vertex_count(g));
    cr_assert_eq(json_array_size(es), (size_t)sip_graph_edge_count(g));
    for (size_t i = 0; i < json_array_size(vs); i++)
        cr_assert_eq(json_object_size(json_array_get(vs, i)),
                     (size_t)sip_graph_attribute_count('v', m != NULL));
    for (size_t i = 0; i < json_array_size(es); i++)
        cr_assert_eq(json_object_size(json_array_get(es, i)),
                     2 + (size_t)sip_graph_attribute_count('e', m != NULL));
    ex_check_graphml(g, m, ref);
    ex_check_dot(g, m, ref);
    json_decref(ref);
}

#endif
