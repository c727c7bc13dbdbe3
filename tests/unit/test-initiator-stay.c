/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Staying connected, with the fake clock and the test responder: dead peer
 * detection (RFC 7296 2.4), the message ID window of the gateway's requests
 * (2.3), disconnecting while an exchange is in flight, CHILD SA rekeying
 * (2.8) in both directions.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/ike/eap.h"
#include "client/ike/ikev2.h"
#include "client/profile/proposal.h"
#include "tests/unit/initiator-harness.h"

#define ESP_SPI_R 0xc0ffee01u /* the test responder's first SPI */

static void start_established(struct harness *h, uint32_t dpd_s)
{
        h_init(h, H_EAP_MSCHAPV2);
        h->icfg.dpd_interval_s = dpd_s;
        h_start(h);
        g_assert_true(h->installed);
        g_assert_false(h->failed);
        g_assert_cmpuint(h->states->len, ==, 3);
        g_assert_cmpint(g_array_index(h->states, enum ike_state, 2), ==, IKE_STATE_ESTABLISHED);
}

/* Nothing from the gateway for the interval: one empty INFORMATIONAL; its
 * answer counts as traffic, so the next check is an interval later. */
static void test_dpd_liveness(void)
{
        struct harness h;
        unsigned info;

        start_established(&h, 30);
        info = h.resp.n_info_requests;
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 30000);
        h_advance(&h, 29999);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info);
        h_advance(&h, 1);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info + 1);
        g_assert_false(h.failed);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 30000);
        h_advance(&h, 30000);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info + 2);
        g_assert_false(h.failed);
        h_free(&h);
}

/* ESP from the gateway (the driver's ike_initiator_alive()) and its own
 * requests postpone the check. */
static void test_dpd_postponed_by_traffic(void)
{
        struct harness h;
        unsigned info;

        start_established(&h, 30);
        info = h.resp.n_info_requests;
        h_advance(&h, 20000);
        ike_initiator_alive(h.ini, h.now);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 30000);
        h_advance(&h, 29999);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info);
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        h_advance(&h, 29999);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info);
        h_advance(&h, 1);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info + 1);
        /* An older time than the last one seen changes nothing. */
        ike_initiator_alive(h.ini, 1);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 30000);
        h_free(&h);
}

/* What the engine does: it runs the core only when ike_initiator_next_timer()
 * is due and, just before, reports when the datapath last decrypted a packet
 * (rx_ms, 0: nothing new). */
static void h_timer(struct harness *h, uint64_t rx_ms)
{
        uint64_t next = ike_initiator_next_timer(h->ini);

        g_assert_cmpuint(next, !=, UINT64_MAX);
        g_assert_cmpuint(next, >=, h->now);
        h->now = next;
        if (rx_ms)
                ike_initiator_alive(h->ini, rx_ms);
        g_assert_cmpint(ike_initiator_tick(h->ini, h->now), ==, 0);
        h_actions(h);
        h_run(h);
}

/* ESP that the driver learns of only when the timer fires: the check goes
 * out an interval after the packet, not an interval after the timer; a
 * gateway that dies right after it is declared dead after the interval and
 * the retransmissions only. */
static void test_dpd_counts_from_last_packet(void)
{
        struct harness h;
        uint64_t t0, rx, t_check = 0, t_fail = 0;
        unsigned info;

        start_established(&h, 5);
        info = h.resp.n_info_requests;
        t0 = h.now;
        rx = t0 + 4000;
        /* the timer armed at establishment fires at t0 + 5 s, finds the
         * packet of t0 + 4 s: no check, re-armed for what is left */
        h_timer(&h, rx);
        g_assert_cmpuint(h.now, ==, t0 + 5000);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, rx + 5000);
        /* the gateway is gone from now on */
        h.drop_to_resp = 1000;
        while (!h.closed && h.now - t0 < 400000) {
                unsigned sent = h_count_sent(&h, IKEV2_EXCHANGE_INFORMATIONAL);

                h_timer(&h, 0);
                if (!t_check && h_count_sent(&h, IKEV2_EXCHANGE_INFORMATIONAL) > sent)
                        t_check = h.now;
        }
        g_assert_cmpuint(t_check, ==, rx + 5000);
        g_assert_true(h.closed);
        t_fail = h.now;
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_DEAD);
        g_assert_nonnull(strstr(h.failure.text, "is gone"));
        g_assert_cmpuint(h.removed, ==, 1);
        /* 4 s, then x1.8, 5 retransmissions: 165 s (as in dpd-dead) */
        g_assert_cmpuint(t_fail - t_check, >=, 164000);
        g_assert_cmpuint(t_fail - t_check, <=, 166000);
        h_free(&h);
}

/* The datapath's clock reading may be a little ahead of the time the driver
 * gives the core next (two readings): no check at once, no wrap-around. */
