/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initiator when things go wrong: retransmissions and timeouts, error
 * notifies, duplicate and out-of-window answers, unauthenticated notifies,
 * gateways that cannot prove who they are (in which case no EAP response
 * may ever leave), proposals nobody offered, configuration that must be
 * refused.
 */
#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/message.h"
#include "tests/unit/initiator-harness.h"

/* ------------------------------------------------------------------ timers */

static void test_retransmit_schedule(void)
{
        /* strongSwan's defaults: 4 s, base 1.8, 5 retransmissions. */
        static const uint64_t at[] = {0, 4000, 11200, 24160, 47488, 89478};
        struct harness h;
        uint64_t t0;

        h_init(&h, H_EAP_MSCHAPV2);
        h.drop_to_resp = 1000;
        h_start(&h);
        t0 = h.now;
        while (!h.closed) {
                uint64_t next = ike_initiator_next_timer(h.ini);

                g_assert_cmpuint(next, !=, UINT64_MAX);
                /* one millisecond early: nothing happens */
                h_advance(&h, next - h.now - 1);
                g_assert_cmpuint(h.sent->len, <=, G_N_ELEMENTS(at));
                h_advance(&h, 1);
        }
        g_assert_cmpuint(h.sent->len, ==, G_N_ELEMENTS(at));
        for (size_t i = 0; i < h.sent->len; i++) {
                const struct h_dgram *d = g_ptr_array_index(h.sent, i);
                const struct h_dgram *first = g_ptr_array_index(h.sent, 0);

                g_assert_cmpuint(d->at - t0, ==, at[i]);
                g_assert_cmpmem(d->b.ptr, d->b.len, first->b.ptr, first->b.len);
                g_assert_false(d->natt);
        }
        g_assert_cmpuint(h.now - t0, ==, 89478 + 75582);
        h_assert_failed(&h, IKE_FAIL_TIMEOUT,
                        "no response from gateway vpn.test to IKE_SA_INIT (message 0) after 165 s "
                        "and 5 retransmissions");
        h_free(&h);
}

static void test_retransmit_configured(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.retransmit =
                (struct ike_retransmit){.timeout_ms = 500, .base_permille = 2000, .tries = 2};
        h.drop_to_resp = 1000;
        h_start(&h);
        h_advance(&h, 500);
        h_advance(&h, 1000);
        g_assert_false(h.closed);
        h_advance(&h, 1999);
        g_assert_false(h.closed);
        h_advance(&h, 1);
        g_assert_cmpuint(h.sent->len, ==, 3);
        h_assert_failed(&h, IKE_FAIL_TIMEOUT, "after 4 s and 2 retransmissions");
        h_free(&h);
}

/* The IKE_AUTH request is lost once: the retransmission is the same bytes
 * (here: the same fragments) to port 4500, and the exchange completes. */
static void test_retransmit_auth_fragments(void)
{
        struct harness h;
        size_t before, n;

        h_init(&h, H_CERT);
        h.icfg.fragment_size = 576;
        h.hold = true;
        h_start(&h);
        {
                /* IKE_SA_INIT to the responder and its answer back */
                struct h_dgram *d = g_queue_pop_head(&h.to_resp);
                struct resp_out out = {0};

                g_assert_cmpint(resp_handle(&h.resp, d->b.ptr, d->b.len, false, &out), ==, 0);
                g_assert_cmpint(
                        ike_initiator_receive(h.ini, out.d[0].ptr, out.d[0].len, false, h.now), ==,
                        0);
                resp_out_clear(&out);
                bytes_free(&d->b);
                g_free(d);
                h_actions(&h);
        }
        /* the IKE_AUTH fragments are lost */
        before = h.sent->len;
        n = h.to_resp.length;
        g_assert_cmpuint(n, >=, 2);
        for (struct h_dgram *d; (d = g_queue_pop_head(&h.to_resp));) {
                bytes_free(&d->b);
                g_free(d);
        }
        h.hold = false;
        h_advance(&h, 3999);
        g_assert_cmpuint(h.sent->len, ==, before);
        h_advance(&h, 1);
        g_assert_cmpuint(h.sent->len, ==, before + n);
        for (size_t i = 0; i < n; i++) {
                const struct h_dgram *a = g_ptr_array_index(h.sent, before - n + i);
                const struct h_dgram *b = g_ptr_array_index(h.sent, before + i);

                g_assert_true(b->natt);
                g_assert_cmpuint(b->port, ==, 4500);
                g_assert_cmpmem(a->b.ptr, a->b.len, b->b.ptr, b->b.len);
        }
        g_assert_true(h.installed);
        h_assert_log(&h, "retransmitting IKE_AUTH request (message 1), try 1 of 5");
        h_free(&h);
}

