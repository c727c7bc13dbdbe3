/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for every IKEv2 payload type (client/ike/): good cases, each
 * boundary, each malformed case, limits, field values and typed accessors.
 * Test data is written octet by octet from the RFC 7296 section 3 diagrams
 * (generic header "next crit length", then the body), not produced by our
 * serializer, so a bug shared by parser and serializer cannot hide.
 * Offsets are relative to the start of the chain (base 0).
 */
#include "tests/unit/ike-test.h"

#include "client/ike/ikev2.h"

#define SYN -EBADMSG, IKEV2_N_INVALID_SYNTAX
#define BIG -E2BIG, IKEV2_N_INVALID_SYNTAX
#define PROTO -EPROTO, IKEV2_N_INVALID_SYNTAX

/* ------------------------------------------------------------------ SA, RFC 7296 3.3 */
static const struct chain_case sa_cases[] = {
        { "minimal", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 01 00 01  00 00 00 08 01 00 00 0c" },
        { "two-proposals-attributes", IKEV2_PAYLOAD_SA,
          "00 00 00 43"
          "02 00 00 14 01 01 00 01  00 00 00 0c 01 00 00 14 80 0e 01 00"
          "00 00 00 2b 02 03 04 02 aa bb cc dd"
          "  03 00 00 17 01 00 00 0c  80 01 00 05  80 0e 00 80  00 02 00 03 01 02 03"
          "  00 00 00 08 05 00 00 01" },
        { "reserved-kept", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 5a 00 10 01 01 00 01  00 11 00 08 01 22 00 0c" },
        { "unknown-protocol-any-spi", IKEV2_PAYLOAD_SA,
          "00 00 00 16  00 00 00 12 01 09 02 01 ab cd  00 00 00 08 01 00 00 0c" },
        { "unknown-transform-type", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 01 00 01  00 00 00 08 f0 00 ab cd" },
        { "empty", IKEV2_PAYLOAD_SA, "00 00 00 04", SYN, 2, "SA payload: length 4 < minimum 12" },
        { "proposal-short", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 07 01 01 00 01  00 00 00 08 01 00 00 0c", SYN, 6,
          "SA payload: proposal 1: length 7 < minimum 8" },
        { "proposal-long", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 11 01 01 00 01  00 00 00 08 01 00 00 0c", SYN, 6,
          "SA payload: proposal 1: length 17 > 16 octets left" },
        { "last-substruc-more-on-last", IKEV2_PAYLOAD_SA,
          "00 00 00 14  02 00 00 10 01 01 00 01  00 00 00 08 01 00 00 0c", SYN, 4,
          "SA payload: proposal 1: Last Substruc 2, expected 0" },
        { "last-substruc-last-on-first", IKEV2_PAYLOAD_SA,
          "00 00 00 24  00 00 00 10 01 01 00 01  00 00 00 08 01 00 00 0c"
          "             00 00 00 10 02 01 00 01  00 00 00 08 01 00 00 0c",
          SYN, 4, "SA payload: proposal 1: Last Substruc 0, expected 2" },
        { "second-proposal-long", IKEV2_PAYLOAD_SA,
          "00 00 00 24  02 00 00 10 01 01 00 01  00 00 00 08 01 00 00 0c"
          "             00 00 00 11 02 01 00 01  00 00 00 08 01 00 00 0c",
          SYN, 22, "SA payload: proposal 2: length 17 > 16 octets left" },
        { "second-proposal-truncated", IKEV2_PAYLOAD_SA,
          "00 00 00 18  02 00 00 10 01 01 00 01  00 00 00 08 01 00 00 0c  de ad be ef", SYN, 20,
          "SA payload: proposal 2 needs 8 octets, 4 left" },
        { "esp-spi-size-0", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 03 00 01  00 00 00 08 01 00 00 0c", SYN, 10,
          "SA payload: proposal 1: SPI size 0 invalid for protocol 3" },
        { "ike-spi-size-4", IKEV2_PAYLOAD_SA,
          "00 00 00 18  00 00 00 14 01 01 04 01 11 22 33 44  00 00 00 08 01 00 00 0c", SYN, 10,
          "SA payload: proposal 1: SPI size 4 invalid for protocol 1" },
        { "spi-overflow", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 09 c8 01  00 00 00 08 01 00 00 0c", SYN, 10,
          "SA payload: proposal 1: SPI size 200 > 8 octets left" },
        { "no-transforms", IKEV2_PAYLOAD_SA, "00 00 00 0c  00 00 00 08 01 01 00 00", SYN, 11,
          "SA payload: proposal 1 has no transforms" },
        { "num-transforms-more", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 01 00 02  00 00 00 08 01 00 00 0c", SYN, 12,
          "SA payload: proposal 1 transform 1: Last Substruc 0, expected 3" },
        { "num-transforms-less", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 01 00 01  03 00 00 08 01 00 00 0c", SYN, 12,
          "SA payload: proposal 1 transform 1: Last Substruc 3, expected 0" },
        { "transform-short", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 01 00 01  00 00 00 07 01 00 00 0c", SYN, 14,
          "SA payload: proposal 1 transform 1: length 7 < minimum 8" },
        { "transform-long", IKEV2_PAYLOAD_SA,
          "00 00 00 14  00 00 00 10 01 01 00 01  00 00 00 0c 01 00 00 0c", SYN, 14,
          "SA payload: proposal 1 transform 1: length 12 > 8 octets left" },
        { "transform-truncated-header", IKEV2_PAYLOAD_SA,
          "00 00 00 10  00 00 00 0c 01 01 00 01  00 00 00 08", SYN, 12,
          "SA payload: proposal 1 transform 1 needs 8 octets, 4 left" },
        { "octets-after-transforms", IKEV2_PAYLOAD_SA,
          "00 00 00 18  00 00 00 14 01 01 00 01  00 00 00 08 01 00 00 0c  de ad be ef", SYN, 20,
          "SA payload: proposal 1: 4 octets after its 1 transforms" },
        { "attribute-truncated", IKEV2_PAYLOAD_SA,
          "00 00 00 16  00 00 00 12 01 01 00 01  00 00 00 0a 01 00 00 0c 80 0e", SYN, 20,
          "SA payload: proposal 1 transform 1: attribute needs 4 octets, 2 left" },
        { "attribute-tlv-overflow", IKEV2_PAYLOAD_SA,
          "00 00 00 18  00 00 00 14 01 01 00 01  00 00 00 0c 01 00 00 0c 00 01 00 0a", SYN, 22,
          "SA payload: proposal 1 transform 1: attribute length 10 > 0 octets left" },
        { "key-length-tlv", IKEV2_PAYLOAD_SA,
          "00 00 00 1a  00 00 00 16 01 01 00 01  00 00 00 0e 01 00 00 0c 00 0e 00 02 01 00", SYN,
          20, "SA payload: proposal 1 transform 1: Key Length attribute in TLV format" },
        { "key-length-twice", IKEV2_PAYLOAD_SA,
          "00 00 00 1c  00 00 00 18 01 01 00 01  00 00 00 10 01 00 00 0c 80 0e 01 00 80 0e 00 80",
          SYN, 24, "SA payload: proposal 1 transform 1: second Key Length attribute" },
        { "key-length-zero", IKEV2_PAYLOAD_SA,
          "00 00 00 18  00 00 00 14 01 01 00 01  00 00 00 0c 01 00 00 0c 80 0e 00 00", SYN, 22,
          "SA payload: proposal 1 transform 1: Key Length 0" },
};

static void test_sa_fields(void)
{
        g_autoptr(GByteArray) b = unhex(sa_cases[1].hex);
        struct ike_chain c;
        const struct ike_sa *sa;
        const struct ike_transform *t;

        parse_ok(&c, IKEV2_PAYLOAD_SA, b);
        g_assert_cmpuint(c.n, ==, 1);
        sa = &c.items[0].u.sa;
        g_assert_cmpuint(sa->n_proposals, ==, 2);
        g_assert_cmpuint(sa->proposals[0].num, ==, 1);
        g_assert_cmpuint(sa->proposals[0].protocol, ==, IKEV2_PROTO_IKE);
        g_assert_cmpuint(sa->proposals[0].spi.len, ==, 0);
        g_assert_cmpuint(sa->proposals[0].n_transforms, ==, 1);
        t = &sa->proposals[0].transforms[0];
        g_assert_cmpuint(t->type, ==, IKEV2_TRANSFORM_ENCR);
        g_assert_cmpuint(t->id, ==, IKEV2_ENCR_AES_GCM_16);
        g_assert_cmpuint(t->key_length, ==, 256);
        g_assert_cmpuint(t->n_attrs, ==, 0);

        g_assert_cmpuint(sa->proposals[1].num, ==, 2);
        g_assert_cmpuint(sa->proposals[1].protocol, ==, IKEV2_PROTO_ESP);
        g_assert_cmpmem(sa->proposals[1].spi.ptr, sa->proposals[1].spi.len, "\xaa\xbb\xcc\xdd", 4);
        g_assert_cmpuint(sa->proposals[1].n_transforms, ==, 2);
        t = &sa->proposals[1].transforms[0];
        g_assert_cmpuint(t->id, ==, IKEV2_ENCR_AES_CBC);
        g_assert_cmpuint(t->key_length, ==, 128);
        g_assert_cmpuint(t->key_length_pos, ==, 1); /* after the unknown TV attribute */
        g_assert_cmpuint(t->n_attrs, ==, 2);
        g_assert_true(t->attrs[0].tv);
        g_assert_cmpuint(t->attrs[0].type, ==, 1);
        g_assert_cmpuint(t->attrs[0].tv_value, ==, 5);
        g_assert_false(t->attrs[1].tv);
        g_assert_cmpuint(t->attrs[1].type, ==, 2);
        g_assert_cmpmem(t->attrs[1].tlv_value.ptr, t->attrs[1].tlv_value.len, "\x01\x02\x03", 3);
        t = ike_proposal_find_transform(&sa->proposals[1], IKEV2_TRANSFORM_ESN);
        g_assert_nonnull(t);
        g_assert_cmpuint(t->id, ==, IKEV2_ESN_YES);
        g_assert_null(ike_proposal_find_transform(&sa->proposals[1], IKEV2_TRANSFORM_PRF));
        ike_chain_clear(&c);

        /* Reserved octets are kept and written back. */
        {
                g_autoptr(GByteArray) r = unhex(sa_cases[2].hex);

                parse_ok(&c, IKEV2_PAYLOAD_SA, r);
                g_assert_cmpuint(c.items[0].u.sa.proposals[0].reserved, ==, 0x5a);
                g_assert_cmpuint(c.items[0].u.sa.proposals[0].transforms[0].reserved[0], ==, 0x11);
                g_assert_cmpuint(c.items[0].u.sa.proposals[0].transforms[0].reserved[1], ==, 0x22);
                ike_chain_clear(&c);
        }
}

/* Builds an SA payload with n_prop proposals of n_tr transforms with n_attr
 * TV attributes each. */
static GByteArray *sa_sized(size_t n_prop, size_t n_tr, size_t n_attr)
{
        GByteArray *b = g_byte_array_new();
        size_t tr_len = 8 + 4 * n_attr, prop_len = 8 + n_tr * tr_len;
        size_t total = 4 + n_prop * prop_len;
        guint8 hdr[4] = { 0, 0, (guint8)(total >> 8), (guint8)total };

        g_assert_cmpuint(total, <=, 65535);
        g_byte_array_append(b, hdr, 4);
        for (size_t p = 0; p < n_prop; p++) {
                guint8 ph[8] = { p + 1 == n_prop ? 0 : 2, 0, (guint8)(prop_len >> 8),
                                 (guint8)prop_len, (guint8)(p + 1), 1, 0, (guint8)n_tr };

                g_byte_array_append(b, ph, 8);
                for (size_t t = 0; t < n_tr; t++) {
                        guint8 th[8] = { t + 1 == n_tr ? 0 : 3, 0, 0, (guint8)tr_len, 1, 0, 0, 12 };

                        g_byte_array_append(b, th, 8);
                        for (size_t a = 0; a < n_attr; a++) {
                                guint8 at[4] = { 0x80, (guint8)(a + 1), 0, 1 };

                                g_byte_array_append(b, at, 4);
                        }
                }
        }
        return b;
}

static void expect_code(GByteArray *b, uint8_t first, int code, const char *what)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_error err = { 0 };
        int k = ike_chain_parse(&c, first, ba_slice(b), 0, 0, &err);

        if (code == 0) {
                if (k != 0)
                        g_error("unexpected failure: %s", err.what);
                assert_chain_bytes(&c, b->data, b->len);
                ike_chain_clear(&c);
                return;
        }
        g_assert_cmpint(k, ==, code);
        if (!strstr(err.what, what))
                g_error("\"%s\" does not contain \"%s\"", err.what, what);
}

static void test_sa_limits(void)
{
        g_autoptr(GByteArray) p64 = sa_sized(IKE_PROPOSALS_MAX, 1, 0);
        g_autoptr(GByteArray) p65 = sa_sized(IKE_PROPOSALS_MAX + 1, 1, 0);
        g_autoptr(GByteArray) t128 = sa_sized(1, IKE_TRANSFORMS_MAX, 0);
        g_autoptr(GByteArray) t129 = sa_sized(1, IKE_TRANSFORMS_MAX + 1, 0);
        g_autoptr(GByteArray) a8 = sa_sized(1, 1, IKE_ATTRIBUTES_MAX);
        g_autoptr(GByteArray) a9 = sa_sized(1, 1, IKE_ATTRIBUTES_MAX + 1);

        expect_code(p64, IKEV2_PAYLOAD_SA, 0, NULL);
        expect_code(p65, IKEV2_PAYLOAD_SA, -E2BIG, "SA payload: more than 64 proposals");
        expect_code(t128, IKEV2_PAYLOAD_SA, 0, NULL);
        expect_code(t129, IKEV2_PAYLOAD_SA, -E2BIG,
                    "SA payload: proposal 1: 129 transforms > maximum 128");
        expect_code(a8, IKEV2_PAYLOAD_SA, 0, NULL);
        expect_code(a9, IKEV2_PAYLOAD_SA, -E2BIG,
                    "SA payload: proposal 1 transform 1 has more than 8 attributes");
}

/* ------------------------------------------------------------------ KE 3.4, Nonce 3.9 */
static const struct chain_case ke_nonce_cases[] = {
        { "ke-minimal", IKEV2_PAYLOAD_KE, "00 00 00 09 00 13 00 00 aa" },
        { "ke-reserved-kept", IKEV2_PAYLOAD_KE, "00 00 00 0a 00 1f 12 34 aa bb" },
        { "ke-no-data", IKEV2_PAYLOAD_KE, "00 00 00 08 00 13 00 00", SYN, 2,
          "KE payload: length 8 < minimum 9" },
        { "ke-no-group", IKEV2_PAYLOAD_KE, "00 00 00 06 00 13", SYN, 2,
          "KE payload: length 6 < minimum 9" },
        { "nonce-16", IKEV2_PAYLOAD_NONCE,
          "00 00 00 14 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f" },
        { "nonce-15", IKEV2_PAYLOAD_NONCE,
          "00 00 00 13 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e", SYN, 2,
          "Nonce payload: length 19 < minimum 20" },
};

static void test_ke_nonce_fields_limits(void)
{
        g_autoptr(GByteArray) ke = unhex(ke_nonce_cases[1].hex);
        g_autoptr(GByteArray) ke_max = payload_with_body(0, 4 + IKE_KE_DATA_MAX,
                                                         (const guint8 *)"\x00\x13\x00\x00", 4, 7);
        g_autoptr(GByteArray) ke_big = payload_with_body(0, 4 + IKE_KE_DATA_MAX + 1,
                                                         (const guint8 *)"\x00\x13\x00\x00", 4, 7);
        g_autoptr(GByteArray) n256 = payload_with_body(0, 256, NULL, 0, 0x5a);
        g_autoptr(GByteArray) n257 = payload_with_body(0, 257, NULL, 0, 0x5a);
        struct ike_chain c;

        parse_ok(&c, IKEV2_PAYLOAD_KE, ke);
        g_assert_cmpuint(c.items[0].u.ke.group, ==, IKEV2_DH_CURVE25519);
        g_assert_cmpuint(c.items[0].u.ke.reserved, ==, 0x1234);
        g_assert_cmpmem(c.items[0].u.ke.data.ptr, c.items[0].u.ke.data.len, "\xaa\xbb", 2);
        /* The slice borrows from the input. */
        g_assert_true(c.items[0].u.ke.data.ptr == ke->data + 8);
        ike_chain_clear(&c);

        expect_code(ke_max, IKEV2_PAYLOAD_KE, 0, NULL);
        expect_code(ke_big, IKEV2_PAYLOAD_KE, -E2BIG,
                    "KE payload: 4097 octets of key exchange data > maximum 4096");
        expect_code(n256, IKEV2_PAYLOAD_NONCE, 0, NULL);
        expect_code(n257, IKEV2_PAYLOAD_NONCE, -EBADMSG,
                    "Nonce payload: nonce of 257 octets > maximum 256 at offset 4");
}

/* ------------------------------------------------------------------ ID 3.5, AUTH 3.8 */
static const struct chain_case id_auth_cases[] = {
        { "id-fqdn", IKEV2_PAYLOAD_IDi, "00 00 00 0b 02 00 00 00 61 2e 62" },
        { "id-ipv4", IKEV2_PAYLOAD_IDi, "00 00 00 0c 01 00 00 00 c0 00 02 01" },
        { "id-ipv6", IKEV2_PAYLOAD_IDr,
          "00 00 00 18 05 00 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01" },
        { "id-null-empty", IKEV2_PAYLOAD_IDi, "00 00 00 08 0d 00 00 00" },
        { "id-null-data-ignored", IKEV2_PAYLOAD_IDi, "00 00 00 09 0d 00 00 00 01" },
        { "id-unknown-type", IKEV2_PAYLOAD_IDi, "00 00 00 0a 63 00 00 00 01 02" },
        { "id-reserved-kept", IKEV2_PAYLOAD_IDi, "00 00 00 09 0b 01 02 03 ff" },
        { "id-short", IKEV2_PAYLOAD_IDi, "00 00 00 07 02 00 00", SYN, 2,
          "IDi payload: length 7 < minimum 8" },
        { "id-ipv4-5-octets", IKEV2_PAYLOAD_IDi, "00 00 00 0d 01 00 00 00 c0 00 02 01 05", SYN,
          8, "IDi payload: ID type 1 with 5 octets of data != 4" },
        { "idr-ipv6-4-octets", IKEV2_PAYLOAD_IDr, "00 00 00 0c 05 00 00 00 20 01 0d b8", SYN, 8,
          "IDr payload: ID type 5 with 4 octets of data != 16" },
        { "id-fqdn-empty", IKEV2_PAYLOAD_IDi, "00 00 00 08 02 00 00 00", SYN, 8,
          "IDi payload: ID type 2 with no data" },
        { "auth-psk-minimal", IKEV2_PAYLOAD_AUTH, "00 00 00 09 02 00 00 00 aa" },
        { "auth-digsig-minimal", IKEV2_PAYLOAD_AUTH, "00 00 00 0b 0e 00 00 00 01 30 aa" },
        { "auth-no-data", IKEV2_PAYLOAD_AUTH, "00 00 00 08 02 00 00 00", SYN, 2,
          "AUTH payload: length 8 < minimum 9" },
        { "auth-digsig-alg-length-0", IKEV2_PAYLOAD_AUTH, "00 00 00 0a 0e 00 00 00 00 aa", SYN,
          8, "AUTH payload: AlgorithmIdentifier length 0 leaves no room for a signature in 1" },
        { "auth-digsig-no-signature", IKEV2_PAYLOAD_AUTH, "00 00 00 0b 0e 00 00 00 02 30 00",
          SYN, 8, "AUTH payload: AlgorithmIdentifier length 2 leaves no room for a signature in 2" },
};

static void test_id_auth_fields(void)
{
        g_autoptr(GByteArray) ipv6 = unhex(id_auth_cases[2].hex);
        g_autoptr(GByteArray) rsv = unhex(id_auth_cases[6].hex);
        g_autoptr(GByteArray) digsig = unhex("00 00 00 0d 0e 00 00 00 02 30 00 aa bb");
        g_autoptr(GByteArray) id_max = payload_with_body(0, 4 + IKE_ID_DATA_MAX,
                                                         (const guint8 *)"\x09\0\0\0", 4, 0x30);
        g_autoptr(GByteArray) id_big = payload_with_body(0, 4 + IKE_ID_DATA_MAX + 1,
                                                         (const guint8 *)"\x09\0\0\0", 4, 0x30);
        g_autoptr(GByteArray) auth_max = payload_with_body(0, 4 + IKE_AUTH_DATA_MAX,
                                                           (const guint8 *)"\x01\0\0\0", 4, 1);
        g_autoptr(GByteArray) auth_big = payload_with_body(0, 4 + IKE_AUTH_DATA_MAX + 1,
                                                           (const guint8 *)"\x01\0\0\0", 4, 1);
        struct ike_chain c;
        struct slice alg, sig;
        struct ike_error err;

        parse_ok(&c, IKEV2_PAYLOAD_IDr, ipv6);
        g_assert_cmpuint(c.items[0].type, ==, IKEV2_PAYLOAD_IDr);
        g_assert_cmpuint(c.items[0].u.id.type, ==, IKEV2_ID_IPV6_ADDR);
        g_assert_cmpuint(c.items[0].u.id.data.len, ==, 16);
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_IDi, rsv);
        g_assert_cmpmem(c.items[0].u.id.reserved, 3, "\x01\x02\x03", 3);
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_AUTH, digsig);
        g_assert_cmpuint(c.items[0].u.auth.method, ==, IKEV2_AUTH_DIGITAL_SIGNATURE);
        g_assert_cmpint(ike_auth_digital_signature(&c.items[0].u.auth, &alg, &sig, &err), ==, 0);
        g_assert_cmpmem(alg.ptr, alg.len, "\x30\x00", 2);
        g_assert_cmpmem(sig.ptr, sig.len, "\xaa\xbb", 2);
        ike_chain_clear(&c);
        {
                struct ike_auth empty = { .method = IKEV2_AUTH_DIGITAL_SIGNATURE };
                struct ike_auth psk = { .method = IKEV2_AUTH_SHARED_KEY_MIC,
                                        .data = SLICE("\x01\x30\xaa", 3) };

                g_assert_cmpint(ike_auth_digital_signature(&empty, &alg, &sig, &err), ==, -EBADMSG);
                g_assert_nonnull(strstr(err.what, "digital signature without data"));
                g_assert_cmpint(ike_auth_digital_signature(&psk, &alg, &sig, &err), ==, -EINVAL);
        }

        expect_code(id_max, IKEV2_PAYLOAD_IDi, 0, NULL);
        expect_code(id_big, IKEV2_PAYLOAD_IDi, -E2BIG, "IDi payload: 2049 octets of data > maximum 2048");
        expect_code(auth_max, IKEV2_PAYLOAD_AUTH, 0, NULL);
        expect_code(auth_big, IKEV2_PAYLOAD_AUTH, -E2BIG,
                    "AUTH payload: 4097 octets of data > maximum 4096");
}

