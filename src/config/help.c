/* `sipsim help GROUP`: the input-format reference, generated from the schema tables so the
 * documentation cannot drift from what the loader accepts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

const char *const *sip_help_groups(void)
{
    return sip__schema_names;
}

static const char *type_word(const sip__field_t *f)
{
    switch (f->type) {
    case SIP__F_INT: return "integer";
    case SIP__F_FLOAT: return "number";
    case SIP__F_STRING: return "string";
    case SIP__F_ENUM: return "string";
    case SIP__F_INT_ARRAY: return "integer array";
    case SIP__F_FLOAT_ARRAY: return "number array";
    case SIP__F_STRING_ARRAY: return "string array";
    case SIP__F_GROUP: return "group";
    case SIP__F_LIST: return "list";
    }
    return "?";
}

/* Word-wrap `text` at `width` columns, every line indented by `indent`. */
static void wrap(FILE *out, const char *text, int indent, int width)
{
    const char *p = text;
    while (*p) {
        int room = width - indent;
        int len = (int)strlen(p);
        int cut = len;
        if (len > room) {
            cut = room;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = room;
        }
        fprintf(out, "%*s%.*s\n", indent, "", cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

static void print_field(FILE *out, const sip__field_t *f)
{
    fprintf(out, "  %s (%s%s)", f->key, type_word(f), f->required ? ", required" : "");
    const char *unit = f->unit && f->unit[0] ? f->unit : NULL;
    char lo[32], hi[32];
    switch (f->type) {
    case SIP__F_INT:
    case SIP__F_FLOAT:
        fprintf(out, ": %s %s %s <= %s%s%s", sip__number_text(f->min, lo),
                f->min_open ? "<" : "<=", f->key, sip__number_text(f->max, hi), unit ? " " : "",
                unit ? unit : "");
        break;
    case SIP__F_INT_ARRAY:
    case SIP__F_FLOAT_ARRAY:
        fprintf(out, ": %d elements, each %s %s x <= %s%s%s", f->size,
                sip__number_text(f->min, lo), f->min_open ? "<" : "<=",
                sip__number_text(f->max, hi), unit ? " " : "", unit ? unit : "");
        break;
    case SIP__F_STRING:
        fprintf(out, ": at most %d characters", f->size - 1);
        break;
    case SIP__F_STRING_ARRAY:
        fprintf(out, ": at most %g names", f->max);
        break;
    case SIP__F_ENUM: {
        const char *const *names = f->names();
        fprintf(out, ": ");
        for (int i = 0; i < f->n_names; i++)
            fprintf(out, "%s\"%s\"", i ? " | " : "", names[i]);
        break;
    }
    case SIP__F_GROUP:
        fprintf(out, ": see `sipsim help %s`", f->sub->name);
        break;
    case SIP__F_LIST:
        if (f->max >= 1e9)
            fprintf(out, ": at least %g entries", f->min);
        else
            fprintf(out, ": %g to %g entries", f->min, f->max);
        if (f->unique)
            fprintf(out, ", unique %s", f->unique);
        fprintf(out, "; see `sipsim help %s`", f->sub->name);
        break;
    }
    fputc('\n', out);
    wrap(out, f->help, 6, 96);
}

static const sip__schema_t *find_schema(const char *group)
{
    for (int i = 0; sip__schemas[i]; i++)
        if (strcmp(sip__schemas[i]->name, group) == 0)
            return sip__schemas[i];
    return NULL;
}

sip_status_t sip_help_text(const char *group, char **out, sip_error_t *err)
{
    *out = NULL;
    const sip__schema_t *schema = group ? find_schema(group) : NULL;
    if (!schema) {
        int n = 0;
        while (sip__schema_names[n])
            n++;
        const char *near = group ? sip__closest(group, sip__schema_names, n) : NULL;
        if (near)
            return sip_error_set(err, SIP_ENOTFOUND, NULL, 0,
                                 "unknown help group '%s' (did you mean '%s'?)", group, near);
        return sip_error_set(err, SIP_ENOTFOUND, NULL, 0,
                             "unknown help group '%s' (expected one of the groups `sipsim help` "
                             "lists)", group ? group : "");
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate the help text");
    fprintf(f, "%s: %s\n\n", schema->name, schema->title);
    for (int i = 0; i < schema->n_fields; i++)
        print_field(f, &schema->fields[i]);
    if (schema->extends)
        fprintf(f, "  ... and every key of `sipsim help %s`\n", schema->extends->name);
    if (schema->help) {
        fputc('\n', f);
        wrap(f, schema->help, 0, 96);
    }
    fprintf(f, "\nUnknown keys are errors; integers are accepted where numbers are expected.\n");
    if (fclose(f) != 0 || !text) {
        free(text);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate the help text");
    }
    *out = text;
    return SIP_OK;
}
