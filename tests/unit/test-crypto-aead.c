/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/crypto/aead: suite lookup, known answers for every
 * transform (tests/vectors/crypto/), tampering, ESN placement, and a
 * throughput measurement in perf mode (-m perf) that prints the ratio to a
 * bare EVP loop; it asserts nothing about time.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>

#include "client/common/bytes.h"
#include "client/crypto/aead.h"
#include "client/crypto/rng.h"
#include "client/ike/ikev2.h"
#include "test-crypto-vectors.h"

static struct crypto_suite suite_or_die(uint16_t encr, uint16_t bits, uint16_t integ,
                                        unsigned flags)
{
        struct crypto_suite s;
        const char *why = NULL;
        int r = crypto_suite_lookup(encr, bits, integ, flags, &s, &why);

        if (r < 0)
                g_error("suite %u/%u/%u: %s (%d)", encr, bits, integ, why, r);
        return s;
}

static void assert_bytes_eq(const uint8_t *got, size_t got_len, GBytes *want, const char *what,
                            const char *where)
{
        gsize n;
        const uint8_t *w = g_bytes_get_data(want, &n);

        if (got_len != n || (n > 0 && memcmp(got, w, n) != 0)) {
                g_autofree char *gh = g_malloc(got_len * 2 + 1);
                g_autofree char *wh = g_malloc(n * 2 + 1);

                for (size_t i = 0; i < got_len; i++)
                        g_snprintf(gh + 2 * i, 3, "%02x", got[i]);
                gh[got_len * 2] = '\0';
                for (size_t i = 0; i < n; i++)
                        g_snprintf(wh + 2 * i, 3, "%02x", w[i]);
                wh[n * 2] = '\0';
                g_error("%s: %s differs\n  got  %s\n  want %s", where, what, gh, wh);
        }
}

