/* A transformer decoder's inference step mapped onto a package: tensor parallel inside a
 * pipeline stage, pipeline stages over the layers, weights and KV cache in each compute die's
 * attached HBM, die-to-die traffic evaluated by the traffic engine, power from die activity.
 *
 * Model of one step (the choices are stated where they are made):
 *   - every kernel of a layer on each rank is a roofline (kernel.c); kernels run one after the
 *     other, so a rank's time is the sum; ranks of a stage run in parallel (slowest counts);
 *   - pipeline parallel with micro-batches (GPipe, Huang et al. 2019): the batch splits into m
 *     micro-batches.  Prefill: sum of the stage times + (m - 1) x the slowest stage.  Decode
 *     (every micro-batch generates one token per step): max(sum of the stages, m x the
 *     slowest), the stages working on different micro-batches at once;
 *   - tensor parallel (Megatron-style): Q/K/V and gate/up split by columns, O and down by
 *     rows, so each layer ends its attention and its FFN with an all-reduce of the activations
 *     (ring: each rank sends 2 (tp-1)/tp of them to its successor);
 *   - pipeline parallel: after a stage, each rank sends its 1/tp share of the activations to the
 *     same rank of the next stage;
 *   - D2D transfers do not overlap compute (they are on the critical path of every layer);
 *   - host I/O: token ids in (4 bytes: vocabularies above 65536) and sampled ids out;
 *   - a package of one die has no die-to-die traffic (no network is built);
 *   - a compute die without attached memory (MI300X: HBM on the I/O dies) uses the memory of
 *     the dies it links to directly, shared equally by the compute dies doing so, at most at
 *     the links' payload bandwidth (an NPS-partitioned view; the product can interleave all
 *     stacks, which this does not model); that traffic is offered to the UCIe links too.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/kernels.h"

/* int32 token ids: Llama 3's vocabulary (128256) does not fit 16 bits. */
#define TOKEN_ID_BYTES 4.0

static const char *const limit_names[] = {"macs", "sram", "hbm", "d2d", "io", "weight-feed"};

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
    o->micro_batches = 0;
    o->weight_precision = SIP_PREC_COUNT;
    o->kv_precision = SIP_PREC_COUNT;
    o->spec_tokens = 0;
    o->spec_acceptance = 0.0;
    o->draft = NULL;
    /* Achievable fractions of the peaks, calibrated once on published measurements
     * (tests/data/measured/llm_inference.csv: TensorRT-LLM Llama 2 7B on H100 SXM FP8 and
     * A100 SXM FP16, 7 static-batch throughputs and 2 batch-1 TTFTs): the pair on a 0.05 grid
     * that minimises the mean |error| over all 9 points, one value for every tensor engine and
     * every HBM (README "Workload model against published measurements").  HBM 0.8 of peak is
     * what a decode kernel streams (KV cache and weights); MAC 0.6 is the GEMM / attention
     * rate prefill reaches.  The vector path has no measurement to calibrate on: 1. */
    o->tile.mac_efficiency = 0.6;
    o->tile.hbm_efficiency = 0.8;
    o->tile.vector_efficiency = 1.0;
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
    const int *mem_host;      /* per rank slot: instance whose memory it reaches over D2D, -1 */
    int *stage_layers;
    int micro_batches;        /* m */
    int64_t decode_q;         /* positions a decode step runs per sequence (1; k + 1 when
                                 verifying k speculative drafts) */
    int *stage_moe_layers;    /* of stage_layers, those with an MoE FFN */
    int64_t mb_batch;         /* sequences per micro-batch: ceil(batch / m) */
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

/* Bytes per element of the stored weights and KV cache (opts; default the compute's). */
static double storage_bytes(sip_precision_t p, const sip_tile_t *t)
{
    return (unsigned)p < SIP_PREC_COUNT ? sip_precision_bits(p) / 8.0 : t->bytes_per_elem;
}

/* Expected experts of `experts` on a rank that at least one of `routes` token-to-expert
 * routes lands on, each route picking one of `total` experts uniformly (balanced routing, an
 * assumption: real routers are skewed, which only raises the busiest rank's load). */
static double experts_hit(double experts, double total, double routes)
{
    return experts * (1.0 - pow(1.0 - 1.0 / total, routes));
}

/* One decoder layer on one rank (moe: its FFN is the experts').  tokens = rows of the
 * activation matrix this step; q/kv tokens per sequence.  Tensor parallel splits heads and
 * FFN columns; an MoE layer's experts are spread whole over the tp ranks of the stage (expert
 * parallel = tp): every rank holds all tokens after the attention all-reduce, runs the tokens
 * routed to its experts, and the FFN all-reduce combines them, so EP adds no traffic beyond
 * the two all-reduces. */
