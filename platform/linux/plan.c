/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "platform/linux/plan.h"

#define RT_TABLE_MAIN_ID 254u

/* Ranges the LAN may use when the profile allows it: RFC 1918, IPv4
 * link-local (RFC 3927), ULA (RFC 4193), IPv6 link-local. A LAN that claims
 * anything else (TunnelCrack LocalNet puts a public prefix on the LAN) does
 * not get out of the tunnel. */
static const struct {
        int family;
        const char *prefix;
} private_ranges[] = {
        { AF_INET, "10.0.0.0/8" },    { AF_INET, "172.16.0.0/12" }, { AF_INET, "192.168.0.0/16" },
        { AF_INET, "169.254.0.0/16" }, { AF_INET6, "fc00::/7" },     { AF_INET6, "fe80::/10" },
};

/* Destinations that stay on the local link even in a full tunnel: limited
 * broadcast (DHCP), IPv6 link-local unicast and multicast (ND, DHCPv6). The
 * kill switch still filters them. */
static const struct {
        int family;
        const char *prefix;
} link_local_throws[] = {
        { AF_INET, "255.255.255.255/32" },
        { AF_INET6, "fe80::/10" },
        { AF_INET6, "ff02::/16" },
};

int family_number(int family)
{
        return family == AF_INET6 ? 6 : 4;
}

