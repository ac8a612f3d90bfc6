/* Reading libconfig text safely and checking groups against the schema tables.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

/* Input files are hand-written or generated descriptions of one package: anything beyond
 * this is not a package file. */
#define MAX_FILE_BYTES (16L * 1024 * 1024)
/* Our deepest legal nesting is 4 (package > blocks > engines > precisions); libconfig's
 * parser and destructor recurse per level, so refuse absurd depths before parsing. */
#define MAX_NESTING 32

sip_status_t sip__fail(const sip__cfg_ctx_t *cx, const config_setting_t *s, sip_status_t status,
                       const char *fmt, ...)
{
    char msg[SIP_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sip_error_set(cx->err, status, cx->path, s ? sip__setting_line(s) : 0, "%s", msg);
}

int sip__setting_line(const config_setting_t *s)
{
    /* The root group has no line of its own: point at the top of the file. */
    return (s && s->line > 0) ? (int)s->line : 1;
}

const config_setting_t *sip__member(const config_setting_t *group, const char *key)
{
    if (!group || !config_setting_is_group(group))
        return NULL;
    return config_setting_get_member(group, key);
}

/* ------------------------------------------------------------------ typo suggestions */

int sip__edit_distance(const char *a, const char *b)
{
    /* Identifiers are short; longer words are never typos of our keys. */
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return INT_MAX;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int ca = a[i - 1], cb = b[j - 1];
            if (ca >= 'A' && ca <= 'Z')
                ca += 'a' - 'A';
            if (cb >= 'A' && cb <= 'Z')
                cb += 'a' - 'A';
            int best = diag + (ca != cb);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *sip__closest(const char *word, const char *const *candidates, int n)
{
    size_t len = strlen(word);
    int limit = len <= 3 ? 1 : (len <= 8 ? 2 : 3);
    const char *best = NULL;
    int best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        int d = sip__edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

/* ------------------------------------------------------------------ reading text */

static sip_status_t read_whole_file(const char *path, char **out, size_t *len, sip_error_t *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open: %s", strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    sip_status_t st = SIP_OK;
    if (!buf) {
        st = sip_error_set(err, SIP_ENOMEM, path, 0, "cannot allocate a read buffer");
        goto out;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= (size_t)MAX_FILE_BYTES) {
                st = sip_error_set(err, SIP_ELIMIT, path, 0,
                                   "file is larger than %ld MiB (expected a package or chiplet "
                                   "description)", MAX_FILE_BYTES / (1024 * 1024));
                goto out;
            }
            char *p = realloc(buf, cap * 2 + 1);
            if (!p) {
                st = sip_error_set(err, SIP_ENOMEM, path, 0, "cannot allocate a read buffer");
                goto out;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                st = sip_error_set(err, SIP_EIO, path, 0, "cannot read: %s", strerror(errno));
            break;
        }
    }
out:
    fclose(f);
    if (st != SIP_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SIP_OK;
}

static bool is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '*';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Case-insensitive comparison of the first n characters of a with b. */
static int differs_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 'a' - 'A');
        if (x != y)
            return 1;
    }
    return 0;
}

/* Scan an integer literal starting at text[*i]; fail if libconfig 1.5 would silently truncate it
 * (it stores an int literal beyond 32 bits as its low 32 bits). */