static void test_auth_timeout_text(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.retransmit = (struct ike_retransmit){.timeout_ms = 1000, .tries = 0};
        h.hold = true;
        h_start(&h);
        h.hold = false;
        /* IKE_SA_INIT goes through, IKE_AUTH is lost */
        {
                struct h_dgram *d = g_queue_pop_head(&h.to_resp);
                struct resp_out out = {0};

                g_assert_cmpint(resp_handle(&h.resp, d->b.ptr, d->b.len, false, &out), ==, 0);
                g_assert_cmpint(
                        ike_initiator_receive(h.ini, out.d[0].ptr, out.d[0].len, false, h.now), ==,
                        0);
                resp_out_clear(&out);
                bytes_free(&d->b);
                g_free(d);
                h_actions(&h);
        }
        h.drop_to_resp = 100;
        h_run(&h);
        h_advance(&h, 1000);
        h_assert_failed(&h, IKE_FAIL_TIMEOUT, "to IKE_AUTH (message 1) after 1 s");
        h_free(&h);
}

/* Answers the gateway sends but we cannot use: giving up says so, and a
 * malformed answer from the gateway itself is a protocol failure, not an
 * unreachable gateway. */
static void feed_mangled(struct harness *h, size_t offset, uint8_t xor)
{
        struct h_dgram *d = g_queue_pop_head(&h->to_resp);
        struct resp_out out = {0};
        const uint8_t *p;
        size_t len;

        g_assert_nonnull(d);
        /* datagrams to and from port 4500 carry the non-ESP marker */
        g_assert_cmpint(resp_handle(&h->resp, d->b.ptr, d->b.len, d->natt, &out), ==, 0);
        g_assert_cmpuint(out.n, >=, 1);
        p = out.d[0].ptr + (d->natt ? 4 : 0);
        len = out.d[0].len - (d->natt ? 4 : 0);
        out.d[0].ptr[(d->natt ? 4 : 0) + (offset < len ? offset : len - 1)] ^= xor;
        g_assert_cmpint(ike_initiator_receive(h->ini, p, len, d->natt, h->now), ==, 0);
        resp_out_clear(&out);
        bytes_free(&d->b);
        g_free(d);
        h_actions(h);
}

static void test_malformed_answers_text(void)
{
        struct harness h;

        /* An IKE_SA_INIT answer of IKEv1 (the version octet is at 17). */
        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.retransmit = (struct ike_retransmit){.timeout_ms = 1000, .tries = 1};
        h.hold = true;
        h_start(&h);
        feed_mangled(&h, 17, 0x30);
        h_assert_log(&h, "dropping IKE_SA_INIT response (message 0): not IKEv2 (version 1.0)");
        g_assert_false(h.failed);
        h.hold = false;
        h.drop_to_resp = 100;
        h_advance(&h, 1000);
        h_advance(&h, 1800);
        h_assert_failed(&h, IKE_FAIL_PROTOCOL,
                        "no usable response from gateway vpn.test to IKE_SA_INIT (message 0) after "
                        "3 s and 1 retransmissions: 1 malformed answer dropped, the last because: "
                        "not IKEv2 (version 1.0)");
        h_free(&h);
}

static void test_forged_answers_text(void)
{
        struct harness h;

        /* IKE_AUTH answers whose ICV does not verify: anyone could have sent
         * them, so the gateway still counts as not answering. */
        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.retransmit = (struct ike_retransmit){.timeout_ms = 1000, .tries = 0};
        h.hold = true;
        h_start(&h);
        {
                struct h_dgram *d = g_queue_pop_head(&h.to_resp);
                struct resp_out out = {0};

                g_assert_cmpint(resp_handle(&h.resp, d->b.ptr, d->b.len, false, &out), ==, 0);
                g_assert_cmpint(
                        ike_initiator_receive(h.ini, out.d[0].ptr, out.d[0].len, false, h.now), ==,
                        0);
                resp_out_clear(&out);
                bytes_free(&d->b);
                g_free(d);
                h_actions(&h);
        }
        feed_mangled(&h, SIZE_MAX, 0x01); /* the last octet: the ICV */
        g_assert_false(h.failed);
        h.hold = false;
        h.drop_to_resp = 100;
        h_advance(&h, 1000);
        h_assert_failed(&h, IKE_FAIL_TIMEOUT,
                        "no response from gateway vpn.test to IKE_AUTH (message 1) after 1 s and 0 "
                        "retransmissions; datagrams that claimed to answer were ignored "
                        "(integrity check failed)");
        h_free(&h);
}

