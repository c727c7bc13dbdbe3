/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/crypto/x509: a test PKI built at start-up (root,
 * intermediate, gateway certificates good and bad), chain verification at a
 * fixed time, CRLs, purpose checks and identity matching.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/common/bytes.h"
#include "client/crypto/x509.h"
#include "client/ike/ikev2.h"
#include "test-crypto-pki.h"

#define T_2020 1577836800 /* 2020-01-01 */
#define T_2026 1767225600 /* 2026-01-01: "now" in these tests */
#define T_2025 1735689600
#define T_2030 1893456000
#define T_2040 2208988800

static EVP_PKEY *root_key, *inter_key, *leaf_key, *other_key;
static X509 *root, *inter, *other_root;

static X509 *leaf(const char *subject, long serial, time_t nb, time_t na, const char *san,
                  const char *eku, const char *ku)
{
        struct pki_cert_opts o = {.subject = subject,
                                  .serial = serial,
                                  .not_before = nb,
                                  .not_after = na,
                                  .san = san,
                                  .eku = eku,
                                  .ku = ku};

        return pki_cert(&o, leaf_key, inter, inter_key);
}

static void pki_init(void)
{
        struct pki_cert_opts ro = {.subject = "CN=tsunagu Test Root,O=tsunagu",
                                   .serial = 1,
                                   .not_before = T_2020,
                                   .not_after = T_2040,
                                   .ca = true};
        struct pki_cert_opts io = {.subject = "CN=tsunagu Test Intermediate,O=tsunagu",
                                   .serial = 2,
                                   .not_before = T_2020,
                                   .not_after = T_2040,
                                   .ca = true};
        struct pki_cert_opts oo = {.subject = "CN=Some Other Root",
                                   .serial = 1,
                                   .not_before = T_2020,
                                   .not_after = T_2040,
                                   .ca = true};

        root_key = pki_key("EC:P-256");
        inter_key = pki_key("EC:P-256");
        leaf_key = pki_key("EC:P-256");
        other_key = pki_key("EC:P-256");
        root = pki_cert(&ro, root_key, NULL, NULL);
        inter = pki_cert(&io, inter_key, root, root_key);
        other_root = pki_cert(&oo, other_key, NULL, NULL);
}

static void pki_free(void)
{
        EVP_PKEY_free(root_key);
        EVP_PKEY_free(inter_key);
        EVP_PKEY_free(leaf_key);
        EVP_PKEY_free(other_key);
        X509_free(root);
        X509_free(inter);
        X509_free(other_root);
}

static STACK_OF(X509) * stack_of(X509 *a, X509 *b)
{
        STACK_OF(X509) *s = sk_X509_new_null();

        if (a)
                sk_X509_push(s, a);
        if (b)
                sk_X509_push(s, b);
        return s;
}

static int verify(X509 *x, STACK_OF(X509) * trusted, STACK_OF(X509) * untrusted,
                  STACK_OF(X509_CRL) * crls, bool crl_required, time_t now,
                  struct crypto_cert_error *e)
{
        struct crypto_cert_verify_params p = {.trusted = trusted,
                                              .untrusted = untrusted,
                                              .crls = crls,
                                              .now = now,
                                              .crl_required = crl_required};

        return crypto_cert_verify(x, &p, e);
}

#define GOOD_SAN "DNS:vpn.example.org,IP:192.0.2.1,IP:2001:db8::1,email:gw@example.org"

/* ------------------------------------------------------------------ chains */

