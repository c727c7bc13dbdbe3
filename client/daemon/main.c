/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagud: the privileged helper. Started by D-Bus activation (systemd,
 * Type=dbus), as root with the few capabilities the unit leaves it.
 *
 * Startup order: undo whatever a previous instance left (platform_recover,
 * before anything can change the network again), load the profiles, export
 * the objects, and only then take the bus name, so that a client activated
 * us never sees a half-ready helper.
 *
 * SIGTERM: every session is disconnected (DELETE to the gateway, platform
 * reverted), then the name is released and the process exits. SIGHUP: the
 * system profiles are read again.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include "client/dbus/errors.h"
#include "client/dbus/tsu-dbus.h"
#include "client/daemon/daemon.h"
#include "client/daemon/log.h"
#include "client/profile/store.h"
#include "platform/linux/platform.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/libexec"
#endif
#ifndef TSUNAGU_ENGINE_USER
#define TSUNAGU_ENGINE_USER "tsunagu"
#endif

#define STOP_TIMEOUT_S 20 /* a gateway that never answers DELETE */

static bool manager_visible(void *ud, uid_t uid)
{
        return true;
}

static const struct bus_object_class manager_class = {
        .iface_name = TSU_DBUS_IFACE_MANAGER,
        .iface_info = tsu_manager_interface_info,
        .visible = manager_visible,
        .get_property = manager_get_property,
        .call = manager_call,
};

static gboolean on_stop_timeout(gpointer data)
{
        struct daemon *d = data;

        log_warn("sessions still going down after %u s: exiting anyway", STOP_TIMEOUT_S);
        g_main_loop_quit(d->loop);
        return G_SOURCE_REMOVE;
}

void daemon_session_stopped(struct daemon *d)
{
        if (d->n_stopping > 0)
                d->n_stopping--;
        if (d->stopping && d->n_stopping == 0)
                g_main_loop_quit(d->loop);
}

static gboolean on_sigterm(gpointer data)
{
        struct daemon *d = data;

        if (d->stopping)
                return G_SOURCE_CONTINUE;
        log_info("stopping: disconnecting every session");
        d->stopping = true;
        sessions_stop_all(d);
        if (d->n_stopping == 0)
                g_main_loop_quit(d->loop);
        else
                g_timeout_add_seconds(STOP_TIMEOUT_S, on_stop_timeout, d);
        return G_SOURCE_CONTINUE;
}

static gboolean on_sighup(gpointer data)
{
        profiles_reload_system(data);
        return G_SOURCE_CONTINUE;
}

static void on_name_acquired(GDBusConnection *c, const char *name, gpointer data)
{
        struct daemon *d = data;

        d->reconnects = 0;
        log_info("ready on the system bus as %s", name);
}

static void on_name_lost(GDBusConnection *c, const char *name, gpointer data)
{
        struct daemon *d = data;

        /* A closed connection is handled by on_closed(); here only a name
         * that someone else owns. */
        if (c && !g_dbus_connection_is_closed(c)) {
                log_err("cannot own %s (another tsunagud? the bus policy?)", name);
                if (!d->stopping)
                        on_sigterm(d);
        }
}

static void on_closed(GDBusConnection *c, gboolean remote_peer_vanished, GError *error,
                      gpointer data);

/* Our own connection, not the process-wide singleton: when GDBus closes it
 * (it does so on a message it cannot decode, which any local user can
 * send) the sessions stay up while we connect again. */
static GDBusConnection *bus_open(struct daemon *d, GError **error)
{
        g_autofree char *address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, error);
        GDBusConnection *c;

        if (!address)
                return NULL;
        c = g_dbus_connection_new_for_address_sync(
                address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, error);
        if (!c)
                return NULL;
        g_dbus_connection_set_exit_on_close(c, FALSE);
        g_signal_connect(c, "closed", G_CALLBACK(on_closed), d);
        return c;
}

static void own_name(struct daemon *d)
{
        d->name_id =
                g_bus_own_name_on_connection(d->bus, TSU_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                             on_name_acquired, on_name_lost, d, NULL);
}

#define RECONNECT_TRIES 30

