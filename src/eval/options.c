/* The options of one evaluation: one table holds every name, type, default and help line; the
 * defaults, text setters (CLI, JSON options of the bindings) and help all read it.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"

typedef enum { OPT_BOOL, OPT_INT, OPT_DOUBLE, OPT_U64, OPT_WORD, OPT_ROUTING } opt_type_t;

typedef struct {
    const char *name;
    opt_type_t type;
    size_t offset;
    const char *default_text; /* parsed by the same setter the users' text goes through */
    double min, max;          /* numbers */
    const char *help;
} opt_row_t;

#define OFF(f) offsetof(sip_eval_options_t, f)
/* The defaults are the ones `sipsim report` has always used; the sweep sets thermal_power_caps
 * and cost_crossover off (no metric reports them) and its own routing, pattern and grid. */
static const opt_row_t rows[] = {
    {"check", OPT_BOOL, OFF(check), "true", 0, 0, "design rules"},
    {"graph", OPT_BOOL, OFF(graph), "true", 0, 0, "package graph and its metrics (igraph)"},
    {"ucie", OPT_BOOL, OFF(ucie), "true", 0, 0, "UCIe model of every link"},
    {"traffic", OPT_BOOL, OFF(traffic), "true", 0, 0, "analytic traffic of the package's pattern"},
    {"thermal", OPT_BOOL, OFF(thermal), "true", 0, 0, "steady-state thermal solve"},
    {"tpp", OPT_BOOL, OFF(tpp), "true", 0, 0, "TPP, performance density and 3A090 classes"},
    {"cost", OPT_BOOL, OFF(cost), "true", 0, 0, "yield and cost"},
    {"workload", OPT_BOOL, OFF(workload), "true", 0, 0,
     "the package's workload section (kernel library), when it has one"},
    {"netsim", OPT_BOOL, OFF(netsim), "false", 0, 0, "flit-level simulation (slow)"},
    {"traffic_pattern", OPT_WORD, OFF(traffic_pattern), "", 0, 0,
     "pattern name or \"workload\"; empty = the package's traffic.pattern, else uniform"},
    {"routing", OPT_ROUTING, OFF(routing), "minimal", 0, 0,
     "minimal, ecmp, dor or updown: traffic and the workload's D2D routes"},
    {"curve_points", OPT_INT, OFF(curve_points), "20", 0, 60,
     "latency-vs-load points below saturation (0 = no curve)"},
    {"thermal_grid", OPT_INT, OFF(thermal_grid), "0", 0, 1024,
     "thermal cells per side; 0 = the package's thermal.grid, else the engine default"},
    {"thermal_power_caps", OPT_BOOL, OFF(thermal_power_caps), "true", 0, 0,
     "per-die power caps (one extra solve per die)"},
    {"thermal_workload_power", OPT_BOOL, OFF(thermal_workload_power), "false", 0, 0,
     "dies at the workload's power (idle + activity x (TDP - idle)) instead of their own"},
    {"cost_crossover", OPT_BOOL, OFF(cost_crossover), "true", 0, 0,
     "monolithic-vs-chiplet volume crossover study"},
    {"netsim_rate", OPT_DOUBLE, OFF(netsim_rate), "0.1", 0, 1,
     "netsim offered load, flits/node/cycle"},
    {"netsim_seed", OPT_U64, OFF(netsim_seed), "1", 0, 0, "netsim random seed"},
};
#undef OFF
enum { N_ROWS = (int)(sizeof rows / sizeof rows[0]) };

static const char *type_name(opt_type_t t)
{
    static const char *const names[] = {"bool", "int", "number", "int", "word", "word"};
    return names[t];
}

int sip_eval_option_count(void)
{
    return N_ROWS;
}

bool sip_eval_option_info(int index, sip_eval_option_info_t *out)
{
    if (index < 0 || index >= N_ROWS)
        return false;
    out->name = rows[index].name;
    out->type = type_name(rows[index].type);
    out->default_text = rows[index].default_text;
    out->help = rows[index].help;
    return true;
}

static sip_status_t bad(const opt_row_t *r, const char *value, const char *expected,
                        sip_error_t *err)
{
    return sip_error_set(err, SIP_EINVAL, NULL, 0, "option %s = '%s' (expected %s)", r->name, value,
                         expected);
}

static sip_status_t set_row(sip_eval_options_t *o, const opt_row_t *r, const char *v,
                            sip_error_t *err)
{
    char *p = (char *)o + r->offset;
    char *end = NULL;
    switch (r->type) {
    case OPT_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0)
            *(bool *)p = true;
        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0)
            *(bool *)p = false;
        else
            return bad(r, v, "true or false", err);
        return SIP_OK;
    case OPT_INT: {
        errno = 0;
        long n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < r->min || n > r->max) {
            char what[64];
            snprintf(what, sizeof what, "an integer in [%g, %g]", r->min, r->max);
            return bad(r, v, what, err);
        }
        *(int *)p = (int)n;
        return SIP_OK;
    }
    case OPT_U64: {
        errno = 0;
        if (*v == '-')
            return bad(r, v, "an integer >= 0", err);
        unsigned long long n = strtoull(v, &end, 10);
        if (!*v || *end || errno)
            return bad(r, v, "an integer >= 0", err);
        *(uint64_t *)p = (uint64_t)n;
        return SIP_OK;
    }
    case OPT_DOUBLE: {
        double x = strtod(v, &end);
        if (!*v || *end || !isfinite(x) || x < r->min || x > r->max) {
            char what[64];
            snprintf(what, sizeof what, "a number in [%g, %g]", r->min, r->max);
            return bad(r, v, what, err);
        }
        *(double *)p = x;
        return SIP_OK;
    }
    case OPT_WORD:
        if (strlen(v) >= SIP_NAME_MAX)
            return bad(r, v, "a name shorter than 64 characters", err);
        snprintf(p, SIP_NAME_MAX, "%s", v);
        return SIP_OK;
    case OPT_ROUTING: {
        int idx = sip_routing_lookup(v);
        if (idx < 0)
            return bad(r, v, "minimal, ecmp, dor or updown", err);
        *(sip_routing_t *)p = (sip_routing_t)idx;
        return SIP_OK;
    }
    }
    return sip_error_set(err, SIP_EINTERNAL, NULL, 0, "option %s: unknown type", r->name);
}

sip_eval_options_t sip_eval_options_default(void)
{
    sip_eval_options_t o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < N_ROWS; i++)
        (void)set_row(&o, &rows[i], rows[i].default_text, NULL); /* the table's own text */
    return o;
}

sip_status_t sip_eval_options_set(sip_eval_options_t *opts, const char *name, const char *value,
                                  sip_error_t *err)
{
    if (!opts || !name || !value)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "sip_eval_options_set: NULL argument");
    for (int i = 0; i < N_ROWS; i++)
        if (strcmp(rows[i].name, name) == 0)
            return set_row(opts, &rows[i], value, err);
    const char *near = NULL;
    for (int i = 0; i < N_ROWS && !near; i++)
        if (strncmp(rows[i].name, name, 4) == 0)
            near = rows[i].name;
    return sip_error_set(err, SIP_ENOTFOUND, NULL, 0, "unknown evaluation option '%s'%s%s%s",
                         name, near ? " (did you mean '" : "", near ? near : "",
                         near ? "'?)" : "");
}
