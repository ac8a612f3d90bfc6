/* Sweep specs in memory: engines, the metric table, constraints, objectives, sampling.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep/sweep_internal.h"

static const char *const engine_names[SIP_SWEEP_ENGINE_COUNT] = {
    "check", "ucie", "tpp", "traffic", "cost", "thermal", "netsim", "workload",
};

const char *sip_sweep_engine_name(sip_sweep_engine_t engine)
{
    return (unsigned)engine < SIP_SWEEP_ENGINE_COUNT ? engine_names[engine] : "?";
}

int sip_sweep_engine_lookup(const char *name)
{
    return sip_enum_lookup(engine_names, SIP_SWEEP_ENGINE_COUNT, name);
}

const char *sip_sampling_name(sip_sampling_t sampling)
{
    static const char *const names[] = {"grid", "random", "lhs"};
    return (unsigned)sampling < SIP_SAMPLING_COUNT ? names[sampling] : "?";
}

const char *sip_placement_name(sip_placement_t placement)
{
    static const char *const names[] = {"base", "mesh", "ring", "star"};
    return (unsigned)placement < SIP_PLACEMENT_COUNT ? names[placement] : "?";
}

#define MODEL SIP_SWEEP_ENGINE_COUNT
/* One row per metric, in the order of the SIP__M_ enum (sweep_internal.h). */
static const sip_sweep_metric_info_t metrics[SIP__M_COUNT] = {
    {"power_w", "W", MODEL, false, "package power: every instance's operating power"},
    {"instances", "", MODEL, false, "placed chiplets, memory stacks included"},
    {"compute_chiplets", "", MODEL, false, "instances of kind compute"},
    {"substrate_mm2", "mm2", MODEL, false, "substrate area"},
    {"check", "", SIP_SWEEP_CHECK, true, "ok when no design rule reports an error, else fail"},
    {"check_errors", "", SIP_SWEEP_CHECK, false, "design-rule errors"},
    {"check_warnings", "", SIP_SWEEP_CHECK, false, "design-rule warnings"},
    {"d2d_links", "", SIP_SWEEP_UCIE, false, "UCIe links"},
    {"d2d_GBps", "GB/s", SIP_SWEEP_UCIE, false, "payload bandwidth per direction, summed over links"},
    {"d2d_min_GBps", "GB/s", SIP_SWEEP_UCIE, false, "payload bandwidth per direction of the weakest link"},
    {"d2d_latency_ns", "ns", SIP_SWEEP_UCIE, false, "zero-load latency of the slowest link"},
    {"d2d_pj_per_bit", "pJ/bit", SIP_SWEEP_UCIE, false, "link energy per bit, weighted by raw bandwidth"},
    {"d2d_peak_w", "W", SIP_SWEEP_UCIE, false, "PHY power of every link at full utilization"},
    {"d2d_fit", "FIT", SIP_SWEEP_UCIE, false, "undetected-error FIT summed over links"},
    {"tpp", "", SIP_SWEEP_TPP, false, "total processing performance (3A090)"},
    {"pd", "TPP/mm2", SIP_SWEEP_TPP, false, "performance density"},
    {"io_GBps", "GB/s", SIP_SWEEP_TPP, false, "off-package I/O, both directions"},
    {"hbm_density", "GB/s/mm2", SIP_SWEEP_TPP, false, "memory bandwidth per mm2 of stack"},
    {"logic_dies", "", SIP_SWEEP_TPP, false, "non-memory dies"},
    {"tpp_class", "", SIP_SWEEP_TPP, true, "3A090 class under the BIS October 2023 rule (bis-2023)"},
    {"hbm_class", "", SIP_SWEEP_TPP, true, "3A090.c class under the BIS December 2024 HBM rule"},
    {"saturation_load", "", SIP_SWEEP_TRAFFIC, false, "load at which the first port saturates"},
    {"max_util", "", SIP_SWEEP_TRAFFIC, false, "highest port utilization at the offered load"},
    {"mean_hops", "", SIP_SWEEP_TRAFFIC, false, "channels per byte, traffic-weighted"},
    {"zero_load_ns", "ns", SIP_SWEEP_TRAFFIC, false, "mean zero-load packet latency"},
    {"latency_ns", "ns", SIP_SWEEP_TRAFFIC, false, "mean latency with M/D/1 queueing (inf saturated)"},
    {"traffic_w", "W", SIP_SWEEP_TRAFFIC, false, "D2D power of the offered traffic"},
    {"pj_per_byte", "pJ/B", SIP_SWEEP_TRAFFIC, false, "D2D energy per delivered byte"},
    {"cost_usd", "USD", SIP_SWEEP_COST, false, "cost per good package, NRE per unit included"},
    {"recurring_usd", "USD", SIP_SWEEP_COST, false, "recurring cost per good package"},
    {"nre_per_unit_usd", "USD", SIP_SWEEP_COST, false, "NRE per unit"},
    {"usd_per_tpp", "USD", SIP_SWEEP_COST, false, "cost per unit of TPP"},
    {"assembly_yield", "", SIP_SWEEP_COST, false, "good packages per assembled package"},
    {"logic_area_mm2", "mm2", SIP_SWEEP_COST, false, "logic die area"},
    {"tj_max_c", "C", SIP_SWEEP_THERMAL, false, "hottest junction"},
    {"thermal_headroom_c", "C", SIP_SWEEP_THERMAL, false, "Tj limit minus hottest junction"},
    {"thermal_budget_w", "W", SIP_SWEEP_THERMAL, false, "package power at which the hottest die reaches the limit"},
    {"netsim_latency", "cycles", SIP_SWEEP_NETSIM, false, "mean packet latency, flit simulation"},
    {"netsim_accepted", "flits/node/cycle", SIP_SWEEP_NETSIM, false, "accepted throughput"},
    {"netsim_hops", "", SIP_SWEEP_NETSIM, false, "routers per packet"},
    {"tokens_per_s", "tokens/s", SIP_SWEEP_WORKLOAD, false, "workload throughput of its phase"},
    {"ttft_ms", "ms", SIP_SWEEP_WORKLOAD, false, "time to first token: prefill of the batch + one decode step"},
    {"tpot_ms", "ms", SIP_SWEEP_WORKLOAD, false, "time per output token: one decode step"},
    {"j_per_token", "J", SIP_SWEEP_WORKLOAD, false, "energy per token of the phase"},
    {"mac_utilization", "", SIP_SWEEP_WORKLOAD, false, "MACs / (step time x peak) of the chiplets used"},
    {"workload_fits", "", SIP_SWEEP_WORKLOAD, false, "1 when weights + KV cache fit the HBM of each chiplet, else 0"},
    {"workload_limit", "", SIP_SWEEP_WORKLOAD, true, "what bounds the phase step: compute, sram, hbm, d2d or io"},
    {"usd_per_tokens_per_s", "USD", SIP_SWEEP_WORKLOAD, false, "cost per good package / tokens/s (needs the cost engine too)"},
};
#undef MODEL

