/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKE_SA_INIT (RFC 7296 1.2), the initiator's side:
 *
 *   HDR, [N(COOKIE)], SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP),
 *        N(NAT_DETECTION_DESTINATION_IP), [N(IKEV2_FRAGMENTATION_SUPPORTED)],
 *        N(SIGNATURE_HASH_ALGORITHMS), N(REDIRECT_SUPPORTED)  -->
 *                               <--  HDR, SAr1, KEr, Nr, [CERTREQ], [N(...)]
 *   or                          <--  HDR, N(COOKIE)               (2.6: again with it)
 *   or                          <--  HDR, N(INVALID_KE_PAYLOAD)   (1.2: again with its group)
 *   or                          <--  HDR, N(error)                (fail, saying what)
 *
 * NAT traversal (2.23, RFC 3948): our ESP datapath is userspace and only
 * speaks ESP-in-UDP, so after this exchange everything moves to port 4500
 * whatever the NAT detection says. To make the gateway encapsulate too when
 * there is no NAT, our NAT_DETECTION_SOURCE_IP is a value that cannot match
 * (strongSwan's "forceencaps"); the gateway's DESTINATION hash still tells
 * us whether a NAT sits in front of us.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/crypto/sig.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

int ini_random_nonzero(struct ike_initiator *ini, uint8_t *buf, size_t n)
{
        for (int tries = 0; tries < 8; tries++) {
                int r = tsu_rng_fill(&ini->rng, buf, n);

                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        if (buf[i])
                                return 0;
        }
        return -EIO;
}

int ini_random_nonce(struct ike_initiator *ini, struct bytes *ret)
{
        uint8_t nonce[INI_NONCE_LEN];
        int r = tsu_rng_fill(&ini->rng, nonce, sizeof(nonce));

        if (r == 0)
                r = bytes_dup(ret, SLICE(nonce, sizeof(nonce)));
        secure_wipe(nonce, sizeof(nonce));
        return r;
}

static bool group_offered(const struct proposal_list *l, uint16_t group)
{
        for (size_t i = 0; i < l->n; i++)
                for (size_t k = 0; k < l->p[i].n_dh; k++)
                        if (l->p[i].dh[k] == group)
                                return true;
        return false;
}

static int new_dh(struct ike_initiator *ini, uint16_t group)
{
        const struct crypto_dh_group *g = crypto_dh_lookup(group);

        crypto_dh_free(ini->dh);
        ini->dh = NULL;
        if (!g)
                return -ENOTSUP;
        ini->ke_group = group;
        return crypto_dh_new(g, &ini->rng, &ini->dh);
}

static int natd(struct ike_initiator *ini, const struct ike_addr *a, const uint8_t spi_r[8],
                uint8_t out[20])
{
        return ike_natd_hash(ini->spi_i, spi_r, SLICE(a->addr, a->family == 4 ? 4 : 16), a->port,
                             out);
}

static int sa_init_build(struct ike_initiator *ini, struct ike_message *req)
{
        static const uint8_t zero_spi[8] = {0};
        struct ike_chain *c = &req->clear;
        uint8_t hash[20], algs[8];
        uint16_t hashes[4];
        size_t n_hashes;
        int r;

        if (!ini->ni.ptr) {
                uint8_t nonce[INI_NONCE_LEN];

                r = ini_random_nonzero(ini, ini->spi_i, sizeof(ini->spi_i));
                if (r < 0)
                        return r;
                r = tsu_rng_fill(&ini->rng, nonce, sizeof(nonce));
                if (r < 0)
                        return r;
                r = bytes_dup(&ini->ni, SLICE(nonce, sizeof(nonce)));
                secure_wipe(nonce, sizeof(nonce));
                if (r < 0)
                        return r;
                req->hdr.spi_i = ini_spi_u64(ini->spi_i);
        }
        if (!ini->dh) {
                uint16_t group = ini->ke_group;

                if (!group) {
                        /* The first group of the first proposal (the most preferred). */
                        for (size_t i = 0; i < ini->ike_props.n && !group; i++)
                                if (ini->ike_props.p[i].n_dh)
                                        group = ini->ike_props.p[i].dh[0];
                }
                r = new_dh(ini, group);
                if (r == -ENOTSUP) {
                        ini_fail(ini, IKE_FAIL_LOCAL, 0,
                                 "the profile's first key exchange method %s is not implemented",
                                 ikev2_dh_name(group, IKEV2_NAME_TMP));
                        return r;
                }
                if (r < 0)
                        return r;
        }

        /* RFC 7296 2.6: the cookie comes first. */
        if (ini->cookie.ptr) {
                r = ike_chain_add_notify(c, 0, IKEV2_N_COOKIE, SLICE(NULL, 0),
                                         SLICE_OF(ini->cookie));
                if (r < 0)
                        return r;
        }
        r = ini_add_sa_payload(c, &ini->ike_props, IKEV2_PROTO_IKE, NULL, 0, false);
        if (r < 0)
                return r;
        r = ike_chain_add_ke(c, ini->ke_group, crypto_dh_public(ini->dh));
        if (r < 0)
                return r;
        r = ike_chain_add_nonce(c, SLICE_OF(ini->ni));
        if (r < 0)
                return r;
        /* A source hash that cannot match: the gateway must think we are
         * behind a NAT and encapsulate ESP in UDP (forceencaps). */
        r = tsu_rng_fill(&ini->rng, hash, sizeof(hash));
        if (r < 0)
                return r;
        r = ike_chain_add_notify(c, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, SLICE(NULL, 0),
                                 SLICE(hash, sizeof(hash)));
        if (r < 0)
                return r;
        r = natd(ini, &ini->remote, zero_spi, hash);
        if (r < 0)
                return r;
        r = ike_chain_add_notify(c, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP, SLICE(NULL, 0),
                                 SLICE(hash, sizeof(hash)));
        if (r < 0)
                return r;
        if (ini->fragmentation) {
                r = ike_chain_add_notify(c, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED,
                                         SLICE(NULL, 0), SLICE(NULL, 0));
                if (r < 0)
                        return r;
        }
        n_hashes = crypto_sig_supported_hashes(hashes);
        for (size_t i = 0; i < n_hashes; i++) {
                algs[2 * i] = (uint8_t)(hashes[i] >> 8);
                algs[2 * i + 1] = (uint8_t)hashes[i];
        }
        r = ike_chain_add_notify(c, 0, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, SLICE(NULL, 0),
                                 SLICE(algs, 2 * n_hashes));
        if (r < 0)
                return r;
        /* RFC 5685 3, 7: we announce redirects; after one, we say where we
         * come from instead: GW Ident Type | GW Ident Len | address. */
        if (ini->redirected_from.family) {
                uint8_t from[18];
                size_t alen = ini->redirected_from.family == 4 ? 4 : 16;

                from[0] = ini->redirected_from.family == 4 ? IKEV2_GW_IPV4 : IKEV2_GW_IPV6;
                from[1] = (uint8_t)alen;
                memcpy(from + 2, ini->redirected_from.addr, alen);
                return ike_chain_add_notify(c, 0, IKEV2_N_REDIRECTED_FROM, SLICE(NULL, 0),
                                            SLICE(from, alen + 2));
        }
        return ike_chain_add_notify(c, 0, IKEV2_N_REDIRECT_SUPPORTED, SLICE(NULL, 0),
                                    SLICE(NULL, 0));
}

static bool hash_matches(const struct ike_chain *c, uint16_t type, const uint8_t want[20],
                         bool *ret_present)
{
        bool match = false;

        *ret_present = false;
        for (size_t i = 0; i < c->n; i++) {
                struct slice h;

                if (c->items[i].type != IKEV2_PAYLOAD_NOTIFY || c->items[i].u.notify.type != type)
                        continue;
                if (ike_notify_nat_detection(&c->items[i].u.notify, &h, NULL) < 0)
                        continue;
                *ret_present = true;
                if (CRYPTO_memcmp(h.ptr, want, 20) == 0)
                        match = true;
        }
        return match;
}

static void detect_nat(struct ike_initiator *ini, const struct ike_chain *c)
{
        uint8_t mine[20], theirs[20];
        bool have_d, have_s, match_d, match_s;

        if (natd(ini, &ini->local, ini->spi_r, mine) < 0 ||
            natd(ini, &ini->remote, ini->spi_r, theirs) < 0)
                return;
        match_d = hash_matches(c, IKEV2_N_NAT_DETECTION_DESTINATION_IP, mine, &have_d);
        match_s = hash_matches(c, IKEV2_N_NAT_DETECTION_SOURCE_IP, theirs, &have_s);
        if (!have_d || !have_s) {
                ini_log(ini, IKE_LOG_WARNING,
                        "the gateway sent no NAT detection: it may not support NAT traversal, "
                        "but ESP goes in UDP on port 4500 anyway (our datapath only speaks "
                        "RFC 3948)");
                ini->nat_local = ini->nat_remote = false;
                return;
        }
        ini->nat_local = !match_d;
        ini->nat_remote = !match_s;
        if (ini->nat_local)
                ini_log(ini, IKE_LOG_INFO, "NAT detected in front of us: moving to port 4500");
        if (ini->nat_remote)
                ini_log(ini, IKE_LOG_INFO,
                        "the gateway looks NATed (or forces UDP encapsulation): port 4500");
        if (!ini->nat_local && !ini->nat_remote)
                ini_log(ini, IKE_LOG_INFO,
                        "no NAT detected; forcing UDP encapsulation on port 4500 (our ESP "
                        "datapath is userspace and always uses ESP-in-UDP, RFC 3948)");
}

static enum ini_task_result retry_invalid_ke(struct ike_initiator *ini, const struct ike_notify *n)
{
        struct ike_error err = {0};
        char ours[PROPOSAL_MAX_STRING];
        uint16_t group;

        ini_format_proposals(&ini->ike_props, false, ours, sizeof(ours));
        if (ike_notify_dh_group(n, &group, &err) < 0)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_SA_INIT: malformed INVALID_KE_PAYLOAD: %s", err.what);
        if (ini->ke_rounds >= INI_MAX_KE_ROUNDS)
                return ini_fail(ini, IKE_FAIL_PROPOSALS, IKEV2_N_INVALID_KE_PAYLOAD,
                                "IKE_SA_INIT: the gateway refused our key exchange again (now "
                                "it wants %s); our proposals: %s",
                                ikev2_dh_name(group, IKEV2_NAME_TMP), ours);
        if (group == ini->ke_group || !group_offered(&ini->ike_props, group) ||
            !crypto_dh_lookup(group))
                return ini_fail(ini, IKE_FAIL_PROPOSALS, IKEV2_N_INVALID_KE_PAYLOAD,
                                "IKE_SA_INIT: the gateway wants key exchange %s, which we do not "
                                "offer; our proposals: %s",
                                ikev2_dh_name(group, IKEV2_NAME_TMP), ours);
        ini->ke_rounds++;
        ini_log(ini, IKE_LOG_INFO, "the gateway prefers key exchange %s to %s: retrying with it",
                ikev2_dh_name(group, IKEV2_NAME_TMP), ikev2_dh_name(ini->ke_group, IKEV2_NAME_TMP));
        if (new_dh(ini, group) < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "key exchange %s: cannot create a key",
                                ikev2_dh_name(group, IKEV2_NAME_TMP));
        return INI_TASK_AGAIN;
}

static void collect_notifies(struct ike_initiator *ini, const struct ike_chain *c)
{
        const struct ike_notify *n;

        ini->peer_fragmentation = ike_chain_find_notify(c, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED);
        ini->peer_multiple_auth = ike_chain_find_notify(c, IKEV2_N_MULTIPLE_AUTH_SUPPORTED);
        n = ike_chain_find_notify(c, IKEV2_N_SIGNATURE_HASH_ALGORITHMS);
        ini->n_peer_hashes = 0;
        if (n && ike_notify_hash_algorithms(n, ini->peer_hashes, INI_MAX_PEER_HASHES,
                                            &ini->n_peer_hashes, NULL) < 0)
                ini->n_peer_hashes = 0;
}

static enum ini_task_result sa_init_process(struct ike_initiator *ini,
                                            const struct ike_message *resp)
{
        const struct ike_chain *c = ike_message_payloads(resp);
        const struct ike_payload *sa_p, *ke_p, *nonce_p;
        const struct ike_notify *n;
        struct ike_error err = {0};
        struct bytes gir = {0};
        struct ini_chosen ch;
        char why[256], ours[PROPOSAL_MAX_STRING], theirs[512], sb[64];
        const char *w = NULL;
        int r;

        n = ike_chain_find_notify(c, IKEV2_N_COOKIE);
        if (n) {
                struct slice cookie;

                if (ike_notify_cookie(n, &cookie, &err) < 0)
                        return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                        "IKE_SA_INIT: malformed COOKIE: %s", err.what);
                if (++ini->cookie_rounds > INI_MAX_COOKIE_ROUNDS)
                        return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_COOKIE,
                                        "IKE_SA_INIT: the gateway asked for a cookie %u times in "
                                        "a row; giving up",
                                        ini->cookie_rounds);
                bytes_free(&ini->cookie);
                if (bytes_dup(&ini->cookie, cookie) < 0)
                        return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
                ini_log(ini, IKE_LOG_INFO,
                        "the gateway asks for a cookie (RFC 7296 2.6, it is busy or protects "
                        "itself): retrying with it");
                return INI_TASK_AGAIN;
        }
        n = ike_chain_find_notify(c, IKEV2_N_REDIRECT);
        if (n)
                /* RFC 5685 4: its nonce data must be our Ni (an off-path
                 * attacker cannot redirect us). */
                return ini_redirect(ini, n, "IKE_SA_INIT", SLICE_OF(ini->ni));
        n = ike_chain_find_error_notify(c);
        if (n) {
                if (n->type == IKEV2_N_INVALID_KE_PAYLOAD)
                        return retry_invalid_ke(ini, n);
                if (n->type == IKEV2_N_NO_PROPOSAL_CHOSEN) {
                        ini_format_proposals(&ini->ike_props, false, ours, sizeof(ours));
                        return ini_fail(ini, IKE_FAIL_PROPOSALS, n->type,
                                        "IKE_SA_INIT: the gateway accepted none of our IKE "
                                        "proposals (NO_PROPOSAL_CHOSEN); we offered: %s",
                                        ours);
                }
                return ini_fail_notify(ini, n, "IKE_SA_INIT");
        }

        sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        nonce_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        if (!sa_p || !ke_p || !nonce_p)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_SA_INIT: the answer lacks %s",
                                !sa_p   ? "the SA payload"
                                : !ke_p ? "the KE payload"
                                        : "the nonce");
        if (resp->hdr.spi_r == 0)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_SA_INIT: the gateway's SPI is zero");
        if (ini_check_chosen(&sa_p->u.sa, &ini->ike_props, IKEV2_PROTO_IKE, false, &ch, why,
                             sizeof(why)) < 0 ||
            (ch.spi_len != 0 &&
             snprintf(why, sizeof(why), "IKE proposal with an SPI (3.3.1: none here)") > 0)) {
                ini_format_proposals(&ini->ike_props, false, ours, sizeof(ours));
                ini_format_sa_payload(&sa_p->u.sa, theirs, sizeof(theirs));
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, IKEV2_N_NO_PROPOSAL_CHOSEN,
                                "IKE_SA_INIT: invalid choice of the gateway: %s (it chose: %s; "
                                "we offered: %s)",
                                why, theirs, ours);
        }
        if (ch.dh != ini->ke_group)
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, IKEV2_N_INVALID_KE_PAYLOAD,
                                "IKE_SA_INIT: the gateway chose key exchange %s but did not "
                                "ask us to change from %s (INVALID_KE_PAYLOAD)",
                                ikev2_dh_name(ch.dh, IKEV2_NAME_TMP),
                                ikev2_dh_name(ini->ke_group, sb));
        if (ke_p->u.ke.group != ini->ke_group)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_SA_INIT: the gateway's KE is for group %s, not %s",
                                ikev2_dh_name(ke_p->u.ke.group, IKEV2_NAME_TMP),
                                ikev2_dh_name(ini->ke_group, sb));
        r = crypto_dh_compute(ini->dh, ke_p->u.ke.data, &gir, &w);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_SA_INIT: the gateway's public value is not valid: %s",
                                w ? w : strerror(-r));

        ini_u64_spi(resp->hdr.spi_r, ini->spi_r);
        bytes_free_secret(&ini->nr);
        bytes_free(&ini->sa_init_resp);
        if (bytes_dup(&ini->nr, nonce_p->u.nonce) < 0 ||
            bytes_dup(&ini->sa_init_resp, resp->raw) < 0) {
                bytes_free_secret(&gir);
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
        }
        ini->ike_encr = ch.encr;
        ini->ike_encr_bits = ch.encr_bits;
        ini->ike_integ = ch.integ;
        ini->ike_prf = ch.prf;
        ini->ike_dh = ch.dh;
        ini->prf = crypto_prf_lookup(ch.prf);
        r = crypto_suite_lookup(ch.encr, ch.encr_bits, ch.integ, 0, &ini->suite, &w);
        if (r == 0)
                r = ike_keys_derive(ini->prf, &ini->suite, SLICE_OF(ini->ni), SLICE_OF(ini->nr),
                                    ini->spi_i, ini->spi_r, SLICE_OF(gir), &ini->keys);
        bytes_free_secret(&gir);
        if (r == 0)
                r = ike_keys_sk_contexts(&ini->keys, &ini->suite, ini->we_initiator, &ini->aead_out,
                                         &ini->aead_in);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "IKE_SA_INIT: key derivation failed: %s",
                                strerror(-r));
        ini->have_keys = true;
        crypto_dh_free(ini->dh);
        ini->dh = NULL;

        collect_notifies(ini, c);
        detect_nat(ini, c);
        ini->natt = true;
        {
                struct ike_sa_info info;

                ike_initiator_info(ini, &info);
                ini_log(ini, IKE_LOG_INFO, "IKE SA %016llx_i %016llx_r negotiated: %s%s",
                        (unsigned long long)info.spi_i, (unsigned long long)info.spi_r,
                        info.ike_suite, ini->peer_fragmentation ? ", fragmentation supported" : "");
        }
        ini_set_state(ini, IKE_STATE_AUTHENTICATING);
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_sa_init = {
        .name = "IKE_SA_INIT",
        .exchange = IKEV2_EXCHANGE_IKE_SA_INIT,
        .build = sa_init_build,
        .process = sa_init_process,
};
