/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kill switch: one nftables table, inet tsunagu, replaced atomically in
 * one libnftables transaction, that lets through only
 *
 *   loopback; the TUN device (by name, so it survives re-creation);
 *   UDP from the marked socket to the gateway on 500, 4500 (and the
 *   configured port) and the answers;
 *   DHCP (67/68), DHCPv6 (546/547) and neighbour discovery on the local link
 *   (ARP is not in the inet family and always passes);
 *   the private ranges when the profile allows the LAN;
 *
 * and drops, counting into named counters, everything else leaving, arriving
 * or being forwarded. Its record (a small file "killswitch" in the state
 * directory) is written before the table and says whether it is always-on.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "platform/linux/platform.h"

#define KILLSWITCH_RECORD "killswitch"

/* The nft script that creates (or atomically replaces) the table. */
char *killswitch_ruleset(const struct platform_config *cfg);

/* Writes the record, then applies the ruleset. */
int killswitch_apply(const struct platform_config *cfg, GError **error);
/* Deletes the table (gone is fine), then the record. */
int killswitch_remove(const char *state_dir, GError **error);
/* Reads the record: does a kill switch exist, is it always-on? */
bool killswitch_recorded(const char *state_dir, bool *ret_always_on);

/* Runs an nft script through libnftables; error text from nft on failure. */
int nft_run(const char *script, char **ret_output, GError **error);
