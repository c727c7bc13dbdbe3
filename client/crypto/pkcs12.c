/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pkcs12.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "client/common/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(PKCS12 *, PKCS12_free);

/* A NUL-terminated copy for the APIs that want a C string; wiped by the caller. */
static char *pass_dup(struct slice p)
{
        char *s = malloc(p.len + 1);

        if (!s)
                return NULL;
        if (p.len)
                memcpy(s, p.ptr, p.len);
        s[p.len] = '\0';
        return s;
}

/* One DER PFX and nothing after it, or NULL. */
static PKCS12 *try_pkcs12(struct slice data)
{
        const unsigned char *q = data.ptr;
        PKCS12 *p12;

        if (data.len > LONG_MAX)
                return NULL;
        p12 = d2i_PKCS12(NULL, &q, (long)data.len);
        if (p12 && q != data.ptr + data.len) {
                PKCS12_free(p12);
                return NULL;
        }
        return p12;
}

bool crypto_pkcs12_detect(struct slice data)
{
        PKCS12 *p12 = try_pkcs12(data);

        ERR_clear_error();
        PKCS12_free(p12);
        return p12 != NULL;
}

int crypto_pkcs12_load(struct slice data, struct slice passphrase, EVP_PKEY **ret_key,
                       X509 **ret_cert, STACK_OF(X509) * *ret_chain)
{
        _cleanup_(PKCS12_freep) PKCS12 *p12 = try_pkcs12(data);
        EVP_PKEY *key = NULL;
        X509 *cert = NULL;
        STACK_OF(X509) *chain = NULL;
        char *pass;
        int r = 0;

        if (!p12)
                return -EBADMSG;
        pass = pass_dup(passphrase);
        if (!pass)
                return -ENOMEM;
        /* Check the MAC first: it tells a wrong passphrase from bad data. */
        if (PKCS12_mac_present(p12) && PKCS12_verify_mac(p12, pass, (int)passphrase.len) != 1)
                r = -EKEYREJECTED;
        else if (PKCS12_parse(p12, pass, &key, &cert, &chain) != 1 || !key)
                r = -EBADMSG;
        secure_free(pass, passphrase.len + 1);
        if (r < 0) {
                ERR_clear_error();
                EVP_PKEY_free(key);
                X509_free(cert);
                sk_X509_pop_free(chain, X509_free);
                return r;
        }
        *ret_key = key;
        if (ret_cert)
                *ret_cert = cert;
        else
                X509_free(cert);
        if (ret_chain)
                *ret_chain = chain;
        else
                sk_X509_pop_free(chain, X509_free);
        return 0;
}
