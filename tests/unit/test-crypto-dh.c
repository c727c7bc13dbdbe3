/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/crypto/dh: RFC 5903 and RFC 7748 known answers, MODP
 * against an independent BIGNUM computation with the RFC 3526 primes,
 * leading-zero padding, and every RFC 6989 rejection.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

#include "client/common/bytes.h"
#include "client/crypto/dh.h"
#include "client/crypto/rng.h"
#include "client/ike/ikev2.h"
#include "test-crypto-vectors.h"

static struct slice gslice(GBytes *b)
{
        gsize n;
        const void *p = g_bytes_get_data(b, &n);

        return SLICE(p, n);
}

static void test_table(void)
{
        static const struct {
                uint16_t id;
                uint16_t pub, secret;
        } want[] = {
                {IKEV2_DH_MODP2048, 256, 256}, {IKEV2_DH_MODP3072, 384, 384},
                {IKEV2_DH_MODP4096, 512, 512}, {IKEV2_DH_ECP256, 64, 32},
                {IKEV2_DH_ECP384, 96, 48},     {IKEV2_DH_ECP521, 132, 66},
                {IKEV2_DH_CURVE25519, 32, 32}, {IKEV2_DH_CURVE448, 56, 56},
        };
        size_t n;

        crypto_dh_table(&n);
        g_assert_cmpuint(n, ==, G_N_ELEMENTS(want));
        for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
                const struct crypto_dh_group *g = crypto_dh_lookup(want[i].id);

                g_assert_nonnull(g);
                g_assert_cmpuint(g->pub_len, ==, want[i].pub);
                g_assert_cmpuint(g->secret_len, ==, want[i].secret);
        }
        g_assert_null(crypto_dh_lookup(IKEV2_DH_MODP1024));
        g_assert_null(crypto_dh_lookup(IKEV2_DH_MODP2048_256));
        g_assert_null(crypto_dh_lookup(IKEV2_DH_BRAINPOOL256));
        g_assert_null(crypto_dh_lookup(IKEV2_DH_NONE));
}

static void check_side(const struct crypto_dh_group *g, GBytes *priv, GBytes *pub, GBytes *peer,
                       GBytes *secret, const char *where)
{
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        struct bytes s = {0};
        const char *why = NULL;

        g_assert_cmpint(crypto_dh_new_from_private(g, gslice(priv), &dh), ==, 0);
        g_assert_true(crypto_dh_group(dh) == g);
        if (pub) {
                struct slice p = crypto_dh_public(dh);

                if (p.len != g_bytes_get_size(pub) || memcmp(p.ptr, gslice(pub).ptr, p.len) != 0)
                        g_error("%s: public value differs", where);
        }
        if (crypto_dh_compute(dh, gslice(peer), &s, &why) < 0)
                g_error("%s: compute failed: %s", where, why);
        g_assert_cmpmem(s.ptr, s.len, gslice(secret).ptr, g_bytes_get_size(secret));
        bytes_free_secret(&s);
}

static void test_kat(void)
{
        g_autoptr(GPtrArray) cases = tv_load("dh.txt");

        for (guint i = 0; i < cases->len; i++) {
                const struct tv_case *c = cases->pdata[i];
                const struct crypto_dh_group *g = crypto_dh_lookup((uint16_t)tv_uint(c, "group"));
                g_autoptr(GBytes) priv_i = tv_bytes(c, "i");
                g_autoptr(GBytes) pub_r = tv_bytes(c, "gr");
                g_autoptr(GBytes) gir = tv_bytes(c, "gir");
                g_autoptr(GBytes) pub_i = tv_has(c, "gi") ? tv_bytes(c, "gi") : NULL;

                g_assert_nonnull(g);
                check_side(g, priv_i, pub_i, pub_r, gir, tv_where(c));
                if (tv_has(c, "r")) {
                        g_autoptr(GBytes) priv_r = tv_bytes(c, "r");

                        check_side(g, priv_r, pub_r, pub_i, gir, tv_where(c));
                }
        }
}

/* ------------------------------------------------------------------ MODP */

