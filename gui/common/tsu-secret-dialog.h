/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dialog that asks for a password, a passphrase or a user name for a
 * profile: names the profile and the gateway, shows the helper's prompt and,
 * when asking again, why the last attempt failed; offers to remember the
 * secret in the keyring. Emits GtkDialog::response with GTK_RESPONSE_OK or
 * GTK_RESPONSE_CANCEL (or DELETE_EVENT).
 */
#pragma once

#include <stdbool.h>

#include <gtk/gtk.h>

#define TSU_TYPE_SECRET_DIALOG (tsu_secret_dialog_get_type())
G_DECLARE_FINAL_TYPE(TsuSecretDialog, tsu_secret_dialog, TSU, SECRET_DIALOG, GtkDialog)

struct tsu_secret_request {
        const char *profile_name; /* Profile.Name */
        const char *gateway;      /* Profile.Gateway */
        const char *kind;         /* "password", "passphrase" or "username" */
        const char *prompt;       /* the helper's line, may be NULL */
        const char *error;        /* why the last attempt failed, may be NULL */
        bool can_remember;        /* offer "remember" (a keyring is there, kind is a secret) */
        bool remember;            /* its initial state */
};

/* Every text is sanitised before it is shown. parent may be NULL. */
TsuSecretDialog *tsu_secret_dialog_new(GtkWindow *parent, const struct tsu_secret_request *req);

/* The typed text (owned by the dialog's entry; wiped when it is destroyed). */
const char *tsu_secret_dialog_get_secret(TsuSecretDialog *d);
bool tsu_secret_dialog_get_remember(TsuSecretDialog *d);
