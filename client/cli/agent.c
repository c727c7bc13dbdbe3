/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's secret agent: org.tsunagu.Vpn1.SecretAgent on our connection.
 * tsunagud calls GetSecret when the engine needs a password, PIN or
 * passphrase; we ask on the controlling terminal (/dev/tty, echo off) and
 * answer. The answer crosses the bus once, to the helper only (the bus
 * policy lets only root call agents).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "client/dbus/errors.h"
#include "client/profile/profile.h"
#include "cli.h"
#include "client.h"

#define AGENT_PATH "/org/tsunagu/Vpn1/cli/agent"

struct cli_agent {
        GDBusConnection *bus;
        TsuManager *m;
        TsuSecretAgent *skel;
        int tty;
        unsigned asked;
};

unsigned cli_agent_asked(const struct cli_agent *a)
{
        return a ? a->asked : 0;
}

static int ask_tty(int tty, const char *prompt, bool echo, char **ret)
{
        struct termios old, noecho;
        bool restore = false;
        int r;

        if (!echo && tcgetattr(tty, &old) == 0) {
                noecho = old;
                noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
                noecho.c_lflag |= ICANON;
                if (tcsetattr(tty, TCSAFLUSH, &noecho) == 0)
                        restore = true;
        }
        if (write(tty, prompt, strlen(prompt)) < 0 || write(tty, ": ", 2) < 0) {
                r = -errno;
                goto out;
        }
        r = cli_read_secret_line(tty, ret);
        if (write(tty, "\n", 1) < 0) {
                /* nothing to do: the answer is read */
        }
out:
        if (restore)
                tcsetattr(tty, TCSAFLUSH, &old);
        return r;
}

static gboolean on_get_secret(TsuSecretAgent *skel, GDBusMethodInvocation *inv, const char *profile,
                              const char *kind, const char *prompt, GVariant *hints, gpointer data)
{
        struct cli_agent *a = data;
        const char *sender = g_dbus_method_invocation_get_sender(inv);
        g_autofree char *owner = NULL;
        char *secret = NULL;
        int r;

        /* Only the helper may ask. */
        {
                g_autoptr(GVariant) ret = g_dbus_connection_call_sync(
                        a->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "GetNameOwner", g_variant_new("(s)", TSU_DBUS_NAME),
                        G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);

                if (ret)
                        g_variant_get(ret, "(s)", &owner);
        }
        if (!owner || !sender || strcmp(owner, sender) != 0) {
                g_dbus_method_invocation_return_dbus_error(
                        inv, tsu_error_dbus_name(TSU_ERROR_NOT_AUTHORIZED),
                        "only tsunagud may ask");
                return TRUE;
        }
        a->asked++;
        {
                g_autofree char *safe = g_strdup(prompt);

                /* Never let the helper's text drive the terminal. */
                for (char *c = safe; *c; c++)
                        if ((unsigned char)*c < 0x20 || *c == 0x7f)
                                *c = '?';
                if (!*safe) {
                        g_free(safe);
                        safe = g_strdup_printf("VPN %s", kind);
                }
                r = ask_tty(a->tty, safe, strcmp(kind, "username") == 0, &secret);
        }
        if (r < 0 || !secret || !*secret) {
                profile_secret_free(secret);
                g_dbus_method_invocation_return_dbus_error(
                        inv, tsu_error_dbus_name(TSU_ERROR_CANCELLED), "no answer");
                return TRUE;
        }
        tsu_secret_agent_complete_get_secret(skel, inv, secret);
        profile_secret_free(secret);
        return TRUE;
}

static gboolean on_cancel(TsuSecretAgent *skel, GDBusMethodInvocation *inv, const char *profile,
                          gpointer data)
{
        tsu_secret_agent_complete_cancel_get_secret(skel, inv);
        return TRUE;
}

struct cli_agent *cli_agent_register(GDBusConnection *bus, TsuManager *m)
{
        g_autoptr(GError) error = NULL;
        struct cli_agent *a;
        int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

        if (tty < 0)
                return NULL;
        a = g_new0(struct cli_agent, 1);
        a->bus = g_object_ref(bus);
        a->m = g_object_ref(m);
        a->tty = tty;
        a->skel = tsu_secret_agent_skeleton_new();
        g_signal_connect(a->skel, "handle-get-secret", G_CALLBACK(on_get_secret), a);
        g_signal_connect(a->skel, "handle-cancel-get-secret", G_CALLBACK(on_cancel), a);
        if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(a->skel), bus, AGENT_PATH,
                                              &error) ||
            !tsu_manager_call_register_agent_sync(m, AGENT_PATH, NULL, &error)) {
                cli_error("cannot register as secret agent", error);
                cli_agent_free(a);
                return NULL;
        }
        return a;
}

void cli_agent_free(struct cli_agent *a)
{
        if (!a)
                return;
        if (a->skel) {
                tsu_manager_call_unregister_agent_sync(a->m, AGENT_PATH, NULL, NULL);
                g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(a->skel));
                g_object_unref(a->skel);
        }
        g_object_unref(a->m);
        g_object_unref(a->bus);
        closep(&a->tty);
        g_free(a);
}
