/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/ike/keys: the key schedule against an independent
 * computation written out here from RFC 7296 2.13-2.18 with OpenSSL's
 * one-shot MAC (no code shared with client/crypto/prf), NAT detection
 * hashes and AUTH octets.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>

#include "client/common/bytes.h"
#include "client/crypto/aead.h"
#include "client/crypto/prf.h"
#include "client/crypto/rng.h"
#include "client/ike/ikev2.h"
#include "client/ike/keys.h"

/* ------------------------------------------------------------------ reference */

static GBytes *ref_prf(const struct crypto_prf_alg *alg, GBytes *key, GBytes *msg)
{
        uint8_t out[64], k16[16];
        size_t l = 0, kl = g_bytes_get_size(key);
        const uint8_t *kp = g_bytes_get_data(key, NULL);

        if (alg->fixed_key && kl != 16) {
                static const uint8_t zero[16];

                g_assert_nonnull(EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, zero, 16,
                                           kp ? kp : zero, kl, k16, 16, &l));
                kp = k16;
                kl = 16;
        }
        g_assert_nonnull(EVP_Q_mac(NULL, alg->mac, NULL, alg->primitive, NULL,
                                   kp ? kp : (const uint8_t *)"", kl, g_bytes_get_data(msg, NULL),
                                   g_bytes_get_size(msg), out, sizeof(out), &l));
        return g_bytes_new(out, l);
}

static GBytes *cat(GBytes *a, GBytes *b)
{
        GByteArray *x = g_byte_array_new();

        if (a)
                g_byte_array_append(x, g_bytes_get_data(a, NULL), (guint)g_bytes_get_size(a));
        if (b)
                g_byte_array_append(x, g_bytes_get_data(b, NULL), (guint)g_bytes_get_size(b));
        return g_byte_array_free_to_bytes(x);
}

/* prf+ (RFC 7296 2.13) */
static GBytes *ref_prf_plus(const struct crypto_prf_alg *alg, GBytes *key, GBytes *seed, size_t len)
{
        GByteArray *out = g_byte_array_new();
        g_autoptr(GBytes) t = g_bytes_new(NULL, 0);

        for (uint8_t i = 1; out->len < len; i++) {
                g_autoptr(GBytes) c = g_bytes_new(&i, 1);
                g_autoptr(GBytes) ts = cat(t, seed);
                g_autoptr(GBytes) msg = cat(ts, c);

                g_bytes_unref(t);
                t = ref_prf(alg, key, msg);
                g_byte_array_append(out, g_bytes_get_data(t, NULL), (guint)g_bytes_get_size(t));
        }
        g_byte_array_set_size(out, (guint)len);
        return g_byte_array_free_to_bytes(out);
}

static GBytes *rnd(struct tsu_rng *rng, size_t n)
{
        uint8_t *p = g_malloc(n ? n : 1);

        g_assert_cmpint(tsu_rng_fill(rng, p, n), ==, 0);
        return g_bytes_new_take(p, n);
}

