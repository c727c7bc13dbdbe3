/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tests/unit/initiator-harness.h"

#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/message.h"

static void dgram_free(gpointer p)
{
        struct h_dgram *d = p;

        bytes_free(&d->b);
        g_free(d);
}

static struct h_dgram *dgram_new(struct slice s, bool natt, uint16_t port, uint64_t at)
{
        struct h_dgram *d = g_new0(struct h_dgram, 1);

        g_assert_cmpint(bytes_dup(&d->b, s), ==, 0);
        d->natt = natt;
        d->port = port;
        d->at = at;
        return d;
}

void h_init(struct harness *h, enum h_auth auth)
{
        const char *why = NULL;

        memset(h, 0, sizeof(*h));
        g_assert_cmpint(test_pki_init(&h->pki, H_NOW_UNIX), ==, 0);
        h->rng_i = tsu_rng_stream_init(&h->rs_i, "initiator", 9);
        h->rng_r = tsu_rng_stream_init(&h->rs_r, "responder", 9);
        proposal_list_defaults(PROPOSAL_IKE, &h->ike);
        proposal_list_defaults(PROPOSAL_ESP, &h->esp);
        g_assert_cmpint(ike_identity_parse(TEST_PKI_CLIENT_NAME, &h->local_id, &why), ==, 0);
        g_assert_cmpint(ike_identity_parse(TEST_PKI_SERVER_NAME, &h->remote_id, &why), ==, 0);
        h->trusted = sk_X509_new_null();
        g_assert_nonnull(h->trusted);
        g_assert_true(X509_up_ref(h->pki.ca));
        sk_X509_push(h->trusted, h->pki.ca);

        h->icfg = (struct ike_initiator_config){
                .rng = &h->rng_i,
                .ike_proposals = &h->ike,
                .esp_proposals = &h->esp,
                .local = {.family = 4, .addr = {192, 168, 77, 2}, .port = 500},
                .remote = {.family = 4, .addr = {192, 0, 2, 1}, .port = 500},
                .gateway_host = TEST_PKI_SERVER_NAME,
                .local_id = &h->local_id,
                .trusted = h->trusted,
                .send_certreq = true,
                .fragmentation = true,
                .retransmit = {.tries = IKE_RETRANSMIT_DEFAULT_TRIES},
                .unix_time = H_NOW_UNIX,
                .child_lifetime_s = 3600,
                .child_rekey_s = 3300,
        };
        h->rcfg = (struct resp_config){
                .rng = &h->rng_r,
                .id_type = IKEV2_ID_FQDN,
                .id = TEST_PKI_SERVER_NAME,
                .cert = h->pki.server,
                .key = h->pki.server_key,
                .ike_encr = IKEV2_ENCR_AES_GCM_16,
                .ike_encr_bits = 256,
                .ike_prf = IKEV2_PRF_HMAC_SHA2_256,
                .ike_dh = IKEV2_DH_CURVE25519, /* the first group of the default proposals */
                .esp_encr = IKEV2_ENCR_AES_GCM_16,
                .esp_encr_bits = 256,
                .eap_password = "alice-password",
                .fragmentation = true,
                .hash_algorithms = true,
                .multiple_auth = true,
                .family = 4,
                .gw_addr = {192, 0, 2, 1},
                .gw_port = 500,
                .seen_addr = {198, 51, 100, 2},
                .seen_port = 61000,
        };
        switch (auth) {
        case H_EAP_MSCHAPV2:
        case H_EAP_MD5:
                h->icfg.auth = IKE_AUTH_KIND_EAP;
                h->icfg.eap.identity = SLICE("alice", 5);
                h->icfg.eap.method = auth == H_EAP_MD5 ? EAP_TYPE_MD5 : EAP_TYPE_MSCHAPV2;
                h->icfg.eap.secret = SLICE("alice-password", 14);
                h->rcfg.client_auth =
                        auth == H_EAP_MD5 ? RESP_CLIENT_EAP_MD5 : RESP_CLIENT_EAP_MSCHAPV2;
                break;
        case H_CERT:
        case H_CERT_EAP:
                h->icfg.auth = auth == H_CERT ? IKE_AUTH_KIND_CERT : IKE_AUTH_KIND_CERT_EAP;
                h->icfg.cert = h->pki.client;
                h->icfg.key = h->pki.client_key;
                h->rcfg.client_auth = auth == H_CERT ? RESP_CLIENT_CERT : RESP_CLIENT_CERT_EAP;
                if (auth == H_CERT_EAP) {
                        h->icfg.eap.identity = SLICE("alice", 5);
                        h->icfg.eap.method = EAP_TYPE_MSCHAPV2;
                        h->icfg.eap.secret = SLICE("alice-password", 14);
                }
                break;
        }
        h->sent = g_ptr_array_new_with_free_func(dgram_free);
        h->states = g_array_new(false, false, sizeof(enum ike_state));
        h->log = g_string_new(NULL);
        g_queue_init(&h->to_resp);
        g_queue_init(&h->to_ini);
        h->now = 1000;
}

