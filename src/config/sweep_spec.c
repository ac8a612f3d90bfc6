/* Sweep specs (libconfig): base package, axes by path, sampling, engines, constraints,
 * objectives.  Lives in src/config because only this area includes <libconfig.h>; axis paths are
 * resolved against the loader's own schema tables, so every setting a package file can hold (and
 * its range) is a sweep axis without a second table.  The variant logic is in src/sweep.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "sip_config.h"
#include "sipsim/sweep.h"
#include "sipsim/traffic.h"

#define NONE SIZE_MAX
#define MAX_SPEC_BYTES (4L * 1024 * 1024)
#define MAX_AXIS_VALUES 1000000
#define MAX_SEGMENTS 8

/* Top-level keys and engine settings, as schema tables (unknown keys, types and ranges are
 * reported by the same code as package files).  Keys with offset NONE are read below. */
typedef struct {
    char name[SIP_NAME_MAX];
    char base[SIP_PATH_MAX];
    int method;
    int samples;
    int seed;
    char pattern[SIP_NAME_MAX];
    char routing[16];
    int grid;
    double rate;
    double gap_mm;
} spec_src_t;

static const char *const *method_names(void)
{
    static const char *const names[] = {"grid", "random", "lhs"};
    return names;
}

static const sip__field_t sampling_fields[] = {
    {.key = "method", .type = SIP__F_ENUM, .help = "grid (every combination), random or lhs "
     "(Latin hypercube); default grid", .offset = offsetof(spec_src_t, method),
     .names = method_names, .n_names = SIP_SAMPLING_COUNT, .store = SIP__ENUM_INT},
    {.key = "samples", .type = SIP__F_INT, .min = 1, .max = 100000000, .help = "variants drawn by "
     "random and lhs", .offset = offsetof(spec_src_t, samples)},
    {.key = "seed", .type = SIP__F_INT, .min = 0, .max = 2147483647, .help = "random seed; default 1",
     .offset = offsetof(spec_src_t, seed)},
};
static const sip__schema_t schema_sampling = {
    .name = "sampling", .title = "sampling = { ... } in a sweep spec",
    .fields = sampling_fields, .n_fields = 3, .line_offset = NONE,
};

static const sip__field_t traffic_fields[] = {
    {.key = "pattern", .type = SIP__F_STRING, .help = "traffic pattern; default the package's, else "
     "uniform", .offset = offsetof(spec_src_t, pattern), .size = SIP_NAME_MAX},
    {.key = "routing", .type = SIP__F_STRING, .help = "minimal, ecmp, dor or updown; default minimal",
     .offset = offsetof(spec_src_t, routing), .size = 16},
};
static const sip__schema_t schema_traffic = {
    .name = "traffic", .title = "traffic = { ... } in a sweep spec", .fields = traffic_fields,
    .n_fields = 2, .line_offset = NONE,
};
static const sip__field_t thermal_fields[] = {
    {.key = "grid", .type = SIP__F_INT, .min = 4, .max = 1024, .help = "grid rows = cols; default the "
     "package's thermal.grid", .offset = offsetof(spec_src_t, grid)},
};
static const sip__schema_t schema_thermal = {
    .name = "thermal", .title = "thermal = { ... } in a sweep spec", .fields = thermal_fields,
    .n_fields = 1, .line_offset = NONE,
};
static const sip__field_t netsim_fields[] = {
    {.key = "rate", .type = SIP__F_FLOAT, .min = 0, .min_open = true, .max = 1, .unit = "flits/node/cycle",
     .help = "injection rate; default 0.1", .offset = offsetof(spec_src_t, rate)},
};
static const sip__schema_t schema_netsim = {
    .name = "netsim", .title = "netsim = { ... } in a sweep spec", .fields = netsim_fields,
    .n_fields = 1, .line_offset = NONE,
};
static const sip__field_t placement_fields[] = {
    {.key = "gap_mm", .type = SIP__F_FLOAT, .min = 0, .max = 100, .unit = "mm",
     .help = "spacing between tiles of generated placements; default 1", .offset = offsetof(spec_src_t, gap_mm)},
};
static const sip__schema_t schema_placement = {
    .name = "placement", .title = "placement = { ... } in a sweep spec", .fields = placement_fields,
    .n_fields = 1, .line_offset = NONE,
};

