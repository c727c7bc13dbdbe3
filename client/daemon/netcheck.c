/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * See netcheck.h. Each refusal says which field, which entry and why, with
 * both numbers where there are two.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/daemon/netcheck.h"

static bool prefix_to_platform(const struct ipc_prefix *in, struct platform_prefix *out)
{
        memset(out, 0, sizeof(*out));
        out->prefixlen = in->prefixlen;
        if (in->family == 4) {
                out->addr.family = AF_INET;
                memcpy(&out->addr.v4, in->addr, 4);
                return true;
        }
        if (in->family == 6) {
                out->addr.family = AF_INET6;
                memcpy(&out->addr.v6, in->addr, 16);
                return true;
        }
        return false;
}

static const char *addr_text(const struct ipc_prefix *p, char buf[static INET6_ADDRSTRLEN])
{
        if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, buf, INET6_ADDRSTRLEN))
                strcpy(buf, "?");
        return buf;
}

/* Why a as a host address (virtual IP, DNS server) is unusable, or NULL. */
static const char *host_addr_problem(const struct ipc_prefix *a)
{
        static const uint8_t zero[16];

        if (a->family == 4) {
                const uint8_t *b = a->addr;

                if (memcmp(b, zero, 4) == 0)
                        return "is unspecified";
                if (b[0] == 127)
                        return "is a loopback address";
                if (b[0] >= 224)
                        return "is a multicast or reserved address";
                if (b[0] == 169 && b[1] == 254)
                        return "is a link-local address";
                if (b[0] == 0)
                        return "is in 0.0.0.0/8";
                return NULL;
        }
        if (memcmp(a->addr, zero, 16) == 0)
                return "is unspecified";
        if (memcmp(a->addr, zero, 15) == 0 && a->addr[15] == 1)
                return "is the loopback address";
        if (a->addr[0] == 0xff)
                return "is a multicast address";
        if (a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
                return "is a link-local address";
        return NULL;
}

const char *netcheck_gateway_problem(const struct platform_addr *a, int socket_family)
{
        static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
        struct ipc_prefix p = {0};

        if (a->family != AF_INET && a->family != AF_INET6)
                return "is not an IPv4 or IPv6 address";
        if (a->family != socket_family)
                return socket_family == AF_INET ? "is IPv6; the tunnel's sockets are IPv4"
                                                : "is IPv4; the tunnel's sockets are IPv6";
        p.family = a->family == AF_INET ? 4 : 6;
        memcpy(p.addr, a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6,
               a->family == AF_INET ? 4 : 16);
        /* ::ffff:a.b.c.d would reach an IPv4 host past the family check. */
        if (p.family == 6 && memcmp(p.addr, mapped, sizeof(mapped)) == 0)
                return "is an IPv4-mapped IPv6 address";
        return host_addr_problem(&p);
}

static bool host_bits_zero(const struct ipc_prefix *p)
{
        unsigned bits = p->family == 4 ? 32 : 128;

        for (unsigned i = p->prefixlen; i < bits; i++)
                if (p->addr[i / 8] & (0x80 >> (i % 8)))
                        return false;
        return true;
}

/* Is inner (family, addr/len) inside outer? */
static bool prefix_within(const struct ipc_prefix *inner, int outer_family,
                          const uint8_t outer_addr[16], unsigned outer_len)
{
        int fam = inner->family == 4 ? AF_INET : AF_INET6;

        if (fam != outer_family || inner->prefixlen < outer_len)
                return false;
        for (unsigned i = 0; i < outer_len; i++) {
                unsigned m = 0x80 >> (i % 8);

                if ((inner->addr[i / 8] & m) != (outer_addr[i / 8] & m))
                        return false;
        }
        return true;
}

bool netcheck_domain_valid(const char *s)
{
        return ipc_dns_name_valid(s, true);
}

static int fail(char **ret_error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int fail(char **ret_error, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        *ret_error = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int check_prefix_list(const char *what, const struct ipc_prefix *arr, size_t n,
                             char **ret_error)
{
        char buf[INET6_ADDRSTRLEN];

        for (size_t i = 0; i < n; i++)
                if (!host_bits_zero(&arr[i]))
                        return fail(ret_error, "%s %zu: %s/%u has host bits set", what, i + 1,
                                    addr_text(&arr[i], buf), arr[i].prefixlen);
        return 0;
}

static bool covered_by_profile(const struct ipc_prefix *p, const struct profile_subnet *subs,
                               size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (prefix_within(p, subs[i].family, subs[i].addr, subs[i].prefixlen))
                        return true;
        return false;
}

static int add_domain(char **arr, size_t *n, const char *d)
{
        if (*n >= PLATFORM_MAX_DOMAINS)
                return -E2BIG;
        for (size_t i = 0; i < *n; i++)
                if (g_ascii_strcasecmp(arr[i], d) == 0)
                        return 0;
        arr[(*n)++] = g_ascii_strdown(d, -1);
        return 0;
}

int netcheck_build(const struct ipc_net_config *c, const struct netcheck_context *ctx,
                   struct netcheck *out, char **ret_error)
{
        const struct profile *p = ctx->profile;
        struct platform_config *cfg = &out->cfg;
        char buf[INET6_ADDRSTRLEN];
        size_t n_search = 0, n_routing = 0, n_inc = 0, n_exc = 0;
        bool v6_addr = false;
        int e;

        memset(out, 0, sizeof(*out));
        platform_config_init(cfg);
        *ret_error = NULL;

        /* Sizes first: the parser already held them to the array sizes, but
         * this function is the boundary and says so again. */
        if (c->n_addrs == 0 || c->n_addrs > IPC_MAX_ADDRS)
                return fail(ret_error, "virtual addresses: %u given, 1 to %u allowed", c->n_addrs,
                            IPC_MAX_ADDRS);
        if (c->n_dns > IPC_MAX_DNS || c->n_dns > PLATFORM_MAX_DNS)
                return fail(ret_error, "DNS servers: %u given, at most %u", c->n_dns, IPC_MAX_DNS);
        if (c->n_domains > IPC_MAX_DOMAINS)
                return fail(ret_error, "DNS domains: %u given, at most %u", c->n_domains,
                            IPC_MAX_DOMAINS);
        if (c->n_include > IPC_MAX_PREFIXES || c->n_exclude > IPC_MAX_PREFIXES)
                return fail(ret_error, "routes: %u included and %u excluded, at most %u each",
                            c->n_include, c->n_exclude, IPC_MAX_PREFIXES);

        /* Virtual addresses: one per family, usable as a host address. */
        for (size_t i = 0; i < c->n_addrs; i++) {
                const struct ipc_prefix *a = &c->addrs[i];
                const char *why = host_addr_problem(a);

                if (a->family != 4 && a->family != 6)
                        return fail(ret_error, "virtual address %zu: family %u", i + 1, a->family);
                if (why)
                        return fail(ret_error, "virtual address %zu: %s %s", i + 1,
                                    addr_text(a, buf), why);
                if (a->family == 4) {
                        if (cfg->has_ipv4)
                                return fail(ret_error, "virtual address %zu: a second IPv4 address",
                                            i + 1);
                        cfg->has_ipv4 = true;
                        memcpy(&cfg->ipv4, a->addr, 4);
                } else {
                        if (cfg->has_ipv6)
                                return fail(ret_error, "virtual address %zu: a second IPv6 address",
                                            i + 1);
                        cfg->has_ipv6 = true;
                        v6_addr = true;
                        memcpy(&cfg->ipv6, a->addr, 16);
                }
        }

        /* MTU: the profile's when it sets one; the engine's within bounds. */
        if (p->mtu != 0)
                cfg->mtu = p->mtu;
        else if (c->mtu != 0) {
                uint32_t min = v6_addr ? 1280 : 576; /* RFC 8200 5, RFC 791 */

                if (c->mtu < min || c->mtu > 9000)
                        return fail(ret_error, "MTU %u is outside %u..9000", c->mtu, min);
                cfg->mtu = c->mtu;
        }

        /* DNS servers: the gateway's when the profile uses them, else the
         * profile's own. */
        if (p->dns_use_gateway) {
                for (size_t i = 0; i < c->n_dns; i++) {
                        const char *why = host_addr_problem(&c->dns[i]);

                        if (why)
                                return fail(ret_error, "DNS server %zu: %s %s", i + 1,
                                            addr_text(&c->dns[i], buf), why);
                        struct platform_prefix pp;

                        prefix_to_platform(&c->dns[i], &pp);
                        out->dns[cfg->n_dns++] = pp.addr;
                }
        }
        for (size_t i = 0; i < p->n_dns_servers && cfg->n_dns < PLATFORM_MAX_DNS; i++) {
                struct platform_addr *a = &out->dns[cfg->n_dns++];

                memset(a, 0, sizeof(*a));
                a->family = p->dns_servers[i].family;
                if (a->family == AF_INET)
                        memcpy(&a->v4, p->dns_servers[i].addr, 4);
                else
                        memcpy(&a->v6, p->dns_servers[i].addr, 16);
        }
        cfg->dns = out->dns;

        /* Domains from the gateway are routing domains (names resolved
         * through the tunnel, RFC 8598 semantics); the profile adds its own. */
        for (size_t i = 0; i < c->n_domains; i++) {
                if (!netcheck_domain_valid(c->domains[i]))
                        return fail(ret_error, "DNS domain %zu: \"%s\" is not a domain name", i + 1,
                                    c->domains[i]);
                if (p->dns_use_gateway && add_domain(out->routing, &n_routing, c->domains[i]) < 0)
                        return fail(ret_error, "DNS domains: more than %u", PLATFORM_MAX_DOMAINS);
        }
        for (char **d = p->dns_routing; d && *d; d++)
                if (add_domain(out->routing, &n_routing, *d) < 0)
                        return fail(ret_error, "DNS domains: more than %u", PLATFORM_MAX_DOMAINS);
        for (char **d = p->dns_search; d && *d; d++)
                if (add_domain(out->search, &n_search, *d) < 0)
                        return fail(ret_error, "DNS search domains: more than %u",
                                    PLATFORM_MAX_DOMAINS);
        cfg->search_domains = (const char *const *)out->search;
        cfg->routing_domains = (const char *const *)out->routing;

        /* Routes. The tunnel mode is the profile's. */
        if ((e = check_prefix_list("included route", c->include, c->n_include, ret_error)) < 0 ||
            (e = check_prefix_list("excluded route", c->exclude, c->n_exclude, ret_error)) < 0)
                return e;
        if (c->full_tunnel && p->tunnel != PROFILE_TUNNEL_FULL)
                return fail(ret_error, "a full tunnel was asked for a split-tunnel profile");
        cfg->mode = p->tunnel == PROFILE_TUNNEL_FULL ? PLATFORM_TUNNEL_FULL : PLATFORM_TUNNEL_SPLIT;
        for (size_t i = 0; i < c->n_include; i++) {
                const struct ipc_prefix *r = &c->include[i];

                if (p->tunnel == PROFILE_TUNNEL_SPLIT) {
                        if (r->prefixlen == 0)
                                return fail(ret_error,
                                            "included route %zu: %s/0 in a split-tunnel profile",
                                            i + 1, addr_text(r, buf));
                        if (p->n_subnets > 0 && !covered_by_profile(r, p->subnets, p->n_subnets))
                                return fail(ret_error,
                                            "included route %zu: %s/%u is outside the profile's "
                                            "subnets",
                                            i + 1, addr_text(r, buf), r->prefixlen);
                }
                prefix_to_platform(r, &out->include[n_inc++]);
        }
        /* A split profile's own subnets go in even when the gateway narrowed
         * nothing down to them (RFC 7296 2.9: TSr may be wider). */
        if (p->tunnel == PROFILE_TUNNEL_SPLIT && c->n_include == 0) {
                for (size_t i = 0; i < p->n_subnets && n_inc < PLATFORM_MAX_PREFIXES; i++) {
                        struct platform_prefix *pp = &out->include[n_inc++];

                        memset(pp, 0, sizeof(*pp));
                        pp->addr.family = p->subnets[i].family;
                        memcpy(p->subnets[i].family == AF_INET ? (void *)&pp->addr.v4
                                                               : (void *)&pp->addr.v6,
                               p->subnets[i].addr, p->subnets[i].family == AF_INET ? 4 : 16);
                        pp->prefixlen = p->subnets[i].prefixlen;
                }
        }
        if (p->tunnel == PROFILE_TUNNEL_SPLIT && n_inc == 0)
                return fail(ret_error, "a split tunnel with no route: neither the gateway nor the "
                                       "profile names a subnet");
        cfg->include = out->include;
        cfg->n_include = n_inc;

        /* Excluded: only what the profile excludes. An engine may repeat
         * those (or parts of them) but never take more out of the tunnel. */
        for (size_t i = 0; i < c->n_exclude; i++)
                if (!covered_by_profile(&c->exclude[i], p->excluded, p->n_excluded))
                        return fail(ret_error,
                                    "excluded route %zu: %s/%u is not excluded by the profile",
                                    i + 1, addr_text(&c->exclude[i], buf), c->exclude[i].prefixlen);
        for (size_t i = 0; i < p->n_excluded && n_exc < PLATFORM_MAX_PREFIXES; i++) {
                struct platform_prefix *pp = &out->exclude[n_exc++];

                memset(pp, 0, sizeof(*pp));
                pp->addr.family = p->excluded[i].family;
                memcpy(p->excluded[i].family == AF_INET ? (void *)&pp->addr.v4
                                                        : (void *)&pp->addr.v6,
                       p->excluded[i].addr, p->excluded[i].family == AF_INET ? 4 : 16);
                pp->prefixlen = p->excluded[i].prefixlen;
        }
        cfg->exclude = out->exclude;
        cfg->n_exclude = n_exc;

        /* What only the parent knows. */
        g_strlcpy(out->ifname, ctx->ifname ? ctx->ifname : "", sizeof(out->ifname));
        cfg->ifname = out->ifname;
        cfg->ifindex = ctx->ifindex;
        out->gateway = ctx->gateway;
        cfg->gateways = &out->gateway;
        cfg->n_gateways = ctx->gateway.family ? 1 : 0;
        cfg->gateway_port = ctx->gateway_port;
        if (ctx->state_dir)
                cfg->state_dir = ctx->state_dir;
        if (ctx->resolv_conf)
                cfg->resolv_conf = ctx->resolv_conf;
        cfg->kill_switch = p->kill_switch;
        cfg->allow_lan = p->allow_lan;
        cfg->block_ipv4 = p->block_ipv4;
        cfg->block_ipv6 = p->block_ipv6;
        cfg->dns_backend = (p->dns_use_gateway || p->n_dns_servers > 0) ? PLATFORM_DNS_AUTO
                                                                        : PLATFORM_DNS_NONE;
        return 0;
}

void netcheck_clear(struct netcheck *out)
{
        for (size_t i = 0; i < G_N_ELEMENTS(out->search); i++)
                g_clear_pointer(&out->search[i], g_free);
        for (size_t i = 0; i < G_N_ELEMENTS(out->routing); i++)
                g_clear_pointer(&out->routing[i], g_free);
}
