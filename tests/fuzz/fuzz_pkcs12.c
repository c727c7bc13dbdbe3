/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: crypto_pkcs12_open() on arbitrary bytes.
 *
 * Input: one selector octet (the passphrase: none, "", "fuzz" or "wrong"),
 * then the DER. Every outcome must be one of the documented codes with a
 * reason and an empty OpenSSL error queue; on success the certificate, if
 * any, matches the key and the certificate limit holds.
 *
 * The seed corpus (tests/fuzz/corpus/fuzz_pkcs12/) holds files of each shape
 * the reader knows (AES with a MAC, 3DES/RC2-40 from the legacy provider, no
 * MAC, no encryption, no passphrase, key only, bags out of order), made with
 * one iteration so that the fuzzer spends its time on parsing. Regenerate it
 * with
 *   FUZZ_PKCS12_WRITE_SEEDS=DIR tests/fuzz/fuzz_pkcs12
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "client/crypto/legacy.h"
#include "client/crypto/pkcs12.h"
#include "tests/unit/test-eap-pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SEED_PASS "fuzz"

static const struct slice passphrases[] = {
        {NULL, 0},
        {(const uint8_t *)"", 0},
        {(const uint8_t *)SEED_PASS, sizeof(SEED_PASS) - 1},
        {(const uint8_t *)"wrong", 5},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct crypto_pkcs12 p = {0};
        char reason[CRYPTO_PKCS12_REASON_SIZE] = "";
        struct slice der;
        int r, n;

        if (size < 1)
                return 0;
        der = SLICE(data + 1, size - 1);
        r = crypto_pkcs12_open(der, passphrases[data[0] % 4], &p, reason, sizeof(reason));
        if (ERR_peek_error() != 0)
                abort(); /* the queue is left empty */
        if (r < 0) {
                if (r != -EBADMSG && r != -EKEYREJECTED && r != -ENOTSUP && r != -E2BIG &&
                    r != -ENOKEY && r != -ENOMEM)
                        abort();
                if (!reason[0] || p.key || p.cert || p.chain)
                        abort();
                if (r != -EBADMSG && !crypto_pkcs12_detect(der))
                        abort();
                return 0;
        }
        n = sk_X509_num(p.chain);
        if (!p.key || n < 0 || n + (p.cert != NULL) > CRYPTO_PKCS12_MAX_CERTS)
                abort();
        if (p.cert && X509_check_private_key(p.cert, p.key) != 1)
                abort();
        ERR_clear_error();
        crypto_pkcs12_done(&p);
        return 0;
}

/* ------------------------------------------------------------------ seeds */

static void write_seed(const char *dir, const char *name, uint8_t sel, PKCS12 *p12)
{
        unsigned char *der = NULL;
        char path[4096];
        int n = p12 ? i2d_PKCS12(p12, &der) : -1;
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = n > 0 ? fopen(path, "wbe") : NULL;
        if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(der, 1, (size_t)n, f) != (size_t)n ||
            fclose(f) != 0) {
                perror(path);
                exit(1);
        }
        OPENSSL_free(der);
        PKCS12_free(p12);
}

/* PKCS12_create_ex() with one iteration everywhere. */
static PKCS12 *create(const char *pass, EVP_PKEY *key, X509 *cert, X509 *ca, int nid_key,
                      int nid_cert, bool mac)
{
        STACK_OF(X509) *chain = sk_X509_new_null();
        PKCS12 *p12;

        if (!chain || (ca && !sk_X509_push(chain, ca)))
                abort();
        p12 = PKCS12_create_ex(pass, "fuzz", key, cert, chain, nid_key, nid_cert, 1, mac ? 1 : -1,
                               0, crypto_legacy_libctx(), NULL);
        sk_X509_free(chain);
        return p12;
}

/* CA certificate, client certificate, a secret and the key, in that order,
 * in an encrypted SafeContents, and a second one in the clear. */
static PKCS12 *out_of_order(const struct test_pki *pki)
{
        STACK_OF(PKCS12_SAFEBAG) *a = NULL, *b = NULL;
        STACK_OF(PKCS7) *safes = NULL;
        static const unsigned char secret[] = "not ours";
        PKCS12 *p12;

        if (!PKCS12_add_cert(&a, pki->ca) || !PKCS12_add_cert(&a, pki->client) ||
            !PKCS12_add_secret(&a, NID_pkcs7_data, secret, (int)sizeof(secret)) ||
            !PKCS12_add_key(&b, pki->client_key, 0, 1, NID_aes_256_cbc, SEED_PASS) ||
            !PKCS12_add_safe(&safes, a, NID_aes_128_cbc, 1, SEED_PASS) ||
            !PKCS12_add_safe(&safes, b, -1, 1, SEED_PASS))
                abort();
        sk_PKCS12_SAFEBAG_pop_free(a, PKCS12_SAFEBAG_free);
        sk_PKCS12_SAFEBAG_pop_free(b, PKCS12_SAFEBAG_free);
        p12 = PKCS12_add_safes(safes, 0);
        sk_PKCS7_pop_free(safes, PKCS7_free);
        if (!p12 || PKCS12_set_mac(p12, SEED_PASS, -1, NULL, 0, 1, NULL) != 1)
                abort();
        return p12;
}

static void write_seeds(const char *dir)
{
        struct test_pki pki;
        const int des3 = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
        const int rc2 = NID_pbe_WithSHA1And40BitRC2_CBC;

        if (test_pki_init(&pki, TEST_EAP_FUZZ_NOW) < 0 || !crypto_legacy_libctx())
                abort();
        write_seed(dir, "aes-mac", 2,
                   create(SEED_PASS, pki.client_key, pki.client, pki.ca, 0, 0, true));
        write_seed(dir, "legacy-rc2-40", 2,
                   create(SEED_PASS, pki.client_key, pki.client, pki.ca, des3, rc2, true));
        write_seed(dir, "aes-no-mac", 2,
                   create(SEED_PASS, pki.client_key, pki.client, NULL, 0, 0, false));
        write_seed(dir, "no-passphrase", 0,
                   create(NULL, pki.client_key, pki.client, pki.ca, 0, 0, true));
        write_seed(dir, "empty-passphrase", 1,
                   create("", pki.client_key, pki.client, NULL, des3, rc2, true));
        write_seed(dir, "cleartext", 3,
                   create(NULL, pki.client_key, pki.client, pki.ca, -1, -1, false));
        write_seed(dir, "key-only", 2, create(SEED_PASS, pki.client_key, NULL, NULL, 0, 0, true));
        write_seed(dir, "certs-only", 2, create(SEED_PASS, NULL, pki.client, pki.ca, 0, 0, true));
        write_seed(dir, "out-of-order", 2, out_of_order(&pki));
        test_pki_free(&pki);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *dir = getenv("FUZZ_PKCS12_WRITE_SEEDS");

        (void)argc;
        (void)argv;
        if (dir) {
                write_seeds(dir);
                exit(0);
        }
        /* Load the legacy provider once, outside the measured runs. */
        crypto_legacy_libctx();
        return 0;
}
