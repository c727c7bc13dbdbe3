/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the IKEv2 codec machinery (client/ike/): payload chains
 * (unknown and critical payloads, IKEv1 numbers, lengths, limits,
 * ownership), the header and whole messages, the port-4500 demultiplexing,
 * writing protected messages for the SK layer, the builders (checked against
 * bytes written by hand from RFC 7296, not against our own parser), the
 * serializer's refusals, and the names for logs.
 */
#include "tests/unit/ike-test.h"

#include "client/ike/ikev2-names.h"
#include "client/ike/ikev2.h"

#define SYN -EBADMSG, IKEV2_N_INVALID_SYNTAX
#define PROTO -EPROTO, IKEV2_N_INVALID_SYNTAX

/* ------------------------------------------------------------------ chains, RFC 7296 3.2 */
static const struct chain_case chain_cases[] = {
        { "empty", IKEV2_PAYLOAD_NONE, "", -EBADMSG, 0, 0, "" }, /* replaced below */
        { "unknown-kept", 0x80, "29 00 00 06 aa bb  00 00 00 08 00 00 40 2e" },
        { "gspm-kept", IKEV2_PAYLOAD_GSPM, "00 00 00 05 01" },
        { "reserved-type-14-kept", 14, "29 00 00 04  00 00 00 08 00 00 40 2e" },
        { "critical-known-ignored", IKEV2_PAYLOAD_NOTIFY, "00 80 00 08 00 00 40 2e" },
        { "reserved-bits-kept", IKEV2_PAYLOAD_NOTIFY, "00 7f 00 08 00 00 40 2e" },
        { "critical-unknown", 0x80, "00 80 00 06 aa bb", -EOPNOTSUPP,
          IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, 0,
          "payload chain: unsupported critical payload type 128" },
        { "critical-unknown-second", IKEV2_PAYLOAD_NOTIFY,
          "31 00 00 08 00 00 40 2e  00 81 00 04", -EOPNOTSUPP,
          IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, 8,
          "payload chain: unsupported critical payload type 49" },
        { "ikev1-first", 5, "00 00 00 08 01 00 00 00", PROTO, 0,
          "payload chain: IKEv1 payload type 5 in an IKEv2 message" },
        { "ikev1-next", IKEV2_PAYLOAD_NOTIFY, "0b 00 00 08 00 00 40 2e  00 00 00 04", PROTO, 8,
          "payload chain: IKEv1 payload type 11 in an IKEv2 message" },
        { "ikev1-1", 1, "00 00 00 04", PROTO, 0, "IKEv1 payload type 1" },
        { "ikev1-13", 13, "00 00 00 04", PROTO, 0, "IKEv1 payload type 13" },
        { "header-truncated", IKEV2_PAYLOAD_NOTIFY, "00 00 00", SYN, 0,
          "Notify payload (type 41): header needs 4 octets, 3 left" },
        { "header-missing", IKEV2_PAYLOAD_NOTIFY, "", SYN, 0,
          "Notify payload (type 41): header needs 4 octets, 0 left" },
        { "length-below-4", IKEV2_PAYLOAD_NOTIFY, "00 00 00 03", SYN, 2,
          "Notify payload: length 3 < minimum 4" },
        { "length-beyond", IKEV2_PAYLOAD_NOTIFY, "00 00 00 10 00 00 40 2e", SYN, 2,
          "Notify payload: length 16 > 8 octets left" },
        { "unknown-length-beyond", 0x99, "00 00 00 10 00 00", SYN, 2,
          "payload: length 16 > 6 octets left" },
        { "trailing", IKEV2_PAYLOAD_NOTIFY, "00 00 00 08 00 00 40 2e ff", SYN, 8,
          "payload chain: 1 octets after the last payload" },
        { "none-with-bytes", IKEV2_PAYLOAD_NONE, "aa", SYN, 0,
          "payload chain: 1 octets after the last payload" },
        { "second-payload-bad", IKEV2_PAYLOAD_NOTIFY,
          "28 00 00 08 00 00 40 2e  00 00 00 08 01 02 03 04", SYN, 10,
          "Nonce payload: length 8 < minimum 20" },
};

static void test_chain_unknown_critical(void)
{
        g_autoptr(GByteArray) b = unhex(chain_cases[1].hex);
        g_autoptr(GByteArray) crit = unhex(chain_cases[7].hex);
        g_autoptr(GByteArray) known = unhex(chain_cases[4].hex);
        g_autoptr(GByteArray) bits = unhex(chain_cases[5].hex);
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_error err;

        parse_ok(&c, 0x80, b);
        g_assert_cmpuint(c.n, ==, 2);
        g_assert_cmpuint(c.items[0].type, ==, 0x80);
        g_assert_false(c.items[0].critical);
        g_assert_cmpmem(c.items[0].u.raw.ptr, c.items[0].u.raw.len, "\xaa\xbb", 2);
        g_assert_cmpuint(c.items[1].type, ==, IKEV2_PAYLOAD_NOTIFY);
        g_assert_cmpuint(c.items[1].offset, ==, 6);
        ike_chain_clear(&c);

        /* RFC 7296 2.5: the one-octet notify data is the offending type. */
        g_assert_cmpint(ike_chain_parse(&c, IKEV2_PAYLOAD_NOTIFY, ba_slice(crit), 0, 0, &err), ==,
                        -EOPNOTSUPP);
        g_assert_cmpuint(err.notify, ==, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
        g_assert_cmpuint(err.payload, ==, IKEV2_PAYLOAD_GSPM);

        parse_ok(&c, IKEV2_PAYLOAD_NOTIFY, known);
        g_assert_true(c.items[0].critical);
        g_assert_cmpuint(c.items[0].reserved, ==, 0);
        ike_chain_clear(&c);
        parse_ok(&c, IKEV2_PAYLOAD_NOTIFY, bits);
        g_assert_false(c.items[0].critical);
        g_assert_cmpuint(c.items[0].reserved, ==, 0x7f);
        ike_chain_clear(&c);
}

static void test_chain_empty_base_limits(void)
{
        g_autoptr(GByteArray) bad = unhex("00 00 00 03");
        g_autoptr(GByteArray) many = g_byte_array_new();
        g_autoptr(GByteArray) too_many = g_byte_array_new();
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_error err;
        guint8 buf[8];
        struct wbuf w;

        /* NONE over nothing: an empty chain (a message with no payloads). */
        g_assert_cmpint(ike_chain_parse(&c, IKEV2_PAYLOAD_NONE, SLICE(NULL, 0), 0, 0, &err), ==, 0);
        g_assert_cmpuint(c.n, ==, 0);
        g_assert_cmpuint(ike_chain_first_type(&c), ==, IKEV2_PAYLOAD_NONE);
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_chain_serialize(&c, &w), ==, 0);
        g_assert_cmpuint(wbuf_len(&w), ==, 0);
        ike_chain_clear(&c);

        /* Offsets are absolute: base + position. */
        g_assert_cmpint(ike_chain_parse(&c, IKEV2_PAYLOAD_NOTIFY, ba_slice(bad), 1000, 0, &err),
                        ==, -EBADMSG);
        g_assert_cmpuint(err.offset, ==, 1002);
        g_assert_true(g_str_has_suffix(err.what, "at offset 1002"));

        /* IKE_PAYLOADS_MAX notifies parse, one more does not. */
        for (size_t i = 0; i < IKE_PAYLOADS_MAX + 1; i++) {
                guint8 n[8] = { IKEV2_PAYLOAD_NOTIFY, 0, 0, 8, 0, 0, 0x40, 0x2e };

                if (i == IKE_PAYLOADS_MAX - 1)
                        n[0] = 0;
                if (i < IKE_PAYLOADS_MAX)
                        g_byte_array_append(many, n, 8);
                n[0] = i == IKE_PAYLOADS_MAX ? 0 : IKEV2_PAYLOAD_NOTIFY;
                g_byte_array_append(too_many, n, 8);
        }
        parse_ok(&c, IKEV2_PAYLOAD_NOTIFY, many);
        g_assert_cmpuint(c.n, ==, IKE_PAYLOADS_MAX);
        g_assert_cmpuint(ike_chain_count(&c, IKEV2_PAYLOAD_NOTIFY), ==, IKE_PAYLOADS_MAX);
        assert_chain_bytes(&c, many->data, many->len);
        ike_chain_clear(&c);
        g_assert_cmpint(ike_chain_parse(&c, IKEV2_PAYLOAD_NOTIFY, ba_slice(too_many), 0, 0, &err),
                        ==, -E2BIG);
        g_assert_cmpuint(err.offset, ==, 8 * IKE_PAYLOADS_MAX);
        g_assert_nonnull(strstr(err.what, "more than 128 payloads"));

        /* A chain longer than IKE_CHAIN_MAX is refused before looking at it. */
        {
                g_autofree guint8 *big = g_malloc0(IKE_CHAIN_MAX + 1);

                g_assert_cmpint(ike_chain_parse(&c, IKEV2_PAYLOAD_NONE,
                                                SLICE(big, IKE_CHAIN_MAX + 1), 0, 0, &err),
                                ==, -E2BIG);
        }
        g_assert_cmpint(ike_chain_parse(NULL, 0, SLICE(NULL, 0), 0, 0, &err), ==, -EINVAL);
        /* err is optional */
        g_assert_cmpint(ike_chain_parse(&c, IKEV2_PAYLOAD_NOTIFY, ba_slice(bad), 0, 0, NULL), ==,
                        -EBADMSG);
}

