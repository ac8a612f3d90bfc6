/* One declaration per subcommand (tools/cmd_<name>.c).  SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_COMMANDS_H
#define SIPSIM_COMMANDS_H

int cmd_help(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_links(int argc, char **argv);
int bench_ucie(int argc, char **argv);
int cmd_tpp(int argc, char **argv);
int cmd_cost(int argc, char **argv);
int cmd_traffic(int argc, char **argv);
int bench_traffic(int argc, char **argv);
int cmd_netsim(int argc, char **argv);
int bench_netsim(int argc, char **argv);
int cmd_thermal(int argc, char **argv);
int bench_thermal(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_pareto(int argc, char **argv);
int bench_sweep(int argc, char **argv);
int cmd_svg(int argc, char **argv);

int cmd_perf(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int bench_kernels(int argc, char **argv);
int cmd_quant(int argc, char **argv);
int cmd_system(int argc, char **argv);

#endif