static void test_chain(void)
{
        STACK_OF(X509) *trust_root = stack_of(root, NULL);
        STACK_OF(X509) *trust_inter = stack_of(inter, NULL);
        STACK_OF(X509) *trust_other = stack_of(other_root, NULL);
        STACK_OF(X509) *peer_inter = stack_of(inter, NULL);
        X509 *good = leaf("CN=vpn.example.org", 10, T_2025, T_2030, GOOD_SAN, "serverAuth",
                          "critical,digitalSignature");
        struct crypto_cert_error e;

        /* root trusted + intermediate from the peer */
        g_assert_cmpint(verify(good, trust_root, peer_inter, NULL, false, T_2026, &e), ==, 0);
        /* the intermediate itself configured as the trust anchor */
        g_assert_cmpint(verify(good, trust_inter, NULL, NULL, false, T_2026, &e), ==, 0);

        /* the peer did not send the intermediate */
        g_assert_cmpint(verify(good, trust_root, NULL, NULL, false, T_2026, &e), ==, -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_UNTRUSTED);
        g_assert_cmpint(e.depth, ==, 0);
        g_assert_cmpstr(e.subject, ==, "CN=vpn.example.org");
        g_assert_cmpuint(strlen(e.detail), >, 0);

        /* a chain to a CA the profile does not trust */
        g_assert_cmpint(verify(good, trust_other, peer_inter, NULL, false, T_2026, &e), ==, -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_UNTRUSTED);
        g_assert_cmpint(e.depth, ==, 1);
        g_assert_cmpstr(e.subject, ==, "O=tsunagu,CN=tsunagu Test Intermediate");

        /* the time decides: before and after the leaf's validity */
        g_assert_cmpint(verify(good, trust_root, peer_inter, NULL, false, T_2020 + 86400, &e), ==,
                        -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_NOT_YET_VALID);
        g_assert_cmpint(e.depth, ==, 0);
        g_assert_cmpint(verify(good, trust_root, peer_inter, NULL, false, T_2030 + 86400, &e), ==,
                        -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_EXPIRED);
        g_assert_cmpstr(crypto_cert_reason_name(e.reason), ==, "expired");

        /* an expired intermediate: the error names depth 1 */
        {
                struct pki_cert_opts io = {.subject = "CN=Old Intermediate",
                                           .serial = 3,
                                           .not_before = T_2020,
                                           .not_after = T_2025,
                                           .ca = true};
                X509 *old = pki_cert(&io, inter_key, root, root_key);
                struct pki_cert_opts lo = {.subject = "CN=vpn.example.org",
                                           .serial = 11,
                                           .not_before = T_2020,
                                           .not_after = T_2030,
                                           .san = GOOD_SAN};
                X509 *l = pki_cert(&lo, leaf_key, old, inter_key);
                STACK_OF(X509) *u = stack_of(old, NULL);

                g_assert_cmpint(verify(l, trust_root, u, NULL, false, T_2026, &e), ==, -EPERM);
                g_assert_cmpint(e.reason, ==, CRYPTO_CERT_EXPIRED);
                g_assert_cmpint(e.depth, ==, 1);
                g_assert_cmpstr(e.subject, ==, "CN=Old Intermediate");
                sk_X509_free(u);
                X509_free(l);
                X509_free(old);
        }

        /* a leaf signed with the wrong key */
        {
                struct pki_cert_opts lo = {.subject = "CN=vpn.example.org",
                                           .serial = 12,
                                           .not_before = T_2025,
                                           .not_after = T_2030};
                X509 *forged = pki_cert(&lo, leaf_key, inter, other_key);

                g_assert_cmpint(verify(forged, trust_root, peer_inter, NULL, false, T_2026, &e), ==,
                                -EPERM);
                g_assert_cmpint(e.reason, ==, CRYPTO_CERT_MALFORMED);
                g_assert_cmpint(e.depth, ==, 0);
                X509_free(forged);
        }

        /* a leaf that is not issued by a CA (the "issuer" has CA:FALSE) */
        {
                struct pki_cert_opts lo = {.subject = "CN=sub",
                                           .serial = 13,
                                           .not_before = T_2025,
                                           .not_after = T_2030};
                X509 *sub = pki_cert(&lo, other_key, good, leaf_key);
                STACK_OF(X509) *u = stack_of(inter, good);

                g_assert_cmpint(verify(sub, trust_root, u, NULL, false, T_2026, &e), ==, -EPERM);
                g_assert_true(e.reason == CRYPTO_CERT_WRONG_PURPOSE ||
                              e.reason == CRYPTO_CERT_UNTRUSTED);
                sk_X509_free(u);
                X509_free(sub);
        }

        g_assert_cmpint(verify(good, NULL, NULL, NULL, false, T_2026, &e), ==, -EINVAL);
        sk_X509_free(trust_root);
        sk_X509_free(trust_inter);
        sk_X509_free(trust_other);
        sk_X509_free(peer_inter);
        X509_free(good);
}

