/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "client/dbus/errors.h"
#include "tsu-agent.h"
#include "tsu-client.h"
#include "tsu-format.h"
#include "tsu-i18n.h"
#include "tsu-keyring.h"

/* Calls that change something may make polkit ask the user (a desktop
 * session has an authentication agent); 2 minutes leave time for that. */
#define CALL_TIMEOUT_MS (120 * 1000)

struct _TsuClient {
        GObject parent;
        char *agent_path;
        GCancellable *cancel;
        GDBusConnection *bus;
        GDBusObjectManager *om;
        TsuManager *manager;
        struct tsu_agent *agent;
        GtkWindow *parent_window; /* weak */
        char *problem;
        GHashTable *ours;     /* profile paths we asked to connect */
        GHashTable *states;   /* session path -> the last state we acted on */
        GHashTable *sessions; /* session path -> TsuSession the object manager lacks (or NULL
                               * while its proxy is made); see tsu_client_lookup_session */
};

G_DEFINE_TYPE(TsuClient, tsu_client, G_TYPE_OBJECT)

enum { SIG_CHANGED, SIG_PROFILE_UPDATED, SIG_STATE_CHANGED, SIG_ERROR, N_SIGNALS };
static guint signals[N_SIGNALS];

static void set_problem(TsuClient *c, const char *problem)
{
        g_free(c->problem);
        c->problem = g_strdup(problem);
}

static void emit_error(TsuClient *c, const char *title, GError *error)
{
        if (g_dbus_error_is_remote_error(error))
                g_dbus_error_strip_remote_error(error);
        g_signal_emit(c, signals[SIG_ERROR], 0, title, error->message);
}

char *tsu_client_dup_helper_owner(TsuClient *c)
{
        if (!c->om)
                return NULL;
        return g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(c->om));
}

GtkWindow *tsu_client_get_parent(TsuClient *c)
{
        return c->parent_window;
}

void tsu_client_set_parent(TsuClient *c, GtkWindow *parent)
{
        if (c->parent_window)
                g_object_remove_weak_pointer(G_OBJECT(c->parent_window),
                                             (gpointer *)&c->parent_window);
        c->parent_window = parent;
        if (parent)
                g_object_add_weak_pointer(G_OBJECT(parent), (gpointer *)&c->parent_window);
}

bool tsu_client_is_ready(TsuClient *c)
{
        g_autofree char *owner = tsu_client_dup_helper_owner(c);

        return owner != NULL;
}

const char *tsu_client_get_problem(TsuClient *c)
{
        if (tsu_client_is_ready(c))
                return NULL;
        return c->problem ? c->problem : _("Looking for the tsunagu helper…");
}

static gint cmp_profiles(gconstpointer a, gconstpointer b)
{
        TsuProfile *x = *(TsuProfile *const *)a, *y = *(TsuProfile *const *)b;
        int r = g_utf8_collate(tsu_profile_get_name(x) ? tsu_profile_get_name(x) : "",
                               tsu_profile_get_name(y) ? tsu_profile_get_name(y) : "");

        return r ? r : g_strcmp0(g_dbus_proxy_get_object_path(G_DBUS_PROXY(x)),
                                 g_dbus_proxy_get_object_path(G_DBUS_PROXY(y)));
}

GPtrArray *tsu_client_dup_profiles(TsuClient *c)
{
        GPtrArray *out = g_ptr_array_new_with_free_func(g_object_unref);
        GList *objects;

        if (!c->om || !tsu_client_is_ready(c))
                return out;
        objects = g_dbus_object_manager_get_objects(c->om);
        for (GList *l = objects; l; l = l->next) {
                TsuProfile *p = tsu_object_get_profile(TSU_OBJECT(l->data));

                if (p)
                        g_ptr_array_add(out, p);
        }
        g_list_free_full(objects, g_object_unref);
        g_ptr_array_sort(out, cmp_profiles);
        return out;
}

TsuProfile *tsu_client_lookup_profile(TsuClient *c, const char *path)
{
        g_autoptr(GDBusObject) obj = NULL;

        if (!c->om || !path || !g_variant_is_object_path(path))
                return NULL;
        obj = g_dbus_object_manager_get_object(c->om, path);
        /* The object manager keeps the object and its interfaces alive. */
        return obj ? tsu_object_peek_profile(TSU_OBJECT(obj)) : NULL;
}

static void watch_session(TsuClient *c, const char *path);
static void session_props(TsuClient *c, TsuSession *s);

