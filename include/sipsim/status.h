/* sipsim — status codes and error context.  SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_STATUS_H
#define SIPSIM_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SIP_EXPORT __attribute__((visibility("default")))
#define SIP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIP_EXPORT
#define SIP_PRINTF(f, a)
#endif

/* One table for every status code and its text (libuv-style X-macro). */
#define SIP_STATUS_MAP(X)                                               \
    X(OK, "ok")                                                         \
    X(ENOMEM, "out of memory")                                          \
    X(EIO, "cannot read or write file")                                 \
    X(EPARSE, "syntax error")                                           \
    X(EINVAL, "invalid value")                                          \
    X(ENOTFOUND, "not found")                                           \
    X(ELIMIT, "limit exceeded")                                         \
    X(ECHECK, "design rule violation")                                  \
    X(ENUMERIC, "numerical failure")                                    \
    X(EINTERRUPTED, "interrupted")                                      \
    X(EUNSUPPORTED, "not supported in this build")                      \
    X(EINTERNAL, "internal error")

typedef enum {
#define SIP_STATUS_ENUM(name, text) SIP_##name,
    SIP_STATUS_MAP(SIP_STATUS_ENUM)
#undef SIP_STATUS_ENUM
    SIP_STATUS_COUNT
} sip_status_t;

#define SIP_PATH_MAX 512
#define SIP_MESSAGE_MAX 512

/* Where and why a call failed: rendered as "path:line: message". line 0 = no line. */
typedef struct {
    sip_status_t status;
    char path[SIP_PATH_MAX];
    int line;
    char message[SIP_MESSAGE_MAX];
} sip_error_t;

SIP_EXPORT const char *sip_status_str(sip_status_t status);

/* Fill err (if not NULL) and return status, so callers can write `return sip_error_set(...)`. */
SIP_EXPORT sip_status_t sip_error_set(sip_error_t *err, sip_status_t status, const char *path,
                                      int line, const char *fmt, ...) SIP_PRINTF(5, 6);
SIP_EXPORT void sip_error_clear(sip_error_t *err);
/* "path:line: message" (parts omitted when empty); returns the length it wanted, like snprintf. */
SIP_EXPORT int sip_error_format(const sip_error_t *err, char *buf, size_t size);

/* Free memory the library handed out to the caller (JSON text of sip_evaluate_json and the
 * like); NULL is fine. */
SIP_EXPORT void sip_free(void *p);

/* Return-on-error for calls with nothing to clean up. */
#define SIP_TRY(expr)                                                   \
    do {                                                                \
        sip_status_t sip_try_status_ = (expr);                          \
        if (sip_try_status_ != SIP_OK)                                  \
            return sip_try_status_;                                     \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif
