/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/crypto/pkcs12: files written by OpenSSL at test time
 * in the shapes other tools write (AES/PBKDF2 with a SHA-256 MAC; 3DES keys
 * and RC2-40 certificates from the legacy provider; no MAC; no encryption;
 * the two encodings of the empty passphrase), bags in any order, and every
 * refusal with its error code: passphrases, limits, unsupported algorithms,
 * damaged files. Keys and certificates are generated here (test-crypto-pki).
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "client/common/bytes.h"
#include "client/crypto/legacy.h"
#include "client/crypto/pkcs12.h"
#include "client/crypto/sig.h"
#include "test-crypto-pki.h"

static EVP_PKEY *ca_key, *ee_key, *other_key;
static X509 *ca, *ee, *ee_renewed, *other;

static X509 *cert(const char *cn, EVP_PKEY *key, long serial)
{
        struct pki_cert_opts o = {
                .subject = cn,
                .not_before = 0,
                .not_after = 4102444800,
                .serial = serial,
        };

        return pki_cert(&o, key, ca, ca_key);
}

static void pki_init(void)
{
        struct pki_cert_opts o = {
                .subject = "CN=p12 CA",
                .not_before = 0,
                .not_after = 4102444800,
                .ca = true,
                .serial = 1,
        };

        ca_key = pki_key("EC:P-256");
        ee_key = pki_key("EC:P-256");
        other_key = pki_key("EC:P-256");
        ca = pki_cert(&o, ca_key, NULL, NULL);
        ee = cert("CN=client", ee_key, 2);
        ee_renewed = cert("CN=client renewed", ee_key, 3);
        other = cert("CN=somebody else", other_key, 4);
}

static GBytes *der_of(PKCS12 *p12)
{
        unsigned char *d = NULL;
        int n;
        GBytes *b;

        g_assert_nonnull(p12);
        n = i2d_PKCS12(p12, &d);
        g_assert_cmpint(n, >, 0);
        b = g_bytes_new(d, (gsize)n);
        OPENSSL_free(d);
        PKCS12_free(p12);
        return b;
}

static struct slice gs(GBytes *b)
{
        return SLICE(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

#define PASS(s) SLICE((s), strlen(s))
#define NOPASS  SLICE(NULL, 0)

/* PKCS12_create_ex() with the chain given as a NULL-terminated list. nid 0
 * is OpenSSL's default (PBES2 AES-256-CBC), -1 no encryption; mac_iter -1
 * no MAC. */
static GBytes *p12_create(const char *pass, EVP_PKEY *key, X509 *x, X509 *const *chain, int nid_key,
                          int nid_cert, int iter, int mac_iter, bool legacy)
{
        STACK_OF(X509) *sk = sk_X509_new_null();
        PKCS12 *p12;

        for (size_t i = 0; chain && chain[i]; i++)
                g_assert_true(sk_X509_push(sk, chain[i]) > 0);
        p12 = PKCS12_create_ex(pass, "test", key, x, sk, nid_key, nid_cert, iter, mac_iter, 0,
                               legacy ? crypto_legacy_libctx() : NULL, NULL);
        sk_X509_free(sk);
        return der_of(p12);
}

/* A file bag by bag, in the order given: certificates (x != NULL) and keys
 * (k != NULL, shrouded with AES-256), all in one encrypted SafeContents, a
 * SHA-256 MAC. */
struct bag {
        X509 *x;
        EVP_PKEY *k;
};

static GBytes *p12_bags(const char *pass, const struct bag *bags, size_t n, size_t n_secrets)
{
        STACK_OF(PKCS12_SAFEBAG) *sb = NULL;
        STACK_OF(PKCS7) *safes = NULL;
        static const unsigned char secret[] = "not ours";
        PKCS12 *p12;

        for (size_t i = 0; i < n; i++) {
                if (bags[i].x)
                        g_assert_nonnull(PKCS12_add_cert(&sb, bags[i].x));
                if (bags[i].k)
                        g_assert_nonnull(
                                PKCS12_add_key(&sb, bags[i].k, 0, 2048, NID_aes_256_cbc, pass));
        }
        for (size_t i = 0; i < n_secrets; i++)
                g_assert_nonnull(
                        PKCS12_add_secret(&sb, NID_pkcs7_data, secret, (int)sizeof(secret)));
        g_assert_true(PKCS12_add_safe(&safes, sb, NID_aes_256_cbc, 2048, pass) == 1);
        sk_PKCS12_SAFEBAG_pop_free(sb, PKCS12_SAFEBAG_free);
        p12 = PKCS12_add_safes(safes, 0);
        sk_PKCS7_pop_free(safes, PKCS7_free);
        g_assert_nonnull(p12);
        g_assert_true(PKCS12_set_mac(p12, pass, -1, NULL, 0, 2048, EVP_sha256()) == 1);
        return der_of(p12);
}

/* Opens and checks the OpenSSL error queue is left empty either way. */
static int open_p12(GBytes *der, struct slice pass, struct crypto_pkcs12 *out, char *reason)
{
        int r;

        *out = (struct crypto_pkcs12){0};
        r = crypto_pkcs12_open(gs(der), pass, out, reason, CRYPTO_PKCS12_REASON_SIZE);
        g_assert_cmpuint(ERR_peek_error(), ==, 0);
        if (r < 0) {
                g_assert_null(out->key);
                g_assert_null(out->chain);
                g_assert_cmpuint(strlen(reason), >, 0);
        }
        return r;
}

static void expect_error(GBytes *der, struct slice pass, int want, const char *says)
{
        struct crypto_pkcs12 p;
        char reason[CRYPTO_PKCS12_REASON_SIZE];

        g_assert_cmpint(open_p12(der, pass, &p, reason), ==, want);
        if (says && !strstr(reason, says))
                g_error("reason \"%s\" does not say \"%s\"", reason, says);
}

/* Opens, and checks the key, "the" certificate and the chain (NULL-terminated). */
static void expect_open(GBytes *der, struct slice pass, EVP_PKEY *key, X509 *x, X509 *const *chain)
{
        struct crypto_pkcs12 p;
        char reason[CRYPTO_PKCS12_REASON_SIZE];
        int n = 0;

        if (open_p12(der, pass, &p, reason) < 0)
                g_error("does not open: %s", reason);
        g_assert_true(EVP_PKEY_eq(p.key, key) == 1);
        if (x)
                g_assert_true(p.cert && X509_cmp(p.cert, x) == 0);
        else
                g_assert_null(p.cert);
        g_assert_nonnull(p.chain);
        for (; chain && chain[n]; n++) {
                g_assert_cmpint(n, <, sk_X509_num(p.chain));
                g_assert_true(X509_cmp(sk_X509_value(p.chain, n), chain[n]) == 0);
        }
        g_assert_cmpint(sk_X509_num(p.chain), ==, n);
        crypto_pkcs12_done(&p);
        g_assert_null(p.key);
        crypto_pkcs12_done(NULL);
}

static void test_modern(void)
{
        g_autoptr(GBytes) der =
                p12_create("s3cret", ee_key, ee, (X509 *[]){ca, NULL}, 0, 0, 0, 0, false);
        EVP_PKEY *k = NULL;
        X509 *x = NULL;
        STACK_OF(X509) *chain = NULL;

        g_assert_true(crypto_pkcs12_detect(gs(der)));
        expect_open(der, PASS("s3cret"), ee_key, ee, (X509 *[]){ca, NULL});
        /* The parts one by one, and as crypto_privkey_load() reads it. */
        g_assert_cmpint(crypto_pkcs12_load(gs(der), PASS("s3cret"), &k, &x, &chain), ==, 0);
        g_assert_true(EVP_PKEY_eq(k, ee_key) == 1 && X509_cmp(x, ee) == 0);
        g_assert_cmpint(sk_X509_num(chain), ==, 1);
        EVP_PKEY_free(k);
        X509_free(x);
        sk_X509_pop_free(chain, X509_free);
        g_assert_cmpint(crypto_pkcs12_load(gs(der), PASS("s3cret"), &k, NULL, NULL), ==, 0);
        EVP_PKEY_free(k);
        g_assert_cmpint(crypto_privkey_load(gs(der), PASS("s3cret"), &k), ==, 0);
        g_assert_true(EVP_PKEY_eq(k, ee_key) == 1);
        EVP_PKEY_free(k);
}

/* What Windows, macOS and OpenSSL 1.x export: a 3DES key bag and RC2-40
 * certificates, which only the legacy provider decrypts. */
static void test_legacy_rc2_40(void)
{
        g_autoptr(GBytes) der = p12_create("old tool", ee_key, ee, (X509 *[]){ca, NULL},
                                           NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                           NID_pbe_WithSHA1And40BitRC2_CBC, 2048, 2048, true);
        g_autoptr(GBytes) no_mac =
                p12_create("old tool", ee_key, ee, NULL, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                           NID_pbe_WithSHA1And40BitRC2_CBC, 2048, -1, true);
        EVP_CIPHER *rc2;
        EVP_PKEY *k = NULL;

        g_assert_nonnull(crypto_legacy_libctx());
        expect_open(der, PASS("old tool"), ee_key, ee, (X509 *[]){ca, NULL});
        expect_error(der, PASS("new tool"), -EKEYREJECTED, "integrity check fails");
        expect_open(no_mac, PASS("old tool"), ee_key, ee, NULL);
        expect_error(no_mac, PASS("new tool"), -EKEYREJECTED, "do not decrypt with this");
        g_assert_cmpint(crypto_privkey_load(gs(der), PASS("old tool"), &k), ==, 0);
        EVP_PKEY_free(k);
        /* The default library context did not get the legacy algorithms. */
        rc2 = EVP_CIPHER_fetch(NULL, "RC2-40-CBC", NULL);
        g_assert_null(rc2);
        ERR_clear_error();
}

static void test_no_mac(void)
{
        g_autoptr(GBytes) der =
                p12_create("no mac", ee_key, ee, (X509 *[]){ca, NULL}, 0, 0, 0, -1, false);
        g_autoptr(GBytes) empty = p12_create(NULL, ee_key, ee, NULL, 0, 0, 0, -1, false);
        g_autoptr(GBytes) clear = p12_create(NULL, ee_key, ee, NULL, -1, -1, 0, -1, false);

        expect_open(der, PASS("no mac"), ee_key, ee, (X509 *[]){ca, NULL});
        /* Without a MAC the decryption tells: wrong, missing, empty. */
        expect_error(der, PASS("no MAC"), -EKEYREJECTED, "do not decrypt with this passphrase");
        expect_error(der, NOPASS, -EKEYREJECTED, "needs a passphrase");
        expect_error(der, SLICE("", 0), -EKEYREJECTED, "needs a passphrase");
        expect_open(empty, NOPASS, ee_key, ee, NULL);
        expect_open(empty, SLICE("", 0), ee_key, ee, NULL);
        expect_error(empty, PASS("x"), -EKEYREJECTED, "do not decrypt with this");
        /* Nothing encrypted and no MAC: nothing for a passphrase to open, so
         * any opens it. */
        expect_open(clear, NOPASS, ee_key, ee, NULL);
        expect_open(clear, PASS("anything"), ee_key, ee, NULL);
}

static void test_passphrases(void)
{
        g_autoptr(GBytes) der = p12_create("s3cret", ee_key, ee, NULL, 0, 0, 0, 0, false);
        /* "" as RFC 7292 B.1 writes it (00 00) and as no bytes at all. */
        g_autoptr(GBytes) bmp_empty = p12_create("", ee_key, ee, NULL, 0, 0, 0, 0, false);
        g_autoptr(GBytes) no_bytes = p12_create(NULL, ee_key, ee, NULL, 0, 0, 0, 0, false);
        /* The MAC under one passphrase, the contents under another. */
        PKCS12 *p12 = PKCS12_create("privacy", "test", ee_key, ee, NULL, 0, 0, 0, 0, 0);
        g_autoptr(GBytes) split = NULL;
        EVP_PKEY *k = NULL;

        g_assert_true(PKCS12_set_mac(p12, "integrity", -1, NULL, 0, 2048, NULL) == 1);
        split = der_of(p12);

        expect_error(der, PASS("s3cre"), -EKEYREJECTED,
                     "integrity check fails with this passphrase");
        expect_error(der, PASS("s3cret "), -EKEYREJECTED, "integrity check fails");
        expect_error(der, NOPASS, -EKEYREJECTED, "needs a passphrase");
        expect_error(der, SLICE("", 0), -EKEYREJECTED, "needs a passphrase");
        expect_open(der, PASS("s3cret"), ee_key, ee, NULL);
        /* The passphrase is bytes with a length, not a C string. */
        expect_open(der, SLICE("s3cret and more", 6), ee_key, ee, NULL);

        /* Both encodings of the empty passphrase open with none and with "". */
        expect_open(bmp_empty, NOPASS, ee_key, ee, NULL);
        expect_open(bmp_empty, SLICE("", 0), ee_key, ee, NULL);
        expect_open(no_bytes, NOPASS, ee_key, ee, NULL);
        expect_open(no_bytes, SLICE("", 0), ee_key, ee, NULL);
        /* A passphrase given for a file that has none is wrong, and said so;
         * it is not quietly replaced by the empty one. */
        expect_error(bmp_empty, PASS("typed anyway"), -EKEYREJECTED, "the file has no passphrase");
        expect_error(no_bytes, PASS("typed anyway"), -EKEYREJECTED, "the file has no passphrase");

        expect_error(split, PASS("privacy"), -EKEYREJECTED, "integrity check fails");
        expect_error(split, PASS("integrity"), -EBADMSG, "do not decrypt");

        /* crypto_privkey_load() keeps its codes. */
        g_assert_cmpint(crypto_privkey_load(gs(der), PASS("wrong"), &k), ==, -EKEYREJECTED);
        g_assert_cmpint(crypto_privkey_load(gs(der), NOPASS, &k), ==, -EKEYREJECTED);
        g_assert_null(k);
}

static void test_key_without_cert(void)
{
        g_autoptr(GBytes) key_only = p12_create("k", ee_key, NULL, NULL, 0, 0, 0, 0, false);
        g_autoptr(GBytes) foreign =
                p12_create("k", ee_key, NULL, (X509 *[]){other, ca, NULL}, 0, 0, 0, 0, false);
        g_autoptr(GBytes) cert_only =
                p12_create("k", NULL, ee, (X509 *[]){ca, NULL}, 0, 0, 0, 0, false);
        EVP_PKEY *k = NULL;
        X509 *x = ee;

        expect_open(key_only, PASS("k"), ee_key, NULL, NULL);
        /* Certificates, but none for this key: all of them are the chain. */
        expect_open(foreign, PASS("k"), ee_key, NULL, (X509 *[]){other, ca, NULL});
        g_assert_cmpint(crypto_pkcs12_load(gs(foreign), PASS("k"), &k, &x, NULL), ==, 0);
        g_assert_null(x);
        EVP_PKEY_free(k);
        g_assert_cmpint(crypto_privkey_load(gs(key_only), PASS("k"), &k), ==, 0);
        EVP_PKEY_free(k);

        expect_error(cert_only, PASS("k"), -ENOKEY, "no private key");
        k = NULL;
        g_assert_cmpint(crypto_privkey_load(gs(cert_only), PASS("k"), &k), ==, -EBADMSG);
        g_assert_null(k);
}

static void test_cert_order(void)
{
        /* The key's certificate in the middle, the key last. */
        const struct bag middle[] = {{.x = ca}, {.x = ee}, {.x = other}, {.k = ee_key}};
        /* The key first; two certificates for it: the first one wins, the
         * other stays in the chain. */
        const struct bag two[] = {{.k = ee_key}, {.x = ca}, {.x = ee_renewed}, {.x = ee}};
        const struct bag two_keys[] = {{.k = ee_key}, {.x = ee}, {.k = other_key}};
        g_autoptr(GBytes) a = p12_bags("order", middle, G_N_ELEMENTS(middle), 0);
        g_autoptr(GBytes) b = p12_bags("order", two, G_N_ELEMENTS(two), 0);
        g_autoptr(GBytes) c = p12_bags("order", two_keys, G_N_ELEMENTS(two_keys), 0);

        expect_open(a, PASS("order"), ee_key, ee, (X509 *[]){ca, other, NULL});
        expect_open(b, PASS("order"), ee_key, ee_renewed, (X509 *[]){ca, ee, NULL});
        expect_error(c, PASS("order"), -E2BIG, "more than one private key");
}

static void test_limits(void)
{
        enum { N = CRYPTO_PKCS12_MAX_CERTS };
        X509 *extra[N] = {0}, *want[N] = {0};
        struct bag bags[N + 2] = {{.k = ee_key}, {.x = ee}};
        const struct bag one[] = {{.k = ee_key}, {.x = ee}};
        g_autoptr(GBytes) full = NULL;
        g_autoptr(GBytes) over = NULL;
        g_autoptr(GBytes) secrets_ok = NULL;
        g_autoptr(GBytes) secrets_over = NULL;

        for (size_t i = 0; i < N; i++) {
                extra[i] = cert("CN=chain", other_key, 100 + (long)i);
                bags[i + 2].x = extra[i];
                if (i < N - 1)
                        want[i] = extra[i];
        }
        /* The key's certificate and N - 1 more: the limit; one more: over it. */
        full = p12_bags("many", bags, N + 1, 0);
        expect_open(full, PASS("many"), ee_key, ee, want);
        over = p12_bags("many", bags, N + 2, 0);
        expect_error(over, PASS("many"), -E2BIG, "more than 16 certificates");

        /* Bags of every kind count: the SafeContents, key, certificate and
         * secrets. */
        secrets_ok = p12_bags("many", one, 2, CRYPTO_PKCS12_MAX_BAGS - 3);
        expect_open(secrets_ok, PASS("many"), ee_key, ee, NULL);
        secrets_over = p12_bags("many", one, 2, CRYPTO_PKCS12_MAX_BAGS - 2);
        expect_error(secrets_over, PASS("many"), -E2BIG, "more than 64 bags");
        for (size_t i = 0; i < N; i++)
                X509_free(extra[i]);
}

/* Replaces every occurrence of from by to (same length) in a copy of b. */
static GBytes *patched(GBytes *b, const uint8_t *from, const uint8_t *to, size_t n,
                       unsigned expect_at_least)
{
        gsize len;
        uint8_t *d = g_bytes_unref_to_data(g_bytes_ref(b), &len);
        unsigned hits = 0;

        for (size_t i = 0; i + n <= len; i++)
                if (memcmp(d + i, from, n) == 0) {
                        memcpy(d + i, to, n);
                        hits++;
                }
        g_assert_cmpuint(hits, >=, expect_at_least);
        return g_bytes_new_take(d, len);
}

static void test_kdf_cost(void)
{
        /* 32768 iterations, written as INTEGER 00 80 00, made 0x7fffff =
         * 8388607, above the limit: refused before any work is done. */
        static const uint8_t it_32768[] = {0x02, 0x03, 0x00, 0x80, 0x00};
        static const uint8_t it_huge[] = {0x02, 0x03, 0x7f, 0xff, 0xff};
        g_autoptr(GBytes) mac = p12_create("cost", ee_key, ee, NULL, 0, 0, 2048, 32768, false);
        g_autoptr(GBytes) enc = p12_create("cost", ee_key, ee, NULL, 0, 0, 32768, -1, false);
        g_autoptr(GBytes) mac_huge = patched(mac, it_32768, it_huge, sizeof(it_32768), 1);
        g_autoptr(GBytes) enc_huge = patched(enc, it_32768, it_huge, sizeof(it_32768), 2);
        gint64 t0 = g_get_monotonic_time();

        expect_open(mac, PASS("cost"), ee_key, ee, NULL);
        expect_open(enc, PASS("cost"), ee_key, ee, NULL);
        t0 = g_get_monotonic_time();
        expect_error(mac_huge, PASS("cost"), -E2BIG, "MAC iteration count 8388607 is above");
        expect_error(enc_huge, PASS("cost"), -E2BIG, "PBKDF2 iteration count 8388607 is above");
        /* Refused up front: nowhere near the seconds 8 million rounds take. */
        g_assert_cmpint(g_get_monotonic_time() - t0, <, 200000);
}

/* Each part within the limit, all of them together above the budget. */
static void test_kdf_budget(void)
{
        /* 32768 made 983040 (0f 00 00): five of those are 4.9 million. */
        static const uint8_t it_32768[] = {0x02, 0x03, 0x00, 0x80, 0x00};
        static const uint8_t it_983040[] = {0x02, 0x03, 0x0f, 0x00, 0x00};
        STACK_OF(PKCS7) *safes = NULL;
        g_autoptr(GBytes) der = NULL;
        g_autoptr(GBytes) costly = NULL;
        gint64 t0;

        for (int i = 0; i < 5; i++) {
                STACK_OF(PKCS12_SAFEBAG) *sb = NULL;

                g_assert_nonnull(PKCS12_add_cert(&sb, i == 0 ? ee : ca));
                if (i == 0)
                        g_assert_nonnull(
                                PKCS12_add_key(&sb, ee_key, 0, 2048, NID_aes_256_cbc, "cost"));
                g_assert_true(PKCS12_add_safe(&safes, sb, NID_aes_256_cbc, 32768, "cost") == 1);
                sk_PKCS12_SAFEBAG_pop_free(sb, PKCS12_SAFEBAG_free);
        }
        der = der_of(PKCS12_add_safes(safes, 0)); /* and no MAC */
        sk_PKCS7_pop_free(safes, PKCS7_free);
        costly = patched(der, it_32768, it_983040, sizeof(it_32768), 5);

        expect_open(der, PASS("cost"), ee_key, ee, (X509 *[]){ca, ca, ca, ca, NULL});
        t0 = g_get_monotonic_time();
        expect_error(costly, PASS("cost"), -E2BIG, "more than 4000000 key derivation iterations");
        g_assert_cmpint(g_get_monotonic_time() - t0, <, 200000);
}

static void test_unsupported_and_damaged(void)
{
        /* AES-256-CBC (2.16.840.1.101.3.4.1.42) made 2.16.840.1.101.3.4.1.127,
         * which no provider has; without a MAC, which would catch the edit. */
        static const uint8_t aes256[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                         0x65, 0x03, 0x04, 0x01, 0x2a};
        static const uint8_t unknown[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                          0x65, 0x03, 0x04, 0x01, 0x7f};
        g_autoptr(GBytes) der = p12_create("x", ee_key, ee, NULL, 0, 0, 0, -1, false);
        g_autoptr(GBytes) odd = patched(der, aes256, unknown, sizeof(aes256), 2);
        gsize len = g_bytes_get_size(der);
        g_autoptr(GBytes) cut = g_bytes_new_from_bytes(der, 0, len - 1);
        g_autofree uint8_t *longer = g_malloc(len + 1);
        g_autoptr(GBytes) trailing = NULL;
        struct crypto_pkcs12 p;
        char reason[CRYPTO_PKCS12_REASON_SIZE];

        expect_error(odd, PASS("x"), -ENOTSUP, "2.16.840.1.101.3.4.1.127 is not supported");

        memcpy(longer, g_bytes_get_data(der, NULL), len);
        longer[len] = 0;
        trailing = g_bytes_new(longer, len + 1);
        expect_error(cut, PASS("x"), -EBADMSG, "not a DER PKCS#12");
        expect_error(trailing, PASS("x"), -EBADMSG, "not a DER PKCS#12");
        g_assert_false(crypto_pkcs12_detect(gs(trailing)));
        g_assert_false(crypto_pkcs12_detect(SLICE("hello", 5)));
        g_assert_false(crypto_pkcs12_detect(SLICE(NULL, 0)));
        g_assert_cmpint(crypto_pkcs12_open(SLICE(NULL, 0), NOPASS, &p, reason, sizeof(reason)), ==,
                        -EBADMSG);
        /* No reason buffer is fine too. */
        g_assert_cmpint(crypto_pkcs12_open(SLICE("hello", 5), NOPASS, &p, NULL, 0), ==, -EBADMSG);
}

/* Every single-byte corruption of a small file: an error code from the
 * list, or (where the byte does not matter) success; never a crash. */
static void test_every_byte(void)
{
        g_autoptr(GBytes) der = p12_create("b", ee_key, ee, NULL, 0, 0, 1, 1, false);
        gsize len;
        g_autofree uint8_t *d = g_bytes_unref_to_data(g_bytes_ref(der), &len);

        for (size_t i = 0; i < len; i++) {
                struct crypto_pkcs12 p = {0};
                char reason[CRYPTO_PKCS12_REASON_SIZE];
                int r;

                d[i] ^= 0x55;
                r = crypto_pkcs12_open(SLICE(d, len), PASS("b"), &p, reason, sizeof(reason));
                d[i] ^= 0x55;
                g_assert_cmpuint(ERR_peek_error(), ==, 0);
                g_assert_true(r == 0 || r == -EBADMSG || r == -EKEYREJECTED || r == -ENOTSUP ||
                              r == -E2BIG || r == -ENOKEY);
                crypto_pkcs12_done(&p);
        }
}

int main(int argc, char **argv)
{
        int r;

        g_test_init(&argc, &argv, NULL);
        pki_init();
        g_test_add_func("/crypto/pkcs12/modern", test_modern);
        g_test_add_func("/crypto/pkcs12/legacy-rc2-40", test_legacy_rc2_40);
        g_test_add_func("/crypto/pkcs12/no-mac", test_no_mac);
        g_test_add_func("/crypto/pkcs12/passphrases", test_passphrases);
        g_test_add_func("/crypto/pkcs12/key-without-cert", test_key_without_cert);
        g_test_add_func("/crypto/pkcs12/cert-order", test_cert_order);
        g_test_add_func("/crypto/pkcs12/limits", test_limits);
        g_test_add_func("/crypto/pkcs12/kdf-cost", test_kdf_cost);
        g_test_add_func("/crypto/pkcs12/kdf-budget", test_kdf_budget);
        g_test_add_func("/crypto/pkcs12/unsupported-and-damaged", test_unsupported_and_damaged);
        g_test_add_func("/crypto/pkcs12/every-byte", test_every_byte);
        r = g_test_run();
        EVP_PKEY_free(ca_key);
        EVP_PKEY_free(ee_key);
        EVP_PKEY_free(other_key);
        X509_free(ca);
        X509_free(ee);
        X509_free(ee_renewed);
        X509_free(other);
        return r;
}
