/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Links, addresses, routes and policy rules over rtnetlink: each journal
 * operation of plan.h done and undone. Undo treats "already gone" (ENOENT,
 * ESRCH, ENODEV, EADDRNOTAVAIL) as success.
 */
#pragma once

#include <glib.h>

#include "platform/linux/nl.h"
#include "platform/linux/plan.h"

/* Reads a link's MTU and whether it is up. */
int netconf_link_get(struct nl *nl, int ifindex, uint32_t *ret_mtu, bool *ret_up,
                     GError **error);
/* Sets the MTU (0: leave it) and brings the link up or down. */
int netconf_link_set(struct nl *nl, int ifindex, uint32_t mtu, bool up, GError **error);

/* Does op (OP_LINK is not handled here: see netconf_link_set). */
int netconf_do(struct nl *nl, const struct op *op, GError **error);
/* Undoes op; something already gone is success. */
int netconf_undo(struct nl *nl, const struct op *op, GError **error);

/* rpfilter.c: reverse-path filtering against a full tunnel. loosen: 1 and
 * *ret (OP_RP_FILTER, to journal before rpfilter_set_loose()) when
 * net.ipv4.conf.all.rp_filter must go to 2 because "all" or an interface
 * filters strictly; 0 when nothing needs doing; or -errno. restore puts the
 * old value back unless the setting is no longer ours (not 2). */
int rpfilter_loosen(struct op *ret, GError **error);
int rpfilter_set_loose(GError **error);
int rpfilter_restore(const struct op *op, GError **error);

/* Deletes every TUN device whose name starts with prefix; returns how many. */
int netconf_delete_tun_devices(struct nl *nl, const char *prefix, GError **error);
