/* sipsim perf FILE: the package's inference workload end to end (kernel library): step times,
 * tokens/s, TTFT, TPOT, J/token, bottleneck, per-chiplet busy time and power, D2D demand.
 * sipsim kernel gemm|conv ...: one kernel on one tile (SCALE-Sim metrics + roofline).
 * sipsim bench kernels: GEMM tile evaluations per second, decode-step evaluation time.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "perf_import.h"
#include "sipsim/kernels.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null(); /* unknown energy -> null */
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*out);
}

static bool parse_int(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 100000000)
        return false;
    *out = (int)v;
    return true;
}

static json_t *step_json(const sip_step_t *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "tokens", json_real(s->tokens));
    json_object_set_new(o, "time_s", json_real(s->time_s));
    json_t *by = json_object();
    for (int l = 0; l < SIP_LIMIT_COUNT; l++)
        json_object_set_new(by, sip_limit_name((sip_limit_t)l), json_real(s->time_by_limit_s[l]));
    json_object_set_new(o, "time_by_limit_s", by);
    json_object_set_new(o, "limit", json_string(sip_limit_name(s->limit)));
    json_object_set_new(o, "macs", json_real(s->macs));
    json_object_set_new(o, "hbm_bytes", json_real(s->hbm_bytes));
    json_object_set_new(o, "d2d_bytes", json_real(s->d2d_bytes));
    json_object_set_new(o, "io_bytes", json_real(s->io_bytes));
    json_object_set_new(o, "mac_utilization", json_real(s->mac_utilization));
    json_object_set_new(o, "energy_j", json_real(s->energy_j));
    return o;
}

static json_t *result_json(const sip_package_t *pkg, const sip_workload_result_t *r,
                           bool weight_prefetch)
{
    json_t *o = json_object();
    json_object_set_new(o, "package", json_string(pkg->name));
    json_object_set_new(o, "model", json_string(r->shape.name));
    if (r->shape.source[0])
        json_object_set_new(o, "model_source", json_string(r->shape.source));
    json_object_set_new(o, "phase", json_string(r->workload.phase));
    json_object_set_new(o, "batch", json_integer(r->workload.batch));
    json_object_set_new(o, "context_tokens", json_integer(r->workload.context_tokens));
    json_object_set_new(o, "precision", json_string(sip_precision_name(r->precision)));
    json_object_set_new(o, "weight_prefetch", json_boolean(weight_prefetch));
    json_object_set_new(o, "tensor_parallel", json_integer(r->workload.tensor_parallel));
    json_object_set_new(o, "pipeline_parallel", json_integer(r->workload.pipeline_parallel));
    json_object_set_new(o, "micro_batches", json_integer(r->micro_batches));
    json_object_set_new(o, "spec_tokens_per_step", json_real(r->spec_tokens_per_step));
    json_t *ranks = json_array();
    for (int k = 0; k < r->n_compute; k++)
        json_array_append_new(ranks, json_string(pkg->instances[r->compute_instances[k]].name));
    json_object_set_new(o, "compute_chiplets", ranks);
    json_object_set_new(o, "tokens_per_s", json_real(r->tokens_per_s));
    json_object_set_new(o, "ttft_s", json_real(r->ttft_s));
    json_object_set_new(o, "tpot_s", json_real(r->tpot_s));
    json_object_set_new(o, "j_per_token", json_real(r->j_per_token));
    json_object_set_new(o, "bottleneck", json_string(sip_limit_name(r->step->limit)));
    json_object_set_new(o, "macs_per_token", json_real(r->macs_per_token));
    json_object_set_new(o, "hbm_bytes_per_token", json_real(r->hbm_bytes_per_token));
    json_object_set_new(o, "peak_macs_per_s", json_real(r->peak_macs_per_s));
    json_object_set_new(o, "hbm_GBps", json_real(r->hbm_GBps));
    json_object_set_new(o, "weight_bytes_per_chiplet", json_real(r->weight_bytes_per_chiplet));
    json_object_set_new(o, "kv_bytes_per_chiplet", json_real(r->kv_bytes_per_chiplet));
    json_object_set_new(o, "hbm_capacity_bytes_per_chiplet", num(r->hbm_capacity_bytes_per_chiplet));
    json_object_set_new(o, "fits", json_boolean(r->fits));
    if (r->workload.context_tokens > 0)
        json_object_set_new(o, "prefill", step_json(&r->prefill));
    json_object_set_new(o, "decode", step_json(&r->decode));
    json_t *inst = json_array();
    for (int i = 0; i < r->n_instances; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(pkg->instances[i].name));
        json_object_set_new(e, "busy_s", json_real(r->busy_s[i]));
        json_object_set_new(e, "power_w", json_real(r->power_w[i]));
        json_array_append_new(inst, e);
    }
    json_object_set_new(o, "instances", inst);
    json_t *dm = json_array();
    for (int i = 0; i < r->n_demands; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "from", json_string(pkg->instances[r->demands[i].from_instance].name));
        json_object_set_new(e, "to", json_string(pkg->instances[r->demands[i].to_instance].name));
        json_object_set_new(e, "GBps", json_real(r->demands[i].GBps));
        json_array_append_new(dm, e);
    }
    json_object_set_new(o, "demand", dm);
    json_object_set_new(o, "d2d_max_util", json_real(r->d2d_max_util));
    json_object_set_new(o, "d2d_energy_pj_per_byte", json_real(r->d2d_energy_pj_per_byte));
    json_t *en = json_object();
    json_object_set_new(en, "mac_pj_per_token", num(r->energy_mac_pj_per_token));
    json_object_set_new(en, "sram_pj_per_token", num(r->energy_sram_pj_per_token));
    json_object_set_new(en, "hbm_pj_per_token", num(r->energy_hbm_pj_per_token));
    json_object_set_new(o, "energy_bottom_up", en);
    return o;
}

static void print_step(FILE *f, const char *name, const sip_step_t *s)
{
    fprintf(f, "  %-8s %10.4f ms %9.0f tok  macs %9.4f  weight-feed %9.4f  sram %8.4f  hbm %9.4f  "
               "d2d %8.4f  io %8.5f ms  %-11s MAC util %5.1f %%\n",
            name, s->time_s * 1e3, s->tokens, s->time_by_limit_s[SIP_LIMIT_COMPUTE] * 1e3,
            s->time_by_limit_s[SIP_LIMIT_WEIGHT_FEED] * 1e3,
            s->time_by_limit_s[SIP_LIMIT_SRAM] * 1e3, s->time_by_limit_s[SIP_LIMIT_HBM] * 1e3,
            s->time_by_limit_s[SIP_LIMIT_D2D] * 1e3, s->time_by_limit_s[SIP_LIMIT_IO] * 1e3,
            sip_limit_name(s->limit), 100.0 * s->mac_utilization);
}

