/* A transformer decoder's inference step mapped onto a package: tensor parallel inside a
 * pipeline stage, pipeline stages over the layers, weights and KV cache in each compute die's
 * attached HBM, die-to-die traffic evaluated by the traffic engine, power from die activity.
 *
 * Model of one step (the choices are stated where they are made):
 *   - every kernel of a layer on each rank is a roofline (kernel.c); kernels run one after the
 *     other, so a rank's time is the sum; ranks of a stage run in parallel (slowest counts);
 *     stages run one after the other for a step (no micro-batch interleaving);
 *   - tensor parallel (Megatron-style): Q/K/V and gate/up split by columns, O and down by
 *     rows, so each layer ends its attention and its FFN with an all-reduce of the activations
 *     (ring: each rank sends 2 (tp-1)/tp of them to its successor);
 *   - pipeline parallel: after a stage, each rank sends its 1/tp share of the activations to the
 *     same rank of the next stage;
 *   - D2D transfers do not overlap compute (they are on the critical path of every layer);
 *   - host I/O: token ids in (4 bytes: vocabularies above 65536) and sampled ids out.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/kernels.h"

/* int32 token ids: Llama 3's vocabulary (128256) does not fit 16 bits. */
#define TOKEN_ID_BYTES 4.0

static const char *const limit_names[] = {"compute", "sram", "hbm", "d2d", "io"};

const char *sip_limit_name(sip_limit_t l)
{
    return (unsigned)l < SIP_LIMIT_COUNT ? limit_names[l] : "?";
}

void sip_workload_options_init(sip_workload_options_t *o)
{
    memset(o, 0, sizeof *o);
    sip_tile_params_init(&o->tile);
    /* Workloads judge a package on real inference, where accelerators double-buffer weights
     * (sip_tile_params_t); the SCALE-Sim schedule reloads each tile with nothing overlapped,
     * which makes small-batch decode look compute-bound at a few % MAC utilisation. */
    o->tile.weight_prefetch = true;
    o->routing = SIP_ROUTING_MINIMAL;
}

void sip_workload_result_destroy(sip_workload_result_t *r)
{
    if (!r)
        return;
    free(r->compute_instances);
    free(r->busy_s);
    free(r->power_w);
    free(r->demands);
    free(r);
}

typedef struct {
    const sip_package_t *pkg;
    const sip_workload_t *wl;
    const sip_model_shape_t *shape;
    const sip_workload_options_t *opts;
    int tp, pp;
    const int *ranks;         /* compute instance per stage x tp + rank */
    sip_tile_t *tiles;        /* per rank slot */
    int *stage_layers;
    int io_instance;          /* host interface die or -1 */
    double io_GBps;           /* per direction */
    sip_network_t *net;
    sip_routes_t *routes;
} ctx_t;

/* The kernels of one rank for one step part (a layer, or the model's ends). */
typedef struct {
    sip_kernel_result_t sum;
    double by_bound_s[SIP_BOUND_COUNT];
} part_t;

