/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cipher suites over OpenSSL 3 EVP.
 *
 * Every EVP object is fetched and keyed once, in crypto_aead_new(); a message
 * only re-initialises the IV (EVP_CipherInit_ex with NULL cipher and key keeps
 * both, and the key schedule with them) and, for HMAC, restarts the MAC from
 * its keyed state (EVP_MAC_init with a NULL key). Encryption and decryption
 * have a cipher context each because AES-CBC decrypts with a different key
 * schedule than it encrypts with.
 */
#include "aead.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "client/ike/ikev2.h"

#define AEAD_NONCE_LEN 12 /* salt (4) || explicit IV (8), RFC 4106 4, RFC 7634 2 */

/* clang-format off */
static const struct crypto_encr encrs[] = {
        /* RFC 4106 / RFC 5282: AES-GCM with a 16, 12 or 8-octet ICV. */
        { .name = "AES_GCM_16", .ikev2_id = IKEV2_ENCR_AES_GCM_16, .key_bits = 128,
          .evp_name = "AES-128-GCM", .aead = true, .key_len = 16, .salt_len = 4,
          .block_size = 1, .iv_len = 8, .icv_len = 16 },
        { .name = "AES_GCM_16", .ikev2_id = IKEV2_ENCR_AES_GCM_16, .key_bits = 192,
          .evp_name = "AES-192-GCM", .aead = true, .key_len = 24, .salt_len = 4,
          .block_size = 1, .iv_len = 8, .icv_len = 16 },
        { .name = "AES_GCM_16", .ikev2_id = IKEV2_ENCR_AES_GCM_16, .key_bits = 256,
          .evp_name = "AES-256-GCM", .aead = true, .key_len = 32, .salt_len = 4,
          .block_size = 1, .iv_len = 8, .icv_len = 16 },
        { .name = "AES_GCM_12", .ikev2_id = IKEV2_ENCR_AES_GCM_12, .key_bits = 128,
          .evp_name = "AES-128-GCM", .aead = true, .short_icv = true, .key_len = 16,
          .salt_len = 4, .block_size = 1, .iv_len = 8, .icv_len = 12 },
        { .name = "AES_GCM_12", .ikev2_id = IKEV2_ENCR_AES_GCM_12, .key_bits = 256,
          .evp_name = "AES-256-GCM", .aead = true, .short_icv = true, .key_len = 32,
          .salt_len = 4, .block_size = 1, .iv_len = 8, .icv_len = 12 },
        { .name = "AES_GCM_8", .ikev2_id = IKEV2_ENCR_AES_GCM_8, .key_bits = 128,
          .evp_name = "AES-128-GCM", .aead = true, .short_icv = true, .key_len = 16,
          .salt_len = 4, .block_size = 1, .iv_len = 8, .icv_len = 8 },
        { .name = "AES_GCM_8", .ikev2_id = IKEV2_ENCR_AES_GCM_8, .key_bits = 256,
          .evp_name = "AES-256-GCM", .aead = true, .short_icv = true, .key_len = 32,
          .salt_len = 4, .block_size = 1, .iv_len = 8, .icv_len = 8 },
        /* RFC 7634: 32-octet key + 4-octet salt, no Key Length attribute. */
        { .name = "CHACHA20_POLY1305", .ikev2_id = IKEV2_ENCR_CHACHA20_POLY1305, .key_bits = 0,
          .evp_name = "ChaCha20-Poly1305", .aead = true, .key_len = 32, .salt_len = 4,
          .block_size = 1, .iv_len = 8, .icv_len = 16 },
        /* RFC 3602 (ESP), RFC 7296 3.14 (IKE): AES-CBC, IV = one block. */
        { .name = "AES_CBC", .ikev2_id = IKEV2_ENCR_AES_CBC, .key_bits = 128,
          .evp_name = "AES-128-CBC", .key_len = 16, .block_size = 16, .iv_len = 16 },
        { .name = "AES_CBC", .ikev2_id = IKEV2_ENCR_AES_CBC, .key_bits = 192,
          .evp_name = "AES-192-CBC", .key_len = 24, .block_size = 16, .iv_len = 16 },
        { .name = "AES_CBC", .ikev2_id = IKEV2_ENCR_AES_CBC, .key_bits = 256,
          .evp_name = "AES-256-CBC", .key_len = 32, .block_size = 16, .iv_len = 16 },
};

/* RFC 4868 2.1.1 and 2.3 (keys as long as the hash, ICV half of it),
 * RFC 2404 (HMAC-SHA1-96: 20-octet key, 12-octet ICV). */