static bool all_zero(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

/* memcpy that accepts the NULL pointer of an empty GBytes. */
static void copy(void *dst, const void *src, size_t n)
{
        if (n > 0)
                memcpy(dst, src, n);
}

static struct slice gslice(GBytes *b)
{
        gsize n;
        const void *p = g_bytes_get_data(b, &n);

        return SLICE(p, n);
}

/* ------------------------------------------------------------------ lookup */

static void test_lookup(void)
{
        struct crypto_suite s;
        const char *why;
        char name[64];

        s = suite_or_die(IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE, 0);
        g_assert_true(crypto_suite_is_aead(&s));
        g_assert_cmpuint(crypto_suite_encr_key_len(&s), ==, 20);
        g_assert_cmpuint(crypto_suite_integ_key_len(&s), ==, 0);
        g_assert_cmpuint(crypto_suite_iv_len(&s), ==, 8);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 16);
        g_assert_cmpuint(crypto_suite_block_size(&s), ==, 1);
        g_assert_cmpstr(crypto_suite_name(&s, name), ==, "AES_GCM_16_128");

        s = suite_or_die(IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE, 0);
        g_assert_cmpuint(crypto_suite_encr_key_len(&s), ==, 36);

        s = suite_or_die(IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE, 0);
        g_assert_cmpuint(crypto_suite_encr_key_len(&s), ==, 36);
        g_assert_cmpuint(crypto_suite_iv_len(&s), ==, 8);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 16);

        s = suite_or_die(IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_384_192, 0);
        g_assert_false(crypto_suite_is_aead(&s));
        g_assert_cmpuint(crypto_suite_encr_key_len(&s), ==, 32);
        g_assert_cmpuint(crypto_suite_integ_key_len(&s), ==, 48);
        g_assert_cmpuint(crypto_suite_iv_len(&s), ==, 16);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 24);
        g_assert_cmpuint(crypto_suite_block_size(&s), ==, 16);
        g_assert_cmpstr(crypto_suite_name(&s, name), ==, "AES_CBC_256/HMAC_SHA2_384_192");

        s = suite_or_die(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA1_96, 0);
        g_assert_cmpuint(crypto_suite_integ_key_len(&s), ==, 20);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 12);
        s = suite_or_die(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_512_256, 0);
        g_assert_cmpuint(crypto_suite_integ_key_len(&s), ==, 64);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 32);

        /* Short ICVs are known but refused unless asked for. */
        why = NULL;
        g_assert_cmpint(
                crypto_suite_lookup(IKEV2_ENCR_AES_GCM_8, 128, IKEV2_INTEG_NONE, 0, &s, &why), ==,
                -EPERM);
        g_assert_nonnull(why);
        g_assert_nonnull(strstr(why, "refused"));
        g_assert_cmpint(
                crypto_suite_lookup(IKEV2_ENCR_AES_GCM_12, 256, IKEV2_INTEG_NONE, 0, &s, NULL), ==,
                -EPERM);
        s = suite_or_die(IKEV2_ENCR_AES_GCM_8, 128, IKEV2_INTEG_NONE, CRYPTO_SUITE_ALLOW_SHORT_ICV);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 8);
        s = suite_or_die(IKEV2_ENCR_AES_GCM_12, 256, IKEV2_INTEG_NONE,
                         CRYPTO_SUITE_ALLOW_SHORT_ICV);
        g_assert_cmpuint(crypto_suite_icv_len(&s), ==, 12);

        /* Malformed combinations. */
        g_assert_cmpint(crypto_suite_lookup(IKEV2_ENCR_CHACHA20_POLY1305, 256, IKEV2_INTEG_NONE, 0,
                                            &s, &why),
                        ==, -EINVAL);
        g_assert_nonnull(strstr(why, "RFC 7634"));
        g_assert_cmpint(crypto_suite_lookup(IKEV2_ENCR_AES_GCM_16, 128,
                                            IKEV2_INTEG_HMAC_SHA2_256_128, 0, &s, NULL),
                        ==, -EINVAL);
        g_assert_cmpint(crypto_suite_lookup(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_NONE, 0, &s, NULL),
                        ==, -EINVAL);
        g_assert_cmpint(
                crypto_suite_lookup(IKEV2_ENCR_AES_CBC, 64, IKEV2_INTEG_HMAC_SHA1_96, 0, &s, NULL),
                ==, -EINVAL);
        g_assert_cmpint(
                crypto_suite_lookup(IKEV2_ENCR_AES_GCM_16, 0, IKEV2_INTEG_NONE, 0, &s, NULL), ==,
                -EINVAL);
        g_assert_cmpint(
                crypto_suite_lookup(IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96, 0, &s, &why), ==,
                -ENOENT);
        g_assert_cmpint(
                crypto_suite_lookup(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_MD5_96, 0, &s, NULL),
                ==, -ENOENT);
}

static void test_new_bad_keys(void)
{
        struct crypto_suite s =
                suite_or_die(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 0);
        struct crypto_suite g = suite_or_die(IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE, 0);
        uint8_t key[64] = {0};
        struct crypto_aead *a = NULL;

        g_assert_cmpint(crypto_aead_new(&s, SLICE(key, 16), SLICE(key, 31), &a), ==, -EINVAL);
        g_assert_cmpint(crypto_aead_new(&s, SLICE(key, 15), SLICE(key, 32), &a), ==, -EINVAL);
        g_assert_cmpint(crypto_aead_new(&g, SLICE(key, 16), SLICE(NULL, 0), &a), ==, -EINVAL);
        g_assert_cmpint(crypto_aead_new(&g, SLICE(key, 20), SLICE(key, 1), &a), ==, -EINVAL);
        g_assert_null(a);
        g_assert_cmpint(crypto_aead_new(&g, SLICE(key, 20), SLICE(NULL, 0), &a), ==, 0);
        crypto_aead_free(a);
        crypto_aead_free(NULL);
}

/* ------------------------------------------------------------------ AEAD KATs */

