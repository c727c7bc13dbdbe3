/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PKCS#12 (RFC 7292) files: a private key, its certificate and a chain. The
 * one reader of the project; the profile validator, the EAP-TLS credentials
 * and crypto_privkey_load() (sig.h) all come here.
 *
 *   PFX ::= SEQUENCE { version 3, authSafe ContentInfo, macData MacData OPTIONAL }
 *   authSafe: a SEQUENCE OF ContentInfo, each "data" (SafeContents in the
 *             clear) or "encryptedData" (SafeContents encrypted with a
 *             password-based scheme: PBES2 with AES, or a PKCS#12 PBE such as
 *             3DES or RC2-40 in files from older tools)
 *   SafeContents: a SEQUENCE OF SafeBag: keyBag, pkcs8ShroudedKeyBag (an
 *             encrypted PKCS#8 key), certBag, crlBag, secretBag, or a nested
 *             safeContentsBag
 *
 * Decryption runs in the legacy library context (legacy.h), so RC2-40, RC4
 * and single-DES files open without loading the legacy provider into the
 * default context; the key and certificates are decoded in the default
 * context, where the TLS and IKE code use them.
 *
 * Passphrases. RFC 7292 B.1 encodes a passphrase as a BMPString with a
 * two-zero-byte terminator, so the empty passphrase is 00 00; some tools
 * write "no passphrase" as zero bytes instead. Hence:
 *   - a non-empty passphrase is the only one tried: when it does not open
 *     the file the answer is -EKEYREJECTED, never a retry with the empty one
 *     (with a MAC, the reason text says when the file has no passphrase);
 *   - no passphrase (passphrase.ptr NULL) and an empty one (.len 0) are the
 *     same: both encodings of the empty passphrase are tried, 00 00 first.
 * With a MAC (macData) the MAC decides which of them is right before
 * anything is decrypted; without one, a candidate is right when every
 * encrypted part decrypts with it.
 *
 * Limits on what a hostile file controls: CRYPTO_PKCS12_MAX_* below and one
 * private key. Every key derivation (each MAC check, each decryption, for
 * each passphrase encoding tried) is costed before it runs: at most
 * CRYPTO_PKCS12_MAX_ITER iterations each (scrypt: 4 * N * r * p), at most
 * CRYPTO_PKCS12_MAX_WORK for the whole call, so a hostile file costs a
 * bounded few seconds of CPU at worst.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"

#define CRYPTO_PKCS12_MAX_CERTS   16      /* certificate bags, the key's own included */
#define CRYPTO_PKCS12_MAX_BAGS    64      /* ContentInfos and SafeBags of every kind */
#define CRYPTO_PKCS12_MAX_DEPTH   2       /* nested safeContentsBags below the top level */
#define CRYPTO_PKCS12_MAX_ITER    1000000 /* KDF iterations (OpenSSL writes 2048) */
#define CRYPTO_PKCS12_MAX_WORK    4000000 /* KDF iterations spent on one file in all */
#define CRYPTO_PKCS12_REASON_SIZE 160     /* enough for every reason text */

struct crypto_pkcs12 {
        EVP_PKEY *key;          /* always set */
        X509 *cert;             /* the first certificate, in file order, that matches key;
                                 * NULL when none does */
        STACK_OF(X509) * chain; /* every other certificate, in file order; never NULL */
};

/*
 * Opens a DER PKCS#12 file with passphrase (see above for the empty one).
 * On success fills *ret (free it with crypto_pkcs12_done()). Returns 0, or:
 *   -EBADMSG       not one DER PKCS#12 structure (or bytes after it), a part
 *                  that does not decode, or contents that do not decrypt
 *                  with the passphrase the MAC verifies with
 *   -EKEYREJECTED  the passphrase is wrong, or the file needs one and none
 *                  (or the empty one) was given
 *   -ENOTSUP       an algorithm (MAC, encryption, key derivation, key type)
 *                  that OpenSSL lacks even with the legacy provider, or
 *                  public-key privacy mode (envelopedData)
 *   -E2BIG         beyond a limit: certificates, bags, nesting, KDF cost,
 *                  more than one private key, a passphrase over INT_MAX bytes
 *   -ENOKEY        no private key in the file
 *   -ENOMEM
 * and, when reason is not NULL, one sentence in it saying what (without the
 * passphrase, of course). Nothing is written to *ret on failure. OpenSSL's
 * error queue is left empty.
 */
int crypto_pkcs12_open(struct slice der, struct slice passphrase, struct crypto_pkcs12 *ret,
                       char *reason, size_t reason_size);

/* Frees what crypto_pkcs12_open() returned and zeroes *p; NULL-safe. */
void crypto_pkcs12_done(struct crypto_pkcs12 *p);

/* Whether data is one DER PKCS#12 PFX and nothing after it (what
 * crypto_privkey_load() uses to pick its reader). */
bool crypto_pkcs12_detect(struct slice data);

/*
 * crypto_pkcs12_open() for callers that want the parts one by one: the key,
 * the certificate that matches it (NULL when none does) and the other
 * certificates (a stack, maybe empty). ret_cert and ret_chain may be NULL.
 * Same return values.
 */
int crypto_pkcs12_load(struct slice data, struct slice passphrase, EVP_PKEY **ret_key,
                       X509 **ret_cert, STACK_OF(X509) * *ret_chain);
