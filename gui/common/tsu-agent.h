/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The secret agent (org.tsunagu.Vpn1.SecretAgent) of the window and the
 * tray: answers the helper's GetSecret with a remembered secret from the
 * keyring, or by asking in a TsuSecretDialog. Private to gui/common: the
 * programs use it through TsuClient.
 */
#pragma once

#include <stdbool.h>

#include <gtk/gtk.h>

#include "client/dbus/tsu-dbus.h"

struct tsu_agent;
struct _TsuClient;

struct tsu_agent *tsu_agent_new(struct _TsuClient *client, GDBusConnection *bus,
                                const char *path);
void tsu_agent_free(struct tsu_agent *a);

/* (Re-)registers with the helper (after it appeared on the bus). */
void tsu_agent_register(struct tsu_agent *a, TsuManager *manager);

/* A connection of profile finished: "connected" stores the secrets the user
 * asked to remember; anything else drops them. wrong_password also forgets
 * what the keyring held for it. Returns whether the password was (to be)
 * remembered, so that asking again can offer the same. */
bool tsu_agent_session_done(struct tsu_agent *a, TsuProfile *p, bool connected,
                            bool wrong_password);

/* Asks for the password again after a failure (message: the helper's).
 * done gets the typed password (to wipe with tsu_keyring_secret_free) or
 * NULL when the user cancelled. */
typedef void (*tsu_agent_ask_fn)(char *password, gpointer user_data);
void tsu_agent_ask_again(struct tsu_agent *a, GtkWindow *parent, TsuProfile *p,
                         const char *message, bool remember, tsu_agent_ask_fn done,
                         gpointer user_data);

/* Internal to gui/common: the helper's unique name (NULL when it is not
 * running), the parent for dialogs. Defined in tsu-client.c. */
char *tsu_client_dup_helper_owner(struct _TsuClient *c);
GtkWindow *tsu_client_get_parent(struct _TsuClient *c);
