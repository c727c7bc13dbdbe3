/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CREATE_CHILD_SA for the CHILD SA (RFC 7296 1.3.3, 2.8): our rekey, the
 * gateway's rekey, collisions of the two (2.8.1), and the DELETE of an old
 * CHILD SA (1.4.1).
 *
 *   HDR, SK {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr}  -->
 *                                   <--  HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *
 * The new SA is installed make-before-break: its inbound direction, then
 * its outbound direction (which replaces the current one in the
 * datapath); the old inbound SA stays until its DELETE exchange is done,
 * so nothing in flight is lost. KEYMAT comes from SK_d and the exchange's
 * nonces, with g^ir when PFS was negotiated (2.17); the initiator of the
 * exchange (not of the IKE SA) takes the first keys.
 *
 * Collisions (2.8.1): when both ends rekey the same SA at once, each
 * answers the other and both new SAs exist; the one made by the exchange
 * with the lowest of the four nonces is redundant and is deleted by the
 * side that initiated that exchange; the winner deletes the old SA.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

int ini_nonce_cmp(struct slice a, struct slice b)
{
        size_t n = MIN(a.len, b.len);
        int c = n ? memcmp(a.ptr, b.ptr, n) : 0;

        if (c)
                return c;
        return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

static struct slice min_nonce(struct slice a, struct slice b)
{
        return ini_nonce_cmp(a, b) <= 0 ? a : b;
}

static int new_spi(struct ike_initiator *ini, uint32_t *ret)
{
        uint8_t b[4];
        uint32_t v;
        int r;

        do {
                r = tsu_rng_fill(&ini->rng, b, sizeof(b));
                if (r < 0)
                        return r;
                v = ini_get_be32(b);
        } while (v < 256 || v == ini->child_spi_in); /* RFC 4303 2.1: 1..255 reserved */
        *ret = v;
        return 0;
}

/* ------------------------------------------------------------------ old CHILD SAs */

void ini_emit_remove(struct ike_initiator *ini, uint32_t spi_in, uint32_t spi_out)
{
        struct ike_action *a = ini_action(ini, IKE_ACTION_REMOVE_CHILD);

        if (a) {
                a->u.remove.spi_in = spi_in;
                a->u.remove.spi_out = spi_out;
        }
}

void ini_child_keep_old(struct ike_initiator *ini, uint32_t spi_in, uint32_t spi_out,
                        bool we_delete)
{
        struct ini_child_ref *slot = NULL;

        for (size_t i = 0; i < INI_MAX_CHILDREN && !slot; i++)
                if (!ini->children[i].used)
                        slot = &ini->children[i];
        if (!slot) {
                /* Too many half-deleted SAs: the oldest goes now. */
                ini_emit_remove(ini, ini->children[0].spi_in, ini->children[0].spi_out);
                memmove(&ini->children[0], &ini->children[1],
                        (INI_MAX_CHILDREN - 1) * sizeof(ini->children[0]));
                slot = &ini->children[INI_MAX_CHILDREN - 1];
        }
        *slot = (struct ini_child_ref){
                .used = true, .deleting = we_delete, .spi_in = spi_in, .spi_out = spi_out};
        if (we_delete)
                (void)ini_task_queue(ini, &ini_task_child_delete);
}

static struct ini_child_ref *find_old_out(struct ike_initiator *ini, uint32_t spi_out)
{
        for (size_t i = 0; i < INI_MAX_CHILDREN; i++)
                if (ini->children[i].used && ini->children[i].spi_out == spi_out)
                        return &ini->children[i];
        return NULL;
}

bool ini_child_deleted(struct ike_initiator *ini, const struct ike_delete *d,
                       struct ike_message *resp)
{
        uint8_t spis[4 * INI_MAX_CHILDREN + 4];
        size_t n = 0;
        bool current = false;

        for (size_t k = 0; d->protocol == IKEV2_PROTO_ESP && d->spi_size == 4 && k < d->n_spis;
             k++) {
                /* 3.11: the sender's inbound SPI, our outbound one. */
                uint32_t spi = ike_delete_spi32(d, k);
                struct ini_child_ref *old = find_old_out(ini, spi);

                if (old) {
                        /* The gateway's rekey is complete: our new
                         * outbound SA first, then the old SA goes. */
                        ini_child_switch_out(ini);
                        if (n < INI_MAX_CHILDREN + 1)
                                ini_put_be32(spis + 4 * n++, old->spi_in);
                        ini_log(ini, IKE_LOG_INFO, "the gateway deleted the old CHILD SA %08x",
                                old->spi_in);
                        ini_emit_remove(ini, old->spi_in, old->spi_out);
                        *old = (struct ini_child_ref){0};
                } else if (ini->child_installed && spi == ini->child_spi_out) {
                        if (n < INI_MAX_CHILDREN + 1)
                                ini_put_be32(spis + 4 * n++, ini->child_spi_in);
                        ini_emit_remove(ini, ini->child_spi_in, ini->child_spi_out);
                        ini->child_installed = false;
                        current = true;
                } else {
                        ini_log(ini, IKE_LOG_DEBUG,
                                "the gateway deletes a CHILD SA we do not know (%08x)", spi);
                }
        }
        if (n)
                (void)ike_chain_add_delete(&resp->inner, IKEV2_PROTO_ESP, 4, (uint16_t)n,
                                           SLICE(spis, 4 * n));
        return current;
}

/* ------------------------------------------------------------------ installing */

int ini_child_install(struct ike_initiator *ini, const struct crypto_suite *suite,
                      const struct ini_chosen *cho, uint32_t spi_in, uint32_t spi_out,
                      struct slice g_ir, struct slice ni, struct slice nr, bool we_started)
{
        struct ike_child_sa *ch = &ini->child;
        struct ike_action *a;
        int r;

        ini->child_out_at = UINT64_MAX; /* a newer SA replaces a pending one */
        ike_child_keys_wipe(&ini->child_keys);
        r = ike_child_keys_derive(ini->prf, SLICE_OF(ini->keys.sk_d), g_ir, ni, nr, suite,
                                  &ini->child_keys);
        if (r < 0)
                return r;
        /* The TS and lifetimes stay those of the SA it replaces. */
        ch->spi_in = spi_in;
        ch->spi_out = spi_out;
        ch->encr = cho->encr;
        ch->encr_bits = cho->encr_bits;
        ch->integ = cho->integ;
        ch->esn = cho->esn == IKEV2_ESN_YES;
        ch->inbound_only = false;
        ch->outbound_only = false;
        if (we_started) {
                ch->encr_out = SLICE_OF(ini->child_keys.encr_i);
                ch->integ_out = SLICE_OF(ini->child_keys.integ_i);
                ch->encr_in = SLICE_OF(ini->child_keys.encr_r);
                ch->integ_in = SLICE_OF(ini->child_keys.integ_r);
        } else {
                ch->encr_out = SLICE_OF(ini->child_keys.encr_r);
                ch->integ_out = SLICE_OF(ini->child_keys.integ_r);
                ch->encr_in = SLICE_OF(ini->child_keys.encr_i);
                ch->integ_in = SLICE_OF(ini->child_keys.integ_i);
        }
        a = ini_action(ini, IKE_ACTION_INSTALL_CHILD);
        if (!a)
                return -ENOMEM;
        a->u.child = ch;
        return 0;
}

void ini_child_switch_out(struct ike_initiator *ini)
{
        struct ike_child_sa *copy;
        struct ike_action *a;

        if (ini->child_out_at == UINT64_MAX)
                return;
        ini->child_out_at = UINT64_MAX; /* the keys are wiped after this call */
        copy = ini_keep(ini, &ini->child, sizeof(ini->child));
        a = copy ? ini_action(ini, IKE_ACTION_INSTALL_CHILD) : NULL;
        if (!a)
                return;
        copy->inbound_only = false;
        copy->outbound_only = true;
        a->u.child = copy;
        ini_log(ini, IKE_LOG_DEBUG, "sending on CHILD SA %08x_o from now on", copy->spi_out);
}

/* A copy of the current CHILD SA description for an inbound-only install
 * (the action points at it until the next call). */
static int install_inbound_only(struct ike_initiator *ini)
{
        struct ike_child_sa *copy = ini_keep(ini, &ini->child, sizeof(ini->child));
        struct ike_action *a;

        if (!copy)
                return -ENOMEM;
        copy->inbound_only = true;
        /* The action is the last one: make it point at the copy. */
        for (size_t i = ini->n_actions; i-- > 0;) {
                a = &ini->actions[i];
                if (a->type == IKE_ACTION_INSTALL_CHILD) {
                        a->u.child = copy;
                        return 0;
                }
        }
        return -ENOENT;
}

static void make_current(struct ike_initiator *ini, uint32_t spi_in, uint32_t spi_out,
                         const struct ini_chosen *cho)
{
        struct ike_action *a;

        ini->child_spi_in = spi_in;
        ini->child_spi_out = spi_out;
        ini->esp_encr = cho->encr;
        ini->esp_encr_bits = cho->encr_bits;
        ini->esp_integ = cho->integ;
        ini->esp_esn = cho->esn == IKEV2_ESN_YES;
        ini->child_installed = true;
        ini->n_child_rekeys++;
        a = ini_action(ini, IKE_ACTION_REKEYED);
        if (a)
                a->u.rekeyed.ike = false;
        ini_schedule_child_rekey(ini);
}

/* ------------------------------------------------------------------ selectors */

static int add_ts(struct ike_chain *c, uint8_t type, const struct ike_ts_range *r, size_t n)
{
        struct ike_ts_selector sel[IKE_TS_MAX_OUT];

        for (size_t i = 0; i < n; i++)
                sel[i] = ike_ts_selector_make(r[i].start, r[i].end, r[i].family == 4 ? 4 : 16,
                                              r[i].proto, r[i].port_lo, r[i].port_hi);
        return ike_chain_add_ts(c, type, sel, n);
}

/* ------------------------------------------------------------------ our rekey */

static uint16_t pfs_group(const struct ike_initiator *ini)
{
        for (size_t i = 0; i < ini->esp_props.n; i++)
                if (ini->esp_props.p[i].n_dh && ini->esp_props.p[i].dh[0] != IKEV2_DH_NONE)
                        return ini->esp_props.p[i].dh[0];
        return 0;
}

static int rekey_build(struct ike_initiator *ini, struct ike_message *req)
{
        struct ini_child_rekey *k = &ini->crk;
        struct ike_chain *c = &req->inner;
        uint8_t spi[4];
        int r;

        if (!k->active) {
                if (!ini->child_installed)
                        return -ENOENT;
                bytes_free_secret(&k->ni);
                bytes_free(&k->peer_min_nonce);
                crypto_dh_free(k->dh);
                *k = (struct ini_child_rekey){.active = true,
                                              .old_spi_in = ini->child_spi_in,
                                              .old_spi_out = ini->child_spi_out,
                                              .dh_group = pfs_group(ini)};
                r = new_spi(ini, &k->new_spi_in);
                if (r == 0)
                        r = ini_random_nonce(ini, &k->ni);
                if (r < 0)
                        return r;
        }
        if (k->dh_group && !k->dh) {
                const struct crypto_dh_group *g = crypto_dh_lookup(k->dh_group);

                if (!g)
                        return -ENOTSUP;
                r = crypto_dh_new(g, &ini->rng, &k->dh);
                if (r < 0)
                        return r;
        }
        ini_put_be32(spi, k->old_spi_in);
        /* 3.10.1: REKEY_SA names the SA by the SPI we receive with. */
        r = ike_chain_add_notify(c, IKEV2_PROTO_ESP, IKEV2_N_REKEY_SA, SLICE(spi, 4),
                                 SLICE(NULL, 0));
        ini_put_be32(spi, k->new_spi_in);
        if (r == 0)
                r = ini_add_sa_payload(c, &ini->esp_props, IKEV2_PROTO_ESP, spi, 4,
                                       k->dh_group == 0);
        if (r == 0)
                r = ike_chain_add_nonce(c, SLICE_OF(k->ni));
        if (r == 0 && k->dh)
                r = ike_chain_add_ke(c, k->dh_group, crypto_dh_public(k->dh));
        if (r == 0)
                r = add_ts(c, IKEV2_PAYLOAD_TSi, ini->child.ts_i, ini->child.n_ts_i);
        if (r == 0)
                r = add_ts(c, IKEV2_PAYLOAD_TSr, ini->child.ts_r, ini->child.n_ts_r);
        if (r == 0)
                ini_log(ini, IKE_LOG_INFO, "rekeying CHILD SA %08x_i%s", k->old_spi_in,
                        k->dh ? " with PFS" : "");
        return r;
}

static void rekey_end(struct ike_initiator *ini)
{
        crypto_dh_free(ini->crk.dh);
        ini->crk.dh = NULL;
        ini->crk.active = false;
}

/* The gateway would not rekey now: try again in a while (2.25). */
static enum ini_task_result rekey_later(struct ike_initiator *ini, const char *why)
{
        uint64_t wait = 10000u + ini_random_below(ini, 20000u);

        ini_log(ini, IKE_LOG_WARNING, "CHILD SA rekey refused (%s): retrying in %llu s", why,
                (unsigned long long)(wait / 1000));
        rekey_end(ini);
        ini->child_rekey_at = ini->now + wait;
        return INI_TASK_DONE;
}

static enum ini_task_result rekey_process(struct ike_initiator *ini, const struct ike_message *resp)
{
        struct ini_child_rekey *k = &ini->crk;
        const struct ike_chain *c = ike_message_payloads(resp);
        const struct ike_notify *n = ike_chain_find_error_notify(c);
        const struct ike_payload *sa_p, *nonce_p, *ke_p;
        struct bytes gir = {0};
        struct crypto_suite suite;
        struct ini_chosen cho;
        char why[256];
        bool we_lose = false;
        uint32_t spi_out;
        struct slice ours_min;
        int r;

        if (n) {
                if (n->type == IKEV2_N_INVALID_KE_PAYLOAD && k->ke_rounds++ == 0 &&
                    n->data.len == 2) {
                        uint16_t g = (uint16_t)(n->data.ptr[0] << 8 | n->data.ptr[1]);

                        if (crypto_dh_lookup(g)) {
                                crypto_dh_free(k->dh);
                                k->dh = NULL;
                                k->dh_group = g;
                                return INI_TASK_AGAIN;
                        }
                }
                if (n->type == IKEV2_N_TEMPORARY_FAILURE || n->type == IKEV2_N_NO_ADDITIONAL_SAS)
                        return rekey_later(ini, ikev2_notify_name(n->type, IKEV2_NAME_TMP));
                if (n->type == IKEV2_N_CHILD_SA_NOT_FOUND) {
                        /* 2.25: it deleted the SA meanwhile; its DELETE tells. */
                        rekey_end(ini);
                        return INI_TASK_DONE;
                }
                rekey_end(ini);
                return ini_fail_notify(ini, n, "CREATE_CHILD_SA (CHILD SA rekey)");
        }
        sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        nonce_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        if (!sa_p || !nonce_p) {
                rekey_end(ini);
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "CHILD SA rekey: the answer lacks %s",
                                !sa_p ? "the SA payload" : "the nonce");
        }
        if (ini_check_chosen(&sa_p->u.sa, &ini->esp_props, IKEV2_PROTO_ESP, k->dh_group == 0,
                             &cho, why, sizeof(why)) < 0) {
                rekey_end(ini);
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, IKEV2_N_NO_PROPOSAL_CHOSEN,
                                "CHILD SA rekey: invalid choice of the gateway: %s", why);
        }
        if (k->dh && (!cho.has_dh || cho.dh != k->dh_group || !ke_p ||
                      ke_p->u.ke.group != k->dh_group)) {
                rekey_end(ini);
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, IKEV2_N_INVALID_KE_PAYLOAD,
                                "CHILD SA rekey: we asked for PFS with %s, the gateway's "
                                "answer does not match",
                                ikev2_dh_name(k->dh_group, IKEV2_NAME_TMP));
        }
        if (k->dh) {
                const char *w = NULL;

                r = crypto_dh_compute(k->dh, ke_p->u.ke.data, &gir, &w);
                if (r < 0) {
                        rekey_end(ini);
                        return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                        "CHILD SA rekey: the gateway's KE: %s",
                                        w ? w : "invalid");
                }
        }
        r = crypto_suite_lookup(cho.encr, cho.encr_bits, cho.integ, 0, &suite, NULL);
        if (r < 0) {
                bytes_free_secret(&gir);
                rekey_end(ini);
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, 0,
                                "CHILD SA rekey: unusable algorithms");
        }
        spi_out = ini_get_be32(cho.spi);
        /* 2.8.1: both ends rekeyed the old SA; the lowest nonce loses. */
        ours_min = min_nonce(SLICE_OF(k->ni), nonce_p->u.nonce);
        if (k->collided)
                we_lose = ini_nonce_cmp(ours_min, SLICE_OF(k->peer_min_nonce)) < 0;
        r = ini_child_install(ini, &suite, &cho, k->new_spi_in, spi_out, SLICE_OF(gir),
                              SLICE_OF(k->ni), nonce_p->u.nonce, true);
        bytes_free_secret(&gir);
        if (r == 0 && we_lose)
                r = install_inbound_only(ini);
        if (r < 0) {
                rekey_end(ini);
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "CHILD SA rekey: %s", strerror(-r));
        }
        if (we_lose) {
                ini_log(ini, IKE_LOG_INFO,
                        "CHILD SA rekey collision: ours (%08x_i) has the lowest nonce and is "
                        "redundant; deleting it, keeping the gateway's %08x_i",
                        k->new_spi_in, k->peer_spi_in);
                ini_child_keep_old(ini, k->new_spi_in, spi_out, true);
                /* The winner (the gateway) deletes the old SA. */
        } else {
                struct ini_child_ref *o;

                ini_log(ini, IKE_LOG_INFO, "CHILD SA rekeyed: %08x_i %08x_o replaces %08x_i",
                        k->new_spi_in, spi_out, k->old_spi_in);
                if (k->collided) {
                        /* The gateway's SA is redundant: it deletes it. */
                        ini_log(ini, IKE_LOG_INFO,
                                "CHILD SA rekey collision: the gateway's %08x_i has the lowest "
                                "nonce and is redundant",
                                k->peer_spi_in);
                        ini_child_keep_old(ini, k->peer_spi_in, k->peer_spi_out, false);
                }
                make_current(ini, k->new_spi_in, spi_out, &cho);
                /* The winner deletes the old SA. */
                o = find_old_out(ini, k->old_spi_out);
                if (o) {
                        o->deleting = true;
                        (void)ini_task_queue(ini, &ini_task_child_delete);
                } else {
                        ini_child_keep_old(ini, k->old_spi_in, k->old_spi_out, true);
                }
        }
        rekey_end(ini);
        k->collided = false;
        k->ke_rounds = 0;
        bytes_free_secret(&k->ni);
        bytes_free(&k->peer_min_nonce);
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_child_rekey = {
        .name = "CREATE_CHILD_SA (CHILD SA rekey)",
        .exchange = IKEV2_EXCHANGE_CREATE_CHILD_SA,
        .build = rekey_build,
        .process = rekey_process,
};

