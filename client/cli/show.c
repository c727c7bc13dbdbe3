/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsunagu show NAME: one profile's settings (never its secrets) and state. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"

int cmd_show(int argc, char *argv[])
{
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(TsuProfile) p = NULL;
        g_autoptr(TsuSession) s = NULL;
        g_autoptr(GVariant) data = NULL;
        g_auto(GStrv) warnings = NULL;
        g_autoptr(GError) error = NULL;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: %s show NAME|UUID\n\nPrints a profile (secrets are never "
                               "shown) and its session.\n",
                               cli_program);
                        return CLI_EXIT_OK;
                }
                return CLI_EXIT_USAGE;
        }
        if (optind != argc - 1) {
                fprintf(stderr, "Usage: %s show NAME|UUID\n", cli_program);
                return CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)) || (r = cli_find_profile(bus, m, argv[optind], &p)))
                return r;
        printf("name:         %s\n", tsu_profile_get_name(p));
        printf("uuid:         %s\n", tsu_profile_get_uuid(p));
        printf("scope:        %s\n", tsu_profile_get_system(p) ? "system" : "personal");
        printf("gateway:      %s port %u\n", tsu_profile_get_gateway(p), tsu_profile_get_port(p));
        printf("auth:         %s\n", tsu_profile_get_auth_method(p));
        if (*tsu_profile_get_eap_identity(p))
                printf("identity:     %s\n", tsu_profile_get_eap_identity(p));
        printf("tunnel:       %s\n", tsu_profile_get_tunnel(p));
        printf("secrets:      %s\n", tsu_profile_get_has_secrets(p) ? "stored" : "none stored");
        printf("password:     %s\n",
               tsu_profile_get_needs_password(p) ? "asked when connecting" : "not needed");
        s = cli_profile_session(bus, p);
        printf("state:        %s\n", s ? tsu_session_get_state(s) : "disconnected");
        if (s) {
                GVariant *le = tsu_session_get_last_error(s);
                const char *reason = "", *msg = "";

                if (le)
                        g_variant_get(le, "(&s&s)", &reason, &msg);
                if (*reason)
                        printf("last error:   %s: %s\n", reason, msg);
        }
        if (!tsu_profile_call_export_sync(p, "keyfile", &data, &warnings, NULL, &error))
                return cli_error("show", error);
        {
                gsize len;
                const char *text = g_variant_get_fixed_array(data, &len, 1);

                printf("\n");
                fwrite(text, 1, len, stdout);
        }
        return CLI_EXIT_OK;
}
