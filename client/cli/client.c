/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/common/bytes.h"
#include "client/dbus/errors.h"
#include "client/profile/profile.h"
#include "cli.h"
#include "client.h"

int cli_error(const char *what, GError *error)
{
        int code = CLI_EXIT_FAILURE;

        if (g_error_matches(error, TSU_ERROR, TSU_ERROR_NOT_AUTHORIZED) ||
            g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
            g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
                code = CLI_EXIT_NOT_AUTHORISED;
        else if (g_error_matches(error, TSU_ERROR, TSU_ERROR_INVALID_PROFILE))
                code = CLI_EXIT_PROFILE;
        else if (g_error_matches(error, TSU_ERROR, TSU_ERROR_INVALID_ARGS))
                code = CLI_EXIT_USAGE;
        if (g_dbus_error_is_remote_error(error))
                g_dbus_error_strip_remote_error(error);
        fprintf(stderr, "%s %s: %s\n", cli_program, what, error->message);
        return code;
}

int cli_exit_for_reason(const char *reason)
{
        if (!reason || !*reason)
                return CLI_EXIT_FAILURE;
        /* As engine_error_exit_code() (client/engine/engine.h). */
        static const char *const auth[] = {"auth-failed-password",
                                           "auth-failed-cert",
                                           "auth-failed",
                                           "gateway-cert-untrusted",
                                           "gateway-id-mismatch",
                                           "gateway-auth-invalid",
                                           "no-secret",
                                           NULL};

        for (const char *const *a = auth; *a; a++)
                if (strcmp(reason, *a) == 0)
                        return CLI_EXIT_AUTH_FAILED;
        if (strcmp(reason, "no-response") == 0 || strcmp(reason, "network") == 0)
                return CLI_EXIT_UNREACHABLE;
        if (strcmp(reason, "profile") == 0)
                return CLI_EXIT_PROFILE;
        return CLI_EXIT_FAILURE;
}

int cli_connect(GDBusConnection **ret_bus, TsuManager **ret_manager)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusConnection) bus = NULL;
        TsuManager *m;

        (void)tsu_error_quark(); /* registers the error names */
        bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
        if (!bus) {
                fprintf(stderr, "%s: cannot connect to the system bus: %s\n", cli_program,
                        error->message);
                return CLI_EXIT_FAILURE;
        }
        m = tsu_manager_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                                       TSU_DBUS_NAME, TSU_DBUS_PATH, NULL, &error);
        if (!m)
                return cli_error("cannot reach tsunagud", error);
        *ret_bus = g_steal_pointer(&bus);
        *ret_manager = m;
        return 0;
}

static gint cmp_profiles(gconstpointer a, gconstpointer b)
{
        TsuProfile *x = *(TsuProfile *const *)a, *y = *(TsuProfile *const *)b;
        int r = g_strcmp0(tsu_profile_get_name(x), tsu_profile_get_name(y));

        return r ? r : g_strcmp0(tsu_profile_get_uuid(x), tsu_profile_get_uuid(y));
}

int cli_list_profiles(GDBusConnection *bus, TsuManager *m, GPtrArray **ret)
{
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) paths = NULL;
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_object_unref);

        if (!tsu_manager_call_list_profiles_sync(m, &paths, NULL, &error))
                return cli_error("cannot list the profiles", error);
        for (char **p = paths; *p; p++) {
                TsuProfile *pr = tsu_profile_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE,
                                                            TSU_DBUS_NAME, *p, NULL, &error);

                if (!pr)
                        return cli_error("cannot read a profile", error);
                g_ptr_array_add(list, pr);
        }
        g_ptr_array_sort(list, cmp_profiles);
        *ret = g_steal_pointer(&list);
        return 0;
}

/* The one match, or of several the one personal profile (a user's copy of
 * a system profile shadows it), or NULL. */
static TsuProfile *pick(GPtrArray *hits)
{
        TsuProfile *personal = NULL;
        unsigned n_personal = 0;

        if (hits->len == 1)
                return hits->pdata[0];
        for (guint i = 0; i < hits->len; i++)
                if (!tsu_profile_get_system(hits->pdata[i])) {
                        personal = hits->pdata[i];
                        n_personal++;
                }
        return n_personal == 1 ? personal : NULL;
}