static void test_chain_ownership(void)
{
        g_autoptr(GByteArray) b = unhex("00 00 00 0c 00 00 40 2e 01 02 03 04");
        struct ike_chain c = IKE_CHAIN_INIT, d = IKE_CHAIN_INIT;
        struct ike_error err;
        struct bytes owned, bad;

        g_assert_cmpint(bytes_dup(&owned, ba_slice(b)), ==, 0);
        g_assert_cmpint(ike_chain_parse_owned(&c, IKEV2_PAYLOAD_NOTIFY, &owned, 0, 0, &err), ==, 0);
        g_assert_null(owned.ptr); /* handed over */
        g_assert_cmpuint(owned.len, ==, 0);
        g_assert_cmpmem(c.items[0].u.notify.data.ptr, 4, "\x01\x02\x03\x04", 4);
        ike_chain_move(&d, &c);
        g_assert_cmpuint(c.n, ==, 0);
        g_assert_null(c.items);
        g_assert_cmpuint(d.n, ==, 1);
        ike_chain_clear(&d);
        ike_chain_clear(&d); /* twice is fine */
        ike_chain_clear(NULL);

        /* On failure the buffer stays the caller's. */
        g_assert_cmpint(bytes_dup(&bad, SLICE("\x00\x00\x00\x03", 4)), ==, 0);
        g_assert_cmpint(ike_chain_parse_owned(&c, IKEV2_PAYLOAD_NOTIFY, &bad, 0, 0, &err), ==,
                        -EBADMSG);
        g_assert_nonnull(bad.ptr);
        g_assert_cmpuint(bad.len, ==, 4);
        bytes_free(&bad);
}

static void test_chain_lookups(void)
{
        g_autoptr(GByteArray) b = unhex("29 00 00 08 00 00 40 2e"       /* N(FRAGMENTATION) */
                                        "2b 00 00 0a 00 00 00 11 00 13" /* N(INVALID_KE) */
                                        "29 00 00 05 aa"                /* V */
                                        "00 00 00 08 00 00 40 06");     /* N(COOKIE) */
        struct ike_chain c;

        parse_ok(&c, IKEV2_PAYLOAD_NOTIFY, b);
        g_assert_cmpuint(c.n, ==, 4);
        g_assert_cmpuint(ike_chain_count(&c, IKEV2_PAYLOAD_NOTIFY), ==, 3);
        g_assert_cmpuint(ike_chain_count(&c, IKEV2_PAYLOAD_SA), ==, 0);
        g_assert_true(ike_chain_find(&c, IKEV2_PAYLOAD_NOTIFY, 0) == &c.items[0]);
        g_assert_true(ike_chain_find(&c, IKEV2_PAYLOAD_NOTIFY, 1) == &c.items[1]);
        g_assert_true(ike_chain_find(&c, IKEV2_PAYLOAD_NOTIFY, 2) == &c.items[3]);
        g_assert_null(ike_chain_find(&c, IKEV2_PAYLOAD_NOTIFY, 4));
        g_assert_true(ike_chain_find(&c, IKEV2_PAYLOAD_VENDOR, 0) == &c.items[2]);
        g_assert_true(ike_chain_find_notify(&c, IKEV2_N_COOKIE) == &c.items[3].u.notify);
        g_assert_true(ike_chain_find_error_notify(&c) == &c.items[1].u.notify);
        g_assert_cmpuint(ike_chain_first_type(&c), ==, IKEV2_PAYLOAD_NOTIFY);
        ike_chain_clear(&c);
        g_assert_null(ike_chain_find(NULL, 1, 0));
        g_assert_null(ike_chain_find_notify(NULL, 1));
        g_assert_null(ike_chain_find_error_notify(NULL));
        g_assert_cmpuint(ike_chain_count(NULL, 1), ==, 0);
}

/* ------------------------------------------------------------------ header and messages, 3.1 */

/* HDR (IKE_SA_INIT request) with Next NONE and no payloads. */
#define EMPTY_INIT "01 02 03 04 05 06 07 08  00 00 00 00 00 00 00 00  00 20 22 08 00 00 00 00 00 00 00 1c"

static void test_header(void)
{
        g_autoptr(GByteArray) b = unhex(EMPTY_INIT);
        g_autoptr(GByteArray) extra = unhex("01 02 03 04 05 06 07 08  f1 f2 f3 f4 f5 f6 f7 f8"
                                            "29 21 25 a9 ff ff ff fe 00 00 00 24"
                                            "00 00 00 08 00 00 40 2e");
        struct ike_header h;
        struct ike_error err;
        guint8 out[28];
        struct wbuf w;
        _cleanup_ike_message_ struct ike_message *m = NULL;

        g_assert_cmpint(ike_header_parse(ba_slice(b), &h, &err), ==, 0);
        g_assert_cmphex(h.spi_i, ==, 0x0102030405060708ULL);
        g_assert_cmphex(h.spi_r, ==, 0);
        g_assert_cmpuint(h.next_payload, ==, IKEV2_PAYLOAD_NONE);
        g_assert_cmpuint(h.version, ==, IKEV2_VERSION);
        g_assert_cmpuint(h.exchange, ==, IKEV2_EXCHANGE_IKE_SA_INIT);
        g_assert_true(ike_header_from_initiator(&h));
        g_assert_false(ike_header_is_response(&h));
        g_assert_cmpuint(h.message_id, ==, 0);
        g_assert_cmpuint(h.length, ==, 28);
        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(ike_header_write(&h, &w), ==, 0);
        g_assert_cmpmem(out, wbuf_len(&w), b->data, b->len);

        /* Minor version 1, unknown flag bits, big message ID: kept as they are. */
        g_assert_cmpint(ike_message_parse(&m, ba_slice(extra), &err), ==, 0);
        g_assert_cmphex(m->hdr.spi_r, ==, 0xf1f2f3f4f5f6f7f8ULL);
        g_assert_cmpuint(m->hdr.version, ==, 0x21);
        g_assert_cmpuint(m->hdr.exchange, ==, IKEV2_EXCHANGE_INFORMATIONAL);
        g_assert_cmpuint(m->hdr.flags, ==, 0xa9);
        g_assert_true(ike_header_is_response(&m->hdr));
        g_assert_cmpuint(m->hdr.message_id, ==, 0xfffffffeU);
        g_assert_cmpuint(m->clear.n, ==, 1);
        g_assert_cmpuint(m->clear.items[0].offset, ==, 28);
        assert_message_bytes(m, extra->data, extra->len);
}