/* ------------------------------------------------------------------ windows */

static void test_duplicate_and_out_of_window(void)
{
        struct harness h;
        struct bytes dup = {0};
        struct ike_message *m = NULL;
        struct ike_error err;
        uint8_t buf[512];
        struct wbuf w;

        h_init(&h, H_EAP_MSCHAPV2);
        h.hold = true;
        h_start(&h);
        {
                struct h_dgram *d = g_queue_pop_head(&h.to_resp);
                struct resp_out out = {0};

                g_assert_cmpint(resp_handle(&h.resp, d->b.ptr, d->b.len, false, &out), ==, 0);
                g_assert_cmpint(bytes_dup(&dup, SLICE_OF(out.d[0])), ==, 0);
                g_assert_cmpint(
                        ike_initiator_receive(h.ini, out.d[0].ptr, out.d[0].len, false, h.now), ==,
                        0);
                h_actions(&h);
                resp_out_clear(&out);
                bytes_free(&d->b);
                g_free(d);
        }
        /* the same IKE_SA_INIT answer again: ignored */
        g_assert_cmpint(ike_initiator_receive(h.ini, dup.ptr, dup.len, false, h.now), ==, 0);
        h_actions(&h);
        h_assert_log(
                &h, "dropping IKE_SA_INIT response (message 0): not the message ID of our request");

        /* an unprotected IKE_AUTH "response" with AUTHENTICATION_FAILED:
         * unauthenticated, ignored */
        g_assert_cmpint(ike_message_new(&m), ==, 0);
        m->hdr.spi_i = (uint64_t)h.resp.spi_i[0] << 56 | (uint64_t)h.resp.spi_i[1] << 48 |
                       (uint64_t)h.resp.spi_i[2] << 40 | (uint64_t)h.resp.spi_i[3] << 32 |
                       (uint64_t)h.resp.spi_i[4] << 24 | (uint64_t)h.resp.spi_i[5] << 16 |
                       (uint64_t)h.resp.spi_i[6] << 8 | h.resp.spi_i[7];
        m->hdr.spi_r = (uint64_t)h.resp.spi_r[0] << 56 | (uint64_t)h.resp.spi_r[1] << 48 |
                       (uint64_t)h.resp.spi_r[2] << 40 | (uint64_t)h.resp.spi_r[3] << 32 |
                       (uint64_t)h.resp.spi_r[4] << 24 | (uint64_t)h.resp.spi_r[5] << 16 |
                       (uint64_t)h.resp.spi_r[6] << 8 | h.resp.spi_r[7];
        m->hdr.exchange = IKEV2_EXCHANGE_IKE_AUTH;
        m->hdr.flags = IKEV2_FLAG_RESPONSE;
        m->hdr.message_id = 1;
        g_assert_cmpint(ike_chain_add_notify(&m->clear, 0, IKEV2_N_AUTHENTICATION_FAILED,
                                             SLICE(NULL, 0), SLICE(NULL, 0)),
                        ==, 0);
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_serialize(m, &w), ==, 0);
        g_assert_cmpint(ike_initiator_receive(h.ini, buf, wbuf_len(&w), true, h.now), ==, 0);
        h_actions(&h);
        h_assert_log(&h, "unprotected (an unauthenticated notify is ignored)");
        g_assert_false(h.failed);
        /* the same, claiming message 7 */
        m->hdr.message_id = 7;
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_serialize(m, &w), ==, 0);
        g_assert_cmpint(ike_initiator_receive(h.ini, buf, wbuf_len(&w), true, h.now), ==, 0);
        h_actions(&h);
        h_assert_log(&h, "dropping IKE_AUTH response (message 7): not the message ID");
        /* an unprotected INFORMATIONAL INVALID_SPI: ignored */
        m->hdr.exchange = IKEV2_EXCHANGE_INFORMATIONAL;
        m->hdr.flags = 0;
        m->hdr.message_id = 0;
        m->clear.items[0].u.notify.type = IKEV2_N_INVALID_SPI;
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_serialize(m, &w), ==, 0);
        g_assert_cmpint(ike_initiator_receive(h.ini, buf, wbuf_len(&w), true, h.now), ==, 0);
        h_actions(&h);
        g_assert_false(h.failed);
        ike_message_free(m);
        bytes_free(&dup);

        /* garbage and foreign SPIs */
        g_assert_cmpint(ike_initiator_receive(h.ini, (const uint8_t *)"junk", 4, true, h.now), ==,
                        0);
        h_actions(&h);
        g_assert_cmpint(ike_initiator_receive(h.ini, NULL, 0, true, h.now), ==, 0);
        h_actions(&h);
        (void)err;

        /* and the connection still completes */
        h.hold = false;
        h_run(&h);
        g_assert_true(h.installed);
        h_free(&h);
}

