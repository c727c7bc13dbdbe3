/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Apple property lists, XML (through GMarkup) or binary ("bplist00"), into
 * a small tree. Limits: PROFILE_MAX_DEPTH nesting, PROFILE_MAX_NODES
 * objects. <data> stays base64 text in XML lists (decoded by the caller,
 * which knows the key path to name in a message); binary lists hold the
 * bytes themselves.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"

enum plist_type {
        PLIST_DICT,
        PLIST_ARRAY,
        PLIST_STRING,
        PLIST_INTEGER,
        PLIST_REAL,
        PLIST_BOOL,
        PLIST_DATA,
        PLIST_DATE,
};

struct plist {
        enum plist_type type;
        size_t line; /* XML: line of the element; binary: 0 */
        union {
                char *str; /* STRING, DATE (as written) */
                int64_t integer;
                double real;
                bool boolean;
                struct {
                        struct bytes bytes; /* raw bytes, or base64 text if base64 */
                        bool base64;
                } data;
                struct {
                        size_t n;
                        char **keys;
                        struct plist **values;
                } dict;
                struct {
                        size_t n;
                        struct plist **items;
                } array;
        };
};

/* Parses an XML or binary property list. Returns 0 and *ret, or -EINVAL
 * (*ret_error: what and where, g_free it), -E2BIG (a limit). */
int plist_parse(const uint8_t *data, size_t len, struct plist **ret, char **ret_error);
void plist_free(struct plist *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plist *, plist_free)

/* NULL if d is not a dict or has no such key. */
struct plist *plist_get(const struct plist *d, const char *key);
const char *plist_type_name(enum plist_type t);
/* Wipes every string and data value in the tree (secrets inside). */
void plist_wipe(struct plist *p);
