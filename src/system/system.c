/* Systems of packages: export classification per package and per level, and inference across
 * packages over the off-package links.  The per-package step time is the kernel library's
 * (sip_workload_evaluate on the package's share of the model); the off-package traffic is
 * the collectives' closed forms below.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/system.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const syslink_kind_names[] = {"pcie", "cxl", "ethernet", "scaleup"};
static const char *const topology_names[] = {"switch", "all_to_all", "ring"};

const char *const *sip_syslink_kind_names(void)
{
    return syslink_kind_names;
}

const char *const *sip_topology_names(void)
{
    return topology_names;
}

const char *sip_syslink_kind_name(sip_syslink_kind_t k)
{
    return (unsigned)k < SIP_SYSLINK_COUNT ? syslink_kind_names[k] : "?";
}

const char *sip_topology_name(sip_topology_t t)
{
    return (unsigned)t < SIP_TOPO_COUNT ? topology_names[t] : "?";
}

double sip_system_link_GBps(const sip_system_link_t *l)
{
    /* lanes x Gb/s per lane / 8 bits per byte, per direction, for each of the child's links. */
    return (double)l->links * l->lanes * l->rate_gbps / 8.0;
}

long sip_system_packages_in(const sip_system_t *sys, int level)
{
    long n = 1;
    for (int i = 0; i <= level && i < sys->n_levels; i++)
        n *= sys->levels[i].count;
    return n;
}

void sip_system_result_destroy(sip_system_result_t *res)
{
    if (!res)
        return;
    sip_tpp_result_destroy(res->package_tpp);
    free(res->points);
    free(res);
}

/* 'a', 'b' or 0 from a bis-2023 class name ("3A090.a.1" ...). */
static char letter_of(const sip_tpp_class_t *c)
{
    if (c->clause < 0)
        return 0;
    const char *n = c->class_name;
    return strncmp(n, "3A090.a", 7) == 0 ? 'a' : strncmp(n, "3A090.b", 7) == 0 ? 'b' : 0;
}

static const char *class_4a090(char letter)
{
    /* 4A090.a / .b: computers, assemblies and components containing 3A090.a / .b ICs
     * (facts.md §2.4 [S20]). */
    return letter == 'a' ? "4A090.a" : letter == 'b' ? "4A090.b" : "not 4A090";
}

static char stricter(char x, char y)
{
    return (x == 'a' || y == 'a') ? 'a' : (x == 'b' || y == 'b') ? 'b' : 0;
}

static sip_status_t classify(const sip_system_t *sys, sip_system_result_t *res, sip_error_t *err)
{
    const sip_package_t *pkg = sys->package;
    const sip_system_level_t *l0 = &sys->levels[0];
    res->link_GBps = sip_system_link_GBps(&l0->link);
    sip_tpp_options_t o;
    sip_tpp_options_init(&o);
    o.datacenter = sys->datacenter;
    sip_tpp_metrics_t m;
    SIP_TRY(sip_tpp_metrics(pkg, &o, &m, err));
    if (m.unknown[SIP_METRIC_IO_GBPS]) {
        /* No io block: the first level's links are the package's off-package I/O. */
        o.io_given = true;
        o.io_GBps = 2.0 * res->link_GBps;
        res->package_io_from_links = true;
    } else if (res->link_GBps > 0.5 * m.value[SIP_METRIC_IO_GBPS] * (1.0 + 1e-9)) {
        return sip_error_set(err, SIP_EINVAL, sys->path, l0->link.line,
                             "level '%s' gives each package %.1f GB/s per direction, but package "
                             "'%s' offers %.1f GB/s per direction in its io blocks (expected "
                             "links that fit the package)",
                             l0->name, res->link_GBps, pkg->name, 0.5 * m.value[SIP_METRIC_IO_GBPS]);
    }
    SIP_TRY(sip_tpp_evaluate(pkg, &o, &res->package_tpp, err));
    const sip_tpp_result_t *t = res->package_tpp;
    res->package_io_GBps = t->metrics.value[SIP_METRIC_IO_GBPS];
    int r23 = sip_tpp_rule_find("bis-2023");
    char each = letter_of(&t->classes[r23]);

    /* The board as one "integrated circuit" (facts.md §2.3 [S21] footnote 4: the EAR's IC can
     * be several packages on a common substrate): TPP and applicable area add, PD is unchanged. */
    res->board_metrics = t->metrics;
    double n0 = l0->count;
    res->board_metrics.value[SIP_METRIC_TPP] *= n0;
    res->board_metrics.applicable_area_mm2 *= n0;
    res->board_metrics.logic_area_mm2 *= n0;
    res->board_metrics.tpp_sum_of_maxes *= n0;
    res->board_metrics.tpp_max_of_sums *= n0;
    for (int p = 0; p < SIP_PREC_COUNT; p++)
        res->board_metrics.tpp_by_precision[p] *= n0;
    sip_tpp_classify(&res->board_metrics, r23, sys->datacenter, &res->board_class_2023);
    char board = letter_of(&res->board_class_2023);

    res->n_levels = sys->n_levels;
    for (int i = 0; i < sys->n_levels; i++) {
        res->levels[i].packages = sip_system_packages_in(sys, i);
        res->levels[i].tpp = (double)res->levels[i].packages * t->metrics.value[SIP_METRIC_TPP];
        res->levels[i].io_GBps = 2.0 * sip_system_link_GBps(&sys->levels[i].link);
        res->levels[i].class_4a090_each = class_4a090(each);
        res->levels[i].class_4a090_board = class_4a090(board);
        res->levels[i].class_4a090 = class_4a090(stricter(each, board));
    }
    return SIP_OK;
}

