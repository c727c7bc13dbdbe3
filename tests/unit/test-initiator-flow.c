/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initiator against the in-test responder: the ways a connection
 * succeeds (certificates, EAP-MSCHAPv2, EAP-MD5, certificate + EAP, a
 * password asked for, cookies, INVALID_KE_PAYLOAD, fragmentation both
 * ways), what the gateway may ask afterwards (liveness checks, DELETE,
 * rekeying) and a clean disconnect.
 */
#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/message.h"
#include "tests/unit/initiator-harness.h"
#include "tests/unit/test-crypto-pki.h"

static void assert_established(struct harness *h)
{
        if (!h->installed)
                g_error("not established (%s: %s); responder: %s; log:\n%s",
                        ike_fail_name(h->failure.reason), h->failure.text, h->resp.error,
                        h->log->str);
        g_assert_false(h->failed);
        g_assert_cmpint(ike_initiator_state(h->ini), ==, IKE_STATE_ESTABLISHED);
        g_assert_true(h->resp.established);
        g_assert_true(h->configured);
        /* Both ends derived the same CHILD SA keys (RFC 7296 2.17). */
        g_assert_cmpmem(h->encr_out, h->child.encr_out.len, h->resp.child.encr_i.ptr,
                        h->resp.child.encr_i.len);
        g_assert_cmpmem(h->encr_in, h->child.encr_in.len, h->resp.child.encr_r.ptr,
                        h->resp.child.encr_r.len);
        g_assert_cmpuint(h->child.encr_out.len, >, 0);
        g_assert_cmpuint(h->child.spi_out, ==, 0xc0ffee01u);
        g_assert_cmpuint(h->child.spi_in, ==,
                         (uint32_t)h->resp.esp_spi_i[0] << 24 | h->resp.esp_spi_i[1] << 16 |
                                 h->resp.esp_spi_i[2] << 8 | h->resp.esp_spi_i[3]);
        g_assert_cmpuint(h->child.lifetime_s, ==, 3600);
        /* The configuration, as the responder assigned it. */
        g_assert_true(h->net.have_ip4);
        g_assert_cmpmem(h->net.ip4, 4, ((uint8_t[]){10, 99, 0, 7}), 4);
        g_assert_true(h->net.have_ip6);
        g_assert_cmpuint(h->net.n_dns, ==, 2);
        g_assert_cmpmem(h->net.dns[0].addr, 4, ((uint8_t[]){10, 20, 0, 10}), 4);
        g_assert_cmpuint(h->net.dns[1].family, ==, 6);
        g_assert_cmpuint(h->net.n_domains, ==, 1);
        g_assert_cmpstr(h->net.domains[0], ==, "corp.test");
        /* TSr 10.20.0.0/24 and fd00:20::/64 */
        g_assert_cmpuint(h->net.n_routes, ==, 2);
        g_assert_cmpuint(h->net.routes[0].prefixlen, ==, 24);
        g_assert_cmpuint(h->net.routes[1].prefixlen, ==, 64);
        g_assert_false(h->net.routes_cover_all4);
        g_assert_cmpuint(h->child.n_ts_r, ==, 2);
        g_assert_cmpuint(h->child.n_ts_i, ==, 2);
        /* states in order */
        g_assert_cmpuint(h->states->len, >=, 3);
        g_assert_cmpint(g_array_index(h->states, enum ike_state, 0), ==, IKE_STATE_CONNECTING);
        g_assert_cmpint(g_array_index(h->states, enum ike_state, 1), ==, IKE_STATE_AUTHENTICATING);
        g_assert_cmpint(g_array_index(h->states, enum ike_state, 2), ==, IKE_STATE_ESTABLISHED);
        /* No exchange outstanding: the next timer is one of the
         * established SA's (rekey, DPD), not a retransmission. */
        g_assert_cmpuint(ike_initiator_next_timer(h->ini), >, h->now + 4000);
}

