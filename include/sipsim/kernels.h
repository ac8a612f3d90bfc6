/* sipsim — the kernel library: compute-tile models (systolic arrays exact against SCALE-Sim v2,
 * vector units, on-chip SRAM, HBM), kernels with a roofline, transformer-decoder inference
 * workloads mapped onto a package (tensor/pipeline parallel), and reference numerics.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Systolic timing (shared/peers/scalesim/results.md, derived from SCALE-Sim v2 @ 22f88b1):
 * a GEMM A (M x K) x B (K x N) on an R x C array maps, per dataflow,
 *     OS: Sr = M, Sc = N, T = K      P = R + C + T - 2
 *     WS: Sr = K, Sc = N, T = M      P = 2R + C + T - 2
 *     IS: Sr = K, Sc = M, T = N      P = 2R + C + T - 2
 * F = ceil(Sr/R) x ceil(Sc/C) folds run one after another; SCALE-Sim's "Total Cycles" is
 * F x P - 1 (the 0-based index of the last cycle).  Utilisations and SRAM counts follow the
 * same derivation.  Units: cycles and words (SCALE-Sim's word is one element).
 *
 * Energy: per-MAC energy comes from the engine (energy_pj_per_mac) or a parameter; SRAM and
 * HBM energy per byte/bit are parameters only (facts.md §3.3: HBM energy per bit UNVERIFIED).
 * An unknown parameter is NAN and every energy that needs it is NAN ("not modelled"), never a
 * silent constant.  Package power for thermal comes from the dies' TDP/idle and their activity.
 */
#ifndef SIPSIM_KERNELS_H
#define SIPSIM_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

#include "sipsim/model.h"
#include "sipsim/status.h"
#include "sipsim/traffic.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * One systolic array, SCALE-Sim v2 compute model (CALC mode: no DRAM stalls).
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    int64_t m, n, k;
    int64_t sr, sc, t;             /* spatial rows, spatial cols, temporal (table above) */
    int64_t folds;                 /* F */
    int64_t cycles_per_fold;       /* P */
    int64_t cycles;                /* F x P - 1: SCALE-Sim "Total Cycles" */
    int64_t macs;                  /* M x N x K */
    double overall_util;           /* fraction: MACs / (cycles x R x C) ("Overall Util %" / 100) */
    double mapping_eff;            /* fraction: Sr x Sc / (F x R x C) ("Mapping Efficiency %") */
    double compute_util;           /* fraction: mapping_eff x T / P_u ("Compute Util %") */
    int64_t sram_ifmap_reads;      /* words */
    int64_t sram_filter_reads;
    int64_t sram_ofmap_writes;
} sip_systolic_result_t;

/* rows, cols >= 1; m, n, k >= 1. */
SIP_EXPORT sip_status_t sip_systolic_gemm(int rows, int cols, sip_dataflow_t dataflow, int64_t m,
                                          int64_t n, int64_t k, sip_systolic_result_t *out,
                                          sip_error_t *err);

/* A convolution layer, lowered to GEMM the SCALE-Sim way (topology_utils.py): M = output
 * pixels, N = filters, K = filt_h x filt_w x channels; out = floor((in + 2 pad - f) / s) + 1.
 * pad = 0 reproduces SCALE-Sim (which does not pad). */
typedef struct {
    int64_t in_h, in_w, channels;
    int64_t filt_h, filt_w, filters;
    int64_t stride, pad;
} sip_conv_t;

SIP_EXPORT sip_status_t sip_conv_lower(const sip_conv_t *conv, int64_t *m, int64_t *n, int64_t *k,
                                       sip_error_t *err);

/* SCALE-Sim v2 with a finite DRAM bandwidth ("USER" mode): the stall cycles depend on which
 * address each cycle demands, so this detailed path (src/kernels/scalesim_trace.c) rebuilds
 * SCALE-Sim's operand, prefetch and demand matrices and replays them through its
 * double-buffered scratchpads (read buffers: half active, half prefetch, hashed in 100 sets;
 * write buffer: half drains).  Slow (O(demand lines x array width), the matrices in memory) and
 * exact: cycles = SCALE-Sim's "Total Cycles" (compute + stalls) and stall_cycles its "Stall
 * Cycles".  GEMM M x N x K is the conv {in_h = M, in_w = K, channels = 1, filt_h = 1,
 * filt_w = K, filters = N, stride = 1} (topology_utils.py:74). */