void h_free(struct harness *h)
{
        ike_initiator_free(h->ini);
        resp_free(&h->resp);
        g_queue_clear_full(&h->to_resp, dgram_free);
        g_queue_clear_full(&h->to_ini, dgram_free);
        g_ptr_array_unref(h->sent);
        g_array_unref(h->states);
        g_string_free(h->log, true);
        sk_X509_pop_free(h->trusted, X509_free);
        test_pki_free(&h->pki);
        secure_wipe(h->encr_in, sizeof(h->encr_in));
}

static void copy_key(uint8_t *dst, struct slice s)
{
        g_assert_cmpuint(s.len, <=, 64);
        if (s.len)
                memcpy(dst, s.ptr, s.len);
}

void h_actions(struct harness *h)
{
        size_t n;
        const struct ike_action *a = ike_initiator_actions(h->ini, &n);

        for (size_t i = 0; i < n; i++) {
                switch (a[i].type) {
                case IKE_ACTION_SEND: {
                        struct slice d = a[i].u.send.datagram;

                        g_ptr_array_add(h->sent,
                                        dgram_new(d, a[i].u.send.natt, a[i].u.send.port, h->now));
                        if (a[i].u.send.natt) {
                                g_assert_cmpuint(a[i].u.send.port, ==, 4500);
                                g_assert_cmpuint(d.len, >=, 4);
                                g_assert_true(d.ptr[0] == 0 && d.ptr[1] == 0 && d.ptr[2] == 0 &&
                                              d.ptr[3] == 0);
                        }
                        g_queue_push_tail(&h->to_resp,
                                          dgram_new(d, a[i].u.send.natt, a[i].u.send.port, h->now));
                        break;
                }
                case IKE_ACTION_STATE:
                        g_array_append_val(h->states, a[i].u.state);
                        break;
                case IKE_ACTION_LOG:
                        g_assert_nonnull(a[i].u.log.text);
                        g_string_append_printf(h->log, "<%d> %s\n", a[i].u.log.level,
                                               a[i].u.log.text);
                        if (g_test_verbose())
                                g_test_message("ini: %s", a[i].u.log.text);
                        break;
                case IKE_ACTION_NEED_SECRET:
                        h->need_secret = true;
                        h->secret_kind = a[i].u.secret.kind;
                        g_strlcpy(h->prompt, a[i].u.secret.prompt, sizeof(h->prompt));
                        break;
                case IKE_ACTION_INSTALL_CHILD:
                        /* Again only for a rekey (make-before-break). */
                        g_assert_true(!h->installed || h->allow_reinstall);
                        h->installed = true;
                        h->n_installs++;
                        h->child = *a[i].u.child;
                        copy_key(h->encr_in, a[i].u.child->encr_in);
                        copy_key(h->encr_out, a[i].u.child->encr_out);
                        copy_key(h->integ_in, a[i].u.child->integ_in);
                        copy_key(h->integ_out, a[i].u.child->integ_out);
                        break;
                case IKE_ACTION_APPLY_CONFIG:
                        h->configured = true;
                        h->net = *a[i].u.config;
                        break;
                case IKE_ACTION_REMOVE_CHILD:
                        h->removed++;
                        break;
                case IKE_ACTION_FAILED:
                        g_assert_false(h->failed);
                        h->failed = true;
                        h->failure = *a[i].u.failed;
                        break;
                case IKE_ACTION_CLOSED:
                        h->closed = true;
                        break;
                case IKE_ACTION_REKEYED:
                        if (a[i].u.rekeyed.ike)
                                h->n_ike_rekeyed++;
                        else
                                h->n_child_rekeyed++;
                        break;
                case IKE_ACTION_REDIRECT:
                        h->redirected = true;
                        h->redirect_gw = a[i].u.redirect.gateway;
                        if (a[i].u.redirect.fqdn)
                                g_strlcpy(h->redirect_fqdn, a[i].u.redirect.fqdn,
                                          sizeof(h->redirect_fqdn));
                        break;
                case IKE_ACTION_REAUTH:
                        h->n_reauth++;
                        break;
                default:
                        g_assert_not_reached();
                }
        }
}

