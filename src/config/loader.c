/* Loading chiplet type files and package files into the model (include/sipsim/config.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_internal.h"
#include "sip_config.h"

#define MAX_SEARCH_DIRS 24
/* Candidate names scanned for a "did you mean" on an unknown chiplet type. */
#define MAX_CANDIDATES 512

/* ------------------------------------------------------------------ names and paths */

/* Chiplet type names become file names: keep them to a safe alphabet. */
static bool valid_type_name(const char *name)
{
    if (!name[0] || name[0] == '.' || strlen(name) >= SIP_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* a + b into out; false when it does not fit (such a folder is skipped). */
static bool join(char *out, size_t size, const char *a, const char *b)
{
    int w = snprintf(out, size, "%s%s", a, b);
    return w >= 0 && (size_t)w < size;
}

static void parent_of(const char *dir, char *out, size_t size)
{
    size_t len = strlen(dir);
    if (strcmp(dir, ".") == 0)
        snprintf(out, size, "..");
    else if (strcmp(dir, "..") == 0 || (len >= 3 && strcmp(dir + len - 3, "/..") == 0)) {
        if (!join(out, size, dir, "/.."))
            snprintf(out, size, "/");
    } else
        sip__path_dir(dir, out, size);
}

/* ------------------------------------------------------------------ chiplet files */

static sip_status_t chiplet_from_root(const sip__cfg_ctx_t *cx, const config_setting_t *root,
                                      const char *name, sip_chiplet_type_t *out)
{
    sip_chiplet_type_init(out);
    if (!join(out->name, sizeof out->name, name, "") || !join(out->path, sizeof out->path, cx->path, ""))
        return sip__fail(cx, root, SIP_EINVAL, "chiplet name or path too long (expected at most "
                         "%d and %d characters)", SIP_NAME_MAX - 1, SIP_PATH_MAX - 1);
    out->line = 1;
    if (config_setting_length(root) == 0)
        return sip__fail(cx, root, SIP_EINVAL,
                         "empty file (expected a chiplet type: kind, width_mm, height_mm, power, ...)");
    return sip__parse_group(cx, root, &sip__schema_chiplet, out, false);
}

sip_status_t sip_chiplet_load(const char *path, sip_chiplet_type_t *out, sip_error_t *err)
{
    char stem[SIP_PATH_MAX];
    sip__path_stem(path, stem, sizeof stem);
    if (!valid_type_name(stem))
        return sip_error_set(err, SIP_EINVAL, path, 0,
                             "chiplet file name '%s' is not a type name (expected NAME.cfg, NAME "
                             "of letters, digits, '_', '-', '.', at most %d characters)",
                             stem, SIP_NAME_MAX - 1);
    config_t cfg;
    config_init(&cfg);
    sip__cfg_ctx_t cx = {.path = path, .err = err};
    sip_status_t st = sip__config_read(&cfg, path, NULL, err);
    if (st == SIP_OK)
        st = chiplet_from_root(&cx, config_root_setting(&cfg), stem, out);
    config_destroy(&cfg);
    if (st != SIP_OK)
        sip_chiplet_type_init(out);
    return st;
}

/* ------------------------------------------------------------------ package loading */

typedef struct {
    sip__cfg_ctx_t cx;
    sip_package_t *pkg;
    char dirs[MAX_SEARCH_DIRS][SIP_PATH_MAX];
    int n_dirs;
    /* Library types read so far (used or only derived from). */
    sip_chiplet_type_t *library;
    int n_library;
    char **names; /* instance names for suggestions, built on demand */
} loader_t;

static void add_dir(loader_t *ld, const char *dir)
{
    if (ld->n_dirs >= MAX_SEARCH_DIRS)
        return;
    for (int i = 0; i < ld->n_dirs; i++)
        if (strcmp(ld->dirs[i], dir) == 0)
            return;
    snprintf(ld->dirs[ld->n_dirs++], SIP_PATH_MAX, "%s", dir);
}

static void build_search_path(loader_t *ld, const char *path, const sip_load_options_t *opt)
{
    char buf[SIP_PATH_MAX], dir[SIP_PATH_MAX], up[SIP_PATH_MAX];
    for (int i = 0; opt && i < opt->n_library_dirs; i++)
        if (opt->library_dirs[i])
            add_dir(ld, opt->library_dirs[i]);
    if (opt && opt->no_default_dirs)
        return;
    if (path) {
        /* Beside the package file, then in its parent and grandparent folders
         * (topologies/x.cfg and topologies/reference/x.cfg both find chiplets/). */
        sip__path_dir(path, dir, sizeof dir);
        for (int level = 0; level < 3; level++) {
            if (join(buf, sizeof buf, dir, "/chiplets"))
                add_dir(ld, buf);
            parent_of(dir, up, sizeof up);
            memcpy(dir, up, sizeof dir);
        }
    }
    add_dir(ld, SIP_DATADIR "/chiplets");
}

static sip_status_t not_found_type(loader_t *ld, const config_setting_t *where, const char *name)
{
    /* Candidates: inline blocks and every NAME.cfg in the search folders. */
    const char *cand[MAX_CANDIDATES];
    char (*stems)[SIP_NAME_MAX] = malloc(MAX_CANDIDATES * sizeof *stems);
    int n = 0;
    for (int i = 0; i < ld->pkg->n_types && n < MAX_CANDIDATES; i++)
        cand[n++] = ld->pkg->types[i].name;
    n = sip__cfg_stems(ld->dirs, ld->n_dirs, stems, cand, n, MAX_CANDIDATES);
    const char *near = sip__closest(name, cand, n);
    char searched[400];
    size_t used = 0;
    searched[0] = '\0';
    for (int d = 0; d < ld->n_dirs && used < sizeof searched; d++) {
        int w = snprintf(searched + used, sizeof searched - used, "%s%s", d ? ", " : "",
                         ld->dirs[d]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    sip_status_t st;
    if (near)
        st = sip__fail(&ld->cx, where, SIP_ENOTFOUND,
                       "unknown chiplet type '%s' (did you mean '%s'? searched %s)", name, near,
                       ld->n_dirs ? searched : "no folders");
    else
        st = sip__fail(&ld->cx, where, SIP_ENOTFOUND,
                       "unknown chiplet type '%s' (expected an inline block or NAME.cfg in: %s)",
                       name, ld->n_dirs ? searched : "no folders");
    free(stems);
    return st;
}

/* Find or read library type `name`; returns its index in ld->library. */
static sip_status_t library_type(loader_t *ld, const config_setting_t *where, const char *name,
                                 int *index)
{
    for (int i = 0; i < ld->n_library; i++)
        if (strcmp(ld->library[i].name, name) == 0) {
            *index = i;
            return SIP_OK;
        }
    if (!valid_type_name(name))
        return sip__fail(&ld->cx, where, SIP_EINVAL,
                         "'%s' is not a chiplet type name (expected letters, digits, '_', '-', "
                         "'.', not starting with '.')", name);
    char file[SIP_PATH_MAX + SIP_NAME_MAX + 8];
    for (int d = 0; d < ld->n_dirs; d++) {
        snprintf(file, sizeof file, "%s/%s.cfg", ld->dirs[d], name);
        if (access(file, F_OK) != 0)
            continue;
        if (ld->n_library >= SIP_MAX_TYPES)
            return sip__fail(&ld->cx, where, SIP_ELIMIT, "too many chiplet types (expected at "
                             "most %d)", SIP_MAX_TYPES);
        if ((ld->n_library & (ld->n_library - 1)) == 0) {
            size_t cap = ld->n_library ? (size_t)ld->n_library * 2 : 4;
            sip_chiplet_type_t *p = realloc(ld->library, cap * sizeof *p);
            if (!p)
                return sip__fail(&ld->cx, where, SIP_ENOMEM, "cannot allocate chiplet types");
            ld->library = p;
        }
        SIP_TRY(sip_chiplet_load(file, &ld->library[ld->n_library], ld->cx.err));
        *index = ld->n_library++;
        return SIP_OK;
    }
    return not_found_type(ld, where, name);
}

/* Index of type `name` in the package: inline blocks first, then the library. */
static sip_status_t package_type(loader_t *ld, const config_setting_t *where, const char *name,
                                 int *index)
{
    int t = sip_package_find_type(ld->pkg, name);
    if (t >= 0) {
        *index = t;
        return SIP_OK;
    }
    int lib;
    SIP_TRY(library_type(ld, where, name, &lib));
    t = sip_package_add_type(ld->pkg, &ld->library[lib], NULL);
    if (t < 0)
        return sip__fail(&ld->cx, where, SIP_ELIMIT, "too many chiplet types (expected at most %d)",
                         SIP_MAX_TYPES);
    *index = t;
    return SIP_OK;
}

static const config_setting_t *key_or(const config_setting_t *group, const char *key)
{
    const config_setting_t *m = sip__member(group, key);
    return m ? m : group;
}

static sip_status_t load_blocks(loader_t *ld, const config_setting_t *list)
{
    sip_status_t st = SIP_OK;
    sip_chiplet_type_t *t = malloc(sizeof *t);
    if (!t)
        return sip__fail(&ld->cx, list, SIP_ENOMEM, "cannot allocate a chiplet type");
    int n = config_setting_length(list);
    for (int i = 0; i < n && st == SIP_OK; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const config_setting_t *base = sip__member(e, "base");
        bool derived = false;
        sip_chiplet_type_init(t);
        if (base && config_setting_type(base) == CONFIG_TYPE_STRING) {
            const char *bname = config_setting_get_string(base);
            /* Derive from an earlier inline block or a library type. */
            int k = sip_package_find_type(ld->pkg, bname);
            if (k >= 0) {
                *t = ld->pkg->types[k];
            } else {
                int lib;
                st = library_type(ld, base, bname, &lib);
                if (st != SIP_OK)
                    break;
                *t = ld->library[lib];
            }
            derived = true;
        }
        st = sip__parse_group(&ld->cx, e, &sip__schema_custom, t, derived);
        if (st != SIP_OK)
            break;
        snprintf(t->path, sizeof t->path, "%s", ld->cx.path);
        int dup = sip_package_find_type(ld->pkg, t->name);
        if (dup >= 0) {
            st = sip__fail(&ld->cx, key_or(e, "name"), SIP_EINVAL,
                           "duplicate block name '%s' (expected unique; first at line %d)",
                           t->name, ld->pkg->types[dup].line);
            break;
        }
        if (!valid_type_name(t->name)) {
            st = sip__fail(&ld->cx, key_or(e, "name"), SIP_EINVAL,
                           "block name '%s' is not a type name (expected letters, digits, '_', "
                           "'-', '.')", t->name);
            break;
        }
        if (sip_package_add_type(ld->pkg, t, NULL) < 0)
            st = sip__fail(&ld->cx, e, SIP_ELIMIT, "too many chiplet types (expected at most %d)",
                           SIP_MAX_TYPES);
    }
    free(t);
    return st;
}

/* Instance names for "did you mean". */
static const char *const *instance_names(loader_t *ld)
{
    if (!ld->names) {
        ld->names = malloc((size_t)(ld->pkg->n_instances + 1) * sizeof *ld->names);
        if (!ld->names)
            return NULL;
        for (int i = 0; i < ld->pkg->n_instances; i++)
            ld->names[i] = ld->pkg->instances[i].name;
    }
    return (const char *const *)ld->names;
}

static sip_status_t find_instance(loader_t *ld, const config_setting_t *where, const char *key,
                                  const char *name, int *index)
{
    *index = sip_package_find_instance(ld->pkg, name);
    if (*index >= 0)
        return SIP_OK;
    const char *const *names = instance_names(ld);
    const char *near = names ? sip__closest(name, names, ld->pkg->n_instances) : NULL;
    if (near)
        return sip__fail(&ld->cx, where, SIP_ENOTFOUND,
                         "%s: unknown instance '%s' (did you mean '%s'?)", key, name, near);
    return sip__fail(&ld->cx, where, SIP_ENOTFOUND,
                     "%s: unknown instance '%s' (expected the name of an instance)", key, name);
}

static sip_status_t load_instances(loader_t *ld, const config_setting_t *list)
{
    int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        instance_src_t src;
        memset(&src, 0, sizeof src);
        sip_instance_init(&src.inst);
        SIP_TRY(sip__parse_group(&ld->cx, e, &sip__schema_instance, &src, false));
        if (strchr(src.inst.name, '.'))
            return sip__fail(&ld->cx, key_or(e, "name"), SIP_EINVAL,
                             "instance name '%s' contains '.' (expected a name without '.', "
                             "links write INSTANCE.PORT)", src.inst.name);
        int dup = sip_package_find_instance(ld->pkg, src.inst.name);
        if (dup >= 0)
            return sip__fail(&ld->cx, key_or(e, "name"), SIP_EINVAL,
                             "duplicate instance name '%s' (expected unique; first at line %d)",
                             src.inst.name, ld->pkg->instances[dup].line);
        int r = src.inst.rotation_deg;
        if (r % 90 != 0)
            return sip__fail(&ld->cx, key_or(e, "rotation"), SIP_EINVAL,
                             "rotation = %d (expected 0, 90, 180 or 270)", r);
        SIP_TRY(package_type(ld, key_or(e, "type"), src.type, &src.inst.type));
        if (sip_package_add_instance(ld->pkg, &src.inst, NULL) < 0)
            return sip__fail(&ld->cx, list, SIP_ELIMIT, "too many instances (expected at most %d)",
                             SIP_MAX_INSTANCES);
    }
    /* Attachments may name an instance placed later in the list. */
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const config_setting_t *a = sip__member(e, "attach");
        if (!a)
            continue;
        const char *host = config_setting_get_string(a);
        int h;
        SIP_TRY(find_instance(ld, a, "attach", host, &h));
        if (h == i)
            return sip__fail(&ld->cx, a, SIP_EINVAL,
                             "instance '%s' is attached to itself (expected a host instance)",
                             host);
        ld->pkg->instances[i].attached_to = h;
    }
    for (int i = 0; i < n; i++) {
        int h = ld->pkg->instances[i].attached_to;
        if (h >= 0 && ld->pkg->instances[h].attached_to >= 0)
            return sip__fail(&ld->cx, key_or(config_setting_get_elem(list, (unsigned)i), "attach"),
                             SIP_EINVAL,
                             "'%s' is attached to '%s', which is itself attached (expected a "
                             "host that sits on the substrate)",
                             ld->pkg->instances[i].name, ld->pkg->instances[h].name);
    }
    return SIP_OK;
}

/* "inst.port" -> instance and port indices. */
static sip_status_t resolve_end(loader_t *ld, const config_setting_t *e, const char *key,
                                const char *text, int *inst, int *port)
{
    const config_setting_t *where = key_or(e, key);
    const char *dot = strchr(text, '.');
    if (!dot || dot == text || !dot[1])
        return sip__fail(&ld->cx, where, SIP_EINVAL,
                         "%s = \"%s\" is not INSTANCE.PORT (expected e.g. \"c0.e0\")", key, text);
    char name[SIP_NAME_MAX];
    if ((size_t)(dot - text) >= sizeof name)
        return sip__fail(&ld->cx, where, SIP_EINVAL, "%s: instance name too long (expected at "
                         "most %d characters)", key, SIP_NAME_MAX - 1);
    snprintf(name, sizeof name, "%.*s", (int)(dot - text), text);
    SIP_TRY(find_instance(ld, where, key, name, inst));
    const sip_chiplet_type_t *t = sip_instance_type(ld->pkg, *inst);
    *port = sip_chiplet_find_port(t, dot + 1);
    if (*port >= 0)
        return SIP_OK;
    const char *names[SIP_MAX_PORTS];
    for (int i = 0; i < t->n_ports; i++)
        names[i] = t->ports[i].name;
    const char *near = sip__closest(dot + 1, names, t->n_ports);
    if (near)
        return sip__fail(&ld->cx, where, SIP_ENOTFOUND,
                         "%s: instance '%s' (type '%s') has no port '%s' (did you mean '%s'?)",
                         key, name, t->name, dot + 1, near);
    char list[300] = "none";
    size_t used = 0;
    for (int i = 0; i < t->n_ports && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return sip__fail(&ld->cx, where, SIP_ENOTFOUND,
                     "%s: instance '%s' (type '%s') has no port '%s' (expected one of: %s)", key,
                     name, t->name, dot + 1, list);
}

static sip_status_t load_links(loader_t *ld, const config_setting_t *list)
{
    int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        link_src_t src;
        memset(&src, 0, sizeof src);
        sip_link_init(&src.link);
        SIP_TRY(sip__parse_group(&ld->cx, e, &sip__schema_link, &src, false));
        sip_link_t *l = &src.link;
        SIP_TRY(resolve_end(ld, e, "from", src.from, &l->from_instance, &l->from_port));
        SIP_TRY(resolve_end(ld, e, "to", src.to, &l->to_instance, &l->to_port));
        if (l->from_instance == l->to_instance && l->from_port == l->to_port)
            return sip__fail(&ld->cx, key_or(e, "to"), SIP_EINVAL,
                             "link joins port '%s' to itself (expected two different ports)",
                             src.from);
        const sip_port_t *a = &sip_instance_type(ld->pkg, l->from_instance)->ports[l->from_port];
        const sip_port_t *b = &sip_instance_type(ld->pkg, l->to_instance)->ports[l->to_port];
        if (a->package != b->package)
            return sip__fail(&ld->cx, e, SIP_EINVAL,
                             "link %s -> %s joins a %s port and an %s port (expected ports of the "
                             "same UCIe package type)",
                             src.from, src.to, sip_ucie_package_name(a->package),
                             sip_ucie_package_name(b->package));
        l->package = a->package;
        int lanes = l->modules * sip_link_lanes_per_module(l);
        if (l->failed_lanes > lanes)
            return sip__fail(&ld->cx, key_or(e, "failed_lanes"), SIP_EINVAL,
                             "failed_lanes = %d exceeds the link's %d lanes (expected at most %d)",
                             l->failed_lanes, lanes, lanes);
        if (!l->name[0]) {
            int w = snprintf(l->name, sizeof l->name, "%s-%s", src.from, src.to);
            if (w < 0 || (size_t)w >= sizeof l->name)
                snprintf(l->name, sizeof l->name, "link%d", i);
        }
        for (int j = 0; j < ld->pkg->n_links; j++) {
            if (strcmp(ld->pkg->links[j].name, l->name) != 0)
                continue;
            if (sip__member(e, "name"))
                return sip__fail(&ld->cx, key_or(e, "name"), SIP_EINVAL,
                                 "duplicate link name '%s' (expected unique; first at line %d)",
                                 l->name, ld->pkg->links[j].line);
            snprintf(l->name, sizeof l->name, "link%d", i); /* parallel unnamed links */
            j = -1;
        }
        if (sip_package_add_link(ld->pkg, l, NULL) < 0)
            return sip__fail(&ld->cx, list, SIP_ELIMIT, "too many links (expected at most %d)",
                             SIP_MAX_LINKS);
    }
    return SIP_OK;
}

static sip_status_t load_traffic(loader_t *ld, const config_setting_t *group)
{
    sip_traffic_spec_t *tr = &ld->pkg->traffic;
    SIP_TRY(sip__parse_group(&ld->cx, group, &sip__schema_traffic, tr, false));
    if (!tr->load_in_GBps && tr->load > 1.0)
        return sip__fail(&ld->cx, key_or(group, "load"), SIP_EINVAL,
                         "load = %g is above 1 as a fraction of capacity (expected 0 <= load <= "
                         "1, or load_unit = \"GBps\")", tr->load);
    const config_setting_t *hs = sip__member(group, "hotspots");
    for (int i = 0; hs && i < config_setting_length(hs); i++) {
        const config_setting_t *e = config_setting_get_elem(hs, (unsigned)i);
        SIP_TRY(find_instance(ld, e, "hotspots", config_setting_get_string(e),
                              &tr->hotspots[tr->n_hotspots]));
        tr->n_hotspots++;
    }
    const config_setting_t *mx = sip__member(group, "matrix");
    int n = mx ? config_setting_length(mx) : 0;
    if (n == 0)
        return SIP_OK;
    tr->demands = calloc((size_t)n, sizeof *tr->demands);
    if (!tr->demands)
        return sip__fail(&ld->cx, mx, SIP_ENOMEM, "cannot allocate %d demands", n);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(mx, (unsigned)i);
        demand_src_t src;
        memset(&src, 0, sizeof src);
        SIP_TRY(sip__parse_group(&ld->cx, e, &sip__schema_demand, &src, false));
        SIP_TRY(find_instance(ld, key_or(e, "from"), "from", src.from, &src.demand.from_instance));
        SIP_TRY(find_instance(ld, key_or(e, "to"), "to", src.to, &src.demand.to_instance));
        if (src.demand.from_instance == src.demand.to_instance)
            return sip__fail(&ld->cx, key_or(e, "to"), SIP_EINVAL,
                             "demand from '%s' to itself (expected two different instances)",
                             src.from);
        tr->demands[tr->n_demands++] = src.demand;
    }
    return SIP_OK;
}

static sip_status_t load_package(loader_t *ld, const config_setting_t *root)
{
    sip_package_t *pkg = ld->pkg;
    if (config_setting_length(root) == 0)
        return sip__fail(&ld->cx, root, SIP_EINVAL,
                         "empty file (expected a package: substrate, instances, links, ...)");
    pkg->workload.batch = 1;
    /* Checks every key, reads the scalar groups; lists that name each other are walked below. */
    SIP_TRY(sip__parse_group(&ld->cx, root, &sip__schema_package, pkg, false));
    pkg->workload.present = sip__member(root, "workload") != NULL;
    pkg->cost.present = sip__member(root, "cost") != NULL;
    if (!pkg->name[0])
        sip__path_stem(ld->cx.path, pkg->name, sizeof pkg->name);
    snprintf(pkg->path, sizeof pkg->path, "%s", ld->cx.path);
    const config_setting_t *m;
    if ((m = sip__member(root, "blocks")))
        SIP_TRY(load_blocks(ld, m));
    SIP_TRY(load_instances(ld, sip__member(root, "instances")));
    if ((m = sip__member(root, "links")))
        SIP_TRY(load_links(ld, m));
    if ((m = sip__member(root, "traffic")))
        SIP_TRY(load_traffic(ld, m));
    /* Always: a sweep may switch cost.site on a package that names none. */
    SIP_TRY(sip__load_sites(strcmp(ld->cx.path, "<string>") ? ld->cx.path : NULL, &pkg->cost,
                                ld->cx.err));
    return SIP_OK;
}

static sip_status_t load(const char *text, const char *path, const sip_load_options_t *options,
                         sip_package_t **out, sip_error_t *err)
{
    *out = NULL;
    if (!path)
        path = "<string>";
    loader_t *ld = calloc(1, sizeof *ld);
    if (!ld)
        return sip_error_set(err, SIP_ENOMEM, path, 0, "cannot allocate the loader");
    ld->cx.path = path;
    ld->cx.err = err;
    build_search_path(ld, strcmp(path, "<string>") ? path : NULL, options);
    config_t cfg;
    config_init(&cfg);
    sip_status_t st = sip_package_create(&ld->pkg, err);
    if (st == SIP_OK)
        st = sip__config_read(&cfg, path, text, err);
    if (st == SIP_OK)
        st = load_package(ld, config_root_setting(&cfg));
    config_destroy(&cfg);
    if (st == SIP_OK) {
        *out = ld->pkg;
        ld->pkg = NULL;
    }
    sip_package_destroy(ld->pkg);
    free(ld->library);
    free(ld->names);
    free(ld);
    return st;
}

sip_status_t sip_package_load(const char *path, const sip_load_options_t *options,
                              sip_package_t **out, sip_error_t *err)
{
    if (!path) {
        *out = NULL;
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "no package file given");
    }
    return load(NULL, path, options, out, err);
}

sip_status_t sip_package_load_string(const char *text, const char *path,
                                     const sip_load_options_t *options, sip_package_t **out,
                                     sip_error_t *err)
{
    if (!text) {
        *out = NULL;
        return sip_error_set(err, SIP_EINVAL, path, 0, "no package text given");
    }
    return load(text, path, options, out, err);
}
