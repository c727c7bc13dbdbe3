/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP-TLS credentials: the trust anchors for the server certificate and the
 * client certificate, chain and key, loaded from PEM, DER, PKCS#12 or
 * OpenSSL objects. Internal to client/ike.
 *
 * Everything that needs no passphrase is loaded when the peer is created,
 * so a broken profile is reported at once. A PKCS#12 file or an encrypted
 * PEM key whose passphrase is not known yet stays as bytes (wiped on free)
 * until eap_tls_creds_unlock() gets one.
 */
#pragma once

#include <stdint.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"
#include "eap.h"

struct eap_tls_creds {
        X509_STORE *store; /* trust anchors, verification time and identity checks are per SSL */
        X509 *cert;
        EVP_PKEY *key;
        STACK_OF(X509) *chain;
        struct bytes locked_pkcs12; /* DER, waiting for its passphrase */
        struct bytes locked_key;    /* encrypted PEM key, waiting for its passphrase */

        char *server_identity;
        int64_t now;
        size_t fragment_size;
        int max_version;
        enum eap_tls13_keying tls13_keying;
};

int eap_tls_creds_load(struct eap_tls_creds *c, const struct eap_tls_config *cfg,
                       struct eap_error *err);

/* Whether a passphrase is still needed before the client credential can be used. */
static inline bool eap_tls_creds_locked(const struct eap_tls_creds *c)
{
        return c->locked_pkcs12.ptr || c->locked_key.ptr;
}

/* Unlocks the client credential with the passphrase: 0, -EACCES when it is
 * wrong, otherwise -EINVAL (unusable), -ENOTSUP (an algorithm OpenSSL lacks),
 * -E2BIG (beyond a limit of client/crypto/pkcs12.h) or -ENOMEM; reason says
 * what. */
int eap_tls_creds_unlock(struct eap_tls_creds *c, struct slice passphrase, char *reason,
                         size_t reason_size);

void eap_tls_creds_done(struct eap_tls_creds *c);
