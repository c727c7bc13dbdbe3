/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "client/dbus/errors.h"
#include "gui/common/tsu-client.h"
#include "gui/common/tsu-format.h"
#include "gui/common/tsu-i18n.h"
#include "profile-row.h"
#include "profile-view.h"
#include "window.h"

#define AGENT_PATH "/org/tsunagu/Gtk/agent"
/* Lines of an import error shown in the info bar. */
#define MAX_MESSAGE_LINES 20

struct _TsuWindow {
        GtkApplicationWindow parent;
        GtkHeaderBar *header;
        GtkInfoBar *info_bar;
        GtkLabel *info_label;
        GtkListBox *profile_list;
        TsuProfileView *profile_view;

        TsuClient *client;
        GHashTable *rows;  /* object path -> TsuProfileRow (borrowed: the list owns it) */
        char *select_path; /* a profile just imported: select it when it shows up */
};

G_DEFINE_TYPE(TsuWindow, tsu_window, GTK_TYPE_APPLICATION_WINDOW)

/* ------------------------------------------------------------ the info bar */

static void show_message(TsuWindow *w, GtkMessageType type, const char *markup)
{
        gtk_info_bar_set_message_type(w->info_bar, type);
        gtk_label_set_markup(w->info_label, markup);
        gtk_info_bar_set_revealed(w->info_bar, TRUE);
}

static void show_text(TsuWindow *w, GtkMessageType type, const char *title, const char *body)
{
        g_autofree char *t = title ? g_markup_escape_text(title, -1) : NULL;
        g_autoptr(GString) m = g_string_new(NULL);
        g_auto(GStrv) lines = g_strsplit(body ? body : "", "\n", -1);
        size_t n = 0;

        if (t)
                g_string_append_printf(m, "<b>%s</b>", t);
        for (char **l = lines; *l; l++) {
                g_autofree char *safe = tsu_sanitize_text(*l, 400);
                g_autofree char *esc = g_markup_escape_text(safe, -1);

                if (!*safe)
                        continue;
                if (n++ == MAX_MESSAGE_LINES) {
                        g_string_append(m, "\n…");
                        break;
                }
                g_string_append_printf(m, "%s%s", m->len ? "\n" : "", esc);
        }
        show_message(w, type, m->str);
}

static void on_info_bar_response(GtkInfoBar *bar, int response, TsuWindow *w)
{
        if (response == GTK_RESPONSE_CLOSE)
                gtk_info_bar_set_revealed(bar, FALSE);
}

static void on_client_error(TsuClient *c, const char *title, const char *text, TsuWindow *w)
{
        show_text(w, GTK_MESSAGE_ERROR, title, text);
}

static void on_view_message(TsuProfileView *v, int type, const char *text, TsuWindow *w)
{
        show_text(w, (GtkMessageType)type, NULL, text);
}

/* ------------------------------------------------------------ the list */

static int sort_rows(GtkListBoxRow *a, GtkListBoxRow *b, gpointer data)
{
        TsuProfile *x = tsu_profile_row_get_profile(TSU_PROFILE_ROW(a));
        TsuProfile *y = tsu_profile_row_get_profile(TSU_PROFILE_ROW(b));

        return g_utf8_collate(tsu_profile_get_name(x) ? tsu_profile_get_name(x) : "",
                              tsu_profile_get_name(y) ? tsu_profile_get_name(y) : "");
}

static void update_placeholder(TsuWindow *w)
{
        const char *problem = tsu_client_get_problem(w->client);
        unsigned n = g_hash_table_size(w->rows);
        g_autofree char *subtitle = NULL;

        if (problem)
                tsu_profile_view_set_placeholder(w->profile_view, problem);
        else if (n == 0)
                tsu_profile_view_set_placeholder(
                        w->profile_view,
                        _("No VPN profile yet.\n\nImport the file your IT department sent you "
                          "with “Import…” (Ctrl+O), or drop it on this window."));
        else
                tsu_profile_view_set_placeholder(w->profile_view, _("Select a profile."));
        if (problem)
                subtitle = g_strdup(problem);
        else
                subtitle = g_strdup_printf(g_dngettext(GETTEXT_PACKAGE, "%u profile",
                                                       "%u profiles", n),
                                           n);
        gtk_header_bar_set_subtitle(w->header, subtitle);
}

