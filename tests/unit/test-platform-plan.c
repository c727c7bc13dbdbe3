/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for platform/linux/plan.c: prefixes, the routing plan for each
 * kind of tunnel, configuration checks, and the kill switch's nft script. */
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

#include "platform/linux/killswitch.h"
#include "platform/linux/plan.h"

static void test_prefix_parse(void)
{
        static const struct {
                const char *in;
                const char *out; /* NULL: rejected */
        } rows[] = {
                { "10.1.2.3/8", "10.0.0.0/8" },
                { "192.168.1.77/24", "192.168.1.0/24" },
                { "172.31.255.255/12", "172.16.0.0/12" },
                { "1.2.3.4", "1.2.3.4/32" },
                { "0.0.0.0/0", "0.0.0.0/0" },
                { "255.255.255.255/1", "128.0.0.0/1" },
                { "fd00:1:2:3::4/48", "fd00:1:2::/48" },
                { "2001:db8::1", "2001:db8::1/128" },
                { "::/0", "::/0" },
                { "fe80::1234/10", "fe80::/10" },
                { "1.2.3.4/33", NULL },
                { "::/129", NULL },
                { "10.0.0.0/", NULL },
                { "10.0.0.0/-1", NULL },
                { "10.0.0.0/8x", NULL },
                { "10.0.0/8", NULL },
                { "", NULL },
                { "hello", NULL },
                { "10.0.0.0/99999999999999999999", NULL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                struct platform_prefix p;
                int r = platform_prefix_parse(rows[i].in, &p);

                if (!rows[i].out) {
                        g_assert_cmpint(r, ==, -EINVAL);
                        continue;
                }
                g_assert_cmpint(r, ==, 0);
                g_autofree char *s = prefix_to_string(&p);
                g_assert_cmpstr(s, ==, rows[i].out);
        }
}

/* The plan as journal lines, joined with '\n'. */
static char *plan_text(const struct platform_config *cfg)
{
        g_autoptr(GArray) ops = op_list_new();
        GString *s = g_string_new(NULL);

        plan_routing(cfg, ops);
        for (guint i = 0; i < ops->len; i++) {
                g_autofree char *line = op_format(&g_array_index(ops, struct op, i));

                g_string_append_printf(s, "%s\n", line);
        }
        return g_string_free(s, FALSE);
}

static void base_config(struct platform_config *cfg)
{
        platform_config_init(cfg);
        cfg->ifname = "tsu0";
        cfg->ifindex = 7;
}

static void test_plan_full_dual_stack(void)
{
        struct platform_config cfg;
        g_autofree char *text = NULL;

        base_config(&cfg);
        cfg.has_ipv4 = cfg.has_ipv6 = true;
        text = plan_text(&cfg);
        g_assert_cmpstr(text, ==,
                        "route 4 29811 unicast 0.0.0.0/0 7\n"
                        "route 4 29811 throw 255.255.255.255/32 0\n"
                        "rule 4 32702 29811 0.0.0.0/0 29811 1 -1\n"
                        "route 6 29811 unicast ::/0 7\n"
                        "route 6 29811 throw fe80::/10 0\n"
                        "route 6 29811 throw ff02::/16 0\n"
                        "rule 6 32702 29811 ::/0 29811 1 -1\n");
}

/* No IPv6 address from the gateway: IPv6 is unreachable, not leaked. */
static void test_plan_full_ipv4_only(void)
{
        struct platform_config cfg;
        g_autofree char *text = NULL;

        base_config(&cfg);
        cfg.has_ipv4 = true;
        text = plan_text(&cfg);
        g_assert_nonnull(strstr(text, "route 6 29811 unreachable ::/0 0\n"));
        g_assert_null(strstr(text, "route 6 29811 unicast"));
        g_assert_nonnull(strstr(text, "rule 6 32702 29811 ::/0 29811 1 -1\n"));
        g_assert_nonnull(strstr(text, "route 4 29811 unicast 0.0.0.0/0 7\n"));
}

/* Allowing the LAN: the tunnel's specific routes, then main for private
 * ranges only (never its default), then the tunnel. */
static void test_plan_full_allow_lan(void)
{
        struct platform_config cfg;
        struct platform_prefix ex;
        g_autofree char *text = NULL;

        base_config(&cfg);
        cfg.has_ipv4 = true;
        cfg.allow_lan = true;
        g_assert_cmpint(platform_prefix_parse("198.18.0.0/15", &ex), ==, 0);
        cfg.exclude = &ex;
        cfg.n_exclude = 1;
        text = plan_text(&cfg);
        g_assert_cmpstr(text, ==,
                        "route 4 29811 unicast 0.0.0.0/0 7\n"
                        "route 4 29811 throw 198.18.0.0/15 0\n"
                        "route 4 29811 throw 255.255.255.255/32 0\n"
                        "rule 4 32700 29811 0.0.0.0/0 29811 1 0\n"
                        "rule 4 32701 254 10.0.0.0/8 0 0 0\n"
                        "rule 4 32701 254 172.16.0.0/12 0 0 0\n"
                        "rule 4 32701 254 192.168.0.0/16 0 0 0\n"
                        "rule 4 32701 254 169.254.0.0/16 0 0 0\n"
                        "rule 4 32702 29811 0.0.0.0/0 29811 1 -1\n"
                        "route 6 29811 unreachable ::/0 0\n"
                        "route 6 29811 throw fe80::/10 0\n"
                        "route 6 29811 throw ff02::/16 0\n"
                        "rule 6 32700 29811 ::/0 29811 1 0\n"
                        "rule 6 32701 254 fc00::/7 0 0 0\n"
                        "rule 6 32701 254 fe80::/10 0 0 0\n"
                        "rule 6 32702 29811 ::/0 29811 1 -1\n");
}

static void test_plan_split(void)
{
        struct platform_config cfg;
        struct platform_prefix inc[3], exc[1];
        g_autofree char *text = NULL;

        base_config(&cfg);
        cfg.mode = PLATFORM_TUNNEL_SPLIT;
        cfg.has_ipv4 = true;
        cfg.table = 100;
        cfg.fwmark = 0x51;
        cfg.rule_priority = 1000;
        g_assert_cmpint(platform_prefix_parse("10.0.0.0/8", &inc[0]), ==, 0);
        g_assert_cmpint(platform_prefix_parse("fd00::/8", &inc[1]), ==, 0);
        g_assert_cmpint(platform_prefix_parse("172.16.0.0/12", &inc[2]), ==, 0);
        g_assert_cmpint(platform_prefix_parse("10.99.0.0/16", &exc[0]), ==, 0);
        cfg.include = inc;
        cfg.n_include = 3;
        cfg.exclude = exc;
        cfg.n_exclude = 1;
        text = plan_text(&cfg);
        /* The IPv6 prefix without an IPv6 address is unreachable, not sent
         * in clear; nothing else of IPv6 is touched. */
        g_assert_cmpstr(text, ==,
                        "route 4 100 unicast 10.0.0.0/8 7\n"
                        "route 4 100 unicast 172.16.0.0/12 7\n"
                        "route 4 100 throw 10.99.0.0/16 0\n"
                        "rule 4 1002 100 0.0.0.0/0 81 1 -1\n"
                        "route 6 100 unreachable fd00::/8 0\n"
                        "rule 6 1002 100 ::/0 81 1 -1\n");
}

static void test_plan_split_block_ipv6(void)
{
        struct platform_config cfg;
        struct platform_prefix inc;
        g_autofree char *text = NULL;

        base_config(&cfg);
        cfg.mode = PLATFORM_TUNNEL_SPLIT;
        cfg.has_ipv4 = true;
        cfg.block_ipv6 = true;
        g_assert_cmpint(platform_prefix_parse("10.0.0.0/8", &inc), ==, 0);
        cfg.include = &inc;
        cfg.n_include = 1;
        text = plan_text(&cfg);
        g_assert_cmpstr(text, ==,
                        "route 4 29811 unicast 10.0.0.0/8 7\n"
                        "rule 4 32702 29811 0.0.0.0/0 29811 1 -1\n"
                        "route 6 29811 unreachable ::/0 0\n"
                        "rule 6 32702 29811 ::/0 29811 1 -1\n");
}

static void expect_invalid(const struct platform_config *cfg, const char *needle)
{
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(plan_validate_config(cfg, &error), ==, -EINVAL);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
        if (!strstr(error->message, needle))
                g_error("\"%s\" does not mention \"%s\"", error->message, needle);
}

static void test_validate(void)
{
        struct platform_config cfg;
        struct platform_addr gw;
        static struct platform_prefix many[PLATFORM_MAX_PREFIXES + 1];
        const char *bad_domains[] = { "corp.example", "evil\nnameserver 1.2.3.4", NULL };
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(platform_addr_parse("203.0.113.7", &gw), ==, 0);
        base_config(&cfg);
        cfg.gateways = &gw;
        cfg.n_gateways = 1;
        g_assert_cmpint(plan_validate_config(&cfg, &error), ==, 0);

        base_config(&cfg);
        expect_invalid(&cfg, "gateway"); /* kill switch without a gateway */
        cfg.gateways = &gw;
        cfg.n_gateways = 1;

        cfg.ifname = "tsu0 evil";
        expect_invalid(&cfg, "tunnel device");
        cfg.ifname = "a-name-far-too-long-for-linux";
        expect_invalid(&cfg, "tunnel device");
        cfg.ifname = "tsu0";
        cfg.ifindex = 0;
        expect_invalid(&cfg, "ifindex");
        cfg.ifindex = 7;

        cfg.table = 254;
        expect_invalid(&cfg, "table 254");
        cfg.table = PLATFORM_TABLE_DEFAULT;
        cfg.rule_priority = 32764; /* P+2 would be main's 32766 */
        expect_invalid(&cfg, "priority");
        cfg.rule_priority = PLATFORM_PRIORITY_DEFAULT;

        cfg.mtu = 100;
        expect_invalid(&cfg, "MTU");
        cfg.mtu = 1400;

        for (size_t i = 0; i < G_N_ELEMENTS(many); i++)
                g_assert_cmpint(platform_prefix_parse("10.0.0.0/8", &many[i]), ==, 0);
        cfg.include = many;
        cfg.n_include = G_N_ELEMENTS(many);
        expect_invalid(&cfg, "include");
        cfg.n_include = 1;

        cfg.search_domains = bad_domains;
        expect_invalid(&cfg, "not a DNS name");
        cfg.search_domains = NULL;

        cfg.state_dir = "run/tsunagu";
        expect_invalid(&cfg, "absolute");
}

static void test_killswitch_ruleset(void)
{
        struct platform_config cfg;
        struct platform_addr gw[2];
        g_autofree char *s = NULL;

        base_config(&cfg);
        g_assert_cmpint(platform_addr_parse("203.0.113.7", &gw[0]), ==, 0);
        g_assert_cmpint(platform_addr_parse("2001:db8::7", &gw[1]), ==, 0);
        cfg.gateways = gw;
        cfg.n_gateways = 2;
        cfg.gateway_port = 10500;
        s = killswitch_ruleset(&cfg);
        /* Atomic replacement: add, delete, create in one script. */
        g_assert_true(g_str_has_prefix(s, "add table inet tsunagu\ndelete table inet tsunagu\n"));
        g_assert_nonnull(strstr(s, "oifname \"tsu0\" accept"));
        g_assert_nonnull(strstr(s, "meta mark 0x7473 ip daddr 203.0.113.7 udp dport { 500, 4500, 10500 } accept"));
        g_assert_nonnull(strstr(s, "meta mark 0x7473 ip6 daddr 2001:db8::7 udp dport"));
        g_assert_nonnull(strstr(s, "counter name \"dropped_out\" drop"));
        g_assert_nonnull(strstr(s, "counter name \"dropped_in\" drop"));
        g_assert_nonnull(strstr(s, "counter name \"dropped_fwd\" drop"));
        g_assert_null(strstr(s, "@lan4"));
        g_clear_pointer(&s, g_free);

        cfg.allow_lan = true;
        cfg.gateway_port = 4500;
        s = killswitch_ruleset(&cfg);
        g_assert_nonnull(strstr(s, "udp dport { 500, 4500 } accept"));
        g_assert_nonnull(strstr(s, "ip daddr @lan4 accept"));
        g_assert_nonnull(strstr(s, "ip6 daddr @lan6 accept"));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/platform/plan/prefix-parse", test_prefix_parse);
        g_test_add_func("/platform/plan/full-dual-stack", test_plan_full_dual_stack);
        g_test_add_func("/platform/plan/full-ipv4-only", test_plan_full_ipv4_only);
        g_test_add_func("/platform/plan/full-allow-lan", test_plan_full_allow_lan);
        g_test_add_func("/platform/plan/split", test_plan_split);
        g_test_add_func("/platform/plan/split-block-ipv6", test_plan_split_block_ipv6);
        g_test_add_func("/platform/plan/validate", test_validate);
        g_test_add_func("/platform/plan/killswitch-ruleset", test_killswitch_ruleset);
        return g_test_run();
}