static const sip__field_t spec_fields[] = {
    {.key = "name", .type = SIP__F_STRING, .help = "sweep name; default the file stem",
     .offset = offsetof(spec_src_t, name), .size = SIP_NAME_MAX},
    {.key = "base", .type = SIP__F_STRING, .required = true, .help = "base package file, relative "
     "to the spec", .offset = offsetof(spec_src_t, base), .size = SIP_PATH_MAX},
    {.key = "engines", .type = SIP__F_STRING_ARRAY, .min = 1, .max = SIP_SWEEP_ENGINE_COUNT,
     .help = "engines to run; default check, ucie, tpp, traffic, cost (and workload when the base has one)", .offset = NONE},
    {.key = "sampling", .type = SIP__F_GROUP, .help = "sampling plan", .offset = 0, .sub = &schema_sampling},
    {.key = "axes", .type = SIP__F_LIST, .required = true, .min = 0, .max = SIP_SWEEP_MAX_AXES,
     .help = "( { path; values | range | log_range; name; }, ... )", .offset = NONE},
    {.key = "constraints", .type = SIP__F_STRING_ARRAY, .min = 0, .max = SIP_SWEEP_MAX_CONSTRAINTS,
     .help = "\"METRIC OP VALUE\", e.g. \"tpp < 4800\", \"check == ok\"", .offset = NONE},
    {.key = "objectives", .type = SIP__F_STRING_ARRAY, .min = 0, .max = SIP_SWEEP_MAX_OBJECTIVES,
     .help = "\"min METRIC\" or \"max METRIC\" for the Pareto front", .offset = NONE},
    {.key = "traffic", .type = SIP__F_GROUP, .help = "traffic engine settings", .offset = 0, .sub = &schema_traffic},
    {.key = "thermal", .type = SIP__F_GROUP, .help = "thermal engine settings", .offset = 0, .sub = &schema_thermal},
    {.key = "netsim", .type = SIP__F_GROUP, .help = "netsim engine settings", .offset = 0, .sub = &schema_netsim},
    {.key = "placement", .type = SIP__F_GROUP, .help = "placement generator settings", .offset = 0,
     .sub = &schema_placement},
};
static const sip__schema_t schema_spec = {
    .name = "sweep", .title = "a sweep spec (sipsim sweep SPEC)", .fields = spec_fields,
    .n_fields = (int)(sizeof spec_fields / sizeof spec_fields[0]), .line_offset = NONE,
};

/* ------------------------------------------------------------------ helpers */

static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static sip_status_t read_text(const char *path, char **out, sip_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open: %s", strerror(errno));
    char *buf = malloc((size_t)MAX_SPEC_BYTES + 1);
    if (!buf) {
        fclose(f);
        return sip_error_set(err, SIP_ENOMEM, path, 0, "cannot allocate a read buffer");
    }
    size_t n = fread(buf, 1, (size_t)MAX_SPEC_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > (size_t)MAX_SPEC_BYTES) {
        free(buf);
        return sip_error_set(err, bad ? SIP_EIO : SIP_ELIMIT, path, 0,
                             bad ? "cannot read" : "sweep spec larger than 4 MiB");
    }
    buf[n] = '\0';
    *out = buf;
    return SIP_OK;
}

/* ------------------------------------------------------------------ path resolution */

typedef struct {
    const sip__cfg_ctx_t *cx;
    const config_setting_t *where;
    const sip_package_t *pkg;
    const char *path;
} resolver_t;

static sip_status_t add_slot(sip_setter_t *s, sip_target_t target, int index, size_t offset)
{
    sip_setter_slot_t *p = realloc(s->slots, (size_t)(s->n_slots + 1) * sizeof *p);
    if (!p)
        return SIP_ENOMEM;
    s->slots = p;
    s->slots[s->n_slots++] = (sip_setter_slot_t){target, index, offset};
    return SIP_OK;
}

/* The name of list element `elem` by the list's unique key (string or enum). */
static const char *elem_name(const sip__field_t *list, const char *elem)
{
    const sip__field_t *k = sip__schema_find(list->sub, list->unique ? list->unique : "name");
    if (!k || k->offset == NONE)
        return "";
    if (k->type == SIP__F_STRING || (k->type == SIP__F_ENUM && k->store == SIP__ENUM_STRING))
        return elem + k->offset;
    if (k->type == SIP__F_ENUM && k->store == SIP__ENUM_INT) {
        int idx = *(const int *)(const void *)(elem + k->offset);
        return (idx >= 0 && idx < k->n_names) ? k->names()[idx] : "";
    }
    return "";
}

static sip_status_t fail_path(const resolver_t *r, const char *fmt, const char *a, const char *b)
{
    char msg[SIP_MESSAGE_MAX];
    snprintf(msg, sizeof msg, fmt, a, b);
    return sip__fail(r->cx, r->where, SIP_EINVAL, "axis '%s': %s", r->path, msg);
}

static sip_status_t unknown_key_path(const resolver_t *r, const sip__schema_t *schema, const char *key)
{
    const char *cand[64];
    int n = 0;
    for (const sip__schema_t *s = schema; s; s = s->extends)
        for (int i = 0; i < s->n_fields && n < 64; i++)
            cand[n++] = s->fields[i].key;
    const char *near = sip__closest(key, cand, n);
    char hint[SIP_NAME_MAX + 32] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    return fail_path(r, "no setting '%s' here%s", key, hint);
}

/* Walk segs[0..n) from `schema` inside the object at (target, index, base offset) `obj`;
 * each terminal field adds a slot.  `sample` is an object of this schema used for names. */
