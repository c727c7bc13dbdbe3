/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagud's log: to the journal with structured fields (PROFILE=,
 * GATEWAY=, STATE=, SESSION=) when built with libsystemd and running under
 * it, to stderr otherwise; and a ring buffer per session for
 * Profile.GetLog. Nothing that is passed here may hold a secret; as a
 * second line of defence, a session's known secrets are cut out of every
 * line before it goes anywhere (log_redact).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#include <glib.h>

#define LOGRING_LINES 200

struct logring {
        char *lines[LOGRING_LINES];
        size_t head; /* next slot */
        size_t n;
};

struct log_fields {
        const char *profile; /* name */
        const char *gateway;
        const char *state;
        const char *session; /* object path */
};

/* journal: true to use sd_journal_send (when built with it), false: stderr. */
void log_init(bool journal, int max_priority);
bool log_to_journal(void);

/* Logs one line (and adds it to ring when not NULL). secrets: NULL-terminated
 * strings to cut out of the line, may be NULL. */
void log_msg(int priority, const struct log_fields *f, struct logring *ring,
             const char *const *secrets, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
#define log_info(...)  log_msg(LOG_INFO, NULL, NULL, NULL, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, NULL, NULL, NULL, __VA_ARGS__)
#define log_err(...)   log_msg(LOG_ERR, NULL, NULL, NULL, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, NULL, NULL, NULL, __VA_ARGS__)

/* Replaces every occurrence of each secret (longer than 0 bytes) in line by
 * "********". Returns a new string. */
char *log_redact(const char *line, const char *const *secrets);

void logring_add(struct logring *r, const char *line);
/* The lines, oldest first, as "as". */
GVariant *logring_to_variant(const struct logring *r);
void logring_clear(struct logring *r);