static size_t addr_len(int family)
{
        return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

int platform_addr_parse(const char *s, struct platform_addr *ret)
{
        struct platform_addr a = { 0 };

        if (!s)
                return -EINVAL;
        if (inet_pton(AF_INET, s, &a.v4) == 1)
                a.family = AF_INET;
        else if (inet_pton(AF_INET6, s, &a.v6) == 1)
                a.family = AF_INET6;
        else
                return -EINVAL;
        *ret = a;
        return 0;
}

/* Clears the host bits so that "10.1.2.3/8" names the network 10.0.0.0/8. */
static void prefix_mask(struct platform_prefix *p)
{
        uint8_t *b = p->addr.family == AF_INET6 ? p->addr.v6.s6_addr : (uint8_t *)&p->addr.v4;
        size_t n = addr_len(p->addr.family);

        for (size_t i = 0; i < n; i++) {
                unsigned bit = (unsigned)i * 8;

                if (bit >= p->prefixlen)
                        b[i] = 0;
                else if (p->prefixlen - bit < 8)
                        b[i] &= (uint8_t)(0xff00u >> (p->prefixlen - bit));
        }
}

int platform_prefix_parse(const char *s, struct platform_prefix *ret)
{
        struct platform_prefix p = { 0 };
        char buf[INET6_ADDRSTRLEN + 8];
        const char *slash;
        unsigned long len;
        char *end;
        unsigned max;

        if (!s || strlen(s) >= sizeof(buf))
                return -EINVAL;
        strcpy(buf, s);
        slash = strchr(s, '/');
        if (slash)
                buf[slash - s] = '\0';
        if (platform_addr_parse(buf, &p.addr) < 0)
                return -EINVAL;
        max = p.addr.family == AF_INET6 ? 128 : 32;
        if (slash) {
                if (slash[1] < '0' || slash[1] > '9')
                        return -EINVAL;
                errno = 0;
                len = strtoul(slash + 1, &end, 10);
                if (errno || *end || len > max)
                        return -EINVAL;
        } else {
                len = max;
        }
        p.prefixlen = (uint8_t)len;
        prefix_mask(&p);
        *ret = p;
        return 0;
}

char *addr_to_string(const struct platform_addr *a)
{
        char buf[INET6_ADDRSTRLEN];

        if (!inet_ntop(a->family, a->family == AF_INET6 ? (const void *)&a->v6 : (const void *)&a->v4,
                       buf, sizeof(buf)))
                return g_strdup("?");
        return g_strdup(buf);
}

char *prefix_to_string(const struct platform_prefix *p)
{
        g_autofree char *a = addr_to_string(&p->addr);

        return g_strdup_printf("%s/%u", a, p->prefixlen);
}

void op_clear(struct op *op)
{
        g_clear_pointer(&op->path, g_free);
        g_clear_pointer(&op->saved, g_free);
}

GArray *op_list_new(void)
{
        GArray *a = g_array_new(FALSE, TRUE, sizeof(struct op));

        g_array_set_clear_func(a, (GDestroyNotify)op_clear);
        return a;
}

static struct platform_prefix prefix_const(int family, const char *s)
{
        struct platform_prefix p;
        int r = platform_prefix_parse(s, &p);

        g_assert(r == 0 && p.addr.family == family);
        return p;
}

static struct platform_prefix prefix_any(int family)
{
        struct platform_prefix p = { .addr.family = family, .prefixlen = 0 };

        return p;
}

static void add_route(GArray *ops, const struct platform_config *cfg, enum op_route_type t,
                      struct platform_prefix dst)
{
        struct op op = {
                .kind = OP_ROUTE,
                .ifindex = t == OP_ROUTE_UNICAST ? cfg->ifindex : 0,
                .pfx = dst,
                .table = cfg->table,
                .rtype = t,
                .suppress = -1,
        };

        g_array_append_val(ops, op);
}

static void add_rule(GArray *ops, uint32_t priority, uint32_t table, struct platform_prefix to,
                     uint32_t fwmark, bool invert, int suppress)
{
        struct op op = {
                .kind = OP_RULE,
                .pfx = to,
                .table = table,
                .priority = priority,
                .fwmark = fwmark,
                .invert = invert,
                .suppress = suppress,
        };

        g_array_append_val(ops, op);
}

static bool family_has_address(const struct platform_config *cfg, int family)
{
        return family == AF_INET ? cfg->has_ipv4 : cfg->has_ipv6;
}

static bool family_blocked(const struct platform_config *cfg, int family)
{
        bool block = family == AF_INET ? cfg->block_ipv4 : cfg->block_ipv6;

        if (block)
                return true;
        return cfg->mode == PLATFORM_TUNNEL_FULL && !family_has_address(cfg, family);
}

void plan_routing(const struct platform_config *cfg, GArray *ops)
{
        static const int families[] = { AF_INET, AF_INET6 };

        for (size_t f = 0; f < G_N_ELEMENTS(families); f++) {
                int family = families[f];
                bool blocked = family_blocked(cfg, family);
                bool any = false;

                /* Routes first, so that a rule never points at an empty table. */
                if (cfg->mode == PLATFORM_TUNNEL_FULL || blocked) {
                        add_route(ops, cfg, blocked ? OP_ROUTE_UNREACHABLE : OP_ROUTE_UNICAST,
                                  prefix_any(family));
                        any = true;
                }
                if (cfg->mode == PLATFORM_TUNNEL_SPLIT && !blocked) {
                        for (size_t i = 0; i < cfg->n_include; i++) {
                                if (cfg->include[i].addr.family != family)
                                        continue;
                                /* A prefix of a family the tunnel has no address
                                 * for is unreachable rather than sent in clear. */
                                add_route(ops, cfg,
                                          family_has_address(cfg, family) ? OP_ROUTE_UNICAST
                                                                          : OP_ROUTE_UNREACHABLE,
                                          cfg->include[i]);
                                any = true;
                        }
                }
                if (!any)
                        continue;
                for (size_t i = 0; i < cfg->n_exclude; i++)
                        if (cfg->exclude[i].addr.family == family)
                                add_route(ops, cfg, OP_ROUTE_THROW, cfg->exclude[i]);
                if (cfg->mode == PLATFORM_TUNNEL_FULL)
                        for (size_t i = 0; i < G_N_ELEMENTS(link_local_throws); i++)
                                if (link_local_throws[i].family == family)
                                        add_route(ops, cfg, OP_ROUTE_THROW,
                                                  prefix_const(family,
                                                               link_local_throws[i].prefix));

                if (cfg->mode == PLATFORM_TUNNEL_FULL && cfg->allow_lan) {
                        /* The tunnel's own specific routes (the excluded
                         * prefixes' throws among them) before the LAN... */
                        add_rule(ops, cfg->rule_priority, cfg->table, prefix_any(family),
                                 cfg->fwmark, true, 0);
                        /* ...then main for private ranges, but never its default route. */
                        for (size_t i = 0; i < G_N_ELEMENTS(private_ranges); i++)
                                if (private_ranges[i].family == family)
                                        add_rule(ops, cfg->rule_priority + 1, RT_TABLE_MAIN_ID,
                                                 prefix_const(family, private_ranges[i].prefix),
                                                 0, false, 0);
                }
                add_rule(ops, cfg->rule_priority + 2, cfg->table, prefix_any(family), cfg->fwmark,
                         true, -1);
        }
}

/* ------------------------------------------------------------ validation */

static bool domain_ok(const char *d)
{
        size_t n = strlen(d);

        if (n == 0 || n > 253)
                return false;
        for (const char *p = d; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.' && *p != '_')
                        return false;
        return true;
}

static int check_domains(const char *const *v, const char *what, GError **error)
{
        size_t n = 0;

        if (!v)
                return 0;
        for (; v[n]; n++) {
                if (n >= PLATFORM_MAX_DOMAINS) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "too many %s domains (more than %d)", what,
                                    PLATFORM_MAX_DOMAINS);
                        return -EINVAL;
                }
                if (!domain_ok(v[n])) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "%s domain %zu is not a DNS name: \"%s\"", what, n,
                                    v[n]);
                        return -EINVAL;
                }
        }
        return 0;
}

