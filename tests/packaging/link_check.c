/* A program as a user of the installed library writes it: load the shipped default package
 * and print the library's version and the package's instance count.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <sipsim.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (strcmp(sip_version_string(), SIP_VERSION_STRING) != 0 ||
        sip_version_number() != SIP_VERSION_NUMBER) {
        fprintf(stderr, "header version %s, library %s\n", SIP_VERSION_STRING, sip_version_string());
        return 1;
    }
    sip_error_t err;
    sip_package_t *pkg = NULL;
    if (sip_package_load(argv[1], NULL, &pkg, &err) != SIP_OK) {
        char msg[1024];
        sip_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    printf("%s %d\n", sip_version_string(), pkg->n_instances);
    sip_package_destroy(pkg);
    return 0;
}
