/* Internals of src/check.  SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_CHECK_INTERNAL_H
#define SIPSIM_CHECK_INTERNAL_H

#include "sipsim/model.h"

/* UCIe figures the rules compare against, per package type. */
double sip__check_module_width_mm(sip_ucie_package_t package);
double sip__check_reach_mm(sip_ucie_package_t package);

#endif
