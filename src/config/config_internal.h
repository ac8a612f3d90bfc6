/* sipsim config internals: the schema tables that drive the loader and `sipsim help`.
 * Only src/config includes <libconfig.h> (DESIGN.md).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_CONFIG_INTERNAL_H
#define SIPSIM_CONFIG_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "sipsim/config.h"

typedef enum {
    SIP__F_INT,          /* 32-bit integer read as 64-bit and range-checked */
    SIP__F_FLOAT,        /* float; integers are accepted */
    SIP__F_STRING,       /* char[size] */
    SIP__F_ENUM,         /* string from a name table; stored as int, bool or char[size] */
    SIP__F_INT_ARRAY,    /* [a, b, ...] of `count` ints stored contiguously */
    SIP__F_FLOAT_ARRAY,  /* [a, b, ...] of `count` floats stored contiguously */
    SIP__F_STRING_ARRAY, /* ["a", "b"]: resolved by the caller */
    SIP__F_GROUP,        /* { ... } described by `sub` */
    SIP__F_LIST,         /* ( { ... }, ... ) of `sub` groups; min/max bound the element count */
} sip__field_type_t;

/* How an enum is stored. */
typedef enum { SIP__ENUM_INT, SIP__ENUM_BOOL, SIP__ENUM_STRING } sip__enum_store_t;

typedef struct sip__schema sip__schema_t;
typedef struct sip__cfg_ctx sip__cfg_ctx_t;

/* One key of a group: {key, type, required, min, max, unit, help} plus where it is stored. */
typedef struct {
    const char *key;
    sip__field_type_t type;
    bool required;
    double min, max;       /* numbers and array elements: range; lists: element count */
    bool min_open;         /* range is (min, max] instead of [min, max] */
    const char *unit;
    const char *help;
    /* storage */
    size_t offset;         /* into the group's object; SIZE_MAX = handled by the caller */
    int size;              /* strings: buffer size; arrays: element count */
    const char *const *(*names)(void); /* enums */
    int n_names;
    sip__enum_store_t store;
    const sip__schema_t *sub;          /* groups and lists */
    size_t count_offset;   /* lists stored in place: int count */
    size_t elem_size;      /* lists stored in place: element size */
    const char *unique;    /* lists: key of `sub` that must be unique among elements */
} sip__field_t;

/* Cross-field checks after a group is parsed; `group` is its libconfig setting. */
typedef sip_status_t (*sip__finish_fn)(const sip__cfg_ctx_t *cx, const config_setting_t *group,
                                       void *obj);

struct sip__schema {
    const char *name;      /* help group name */
    const char *title;     /* one line: where the group appears */
    const char *help;      /* paragraph after the key list, or NULL */
    const sip__field_t *fields;
    int n_fields;
    const sip__schema_t *extends; /* keys inherited (inline blocks extend chiplet) */
    size_t line_offset;    /* int line in the object, SIZE_MAX = none */
    void (*init)(void *obj);      /* defaults for a fresh list element */
    sip__finish_fn finish;
};

struct sip__cfg_ctx {
    const char *path;      /* file being read: named in every error */
    sip_error_t *err;      /* may be NULL */
};

/* Schema tables (schema.c). */
extern const sip__schema_t sip__schema_chiplet;
extern const sip__schema_t sip__schema_custom;
extern const sip__schema_t sip__schema_package;
extern const sip__schema_t sip__schema_instance;
extern const sip__schema_t sip__schema_link;
extern const sip__schema_t sip__schema_traffic;
extern const sip__schema_t sip__schema_demand;
/* Every help group, NULL-terminated, in `sipsim help` order; sip__schema_names holds the same
 * names (a C constant initializer cannot read them from the schemas; a test compares them). */
extern const sip__schema_t *const sip__schemas[];
extern const char *const sip__schema_names[];

const sip__field_t *sip__schema_find(const sip__schema_t *schema, const char *key);

/* The instance, link and demand groups are read into these (the schema offsets point into them),
 * then the loader resolves names to indices. */
typedef struct {
    sip_instance_t inst;
    char type[SIP_NAME_MAX];
    char attach[SIP_NAME_MAX];
} instance_src_t;

typedef struct {
    sip_link_t link;
    char from[2 * SIP_NAME_MAX];
    char to[2 * SIP_NAME_MAX];
} link_src_t;

typedef struct {
    sip_demand_t demand;
    char from[SIP_NAME_MAX];
    char to[SIP_NAME_MAX];
} demand_src_t;

/* Parsing (parse.c). */
/* Read a file (or take `text`) and parse it with libconfig after a safety pre-scan. */
sip_status_t sip__config_read(config_t *cfg, const char *path, const char *text, sip_error_t *err);
/* Check every member of `group` against `schema` and store it in `obj`.  `derived`: the object
 * already holds a base type's values, so required keys may be absent. */
sip_status_t sip__parse_group(const sip__cfg_ctx_t *cx, const config_setting_t *group,
                              const sip__schema_t *schema, void *obj, bool derived);
/* Fail at a setting: "path:line: message". */
sip_status_t sip__fail(const sip__cfg_ctx_t *cx, const config_setting_t *s, sip_status_t status,
                       const char *fmt, ...) SIP_PRINTF(4, 5);
/* Line of `key` inside `group`, or the group's own line (root: 1). */
int sip__setting_line(const config_setting_t *s);
const config_setting_t *sip__member(const config_setting_t *group, const char *key);
/* A number for people: integers in full (1000000, not 1e+06), others with %g. */
const char *sip__number_text(double v, char buf[32]);
/* Levenshtein distance (bounded use: short identifiers). */
int sip__edit_distance(const char *a, const char *b);
/* The closest of `n` candidates within a typo's distance of `word`, or NULL. */
const char *sip__closest(const char *word, const char *const *candidates, int n);
/* Append the stems of the *.cfg files in DIRS to cand[n..max) (names copied into stems, which
 * may be NULL = nothing to add); returns the new count.  For "did you mean" over a search path. */
int sip__cfg_stems(char dirs[][SIP_PATH_MAX], int n_dirs, char (*stems)[SIP_NAME_MAX],
                   const char **cand, int n, int max);
/* File stem: "dir/name.cfg" -> "name" (truncated to fit). */
void sip__path_stem(const char *path, char *out, size_t size);
/* Folder of a path: "dir/name.cfg" -> "dir", "name.cfg" -> ".", "/name.cfg" -> "/". */
void sip__path_dir(const char *path, char *out, size_t size);

/* Sites (site.c): the schema of sites/NAME.cfg, and the catalogue every loaded package carries
 * (spec->sites, n_sites: the site files on its search path); when the package names cost.site,
 * an unknown name is an error at the cost section. */
extern const sip__schema_t sip__schema_site;
sip_status_t sip__load_sites(const char *pkg_path, sip_cost_spec_t *spec, sip_error_t *err);

/* Cross-field checks of a chiplet type (schema.c), also run after deriving an inline block. */
sip_status_t sip__chiplet_finish(const sip__cfg_ctx_t *cx, const config_setting_t *group,
                                 void *obj);

#endif