/* ---- inference across packages ---- */

/* The share of the model one package holds: heads, FFN and vocabulary split tp ways (Megatron
 * tensor parallelism, Shoeybi et al. 2019, arXiv:1909.08053), layers split pp ways.  Each stage
 * keeps its embedding and LM-head share, which over-counts weights by at most 2 x vocab x
 * hidden per stage (conservative for the fit). */
static bool share_shape(const sip_model_shape_t *s, int tp, int pp, sip_model_shape_t *out)
{
    if (s->heads % tp != 0 || (s->kv_heads % tp != 0 && tp % s->kv_heads != 0) || pp > s->layers)
        return false;
    *out = *s;
    out->heads = s->heads / tp;
    out->kv_heads = s->kv_heads >= tp ? s->kv_heads / tp : 1;
    out->ffn = (s->ffn + tp - 1) / tp;
    out->vocab = (s->vocab + tp - 1) / tp;
    out->layers = (s->layers + pp - 1) / pp;
    return out->heads % out->kv_heads == 0;
}

/* One all-reduce of `bytes` over tp packages (time in s).  switch and ring: ring all-reduce,
 * 2 (tp - 1) / tp x bytes over each package's link in 2 (tp - 1) steps (Patarasuk and Yuan,
 * "Bandwidth optimal all-reduce algorithms for clusters of workstations", JPDC 2009); a step
 * through a switch is 2 hops.  all_to_all: reduce-scatter and all-gather directly to every
 * peer, each over its 1 / (count - 1) share of the links: 2 steps of 1 hop. */
static double allreduce_s(double bytes, int tp, double GBps, const sip_system_level_t *l)
{
    if (tp <= 1)
        return 0.0;
    double lat_s = l->link.latency_ns * 1e-9;
    if (l->link.topology == SIP_TOPO_ALL_TO_ALL) {
        double peer_GBps = GBps / (l->count > 1 ? l->count - 1 : 1);
        return 2.0 * ((tp - 1.0) / tp * bytes / (tp - 1.0)) / (peer_GBps * 1e9) + 2.0 * lat_s;
    }
    double hops = l->link.topology == SIP_TOPO_SWITCH ? 2.0 : 1.0;
    return 2.0 * (tp - 1.0) / tp * bytes / (GBps * 1e9) + 2.0 * (tp - 1.0) * hops * lat_s;
}

typedef struct {
    bool tried, fits;
    int pp;
    double compute_s;
    double tokens;
} share_t;

static sip_status_t share_eval(const sip_system_t *sys, const sip_model_shape_t *shape, int tp,
                               int max_pp, bool decode, share_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->tried = true;
    for (int pp = 1; pp <= max_pp; pp *= 2) {
        sip_model_shape_t sub;
        if (!share_shape(shape, tp, pp, &sub))
            break;
        sip_workload_t wl = sys->workload;
        snprintf(wl.phase, sizeof wl.phase, "%s", decode ? "decode" : "prefill");
        wl.tensor_parallel = 0;  /* the package's own default mapping over its dies */
        wl.pipeline_parallel = 0;
        if (wl.output_tokens < 1)
            wl.output_tokens = 1;
        sip_workload_result_t *w = NULL;
        SIP_TRY(sip_workload_evaluate(sys->package, &wl, &sub, NULL, &w, err));
        bool fits = w->fits;
        out->pp = pp;
        out->compute_s = w->step->time_s;
        out->tokens = w->step->tokens;
        sip_workload_result_destroy(w);
        if (fits) {
            out->fits = true;
            return SIP_OK;
        }
        if (pp > max_pp / 2)
            break;
    }
    return SIP_OK;
}