static sip_status_t walk(const resolver_t *r, sip_setter_t *s, const sip__schema_t *schema,
                         sip_target_t target, int index, size_t base, const char *sample,
                         char **segs, int n)
{
    if (n == 0)
        return fail_path(r, "path ends at a group (expected a setting)%s%s", "", "");
    const sip__field_t *f = sip__schema_find(schema, segs[0]);
    if (!f)
        return unknown_key_path(r, schema, segs[0]);
    if (f->offset == NONE)
        return fail_path(r, "'%s' cannot be varied by path%s", segs[0], "");
    size_t off = base + f->offset;
    switch (f->type) {
    case SIP__F_GROUP:
        return walk(r, s, f->sub, target, index, off, sample + f->offset, segs + 1, n - 1);
    case SIP__F_LIST: {
        if (n < 3)
            /* Three names: fail_path takes two (the third %s read garbage, found by fuzz/). */
            return sip__fail(r->cx, r->where, SIP_EINVAL,
                             "axis '%s': '%s' is a list (expected %s.NAME.SETTING or %s.*.SETTING)",
                             r->path, segs[0], segs[0], segs[0]);
        int count = *(const int *)(const void *)(sample + f->count_offset);
        const char *arr = sample + f->offset;
        int matched = 0;
        for (int i = 0; i < count; i++) {
            const char *elem = arr + (size_t)i * f->elem_size;
            if (strcmp(segs[1], "*") != 0 && strcmp(segs[1], elem_name(f, elem)) != 0)
                continue;
            matched++;
            SIP_TRY(walk(r, s, f->sub, target, index, off + (size_t)i * f->elem_size, elem,
                         segs + 2, n - 2));
        }
        if (!matched && strcmp(segs[1], "*") != 0)
            return fail_path(r, "no element '%s' in '%s'", segs[1], segs[0]);
        return SIP_OK;
    }
    case SIP__F_INT:
    case SIP__F_FLOAT:
    case SIP__F_STRING:
    case SIP__F_ENUM:
        break;
    default:
        return fail_path(r, "'%s' is an array or list of names (expected a single setting)",
                         segs[0], "");
    }
    if (n != 1)
        return fail_path(r, "'%s' is a setting, not a group%s", segs[0], "");
    sip_field_store_t store = f->type == SIP__F_INT     ? SIP_FIELD_INT
                              : f->type == SIP__F_FLOAT ? SIP_FIELD_DOUBLE
                              : f->type == SIP__F_STRING ? SIP_FIELD_STRING
                              : f->store == SIP__ENUM_BOOL ? SIP_FIELD_BOOL
                              : f->store == SIP__ENUM_STRING ? SIP_FIELD_STRING
                                                             : SIP_FIELD_INT;
    if (s->n_slots > 0 && (s->store != store || s->names != (f->names ? f->names() : NULL)))
        return fail_path(r, "'*' selects settings of different kinds%s%s", "", "");
    s->kind = SIP_SETTER_FIELD;
    s->store = store;
    s->min = f->type == SIP__F_INT || f->type == SIP__F_FLOAT ? f->min : 0;
    s->max = f->type == SIP__F_INT || f->type == SIP__F_FLOAT ? f->max : 0;
    s->min_open = f->min_open;
    s->size = f->size;
    s->names = f->names ? f->names() : NULL;
    s->n_names = f->names ? f->n_names : 0;
    return add_slot(s, target, index, off) == SIP_OK ? SIP_OK
           : sip__fail(r->cx, r->where, SIP_ENOMEM, "out of memory");
}

/* Instance and link fields are parsed into wrapper structs whose first member is the model
 * object: fields inside that member keep their offsets; the wrapper's own (names) cannot vary. */
static sip_status_t walk_member(const resolver_t *r, sip_setter_t *s, const sip__schema_t *schema,
                                sip_target_t target, int index, size_t object_size, char **segs,
                                int n)
{
    const sip__field_t *f = sip__schema_find(schema, segs[0]);
    if (f && (f->offset >= object_size || strcmp(f->key, "name") == 0 ||
              strcmp(f->key, "from") == 0 || strcmp(f->key, "to") == 0))
        return fail_path(r, "'%s' cannot be varied%s", segs[0], "");
    if (n != 1)
        return fail_path(r, "'%s' is a setting, not a group%s", segs[0], "");
    /* No name lookups below a scalar: a zeroed sample suffices. */
    static const char zero[1] = {0};
    return walk(r, s, schema, target, index, 0, zero, segs, n);
}

