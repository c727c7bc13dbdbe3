/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the D-Bus subcommands share: the bus, finding a profile by name or
 * UUID, mapping errors to exit codes, JSON output, the TTY secret agent.
 */
#pragma once

#include <stdbool.h>

#include <gio/gio.h>

#include "client/dbus/errors.h"
#include "client/dbus/tsu-dbus.h"

/* Connects to the system bus and makes the manager proxy. Prints and
 * returns an exit code on failure (CLI_EXIT_FAILURE), 0 on success. */
int cli_connect(GDBusConnection **ret_bus, TsuManager **ret_manager);

/* Finds a visible profile whose Name or Uuid is name. Prints and returns an
 * exit code on failure (not found, ambiguous, bus error). */
int cli_find_profile(GDBusConnection *bus, TsuManager *m, const char *name, TsuProfile **ret);

/* Every visible profile (TsuProfile proxies), sorted by name. */
int cli_list_profiles(GDBusConnection *bus, TsuManager *m, GPtrArray **ret);

/* The session of a profile, or NULL when it has none. */
TsuSession *cli_profile_session(GDBusConnection *bus, TsuProfile *p);

/* Runs the main loop until done(State) is true (checked now and at every
 * PropertiesChanged) or timeout_s pass. Returns false on timeout. */
bool cli_session_wait(TsuSession *s, unsigned timeout_s, bool (*done)(const char *state));

/* Prints "tsunagu WHAT: MESSAGE" for a D-Bus error and returns the exit code
 * it maps to (NotAuthorized 6, InvalidProfile 5, InvalidArgs 2, else 1). */
int cli_error(const char *what, GError *error);

/* The exit code of a session's LastError reason. */
int cli_exit_for_reason(const char *reason);

/* Appends v as a JSON string (or null). */
void cli_json_str(GString *s, const char *v);
void cli_json_strv(GString *s, const char *const *v);

/* The secret agent: registers at the helper, answers GetSecret by asking on
 * the controlling terminal without echo. Returns NULL (and prints) when
 * there is no terminal. */
struct cli_agent;
struct cli_agent *cli_agent_register(GDBusConnection *bus, TsuManager *m);
void cli_agent_free(struct cli_agent *a);
/* The prompts shown (for tests): how many secrets were asked. */
unsigned cli_agent_asked(const struct cli_agent *a);
