/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * a{sv} options of D-Bus methods: each method has a table of the keys it
 * knows and their types; anything else is refused by name, so that a typo
 * never passes silently ("unknown option 'pasword'").
 */
#pragma once

#include <stdbool.h>

#include <glib.h>

struct option_spec {
        const char *key;
        const char *type; /* a GVariant type string: "s", "b", ... */
        size_t max_len;   /* strings: longest allowed (bytes), 0: 4096 */
};

/* Checks every entry of opts (which must be a{sv}) against specs (ended by
 * a NULL key). Returns 0 or -EINVAL with *ret_error ("unknown option 'foo'",
 * "option 'password' must be of type s, not i", "option 'x' given twice"). */
int options_check(GVariant *opts, const struct option_spec *specs, char **ret_error);

/* Convenience lookups after options_check(). */
bool options_bool(GVariant *opts, const char *key, bool def);
const char *options_str(GVariant *opts, const char *key); /* borrowed, or NULL */