static void test_id_format(void)
{
        struct ike_id id = { .type = IKEV2_ID_IPV4_ADDR, .data = SLICE("\xc0\x00\x02\x01", 4) };
        char buf[64];

        ike_id_format(&id, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "192.0.2.1");
        id = (struct ike_id){ .type = IKEV2_ID_IPV6_ADDR,
                              .data = SLICE("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16) };
        ike_id_format(&id, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "2001:db8::1");
        id = (struct ike_id){ .type = IKEV2_ID_FQDN, .data = SLICE("vpn.example.com", 15) };
        ike_id_format(&id, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "vpn.example.com");
        /* A hostile identity cannot inject control characters into a log. */
        id = (struct ike_id){ .type = IKEV2_ID_RFC822_ADDR, .data = SLICE("a\nb\\\x1b", 5) };
        ike_id_format(&id, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "a\\x0ab\\x5c\\x1b");
        id = (struct ike_id){ .type = IKEV2_ID_KEY_ID, .data = SLICE("\x01\xab", 2) };
        ike_id_format(&id, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "11:01ab");
        id = (struct ike_id){ .type = IKEV2_ID_NULL };
        ike_id_format(&id, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "(null)");
        /* Truncation keeps a NUL and says so. */
        id = (struct ike_id){ .type = IKEV2_ID_FQDN,
                              .data = SLICE("abcdefghijklmnopqrstuvwxyz", 26) };
        ike_id_format(&id, buf, 12);
        g_assert_cmpstr(buf, ==, "abcdefgh...");
        id = (struct ike_id){ .type = IKEV2_ID_DER_ASN1_DN,
                              .data = SLICE("\x30\x10\x31\x0e\x30\x0c\x06\x03\x55\x04\x03", 11) };
        ike_id_format(&id, buf, 16);
        g_assert_cmpstr(buf, ==, "9:3010310e...");
        ike_id_format(&id, buf, 4);
        g_assert_cmpstr(buf, ==, "?");
        ike_id_format(NULL, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==, "");
}

/* ------------------------------------------------------------------ CERT 3.6, CERTREQ 3.7 */
static const struct chain_case cert_cases[] = {
        { "cert-minimal", IKEV2_PAYLOAD_CERT, "00 00 00 06 04 30" },
        { "cert-hash-url-21", IKEV2_PAYLOAD_CERT,
          "00 00 00 1a 0c 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 68" },
        { "cert-empty", IKEV2_PAYLOAD_CERT, "00 00 00 05 04", SYN, 2,
          "CERT payload: length 5 < minimum 6" },
        { "cert-hash-url-20", IKEV2_PAYLOAD_CERT,
          "00 00 00 19 0c 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13", SYN, 5,
          "CERT payload: Hash and URL of 20 octets <= hash length 20" },
        { "certreq-empty", IKEV2_PAYLOAD_CERTREQ, "00 00 00 05 04" },
        { "certreq-one-hash", IKEV2_PAYLOAD_CERTREQ,
          "00 00 00 19 04 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13" },
        { "certreq-other-encoding-19", IKEV2_PAYLOAD_CERTREQ,
          "00 00 00 18 01 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12" },
        { "certreq-short", IKEV2_PAYLOAD_CERTREQ, "00 00 00 04", SYN, 2,
          "CERTREQ payload: length 4 < minimum 5" },
        { "certreq-19-octets", IKEV2_PAYLOAD_CERTREQ,
          "00 00 00 18 04 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12", SYN, 5,
          "CERTREQ payload: 19 octets of authorities not a multiple of 20" },
};

static void test_cert_limits_hashes(void)
{
        g_autoptr(GByteArray) cert_max = payload_with_body(0, 1 + IKE_CERT_DATA_MAX,
                                                           (const guint8 *)"\x04", 1, 0x30);
        g_autoptr(GByteArray) cert_big = payload_with_body(0, 2 + IKE_CERT_DATA_MAX,
                                                           (const guint8 *)"\x04", 1, 0x30);
        g_autoptr(GByteArray) cr_max = payload_with_body(0, 1 + 4080, (const guint8 *)"\x04", 1, 1);
        g_autoptr(GByteArray) cr_big = payload_with_body(0, 1 + 4100, (const guint8 *)"\x04", 1, 1);
        g_autoptr(GByteArray) two = unhex("00 00 00 2d 04"
                                          "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01"
                                          "02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02");
        struct ike_chain c;
        struct slice h;

        expect_code(cert_max, IKEV2_PAYLOAD_CERT, 0, NULL);
        expect_code(cert_big, IKEV2_PAYLOAD_CERT, -E2BIG,
                    "CERT payload: certificate of 32769 octets > maximum 32768");
        expect_code(cr_max, IKEV2_PAYLOAD_CERTREQ, 0, NULL);
        expect_code(cr_big, IKEV2_PAYLOAD_CERTREQ, -E2BIG,
                    "CERTREQ payload: 4100 octets of authorities > maximum 4096");

        parse_ok(&c, IKEV2_PAYLOAD_CERTREQ, two);
        g_assert_cmpuint(ike_certreq_hash_count(&c.items[0].u.cert), ==, 2);
        h = ike_certreq_hash(&c.items[0].u.cert, 1);
        g_assert_cmpuint(h.len, ==, 20);
        g_assert_cmpuint(h.ptr[0], ==, 2);
        g_assert_cmpuint(ike_certreq_hash(&c.items[0].u.cert, 2).len, ==, 0);
        ike_chain_clear(&c);
}

/* ------------------------------------------------------------------ N 3.10, D 3.11, V 3.12 */
static const struct chain_case notify_cases[] = {
        { "notify-minimal", IKEV2_PAYLOAD_NOTIFY, "00 00 00 08 00 00 40 2e" },
        { "notify-spi-data", IKEV2_PAYLOAD_NOTIFY, "00 00 00 0e 03 04 00 0b 11 22 33 44 aa bb" },
        { "notify-short", IKEV2_PAYLOAD_NOTIFY, "00 00 00 07 00 00 40", SYN, 2,
          "Notify payload: length 7 < minimum 8" },
        { "notify-spi-overflow", IKEV2_PAYLOAD_NOTIFY, "00 00 00 0c 03 05 00 0b 11 22 33 44",
          SYN, 5, "Notify payload: SPI size 5 > 4 octets left" },
        { "delete-ike", IKEV2_PAYLOAD_DELETE, "00 00 00 08 01 00 00 00" },
        { "delete-esp", IKEV2_PAYLOAD_DELETE,
          "00 00 00 10 03 04 00 02 11 22 33 44 55 66 77 88" },
        { "delete-esp-none", IKEV2_PAYLOAD_DELETE, "00 00 00 08 03 04 00 00" },
        { "delete-short", IKEV2_PAYLOAD_DELETE, "00 00 00 07 01 00 00", SYN, 2,
          "Delete payload: length 7 < minimum 8" },
        { "delete-ike-spi", IKEV2_PAYLOAD_DELETE,
          "00 00 00 10 01 08 00 01 11 22 33 44 55 66 77 88", SYN, 4,
          "Delete payload: IKE with SPI size 8 and 1 SPIs, expected 0 and 0" },
        { "delete-esp-spi-8", IKEV2_PAYLOAD_DELETE,
          "00 00 00 10 03 08 00 01 11 22 33 44 55 66 77 88", SYN, 5,
          "Delete payload: SPI size 8 != 4 for protocol 3" },
        { "delete-count", IKEV2_PAYLOAD_DELETE, "00 00 00 0c 03 04 00 02 11 22 33 44", SYN, 6,
          "Delete payload: 2 SPIs of 4 octets need 8 octets, 4 present" },
        { "delete-protocol", IKEV2_PAYLOAD_DELETE, "00 00 00 08 09 00 00 00", SYN, 4,
          "Delete payload: unknown protocol 9" },
        { "vendor-minimal", IKEV2_PAYLOAD_VENDOR, "00 00 00 05 aa" },
        { "vendor-empty", IKEV2_PAYLOAD_VENDOR, "00 00 00 04", SYN, 2,
          "Vendor ID payload: length 4 < minimum 5" },
};

static void test_notify_delete_vendor_fields(void)
{
        g_autoptr(GByteArray) n = unhex(notify_cases[1].hex);
        g_autoptr(GByteArray) d = unhex(notify_cases[5].hex);
        g_autoptr(GByteArray) nd_max = payload_with_body(0, 4 + IKE_NOTIFY_DATA_MAX,
                                                         (const guint8 *)"\0\0\x40\x06", 4, 1);
        g_autoptr(GByteArray) nd_big = payload_with_body(0, 4 + IKE_NOTIFY_DATA_MAX + 1,
                                                         (const guint8 *)"\0\0\x40\x06", 4, 1);
        g_autoptr(GByteArray) v_max = payload_with_body(0, IKE_VENDOR_ID_MAX, NULL, 0, 1);
        g_autoptr(GByteArray) v_big = payload_with_body(0, IKE_VENDOR_ID_MAX + 1, NULL, 0, 1);
        g_autoptr(GByteArray) d_max = payload_with_body(0, 4 + 4 * IKE_DELETE_SPIS_MAX,
                                                        (const guint8 *)"\x03\x04\x01\x00", 4, 1);
        g_autoptr(GByteArray) d_big = payload_with_body(0, 4 + 4 * (IKE_DELETE_SPIS_MAX + 1),
                                                        (const guint8 *)"\x03\x04\x01\x01", 4, 1);
        struct ike_chain c;

        parse_ok(&c, IKEV2_PAYLOAD_NOTIFY, n);
        g_assert_cmpuint(c.items[0].u.notify.protocol, ==, IKEV2_PROTO_ESP);
        g_assert_cmpuint(c.items[0].u.notify.type, ==, IKEV2_N_INVALID_SPI);
        g_assert_cmpmem(c.items[0].u.notify.spi.ptr, c.items[0].u.notify.spi.len,
                        "\x11\x22\x33\x44", 4);
        g_assert_cmpmem(c.items[0].u.notify.data.ptr, c.items[0].u.notify.data.len, "\xaa\xbb", 2);
        g_assert_true(ike_chain_find_notify(&c, IKEV2_N_INVALID_SPI) == &c.items[0].u.notify);
        g_assert_true(ike_chain_find_error_notify(&c) == &c.items[0].u.notify);
        g_assert_null(ike_chain_find_notify(&c, IKEV2_N_COOKIE));
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_DELETE, d);
        g_assert_cmpuint(c.items[0].u.del.n_spis, ==, 2);
        g_assert_cmphex(ike_delete_spi32(&c.items[0].u.del, 0), ==, 0x11223344);
        g_assert_cmphex(ike_delete_spi32(&c.items[0].u.del, 1), ==, 0x55667788);
        g_assert_cmphex(ike_delete_spi32(&c.items[0].u.del, 2), ==, 0);
        ike_chain_clear(&c);

        expect_code(nd_max, IKEV2_PAYLOAD_NOTIFY, 0, NULL);
        expect_code(nd_big, IKEV2_PAYLOAD_NOTIFY, -E2BIG,
                    "Notify payload: 4097 octets of data > maximum 4096");
        expect_code(v_max, IKEV2_PAYLOAD_VENDOR, 0, NULL);
        expect_code(v_big, IKEV2_PAYLOAD_VENDOR, -E2BIG,
                    "Vendor ID payload: 513 octets > maximum 512");
        expect_code(d_max, IKEV2_PAYLOAD_DELETE, 0, NULL);
        expect_code(d_big, IKEV2_PAYLOAD_DELETE, -E2BIG, "Delete payload: 257 SPIs > maximum 256");
}

static void test_notify_typed(void)
{
        struct ike_notify n = { .type = IKEV2_N_INVALID_KE_PAYLOAD, .data = SLICE("\x00\x1f", 2) };
        struct ike_error err = { 0 };
        struct ike_redirect rd;
        struct slice s;
        uint16_t v, algs[2];
        size_t count;

        g_assert_cmpint(ike_notify_dh_group(&n, &v, &err), ==, 0);
        g_assert_cmpuint(v, ==, 31);
        n.data = SLICE("\x00\x1f\x00", 3);
        g_assert_cmpint(ike_notify_dh_group(&n, &v, &err), ==, -EBADMSG);
        g_assert_cmpuint(err.notify, ==, IKEV2_N_INVALID_SYNTAX);
        g_assert_nonnull(strstr(err.what, "INVALID_KE_PAYLOAD notify: 3 octets of data != 2"));
        n.type = IKEV2_N_COOKIE;
        g_assert_cmpint(ike_notify_dh_group(&n, &v, &err), ==, -EINVAL); /* wrong type */

        g_assert_cmpint(ike_notify_cookie(&n, &s, &err), ==, 0);
        g_assert_cmpuint(s.len, ==, 3);
        n.data = SLICE(NULL, 0);
        g_assert_cmpint(ike_notify_cookie(&n, &s, &err), ==, -EBADMSG);
        n.data = SLICE(g_malloc0(65), 64);
        g_assert_cmpint(ike_notify_cookie(&n, &s, &err), ==, 0);
        n.data.len = 65;
        g_assert_cmpint(ike_notify_cookie(&n, &s, &err), ==, -EBADMSG);
        g_free((void *)n.data.ptr);

        n = (struct ike_notify){ .type = IKEV2_N_NAT_DETECTION_SOURCE_IP,
                                 .data = SLICE("0123456789abcdefghij", 20) };
        g_assert_cmpint(ike_notify_nat_detection(&n, &s, &err), ==, 0);
        n.type = IKEV2_N_NAT_DETECTION_DESTINATION_IP;
        n.data.len = 19;
        g_assert_cmpint(ike_notify_nat_detection(&n, &s, &err), ==, -EBADMSG);

        n = (struct ike_notify){ .type = IKEV2_N_SIGNATURE_HASH_ALGORITHMS,
                                 .data = SLICE("\x00\x02\x00\x03\x00\x04", 6) };
        g_assert_cmpint(ike_notify_hash_algorithms(&n, algs, 2, &count, &err), ==, 0);
        g_assert_cmpuint(count, ==, 3); /* three present, two returned */
        g_assert_cmpuint(algs[0], ==, IKEV2_HASH_SHA2_256);
        g_assert_cmpuint(algs[1], ==, IKEV2_HASH_SHA2_384);
        n.data.len = 5;
        g_assert_cmpint(ike_notify_hash_algorithms(&n, algs, 2, &count, &err), ==, -EBADMSG);

        n = (struct ike_notify){ .type = IKEV2_N_REDIRECT,
                                 .data = SLICE("\x01\x04\xc0\x00\x02\x05nonce", 11) };
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, 0);
        g_assert_cmpuint(rd.gw_type, ==, IKEV2_GW_IPV4);
        g_assert_cmpmem(rd.gw.ptr, rd.gw.len, "\xc0\x00\x02\x05", 4);
        g_assert_cmpmem(rd.nonce.ptr, rd.nonce.len, "nonce", 5);
        n.data = SLICE("\x03\x07gw.test", 9);
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, 0);
        g_assert_cmpmem(rd.gw.ptr, rd.gw.len, "gw.test", 7);
        g_assert_cmpuint(rd.nonce.len, ==, 0);
        n.data = SLICE("\x02\x04\xc0\x00\x02\x05", 6); /* IPv6 with 4 octets */
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, -EBADMSG);
        g_assert_nonnull(strstr(err.what, "address length 4 != 16"));
        n.data = SLICE("\x03\x08gw.test", 9); /* length beyond the data */
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, -EBADMSG);
        n.data = SLICE("\x03\x00", 2); /* empty FQDN */
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, -EBADMSG);
        g_assert_nonnull(strstr(err.what, "REDIRECT notify: empty gateway FQDN"));
        n.data = SLICE("\x09\x00", 2);
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, -EBADMSG);
        n.data = SLICE("\x03", 1);
        g_assert_cmpint(ike_notify_redirect(&n, &rd, &err), ==, -EBADMSG);
}

