/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/crypto/sig: AUTH signatures for methods 1, 9-11 and
 * 14, the RFC 7427 AlgorithmIdentifiers (against the vector file and against
 * what OpenSSL's providers produce), the hash choice, key loading, and every
 * way a signature can be wrong. Keys are generated at test time.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>

#include "client/common/bytes.h"
#include "client/crypto/sig.h"
#include "client/ike/ikev2.h"
#include "test-crypto-pki.h"
#include "test-crypto-vectors.h"

static EVP_PKEY *k_rsa, *k_pss, *k_p256, *k_p384, *k_p521, *k_ed, *k_k256;

static const uint8_t octets[] = "RealMessage | Nonce | prf(SK_p, ID') -- the signed octets";
#define OCTETS SLICE(octets, sizeof(octets) - 1)

static void keys_init(void)
{
        k_rsa = pki_key("RSA:2048");
        k_pss = pki_key("RSA-PSS:2048");
        k_p256 = pki_key("EC:P-256");
        k_p384 = pki_key("EC:P-384");
        k_p521 = pki_key("EC:P-521");
        k_ed = pki_key("ED25519");
        k_k256 = pki_key("EC:secp256k1");
}

static void keys_free(void)
{
        EVP_PKEY *all[] = {k_rsa, k_pss, k_p256, k_p384, k_p521, k_ed, k_k256};

        for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
                EVP_PKEY_free(all[i]);
}

static enum crypto_sig_scheme scheme_by_name(const char *name)
{
        for (int s = CRYPTO_SIG_RSA_PKCS1_SHA1; s <= CRYPTO_SIG_ED25519; s++)
                if (strcmp(crypto_sig_scheme_name(s), name) == 0)
                        return s;
        g_error("no scheme %s", name);
}

/* ------------------------------------------------------------------ AlgorithmIdentifier */

/* The AlgorithmIdentifier OpenSSL's signature provider reports for a
 * signing context set up for the scheme: an implementation independent of
 * our X509_ALGOR construction. */
static GBytes *provider_algid(enum crypto_sig_scheme s)
{
        static const struct {
                enum crypto_sig_scheme s;
                const char *md;
                int pad;
        } map[] = {
                {CRYPTO_SIG_RSA_PKCS1_SHA256, "SHA256", RSA_PKCS1_PADDING},
                {CRYPTO_SIG_RSA_PKCS1_SHA384, "SHA384", RSA_PKCS1_PADDING},
                {CRYPTO_SIG_RSA_PKCS1_SHA512, "SHA512", RSA_PKCS1_PADDING},
                {CRYPTO_SIG_RSA_PSS_SHA256, "SHA256", RSA_PKCS1_PSS_PADDING},
                {CRYPTO_SIG_RSA_PSS_SHA384, "SHA384", RSA_PKCS1_PSS_PADDING},
                {CRYPTO_SIG_RSA_PSS_SHA512, "SHA512", RSA_PKCS1_PSS_PADDING},
                {CRYPTO_SIG_ECDSA_SHA256, "SHA256", 0},
                {CRYPTO_SIG_ECDSA_SHA384, "SHA384", 0},
                {CRYPTO_SIG_ECDSA_SHA512, "SHA512", 0},
                {CRYPTO_SIG_ED25519, NULL, 0},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
                EVP_MD_CTX *md;
                EVP_PKEY_CTX *pctx = NULL;
                EVP_PKEY *key;
                uint8_t buf[256];
                OSSL_PARAM params[2];
                GBytes *out;

                if (map[i].s != s)
                        continue;
                key = map[i].pad ? k_rsa : s == CRYPTO_SIG_ED25519 ? k_ed : k_p256;
                md = EVP_MD_CTX_new();
                g_assert_true(EVP_DigestSignInit_ex(md, &pctx, map[i].md, NULL, NULL, key, NULL) ==
                              1);
                if (map[i].pad) {
                        g_assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, map[i].pad) == 1);
                        if (map[i].pad == RSA_PKCS1_PSS_PADDING) {
                                g_assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, map[i].md,
                                                                                NULL) == 1);
                                g_assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(
                                                      pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
                        }
                }
                params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
                                                              buf, sizeof(buf));
                params[1] = OSSL_PARAM_construct_end();
                g_assert_true(EVP_PKEY_CTX_get_params(pctx, params) == 1);
                out = g_bytes_new(buf, params[0].return_size);
                EVP_MD_CTX_free(md);
                return out;
        }
        g_assert_not_reached();
}

