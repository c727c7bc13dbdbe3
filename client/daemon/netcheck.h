/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent's check of an engine's IPC_APPLY request: every field is held
 * against its bounds and against the profile (the engine runs the network
 * parsers and may be compromised), and what passes becomes the
 * struct platform_config that platform_apply() gets. What the profile
 * decides (tunnel mode, kill switch, LAN access, blocked families, excluded
 * prefixes, MTU) is taken from the profile, never from the engine.
 */
#pragma once

#include "client/daemon/ipc.h"
#include "client/profile/profile.h"
#include "platform/linux/platform.h"

struct netcheck {
        struct platform_config cfg; /* points into the arrays below */
        struct platform_addr dns[PLATFORM_MAX_DNS];
        char *search[PLATFORM_MAX_DOMAINS + 1];  /* NULL-terminated */
        char *routing[PLATFORM_MAX_DOMAINS + 1]; /* NULL-terminated */
        struct platform_prefix include[IPC_MAX_PREFIXES + PLATFORM_MAX_PREFIXES];
        struct platform_prefix exclude[PLATFORM_MAX_PREFIXES];
        struct platform_addr gateway;
        char ifname[16];
};

/* What the parent knows itself. */
struct netcheck_context {
        const struct profile *profile;
        const char *ifname; /* the TUN it opened */
        int ifindex;
        struct platform_addr gateway; /* the address it resolved and connected to */
        uint16_t gateway_port;
        const char *state_dir;   /* NULL: PLATFORM_STATE_DIR */
        const char *resolv_conf; /* NULL: PLATFORM_RESOLV_CONF */
};

/* Checks c and fills out (initialised here). Returns 0, or -EINVAL with
 * *ret_error (g_free) naming the field and what is wrong. */
int netcheck_build(const struct ipc_net_config *c, const struct netcheck_context *ctx,
                   struct netcheck *out, char **ret_error);
/* Frees the strings of out. */
void netcheck_clear(struct netcheck *out);

/* Why a cannot be a gateway the parent re-points the tunnel's sockets to (a
 * redirect, RFC 5685), or NULL: another family than socket_family (AF_INET,
 * AF_INET6), unspecified, loopback, multicast or reserved, link-local,
 * 0.0.0.0/8, IPv4-mapped. The text follows the address ("is ..."). */
const char *netcheck_gateway_problem(const struct platform_addr *a, int socket_family);

/* A DNS domain name as a resolver takes it (RFC 1035 2.3.1 letters, digits,
 * hyphens, plus '_'; labels 1..63, 253 in all, an optional final dot).
 * Exposed for the unit tests. */
bool netcheck_domain_valid(const char *s);
