/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small rtnetlink client over libmnl: one request at a time, every request
 * acknowledged (NLM_F_ACK), errors carried with the kernel's errno and, when
 * the kernel sends one, its extended ack message (NETLINK_EXT_ACK).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct nl;

/* Opens a NETLINK_ROUTE socket (SOCK_CLOEXEC) with extended acks and capped
 * acks. groups: RTMGRP_* bits to listen to (0 for a request socket). */
int nl_open(unsigned groups, struct nl **ret);
void nl_close(struct nl *nl);
int nl_fd(const struct nl *nl);

/* A zeroed request buffer with a header of the given type and flags
 * (NLM_F_REQUEST | NLM_F_ACK are added) and the next sequence number. */
struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags);

/* Sends the message built in nl_msg() and waits for its acknowledgement.
 * Returns 0 or -errno; on error *ret_extack (may be NULL) gets the kernel's
 * message (malloc'd) or NULL when it sent none. */
int nl_call(struct nl *nl, char **ret_extack);

/* Sends a dump request built in nl_msg() (NLM_F_DUMP) and calls cb for each
 * message until NLMSG_DONE. cb returns MNL_CB_OK, MNL_CB_STOP or MNL_CB_ERROR
 * (with errno set). */
int nl_dump(struct nl *nl, mnl_cb_t cb, void *data, char **ret_extack);

/* Reads whatever notifications are queued (non-blocking) and calls cb for
 * each. Returns 0, -EAGAIN when nothing was there, -ENOBUFS when the kernel
 * dropped some (the caller must resynchronise), or -errno. */
int nl_read_events(struct nl *nl, mnl_cb_t cb, void *data);
