/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IKEv2 key schedule (RFC 7296 2.13-2.18), NAT detection hashes (2.23)
 * and the AUTH payload computations (2.15, 2.16).
 *
 * Everything is driven by values, so that a test (or a strongSwan key log)
 * can feed Ni, Nr, SPIi, SPIr, g^ir and the algorithms in and compare every
 * SK_* out:
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *
 * Key lengths come from the negotiated suite: SK_a* are the integrity key
 * length (none for AEAD, RFC 5282 7.1), SK_e* the encryption key material
 * including the AEAD salt (RFC 5282 7.1, RFC 7634 2), SK_d/SK_p* the PRF's
 * preferred key length (RFC 7296 2.14). All outputs are wiped when freed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/crypto/aead.h"
#include "client/crypto/prf.h"

struct ike_keys {
        struct bytes sk_d;
        struct bytes sk_ai, sk_ar; /* empty for AEAD suites */
        struct bytes sk_ei, sk_er; /* salt included for AEAD suites */
        struct bytes sk_pi, sk_pr;
};

/* Wipes and frees every key; NULL-safe, leaves *k empty. */
void ike_keys_wipe(struct ike_keys *k);

/*
 * SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 2.14). A PRF with a fixed key
 * length (AES-CMAC-PRF-128) is keyed with the first key_len/2 octets of Ni
 * and of Nr. prf->out_len octets into *ret (wipe with bytes_free_secret()).
 * Returns 0, -EINVAL (a nonce too short for a fixed-key PRF), -ENOMEM, -EIO.
 */
int ike_skeyseed(const struct crypto_prf_alg *prf, struct slice ni, struct slice nr,
                 struct slice g_ir, struct bytes *ret);

/*
 * Rekeying an IKE SA (RFC 7296 2.18): SKEYSEED = prf(SK_d (old), g^ir (new)
 * | Ni | Nr) with the old SA's PRF, the nonces of the CREATE_CHILD_SA exchange.
 */
int ike_skeyseed_rekey(const struct crypto_prf_alg *old_prf, struct slice old_sk_d,
                       struct slice g_ir, struct slice ni, struct slice nr, struct bytes *ret);

/* The seven keys from SKEYSEED: prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
int ike_keys_from_skeyseed(const struct crypto_prf_alg *prf, const struct crypto_suite *suite,
                           struct slice skeyseed, struct slice ni, struct slice nr,
                           const uint8_t spi_i[static 8], const uint8_t spi_r[static 8],
                           struct ike_keys *ret);

/* Both steps for IKE_SA_INIT. */
int ike_keys_derive(const struct crypto_prf_alg *prf, const struct crypto_suite *suite,
                    struct slice ni, struct slice nr, const uint8_t spi_i[static 8],
                    const uint8_t spi_r[static 8], struct slice g_ir, struct ike_keys *ret);

/* Both steps for a rekeyed IKE SA: old_prf/old_sk_d from the SA being
 * rekeyed, prf/suite/SPIs/nonces of the new one. */
int ike_keys_derive_rekey(const struct crypto_prf_alg *old_prf, struct slice old_sk_d,
                          const struct crypto_prf_alg *prf, const struct crypto_suite *suite,
                          struct slice ni, struct slice nr, const uint8_t spi_i[static 8],
                          const uint8_t spi_r[static 8], struct slice g_ir, struct ike_keys *ret);

/*
 * The SK payload contexts of an IKE SA: we send with SK_e/SK_a of our role
 * and receive with the peer's. Returns 0 or crypto_aead_new()'s error; on
 * failure neither context is returned.
 */
int ike_keys_sk_contexts(const struct ike_keys *k, const struct crypto_suite *suite, bool initiator,
                         struct crypto_aead **ret_out, struct crypto_aead **ret_in);

/* A CHILD SA's keys (RFC 7296 2.17): KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr),
 * taken as encr_i, integ_i (initiator to responder) then encr_r, integ_r. */
struct ike_child_keys {
        struct bytes encr_i, integ_i;
        struct bytes encr_r, integ_r;
};

void ike_child_keys_wipe(struct ike_child_keys *k);

/* g_ir is empty without PFS. */
int ike_child_keys_derive(const struct crypto_prf_alg *prf, struct slice sk_d, struct slice g_ir,
                          struct slice ni, struct slice nr, const struct crypto_suite *suite,
                          struct ike_child_keys *ret);

/*
 * NAT_DETECTION_*_IP data (RFC 7296 2.23): SHA1(SPIi | SPIr | IP | Port),
 * ip being the 4 or 16 address octets, port in host order (hashed in
 * network order). In IKE_SA_INIT the request's SPIr is zero.
 * Returns 0, -EINVAL (not an IPv4/IPv6 address length), -EIO.
 */
int ike_natd_hash(const uint8_t spi_i[static 8], const uint8_t spi_r[static 8], struct slice ip,
                  uint16_t port, uint8_t out[static 20]);

/*
 * The octets an AUTH payload signs or MACs (RFC 7296 2.15):
 *   RealMessage | Nonce | prf(SK_p, RestOfIDPayload)
 * For the initiator: its IKE_SA_INIT request, the responder's nonce (data
 * only), SK_pi and its IDi payload body; for the responder: its IKE_SA_INIT
 * response, Ni, SK_pr, IDr. id_body is the ID payload without its generic
 * header: ID Type (1) | RESERVED (3) | Identification Data.
 */
int ike_auth_octets(const struct crypto_prf_alg *prf, struct slice real_message, struct slice nonce,
                    struct slice sk_p, struct slice id_body, struct bytes *ret);

/*
 * Shared-key AUTH (RFC 7296 2.15, and 2.16 for EAP with the MSK, or SK_pi /
 * SK_pr when the method has none): prf(prf(secret, "Key Pad for IKEv2"),
 * octets), prf->out_len octets into out.
 */
int ike_auth_shared_key(const struct crypto_prf_alg *prf, struct slice secret, struct slice octets,
                        uint8_t *out);

/* Compares the peer's AUTH data with ours in constant time: 0, -EBADMSG
 * (wrong length or value), or a computation error. */
int ike_auth_shared_key_verify(const struct crypto_prf_alg *prf, struct slice secret,
                               struct slice octets, struct slice received);
