/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "client/common/bytes.h"
#include "tsu-i18n.h"
#include "tsu-keyring.h"

void tsu_keyring_secret_free(char *secret)
{
        if (secret)
                secure_free(secret, strlen(secret));
}

#if HAVE_LIBSECRET

static const SecretSchema *schema(void)
{
        static const SecretSchema s = {
                "org.tsunagu.Password",
                SECRET_SCHEMA_NONE,
                {
                        {"uuid", SECRET_SCHEMA_ATTRIBUTE_STRING},
                        {"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
                        {NULL, 0},
                },
        };

        return &s;
}

bool tsu_keyring_available(void)
{
        return true;
}

struct lookup {
        tsu_keyring_lookup_fn done;
        gpointer user_data;
};

static void on_lookup(GObject *src, GAsyncResult *res, gpointer data)
{
        struct lookup *l = data;
        g_autoptr(GError) error = NULL;
        char *pw = secret_password_lookup_finish(res, &error);
        char *copy = NULL;

        if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                g_message("keyring lookup: %s", error->message);
        if (pw) {
                /* Our own copy, wiped by tsu_keyring_secret_free. */
                copy = g_strdup(pw);
                secret_password_free(pw);
        }
        l->done(copy, l->user_data);
        g_free(l);
}

void tsu_keyring_lookup(const char *uuid, const char *kind, GCancellable *cancel,
                        tsu_keyring_lookup_fn done, gpointer user_data)
{
        struct lookup *l = g_new0(struct lookup, 1);

        l->done = done;
        l->user_data = user_data;
        secret_password_lookup(schema(), cancel, on_lookup, l, "uuid", uuid, "kind", kind, NULL);
}

struct has {
        tsu_keyring_has_fn done;
        gpointer user_data;
};

static void on_search(GObject *src, GAsyncResult *res, gpointer data)
{
        struct has *h = data;
        g_autoptr(GError) error = NULL;
        GList *items = secret_password_search_finish(res, &error);

        h->done(error ? -1 : items != NULL, h->user_data);
        g_list_free_full(items, g_object_unref);
        g_free(h);
}

void tsu_keyring_has(const char *uuid, const char *kind, GCancellable *cancel,
                     tsu_keyring_has_fn done, gpointer user_data)
{
        struct has *h = g_new0(struct has, 1);

        h->done = done;
        h->user_data = user_data;
        secret_password_search(schema(), SECRET_SEARCH_ALL, cancel, on_search, h, "uuid", uuid,
                               "kind", kind, NULL);
}

static void on_stored(GObject *src, GAsyncResult *res, gpointer data)
{
        g_autoptr(GError) error = NULL;

        if (!secret_password_store_finish(res, &error))
                g_warning("cannot remember the password in the keyring: %s", error->message);
}

void tsu_keyring_store(const char *uuid, const char *kind, const char *profile_name,
                       const char *secret)
{
        /* TRANSLATORS: the label of the keyring item; %s is the profile's name. */
        g_autofree char *label = g_strdup_printf(_("VPN password for %s"), profile_name);

        secret_password_store(schema(), SECRET_COLLECTION_DEFAULT, label, secret, NULL, on_stored,
                              NULL, "uuid", uuid, "kind", kind, NULL);
}

static void on_cleared(GObject *src, GAsyncResult *res, gpointer data)
{
        g_autoptr(GError) error = NULL;

        if (!secret_password_clear_finish(res, &error) && error)
                g_warning("cannot forget the password in the keyring: %s", error->message);
}

void tsu_keyring_clear(const char *uuid, const char *kind)
{
        if (kind)
                secret_password_clear(schema(), NULL, on_cleared, NULL, "uuid", uuid, "kind", kind,
                                      NULL);
        else
                secret_password_clear(schema(), NULL, on_cleared, NULL, "uuid", uuid, NULL);
}

#else /* !HAVE_LIBSECRET */

bool tsu_keyring_available(void)
{
        return false;
}

void tsu_keyring_lookup(const char *uuid, const char *kind, GCancellable *cancel,
                        tsu_keyring_lookup_fn done, gpointer user_data)
{
        done(NULL, user_data);
}

void tsu_keyring_has(const char *uuid, const char *kind, GCancellable *cancel,
                     tsu_keyring_has_fn done, gpointer user_data)
{
        done(-1, user_data);
}

void tsu_keyring_store(const char *uuid, const char *kind, const char *profile_name,
                       const char *secret)
{
}

void tsu_keyring_clear(const char *uuid, const char *kind)
{
}

#endif
