/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "replay.h"

#include <errno.h>
#include <string.h>

#define BLOCK_BITS 64u
#define BLOCK_MASK (ESP_REPLAY_BLOCKS - 1u)

_Static_assert((ESP_REPLAY_BLOCKS & (ESP_REPLAY_BLOCKS - 1u)) == 0, "blocks must be a power of 2");
_Static_assert(ESP_REPLAY_WINDOW >= 1024, "RFC 4303 3.4.3: we promise at least 1024");

void esp_replay_init(struct esp_replay *r, bool esn)
{
        memset(r, 0, sizeof(*r));
        r->esn = esn;
}

/* RFC 4303 A2.1: the receiver keeps the high-order 32 bits implicitly and
 * infers them for each packet from where its low-order bits fall relative to
 * the window [top - W + 1, top]. */
static int infer_esn(const struct esp_replay *r, uint32_t seq_lo, uint64_t *ret_seq)
{
        const uint32_t w = ESP_REPLAY_WINDOW;
        uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
        uint32_t bottom = tl - w + 1u; /* modulo 2^32 on purpose */
        uint64_t seqh;

        if (tl >= w - 1u) {
                /* Case A: the window lies inside one 2^32 subspace. */
                seqh = seq_lo >= bottom ? th : (uint64_t)th + 1u;
        } else {
                /* Case B: the window spans two subspaces. */
                if (seq_lo >= bottom) {
                        if (th == 0)
                                return -ESTALE; /* would be before sequence 1 */
                        seqh = th - 1u;
                } else
                        seqh = th;
        }
        if (seqh > UINT32_MAX)
                return -ERANGE; /* the 64-bit space is exhausted */
        *ret_seq = (seqh << 32) | seq_lo;
        return 0;
}

static int check_full(const struct esp_replay *r, uint64_t seq)
{
        uint64_t bit;

        if (seq == 0)
                return -EINVAL;
        if (seq > r->top)
                return 0;
        if (r->top - seq >= ESP_REPLAY_WINDOW)
                return -ESTALE;
        bit = seq % BLOCK_BITS;
        if (r->bitmap[(seq / BLOCK_BITS) & BLOCK_MASK] & (UINT64_C(1) << bit))
                return -EEXIST;
        return 0;
}

int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *ret_seq)
{
        uint64_t seq = seq_lo;
        int rc;

        if (r->esn) {
                rc = infer_esn(r, seq_lo, &seq);
                if (rc < 0)
                        return rc;
        }
        rc = check_full(r, seq);
        if (rc < 0)
                return rc;
        *ret_seq = seq;
        return 0;
}

int esp_replay_update(struct esp_replay *r, uint64_t seq)
{
        uint64_t idx;
        int rc;

        rc = check_full(r, seq);
        if (rc < 0)
                return rc;
        idx = seq / BLOCK_BITS;
        if (seq > r->top) {
                uint64_t top_idx = r->top / BLOCK_BITS;
                uint64_t diff = idx - top_idx;

                /* RFC 6479: clear the words the window slides over. */
                if (diff > ESP_REPLAY_BLOCKS)
                        diff = ESP_REPLAY_BLOCKS;
                for (uint64_t i = 1; i <= diff; i++)
                        r->bitmap[(top_idx + i) & BLOCK_MASK] = 0;
                r->top = seq;
        }
        r->bitmap[idx & BLOCK_MASK] |= UINT64_C(1) << (seq % BLOCK_BITS);
        return 0;
}
