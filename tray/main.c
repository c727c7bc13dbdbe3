/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu-tray: a StatusNotifierItem (Ayatana AppIndicator) whose icon
 * follows the connections (disconnected, connecting, connected, error), a
 * menu with every profile (activate to connect or disconnect), "Open
 * tsunagu" and "Quit", notifications on connected / disconnected / failed,
 * and the user's secret agent (gui/common: the same dialog as the window).
 */
#include <string.h>

#include <gio/gdesktopappinfo.h>
#include <libayatana-appindicator/app-indicator.h>

#include "gui/common/tsu-client.h"
#include "gui/common/tsu-common.h"
#include "gui/common/tsu-format.h"
#include "gui/common/tsu-i18n.h"
#include "notify.h"

#define AGENT_PATH "/org/tsunagu/Tray/agent"
/* Profiles listed in the menu; the window shows them all. */
#define MAX_MENU_PROFILES 32

struct tray {
        GtkApplication *app;
        TsuClient *client;
        AppIndicator *indicator;
        GtkMenu *menu;
        struct tsu_notifier *notifier;
        GHashTable *states; /* profile path -> last state seen */
        bool building;
};

static void open_window(GtkMenuItem *item, gpointer data)
{
        const char *exe = g_getenv("TSUNAGU_GTK");
        g_autoptr(GError) error = NULL;

        if (!exe || !*exe) {
                g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new("org.tsunagu.Gtk.desktop");

                if (info && g_app_info_launch(G_APP_INFO(info), NULL, NULL, &error))
                        return;
                g_clear_error(&error);
                exe = BINDIR "/tsunagu-gtk";
        }
        {
                char *argv[] = {(char *)exe, NULL};

                if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &error))
                        g_warning("cannot start %s: %s", exe, error->message);
        }
}

static void quit(GtkMenuItem *item, gpointer data)
{
        struct tray *t = data;

        g_application_quit(G_APPLICATION(t->app));
}

static void on_profile_item(GtkMenuItem *item, gpointer data)
{
        struct tray *t = data;
        const char *path = g_object_get_data(G_OBJECT(item), "profile-path");
        TsuProfile *p = tsu_client_lookup_profile(t->client, path);
        enum tsu_look look;

        if (t->building || !p)
                return;
        look = tsu_state_look(tsu_client_profile_state(t->client, p));
        if (look == TSU_LOOK_CONNECTED || look == TSU_LOOK_CONNECTING)
                tsu_client_disconnect(t->client, p);
        else
                tsu_client_connect(t->client, p);
}

static GtkWidget *add_item(struct tray *t, const char *label, GCallback cb)
{
        GtkWidget *item = gtk_menu_item_new_with_mnemonic(label);

        g_signal_connect(item, "activate", cb, t);
        gtk_menu_shell_append(GTK_MENU_SHELL(t->menu), item);
        gtk_widget_show(item);
        return item;
}

