/* libFuzzer harness: HotSpot inputs (config, floorplans, power trace, layer file) -> the
 * HotSpot-compatible thermal model -> steady state and a short transient.  The input holds the
 * files in this order, separated by lines "%%": hotspot.config, die.flp, power.ptrace,
 * stack.lcf, interposer.flp, tim.flp (missing parts are empty files).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"

/* A coarse grid keeps a solve well under a millisecond; the readers and the model's assembly
 * see the same inputs at any grid size. */
#define FUZZ_GRID 12
#define FUZZ_MAX_STEPS 4

static const char *const file_names[] = {"hotspot.config", "die.flp", "power.ptrace",
                                         "stack.lcf", "interposer.flp", "tim.flp"};
enum { N_FILES = sizeof file_names / sizeof file_names[0] };

static void read_trace(const char *path)
{
    char (*names)[SIP_NAME_MAX] = NULL;
    double *rows = NULL;
    int n_names = -1, n_rows = -1;
    sip_error_t err;
    sip_status_t st = sip_thermal_read_ptrace(path, &names, &n_names, &rows, &n_rows, &err);
    fuzz_expect_error(st, &err, "sip_thermal_read_ptrace");
    if (st == SIP_OK) {
        FUZZ_CHECK(n_names > 0 && n_rows >= 0, "%d names, %d rows", n_names, n_rows);
        for (long i = 0; i < (long)n_names * n_rows; i++)
            FUZZ_CHECK(isfinite(rows[i]), "row value %g", rows[i]);
    }
    free(names);
    free(rows);
}

static void run_model(const char *dir, const char *config)
{
    const char *opts[] = {"-f", "die.flp", "-p", "power.ptrace"};
    sip_thermal_model_t *model = NULL;
    sip_error_t err;
    sip_status_t st = sip_thermal_model_create_hotspot(dir, config, opts, 4, FUZZ_GRID, FUZZ_GRID,
                                                       &model, &err);
    fuzz_expect_error(st, &err, "sip_thermal_model_create_hotspot");
    if (st != SIP_OK) {
        FUZZ_CHECK(model == NULL, "failed create left a model");
        return;
    }
    sip_thermal_model_set_power_caps(model, false);
    sip_thermal_result_t *r = NULL;
    st = sip_thermal_solve(model, NULL, &r, &err);
    fuzz_expect_error(st, &err, "sip_thermal_solve");
    if (st == SIP_OK) {
        double tol = 1e-6 * (1.0 + fabs(r->power_in_w));
        FUZZ_CHECK(fabs(r->power_in_w - r->heat_out_w) <= tol, "in %.17g W out %.17g W",
                   r->power_in_w, r->heat_out_w);
    }
    sip_thermal_result_destroy(r);

    int n = sip_thermal_model_n_dies(model);
    double *trace = calloc((size_t)n * FUZZ_MAX_STEPS + 1, sizeof *trace);
    double *t_max = calloc((size_t)n * FUZZ_MAX_STEPS + 1, sizeof *t_max);
    if (!trace || !t_max)
        abort();
    const double *p = sip_thermal_model_default_power(model);
    for (int s = 0; s < FUZZ_MAX_STEPS; s++)
        for (int d = 0; d < n; d++)
            trace[s * n + d] = p[d] * (s + 1) / FUZZ_MAX_STEPS;
    st = sip_thermal_transient(model, trace, FUZZ_MAX_STEPS, 1e-3, true, t_max, NULL, &err);
    fuzz_expect_error(st, &err, "sip_thermal_transient");
    free(trace);
    free(t_max);
    sip_thermal_model_destroy(model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1;
    char *text = fuzz_text(data, size);
    if (fuzz_names_special_file(text)) {
        free(text);
        return -1;
    }
    char *parts[N_FILES];
    int n = fuzz_split(text, parts, N_FILES);
    const char *dir = fuzz_scratch_dir();
    char path[N_FILES][512];
    for (int i = 0; i < N_FILES; i++) {
        snprintf(path[i], sizeof path[i], "%s/%s", dir, file_names[i]);
        const char *part = i < n ? parts[i] : "";
        fuzz_write_file(path[i], part, strlen(part));
    }
    read_trace(path[2]);
    run_model(dir, path[0]);
    free(text);
    return 0;
}
