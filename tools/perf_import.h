/* sipsim perf with a model from a framework: an ONNX graph as a kernel sequence on the package
 * (tools/cmd_perf_import.c); config.json shapes go through the workload as usual.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_TOOLS_PERF_IMPORT_H
#define SIPSIM_TOOLS_PERF_IMPORT_H

#include <stdbool.h>

#include "cli.h"

#define PERF_MAX_ONNX_DIMS 16

/* True when path names an ONNX model (ends in .onnx). */
bool perf_is_onnx(const char *path);
/* model as the package names it (relative to its folder, else the working folder). */
void perf_resolve_model_path(const sip_package_t *pkg, const char *model, char *out, size_t size);
/* A config.json's max_position_embeddings against the workload's context + output tokens
 * (other model files: nothing to check); prints and returns the exit code. */
int perf_check_context(const char *model_file, const sip_workload_t *wl);
/* Evaluate the ONNX graph at path on pkg and print it; returns the exit code. */
int perf_onnx(const sip_package_t *pkg, const char *path, sip_precision_t precision, int ranks,
              const char *const *dims, int n_dims, const sip_workload_options_t *opts,
              const cli_common_t *common);

#endif
