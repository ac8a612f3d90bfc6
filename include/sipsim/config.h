/* sipsim — loading chiplet and package files (libconfig), schema help.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef SIPSIM_CONFIG_H
#define SIPSIM_CONFIG_H

#include "sipsim/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /* Extra chiplet library directories (-L), searched first, in order. */
    const char *const *library_dirs;
    int n_library_dirs;
    /* Skip the chiplets/ folders beside the package file and the installed data dir. */
    bool no_default_dirs;
} sip_load_options_t;

/* Load a package file and every chiplet type it uses.  Errors: "path:line: message". */
SIP_EXPORT sip_status_t sip_package_load(const char *path, const sip_load_options_t *options,
                                         sip_package_t **out, sip_error_t *err);
/* Same from text in memory; `path` names it in errors and anchors the chiplet search. */
SIP_EXPORT sip_status_t sip_package_load_string(const char *text, const char *path,
                                                const sip_load_options_t *options,
                                                sip_package_t **out, sip_error_t *err);
/* Load one chiplet type file; its name is the file stem. */
SIP_EXPORT sip_status_t sip_chiplet_load(const char *path, sip_chiplet_type_t *out, sip_error_t *err);

/* Cost a package at an assembly/test site by name (`sipsim cost --site`): sets cost.site and
 * reads the site catalogue (sites/NAME.cfg beside the package file, its parent and grandparent
 * folders, then the installed data folder).  An unknown name is SIP_EINVAL listing the sites. */
SIP_EXPORT sip_status_t sip_package_load_sites(sip_package_t *pkg, const char *site,
                                               sip_error_t *err);

/* Schema documentation generated from the schema tables: NULL-terminated group names, and a
 * malloc'd text for one group (NULL + ENOTFOUND for an unknown group). */
SIP_EXPORT const char *const *sip_help_groups(void);
SIP_EXPORT sip_status_t sip_help_text(const char *group, char **out, sip_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