static void check_aead_case(const struct tv_case *c)
{
        const char *where = tv_where(c);
        unsigned flags = tv_has(c, "allow_short_icv") ? CRYPTO_SUITE_ALLOW_SHORT_ICV : 0;
        struct crypto_suite s = suite_or_die((uint16_t)tv_uint(c, "encr"),
                                             (uint16_t)tv_uint(c, "bits"), IKEV2_INTEG_NONE, flags);
        g_autoptr(GBytes) key = tv_bytes(c, "key");
        g_autoptr(GBytes) iv = tv_bytes(c, "iv");
        g_autoptr(GBytes) aad = tv_bytes(c, "aad");
        g_autoptr(GBytes) pt = tv_bytes(c, "plaintext");
        g_autoptr(GBytes) ct = tv_bytes(c, "ciphertext");
        g_autoptr(GBytes) icv = tv_bytes(c, "icv");
        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
        size_t len = g_bytes_get_size(pt);
        size_t icv_len = crypto_suite_icv_len(&s);
        g_autofree uint8_t *buf = g_malloc0(len + icv_len + 1);
        g_autofree uint8_t *aadbuf = g_malloc0(g_bytes_get_size(aad) + 1);
        struct slice aads = SLICE(aadbuf, g_bytes_get_size(aad));
        const uint8_t *ivp = gslice(iv).ptr;

        copy(aadbuf, gslice(aad).ptr, aads.len);
        g_assert_cmpuint(g_bytes_get_size(iv), ==, crypto_suite_iv_len(&s));
        g_assert_cmpint(crypto_aead_new(&s, gslice(key), SLICE(NULL, 0), &a), ==, 0);

        /* Seal in place, ICV right behind the data. */
        copy(buf, gslice(pt).ptr, len);
        g_assert_cmpint(crypto_aead_seal(a, aads, ivp, buf, len, buf + len), ==, 0);
        assert_bytes_eq(buf, len, ct, "ciphertext", where);
        assert_bytes_eq(buf + len, icv_len, icv, "icv", where);

        /* Open it back; a second run proves the IV-only re-initialisation. */
        for (int round = 0; round < 2; round++) {
                copy(buf, gslice(ct).ptr, len);
                g_assert_cmpint(crypto_aead_open(a, aads, ivp, buf, len, gslice(icv).ptr), ==, 0);
                assert_bytes_eq(buf, len, pt, "plaintext", where);
        }

        /* A flipped ICV bit, ciphertext bit or AAD bit is refused and no
         * plaintext is left behind. */
        for (size_t i = 0; i < icv_len; i += 5) {
                uint8_t bad[CRYPTO_MAX_ICV_LEN];

                memcpy(bad, gslice(icv).ptr, icv_len);
                bad[i] ^= 0x01;
                copy(buf, gslice(ct).ptr, len);
                g_assert_cmpint(crypto_aead_open(a, aads, ivp, buf, len, bad), ==, -EBADMSG);
                g_assert_true(all_zero(buf, len));
        }
        if (len > 0) {
                copy(buf, gslice(ct).ptr, len);
                buf[len / 2] ^= 0x80;
                g_assert_cmpint(crypto_aead_open(a, aads, ivp, buf, len, gslice(icv).ptr), ==,
                                -EBADMSG);
                g_assert_true(all_zero(buf, len));
                /* Truncated ciphertext. */
                copy(buf, gslice(ct).ptr, len);
                g_assert_cmpint(crypto_aead_open(a, aads, ivp, buf, len - 1, gslice(icv).ptr), ==,
                                -EBADMSG);
        }
        if (aads.len > 0) {
                aadbuf[0] ^= 0x01;
                copy(buf, gslice(ct).ptr, len);
                g_assert_cmpint(crypto_aead_open(a, aads, ivp, buf, len, gslice(icv).ptr), ==,
                                -EBADMSG);
                aadbuf[0] ^= 0x01;
        } else {
                /* AAD that should not be there. */
                uint8_t extra = 0;

                copy(buf, gslice(ct).ptr, len);
                g_assert_cmpint(
                        crypto_aead_open(a, SLICE(&extra, 1), ivp, buf, len, gslice(icv).ptr), ==,
                        -EBADMSG);
        }
        /* The wrong IV. */
        {
                uint8_t iv2[8];

                memcpy(iv2, ivp, 8);
                iv2[7] ^= 1;
                copy(buf, gslice(ct).ptr, len);
                g_assert_cmpint(crypto_aead_open(a, aads, iv2, buf, len, gslice(icv).ptr), ==,
                                -EBADMSG);
        }
}

