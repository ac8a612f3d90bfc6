/* UCIe link model: the spec's headline tables derived from the model, rules, training,
 * energy, reliability, and the replay Monte-Carlo against the closed form.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected values are the published tables (facts.md §1, UCIe 1.0 [S1]); the model computes
 * them from lanes, rates, module geometry and flit byte maps, never from the tables. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../check/shipped.h"
#include "sipsim.h"

static const double rates_gtps[] = {4, 8, 12, 16, 24, 32};

static sip_ucie_link_result_t eval_ok(const sip_ucie_params_t *p)
{
    sip_ucie_link_result_t r;
    sip_error_t err;
    sip_error_clear(&err);
    sip_status_t st = sip_ucie_eval(p, &r, &err);
    cr_assert_eq(st, SIP_OK, "eval failed: %s", err.message);
    return r;
}

static sip_ucie_params_t nominal(sip_ucie_package_t package, double rate)
{
    sip_ucie_params_t p;
    sip_ucie_params_init(&p, package, rate, package == SIP_UCIE_ADVANCED ? 1.5 : 10.0);
    return p;
}

/* ---- headline tables ---- */

Test(ucie_tables, shoreline_density_reproduces_table_6)
{
    /* UCIe 1.0 Table 6, GB/s/mm at 45 um (A) / 110 um (S) (facts.md §1.4). */
    static const double advanced[] = {165, 329, 494, 658, 988, 1317};
    static const double standard[] = {28, 56, 84, 112, 168, 224};
    for (int i = 0; i < 6; i++) {
        sip_ucie_params_t a = nominal(SIP_UCIE_ADVANCED, rates_gtps[i]);
        sip_ucie_params_t s = nominal(SIP_UCIE_STANDARD, rates_gtps[i]);
        cr_assert_float_eq(eval_ok(&a).shoreline_GBps_per_mm, advanced[i], 0.5,
                           "advanced %g GT/s", rates_gtps[i]);
        cr_assert_float_eq(eval_ok(&s).shoreline_GBps_per_mm, standard[i], 0.5,
                           "standard %g GT/s", rates_gtps[i]);
    }
}

Test(ucie_tables, shoreline_density_is_per_module_and_survives_more_modules)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.modules = 4;
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_float_eq(r.raw_GBps_per_dir, 4 * 256.0, 1e-9);
    cr_assert_float_eq(r.shoreline_mm, 4 * 0.3888, 1e-12);
    cr_assert_float_eq(r.shoreline_GBps_per_mm, 1317.0, 0.5);
}

Test(ucie_tables, areal_density_reproduces_table_29)
{
    /* UCIe 1.0 Table 29 (electrical summary), GB/s/mm^2 (facts.md §1.4). */
    static const double advanced[] = {158, 316, 473, 631, 710, 947};
    static const double standard[] = {21, 42, 64, 85, 109, 145};
    for (int i = 0; i < 6; i++) {
        sip_ucie_params_t a = nominal(SIP_UCIE_ADVANCED, rates_gtps[i]);
        sip_ucie_params_t s = nominal(SIP_UCIE_STANDARD, rates_gtps[i]);
        cr_assert_float_eq(eval_ok(&a).areal_GBps_per_mm2, advanced[i], 0.5,
                           "advanced %g GT/s: %g", rates_gtps[i], eval_ok(&a).areal_GBps_per_mm2);
        cr_assert_float_eq(eval_ok(&s).areal_GBps_per_mm2, standard[i], 0.5,
                           "standard %g GT/s: %g", rates_gtps[i], eval_ok(&s).areal_GBps_per_mm2);
    }
}

Test(ucie_tables, finer_bump_pitch_raises_areal_density_not_shoreline)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 12);
    sip_ucie_link_result_t ref = eval_ok(&p);
    p.bump_pitch_um = 25.0;
    sip_ucie_link_result_t fine = eval_ok(&p);
    cr_assert_float_eq(fine.shoreline_GBps_per_mm, ref.shoreline_GBps_per_mm, 1e-9);
    cr_assert_float_eq(fine.areal_GBps_per_mm2 / ref.areal_GBps_per_mm2, (45.0 * 45) / (25 * 25),
                       1e-9);
}

