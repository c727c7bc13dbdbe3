/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKE_AUTH (RFC 7296 1.2, 2.15, 2.16; RFC 4739; RFC 5998), the initiator's
 * side, one request per round:
 *
 * certificate:
 *   HDR, SK {IDi, CERT+, N(INITIAL_CONTACT), [CERTREQ], [IDr], AUTH, CP(REQ),
 *            SAi2, TSi, TSr, N(ESP_TFC_PADDING_NOT_SUPPORTED)}  -->
 *                             <--  HDR, SK {IDr, CERT+, AUTH, CP(REPLY), SAr2, TSi, TSr}
 * EAP (no AUTH from us in the first request):
 *   HDR, SK {IDi, N(INITIAL_CONTACT), [CERTREQ], [IDr], CP(REQ), SAi2, TSi, TSr} -->
 *                             <--  HDR, SK {IDr, CERT+, AUTH, EAP}
 *   HDR, SK {EAP}  -->        <--  HDR, SK {EAP}          (as often as the method needs)
 *   HDR, SK {AUTH} -->        <--  HDR, SK {AUTH, CP(REPLY), SAr2, TSi, TSr}
 * certificate, then EAP (RFC 4739): the first request carries our AUTH and
 * N(MULTIPLE_AUTH_SUPPORTED), N(ANOTHER_AUTH_FOLLOWS); the gateway answers
 * {IDr, CERT+, AUTH}; then HDR, SK {IDi} starts the EAP round as above.
 *
 * The order of checks is the point of this file: the first answer's IDr,
 * certificate chain and AUTH signature are verified (ini_verify_gateway)
 * before the EAP peer sees any EAP packet, so no EAP response, least of all
 * one derived from the password, leaves before the gateway proved who it
 * is. EAP-Success counts only when the method completed (the EAP peer
 * checks that, we check again), and the gateway's final AUTH over the MSK
 * must verify before anything is installed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

static bool cert_kind(const struct ike_initiator *ini)
{
        return ini->auth_kind == IKE_AUTH_KIND_CERT || ini->auth_kind == IKE_AUTH_KIND_CERT_EAP;
}

/* RFC 5998 2: only methods that authenticate the server and make a key. */
static bool eap_only_possible(const struct ike_initiator *ini)
{
        return ini->allow_eap_only && ini->auth_kind == IKE_AUTH_KIND_EAP &&
               (ini->eap_cfg.method == EAP_TYPE_MSCHAPV2 || ini->eap_cfg.method == EAP_TYPE_TLS);
}

static const char *eap_method_text(const struct ike_initiator *ini)
{
        switch (ini->eap_cfg.method) {
        case EAP_TYPE_MSCHAPV2:
                return "EAP-MSCHAPv2";
        case EAP_TYPE_MD5:
                return "EAP-MD5";
        case EAP_TYPE_TLS:
                return "EAP-TLS";
        default:
                return "EAP";
        }
}

static int set_idi_body(struct ike_initiator *ini)
{
        uint8_t hdr[4] = {ini->local_id.type, 0, 0, 0};
        struct slice parts[2] = {SLICE(hdr, 4), SLICE(ini->local_id.data, ini->local_id.len)};

        bytes_free(&ini->auth.idi_body);
        return bytes_concat(&ini->auth.idi_body, parts, 2);
}

static int add_idi(struct ike_initiator *ini, struct ike_chain *c)
{
        int r = set_idi_body(ini);

        if (r < 0)
                return r;
        return ike_chain_add_id(c, IKEV2_PAYLOAD_IDi, ini->local_id.type,
                                SLICE(ini->local_id.data, ini->local_id.len));
}

static int add_cert(struct ike_chain *c, X509 *x)
{
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der), r;

        if (len <= 0)
                return -EINVAL;
        r = ike_chain_add_cert(c, IKEV2_CERT_X509_SIGNATURE, SLICE(der, (size_t)len));
        OPENSSL_free(der);
        return r;
}

