/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "eap_tls_cred.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "client/common/macro.h"
#include "client/crypto/pkcs12.h"

#define MAX_CERTS 16 /* in a CA bundle or a PEM client chain (PKCS#12: pkcs12.h) */

_printf_(2, 3) static void say(struct eap_error *err, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof(err->text), fmt, ap);
        va_end(ap);
}

/* The first OpenSSL error as text, and a clean queue afterwards. */
static const char *ossl_reason(void)
{
        static _Thread_local char buf[128];
        unsigned long e = ERR_peek_error();
        const char *s = e ? ERR_reason_error_string(e) : NULL;

        snprintf(buf, sizeof(buf), "%s", s ? s : "unknown OpenSSL error");
        ERR_clear_error();
        return buf;
}

static bool looks_pem(struct slice s)
{
        static const char tag[] = "-----BEGIN ";
        size_t i = 0;

        while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == '\t' || s.ptr[i] == '\r' ||
                             s.ptr[i] == '\n'))
                i++;
        return s.len - i >= sizeof(tag) - 1 && memcmp(s.ptr + i, tag, sizeof(tag) - 1) == 0;
}

static BIO *mem_bio(struct slice s)
{
        if (s.len > INT32_MAX)
                return NULL;
        return BIO_new_mem_buf(s.ptr, (int)s.len);
}

/* One or more certificates, PEM (any number) or DER (exactly one). */
static int load_certs(struct slice s, const char *what, STACK_OF(X509) **ret,
                      struct eap_error *err)
{
        STACK_OF(X509) *sk = sk_X509_new_null();
        X509 *x;

        if (!sk)
                return -ENOMEM;
        if (looks_pem(s)) {
                BIO *b = mem_bio(s);

                if (!b) {
                        sk_X509_free(sk);
                        return -ENOMEM;
                }
                while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                        if (sk_X509_num(sk) >= MAX_CERTS || !sk_X509_push(sk, x)) {
                                X509_free(x);
                                BIO_free(b);
                                sk_X509_pop_free(sk, X509_free);
                                say(err, "%s: more than %d certificates", what, MAX_CERTS);
                                return -E2BIG;
                        }
                }
                BIO_free(b);
                /* The loop ends at the first block that is not a certificate
                 * or at the end; only the end is fine. */
                if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE ||
                    sk_X509_num(sk) == 0) {
                        say(err, "%s: no usable PEM certificate (%s)", what, ossl_reason());
                        sk_X509_pop_free(sk, X509_free);
                        return -EINVAL;
                }
                ERR_clear_error();
        } else {
                const unsigned char *p = s.ptr;

                if (s.len > LONG_MAX)
                        return -E2BIG;
                x = d2i_X509(NULL, &p, (long)s.len);
                if (!x || (size_t)(p - s.ptr) != s.len) {
                        X509_free(x);
                        sk_X509_free(sk);
                        say(err, "%s: neither PEM nor a single DER certificate (%s)", what,
                            ossl_reason());
                        return -EINVAL;
                }
                if (!sk_X509_push(sk, x)) {
                        X509_free(x);
                        sk_X509_free(sk);
                        return -ENOMEM;
                }
        }
        *ret = sk;
        return 0;
}

struct pass_state {
        struct slice pass; /* ptr NULL: none known */
        bool asked;
};

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
        struct pass_state *st = u;

        st->asked = true;
        if (!st->pass.ptr || size < 0 || st->pass.len > (size_t)size)
                return -1;
        memcpy(buf, st->pass.ptr, st->pass.len);
        return (int)st->pass.len;
}

/* 0 and the key, -EACCES when it is encrypted and pass is missing or wrong. */
static int load_key(struct slice s, struct slice pass, EVP_PKEY **ret, char *reason,
                    size_t reason_size)
{
        struct pass_state st = { .pass = pass };
        EVP_PKEY *key = NULL;

        if (looks_pem(s)) {
                BIO *b = mem_bio(s);

                if (!b)
                        return -ENOMEM;
                key = PEM_read_bio_PrivateKey_ex(b, NULL, pem_pass_cb, &st, NULL, NULL);
                BIO_free(b);
        } else {
                const unsigned char *p = s.ptr;

                if (s.len <= LONG_MAX)
                        key = d2i_AutoPrivateKey_ex(NULL, &p, (long)s.len, NULL, NULL);
        }
        if (!key) {
                if (st.asked) {
                        ERR_clear_error();
                        snprintf(reason, reason_size, "%s",
                                 pass.ptr ? "the private key passphrase is wrong"
                                          : "the private key needs a passphrase");
                        return -EACCES;
                }
                snprintf(reason, reason_size, "unreadable private key (%s)", ossl_reason());
                return -EINVAL;
        }
        *ret = key;
        return 0;
}

/*
 * PKCS#12 through the crypto layer, which reads the legacy algorithms of
 * older tools too (RC2-40). -EACCES when the passphrase is wrong or
 * missing, so that the caller asks for it.
 */