static BIGNUM *rfc3526_prime(uint16_t id)
{
        /* An independent source of p: OpenSSL's RFC 3526 constants, not the
         * named-group machinery the code under test uses. */
        switch (id) {
        case IKEV2_DH_MODP2048:
                return BN_get_rfc3526_prime_2048(NULL);
        case IKEV2_DH_MODP3072:
                return BN_get_rfc3526_prime_3072(NULL);
        case IKEV2_DH_MODP4096:
                return BN_get_rfc3526_prime_4096(NULL);
        }
        g_assert_not_reached();
}

static void modp_pow(BIGNUM *out, const BIGNUM *base, const BIGNUM *x, const BIGNUM *p)
{
        BN_CTX *ctx = BN_CTX_new();

        g_assert_true(BN_mod_exp(out, base, x, p, ctx) == 1);
        BN_CTX_free(ctx);
}

static void test_modp_independent(void)
{
        static const uint16_t ids[] = {IKEV2_DH_MODP2048, IKEV2_DH_MODP3072, IKEV2_DH_MODP4096};

        for (size_t k = 0; k < G_N_ELEMENTS(ids); k++) {
                const struct crypto_dh_group *g = crypto_dh_lookup(ids[k]);
                struct tsu_rng_stream sa, sb;
                struct tsu_rng ra = tsu_rng_stream_init(&sa, "alice", 5);
                struct tsu_rng rb = tsu_rng_stream_init(&sb, "bob", 3);
                _cleanup_(crypto_dh_freep) struct crypto_dh *a = NULL;
                _cleanup_(crypto_dh_freep) struct crypto_dh *b = NULL;
                struct bytes sab = {0}, sba = {0};
                uint8_t xa[48], buf[512];
                BIGNUM *p = rfc3526_prime(ids[k]);
                BIGNUM *two = BN_new(), *x = BN_new(), *y = BN_new(), *z = BN_new();

                /* Both sides agree. */
                g_assert_cmpint(crypto_dh_new(g, &ra, &a), ==, 0);
                g_assert_cmpint(crypto_dh_new(g, &rb, &b), ==, 0);
                g_assert_cmpuint(crypto_dh_public(a).len, ==, g->pub_len);
                g_assert_cmpint(crypto_dh_compute(a, crypto_dh_public(b), &sab, NULL), ==, 0);
                g_assert_cmpint(crypto_dh_compute(b, crypto_dh_public(a), &sba, NULL), ==, 0);
                g_assert_cmpmem(sab.ptr, sab.len, sba.ptr, sba.len);
                g_assert_cmpuint(sab.len, ==, g->secret_len);

                /* The public value is 2^x mod p for the x the RNG gave,
                 * and the secret is (g^b)^x mod p, both zero-padded. */
                sa = (struct tsu_rng_stream){0};
                ra = tsu_rng_stream_init(&sa, "alice", 5);
                g_assert_cmpint(tsu_rng_fill(&ra, xa, g->priv_len), ==, 0);
                g_assert_nonnull(BN_bin2bn(xa, g->priv_len, x));
                g_assert_true(BN_set_word(two, 2));
                modp_pow(y, two, x, p);
                g_assert_cmpint(BN_bn2binpad(y, buf, g->pub_len), ==, g->pub_len);
                g_assert_cmpmem(crypto_dh_public(a).ptr, g->pub_len, buf, g->pub_len);
                g_assert_nonnull(BN_bin2bn(crypto_dh_public(b).ptr, g->pub_len, z));
                modp_pow(y, z, x, p);
                g_assert_cmpint(BN_bn2binpad(y, buf, g->secret_len), ==, g->secret_len);
                g_assert_cmpmem(sab.ptr, sab.len, buf, g->secret_len);

                bytes_free_secret(&sab);
                bytes_free_secret(&sba);
                BN_free(p);
                BN_free(two);
                BN_free(x);
                BN_free(y);
                BN_free(z);
        }
}

/* RFC 7296 2.14 / 3.4: values shorter than the prime keep their leading
 * zeros. Search private values until the public value and (separately) the
 * shared secret start with a zero octet, then check both. */
