/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test PKI built at test time with OpenSSL: keys, certificates and CRLs,
 * so that no private key is ever committed.
 */
#pragma once

#include <stdbool.h>
#include <time.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* "RSA:2048", "RSA-PSS:2048", "EC:P-256", "EC:P-384", "EC:P-521", "ED25519" */
EVP_PKEY *pki_key(const char *spec);

struct pki_cert_opts {
        const char *subject; /* "CN=Test CA,O=tsunagu" */
        time_t not_before, not_after;
        long serial;
        bool ca;
        const char *san; /* "DNS:vpn.example.org,IP:192.0.2.1" (X509v3 config syntax) */
        const char *eku; /* "serverAuth,1.3.6.1.5.5.7.3.17" */
        const char *ku;  /* "digitalSignature,keyEncipherment" */
};

/* Self-signed when issuer is NULL. */
X509 *pki_cert(const struct pki_cert_opts *o, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key);

X509_CRL *pki_crl(X509 *issuer, EVP_PKEY *issuer_key, time_t last_update, time_t next_update,
                  const long *revoked, size_t n_revoked);

X509_NAME *pki_name(const char *dn);
GBytes *pki_cert_der(X509 *x);
GBytes *pki_cert_pem(X509 *x);
GBytes *pki_crl_der(X509_CRL *c);