int sip_sweep_metric_count(void)
{
    return SIP__M_COUNT;
}

const sip_sweep_metric_info_t *sip_sweep_metric(int index)
{
    return (index >= 0 && index < SIP__M_COUNT) ? &metrics[index] : NULL;
}

int sip_sweep_metric_lookup(const char *name)
{
    for (int i = 0; i < SIP__M_COUNT; i++)
        if (strcmp(metrics[i].name, name) == 0)
            return i;
    return -1;
}

static const char *closest_metric(const char *word)
{
    /* Levenshtein within 2 edits: the same tolerance as the loader's key suggestions. */
    const char *best = NULL;
    int best_d = strlen(word) <= 3 ? 2 : 3;
    for (int i = 0; i < SIP__M_COUNT; i++) {
        const char *c = metrics[i].name;
        size_t la = strlen(word), lb = strlen(c);
        if (la > 63 || lb > 63)
            continue;
        int row[64];
        for (size_t j = 0; j <= lb; j++)
            row[j] = (int)j;
        for (size_t a = 1; a <= la; a++) {
            int diag = row[0];
            row[0] = (int)a;
            for (size_t b = 1; b <= lb; b++) {
                int up = row[b];
                int v = diag + (word[a - 1] != c[b - 1]);
                if (up + 1 < v)
                    v = up + 1;
                if (row[b - 1] + 1 < v)
                    v = row[b - 1] + 1;
                row[b] = v;
                diag = up;
            }
        }
        if (row[lb] < best_d) {
            best_d = row[lb];
            best = c;
        }
    }
    return best;
}

