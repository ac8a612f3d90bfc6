/* Transformer decoder shape arithmetic: parameters and MACs per token.  The shapes themselves
 * are model files (models/NAME.cfg, read by src/config/model_shape.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/kernels.h"

/* Weights of one decoder layer: Q, K, V, O projections and the FFN (norm weights included). */
static double layer_params(const sip_model_shape_t *s)
{
    const double h = s->hidden, q = (double)s->heads * s->head_dim,
                 kv = (double)s->kv_heads * s->head_dim;
    return h * (q + 2.0 * kv) + q * h + (s->gated_ffn ? 3.0 : 2.0) * h * s->ffn + 2.0 * h;
}

double sip_model_shape_params(const sip_model_shape_t *s)
{
    /* Embedding and LM head count twice unless tied (Llama 3: tie_word_embeddings false); the
     * final norm adds `hidden`. */
    return s->layers * layer_params(s) +
           (s->tied_embeddings ? 1.0 : 2.0) * (double)s->vocab * s->hidden + s->hidden;
}

double sip_model_shape_dense_macs_per_token(const sip_model_shape_t *s)
{
    /* Every weight matrix is one MAC per weight per token; norm weights and the embedding
     * lookup are not MACs. */
    return s->layers * (layer_params(s) - 2.0 * s->hidden) + (double)s->vocab * s->hidden;
}
