/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "tsu-format.h"
#include "tsu-i18n.h"
#include "tsu-secret-dialog.h"

struct _TsuSecretDialog {
        GtkDialog parent;
        GtkLabel *heading_label;
        GtkLabel *profile_label;
        GtkLabel *gateway_label;
        GtkLabel *prompt_label;
        GtkLabel *error_label;
        GtkLabel *entry_caption;
        GtkEntry *entry;
        GtkCheckButton *show_check;
        GtkCheckButton *remember_check;
        GtkButton *ok_button;
};

G_DEFINE_TYPE(TsuSecretDialog, tsu_secret_dialog, GTK_TYPE_DIALOG)

static void on_entry_changed(GtkEntry *entry, TsuSecretDialog *d)
{
        gtk_widget_set_sensitive(GTK_WIDGET(d->ok_button), gtk_entry_get_text_length(entry) > 0);
}

static void on_show_toggled(GtkToggleButton *b, TsuSecretDialog *d)
{
        gtk_entry_set_visibility(d->entry, gtk_toggle_button_get_active(b));
}

static void tsu_secret_dialog_dispose(GObject *obj)
{
        TsuSecretDialog *d = TSU_SECRET_DIALOG(obj);

        /* GtkEntryBuffer overwrites the text it deletes. */
        if (d->entry)
                gtk_entry_set_text(d->entry, "");
        G_OBJECT_CLASS(tsu_secret_dialog_parent_class)->dispose(obj);
}

static void tsu_secret_dialog_class_init(TsuSecretDialogClass *klass)
{
        GtkWidgetClass *w = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = tsu_secret_dialog_dispose;
        gtk_widget_class_set_template_from_resource(w, "/org/tsunagu/common/secret-dialog.ui");
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, heading_label);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, profile_label);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, gateway_label);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, prompt_label);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, error_label);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, entry_caption);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, entry);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, show_check);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, remember_check);
        gtk_widget_class_bind_template_child(w, TsuSecretDialog, ok_button);
        gtk_widget_class_bind_template_callback(w, on_entry_changed);
        gtk_widget_class_bind_template_callback(w, on_show_toggled);
}

static void tsu_secret_dialog_init(TsuSecretDialog *d)
{
        gtk_widget_init_template(GTK_WIDGET(d));
}

static void set_text(GtkLabel *l, const char *text, size_t max)
{
        g_autofree char *safe = tsu_sanitize_text(text, max);

        gtk_label_set_text(l, safe);
}

TsuSecretDialog *tsu_secret_dialog_new(GtkWindow *parent, const struct tsu_secret_request *req)
{
        TsuSecretDialog *d = g_object_new(TSU_TYPE_SECRET_DIALOG, NULL);
        AtkObject *acc = gtk_widget_get_accessible(GTK_WIDGET(d->entry));
        g_autofree char *title = NULL;
        const char *heading, *caption, *acc_name;
        bool username = g_strcmp0(req->kind, "username") == 0;

        if (parent) {
                gtk_window_set_transient_for(GTK_WINDOW(d), parent);
                gtk_window_set_destroy_with_parent(GTK_WINDOW(d), TRUE);
        }
        if (username) {
                heading = _("The VPN needs your user name");
                caption = _("_User name:");
                acc_name = _("User name");
        } else if (g_strcmp0(req->kind, "passphrase") == 0) {
                heading = _("The VPN needs the passphrase of your certificate");
                caption = _("_Passphrase:");
                acc_name = _("Passphrase");
        } else {
                heading = _("The VPN needs your password");
                caption = _("_Password:");
                acc_name = _("Password");
        }
        gtk_label_set_text(d->heading_label, heading);
        gtk_label_set_text_with_mnemonic(d->entry_caption, caption);
        atk_object_set_name(acc, acc_name);
        set_text(d->profile_label, req->profile_name, 80);
        set_text(d->gateway_label, req->gateway, 80);
        {
                g_autofree char *p = tsu_sanitize_text(req->profile_name, 80);

                /* TRANSLATORS: the window title of the password dialog; %s is the profile. */
                title = g_strdup_printf(_("Connect to %s"), p);
                gtk_window_set_title(GTK_WINDOW(d), title);
        }
        if (req->prompt && *req->prompt)
                set_text(d->prompt_label, req->prompt, 200);
        else
                gtk_widget_hide(GTK_WIDGET(d->prompt_label));
        if (req->error && *req->error) {
                set_text(d->error_label, req->error, 400);
                gtk_widget_show(GTK_WIDGET(d->error_label));
        }
        gtk_entry_set_visibility(d->entry, username);
        if (username) {
                gtk_entry_set_input_purpose(d->entry, GTK_INPUT_PURPOSE_FREE_FORM);
                gtk_widget_hide(GTK_WIDGET(d->show_check));
        }
        gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(d->remember_check),
                                     req->can_remember && req->remember);
        gtk_widget_set_visible(GTK_WIDGET(d->remember_check), req->can_remember && !username);
        gtk_widget_set_sensitive(GTK_WIDGET(d->ok_button), FALSE);
        gtk_widget_grab_focus(GTK_WIDGET(d->entry));
        return d;
}

const char *tsu_secret_dialog_get_secret(TsuSecretDialog *d)
{
        return gtk_entry_get_text(d->entry);
}

bool tsu_secret_dialog_get_remember(TsuSecretDialog *d)
{
        return gtk_widget_get_visible(GTK_WIDGET(d->remember_check)) &&
               gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(d->remember_check));
}
