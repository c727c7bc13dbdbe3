/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Remembered passwords in the user's keyring (the Secret Service, through
 * libsecret): schema "org.tsunagu.Password", attributes "uuid" (the
 * profile's) and "kind" ("password" or "passphrase"). Without libsecret
 * (configure --disable-libsecret) nothing is remembered and every call
 * answers "none".
 */
#pragma once

#include <stdbool.h>

#include <gio/gio.h>

/* Whether remembering is built in. */
bool tsu_keyring_available(void);

/* Looks the secret up; callback gets it (a string to free with
 * tsu_keyring_secret_free, NULL when there is none or on error). */
typedef void (*tsu_keyring_lookup_fn)(char *secret, gpointer user_data);
void tsu_keyring_lookup(const char *uuid, const char *kind, GCancellable *cancel,
                        tsu_keyring_lookup_fn done, gpointer user_data);

/* Whether a secret of that kind is stored, without reading it or unlocking
 * the keyring: done gets 1, 0, or -1 when the keyring cannot be asked. */
typedef void (*tsu_keyring_has_fn)(int has, gpointer user_data);
void tsu_keyring_has(const char *uuid, const char *kind, GCancellable *cancel,
                     tsu_keyring_has_fn done, gpointer user_data);

/* Stores (replaces) the secret; label names the profile. Fire and forget:
 * a failure is logged with g_warning. */
void tsu_keyring_store(const char *uuid, const char *kind, const char *profile_name,
                       const char *secret);

/* Forgets the secret (both kinds when kind is NULL). */
void tsu_keyring_clear(const char *uuid, const char *kind);

/* Wipes and frees a secret from tsu_keyring_lookup or typed by the user. */
void tsu_keyring_secret_free(char *secret);