static void test_dpd_alive_ahead_of_clock(void)
{
        struct harness h;
        unsigned info;

        start_established(&h, 30);
        info = h.resp.n_info_requests;
        h_advance(&h, 10000);
        ike_initiator_alive(h.ini, h.now + 3);
        h_advance(&h, 1);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 2 + 30000);
        h_free(&h);
}

static void test_dpd_off(void)
{
        struct harness h;
        unsigned info;

        start_established(&h, 0);
        info = h.resp.n_info_requests;
        /* the next timer is the CHILD SA rekey (3300 s less jitter), not DPD */
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), >, h.now + 3000000);
        h_advance(&h, 600000);
        g_assert_cmpuint(h.resp.n_info_requests, ==, info);
        h_free(&h);
}

/* The gateway stops answering: retransmissions as for any request (4 s,
 * then x1.8, 5 of them: 165 s), then the SA is dead, the CHILD SA removed. */
static void test_dpd_dead(void)
{
        struct harness h;
        uint64_t t0, t_fail = 0;
        unsigned sent;

        start_established(&h, 30);
        h.drop_to_resp = 1000;
        t0 = h.now;
        sent = h_count_sent(&h, IKEV2_EXCHANGE_INFORMATIONAL);
        while (!h.closed && h.now - t0 < 400000) {
                h_advance(&h, 100);
                if (h.closed)
                        t_fail = h.now;
        }
        g_assert_true(h.closed);
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_DEAD);
        g_assert_nonnull(strstr(h.failure.text, "is gone"));
        g_assert_cmpuint(h.removed, ==, 1);
        /* the check and 5 retransmissions */
        g_assert_cmpuint(h_count_sent(&h, IKEV2_EXCHANGE_INFORMATIONAL), ==, sent + 6);
        g_assert_cmpuint(t_fail - t0, >=, 30000 + 164000);
        g_assert_cmpuint(t_fail - t0, <=, 30000 + 166000);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, UINT64_MAX);
        h_free(&h);
}

/* One lost answer: the retransmission gets through, nothing fails. */
static void test_dpd_retransmit_recovers(void)
{
        struct harness h;

        start_established(&h, 30);
        h.drop_to_resp = 1;
        h_advance(&h, 30000);
        g_assert_false(h.failed);
        h_advance(&h, 4000);
        g_assert_false(h.failed);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 30000);
        h_free(&h);
}

/* RFC 7296 2.3: requests from the gateway are answered in order with window
 * 1: the retransmission of the last one gets the cached answer; older ones
 * and ones beyond the window get nothing. */
static void test_request_window(void)
{
        struct harness h;
        struct resp_out out = {0};
        size_t sent;

        start_established(&h, 0);
        h_gateway_request(&h, RESP_REQ_LIVENESS); /* message 0 */
        h_gateway_request(&h, RESP_REQ_LIVENESS); /* message 1 */
        sent = h.sent->len;
        /* message 0 again: too old */
        h.resp.next_msgid = 0;
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        g_assert_cmpuint(h.sent->len, ==, sent);
        h_assert_log(&h, "window");
        /* message 5: beyond the window */
        h.resp.next_msgid = 5;
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        g_assert_cmpuint(h.sent->len, ==, sent);
        /* message 2: the next one, answered */
        h.resp.next_msgid = 2;
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        g_assert_cmpuint(h.sent->len, ==, sent + 1);
        g_assert_cmpint(h.last_resp_error, ==, 0);
        g_assert_false(h.failed);
        resp_out_clear(&out);
        h_free(&h);
}

/* A disconnect while a liveness check is out: the DELETE follows the
 * answer (window 1), and the whole thing is bounded by the delete timeout
 * when the gateway is gone. */
static void test_disconnect_during_dpd(void)
{
        struct harness h;

        start_established(&h, 30);
        h.hold = true;
        h_advance(&h, 30000);
        g_assert_cmpuint(g_queue_get_length(&h.to_resp), ==, 1);
        g_assert_cmpint(ike_initiator_disconnect(h.ini, h.now), ==, 0);
        h_actions(&h);
        g_assert_false(h.closed);
        h.hold = false;
        h_run(&h);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        g_assert_cmpuint(h.resp.n_deletes_received, ==, 1);
        g_assert_cmpuint(h.removed, ==, 1);
        h_free(&h);
}

static void test_disconnect_during_dpd_gateway_gone(void)
{
        struct harness h;
        uint64_t t0;

        start_established(&h, 30);
        h.drop_to_resp = 1000;
        h_advance(&h, 30000);
        t0 = h.now;
        g_assert_cmpint(ike_initiator_disconnect(h.ini, h.now), ==, 0);
        h_actions(&h);
        while (!h.closed && h.now - t0 < 60000)
                h_advance(&h, 100);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        g_assert_cmpuint(h.now - t0, <=, 3000 + 100);
        g_assert_cmpuint(h.removed, ==, 1);
        h_free(&h);
}


/* ------------------------------------------------------------------ CHILD SA rekey */

