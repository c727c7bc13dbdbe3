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
        ini_log(ini, IKE_LOG_INFO, "MOBIKE: the gateway follows us to our new address");
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_mobike = {
        .name = "INFORMATIONAL (UPDATE_SA_ADDRESSES)",
        .exchange = IKEV2_EXCHANGE_INFORMATIONAL,
        .build = mobike_build,
        .process = mobike_process,
};