Test(ucie_tables, payload_shares_from_the_flit_byte_maps)
{
    /* facts.md §1.5: 94.1 %, 92.2 %, 93.75 %, 97.7 % (and 92.2 / 93.75 for the CXL.io maps). */
    struct {
        sip_flit_format_t flit;
        sip_protocol_t proto;
        double percent, tol;
    } rows[] = {
        {SIP_FLIT_68B, SIP_PROTO_STREAMING, 94.1, 0.05},
        {SIP_FLIT_68B, SIP_PROTO_CXL_CACHEMEM, 94.1, 0.05},
        {SIP_FLIT_256B_STANDARD, SIP_PROTO_PCIE, 92.2, 0.05},
        {SIP_FLIT_256B_STANDARD, SIP_PROTO_CXL_IO, 92.2, 0.05},
        {SIP_FLIT_256B_STANDARD, SIP_PROTO_CXL_CACHEMEM, 93.75, 1e-9},
        {SIP_FLIT_256B_LATOPT, SIP_PROTO_CXL_CACHEMEM, 92.2, 0.05},
        {SIP_FLIT_256B_LATOPT_OPT, SIP_PROTO_CXL_CACHEMEM, 97.7, 0.05},
        {SIP_FLIT_256B_LATOPT_OPT, SIP_PROTO_CXL_IO, 93.75, 1e-9},
        {SIP_FLIT_RAW, SIP_PROTO_STREAMING, 100.0, 1e-9},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_assert_float_eq(100.0 * sip_ucie_payload_share(rows[i].flit, rows[i].proto),
                           rows[i].percent, rows[i].tol, "row %zu", i);
    cr_assert_eq(sip_ucie_flit_bytes(SIP_FLIT_68B), 68);
    cr_assert_eq(sip_ucie_flit_bytes(SIP_FLIT_256B_STANDARD), 256);
    cr_assert_eq(sip_ucie_flit_bytes(SIP_FLIT_256B_LATOPT_OPT), 256);
    cr_assert_float_eq(sip_ucie_payload_share(SIP_FLIT_256B_LATOPT, SIP_PROTO_PCIE), 0.0, 0);
}

Test(ucie_tables, payload_bandwidth_matches_facts_worked_numbers)
{
    /* facts.md §3.3: UCIe-A x64 @ 32 GT/s: 256 GB/s raw, 240.9 (68B), 236 (PCIe 256B). */
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_float_eq(r.raw_GBps_per_dir, 256.0, 1e-9);
    cr_assert_float_eq(r.payload_GBps_per_dir, 240.9, 0.05);
    p.flit = SIP_FLIT_256B_STANDARD;
    p.protocol = SIP_PROTO_PCIE;
    cr_assert_float_eq(eval_ok(&p).payload_GBps_per_dir, 236.0, 1e-6);
    cr_assert_float_eq(eval_ok(&p).payload_GBps_bidir, 472.0, 1e-6);
}

Test(ucie_tables, energy_per_bit_per_corner_is_table_6)
{
    struct {
        sip_ucie_package_t pkg;
        double rate, volts, length, pj;
    } rows[] = {
        {SIP_UCIE_ADVANCED, 4, 0.7, 1, 0.5},   {SIP_UCIE_ADVANCED, 12, 0.7, 1, 0.5},
        {SIP_UCIE_ADVANCED, 16, 0.7, 1, 0.6},  {SIP_UCIE_ADVANCED, 32, 0.7, 1, 0.6},
        {SIP_UCIE_ADVANCED, 12, 0.5, 1, 0.25}, {SIP_UCIE_ADVANCED, 16, 0.5, 1, 0.3},
        {SIP_UCIE_STANDARD, 4, 0.7, 8, 0.5},   {SIP_UCIE_STANDARD, 4, 0.7, 20, 1.0},
        {SIP_UCIE_STANDARD, 16, 0.7, 20, 1.0}, {SIP_UCIE_STANDARD, 32, 0.7, 20, 1.25},
        {SIP_UCIE_STANDARD, 16, 0.5, 20, 0.5}, {SIP_UCIE_STANDARD, 32, 0.5, 20, 0.75},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sip_ucie_params_t p;
        sip_ucie_params_init(&p, rows[i].pkg, rows[i].rate, rows[i].length);
        p.voltage_v = rows[i].volts;
        cr_assert_float_eq(eval_ok(&p).energy_pj_per_bit, rows[i].pj, 1e-12, "row %zu", i);
    }
}

Test(ucie_tables, default_ber_is_table_45)
{
    static const double adv[] = {1e-27, 1e-27, 1e-27, 1e-15, 1e-15, 1e-15};
    static const double std_[] = {1e-27, 1e-27, 1e-15, 1e-15, 1e-15, 1e-15};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(sip_ucie_default_ber(SIP_UCIE_ADVANCED, rates_gtps[i]), adv[i]);
        cr_assert_eq(sip_ucie_default_ber(SIP_UCIE_STANDARD, rates_gtps[i]), std_[i]);
    }
    sip_ucie_params_t p = nominal(SIP_UCIE_STANDARD, 12);
    cr_assert_eq(eval_ok(&p).raw_ber, 1e-15);
    p.raw_ber = 1e-9;
    cr_assert_eq(eval_ok(&p).raw_ber, 1e-9);
}

/* ---- latency, power ---- */

