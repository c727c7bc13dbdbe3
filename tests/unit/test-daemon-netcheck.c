/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent's check of an engine's network configuration
 * (client/daemon/netcheck.c): a good one becomes the platform_config the
 * profile wants; each field out of bounds, or outside what the profile
 * allows, is refused with a message that names it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/daemon/netcheck.h"

static struct profile *split_profile(void)
{
        struct profile *p = profile_new();

        p->name = g_strdup("test");
        p->host = g_strdup("203.0.113.2");
        p->tunnel = PROFILE_TUNNEL_SPLIT;
        p->n_subnets = 2;
        p->subnets = g_new0(struct profile_subnet, 2);
        p->subnets[0] = (struct profile_subnet){AF_INET, {10, 20, 0, 0}, 16};
        p->subnets[1] = (struct profile_subnet){AF_INET6, {0xfd, 0, 0, 0x20}, 48};
        p->n_excluded = 1;
        p->excluded = g_new0(struct profile_subnet, 1);
        p->excluded[0] = (struct profile_subnet){AF_INET, {10, 20, 99, 0}, 24};
        p->dns_use_gateway = true;
        p->kill_switch = false;
        p->allow_lan = true;
        return p;
}

static struct ipc_net_config good(void)
{
        struct ipc_net_config c;

        memset(&c, 0, sizeof(c));
        c.mtu = 1400;
        c.n_addrs = 2;
        c.addrs[0] = (struct ipc_prefix){4, 32, {10, 99, 0, 7}};
        c.addrs[1] = (struct ipc_prefix){6, 128, {0xfd, 0, 0, 0x99, [15] = 7}};
        c.n_dns = 1;
        c.dns[0] = (struct ipc_prefix){4, 32, {10, 20, 0, 10}};
        c.n_domains = 1;
        strcpy(c.domains[0], "Corp.Test");
        c.n_include = 2;
        c.include[0] = (struct ipc_prefix){4, 24, {10, 20, 0, 0}};
        c.include[1] = (struct ipc_prefix){6, 64, {0xfd, 0, 0, 0x20}};
        c.n_exclude = 1;
        c.exclude[0] = (struct ipc_prefix){4, 32, {10, 20, 99, 1}};
        return c;
}

static int check(const struct ipc_net_config *c, struct profile *p, char **why)
{
        struct netcheck_context ctx = {
                .profile = p,
                .ifname = "tsu0",
                .ifindex = 7,
                .gateway = {.family = AF_INET},
                .gateway_port = 500,
        };
        struct netcheck out;
        int r;

        inet_pton(AF_INET, "203.0.113.2", &ctx.gateway.v4);
        r = netcheck_build(c, &ctx, &out, why);
        netcheck_clear(&out);
        return r;
}

static void test_good(void)
{
        _cleanup_(profile_freep) struct profile *p = split_profile();
        struct ipc_net_config c = good();
        struct netcheck_context ctx = {.profile = p, .ifname = "tsu0", .ifindex = 7};
        struct netcheck out;
        g_autofree char *why = NULL;
        char buf[INET6_ADDRSTRLEN];

        g_assert_cmpint(netcheck_build(&c, &ctx, &out, &why), ==, 0);
        g_assert_null(why);
        g_assert_true(out.cfg.has_ipv4 && out.cfg.has_ipv6);
        g_assert_cmpstr(inet_ntop(AF_INET, &out.cfg.ipv4, buf, sizeof(buf)), ==, "10.99.0.7");
        g_assert_cmpuint(out.cfg.mtu, ==, 1400);
        g_assert_cmpint(out.cfg.mode, ==, PLATFORM_TUNNEL_SPLIT);
        g_assert_cmpuint(out.cfg.n_include, ==, 2);
        g_assert_cmpuint(out.cfg.n_exclude, ==, 1); /* the profile's */
        g_assert_cmpuint(out.cfg.exclude[0].prefixlen, ==, 24);
        g_assert_cmpuint(out.cfg.n_dns, ==, 1);
        g_assert_cmpstr(out.cfg.routing_domains[0], ==, "corp.test"); /* lower case */
        g_assert_null(out.cfg.routing_domains[1]);
        g_assert_cmpstr(out.cfg.ifname, ==, "tsu0");
        g_assert_cmpint(out.cfg.ifindex, ==, 7);
        g_assert_false(out.cfg.kill_switch); /* from the profile */
        g_assert_true(out.cfg.allow_lan);
        netcheck_clear(&out);
}