/* ------------------------------------------------------------------ error notifies */

struct notify_case {
        const char *name;
        enum h_auth auth;
        bool sa_init;
        uint16_t notify;
        enum ike_fail reason;
        const char *text;
};

static const struct notify_case notify_cases[] = {
        {"sa-init-no-proposal", H_EAP_MSCHAPV2, true, IKEV2_N_NO_PROPOSAL_CHOSEN,
         IKE_FAIL_PROPOSALS,
         "accepted none of our IKE proposals (NO_PROPOSAL_CHOSEN); we offered: aes256gcm16"},
        {"sa-init-temporary", H_EAP_MSCHAPV2, true, IKEV2_N_TEMPORARY_FAILURE, IKE_FAIL_TEMPORARY,
         "IKE_SA_INIT: the gateway answered TEMPORARY_FAILURE"},
        {"sa-init-syntax", H_EAP_MSCHAPV2, true, IKEV2_N_INVALID_SYNTAX, IKE_FAIL_PROTOCOL,
         "found our message malformed"},
        {"auth-failed-eap", H_EAP_MSCHAPV2, false, IKEV2_N_AUTHENTICATION_FAILED, IKE_FAIL_AUTH,
         "refused our identity alice@test"},
        {"auth-failed-cert", H_CERT, false, IKEV2_N_AUTHENTICATION_FAILED, IKE_FAIL_AUTH_CERT,
         "refused our certificate authentication"},
        {"ts-unacceptable", H_EAP_MSCHAPV2, false, IKEV2_N_TS_UNACCEPTABLE, IKE_FAIL_CONFIG,
         "refuses our traffic selectors"},
        {"internal-address", H_EAP_MSCHAPV2, false, IKEV2_N_INTERNAL_ADDRESS_FAILURE,
         IKE_FAIL_CONFIG, "no virtual IP address for us"},
        {"failed-cp-required", H_EAP_MSCHAPV2, false, IKEV2_N_FAILED_CP_REQUIRED, IKE_FAIL_CONFIG,
         "FAILED_CP_REQUIRED"},
        {"esp-no-proposal", H_EAP_MSCHAPV2, false, IKEV2_N_NO_PROPOSAL_CHOSEN, IKE_FAIL_PROPOSALS,
         "none of our ESP proposals (NO_PROPOSAL_CHOSEN); we offered: "
         "aes256gcm16"},
};

static void test_notify(gconstpointer data)
{
        const struct notify_case *tc = data;
        struct harness h;

        h_init(&h, tc->auth);
        if (tc->sa_init)
                h.rcfg.error_notify_sa_init = tc->notify;
        else
                h.rcfg.error_notify_auth = tc->notify;
        h_start(&h);
        h_assert_failed(&h, tc->reason, tc->text);
        g_assert_cmpuint(h.failure.notify, ==, tc->notify);
        h_free(&h);
}

static void test_wrong_password(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.eap_password = "something else";
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_AUTH_PASSWORD, "wrong user name or password");
        h_free(&h);

        h_init(&h, H_EAP_MD5);
        h.rcfg.eap_password = "something else";
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_AUTH_PASSWORD, "EAP-MD5 failed: wrong user name or password");
        h_free(&h);
}