static sip_status_t scan_number(const char *text, size_t len, size_t *i, const char *path, int line,
                                sip_error_t *err)
{
    size_t start = *i, j = *i;
    bool hex = text[j] == '0' && j + 1 < len && (text[j + 1] == 'x' || text[j + 1] == 'X');
    size_t digits_from, digits_to;
    if (hex) {
        j += 2;
        while (j < len && text[j] == '0')
            j++;
        digits_from = j;
        while (j < len && is_hex(text[j]))
            j++;
        digits_to = j;
    } else {
        while (j < len && text[j] == '0' && j + 1 < len && is_digit(text[j + 1]))
            j++;
        digits_from = j;
        while (j < len && is_digit(text[j]))
            j++;
        digits_to = j;
        if (j < len && (text[j] == '.' || text[j] == 'e' || text[j] == 'E')) {
            /* A float: libconfig reads it with strtod (range-checked later). */
            while (j < len && (is_digit(text[j]) || text[j] == '.' || text[j] == 'e' ||
                               text[j] == 'E' || text[j] == '+' || text[j] == '-'))
                j++;
            *i = j;
            return SIP_OK;
        }
    }
    bool wide = j < len && text[j] == 'L';
    size_t ndig = digits_to - digits_from;
    bool too_big;
    if (hex)
        too_big = wide ? ndig > 16 : ndig > 8;
    else if (wide)
        too_big = ndig > 18;
    else
        too_big = ndig > 10 || (ndig == 10 && memcmp(text + digits_from, "2147483647", 10) > 0);
    *i = j;
    if (too_big) {
        int shown = (int)(j - start > 40 ? 40 : j - start);
        return sip_error_set(err, SIP_EINVAL, path, line,
                             "integer %.*s is too large (expected at most %s)", shown,
                             text + start, wide ? "9223372036854775807" : "2147483647");
    }
    return SIP_OK;
}

/* A pass over the raw text before libconfig sees it: binary data, directives, nesting depth and
 * integers libconfig 1.5 would silently truncate, each reported at its line. */
static sip_status_t prescan(const char *text, size_t len, const char *path, sip_error_t *err)
{
    enum { CODE, STRING, LINE_COMMENT, BLOCK_COMMENT } state = CODE;
    int line = 1, depth = 0;
    char last = '\0'; /* last significant character in code */
    int string_line = 0;
    char stack[MAX_NESTING]; /* open brackets */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            if (state == LINE_COMMENT)
                state = CODE;
            continue;
        }
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f)
            return sip_error_set(err, SIP_EPARSE, path, line,
                                 "binary data (byte 0x%02x) (expected libconfig text)", c);
        switch (state) {
        case LINE_COMMENT:
            break;
        case BLOCK_COMMENT:
            if (c == '*' && i + 1 < len && text[i + 1] == '/') {
                state = CODE;
                i++;
            }
            break;
        case STRING:
            if (c == '\\' && i + 1 < len && text[i + 1] != '\n')
                i++;
            else if (c == '"') {
                state = CODE;
                last = '"';
            }
            break;
        case CODE:
            if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
                state = LINE_COMMENT;
            } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
                state = BLOCK_COMMENT;
                i++;
            } else if (c == '"') {
                /* A string is a value: after '=' or ':', inside a list or array, or glued to
                 * another string.  Anywhere else libconfig 1.5 fails and leaks the string's
                 * buffer, so report it here. */
                char inner = depth > 0 ? stack[depth - 1] : '{';
                bool value = last == '=' || last == ':' || last == '"' ||
                             ((last == '[' || last == '(' || last == ',') && inner != '{');
                if (!value)
                    return sip_error_set(err, SIP_EPARSE, path, line,
                                         "unexpected string (expected key = \"value\";)");
                state = STRING;
                string_line = line;
            } else if (c == '@') {
                return sip_error_set(err, SIP_EPARSE, path, line,
                                     "directives such as @include are not supported (expected "
                                     "key = value; settings only)");
            } else if (c == '{' || c == '(' || c == '[') {
                if (depth >= MAX_NESTING)
                    return sip_error_set(err, SIP_EPARSE, path, line,
                                         "nesting deeper than %d levels (expected a package or "
                                         "chiplet description)", MAX_NESTING);
                stack[depth++] = (char)c;
            } else if (c == '}' || c == ')' || c == ']') {
                if (depth > 0)
                    depth--;
            } else if (is_digit((char)c) && (i == 0 || !is_ident_char(text[i - 1]))) {
                SIP_TRY(scan_number(text, len, &i, path, line, err));
                i--; /* the loop's i++ moves to the character after the number */
            } else if (is_ident_char((char)c) && !is_ident_char(i ? text[i - 1] : ' ') &&
                       (last == '=' || last == ':' || last == '-' || last == '+')) {
                /* A bare word as a value: libconfig knows only true/false, so NaN and
                 * infinities would be a bare "syntax error"; say what is wrong. */
                size_t j = i;
                while (j < len && is_ident_char(text[j]))
                    j++;
                static const char *const non_finite[] = {"nan", "inf", "infinity"};
                for (int k = 0; k < 3; k++)
                    if (j - i == strlen(non_finite[k]) &&
                        differs_nocase(text + i, non_finite[k], j - i) == 0)
                        return sip_error_set(err, SIP_EINVAL, path, line,
                                             "%.*s is not a finite number (expected a finite "
                                             "value)", (int)(j - i), text + i);
                i = j - 1;
            }
            if (c != ' ' && c != '\t' && c != '\r' && state == CODE)
                last = (char)c;
            break;
        }
    }
    /* libconfig 1.5 leaks its string buffer on an unterminated string: report it here. */
    if (state == STRING)
        return sip_error_set(err, SIP_EPARSE, path, string_line,
                             "unterminated string (expected a closing '\"')");
    return SIP_OK;
}

