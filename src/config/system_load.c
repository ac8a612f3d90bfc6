/* System files (a system of packages, include/sipsim/system.h): read with the loader's schema
 * machinery (unknown keys with "did you mean", types, ranges, path:line errors).  Lives in
 * src/config because only this area includes <libconfig.h> (DESIGN.md); the system model and
 * its evaluation are src/system's.
 *
 *   name = "rack";  description = "...";
 *   package = "../default.cfg";          # one package type, relative to this file
 *   market = "datacenter";               # or "other" (Note 2 to 3A090); default datacenter
 *   levels = (                           # innermost first; each contains the one before
 *     { name = "board"; contains = "package"; count = 4;
 *       link = { kind = "pcie"; lanes = 16; rate_gbps = 64.0; links = 1; topology = "switch";
 *                latency_ns = 500.0; }; },
 *     { name = "node"; contains = "board"; count = 2; link = { ... }; } );
 *   workload = { model = "llama3-70b"; phase = "decode"; batch = 8; context_tokens = 4096;
 *                precision = "fp8"; };   # optional: inference across packages
 *   caps = ( { GBps = 128.0; }, ... );   # optional: package-to-package caps to study
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "sipsim/system.h"

#define NONE SIZE_MAX
#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const *market_names(void)
{
    static const char *const names[] = {"other", "datacenter"};
    return names;
}

static const char *const *phase_names(void)
{
    static const char *const names[] = {"prefill", "decode"};
    return names;
}

/* Ranges are sanity bounds, not model numbers. */
static const sip__field_t link_fields[] = {
    {.key = "kind", .type = SIP__F_ENUM, .required = true, .help = "pcie, cxl, ethernet or scaleup "
     "(a proprietary scale-up link)", .offset = offsetof(sip_system_link_t, kind),
     .names = sip_syslink_kind_names, .n_names = SIP_SYSLINK_COUNT, .store = SIP__ENUM_INT},
    {.key = "lanes", .type = SIP__F_INT, .required = true, .min = 1, .max = 4096,
     .help = "lanes per link", .offset = offsetof(sip_system_link_t, lanes)},
    {.key = "rate_gbps", .type = SIP__F_FLOAT, .required = true, .min = 0, .min_open = true,
     .max = 10000, .unit = "Gb/s", .help = "data rate per lane and direction after line coding",
     .offset = offsetof(sip_system_link_t, rate_gbps)},
    {.key = "links", .type = SIP__F_INT, .min = 1, .max = 4096,
     .help = "links per child; default 1", .offset = offsetof(sip_system_link_t, links)},
    {.key = "topology", .type = SIP__F_ENUM, .required = true,
     .help = "switch, all_to_all (links shared among the peers) or ring",
     .offset = offsetof(sip_system_link_t, topology), .names = sip_topology_names,
     .n_names = SIP_TOPO_COUNT, .store = SIP__ENUM_INT},
    {.key = "latency_ns", .type = SIP__F_FLOAT, .required = true, .min = 0, .max = 1e9,
     .unit = "ns", .help = "one-way latency per hop (cite it or mark it an assumption)",
     .offset = offsetof(sip_system_link_t, latency_ns)},
};
static void link_init(void *obj)
{
    ((sip_system_link_t *)obj)->links = 1;
}
static const sip__schema_t schema_link = {
    .name = "system_link", .title = "link = { ... } of a system level: how its children are joined",
    .fields = link_fields, .n_fields = N_OF(link_fields),
    .line_offset = offsetof(sip_system_link_t, line), .init = link_init,
};

static const sip__field_t level_fields[] = {
    {.key = "name", .type = SIP__F_STRING, .required = true, .help = "level name (board, node, rack)",
     .offset = offsetof(sip_system_level_t, name), .size = SIP_NAME_MAX},
    {.key = "contains", .type = SIP__F_STRING, .required = true,
     .help = "\"package\" for the first level, else the name of the level before",
     .offset = offsetof(sip_system_level_t, contains), .size = SIP_NAME_MAX},
    {.key = "count", .type = SIP__F_INT, .required = true, .min = 1, .max = 65536,
     .help = "children in one instance of this level", .offset = offsetof(sip_system_level_t, count)},
    {.key = "link", .type = SIP__F_GROUP, .required = true, .sub = &schema_link,
     .help = "the children's off-package link", .offset = offsetof(sip_system_level_t, link)},
};
static void level_init(void *obj)
{
    link_init(&((sip_system_level_t *)obj)->link);
}
static const sip__schema_t schema_level = {
    .name = "system_level", .title = "levels = ( { ... }, ... ) in a system file, innermost first",
    .fields = level_fields, .n_fields = N_OF(level_fields),
    .line_offset = offsetof(sip_system_level_t, line), .init = level_init,
};