static sip_status_t unknown_metric(const char *what, const char *text, const char *name,
                                   const char *path, int line, sip_error_t *err)
{
    const char *near = closest_metric(name);
    return sip_error_set(err, SIP_EINVAL, path, line,
                         "%s '%s': unknown metric '%s'%s%s%s (expected a metric of `sipsim sweep "
                         "--metrics`)", what, text, name, near ? " (did you mean '" : "",
                         near ? near : "", near ? "'?)" : "");
}

const char *sip_op_symbol(sip_op_t op)
{
    static const char *const s[] = {"<", "<=", ">", ">=", "==", "!="};
    return (unsigned)op < SIP_OP_COUNT ? s[op] : "?";
}

static const char *skip_space(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *read_word(const char *p, char *out, size_t size)
{
    size_t n = 0;
    while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-' || *p == '+')) {
        if (n + 1 < size)
            out[n++] = *p;
        p++;
    }
    out[n] = '\0';
    return p;
}

sip_status_t sip_sweep_constraint_parse(const char *text, const char *path, int line,
                                        sip_sweep_constraint_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->text, sizeof out->text, "%s", text);
    out->line = line;
    char name[SIP_NAME_MAX];
    const char *p = skip_space(text);
    const char *q = p;
    while (*q && (isalnum((unsigned char)*q) || *q == '_'))
        q++;
    if (q == p)
        return sip_error_set(err, SIP_EINVAL, path, line, "constraint '%s': no metric (expected "
                             "\"METRIC OP VALUE\", e.g. \"tpp < 4800\")", text);
    snprintf(name, sizeof name, "%.*s", (int)(q - p), p);
    int m = sip_sweep_metric_lookup(name);
    if (m < 0)
        return unknown_metric("constraint", text, name, path, line, err);
    out->metric = m;
    p = skip_space(q);
    static const char *const ops[] = {"<=", ">=", "==", "!=", "<", ">"};
    static const sip_op_t codes[] = {SIP_OP_LE, SIP_OP_GE, SIP_OP_EQ, SIP_OP_NE, SIP_OP_LT, SIP_OP_GT};
    int op = -1;
    for (int i = 0; i < 6 && op < 0; i++)
        if (strncmp(p, ops[i], strlen(ops[i])) == 0) {
            op = i;
            p += strlen(ops[i]);
        }
    if (op < 0 || *p == '<' || *p == '>' || *p == '=')
        return sip_error_set(err, SIP_EINVAL, path, line, "constraint '%s': unknown operator "
                             "(expected <, <=, >, >=, == or !=)", text);
    out->op = codes[op];
    p = skip_space(p);
    if (metrics[m].is_text) {
        /* Words may contain spaces ("not 3A090"): the rest of the text, optionally quoted. */
        if (out->op != SIP_OP_EQ && out->op != SIP_OP_NE)
            return sip_error_set(err, SIP_EINVAL, path, line, "constraint '%s': '%s' is a word "
                                 "(expected == or !=)", text, name);
        size_t len = strlen(p);
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        if (len >= 2 && p[0] == '\'' && p[len - 1] == '\'') {
            p++;
            len -= 2;
        }
        if (len == 0 || len >= sizeof out->word)
            return sip_error_set(err, SIP_EINVAL, path, line, "constraint '%s': no word after '%s' "
                                 "(expected e.g. \"check == ok\")", text, sip_op_symbol(out->op));
        snprintf(out->word, sizeof out->word, "%.*s", (int)len, p);
        return SIP_OK;
    }
    char value[SIP_NAME_MAX];
    const char *end = skip_space(read_word(p, value, sizeof value));
    if (!value[0] || *end)
        return sip_error_set(err, SIP_EINVAL, path, line, "constraint '%s': bad value after '%s' "
                             "(expected one number or word)", text, ops[op]);
    char *num_end = NULL;
    double v = strtod(value, &num_end);
    if (!num_end || *num_end || !isfinite(v))
        return sip_error_set(err, SIP_EINVAL, path, line, "constraint '%s': '%s' is not a number "
                             "(expected a finite number for metric '%s')", text, value, name);
    out->value = v;
    return SIP_OK;
}