typedef struct {
    int64_t ifmap_words, filter_words, ofmap_words; /* scratchpads (SCALE-Sim kB x 1024) */
    int64_t dram_words_per_cycle;                   /* cfg Bandwidth */
} sip_scalesim_memory_t;

typedef struct {
    int64_t m, n, k;
    int64_t demand_lines;   /* F x P (stall-free cycles + 1) */
    int64_t cycles;         /* "Total Cycles": F x P - 1 + stall_cycles */
    int64_t stall_cycles;
} sip_systolic_detailed_t;

SIP_EXPORT sip_status_t sip_systolic_conv_detailed(const sip_scalesim_memory_t *mem, int rows,
                                                   int cols, sip_dataflow_t dataflow,
                                                   const sip_conv_t *conv,
                                                   sip_systolic_detailed_t *out, sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * A compute tile: the engines, SRAM and attached HBM of one compute die at one precision.
 * ---------------------------------------------------------------------------------------- */

/* Parameters that no shipped source gives (all default to NAN = unknown, energy not modelled,
 * or 0 = not limiting for bandwidth). */
typedef struct {
    double pj_per_mac;        /* overrides the engines' energy_pj_per_mac when finite */
    double sram_pj_per_byte;  /* on-chip SRAM access energy */
    double hbm_pj_per_bit;    /* HBM access energy (facts.md §3.3: UNVERIFIED, so a parameter) */
    double sram_GBps;         /* on-chip SRAM bandwidth of a die; <= 0 = not limiting */
    /* Stationary-operand prefetch (WS weights, IS inputs): false = SCALE-Sim v2 exactly (each
     * fold loads its R x C tile, then streams: P = 2R + C + T - 2 per fold, nothing overlaps);
     * true = a double-buffered array (TPU v1, Jouppi et al. ISCA 2017 §2: "double-buffering
     * to hide the 256 cycles it takes to shift a tile in") that shifts the next fold's tile
     * in while the current one streams, the next stream following right behind: F folds on
     * one array take R + (F - 1) max(R, T) + T + (R + C - 2) - 1 cycles (= SCALE-Sim for
     * F = 1).  Weights still enter at one row per cycle, so small-batch GEMMs stay bound by
     * that load (C elements per cycle per array) when it is slower than HBM.  No effect on
     * OS (nothing stationary).  sip_tile_params_init: false; sip_workload_options_init: true. */
    bool weight_prefetch;
    /* Achievable fraction of each engine's and memory's peak (a real kernel library on a real
     * part reaches less than the datasheet; one factor per engine / memory kind, never per
     * workload).  1 = the peak exactly (sip_tile_params_init: SCALE-Sim v2 and the roofline
     * untouched); sip_workload_options_init sets the defaults calibrated on published
     * measurements (src/kernels/efficiency.c, tests/data/measured/llm_inference.csv). */
    double mac_efficiency;    /* systolic / tensor engines: achieved / peak MAC rate */
    double vector_efficiency; /* vector path (norms, softmax, element-wise) */
    double hbm_efficiency;    /* attached DRAM: sustained / peak bandwidth */
} sip_tile_params_t;

SIP_EXPORT void sip_tile_params_init(sip_tile_params_t *params);

typedef struct {
    int array_rows, array_cols;  /* of each systolic array */
    sip_dataflow_t dataflow;
    int n_arrays;                /* systolic arrays on the die (sum of engine counts) */
    double clock_ghz;
    sip_precision_t precision;
    double macs_per_cell;        /* MACs per PE per cycle at `precision`: rate / (rows x cols) */
    double vector_elems_per_s;   /* element-ops per second of the vector path (see tile.c) */
    bool vector_on_array;        /* no vector engine: element ops drain through the arrays */
    double bytes_per_elem;       /* bits(precision) / 8 */
    double sram_bytes;
    double sram_GBps;            /* <= 0 = not limiting */
    double hbm_GBps;             /* attached memory; 0 = none */
    double hbm_bytes;            /* attached memory capacity */
    double pj_per_mac, sram_pj_per_byte, hbm_pj_per_bit; /* NAN = unknown */
    bool weight_prefetch;        /* see sip_tile_params_t */
    /* Memory reached over die-to-die links (a compute die whose HBM hangs off an I/O die, as
     * on MI300X): hbm_GBps is then min(its share of that memory, the link path); true when
     * the link path is the smaller, so HBM-bound time is the D2D path's. */
    bool hbm_via_d2d_limits;
    double peak_hbm_GBps;        /* before hbm_efficiency; hbm_GBps = peak x efficiency */
    double mac_efficiency;       /* applied to the array cycles (see sip_tile_params_t) */
} sip_tile_t;

/* The systolic engines of `type` that run `precision` (engines must agree on array shape,
 * dataflow and clock; the first such engine defines them).  hbm_GBps/hbm_bytes: attached
 * memory (see sip_tile_from_instance).  params may be NULL. */
SIP_EXPORT sip_status_t sip_tile_from_chiplet(const sip_chiplet_type_t *type,
                                              sip_precision_t precision, double hbm_GBps,
                                              double hbm_bytes, const sip_tile_params_t *params,
                                              sip_tile_t *out, sip_error_t *err);
/* The same for a package instance, with the memory of every instance attached to it. */
SIP_EXPORT sip_status_t sip_tile_from_instance(const sip_package_t *pkg, int instance,
                                               sip_precision_t precision,
                                               const sip_tile_params_t *params, sip_tile_t *out,
                                               sip_error_t *err);
/* Peak dense MACs per second of the tile. */
SIP_EXPORT double sip_tile_peak_macs_per_s(const sip_tile_t *tile);

/* ------------------------------------------------------------------------------------------
 * Kernels on one tile.  Each returns cycles, utilisation, SRAM and HBM traffic, energy; time
 * is the roofline max(compute, SRAM, HBM).
 * ---------------------------------------------------------------------------------------- */

/* WEIGHT_FEED: compute-bound, but the arrays spend more cycles shifting stationary operands
 * (WS weights, IS inputs) in at one row per cycle than streaming through them (R > T with
 * double-buffering, sip_tile_params_t): the arrays' operand intake binds, not the MACs. */
typedef enum {
    SIP_BOUND_COMPUTE, SIP_BOUND_SRAM, SIP_BOUND_HBM, SIP_BOUND_WEIGHT_FEED, SIP_BOUND_COUNT
} sip_bound_t;
SIP_EXPORT const char *sip_bound_name(sip_bound_t bound);

typedef struct {
    double macs;
    double vector_ops;       /* element operations on the vector path */
    double array_cycles;     /* systolic schedule on the tile's arrays, at the precision */
    double vector_cycles;    /* vector work in tile clock cycles */
    double cycles;           /* time_s x clock */
    double compute_s, sram_s, hbm_s, time_s;
    sip_bound_t bound;
    double utilization;      /* macs / (time_s x peak MAC rate); 0 for MAC-less kernels */
    double mapping_eff;      /* of the systolic part (SCALE-Sim definition) */
    double sram_bytes, hbm_bytes;
    double energy_mac_pj, energy_sram_pj, energy_hbm_pj, energy_pj; /* NAN if unknown */
    double feed_cycles;      /* of array_cycles: arrays waiting for stationary operands */
} sip_kernel_result_t;

/* Where a kernel's operands live: in HBM (crossing the HBM interface once: ideal on-chip
 * reuse) or on chip. */
typedef struct {
    bool a_in_hbm, b_in_hbm, c_in_hbm;
    bool b_shared;           /* batched GEMM: one B for every batch member (weights) */
    /* Bytes per B element in HBM when weights are stored narrower than the compute (INT4 /
     * FP4 weights dequantised on the way in); 0 = the tile's bytes_per_elem. */
    double b_bytes_per_elem;
} sip_gemm_operands_t;

/* batch independent GEMMs A (m x k) x B (k x n); folds spread evenly over the tile's arrays:
 * array cycles = ceil(batch x F / arrays) x P - 1, divided by macs_per_cell.
 * ops may be NULL (everything on chip). */
SIP_EXPORT sip_status_t sip_kernel_gemm(const sip_tile_t *tile, int64_t batch, int64_t m, int64_t n,
                                        int64_t k, const sip_gemm_operands_t *ops,
                                        sip_kernel_result_t *out, sip_error_t *err);
/* y = W x for `batch` vectors: a GEMM with m = batch, W (k x n) from HBM when weights_in_hbm. */
SIP_EXPORT sip_status_t sip_kernel_gemv(const sip_tile_t *tile, int64_t batch, int64_t n, int64_t k,
                                        bool weights_in_hbm, sip_kernel_result_t *out,
                                        sip_error_t *err);
SIP_EXPORT sip_status_t sip_kernel_conv(const sip_tile_t *tile, const sip_conv_t *conv,
                                        bool in_hbm, sip_kernel_result_t *out, sip_error_t *err);

typedef struct {
    int64_t batch;          /* sequences */
    int64_t q_heads;        /* query heads on this tile */
    int64_t kv_heads;       /* key/value heads on this tile (GQA groups = q_heads / kv_heads) */
    int64_t head_dim;
    int64_t q_tokens;       /* prefill: prompt length; decode: 1 */
    int64_t kv_tokens;      /* keys attended to (decode: cached context + 1) */
    bool kv_in_hbm;         /* read K, V from the KV cache in HBM (decode) */
    bool kv_write_hbm;      /* write the q_tokens' new K, V to HBM */
    /* Causal mask: query i of the q_tokens (the last q_tokens of the kv_tokens) sees keys
     * 0 .. kv_tokens - q_tokens + i only; the masked blocks are skipped (FlashAttention-style
     * tiling), so MACs, array cycles and softmax work count q (kv - q) + q (q + 1) / 2 scores
     * instead of q x kv.  false = the full score matrix. */
    bool causal;
    /* Sliding-window attention (Mistral/Mixtral sliding_window): each query sees at most the
     * window's keys; 0 = no window. */
    int64_t window_tokens;
    /* Bytes per K/V element in HBM (FP8 KV cache = 1); 0 = the tile's bytes_per_elem. */
    double kv_bytes_per_elem;
    /* Multi-head latent attention (DeepSeek-V2/V3): the cache holds one latent of kv_lora_rank
     * + rope_dim per token shared by all heads (read instead of K and V); scores are computed
     * in the latent space (weight absorption): QK over kv_lora_rank + rope_dim, PV over
     * kv_lora_rank, for every query head.  0 = ordinary (GQA) attention. */
    int64_t mla_kv_lora_rank, mla_rope_dim;
    /* MLA value width (v_head_dim); prefill (q_tokens > 1) then computes K and V per head
     * from the latent (no absorption): QK over head_dim + rope_dim, PV over v_head_dim. */
    int64_t mla_v_head_dim;
} sip_attention_t;

/* QK^T, softmax (3 passes: max, exp-sum, scale), x V; the full q x kv score matrix unless
 * causal or windowed (see sip_attention_t). */
SIP_EXPORT sip_status_t sip_kernel_attention(const sip_tile_t *tile, const sip_attention_t *att,
                                             sip_kernel_result_t *out, sip_error_t *err);

typedef enum { SIP_NORM_RMS, SIP_NORM_LAYER } sip_norm_t;
/* rows x cols; RMSNorm 2 passes (sum of squares, scale), LayerNorm 3 (mean, variance, scale). */
SIP_EXPORT sip_status_t sip_kernel_norm(const sip_tile_t *tile, sip_norm_t norm, int64_t rows,
                                        int64_t cols, bool in_hbm, sip_kernel_result_t *out,
                                        sip_error_t *err);
/* elems x ops_per_elem element operations reading n_inputs tensors and writing one. */
SIP_EXPORT sip_status_t sip_kernel_elementwise(const sip_tile_t *tile, int64_t elems,
                                               double ops_per_elem, int n_inputs, bool in_hbm,
                                               sip_kernel_result_t *out, sip_error_t *err);
/* Add b into a (times, traffic, energy; NAN stays NAN), recomputing bound and utilisation. */
SIP_EXPORT void sip_kernel_result_add(sip_kernel_result_t *a, const sip_kernel_result_t *b,
                                      const sip_tile_t *tile);

/* ------------------------------------------------------------------------------------------
 * Transformer decoder shapes.  Shipped as model files, models/NAME.cfg (libconfig, each value
 * citing the public config.json it copies), read by src/config/model_shape.c (the only area
 * that includes libconfig); a shape built in code works the same.
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    char name[SIP_NAME_MAX];     /* file stem */
    int layers, hidden, heads, kv_heads, head_dim, ffn, vocab;
    bool gated_ffn;              /* SwiGLU: gate, up and down matrices (3), else up and down (2) */
    bool tied_embeddings;        /* LM head shares the embedding matrix (counted once) */
    sip_precision_t precision;   /* of the released weights (the workload sets the compute's) */
    char source[256];            /* citation; "" for shapes built in code */
    char path[SIP_PATH_MAX];     /* model file read; "" for shapes built in code */
    /* Mixture of experts (Mixtral, DeepSeek): 0 experts = every FFN dense.  An MoE layer has
     * n_experts routed experts of moe_ffn (each token to experts_per_token of them, gated like
     * the dense FFN), shared_experts always-on experts of moe_ffn and a router (hidden x
     * n_experts); the first dense_layers layers keep the dense FFN of `ffn`
     * (first_k_dense_replace). */
    int n_experts, experts_per_token, moe_ffn, shared_experts, dense_layers;
    /* Multi-head latent attention (DeepSeek-V2/V3; kv_lora_rank > 0): head_dim is
     * qk_nope_head_dim; queries through a q_lora_rank bottleneck (0 = a full projection);
     * the cache holds kv_lora_rank + qk_rope_dim per token. */
    int q_lora_rank, kv_lora_rank, qk_rope_dim, v_head_dim;
    int sliding_window;          /* keys a query sees (Mistral sliding_window); 0 = all */
} sip_model_shape_t;

