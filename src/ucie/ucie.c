/* UCIe link model: rules, link training (repair / degrade), bandwidth, latency, energy,
 * reliability.  SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbers come from the tables in ucie_spec.c (facts.md §1); this file only combines them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ucie/ucie_internal.h"

static const char *const trained_names[] = {"full", "repaired", "width_degraded",
                                            "modules_dropped", "speed_degraded", "down"};

const char *sip_ucie_trained_name(sip_ucie_trained_t trained)
{
    return (unsigned)trained < SIP_UCIE_TRAINED_COUNT ? trained_names[trained] : "?";
}

void sip_ucie_params_init(sip_ucie_params_t *p, sip_ucie_package_t package, double rate_gtps,
                          double length_mm)
{
    sip_link_t link;
    sip_link_init(&link); /* the model's link defaults are the loader's defaults */
    memset(p, 0, sizeof *p);
    p->package = package;
    p->modules = link.modules;
    p->lanes_per_module = link.lanes_per_module;
    p->rate_gtps = rate_gtps;
    p->flit = link.flit;
    p->protocol = link.protocol;
    p->length_mm = length_mm;
    p->voltage_v = link.voltage_v;
    p->raw_ber = link.raw_ber;
    p->failed_lanes = link.failed_lanes;
    p->bump_pitch_um = 0.0;
}

static int lanes_of(const sip_ucie_params_t *p)
{
    if (p->lanes_per_module > 0)
        return p->lanes_per_module;
    return p->package == SIP_UCIE_ADVANCED ? 64 : 16;
}

static double pitch_of(const sip_ucie_params_t *p)
{
    return p->bump_pitch_um > 0.0 ? p->bump_pitch_um : sip__ucie_reference_pitch_um(p->package);
}

/* ---- rules ---- */

/* Lane counts per module: x16 / x64 (UCIe 1.0), x8 standard (single module only) and x32
 * advanced from UCIe 2.0 ([S1] §5.2.1, [S4]; facts.md §1.2). */
static bool lanes_allowed(sip_ucie_package_t package, int lanes)
{
    if (package == SIP_UCIE_ADVANCED)
        return lanes == 64 || lanes == 32;
    return lanes == 16 || lanes == 8;
}

/* Check p; path/line locate the offending setting (may be NULL/0). */
static sip_status_t validate(const sip_ucie_params_t *p, const char *path, int line,
                             const char *who, sip_error_t *err)
{
    const char *pkg = sip_ucie_package_name(p->package);
    if ((unsigned)p->package >= SIP_UCIE_PACKAGE_COUNT)
        return sip_error_set(err, SIP_ECHECK, path, line, "%sunknown UCIe package type %d", who,
                             (int)p->package);
    if (!sip__ucie_rate_known(p->rate_gtps))
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%srate_gtps %g is not a UCIe data rate (expected 4, 8, 12, 16, 24 "
                             "or 32; 48 or 64 with UCIe 3.0)", who,
                             p->rate_gtps);
    if (p->modules <= 0 || (p->modules != 1 && p->modules != 2 && p->modules != 4))
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%smodules %d is not a UCIe module count (expected 1, 2 or 4)", who,
                             p->modules);
    int lanes = lanes_of(p);
    if (!lanes_allowed(p->package, lanes))
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%slanes_per_module %d not allowed for the %s package (expected %s)", who,
                             lanes, pkg,
                             p->package == SIP_UCIE_ADVANCED ? "64, or 32 (UCIe 2.0)"
                                                             : "16, or 8 (UCIe 2.0)");
    if (p->package == SIP_UCIE_STANDARD && lanes == 8 && p->modules != 1)
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%sthe x8 standard module is single-module only (expected modules "
                             "= 1, got %d)", who,
                             p->modules);
    double reach = sip_ucie_reach_mm(p->package);
    if (!(p->length_mm >= 0.0) || p->length_mm > reach + 1e-9)
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%schannel length %.3g mm beyond the %s package reach (expected "
                             "0 to %g mm)", who,
                             p->length_mm, pkg, reach);
    double pitch = pitch_of(p);
    double pitch_max = sip_ucie_pitch_max_rate_gtps(p->package, pitch);
    if (pitch_max <= 0.0)
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%sbump pitch %g um outside the %s package range (expected %s)", who,
                             pitch, pkg,
                             p->package == SIP_UCIE_ADVANCED ? "25 to 55 um" : "100 to 130 um");
    if (p->rate_gtps > pitch_max + 1e-9)
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%srate_gtps %g above the %g GT/s maximum of the %g um bump-pitch "
                             "group (UCIe Table 7)", who,
                             p->rate_gtps, pitch_max, pitch);
    if (!sip__ucie_voltage_known(p->voltage_v))
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%svoltage_v %g is not a UCIe corner (expected 0.7 or 0.5)", who,
                             p->voltage_v);
    if (!sip__ucie_flit_layout(p->flit, p->protocol))
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%sflit format %s cannot carry protocol %s (latency-optimized "
                             "formats are CXL or streaming)", who,
                             sip_flit_name(p->flit), sip_protocol_name(p->protocol));
    if (p->failed_lanes < 0 || p->failed_lanes > p->modules * lanes)
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%sfailed_lanes %d out of range (expected 0 to %d)", who, p->failed_lanes,
                             p->modules * lanes);
    if (!(p->raw_ber < 0.0) && !(p->raw_ber >= 0.0 && p->raw_ber < 0.5))
        return sip_error_set(err, SIP_ECHECK, path, line,
                             "%sraw_ber %g out of range (expected 0 to 0.5, or unset)", who, p->raw_ber);
    return SIP_OK;
}

