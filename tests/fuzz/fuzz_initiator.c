/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the IKEv2 initiator (client/ike/initiator.c and the
 * task files): an initiator is driven with the test responder
 * (tests/unit/ike-responder.c) to a chosen state, then fed what the fuzzer
 * wrote as the gateway's next messages.
 *
 * Input:
 *
 *   +----------+-------+--------------+------+-------+--------------+------+---
 *   | selector | first | length (BE16) | data | first | length (BE16) | data | ...
 *   +----------+-------+--------------+------+-------+--------------+------+---
 *
 *   selector & 0x03   0 EAP-MSCHAPv2, 1 EAP-MD5, 2 certificate, 3 certificate+EAP
 *   selector >> 2 & 7 the state:
 *                     0 IKE_SA_INIT sent: the answer to it
 *                     1 first IKE_AUTH sent: the answer to it
 *                     2 an EAP round (the answer to our EAP Identity response)
 *                     3 established: requests from the gateway
 *                     4 established, DELETE sent: the answer to it
 *                     5 waiting for a password (EAP-MSCHAPv2 without one), then it comes
 *   selector & 0x20   raw: each record is a whole datagram as it came from the
 *                     network (the marker already stripped); otherwise "first"
 *                     and the data are the inner payload chain of a message the
 *                     harness protects with the responder's keys (state 0: an
 *                     unprotected IKE_SA_INIT answer with that chain), with the
 *                     right SPIs, exchange and message ID
 *   selector & 0x40   at the end, let the clock run out (retransmissions, timeout)
 *
 * A length running past the end takes what is left; at most 8 records. No
 * crash, no leak, no hang. The PKI is generated once per process.
 *
 * With FUZZ_INITIATOR_SEEDS=DIR in the environment, LLVMFuzzerInitialize
 * writes a seed corpus into DIR first: every message the test responder
 * sends in complete connections of each kind, as wrapped records for the
 * state they answer (tests/fuzz/corpus/fuzz_initiator/ was made so).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/initiator.h"
#include "client/ike/message.h"
#include "tests/unit/ike-responder.h"
#include "tests/unit/test-eap-pki.h"

#define MAX_RECORDS 8
#define NOW_UNIX    TEST_EAP_FUZZ_NOW

static struct test_pki pki;
static bool pki_ok;
static STACK_OF(X509) * trusted;
static struct seed_writer *seeding; /* set while write_seeds() runs */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_seeds(const char *dir);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *seeds = getenv("FUZZ_INITIATOR_SEEDS");

        (void)argc;
        (void)argv;
        pki_ok = test_pki_init(&pki, NOW_UNIX) == 0 && eap_preload() == 0;
        trusted = sk_X509_new_null();
        if (pki_ok && trusted && X509_up_ref(pki.ca))
                sk_X509_push(trusted, pki.ca);
        if (pki_ok && seeds)
                write_seeds(seeds);
        return 0;
}

struct bench {
        struct ike_initiator *ini;
        struct responder resp;
        uint64_t now;
        uint32_t ini_msgid; /* message ID of the initiator's last request */
        uint64_t spi_i;
        uint8_t ini_exchange;
        bool sent_request;
        bool need_secret;
        bool closed;
        struct resp_out pending; /* the responder's answers, not yet delivered */
        bool pending_natt;
};

/* Reads the initiator's actions: its datagrams go to the responder unless
 * hold is set (then the latest request is just remembered). */
static void actions(struct bench *b, bool deliver)
{
        size_t n;
        const struct ike_action *a = ike_initiator_actions(b->ini, &n);

        for (size_t i = 0; i < n; i++) {
                if (a[i].type == IKE_ACTION_NEED_SECRET)
                        b->need_secret = true;
                if (a[i].type == IKE_ACTION_CLOSED)
                        b->closed = true;
                if (a[i].type == IKE_ACTION_INSTALL_CHILD && a[i].u.child->encr_out.len == 0)
                        abort(); /* keys must come with the SA */
                if (a[i].type != IKE_ACTION_SEND)
                        continue;
                {
                        struct slice d = a[i].u.send.datagram, ike = d;
                        struct ike_header h;

                        if (a[i].u.send.natt)
                                (void)ike_non_esp_marker_strip(d, &ike);
                        if (ike_header_parse(ike, &h, NULL) == 0 && !ike_header_is_response(&h)) {
                                b->ini_msgid = h.message_id;
                                b->spi_i = h.spi_i;
                                b->ini_exchange = h.exchange;
                                b->sent_request = true;
                        }
                        if (deliver) {
                                struct resp_out out = {0};

                                (void)resp_handle(&b->resp, d.ptr, d.len, a[i].u.send.natt, &out);
                                /* keep the answers for later delivery */
                                for (size_t k = 0; k < out.n && b->pending.n < RESP_MAX_OUT; k++) {
                                        b->pending.d[b->pending.n++] = out.d[k];
                                        out.d[k] = (struct bytes){0};
                                }
                                b->pending_natt = a[i].u.send.natt;
                                resp_out_clear(&out);
                        }
                }
        }
}

