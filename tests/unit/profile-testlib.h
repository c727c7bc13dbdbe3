/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the profile tests: certificates, keys, PKCS#12 and CMS made at
 * test time with OpenSSL (nothing secret is committed for these), the test
 * vectors of tests/vectors/profiles/, and import assertions.
 */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/profile/profile.h"

/* An EC P-256 key. */
EVP_PKEY *tl_key(void);
/* A certificate for cn valid from now+from_s to now+to_s (seconds), signed
 * by issuer/issuer_key, or self-signed when issuer is NULL. */
X509 *tl_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca,
              long from_s, long to_s);
char *tl_b64_cert(X509 *x);
char *tl_pem_cert(X509 *x);
/* PKCS#8 PEM, encrypted with AES-256-CBC when pass is not NULL. */
char *tl_pem_key(EVP_PKEY *k, const char *pass);
/* base64 of a DER PKCS#12 (AES-256, PBKDF2) holding cert and key. */
char *tl_b64_p12(X509 *cert, EVP_PKEY *key, const char *pass);
/* DER CMS SignedData of data by signer (with extra in the certificate set). */
GBytes *tl_cms_sign(const void *data, size_t len, X509 *signer, EVP_PKEY *key, X509 *extra);
/* Newlines as \n, for a keyfile value; takes s. */
char *tl_escape_newlines(char *s);
/* Writes x as PEM into dir/name. */
void tl_write_pem(const char *dir, const char *name, X509 *x);

/* The bytes of tests/vectors/profiles/NAME. */
GBytes *tl_vector(const char *name);
char *tl_vector_text(const char *name);
/* s with every from replaced by to. */
char *tl_replace(const char *s, const char *from, const char *to);
/* A fresh temporary directory (removed with tl_rmtree). */
char *tl_tmpdir(void);
void tl_rmtree(const char *dir);

/* Imports and fails the test (printing the report) unless it succeeds. */
struct profile *tl_import(const void *data, size_t len, const struct profile_import_options *o,
                          struct profile_report *rep);
/* Imports and fails the test unless it fails with an error diagnostic for
 * exactly this field, with this code, whose message contains says (if not
 * NULL). Returns the import's return value. */
int tl_expect_error(const void *data, size_t len, const struct profile_import_options *o,
                    const char *field, enum profile_code code, const char *says);
/* The first warning for field, or NULL. */
const struct profile_diag *tl_find_warning(const struct profile_report *r, const char *field,
                                           enum profile_code code);
void tl_print_report(const struct profile_report *r);
/* Every model field equal (secrets included). */
void tl_assert_profiles_equal(const struct profile *a, const struct profile *b);