/* Every datagram after IKE_SA_INIT went to 4500 with the marker. */
static void assert_natt_after_init(struct harness *h)
{
        for (size_t i = 0; i < h->sent->len; i++) {
                const struct h_dgram *d = g_ptr_array_index(h->sent, i);
                struct slice ike = SLICE_OF(d->b);
                struct ike_header hdr;

                if (d->natt)
                        g_assert_cmpint(ike_non_esp_marker_strip(SLICE_OF(d->b), &ike), ==, 0);
                g_assert_cmpint(ike_header_parse(ike, &hdr, NULL), ==, 0);
                if (hdr.exchange == IKEV2_EXCHANGE_IKE_SA_INIT) {
                        g_assert_false(d->natt);
                        g_assert_cmpuint(d->port, ==, 500);
                } else {
                        g_assert_true(d->natt);
                }
        }
}

static void test_eap_mschapv2(void)
{
        struct harness h;
        struct ike_sa_info info;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        assert_established(&h);
        assert_natt_after_init(&h);
        g_assert_cmpuint(h.resp.n_eap_nonidentity, ==, 2); /* Response, Success ack */
        g_assert_true(h.resp.have_msk);
        g_assert_true(h.resp.saw_initial_contact);
        g_assert_true(h.resp.saw_certreq);
        g_assert_false(h.resp.saw_idr);
        /* IKE_AUTH: first request, Identity, Response, Success ack, AUTH */
        g_assert_cmpuint(h.resp.n_auth_requests, ==, 5);
        ike_initiator_info(h.ini, &info);
        g_assert_cmpstr(info.ike_suite, ==, "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519");
        g_assert_cmpstr(info.esp_suite, ==, "AES_GCM_16_256");
        g_assert_true(info.nat_local);
        g_assert_false(info.nat_remote);
        g_assert_cmpstr(info.peer_id, ==, "vpn.test");
        h_assert_log(&h, "NAT detected in front of us");
        h_assert_log(&h, "gateway authenticated: identity vpn.test");
        h_assert_log(&h, "EAP-MSCHAPv2 succeeded, MSK established");
        h_free(&h);
}

static void test_eap_md5(void)
{
        struct harness h;

        h_init(&h, H_EAP_MD5);
        h_start(&h);
        assert_established(&h);
        g_assert_false(h.resp.have_msk);
        h_assert_log(&h, "no MSK: AUTH keyed with SK_pi/SK_pr");
        h_free(&h);
}

static void test_cert_ecdsa(void)
{
        struct harness h;

        h_init(&h, H_CERT);
        h_start(&h);
        assert_established(&h);
        g_assert_true(h.resp.client_auth_ok);
        g_assert_cmpuint(h.resp.n_auth_requests, ==, 1);
        g_assert_cmpuint(h.resp.n_eap_received, ==, 0);
        h_free(&h);
}

/* RSA on both sides, RSA-PSS asked for (RFC 7427), AES-CBC with
 * HMAC-SHA2 for both SAs. */
static void test_cert_rsa(void)
{
        EVP_PKEY *ca_key = pki_key("RSA:2048"), *gw_key = pki_key("RSA:2048"),
                 *cl_key = pki_key("RSA:2048");
        struct pki_cert_opts ca_o = {.subject = "CN=RSA CA",
                                     .not_before = H_NOW_UNIX - 3600,
                                     .not_after = H_NOW_UNIX + 86400,
                                     .serial = 1,
                                     .ca = true};
        struct pki_cert_opts gw_o = {.subject = "CN=vpn.test",
                                     .not_before = H_NOW_UNIX - 3600,
                                     .not_after = H_NOW_UNIX + 86400,
                                     .serial = 2,
                                     .san = "DNS:vpn.test",
                                     .eku = "serverAuth",
                                     .ku = "digitalSignature"};
        struct pki_cert_opts cl_o = {.subject = "CN=alice@test",
                                     .not_before = H_NOW_UNIX - 3600,
                                     .not_after = H_NOW_UNIX + 86400,
                                     .serial = 3,
                                     .san = "email:alice@test"};
        X509 *ca = pki_cert(&ca_o, ca_key, NULL, NULL);
        X509 *gw = pki_cert(&gw_o, gw_key, ca, ca_key);
        X509 *cl = pki_cert(&cl_o, cl_key, ca, ca_key);
        struct harness h;

        h_init(&h, H_CERT);
        sk_X509_pop_free(h.trusted, X509_free);
        h.trusted = sk_X509_new_null();
        X509_up_ref(ca);
        sk_X509_push(h.trusted, ca);
        h.icfg.trusted = h.trusted;
        h.icfg.cert = cl;
        h.icfg.key = cl_key;
        h.rcfg.cert = gw;
        h.rcfg.key = gw_key;
        h.icfg.rsa_pss = true;
        /* CBC + HMAC for the IKE SA, AES-CBC-256 + HMAC-SHA2-256 for ESP */
        h.rcfg.ike_encr = IKEV2_ENCR_AES_CBC;
        h.rcfg.ike_integ = IKEV2_INTEG_HMAC_SHA2_256_128;
        h.rcfg.esp_encr = IKEV2_ENCR_AES_CBC;
        h.rcfg.esp_integ = IKEV2_INTEG_HMAC_SHA2_256_128;
        h_start(&h);
        assert_established(&h);
        g_assert_true(h.resp.client_auth_ok);
        h_assert_log(&h, "RSA-PSS");
        g_assert_cmpuint(h.child.integ, ==, IKEV2_INTEG_HMAC_SHA2_256_128);
        g_assert_cmpmem(h.integ_out, h.child.integ_out.len, h.resp.child.integ_i.ptr,
                        h.resp.child.integ_i.len);
        h_free(&h);
        X509_free(ca);
        X509_free(gw);
        X509_free(cl);
        EVP_PKEY_free(ca_key);
        EVP_PKEY_free(gw_key);
        EVP_PKEY_free(cl_key);
}