static void test_purpose(void)
{
        STACK_OF(X509) *trust = stack_of(inter, NULL);
        struct crypto_cert_error e;
        static const struct {
                const char *eku, *ku;
                int want;
        } cases[] = {
                {NULL, NULL, 0},
                {"serverAuth", NULL, 0},
                {"1.3.6.1.5.5.7.3.17", "digitalSignature", 0}, /* id-kp-ipsecIKE */
                {"anyExtendedKeyUsage", NULL, 0},
                {"clientAuth,serverAuth", "nonRepudiation", 0},
                {"clientAuth", NULL, -EPERM},
                {"codeSigning,emailProtection", NULL, -EPERM},
                {NULL, "keyEncipherment", -EPERM},
                {"serverAuth", "keyAgreement", -EPERM},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                X509 *x = leaf("CN=vpn.example.org", 20 + (long)i, T_2025, T_2030, GOOD_SAN,
                               cases[i].eku, cases[i].ku);

                g_assert_cmpint(verify(x, trust, NULL, NULL, false, T_2026, &e), ==, cases[i].want);
                if (cases[i].want) {
                        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_WRONG_PURPOSE);
                        g_assert_cmpint(e.depth, ==, 0);
                        g_assert_cmpstr(e.subject, ==, "CN=vpn.example.org");
                }
                X509_free(x);
        }
        sk_X509_free(trust);
}

static void test_crl(void)
{
        STACK_OF(X509) *trust = stack_of(root, NULL);
        STACK_OF(X509) *peer = stack_of(inter, NULL);
        STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
        X509 *ok = leaf("CN=vpn.example.org", 30, T_2025, T_2030, GOOD_SAN, NULL, NULL);
        X509 *bad = leaf("CN=vpn.example.org", 31, T_2025, T_2030, GOOD_SAN, NULL, NULL);
        static const long revoked[] = {31, 99};
        X509_CRL *inter_crl = pki_crl(inter, inter_key, T_2025, T_2030, revoked, 2);
        X509_CRL *root_crl = pki_crl(root, root_key, T_2025, T_2030, NULL, 0);
        struct crypto_cert_error e;

        /* Only the intermediate's CRL: the root's is missing for depth 1. */
        sk_X509_CRL_push(crls, inter_crl);
        g_assert_cmpint(verify(ok, trust, peer, crls, false, T_2026, &e), ==, 0);
        g_assert_cmpint(verify(bad, trust, peer, crls, false, T_2026, &e), ==, -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_REVOKED);
        g_assert_cmpint(e.depth, ==, 0);
        g_assert_cmpint(verify(ok, trust, peer, crls, true, T_2026, &e), ==, -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_CRL_PROBLEM);
        g_assert_cmpint(e.depth, ==, 1);

        /* With both CRLs everything is covered. */
        sk_X509_CRL_push(crls, root_crl);
        g_assert_cmpint(verify(ok, trust, peer, crls, true, T_2026, &e), ==, 0);
        g_assert_cmpint(verify(bad, trust, peer, crls, true, T_2026, &e), ==, -EPERM);
        g_assert_cmpint(e.reason, ==, CRYPTO_CERT_REVOKED);
        /* A CRL past its nextUpdate. */
        {
                STACK_OF(X509_CRL) *stale = sk_X509_CRL_new_null();

                sk_X509_CRL_push(stale,
                                 pki_crl(inter, inter_key, T_2025, T_2025 + 30 * 86400, NULL, 0));
                sk_X509_CRL_push(stale, X509_CRL_dup(root_crl));
                g_assert_cmpint(verify(ok, trust, peer, stale, true, T_2026, &e), ==, -EPERM);
                g_assert_cmpint(e.reason, ==, CRYPTO_CERT_CRL_PROBLEM);
                g_assert_cmpint(e.depth, ==, 0);
                sk_X509_CRL_pop_free(stale, X509_CRL_free);
        }

        /* CRLs as bytes: DER and PEM. */
        {
                g_autoptr(GBytes) der = pki_crl_der(inter_crl);
                STACK_OF(X509_CRL) *loaded = NULL;

                g_assert_cmpint(
                        crypto_crls_load(SLICE(g_bytes_get_data(der, NULL), g_bytes_get_size(der)),
                                         &loaded),
                        ==, 1);
                g_assert_cmpint(sk_X509_CRL_num(loaded), ==, 1);
                g_assert_cmpint(crypto_crls_load(SLICE("junk", 4), &loaded), ==, -EBADMSG);
                sk_X509_CRL_pop_free(loaded, X509_CRL_free);
        }
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        sk_X509_free(trust);
        sk_X509_free(peer);
        X509_free(ok);
        X509_free(bad);
}