/* ------------------------------------------------------------------ TS 3.13 */
static const struct chain_case ts_cases[] = {
        { "ipv4", IKEV2_PAYLOAD_TSi,
          "00 00 00 18 01 00 00 00  07 06 00 10 00 50 00 50 0a 00 00 01 0a 00 00 ff" },
        { "ipv6", IKEV2_PAYLOAD_TSr,
          "00 00 00 30 01 00 00 00  08 11 00 28 00 00 ff ff"
          "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00"
          "20 01 0d b8 ff ff ff ff ff ff ff ff ff ff ff ff" },
        { "raw-type-kept", IKEV2_PAYLOAD_TSi,
          "00 00 00 14 01 00 00 00  0a 00 00 0c 61 62 63 64 65 66 67 68" },
        { "raw-type-minimal", IKEV2_PAYLOAD_TSi, "00 00 00 0c 01 00 00 00  09 00 00 04" },
        { "opaque-ports-reserved-kept", IKEV2_PAYLOAD_TSi,
          "00 00 00 18 01 aa bb cc  07 11 00 10 ff ff 00 00 0a 00 00 01 0a 00 00 01" },
        { "two-selectors", IKEV2_PAYLOAD_TSi,
          "00 00 00 28 02 00 00 00  07 00 00 10 00 00 ff ff 00 00 00 00 ff ff ff ff"
          "                         07 01 00 10 00 00 ff ff 0a 00 00 00 0a ff ff ff" },
        { "short", IKEV2_PAYLOAD_TSi, "00 00 00 0b 01 00 00 00 07 00 00", SYN, 2,
          "TSi payload: length 11 < minimum 12" },
        { "zero-selectors", IKEV2_PAYLOAD_TSi, "00 00 00 0c 00 00 00 00  07 00 00 04", SYN, 4,
          "TSi payload: no traffic selectors" },
        { "selector-short", IKEV2_PAYLOAD_TSi, "00 00 00 0c 01 00 00 00  07 00 00 03", SYN, 10,
          "TSi payload: selector 1 length 3 < minimum 4" },
        { "selector-long", IKEV2_PAYLOAD_TSi,
          "00 00 00 18 01 00 00 00  07 00 00 14 00 00 ff ff 0a 00 00 01 0a 00 00 ff", SYN, 10,
          "TSi payload: selector 1 length 20 > 16 octets left" },
        { "ipv4-length-20", IKEV2_PAYLOAD_TSi,
          "00 00 00 1c 01 00 00 00  07 00 00 14 00 00 ff ff 0a 00 00 01 0a 00 00 ff 00 00 00 00",
          SYN, 10, "TSi payload: IPv4 selector 1 length 20 != 16" },
        { "ipv6-length-16", IKEV2_PAYLOAD_TSr,
          "00 00 00 18 01 00 00 00  08 00 00 10 00 00 ff ff 0a 00 00 01 0a 00 00 ff", SYN, 10,
          "TSr payload: IPv6 selector 1 length 16 != 40" },
        { "second-missing", IKEV2_PAYLOAD_TSi,
          "00 00 00 18 02 00 00 00  07 00 00 10 00 00 ff ff 0a 00 00 01 0a 00 00 ff", SYN, 24,
          "TSi payload: selector 2 needs 4 octets, 0 left" },
        { "trailing", IKEV2_PAYLOAD_TSi,
          "00 00 00 1c 01 00 00 00  07 00 00 10 00 00 ff ff 0a 00 00 01 0a 00 00 ff de ad be ef",
          SYN, 24, "TSi payload: 4 octets after its 1 selectors" },
};

