/* Model files (models/NAME.cfg): published parameter counts; MoE (Mixtral, DeepSeek-V3) with
 * expert parallel over chiplets; MLA and sliding-window KV caches; separate weight / KV
 * precisions; speculative decoding; the batch-latency curve.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli_run.h"
#include "common/files.h"
#include "sipsim.h"

static double rel(double a, double b)
{
    return fabs(a - b) / fabs(b);
}

static sip_model_shape_t load_model(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s.cfg", getenv("SIPSIM_SOURCE_ROOT"), name);
    sip_model_shape_t s;
    sip_error_t err;
    cr_assert_eq(sip_model_shape_load(path, &s, &err), SIP_OK, "%s", err.message);
    return s;
}

/* Model cards: Llama 2 7B 6.74 B; Qwen2.5 7B 7.61 B (7.62 without its 0.5 M QKV biases, not
 * modelled); Mistral 7B 7.24 B; Mixtral 46.7 B total, 12.9 B active (arXiv:2401.04088);
 * DeepSeek-V3 671 B total, 37 B active (arXiv:2412.19437). */
Test(kernels_models, parameter_counts_match_the_model_cards)
{
    const struct {
        const char *name;
        double params, active;
    } m[] = {{"llama2-7b", 6.738e9, 0}, {"qwen2.5-7b", 7.61e9, 0}, {"mistral-7b", 7.24e9, 0},
             {"mixtral-8x7b", 46.7e9, 12.9e9}, {"deepseek-v3", 671e9, 37e9},
             {"llama3-70b", 70.55e9, 0}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        const sip_model_shape_t s = load_model(m[i].name);
        cr_assert(rel(sip_model_shape_params(&s), m[i].params) < 0.01, "%s: %g", m[i].name,
                  sip_model_shape_params(&s));
        if (m[i].active > 0) /* active = the weights a token meets, embedding row aside */
            cr_assert(rel(sip_model_shape_dense_macs_per_token(&s), m[i].active) < 0.03,
                      "%s: %g active", m[i].name, sip_model_shape_dense_macs_per_token(&s));
    }
}

Test(kernels_models, bad_expert_and_mla_settings_name_the_line)
{
    char dir[] = "/tmp/sipsim_models_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/bad.cfg", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "layers = 2;\nhidden = 64;\nheads = 4;\nkv_heads = 4;\nffn = 128;\nvocab = 100;\n"
               "precision = \"bf16\";\nexperts = 4;\nexperts_per_token = 5;\n");
    fclose(f);
    sip_model_shape_t s;
    sip_error_t err;
    cr_assert_eq(sip_model_shape_load(path, &s, &err), SIP_EINVAL);
    cr_assert_eq(err.line, 8, "%s", err.message);
    f = fopen(path, "w");
    fprintf(f, "layers = 2;\nhidden = 64;\nheads = 4;\nkv_heads = 4;\nffn = 128;\nvocab = 100;\n"
               "precision = \"bf16\";\nqk_rope_dim = 64;\n");
    fclose(f);
    cr_assert_eq(sip_model_shape_load(path, &s, &err), SIP_EINVAL);
    cr_assert(strstr(err.message, "kv_lora_rank") != NULL, "%s", err.message);
    remove(path);
    rmdir(dir);
}

static sip_workload_t decode_of(const char *model, sip_precision_t prec, int batch, int context)
{
    sip_workload_t wl;
    memset(&wl, 0, sizeof wl);
    wl.present = true;
    snprintf(wl.model, sizeof wl.model, "%s", model);
    snprintf(wl.phase, sizeof wl.phase, "decode");
    wl.batch = batch;
    wl.context_tokens = context;
    wl.precision = prec;
    return wl;
}

/* Mixtral on the default package's 4 dies: experts spread whole over the ranks (2 each), so
 * each die holds about a quarter of the weights; batch-1 decode reads the 2 routed experts
 * of a token, not all 8: HBM bytes per token ~ active parameters. */