sip_status_t sip_ucie_params_validate(const sip_ucie_params_t *p, sip_error_t *err)
{
    return validate(p, NULL, 0, "", err);
}

static sip_status_t link_structure(const sip_package_t *pkg, int link, sip_error_t *err)
{
    if (!pkg || link < 0 || link >= pkg->n_links)
        return sip_error_set(err, SIP_EINVAL, pkg ? pkg->path : NULL, 0,
                             "link index %d out of range", link);
    const sip_link_t *l = &pkg->links[link];
    int ends[2][2] = {{l->from_instance, l->from_port}, {l->to_instance, l->to_port}};
    for (int e = 0; e < 2; e++) {
        int in = ends[e][0], port = ends[e][1];
        if (in < 0 || in >= pkg->n_instances || pkg->instances[in].type < 0 ||
            pkg->instances[in].type >= pkg->n_types || port < 0 ||
            port >= sip_instance_type(pkg, in)->n_ports)
            return sip_error_set(err, SIP_EINVAL, pkg->path, l->line,
                                 "link '%s': endpoint %d does not name an instance port",
                                 l->name, e);
    }
    return SIP_OK;
}

sip_status_t sip_ucie_link_params(const sip_package_t *pkg, int link, sip_ucie_params_t *out,
                                  sip_error_t *err)
{
    SIP_TRY(link_structure(pkg, link, err));
    const sip_link_t *l = &pkg->links[link];
    const sip_port_t *a = &sip_instance_type(pkg, l->from_instance)->ports[l->from_port];
    const sip_port_t *b = &sip_instance_type(pkg, l->to_instance)->ports[l->to_port];
    memset(out, 0, sizeof *out);
    out->package = l->package;
    out->modules = l->modules;
    out->lanes_per_module = l->lanes_per_module;
    out->rate_gtps = l->rate_gtps;
    out->flit = l->flit;
    out->protocol = l->protocol;
    out->length_mm = sip_link_length_mm(pkg, link);
    out->voltage_v = l->voltage_v;
    out->raw_ber = l->raw_ber;
    out->failed_lanes = l->failed_lanes;
    /* Each die's PHY is limited by its own bump-pitch group, so the link gets the pitch with
     * the lower group maximum (0 = out of range wins, so validation reports it); on a tie
     * the coarser pitch, whose deeper module sets the areal density. */
    double pa = a->bump_pitch_um, pb = b->bump_pitch_um;
    double ma = sip_ucie_pitch_max_rate_gtps(l->package, pa);
    double mb = sip_ucie_pitch_max_rate_gtps(l->package, pb);
    out->bump_pitch_um = ma < mb ? pa : mb < ma ? pb : fmax(pa, pb);
    return SIP_OK;
}