static void test_aead_file(gconstpointer data)
{
        g_autoptr(GPtrArray) cases = tv_load(data);

        for (guint i = 0; i < cases->len; i++)
                check_aead_case(cases->pdata[i]);
        g_test_message("%u cases from %s", cases->len, (const char *)data);
}

/* ------------------------------------------------------------------ CBC + HMAC */

static void hmac_trunc(const char *digest, struct slice key, const struct slice *parts, size_t n,
                       uint8_t *out, size_t out_len)
{
        /* An independent computation with OpenSSL's one-shot MAC. */
        g_autoptr(GByteArray) msg = g_byte_array_new();
        uint8_t full[EVP_MAX_MD_SIZE];
        size_t full_len = 0;

        for (size_t i = 0; i < n; i++)
                g_byte_array_append(msg, parts[i].ptr, (guint)parts[i].len);
        g_assert_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL, key.ptr, key.len, msg->data,
                                   msg->len, full, sizeof(full), &full_len));
        g_assert_cmpuint(full_len, >=, out_len);
        memcpy(out, full, out_len);
}

static void test_cbc_file(void)
{
        g_autoptr(GPtrArray) cases = tv_load("aes-cbc.txt");
        static const uint16_t integ_ids[] = {
                IKEV2_INTEG_HMAC_SHA2_256_128, IKEV2_INTEG_HMAC_SHA2_384_192,
                IKEV2_INTEG_HMAC_SHA2_512_256, IKEV2_INTEG_HMAC_SHA1_96};

        for (guint i = 0; i < cases->len; i++) {
                const struct tv_case *c = cases->pdata[i];
                const char *where = tv_where(c);
                g_autoptr(GBytes) key = tv_bytes(c, "key");
                g_autoptr(GBytes) iv = tv_bytes(c, "iv");
                g_autoptr(GBytes) pt = tv_bytes(c, "plaintext");
                g_autoptr(GBytes) ct = tv_bytes(c, "ciphertext");
                size_t len = g_bytes_get_size(pt);

                for (size_t k = 0; k < G_N_ELEMENTS(integ_ids); k++) {
                        struct crypto_suite s = suite_or_die(
                                IKEV2_ENCR_AES_CBC, (uint16_t)tv_uint(c, "bits"), integ_ids[k], 0);
                        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
                        uint8_t ikey[CRYPTO_MAX_INTEG_KEY_LEN];
                        uint8_t want_icv[CRYPTO_MAX_ICV_LEN];
                        uint8_t icv[CRYPTO_MAX_ICV_LEN];
                        static const uint8_t aad[] = {0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1};
                        size_t icv_len = crypto_suite_icv_len(&s);
                        size_t ikey_len = crypto_suite_integ_key_len(&s);
                        g_autofree uint8_t *buf = g_malloc(len);

                        for (size_t j = 0; j < ikey_len; j++)
                                ikey[j] = (uint8_t)(0x40 + j);
                        g_assert_cmpint(crypto_aead_new(&s, gslice(key), SLICE(ikey, ikey_len), &a),
                                        ==, 0);
                        copy(buf, gslice(pt).ptr, len);
                        g_assert_cmpint(crypto_aead_seal(a, SLICE(aad, sizeof(aad)), gslice(iv).ptr,
                                                         buf, len, icv),
                                        ==, 0);
                        assert_bytes_eq(buf, len, ct, "ciphertext", where);

                        /* ICV = HMAC(aad || IV || ciphertext), truncated. */
                        hmac_trunc(
                                s.integ->digest, SLICE(ikey, ikey_len),
                                (struct slice[]){SLICE(aad, sizeof(aad)), gslice(iv), gslice(ct)},
                                3, want_icv, icv_len);
                        g_assert_cmpmem(icv, icv_len, want_icv, icv_len);

                        g_assert_cmpint(crypto_aead_open(a, SLICE(aad, sizeof(aad)), gslice(iv).ptr,
                                                         buf, len, icv),
                                        ==, 0);
                        assert_bytes_eq(buf, len, pt, "plaintext", where);

                        /* Verify-then-decrypt: a bad ICV leaves the ciphertext
                         * untouched, it is never decrypted. */
                        copy(buf, gslice(ct).ptr, len);
                        icv[icv_len - 1] ^= 0x40;
                        g_assert_cmpint(crypto_aead_open(a, SLICE(aad, sizeof(aad)), gslice(iv).ptr,
                                                         buf, len, icv),
                                        ==, -EBADMSG);
                        assert_bytes_eq(buf, len, ct, "untouched ciphertext", where);
                        icv[icv_len - 1] ^= 0x40;
                        /* A flipped ciphertext bit. */
                        buf[0] ^= 1;
                        g_assert_cmpint(crypto_aead_open(a, SLICE(aad, sizeof(aad)), gslice(iv).ptr,
                                                         buf, len, icv),
                                        ==, -EBADMSG);
                        buf[0] ^= 1;
                        /* A truncated ciphertext (one block less). */
                        if (len > 16)
                                g_assert_cmpint(crypto_aead_open(a, SLICE(aad, sizeof(aad)),
                                                                 gslice(iv).ptr, buf, len - 16,
                                                                 icv),
                                                ==, -EBADMSG);
                        /* Not a whole number of blocks. */
                        g_assert_cmpint(crypto_aead_seal(a, SLICE(aad, sizeof(aad)), gslice(iv).ptr,
                                                         buf, len - 1, icv),
                                        ==, -EINVAL);
                        g_assert_cmpint(crypto_aead_open(a, SLICE(aad, sizeof(aad)), gslice(iv).ptr,
                                                         buf, len - 1, icv),
                                        ==, -EINVAL);
                }
        }
}