static void rebuild(TsuClient *c, TsuWindow *w)
{
        g_autoptr(GPtrArray) profiles = tsu_client_dup_profiles(c);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        GHashTableIter it;
        gpointer key, value;
        TsuProfile *selected = tsu_profile_view_get_profile(w->profile_view);
        bool selected_gone = selected != NULL;

        for (guint i = 0; i < profiles->len; i++) {
                TsuProfile *p = profiles->pdata[i];
                const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(p));
                TsuProfileRow *row = g_hash_table_lookup(w->rows, path);

                g_hash_table_add(seen, (gpointer)path);
                if (row && tsu_profile_row_get_profile(row) != p) {
                        /* The helper came back: new proxies for the same path. */
                        g_hash_table_remove(w->rows, path);
                        gtk_widget_destroy(GTK_WIDGET(row));
                        row = NULL;
                }
                if (!row) {
                        row = tsu_profile_row_new(p);
                        g_hash_table_insert(w->rows, g_strdup(path), row);
                        gtk_container_add(GTK_CONTAINER(w->profile_list), GTK_WIDGET(row));
                }
                if (p == selected)
                        selected_gone = false;
                tsu_profile_row_update(row, tsu_client_profile_state(c, p));
        }
        g_hash_table_iter_init(&it, w->rows);
        while (g_hash_table_iter_next(&it, &key, &value))
                if (!g_hash_table_contains(seen, key)) {
                        gtk_widget_destroy(GTK_WIDGET(value));
                        g_hash_table_iter_remove(&it);
                }
        gtk_list_box_invalidate_sort(w->profile_list);
        if (w->select_path && g_hash_table_contains(w->rows, w->select_path)) {
                gtk_list_box_select_row(w->profile_list,
                                        g_hash_table_lookup(w->rows, w->select_path));
                g_clear_pointer(&w->select_path, g_free);
        } else if (selected_gone || !gtk_list_box_get_selected_row(w->profile_list)) {
                GtkListBoxRow *first = gtk_list_box_get_row_at_index(w->profile_list, 0);

                tsu_profile_view_set_profile(w->profile_view, NULL);
                if (first)
                        gtk_list_box_select_row(w->profile_list, first);
        }
        update_placeholder(w);
}

static void on_row_selected(GtkListBox *list, GtkListBoxRow *row, TsuWindow *w)
{
        tsu_profile_view_set_profile(w->profile_view,
                                     row ? tsu_profile_row_get_profile(TSU_PROFILE_ROW(row)) : NULL);
}

static void on_profile_updated(TsuClient *c, TsuProfile *p, TsuWindow *w)
{
        TsuProfileRow *row =
                g_hash_table_lookup(w->rows, g_dbus_proxy_get_object_path(G_DBUS_PROXY(p)));

        if (row) {
                tsu_profile_row_update(row, tsu_client_profile_state(c, p));
                gtk_list_box_invalidate_sort(w->profile_list);
        }
        if (tsu_profile_view_get_profile(w->profile_view) == p)
                tsu_profile_view_update(w->profile_view);
}

static void on_state_changed(TsuClient *c, TsuProfile *p, const char *state, const char *reason,
                             const char *message, TsuWindow *w)
{
        on_profile_updated(c, p, w);
}

/* ------------------------------------------------------------ importing */

struct import {
        TsuWindow *w;
        GFile *file;
        char *name; /* for messages */
        guint8 *buf;
        gsize len;
};

static void import_free(struct import *im)
{
        g_object_unref(im->w);
        g_object_unref(im->file);
        g_free(im->name);
        g_free(im->buf);
        g_free(im);
}

