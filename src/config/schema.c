/* Schema tables: one `static const` table per input group.  They drive the loader (unknown keys,
 * types, ranges, required keys, storage) and are the reference printed by `sipsim help GROUP`.
 *
 * Ranges are sanity bounds, not model numbers: wide enough for any real design, narrow enough
 * to catch unit mistakes (mm written as um) and garbage (1e9 mm, negative sizes, 10^10 engines).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "config/config_internal.h"

/* Enums are stored through an int pointer: make sure the model's enums are int-sized. */
_Static_assert(sizeof(sip_kind_t) == sizeof(int), "enum size");
_Static_assert(sizeof(sip_precision_t) == sizeof(int), "enum size");

#define NONE SIZE_MAX
#define N_FIELDS(table) ((int)(sizeof table / sizeof table[0]))

#define F_INT(k, req, lo, hi, u_, h_, T, m)                                              \
    {.key = k, .type = SIP__F_INT, .required = req, .min = lo, .max = hi, .unit = u_,       \
     .help = h_, .offset = offsetof(T, m)}
#define F_FLOAT(k, req, lo, open, hi, u_, h_, T, m)                                      \
    {.key = k, .type = SIP__F_FLOAT, .required = req, .min = lo, .min_open = open,            \
     .max = hi, .unit = u_, .help = h_, .offset = offsetof(T, m)}
#define F_STRING(k, req, h_, T, m)                                                         \
    {.key = k, .type = SIP__F_STRING, .required = req, .help = h_, .offset = offsetof(T, m), \
     .size = (int)sizeof(((T *)0)->m)}
#define F_ENUM(k, req, fn, count, h_, T, m)                                                \
    {.key = k, .type = SIP__F_ENUM, .required = req, .help = h_, .offset = offsetof(T, m),  \
     .names = fn, .n_names = count, .store = SIP__ENUM_INT}
#define F_ENUM_BOOL(k, req, fn, h_, T, m)                                                  \
    {.key = k, .type = SIP__F_ENUM, .required = req, .help = h_, .offset = offsetof(T, m),  \
     .names = fn, .n_names = 2, .store = SIP__ENUM_BOOL}
#define F_ENUM_STRING(k, req, fn, count, h_, T, m)                                         \
    {.key = k, .type = SIP__F_ENUM, .required = req, .help = h_, .offset = offsetof(T, m),  \
     .names = fn, .n_names = count, .store = SIP__ENUM_STRING, .size = (int)sizeof(((T *)0)->m)}
#define F_GROUP(k, req, sch_, h_, T, m)                                                  \
    {.key = k, .type = SIP__F_GROUP, .required = req, .help = h_, .offset = offsetof(T, m),  \
     .sub = &sch_}
/* A list stored in place: array member `m` (its capacity is the element limit), count `n`. */
#define F_LIST(k, req, lo, sch_, uniq, h_, T, m, n)                                      \
    {.key = k, .type = SIP__F_LIST, .required = req, .min = lo,                               \
     .max = (double)(sizeof(((T *)0)->m) / sizeof(((T *)0)->m[0])), .help = h_,                \
     .offset = offsetof(T, m), .count_offset = offsetof(T, n), .elem_size = sizeof(((T *)0)->m[0]), \
     .sub = &sch_, .unique = uniq}
/* A list the package loader walks itself (it resolves names across lists). */
#define F_LIST_CUSTOM(k, req, lo, hi, sch_, h_)                                          \
    {.key = k, .type = SIP__F_LIST, .required = req, .min = lo, .max = hi, .help = h_,       \
     .offset = NONE, .sub = &sch_}

static const char *const *load_unit_names(void)
{
    static const char *const names[] = {"fraction", "GBps"};
    return names;
}

/* Index 1 sets substrate.stitched. */
static const char *const *stitching_names(void)
{
    static const char *const names[] = {"none", "stitched"};
    return names;
}

/* Index 1 sets chip_first. */
static const char *const *assembly_names(void)
{
    static const char *const names[] = {"chip_last", "chip_first"};
    return names;
}

/* Index 1 allows extrapolation. */
static const char *const *node_outside_names(void)
{
    static const char *const names[] = {"error", "extrapolate"};
    return names;
}

static const char *const *phase_names(void)
{
    static const char *const names[] = {"prefill", "decode"};
    return names;
}

