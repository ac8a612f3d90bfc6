/* UCIe specification numbers, one table each, with their sources.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources: shared/reference/facts.md §1 ([S1] = UCIe 1.0 specification, [S2] = Das Sharma et
 * al., IEEE TCPMT 2022, [S12]/[S13] = UCIe 3.0 press material).  Where the specification leaves
 * a value open the table says what was decided and why ("DECISION").
 */
#include <math.h>
#include <stddef.h>

#include "ucie/ucie_internal.h"

#define N_RATES 8

/* Data rates, GT/s: 1.0–2.0 define 4…32 ([S1] §5.1.1); 3.0 adds 48 and 64 ([S12][S13]).
 * Table 45 raw BER requirement per rate ([S1] §5.10, facts.md §1.3): the normative table,
 * not the conflicting introductory Table 4.  48/64: 3.0 relaxes the 64 GT/s target to 1e-12
 * ([S13], S); DECISION: 48 GT/s keeps 1e-15 (no published change). */
static const struct {
    double rate_gtps;
    bool ucie3;
    double ber[SIP_UCIE_PACKAGE_COUNT]; /* [standard, advanced] */
    int phy_ui;                         /* PHY-only latency TX+RX, UI ([S1] Table 6/29) */
} rates[N_RATES] = {
    {4.0, false, {1e-27, 1e-27}, 12},
    {8.0, false, {1e-27, 1e-27}, 12},
    {12.0, false, {1e-15, 1e-27}, 12},
    {16.0, false, {1e-15, 1e-15}, 12},
    {24.0, false, {1e-15, 1e-15}, 16},
    {32.0, false, {1e-15, 1e-15}, 16},
    /* DECISION: 3.0 PHY latency unpublished; keep the 24/32 GT/s 16 UI. */
    {48.0, true, {1e-15, 1e-15}, 16},
    {64.0, true, {1e-12, 1e-12}, 16},
};

static int rate_index(double rate_gtps)
{
    for (int i = 0; i < N_RATES; i++)
        if (fabs(rates[i].rate_gtps - rate_gtps) < 1e-9)
            return i;
    return -1;
}

bool sip__ucie_rate_known(double rate_gtps)
{
    return rate_index(rate_gtps) >= 0;
}

bool sip__ucie_rate_is_ucie3(double rate_gtps)
{
    int i = rate_index(rate_gtps);
    return i >= 0 && rates[i].ucie3;
}

double sip_ucie_default_ber(sip_ucie_package_t package, double rate_gtps)
{
    int i = rate_index(rate_gtps);
    if (i < 0 || (unsigned)package >= SIP_UCIE_PACKAGE_COUNT)
        return 0.0;
    return rates[i].ber[package];
}

int sip__ucie_phy_ui(double rate_gtps)
{
    int i = rate_index(rate_gtps);
    return i >= 0 ? rates[i].phy_ui : 0;
}

/* Package geometry ([S1] Tables 4/5/29, [S2]; facts.md §1.2 and §1.4).
 * - module width: 571.5 um standard (the stacked TX+RX arrangement that reproduces Table 6's
 *   224 GB/s/mm), 388.8 um advanced (fixed for interoperability, independent of pitch [S2]);
 * - reach: standard long reach 25 mm (short reach 10 mm), advanced 2 mm;
 * - bump pitch range and the reference pitch Tables 6 and 29 are quoted at;
 * - PHY depth at the reference pitch: standard 1320 um (<= 16 GT/s) / 1540 um (24, 32);
 *   advanced 1043 um (<= 16 GT/s).  The advanced depth at 24/32 GT/s is not printed; it is
 *   derived (D) from Table 29's 710/947 GB/s/mm2: 2 x 64 x 24 / 8 / (0.3888 x 0.710) =
 *   1.391 mm (32 GT/s gives the same 1.391 mm, which is the check that one depth explains
 *   both).  DECISION: 48/64 GT/s (3.0) keep the 24/32 GT/s depth and the module width
 *   (UNVERIFIED; Cadence's 64G UCIe-A figure 2635 GB/s/mm [S16] agrees with the width).
 *   DECISION: the UCIe 2.0 x8 (standard) and x32 (advanced) options keep the module's
 *   footprint (UNVERIFIED), so their shoreline and areal densities are half the x16/x64 ones. */