static void test_algorithm_identifiers(void)
{
        g_autoptr(GPtrArray) cases = tv_load("sig-algorithm-identifiers.txt");

        g_assert_cmpuint(cases->len, ==, 10);
        for (guint i = 0; i < cases->len; i++) {
                const struct tv_case *c = cases->pdata[i];
                enum crypto_sig_scheme s = scheme_by_name(tv_str(c, "scheme"));
                g_autoptr(GBytes) want = tv_bytes(c, "der");
                g_autoptr(GBytes) prov = provider_algid(s);
                struct bytes got = {0};

                g_assert_cmpint(crypto_sig_algorithm_identifier(s, &got), ==, 0);
                if (!g_bytes_equal(want, g_bytes_new_static(got.ptr, got.len)))
                        g_error("%s: AlgorithmIdentifier differs from the vector", tv_where(c));
                g_assert_cmpmem(got.ptr, got.len, g_bytes_get_data(prov, NULL),
                                g_bytes_get_size(prov));
                bytes_free(&got);
        }
        g_assert_cmpint(
                crypto_sig_algorithm_identifier(CRYPTO_SIG_RSA_PKCS1_SHA1, &(struct bytes){0}), ==,
                -EINVAL);
        g_assert_cmpint(crypto_sig_algorithm_identifier(CRYPTO_SIG_NONE, &(struct bytes){0}), ==,
                        -EINVAL);
}

/* ------------------------------------------------------------------ round trips */

static void sign_verify(EVP_PKEY *key, uint8_t method, enum crypto_sig_scheme scheme,
                        enum crypto_sig_scheme want_scheme)
{
        struct bytes auth = {0};
        enum crypto_sig_scheme got = CRYPTO_SIG_NONE;
        const char *why = NULL;
        uint8_t bad[sizeof(octets)];

        g_assert_cmpint(crypto_auth_sign(key, method, scheme, OCTETS, &auth), ==, 0);
        if (crypto_auth_verify(key, method, SLICE_OF(auth), OCTETS, CRYPTO_AUTH_ALLOW_SHA1, &got,
                               &why) != 0)
                g_error("method %u %s: %s", method, crypto_sig_scheme_name(scheme), why);
        g_assert_cmpint(got, ==, want_scheme);

        /* Signatures over other data do not verify. */
        memcpy(bad, octets, sizeof(octets));
        bad[3] ^= 1;
        g_assert_cmpint(crypto_auth_verify(key, method, SLICE_OF(auth), SLICE(bad, sizeof(bad) - 1),
                                           CRYPTO_AUTH_ALLOW_SHA1, NULL, &why),
                        ==, -EKEYREJECTED);
        g_assert_cmpint(crypto_auth_verify(key, method, SLICE_OF(auth),
                                           SLICE(octets, sizeof(octets) - 2),
                                           CRYPTO_AUTH_ALLOW_SHA1, NULL, NULL),
                        ==, -EKEYREJECTED);
        /* A flipped bit in the signature value. */
        auth.ptr[auth.len - 1] ^= 0x01;
        g_assert_cmpint(crypto_auth_verify(key, method, SLICE_OF(auth), OCTETS,
                                           CRYPTO_AUTH_ALLOW_SHA1, NULL, NULL),
                        ==, -EKEYREJECTED);
        bytes_free(&auth);
}