sip_status_t sip__config_read(config_t *cfg, const char *path, const char *text, sip_error_t *err)
{
    char *owned = NULL;
    size_t len = 0;
    if (!text) {
        SIP_TRY(read_whole_file(path, &owned, &len, err));
        text = owned;
    } else {
        len = strlen(text);
    }
    /* Editors on some systems start UTF-8 files with a byte-order mark; libconfig does not. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    sip_status_t st = prescan(text, len, path, err);
    if (st == SIP_OK && !config_read_string(cfg, text)) {
        const char *what = config_error_text(cfg) ? config_error_text(cfg) : "syntax error";
        if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
            st = sip_error_set(err, SIP_EIO, path, 0, "%s", what);
        } else {
            const char *hint = "expected libconfig syntax: key = value;";
            if (strstr(what, "mismatched element type"))
                hint = "expected array elements of one type: write 2.0, not 2, among floats";
            st = sip_error_set(err, SIP_EPARSE, path, config_error_line(cfg), "%s (%s)", what,
                               hint);
        }
    }
    free(owned);
    return st;
}

/* ------------------------------------------------------------------ schema-driven parsing */

static const char *type_text(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP: return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "an integer";
    case CONFIG_TYPE_FLOAT: return "a float";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
    case CONFIG_TYPE_LIST: return "a list ( ... )";
    default: return "nothing";
    }
}

static const char *expected_text(sip__field_type_t type)
{
    switch (type) {
    case SIP__F_INT: return "an integer";
    case SIP__F_FLOAT: return "a number";
    case SIP__F_STRING:
    case SIP__F_ENUM: return "a string";
    case SIP__F_INT_ARRAY: return "an array of integers [ ... ]";
    case SIP__F_FLOAT_ARRAY: return "an array of numbers [ ... ]";
    case SIP__F_STRING_ARRAY: return "an array of strings [ ... ]";
    case SIP__F_GROUP: return "a group { ... }";
    case SIP__F_LIST: return "a list of groups ( { ... }, ... )";
    }
    return "?";
}

static sip_status_t wrong_type(const sip__cfg_ctx_t *cx, const config_setting_t *s, const char *key,
                               sip__field_type_t want)
{
    return sip__fail(cx, s, SIP_EINVAL, "'%s' is %s (expected %s)", key,
                     type_text(config_setting_type(s)), expected_text(want));
}

const char *sip__number_text(double v, char buf[32])
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, 32, "%.0f", v);
    else
        snprintf(buf, 32, "%g", v);
    return buf;
}

/* "0 < width_mm <= 100 mm" */
static void format_range(const sip__field_t *f, const char *what, char *buf, size_t size)
{
    char lo[32], hi[32];
    snprintf(buf, size, "%s %s %s <= %s%s%s", sip__number_text(f->min, lo),
             f->min_open ? "<" : "<=", what, sip__number_text(f->max, hi),
             f->unit && f->unit[0] ? " " : "", f->unit ? f->unit : "");
}

