/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "notify.h"

#define NOTIFY_NAME  "org.freedesktop.Notifications"
#define NOTIFY_PATH  "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"

struct tsu_notifier {
        GDBusConnection *bus;
        GHashTable *ids; /* key -> the server's id (GUINT_TO_POINTER), to replace */
};

struct tsu_notifier *tsu_notifier_new(void)
{
        struct tsu_notifier *n = g_new0(struct tsu_notifier, 1);
        g_autoptr(GError) error = NULL;

        n->bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
        if (!n->bus)
                g_message("no session bus, no notifications: %s", error->message);
        n->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        return n;
}

void tsu_notifier_free(struct tsu_notifier *n)
{
        if (!n)
                return;
        g_clear_object(&n->bus);
        g_hash_table_destroy(n->ids);
        g_free(n);
}

struct sent {
        struct tsu_notifier *n;
        char *key;
};

static void on_sent(GObject *src, GAsyncResult *res, gpointer data)
{
        struct sent *s = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &error);

        if (ret) {
                guint32 id;

                g_variant_get(ret, "(u)", &id);
                g_hash_table_replace(s->n->ids, g_strdup(s->key), GUINT_TO_POINTER(id));
        } else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
                g_debug("notification not shown: %s", error->message);
        }
        g_free(s->key);
        g_free(s);
}

void tsu_notify(struct tsu_notifier *n, const char *key, const char *icon, const char *summary,
                const char *body, bool urgent)
{
        GVariantBuilder hints;
        struct sent *s;

        if (!n || !n->bus)
                return;
        g_variant_builder_init(&hints, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&hints, "{sv}", "desktop-entry",
                              g_variant_new_string("org.tsunagu.Gtk"));
        g_variant_builder_add(&hints, "{sv}", "urgency", g_variant_new_byte(urgent ? 2 : 1));
        g_variant_builder_add(&hints, "{sv}", "category",
                              g_variant_new_string(urgent ? "network.error" : "network.connected"));
        s = g_new0(struct sent, 1);
        s->n = n;
        s->key = g_strdup(key);
        /* The notifier outlives the calls: it is freed when the program ends. */
        g_dbus_connection_call(
                n->bus, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE, "Notify",
                g_variant_new("(susss@as@a{sv}i)", "tsunagu",
                              GPOINTER_TO_UINT(g_hash_table_lookup(n->ids, key)), icon, summary,
                              body ? body : "", g_variant_new_strv(NULL, 0),
                              g_variant_builder_end(&hints), -1),
                G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_sent, s);
}