/* Delivers the responder's pending answers to the initiator, which may send
 * more: until nothing moves or `until` says stop. */
static void pump(struct bench *b, bool (*until)(struct bench *))
{
        for (int rounds = 0; rounds < 64 && b->pending.n && !b->closed; rounds++) {
                struct resp_out now = b->pending;
                bool natt = b->pending_natt;

                memset(&b->pending, 0, sizeof(b->pending));
                for (size_t i = 0; i < now.n; i++) {
                        struct slice ike = SLICE_OF(now.d[i]);

                        if (natt)
                                (void)ike_non_esp_marker_strip(SLICE_OF(now.d[i]), &ike);
                        (void)ike_initiator_receive(b->ini, ike.ptr, ike.len, natt, b->now);
                        actions(b, !(until && until(b)));
                }
                resp_out_clear(&now);
                if (until && until(b))
                        return;
        }
}

static bool in_auth(struct bench *b)
{
        return b->ini_exchange == IKEV2_EXCHANGE_IKE_AUTH && b->ini_msgid == 1;
}

static bool in_eap(struct bench *b)
{
        return b->ini_exchange == IKEV2_EXCHANGE_IKE_AUTH && b->ini_msgid == 2;
}

static void deliver_raw(struct bench *b, const uint8_t *p, size_t len)
{
        (void)ike_initiator_receive(b->ini, p, len, true, b->now);
        actions(b, false);
}

static void deliver_wrapped(struct bench *b, unsigned state, uint8_t first, const uint8_t *p,
                            size_t len)
{
        struct resp_out out = {0};

        if (state == 0) {
                /* an unprotected IKE_SA_INIT answer with this payload chain */
                static uint8_t buf[IKE_MESSAGE_MAX];
                size_t n = MIN(len, sizeof(buf) - IKEV2_HEADER_LEN);

                /* the initiator's SPI from its request, a responder SPI, the
                 * right exchange and flags, the fuzzer's chain */
                for (int i = 0; i < 8; i++)
                        buf[i] = (uint8_t)(b->spi_i >> (56 - 8 * i));
                memset(buf + 8, 0x5a, 8);
                buf[16] = first;
                buf[17] = IKEV2_VERSION;
                buf[18] = IKEV2_EXCHANGE_IKE_SA_INIT;
                buf[19] = IKEV2_FLAG_RESPONSE;
                memset(buf + 20, 0, 4);
                buf[24] = (uint8_t)((IKEV2_HEADER_LEN + n) >> 24);
                buf[25] = (uint8_t)((IKEV2_HEADER_LEN + n) >> 16);
                buf[26] = (uint8_t)((IKEV2_HEADER_LEN + n) >> 8);
                buf[27] = (uint8_t)(IKEV2_HEADER_LEN + n);
                if (n)
                        memcpy(buf + IKEV2_HEADER_LEN, p, n);
                (void)ike_initiator_receive(b->ini, buf, IKEV2_HEADER_LEN + n, false, b->now);
                actions(b, false);
                return;
        }
        b->resp.natt = true;
        if (state == 3)
                (void)resp_wrap(&b->resp,
                                first & 1 ? IKEV2_EXCHANGE_CREATE_CHILD_SA
                                          : IKEV2_EXCHANGE_INFORMATIONAL,
                                b->resp.next_msgid++, false, first, p, len, &out);
        else
                (void)resp_wrap(&b->resp, b->ini_exchange, b->ini_msgid, true, first, p, len, &out);
        for (size_t i = 0; i < out.n; i++) {
                struct slice ike;

                if (ike_non_esp_marker_strip(SLICE_OF(out.d[i]), &ike) == 0)
                        deliver_raw(b, ike.ptr, ike.len);
        }
        resp_out_clear(&out);
}

/* ------------------------------------------------------------------ seeds */