struct message_case {
        const char *name;
        const char *hex;
        int code;
        uint16_t notify;
        size_t offset;
        const char *what;
};

static const struct message_case message_cases[] = {
        { "short", "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 00 20 22 08 00 00 00 00 00 00 00",
          SYN, 0, "IKE header: 27 octets < header length 28" },
        { "length-below-header",
          "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 00 20 22 08 00 00 00 00 00 00 00 1b",
          SYN, 24, "IKE header: length 27 < minimum 28" },
        { "length-above-datagram", EMPTY_INIT "", SYN, 24, "" }, /* see test_message_lengths */
        { "ikev1", "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 00 10 22 08 00 00 00 00 00 00 00 1c",
          -EPROTONOSUPPORT, IKEV2_N_INVALID_MAJOR_VERSION, 17, "IKE header: major version 1 != 2" },
        { "ikev3", "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 00 30 22 08 00 00 00 00 00 00 00 1c",
          -EPROTONOSUPPORT, IKEV2_N_INVALID_MAJOR_VERSION, 17, "IKE header: major version 3 != 2" },
        { "length-329-for-328",
          "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 29 20 22 08 00 00 00 00 00 00 00 25"
          "00 00 00 08 00 00 40 2e",
          SYN, 24, "IKE header: length 37 != datagram length 36" },
        { "length-shorter-than-datagram",
          "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 29 20 22 08 00 00 00 00 00 00 00 23"
          "00 00 00 08 00 00 40 2e",
          SYN, 24, "IKE header: length 35 != datagram length 36" },
        { "payload-error-offset",
          "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 29 20 22 08 00 00 00 00 00 00 00 24"
          "00 00 00 09 00 00 40 2e",
          SYN, 30, "Notify payload: length 9 > 8 octets left" },
        { "critical-unknown",
          "01 02 03 04 05 06 07 08 00 00 00 00 00 00 00 00 29 20 22 08 00 00 00 00 00 00 00 28"
          "fe 00 00 08 00 00 40 2e  00 80 00 04",
          -EOPNOTSUPP, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, 36,
          "unsupported critical payload type 254" },
};

static void run_message_case(gconstpointer data)
{
        const struct message_case *tc = data;
        g_autoptr(GByteArray) b = unhex(tc->hex);
        struct ike_message *m = NULL;
        struct ike_error err = { 0 };

        g_assert_cmpint(ike_message_parse(&m, ba_slice(b), &err), ==, tc->code);
        g_assert_null(m);
        g_assert_cmpint(err.code, ==, tc->code);
        g_assert_cmpuint(err.notify, ==, tc->notify);
        g_assert_cmpuint(err.offset, ==, tc->offset);
        if (!strstr(err.what, tc->what))
                g_error("%s: \"%s\" does not contain \"%s\"", tc->name, err.what, tc->what);
}

static void test_message_lengths(void)
{
        g_autoptr(GByteArray) b = unhex(EMPTY_INIT);
        g_autofree guint8 *big = g_malloc0(IKE_MESSAGE_MAX + 1);
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct ike_error err;

        /* the empty message */
        g_assert_cmpint(ike_message_parse(&m, ba_slice(b), &err), ==, 0);
        g_assert_cmpuint(m->clear.n, ==, 0);
        g_assert_null(ike_message_sk(m));
        g_assert_true(ike_message_payloads(m) == &m->clear);
        assert_message_bytes(m, b->data, b->len);
        ike_message_free(TAKE_PTR(m));

        /* one octet more in the datagram than the header says */
        g_byte_array_append(b, (const guint8 *)"\0", 1);
        g_assert_cmpint(ike_message_parse(&m, ba_slice(b), &err), ==, -EBADMSG);
        g_assert_cmpstr(err.what, ==, "IKE header: length 28 != datagram length 29 at offset 24");

        /* a datagram beyond IKE_MESSAGE_MAX */
        memcpy(big, b->data, 28);
        big[24] = 0;
        big[25] = 1;
        big[26] = 0;
        big[27] = 0;
        g_assert_cmpint(ike_message_parse(&m, SLICE(big, IKE_MESSAGE_MAX + 1), &err), ==, -E2BIG);
        g_assert_cmpstr(err.what, ==, "IKE message: 65536 octets > maximum 65535 at offset 0");
        g_assert_cmpint(ike_message_parse(NULL, ba_slice(b), &err), ==, -EINVAL);
        ike_message_free(NULL);
}

/* ------------------------------------------------------------------ UDP, RFC 3948 */
static void test_udp_demux(void)
{
        g_autoptr(GByteArray) ike = unhex(EMPTY_INIT);
        g_autoptr(GByteArray) marked = unhex("00 00 00 00" EMPTY_INIT);
        g_autoptr(GByteArray) marked_short = unhex("00 00 00 00 01 02 03");
        g_autoptr(GByteArray) esp = unhex("c1 a2 b3 d4 00 00 00 01");
        struct slice s = { 0 };
        guint8 buf[4];
        struct wbuf w;

        g_assert_cmpint(ike_udp_classify(ba_slice(ike), false, &s), ==, IKE_UDP_IKE);
        g_assert_true(s.ptr == ike->data && s.len == ike->len);
        g_assert_cmpint(ike_udp_classify(SLICE(ike->data, 27), false, &s), ==, IKE_UDP_INVALID);
        g_assert_cmpint(ike_udp_classify(SLICE("\xff", 1), false, &s), ==, IKE_UDP_INVALID);

        g_assert_cmpint(ike_udp_classify(ba_slice(marked), true, &s), ==, IKE_UDP_IKE);
        g_assert_true(s.ptr == marked->data + 4 && s.len == marked->len - 4);
        g_assert_cmpint(ike_udp_classify(ba_slice(marked_short), true, &s), ==, IKE_UDP_INVALID);
        g_assert_cmpint(ike_udp_classify(SLICE("\xff", 1), true, &s), ==, IKE_UDP_KEEPALIVE);
        g_assert_cmpint(ike_udp_classify(SLICE("\xff\xff", 2), true, &s), ==, IKE_UDP_INVALID);
        g_assert_cmpint(ike_udp_classify(ba_slice(esp), true, &s), ==, IKE_UDP_ESP);
        g_assert_cmpint(ike_udp_classify(SLICE(esp->data, 7), true, &s), ==, IKE_UDP_INVALID);
        g_assert_cmpint(ike_udp_classify(SLICE(NULL, 0), true, &s), ==, IKE_UDP_INVALID);
        /* without the marker on 4500 an IKE message is taken for ESP */
        g_assert_cmpint(ike_udp_classify(ba_slice(ike), true, &s), ==, IKE_UDP_ESP);

        g_assert_true(ike_is_natt_keepalive(SLICE("\xff", 1)));
        g_assert_false(ike_is_natt_keepalive(SLICE("\xfe", 1)));
        g_assert_false(ike_is_natt_keepalive(SLICE("\xff\x00", 2)));
        g_assert_cmpint(ike_non_esp_marker_strip(ba_slice(marked), &s), ==, 0);
        g_assert_true(s.ptr == marked->data + 4);
        g_assert_cmpint(ike_non_esp_marker_strip(ba_slice(esp), &s), ==, -EBADMSG);
        g_assert_cmpint(ike_non_esp_marker_strip(SLICE("\0\0\0", 3), &s), ==, -EBADMSG);
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_non_esp_marker_write(&w), ==, 0);
        g_assert_cmpmem(buf, wbuf_len(&w), "\0\0\0\0", 4);
}