static const struct {
    double module_width_mm;
    double reach_mm;
    double pitch_min_um, pitch_max_um, pitch_ref_um;
    double depth_low_mm;  /* rate <= 16 GT/s */
    double depth_high_mm; /* rate >= 24 GT/s */
    int default_lanes;
} geometry[SIP_UCIE_PACKAGE_COUNT] = {
    [SIP_UCIE_STANDARD] = {0.5715, 25.0, 100.0, 130.0, 110.0, 1.320, 1.540, 16},
    [SIP_UCIE_ADVANCED] = {0.3888, 2.0, 25.0, 55.0, 45.0, 1.043, 1.391, 64},
};

/* Standard short reach, mm ([S1], facts.md §1.2): selects the 4 GT/s short-reach energy. */
static const double short_reach_mm = 10.0;

double sip_ucie_module_width_mm(sip_ucie_package_t package)
{
    return (unsigned)package < SIP_UCIE_PACKAGE_COUNT ? geometry[package].module_width_mm : 0.0;
}

double sip_ucie_reach_mm(sip_ucie_package_t package)
{
    return (unsigned)package < SIP_UCIE_PACKAGE_COUNT ? geometry[package].reach_mm : 0.0;
}

double sip__ucie_short_reach_mm(void)
{
    return short_reach_mm;
}

double sip__ucie_reference_pitch_um(sip_ucie_package_t package)
{
    return geometry[package].pitch_ref_um;
}

bool sip__ucie_pitch_in_range(sip_ucie_package_t package, double pitch_um)
{
    return pitch_um >= geometry[package].pitch_min_um - 1e-9 &&
           pitch_um <= geometry[package].pitch_max_um + 1e-9;
}

/* DECISION: the module keeps its bump count and (interoperable) width at any pitch, so the
 * bump field's depth scales with pitch^2 from the reference-pitch depth.  [S2] supports the
 * fixed width (388.8 um at both 25 and 45 um pitch, with 18 vs 10 bump columns). */
double sip__ucie_module_depth_mm(sip_ucie_package_t package, double rate_gtps, double pitch_um)
{
    double depth = rate_gtps <= 16.0 + 1e-9 ? geometry[package].depth_low_mm
                                            : geometry[package].depth_high_mm;
    double s = pitch_um / geometry[package].pitch_ref_um;
    return depth * s * s;
}

/* Advanced bump-pitch interoperability groups, UCIe 1.0 Table 7 ([S1], facts.md §1.2).
 * DECISION: the 3.0 rates (48/64) are allowed only in group 4 (45–55 um); 3.0's pitch rules
 * are UNVERIFIED.  Standard package (100–130 um): every rate up to 32 GT/s, 64 with 3.0. */
static const struct {
    double pitch_min_um, pitch_max_um, max_rate_gtps;
} advanced_groups[] = {
    {25.0, 30.0, 12.0},
    {31.0, 37.0, 16.0},
    {38.0, 44.0, 24.0},
    {45.0, 55.0, 64.0}, /* 32 GT/s in 1.0–2.0; 48/64 with UCIe 3.0 */
};

double sip_ucie_pitch_max_rate_gtps(sip_ucie_package_t package, double bump_pitch_um)
{
    if ((unsigned)package >= SIP_UCIE_PACKAGE_COUNT)
        return 0.0;
    if (bump_pitch_um <= 0.0)
        bump_pitch_um = geometry[package].pitch_ref_um;
    if (package == SIP_UCIE_STANDARD)
        return sip__ucie_pitch_in_range(package, bump_pitch_um) ? 64.0 : 0.0;
    /* Table 7 gives integer-micron groups; a pitch between two groups (30.5 um) belongs to
     * the finer one, the conservative reading. */
    size_t n = sizeof advanced_groups / sizeof advanced_groups[0];
    if (bump_pitch_um < advanced_groups[0].pitch_min_um - 1e-9 ||
        bump_pitch_um > advanced_groups[n - 1].pitch_max_um + 1e-9)
        return 0.0;
    for (size_t i = 0; i + 1 < n; i++)
        if (bump_pitch_um < advanced_groups[i + 1].pitch_min_um - 1e-9)
            return advanced_groups[i].max_rate_gtps;
    return advanced_groups[n - 1].max_rate_gtps;
}