static void test_sign_verify(void)
{
        sign_verify(k_rsa, IKEV2_AUTH_RSA_SIG, CRYPTO_SIG_NONE, CRYPTO_SIG_RSA_PKCS1_SHA1);
        sign_verify(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256, CRYPTO_SIG_NONE, CRYPTO_SIG_ECDSA_SHA256);
        sign_verify(k_p384, IKEV2_AUTH_ECDSA_SHA384_P384, CRYPTO_SIG_NONE, CRYPTO_SIG_ECDSA_SHA384);
        sign_verify(k_p521, IKEV2_AUTH_ECDSA_SHA512_P521, CRYPTO_SIG_NONE, CRYPTO_SIG_ECDSA_SHA512);
        for (int s = CRYPTO_SIG_RSA_PKCS1_SHA256; s <= CRYPTO_SIG_RSA_PSS_SHA512; s++)
                sign_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, s, s);
        for (int s = CRYPTO_SIG_RSA_PSS_SHA256; s <= CRYPTO_SIG_RSA_PSS_SHA512; s++)
                sign_verify(k_pss, IKEV2_AUTH_DIGITAL_SIGNATURE, s, s);
        for (int s = CRYPTO_SIG_ECDSA_SHA256; s <= CRYPTO_SIG_ECDSA_SHA512; s++) {
                sign_verify(k_p256, IKEV2_AUTH_DIGITAL_SIGNATURE, s, s);
                sign_verify(k_p384, IKEV2_AUTH_DIGITAL_SIGNATURE, s, s);
                sign_verify(k_p521, IKEV2_AUTH_DIGITAL_SIGNATURE, s, s);
        }
        sign_verify(k_ed, IKEV2_AUTH_DIGITAL_SIGNATURE, CRYPTO_SIG_ED25519, CRYPTO_SIG_ED25519);
}

/* RFC 4754 7: r and s are fixed-length; find signatures with a short r or s
 * (leading zero octet) and check they are padded and still verify. */
static void test_ecdsa_fixed_length(void)
{
        int padded = 0;

        for (int i = 0; i < 3000 && padded < 2; i++) {
                struct bytes auth = {0};

                g_assert_cmpint(crypto_auth_sign(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256,
                                                 CRYPTO_SIG_NONE, OCTETS, &auth),
                                ==, 0);
                g_assert_cmpuint(auth.len, ==, 64);
                if (auth.ptr[0] == 0 || auth.ptr[32] == 0) {
                        g_assert_cmpint(crypto_auth_verify(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256,
                                                           SLICE_OF(auth), OCTETS, 0, NULL, NULL),
                                        ==, 0);
                        padded++;
                }
                bytes_free(&auth);
        }
        g_assert_cmpint(padded, >=, 1);
}

/* ------------------------------------------------------------------ rejections */

static void expect_verify(EVP_PKEY *key, uint8_t method, struct slice auth, int err, unsigned flags)
{
        const char *why = NULL;

        g_assert_cmpint(crypto_auth_verify(key, method, auth, OCTETS, flags, NULL, &why), ==, err);
        g_assert_nonnull(why);
}

/* Replaces the AlgorithmIdentifier of method-14 AUTH data. */
static struct bytes swap_algid(struct slice auth, struct slice algid)
{
        struct bytes out = {0};
        uint8_t len = (uint8_t)algid.len;
        struct slice parts[3] = {SLICE(&len, 1), algid,
                                 SLICE(auth.ptr + 1 + auth.ptr[0], auth.len - 1 - auth.ptr[0])};

        g_assert_cmpint(bytes_concat(&out, parts, 3), ==, 0);
        return out;
}

