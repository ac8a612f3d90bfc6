/* The subcommand table: one row per command, each implemented in tools/cmd_<name>.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli.h"
#include "commands.h"

const cli_command_t cli_commands[] = {
    {"help", "[GROUP]", "input-format reference generated from the schema tables", cmd_help},
    {"report", "FILE [--json] [-o OUT.html]", "package summary: instances, links, design rules, "
     "graph, every engine; -o OUT.html: one self-contained page with pictures", cmd_report},
    /* Issue 8's `sipsim run`: the package's workload end to end inside the package report (the
     * report evaluates the workload section with every other engine). */
    {"run", "FILE [--json] [-o OUT.html]", "the package's workload end to end, with its results in "
     "the package report", cmd_report},
    {"check", "FILE [--json] | --rules", "design rules with file:line (exit 1 on errors)",
     cmd_check},
    {"info", "FILE [--json]", "what the package is made of: substrate, chiplet types, instances, "
     "links", cmd_info},
    {"graph", "FILE [--json]", "package graph: diameter, bisection bandwidth, betweenness, "
     "articulation points, bridges", cmd_graph},
    {"export", "FILE [-f graphml|dot|json] [-o OUT]", "package graph as GraphML, DOT or JSON",
     cmd_export},
    {"traffic", "FILE [--pattern P] [--load X] [--routing R] [--json] [--curve F.csv]",
     "analytic D2D traffic: routes, link loads, saturation, latency, power", cmd_traffic},
    {"tpp", "FILE [--json] [--non-datacenter] [--aggregation max_of_sums|sum_of_maxes]",
     "TPP, performance density, 3A090 class per BIS rule, margins, what-if limits", cmd_tpp},
    {"cost", "FILE... [--json] [--volume N] [--chip-first|--chip-last] [--defect-density D]",
     "yield and cost per good package, NRE, monolithic comparison, crossover area", cmd_cost},
    {"netsim", "FILE [--rate R | --sweep] [--json] [--csv] [--export-booksim DIR]",
     "cycle-level flit simulation (BookSim2-compatible routers) of a package", cmd_netsim},
    {"links", "FILE [--json]", "UCIe link model: bandwidth, latency, energy, reliability per link",
     cmd_links},
    {"thermal", "FILE [--json] [--grid N] [--csv MAP.csv] [--svg MAP.svg] [--export-hotspot DIR] "
     "[--transient TRACE --dt S] [--secondary R] [--no-caps] [--workload] | --hotspot CASE_DIR",
     "junction temperatures, hotspot, thermal budget, power caps, maps, HotSpot export", cmd_thermal},
    {"svg", "FILE [-o OUT.svg|.png|.pdf] [--color kind|temperature] [--plot floorplan|latency] "
     "| --pareto RESULTS.jsonl [--x max:M] [--y min:M]",
     "pictures: floorplan (dies, UCIe ports and links, heat map, scale bar), latency vs load, "
     "Pareto front", cmd_svg},
    {"sweep", "SPEC [-o PREFIX] [-j N] [--resume] [--shard K/N] [--mpi] [--limit N] [--json] | --metrics",
     "design-space sweep: variants in parallel, CSV/JSONL rows, constraints, Pareto front", cmd_sweep},
    {"pareto", "RESULTS.jsonl... [--objective min:METRIC|max:METRIC]... [-o OUT]",
     "Pareto front of sweep results (objectives default to the run's)", cmd_pareto},
    {"perf", "FILE [--json] [--model M] [--phase prefill|decode] [--batch N] [--context N] "
     "[--tp N] [--pp N] [--precision P] [--pj-per-mac X] [--sram-pj-per-byte X] [--hbm-pj-per-bit X]",
     "inference workload: tokens/s, TTFT, TPOT, J/token, bottleneck, per-chiplet power, D2D demand",
     cmd_perf},
    {"kernel", "gemm M N K | conv H W C FH FW FILTERS STRIDE [PAD] [--array RxC] [--dataflow D] "
     "[--arrays N] [--chiplet FILE] [--precision P] [--json]",
     "one kernel on one tile: SCALE-Sim v2 cycles and utilisation, roofline", cmd_kernel},
    {"quant", "--precision int8|fp8_e4m3|fp8_e5m2|fp4_e2m1|mxfp4 [--block N] [--json] "
     "(DATA | --gemm A B M N K)",
     "error a precision costs on given numbers: max/RMS error, SQNR, clipped, flushed, scales; "
     "INT8 GEMM against the float reference", cmd_quant},
    {"system", "FILE [--json] [-f dot|json -o OUT] [--svg OUT.svg]", "system of packages: 3A090 per package, 4A090 per level, inference across packages vs link cap", cmd_system},
    /* Benchmarks: do not add a row per area here; add your row to the table in cmd_bench.c. */
    {"bench", "AREA [options]", "benchmarks printing figures (see `sipsim bench`)", cmd_bench},
};
const int cli_n_commands = (int)(sizeof cli_commands / sizeof cli_commands[0]);