/* PHY energy efficiency (TX, RX, PLL, clock distribution), UCIe 1.0 Table 6 ([S1], facts.md
 * §1.4).  Advanced: 0.7 V 0.5 (<= 12 GT/s) / 0.6 (>= 16); 0.5 V 0.25 / 0.3.  Standard: 0.7 V
 * 0.5 (4 GT/s short reach), 1.0 (<= 16 GT/s long reach), 1.25 (32 GT/s long reach); 0.5 V 0.5
 * (<= 16 long reach), 0.75 (32 long reach).
 * DECISIONS where the table is silent: 24 GT/s and the 3.0 rates take the 32 GT/s figure;
 * standard short reach above 4 GT/s and standard 4 GT/s short reach at 0.5 V take the
 * long-reach figure (an upper bound, the spec only promises "at most"). */
static const struct {
    double voltage_v;
    double advanced_low, advanced_high; /* <= 12 GT/s, >= 16 GT/s */
    double standard_sr_4g;              /* 4 GT/s, length <= short reach; 0 = not given */
    double standard_le16, standard_gt16;
} energy[] = {
    {0.7, 0.5, 0.6, 0.5, 1.0, 1.25},
    {0.5, 0.25, 0.3, 0.0, 0.5, 0.75},
};

bool sip__ucie_voltage_known(double voltage_v)
{
    for (size_t i = 0; i < sizeof energy / sizeof energy[0]; i++)
        if (fabs(energy[i].voltage_v - voltage_v) < 1e-9)
            return true;
    return false;
}

double sip__ucie_energy_pj_per_bit(sip_ucie_package_t package, double rate_gtps,
                                   double voltage_v, double length_mm)
{
    for (size_t i = 0; i < sizeof energy / sizeof energy[0]; i++) {
        if (fabs(energy[i].voltage_v - voltage_v) >= 1e-9)
            continue;
        if (package == SIP_UCIE_ADVANCED)
            return rate_gtps <= 12.0 + 1e-9 ? energy[i].advanced_low : energy[i].advanced_high;
        if (energy[i].standard_sr_4g > 0.0 && rate_gtps <= 4.0 + 1e-9 &&
            length_mm <= short_reach_mm + 1e-9)
            return energy[i].standard_sr_4g;
        return rate_gtps <= 16.0 + 1e-9 ? energy[i].standard_le16 : energy[i].standard_gt16;
    }
    return 0.0;
}

/* Latency, [S1] Table 6/29, [S2] Table I (facts.md §1.4): adapter + PHY on TX and RX
 * ("FDI to bump and back") <= 2 ns excluding flight time; the PHY-only part is 12 UI
 * (<= 16 GT/s) or 16 UI (24/32 GT/s) (rates[] above).  The two are one model: adapter+PHY =
 * adapter + PHY(rate), with the adapter (CRC, retry, flit packing: logic on its own clock)
 * taken as rate-independent.  DECISION: the adapter term is fixed by the 2 ns target at
 * 32 GT/s, the top UCIe 1.0 rate the key-metrics table is headlined with: 2.0 - 16 UI /
 * 32 GT/s = 1.5 ns (D).  Below 32 GT/s the PHY's UI count costs more ns, so adapter+PHY
 * grows (16 GT/s: 1.5 + 0.75 = 2.25 ns; 4 GT/s: 1.5 + 3.0 = 4.5 ns) instead of staying at a
 * flat 2.0 ns below the model's own 3.0 ns PHY term at 4 GT/s (issue 18). */
static const double adapter_target_ns = 2.0;
static const double adapter_target_rate_gtps = 32.0;

double sip__ucie_adapter_ns(void)
{
    return adapter_target_ns - sip__ucie_phy_ui(adapter_target_rate_gtps) / adapter_target_rate_gtps;
}

/* Reliability target 0 < FIT << 1 with flit mode ([S1] Table 6, [S2]: "expecting ~1e-10";
 * facts.md §1.4).  FIT >= 1 misses it by any reading of "<<"; raw-format links, which have no
 * adapter CRC or retry, are warned at that level. */
static const double fit_warn_level = 1.0;

double sip_ucie_fit_warn_level(void)
{
    return fit_warn_level;
}

/* Idle power <= 15 % of peak ([S1] Table 6, [S2]; facts.md §1.4).  DECISION: use the bound. */
static const double idle_fraction = 0.15;

double sip__ucie_idle_fraction(void)
{
    return idle_fraction;
}

/* Channel flight time.  facts.md has no propagation figure; DECISION: a TEM line in a
 * dielectric of relative permittivity 4.0 — SiO2 (interposer and bridge RDL) is 3.9, the
 * organic laminates of the standard package are quoted at Dk ~4.0 (Hitachi, "MCL-FX-2/FX-3",
 * IEEE 802 2011, roadmap slide) — gives sqrt(4.0) / c = 6.67 ps/mm for both packages.
 * At UCIe reaches this is <= 0.17 ns of a >= 2 ns latency, so the choice is second order. */