static void print_energy(FILE *f, const char *what, double pj, const char *flag)
{
    if (isfinite(pj))
        fprintf(f, "    %-5s %12.4g pJ/token\n", what, pj);
    else
        fprintf(f, "    %-5s not modelled (give %s)\n", what, flag);
}

static void print_result(FILE *f, const sip_package_t *pkg, const sip_workload_result_t *r,
                         bool weight_prefetch)
{
    const sip_model_shape_t *s = &r->shape;
    fprintf(f, "workload of %s: %s %s, batch %d, context %d tokens, %s, tensor parallel %d x "
               "pipeline parallel %d (%d micro-batches)\n",
            pkg->name, s->name, r->workload.phase, r->workload.batch, r->workload.context_tokens,
            sip_precision_name(r->precision), r->workload.tensor_parallel,
            r->workload.pipeline_parallel, r->micro_batches);
    fprintf(f, "  shape: %d layers, hidden %d, %d heads / %d KV heads of %d, FFN %d%s, vocab %d\n",
            s->layers, s->hidden, s->heads, s->kv_heads, s->head_dim, s->ffn,
            s->gated_ffn ? " (gated)" : "", s->vocab);
    if (s->source[0])
        fprintf(f, "  source: %s\n", s->source);
    fprintf(f, "  arrays: %s\n", weight_prefetch
                                     ? "weights double-buffered (next tile loads while a fold "
                                       "streams)"
                                     : "SCALE-Sim schedule (each fold loads its weights, no "
                                       "overlap)");
    fprintf(f, "  chiplets:");
    for (int k = 0; k < r->n_compute; k++)
        fprintf(f, " %s%s", pkg->instances[r->compute_instances[k]].name,
                (k + 1) % r->workload.tensor_parallel == 0 && k + 1 < r->n_compute ? " |" : "");
    fprintf(f, "  (peak %.4g TMAC/s, HBM %.4g GB/s)\n", r->peak_macs_per_s / 1e12, r->hbm_GBps);
    fprintf(f, "  memory per chiplet: weights %.3f GB + KV cache %.3f GB of %.3f GB%s\n",
            r->weight_bytes_per_chiplet / 1e9, r->kv_bytes_per_chiplet / 1e9,
            r->hbm_capacity_bytes_per_chiplet / 1e9, r->fits ? "" : "  DOES NOT FIT");
    fprintf(f, "\nsteps (time attributed to what bounded each kernel):\n");
    if (r->workload.context_tokens > 0)
        print_step(f, "prefill", &r->prefill);
    print_step(f, "decode", &r->decode);
    fprintf(f, "\n  tokens/s      %12.6g   (%s)\n", r->tokens_per_s, r->workload.phase);
    fprintf(f, "  TTFT          %12.6g ms\n", r->ttft_s * 1e3);
    fprintf(f, "  TPOT          %12.6g ms\n", r->tpot_s * 1e3);
    if (r->spec_tokens_per_step > 1.0)
        fprintf(f, "  speculative   %12.6g tokens per step of %.6g ms\n", r->spec_tokens_per_step,
                r->spec_step_s * 1e3);
    fprintf(f, "  J/token       %12.6g   (die power x step time)\n", r->j_per_token);
    static const char *const why[SIP_LIMIT_COUNT] = {
        "the arrays' MAC rate", "on-chip SRAM bandwidth", "HBM bandwidth",
        "die-to-die links (collectives, or memory reached over UCIe)", "host I/O",
        "the arrays' weight intake: tiles shift in one row per cycle, longer than the few activation rows take to stream through"};
    fprintf(f, "  bottleneck    %12s   (%s)\n", sip_limit_name(r->step->limit),
            why[r->step->limit]);
    fprintf(f, "  MACs/token    %12.6g   HBM bytes/token %.6g\n", r->macs_per_token,
            r->hbm_bytes_per_token);
    fprintf(f, "\nper instance (%s step):\n  %-12s %12s %10s\n", r->workload.phase, "instance",
            "busy ms", "power W");
    for (int i = 0; i < r->n_instances; i++)
        fprintf(f, "  %-12s %12.4f %10.2f\n", pkg->instances[i].name, r->busy_s[i] * 1e3,
                r->power_w[i]);
    fprintf(f, "\nD2D demand (GB/s, busiest UCIe port at %.1f %%, %.3g pJ/byte):\n",
            100.0 * r->d2d_max_util, r->d2d_energy_pj_per_byte);
    for (int i = 0; i < r->n_demands; i++)
        fprintf(f, "  %-8s -> %-8s %12.4f\n", pkg->instances[r->demands[i].from_instance].name,
                pkg->instances[r->demands[i].to_instance].name, r->demands[i].GBps);
    fprintf(f, "\nbottom-up energy (parameters):\n");
    print_energy(f, "MAC", r->energy_mac_pj_per_token, "--pj-per-mac");
    print_energy(f, "SRAM", r->energy_sram_pj_per_token, "--sram-pj-per-byte");
    print_energy(f, "HBM", r->energy_hbm_pj_per_token, "--hbm-pj-per-bit; facts.md: UNVERIFIED");
}

/* ---- sipsim perf --compare CSV: the model against published measurements ---- */

typedef struct {
    char *f[16];
    int n;
} csv_row_t;