static void test_ts_fields_limits(void)
{
        g_autoptr(GByteArray) v4 = unhex(ts_cases[0].hex);
        g_autoptr(GByteArray) v6 = unhex(ts_cases[1].hex);
        g_autoptr(GByteArray) raw = unhex(ts_cases[2].hex);
        g_autoptr(GByteArray) rsv = unhex(ts_cases[4].hex);
        g_autoptr(GByteArray) max = g_byte_array_new();
        g_autoptr(GByteArray) big = g_byte_array_new();
        static const guint8 sel[16] = { 7, 0, 0, 16, 0, 0, 0xff, 0xff, 10, 0, 0, 1, 10, 0, 0, 1 };
        const struct ike_ts_selector *s;
        struct ike_chain c;

        parse_ok(&c, IKEV2_PAYLOAD_TSi, v4);
        s = &c.items[0].u.ts.sel[0];
        g_assert_cmpuint(c.items[0].u.ts.n, ==, 1);
        g_assert_cmpuint(s->type, ==, IKEV2_TS_IPV4_ADDR_RANGE);
        g_assert_cmpuint(ike_ts_addr_len(s), ==, 4);
        g_assert_cmpuint(s->ip_proto, ==, 6);
        g_assert_cmpuint(s->start_port, ==, 80);
        g_assert_cmpuint(s->end_port, ==, 80);
        g_assert_cmpmem(s->start, 4, "\x0a\x00\x00\x01", 4);
        g_assert_cmpmem(s->end, 4, "\x0a\x00\x00\xff", 4);
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_TSr, v6);
        s = &c.items[0].u.ts.sel[0];
        g_assert_cmpuint(ike_ts_addr_len(s), ==, 16);
        g_assert_cmpuint(s->ip_proto, ==, 17);
        g_assert_cmpuint(s->end_port, ==, 65535);
        g_assert_cmpuint(s->end[15], ==, 0xff);
        g_assert_cmpuint(s->start[1], ==, 0x01);
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_TSi, raw);
        s = &c.items[0].u.ts.sel[0];
        g_assert_cmpuint(s->type, ==, IKEV2_TS_SECLABEL);
        g_assert_cmpuint(ike_ts_addr_len(s), ==, 0);
        g_assert_cmpmem(s->raw.ptr, s->raw.len, "abcdefgh", 8);
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_TSi, rsv);
        g_assert_cmpmem(c.items[0].u.ts.reserved, 3, "\xaa\xbb\xcc", 3);
        g_assert_cmpuint(c.items[0].u.ts.sel[0].start_port, ==, 65535);
        g_assert_cmpuint(c.items[0].u.ts.sel[0].end_port, ==, 0);
        ike_chain_clear(&c);

        for (int n = 0; n < 2; n++) {
                GByteArray *b = n == 0 ? max : big;
                size_t count = IKE_TS_MAX + (size_t)n, len = 8 + 16 * count;
                guint8 hdr[8] = { 0, 0, (guint8)(len >> 8), (guint8)len, (guint8)count, 0, 0, 0 };

                g_byte_array_append(b, hdr, 8);
                for (size_t i = 0; i < count; i++)
                        g_byte_array_append(b, sel, 16);
        }
        expect_code(max, IKEV2_PAYLOAD_TSi, 0, NULL);
        expect_code(big, IKEV2_PAYLOAD_TSi, -E2BIG, "TSi payload: 65 traffic selectors > maximum 64");
}

