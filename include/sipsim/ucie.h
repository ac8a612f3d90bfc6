/* sipsim — UCIe die-to-die link model: bandwidth, latency, energy and reliability of a link.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every engine asks this model for link numbers instead of carrying its own constants
 * (issue 3).  The numbers come from the UCIe 1.0 specification as summarised in
 * shared/reference/facts.md §1; src/ucie/ucie_spec.c holds them in one table each.
 *
 * Two levels:
 *   - params level: sip_ucie_params_t describes one link without a package (tests, sweeps);
 *   - package level: sip_ucie_link_eval(pkg, link, ...) reads pkg->links[link] and its ports.
 * All bandwidths are GB/s (1e9 bytes/s); "per_dir" = one direction, "bidir" = both.
 */
#ifndef SIPSIM_UCIE_H
#define SIPSIM_UCIE_H

#include <stdbool.h>
#include <stdint.h>

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What link training did to reach a working configuration (facts.md §1.6). */
typedef enum {
    SIP_UCIE_TRAINED_FULL,     /* no failed lanes: as configured */
    SIP_UCIE_TRAINED_REPAIRED, /* advanced: failed lanes remapped to spare lanes, full width */
    SIP_UCIE_TRAINED_WIDTH,    /* standard: x16 -> x8 width degrade */
    SIP_UCIE_TRAINED_MODULES,  /* multi-module: a failed module dropped (4 -> 2 -> 1) */
    SIP_UCIE_TRAINED_SPEED,    /* speed step-down to the next lower rate: not produced by
                                * failed_lanes, which are hard faults a lower rate does not
                                * cure (ucie.c); kept so the names and numbering stay stable */
    SIP_UCIE_TRAINED_DOWN,     /* no configuration works: zero bandwidth; `sipsim check`
                                * reports it (rule link-down) */
    SIP_UCIE_TRAINED_COUNT
} sip_ucie_trained_t;

/* One link without a package.  Initialise with sip_ucie_params_init (defaults as the loader
 * applies them), then set fields. */
typedef struct {
    sip_ucie_package_t package;
    int modules;              /* 1, 2 or 4 */
    int lanes_per_module;     /* 0 = package default (16 standard, 64 advanced) */
    double rate_gtps;         /* 4, 8, 12, 16, 24, 32; 48, 64 = UCIe 3.0 */
    sip_flit_format_t flit;
    sip_protocol_t protocol;
    double length_mm;         /* channel length */
    double voltage_v;         /* 0.7 or 0.5 corner */
    double raw_ber;           /* < 0 = UCIe 1.0 Table 45 default for rate and package */
    int failed_lanes;         /* data lanes with hard faults (failing at every rate), over the
                               * whole link */
    double bump_pitch_um;     /* 0 = reference pitch of Table 6 (45 advanced, 110 standard) */
} sip_ucie_params_t;

typedef struct {
    /* ---- configuration after training ---- */
    sip_ucie_trained_t trained;
    int modules;                  /* active modules */
    int lanes_per_module;         /* active data lanes per module and direction */
    int spare_lanes_used;         /* advanced lane repair */
    double rate_gtps;             /* operating rate (after speed step-down) */
    bool ucie3;                   /* 48/64 GT/s: UCIe 3.0 rate (numbers extrapolated) */
    double raw_ber;               /* BER used (given or Table 45 default) */
    /* ---- bandwidth ---- */
    double raw_GBps_per_dir;      /* lanes x rate / 8, after lane repair/degrade */
    double raw_GBps_bidir;
    double payload_share;         /* protocol-layer bytes / flit bytes, from the flit layout */
    double payload_GBps_per_dir;  /* after flit/CRC overhead and retry goodput loss */
    double payload_GBps_bidir;
    double shoreline_mm;          /* die edge taken by the link's modules (one side) */
    double shoreline_GBps_per_mm; /* raw bidir / shoreline (UCIe Table 6 definition) */
    double module_depth_mm;       /* PHY depth (Table 29, scaled with bump pitch) */
    double areal_GBps_per_mm2;    /* raw bidir / (shoreline x depth) (Table 29 definition) */
    /* ---- latency ---- */
    double adapter_phy_ns;        /* adapter + PHY, TX and RX sides together: adapter_ns + phy_ns
                                   * (<= 2 ns target met at 32 GT/s, more at lower rates) */
    double phy_ns;                /* PHY-only part (12 / 16 UI) */
    double flight_ns;             /* channel flight time from length */
    double serialization_ns;      /* one flit */
    double latency_ns;            /* zero-load one-way: adapter+PHY + flight + release_ns (the
                                   * wire time until the first CRC codeword is complete) */
    /* ---- energy and power ---- */
    double energy_pj_per_bit;     /* UCIe Table 6 for the corner, rate and reach */
    double peak_power_w;          /* both directions at full utilization */
    double idle_power_fraction;   /* idle power / peak power */
    /* ---- reliability ---- */
    int flit_bytes;               /* transfer unit on the wire */
    double flit_error_prob;       /* P(flit has >= 1 bit error) */
    double flit_undetected_prob;  /* P(flit error escapes the CRC) */
    int replay_rtt_flits;         /* go-back-N: flit slots one replay costs */
    double replay_rtt_ns;
    double goodput;               /* fraction of flit slots delivering new flits (1 = no loss) */
    double goodput_loss;          /* 1 - goodput */
    double retry_mean_added_ns;   /* mean added latency per flit, back-to-back traffic */
    double retry_p99_added_ns;    /* 99th percentile of the same */
    double fit;                   /* undetected errors per 1e9 hours, both directions, assuming
                                   * independent bit errors: a LOWER bound when errors cluster */
    /* ---- added for issue 18 (keep new fields at the end) ---- */
    double adapter_ns;            /* D2D adapter part of adapter_phy_ns (rate-independent) */
    int release_bytes;            /* flit bytes on the wire before its first CRC codeword can be
                                   * checked and its protocol bytes handed up (68 for 68B, 254 for
                                   * standard 256B, 128 for latency-optimized 256B) */
    double release_ns;            /* release_bytes over the active lanes */
    double fit_burst_bound;       /* upper bound on FIT under burst errors (model in ucie.c):
                                   * every error event is a burst the CRC misses with <= 2^-15 */
    bool fit_high;                /* raw format (no adapter CRC) and fit >= the FIT << 1 target */
} sip_ucie_link_result_t;