static int build_first(struct ike_initiator *ini, struct ike_chain *c)
{
        uint8_t spi[4];
        int r;

        if (ini->auth_kind == IKE_AUTH_KIND_CERT_EAP && !ini->peer_multiple_auth) {
                ini_fail(ini, IKE_FAIL_LOCAL, 0,
                         "the profile asks for certificate + EAP, but the gateway does not "
                         "support several authentication rounds (RFC 4739)");
                return -ENOTSUP;
        }
        if (!ini->child_spi_in) {
                do {
                        r = tsu_rng_fill(&ini->rng, spi, sizeof(spi));
                        if (r < 0)
                                return r;
                        ini->child_spi_in = ini_get_be32(spi);
                        /* RFC 4303 2.1: 1..255 are reserved by IANA. */
                } while (ini->child_spi_in < 256);
        }
        ini_put_be32(spi, ini->child_spi_in);

        r = add_idi(ini, c);
        if (r < 0)
                return r;
        if (cert_kind(ini)) {
                r = add_cert(c, ini->cert);
                for (int i = 0; r == 0 && ini->chain && i < sk_X509_num(ini->chain); i++)
                        if (X509_cmp(sk_X509_value(ini->chain, i), ini->cert) != 0)
                                r = add_cert(c, sk_X509_value(ini->chain, i));
                if (r < 0)
                        return r;
        }
        /* RFC 7296 2.4; left out when re-authenticating, so that the
         * gateway keeps the old IKE SA until we delete it. */
        r = ini->no_initial_contact ? 0
                                    : ike_chain_add_notify(c, 0, IKEV2_N_INITIAL_CONTACT,
                                                           SLICE(NULL, 0), SLICE(NULL, 0));
        if (r == 0 && ini->send_certreq)
                r = ini_add_certreq(ini, c);
        if (r == 0 && ini->have_remote_id)
                r = ike_chain_add_id(c, IKEV2_PAYLOAD_IDr, ini->remote_id.type,
                                     SLICE(ini->remote_id.data, ini->remote_id.len));
        if (r == 0 && cert_kind(ini))
                r = ini_add_signature_auth(ini, c);
        if (r == 0)
                r = ini_add_cp_request(ini, c);
        if (r == 0)
                r = ini_add_sa_payload(c, &ini->esp_props, IKEV2_PROTO_ESP, spi, 4, true);
        if (r == 0)
                r = ini_add_ts_all(c, IKEV2_PAYLOAD_TSi);
        if (r == 0)
                r = ini_add_ts_all(c, IKEV2_PAYLOAD_TSr);
        if (r == 0)
                r = ike_chain_add_notify(c, 0, IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED,
                                         SLICE(NULL, 0), SLICE(NULL, 0));
        if (r == 0 && ini->auth_kind == IKE_AUTH_KIND_CERT_EAP) {
                r = ike_chain_add_notify(c, 0, IKEV2_N_MULTIPLE_AUTH_SUPPORTED, SLICE(NULL, 0),
                                         SLICE(NULL, 0));
                if (r == 0)
                        r = ike_chain_add_notify(c, 0, IKEV2_N_ANOTHER_AUTH_FOLLOWS, SLICE(NULL, 0),
                                                 SLICE(NULL, 0));
        }
        if (r == 0 && eap_only_possible(ini))
                r = ike_chain_add_notify(c, 0, IKEV2_N_EAP_ONLY_AUTHENTICATION, SLICE(NULL, 0),
                                         SLICE(NULL, 0));
        /* RFC 4555 4: MOBIKE is announced in IKE_AUTH. */
        if (r == 0 && ini->mobike)
                r = ike_chain_add_notify(c, 0, IKEV2_N_MOBIKE_SUPPORTED, SLICE(NULL, 0),
                                         SLICE(NULL, 0));
        return r;
}

/* The gateway is authenticated and its answer is the last one: a REDIRECT
 * (RFC 5685 6) instead of a CHILD SA, or the CHILD SA; its MOBIKE and
 * AUTH_LIFETIME (RFC 4478) notifies. */
static enum ini_task_result finish(struct ike_initiator *ini, const struct ike_chain *c)
{
        const struct ike_notify *n = ike_chain_find_notify(c, IKEV2_N_REDIRECT);
        enum ini_task_result res;

