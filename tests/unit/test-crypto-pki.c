/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-crypto-pki.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

EVP_PKEY *pki_key(const char *spec)
{
        g_auto(GStrv) parts = g_strsplit(spec, ":", 2);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, parts[0], NULL);
        EVP_PKEY *k = NULL;

        g_assert_nonnull(ctx);
        g_assert_true(EVP_PKEY_keygen_init(ctx) == 1);
        if (g_str_has_prefix(spec, "RSA")) {
                size_t bits = (size_t)g_ascii_strtoull(parts[1], NULL, 10);
                OSSL_PARAM params[] = {
                        OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &bits),
                        OSSL_PARAM_construct_end(),
                };

                g_assert_true(EVP_PKEY_CTX_set_params(ctx, params) == 1);
        } else if (strcmp(parts[0], "EC") == 0) {
                OSSL_PARAM params[] = {
                        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, parts[1], 0),
                        OSSL_PARAM_construct_end(),
                };

                g_assert_true(EVP_PKEY_CTX_set_params(ctx, params) == 1);
        }
        g_assert_true(EVP_PKEY_generate(ctx, &k) == 1);
        EVP_PKEY_CTX_free(ctx);
        return k;
}

X509_NAME *pki_name(const char *dn)
{
        X509_NAME *n = X509_NAME_new();
        g_auto(GStrv) parts = g_strsplit(dn, ",", -1);

        for (size_t i = 0; parts[i]; i++) {
                char *eq = strchr(parts[i], '=');

                g_assert_nonnull(eq);
                *eq = '\0';
                g_assert_true(X509_NAME_add_entry_by_txt(n, parts[i], MBSTRING_UTF8,
                                                         (const unsigned char *)eq + 1, -1, -1,
                                                         0) == 1);
        }
        return n;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
        X509V3_CTX ctx;
        X509_EXTENSION *ext;

        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
        ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
        g_assert_nonnull(ext);
        g_assert_true(X509_add_ext(x, ext, -1) == 1);
        X509_EXTENSION_free(ext);
}

X509 *pki_cert(const struct pki_cert_opts *o, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
        X509 *x = X509_new();
        X509_NAME *subject = pki_name(o->subject);
        const EVP_MD *md =
                EVP_PKEY_is_a(issuer_key ? issuer_key : key, "ED25519") ? NULL : EVP_sha256();

        g_assert_true(X509_set_version(x, X509_VERSION_3) == 1);
        g_assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), o->serial ? o->serial : 1) == 1);
        g_assert_true(X509_set_subject_name(x, subject) == 1);
        g_assert_true(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) ==
                      1);
        g_assert_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), o->not_before));
        g_assert_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), o->not_after));
        g_assert_true(X509_set_pubkey(x, key) == 1);
        add_ext(x, issuer, NID_subject_key_identifier, "hash");
        if (issuer || o->ca)
                add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
        if (o->ca) {
                add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
                add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
        } else {
                add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
                if (o->ku)
                        add_ext(x, issuer, NID_key_usage, o->ku);
        }
        if (o->san)
                add_ext(x, issuer, NID_subject_alt_name, o->san);
        if (o->eku)
                add_ext(x, issuer, NID_ext_key_usage, o->eku);
        g_assert_cmpint(X509_sign(x, issuer_key ? issuer_key : key, md), >, 0);
        X509_NAME_free(subject);
        return x;
}

X509_CRL *pki_crl(X509 *issuer, EVP_PKEY *issuer_key, time_t last_update, time_t next_update,
                  const long *revoked, size_t n_revoked)
{
        X509_CRL *c = X509_CRL_new();
        ASN1_TIME *t = ASN1_TIME_new();

        g_assert_true(X509_CRL_set_version(c, 1) == 1);
        g_assert_true(X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer)) == 1);
        g_assert_nonnull(ASN1_TIME_set(t, last_update));
        g_assert_true(X509_CRL_set1_lastUpdate(c, t) == 1);
        g_assert_nonnull(ASN1_TIME_set(t, next_update));
        g_assert_true(X509_CRL_set1_nextUpdate(c, t) == 1);
        for (size_t i = 0; i < n_revoked; i++) {
                X509_REVOKED *r = X509_REVOKED_new();
                ASN1_INTEGER *serial = ASN1_INTEGER_new();

                g_assert_true(ASN1_INTEGER_set(serial, revoked[i]) == 1);
                g_assert_true(X509_REVOKED_set_serialNumber(r, serial) == 1);
                g_assert_nonnull(ASN1_TIME_set(t, last_update));
                g_assert_true(X509_REVOKED_set_revocationDate(r, t) == 1);
                g_assert_true(X509_CRL_add0_revoked(c, r) == 1);
                ASN1_INTEGER_free(serial);
        }
        g_assert_true(X509_CRL_sort(c) == 1);
        g_assert_cmpint(X509_CRL_sign(c, issuer_key, EVP_sha256()), >, 0);
        ASN1_TIME_free(t);
        return c;
}

GBytes *pki_cert_der(X509 *x)
{
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        GBytes *b;

        g_assert_cmpint(len, >, 0);
        b = g_bytes_new(der, (gsize)len);
        OPENSSL_free(der);
        return b;
}

GBytes *pki_crl_der(X509_CRL *c)
{
        unsigned char *der = NULL;
        int len = i2d_X509_CRL(c, &der);
        GBytes *b;

        g_assert_cmpint(len, >, 0);
        b = g_bytes_new(der, (gsize)len);
        OPENSSL_free(der);
        return b;
}

GBytes *pki_cert_pem(X509 *x)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *p;
        long n;
        GBytes *out;

        g_assert_true(PEM_write_bio_X509(b, x) == 1);
        n = BIO_get_mem_data(b, &p);
        out = g_bytes_new(p, (gsize)n);
        BIO_free(b);
        return out;
}
