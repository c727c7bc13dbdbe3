/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "client/common/macro.h"

/* RFC 7296 2.15 */
#define KEY_PAD     "Key Pad for IKEv2"
#define KEY_PAD_LEN 17

void ike_keys_wipe(struct ike_keys *k)
{
        if (!k)
                return;
        bytes_free_secret(&k->sk_d);
        bytes_free_secret(&k->sk_ai);
        bytes_free_secret(&k->sk_ar);
        bytes_free_secret(&k->sk_ei);
        bytes_free_secret(&k->sk_er);
        bytes_free_secret(&k->sk_pi);
        bytes_free_secret(&k->sk_pr);
}

void ike_child_keys_wipe(struct ike_child_keys *k)
{
        if (!k)
                return;
        bytes_free_secret(&k->encr_i);
        bytes_free_secret(&k->integ_i);
        bytes_free_secret(&k->encr_r);
        bytes_free_secret(&k->integ_r);
}

static int prf_to_bytes(const struct crypto_prf_alg *prf, struct slice key,
                        const struct slice *parts, size_t n, struct bytes *ret)
{
        struct bytes out;
        int r;

        r = bytes_alloc(&out, prf->out_len);
        if (r < 0)
                return r;
        r = crypto_prf_oneshot(prf, key, parts, n, out.ptr);
        if (r < 0) {
                bytes_free_secret(&out);
                return r;
        }
        *ret = out;
        return 0;
}

int ike_skeyseed(const struct crypto_prf_alg *prf, struct slice ni, struct slice nr,
                 struct slice g_ir, struct bytes *ret)
{
        uint8_t key[2 * CRYPTO_MAX_PRF_LEN];
        struct slice k;
        int r;

        if (!prf || !ni.ptr || !nr.ptr)
                return -EINVAL;
        if (prf->fixed_key) {
                /* RFC 7296 2.14: "half the bits must come from Ni and half
                 * from Nr, taking the first bits of each". */
                size_t half = prf->key_len / 2;

                if (ni.len < half || nr.len < half)
                        return -EINVAL;
                memcpy(key, ni.ptr, half);
                memcpy(key + half, nr.ptr, half);
                k = SLICE(key, 2 * half);
                r = prf_to_bytes(prf, k, &g_ir, 1, ret);
                OPENSSL_cleanse(key, sizeof(key));
                return r;
        }
        {
                /* Ni | Nr as the key: nonces are public, but the PRF takes
                 * the key as one piece. */
                struct bytes nn;
                struct slice parts[2] = {ni, nr};

                r = bytes_concat(&nn, parts, 2);
                if (r < 0)
                        return r;
                r = prf_to_bytes(prf, SLICE_OF(nn), &g_ir, 1, ret);
                bytes_free(&nn);
                return r;
        }
}

int ike_skeyseed_rekey(const struct crypto_prf_alg *old_prf, struct slice old_sk_d,
                       struct slice g_ir, struct slice ni, struct slice nr, struct bytes *ret)
{
        struct slice parts[3] = {g_ir, ni, nr};

        if (!old_prf || !old_sk_d.ptr)
                return -EINVAL;
        return prf_to_bytes(old_prf, old_sk_d, parts, 3, ret);
}

/* Cuts n consecutive keys of the given lengths out of prf+(key, seed). */
static int prf_plus_split(const struct crypto_prf_alg *prf, struct slice key,
                          const struct slice *seed, size_t nseed, struct bytes *const *outs,
                          const size_t *lens, size_t n)
{
        _cleanup_(crypto_prf_freep) struct crypto_prf *p = NULL;
        struct bytes all = {0}, got[8] = {{0}};
        size_t total = 0, off = 0;
        int r;

        if (n > ARRAY_SIZE(got))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                total += lens[i];
        r = crypto_prf_new(prf, key, &p);
        if (r < 0)
                return r;
        r = bytes_alloc(&all, total);
        if (r < 0)
                return r;
        r = crypto_prf_plus(p, seed, nseed, all.ptr, total);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = bytes_dup(&got[i], SLICE(all.ptr + off, lens[i]));
                off += lens[i];
        }
        bytes_free_secret(&all);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        bytes_free_secret(&got[i]);
                return r;
        }
        for (size_t i = 0; i < n; i++)
                *outs[i] = got[i];
        return 0;
}

