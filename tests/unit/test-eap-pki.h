/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A throwaway PKI generated at test time for the EAP-TLS tests and the EAP
 * fuzz target (GLib-free, so the fuzzer can use it): ECDSA P-256 keys, a
 * trusted CA, a server certificate for "vpn.test" / 192.0.2.1, a client
 * certificate, and the certificates that must be refused (another CA, a
 * wrong name).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#define TEST_PKI_SERVER_NAME "vpn.test"
#define TEST_PKI_SERVER_IP   "192.0.2.1"
#define TEST_PKI_CLIENT_NAME "alice@test"

/* The configuration of tests/fuzz/fuzz_eap_peer.c, shared with the tests
 * that write its seed corpus (EAP_CORPUS_DIR) so that the seeds are
 * conversations the fuzzed peer can complete: its identity is
 * TEST_PKI_CLIENT_NAME and its random source returns this byte. */
#define TEST_EAP_FUZZ_NOW      1700000000
#define TEST_EAP_FUZZ_PASSWORD "fuzz p\xc3\xa4ssword"
#define TEST_EAP_FUZZ_P12_PASS "fuzz p12"
#define TEST_EAP_FUZZ_RNG_BYTE 0x5a

struct test_pki {
        int64_t now; /* the validity of everything is [now - 1 h, now + 1 day] */
        EVP_PKEY *ca_key;
        X509 *ca;
        EVP_PKEY *server_key;
        X509 *server; /* CN=vpn.test, DNS:vpn.test, IP:192.0.2.1, serverAuth */
        EVP_PKEY *client_key;
        X509 *client; /* CN=alice@test, email:alice@test, clientAuth */
        EVP_PKEY *rogue_ca_key;
        X509 *rogue_ca;
        X509 *rogue_server;      /* vpn.test, but signed by rogue_ca */
        X509 *wrong_name_server; /* other.test, signed by ca */
};

/* 0 or -1; everything is freed by test_pki_free() either way. */
int test_pki_init(struct test_pki *pki, int64_t now);
void test_pki_free(struct test_pki *pki);

/* PEM of a certificate or key (encrypted with AES-256-CBC when pass != NULL),
 * malloc()ed, NUL-terminated; *len without the NUL. */
char *test_pki_cert_pem(X509 *x, size_t *len);
char *test_pki_key_pem(EVP_PKEY *key, const char *pass, size_t *len);
/* DER PKCS#12 of key + cert (+ ca), to be OPENSSL_free()d. legacy_rc2: encrypt the
 * certificates with RC2-40 the way older tools do (needs the legacy
 * provider, taken from libctx). */
uint8_t *test_pki_pkcs12(EVP_PKEY *key, X509 *cert, X509 *ca, const char *pass,
                         bool legacy_rc2, OSSL_LIB_CTX *libctx, size_t *len);