static const double relative_permittivity = 4.0;
static const double speed_of_light_mm_per_ps = 0.299792458;

double sip__ucie_flight_ps_per_mm(void)
{
    return sqrt(relative_permittivity) / speed_of_light_mm_per_ps;
}

/* Advanced lane repair ([S1] §4.3, facts.md §1.6): 2 redundant lanes per group of 32 data
 * lanes (TRD_P[1:0] for TD_P[31:0], TRD_P[3:2] for TD_P[63:32]). */
static const int repair_group_lanes = 32;
static const int spare_lanes_per_group = 2;

int sip__ucie_repair_group_lanes(void)
{
    return repair_group_lanes;
}

int sip__ucie_spare_lanes_per_group(void)
{
    return spare_lanes_per_group;
}

/* ---- flit layouts ([S1] §3.2, figures 26–33; facts.md §1.5) ----
 * Each layout lists the byte regions of one flit; the protocol-layer share and the CRC
 * codewords are summed from it (sip_ucie_payload_share, sip__ucie_codewords), so the
 * headline shares (94.1 %, 92.2 %, 93.75 %, 97.7 %) are results, not inputs.
 * Region order follows the byte maps; where facts.md gives only totals the split into
 * regions is ours (DECISION, noted per layout).  CRC codewords: CRC0 = codeword 0. */
#define R(kind, bytes, cw) {SIP__FLIT_##kind, bytes, cw}

/* Format 1, raw: every byte belongs to the protocol layer, no adapter CRC or retry.
 * DECISION: the transfer unit for serialization is 64 B, the protocol payload of one 68B flit. */
static const sip__flit_layout_t layout_raw = {1, {R(PROTOCOL, 64, -1)}};

/* Formats 2/7, 68B: 2 B flit header + 64 B protocol + 2 B CRC over the 66 B. */
static const sip__flit_layout_t layout_68b = {
    3, {R(HEADER, 2, 0), R(PROTOCOL, 64, 0), R(CRC, 2, 0)}};

/* Format 3/4, standard 256B, PCIe and CXL.io: 236 B TLP + 2 B header + 4 B DLP + 10 B
 * reserved + 2 x 2 B CRC.  CRC0 covers the first 128 B, CRC1 the next 114 B. */
static const sip__flit_layout_t layout_256_std_io = {
    7, {R(HEADER, 2, 0), R(PROTOCOL, 126, 0), R(PROTOCOL, 110, 1), R(DLP, 4, 1),
        R(RESERVED, 10, -1), R(CRC, 2, 0), R(CRC, 2, 1)}};

/* Format 4, standard 256B, CXL.cachemem: 240 B protocol + 2 B header + 10 B reserved + 4 B CRC.
 * DECISION: streaming (UCIe 1.1 streaming flit formats) uses this byte map. */
static const sip__flit_layout_t layout_256_std_cm = {
    6, {R(HEADER, 2, 0), R(PROTOCOL, 126, 0), R(PROTOCOL, 114, 1), R(RESERVED, 10, -1),
        R(CRC, 2, 0), R(CRC, 2, 1)}};

/* Format 5, latency-optimized 256B without optional bytes: two 128 B halves, each with its
 * own 2 B CRC (CRC0 over the first 126 B, CRC1 over 122 B of the second half), 236 B
 * protocol.  DECISION on the split: half 0 = header 2 + protocol 120 + 4 reserved (the
 * optional-byte slot) + CRC; half 1 = protocol 116 + 6 reserved (covered, optional-byte
 * slot) + 4 reserved (not covered) + CRC. */
static const sip__flit_layout_t layout_latopt = {
    8, {R(HEADER, 2, 0), R(PROTOCOL, 120, 0), R(RESERVED, 4, 0), R(CRC, 2, 0),
        R(PROTOCOL, 116, 1), R(RESERVED, 6, 1), R(RESERVED, 4, -1), R(CRC, 2, 1)}};

/* Format 6 with optional bytes, CXL.cachemem: +14 B of H-slot bytes -> 250 B.  DECISION: the
 * 4 B slot of half 0 and a 10 B slot of half 1 (all covered by the half's CRC).  Streaming
 * uses the same map. */