static gboolean on_reconnect(gpointer data)
{
        struct daemon *d = data;
        g_autoptr(GError) error = NULL;
        GDBusConnection *c = bus_open(d, &error);

        if (!c) {
                if (++d->reconnects >= RECONNECT_TRIES) {
                        log_err("cannot reach the system bus again (%s): stopping", error->message);
                        d->reconnect_timer = 0;
                        on_sigterm(d);
                        return G_SOURCE_REMOVE;
                }
                if (d->reconnects == 1) {
                        d->reconnect_timer = g_timeout_add_seconds(1, on_reconnect, d);
                        return G_SOURCE_REMOVE;
                }
                return G_SOURCE_CONTINUE;
        }
        g_signal_handlers_disconnect_by_func(d->bus, on_closed, d);
        g_object_unref(d->bus);
        d->bus = c;
        if (bus_attach(d, &error) < 0) {
                log_err("registering the objects again: %s", error->message);
                d->reconnect_timer = 0;
                on_sigterm(d);
                return G_SOURCE_REMOVE;
        }
        own_name(d);
        log_warn("connected to the system bus again");
        d->reconnect_timer = 0;
        return G_SOURCE_REMOVE;
}

static void on_closed(GDBusConnection *c, gboolean remote_peer_vanished, GError *error,
                      gpointer data)
{
        struct daemon *d = data;

        if (c != d->bus)
                return;
        log_err("the system bus connection closed%s%s", error ? ": " : "",
                error ? error->message : "");
        if (d->name_id)
                g_bus_unown_name(d->name_id);
        d->name_id = 0;
        bus_detach(d);
        if (d->stopping) {
                g_main_loop_quit(d->loop);
                return;
        }
        /* At once (the bus is usually fine: only our connection went), then
         * every second. */
        if (!d->reconnect_timer)
                d->reconnect_timer = g_timeout_add(100, on_reconnect, d);
}

