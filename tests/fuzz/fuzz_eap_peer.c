/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the EAP peer (client/ike/eap*.c): a sequence of EAP
 * packets from a hostile server, fed to a peer configured for one method.
 *
 * Input:
 *
 *   +----------+--------------+-------------+--------------+-------------+---
 *   | selector | length (BE16) | EAP packet  | length (BE16) | EAP packet  | ...
 *   +----------+--------------+-------------+--------------+-------------+---
 *
 *   selector & 0x03   0 and 3 EAP-MD5, 1 EAP-MSCHAPv2, 2 EAP-TLS
 *   selector & 0x04   no secret configured: NEED_SECRET, then set + resume
 *   selector & 0x08   EAP-TLS: TLS 1.3 draft keying (strongSwan 5.9.x)
 *   selector & 0x10   EAP-TLS: 48-byte fragments instead of 1000
 *   selector & 0x20   EAP-TLS: TLS 1.2 at most
 *   selector & 0x40   EAP-TLS: client credential as an encrypted PKCS#12
 *
 * A length running past the end takes what is left. Every packet is
 * processed whatever the previous outcome, so terminal states are
 * exercised too. No crash, no leak, no hang; the Success rules are
 * asserted: SUCCESS only with a completed method, an MSK exactly when the
 * method derives one.
 *
 * The TLS credentials are generated once per process in
 * LLVMFuzzerInitialize (tests/unit/test-eap-pki.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "client/ike/eap.h"
#include "tests/unit/test-eap-pki.h"

#define MAX_PACKETS 96
#define FUZZ_NOW    TEST_EAP_FUZZ_NOW
#define PASSWORD    TEST_EAP_FUZZ_PASSWORD
#define P12_PASS    TEST_EAP_FUZZ_P12_PASS

static struct test_pki pki;
static uint8_t *p12;
static size_t p12_len;

static int fuzz_rng(void *ctx, uint8_t *buf, size_t n)
{
        memset(buf, TEST_EAP_FUZZ_RNG_BYTE, n);
        return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        if (test_pki_init(&pki, FUZZ_NOW) < 0 || eap_preload() < 0) {
                fprintf(stderr, "fuzz_eap_peer: cannot set up the test PKI or OpenSSL\n");
                abort();
        }
        p12 = test_pki_pkcs12(pki.client_key, pki.client, pki.ca, P12_PASS, false, NULL,
                              &p12_len);
        if (!p12)
                abort();
        return 0;
}

static void check_outcome(struct eap_peer *p, const struct eap_result *res)
{
        struct slice msk;
        int r = eap_peer_msk(p, &msk);

        if (res->action == EAP_ACTION_SUCCESS) {
                /* CVE-2021-45079: never Success without a completed method. */
                if (!eap_peer_method_completed(p))
                        abort();
                if (eap_peer_has_msk(p) ? (r != 0 || msk.len != EAP_MSK_LEN) : r != -ENOKEY)
                        abort();
        }
        if (res->action == EAP_ACTION_SEND &&
            (res->response.len < 5 || res->response.len > EAP_MAX_PACKET ||
             res->response.ptr[0] != EAP_CODE_RESPONSE))
                abort();
        if ((res->action == EAP_ACTION_FAILURE || res->action == EAP_ACTION_DROP) &&
            (!res->reason || !res->reason[0]))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint8_t methods[] = { EAP_TYPE_MD5, EAP_TYPE_MSCHAPV2, EAP_TYPE_TLS };
        X509 *cas[1] = { pki.ca };
        struct eap_peer_config cfg = { 0 };
        struct eap_peer *p = NULL;
        uint8_t sel;
        size_t off = 1;

        if (size < 1)
                return 0;
        sel = data[0];
        cfg.identity = SLICE(TEST_PKI_CLIENT_NAME, strlen(TEST_PKI_CLIENT_NAME));
        cfg.method = methods[(sel & 0x03) % 3];
        cfg.rng_fill = fuzz_rng;
        if (!(sel & 0x04))
                cfg.secret = cfg.method == EAP_TYPE_TLS ? SLICE(P12_PASS, strlen(P12_PASS))
                                                        : SLICE(PASSWORD, strlen(PASSWORD));
        cfg.tls.ca_certs = cas;
        cfg.tls.n_ca_certs = 1;
        if (sel & 0x40) {
                cfg.tls.pkcs12 = SLICE(p12, p12_len);
        } else {
                cfg.tls.cert = pki.client;
                cfg.tls.key = pki.client_key;
        }
        cfg.tls.server_identity = TEST_PKI_SERVER_NAME;
        cfg.tls.now = FUZZ_NOW;
        cfg.tls.fragment_size = (sel & 0x10) ? 48 : 0;
        cfg.tls.max_version = (sel & 0x20) ? TLS1_2_VERSION : 0;
        cfg.tls.tls13_keying = (sel & 0x08) ? EAP_TLS13_DRAFT : EAP_TLS13_RFC9190;
        if (eap_peer_new(&p, &cfg, NULL) < 0)
                abort(); /* the configuration is valid */

        for (unsigned n = 0; n < MAX_PACKETS && off < size; n++) {
                struct eap_result res;
                size_t len;

                if (size - off < 2) {
                        len = size - off;
                } else {
                        len = (size_t)data[off] << 8 | data[off + 1];
                        off += 2;
                        if (len > size - off)
                                len = size - off;
                }
                if (eap_peer_process(p, SLICE(data + off, len), &res) < 0)
                        abort(); /* only -EINVAL/-ENOMEM, neither possible here */
                off += len;
                check_outcome(p, &res);
                if (res.action == EAP_ACTION_NEED_SECRET) {
                        const char *secret = cfg.method == EAP_TYPE_TLS ? P12_PASS : PASSWORD;

                        if (eap_peer_set_secret(p, SLICE(secret, strlen(secret))) < 0 ||
                            eap_peer_resume(p, &res) < 0)
                                abort();
                        check_outcome(p, &res);
                }
        }
        eap_peer_free(p);
        return 0;
}
