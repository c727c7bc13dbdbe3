/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for client/crypto/prf: known answers, prf+ against an
 * independent computation, limits. */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>

#include "client/common/bytes.h"
#include "client/crypto/prf.h"
#include "client/ike/ikev2.h"
#include "test-crypto-vectors.h"

static struct slice gslice(GBytes *b)
{
        gsize n;
        const void *p = g_bytes_get_data(b, &n);

        return SLICE(p, n);
}

static void test_kat(void)
{
        g_autoptr(GPtrArray) cases = tv_load("prf.txt");

        for (guint i = 0; i < cases->len; i++) {
                const struct tv_case *c = cases->pdata[i];
                const struct crypto_prf_alg *alg = crypto_prf_lookup((uint16_t)tv_uint(c, "prf"));
                g_autoptr(GBytes) key = tv_bytes(c, "key");
                g_autoptr(GBytes) data = tv_bytes(c, "data");
                g_autoptr(GBytes) want = tv_bytes(c, "out");
                _cleanup_(crypto_prf_freep) struct crypto_prf *p = NULL;
                struct slice d = gslice(data);
                uint8_t out[CRYPTO_MAX_PRF_LEN];

                if (!d.ptr)
                        d.ptr = (const uint8_t *)""; /* an empty message */
                g_assert_nonnull(alg);
                g_assert_cmpuint(g_bytes_get_size(want), ==, alg->out_len);
                g_assert_cmpint(crypto_prf_oneshot(alg, gslice(key), &d, 1, out), ==, 0);
                if (memcmp(out, gslice(want).ptr, alg->out_len) != 0)
                        g_error("%s: output differs", tv_where(c));

                /* The same through a keyed context, twice (keyed state reused),
                 * and with the message cut into pieces. */
                g_assert_cmpint(crypto_prf_new(alg, gslice(key), &p), ==, 0);
                g_assert_true(crypto_prf_alg(p) == alg);
                for (int round = 0; round < 2; round++) {
                        struct slice parts[3] = {SLICE(d.ptr, d.len / 3),
                                                 SLICE(d.ptr + d.len / 3, 0),
                                                 SLICE(d.ptr + d.len / 3, d.len - d.len / 3)};

                        memset(out, 0, sizeof(out));
                        g_assert_cmpint(crypto_prf_compute(p, parts, 3, out), ==, 0);
                        g_assert_cmpmem(out, alg->out_len, gslice(want).ptr, alg->out_len);
                }
        }
}

static void test_lookup(void)
{
        size_t n;
        const struct crypto_prf_alg *t = crypto_prf_table(&n);

        g_assert_cmpuint(n, ==, 5);
        for (size_t i = 0; i < n; i++)
                g_assert_true(crypto_prf_lookup(t[i].ikev2_id) == &t[i]);
        g_assert_null(crypto_prf_lookup(IKEV2_PRF_HMAC_MD5));
        g_assert_null(crypto_prf_lookup(IKEV2_PRF_AES128_XCBC));
        g_assert_null(crypto_prf_lookup(IKEV2_PRF_HMAC_TIGER));
        g_assert_null(crypto_prf_lookup(0));
        g_assert_cmpuint(crypto_prf_lookup(IKEV2_PRF_HMAC_SHA2_384)->out_len, ==, 48);
        g_assert_cmpuint(crypto_prf_lookup(IKEV2_PRF_HMAC_SHA2_384)->key_len, ==, 48);
        g_assert_true(crypto_prf_lookup(IKEV2_PRF_AES128_CMAC)->fixed_key);
        g_assert_false(crypto_prf_lookup(IKEV2_PRF_HMAC_SHA1)->fixed_key);
}

/* An empty HMAC key is legal (RFC 2104 pads it with zeros). */
static void test_empty_key(void)
{
        static const uint8_t want[32] = {0xb6, 0x13, 0x67, 0x9a, 0x08, 0x14, 0xd9, 0xec,
                                         0x77, 0x2f, 0x95, 0xd7, 0x78, 0xc3, 0x5f, 0xc5,
                                         0xff, 0x16, 0x97, 0xc4, 0x93, 0x71, 0x56, 0x53,
                                         0xc6, 0xc7, 0x12, 0x14, 0x42, 0x92, 0xc5, 0xad};
        uint8_t out[32];

        g_assert_cmpint(crypto_prf_oneshot(crypto_prf_lookup(IKEV2_PRF_HMAC_SHA2_256),
                                           SLICE(NULL, 0), NULL, 0, out),
                        ==, 0);
        g_assert_cmpmem(out, 32, want, 32);
}

/* prf+ written out from RFC 7296 2.13 with OpenSSL's one-shot MAC, for an
 * independent check of the iteration (and for CMAC, of the key condensing). */