/* ------------------------------------------------------------------ SK 3.14, SKF RFC 7383 */
static const struct chain_case sk_cases[] = {
        { "sk-body", IKEV2_PAYLOAD_SK, "24 00 00 08 de ad be ef" },
        { "sk-empty-body", IKEV2_PAYLOAD_SK, "21 00 00 04" },
        { "notify-then-sk", IKEV2_PAYLOAD_NOTIFY, "2e 00 00 08 00 00 40 2e  24 00 00 06 aa bb" },
        { "sk-not-last", IKEV2_PAYLOAD_SK, "24 00 00 08 de ad be ef 00 00", PROTO, 0,
          "SK payload: 2 octets follow it, it must be last" },
        { "sk-inside-sk", IKEV2_PAYLOAD_SK, "24 00 00 08 de ad be ef", PROTO, 0,
          "SK payload inside an encrypted payload", IKE_CHAIN_INNER },
        { "skf-first", IKEV2_PAYLOAD_SKF, "24 00 00 0c 00 01 00 02 de ad be ef" },
        { "skf-last", IKEV2_PAYLOAD_SKF, "00 00 00 08 00 02 00 02" },
        { "skf-short", IKEV2_PAYLOAD_SKF, "24 00 00 07 00 01 00", SYN, 2,
          "SKF payload: length 7 < minimum 8" },
        { "skf-zero", IKEV2_PAYLOAD_SKF, "24 00 00 08 00 00 00 01", SYN, 4,
          "SKF payload: fragment 0 of 1, zero is invalid" },
        { "skf-total-zero", IKEV2_PAYLOAD_SKF, "24 00 00 08 00 01 00 00", SYN, 4,
          "SKF payload: fragment 1 of 0, zero is invalid" },
        { "skf-number-beyond", IKEV2_PAYLOAD_SKF, "24 00 00 08 00 03 00 02", SYN, 4,
          "SKF payload: fragment number 3 > total 2" },
        { "skf-too-many", IKEV2_PAYLOAD_SKF, "24 00 00 08 00 01 00 81", BIG, 6,
          "SKF payload: 129 fragments > maximum 128" },
        { "skf-not-last", IKEV2_PAYLOAD_SKF, "24 00 00 08 00 01 00 01 00", PROTO, 0,
          "SKF payload: 1 octets follow it, it must be last" },
        { "skf-inside-sk", IKEV2_PAYLOAD_SKF, "24 00 00 08 00 01 00 01", PROTO, 0,
          "SKF payload inside an encrypted payload", IKE_CHAIN_INNER },
};

