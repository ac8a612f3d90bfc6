/* The BIS rule tables for ECCN 3A090: one table per rule, clauses in the order the rule resolves
 * them.  A new rule is a new table and one row in `rules[]`.  Every threshold and comparison is
 * quoted from facts.md §2 (which quotes the Federal Register via [S20] and CSET [S21]).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "sipsim/tpp.h"

/* 87 FR 62186 (7 Oct 2022), 3A090.a: "aggregate bidirectional transfer rate over all inputs and
 * outputs of 600 Gbyte/s or more ... and ... bit length per operation multiplied by processing
 * performance measured in TOPS ... of 4800 or more" (facts.md §2.2).  Both "or more": >=.
 * The 2022 rule has no datacenter distinction. */
static const sip_clause_t bis_2022[] = {
    {"3A090.a (2022)", "licence required (China, Macau; 87 FR 62186)", SIP_SCOPE_ANY, 2,
     {{SIP_METRIC_TPP, SIP_CMP_GE, 4800.0}, {SIP_METRIC_IO_GBPS, SIP_CMP_GE, 600.0}}},
};

/* 88 FR 73458 (17 Nov 2023) as amended (facts.md §2.4):
 *   a.1: TPP >= 4800;  a.2: TPP >= 1600 and PD >= 5.92;
 *   b.1: 2400 <= TPP < 4800 and 1.6 <= PD < 5.92;  b.2: TPP >= 1600 and 3.2 <= PD < 5.92.
 * Note 2 to 3A090: items "not designed or marketed for use in datacenters" with TPP < 4800 are
 * outside 3A090, so a.2/b.1/b.2 apply to datacenter items only; a non-datacenter a.1 item is
 * eligible for License Exception NAC/ACA.  Licence consequences from the same table. */
static const sip_clause_t bis_2023[] = {
    {"3A090.a.1", "licence required (D:1, D:4, D:5 destinations; D:5/Macau-headquartered entities)",
     SIP_SCOPE_DATACENTER, 1, {{SIP_METRIC_TPP, SIP_CMP_GE, 4800.0}}},
    {"3A090.a.1", "License Exception NAC/ACA eligible (not designed or marketed for datacenters)",
     SIP_SCOPE_NON_DATACENTER, 1, {{SIP_METRIC_TPP, SIP_CMP_GE, 4800.0}}},
    {"3A090.a.2", "licence required (D:1, D:4, D:5 destinations; D:5/Macau-headquartered entities)",
     SIP_SCOPE_DATACENTER, 2,
     {{SIP_METRIC_TPP, SIP_CMP_GE, 1600.0}, {SIP_METRIC_PD, SIP_CMP_GE, 5.92}}},
    {"3A090.b.1", "License Exception NAC/ACA eligible (datacenter item)", SIP_SCOPE_DATACENTER, 4,
     {{SIP_METRIC_TPP, SIP_CMP_GE, 2400.0}, {SIP_METRIC_TPP, SIP_CMP_LT, 4800.0},
      {SIP_METRIC_PD, SIP_CMP_GE, 1.6}, {SIP_METRIC_PD, SIP_CMP_LT, 5.92}}},
    {"3A090.b.2", "License Exception NAC/ACA eligible (datacenter item)", SIP_SCOPE_DATACENTER, 3,
     {{SIP_METRIC_TPP, SIP_CMP_GE, 1600.0}, {SIP_METRIC_PD, SIP_CMP_GE, 3.2},
      {SIP_METRIC_PD, SIP_CMP_LT, 5.92}}},
};

/* 89 FR 96790 (2 Dec 2024), 3A090.c: HBM with a 'memory bandwidth density' "greater than 2
 * gigabytes per second per square millimeter" (strict >); HBM co-packaged with a logic IC whose
 * primary function is logic is excluded — modelled as "the package holds no logic die".
 * License Exception HBM (§740.25) only below 3.3 GB/s/mm2 (facts.md §2.5). */
static const sip_clause_t bis_2024_hbm[] = {
    {"3A090.c", "licence required; License Exception HBM eligible (density < 3.3 GB/s/mm2)",
     SIP_SCOPE_ANY, 3,
     {{SIP_METRIC_HBM_DENSITY, SIP_CMP_GT, 2.0}, {SIP_METRIC_HBM_DENSITY, SIP_CMP_LT, 3.3},
      {SIP_METRIC_LOGIC_DIES, SIP_CMP_LT, 1.0}}},
    {"3A090.c", "licence required (density >= 3.3 GB/s/mm2: no License Exception HBM)",
     SIP_SCOPE_ANY, 2,
     {{SIP_METRIC_HBM_DENSITY, SIP_CMP_GT, 2.0}, {SIP_METRIC_LOGIC_DIES, SIP_CMP_LT, 1.0}}},
};

static const sip_rule_t rules[] = {
    {"bis-2022", "BIS October 2022 (TPP and I/O bandwidth)",
     "87 FR 62186, 13 Oct 2022, FR Doc 2022-21658 (facts.md §2.2)", "not 3A090 (2022)",
     (int)(sizeof bis_2022 / sizeof bis_2022[0]), bis_2022},
    {"bis-2023", "BIS October 2023 (TPP and performance density)",
     "88 FR 73458, 25 Oct 2023, FR Doc 2023-23055, as amended by 89 FR 23876 (facts.md §2.3-2.4)",
     "not 3A090", (int)(sizeof bis_2023 / sizeof bis_2023[0]), bis_2023},
    {"bis-2024-hbm", "BIS December 2024 (HBM memory bandwidth density)",
     "89 FR 96790, 5 Dec 2024, FR Doc 2024-28270 (facts.md §2.5)", "not 3A090.c",
     (int)(sizeof bis_2024_hbm / sizeof bis_2024_hbm[0]), bis_2024_hbm},
};

int sip_tpp_rule_count(void)
{
    return (int)(sizeof rules / sizeof rules[0]);
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