/* Split line in place at commas (the measured-data files quote nothing). */
static void csv_split(char *line, csv_row_t *r)
{
    r->n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; r->n < 16;) {
        r->f[r->n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
}

static int csv_col(const csv_row_t *h, const char *name)
{
    for (int i = 0; i < h->n; i++)
        if (strcmp(h->f[i], name) == 0)
            return i;
    return -1;
}

static int compare_measured(const char *csv, const sip_workload_options_t *opts, FILE *f)
{
    FILE *in = fopen(csv, "r");
    if (!in) {
        fprintf(stderr, "sipsim perf: %s: cannot open (expected a measured-data CSV)\n", csv);
        return CLI_EXIT_INPUT;
    }
    /* Packages are named relative to the source root: the CSV sits in tests/data/measured/. */
    char root[1024];
    const char *env = getenv("SIPSIM_SOURCE_ROOT");
    if (env)
        snprintf(root, sizeof root, "%s", env);
    else {
        snprintf(root, sizeof root, "%s", csv);
        char *slash = strrchr(root, '/');
        if (slash)
            snprintf(slash, sizeof root - (size_t)(slash - root), "/../../..");
        else
            snprintf(root, sizeof root, "../../..");
    }
    static const char *const cols[] = {"hardware", "topology", "model", "framework", "precision",
                                       "batch", "input_tokens", "output_tokens", "metric",
                                       "measured"};
    int c[10], rc = CLI_EXIT_OK, line_no = 0, n = 0;
    char line[2048];
    csv_row_t h = {0}, r;
    char header[2048] = "";
    double sum_abs = 0.0, worst = 0.0;
    while (fgets(line, sizeof line, in)) {
        line_no++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (!header[0]) {
            snprintf(header, sizeof header, "%s", line);
            csv_split(header, &h);
            for (int k = 0; k < 10; k++)
                if ((c[k] = csv_col(&h, cols[k])) < 0) {
                    fprintf(stderr, "sipsim perf: %s:%d: no column '%s' (expected %s, ...)\n",
                            csv, line_no, cols[k], "hardware,topology,model");
                    fclose(in);
                    return CLI_EXIT_INPUT;
                }
            fprintf(f, "| hardware | model | framework | precision | batch | input/output "
                       "tokens | metric | measured | sipsim | error | bound by |\n"
                       "|---|---|---|---|---:|---:|---|---:|---:|---:|---|\n");
            continue;
        }
        csv_split(line, &r);
        if (r.n < h.n) {
            fprintf(stderr, "sipsim perf: %s:%d: %d fields (expected %d)\n", csv, line_no, r.n,
                    h.n);
            rc = CLI_EXIT_INPUT;
            break;
        }
        char path[2048];
        snprintf(path, sizeof path, "%s/topologies/%s", root, r.f[c[1]]);
        sip_package_t *pkg = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        if (sip_package_load(path, NULL, &pkg, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
            break;
        }
        sip_workload_t wl;
        memset(&wl, 0, sizeof wl);
        wl.present = true;
        snprintf(wl.model, sizeof wl.model, "%s", r.f[c[2]]);
        int p = sip_enum_lookup(sip_precision_names(), SIP_PREC_COUNT, r.f[c[4]]);
        bool ok = p >= 0 && parse_int(r.f[c[5]], &wl.batch) &&
                  parse_int(r.f[c[6]], &wl.context_tokens) &&
                  parse_int(r.f[c[7]], &wl.output_tokens);
        double measured = 0.0;
        ok = ok && parse_double(r.f[c[9]], &measured) && measured > 0.0;
        const bool ttft = strcmp(r.f[c[8]], "ttft_ms") == 0;
        ok = ok && (ttft || strcmp(r.f[c[8]], "output_tokens_per_s") == 0);
        if (!ok) {
            fprintf(stderr, "sipsim perf: %s:%d: bad precision, count, metric or value (expected "
                            "a precision name, integers, ttft_ms or output_tokens_per_s, a "
                            "positive number)\n", csv, line_no);
            sip_package_destroy(pkg);
            rc = CLI_EXIT_INPUT;
            break;
        }
        wl.precision = (sip_precision_t)p;
        sip_serve_result_t sv;
        if (sip_workload_serve(pkg, &wl, NULL, opts, &sv, &err) != SIP_OK) {
            cli_print_error(&err);
            sip_package_destroy(pkg);
            rc = CLI_EXIT_INPUT;
            break;
        }
        const double model = ttft ? sv.ttft_s * 1e3 : sv.output_tokens_per_s;
        const double e = model / measured - 1.0;
        sum_abs += fabs(e);
        if (fabs(e) > worst)
            worst = fabs(e);
        n++;
        fprintf(f, "| %s | %s | %s | %s | %d | %d/%d | %s | %.4g | %.4g | %+.1f %% | %s |\n",
                r.f[c[0]], r.f[c[2]], r.f[c[3]], r.f[c[4]], wl.batch, wl.context_tokens,
                wl.output_tokens, ttft ? "TTFT ms" : "output tok/s", measured, model, 100.0 * e,
                ttft ? sip_limit_name(sv.prefill_limit) : sip_limit_name(sv.decode_limit));
        sip_package_destroy(pkg);
    }
    fclose(in);
    if (rc == CLI_EXIT_OK)
        fprintf(f, "\n%d points: mean |error| %.1f %%, worst %.1f %% (efficiencies: MAC %.3g, "
                   "vector %.3g, HBM %.3g)\n",
                n, n ? 100.0 * sum_abs / n : 0.0, 100.0 * worst, opts->tile.mac_efficiency,
                opts->tile.vector_efficiency, opts->tile.hbm_efficiency);
    return rc;
}

/* ---- sipsim perf --batch-curve: TPOT and tokens/s per batch ---- */

typedef struct {
    int batch;
    double tpot_s, tokens_per_s, continuous_tokens_per_s;
    bool fits;
    sip_limit_t limit;
} curve_point_t;

static void write_curve_svg(FILE *f, const char *title, const curve_point_t *p, int n)
{
    /* Tokens/s (x) against TPOT (y): the throughput-latency curve a serving engine trades on. */
    const double W = 640, H = 400, L = 70, B = 50, R = 20, T = 40;
    double xmax = 0, ymax = 0;
    for (int i = 0; i < n; i++) {
        xmax = fmax(xmax, p[i].tokens_per_s);
        ymax = fmax(ymax, p[i].tpot_s * 1e3);
    }
    xmax = xmax > 0 ? 1.1 * xmax : 1;
    ymax = ymax > 0 ? 1.1 * ymax : 1;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    fprintf(f, "<text x=\"%.0f\" y=\"20\" text-anchor=\"middle\">%s</text>\n", W / 2, title);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#222\"/>\n", L,
            H - B, W - R, H - B);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#222\"/>\n", L, T,
            L, H - B);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">decode tokens/s (max %.4g)"
               "</text>\n", (L + W - R) / 2, H - 12, xmax / 1.1);
    fprintf(f, "<text x=\"16\" y=\"%.0f\" transform=\"rotate(-90 16 %.0f)\" "
               "text-anchor=\"middle\">TPOT ms (max %.4g)</text>\n", (T + H - B) / 2,
            (T + H - B) / 2, ymax / 1.1);
    fprintf(f, "<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"2\" points=\"");
    for (int i = 0; i < n; i++)
        fprintf(f, "%.2f,%.2f ", L + (W - L - R) * p[i].tokens_per_s / xmax,
                H - B - (H - B - T) * p[i].tpot_s * 1e3 / ymax);
    fprintf(f, "\"/>\n");
    for (int i = 0; i < n; i++) {
        const double x = L + (W - L - R) * p[i].tokens_per_s / xmax,
                     y = H - B - (H - B - T) * p[i].tpot_s * 1e3 / ymax;
        fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"%s\"><title>batch %d: "
                   "%.4g tok/s, TPOT %.4g ms, %s</title></circle>\n",
                x, y, p[i].fits ? "#4e79a7" : "#e15759", p[i].batch, p[i].tokens_per_s,
                p[i].tpot_s * 1e3, sip_limit_name(p[i].limit));
        fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\">%d</text>\n", x + 6, y - 6,
                p[i].batch);
    }
    fprintf(f, "</svg>\n");
}