static int p12_load(struct eap_tls_creds *c, struct slice der, struct slice pass, char *reason,
                    size_t reason_size)
{
        struct crypto_pkcs12 p12;
        char why[CRYPTO_PKCS12_REASON_SIZE];
        int r = crypto_pkcs12_open(der, pass, &p12, why, sizeof(why));

        switch (r) {
        case 0:
                break;
        case -EKEYREJECTED:
                snprintf(reason, reason_size, "%s",
                         pass.ptr ? "the PKCS#12 passphrase is wrong"
                                  : "the PKCS#12 file needs a passphrase");
                return -EACCES;
        case -ENOMEM:
                snprintf(reason, reason_size, "out of memory");
                return r;
        case -ENOTSUP:
        case -E2BIG:
                snprintf(reason, reason_size, "%s", why);
                return r;
        default: /* -EBADMSG, -ENOKEY: not a credential we can use */
                snprintf(reason, reason_size, "%s", why);
                return -EINVAL;
        }
        if (!p12.cert) {
                crypto_pkcs12_done(&p12);
                snprintf(reason, reason_size,
                         "the PKCS#12 file holds no certificate for its private key");
                return -EINVAL;
        }
        c->key = TAKE_PTR(p12.key);
        c->cert = TAKE_PTR(p12.cert);
        c->chain = TAKE_PTR(p12.chain);
        return 0;
}

static int check_identity(const char *id, struct eap_error *err)
{
        size_t n;

        if (!id || !id[0]) {
                say(err, "EAP-TLS needs the server identity its certificate must carry");
                return -EINVAL;
        }
        n = strlen(id);
        if (n > 253) {
                say(err, "EAP-TLS server identity is %zu bytes long (at most 253)", n);
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] >= 0x7f) {
                        say(err, "EAP-TLS server identity has a non-printable byte at %zu", i);
                        return -EINVAL;
                }
        return 0;
}

static int check_pair(struct eap_tls_creds *c, struct eap_error *err)
{
        if (!X509_check_private_key(c->cert, c->key)) {
                ERR_clear_error();
                say(err, "EAP-TLS client certificate and private key do not belong together");
                return -EINVAL;
        }
        return 0;
}

int eap_tls_creds_load(struct eap_tls_creds *c, const struct eap_tls_config *cfg,
                       struct eap_error *err)
{
        STACK_OF(X509) *certs = NULL;
        char reason[160];
        int r, n_sources;

        *c = (struct eap_tls_creds){ 0 };
        r = check_identity(cfg->server_identity, err);
        if (r < 0)
                return r;
        if (cfg->now <= 0) {
                say(err, "EAP-TLS needs the time to check certificates against");
                return -EINVAL;
        }
        c->fragment_size = cfg->fragment_size ? cfg->fragment_size : EAP_TLS_DEFAULT_FRAGMENT_SIZE;
        if (c->fragment_size < EAP_TLS_MIN_FRAGMENT_SIZE ||
            c->fragment_size > EAP_TLS_MAX_FRAGMENT_SIZE) {
                say(err, "EAP-TLS fragment size %zu is outside %d..%d", c->fragment_size,
                    EAP_TLS_MIN_FRAGMENT_SIZE, EAP_TLS_MAX_FRAGMENT_SIZE);
                return -EINVAL;
        }
        if (cfg->max_version != 0 && cfg->max_version != TLS1_2_VERSION &&
            cfg->max_version != TLS1_3_VERSION) {
                say(err, "EAP-TLS maximum version 0x%04x is neither TLS 1.2 nor TLS 1.3",
                    (unsigned)cfg->max_version);
                return -EINVAL;
        }
        if (cfg->tls13_keying != EAP_TLS13_RFC9190 && cfg->tls13_keying != EAP_TLS13_DRAFT) {
                say(err, "unknown EAP-TLS 1.3 keying %d", (int)cfg->tls13_keying);
                return -EINVAL;
        }
        c->max_version = cfg->max_version ? cfg->max_version : TLS1_3_VERSION;
        c->tls13_keying = cfg->tls13_keying;
        c->now = cfg->now;

        r = -ENOMEM;
        c->server_identity = strdup(cfg->server_identity);
        c->store = X509_STORE_new();
        if (!c->server_identity || !c->store)
                goto fail;
        /* A configured intermediate CA is a trust anchor in its own right. */
        X509_STORE_set_flags(c->store, X509_V_FLAG_PARTIAL_CHAIN);