/* Each case: change one thing, expect -EINVAL and a message with `needle`. */
struct bad_case {
        const char *name;
        void (*mutate)(struct ipc_net_config *c, struct profile *p);
        const char *needle;
};

#define MUT(n) static void n(struct ipc_net_config *c, struct profile *p)
MUT(no_addr)
{
        c->n_addrs = 0;
}
MUT(too_many_addrs)
{
        c->n_addrs = IPC_MAX_ADDRS + 1;
}
MUT(two_v4)
{
        c->addrs[1] = c->addrs[0];
}
MUT(v4_zero)
{
        memset(c->addrs[0].addr, 0, 4);
}
MUT(v4_loopback)
{
        c->addrs[0].addr[0] = 127;
}
MUT(v4_multicast)
{
        c->addrs[0].addr[0] = 224;
}
MUT(v4_broadcast)
{
        memset(c->addrs[0].addr, 255, 4);
}
MUT(v4_linklocal)
{
        c->addrs[0].addr[0] = 169;
        c->addrs[0].addr[1] = 254;
}
MUT(v6_loopback)
{
        memset(c->addrs[1].addr, 0, 16);
        c->addrs[1].addr[15] = 1;
}
MUT(v6_multicast)
{
        c->addrs[1].addr[0] = 0xff;
}
MUT(v6_linklocal)
{
        c->addrs[1].addr[0] = 0xfe;
        c->addrs[1].addr[1] = 0x80;
}
MUT(mtu_small)
{
        c->mtu = 575;
        c->n_addrs = 1;
}
MUT(mtu_big)
{
        c->mtu = 9001;
}
MUT(mtu_v6)
{
        c->mtu = 1279;
}
MUT(too_many_dns)
{
        c->n_dns = IPC_MAX_DNS + 1;
}
MUT(dns_multicast)
{
        c->dns[0].addr[0] = 239;
}
MUT(dns_zero)
{
        memset(c->dns[0].addr, 0, 4);
}
MUT(too_many_domains)
{
        c->n_domains = IPC_MAX_DOMAINS + 1;
}
MUT(domain_dots)
{
        strcpy(c->domains[0], "corp..test");
}
MUT(domain_hyphen)
{
        strcpy(c->domains[0], "-corp.test");
}
MUT(domain_space)
{
        strcpy(c->domains[0], "corp test");
}
MUT(domain_label)
{
        memset(c->domains[0], 'a', 64);
        c->domains[0][64] = 0;
}
MUT(domain_trailing)
{
        strcpy(c->domains[0], "corp.test-");
}
MUT(include_hostbits)
{
        c->include[0].addr[3] = 1;
}
MUT(include_default)
{
        memset(&c->include[0], 0, sizeof(c->include[0]));
        c->include[0].family = 4;
}
MUT(include_outside)
{
        c->include[0].addr[0] = 192;
        c->include[0].addr[1] = 168;
}
MUT(include_wider)
{
        c->include[0].prefixlen = 8;
        c->include[0].addr[1] = 0;
}
MUT(too_many_include)
{
        c->n_include = IPC_MAX_PREFIXES + 1;
}
MUT(exclude_more)
{
        c->exclude[0] = (struct ipc_prefix){4, 1, {0}};
}
MUT(exclude_hostbits)
{
        c->exclude[0].prefixlen = 24;
}
MUT(full_in_split)
{
        c->full_tunnel = true;
}
MUT(split_nothing)
{
        c->n_include = 0;
        p->n_subnets = 0;
}