Test(ucie_latency, components_add_up)
{
    sip_ucie_params_t p;
    sip_ucie_params_init(&p, SIP_UCIE_ADVANCED, 32, 2.0);
    sip_ucie_link_result_t r = eval_ok(&p);
    /* 68 B over 64 lanes at 32 GT/s = 544 bits / 2048 Gb/s. */
    cr_assert_float_eq(r.serialization_ns, 544.0 / 2048.0, 1e-12);
    /* PHY 16 UI at 32 GT/s = 0.5 ns (facts.md §1.4); adapter + PHY = the 2 ns target there. */
    cr_assert_float_eq(r.phy_ns, 0.5, 1e-12);
    cr_assert_float_eq(r.adapter_ns, 1.5, 1e-12);
    cr_assert_float_eq(r.adapter_phy_ns, 2.0, 1e-12);
    cr_assert(r.flight_ns > 0.01 && r.flight_ns < 0.02, "2 mm flight %g ns", r.flight_ns);
    /* The 68B flit's one codeword is the whole flit. */
    cr_assert_eq(r.release_bytes, 68);
    cr_assert_float_eq(r.latency_ns, r.adapter_phy_ns + r.flight_ns + r.serialization_ns, 1e-12);
    sip_ucie_params_t s;
    sip_ucie_params_init(&s, SIP_UCIE_STANDARD, 32, 25.0);
    sip_ucie_link_result_t rs = eval_ok(&s);
    cr_assert_float_eq(rs.flight_ns / r.flight_ns, 12.5, 1e-9); /* linear in length */
    cr_assert_float_eq(rs.serialization_ns, 544.0 / 512.0, 1e-12);
}

/* Issue 18: at 4 and 8 GT/s the model added a flat 2.0 ns adapter+PHY, below its own 3.0 ns
 * (12 UI at 4 GT/s) PHY term.  Now adapter+PHY = 1.5 ns adapter + 12 or 16 UI. */
Test(ucie_latency, adapter_phy_contains_the_phy_term_at_every_rate)
{
    static const double all_rates[] = {4, 8, 12, 16, 24, 32, 48, 64};
    double prev = INFINITY;
    for (size_t i = 0; i < sizeof all_rates / sizeof all_rates[0]; i++) {
        sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, all_rates[i] > 32 ? 32 : all_rates[i]);
        p.rate_gtps = all_rates[i];
        sip_ucie_link_result_t r = eval_ok(&p);
        cr_assert(r.adapter_phy_ns >= r.phy_ns + 1.5 - 1e-12, "%g GT/s: %g < PHY %g + adapter",
                  all_rates[i], r.adapter_phy_ns, r.phy_ns);
        cr_assert(r.adapter_phy_ns <= prev + 1e-12, "%g GT/s: not monotone", all_rates[i]);
        prev = r.adapter_phy_ns;
    }
    sip_ucie_params_t p = nominal(SIP_UCIE_STANDARD, 4);
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_float_eq(r.phy_ns, 3.0, 1e-12);         /* 12 UI / 4 GT/s */
    cr_assert_float_eq(r.adapter_phy_ns, 4.5, 1e-12); /* 1.5 + 3.0 */
    p.rate_gtps = 8;
    cr_assert_float_eq(eval_ok(&p).adapter_phy_ns, 3.0, 1e-12); /* 1.5 + 1.5 */
    p.rate_gtps = 16;
    cr_assert_float_eq(eval_ok(&p).adapter_phy_ns, 2.25, 1e-12); /* 1.5 + 0.75 */
}

/* Issue 18: the latency-optimized 256B flit lets the receiver consume the first 128 B half
 * once CRC0 (bytes 126-127) is in ([S1] §3.2, facts.md §1.5); the standard 256B flit sends both
 * CRCs at the end, so the first bytes wait for 254 B. */
Test(ucie_latency, latency_optimized_flit_releases_its_first_half_early)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 16);
    p.protocol = SIP_PROTO_CXL_CACHEMEM;
    p.flit = SIP_FLIT_256B_STANDARD;
    sip_ucie_link_result_t std256 = eval_ok(&p);
    p.flit = SIP_FLIT_256B_LATOPT;
    sip_ucie_link_result_t lat = eval_ok(&p);
    cr_assert_eq(std256.release_bytes, 254);
    cr_assert_eq(lat.release_bytes, 128);
    /* Same flit size, same serialization; x64 at 16 GT/s moves 128 B per ns. */
    cr_assert_float_eq(lat.serialization_ns, std256.serialization_ns, 1e-12);
    cr_assert_float_eq(std256.latency_ns - lat.latency_ns, (254.0 - 128.0) / 128.0, 1e-12);
    p.flit = SIP_FLIT_256B_LATOPT_OPT;
    cr_assert_eq(eval_ok(&p).release_bytes, 128);
}

