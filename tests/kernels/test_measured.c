/* The workload model against published measurements (tests/data/measured/llm_inference.csv,
 * each row citing its source): with the default efficiencies (one MAC and one HBM factor for
 * every package, sip_workload_options_init) the mean |error| is within 15 % and no point is off
 * by more than 30 %.  The README table is `sipsim perf --compare` on the same file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "sipsim.h"

#define MEAN_TOLERANCE 0.15
#define POINT_TOLERANCE 0.30

typedef struct {
    char *f[16];
    int n;
} row_t;

static void split(char *line, row_t *r)
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

static int col(const row_t *h, const char *name)
{
    for (int i = 0; i < h->n; i++)
        if (strcmp(h->f[i], name) == 0)
            return i;
    cr_assert_fail("no column %s", name);
    return -1;
}

Test(kernels_measured, published_points_within_tolerance)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/measured/llm_inference.csv",
             getenv("SIPSIM_SOURCE_ROOT"));
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char header[2048] = "", line[2048];
    row_t h = {0}, r;
    int c_topo = 0, c_model = 0, c_prec = 0, c_batch = 0, c_in = 0, c_out = 0, c_metric = 0,
        c_meas = 0, c_src = 0;
    int n = 0, n_tput = 0, n_ttft = 0;
    double sum = 0.0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (!header[0]) {
            snprintf(header, sizeof header, "%s", line);
            split(header, &h);
            c_topo = col(&h, "topology"), c_model = col(&h, "model");
            c_prec = col(&h, "precision"), c_batch = col(&h, "batch");
            c_in = col(&h, "input_tokens"), c_out = col(&h, "output_tokens");
            c_metric = col(&h, "metric"), c_meas = col(&h, "measured");
            c_src = col(&h, "source");
            continue;
        }
        split(line, &r);
        cr_assert_eq(r.n, h.n);
        cr_assert(strncmp(r.f[c_src], "https://", 8) == 0, "every point cites its source");
        char pkg_path[512];
        snprintf(pkg_path, sizeof pkg_path, "topologies/%s", r.f[c_topo]);
        sip_package_t *pkg = test_load_package(pkg_path);
        sip_workload_t wl;
        memset(&wl, 0, sizeof wl);
        wl.present = true;
        snprintf(wl.model, sizeof wl.model, "%s", r.f[c_model]);
        wl.precision = (sip_precision_t)sip_enum_lookup(sip_precision_names(), SIP_PREC_COUNT,
                                                        r.f[c_prec]);
        wl.batch = atoi(r.f[c_batch]);
        wl.context_tokens = atoi(r.f[c_in]);
        wl.output_tokens = atoi(r.f[c_out]);
        sip_serve_result_t sv;
        sip_error_t err;
        cr_assert_eq(sip_workload_serve(pkg, &wl, NULL, NULL, &sv, &err), SIP_OK, "%s",
                     err.message);
        cr_assert(sv.fits, "%s batch %d: the measured system ran it", r.f[c_model], wl.batch);
        const bool ttft = strcmp(r.f[c_metric], "ttft_ms") == 0;
        cr_assert(ttft || strcmp(r.f[c_metric], "output_tokens_per_s") == 0);
        const double model = ttft ? sv.ttft_s * 1e3 : sv.output_tokens_per_s;
        const double e = fabs(model / atof(r.f[c_meas]) - 1.0);
        cr_assert_lt(e, POINT_TOLERANCE, "%s %s batch %d %d/%d: sipsim %g, measured %s", pkg_path,
                     r.f[c_model], wl.batch, wl.context_tokens, wl.output_tokens, model,
                     r.f[c_meas]);
        sum += e;
        n++;
        n_tput += !ttft;
        n_ttft += ttft;
        sip_package_destroy(pkg);
    }
    fclose(f);
    cr_assert_geq(n, 6, "at least 6 published points");
    cr_assert_gt(n_tput, 0);
    cr_assert_gt(n_ttft, 0);
    cr_assert_lt(sum / n, MEAN_TOLERANCE, "mean |error| %.1f %%", 100.0 * sum / n);
}

/* Without the efficiencies (the datasheet peaks) the model is optimistic: the calibration is
 * doing the work, not a coincidence of the shapes. */
Test(kernels_measured, peaks_alone_are_optimistic)
{
    sip_package_t *pkg = test_load_package("topologies/reference/h100_sxm.cfg");
    sip_workload_t wl;
    memset(&wl, 0, sizeof wl);
    snprintf(wl.model, sizeof wl.model, "llama2-7b");
    wl.precision = SIP_PREC_FP8;
    wl.batch = 112;
    wl.context_tokens = 128;
    wl.output_tokens = 2048;
    sip_workload_options_t peak;
    sip_workload_options_init(&peak);
    peak.tile.mac_efficiency = peak.tile.hbm_efficiency = 1.0;
    sip_serve_result_t a, b;
    cr_assert_eq(sip_workload_serve(pkg, &wl, NULL, &peak, &a, NULL), SIP_OK);
    cr_assert_eq(sip_workload_serve(pkg, &wl, NULL, NULL, &b, NULL), SIP_OK);
    cr_assert_gt(a.output_tokens_per_s, 1.2 * b.output_tokens_per_s);
    /* Static batch: tokens/s = batch x output / (TTFT + (output - 1) TPOT). */
    cr_assert_float_eq(b.output_tokens_per_s * (b.ttft_s + 2047.0 * b.tpot_s), 112.0 * 2048,
                       1e-6 * 112 * 2048);
    sip_package_destroy(pkg);
}