static const struct bad_case bad_cases[] = {
        {"no address", no_addr, "virtual addresses: 0 given"},
        {"too many addresses", too_many_addrs, "virtual addresses: 5 given"},
        {"two IPv4 addresses", two_v4, "a second IPv4 address"},
        {"0.0.0.0", v4_zero, "unspecified"},
        {"127.x", v4_loopback, "loopback"},
        {"224.x", v4_multicast, "multicast"},
        {"255.255.255.255", v4_broadcast, "multicast or reserved"},
        {"169.254.x", v4_linklocal, "link-local"},
        {"::1", v6_loopback, "loopback"},
        {"ff..", v6_multicast, "multicast"},
        {"fe80::", v6_linklocal, "link-local"},
        {"MTU 575", mtu_small, "MTU 575 is outside 576..9000"},
        {"MTU 9001", mtu_big, "MTU 9001 is outside 1280..9000"},
        {"MTU 1279 with IPv6", mtu_v6, "MTU 1279 is outside 1280..9000"},
        {"too many DNS servers", too_many_dns, "DNS servers: 9 given"},
        {"multicast DNS server", dns_multicast, "DNS server 1: 239.20.0.10"},
        {"0.0.0.0 DNS server", dns_zero, "DNS server 1: 0.0.0.0 is unspecified"},
        {"too many domains", too_many_domains, "DNS domains: 9 given"},
        {"empty label", domain_dots, "\"corp..test\" is not a domain name"},
        {"leading hyphen", domain_hyphen, "is not a domain name"},
        {"space", domain_space, "is not a domain name"},
        {"64-byte label", domain_label, "is not a domain name"},
        {"trailing hyphen", domain_trailing, "is not a domain name"},
        {"host bits", include_hostbits, "included route 1: 10.20.0.1/24 has host bits set"},
        {"0.0.0.0/0 in split", include_default,
         "included route 1: 0.0.0.0/0 in a split-tunnel profile"},
        {"outside the subnets", include_outside, "is outside the profile's subnets"},
        {"wider than the subnets", include_wider, "10.0.0.0/8 is outside the profile's subnets"},
        {"too many included", too_many_include, "routes: 65 included"},
        {"excluding more than the profile", exclude_more,
         "0.0.0.0/1 is not excluded by the profile"},
        {"excluded host bits", exclude_hostbits,
         "excluded route 1: 10.20.99.1/24 has host bits set"},
        {"full tunnel for a split profile", full_in_split,
         "a full tunnel was asked for a split-tunnel profile"},
        {"split with no route", split_nothing, "a split tunnel with no route"},
};

static void test_bad(gconstpointer data)
{
        const struct bad_case *bc = data;
        _cleanup_(profile_freep) struct profile *p = split_profile();
        struct ipc_net_config c = good();
        g_autofree char *why = NULL;

        bc->mutate(&c, p);
        g_assert_cmpint(check(&c, p, &why), ==, -EINVAL);
        g_assert_nonnull(why);
        if (!strstr(why, bc->needle))
                g_error("%s: message \"%s\" lacks \"%s\"", bc->name, why, bc->needle);
}

static void test_profile_wins(void)
{
        _cleanup_(profile_freep) struct profile *p = split_profile();
        struct ipc_net_config c = good();
        struct netcheck_context ctx = {.profile = p, .ifname = "tsu0", .ifindex = 7};
        struct netcheck out;
        g_autofree char *why = NULL;

        /* The profile's MTU beats the engine's; without dns_use_gateway the
         * gateway's servers and domains are left out and the profile's used. */
        p->mtu = 1300;
        p->dns_use_gateway = false;
        p->n_dns_servers = 1;
        p->dns_servers = g_new0(struct profile_addr, 1);
        p->dns_servers[0] = (struct profile_addr){AF_INET, {192, 0, 2, 53}};
        p->kill_switch = true;
        p->block_ipv6 = true;
        c.mtu = 9000;
        g_assert_cmpint(netcheck_build(&c, &ctx, &out, &why), ==, 0);
        g_assert_cmpuint(out.cfg.mtu, ==, 1300);
        g_assert_cmpuint(out.cfg.n_dns, ==, 1);
        g_assert_cmpuint(out.cfg.dns[0].v4.s_addr, ==, htonl(0xc0000235));
        g_assert_null(out.cfg.routing_domains[0]);
        g_assert_true(out.cfg.kill_switch);
        g_assert_true(out.cfg.block_ipv6);
        netcheck_clear(&out);

        /* A split profile without subnets takes what the gateway narrowed,
         * and with nothing from the gateway, its own subnets. */
        {
                struct ipc_net_config c2 = good();

                c2.n_include = 0;
                g_clear_pointer(&why, g_free);
                g_assert_cmpint(netcheck_build(&c2, &ctx, &out, &why), ==, 0);
                g_assert_cmpuint(out.cfg.n_include, ==, 2);
                g_assert_cmpuint(out.cfg.include[0].prefixlen, ==, 16);
                netcheck_clear(&out);
        }
        /* A full-tunnel profile: 0.0.0.0/0 is fine, the mode is the profile's. */
        {
                struct ipc_net_config c3 = good();

                p->tunnel = PROFILE_TUNNEL_FULL;
                c3.full_tunnel = true;
                c3.include[0] = (struct ipc_prefix){4, 0, {0}};
                g_clear_pointer(&why, g_free);
                g_assert_cmpint(netcheck_build(&c3, &ctx, &out, &why), ==, 0);
                g_assert_cmpint(out.cfg.mode, ==, PLATFORM_TUNNEL_FULL);
                netcheck_clear(&out);
        }
}