/* The integrity transforms alone: with no data the ICV is HMAC(aad || IV),
 * so a vector's message is split into aad and a 16-octet "IV". */
static void test_integ_file(void)
{
        g_autoptr(GPtrArray) cases = tv_load("hmac-integ.txt");

        for (guint i = 0; i < cases->len; i++) {
                const struct tv_case *c = cases->pdata[i];
                const char *where = tv_where(c);
                struct crypto_suite s =
                        suite_or_die(IKEV2_ENCR_AES_CBC, 128, (uint16_t)tv_uint(c, "integ"), 0);
                g_autoptr(GBytes) key = tv_bytes(c, "key");
                g_autoptr(GBytes) data = tv_bytes(c, "data");
                g_autoptr(GBytes) want = tv_bytes(c, "icv");
                _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
                static const uint8_t ekey[16];
                struct slice d = gslice(data);
                uint8_t icv[CRYPTO_MAX_ICV_LEN];
                size_t icv_len = crypto_suite_icv_len(&s);

                g_assert_cmpuint(d.len, >=, 16);
                g_assert_cmpint(crypto_aead_new(&s, SLICE(ekey, 16), gslice(key), &a), ==, 0);
                g_assert_cmpint(crypto_aead_seal(a, SLICE(d.ptr, d.len - 16), d.ptr + d.len - 16,
                                                 NULL, 0, icv),
                                ==, 0);
                assert_bytes_eq(icv, icv_len, want, "icv", where);
                g_assert_cmpint(crypto_aead_open(a, SLICE(d.ptr, d.len - 16), d.ptr + d.len - 16,
                                                 NULL, 0, icv),
                                ==, 0);
                icv[0] ^= 1;
                g_assert_cmpint(crypto_aead_open(a, SLICE(d.ptr, d.len - 16), d.ptr + d.len - 16,
                                                 NULL, 0, icv),
                                ==, -EBADMSG);
        }
}

/* ------------------------------------------------------------------ every suite */

static void for_each_suite(void (*fn)(const struct crypto_suite *s, void *ud), void *ud)
{
        size_t ne, ni;
        const struct crypto_encr *e = crypto_encr_table(&ne);
        const struct crypto_integ *in = crypto_integ_table(&ni);

        for (size_t i = 0; i < ne; i++) {
                for (size_t j = 0; j <= ni; j++) {
                        uint16_t integ = j == ni ? IKEV2_INTEG_NONE : in[j].ikev2_id;
                        struct crypto_suite s;

                        if (crypto_suite_lookup(e[i].ikev2_id, e[i].key_bits, integ,
                                                CRYPTO_SUITE_ALLOW_SHORT_ICV, &s, NULL) == 0)
                                fn(&s, ud);
                }
        }
}