static sip_status_t read_number(const sip__cfg_ctx_t *cx, const config_setting_t *s,
                                const sip__field_t *f, bool integer, const char *what, double *out)
{
    int t = config_setting_type(s);
    double v;
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
        v = (double)config_setting_get_int64(s);
    } else if (t == CONFIG_TYPE_FLOAT) {
        v = config_setting_get_float(s);
        if (!isfinite(v))
            return sip__fail(cx, s, SIP_EINVAL, "'%s' is not a finite number (expected a finite "
                             "value)", what);
        if (integer)
            return sip__fail(cx, s, SIP_EINVAL, "'%s' = %g is a float (expected an integer)",
                             what, v);
    } else {
        return sip__fail(cx, s, SIP_EINVAL, "'%s' is %s (expected %s)", what, type_text(t),
                         integer ? "an integer" : "a number");
    }
    if (v < f->min || (f->min_open && v <= f->min) || v > f->max) {
        char range[160], num[32];
        format_range(f, what, range, sizeof range);
        return sip__fail(cx, s, SIP_EINVAL, "'%s' = %s is out of range (expected %s)", what,
                         sip__number_text(v, num), range);
    }
    *out = v;
    return SIP_OK;
}

/* "a, b or c" from a name table, bounded by the buffer. */
static void join_names(const char *const *names, int n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < size; i++) {
        const char *sep = i == 0 ? "" : (i == n - 1 ? " or " : ", ");
        int w = snprintf(buf + used, size - used, "%s%s", sep, names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static sip_status_t read_enum(const sip__cfg_ctx_t *cx, const config_setting_t *s,
                              const sip__field_t *f, int *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return wrong_type(cx, s, f->key, f->type);
    const char *v = config_setting_get_string(s);
    const char *const *names = f->names();
    int idx = sip_enum_lookup(names, f->n_names, v);
    if (idx < 0) {
        char list[256];
        join_names(names, f->n_names, list, sizeof list);
        const char *near = sip__closest(v, names, f->n_names);
        if (near)
            return sip__fail(cx, s, SIP_EINVAL,
                             "%s = \"%.64s\" is not a valid value (did you mean '%s'? expected %s)",
                             f->key, v, near, list);
        return sip__fail(cx, s, SIP_EINVAL, "%s = \"%.64s\" is not a valid value (expected %s)",
                         f->key, v, list);
    }
    *out = idx;
    return SIP_OK;
}

static sip_status_t unknown_key(const sip__cfg_ctx_t *cx, const config_setting_t *m,
                                const sip__schema_t *schema)
{
    const char *keys[64];
    int n = 0;
    for (const sip__schema_t *s = schema; s; s = s->extends)
        for (int i = 0; i < s->n_fields && n < 64; i++)
            keys[n++] = s->fields[i].key;
    const char *name = config_setting_name(m);
    const char *near = sip__closest(name, keys, n);
    if (near)
        return sip__fail(cx, m, SIP_EINVAL, "unknown key '%.64s' in %s (did you mean '%s'?)", name,
                         schema->name, near);
    char list[300];
    join_names(keys, n, list, sizeof list);
    return sip__fail(cx, m, SIP_EINVAL, "unknown key '%.64s' in %s (expected %s)", name,
                     schema->name, list);
}

static sip_status_t parse_array(const sip__cfg_ctx_t *cx, const config_setting_t *m,
                                const sip__field_t *f, char *p)
{
    int t = config_setting_type(m);
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || config_setting_length(m) != f->size)
        return sip__fail(cx, m, SIP_EINVAL, "'%s' is %s of %d elements (expected %s of %d)",
                         f->key, type_text(t),
                         config_setting_is_aggregate(m) ? config_setting_length(m) : 1,
                         expected_text(f->type), f->size);
    for (int i = 0; i < f->size; i++) {
        char what[80];
        snprintf(what, sizeof what, "%s[%d]", f->key, i);
        double v;
        bool integer = f->type == SIP__F_INT_ARRAY;
        SIP_TRY(read_number(cx, config_setting_get_elem(m, (unsigned)i), f, integer, what, &v));
        if (integer)
            ((int *)(void *)p)[i] = (int)v;
        else
            ((double *)(void *)p)[i] = v;
    }
    return SIP_OK;
}

static sip_status_t check_unique(const sip__cfg_ctx_t *cx, const sip__field_t *f, const char *arr,
                                 int n, const config_setting_t *list)
{
    const sip__field_t *u = sip__schema_find(f->sub, f->unique);
    const char *last = arr + (size_t)(n - 1) * f->elem_size + u->offset;
    for (int i = 0; i < n - 1; i++) {
        const char *prev = arr + (size_t)i * f->elem_size + u->offset;
        bool same = u->type == SIP__F_STRING ? strcmp(prev, last) == 0
                                             : *(const int *)(const void *)prev ==
                                                   *(const int *)(const void *)last;
        if (!same)
            continue;
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)(n - 1));
        const config_setting_t *k = sip__member(e, u->key);
        const config_setting_t *first = config_setting_get_elem(list, (unsigned)i);
        const char *shown = u->type == SIP__F_STRING
                                ? last
                                : u->names()[*(const int *)(const void *)last];
        return sip__fail(cx, k ? k : e, SIP_EINVAL,
                         "duplicate %s '%s' in %s (expected unique; first at line %d)", u->key,
                         shown, f->key, sip__setting_line(first));
    }
    return SIP_OK;
}