/* Read one model file (NAME.cfg; the shape's name is the stem).  Errors: "path:line: message"
 * (unknown keys with a "did you mean", ranges, kv_heads dividing heads). */
SIP_EXPORT sip_status_t sip_model_shape_load(const char *path, sip_model_shape_t *out,
                                             sip_error_t *err);
/* Find `model` for a file `from` (a package; may be NULL or ""): a path (contains '/' or ends in
 * .cfg) is read relative to from's folder, else as given; a name is NAME.cfg in models/ beside
 * `from`, in its parent, its grandparent, then SIP_DATADIR/models.  Not found: SIP_ENOTFOUND at
 * from:from_line with a "did you mean" and the folders searched. */
SIP_EXPORT sip_status_t sip_model_shape_find(const char *model, const char *from, int from_line,
                                             sip_model_shape_t *out, sip_error_t *err);
/* Weight parameters (all layers, embedding and LM head; every expert) and MACs per token of
 * one forward pass excluding attention scores (the weights a token meets: its experts only;
 * 2 x params rule of thumb without the embedding). */
SIP_EXPORT double sip_model_shape_params(const sip_model_shape_t *shape);
SIP_EXPORT double sip_model_shape_dense_macs_per_token(const sip_model_shape_t *shape);

/* ------------------------------------------------------------------------------------------
 * A workload mapped onto a package.
 * ---------------------------------------------------------------------------------------- */