static void start_rekeying(struct harness *h, const char *esp)
{
        h_init(h, H_EAP_MSCHAPV2);
        if (esp)
                g_assert_cmpint(proposal_list_parse(esp, PROPOSAL_ESP, &h->esp, NULL), ==, 0);
        h->icfg.child_lifetime_s = 120;
        h->icfg.child_rekey_s = 100;
        h->allow_reinstall = true;
        h_start(h);
        g_assert_true(h->installed);
        g_assert_cmpuint(h->n_installs, ==, 1);
}

/* Both directions of the new SA match the responder's KEYMAT with the new
 * nonces (RFC 7296 2.17: the exchange's initiator, us, sends with the
 * first keys). */
static void assert_keys_match(struct harness *h)
{
        size_t el = h->resp.child.encr_i.len, il = h->resp.child.integ_i.len;

        g_assert_cmpuint(el, >, 0);
        g_assert_cmpmem(h->encr_out, el, h->resp.child.encr_i.ptr, el);
        g_assert_cmpmem(h->encr_in, el, h->resp.child.encr_r.ptr, el);
        if (il) {
                g_assert_cmpmem(h->integ_out, il, h->resp.child.integ_i.ptr, il);
                g_assert_cmpmem(h->integ_in, il, h->resp.child.integ_r.ptr, il);
        }
}

/* The soft lifetime comes (rekey time less up to a tenth of the margin):
 * CREATE_CHILD_SA with REKEY_SA, the new SA installed (both directions),
 * then the old SA's DELETE and its removal. */
static void test_child_rekey_ours(void)
{
        struct harness h;
        uint32_t old_in, old_out;
        uint64_t t0, next;

        start_rekeying(&h, NULL);
        t0 = h.now;
        old_in = h.child.spi_in;
        old_out = h.child.spi_out;
        g_assert_cmpuint(old_out, ==, ESP_SPI_R);
        next = ike_initiator_next_timer(h.ini);
        g_assert_cmpuint(next, <=, t0 + 100000);
        g_assert_cmpuint(next, >=, t0 + 100000 - 2000);
        h_advance(&h, next - t0 - 1);
        g_assert_cmpuint(h.resp.n_create_child, ==, 0);
        h_advance(&h, 1);
        g_assert_cmpuint(h.resp.n_create_child, ==, 1);
        g_assert_false(h.resp.rekey_spi_mismatch);
        g_assert_cmpuint(h.n_installs, ==, 2);
        g_assert_false(h.child.inbound_only);
        g_assert_false(h.child.outbound_only);
        g_assert_cmpuint(h.child.spi_out, ==, ESP_SPI_R + 0x100);
        g_assert_cmpuint(h.child.spi_in, !=, old_in);
        assert_keys_match(&h);
        g_assert_cmpuint(h.n_child_rekeyed, ==, 1);
        /* the old one: DELETE answered, then removed */
        g_assert_cmpuint(h.resp.n_deletes_received, ==, 1);
        g_assert_cmpuint(h.removed, ==, 1);
        h_assert_log(&h, "deleted");
        g_assert_false(h.failed);
        (void)old_out;
        /* the next rekey is scheduled for the new SA */
        next = ike_initiator_next_timer(h.ini);
        g_assert_cmpuint(next, <=, h.now + 100000);
        g_assert_cmpuint(next, >=, h.now + 100000 - 2000);
        h_advance(&h, next - h.now);
        g_assert_cmpuint(h.resp.n_create_child, ==, 2);
        g_assert_cmpuint(h.child.spi_out, ==, ESP_SPI_R + 0x200);
        assert_keys_match(&h);
        g_assert_cmpuint(h.removed, ==, 2);
        h_free(&h);
}

/* PFS when the profile's ESP proposals carry a DH group: a KE payload, and
 * the keys include the new shared secret. */
static void test_child_rekey_pfs(void)
{
        struct harness h;

        start_rekeying(&h, "aes256gcm16-x25519");
        g_assert_cmpuint(h.resp.n_pfs, ==, 0);
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, h.child.spi_out, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_cmpuint(h.resp.n_create_child, ==, 1);
        g_assert_cmpuint(h.resp.n_pfs, ==, 1);
        g_assert_cmpuint(h.n_installs, ==, 2);
        assert_keys_match(&h);
        h_assert_log(&h, "PFS");
        h_free(&h);
}

/* A soft byte/packet limit or the sequence number (the driver's call):
 * rekey now; an SPI that is not the current SA's is refused; a second call
 * while the rekey is out starts nothing more. */
static void test_child_rekey_on_demand(void)
{
        struct harness h;
        uint32_t old_in;

        start_rekeying(&h, NULL);
        old_in = h.child.spi_in;
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, 0x12345678, h.now), ==, -ENOENT);
        h_actions(&h);
        h.hold = true;
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, old_in, h.now), ==, 0);
        h_actions(&h);
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, old_in, h.now), ==, 0);
        h_actions(&h);
        g_assert_cmpuint(g_queue_get_length(&h.to_resp), ==, 1);
        h.hold = false;
        h_run(&h);
        g_assert_cmpuint(h.resp.n_create_child, ==, 1);
        g_assert_cmpuint(h.n_installs, ==, 2);
        /* the old SPI is history now */
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, old_in, h.now), ==, -ENOENT);
        h_actions(&h);
        h_free(&h);
}