Test(ucie_power, utilization_scales_between_idle_and_peak)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    sip_ucie_link_result_t r = eval_ok(&p);
    /* 0.6 pJ/b x 2 x 256 GB/s x 8 = 2.4576 W */
    cr_assert_float_eq(r.peak_power_w, 0.6e-12 * 512e9 * 8, 1e-12);
    cr_assert_float_eq(r.idle_power_fraction, 0.15, 1e-12);
    cr_assert_float_eq(sip_ucie_link_power_w(&r, 1.0), r.peak_power_w, 1e-12);
    cr_assert_float_eq(sip_ucie_link_power_w(&r, 0.0), 0.15 * r.peak_power_w, 1e-12);
    cr_assert_float_eq(sip_ucie_link_power_w(&r, 0.5), 0.575 * r.peak_power_w, 1e-12);
    cr_assert_float_eq(sip_ucie_link_power_w(&r, 7.0), r.peak_power_w, 1e-12);
}

/* ---- rules ---- */

static void expect_rule_error(const sip_ucie_params_t *p, const char *needle)
{
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_ucie_params_validate(p, &err), SIP_ECHECK, "expected error '%s'", needle);
    cr_assert(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
    sip_ucie_link_result_t r;
    cr_assert_eq(sip_ucie_eval(p, &r, NULL), SIP_ECHECK);
}

Test(ucie_rules, bad_parameters_are_rejected_with_a_reason)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    cr_assert_eq(sip_ucie_params_validate(&p, NULL), SIP_OK);
    p.rate_gtps = 20;
    expect_rule_error(&p, "not a UCIe data rate");
    p = nominal(SIP_UCIE_ADVANCED, 32);
    p.modules = 0;
    expect_rule_error(&p, "modules 0");
    p.modules = 3;
    expect_rule_error(&p, "modules 3");
    p = nominal(SIP_UCIE_STANDARD, 16);
    p.lanes_per_module = 32;
    expect_rule_error(&p, "lanes_per_module 32 not allowed for the standard");
    p = nominal(SIP_UCIE_ADVANCED, 16);
    p.lanes_per_module = 16;
    expect_rule_error(&p, "lanes_per_module 16 not allowed for the advanced");
    p = nominal(SIP_UCIE_STANDARD, 16);
    p.lanes_per_module = 8;
    cr_assert_eq(sip_ucie_params_validate(&p, NULL), SIP_OK);
    p.modules = 2;
    expect_rule_error(&p, "single-module");
    p = nominal(SIP_UCIE_ADVANCED, 16);
    p.length_mm = 2.5;
    expect_rule_error(&p, "beyond the advanced package reach");
    p = nominal(SIP_UCIE_STANDARD, 16);
    p.length_mm = 26;
    expect_rule_error(&p, "beyond the standard package reach");
    p.length_mm = 25;
    cr_assert_eq(sip_ucie_params_validate(&p, NULL), SIP_OK);
    p.voltage_v = 0.6;
    expect_rule_error(&p, "voltage_v");
    p = nominal(SIP_UCIE_ADVANCED, 16);
    p.flit = SIP_FLIT_256B_LATOPT;
    p.protocol = SIP_PROTO_PCIE;
    expect_rule_error(&p, "cannot carry protocol pcie");
    p = nominal(SIP_UCIE_ADVANCED, 16);
    p.failed_lanes = 65;
    expect_rule_error(&p, "failed_lanes 65");
}

Test(ucie_rules, bump_pitch_groups_cap_the_rate)
{
    /* UCIe 1.0 Table 7: 25–30 um -> 12, 31–37 -> 16, 38–44 -> 24, 45–55 -> 32 GT/s. */
    struct {
        double pitch, ok_rate, bad_rate;
    } rows[] = {{25, 12, 16}, {30, 12, 16}, {30.5, 12, 16}, {31, 16, 24},
                {37, 16, 24}, {38, 24, 32}, {44, 24, 32}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, rows[i].ok_rate);
        p.bump_pitch_um = rows[i].pitch;
        cr_assert_eq(sip_ucie_params_validate(&p, NULL), SIP_OK, "pitch %g", rows[i].pitch);
        p.rate_gtps = rows[i].bad_rate;
        expect_rule_error(&p, "bump-pitch group");
    }
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.bump_pitch_um = 55;
    cr_assert_eq(sip_ucie_params_validate(&p, NULL), SIP_OK);
    p.bump_pitch_um = 60;
    expect_rule_error(&p, "outside the advanced package range");
    cr_assert_float_eq(sip_ucie_pitch_max_rate_gtps(SIP_UCIE_ADVANCED, 40), 24, 0);
}

Test(ucie_rules, ucie3_rates_are_marked)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 64);
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert(r.ucie3);
    cr_assert_eq(r.raw_ber, 1e-12);
    /* Cadence 64G UCIe-A: 2635 GB/s/mm [S16]; the model with unchanged width: 2634. */
    cr_assert_float_eq(r.shoreline_GBps_per_mm, 2634.0, 0.5);
    p.bump_pitch_um = 40;
    expect_rule_error(&p, "bump-pitch group");
    p = nominal(SIP_UCIE_STANDARD, 32);
    cr_assert(!eval_ok(&p).ucie3);
}

/* ---- training: repair, width degrade, module drop, speed step-down ---- */

