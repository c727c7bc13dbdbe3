/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificate and key checks with OpenSSL 3 (EVP and X509 APIs; PKCS#12
 * through client/crypto/pkcs12.h):
 * a profile's CA certificates must parse and be valid now; its client
 * credentials must decrypt with the given passphrase, the key must match
 * the certificate, and the certificate must be valid now.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "client/crypto/pkcs12.h"
#include "internal.h"
#include "pki.h"

static void x509_freep(X509 **x)
{
        X509_free(*x);
}
static void pkey_freep(EVP_PKEY **k)
{
        EVP_PKEY_free(*k);
}
static void bio_freep(BIO **b)
{
        BIO_free(*b);
}
static void chain_freep(STACK_OF(X509) **s)
{
        sk_X509_pop_free(*s, X509_free);
}

/* The first OpenSSL error as text, and the queue emptied. */
static const char *ossl_reason(char buf[static 160])
{
        unsigned long e = ERR_peek_last_error();

        if (e == 0)
                snprintf(buf, 160, "no detail");
        else
                ERR_error_string_n(e, buf, 160);
        ERR_clear_error();
        return buf;
}

char *pki_name_string(const X509_NAME *name)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *data, *s;
        long n;

        if (!b)
                return g_strdup("?");
        if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
                BIO_free(b);
                return g_strdup("?");
        }
        n = BIO_get_mem_data(b, &data);
        s = g_strndup(data, n > 0 ? (gsize)n : 0);
        BIO_free(b);
        return s;
}