static int batch_curve(const sip_package_t *pkg, const sip_workload_t *base,
                       const sip_workload_options_t *opts, const char *list, const char *svg,
                       const cli_common_t *common)
{
    curve_point_t pts[64];
    int n = 0;
    for (const char *p = list; *p && n < 64;) {
        char *end;
        long b = strtol(p, &end, 10);
        if (end == p || b < 1 || b > 1000000 || (*end && *end != ',')) {
            fprintf(stderr, "sipsim perf: --batch-curve '%s' (expected batch sizes B1,B2,... "
                            ">= 1)\n", list);
            return CLI_EXIT_INPUT;
        }
        sip_workload_t wl = *base;
        snprintf(wl.phase, sizeof wl.phase, "decode");
        wl.batch = (int)b;
        sip_workload_result_t *r = NULL;
        sip_error_t err;
        sip_error_clear(&err);
        if (sip_workload_evaluate(pkg, &wl, NULL, opts, &r, &err) != SIP_OK) {
            cli_print_error(&err);
            return CLI_EXIT_INPUT;
        }
        pts[n] = (curve_point_t){.batch = wl.batch, .tpot_s = r->tpot_s,
                                 .tokens_per_s = r->tokens_per_s, .fits = r->fits,
                                 .limit = r->decode.limit};
        sip_workload_result_destroy(r);
        if (wl.output_tokens > 0 && wl.context_tokens > 0) {
            sip_serve_result_t sv;
            if (sip_workload_serve(pkg, &wl, NULL, opts, &sv, &err) != SIP_OK) {
                cli_print_error(&err);
                return CLI_EXIT_INPUT;
            }
            pts[n].continuous_tokens_per_s = sv.continuous_tokens_per_s;
        }
        n++;
        p = *end ? end + 1 : end;
    }
    FILE *f = cli_open_output(common->output);
    if (!f)
        return CLI_EXIT_INPUT;
    fprintf(f, "batch-latency curve of %s: %s decode, context %d tokens%s\n", pkg->name,
            base->model, base->context_tokens,
            base->output_tokens > 0 ? ", continuous batching with that many output tokens" : "");
    fprintf(f, "  %7s %12s %14s %16s %-11s %s\n", "batch", "TPOT ms", "decode tok/s",
            "continuous tok/s", "bound", "fits");
    for (int i = 0; i < n; i++)
        fprintf(f, "  %7d %12.4f %14.6g %16.6g %-11s %s\n", pts[i].batch, pts[i].tpot_s * 1e3,
                pts[i].tokens_per_s, pts[i].continuous_tokens_per_s, sip_limit_name(pts[i].limit),
                pts[i].fits ? "yes" : "NO");
    cli_close_output(f);
    if (svg) {
        FILE *s = fopen(svg, "w");
        if (!s) {
            fprintf(stderr, "sipsim perf: %s: cannot write\n", svg);
            return CLI_EXIT_INPUT;
        }
        char title[256];
        snprintf(title, sizeof title, "%s on %s: TPOT against decode tokens/s", base->model,
                 pkg->name);
        write_curve_svg(s, title, pts, n);
        fclose(s);
    }
    return CLI_EXIT_OK;
}

