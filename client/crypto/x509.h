/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificates: parsing from bytes, chain verification against the
 * profile's CAs, and matching the gateway's IKE identity.
 *
 * Verification builds an X509_STORE from the CA certificates given as bytes
 * (any of them may be the trust anchor, root or intermediate), adds the
 * intermediates the peer sent as untrusted, checks validity at a time the
 * caller passes in, CRLs when given, and then the end-entity certificate's
 * purpose: if it restricts its key usage it must allow digitalSignature or
 * nonRepudiation (RFC 4945 5.1.3.2); if it has an extended key usage it must
 * include serverAuth, id-kp-ipsecIKE (RFC 4945 5.1.3.12) or anyExtendedKeyUsage.
 *
 * Identity matching (RFC 4945 3.1, 5.1.2) uses OpenSSL's matchers only:
 *   ID_FQDN         a subjectAltName dNSName (X509_check_host, no partial
 *                   wildcards, never the subject CN)
 *   ID_IPV4/6_ADDR  a subjectAltName iPAddress (X509_check_ip)
 *   ID_RFC822_ADDR  a subjectAltName rfc822Name (X509_check_email)
 *   ID_DER_ASN1_DN  the subject DN, exactly (X509_NAME_cmp)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "client/common/bytes.h"

enum crypto_cert_reason {
        CRYPTO_CERT_OK = 0,
        CRYPTO_CERT_MALFORMED, /* not a certificate, bad encoding or signature */
        CRYPTO_CERT_UNTRUSTED, /* no chain to a configured CA */
        CRYPTO_CERT_EXPIRED,
        CRYPTO_CERT_NOT_YET_VALID,
        CRYPTO_CERT_REVOKED,
        CRYPTO_CERT_CRL_PROBLEM,   /* CRL missing (when required), expired, bad */
        CRYPTO_CERT_WRONG_PURPOSE, /* key usage, extended key usage, not a CA */
        CRYPTO_CERT_NAME_MISMATCH, /* the certificate is not for the expected identity */
        CRYPTO_CERT_OTHER,
};

/* Which certificate, and why: for one log line at the edge. */
struct crypto_cert_error {
        enum crypto_cert_reason reason;
        int depth;         /* 0: the gateway's own certificate, 1: its issuer, ... */
        int x509_error;    /* X509_V_ERR_*, 0 if the failure is ours */
        char subject[256]; /* RFC 2253 subject of the certificate at fault */
        char detail[160];  /* what exactly */
};

/* "expired", "untrusted", ... */
const char *crypto_cert_reason_name(enum crypto_cert_reason r);

/* One certificate, DER or PEM. Returns 0, -EBADMSG, -ENOMEM. */
int crypto_cert_load(struct slice data, X509 **ret);
/* Every certificate of a PEM bundle, or one DER certificate; appended to
 * *stack (created if NULL). Returns the number loaded, -EBADMSG, -ENOMEM. */
int crypto_certs_load(struct slice data, STACK_OF(X509) **stack);
/* Every CRL of PEM data, or one DER CRL; appended to *stack (created if NULL). */
int crypto_crls_load(struct slice data, STACK_OF(X509_CRL) **stack);

struct crypto_cert_verify_params {
        STACK_OF(X509) * trusted;   /* the profile's CAs (not consumed) */
        STACK_OF(X509) * untrusted; /* intermediates from the peer, may be NULL */
        STACK_OF(X509_CRL) * crls;  /* may be NULL: no revocation checking */
        time_t now;                 /* the time to check validity at */
        bool crl_required;          /* with crls: a certificate without a CRL fails */
};

/*
 * Verifies the gateway's certificate. Returns 0, or -EPERM with *ret_err
 * filled in (when not NULL), -EINVAL (no trusted CAs), -ENOMEM.
 */
int crypto_cert_verify(X509 *leaf, const struct crypto_cert_verify_params *p,
                       struct crypto_cert_error *ret_err);

/*
 * Checks that cert is for the IKE identity (id_type = IKEV2_ID_*, id_data =
 * the Identification Data of the ID payload). Returns 0, -EPERM
 * (CRYPTO_CERT_NAME_MISMATCH), -EINVAL (a malformed identity: wrong address
 * length, NUL in a name, bad DN encoding), -ENOTSUP (an ID type that cannot
 * be matched against a certificate).
 */
int crypto_cert_match_id(X509 *cert, uint8_t id_type, struct slice id_data,
                         struct crypto_cert_error *ret_err);
