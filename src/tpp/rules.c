/* The BIS rule tables for ECCN 3A090: one table per rule version, clauses in the order the rule
 * resolves them (which is also their strictness, earlier = stricter).  A new rule is a new
 * table and one row in `rules[]`.  Every threshold and comparison is quoted from facts.md §2,
 * which quotes the Federal Register text as read on govinfo.gov by [S20] (file id
 * 60398310390, "逐字核对") and the CSET explainer [S21]; facts.md marks these "P-via-quote".
 * `verified = true` means exactly that: the threshold is a verbatim quote of the rule text in
 * a source that states it checked the primary text; nothing here was read on ecfr.gov by us.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "sipsim/tpp.h"

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* 87 FR 62186 (7 Oct 2022), 3A090.a: "aggregate bidirectional transfer rate over all inputs and
 * outputs of 600 Gbyte/s or more ... and ... bit length per operation multiplied by processing
 * performance measured in TOPS ... of 4800 or more" (facts.md §2.2).  Both "or more": >=.
 * The 2022 rule has no datacenter distinction. */
static const sip_clause_t bis_2022[] = {
    {.name = "3A090.a (2022)", .consequence = "licence required (China, Macau; 87 FR 62186)",
     .scope = SIP_SCOPE_ANY, .n_conditions = 2,
     .conditions = {{SIP_METRIC_TPP, SIP_CMP_GE, 4800.0}, {SIP_METRIC_IO_GBPS, SIP_CMP_GE, 600.0}},
     .source = "87 FR 62186, 3A090.a and a.1 (facts.md §2.2 [S20])", .verified = true},
};

/* 88 FR 73458 (17 Nov 2023) as amended (facts.md §2.4):
 *   a.1: TPP >= 4800;  a.2: TPP >= 1600 and PD >= 5.92;
 *   b.1: 2400 <= TPP < 4800 and 1.6 <= PD < 5.92;  b.2: TPP >= 1600 and 3.2 <= PD < 5.92.
 * Note 2 to 3A090: items "not designed or marketed for use in datacenters" with TPP < 4800 are
 * outside 3A090, so a.2/b.1/b.2 apply to datacenter items only; a non-datacenter a.1 item is
 * eligible for License Exception NAC/ACA.  Licence consequences from the same table. */
static const sip_clause_t bis_2023[] = {
    {.name = "3A090.a.1",
     .consequence = "licence required (D:1, D:4, D:5 destinations; D:5/Macau-headquartered entities)",
     .scope = SIP_SCOPE_DATACENTER, .n_conditions = 1,
     .conditions = {{SIP_METRIC_TPP, SIP_CMP_GE, 4800.0}},
     .source = "88 FR 73458, 3A090.a.1 (facts.md §2.4 [S20])", .verified = true},
    {.name = "3A090.a.1",
     .consequence = "License Exception NAC/ACA eligible (not designed or marketed for datacenters)",
     .scope = SIP_SCOPE_NON_DATACENTER, .n_conditions = 1,
     .conditions = {{SIP_METRIC_TPP, SIP_CMP_GE, 4800.0}},
     .source = "88 FR 73458, 3A090.a.1, Note 2 to 3A090, NAC paragraph (facts.md §2.4 [S20])",
     .verified = true},
    {.name = "3A090.a.2",
     .consequence = "licence required (D:1, D:4, D:5 destinations; D:5/Macau-headquartered entities)",
     .scope = SIP_SCOPE_DATACENTER, .n_conditions = 2,
     .conditions = {{SIP_METRIC_TPP, SIP_CMP_GE, 1600.0}, {SIP_METRIC_PD, SIP_CMP_GE, 5.92}},
     .source = "88 FR 73458, 3A090.a.2 (facts.md §2.4 [S20])", .verified = true},
    {.name = "3A090.b.1", .consequence = "License Exception NAC/ACA eligible (datacenter item)",
     .scope = SIP_SCOPE_DATACENTER, .n_conditions = 4,
     .conditions = {{SIP_METRIC_TPP, SIP_CMP_GE, 2400.0}, {SIP_METRIC_TPP, SIP_CMP_LT, 4800.0},
                    {SIP_METRIC_PD, SIP_CMP_GE, 1.6}, {SIP_METRIC_PD, SIP_CMP_LT, 5.92}},
     .source = "88 FR 73458, 3A090.b.1 (facts.md §2.4 [S20])", .verified = true},
    {.name = "3A090.b.2", .consequence = "License Exception NAC/ACA eligible (datacenter item)",
     .scope = SIP_SCOPE_DATACENTER, .n_conditions = 3,
     .conditions = {{SIP_METRIC_TPP, SIP_CMP_GE, 1600.0}, {SIP_METRIC_PD, SIP_CMP_GE, 3.2},
                    {SIP_METRIC_PD, SIP_CMP_LT, 5.92}},
     .source = "88 FR 73458, 3A090.b.2 (facts.md §2.4 [S20])", .verified = true},
};

