/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsunagu remove NAME: deletes one of your profiles (or, as an administrator,
 * a system one). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "client.h"

int cmd_remove(int argc, char *argv[])
{
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(TsuProfile) p = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *name = NULL;
        int r;

        if (argc != 2 || argv[1][0] == '-') {
                fprintf(argc == 2 && g_str_equal(argv[1], "--help") ? stdout : stderr,
                        "Usage: %s remove NAME|UUID\n", cli_program);
                return argc == 2 && g_str_equal(argv[1], "--help") ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)) || (r = cli_find_profile(bus, m, argv[1], &p)))
                return r;
        name = g_strdup(tsu_profile_get_name(p));
        if (!tsu_profile_call_remove_sync(p, NULL, &error))
                return cli_error("remove", error);
        printf("removed '%s'\n", name);
        return CLI_EXIT_OK;
}
