/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsunagu disconnect [NAME]: one tunnel, or every tunnel of yours. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"

static bool active(const char *st)
{
        return st && strcmp(st, "disconnected") != 0 && strcmp(st, "failed") != 0;
}

static bool inactive(const char *st)
{
        return !active(st);
}

/* Disconnect returns at once; the tunnel is down (DELETE answered, the
 * platform reverted) when State says so. */
static int down(GDBusConnection *bus, TsuProfile *p)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(TsuSession) s = NULL;

        if (!tsu_profile_call_disconnect_sync(p, NULL, &error))
                return cli_error("disconnect", error);
        s = cli_profile_session(bus, p);
        if (s && !cli_session_wait(s, 30, inactive)) {
                fprintf(stderr, "%s disconnect: '%s' still %s after 30 s\n", cli_program,
                        tsu_profile_get_name(p), tsu_session_get_state(s));
                return CLI_EXIT_FAILURE;
        }
        printf("disconnected '%s'\n", tsu_profile_get_name(p));
        return CLI_EXIT_OK;
}

int cmd_disconnect(int argc, char *argv[])
{
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(GPtrArray) list = NULL;
        unsigned n = 0;
        int r;

        if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
                bool h = argc == 2 && strcmp(argv[1], "--help") == 0;

                fprintf(h ? stdout : stderr, "Usage: %s disconnect [NAME|UUID]\n", cli_program);
                return h ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)))
                return r;
        if (argc == 2) {
                g_autoptr(TsuProfile) p = NULL;

                if ((r = cli_find_profile(bus, m, argv[1], &p)))
                        return r;
                return down(bus, p);
        }
        if ((r = cli_list_profiles(bus, m, &list)))
                return r;
        for (guint i = 0; i < list->len; i++) {
                TsuProfile *p = list->pdata[i];
                g_autoptr(TsuSession) s = cli_profile_session(bus, p);

                if (!s || !active(tsu_session_get_state(s)))
                        continue;
                if ((r = down(bus, p)))
                        return r;
                n++;
        }
        if (n == 0)
                printf("nothing to disconnect\n");
        return CLI_EXIT_OK;
}