/* The menu: one check item per profile ("Name — Connected"), then the rest. */
static void rebuild_menu(struct tray *t)
{
        g_autoptr(GPtrArray) profiles = tsu_client_dup_profiles(t->client);
        GList *children = gtk_container_get_children(GTK_CONTAINER(t->menu));
        const char *problem = tsu_client_get_problem(t->client);
        GtkWidget *sep;

        t->building = true;
        for (GList *l = children; l; l = l->next)
                gtk_widget_destroy(l->data);
        g_list_free(children);
        if (problem) {
                GtkWidget *item = gtk_menu_item_new_with_label(problem);

                gtk_widget_set_sensitive(item, FALSE);
                gtk_menu_shell_append(GTK_MENU_SHELL(t->menu), item);
                gtk_widget_show(item);
        } else if (profiles->len == 0) {
                GtkWidget *item = gtk_menu_item_new_with_label(_("No VPN profile"));

                gtk_widget_set_sensitive(item, FALSE);
                gtk_menu_shell_append(GTK_MENU_SHELL(t->menu), item);
                gtk_widget_show(item);
        }
        for (guint i = 0; i < profiles->len && i < MAX_MENU_PROFILES; i++) {
                TsuProfile *p = profiles->pdata[i];
                const char *state = tsu_client_profile_state(t->client, p);
                enum tsu_look look = tsu_state_look(state);
                g_autofree char *name = tsu_sanitize_text(tsu_profile_get_name(p), 60);
                g_autofree char *st = tsu_state_label(state);
                /* TRANSLATORS: a profile in the tray menu: name — state. */
                g_autofree char *label = g_strdup_printf(_("%s — %s"), name, st);
                GtkWidget *item = gtk_check_menu_item_new_with_label(label);

                gtk_check_menu_item_set_active(GTK_CHECK_MENU_ITEM(item),
                                               look == TSU_LOOK_CONNECTED ||
                                                       look == TSU_LOOK_CONNECTING);
                g_object_set_data_full(G_OBJECT(item), "profile-path",
                                       g_strdup(g_dbus_proxy_get_object_path(G_DBUS_PROXY(p))),
                                       g_free);
                g_signal_connect(item, "activate", G_CALLBACK(on_profile_item), t);
                gtk_menu_shell_append(GTK_MENU_SHELL(t->menu), item);
                gtk_widget_show(item);
        }
        sep = gtk_separator_menu_item_new();
        gtk_menu_shell_append(GTK_MENU_SHELL(t->menu), sep);
        gtk_widget_show(sep);
        add_item(t, _("_Open tsunagu"), G_CALLBACK(open_window));
        add_item(t, _("_Quit"), G_CALLBACK(quit));
        t->building = false;
}

/* The icon: connected wins over connecting, which wins over an error. */
static void update_icon(struct tray *t)
{
        g_autoptr(GPtrArray) profiles = tsu_client_dup_profiles(t->client);
        bool any[TSU_LOOK_ERROR + 1] = {false};
        enum tsu_look look = TSU_LOOK_DISCONNECTED;
        g_autofree char *desc = NULL;

        for (guint i = 0; i < profiles->len; i++)
                any[tsu_state_look(tsu_client_profile_state(t->client, profiles->pdata[i]))] = true;
        if (any[TSU_LOOK_CONNECTED])
                look = TSU_LOOK_CONNECTED;
        else if (any[TSU_LOOK_CONNECTING])
                look = TSU_LOOK_CONNECTING;
        else if (any[TSU_LOOK_ERROR] || !tsu_client_is_ready(t->client))
                look = TSU_LOOK_ERROR;
        switch (look) {
        case TSU_LOOK_CONNECTED:
                desc = g_strdup(_("VPN connected"));
                break;
        case TSU_LOOK_CONNECTING:
                desc = g_strdup(_("VPN connecting"));
                break;
        case TSU_LOOK_ERROR:
                desc = g_strdup(_("VPN error"));
                break;
        default:
                desc = g_strdup(_("VPN disconnected"));
                break;
        }
        app_indicator_set_icon_full(t->indicator, tsu_look_icon(look), desc);
        app_indicator_set_title(t->indicator, desc);
        app_indicator_set_status(t->indicator, look == TSU_LOOK_ERROR
                                                       ? APP_INDICATOR_STATUS_ATTENTION
                                                       : APP_INDICATOR_STATUS_ACTIVE);
}

static void refresh(struct tray *t)
{
        rebuild_menu(t);
        update_icon(t);
}

static void on_changed(TsuClient *c, gpointer data)
{
        refresh(data);
}

static void on_profile_updated(TsuClient *c, TsuProfile *p, gpointer data)
{
        refresh(data);
}