/* The gateway does not answer our rekey: like any request, the SA is dead
 * after the retransmissions; the current SA stays installed until then. */
static void test_child_rekey_unanswered(void)
{
        struct harness h;
        uint64_t t0;

        start_rekeying(&h, NULL);
        h.drop_to_resp = 1000;
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, h.child.spi_in, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        t0 = h.now;
        while (!h.closed && h.now - t0 < 400000)
                h_advance(&h, 500);
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_DEAD);
        g_assert_cmpuint(h.n_installs, ==, 1);
        g_assert_cmpuint(h.removed, ==, 1);
        h_free(&h);
}

/* The gateway rekeys (RFC 7296 1.3.3 as responder; 2.8): we answer, install
 * the new inbound SA at once, and send on the old SA until the gateway's
 * DELETE of it (the gateway may not have installed its inbound SA yet):
 * then the new outbound SA, then the old SA goes. */
static void test_child_rekey_gateway(void)
{
        struct harness h;
        uint32_t old_in, old_out;

        start_rekeying(&h, NULL);
        old_in = h.child.spi_in;
        old_out = h.child.spi_out;
        h_gateway_request(&h, RESP_REQ_REKEY_CHILD);
        g_assert_cmpuint(h.resp.n_gw_rekeys, ==, 1);
        g_assert_false(h.resp.gw_rekey_refused);
        g_assert_cmpuint(h.n_installs, ==, 2);
        g_assert_true(h.child.inbound_only);
        g_assert_cmpuint(h.child.spi_out, ==, ESP_SPI_R + 0x100);
        g_assert_cmpuint(h.child.spi_in, !=, old_in);
        /* the gateway started the exchange: it sends with the first keys */
        g_assert_cmpmem(h.encr_in, h.resp.child.encr_i.len, h.resp.child.encr_i.ptr,
                        h.resp.child.encr_i.len);
        g_assert_cmpuint(h.removed, ==, 0);
        g_assert_cmpuint(h.n_child_rekeyed, ==, 1);
        /* its DELETE of the old SA (its inbound SPI, our outbound) */
        h_gateway_request(&h, RESP_REQ_DELETE_CHILD);
        g_assert_cmpuint(h.n_installs, ==, 3);
        g_assert_true(h.child.outbound_only);
        g_assert_cmpuint(h.child.spi_out, ==, ESP_SPI_R + 0x100);
        g_assert_cmpmem(h.encr_out, h.resp.child.encr_r.len, h.resp.child.encr_r.ptr,
                        h.resp.child.encr_r.len);
        g_assert_cmpuint(h.removed, ==, 1);
        g_assert_false(h.failed);
        h_assert_log(&h, "the gateway deleted the old CHILD SA");
        (void)old_out;
        /* the next rekey of ours names the new SA */
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, h.child.spi_in, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_false(h.resp.rekey_spi_mismatch);
        g_assert_cmpuint(h.resp.n_create_child, ==, 1);
        assert_keys_match(&h);
        h_free(&h);
}

/* No DELETE from the gateway after its rekey: the new outbound SA goes in
 * 10 s later anyway. */
static void test_child_rekey_gateway_no_delete(void)
{
        struct harness h;

        start_rekeying(&h, NULL);
        h_gateway_request(&h, RESP_REQ_REKEY_CHILD);
        g_assert_cmpuint(h.n_installs, ==, 2);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 10000);
        h_advance(&h, 9999);
        g_assert_cmpuint(h.n_installs, ==, 2);
        h_advance(&h, 1);
        g_assert_cmpuint(h.n_installs, ==, 3);
        g_assert_true(h.child.outbound_only);
        g_assert_cmpmem(h.encr_out, h.resp.child.encr_r.len, h.resp.child.encr_r.ptr,
                        h.resp.child.encr_r.len);
        h_assert_log(&h, "did not delete the CHILD SA it rekeyed");
        h_free(&h);
}

/* A rekey of an SA we do not have: CHILD_SA_NOT_FOUND, nothing installed. */
static void test_child_rekey_gateway_unknown_sa(void)
{
        struct harness h;

        start_rekeying(&h, NULL);
        h.resp.cur_spi_r = 0x0badf00d;
        h_gateway_request(&h, RESP_REQ_REKEY_CHILD);
        g_assert_true(h.resp.gw_rekey_refused);
        g_assert_cmpuint(h.n_installs, ==, 1);
        g_assert_false(h.failed);
        h_assert_log(&h, "we do not have");
        h_free(&h);
}