static void part_add(part_t *p, const sip_kernel_result_t *k, const sip_tile_t *t)
{
    if (p->sum.time_s == 0.0 && p->sum.macs == 0.0 && p->sum.hbm_bytes == 0.0)
        p->sum = *k;
    else
        sip_kernel_result_add(&p->sum, k, t);
    p->by_bound_s[k->bound] += k->time_s;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* One decoder layer on one rank.  tokens = rows of the activation matrix this step;
 * q_tokens/kv_tokens per sequence. */
static sip_status_t layer_kernels(const ctx_t *c, const sip_tile_t *t, bool prefill, part_t *p,
                                  sip_error_t *err)
{
    const sip_model_shape_t *s = c->shape;
    const int64_t batch = c->wl->batch, ctx_len = c->wl->context_tokens;
    const int64_t tokens = prefill ? batch * ctx_len : batch;
    const int64_t hq = ceil_div(s->heads, c->tp), hkv = ceil_div(s->kv_heads, c->tp);
    const int64_t ffn = ceil_div(s->ffn, c->tp), hd = s->head_dim, h = s->hidden;
    /* Activations stay in SRAM when the largest one (input + output of the FFN's widest
     * GEMM) fits; otherwise they spill to HBM with the weights. */
    const double widest = (double)tokens * (double)(h > ffn ? h : ffn) * t->bytes_per_elem;
    const bool spill = 2.0 * widest > t->sram_bytes;
    const sip_gemm_operands_t w = {.a_in_hbm = spill, .b_in_hbm = true, .c_in_hbm = spill,
                                   .b_shared = true};
    sip_kernel_result_t k;
    SIP_TRY(sip_kernel_norm(t, SIP_NORM_RMS, tokens, h, spill, &k, err));
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_gemm(t, 1, tokens, (hq + 2 * hkv) * hd, h, &w, &k, err)); /* Q, K, V */
    part_add(p, &k, t);
    const sip_attention_t att = {
        .batch = batch, .q_heads = hq, .kv_heads = hkv, .head_dim = hd,
        .q_tokens = prefill ? ctx_len : 1,
        /* Decode attends to the cached context and its own new token. */
        .kv_tokens = prefill ? ctx_len : ctx_len + 1,
        .kv_in_hbm = !prefill, .kv_write_hbm = true};
    SIP_TRY(sip_kernel_attention(t, &att, &k, err));
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_gemm(t, 1, tokens, h, hq * hd, &w, &k, err)); /* O */
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_elementwise(t, tokens * h, 1.0, 2, spill, &k, err)); /* residual */
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_norm(t, SIP_NORM_RMS, tokens, h, spill, &k, err));
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_gemm(t, 1, tokens, (s->gated_ffn ? 2 : 1) * ffn, h, &w, &k, err));
    part_add(p, &k, t);
    /* Activation function as one op (special-function unit), times the gate: one more. */
    SIP_TRY(sip_kernel_elementwise(t, tokens * ffn, s->gated_ffn ? 2.0 : 1.0,
                                   s->gated_ffn ? 2 : 1, spill, &k, err));
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_gemm(t, 1, tokens, h, ffn, &w, &k, err)); /* down */
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_elementwise(t, tokens * h, 1.0, 2, spill, &k, err)); /* residual */
    part_add(p, &k, t);
    return SIP_OK;
}

/* Embedding lookup (first stage) and final norm + LM head (last stage): only each sequence's
 * last token needs logits, in prefill as in decode.  Sampling from the vocabulary shards
 * (an arg-max over tp partial results) is not modelled. */
static sip_status_t ends_kernels(const ctx_t *c, const sip_tile_t *t, bool first, bool last,
                                 bool prefill, part_t *p, sip_error_t *err)
{
    const sip_model_shape_t *s = c->shape;
    const int64_t batch = c->wl->batch;
    const int64_t tokens = prefill ? batch * c->wl->context_tokens : batch;
    sip_kernel_result_t k;
    if (first) {
        SIP_TRY(sip_kernel_elementwise(t, tokens * s->hidden, 1.0, 1, true, &k, err));
        part_add(p, &k, t);
    }
    if (last) {
        SIP_TRY(sip_kernel_norm(t, SIP_NORM_RMS, batch, s->hidden, false, &k, err));
        part_add(p, &k, t);
        SIP_TRY(sip_kernel_gemv(t, batch, ceil_div(s->vocab, c->tp), s->hidden, true, &k, err));
        part_add(p, &k, t);
    }
    return SIP_OK;
}

typedef struct {
    double *rank_time_s;      /* per rank slot: busy time of the step */
    double *rank_compute_s;
    double *rank_hbm_bytes;
    double *rank_macs;
    int cap_demands, n_demands;
    sip_demand_t *demands;    /* GB per step */
} step_work_t;

static sip_status_t push_demand(step_work_t *w, int from, int to, double GB, sip_error_t *err)
{
    if (from == to || !(GB > 0.0))
        return SIP_OK;
    for (int i = 0; i < w->n_demands; i++)
        if (w->demands[i].from_instance == from && w->demands[i].to_instance == to) {
            w->demands[i].GBps += GB;
            return SIP_OK;
        }
    if (w->n_demands == w->cap_demands) {
        int cap = w->cap_demands ? 2 * w->cap_demands : 16;
        sip_demand_t *d = realloc(w->demands, (size_t)cap * sizeof *d);
        if (!d)
            return sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (demand list)");
        w->demands = d;
        w->cap_demands = cap;
    }
    w->demands[w->n_demands++] = (sip_demand_t){.from_instance = from, .to_instance = to,
                                                .GBps = GB};
    return SIP_OK;
}

