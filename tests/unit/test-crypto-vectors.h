/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small reader for the known-answer files in tests/vectors/crypto/.
 *
 * Format: one case per block of "key = value" lines, blocks separated by
 * blank lines, '#' starts a comment line. A value is hex (whitespace inside
 * is ignored), or a "quoted string" taken literally; an indented line
 * continues the previous value. Every file names the source of its vectors.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct tv_field {
        char *key;
        char *value;
};

struct tv_case {
        char *file;
        unsigned line;  /* where the block starts, for failure messages */
        GArray *fields; /* struct tv_field */
};

/* Loads tests/vectors/crypto/<name>; aborts the test on a syntax error. */
GPtrArray *tv_load(const char *name);

/* NULL when the case has no such key. */
const char *tv_str(const struct tv_case *c, const char *key);
bool tv_has(const struct tv_case *c, const char *key);
/* The value as bytes (hex or quoted); aborts if absent or malformed. */
GBytes *tv_bytes(const struct tv_case *c, const char *key);
/* The value as an unsigned decimal number; aborts if absent or malformed. */
uint64_t tv_uint(const struct tv_case *c, const char *key);
/* "file:line name" for assertion messages. */
const char *tv_where(const struct tv_case *c);

/* Parses hex (whitespace ignored); NULL if malformed. */
GBytes *tv_hex(const char *hex);
