/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP transforms over OpenSSL 3 EVP.
 *
 * Every EVP object is fetched and keyed once, when the SA is created; per
 * packet we only re-initialise with a new IV (EVP_CipherInit_ex with NULL
 * cipher and key keeps both), which is what makes us as fast as
 * `openssl speed -evp`.
 *
 * IVs. AES-GCM and ChaCha20-Poly1305 need a unique 8-byte IV per key: we use
 * the 64-bit sequence number, which is unique for the SA's life by
 * construction (RFC 4106 3.1, RFC 7634 2). AES-CBC needs an IV the attacker
 * cannot predict (a predictable CBC IV allows chosen-plaintext attacks): we
 * use NIST SP 800-38A appendix C's first method, the forward cipher applied
 * under the SA's own key to a nonce that never repeats, here the block
 * seed || seq, where seed is 8 random bytes the caller drew once for the SA.
 * Without the key, the IVs are indistinguishable from random; there is no
 * random call per packet.
 */
#include "esp-cipher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "client/common/macro.h"
#include "client/ike/ikev2.h"
#include "esp.h"

enum kind {
        KIND_NULL,
        KIND_AEAD,
        KIND_CBC_HMAC,
};

struct transform {
        enum kind kind;
        uint16_t encr, encr_bits;
        const char *cipher;
        uint8_t key_len, salt_len, iv_len, align;
};

struct integ {
        uint16_t id;
        const char *digest;
        uint8_t key_len, icv_len;
};

static const struct transform transforms[] = {
        { .kind = KIND_AEAD, .encr = IKEV2_ENCR_AES_GCM_16, .encr_bits = 128,
          .cipher = "AES-128-GCM", .key_len = 16, .salt_len = 4, .iv_len = 8, .align = 4 },
        { .kind = KIND_AEAD, .encr = IKEV2_ENCR_AES_GCM_16, .encr_bits = 192,
          .cipher = "AES-192-GCM", .key_len = 24, .salt_len = 4, .iv_len = 8, .align = 4 },
        { .kind = KIND_AEAD, .encr = IKEV2_ENCR_AES_GCM_16, .encr_bits = 256,
          .cipher = "AES-256-GCM", .key_len = 32, .salt_len = 4, .iv_len = 8, .align = 4 },
        { .kind = KIND_AEAD, .encr = IKEV2_ENCR_CHACHA20_POLY1305, .encr_bits = 256,
          .cipher = "ChaCha20-Poly1305", .key_len = 32, .salt_len = 4, .iv_len = 8, .align = 4 },
        { .kind = KIND_CBC_HMAC, .encr = IKEV2_ENCR_AES_CBC, .encr_bits = 128,
          .cipher = "AES-128-CBC", .key_len = 16, .iv_len = 16, .align = 16 },
        { .kind = KIND_CBC_HMAC, .encr = IKEV2_ENCR_AES_CBC, .encr_bits = 192,
          .cipher = "AES-192-CBC", .key_len = 24, .iv_len = 16, .align = 16 },
        { .kind = KIND_CBC_HMAC, .encr = IKEV2_ENCR_AES_CBC, .encr_bits = 256,
          .cipher = "AES-256-CBC", .key_len = 32, .iv_len = 16, .align = 16 },
        { .kind = KIND_NULL, .encr = IKEV2_ENCR_NULL, .encr_bits = 0, .align = 4 },
};

/* RFC 4868 2.3: HMAC-SHA2 keys are as long as the hash, ICVs half of it. */
static const struct integ integs[] = {
        { .id = IKEV2_INTEG_HMAC_SHA2_256_128, .digest = "SHA2-256", .key_len = 32, .icv_len = 16 },
        { .id = IKEV2_INTEG_HMAC_SHA2_384_192, .digest = "SHA2-384", .key_len = 48, .icv_len = 24 },
        { .id = IKEV2_INTEG_HMAC_SHA2_512_256, .digest = "SHA2-512", .key_len = 64, .icv_len = 32 },
};

#define AEAD_TAG_LEN 16u

