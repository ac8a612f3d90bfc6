/* sipsim — the package model: chiplet types, instances, ports, links, package.
 * Plain data; every engine reads a `const sip_package_t *`.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Coordinates: the substrate's lower-left corner is (0, 0), x to the right (east), y up
 * (north), millimetres.  An instance's (x_mm, y_mm) is the lower-left corner of its footprint
 * after rotation.  Rotation is counter-clockwise in degrees (0, 90, 180, 270).
 * A port's position_mm is the distance of the port's centre from the start of its edge in the
 * chiplet's own (unrotated) frame: north and south edges are measured from the west (left) end,
 * east and west edges from the south (bottom) end.
 */
#ifndef SIPSIM_MODEL_H
#define SIPSIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "sipsim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIP_NAME_MAX 64
/* Limits checked by the loader before anything is allocated (issue 12). */
#define SIP_MAX_ENGINES 8
#define SIP_MAX_MEMORIES 16
#define SIP_MAX_IOS 16
#define SIP_MAX_PORTS 32
#define SIP_MAX_BLOCKS 32
#define SIP_MAX_LAYERS 16
#define SIP_MAX_TYPES 256
#define SIP_MAX_INSTANCES 1024
#define SIP_MAX_LINKS 4096
#define SIP_MAX_DEMANDS 65536

typedef enum { SIP_KIND_COMPUTE, SIP_KIND_MEMORY, SIP_KIND_IO, SIP_KIND_CUSTOM, SIP_KIND_COUNT } sip_kind_t;
typedef enum { SIP_EDGE_NORTH, SIP_EDGE_EAST, SIP_EDGE_SOUTH, SIP_EDGE_WEST, SIP_EDGE_COUNT } sip_edge_t;
/* UCIe package type of a port or link (facts.md §1.2). */
typedef enum { SIP_UCIE_STANDARD, SIP_UCIE_ADVANCED, SIP_UCIE_PACKAGE_COUNT } sip_ucie_package_t;
typedef enum {
    SIP_SUBSTRATE_ORGANIC,    /* standard package only */
    SIP_SUBSTRATE_INTERPOSER, /* silicon interposer: advanced package only */
    SIP_SUBSTRATE_BRIDGE,     /* organic substrate with embedded bridges: both */
    SIP_SUBSTRATE_COUNT
} sip_substrate_kind_t;

typedef enum {
    SIP_PREC_INT4,
    SIP_PREC_INT8,
    SIP_PREC_FP4,  /* E2M1 / MXFP4 */
    SIP_PREC_FP6,
    SIP_PREC_FP8,  /* E4M3 / E5M2 */
    SIP_PREC_FP16,
    SIP_PREC_BF16,
    SIP_PREC_TF32,
    SIP_PREC_FP32,
    SIP_PREC_FP64,
    SIP_PREC_COUNT
} sip_precision_t;

/* Transistor architecture of a die: decides whether its area counts in the 3A090 'applicable
 * die area' ("logic dies manufactured with a process node that uses a non-planar transistor
 * architecture", facts.md §2.3).  Stated per die, never derived from the node number. */
typedef enum {
    SIP_TRANSISTOR_UNKNOWN, /* not stated: the TPP engine evaluates both readings */
    SIP_TRANSISTOR_PLANAR,
    SIP_TRANSISTOR_FINFET,
    SIP_TRANSISTOR_GAA,     /* gate-all-around (nanosheet) */
    SIP_TRANSISTOR_COUNT
} sip_transistor_t;

typedef enum { SIP_ENGINE_SYSTOLIC, SIP_ENGINE_VECTOR, SIP_ENGINE_KIND_COUNT } sip_engine_kind_t;
typedef enum {
    SIP_DATAFLOW_OS, /* output stationary */
    SIP_DATAFLOW_WS, /* weight stationary */
    SIP_DATAFLOW_IS, /* input stationary */
    SIP_DATAFLOW_COUNT
} sip_dataflow_t;