static char *time_string(const ASN1_TIME *t)
{
        struct tm tm;

        if (ASN1_TIME_to_tm(t, &tm) != 1)
                return g_strdup("?");
        return g_strdup_printf("%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900,
                               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

X509 *pki_parse_der(struct slice der)
{
        const unsigned char *q = der.ptr;
        X509 *x;

        if (der.len == 0 || der.len > LONG_MAX)
                return NULL;
        x = d2i_X509(NULL, &q, (long)der.len);
        if (x && q != der.ptr + der.len) {
                /* Trailing bytes: not one certificate. */
                X509_free(x);
                x = NULL;
        }
        ERR_clear_error();
        return x;
}

/* 0 if x is valid at now; else an error reported. */
static int check_validity(struct import_ctx *c, const char *field, X509 *x, const char *what)
{
        time_t now = (time_t)c->now;
        g_autofree char *subject = pki_name_string(X509_get_subject_name(x));

        if (X509_cmp_time(X509_get0_notBefore(x), &now) > 0) {
                g_autofree char *t = time_string(X509_get0_notBefore(x));

                report_error(c->report, PROFILE_E_CERT, field,
                             "%s \"%s\" is not valid yet (valid from %s)", what, subject, t);
                return -EINVAL;
        }
        if (X509_cmp_time(X509_get0_notAfter(x), &now) < 0) {
                g_autofree char *t = time_string(X509_get0_notAfter(x));

                report_error(c->report, PROFILE_E_CERT, field, "%s \"%s\" expired on %s", what,
                             subject, t);
                return -EINVAL;
        }
        return 0;
}

int pki_check_ca(struct import_ctx *c, const char *field, struct slice der)
{
        _cleanup_(x509_freep) X509 *x = pki_parse_der(der);
        g_autofree char *subject = NULL;

        if (!x) {
                report_error(c->report, PROFILE_E_CERT, field,
                             "not a DER X.509 certificate (%zu bytes)", der.len);
                return -EINVAL;
        }
        if (check_validity(c, field, x, "CA certificate") < 0)
                return -EINVAL;
        /* A gateway certificate pinned directly (strongSwan allows it) is fine; a
         * certificate that says it is a CA must be allowed to sign certificates. */
        if (X509_check_ca(x) == 0) {
                subject = pki_name_string(X509_get_subject_name(x));
                report_warn(c->report, PROFILE_W_NOTE, field,
                            "\"%s\" is not a CA certificate; only a gateway presenting exactly "
                            "this certificate will be accepted",
                            subject);
        }
        return 0;
}

int pki_pem_certificates(const char *pem, size_t len, struct bytes **ret, const char **ret_why)
{
        _cleanup_(bio_freep) BIO *b = NULL;
        struct bytes *v = NULL;
        int n = 0;

        if (len > INT_MAX) {
                *ret_why = "too large";
                return -EBADMSG;
        }
        b = BIO_new_mem_buf(pem, (int)len);
        if (!b) {
                *ret_why = "out of memory";
                return -ENOMEM;
        }
        for (;;) {
                char *name = NULL, *header = NULL;
                unsigned char *data = NULL;
                long dlen = 0;

                if (PEM_read_bio(b, &name, &header, &data, &dlen) != 1) {
                        unsigned long e = ERR_peek_last_error();

                        ERR_clear_error();
                        if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE && n > 0)
                                break;
                        *ret_why = n == 0 ? "no PEM certificate (-----BEGIN CERTIFICATE-----)"
                                          : "a PEM block is damaged";
                        goto fail;
                }
                if (strcmp(name, PEM_STRING_X509) != 0 || header[0] != '\0' ||
                    n >= PROFILE_MAX_CA_CERTS) {
                        *ret_why = n >= PROFILE_MAX_CA_CERTS
                                           ? "too many certificates"
                                           : "a PEM block is not a plain CERTIFICATE";
                        OPENSSL_free(name);
                        OPENSSL_free(header);
                        OPENSSL_free(data);
                        goto fail;
                }
                v = g_renew(struct bytes, v, (size_t)n + 1);
                bytes_dup(&v[n], SLICE(data, (size_t)dlen));
                n++;
                OPENSSL_free(name);
                OPENSSL_free(header);
                OPENSSL_free(data);
        }
        *ret = v;
        return n;
fail:
        for (int i = 0; i < n; i++)
                bytes_free(&v[i]);
        g_free(v);
        return -EBADMSG;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
        const char *pass = u;
        size_t n;

        if (!pass)
                return -1;
        n = strlen(pass);
        if (n > (size_t)size)
                return -1;
        memcpy(buf, pass, n);
        return (int)n;
}

static enum profile_key_type key_type_of(EVP_PKEY *k)
{
        char group[64];
        size_t glen = 0;

        if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS"))
                return PROFILE_KEY_RSA;
        if (EVP_PKEY_is_a(k, "ED25519"))
                return PROFILE_KEY_ED25519;
        if (EVP_PKEY_is_a(k, "EC") &&
            EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                           &glen) == 1) {
                if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
                        return PROFILE_KEY_ECDSA256;
                if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
                        return PROFILE_KEY_ECDSA384;
                if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
                        return PROFILE_KEY_ECDSA521;
        }
        return PROFILE_KEY__COUNT; /* something else */
}

/* The profile's PKCS#12 through the crypto layer (pkcs12.h: legacy
 * algorithms such as RC2-40 included; a passphrase that is given is the only
 * one tried). -EKEYREJECTED (wrong or missing passphrase) and -ENOMEM as
 * they are; anything else that keeps the certificate and key from us is
 * -EBADMSG, with why. */
static int p12_open(struct slice der, const char *pass, X509 **ret_cert, EVP_PKEY **ret_key,
                    STACK_OF(X509) **ret_chain, char why[static CRYPTO_PKCS12_REASON_SIZE])
{
        struct crypto_pkcs12 p12;
        int r = crypto_pkcs12_open(der, pass ? SLICE(pass, strlen(pass)) : SLICE(NULL, 0), &p12,
                                   why, CRYPTO_PKCS12_REASON_SIZE);

        if (r == -ENOKEY)
                snprintf(why, CRYPTO_PKCS12_REASON_SIZE, "holds no private key");
        if (r == -EKEYREJECTED || r == -ENOMEM)
                return r;
        if (r < 0)
                return -EBADMSG;
        if (!p12.cert) {
                crypto_pkcs12_done(&p12);
                snprintf(why, CRYPTO_PKCS12_REASON_SIZE,
                         "holds no certificate for its private key");
                return -EBADMSG;
        }
        *ret_cert = TAKE_PTR(p12.cert);
        *ret_key = TAKE_PTR(p12.key);
        if (ret_chain)
                *ret_chain = TAKE_PTR(p12.chain);
        crypto_pkcs12_done(&p12);
        return 0;
}

