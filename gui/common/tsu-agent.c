/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent answers only the helper (the bus policy lets only root call
 * agents; we check the sender is tsunagud's unique name too). A secret
 * leaves this process once, as the reply to GetSecret or in Connect's
 * options, and every copy we make is wiped. "Remember" takes effect only
 * when the connection comes up: a password that did not work is never
 * stored, and one from the keyring that the gateway refused is forgotten.
 */
#include <string.h>

#include "client/dbus/errors.h"
#include "tsu-agent.h"
#include "tsu-client.h"
#include "tsu-i18n.h"
#include "tsu-keyring.h"
#include "tsu-secret-dialog.h"

struct tsu_agent {
        struct _TsuClient *client; /* owns us */
        GDBusConnection *bus;
        char *path;
        TsuSecretAgent *skel;
        GHashTable *pending;      /* profile path -> struct request */
        GHashTable *remember;     /* profile path -> struct keep: store when connected */
        GHashTable *from_keyring; /* profile path -> kind answered from the keyring */
};

struct request {
        struct tsu_agent *a;
        GDBusMethodInvocation *inv; /* NULL once answered */
        char *profile_path;
        char *kind;
        char *prompt;
        char *hint_name;
        GCancellable *lookup;
        TsuSecretDialog *dialog;
};

struct keep {
        char *uuid;
        char *name;
        char *kind;
        char *secret;
};

static void keep_free(gpointer data)
{
        struct keep *k = data;

        g_free(k->uuid);
        g_free(k->name);
        g_free(k->kind);
        tsu_keyring_secret_free(k->secret);
        g_free(k);
}

static void reply_cancelled(GDBusMethodInvocation *inv, const char *why)
{
        g_dbus_method_invocation_return_dbus_error(inv, tsu_error_dbus_name(TSU_ERROR_CANCELLED),
                                                   why);
}

/* Freed by removing it from a->pending. An unanswered request is cancelled. */
static void request_free(gpointer data)
{
        struct request *r = data;

        if (r->inv)
                reply_cancelled(g_steal_pointer(&r->inv), "the request was withdrawn");
        if (r->lookup) {
                g_cancellable_cancel(r->lookup);
                g_object_unref(r->lookup);
        }
        if (r->dialog)
                gtk_widget_destroy(GTK_WIDGET(g_steal_pointer(&r->dialog)));
        g_free(r->profile_path);
        g_free(r->kind);
        g_free(r->prompt);
        g_free(r->hint_name);
        g_free(r);
}

static void request_answer(struct request *r, const char *secret)
{
        if (secret)
                tsu_secret_agent_complete_get_secret(r->a->skel, g_steal_pointer(&r->inv), secret);
        else
                reply_cancelled(g_steal_pointer(&r->inv), "the user cancelled");
        g_hash_table_remove(r->a->pending, r->profile_path);
}

static bool is_secret_kind(const char *kind)
{
        return strcmp(kind, "password") == 0 || strcmp(kind, "passphrase") == 0;
}

static void remember_later(struct tsu_agent *a, TsuProfile *p, const char *kind,
                           const char *secret)
{
        struct keep *k = g_new0(struct keep, 1);

        k->uuid = g_strdup(tsu_profile_get_uuid(p));
        k->name = g_strdup(tsu_profile_get_name(p));
        k->kind = g_strdup(kind);
        k->secret = g_strdup(secret);
        g_hash_table_replace(a->remember, g_strdup(g_dbus_proxy_get_object_path(G_DBUS_PROXY(p))),
                             k);
}

static void on_dialog_response(GtkDialog *dialog, int response, gpointer data)
{
        struct request *r = data;
        struct tsu_agent *a = r->a;
        TsuSecretDialog *d = TSU_SECRET_DIALOG(dialog);
        TsuProfile *p = tsu_client_lookup_profile(a->client, r->profile_path);

        if (response != GTK_RESPONSE_OK) {
                request_answer(r, NULL);
                return;
        }
        if (p && tsu_secret_dialog_get_remember(d))
                remember_later(a, p, r->kind, tsu_secret_dialog_get_secret(d));
        else
                g_hash_table_remove(a->remember, r->profile_path);
        /* A typed answer replaces what the keyring gave. */
        g_hash_table_remove(a->from_keyring, r->profile_path);
        request_answer(r, tsu_secret_dialog_get_secret(d));
}

static void show_dialog(struct request *r)
{
        TsuProfile *p = tsu_client_lookup_profile(r->a->client, r->profile_path);
        struct tsu_secret_request req = {
                .profile_name = p ? tsu_profile_get_name(p) : r->hint_name,
                .gateway = p ? tsu_profile_get_gateway(p) : "",
                .kind = r->kind,
                .prompt = r->prompt,
                .can_remember = p && tsu_keyring_available() && is_secret_kind(r->kind),
        };

        r->dialog = tsu_secret_dialog_new(tsu_client_get_parent(r->a->client), &req);
        g_signal_connect(r->dialog, "response", G_CALLBACK(on_dialog_response), r);
        gtk_window_present(GTK_WINDOW(r->dialog));
}

struct lookup {
        GCancellable *cancel;
        struct request *r;
};

static void on_keyring(char *secret, gpointer data)
{
        struct lookup *l = data;

        if (!g_cancellable_is_cancelled(l->cancel)) {
                struct request *r = l->r;

                g_clear_object(&r->lookup);
                if (secret) {
                        g_hash_table_replace(r->a->from_keyring, g_strdup(r->profile_path),
                                             g_strdup(r->kind));
                        request_answer(r, secret);
                } else {
                        show_dialog(r);
                }
        }
        tsu_keyring_secret_free(secret);
        g_object_unref(l->cancel);
        g_free(l);
}

static gboolean on_get_secret(TsuSecretAgent *skel, GDBusMethodInvocation *inv,
                              const char *profile_path, const char *kind, const char *prompt,
                              GVariant *hints, gpointer data)
{
        struct tsu_agent *a = data;
        g_autofree char *owner = tsu_client_dup_helper_owner(a->client);
        const char *sender = g_dbus_method_invocation_get_sender(inv);
        TsuProfile *p;
        struct request *r;

        if (!owner || g_strcmp0(owner, sender) != 0) {
                g_dbus_method_invocation_return_dbus_error(
                        inv, tsu_error_dbus_name(TSU_ERROR_NOT_AUTHORIZED),
                        "only tsunagud may ask");
                return TRUE;
        }
        if (!is_secret_kind(kind) && strcmp(kind, "username") != 0) {
                g_dbus_method_invocation_return_dbus_error(
                        inv, tsu_error_dbus_name(TSU_ERROR_INVALID_ARGS), "unknown kind");
                return TRUE;
        }
        /* A new question for the same profile replaces the old one. */
        g_hash_table_remove(a->pending, profile_path);
        r = g_new0(struct request, 1);
        r->a = a;
        r->inv = inv;
        r->profile_path = g_strdup(profile_path);
        r->kind = g_strdup(kind);
        r->prompt = g_strdup(prompt);
        if (!g_variant_lookup(hints, "profile-name", "s", &r->hint_name))
                r->hint_name = g_strdup(profile_path);
        g_hash_table_insert(a->pending, g_strdup(profile_path), r);

        p = tsu_client_lookup_profile(a->client, profile_path);
        if (p && is_secret_kind(kind) && tsu_keyring_available()) {
                struct lookup *l = g_new0(struct lookup, 1);

                r->lookup = g_cancellable_new();
                l->cancel = g_object_ref(r->lookup);
                l->r = r;
                tsu_keyring_lookup(tsu_profile_get_uuid(p), kind, r->lookup, on_keyring, l);
                return TRUE;
        }
        show_dialog(r);
        return TRUE;
}

static gboolean on_cancel(TsuSecretAgent *skel, GDBusMethodInvocation *inv,
                          const char *profile_path, gpointer data)
{
        struct tsu_agent *a = data;
        g_autofree char *owner = tsu_client_dup_helper_owner(a->client);

        if (!owner || g_strcmp0(owner, g_dbus_method_invocation_get_sender(inv)) != 0) {
                g_dbus_method_invocation_return_dbus_error(
                        inv, tsu_error_dbus_name(TSU_ERROR_NOT_AUTHORIZED),
                        "only tsunagud may ask");
                return TRUE;
        }
        g_hash_table_remove(a->pending, profile_path);
        tsu_secret_agent_complete_cancel_get_secret(skel, inv);
        return TRUE;
}

struct tsu_agent *tsu_agent_new(struct _TsuClient *client, GDBusConnection *bus,
                                const char *path)
{
        g_autoptr(GError) error = NULL;
        struct tsu_agent *a = g_new0(struct tsu_agent, 1);

        a->client = client;
        a->bus = g_object_ref(bus);
        a->path = g_strdup(path);
        a->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, request_free);
        a->remember = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, keep_free);
        a->from_keyring = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        a->skel = tsu_secret_agent_skeleton_new();
        g_signal_connect(a->skel, "handle-get-secret", G_CALLBACK(on_get_secret), a);
        g_signal_connect(a->skel, "handle-cancel-get-secret", G_CALLBACK(on_cancel), a);
        if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(a->skel), bus, path,
                                              &error))
                g_warning("cannot export the secret agent at %s: %s", path, error->message);
        return a;
}

