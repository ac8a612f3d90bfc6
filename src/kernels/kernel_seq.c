/* A kernel sequence (an imported ONNX graph, include/sipsim/import.h) on a package's compute
 * tiles.  Model of one pass (the choices are stated where they are made):
 *   - the kernels run one after the other, each a roofline on its tile (kernel.c);
 *   - each kernel is split by rows over the ranks (data parallel inside every op), so ranks
 *     exchange no activations and no D2D traffic is generated; every rank holds every weight
 *     in its own HBM and streams it per pass (the cost of a row split at small batch);
 *   - a kernel's time is its slowest rank's; the pass is the sum of kernel times;
 *   - power as the workload's (workload.c): idle + (TDP - idle) x activity for the ranks and
 *     their memory stacks; other dies idle.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipsim/import.h"

void sip_kernel_seq_result_destroy(sip_kernel_seq_result_t *r)
{
    if (!r)
        return;
    free(r->ranks);
    free(r->ops);
    free(r);
}

static int64_t share(int64_t n, int ranks)
{
    return (n + ranks - 1) / ranks;
}

/* One op's share on one rank's tile. */
static sip_status_t eval_op(const sip_tile_t *t, const sip_kop_t *op, int R,
                            sip_kernel_result_t *k, sip_error_t *err)
{
    const double e = t->bytes_per_elem;
    switch (op->kind) {
    case SIP_KOP_GEMM: {
        /* Split the batch when it covers the ranks, else the rows. */
        const int64_t batch = op->batch >= R ? share(op->batch, R) : op->batch;
        const int64_t m = op->batch >= R ? op->m : share(op->m, R);
        /* Activations on chip when the op's input and output fit the die's SRAM (as the
         * workload decides for a layer), else they stream through HBM. */
        const double act = (double)batch * m * (double)(op->k + op->n) * e;
        const bool spill = act > t->sram_bytes;
        const sip_gemm_operands_t ops = {.b_in_hbm = op->b_is_weight || op->b_from_input || spill,
                                         .c_in_hbm = spill, .b_shared = op->batch == 1 ||
                                                                         op->b_is_weight};
        SIP_TRY(sip_kernel_gemm(t, batch, m, op->n, op->k, &ops, k, err));
        if (spill || op->a_from_input) {
            /* A crosses HBM once: its share of a_hbm_elems (a Conv's feature map, not the
             * im2col matrix the kernel would count); the roofline redone as kernel.c's. */
            const double frac = (double)batch * m / ((double)op->batch * op->m);
            k->hbm_bytes += op->a_hbm_elems * frac * e;
            k->hbm_s = k->hbm_bytes / (t->hbm_GBps * 1e9);
            if (k->hbm_s > k->time_s) {
                k->time_s = k->hbm_s;
                k->bound = SIP_BOUND_HBM;
                k->cycles = k->time_s * t->clock_ghz * 1e9;
                k->utilization = k->macs / (k->time_s * sip_tile_peak_macs_per_s(t));
            }
            k->energy_hbm_pj = k->hbm_bytes * 8.0 * t->hbm_pj_per_bit;
            k->energy_pj = k->energy_mac_pj + k->energy_sram_pj + k->energy_hbm_pj;
        }
        return SIP_OK;
    }
    case SIP_KOP_ATTENTION: {
        sip_attention_t a = op->att;
        if (a.batch >= R)
            a.batch = share(a.batch, R);
        else
            a.q_tokens = share(a.q_tokens, R); /* each rank its query rows, all keys */
        return sip_kernel_attention(t, &a, k, err);
    }
    case SIP_KOP_NORM: {
        const int64_t rows = share(op->rows, R);
        const bool spill = 2.0 * (double)rows * op->cols * e > t->sram_bytes;
        return sip_kernel_norm(t, op->norm, rows, op->cols, spill || op->a_from_input, k, err);
    }
    case SIP_KOP_ELEMENTWISE: {
        const int64_t n = share(op->elems, R);
        const bool spill = (op->n_inputs + 1.0) * (double)n * e > t->sram_bytes;
        return sip_kernel_elementwise(t, n, op->ops_per_elem, op->n_inputs,
                                      spill || op->a_from_input, k, err);
    }
    default:
        return sip_error_set(err, SIP_EINTERNAL, NULL, 0, "kernel kind %d", (int)op->kind);
    }
}