void h_start(struct harness *h)
{
        const char *why = NULL;

        resp_init(&h->resp, &h->rcfg);
        if (ike_initiator_new(&h->icfg, &h->ini, &why) < 0)
                g_error("ike_initiator_new: %s", why);
        g_assert_cmpint(ike_initiator_start(h->ini, h->now), ==, 0);
        h_actions(h);
        h_run(h);
}

void h_run(struct harness *h)
{
        while (!h->hold && (h->to_resp.length || h->to_ini.length)) {
                struct h_dgram *d = g_queue_pop_head(&h->to_resp);

                if (d) {
                        struct resp_out out = {0};

                        if (h->drop_to_resp) {
                                h->drop_to_resp--;
                        } else {
                                h->last_resp_error =
                                        resp_handle(&h->resp, d->b.ptr, d->b.len, d->natt, &out);
                                if (h->last_resp_error < 0 && g_test_verbose())
                                        g_test_message("responder: %s", h->resp.error);
                                for (size_t i = 0; i < out.n; i++)
                                        g_queue_push_tail(&h->to_ini,
                                                          dgram_new(SLICE_OF(out.d[i]), d->natt,
                                                                    d->port, h->now));
                                resp_out_clear(&out);
                        }
                        dgram_free(d);
                        continue;
                }
                d = g_queue_pop_head(&h->to_ini);
                if (h->drop_to_ini) {
                        h->drop_to_ini--;
                } else {
                        struct slice ike = SLICE_OF(d->b);

                        if (d->natt)
                                g_assert_cmpint(ike_non_esp_marker_strip(SLICE_OF(d->b), &ike), ==,
                                                0);
                        g_assert_cmpint(
                                ike_initiator_receive(h->ini, ike.ptr, ike.len, d->natt, h->now),
                                ==, 0);
                        h_actions(h);
                }
                dgram_free(d);
        }
}

void h_advance(struct harness *h, uint64_t ms)
{
        h->now += ms;
        g_assert_cmpint(ike_initiator_tick(h->ini, h->now), ==, 0);
        h_actions(h);
        h_run(h);
}

void h_gateway_request(struct harness *h, enum resp_request kind)
{
        struct resp_out out = {0};

        h->resp.natt = true;
        g_assert_cmpint(resp_request(&h->resp, kind, &out), ==, 0);
        for (size_t i = 0; i < out.n; i++)
                g_queue_push_tail(&h->to_ini, dgram_new(SLICE_OF(out.d[i]), true, 4500, h->now));
        resp_out_clear(&out);
        h_run(h);
}

unsigned h_count_sent(struct harness *h, uint8_t exchange)
{
        unsigned n = 0;

        for (size_t i = 0; i < h->sent->len; i++) {
                const struct h_dgram *d = g_ptr_array_index(h->sent, i);
                struct slice ike = SLICE_OF(d->b);
                struct ike_header hdr;

                if (d->natt)
                        (void)ike_non_esp_marker_strip(SLICE_OF(d->b), &ike);
                if (ike_header_parse(ike, &hdr, NULL) == 0 && hdr.exchange == exchange)
                        n++;
        }
        return n;
}

void h_assert_log(struct harness *h, const char *text)
{
        if (!strstr(h->log->str, text))
                g_error("log does not contain \"%s\":\n%s", text, h->log->str);
}

void h_assert_failed(struct harness *h, enum ike_fail reason, const char *text)
{
        if (!h->failed)
                g_error("expected a failure (%s), none happened; log:\n%s", ike_fail_name(reason),
                        h->log->str);
        if (h->failure.reason != reason)
                g_error("expected failure %s, got %s: %s", ike_fail_name(reason),
                        ike_fail_name(h->failure.reason), h->failure.text);
        if (text && !strstr(h->failure.text, text))
                g_error("failure text \"%s\" does not contain \"%s\"", h->failure.text, text);
        g_assert_true(h->closed);
        g_assert_cmpint(ike_initiator_state(h->ini), ==, IKE_STATE_CLOSED);
        g_assert_false(h->installed);
}