/* Evaluate one step; fills st and the work arrays (per rank slot) and the demand in GB per
 * step.  *traffic receives the traffic engine's result at one step per second (caller frees). */
static sip_status_t eval_step(const ctx_t *c, bool prefill, sip_step_t *st, step_work_t *w,
                              sip_traffic_result_t **traffic, sip_error_t *err)
{
    const sip_model_shape_t *s = c->shape;
    const int tp = c->tp, pp = c->pp;
    const double batch = c->wl->batch;
    const double tokens = prefill ? batch * c->wl->context_tokens : batch;
    memset(st, 0, sizeof *st);
    st->tokens = tokens;
    w->n_demands = 0;
    double compute_time = 0.0;
    for (int stg = 0; stg < pp; stg++) {
        double stage_s = 0.0, stage_by[SIP_BOUND_COUNT] = {0};
        for (int r = 0; r < tp; r++) {
            const int slot = stg * tp + r;
            const sip_tile_t *t = &c->tiles[slot];
            part_t layer = {0}, ends = {0};
            SIP_TRY(layer_kernels(c, t, prefill, &layer, err));
            SIP_TRY(ends_kernels(c, t, stg == 0, stg == pp - 1, prefill, &ends, err));
            const double L = c->stage_layers[stg];
            const double time_s = L * layer.sum.time_s + ends.sum.time_s;
            w->rank_time_s[slot] = time_s;
            w->rank_compute_s[slot] = L * layer.sum.compute_s + ends.sum.compute_s;
            w->rank_hbm_bytes[slot] = L * layer.sum.hbm_bytes + ends.sum.hbm_bytes;
            w->rank_macs[slot] = L * layer.sum.macs + ends.sum.macs;
            st->macs += w->rank_macs[slot];
            st->hbm_bytes += w->rank_hbm_bytes[slot];
            if (time_s > stage_s) {
                stage_s = time_s;
                for (int b = 0; b < SIP_BOUND_COUNT; b++)
                    stage_by[b] = L * layer.by_bound_s[b] + ends.by_bound_s[b];
            }
        }
        compute_time += stage_s;
        st->time_by_limit_s[SIP_LIMIT_COMPUTE] += stage_by[SIP_BOUND_COMPUTE];
        st->time_by_limit_s[SIP_LIMIT_SRAM] += stage_by[SIP_BOUND_SRAM];
        st->time_by_limit_s[SIP_LIMIT_HBM] += stage_by[SIP_BOUND_HBM];
    }
    /* Die-to-die demand of the step, GB per step. */
    const double act_GB = tokens * s->hidden * c->tiles[0].bytes_per_elem / 1e9;
    int n_allreduce_steps = 0;
    for (int stg = 0; stg < pp; stg++) {
        if (tp > 1) {
            const double ring_GB = 2.0 * (tp - 1) / tp * act_GB * 2.0 * c->stage_layers[stg];
            for (int r = 0; r < tp; r++)
                SIP_TRY(push_demand(w, c->ranks[stg * tp + r], c->ranks[stg * tp + (r + 1) % tp],
                                    ring_GB, err));
            n_allreduce_steps += 2 * c->stage_layers[stg] * 2 * (tp - 1);
        }
        if (stg + 1 < pp)
            for (int r = 0; r < tp; r++)
                SIP_TRY(push_demand(w, c->ranks[stg * tp + r], c->ranks[(stg + 1) * tp + r],
                                    act_GB / tp, err));
    }
    const double io_in_GB = tokens * TOKEN_ID_BYTES / 1e9, io_out_GB = batch * TOKEN_ID_BYTES / 1e9;
    st->io_bytes = (io_in_GB + io_out_GB) * 1e9;
    if (c->io_instance >= 0) {
        SIP_TRY(push_demand(w, c->io_instance, c->ranks[0], io_in_GB, err));
        SIP_TRY(push_demand(w, c->ranks[(pp - 1) * tp], c->io_instance, io_out_GB, err));
        const double io_max = io_in_GB > io_out_GB ? io_in_GB : io_out_GB;
        st->time_by_limit_s[SIP_LIMIT_IO] = c->io_GBps > 0.0 ? io_max / c->io_GBps : 0.0;
    }
    double d2d_s = 0.0;
    *traffic = NULL;
    if (w->n_demands > 0) {
        for (int i = 0; i < w->n_demands; i++)
            st->d2d_bytes += w->demands[i].GBps * 1e9;
        sip_pattern_params_t pp_params;
        sip_pattern_params_init(&pp_params);
        pp_params.load = 1.0;
        pp_params.load_in_GBps = true;
        pp_params.n_demands = w->n_demands;
        pp_params.demands = w->demands;
        sip_demand_matrix_t *dm = NULL;
        SIP_TRY(sip_demand_build(c->net, "explicit", &pp_params, &dm, err));
        sip_status_t stt = sip_traffic_evaluate(c->net, c->routes, dm, NULL, traffic, err);
        sip_demand_destroy(dm);
        if (stt != SIP_OK)
            return stt;
        /* Demand in GB per step over 1 s: a port's utilisation is the seconds it needs per
         * step.  Plus the head latency of every sequential ring transfer. */
        double lat_ns = 0.0;
        for (int f = 0; f < (*traffic)->n_flows; f++)
            if ((*traffic)->flow_zero_load_ns[f] > lat_ns)
                lat_ns = (*traffic)->flow_zero_load_ns[f];
        d2d_s = (*traffic)->max_util + (n_allreduce_steps + (pp - 1)) * lat_ns * 1e-9;
    }
    st->time_by_limit_s[SIP_LIMIT_D2D] = d2d_s;
    st->time_s = compute_time + d2d_s + st->time_by_limit_s[SIP_LIMIT_IO];
    st->limit = SIP_LIMIT_COMPUTE;
    for (int l = 1; l < SIP_LIMIT_COUNT; l++)
        if (st->time_by_limit_s[l] > st->time_by_limit_s[st->limit])
            st->limit = (sip_limit_t)l;
    double peak = 0.0;
    for (int i = 0; i < tp * pp; i++)
        peak += sip_tile_peak_macs_per_s(&c->tiles[i]);
    st->mac_utilization = st->time_s > 0.0 ? st->macs / (st->time_s * peak) : 0.0;
    return SIP_OK;
}

