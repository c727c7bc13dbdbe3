/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cipher suites and authenticated encryption for IKE SK payloads and ESP.
 *
 * A suite is what a negotiated proposal selects for protection: either an
 * AEAD transform (AES-GCM, ChaCha20-Poly1305; RFC 5282 for IKE, RFC 4106 /
 * RFC 7634 for ESP) or a classic cipher plus an integrity transform
 * (AES-CBC with HMAC-SHA1/SHA2, encrypt-then-MAC; RFC 7296 3.14, RFC 4303,
 * RFC 4868). Both kinds go through one interface:
 *
 *   crypto_suite_lookup()   negotiated transform IDs -> struct crypto_suite
 *   crypto_aead_new()       one context per SA and direction, keyed once
 *   crypto_aead_seal/open() per message: IV-only re-initialisation, in place,
 *                           no allocation
 *
 * The layout both protocols share, and what each argument covers:
 *
 *   | aad (authenticated only) | IV | data (encrypted in place) | ICV |
 *
 *   AEAD:      nonce = salt (4, from the key material) || IV (8, explicit);
 *              tag over aad and the ciphertext.
 *   CBC+HMAC:  ICV = HMAC(integ key, aad || IV || ciphertext) truncated;
 *              verified (constant time) before anything is decrypted.
 *
 * IKE SK (RFC 7296 3.14, RFC 5282 5.1): aad = IKE header .. SK payload header.
 * ESP (RFC 4303 2, RFC 4106 5, RFC 7634 2.1): aad = SPI || sequence number;
 * with extended sequence numbers use crypto_aead_seal_esp()/open_esp(), which
 * place the high 32 bits where each transform expects them.
 *
 * The IV is always supplied by the caller: SK draws it from its RNG, ESP
 * derives it from the sequence number. An AEAD IV must never repeat under
 * one key.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"

/* Largest values over all suites, for stack buffers. */
#define CRYPTO_MAX_IV_LEN        16
#define CRYPTO_MAX_ICV_LEN       32
#define CRYPTO_MAX_BLOCK_SIZE    16
#define CRYPTO_MAX_ENCR_KEY_LEN  36 /* AES-256 or ChaCha20 key + 4-byte salt */
#define CRYPTO_MAX_INTEG_KEY_LEN 64 /* HMAC-SHA2-512 */

/* An encryption transform (IKEv2 Transform Type 1). */
struct crypto_encr {
        const char *name;     /* for logs: "AES_GCM_16", "AES_CBC" */
        uint16_t ikev2_id;    /* IKEV2_ENCR_* */
        uint16_t key_bits;    /* the Key Length attribute; 0 when the transform has none */
        const char *evp_name; /* OpenSSL cipher name */
        bool aead;
        bool short_icv;     /* refused unless CRYPTO_SUITE_ALLOW_SHORT_ICV */
        uint8_t key_len;    /* cipher key, octets, without the salt */
        uint8_t salt_len;   /* AEAD: trailing octets of the key material (nonce prefix) */
        uint8_t block_size; /* the plaintext must be a multiple of it (1: stream-like) */
        uint8_t iv_len;     /* explicit IV on the wire */
        uint8_t icv_len;    /* AEAD only: the tag length */
};

/* An integrity transform (IKEv2 Transform Type 3), HMAC truncated. */
struct crypto_integ {
        const char *name;   /* "HMAC_SHA2_256_128" */
        uint16_t ikev2_id;  /* IKEV2_INTEG_* */
        const char *digest; /* OpenSSL digest name */
        uint8_t key_len;    /* RFC 4868 2.1.1 / RFC 2404: the hash output length */
        uint8_t icv_len;    /* the truncated output on the wire */
};

/* What a negotiated proposal protects with. A small value type: copy it. */
struct crypto_suite {
        const struct crypto_encr *encr;
        const struct crypto_integ *integ; /* NULL exactly when encr->aead */
};

enum crypto_suite_flags {
        /* Accept AES-GCM with an 8 or 12-octet ICV (RFC 4106, RFC 5282).
         * Known but refused by default: a short tag buys little and weakens
         * forgery resistance (RFC 4106 8, RFC 8221 5). */
        CRYPTO_SUITE_ALLOW_SHORT_ICV = 1 << 0,
};

/*
 * Maps negotiated transform IDs to a suite.
 *   encr_id   IKEV2_ENCR_*
 *   key_bits  the Key Length attribute (128/192/256 for AES; 0 for
 *             ChaCha20-Poly1305, which has none, RFC 7634 2)
 *   integ_id  IKEV2_INTEG_*; IKEV2_INTEG_NONE for AEAD (RFC 5282 8)
 * Returns 0, or:
 *   -ENOENT   unknown (or unimplemented) encryption or integrity transform
 *   -EINVAL   a key length the transform does not have, integrity with an
 *             AEAD transform, or no integrity with a non-AEAD one
 *   -EPERM    known but refused by policy (short ICV without the flag)
 * On failure *ret_why (if not NULL) points at a static sentence for the log.
 */
