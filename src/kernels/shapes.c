/* Shipped transformer decoder shapes: a const table (no model files to parse), each row citing
 * the public model configuration it copies.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "sipsim/kernels.h"

static const sip_model_shape_t shapes[] = {
    /* Meta Llama 3 8B: config.json of huggingface.co/meta-llama/Meta-Llama-3-8B (hidden_size
     * 4096, num_hidden_layers 32, num_attention_heads 32, num_key_value_heads 8,
     * intermediate_size 14336, vocab_size 128256, hidden_act silu = SwiGLU); head_dim =
     * 4096 / 32.  The same figures are in the Llama 3 model card (github.com/meta-llama/llama3,
     * MODEL_CARD.md) and "The Llama 3 Herd of Models" (arXiv:2407.21783, Table 3). */
    {"llama3-8b", 32, 4096, 32, 8, 128, 14336, 128256, true,
     "huggingface.co/meta-llama/Meta-Llama-3-8B config.json; arXiv:2407.21783 Table 3"},
    /* Meta Llama 3 70B: config.json of huggingface.co/meta-llama/Meta-Llama-3-70B (hidden_size
     * 8192, num_hidden_layers 80, num_attention_heads 64, num_key_value_heads 8,
     * intermediate_size 28672, vocab_size 128256); head_dim = 8192 / 64. */
    {"llama3-70b", 80, 8192, 64, 8, 128, 28672, 128256, true,
     "huggingface.co/meta-llama/Meta-Llama-3-70B config.json; arXiv:2407.21783 Table 3"},
};

int sip_model_shape_count(void)
{
    return (int)(sizeof shapes / sizeof shapes[0]);
}

const sip_model_shape_t *sip_model_shape_get(int index)
{
    return index >= 0 && index < sip_model_shape_count() ? &shapes[index] : NULL;
}

const sip_model_shape_t *sip_model_shape_find(const char *name)
{
    for (int i = 0; i < sip_model_shape_count(); i++)
        if (strcmp(shapes[i].name, name) == 0)
            return &shapes[i];
    return NULL;
}

/* Weights of one decoder layer: Q, K, V, O projections and the FFN (norm weights included). */
static double layer_params(const sip_model_shape_t *s)
{
    const double h = s->hidden, q = (double)s->heads * s->head_dim,
                 kv = (double)s->kv_heads * s->head_dim;
    return h * (q + 2.0 * kv) + q * h + (s->gated_ffn ? 3.0 : 2.0) * h * s->ffn + 2.0 * h;
}

double sip_model_shape_params(const sip_model_shape_t *s)
{
    /* Llama 3 does not tie embedding and LM head (tie_word_embeddings false): both count. */
    return s->layers * layer_params(s) + 2.0 * (double)s->vocab * s->hidden + s->hidden;
}

double sip_model_shape_dense_macs_per_token(const sip_model_shape_t *s)
{
    /* Every weight matrix is one MAC per weight per token; norm weights and the embedding
     * lookup are not MACs. */
    return s->layers * (layer_params(s) - 2.0 * s->hidden) + (double)s->vocab * s->hidden;
}
