/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protecting and unprotecting the Encrypted (SK, RFC 7296 3.14) and
 * Encrypted Fragment (SKF, RFC 7383 2.5) payloads.
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |  SKF only
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * What is authenticated: AEAD (RFC 5282 5.1, RFC 7383 2.5): the IKE header
 * through the SK/SKF payload header as AAD; CBC+HMAC: everything from the
 * IKE header through the Pad Length. The SK/SKF payload is always the last
 * payload of the message.
 *
 * These functions look only at the few header fields they need (the IKE
 * header's Next Payload and Length, each payload's Next Payload and Length)
 * and leave every other check to the message codec.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/wbuf.h"
#include "client/crypto/aead.h"
#include "client/crypto/rng.h"

#define IKE_SK_HEADER_LEN  4 /* generic payload header */
#define IKE_SKF_HEADER_LEN 8 /* + Fragment Number, Total Fragments */

/* What went wrong, where, and the two numbers when there are two. */
struct ike_sk_error {
        const char *what; /* a static sentence */
        size_t offset;    /* in the message */
        size_t got;
        size_t limit;
};

/* Octets protection adds to plaintext_len octets of inner payloads: IV,
 * padding, Pad Length and ICV (the SK/SKF header not included). */
size_t ike_sk_overhead(const struct crypto_suite *suite, size_t plaintext_len);

/* The most plaintext that fits when the SK/SKF payload body (everything after
 * its header) may take body_len octets; 0 if nothing fits. */
size_t ike_sk_max_plaintext(const struct crypto_suite *suite, size_t body_len);

/*
 * Builds a protected message into w:
 *   prefix      the IKE header, any unencrypted payloads and, last, the
 *               SK (4 octets) or SKF (8 octets) generic header, already
 *               serialized; lengths in it need not be right: the IKE
 *               header's Length, the SK/SKF Payload Length and its Next
 *               Payload (= first_payload) are filled in here
 *   plaintext   the inner payload chain
 * The IV is drawn from rng; the padding is the minimum the cipher needs,
 * zero-filled. On success w holds prefix | IV | ciphertext | ICV appended to
 * whatever it held before; on failure w is left as it was. If prefix is
 * exactly the last prefix.len octets already in w (the codec serialized it
 * there), it is used in place rather than copied.
 * Returns 0, -EBADMSG (the prefix does not end in an SK/SKF header; see
 * *ret_err), -EMSGSIZE (the payload or message length overflows its field),
 * -ENOBUFS (w too small), the RNG's error, or crypto_aead_seal()'s.
 */
int ike_sk_protect(struct crypto_aead *aead, const struct tsu_rng *rng, struct slice prefix,
                   uint8_t first_payload, struct slice plaintext, struct wbuf *w,
                   struct ike_sk_error *ret_err);

struct ike_sk_plain {
        struct slice inner;    /* the inner payload chain, decrypted in place */
        uint8_t first_payload; /* the SK/SKF header's Next Payload */
        bool fragment;         /* SKF */
        uint16_t frag_number;  /* SKF: 1..frag_total */
        uint16_t frag_total;
        size_t sk_offset; /* where the SK/SKF payload header starts */
};

/*
 * Verifies and decrypts the SK/SKF payload of msg in place. The integrity
 * check (constant time for HMAC, the AEAD tag otherwise) comes before the
 * padding is looked at. Returns 0 and *ret, or
 *   -EBADMSG      malformed framing (lengths, no SK/SKF payload, SK not last,
 *                 bad fragment numbers, a ciphertext that is not a whole
 *                 number of blocks, a pad length beyond the plaintext)
 *   -EKEYREJECTED the ICV does not verify (the message is dropped, not answered)
 * with *ret_err (if not NULL) saying what and where.
 */
int ike_sk_unprotect(struct crypto_aead *aead, uint8_t *msg, size_t len, struct ike_sk_plain *ret,
                     struct ike_sk_error *ret_err);