/* No SIGNATURE_HASH_ALGORITHMS from the gateway: our ECDSA P-256 key signs
 * with the classic method 9 (RFC 4754) instead of RFC 7427. */
static void test_cert_classic_method(void)
{
        struct harness h;

        h_init(&h, H_CERT);
        h.rcfg.hash_algorithms = false;
        h_start(&h);
        assert_established(&h);
        g_assert_true(h.resp.client_auth_ok);
        h_assert_log(&h, "authenticating with our certificate (AUTH ECDSA_SHA256_P256)");
        h_free(&h);
}

static void test_cert_eap(void)
{
        struct harness h;

        h_init(&h, H_CERT_EAP);
        h_start(&h);
        assert_established(&h);
        g_assert_true(h.resp.client_auth_ok);
        g_assert_true(h.resp.have_msk);
        h_assert_log(&h, "starting the EAP-MSCHAPv2 round (RFC 4739)");
        h_free(&h);
}

static void test_cert_eap_needs_multiple_auth(void)
{
        struct harness h;

        h_init(&h, H_CERT_EAP);
        h.rcfg.multiple_auth = false;
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_LOCAL, "RFC 4739");
        h_free(&h);
}

static void test_password_asked(void)
{
        struct harness h;
        size_t sent;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.eap.secret = SLICE(NULL, 0);
        h_start(&h);
        g_assert_true(h.need_secret);
        g_assert_cmpint(h.secret_kind, ==, EAP_SECRET_PASSWORD);
        g_assert_cmpstr(h.prompt, ==, "Password for alice at vpn.test");
        g_assert_false(h.installed);
        /* Nothing is in flight and no timer runs while the user types. */
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, UINT64_MAX);
        sent = h.sent->len;
        h_advance(&h, 60000);
        g_assert_cmpuint(h.sent->len, ==, sent);
        g_assert_cmpint(ike_initiator_provide_secret(h.ini, EAP_SECRET_KEY_PASSPHRASE,
                                                     SLICE("x", 1), h.now),
                        ==, -EALREADY);
        g_assert_cmpint(ike_initiator_provide_secret(h.ini, EAP_SECRET_PASSWORD,
                                                     SLICE("alice-password", 14), h.now),
                        ==, 0);
        h_actions(&h);
        h_run(&h);
        assert_established(&h);
        h_free(&h);
}

static void test_password_cancelled(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.eap.secret = SLICE(NULL, 0);
        h_start(&h);
        g_assert_true(h.need_secret);
        g_assert_cmpint(
                ike_initiator_provide_secret(h.ini, EAP_SECRET_PASSWORD, SLICE(NULL, 0), h.now), ==,
                0);
        h_actions(&h);
        h_assert_failed(&h, IKE_FAIL_NO_SECRET, "no password given");
        h_free(&h);
}

