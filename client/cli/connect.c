/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu connect NAME: asks tsunagud to bring the tunnel up. Secrets come
 * from stdin (--password-stdin), a file (--passphrase-file, for a profile's
 * encrypted PKCS#12 or key, where no terminal is), or from the terminal when the helper asks
 * (we are its secret agent while we wait). Waits for "connected" or
 * "failed" when it is the agent or --wait is given; the exit code then says
 * why it failed (3 authentication, 4 unreachable, 5 profile, 1 other).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cli/foreground.h"
#include "client/profile/profile.h"
#include "cli.h"
#include "client.h"

static void help(FILE *f)
{
        fprintf(f,
                "Usage: %s connect [OPTIONS] NAME|UUID\n"
                "\n"
                "Options:\n"
                "  --password-stdin   read the password from the first line of stdin\n"
                "  --passphrase-file=F  the first line of F unlocks the profile's encrypted\n"
                "                     PKCS#12 or private key\n"
                "  --ask              ask for secrets on the terminal when the helper needs them\n"
                "                     (the default when there is a terminal)\n"
                "  --no-ask           never ask: fail when a secret is missing\n"
                "  --wait             wait until connected or failed (implied by --ask)\n"
                "  --timeout=SECONDS  give up waiting after this long (default 120)\n"
                "  -h, --help         this text\n"
                "\n"
                "  --foreground       run the connection in this process, as root, without\n"
                "                     tsunagud ('%s connect --foreground --help')\n"
                "\n"
                "Exit codes: 0 connected (or connecting, without --wait), 3 authentication\n"
                "failed, 4 gateway unreachable, 5 profile invalid, 6 not authorised, 1 other.\n",
                cli_program, cli_program);
}

static bool final_state(const char *st)
{
        return g_strcmp0(st, "connected") == 0 || g_strcmp0(st, "failed") == 0 ||
               g_strcmp0(st, "disconnected") == 0;
}

static int connect_dbus(int argc, char *argv[]);

int cmd_connect_any(int argc, char *argv[])
{
        if (connect_wants_foreground(argc, argv))
                return connect_foreground(argc, argv);
        return connect_dbus(argc, argv);
}

static int connect_dbus(int argc, char *argv[])
{
        static const struct option options[] = {
                {"password-stdin", no_argument, NULL, 'p'},
                {"passphrase-file", required_argument, NULL, 'P'},
                {"ask", no_argument, NULL, 'a'},
                {"no-ask", no_argument, NULL, 'n'},
                {"wait", no_argument, NULL, 'w'},
                {"timeout", required_argument, NULL, 't'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(TsuProfile) p = NULL;
        g_autoptr(TsuSession) s = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *session_path = NULL;
        struct cli_agent *agent = NULL;
        bool from_stdin = false, ask = false, no_ask = false, wait = false;
        unsigned timeout = 120;
        char *password = NULL, *passphrase = NULL;
        const char *pass_file = NULL;
        GVariantBuilder opts;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'p':
                        from_stdin = true;
                        break;
                case 'P':
                        pass_file = optarg;
                        break;
                case 'a':
                        ask = true;
                        break;
                case 'n':
                        no_ask = true;
                        break;
                case 'w':
                        wait = true;
                        break;
                case 't': {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);

                        if (*end || v == 0 || v > 86400) {
                                fprintf(stderr, "%s connect: --timeout wants 1..86400 seconds\n",
                                        cli_program);
                                return CLI_EXIT_USAGE;
                        }
                        timeout = (unsigned)v;
                        break;
                }
                case 'h':
                        help(stdout);
                        return CLI_EXIT_OK;
                default:
                        help(stderr);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc - 1 || (ask && no_ask) || (from_stdin && ask)) {
                help(stderr);
                return CLI_EXIT_USAGE;
        }
        if (from_stdin) {
                r = cli_read_secret_line(STDIN_FILENO, &password);
                if (r < 0) {
                        fprintf(stderr, "%s connect: reading the password: %s\n", cli_program,
                                g_strerror(-r));
                        return CLI_EXIT_FAILURE;
                }
        }
        if (pass_file) {
                r = cli_read_secret_file(pass_file, &passphrase);
                if (r < 0) {
                        fprintf(stderr, "%s connect: %s: %s\n", cli_program, pass_file,
                                g_strerror(-r));
                        profile_secret_free(password);
                        return CLI_EXIT_FAILURE;
                }
        }
        if ((r = cli_connect(&bus, &m)) || (r = cli_find_profile(bus, m, argv[optind], &p))) {
                profile_secret_free(password);
                profile_secret_free(passphrase);
                return r;
        }
        /* Be the agent when asked to, or by default when there is a terminal
         * and no password was given. */
        if (ask || (!no_ask && !from_stdin && isatty(STDIN_FILENO))) {
                agent = cli_agent_register(bus, m);
                if (!agent && ask) {
                        fprintf(stderr, "%s connect: --ask needs a terminal\n", cli_program);
                        profile_secret_free(password);
                        profile_secret_free(passphrase);
                        return CLI_EXIT_USAGE;
                }
        }
        g_variant_builder_init(&opts, G_VARIANT_TYPE("a{sv}"));
        if (password)
                g_variant_builder_add(&opts, "{sv}", "password", g_variant_new_string(password));
        if (passphrase)
                g_variant_builder_add(&opts, "{sv}", "passphrase",
                                      g_variant_new_string(passphrase));
        g_variant_builder_add(&opts, "{sv}", "interactive", g_variant_new_boolean(agent != NULL));
        r = tsu_profile_call_connect_sync(p, g_variant_builder_end(&opts), &session_path, NULL,
                                          &error);
        profile_secret_free(password);
        profile_secret_free(passphrase);
        if (!r) {
                cli_agent_free(agent);
                return cli_error("connect", error);
        }
        if (!wait && !agent) {
                printf("connecting '%s'\n", tsu_profile_get_name(p));
                return CLI_EXIT_OK;
        }

        s = tsu_session_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, TSU_DBUS_NAME, session_path,
                                       NULL, &error);
        if (!s) {
                cli_agent_free(agent);
                return cli_error("connect", error);
        }
        {
                bool done = cli_session_wait(s, timeout, final_state);

                cli_agent_free(agent);
                if (!done) {
                        fprintf(stderr, "%s connect: still %s after %u s\n", cli_program,
                                tsu_session_get_state(s) ? tsu_session_get_state(s) : "unknown",
                                timeout);
                        return CLI_EXIT_UNREACHABLE;
                }
        }
        if (g_strcmp0(tsu_session_get_state(s), "connected") == 0) {
                const char *const *vips = tsu_session_get_virtual_ips(s);
                g_autofree char *ips =
                        g_strjoinv(", ", (char **)(vips ? vips : (const char *const[]){NULL}));

                printf("connected '%s' on %s, address %s\n", tsu_profile_get_name(p),
                       tsu_session_get_interface(s), *ips ? ips : "none");
                return CLI_EXIT_OK;
        }
        {
                GVariant *le = tsu_session_get_last_error(s);
                const char *reason = "", *msg = "";

                if (le)
                        g_variant_get(le, "(&s&s)", &reason, &msg);
                fprintf(stderr, "%s connect: '%s' %s%s%s%s\n", cli_program, tsu_profile_get_name(p),
                        tsu_session_get_state(s), *reason ? " (" : "", reason, *reason ? ")" : "");
                if (*msg)
                        fprintf(stderr, "%s\n", msg);
                return cli_exit_for_reason(reason);
        }
}