Test(kernels_models, mixtral_experts_spread_over_chiplets)
{
    sip_package_t *pkg = test_load_package("topologies/default.cfg");
    const sip_workload_t wl = decode_of("mixtral-8x7b", SIP_PREC_FP8, 1, 512);
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(r->workload.tensor_parallel, 4);
    const double total = sip_model_shape_params(&r->shape);
    cr_assert(rel(r->weight_bytes_per_chiplet, total / 4) < 0.05, "%g of %g",
              r->weight_bytes_per_chiplet, total);
    cr_assert(r->fits);
    const double active = sip_model_shape_dense_macs_per_token(&r->shape);
    const double kv = 32.0 * 2 * 8 * 128 * 513;
    /* Each of the 4 ranks reads its share of the attention; of the experts only those hit
     * (1 token x 2 routes over 8 experts: 2 x 8 x (1 - (7/8)^2) / 8 ~ 0.47 expert per rank,
     * rounded up to 1 in the kernel schedule): between active and 2 x active bytes. */
    cr_assert_gt(r->hbm_bytes_per_token, 0.9 * (active + kv));
    cr_assert_lt(r->hbm_bytes_per_token, 2.0 * active);
    sip_workload_result_destroy(r);
    /* At batch 256 every expert is hit: the bytes approach all weights. */
    const sip_workload_t big = decode_of("mixtral-8x7b", SIP_PREC_FP8, 256, 512);
    cr_assert_eq(sip_workload_evaluate(pkg, &big, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
    cr_assert_gt(r->decode.hbm_bytes, 0.95 * (total - 2.0 * 32000 * 4096));
    sip_workload_result_destroy(r);
    sip_package_destroy(pkg);
}

/* MLA caches 512 + 64 values per token and layer (vs 2 x 128 heads x 128 for MHA): the
 * KV footprint of DeepSeek-V3 is that, whatever the tensor parallel degree. */
Test(kernels_models, mla_and_window_kv_footprints)
{
    sip_package_t *pkg = test_load_package("topologies/reference/mi300x.cfg");
    sip_workload_t wl = decode_of("deepseek-v3", SIP_PREC_FP8, 4, 4096);
    wl.output_tokens = 0;
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err), SIP_OK, "%s", err.message);
    cr_assert(rel(r->kv_bytes_per_chiplet, 4.0 * 4096 * 61 * 576) < 1e-9, "%g",
                  r->kv_bytes_per_chiplet);
    cr_assert(!r->fits, "671 GB of FP8 weights do not fit one MI300X's 192 GiB");
    sip_workload_result_destroy(r);
    /* Mistral's 4096 window: a 32k context caches 4096 positions, and decode reads them. */
    wl = decode_of("mistral-7b", SIP_PREC_FP8, 1, 32768);
    sip_workload_t full = decode_of("llama3-8b", SIP_PREC_FP8, 1, 32768);
    sip_workload_result_t *m = NULL, *l = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, NULL, &m, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_workload_evaluate(pkg, &full, NULL, NULL, &l, &err), SIP_OK, "%s", err.message);
    cr_assert(rel(m->kv_bytes_per_chiplet, 4096.0 * 32 * 2 * 1 * 128) < 1e-9, "%g",
              m->kv_bytes_per_chiplet); /* 8 KV heads over 8 dies: 1 per die */
    cr_assert_lt(m->hbm_bytes_per_token, l->hbm_bytes_per_token);
    sip_workload_result_destroy(m);
    sip_workload_result_destroy(l);
    sip_package_destroy(pkg);
}

Test(kernels_models, weight_and_kv_precisions_apart_from_the_compute)
{
    sip_package_t *pkg = test_load_package("topologies/reference/h100_sxm.cfg");
    const sip_workload_t wl = decode_of("llama3-8b", SIP_PREC_BF16, 8, 4096);
    sip_workload_options_t o;
    sip_workload_options_init(&o);
    sip_workload_result_t *a = NULL, *b = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &a, NULL), SIP_OK);
    o.weight_precision = SIP_PREC_INT4;
    o.kv_precision = SIP_PREC_FP8;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &b, NULL), SIP_OK);
    cr_assert(rel(b->weight_bytes_per_chiplet, a->weight_bytes_per_chiplet / 4) < 1e-9);
    cr_assert(rel(b->kv_bytes_per_chiplet, a->kv_bytes_per_chiplet / 2) < 1e-9);
    /* HBM-bound decode: fewer bytes, shorter step; same MACs (dequantised to bf16). */
    cr_assert_lt(b->tpot_s, 0.5 * a->tpot_s);
    cr_assert(rel(b->decode.macs, a->decode.macs) < 1e-12);
    sip_workload_result_destroy(a);
    sip_workload_result_destroy(b);
    sip_package_destroy(pkg);
}