/* ------------------------------------------------------------------ protected messages */

static struct ike_message *auth_request(void)
{
        struct ike_message *m = NULL;

        g_assert_cmpint(ike_message_new(&m), ==, 0);
        m->hdr.spi_i = 0x0102030405060708ULL;
        m->hdr.spi_r = 0x1112131415161718ULL;
        m->hdr.exchange = IKEV2_EXCHANGE_IKE_AUTH;
        m->hdr.flags = IKEV2_FLAG_INITIATOR;
        m->hdr.message_id = 1;
        g_assert_cmpint(ike_chain_add_id(&m->inner, IKEV2_PAYLOAD_IDi, IKEV2_ID_FQDN,
                                         SLICE("c.test", 6)),
                        ==, 0);
        g_assert_cmpint(ike_chain_add_notify(&m->inner, 0, IKEV2_N_INITIAL_CONTACT, SLICE(NULL, 0),
                                             SLICE(NULL, 0)),
                        ==, 0);
        return m;
}

static void test_write_sk(void)
{
        _cleanup_ike_message_ struct ike_message *m = auth_request();
        _cleanup_ike_message_ struct ike_message *back = NULL;
        g_autoptr(GByteArray) plain = unhex("29 00 00 0e 02 00 00 00 63 2e 74 65 73 74"
                                            "00 00 00 08 00 00 40 00");
        g_autoptr(GByteArray) want = unhex("01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18"
                                           "2e 20 23 08 00 00 00 01 00 00 00 36"
                                           "23 00 00 1a");
        guint8 buf[256], pbuf[64];
        struct wbuf w, pw;
        struct ike_error err;
        struct bytes owned;
        const struct ike_sk *sk;
        size_t off;

        /* The plaintext the SK layer encrypts. */
        wbuf_init(&pw, pbuf, sizeof(pbuf));
        g_assert_cmpint(ike_chain_serialize(&m->inner, &pw), ==, 0);
        g_assert_cmpmem(pbuf, wbuf_len(&pw), plain->data, plain->len);

        /* Header and SK header for a 22-octet body: 28 + 4 + 22 = 54. */
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_write_sk(m, 22, &w, &off), ==, 0);
        g_assert_cmpuint(off, ==, 32);
        g_assert_cmpuint(wbuf_len(&w), ==, 54);
        g_assert_cmpmem(buf, 32, want->data, want->len);
        /* ike_message_serialize() refuses: the inner payloads would be lost. */
        {
                struct wbuf w2;

                wbuf_init(&w2, buf + 100, 100);
                g_assert_cmpint(ike_message_serialize(m, &w2), ==, -EINVAL);
        }

        /* "Encrypt" with the identity and read it back like a receiver. */
        memcpy(buf + off, pbuf, wbuf_len(&pw));
        g_assert_cmpint(ike_message_parse(&back, SLICE(buf, 54), &err), ==, 0);
        sk = ike_message_sk(back);
        g_assert_nonnull(sk);
        g_assert_false(ike_message_is_fragment(back));
        g_assert_cmpuint(sk->next, ==, IKEV2_PAYLOAD_IDi);
        g_assert_true(sk->aad.ptr == buf && sk->aad.len == 32);
        g_assert_true(sk->body.ptr == buf + 32 && sk->body.len == 22);
        g_assert_true(ike_message_payloads(back) == &back->clear);
        g_assert_cmpint(bytes_dup(&owned, sk->body), ==, 0);
        g_assert_cmpint(ike_message_parse_inner(back, sk->next, &owned, &err), ==, 0);
        g_assert_null(owned.ptr);
        g_assert_true(back->has_inner);
        g_assert_true(ike_message_payloads(back) == &back->inner);
        g_assert_cmpuint(back->inner.n, ==, 2);
        g_assert_cmpuint(back->inner.items[0].type, ==, IKEV2_PAYLOAD_IDi);
        g_assert_cmpmem(back->inner.items[0].u.id.data.ptr, 6, "c.test", 6);
        /* The parsed, decrypted message still serializes to the datagram. */
        assert_message_bytes(back, buf, 54);

        /* A body that does not fit a payload, a buffer too small. */
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_write_sk(m, 65532, &w, &off), ==, -EMSGSIZE);
        wbuf_init(&w, buf, 40);
        g_assert_cmpint(ike_message_write_sk(m, 22, &w, &off), ==, -ENOBUFS);
        g_assert_cmpint(ike_message_write_sk(NULL, 22, &w, &off), ==, -EINVAL);
        /* The parsed message already ends in SK: nothing to add one to. */
        wbuf_init(&w, buf + 100, 100);
        g_assert_cmpint(ike_message_write_sk(back, 22, &w, &off), ==, -EINVAL);
}

static void test_parse_inner_errors(void)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        g_autoptr(GByteArray) msg = unhex("01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18"
                                          "2e 20 25 20 00 00 00 02 00 00 00 24"
                                          "29 00 00 08 aa bb cc dd");
        struct ike_error err;
        struct bytes plain;

        g_assert_cmpint(ike_message_parse(&m, ba_slice(msg), &err), ==, 0);
        /* SK inside SK */
        g_assert_cmpint(bytes_dup(&plain, SLICE("\x00\x00\x00\x04", 4)), ==, 0);
        g_assert_cmpint(ike_message_parse_inner(m, IKEV2_PAYLOAD_SK, &plain, &err), ==, -EPROTO);
        g_assert_cmpstr(err.what, ==, "SK payload inside an encrypted payload at offset 0");
        g_assert_nonnull(plain.ptr); /* still ours */
        g_assert_false(m->has_inner);
        bytes_free(&plain);
        /* offsets count from the plaintext */
        g_assert_cmpint(bytes_dup(&plain, SLICE("\x29\x00\x00\x08\x00\x00\x40\x2e\x00\x00\x00\x03",
                                                12)),
                        ==, 0);
        g_assert_cmpint(ike_message_parse_inner(m, IKEV2_PAYLOAD_NOTIFY, &plain, &err), ==,
                        -EBADMSG);
        g_assert_cmpuint(err.offset, ==, 10);
        bytes_free(&plain);
        g_assert_cmpint(ike_message_parse_inner(m, 0, NULL, &err), ==, -EINVAL);
        g_assert_cmpint(ike_message_parse_inner(NULL, 0, &plain, &err), ==, -EINVAL);
}

