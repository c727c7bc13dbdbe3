/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What platform_apply() is going to change, as a list of operations computed
 * from the configuration alone (no I/O, so unit tests check the routing
 * design directly), and the one-line text form each operation takes in the
 * journal.
 *
 * Journal lines (space-separated; paths percent-escaped):
 *
 *   link <ifindex> <old-mtu> <old-up 0|1>
 *   addr <4|6> <ifindex> <address>/<prefixlen>
 *   route <4|6> <table> <unicast|throw|unreachable> <dst>/<prefixlen> <ifindex>
 *   rule <4|6> <priority> <table> <dst>/<prefixlen> <fwmark> <invert 0|1> <suppress -1..128>
 *   dns-resolved <ifindex>
 *   dns-resolvconf <file|link> <path> <saved copy, or the link's target>
 *   rp-filter <old net.ipv4.conf.all.rp_filter 0..2>
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "platform/linux/platform.h"

enum op_kind {
        OP_LINK = 1,
        OP_ADDR,
        OP_ROUTE,
        OP_RULE,
        OP_DNS_RESOLVED,
        OP_DNS_RESOLVCONF,
        OP_RP_FILTER, /* net.ipv4.conf.all.rp_filter loosened to 2 (rpfilter.c) */
};

enum op_route_type {
        OP_ROUTE_UNICAST = 1, /* dev ifindex */
        OP_ROUTE_THROW,
        OP_ROUTE_UNREACHABLE,
};

struct op {
        enum op_kind kind;
        int ifindex;
        /* addr: the address; route: the destination; rule: "to" (prefixlen 0: any). */
        struct platform_prefix pfx;
        uint32_t table;
        enum op_route_type rtype;
        uint32_t priority;
        uint32_t fwmark; /* rule: 0 = no fwmark match */
        bool invert;
        int suppress; /* rule: suppress_prefixlength, -1 = none */
        /* link: what to restore */
        uint32_t old_mtu;
        bool old_up;
        /* rp-filter: the value to put back */
        uint32_t old_value;
        /* dns-resolvconf */
        bool link;
        char *path;
        char *saved;
};

void op_clear(struct op *op);

/* A GArray of struct op that clears its elements when freed. */
GArray *op_list_new(void);

/* Appends the routes and rules (in the order they are to be applied) for cfg,
 * whose defaults are filled and which validate_config() accepted. */
void plan_routing(const struct platform_config *cfg, GArray *ops);

/* The text form (no newline); g_free it. */
char *op_format(const struct op *op);
/* Parses one journal line. -EBADMSG with *error set on anything malformed. */
int op_parse(const char *line, struct op *ret, GError **error);

/* Checks a configuration: ranges, limits, families, names. */
int plan_validate_config(const struct platform_config *cfg, GError **error);

/* "10.0.0.0/8", "fd00::/8" */
char *prefix_to_string(const struct platform_prefix *p);
char *addr_to_string(const struct platform_addr *a);
/* The family as 4 or 6 for the journal and messages. */
int family_number(int family);
