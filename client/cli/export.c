/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsunagu export NAME [--format keyfile|sswan]: the profile, without secrets. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"

int cmd_export(int argc, char *argv[])
{
        static const struct option options[] = {
                {"format", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(TsuProfile) p = NULL;
        g_autoptr(GVariant) data = NULL;
        g_auto(GStrv) warnings = NULL;
        g_autoptr(GError) error = NULL;
        const char *format = "keyfile";
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "hf:", options, NULL)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        printf("Usage: %s export [--format keyfile|sswan] NAME|UUID\n\n"
                               "Writes the profile to stdout, never with its secrets.\n",
                               cli_program);
                        return CLI_EXIT_OK;
                default:
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc - 1 ||
            (strcmp(format, "keyfile") != 0 && strcmp(format, "sswan") != 0)) {
                fprintf(stderr, "Usage: %s export [--format keyfile|sswan] NAME|UUID\n",
                        cli_program);
                return CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)) || (r = cli_find_profile(bus, m, argv[optind], &p)))
                return r;
        if (!tsu_profile_call_export_sync(p, format, &data, &warnings, NULL, &error))
                return cli_error("export", error);
        for (char **w = warnings; w && *w; w++)
                fprintf(stderr, "warning: %s\n", *w);
        {
                gsize len;
                const char *text = g_variant_get_fixed_array(data, &len, 1);

                fwrite(text, 1, len, stdout);
        }
        return CLI_EXIT_OK;
}