/* Dense MACs per clock cycle of one engine at one precision. */
typedef struct {
    sip_precision_t precision;
    double macs_per_cycle;
} sip_rate_t;

typedef struct {
    char name[SIP_NAME_MAX];
    sip_engine_kind_t kind;
    int count;      /* identical engines on the die */
    int array_rows; /* MAC array shape (vector units: rows = lanes, cols = 1) */
    int array_cols;
    sip_dataflow_t dataflow;
    double clock_ghz;
    double energy_pj_per_mac; /* at the engine's lowest-bit precision; 0 = unknown */
    int n_rates;
    sip_rate_t rates[SIP_PREC_COUNT];
    int line;
} sip_engine_t;

typedef enum { SIP_MEM_HBM2E, SIP_MEM_HBM3, SIP_MEM_HBM3E, SIP_MEM_DDR5, SIP_MEM_LPDDR5, SIP_MEM_SRAM, SIP_MEM_KIND_COUNT } sip_memory_kind_t;

typedef struct {
    char name[SIP_NAME_MAX];
    sip_memory_kind_t kind;
    int stacks;            /* or channels */
    double capacity_gb;    /* total of all stacks */
    double bandwidth_GBps; /* total of all stacks */
    int line;
} sip_memory_t;

typedef enum { SIP_IO_PCIE6, SIP_IO_PCIE5, SIP_IO_CXL, SIP_IO_ETHERNET, SIP_IO_UCIE_BRIDGE, SIP_IO_OPTICAL, SIP_IO_NVLINK, SIP_IO_KIND_COUNT } sip_io_kind_t;

/* Off-package I/O: bandwidth per direction = lanes x rate_gbps / 8 x efficiency. */
typedef struct {
    char name[SIP_NAME_MAX];
    sip_io_kind_t kind;
    int lanes;
    double rate_gbps;       /* per lane, after line coding */
    double bandwidth_GBps;  /* per direction; derived by the loader when not given */
    int line;
} sip_io_t;

typedef struct {
    char name[SIP_NAME_MAX];
    sip_edge_t edge;
    double position_mm;     /* centre of the port along its edge, see top of file */
    sip_ucie_package_t package;
    int modules;            /* modules the port offers */
    double max_rate_gtps;
    double bump_pitch_um;
    int line;
} sip_port_t;

/* Optional power map of a die: rectangles in the die's own frame, fraction of its power. */
typedef struct {
    char name[SIP_NAME_MAX];
    double x_mm, y_mm, width_mm, height_mm;
    double power_fraction;
    int line;
} sip_block_t;

typedef struct {
    char name[SIP_NAME_MAX]; /* file stem for library types; instance-scoped for inline blocks */
    char path[SIP_PATH_MAX]; /* file that defined it */
    int line;
    char base[SIP_NAME_MAX]; /* library type an inline block derives from; "" = none */
    sip_kind_t kind;
    double width_mm, height_mm;
    int process_nm;
    sip_transistor_t transistor;
    double tdp_w, idle_w;
    double sram_mb;
    int n_engines;
    sip_engine_t engines[SIP_MAX_ENGINES];
    int n_memories;
    sip_memory_t memories[SIP_MAX_MEMORIES];
    int n_ios;
    sip_io_t ios[SIP_MAX_IOS];
    int n_ports;
    sip_port_t ports[SIP_MAX_PORTS];
    int n_blocks;
    sip_block_t blocks[SIP_MAX_BLOCKS];
} sip_chiplet_type_t;

typedef struct {
    char name[SIP_NAME_MAX];
    int type;               /* index into package->types */
    double x_mm, y_mm;      /* lower-left corner after rotation */
    int rotation_deg;       /* 0, 90, 180, 270 */
    double power_w;         /* operating power; < 0 = use the type's TDP */
    /* Memory stacks (HBM) sit beside a host die on their own PHY, not on UCIe: the host's
     * instance index, or -1.  Attached instances are not vertices of the UCIe graph. */
    int attached_to;
    int line;
} sip_instance_t;