        if (n) {
                _cleanup_ike_message_ struct ike_message *m = NULL;

                /* 6: the IKE SA is of no use; delete it (best effort). */
                if (ike_message_new(&m) == 0 &&
                    ike_chain_add_delete(&m->inner, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0)) == 0)
                        (void)ini_send_oneshot(ini, IKEV2_EXCHANGE_INFORMATIONAL, m);
                return ini_redirect(ini, n, "IKE_AUTH", SLICE(NULL, 0));
        }
        res = ini_establish_child(ini, c);
        if (res != INI_TASK_DONE)
                return res;
        ini->peer_mobike = ike_chain_find_notify(c, IKEV2_N_MOBIKE_SUPPORTED) != NULL;
        if (ini->mobike)
                ini_log(ini, IKE_LOG_INFO, "MOBIKE %s",
                        ini->peer_mobike ? "supported by both sides"
                                         : "not supported by the gateway: a network change "
                                           "means reconnecting");
        ini_schedule_ike(ini);
        ini_schedule_child_rekey(ini);
        n = ike_chain_find_notify(c, IKEV2_N_AUTH_LIFETIME);
        if (n && n->data.len == 4) {
                uint32_t secs = ini_get_be32(n->data.ptr);
                /* Re-authenticate a little before the gateway's limit (at
                 * most a minute, at most a tenth of it, never at once). */
                uint64_t ms = (uint64_t)secs * 1000u;
                uint64_t margin = ms / 10 < 60000u ? ms / 10 : 60000u;
                uint64_t at = ini->now + (ms - margin > 1000u ? ms - margin : 1000u);

                if (at < ini->reauth_at)
                        ini->reauth_at = at;
                ini_log(ini, IKE_LOG_INFO,
                        "the gateway wants re-authentication within %u s (AUTH_LIFETIME)", secs);
        }
        return INI_TASK_DONE;
}

static int auth_build(struct ike_initiator *ini, struct ike_message *req)
{
        struct ike_chain *c = &req->inner;

        switch (ini->auth.step) {
        case INI_AUTH_FIRST:
                return build_first(ini, c);
        case INI_AUTH_SECOND_ID:
                /* RFC 4739 3: the second round starts with its own IDi (we
                 * have one identity for both rounds) and no AUTH: EAP. */
                return add_idi(ini, c);
        case INI_AUTH_EAP:
                return ike_chain_add_eap_msg(c, SLICE_OF(ini->auth.eap_out));
        case INI_AUTH_FINAL:
                return ini_add_msk_auth(ini, c, SLICE_OF(ini->auth.key_i));
        default:
                return -EINVAL;
        }
}

static int eap_start(struct ike_initiator *ini)
{
        struct eap_error err = {0};
        struct eap_peer_config cfg = ini->eap_cfg;
        int r;

        if (ini->auth.eap)
                return 0;
        if (cfg.method == EAP_TYPE_TLS && cfg.tls.now == 0)
                cfg.tls.now = ini_unix_now(ini);
        r = eap_peer_new(&ini->auth.eap, &cfg, &err);
        if (r < 0) {
                ini_fail(ini, r == -ENOMEM ? IKE_FAIL_INTERNAL : IKE_FAIL_LOCAL, 0,
                         "%s cannot start: %s", eap_method_text(ini),
                         err.text[0] ? err.text : strerror(-r));
                return r;
        }
        return 0;
}

static enum ini_task_result eap_succeeded(struct ike_initiator *ini)
{
        struct slice msk;
        int r;

        /* CVE-2021-45079 family: an EAP-Success is worth something only
         * after the method authenticated the gateway and made its key. */
        if (!eap_peer_method_completed(ini->auth.eap))
                return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                "%s: EAP-Success before the method completed: the gateway did "
                                "not prove it knows our credentials",
                                eap_method_text(ini));
        r = eap_peer_msk(ini->auth.eap, &msk);
        bytes_free_secret(&ini->auth.key_i);
        bytes_free_secret(&ini->auth.key_r);
        if (r == 0) {
                if (bytes_dup(&ini->auth.key_i, msk) < 0 || bytes_dup(&ini->auth.key_r, msk) < 0)
                        return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
        } else if (r == -ENOKEY && !eap_peer_has_msk(ini->auth.eap)) {
                /* RFC 7296 2.16: without an MSK, AUTH is keyed with SK_pi / SK_pr. */
                if (ini->auth.eap_only)
                        return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                        "%s made no key, so it cannot authenticate the gateway "
                                        "(RFC 5998 needs a key-generating method)",
                                        eap_method_text(ini));
                if (bytes_dup(&ini->auth.key_i, SLICE_OF(ini->keys.sk_pi)) < 0 ||
                    bytes_dup(&ini->auth.key_r, SLICE_OF(ini->keys.sk_pr)) < 0)
                        return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
        } else {
                return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                "%s succeeded without the MSK the method must make",
                                eap_method_text(ini));
        }
        ini_log(ini, IKE_LOG_INFO, "%s succeeded%s", eap_method_text(ini),
                r == 0 ? ", MSK established" : " (no MSK: AUTH keyed with SK_pi/SK_pr)");
        ini->auth.step = INI_AUTH_FINAL;
        return INI_TASK_AGAIN;
}