static void test_write_skf(void)
{
        _cleanup_ike_message_ struct ike_message *m = auth_request();
        _cleanup_ike_message_ struct ike_message *back = NULL;
        g_autoptr(GByteArray) f1 = unhex("01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18"
                                         "35 20 23 08 00 00 00 01 00 00 00 2a"
                                         "23 00 00 0e 00 01 00 02");
        g_autoptr(GByteArray) f2 = unhex("01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18"
                                         "35 20 23 08 00 00 00 01 00 00 00 26"
                                         "00 00 00 0a 00 02 00 02");
        guint8 buf[128];
        struct wbuf w;
        struct ike_error err;
        size_t off;

        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_write_skf(m, 1, 2, 6, &w, &off), ==, 0);
        g_assert_cmpuint(off, ==, 36);
        g_assert_cmpuint(wbuf_len(&w), ==, 42);
        g_assert_cmpmem(buf, 36, f1->data, f1->len);
        g_assert_cmpint(ike_message_parse(&back, SLICE(buf, 42), &err), ==, 0);
        g_assert_true(ike_message_is_fragment(back));
        g_assert_cmpuint(ike_message_sk(back)->frag_num, ==, 1);
        g_assert_cmpuint(ike_message_sk(back)->frag_total, ==, 2);
        g_assert_cmpuint(ike_message_sk(back)->aad.len, ==, 36);

        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_write_skf(m, 2, 2, 2, &w, &off), ==, 0);
        g_assert_cmpmem(buf, 36, f2->data, f2->len);

        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_write_skf(m, 3, 2, 2, &w, &off), ==, -EINVAL);
        g_assert_cmpint(ike_message_write_skf(m, 0, 2, 2, &w, &off), ==, -EINVAL);
        g_assert_cmpint(ike_message_write_skf(m, 1, 129, 2, &w, &off), ==, -EINVAL);
        /* no payloads in the clear next to SKF */
        g_assert_cmpint(ike_chain_add_vendor(&m->clear, SLICE("v", 1)), ==, 0);
        g_assert_cmpint(ike_message_write_skf(m, 1, 1, 2, &w, &off), ==, -EINVAL);
}

/* ------------------------------------------------------------------ builders */

/* The IKE_SA_INIT request of tests/vectors/ike/handmade, built with the
 * builders: the bytes must be those written by hand. */
static void test_build_sa_init_request(void)
{
        g_autoptr(GByteArray) want = load_vector("handmade", "ike_sa_init_request.hex");
        _cleanup_ike_message_ struct ike_message *m = NULL;
        const struct ike_transform p1[] = {
                { .type = IKEV2_TRANSFORM_ENCR, .id = IKEV2_ENCR_AES_GCM_16, .key_length = 256 },
                { .type = IKEV2_TRANSFORM_PRF, .id = IKEV2_PRF_HMAC_SHA2_256 },
                { .type = IKEV2_TRANSFORM_DH, .id = IKEV2_DH_ECP256 },
        };
        const struct ike_transform p2[] = {
                { .type = IKEV2_TRANSFORM_ENCR, .id = IKEV2_ENCR_AES_CBC, .key_length = 256 },
                { .type = IKEV2_TRANSFORM_INTEG, .id = IKEV2_INTEG_HMAC_SHA2_256_128 },
                { .type = IKEV2_TRANSFORM_PRF, .id = IKEV2_PRF_HMAC_SHA2_256 },
                { .type = IKEV2_TRANSFORM_DH, .id = IKEV2_DH_ECP256 },
                { .type = IKEV2_TRANSFORM_DH, .id = IKEV2_DH_CURVE25519 },
        };
        const struct ike_proposal props[] = {
                { .num = 1, .protocol = IKEV2_PROTO_IKE, .transforms = (struct ike_transform *)p1,
                  .n_transforms = G_N_ELEMENTS(p1) },
                { .num = 2, .protocol = IKEV2_PROTO_IKE, .transforms = (struct ike_transform *)p2,
                  .n_transforms = G_N_ELEMENTS(p2) },
        };
        const guint8 *v = want->data;
        guint8 *buf = g_malloc(want->len);
        struct wbuf w;

        g_assert_cmpuint(want->len, ==, 328);
        g_assert_cmpint(ike_message_new(&m), ==, 0);
        m->hdr.spi_i = 0x5a3c1f9e7702b4c1ULL;
        m->hdr.exchange = IKEV2_EXCHANGE_IKE_SA_INIT;
        m->hdr.flags = IKEV2_FLAG_INITIATOR;
        g_assert_cmpint(ike_chain_add_sa(&m->clear, props, G_N_ELEMENTS(props)), ==, 0);
        g_assert_cmpint(ike_chain_add_ke(&m->clear, IKEV2_DH_ECP256, SLICE(v + 128, 64)), ==, 0);
        g_assert_cmpint(ike_chain_add_nonce(&m->clear, SLICE(v + 196, 32)), ==, 0);
        g_assert_cmpint(ike_chain_add_notify(&m->clear, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
                                             SLICE(NULL, 0), SLICE(v + 236, 20)),
                        ==, 0);
        g_assert_cmpint(ike_chain_add_notify(&m->clear, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP,
                                             SLICE(NULL, 0), SLICE(v + 264, 20)),
                        ==, 0);
        g_assert_cmpint(ike_chain_add_notify(&m->clear, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED,
                                             SLICE(NULL, 0), SLICE(NULL, 0)),
                        ==, 0);
        g_assert_cmpint(ike_chain_add_notify(&m->clear, 0, IKEV2_N_SIGNATURE_HASH_ALGORITHMS,
                                             SLICE(NULL, 0),
                                             SLICE("\x00\x02\x00\x03\x00\x04\x00\x05", 8)),
                        ==, 0);
        g_assert_cmpint(ike_chain_add_vendor(&m->clear, SLICE(v + 312, 16)), ==, 0);
        wbuf_init(&w, buf, want->len);
        g_assert_cmpint(ike_message_serialize(m, &w), ==, 0);
        g_assert_cmpmem(buf, wbuf_len(&w), want->data, want->len);
        g_free(buf);
}

struct build_case {
        const char *name;
        const char *hex; /* the payload as RFC 7296 draws it, alone in its chain */
};

static void check_built(struct ike_chain *c, const char *hex)
{
        g_autoptr(GByteArray) want = unhex(hex);

        g_assert_cmpuint(c->n, ==, 1);
        assert_chain_bytes(c, want->data, want->len);
        ike_chain_clear(c);
}