/* 89 FR 96790 (2 Dec 2024), 3A090.c: "High bandwidth memory (HBM) having a 'memory bandwidth
 * density' greater than 2 gigabytes per second per square millimeter" (strict >).  Technical
 * note: density = memory bandwidth / package or stack area.  HBM co-packaged with a logic IC
 * whose primary function is logic processing is excluded, but "this control does include HBM
 * permanently affixed to a logic integrated circuit designed as a control interface and
 * incorporating a physical layer (PHY) function" (the rule text as quoted by CSIS, stored file
 * id 203910835; facts.md §2.5 [S20]).  So the exclusion is "a logic-processing die in the
 * package" (SIP_METRIC_PROCESSING_DIES >= 1), not "any logic die": a base die or controller
 * with a PHY does not lift the control. */
static const sip_clause_t bis_2024_hbm[] = {
    {.name = "3A090.c", .consequence = "licence required (89 FR 96790)",
     .scope = SIP_SCOPE_ANY, .n_conditions = 2,
     .conditions = {{SIP_METRIC_HBM_DENSITY, SIP_CMP_GT, 2.0},
                    {SIP_METRIC_PROCESSING_DIES, SIP_CMP_LT, 1.0}},
     .source = "89 FR 96790, 3A090.c, its technical note and note (facts.md §2.5 [S20]; CSIS "
               "quote of the note, file id 203910835)",
     .verified = true},
};

/* §740.25 License Exception HBM: only for 3A090.c items with memory bandwidth density below
 * 3.3 GB/s/mm2 ("HBM at equal to or greater than this parameter ... are of greater
 * sensitivity", [S20] §1.4).  Its other conditions concern who exports, to which packaging
 * site and for what end use ([S20] §1.4: sites owned and operated by US or qualifying
 * parties); the package model has no parties, so they are listed as not evaluated. */
static const sip_exception_t bis_2024_hbm_exceptions[] = {
    {.name = "License Exception HBM (15 CFR 740.25)", .clause = 0, .n_conditions = 1,
     .conditions = {{SIP_METRIC_HBM_DENSITY, SIP_CMP_LT, 3.3}},
     .n_unevaluated = 2,
     .unevaluated = {"exporter and packaging site eligibility (owned and operated by US or "
                     "qualifying parties)",
                     "end-use and end-user conditions of 740.25"},
     .source = "89 FR 96790, 15 CFR 740.25 (facts.md §2.5 [S20])", .verified = true},
};

static const sip_rule_t rules[] = {
    {.id = "bis-2022", .title = "BIS October 2022 (TPP and I/O bandwidth)",
     .citation = "87 FR 62186, 13 Oct 2022, FR Doc 2022-21658 (facts.md §2.2)",
     .uncontrolled = "not 3A090 (2022)", .n_clauses = N_OF(bis_2022), .clauses = bis_2022,
     .published = "2022-10-13", .effective = "2022-10-07",
     .source = "facts.md §2.1-2.2 [S20][S22]"},
    {.id = "bis-2023", .title = "BIS October 2023 (TPP and performance density)",
     .citation = "88 FR 73458, 25 Oct 2023, FR Doc 2023-23055, as amended by 89 FR 23876 (facts.md §2.3-2.4)",
     .uncontrolled = "not 3A090", .n_clauses = N_OF(bis_2023), .clauses = bis_2023,
     .published = "2023-10-25", .effective = "2023-11-17",
     .source = "facts.md §2.1, §2.3-2.4 [S20][S21]"},
    {.id = "bis-2024-hbm", .title = "BIS December 2024 (HBM memory bandwidth density)",
     .citation = "89 FR 96790, 5 Dec 2024, FR Doc 2024-28270 (facts.md §2.5)",
     .uncontrolled = "not 3A090.c", .n_clauses = N_OF(bis_2024_hbm), .clauses = bis_2024_hbm,
     .published = "2024-12-05", .effective = "2024-12-02",
     .source = "facts.md §2.1, §2.5 [S20]",
     .n_exceptions = N_OF(bis_2024_hbm_exceptions), .exceptions = bis_2024_hbm_exceptions},
};

_Static_assert(N_OF(rules) <= SIP_TPP_MAX_RULES, "raise SIP_TPP_MAX_RULES");

int sip_tpp_rule_count(void)
{
    return N_OF(rules);
}

const sip_rule_t *sip_tpp_rule(int index)
{
    return (index >= 0 && index < sip_tpp_rule_count()) ? &rules[index] : NULL;
}

int sip_tpp_rule_find(const char *id)
{
    for (int i = 0; i < sip_tpp_rule_count(); i++)
        if (strcmp(rules[i].id, id) == 0)
            return i;
    return -1;
}