int cmd_perf(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    const char *file = NULL, *model = NULL, *phase = NULL, *precision = NULL, *compare = NULL;
    const char *weight_prec = NULL, *kv_prec = NULL, *draft = NULL, *curve = NULL, *curve_svg = NULL;
    int output_tokens = -1;
    int batch = -1, context = -1, tp = -1, pp = -1;
    /* Models from frameworks (tools/cmd_perf_import.c). */
    const char *model_file = NULL, *onnx_dims[PERF_MAX_ONNX_DIMS];
    int n_onnx_dims = 0, ranks = 0;
    sip_workload_options_t opts;
    sip_workload_options_init(&opts);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const bool has = i + 1 < argc;
        bool ok = true;
        if (strcmp(a, "--model") == 0 && has)
            model = argv[++i];
        else if (strcmp(a, "--model-file") == 0 && has)
            model_file = argv[++i];
        else if (strcmp(a, "--onnx-dim") == 0 && has && n_onnx_dims < PERF_MAX_ONNX_DIMS)
            onnx_dims[n_onnx_dims++] = argv[++i];
        else if (strcmp(a, "--ranks") == 0 && has)
            ok = parse_int(argv[++i], &ranks);
        else if (strcmp(a, "--phase") == 0 && has)
            phase = argv[++i];
        else if (strcmp(a, "--precision") == 0 && has)
            precision = argv[++i];
        else if (strcmp(a, "--batch") == 0 && has)
            ok = parse_int(argv[++i], &batch);
        else if (strcmp(a, "--context") == 0 && has)
            ok = parse_int(argv[++i], &context);
        else if (strcmp(a, "--tp") == 0 && has)
            ok = parse_int(argv[++i], &tp);
        else if (strcmp(a, "--pp") == 0 && has)
            ok = parse_int(argv[++i], &pp);
        else if (strcmp(a, "--pj-per-mac") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.pj_per_mac) && opts.tile.pj_per_mac >= 0;
        else if (strcmp(a, "--sram-pj-per-byte") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.sram_pj_per_byte) &&
                 opts.tile.sram_pj_per_byte >= 0;
        else if (strcmp(a, "--hbm-pj-per-bit") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.hbm_pj_per_bit) && opts.tile.hbm_pj_per_bit >= 0;
        else if (strcmp(a, "--sram-GBps") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.sram_GBps) && opts.tile.sram_GBps >= 0;
        else if (strcmp(a, "--weight-precision") == 0 && has)
            weight_prec = argv[++i];
        else if (strcmp(a, "--kv-precision") == 0 && has)
            kv_prec = argv[++i];
        else if (strcmp(a, "--output-tokens") == 0 && has)
            ok = parse_int(argv[++i], &output_tokens);
        else if (strcmp(a, "--spec-tokens") == 0 && has)
            ok = parse_int(argv[++i], &opts.spec_tokens) && opts.spec_tokens <= 64;
        else if (strcmp(a, "--spec-acceptance") == 0 && has)
            ok = parse_double(argv[++i], &opts.spec_acceptance) && opts.spec_acceptance >= 0 &&
                 opts.spec_acceptance <= 1;
        else if (strcmp(a, "--draft-model") == 0 && has)
            draft = argv[++i];
        else if (strcmp(a, "--batch-curve") == 0 && has)
            curve = argv[++i];
        else if (strcmp(a, "--curve-svg") == 0 && has)
            curve_svg = argv[++i];
        else if (strcmp(a, "--compare") == 0 && has)
            compare = argv[++i];
        else if (strcmp(a, "--mac-efficiency") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.mac_efficiency);
        else if (strcmp(a, "--vector-efficiency") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.vector_efficiency);
        else if (strcmp(a, "--hbm-efficiency") == 0 && has)
            ok = parse_double(argv[++i], &opts.tile.hbm_efficiency);
        else if (strcmp(a, "--micro-batches") == 0 && has)
            ok = parse_int(argv[++i], &opts.micro_batches);
        else if (strcmp(a, "--weight-prefetch") == 0)
            opts.tile.weight_prefetch = true;
        else if (strcmp(a, "--no-weight-prefetch") == 0)
            opts.tile.weight_prefetch = false; /* SCALE-Sim's per-fold reload, nothing overlapped */
        else if (a[0] != '-' && !file)
            file = a;
        else
            return cli_usage(argv[0], "unexpected argument '%s'", a);
        if (!ok)
            return cli_usage(argv[0], "bad value '%s' for %s", argv[i], a);
    }
    if (compare && !common.help) {
        FILE *f = cli_open_output(common.output);
        if (!f)
            return CLI_EXIT_INPUT;
        int crc = compare_measured(compare, &opts, f);
        cli_close_output(f);
        return crc;
    }
    if (common.help || !file)
        return common.help ? (printf("usage: sipsim perf FILE [--json] [--model M] [--phase "
                                     "prefill|decode] [--batch N] [--context N] [--precision P] "
                                     "[--tp N] [--pp N] [--micro-batches N] [--output-tokens N] "
                                     "[--weight-precision P] [--kv-precision P] [--spec-tokens K "
                                     "--spec-acceptance A [--draft-model M]] [--batch-curve "
                                     "B1,B2,... [--curve-svg FILE]] [--compare CSV] "
                                     "[--mac-efficiency X] [--hbm-efficiency X] "
                                     "[--vector-efficiency X] [--pj-per-mac X] "
                                     "[--sram-pj-per-byte X] "
                                     "[--hbm-pj-per-bit X] [--sram-GBps X] "
                                     "[--no-weight-prefetch] [--model-file config.json|M.cfg|M.onnx] "
                                     "[--onnx-dim NAME=N]... [--ranks N]\n"
                                     "weights are double-buffered (prefetched while the previous "
                                     "fold streams) unless --no-weight-prefetch: then SCALE-Sim's "
                                     "schedule\n"
                                     "exit status 1 when the model and KV cache do not fit the "
                                     "HBM of the chiplets used\n"),
                             CLI_EXIT_OK)
                           : cli_usage(argv[0], "missing FILE");
    sip_package_t *pkg = NULL;
    if (cli_load_package(file, &common, &pkg) != CLI_EXIT_OK)
        return CLI_EXIT_INPUT;
    sip_workload_t wl = pkg->workload;
    if (!wl.present && !model && !model_file) {
        fprintf(stderr, "sipsim perf: %s: no workload section (expected workload = { model = "
                        "...; phase = ...; } or --model)\n", file);
        sip_package_destroy(pkg);
        return CLI_EXIT_INPUT;
    }
    if (!wl.present) {
        /* Command-line workload: decode of one sequence at fp8 unless told otherwise. */
        wl.batch = 1;
        snprintf(wl.phase, sizeof wl.phase, "decode");
        wl.precision = SIP_PREC_FP8;
    }
    int rc = CLI_EXIT_OK;
    if (model)
        snprintf(wl.model, sizeof wl.model, "%s", model);
    if (phase)
        snprintf(wl.phase, sizeof wl.phase, "%s", phase);
    if (precision) {
        int p = sip_enum_lookup(sip_precision_names(), SIP_PREC_COUNT, precision);
        if (p < 0) {
            rc = cli_usage(argv[0], "unknown precision '%s'", precision);
            goto out;
        }
        wl.precision = (sip_precision_t)p;
    }
    if (batch >= 0)
        wl.batch = batch;
    if (context >= 0)
        wl.context_tokens = context;
    if (output_tokens >= 0)
        wl.output_tokens = output_tokens;
    {
        const char *names[2] = {weight_prec, kv_prec};
        sip_precision_t *dst[2] = {&opts.weight_precision, &opts.kv_precision};
        for (int k = 0; k < 2; k++)
            if (names[k]) {
                int p = sip_enum_lookup(sip_precision_names(), SIP_PREC_COUNT, names[k]);
                if (p < 0) {
                    rc = cli_usage(argv[0], "unknown precision '%s'", names[k]);
                    goto out;
                }
                *dst[k] = (sip_precision_t)p;
            }
    }
    sip_model_shape_t draft_shape;
    if (draft) {
        sip_error_t derr;
        sip_error_clear(&derr);
        if (sip_model_shape_find(draft, pkg->path, wl.line, &draft_shape, &derr) != SIP_OK) {
            cli_print_error(&derr);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
        opts.draft = &draft_shape;
    }
    if (tp >= 0)
        wl.tensor_parallel = tp;
    if (pp >= 0)
        wl.pipeline_parallel = pp;
    if (curve) {
        rc = batch_curve(pkg, &wl, &opts, curve, curve_svg, &common);
        goto out;
    }
    sip_workload_result_t *r = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    char onnx_path[SIP_PATH_MAX];
    if (!model_file && perf_is_onnx(wl.model))
        perf_resolve_model_path(pkg, wl.model, onnx_path, sizeof onnx_path);
    if (model_file && perf_is_onnx(model_file))
        snprintf(onnx_path, sizeof onnx_path, "%s", model_file);
    if ((model_file && perf_is_onnx(model_file)) || (!model_file && perf_is_onnx(wl.model))) {
        rc = perf_onnx(pkg, onnx_path, wl.precision, ranks, onnx_dims, n_onnx_dims, &opts,
                       &common);
        goto out;
    }
    sip_model_shape_t file_shape;
    if (model_file) {
        /* A path as given (working folder): a config.json or a model file. */
        if (sip_model_shape_find(model_file, NULL, 0, &file_shape, &err) != SIP_OK) {
            cli_print_error(&err);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
        if ((rc = perf_check_context(model_file, &wl)) != CLI_EXIT_OK)
            goto out;
        snprintf(wl.model, sizeof wl.model, "%s", file_shape.name);
    }
    if (sip_workload_evaluate(pkg, &wl, model_file ? &file_shape : NULL, &opts, &r, &err) !=
        SIP_OK) {
        cli_print_error(&err);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    FILE *f = cli_open_output(common.output);
    if (!f) {
        rc = CLI_EXIT_INPUT;
    } else {
        if (common.json) {
            json_t *j = result_json(pkg, r, opts.tile.weight_prefetch);
            cli_print_json(f, j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        } else {
            print_result(f, pkg, r, opts.tile.weight_prefetch);
        }
        cli_close_output(f);
        /* Numbers for a model that cannot be loaded are not a result: say so in the status
         * (the report above still shows how far off it is). */
        if (!r->fits) {
            fprintf(stderr, "sipsim perf: %s: %s does not fit: %.3f GB weights + %.3f GB KV "
                            "cache per chiplet > %.3f GB of memory\n",
                    file, r->shape.name, r->weight_bytes_per_chiplet / 1e9,
                    r->kv_bytes_per_chiplet / 1e9, r->hbm_capacity_bytes_per_chiplet / 1e9);
            rc = CLI_EXIT_CHECK;
        }
    }
    sip_workload_result_destroy(r);
out:
    sip_package_destroy(pkg);
    return rc;
}

/* ---- sipsim kernel ---- */

static void print_kernel(FILE *f, const sip_tile_t *t, const sip_kernel_result_t *k)
{
    fprintf(f, "tile: %d x %d %s x %d arrays at %.4g GHz, %s (%.3g MAC/cell/cycle), peak %.4g "
               "TMAC/s, HBM %.4g GB/s%s\n",
            t->array_rows, t->array_cols, sip_dataflow_name(t->dataflow), t->n_arrays,
            t->clock_ghz, sip_precision_name(t->precision), t->macs_per_cell,
            sip_tile_peak_macs_per_s(t) / 1e12, t->hbm_GBps,
            t->sram_GBps > 0 ? "" : ", SRAM bandwidth not limiting");
    fprintf(f, "kernel: %.6g MACs, %.6g vector ops\n", k->macs, k->vector_ops);
    fprintf(f, "  array cycles  %14.1f\n  time          %14.6g us (%s bound: compute %.6g, sram "
               "%.6g, hbm %.6g us)\n",
            k->array_cycles, k->time_s * 1e6, sip_bound_name(k->bound), k->compute_s * 1e6,
            k->sram_s * 1e6, k->hbm_s * 1e6);
    fprintf(f, "  utilization   %14.4f %%   mapping efficiency %.4f %%\n", 100 * k->utilization,
            100 * k->mapping_eff);
    fprintf(f, "  SRAM bytes    %14.6g\n  HBM bytes     %14.6g\n", k->sram_bytes, k->hbm_bytes);
    if (isfinite(k->energy_pj))
        fprintf(f, "  energy        %14.6g pJ\n", k->energy_pj);
    else
        fprintf(f, "  energy        not modelled (--pj-per-mac, --sram-pj-per-byte, "
                   "--hbm-pj-per-bit)\n");
}

int cmd_kernel(int argc, char **argv)
{
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    const char *what = NULL, *chiplet = NULL;
    int64_t dims[8];
    int n_dims = 0, rows = 128, cols = 128, arrays = 1;
    double clock = 1.0, hbm = 0.0;
    sip_dataflow_t df = SIP_DATAFLOW_OS;
    sip_precision_t prec = SIP_PREC_INT8;
    bool in_hbm = false;
    /* Finite-DRAM (SCALE-Sim USER) mode: scratchpads in kB (SCALE-Sim's IfmapSramSzkB,
     * FilterSramSzkB, OfmapSramSzkB; defaults = its shipped 128 x 128 configs) and the DRAM
     * words per cycle (cfg Bandwidth); 0 = CALC mode, no stalls. */
    long long sram_kB[3] = {1024, 1024, 256}, dram_words = 0;
    sip_tile_params_t params;
    sip_tile_params_init(&params);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const bool has = i + 1 < argc;
        bool ok = true;
        if (strcmp(a, "--array") == 0 && has)
            ok = sscanf(argv[++i], "%dx%d", &rows, &cols) == 2 && rows > 0 && cols > 0;
        else if (strcmp(a, "--dataflow") == 0 && has) {
            int d = sip_enum_lookup(sip_dataflow_names(), SIP_DATAFLOW_COUNT, argv[++i]);
            ok = d >= 0;
            df = (sip_dataflow_t)(ok ? d : 0);
        } else if (strcmp(a, "--precision") == 0 && has) {
            int p = sip_enum_lookup(sip_precision_names(), SIP_PREC_COUNT, argv[++i]);
            ok = p >= 0;
            prec = (sip_precision_t)(ok ? p : 0);
        } else if (strcmp(a, "--arrays") == 0 && has)
            ok = parse_int(argv[++i], &arrays) && arrays > 0;
        else if (strcmp(a, "--clock") == 0 && has)
            ok = parse_double(argv[++i], &clock) && clock > 0;
        else if (strcmp(a, "--hbm-GBps") == 0 && has)
            ok = parse_double(argv[++i], &hbm) && hbm >= 0;
        else if (strcmp(a, "--chiplet") == 0 && has)
            chiplet = argv[++i];
        else if (strcmp(a, "--in-hbm") == 0)
            in_hbm = true;
        else if (strcmp(a, "--dram-words-per-cycle") == 0 && has) {
            char *end;
            dram_words = strtoll(argv[++i], &end, 10);
            ok = *end == '\0' && dram_words > 0 && dram_words <= 1000000;
        } else if (strcmp(a, "--sram-kB") == 0 && has) {
            char tail;
            ok = sscanf(argv[++i], "%lld,%lld,%lld%c", &sram_kB[0], &sram_kB[1], &sram_kB[2],
                        &tail) == 3 &&
                 sram_kB[0] > 0 && sram_kB[1] > 0 && sram_kB[2] > 0 && sram_kB[0] <= 1 << 24 &&
                 sram_kB[1] <= 1 << 24 && sram_kB[2] <= 1 << 24;
        }
        else if (strcmp(a, "--pj-per-mac") == 0 && has)
            ok = parse_double(argv[++i], &params.pj_per_mac);
        else if (strcmp(a, "--sram-pj-per-byte") == 0 && has)
            ok = parse_double(argv[++i], &params.sram_pj_per_byte);
        else if (strcmp(a, "--hbm-pj-per-bit") == 0 && has)
            ok = parse_double(argv[++i], &params.hbm_pj_per_bit);
        else if (strcmp(a, "--sram-GBps") == 0 && has)
            ok = parse_double(argv[++i], &params.sram_GBps);
        else if (strcmp(a, "--weight-prefetch") == 0)
            params.weight_prefetch = true; /* default off: SCALE-Sim v2 exactly */
        else if (!what && a[0] != '-')
            what = a;
        else if (what && n_dims < 8 && a[0] != '-') {
            char *end;
            long long v = strtoll(a, &end, 10);
            ok = *end == '\0' && v > 0;
            dims[n_dims++] = v;
        } else
            return cli_usage(argv[0], "unexpected argument '%s'", a);
        if (!ok)
            return cli_usage(argv[0], "bad value '%s' for %s", argv[i], a);
    }
    if (common.help) {
        printf("usage: sipsim kernel gemm M N K | conv H W C FH FW FILTERS STRIDE [PAD] "
               "[--array RxC] [--dataflow os|ws|is] [--arrays N] [--clock GHz] [--precision P] "
               "[--chiplet FILE] [--hbm-GBps X] [--in-hbm] [--weight-prefetch] "
               "[--dram-words-per-cycle N [--sram-kB IFMAP,FILTER,OFMAP]] [--json]\n"
               "--dram-words-per-cycle: SCALE-Sim v2's finite-DRAM (USER) mode on one array: "
               "stall cycles from its double-buffered scratchpads (default 1024,1024,256 kB)\n");
        return CLI_EXIT_OK;
    }
    const bool gemm = what && strcmp(what, "gemm") == 0, conv = what && strcmp(what, "conv") == 0;
    if (!(gemm && n_dims == 3) && !(conv && (n_dims == 7 || n_dims == 8)))
        return cli_usage(argv[0], "expected gemm M N K or conv H W C FH FW FILTERS STRIDE [PAD]");
    sip_error_t err;
    sip_error_clear(&err);
    sip_tile_t tile;
    if (chiplet) {
        sip_chiplet_type_t type;
        if (sip_chiplet_load(chiplet, &type, &err) != SIP_OK ||
            sip_tile_from_chiplet(&type, prec, hbm, 0.0, &params, &tile, &err) != SIP_OK) {
            cli_print_error(&err);
            return CLI_EXIT_INPUT;
        }
    } else {
        /* A bare array: one MAC per cell per cycle, no vector engine, the given clock. */
        sip_chiplet_type_t type;
        sip_chiplet_type_init(&type);
        snprintf(type.name, sizeof type.name, "array");
        type.kind = SIP_KIND_COMPUTE;
        type.n_engines = 1;
        sip_engine_t *e = &type.engines[0];
        snprintf(e->name, sizeof e->name, "array");
        e->kind = SIP_ENGINE_SYSTOLIC;
        e->count = arrays;
        e->array_rows = rows;
        e->array_cols = cols;
        e->dataflow = df;
        e->clock_ghz = clock;
        e->n_rates = 1;
        e->rates[0].precision = prec;
        e->rates[0].macs_per_cycle = (double)rows * cols;
        if (sip_tile_from_chiplet(&type, prec, hbm, 0.0, &params, &tile, &err) != SIP_OK) {
            cli_print_error(&err);
            return CLI_EXIT_INPUT;
        }
    }
    sip_kernel_result_t k;
    sip_systolic_result_t s;
    sip_status_t st;
    int64_t m, n, kk;
    if (gemm) {
        m = dims[0], n = dims[1], kk = dims[2];
        const sip_gemm_operands_t ops = {.a_in_hbm = in_hbm, .b_in_hbm = in_hbm, .c_in_hbm = in_hbm};
        st = sip_kernel_gemm(&tile, 1, m, n, kk, &ops, &k, &err);
    } else {
        const sip_conv_t cv = {dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6],
                               n_dims == 8 ? dims[7] : 0};
        st = sip_conv_lower(&cv, &m, &n, &kk, &err);
        if (st == SIP_OK)
            st = sip_kernel_conv(&tile, &cv, in_hbm, &k, &err);
    }
    if (st == SIP_OK)
        st = sip_systolic_gemm(tile.array_rows, tile.array_cols, tile.dataflow, m, n, kk, &s, &err);
    /* The detailed path: a GEMM is SCALE-Sim's conv {M, K, 1, 1, K, N, 1}
     * (topology_utils.py:74, kernels.h). */
    sip_systolic_detailed_t det;
    memset(&det, 0, sizeof det);
    if (st == SIP_OK && dram_words > 0) {
        const sip_scalesim_memory_t mem = {.ifmap_words = sram_kB[0] * 1024,
                                           .filter_words = sram_kB[1] * 1024,
                                           .ofmap_words = sram_kB[2] * 1024,
                                           .dram_words_per_cycle = dram_words};
        sip_conv_t cv = {m, kk, 1, 1, kk, n, 1, 0};
        if (conv)
            cv = (sip_conv_t){dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6],
                              n_dims == 8 ? dims[7] : 0};
        st = sip_systolic_conv_detailed(&mem, tile.array_rows, tile.array_cols, tile.dataflow,
                                        &cv, &det, &err);
    }
    if (st != SIP_OK) {
        cli_print_error(&err);
        return CLI_EXIT_INPUT;
    }
    FILE *f = cli_open_output(common.output);
    if (!f)
        return CLI_EXIT_INPUT;
    if (common.json) {
        json_t *o = json_object();
        json_t *sc = json_object();
        json_object_set_new(sc, "M", json_integer(m));
        json_object_set_new(sc, "N", json_integer(n));
        json_object_set_new(sc, "K", json_integer(kk));
        json_object_set_new(sc, "folds", json_integer(s.folds));
        json_object_set_new(sc, "cycles_per_fold", json_integer(s.cycles_per_fold));
        json_object_set_new(sc, "total_cycles", json_integer(s.cycles));
        json_object_set_new(sc, "overall_util_pct", json_real(100 * s.overall_util));
        json_object_set_new(sc, "mapping_eff_pct", json_real(100 * s.mapping_eff));
        json_object_set_new(sc, "compute_util_pct", json_real(100 * s.compute_util));
        json_object_set_new(sc, "sram_ifmap_reads", json_integer(s.sram_ifmap_reads));
        json_object_set_new(sc, "sram_filter_reads", json_integer(s.sram_filter_reads));
        json_object_set_new(sc, "sram_ofmap_writes", json_integer(s.sram_ofmap_writes));
        if (dram_words > 0) {
            json_t *d = json_object();
            json_object_set_new(d, "dram_words_per_cycle", json_integer(dram_words));
            json_object_set_new(d, "ifmap_sram_kB", json_integer(sram_kB[0]));
            json_object_set_new(d, "filter_sram_kB", json_integer(sram_kB[1]));
            json_object_set_new(d, "ofmap_sram_kB", json_integer(sram_kB[2]));
            json_object_set_new(d, "total_cycles", json_integer(det.cycles));
            json_object_set_new(d, "stall_cycles", json_integer(det.stall_cycles));
            json_object_set_new(sc, "finite_dram", d);
        }
        json_object_set_new(o, "one_array", sc);
        json_t *t = json_object();
        json_object_set_new(t, "array_cycles", json_real(k.array_cycles));
        json_object_set_new(t, "time_s", json_real(k.time_s));
        json_object_set_new(t, "bound", json_string(sip_bound_name(k.bound)));
        json_object_set_new(t, "utilization", json_real(k.utilization));
        json_object_set_new(t, "sram_bytes", json_real(k.sram_bytes));
        json_object_set_new(t, "hbm_bytes", json_real(k.hbm_bytes));
        json_object_set_new(t, "energy_pj", num(k.energy_pj));
        json_object_set_new(o, "tile", t);
        cli_print_json(f, o, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    } else {
        fprintf(f, "GEMM M=%lld N=%lld K=%lld on one %d x %d %s array (SCALE-Sim v2 model):\n",
                (long long)m, (long long)n, (long long)kk, tile.array_rows, tile.array_cols,
                sip_dataflow_name(tile.dataflow));
        fprintf(f, "  folds %lld x %lld cycles, Total Cycles %lld, Overall Util %.4f %%, Mapping "
                   "Efficiency %.4f %%, Compute Util %.4f %%\n",
                (long long)s.folds, (long long)s.cycles_per_fold, (long long)s.cycles,
                100 * s.overall_util, 100 * s.mapping_eff, 100 * s.compute_util);
        fprintf(f, "  SRAM reads ifmap %lld filter %lld, writes ofmap %lld (words)\n",
                (long long)s.sram_ifmap_reads, (long long)s.sram_filter_reads,
                (long long)s.sram_ofmap_writes);
        if (dram_words > 0)
            fprintf(f, "  finite DRAM %lld words/cycle, scratchpads %lld/%lld/%lld kB (SCALE-Sim "
                       "USER mode): Total Cycles %lld, Stall Cycles %lld\n",
                    dram_words, sram_kB[0], sram_kB[1], sram_kB[2], (long long)det.cycles,
                    (long long)det.stall_cycles);
        print_kernel(f, &tile, &k);
    }
    cli_close_output(f);
    return CLI_EXIT_OK;
}

/* ---- sipsim bench kernels ---- */

int bench_kernels(int argc, char **argv)
{
    int repeats = 7;
    const char *file = NULL;
    cli_common_t common;
    if (cli_parse_common(&argc, argv, &common) < 0)
        return CLI_EXIT_INPUT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "usage: sipsim bench kernels [PACKAGE] [--repeats N]\n");
            return CLI_EXIT_INPUT;
        }
    }
    if (repeats < 1 || repeats > 1000) {
        fprintf(stderr, "sipsim bench kernels: --repeats 1..1000\n");
        return CLI_EXIT_INPUT;
    }
    char path[1024];
    if (!file) {
        const char *root = getenv("SIPSIM_SOURCE_ROOT");
        snprintf(path, sizeof path, "%s/topologies/default.cfg", root ? root : ".");
        file = path;
    }
    sip_package_t *pkg = NULL;
    if (cli_load_package(file, &common, &pkg) != CLI_EXIT_OK)
        return CLI_EXIT_INPUT;
    sip_error_t err;
    sip_error_clear(&err);
    sip_workload_t wl = pkg->workload;
    if (!wl.present) {
        /* A package without a workload: the Llama-3-8B-like decode of the default package. */
        memset(&wl, 0, sizeof wl);
        snprintf(wl.model, sizeof wl.model, "llama3-8b");
        snprintf(wl.phase, sizeof wl.phase, "decode");
        wl.batch = 8;
        wl.context_tokens = 4096;
        wl.precision = SIP_PREC_FP8;
    }
    /* The tile of the first compute die the workload uses. */
    sip_workload_result_t *r = NULL;
    sip_tile_t tile;
    if (sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err) != SIP_OK ||
        sip_tile_from_instance(pkg, r->compute_instances[0], wl.precision, NULL, &tile, &err) !=
            SIP_OK) {
        cli_print_error(&err);
        sip_workload_result_destroy(r);
        sip_package_destroy(pkg);
        return CLI_EXIT_INPUT;
    }
    sip_workload_result_destroy(r);
    double *gemm_rate = calloc((size_t)repeats, sizeof *gemm_rate);
    double *step_ms = calloc((size_t)repeats, sizeof *step_ms);
    double sink = 0.0;
    int rc = CLI_EXIT_OK;
    if (!gemm_rate || !step_ms) {
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    /* GEMM tile evaluations: shapes cycle through decode/prefill-like sizes, operands in HBM. */
    const sip_gemm_operands_t ops = {.b_in_hbm = true, .b_shared = true};
    for (int rep = 0; rep < repeats; rep++) {
        const int n = 1 << 20;
        const double t0 = cli_now_s();
        for (int i = 0; i < n; i++) {
            sip_kernel_result_t k;
            sip_kernel_gemm(&tile, 1, 1 + (i & 1023), 128 + (i & 4095), 4096, &ops, &k, NULL);
            sink += k.time_s;
        }
        gemm_rate[rep] = n / (cli_now_s() - t0);
    }
    for (int rep = 0; rep < repeats; rep++) {
        const int n = 20;
        const double t0 = cli_now_s();
        for (int i = 0; i < n; i++) {
            if (sip_workload_evaluate(pkg, &wl, NULL, NULL, &r, &err) != SIP_OK) {
                cli_print_error(&err);
                rc = CLI_EXIT_INPUT;
                goto out;
            }
            sink += r->tokens_per_s;
            sip_workload_result_destroy(r);
        }
        step_ms[rep] = (cli_now_s() - t0) / n * 1e3;
    }
    qsort(gemm_rate, (size_t)repeats, sizeof *gemm_rate, cli_cmp_double);
    qsort(step_ms, (size_t)repeats, sizeof *step_ms, cli_cmp_double);
    printf("sipsim bench kernels (%d repeats, medians)\n", repeats);
    printf("  GEMM tile evaluations  %14.4g /s   (target >= 1e6; %d x %d %s x %d arrays, %s)\n",
           gemm_rate[repeats / 2], tile.array_rows, tile.array_cols,
           sip_dataflow_name(tile.dataflow), tile.n_arrays, sip_precision_name(tile.precision));
    printf("  %s %s step on %s  %10.4f ms   (target < 1 ms; whole workload evaluation: prefill "
           "and decode steps, D2D through the traffic engine)\n",
           wl.model, wl.phase, pkg->name, step_ms[repeats / 2]);
    if (!(sink > 0.0))
        printf("  (no result)\n");
out:
    free(gemm_rate);
    free(step_ms);
    sip_package_destroy(pkg);
    return rc;
}
