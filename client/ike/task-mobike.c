/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MOBIKE (RFC 4555): after our address changed, the driver re-connected
 * its sockets (the kernel picked the new source address and port) and
 * tells the gateway where we are now:
 *
 *   HDR, SK {N(UPDATE_SA_ADDRESSES), N(NAT_DETECTION_SOURCE_IP),
 *            N(NAT_DETECTION_DESTINATION_IP), N(COOKIE2)}  -->
 *                      <--  HDR, SK {N(NAT_DETECTION_*), N(COOKIE2)}
 *
 * The gateway takes the new address from the request's IP header (3.5);
 * COOKIE2 (3.8, return routability) must come back unchanged. Our source
 * hash is one that never matches, as in IKE_SA_INIT, so that the gateway
 * keeps encapsulating ESP in UDP (our datapath speaks nothing else).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/keys.h"
#include "client/ike/initiator-internal.h"

static int mobike_build(struct ike_initiator *ini, struct ike_message *req)
{
        struct ike_chain *c = &req->inner;
        uint8_t hash[20];
        int r;

        r = ike_chain_add_notify(c, 0, IKEV2_N_UPDATE_SA_ADDRESSES, SLICE(NULL, 0),
                                 SLICE(NULL, 0));
        if (r == 0)
                r = tsu_rng_fill(&ini->rng, hash, sizeof(hash));
        if (r == 0)
                r = ike_chain_add_notify(c, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, SLICE(NULL, 0),
                                         SLICE(hash, sizeof(hash)));
        if (r == 0)
                r = ike_natd_hash(ini->spi_i, ini->spi_r,
                                  SLICE(ini->remote.addr, ini->remote.family == 4 ? 4 : 16),
                                  IKEV2_NATT_PORT, hash);
        if (r == 0)
                r = ike_chain_add_notify(c, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP,
                                         SLICE(NULL, 0), SLICE(hash, sizeof(hash)));
        if (r == 0)
                r = tsu_rng_fill(&ini->rng, ini->cookie2, sizeof(ini->cookie2));
        if (r == 0)
                r = ike_chain_add_notify(c, 0, IKEV2_N_COOKIE2, SLICE(NULL, 0),
                                         SLICE(ini->cookie2, sizeof(ini->cookie2)));
        if (r == 0)
                ini_log(ini, IKE_LOG_INFO, "MOBIKE: telling the gateway our new address");
        return r;
}

/* RFC 4555 3.5: the answer carries NAT detection for the path the request
 * took. After the driver gave us a new local address (the 4500 socket's
 * address and port), it tells whether a NAT is in front of us now: behind
 * one, the liveness check is an UPDATE_SA_ADDRESSES (initiator.c). */
static void recheck_nat(struct ike_initiator *ini, const struct ike_chain *c)
{
        uint8_t mine[20], theirs[20];
        bool have_d = false, have_s = false, match_d = false, match_s = false;
        bool was = ini->nat_local;

        if (ike_natd_hash(ini->spi_i, ini->spi_r,
                          SLICE(ini->local.addr, ini->local.family == 4 ? 4 : 16), ini->local.port,
                          mine) < 0 ||
            ike_natd_hash(ini->spi_i, ini->spi_r,
                          SLICE(ini->remote.addr, ini->remote.family == 4 ? 4 : 16),
                          IKEV2_NATT_PORT, theirs) < 0)
                return;
        for (size_t i = 0; i < c->n; i++) {
                const struct ike_notify *n = &c->items[i].u.notify;
                struct slice h;
                bool dst;

                if (c->items[i].type != IKEV2_PAYLOAD_NOTIFY ||
                    (n->type != IKEV2_N_NAT_DETECTION_DESTINATION_IP &&
                     n->type != IKEV2_N_NAT_DETECTION_SOURCE_IP))
                        continue;
                if (ike_notify_nat_detection(n, &h, NULL) < 0)
                        continue;
                dst = n->type == IKEV2_N_NAT_DETECTION_DESTINATION_IP;
                *(dst ? &have_d : &have_s) = true;
                if (CRYPTO_memcmp(h.ptr, dst ? mine : theirs, 20) == 0)
                        *(dst ? &match_d : &match_s) = true;
        }
        if (!have_d || !have_s)
                return; /* nothing to go by: as it was */
        ini->nat_local = !match_d;
        ini->nat_remote = !match_s;
        if (ini->nat_local != was)
                ini_log(ini, IKE_LOG_INFO, "MOBIKE: %s",
                        ini->nat_local ? "a NAT is in front of us at the new address"
                                       : "no NAT in front of us at the new address");
}

static enum ini_task_result mobike_process(struct ike_initiator *ini,
                                           const struct ike_message *resp)
{
        const struct ike_chain *c = ike_message_payloads(resp);
        const struct ike_notify *n = ike_chain_find_error_notify(c);
        const struct ike_notify *cookie2 = ike_chain_find_notify(c, IKEV2_N_COOKIE2);

        if (n)
                return ini_fail(ini, IKE_FAIL_TEMPORARY, n->type,
                                "MOBIKE: the gateway refused our new address (%s)",
                                ikev2_notify_name(n->type, IKEV2_NAME_TMP));
        /* RFC 4555 3.8: COOKIE2 comes back unchanged, or the answer is not
         * from the gateway that saw our request. */
        if (!cookie2 || cookie2->data.len != sizeof(ini->cookie2) ||
            CRYPTO_memcmp(cookie2->data.ptr, ini->cookie2, sizeof(ini->cookie2)) != 0)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_COOKIE2,
                                "MOBIKE: the answer to UPDATE_SA_ADDRESSES %s COOKIE2 (RFC 4555 "
                                "3.8): return routability not proven",
                                cookie2 ? "does not echo our" : "lacks");
        if (ini->natd_recheck) {
                ini->natd_recheck = false;
                recheck_nat(ini, c);
        }
        ini_log(ini, IKE_LOG_INFO, "MOBIKE: the gateway follows us to our new address");
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_mobike = {
        .name = "INFORMATIONAL (UPDATE_SA_ADDRESSES)",
        .exchange = IKEV2_EXCHANGE_INFORMATIONAL,
        .build = mobike_build,
        .process = mobike_process,
};