Test(ucie_training, advanced_spares_repair_two_lanes_per_group)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.failed_lanes = 4; /* 2 in each 32-lane group */
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_REPAIRED);
    cr_assert_eq(r.spare_lanes_used, 4);
    cr_assert_float_eq(r.raw_GBps_per_dir, 256.0, 1e-9);
    p.modules = 2;
    p.failed_lanes = 9; /* groups 3,2,2,2: module 0 fails, keep 1 module */
    r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_MODULES);
    cr_assert_eq(r.modules, 1);
    cr_assert_eq(r.spare_lanes_used, 4);
    cr_assert_float_eq(r.raw_GBps_per_dir, 256.0, 1e-9);
    cr_assert_float_eq(r.shoreline_mm, 2 * 0.3888, 1e-12); /* the die edge is still used */
}

/* Issue 18: failed lanes used to come back after a speed step (x64 with 5 failures reported
 * 192 GB/s at 24 GT/s).  They are hard faults: beyond the spares the link is down. */
Test(ucie_training, advanced_beyond_spares_is_down_not_slower)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.failed_lanes = 5; /* groups 3 and 2: group 0 has one failure more than its 2 spares */
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_DOWN);
    cr_assert_float_eq(r.raw_GBps_per_dir, 0.0, 0);
    cr_assert_float_eq(r.payload_GBps_per_dir, 0.0, 0);
    cr_assert_float_eq(r.fit, 0.0, 0);
    /* Two modules, 10 failures round-robin over 4 groups = 3,3,2,2: module 0 (groups 3,3)
     * is beyond its spares, module 1 (2,2) is repaired and kept. */
    p.modules = 2;
    p.failed_lanes = 10;
    r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_MODULES);
    cr_assert_eq(r.modules, 1);
    /* 12 = 3,3,3,3: no module is within its spares. */
    p.failed_lanes = 12;
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_DOWN);
    /* The x32 option (one group): 3 failures are beyond its 2 spares. */
    p = nominal(SIP_UCIE_ADVANCED, 16);
    p.lanes_per_module = 32;
    p.failed_lanes = 2;
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_REPAIRED);
    p.failed_lanes = 3;
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_DOWN);
}

Test(ucie_training, standard_width_degrades_x16_to_x8)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_STANDARD, 16);
    p.failed_lanes = 3;
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_WIDTH);
    cr_assert_eq(r.lanes_per_module, 8);
    cr_assert_float_eq(r.rate_gtps, 16.0, 0);
    cr_assert_float_eq(r.raw_GBps_per_dir, 16.0, 1e-9);
    p.failed_lanes = 8; /* one whole x8 half: the other half still works */
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_WIDTH);
    /* A majority of 4 modules degraded at 32 GT/s: with hard faults a speed step would keep
     * the faulty lanes, so every module goes x8 at the same rate: 4 x 8 x 32 / 8 = 128. */
    p = nominal(SIP_UCIE_STANDARD, 32);
    p.modules = 4;
    p.failed_lanes = 4;
    r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_WIDTH);
    cr_assert_float_eq(r.rate_gtps, 32.0, 0);
    cr_assert_float_eq(r.raw_GBps_per_dir, 128.0, 1e-9);
}

/* Issue 18: a standard x16 link with 16 of 16 lanes failed reported x16 at 24 GT/s, 48 GB/s. */
Test(ucie_training, standard_all_lanes_failed_is_down)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_STANDARD, 32);
    p.failed_lanes = 16;
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_DOWN);
    cr_assert_eq(r.lanes_per_module, 0);
    cr_assert_float_eq(r.rate_gtps, 32.0, 0); /* no speed step reported */
    cr_assert_float_eq(r.raw_GBps_per_dir, 0.0, 0);
    p.failed_lanes = 9; /* both halves hit: no clean x8 */
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_DOWN);
    /* The x8 option has nothing narrower. */
    p.lanes_per_module = 8;
    p.failed_lanes = 1;
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_DOWN);
    /* Two modules, 9 + 9: both unrecoverable, down; 9 + 8: keep one x8 (8 lanes) rather than
     * no clean x16 module. */
    p = nominal(SIP_UCIE_STANDARD, 16);
    p.modules = 2;
    p.failed_lanes = 18;
    cr_assert_eq(eval_ok(&p).trained, SIP_UCIE_TRAINED_DOWN);
    p.failed_lanes = 17;
    r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_MODULES);
    cr_assert_eq(r.modules, 1);
    cr_assert_eq(r.lanes_per_module, 8);
    /* Four modules, 33 failures round-robin = 9,8,8,8: module 0 is dropped, the three x8
     * survivors round down to the next permitted count, 2 -> 2 modules at x8. */
    p.modules = 4;
    p.failed_lanes = 33;
    r = eval_ok(&p);
    cr_assert_eq(r.trained, SIP_UCIE_TRAINED_MODULES);
    cr_assert_eq(r.modules, 2);
    cr_assert_eq(r.lanes_per_module, 8);
    cr_assert_float_eq(r.raw_GBps_per_dir, 2 * 8 * 16 / 8.0, 1e-9);
}