static void test_modp_padding(void)
{
        const struct crypto_dh_group *g = crypto_dh_lookup(IKEV2_DH_MODP2048);
        _cleanup_(crypto_dh_freep) struct crypto_dh *peer = NULL;
        BIGNUM *p = rfc3526_prime(IKEV2_DH_MODP2048), *two = BN_new(), *x = BN_new(), *y = BN_new(),
               *gp = BN_new();
        bool pub_done = false, sec_done = false;
        uint8_t peer_priv[32] = {0x42, 0x17}, xb[4], want[256];

        g_assert_true(BN_set_word(two, 2));
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(peer_priv, 32), &peer), ==, 0);
        g_assert_nonnull(BN_bin2bn(crypto_dh_public(peer).ptr, 256, gp));
        for (uint32_t v = 2; v < 20000 && !(pub_done && sec_done); v++) {
                _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
                struct bytes s = {0};

                xb[0] = (uint8_t)(v >> 24);
                xb[1] = (uint8_t)(v >> 16);
                xb[2] = (uint8_t)(v >> 8);
                xb[3] = (uint8_t)v;
                g_assert_nonnull(BN_bin2bn(xb, 4, x));
                modp_pow(y, two, x, p);
                if (!pub_done && BN_num_bytes(y) < 256) {
                        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(xb, 4), &dh), ==, 0);
                        g_assert_cmpuint(crypto_dh_public(dh).len, ==, 256);
                        g_assert_cmpuint(crypto_dh_public(dh).ptr[0], ==, 0);
                        BN_bn2binpad(y, want, 256);
                        g_assert_cmpmem(crypto_dh_public(dh).ptr, 256, want, 256);
                        pub_done = true;
                        crypto_dh_free(TAKE_PTR(dh));
                }
                modp_pow(y, gp, x, p);
                if (!sec_done && BN_num_bytes(y) < 256) {
                        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(xb, 4), &dh), ==, 0);
                        g_assert_cmpint(crypto_dh_compute(dh, crypto_dh_public(peer), &s, NULL), ==,
                                        0);
                        g_assert_cmpuint(s.len, ==, 256);
                        g_assert_cmpuint(s.ptr[0], ==, 0);
                        BN_bn2binpad(y, want, 256);
                        g_assert_cmpmem(s.ptr, 256, want, 256);
                        bytes_free_secret(&s);
                        sec_done = true;
                }
        }
        g_assert_true(pub_done);
        g_assert_true(sec_done);
        BN_free(p);
        BN_free(two);
        BN_free(x);
        BN_free(y);
        BN_free(gp);
}

static void expect_reject(struct crypto_dh *dh, const uint8_t *v, size_t len, int err,
                          const char *why_part)
{
        struct bytes s = {0};
        const char *why = NULL;

        g_assert_cmpint(crypto_dh_check_public(crypto_dh_group(dh), SLICE(v, len), &why), ==, err);
        g_assert_nonnull(why);
        if (why_part && !strstr(why, why_part))
                g_error("reason \"%s\" does not mention \"%s\"", why, why_part);
        why = NULL;
        g_assert_cmpint(crypto_dh_compute(dh, SLICE(v, len), &s, &why), ==, err);
        g_assert_nonnull(why);
        g_assert_null(s.ptr);
}

