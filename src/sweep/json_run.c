/* A whole sweep as JSON lines in memory, for bindings (sipsim.sweep -> DataFrame).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/sweep_internal.h"

/* options_json: NULL or {"limit": N} (at most N variants, 0 = all). */
static sip_status_t read_options(const char *text, uint64_t *limit, sip_error_t *err)
{
    *limit = 0;
    if (!text)
        return SIP_OK;
    json_error_t je;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return sip_error_set(err, SIP_EPARSE, "options", je.line, "options JSON: %s", je.text);
    sip_status_t st = SIP_OK;
    const char *key;
    json_t *v;
    if (!json_is_object(o)) {
        st = sip_error_set(err, SIP_EINVAL, "options", 0, "options JSON: expected an object");
        goto out;
    }
    json_object_foreach(o, key, v) {
        if (strcmp(key, "limit") != 0) {
            st = sip_error_set(err, SIP_ENOTFOUND, "options", 0,
                               "unknown sweep option '%s' (expected limit)", key);
            goto out;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            st = sip_error_set(err, SIP_EINVAL, "options", 0,
                               "sweep option limit (expected an integer >= 0)");
            goto out;
        }
        *limit = (uint64_t)json_integer_value(v);
    }
out:
    json_decref(o);
    return st;
}

sip_status_t sip_sweep_run_json(const char *spec_path, const char *options_json, char **jsonl_out,
                                sip_error_t *err)
{
    if (jsonl_out)
        *jsonl_out = NULL;
    if (!spec_path || !jsonl_out)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_sweep_run_json: NULL argument");
    uint64_t limit;
    SIP_TRY(read_options(options_json, &limit, err));
    sip_sweep_spec_t *spec = NULL;
    SIP_TRY(sip_sweep_spec_load(spec_path, NULL, &spec, err));
    sip_sweep_row_t row;
    sip_status_t st = sip_sweep_row_init(&row, err);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    uint64_t n = limit && limit < spec->n_variants ? limit : spec->n_variants;
    if (st == SIP_OK && sip__buf_reserve(&buf, &len, &cap, 1) != SIP_OK)
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (sweep rows)");
    if (st == SIP_OK)
        buf[0] = '\0'; /* "" for a sweep without variants */
    for (uint64_t id = 0; st == SIP_OK && id < n; id++) {
        st = sip_sweep_evaluate(spec, id, &row, err);
        if (st == SIP_OK && sip_sweep_row_json(spec, &row, &buf, &len, &cap) != SIP_OK)
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (sweep rows)");
    }
    sip_sweep_row_fini(&row);
    sip_sweep_spec_destroy(spec);
    if (st != SIP_OK) {
        free(buf);
        return st;
    }
    *jsonl_out = buf;
    return SIP_OK;
}
