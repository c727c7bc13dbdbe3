/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks on the inner packet that came out of an inbound SA (RFC 4301 5.2):
 * it is a consistent IPv4 or IPv6 packet, addressed to our virtual IP, from
 * inside the traffic selectors the gateway negotiated.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "esp.h"

/* pkt holds len bytes that decrypted to a packet claiming version nh (4 or
 * 41 as next header). Returns ESP_DROP_NONE and the IP header's length (<= len;
 * the rest is TFC padding, RFC 4303 2.4) in *ret_len, or why it is dropped. */
enum esp_drop esp_inner_check(const struct esp_inner_policy *pol, uint8_t nh, const uint8_t *pkt,
                              size_t len, size_t *ret_len);

/* True when the address (4 or 16 bytes, network order), protocol and port are
 * inside ts. */
bool esp_ts_match(const struct esp_ts *ts, uint8_t family, const uint8_t *addr, uint8_t proto,
                  uint16_t port);