TsuSession *tsu_client_lookup_session(TsuClient *c, TsuProfile *p)
{
        const char *path = tsu_profile_get_session(p);
        g_autoptr(GDBusObject) obj = NULL;

        if (!c->om || !path || strcmp(path, "/") == 0 || !g_variant_is_object_path(path) ||
            !g_str_has_prefix(path, TSU_DBUS_SESSION_DIR "/"))
                return NULL;
        obj = g_dbus_object_manager_get_object(c->om, path);
        if (obj)
                return tsu_object_peek_session(TSU_OBJECT(obj));
        /* The profile names a session we were never told about: tsunagud
         * announces a session object (InterfacesAdded) when it creates it,
         * before the first Connect makes it ours, so a client that was
         * already running learns of it only through Profile.Session. Watch
         * it with a proxy of its own. */
        if (!g_hash_table_contains(c->sessions, path))
                watch_session(c, path);
        return g_hash_table_lookup(c->sessions, path);
}

const char *tsu_client_profile_state(TsuClient *c, TsuProfile *p)
{
        TsuSession *s = tsu_client_lookup_session(c, p);
        const char *st = s ? tsu_session_get_state(s) : NULL;

        return st && *st ? st : "disconnected";
}

/* ------------------------------------------------------------ requests */

struct call {
        TsuClient *c;
        char *title;
        char *path;
};

static void call_free(struct call *k)
{
        g_object_unref(k->c);
        g_free(k->title);
        g_free(k->path);
        g_free(k);
}

static void on_call_done(GObject *src, GAsyncResult *res, gpointer data)
{
        struct call *k = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(src), res, &error);

        if (!ret) {
                if (k->path)
                        g_hash_table_remove(k->c->ours, k->path);
                emit_error(k->c, k->title, error);
        }
        call_free(k);
}

static void call(TsuClient *c, TsuProfile *p, const char *method, GVariant *args,
                 const char *title, bool connecting)
{
        struct call *k = g_new0(struct call, 1);

        k->c = g_object_ref(c);
        k->title = g_strdup(title);
        if (connecting)
                k->path = g_strdup(g_dbus_proxy_get_object_path(G_DBUS_PROXY(p)));
        g_dbus_proxy_call(G_DBUS_PROXY(p), method, args,
                          G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, CALL_TIMEOUT_MS,
                          NULL, on_call_done, k);
}

static void connect_with(TsuClient *c, TsuProfile *p, const char *password)
{
        g_autofree char *title = NULL;
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&b, "{sv}", "interactive", g_variant_new_boolean(TRUE));
        if (password)
                g_variant_builder_add(&b, "{sv}", "password", g_variant_new_string(password));
        g_hash_table_add(c->ours, g_strdup(g_dbus_proxy_get_object_path(G_DBUS_PROXY(p))));
        /* TRANSLATORS: %s is a profile name. */
        title = g_strdup_printf(_("Cannot connect %s"), tsu_profile_get_name(p));
        call(c, p, "Connect", g_variant_new("(@a{sv})", g_variant_builder_end(&b)), title, true);
}

void tsu_client_connect(TsuClient *c, TsuProfile *p)
{
        connect_with(c, p, NULL);
}

void tsu_client_disconnect(TsuClient *c, TsuProfile *p)
{
        /* TRANSLATORS: %s is a profile name. */
        g_autofree char *title = g_strdup_printf(_("Cannot disconnect %s"), tsu_profile_get_name(p));

        g_hash_table_remove(c->ours, g_dbus_proxy_get_object_path(G_DBUS_PROXY(p)));
        call(c, p, "Disconnect", NULL, title, false);
}

void tsu_client_remove(TsuClient *c, TsuProfile *p)
{
        /* TRANSLATORS: %s is a profile name. */
        g_autofree char *title = g_strdup_printf(_("Cannot remove %s"), tsu_profile_get_name(p));

        tsu_keyring_clear(tsu_profile_get_uuid(p), NULL);
        call(c, p, "Remove", NULL, title, false);
}

void tsu_client_forget_secrets(TsuClient *c, TsuProfile *p)
{
        tsu_keyring_clear(tsu_profile_get_uuid(p), NULL);
}

static void on_import_done(GObject *src, GAsyncResult *res, gpointer data)
{
        GTask *task = data;
        GError *error = NULL;
        GVariant *ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(src), res, &error);

        if (!ret) {
                if (g_dbus_error_is_remote_error(error))
                        g_dbus_error_strip_remote_error(error);
                g_task_return_error(task, error);
        } else {
                g_task_return_pointer(task, ret, (GDestroyNotify)g_variant_unref);
        }
        g_object_unref(task);
}