sip_status_t sip_ucie_link_validate(const sip_package_t *pkg, int link, sip_error_t *err)
{
    SIP_TRY(link_structure(pkg, link, err));
    const sip_link_t *l = &pkg->links[link];
    const sip_port_t *ports[2] = {
        &sip_instance_type(pkg, l->from_instance)->ports[l->from_port],
        &sip_instance_type(pkg, l->to_instance)->ports[l->to_port]};
    const char *ends[2] = {pkg->instances[l->from_instance].name,
                           pkg->instances[l->to_instance].name};
    sip_ucie_params_t p;
    SIP_TRY(sip_ucie_link_params(pkg, link, &p, err));
    /* Name the link so a report with many links says which one. */
    char who[SIP_NAME_MAX + 16];
    snprintf(who, sizeof who, "link '%s': ", l->name);
    SIP_TRY(validate(&p, pkg->path, l->line, who, err));
    for (int e = 0; e < 2; e++) {
        const sip_port_t *port = ports[e];
        if (port->package != l->package)
            return sip_error_set(err, SIP_ECHECK, pkg->path, l->line,
                                 "link '%s': port %s.%s is %s, the link is %s (expected the "
                                 "same package type)",
                                 l->name, ends[e], port->name,
                                 sip_ucie_package_name(port->package),
                                 sip_ucie_package_name(l->package));
        if (port->max_rate_gtps > 0.0 && l->rate_gtps > port->max_rate_gtps + 1e-9)
            return sip_error_set(err, SIP_ECHECK, pkg->path, l->line,
                                 "link '%s': rate_gtps %g above port %s.%s max_rate_gtps %g",
                                 l->name, l->rate_gtps, ends[e], port->name,
                                 port->max_rate_gtps);
        if (port->modules > 0 && l->modules > port->modules)
            return sip_error_set(err, SIP_ECHECK, pkg->path, l->line,
                                 "link '%s': %d modules but port %s.%s offers %d", l->name,
                                 l->modules, ends[e], port->name, port->modules);
    }
    return SIP_OK;
}

/* ---- link training: repair, width degrade, module drop ----
 * facts.md §1.6 ([S1] §4.3, §4.5.3 MBTRAIN.LINKSPEED, §4.7.1).
 * DECISIONS where the spec describes mechanisms but not a placement of faults:
 * - failed lanes are spread round-robin over the link's repair units (32-lane groups of an
 *   advanced link, modules of a standard link), the placement independent faults most likely
 *   take; inside a unit they are adjacent lanes (one bump/trace defect region), so a standard
 *   module with <= 8 failures keeps one clean x8 half;
 * - "failed" means a hard fault (open bump, broken trace): the lane fails at every rate.  The
 *   spec's last resort after repair and width degrade, the speed step to the next lower rate,
 *   therefore never brings a failed lane back (issue 18: a 16-of-16-failed x16 link used to
 *   report x16 at 24 GT/s).  A link whose failures exceed repair, width degrade and module
 *   drop is down; `sipsim check` reports it as a design-rule error (rule link-down).  Lanes
 *   that are only marginal at the configured rate are not an input of this model;
 * - with hard faults the multi-module majority rule's speed-degrade branch (§4.7.1: speed
 *   degrade all modules when BW(M, lower rate) > BW(M/2, rate)) keeps every module at full
 *   width, so the faulty lanes would still fail: width degrade (or module drop) is the only
 *   working choice;
 * - a minority of width-degraded standard modules: all modules go x8 (same bandwidth as
 *   dropping to the next permitted module count, and the spec requires equal widths). */
static const int permitted_modules[] = {4, 2, 1};

static int next_permitted_modules(int good)
{
    for (size_t i = 0; i < sizeof permitted_modules / sizeof permitted_modules[0]; i++)
        if (permitted_modules[i] <= good)
            return permitted_modules[i];
    return 0;
}

typedef struct {
    sip_ucie_trained_t trained;
    int modules, lanes, spares;
    double rate_gtps;
} training_t;

static training_t link_down(const sip_ucie_params_t *p)
{
    return (training_t){SIP_UCIE_TRAINED_DOWN, 0, 0, 0, p->rate_gtps};
}

/* Failures in repair unit u of n (round-robin, unit-major). */
static int unit_failures(int f, int n, int u)
{
    return f / n + (u < f % n ? 1 : 0);
}

static training_t train_advanced(const sip_ucie_params_t *p, int lanes)
{
    int m = p->modules, f = p->failed_lanes;
    int per_module = lanes / sip__ucie_repair_group_lanes();
    int groups = m * per_module, spare = sip__ucie_spare_lanes_per_group();
    if ((f + groups - 1) / groups <= spare)
        return (training_t){SIP_UCIE_TRAINED_REPAIRED, m, lanes, f, p->rate_gtps};
    /* Modules whose every group is within the spares stay; the rest are dropped to the next
     * permitted count (4 -> 2 -> 1).  A single module beyond its spares is down. */
    int good = 0, spares_good[4] = {0};
    bool ok[4] = {false};
    for (int mod = 0; mod < m && mod < 4; mod++) {
        ok[mod] = true;
        for (int g = mod * per_module; g < (mod + 1) * per_module; g++) {
            int c = unit_failures(f, groups, g);
            ok[mod] = ok[mod] && c <= spare;
            spares_good[mod] += c;
        }
        good += ok[mod];
    }
    int keep = next_permitted_modules(good);
    if (m == 1 || keep < 1)
        return link_down(p);
    int spares = 0;
    for (int mod = 0, kept = 0; mod < m && kept < keep; mod++)
        if (ok[mod]) {
            kept++;
            spares += spares_good[mod];
        }
    return (training_t){SIP_UCIE_TRAINED_MODULES, keep, lanes, spares, p->rate_gtps};
}

