/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for client/common: the bounded reader and writer, byte strings. */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/common/rbuf.h"
#include "client/common/wbuf.h"

static void test_rbuf_integers(void)
{
        static const uint8_t data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                        0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
                                        0x11, 0x12 };
        struct rbuf r;
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;

        rbuf_init(&r, data, sizeof(data));
        g_assert_cmpint(rbuf_u8(&r, &u8), ==, 0);
        g_assert_cmpuint(u8, ==, 0x01);
        g_assert_cmpint(rbuf_be16(&r, &u16), ==, 0);
        g_assert_cmpuint(u16, ==, 0x0203);
        g_assert_cmpint(rbuf_be24(&r, &u32), ==, 0);
        g_assert_cmpuint(u32, ==, 0x040506);
        g_assert_cmpint(rbuf_be32(&r, &u32), ==, 0);
        g_assert_cmpuint(u32, ==, 0x0708090a);
        g_assert_cmpint(rbuf_be64(&r, &u64), ==, 0);
        g_assert_cmphex(u64, ==, 0x0b0c0d0e0f101112ULL);
        g_assert_true(rbuf_empty(&r));
        g_assert_cmpint(rbuf_u8(&r, &u8), ==, -EBADMSG);
}

/* A short read fails and leaves the reader where it was. */
static void test_rbuf_short_reads(void)
{
        static const uint8_t data[] = { 0xaa, 0xbb, 0xcc };
        struct rbuf r;
        uint32_t u32 = 0x12345678;
        uint64_t u64 = 7;
        uint16_t u16;
        struct slice s;

        rbuf_init(&r, data, sizeof(data));
        g_assert_cmpint(rbuf_be32(&r, &u32), ==, -EBADMSG);
        g_assert_cmpuint(u32, ==, 0x12345678); /* output untouched */
        g_assert_cmpuint(rbuf_left(&r), ==, 3);
        g_assert_cmpint(rbuf_be16(&r, &u16), ==, 0);
        g_assert_cmpint(rbuf_be16(&r, &u16), ==, -EBADMSG);
        g_assert_cmpuint(rbuf_left(&r), ==, 1);
        g_assert_cmpint(rbuf_be64(&r, &u64), ==, -EBADMSG);
        g_assert_cmpuint(u64, ==, 7);
        g_assert_cmpint(rbuf_slice(&r, 2, &s), ==, -EBADMSG);
        g_assert_cmpint(rbuf_skip(&r, SIZE_MAX), ==, -EBADMSG);
        g_assert_cmpint(rbuf_slice(&r, 1, &s), ==, 0);
        g_assert_cmpuint(s.ptr[0], ==, 0xcc);
        g_assert_cmpint(rbuf_slice(&r, 0, &s), ==, 0);
        g_assert_cmpuint(s.len, ==, 0);

        /* A NULL buffer is an empty reader. */
        rbuf_init(&r, NULL, 100);
        g_assert_cmpuint(rbuf_left(&r), ==, 0);
}

/* Sub-readers stay inside their window and know their absolute position. */
static void test_rbuf_sub(void)
{
        uint8_t data[32];
        struct rbuf r, sub, subsub;
        uint32_t u32;
        uint8_t u8;

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t)i;
        rbuf_init(&r, data, sizeof(data));
        g_assert_cmpint(rbuf_skip(&r, 4), ==, 0);
        g_assert_cmpint(rbuf_sub(&r, 8, &sub), ==, 0);
        g_assert_cmpuint(rbuf_pos(&r), ==, 12);
        g_assert_cmpuint(rbuf_pos(&sub), ==, 4);
        g_assert_cmpint(rbuf_skip(&sub, 2), ==, 0);
        g_assert_cmpint(rbuf_sub(&sub, 5, &subsub), ==, 0);
        g_assert_cmpuint(rbuf_pos(&subsub), ==, 6);
        g_assert_cmpint(rbuf_be32(&subsub, &u32), ==, 0);
        g_assert_cmphex(u32, ==, 0x06070809);
        g_assert_cmpint(rbuf_be32(&subsub, &u32), ==, -EBADMSG); /* 1 left, not 4 */
        g_assert_cmpint(rbuf_u8(&subsub, &u8), ==, 0);
        g_assert_cmpuint(u8, ==, 10);
        g_assert_cmpint(rbuf_u8(&subsub, &u8), ==, -EBADMSG); /* 11 is outside */
        g_assert_cmpint(rbuf_sub(&sub, 2, &subsub), ==, -EBADMSG); /* only 1 left */
        g_assert_cmpint(rbuf_sub(&r, 21, &sub), ==, -EBADMSG);
        g_assert_cmpint(rbuf_sub(&r, 20, &sub), ==, 0);
        g_assert_true(rbuf_empty(&r));
}

