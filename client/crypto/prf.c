/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "prf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "client/ike/ikev2.h"

/* clang-format off */
static const struct crypto_prf_alg prfs[] = {
        { .name = "PRF_HMAC_SHA1", .ikev2_id = IKEV2_PRF_HMAC_SHA1, .mac = "HMAC",
          .primitive = "SHA1", .out_len = 20, .key_len = 20 },
        { .name = "PRF_HMAC_SHA2_256", .ikev2_id = IKEV2_PRF_HMAC_SHA2_256, .mac = "HMAC",
          .primitive = "SHA2-256", .out_len = 32, .key_len = 32 },
        { .name = "PRF_HMAC_SHA2_384", .ikev2_id = IKEV2_PRF_HMAC_SHA2_384, .mac = "HMAC",
          .primitive = "SHA2-384", .out_len = 48, .key_len = 48 },
        { .name = "PRF_HMAC_SHA2_512", .ikev2_id = IKEV2_PRF_HMAC_SHA2_512, .mac = "HMAC",
          .primitive = "SHA2-512", .out_len = 64, .key_len = 64 },
        /* RFC 4615; RFC 7296 2.14 treats it as a fixed-key PRF for SKEYSEED. */
        { .name = "PRF_AES128_CMAC", .ikev2_id = IKEV2_PRF_AES128_CMAC, .mac = "CMAC",
          .primitive = "AES-128-CBC", .out_len = 16, .key_len = 16, .fixed_key = true },
};
/* clang-format on */

const struct crypto_prf_alg *crypto_prf_lookup(uint16_t ikev2_id)
{
        for (size_t i = 0; i < ARRAY_SIZE(prfs); i++)
                if (prfs[i].ikev2_id == ikev2_id)
                        return &prfs[i];
        return NULL;
}

const struct crypto_prf_alg *crypto_prf_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(prfs);
        return prfs;
}

struct crypto_prf {
        const struct crypto_prf_alg *alg;
        EVP_MAC_CTX *mac;
};

void crypto_prf_free(struct crypto_prf *p)
{
        if (!p)
                return;
        EVP_MAC_CTX_free(p->mac); /* cleanses the key */
        free(p);
}

const struct crypto_prf_alg *crypto_prf_alg(const struct crypto_prf *p)
{
        return p->alg;
}

static EVP_MAC_CTX *mac_new(const struct crypto_prf_alg *alg, const uint8_t *key, size_t key_len)
{
        /* EVP_MAC_init() reads a NULL key as "keep the previous one": give
         * an empty key a real address. */
        static const uint8_t empty[1];
        const char *param =
                strcmp(alg->mac, "HMAC") == 0 ? OSSL_MAC_PARAM_DIGEST : OSSL_MAC_PARAM_CIPHER;
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(param, (char *)alg->primitive, 0),
                OSSL_PARAM_construct_end(),
        };
        EVP_MAC *mac = EVP_MAC_fetch(NULL, alg->mac, NULL);
        EVP_MAC_CTX *ctx;

        if (!mac)
                return NULL;
        ctx = EVP_MAC_CTX_new(mac);
        EVP_MAC_free(mac);
        if (!ctx)
                return NULL;
        if (EVP_MAC_init(ctx, key_len ? key : empty, key_len, params) != 1) {
                EVP_MAC_CTX_free(ctx);
                return NULL;
        }
        return ctx;
}

static int mac_run(EVP_MAC_CTX *ctx, const struct slice *parts, size_t n, uint8_t *out,
                   size_t out_len)
{
        size_t outl;

        if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1)
                return -EIO;
        for (size_t i = 0; i < n; i++)
                if (parts[i].len > 0 && EVP_MAC_update(ctx, parts[i].ptr, parts[i].len) != 1)
                        return -EIO;
        if (EVP_MAC_final(ctx, out, &outl, out_len) != 1 || outl != out_len)
                return -EIO;
        return 0;
}

int crypto_prf_new(const struct crypto_prf_alg *alg, struct slice key, struct crypto_prf **ret)
{
        _cleanup_(crypto_prf_freep) struct crypto_prf *p = NULL;
        uint8_t derived[16];

        if (!alg || (key.len > 0 && !key.ptr))
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->alg = alg;
        if (alg->fixed_key && key.len != alg->key_len) {
                /* RFC 4615 3: a key that is not 128 bits long is first
                 * condensed, K' = AES-CMAC(0^128, K). */
                static const uint8_t zero[16];
                EVP_MAC_CTX *z = mac_new(alg, zero, sizeof(zero));
                int r;

                if (!z)
                        return -EIO;
                r = mac_run(z, &key, 1, derived, sizeof(derived));
                EVP_MAC_CTX_free(z);
                if (r < 0)
                        return r;
                p->mac = mac_new(alg, derived, sizeof(derived));
                OPENSSL_cleanse(derived, sizeof(derived));
        } else {
                p->mac = mac_new(alg, key.ptr, key.len);
        }
        if (!p->mac)
                return -EIO;
        *ret = TAKE_PTR(p);
        return 0;
}

int crypto_prf_compute(struct crypto_prf *p, const struct slice *parts, size_t n, uint8_t *out)
{
        return mac_run(p->mac, parts, n, out, p->alg->out_len);
}

int crypto_prf_plus(struct crypto_prf *p, const struct slice *parts, size_t n, uint8_t *out,
                    size_t out_len)
{
        const size_t hlen = p->alg->out_len;
        uint8_t t[CRYPTO_MAX_PRF_LEN];
        size_t done = 0;
        int r = 0;

        if (out_len > 255 * hlen)
                return -EMSGSIZE;
        for (unsigned i = 1; done < out_len; i++) {
                uint8_t counter = (uint8_t)i;
                size_t take = MIN(hlen, out_len - done);

                /* T(i) = prf(K, T(i-1) | S | i), T(0) empty */
                if (EVP_MAC_init(p->mac, NULL, 0, NULL) != 1 ||
                    (i > 1 && EVP_MAC_update(p->mac, t, hlen) != 1)) {
                        r = -EIO;
                        break;
                }
                for (size_t k = 0; k < n; k++)
                        if (parts[k].len > 0 &&
                            EVP_MAC_update(p->mac, parts[k].ptr, parts[k].len) != 1)
                                r = -EIO;
                if (r < 0 || EVP_MAC_update(p->mac, &counter, 1) != 1) {
                        r = -EIO;
                        break;
                }
                {
                        size_t outl;

                        if (EVP_MAC_final(p->mac, t, &outl, sizeof(t)) != 1 || outl != hlen) {
                                r = -EIO;
                                break;
                        }
                }
                memcpy(out + done, t, take);
                done += take;
        }
        OPENSSL_cleanse(t, sizeof(t));
        if (r < 0)
                OPENSSL_cleanse(out, out_len);
        return r;
}

int crypto_prf_oneshot(const struct crypto_prf_alg *alg, struct slice key,
                       const struct slice *parts, size_t n, uint8_t *out)
{
        _cleanup_(crypto_prf_freep) struct crypto_prf *p = NULL;
        int r;

        r = crypto_prf_new(alg, key, &p);
        if (r < 0)
                return r;
        return crypto_prf_compute(p, parts, n, out);
}
