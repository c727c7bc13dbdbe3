/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESP transforms: which (encryption, integrity) pairs we implement, their
 * sizes, and seal/open over one ESP packet in place. One context per SA (and
 * so per direction and per thread), created once with the keys; sealing and
 * opening allocate nothing.
 *
 * All functions take the ESP packet from its first byte (the SPI) because the
 * transforms authenticate different parts of it:
 *   AEAD (RFC 4106 5, RFC 7634 2.1): AAD = SPI || [seq hi] || seq lo, the IV
 *       is the nonce's explicit part, the ICV is the AEAD tag;
 *   CBC + HMAC (RFC 4303 2.2.1, 3.3.2): ICV = HMAC(SPI || seq || IV ||
 *       ciphertext || [seq hi]) truncated.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct esp_sa_params;
struct esp_cipher;

struct esp_cipher_sizes {
        uint8_t iv_len;
        uint8_t icv_len;
        uint8_t align; /* the ciphertext (payload + padding + trailer) is a multiple of it */
};

/* Checks the transform and key lengths; fills in the sizes. */
int esp_cipher_sizes(const struct esp_sa_params *p, struct esp_cipher_sizes *ret);
int esp_cipher_new(const struct esp_sa_params *p, struct esp_cipher **ret);
void esp_cipher_free(struct esp_cipher *c);

/* Writes the IV for sequence number seq (never a random call per packet):
 * AEAD: the 64-bit sequence number (RFC 4106 3.1, RFC 7634 2 allow any
 * unique value); CBC: an unpredictable block derived from it, see .c. */
int esp_cipher_make_iv(struct esp_cipher *c, uint64_t seq, uint8_t *iv);

/* esp points at the SPI; the IV follows the 8-byte header and the payload
 * (payload_len bytes, already padded) follows the IV; the ICV is written right
 * after the payload. seq_hi is used when esn. */
int esp_cipher_seal(struct esp_cipher *c, uint8_t *esp, size_t payload_len, bool esn,
                    uint32_t seq_hi);
/* The same layout; verifies the ICV in constant time before anything else
 * touches the payload, then decrypts it in place. -EBADMSG on a bad ICV. */
int esp_cipher_open(struct esp_cipher *c, uint8_t *esp, size_t payload_len, bool esn,
                    uint32_t seq_hi);