struct esp_cipher {
        const struct transform *t;
        const struct integ *integ;
        bool encrypt;
        EVP_CIPHER *evp_cipher;
        EVP_CIPHER_CTX *ctx;
        EVP_CIPHER_CTX *iv_ctx; /* CBC: the IV generator (ECB, same key) */
        EVP_MAC *evp_mac;
        EVP_MAC_CTX *mac;
        uint8_t nonce[12];      /* AEAD: salt || explicit IV */
        uint8_t iv_seed[8];
};

static int lookup(const struct esp_sa_params *p, const struct transform **ret_t,
                  const struct integ **ret_i)
{
        const struct transform *t = NULL;
        const struct integ *in = NULL;

        for (size_t i = 0; i < ARRAY_SIZE(transforms); i++)
                if (transforms[i].encr == p->encr &&
                    (transforms[i].kind == KIND_NULL || transforms[i].encr_bits == p->encr_bits)) {
                        t = &transforms[i];
                        break;
                }
        if (!t)
                return -EOPNOTSUPP;
        if (t->kind == KIND_AEAD) {
                /* RFC 4106 / RFC 7634: combined mode, no separate integrity. */
                if (p->integ != IKEV2_INTEG_NONE)
                        return -EINVAL;
        } else {
                for (size_t i = 0; i < ARRAY_SIZE(integs); i++)
                        if (integs[i].id == p->integ)
                                in = &integs[i];
                if (!in && !(t->kind == KIND_NULL && p->integ == IKEV2_INTEG_NONE &&
                             p->allow_null_null))
                        return -EOPNOTSUPP;
        }
        if (p->encr_key.len != (size_t)t->key_len + t->salt_len)
                return -EINVAL;
        if (p->integ_key.len != (in ? in->key_len : 0u))
                return -EINVAL;
        *ret_t = t;
        *ret_i = in;
        return 0;
}

int esp_cipher_sizes(const struct esp_sa_params *p, struct esp_cipher_sizes *ret)
{
        const struct transform *t;
        const struct integ *in;
        int r;

        r = lookup(p, &t, &in);
        if (r < 0)
                return r;
        *ret = (struct esp_cipher_sizes){
                .iv_len = t->iv_len,
                .icv_len = t->kind == KIND_AEAD ? AEAD_TAG_LEN : (in ? in->icv_len : 0),
                .align = t->align,
        };
        return 0;
}

void esp_cipher_free(struct esp_cipher *c)
{
        if (!c)
                return;
        EVP_CIPHER_CTX_free(c->ctx);
        EVP_CIPHER_CTX_free(c->iv_ctx);
        EVP_CIPHER_free(c->evp_cipher);
        EVP_MAC_CTX_free(c->mac);
        EVP_MAC_free(c->evp_mac);
        OPENSSL_cleanse(c, sizeof(*c));
        free(c);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct esp_cipher *, esp_cipher_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_CIPHER *, EVP_CIPHER_free);

static int setup_cipher(struct esp_cipher *c, const struct esp_sa_params *p)
{
        const struct transform *t = c->t;
        int enc = c->encrypt ? 1 : 0;

        c->evp_cipher = EVP_CIPHER_fetch(NULL, t->cipher, NULL);
        c->ctx = EVP_CIPHER_CTX_new();
        if (!c->evp_cipher || !c->ctx)
                return -ENOMEM;
        if (t->kind == KIND_AEAD) {
                memcpy(c->nonce, p->encr_key.ptr + t->key_len, t->salt_len);
                if (!EVP_CipherInit_ex2(c->ctx, c->evp_cipher, NULL, NULL, enc, NULL))
                        return -EIO;
                if (EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_IVLEN, sizeof(c->nonce), NULL) <= 0)
                        return -EIO;
                if (!EVP_CipherInit_ex2(c->ctx, NULL, p->encr_key.ptr, NULL, enc, NULL))
                        return -EIO;
                return 0;
        }
        /* CBC */
        if (!EVP_CipherInit_ex2(c->ctx, c->evp_cipher, p->encr_key.ptr, NULL, enc, NULL))
                return -EIO;
        EVP_CIPHER_CTX_set_padding(c->ctx, 0);
        if (c->encrypt) {
                _cleanup_(EVP_CIPHER_freep) EVP_CIPHER *ecb = NULL;
                char name[16];

                snprintf(name, sizeof(name), "AES-%u-ECB", (unsigned)t->encr_bits);
                ecb = EVP_CIPHER_fetch(NULL, name, NULL);
                c->iv_ctx = EVP_CIPHER_CTX_new();
                if (!ecb || !c->iv_ctx)
                        return -ENOMEM;
                if (!EVP_CipherInit_ex2(c->iv_ctx, ecb, p->encr_key.ptr, NULL, 1, NULL))
                        return -EIO;
                EVP_CIPHER_CTX_set_padding(c->iv_ctx, 0);
                memcpy(c->iv_seed, p->iv_seed, sizeof(c->iv_seed));
        }
        return 0;
}