/* What bounds a step: the MACs (COMPUTE, named "macs"), on-chip SRAM, HBM, die-to-die links,
 * host I/O, or the arrays' stationary-operand intake (WEIGHT_FEED, see SIP_BOUND_WEIGHT_FEED). */
typedef enum {
    SIP_LIMIT_COMPUTE, SIP_LIMIT_SRAM, SIP_LIMIT_HBM, SIP_LIMIT_D2D, SIP_LIMIT_IO,
    SIP_LIMIT_WEIGHT_FEED, SIP_LIMIT_COUNT
} sip_limit_t;
SIP_EXPORT const char *sip_limit_name(sip_limit_t limit);

typedef struct {
    sip_tile_params_t tile;  /* defaults: sip_tile_params_init, but weight_prefetch = true and
                                the calibrated efficiencies (sip_workload_efficiency_defaults) */
    sip_routing_t routing;   /* for the D2D traffic (default minimal) */
    /* Pipeline micro-batches: the batch splits into this many micro-batches that follow each
     * other through the stages (GPipe-style); 0 = min(batch, pipeline_parallel). */
    int micro_batches;
    /* Storage precisions, apart from the compute's (wl->precision): weights (INT4 / FP4
     * weights dequantised on the way in) and the KV cache (FP8 KV); SIP_PREC_COUNT = the
     * compute's (sip_workload_options_init). */
    sip_precision_t weight_precision, kv_precision;
    /* Speculative decoding (Leviathan et al., ICML 2023): spec_tokens drafted per step, each
     * accepted with probability spec_acceptance; a step verifies spec_tokens + 1 positions per
     * sequence at once and yields (1 - a^(k+1)) / (1 - a) tokens.  The drafts come from
     * draft (a smaller model on the same chiplets, k decode steps per step) or, NULL, from
     * heads on the target model whose cost is not modelled (EAGLE / MTP style).
     * spec_tokens = 0: off. */
    int spec_tokens;
    double spec_acceptance;
    const sip_model_shape_t *draft;
} sip_workload_options_t;

