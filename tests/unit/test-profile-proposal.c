/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/profile/proposal.c: strongSwan proposal strings to
 * IKEv2 transform IDs. Expected numbers are from the IANA IKEv2 registry
 * (RFC 7296 3.3.2 and later RFCs), keywords from strongSwan's documented
 * algorithm list.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/ike/ikev2.h"
#include "client/profile/proposal.h"

static void parse_ok(const char *s, enum proposal_kind kind, struct proposal_list *l)
{
        struct proposal_error err = { 0 };
        int r = proposal_list_parse(s, kind, l, &err);

        if (r != 0)
                g_error("'%s' did not parse: %d %s (at %zu)", s, r, err.message, err.offset);
}

static void test_ike_aead(void)
{
        struct proposal_list l;
        const struct proposal *p;

        parse_ok("aes256gcm16-prfsha384-ecp384", PROPOSAL_IKE, &l);
        g_assert_cmpuint(l.n, ==, 1);
        g_assert_false(l.strict);
        p = &l.p[0];
        g_assert_cmpuint(p->protocol, ==, IKEV2_PROTO_IKE);
        g_assert_true(p->aead);
        g_assert_cmpuint(p->n_encr, ==, 1);
        g_assert_cmpuint(p->encr[0].id, ==, 20); /* ENCR_AES_GCM_16 */
        g_assert_cmpuint(p->encr[0].key_bits, ==, 256);
        g_assert_cmpuint(p->n_prf, ==, 1);
        g_assert_cmpuint(p->prf[0], ==, 6); /* PRF_HMAC_SHA2_384 */
        g_assert_cmpuint(p->n_integ, ==, 0);
        g_assert_cmpuint(p->n_dh, ==, 1);
        g_assert_cmpuint(p->dh[0], ==, 20); /* ECP-384 */
        g_assert_cmpuint(p->n_esn, ==, 0);
}

/* No PRF named: strongSwan derives it from the integrity algorithm. */
static void test_ike_cbc_derived_prf(void)
{
        struct proposal_list l;
        const struct proposal *p;

        parse_ok("aes128-sha256-modp2048", PROPOSAL_IKE, &l);
        p = &l.p[0];
        g_assert_false(p->aead);
        g_assert_cmpuint(p->encr[0].id, ==, 12); /* ENCR_AES_CBC */
        g_assert_cmpuint(p->encr[0].key_bits, ==, 128);
        g_assert_cmpuint(p->n_integ, ==, 1);
        g_assert_cmpuint(p->integ[0], ==, 12); /* AUTH_HMAC_SHA2_256_128 */
        g_assert_cmpuint(p->n_prf, ==, 1);
        g_assert_cmpuint(p->prf[0], ==, 5); /* PRF_HMAC_SHA2_256 */
        g_assert_cmpuint(p->dh[0], ==, 14);

        parse_ok("aes256-sha384-sha256-ecp256", PROPOSAL_IKE, &l);
        g_assert_cmpuint(l.p[0].n_prf, ==, 2);
        g_assert_cmpuint(l.p[0].prf[0], ==, 6);
        g_assert_cmpuint(l.p[0].prf[1], ==, 5);
}

static void test_lists_and_multiples(void)
{
        struct proposal_list l;

        parse_ok("aes128-aes256-sha256-sha384-modp2048-ecp256,chacha20poly1305-prfsha256-curve25519!",
                 PROPOSAL_IKE, &l);
        g_assert_true(l.strict);
        g_assert_cmpuint(l.n, ==, 2);
        g_assert_cmpuint(l.p[0].n_encr, ==, 2);
        g_assert_cmpuint(l.p[0].encr[1].key_bits, ==, 256);
        g_assert_cmpuint(l.p[0].n_integ, ==, 2);
        g_assert_cmpuint(l.p[0].n_dh, ==, 2);
        g_assert_cmpuint(l.p[0].dh[1], ==, 19);
        g_assert_cmpuint(l.p[1].encr[0].id, ==, 28); /* ChaCha20-Poly1305 */
        g_assert_cmpuint(l.p[1].encr[0].key_bits, ==, 0);
        g_assert_cmpuint(l.p[1].dh[0], ==, 31);
}