static enum ini_task_result feed_eap(struct ike_initiator *ini, const struct ike_chain *c)
{
        const struct ike_payload *p = ike_chain_find(c, IKEV2_PAYLOAD_EAP, 0);
        struct eap_result res = {0};
        bool success_packet;
        int r;

        if (!p)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_AUTH: the gateway's answer carries no EAP payload (we "
                                "authenticate with %s)",
                                eap_method_text(ini));
        if (eap_start(ini) < 0)
                return INI_TASK_FAILED;
        success_packet = p->u.eap.code == EAP_CODE_SUCCESS;
        r = eap_peer_process(ini->auth.eap, p->u.eap.msg, &res);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "%s: %s", eap_method_text(ini),
                                strerror(-r));
        if (res.notification)
                ini_log(ini, IKE_LOG_NOTICE, "message from the gateway: %s", res.notification);
        switch (res.action) {
        case EAP_ACTION_SEND:
                bytes_free_secret(&ini->auth.eap_out);
                if (bytes_dup(&ini->auth.eap_out, res.response) < 0)
                        return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
                ini->auth.step = INI_AUTH_EAP;
                return INI_TASK_AGAIN;
        case EAP_ACTION_NEED_SECRET:
                ini->auth.waiting_secret = true;
                ini->auth.secret_kind = res.secret_kind;
                snprintf(ini->auth.prompt, sizeof(ini->auth.prompt), "%s for %.*s at %s",
                         res.secret_kind == EAP_SECRET_PASSWORD ? "Password" : "Key passphrase",
                         (int)ini->eap_identity.len, (const char *)ini->eap_identity.ptr,
                         ini->gateway_host);
                {
                        struct ike_action *a = ini_action(ini, IKE_ACTION_NEED_SECRET);

                        if (!a)
                                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
                        a->u.secret.kind = res.secret_kind;
                        a->u.secret.prompt = ini->auth.prompt;
                }
                ini->auth.step = INI_AUTH_EAP;
                return INI_TASK_WAIT;
        case EAP_ACTION_SUCCESS:
                return eap_succeeded(ini);
        case EAP_ACTION_FAILURE:
                if (res.server_unauthenticated)
                        return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                        "%s: the gateway did not prove it knows the password "
                                        "(%s)",
                                        eap_method_text(ini), res.reason ? res.reason : "refused");
                if (success_packet)
                        return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                        "%s: EAP-Success before the method completed (%s): the "
                                        "gateway did not prove it knows our credentials",
                                        eap_method_text(ini), res.reason ? res.reason : "refused");
                if (ini->eap_cfg.method == EAP_TYPE_TLS)
                        return ini_fail(ini, IKE_FAIL_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                        "%s failed: %s", eap_method_text(ini),
                                        res.reason ? res.reason : "refused");
                return ini_fail(ini, IKE_FAIL_AUTH_PASSWORD, IKEV2_N_AUTHENTICATION_FAILED,
                                "%s failed: wrong user name or password? (%s)",
                                eap_method_text(ini), res.reason ? res.reason : "refused");
        case EAP_ACTION_DROP:
        default:
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_AUTHENTICATION_FAILED,
                                "%s: the gateway's EAP packet cannot be used: %s",
                                eap_method_text(ini), res.reason ? res.reason : "dropped");
        }
}

/* An error notify in an IKE_AUTH answer, read in the light of the round. */
static enum ini_task_result auth_error(struct ike_initiator *ini, const struct ike_notify *n)
{
        char id[300];

        if (n->type != IKEV2_N_AUTHENTICATION_FAILED)
                return ini_fail_notify(ini, n, "IKE_AUTH");
        ike_identity_format(&ini->local_id, id, sizeof(id));
        if (ini->auth.step == INI_AUTH_FIRST && cert_kind(ini))
                return ini_fail(ini, IKE_FAIL_AUTH_CERT, n->type,
                                "the gateway refused our certificate authentication "
                                "(AUTHENTICATION_FAILED) for identity %s",
                                id);
        if (ini->auth.step == INI_AUTH_FIRST)
                return ini_fail(ini, IKE_FAIL_AUTH, n->type,
                                "the gateway refused our identity %s (AUTHENTICATION_FAILED)", id);
        if (ini->eap_cfg.method == EAP_TYPE_TLS)
                return ini_fail(ini, IKE_FAIL_AUTH, n->type,
                                "the gateway refused our EAP-TLS authentication "
                                "(AUTHENTICATION_FAILED)");
        return ini_fail(ini, IKE_FAIL_AUTH_PASSWORD, n->type,
                        "the gateway refused the %s authentication (AUTHENTICATION_FAILED): "
                        "wrong user name or password?",
                        eap_method_text(ini));
}