static void test_domains(void)
{
        char longest[254];

        /* 253 characters is the most (RFC 1035 2.3.4); the IPC field holds no more. */
        for (int i = 0; i < 253; i++)
                longest[i] = i % 2 ? '.' : 'a';
        longest[253] = 0;
        g_assert_true(netcheck_domain_valid(longest));
        const char *good_names[] = {"corp.test", "a", "_srv.corp.test", "x-1.example.", "A.B"};
        const char *bad_names[] = {"", ".", "a..b", "-a", "a-", "a-.b", "a b", "a/b", "ä.test"};

        for (size_t i = 0; i < G_N_ELEMENTS(good_names); i++)
                g_assert_true(netcheck_domain_valid(good_names[i]));
        for (size_t i = 0; i < G_N_ELEMENTS(bad_names); i++)
                if (netcheck_domain_valid(bad_names[i]))
                        g_error("accepted \"%s\"", bad_names[i]);
}

static void test_gateway(void)
{
        static const struct {
                const char *addr;
                int family;
                bool ok;
        } cases[] = {
                {"203.0.113.3", AF_INET, true},
                {"10.1.2.3", AF_INET, true}, /* a gateway inside a LAN is a gateway */
                {"2001:db8::3", AF_INET6, true},
                {"2001:db8::3", AF_INET, false},
                {"203.0.113.3", AF_INET6, false},
                {"0.0.0.0", AF_INET, false},
                {"0.1.2.3", AF_INET, false},
                {"127.0.0.1", AF_INET, false},
                {"127.8.9.10", AF_INET, false},
                {"224.0.0.1", AF_INET, false},
                {"239.255.255.250", AF_INET, false},
                {"255.255.255.255", AF_INET, false},
                {"169.254.1.1", AF_INET, false},
                {"::", AF_INET6, false},
                {"::1", AF_INET6, false},
                {"ff02::1", AF_INET6, false},
                {"fe80::1", AF_INET6, false},
                {"febf::1", AF_INET6, false},
                {"::ffff:203.0.113.3", AF_INET6, false},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                struct platform_addr a = {0};
                const char *why;

                g_assert_cmpint(platform_addr_parse(cases[i].addr, &a), ==, 0);
                why = netcheck_gateway_problem(&a, cases[i].family);
                if ((why == NULL) != cases[i].ok)
                        g_error("%s (sockets %s): %s", cases[i].addr,
                                cases[i].family == AF_INET ? "IPv4" : "IPv6",
                                why ? why : "accepted");
        }
        g_assert_nonnull(netcheck_gateway_problem(&(struct platform_addr){.family = AF_UNIX},
                                                  AF_INET));
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/daemon/netcheck/good", test_good);
        g_test_add_func("/daemon/netcheck/profile-wins", test_profile_wins);
        g_test_add_func("/daemon/netcheck/domains", test_domains);
        g_test_add_func("/daemon/netcheck/gateway", test_gateway);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
                g_autofree char *path = g_strdup_printf("/daemon/netcheck/refused/%zu", i + 1);

                g_test_add_data_func(path, &bad_cases[i], test_bad);
        }
        return g_test_run();
}