/* ------------------------------------------------------------------ chiplet types */

static const sip__field_t power_fields[] = {
    F_FLOAT("tdp_w", true, 0, false, 5000, "W",
            "thermal design power of the die; the default operating power of an instance",
            sip_chiplet_type_t, tdp_w),
    F_FLOAT("idle_w", false, 0, false, 5000, "W", "idle (leakage + clock tree) power, <= tdp_w; default 0",
            sip_chiplet_type_t, idle_w),
};
static const sip__schema_t schema_power = {
    .name = "power", .title = "power = { ... } inside a chiplet type",
    .fields = power_fields, .n_fields = N_FIELDS(power_fields), .line_offset = NONE,
};

static const sip__field_t precision_fields[] = {
    F_ENUM("type", true, sip_precision_names, SIP_PREC_COUNT, "operand precision", sip_rate_t,
           precision),
    F_FLOAT("macs_per_cycle", true, 0, true, 1e9, "MAC/cycle",
            "dense multiply-accumulates per clock of ONE engine at this precision", sip_rate_t,
            macs_per_cycle),
};
static const sip__schema_t schema_precision = {
    .name = "precision", .title = "precisions = ( { ... }, ... ) inside an engine",
    .fields = precision_fields, .n_fields = N_FIELDS(precision_fields), .line_offset = NONE,
};

static void engine_init(void *obj)
{
    sip_engine_t *e = obj;
    e->dataflow = SIP_DATAFLOW_WS;
}

static const sip__field_t engine_fields[] = {
    F_STRING("name", true, "engine name, unique on the die", sip_engine_t, name),
    F_ENUM("kind", true, sip_engine_kind_names, SIP_ENGINE_KIND_COUNT,
           "systolic MAC array or vector unit", sip_engine_t, kind),
    F_INT("count", true, 1, 1e6, "", "identical engines on the die", sip_engine_t, count),
    {.key = "array", .type = SIP__F_INT_ARRAY, .required = true, .min = 1, .max = 65536,
     .help = "[rows, cols] of the MAC array (vector units: [lanes, 1])",
     .offset = offsetof(sip_engine_t, array_rows), .size = 2},
    F_ENUM("dataflow", false, sip_dataflow_names, SIP_DATAFLOW_COUNT,
           "os (output), ws (weight) or is (input) stationary; default ws", sip_engine_t, dataflow),
    F_FLOAT("clock_ghz", true, 0, true, 20, "GHz", "engine clock", sip_engine_t, clock_ghz),
    F_FLOAT("energy_pj_per_mac", false, 0, false, 1e4, "pJ",
            "energy per MAC at the lowest-bit precision; default 0 = unknown", sip_engine_t,
            energy_pj_per_mac),
    F_LIST("precisions", true, 1, schema_precision, "type",
           "supported precisions with their MAC rate", sip_engine_t, rates, n_rates),
};
static const sip__schema_t schema_engine = {
    .name = "engine", .title = "engines = ( { ... }, ... ) inside a chiplet type",
    .fields = engine_fields, .n_fields = (int)(sizeof engine_fields / sizeof engine_fields[0]),
    .line_offset = offsetof(sip_engine_t, line), .init = engine_init,
};

static void memory_init(void *obj)
{
    ((sip_memory_t *)obj)->stacks = 1;
}

static const sip__field_t memory_fields[] = {
    F_STRING("name", true, "memory name, unique on the die", sip_memory_t, name),
    F_ENUM("kind", true, sip_memory_kind_names, SIP_MEM_KIND_COUNT, "memory technology",
           sip_memory_t, kind),
    F_INT("stacks", false, 1, 64, "", "stacks or channels; default 1", sip_memory_t, stacks),
    F_FLOAT("capacity_gb", true, 0, true, 1e5, "GB", "capacity of all stacks together",
            sip_memory_t, capacity_gb),
    F_FLOAT("bandwidth_GBps", true, 0, true, 1e6, "GB/s", "peak bandwidth of all stacks together",
            sip_memory_t, bandwidth_GBps),
};
static const sip__schema_t schema_memory = {
    .name = "memory", .title = "memory = ( { ... }, ... ) inside a chiplet type",
    .fields = memory_fields, .n_fields = (int)(sizeof memory_fields / sizeof memory_fields[0]),
    .line_offset = offsetof(sip_memory_t, line), .init = memory_init,
};

