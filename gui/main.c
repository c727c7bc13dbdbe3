/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu-gtk: the window. One instance per session (GtkApplication
 * org.tsunagu.Gtk); files given on the command line or opened from a file
 * manager are imported.
 */
#include "gui/common/tsu-common.h"
#include "gui/common/tsu-i18n.h"
#include "window.h"

static TsuWindow *get_window(GtkApplication *app)
{
        GtkWindow *w = gtk_application_get_active_window(app);

        return w ? TSU_WINDOW(w) : tsu_window_new(app);
}

static void on_activate(GApplication *app, gpointer data)
{
        gtk_window_present(GTK_WINDOW(get_window(GTK_APPLICATION(app))));
}

static void on_open(GApplication *app, GFile **files, int n, const char *hint, gpointer data)
{
        TsuWindow *w = get_window(GTK_APPLICATION(app));

        gtk_window_present(GTK_WINDOW(w));
        for (int i = 0; i < n; i++)
                tsu_window_import_file(w, files[i]);
}

static void quit_activated(GSimpleAction *action, GVariant *param, gpointer app)
{
        g_application_quit(G_APPLICATION(app));
}

static void about_activated(GSimpleAction *action, GVariant *param, gpointer app)
{
        static const char *const authors[] = {"The tsunagu authors", NULL};

        gtk_show_about_dialog(gtk_application_get_active_window(GTK_APPLICATION(app)),
                              "program-name", "tsunagu", "version", PACKAGE_VERSION,
                              "logo-icon-name", "org.tsunagu.Gtk", "comments",
                              _("IKEv2/IPsec VPN client for remote work"), "license-type",
                              GTK_LICENSE_GPL_2_0, "website", PACKAGE_URL, "authors", authors,
                              "translator-credits", _("translator-credits"), NULL);
}

static void on_startup(GApplication *app, gpointer data)
{
        static const GActionEntry actions[] = {
                {.name = "quit", .activate = quit_activated},
                {.name = "about", .activate = about_activated},
        };
        static const char *const quit_accels[] = {"<Control>q", NULL};
        static const char *const import_accels[] = {"<Control>o", NULL};

        tsu_common_init();
        gtk_window_set_default_icon_name("org.tsunagu.Gtk");
        g_action_map_add_action_entries(G_ACTION_MAP(app), actions, G_N_ELEMENTS(actions), app);
        gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);
        gtk_application_set_accels_for_action(GTK_APPLICATION(app), "win.import", import_accels);
}

int main(int argc, char *argv[])
{
        g_autoptr(GtkApplication) app = NULL;

        tsu_i18n_init();
        g_set_application_name(_("tsunagu VPN"));
        app = gtk_application_new("org.tsunagu.Gtk", G_APPLICATION_HANDLES_OPEN);
        g_signal_connect(app, "startup", G_CALLBACK(on_startup), NULL);
        g_signal_connect(app, "activate", G_CALLBACK(on_activate), NULL);
        g_signal_connect(app, "open", G_CALLBACK(on_open), NULL);
        return g_application_run(G_APPLICATION(app), argc, argv);
}