static void test_rejections(void)
{
        struct bytes a = {0}, b = {0}, algid = {0};

        /* Method 1 is SHA-1: refused unless the caller allows it. */
        g_assert_cmpint(crypto_auth_sign(k_rsa, IKEV2_AUTH_RSA_SIG, 0, OCTETS, &a), ==, 0);
        expect_verify(k_rsa, IKEV2_AUTH_RSA_SIG, SLICE_OF(a), -EPERM, 0);
        expect_verify(k_p256, IKEV2_AUTH_RSA_SIG, SLICE_OF(a), -EPERM, CRYPTO_AUTH_ALLOW_SHA1);
        /* An RSA-PSS key cannot make a method 1 signature. */
        g_assert_cmpint(crypto_auth_sign(k_pss, IKEV2_AUTH_RSA_SIG, 0, OCTETS, &b), ==, -EINVAL);
        bytes_free(&a);

        /* RSA with the wrong hash: a SHA-384 signature announced as
         * sha256WithRSAEncryption (the DigestInfo check catches it). */
        g_assert_cmpint(crypto_auth_sign(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE,
                                         CRYPTO_SIG_RSA_PKCS1_SHA384, OCTETS, &a),
                        ==, 0);
        g_assert_cmpint(crypto_sig_algorithm_identifier(CRYPTO_SIG_RSA_PKCS1_SHA256, &algid), ==,
                        0);
        b = swap_algid(SLICE_OF(a), SLICE_OF(algid));
        expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EKEYREJECTED, 0);
        bytes_free(&b);
        /* ... and as RSA-PSS. */
        bytes_free(&algid);
        g_assert_cmpint(crypto_sig_algorithm_identifier(CRYPTO_SIG_RSA_PSS_SHA384, &algid), ==, 0);
        b = swap_algid(SLICE_OF(a), SLICE_OF(algid));
        expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EKEYREJECTED, 0);
        bytes_free(&b);
        /* An RSA signature announced as ECDSA, checked with an EC key and
         * with the RSA key. */
        bytes_free(&algid);
        g_assert_cmpint(crypto_sig_algorithm_identifier(CRYPTO_SIG_ECDSA_SHA384, &algid), ==, 0);
        b = swap_algid(SLICE_OF(a), SLICE_OF(algid));
        expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EPERM, 0);
        expect_verify(k_p384, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EKEYREJECTED, 0);
        bytes_free(&b);
        bytes_free(&algid);

        /* Malformed RFC 7427 framing. */
        {
                uint8_t *p = a.ptr;
                size_t alen = p[0];

                p[0] = 0;
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(a), -EBADMSG, 0);
                p[0] = (uint8_t)alen; /* nothing left for the signature */
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE(a.ptr, 1 + alen), -EBADMSG,
                              0);
                p[0] = 255; /* reaches into the signature, which is no DER */
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(a), -EBADMSG, 0);
                p[0] = (uint8_t)(alen + 1); /* one octet of the signature inside */
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(a), -EBADMSG, 0);
                p[0] = (uint8_t)(alen - 1);
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(a), -EBADMSG, 0);
                p[0] = (uint8_t)alen;
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE(a.ptr, 1), -EBADMSG, 0);
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE(NULL, 0), -EBADMSG, 0);
        }

        /* AlgorithmIdentifiers we refuse. */
        {
                static const uint8_t sha1rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                  0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
                static const uint8_t ecdsa_sha1[] = {0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
                                                     0x48, 0xce, 0x3d, 0x04, 0x01};
                /* dsa-with-sha256 (2.16.840.1.101.3.4.3.2) */
                static const uint8_t dsa256[] = {0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                                 0x01, 0x65, 0x03, 0x04, 0x03, 0x02};
                /* ecdsa-with-SHA256 with NULL parameters (RFC 5758: absent) */
                static const uint8_t ecdsa_null[] = {0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                     0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00};
                /* RSASSA-PSS with empty parameters: SHA-1 defaults */
                static const uint8_t pss_empty[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                    0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x00};
                /* RSASSA-PSS: sha256 hash, MGF1 with sha384 */
                static const uint8_t pss_mix[] = {
                        0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
                        0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
                        0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
                        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
                        0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
                        0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20};
                /* RSASSA-PSS without parameters at all */
                static const uint8_t pss_none[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                                   0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};

                b = swap_algid(SLICE_OF(a), SLICE(sha1rsa, sizeof(sha1rsa)));
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EPERM,
                              CRYPTO_AUTH_ALLOW_SHA1);
                bytes_free(&b);
                b = swap_algid(SLICE_OF(a), SLICE(ecdsa_sha1, sizeof(ecdsa_sha1)));
                expect_verify(k_p256, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EPERM, 0);
                bytes_free(&b);
                b = swap_algid(SLICE_OF(a), SLICE(dsa256, sizeof(dsa256)));
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -ENOTSUP, 0);
                bytes_free(&b);
                b = swap_algid(SLICE_OF(a), SLICE(ecdsa_null, sizeof(ecdsa_null)));
                expect_verify(k_p256, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EBADMSG, 0);
                bytes_free(&b);
                b = swap_algid(SLICE_OF(a), SLICE(pss_empty, sizeof(pss_empty)));
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EPERM, 0);
                bytes_free(&b);
                b = swap_algid(SLICE_OF(a), SLICE(pss_mix, sizeof(pss_mix)));
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -ENOTSUP, 0);
                bytes_free(&b);
                b = swap_algid(SLICE_OF(a), SLICE(pss_none, sizeof(pss_none)));
                expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EBADMSG, 0);
                bytes_free(&b);
        }
        bytes_free(&a);

        /* ECDSA r || s of the wrong length, and keys of the wrong curve. */
        g_assert_cmpint(crypto_auth_sign(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256, 0, OCTETS, &a), ==,
                        0);
        expect_verify(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256, SLICE(a.ptr, 63), -EBADMSG, 0);
        {
                uint8_t longer[65] = {0};

                memcpy(longer + 1, a.ptr, 64);
                expect_verify(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256, SLICE(longer, 65), -EBADMSG, 0);
        }
        expect_verify(k_p384, IKEV2_AUTH_ECDSA_SHA256_P256, SLICE_OF(a), -EPERM, 0);
        expect_verify(k_rsa, IKEV2_AUTH_ECDSA_SHA256_P256, SLICE_OF(a), -EPERM, 0);
        expect_verify(k_k256, IKEV2_AUTH_ECDSA_SHA256_P256, SLICE_OF(a), -EPERM, 0);
        /* A DER signature where r || s belongs. */
        {
                struct bytes der = {0};

                g_assert_cmpint(crypto_auth_sign(k_p256, IKEV2_AUTH_DIGITAL_SIGNATURE,
                                                 CRYPTO_SIG_ECDSA_SHA256, OCTETS, &der),
                                ==, 0);
                expect_verify(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256,
                              SLICE(der.ptr + 1 + der.ptr[0], der.len - 1 - der.ptr[0]), -EBADMSG,
                              0);
                bytes_free(&der);
        }
        /* All-zero r || s (r, s must be in [1, n-1]). */
        {
                uint8_t zero[64] = {0};

                expect_verify(k_p256, IKEV2_AUTH_ECDSA_SHA256_P256, SLICE(zero, 64), -EKEYREJECTED,
                              0);
        }
        bytes_free(&a);
        g_assert_cmpint(crypto_auth_sign(k_p384, IKEV2_AUTH_ECDSA_SHA256_P256, 0, OCTETS, &a), ==,
                        -EINVAL);
        g_assert_cmpint(crypto_auth_sign(k_rsa, IKEV2_AUTH_ECDSA_SHA512_P521, 0, OCTETS, &a), ==,
                        -EINVAL);

        /* Method 14 with a scheme that does not fit the key. */
        g_assert_cmpint(crypto_auth_sign(k_p256, IKEV2_AUTH_DIGITAL_SIGNATURE,
                                         CRYPTO_SIG_RSA_PKCS1_SHA256, OCTETS, &a),
                        ==, -EINVAL);
        g_assert_cmpint(crypto_auth_sign(k_pss, IKEV2_AUTH_DIGITAL_SIGNATURE,
                                         CRYPTO_SIG_RSA_PKCS1_SHA256, OCTETS, &a),
                        ==, -EINVAL);
        g_assert_cmpint(crypto_auth_sign(k_ed, IKEV2_AUTH_DIGITAL_SIGNATURE,
                                         CRYPTO_SIG_ECDSA_SHA256, OCTETS, &a),
                        ==, -EINVAL);
        /* Methods we do not sign or verify with. */
        g_assert_cmpint(crypto_auth_sign(k_rsa, IKEV2_AUTH_SHARED_KEY_MIC, 0, OCTETS, &a), ==,
                        -ENOTSUP);
        expect_verify(k_rsa, IKEV2_AUTH_DSS_SIG, SLICE(octets, 10), -ENOTSUP, 0);
        g_assert_null(a.ptr);
}

