/* Routes as text (one line per path, like peers/booksim configs/chiplet_star.routes.txt) or JSON, so a
 * user or the flit simulator can read exactly the paths the analytic engine used.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "traffic_internal.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} strbuf_t;

static void sb_printf(strbuf_t *sb, const char *fmt, ...) SIP_PRINTF(2, 3);
static void sb_printf(strbuf_t *sb, const char *fmt, ...)
{
    if (sb->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, sb->buf ? sb->cap - sb->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            sb->oom = true;
            return;
        }
        if (sb->buf && sb->len + (size_t)n < sb->cap) {
            sb->len += (size_t)n;
            return;
        }
        size_t nc = sb->cap ? sb->cap * 2 : 4096;
        while (nc < sb->len + (size_t)n + 1)
            nc *= 2;
        char *p = realloc(sb->buf, nc);
        if (!p) {
            sb->oom = true;
            return;
        }
        sb->buf = p;
        sb->cap = nc;
    }
}

/* Router-to-router head latency of a path: channels plus the routers they lead into. */
static double path_latency_ns(const sip_network_t *net, const sip_routes_t *r, const sip_path_t *p)
{
    double t = 0.0;
    for (int h = 0; h < p->n_hops; h++)
        t += sip__channel_cost_ns(net, r->hops[p->first_hop + h]);
    return t;
}

static sip_status_t format_text(const sip_network_t *net, const sip_routes_t *r, char **out,
                                sip_error_t *err)
{
    strbuf_t sb = {0};
    const int n = r->n_nodes;
    sb_printf(&sb, "# routes of %s, algorithm %s", net->name, sip_routing_name(r->algorithm));
    if (r->updown_root >= 0)
        sb_printf(&sb, ", up*-down* root %s", net->nodes[r->updown_root].name);
    sb_printf(&sb, "\n# route SRC->DST: node-node-...  weight W  latency_ns L (channels + routers entered)\n");
    for (int s = 0; s < n; s++)
        for (int d = 0; d < n; d++) {
            if (s == d)
                continue;
            int pair = s * n + d;
            for (int p = r->pair_first[pair]; p < r->pair_first[pair + 1]; p++) {
                const sip_path_t *path = &r->paths[p];
                sb_printf(&sb, "route %s->%s: %s", net->nodes[s].name, net->nodes[d].name,
                          net->nodes[s].name);
                for (int h = 0; h < path->n_hops; h++)
                    sb_printf(&sb, "-%s", net->nodes[net->channels[r->hops[path->first_hop + h]].to].name);
                sb_printf(&sb, "  weight %.6g  latency_ns %.6g\n", path->weight,
                          path_latency_ns(net, r, path));
            }
        }
    if (sb.oom) {
        free(sb.buf);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routes: out of memory");
    }
    *out = sb.buf;
    return SIP_OK;
}

static sip_status_t format_json(const sip_network_t *net, const sip_routes_t *r, char **out,
                                sip_error_t *err)
{
    json_t *root = json_object();
    json_t *nodes = json_array(), *chans = json_array(), *routes = json_array();
    json_object_set_new(root, "network", json_string(net->name));
    json_object_set_new(root, "algorithm", json_string(sip_routing_name(r->algorithm)));
    json_object_set_new(root, "updown_root", json_integer(r->updown_root));
    for (int v = 0; v < net->n_nodes; v++)
        json_array_append_new(nodes, json_pack("{s:s, s:i, s:i, s:f}", "name", net->nodes[v].name,
                                               "x", net->nodes[v].x, "y", net->nodes[v].y,
                                               "router_delay_ns", net->nodes[v].router_delay_ns));
    for (int c = 0; c < net->n_channels; c++) {
        const sip_channel_t *ch = &net->channels[c];
        json_array_append_new(chans, json_pack("{s:i, s:i, s:i, s:f, s:f}", "from", ch->from, "to",
                                               ch->to, "link", ch->link, "capacity_GBps",
                                               ch->capacity_GBps, "latency_ns", ch->latency_ns));
    }
    const int n = r->n_nodes;
    for (int s = 0; s < n; s++)
        for (int d = 0; d < n; d++) {
            int pair = s * n + d;
            json_t *paths = json_array();
            for (int p = r->pair_first[pair]; p < r->pair_first[pair + 1]; p++) {
                const sip_path_t *path = &r->paths[p];
                json_t *hops = json_array();
                for (int h = 0; h < path->n_hops; h++)
                    json_array_append_new(hops, json_integer(r->hops[path->first_hop + h]));
                json_array_append_new(paths, json_pack("{s:f, s:f, s:o}", "weight", path->weight,
                                                       "latency_ns", path_latency_ns(net, r, path),
                                                       "channels", hops));
            }
            json_array_append_new(routes, json_pack("{s:i, s:i, s:o}", "src", s, "dst", d, "paths", paths));
        }
    json_object_set_new(root, "nodes", nodes);
    json_object_set_new(root, "channels", chans);
    json_object_set_new(root, "routes", routes);
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!text)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routes: out of memory");
    /* json_dumps memory comes from jansson's allocator (malloc by default): copy to be safe. */
    char *copy = strdup(text);
    free(text);
    if (!copy)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "routes: out of memory");
    *out = copy;
    return SIP_OK;
}

sip_status_t sip_routes_format(const sip_network_t *net, const sip_routes_t *routes, bool json,
                               char **out, sip_error_t *err)
{
    *out = NULL;
    if (routes->n_nodes != net->n_nodes)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "routes: %d nodes for a network of %d (expected the same)",
                             routes->n_nodes, net->n_nodes);
    return json ? format_json(net, routes, out, err) : format_text(net, routes, out, err);
}