sip_status_t sip_kernel_seq_evaluate(const sip_package_t *pkg, const sip_kernel_seq_t *seq,
                                     sip_precision_t precision, int n_ranks,
                                     const sip_workload_options_t *opts,
                                     sip_kernel_seq_result_t **out, sip_error_t *err)
{
    *out = NULL;
    sip_workload_options_t dflt;
    if (!opts) {
        sip_workload_options_init(&dflt);
        opts = &dflt;
    }
    if (seq->n_ops < 1)
        return sip_error_set(err, SIP_EINVAL, seq->path, 0, "the graph has no kernels (only "
                             "shape operators; expected a MatMul, Conv, ... to evaluate)");
    if (n_ranks < 0)
        return sip_error_set(err, SIP_EINVAL, pkg->path, 0, "%d ranks (expected >= 0; 0 = "
                             "every compute chiplet)", n_ranks);
    sip_status_t st = SIP_OK;
    sip_kernel_seq_result_t *r = calloc(1, sizeof *r);
    sip_tile_t *tiles = calloc((size_t)pkg->n_instances + 1, sizeof *tiles);
    int *ranks = calloc((size_t)pkg->n_instances + 1, sizeof *ranks);
    double *busy = calloc((size_t)pkg->n_instances + 1, 2 * sizeof *busy);
    if (!r || !tiles || !ranks || !busy) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (kernel sequence)");
        goto out;
    }
    int n = 0;
    for (int i = 0; i < pkg->n_instances && (n_ranks == 0 || n < n_ranks); i++) {
        if (pkg->instances[i].attached_to >= 0 ||
            sip_instance_type(pkg, i)->kind != SIP_KIND_COMPUTE ||
            sip_tile_from_instance(pkg, i, precision, &opts->tile, &tiles[n], NULL) != SIP_OK)
            continue;
        if (!(tiles[n].hbm_GBps > 0.0)) {
            st = sip_error_set(err, SIP_EINVAL, pkg->path, pkg->instances[i].line,
                               "compute chiplet '%s' has no attached memory for the weights "
                               "(expected an HBM instance with attach = \"%s\")",
                               pkg->instances[i].name, pkg->instances[i].name);
            goto out;
        }
        ranks[n++] = i;
    }
    if (n == 0 || (n_ranks > 0 && n < n_ranks)) {
        st = sip_error_set(err, SIP_EINVAL, pkg->path, 0,
                           "%d compute chiplets run %s (expected %s)", n,
                           sip_precision_name(precision),
                           n_ranks > 0 ? "at least the ranks asked for" : "at least one");
        goto out;
    }
    r->n_ranks = n;
    r->precision = precision;
    r->n_ops = seq->n_ops;
    r->ops = calloc((size_t)seq->n_ops, sizeof *r->ops);
    if (!r->ops) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (kernel sequence)");
        goto out;
    }
    double *rank_busy = busy, *rank_compute = busy + pkg->n_instances + 1;
    double *rank_hbm = calloc((size_t)n, sizeof *rank_hbm);
    if (!rank_hbm) {
        st = sip_error_set(err, SIP_ENOMEM, NULL, 0, "out of memory (kernel sequence)");
        goto out;
    }
    r->energy_mac_pj = r->energy_sram_pj = r->energy_hbm_pj = 0.0;
    for (int o = 0; o < seq->n_ops; o++) {
        const sip_kop_t *op = &seq->ops[o];
        sip_kop_result_t *kr = &r->ops[o];
        for (int q = 0; q < n; q++) {
            sip_kernel_result_t k;
            if ((st = eval_op(&tiles[q], op, n, &k, err)) != SIP_OK) {
                /* Name the kernel: the tile's message says what, this says where. */
                char why[SIP_MESSAGE_MAX];
                snprintf(why, sizeof why, "%s", err ? err->message : "");
                sip_error_set(err, st, seq->path, 0, "node '%s' (index %d, %s): %s", op->name,
                              op->node, op->op_type, why);
                free(rank_hbm);
                goto out;
            }
            if (q == 0 || k.time_s > kr->time_s) {
                kr->k = k;
                kr->time_s = k.time_s;
            }
            rank_busy[q] += k.time_s;
            rank_compute[q] += k.compute_s;
            rank_hbm[q] += k.hbm_bytes;
            r->macs += k.macs;
            r->hbm_bytes += k.hbm_bytes;
            r->sram_bytes += k.sram_bytes;
            r->energy_mac_pj += k.energy_mac_pj;
            r->energy_sram_pj += k.energy_sram_pj;
            r->energy_hbm_pj += k.energy_hbm_pj;
        }
        r->time_s += kr->time_s;
        r->time_by_bound_s[kr->k.bound] += kr->time_s;
    }
    r->bound = SIP_BOUND_COMPUTE;
    for (int b = 1; b < SIP_BOUND_COUNT; b++)
        if (r->time_by_bound_s[b] > r->time_by_bound_s[r->bound])
            r->bound = (sip_bound_t)b;
    r->hbm_capacity_bytes_per_rank = INFINITY;
    for (int q = 0; q < n; q++) {
        r->peak_macs_per_s += sip_tile_peak_macs_per_s(&tiles[q]);
        if (tiles[q].hbm_bytes < r->hbm_capacity_bytes_per_rank)
            r->hbm_capacity_bytes_per_rank = tiles[q].hbm_bytes;
    }
    r->mac_utilization = r->time_s > 0.0 ? r->macs / (r->time_s * r->peak_macs_per_s) : 0.0;
    r->weight_bytes_per_rank = seq->weight_elems * tiles[0].bytes_per_elem;
    r->fits = r->weight_bytes_per_rank <= r->hbm_capacity_bytes_per_rank;
    /* Energy over one pass: ranks by their compute activity, their memory stacks by the bytes
     * they served over their bandwidth, every other die idle. */
    const double T = r->time_s;
    for (int i = 0; i < pkg->n_instances; i++) {
        const sip_chiplet_type_t *type = sip_instance_type(pkg, i);
        double activity = 0.0;
        for (int q = 0; q < n; q++) {
            if (ranks[q] == i)
                activity = T > 0.0 ? rank_compute[q] / T : 0.0;
            else if (pkg->instances[i].attached_to == ranks[q] && tiles[q].hbm_GBps > 0.0) {
                double own = 0.0;
                for (int m = 0; m < type->n_memories; m++)
                    own += type->memories[m].bandwidth_GBps;
                const double bytes = rank_hbm[q] * own / tiles[q].hbm_GBps;
                activity = T > 0.0 && own > 0.0 ? bytes / (own * 1e9) / T : 0.0;
            }
        }
        activity = activity < 0.0 ? 0.0 : (activity > 1.0 ? 1.0 : activity);
        const double full = sip_instance_power_w(pkg, i), idle = type->idle_w;
        r->energy_j += (idle + (full > idle ? full - idle : 0.0) * activity) * T;
    }
    free(rank_hbm);
    r->ranks = ranks;
    ranks = NULL;
    *out = r;
    r = NULL;
out:
    sip_kernel_seq_result_destroy(r);
    free(tiles);
    free(ranks);
    free(busy);
    return st;
}
