/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Staying connected: the timers of an established IKE SA (dead peer
 * detection, RFC 7296 2.4; CHILD and IKE SA rekeying, 2.8 and 2.18, with
 * jitter so that both ends do not rekey at the same instant; RFC 4478
 * re-authentication) and the calls a driver makes about them.
 *
 * Rekey times follow strongSwan's scheme: a rekey time, a (hard) lifetime
 * above it, and a random jitter of up to a tenth of the margin between the
 * two subtracted from the rekey time.
 */
#include <errno.h>
#include <string.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

uint64_t ini_random_below(struct ike_initiator *ini, uint64_t n)
{
        uint64_t v = 0;

        if (n <= 1)
                return 0;
        if (tsu_rng_fill(&ini->rng, (uint8_t *)&v, sizeof(v)) < 0)
                return 0;
        return v % n; /* the bias is irrelevant for a timer's jitter */
}

static uint64_t rekey_deadline(struct ike_initiator *ini, uint32_t rekey_s, uint32_t lifetime_s)
{
        uint64_t at, jitter_ms;

        if (!rekey_s)
                return UINT64_MAX;
        at = ini->now + (uint64_t)rekey_s * 1000u;
        jitter_ms = lifetime_s > rekey_s ? (uint64_t)(lifetime_s - rekey_s) * 100u : 0;
        return at - ini_random_below(ini, jitter_ms + 1);
}

void ini_schedule_child_rekey(struct ike_initiator *ini)
{
        ini->child_rekey_at = rekey_deadline(ini, ini->child_rekey_s, ini->child_lifetime_s);
}

void ini_schedule_ike(struct ike_initiator *ini)
{
        ini->ike_since = ini->now;
        ini->ike_rekey_at = rekey_deadline(ini, ini->ike_rekey_s, ini->ike_lifetime_s);
        if (!ini->established_once) {
                ini->established_once = true;
                ini->last_rx = ini->now;
                if (ini->reauth_s)
                        ini->reauth_at = ini->now + (uint64_t)ini->reauth_s * 1000u;
        }
}

void ike_initiator_alive(struct ike_initiator *ini, uint64_t rx_ms)
{
        if (!ini)
                return;
        if (rx_ms > ini->last_rx)
                ini->last_rx = rx_ms;
}

int ike_initiator_rekey_child(struct ike_initiator *ini, uint32_t spi, uint64_t now_ms)
{
        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (ini->state != IKE_STATE_ESTABLISHED || !ini->child_installed)
                return -EINVAL;
        if (spi != ini->child_spi_in && spi != ini->child_spi_out)
                return -ENOENT;
        if (ini->crk.active || ini_task_pending(ini, &ini_task_child_rekey))
                return 0;
        ini_log(ini, IKE_LOG_INFO, "CHILD SA %08x reached a soft limit: rekeying", spi);
        ini->child_rekey_at = UINT64_MAX;
        (void)ini_task_queue(ini, &ini_task_child_rekey);
        ini_run_tasks(ini);
        return 0;
}

int ike_initiator_rekey_ike(struct ike_initiator *ini, uint64_t now_ms)
{
        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (ini->state != IKE_STATE_ESTABLISHED)
                return -EINVAL;
        ini->ike_rekey_at = UINT64_MAX;
        (void)ini_task_queue(ini, &ini_task_ike_rekey);
        ini_run_tasks(ini);
        return 0;
}

int ike_initiator_update_addresses(struct ike_initiator *ini, const struct ike_addr *local,
                                   uint64_t now_ms)
{
        if (!ini || !local || (local->family != 4 && local->family != 6))
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (ini->state != IKE_STATE_ESTABLISHED)
                return -EINVAL;
        if (!ini->mobike || !ini->peer_mobike)
                return -EOPNOTSUPP;
        if (local->family != ini->remote.family)
                return -EAFNOSUPPORT;
        ini->local = *local;
        ini->natd_recheck = true;
        /* A request in flight goes on from the new address by itself (same
         * bytes, RFC 4555 3.5); the update follows it. */
        (void)ini_task_queue(ini, &ini_task_mobike);
        ini_run_tasks(ini);
        return 0;
}

int ike_initiator_abandon(struct ike_initiator *ini, uint64_t now_ms)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;

        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (ini->state == IKE_STATE_CLOSED)
                return -EALREADY;
        /* The DELETE goes out under the next message ID even when a request
         * is in flight (it is never answered then, and we do not wait). */
        if (ini->have_keys && ike_message_new(&m) == 0 &&
            ike_chain_add_delete(&m->inner, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0)) == 0) {
                if (ini->req.active)
                        ini->next_msgid = ini->req.msgid + 1;
                (void)ini_send_oneshot(ini, IKEV2_EXCHANGE_INFORMATIONAL, m);
        }
        ini_log(ini, IKE_LOG_INFO, "leaving the IKE SA (%s) to make a new one",
                ike_state_name(ini->state));
        ini_close(ini);
        return 0;
}