static training_t train_standard(const sip_ucie_params_t *p, int lanes)
{
    int m = p->modules, f = p->failed_lanes;
    if (lanes != 16) /* the x8 option has no narrower width to degrade to */
        return link_down(p);
    int degraded = 0, unrecoverable = 0;
    for (int mod = 0; mod < m; mod++) {
        int c = unit_failures(f, m, mod);
        degraded += c > 0;
        unrecoverable += c > lanes / 2;
    }
    if (unrecoverable == 0)
        return (training_t){SIP_UCIE_TRAINED_WIDTH, m, lanes / 2, 0, p->rate_gtps};
    /* Some module has faults in both x8 halves: drop it.  Either keep only clean modules at
     * x16, or keep every recoverable module at x8 (equal widths); the wider total wins, x16
     * on a tie (fewer modules to keep trained). */
    int keep16 = next_permitted_modules(m - degraded);
    int keep8 = next_permitted_modules(m - unrecoverable);
    if (m == 1 || (keep16 < 1 && keep8 < 1))
        return link_down(p);
    if (keep16 * lanes >= keep8 * (lanes / 2))
        return (training_t){SIP_UCIE_TRAINED_MODULES, keep16, lanes, 0, p->rate_gtps};
    return (training_t){SIP_UCIE_TRAINED_MODULES, keep8, lanes / 2, 0, p->rate_gtps};
}

static training_t train(const sip_ucie_params_t *p)
{
    int lanes = lanes_of(p);
    if (p->failed_lanes == 0)
        return (training_t){SIP_UCIE_TRAINED_FULL, p->modules, lanes, 0, p->rate_gtps};
    return p->package == SIP_UCIE_ADVANCED ? train_advanced(p, lanes) : train_standard(p, lanes);
}

/* ---- evaluation ---- */

double sip__binomial_tail(int n, double p, int k)
{
    if (k <= 0)
        return 1.0;
    if (p <= 0.0 || n < k)
        return 0.0;
    if (p >= 1.0)
        return 1.0;
    /* Sum the terms from k upward in log space; for the tiny p of UCIe they fall by a factor
     * ~ n p per step, so a handful suffices.  For large n p fall back to 1 - cdf. */
    double lp = log(p), lq = log1p(-p);
    if ((double)n * p > 1.0) {
        double cdf = 0.0;
        for (int i = 0; i < k; i++)
            cdf += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) + i * lp +
                       (n - i) * lq);
        return fmax(0.0, 1.0 - cdf);
    }
    double sum = 0.0;
    for (int i = k; i <= n; i++) {
        double term = exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) + i * lp +
                          (n - i) * lq);
        sum += term;
        if (term < sum * 1e-17)
            break;
    }
    return sum;
}

/* The CRC detects every error of up to 3 bits ([S1] §3.6: (x+1)(x^15+x+1)); DECISION: a
 * heavier pattern escapes with the 2^-16 probability of a random 16-bit check, the usual
 * (conservative) aliasing bound. */
static const int crc_guaranteed_bits = 3;
static const double crc_alias_prob = 1.0 / 65536.0;
/* Burst errors (fit_burst_bound).  The model: raw_ber is the rate of error EVENTS, and one
 * event may corrupt any number of bits of a codeword (a burst along one lane over several UI,
 * or a supply/crosstalk event hitting several lanes in one UI); independent errors are the
 * special case of one bit per event.  A CRC of degree r = 16 whose generator has a nonzero
 * x^0 term detects every burst of <= 16 bits; a burst of r + 1 = 17 bits escapes with
 * probability 2^-(r-1) = 2^-15 and a longer one with 2^-16 (W. W. Peterson, D. T. Brown,
 * "Cyclic Codes for Error Detection", Proc. IRE 49(1), 1961: the standard burst-detection
 * result for cyclic codes).  ASSUMPTION: a scattered multi-bit pattern (a burst on a lane
 * lands every `lanes` bits of the flit) aliases like a random pattern, <= 2^-16.  Bound: every
 * event escapes with the worst of these, 2^-15, so P(undetected flit) <= sum over codewords of
 * P(>= 1 event in it) x 2^-15.  It is an upper bound whatever the burst lengths are. */
