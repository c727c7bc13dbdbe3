/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-eap-pki.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

static EVP_PKEY *new_key(void)
{
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
        X509V3_CTX v3;
        X509_EXTENSION *ext;
        int ok;

        X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
        ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
        if (!ext)
                return -1;
        ok = X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
        return ok ? 0 : -1;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, const char *san, const char *eku,
                      bool is_ca, X509 *issuer, EVP_PKEY *issuer_key, int64_t now, long serial)
{
        X509 *x = X509_new();
        X509_NAME *name;

        if (!x)
                return NULL;
        name = X509_get_subject_name(x);
        if (!X509_set_version(x, X509_VERSION_3) ||
            !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
            !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 3600)) ||
            !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(now + 86400)) ||
            !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"tsunagu test",
                                        -1, -1, 0) ||
            !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) ||
            !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
            !X509_set_pubkey(x, key))
                goto fail;
        if (add_ext(x, issuer ? issuer : x, NID_basic_constraints,
                    is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") < 0 ||
            add_ext(x, issuer ? issuer : x, NID_key_usage,
                    is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") < 0 ||
            add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash") < 0)
                goto fail;
        if (issuer && add_ext(x, issuer, NID_authority_key_identifier, "keyid") < 0)
                goto fail;
        if (san && add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san) < 0)
                goto fail;
        if (eku && add_ext(x, issuer ? issuer : x, NID_ext_key_usage, eku) < 0)
                goto fail;
        if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
                goto fail;
        return x;
fail:
        X509_free(x);
        return NULL;
}

int test_pki_init(struct test_pki *pki, int64_t now)
{
        memset(pki, 0, sizeof(*pki));
        pki->now = now;
        pki->ca_key = new_key();
        pki->server_key = new_key();
        pki->client_key = new_key();
        pki->rogue_ca_key = new_key();
        if (!pki->ca_key || !pki->server_key || !pki->client_key || !pki->rogue_ca_key)
                return -1;
        pki->ca = new_cert(pki->ca_key, "tsunagu test CA", NULL, NULL, true, NULL, NULL, now, 1);
        pki->rogue_ca = new_cert(pki->rogue_ca_key, "tsunagu test CA", NULL, NULL, true, NULL,
                                 NULL, now, 1);
        if (!pki->ca || !pki->rogue_ca)
                return -1;
        pki->server = new_cert(pki->server_key, TEST_PKI_SERVER_NAME,
                               "DNS:" TEST_PKI_SERVER_NAME ",IP:" TEST_PKI_SERVER_IP, "serverAuth",
                               false, pki->ca, pki->ca_key, now, 2);
        pki->client = new_cert(pki->client_key, TEST_PKI_CLIENT_NAME,
                               "email:" TEST_PKI_CLIENT_NAME, "clientAuth", false, pki->ca,
                               pki->ca_key, now, 3);
        pki->rogue_server = new_cert(pki->server_key, TEST_PKI_SERVER_NAME,
                                     "DNS:" TEST_PKI_SERVER_NAME, "serverAuth", false,
                                     pki->rogue_ca, pki->rogue_ca_key, now, 4);
        pki->wrong_name_server = new_cert(pki->server_key, "other.test", "DNS:other.test",
                                          "serverAuth", false, pki->ca, pki->ca_key, now, 5);
        if (!pki->server || !pki->client || !pki->rogue_server || !pki->wrong_name_server)
                return -1;
        return 0;
}

void test_pki_free(struct test_pki *pki)
{
        EVP_PKEY_free(pki->ca_key);
        EVP_PKEY_free(pki->server_key);
        EVP_PKEY_free(pki->client_key);
        EVP_PKEY_free(pki->rogue_ca_key);
        X509_free(pki->ca);
        X509_free(pki->server);
        X509_free(pki->client);
        X509_free(pki->rogue_ca);
        X509_free(pki->rogue_server);
        X509_free(pki->wrong_name_server);
        memset(pki, 0, sizeof(*pki));
}

static char *bio_text(BIO *b, size_t *len)
{
        char *data = NULL, *out;
        long n = BIO_get_mem_data(b, &data);

        if (n < 0 || !(out = malloc((size_t)n + 1)))
                return NULL;
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
        *len = (size_t)n;
        return out;
}

char *test_pki_cert_pem(X509 *x, size_t *len)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *out = NULL;

        if (b && PEM_write_bio_X509(b, x))
                out = bio_text(b, len);
        BIO_free(b);
        return out;
}

char *test_pki_key_pem(EVP_PKEY *key, const char *pass, size_t *len)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *out = NULL;
        int ok;

        if (!b)
                return NULL;
        if (pass)
                ok = PEM_write_bio_PrivateKey(b, key, EVP_aes_256_cbc(), (const unsigned char *)pass,
                                              (int)strlen(pass), NULL, NULL);
        else
                ok = PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
        if (ok)
                out = bio_text(b, len);
        BIO_free(b);
        return out;
}

uint8_t *test_pki_pkcs12(EVP_PKEY *key, X509 *cert, X509 *ca, const char *pass,
                         bool legacy_rc2, OSSL_LIB_CTX *libctx, size_t *len)
{
        STACK_OF(X509) *chain = sk_X509_new_null();
        PKCS12 *p12 = NULL;
        uint8_t *der = NULL;
        int n;

        if (!chain || (ca && !sk_X509_push(chain, ca)))
                goto out;
        if (legacy_rc2)
                p12 = PKCS12_create_ex(pass, "client", key, cert, chain,
                                       NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                       NID_pbe_WithSHA1And40BitRC2_CBC, 2048, 1, 0, libctx, NULL);
        else
                p12 = PKCS12_create(pass, "client", key, cert, chain, 0, 0, 0, 0, 0);
        if (!p12)
                goto out;
        n = i2d_PKCS12(p12, &der);
        if (n <= 0) {
                der = NULL;
                goto out;
        }
        *len = (size_t)n;
out:
        PKCS12_free(p12);
        sk_X509_free(chain);
        return der;
}