Test(ucie_training, link_beyond_repair_is_a_design_rule_error)
{
    sip_package_t *pkg = NULL;
    sip_error_t err;
    sip_error_clear(&err);
    char path[512];
    snprintf(path, sizeof path, "%s/tests/check/bad/link_down.cfg", shipped_root());
    cr_assert_eq(sip_package_load(path, NULL, &pkg, &err), SIP_OK, "%s", err.message);
    sip_check_result_t *res = NULL;
    cr_assert_eq(sip_check_run(pkg, &res, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_check_result_count(res, "link-down"), 1);
    cr_assert(res->n_errors >= 1);
    /* The same link with one lane fewer failed (9,9,9,8) trains to one x8 module: no error. */
    pkg->links[0].failed_lanes = 35;
    sip_check_result_destroy(res);
    res = NULL;
    cr_assert_eq(sip_check_run(pkg, &res, &err), SIP_OK, "%s", err.message);
    cr_assert_eq(sip_check_result_count(res, "link-down"), 0);
    sip_check_result_destroy(res);
    sip_package_destroy(pkg);
}

/* ---- reliability ---- */

Test(ucie_crc, detects_every_error_of_up_to_three_bits)
{
    /* CRC-16 with polynomial 0x8005, init 0, no reflection: check value of "123456789". */
    cr_assert_eq(sip_ucie_crc16((const uint8_t *)"123456789", 9), 0xFEE8);
    /* Zero-extension to 128 B in the MSBs does not change the CRC. */
    uint8_t msg[128] = {0};
    memcpy(msg + 119, "123456789", 9);
    cr_assert_eq(sip_ucie_crc16(msg, 128), 0xFEE8);
    /* Random 1-, 2-, 3-bit error patterns on a 128 B message + its CRC (1040 bits). */
    uint64_t x = 12345;
    for (int i = 0; i < 128; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        msg[i] = (uint8_t)(x >> 56);
    }
    uint16_t crc = sip_ucie_crc16(msg, 128);
    uint8_t cw[130];
    for (int trial = 0; trial < 30000; trial++) {
        memcpy(cw, msg, 128);
        cw[128] = (uint8_t)(crc >> 8);
        cw[129] = (uint8_t)crc;
        int nbits = 1 + trial % 3, pos[3];
        for (int b = 0; b < nbits; b++) {
            bool fresh;
            do {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                pos[b] = (int)((x >> 33) % 1040);
                fresh = true;
                for (int c = 0; c < b; c++)
                    fresh = fresh && pos[c] != pos[b];
            } while (!fresh);
            cw[pos[b] / 8] ^= (uint8_t)(0x80 >> (pos[b] % 8));
        }
        uint16_t got = (uint16_t)((cw[128] << 8) | cw[129]);
        cr_assert_neq(sip_ucie_crc16(cw, 128), got, "trial %d (%d bits) escaped", trial, nbits);
    }
}

Test(ucie_reliability, fit_is_tiny_with_crc_and_not_without)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32); /* BER 1e-15, 68B + CRC */
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert(r.fit > 0.0 && r.fit < 1e-20, "FIT %g", r.fit);
    cr_assert(r.goodput_loss > 0.0 && r.goodput_loss < 1e-10);
    p.flit = SIP_FLIT_RAW; /* no CRC: every error is undetected (why retry is required > 8 GT/s) */
    r = eval_ok(&p);
    cr_assert(r.fit > 1e3, "raw FIT %g", r.fit);
    cr_assert_float_eq(r.goodput, 1.0, 0);
    /* FIT = flit errors x flits per hour x 1e9: 512 GB/s / 64 B flits, p = 1 - (1 - 1e-15)^512 */
    cr_assert_float_eq(r.fit / (512e9 / 64 * 3600 * 1e9 * 512e-15), 1.0, 1e-6);
}

/* Issue 18: the independent-error FIT is a lower bound; the burst bound takes every error
 * event as a burst the CRC-16 misses with 2^-15 (Peterson & Brown 1961; model in ucie.c). */
Test(ucie_reliability, burst_bound_is_above_the_independent_fit_and_hand_computed)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32); /* BER 1e-15, 68B: one 68 B codeword */
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert(r.fit_burst_bound > r.fit * 1e10, "burst %g vs independent %g", r.fit_burst_bound,
              r.fit);
    /* By hand: P(event in the 544-bit codeword) = 544e-15; x 2^-15; flits per hour both
     * directions = 512e9 / 68 x 3600; x 1e9. */
    double expect = 544e-15 / 32768.0 * (512e9 / 68.0) * 3600.0 * 1e9;
    cr_assert_float_eq(r.fit_burst_bound / expect, 1.0, 1e-9);
    cr_assert(!r.fit_high);
    /* Raw: no CRC, the bound is the independent figure (every error escapes anyway), and a
     * raw link at 1e-15 is far above FIT 1: flagged. */
    p.flit = SIP_FLIT_RAW;
    r = eval_ok(&p);
    cr_assert_float_eq(r.fit_burst_bound, r.fit, 1e-12 * r.fit);
    cr_assert(r.fit_high && r.fit >= sip_ucie_fit_warn_level());
    /* Raw at the 1e-27 of <= 8 GT/s (Table 45): well below FIT 1, not flagged. */
    p.rate_gtps = 8;
    r = eval_ok(&p);
    cr_assert(r.fit < 1.0 && !r.fit_high, "raw 8 GT/s FIT %g", r.fit);
}