static void roundtrip_one(const struct crypto_suite *s, void *ud)
{
        struct tsu_rng_stream st;
        struct tsu_rng rng = tsu_rng_stream_init(&st, crypto_suite_name(s, (char[64]){0}), 10);
        uint8_t ekey[CRYPTO_MAX_ENCR_KEY_LEN], ikey[CRYPTO_MAX_INTEG_KEY_LEN];
        uint8_t iv[CRYPTO_MAX_IV_LEN], aad[40];
        uint8_t orig[1024], buf[1024 + CRYPTO_MAX_ICV_LEN];
        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
        size_t ekl = crypto_suite_encr_key_len(s), ikl = crypto_suite_integ_key_len(s);
        size_t bs = crypto_suite_block_size(s), icvl = crypto_suite_icv_len(s);
        unsigned *count = ud;

        g_assert_cmpint(tsu_rng_fill(&rng, ekey, ekl), ==, 0);
        g_assert_cmpint(tsu_rng_fill(&rng, ikey, ikl), ==, 0);
        g_assert_cmpint(crypto_aead_new(s, SLICE(ekey, ekl), SLICE(ikey, ikl), &a), ==, 0);
        g_assert_true(crypto_aead_suite(a)->encr == s->encr);
        for (size_t len = 0; len <= sizeof(orig); len += bs * 37) {
                g_assert_cmpint(tsu_rng_fill(&rng, iv, sizeof(iv)), ==, 0);
                g_assert_cmpint(tsu_rng_fill(&rng, aad, sizeof(aad)), ==, 0);
                g_assert_cmpint(tsu_rng_fill(&rng, orig, len), ==, 0);
                memcpy(buf, orig, len);
                g_assert_cmpint(crypto_aead_seal(a, SLICE(aad, len % 41), iv, buf, len, buf + len),
                                ==, 0);
                if (len >= 16)
                        g_assert_true(memcmp(buf, orig, len) != 0);
                g_assert_cmpint(crypto_aead_open(a, SLICE(aad, len % 41), iv, buf, len, buf + len),
                                ==, 0);
                g_assert_cmpmem(buf, len, orig, len);
                buf[len + icvl - 1] ^= 0x10;
                g_assert_cmpint(crypto_aead_open(a, SLICE(aad, len % 41), iv, buf, len, buf + len),
                                ==, -EBADMSG);
        }
        (*count)++;
}

static void test_roundtrip_all(void)
{
        unsigned count = 0;

        for_each_suite(roundtrip_one, &count);
        /* 8 AEAD (AES-GCM-16/12/8 key sizes, ChaCha20-Poly1305) + 3 AES-CBC key sizes x 4 HMACs */
        g_assert_cmpuint(count, ==, 8 + 3 * 4);
}

/* ------------------------------------------------------------------ ESP / ESN */