/* Check a list's shape and length against the field before anything is allocated. */
static sip_status_t check_list(const sip__cfg_ctx_t *cx, const config_setting_t *m,
                               const sip__field_t *f)
{
    int t = config_setting_type(m);
    /* `()` is an empty list, `[]` an empty array: both mean "none". */
    if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY && config_setting_length(m) == 0))
        return wrong_type(cx, m, f->key, f->type);
    int n = config_setting_length(m);
    if (n > f->max)
        return sip__fail(cx, m, SIP_ELIMIT, "too many %s: %d (expected at most %g)", f->key, n,
                         f->max);
    if (n < f->min)
        return sip__fail(cx, m, SIP_EINVAL, "'%s' has %d elements (expected at least %g)", f->key,
                         n, f->min);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
        if (!config_setting_is_group(e))
            return sip__fail(cx, e, SIP_EINVAL, "element %d of '%s' is %s (expected a group { "
                             "... })", i + 1, f->key, type_text(config_setting_type(e)));
    }
    return SIP_OK;
}

static sip_status_t parse_field(const sip__cfg_ctx_t *cx, const config_setting_t *m,
                                const sip__field_t *f, void *obj, bool derived)
{
    char *p = (f->offset == SIZE_MAX) ? NULL : (char *)obj + f->offset;
    switch (f->type) {
    case SIP__F_INT: {
        double v;
        SIP_TRY(read_number(cx, m, f, true, f->key, &v));
        *(int *)(void *)p = (int)v;
        return SIP_OK;
    }
    case SIP__F_FLOAT:
        return read_number(cx, m, f, false, f->key, (double *)(void *)p);
    case SIP__F_STRING: {
        if (config_setting_type(m) != CONFIG_TYPE_STRING)
            return wrong_type(cx, m, f->key, f->type);
        const char *v = config_setting_get_string(m);
        size_t len = strlen(v);
        if (len >= (size_t)f->size)
            return sip__fail(cx, m, SIP_EINVAL, "'%s' is %zu characters long (expected at most "
                             "%d)", f->key, len, f->size - 1);
        if (len == 0 && f->required)
            return sip__fail(cx, m, SIP_EINVAL, "'%s' is empty (expected %s)", f->key, f->help);
        memcpy(p, v, len + 1);
        return SIP_OK;
    }
    case SIP__F_ENUM: {
        int idx;
        SIP_TRY(read_enum(cx, m, f, &idx));
        if (f->store == SIP__ENUM_BOOL)
            *(bool *)(void *)p = idx == 1;
        else if (f->store == SIP__ENUM_STRING)
            snprintf(p, (size_t)f->size, "%s", f->names()[idx]);
        else
            *(int *)(void *)p = idx;
        return SIP_OK;
    }
    case SIP__F_INT_ARRAY:
    case SIP__F_FLOAT_ARRAY:
        return parse_array(cx, m, f, p);
    case SIP__F_STRING_ARRAY: {
        int t = config_setting_type(m);
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
            return wrong_type(cx, m, f->key, f->type);
        int n = config_setting_length(m);
        if (n > f->max)
            return sip__fail(cx, m, SIP_ELIMIT, "too many %s: %d (expected at most %g)", f->key,
                             n, f->max);
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
            if (config_setting_type(e) != CONFIG_TYPE_STRING)
                return wrong_type(cx, e, f->key, f->type);
        }
        return SIP_OK;
    }
    case SIP__F_GROUP:
        if (!config_setting_is_group(m))
            return wrong_type(cx, m, f->key, f->type);
        if (!p)
            return SIP_OK;
        return sip__parse_group(cx, m, f->sub, p, derived);
    case SIP__F_LIST: {
        SIP_TRY(check_list(cx, m, f));
        if (!p)
            return SIP_OK;
        /* A list given replaces whatever was there (a base type's list). */
        int n = config_setting_length(m);
        int *count = (int *)(void *)((char *)obj + f->count_offset);
        memset(p, 0, (size_t)f->max * f->elem_size);
        *count = 0;
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(m, (unsigned)i);
            char *elem = p + (size_t)i * f->elem_size;
            if (f->sub->init)
                f->sub->init(elem);
            SIP_TRY(sip__parse_group(cx, e, f->sub, elem, false));
            *count = i + 1;
            if (f->unique)
                SIP_TRY(check_unique(cx, f, p, i + 1, m));
        }
        return SIP_OK;
    }
    }
    return sip__fail(cx, m, SIP_EINTERNAL, "field '%s' has no reader", f->key);
}

