/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PKCS#12 (RFC 7292) files: a private key, its certificate and a chain.
 */
#pragma once

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"

/* Whether data is one DER PKCS#12 PFX and nothing after it (what
 * crypto_privkey_load() uses to pick its reader). */
bool crypto_pkcs12_detect(struct slice data);

/*
 * PKCS#12: the key, its certificate and any further certificates (the chain).
 * ret_cert and ret_chain may be NULL. Errors as crypto_privkey_load().
 */
int crypto_pkcs12_load(struct slice data, struct slice passphrase, EVP_PKEY **ret_key,
                       X509 **ret_cert, STACK_OF(X509) * *ret_chain);
