/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the window and the tray show a person: states, authentication
 * methods, byte counts and durations as translated text, and the icon of a
 * state. Pure functions of their arguments (no GTK, no D-Bus), so that
 * tests/gui/test-gui-format.c checks them without a display.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

/* The overall look of a connection, for icons and the tray. */
enum tsu_look {
        TSU_LOOK_DISCONNECTED,
        TSU_LOOK_CONNECTING,
        TSU_LOOK_CONNECTED,
        TSU_LOOK_ERROR,
};

/* A Session.State ("connecting", ...) as a look; unknown states (from a
 * newer helper) look disconnected. NULL is "disconnected". */
enum tsu_look tsu_state_look(const char *state);

/* The translated label of a Session.State ("Connected"); an unknown state
 * is shown as it came, made printable. The result is a new string. */
char *tsu_state_label(const char *state);

/* The icon name of a look ("tsunagu-connected-symbolic"). */
const char *tsu_look_icon(enum tsu_look look);

/* The translated name of a Profile.AuthMethod ("Password (EAP-MSCHAPv2)"). */
char *tsu_auth_label(const char *method);

/* 1536 -> "1.5 KiB" (binary prefixes, one decimal below 10). */
char *tsu_format_bytes(uint64_t bytes);

/* Seconds as "45 s", "12 min 05 s", "3 h 07 min", "2 d 4 h". */
char *tsu_format_duration(uint64_t seconds);

/* The routes of a session as one line per prefix; a full tunnel
 * ("0.0.0.0/0" or "::/0" present) is "All traffic", excluded prefixes
 * ("!10.0.0.0/8") are marked. */
char *tsu_format_routes(const char *const *routes);

/* DNS property lines: servers first, "domain:" entries as "Search: ...". */
char *tsu_format_dns(const char *const *dns);

/* Text from the helper or a file, safe to put in a label: control
 * characters become U+FFFD, invalid UTF-8 is replaced, at most max_chars
 * characters are kept (an ellipsis marks the cut). A new string. */
char *tsu_sanitize_text(const char *text, size_t max_chars);

/* True when a failure reason means the password was wrong and asking again
 * makes sense. */
bool tsu_reason_is_wrong_password(const char *reason);

/* The one-line explanation of a Session.LastError reason, translated, for
 * notifications when the helper gave no message. */
char *tsu_reason_label(const char *reason);
