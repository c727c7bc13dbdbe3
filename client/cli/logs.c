/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu logs [-f] [NAME]: the recent log lines of a session (secrets are
 * never in them). Without NAME: the one profile that has a session. -f
 * follows: new lines are printed as they come (polled every second).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "client.h"

/* Prints the lines of now that come after the last line of before. */
static void print_new(char **before, char **now)
{
        guint nb = before ? g_strv_length(before) : 0, nn = g_strv_length(now), from = 0;

        if (nb > 0) {
                /* Where does the old tail end in the new list? */
                from = nn;
                for (guint i = nn; i > 0; i--)
                        if (strcmp(now[i - 1], before[nb - 1]) == 0) {
                                from = i;
                                break;
                        }
                if (from == nn && nn > 0 && strcmp(now[nn - 1], before[nb - 1]) != 0)
                        from = 0; /* the ring moved past everything we saw */
        }
        for (guint i = from; i < nn; i++)
                printf("%s\n", now[i]);
        fflush(stdout);
}

struct follow {
        TsuProfile *p;
        char **last;
        GMainLoop *loop;
        int rc;
};

static gboolean on_tick(gpointer data)
{
        struct follow *f = data;
        g_autoptr(GError) error = NULL;
        char **lines = NULL;

        if (!tsu_profile_call_get_log_sync(f->p, &lines, NULL, &error)) {
                f->rc = cli_error("logs", error);
                g_main_loop_quit(f->loop);
                return G_SOURCE_REMOVE;
        }
        print_new(f->last, lines);
        g_strfreev(f->last);
        f->last = lines;
        return G_SOURCE_CONTINUE;
}

int cmd_logs(int argc, char *argv[])
{
        static const struct option options[] = {
                {"follow", no_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(TsuManager) m = NULL;
        g_autoptr(TsuProfile) p = NULL;
        bool follow = false;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "hf", options, NULL)) != -1) {
                switch (c) {
                case 'f':
                        follow = true;
                        break;
                case 'h':
                        printf("Usage: %s logs [-f] [NAME|UUID]\n", cli_program);
                        return CLI_EXIT_OK;
                default:
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind < argc - 1) {
                fprintf(stderr, "Usage: %s logs [-f] [NAME|UUID]\n", cli_program);
                return CLI_EXIT_USAGE;
        }
        if ((r = cli_connect(&bus, &m)))
                return r;
        if (optind == argc - 1) {
                if ((r = cli_find_profile(bus, m, argv[optind], &p)))
                        return r;
        } else {
                g_autoptr(GPtrArray) list = NULL;
                unsigned n = 0;

                if ((r = cli_list_profiles(bus, m, &list)))
                        return r;
                for (guint i = 0; i < list->len; i++) {
                        g_autoptr(TsuSession) s = cli_profile_session(bus, list->pdata[i]);

                        if (s && tsu_session_get_state(s)) {
                                g_set_object(&p, list->pdata[i]);
                                n++;
                        }
                }
                if (n != 1) {
                        fprintf(stderr, "%s logs: %s: name the profile\n", cli_program,
                                n ? "several profiles have sessions" : "no profile has a session");
                        return CLI_EXIT_USAGE;
                }
        }
        {
                struct follow f = {.p = p, .loop = g_main_loop_new(NULL, FALSE)};

                on_tick(&f);
                if (follow && f.rc == 0) {
                        g_timeout_add_seconds(1, on_tick, &f);
                        g_main_loop_run(f.loop);
                }
                g_strfreev(f.last);
                g_main_loop_unref(f.loop);
                return f.rc;
        }
}
