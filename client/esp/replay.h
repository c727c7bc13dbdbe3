/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The anti-replay window of an inbound ESP SA (RFC 4303 3.4.3, appendix A).
 *
 * The bitmap follows RFC 6479: ESP_REPLAY_BLOCKS words of 64 bits used as a
 * ring, so that sliding the window forward clears whole words instead of
 * shifting the bitmap. One word is always "ahead" of the window, which leaves
 * ESP_REPLAY_WINDOW = (ESP_REPLAY_BLOCKS - 1) * 64 usable positions.
 *
 * Receiving is two steps, so that a forged packet cannot move the window:
 *   esp_replay_check()  before the ICV check: infers the full sequence number
 *                       (ESN: RFC 4303 A2.1) and rejects duplicates/old ones;
 *   esp_replay_update() after the ICV verified: marks the number as seen.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define ESP_REPLAY_BLOCKS 32u
#define ESP_REPLAY_WINDOW ((ESP_REPLAY_BLOCKS - 1u) * 64u) /* 1984 packets */

struct esp_replay {
        uint64_t top; /* highest authenticated sequence number, 0 = none yet */
        bool esn;
        uint64_t bitmap[ESP_REPLAY_BLOCKS];
};

void esp_replay_init(struct esp_replay *r, bool esn);

/* Returns 0 and the full 64-bit sequence number in *ret_seq when seq_lo may be
 * new; -EINVAL for sequence number 0 (never sent, RFC 4303 3.3.3), -ESTALE
 * when left of the window, -EEXIST for a duplicate. Does not change r. */
int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *ret_seq);

/* Marks seq (as returned by esp_replay_check) as received, sliding the
 * window when seq is new and highest. Re-checks, so it returns -EEXIST or
 * -ESTALE when another packet with the same number won the race. */
int esp_replay_update(struct esp_replay *r, uint64_t seq);