int main(int argc, char *argv[])
{
        struct daemon d = {0};
        g_autoptr(GError) error = NULL;
        g_autoptr(GOptionContext) ctx = NULL;
        gboolean use_stderr = FALSE, debug = FALSE, no_seccomp = FALSE, no_recover = FALSE;
        g_autofree char *system_dir = NULL, *user_dir = NULL, *state_dir = NULL,
                        *resolv_conf = NULL, *engine = NULL, *engine_user = NULL;
        const GOptionEntry entries[] = {
                {"stderr", 0, 0, G_OPTION_ARG_NONE, &use_stderr, "log to stderr, not the journal",
                 NULL},
                {"debug", 0, 0, G_OPTION_ARG_NONE, &debug, "log debug messages", NULL},
                {"system-profiles", 0, 0, G_OPTION_ARG_FILENAME, &system_dir,
                 "system profiles (" PROFILE_SYSTEM_DIR ")", "DIR"},
                {"user-profiles", 0, 0, G_OPTION_ARG_FILENAME, &user_dir,
                 "personal profiles (" PROFILE_USER_DIR ")", "DIR"},
                {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
                 "crash-recovery journals (" PLATFORM_STATE_DIR ")", "DIR"},
                {"resolv-conf", 0, 0, G_OPTION_ARG_FILENAME, &resolv_conf,
                 "resolv.conf to manage without resolved (" PLATFORM_RESOLV_CONF ")", "FILE"},
                {"engine", 0, 0, G_OPTION_ARG_FILENAME, &engine,
                 "engine program (" LIBEXECDIR "/tsunagu-engine)", "PATH"},
                {"engine-user", 0, 0, G_OPTION_ARG_STRING, &engine_user,
                 "user the engines run as (" TSUNAGU_ENGINE_USER ")", "NAME"},
                {"no-seccomp", 0, 0, G_OPTION_ARG_NONE, &no_seccomp,
                 "engines without their seccomp filter (debugging only)", NULL},
                {"no-recover", 0, 0, G_OPTION_ARG_NONE, &no_recover,
                 "do not undo what a previous instance left (tests only)", NULL},
                {NULL},
        };
        int r;

        setlocale(LC_ALL, "");
        /* Our files are 0600/0700 whatever the caller's umask. */
        umask(0077);
        ctx = g_option_context_new("- the tsunagu VPN helper");
        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "tsunagud: %s\n", error->message);
                return 2;
        }
        log_init(!use_stderr && g_getenv("JOURNAL_STREAM") != NULL, debug ? LOG_DEBUG : LOG_INFO);
        d.opts.system_dir = system_dir ? system_dir : g_strdup(PROFILE_SYSTEM_DIR);
        d.opts.user_dir = user_dir ? user_dir : g_strdup(PROFILE_USER_DIR);
        d.opts.state_dir = state_dir ? state_dir : g_strdup(PLATFORM_STATE_DIR);
        d.opts.resolv_conf = resolv_conf ? resolv_conf : g_strdup(PLATFORM_RESOLV_CONF);
        d.opts.engine_path = engine ? engine : g_strdup(LIBEXECDIR "/tsunagu-engine");
        d.opts.engine_user = engine_user ? engine_user : g_strdup(TSUNAGU_ENGINE_USER);
        d.opts.no_seccomp = no_seccomp;
        d.opts.no_recover = no_recover;
        system_dir = user_dir = state_dir = resolv_conf = engine = engine_user = NULL;
        if (d.opts.no_seccomp)
                log_warn("engines run WITHOUT their seccomp filter (--no-seccomp)");
        if (!auth_have_polkit())
                log_warn("built without polkit: only root may connect, import or remove");

        (void)tsu_error_quark();
        signal(SIGPIPE, SIG_IGN);

        d.bus = bus_open(&d, &error);
        if (!d.bus) {
                log_err("cannot connect to the system bus: %s", error->message);
                return 1;
        }

        /* Before anything else touches the network: undo what a previous
         * instance (crashed, killed) left behind. resolved is found on the
         * shared system bus connection (NULL), as platform_apply() does. */
        if (!d.opts.no_recover) {
                r = platform_recover(d.opts.state_dir, NULL, 0, &error);
                if (r < 0) {
                        log_err("recovering from a previous run: %s", error->message);
                        g_clear_error(&error);
                }
        }

        /* tmpfiles.d makes it; without it, the first import would fail. */
        if (g_mkdir_with_parents(d.opts.user_dir, 0700) < 0)
                log_warn("cannot create %s: %s", d.opts.user_dir, g_strerror(errno));

        d.loop = g_main_loop_new(NULL, FALSE);
        d.profiles = g_hash_table_new(g_str_hash, g_str_equal);
        if (bus_init(&d, &error) < 0 || auth_init(&d, &error) < 0) {
                log_err("%s", error->message);
                return 1;
        }
        d.manager = bus_object_new(&d, TSU_DBUS_PATH, &manager_class, &d, &error);
        if (!d.manager) {
                log_err("cannot export the manager: %s", error->message);
                return 1;
        }
        profiles_load(&d);

        g_unix_signal_add(SIGTERM, on_sigterm, &d);
        g_unix_signal_add(SIGINT, on_sigterm, &d);
        g_unix_signal_add(SIGHUP, on_sighup, &d);
        own_name(&d);
        g_main_loop_run(d.loop);
        if (d.name_id)
                g_bus_unown_name(d.name_id);
        if (d.reconnect_timer)
                g_source_remove(d.reconnect_timer);

        log_info("exiting");
        profiles_free_all(&d);
        bus_object_free(g_steal_pointer(&d.manager));
        auth_fini(&d);
        bus_fini(&d);
        g_clear_pointer(&d.profiles, g_hash_table_unref);
        if (!g_dbus_connection_is_closed(d.bus))
                g_dbus_connection_flush_sync(d.bus, NULL, NULL);
        g_signal_handlers_disconnect_by_func(d.bus, on_closed, &d);
        g_clear_object(&d.bus);
        g_main_loop_unref(d.loop);
        g_free(d.opts.system_dir);
        g_free(d.opts.user_dir);
        g_free(d.opts.state_dir);
        g_free(d.opts.resolv_conf);
        g_free(d.opts.engine_path);
        g_free(d.opts.engine_user);
        return 0;
}