/* UCIe flit formats (facts.md §1.5). */
typedef enum {
    SIP_FLIT_RAW,              /* raw / streaming without adapter CRC */
    SIP_FLIT_68B,
    SIP_FLIT_256B_STANDARD,
    SIP_FLIT_256B_LATOPT,      /* latency-optimized, without optional bytes */
    SIP_FLIT_256B_LATOPT_OPT,  /* latency-optimized, with optional bytes */
    SIP_FLIT_COUNT
} sip_flit_format_t;

typedef enum { SIP_PROTO_PCIE, SIP_PROTO_CXL_IO, SIP_PROTO_CXL_CACHEMEM, SIP_PROTO_STREAMING, SIP_PROTO_COUNT } sip_protocol_t;

typedef struct {
    char name[SIP_NAME_MAX];
    int from_instance, from_port; /* indices; port indexes the instance type's ports */
    int to_instance, to_port;
    sip_ucie_package_t package;   /* from the ports (both must agree) */
    int modules;
    int lanes_per_module;         /* 0 = package default (16 standard, 64 advanced) */
    double rate_gtps;
    sip_flit_format_t flit;
    sip_protocol_t protocol;
    double length_mm;             /* < 0 = Manhattan distance between port centres */
    double voltage_v;             /* 0.7 or 0.5 corner */
    double raw_ber;               /* < 0 = the spec's default for rate and package */
    int failed_lanes;
    int line;
} sip_link_t;

typedef struct {
    sip_substrate_kind_t kind;
    double width_mm, height_mm;
    /* substrate.stitching = "stitched": a silicon interposer exposed as several stitched
     * reticle fields, so it may exceed one field (the `reticle` design rule). */
    bool stitched;
    int line;
} sip_substrate_t;

typedef enum { SIP_COOLING_AIR, SIP_COOLING_LIQUID, SIP_COOLING_COUNT } sip_cooling_t;

/* A thermal stack layer override (thermal engine defaults per package type, facts.md §3). */
typedef struct {
    char name[SIP_NAME_MAX];
    double thickness_um;
    double k_w_per_mk;
    double heat_capacity_j_per_m3k;
    int line;
} sip_layer_t;

typedef struct {
    double ambient_c;
    double tj_max_c;
    sip_cooling_t cooling;
    double sink_r_c_per_w;          /* convection resistance sink-to-ambient; < 0 = default */
    double power_budget_w;          /* < 0 = none */
    double power_density_limit_w_per_mm2;
    int grid_rows, grid_cols;       /* 0 = engine default */
    int n_layers;
    sip_layer_t layers[SIP_MAX_LAYERS];
    int line;
} sip_thermal_env_t;

typedef struct {
    int from_instance, to_instance;
    double GBps;
    int line;
} sip_demand_t;

/* Optional `traffic` section: default pattern and explicit demand matrix. */
typedef struct {
    char pattern[SIP_NAME_MAX];     /* "" = uniform */
    double load;                    /* fraction of capacity or GB/s per source, see load_unit */
    bool load_in_GBps;
    int endpoints_per_chiplet;
    int n_hotspots;
    int hotspots[16];               /* instance indices */
    int n_demands;
    sip_demand_t *demands;          /* owned */
    int line;
} sip_traffic_spec_t;

/* Optional `workload` section read by the kernel library. */
typedef struct {
    bool present;
    char model[SIP_NAME_MAX];       /* model shape name or file stem in models/ */
    char phase[16];                 /* "prefill" or "decode" */
    int batch;
    int context_tokens;
    int output_tokens;
    sip_precision_t precision;
    int tensor_parallel, pipeline_parallel;
    int line;
} sip_workload_t;

/* An assembly and test site (an OSAT or foundry back-end line): a named parameter set read
 * from sites/NAME.cfg (`sipsim help site`).  0 in a number = the cost model's default. */