static int setup_mac(struct esp_cipher *c, const struct esp_sa_params *p)
{
        OSSL_PARAM params[2];

        c->evp_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        if (!c->evp_mac)
                return -ENOMEM;
        c->mac = EVP_MAC_CTX_new(c->evp_mac);
        if (!c->mac)
                return -ENOMEM;
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *)c->integ->digest, 0);
        params[1] = OSSL_PARAM_construct_end();
        if (!EVP_MAC_init(c->mac, p->integ_key.ptr, p->integ_key.len, params))
                return -EIO;
        return 0;
}

int esp_cipher_new(const struct esp_sa_params *p, struct esp_cipher **ret)
{
        _cleanup_(esp_cipher_freep) struct esp_cipher *c = NULL;
        const struct transform *t;
        const struct integ *in;
        int r;

        r = lookup(p, &t, &in);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->t = t;
        c->integ = in;
        c->encrypt = p->dir == ESP_DIR_OUT;
        if (t->kind != KIND_NULL) {
                r = setup_cipher(c, p);
                if (r < 0)
                        return r;
        }
        if (in) {
                r = setup_mac(c, p);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
        for (int i = 7; i >= 0; i--) {
                p[i] = (uint8_t)v;
                v >>= 8;
        }
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

int esp_cipher_make_iv(struct esp_cipher *c, uint64_t seq, uint8_t *iv)
{
        switch (c->t->kind) {
        case KIND_NULL:
                return 0;
        case KIND_AEAD:
                put_be64(iv, seq);
                return 0;
        case KIND_CBC_HMAC: {
                uint8_t block[16];
                int outl = 0;

                if (!c->iv_ctx)
                        return -EINVAL;
                memcpy(block, c->iv_seed, 8);
                put_be64(block + 8, seq);
                if (!EVP_EncryptUpdate(c->iv_ctx, iv, &outl, block, sizeof(block)) || outl != 16)
                        return -EIO;
                return 0;
        }
        }
        return -EINVAL;
}

/* AAD for AEADs: SPI || seq lo, or SPI || seq hi || seq lo with ESN
 * (RFC 4106 5, RFC 7634 2.1). */
static size_t make_aad(const uint8_t *esp, bool esn, uint32_t seq_hi, uint8_t aad[static 12])
{
        memcpy(aad, esp, 4);
        if (!esn) {
                memcpy(aad + 4, esp + 4, 4);
                return 8;
        }
        put_be32(aad + 4, seq_hi);
        memcpy(aad + 8, esp + 4, 4);
        return 12;
}

static int hmac(struct esp_cipher *c, const uint8_t *esp, size_t auth_len, bool esn,
                uint32_t seq_hi, uint8_t out[static 64])
{
        size_t outl = 0;

        if (!EVP_MAC_init(c->mac, NULL, 0, NULL) || !EVP_MAC_update(c->mac, esp, auth_len))
                return -EIO;
        if (esn) {
                /* RFC 4303 2.2.1: the high-order bits are authenticated, not sent. */
                uint8_t hi[4];

                put_be32(hi, seq_hi);
                if (!EVP_MAC_update(c->mac, hi, sizeof(hi)))
                        return -EIO;
        }
        if (!EVP_MAC_final(c->mac, out, &outl, 64))
                return -EIO;
        return 0;
}

int esp_cipher_seal(struct esp_cipher *c, uint8_t *esp, size_t payload_len, bool esn,
                    uint32_t seq_hi)
{
        const struct transform *t = c->t;
        uint8_t *iv = esp + ESP_HDR_LEN, *payload = iv + t->iv_len;
        int outl = 0;

        if (payload_len > INT32_MAX || payload_len % t->align != 0)
                return -EINVAL;
        switch (t->kind) {
        case KIND_NULL:
                break;
        case KIND_AEAD: {
                uint8_t aad[12];
                size_t aad_len = make_aad(esp, esn, seq_hi, aad);

                memcpy(c->nonce + t->salt_len, iv, t->iv_len);
                if (!EVP_CipherInit_ex2(c->ctx, NULL, NULL, c->nonce, 1, NULL) ||
                    !EVP_CipherUpdate(c->ctx, NULL, &outl, aad, (int)aad_len) ||
                    !EVP_CipherUpdate(c->ctx, payload, &outl, payload, (int)payload_len) ||
                    !EVP_CipherFinal_ex(c->ctx, payload + payload_len, &outl) ||
                    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN,
                                        payload + payload_len) <= 0)
                        return -EIO;
                return 0;
        }
        case KIND_CBC_HMAC:
                if (!EVP_CipherInit_ex2(c->ctx, NULL, NULL, iv, 1, NULL) ||
                    !EVP_CIPHER_CTX_set_padding(c->ctx, 0) ||
                    !EVP_CipherUpdate(c->ctx, payload, &outl, payload, (int)payload_len) ||
                    (size_t)outl != payload_len)
                        return -EIO;
                break;
        }
        if (c->integ) {
                uint8_t mac[64];
                size_t auth_len = ESP_HDR_LEN + t->iv_len + payload_len;
                int r = hmac(c, esp, auth_len, esn, seq_hi, mac);

                if (r < 0)
                        return r;
                memcpy(esp + auth_len, mac, c->integ->icv_len);
        }
        return 0;
}

int esp_cipher_open(struct esp_cipher *c, uint8_t *esp, size_t payload_len, bool esn,
                    uint32_t seq_hi)
{
        const struct transform *t = c->t;
        uint8_t *iv = esp + ESP_HDR_LEN, *payload = iv + t->iv_len;
        int outl = 0;

        if (payload_len > INT32_MAX || payload_len % t->align != 0)
                return -EBADMSG;
        if (c->integ) {
                uint8_t mac[64];
                size_t auth_len = ESP_HDR_LEN + t->iv_len + payload_len;
                int r = hmac(c, esp, auth_len, esn, seq_hi, mac);

                if (r < 0)
                        return r;
                if (CRYPTO_memcmp(mac, esp + auth_len, c->integ->icv_len) != 0)
                        return -EBADMSG;
        }
        switch (t->kind) {
        case KIND_NULL:
                return 0;
        case KIND_AEAD: {
                uint8_t aad[12];
                size_t aad_len = make_aad(esp, esn, seq_hi, aad);

                memcpy(c->nonce + t->salt_len, iv, t->iv_len);
                /* The tag is compared in constant time by the provider; the
                 * plaintext is ours to throw away if it does not match. */
                if (!EVP_CipherInit_ex2(c->ctx, NULL, NULL, c->nonce, 0, NULL) ||
                    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN,
                                        payload + payload_len) <= 0 ||
                    !EVP_CipherUpdate(c->ctx, NULL, &outl, aad, (int)aad_len) ||
                    !EVP_CipherUpdate(c->ctx, payload, &outl, payload, (int)payload_len))
                        return -EIO;
                if (!EVP_CipherFinal_ex(c->ctx, payload + payload_len, &outl))
                        return -EBADMSG;
                return 0;
        }
        case KIND_CBC_HMAC:
                /* Without padding, EVP would hold the last block back. */
                if (!EVP_CipherInit_ex2(c->ctx, NULL, NULL, iv, 0, NULL) ||
                    !EVP_CIPHER_CTX_set_padding(c->ctx, 0) ||
                    !EVP_CipherUpdate(c->ctx, payload, &outl, payload, (int)payload_len) ||
                    (size_t)outl != payload_len)
                        return -EIO;
                return 0;
        }
        return -EINVAL;
}