static sip_status_t study(const sip_system_t *sys, sip_system_result_t *res, sip_error_t *err)
{
    const sip_system_level_t *l0 = &sys->levels[0];
    SIP_TRY(sip_model_shape_find(sys->workload.model, sys->path, sys->workload.line, &res->shape, err));
    res->has_workload = true;
    long groups = sip_system_packages_in(sys, sys->n_levels - 1) / l0->count;
    int max_pp = groups > 4096 ? 4096 : (int)groups;
    /* Caps: the system's own link first, then the file's list. */
    double caps[SIP_SYSTEM_MAX_CAPS + 1];
    int n_caps = 0;
    caps[n_caps++] = res->link_GBps;
    for (int i = 0; i < sys->n_caps; i++)
        caps[n_caps++] = sys->caps_GBps[i];
    if (n_caps > SIP_SYSTEM_MAX_CAPS)
        n_caps = SIP_SYSTEM_MAX_CAPS;
    int tps[32], n_tp = 0;
    for (int tp = 1; tp <= l0->count && n_tp < 32; tp *= 2)
        if (l0->count % tp == 0)
            tps[n_tp++] = tp;
    res->max_tp = n_tp > 0 ? tps[n_tp - 1] : 0;
    res->points = calloc((size_t)(2 * n_caps * n_tp) + 1, sizeof *res->points);
    if (!res->points)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate the cluster study");
    /* Activation bytes per all-reduce: tokens of the step x hidden x operand bytes; two
     * all-reduces per layer in the forward pass (attention output, FFN output: Megatron). */
    double elem_bytes = sip_precision_bits(sys->workload.precision) / 8.0;
    const sip_system_level_t *l1 = sys->n_levels > 1 ? &sys->levels[1] : NULL;
    for (int phase = 0; phase < 2; phase++) {
        bool decode = phase == 1;
        share_t shares[32];
        for (int k = 0; k < n_tp; k++)
            SIP_TRY(share_eval(sys, &res->shape, tps[k], max_pp, decode, &shares[k], err));
        for (int c = 0; c < n_caps; c++) {
            sip_cluster_cap_t *cap = &res->caps[res->n_caps++];
            cap->decode = decode;
            cap->cap_GBps = caps[c];
            cap->first = res->n_points;
            cap->useful_tp = 0;
            double prev_latency = INFINITY;
            for (int k = 0; k < n_tp; k++) {
                const share_t *sh = &shares[k];
                sip_cluster_point_t *pt = &res->points[res->n_points++];
                cap->n++;
                pt->decode = decode;
                pt->tp = tps[k];
                pt->pp = sh->pp;
                pt->packages = tps[k] * sh->pp;
                pt->cap_GBps = caps[c];
                pt->fits = sh->fits;
                if (!sh->fits)
                    continue;
                double bytes = sh->tokens * res->shape.hidden * elem_bytes;
                int layers = (res->shape.layers + sh->pp - 1) / sh->pp;
                double comm = 2.0 * layers * allreduce_s(bytes, pt->tp, caps[c], l0);
                /* Pipeline: one activation hand-off per stage boundary, over the next level. */
                if (sh->pp > 1 && l1)
                    comm += bytes / (sip_system_link_GBps(&l1->link) * 1e9) +
                            (l1->link.topology == SIP_TOPO_SWITCH ? 2.0 : 1.0) * l1->link.latency_ns * 1e-9;
                pt->compute_s = sh->compute_s;
                pt->comm_s = comm;
                pt->step_s = sh->compute_s + comm;
                pt->latency_s = sh->pp * pt->step_s;
                pt->tokens_per_s = sh->tokens / pt->step_s;
                pt->compute_share = sh->compute_s / pt->step_s;
                /* Useful: at least 10 % faster per step than every smaller TP degree. */
                if (pt->latency_s <= prev_latency / 1.1) {
                    cap->useful_tp = pt->tp;
                    cap->best_latency_s = pt->latency_s;
                }
                if (pt->latency_s < prev_latency)
                    prev_latency = pt->latency_s;
            }
            if (decode && c == 0 && n_tp > 0 && shares[0].fits && shares[0].pp == 1)
                res->package_tokens_per_s = res->points[cap->first].tokens_per_s;
        }
    }
    return SIP_OK;
}

sip_status_t sip_system_evaluate(const sip_system_t *sys, sip_system_result_t **out, sip_error_t *err)
{
    *out = NULL;
    if (!sys->package || sys->n_levels < 1)
        return sip_error_set(err, SIP_EINVAL, sys->path, 0,
                             "system has no package or no level (expected a loaded system)");
    sip_system_result_t *res = calloc(1, sizeof *res);
    if (!res)
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "cannot allocate system result");
    sip_status_t st = classify(sys, res, err);
    if (st == SIP_OK && sys->workload.present)
        st = study(sys, res, err);
    if (st != SIP_OK) {
        sip_system_result_destroy(res);
        return st;
    }
    *out = res;
    return SIP_OK;
}