static const double crc_burst_alias_prob = 1.0 / 32768.0;

double sip_ucie_gbn_goodput(double flit_error_prob, int replay_rtt_flits)
{
    /* Go-back-N renewal argument: a good transmission costs 1 slot and delivers a flit; a
     * detected error costs R slots (the flit and the R - 1 behind it are resent R slots
     * later) and delivers nothing. */
    double p = flit_error_prob;
    if (p <= 0.0 || replay_rtt_flits <= 0)
        return 1.0;
    if (p >= 1.0)
        return 0.0;
    return (1.0 - p) / (1.0 - p + replay_rtt_flits * p);
}

sip_status_t sip_ucie_eval(const sip_ucie_params_t *p, sip_ucie_link_result_t *out,
                           sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    SIP_TRY(validate(p, NULL, 0, "", err));
    sip_ucie_link_result_t r;
    memset(&r, 0, sizeof r);
    training_t t = train(p);
    r.trained = t.trained;
    r.modules = t.modules;
    r.lanes_per_module = t.lanes;
    r.spare_lanes_used = t.spares;
    r.rate_gtps = t.rate_gtps;
    r.ucie3 = sip__ucie_rate_is_ucie3(p->rate_gtps);
    r.raw_ber = p->raw_ber >= 0.0 ? p->raw_ber : sip_ucie_default_ber(p->package, t.rate_gtps);

    /* Bandwidth: lanes x rate / 8 per direction ([S1]; facts.md §1.4 formula). */
    double lanes_total = (double)t.modules * t.lanes;
    r.raw_GBps_per_dir = lanes_total * t.rate_gtps / 8.0;
    r.raw_GBps_bidir = 2.0 * r.raw_GBps_per_dir;
    r.payload_share = sip_ucie_payload_share(p->flit, p->protocol);

    /* Geometry: the configured modules occupy the die edge whatever training made of them. */
    double pitch = pitch_of(p);
    r.shoreline_mm = p->modules * sip_ucie_module_width_mm(p->package);
    r.shoreline_GBps_per_mm = r.raw_GBps_bidir / r.shoreline_mm;
    r.module_depth_mm = sip__ucie_module_depth_mm(p->package, p->rate_gtps, pitch);
    r.areal_GBps_per_mm2 = r.raw_GBps_bidir / (r.shoreline_mm * r.module_depth_mm);

    /* Latency. */
    const sip__flit_layout_t *layout = sip__ucie_flit_layout(p->flit, p->protocol);
    r.flit_bytes = sip_ucie_flit_bytes(p->flit);
    r.adapter_ns = sip__ucie_adapter_ns();
    r.phy_ns = sip__ucie_phy_ui(t.rate_gtps) / t.rate_gtps;
    r.adapter_phy_ns = r.adapter_ns + r.phy_ns;
    r.flight_ns = p->length_mm * sip__ucie_flight_ps_per_mm() * 1e-3;
    /* A flit is striped over every active lane of every module. */
    r.serialization_ns = lanes_total > 0.0 ? r.flit_bytes * 8.0 / (lanes_total * t.rate_gtps)
                                           : 0.0;
    r.release_bytes = sip__ucie_release_bytes(layout);
    r.release_ns = lanes_total > 0.0 ? r.release_bytes * 8.0 / (lanes_total * t.rate_gtps) : 0.0;
    r.latency_ns = r.adapter_phy_ns + r.flight_ns + r.release_ns;

    /* Energy and power. */
    r.energy_pj_per_bit =
        sip__ucie_energy_pj_per_bit(p->package, t.rate_gtps, p->voltage_v, p->length_mm);
    r.peak_power_w = r.energy_pj_per_bit * 1e-12 * r.raw_GBps_bidir * 8e9;
    r.idle_power_fraction = sip__ucie_idle_fraction();

    /* Reliability.  Bits that matter are those of the CRC codewords (errors in uncovered
     * reserved bytes are ignored by the receiver); raw flits have no CRC: every bit counts
     * and every error is undetected by the adapter. */
    int cw[SIP__FLIT_MAX_CODEWORDS];
    int n_cw = sip__ucie_codewords(layout, cw);
    double ber = r.raw_ber, burst_undetected = 0.0;
    if (n_cw == 0) {
        r.flit_error_prob = -expm1(r.flit_bytes * 8.0 * log1p(-ber));
        r.flit_undetected_prob = r.flit_error_prob;
        /* No CRC: every event is undetected, and an event can hit a flit at most once per
         * errored bit, so clustering cannot raise P(flit errored) above the independent case. */
        burst_undetected = r.flit_error_prob;
        r.goodput = 1.0;
    } else {
        double log_ok = 0.0, log_no_escape = 0.0, log_no_burst_escape = 0.0;
        for (int c = 0; c < n_cw; c++) {
            log_ok += cw[c] * 8.0 * log1p(-ber);
            log_no_escape += log1p(-crc_alias_prob *
                                   sip__binomial_tail(cw[c] * 8, ber, crc_guaranteed_bits + 1));
            log_no_burst_escape +=
                log1p(-crc_burst_alias_prob * -expm1(cw[c] * 8.0 * log1p(-ber)));
        }
        r.flit_error_prob = -expm1(log_ok);
        r.flit_undetected_prob = -expm1(log_no_escape);
        burst_undetected = -expm1(log_no_burst_escape);
        /* Replay round trip: the bad flit reaches the receiver (one-way latency), the NAK
         * rides the next reverse flit header back (one-way latency again); the sender
         * restarts from the NAKed flit after that many flit slots. */
        r.replay_rtt_ns = 2.0 * r.latency_ns;
        r.replay_rtt_flits = r.serialization_ns > 0.0
                                 ? (int)ceil(r.replay_rtt_ns / r.serialization_ns - 1e-9)
                                 : 0;
        /* 8-bit sequence numbers allow 255 unacknowledged flits ([S1] §3.7); R is at most
         * ~125 even for 4 x64 modules at 64 GT/s, so the window never stalls the sender. */
        /* Only detected errors are replayed. */
        double pd = r.flit_error_prob - r.flit_undetected_prob;
        r.goodput = sip_ucie_gbn_goodput(pd, r.replay_rtt_flits);
        /* Back-to-back traffic: a flit caught in a replay window is resent exactly R slots
         * later; each round is hit with probability h = 1 - goodput (E[rounds] =
         * 1/goodput - 1), so rounds are geometric.  p99 = R x smallest k with h^(k+1) <= 1 %. */
        double h = 1.0 - r.goodput;
        double slot_ns = r.serialization_ns * r.replay_rtt_flits;
        r.retry_mean_added_ns = r.goodput > 0.0 ? slot_ns * h / r.goodput : INFINITY;
        int k = 0;
        if (h > 0.0) {
            while (k < 1000 && pow(h, k + 1) > 0.01)
                k++;
        }
        r.retry_p99_added_ns = k * slot_ns;
    }
    r.goodput_loss = 1.0 - r.goodput;
    r.payload_GBps_per_dir = r.raw_GBps_per_dir * r.payload_share * r.goodput;
    r.payload_GBps_bidir = 2.0 * r.payload_GBps_per_dir;
    /* FIT = undetected flit errors per 1e9 device hours, both directions. */
    double flits_per_s = r.flit_bytes > 0 ? r.raw_GBps_bidir * 1e9 / r.flit_bytes : 0.0;
    r.fit = r.flit_undetected_prob * flits_per_s * 3600.0 * 1e9;
    r.fit_burst_bound = burst_undetected * flits_per_s * 3600.0 * 1e9;
    if (t.trained == SIP_UCIE_TRAINED_DOWN)
        r.fit = r.fit_burst_bound = 0.0;
    r.fit_high = n_cw == 0 && r.fit >= sip_ucie_fit_warn_level();
    *out = r;
    return SIP_OK;
}

sip_status_t sip_ucie_link_eval(const sip_package_t *pkg, int link, sip_ucie_link_result_t *out,
                                sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    SIP_TRY(sip_ucie_link_validate(pkg, link, err));
    sip_ucie_params_t p;
    SIP_TRY(sip_ucie_link_params(pkg, link, &p, err));
    return sip_ucie_eval(&p, out, err);
}

double sip_ucie_link_power_w(const sip_ucie_link_result_t *r, double utilization)
{
    double u = utilization < 0.0 ? 0.0 : utilization > 1.0 ? 1.0 : utilization;
    return r->peak_power_w * (r->idle_power_fraction + (1.0 - r->idle_power_fraction) * u);
}