/* RFC 7427 A.4.3 writes the DEFAULT trailerField out: accept that form. */
static void test_pss_explicit_trailer(void)
{
        static const uint8_t pss256_trailer[] = {
                0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
                0x0a, 0x30, 0x39, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
                0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a,
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
                0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20, 0xa3, 0x03, 0x02, 0x01, 0x01};
        struct bytes a = {0}, b = {0};
        enum crypto_sig_scheme got = CRYPTO_SIG_NONE;

        g_assert_cmpint(crypto_auth_sign(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE,
                                         CRYPTO_SIG_RSA_PSS_SHA256, OCTETS, &a),
                        ==, 0);
        b = swap_algid(SLICE_OF(a), SLICE(pss256_trailer, sizeof(pss256_trailer)));
        g_assert_cmpint(crypto_auth_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), OCTETS,
                                           0, &got, NULL),
                        ==, 0);
        g_assert_cmpint(got, ==, CRYPTO_SIG_RSA_PSS_SHA256);
        /* trailerField 2 is not the one RFC 4055 allows */
        b.ptr[1 + sizeof(pss256_trailer) - 1] = 2;
        expect_verify(k_rsa, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(b), -EBADMSG, 0);
        bytes_free(&a);
        bytes_free(&b);
}

/* ------------------------------------------------------------------ hash choice */