sip_status_t sip_sweep_objective_parse(const char *text, const char *path, int line,
                                       sip_sweep_objective_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->line = line;
    const char *p = skip_space(text);
    if (strncmp(p, "min", 3) == 0 || strncmp(p, "max", 3) == 0) {
        out->maximize = p[1] == 'a';
        p += 3;
    } else {
        return sip_error_set(err, SIP_EINVAL, path, line, "objective '%s' (expected \"min METRIC\" "
                             "or \"max METRIC\")", text);
    }
    if (*p != ':' && !isspace((unsigned char)*p))
        return sip_error_set(err, SIP_EINVAL, path, line, "objective '%s' (expected \"min METRIC\" "
                             "or \"max METRIC\")", text);
    p = skip_space(p + (*p == ':'));
    char name[SIP_NAME_MAX];
    const char *end = skip_space(read_word(p, name, sizeof name));
    if (!name[0] || *end)
        return sip_error_set(err, SIP_EINVAL, path, line, "objective '%s': expected one metric name "
                             "after min/max", text);
    int m = sip_sweep_metric_lookup(name);
    if (m < 0)
        return unknown_metric("objective", text, name, path, line, err);
    if (metrics[m].is_text)
        return sip_error_set(err, SIP_EINVAL, path, line, "objective '%s': '%s' is a word (expected a "
                             "numeric metric)", text, name);
    out->metric = m;
    return SIP_OK;
}

/* ------------------------------------------------------------------ sampling */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

double sip__sweep_u01(uint64_t seed, uint64_t id, uint64_t stream)
{
    uint64_t h = splitmix64(splitmix64(splitmix64(seed) ^ id) ^ (stream * 0xd1b54a32d192ed03ull));
    return (double)(h >> 11) * 0x1.0p-53;
}

static bool engine_on(const sip_sweep_spec_t *spec, int metric)
{
    sip_sweep_engine_t e = metrics[metric].engine;
    return e == SIP_SWEEP_ENGINE_COUNT || (spec->engines & (1u << e));
}

sip_status_t sip_sweep_spec_prepare(sip_sweep_spec_t *spec, sip_error_t *err)
{
    for (int i = 0; i < spec->n_constraints; i++) {
        const sip_sweep_constraint_t *c = &spec->constraints[i];
        if (!engine_on(spec, c->metric))
            return sip_error_set(err, SIP_EINVAL, spec->path, c->line,
                                 "constraint '%s': metric '%s' needs engine '%s' (expected it in "
                                 "engines = [...])", c->text, metrics[c->metric].name,
                                 engine_names[metrics[c->metric].engine]);
    }
    for (int i = 0; i < spec->n_objectives; i++) {
        const sip_sweep_objective_t *o = &spec->objectives[i];
        if (!engine_on(spec, o->metric))
            return sip_error_set(err, SIP_EINVAL, spec->path, o->line,
                                 "objective '%s %s': metric needs engine '%s' (expected it in "
                                 "engines = [...])", o->maximize ? "max" : "min",
                                 metrics[o->metric].name, engine_names[metrics[o->metric].engine]);
    }
    free(spec->lhs_perm);
    spec->lhs_perm = NULL;
    if (spec->sampling == SIP_SAMPLING_GRID) {
        uint64_t n = 1;
        for (int a = 0; a < spec->n_axes; a++) {
            const sip_sweep_axis_t *ax = &spec->axes[a];
            if (ax->continuous)
                return sip_error_set(err, SIP_EINVAL, spec->path, ax->line,
                                     "axis '%s': a continuous range cannot be gridded (expected "
                                     "range = [lo, hi, step] or sampling method random / lhs)",
                                     ax->name);
            if (ax->n_values < 1 || n > (UINT64_C(1) << 40) / (uint64_t)ax->n_values)
                return sip_error_set(err, SIP_ELIMIT, spec->path, ax->line,
                                     "the grid has more than 2^40 variants (expected fewer values)");
            n *= (uint64_t)ax->n_values;
        }
        spec->n_variants = n;
        return SIP_OK;
    }
    if (spec->samples < 1)
        return sip_error_set(err, SIP_EINVAL, spec->path, 0, "%s sampling needs samples >= 1",
                             sip_sampling_name(spec->sampling));
    spec->n_variants = spec->samples;
    if (spec->sampling == SIP_SAMPLING_LHS && spec->n_axes > 0) {
        /* The strata table holds axes x samples entries: bound the product (issue 12). */
        if ((uint64_t)spec->n_axes * spec->samples > 100000000)
            return sip_error_set(err, SIP_ELIMIT, spec->path, 0, "lhs with %llu samples x %d axes = "
                                 "%llu strata (expected at most 1e8)", (unsigned long long)spec->samples,
                                 spec->n_axes, (unsigned long long)spec->samples * (uint64_t)spec->n_axes);
        size_t n = (size_t)spec->samples;
        spec->lhs_perm = malloc((size_t)spec->n_axes * n * sizeof *spec->lhs_perm);
        if (!spec->lhs_perm)
            return sip_error_set(err, SIP_ENOMEM, spec->path, 0, "cannot allocate lhs strata");
        /* One seeded Fisher-Yates permutation of the strata per axis. */
        for (int a = 0; a < spec->n_axes; a++) {
            uint32_t *p = spec->lhs_perm + (size_t)a * n;
            for (size_t i = 0; i < n; i++)
                p[i] = (uint32_t)i;
            for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)(sip__sweep_u01(spec->seed, i, 1000003u + (uint64_t)a) * (double)(i + 1));
                if (j > i)
                    j = i;
                uint32_t t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
    }
    return SIP_OK;
}