static void prf_plus_reference(const struct crypto_prf_alg *alg, struct slice key,
                               struct slice seed, uint8_t *out, size_t out_len)
{
        g_autoptr(GByteArray) t = g_byte_array_new();
        g_autoptr(GByteArray) acc = g_byte_array_new();
        uint8_t k[16];
        struct slice kk = key;

        if (alg->fixed_key && key.len != 16) {
                static const uint8_t zero[16];
                size_t l;

                g_assert_nonnull(EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, zero, 16,
                                           key.ptr, key.len, k, 16, &l));
                kk = SLICE(k, 16);
        }
        for (unsigned i = 1; acc->len < out_len; i++) {
                g_autoptr(GByteArray) msg = g_byte_array_new();
                uint8_t counter = (uint8_t)i, block[CRYPTO_MAX_PRF_LEN];
                size_t l = 0;

                g_byte_array_append(msg, t->data, t->len);
                g_byte_array_append(msg, seed.ptr, (guint)seed.len);
                g_byte_array_append(msg, &counter, 1);
                /* EVP_Q_mac's subalg is the digest for HMAC, the cipher for CMAC. */
                g_assert_nonnull(EVP_Q_mac(NULL, alg->mac, NULL, alg->primitive, NULL,
                                           kk.ptr ? kk.ptr : (const uint8_t *)"", kk.len, msg->data,
                                           msg->len, block, sizeof(block), &l));
                g_assert_cmpuint(l, ==, alg->out_len);
                g_byte_array_set_size(t, 0);
                g_byte_array_append(t, block, (guint)l);
                g_byte_array_append(acc, block, (guint)l);
        }
        memcpy(out, acc->data, out_len);
}

static void test_prf_plus(void)
{
        size_t n;
        const struct crypto_prf_alg *t = crypto_prf_table(&n);
        uint8_t key[40], seed[100];

        for (size_t i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t)(0x11 * i + 3);
        for (size_t i = 0; i < sizeof(seed); i++)
                seed[i] = (uint8_t)(0x5a ^ i);

        for (size_t a = 0; a < n; a++) {
                const struct crypto_prf_alg *alg = &t[a];
                const size_t lens[] = {1,
                                       alg->out_len - 1,
                                       alg->out_len,
                                       alg->out_len + 1,
                                       3 * alg->out_len + 7,
                                       255 * (size_t)alg->out_len};
                const size_t key_lens[] = {16, 40};

                for (size_t kl = 0; kl < G_N_ELEMENTS(key_lens); kl++) {
                        _cleanup_(crypto_prf_freep) struct crypto_prf *p = NULL;

                        g_assert_cmpint(crypto_prf_new(alg, SLICE(key, key_lens[kl]), &p), ==, 0);
                        for (size_t l = 0; l < G_N_ELEMENTS(lens); l++) {
                                g_autofree uint8_t *got = g_malloc(lens[l]);
                                g_autofree uint8_t *want = g_malloc(lens[l]);
                                /* The seed in three pieces, as the key schedule passes it. */
                                struct slice parts[3] = {SLICE(seed, 32), SLICE(seed + 32, 32),
                                                         SLICE(seed + 64, 36)};

                                g_assert_cmpint(crypto_prf_plus(p, parts, 3, got, lens[l]), ==, 0);
                                prf_plus_reference(alg, SLICE(key, key_lens[kl]),
                                                   SLICE(seed, sizeof(seed)), want, lens[l]);
                                g_assert_cmpmem(got, lens[l], want, lens[l]);
                        }
                        /* RFC 7296 2.13: the counter is one octet. */
                        {
                                g_autofree uint8_t *big = g_malloc(255 * alg->out_len + 1);
                                struct slice s = SLICE(seed, 10);

                                g_assert_cmpint(crypto_prf_plus(p, &s, 1, big,
                                                                255 * (size_t)alg->out_len + 1),
                                                ==, -EMSGSIZE);
                        }
                }
        }
}

static void test_bad_args(void)
{
        struct crypto_prf *p = NULL;

        g_assert_cmpint(crypto_prf_new(NULL, SLICE("k", 1), &p), ==, -EINVAL);
        g_assert_cmpint(crypto_prf_new(crypto_prf_lookup(IKEV2_PRF_HMAC_SHA1), SLICE(NULL, 3), &p),
                        ==, -EINVAL);
        g_assert_null(p);
        crypto_prf_free(NULL);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/crypto/prf/lookup", test_lookup);
        g_test_add_func("/crypto/prf/kat", test_kat);
        g_test_add_func("/crypto/prf/empty-key", test_empty_key);
        g_test_add_func("/crypto/prf/prf-plus", test_prf_plus);
        g_test_add_func("/crypto/prf/bad-args", test_bad_args);
        return g_test_run();
}
