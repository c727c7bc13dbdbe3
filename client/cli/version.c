/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsunagu version: the version and the optional features this build has. */
#include <stdio.h>

#include "cli.h"

int cmd_version(int argc, char *argv[])
{
        if (argc > 1) {
                fprintf(stderr, "Usage: %s version\n", cli_program);
                return CLI_EXIT_USAGE;
        }
        printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        printf("profiles: tsunagu keyfile, .mobileconfig (XML, binary, CMS-signed)%s\n",
#if HAVE_JSON_GLIB
               ", .sswan"
#else
               "; .sswan not built (no json-glib)"
#endif
        );
        return CLI_EXIT_OK;
}