sip_status_t sip__parse_group(const sip__cfg_ctx_t *cx, const config_setting_t *group,
                              const sip__schema_t *schema, void *obj, bool derived)
{
    if (!config_setting_is_group(group))
        return sip__fail(cx, group, SIP_EINVAL, "%s is %s (expected a group { ... })",
                         schema->name, type_text(config_setting_type(group)));
    if (schema->line_offset != SIZE_MAX)
        *(int *)(void *)((char *)obj + schema->line_offset) = sip__setting_line(group);
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
        if (!sip__schema_find(schema, config_setting_name(m)))
            return unknown_key(cx, m, schema);
    }
    for (const sip__schema_t *s = schema; s; s = s->extends) {
        /* A derived object already holds its base's values, so keys a base can supply are
         * optional; a schema that extends another lists the block's own keys (name, base),
         * which no base supplies. */
        bool enforce = !derived || s->extends != NULL;
        for (int i = 0; i < s->n_fields; i++) {
            const sip__field_t *f = &s->fields[i];
            const config_setting_t *m = config_setting_get_member(group, f->key);
            if (!m) {
                if (f->required && enforce)
                    return sip__fail(cx, group, SIP_EINVAL,
                                     "missing required key '%s' in %s (expected %s: %s)", f->key,
                                     schema->name, f->key, f->help);
                continue;
            }
            SIP_TRY(parse_field(cx, m, f, obj, derived));
        }
    }
    if (schema->finish)
        return schema->finish(cx, group, obj);
    return SIP_OK;
}

void sip__path_stem(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    if (len >= size)
        len = size - 1;
    memcpy(out, base, len);
    out[len] = '\0';
}

void sip__path_dir(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

int sip__cfg_stems(char dirs[][SIP_PATH_MAX], int n_dirs, char (*stems)[SIP_NAME_MAX],
                   const char **cand, int n, int max)
{
    for (int d = 0; stems && d < n_dirs; d++) {
        DIR *dh = opendir(dirs[d]);
        if (!dh)
            continue;
        struct dirent *de;
        while ((de = readdir(dh)) && n < max) {
            size_t len = strlen(de->d_name);
            if (len > 4 && len - 4 < SIP_NAME_MAX && strcmp(de->d_name + len - 4, ".cfg") == 0) {
                snprintf(stems[n], SIP_NAME_MAX, "%.*s", (int)(len - 4), de->d_name);
                cand[n] = stems[n];
                n++;
            }
        }
        closedir(dh);
    }
    return n;
}