static int check_prefixes(const struct platform_prefix *p, size_t n, const char *what,
                          GError **error)
{
        if (n > PLATFORM_MAX_PREFIXES || (n && !p)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "%s: %zu prefixes (at most %d)", what, n, PLATFORM_MAX_PREFIXES);
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned max = p[i].addr.family == AF_INET6 ? 128 : 32;

                if ((p[i].addr.family != AF_INET && p[i].addr.family != AF_INET6) ||
                    p[i].prefixlen > max) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "%s prefix %zu: bad family %d or length %u", what, i,
                                    p[i].addr.family, p[i].prefixlen);
                        return -EINVAL;
                }
        }
        return 0;
}

static int check_addrs(const struct platform_addr *a, size_t n, size_t max, const char *what,
                       GError **error)
{
        if (n > max || (n && !a)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "%s: %zu addresses (at most %zu)", what, n, max);
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
                if (a[i].family != AF_INET && a[i].family != AF_INET6) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                    "%s address %zu: bad family %d", what, i, a[i].family);
                        return -EINVAL;
                }
        return 0;
}

static bool path_ok(const char *p)
{
        return p && p[0] == '/' && strlen(p) < PATH_MAX - 32;
}

int plan_validate_config(const struct platform_config *cfg, GError **error)
{
        int r;

        if (!cfg->ifname || !cfg->ifname[0] || strlen(cfg->ifname) >= IFNAMSIZ ||
            strchr(cfg->ifname, '/') || strpbrk(cfg->ifname, " \t\n\"\\") || cfg->ifindex <= 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "the tunnel device needs a name (under %d bytes, no spaces, quotes "
                            "or slashes) and an ifindex (got \"%s\", %d)",
                            IFNAMSIZ, cfg->ifname ? cfg->ifname : "(null)", cfg->ifindex);
                return -EINVAL;
        }
        if (cfg->mtu && (cfg->mtu < 576 || cfg->mtu > 65535)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "MTU %u out of range (576..65535)", cfg->mtu);
                return -EINVAL;
        }
        if (!path_ok(cfg->state_dir) || !path_ok(cfg->resolv_conf)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "the state directory and resolv.conf must be absolute paths");
                return -EINVAL;
        }
        if (cfg->mode != PLATFORM_TUNNEL_FULL && cfg->mode != PLATFORM_TUNNEL_SPLIT) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad tunnel mode %d",
                            cfg->mode);
                return -EINVAL;
        }
        if (cfg->fwmark == 0 || cfg->table == 0 || cfg->table == RT_TABLE_MAIN_ID ||
            cfg->table == 253 || cfg->table == 255 || cfg->rule_priority == 0 ||
            cfg->rule_priority > 32763) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "fwmark 0x%x, table %u or rule priority %u is unusable (the table "
                            "must not be main, default or local; the rules must come before "
                            "main at 32766)",
                            cfg->fwmark, cfg->table, cfg->rule_priority);
                return -EINVAL;
        }
        r = check_prefixes(cfg->include, cfg->n_include, "include", error);
        if (r < 0)
                return r;
        r = check_prefixes(cfg->exclude, cfg->n_exclude, "exclude", error);
        if (r < 0)
                return r;
        r = check_addrs(cfg->dns, cfg->n_dns, PLATFORM_MAX_DNS, "DNS", error);
        if (r < 0)
                return r;
        r = check_addrs(cfg->gateways, cfg->n_gateways, PLATFORM_MAX_GATEWAYS, "gateway", error);
        if (r < 0)
                return r;
        r = check_domains(cfg->search_domains, "search", error);
        if (r < 0)
                return r;
        r = check_domains(cfg->routing_domains, "routing", error);
        if (r < 0)
                return r;
        if (cfg->kill_switch && cfg->n_gateways == 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "the kill switch needs the gateway's address to let it through");
                return -EINVAL;
        }
        return 0;
}