static void test_sk_fields(void)
{
        g_autoptr(GByteArray) sk = unhex(sk_cases[0].hex);
        g_autoptr(GByteArray) skf = unhex(sk_cases[5].hex);
        struct ike_chain c;

        parse_ok(&c, IKEV2_PAYLOAD_SK, sk);
        g_assert_cmpuint(c.items[0].u.sk.next, ==, IKEV2_PAYLOAD_IDr);
        g_assert_cmpmem(c.items[0].u.sk.body.ptr, c.items[0].u.sk.body.len, "\xde\xad\xbe\xef", 4);
        g_assert_cmpuint(c.items[0].u.sk.frag_num, ==, 0);
        ike_chain_clear(&c);

        parse_ok(&c, IKEV2_PAYLOAD_SKF, skf);
        g_assert_cmpuint(c.items[0].u.sk.next, ==, IKEV2_PAYLOAD_IDr);
        g_assert_cmpuint(c.items[0].u.sk.frag_num, ==, 1);
        g_assert_cmpuint(c.items[0].u.sk.frag_total, ==, 2);
        g_assert_cmpuint(c.items[0].u.sk.body.len, ==, 4);
        ike_chain_clear(&c);
}

/* ------------------------------------------------------------------ CP 3.15, RFC 8598 */
static const struct chain_case cp_cases[] = {
        { "request", IKEV2_PAYLOAD_CP,
          "00 00 00 20 01 00 00 00  00 01 00 00  00 08 00 00  00 03 00 00  00 0a 00 00"
          "00 19 00 00  00 1a 00 00" },
        { "reply", IKEV2_PAYLOAD_CP,
          "00 00 00 3a 02 00 00 00"
          "00 01 00 04 0a 00 00 02"
          "00 08 00 11 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 40"
          "80 03 00 04 0a 00 00 01"           /* R bit set: kept */
          "40 00 00 03 61 62 63"              /* private-use type 16384: kept raw */
          "00 07 00 02 76 31" },
        { "no-attributes", IKEV2_PAYLOAD_CP, "00 00 00 08 01 00 00 00" },
        { "short", IKEV2_PAYLOAD_CP, "00 00 00 07 01 00 00", SYN, 2,
          "CP payload: length 7 < minimum 8" },
        { "attribute-truncated", IKEV2_PAYLOAD_CP, "00 00 00 0a 01 00 00 00 00 01", SYN, 8,
          "CP payload: attribute 1 needs 4 octets, 2 left" },
        { "attribute-long", IKEV2_PAYLOAD_CP,
          "00 00 00 10 02 00 00 00 00 01 00 05 0a 00 00 02", SYN, 10,
          "CP payload: attribute 1 length 5 > 4 octets left" },
        { "ip4-length-5", IKEV2_PAYLOAD_CP,
          "00 00 00 11 02 00 00 00 00 01 00 05 0a 00 00 02 00", SYN, 10,
          "CP payload: attribute 1 (type 1) length 5 != 4" },
        { "second-attribute-bad", IKEV2_PAYLOAD_CP,
          "00 00 00 17 02 00 00 00 00 01 00 04 0a 00 00 02 00 0d 00 03 0a 00 00", SYN, 18,
          "CP payload: attribute 2 (type 13) length 3 != 8" },
        { "ip6-prefix-129", IKEV2_PAYLOAD_CP,
          "00 00 00 1d 02 00 00 00 00 08 00 11 fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 81",
          SYN, 28, "CP payload: attribute 1 (type 8) prefix length 129 > 128" },
        { "supported-odd", IKEV2_PAYLOAD_CP, "00 00 00 0f 01 00 00 00 00 0e 00 03 00 01 00", SYN,
          10, "CP payload: attribute 1 (SUPPORTED_ATTRIBUTES) odd length 3" },
        { "dnssec-ta-short", IKEV2_PAYLOAD_CP,
          "00 00 00 10 02 00 00 00 00 1a 00 04 e5 05 08 02", SYN, 10,
          "CP payload: attribute 1 (INTERNAL_DNSSEC_TA) length 4 < minimum 5" },
};