/* ------------------------------------------------------------------ identities */

static void expect_match(X509 *x, uint8_t type, const void *data, size_t len, int want)
{
        struct crypto_cert_error e;

        g_assert_cmpint(crypto_cert_match_id(x, type, SLICE(data, len), &e), ==, want);
        if (want == -EPERM) {
                g_assert_cmpint(e.reason, ==, CRYPTO_CERT_NAME_MISMATCH);
                g_assert_cmpuint(strlen(e.subject), >, 0);
        }
}

#define S(s) s, strlen(s)

static void test_identity(void)
{
        X509 *gw = leaf("CN=vpn.example.org,O=Example", 40, T_2025, T_2030, GOOD_SAN, NULL, NULL);
        X509 *cn_only = leaf("CN=vpn.example.org", 41, T_2025, T_2030, NULL, NULL, NULL);
        X509 *wild = leaf("CN=wild", 42, T_2025, T_2030, "DNS:*.corp.example", NULL, NULL);
        uint8_t v4[4], v6[16];
        unsigned char *dn = NULL;
        int dn_len;

        /* FQDN: subjectAltName dNSName, case-insensitive, whole labels */
        expect_match(gw, IKEV2_ID_FQDN, S("vpn.example.org"), 0);
        expect_match(gw, IKEV2_ID_FQDN, S("VPN.Example.ORG"), 0);
        expect_match(gw, IKEV2_ID_FQDN, S("example.org"), -EPERM);
        expect_match(gw, IKEV2_ID_FQDN, S("evilvpn.example.org"), -EPERM);
        expect_match(gw, IKEV2_ID_FQDN, S("vpn.example.org.evil"), -EPERM);
        expect_match(gw, IKEV2_ID_FQDN, S("pn.example.org"), -EPERM);
        expect_match(gw, IKEV2_ID_FQDN, "vpn.example.org\0.evil", 20, -EINVAL);
        /* never the subject CN, even when it is the only name */
        expect_match(cn_only, IKEV2_ID_FQDN, S("vpn.example.org"), -EPERM);
        /* a wildcard covers one label, not zero or two */
        expect_match(wild, IKEV2_ID_FQDN, S("gw.corp.example"), 0);
        expect_match(wild, IKEV2_ID_FQDN, S("a.gw.corp.example"), -EPERM);
        expect_match(wild, IKEV2_ID_FQDN, S("corp.example"), -EPERM);

        /* addresses: subjectAltName iPAddress, exact length */
        inet_pton(AF_INET, "192.0.2.1", v4);
        inet_pton(AF_INET6, "2001:db8::1", v6);
        expect_match(gw, IKEV2_ID_IPV4_ADDR, v4, 4, 0);
        expect_match(gw, IKEV2_ID_IPV6_ADDR, v6, 16, 0);
        v4[3] = 2;
        v6[15] = 2;
        expect_match(gw, IKEV2_ID_IPV4_ADDR, v4, 4, -EPERM);
        expect_match(gw, IKEV2_ID_IPV6_ADDR, v6, 16, -EPERM);
        expect_match(gw, IKEV2_ID_IPV4_ADDR, v6, 16, -EINVAL);
        expect_match(gw, IKEV2_ID_IPV6_ADDR, v4, 4, -EINVAL);
        /* the address written as text is not an address ID */
        expect_match(gw, IKEV2_ID_FQDN, S("192.0.2.1"), -EPERM);

        /* RFC822 */
        expect_match(gw, IKEV2_ID_RFC822_ADDR, S("gw@example.org"), 0);
        expect_match(gw, IKEV2_ID_RFC822_ADDR, S("other@example.org"), -EPERM);
        expect_match(cn_only, IKEV2_ID_RFC822_ADDR, S("gw@example.org"), -EPERM);

        /* DER_ASN1_DN: the whole subject, exactly */
        dn_len = i2d_X509_NAME(X509_get_subject_name(gw), &dn);
        g_assert_cmpint(dn_len, >, 0);
        expect_match(gw, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len, 0);
        expect_match(cn_only, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len, -EPERM);
        expect_match(gw, IKEV2_ID_DER_ASN1_DN, dn, (size_t)dn_len - 1, -EINVAL);
        {
                g_autofree uint8_t *longer = g_malloc0((gsize)dn_len + 1);

                memcpy(longer, dn, (size_t)dn_len);
                expect_match(gw, IKEV2_ID_DER_ASN1_DN, longer, (size_t)dn_len + 1, -EINVAL);
        }
        {
                X509_NAME *n = pki_name("CN=vpn.example.org");
                unsigned char *d2 = NULL;
                int l2 = i2d_X509_NAME(n, &d2);

                /* a DN that is only part of the subject does not match */
                expect_match(gw, IKEV2_ID_DER_ASN1_DN, d2, (size_t)l2, -EPERM);
                OPENSSL_free(d2);
                X509_NAME_free(n);
        }
        OPENSSL_free(dn);

        expect_match(gw, IKEV2_ID_KEY_ID, S("abc"), -ENOTSUP);
        expect_match(gw, IKEV2_ID_FQDN, "", 0, -EINVAL);
        X509_free(gw);
        X509_free(cn_only);
        X509_free(wild);
}