static const sip__field_t io_fields[] = {
    F_STRING("name", true, "interface name, unique on the die", sip_io_t, name),
    F_ENUM("kind", true, sip_io_kind_names, SIP_IO_KIND_COUNT, "interface standard", sip_io_t, kind),
    F_INT("lanes", true, 1, 4096, "", "lanes", sip_io_t, lanes),
    F_FLOAT("rate_gbps", true, 0, true, 1e4, "Gb/s", "data rate per lane after line coding",
            sip_io_t, rate_gbps),
    F_FLOAT("bandwidth_GBps", false, 0, true, 1e6, "GB/s",
            "bandwidth per direction; default lanes x rate_gbps / 8", sip_io_t, bandwidth_GBps),
};
static const sip__schema_t schema_io = {
    .name = "io", .title = "io = ( { ... }, ... ) inside a chiplet type (off-package I/O)",
    .fields = io_fields, .n_fields = (int)(sizeof io_fields / sizeof io_fields[0]),
    .line_offset = offsetof(sip_io_t, line),
};

static const sip__field_t port_fields[] = {
    F_STRING("name", true, "port name, unique on the die; links name it as INSTANCE.PORT",
             sip_port_t, name),
    F_ENUM("edge", true, sip_edge_names, SIP_EDGE_COUNT, "die edge of the unrotated die",
           sip_port_t, edge),
    F_FLOAT("position_mm", true, 0, false, 100, "mm",
            "port centre along its edge, from the west end (north/south edges) or the south end "
            "(east/west edges); at most the edge length",
            sip_port_t, position_mm),
    F_ENUM("package", true, sip_ucie_package_names, SIP_UCIE_PACKAGE_COUNT,
           "UCIe package type: standard (organic) or advanced (interposer/bridge)", sip_port_t,
           package),
    F_INT("modules", true, 1, 64, "", "UCIe modules the port offers", sip_port_t, modules),
    F_FLOAT("max_rate_gtps", true, 0, true, 64, "GT/s", "highest lane rate the PHY supports",
            sip_port_t, max_rate_gtps),
    F_FLOAT("bump_pitch_um", false, 1, false, 1000, "um",
            "bump pitch; default 0 = the package type's default", sip_port_t, bump_pitch_um),
};
static const sip__schema_t schema_port = {
    .name = "port", .title = "ports = ( { ... }, ... ) inside a chiplet type (UCIe die-to-die ports)",
    .fields = port_fields, .n_fields = (int)(sizeof port_fields / sizeof port_fields[0]),
    .line_offset = offsetof(sip_port_t, line),
};

static const sip__field_t block_fields[] = {
    F_STRING("name", true, "block name, unique on the die", sip_block_t, name),
    {.key = "rect_mm", .type = SIP__F_FLOAT_ARRAY, .required = true, .min = 0, .max = 100,
     .unit = "mm", .help = "[x, y, width, height] in the die's own frame, inside the die",
     .offset = offsetof(sip_block_t, x_mm), .size = 4},
    F_FLOAT("power_fraction", true, 0, false, 1, "",
            "share of the die's power dissipated in the block; all blocks sum to <= 1",
            sip_block_t, power_fraction),
};
static const sip__schema_t schema_block = {
    .name = "block",
    .title = "blocks = ( { ... }, ... ) inside a chiplet type: power map (package blocks: custom)",
    .fields = block_fields, .n_fields = (int)(sizeof block_fields / sizeof block_fields[0]),
    .line_offset = offsetof(sip_block_t, line),
};

