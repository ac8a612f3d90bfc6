/* sipsim — models from frameworks: a Hugging Face config.json as a transformer decoder shape,
 * and an ONNX model graph as a kernel sequence (GEMM, attention, normalisation, element-wise
 * kernels with their shapes) evaluated on a package's compute tiles.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_IMPORT_H
#define SIPSIM_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "sipsim/kernels.h"
#include "sipsim/model.h"
#include "sipsim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Hugging Face config.json (transformers' PretrainedConfig, written by save_pretrained).
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    sip_model_shape_t shape;
    char model_type[SIP_NAME_MAX];  /* "llama", "mistral", "qwen2", ... */
    int max_position_embeddings;    /* context the model was trained for (0 = not given) */
} sip_hf_config_t;

/* Read a config.json of a dense decoder: num_hidden_layers, hidden_size, num_attention_heads,
 * num_key_value_heads (default: num_attention_heads), head_dim (default hidden / heads),
 * intermediate_size, vocab_size, tie_word_embeddings (default of the model_type), torch_dtype
 * (or dtype), max_position_embeddings.  Keys the shape cannot represent (mixture of experts:
 * num_local_experts, num_experts_per_tok, n_routed_experts, num_experts; an active
 * sliding_window; latent attention: kv_lora_rank) are rejected naming the key, never ignored.
 * The shape's name is the folder of a file named config.json, else the file's stem. */
SIP_EXPORT sip_status_t sip_hf_config_load(const char *path, sip_hf_config_t *out,
                                           sip_error_t *err);
/* The same from text in memory (path names it in errors). */
SIP_EXPORT sip_status_t sip_hf_config_parse(const char *text, size_t len, const char *path,
                                            sip_hf_config_t *out, sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * A kernel sequence: the ops of a model graph in execution order, each one kernel of the
 * kernel library (include/sipsim/kernels.h) with its full-size shape.
 * ---------------------------------------------------------------------------------------- */

typedef enum {
    SIP_KOP_GEMM,        /* MatMul, Gemm, Conv (lowered to GEMM the SCALE-Sim way) */
    SIP_KOP_ATTENTION,   /* MatMul(Q, K^T) [scale] [mask] Softmax MatMul(., V) */
    SIP_KOP_NORM,        /* LayerNormalization, BatchNormalization (inference), ... */
    SIP_KOP_ELEMENTWISE, /* activations, arithmetic, Softmax outside attention, pooling */
    SIP_KOP_COUNT
} sip_kop_kind_t;
SIP_EXPORT const char *sip_kop_kind_name(sip_kop_kind_t kind);

typedef struct {
    sip_kop_kind_t kind;
    char name[SIP_NAME_MAX];     /* node name (or "#index" when the node has none) */
    char op_type[32];            /* ONNX op_type of the node (the first of a fused pattern) */
    int node;                    /* index of the (first) node in graph.node */
    int n_nodes;                 /* nodes the kernel covers (attention: the whole pattern) */
    /* GEMM: batch independent products A (m x k) x B (k x n). */
    int64_t batch, m, n, k;
    bool b_is_weight;            /* B is an initializer (shared across batch, read from HBM) */
    bool a_from_input, b_from_input; /* operand is a graph input (read from HBM) */
    double a_hbm_elems;          /* elements of A read when A is in HBM: batch m k, but for
                                    Conv the input feature map (im2col is built on chip) */
    /* ATTENTION: batch = sequences x heads folded into att.batch with q_heads = kv_heads. */
    sip_attention_t att;
    /* NORM: rows x cols. */
    sip_norm_t norm;
    int64_t rows, cols;
    /* ELEMENTWISE: elems x ops_per_elem reading n_inputs tensors. */
    int64_t elems;
    double ops_per_elem;
    int n_inputs;
    double macs;                 /* of the full-size op (GEMM: batch m n k) */
    double out_elems;            /* elements written */
} sip_kop_t;

typedef struct {
    char path[SIP_PATH_MAX];
    char graph_name[SIP_NAME_MAX];
    int n_ops;
    sip_kop_t *ops;              /* owned */
    int n_nodes;                 /* nodes in the graph (shape-only nodes included) */
    int n_shape_only;            /* nodes that move no data worth a kernel (Reshape, ...) */
    double weight_elems;         /* elements of the initializers the kernels read as weights */
    double macs;                 /* sum over ops */
} sip_kernel_seq_t;

SIP_EXPORT void sip_kernel_seq_fini(sip_kernel_seq_t *seq);

/* Symbolic dimensions (dim_param) of graph inputs get their value from bindings "name=value";
 * an unbound one is an error naming the input. */
typedef struct {
    int n_dims;
    const char *const *dims;     /* "name=value" */
} sip_onnx_options_t;

/* Read an ONNX model (protobuf ModelProto, onnx.proto of libonnx-dev) and walk its graph in
 * node order, inferring shapes from the graph inputs, initializers and value_info.  Errors name
 * the file, the node (name and index) and what was expected; a truncated or corrupt file is an
 * error.  opts may be NULL. */
SIP_EXPORT sip_status_t sip_onnx_load(const char *path, const sip_onnx_options_t *opts,
                                      sip_kernel_seq_t *out, sip_error_t *err);
SIP_EXPORT sip_status_t sip_onnx_parse(const uint8_t *data, size_t len, const char *path,
                                       const sip_onnx_options_t *opts, sip_kernel_seq_t *out,
                                       sip_error_t *err);

/* ------------------------------------------------------------------------------------------
 * A kernel sequence on a package.
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    sip_kernel_result_t k;       /* the op on one rank (its share) */
    double time_s;               /* on the slowest rank */
} sip_kop_result_t;

typedef struct {
    int n_ranks;
    int *ranks;                  /* owned: compute instances used */
    sip_precision_t precision;
    int n_ops;
    sip_kop_result_t *ops;       /* owned, per op of the sequence */
    double time_s;               /* one pass of the sequence */
    double time_by_bound_s[SIP_BOUND_COUNT];
    sip_bound_t bound;           /* the largest of those */
    double macs, hbm_bytes, sram_bytes; /* all ranks */
    double peak_macs_per_s;      /* of the ranks */
    double mac_utilization;
    double weight_bytes_per_rank, hbm_capacity_bytes_per_rank;
    bool fits;
    double energy_j;             /* ranks' idle + (TDP - idle) x activity over time_s */
    double energy_mac_pj, energy_sram_pj, energy_hbm_pj; /* bottom-up; NAN if unknown */
} sip_kernel_seq_result_t;

/* Run seq on `n_ranks` compute chiplets of pkg that run `precision` (0 = all of them).  Each
 * op is split by rows over the ranks (GEMM M, i.e. tokens / output pixels; attention
 * sequences x heads; norm rows; element-wise elements; shares rounded up), so the ranks never
 * exchange activations; every rank holds all weights in its own attached HBM.  Operands:
 * weights and graph inputs in HBM; intermediate activations on chip when an op's input and
 * output fit the die's SRAM, else in HBM.  opts may be NULL. */
SIP_EXPORT sip_status_t sip_kernel_seq_evaluate(const sip_package_t *pkg,
                                                const sip_kernel_seq_t *seq,
                                                sip_precision_t precision, int n_ranks,
                                                const sip_workload_options_t *opts,
                                                sip_kernel_seq_result_t **out, sip_error_t *err);
SIP_EXPORT void sip_kernel_seq_result_destroy(sip_kernel_seq_result_t *res);

#ifdef __cplusplus
}
#endif
#endif
