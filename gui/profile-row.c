/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "gui/common/tsu-format.h"
#include "gui/common/tsu-i18n.h"
#include "profile-row.h"

struct _TsuProfileRow {
        GtkListBoxRow parent;
        GtkImage *state_icon;
        GtkLabel *name_label;
        GtkLabel *detail_label;
        GtkLabel *state_label;
        TsuProfile *profile;
};

G_DEFINE_TYPE(TsuProfileRow, tsu_profile_row, GTK_TYPE_LIST_BOX_ROW)

void tsu_profile_row_update(TsuProfileRow *row, const char *state)
{
        TsuProfile *p = row->profile;
        g_autofree char *name = tsu_sanitize_text(tsu_profile_get_name(p), 80);
        g_autofree char *host = tsu_sanitize_text(tsu_profile_get_gateway(p), 80);
        g_autofree char *auth = tsu_auth_label(tsu_profile_get_auth_method(p));
        g_autofree char *label = tsu_state_label(state);
        g_autofree char *detail = g_strdup_printf("%s · %s", host, auth);
        /* TRANSLATORS: how a screen reader names a profile row: name, gateway, state. */
        g_autofree char *acc = g_strdup_printf(_("%s, %s, %s"), name, host, label);

        gtk_label_set_text(row->name_label, name);
        gtk_label_set_text(row->detail_label, detail);
        gtk_label_set_text(row->state_label, label);
        gtk_image_set_from_icon_name(row->state_icon, tsu_look_icon(tsu_state_look(state)),
                                     GTK_ICON_SIZE_LARGE_TOOLBAR);
        atk_object_set_name(gtk_widget_get_accessible(GTK_WIDGET(row)), acc);
}

TsuProfileRow *tsu_profile_row_new(TsuProfile *p)
{
        TsuProfileRow *row = g_object_new(TSU_TYPE_PROFILE_ROW, NULL);

        row->profile = g_object_ref(p);
        tsu_profile_row_update(row, NULL);
        return row;
}

TsuProfile *tsu_profile_row_get_profile(TsuProfileRow *row)
{
        return row->profile;
}

static void tsu_profile_row_dispose(GObject *obj)
{
        g_clear_object(&TSU_PROFILE_ROW(obj)->profile);
        G_OBJECT_CLASS(tsu_profile_row_parent_class)->dispose(obj);
}

static void tsu_profile_row_class_init(TsuProfileRowClass *klass)
{
        GtkWidgetClass *w = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = tsu_profile_row_dispose;
        gtk_widget_class_set_template_from_resource(w, "/org/tsunagu/Gtk/profile-row.ui");
        gtk_widget_class_bind_template_child(w, TsuProfileRow, state_icon);
        gtk_widget_class_bind_template_child(w, TsuProfileRow, name_label);
        gtk_widget_class_bind_template_child(w, TsuProfileRow, detail_label);
        gtk_widget_class_bind_template_child(w, TsuProfileRow, state_label);
}

static void tsu_profile_row_init(TsuProfileRow *row)
{
        gtk_widget_init_template(GTK_WIDGET(row));
}