void tsu_agent_free(struct tsu_agent *a)
{
        if (!a)
                return;
        g_hash_table_destroy(a->pending);
        g_hash_table_destroy(a->remember);
        g_hash_table_destroy(a->from_keyring);
        g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(a->skel));
        g_object_unref(a->skel);
        g_object_unref(a->bus);
        g_free(a->path);
        g_free(a);
}

static void on_registered(GObject *src, GAsyncResult *res, gpointer data)
{
        g_autoptr(GError) error = NULL;

        if (!tsu_manager_call_register_agent_finish(TSU_MANAGER(src), res, &error))
                g_warning("cannot register as the secret agent: %s", error->message);
}

void tsu_agent_register(struct tsu_agent *a, TsuManager *manager)
{
        tsu_manager_call_register_agent(manager, a->path, NULL, on_registered, a);
}

bool tsu_agent_session_done(struct tsu_agent *a, TsuProfile *p, bool connected,
                            bool wrong_password)
{
        const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(p));
        struct keep *k = g_hash_table_lookup(a->remember, path);
        const char *kind = g_hash_table_lookup(a->from_keyring, path);
        bool remembered = k || kind;

        if (connected && k)
                tsu_keyring_store(k->uuid, k->kind, k->name, k->secret);
        if (wrong_password && kind)
                tsu_keyring_clear(tsu_profile_get_uuid(p), kind);
        g_hash_table_remove(a->remember, path);
        if (!connected)
                g_hash_table_remove(a->from_keyring, path);
        return remembered;
}