        if (cfg->ca_pem.len > 0) {
                r = load_certs(cfg->ca_pem, "EAP-TLS CA", &certs, err);
                if (r < 0)
                        goto fail;
                for (int i = 0; i < sk_X509_num(certs); i++)
                        if (!X509_STORE_add_cert(c->store, sk_X509_value(certs, i))) {
                                say(err, "EAP-TLS CA %d: %s", i + 1, ossl_reason());
                                r = -EINVAL;
                                goto fail;
                        }
                sk_X509_pop_free(TAKE_PTR(certs), X509_free);
        }
        for (size_t i = 0; i < cfg->n_ca_certs; i++)
                if (!cfg->ca_certs[i] || !X509_STORE_add_cert(c->store, cfg->ca_certs[i])) {
                        say(err, "EAP-TLS CA object %zu: %s", i + 1,
                            cfg->ca_certs[i] ? ossl_reason() : "NULL");
                        r = -EINVAL;
                        goto fail;
                }
        if (cfg->ca_pem.len == 0 && cfg->n_ca_certs == 0) {
                say(err, "EAP-TLS needs at least one CA certificate to verify the server");
                r = -EINVAL;
                goto fail;
        }

        n_sources = (cfg->pkcs12.len > 0) + (cfg->cert_pem.len > 0 || cfg->key_pem.len > 0) +
                    (cfg->cert || cfg->key);
        if (n_sources > 1) {
                say(err, "EAP-TLS client credential given more than one way "
                         "(PKCS#12, PEM, objects)");
                r = -EINVAL;
                goto fail;
        }
        if (cfg->pkcs12.len > 0) {
                r = p12_load(c, cfg->pkcs12, SLICE(NULL, 0), reason, sizeof(reason));
                if (r == -EACCES) {
                        r = bytes_dup(&c->locked_pkcs12, cfg->pkcs12);
                        if (r < 0)
                                goto fail;
                } else if (r < 0) {
                        say(err, "EAP-TLS client PKCS#12: %s", reason);
                        goto fail;
                }
        } else if (cfg->cert_pem.len > 0 || cfg->key_pem.len > 0) {
                if (cfg->cert_pem.len == 0 || cfg->key_pem.len == 0) {
                        say(err, "EAP-TLS client certificate and key must be given together");
                        r = -EINVAL;
                        goto fail;
                }
                r = load_certs(cfg->cert_pem, "EAP-TLS client certificate", &certs, err);
                if (r < 0)
                        goto fail;
                c->cert = sk_X509_shift(certs);
                c->chain = TAKE_PTR(certs);
                r = load_key(cfg->key_pem, SLICE(NULL, 0), &c->key, reason, sizeof(reason));
                if (r == -EACCES) {
                        r = bytes_dup(&c->locked_key, cfg->key_pem);
                        if (r < 0)
                                goto fail;
                } else if (r < 0) {
                        say(err, "EAP-TLS client key: %s", reason);
                        goto fail;
                } else {
                        r = check_pair(c, err);
                        if (r < 0)
                                goto fail;
                }
        } else if (cfg->cert || cfg->key) {
                if (!cfg->cert || !cfg->key) {
                        say(err, "EAP-TLS client certificate and key must be given together");
                        r = -EINVAL;
                        goto fail;
                }
                if (!X509_up_ref(cfg->cert))
                        goto fail;
                c->cert = cfg->cert;
                if (!EVP_PKEY_up_ref(cfg->key))
                        goto fail;
                c->key = cfg->key;
                if (cfg->chain) {
                        c->chain = X509_chain_up_ref(cfg->chain);
                        if (!c->chain)
                                goto fail;
                }
                r = check_pair(c, err);
                if (r < 0)
                        goto fail;
        }
        return 0;
fail:
        if (r == -ENOMEM)
                say(err, "out of memory loading EAP-TLS credentials");
        sk_X509_pop_free(certs, X509_free);
        eap_tls_creds_done(c);
        return r;
}

int eap_tls_creds_unlock(struct eap_tls_creds *c, struct slice passphrase, char *reason,
                         size_t reason_size)
{
        int r;

        if (c->locked_pkcs12.ptr) {
                r = p12_load(c, SLICE_OF(c->locked_pkcs12), passphrase, reason, reason_size);
                if (r < 0)
                        return r;
                bytes_free_secret(&c->locked_pkcs12);
        }
        if (c->locked_key.ptr) {
                r = load_key(SLICE_OF(c->locked_key), passphrase, &c->key, reason, reason_size);
                if (r < 0)
                        return r;
                bytes_free_secret(&c->locked_key);
                if (!X509_check_private_key(c->cert, c->key)) {
                        ERR_clear_error();
                        snprintf(reason, reason_size,
                                 "the client certificate and private key do not belong together");
                        return -EINVAL;
                }
        }
        return 0;
}

void eap_tls_creds_done(struct eap_tls_creds *c)
{
        if (!c)
                return;
        X509_STORE_free(c->store);
        X509_free(c->cert);
        EVP_PKEY_free(c->key);
        sk_X509_pop_free(c->chain, X509_free);
        bytes_free_secret(&c->locked_pkcs12);
        bytes_free_secret(&c->locked_key);
        free(c->server_identity);
        *c = (struct eap_tls_creds){ 0 };
}