/* ------------------------------------------------------------ journal text */

static const char *const route_type_names[] = {
        [OP_ROUTE_UNICAST] = "unicast",
        [OP_ROUTE_THROW] = "throw",
        [OP_ROUTE_UNREACHABLE] = "unreachable",
};

/* Paths keep '/', letters, digits and ".-_~+"; anything else is %XX. */
static char *escape_path(const char *s)
{
        return g_uri_escape_string(s, "/+", FALSE);
}

char *op_format(const struct op *op)
{
        g_autofree char *pfx = NULL;
        g_autofree char *path = NULL;
        g_autofree char *saved = NULL;

        switch (op->kind) {
        case OP_LINK:
                return g_strdup_printf("link %d %u %d", op->ifindex, op->old_mtu, op->old_up);
        case OP_ADDR:
                pfx = prefix_to_string(&op->pfx);
                return g_strdup_printf("addr %d %d %s", family_number(op->pfx.addr.family),
                                       op->ifindex, pfx);
        case OP_ROUTE:
                pfx = prefix_to_string(&op->pfx);
                return g_strdup_printf("route %d %u %s %s %d", family_number(op->pfx.addr.family),
                                       op->table, route_type_names[op->rtype], pfx, op->ifindex);
        case OP_RULE:
                pfx = prefix_to_string(&op->pfx);
                return g_strdup_printf("rule %d %u %u %s %u %d %d",
                                       family_number(op->pfx.addr.family), op->priority, op->table,
                                       pfx, op->fwmark, op->invert, op->suppress);
        case OP_DNS_RESOLVED:
                return g_strdup_printf("dns-resolved %d", op->ifindex);
        case OP_DNS_RESOLVCONF:
                path = escape_path(op->path);
                saved = escape_path(op->saved);
                return g_strdup_printf("dns-resolvconf %s %s %s", op->link ? "link" : "file", path,
                                       saved);
        case OP_RP_FILTER:
                return g_strdup_printf("rp-filter %u", op->old_value);
        }
        g_assert_not_reached();
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *ret)
{
        unsigned long long v;
        char *end;

        if (!s || !g_ascii_isdigit(s[0]))
                return false;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end || v > max)
                return false;
        *ret = (uint32_t)v;
        return true;
}

static bool parse_family(const char *s, int *ret)
{
        if (g_strcmp0(s, "4") == 0)
                *ret = AF_INET;
        else if (g_strcmp0(s, "6") == 0)
                *ret = AF_INET6;
        else
                return false;
        return true;
}

static bool parse_prefix_of(const char *s, int family, struct platform_prefix *ret)
{
        struct platform_prefix p;

        if (!s || !strchr(s, '/') || platform_prefix_parse(s, &p) < 0 || p.addr.family != family)
                return false;
        *ret = p;
        return true;
}