static struct slice sl(GBytes *b)
{
        return SLICE(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

static void assert_key(const struct bytes *got, GBytes *all, size_t *off, size_t len,
                       const char *what)
{
        const uint8_t *p = g_bytes_get_data(all, NULL);

        if (got->len != len)
                g_error("%s: %zu octets, expected %zu", what, got->len, len);
        if (len > 0 && memcmp(got->ptr, p + *off, len) != 0)
                g_error("%s differs", what);
        *off += len;
}

/* ------------------------------------------------------------------ tests */

struct combo {
        uint16_t prf, encr, bits, integ;
};

static const struct combo combos[] = {
        {IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE},
        {IKEV2_PRF_HMAC_SHA2_384, IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_384_192},
        {IKEV2_PRF_HMAC_SHA1, IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA1_96},
        {IKEV2_PRF_HMAC_SHA2_512, IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE},
        {IKEV2_PRF_HMAC_SHA2_256, IKEV2_ENCR_AES_CBC, 192, IKEV2_INTEG_HMAC_SHA2_512_256},
        {IKEV2_PRF_AES128_CMAC, IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE},
};

static void test_ike_sa_keys(void)
{
        struct tsu_rng_stream st;
        struct tsu_rng rng = tsu_rng_stream_init(&st, "keys", 4);

        for (size_t c = 0; c < G_N_ELEMENTS(combos); c++) {
                const struct crypto_prf_alg *prf = crypto_prf_lookup(combos[c].prf);
                struct crypto_suite suite;
                g_autoptr(GBytes) ni = rnd(&rng, 32);
                g_autoptr(GBytes) nr = rnd(&rng, 48);
                g_autoptr(GBytes) spis = rnd(&rng, 16);
                g_autoptr(GBytes) gir = rnd(&rng, 256);
                g_autoptr(GBytes) key = NULL;
                g_autoptr(GBytes) skeyseed = NULL;
                g_autoptr(GBytes) nn = cat(ni, nr);
                g_autoptr(GBytes) seed = cat(nn, spis);
                g_autoptr(GBytes) all = NULL;
                struct ike_keys k = {0};
                struct bytes ss = {0};
                const uint8_t *spi = g_bytes_get_data(spis, NULL);
                size_t lp, la, le, off = 0;

                g_assert_nonnull(prf);
                g_assert_cmpint(crypto_suite_lookup(combos[c].encr, combos[c].bits, combos[c].integ,
                                                    0, &suite, NULL),
                                ==, 0);
                lp = prf->key_len;
                la = crypto_suite_integ_key_len(&suite);
                le = crypto_suite_encr_key_len(&suite);

                /* SKEYSEED = prf(Ni | Nr, g^ir); fixed-key PRFs: first 8 + 8 octets. */
                if (prf->fixed_key) {
                        g_autoptr(GBytes) a = g_bytes_new_from_bytes(ni, 0, 8);
                        g_autoptr(GBytes) b = g_bytes_new_from_bytes(nr, 0, 8);

                        key = cat(a, b);
                } else {
                        key = g_bytes_ref(nn);
                }
                skeyseed = ref_prf(prf, key, gir);
                g_assert_cmpint(ike_skeyseed(prf, sl(ni), sl(nr), sl(gir), &ss), ==, 0);
                g_assert_cmpmem(ss.ptr, ss.len, g_bytes_get_data(skeyseed, NULL),
                                g_bytes_get_size(skeyseed));

                /* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} */
                all = ref_prf_plus(prf, skeyseed, seed, 3 * lp + 2 * la + 2 * le);
                g_assert_cmpint(
                        ike_keys_derive(prf, &suite, sl(ni), sl(nr), spi, spi + 8, sl(gir), &k), ==,
                        0);
                assert_key(&k.sk_d, all, &off, lp, "SK_d");
                assert_key(&k.sk_ai, all, &off, la, "SK_ai");
                assert_key(&k.sk_ar, all, &off, la, "SK_ar");
                assert_key(&k.sk_ei, all, &off, le, "SK_ei");
                assert_key(&k.sk_er, all, &off, le, "SK_er");
                assert_key(&k.sk_pi, all, &off, lp, "SK_pi");
                assert_key(&k.sk_pr, all, &off, lp, "SK_pr");

                /* The two steps give the same as the combined call. */
                {
                        struct ike_keys k2 = {0};

                        g_assert_cmpint(ike_keys_from_skeyseed(prf, &suite, SLICE_OF(ss), sl(ni),
                                                               sl(nr), spi, spi + 8, &k2),
                                        ==, 0);
                        g_assert_cmpmem(k2.sk_pr.ptr, k2.sk_pr.len, k.sk_pr.ptr, k.sk_pr.len);
                        ike_keys_wipe(&k2);
                }

                /* Our SK contexts talk to the peer's. */
                {
                        _cleanup_(crypto_aead_freep) struct crypto_aead *i_out = NULL;
                        _cleanup_(crypto_aead_freep) struct crypto_aead *i_in = NULL;
                        _cleanup_(crypto_aead_freep) struct crypto_aead *r_out = NULL;
                        _cleanup_(crypto_aead_freep) struct crypto_aead *r_in = NULL;
                        uint8_t iv[16] = {7}, data[32] = "sixteen octets..sixteen octets.",
                                icv[CRYPTO_MAX_ICV_LEN];

                        g_assert_cmpint(ike_keys_sk_contexts(&k, &suite, true, &i_out, &i_in), ==,
                                        0);
                        g_assert_cmpint(ike_keys_sk_contexts(&k, &suite, false, &r_out, &r_in), ==,
                                        0);
                        g_assert_cmpint(crypto_aead_seal(i_out, SLICE("hdr", 3), iv, data, 32, icv),
                                        ==, 0);
                        g_assert_cmpint(crypto_aead_open(r_in, SLICE("hdr", 3), iv, data, 32, icv),
                                        ==, 0);
                        g_assert_cmpint(crypto_aead_seal(r_out, SLICE("hdr", 3), iv, data, 32, icv),
                                        ==, 0);
                        /* the initiator's outbound key is not the responder's */
                        g_assert_cmpint(crypto_aead_open(r_in, SLICE("hdr", 3), iv, data, 32, icv),
                                        ==, -EBADMSG);
                }

                /* CHILD SA keys, without and with PFS (RFC 7296 2.17). */
                for (int pfs = 0; pfs <= 1; pfs++) {
                        struct ike_child_keys ck = {0};
                        g_autoptr(GBytes) cni = rnd(&rng, 32);
                        g_autoptr(GBytes) cnr = rnd(&rng, 32);
                        g_autoptr(GBytes) newgir = pfs ? rnd(&rng, 64) : g_bytes_new(NULL, 0);
                        g_autoptr(GBytes) skd = g_bytes_new(k.sk_d.ptr, k.sk_d.len);
                        g_autoptr(GBytes) s1 = cat(newgir, cni);
                        g_autoptr(GBytes) s2 = cat(s1, cnr);
                        g_autoptr(GBytes) km = ref_prf_plus(prf, skd, s2, 2 * le + 2 * la);
                        size_t o = 0;

                        g_assert_cmpint(ike_child_keys_derive(prf, SLICE_OF(k.sk_d), sl(newgir),
                                                              sl(cni), sl(cnr), &suite, &ck),
                                        ==, 0);
                        assert_key(&ck.encr_i, km, &o, le, "child encr_i");
                        assert_key(&ck.integ_i, km, &o, la, "child integ_i");
                        assert_key(&ck.encr_r, km, &o, le, "child encr_r");
                        assert_key(&ck.integ_r, km, &o, la, "child integ_r");
                        ike_child_keys_wipe(&ck);
                        g_assert_null(ck.encr_i.ptr);
                }

                /* Rekeying the IKE SA (RFC 7296 2.18) with a different PRF
                 * for the new SA: SKEYSEED comes from the old PRF. */
                {
                        const struct crypto_prf_alg *new_prf =
                                crypto_prf_lookup(IKEV2_PRF_HMAC_SHA2_512);
                        struct ike_keys nk = {0};
                        g_autoptr(GBytes) rni = rnd(&rng, 32);
                        g_autoptr(GBytes) rnr = rnd(&rng, 32);
                        g_autoptr(GBytes) rgir = rnd(&rng, 32);
                        g_autoptr(GBytes) rspis = rnd(&rng, 16);
                        g_autoptr(GBytes) skd = g_bytes_new(k.sk_d.ptr, k.sk_d.len);
                        g_autoptr(GBytes) m1 = cat(rgir, rni);
                        g_autoptr(GBytes) m2 = cat(m1, rnr);
                        g_autoptr(GBytes) rss = ref_prf(prf, skd, m2);
                        g_autoptr(GBytes) rnn = cat(rni, rnr);
                        g_autoptr(GBytes) rseed = cat(rnn, rspis);
                        g_autoptr(GBytes) rall =
                                ref_prf_plus(new_prf, rss, rseed, 3 * 64 + 2 * la + 2 * le);
                        const uint8_t *rspi = g_bytes_get_data(rspis, NULL);
                        size_t o = 0;

                        g_assert_cmpint(ike_keys_derive_rekey(prf, SLICE_OF(k.sk_d), new_prf,
                                                              &suite, sl(rni), sl(rnr), rspi,
                                                              rspi + 8, sl(rgir), &nk),
                                        ==, 0);
                        assert_key(&nk.sk_d, rall, &o, 64, "rekeyed SK_d");
                        assert_key(&nk.sk_ai, rall, &o, la, "rekeyed SK_ai");
                        assert_key(&nk.sk_ar, rall, &o, la, "rekeyed SK_ar");
                        assert_key(&nk.sk_ei, rall, &o, le, "rekeyed SK_ei");
                        assert_key(&nk.sk_er, rall, &o, le, "rekeyed SK_er");
                        assert_key(&nk.sk_pi, rall, &o, 64, "rekeyed SK_pi");
                        assert_key(&nk.sk_pr, rall, &o, 64, "rekeyed SK_pr");
                        ike_keys_wipe(&nk);
                }

                bytes_free_secret(&ss);
                ike_keys_wipe(&k);
                g_assert_null(k.sk_d.ptr);
                ike_keys_wipe(NULL);
        }
}

static void test_fixed_key_short_nonce(void)
{
        const struct crypto_prf_alg *cmac = crypto_prf_lookup(IKEV2_PRF_AES128_CMAC);
        uint8_t n[16] = {0};
        struct bytes s = {0};

        g_assert_cmpint(ike_skeyseed(cmac, SLICE(n, 7), SLICE(n, 16), SLICE(n, 4), &s), ==,
                        -EINVAL);
        g_assert_cmpint(ike_skeyseed(cmac, SLICE(n, 16), SLICE(n, 7), SLICE(n, 4), &s), ==,
                        -EINVAL);
        g_assert_cmpint(ike_skeyseed(cmac, SLICE(n, 8), SLICE(n, 8), SLICE(n, 4), &s), ==, 0);
        g_assert_cmpuint(s.len, ==, 16);
        bytes_free_secret(&s);
        g_assert_cmpint(ike_skeyseed(NULL, SLICE(n, 8), SLICE(n, 8), SLICE(n, 4), &s), ==, -EINVAL);
}

/* ------------------------------------------------------------------ NAT-D */

static void test_natd(void)
{
        static const uint8_t spi_i[8] = {1, 2, 3, 4, 5, 6, 7, 8}, spi_r[8] = {0};
        static const uint8_t v4[4] = {192, 0, 2, 1};
        static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
        uint8_t out[20], want[20];
        uint8_t msg[8 + 8 + 16 + 2];
        unsigned l;

        /* SHA1(SPIi | SPIr | IP | Port), port in network order. */
        memcpy(msg, spi_i, 8);
        memcpy(msg + 8, spi_r, 8);
        memcpy(msg + 16, v4, 4);
        msg[20] = 0x11;
        msg[21] = 0x94; /* 4500 */
        g_assert_true(EVP_Digest(msg, 22, want, &l, EVP_sha1(), NULL) == 1);
        g_assert_cmpint(ike_natd_hash(spi_i, spi_r, SLICE(v4, 4), 4500, out), ==, 0);
        g_assert_cmpmem(out, 20, want, 20);

        memcpy(msg + 16, v6, 16);
        msg[32] = 0x01;
        msg[33] = 0xf4; /* 500 */
        g_assert_true(EVP_Digest(msg, 34, want, &l, EVP_sha1(), NULL) == 1);
        g_assert_cmpint(ike_natd_hash(spi_i, spi_r, SLICE(v6, 16), 500, out), ==, 0);
        g_assert_cmpmem(out, 20, want, 20);

        /* A different port changes the hash (that is the point). */
        g_assert_cmpint(ike_natd_hash(spi_i, spi_r, SLICE(v6, 16), 501, out), ==, 0);
        g_assert_true(memcmp(out, want, 20) != 0);

        g_assert_cmpint(ike_natd_hash(spi_i, spi_r, SLICE(v4, 3), 500, out), ==, -EINVAL);
        g_assert_cmpint(ike_natd_hash(spi_i, spi_r, SLICE(v6, 8), 500, out), ==, -EINVAL);
}

/* ------------------------------------------------------------------ AUTH */

static void test_auth(void)
{
        const struct crypto_prf_alg *prf = crypto_prf_lookup(IKEV2_PRF_HMAC_SHA2_256);
        static const uint8_t msg1[] = "the IKE_SA_INIT request, as sent";
        static const uint8_t nr[32] = {0xaa, 0xbb};
        static const uint8_t sk_pi[32] = {0x5c};
        /* ID_FQDN "vpn.example.org": type 2, RESERVED, data */
        static const uint8_t idi[] = {2,   0,   0,   0,   'v', 'p', 'n', '.', 'e', 'x',
                                      'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'};
        struct bytes octets = {0};
        uint8_t maced[32], auth[32], want[32], inner[32];
        size_t l;

        g_assert_cmpint(ike_auth_octets(prf, SLICE(msg1, sizeof(msg1)), SLICE(nr, 32),
                                        SLICE(sk_pi, 32), SLICE(idi, sizeof(idi)), &octets),
                        ==, 0);
        /* RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload) */
        g_assert_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA2-256", NULL, sk_pi, 32, idi,
                                   sizeof(idi), maced, 32, &l));
        g_assert_cmpuint(octets.len, ==, sizeof(msg1) + 32 + 32);
        g_assert_cmpmem(octets.ptr, sizeof(msg1), msg1, sizeof(msg1));
        g_assert_cmpmem(octets.ptr + sizeof(msg1), 32, nr, 32);
        g_assert_cmpmem(octets.ptr + sizeof(msg1) + 32, 32, maced, 32);

