/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu status [--json]: every session you may see. The JSON form is
 * stable for scripts:
 *
 *   {"sessions":[{"profile":NAME,"uuid":UUID,"path":PATH,"state":STATE,
 *     "error":{"reason":R,"message":M},"gateway":"A:P","interface":"tsu0",
 *     "virtual_ips":[..],"dns":[..],"routes":[..],"connected_since":UNIX,
 *     "counters":{"bytes-in":N,...}}]}
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client.h"

static void json_session(GString *s, TsuProfile *p, TsuSession *x)
{
        GVariant *le = tsu_session_get_last_error(x);
        GVariant *ctr = tsu_session_get_counters(x);
        const char *reason = "", *msg = "";

        if (le)
                g_variant_get(le, "(&s&s)", &reason, &msg);
        g_string_append(s, "{\"profile\":");
        cli_json_str(s, tsu_profile_get_name(p));
        g_string_append(s, ",\"uuid\":");
        cli_json_str(s, tsu_profile_get_uuid(p));
        g_string_append(s, ",\"path\":");
        cli_json_str(s, g_dbus_proxy_get_object_path(G_DBUS_PROXY(x)));
        g_string_append(s, ",\"state\":");
        cli_json_str(s, tsu_session_get_state(x));
        g_string_append(s, ",\"error\":{\"reason\":");
        cli_json_str(s, reason);
        g_string_append(s, ",\"message\":");
        cli_json_str(s, msg);
        g_string_append(s, "},\"gateway\":");
        cli_json_str(s, tsu_session_get_gateway(x));
        g_string_append(s, ",\"interface\":");
        cli_json_str(s, tsu_session_get_interface(x));
        g_string_append(s, ",\"virtual_ips\":");
        cli_json_strv(s, tsu_session_get_virtual_ips(x));
        g_string_append(s, ",\"dns\":");
        cli_json_strv(s, tsu_session_get_dns(x));
        g_string_append(s, ",\"routes\":");
        cli_json_strv(s, tsu_session_get_routes(x));
        g_string_append_printf(s, ",\"connected_since\":%" G_GUINT64_FORMAT ",\"counters\":{",
                               tsu_session_get_connected_since(x));
        if (ctr) {
                GVariantIter it;
                const char *k;
                guint64 v;
                bool first = true;

                g_variant_iter_init(&it, ctr);
                while (g_variant_iter_next(&it, "{&st}", &k, &v)) {
                        if (!first)
                                g_string_append_c(s, ',');
                        first = false;
                        cli_json_str(s, k);
                        g_string_append_printf(s, ":%" G_GUINT64_FORMAT, v);
                }
        }
        g_string_append(s, "}}");
}

static void text_session(TsuProfile *p, TsuSession *x)
{
        GVariant *le = tsu_session_get_last_error(x);
        GVariant *ctr = tsu_session_get_counters(x);
        const char *reason = "", *msg = "";
        const char *const *v;

        if (le)
                g_variant_get(le, "(&s&s)", &reason, &msg);
        printf("%s: %s\n", tsu_profile_get_name(p), tsu_session_get_state(x));
        if (*reason)
                printf("  error:      %s: %s\n", reason, msg);
        if (*tsu_session_get_gateway(x))
                printf("  gateway:    %s\n", tsu_session_get_gateway(x));
        if (*tsu_session_get_interface(x))
                printf("  interface:  %s\n", tsu_session_get_interface(x));
        for (v = tsu_session_get_virtual_ips(x); v && *v; v++)
                printf("  address:    %s\n", *v);
        for (v = tsu_session_get_dns(x); v && *v; v++)
                printf("  dns:        %s\n", *v);
        for (v = tsu_session_get_routes(x); v && *v; v++)
                printf("  route:      %s\n", *v);
        if (tsu_session_get_connected_since(x)) {
                time_t t = (time_t)tsu_session_get_connected_since(x);
                char buf[64];

                strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", localtime(&t));
                printf("  since:      %s\n", buf);
        }
        if (ctr) {
                GVariantIter it;
                const char *k;
                guint64 n;

                g_variant_iter_init(&it, ctr);
                while (g_variant_iter_next(&it, "{&st}", &k, &n))
                        printf("  %-11s %" G_GUINT64_FORMAT "\n", k, n);
        }
}

int cmd_status(int argc, char *argv[])
{
        static const struct option options[] = {
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(GPtrArray) list = NULL;
        g_autoptr(GString) json = NULL;
        unsigned n = 0;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'j':
                        json = g_string_new("{\"sessions\":[");
                        break;
                case 'h':
                        printf("Usage: %s status [--json]\n", cli_program);
                        return CLI_EXIT_OK;
                default:
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "Usage: %s status [--json]\n", cli_program);
                return CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)) || (r = cli_list_profiles(bus, m, &list)))
                return r;
        for (guint i = 0; i < list->len; i++) {
                TsuProfile *p = list->pdata[i];
                g_autoptr(TsuSession) x = cli_profile_session(bus, p);

                /* A session of a system profile that someone else started is
                 * not ours to see. */
                if (!x || !tsu_session_get_state(x))
                        continue;
                if (json) {
                        if (n)
                                g_string_append_c(json, ',');
                        json_session(json, p, x);
                } else
                        text_session(p, x);
                n++;
        }
        if (json) {
                g_string_append(json, "]}\n");
                fputs(json->str, stdout);
        } else if (n == 0)
                printf("no sessions\n");
        return CLI_EXIT_OK;
}
