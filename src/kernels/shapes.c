/* Transformer decoder shape arithmetic: parameters and MACs per token.  The shapes themselves
 * are model files (models/NAME.cfg, read by src/config/model_shape.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/kernels.h"

/* Attention weights of one layer: Q, K, V, O (GQA), or the MLA projections (DeepSeek-V2
 * sec. 2.1): W_DQ, W_UQ (or a full W_Q), W_DKV with the shared RoPE key, W_UK, W_UV, W_O. */
static double attention_params(const sip_model_shape_t *s)
{
    const double h = s->hidden, H = s->heads;
    if (s->kv_lora_rank > 0) {
        const double qk = (double)s->head_dim + s->qk_rope_dim, v = s->v_head_dim;
        const double q = s->q_lora_rank > 0
                             ? h * s->q_lora_rank + (double)s->q_lora_rank * H * qk
                             : h * H * qk;
        return q + h * ((double)s->kv_lora_rank + s->qk_rope_dim) +
               (double)s->kv_lora_rank * H * ((double)s->head_dim + v) + H * v * h;
    }
    const double q = H * s->head_dim, kv = (double)s->kv_heads * s->head_dim;
    return h * (q + 2.0 * kv) + q * h;
}

static double ffn_matrices(const sip_model_shape_t *s)
{
    return s->gated_ffn ? 3.0 : 2.0;
}

/* FFN weights of one layer; `active`: only those one token uses (its experts). */
static double ffn_params(const sip_model_shape_t *s, bool moe, bool active)
{
    const double h = s->hidden;
    if (!moe)
        return ffn_matrices(s) * h * s->ffn;
    const double experts = (active ? s->experts_per_token : s->n_experts) + s->shared_experts;
    return experts * ffn_matrices(s) * h * s->moe_ffn + h * s->n_experts; /* + router */
}

/* Layers with an MoE FFN (all but the first dense_layers when the model has experts). */
static double moe_layers(const sip_model_shape_t *s)
{
    if (s->n_experts <= 0)
        return 0.0;
    return s->layers > s->dense_layers ? (double)(s->layers - s->dense_layers) : 0.0;
}

/* Norm weights of one layer: two RMSNorms, plus the MLA latent norms. */
static double norm_params(const sip_model_shape_t *s)
{
    return 2.0 * s->hidden + (s->kv_lora_rank > 0 ? (double)s->kv_lora_rank + s->q_lora_rank : 0.0);
}

static double total(const sip_model_shape_t *s, bool active)
{
    const double L_moe = moe_layers(s), L_dense = s->layers - L_moe;
    return s->layers * attention_params(s) + L_dense * ffn_params(s, false, active) +
           L_moe * ffn_params(s, true, active);
}

double sip_model_shape_params(const sip_model_shape_t *s)
{
    /* Embedding and LM head count twice unless tied (Llama 3: tie_word_embeddings false); the
     * final norm adds `hidden`. */
    return total(s, false) + s->layers * norm_params(s) +
           (s->tied_embeddings ? 1.0 : 2.0) * (double)s->vocab * s->hidden + s->hidden;
}

double sip_model_shape_dense_macs_per_token(const sip_model_shape_t *s)
{
    /* Every weight matrix a token meets is one MAC per weight; norm weights and the embedding
     * lookup are not MACs. */
    return total(s, true) + (double)s->vocab * s->hidden;
}