static double clamp01(double x)
{
    return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
}

/* Per-instance activity, busy time and power for a step; returns the step's energy. */
static double fill_power(const ctx_t *c, const sip_step_t *st, const step_work_t *w,
                         const sip_traffic_result_t *tr, double *busy_s, double *power_w)
{
    const sip_package_t *pkg = c->pkg;
    const double T = st->time_s;
    double energy = 0.0;
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *type = sip_instance_type(pkg, i);
        double activity = 0.0, busy = 0.0;
        int slot = -1;
        for (int k = 0; k < c->tp * c->pp; k++)
            if (c->ranks[k] == i)
                slot = k;
        const int host = pkg->instances[i].attached_to;
        if (slot >= 0) {
            busy = w->rank_time_s[slot];
            activity = T > 0.0 ? w->rank_compute_s[slot] / T : 0.0;
        } else if (host >= 0) {
            /* A memory stack: its share of its host's HBM traffic over its bandwidth. */
            int hslot = -1;
            for (int k = 0; k < c->tp * c->pp; k++)
                if (c->ranks[k] == host)
                    hslot = k;
            double own = 0.0;
            for (int m = 0; m < type->n_memories; m++)
                own += type->memories[m].bandwidth_GBps;
            if (hslot >= 0 && own > 0.0 && c->tiles[hslot].hbm_GBps > 0.0) {
                const double bytes = w->rank_hbm_bytes[hslot] * own / c->tiles[hslot].hbm_GBps;
                busy = bytes / (own * 1e9);
                activity = T > 0.0 ? busy / T : 0.0;
            }
        } else if (tr && c->net->instance_node[i] >= 0) {
            /* Other dies (I/O, switches): their busiest UCIe channel at the step rate. */
            const int node = c->net->instance_node[i];
            double u = 0.0;
            for (int ch = 0; ch < c->net->n_channels; ch++)
                if ((c->net->channels[ch].from == node || c->net->channels[ch].to == node) &&
                    tr->channel_util[ch] > u)
                    u = tr->channel_util[ch];
            busy = u; /* seconds per step (demand in GB per step) */
            activity = T > 0.0 ? u / T : 0.0;
        }
        activity = clamp01(activity);
        const double full = sip_instance_power_w(pkg, i), idle = type->idle_w;
        const double p = idle + (full > idle ? full - idle : 0.0) * activity;
        if (busy_s)
            busy_s[i] = busy;
        if (power_w)
            power_w[i] = p;
        energy += p * T;
    }
    return energy;
}