static void test_cookie(void)
{
        struct harness h;
        const struct h_dgram *first, *second;
        struct ike_message *m = NULL;
        struct ike_error err;

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.require_cookie = true;
        h_start(&h);
        assert_established(&h);
        g_assert_cmpuint(h.resp.n_init_requests, ==, 2);
        h_assert_log(&h, "asks for a cookie");
        /* The second request starts with N(COOKIE), same SPI and nonce. */
        first = g_ptr_array_index(h.sent, 0);
        second = g_ptr_array_index(h.sent, 1);
        g_assert_cmpint(ike_message_parse(&m, SLICE_OF(second->b), &err), ==, 0);
        g_assert_cmpuint(m->clear.items[0].type, ==, IKEV2_PAYLOAD_NOTIFY);
        g_assert_cmpuint(m->clear.items[0].u.notify.type, ==, IKEV2_N_COOKIE);
        g_assert_cmpmem(first->b.ptr, 8, second->b.ptr, 8);
        ike_message_free(m);
        h_free(&h);
}

static void test_cookie_loop(void)
{
        struct harness h;

        /* A gateway that asks again and again, a new cookie each time. */
        h_init(&h, H_EAP_MSCHAPV2);
        resp_init(&h.resp, &h.rcfg);
        {
                const char *why;

                g_assert_cmpint(ike_initiator_new(&h.icfg, &h.ini, &why), ==, 0);
        }
        g_assert_cmpint(ike_initiator_start(h.ini, h.now), ==, 0);
        h_actions(&h);
        /* Answer every request with a COOKIE whose value changes. */
        for (int i = 0; i < 10 && !h.closed; i++) {
                struct h_dgram *d = g_queue_pop_head(&h.to_resp);
                struct ike_message *req = NULL, *resp = NULL;
                struct ike_error err;
                uint8_t buf[256], val[8] = {1, 2, 3, 4, 5, 6, 7, (uint8_t)i};
                struct wbuf w;

                g_assert_nonnull(d);
                g_assert_cmpint(ike_message_parse(&req, SLICE_OF(d->b), &err), ==, 0);
                g_assert_cmpint(ike_message_new(&resp), ==, 0);
                resp->hdr.spi_i = req->hdr.spi_i;
                resp->hdr.exchange = IKEV2_EXCHANGE_IKE_SA_INIT;
                resp->hdr.flags = IKEV2_FLAG_RESPONSE;
                g_assert_cmpint(ike_chain_add_notify(&resp->clear, 0, IKEV2_N_COOKIE,
                                                     SLICE(NULL, 0), SLICE(val, 8)),
                                ==, 0);
                wbuf_init(&w, buf, sizeof(buf));
                g_assert_cmpint(ike_message_serialize(resp, &w), ==, 0);
                g_assert_cmpint(ike_initiator_receive(h.ini, buf, wbuf_len(&w), false, h.now), ==,
                                0);
                h_actions(&h);
                ike_message_free(req);
                ike_message_free(resp);
                bytes_free(&d->b);
                g_free(d);
        }
        h_assert_failed(&h, IKE_FAIL_PROTOCOL, "asked for a cookie 4 times");
        h_free(&h);
}

static void test_invalid_ke(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.ike_dh = IKEV2_DH_ECP384;
        h_start(&h);
        assert_established(&h);
        g_assert_cmpuint(h.resp.n_init_requests, ==, 2);
        g_assert_cmpuint(h.resp.ke_group_seen, ==, IKEV2_DH_ECP384);
        h_assert_log(&h, "prefers key exchange ECP384 to CURVE25519");
        h_free(&h);
}

static void test_invalid_ke_unoffered(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.want_group = IKEV2_DH_MODP4096;
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_PROPOSALS, "wants key exchange MODP4096");
        h_assert_log(&h, "our proposals: aes256gcm16");
        h_free(&h);
}

static void test_invalid_ke_twice(void)
{
        struct harness h;

        /* It asks for ECP-384, then (after we switched) for ECP-256. */
        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.ike_dh = IKEV2_DH_ECP384;
        h.rcfg.want_group = IKEV2_DH_ECP256;
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_PROPOSALS, "refused our key exchange again");
        g_assert_cmpuint(h.resp.n_init_requests, ==, 2);
        h_free(&h);
}

/* The gateway's first IKE_AUTH answer comes in several SKF fragments. */
static void test_fragments_in(void)
{
        struct harness h;

        h_init(&h, H_CERT);
        h.rcfg.fragment_size = 400;
        h_start(&h);
        assert_established(&h);
        h_assert_log(&h, "reassembled IKE_AUTH (message 1) from");
        h_free(&h);
}