int crypto_suite_lookup(uint16_t encr_id, uint16_t key_bits, uint16_t integ_id, unsigned flags,
                        struct crypto_suite *ret, const char **ret_why);

/* The tables, for listing what we support (e.g. to build proposals). */
const struct crypto_encr *crypto_encr_table(size_t *ret_n);
const struct crypto_integ *crypto_integ_table(size_t *ret_n);

static inline bool crypto_suite_is_aead(const struct crypto_suite *s)
{
        return s->encr->aead;
}

/* Alignment of the plaintext (payload + padding + trailer): 16 for AES-CBC,
 * 1 for AEAD. ESP adds its own 4-octet alignment (RFC 4303 2.4). */
static inline size_t crypto_suite_block_size(const struct crypto_suite *s)
{
        return s->encr->block_size;
}

/* Explicit IV on the wire: 16 for AES-CBC, 8 for AES-GCM and ChaCha20-Poly1305. */
static inline size_t crypto_suite_iv_len(const struct crypto_suite *s)
{
        return s->encr->iv_len;
}

static inline size_t crypto_suite_icv_len(const struct crypto_suite *s)
{
        return s->encr->aead ? s->encr->icv_len : s->integ->icv_len;
}

/* Encryption key material taken from the key schedule, salt included
 * (RFC 5282 7.1, RFC 4106 8.1, RFC 7634 2): 20/28/36 for AES-GCM-128/192/256,
 * 36 for ChaCha20-Poly1305, 16/24/32 for AES-CBC. */
static inline size_t crypto_suite_encr_key_len(const struct crypto_suite *s)
{
        return (size_t)s->encr->key_len + s->encr->salt_len;
}

/* Integrity key material: 0 for AEAD. */
static inline size_t crypto_suite_integ_key_len(const struct crypto_suite *s)
{
        return s->integ ? s->integ->key_len : 0;
}

/* Writes "AES_GCM_16_256" or "AES_CBC_128/HMAC_SHA2_256_128" into buf. */
const char *crypto_suite_name(const struct crypto_suite *s, char buf[static 64]);

/* ------------------------------------------------------------------ contexts */

/* One SA, one direction (or both, for tests), one thread at a time. */
struct crypto_aead;

/*
 * Keys a context. encr_key is crypto_suite_encr_key_len() octets (salt last),
 * integ_key is crypto_suite_integ_key_len() octets (empty for AEAD). The key
 * bytes are copied into OpenSSL's contexts; the caller wipes its own copy.
 * Returns 0, -EINVAL (wrong lengths), -ENOMEM, -EIO (OpenSSL refused).
 */
int crypto_aead_new(const struct crypto_suite *suite, struct slice encr_key, struct slice integ_key,
                    struct crypto_aead **ret);
/* Wipes the keys and frees; NULL-safe. */
void crypto_aead_free(struct crypto_aead *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct crypto_aead *, crypto_aead_free);

const struct crypto_suite *crypto_aead_suite(const struct crypto_aead *a);

/*
 * Encrypts data[0..len) in place and writes the ICV (crypto_suite_icv_len()
 * octets) to ret_icv. iv is crypto_suite_iv_len() octets. For CBC suites len
 * must be a multiple of the block size (the caller pads). The ICV may be
 * written right after the data in the same buffer.
 * Returns 0, -EINVAL (length not aligned or above INT_MAX), -EIO.
 */
int crypto_aead_seal(struct crypto_aead *a, struct slice aad, const uint8_t *iv, uint8_t *data,
                     size_t len, uint8_t *ret_icv);

/*
 * Verifies and decrypts data[0..len) in place. Returns 0, or -EBADMSG when
 * the ICV does not verify (CBC+HMAC: checked in constant time before any
 * decryption; AEAD: the tag is checked by OpenSSL and the unverified output
 * wiped), -EINVAL, -EIO. On failure data holds no plaintext.
 */
int crypto_aead_open(struct crypto_aead *a, struct slice aad, const uint8_t *iv, uint8_t *data,
                     size_t len, const uint8_t *icv);

/*
 * ESP with the 8-octet header (SPI || low 32 bits of the sequence number) as
 * it is on the wire. Without esn these are crypto_aead_seal/open with
 * aad = hdr. With esn the high 32 bits of the sequence number are
 * authenticated where each kind of transform expects them:
 *   AEAD:     aad = SPI || seq_hi || seq_lo (RFC 4106 5, RFC 7634 2.1)
 *   CBC+HMAC: ICV over SPI || seq_lo || IV || ciphertext || seq_hi
 *             (RFC 4303 2.2.1 and 3.3.2.1)
 */
int crypto_aead_seal_esp(struct crypto_aead *a, const uint8_t hdr[static 8], bool esn,
                         uint32_t seq_hi, const uint8_t *iv, uint8_t *data, size_t len,
                         uint8_t *ret_icv);
int crypto_aead_open_esp(struct crypto_aead *a, const uint8_t hdr[static 8], bool esn,
                         uint32_t seq_hi, const uint8_t *iv, uint8_t *data, size_t len,
                         const uint8_t *icv);