static void test_build_each_payload(void)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        guint8 spi_buf[4] = { 0xc1, 0xa2, 0xb3, 0xd4 };
        struct ike_attr unknown_attr = { .type = 1, .tv = true, .tv_value = 5 };
        struct ike_transform esp_tr[] = {
                { .type = IKEV2_TRANSFORM_ENCR, .id = IKEV2_ENCR_AES_CBC, .key_length = 128,
                  .attrs = &unknown_attr, .n_attrs = 1 },
                { .type = IKEV2_TRANSFORM_ESN, .id = IKEV2_ESN_NO },
        };
        struct ike_proposal esp = { .num = 1, .protocol = IKEV2_PROTO_ESP, .spi = SLICE(spi_buf, 4),
                                    .transforms = esp_tr, .n_transforms = 2 };
        struct ike_ts_selector sel[2];
        struct ike_cp_attr attrs[] = {
                { .type = IKEV2_CFG_INTERNAL_IP4_ADDRESS },
                { .type = IKEV2_CFG_INTERNAL_IP4_DNS, .value = SLICE("\x0a\x00\x00\x01", 4) },
                { .type = IKEV2_CFG_INTERNAL_DNS_DOMAIN, .value = SLICE("c.test", 6) },
        };

        g_assert_cmpint(ike_chain_add_sa(&c, &esp, 1), ==, 0);
        spi_buf[0] = 0; /* the builder copied it */
        unknown_attr.tv_value = 9;
        check_built(&c, "00 00 00 28  00 00 00 24 01 03 04 02 c1 a2 b3 d4"
                        "03 00 00 10 01 00 00 0c 80 0e 00 80 80 01 00 05"
                        "00 00 00 08 05 00 00 00");
        g_assert_cmpint(ike_chain_add_ke(&c, 31, SLICE("\x01\x02", 2)), ==, 0);
        check_built(&c, "00 00 00 0a 00 1f 00 00 01 02");
        g_assert_cmpint(ike_chain_add_id(&c, IKEV2_PAYLOAD_IDr, IKEV2_ID_IPV4_ADDR,
                                         SLICE("\xc0\x00\x02\x01", 4)),
                        ==, 0);
        check_built(&c, "00 00 00 0c 01 00 00 00 c0 00 02 01");
        g_assert_cmpint(ike_chain_add_id(&c, IKEV2_PAYLOAD_IDi, IKEV2_ID_NULL, SLICE(NULL, 0)), ==,
                        0);
        check_built(&c, "00 00 00 08 0d 00 00 00");
        g_assert_cmpint(ike_chain_add_cert(&c, IKEV2_CERT_X509_SIGNATURE, SLICE("\x30\x00", 2)), ==,
                        0);
        check_built(&c, "00 00 00 07 04 30 00");
        g_assert_cmpint(ike_chain_add_certreq(&c, IKEV2_CERT_X509_SIGNATURE, SLICE(NULL, 0)), ==, 0);
        check_built(&c, "00 00 00 05 04");
        g_assert_cmpint(ike_chain_add_auth(&c, IKEV2_AUTH_SHARED_KEY_MIC, SLICE("\xaa", 1)), ==, 0);
        check_built(&c, "00 00 00 09 02 00 00 00 aa");
        g_assert_cmpint(ike_chain_add_auth_digital_signature(&c, SLICE("\x30\x00", 2),
                                                             SLICE("\xbb\xcc", 2)),
                        ==, 0);
        check_built(&c, "00 00 00 0d 0e 00 00 00 02 30 00 bb cc");
        g_assert_cmpint(ike_chain_add_nonce(&c, SLICE("0123456789abcdef", 16)), ==, 0);
        check_built(&c, "00 00 00 14 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66");
        g_assert_cmpint(ike_chain_add_notify(&c, IKEV2_PROTO_ESP, IKEV2_N_REKEY_SA,
                                             SLICE("\x01\x02\x03\x04", 4), SLICE(NULL, 0)),
                        ==, 0);
        check_built(&c, "00 00 00 0c 03 04 40 09 01 02 03 04");
        g_assert_cmpint(ike_chain_add_delete(&c, IKEV2_PROTO_ESP, 4, 1,
                                             SLICE("\x01\x02\x03\x04", 4)),
                        ==, 0);
        check_built(&c, "00 00 00 0c 03 04 00 01 01 02 03 04");
        g_assert_cmpint(ike_chain_add_delete(&c, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0)), ==, 0);
        check_built(&c, "00 00 00 08 01 00 00 00");
        g_assert_cmpint(ike_chain_add_vendor(&c, SLICE("\x01\x02", 2)), ==, 0);
        check_built(&c, "00 00 00 06 01 02");
        sel[0] = ike_ts_selector_make((const uint8_t *)"\x0a\x00\x00\x00",
                                      (const uint8_t *)"\x0a\x00\x00\xff", 4, 0, 0, 65535);
        sel[1] = ike_ts_selector_make((const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
                                      (const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff"
                                                       "\xff\xff\xff\xff\xff\xff\xff\xff",
                                      16, 6, 443, 443);
        g_assert_cmpint(ike_chain_add_ts(&c, IKEV2_PAYLOAD_TSr, sel, 2), ==, 0);
        check_built(&c, "00 00 00 40 02 00 00 00"
                        "07 00 00 10 00 00 ff ff 0a 00 00 00 0a 00 00 ff"
                        "08 06 00 28 01 bb 01 bb 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                        "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff");
        g_assert_cmpint(ike_chain_add_cp(&c, IKEV2_CFG_REQUEST, attrs, G_N_ELEMENTS(attrs)), ==, 0);
        check_built(&c, "00 00 00 1e 01 00 00 00 00 01 00 00 00 03 00 04 0a 00 00 01"
                        "00 19 00 06 63 2e 74 65 73 74");
        g_assert_cmpint(ike_chain_add_eap(&c, EAP_CODE_RESPONSE, 7, EAP_TYPE_IDENTITY,
                                          SLICE("bob", 3)),
                        ==, 0);
        check_built(&c, "00 00 00 0c 02 07 00 08 01 62 6f 62");
        g_assert_cmpint(ike_chain_add_eap(&c, EAP_CODE_SUCCESS, 8, 0, SLICE(NULL, 0)), ==, 0);
        check_built(&c, "00 00 00 08 03 08 00 04");
        g_assert_cmpint(ike_chain_add_eap_msg(&c, SLICE("\x02\x09\x00\x06\x1a\x02", 6)), ==, 0);
        check_built(&c, "00 00 00 0a 02 09 00 06 1a 02");
}

static void test_build_refusals(void)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_transform t = { .type = IKEV2_TRANSFORM_ENCR, .id = 12 };
        struct ike_attr kl = { .type = IKEV2_ATTR_KEY_LENGTH, .tv = true, .tv_value = 128 };
        struct ike_attr high = { .type = 0x8001, .tv = true };
        struct ike_proposal p = { .num = 1, .protocol = IKEV2_PROTO_IKE, .transforms = &t,
                                  .n_transforms = 1 };
        struct ike_ts_selector zero = { 0 };
        struct ike_cp_attr bad_cp = { .type = IKEV2_CFG_INTERNAL_IP4_ADDRESS,
                                      .value = SLICE("\x01\x02\x03", 3) };
        guint8 big[IKE_KE_DATA_MAX + 1] = { 0 };

        g_assert_cmpint(ike_chain_add_nonce(&c, SLICE(big, IKE_NONCE_MIN - 1)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_nonce(&c, SLICE(big, IKE_NONCE_MAX + 1)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_ke(&c, 19, SLICE(NULL, 0)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_ke(&c, 19, SLICE(big, IKE_KE_DATA_MAX + 1)), ==, -E2BIG);
        g_assert_cmpint(ike_chain_add_id(&c, IKEV2_PAYLOAD_IDi, IKEV2_ID_IPV4_ADDR, SLICE(big, 5)),
                        ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_id(&c, IKEV2_PAYLOAD_AUTH, IKEV2_ID_FQDN, SLICE("a", 1)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_id(&c, IKEV2_PAYLOAD_IDi, IKEV2_ID_FQDN, SLICE(NULL, 0)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_auth(&c, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE("\x05\x01", 2)),
                        ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_auth_digital_signature(&c, SLICE(NULL, 0), SLICE("s", 1)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_cert(&c, 4, SLICE(NULL, 0)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_certreq(&c, IKEV2_CERT_X509_SIGNATURE, SLICE(big, 19)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_sa(&c, &p, 0), ==, -EINVAL);
        p.protocol = IKEV2_PROTO_ESP; /* needs a 4-octet SPI */
        g_assert_cmpint(ike_chain_add_sa(&c, &p, 1), ==, -EINVAL);
        p.protocol = IKEV2_PROTO_IKE;
        p.n_transforms = 0;
        g_assert_cmpint(ike_chain_add_sa(&c, &p, 1), ==, -EINVAL);
        p.n_transforms = 1;
        t.attrs = &kl; /* Key Length goes in .key_length */
        t.n_attrs = 1;
        g_assert_cmpint(ike_chain_add_sa(&c, &p, 1), ==, -EINVAL);
        t.attrs = &high;
        g_assert_cmpint(ike_chain_add_sa(&c, &p, 1), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_ts(&c, IKEV2_PAYLOAD_TSi, &zero, 1), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_ts(&c, IKEV2_PAYLOAD_TSi, &zero, 0), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_ts(&c, IKEV2_PAYLOAD_SA, &zero, 1), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_cp(&c, 1, &bad_cp, 1), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_eap(&c, EAP_CODE_SUCCESS, 1, 1, SLICE(NULL, 0)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_eap(&c, 9, 1, 1, SLICE(NULL, 0)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_eap(&c, EAP_CODE_REQUEST, 1, EAP_TYPE_EXPANDED, SLICE("x", 1)),
                        ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_eap_msg(&c, SLICE("\x01\x01\x00\x09\x01", 5)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_eap_msg(&c, SLICE("\x03\x01", 2)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_delete(&c, IKEV2_PROTO_IKE, 8, 1, SLICE(big, 8)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_delete(&c, IKEV2_PROTO_ESP, 4, 2, SLICE(big, 4)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_notify(&c, 0, 1, SLICE(big, 256), SLICE(NULL, 0)), ==,
                        -EINVAL);
        g_assert_cmpint(ike_chain_add_vendor(&c, SLICE(NULL, 0)), ==, -EINVAL);
        g_assert_cmpint(ike_chain_add_vendor(NULL, SLICE("v", 1)), ==, -EINVAL);
        /* Nothing was added by any of the refusals. */
        g_assert_cmpuint(c.n, ==, 0);

        /* The chain is full at IKE_PAYLOADS_MAX. */
        for (size_t i = 0; i < IKE_PAYLOADS_MAX; i++)
                g_assert_cmpint(ike_chain_add_vendor(&c, SLICE("v", 1)), ==, 0);
        g_assert_cmpint(ike_chain_add_vendor(&c, SLICE("v", 1)), ==, -E2BIG);
        g_assert_null(ike_chain_append(&c, IKEV2_PAYLOAD_VENDOR));
        ike_chain_clear(&c);
}

/* The serializer refuses structures that cannot be encoded. */
static void test_serialize_refusals(void)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_payload *p;
        struct ike_transform t = { .type = 1, .id = 12 };
        struct ike_proposal prop = { .num = 1, .protocol = 1, .transforms = &t, .n_transforms = 1 };
        struct ike_cp_attr cpa = { .type = 0x8001 };
        g_autofree guint8 *huge = g_malloc0(70000);
        guint8 buf[128];
        struct wbuf w;

#define EXPECT_SERIALIZE(code)                                                                     \
        do {                                                                                       \
                wbuf_init(&w, buf, sizeof(buf));                                                   \
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, (code));                          \
        } while (0)

        p = ike_chain_append(&c, IKEV2_PAYLOAD_SK);
        p->u.sk.next = IKEV2_PAYLOAD_IDi;
        ike_chain_append(&c, IKEV2_PAYLOAD_VENDOR)->u.vendor = SLICE("v", 1);
        EXPECT_SERIALIZE(-EINVAL); /* SK not last */
        ike_chain_clear(&c);

        ike_chain_append(&c, IKEV2_PAYLOAD_NONE);
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);
        ike_chain_append(&c, 5);
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);
        ike_chain_append(&c, IKEV2_PAYLOAD_VENDOR)->reserved = 0x80;
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);

        ike_chain_append(&c, IKEV2_PAYLOAD_SA)->u.sa = (struct ike_sa){ 0 };
        EXPECT_SERIALIZE(-EINVAL); /* no proposal */
        ike_chain_clear(&c);
        prop.n_transforms = 0;
        ike_chain_append(&c, IKEV2_PAYLOAD_SA)->u.sa = (struct ike_sa){ &prop, 1 };
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);
        prop.n_transforms = 1;
        prop.spi = SLICE(huge, 256);
        ike_chain_append(&c, IKEV2_PAYLOAD_SA)->u.sa = (struct ike_sa){ &prop, 1 };
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);

        ike_chain_append(&c, IKEV2_PAYLOAD_TSi);
        EXPECT_SERIALIZE(-EINVAL); /* no selector */
        ike_chain_clear(&c);
        ike_chain_append(&c, IKEV2_PAYLOAD_CP)->u.cp = (struct ike_cp){ .attrs = &cpa, .n_attrs = 1 };
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);
        p = ike_chain_append(&c, IKEV2_PAYLOAD_DELETE);
        p->u.del = (struct ike_delete){ .protocol = 3, .spi_size = 4, .n_spis = 2,
                                        .spis = SLICE(huge, 4) };
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);
        ike_chain_append(&c, IKEV2_PAYLOAD_NOTIFY)->u.notify.spi = SLICE(huge, 256);
        EXPECT_SERIALIZE(-EINVAL);
        ike_chain_clear(&c);

        /* A payload body beyond 65531 octets. */
        {
                g_autofree guint8 *out = g_malloc(70100);

                ike_chain_append(&c, 0x99)->u.raw = SLICE(huge, 65532);
                wbuf_init(&w, out, 70100);
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, -EMSGSIZE);
                ike_chain_clear(&c);
                ike_chain_append(&c, 0x99)->u.raw = SLICE(huge, 65531);
                wbuf_init(&w, out, 70100);
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, 0);
                g_assert_cmpuint(wbuf_len(&w), ==, 65535);
                ike_chain_clear(&c);
        }
        /* Values that do not fit their 16-bit length fields. */
        {
                struct ike_cp_attr big_attr = { .type = 7, .value = SLICE(huge, 65536) };
                struct ike_ts_selector raw = { .type = 9, .raw = SLICE(huge, 65532) };
                struct ike_attr tlv = { .type = 1, .tlv_value = SLICE(huge, 65536) };
                struct ike_transform tt = { .type = 1, .id = 12, .attrs = &tlv, .n_attrs = 1 };
                struct ike_proposal pp = { .num = 1, .protocol = 1, .transforms = &tt,
                                           .n_transforms = 1 };
                g_autofree guint8 *out = g_malloc(140000);

                ike_chain_append(&c, IKEV2_PAYLOAD_CP)->u.cp =
                        (struct ike_cp){ .attrs = &big_attr, .n_attrs = 1 };
                wbuf_init(&w, out, 140000);
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, -EMSGSIZE);
                ike_chain_clear(&c);
                ike_chain_append(&c, IKEV2_PAYLOAD_TSi)->u.ts = (struct ike_ts){ &raw, 1 };
                wbuf_init(&w, out, 140000);
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, -EMSGSIZE);
                ike_chain_clear(&c);
                ike_chain_append(&c, IKEV2_PAYLOAD_SA)->u.sa = (struct ike_sa){ &pp, 1 };
                wbuf_init(&w, out, 140000);
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, -EMSGSIZE);
                ike_chain_clear(&c);
                p = ike_chain_append(&c, IKEV2_PAYLOAD_EAP);
                p->u.eap = (struct ike_eap){ .code = 1, .type = 1, .data = SLICE(huge, 65527) };
                wbuf_init(&w, out, 140000);
                g_assert_cmpint(ike_chain_serialize(&c, &w), ==, -EMSGSIZE);
                ike_chain_clear(&c);
        }
        /* The output buffer is too small. */
        ike_chain_append(&c, IKEV2_PAYLOAD_VENDOR)->u.vendor = SLICE(huge, 200);
        EXPECT_SERIALIZE(-ENOBUFS);
        ike_chain_clear(&c);
        g_assert_cmpint(ike_chain_serialize(NULL, &w), ==, -EINVAL);
#undef EXPECT_SERIALIZE
}

/* A message over IKE_MESSAGE_MAX is refused. */
static void test_serialize_message_too_big(void)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        g_autofree guint8 *zeros = g_malloc0(IKE_CERT_DATA_MAX);
        g_autofree guint8 *out = g_malloc(2 * IKE_MESSAGE_MAX);
        struct wbuf w;

        g_assert_cmpint(ike_message_new(&m), ==, 0);
        g_assert_cmpint(ike_chain_add_cert(&m->clear, 4, SLICE(zeros, IKE_CERT_DATA_MAX)), ==, 0);
        wbuf_init(&w, out, 2 * IKE_MESSAGE_MAX);
        g_assert_cmpint(ike_message_serialize(m, &w), ==, 0);
        g_assert_cmpint(ike_chain_add_cert(&m->clear, 4, SLICE(zeros, IKE_CERT_DATA_MAX)), ==, 0);
        wbuf_init(&w, out, 2 * IKE_MESSAGE_MAX);
        g_assert_cmpint(ike_message_serialize(m, &w), ==, -EMSGSIZE);
}