static sip_status_t resolve(const sip_package_t *pkg, const sip_workload_t *wl,
                            const sip_model_shape_t *s, int n_compute, int *tp, int *pp,
                            sip_error_t *err)
{
    const char *path = pkg->path;
    if (wl->batch < 1)
        return sip_error_set(err, SIP_EINVAL, path, wl->line, "workload batch %d (expected >= 1)",
                             wl->batch);
    if (strcmp(wl->phase, "prefill") != 0 && strcmp(wl->phase, "decode") != 0)
        return sip_error_set(err, SIP_EINVAL, path, wl->line,
                             "workload phase '%s' (expected prefill or decode)", wl->phase);
    if (strcmp(wl->phase, "prefill") == 0 && wl->context_tokens < 1)
        return sip_error_set(err, SIP_EINVAL, path, wl->line,
                             "prefill with context_tokens = %d (expected >= 1)",
                             wl->context_tokens);
    if (wl->context_tokens < 0 || wl->output_tokens < 0)
        return sip_error_set(err, SIP_EINVAL, path, wl->line, "negative token count");
    if (s->layers < 1 || s->hidden < 1 || s->heads < 1 || s->kv_heads < 1 || s->head_dim < 1 ||
        s->ffn < 1 || s->vocab < 1 || s->heads % s->kv_heads != 0)
        return sip_error_set(err, SIP_EINVAL, path, wl->line,
                             "model shape '%s' (expected positive sizes and heads a multiple of "
                             "kv_heads)", s->name);
    if (n_compute < 1)
        return sip_error_set(err, SIP_EINVAL, path, wl->line,
                             "no compute chiplet runs %s (expected a compute die whose systolic "
                             "engine lists that precision)", sip_precision_name(wl->precision));
    int t = wl->tensor_parallel, p = wl->pipeline_parallel;
    if (t < 0 || p < 0)
        return sip_error_set(err, SIP_EINVAL, path, wl->line, "negative parallel degree");
    if (t == 0 && p == 0)
        p = 1;
    if (t == 0)
        t = n_compute / p;
    if (p == 0)
        p = n_compute / t;
    if (t < 1 || p < 1 || t * p > n_compute)
        return sip_error_set(err, SIP_EINVAL, path, wl->line,
                             "tensor_parallel %d x pipeline_parallel %d on %d compute chiplets "
                             "(expected a product of at most %d)",
                             wl->tensor_parallel, wl->pipeline_parallel, n_compute, n_compute);
    if (p > s->layers)
        return sip_error_set(err, SIP_EINVAL, path, wl->line,
                             "pipeline_parallel %d > %d layers", p, s->layers);
    *tp = t;
    *pp = p;
    return SIP_OK;
}