static void test_cp_fields_typed(void)
{
        g_autoptr(GByteArray) reply = unhex(cp_cases[1].hex);
        g_autoptr(GByteArray) dom254 = g_byte_array_new();
        g_autoptr(GByteArray) dom255 = g_byte_array_new();
        g_autoptr(GByteArray) attrs256 = g_byte_array_new();
        g_autoptr(GByteArray) attrs257 = g_byte_array_new();
        struct ike_chain c;
        const struct ike_cp *cp;
        uint8_t a4[4], m4[4], a16[16], prefix;

        parse_ok(&c, IKEV2_PAYLOAD_CP, reply);
        cp = &c.items[0].u.cp;
        g_assert_cmpuint(cp->cfg_type, ==, IKEV2_CFG_REPLY);
        g_assert_cmpuint(cp->n_attrs, ==, 5);
        g_assert_cmpint(ike_cp_attr_ip4(&cp->attrs[0], a4), ==, 0);
        g_assert_cmpmem(a4, 4, "\x0a\x00\x00\x02", 4);
        g_assert_cmpint(ike_cp_attr_ip6(&cp->attrs[1], a16, &prefix), ==, 0);
        g_assert_cmpuint(prefix, ==, 64);
        g_assert_cmpuint(a16[0], ==, 0xfd);
        g_assert_cmpuint(a16[15], ==, 0x02);
        g_assert_true(cp->attrs[2].r);
        g_assert_cmpuint(cp->attrs[2].type, ==, IKEV2_CFG_INTERNAL_IP4_DNS);
        g_assert_cmpuint(cp->attrs[3].type, ==, 0x4000);
        g_assert_cmpint(ike_cp_attr_ip4(&cp->attrs[3], a4), ==, -EINVAL);
        g_assert_cmpint(ike_cp_attr_ip6(&cp->attrs[0], a16, &prefix), ==, -EINVAL);
        g_assert_cmpint(ike_cp_attr_ip4_subnet(&cp->attrs[0], a4, m4), ==, -EINVAL);
        ike_chain_clear(&c);

        {
                struct ike_cp_attr a = { .type = IKEV2_CFG_INTERNAL_IP4_SUBNET,
                                         .value = SLICE("\x0a\x0a\x00\x00\xff\xff\x00\x00", 8) };
                struct ike_cp_attr dns6 = { .type = IKEV2_CFG_INTERNAL_IP6_DNS,
                                            .value = SLICE("\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01",
                                                           16) };
                struct ike_cp_attr empty = { .type = IKEV2_CFG_INTERNAL_IP4_ADDRESS };

                g_assert_cmpint(ike_cp_attr_ip4_subnet(&a, a4, m4), ==, 0);
                g_assert_cmpmem(m4, 4, "\xff\xff\x00\x00", 4);
                g_assert_cmpint(ike_cp_attr_ip6(&dns6, a16, &prefix), ==, 0);
                g_assert_cmpuint(prefix, ==, 128);
                g_assert_cmpint(ike_cp_attr_ip4(&empty, a4), ==, -EINVAL);
        }

        /* INTERNAL_DNS_DOMAIN: 254 octets (253 and the root dot) parse,
         * 255 do not. */
        for (int n = 0; n < 2; n++) {
                GByteArray *b = n == 0 ? dom254 : dom255;
                size_t vlen = 254 + (size_t)n, len = 8 + 4 + vlen;
                guint8 hdr[12] = { 0, 0, (guint8)(len >> 8), (guint8)len, 2, 0, 0, 0, 0, 25, 0, (guint8)vlen };

                g_byte_array_append(b, hdr, 12);
                for (size_t i = 0; i < vlen; i++)
                        g_byte_array_append(b, (const guint8 *)"a", 1);
        }
        expect_code(dom254, IKEV2_PAYLOAD_CP, 0, NULL);
        expect_code(dom255, IKEV2_PAYLOAD_CP, -EBADMSG,
                    "CP payload: attribute 1 (INTERNAL_DNS_DOMAIN) length 255 > 254");

        for (int n = 0; n < 2; n++) {
                GByteArray *b = n == 0 ? attrs256 : attrs257;
                size_t count = IKE_CP_ATTRS_MAX + (size_t)n, len = 8 + 4 * count;
                guint8 hdr[8] = { 0, 0, (guint8)(len >> 8), (guint8)len, 1, 0, 0, 0 };

                g_byte_array_append(b, hdr, 8);
                for (size_t i = 0; i < count; i++)
                        g_byte_array_append(b, (const guint8 *)"\x00\x03\x00\x00", 4);
        }
        expect_code(attrs256, IKEV2_PAYLOAD_CP, 0, NULL);
        expect_code(attrs257, IKEV2_PAYLOAD_CP, -E2BIG, "CP payload: more than 256 attributes");
}

