/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/version.h"

const char *sip_version_string(void)
{
    return SIP_VERSION_STRING;
}

int sip_version_number(void)
{
    return SIP_VERSION_NUMBER;
}