/* k = 4 drafts at acceptance 0.8: (1 - 0.8^5) / 0.2 = 3.3616 tokens per step; the verify step
 * of 5 positions costs about one decode step (HBM-bound), so TPOT drops ~3.3 x; a draft
 * model adds k of its own steps. */
Test(kernels_models, speculative_decoding_yields_tokens_per_step)
{
    sip_package_t *pkg = test_load_package("topologies/reference/h100_sxm.cfg");
    const sip_workload_t wl = decode_of("llama3-8b", SIP_PREC_FP8, 1, 2048);
    sip_workload_options_t o;
    sip_workload_options_init(&o);
    sip_workload_result_t *base = NULL, *spec = NULL, *drafted = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &base, NULL), SIP_OK);
    o.spec_tokens = 4;
    o.spec_acceptance = 0.8;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &spec, NULL), SIP_OK);
    cr_assert(rel(spec->spec_tokens_per_step, (1 - pow(0.8, 5)) / 0.2) < 1e-12);
    cr_assert(rel(spec->tpot_s * spec->spec_tokens_per_step, spec->decode.time_s) < 1e-12);
    cr_assert_lt(spec->tpot_s, base->tpot_s / 3.0);
    cr_assert_gt(spec->tpot_s, base->tpot_s / 3.5);
    /* One sequence: tokens/s = 1 / TPOT. */
    cr_assert(rel(spec->tokens_per_s, 1.0 / spec->tpot_s) < 1e-9);
    sip_model_shape_t draft;
    cr_assert_eq(sip_model_shape_find("llama2-7b", pkg->path, 0, &draft, NULL), SIP_OK);
    o.draft = &draft;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &drafted, NULL), SIP_OK);
    cr_assert_gt(drafted->tpot_s, spec->tpot_s);
    o.spec_acceptance = 1.5;
    sip_error_t err;
    sip_workload_result_t *bad = NULL;
    cr_assert_eq(sip_workload_evaluate(pkg, &wl, NULL, &o, &bad, &err), SIP_EINVAL);
    sip_workload_result_destroy(base);
    sip_workload_result_destroy(spec);
    sip_workload_result_destroy(drafted);
    sip_package_destroy(pkg);
}

/* Batch up, TPOT up, tokens/s up (until the KV cache no longer fits). */
Test(kernels_models, batch_curve_trades_latency_for_throughput)
{
    char svg[] = "/tmp/sipsim_curve_XXXXXX";
    int fd = mkstemp(svg);
    cr_assert_geq(fd, 0);
    close(fd);
    char args[512];
    snprintf(args, sizeof args, "perf topologies/reference/h100_sxm.cfg --model llama3-8b "
             "--precision fp8 --context 1024 --output-tokens 256 --batch-curve 1,8,64 "
             "--curve-svg %s", svg);
    int status;
    char *out = cli_run(cli_source_root(), args, &status);
    cr_assert_eq(status, 0, "%s", out);
    double tpot[3], tps[3];
    const char *p = strstr(out, "fits\n");
    cr_assert_not_null(p, "%s", out);
    for (int i = 0; i < 3; i++) {
        int b;
        double cont;
        p = strchr(p, '\n') + 1;
        cr_assert_eq(sscanf(p, "%d %lf %lf %lf", &b, &tpot[i], &tps[i], &cont), 4, "%s", p);
        cr_assert_gt(cont, 0.0);
        cr_assert_leq(cont, tps[i]);
    }
    cr_assert(tpot[0] < tpot[1] && tpot[1] < tpot[2]);
    cr_assert(tps[0] < tps[1] && tps[1] < tps[2]);
    free(out);
    FILE *f = fopen(svg, "r");
    char head[64] = "";
    cr_assert_not_null(fgets(head, sizeof head, f));
    cr_assert(strncmp(head, "<svg", 4) == 0);
    fclose(f);
    remove(svg);
}
