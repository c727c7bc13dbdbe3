/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * INFORMATIONAL (RFC 7296 1.4) and the gateway's other requests, the DELETE
 * we send on disconnect, and what error notifies mean for a person.
 *
 * Requests from the gateway are answered so that it keeps us: an empty
 * INFORMATIONAL is a liveness check (2.4) and gets an empty answer; a DELETE
 * of the IKE SA is answered empty and ends the connection; a DELETE of our
 * CHILD SA is answered with the DELETE of ours (1.4.1) and, since the
 * tunnel is gone with it, ends the connection too. CREATE_CHILD_SA
 * (rekeying) is refused with NO_ADDITIONAL_SAS until rekeying exists.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

static const char *notify_meaning(uint16_t type)
{
        switch (type) {
        case IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD:
                return "it does not understand a payload we marked critical";
        case IKEV2_N_INVALID_IKE_SPI:
                return "it does not know our IKE SA";
        case IKEV2_N_INVALID_MAJOR_VERSION:
                return "it does not speak IKEv2";
        case IKEV2_N_INVALID_SYNTAX:
                return "it found our message malformed";
        case IKEV2_N_INVALID_MESSAGE_ID:
                return "our message ID is out of its window";
        case IKEV2_N_INVALID_SPI:
                return "it does not know the SPI";
        case IKEV2_N_NO_PROPOSAL_CHOSEN:
                return "it accepts none of our proposals";
        case IKEV2_N_AUTHENTICATION_FAILED:
                return "it refused our authentication";
        case IKEV2_N_SINGLE_PAIR_REQUIRED:
                return "it wants one pair of traffic selectors only";
        case IKEV2_N_NO_ADDITIONAL_SAS:
                return "it accepts no more SAs";
        case IKEV2_N_INTERNAL_ADDRESS_FAILURE:
                return "it has no virtual IP address for us (pool exhausted or none configured)";
        case IKEV2_N_FAILED_CP_REQUIRED:
                return "it requires a configuration request";
        case IKEV2_N_TS_UNACCEPTABLE:
                return "it refuses our traffic selectors";
        case IKEV2_N_INVALID_SELECTORS:
                return "a packet did not match the selectors";
        case IKEV2_N_TEMPORARY_FAILURE:
                return "it cannot do it now; try again later";
        case IKEV2_N_CHILD_SA_NOT_FOUND:
                return "it does not know the CHILD SA";
        default:
                return "an error";
        }
}

enum ini_task_result ini_fail_notify(struct ike_initiator *ini, const struct ike_notify *n,
                                     const char *exchange)
{
        enum ike_fail reason;
        char ours[PROPOSAL_MAX_STRING];

        switch (n->type) {
        case IKEV2_N_NO_PROPOSAL_CHOSEN:
                ini_format_proposals(&ini->esp_props, true, ours, sizeof(ours));
                return ini_fail(ini, IKE_FAIL_PROPOSALS, n->type,
                                "%s: the gateway accepted none of our ESP proposals "
                                "(NO_PROPOSAL_CHOSEN); we offered: %s",
                                exchange, ours);
        case IKEV2_N_AUTHENTICATION_FAILED:
                reason = IKE_FAIL_AUTH;
                break;
        case IKEV2_N_TS_UNACCEPTABLE:
        case IKEV2_N_INTERNAL_ADDRESS_FAILURE:
        case IKEV2_N_FAILED_CP_REQUIRED:
        case IKEV2_N_SINGLE_PAIR_REQUIRED:
                reason = IKE_FAIL_CONFIG;
                break;
        case IKEV2_N_TEMPORARY_FAILURE:
        case IKEV2_N_NO_ADDITIONAL_SAS:
                reason = IKE_FAIL_TEMPORARY;
                break;
        default:
                reason = IKE_FAIL_PROTOCOL;
                break;
        }
        return ini_fail(ini, reason, n->type, "%s: the gateway answered %s: %s", exchange,
                        ikev2_notify_name(n->type, IKEV2_NAME_TMP), notify_meaning(n->type));
}

/* Protects and sends our answer to the gateway's request req. */
static void respond(struct ike_initiator *ini, const struct ike_message *req,
                    struct ike_message *resp)
{
        struct bytes *d = NULL;
        size_t n = 0;
        int r;

        resp->hdr.spi_i = ini_spi_u64(ini->spi_i);
        resp->hdr.spi_r = ini_spi_u64(ini->spi_r);
        resp->hdr.exchange = req->hdr.exchange;
        resp->hdr.flags = IKEV2_FLAG_INITIATOR | IKEV2_FLAG_RESPONSE;
        resp->hdr.message_id = req->hdr.message_id;
        r = ini_protect(ini, resp, true, &d, &n);
        if (r < 0) {
                ini_log(ini, IKE_LOG_ERR, "cannot answer the gateway's %s request: %s",
                        ini_exchange_name(req->hdr.exchange), strerror(-r));
                return;
        }
        ini_cache_response(ini, req->hdr.message_id, d, n);
}

static void informational(struct ike_initiator *ini, const struct ike_message *req,
                          struct ike_message *resp)
{
        const struct ike_chain *c = ike_message_payloads(req);
        bool ike_deleted = false, child_deleted = false;