static const sip__field_t chiplet_fields[] = {
    F_ENUM("kind", true, sip_kind_names, SIP_KIND_COUNT, "what the die is for", sip_chiplet_type_t,
           kind),
    /* 100 mm bounds any die, even stitched beyond the 26 x 33 mm reticle. */
    F_FLOAT("width_mm", true, 0, true, 100, "mm", "die width (x) before rotation",
            sip_chiplet_type_t, width_mm),
    F_FLOAT("height_mm", true, 0, true, 100, "mm", "die height (y) before rotation",
            sip_chiplet_type_t, height_mm),
    F_INT("process_nm", false, 1, 1000, "nm", "process node; default 0 = unknown",
          sip_chiplet_type_t, process_nm),
    F_ENUM("transistor", false, sip_transistor_names, SIP_TRANSISTOR_COUNT,
           "planar, finfet or gaa: whether the die counts in the 3A090 performance-density area "
           "(non-planar logic); default unknown = both readings, the stricter class",
           sip_chiplet_type_t, transistor),
    {.key = "power", .type = SIP__F_GROUP, .required = true, .help = "power = { tdp_w; idle_w; }",
     .offset = 0, .sub = &schema_power},
    F_FLOAT("sram_mb", false, 0, false, 1e6, "MB", "on-chip SRAM; default 0", sip_chiplet_type_t,
            sram_mb),
    F_LIST("engines", false, 0, schema_engine, "name", "compute engines",
           sip_chiplet_type_t, engines, n_engines),
    F_LIST("memory", false, 0, schema_memory, "name",
           "memory on or stacked with the die (e.g. HBM)", sip_chiplet_type_t, memories,
           n_memories),
    F_LIST("io", false, 0, schema_io, "name", "off-package I/O",
           sip_chiplet_type_t, ios, n_ios),
    F_LIST("ports", false, 0, schema_port, "name", "UCIe die-to-die ports",
           sip_chiplet_type_t, ports, n_ports),
    F_LIST("blocks", false, 0, schema_block, "name",
           "power map: rectangles with a share of the die power", sip_chiplet_type_t, blocks,
           n_blocks),
};
const sip__schema_t sip__schema_chiplet = {
    .name = "chiplet",
    .title = "a chiplet type file, chiplets/NAME.cfg (one type per file, NAME = file stem)",
    .fields = chiplet_fields, .n_fields = (int)(sizeof chiplet_fields / sizeof chiplet_fields[0]),
    .line_offset = NONE, .finish = sip__chiplet_finish,
};

static const sip__field_t custom_fields[] = {
    F_STRING("name", true, "type name used by instances; unique among the package's blocks",
             sip_chiplet_type_t, name),
    F_STRING("base", false,
             "library chiplet type to derive from: keys given here override its scalars, a "
             "list given here replaces the base's list",
             sip_chiplet_type_t, base),
};
const sip__schema_t sip__schema_custom = {
    .name = "custom",
    .title = "blocks = ( { ... }, ... ) in a package: custom chiplet types written inline",
    .help = "Without `base`, the keys `sipsim help chiplet` marks required are required here.",
    .fields = custom_fields, .n_fields = N_FIELDS(custom_fields), .extends = &sip__schema_chiplet,
    .line_offset = offsetof(sip_chiplet_type_t, line), .finish = sip__chiplet_finish,
};

/* ------------------------------------------------------------------ packages */

static const sip__field_t substrate_fields[] = {
    F_ENUM("kind", true, sip_substrate_names, SIP_SUBSTRATE_COUNT,
           "organic (standard UCIe), interposer (advanced) or bridge (both)", sip_substrate_t, kind),
    /* 1000 mm: beyond any panel-level package. */
    F_FLOAT("width_mm", true, 0, true, 1000, "mm", "substrate width (x)", sip_substrate_t, width_mm),
    F_FLOAT("height_mm", true, 0, true, 1000, "mm", "substrate height (y)", sip_substrate_t,
            height_mm),
    F_ENUM_BOOL("stitching", false, stitching_names,
                "none (one reticle field, the default) or stitched (an interposer of stitched "
                "reticle fields, allowed beyond 26 x 33 mm)", sip_substrate_t, stitched),
};
static const sip__schema_t schema_substrate = {
    .name = "substrate", .title = "substrate = { ... } in a package",
    .fields = substrate_fields, .n_fields = N_FIELDS(substrate_fields), .line_offset = offsetof(sip_substrate_t, line),
};