Test(ucie_reliability, closed_form_goodput_and_latency)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.raw_ber = 1e-6;
    sip_ucie_link_result_t r = eval_ok(&p);
    double pe = 1.0 - pow(1.0 - 1e-6, 544);
    cr_assert_float_eq(r.flit_error_prob / pe, 1.0, 1e-9);
    int R = r.replay_rtt_flits;
    cr_assert_eq(R, (int)ceil(2 * r.latency_ns / r.serialization_ns - 1e-9));
    cr_assert_float_eq(r.goodput, (1 - pe) / (1 - pe + R * pe), 1e-9);
    cr_assert_float_eq(r.payload_GBps_per_dir, 256.0 * 64 / 68 * r.goodput, 1e-9);
    cr_assert_float_eq(r.retry_mean_added_ns, R * r.serialization_ns * (1 / r.goodput - 1), 1e-9);
}

/* The seeded Monte-Carlo of go-back-N against the closed form (issue 3 "done when"). */
static void mc_against_closed_form(sip_flit_format_t flit, sip_protocol_t proto, double ber)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.flit = flit;
    p.protocol = proto;
    p.raw_ber = ber;
    sip_ucie_link_result_t r = eval_ok(&p);
    /* Enough flits for ~40 000 replays: the loss estimate is then good to ~1 %. */
    uint64_t n = (uint64_t)(40000.0 / r.flit_error_prob);
    sip_ucie_replay_mc_t mc;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_ucie_replay_mc(&p, n, 42, &mc, &err), SIP_OK, "%s", err.message);
    cr_assert(mc.delivered >= n);
    cr_assert_float_eq(mc.goodput / r.goodput, 1.0, 0.01, "BER %g: MC %g vs %g", ber, mc.goodput,
                       r.goodput);
    /* Stricter than the issue asks: the loss itself within 5 %. */
    cr_assert_float_eq(mc.goodput > 0 ? (1 - mc.goodput) / r.goodput_loss : 0, 1.0, 0.05,
                       "BER %g: MC loss %g vs %g", ber, 1 - mc.goodput, r.goodput_loss);
    double mean_ns = mc.mean_added_slots * r.serialization_ns;
    cr_assert_float_eq(mean_ns / r.retry_mean_added_ns, 1.0, 0.05, "BER %g: MC mean %g vs %g ns",
                       ber, mean_ns, r.retry_mean_added_ns);
    cr_assert_eq(mc.undetected, 0);
}

Test(ucie_replay, monte_carlo_agrees_with_closed_form_68b, .timeout = 120)
{
    for (double ber = 1e-6; ber > 0.9e-9; ber /= 10)
        mc_against_closed_form(SIP_FLIT_68B, SIP_PROTO_STREAMING, ber);
}

Test(ucie_replay, monte_carlo_agrees_with_closed_form_256b, .timeout = 120)
{
    for (double ber = 1e-6; ber > 0.9e-9; ber /= 10)
        mc_against_closed_form(SIP_FLIT_256B_STANDARD, SIP_PROTO_PCIE, ber);
}

Test(ucie_replay, p99_added_latency_and_determinism)
{
    sip_ucie_params_t p = nominal(SIP_UCIE_ADVANCED, 32);
    p.raw_ber = 1e-5; /* about 8 % of flits caught in a replay window */
    sip_ucie_link_result_t r = eval_ok(&p);
    cr_assert(r.goodput_loss > 0.02 && r.goodput_loss < 0.1, "loss %g", r.goodput_loss);
    cr_assert_float_eq(r.retry_p99_added_ns, r.replay_rtt_flits * r.serialization_ns, 1e-9);
    sip_ucie_replay_mc_t a, b;
    cr_assert_eq(sip_ucie_replay_mc(&p, 2000000, 7, &a, NULL), SIP_OK);
    cr_assert_eq(sip_ucie_replay_mc(&p, 2000000, 7, &b, NULL), SIP_OK);
    cr_assert_eq(a.slots, b.slots);
    cr_assert_float_eq(a.p99_added_slots, (double)r.replay_rtt_flits, 0);
    /* Realistic BER: p99 adds nothing. */
    p.raw_ber = -1;
    cr_assert_float_eq(eval_ok(&p).retry_p99_added_ns, 0.0, 0);
    p.flit = SIP_FLIT_RAW;
    cr_assert_eq(sip_ucie_replay_mc(&p, 10, 1, &a, NULL), SIP_EINVAL);
}

