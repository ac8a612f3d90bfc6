/* UCIe CRC-16 and a seeded Monte-Carlo of the go-back-N replay protocol.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Monte-Carlo checks the closed form in ucie.c (sip_ucie_gbn_goodput and the added
 * latency) from the protocol's own moving parts: bit errors drawn on the serial bit stream,
 * the real CRC over each codeword of an errored flit, the receiver's NAK and discard state,
 * the sender rewinding to the NAKed sequence number ([S1] §3.7, facts.md §1.5).
 * Both sides share one simplification: the NAK path back is error free (its loss would add a
 * replay timeout with probability ~ p, a second-order p^2 effect on goodput).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ucie/ucie_internal.h"

/* CRC-16, x^16 + x^15 + x^2 + 1 = 0x8005, initial value 0, MSB first ([S1] §3.6).  The spec
 * computes it over a 128 B message with shorter messages zero-extended in the MSBs; with a
 * zero initial value leading zero bytes leave the register at 0, so the CRC of the short
 * message is the same. */
static const uint16_t crc_poly = 0x8005;

uint16_t sip_ucie_crc16(const uint8_t *msg, size_t n_bytes)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n_bytes; i++) {
        crc ^= (uint16_t)(msg[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ crc_poly) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* ---- deterministic RNG (xoshiro256**, seeded by splitmix64); state lives in the run ---- */
typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in (0, 1]. */
static double rng_uniform(rng_t *r)
{
    return ((double)(rng_next(r) >> 11) + 1.0) * 0x1p-53;
}

#define NEVER ((uint64_t)1 << 62)

/* Error-free bits before the next bit error (geometric, memoryless). */
static uint64_t error_gap(rng_t *r, double log_q)
{
    if (log_q >= 0.0)
        return NEVER;
    double g = floor(log(rng_uniform(r)) / log_q);
    return g >= (double)NEVER ? NEVER : (uint64_t)g;
}

/* Where each byte of the flit sits: its codeword and offset in that codeword's data or CRC. */
typedef struct {
    int n_bytes;
    int n_cw;
    int data_len[SIP__FLIT_MAX_CODEWORDS];
    signed char cw[256];     /* -1 = not covered */
    bool is_crc[256];
    short offset[256];       /* index into the codeword's data, or 0/1 for its CRC bytes */
    uint16_t table[256];     /* byte-wise CRC table */
} flit_map_t;

static void flit_map_build(const sip__flit_layout_t *l, flit_map_t *m)
{
    memset(m, 0, sizeof *m);
    int crc_seen[SIP__FLIT_MAX_CODEWORDS] = {0};
    for (int i = 0; i < l->n_regions; i++) {
        const sip__flit_region_t *reg = &l->regions[i];
        for (int b = 0; b < reg->bytes && m->n_bytes < 256; b++, m->n_bytes++) {
            int c = reg->codeword;
            m->cw[m->n_bytes] = (signed char)c;
            if (c < 0)
                continue;
            if (c + 1 > m->n_cw)
                m->n_cw = c + 1;
            if (reg->kind == SIP__FLIT_CRC) {
                m->is_crc[m->n_bytes] = true;
                m->offset[m->n_bytes] = (short)crc_seen[c]++;
            } else {
                m->offset[m->n_bytes] = (short)m->data_len[c]++;
            }
        }
    }
    for (int i = 0; i < 256; i++) {
        uint16_t crc = (uint16_t)(i << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ crc_poly) : (uint16_t)(crc << 1);
        m->table[i] = crc;
    }
}

static uint16_t crc_table(const flit_map_t *m, const uint8_t *msg, int n)
{
    uint16_t crc = 0;
    for (int i = 0; i < n; i++)
        crc = (uint16_t)((crc << 8) ^ m->table[((crc >> 8) ^ msg[i]) & 0xff]);
    return crc;
}

#define MAX_ERROR_BITS 64

/* Does the receiver reject a flit with these error bits?  Fills random codeword contents,
 * computes the CRC, flips the bits and checks again: 1 = detected, 0 = accepted with an
 * error (undetected), -1 = no error in a covered byte (harmless). */
static int flit_check(const flit_map_t *m, rng_t *r, const int *bits, int n_bits)
{
    bool hit[SIP__FLIT_MAX_CODEWORDS] = {false};
    for (int i = 0; i < n_bits; i++) {
        int c = m->cw[bits[i] / 8];
        if (c >= 0)
            hit[c] = true;
    }
    int result = -1;
    for (int c = 0; c < m->n_cw; c++) {
        if (!hit[c])
            continue;
        uint8_t data[256];
        for (int i = 0; i < m->data_len[c]; i++)
            data[i] = (uint8_t)rng_next(r);
        uint16_t crc = crc_table(m, data, m->data_len[c]);
        uint8_t crc_bytes[2] = {(uint8_t)(crc >> 8), (uint8_t)crc};
        for (int i = 0; i < n_bits; i++) {
            int byte = bits[i] / 8;
            if (m->cw[byte] != c)
                continue;
            uint8_t mask = (uint8_t)(0x80 >> (bits[i] % 8));
            if (m->is_crc[byte])
                crc_bytes[m->offset[byte]] ^= mask;
            else
                data[m->offset[byte]] ^= mask;
        }
        uint16_t got = (uint16_t)((crc_bytes[0] << 8) | crc_bytes[1]);
        if (crc_table(m, data, m->data_len[c]) != got)
            return 1;
        result = 0;
    }
    return result;
}

#define HIST_BINS 64

sip_status_t sip_ucie_replay_mc(const sip_ucie_params_t *p, uint64_t n_flits, uint64_t seed,
                                sip_ucie_replay_mc_t *out, sip_error_t *err)
{
    memset(out, 0, sizeof *out);
    sip_ucie_link_result_t lr;
    SIP_TRY(sip_ucie_eval(p, &lr, err));
    const sip__flit_layout_t *layout = sip__ucie_flit_layout(p->flit, p->protocol);
    int cw_bytes[SIP__FLIT_MAX_CODEWORDS];
    if (sip__ucie_codewords(layout, cw_bytes) == 0 || lr.replay_rtt_flits <= 0)
        return sip_error_set(err, SIP_EINVAL, NULL, 0,
                             "flit format %s has no CRC/replay (expected 68b or a 256b format)",
                             sip_flit_name(p->flit));
    flit_map_t *map = malloc(sizeof *map);
    const int R = lr.replay_rtt_flits;
    size_t ring = 1;
    while (ring < 2u * (size_t)R + 2u)
        ring <<= 1;
    uint64_t *first_sent = malloc(ring * sizeof *first_sent);
    if (!map || !first_sent) {
        free(map);
        free(first_sent);
        return sip_error_set(err, SIP_ENOMEM, NULL, 0, "replay Monte-Carlo: out of memory");
    }
    flit_map_build(layout, map);
    const uint64_t F = (uint64_t)map->n_bytes * 8u;
    const uint64_t mask = ring - 1;
    const double log_q = log1p(-lr.raw_ber);
    rng_t rng;
    rng_seed(&rng, seed);

    uint64_t hist[HIST_BINS] = {0};
    double sum_added = 0.0;
    uint64_t t = 0;        /* current flit slot */
    uint64_t send = 0;     /* sequence number the sender transmits in slot t */
    uint64_t max_sent = 0; /* sequence numbers below this have been sent at least once */
    uint64_t next_err = error_gap(&rng, log_q);
    uint64_t delivered = 0;

    while (delivered < n_flits) {
        /* Invariant: the receiver accepts in slot t and the sender sends `send`. */
        uint64_t e_slot = next_err / F;
        uint64_t run = e_slot > t ? e_slot - t : 0;
        if (run > n_flits - delivered)
            run = n_flits - delivered;
        if (run > 0) {
            /* Error-free stretch: resends first (they carry replay delay), then fresh flits. */
            uint64_t resends = max_sent > send ? max_sent - send : 0;
            if (resends > run)
                resends = run;
            for (uint64_t j = 0; j < resends; j++) {
                uint64_t added = (t + j) - first_sent[(send + j) & mask];
                uint64_t k = added / (uint64_t)R;
                hist[k < HIST_BINS ? k : HIST_BINS - 1]++;
                sum_added += (double)added;
            }
            hist[0] += run - resends;
            t += run;
            send += run;
            if (send > max_sent)
                max_sent = send;
            delivered += run;
            continue;
        }
        /* Slot t carries at least one bit error: collect them. */
        int bits[MAX_ERROR_BITS];
        int n_bits = 0;
        while (next_err < (t + 1) * F) {
            if (n_bits < MAX_ERROR_BITS)
                bits[n_bits++] = (int)(next_err - t * F);
            next_err += 1 + error_gap(&rng, log_q);
        }
        out->errored++;
        int check = flit_check(map, &rng, bits, n_bits);
        if (check <= 0) {
            /* Harmless (reserved bytes) or undetected: the receiver takes it as good. */
            if (check == 0)
                out->undetected++;
            uint64_t added = send < max_sent ? t - first_sent[send & mask] : 0;
            uint64_t k = added / (uint64_t)R;
            hist[k < HIST_BINS ? k : HIST_BINS - 1]++;
            sum_added += (double)added;
            t++;
            send++;
            if (send > max_sent)
                max_sent = send;
            delivered++;
            continue;
        }
        /* Detected: the receiver NAKs `send` and discards everything until the replay; the
         * sender keeps streaming send+1 .. send+R-1, then rewinds to `send` at slot t + R. */
        for (uint64_t j = 0; j < (uint64_t)R; j++) {
            uint64_t s = send + j;
            if (s >= max_sent) {
                first_sent[s & mask] = t + j;
                max_sent = s + 1;
            }
        }
        t += (uint64_t)R;
        /* Errors inside the discarded slots change nothing; the error process is memoryless,
         * so draw the next one afresh from the replay slot. */
        next_err = t * F + error_gap(&rng, log_q);
    }
    out->slots = t;
    out->delivered = delivered;
    out->goodput = t > 0 ? (double)delivered / (double)t : 1.0;
    out->mean_added_slots = delivered > 0 ? sum_added / (double)delivered : 0.0;
    uint64_t cum = 0;
    for (int k = 0; k < HIST_BINS; k++) {
        cum += hist[k];
        if ((double)cum >= 0.99 * (double)delivered) {
            out->p99_added_slots = (double)k * R;
            break;
        }
    }
    free(map);
    free(first_sent);
    return SIP_OK;
}