/* A public RSA key of any size: only its length matters to the choice. */
static EVP_PKEY *rsa_public_of_bits(int bits)
{
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        BIGNUM *n = BN_new(), *e = BN_new();
        OSSL_PARAM *params;
        EVP_PKEY *key = NULL;

        g_assert_true(BN_set_bit(n, bits - 1) == 1 && BN_set_bit(n, 0) == 1);
        g_assert_true(BN_set_word(e, 65537) == 1);
        g_assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1);
        g_assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1);
        params = OSSL_PARAM_BLD_to_param(bld);
        g_assert_true(EVP_PKEY_fromdata_init(ctx) == 1);
        g_assert_true(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        EVP_PKEY_CTX_free(ctx);
        BN_free(n);
        BN_free(e);
        return key;
}

static void test_pick_scheme(void)
{
        static const uint16_t all[] = {IKEV2_HASH_SHA1, IKEV2_HASH_SHA2_256, IKEV2_HASH_SHA2_384,
                                       IKEV2_HASH_SHA2_512, IKEV2_HASH_IDENTITY};
        static const uint16_t h256[] = {IKEV2_HASH_SHA2_256};
        static const uint16_t h384_512[] = {IKEV2_HASH_SHA2_512, IKEV2_HASH_SHA2_384};
        static const uint16_t sha1[] = {IKEV2_HASH_SHA1};
        static const uint16_t junk[] = {0, 77, 65535};
        EVP_PKEY *r3072 = rsa_public_of_bits(3072), *r8192 = rsa_public_of_bits(8192);
        enum crypto_sig_scheme s;
        uint16_t ours[4];
        uint8_t m;

#define PICK(key, list, pss) crypto_sig_pick_scheme(key, list, G_N_ELEMENTS(list), pss, &s)
        g_assert_cmpint(PICK(k_rsa, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PKCS1_SHA256);
        g_assert_cmpint(PICK(k_rsa, all, true), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PSS_SHA256);
        g_assert_cmpint(PICK(k_pss, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PSS_SHA256);
        g_assert_cmpint(PICK(k_rsa, h384_512, false), ==, 0); /* nearest stronger */
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PKCS1_SHA384);
        g_assert_cmpint(PICK(r3072, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PKCS1_SHA384);
        g_assert_cmpint(PICK(r3072, h256, false), ==, 0); /* strongest weaker */
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PKCS1_SHA256);
        g_assert_cmpint(PICK(r8192, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_RSA_PKCS1_SHA512);
        g_assert_cmpint(PICK(k_p256, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_ECDSA_SHA256);
        g_assert_cmpint(PICK(k_p384, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_ECDSA_SHA384);
        g_assert_cmpint(PICK(k_p521, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_ECDSA_SHA512);
        g_assert_cmpint(PICK(k_p521, h256, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_ECDSA_SHA256);
        g_assert_cmpint(PICK(k_ed, all, false), ==, 0);
        g_assert_cmpint(s, ==, CRYPTO_SIG_ED25519);
        /* Nothing fits: SHA-1 only, unknown values only, Ed25519 without Identity. */
        g_assert_cmpint(PICK(k_rsa, sha1, false), ==, -ENOTSUP);
        g_assert_cmpint(PICK(k_p256, junk, false), ==, -ENOTSUP);
        g_assert_cmpint(PICK(k_ed, h384_512, false), ==, -ENOTSUP);
        g_assert_cmpint(PICK(k_k256, all, false), ==, -ENOTSUP);
        g_assert_cmpint(crypto_sig_pick_scheme(k_rsa, NULL, 0, false, &s), ==, -ENOTSUP);
#undef PICK
        g_assert_cmpuint(crypto_sig_supported_hashes(ours), ==, 4);
        g_assert_cmpuint(ours[0], ==, IKEV2_HASH_SHA2_256);
        g_assert_cmpuint(ours[3], ==, IKEV2_HASH_IDENTITY);
        g_assert_cmpuint(crypto_sig_scheme_hash(CRYPTO_SIG_RSA_PSS_SHA384), ==,
                         IKEV2_HASH_SHA2_384);
        g_assert_cmpuint(crypto_sig_scheme_hash(CRYPTO_SIG_NONE), ==, 0);

        g_assert_cmpint(crypto_sig_classic_method(k_rsa, &m), ==, 0);
        g_assert_cmpuint(m, ==, IKEV2_AUTH_RSA_SIG);
        g_assert_cmpint(crypto_sig_classic_method(k_p256, &m), ==, 0);
        g_assert_cmpuint(m, ==, IKEV2_AUTH_ECDSA_SHA256_P256);
        g_assert_cmpint(crypto_sig_classic_method(k_p384, &m), ==, 0);
        g_assert_cmpuint(m, ==, IKEV2_AUTH_ECDSA_SHA384_P384);
        g_assert_cmpint(crypto_sig_classic_method(k_p521, &m), ==, 0);
        g_assert_cmpuint(m, ==, IKEV2_AUTH_ECDSA_SHA512_P521);
        g_assert_cmpint(crypto_sig_classic_method(k_ed, &m), ==, -ENOTSUP);
        g_assert_cmpint(crypto_sig_classic_method(k_k256, &m), ==, -ENOTSUP);
        g_assert_cmpint(crypto_sig_classic_method(k_pss, &m), ==, -ENOTSUP);
        EVP_PKEY_free(r3072);
        EVP_PKEY_free(r8192);
}

/* ------------------------------------------------------------------ key loading */

static GBytes *bio_bytes(BIO *b)
{
        char *p;
        long n = BIO_get_mem_data(b, &p);
        GBytes *out = g_bytes_new(p, (gsize)n);

        BIO_free(b);
        return out;
}

static struct slice gs(GBytes *b)
{
        return SLICE(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

static void check_loaded(GBytes *data, const char *pass, EVP_PKEY *want)
{
        EVP_PKEY *got = NULL;

        g_assert_cmpint(crypto_privkey_load(gs(data), SLICE(pass, strlen(pass)), &got), ==, 0);
        g_assert_true(EVP_PKEY_eq(got, want) == 1);
        /* And it is a private key: it signs. */
        {
                struct bytes a = {0};
                uint8_t m;

                if (crypto_sig_classic_method(got, &m) == 0) {
                        g_assert_cmpint(crypto_auth_sign(got, m, 0, OCTETS, &a), ==, 0);
                        g_assert_cmpint(crypto_auth_verify(want, m, SLICE_OF(a), OCTETS,
                                                           CRYPTO_AUTH_ALLOW_SHA1, NULL, NULL),
                                        ==, 0);
                        bytes_free(&a);
                }
        }
        EVP_PKEY_free(got);
}

static void test_key_loading(void)
{
        static const char pass[] = "correct horse";
        EVP_PKEY *got = NULL;
        BIO *b;
        g_autoptr(GBytes) pem = NULL;
        g_autoptr(GBytes) enc_pem = NULL;
        g_autoptr(GBytes) der = NULL;
        g_autoptr(GBytes) trad = NULL;
        g_autoptr(GBytes) p12 = NULL;

        /* PKCS#8 PEM, unencrypted */
        b = BIO_new(BIO_s_mem());
        g_assert_true(PEM_write_bio_PrivateKey(b, k_p256, NULL, NULL, 0, NULL, NULL) == 1);
        pem = bio_bytes(b);
        check_loaded(pem, "", k_p256);
        /* encrypted PKCS#8 PEM */
        b = BIO_new(BIO_s_mem());
        g_assert_true(PEM_write_bio_PKCS8PrivateKey(b, k_rsa, EVP_aes_256_cbc(), pass,
                                                    (int)strlen(pass), NULL, NULL) == 1);
        enc_pem = bio_bytes(b);
        check_loaded(enc_pem, pass, k_rsa);
        g_assert_cmpint(crypto_privkey_load(gs(enc_pem), SLICE("wrong", 5), &got), ==, -EBADMSG);
        g_assert_cmpint(crypto_privkey_load(gs(enc_pem), SLICE(NULL, 0), &got), ==, -EBADMSG);
        /* PKCS#8 DER */
        b = BIO_new(BIO_s_mem());
        g_assert_true(i2d_PKCS8PrivateKey_bio(b, k_p384, NULL, NULL, 0, NULL, NULL) == 1);
        der = bio_bytes(b);
        check_loaded(der, "", k_p384);
        /* traditional ("BEGIN EC PRIVATE KEY") PEM */
        b = BIO_new(BIO_s_mem());
        g_assert_true(PEM_write_bio_PrivateKey_traditional(b, k_p521, NULL, NULL, 0, NULL, NULL) ==
                      1);
        trad = bio_bytes(b);
        check_loaded(trad, "", k_p521);

        /* PKCS#12 with a certificate and a CA */
        {
                EVP_PKEY *ca_key = pki_key("EC:P-256");
                struct pki_cert_opts ca_o = {.subject = "CN=p12 CA",
                                             .not_before = 0,
                                             .not_after = 4102444800,
                                             .ca = true,
                                             .serial = 1};
                struct pki_cert_opts ee_o = {.subject = "CN=client",
                                             .not_before = 0,
                                             .not_after = 4102444800,
                                             .serial = 2};
                X509 *ca = pki_cert(&ca_o, ca_key, NULL, NULL);
                X509 *ee = pki_cert(&ee_o, k_p256, ca, ca_key);
                STACK_OF(X509) *cas = sk_X509_new_null();
                PKCS12 *p = NULL;
                unsigned char *d = NULL;
                int len;
                X509 *cert = NULL;
                STACK_OF(X509) *chain = NULL;

                sk_X509_push(cas, ca);
                p = PKCS12_create(pass, "client", k_p256, ee, cas, 0, 0, 0, 0, 0);
                g_assert_nonnull(p);
                len = i2d_PKCS12(p, &d);
                g_assert_cmpint(len, >, 0);
                p12 = g_bytes_new(d, (gsize)len);
                OPENSSL_free(d);
                PKCS12_free(p);

                check_loaded(p12, pass, k_p256);
                g_assert_cmpint(crypto_privkey_load(gs(p12), SLICE("nope", 4), &got), ==,
                                -EKEYREJECTED);
                g_assert_cmpint(
                        crypto_pkcs12_load(gs(p12), SLICE(pass, strlen(pass)), &got, &cert, &chain),
                        ==, 0);
                g_assert_true(X509_cmp(cert, ee) == 0);
                g_assert_cmpint(sk_X509_num(chain), ==, 1);
                g_assert_true(X509_cmp(sk_X509_value(chain, 0), ca) == 0);
                EVP_PKEY_free(got);
                X509_free(cert);
                sk_X509_pop_free(chain, X509_free);
                sk_X509_free(cas);
                X509_free(ca);
                X509_free(ee);
                EVP_PKEY_free(ca_key);
        }

        /* Not keys at all. */
        got = NULL;
        g_assert_cmpint(crypto_privkey_load(SLICE("hello", 5), SLICE(NULL, 0), &got), ==, -EBADMSG);
        g_assert_cmpint(crypto_privkey_load(SLICE(NULL, 0), SLICE(NULL, 0), &got), ==, -EBADMSG);
        g_assert_cmpint(
                crypto_privkey_load(SLICE(g_bytes_get_data(der, NULL), 40), SLICE(NULL, 0), &got),
                ==, -EBADMSG);
        g_assert_cmpint(crypto_pkcs12_load(gs(pem), SLICE(NULL, 0), &got, NULL, NULL), ==,
                        -EBADMSG);
        g_assert_null(got);
}

int main(int argc, char **argv)
{
        int r;

        g_test_init(&argc, &argv, NULL);
        keys_init();
        g_test_add_func("/crypto/sig/algorithm-identifiers", test_algorithm_identifiers);
        g_test_add_func("/crypto/sig/sign-verify", test_sign_verify);
        g_test_add_func("/crypto/sig/ecdsa-fixed-length", test_ecdsa_fixed_length);
        g_test_add_func("/crypto/sig/rejections", test_rejections);
        g_test_add_func("/crypto/sig/pss-explicit-trailer", test_pss_explicit_trailer);
        g_test_add_func("/crypto/sig/pick-scheme", test_pick_scheme);
        g_test_add_func("/crypto/sig/key-loading", test_key_loading);
        r = g_test_run();
        keys_free();
        return r;
}
