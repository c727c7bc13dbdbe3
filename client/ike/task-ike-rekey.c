/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rekeying the IKE SA (RFC 7296 1.3.2, 2.18), both ways:
 *
 *   HDR, SK {SA, Ni, KEi}  -->       (the SA's proposal carries the new SPI)
 *                     <--  HDR, SK {SA, Nr, KEr}
 *
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 *   {SK_d | SK_ai | ...} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *
 * The side that starts the rekey is the initiator of the new IKE SA (its
 * SPI is SPIi, its nonce Ni): after the gateway rekeys, we are the
 * responder of the new SA and our messages lose the I flag. The CHILD SA
 * moves over as it is; message IDs start again at 0; the side that
 * rekeyed deletes the old SA.
 *
 * The algorithms stay those of the SA being rekeyed: we offer exactly them
 * and accept only them. This also sidesteps the question of which PRF
 * keys prf+ when a rekey changes the PRF (RFC 7296 2.18 says the new one;
 * strongSwan's key log shows the old one, see tests/vectors/ike/README.md):
 * with one PRF both readings agree.
 *
 * Collisions (2.8.2): while a request of ours is in flight, the gateway's
 * IKE SA rekey is answered TEMPORARY_FAILURE (2.25 allows it; the gateway
 * tries again later) instead of running both and deleting the loser, so
 * that one SA switch happens at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

void ini_ike_rekey_free(struct ike_initiator *ini)
{
        struct ini_ike_rekey *k = &ini->irk;

        bytes_free_secret(&k->ni);
        crypto_dh_free(k->dh);
        ike_keys_wipe(&k->p_keys);
        crypto_aead_free(k->p_out);
        crypto_aead_free(k->p_in);
        secure_wipe(k, sizeof(*k));
}

/* Our current IKE algorithms as a one-proposal list. */
static void current_list(const struct ike_initiator *ini, struct proposal_list *l)
{
        struct proposal *p = &l->p[0];

        memset(l, 0, sizeof(*l));
        l->n = 1;
        l->strict = true;
        p->protocol = IKEV2_PROTO_IKE;
        p->aead = ini->ike_integ == IKEV2_INTEG_NONE;
        p->n_encr = 1;
        p->encr[0].id = ini->ike_encr;
        p->encr[0].key_bits = ini->ike_encr_bits;
        p->n_prf = 1;
        p->prf[0] = ini->ike_prf;
        if (!p->aead) {
                p->n_integ = 1;
                p->integ[0] = ini->ike_integ;
        }
        p->n_dh = 1;
        p->dh[0] = ini->ike_dh;
}

static struct ini_chosen current_chosen(const struct ike_initiator *ini)
{
        return (struct ini_chosen){
                .num = 1,
                .encr = ini->ike_encr,
                .encr_bits = ini->ike_encr_bits,
                .prf = ini->ike_prf,
                .integ = ini->ike_integ,
                .dh = ini->ike_dh,
                .has_dh = true,
        };
}

static int derive(struct ike_initiator *ini, struct slice gir, struct slice ni, struct slice nr,
                  const uint8_t spi_i[static 8], const uint8_t spi_r[static 8], bool initiator,
                  struct ike_keys *ret_keys, struct crypto_aead **ret_out,
                  struct crypto_aead **ret_in)
{
        int r = ike_keys_derive_rekey(ini->prf, SLICE_OF(ini->keys.sk_d), ini->prf, &ini->suite,
                                      ni, nr, spi_i, spi_r, gir, ret_keys);

        if (r == 0)
                r = ike_keys_sk_contexts(ret_keys, &ini->suite, initiator, ret_out, ret_in);
        if (r < 0)
                ike_keys_wipe(ret_keys);
        return r;
}

/* ------------------------------------------------------------------ ours */

static int rekey_build(struct ike_initiator *ini, struct ike_message *req)
{
        struct ini_ike_rekey *k = &ini->irk;
        struct ini_chosen cho = current_chosen(ini);
        const struct crypto_dh_group *g = crypto_dh_lookup(ini->ike_dh);
        int r;

        ini_ike_rekey_free(ini);
        if (!g)
                return -ENOTSUP;
        r = ini_random_nonzero(ini, k->spi, sizeof(k->spi));
        if (r == 0)
                r = ini_random_nonce(ini, &k->ni);
        if (r == 0)
                r = crypto_dh_new(g, &ini->rng, &k->dh);
        if (r == 0)
                r = ini_add_chosen_sa(&req->inner, &cho, IKEV2_PROTO_IKE, k->spi, 8);
        if (r == 0)
                r = ike_chain_add_nonce(&req->inner, SLICE_OF(k->ni));
        if (r == 0)
                r = ike_chain_add_ke(&req->inner, ini->ike_dh, crypto_dh_public(k->dh));
        if (r == 0)
                ini_log(ini, IKE_LOG_INFO, "rekeying IKE SA %016llx_i",
                        (unsigned long long)ini_spi_u64(ini->spi_i));
        return r;
}

static enum ini_task_result later(struct ike_initiator *ini, const char *why)
{
        uint64_t wait = 10000u + ini_random_below(ini, 20000u);

        ini_log(ini, IKE_LOG_WARNING, "IKE SA rekey did not happen (%s): retrying in %llu s", why,
                (unsigned long long)(wait / 1000));
        ini_ike_rekey_free(ini);
        ini->ike_rekey_at = ini->now + wait;
        return INI_TASK_DONE;
}

static enum ini_task_result rekey_process(struct ike_initiator *ini, const struct ike_message *resp)
{
        struct ini_ike_rekey *k = &ini->irk;
        const struct ike_chain *c = ike_message_payloads(resp);
        const struct ike_notify *n = ike_chain_find_error_notify(c);
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *nonce_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        const struct ike_payload *ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        struct crypto_aead *out = NULL, *in = NULL;
        struct ike_keys keys = {0};
        struct proposal_list cur;
        struct ini_chosen cho;
        struct bytes gir = {0};
        const char *w = NULL;
        int r;

        if (n)
                return later(ini, ikev2_notify_name(n->type, IKEV2_NAME_TMP));
        current_list(ini, &cur);
        if (!sa_p || !nonce_p || !ke_p || sa_p->u.sa.n_proposals != 1 ||
            ini_choose_proposal(&sa_p->u.sa, &cur, IKEV2_PROTO_IKE, true, &cho) < 0 ||
            cho.num != 1 || ke_p->u.ke.group != ini->ike_dh)
                return later(ini, "the gateway's answer is not the SA we offered");
        r = crypto_dh_compute(k->dh, ke_p->u.ke.data, &gir, &w);
        if (r < 0)
                return later(ini, w ? w : "bad KE");
        r = derive(ini, SLICE_OF(gir), SLICE_OF(k->ni), nonce_p->u.nonce, k->spi, cho.spi, true,
                   &keys, &out, &in);
        bytes_free_secret(&gir);
        if (r < 0)
                return later(ini, "key derivation failed");
        ini_switch_ike_sa(ini, k->spi, cho.spi, true, &keys, out, in, true);
        ini_ike_rekey_free(ini);
        return INI_TASK_DONE;
}

const struct ini_task_ops ini_task_ike_rekey = {
        .name = "CREATE_CHILD_SA (IKE SA rekey)",
        .exchange = IKEV2_EXCHANGE_CREATE_CHILD_SA,
        .build = rekey_build,
        .process = rekey_process,
};

/* ------------------------------------------------------------------ the gateway's */

static void refuse(struct ike_message *resp, uint16_t type, struct slice data)
{
        (void)ike_chain_add_notify(&resp->inner, 0, type, SLICE(NULL, 0), data);
}

void ini_ike_rekey_respond(struct ike_initiator *ini, const struct ike_message *req,
                           struct ike_message *resp)
{
        struct ini_ike_rekey *k = &ini->irk;
        const struct ike_chain *c = ike_message_payloads(req);
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *nonce_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        const struct ike_payload *ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        struct proposal_list cur;
        struct ini_chosen cho;
        struct bytes gir = {0}, nr = {0};
        uint8_t spi[8];
        const char *w = NULL;
        int r;

        if (ini->state != IKE_STATE_ESTABLISHED || ini->req.active || k->pending) {
                ini_log(ini, IKE_LOG_INFO,
                        "the gateway wants to rekey the IKE SA while an exchange of ours is "
                        "in flight: TEMPORARY_FAILURE (it tries again)");
                refuse(resp, IKEV2_N_TEMPORARY_FAILURE, SLICE(NULL, 0));
                return;
        }
        current_list(ini, &cur);
        if (!sa_p || !nonce_p ||
            ini_choose_proposal(&sa_p->u.sa, &cur, IKEV2_PROTO_IKE, true, &cho) < 0) {
                char theirs[512] = "";

                if (sa_p)
                        ini_format_sa_payload(&sa_p->u.sa, theirs, sizeof(theirs));
                ini_log(ini, IKE_LOG_WARNING,
                        "the gateway's IKE SA rekey proposals (%s) do not keep the current "
                        "algorithms: NO_PROPOSAL_CHOSEN",
                        theirs);
                refuse(resp, IKEV2_N_NO_PROPOSAL_CHOSEN, SLICE(NULL, 0));
                return;
        }
        if (!ke_p || ke_p->u.ke.group != cho.dh) {
                uint8_t grp[2] = {(uint8_t)(cho.dh >> 8), (uint8_t)cho.dh};

                refuse(resp, IKEV2_N_INVALID_KE_PAYLOAD, SLICE(grp, 2));
                return;
        }
        r = crypto_dh_new(crypto_dh_lookup(cho.dh), &ini->rng, &dh);
        if (r == 0)
                r = crypto_dh_compute(dh, ke_p->u.ke.data, &gir, &w);
        if (r == 0)
                r = ini_random_nonzero(ini, spi, sizeof(spi));
        if (r == 0)
                r = ini_random_nonce(ini, &nr);
        if (r == 0)
                r = ini_add_chosen_sa(&resp->inner, &cho, IKEV2_PROTO_IKE, spi, 8);
        if (r == 0)
                r = ike_chain_add_nonce(&resp->inner, SLICE_OF(nr));
        if (r == 0)
                r = ike_chain_add_ke(&resp->inner, cho.dh, crypto_dh_public(dh));
        /* The gateway made the new SA: its SPI and nonce come first. */
        if (r == 0)
                r = derive(ini, SLICE_OF(gir), nonce_p->u.nonce, SLICE_OF(nr), cho.spi, spi,
                           false, &k->p_keys, &k->p_out, &k->p_in);
        bytes_free_secret(&gir);
        bytes_free_secret(&nr);
        if (r < 0) {
                ike_chain_clear(&resp->inner);
                refuse(resp, r == -ENOMEM ? IKEV2_N_TEMPORARY_FAILURE : IKEV2_N_INVALID_SYNTAX,
                       SLICE(NULL, 0));
                return;
        }
        memcpy(k->p_spi_i, cho.spi, 8);
        memcpy(k->p_spi_r, spi, 8);
        k->pending = true;
}

void ini_ike_rekey_commit(struct ike_initiator *ini)
{
        struct ini_ike_rekey *k = &ini->irk;
        struct crypto_aead *out = k->p_out, *in = k->p_in;

        if (!k->pending)
                return;
        k->pending = false;
        k->p_out = k->p_in = NULL;
        ini_switch_ike_sa(ini, k->p_spi_i, k->p_spi_r, false, &k->p_keys, out, in, false);
        ini_ike_rekey_free(ini);
}