static bool pem_is_encrypted(struct slice pem)
{
        return g_strstr_len((const char *)pem.ptr, (gssize)pem.len, "ENCRYPTED") != NULL;
}

static int key_open(struct slice pem, const char *pass, EVP_PKEY **ret, char why[static 160])
{
        _cleanup_(bio_freep) BIO *b = NULL;
        EVP_PKEY *k;

        if (pem.len > INT_MAX)
                return -EBADMSG;
        if (pem_is_encrypted(pem) && !pass)
                return -EKEYREJECTED;
        b = BIO_new_mem_buf(pem.ptr, (int)pem.len);
        if (!b)
                return -ENOMEM;
        k = PEM_read_bio_PrivateKey(b, NULL, pass_cb, (void *)pass);
        if (!k) {
                unsigned long e = ERR_peek_last_error();

                if (pem_is_encrypted(pem) &&
                    (ERR_GET_REASON(e) == PEM_R_BAD_DECRYPT || ERR_GET_REASON(e) == EVP_R_BAD_DECRYPT ||
                     ERR_GET_LIB(e) == ERR_LIB_PROV || ERR_GET_LIB(e) == ERR_LIB_EVP ||
                     ERR_GET_LIB(e) == ERR_LIB_PKCS12 || ERR_GET_LIB(e) == ERR_LIB_OSSL_DECODER)) {
                        ERR_clear_error();
                        return -EKEYREJECTED;
                }
                snprintf(why, 160, "not a PEM private key (%s)", ossl_reason((char[160]){ 0 }));
                return -EBADMSG;
        }
        *ret = k;
        return 0;
}

int profile_load_client(const struct profile *p, const char *passphrase, X509 **ret_cert,
                        EVP_PKEY **ret_key, STACK_OF(X509) **ret_chain)
{
        _cleanup_(x509_freep) X509 *cert = NULL;
        _cleanup_(pkey_freep) EVP_PKEY *key = NULL;
        _cleanup_(chain_freep) STACK_OF(X509) *chain = NULL;
        const char *pass = passphrase ? passphrase : p->client_passphrase;
        char why[160];
        int r;

        if (p->client_pkcs12.len > 0) {
                r = p12_open(SLICE_OF(p->client_pkcs12), pass, &cert, &key, &chain, why);
                if (r < 0)
                        return r;
        } else if (p->client_cert.len > 0 && p->client_key.len > 0) {
                cert = pki_parse_der(SLICE_OF(p->client_cert));
                if (!cert)
                        return -EBADMSG;
                r = key_open(SLICE_OF(p->client_key), pass, &key, why);
                if (r < 0)
                        return r;
        } else {
                return -ENOENT;
        }
        if (X509_check_private_key(cert, key) != 1) {
                ERR_clear_error();
                return -EBADMSG;
        }
        *ret_cert = TAKE_PTR(cert);
        *ret_key = TAKE_PTR(key);
        if (ret_chain)
                *ret_chain = chain ? TAKE_PTR(chain) : sk_X509_new_null();
        return 0;
}

