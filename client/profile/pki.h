/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificates and keys held by a profile, through OpenSSL 3: what the
 * validator checks at import time, and what the daemon loads to connect.
 */
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/profile/profile.h"

/* Loads the client certificate, its private key and any chain certificates
 * (PKCS#12) of p, decrypting with passphrase (or p->client_passphrase when
 * NULL). Returns 0, -EKEYREJECTED (wrong or missing passphrase), -EBADMSG
 * (unreadable), -ENOENT (the profile has no client credentials). ret_chain
 * may be NULL. Outputs are written only on success. */
int profile_load_client(const struct profile *p, const char *passphrase, X509 **ret_cert,
                        EVP_PKEY **ret_key, STACK_OF(X509) **ret_chain);

/* The embedded CA certificates as a stack (empty if none). */
int profile_load_cas(const struct profile *p, STACK_OF(X509) **ret);

/* The subject of x as one RFC 2253 line ("CN=vpn.example.com,O=Example"). */
char *pki_name_string(const X509_NAME *name);

/* Splits PEM text into DER certificates (each a struct bytes in *ret, g_free'd
 * array); any other PEM block or junk between blocks is an error. Returns the
 * count, or -EBADMSG with *ret_why set. */
int pki_pem_certificates(const char *pem, size_t len, struct bytes **ret, const char **ret_why);
