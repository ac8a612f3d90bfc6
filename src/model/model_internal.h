/* Internals of src/model shared with the engines that take a code-built package.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_MODEL_INTERNAL_H
#define SIPSIM_MODEL_INTERNAL_H

#include "sipsim/model.h"

/* Indices the loader guarantees and code-built packages may break, checked before they are used
 * (path:line errors, SIP_EINVAL).  Instance I: its chiplet type exists and it is attached to
 * nothing or to another, unattached instance. */
sip_status_t sip__instance_check_indices(const sip_package_t *pkg, int i, sip_error_t *err);

/* End E (0: from, 1: to) of link K names an existing instance and one of its type's ports. */
sip_status_t sip__link_check_end(const sip_package_t *pkg, int k, int e, sip_error_t *err);

#endif