static const sip__flit_layout_t layout_latopt_opt_cm = {
    7, {R(HEADER, 2, 0), R(PROTOCOL, 120, 0), R(PROTOCOL, 4, 0), R(CRC, 2, 0),
        R(PROTOCOL, 116, 1), R(PROTOCOL, 10, 1), R(CRC, 2, 1)}};

/* Format 6 with optional bytes, CXL.io: +4 B of TLP -> 240 B (the half-0 slot). */
static const sip__flit_layout_t layout_latopt_opt_io = {
    8, {R(HEADER, 2, 0), R(PROTOCOL, 120, 0), R(PROTOCOL, 4, 0), R(CRC, 2, 0),
        R(PROTOCOL, 116, 1), R(RESERVED, 6, 1), R(RESERVED, 4, -1), R(CRC, 2, 1)}};
#undef R

/* [flit][protocol]; NULL = the protocol cannot use the format.  PCIe has no
 * latency-optimized format in UCIe (formats 5/6 are CXL; streaming from 1.1). */
static const sip__flit_layout_t *const layouts[SIP_FLIT_COUNT][SIP_PROTO_COUNT] = {
    [SIP_FLIT_RAW] = {&layout_raw, &layout_raw, &layout_raw, &layout_raw},
    [SIP_FLIT_68B] = {&layout_68b, &layout_68b, &layout_68b, &layout_68b},
    [SIP_FLIT_256B_STANDARD] = {&layout_256_std_io, &layout_256_std_io,
                                &layout_256_std_cm, &layout_256_std_cm},
    [SIP_FLIT_256B_LATOPT] = {NULL, &layout_latopt, &layout_latopt, &layout_latopt},
    [SIP_FLIT_256B_LATOPT_OPT] = {NULL, &layout_latopt_opt_io, &layout_latopt_opt_cm,
                                  &layout_latopt_opt_cm},
};

const sip__flit_layout_t *sip__ucie_flit_layout(sip_flit_format_t flit, sip_protocol_t protocol)
{
    if ((unsigned)flit >= SIP_FLIT_COUNT || (unsigned)protocol >= SIP_PROTO_COUNT)
        return NULL;
    return layouts[flit][protocol];
}

static int layout_bytes(const sip__flit_layout_t *l)
{
    int sum = 0;
    for (int i = 0; i < l->n_regions; i++)
        sum += l->regions[i].bytes;
    return sum;
}

int sip_ucie_flit_bytes(sip_flit_format_t flit)
{
    /* Every protocol's map of a format has the same length; ask the first that exists. */
    for (int p = 0; p < SIP_PROTO_COUNT; p++) {
        const sip__flit_layout_t *l = sip__ucie_flit_layout(flit, (sip_protocol_t)p);
        if (l)
            return layout_bytes(l);
    }
    return 0;
}

double sip_ucie_payload_share(sip_flit_format_t flit, sip_protocol_t protocol)
{
    const sip__flit_layout_t *l = sip__ucie_flit_layout(flit, protocol);
    if (!l)
        return 0.0;
    int payload = 0;
    for (int i = 0; i < l->n_regions; i++)
        if (l->regions[i].kind == SIP__FLIT_PROTOCOL)
            payload += l->regions[i].bytes;
    return (double)payload / layout_bytes(l);
}

int sip__ucie_release_bytes(const sip__flit_layout_t *l)
{
    /* The receiver can hand up a codeword's protocol bytes once the codeword and its CRC are
     * in ([S1] §3.2, facts.md §1.5: the latency-optimized format puts CRC0 at bytes 126-127 "so
     * each 128 B half can be consumed early"; the standard 256B format sends both CRCs at the
     * end).  The end of codeword 0's last region in wire order; no codewords (raw): the
     * whole transfer unit. */
    int offset = 0, end = 0;
    for (int i = 0; i < l->n_regions; i++) {
        offset += l->regions[i].bytes;
        if (l->regions[i].codeword == 0)
            end = offset;
    }
    return end > 0 ? end : offset;
}

int sip__ucie_codewords(const sip__flit_layout_t *l, int bytes[SIP__FLIT_MAX_CODEWORDS])
{
    int n = 0;
    for (int c = 0; c < SIP__FLIT_MAX_CODEWORDS; c++)
        bytes[c] = 0;
    for (int i = 0; i < l->n_regions; i++) {
        int c = l->regions[i].codeword;
        if (c < 0 || c >= SIP__FLIT_MAX_CODEWORDS)
            continue;
        bytes[c] += l->regions[i].bytes;
        if (c + 1 > n)
            n = c + 1;
    }
    return n;
}