static const struct crypto_integ integs[] = {
        { .name = "HMAC_SHA2_256_128", .ikev2_id = IKEV2_INTEG_HMAC_SHA2_256_128,
          .digest = "SHA2-256", .key_len = 32, .icv_len = 16 },
        { .name = "HMAC_SHA2_384_192", .ikev2_id = IKEV2_INTEG_HMAC_SHA2_384_192,
          .digest = "SHA2-384", .key_len = 48, .icv_len = 24 },
        { .name = "HMAC_SHA2_512_256", .ikev2_id = IKEV2_INTEG_HMAC_SHA2_512_256,
          .digest = "SHA2-512", .key_len = 64, .icv_len = 32 },
        { .name = "HMAC_SHA1_96", .ikev2_id = IKEV2_INTEG_HMAC_SHA1_96,
          .digest = "SHA1", .key_len = 20, .icv_len = 12 },
};
/* clang-format on */

const struct crypto_encr *crypto_encr_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(encrs);
        return encrs;
}

const struct crypto_integ *crypto_integ_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(integs);
        return integs;
}

static void set_why(const char **ret_why, const char *why)
{
        if (ret_why)
                *ret_why = why;
}

int crypto_suite_lookup(uint16_t encr_id, uint16_t key_bits, uint16_t integ_id, unsigned flags,
                        struct crypto_suite *ret, const char **ret_why)
{
        const struct crypto_encr *encr = NULL;
        const struct crypto_integ *integ = NULL;
        bool known_encr = false;

        for (size_t i = 0; i < ARRAY_SIZE(encrs); i++) {
                if (encrs[i].ikev2_id != encr_id)
                        continue;
                known_encr = true;
                if (encrs[i].key_bits == key_bits) {
                        encr = &encrs[i];
                        break;
                }
        }
        if (!known_encr) {
                set_why(ret_why, "encryption transform not implemented");
                return -ENOENT;
        }
        if (!encr) {
                set_why(ret_why,
                        encr_id == IKEV2_ENCR_CHACHA20_POLY1305
                                ? "ChaCha20-Poly1305 takes no Key Length attribute (RFC 7634 2)"
                                : "key length not defined for this encryption transform");
                return -EINVAL;
        }
        if (encr->short_icv && !(flags & CRYPTO_SUITE_ALLOW_SHORT_ICV)) {
                set_why(ret_why, "AES-GCM with an ICV shorter than 16 octets is refused by policy "
                                 "(RFC 4106 8); only AES_GCM_16 is accepted");
                return -EPERM;
        }
        if (encr->aead) {
                /* RFC 5282 8: an AEAD proposal has no integrity transform (or NONE). */
                if (integ_id != IKEV2_INTEG_NONE) {
                        set_why(ret_why, "an AEAD transform must not be combined with an "
                                         "integrity transform (RFC 5282 8)");
                        return -EINVAL;
                }
        } else {
                if (integ_id == IKEV2_INTEG_NONE) {
                        set_why(ret_why, "a non-AEAD transform needs an integrity transform");
                        return -EINVAL;
                }
                for (size_t i = 0; i < ARRAY_SIZE(integs); i++)
                        if (integs[i].ikev2_id == integ_id)
                                integ = &integs[i];
                if (!integ) {
                        set_why(ret_why, "integrity transform not implemented");
                        return -ENOENT;
                }
        }
        *ret = (struct crypto_suite){.encr = encr, .integ = integ};
        return 0;
}

const char *crypto_suite_name(const struct crypto_suite *s, char buf[static 64])
{
        char bits[8] = "";

        if (s->encr->key_bits)
                snprintf(bits, sizeof(bits), "_%u", (unsigned)s->encr->key_bits);
        snprintf(buf, 64, "%s%s%s%s", s->encr->name, bits, s->integ ? "/" : "",
                 s->integ ? s->integ->name : "");
        return buf;
}

/* ------------------------------------------------------------------ contexts */

struct crypto_aead {
        struct crypto_suite suite;
        EVP_CIPHER_CTX *enc;
        EVP_CIPHER_CTX *dec;
        EVP_MAC_CTX *mac; /* CBC+HMAC only */
        uint8_t salt[4];  /* AEAD only */
};

void crypto_aead_free(struct crypto_aead *a)
{
        if (!a)
                return;
        /* The *_free functions of OpenSSL cleanse the key schedules. */
        EVP_CIPHER_CTX_free(a->enc);
        EVP_CIPHER_CTX_free(a->dec);
        EVP_MAC_CTX_free(a->mac);
        secure_free(a, sizeof(*a));
}

const struct crypto_suite *crypto_aead_suite(const struct crypto_aead *a)
{
        return &a->suite;
}

