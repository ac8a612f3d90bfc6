/* libFuzzer harness: sweep spec text (src/config/sweep_spec.c) -> spec -> the first, a middle
 * and the last variant built and evaluated with the fast engines -> CSV and JSON rows.  The spec
 * is named sweeps/fuzz.cfg in the source tree, so `base = "../topologies/NAME.cfg"` finds the
 * shipped packages (and the chiplets beside them) as a real spec does.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "sipsim/sweep.h"

/* Thermal on a coarse grid and no cycle-level simulation: the variant code paths are the
 * same, the time per execution stays in milliseconds. */
#define FUZZ_THERMAL_GRID 8

static void evaluate(sip_sweep_spec_t *spec, uint64_t id)
{
    sip_sweep_row_t row;
    sip_error_t err;
    sip_status_t st = sip_sweep_row_init(&row, &err);
    if (st != SIP_OK)
        abort();
    st = sip_sweep_evaluate(spec, id, &row, &err);
    fuzz_expect_error(st, &err, "sip_sweep_evaluate");
    if (st == SIP_OK) {
        FUZZ_CHECK(row.id == id, "row %llu for variant %llu", (unsigned long long)row.id,
                   (unsigned long long)id);
        FUZZ_CHECK(row.valid || row.reason[0], "invalid variant %llu without a reason",
                   (unsigned long long)id);
        FUZZ_CHECK(!row.feasible || row.valid, "feasible but invalid");
        char *buf = NULL;
        size_t len = 0, cap = 0;
        if (sip_sweep_csv_header(spec, &buf, &len, &cap) != SIP_OK ||
            sip_sweep_row_csv(spec, &row, &buf, &len, &cap) != SIP_OK ||
            sip_sweep_row_json(spec, &row, &buf, &len, &cap) != SIP_OK)
            abort();
        FUZZ_CHECK(buf && strlen(buf) == len, "row text length %zu, buffer says %zu",
                   buf ? strlen(buf) : 0, len);
        free(buf);
    }
    sip_sweep_row_fini(&row);
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
    static char path[SIP_PATH_MAX];
    if (!path[0])
        snprintf(path, sizeof path, "%s/sweeps/fuzz.cfg", fuzz_source_root());
    sip_sweep_spec_t *spec = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_sweep_spec_load_string(text, path, NULL, &spec, &err);
    fuzz_expect_error(st, &err, "sip_sweep_spec_load_string");
    if (st == SIP_OK) {
        FUZZ_CHECK(spec && spec->base && spec->n_variants >= 1, "spec without variants");
        spec->engines &= ~(1u << SIP_SWEEP_NETSIM);
        spec->thermal_grid = FUZZ_THERMAL_GRID;
        evaluate(spec, 0);
        evaluate(spec, spec->n_variants / 2);
        evaluate(spec, spec->n_variants - 1);
    } else {
        FUZZ_CHECK(spec == NULL, "failed load left a spec");
    }
    sip_sweep_spec_destroy(spec);
    free(text);
    return 0;
}