/* Our IKE_AUTH request does not fit: RFC 7383 fragments of 576-byte
 * packets; each one within the budget; the responder reassembles them. */
static void test_fragments_out(void)
{
        struct harness h;
        unsigned frags = 0;

        h_init(&h, H_CERT);
        h.icfg.fragment_size = 576;
        h_start(&h);
        assert_established(&h);
        for (size_t i = 0; i < h.sent->len; i++) {
                const struct h_dgram *d = g_ptr_array_index(h.sent, i);

                if (d->natt) {
                        g_assert_cmpuint(d->b.len + 20 + 8, <=, 576);
                        frags++;
                }
        }
        g_assert_cmpuint(frags, >=, 2);
        g_assert_cmpuint(h.resp.n_frags_received, ==, frags);
        h_free(&h);
}

/* Without the gateway's FRAGMENTATION_SUPPORTED the same request goes
 * whole. */
static void test_no_fragments_without_support(void)
{
        struct harness h;

        h_init(&h, H_CERT);
        h.icfg.fragment_size = 576;
        h.rcfg.fragmentation = false;
        h_start(&h);
        assert_established(&h);
        g_assert_cmpuint(h.resp.n_frags_received, ==, 0);
        g_assert_cmpuint(h.resp.last_request_len, >, 576);
        h_free(&h);
}

static void test_liveness_and_delete(void)
{
        struct harness h;
        size_t sent;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        assert_established(&h);
        sent = h.sent->len;
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        g_assert_cmpuint(h.sent->len, ==, sent + 1);
        g_assert_cmpint(h.last_resp_error, ==, 0);
        /* A retransmission of the same request gets the same answer. */
        {
                struct resp_out out = {0};
                const struct h_dgram *a, *b;

                h.resp.next_msgid--;
                g_assert_cmpint(resp_request(&h.resp, RESP_REQ_LIVENESS, &out), ==, 0);
                g_queue_push_tail(&h.to_ini, g_memdup2(&(struct h_dgram){.natt = true},
                                                       sizeof(struct h_dgram)));
                ((struct h_dgram *)g_queue_peek_tail(&h.to_ini))->b = out.d[0];
                out.n = 0;
                h_run(&h);
                g_assert_cmpuint(h.sent->len, ==, sent + 2);
                a = g_ptr_array_index(h.sent, sent);
                b = g_ptr_array_index(h.sent, sent + 1);
                g_assert_cmpmem(a->b.ptr, a->b.len, b->b.ptr, b->b.len);
        }
        h_gateway_request(&h, RESP_REQ_CREATE_CHILD);
        h_assert_log(&h, "additional CHILD SA: refused (NO_ADDITIONAL_SAS)");
        g_assert_false(h.closed);
        h_gateway_request(&h, RESP_REQ_DELETE_IKE);
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_DELETED);
        g_assert_true(h.closed);
        g_assert_cmpuint(h.removed, ==, 1);
        h_free(&h);
}

static void test_gateway_deletes_child(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        assert_established(&h);
        h_gateway_request(&h, RESP_REQ_DELETE_CHILD);
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_DELETED);
        g_assert_cmpuint(h.removed, ==, 1);
        /* our answer carried our own SPI; then a DELETE of the IKE SA */
        g_assert_cmpuint(h.resp.n_deletes_received, ==, 1);
        h_free(&h);
}

/* RFC 7296 3.2, 2.21.2: a protected request we cannot parse (here: an
 * unsupported critical payload) is answered with the error, so that the
 * gateway's window moves on; the next request is answered as usual. */
static void test_gateway_request_unparseable(void)
{
        static const uint8_t inner[] = {0, 0x80, 0, 8, 1, 2, 3, 4}; /* type 201, critical */
        struct resp_out out = {0};
        struct harness h;
        size_t sent;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        assert_established(&h);
        sent = h.sent->len;
        h.resp.natt = true;
        g_assert_cmpint(resp_wrap(&h.resp, IKEV2_EXCHANGE_INFORMATIONAL, h.resp.next_msgid++, false,
                                  201, inner, sizeof(inner), &out),
                        ==, 0);
        g_queue_push_tail(&h.to_ini, g_memdup2(&(struct h_dgram){.natt = true, .port = 4500},
                                               sizeof(struct h_dgram)));
        ((struct h_dgram *)g_queue_peek_tail(&h.to_ini))->b = out.d[0];
        out.n = 0;
        h_run(&h);
        g_assert_cmpuint(h.sent->len, ==, sent + 1);
        h_assert_log(&h, "answering the gateway's INFORMATIONAL request (message 0) with "
                         "UNSUPPORTED_CRITICAL_PAYLOAD");
        g_assert_false(h.closed);
        h.last_resp_error = 0;
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        g_assert_cmpuint(h.sent->len, ==, sent + 2);
        g_assert_cmpint(h.last_resp_error, ==, 0);
        g_assert_false(h.closed);
        h_free(&h);
}