static void test_redirect(void)
{
        struct harness h;
        struct ike_message *req = NULL, *resp = NULL;
        struct h_dgram *d;
        struct ike_error err;
        uint8_t buf[256], gw[2 + 7] = {IKEV2_GW_FQDN, 7, 'g', 'w', '2', '.', 'c', 'o', 'm'};
        struct wbuf w;

        h_init(&h, H_EAP_MSCHAPV2);
        h.hold = true;
        h_start(&h);
        d = g_queue_pop_head(&h.to_resp);
        g_assert_cmpint(ike_message_parse(&req, SLICE_OF(d->b), &err), ==, 0);
        g_assert_nonnull(ike_chain_find_notify(&req->clear, IKEV2_N_REDIRECT_SUPPORTED));
        g_assert_cmpint(ike_message_new(&resp), ==, 0);
        resp->hdr.spi_i = req->hdr.spi_i;
        resp->hdr.exchange = IKEV2_EXCHANGE_IKE_SA_INIT;
        resp->hdr.flags = IKEV2_FLAG_RESPONSE;
        g_assert_cmpint(ike_chain_add_notify(&resp->clear, 0, IKEV2_N_REDIRECT, SLICE(NULL, 0),
                                             SLICE(gw, sizeof(gw))),
                        ==, 0);
        wbuf_init(&w, buf, sizeof(buf));
        g_assert_cmpint(ike_message_serialize(resp, &w), ==, 0);
        g_assert_cmpint(ike_initiator_receive(h.ini, buf, wbuf_len(&w), false, h.now), ==, 0);
        h_actions(&h);
        h_assert_failed(&h, IKE_FAIL_REDIRECT, "redirects us to gw2.com");
        ike_message_free(req);
        ike_message_free(resp);
        bytes_free(&d->b);
        g_free(d);
        h_free(&h);
}

/* ------------------------------------------------------------------ the gateway must prove itself
 */

struct gw_case {
        const char *name;
        enum h_auth auth;
        unsigned misbehave;
        int which; /* 0 normal, 1 rogue cert, 2 wrong-name cert, 3 remote id other.test,
                    * 4 gateway host other.test, 5 IDr other.test, 6 two days later */
        enum ike_fail reason;
        const char *text;
        bool courtesy; /* AUTHENTICATION_FAILED sent after the first answer */
};

static const struct gw_case gw_cases[] = {
        {"wrong-signing-key", H_EAP_MSCHAPV2, RESP_BAD_SIGNATURE, 0, IKE_FAIL_GATEWAY_AUTH,
         "AUTH signature does not verify", true},
        {"untrusted-cert", H_EAP_MSCHAPV2, 0, 1, IKE_FAIL_GATEWAY_CERT,
         "gateway certificate not trusted: CN=vpn.test,O=tsunagu test: untrusted", true},
        {"cert-for-another-name", H_EAP_MSCHAPV2, 0, 2, IKE_FAIL_GATEWAY_ID,
         "gateway identity mismatch: it claims vpn.test but its certificate", true},
        {"remote-id-mismatch", H_EAP_MSCHAPV2, 0, 3, IKE_FAIL_GATEWAY_ID,
         "gateway identity mismatch: expected other.test, got vpn.test", true},
        {"host-mismatch", H_EAP_MSCHAPV2, 0, 4, IKE_FAIL_GATEWAY_ID,
         "gateway identity mismatch: expected other.test, got vpn.test", true},
        {"idr-not-in-cert", H_EAP_MSCHAPV2, 0, 5, IKE_FAIL_GATEWAY_ID,
         "it claims other.test but its certificate", true},
        {"no-auth", H_EAP_MSCHAPV2, RESP_NO_AUTH, 0, IKE_FAIL_GATEWAY_AUTH,
         "did not authenticate itself", true},
        {"no-cert", H_EAP_MSCHAPV2, RESP_NO_CERT, 0, IKE_FAIL_GATEWAY_CERT,
         "the gateway sent no certificate", true},
        {"early-eap-success", H_EAP_MSCHAPV2, RESP_EARLY_SUCCESS, 0, IKE_FAIL_GATEWAY_AUTH,
         "EAP-Success before the method completed", false},
        {"early-eap-success-md5", H_EAP_MD5, RESP_EARLY_SUCCESS, 0, IKE_FAIL_GATEWAY_AUTH,
         "EAP-Success before the method completed", false},
        {"mschapv2-wrong-authenticator", H_EAP_MSCHAPV2, RESP_BAD_MSCHAP_S, 0,
         IKE_FAIL_GATEWAY_AUTH,
         "EAP-MSCHAPv2: the gateway did not prove it knows the password (EAP-MSCHAPv2: the "
         "server's authenticator response is wrong",
         false},
        {"bad-final-auth", H_EAP_MSCHAPV2, RESP_BAD_FINAL_AUTH, 0, IKE_FAIL_GATEWAY_AUTH,
         "final AUTH (over the EAP key) does not verify", false},
        {"bad-final-auth-md5", H_EAP_MD5, RESP_BAD_FINAL_AUTH, 0, IKE_FAIL_GATEWAY_AUTH,
         "final AUTH (over the EAP key) does not verify", false},
        {"cert-wrong-signing-key", H_CERT, RESP_BAD_SIGNATURE, 0, IKE_FAIL_GATEWAY_AUTH,
         "AUTH signature does not verify", true},
        {"cert-untrusted", H_CERT, 0, 1, IKE_FAIL_GATEWAY_CERT, "not trusted", true},
        {"cert-expired", H_EAP_MSCHAPV2, 0, 6, IKE_FAIL_GATEWAY_CERT,
         "gateway certificate not trusted: CN=tsunagu test CA,O=tsunagu test (chain depth 1): "
         "expired",
         true},
};