static const sip__field_t instance_fields[] = {
    F_STRING("name", true, "instance name, unique in the package, no '.'", instance_src_t,
             inst.name),
    F_STRING("type", true, "chiplet type: an inline block or a library file stem",
             instance_src_t, type),
    F_FLOAT("x_mm", true, -1000, false, 1000, "mm", "x of the lower-left corner after rotation",
            instance_src_t, inst.x_mm),
    F_FLOAT("y_mm", true, -1000, false, 1000, "mm", "y of the lower-left corner after rotation",
            instance_src_t, inst.y_mm),
    F_INT("rotation", false, 0, 270, "deg", "counter-clockwise: 0, 90, 180 or 270; default 0",
          instance_src_t, inst.rotation_deg),
    F_FLOAT("power_w", false, 0, false, 1e5, "W", "operating power; default the type's tdp_w",
            instance_src_t, inst.power_w),
    F_STRING("attach", false,
             "host instance of a memory stack on its own PHY (HBM): not a UCIe graph vertex",
             instance_src_t, attach),
};
const sip__schema_t sip__schema_instance = {
    .name = "instance", .title = "instances = ( { ... }, ... ) in a package: placed chiplets",
    .fields = instance_fields, .n_fields = (int)(sizeof instance_fields / sizeof instance_fields[0]),
    .line_offset = offsetof(instance_src_t, inst.line),
};

static const sip__field_t link_fields[] = {
    F_STRING("name", false, "link name, unique; default FROM-TO", link_src_t, link.name),
    F_STRING("from", true, "INSTANCE.PORT", link_src_t, from),
    F_STRING("to", true, "INSTANCE.PORT (same package type as `from`)", link_src_t, to),
    F_INT("modules", true, 1, 64, "", "UCIe modules used", link_src_t, link.modules),
    F_FLOAT("rate_gtps", true, 0, true, 64, "GT/s", "lane rate", link_src_t, link.rate_gtps),
    F_ENUM("flit", false, sip_flit_names, SIP_FLIT_COUNT, "flit format; default 68b", link_src_t,
           link.flit),
    F_ENUM("protocol", false, sip_protocol_names, SIP_PROTO_COUNT,
           "protocol carried; default streaming", link_src_t, link.protocol),
    F_FLOAT("length_mm", false, 0, false, 1000, "mm",
            "channel length; default Manhattan distance between the port centres", link_src_t,
            link.length_mm),
    F_FLOAT("voltage_v", false, 0.3, false, 1.2, "V", "PHY supply corner (0.7 or 0.5); default 0.7",
            link_src_t, link.voltage_v),
    F_FLOAT("raw_ber", false, 0, false, 1e-3, "", "raw bit error rate; default the spec's for rate and package",
            link_src_t, link.raw_ber),
    F_INT("failed_lanes", false, 0, 4096, "", "lanes lost to defects; default 0", link_src_t,
          link.failed_lanes),
    F_INT("lanes_per_module", false, 1, 64, "",
          "lanes per module; default 16 (standard) or 64 (advanced)", link_src_t,
          link.lanes_per_module),
};
const sip__schema_t sip__schema_link = {
    .name = "link", .title = "links = ( { ... }, ... ) in a package: UCIe links port to port",
    .fields = link_fields, .n_fields = (int)(sizeof link_fields / sizeof link_fields[0]),
    .line_offset = offsetof(link_src_t, link.line),
};

static const sip__field_t layer_fields[] = {
    F_STRING("name", true, "layer name", sip_layer_t, name),
    F_FLOAT("thickness_um", true, 0, true, 1e5, "um", "layer thickness", sip_layer_t, thickness_um),
    F_FLOAT("k_w_per_mk", true, 0, true, 1e4, "W/(m K)", "thermal conductivity", sip_layer_t,
            k_w_per_mk),
    F_FLOAT("heat_capacity_j_per_m3k", false, 0, true, 1e8, "J/(m^3 K)",
            "volumetric heat capacity; default 0 = the engine's default", sip_layer_t,
            heat_capacity_j_per_m3k),
};
static const sip__schema_t schema_layer = {
    .name = "layer", .title = "layers = ( { ... }, ... ) inside thermal: stack layer overrides",
    .fields = layer_fields, .n_fields = N_FIELDS(layer_fields), .line_offset = offsetof(sip_layer_t, line),
};

static sip_status_t thermal_finish(const sip__cfg_ctx_t *cx, const config_setting_t *group,
                                   void *obj)
{
    const sip_thermal_env_t *t = obj;
    if (t->tj_max_c <= t->ambient_c)
        return sip__fail(cx, sip__member(group, "tj_max_c") ? sip__member(group, "tj_max_c") : group,
                         SIP_EINVAL, "tj_max_c = %g is not above ambient_c = %g (expected tj_max_c > ambient_c)",
                         t->tj_max_c, t->ambient_c);
    return SIP_OK;
}