static void test_disconnect(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        assert_established(&h);
        h.hold = true;
        g_assert_cmpint(ike_initiator_disconnect(h.ini, h.now), ==, 0);
        h_actions(&h);
        g_assert_cmpint(ike_initiator_state(h.ini), ==, IKE_STATE_DELETING);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 3000);
        h.hold = false;
        h_run(&h);
        g_assert_cmpuint(h.resp.n_deletes_received, ==, 1);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        h_assert_log(&h, "confirmed the DELETE");
        h_free(&h);
}

static void test_disconnect_unanswered(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        assert_established(&h);
        h.drop_to_resp = 100;
        g_assert_cmpint(ike_initiator_disconnect(h.ini, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        h_advance(&h, 2999);
        g_assert_false(h.closed);
        h_advance(&h, 1);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        h_assert_log(&h, "closing anyway");
        h_free(&h);
}

static void test_disconnect_while_connecting(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.eap.secret = SLICE(NULL, 0);
        h_start(&h);
        g_assert_true(h.need_secret);
        g_assert_cmpint(ike_initiator_disconnect(h.ini, h.now), ==, 0);
        h_actions(&h);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        h_run(&h);
        g_assert_cmpuint(h.resp.n_deletes_received, ==, 1);
        h_free(&h);
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        if (eap_preload() < 0) {
                g_test_message("OpenSSL legacy provider missing: MS-CHAPv2 cannot run");
                return 77;
        }
        g_test_add_func("/initiator/flow/eap-mschapv2", test_eap_mschapv2);
        g_test_add_func("/initiator/flow/eap-md5", test_eap_md5);
        g_test_add_func("/initiator/flow/cert-ecdsa", test_cert_ecdsa);
        g_test_add_func("/initiator/flow/cert-rsa-pss-cbc", test_cert_rsa);
        g_test_add_func("/initiator/flow/cert-classic-method", test_cert_classic_method);
        g_test_add_func("/initiator/flow/cert-eap", test_cert_eap);
        g_test_add_func("/initiator/flow/cert-eap-needs-multiple-auth",
                        test_cert_eap_needs_multiple_auth);
        g_test_add_func("/initiator/flow/password-asked", test_password_asked);
        g_test_add_func("/initiator/flow/password-cancelled", test_password_cancelled);
        g_test_add_func("/initiator/flow/cookie", test_cookie);
        g_test_add_func("/initiator/flow/cookie-loop", test_cookie_loop);
        g_test_add_func("/initiator/flow/invalid-ke", test_invalid_ke);
        g_test_add_func("/initiator/flow/invalid-ke-unoffered", test_invalid_ke_unoffered);
        g_test_add_func("/initiator/flow/invalid-ke-twice", test_invalid_ke_twice);
        g_test_add_func("/initiator/flow/fragments-in", test_fragments_in);
        g_test_add_func("/initiator/flow/fragments-out", test_fragments_out);
        g_test_add_func("/initiator/flow/no-fragments-without-support",
                        test_no_fragments_without_support);
        g_test_add_func("/initiator/flow/liveness-and-delete", test_liveness_and_delete);
        g_test_add_func("/initiator/flow/gateway-deletes-child", test_gateway_deletes_child);
        g_test_add_func("/initiator/flow/gateway-request-unparseable",
                        test_gateway_request_unparseable);
        g_test_add_func("/initiator/flow/disconnect", test_disconnect);
        g_test_add_func("/initiator/flow/disconnect-unanswered", test_disconnect_unanswered);
        g_test_add_func("/initiator/flow/disconnect-while-connecting",
                        test_disconnect_while_connecting);
        return g_test_run();
}