static void test_modp_rfc6989(void)
{
        const struct crypto_dh_group *g = crypto_dh_lookup(IKEV2_DH_MODP2048);
        static const uint8_t priv[32] = {1, 2, 3, 4, 5};
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        BIGNUM *p = rfc3526_prime(IKEV2_DH_MODP2048), *v = BN_new();
        uint8_t buf[257] = {0};
        struct bytes s = {0};

        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(priv, 32), &dh), ==, 0);

        /* Wrong lengths: one short, one long, empty. */
        buf[255] = 4;
        expect_reject(dh, buf, 255, -EBADMSG, "length");
        expect_reject(dh, buf, 257, -EBADMSG, "length");
        expect_reject(dh, buf, 0, -EBADMSG, "length");

        /* y = 0, 1, p-1, p, p+1: outside (1, p-1). */
        for (int delta = -1; delta <= 1; delta++) {
                g_assert_true(BN_copy(v, p) != NULL);
                if (delta < 0)
                        g_assert_true(BN_sub_word(v, 1));
                else if (delta > 0)
                        g_assert_true(BN_add_word(v, 1));
                BN_bn2binpad(v, buf, 256);
                expect_reject(dh, buf, 256, -EINVAL, "(1, p-1)");
        }
        for (unsigned w = 0; w <= 1; w++) {
                memset(buf, 0, 256);
                buf[255] = (uint8_t)w;
                expect_reject(dh, buf, 256, -EINVAL, "(1, p-1)");
        }
        /* y = p-2 = -2 mod p: 2 is a square modulo these primes and -1 is
         * not, so -2 has order 2q, outside the prime-order subgroup. */
        g_assert_true(BN_copy(v, p) != NULL);
        g_assert_true(BN_sub_word(v, 2));
        BN_bn2binpad(v, buf, 256);
        expect_reject(dh, buf, 256, -EINVAL, "y^q");

        /* y = 4 = 2^2 is in the subgroup: accepted. */
        memset(buf, 0, 256);
        buf[255] = 4;
        g_assert_cmpint(crypto_dh_check_public(g, SLICE(buf, 256), NULL), ==, 0);
        g_assert_cmpint(crypto_dh_compute(dh, SLICE(buf, 256), &s, NULL), ==, 0);
        bytes_free_secret(&s);

        BN_free(p);
        BN_free(v);
}

/* ------------------------------------------------------------------ ECP */

/* The shared secret keeps a leading zero x octet (RFC 5903 7: fixed length). */
static void test_ecp_padding(void)
{
        const struct crypto_dh_group *g = crypto_dh_lookup(IKEV2_DH_ECP256);
        struct tsu_rng_stream st;
        struct tsu_rng rng = tsu_rng_stream_init(&st, "ecp-pad", 7);
        _cleanup_(crypto_dh_freep) struct crypto_dh *peer = NULL;
        bool found = false;

        g_assert_cmpint(crypto_dh_new(g, &rng, &peer), ==, 0);
        for (int n = 0; n < 5000 && !found; n++) {
                _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
                struct bytes s1 = {0}, s2 = {0};

                g_assert_cmpint(crypto_dh_new(g, &rng, &dh), ==, 0);
                g_assert_cmpint(crypto_dh_compute(dh, crypto_dh_public(peer), &s1, NULL), ==, 0);
                g_assert_cmpuint(s1.len, ==, 32);
                if (s1.ptr[0] == 0) {
                        g_assert_cmpint(crypto_dh_compute(peer, crypto_dh_public(dh), &s2, NULL),
                                        ==, 0);
                        g_assert_cmpmem(s1.ptr, s1.len, s2.ptr, s2.len);
                        found = true;
                }
                /* Public values are always 2 x 32 octets, whatever their value. */
                g_assert_cmpuint(crypto_dh_public(dh).len, ==, 64);
                bytes_free_secret(&s1);
                bytes_free_secret(&s2);
        }
        g_assert_true(found);
}

static void test_ecp_rfc6989(void)
{
        static const uint16_t ids[] = {IKEV2_DH_ECP256, IKEV2_DH_ECP384, IKEV2_DH_ECP521};

        for (size_t k = 0; k < G_N_ELEMENTS(ids); k++) {
                const struct crypto_dh_group *g = crypto_dh_lookup(ids[k]);
                const size_t flen = g->pub_len / 2;
                struct tsu_rng_stream st;
                struct tsu_rng rng = tsu_rng_stream_init(&st, "ecp", 3);
                _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
                _cleanup_(crypto_dh_freep) struct crypto_dh *other = NULL;
                uint8_t buf[1 + 132];
                struct slice pub;

                g_assert_cmpint(crypto_dh_new(g, &rng, &dh), ==, 0);
                g_assert_cmpint(crypto_dh_new(g, &rng, &other), ==, 0);
                pub = crypto_dh_public(other);
                g_assert_cmpint(crypto_dh_check_public(g, pub, NULL), ==, 0);

                /* The SEC1 form (0x04 || x || y) is not the IKE encoding. */
                buf[0] = 0x04;
                memcpy(buf + 1, pub.ptr, pub.len);
                expect_reject(dh, buf, pub.len + 1, -EBADMSG, "length");
                expect_reject(dh, pub.ptr, pub.len - 1, -EBADMSG, "length");

                /* The point at infinity, written as zeros. */
                memset(buf, 0, sizeof(buf));
                expect_reject(dh, buf, pub.len, -EINVAL, "infinity");

                /* A point off the curve: y changed. */
                memcpy(buf, pub.ptr, pub.len);
                buf[pub.len - 1] ^= 0x01;
                expect_reject(dh, buf, pub.len, -EINVAL, "not a point on the curve");

                /* x = p (and y anything): a coordinate not reduced mod p. */
                {
                        EC_GROUP *grp = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->ossl_name));
                        BIGNUM *p = BN_new();

                        g_assert_true(EC_GROUP_get_curve(grp, p, NULL, NULL, NULL) == 1);
                        memcpy(buf, pub.ptr, pub.len);
                        BN_bn2binpad(p, buf, (int)flen);
                        expect_reject(dh, buf, pub.len, -EINVAL, "not below p");
                        /* x + p: the same residue as a valid x, still refused. */
                        BN_free(p);
                        EC_GROUP_free(grp);
                }
        }
}