static void esn_one(const struct crypto_suite *s, void *ud)
{
        static const uint8_t hdr[8] = {0x01, 0x02, 0x03, 0x04, 0x80, 0x00, 0x00, 0x05};
        const uint32_t seq_hi = 0x0a0b0c0d;
        uint8_t ekey[CRYPTO_MAX_ENCR_KEY_LEN], ikey[CRYPTO_MAX_INTEG_KEY_LEN], iv[16];
        uint8_t pt[64], a1[64], a2[64], icv1[CRYPTO_MAX_ICV_LEN], icv2[CRYPTO_MAX_ICV_LEN];
        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
        size_t ekl = crypto_suite_encr_key_len(s), ikl = crypto_suite_integ_key_len(s);
        size_t icvl = crypto_suite_icv_len(s);

        for (size_t i = 0; i < sizeof(ekey); i++)
                ekey[i] = (uint8_t)(i * 7);
        for (size_t i = 0; i < sizeof(ikey); i++)
                ikey[i] = (uint8_t)(i * 13);
        for (size_t i = 0; i < sizeof(iv); i++)
                iv[i] = (uint8_t)(0xa0 + i);
        for (size_t i = 0; i < sizeof(pt); i++)
                pt[i] = (uint8_t)i;
        g_assert_cmpint(crypto_aead_new(s, SLICE(ekey, ekl), SLICE(ikey, ikl), &a), ==, 0);

        /* Without ESN: exactly seal with aad = SPI || seq. */
        memcpy(a1, pt, 64);
        memcpy(a2, pt, 64);
        g_assert_cmpint(crypto_aead_seal_esp(a, hdr, false, seq_hi, iv, a1, 64, icv1), ==, 0);
        g_assert_cmpint(crypto_aead_seal(a, SLICE(hdr, 8), iv, a2, 64, icv2), ==, 0);
        g_assert_cmpmem(a1, 64, a2, 64);
        g_assert_cmpmem(icv1, icvl, icv2, icvl);

        /* With ESN. */
        memcpy(a1, pt, 64);
        g_assert_cmpint(crypto_aead_seal_esp(a, hdr, true, seq_hi, iv, a1, 64, icv1), ==, 0);
        if (crypto_suite_is_aead(s)) {
                /* RFC 4106 5: AAD = SPI || seq_hi || seq_lo */
                static const uint8_t aad12[12] = {0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b,
                                                  0x0c, 0x0d, 0x80, 0x00, 0x00, 0x05};

                memcpy(a2, pt, 64);
                g_assert_cmpint(crypto_aead_seal(a, SLICE(aad12, 12), iv, a2, 64, icv2), ==, 0);
                g_assert_cmpmem(a1, 64, a2, 64);
                g_assert_cmpmem(icv1, icvl, icv2, icvl);
        } else {
                /* RFC 4303 2.2.1: ICV over SPI || seq_lo || IV || ct || seq_hi */
                static const uint8_t hi[4] = {0x0a, 0x0b, 0x0c, 0x0d};

                hmac_trunc(
                        s->integ->digest, SLICE(ikey, ikl),
                        (struct slice[]){SLICE(hdr, 8), SLICE(iv, 16), SLICE(a1, 64), SLICE(hi, 4)},
                        4, icv2, icvl);
                g_assert_cmpmem(icv1, icvl, icv2, icvl);
        }
        /* The receiver must know the same seq_hi. */
        memcpy(a2, a1, 64);
        g_assert_cmpint(crypto_aead_open_esp(a, hdr, true, seq_hi + 1, iv, a2, 64, icv1), ==,
                        -EBADMSG);
        g_assert_cmpint(crypto_aead_open_esp(a, hdr, false, 0, iv, a2, 64, icv1), ==, -EBADMSG);
        memcpy(a2, a1, 64);
        g_assert_cmpint(crypto_aead_open_esp(a, hdr, true, seq_hi, iv, a2, 64, icv1), ==, 0);
        g_assert_cmpmem(a2, 64, pt, 64);
        (*(unsigned *)ud)++;
}

static void test_esn(void)
{
        unsigned count = 0;

        for_each_suite(esn_one, &count);
        g_assert_cmpuint(count, ==, 8 + 3 * 4);
}

/* ------------------------------------------------------------------ throughput */

#define PERF_LEN    1400
#define PERF_ITERS  100000
#define PERF_ROUNDS 3

static double mbs(size_t len, double seconds)
{
        return (double)PERF_ITERS * (double)len / seconds / 1e6;
}

/* What `openssl speed -evp <aead>` does per buffer, without our API around it. */
static double bare_evp_aead(const char *cipher_name, const uint8_t *key, uint8_t *buf, size_t len)
{
        EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, cipher_name, NULL);
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        uint8_t iv[12] = {0}, tag[16];
        int outl;
        gint64 t0;

        g_assert_true(EVP_EncryptInit_ex2(c, cipher, key, iv, NULL) == 1);
        t0 = g_get_monotonic_time();
        for (unsigned i = 0; i < PERF_ITERS; i++) {
                iv[11] = (uint8_t)i;
                EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
                EVP_EncryptUpdate(c, NULL, &outl, buf, 8);
                EVP_EncryptUpdate(c, buf + 8, &outl, buf + 8, (int)len);
                EVP_EncryptFinal_ex(c, tag, &outl);
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag);
        }
        EVP_CIPHER_CTX_free(c);
        EVP_CIPHER_free(cipher);
        return mbs(len, (double)(g_get_monotonic_time() - t0) / 1e6);
}

