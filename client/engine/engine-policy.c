/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the profile asks of the CHILD SAs beyond the proposals as written:
 * byte and packet lifetimes for the datapath's SAs (the datapath raises
 * ESP_EVENT_SOFT_LIFETIME at the soft limit and the engine rekeys), and
 * extended sequence numbers offered first (RFC 4303 2.2.1). Pure functions
 * of the profile, so that tests/unit/test-engine-policy.c can check them.
 */
#include <string.h>

#include "client/engine/engine-internal.h"
#include "client/ike/ikev2.h"

/* The hard limit a tenth above the soft one (strongSwan's life_bytes are
 * rekey_bytes plus a margin likewise): a rekey that is late does not cut
 * the tunnel at once. */
static uint64_t hard_of(uint64_t soft)
{
        return soft > UINT64_MAX - soft / 10 ? UINT64_MAX : soft + soft / 10;
}

void engine_child_limits(const struct profile *p, struct esp_lifetime *ret_soft,
                         struct esp_lifetime *ret_hard)
{
        ret_soft->bytes = p->child_lifetime_bytes;
        ret_soft->packets = p->child_lifetime_packets;
        ret_hard->bytes = p->child_lifetime_bytes ? hard_of(p->child_lifetime_bytes) : 0;
        ret_hard->packets = p->child_lifetime_packets ? hard_of(p->child_lifetime_packets) : 0;
}

void engine_esp_proposals(const struct profile *p, struct proposal_list *ret)
{
        *ret = p->esp;
        if (!p->esn)
                return;
        /* ESN first, without as the fallback (a gateway that cannot do ESN
         * still agrees). A proposal that offers ESN already (its own `esn`)
         * stays as it is; the parser gives the others "no ESN" alone, which
         * is what this widens. */
        for (size_t i = 0; i < ret->n; i++) {
                struct proposal *q = &ret->p[i];

                if (q->protocol != IKEV2_PROTO_ESP || q->n_esn != 1 || q->esn[0] != IKEV2_ESN_NO)
                        continue;
                q->esn[0] = IKEV2_ESN_YES;
                q->esn[1] = IKEV2_ESN_NO;
                q->n_esn = 2;
        }
}