void tsu_client_import(TsuClient *c, GBytes *data, const char *filename, GCancellable *cancel,
                       GAsyncReadyCallback done, gpointer user_data)
{
        GTask *task = g_task_new(c, cancel, done, user_data);
        g_autofree char *base = g_path_get_basename(filename);
        GVariant *bytes;

        if (!c->manager || !tsu_client_is_ready(c)) {
                g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                                        tsu_client_get_problem(c));
                g_object_unref(task);
                return;
        }
        if (g_bytes_get_size(data) > TSU_CLIENT_MAX_IMPORT) {
                g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                        _("The file is larger than 1 MiB: not a VPN profile."));
                g_object_unref(task);
                return;
        }
        bytes = g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, data, TRUE);
        g_dbus_proxy_call(G_DBUS_PROXY(c->manager), "ImportProfile",
                          g_variant_new("(@ays@a{sv})", bytes, base,
                                        g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0)),
                          G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, CALL_TIMEOUT_MS,
                          cancel, on_import_done, task);
}

bool tsu_client_import_finish(TsuClient *c, GAsyncResult *res, char **ret_path,
                              char ***ret_warnings, GError **error)
{
        g_autoptr(GVariant) ret = g_task_propagate_pointer(G_TASK(res), error);
        const char *path;
        g_auto(GStrv) warnings = NULL;

        if (!ret)
                return false;
        g_variant_get(ret, "(&o^as)", &path, &warnings);
        if (ret_path)
                *ret_path = g_strdup(path);
        if (ret_warnings)
                *ret_warnings = g_steal_pointer(&warnings);
        return true;
}

/* ------------------------------------------------------------ asking again */

struct retry {
        TsuClient *c;
        TsuProfile *p;
};

static void on_password_again(char *password, gpointer data)
{
        struct retry *r = data;

        if (password)
                connect_with(r->c, r->p, password);
        tsu_keyring_secret_free(password);
        g_object_unref(r->p);
        g_object_unref(r->c);
        g_free(r);
}

static void session_finished(TsuClient *c, TsuProfile *p, const char *state, const char *reason,
                             const char *message)
{
        const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(p));
        bool ours = g_hash_table_remove(c->ours, path);
        bool connected = strcmp(state, "connected") == 0;
        bool wrong = strcmp(state, "failed") == 0 && tsu_reason_is_wrong_password(reason);
        bool remembered = tsu_agent_session_done(c->agent, p, connected, wrong);

        /* Ask again only for a connection this program started: the CLI or
         * the other program asks for its own. */
        if (ours && wrong) {
                struct retry *r = g_new0(struct retry, 1);
                g_autofree char *why = message && *message ? g_strdup(message)
                                                           : tsu_reason_label(reason);

                r->c = g_object_ref(c);
                r->p = g_object_ref(p);
                tsu_agent_ask_again(c->agent, c->parent_window, p, why, remembered,
                                    on_password_again, r);
        }
}

/* ------------------------------------------------------------ the helper's objects */

static TsuProfile *profile_of_session(TsuClient *c, TsuSession *s)
{
        return tsu_client_lookup_profile(c, tsu_session_get_profile(s));
}

static void on_object_changed(GDBusObjectManager *om, GDBusObject *obj, gpointer data)
{
        g_signal_emit(data, signals[SIG_CHANGED], 0);
}

static void on_props(GDBusObjectManagerClient *om, GDBusObjectProxy *obj, GDBusProxy *iface,
                     GVariant *changed, const char *const *invalidated, gpointer data)
{
        TsuClient *c = data;
        TsuProfile *p = NULL;

        if (TSU_IS_PROFILE(iface))
                p = TSU_PROFILE(iface);
        else if (TSU_IS_SESSION(iface))
                p = profile_of_session(c, TSU_SESSION(iface));
        if (p)
                g_signal_emit(c, signals[SIG_PROFILE_UPDATED], 0, p);
        if (TSU_IS_SESSION(iface))
                session_props(c, TSU_SESSION(iface));
}

/* A session changed state: seen in StateChanged or in a PropertiesChanged
 * of State, whichever comes first (a proxy made late may miss the signal). */
