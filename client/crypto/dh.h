/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key exchange (IKEv2 Transform Type 4) with the IKE encodings:
 *
 *   MODP 2048/3072/4096 (groups 14-16, RFC 3526): the public value and the
 *       shared secret are zero-padded to the length of the prime
 *       (RFC 7296 3.4, 2.14).
 *   ECP 256/384/521 (groups 19-21, RFC 5903): the public value is x || y,
 *       each coordinate fixed-length, without the SEC1 0x04 prefix; the
 *       shared secret is the x coordinate of the common point (RFC 5903 7).
 *   Curve25519/Curve448 (groups 31/32, RFC 8031): the raw 32/56-octet
 *       public values and shared secret of RFC 7748.
 *
 * Peer public values are checked as RFC 6989 asks before any use: exact
 * length; MODP 1 < y < p-1 and y^q = 1 mod p (q = (p-1)/2, the RFC 3526
 * primes are safe primes); ECP: coordinates below p and the point on the
 * curve (the all-zero x || y, the only way to write the point at infinity,
 * is not); X25519/X448: an all-zero shared secret is refused (RFC 8031 2.3).
 *
 * The private value comes from the caller's RNG (or, for known-answer tests,
 * from the caller directly) and is imported into OpenSSL; private keys and
 * shared secrets are wiped when freed.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "rng.h"

enum crypto_dh_kind {
        CRYPTO_DH_MODP,
        CRYPTO_DH_ECP,
        CRYPTO_DH_XDH,
};

struct crypto_dh_group {
        const char *name;  /* "MODP_2048", "ECP_256", "CURVE25519" */
        uint16_t ikev2_id; /* IKEV2_DH_* */
        enum crypto_dh_kind kind;
        const char *ossl_name; /* OpenSSL group or key type name */
        uint16_t pub_len;      /* KE payload data octets */
        uint16_t secret_len;   /* shared secret octets */
        uint16_t priv_len;     /* private value octets drawn from the RNG */
};

/* NULL when the group is unknown or not implemented. */
const struct crypto_dh_group *crypto_dh_lookup(uint16_t ikev2_id);
const struct crypto_dh_group *crypto_dh_table(size_t *ret_n);

/* One ephemeral key pair. */
struct crypto_dh;

/* Draws a private value from rng. Returns 0, -ENOMEM, -EIO, or the RNG's error. */
int crypto_dh_new(const struct crypto_dh_group *g, const struct tsu_rng *rng,
                  struct crypto_dh **ret);
/*
 * Uses the given private value (known-answer tests). MODP: big-endian
 * exponent, 1 < x < q; ECP: big-endian scalar of exactly the field length,
 * 0 < d < n; X25519/X448: the 32/56 raw octets (clamped by RFC 7748).
 * Returns 0, -EINVAL (out of range or wrong length), -ENOMEM, -EIO.
 */
int crypto_dh_new_from_private(const struct crypto_dh_group *g, struct slice priv,
                               struct crypto_dh **ret);
/* Wipes and frees; NULL-safe. */
void crypto_dh_free(struct crypto_dh *dh);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct crypto_dh *, crypto_dh_free);

const struct crypto_dh_group *crypto_dh_group(const struct crypto_dh *dh);

/* Our public value as it goes into the KE payload (group->pub_len octets),
 * valid as long as dh. */
struct slice crypto_dh_public(const struct crypto_dh *dh);

/*
 * The RFC 6989 checks alone. Returns 0, or
 *   -EBADMSG  the value does not have the group's length
 *   -EINVAL   the value is not a valid public value of the group
 * with *ret_why (if not NULL) pointing at a static sentence for the log.
 */
int crypto_dh_check_public(const struct crypto_dh_group *g, struct slice peer,
                           const char **ret_why);

/*
 * Checks peer (as above) and computes the shared secret g^ir in its IKE
 * encoding, group->secret_len octets, into *ret_secret (free it with
 * bytes_free_secret()). Returns 0, -EBADMSG, -EINVAL (including an all-zero
 * X25519/X448 result), -ENOMEM, -EIO.
 */
int crypto_dh_compute(struct crypto_dh *dh, struct slice peer, struct bytes *ret_secret,
                      const char **ret_why);