SIP_EXPORT void sip_workload_options_init(sip_workload_options_t *opts);

/* One step: prefill = batch x context tokens at once; decode = one token per sequence
 * against a KV cache of context tokens. */
typedef struct {
    double tokens;                 /* tokens produced or consumed by the step */
    double time_s;
    double time_by_limit_s[SIP_LIMIT_COUNT]; /* step time attributed to what bounded it */
    sip_limit_t limit;             /* the largest of those */
    double macs;                   /* whole package */
    double hbm_bytes;              /* whole package */
    double d2d_bytes;              /* bytes offered to UCIe channels (sum over flows) */
    double io_bytes;               /* off-package */
    double mac_utilization;        /* macs / (time x peak of the chiplets used) */
    double energy_j;               /* from die power (TDP/idle x activity) x time */
} sip_step_t;

typedef struct sip_workload_result {
    sip_model_shape_t shape;
    sip_workload_t workload;       /* resolved: tensor_parallel, pipeline_parallel set */
    sip_precision_t precision;
    int n_compute;                 /* compute chiplets used = tp x pp */
    int *compute_instances;        /* owned; stage s, rank r at [s x tp + r] */
    sip_step_t prefill, decode;
    const sip_step_t *step;        /* the workload's phase (points into this struct) */
    double tokens_per_s;           /* of the phase: batch x context / prefill time or
                                      batch / decode step time */
    double ttft_s;                 /* prefill of the batch's prompts (vLLM / TensorRT-LLM:
                                      the prefill ends with the first token sampled) */
    double tpot_s;                 /* decode step time */
    double j_per_token;            /* phase step energy / its tokens */
    double hbm_bytes_per_token;    /* phase step HBM bytes / its tokens */
    double macs_per_token;         /* phase step MACs / its tokens */
    double peak_macs_per_s;        /* of the chiplets used */
    double hbm_GBps;               /* total HBM bandwidth of the chiplets used */
    /* memory footprint per compute chiplet (weights + KV cache) and whether it fits */
    double weight_bytes_per_chiplet, kv_bytes_per_chiplet, hbm_capacity_bytes_per_chiplet;
    bool fits;
    /* Per package instance, for the phase step: */
    int n_instances;
    double *busy_s;                /* owned: time the die's engines or memory are active */
    double *power_w;               /* owned: idle + (TDP - idle) x activity (for thermal) */
    /* D2D demand of the phase at its step rate (GB/s between package instances), and what the
     * traffic engine made of it. */
    int n_demands;
    sip_demand_t *demands;         /* owned */
    double d2d_max_util;           /* busiest UCIe channel or port at that rate */
    double d2d_energy_pj_per_byte;
    /* Bottom-up energy per token from the parameters (NAN when one is unknown). */
    double energy_mac_pj_per_token, energy_sram_pj_per_token, energy_hbm_pj_per_token;
    int micro_batches;             /* pipeline micro-batches used (1 without pipelining) */
    /* Speculative decoding (opts.spec_tokens > 0): tokens per sequence per decode step and
     * the step's time; tpot_s and decode tokens/s already include it. */
    double spec_tokens_per_step, spec_step_s;
} sip_workload_result_t;