static void on_imported(GObject *src, GAsyncResult *res, gpointer data)
{
        struct import *im = data;
        TsuWindow *w = im->w;
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;
        g_auto(GStrv) warnings = NULL;
        g_autofree char *title = NULL;

        if (!tsu_client_import_finish(w->client, res, &path, &warnings, &error)) {
                /* TRANSLATORS: %s is a file name. */
                title = g_strdup_printf(_("Cannot import %s"), im->name);
                show_text(w, GTK_MESSAGE_ERROR, title, error->message);
                import_free(im);
                return;
        }
        g_free(w->select_path);
        w->select_path = g_strdup(path);
        if (g_hash_table_contains(w->rows, path)) {
                gtk_list_box_select_row(w->profile_list, g_hash_table_lookup(w->rows, path));
                g_clear_pointer(&w->select_path, g_free);
        }
        if (warnings && *warnings) {
                g_autofree char *body = g_strjoinv("\n", warnings);

                /* TRANSLATORS: %s is a file name. */
                title = g_strdup_printf(_("Imported %s, with warnings"), im->name);
                show_text(w, GTK_MESSAGE_WARNING, title, body);
        } else {
                /* TRANSLATORS: %s is a file name. */
                title = g_strdup_printf(_("Imported %s."), im->name);
                show_text(w, GTK_MESSAGE_INFO, title, NULL);
        }
        import_free(im);
}

static void on_read(GObject *src, GAsyncResult *res, gpointer data)
{
        struct import *im = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = NULL;

        if (!g_input_stream_read_all_finish(G_INPUT_STREAM(src), res, &im->len, &error)) {
                g_autofree char *title = g_strdup_printf(_("Cannot import %s"), im->name);

                show_text(im->w, GTK_MESSAGE_ERROR, title, error->message);
                import_free(im);
                return;
        }
        g_input_stream_close(G_INPUT_STREAM(src), NULL, NULL);
        /* We asked for one byte more than the helper takes: a bigger file
         * is refused here, before it crosses the bus. */
        bytes = g_bytes_new(im->buf, im->len);
        tsu_client_import(im->w->client, bytes, im->name, NULL, on_imported, im);
}

static void on_opened(GObject *src, GAsyncResult *res, gpointer data)
{
        struct import *im = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GFileInputStream) in = g_file_read_finish(G_FILE(src), res, &error);

        if (!in) {
                g_autofree char *title = g_strdup_printf(_("Cannot import %s"), im->name);

                show_text(im->w, GTK_MESSAGE_ERROR, title, error->message);
                import_free(im);
                return;
        }
        im->buf = g_malloc(TSU_CLIENT_MAX_IMPORT + 1);
        g_input_stream_read_all_async(G_INPUT_STREAM(in), im->buf, TSU_CLIENT_MAX_IMPORT + 1,
                                      G_PRIORITY_DEFAULT, NULL, on_read, im);
}

void tsu_window_import_file(TsuWindow *w, GFile *file)
{
        struct import *im = g_new0(struct import, 1);
        g_autofree char *base = g_file_get_basename(file);

        im->w = g_object_ref(w);
        im->file = g_object_ref(file);
        im->name = tsu_sanitize_text(base ? base : "?", 120);
        g_file_read_async(file, G_PRIORITY_DEFAULT, NULL, on_opened, im);
}

static void on_import_chosen(GtkNativeDialog *dialog, int response, gpointer data)
{
        TsuWindow *w = data;

        if (response == GTK_RESPONSE_ACCEPT) {
                g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));

                if (file)
                        tsu_window_import_file(w, file);
        }
        g_object_unref(dialog);
        g_object_unref(w);
}

static void import_activated(GSimpleAction *action, GVariant *param, gpointer data)
{
        TsuWindow *w = data;
        GtkFileChooserNative *fc =
                gtk_file_chooser_native_new(_("Import VPN Profile"), GTK_WINDOW(w),
                                            GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"),
                                            _("_Cancel"));
        GtkFileFilter *profiles = gtk_file_filter_new(), *all = gtk_file_filter_new();

        gtk_file_filter_set_name(profiles, _("VPN profiles (.tsunagu, .sswan, .mobileconfig)"));
        gtk_file_filter_add_pattern(profiles, "*.tsunagu");
        gtk_file_filter_add_pattern(profiles, "*.sswan");
        gtk_file_filter_add_pattern(profiles, "*.mobileconfig");
        gtk_file_filter_set_name(all, _("All files"));
        gtk_file_filter_add_pattern(all, "*");
        gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(fc), profiles);
        gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(fc), all);
        g_signal_connect(fc, "response", G_CALLBACK(on_import_chosen), g_object_ref(w));
        gtk_native_dialog_show(GTK_NATIVE_DIALOG(fc));
}