static const sip__field_t thermal_fields[] = {
    F_FLOAT("ambient_c", false, -60, false, 150, "C", "ambient (inlet) temperature; default 35",
            sip_thermal_env_t, ambient_c),
    F_FLOAT("tj_max_c", false, 0, true, 250, "C", "junction temperature limit; default 95",
            sip_thermal_env_t, tj_max_c),
    F_ENUM("cooling", false, sip_cooling_names, SIP_COOLING_COUNT, "air or liquid; default air",
           sip_thermal_env_t, cooling),
    F_FLOAT("sink_r_c_per_w", false, 0, true, 100, "C/W",
            "heat sink to ambient resistance; default from `cooling`", sip_thermal_env_t,
            sink_r_c_per_w),
    F_FLOAT("power_budget_w", false, 0, false, 1e6, "W", "package power budget; default none",
            sip_thermal_env_t, power_budget_w),
    F_FLOAT("power_density_limit_w_per_mm2", false, 0, true, 100, "W/mm^2",
            "design-rule limit on die power density; default none", sip_thermal_env_t,
            power_density_limit_w_per_mm2),
    {.key = "grid", .type = SIP__F_INT_ARRAY, .min = 1, .max = 1024,
     .help = "[rows, cols] of the thermal grid; default the engine's",
     .offset = offsetof(sip_thermal_env_t, grid_rows), .size = 2},
    F_LIST("layers", false, 0, schema_layer, "name", "stack layer overrides",
           sip_thermal_env_t, layers, n_layers),
};
static const sip__schema_t schema_thermal = {
    .name = "thermal", .title = "thermal = { ... } in a package: environment and budget",
    .fields = thermal_fields, .n_fields = (int)(sizeof thermal_fields / sizeof thermal_fields[0]),
    .line_offset = offsetof(sip_thermal_env_t, line), .finish = thermal_finish,
};

static const sip__field_t demand_fields[] = {
    F_STRING("from", true, "source instance", demand_src_t, from),
    F_STRING("to", true, "destination instance", demand_src_t, to),
    F_FLOAT("GBps", true, 0, false, 1e6, "GB/s", "offered traffic", demand_src_t, demand.GBps),
};
const sip__schema_t sip__schema_demand = {
    .name = "demand", .title = "matrix = ( { ... }, ... ) inside traffic: explicit demands",
    .fields = demand_fields, .n_fields = N_FIELDS(demand_fields), .line_offset = offsetof(demand_src_t, demand.line),
};

static const sip__field_t traffic_fields[] = {
    F_STRING("pattern", false, "traffic pattern name (see the traffic engine); default uniform",
             sip_traffic_spec_t, pattern),
    F_FLOAT("load", false, 0, false, 1e6, "",
            "offered load per source: a fraction of capacity (<= 1) or GB/s, see load_unit",
            sip_traffic_spec_t, load),
    F_ENUM_BOOL("load_unit", false, load_unit_names, "fraction or GBps; default fraction",
                sip_traffic_spec_t, load_in_GBps),
    F_INT("endpoints_per_chiplet", false, 1, 1024, "", "traffic endpoints per chiplet; default 1",
          sip_traffic_spec_t, endpoints_per_chiplet),
    {.key = "hotspots", .type = SIP__F_STRING_ARRAY, .min = 1, .max = 16,
     .help = "instance names receiving hotspot traffic (at most 16)", .offset = NONE},
    F_LIST_CUSTOM("matrix", false, 0, SIP_MAX_DEMANDS, sip__schema_demand,
                  "explicit demand matrix"),
};
const sip__schema_t sip__schema_traffic = {
    .name = "traffic", .title = "traffic = { ... } in a package: default traffic",
    .fields = traffic_fields, .n_fields = (int)(sizeof traffic_fields / sizeof traffic_fields[0]),
    .line_offset = offsetof(sip_traffic_spec_t, line),
};