sip_status_t sip_workload_evaluate(const sip_package_t *pkg, const sip_workload_t *wl,
                                   const sip_model_shape_t *shape,
                                   const sip_workload_options_t *opts,
                                   sip_workload_result_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_workload_options_t dflt;
    if (!opts) {
        sip_workload_options_init(&dflt);
        opts = &dflt;
    }
    if (!wl) {
        if (!pkg->workload.present)
            return sip_error_set(err, SIP_EINVAL, pkg->path, 0,
                                 "package '%s' has no workload section (expected workload = { "
                                 "model = ...; phase = ...; ... })", pkg->name);
        wl = &pkg->workload;
    }
    sip_model_shape_t found;
    if (!shape) {
        sip_status_t fst = sip_model_shape_find(wl->model, pkg->path, wl->line, &found, err);
        if (fst != SIP_OK)
            return fst;
        shape = &found;
    }
    sip_status_t st = SIP_OK;
    ctx_t c = {.pkg = pkg, .wl = wl, .shape = shape, .opts = opts, .io_instance = -1};
    sip_workload_result_t *res = calloc(1, sizeof *res);
    int *compute = calloc((size_t)pkg->n_instances + 1, sizeof *compute);
    sip_tile_t *all_tiles = calloc((size_t)pkg->n_instances + 1, sizeof *all_tiles);
    step_work_t w = {0};
    double *work = calloc(4 * ((size_t)pkg->n_instances + 1), sizeof *work);
    sip_traffic_result_t *tr_pre = NULL, *tr_dec = NULL;
    if (!res || !compute || !all_tiles || !work) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (workload)");
        goto out;
    }
    w.rank_time_s = work;
    w.rank_compute_s = work + pkg->n_instances + 1;
    w.rank_hbm_bytes = work + 2 * (pkg->n_instances + 1);
    w.rank_macs = work + 3 * (pkg->n_instances + 1);
    /* Compute chiplets in instance order, then in ring order (below). */
    int n_compute = 0;
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *type = sip_instance_type(pkg, i);
        if (pkg->instances[i].attached_to >= 0)
            continue;
        if (type->kind == SIP_KIND_COMPUTE &&
            sip_tile_from_instance(pkg, i, wl->precision, &opts->tile, &all_tiles[n_compute],
                                   NULL) == SIP_OK)
            compute[n_compute++] = i;
        else if (c.io_instance < 0 && type->kind == SIP_KIND_IO && type->n_ios > 0) {
            c.io_instance = i;
            for (int k = 0; k < type->n_ios; k++)
                c.io_GBps += type->ios[k].bandwidth_GBps;
        }
    }
    /* Ring order (the README's promise): snake order when the compute dies sit on a grid, so
     * every ring and pipeline step is one hop (sip_package_ring_order); the tiles follow. */
    if (n_compute > 2) {
        int *before = malloc((size_t)n_compute * sizeof *before);
        sip_tile_t *tiles = malloc((size_t)n_compute * sizeof *tiles);
        if (!before || !tiles) {
            free(before);
            free(tiles);
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (workload)");
            goto out;
        }
        memcpy(before, compute, (size_t)n_compute * sizeof *before);
        memcpy(tiles, all_tiles, (size_t)n_compute * sizeof *tiles);
        if (sip_package_ring_order(pkg, compute, n_compute))
            for (int k = 0; k < n_compute; k++)
                for (int j = 0; j < n_compute; j++)
                    if (before[j] == compute[k])
                        all_tiles[k] = tiles[j];
        free(before);
        free(tiles);
    }
    if ((st = resolve(pkg, wl, shape, n_compute, &c.tp, &c.pp, err)) != SIP_OK)
        goto out;
    c.ranks = compute;
    c.tiles = all_tiles;
    int stage_layers[4096];
    for (int s = 0; s < c.pp; s++)
        stage_layers[s] = shape->layers / c.pp + (s < shape->layers % c.pp);
    c.stage_layers = stage_layers;
    for (int k = 0; k < c.tp * c.pp; k++)
        if (!(all_tiles[k].hbm_GBps > 0.0)) {
            st = sip_error_set(err, SIP_EINVAL, pkg->path, pkg->instances[compute[k]].line,
                               "compute chiplet '%s' has no attached memory for weights and KV "
                               "cache (expected an HBM instance with attach = \"%s\")",
                               pkg->instances[compute[k]].name, pkg->instances[compute[k]].name);
            goto out;
        }
    if ((st = sip_network_from_package(pkg, NULL, &c.net, err)) != SIP_OK ||
        (st = sip_routes_compute(c.net, opts->routing, NULL, &c.routes, err)) != SIP_OK)
        goto out;

    const bool want_prefill = strcmp(wl->phase, "prefill") == 0;
    if (wl->context_tokens > 0 &&
        (st = eval_step(&c, true, &res->prefill, &w, &tr_pre, err)) != SIP_OK)
        goto out;
    if (wl->context_tokens > 0)
        res->prefill.energy_j = fill_power(&c, &res->prefill, &w, tr_pre, NULL, NULL);
    /* Decode last unless the phase is prefill, so w holds the phase's work afterwards. */
    if (want_prefill) {
        step_work_t wd = w;
        wd.demands = NULL;
        wd.cap_demands = wd.n_demands = 0;
        double *work2 = calloc(4 * ((size_t)pkg->n_instances + 1), sizeof *work2);
        if (!work2) {
            st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (workload)");
            goto out;
        }
        wd.rank_time_s = work2;
        wd.rank_compute_s = work2 + pkg->n_instances + 1;
        wd.rank_hbm_bytes = work2 + 2 * (pkg->n_instances + 1);
        wd.rank_macs = work2 + 3 * (pkg->n_instances + 1);
        st = eval_step(&c, false, &res->decode, &wd, &tr_dec, err);
        if (st == SIP_OK)
            res->decode.energy_j = fill_power(&c, &res->decode, &wd, tr_dec, NULL, NULL);
        free(work2);
        free(wd.demands);
        if (st != SIP_OK)
            goto out;
    } else {
        if ((st = eval_step(&c, false, &res->decode, &w, &tr_dec, err)) != SIP_OK)
            goto out;
    }
    const sip_step_t *ph = want_prefill ? &res->prefill : &res->decode;
    const sip_traffic_result_t *tr = want_prefill ? tr_pre : tr_dec;

    res->shape = *shape;
    res->workload = *wl;
    res->workload.tensor_parallel = c.tp;
    res->workload.pipeline_parallel = c.pp;
    res->precision = wl->precision;
    res->n_compute = c.tp * c.pp;
    res->compute_instances = compute;
    compute = NULL;
    res->step = ph;
    res->n_instances = pkg->n_instances;
    res->busy_s = calloc((size_t)pkg->n_instances + 1, sizeof *res->busy_s);
    res->power_w = calloc((size_t)pkg->n_instances + 1, sizeof *res->power_w);
    if (!res->busy_s || !res->power_w) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (workload)");
        goto out;
    }
    const double energy = fill_power(&c, ph, &w, tr, res->busy_s, res->power_w);
    if (want_prefill)
        res->prefill.energy_j = energy;
    else
        res->decode.energy_j = energy;
    res->tokens_per_s = ph->time_s > 0.0 ? ph->tokens / ph->time_s : 0.0;
    res->tpot_s = res->decode.time_s;
    res->ttft_s = res->prefill.time_s + res->decode.time_s;
    res->j_per_token = ph->tokens > 0.0 ? energy / ph->tokens : 0.0;
    res->hbm_bytes_per_token = ph->tokens > 0.0 ? ph->hbm_bytes / ph->tokens : 0.0;
    res->macs_per_token = ph->tokens > 0.0 ? ph->macs / ph->tokens : 0.0;
    for (int k = 0; k < res->n_compute; k++) {
        res->peak_macs_per_s += sip_tile_peak_macs_per_s(&all_tiles[k]);
        res->hbm_GBps += all_tiles[k].hbm_GBps;
    }
    /* Footprint per chiplet: the largest over ranks (stages differ by their ends). */
    const sip_model_shape_t *s = shape;
    const double e = all_tiles[0].bytes_per_elem;
    const double hq = (double)ceil_div(s->heads, c.tp), hkv = (double)ceil_div(s->kv_heads, c.tp);
    const double layer_w = (double)s->hidden * (hq + 2.0 * hkv) * s->head_dim +
                           hq * s->head_dim * s->hidden +
                           (s->gated_ffn ? 3.0 : 2.0) * s->hidden * (double)ceil_div(s->ffn, c.tp) +
                           2.0 * s->hidden;
    const double vocab_shard = (double)ceil_div(s->vocab, c.tp) * s->hidden;
    for (int stg = 0; stg < c.pp; stg++) {
        double wb = (stage_layers[stg] * layer_w + (stg == 0 ? vocab_shard : 0.0) +
                     (stg == c.pp - 1 ? vocab_shard + s->hidden : 0.0)) * e;
        double kv = (double)wl->batch * ((double)wl->context_tokens + wl->output_tokens) *
                    stage_layers[stg] * 2.0 * hkv * s->head_dim * e;
        if (wb > res->weight_bytes_per_chiplet)
            res->weight_bytes_per_chiplet = wb;
        if (kv > res->kv_bytes_per_chiplet)
            res->kv_bytes_per_chiplet = kv;
    }
    res->hbm_capacity_bytes_per_chiplet = INFINITY;
    for (int k = 0; k < res->n_compute; k++)
        if (all_tiles[k].hbm_bytes < res->hbm_capacity_bytes_per_chiplet)
            res->hbm_capacity_bytes_per_chiplet = all_tiles[k].hbm_bytes;
    res->fits = res->weight_bytes_per_chiplet + res->kv_bytes_per_chiplet <=
                res->hbm_capacity_bytes_per_chiplet;
    /* Demand at the step rate (GB/s). */
    res->n_demands = w.n_demands;
    res->demands = w.demands;
    w.demands = NULL;
    for (int i = 0; i < res->n_demands; i++)
        res->demands[i].GBps = ph->time_s > 0.0 ? res->demands[i].GBps / ph->time_s : 0.0;
    res->d2d_max_util = tr && ph->time_s > 0.0 ? tr->max_util / ph->time_s : 0.0;
    res->d2d_energy_pj_per_byte = tr ? tr->energy_pj_per_byte : 0.0;
    /* Bottom-up energy from the parameters (NAN when unknown). */
    {
        double sram_bytes = 0.0;
        double pj_mac = all_tiles[0].pj_per_mac;
        /* SRAM bytes are not kept per rank: recompute one layer's worth per rank. */
        for (int stg = 0; stg < c.pp; stg++)
            for (int r = 0; r < c.tp; r++) {
                part_t layer = {0}, ends = {0};
                if ((st = layer_kernels(&c, &all_tiles[stg * c.tp + r], want_prefill, &layer,
                                        err)) != SIP_OK ||
                    (st = ends_kernels(&c, &all_tiles[stg * c.tp + r], stg == 0,
                                       stg == c.pp - 1, want_prefill, &ends, err)) != SIP_OK)
                    goto out;
                sram_bytes += stage_layers[stg] * layer.sum.sram_bytes + ends.sum.sram_bytes;
            }
        const double tok = ph->tokens > 0.0 ? ph->tokens : 1.0;
        res->energy_mac_pj_per_token = ph->macs * pj_mac / tok;
        res->energy_sram_pj_per_token = sram_bytes * opts->tile.sram_pj_per_byte / tok;
        res->energy_hbm_pj_per_token = ph->hbm_bytes * 8.0 * opts->tile.hbm_pj_per_bit / tok;
    }
    *out = res;
    res = NULL;