static void test_gateway(gconstpointer data)
{
        const struct gw_case *tc = data;
        struct ike_identity other;
        const char *why;
        struct harness h;

        h_init(&h, tc->auth);
        h.rcfg.misbehave = tc->misbehave;
        h.rcfg.sign_key_override = h.pki.client_key;
        g_assert_cmpint(ike_identity_parse("other.test", &other, &why), ==, 0);
        switch (tc->which) {
        case 1:
                h.rcfg.cert = h.pki.rogue_server;
                break;
        case 2:
                h.rcfg.cert = h.pki.wrong_name_server;
                break;
        case 3:
                h.icfg.remote_id = &other;
                break;
        case 4:
                h.icfg.gateway_host = "other.test";
                break;
        case 5:
                h.rcfg.id = "other.test";
                break;
        case 6: /* two days later: the test PKI is valid for one */
                h.icfg.unix_time = H_NOW_UNIX + 2 * 86400;
                break;
        }
        h_start(&h);
        h_assert_failed(&h, tc->reason, tc->text);
        if (tc->courtesy) {
                /* Not a single EAP packet left: the password (or anything
                 * derived from it) never did. The gateway was told why. */
                g_assert_cmpuint(h.resp.n_eap_received, ==, 0);
                g_assert_cmpuint(h.resp.n_auth_requests, ==, 1);
                g_assert_cmpuint(h.resp.n_auth_failed_notifies, ==, 1);
        }
        if (tc->misbehave & RESP_EARLY_SUCCESS) {
                /* Only the Identity response went out. */
                g_assert_cmpuint(h.resp.n_eap_received, ==, 1);
                g_assert_cmpuint(h.resp.n_eap_nonidentity, ==, 0);
        }
        h_free(&h);
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        if (eap_preload() < 0)
                return 77;
        g_test_add_func("/initiator/errors/retransmit-schedule", test_retransmit_schedule);
        g_test_add_func("/initiator/errors/retransmit-configured", test_retransmit_configured);
        g_test_add_func("/initiator/errors/retransmit-auth-fragments",
                        test_retransmit_auth_fragments);
        g_test_add_func("/initiator/errors/auth-timeout-text", test_auth_timeout_text);
        g_test_add_func("/initiator/errors/malformed-answers-text", test_malformed_answers_text);
        g_test_add_func("/initiator/errors/forged-answers-text", test_forged_answers_text);
        g_test_add_func("/initiator/errors/duplicate-and-out-of-window",
                        test_duplicate_and_out_of_window);
        for (size_t i = 0; i < G_N_ELEMENTS(notify_cases); i++) {
                g_autofree char *p =
                        g_strdup_printf("/initiator/errors/notify/%s", notify_cases[i].name);

                g_test_add_data_func(p, &notify_cases[i], test_notify);
        }
        g_test_add_func("/initiator/errors/wrong-password", test_wrong_password);
        g_test_add_func("/initiator/errors/redirect", test_redirect);
        for (size_t i = 0; i < G_N_ELEMENTS(gw_cases); i++) {
                g_autofree char *p =
                        g_strdup_printf("/initiator/errors/gateway/%s", gw_cases[i].name);

                g_test_add_data_func(p, &gw_cases[i], test_gateway);
        }
        return g_test_run();
}