static double from_unit(const sip_sweep_axis_t *ax, double u)
{
    double v;
    if (!ax->continuous) {
        int k = (int)(u * ax->n_values);
        if (k >= ax->n_values)
            k = ax->n_values - 1;
        return ax->values[k];
    }
    if (ax->log_scale)
        v = ax->lo * pow(ax->hi / ax->lo, u);
    else
        v = ax->lo + u * (ax->hi - ax->lo);
    if (ax->setter.kind == SIP_SETTER_COMPUTE ||
        (ax->setter.kind == SIP_SETTER_FIELD && ax->setter.store == SIP_FIELD_INT))
        v = round(v);
    return v;
}

void sip_sweep_variant_values(const sip_sweep_spec_t *spec, uint64_t id, double *values)
{
    if (spec->sampling == SIP_SAMPLING_GRID) {
        /* Mixed radix, last axis fastest. */
        for (int a = spec->n_axes - 1; a >= 0; a--) {
            uint64_t n = (uint64_t)spec->axes[a].n_values;
            values[a] = spec->axes[a].values[id % n];
            id /= n;
        }
        return;
    }
    for (int a = 0; a < spec->n_axes; a++) {
        double u = sip__sweep_u01(spec->seed, id, (uint64_t)a);
        if (spec->sampling == SIP_SAMPLING_LHS && spec->lhs_perm)
            u = ((double)spec->lhs_perm[(size_t)a * spec->samples + id] + u) / (double)spec->samples;
        values[a] = from_unit(&spec->axes[a], u);
    }
}

int sip_sweep_columns(const sip_sweep_spec_t *spec, int *cols, int max)
{
    int n = 0;
    for (int m = 0; m < SIP__M_COUNT; m++)
        if (engine_on(spec, m)) {
            if (n < max)
                cols[n] = m;
            n++;
        }
    return n;
}

void sip_sweep_spec_destroy(sip_sweep_spec_t *spec)
{
    if (!spec)
        return;
    for (int a = 0; a < SIP_SWEEP_MAX_AXES; a++) {
        free(spec->axes[a].values);
        free(spec->axes[a].words);
        free(spec->axes[a].setter.slots);
    }
    free(spec->lhs_perm);
    sip_package_destroy(spec->base);
    free(spec);
}

/* ------------------------------------------------------------------ text buffers */

sip_status_t sip__buf_reserve(char **buf, size_t *len, size_t *cap, size_t more)
{
    if (*len + more + 1 <= *cap)
        return SIP_OK;
    size_t c = *cap ? *cap : 256;
    while (c < *len + more + 1)
        c *= 2;
    char *p = realloc(*buf, c);
    if (!p)
        return SIP_ENOMEM;
    *buf = p;
    *cap = c;
    return SIP_OK;
}

sip_status_t sip__buf_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SIP_EINTERNAL;
    SIP_TRY(sip__buf_reserve(buf, len, cap, (size_t)n));
    va_start(ap, fmt);
    vsnprintf(*buf + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return SIP_OK;
}