static sip_status_t layer_kernels(const ctx_t *c, const sip_tile_t *t, bool prefill, bool moe,
                                  part_t *p, sip_error_t *err)
{
    const sip_model_shape_t *s = c->shape;
    const int64_t batch = c->mb_batch, ctx_len = c->wl->context_tokens;
    const int64_t q_seq = prefill ? ctx_len : c->decode_q;
    const int64_t tokens = batch * q_seq;
    const int64_t hq = ceil_div(s->heads, c->tp), hkv = ceil_div(s->kv_heads, c->tp);
    const int64_t ffn = ceil_div(s->ffn, c->tp), hd = s->head_dim, h = s->hidden;
    const bool mla = s->kv_lora_rank > 0;
    const double wb = storage_bytes(c->opts->weight_precision, t);
    /* Activations stay in SRAM when the largest one (input + output of the FFN's widest
     * GEMM) fits; otherwise they spill to HBM with the weights. */
    const double widest = (double)tokens * (double)(h > ffn ? h : ffn) * t->bytes_per_elem;
    const bool spill = 2.0 * widest > t->sram_bytes;
    const sip_gemm_operands_t w = {.a_in_hbm = spill, .b_in_hbm = true, .c_in_hbm = spill,
                                   .b_shared = true, .b_bytes_per_elem = wb};
    sip_kernel_result_t k;
    SIP_TRY(sip_kernel_norm(t, SIP_NORM_RMS, tokens, h, spill, &k, err));
    part_add(p, &k, t);
    if (mla) {
        /* MLA projections (DeepSeek-V2 sec. 2.1): the latent and RoPE key are computed whole on
         * every rank (they are small), the per-head up-projections split by heads; decode
         * absorbs W_UK / W_UV into the query / output (same MAC count as the weights). */
        const int64_t qk = hd + s->qk_rope_dim, kvl = s->kv_lora_rank;
        if (s->q_lora_rank > 0) {
            SIP_TRY(sip_kernel_gemm(t, 1, tokens, s->q_lora_rank, h, &w, &k, err));
            part_add(p, &k, t);
            SIP_TRY(sip_kernel_gemm(t, 1, tokens, hq * qk, s->q_lora_rank, &w, &k, err));
        } else {
            SIP_TRY(sip_kernel_gemm(t, 1, tokens, hq * qk, h, &w, &k, err));
        }
        part_add(p, &k, t);
        SIP_TRY(sip_kernel_gemm(t, 1, tokens, kvl + s->qk_rope_dim, h, &w, &k, err));
        part_add(p, &k, t);
        SIP_TRY(sip_kernel_gemm(t, 1, tokens, hq * (hd + s->v_head_dim), kvl, &w, &k, err));
        part_add(p, &k, t);
    } else {
        SIP_TRY(sip_kernel_gemm(t, 1, tokens, (hq + 2 * hkv) * hd, h, &w, &k, err)); /* Q, K, V */
        part_add(p, &k, t);
    }
    const sip_attention_t att = {
        .batch = batch, .q_heads = hq, .kv_heads = mla ? hq : hkv, .head_dim = hd,
        .q_tokens = q_seq,
        /* Decode attends to the cached context and its own new token(s). */
        .kv_tokens = prefill ? ctx_len : ctx_len + q_seq,
        .kv_in_hbm = !prefill, .kv_write_hbm = true,
        /* Decoders mask the future: prefill computes the causal half of the scores. */
        .causal = true, .window_tokens = s->sliding_window,
        .kv_bytes_per_elem = storage_bytes(c->opts->kv_precision, t),
        .mla_kv_lora_rank = mla ? s->kv_lora_rank : 0, .mla_rope_dim = mla ? s->qk_rope_dim : 0,
        .mla_v_head_dim = mla ? s->v_head_dim : 0};
    SIP_TRY(sip_kernel_attention(t, &att, &k, err));
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_gemm(t, 1, tokens, h, hq * (mla ? s->v_head_dim : hd), &w, &k, err)); /* O */
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_elementwise(t, tokens * h, 1.0, 2, spill, &k, err)); /* residual */
    part_add(p, &k, t);
    SIP_TRY(sip_kernel_norm(t, SIP_NORM_RMS, tokens, h, spill, &k, err));
    part_add(p, &k, t);
    const int up = s->gated_ffn ? 2 : 1;
    if (!moe) {
        SIP_TRY(sip_kernel_gemm(t, 1, tokens, up * ffn, h, &w, &k, err));
        part_add(p, &k, t);
        /* Activation function as one op (special-function unit), times the gate: one more. */
        SIP_TRY(sip_kernel_elementwise(t, tokens * ffn, s->gated_ffn ? 2.0 : 1.0,
                                       s->gated_ffn ? 2 : 1, spill, &k, err));
        part_add(p, &k, t);
        SIP_TRY(sip_kernel_gemm(t, 1, tokens, h, ffn, &w, &k, err)); /* down */
        part_add(p, &k, t);
    } else {
        /* Router on every rank (all tokens, all experts' logits). */
        SIP_TRY(sip_kernel_gemm(t, 1, tokens, s->n_experts, h, &w, &k, err));
        part_add(p, &k, t);
        /* Routed experts: this rank's share, the tokens routed to them spread evenly over
         * the experts hit; every hit expert's weights stream in once. */
        const double local = (double)s->n_experts / c->tp;
        const double routes = (double)tokens * s->experts_per_token;
        const double hit = experts_hit(local, s->n_experts, routes);
        const int64_t n_hit = (int64_t)ceil(hit - 1e-9);
        if (n_hit > 0) {
            const int64_t rows = (int64_t)ceil(routes / s->n_experts * local / hit - 1e-9);
            const sip_gemm_operands_t we = {.a_in_hbm = spill, .b_in_hbm = true,
                                            .c_in_hbm = spill, .b_shared = false,
                                            .b_bytes_per_elem = wb};
            SIP_TRY(sip_kernel_gemm(t, n_hit, rows > 0 ? rows : 1, up * (int64_t)s->moe_ffn, h,
                                    &we, &k, err));
            part_add(p, &k, t);
            SIP_TRY(sip_kernel_elementwise(t, n_hit * (rows > 0 ? rows : 1) * s->moe_ffn,
                                           s->gated_ffn ? 2.0 : 1.0, s->gated_ffn ? 2 : 1, spill,
                                           &k, err));
            part_add(p, &k, t);
            SIP_TRY(sip_kernel_gemm(t, n_hit, rows > 0 ? rows : 1, h, s->moe_ffn, &we, &k, err));
            part_add(p, &k, t);
        }
        if (s->shared_experts > 0) {
            /* Shared experts: a dense FFN split over the tp ranks like the dense one. */
            const int64_t sh = ceil_div((int64_t)s->shared_experts * s->moe_ffn, c->tp);
            SIP_TRY(sip_kernel_gemm(t, 1, tokens, up * sh, h, &w, &k, err));
            part_add(p, &k, t);
            SIP_TRY(sip_kernel_gemm(t, 1, tokens, h, sh, &w, &k, err));
            part_add(p, &k, t);
        }
    }
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
    const int64_t batch = c->mb_batch;
    const int64_t tokens = batch * (prefill ? c->wl->context_tokens : c->decode_q);
    sip_kernel_result_t k;
    if (first) {
        SIP_TRY(sip_kernel_elementwise(t, tokens * s->hidden, 1.0, 1, true, &k, err));
        part_add(p, &k, t);
    }
    if (last) {
        SIP_TRY(sip_kernel_norm(t, SIP_NORM_RMS, batch, s->hidden, false, &k, err));
        part_add(p, &k, t);
        /* Logits for every verified position under speculative decoding, else the last. */
        const int64_t rows = prefill ? batch : batch * c->decode_q;
        const sip_gemm_operands_t w = {.b_in_hbm = true, .b_shared = true,
                                       .b_bytes_per_elem =
                                           storage_bytes(c->opts->weight_precision, t)};
        SIP_TRY(sip_kernel_gemm(t, 1, rows, ceil_div(s->vocab, c->tp), s->hidden, &w, &k, err));
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

/* The step limit a kernel bound stands for on tile t. */
static sip_limit_t limit_of(sip_bound_t b, const sip_tile_t *t)
{
    switch (b) {
    case SIP_BOUND_SRAM:
        return SIP_LIMIT_SRAM;
    case SIP_BOUND_HBM:
        return t->hbm_via_d2d_limits ? SIP_LIMIT_D2D : SIP_LIMIT_HBM;
    case SIP_BOUND_WEIGHT_FEED:
        return SIP_LIMIT_WEIGHT_FEED;
    default:
        return SIP_LIMIT_COMPUTE;
    }
}

static sip_status_t eval_traffic(const ctx_t *c, const step_work_t *w,
                                 sip_traffic_result_t **traffic, sip_error_t *err)
{
    sip_pattern_params_t pp_params;
    sip_pattern_params_init(&pp_params);
    pp_params.load = 1.0;
    pp_params.load_in_GBps = true;
    pp_params.n_demands = w->n_demands;
    pp_params.demands = w->demands;
    sip_demand_matrix_t *dm = NULL;
    SIP_TRY(sip_demand_build(c->net, "explicit", &pp_params, &dm, err));
    sip_status_t st = sip_traffic_evaluate(c->net, c->routes, dm, NULL, traffic, err);
    sip_demand_destroy(dm);
    return st;
}

/* Evaluate one step; fills st and the work arrays (per rank slot) and the demand in GB per
 * step.  *traffic receives the traffic engine's result at one step per second (caller frees). */
static sip_status_t eval_step(const ctx_t *c, bool prefill, sip_step_t *st, step_work_t *w,
                              sip_traffic_result_t **traffic, sip_error_t *err)
{
    const sip_model_shape_t *s = c->shape;
    const int tp = c->tp, pp = c->pp;
    const double m = c->micro_batches;
    const double batch = c->wl->batch;
    const double tokens = batch * (prefill ? c->wl->context_tokens : (double)c->decode_q);
    memset(st, 0, sizeof *st);
    st->tokens = tokens;
    w->n_demands = 0;
    *traffic = NULL;
    /* Per micro-batch: each stage's time (its slowest rank) and what bounded it. */
    double sum_stage_s = 0.0, max_stage_s = 0.0, by_limit[SIP_LIMIT_COUNT] = {0};
    for (int stg = 0; stg < pp; stg++) {
        double stage_s = 0.0, stage_by[SIP_LIMIT_COUNT] = {0};
        for (int r = 0; r < tp; r++) {
            const int slot = stg * tp + r;
            const sip_tile_t *t = &c->tiles[slot];
            part_t layer = {0}, moe = {0}, ends = {0};
            const double L_moe = c->stage_moe_layers[stg];
            const double L = c->stage_layers[stg] - L_moe;
            if (L > 0)
                SIP_TRY(layer_kernels(c, t, prefill, false, &layer, err));
            if (L_moe > 0)
                SIP_TRY(layer_kernels(c, t, prefill, true, &moe, err));
            SIP_TRY(ends_kernels(c, t, stg == 0, stg == pp - 1, prefill, &ends, err));
            const double time_s = L * layer.sum.time_s + L_moe * moe.sum.time_s + ends.sum.time_s;
            /* The rank runs every micro-batch through its layers. */
            w->rank_time_s[slot] = m * time_s;
            w->rank_compute_s[slot] = m * (L * layer.sum.compute_s + L_moe * moe.sum.compute_s +
                                           ends.sum.compute_s);
            w->rank_hbm_bytes[slot] = m * (L * layer.sum.hbm_bytes + L_moe * moe.sum.hbm_bytes +
                                           ends.sum.hbm_bytes);
            w->rank_macs[slot] = m * (L * layer.sum.macs + L_moe * moe.sum.macs + ends.sum.macs);
            st->macs += w->rank_macs[slot];
            st->hbm_bytes += w->rank_hbm_bytes[slot];
            if (time_s > stage_s) {
                stage_s = time_s;
                memset(stage_by, 0, sizeof stage_by);
                for (int b = 0; b < SIP_BOUND_COUNT; b++)
                    stage_by[limit_of((sip_bound_t)b, t)] += L * layer.by_bound_s[b] +
                                                             L_moe * moe.by_bound_s[b] +
                                                             ends.by_bound_s[b];
            }
        }
        sum_stage_s += stage_s;
        if (stage_s > max_stage_s)
            max_stage_s = stage_s;
        for (int l = 0; l < SIP_LIMIT_COUNT; l++)
            by_limit[l] += stage_by[l];
    }
    const double compute_time = prefill ? sum_stage_s + (m - 1.0) * max_stage_s
                                        : fmax(sum_stage_s, m * max_stage_s);
    /* The pipeline schedule stretches (or keeps) the stage sum: attribute it the same way. */
    const double stretch = sum_stage_s > 0.0 ? compute_time / sum_stage_s : 1.0;
    for (int l = 0; l < SIP_LIMIT_COUNT; l++)
        st->time_by_limit_s[l] = by_limit[l] * stretch;
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
    }
    if (c->io_GBps > 0.0) {
        const double io_max = io_in_GB > io_out_GB ? io_in_GB : io_out_GB;
        st->time_by_limit_s[SIP_LIMIT_IO] = io_max / c->io_GBps;
    }
    double d2d_s = 0.0;
    if (w->n_demands > 0) {
        if (!c->net)
            return sip_error_set(err, SIP_EINVAL, c->pkg->path, c->wl->line,
                                 "workload has die-to-die demand but the package has one die "
                                 "(expected tensor_parallel x pipeline_parallel = 1)");
        SIP_TRY(eval_traffic(c, w, traffic, err));
        /* Demand in GB per step over 1 s: a port's utilisation is the seconds it needs per
         * step.  Plus the head latency of every sequential ring transfer. */
        double lat_ns = 0.0;
        for (int f = 0; f < (*traffic)->n_flows; f++)
            if ((*traffic)->flow_zero_load_ns[f] > lat_ns)
                lat_ns = (*traffic)->flow_zero_load_ns[f];
        d2d_s = (*traffic)->max_util + (n_allreduce_steps + (pp - 1)) * lat_ns * 1e-9 * stretch;
    }
    /* Memory reached over D2D: its bytes cross the links too (overlapped with the kernels and
     * already a limit of their HBM bandwidth, so not added to the step time), reported with
     * the rest of the demand. */
    const int n_step_demands = w->n_demands;
    for (int k = 0; k < tp * pp; k++)
        if (c->mem_host[k] >= 0)
            SIP_TRY(push_demand(w, c->mem_host[k], c->ranks[k], w->rank_hbm_bytes[k] / 1e9, err));
    if (w->n_demands > n_step_demands) {
        sip_traffic_result_destroy(*traffic);
        *traffic = NULL;
        SIP_TRY(eval_traffic(c, w, traffic, err));
    }
    for (int i = 0; i < w->n_demands; i++)
        st->d2d_bytes += w->demands[i].GBps * 1e9;
    st->time_by_limit_s[SIP_LIMIT_D2D] += d2d_s;
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

/* Memory bandwidth (not SRAM) of an instance and everything attached to it. */
static double host_memory_GBps(const sip_package_t *pkg, int host)
{
    double GBps = 0.0;
    for (int i = 0; i < pkg->n_instances; i++)
        if (i == host || pkg->instances[i].attached_to == host) {
            const sip_chiplet_type_t *type = sip_instance_type(pkg, i);
            for (int m = 0; m < type->n_memories; m++)
                if (type->memories[m].kind != SIP_MEM_SRAM)
                    GBps += type->memories[m].bandwidth_GBps;
        }
    return GBps;
}

static double host_memory_bytes(const sip_package_t *pkg, int host)
{
    double bytes = 0.0;
    for (int i = 0; i < pkg->n_instances; i++)
        if (i == host || pkg->instances[i].attached_to == host) {
            const sip_chiplet_type_t *type = sip_instance_type(pkg, i);
            for (int m = 0; m < type->n_memories; m++)
                if (type->memories[m].kind != SIP_MEM_SRAM)
                    bytes += type->memories[m].capacity_gb * 1e9;
        }
    return bytes;
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
            /* A memory stack: its share of the HBM traffic of the ranks using its host's
             * memory (the host itself, or the compute dies reaching it over D2D). */
            double own = 0.0, bytes = 0.0;
            for (int m = 0; m < type->n_memories; m++)
                own += type->memories[m].bandwidth_GBps;
            const double host_GBps = host_memory_GBps(pkg, host);
            for (int k = 0; k < c->tp * c->pp; k++)
                if ((c->ranks[k] == host || c->mem_host[k] == host) && host_GBps > 0.0)
                    bytes += w->rank_hbm_bytes[k] * own / host_GBps;
            if (own > 0.0) {
                busy = bytes / (own * 1e9);
                activity = T > 0.0 ? busy / T : 0.0;
            }
        } else if (tr && c->net && c->net->instance_node[i] >= 0) {
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

/* Speculative decoding: the verify step (already in st) plus k draft steps yields
 * (1 - a^(k+1)) / (1 - a) tokens per sequence (Leviathan et al. 2023, eq. 1). */
static sip_status_t apply_spec(const ctx_t *c, sip_step_t *st, double *tokens_per_step,
                               double *step_s, sip_error_t *err)
{
    const sip_workload_options_t *o = c->opts;
    *tokens_per_step = 1.0;
    *step_s = st->time_s;
    if (o->spec_tokens <= 0)
        return SIP_OK;
    const double k = o->spec_tokens, a = o->spec_acceptance;
    const double expect = a < 1.0 ? (1.0 - pow(a, k + 1.0)) / (1.0 - a) : k + 1.0;
    if (o->draft) {
        sip_workload_options_t d = *o;
        d.spec_tokens = 0;
        d.draft = NULL;
        sip_workload_t wd = *c->wl;
        snprintf(wd.phase, sizeof wd.phase, "decode");
        wd.tensor_parallel = c->tp;
        wd.pipeline_parallel = c->pp;
        sip_workload_result_t *dr = NULL;
        SIP_TRY(sip_workload_evaluate(c->pkg, &wd, o->draft, &d, &dr, err));
        for (int l = 0; l < SIP_LIMIT_COUNT; l++)
            st->time_by_limit_s[l] += k * dr->decode.time_by_limit_s[l];
        st->time_s += k * dr->decode.time_s;
        st->macs += k * dr->decode.macs;
        st->hbm_bytes += k * dr->decode.hbm_bytes;
        sip_workload_result_destroy(dr);
    }
    st->tokens = c->wl->batch * expect;
    *tokens_per_step = expect;
    *step_s = st->time_s;
    return SIP_OK;
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

/* Compute dies without attached memory: the memory of a directly linked die, shared by the
 * memory-less compute dies linked to it, capped by the links' payload bandwidth towards the
 * rank.  Needs the network (multi-die packages). */
static sip_status_t memory_over_d2d(const ctx_t *c, int n_slots, sip_tile_t *tiles,
                                    int *mem_host, sip_error_t *err)
{
    const sip_package_t *pkg = c->pkg;
    for (int k = 0; k < n_slots; k++)
        mem_host[k] = -1;
    for (int k = 0; k < n_slots; k++) {
        if (tiles[k].peak_hbm_GBps > 0.0)
            continue;
        const int x = c->ranks[k];
        int best = -1;
        double best_GBps = 0.0;
        for (int l = 0; c->net && l < pkg->n_links; l++) {
            const sip_link_t *lk = &pkg->links[l];
            const int other = lk->from_instance == x ? lk->to_instance
                              : lk->to_instance == x ? lk->from_instance : -1;
            if (other < 0 || !(host_memory_GBps(pkg, other) > best_GBps))
                continue;
            best = other;
            best_GBps = host_memory_GBps(pkg, other);
        }
        if (best < 0)
            return sip_error_set(err, SIP_EINVAL, pkg->path, pkg->instances[x].line,
                                 "compute chiplet '%s' has no memory for weights and KV cache "
                                 "(expected an HBM instance with attach = \"%s\", or a UCIe "
                                 "link to a die with attached memory)",
                                 pkg->instances[x].name, pkg->instances[x].name);
        mem_host[k] = best;
    }
    for (int k = 0; k < n_slots; k++) {
        if (mem_host[k] < 0)
            continue;
        const int h = mem_host[k], x = c->ranks[k];
        int sharing = 0;
        for (int j = 0; j < n_slots; j++)
            sharing += mem_host[j] == h;
        /* Links from the memory die towards the rank (both ends on the graph). */
        double link_GBps = 0.0;
        const int hn = c->net->instance_node[h], xn = c->net->instance_node[x];
        for (int ch = 0; ch < c->net->n_channels; ch++)
            if (c->net->channels[ch].from == hn && c->net->channels[ch].to == xn)
                link_GBps += c->net->channels[ch].capacity_GBps;
        const double eff = c->opts->tile.hbm_efficiency;
        const double share = host_memory_GBps(pkg, h) / sharing;
        tiles[k].peak_hbm_GBps = share;
        tiles[k].hbm_GBps = fmin(share * eff, link_GBps);
        tiles[k].hbm_via_d2d_limits = link_GBps < share * eff;
        tiles[k].hbm_bytes = host_memory_bytes(pkg, h) / sharing;
    }
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
    int *mem_host = calloc((size_t)pkg->n_instances + 1, sizeof *mem_host);
    sip_tile_t *all_tiles = calloc((size_t)pkg->n_instances + 1, sizeof *all_tiles);
    step_work_t w = {0};
    double *work = calloc(4 * ((size_t)pkg->n_instances + 1), sizeof *work);
    sip_traffic_result_t *tr_pre = NULL, *tr_dec = NULL;
    if (!res || !compute || !mem_host || !all_tiles || !work) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (workload)");
        goto out;
    }
    w.rank_time_s = work;
    w.rank_compute_s = work + pkg->n_instances + 1;
    w.rank_hbm_bytes = work + 2 * (pkg->n_instances + 1);
    w.rank_macs = work + 3 * (pkg->n_instances + 1);
    /* Compute chiplets in instance order (the ring order of the all-reduce). */
    int n_compute = 0, n_dies = 0;
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *type = sip_instance_type(pkg, i);
        if (pkg->instances[i].attached_to >= 0)
            continue;
        n_dies++;
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
    /* An efficiency outside (0, 1] makes every tile fail above: say so, not "no compute". */
    {
        const sip_tile_params_t *tp = &opts->tile;
        const double f[3] = {tp->mac_efficiency, tp->vector_efficiency, tp->hbm_efficiency};
        for (int i = 0; i < 3; i++)
            if (!(f[i] > 0.0 && f[i] <= 1.0)) {
                st = sip_error_set(err, SIP_EINVAL, pkg->path, wl->line,
                                   "efficiency MAC %g, vector %g, HBM %g (expected fractions "
                                   "in (0, 1] of the peaks)", f[0], f[1], f[2]);
                goto out;
            }
    }
    if ((st = resolve(pkg, wl, shape, n_compute, &c.tp, &c.pp, err)) != SIP_OK)
        goto out;
    if (opts->micro_batches < 0 || opts->micro_batches > wl->batch) {
        st = sip_error_set(err, SIP_EINVAL, pkg->path, wl->line,
                           "%d micro-batches for a batch of %d (expected 1 .. batch, or 0 = "
                           "min(batch, pipeline_parallel))", opts->micro_batches, wl->batch);
        goto out;
    }
    c.micro_batches = opts->micro_batches > 0 ? opts->micro_batches
                                              : (wl->batch < c.pp ? wl->batch : c.pp);
    c.mb_batch = ((int64_t)wl->batch + c.micro_batches - 1) / c.micro_batches;
    c.ranks = compute;
    c.tiles = all_tiles;
    c.mem_host = mem_host;
    int stage_layers[4096], stage_moe[4096];
    if (c.pp > 4096) {
        st = sip_error_set(err, SIP_EINVAL, pkg->path, wl->line,
                           "pipeline_parallel %d (expected at most 4096 stages)", c.pp);
        goto out;
    }
    for (int s = 0, first = 0; s < c.pp; s++) {
        stage_layers[s] = shape->layers / c.pp + (s < shape->layers % c.pp);
        /* Layers first .. first + n - 1; MoE from dense_layers on (when there are experts). */
        const int dense_end = shape->n_experts > 0 ? shape->dense_layers : shape->layers;
        const int lo = first > dense_end ? first : dense_end, hi = first + stage_layers[s];
        stage_moe[s] = hi > lo ? hi - lo : 0;
        first = hi;
    }
    c.stage_layers = stage_layers;
    c.stage_moe_layers = stage_moe;
    if (opts->spec_tokens < 0 || opts->spec_tokens > 64 ||
        (opts->spec_tokens > 0 && !(opts->spec_acceptance >= 0.0 && opts->spec_acceptance <= 1.0))) {
        st = sip_error_set(err, SIP_EINVAL, pkg->path, wl->line,
                           "speculative decoding with %d drafts accepted at %g (expected 0 .. 64 "
                           "drafts and an acceptance rate in [0, 1])", opts->spec_tokens,
                           opts->spec_acceptance);
        goto out;
    }
    /* A decode step verifies the drafts and the position after them (k + 1 per sequence). */
    c.decode_q = 1 + opts->spec_tokens;
    /* One die: nothing crosses a UCIe link, so no network (a lone die has no links and the
     * traffic engine rightly refuses an unconnected chiplet).  Host I/O then goes through the
     * die's own interfaces. */
    if (n_dies > 1 &&
        ((st = sip_network_from_package(pkg, NULL, &c.net, err)) != SIP_OK ||
         (st = sip_routes_compute(c.net, opts->routing, NULL, &c.routes, err)) != SIP_OK))
        goto out;
    if (c.io_instance < 0) {
        const sip_chiplet_type_t *type = sip_instance_type(pkg, compute[0]);
        for (int k = 0; k < type->n_ios; k++)
            c.io_GBps += type->ios[k].bandwidth_GBps;
    }
    for (int k = 0; k < c.tp * c.pp; k++)
        mem_host[k] = -1;
    if ((st = memory_over_d2d(&c, c.tp * c.pp, all_tiles, mem_host, err)) != SIP_OK)
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
            st = apply_spec(&c, &res->decode, &res->spec_tokens_per_step, &res->spec_step_s, err);
        if (st == SIP_OK)
            res->decode.energy_j = fill_power(&c, &res->decode, &wd, tr_dec, NULL, NULL);
        free(work2);
        free(wd.demands);
        if (st != SIP_OK)
            goto out;
    } else {
        if ((st = eval_step(&c, false, &res->decode, &w, &tr_dec, err)) != SIP_OK ||
            (st = apply_spec(&c, &res->decode, &res->spec_tokens_per_step, &res->spec_step_s,
                             err)) != SIP_OK)
            goto out;
    }
    const sip_step_t *ph = want_prefill ? &res->prefill : &res->decode;
    const sip_traffic_result_t *tr = want_prefill ? tr_pre : tr_dec;

    res->shape = *shape;
    res->workload = *wl;
    res->workload.tensor_parallel = c.tp;
    res->workload.pipeline_parallel = c.pp;
    res->precision = wl->precision;
    res->micro_batches = c.micro_batches;
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
    /* Per sequence, one decode step yields spec_tokens_per_step tokens (1 without drafts). */
    res->tpot_s = res->decode.time_s / res->spec_tokens_per_step;
    /* Time to first token as vLLM and TensorRT-LLM report it: the prefill of the prompts
     * (which ends with the first sampled token), not one decode step more. */
    res->ttft_s = res->prefill.time_s;
    res->j_per_token = ph->tokens > 0.0 ? energy / ph->tokens : 0.0;
    res->hbm_bytes_per_token = ph->tokens > 0.0 ? ph->hbm_bytes / ph->tokens : 0.0;
    res->macs_per_token = ph->tokens > 0.0 ? ph->macs / ph->tokens : 0.0;
    for (int k = 0; k < res->n_compute; k++) {
        res->peak_macs_per_s += sip_tile_peak_macs_per_s(&all_tiles[k]);
        res->hbm_GBps += all_tiles[k].hbm_GBps;
    }
    /* Footprint per chiplet: the largest over ranks (stages differ by their ends). */
    const sip_model_shape_t *s = shape;
    const double we = storage_bytes(opts->weight_precision, &all_tiles[0]);
    const double ke = storage_bytes(opts->kv_precision, &all_tiles[0]);
    const double hq = (double)ceil_div(s->heads, c.tp), hkv = (double)ceil_div(s->kv_heads, c.tp);
    const double h = s->hidden, mats = s->gated_ffn ? 3.0 : 2.0;
    double attn_w = h * (hq + 2.0 * hkv) * s->head_dim + hq * s->head_dim * h;
    if (s->kv_lora_rank > 0) {
        const double qk = (double)s->head_dim + s->qk_rope_dim;
        attn_w = (s->q_lora_rank > 0 ? h * s->q_lora_rank + (double)s->q_lora_rank * hq * qk
                                     : h * hq * qk) +
                 h * ((double)s->kv_lora_rank + s->qk_rope_dim) +
                 (double)s->kv_lora_rank * hq * ((double)s->head_dim + s->v_head_dim) +
                 hq * s->v_head_dim * h;
    }
    const double dense_w = attn_w + mats * h * (double)ceil_div(s->ffn, c.tp) + 2.0 * h;
    /* An MoE layer: this rank's whole experts (experts / tp, rounded up), its shard of the
     * shared experts, the router. */
    const double moe_w = attn_w + 2.0 * h + h * s->n_experts +
                         mats * h * s->moe_ffn *
                             ((double)ceil_div(s->n_experts, c.tp) +
                              (double)ceil_div((int64_t)s->shared_experts * s->moe_ffn, c.tp) /
                                  (s->moe_ffn > 0 ? s->moe_ffn : 1));
    /* KV cache per position: K and V of the rank's KV heads, or the MLA latent (every rank
     * keeps the whole latent of its sequences); a sliding window keeps only the window. */
    const double kv_pos = s->kv_lora_rank > 0 ? (double)s->kv_lora_rank + s->qk_rope_dim
                                              : 2.0 * hkv * s->head_dim;
    double positions = (double)wl->context_tokens + wl->output_tokens;
    if (s->sliding_window > 0 && positions > s->sliding_window)
        positions = s->sliding_window;
    const double vocab_shard = (double)ceil_div(s->vocab, c.tp) * s->hidden;
    for (int stg = 0; stg < c.pp; stg++) {
        const double L_moe = stage_moe[stg], L_dense = stage_layers[stg] - L_moe;
        double wb = (L_dense * dense_w + L_moe * moe_w + (stg == 0 ? vocab_shard : 0.0) +
                     (stg == c.pp - 1 ? vocab_shard + s->hidden : 0.0)) * we;
        double kv = (double)wl->batch * positions * stage_layers[stg] * kv_pos * ke;
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
                part_t layer = {0}, moe = {0}, ends = {0};
                const int L_moe = stage_moe[stg], L_dense = stage_layers[stg] - L_moe;
                const sip_tile_t *t = &all_tiles[stg * c.tp + r];
                if ((L_dense > 0 &&
                     (st = layer_kernels(&c, t, want_prefill, false, &layer, err)) != SIP_OK) ||
                    (L_moe > 0 &&
                     (st = layer_kernels(&c, t, want_prefill, true, &moe, err)) != SIP_OK) ||
                    (st = ends_kernels(&c, t, stg == 0, stg == c.pp - 1, want_prefill, &ends,
                                       err)) != SIP_OK)
                    goto out;
                sram_bytes += L_dense * layer.sum.sram_bytes + L_moe * moe.sum.sram_bytes +
                              ends.sum.sram_bytes;
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
    free(mem_host);
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

sip_status_t sip_workload_serve(const sip_package_t *pkg, const sip_workload_t *wl,
                                const sip_model_shape_t *shape, const sip_workload_options_t *opts,
                                sip_serve_result_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (!wl)
        wl = &pkg->workload;
    if (wl->output_tokens < 1 || wl->context_tokens < 1)
        return sip_error_set(err, SIP_EINVAL, pkg->path, wl->line,
                             "serving %d prompt and %d output tokens (expected >= 1 of each)",
                             wl->context_tokens, wl->output_tokens);
    sip_model_shape_t found;
    if (!shape) {
        SIP_TRY(sip_model_shape_find(wl->model, pkg->path, wl->line, &found, err));
        shape = &found;
    }
    sip_workload_t w = *wl;
    sip_workload_result_t *pre = NULL, *dec = NULL, *one = NULL;
    snprintf(w.phase, sizeof w.phase, "prefill");
    SIP_TRY(sip_workload_evaluate(pkg, &w, shape, opts, &pre, err));
    /* Decode at the mean context; the KV footprint stays that of the whole request. */
    snprintf(w.phase, sizeof w.phase, "decode");
    w.context_tokens = wl->context_tokens + wl->output_tokens / 2;
    w.output_tokens = wl->context_tokens + wl->output_tokens - w.context_tokens;
    sip_status_t st = sip_workload_evaluate(pkg, &w, shape, opts, &dec, err);
    if (st == SIP_OK) {
        /* One prompt's prefill, for the continuous-batching steady state. */
        sip_workload_t p1 = *wl;
        snprintf(p1.phase, sizeof p1.phase, "prefill");
        p1.batch = 1;
        st = sip_workload_evaluate(pkg, &p1, shape, opts, &one, err);
    }
    if (st == SIP_OK) {
        const double B = wl->batch, n = wl->output_tokens;
        out->ttft_s = pre->prefill.time_s;
        out->tpot_s = dec->tpot_s; /* per token of a sequence (speculative steps yield more) */
        out->request_s = out->ttft_s + (n - 1.0) * out->tpot_s;
        out->output_tokens_per_s = B * n / out->request_s;
        out->continuous_tpot_s = out->tpot_s + B / n * one->prefill.time_s;
        out->continuous_tokens_per_s = B / out->continuous_tpot_s;
        out->prefill_limit = pre->prefill.limit;
        out->decode_limit = dec->decode.limit;
        out->fits = dec->fits;
        out->weight_bytes_per_chiplet = dec->weight_bytes_per_chiplet;
        out->kv_bytes_per_chiplet = dec->kv_bytes_per_chiplet;
        out->hbm_capacity_bytes_per_chiplet = dec->hbm_capacity_bytes_per_chiplet;
    }
    sip_workload_result_destroy(pre);
    sip_workload_result_destroy(dec);
    sip_workload_result_destroy(one);
    return st;
}