struct seed_writer {
        const char *dir;
        unsigned auth;
        unsigned n;
        bool ours; /* the message answers a request of the initiator */
};

static void write_seed(struct seed_writer *s, unsigned state, uint8_t first, struct slice chain)
{
        char path[512];
        uint8_t hdr[4] = {(uint8_t)(s->auth | state << 2), first, (uint8_t)(chain.len >> 8),
                          (uint8_t)chain.len};
        FILE *f;

        snprintf(path, sizeof(path), "%s/seed-%u-%u-%02u", s->dir, s->auth, state, s->n++);
        f = fopen(path, "wbe");
        if (!f)
                return;
        fwrite(hdr, 1, 4, f);
        if (chain.len)
                fwrite(chain.ptr, 1, chain.len, f);
        fclose(f);
}

static void record(void *ud, const struct ike_header *h, uint8_t first, struct slice chain)
{
        struct seed_writer *s = ud;
        unsigned state;

        if (!ike_header_is_response(h)) {
                write_seed(s, 3, first, chain);
                return;
        }
        switch (h->exchange) {
        case IKEV2_EXCHANGE_IKE_SA_INIT:
                state = 0;
                break;
        case IKEV2_EXCHANGE_IKE_AUTH:
                state = h->message_id == 1 ? 1 : 2;
                break;
        default:
                state = 4;
                break;
        }
        write_seed(s, state, first, chain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct tsu_rng_stream rs_i, rs_r;
        struct tsu_rng rng_i, rng_r;
        struct proposal_list ike, esp;
        struct proposal_error perr;
        struct ike_identity local_id;
        struct ike_initiator_config c;
        struct resp_config rc;
        struct bench b = {.now = 1000};
        const char *why;
        unsigned sel, auth, state;
        size_t off = 1;

        if (!pki_ok || size < 1)
                return 0;
        sel = data[0];
        auth = sel & 3;
        state = (sel >> 2) & 7;
        rng_i = tsu_rng_stream_init(&rs_i, "fuzz-i", 6);
        rng_r = tsu_rng_stream_init(&rs_r, "fuzz-r", 6);
        /* fast algorithms: X25519, AES-GCM */
        if (proposal_list_parse("aes128gcm16-prfsha256-curve25519!", PROPOSAL_IKE, &ike, &perr) <
                    0 ||
            proposal_list_parse("aes128gcm16!", PROPOSAL_ESP, &esp, &perr) < 0)
                abort();
        (void)ike_identity_parse(TEST_PKI_CLIENT_NAME, &local_id, &why);
        c = (struct ike_initiator_config){
                .rng = &rng_i,
                .ike_proposals = &ike,
                .esp_proposals = &esp,
                .local = {.family = 4, .addr = {192, 168, 77, 2}, .port = 500},
                .remote = {.family = 4, .addr = {192, 0, 2, 1}, .port = 500},
                .gateway_host = TEST_PKI_SERVER_NAME,
                .local_id = &local_id,
                .trusted = trusted,
                .send_certreq = true,
                .fragmentation = true,
                .fragment_size = 576,
                .retransmit = {.timeout_ms = 100, .tries = 2},
                .unix_time = NOW_UNIX,
        };
        rc = (struct resp_config){
                .rng = &rng_r,
                .id_type = IKEV2_ID_FQDN,
                .id = TEST_PKI_SERVER_NAME,
                .cert = pki.server,
                .key = pki.server_key,
                .ike_encr = IKEV2_ENCR_AES_GCM_16,
                .ike_encr_bits = 128,
                .ike_prf = IKEV2_PRF_HMAC_SHA2_256,
                .ike_dh = IKEV2_DH_CURVE25519,
                .esp_encr = IKEV2_ENCR_AES_GCM_16,
                .esp_encr_bits = 128,
                .eap_password = TEST_EAP_FUZZ_PASSWORD,
                .fragmentation = true,
                .fragment_size = 600,
                .hash_algorithms = true,
                .multiple_auth = true,
                .family = 4,
                .gw_addr = {192, 0, 2, 1},
                .gw_port = 500,
                .seen_addr = {198, 51, 100, 2},
                .seen_port = 61000,
                .record = seeding ? record : NULL,
                .record_ud = seeding,
        };
        switch (auth) {
        case 0:
        case 1:
                c.auth = IKE_AUTH_KIND_EAP;
                c.eap.identity = SLICE("alice", 5);
                c.eap.method = auth == 1 ? EAP_TYPE_MD5 : EAP_TYPE_MSCHAPV2;
                if (state != 5)
                        c.eap.secret =
                                SLICE(TEST_EAP_FUZZ_PASSWORD, strlen(TEST_EAP_FUZZ_PASSWORD));
                rc.client_auth = auth == 1 ? RESP_CLIENT_EAP_MD5 : RESP_CLIENT_EAP_MSCHAPV2;
                break;
        default:
                c.auth = auth == 2 ? IKE_AUTH_KIND_CERT : IKE_AUTH_KIND_CERT_EAP;
                c.cert = pki.client;
                c.key = pki.client_key;
                c.eap.identity = SLICE("alice", 5);
                c.eap.method = EAP_TYPE_MSCHAPV2;
                c.eap.secret = SLICE(TEST_EAP_FUZZ_PASSWORD, strlen(TEST_EAP_FUZZ_PASSWORD));
                rc.client_auth = auth == 2 ? RESP_CLIENT_CERT : RESP_CLIENT_CERT_EAP;
                break;
        }
        resp_init(&b.resp, &rc);
        if (ike_initiator_new(&c, &b.ini, &why) < 0)
                abort();
        (void)ike_initiator_start(b.ini, b.now);

        /* Walk to the state. */
        switch (state) {
        case 0:
                actions(&b, false);
                break;
        case 1:
                actions(&b, true);
                pump(&b, in_auth);
                break;
        case 2:
                actions(&b, true);
                pump(&b, in_eap);
                break;
        case 3:
        case 4:
        case 5:
        default:
                actions(&b, true);
                pump(&b, NULL);
                if (state == 5 && b.need_secret) {
                        (void)ike_initiator_provide_secret(
                                b.ini, EAP_SECRET_PASSWORD,
                                SLICE(TEST_EAP_FUZZ_PASSWORD, strlen(TEST_EAP_FUZZ_PASSWORD)),
                                b.now);
                        actions(&b, true);
                        pump(&b, NULL);
                }
                if (seeding) {
                        /* the gateway's requests, recorded (not delivered) */
                        static const enum resp_request kinds[] = {
                                RESP_REQ_LIVENESS, RESP_REQ_CREATE_CHILD, RESP_REQ_DELETE_CHILD,
                                RESP_REQ_REKEY_CHILD, RESP_REQ_DELETE_IKE};

                        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                                struct resp_out out = {0};

                                (void)resp_request(&b.resp, kinds[k], &out);
                                resp_out_clear(&out);
                        }
                }
                if (state == 4) {
                        (void)ike_initiator_disconnect(b.ini, b.now);
                        actions(&b, seeding != NULL);
                }
                break;
        }
        resp_out_clear(&b.pending);

        /* The fuzzer's messages. */
        for (int rec = 0; rec < MAX_RECORDS && off + 3 <= size && !b.closed; rec++) {
                uint8_t first = data[off];
                size_t len = (size_t)data[off + 1] << 8 | data[off + 2];

                off += 3;
                len = MIN(len, size - off);
                if (sel & 0x20)
                        deliver_raw(&b, data + off, len);
                else
                        deliver_wrapped(&b, state, first, data + off, len);
                off += len;
                b.now += 10;
        }
        if (sel & 0x40) {
                for (int i = 0; i < 16 && !b.closed; i++) {
                        uint64_t next = ike_initiator_next_timer(b.ini);

                        if (next == UINT64_MAX)
                                break;
                        b.now = next;
                        (void)ike_initiator_tick(b.ini, b.now);
                        actions(&b, false);
                }
        }
        {
                struct ike_sa_info info;

                ike_initiator_info(b.ini, &info);
        }
        ike_initiator_free(b.ini);
        resp_out_clear(&b.pending);
        resp_free(&b.resp);
        return 0;
}

/* Complete connections of each kind (and the gateway's requests and the
 * answer to our DELETE afterwards), every responder message recorded. */
static void write_seeds(const char *dir)
{
        static const uint8_t empty[1] = {0};

        for (unsigned auth = 0; auth < 4; auth++) {
                struct seed_writer w = {.dir = dir, .auth = auth};
                uint8_t in[1] = {(uint8_t)(auth | 4u << 2)}; /* state 4: established + DELETE */

                seeding = &w;
                (void)LLVMFuzzerTestOneInput(in, sizeof(in));
                seeding = NULL;
        }
        (void)empty;
}