/* ------------------------------------------------------------------ names */
static void test_names(void)
{
        char b[IKEV2_NAME_BUF];

        g_assert_cmpstr(ikev2_exchange_name(34, b), ==, "IKE_SA_INIT");
        g_assert_cmpstr(ikev2_exchange_name(44, b), ==, "IKE_FOLLOWUP_KE");
        g_assert_cmpstr(ikev2_exchange_name(99, b), ==, "UNKNOWN(99)");
        g_assert_true(ikev2_exchange_name(99, b) == b);
        g_assert_cmpstr(ikev2_exchange_name(UINT32_MAX, b), ==, "UNKNOWN(4294967295)");
        g_assert_cmpstr(ikev2_payload_name(33, b), ==, "SA");
        g_assert_cmpstr(ikev2_payload_name(40, b), ==, "Nonce");
        g_assert_cmpstr(ikev2_payload_name(53, b), ==, "SKF");
        g_assert_cmpstr(ikev2_payload_name(5, b), ==, "IKEv1-ID");
        g_assert_cmpstr(ikev2_payload_name(200, b), ==, "UNKNOWN(200)");
        g_assert_cmpstr(ikev2_notify_name(1, b), ==, "UNSUPPORTED_CRITICAL_PAYLOAD");
        g_assert_cmpstr(ikev2_notify_name(24, b), ==, "AUTHENTICATION_FAILED");
        g_assert_cmpstr(ikev2_notify_name(0, b), ==, "UNKNOWN(0)");
        g_assert_cmpstr(ikev2_notify_name(16384, b), ==, "INITIAL_CONTACT");
        g_assert_cmpstr(ikev2_notify_name(16430, b), ==, "IKEV2_FRAGMENTATION_SUPPORTED");
        g_assert_cmpstr(ikev2_notify_name(16442, b), ==, "USE_AGGFRAG");
        g_assert_cmpstr(ikev2_notify_name(16443, b), ==, "UNKNOWN(16443)");
        g_assert_cmpstr(ikev2_notify_name(8192, b), ==, "UNKNOWN(8192)");
        g_assert_cmpstr(ikev2_protocol_name(3, b), ==, "ESP");
        g_assert_cmpstr(ikev2_transform_type_name(4, b), ==, "KE");
        g_assert_cmpstr(ikev2_transform_type_name(7, b), ==, "ADDKE2");
        g_assert_cmpstr(ikev2_transform_id_name(1, 20, b), ==, "AES_GCM_16");
        g_assert_cmpstr(ikev2_transform_id_name(1, 3, b), ==, "3DES");
        g_assert_cmpstr(ikev2_transform_id_name(1, 11, b), ==, "NULL");
        g_assert_cmpstr(ikev2_transform_id_name(2, 5, b), ==, "HMAC_SHA2_256");
        g_assert_cmpstr(ikev2_transform_id_name(3, 12, b), ==, "HMAC_SHA2_256_128");
        g_assert_cmpstr(ikev2_transform_id_name(4, 31, b), ==, "CURVE25519");
        g_assert_cmpstr(ikev2_transform_id_name(6, 19, b), ==, "ECP256");
        g_assert_cmpstr(ikev2_transform_id_name(5, 1, b), ==, "ESN");
        g_assert_cmpstr(ikev2_transform_id_name(99, 1, b), ==, "UNKNOWN(1)");
        g_assert_cmpstr(ikev2_encr_name(22, b), ==, "UNKNOWN(22)");
        g_assert_cmpstr(ikev2_prf_name(8, b), ==, "AES128_CMAC");
        g_assert_cmpstr(ikev2_integ_name(0, b), ==, "NONE");
        g_assert_cmpstr(ikev2_dh_name(14, b), ==, "MODP2048");
        g_assert_cmpstr(ikev2_esn_name(0, b), ==, "NO_ESN");
        g_assert_cmpstr(ikev2_id_type_name(2, b), ==, "ID_FQDN");
        g_assert_cmpstr(ikev2_id_type_name(4, b), ==, "UNKNOWN(4)");
        g_assert_cmpstr(ikev2_auth_method_name(14, b), ==, "DIGITAL_SIGNATURE");
        g_assert_cmpstr(ikev2_cert_encoding_name(4, b), ==, "X509_SIGNATURE");
        g_assert_cmpstr(ikev2_ts_type_name(8, b), ==, "TS_IPV6_ADDR_RANGE");
        g_assert_cmpstr(ikev2_cfg_type_name(2, b), ==, "CFG_REPLY");
        g_assert_cmpstr(ikev2_cfg_attr_name(25, b), ==, "INTERNAL_DNS_DOMAIN");
        g_assert_cmpstr(ikev2_cfg_attr_name(26, b), ==, "INTERNAL_DNSSEC_TA");
        g_assert_cmpstr(ikev2_cfg_attr_name(5, b), ==, "UNKNOWN(5)");
        g_assert_cmpstr(ikev2_hash_name(2, b), ==, "SHA2_256");
        g_assert_cmpstr(eap_code_name(3, b), ==, "Success");
        g_assert_cmpstr(eap_type_name(26, b), ==, "EAP-MSCHAPv2");
        g_assert_cmpstr(eap_type_name(254, b), ==, "Expanded");
        g_assert_cmpstr(eap_type_name(255, b), ==, "UNKNOWN(255)");
        g_assert_cmpstr(ikev2_notify_name(17, IKEV2_NAME_TMP), ==, "INVALID_KE_PAYLOAD");
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        add_chain_cases("/ike/chain", chain_cases + 1, G_N_ELEMENTS(chain_cases) - 1);
        g_test_add_func("/ike/chain/unknown-critical", test_chain_unknown_critical);
        g_test_add_func("/ike/chain/empty-base-limits", test_chain_empty_base_limits);
        g_test_add_func("/ike/chain/ownership", test_chain_ownership);
        g_test_add_func("/ike/chain/lookups", test_chain_lookups);
        g_test_add_func("/ike/message/header", test_header);
        for (size_t i = 0; i < G_N_ELEMENTS(message_cases); i++) {
                g_autofree char *path = NULL;

                if (i == 2)
                        continue; /* covered with exact texts in test_message_lengths */
                path = g_strdup_printf("/ike/message/reject/%s", message_cases[i].name);
                g_test_add_data_func(path, &message_cases[i], run_message_case);
        }
        g_test_add_func("/ike/message/lengths", test_message_lengths);
        g_test_add_func("/ike/message/udp-demux", test_udp_demux);
        g_test_add_func("/ike/message/write-sk", test_write_sk);
        g_test_add_func("/ike/message/parse-inner-errors", test_parse_inner_errors);
        g_test_add_func("/ike/message/write-skf", test_write_skf);
        g_test_add_func("/ike/build/sa-init-request", test_build_sa_init_request);
        g_test_add_func("/ike/build/each-payload", test_build_each_payload);
        g_test_add_func("/ike/build/refusals", test_build_refusals);
        g_test_add_func("/ike/serialize/refusals", test_serialize_refusals);
        g_test_add_func("/ike/serialize/message-too-big", test_serialize_message_too_big);
        g_test_add_func("/ike/names", test_names);
        return g_test_run();
}