/* Drag and drop: files (text/uri-list) dropped anywhere on the window. */
static void on_drag_data(GtkWidget *widget, GdkDragContext *ctx, int x, int y,
                         GtkSelectionData *sel, guint info, guint time, gpointer data)
{
        TsuWindow *w = TSU_WINDOW(widget);
        g_auto(GStrv) uris = gtk_selection_data_get_uris(sel);
        unsigned n = 0;

        for (char **u = uris; u && *u && n < 8; u++, n++) {
                g_autoptr(GFile) f = g_file_new_for_uri(*u);

                tsu_window_import_file(w, f);
        }
        gtk_drag_finish(ctx, n > 0, FALSE, time);
}

/* ------------------------------------------------------------ object */

TsuWindow *tsu_window_new(GtkApplication *app)
{
        return g_object_new(TSU_TYPE_WINDOW, "application", app, NULL);
}

static void tsu_window_dispose(GObject *obj)
{
        TsuWindow *w = TSU_WINDOW(obj);

        if (w->client)
                g_signal_handlers_disconnect_by_data(w->client, w);
        g_clear_object(&w->client);
        g_clear_pointer(&w->rows, g_hash_table_destroy);
        g_clear_pointer(&w->select_path, g_free);
        G_OBJECT_CLASS(tsu_window_parent_class)->dispose(obj);
}

static void tsu_window_class_init(TsuWindowClass *klass)
{
        GtkWidgetClass *wc = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = tsu_window_dispose;
        g_type_ensure(TSU_TYPE_PROFILE_VIEW);
        gtk_widget_class_set_template_from_resource(wc, "/org/tsunagu/Gtk/window.ui");
        gtk_widget_class_bind_template_child(wc, TsuWindow, header);
        gtk_widget_class_bind_template_child(wc, TsuWindow, info_bar);
        gtk_widget_class_bind_template_child(wc, TsuWindow, info_label);
        gtk_widget_class_bind_template_child(wc, TsuWindow, profile_list);
        gtk_widget_class_bind_template_child(wc, TsuWindow, profile_view);
        gtk_widget_class_bind_template_callback(wc, on_info_bar_response);
        gtk_widget_class_bind_template_callback(wc, on_row_selected);
}

static void tsu_window_init(TsuWindow *w)
{
        static const GActionEntry actions[] = {
                {.name = "import", .activate = import_activated},
        };
        static const GtkTargetEntry targets[] = {{(char *)"text/uri-list", 0, 0}};

        gtk_widget_init_template(GTK_WIDGET(w));
        g_action_map_add_action_entries(G_ACTION_MAP(w), actions, G_N_ELEMENTS(actions), w);
        w->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        gtk_list_box_set_sort_func(w->profile_list, sort_rows, NULL, NULL);

        w->client = tsu_client_new(AGENT_PATH);
        tsu_client_set_parent(w->client, GTK_WINDOW(w));
        tsu_profile_view_set_client(w->profile_view, w->client);
        g_signal_connect(w->client, "changed", G_CALLBACK(rebuild), w);
        g_signal_connect(w->client, "profile-updated", G_CALLBACK(on_profile_updated), w);
        g_signal_connect(w->client, "state-changed", G_CALLBACK(on_state_changed), w);
        g_signal_connect(w->client, "error", G_CALLBACK(on_client_error), w);
        g_signal_connect(w->profile_view, "message", G_CALLBACK(on_view_message), w);

        gtk_drag_dest_set(GTK_WIDGET(w), GTK_DEST_DEFAULT_ALL, targets, G_N_ELEMENTS(targets),
                          GDK_ACTION_COPY);
        g_signal_connect(w, "drag-data-received", G_CALLBACK(on_drag_data), NULL);
        update_placeholder(w);
}