static const sip__field_t workload_fields[] = {
    {.key = "model", .type = SIP__F_STRING, .required = true, .help = "model file stem in models/",
     .offset = offsetof(sip_workload_t, model), .size = SIP_NAME_MAX},
    {.key = "phase", .type = SIP__F_ENUM, .required = true, .help = "prefill or decode",
     .offset = offsetof(sip_workload_t, phase), .names = phase_names, .n_names = 2,
     .store = SIP__ENUM_STRING, .size = 16},
    {.key = "batch", .type = SIP__F_INT, .min = 1, .max = 1e6, .help = "sequences per step; default 1",
     .offset = offsetof(sip_workload_t, batch)},
    {.key = "context_tokens", .type = SIP__F_INT, .min = 1, .max = 1e8,
     .help = "prompt / KV cache length; default 1024", .offset = offsetof(sip_workload_t, context_tokens)},
    {.key = "precision", .type = SIP__F_ENUM, .required = true, .help = "compute precision",
     .offset = offsetof(sip_workload_t, precision), .names = sip_precision_names,
     .n_names = SIP_PREC_COUNT, .store = SIP__ENUM_INT},
};
static const sip__schema_t schema_workload = {
    .name = "system_workload", .title = "workload = { ... } in a system file: inference across packages",
    .fields = workload_fields, .n_fields = N_OF(workload_fields),
    .line_offset = offsetof(sip_workload_t, line),
};

static const sip__field_t cap_fields[] = {
    {.key = "GBps", .type = SIP__F_FLOAT, .required = true, .min = 0, .min_open = true, .max = 1e6,
     .unit = "GB/s", .help = "package-to-package bandwidth per direction", .offset = 0},
};
static const sip__schema_t schema_cap = {
    .name = "system_cap", .title = "caps = ( { GBps = ...; }, ... ) in a system file",
    .fields = cap_fields, .n_fields = N_OF(cap_fields), .line_offset = NONE,
};

static sip_status_t system_finish(const sip__cfg_ctx_t *cx, const config_setting_t *root, void *obj);

static const sip__field_t system_fields[] = {
    {.key = "name", .type = SIP__F_STRING, .required = true, .help = "system name",
     .offset = offsetof(sip_system_t, name), .size = SIP_NAME_MAX},
    {.key = "description", .type = SIP__F_STRING, .help = "one line",
     .offset = offsetof(sip_system_t, description), .size = 256},
    {.key = "package", .type = SIP__F_STRING, .required = true,
     .help = "package file, relative to the system file", .offset = offsetof(sip_system_t, package_file),
     .size = SIP_PATH_MAX},
    {.key = "market", .type = SIP__F_ENUM, .help = "datacenter (default) or other (Note 2 to 3A090)",
     .offset = offsetof(sip_system_t, datacenter), .names = market_names, .n_names = 2,
     .store = SIP__ENUM_BOOL},
    {.key = "levels", .type = SIP__F_LIST, .required = true, .min = 1, .max = SIP_SYSTEM_MAX_LEVELS,
     .help = "boards, nodes, racks: innermost first", .offset = offsetof(sip_system_t, levels),
     .count_offset = offsetof(sip_system_t, n_levels), .elem_size = sizeof(sip_system_level_t),
     .sub = &schema_level, .unique = "name"},
    {.key = "workload", .type = SIP__F_GROUP, .sub = &schema_workload,
     .help = "inference across packages", .offset = offsetof(sip_system_t, workload)},
    {.key = "caps", .type = SIP__F_LIST, .max = SIP_SYSTEM_MAX_CAPS,
     .help = "package-to-package bandwidth caps to study", .offset = offsetof(sip_system_t, caps_GBps),
     .count_offset = offsetof(sip_system_t, n_caps), .elem_size = sizeof(double), .sub = &schema_cap},
};
static const sip__schema_t schema_system = {
    .name = "system", .title = "a system file: packages composed into boards, nodes and racks",
    .fields = system_fields, .n_fields = N_OF(system_fields), .line_offset = NONE,
    .finish = system_finish,
};