static EVP_CIPHER_CTX *cipher_ctx_new(const EVP_CIPHER *cipher, const struct crypto_encr *e,
                                      const uint8_t *key, int enc)
{
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

        if (!c)
                return NULL;
        if (EVP_CipherInit_ex2(c, cipher, key, NULL, enc, NULL) != 1)
                goto fail;
        if (e->aead) {
                size_t ivlen = AEAD_NONCE_LEN;
                OSSL_PARAM params[] = {
                        OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                        OSSL_PARAM_construct_end(),
                };

                if (EVP_CIPHER_CTX_set_params(c, params) != 1)
                        goto fail;
        } else if (EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
                /* We pad ourselves (RFC 7296 3.14, RFC 4303 2.4). */
                goto fail;
        }
        return c;
fail:
        EVP_CIPHER_CTX_free(c);
        return NULL;
}

int crypto_aead_new(const struct crypto_suite *suite, struct slice encr_key, struct slice integ_key,
                    struct crypto_aead **ret)
{
        const struct crypto_encr *e = suite->encr;
        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
        EVP_CIPHER *cipher = NULL;
        int r = -EIO;

        if (encr_key.len != crypto_suite_encr_key_len(suite) ||
            integ_key.len != crypto_suite_integ_key_len(suite) || e->aead != !suite->integ)
                return -EINVAL;
        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->suite = *suite;
        if (e->salt_len)
                memcpy(a->salt, encr_key.ptr + e->key_len, e->salt_len);

        cipher = EVP_CIPHER_fetch(NULL, e->evp_name, NULL);
        if (!cipher)
                return -EIO;
        a->enc = cipher_ctx_new(cipher, e, encr_key.ptr, 1);
        a->dec = cipher_ctx_new(cipher, e, encr_key.ptr, 0);
        EVP_CIPHER_free(cipher); /* the contexts hold their own references */
        if (!a->enc || !a->dec)
                return -EIO;

        if (suite->integ) {
                EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
                OSSL_PARAM params[] = {
                        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                         (char *)suite->integ->digest, 0),
                        OSSL_PARAM_construct_end(),
                };

                if (!mac)
                        return -EIO;
                a->mac = EVP_MAC_CTX_new(mac);
                EVP_MAC_free(mac);
                if (!a->mac)
                        return -ENOMEM;
                if (EVP_MAC_init(a->mac, integ_key.ptr, integ_key.len, params) != 1)
                        return r;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

/* The AEAD transforms: one pass, the tag covers aad and ciphertext. */
static int aead_run(struct crypto_aead *a, EVP_CIPHER_CTX *c, int enc, struct slice aad,
                    const uint8_t *iv, uint8_t *data, size_t len, uint8_t *tag)
{
        const struct crypto_encr *e = a->suite.encr;
        uint8_t nonce[AEAD_NONCE_LEN];
        uint8_t final[CRYPTO_MAX_BLOCK_SIZE];
        int outl;

        memcpy(nonce, a->salt, 4);
        memcpy(nonce + 4, iv, 8);
        if (EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, -1) != 1)
                return -EIO;
        if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, e->icv_len, tag) != 1)
                return -EIO;
        if (aad.len > 0 && EVP_CipherUpdate(c, NULL, &outl, aad.ptr, (int)aad.len) != 1)
                return -EIO;
        if (len > 0 && EVP_CipherUpdate(c, data, &outl, data, (int)len) != 1)
                return -EIO;
        if (EVP_CipherFinal_ex(c, final, &outl) != 1)
                return enc ? -EIO : -EBADMSG;
        if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, e->icv_len, tag) != 1)
                return -EIO;
        return 0;
}

/* HMAC over aad || iv || ciphertext [|| tail], truncated into icv. */
static int mac_compute(struct crypto_aead *a, struct slice aad, const uint8_t *iv,
                       const uint8_t *data, size_t len, struct slice tail,
                       uint8_t out[static EVP_MAX_MD_SIZE])
{
        size_t outl;

        if (EVP_MAC_init(a->mac, NULL, 0, NULL) != 1 ||
            EVP_MAC_update(a->mac, aad.ptr, aad.len) != 1 ||
            EVP_MAC_update(a->mac, iv, a->suite.encr->iv_len) != 1 ||
            EVP_MAC_update(a->mac, data, len) != 1 ||
            EVP_MAC_update(a->mac, tail.ptr, tail.len) != 1 ||
            EVP_MAC_final(a->mac, out, &outl, EVP_MAX_MD_SIZE) != 1)
                return -EIO;
        return 0;
}

static int cbc_run(EVP_CIPHER_CTX *c, const uint8_t *iv, uint8_t *data, size_t len)
{
        uint8_t final[CRYPTO_MAX_BLOCK_SIZE];
        int outl;

        if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, -1) != 1)
                return -EIO;
        if (len > 0 && EVP_CipherUpdate(c, data, &outl, data, (int)len) != 1)
                return -EIO;
        if (EVP_CipherFinal_ex(c, final, &outl) != 1 || outl != 0)
                return -EIO;
        return 0;
}

