/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsunagu list: the profiles you may use (yours and the system's). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"

static const char *state_of(GDBusConnection *bus, TsuProfile *p, char **owned)
{
        g_autoptr(TsuSession) s = cli_profile_session(bus, p);

        if (!s)
                return "disconnected";
        *owned = g_strdup(tsu_session_get_state(s));
        return *owned ? *owned : "unknown";
}

int cmd_list(int argc, char *argv[])
{
        static const struct option options[] = {
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(GPtrArray) list = NULL;
        bool json = false;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'h':
                        printf("Usage: %s list [--json]\n\nThe profiles you may use: yours and the "
                               "system's.\n",
                               cli_program);
                        return CLI_EXIT_OK;
                default:
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "Usage: %s list [--json]\n", cli_program);
                return CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)) || (r = cli_list_profiles(bus, m, &list)))
                return r;
        if (json) {
                g_autoptr(GString) s = g_string_new("{\"profiles\":[");

                for (guint i = 0; i < list->len; i++) {
                        TsuProfile *p = list->pdata[i];
                        g_autofree char *st = NULL;
                        const char *state = state_of(bus, p, &st);

                        g_string_append(s, i ? ",{\"name\":" : "{\"name\":");
                        cli_json_str(s, tsu_profile_get_name(p));
                        g_string_append(s, ",\"uuid\":");
                        cli_json_str(s, tsu_profile_get_uuid(p));
                        g_string_append(s, ",\"path\":");
                        cli_json_str(s, g_dbus_proxy_get_object_path(G_DBUS_PROXY(p)));
                        g_string_append(s, ",\"gateway\":");
                        cli_json_str(s, tsu_profile_get_gateway(p));
                        g_string_append(s, ",\"auth\":");
                        cli_json_str(s, tsu_profile_get_auth_method(p));
                        g_string_append(s, ",\"tunnel\":");
                        cli_json_str(s, tsu_profile_get_tunnel(p));
                        g_string_append_printf(s, ",\"system\":%s,\"owner\":%u,\"state\":",
                                               tsu_profile_get_system(p) ? "true" : "false",
                                               tsu_profile_get_owner(p));
                        cli_json_str(s, state);
                        g_string_append_c(s, '}');
                }
                g_string_append(s, "]}\n");
                fputs(s->str, stdout);
                return CLI_EXIT_OK;
        }
        if (list->len == 0) {
                printf("no profiles (add one with '%s import FILE')\n", cli_program);
                return CLI_EXIT_OK;
        }
        printf("%-32s %-36s %-8s %-13s %s\n", "NAME", "UUID", "SCOPE", "STATE", "GATEWAY");
        for (guint i = 0; i < list->len; i++) {
                TsuProfile *p = list->pdata[i];
                g_autofree char *st = NULL;

                printf("%-32s %-36s %-8s %-13s %s\n", tsu_profile_get_name(p),
                       tsu_profile_get_uuid(p), tsu_profile_get_system(p) ? "system" : "personal",
                       state_of(bus, p, &st), tsu_profile_get_gateway(p));
        }
        return CLI_EXIT_OK;
}