typedef struct {
    char name[SIP_NAME_MAX];        /* the file stem */
    char region[SIP_NAME_MAX];
    double assembly_usd_per_die;    /* pick-and-place + bonding charge per die */
    double bonding_yield_factor;    /* x the model's per-die bond yields (0.99 organic, 0.95
                                     * micro-bump); results above 1 are clamped to 1 */
    double test_usd_per_second;     /* tester time, KGD and package test */
    double package_test_seconds;    /* final test of an assembled package */
    double burn_in_hours;           /* per package; 0 = no burn-in */
    double burn_in_usd_per_hour;    /* burn-in board slot and oven time per package-hour */
    double capacity_units_per_month;
    double lead_time_weeks;
    char path[SIP_PATH_MAX];
    int line;
} sip_cost_site_t;

#define SIP_COST_MAX_SITES 16

/* Optional `cost` section overrides. */
typedef struct {
    bool present;
    double volume_units;
    bool chip_first;
    double nre_usd;
    /* Process overrides for every logic die of the package; 0 = the cost engine's node table
     * (src/cost/params.c, Chiplet Actuary parameters). */
    double defect_density_per_cm2;
    double clustering_alpha;
    double wafer_cost_usd;
    int line;
    /* ---- added for issue 18 ---- */
    char site[SIP_NAME_MAX];        /* assembly/test site by name; "" = the model's defaults */
    bool node_extrapolation;        /* cost a process_nm outside the node table as its nearest
                                     * row (flagged), instead of an error */
    /* The site catalogue: every site file (sites/NAME.cfg) found beside the package (and its parent and
     * grandparent folders, then the installed data folder), read with every package, so a
     * sweep can switch `cost.site` by name without re-reading files. */
    int n_sites;
    sip_cost_site_t sites[SIP_COST_MAX_SITES];
} sip_cost_spec_t;

typedef struct sip_package {
    char name[SIP_NAME_MAX];
    char path[SIP_PATH_MAX];
    char description[256];
    sip_substrate_t substrate;
    int n_types;
    sip_chiplet_type_t *types;      /* owned: library types used + inline blocks */
    int n_instances;
    sip_instance_t *instances;      /* owned */
    int n_links;
    sip_link_t *links;              /* owned */
    sip_thermal_env_t thermal;
    sip_traffic_spec_t traffic;
    sip_workload_t workload;
    sip_cost_spec_t cost;
} sip_package_t;

/* Axis-aligned rectangle in substrate coordinates, millimetres. */
typedef struct {
    double x0_mm, y0_mm, x1_mm, y1_mm;
} sip_rect_t;

/* ---- enum names (one table each, used by loader, help and exports) ---- */
SIP_EXPORT const char *sip_kind_name(sip_kind_t kind);
SIP_EXPORT const char *sip_edge_name(sip_edge_t edge);
SIP_EXPORT const char *sip_ucie_package_name(sip_ucie_package_t package);
SIP_EXPORT const char *sip_substrate_name(sip_substrate_kind_t kind);
SIP_EXPORT const char *sip_precision_name(sip_precision_t precision);
SIP_EXPORT int sip_precision_bits(sip_precision_t precision);
SIP_EXPORT const char *sip_engine_kind_name(sip_engine_kind_t kind);
SIP_EXPORT const char *sip_dataflow_name(sip_dataflow_t dataflow);
SIP_EXPORT const char *sip_memory_kind_name(sip_memory_kind_t kind);
SIP_EXPORT const char *sip_io_kind_name(sip_io_kind_t kind);
SIP_EXPORT const char *sip_flit_name(sip_flit_format_t flit);
SIP_EXPORT const char *sip_protocol_name(sip_protocol_t protocol);
SIP_EXPORT const char *sip_cooling_name(sip_cooling_t cooling);
SIP_EXPORT const char *sip_transistor_name(sip_transistor_t transistor);
/* Look a name up in one of the tables above; returns index or -1. */
SIP_EXPORT int sip_enum_lookup(const char *const *names, int count, const char *name);
SIP_EXPORT const char *const *sip_kind_names(void);
SIP_EXPORT const char *const *sip_edge_names(void);
SIP_EXPORT const char *const *sip_ucie_package_names(void);
SIP_EXPORT const char *const *sip_substrate_names(void);
SIP_EXPORT const char *const *sip_precision_names(void);
SIP_EXPORT const char *const *sip_engine_kind_names(void);
SIP_EXPORT const char *const *sip_dataflow_names(void);
SIP_EXPORT const char *const *sip_memory_kind_names(void);
SIP_EXPORT const char *const *sip_io_kind_names(void);
SIP_EXPORT const char *const *sip_flit_names(void);
SIP_EXPORT const char *const *sip_protocol_names(void);
SIP_EXPORT const char *const *sip_cooling_names(void);
SIP_EXPORT const char *const *sip_transistor_names(void);

