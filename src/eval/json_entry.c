/* The JSON-level entry point for bindings: text in (a package path or libconfig text, JSON
 * options), JSON text out.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"
#include "sipsim/config.h"

static sip_status_t options_from_json(const char *text, sip_eval_options_t *o, sip_error_t *err)
{
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return sip_error_set(err, SIP_EPARSE, "options", je.line, "options JSON: %s", je.text);
    sip_status_t st = SIP_OK;
    if (!json_is_object(root)) {
        st = sip_error_set(err, SIP_EINVAL, "options", 0,
                           "options JSON: expected an object of option names");
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
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
            goto out;
        }
        if ((st = sip_eval_options_set(o, key, value, err)) != SIP_OK)
            goto out;
    }
out:
    json_decref(root);
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
    sip_status_t st;
    if (options_json && (st = options_from_json(options_json, &opts, err)) != SIP_OK)
        return st;
    sip_package_t *pkg = NULL;
    sip_eval_result_t *r = NULL;
    bool text = strchr(path_or_text, '\n') || strchr(path_or_text, '=');
    /* Text has no folder of its own: its chiplet types come from chiplets/ in the current
     * directory (then the installed library), its model shapes from models/ there. */
    static const char *const here[] = {"chiplets"};
    sip_load_options_t lo;
    memset(&lo, 0, sizeof lo);
    lo.library_dirs = here;
    lo.n_library_dirs = 1;
    st = text ? sip_package_load_string(path_or_text, "<string>", &lo, &pkg, err)
              : sip_package_load(path_or_text, NULL, &pkg, err);
    if (st == SIP_OK)
        st = sip_evaluate(pkg, &opts, &r, err);
    if (st == SIP_OK)
        st = sip_eval_result_to_json(r, json_out, err);
    sip_eval_result_destroy(r);
    sip_package_destroy(pkg);
    return st;
}
