/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP transforms on top of the crypto layer (client/crypto/aead.h): the suite
 * lookup and the per-SA, per-direction context keyed once, sealed and opened
 * in place with an IV-only re-initialisation per packet.
 *
 * What this file adds for ESP:
 *
 * IVs. AES-GCM and ChaCha20-Poly1305 need a unique 8-byte IV per key: we use
 * the 64-bit sequence number, unique for the SA's life by construction
 * (RFC 4106 3.1, RFC 7634 2). AES-CBC needs an IV the attacker cannot
 * predict (a predictable CBC IV allows chosen-plaintext attacks): we use
 * NIST SP 800-38A appendix C's first method, the forward cipher applied under
 * the SA's own key to a nonce that never repeats, here the block
 * seed || seq, where seed is 8 random bytes the caller drew once for the SA.
 * Without the key the IVs are indistinguishable from random; there is no
 * random call per packet. The crypto layer has no raw block operation, so the
 * one-block ECB context for this lives here.
 *
 * NULL. ENCR_NULL without integrity (no confidentiality, no ICV) exists for
 * the benchmark's I/O-ceiling measurement only; RFC 4303 3.2 forbids it on
 * the wire and esp_sa_new() refuses it unless allow_null_null is set.
 */
#include "esp-cipher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "client/common/macro.h"
#include "client/crypto/aead.h"
#include "client/ike/ikev2.h"
#include "esp.h"

struct esp_cipher {
        struct crypto_aead *aead; /* NULL for the NULL transform */
        struct crypto_suite suite;
        EVP_CIPHER_CTX *iv_ctx; /* CBC, outbound: the IV generator */
        uint8_t iv_seed[8];
        uint8_t iv_len, icv_len;
};

static bool is_null(const struct esp_sa_params *p)
{
        return p->encr == IKEV2_ENCR_NULL;
}

static int lookup(const struct esp_sa_params *p, struct crypto_suite *ret)
{
        /* ChaCha20-Poly1305 has no Key Length attribute (RFC 7634 2); accept
         * its 256 too, which is what it is. */
        uint16_t bits =
                p->encr == IKEV2_ENCR_CHACHA20_POLY1305 && p->encr_bits == 256 ? 0 : p->encr_bits;
        int r;

        r = crypto_suite_lookup(p->encr, bits, p->integ, 0, ret, NULL);
        if (r == -ENOENT)
                return -EOPNOTSUPP;
        if (r < 0)
                return r == -EPERM ? -EOPNOTSUPP : r;
        if (p->encr_key.len != crypto_suite_encr_key_len(ret) ||
            p->integ_key.len != crypto_suite_integ_key_len(ret))
                return -EINVAL;
        return 0;
}

int esp_cipher_sizes(const struct esp_sa_params *p, struct esp_cipher_sizes *ret)
{
        struct crypto_suite s;
        size_t block;
        int r;

        if (is_null(p)) {
                if (!p->allow_null_null || p->integ != IKEV2_INTEG_NONE || p->encr_key.len ||
                    p->integ_key.len)
                        return -EOPNOTSUPP;
                *ret = (struct esp_cipher_sizes){.iv_len = 0, .icv_len = 0, .align = 4};
                return 0;
        }
        r = lookup(p, &s);
        if (r < 0)
                return r;
        /* RFC 4303 2.4: the cipher's block size, and at least 4 octets. */
        block = crypto_suite_block_size(&s);
        *ret = (struct esp_cipher_sizes){
                .iv_len = (uint8_t)crypto_suite_iv_len(&s),
                .icv_len = (uint8_t)crypto_suite_icv_len(&s),
                .align = (uint8_t)(block > 4 ? block : 4),
        };
        return 0;
}

void esp_cipher_free(struct esp_cipher *c)
{
        if (!c)
                return;
        crypto_aead_free(c->aead);
        EVP_CIPHER_CTX_free(c->iv_ctx);
        OPENSSL_cleanse(c, sizeof(*c));
        free(c);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct esp_cipher *, esp_cipher_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_CIPHER *, EVP_CIPHER_free);

static int setup_iv_generator(struct esp_cipher *c, const struct esp_sa_params *p)
{
        _cleanup_(EVP_CIPHER_freep) EVP_CIPHER *ecb = NULL;
        char name[16];

        snprintf(name, sizeof(name), "AES-%u-ECB", (unsigned)c->suite.encr->key_len * 8u);
        ecb = EVP_CIPHER_fetch(NULL, name, NULL);
        c->iv_ctx = EVP_CIPHER_CTX_new();
        if (!ecb || !c->iv_ctx)
                return -ENOMEM;
        if (!EVP_CipherInit_ex2(c->iv_ctx, ecb, p->encr_key.ptr, NULL, 1, NULL))
                return -EIO;
        EVP_CIPHER_CTX_set_padding(c->iv_ctx, 0);
        memcpy(c->iv_seed, p->iv_seed, sizeof(c->iv_seed));
        return 0;
}

int esp_cipher_new(const struct esp_sa_params *p, struct esp_cipher **ret)
{
        _cleanup_(esp_cipher_freep) struct esp_cipher *c = NULL;
        struct esp_cipher_sizes sz;
        int r;

        r = esp_cipher_sizes(p, &sz);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->iv_len = sz.iv_len;
        c->icv_len = sz.icv_len;
        if (!is_null(p)) {
                r = lookup(p, &c->suite);
                if (r < 0)
                        return r;
                r = crypto_aead_new(&c->suite, p->encr_key, p->integ_key, &c->aead);
                if (r < 0)
                        return r;
                if (!crypto_suite_is_aead(&c->suite) && p->dir == ESP_DIR_OUT) {
                        r = setup_iv_generator(c, p);
                        if (r < 0)
                                return r;
                }
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

int esp_cipher_make_iv(struct esp_cipher *c, uint64_t seq, uint8_t *iv)
{
        uint8_t block[16];
        int outl = 0;

        if (!c->aead)
                return 0;
        if (crypto_suite_is_aead(&c->suite)) {
                put_be64(iv, seq);
                return 0;
        }
        if (!c->iv_ctx)
                return -EINVAL; /* an inbound SA does not make IVs */
        memcpy(block, c->iv_seed, 8);
        put_be64(block + 8, seq);
        if (!EVP_EncryptUpdate(c->iv_ctx, iv, &outl, block, sizeof(block)) || outl != 16)
                return -EIO;
        return 0;
}

int esp_cipher_seal(struct esp_cipher *c, uint8_t *esp, size_t payload_len, bool esn,
                    uint32_t seq_hi)
{
        uint8_t *iv = esp + ESP_HDR_LEN, *payload = iv + c->iv_len;

        if (!c->aead)
                return 0;
        return crypto_aead_seal_esp(c->aead, esp, esn, seq_hi, iv, payload, payload_len,
                                    payload + payload_len);
}

int esp_cipher_open(struct esp_cipher *c, uint8_t *esp, size_t payload_len, bool esn,
                    uint32_t seq_hi)
{
        uint8_t *iv = esp + ESP_HDR_LEN, *payload = iv + c->iv_len;
        int r;

        if (!c->aead)
                return 0;
        r = crypto_aead_open_esp(c->aead, esp, esn, seq_hi, iv, payload, payload_len,
                                 payload + payload_len);
        return r == -EBADMSG || r == -EINVAL ? -EBADMSG : r;
}