static void on_state_changed(TsuClient *c, TsuProfile *p, const char *state, const char *reason,
                             const char *message, gpointer data)
{
        struct tray *t = data;
        const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(p));
        const char *before = g_hash_table_lookup(t->states, path);
        g_autofree char *name = tsu_sanitize_text(tsu_profile_get_name(p), 60);
        g_autofree char *summary = NULL, *body = NULL, *safe = NULL;

        if (g_strcmp0(before, state) == 0)
                return;
        if (strcmp(state, "connected") == 0) {
                TsuSession *s = tsu_client_lookup_session(c, p);
                const char *const *vips = s ? tsu_session_get_virtual_ips(s) : NULL;

                /* TRANSLATORS: notification; %s is a profile name. */
                summary = g_strdup_printf(_("Connected to %s"), name);
                if (vips && vips[0]) {
                        g_autofree char *ip = tsu_sanitize_text(vips[0], 64);

                        /* TRANSLATORS: notification body; %s is an address. */
                        body = g_strdup_printf(_("Your address in the VPN is %s."), ip);
                }
                tsu_notify(t->notifier, path, tsu_look_icon(TSU_LOOK_CONNECTED), summary, body,
                           false);
        } else if (strcmp(state, "failed") == 0) {
                /* TRANSLATORS: notification; %s is a profile name. */
                summary = g_strdup_printf(_("Cannot connect to %s"), name);
                safe = message && *message ? tsu_sanitize_text(message, 300)
                                           : tsu_reason_label(reason);
                body = g_markup_escape_text(safe, -1);
                tsu_notify(t->notifier, path, tsu_look_icon(TSU_LOOK_ERROR), summary, body, true);
        } else if (strcmp(state, "disconnected") == 0 && before &&
                   strcmp(before, "failed") != 0) {
                /* TRANSLATORS: notification; %s is a profile name. */
                summary = g_strdup_printf(_("Disconnected from %s"), name);
                tsu_notify(t->notifier, path, tsu_look_icon(TSU_LOOK_DISCONNECTED), summary, NULL,
                           false);
        }
        g_hash_table_replace(t->states, g_strdup(path), g_strdup(state));
        refresh(t);
}

static void on_activate(GApplication *app, gpointer data)
{
        /* A second start: nothing to show, the icon is there. */
}

static void on_startup(GApplication *app, gpointer data)
{
        struct tray *t = data;
        const char *theme_path = g_getenv("TSUNAGU_ICON_THEME_PATH");

        tsu_common_init();
        g_application_hold(app);
        t->notifier = tsu_notifier_new();
        t->states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        t->menu = GTK_MENU(gtk_menu_new());
        g_object_ref_sink(t->menu);
        t->indicator = app_indicator_new("tsunagu", tsu_look_icon(TSU_LOOK_DISCONNECTED),
                                         APP_INDICATOR_CATEGORY_COMMUNICATIONS);
        if (theme_path && *theme_path)
                app_indicator_set_icon_theme_path(t->indicator, theme_path);
        app_indicator_set_attention_icon_full(t->indicator, tsu_look_icon(TSU_LOOK_ERROR),
                                              _("VPN error"));
        t->client = tsu_client_new(AGENT_PATH);
        g_signal_connect(t->client, "changed", G_CALLBACK(on_changed), t);
        g_signal_connect(t->client, "profile-updated", G_CALLBACK(on_profile_updated), t);
        g_signal_connect(t->client, "state-changed", G_CALLBACK(on_state_changed), t);
        refresh(t);
        app_indicator_set_menu(t->indicator, t->menu);
        app_indicator_set_status(t->indicator, APP_INDICATOR_STATUS_ACTIVE);
}

static void on_shutdown(GApplication *app, gpointer data)
{
        struct tray *t = data;

        if (t->client)
                g_signal_handlers_disconnect_by_data(t->client, t);
        g_clear_object(&t->client);
        g_clear_object(&t->indicator);
        if (t->menu)
                gtk_widget_destroy(GTK_WIDGET(t->menu));
        g_clear_object(&t->menu);
        g_clear_pointer(&t->states, g_hash_table_destroy);
        g_clear_pointer(&t->notifier, tsu_notifier_free);
}

int main(int argc, char *argv[])
{
        struct tray t = {0};
        int r;

        tsu_i18n_init();
        g_set_application_name(_("tsunagu VPN"));
        t.app = gtk_application_new("org.tsunagu.Tray", G_APPLICATION_DEFAULT_FLAGS);
        g_signal_connect(t.app, "startup", G_CALLBACK(on_startup), &t);
        g_signal_connect(t.app, "activate", G_CALLBACK(on_activate), &t);
        g_signal_connect(t.app, "shutdown", G_CALLBACK(on_shutdown), &t);
        r = g_application_run(G_APPLICATION(t.app), argc, argv);
        g_object_unref(t.app);
        return r;
}
