/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu import FILE: hands the file's bytes to tsunagud (which never opens
 * a path of ours) and prints the new profile's name and UUID, or every error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/profile/profile.h"
#include "cli.h"
#include "client.h"

static void help(FILE *f)
{
        fprintf(f,
                "Usage: %s import [OPTIONS] FILE\n"
                "\n"
                "Adds a VPN profile for you: a tsunagu profile, a strongSwan .sswan file or an\n"
                "Apple .mobileconfig. Importing a profile with the UUID of one of yours replaces "
                "it.\n"
                "\n"
                "Options:\n"
                "  --keep-secrets         store the passwords and keys found in the file\n"
                "                         (default: they are dropped and asked when connecting)\n"
                "  --passphrase-file=F    first line of F unlocks an embedded PKCS#12 or key\n"
                "  --format=FORMAT        tsunagu, sswan or mobileconfig (default: detect)\n"
                "  --json                 print {\"path\",\"name\",\"uuid\",\"warnings\"}\n"
                "  -h, --help             this text\n"
                "\n"
                "Exit codes: 0 imported, 5 invalid profile, 6 not authorised, 2 usage, 1 other.\n",
                cli_program);
}

int cmd_import(int argc, char *argv[])
{
        static const struct option options[] = {
                {"keep-secrets", no_argument, NULL, 'k'},
                {"passphrase-file", required_argument, NULL, 'p'},
                {"format", required_argument, NULL, 'f'},
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(TsuProfile) p = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL, *base = NULL;
        g_auto(GStrv) warnings = NULL;
        const char *format = NULL, *pass_file = NULL;
        char *passphrase = NULL;
        bool keep = false, json = false;
        GVariantBuilder opts;
        struct bytes data = { 0 };
        GVariant *bytes;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'k':
                        keep = true;
                        break;
                case 'p':
                        pass_file = optarg;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'h':
                        help(stdout);
                        return CLI_EXIT_OK;
                default:
                        help(stderr);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                help(stderr);
                return CLI_EXIT_USAGE;
        }
        r = cli_read_profile_file(argv[optind], &data);
        if (r < 0) {
                fprintf(stderr, "%s import: %s: %s\n", cli_program, argv[optind], g_strerror(-r));
                return CLI_EXIT_FAILURE;
        }
        if (pass_file) {
                r = cli_read_secret_file(pass_file, &passphrase);
                if (r < 0) {
                        fprintf(stderr, "%s import: %s: %s\n", cli_program, pass_file,
                                g_strerror(-r));
                        secure_free(data.ptr, CLI_PROFILE_READ_MAX);
                        return CLI_EXIT_FAILURE;
                }
        }
        r = cli_connect(&bus, &m);
        if (r) {
                profile_secret_free(passphrase);
                secure_free(data.ptr, CLI_PROFILE_READ_MAX);
                return r;
        }
        g_variant_builder_init(&opts, G_VARIANT_TYPE("a{sv}"));
        if (keep)
                g_variant_builder_add(&opts, "{sv}", "keep-secrets", g_variant_new_boolean(TRUE));
        if (format)
                g_variant_builder_add(&opts, "{sv}", "format", g_variant_new_string(format));
        if (passphrase)
                g_variant_builder_add(&opts, "{sv}", "passphrase",
                                      g_variant_new_string(passphrase));
        bytes = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data.ptr, data.len, 1);
        base = g_path_get_basename(argv[optind]);
        r = tsu_manager_call_import_profile_sync(m, bytes, base, g_variant_builder_end(&opts),
                                                 &path, &warnings, NULL, &error);
        profile_secret_free(passphrase);
        secure_free(data.ptr, CLI_PROFILE_READ_MAX);
        if (!r)
                return cli_error("import", error);

        p = tsu_profile_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, TSU_DBUS_NAME, path, NULL,
                                       &error);
        if (!p)
                return cli_error("import", error);
        if (json) {
                g_autoptr(GString) s = g_string_new("{\"path\":");

                cli_json_str(s, path);
                g_string_append(s, ",\"name\":");
                cli_json_str(s, tsu_profile_get_name(p));
                g_string_append(s, ",\"uuid\":");
                cli_json_str(s, tsu_profile_get_uuid(p));
                g_string_append(s, ",\"warnings\":");
                cli_json_strv(s, (const char *const *)warnings);
                g_string_append(s, "}\n");
                fputs(s->str, stdout);
        } else {
                for (char **w = warnings; w && *w; w++)
                        fprintf(stderr, "warning: %s\n", *w);
                printf("imported '%s' (%s)\n", tsu_profile_get_name(p), tsu_profile_get_uuid(p));
        }
        return CLI_EXIT_OK;
}
