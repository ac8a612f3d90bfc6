/* UCIe reach and module width as the design rules use them.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Until include/sipsim/ucie.h exposes these, they live here, in one table.
 */
#include "check/check_internal.h"

static const struct {
    double module_width_mm; /* facts.md §1.2, UCIe 1.0 Table 29 [S1]: 571.5 um / 388.8 um */
    double reach_mm;        /* facts.md §1.2, UCIe 1.0 [S1]: standard long reach 25 mm, advanced 2 mm */
} limits[SIP_UCIE_PACKAGE_COUNT] = {
    [SIP_UCIE_STANDARD] = {0.5715, 25.0},
    [SIP_UCIE_ADVANCED] = {0.3888, 2.0},
};

double sip__check_module_width_mm(sip_ucie_package_t package)
{
    return limits[package].module_width_mm;
}

double sip__check_reach_mm(sip_ucie_package_t package)
{
    return limits[package].reach_mm;
}