static void test_ecp_private_range(void)
{
        const struct crypto_dh_group *g = crypto_dh_lookup(IKEV2_DH_ECP256);
        /* n, the order of P-256 */
        static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                      0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
        uint8_t d[32] = {0};
        struct crypto_dh *dh = NULL;

        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(d, 32), &dh), ==, -EINVAL);
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(n, 32), &dh), ==, -EINVAL);
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(n, 31), &dh), ==, -EINVAL);
        memcpy(d, n, 32);
        d[31] -= 1; /* n - 1 is the largest valid scalar */
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(d, 32), &dh), ==, 0);
        crypto_dh_free(dh);
}

/* ------------------------------------------------------------------ X25519/X448 */

static void test_xdh_low_order(void)
{
        /* RFC 7748 6 / RFC 8031 2.3: points of small order give an all-zero
         * shared secret whatever our private value. */
        static const uint8_t order8[32] = {0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae,
                                           0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
                                           0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd,
                                           0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00};
        static const uint16_t ids[] = {IKEV2_DH_CURVE25519, IKEV2_DH_CURVE448};

        for (size_t k = 0; k < G_N_ELEMENTS(ids); k++) {
                const struct crypto_dh_group *g = crypto_dh_lookup(ids[k]);
                struct tsu_rng_stream st;
                struct tsu_rng rng = tsu_rng_stream_init(&st, "xdh", 3);
                _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
                uint8_t u[56] = {0};
                struct bytes s = {0};
                const char *why = NULL;

                g_assert_cmpint(crypto_dh_new(g, &rng, &dh), ==, 0);
                /* u = 0 and u = 1 */
                for (int v = 0; v <= 1; v++) {
                        u[0] = (uint8_t)v;
                        g_assert_cmpint(crypto_dh_check_public(g, SLICE(u, g->pub_len), NULL), ==,
                                        0);
                        g_assert_cmpint(crypto_dh_compute(dh, SLICE(u, g->pub_len), &s, &why), ==,
                                        -EINVAL);
                        g_assert_nonnull(strstr(why, "all-zero"));
                        g_assert_null(s.ptr);
                }
                if (ids[k] == IKEV2_DH_CURVE25519)
                        g_assert_cmpint(crypto_dh_compute(dh, SLICE(order8, 32), &s, &why), ==,
                                        -EINVAL);
                expect_reject(dh, u, g->pub_len - 1, -EBADMSG, "length");
                expect_reject(dh, u, g->pub_len + 1, -EBADMSG, "length");
                g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(u, g->priv_len - 1),
                                                           &(struct crypto_dh *){NULL}),
                                ==, -EINVAL);
        }
}

/* ------------------------------------------------------------------ every group */

static int rng_zero(void *ctx, uint8_t *buf, size_t n)
{
        memset(buf, 0, n);
        return 0;
}

