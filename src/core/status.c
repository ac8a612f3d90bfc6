/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sipsim/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_texts[] = {
#define SIP_STATUS_TEXT(name, text) text,
    SIP_STATUS_MAP(SIP_STATUS_TEXT)
#undef SIP_STATUS_TEXT
};

const char *sip_status_str(sip_status_t status)
{
    if ((unsigned)status >= SIP_STATUS_COUNT)
        return "unknown status";
    return status_texts[status];
}

sip_status_t sip_error_set(sip_error_t *err, sip_status_t status, const char *path, int line,
                           const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    err->line = line;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void sip_error_clear(sip_error_t *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int sip_error_format(const sip_error_t *err, char *buf, size_t size)
{
    if (!err)
        return snprintf(buf, size, "%s", "");
    const char *msg = err->message[0] ? err->message : sip_status_str(err->status);
    if (err->path[0] && err->line > 0)
        return snprintf(buf, size, "%s:%d: %s", err->path, err->line, msg);
    if (err->path[0])
        return snprintf(buf, size, "%s: %s", err->path, msg);
    return snprintf(buf, size, "%s", msg);
}

void sip_free(void *p)
{
    free(p);
}
