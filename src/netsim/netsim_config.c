/* netsim: configuration (BookSim2 names and defaults), BookSim2 config files, sweeps.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsim_alloc.h"
#include "netsim_internal.h"

static const char *const pattern_names[SIP_NETSIM_PATTERN_COUNT] = {
    "uniform", "transpose", "bitcomp", "bitrev", "shuffle", "tornado", "neighbor", "hotspot",
};

static const char *const status_names[SIP_NETSIM_RUN_STATUS_COUNT] = {
    "ok", "unstable_latency", "unstable_noconv",
};

const char *sip_netsim_pattern_name(sip_netsim_pattern_t p)
{
    return p >= 0 && p < SIP_NETSIM_PATTERN_COUNT ? pattern_names[p] : "?";
}

int sip_netsim_pattern_lookup(const char *name)
{
    for (int i = 0; i < SIP_NETSIM_PATTERN_COUNT; i++)
        if (strcmp(name, pattern_names[i]) == 0)
            return i;
    return -1;
}

const char *sip_netsim_run_status_name(sip_netsim_run_status_t s)
{
    return s >= 0 && s < SIP_NETSIM_RUN_STATUS_COUNT ? status_names[s] : "?";
}

/* Defaults: BookSim2 booksim_config.cpp (commit 28f4329) except num_vcs / vc_buf_size (16 / 8
 * there) and sample_period (1000 there), which follow shared/peers/booksim/configs. */
void sip_netsim_config_init(sip_netsim_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->num_vcs = 4;
    cfg->vc_buf_size = 4;
    cfg->routing_delay = 1;
    cfg->vc_alloc_delay = 1;
    cfg->sw_alloc_delay = 1;
    cfg->st_final_delay = 1;
    cfg->credit_delay = 0;
    cfg->speculative = false;
    cfg->wait_for_tail_credit = false;
    cfg->vc_allocator = SIP_NETSIM_ALLOC_ISLIP;
    cfg->sw_allocator = SIP_NETSIM_ALLOC_ISLIP;
    cfg->alloc_iters = 1;
    cfg->pattern = SIP_NETSIM_UNIFORM;
    cfg->injection_rate = 0.1;
    cfg->packet_size = 1;
    cfg->include_queuing = true;
    cfg->seed = 0;
    cfg->warmup_periods = 3;
    cfg->sample_period = 10000;
    cfg->max_samples = 10;
    cfg->latency_thres = 500.0;
    cfg->stopping_thres = 0.05;
    cfg->acc_stopping_thres = 0.05;
}

int sip_netsim_config_router_cycles(const sip_netsim_config_t *cfg)
{
    int alloc = cfg->speculative ? (cfg->vc_alloc_delay > cfg->sw_alloc_delay ? cfg->vc_alloc_delay
                                                                               : cfg->sw_alloc_delay)
                                 : cfg->vc_alloc_delay + cfg->sw_alloc_delay;
    return cfg->routing_delay + alloc + cfg->st_final_delay;
}

bool sip_netsim_result_sustained(const sip_netsim_result_t *res)
{
    return res->status == SIP_NETSIM_OK && res->accepted >= 0.95 * res->offered;
}

static sip_status_t parse_int(const char *key, const char *v, long lo, long hi, int *out, sip_error_t *err)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "%s = %s (expected an integer %ld..%ld)", key, v, lo, hi);
    *out = (int)x;
    return SIP_OK;
}

static sip_status_t parse_double(const char *key, const char *v, double *out, sip_error_t *err)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x))
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "%s = %s (expected a number)", key, v);
    *out = x;
    return SIP_OK;
}

/* hotspot({{n1,n2,...},{w1,w2,...}}) or hotspot({n1,...}) (traffic.cpp:489-526). */
static sip_status_t parse_hotspot(sip_netsim_config_t *cfg, const char *v, sip_error_t *err)
{
    const char *p = strchr(v, '(');
    if (!p)
        return sip_error_set(err, SIP_EINVAL, NULL, 0, "traffic = %s (expected hotspot({nodes},{weights}))", v);
    int lists[2][SIP_NETSIM_MAX_HOTSPOTS], n[2] = {0, 0}, which = -1, depth = 0;
    for (p++; *p && *p != ')'; p++) {
        if (*p == '{') {
            depth++;
            if (depth == 1 && p[1] != '{')
                which = 0;
            else if (depth == 2)
                which++;
        } else if (*p == '}') {
            depth--;
        } else if (isdigit((unsigned char)*p)) {
            char *end;
            long x = strtol(p, &end, 10);
            if (which < 0 || which > 1 || n[which] >= SIP_NETSIM_MAX_HOTSPOTS)
                return sip_error_set(err, SIP_EINVAL, NULL, 0, "traffic = %s: too many hotspots", v);
            lists[which][n[which]++] = (int)x;
            p = end - 1;
        }
    }
    if (n[0] < 1 || (n[1] && n[1] != n[0]))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "traffic = %s (expected hotspot({{nodes},{weights}}) with as many weights as nodes)", v);
    cfg->n_hotspots = n[0];
    for (int i = 0; i < n[0]; i++) {
        cfg->hotspots[i] = lists[0][i];
        cfg->hotspot_weights[i] = n[1] ? lists[1][i] : 1;
    }
    cfg->pattern = SIP_NETSIM_HOTSPOT;
    return SIP_OK;
}