static void test_all_groups_agree(void)
{
        size_t n;
        const struct crypto_dh_group *t = crypto_dh_table(&n);

        for (size_t i = 0; i < n; i++) {
                struct tsu_rng_stream s1, s2;
                struct tsu_rng r1 = tsu_rng_stream_init(&s1, t[i].name, strlen(t[i].name));
                struct tsu_rng r2 = tsu_rng_stream_init(&s2, "other", 5);
                _cleanup_(crypto_dh_freep) struct crypto_dh *a = NULL;
                _cleanup_(crypto_dh_freep) struct crypto_dh *b = NULL;
                _cleanup_(crypto_dh_freep) struct crypto_dh *a2 = NULL;
                struct bytes x = {0}, y = {0};
                struct tsu_rng_fixed fx;
                struct tsu_rng few = tsu_rng_fixed_init(&fx, "abc", 3);
                struct tsu_rng zero = {.fill = rng_zero};
                struct crypto_dh *fail = NULL;

                g_assert_cmpint(crypto_dh_new(&t[i], &r1, &a), ==, 0);
                g_assert_cmpint(crypto_dh_new(&t[i], &r2, &b), ==, 0);
                g_assert_cmpint(crypto_dh_compute(a, crypto_dh_public(b), &x, NULL), ==, 0);
                g_assert_cmpint(crypto_dh_compute(b, crypto_dh_public(a), &y, NULL), ==, 0);
                g_assert_cmpmem(x.ptr, x.len, y.ptr, y.len);
                g_assert_cmpuint(x.len, ==, t[i].secret_len);

                /* Deterministic: the same RNG stream gives the same key. */
                s1 = (struct tsu_rng_stream){0};
                r1 = tsu_rng_stream_init(&s1, t[i].name, strlen(t[i].name));
                g_assert_cmpint(crypto_dh_new(&t[i], &r1, &a2), ==, 0);
                g_assert_cmpmem(crypto_dh_public(a).ptr, t[i].pub_len, crypto_dh_public(a2).ptr,
                                t[i].pub_len);

                /* The RNG's failure is ours; an RNG that only yields invalid
                 * private values (all zeros) is not retried forever. */
                g_assert_cmpint(crypto_dh_new(&t[i], &few, &fail), ==, -ENODATA);
                if (t[i].kind != CRYPTO_DH_XDH)
                        g_assert_cmpint(crypto_dh_new(&t[i], &zero, &fail), ==, -EIO);
                g_assert_null(fail);
                bytes_free_secret(&x);
                bytes_free_secret(&y);
        }
}

static void test_modp_private_range(void)
{
        const struct crypto_dh_group *g = crypto_dh_lookup(IKEV2_DH_MODP2048);
        uint8_t x[257] = {0};
        struct crypto_dh *dh = NULL;

        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(x, 1), &dh), ==, -EINVAL);
        x[0] = 1;
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(x, 1), &dh), ==, -EINVAL);
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(x, 0), &dh), ==, -EINVAL);
        memset(x, 0xff, sizeof(x));
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(x, 256), &dh), ==, -EINVAL);
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(x, 257), &dh), ==, -EINVAL);
        g_assert_null(dh);
        x[0] = 2;
        g_assert_cmpint(crypto_dh_new_from_private(g, SLICE(x, 1), &dh), ==, 0);
        crypto_dh_free(dh);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/crypto/dh/table", test_table);
        g_test_add_func("/crypto/dh/kat", test_kat);
        g_test_add_func("/crypto/dh/all-groups-agree", test_all_groups_agree);
        g_test_add_func("/crypto/dh/modp/independent", test_modp_independent);
        g_test_add_func("/crypto/dh/modp/padding", test_modp_padding);
        g_test_add_func("/crypto/dh/modp/rfc6989", test_modp_rfc6989);
        g_test_add_func("/crypto/dh/modp/private-range", test_modp_private_range);
        g_test_add_func("/crypto/dh/ecp/padding", test_ecp_padding);
        g_test_add_func("/crypto/dh/ecp/rfc6989", test_ecp_rfc6989);
        g_test_add_func("/crypto/dh/ecp/private-range", test_ecp_private_range);
        g_test_add_func("/crypto/dh/xdh/low-order", test_xdh_low_order);
        return g_test_run();
}