/* ---- package level ---- */

static sip_package_t *two_dies(sip_ucie_package_t package, double pitch_um, double max_rate)
{
    sip_package_t *pkg = NULL;
    cr_assert_eq(sip_package_create(&pkg, NULL), SIP_OK);
    strcpy(pkg->path, "pkg.cfg");
    sip_chiplet_type_t t;
    sip_chiplet_type_init(&t);
    strcpy(t.name, "die");
    t.width_mm = 10.0;
    t.height_mm = 10.0;
    t.n_ports = 2;
    strcpy(t.ports[0].name, "e0");
    t.ports[0].edge = SIP_EDGE_EAST;
    strcpy(t.ports[1].name, "w0");
    t.ports[1].edge = SIP_EDGE_WEST;
    for (int i = 0; i < 2; i++) {
        t.ports[i].position_mm = 5.0;
        t.ports[i].package = package;
        t.ports[i].modules = 2;
        t.ports[i].max_rate_gtps = max_rate;
        t.ports[i].bump_pitch_um = pitch_um;
    }
    cr_assert_eq(sip_package_add_type(pkg, &t, NULL), 0);
    sip_instance_t a, b;
    sip_instance_init(&a);
    sip_instance_init(&b);
    strcpy(a.name, "a");
    strcpy(b.name, "b");
    a.type = b.type = 0;
    b.x_mm = 11.0; /* 1 mm gap between a.e0 and b.w0 */
    cr_assert_eq(sip_package_add_instance(pkg, &a, NULL), 0);
    cr_assert_eq(sip_package_add_instance(pkg, &b, NULL), 1);
    sip_link_t l;
    sip_link_init(&l);
    strcpy(l.name, "a-b");
    l.from_instance = 0;
    l.from_port = 0;
    l.to_instance = 1;
    l.to_port = 1;
    l.package = package;
    l.rate_gtps = 16.0;
    l.line = 42;
    cr_assert_eq(sip_package_add_link(pkg, &l, NULL), 0);
    return pkg;
}

Test(ucie_package, link_eval_reads_ports_and_geometry)
{
    sip_package_t *pkg = two_dies(SIP_UCIE_ADVANCED, 45.0, 32.0);
    sip_ucie_link_result_t r;
    cr_assert_eq(sip_ucie_link_eval(pkg, 0, &r, NULL), SIP_OK);
    cr_assert_float_eq(r.raw_GBps_per_dir, 128.0, 1e-9);
    cr_assert_float_eq(r.flight_ns, 1.0 * 2.0 / 0.299792458 * 1e-3, 1e-9);
    cr_assert_eq(sip_ucie_link_eval(pkg, 1, &r, NULL), SIP_EINVAL);
    sip_package_destroy(pkg);
}

Test(ucie_package, bad_links_report_path_and_line)
{
    struct {
        double pitch, max_rate, rate, length;
        int modules;
        const char *needle;
    } rows[] = {
        {45, 32, 20, -1, 1, "not a UCIe data rate"},
        {45, 32, 16, 3.0, 1, "beyond the advanced package reach"},
        {45, 32, 16, -1, 0, "modules 0"},
        {45, 32, 16, -1, 4, "offers 2"},
        {28, 32, 16, -1, 1, "bump-pitch group"},
        {45, 12, 16, -1, 1, "max_rate_gtps 12"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sip_package_t *pkg = two_dies(SIP_UCIE_ADVANCED, rows[i].pitch, rows[i].max_rate);
        pkg->links[0].rate_gtps = rows[i].rate;
        pkg->links[0].length_mm = rows[i].length;
        pkg->links[0].modules = rows[i].modules;
        sip_error_t err;
        sip_error_clear(&err);
        cr_assert_eq(sip_ucie_link_validate(pkg, 0, &err), SIP_ECHECK, "row %zu", i);
        char buf[1200];
        sip_error_format(&err, buf, sizeof buf);
        cr_assert(strncmp(buf, "pkg.cfg:42: link 'a-b': ", 24) == 0, "row %zu: %s", i, buf);
        cr_assert(strstr(buf, rows[i].needle), "row %zu: %s", i, buf);
        sip_ucie_link_result_t r;
        cr_assert_eq(sip_ucie_link_eval(pkg, 0, &r, NULL), SIP_ECHECK);
        sip_package_destroy(pkg);
    }
    sip_package_t *pkg = two_dies(SIP_UCIE_ADVANCED, 45, 32);
    pkg->types[0].ports[1].package = SIP_UCIE_STANDARD;
    sip_error_t err;
    sip_error_clear(&err);
    cr_assert_eq(sip_ucie_link_validate(pkg, 0, &err), SIP_ECHECK);
    cr_assert(strstr(err.message, "expected the same package type"), "%s", err.message);
    sip_package_destroy(pkg);
}
