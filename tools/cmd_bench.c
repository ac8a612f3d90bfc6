/* sipsim bench AREA [options]: benchmarks that print figures (medians over repeats).
 * Each area adds one row below and implements bench_<area>() in its tools/cmd_<area>.c
 * (declared in commands.h).  Speed targets are measured here, never in unit tests.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "cli.h"
#include "commands.h"

typedef struct {
    const char *area;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the area name */
} bench_entry_t;

static const bench_entry_t benches[] = {
    {"traffic", "analytic evaluations per second", bench_traffic},
    {"netsim", "simulated node-cycles per second, 8x8 mesh at 0.2 and 0.38", bench_netsim},
    {"ucie", "link evaluations and replay Monte-Carlo flits per second", bench_ucie},
    {"thermal", "HotSpot case b build/solve medians at 32-128 grids (--hotspot-bin: side by side)", bench_thermal},
    {"sweep", "10,000-variant analytic sweep of the default package, 1 and 2 threads", bench_sweep},
    {"kernels", "GEMM tile evaluations per second, workload (decode step) evaluation time", bench_kernels},
    {NULL, NULL, NULL},
};

int cmd_bench(int argc, char **argv)
{
    /* Benchmarks print figures for people; no area writes JSON, so --json is refused rather than
     * silently ignored. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") == 0)
            return cli_usage("bench", "--json: benchmarks print text only");
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        argc = 1; /* the area list below, on stdout, exit 0 */
    if (argc >= 2) {
        for (int i = 0; benches[i].area; i++)
            if (strcmp(benches[i].area, argv[1]) == 0)
                return benches[i].run(argc - 1, argv + 1);
    }
    fprintf(argc >= 2 ? stderr : stdout, "usage: sipsim bench AREA [options]\nareas:\n");
    for (int i = 0; benches[i].area; i++)
        fprintf(argc >= 2 ? stderr : stdout, "  %-10s %s\n", benches[i].area, benches[i].summary);
    return argc >= 2 ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}