static const sip__field_t workload_fields[] = {
    F_STRING("model", true, "model shape name or file stem in models/", sip_workload_t, model),
    F_ENUM_STRING("phase", true, phase_names, 2, "prefill or decode", sip_workload_t, phase),
    F_INT("batch", false, 1, 1e6, "", "sequences per step; default 1", sip_workload_t, batch),
    F_INT("context_tokens", false, 0, 1e8, "tokens", "context length; default 0",
          sip_workload_t, context_tokens),
    F_INT("output_tokens", false, 0, 1e8, "tokens", "tokens generated; default 0",
          sip_workload_t, output_tokens),
    F_ENUM("precision", true, sip_precision_names, SIP_PREC_COUNT, "compute precision",
           sip_workload_t, precision),
    F_INT("tensor_parallel", false, 0, 4096, "",
          "tensor-parallel degree; default 0 = the kernel library's choice", sip_workload_t,
          tensor_parallel),
    F_INT("pipeline_parallel", false, 0, 4096, "",
          "pipeline-parallel degree; default 0 = the kernel library's choice", sip_workload_t,
          pipeline_parallel),
};
static const sip__schema_t schema_workload = {
    .name = "workload", .title = "workload = { ... } in a package (read by the kernel library)",
    .fields = workload_fields, .n_fields = (int)(sizeof workload_fields / sizeof workload_fields[0]),
    .line_offset = offsetof(sip_workload_t, line),
};

static const sip__field_t cost_fields[] = {
    F_FLOAT("volume_units", false, 1, false, 1e10, "units", "production volume", sip_cost_spec_t,
            volume_units),
    F_ENUM_BOOL("assembly", false, assembly_names, "chip_last or chip_first", sip_cost_spec_t,
                chip_first),
    F_FLOAT("nre_usd", false, 0, false, 1e12, "USD", "non-recurring engineering cost",
            sip_cost_spec_t, nre_usd),
    F_FLOAT("defect_density_per_cm2", false, 0, true, 100, "1/cm2",
            "defect density of every logic die; default the node table (Chiplet Actuary)",
            sip_cost_spec_t, defect_density_per_cm2),
    F_FLOAT("clustering_alpha", false, 0, true, 1e6, "",
            "negative-binomial clustering parameter of logic dies; default 10", sip_cost_spec_t,
            clustering_alpha),
    F_FLOAT("wafer_cost_usd", false, 0, true, 1e7, "USD",
            "300 mm wafer cost of every logic die; default the node table", sip_cost_spec_t,
            wafer_cost_usd),
    F_STRING("site", false, "assembly and test site: a sites/NAME.cfg stem (`sipsim help site`)",
             sip_cost_spec_t, site),
    F_ENUM_BOOL("node_outside_table", false, node_outside_names,
                "a process_nm outside the cost table (3-55 nm): error (default) or extrapolate "
                "(cost it as the nearest row, flagged)", sip_cost_spec_t, node_extrapolation),
};
static const sip__schema_t schema_cost = {
    .name = "cost", .title = "cost = { ... } in a package: cost model overrides",
    .fields = cost_fields, .n_fields = (int)(sizeof cost_fields / sizeof cost_fields[0]),
    .line_offset = offsetof(sip_cost_spec_t, line),
};

static const sip__field_t package_fields[] = {
    F_STRING("name", false, "package name; default the file stem", sip_package_t, name),
    F_STRING("description", false, "one line shown in reports", sip_package_t, description),
    F_GROUP("substrate", true, schema_substrate, "substrate = { kind; width_mm; height_mm; }",
            sip_package_t, substrate),
    F_LIST_CUSTOM("blocks", false, 0, SIP_MAX_TYPES, sip__schema_custom,
                  "custom chiplet types written inline (see `sipsim help custom`)"),
    F_LIST_CUSTOM("instances", true, 1, SIP_MAX_INSTANCES, sip__schema_instance,
                  "placed chiplets"),
    F_LIST_CUSTOM("links", false, 0, SIP_MAX_LINKS, sip__schema_link, "UCIe links"),
    F_GROUP("thermal", false, schema_thermal, "thermal environment and budget", sip_package_t,
            thermal),
    {.key = "traffic", .type = SIP__F_GROUP, .help = "default traffic", .offset = NONE,
     .sub = &sip__schema_traffic},
    F_GROUP("workload", false, schema_workload, "workload for the kernel library", sip_package_t,
            workload),
    F_GROUP("cost", false, schema_cost, "cost model overrides", sip_package_t, cost),
};
const sip__schema_t sip__schema_package = {
    .name = "package", .title = "a package file, topologies/NAME.cfg",
    .help = "Chiplet types are searched in: every -L DIR in order, chiplets/ beside the package "
            "file, chiplets/ in its parent and grandparent folders, then the installed data "
            "folder.",
    .fields = package_fields, .n_fields = (int)(sizeof package_fields / sizeof package_fields[0]),
    .line_offset = NONE,
};