static sip_status_t resolve(const resolver_t *r, sip_sweep_axis_t *axis, char **segs, int n)
{
    const sip_package_t *pkg = r->pkg;
    sip_setter_t *s = &axis->setter;
    if (n == 1 && strcmp(segs[0], "compute_chiplets") == 0) {
        s->kind = SIP_SETTER_COMPUTE;
        return SIP_OK;
    }
    if (n == 1 && strcmp(segs[0], "placement") == 0) {
        s->kind = SIP_SETTER_PLACEMENT;
        return SIP_OK;
    }
    bool inst = strcmp(segs[0], "instances") == 0, link = strcmp(segs[0], "links") == 0;
    bool type = strcmp(segs[0], "types") == 0;
    if (inst || link || type) {
        if (n < 3)
            return fail_path(r, "expected %s.NAME.SETTING or %s.*.SETTING", segs[0], segs[0]);
        int count = inst ? pkg->n_instances : link ? pkg->n_links : pkg->n_types;
        int matched = 0;
        for (int i = 0; i < count; i++) {
            const char *name = inst ? pkg->instances[i].name
                               : link ? pkg->links[i].name
                                      : pkg->types[i].name;
            if (strcmp(segs[1], "*") != 0 && strcmp(segs[1], name) != 0)
                continue;
            matched++;
            if (inst && n == 3 && strcmp(segs[2], "type") == 0) {
                s->kind = SIP_SETTER_TYPE;
                if (add_slot(s, SIP_TARGET_INSTANCE, i, 0) != SIP_OK)
                    return sip__fail(r->cx, r->where, SIP_ENOMEM, "out of memory");
                continue;
            }
            if (inst)
                SIP_TRY(walk_member(r, s, &sip__schema_instance, SIP_TARGET_INSTANCE, i,
                                    sizeof(sip_instance_t), segs + 2, n - 2));
            else if (link)
                SIP_TRY(walk_member(r, s, &sip__schema_link, SIP_TARGET_LINK, i,
                                    sizeof(sip_link_t), segs + 2, n - 2));
            else
                SIP_TRY(walk(r, s, &sip__schema_chiplet, SIP_TARGET_TYPE, i, 0,
                             (const char *)&pkg->types[i], segs + 2, n - 2));
        }
        if (!matched) {
            if (strcmp(segs[1], "*") == 0)
                return fail_path(r, "the base package has no %s%s", segs[0], "");
            return fail_path(r, "the base package has no %s named '%s'", segs[0] + 0, segs[1]);
        }
        return SIP_OK;
    }
    if (strcmp(segs[0], "traffic") == 0) {
        if (n != 2)
            return fail_path(r, "expected traffic.SETTING%s%s", "", "");
        return walk(r, s, &sip__schema_traffic, SIP_TARGET_PACKAGE, -1,
                    offsetof(sip_package_t, traffic), (const char *)&pkg->traffic, segs + 1, 1);
    }
    return walk(r, s, &sip__schema_package, SIP_TARGET_PACKAGE, -1, 0, (const char *)pkg, segs, n);
}

/* ------------------------------------------------------------------ chiplet types for type axes */

/* True when dir/NAME.cfg exists; a file that exists but does not load keeps its path:line in
 * *err (status set) so the axis error can show it. */