static bool parse_path(const char *s, char **ret)
{
        char *p = s ? g_uri_unescape_string(s, NULL) : NULL;

        if (!p || !path_ok(p) || strstr(p, "/../") || g_str_has_suffix(p, "/..")) {
                g_free(p);
                return false;
        }
        *ret = p;
        return true;
}

int op_parse(const char *line, struct op *ret, GError **error)
{
        g_auto(GStrv) t = NULL;
        struct op op = { .suppress = -1 };
        uint32_t u = 0, v = 0;
        int family = 0;
        guint n;
        bool ok = false;

        if (strlen(line) > PATH_MAX * 4)
                goto bad;
        t = g_strsplit(line, " ", 16);
        n = g_strv_length(t);
        if (n == 0)
                goto bad;
        if (strcmp(t[0], "link") == 0 && n == 4) {
                op.kind = OP_LINK;
                ok = parse_u32(t[1], INT32_MAX, &u) && u > 0 && parse_u32(t[2], 65535, &op.old_mtu) &&
                     parse_u32(t[3], 1, &v);
                op.ifindex = (int)u;
                op.old_up = v;
        } else if (strcmp(t[0], "addr") == 0 && n == 4) {
                op.kind = OP_ADDR;
                ok = parse_family(t[1], &family) && parse_u32(t[2], INT32_MAX, &u) && u > 0 &&
                     parse_prefix_of(t[3], family, &op.pfx);
                op.ifindex = (int)u;
        } else if (strcmp(t[0], "route") == 0 && n == 6) {
                op.kind = OP_ROUTE;
                ok = parse_family(t[1], &family) && parse_u32(t[2], UINT32_MAX, &op.table) &&
                     parse_prefix_of(t[4], family, &op.pfx) && parse_u32(t[5], INT32_MAX, &u);
                op.ifindex = (int)u;
                for (size_t i = 1; ok && i < G_N_ELEMENTS(route_type_names); i++)
                        if (strcmp(t[3], route_type_names[i]) == 0)
                                op.rtype = (enum op_route_type)i;
                ok = ok && op.rtype != 0 && op.table != 0 &&
                     (op.rtype != OP_ROUTE_UNICAST || op.ifindex > 0);
        } else if (strcmp(t[0], "rule") == 0 && n == 8) {
                op.kind = OP_RULE;
                ok = parse_family(t[1], &family) && parse_u32(t[2], UINT32_MAX, &op.priority) &&
                     parse_u32(t[3], UINT32_MAX, &op.table) && op.table != 0 &&
                     parse_prefix_of(t[4], family, &op.pfx) &&
                     parse_u32(t[5], UINT32_MAX, &op.fwmark) && parse_u32(t[6], 1, &v);
                op.invert = v;
                if (ok && strcmp(t[7], "-1") != 0) {
                        ok = parse_u32(t[7], 128, &u);
                        op.suppress = (int)u;
                }
        } else if (strcmp(t[0], "dns-resolved") == 0 && n == 2) {
                op.kind = OP_DNS_RESOLVED;
                ok = parse_u32(t[1], INT32_MAX, &u) && u > 0;
                op.ifindex = (int)u;
        } else if (strcmp(t[0], "rp-filter") == 0 && n == 2) {
                op.kind = OP_RP_FILTER;
                ok = parse_u32(t[1], 2, &op.old_value);
        } else if (strcmp(t[0], "dns-resolvconf") == 0 && n == 4) {
                op.kind = OP_DNS_RESOLVCONF;
                op.link = strcmp(t[1], "link") == 0;
                ok = (op.link || strcmp(t[1], "file") == 0) && parse_path(t[2], &op.path);
                if (ok && op.link) {
                        /* A symlink's target may be relative. */
                        op.saved = g_uri_unescape_string(t[3], NULL);
                        ok = op.saved && op.saved[0] && strlen(op.saved) < PATH_MAX;
                } else if (ok) {
                        ok = parse_path(t[3], &op.saved);
                }
        }
        if (!ok) {
                op_clear(&op);
                goto bad;
        }
        *ret = op;
        return 0;
bad:
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "malformed journal line: \"%.80s\"",
                    line);
        return -EBADMSG;
}