/* RFC 7296 2.21.2: tell the gateway why we stop (best effort, no answer
 * awaited). */
static void notify_auth_failed(struct ike_initiator *ini)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;

        if (ike_message_new(&m) < 0)
                return;
        if (ike_chain_add_notify(&m->inner, 0, IKEV2_N_AUTHENTICATION_FAILED, SLICE(NULL, 0),
                                 SLICE(NULL, 0)) < 0)
                return;
        (void)ini_send_oneshot(ini, IKEV2_EXCHANGE_INFORMATIONAL, m);
}

static enum ini_task_result first_answer(struct ike_initiator *ini, const struct ike_chain *c)
{
        bool auth_required = !eap_only_possible(ini);

        if (ini_verify_gateway(ini, c, auth_required) != INI_TASK_DONE) {
                /* The failure is recorded (FAILED, CLOSED); the courtesy
                 * notify follows in the same batch of actions. */
                if (ini->failure.notify == IKEV2_N_AUTHENTICATION_FAILED)
                        notify_auth_failed(ini);
                return INI_TASK_FAILED;
        }
        ini->auth.eap_only = !ini->auth.gateway_verified;
        switch (ini->auth_kind) {
        case IKE_AUTH_KIND_CERT:
                return finish(ini, c);
        case IKE_AUTH_KIND_CERT_EAP:
                ini_log(ini, IKE_LOG_INFO,
                        "certificate round accepted; starting the %s round (RFC 4739)",
                        eap_method_text(ini));
                ini->auth.step = INI_AUTH_SECOND_ID;
                return INI_TASK_AGAIN;
        case IKE_AUTH_KIND_EAP:
        default:
                if (ini->auth.eap_only)
                        ini_log(ini, IKE_LOG_NOTICE,
                                "the gateway sent no AUTH: EAP-only authentication (RFC 5998), "
                                "%s will authenticate it",
                                eap_method_text(ini));
                return feed_eap(ini, c);
        }
}

static enum ini_task_result auth_process(struct ike_initiator *ini, const struct ike_message *resp)
{
        const struct ike_chain *c = ike_message_payloads(resp);
        const struct ike_notify *n;
        const struct ike_payload *a;

        if (++ini->auth.rounds > INI_MAX_AUTH_ROUNDS)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, 0,
                                "IKE_AUTH: more than %u rounds; giving up", INI_MAX_AUTH_ROUNDS);
        n = ike_chain_find_error_notify(c);
        /* A CHILD SA error comes with a successful authentication (RFC 7296
         * 1.2): check the gateway first, then report the CHILD problem. */
        if (n && ini->auth.step == INI_AUTH_FIRST && ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0) &&
            n->type != IKEV2_N_AUTHENTICATION_FAILED) {
                if (ini_verify_gateway(ini, c, true) != INI_TASK_DONE)
                        return INI_TASK_FAILED;
                return ini_fail_notify(ini, n, "IKE_AUTH");
        }
        if (n && ini->auth.step == INI_AUTH_FINAL && ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0) &&
            n->type != IKEV2_N_AUTHENTICATION_FAILED)
                return ini_fail_notify(ini, n, "IKE_AUTH");
        if (n)
                return auth_error(ini, n);

        switch (ini->auth.step) {
        case INI_AUTH_FIRST:
                return first_answer(ini, c);
        case INI_AUTH_SECOND_ID:
        case INI_AUTH_EAP:
                if (ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0) ||
                    ike_chain_find(c, IKEV2_PAYLOAD_SA, 0))
                        return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                        "IKE_AUTH: AUTH or SA in the middle of %s",
                                        eap_method_text(ini));
                return feed_eap(ini, c);
        case INI_AUTH_FINAL:
                a = ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0);
                if (!a)
                        return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                        "IKE_AUTH: the gateway's last answer has no AUTH: it "
                                        "did not prove it holds the EAP key");
                if (ini_verify_msk_auth(ini, &a->u.auth, SLICE_OF(ini->auth.key_r)) !=
                    INI_TASK_DONE)
                        return INI_TASK_FAILED;
                ini->auth.gateway_verified = true;
                return finish(ini, c);
        default:
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "IKE_AUTH: unexpected answer");
        }
}

const struct ini_task_ops ini_task_auth = {
        .name = "IKE_AUTH",
        .exchange = IKEV2_EXCHANGE_IKE_AUTH,
        .build = auth_build,
        .process = auth_process,
};
