/* The JSON-level entry point for bindings: text in (a package path or libconfig text, JSON
 * options), JSON text out.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"
#include "sipsim/config.h"

#define MAX_LIBRARY_DIRS 16

/* "library_dirs": chiplet library folders (the CLI's -L), for text input in particular, which
 * has no file folder to find chiplets/ beside.  Borrowed from root. */
static sip_status_t library_dirs_from_json(json_t *v, const char **dirs, int *n, sip_error_t *err)
{
    if (!json_is_array(v) || json_array_size(v) > MAX_LIBRARY_DIRS)
        return sip_error_set(err, SIP_EINVAL, "options", 0,
                             "options JSON: library_dirs must be an array of at most %d folder "
                             "names", MAX_LIBRARY_DIRS);
    size_t i;
    json_t *d;
    json_array_foreach(v, i, d) {
        if (!json_is_string(d))
            return sip_error_set(err, SIP_EINVAL, "options", 0,
                                 "options JSON: library_dirs[%zu] is not a string", i);
        dirs[(*n)++] = json_string_value(d);
    }
    return SIP_OK;
}

static sip_status_t options_from_json(json_t *root, sip_eval_options_t *o, const char **dirs,
                                      int *n_dirs, sip_error_t *err)
{
    sip_status_t st = SIP_OK;
    if (!json_is_object(root))
        return sip_error_set(err, SIP_EINVAL, "options", 0,
                             "options JSON: expected an object of option names");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "library_dirs") == 0) {
            if ((st = library_dirs_from_json(v, dirs, n_dirs, err)) != SIP_OK)
                return st;
            continue;
        }
        char buf[64];
        const char *value = buf;
        switch (json_typeof(v)) {
        case JSON_TRUE: value = "true"; break;
        case JSON_FALSE: value = "false"; break;
        case JSON_INTEGER: snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
        case JSON_REAL: snprintf(buf, sizeof buf, "%.17g", json_real_value(v)); break;
        case JSON_STRING: value = json_string_value(v); break;
        default:
            st = sip_error_set(err, SIP_EINVAL, "options", 0,
                               "options JSON: '%s' is an object, array or null (expected a "
                               "boolean, number or string)", key);
            return st;
        }
        if ((st = sip_eval_options_set(o, key, value, err)) != SIP_OK)
            return st;
    }
    return st;
}

sip_status_t sip_evaluate_json(const char *path_or_text, const char *options_json,
                               char **json_out, sip_error_t *err)
{
    if (json_out)
        *json_out = NULL;
    if (!path_or_text || !json_out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_evaluate_json: NULL argument");
    sip_eval_options_t opts = sip_eval_options_default();
    const char *dirs[MAX_LIBRARY_DIRS];
    sip_load_options_t load = {.library_dirs = dirs, .n_library_dirs = 0};
    json_t *root = NULL;
    sip_package_t *pkg = NULL;
    sip_eval_result_t *r = NULL;
    sip_status_t st = SIP_OK;
    if (options_json) {
        json_error_t je;
        if (!(root = json_loads(options_json, JSON_REJECT_DUPLICATES, &je)))
            return sip_error_set(err, SIP_EPARSE, "options", je.line, "options JSON: %s", je.text);
        st = options_from_json(root, &opts, dirs, &load.n_library_dirs, err);
    }
    bool text = strchr(path_or_text, '\n') || strchr(path_or_text, '=');
    /* Text has no folder of its own: unless library_dirs says otherwise, its chiplet types come
     * from chiplets/ in the current directory (then the installed library). */
    if (text && load.n_library_dirs == 0)
        dirs[load.n_library_dirs++] = "chiplets";
    if (st == SIP_OK)
        st = text ? sip_package_load_string(path_or_text, "<string>", &load, &pkg, err)
                  : sip_package_load(path_or_text, &load, &pkg, err);
    if (st == SIP_OK)
        st = sip_evaluate(pkg, &opts, &r, err);
    if (st == SIP_OK)
        st = sip_eval_result_to_json(r, json_out, err);
    sip_eval_result_destroy(r);
    sip_package_destroy(pkg);
    json_decref(root);
    return st;
}