static void test_cp_dns(void)
{
        static const struct {
                const char *value;
                int want;
                const char *domain;
        } rows[] = {
                { "corp.example", 0, "corp.example" },
                { "corp.example.", 0, "corp.example" },
                { "a-b_c.d1", 0, "a-b_c.d1" },
                { ".corp.example", -EINVAL, NULL },
                { "corp..example", -EINVAL, NULL },
                { ".", -EINVAL, NULL },
                { "corp example", -EINVAL, NULL },
                { "corp.example;rm", -EINVAL, NULL },
                { "x\n", -EINVAL, NULL },
                /* a 64-octet label */
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", -EINVAL, NULL },
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", 0,
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b" },
        };
        struct ike_dnssec_ta ta;
        struct slice d;

        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                struct ike_cp_attr a = { .type = IKEV2_CFG_INTERNAL_DNS_DOMAIN,
                                         .value = SLICE(rows[i].value, strlen(rows[i].value)) };
                int k = ike_cp_attr_dns_domain(&a, &d);

                g_assert_cmpint(k, ==, rows[i].want);
                if (k == 0)
                        g_assert_cmpmem(d.ptr, d.len, rows[i].domain, strlen(rows[i].domain));
        }
        {
                struct ike_cp_attr a = { .type = IKEV2_CFG_INTERNAL_DNSSEC_TA,
                                         .value = SLICE("\xe5\x05\x08\x02\xde\xad", 6) };

                g_assert_cmpint(ike_cp_attr_dnssec_ta(&a, &ta), ==, 0);
                g_assert_cmpuint(ta.key_tag, ==, 58629);
                g_assert_cmpuint(ta.algorithm, ==, 8);
                g_assert_cmpuint(ta.digest_type, ==, 2);
                g_assert_cmpmem(ta.digest.ptr, ta.digest.len, "\xde\xad", 2);
                a.value.len = 4;
                g_assert_cmpint(ike_cp_attr_dnssec_ta(&a, &ta), ==, -EINVAL);
                a.type = IKEV2_CFG_INTERNAL_DNS_DOMAIN;
                a.value.len = 6;
                g_assert_cmpint(ike_cp_attr_dnssec_ta(&a, &ta), ==, -EINVAL);
        }
}

/* ------------------------------------------------------------------ EAP 3.16 */
static const struct chain_case eap_cases[] = {
        { "response-identity", IKEV2_PAYLOAD_EAP,
          "00 00 00 0e 02 07 00 0a 01 61 6c 69 63 65" },
        { "request-type-only", IKEV2_PAYLOAD_EAP, "00 00 00 09 01 07 00 05 04" },
        { "success", IKEV2_PAYLOAD_EAP, "00 00 00 08 03 07 00 04" },
        { "failure", IKEV2_PAYLOAD_EAP, "00 00 00 08 04 07 00 04" },
        { "expanded", IKEV2_PAYLOAD_EAP, "00 00 00 10 01 01 00 0c fe 00 00 00 00 00 00 01" },
        { "short", IKEV2_PAYLOAD_EAP, "00 00 00 07 03 07 00", SYN, 2,
          "EAP payload: length 7 < minimum 8" },
        { "length-mismatch", IKEV2_PAYLOAD_EAP, "00 00 00 09 01 07 00 06 01", SYN, 6,
          "EAP payload: EAP length 6 != payload body 5" },
        { "length-short", IKEV2_PAYLOAD_EAP, "00 00 00 0a 01 07 00 05 01 61", SYN, 6,
          "EAP payload: EAP length 5 != payload body 6" },
        { "request-no-type", IKEV2_PAYLOAD_EAP, "00 00 00 08 01 07 00 04", SYN, 6,
          "EAP payload: Request without a Type (length 4 < 5)" },
        { "success-length-5", IKEV2_PAYLOAD_EAP, "00 00 00 09 03 07 00 05 00", SYN, 6,
          "EAP payload: Success length 5 != 4" },
        { "unknown-code", IKEV2_PAYLOAD_EAP, "00 00 00 08 05 07 00 04", SYN, 4,
          "EAP payload: unknown code 5" },
        { "expanded-short", IKEV2_PAYLOAD_EAP, "00 00 00 0f 01 01 00 0b fe 00 00 00 00 00 00",
          SYN, 8, "EAP payload: Expanded Type with 6 octets < 7" },
};

static void test_eap_fields(void)
{
        g_autoptr(GByteArray) b = unhex(eap_cases[0].hex);
        struct ike_chain c;
        const struct ike_eap *e;

        parse_ok(&c, IKEV2_PAYLOAD_EAP, b);
        e = &c.items[0].u.eap;
        g_assert_cmpuint(e->code, ==, EAP_CODE_RESPONSE);
        g_assert_cmpuint(e->identifier, ==, 7);
        g_assert_cmpuint(e->type, ==, EAP_TYPE_IDENTITY);
        g_assert_cmpmem(e->data.ptr, e->data.len, "alice", 5);
        g_assert_cmpmem(e->msg.ptr, e->msg.len, b->data + 4, 10);
        ike_chain_clear(&c);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        add_chain_cases("/ike/payload/sa", sa_cases, G_N_ELEMENTS(sa_cases));
        g_test_add_func("/ike/payload/sa/fields", test_sa_fields);
        g_test_add_func("/ike/payload/sa/limits", test_sa_limits);
        add_chain_cases("/ike/payload/ke-nonce", ke_nonce_cases, G_N_ELEMENTS(ke_nonce_cases));
        g_test_add_func("/ike/payload/ke-nonce/fields-limits", test_ke_nonce_fields_limits);
        add_chain_cases("/ike/payload/id-auth", id_auth_cases, G_N_ELEMENTS(id_auth_cases));
        g_test_add_func("/ike/payload/id-auth/fields-limits", test_id_auth_fields);
        g_test_add_func("/ike/payload/id-auth/format", test_id_format);
        add_chain_cases("/ike/payload/cert", cert_cases, G_N_ELEMENTS(cert_cases));
        g_test_add_func("/ike/payload/cert/limits-hashes", test_cert_limits_hashes);
        add_chain_cases("/ike/payload/notify", notify_cases, G_N_ELEMENTS(notify_cases));
        g_test_add_func("/ike/payload/notify/fields-limits", test_notify_delete_vendor_fields);
        g_test_add_func("/ike/payload/notify/typed", test_notify_typed);
        add_chain_cases("/ike/payload/ts", ts_cases, G_N_ELEMENTS(ts_cases));
        g_test_add_func("/ike/payload/ts/fields-limits", test_ts_fields_limits);
        add_chain_cases("/ike/payload/sk", sk_cases, G_N_ELEMENTS(sk_cases));
        g_test_add_func("/ike/payload/sk/fields", test_sk_fields);
        add_chain_cases("/ike/payload/cp", cp_cases, G_N_ELEMENTS(cp_cases));
        g_test_add_func("/ike/payload/cp/fields-typed", test_cp_fields_typed);
        g_test_add_func("/ike/payload/cp/dns", test_cp_dns);
        add_chain_cases("/ike/payload/eap", eap_cases, G_N_ELEMENTS(eap_cases));
        g_test_add_func("/ike/payload/eap/fields", test_eap_fields);
        return g_test_run();
}