int ike_keys_from_skeyseed(const struct crypto_prf_alg *prf, const struct crypto_suite *suite,
                           struct slice skeyseed, struct slice ni, struct slice nr,
                           const uint8_t spi_i[static 8], const uint8_t spi_r[static 8],
                           struct ike_keys *ret)
{
        struct ike_keys k = {0};
        const size_t lp = prf->key_len, la = crypto_suite_integ_key_len(suite),
                     le = crypto_suite_encr_key_len(suite);
        struct bytes *const outs[7] = {&k.sk_d,  &k.sk_ai, &k.sk_ar, &k.sk_ei,
                                       &k.sk_er, &k.sk_pi, &k.sk_pr};
        const size_t lens[7] = {lp, la, la, le, le, lp, lp};
        struct slice seed[4] = {ni, nr, SLICE(spi_i, 8), SLICE(spi_r, 8)};
        int r;

        if (!skeyseed.ptr)
                return -EINVAL;
        r = prf_plus_split(prf, skeyseed, seed, 4, outs, lens, 7);
        if (r < 0)
                return r;
        *ret = k;
        return 0;
}

int ike_keys_derive(const struct crypto_prf_alg *prf, const struct crypto_suite *suite,
                    struct slice ni, struct slice nr, const uint8_t spi_i[static 8],
                    const uint8_t spi_r[static 8], struct slice g_ir, struct ike_keys *ret)
{
        struct bytes skeyseed = {0};
        int r;

        r = ike_skeyseed(prf, ni, nr, g_ir, &skeyseed);
        if (r < 0)
                return r;
        r = ike_keys_from_skeyseed(prf, suite, SLICE_OF(skeyseed), ni, nr, spi_i, spi_r, ret);
        bytes_free_secret(&skeyseed);
        return r;
}

int ike_keys_derive_rekey(const struct crypto_prf_alg *old_prf, struct slice old_sk_d,
                          const struct crypto_prf_alg *prf, const struct crypto_suite *suite,
                          struct slice ni, struct slice nr, const uint8_t spi_i[static 8],
                          const uint8_t spi_r[static 8], struct slice g_ir, struct ike_keys *ret)
{
        struct bytes skeyseed = {0};
        int r;

        r = ike_skeyseed_rekey(old_prf, old_sk_d, g_ir, ni, nr, &skeyseed);
        if (r < 0)
                return r;
        r = ike_keys_from_skeyseed(prf, suite, SLICE_OF(skeyseed), ni, nr, spi_i, spi_r, ret);
        bytes_free_secret(&skeyseed);
        return r;
}

int ike_keys_sk_contexts(const struct ike_keys *k, const struct crypto_suite *suite, bool initiator,
                         struct crypto_aead **ret_out, struct crypto_aead **ret_in)
{
        _cleanup_(crypto_aead_freep) struct crypto_aead *out = NULL;
        _cleanup_(crypto_aead_freep) struct crypto_aead *in = NULL;
        const struct bytes *eo = initiator ? &k->sk_ei : &k->sk_er;
        const struct bytes *ao = initiator ? &k->sk_ai : &k->sk_ar;
        const struct bytes *ei = initiator ? &k->sk_er : &k->sk_ei;
        const struct bytes *ai = initiator ? &k->sk_ar : &k->sk_ai;
        int r;

        r = crypto_aead_new(suite, SLICE_OF(*eo), SLICE_OF(*ao), &out);
        if (r < 0)
                return r;
        r = crypto_aead_new(suite, SLICE_OF(*ei), SLICE_OF(*ai), &in);
        if (r < 0)
                return r;
        *ret_out = TAKE_PTR(out);
        *ret_in = TAKE_PTR(in);
        return 0;
}