out:
    sip_workload_result_destroy(res);
    free(compute);
    free(all_tiles);
    free(work);
    free(w.demands);
    sip_traffic_result_destroy(tr_pre);
    sip_traffic_result_destroy(tr_dec);
    sip_routes_destroy(c.routes);
    sip_network_destroy(c.net);
    return st;
}

sip_status_t sip_workload_apply_power(const sip_package_t *pkg, const sip_workload_result_t *res,
                                      sip_package_t **out, sip_error_t *err)
{
    *out = NULL;
    if (res->n_instances != pkg->n_instances)
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0,
                             "workload result has %d instances, package %d (expected the "
                             "package it was evaluated on)", res->n_instances, pkg->n_instances);
    sip_package_t *copy = NULL;
    SIP_TRY(sip_package_clone(pkg, &copy, err));
    for (int i = 0; i < copy->n_instances; i++)
        copy->instances[i].power_w = res->power_w[i];
    *out = copy;
    return SIP_OK;
}

sip_status_t sip_workload_demand(const sip_network_t *net, const sip_workload_result_t *res,
                                 sip_demand_matrix_t **out, sip_error_t *err)
{
    *out = NULL;
    if (res->n_demands < 1)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "the workload has no die-to-die demand (one compute chiplet and "
                             "no I/O die)");
    sip_pattern_params_t p;
    sip_pattern_params_init(&p);
    p.load = 1.0;
    p.load_in_GBps = true;
    p.n_demands = res->n_demands;
    p.demands = res->demands;
    return sip_demand_build(net, "explicit", &p, out, err);
}