/* ---- lifetime ---- */
/* An empty package with defaults (thermal ambient 35 C, Tj max 95 C, no budget). */
SIP_EXPORT sip_status_t sip_package_create(sip_package_t **out, sip_error_t *err);
SIP_EXPORT void sip_package_destroy(sip_package_t *pkg);
/* Deep copy (for sweeps). */
SIP_EXPORT sip_status_t sip_package_clone(const sip_package_t *pkg, sip_package_t **out, sip_error_t *err);
/* Append; return the new index or -1 (ENOMEM / limit, err filled). */
SIP_EXPORT int sip_package_add_type(sip_package_t *pkg, const sip_chiplet_type_t *type, sip_error_t *err);
SIP_EXPORT int sip_package_add_instance(sip_package_t *pkg, const sip_instance_t *inst, sip_error_t *err);
SIP_EXPORT int sip_package_add_link(sip_package_t *pkg, const sip_link_t *link, sip_error_t *err);
SIP_EXPORT int sip_package_find_type(const sip_package_t *pkg, const char *name);
SIP_EXPORT int sip_package_find_instance(const sip_package_t *pkg, const char *name);
SIP_EXPORT int sip_chiplet_find_port(const sip_chiplet_type_t *type, const char *name);
/* Defaults for a fresh chiplet type / instance / link (as the loader applies them). */
SIP_EXPORT void sip_chiplet_type_init(sip_chiplet_type_t *type);
SIP_EXPORT void sip_instance_init(sip_instance_t *inst);
SIP_EXPORT void sip_link_init(sip_link_t *link);

/* ---- geometry and derived values ---- */
SIP_EXPORT const sip_chiplet_type_t *sip_instance_type(const sip_package_t *pkg, int instance);
SIP_EXPORT sip_rect_t sip_instance_rect(const sip_package_t *pkg, int instance);
SIP_EXPORT double sip_instance_power_w(const sip_package_t *pkg, int instance);
/* Port centre in substrate coordinates and the edge it faces after rotation. */
SIP_EXPORT void sip_port_location(const sip_package_t *pkg, int instance, int port, double *x_mm,
                                  double *y_mm, sip_edge_t *edge);
/* Channel length: the link's length_mm if set, else Manhattan distance between port centres. */
SIP_EXPORT double sip_link_length_mm(const sip_package_t *pkg, int link);
SIP_EXPORT int sip_link_lanes_per_module(const sip_link_t *link);
SIP_EXPORT double sip_rect_overlap_mm2(sip_rect_t a, sip_rect_t b);
SIP_EXPORT double sip_package_total_power_w(const sip_package_t *pkg);
/* Ring order for collectives (ring all-reduce, pipeline stages): when the centres of the n
 * instances inst[] form a complete rows x cols grid (within 0.1 mm), reorder inst[] in place
 * into boustrophedon (snake) order, so that ring successors are grid neighbours: rows in turn
 * starting from inst[0]'s row when it is an outer row, each row run in the direction opposite
 * to the previous one, the first starting at inst[0]'s end.  Otherwise inst[] is left as is.
 * Returns true when it reordered (a grid), false otherwise (or out of memory). */
SIP_EXPORT bool sip_package_ring_order(const sip_package_t *pkg, int *inst, int n);

#ifdef __cplusplus
}
#endif
#endif