/* RFC 7296 2.8.1: both ends rekey the same SA at once. The exchange with the
 * lowest of the four nonces made a redundant SA, deleted by its maker; the
 * survivor's maker deletes the old SA. Whichever way the nonces fall, the
 * tunnel ends with one current SA in both directions and no failure. */
static void rekey_collision(bool expect_we_lose)
{
        struct harness h;
        struct h_dgram *ours;
        unsigned deletes_before;
        bool we_lost;

        start_rekeying(&h, NULL);
        /* the lowest nonce: in our exchange (the gateway's answer) or in the
         * gateway's (its request) */
        if (expect_we_lose) {
                h.resp.rekey_ans_nonce = 0x100;
                h.resp.rekey_req_nonce = 0x1ff;
        } else {
                h.resp.rekey_ans_nonce = 0x1ff;
                h.resp.rekey_req_nonce = 0x100;
        }
        h.hold = true;
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, h.child.spi_in, h.now), ==, 0);
        h_actions(&h);
        g_assert_cmpuint(g_queue_get_length(&h.to_resp), ==, 1);
        ours = g_queue_pop_head(&h.to_resp);
        h.hold = false;
        /* the gateway's rekey of the same SA crosses ours */
        h_gateway_request(&h, RESP_REQ_REKEY_CHILD);
        g_assert_cmpuint(h.resp.n_gw_rekeys, ==, 1);
        g_assert_cmpuint(h.n_installs, ==, 2);
        h_assert_log(&h, "while we do (collision)");
        deletes_before = h.resp.n_deletes_received;
        /* now ours arrives and is answered */
        g_queue_push_tail(&h.to_resp, ours);
        h_run(&h);
        g_assert_cmpuint(h.resp.n_create_child, ==, 1);
        g_assert_false(h.failed);
        g_assert_cmpuint(h.n_installs, ==, 3);
        we_lost = strstr(h.log->str, "ours (") != NULL &&
                  strstr(h.log->str, "has the lowest nonce and is redundant; deleting it") != NULL;
        if (we_lost) {
                /* ours went in inbound only, and we delete it */
                g_assert_true(h.child.inbound_only);
                g_assert_cmpuint(h.resp.n_deletes_received, ==, deletes_before + 1);
        } else {
                h_assert_log(&h, "the gateway's");
                h_assert_log(&h, "is redundant");
                g_assert_false(h.child.inbound_only);
                g_assert_cmpuint(h.child.spi_out, ==, ESP_SPI_R + 0x200);
                /* we delete the old SA */
                g_assert_cmpuint(h.resp.n_deletes_received, ==, deletes_before + 1);
        }
        g_assert_true(we_lost == expect_we_lose);
        h_free(&h);
}

static void test_child_rekey_collision_we_lose(void)
{
        rekey_collision(true);
}

static void test_child_rekey_collision_we_win(void)
{
        rekey_collision(false);
}

/* ------------------------------------------------------------------ IKE SA rekey */

/* RFC 7296 2.18: new SPIs and SKEYSEED from the old SK_d; the old SA is
 * deleted on itself; the new one carries everything after (the gateway's
 * requests, CHILD SA rekeys with the new SK_d), message IDs from 0. */