static bool try_type_file(const char *dir, const char *name, sip_chiplet_type_t *out,
                          sip_error_t *err)
{
    char path[SIP_PATH_MAX];
    int w = snprintf(path, sizeof path, "%s/%s.cfg", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fclose(f);
    (void)sip_chiplet_load(path, out, err);
    return true;
}

/* Type index in the base for a type-axis value, loading a library type when the base lacks it
 * (search order as the loader's: -L folders, chiplets/ beside the base and up to two parents). */
static int type_for_axis(sip_package_t *base, const sip_load_options_t *opt, const char *name,
                         sip_error_t *err)
{
    int t = sip_package_find_type(base, name);
    if (t >= 0)
        return t;
    sip_chiplet_type_t *type = malloc(sizeof *type);
    if (!type)
        return -1;
    bool found = false;
    for (int i = 0; opt && i < opt->n_library_dirs && !found; i++)
        found = opt->library_dirs[i] && try_type_file(opt->library_dirs[i], name, type, err);
    char dir[SIP_PATH_MAX], sub[SIP_PATH_MAX + 16], up[SIP_PATH_MAX];
    sip__path_dir(base->path, dir, sizeof dir);
    for (int level = 0; level < 3 && !found && !(opt && opt->no_default_dirs); level++) {
        snprintf(sub, sizeof sub, "%s/chiplets", dir);
        found = try_type_file(sub, name, type, err);
        if (strcmp(dir, ".") == 0)
            snprintf(up, sizeof up, "..");
        else if (strcmp(dir, "..") == 0 || (strlen(dir) >= 3 && strcmp(dir + strlen(dir) - 3, "/..") == 0))
            snprintf(up, sizeof up, "%.*s/..", (int)(sizeof up - 4), dir);
        else
            sip__path_dir(dir, up, sizeof up);
        memcpy(dir, up, sizeof dir);
    }
    if (!found && !(opt && opt->no_default_dirs))
        found = try_type_file(SIP_DATADIR "/chiplets", name, type, err);
    /* the first file found is the type (as the loader's search): broken = an error, not a miss */
    t = found && err->status == SIP_OK ? sip_package_add_type(base, type, err) : -1;
    free(type);
    return t;
}

/* ------------------------------------------------------------------ axes */

static const char *const axis_keys[] = {"path", "name", "values", "range", "log_range"};

static sip_status_t read_float(const sip__cfg_ctx_t *cx, const config_setting_t *e, double *v)
{
    int t = config_setting_type(e);
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        *v = (double)config_setting_get_int64(e);
    else if (t == CONFIG_TYPE_FLOAT)
        *v = config_setting_get_float(e);
    else
        return sip__fail(cx, e, SIP_EINVAL, "expected a number");
    return SIP_OK;
}

static sip_status_t push_value(sip_sweep_axis_t *a, double v, const char *word)
{
    if (a->n_values >= MAX_AXIS_VALUES)
        return SIP_ELIMIT;
    double *p = realloc(a->values, (size_t)(a->n_values + 1) * sizeof *p);
    if (!p)
        return SIP_ENOMEM;
    a->values = p;
    if (word) {
        char (*w)[SIP_NAME_MAX] = realloc(a->words, (size_t)(a->n_values + 1) * sizeof *w);
        if (!w)
            return SIP_ENOMEM;
        a->words = w;
        snprintf(a->words[a->n_values], SIP_NAME_MAX, "%s", word);
    }
    a->values[a->n_values++] = v;
    return SIP_OK;
}

static sip_status_t check_number(const sip__cfg_ctx_t *cx, const config_setting_t *e,
                                 const sip_sweep_axis_t *a, double v)
{
    const sip_setter_t *s = &a->setter;
    if (s->kind == SIP_SETTER_COMPUTE) {
        if (v < 1 || v > SIP_MAX_INSTANCES || v != floor(v))
            return sip__fail(cx, e, SIP_EINVAL, "axis '%s': value %g (expected a whole number of "
                             "compute chiplets >= 1)", a->path, v);
        return SIP_OK;
    }
    if (s->kind != SIP_SETTER_FIELD || s->store == SIP_FIELD_STRING || s->names)
        return sip__fail(cx, e, SIP_EINVAL, "axis '%s': value %g is a number (expected names)",
                         a->path, v);
    if (s->store == SIP_FIELD_INT && v != floor(v) && !a->continuous)
        return sip__fail(cx, e, SIP_EINVAL, "axis '%s': value %g (expected a whole number)",
                         a->path, v);
    if (!(s->min_open ? v > s->min : v >= s->min) || v > s->max)
        return sip__fail(cx, e, SIP_EINVAL, "axis '%s': value %g out of range (expected %s%g .. %g)",
                         a->path, v, s->min_open ? "> " : "", s->min, s->max);
    return SIP_OK;
}

static sip_status_t add_word(const sip__cfg_ctx_t *cx, const config_setting_t *e, sip_sweep_axis_t *a,
                             sip_package_t *base, const sip_load_options_t *opt, const char *w)
{
    sip_setter_t *s = &a->setter;
    double v;
    if (s->kind == SIP_SETTER_TYPE) {
        sip_error_t inner;
        sip_error_clear(&inner);
        int t = type_for_axis(base, opt, w, &inner);
        if (t < 0 && inner.status != SIP_OK) {
            char msg[SIP_MESSAGE_MAX];
            sip_error_format(&inner, msg, sizeof msg);
            return sip__fail(cx, e, inner.status, "axis '%s': chiplet type '%s': %.400s", a->path,
                             w, msg);
        }
        if (t < 0)
            return sip__fail(cx, e, SIP_ENOTFOUND, "axis '%s': chiplet type '%s' not found (expected "
                             "a type of the base package or chiplets/%s.cfg)", a->path, w, w);
        v = t;
    } else if (s->kind == SIP_SETTER_PLACEMENT) {
        static const char *const names[] = {"base", "mesh", "ring", "star"};
        int idx = sip_enum_lookup(names, SIP_PLACEMENT_COUNT, w);
        if (idx < 0)
            return sip__fail(cx, e, SIP_EINVAL, "axis '%s': unknown placement '%s' (expected base, "
                             "mesh, ring or star)", a->path, w);
        v = idx;
    } else if (s->kind == SIP_SETTER_FIELD && s->names) {
        int idx = sip_enum_lookup(s->names, s->n_names, w);
        if (idx < 0) {
            char list[256] = "";
            for (int i = 0; i < s->n_names; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         s->names[i]);
            return sip__fail(cx, e, SIP_EINVAL, "axis '%s': unknown value '%s' (expected one of %s)",
                             a->path, w, list);
        }
        v = idx;
    } else if (s->kind == SIP_SETTER_FIELD && s->store == SIP_FIELD_STRING) {
        if ((int)strlen(w) >= s->size)
            return sip__fail(cx, e, SIP_EINVAL, "axis '%s': '%s' is too long (expected at most %d "
                             "characters)", a->path, w, s->size - 1);
        v = a->n_values;
    } else {
        return sip__fail(cx, e, SIP_EINVAL, "axis '%s': '%s' is a name (expected numbers)", a->path, w);
    }
    sip_status_t st = push_value(a, v, w);
    return st == SIP_OK ? SIP_OK : sip__fail(cx, e, st, "axis '%s': too many values", a->path);
}

static sip_status_t read_axis(const sip__cfg_ctx_t *cx, const config_setting_t *g, sip_sweep_axis_t *a,
                              sip_package_t *base, const sip_load_options_t *opt)
{
    if (!config_setting_is_group(g))
        return sip__fail(cx, g, SIP_EINVAL, "axis is not a group (expected { path = \"...\"; values "
                         "= [...]; })");
    a->line = sip__setting_line(g);
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *k = config_setting_name(m);
        if (sip_enum_lookup(axis_keys, 5, k) < 0) {
            const char *near = sip__closest(k, axis_keys, 5);
            return sip__fail(cx, m, SIP_EINVAL, "unknown key '%s' in an axis%s%s%s (expected path, "
                             "name, values, range or log_range)", k, near ? " (did you mean '" : "",
                             near ? near : "", near ? "'?)" : "");
        }
    }
    const config_setting_t *p = sip__member(g, "path");
    if (!p || config_setting_type(p) != CONFIG_TYPE_STRING)
        return sip__fail(cx, p ? p : g, SIP_EINVAL, "axis without a path (expected path = "
                         "\"links.*.rate_gtps\" or similar)");
    const char *path = config_setting_get_string(p);
    if (strlen(path) >= sizeof a->path)
        return sip__fail(cx, p, SIP_EINVAL, "axis path too long (expected at most %zu characters)",
                         sizeof a->path - 1);
    snprintf(a->path, sizeof a->path, "%s", path);
    const config_setting_t *nm = sip__member(g, "name");
    if (nm && (config_setting_type(nm) != CONFIG_TYPE_STRING ||
               strlen(config_setting_get_string(nm)) >= sizeof a->name || !config_setting_get_string(nm)[0]))
        return sip__fail(cx, nm, SIP_EINVAL, "axis name (expected a non-empty string of at most %zu "
                         "characters)", sizeof a->name - 1);
    snprintf(a->name, sizeof a->name, "%s", nm ? config_setting_get_string(nm) : path);

    char buf[sizeof a->path];
    memcpy(buf, a->path, sizeof buf);
    char *segs[MAX_SEGMENTS];
    int n = 0;
    for (char *tok = buf, *dot; tok; tok = dot ? dot + 1 : NULL) {
        dot = strchr(tok, '.');
        if (dot)
            *dot = '\0';
        if (!tok[0] || n == MAX_SEGMENTS)
            return sip__fail(cx, p, SIP_EINVAL, "axis path '%s' (expected NAME.NAME... with at most "
                             "%d parts)", a->path, MAX_SEGMENTS);
        segs[n++] = tok;
    }
    resolver_t r = {.cx = cx, .where = p, .pkg = base, .path = a->path};
    SIP_TRY(resolve(&r, a, segs, n));

    const config_setting_t *vals = sip__member(g, "values"), *range = sip__member(g, "range"),
                           *logr = sip__member(g, "log_range");
    if (!!vals + !!range + !!logr != 1)
        return sip__fail(cx, g, SIP_EINVAL, "axis '%s' needs exactly one of values, range, "
                         "log_range (expected values = [...] or range = [lo, hi, step])", a->path);
    if (vals) {
        int t = config_setting_type(vals);
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
            return sip__fail(cx, vals, SIP_EINVAL, "axis '%s': values (expected [a, b, ...])", a->path);
        int count = config_setting_length(vals);
        if (count < 1)
            return sip__fail(cx, vals, SIP_EINVAL, "axis '%s': no values (expected at least one)", a->path);
        for (int i = 0; i < count; i++) {
            const config_setting_t *e = config_setting_get_elem(vals, (unsigned)i);
            if (config_setting_type(e) == CONFIG_TYPE_STRING) {
                SIP_TRY(add_word(cx, e, a, base, opt, config_setting_get_string(e)));
            } else {
                double v = 0.0;
                SIP_TRY(read_float(cx, e, &v));
                SIP_TRY(check_number(cx, e, a, v));
                sip_status_t st = push_value(a, v, NULL);
                if (st != SIP_OK)
                    return sip__fail(cx, e, st, "axis '%s': too many values", a->path);
            }
        }
        if (a->words && a->n_values > 0) {
            /* Mixed numbers and names cannot print consistently. */
            for (int i = 0; i < count; i++)
                if (config_setting_type(config_setting_get_elem(vals, (unsigned)i)) != CONFIG_TYPE_STRING)
                    return sip__fail(cx, vals, SIP_EINVAL, "axis '%s': values mix numbers and names "
                                     "(expected one kind)", a->path);
        }
        return SIP_OK;
    }
    const config_setting_t *rs = range ? range : logr;
    const char *key = range ? "range" : "log_range";
    int t = config_setting_type(rs);
    int count = (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) ? config_setting_length(rs) : 0;
    if (count != 2 && count != 3)
        return sip__fail(cx, rs, SIP_EINVAL, "axis '%s': %s (expected [lo, hi] or [lo, hi, %s])",
                         a->path, key, range ? "step" : "count");
    double v[3];
    for (int i = 0; i < count; i++)
        SIP_TRY(read_float(cx, config_setting_get_elem(rs, (unsigned)i), &v[i]));
    if (!(v[1] >= v[0]))
        return sip__fail(cx, rs, SIP_EINVAL, "axis '%s': %s [%g, %g] (expected lo <= hi)", a->path,
                         key, v[0], v[1]);
    if (logr && !(v[0] > 0))
        return sip__fail(cx, rs, SIP_EINVAL, "axis '%s': log_range starts at %g (expected lo > 0)",
                         a->path, v[0]);
    if (count == 2) {
        a->continuous = true;
        a->log_scale = logr != NULL;
        a->lo = v[0];
        a->hi = v[1];
        SIP_TRY(check_number(cx, rs, a, v[0]));
        return check_number(cx, rs, a, v[1]);
    }
    if (range) {
        if (!(v[2] > 0))
            return sip__fail(cx, rs, SIP_EINVAL, "axis '%s': range step %g (expected > 0)", a->path, v[2]);
        double steps = floor((v[1] - v[0]) / v[2] * (1 + 1e-12) + 1e-9);
        if (steps + 1 > MAX_AXIS_VALUES)
            return sip__fail(cx, rs, SIP_ELIMIT, "axis '%s': %g values (expected at most %d)",
                             a->path, steps + 1, MAX_AXIS_VALUES);
        for (int i = 0; i <= (int)steps; i++) {
            /* lo + i*step, not repeated addition: no drift over long ranges. */
            double x = v[0] + i * v[2];
            if (fabs(x) < 1e-12 * v[2])
                x = 0.0;
            SIP_TRY(check_number(cx, rs, a, x));
            if (push_value(a, x, NULL) != SIP_OK)
                return sip__fail(cx, rs, SIP_ENOMEM, "out of memory");
        }
        return SIP_OK;
    }
    if (v[2] < 1 || v[2] != floor(v[2]) || v[2] > MAX_AXIS_VALUES)
        return sip__fail(cx, rs, SIP_EINVAL, "axis '%s': log_range count %g (expected a whole "
                         "number 1 .. %d)", a->path, v[2], MAX_AXIS_VALUES);
    int k = (int)v[2];
    for (int i = 0; i < k; i++) {
        double x = k == 1 ? v[0] : v[0] * pow(v[1] / v[0], (double)i / (k - 1));
        if (i == k - 1)
            x = v[1];
        if (a->setter.kind == SIP_SETTER_FIELD && a->setter.store == SIP_FIELD_INT)
            x = round(x);
        SIP_TRY(check_number(cx, rs, a, x));
        if (push_value(a, x, NULL) != SIP_OK)
            return sip__fail(cx, rs, SIP_ENOMEM, "out of memory");
    }
    return SIP_OK;
}