int cli_find_profile(GDBusConnection *bus, TsuManager *m, const char *name, TsuProfile **ret)
{
        g_autoptr(GPtrArray) list = NULL;
        g_autoptr(GPtrArray) hits = g_ptr_array_new();
        TsuProfile *hit;
        int r = cli_list_profiles(bus, m, &list);

        if (r)
                return r;
        /* An object path, a UUID, then a name. */
        for (guint i = 0; i < list->len; i++)
                if (strcmp(g_dbus_proxy_get_object_path(list->pdata[i]), name) == 0 ||
                    g_ascii_strcasecmp(tsu_profile_get_uuid(list->pdata[i]), name) == 0)
                        g_ptr_array_add(hits, list->pdata[i]);
        if (hits->len == 0)
                for (guint i = 0; i < list->len; i++)
                        if (g_strcmp0(tsu_profile_get_name(list->pdata[i]), name) == 0)
                                g_ptr_array_add(hits, list->pdata[i]);
        if (hits->len == 0) {
                fprintf(stderr, "%s: no profile named '%s' (see '%s list')\n", cli_program, name,
                        cli_program);
                return CLI_EXIT_FAILURE;
        }
        hit = pick(hits);
        if (!hit) {
                fprintf(stderr,
                        "%s: %u profiles match '%s': give the object path instead "
                        "(%s list --json)\n",
                        cli_program, hits->len, name, cli_program);
                return CLI_EXIT_USAGE;
        }
        *ret = g_object_ref(hit);
        return 0;
}

TsuSession *cli_profile_session(GDBusConnection *bus, TsuProfile *p)
{
        const char *path = tsu_profile_get_session(p);

        if (!path || strcmp(path, "/") == 0)
                return NULL;
        return tsu_session_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, TSU_DBUS_NAME, path, NULL,
                                          NULL);
}

void cli_json_str(GString *s, const char *v)
{
        if (!v) {
                g_string_append(s, "null");
                return;
        }
        g_string_append_c(s, '"');
        for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
                if (*c == '"' || *c == '\\')
                        g_string_append_printf(s, "\\%c", *c);
                else if (*c == '\n')
                        g_string_append(s, "\\n");
                else if (*c < 0x20 || *c == 0x7f)
                        g_string_append_printf(s, "\\u%04x", *c);
                else
                        g_string_append_c(s, (char)*c);
        }
        g_string_append_c(s, '"');
}

void cli_json_strv(GString *s, const char *const *v)
{
        g_string_append_c(s, '[');
        for (size_t i = 0; v && v[i]; i++) {
                if (i)
                        g_string_append_c(s, ',');
                cli_json_str(s, v[i]);
        }
        g_string_append_c(s, ']');
}

struct wait {
        GMainLoop *loop;
        TsuSession *s;
        bool (*done)(const char *state);
        bool timed_out;
        bool gone;
};

static void on_props(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer data)
{
        struct wait *w = data;

        if (w->done(tsu_session_get_state(w->s)))
                g_main_loop_quit(w->loop);
}

static void on_owner(GObject *proxy, GParamSpec *pspec, gpointer data)
{
        struct wait *w = data;
        g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(proxy));

        /* The helper went away: nothing more will change. */
        if (!owner) {
                w->gone = true;
                g_main_loop_quit(w->loop);
        }
}

static gboolean on_timeout(gpointer data)
{
        struct wait *w = data;

        w->timed_out = true;
        g_main_loop_quit(w->loop);
        return G_SOURCE_REMOVE;
}

bool cli_session_wait(TsuSession *s, unsigned timeout_s, bool (*done)(const char *state))
{
        struct wait w = {.loop = g_main_loop_new(NULL, FALSE), .s = s, .done = done};
        guint t = g_timeout_add_seconds(timeout_s, on_timeout, &w);
        gulong h = g_signal_connect(s, "g-properties-changed", G_CALLBACK(on_props), &w);
        gulong o = g_signal_connect(s, "notify::g-name-owner", G_CALLBACK(on_owner), &w);

        if (!done(tsu_session_get_state(s)))
                g_main_loop_run(w.loop);
        g_signal_handler_disconnect(s, h);
        g_signal_handler_disconnect(s, o);
        if (!w.timed_out)
                g_source_remove(t);
        g_main_loop_unref(w.loop);
        if (w.gone) {
                fprintf(stderr, "%s: tsunagud went away\n", cli_program);
                return false;
        }
        return !w.timed_out;
}