/* BookSim2 keys that do not change what this simulator computes for the supported values; a
 * different value is rejected so a config never silently means something else. */
typedef struct {
    const char *key, *value;
} fixed_key_t;

static const fixed_key_t fixed_keys[] = {
    {"router", "iq"}, {"buf_size", "-1"}, {"buffer_policy", "private"}, {"vc_busy_when_full", "0"},
    {"vc_prioritize_empty", "0"}, {"hold_switch_for_packet", "0"}, {"st_prepare_delay", "0"},
    {"arb_type", "round_robin"}, {"input_speedup", "1"}, {"output_speedup", "1"},
    {"internal_speedup", "1.0"}, {"internal_speedup", "1"}, {"output_buffer_size", "-1"},
    {"noq", "0"}, {"injection_process", "bernoulli"}, {"injection_rate_uses_flits", "1"},
    {"classes", "1"}, {"use_read_write", "0"}, {"priority", "none"}, {"sim_type", "latency"},
    {"sim_count", "1"}, {"use_noc_latency", "1"}, {"c", "1"}, {"n", "2"},
};

/* keys read elsewhere (topology) or without effect on the statistics */
static const char *const ignored_keys[] = {
    "topology", "k", "routing_function", "network_file", "deadlock_warn_timeout", "watch_out",
    "print_csv_results", "stats_out",
};

sip_status_t sip_netsim_config_set(sip_netsim_config_t *c, const char *key, const char *v, sip_error_t *err)
{
    int x = 0;
    double d = 0.0;
    struct {
        const char *key;
        int *dst;
        long lo, hi;
    } ints[] = {
        {"num_vcs", &c->num_vcs, 1, 64},
        {"vc_buf_size", &c->vc_buf_size, 1, 4096},
        {"routing_delay", &c->routing_delay, 0, 64},
        {"vc_alloc_delay", &c->vc_alloc_delay, 1, 64},
        {"sw_alloc_delay", &c->sw_alloc_delay, 1, 64},
        {"st_final_delay", &c->st_final_delay, 1, 64},
        {"credit_delay", &c->credit_delay, 0, 64},
        {"alloc_iters", &c->alloc_iters, 1, 16},
        {"packet_size", &c->packet_size, 1, 4096},
        {"warmup_periods", &c->warmup_periods, 1, 1000},
        {"sample_period", &c->sample_period, 1, 100000000},
        {"max_samples", &c->max_samples, 1, 100000},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(key, ints[i].key) == 0)
            return parse_int(key, v, ints[i].lo, ints[i].hi, ints[i].dst, err);
    struct {
        const char *key;
        double *dst;
    } dbls[] = {
        {"injection_rate", &c->injection_rate},
        {"latency_thres", &c->latency_thres},
        {"stopping_thres", &c->stopping_thres},
        {"acc_stopping_thres", &c->acc_stopping_thres},
    };
    for (size_t i = 0; i < sizeof dbls / sizeof dbls[0]; i++)
        if (strcmp(key, dbls[i].key) == 0)
            return parse_double(key, v, dbls[i].dst, err);
    struct {
        const char *key;
        bool *dst;
    } bools[] = {
        {"speculative", &c->speculative},
        {"wait_for_tail_credit", &c->wait_for_tail_credit},
        {"include_queuing", &c->include_queuing},
        {"force_general_router", &c->force_general_router}, /* sipsim's own, see netsim.h */
    };
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
        if (strcmp(key, bools[i].key) == 0) {
            SIP_TRY(parse_int(key, v, 0, 1, &x, err));
            *bools[i].dst = x != 0;
            return SIP_OK;
        }
    if (strcmp(key, "seed") == 0) {
        SIP_TRY(parse_double(key, v, &d, err));
        if (d < 0 || d != floor(d))
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "seed = %s (expected an integer >= 0)", v);
        c->seed = (uint64_t)d;
        return SIP_OK;
    }
    if (strcmp(key, "vc_allocator") == 0 || strcmp(key, "sw_allocator") == 0) {
        int a = sip__netsim_alloc_lookup(v);
        if (a < 0)
            return sip_error_set(err, SIP_EINVAL, NULL, 0, "%s = %s (expected islip or separable_input_first)", key, v);
        *(key[0] == 'v' ? &c->vc_allocator : &c->sw_allocator) = (sip_netsim_alloc_t)a;
        return SIP_OK;
    }
    if (strcmp(key, "traffic") == 0) {
        if (strncmp(v, "hotspot", 7) == 0)
            return parse_hotspot(c, v, err);
        int p = sip_netsim_pattern_lookup(v);
        if (p < 0)
            return sip_error_set(err, SIP_EINVAL, NULL, 0,
                                 "traffic = %s (expected uniform, transpose, bitcomp, bitrev, shuffle, "
                                 "tornado, neighbor or hotspot(...))", v);
        c->pattern = (sip_netsim_pattern_t)p;
        return SIP_OK;
    }
    for (size_t i = 0; i < sizeof fixed_keys / sizeof fixed_keys[0]; i++)
        if (strcmp(key, fixed_keys[i].key) == 0) {
            for (size_t j = i; j < sizeof fixed_keys / sizeof fixed_keys[0]; j++)
                if (strcmp(key, fixed_keys[j].key) == 0 && strcmp(v, fixed_keys[j].value) == 0)
                    return SIP_OK;
            return sip_error_set(err, SIP_EUNSUPPORTED, NULL, 0, "%s = %s (only %s is modelled)", key, v,
                                 fixed_keys[i].value);
        }
    for (size_t i = 0; i < sizeof ignored_keys / sizeof ignored_keys[0]; i++)
        if (strcmp(key, ignored_keys[i]) == 0)
            return SIP_OK;
    /* thresholds of other sim types and warm-up modes that warmup_periods > 0 makes unused */
    if (strcmp(key, "warmup_thres") == 0 || strcmp(key, "acc_warmup_thres") == 0 ||
        strcmp(key, "spec_sw_allocator") == 0)
        return SIP_OK;
    return sip_error_set(err, SIP_EINVAL, NULL, 0, "unknown key '%s'", key);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

