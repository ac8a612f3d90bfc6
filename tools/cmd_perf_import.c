/* sipsim perf FILE --model-file MODEL.onnx: an ONNX graph read into a kernel sequence and run
 * on the package's compute chiplets (include/sipsim/import.h): per-kernel shapes, MACs, time
 * and bound, then the pass time, passes/s, MAC utilisation, bottleneck, energy.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "perf_import.h"

bool perf_is_onnx(const char *path)
{
    const size_t n = strlen(path);
    return n > 5 && strcmp(path + n - 5, ".onnx") == 0;
}

void perf_resolve_model_path(const sip_package_t *pkg, const char *model, char *out, size_t size)
{
    snprintf(out, size, "%s", model);
    if (model[0] == '/' || !pkg->path[0])
        return;
    const char *slash = strrchr(pkg->path, '/');
    if (!slash)
        return;
    char cand[2 * SIP_PATH_MAX];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)(slash - pkg->path), pkg->path, model);
    if (access(cand, R_OK) == 0)
        snprintf(out, size, "%s", cand);
}

int perf_check_context(const char *model_file, const sip_workload_t *wl)
{
    const size_t n = strlen(model_file);
    if (n < 5 || strcmp(model_file + n - 5, ".json") != 0)
        return CLI_EXIT_OK;
    sip_hf_config_t hf;
    sip_error_t err;
    sip_error_clear(&err);
    if (sip_hf_config_load(model_file, &hf, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    const long long tokens = (long long)wl->context_tokens + wl->output_tokens;
    if (hf.max_position_embeddings > 0 && tokens > hf.max_position_embeddings) {
        fprintf(stderr, "sipsim perf: %s: context %d + output %d tokens exceed "
                        "max_position_embeddings %d (expected at most that many positions)\n",
                model_file, wl->context_tokens, wl->output_tokens, hf.max_position_embeddings);
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static void shape_text(const sip_kop_t *k, char *buf, size_t size)
{
    switch (k->kind) {
    case SIP_KOP_GEMM:
        snprintf(buf, size, "%lld x (%lld x %lld x %lld)%s", (long long)k->batch,
                 (long long)k->m, (long long)k->n, (long long)k->k,
                 k->b_is_weight ? " W" : "");
        break;
    case SIP_KOP_ATTENTION:
        snprintf(buf, size, "%lld x q %lld kv %lld d %lld", (long long)k->att.batch,
                 (long long)k->att.q_tokens, (long long)k->att.kv_tokens,
                 (long long)k->att.head_dim);
        break;
    case SIP_KOP_NORM:
        snprintf(buf, size, "%lld x %lld", (long long)k->rows, (long long)k->cols);
        break;
    default:
        snprintf(buf, size, "%lld x %g ops", (long long)k->elems, k->ops_per_elem);
    }
}

static json_t *result_json(const sip_package_t *pkg, const sip_kernel_seq_t *s,
                           const sip_kernel_seq_result_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "package", json_string(pkg->name));
    json_object_set_new(o, "model_file", json_string(s->path));
    json_object_set_new(o, "graph", json_string(s->graph_name));
    json_object_set_new(o, "precision", json_string(sip_precision_name(r->precision)));
    json_object_set_new(o, "nodes", json_integer(s->n_nodes));
    json_object_set_new(o, "shape_only_nodes", json_integer(s->n_shape_only));
    json_object_set_new(o, "weight_elems", json_real(s->weight_elems));
    json_t *ranks = json_array();
    for (int q = 0; q < r->n_ranks; q++)
        json_array_append_new(ranks, json_string(pkg->instances[r->ranks[q]].name));
    json_object_set_new(o, "compute_chiplets", ranks);
    json_object_set_new(o, "time_s", json_real(r->time_s));
    json_object_set_new(o, "passes_per_s", json_real(r->time_s > 0 ? 1.0 / r->time_s : 0.0));
    json_t *by = json_object();
    for (int b = 0; b < SIP_BOUND_COUNT; b++)
        json_object_set_new(by, sip_bound_name((sip_bound_t)b), json_real(r->time_by_bound_s[b]));
    json_object_set_new(o, "time_by_bound_s", by);
    json_object_set_new(o, "bottleneck", json_string(sip_bound_name(r->bound)));
    json_object_set_new(o, "macs", json_real(r->macs));
    json_object_set_new(o, "hbm_bytes", json_real(r->hbm_bytes));
    json_object_set_new(o, "peak_macs_per_s", json_real(r->peak_macs_per_s));
    json_object_set_new(o, "mac_utilization", json_real(r->mac_utilization));
    json_object_set_new(o, "weight_bytes_per_chiplet", json_real(r->weight_bytes_per_rank));
    json_object_set_new(o, "hbm_capacity_bytes_per_chiplet", num(r->hbm_capacity_bytes_per_rank));
    json_object_set_new(o, "fits", json_boolean(r->fits));
    json_object_set_new(o, "energy_j", json_real(r->energy_j));
    json_t *ops = json_array();
    for (int i = 0; i < s->n_ops; i++) {
        const sip_kop_t *k = &s->ops[i];
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(k->name));
        json_object_set_new(e, "op_type", json_string(k->op_type));
        json_object_set_new(e, "node", json_integer(k->node));
        json_object_set_new(e, "kernel", json_string(sip_kop_kind_name(k->kind)));
        char sh[128];
        shape_text(k, sh, sizeof sh);
        json_object_set_new(e, "shape", json_string(sh));
        json_object_set_new(e, "macs", json_real(k->macs));
        json_object_set_new(e, "time_s", json_real(r->ops[i].time_s));
        json_object_set_new(e, "bound", json_string(sip_bound_name(r->ops[i].k.bound)));
        json_array_append_new(ops, e);
    }
    json_object_set_new(o, "kernels", ops);
    return o;
}

static void print_result(FILE *f, const sip_package_t *pkg, const sip_kernel_seq_t *s,
                         const sip_kernel_seq_result_t *r)
{
    fprintf(f, "ONNX graph '%s' (%s) on %s: %d nodes -> %d kernels (%d shape-only nodes), %s\n",
            s->graph_name, s->path, pkg->name, s->n_nodes, s->n_ops, s->n_shape_only,
            sip_precision_name(r->precision));
    fprintf(f, "  chiplets:");
    for (int q = 0; q < r->n_ranks; q++)
        fprintf(f, " %s", pkg->instances[r->ranks[q]].name);
    fprintf(f, "  (each kernel split by rows; peak %.4g TMAC/s)\n", r->peak_macs_per_s / 1e12);
    fprintf(f, "  weights per chiplet %.6g MB of %.6g GB%s\n\n", r->weight_bytes_per_rank / 1e6,
            r->hbm_capacity_bytes_per_rank / 1e9, r->fits ? "" : "  DOES NOT FIT");
    fprintf(f, "  %4s %-20s %-22s %-11s %-30s %12s %12s %s\n", "#", "node", "op", "kernel",
            "shape", "MACs", "time us", "bound");
    for (int i = 0; i < s->n_ops; i++) {
        const sip_kop_t *k = &s->ops[i];
        char sh[128];
        shape_text(k, sh, sizeof sh);
        fprintf(f, "  %4d %-20.20s %-22.22s %-11s %-30.30s %12.6g %12.4f %s\n", i, k->name,
                k->op_type, sip_kop_kind_name(k->kind), sh, k->macs, r->ops[i].time_s * 1e6,
                sip_bound_name(r->ops[i].k.bound));
    }
    fprintf(f, "\n  pass time     %12.6g us   (compute %.6g, sram %.6g, hbm %.6g us)\n",
            r->time_s * 1e6, r->time_by_bound_s[SIP_BOUND_COMPUTE] * 1e6,
            r->time_by_bound_s[SIP_BOUND_SRAM] * 1e6, r->time_by_bound_s[SIP_BOUND_HBM] * 1e6);
    fprintf(f, "  passes/s      %12.6g\n", r->time_s > 0 ? 1.0 / r->time_s : 0.0);
    fprintf(f, "  bottleneck    %12s\n", sip_bound_name(r->bound));
    fprintf(f, "  MACs          %12.6g   MAC util %.2f %%\n", r->macs, 100.0 * r->mac_utilization);
    fprintf(f, "  HBM bytes     %12.6g\n", r->hbm_bytes);
    fprintf(f, "  energy        %12.6g J/pass (die power x pass time)\n", r->energy_j);
}

int perf_onnx(const sip_package_t *pkg, const char *path, sip_precision_t precision, int ranks,
              const char *const *dims, int n_dims, const sip_workload_options_t *opts,
              const cli_common_t *common)
{
    sip_error_t err;
    sip_error_clear(&err);
    sip_kernel_seq_t seq;
    const sip_onnx_options_t o = {.n_dims = n_dims, .dims = dims};
    if (sip_onnx_load(path, &o, &seq, &err) != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    int rc = CLI_EXIT_OK;
    sip_kernel_seq_result_t *r = NULL;
    if (sip_kernel_seq_evaluate(pkg, &seq, precision, ranks, opts, &r, &err) != SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    FILE *f = cli_open_output(common->output);
    if (!f) {
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (common->json)
        cli_print_json(f, result_json(pkg, &seq, r), JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    else
        print_result(f, pkg, &seq, r);
    cli_close_output(f);
    /* Weights that do not fit make the numbers meaningless: say so in the exit code. */
    if (!r->fits) {
        fprintf(stderr, "sipsim perf: %s: weights %.6g GB per chiplet exceed its %.6g GB of "
                        "HBM (expected a model that fits)\n", path,
                r->weight_bytes_per_rank / 1e9, r->hbm_capacity_bytes_per_rank / 1e9);
        rc = CLI_EXIT_CHECK;
    }
out:
    sip_kernel_seq_result_destroy(r);
    sip_kernel_seq_fini(&seq);
    return rc;
}
