/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pseudo-random functions (IKEv2 Transform Type 2) and prf+ (RFC 7296 2.13).
 *
 *   HMAC-SHA1 (RFC 2104), HMAC-SHA2-256/384/512 (RFC 4868),
 *   AES-CMAC-PRF-128 (RFC 4615).
 *
 * A struct crypto_prf is a keyed PRF: the key is set once and every
 * computation restarts from the keyed state, so prf+ over one key costs one
 * key setup. Keys live in OpenSSL's contexts and are cleansed on free.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"

#define CRYPTO_MAX_PRF_LEN 64 /* HMAC-SHA2-512 */

struct crypto_prf_alg {
        const char *name;      /* "PRF_HMAC_SHA2_256" */
        uint16_t ikev2_id;     /* IKEV2_PRF_* */
        const char *mac;       /* OpenSSL MAC: "HMAC" or "CMAC" */
        const char *primitive; /* its digest or cipher */
        uint8_t out_len;       /* output octets */
        /* RFC 7296 2.14: the preferred key size (the hash length for HMAC);
         * fixed_key PRFs (AES-CMAC-PRF-128 in IKE) take exactly key_len
         * octets of Ni | Nr, half from each. */
        uint8_t key_len;
        bool fixed_key;
};

/* NULL when the PRF is unknown or not implemented. */
const struct crypto_prf_alg *crypto_prf_lookup(uint16_t ikev2_id);
const struct crypto_prf_alg *crypto_prf_table(size_t *ret_n);

struct crypto_prf;

/* Keys a PRF. Any key length is accepted (HMAC hashes long keys, RFC 2104;
 * AES-CMAC-PRF-128 condenses keys that are not 16 octets, RFC 4615 3).
 * Returns 0, -EINVAL, -ENOMEM or -EIO. */
int crypto_prf_new(const struct crypto_prf_alg *alg, struct slice key, struct crypto_prf **ret);
void crypto_prf_free(struct crypto_prf *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct crypto_prf *, crypto_prf_free);

const struct crypto_prf_alg *crypto_prf_alg(const struct crypto_prf *p);

/* out = prf(K, parts[0] | parts[1] | ...), alg->out_len octets. */
int crypto_prf_compute(struct crypto_prf *p, const struct slice *parts, size_t n, uint8_t *out);

/*
 * prf+ (RFC 7296 2.13), seed S = parts[0] | parts[1] | ...:
 *   T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02), ...
 *   out = T1 | T2 | ... truncated to out_len.
 * The counter is one octet, so at most 255 * alg->out_len octets can be
 * produced: -EMSGSIZE beyond that.
 */
int crypto_prf_plus(struct crypto_prf *p, const struct slice *parts, size_t n, uint8_t *out,
                    size_t out_len);

/* One-shot: keys a PRF, computes, frees. */
int crypto_prf_oneshot(const struct crypto_prf_alg *alg, struct slice key,
                       const struct slice *parts, size_t n, uint8_t *out);