struct again {
        struct tsu_agent *a;
        TsuProfile *p;
        tsu_agent_ask_fn done;
        gpointer user_data;
};

static void on_again_response(GtkDialog *dialog, int response, gpointer data)
{
        struct again *g = data;
        TsuSecretDialog *d = TSU_SECRET_DIALOG(dialog);
        char *secret = NULL;

        if (response == GTK_RESPONSE_OK) {
                secret = g_strdup(tsu_secret_dialog_get_secret(d));
                if (tsu_secret_dialog_get_remember(d))
                        remember_later(g->a, g->p, "password", secret);
        }
        gtk_widget_destroy(GTK_WIDGET(dialog));
        g->done(secret, g->user_data);
        g_object_unref(g->p);
        g_free(g);
}

void tsu_agent_ask_again(struct tsu_agent *a, GtkWindow *parent, TsuProfile *p,
                         const char *message, bool remember, tsu_agent_ask_fn done,
                         gpointer user_data)
{
        struct again *g = g_new0(struct again, 1);
        struct tsu_secret_request req = {
                .profile_name = tsu_profile_get_name(p),
                .gateway = tsu_profile_get_gateway(p),
                .kind = "password",
                .error = message,
                .can_remember = tsu_keyring_available(),
                .remember = remember,
        };
        TsuSecretDialog *d;

        g->a = a;
        g->p = g_object_ref(p);
        g->done = done;
        g->user_data = user_data;
        d = tsu_secret_dialog_new(parent, &req);
        g_signal_connect(d, "response", G_CALLBACK(on_again_response), g);
        gtk_window_present(GTK_WINDOW(d));
}
