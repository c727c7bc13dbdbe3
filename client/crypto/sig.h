/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private keys and the signatures of IKEv2 AUTH payloads.
 *
 * AUTH methods (RFC 7296 3.8, RFC 4754, RFC 7427):
 *    1  RSA Digital Signature: RSASSA-PKCS1-v1_5 with SHA-1
 *    9  ECDSA with SHA-256 on P-256 \
 *   10  ECDSA with SHA-384 on P-384  } signature = r || s, each as long as
 *   11  ECDSA with SHA-512 on P-521 /  the curve order (RFC 4754 7)
 *   14  Digital Signature (RFC 7427): the AUTH data is
 *
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       | ASN.1 Length  | AlgorithmIdentifier ASN.1 object              |
 *       +-+-+-+-+-+-+-+-+                                               +
 *       ~                     ...                                       ~
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       ~                     Signature Value                           ~
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *       with the X.509 signature encodings (ECDSA: DER Ecdsa-Sig-Value).
 *       Supported: RSA PKCS#1 v1.5 and RSA-PSS with SHA-256/384/512, ECDSA
 *       with SHA-256/384/512, Ed25519 (RFC 8420, hash "Identity").
 *
 * Verification uses EVP_DigestVerify (OpenSSL checks the PKCS#1 DigestInfo,
 * the PSS encoding and the ECDSA ranges); nothing is parsed by hand beyond
 * the AlgorithmIdentifier, which goes through d2i_X509_ALGOR.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"
#include "client/crypto/pkcs12.h"

enum crypto_sig_scheme {
        CRYPTO_SIG_NONE = 0,
        CRYPTO_SIG_RSA_PKCS1_SHA1, /* method 1 only */
        CRYPTO_SIG_RSA_PKCS1_SHA256,
        CRYPTO_SIG_RSA_PKCS1_SHA384,
        CRYPTO_SIG_RSA_PKCS1_SHA512,
        CRYPTO_SIG_RSA_PSS_SHA256, /* MGF1 with the same hash, salt = hash length */
        CRYPTO_SIG_RSA_PSS_SHA384,
        CRYPTO_SIG_RSA_PSS_SHA512,
        CRYPTO_SIG_ECDSA_SHA256,
        CRYPTO_SIG_ECDSA_SHA384,
        CRYPTO_SIG_ECDSA_SHA512,
        CRYPTO_SIG_ED25519,
};

/* "RSA-PSS-SHA384" etc., for logs. */
const char *crypto_sig_scheme_name(enum crypto_sig_scheme s);
/* The RFC 7427 hash algorithm of a scheme (IKEV2_HASH_*); 0 for none. */
uint16_t crypto_sig_scheme_hash(enum crypto_sig_scheme s);

/* ------------------------------------------------------------------ keys */

/*
 * Loads a private key from bytes: PEM or DER (PKCS#8, encrypted PKCS#8,
 * traditional RSA/EC), or PKCS#12 (its one key, through crypto_pkcs12_open()
 * with the passphrase rules of pkcs12.h). passphrase may be empty. Never
 * from a path. Returns 0, -EBADMSG (not a key we can read, or the wrong
 * passphrase for PEM/DER), -EKEYREJECTED (PKCS#12 that does not open with
 * this passphrase), -ENOMEM.
 */
int crypto_privkey_load(struct slice data, struct slice passphrase, EVP_PKEY **ret);

/* crypto_pkcs12_load() lives in pkcs12.h, included above. */

/* ------------------------------------------------------------------ AUTH */

/*
 * The RFC 7427 scheme to sign with, given the hash algorithms the peer
 * announced in SIGNATURE_HASH_ALGORITHMS (IKEV2_HASH_* values as received).
 * The hash follows the key's strength (RSA < 3072 bits and P-256: SHA-256;
 * RSA < 7680 and P-384: SHA-384; above: SHA-512), moving to the nearest
 * stronger one the peer supports, else the strongest weaker one; SHA-1 is
 * never chosen. RSA keys sign PKCS#1 v1.5 unless prefer_pss (RSA-PSS keys
 * always sign PSS); Ed25519 needs "Identity" (RFC 8420).
 * Returns 0, or -ENOTSUP when nothing fits (use the key's classic method).
 */
int crypto_sig_pick_scheme(EVP_PKEY *key, const uint16_t *peer_hashes, size_t n, bool prefer_pss,
                           enum crypto_sig_scheme *ret);

/* The hash algorithms we announce in SIGNATURE_HASH_ALGORITHMS, in order. */
size_t crypto_sig_supported_hashes(uint16_t out[static 4]);

/* The classic AUTH method for a key: 1 (RSA), 9/10/11 (ECDSA on P-256/384/521).
 * -ENOTSUP for other keys (Ed25519 has only method 14). */
int crypto_sig_classic_method(EVP_PKEY *key, uint8_t *ret_method);

/*
 * Signs octets (from ike_auth_octets()) and returns the AUTH payload data
 * (without the Auth Method octet and RESERVED). scheme is used for method 14
 * and ignored for the others. Returns 0, -EINVAL (the key does not fit the
 * method or scheme), -ENOTSUP (unknown method), -ENOMEM, -EIO.
 */
int crypto_auth_sign(EVP_PKEY *key, uint8_t method, enum crypto_sig_scheme scheme,
                     struct slice octets, struct bytes *ret);

enum crypto_auth_verify_flags {
        /* Accept method 1 (RSA with SHA-1). Without it method 1 is refused. */
        CRYPTO_AUTH_ALLOW_SHA1 = 1 << 0,
};

/*
 * Verifies AUTH payload data against octets with the peer's public key.
 * On success *ret_scheme (if not NULL) says what was verified, so the
 * caller can apply its policy. Returns 0, or:
 *   -EBADMSG       malformed AUTH data (RFC 7427 prefix, ECDSA length)
 *   -ENOTSUP       an unknown method or signature algorithm
 *   -EPERM         refused by policy (SHA-1) or the key does not match the
 *                  method/algorithm (e.g. an RSA key for method 9)
 *   -EKEYREJECTED  the signature does not verify
 * with *ret_why (if not NULL) pointing at a static sentence.
 */
int crypto_auth_verify(EVP_PKEY *pub, uint8_t method, struct slice auth_data, struct slice octets,
                       unsigned flags, enum crypto_sig_scheme *ret_scheme, const char **ret_why);

/*
 * The RFC 7427 AlgorithmIdentifier of a scheme, DER, built with X509_ALGOR
 * (for tests and logs). Returns 0, -EINVAL, -ENOMEM.
 */
int crypto_sig_algorithm_identifier(enum crypto_sig_scheme s, struct bytes *ret);