static void transition(TsuClient *c, TsuSession *s, const char *state, const char *reason,
                       const char *message)
{
        const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(s));
        TsuProfile *p = profile_of_session(c, s);

        if (!p || !state || g_strcmp0(g_hash_table_lookup(c->states, path), state) == 0)
                return;
        g_hash_table_replace(c->states, g_strdup(path), g_strdup(state));
        if (strcmp(state, "connected") == 0 || strcmp(state, "failed") == 0 ||
            strcmp(state, "disconnected") == 0)
                session_finished(c, p, state, reason, message);
        g_signal_emit(c, signals[SIG_STATE_CHANGED], 0, p, state, reason, message);
}

static void session_signal(TsuClient *c, GDBusProxy *iface, const char *name, GVariant *params)
{
        const char *state, *reason, *message;

        if (!TSU_IS_SESSION(iface) || strcmp(name, "StateChanged") != 0 ||
            !g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)")))
                return;
        g_variant_get(params, "(&s&s&s)", &state, &reason, &message);
        transition(c, TSU_SESSION(iface), state, reason, message);
}

static void session_props(TsuClient *c, TsuSession *s)
{
        GVariant *le = tsu_session_get_last_error(s);
        const char *reason = "", *message = "";
        const char *state = tsu_session_get_state(s);

        if (le && g_variant_is_of_type(le, G_VARIANT_TYPE("(ss)")))
                g_variant_get(le, "(&s&s)", &reason, &message);
        if (g_strcmp0(state, "failed") != 0)
                reason = message = "";
        transition(c, s, state, reason, message);
}

static void on_signal(GDBusObjectManagerClient *om, GDBusObjectProxy *obj, GDBusProxy *iface,
                      const char *sender, const char *name, GVariant *params, gpointer data)
{
        session_signal(data, iface, name, params);
}

/* A session proxy of our own (tsu_client_lookup_session). */
static void on_own_signal(GDBusProxy *proxy, const char *sender, const char *name,
                          GVariant *params, gpointer data)
{
        session_signal(data, proxy, name, params);
}

static void on_own_props(GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
                         gpointer data)
{
        TsuClient *c = data;
        TsuProfile *p = profile_of_session(c, TSU_SESSION(proxy));

        if (p)
                g_signal_emit(c, signals[SIG_PROFILE_UPDATED], 0, p);
        session_props(c, TSU_SESSION(proxy));
}

struct watch {
        TsuClient *c;
        char *path;
};

static void on_session_proxy(GObject *src, GAsyncResult *res, gpointer data)
{
        struct watch *w = data;
        TsuClient *c = w->c;
        g_autoptr(GError) error = NULL;
        TsuSession *s = tsu_session_proxy_new_finish(res, &error);

        if (s && g_hash_table_contains(c->sessions, w->path)) {
                TsuProfile *p;

                g_signal_connect(s, "g-signal", G_CALLBACK(on_own_signal), c);
                g_signal_connect(s, "g-properties-changed", G_CALLBACK(on_own_props), c);
                g_hash_table_replace(c->sessions, g_strdup(w->path), s);
                p = profile_of_session(c, s);
                if (p)
                        g_signal_emit(c, signals[SIG_PROFILE_UPDATED], 0, p);
        } else {
                if (s)
                        g_object_unref(s);
                else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                        g_message("cannot watch %s: %s", w->path, error->message);
                /* Another try at the next lookup. */
                if (!g_cancellable_is_cancelled(c->cancel))
                        g_hash_table_remove(c->sessions, w->path);
        }
        g_object_unref(c);
        g_free(w->path);
        g_free(w);
}

static void watch_session(TsuClient *c, const char *path)
{
        struct watch *w = g_new0(struct watch, 1);

        w->c = g_object_ref(c);
        w->path = g_strdup(path);
        g_hash_table_insert(c->sessions, g_strdup(path), NULL);
        tsu_session_proxy_new(c->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, TSU_DBUS_NAME, path,
                              c->cancel, on_session_proxy, w);
}

static void unwatch(gpointer data)
{
        if (data) {
                g_signal_handlers_disconnect_matched(data, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                                     on_own_signal, NULL);
                g_signal_handlers_disconnect_matched(data, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                                     on_own_props, NULL);
                g_object_unref(data);
        }
}

static void on_owner(GObject *om, GParamSpec *pspec, gpointer data)
{
        TsuClient *c = data;
        g_autofree char *owner = tsu_client_dup_helper_owner(c);

        if (owner) {
                set_problem(c, NULL);
                tsu_agent_register(c->agent, c->manager);
        } else {
                set_problem(c, _("The tsunagu helper (tsunagud) is not running."));
                g_hash_table_remove_all(c->ours);
                g_hash_table_remove_all(c->sessions);
                g_hash_table_remove_all(c->states);
        }
        g_signal_emit(c, signals[SIG_CHANGED], 0);
}