/* ------------------------------------------------------------------ the spec */

/* libconfig gives array elements the line its scanner had reached (often the closing bracket):
 * find the quoted text itself at or after the array's first line. */
static int element_line(const char *text, int from_line, const char *s, int fallback)
{
    int line = 1;
    const char *p = text;
    while (*p && line < from_line)
        if (*p++ == '\n')
            line++;
    size_t n = strlen(s);
    for (; *p; p++) {
        if (*p == '\n')
            line++;
        else if (*p == '"' && strncmp(p + 1, s, n) == 0 && p[1 + n] == '"')
            return line;
    }
    return fallback;
}

static sip_status_t read_strings(const sip__cfg_ctx_t *cx, const config_setting_t *root,
                                 const char *key, sip_sweep_spec_t *spec, const char *src)
{
    const config_setting_t *m = sip__member(root, key);
    if (!m)
        return SIP_OK;
    for (int i = 0; i < config_setting_length(m); i++) {
        const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
        const char *text = config_setting_get_string(e);
        int line = element_line(src, sip__setting_line(m), text, sip__setting_line(m));
        if (key[0] == 'e') {
            int idx = sip_sweep_engine_lookup(text);
            if (idx < 0) {
                const char *names[SIP_SWEEP_ENGINE_COUNT];
                for (int j = 0; j < SIP_SWEEP_ENGINE_COUNT; j++)
                    names[j] = sip_sweep_engine_name((sip_sweep_engine_t)j);
                const char *near = sip__closest(text, names, SIP_SWEEP_ENGINE_COUNT);
                return sip_error_set(cx->err, SIP_EINVAL, cx->path, line,
                                     "unknown engine '%s'%s%s%s (expected check, ucie, tpp, traffic, "
                                     "cost, thermal or netsim)", text, near ? " (did you mean '" : "",
                                     near ? near : "", near ? "'?)" : "");
            }
            spec->engines |= 1u << idx;
        } else if (key[0] == 'c') {
            SIP_TRY(sip_sweep_constraint_parse(text, cx->path, line,
                                               &spec->constraints[spec->n_constraints], cx->err));
            spec->n_constraints++;
        } else {
            SIP_TRY(sip_sweep_objective_parse(text, cx->path, line,
                                              &spec->objectives[spec->n_objectives], cx->err));
            spec->n_objectives++;
        }
    }
    return SIP_OK;
}