/* ------------------------------------------------------------------ deleting old SAs */

static int delete_build(struct ike_initiator *ini, struct ike_message *req)
{
        uint8_t spis[4 * INI_MAX_CHILDREN];
        size_t n = 0;

        for (size_t i = 0; i < INI_MAX_CHILDREN; i++)
                if (ini->children[i].used && ini->children[i].deleting)
                        ini_put_be32(spis + 4 * n++, ini->children[i].spi_in);
        if (n == 0)
                /* Deleted by the gateway meanwhile: an empty INFORMATIONAL
                 * costs one round trip and keeps the task simple. */
                return 0;
        return ike_chain_add_delete(&req->inner, IKEV2_PROTO_ESP, 4, (uint16_t)n,
                                    SLICE(spis, 4 * n));
}

static enum ini_task_result delete_process(struct ike_initiator *ini,
                                           const struct ike_message *resp)
{
        (void)resp;
        /* 1.4.1: the answer carries its SPIs of the same SAs; whatever it
         * says, they are gone on both sides now. */
        for (size_t i = 0; i < INI_MAX_CHILDREN; i++) {
                struct ini_child_ref *o = &ini->children[i];

                if (!o->used || !o->deleting)
                        continue;
                ini_log(ini, IKE_LOG_INFO, "old CHILD SA %08x_i deleted", o->spi_in);
                ini_emit_remove(ini, o->spi_in, o->spi_out);
                *o = (struct ini_child_ref){0};
        }
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_child_delete = {
        .name = "INFORMATIONAL (DELETE CHILD SA)",
        .exchange = IKEV2_EXCHANGE_INFORMATIONAL,
        .build = delete_build,
        .process = delete_process,
};

/* ------------------------------------------------------------------ the gateway's rekey */

static void refuse(struct ike_message *resp, uint16_t type, struct slice data)
{
        (void)ike_chain_add_notify(&resp->inner, 0, type, SLICE(NULL, 0), data);
}

void ini_child_respond(struct ike_initiator *ini, const struct ike_message *req,
                       struct ike_message *resp)
{
        const struct ike_chain *c = ike_message_payloads(req);
        const struct ike_notify *rekey = ike_chain_find_notify(c, IKEV2_N_REKEY_SA);
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *nonce_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        const struct ike_payload *ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        const struct ike_payload *tsi_p = ike_chain_find(c, IKEV2_PAYLOAD_TSi, 0);
        const struct ike_payload *tsr_p = ike_chain_find(c, IKEV2_PAYLOAD_TSr, 0);
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        struct bytes nr = {0}, gir = {0};
        struct crypto_suite suite;
        struct ini_chosen cho;
        struct ini_child_ref *old = NULL;
        uint32_t target, spi_in, old_in, old_out;
        bool current;
        struct slice peer_min;
        uint8_t spi[4];
        int r;

        if (sa_p && sa_p->u.sa.n_proposals && sa_p->u.sa.proposals[0].protocol == IKEV2_PROTO_IKE) {
                ini_ike_rekey_respond(ini, req, resp);
                return;
        }
        if (!rekey || rekey->protocol != IKEV2_PROTO_ESP || rekey->spi.len != 4) {
                /* Another CHILD SA: a remote-access client has one. */
                ini_log(ini, IKE_LOG_WARNING,
                        "the gateway wants an additional CHILD SA: refused (NO_ADDITIONAL_SAS)");
                refuse(resp, IKEV2_N_NO_ADDITIONAL_SAS, SLICE(NULL, 0));
                return;
        }
        if (!sa_p || !nonce_p || !tsi_p || !tsr_p) {
                refuse(resp, IKEV2_N_INVALID_SYNTAX, SLICE(NULL, 0));
                return;
        }
        target = ini_get_be32(rekey->spi.ptr); /* its inbound = our outbound */
        current = ini->child_installed && target == ini->child_spi_out;
        if (!current && (old = find_old_out(ini, target))) {
                /* 2.25.1: an SA we rekeyed already and are closing (or the
                 * gateway is closing): not now. */
                refuse(resp, IKEV2_N_TEMPORARY_FAILURE, SLICE(NULL, 0));
                return;
        }
        if (!current) {
                ini_put_be32(spi, target);
                ini_log(ini, IKE_LOG_INFO, "the gateway rekeys CHILD SA %08x_o we do not have",
                        target);
                (void)ike_chain_add_notify(&resp->inner, IKEV2_PROTO_ESP,
                                           IKEV2_N_CHILD_SA_NOT_FOUND, SLICE(spi, 4),
                                           SLICE(NULL, 0));
                return;
        }
        if (ini_choose_proposal(&sa_p->u.sa, &ini->esp_props, IKEV2_PROTO_ESP, ke_p != NULL,
                                &cho) < 0) {
                char theirs[512];

                ini_format_sa_payload(&sa_p->u.sa, theirs, sizeof(theirs));
                ini_log(ini, IKE_LOG_WARNING,
                        "the gateway's CHILD SA rekey proposals (%s) match none of ours: "
                        "NO_PROPOSAL_CHOSEN",
                        theirs);
                refuse(resp, IKEV2_N_NO_PROPOSAL_CHOSEN, SLICE(NULL, 0));
                return;
        }
        if (cho.has_dh) {
                const struct crypto_dh_group *g = crypto_dh_lookup(cho.dh);
                const char *w = NULL;

                if (ke_p->u.ke.group != cho.dh) {
                        uint8_t grp[2] = {(uint8_t)(cho.dh >> 8), (uint8_t)cho.dh};

                        refuse(resp, IKEV2_N_INVALID_KE_PAYLOAD, SLICE(grp, 2));
                        return;
                }
                r = g ? crypto_dh_new(g, &ini->rng, &dh) : -ENOTSUP;
                if (r == 0)
                        r = crypto_dh_compute(dh, ke_p->u.ke.data, &gir, &w);
                if (r < 0) {
                        refuse(resp, IKEV2_N_INVALID_SYNTAX, SLICE(NULL, 0));
                        return;
                }
        }
        if (crypto_suite_lookup(cho.encr, cho.encr_bits, cho.integ, 0, &suite, NULL) < 0 ||
            new_spi(ini, &spi_in) < 0 || ini_random_nonce(ini, &nr) < 0) {
                bytes_free_secret(&gir);
                refuse(resp, IKEV2_N_NO_PROPOSAL_CHOSEN, SLICE(NULL, 0));
                return;
        }
        ini_put_be32(spi, spi_in);
        r = ini_add_chosen_sa(&resp->inner, &cho, IKEV2_PROTO_ESP, spi, 4);
        if (r == 0)
                r = ike_chain_add_nonce(&resp->inner, SLICE_OF(nr));
        if (r == 0 && dh)
                r = ike_chain_add_ke(&resp->inner, cho.dh, crypto_dh_public(dh));
        if (r == 0)
                r = ike_chain_add_ts(&resp->inner, IKEV2_PAYLOAD_TSi, tsi_p->u.ts.sel,
                                     tsi_p->u.ts.n);
        if (r == 0)
                r = ike_chain_add_ts(&resp->inner, IKEV2_PAYLOAD_TSr, tsr_p->u.ts.sel,
                                     tsr_p->u.ts.n);
        peer_min = min_nonce(nonce_p->u.nonce, SLICE_OF(nr));
        old_in = ini->child_spi_in;
        old_out = target;
        if (r == 0)
                r = ini_child_install(ini, &suite, &cho, spi_in, ini_get_be32(cho.spi),
                                      SLICE_OF(gir), nonce_p->u.nonce, SLICE_OF(nr), false);
        bytes_free_secret(&gir);
        if (r == 0 && current && ini->crk.active && ini->crk.old_spi_out == target) {
                /* Kept before nr goes: peer_min may point into it. */
                bytes_free(&ini->crk.peer_min_nonce);
                r = bytes_dup(&ini->crk.peer_min_nonce, peer_min);
        }
        bytes_free_secret(&nr);
        if (r < 0) {
                ike_chain_clear(&resp->inner);
                refuse(resp, IKEV2_N_NO_PROPOSAL_CHOSEN, SLICE(NULL, 0));
                return;
        }
        if (current && ini->crk.active && ini->crk.old_spi_out == target) {
                /* 2.8.1: ours is in flight; decided when its answer comes. */
                ini->crk.collided = true;
                ini->crk.peer_spi_in = spi_in;
                ini->crk.peer_spi_out = ini_get_be32(cho.spi);
                ini_log(ini, IKE_LOG_INFO,
                        "the gateway rekeys CHILD SA %08x_i while we do (collision): answered "
                        "with %08x_i",
                        ini->child_spi_in, spi_in);
                ini_child_keep_old(ini, old_in, old_out, false);
                make_current(ini, spi_in, ini_get_be32(cho.spi), &cho);
                return;
        }
        ini_log(ini, IKE_LOG_INFO, "the gateway rekeyed CHILD SA %08x_i: now %08x_i %08x_o%s",
                old_in, spi_in, ini_get_be32(cho.spi), cho.has_dh ? " (PFS)" : "");
        /* The gateway deletes the old SA (it started the rekey); we send on
         * the old one until then (RFC 7296 2.8), or for 10 s at most. */
        ini_child_keep_old(ini, old_in, old_out, false);
        make_current(ini, spi_in, ini_get_be32(cho.spi), &cho);
        if (install_inbound_only(ini) == 0)
                ini->child_out_at = ini->now + 10000;
        else
                ini->child_out_at = UINT64_MAX;
}