static void test_wbuf_basic(void)
{
        uint8_t out[16];
        static const uint8_t expect[] = { 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x0e,
                                          0xde, 0xad, 0xbe, 0xef, 0x00, 0x00 };
        struct wbuf w;
        size_t off;

        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(wbuf_u8(&w, 0x01), ==, 0);
        g_assert_cmpint(wbuf_be16(&w, 0x0203), ==, 0);
        g_assert_cmpint(wbuf_reserve(&w, 4, &off), ==, 0);
        g_assert_cmpint(wbuf_be32(&w, 0xdeadbeef), ==, 0);
        g_assert_cmpint(wbuf_zero(&w, 2), ==, 0);
        wbuf_set_be32(&w, off, 0x0e);
        g_assert_cmpint(wbuf_error(&w), ==, 0);
        g_assert_cmpmem(out, wbuf_len(&w), expect, sizeof(expect));
}

/* Overflow is sticky: later writes are ignored, the length stops growing. */
static void test_wbuf_overflow(void)
{
        uint8_t out[4];
        struct wbuf w;

        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(wbuf_be16(&w, 1), ==, 0);
        g_assert_cmpint(wbuf_be24(&w, 2), ==, -ENOBUFS);
        g_assert_cmpint(wbuf_u8(&w, 3), ==, -ENOBUFS);
        g_assert_cmpuint(wbuf_len(&w), ==, 2);
        g_assert_cmpint(wbuf_error(&w), ==, -ENOBUFS);

        wbuf_init(&w, out, sizeof(out));
        wbuf_set_be16(&w, 3, 1); /* past the end of what was written */
        g_assert_cmpint(wbuf_error(&w), ==, -ERANGE);

        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(wbuf_be24(&w, 0x1000000), ==, -ERANGE);
}

static void test_bytes(void)
{
        _cleanup_free_ char *owned = strdup("freed by the cleanup attribute");
        struct bytes a = { 0 }, b = { 0 }, c = { 0 };
        struct slice parts[2];

        g_assert_cmpint(bytes_dup(&a, SLICE("abc", 3)), ==, 0);
        g_assert_cmpint(bytes_dup(&b, SLICE("de", 2)), ==, 0);
        parts[0] = SLICE_OF(a);
        parts[1] = SLICE_OF(b);
        g_assert_cmpint(bytes_concat(&c, parts, 2), ==, 0);
        g_assert_cmpmem(c.ptr, c.len, "abcde", 5);
        g_assert_true(slice_eq(SLICE_OF(a), SLICE("abc", 3)));
        g_assert_false(slice_eq(SLICE_OF(a), SLICE("abd", 3)));
        g_assert_false(slice_eq_consttime(SLICE_OF(a), SLICE("ab", 2)));
        g_assert_true(slice_eq_consttime(SLICE(NULL, 0), SLICE("", 0)));
        bytes_free(&a);
        bytes_free_secret(&b);
        bytes_free(&c);
        g_assert_null(a.ptr);
        g_assert_cmpuint(b.len, ==, 0);
        g_assert_nonnull(owned);
        bytes_free(NULL);
        secure_free(NULL, 10);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/common/rbuf/integers", test_rbuf_integers);
        g_test_add_func("/common/rbuf/short-reads", test_rbuf_short_reads);
        g_test_add_func("/common/rbuf/sub", test_rbuf_sub);
        g_test_add_func("/common/wbuf/basic", test_wbuf_basic);
        g_test_add_func("/common/wbuf/overflow", test_wbuf_overflow);
        g_test_add_func("/common/bytes", test_bytes);
        return g_test_run();
}
