/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TsuClient: what the window and the tray know of tsunagud, through its
 * public D-Bus API only (client/dbus/org.tsunagu.Vpn1.xml). It keeps an
 * object manager client of the helper's objects (the first
 * GetManagedObjects also makes the helper send us its signals), is the
 * user's secret agent (tsu-agent.c), and does what the user asks: connect,
 * disconnect, import, remove, export. When a connection it started fails
 * because of the password, it forgets a remembered one and asks again with
 * the helper's message.
 *
 * Signals:
 *   "changed" ()                   profiles appeared or went, the helper came or went
 *   "profile-updated" (TsuProfile) the profile or its session changed a property
 *   "state-changed" (TsuProfile, state, reason, message)
 *                                  Session.StateChanged of one of the profiles
 *   "error" (title, message)       a request failed; show it
 */
#pragma once

#include <stdbool.h>

#include <gtk/gtk.h>

#include "client/dbus/tsu-dbus.h"

#define TSU_TYPE_CLIENT (tsu_client_get_type())
G_DECLARE_FINAL_TYPE(TsuClient, tsu_client, TSU, CLIENT, GObject)

/* agent_path: where our SecretAgent lives on our connection (one per program). */
TsuClient *tsu_client_new(const char *agent_path);

/* True once the helper's objects are known (it runs and answered). */
bool tsu_client_is_ready(TsuClient *c);
/* Why not ready (translated), or NULL. */
const char *tsu_client_get_problem(TsuClient *c);

/* The visible profiles, sorted by name (a new array of new references). */
GPtrArray *tsu_client_dup_profiles(TsuClient *c);
/* The profile at path, or NULL. Borrowed. */
TsuProfile *tsu_client_lookup_profile(TsuClient *c, const char *path);
/* The session of a profile, or NULL when it never connected. Borrowed. */
TsuSession *tsu_client_lookup_session(TsuClient *c, TsuProfile *p);
/* The Session.State of a profile ("disconnected" without a session). */
const char *tsu_client_profile_state(TsuClient *c, TsuProfile *p);

/* The window the agent's dialogs belong to (may be NULL). */
void tsu_client_set_parent(TsuClient *c, GtkWindow *parent);

/* Profile.Connect (interactive: the helper asks our agent for secrets). */
void tsu_client_connect(TsuClient *c, TsuProfile *p);
void tsu_client_disconnect(TsuClient *c, TsuProfile *p);
void tsu_client_remove(TsuClient *c, TsuProfile *p);

/* Manager.ImportProfile with the file's bytes. */
void tsu_client_import(TsuClient *c, GBytes *data, const char *filename, GCancellable *cancel,
                       GAsyncReadyCallback done, gpointer user_data);
/* ret_path, ret_warnings may be NULL. A remote error comes back stripped,
 * in the TSU_ERROR domain. */
bool tsu_client_import_finish(TsuClient *c, GAsyncResult *res, char **ret_path,
                              char ***ret_warnings, GError **error);

/* Sizes the helper accepts (ImportProfile: at most 1 MiB). */
#define TSU_CLIENT_MAX_IMPORT (1024 * 1024)

/* Forgets the remembered secrets of a profile (both kinds). */
void tsu_client_forget_secrets(TsuClient *c, TsuProfile *p);