SIP_EXPORT const char *sip_ucie_trained_name(sip_ucie_trained_t trained);

/* Defaults as the loader applies them to a link (1 module, 68B flit, streaming, 0.7 V,
 * spec BER, no failed lanes, reference bump pitch); package, rate and length must be set. */
SIP_EXPORT void sip_ucie_params_init(sip_ucie_params_t *p, sip_ucie_package_t package,
                                     double rate_gtps, double length_mm);
/* The parameters of pkg->links[link]: length from sip_link_length_mm; bump pitch = the port
 * pitch whose bump-pitch group allows the lower rate (each die's PHY is limited by its own). */
SIP_EXPORT sip_status_t sip_ucie_link_params(const sip_package_t *pkg, int link,
                                             sip_ucie_params_t *out, sip_error_t *err);

/* Evaluate.  Invalid parameters (see validate) give SIP_EINVAL; a link that trains down to
 * nothing is SIP_OK with trained == SIP_UCIE_TRAINED_DOWN and zero bandwidth. */
SIP_EXPORT sip_status_t sip_ucie_eval(const sip_ucie_params_t *p, sip_ucie_link_result_t *out,
                                      sip_error_t *err);
SIP_EXPORT sip_status_t sip_ucie_link_eval(const sip_package_t *pkg, int link,
                                           sip_ucie_link_result_t *out, sip_error_t *err);
/* The FIT level a raw-format link is warned at (fit_high): UCIe's reliability target is
 * 0 < FIT << 1 ([S1] Table 6, facts.md §1.4), so FIT >= 1 certainly misses it. */
SIP_EXPORT double sip_ucie_fit_warn_level(void);

/* Rule checks: rate not in the set, lanes not allowed for the package type, modules not
 * 1/2/4, length beyond reach (standard 25 mm, advanced 2 mm), rate above the bump-pitch
 * group maximum, voltage not a corner, failed lanes out of range.  SIP_ECHECK with message;
 * the package-level form also checks the ports (package type, max_rate_gtps, modules offered)
 * and reports "path:line:" of the link. */
SIP_EXPORT sip_status_t sip_ucie_params_validate(const sip_ucie_params_t *p, sip_error_t *err);
SIP_EXPORT sip_status_t sip_ucie_link_validate(const sip_package_t *pkg, int link,
                                               sip_error_t *err);

/* Link power (both directions) at a utilization in [0, 1]:
 * peak x (idle_fraction + (1 - idle_fraction) x utilization). */
SIP_EXPORT double sip_ucie_link_power_w(const sip_ucie_link_result_t *r, double utilization);

/* ---- pieces, exposed for tests and other engines ---- */
/* Table 45 raw BER requirement (0 when the rate is not in the table). */
SIP_EXPORT double sip_ucie_default_ber(sip_ucie_package_t package, double rate_gtps);
/* Maximum rate of the bump-pitch group (advanced: Table 7, group 4 also allows the UCIe 3.0
 * rates 48/64; standard: 64; 0 = pitch outside the package's range; <= 0 pitch = reference). */
SIP_EXPORT double sip_ucie_pitch_max_rate_gtps(sip_ucie_package_t package, double bump_pitch_um);
/* Die-edge width of one module (Table 29: 571.5 um standard, 388.8 um advanced) and the
 * channel reach (standard long reach 25 mm, advanced 2 mm), facts.md §1.2. */
SIP_EXPORT double sip_ucie_module_width_mm(sip_ucie_package_t package);
SIP_EXPORT double sip_ucie_reach_mm(sip_ucie_package_t package);
/* Protocol-layer share of a flit, summed from the byte layout (0 for invalid combinations). */
SIP_EXPORT double sip_ucie_payload_share(sip_flit_format_t flit, sip_protocol_t protocol);
SIP_EXPORT int sip_ucie_flit_bytes(sip_flit_format_t flit);
/* UCIe CRC-16, polynomial x^16+x^15+x^2+1, initial 0, over a message zero-extended to 128 B. */
SIP_EXPORT uint16_t sip_ucie_crc16(const uint8_t *msg, size_t n_bytes);
/* Go-back-N closed form: goodput for flit error probability p and replay cost R slots. */
SIP_EXPORT double sip_ucie_gbn_goodput(double flit_error_prob, int replay_rtt_flits);

/* Seeded Monte-Carlo of the go-back-N replay protocol (bit errors at raw_ber on the flit
 * stream, CRC check, NAK, sender rewind).  Runs until n_flits flits are delivered. */
typedef struct {
    uint64_t slots;               /* flit slots used */
    uint64_t delivered;           /* flits accepted in order */
    uint64_t errored;             /* transmissions with >= 1 bit error */
    uint64_t undetected;          /* errored transmissions the CRC accepted */
    double goodput;               /* delivered / slots */
    double mean_added_slots;      /* per delivered flit: accept slot - first send slot */
    double p99_added_slots;
} sip_ucie_replay_mc_t;
SIP_EXPORT sip_status_t sip_ucie_replay_mc(const sip_ucie_params_t *p, uint64_t n_flits,
                                           uint64_t seed, sip_ucie_replay_mc_t *out,
                                           sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