static int check_lengths(const struct crypto_aead *a, struct slice aad, size_t len)
{
        if (len > INT_MAX || aad.len > INT_MAX)
                return -EINVAL;
        if (len % a->suite.encr->block_size != 0)
                return -EINVAL;
        return 0;
}

static int seal(struct crypto_aead *a, struct slice aad, struct slice tail, const uint8_t *iv,
                uint8_t *data, size_t len, uint8_t *ret_icv)
{
        uint8_t mac[EVP_MAX_MD_SIZE];
        int r;

        r = check_lengths(a, aad, len);
        if (r < 0)
                return r;
        if (a->suite.encr->aead)
                return aead_run(a, a->enc, 1, aad, iv, data, len, ret_icv);

        /* Encrypt-then-MAC (RFC 7296 3.14, RFC 4303 3.3.2). */
        r = cbc_run(a->enc, iv, data, len);
        if (r < 0)
                return r;
        r = mac_compute(a, aad, iv, data, len, tail, mac);
        if (r < 0)
                return r;
        memcpy(ret_icv, mac, a->suite.integ->icv_len);
        return 0;
}

static int open_(struct crypto_aead *a, struct slice aad, struct slice tail, const uint8_t *iv,
                 uint8_t *data, size_t len, const uint8_t *icv)
{
        uint8_t mac[EVP_MAX_MD_SIZE];
        int r;

        r = check_lengths(a, aad, len);
        if (r < 0)
                return r;
        if (a->suite.encr->aead) {
                uint8_t tag[CRYPTO_MAX_ICV_LEN];

                /* OpenSSL wants a writable tag buffer. */
                memcpy(tag, icv, a->suite.encr->icv_len);
                r = aead_run(a, a->dec, 0, aad, iv, data, len, tag);
                if (r < 0)
                        /* Never hand out plaintext that did not verify. */
                        secure_wipe(data, len);
                return r;
        }

        /* Verify first, in constant time, then decrypt (RFC 4303 3.4.4). */
        r = mac_compute(a, aad, iv, data, len, tail, mac);
        if (r < 0)
                return r;
        if (CRYPTO_memcmp(mac, icv, a->suite.integ->icv_len) != 0)
                return -EBADMSG;
        return cbc_run(a->dec, iv, data, len);
}

int crypto_aead_seal(struct crypto_aead *a, struct slice aad, const uint8_t *iv, uint8_t *data,
                     size_t len, uint8_t *ret_icv)
{
        return seal(a, aad, SLICE(NULL, 0), iv, data, len, ret_icv);
}

int crypto_aead_open(struct crypto_aead *a, struct slice aad, const uint8_t *iv, uint8_t *data,
                     size_t len, const uint8_t *icv)
{
        return open_(a, aad, SLICE(NULL, 0), iv, data, len, icv);
}

/* RFC 4106 5 / RFC 7634 2.1: with ESN the AAD is SPI || seq_hi || seq_lo. */
static void esn_aad(uint8_t out[static 12], const uint8_t hdr[static 8], uint32_t seq_hi)
{
        memcpy(out, hdr, 4);
        out[4] = (uint8_t)(seq_hi >> 24);
        out[5] = (uint8_t)(seq_hi >> 16);
        out[6] = (uint8_t)(seq_hi >> 8);
        out[7] = (uint8_t)seq_hi;
        memcpy(out + 8, hdr + 4, 4);
}

int crypto_aead_seal_esp(struct crypto_aead *a, const uint8_t hdr[static 8], bool esn,
                         uint32_t seq_hi, const uint8_t *iv, uint8_t *data, size_t len,
                         uint8_t *ret_icv)
{
        uint8_t buf[12];

        if (!esn)
                return seal(a, SLICE(hdr, 8), SLICE(NULL, 0), iv, data, len, ret_icv);
        esn_aad(buf, hdr, seq_hi);
        if (a->suite.encr->aead)
                return seal(a, SLICE(buf, 12), SLICE(NULL, 0), iv, data, len, ret_icv);
        /* RFC 4303 2.2.1: seq_hi is authenticated after the payload, not sent. */
        return seal(a, SLICE(hdr, 8), SLICE(buf + 4, 4), iv, data, len, ret_icv);
}

int crypto_aead_open_esp(struct crypto_aead *a, const uint8_t hdr[static 8], bool esn,
                         uint32_t seq_hi, const uint8_t *iv, uint8_t *data, size_t len,
                         const uint8_t *icv)
{
        uint8_t buf[12];

        if (!esn)
                return open_(a, SLICE(hdr, 8), SLICE(NULL, 0), iv, data, len, icv);
        esn_aad(buf, hdr, seq_hi);
        if (a->suite.encr->aead)
                return open_(a, SLICE(buf, 12), SLICE(NULL, 0), iv, data, len, icv);
        return open_(a, SLICE(hdr, 8), SLICE(buf + 4, 4), iv, data, len, icv);
}