static void test_esp_forms(void)
{
        struct proposal_list l;

        /* Without a DH group: no PFS; ESN defaults to "no". */
        parse_ok("aes256gcm16", PROPOSAL_ESP, &l);
        g_assert_cmpuint(l.p[0].protocol, ==, IKEV2_PROTO_ESP);
        g_assert_cmpuint(l.p[0].n_dh, ==, 0);
        g_assert_cmpuint(l.p[0].n_esn, ==, 1);
        g_assert_cmpuint(l.p[0].esn[0], ==, IKEV2_ESN_NO);

        /* With a DH group: PFS on rekeying. */
        parse_ok("aes256gcm16-ecp384", PROPOSAL_ESP, &l);
        g_assert_cmpuint(l.p[0].n_dh, ==, 1);
        g_assert_cmpuint(l.p[0].dh[0], ==, 20);

        parse_ok("aes128-sha256-esn", PROPOSAL_ESP, &l);
        g_assert_cmpuint(l.p[0].integ[0], ==, 12);
        g_assert_cmpuint(l.p[0].n_prf, ==, 0);
        g_assert_cmpuint(l.p[0].n_esn, ==, 1);
        g_assert_cmpuint(l.p[0].esn[0], ==, IKEV2_ESN_YES);

        parse_ok("aes128-sha256-esn-noesn", PROPOSAL_ESP, &l);
        g_assert_cmpuint(l.p[0].n_esn, ==, 2);
        g_assert_cmpuint(l.p[0].esn[1], ==, IKEV2_ESN_NO);

        parse_ok("AES128GCM16-MODP2048-NOESN", PROPOSAL_ESP, &l);
        g_assert_cmpuint(l.p[0].encr[0].id, ==, 20);
        g_assert_cmpuint(l.p[0].encr[0].key_bits, ==, 128);
}

static void test_aliases(void)
{
        static const struct {
                const char *a, *b;
                enum proposal_kind kind;
        } same[] = {
                { "aes-sha-modp1024", "aes128-sha1-prfsha1-modp1024", PROPOSAL_IKE },
                { "aes256gcm128-prfsha256-x25519", "aes256gcm16-prfsha256-curve25519",
                  PROPOSAL_IKE },
                { "aes128gcm64", "aes128gcm8", PROPOSAL_ESP },
                { "aes192ccm96-noesn", "aes192ccm12", PROPOSAL_ESP },
                { "aes256-sha2_512", "aes256-sha512", PROPOSAL_ESP },
                { "  aes256gcm16  ", "aes256gcm16", PROPOSAL_ESP },
                { "aes256gcm16 , aes128 - sha256 !", "aes256gcm16,aes128-sha256!", PROPOSAL_ESP },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(same); i++) {
                struct proposal_list a, b;

                parse_ok(same[i].a, same[i].kind, &a);
                parse_ok(same[i].b, same[i].kind, &b);
                g_assert_true(proposal_list_eq(&a, &b));
        }
}

/* parse -> format gives the canonical form; parsing that gives the same list. */
static void test_format_round_trip(void)
{
        static const struct {
                const char *in, *canonical;
                enum proposal_kind kind;
        } rows[] = {
                { "aes256gcm16-prfsha384-ecp384", "aes256gcm16-prfsha384-ecp384", PROPOSAL_IKE },
                { "aes128-sha256-modp2048", "aes128-sha256-prfsha256-modp2048", PROPOSAL_IKE },
                { "AES256-SHA2_384-ECP384!", "aes256-sha384-prfsha384-ecp384!", PROPOSAL_IKE },
                { "aes256gcm16,aes128-sha256-modp2048-esn", "aes256gcm16,aes128-sha256-modp2048-esn",
                  PROPOSAL_ESP },
                { "aes128-sha1-noesn", "aes128-sha1", PROPOSAL_ESP },
                { "3des-sha1-modp1024", "3des-sha1-prfsha1-modp1024", PROPOSAL_IKE },
                { "camellia256-aesxcbc-ecp256bp", "camellia256-aesxcbc-prfaesxcbc-ecp256bp",
                  PROPOSAL_IKE },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                struct proposal_list a, b;
                char buf[PROPOSAL_MAX_STRING + 1];

                parse_ok(rows[i].in, rows[i].kind, &a);
                g_assert_cmpint(proposal_list_format(&a, buf, sizeof(buf)), ==,
                                (int)strlen(rows[i].canonical));
                g_assert_cmpstr(buf, ==, rows[i].canonical);
                parse_ok(buf, rows[i].kind, &b);
                g_assert_true(proposal_list_eq(&a, &b));
        }
}