/* ------------------------------------------------------------------ parsing */

static void test_load(void)
{
        X509 *x = leaf("CN=vpn.example.org", 50, T_2025, T_2030, GOOD_SAN, NULL, NULL);
        g_autoptr(GBytes) der = pki_cert_der(x);
        g_autoptr(GBytes) pem = pki_cert_pem(x);
        g_autoptr(GBytes) pem2 = pki_cert_pem(inter);
        g_autoptr(GByteArray) bundle = g_byte_array_new();
        g_autofree uint8_t *der_plus = NULL;
        STACK_OF(X509) *st = NULL;
        X509 *y = NULL;
        size_t n = g_bytes_get_size(der);

        g_assert_cmpint(crypto_cert_load(SLICE(g_bytes_get_data(der, NULL), n), &y), ==, 0);
        g_assert_true(X509_cmp(x, y) == 0);
        X509_free(y);
        g_assert_cmpint(
                crypto_cert_load(SLICE(g_bytes_get_data(pem, NULL), g_bytes_get_size(pem)), &y), ==,
                0);
        g_assert_true(X509_cmp(x, y) == 0);
        X509_free(y);

        /* DER with a trailing octet, truncated DER, garbage, empty */
        der_plus = g_malloc0(n + 1);
        memcpy(der_plus, g_bytes_get_data(der, NULL), n);
        g_assert_cmpint(crypto_cert_load(SLICE(der_plus, n + 1), &y), ==, -EBADMSG);
        g_assert_cmpint(crypto_cert_load(SLICE(der_plus, n - 1), &y), ==, -EBADMSG);
        g_assert_cmpint(crypto_cert_load(SLICE("-----BEGIN CERTIFICATE-----\nAAAA\n", 33), &y), ==,
                        -EBADMSG);
        g_assert_cmpint(crypto_cert_load(SLICE(NULL, 0), &y), ==, -EBADMSG);

        /* a PEM bundle */
        g_byte_array_append(bundle, g_bytes_get_data(pem, NULL), (guint)g_bytes_get_size(pem));
        g_byte_array_append(bundle, g_bytes_get_data(pem2, NULL), (guint)g_bytes_get_size(pem2));
        g_assert_cmpint(crypto_certs_load(SLICE(bundle->data, bundle->len), &st), ==, 2);
        g_assert_cmpint(crypto_certs_load(SLICE(g_bytes_get_data(der, NULL), n), &st), ==, 1);
        g_assert_cmpint(sk_X509_num(st), ==, 3);
        g_assert_cmpint(crypto_certs_load(SLICE("nothing", 7), &st), ==, -EBADMSG);
        g_assert_cmpint(sk_X509_num(st), ==, 3);
        sk_X509_pop_free(st, X509_free);
        X509_free(x);
}

int main(int argc, char **argv)
{
        int r;

        g_test_init(&argc, &argv, NULL);
        pki_init();
        g_test_add_func("/crypto/x509/chain", test_chain);
        g_test_add_func("/crypto/x509/purpose", test_purpose);
        g_test_add_func("/crypto/x509/crl", test_crl);
        g_test_add_func("/crypto/x509/identity", test_identity);
        g_test_add_func("/crypto/x509/load", test_load);
        r = g_test_run();
        pki_free();
        return r;
}