static sip_status_t load_spec(const char *text, const char *path, const sip_load_options_t *opt,
                              sip_sweep_spec_t *spec, sip_error_t *err)
{
    config_t cfg;
    config_init(&cfg);
    sip__cfg_ctx_t cx = {.path = path, .err = err};
    spec_src_t src = {.method = SIP_SAMPLING_GRID, .samples = 0, .seed = 1, .rate = 0.1, .gap_mm = 1.0};
    sip_status_t st = sip__config_read(&cfg, path, text, err);
    const config_setting_t *root = config_root_setting(&cfg);
    if (st == SIP_OK)
        st = sip__parse_group(&cx, root, &schema_spec, &src, false);
    if (st != SIP_OK)
        goto out;
    snprintf(spec->path, sizeof spec->path, "%s", path);
    spec->fingerprint = fnv1a(text, 1469598103934665603ull);
    if (src.name[0])
        snprintf(spec->name, sizeof spec->name, "%s", src.name);
    else
        sip__path_stem(path, spec->name, sizeof spec->name);
    /* The base package, relative to the spec's folder. */
    char dir[SIP_PATH_MAX];
    sip__path_dir(path, dir, sizeof dir);
    int w = src.base[0] == '/' ? snprintf(spec->base_path, sizeof spec->base_path, "%s", src.base)
                               : snprintf(spec->base_path, sizeof spec->base_path, "%s/%s", dir, src.base);
    const config_setting_t *bs = sip__member(root, "base");
    if (w < 0 || (size_t)w >= sizeof spec->base_path) {
        st = sip__fail(&cx, bs, SIP_EINVAL, "base path too long (expected at most %d characters)",
                       SIP_PATH_MAX - 1);
        goto out;
    }
    sip_error_t inner;
    sip_error_clear(&inner);
    st = sip_package_load(spec->base_path, opt, &spec->base, &inner);
    if (st != SIP_OK) {
        char msg[SIP_MESSAGE_MAX];
        sip_error_format(&inner, msg, sizeof msg);
        st = sip__fail(&cx, bs, st, "base package: %.400s", msg);
        goto out;
    }
    spec->sampling = (sip_sampling_t)src.method;
    spec->samples = (uint64_t)src.samples;
    spec->seed = (uint64_t)src.seed;
    snprintf(spec->traffic_pattern, sizeof spec->traffic_pattern, "%s", src.pattern);
    spec->routing = SIP_ROUTING_MINIMAL;
    if (src.routing[0]) {
        int r = sip_routing_lookup(src.routing);
        if (r < 0) {
            st = sip__fail(&cx, sip__member(sip__member(root, "traffic"), "routing"), SIP_EINVAL,
                           "unknown routing '%s' (expected minimal, ecmp, dor or updown)", src.routing);
            goto out;
        }
        spec->routing = r;
    }
    /* the traffic registry's patterns and the evaluation's "workload" (sip_package_demand_build) */
    if (src.pattern[0] && !sip_pattern_find(src.pattern) && strcmp(src.pattern, "workload") != 0) {
        st = sip__fail(&cx, sip__member(sip__member(root, "traffic"), "pattern"), SIP_EINVAL,
                       "unknown traffic pattern '%s'", src.pattern);
        goto out;
    }
    spec->thermal_grid = src.grid;
    spec->netsim_rate = src.rate;
    spec->placement_gap_mm = src.gap_mm;
    if ((src.method != SIP_SAMPLING_GRID) != (src.samples > 0)) {
        st = sip__fail(&cx, sip__member(root, "sampling"), SIP_EINVAL,
                       src.samples > 0 ? "samples given for grid sampling (expected method = "
                                         "\"random\" or \"lhs\")"
                                       : "random and lhs sampling need samples (expected samples = N)");
        goto out;
    }
    const config_setting_t *engines = sip__member(root, "engines");
    /* the fast set, and the workload when the base has one (its metrics would be empty) */
    spec->engines = engines ? 0u
                    : SIP_SWEEP_ENGINES_FAST |
                          (spec->base->workload.present ? 1u << SIP_SWEEP_WORKLOAD : 0u);
    if ((st = read_strings(&cx, root, "engines", spec, text)) != SIP_OK ||
        (st = read_strings(&cx, root, "constraints", spec, text)) != SIP_OK ||
        (st = read_strings(&cx, root, "objectives", spec, text)) != SIP_OK)
        goto out;
    const config_setting_t *axes = sip__member(root, "axes");
    spec->n_axes = config_setting_length(axes);
    for (int i = 0; i < spec->n_axes; i++) {
        st = read_axis(&cx, config_setting_get_elem(axes, (unsigned)i), &spec->axes[i], spec->base, opt);
        if (st != SIP_OK)
            goto out;
        for (int j = 0; j < i; j++)
            if (strcmp(spec->axes[j].name, spec->axes[i].name) == 0) {
                st = sip_error_set(err, SIP_EINVAL, path, spec->axes[i].line,
                                   "two axes named '%s' (expected unique names: add name = \"...\")",
                                   spec->axes[i].name);
                goto out;
            }
    }
    st = sip_sweep_spec_prepare(spec, err);
    if (st != SIP_OK && err && !err->path[0]) {
        snprintf(err->path, sizeof err->path, "%s", path);
    }
out:
    config_destroy(&cfg);
    return st;
}

sip_status_t sip_sweep_spec_load_string(const char *text, const char *path,
                                        const sip_load_options_t *options, sip_sweep_spec_t **out,
                                        sip_error_t *err)
{
    *out = NULL;
    if (!path)
        path = "<string>";
    if (!text)
        return sip_error_set(err, SIP_EINVAL, path, 0, "no sweep spec text given");
    sip_sweep_spec_t *spec = calloc(1, sizeof *spec);
    if (!spec)
        return sip_error_set(err, SIP_ENOMEM, path, 0, "cannot allocate a sweep spec");
    sip_status_t st = load_spec(text, path, options, spec, err);
    if (st != SIP_OK) {
        sip_sweep_spec_destroy(spec);
        return st;
    }
    *out = spec;
    return SIP_OK;
}

sip_status_t sip_sweep_spec_load(const char *path, const sip_load_options_t *options,
                                 sip_sweep_spec_t **out, sip_error_t *err)
{
    *out = NULL;
    if (!path)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "no sweep spec file given");
    char *text = NULL;
    SIP_TRY(read_text(path, &text, err));
    sip_status_t st = sip_sweep_spec_load_string(text, path, options, out, err);
    free(text);
    return st;
}