/* Evaluate pkg->workload (wl = NULL) or wl with `shape` (NULL = sip_model_shape_find(wl->model)
 * from the package's file).  opts may be NULL. */
SIP_EXPORT sip_status_t sip_workload_evaluate(const sip_package_t *pkg, const sip_workload_t *wl,
                                              const sip_model_shape_t *shape,
                                              const sip_workload_options_t *opts,
                                              sip_workload_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_workload_result_destroy(sip_workload_result_t *res);

/* Serving a batch of requests end to end, as inference benchmarks measure it: every request
 * has a prompt of wl->context_tokens and generates wl->output_tokens (>= 1).
 *   static batching (TensorRT-LLM gptSessionBenchmark, vLLM offline): the batch's prompts are
 *     prefilled together (TTFT), then output_tokens - 1 decode steps follow; a decode step's
 *     time is affine in the context (KV reads), so the step at the mean context
 *     context + output_tokens / 2 gives the mean TPOT exactly;
 *     output tokens/s = batch x output_tokens / (TTFT + (output_tokens - 1) x TPOT);
 *   continuous batching (vLLM, TensorRT-LLM in-flight batching), steady state with `batch`
 *     sequences in flight: each step decodes batch tokens and, as batch / output_tokens of
 *     them finish per step, prefills as many new prompts (not overlapped with the decode);
 *     output tokens/s = batch / (TPOT + batch / output_tokens x prefill of one prompt). */
typedef struct {
    double ttft_s;                 /* prefill of the batch's prompts */
    double tpot_s;                 /* mean decode step */
    double output_tokens_per_s;    /* static batching */
    double request_s;              /* one request start to end (static batching) */
    double continuous_tokens_per_s;/* continuous batching, steady state */
    double continuous_tpot_s;      /* its step time (decode + the new prompts' prefill) */
    sip_limit_t prefill_limit, decode_limit;
    bool fits;                     /* weights + KV of context + output tokens */
    double weight_bytes_per_chiplet, kv_bytes_per_chiplet, hbm_capacity_bytes_per_chiplet;
} sip_serve_result_t;

SIP_EXPORT sip_status_t sip_workload_serve(const sip_package_t *pkg, const sip_workload_t *wl,
                                           const sip_model_shape_t *shape,
                                           const sip_workload_options_t *opts,
                                           sip_serve_result_t *out, sip_error_t *err);

/* For the thermal engine: a copy of pkg with every instance's power_w set from the result. */
SIP_EXPORT sip_status_t sip_workload_apply_power(const sip_package_t *pkg,
                                                 const sip_workload_result_t *res,
                                                 sip_package_t **out, sip_error_t *err);
/* For the traffic engine: the result's demand as a demand matrix on net (endpoints of each
 * instance's node share its flows equally). */
SIP_EXPORT sip_status_t sip_workload_demand(const sip_network_t *net,
                                            const sip_workload_result_t *res,
                                            sip_demand_matrix_t **out, sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * Reference numerics.
 * ---------------------------------------------------------------------------------------- */

/* C (m x n, int32) = A (m x k, int8, row-major) x B (k x n, int8, row-major), int32
 * accumulation with two's-complement wrap-around (as int32 hardware accumulators); bit exact. */
SIP_EXPORT void sip_ref_gemm_int8(int64_t m, int64_t n, int64_t k, const int8_t *a, const int8_t *b,
                                  int32_t *c);

typedef enum {
    SIP_FMT_FP8_E4M3,   /* OCP OFP8: bias 7, max 448, no infinities */
    SIP_FMT_FP8_E5M2,   /* OCP OFP8: bias 15, max 57344, IEEE-like */
    SIP_FMT_FP4_E2M1,   /* OCP MX: bias 1, max 6 */
    SIP_FMT_COUNT
} sip_float_format_t;
SIP_EXPORT const char *sip_float_format_name(sip_float_format_t fmt);
/* Round x to the nearest value of fmt (ties to even), saturating to +-max; NaN stays NaN. */
SIP_EXPORT double sip_quantize_scalar(sip_float_format_t fmt, double x);

typedef struct {
    double max_abs_err, rms_err, sqnr_db; /* sqnr = 10 log10(sum x^2 / sum err^2); INF if exact */
} sip_quant_error_t;

/* Quantize-dequantize x[0..n) into y with block scaling (OCP MX v1.0 §6.3): each block of
 * `block` values shares a power-of-two scale 2^(floor(log2(amax)) - emax(fmt)); block = 0
 * means no scaling.  err may be NULL. */
SIP_EXPORT sip_status_t sip_quantize_block(sip_float_format_t fmt, int64_t block, const double *x,
                                           int64_t n, double *y, sip_quant_error_t *qerr,
                                           sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
