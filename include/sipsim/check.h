/* sipsim — design-rule checks on a composed package.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each rule looks at the package model (geometry, UCIe ports and links, power) and reports
 * findings: a rule id, a severity, the file:line of the offending setting and a message.
 * A finding is a property of the design, not a failure of the call: sip_check_run() returns
 * SIP_OK when it could evaluate the rules, whatever they found.
 */
#ifndef SIPSIM_CHECK_H
#define SIPSIM_CHECK_H

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SIP_SEVERITY_ERROR, SIP_SEVERITY_WARNING, SIP_SEVERITY_COUNT } sip_severity_t;

typedef struct {
    const char *rule;        /* rule id, a static string from the registry ("overlap", ...) */
    sip_severity_t severity;
    char path[SIP_PATH_MAX]; /* file holding the offending setting ("" when unknown) */
    int line;                /* its line (0 when unknown) */
    char message[SIP_MESSAGE_MAX];
} sip_finding_t;

typedef struct {
    int n_findings;
    sip_finding_t *findings; /* errors first, then warnings; each group in rule order */
    int n_errors;
    int n_warnings;
    int n_rules_run;         /* rows of the registry evaluated */
} sip_check_result_t;

/* One row of the rule registry, for documentation and `sipsim check --rules`. */
typedef struct {
    const char *id;
    sip_severity_t severity;
    const char *summary;
} sip_check_rule_info_t;

SIP_EXPORT const char *sip_severity_name(sip_severity_t severity);

/* Number of rules and the i-th rule's id, severity and one-line summary. */
SIP_EXPORT int sip_check_rule_count(void);
SIP_EXPORT const sip_check_rule_info_t *sip_check_rule(int index);

/* Run every rule on pkg.  *out is owned by the caller (sip_check_result_destroy).
 * Fails only for ENOMEM or a structurally broken model (indices out of range: EINVAL). */
SIP_EXPORT sip_status_t sip_check_run(const sip_package_t *pkg, sip_check_result_t **out,
                                      sip_error_t *err);
SIP_EXPORT void sip_check_result_destroy(sip_check_result_t *result);

/* Findings of one rule (NULL-safe): count of findings whose id equals rule. */
SIP_EXPORT int sip_check_result_count(const sip_check_result_t *result, const char *rule);

/* JSON text of a result, {"errors": N, "warnings": N, "findings": [...]} (malloc'd). */
SIP_EXPORT sip_status_t sip_check_result_to_json(const sip_check_result_t *result, char **out,
                                                 sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