sip_status_t sip_netsim_booksim_read(const char *path, sip_netsim_config_t *cfg, sip_netsim_net_t **net,
                                     sip_error_t *err)
{
    *net = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return sip_error_set(err, SIP_EIO, path, 0, "cannot open BookSim config: %s", strerror(errno));
    char topology[64] = "", network_file[SIP_PATH_MAX] = "", routing[64] = "";
    int k = 0;
    char line[4096];
    int lineno = 0, alloc_line = 0;
    sip_status_t st = SIP_OK;
    while (st == SIP_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *cm = strstr(line, "//");
        if (cm)
            *cm = 0;
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        char *semi = strrchr(s, ';');
        if (!eq || !semi || semi < eq) {
            st = sip_error_set(err, SIP_EPARSE, path, lineno, "expected key = value;");
            break;
        }
        *eq = 0;
        *semi = 0;
        char *key = trim(s), *val = trim(eq + 1);
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = 0;
            val++;
        }
        if (strcmp(key, "topology") == 0)
            snprintf(topology, sizeof topology, "%s", val);
        else if (strcmp(key, "network_file") == 0)
            snprintf(network_file, sizeof network_file, "%s", val);
        else if (strcmp(key, "routing_function") == 0)
            snprintf(routing, sizeof routing, "%s", val);
        else if (strcmp(key, "k") == 0)
            st = parse_int(key, val, 1, 256, &k, err);
        else if (strcmp(key, "speculative") == 0 || strcmp(key, "vc_alloc_delay") == 0 ||
                 strcmp(key, "sw_alloc_delay") == 0)
            alloc_line = lineno;
        if (st == SIP_OK)
            st = sip_netsim_config_set(cfg, key, val, err);
        if (st != SIP_OK && err && err->line == 0) {
            snprintf(err->path, sizeof err->path, "%s", path);
            err->line = lineno;
        }
    }
    fclose(f);
    if (st != SIP_OK)
        return st;
    /* Speculative allocation is modelled for single-cycle allocation only (BookSim2 aborts on
     * longer; see check_config in netsim_sim.c): report it at the last of the three keys. */
    if (alloc_line > 0 && cfg->speculative && (cfg->vc_alloc_delay != 1 || cfg->sw_alloc_delay != 1))
        return sip_error_set(err, SIP_EINVAL, path, alloc_line,
                             "speculative = 1 needs vc_alloc_delay = sw_alloc_delay = 1 (got "
                             "vc_alloc_delay = %d, sw_alloc_delay = %d; BookSim2 aborts on longer "
                             "speculative allocation)",
                             cfg->vc_alloc_delay, cfg->sw_alloc_delay);
    if (strcmp(topology, "mesh") == 0) {
        if (routing[0] && strcmp(routing, "dor") != 0)
            return sip_error_set(err, SIP_EUNSUPPORTED, path, 0, "routing_function = %s (mesh: only dor)", routing);
        if (k < 1)
            return sip_error_set(err, SIP_EINVAL, path, 0, "mesh without k");
        return sip_netsim_net_mesh(k, net, err);
    }
    if (strcmp(topology, "anynet") == 0) {
        if (routing[0] && strcmp(routing, "min") != 0)
            return sip_error_set(err, SIP_EUNSUPPORTED, path, 0, "routing_function = %s (anynet: only min)", routing);
        if (!network_file[0])
            return sip_error_set(err, SIP_EINVAL, path, 0, "anynet without network_file");
        char full[2 * SIP_PATH_MAX];
        const char *slash = strrchr(path, '/');
        if (network_file[0] == '/' || !slash)
            snprintf(full, sizeof full, "%s", network_file);
        else
            snprintf(full, sizeof full, "%.*s/%s", (int)(slash - path), path, network_file);
        return sip_netsim_net_read_anynet(full, net, err);
    }
    return sip_error_set(err, SIP_EUNSUPPORTED, path, 0, "topology = %s (expected mesh or anynet)", topology);
}

/* ----------------------------------------------------------------------------- sweep ---- */

sip_status_t sip_netsim_sweep_run(const sip_netsim_net_t *net, const sip_netsim_config_t *cfg,
                                  const sip_netsim_sweep_t *sw, sip_netsim_progress_fn progress, void *user,
                                  sip_netsim_result_t **results, int *n, sip_error_t *err)
{
    *results = NULL;
    *n = 0;
    if (!(sw->start > 0) || !(sw->step > 0) || sw->fine < 0 || !(sw->max >= sw->start) || sw->max > 1.0 ||
        (sw->max - sw->start) / sw->step > 1000 || (sw->fine > 0 && sw->step / sw->fine > 1000))
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "netsim sweep: start %g step %g fine %g max %g (expected 0 < start <= max <= 1, "
                             "step > 0, fine >= 0)", sw->start, sw->step, sw->fine, sw->max);
    int cap = 16, cnt = 0;
    sip_netsim_result_t *res = malloc((size_t)cap * sizeof *res);
    if (!res)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
    sip_status_t st = SIP_OK;
    double last_ok = 0.0, first_bad = -1.0;
    for (int phase = 0; phase < 2 && st == SIP_OK; phase++) {
        double a, b, step;
        if (phase == 0) {
            a = sw->start;
            b = sw->max;
            step = sw->step;
        } else {
            if (first_bad < 0 || !(sw->fine > 0))
                break;
            a = last_ok + sw->fine;
            b = first_bad - sw->fine / 2;
            step = sw->fine;
        }
        for (int i = 0; a + i * step <= b + 1e-9; i++) {
            double rate = round((a + i * step) * 1e6) / 1e6;
            if (cnt == cap) {
                sip_netsim_result_t *nr = realloc(res, (size_t)cap * 2 * sizeof *nr);
                if (!nr) {
                    st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "netsim: out of memory");
                    break;
                }
                res = nr;
                cap *= 2;
            }
            sip_netsim_config_t c = *cfg;
            c.injection_rate = rate;
            st = sip_netsim_run(net, &c, &res[cnt], err);
            if (st != SIP_OK)
                break;
            cnt++;
            if (progress)
                progress(user, &res[cnt - 1]);
            if (sip_netsim_result_sustained(&res[cnt - 1])) {
                last_ok = rate;
            } else {
                if (phase == 0)
                    first_bad = rate;
                break;
            }
        }
    }
    if (st != SIP_OK) {
        for (int i = 0; i < cnt; i++)
            sip_netsim_result_fini(&res[i]);
        free(res);
        return st;
    }
    *results = res;
    *n = cnt;
    return SIP_OK;
}

double sip_netsim_saturation(const sip_netsim_result_t *r, int n)
{
    double best = 0.0;
    for (int i = 0; i < n; i++)
        if (r[i].status == SIP_NETSIM_OK && r[i].accepted >= 0.98 * r[i].offered && r[i].offered > best)
            best = r[i].offered;
    return best;
}