static void test_ike_rekey_ours(void)
{
        struct harness h;
        struct ike_sa_info before, after;
        uint64_t next;
        size_t sent;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.ike_lifetime_s = 3600;
        h.icfg.ike_rekey_s = 3000;
        h.allow_reinstall = true;
        h_start(&h);
        ike_initiator_info(h.ini, &before);
        next = ike_initiator_next_timer(h.ini);
        g_assert_cmpuint(next, <=, h.now + 3000000);
        g_assert_cmpuint(next, >=, h.now + 3000000 - 60000);
        h_advance(&h, next - h.now);
        g_assert_cmpuint(h.resp.n_ike_rekeys, ==, 1);
        g_assert_cmpuint(h.n_ike_rekeyed, ==, 1);
        g_assert_true(h.resp.old_deleted);
        g_assert_false(h.resp.have_old);
        g_assert_false(h.failed);
        ike_initiator_info(h.ini, &after);
        g_assert_cmpuint(after.spi_i, !=, before.spi_i);
        g_assert_cmpuint(after.spi_r, !=, before.spi_r);
        g_assert_cmpuint(after.ike_rekeys, ==, 1);
        /* the CHILD SA stays as it is */
        g_assert_cmpuint(h.n_installs, ==, 1);
        g_assert_cmpuint(h.removed, ==, 0);
        /* the gateway's request on the new SA is answered */
        sent = h.sent->len;
        h_gateway_request(&h, RESP_REQ_LIVENESS);
        g_assert_cmpint(h.last_resp_error, ==, 0);
        g_assert_cmpuint(h.sent->len, ==, sent + 1);
        /* a CHILD SA rekey on the new SA: KEYMAT from its SK_d */
        g_assert_cmpint(ike_initiator_rekey_child(h.ini, h.child.spi_in, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_cmpint(h.last_resp_error, ==, 0);
        g_assert_cmpuint(h.n_installs, ==, 2);
        assert_keys_match(&h);
        g_assert_false(h.failed);
        h_free(&h);
}

/* The rekey goes unanswered: the SA is dead, like any exchange. */
static void test_ike_rekey_unanswered(void)
{
        struct harness h;
        uint64_t t0;

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        h.drop_to_resp = 1000;
        g_assert_cmpint(ike_initiator_rekey_ike(h.ini, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        t0 = h.now;
        while (!h.closed && h.now - t0 < 400000)
                h_advance(&h, 500);
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_DEAD);
        g_assert_cmpuint(h.removed, ==, 1);
        h_free(&h);
}

/* ------------------------------------------------------------------ MOBIKE */

static void test_mobike_update(void)
{
        struct harness h;
        struct ike_addr moved = {.family = 4, .addr = {192, 168, 1, 99}, .port = 4500};
        struct ike_sa_info info;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.mobike = true;
        h.rcfg.mobike = true;
        h_start(&h);
        ike_initiator_info(h.ini, &info);
        g_assert_true(info.mobike);
        g_assert_cmpint(ike_initiator_update_addresses(h.ini, &moved, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_cmpuint(h.resp.n_update_sa, ==, 1);
        g_assert_cmpuint(h.resp.n_update_sa_natd, ==, 1);
        h_assert_log(&h, "follows us to our new address");
        g_assert_false(h.failed);
        /* another family than the gateway's cannot be used */
        moved.family = 6;
        g_assert_cmpint(ike_initiator_update_addresses(h.ini, &moved, h.now), ==, -EAFNOSUPPORT);
        h_free(&h);
}

/* Behind a NAT with MOBIKE, the DPD check is an UPDATE_SA_ADDRESSES: a home
 * router that forgot its mapping sends us out from another port, and a
 * MOBIKE gateway moves the SA only for that request (RFC 4555 3.5). Without
 * MOBIKE it stays an empty INFORMATIONAL (test_dpd_liveness). */
static void test_mobike_dpd_behind_nat(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.mobike = true;
        h.rcfg.mobike = true;
        h.icfg.dpd_interval_s = 30;
        h_start(&h);
        g_assert_true(h.installed);
        g_assert_cmpuint(h.resp.n_update_sa, ==, 0);
        h_advance(&h, 29999);
        g_assert_cmpuint(h.resp.n_update_sa, ==, 0);
        h_advance(&h, 1);
        g_assert_cmpuint(h.resp.n_update_sa, ==, 1);
        g_assert_cmpuint(h.resp.n_update_sa_natd, ==, 1);
        h_assert_log(&h, "liveness check with UPDATE_SA_ADDRESSES");
        g_assert_false(h.failed);
        /* its answer counts as traffic: the next one an interval later */
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, h.now + 30000);
        h_advance(&h, 30000);
        g_assert_cmpuint(h.resp.n_update_sa, ==, 2);
        g_assert_false(h.failed);
        h_free(&h);
}

/* RFC 4555 3.8: an answer without our COOKIE2 proves nothing. */
static void test_mobike_cookie2_missing(void)
{
        struct harness h;
        struct ike_addr moved = {.family = 4, .addr = {192, 168, 1, 99}, .port = 4500};

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.mobike = true;
        h.rcfg.mobike = true;
        h.rcfg.misbehave = RESP_BAD_COOKIE2;
        h_start(&h);
        g_assert_cmpint(ike_initiator_update_addresses(h.ini, &moved, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_true(h.failed);
        g_assert_cmpint(h.failure.reason, ==, IKE_FAIL_PROTOCOL);
        g_assert_nonnull(strstr(h.failure.text, "COOKIE2"));
        h_free(&h);
}

/* A gateway without MOBIKE: the driver has to reconnect instead. */
static void test_mobike_not_supported(void)
{
        struct harness h;
        struct ike_addr moved = {.family = 4, .addr = {192, 168, 1, 99}, .port = 4500};
        struct ike_sa_info info;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.mobike = true;
        h_start(&h);
        ike_initiator_info(h.ini, &info);
        g_assert_false(info.mobike);
        g_assert_cmpint(ike_initiator_update_addresses(h.ini, &moved, h.now), ==, -EOPNOTSUPP);
        h_actions(&h);
        g_assert_cmpuint(h.resp.n_update_sa, ==, 0);
        h_free(&h);
}

/* The driver's new local address drives NAT detection: the answer to
 * UPDATE_SA_ADDRESSES hashes the address the gateway saw (RFC 4555 3.5). */
static void test_mobike_nat_recheck(void)
{
        struct harness h;
        struct ike_addr moved = {.family = 4, .addr = {203, 0, 113, 5}, .port = 4500};
        struct ike_sa_info info;

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.mobike = true;
        h.rcfg.mobike = true;
        h_start(&h);
        ike_initiator_info(h.ini, &info);
        g_assert_true(info.nat_local); /* the harness puts a NAT in front of us */

        /* moved to a public address: the gateway sees exactly it */
        memcpy(h.resp.cfg.seen_addr, moved.addr, 4);
        h.resp.cfg.seen_port = 4500;
        g_assert_cmpint(ike_initiator_update_addresses(h.ini, &moved, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_false(h.failed);
        ike_initiator_info(h.ini, &info);
        g_assert_false(info.nat_local);
        h_assert_log(&h, "no NAT in front of us at the new address");

        /* moved behind a NAT again: the gateway sees another address */
        moved.addr[3] = 6;
        g_assert_cmpint(ike_initiator_update_addresses(h.ini, &moved, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        ike_initiator_info(h.ini, &info);
        g_assert_true(info.nat_local);
        h_assert_log(&h, "a NAT is in front of us at the new address");

        /* a DPD check is not a new address: its answer changes nothing */
        memcpy(h.resp.cfg.seen_addr, moved.addr, 4);
        h.icfg.dpd_interval_s = 0;
        h_advance(&h, 1000);
        ike_initiator_info(h.ini, &info);
        g_assert_true(info.nat_local);
        h_free(&h);
}

/* ------------------------------------------------------------------ abandon */

/* Leaving an established SA: one DELETE that is not waited for, every
 * CHILD SA removed, CLOSED without FAILED, no timer left. */
static void test_abandon_established(void)
{
        struct harness h;
        unsigned sent, deletes;

        start_established(&h, 30);
        sent = h.sent->len;
        deletes = h.resp.n_deletes_received;
        h.hold = true;
        g_assert_cmpint(ike_initiator_abandon(h.ini, h.now), ==, 0);
        h_actions(&h);
        g_assert_cmpuint(h.sent->len, ==, sent + 1);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        g_assert_cmpuint(h.removed, ==, 1);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, UINT64_MAX);
        h.hold = false;
        h_run(&h);
        g_assert_cmpuint(h.resp.n_deletes_received, ==, deletes + 1);
        g_assert_cmpint(ike_initiator_abandon(h.ini, h.now), ==, -EALREADY);
        h_free(&h);
}

/* With an exchange in flight (a liveness check whose answer is lost), the
 * DELETE takes the next message ID, which the gateway accepts, and nothing
 * waits for either. */
static void test_abandon_in_flight(void)
{
        struct harness h;

        start_established(&h, 30);
        h.drop_to_ini = 1;
        h_advance(&h, 30000); /* the answer to the check is lost */
        g_assert_cmpint(ike_initiator_abandon(h.ini, h.now), ==, 0);
        h_actions(&h);
        h_run(&h);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        g_assert_cmpuint(h.resp.n_deletes_received, ==, 1);
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, UINT64_MAX);
        h_free(&h);
}

/* Before any keys (IKE_SA_INIT unanswered): nothing to delete. */
static void test_abandon_before_keys(void)
{
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.drop_to_resp = 1000;
        h_start(&h);
        g_assert_false(h.installed);
        g_assert_cmpuint(h.sent->len, ==, 1);
        g_assert_cmpint(ike_initiator_abandon(h.ini, h.now), ==, 0);
        h_actions(&h);
        g_assert_cmpuint(h.sent->len, ==, 1);
        g_assert_true(h.closed);
        g_assert_false(h.failed);
        h_free(&h);
}

/* ------------------------------------------------------------------ re-authentication */

/* RFC 4478: the gateway's AUTH_LIFETIME brings REAUTH before its deadline
 * (a tenth of it early, at most a minute). */
static void reauth_before(uint32_t lifetime_s, uint32_t own_s, uint64_t expect_ms)
{
        struct harness h;
        uint64_t t0;

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.auth_lifetime_s = lifetime_s;
        h.icfg.reauth_s = own_s;
        h.icfg.child_lifetime_s = h.icfg.child_rekey_s = 0; /* the only timer */
        h_start(&h);
        g_assert_true(h.installed);
        t0 = h.now;
        if (lifetime_s)
                h_assert_log(&h, "re-authentication within");
        g_assert_cmpuint(ike_initiator_next_timer(h.ini), ==, t0 + expect_ms);
        h_advance(&h, expect_ms - 1);
        g_assert_cmpuint(h.n_reauth, ==, 0);
        h_advance(&h, 1);
        g_assert_cmpuint(h.n_reauth, ==, 1);
        g_assert_cmpuint(h.now - t0, <, (uint64_t)(lifetime_s ? lifetime_s : own_s) * 1000u);
        g_assert_false(h.failed);
        /* once: the driver makes the new SA */
        h_advance(&h, 10 * expect_ms);
        g_assert_cmpuint(h.n_reauth, ==, 1);
        h_free(&h);
}

static void test_reauth_auth_lifetime(void)
{
        reauth_before(3600, 0, 3540000); /* a minute early */
        reauth_before(60, 0, 54000);     /* a tenth early */
        reauth_before(3600, 600, 600000); /* ours comes first */
}

/* A reconnect or a re-authentication asks for the virtual IPs it had. */
static void test_cp_previous_vip(void)
{
        struct harness h;
        static const uint8_t ip4[4] = {10, 99, 0, 7};
        static const uint8_t ip6[16] = {0xfd, 0, 0, 0x99, [15] = 7};

        h_init(&h, H_EAP_MSCHAPV2);
        h_start(&h);
        g_assert_true(h.installed);
        g_assert_cmpuint(h.resp.req_ip4_len, ==, 0);
        g_assert_cmpuint(h.resp.req_ip6_len, ==, 0);
        h_free(&h);

        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.request_ip4 = true;
        memcpy(h.icfg.prev_ip4, ip4, 4);
        h.icfg.request_ip6 = true;
        memcpy(h.icfg.prev_ip6, ip6, 16);
        h_start(&h);
        g_assert_true(h.installed);
        g_assert_cmpuint(h.resp.req_ip4_len, ==, 4);
        g_assert_cmpmem(h.resp.req_ip4, 4, ip4, 4);
        g_assert_cmpuint(h.resp.req_ip6_len, ==, 17);
        g_assert_cmpmem(h.resp.req_ip6, 16, ip6, 16);
        g_assert_cmpuint(h.resp.req_ip6[16], ==, 128);
        h_free(&h);
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        if (eap_preload() < 0) {
                g_test_message("OpenSSL legacy provider missing: MS-CHAPv2 cannot run");
                return 77;
        }
        g_test_add_func("/initiator/stay/dpd-liveness", test_dpd_liveness);
        g_test_add_func("/initiator/stay/dpd-postponed-by-traffic", test_dpd_postponed_by_traffic);
        g_test_add_func("/initiator/stay/dpd-counts-from-last-packet",
                        test_dpd_counts_from_last_packet);
        g_test_add_func("/initiator/stay/dpd-alive-ahead-of-clock", test_dpd_alive_ahead_of_clock);
        g_test_add_func("/initiator/stay/dpd-off", test_dpd_off);
        g_test_add_func("/initiator/stay/dpd-dead", test_dpd_dead);
        g_test_add_func("/initiator/stay/dpd-retransmit-recovers", test_dpd_retransmit_recovers);
        g_test_add_func("/initiator/stay/request-window", test_request_window);
        g_test_add_func("/initiator/stay/disconnect-during-dpd", test_disconnect_during_dpd);
        g_test_add_func("/initiator/stay/disconnect-during-dpd-gateway-gone",
                        test_disconnect_during_dpd_gateway_gone);
        g_test_add_func("/initiator/stay/child-rekey-ours", test_child_rekey_ours);
        g_test_add_func("/initiator/stay/child-rekey-pfs", test_child_rekey_pfs);
        g_test_add_func("/initiator/stay/child-rekey-on-demand", test_child_rekey_on_demand);
        g_test_add_func("/initiator/stay/child-rekey-unanswered", test_child_rekey_unanswered);
        g_test_add_func("/initiator/stay/child-rekey-gateway", test_child_rekey_gateway);
        g_test_add_func("/initiator/stay/child-rekey-gateway-no-delete",
                        test_child_rekey_gateway_no_delete);
        g_test_add_func("/initiator/stay/child-rekey-gateway-unknown-sa",
                        test_child_rekey_gateway_unknown_sa);
        g_test_add_func("/initiator/stay/child-rekey-collision-we-lose",
                        test_child_rekey_collision_we_lose);
        g_test_add_func("/initiator/stay/child-rekey-collision-we-win",
                        test_child_rekey_collision_we_win);
        g_test_add_func("/initiator/stay/ike-rekey-ours", test_ike_rekey_ours);
        g_test_add_func("/initiator/stay/ike-rekey-unanswered", test_ike_rekey_unanswered);
        g_test_add_func("/initiator/stay/mobike-update", test_mobike_update);
        g_test_add_func("/initiator/stay/mobike-dpd-behind-nat", test_mobike_dpd_behind_nat);
        g_test_add_func("/initiator/stay/mobike-cookie2-missing", test_mobike_cookie2_missing);
        g_test_add_func("/initiator/stay/mobike-not-supported", test_mobike_not_supported);
        g_test_add_func("/initiator/stay/mobike-nat-recheck", test_mobike_nat_recheck);
        g_test_add_func("/initiator/stay/abandon-established", test_abandon_established);
        g_test_add_func("/initiator/stay/abandon-in-flight", test_abandon_in_flight);
        g_test_add_func("/initiator/stay/abandon-before-keys", test_abandon_before_keys);
        g_test_add_func("/initiator/stay/reauth-auth-lifetime", test_reauth_auth_lifetime);
        g_test_add_func("/initiator/stay/cp-previous-vip", test_cp_previous_vip);
        return g_test_run();
}