static void test_format_overflow(void)
{
        struct proposal_list l;
        char buf[8];

        parse_ok("aes256gcm16-prfsha384-ecp384", PROPOSAL_IKE, &l);
        g_assert_cmpint(proposal_list_format(&l, buf, sizeof(buf)), ==, -ENOBUFS);
        g_assert_cmpuint(strlen(buf), <, sizeof(buf));
}

/* Every rejection: the error, where it points, and what it says. */
static void test_errors(void)
{
        static const struct {
                const char *s;
                enum proposal_kind kind;
                int r;
                size_t offset;
                const char *says;
        } rows[] = {
                { "", PROPOSAL_IKE, -EINVAL, 0, "empty" },
                { "!", PROPOSAL_IKE, -EINVAL, 0, "empty" },
                { "aes257-sha256-modp2048", PROPOSAL_IKE, -EINVAL, 0, "unknown algorithm 'aes257'" },
                { "aes128-sha256-modp2049", PROPOSAL_IKE, -EINVAL, 14, "unknown algorithm" },
                { "aes128--sha256", PROPOSAL_ESP, -EINVAL, 7, "empty algorithm name" },
                { "aes128-sha256-", PROPOSAL_ESP, -EINVAL, 14, "at the end" },
                { "aes128-sha256,,aes256-sha256", PROPOSAL_ESP, -EINVAL, 14, "empty" },
                { "aes128-sha!256", PROPOSAL_ESP, -EINVAL, 10, "only allowed at the very end" },
                { "aes128 sha256", PROPOSAL_ESP, -EINVAL, 6, "unexpected character" },
                { "aes128-sha256, ,aes256gcm16", PROPOSAL_ESP, -EINVAL, 15, "empty algorithm name" },
                { "aes128-sha256-modp2048", PROPOSAL_ESP, 0, 0, NULL },
                { "aes256gcm16-ecp384", PROPOSAL_IKE, -EINVAL, 0, "names no PRF" },
                { "aes256-ecp384", PROPOSAL_IKE, -EINVAL, 0, "no integrity algorithm" },
                { "aes256-sha256", PROPOSAL_IKE, -EINVAL, 0, "no key exchange method" },
                { "sha256-modp2048", PROPOSAL_IKE, -EINVAL, 0, "no encryption algorithm" },
                { "aes256gcm16-sha256-prfsha256-ecp256", PROPOSAL_IKE, -EINVAL, 0,
                  "AEAD cipher with an integrity algorithm" },
                { "aes256-aes256gcm16-sha256", PROPOSAL_ESP, -EINVAL, 7, "mixes AEAD" },
                { "aes128-sha256-prfsha256", PROPOSAL_ESP, -EINVAL, 14, "belong in IKE" },
                { "aes128-sha256-esn-modp2048", PROPOSAL_IKE, -EINVAL, 14, "only applies to ESP" },
                { "aes128-aes128-sha256", PROPOSAL_ESP, -EINVAL, 7, "named twice" },
                { "des-sha256-modp2048", PROPOSAL_IKE, -ENOTSUP, 0, "broken" },
                { "aes128-md5-modp2048", PROPOSAL_IKE, -ENOTSUP, 7, "broken" },
                { "aes128-sha256-modp768", PROPOSAL_IKE, -ENOTSUP, 14, "broken" },
                { "null-sha256", PROPOSAL_ESP, -ENOTSUP, 0, "broken" },
                { "aes128-sha256-prfmd5-ecp256", PROPOSAL_IKE, -ENOTSUP, 14, "broken" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                struct proposal_list l = { .n = 99 };
                struct proposal_error err = { 0 };
                int r = proposal_list_parse(rows[i].s, rows[i].kind, &l, &err);

                g_test_message("row %zu: '%s' -> %d '%s' at %zu", i, rows[i].s, r, err.message,
                               err.offset);
                g_assert_cmpint(r, ==, rows[i].r);
                if (r == 0)
                        continue;
                g_assert_cmpuint(l.n, ==, 99); /* output untouched */
                g_assert_cmpuint(err.offset, ==, rows[i].offset);
                g_assert_nonnull(strstr(err.message, rows[i].says));
        }
        /* A NULL error pointer is fine. */
        g_assert_cmpint(proposal_list_parse("nope", PROPOSAL_IKE, &(struct proposal_list){ 0 }, NULL),
                        ==, -EINVAL);
}

static void test_limits(void)
{
        g_autoptr(GString) many = g_string_new(NULL);
        g_autoptr(GString) wide = g_string_new(NULL);
        g_autofree char *huge = NULL;
        struct proposal_list l;
        struct proposal_error err;
        static const char *const dh[] = { "modp2048", "modp3072", "modp4096", "modp6144",
                                          "modp8192", "ecp256",   "ecp384",   "ecp521",
                                          "curve25519" };

        for (int i = 0; i < PROPOSAL_MAX + 1; i++)
                g_string_append(many, i ? ",aes128gcm16" : "aes128gcm16");
        g_assert_cmpint(proposal_list_parse(many->str, PROPOSAL_ESP, &l, &err), ==, -E2BIG);
        g_assert_nonnull(strstr(err.message, "more than 16 proposals"));

        g_string_append(wide, "aes128-sha256");
        for (size_t i = 0; i < G_N_ELEMENTS(dh); i++)
                g_string_append_printf(wide, "-%s", dh[i]);
        g_assert_cmpint(proposal_list_parse(wide->str, PROPOSAL_ESP, &l, &err), ==, -E2BIG);
        g_assert_nonnull(strstr(err.message, "more than 8 key exchange methods"));

        huge = g_strnfill(PROPOSAL_MAX_STRING + 1, 'a');
        g_assert_cmpint(proposal_list_parse(huge, PROPOSAL_ESP, &l, &err), ==, -E2BIG);
}

static void test_defaults_and_merge(void)
{
        struct proposal_list ike, esp, mine, again;
        const char *weak = NULL;

        proposal_list_defaults(PROPOSAL_IKE, &ike);
        proposal_list_defaults(PROPOSAL_ESP, &esp);
        g_assert_cmpuint(ike.n, ==, 2);
        g_assert_cmpuint(esp.n, ==, 2);
        g_assert_true(ike.p[0].aead);
        g_assert_false(proposal_list_weak(&ike, &weak));
        g_assert_false(proposal_list_weak(&esp, &weak));

        parse_ok("aes256gcm16-aes128gcm16-chacha20poly1305,aes128-sha1", PROPOSAL_ESP, &mine);
        g_assert_true(proposal_list_weak(&mine, &weak));
        g_assert_cmpstr(weak, ==, "sha1");
        /* The first default equals our first proposal: only the second is added. */
        g_assert_cmpuint(proposal_list_merge(&mine, &esp), ==, 1);
        g_assert_cmpuint(mine.n, ==, 3);
        again = mine;
        g_assert_cmpuint(proposal_list_merge(&again, &esp), ==, 0);
        g_assert_true(proposal_list_eq(&again, &mine));
        g_assert_cmpstr(proposal_keyword(IKEV2_TRANSFORM_DH, IKEV2_DH_CURVE25519, 0), ==,
                        "curve25519");
        g_assert_null(proposal_keyword(IKEV2_TRANSFORM_DH, 9999, 0));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/profile/proposal/ike-aead", test_ike_aead);
        g_test_add_func("/profile/proposal/ike-cbc-derived-prf", test_ike_cbc_derived_prf);
        g_test_add_func("/profile/proposal/lists", test_lists_and_multiples);
        g_test_add_func("/profile/proposal/esp-forms", test_esp_forms);
        g_test_add_func("/profile/proposal/aliases", test_aliases);
        g_test_add_func("/profile/proposal/format-round-trip", test_format_round_trip);
        g_test_add_func("/profile/proposal/format-overflow", test_format_overflow);
        g_test_add_func("/profile/proposal/errors", test_errors);
        g_test_add_func("/profile/proposal/limits", test_limits);
        g_test_add_func("/profile/proposal/defaults", test_defaults_and_merge);
        return g_test_run();
}
