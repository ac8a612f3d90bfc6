/* libFuzzer harness: bytes -> the ONNX reader (protobuf ModelProto -> kernel sequence) -> the
 * sequence on the default package.  Crashes, sanitizer reports, leaks, a failure without a
 * message and a sequence that breaks its own bookkeeping (negative or non-finite MACs, op MACs
 * not summing to the total) all stop the fuzzer.  Seeds: the .onnx files of tests/data/import.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>

#include "fuzz_common.h"

/* The symbolic dimensions of the test models (tests/data/import/make_models.py), kept small so
 * the shape arithmetic stays cheap; unbound names are an error the reader must report. */
static const char *const dims[] = {"batch=2", "seq=8", "N=2"};

static const sip_package_t *default_package(void)
{
    static sip_package_t *pkg;
    static bool tried;
    if (!tried) {
        tried = true;
        char path[SIP_PATH_MAX];
        snprintf(path, sizeof path, "%s/topologies/default.cfg", fuzz_source_root());
        sip_error_t err;
        if (sip_package_load(path, NULL, &pkg, &err) != SIP_OK) {
            fprintf(stderr, "fuzz_onnx: %s:%d: %s\n", err.path, err.line, err.message);
            abort();
        }
    }
    return pkg;
}

static void check_seq(const sip_kernel_seq_t *seq)
{
    double macs = 0;
    FUZZ_CHECK(seq->n_ops >= 0 && (seq->n_ops == 0 || seq->ops), "%d ops", seq->n_ops);
    for (int i = 0; i < seq->n_ops; i++) {
        const sip_kop_t *k = &seq->ops[i];
        FUZZ_CHECK((int)k->kind >= 0 && k->kind < SIP_KOP_COUNT, "op %d kind %d", i, (int)k->kind);
        FUZZ_CHECK(isfinite(k->macs) && k->macs >= 0, "op %d (%s) macs %g", i, k->name, k->macs);
        FUZZ_CHECK(isfinite(k->out_elems) && k->out_elems >= 0, "op %d out %g", i, k->out_elems);
        macs += k->macs;
    }
    FUZZ_CHECK(fabs(macs - seq->macs) <= 1e-9 * (1.0 + fabs(seq->macs)), "ops %.17g total %.17g",
               macs, seq->macs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return -1;
    const sip_package_t *pkg = default_package();
    sip_onnx_options_t opts = {.n_dims = (int)(sizeof dims / sizeof dims[0]), .dims = dims};
    sip_kernel_seq_t seq;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_onnx_parse(data, size, "fuzz.onnx", &opts, &seq, &err);
    fuzz_expect_error(st, &err, "sip_onnx_parse");
    if (st != SIP_OK)
        return 0;
    check_seq(&seq);
    sip_kernel_seq_result_t *res = NULL;
    st = sip_kernel_seq_evaluate(pkg, &seq, SIP_PREC_FP8, 0, NULL, &res, &err);
    fuzz_expect_error(st, &err, "sip_kernel_seq_evaluate");
    if (st == SIP_OK)
        FUZZ_CHECK(isfinite(res->time_s) && res->time_s >= 0, "time %g s", res->time_s);
    sip_kernel_seq_result_destroy(res);
    sip_kernel_seq_fini(&seq);
    return 0;
}