        /* AUTH = prf(prf(secret, "Key Pad for IKEv2"), octets) */
        g_assert_cmpint(ike_auth_shared_key(prf, SLICE("s3cret", 6), SLICE_OF(octets), auth), ==,
                        0);
        g_assert_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA2-256", NULL, "s3cret", 6,
                                   (const uint8_t *)"Key Pad for IKEv2", 17, inner, 32, &l));
        g_assert_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA2-256", NULL, inner, 32, octets.ptr,
                                   octets.len, want, 32, &l));
        g_assert_cmpmem(auth, 32, want, 32);

        g_assert_cmpint(ike_auth_shared_key_verify(prf, SLICE("s3cret", 6), SLICE_OF(octets),
                                                   SLICE(want, 32)),
                        ==, 0);
        g_assert_cmpint(ike_auth_shared_key_verify(prf, SLICE("s3cret", 6), SLICE_OF(octets),
                                                   SLICE(want, 31)),
                        ==, -EBADMSG);
        want[31] ^= 1;
        g_assert_cmpint(ike_auth_shared_key_verify(prf, SLICE("s3cret", 6), SLICE_OF(octets),
                                                   SLICE(want, 32)),
                        ==, -EBADMSG);
        want[31] ^= 1;
        g_assert_cmpint(ike_auth_shared_key_verify(prf, SLICE("s3creT", 6), SLICE_OF(octets),
                                                   SLICE(want, 32)),
                        ==, -EBADMSG);
        /* An ID payload body shorter than its fixed 4-octet part. */
        g_assert_cmpint(ike_auth_octets(prf, SLICE(msg1, 4), SLICE(nr, 32), SLICE(sk_pi, 32),
                                        SLICE(idi, 3), &(struct bytes){0}),
                        ==, -EINVAL);
        bytes_free(&octets);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ike/keys/ike-sa", test_ike_sa_keys);
        g_test_add_func("/ike/keys/fixed-key-short-nonce", test_fixed_key_short_nonce);
        g_test_add_func("/ike/keys/natd", test_natd);
        g_test_add_func("/ike/keys/auth", test_auth);
        return g_test_run();
}