static void on_om_ready(GObject *src, GAsyncResult *res, gpointer data)
{
        TsuClient *c = data;
        g_autoptr(GError) error = NULL;
        GDBusObjectManager *om = tsu_object_manager_client_new_finish(res, &error);

        if (!om) {
                if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
                        g_dbus_error_strip_remote_error(error);
                        set_problem(c, error->message);
                        g_signal_emit(c, signals[SIG_CHANGED], 0);
                }
                g_object_unref(c);
                return;
        }
        c->om = om;
        c->manager = tsu_manager_proxy_new_sync(
                c->bus,
                G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                TSU_DBUS_NAME, TSU_DBUS_PATH, NULL, NULL);
        c->agent = tsu_agent_new(c, c->bus, c->agent_path);
        g_signal_connect(om, "object-added", G_CALLBACK(on_object_changed), c);
        g_signal_connect(om, "object-removed", G_CALLBACK(on_object_changed), c);
        g_signal_connect(om, "interface-proxy-properties-changed", G_CALLBACK(on_props), c);
        g_signal_connect(om, "interface-proxy-signal", G_CALLBACK(on_signal), c);
        g_signal_connect(om, "notify::name-owner", G_CALLBACK(on_owner), c);
        on_owner(G_OBJECT(om), NULL, c);
        g_object_unref(c);
}

static void on_bus(GObject *src, GAsyncResult *res, gpointer data)
{
        TsuClient *c = data;
        g_autoptr(GError) error = NULL;

        c->bus = g_bus_get_finish(res, &error);
        if (!c->bus) {
                if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
                        /* TRANSLATORS: %s says why. */
                        g_autofree char *p =
                                g_strdup_printf(_("Cannot reach the system bus: %s"), error->message);

                        set_problem(c, p);
                        g_signal_emit(c, signals[SIG_CHANGED], 0);
                }
                g_object_unref(c);
                return;
        }
        tsu_object_manager_client_new(c->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                      TSU_DBUS_NAME, TSU_DBUS_PATH, c->cancel, on_om_ready, c);
}

TsuClient *tsu_client_new(const char *agent_path)
{
        TsuClient *c = g_object_new(TSU_TYPE_CLIENT, NULL);

        c->agent_path = g_strdup(agent_path);
        (void)tsu_error_quark(); /* the helper's error names */
        g_bus_get(G_BUS_TYPE_SYSTEM, c->cancel, on_bus, g_object_ref(c));
        return c;
}

static void tsu_client_dispose(GObject *obj)
{
        TsuClient *c = TSU_CLIENT(obj);

        g_cancellable_cancel(c->cancel);
        g_clear_pointer(&c->agent, tsu_agent_free);
        if (c->sessions)
                g_hash_table_remove_all(c->sessions);
        if (c->om)
                g_signal_handlers_disconnect_by_data(c->om, c);
        g_clear_object(&c->om);
        g_clear_object(&c->manager);
        g_clear_object(&c->bus);
        tsu_client_set_parent(c, NULL);
        G_OBJECT_CLASS(tsu_client_parent_class)->dispose(obj);
}

static void tsu_client_finalize(GObject *obj)
{
        TsuClient *c = TSU_CLIENT(obj);

        g_object_unref(c->cancel);
        g_hash_table_destroy(c->ours);
        g_hash_table_destroy(c->sessions);
        g_hash_table_destroy(c->states);
        g_free(c->problem);
        g_free(c->agent_path);
        G_OBJECT_CLASS(tsu_client_parent_class)->finalize(obj);
}

static void tsu_client_class_init(TsuClientClass *klass)
{
        GObjectClass *o = G_OBJECT_CLASS(klass);

        o->dispose = tsu_client_dispose;
        o->finalize = tsu_client_finalize;
        signals[SIG_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
        signals[SIG_PROFILE_UPDATED] =
                g_signal_new("profile-updated", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                             NULL, NULL, NULL, G_TYPE_NONE, 1, TSU_TYPE_PROFILE);
        signals[SIG_STATE_CHANGED] = g_signal_new(
                "state-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 4, TSU_TYPE_PROFILE, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
        signals[SIG_ERROR] = g_signal_new("error", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                          G_TYPE_STRING);
}

static void tsu_client_init(TsuClient *c)
{
        c->cancel = g_cancellable_new();
        c->ours = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        c->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, unwatch);
        c->states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}