int profile_load_cas(const struct profile *p, STACK_OF(X509) **ret)
{
        _cleanup_(chain_freep) STACK_OF(X509) *s = sk_X509_new_null();

        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_ca_certs; i++) {
                X509 *x = pki_parse_der(SLICE_OF(p->ca_certs[i]));

                if (!x)
                        return -EBADMSG;
                if (!sk_X509_push(s, x)) {
                        X509_free(x);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int pki_check_client(struct profile *p, struct import_ctx *c, const char *passphrase)
{
        _cleanup_(x509_freep) X509 *cert = NULL;
        _cleanup_(pkey_freep) EVP_PKEY *key = NULL;
        const char *pass = passphrase ? passphrase : p->client_passphrase;
        const char *field, *pass_field;
        g_autofree char *subject = NULL;
        enum profile_key_type kt;
        char why[160] = "";
        int r;

        if (p->client_pkcs12.len > 0) {
                field = ctx_field(c, PF_PKCS12);
                r = p12_open(SLICE_OF(p->client_pkcs12), pass, &cert, &key, NULL, why);
        } else {
                field = ctx_field(c, PF_CLIENT_KEY);
                cert = pki_parse_der(SLICE_OF(p->client_cert));
                if (!cert) {
                        report_error(c->report, PROFILE_E_CERT, ctx_field(c, PF_CLIENT_CERT),
                                     "not an X.509 certificate (%zu bytes)", p->client_cert.len);
                        return -EINVAL;
                }
                r = key_open(SLICE_OF(p->client_key), pass, &key, why);
        }
        pass_field = passphrase ? "" : ctx_field(c, PF_PASSPHRASE);
        if (r == -EKEYREJECTED && !pass) {
                report_warn(c->report, PROFILE_W_NOTE, field,
                            "protected by a passphrase that was not given: the certificate and "
                            "key are checked when connecting (the passphrase is asked then)");
                return 0;
        }
        if (r == -EKEYREJECTED) {
                /* For PKCS#12 the crypto layer says how: the integrity check
                 * fails, or the file has no passphrase at all. */
                report_error(c->report, PROFILE_E_PASSPHRASE, field,
                             "wrong passphrase%s%s: %s%s",
                             pass_field[0] ? " in " : "", pass_field,
                             p->client_pkcs12.len > 0 ? "PKCS#12: " : "",
                             p->client_pkcs12.len > 0 ? why
                                                      : "the private key does not decrypt with it");
                return -EINVAL;
        }
        if (r < 0) {
                report_error(c->report, p->client_pkcs12.len > 0 ? PROFILE_E_CERT : PROFILE_E_KEY,
                             field, "%s", why[0] ? why : "unreadable");
                return -EINVAL;
        }
        /* The passphrase given at import opened it; a different one stored in
         * the file must work too, or it would fail at every connection. */
        if (passphrase && p->client_passphrase && strcmp(passphrase, p->client_passphrase) != 0) {
                X509 *c2 = NULL;
                EVP_PKEY *k2 = NULL;
                char why2[160];
                int r2 = p->client_pkcs12.len > 0
                                 ? p12_open(SLICE_OF(p->client_pkcs12), p->client_passphrase,
                                            &c2, &k2, NULL, why2)
                                 : key_open(SLICE_OF(p->client_key), p->client_passphrase, &k2,
                                            why2);

                X509_free(c2);
                EVP_PKEY_free(k2);
                if (r2 < 0) {
                        report_warn(c->report, PROFILE_W_SECRET, ctx_field(c, PF_PASSPHRASE),
                                    "does not unlock %s and is not kept (the passphrase given "
                                    "at import did)",
                                    field);
                        secret_str_free(p->client_passphrase);
                        p->client_passphrase = NULL;
                }
        }
        subject = pki_name_string(X509_get_subject_name(cert));
        if (X509_check_private_key(cert, key) != 1) {
                ERR_clear_error();
                report_error(c->report, PROFILE_E_KEY, field,
                             "the private key does not match the certificate \"%s\"", subject);
                return -EINVAL;
        }
        r = check_validity(c, p->client_pkcs12.len > 0 ? field : ctx_field(c, PF_CLIENT_CERT),
                           cert, "client certificate");
        if (r < 0)
                return r;
        kt = key_type_of(key);
        if (kt == PROFILE_KEY__COUNT) {
                report_error(c->report, PROFILE_E_UNSUPPORTED, field,
                             "the key of \"%s\" is of an unsupported type (expected RSA, ECDSA "
                             "P-256/P-384/P-521 or Ed25519)",
                             subject);
                return -EINVAL;
        }
        if (p->key_type != PROFILE_KEY_ANY && p->key_type != kt) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_KEY_TYPE),
                             "is %s but the key of \"%s\" is %s",
                             profile_key_type_to_string(p->key_type), subject,
                             profile_key_type_to_string(kt));
                return -EINVAL;
        }
        if (p->rsa_pss && kt != PROFILE_KEY_RSA)
                report_warn(c->report, PROFILE_W_IGNORED, field,
                            "rsa-pss applies to RSA keys only; this key is %s",
                            profile_key_type_to_string(kt));
        return 0;
}