int ike_child_keys_derive(const struct crypto_prf_alg *prf, struct slice sk_d, struct slice g_ir,
                          struct slice ni, struct slice nr, const struct crypto_suite *suite,
                          struct ike_child_keys *ret)
{
        struct ike_child_keys k = {0};
        const size_t le = crypto_suite_encr_key_len(suite), la = crypto_suite_integ_key_len(suite);
        struct bytes *const outs[4] = {&k.encr_i, &k.integ_i, &k.encr_r, &k.integ_r};
        const size_t lens[4] = {le, la, le, la};
        struct slice seed[3] = {g_ir, ni, nr};
        int r;

        if (!prf || !sk_d.ptr)
                return -EINVAL;
        r = prf_plus_split(prf, sk_d, seed, 3, outs, lens, 4);
        if (r < 0)
                return r;
        *ret = k;
        return 0;
}

int ike_natd_hash(const uint8_t spi_i[static 8], const uint8_t spi_r[static 8], struct slice ip,
                  uint16_t port, uint8_t out[static 20])
{
        const uint8_t port_be[2] = {(uint8_t)(port >> 8), (uint8_t)port};
        EVP_MD_CTX *md;
        unsigned len = 0;
        int ok;

        if ((ip.len != 4 && ip.len != 16) || !ip.ptr)
                return -EINVAL;
        md = EVP_MD_CTX_new();
        if (!md)
                return -ENOMEM;
        ok = EVP_DigestInit_ex2(md, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(md, spi_i, 8) == 1 &&
             EVP_DigestUpdate(md, spi_r, 8) == 1 && EVP_DigestUpdate(md, ip.ptr, ip.len) == 1 &&
             EVP_DigestUpdate(md, port_be, 2) == 1 && EVP_DigestFinal_ex(md, out, &len) == 1 &&
             len == 20;
        EVP_MD_CTX_free(md);
        return ok ? 0 : -EIO;
}

int ike_auth_octets(const struct crypto_prf_alg *prf, struct slice real_message, struct slice nonce,
                    struct slice sk_p, struct slice id_body, struct bytes *ret)
{
        uint8_t maced_id[CRYPTO_MAX_PRF_LEN];
        struct slice parts[3];
        int r;

        if (!prf || !sk_p.ptr || !real_message.ptr || !nonce.ptr || id_body.len < 4)
                return -EINVAL;
        r = crypto_prf_oneshot(prf, sk_p, &id_body, 1, maced_id);
        if (r < 0)
                return r;
        parts[0] = real_message;
        parts[1] = nonce;
        parts[2] = SLICE(maced_id, prf->out_len);
        r = bytes_concat(ret, parts, 3);
        OPENSSL_cleanse(maced_id, sizeof(maced_id));
        return r;
}

int ike_auth_shared_key(const struct crypto_prf_alg *prf, struct slice secret, struct slice octets,
                        uint8_t *out)
{
        uint8_t inner[CRYPTO_MAX_PRF_LEN];
        const struct slice pad = SLICE(KEY_PAD, KEY_PAD_LEN);
        int r;

        if (!prf)
                return -EINVAL;
        /* AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <octets>) */
        r = crypto_prf_oneshot(prf, secret, &pad, 1, inner);
        if (r >= 0)
                r = crypto_prf_oneshot(prf, SLICE(inner, prf->out_len), &octets, 1, out);
        OPENSSL_cleanse(inner, sizeof(inner));
        return r;
}

int ike_auth_shared_key_verify(const struct crypto_prf_alg *prf, struct slice secret,
                               struct slice octets, struct slice received)
{
        uint8_t want[CRYPTO_MAX_PRF_LEN];
        int r;

        if (!prf)
                return -EINVAL;
        r = ike_auth_shared_key(prf, secret, octets, want);
        if (r < 0)
                return r;
        /* The length is public (the negotiated PRF's); the value is not. */
        if (!slice_eq_consttime(SLICE(want, prf->out_len), received))
                r = -EBADMSG;
        OPENSSL_cleanse(want, sizeof(want));
        return r;
}