        for (size_t i = 0; i < c->n; i++) {
                const struct ike_payload *p = &c->items[i];

                if (p->type == IKEV2_PAYLOAD_DELETE) {
                        const struct ike_delete *d = &p->u.del;

                        if (d->protocol == IKEV2_PROTO_IKE) {
                                ike_deleted = true;
                                continue;
                        }
                        for (size_t k = 0;
                             d->protocol == IKEV2_PROTO_ESP && d->spi_size == 4 && k < d->n_spis;
                             k++) {
                                /* 3.11: the sender's inbound SPI, our outbound one. */
                                if (ini->child_installed &&
                                    ike_delete_spi32(d, k) == ini->child_spi_out)
                                        child_deleted = true;
                        }
                } else if (p->type == IKEV2_PAYLOAD_NOTIFY) {
                        ini_log(ini, IKE_LOG_INFO, "the gateway notifies %s",
                                ikev2_notify_name(p->u.notify.type, IKEV2_NAME_TMP));
                }
        }
        if (child_deleted && !ike_deleted) {
                uint8_t spi[4];

                ini_put_be32(spi, ini->child_spi_in);
                (void)ike_chain_add_delete(&resp->inner, IKEV2_PROTO_ESP, 4, 1, SLICE(spi, 4));
        }
        if (c->n == 0)
                ini_log(ini, IKE_LOG_DEBUG, "answering the gateway's liveness check (message %u)",
                        req->hdr.message_id);
        respond(ini, req, resp);

        if (ike_deleted && ini->state == IKE_STATE_DELETING) {
                ini_log(ini, IKE_LOG_INFO, "the gateway deleted the IKE SA as well");
                ini_close(ini);
                return;
        }
        if (ike_deleted) {
                if (ini->child_installed) {
                        struct ike_action *a = ini_action(ini, IKE_ACTION_REMOVE_CHILD);

                        if (a) {
                                a->u.remove.spi_in = ini->child_spi_in;
                                a->u.remove.spi_out = ini->child_spi_out;
                        }
                }
                ini_fail(ini, IKE_FAIL_DELETED, 0,
                         "the gateway closed the connection (it deleted the IKE SA)");
                return;
        }
        if (child_deleted) {
                struct ike_action *a = ini_action(ini, IKE_ACTION_REMOVE_CHILD);
                _cleanup_ike_message_ struct ike_message *m = NULL;

                if (a) {
                        a->u.remove.spi_in = ini->child_spi_in;
                        a->u.remove.spi_out = ini->child_spi_out;
                }
                ini->child_installed = false;
                /* Without its only CHILD SA the IKE SA carries nothing: close
                 * it too (best effort) and say why. */
                if (!ini->req.active && ike_message_new(&m) == 0 &&
                    ike_chain_add_delete(&m->inner, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0)) == 0)
                        (void)ini_send_oneshot(ini, IKEV2_EXCHANGE_INFORMATIONAL, m);
                ini_fail(ini, IKE_FAIL_DELETED, 0,
                         "the gateway deleted the tunnel (CHILD SA %08x); rekeying and "
                         "reconnecting are not implemented yet",
                         ini->child_spi_out);
        }
}

void ini_handle_peer_request(struct ike_initiator *ini, const struct ike_message *req)
{
        _cleanup_ike_message_ struct ike_message *resp = NULL;

        if (ike_message_new(&resp) < 0)
                return;
        switch (req->hdr.exchange) {
        case IKEV2_EXCHANGE_INFORMATIONAL:
                informational(ini, req, resp);
                return;
        case IKEV2_EXCHANGE_CREATE_CHILD_SA:
                ini_log(ini, IKE_LOG_WARNING,
                        "the gateway wants to rekey; rekeying is not implemented yet: refused "
                        "with NO_ADDITIONAL_SAS (the tunnel ends with its lifetime)");
                (void)ike_chain_add_notify(&resp->inner, 0, IKEV2_N_NO_ADDITIONAL_SAS,
                                           SLICE(NULL, 0), SLICE(NULL, 0));
                respond(ini, req, resp);
                return;
        default:
                ini_log(ini, IKE_LOG_WARNING, "ignoring a %s request from the gateway",
                        ini_exchange_name(req->hdr.exchange));
                return;
        }
}

void ini_reject_peer_request(struct ike_initiator *ini, const struct ike_header *h,
                             const struct ike_error *err)
{
        _cleanup_ike_message_ struct ike_message *req = NULL, *resp = NULL;
        uint8_t type = err->payload;
        struct slice data = SLICE(NULL, 0);

        if (!err->notify || ike_message_new(&req) < 0 || ike_message_new(&resp) < 0)
                return;
        /* 3.2: UNSUPPORTED_CRITICAL_PAYLOAD carries the offending type. */
        if (err->notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD)
                data = SLICE(&type, 1);
        if (ike_chain_add_notify(&resp->inner, 0, err->notify, SLICE(NULL, 0), data) < 0)
                return;
        req->hdr = *h;
        ini_log(ini, IKE_LOG_INFO, "answering the gateway's %s request (message %u) with %s",
                ini_exchange_name(h->exchange), h->message_id,
                ikev2_notify_name(err->notify, IKEV2_NAME_TMP));
        respond(ini, req, resp);
}

/* ------------------------------------------------------------------ our DELETE */

static int delete_build(struct ike_initiator *ini, struct ike_message *req)
{
        (void)ini;
        /* RFC 7296 1.4.1: deleting the IKE SA deletes its CHILD SAs. */
        return ike_chain_add_delete(&req->inner, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0));
}

static enum ini_task_result delete_process(struct ike_initiator *ini,
                                           const struct ike_message *resp)
{
        (void)ini;
        (void)resp;
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_delete = {
        .name = "INFORMATIONAL (DELETE)",
        .exchange = IKEV2_EXCHANGE_INFORMATIONAL,
        .build = delete_build,
        .process = delete_process,
};
