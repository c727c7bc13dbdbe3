/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the tests/unit/test-ike-*.c programs: hex test data
 * written from the RFC diagrams, vector files, and a table-driven check of
 * a chain parse that must fail in a precise way or succeed and round-trip.
 */
#pragma once

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/common/wbuf.h"
#include "client/ike/message.h"
#include "client/ike/payload.h"

/* Hex octets with any whitespace and '#' comments to the end of a line. */
static inline GByteArray *unhex(const char *text)
{
        GByteArray *b = g_byte_array_new();
        int hi = -1;
        bool comment = false;

        for (const char *p = text; *p; p++) {
                int v;

                if (*p == '\n') {
                        comment = false;
                        continue;
                }
                if (comment || g_ascii_isspace(*p))
                        continue;
                if (*p == '#') {
                        comment = true;
                        continue;
                }
                v = g_ascii_xdigit_value(*p);
                g_assert_cmpint(v, >=, 0);
                if (hi < 0) {
                        hi = v;
                } else {
                        guint8 o = (guint8)(hi << 4 | v);

                        g_byte_array_append(b, &o, 1);
                        hi = -1;
                }
        }
        g_assert_cmpint(hi, ==, -1); /* an odd number of digits is a typo */
        return b;
}

/* Loads tests/vectors/ike/<dir>/<name> (hex format). */
static inline GByteArray *load_vector(const char *dir, const char *name)
{
        g_autofree char *path =
                g_test_build_filename(G_TEST_DIST, "tests", "vectors", "ike", dir, name, NULL);
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;

        if (!g_file_get_contents(path, &text, NULL, &error))
                g_error("%s: %s", path, error->message);
        return unhex(text);
}

static inline struct slice ba_slice(const GByteArray *b)
{
        return SLICE(b->data, b->len);
}

/* Serializes a chain and compares with the expected bytes. */
static inline void assert_chain_bytes(const struct ike_chain *c, const guint8 *want, size_t len)
{
        g_autofree guint8 *buf = g_malloc(len + 64);
        struct wbuf w;

        wbuf_init(&w, buf, len + 64);
        g_assert_cmpint(ike_chain_serialize(c, &w), ==, 0);
        g_assert_cmpmem(buf, wbuf_len(&w), want, len);
}

static inline void assert_message_bytes(const struct ike_message *m, const guint8 *want,
                                        size_t len)
{
        g_autofree guint8 *buf = g_malloc(len + 64);
        struct wbuf w;

        wbuf_init(&w, buf, len + 64);
        g_assert_cmpint(ike_message_serialize(m, &w), ==, 0);
        g_assert_cmpmem(buf, wbuf_len(&w), want, len);
}

/* One row of a table of chain parses. code 0: must parse and round-trip. */
struct chain_case {
        const char *name;
        uint8_t first;
        const char *hex;
        int code;        /* 0 or the negative errno */
        uint16_t notify; /* expected ike_error.notify */
        size_t offset;   /* expected ike_error.offset */
        const char *what; /* a substring of ike_error.what */
        unsigned flags;
};

static inline void run_chain_case(gconstpointer data)
{
        const struct chain_case *tc = data;
        g_autoptr(GByteArray) b = unhex(tc->hex);
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_error err = { 0 };
        int k;

        k = ike_chain_parse(&c, tc->first, ba_slice(b), 0, tc->flags, &err);
        if (tc->code == 0) {
                if (k != 0)
                        g_error("%s: unexpected failure: %s", tc->name, err.what);
                g_assert_cmpuint(c.n, >=, 1);
                assert_chain_bytes(&c, b->data, b->len);
                ike_chain_clear(&c);
                return;
        }
        g_assert_cmpint(k, ==, tc->code);
        g_assert_cmpint(err.code, ==, tc->code);
        g_assert_cmpuint(err.notify, ==, tc->notify);
        if (!strstr(err.what, tc->what))
                g_error("%s: \"%s\" does not contain \"%s\"", tc->name, err.what, tc->what);
        g_assert_cmpuint(err.offset, ==, tc->offset);
        /* The text ends with the offset it reports. */
        {
                g_autofree char *tail = g_strdup_printf(" at offset %zu", tc->offset);

                g_assert_true(g_str_has_suffix(err.what, tail));
        }
        /* Failure leaves the output untouched. */
        g_assert_cmpuint(c.n, ==, 0);
        g_assert_null(c.items);
}

static inline void add_chain_cases(const char *prefix, const struct chain_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                g_autofree char *path = g_strdup_printf("%s/%s", prefix, cases[i].name);

                g_test_add_data_func(path, &cases[i], run_chain_case);
        }
}

/* Parses hex as a chain that must succeed. */
static inline void parse_ok(struct ike_chain *c, uint8_t first, const GByteArray *b)
{
        struct ike_error err = { 0 };

        *c = IKE_CHAIN_INIT;
        if (ike_chain_parse(c, first, ba_slice(b), 0, 0, &err) != 0)
                g_error("unexpected failure: %s", err.what);
}

/* A generic payload header followed by a body of len octets of fill. */
static inline GByteArray *payload_with_body(uint8_t next, size_t body_len, const guint8 *prefix,
                                            size_t prefix_len, guint8 fill)
{
        GByteArray *b = g_byte_array_new();
        size_t total = 4 + body_len;
        guint8 hdr[4] = { next, 0, (guint8)(total >> 8), (guint8)total };

        g_assert_cmpuint(prefix_len, <=, body_len);
        g_assert_cmpuint(total, <=, 65535);
        g_byte_array_append(b, hdr, 4);
        g_byte_array_append(b, prefix, (guint)prefix_len);
        for (size_t i = prefix_len; i < body_len; i++)
                g_byte_array_append(b, &fill, 1);
        return b;
}
