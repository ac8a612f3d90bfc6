/* UCIe link model internals shared by the files of src/ucie.  SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_UCIE_INTERNAL_H
#define SIPSIM_UCIE_INTERNAL_H

#include "sipsim/ucie.h"

/* What a byte region of a flit carries. */
typedef enum {
    SIP__FLIT_HEADER,   /* adapter flit header (ack/nak, sequence number) */
    SIP__FLIT_PROTOCOL, /* protocol-layer bytes: the payload the protocol layer owns */
    SIP__FLIT_DLP,      /* PCIe/CXL.io data-link-layer payload (DLLPs) */
    SIP__FLIT_RESERVED,
    SIP__FLIT_CRC,
    SIP__FLIT_REGION_KIND_COUNT
} sip__flit_region_kind_t;

typedef struct {
    sip__flit_region_kind_t kind;
    int bytes;
    int codeword; /* CRC codeword that protects (or, for a CRC region, is) it; -1 = none */
} sip__flit_region_t;

#define SIP__FLIT_MAX_REGIONS 12
#define SIP__FLIT_MAX_CODEWORDS 2

typedef struct {
    int n_regions;
    sip__flit_region_t regions[SIP__FLIT_MAX_REGIONS];
} sip__flit_layout_t;

/* Byte map of a flit format for a protocol; NULL when the protocol cannot use the format. */
const sip__flit_layout_t *sip__ucie_flit_layout(sip_flit_format_t flit, sip_protocol_t protocol);
/* Bytes of each CRC codeword (data + CRC) and how many codewords; returns the count. */
int sip__ucie_codewords(const sip__flit_layout_t *layout, int bytes[SIP__FLIT_MAX_CODEWORDS]);

/* Bytes of a flit on the wire before codeword 0 (with its CRC) is complete. */
int sip__ucie_release_bytes(const sip__flit_layout_t *layout);

/* Table lookups (src/ucie/ucie_spec.c). */
bool sip__ucie_rate_known(double rate_gtps);
bool sip__ucie_rate_is_ucie3(double rate_gtps);
double sip__ucie_reference_pitch_um(sip_ucie_package_t package);
bool sip__ucie_pitch_in_range(sip_ucie_package_t package, double pitch_um);
double sip__ucie_module_depth_mm(sip_ucie_package_t package, double rate_gtps, double pitch_um);
double sip__ucie_energy_pj_per_bit(sip_ucie_package_t package, double rate_gtps,
                                   double voltage_v, double length_mm);
double sip__ucie_short_reach_mm(void);
/* D2D adapter latency, TX + RX, rate-independent (ucie_spec.c: from the 2 ns target). */
double sip__ucie_adapter_ns(void);
int sip__ucie_phy_ui(double rate_gtps);
double sip__ucie_idle_fraction(void);
double sip__ucie_flight_ps_per_mm(void);
bool sip__ucie_voltage_known(double voltage_v);
int sip__ucie_spare_lanes_per_group(void);
int sip__ucie_repair_group_lanes(void);

/* P(X >= k) for X ~ Binomial(n, p), accurate for tiny p. */
double sip__binomial_tail(int n, double p, int k);

#endif