static sip_status_t system_finish(const sip__cfg_ctx_t *cx, const config_setting_t *root, void *obj)
{
    sip_system_t *s = obj;
    const config_setting_t *levels = sip__member(root, "levels");
    double total = 1.0;
    for (int i = 0; i < s->n_levels; i++) {
        const sip_system_level_t *l = &s->levels[i];
        const config_setting_t *g = config_setting_get_elem(levels, (unsigned)i);
        const char *want = i == 0 ? "package" : s->levels[i - 1].name;
        if (strcmp(l->contains, want) != 0)
            return sip__fail(cx, sip__member(g, "contains"), SIP_EINVAL,
                             "level '%s' contains '%s' (expected \"%s\": levels go innermost first, "
                             "each containing the one before)", l->name, l->contains, want);
        if (strcmp(l->name, "package") == 0)
            return sip__fail(cx, sip__member(g, "name"), SIP_EINVAL,
                             "level name 'package' is reserved (expected board, node, rack ...)");
        const config_setting_t *lk = sip__member(g, "link");
        if (l->link.topology == SIP_TOPO_ALL_TO_ALL && l->count > 1 && l->link.links < l->count - 1)
            return sip__fail(cx, lk && sip__member(lk, "links") ? sip__member(lk, "links") : (lk ? lk : g),
                             SIP_EINVAL,
                             "all_to_all over %d children needs at least %d links per child (one "
                             "per peer), got %d", l->count, l->count - 1, l->link.links);
        if (l->link.topology == SIP_TOPO_RING && l->count > 2 && l->link.links < 2)
            return sip__fail(cx, lk ? lk : g, SIP_EINVAL,
                             "a ring of %d children needs 2 links per child (one to each "
                             "neighbour), got %d", l->count, l->link.links);
        total *= l->count;
        if (total > SIP_SYSTEM_MAX_PACKAGES)
            return sip__fail(cx, sip__member(g, "count"), SIP_ELIMIT,
                             "the system holds %.0f packages up to level '%s' (expected at most %d)",
                             total, l->name, SIP_SYSTEM_MAX_PACKAGES);
    }
    s->workload.present = sip__member(root, "workload") != NULL;
    return SIP_OK;
}

void sip_system_destroy(sip_system_t *sys)
{
    if (!sys)
        return;
    sip_package_destroy(sys->package);
    free(sys);
}

static sip_status_t load(const char *text, const char *path, const sip_load_options_t *options,
                         sip_system_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_system_t *s = calloc(1, sizeof *s);
    if (!s)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate system");
    s->datacenter = true;
    s->workload.batch = 1;
    s->workload.context_tokens = 1024;
    snprintf(s->path, sizeof s->path, "%s", path);
    config_t cfg;
    config_init(&cfg);
    sip__cfg_ctx_t cx = {.path = path, .err = err};
    sip_status_t st = sip__config_read(&cfg, path, text, err);
    if (st == SIP_OK) {
        const config_setting_t *root = config_root_setting(&cfg);
        if (config_setting_length(root) == 0)
            st = sip__fail(&cx, root, SIP_EINVAL, "empty file (expected a system: name, package, "
                           "levels)");
        else
            st = sip__parse_group(&cx, root, &schema_system, s, false);
        if (st == SIP_OK)
            s->package_line = sip__setting_line(sip__member(root, "package"));
    }
    config_destroy(&cfg);
    if (st != SIP_OK)
        goto out;
    char file[2 * SIP_PATH_MAX + 2];
    if (s->package_file[0] == '/') {
        snprintf(file, sizeof file, "%s", s->package_file);
    } else {
        char dir[SIP_PATH_MAX];
        sip__path_dir(path, dir, sizeof dir);
        snprintf(file, sizeof file, "%s/%s", dir, s->package_file);
    }
    if (strlen(file) >= SIP_PATH_MAX) {
        st = sip_error_set(err, SIP_EINVAL, path, s->package_line,
                           "package path too long (expected at most %d characters)", SIP_PATH_MAX - 1);
        goto out;
    }
    FILE *probe = fopen(file, "r");
    if (!probe) {
        st = sip_error_set(err, SIP_ENOTFOUND, path, s->package_line,
                           "cannot open package file '%s' (expected a package .cfg, relative to "
                           "the system file)", file);
        goto out;
    }
    fclose(probe);
    /* The package's own errors name the package file and its line. */
    st = sip_package_load(file, options, &s->package, err);
out:
    if (st != SIP_OK) {
        sip_system_destroy(s);
        return st;
    }
    *out = s;
    return SIP_OK;
}

sip_status_t sip_system_load(const char *path, const sip_load_options_t *options,
                             sip_system_t **out, sip_error_t *err)
{
    return load(NULL, path, options, out, err);
}

sip_status_t sip_system_load_string(const char *text, const char *path,
                                    const sip_load_options_t *options, sip_system_t **out,
                                    sip_error_t *err)
{
    return load(text, path, options, out, err);
}