const sip__schema_t *const sip__schemas[] = {
    &sip__schema_chiplet, &schema_power, &schema_engine, &schema_precision, &schema_memory,
    &schema_io, &schema_port, &schema_block, &sip__schema_package, &schema_substrate,
    &sip__schema_custom, &sip__schema_instance, &sip__schema_link, &schema_thermal,
    &schema_layer, &sip__schema_traffic, &sip__schema_demand, &schema_workload, &schema_cost,
    &sip__schema_site, NULL,
};
const char *const sip__schema_names[] = {
    "chiplet", "power", "engine", "precision", "memory", "io", "port", "block", "package",
    "substrate", "custom", "instance", "link", "thermal", "layer", "traffic", "demand",
    "workload", "cost", "site", NULL,
};

const sip__field_t *sip__schema_find(const sip__schema_t *schema, const char *key)
{
    for (; schema; schema = schema->extends)
        for (int i = 0; i < schema->n_fields; i++)
            if (strcmp(schema->fields[i].key, key) == 0)
                return &schema->fields[i];
    return NULL;
}

/* ------------------------------------------------------------------ cross-field checks */

static double edge_length_mm(const sip_chiplet_type_t *t, sip_edge_t edge)
{
    return (edge == SIP_EDGE_NORTH || edge == SIP_EDGE_SOUTH) ? t->width_mm : t->height_mm;
}

/* Line of the n-th element of list `key` in `group`, for errors after the list is stored. */
static const config_setting_t *list_elem(const config_setting_t *group, const char *key, int line,
                                         const config_setting_t *fallback)
{
    const config_setting_t *list = sip__member(group, key);
    if (!list)
        return fallback; /* inherited from a base type: report at the block */
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        if ((int)e->line == line)
            return e;
    }
    return list;
}

sip_status_t sip__chiplet_finish(const sip__cfg_ctx_t *cx, const config_setting_t *group,
                                 void *obj)
{
    sip_chiplet_type_t *t = obj;
    if (t->idle_w > t->tdp_w) {
        const config_setting_t *power = sip__member(group, "power");
        return sip__fail(cx, power ? power : group, SIP_EINVAL,
                         "idle_w = %g is above tdp_w = %g (expected idle_w <= tdp_w)", t->idle_w,
                         t->tdp_w);
    }
    for (int i = 0; i < t->n_ports; i++) {
        const sip_port_t *p = &t->ports[i];
        double len = edge_length_mm(t, p->edge);
        if (p->position_mm > len)
            return sip__fail(cx, list_elem(group, "ports", p->line, group), SIP_EINVAL,
                             "port '%s': position_mm = %g is beyond its %s edge (expected 0 <= "
                             "position_mm <= %g mm)",
                             p->name, p->position_mm, sip_edge_name(p->edge), len);
    }
    double sum = 0;
    for (int i = 0; i < t->n_blocks; i++) {
        const sip_block_t *b = &t->blocks[i];
        if (b->width_mm <= 0 || b->height_mm <= 0 || b->x_mm + b->width_mm > t->width_mm + 1e-9 ||
            b->y_mm + b->height_mm > t->height_mm + 1e-9)
            return sip__fail(cx, list_elem(group, "blocks", b->line, group), SIP_EINVAL,
                             "block '%s': rect_mm [%g, %g, %g, %g] is not inside the %g x %g mm "
                             "die (expected a non-empty rectangle inside the die)",
                             b->name, b->x_mm, b->y_mm, b->width_mm, b->height_mm, t->width_mm,
                             t->height_mm);
        sum += b->power_fraction;
    }
    if (sum > 1.0 + 1e-9)
        return sip__fail(cx, sip__member(group, "blocks") ? sip__member(group, "blocks") : group,
                         SIP_EINVAL, "block power fractions sum to %g (expected at most 1)", sum);
    for (int i = 0; i < t->n_ios; i++) {
        sip_io_t *io = &t->ios[i];
        /* Absent bandwidth: lanes x Gb/s per lane / 8 bits per byte, per direction. */
        if (io->bandwidth_GBps <= 0)
            io->bandwidth_GBps = io->lanes * io->rate_gbps / 8.0;
    }
    return SIP_OK;
}