static void perf_suite(uint16_t encr, uint16_t bits, uint16_t integ)
{
        struct crypto_suite s = suite_or_die(encr, bits, integ, 0);
        uint8_t key[CRYPTO_MAX_ENCR_KEY_LEN] = {1}, ikey[CRYPTO_MAX_INTEG_KEY_LEN] = {2};
        uint8_t buf[8 + PERF_LEN + CRYPTO_MAX_ICV_LEN] = {0}, iv[16] = {0};
        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
        size_t len = PERF_LEN - PERF_LEN % crypto_suite_block_size(&s);
        double best_seal = 0, best_open = 0, best_bare = 0;
        char name[64];

        g_assert_cmpint(crypto_aead_new(&s, SLICE(key, crypto_suite_encr_key_len(&s)),
                                        SLICE(ikey, crypto_suite_integ_key_len(&s)), &a),
                        ==, 0);
        for (int round = 0; round < PERF_ROUNDS; round++) {
                gint64 t0;

                if (crypto_suite_is_aead(&s))
                        best_bare = MAX(best_bare, bare_evp_aead(s.encr->evp_name, key, buf, len));

                t0 = g_get_monotonic_time();
                for (unsigned i = 0; i < PERF_ITERS; i++) {
                        iv[7] = (uint8_t)i;
                        crypto_aead_seal(a, SLICE(buf, 8), iv, buf + 8, len, buf + 8 + len);
                }
                best_seal = MAX(best_seal, mbs(len, (double)(g_get_monotonic_time() - t0) / 1e6));

                /* Open the same sealed buffer over and over: a failed check
                 * wipes the buffer, so keep a copy to restore from. */
                {
                        uint8_t sealed[sizeof(buf)];

                        iv[7] = 0;
                        crypto_aead_seal(a, SLICE(buf, 8), iv, buf + 8, len, buf + 8 + len);
                        memcpy(sealed, buf, sizeof(buf));
                        t0 = g_get_monotonic_time();
                        for (unsigned i = 0; i < PERF_ITERS; i++) {
                                memcpy(buf + 8, sealed + 8, len);
                                g_assert_cmpint(crypto_aead_open(a, SLICE(buf, 8), iv, buf + 8, len,
                                                                 sealed + 8 + len),
                                                ==, 0);
                        }
                        best_open = MAX(best_open,
                                        mbs(len, (double)(g_get_monotonic_time() - t0) / 1e6));
                }
        }
        crypto_suite_name(&s, name);
        g_test_minimized_result(best_seal, "%s seal %zu-byte buffers: %.0f MB/s", name, len,
                                best_seal);
        if (best_bare > 0)
                g_printerr("# %-30s %zu B: seal %6.0f MB/s, open %6.0f MB/s; bare EVP %6.0f MB/s; "
                           "seal/bare = %.2f\n",
                           name, len, best_seal, best_open, best_bare, best_seal / best_bare);
        else
                g_printerr("# %-30s %zu B: seal %6.0f MB/s, open %6.0f MB/s\n", name, len,
                           best_seal, best_open);
}

static void test_perf(void)
{
        if (!g_test_perf()) {
                g_test_skip("throughput is measured with -m perf");
                return;
        }
        perf_suite(IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE);
        perf_suite(IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE);
        perf_suite(IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE);
        perf_suite(IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128);
        perf_suite(IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA1_96);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/crypto/aead/lookup", test_lookup);
        g_test_add_func("/crypto/aead/new-bad-keys", test_new_bad_keys);
        g_test_add_data_func("/crypto/aead/kat/aes-gcm", "aes-gcm.txt", test_aead_file);
        g_test_add_data_func("/crypto/aead/kat/chacha20-poly1305", "chacha20-poly1305.txt",
                             test_aead_file);
        g_test_add_func("/crypto/aead/kat/aes-cbc-hmac", test_cbc_file);
        g_test_add_func("/crypto/aead/kat/hmac-integ", test_integ_file);
        g_test_add_func("/crypto/aead/roundtrip-all-suites", test_roundtrip_all);
        g_test_add_func("/crypto/aead/esp-esn", test_esn);
        g_test_add_func("/crypto/aead/perf", test_perf);
        return g_test_run();
}
