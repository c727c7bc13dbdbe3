/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "client/common/macro.h"
#include "platform/linux/journal.h"
#include "platform/linux/killswitch.h"
#include "platform/linux/plan.h"

#define RECORD_MAGIC "tsunagu-killswitch 1"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nft_ctx *, nft_ctx_free)

int nft_run(const char *script, char **ret_output, GError **error)
{
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        const char *err;
        g_autofree char *msg = NULL;

        if (!ctx) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnftables: no context");
                return -ENOMEM;
        }
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnftables: no buffers");
                return -ENOMEM;
        }
        if (nft_run_cmd_from_buffer(ctx, script) != 0) {
                err = nft_ctx_get_error_buffer(ctx);
                msg = g_strchomp(g_strdup(err && err[0] ? err : "failed"));
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "nftables: %s", msg);
                return -EIO;
        }
        if (ret_output)
                *ret_output = g_strdup(nft_ctx_get_output_buffer(ctx));
        return 0;
}

/* "ip daddr" / "ip6 daddr" with the address. */
static void append_addr_match(GString *s, const struct platform_addr *a, const char *dir)
{
        g_autofree char *str = addr_to_string(a);

        g_string_append_printf(s, "%s %s %s", a->family == AF_INET6 ? "ip6" : "ip", dir, str);
}

char *killswitch_ruleset(const struct platform_config *cfg)
{
        GString *s = g_string_new(NULL);
        g_autofree char *ports = NULL;

        if (cfg->gateway_port && cfg->gateway_port != 500 && cfg->gateway_port != 4500)
                ports = g_strdup_printf("{ 500, 4500, %u }", cfg->gateway_port);
        else
                ports = g_strdup("{ 500, 4500 }");

        /* "add table" then "delete table" then the new table, all in one
         * transaction: the old rules are replaced with no window open. */
        g_string_append(s, "add table inet " PLATFORM_NFT_TABLE "\n"
                           "delete table inet " PLATFORM_NFT_TABLE "\n"
                           "table inet " PLATFORM_NFT_TABLE " {\n"
                           "\tcounter dropped_out { }\n"
                           "\tcounter dropped_in { }\n"
                           "\tcounter dropped_fwd { }\n");
        if (cfg->allow_lan)
                g_string_append(s, "\tset lan4 { type ipv4_addr; flags interval; elements = { "
                                   "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16 } }\n"
                                   "\tset lan6 { type ipv6_addr; flags interval; elements = { "
                                   "fc00::/7, fe80::/10 } }\n");

        /* output */
        g_string_append(s, "\tchain output {\n"
                           "\t\ttype filter hook output priority filter; policy drop;\n"
                           "\t\toifname \"lo\" accept\n");
        g_string_append_printf(s, "\t\toifname \"%s\" accept\n", cfg->ifname);
        for (size_t i = 0; i < cfg->n_gateways; i++) {
                g_string_append_printf(s, "\t\tmeta mark 0x%" PRIx32 " ", cfg->fwmark);
                append_addr_match(s, &cfg->gateways[i], "daddr");
                g_string_append_printf(s, " udp dport %s accept\n", ports);
        }
        g_string_append(s, "\t\tudp sport 68 udp dport 67 accept\n"
                           "\t\tip6 daddr { fe80::/10, ff02::/16 } udp sport 546 udp dport 547 accept\n"
                           "\t\tip6 nexthdr icmpv6 icmpv6 type { nd-router-solicit, "
                           "nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept\n"
                           "\t\tip6 daddr ff02::/16 icmpv6 type { mld-listener-report, "
                           "mld2-listener-report } accept\n");
        if (cfg->allow_lan)
                g_string_append(s, "\t\tip daddr @lan4 accept\n"
                                   "\t\tip6 daddr @lan6 accept\n");
        g_string_append(s, "\t\tcounter name \"dropped_out\" drop\n\t}\n");

        /* input */
        g_string_append(s, "\tchain input {\n"
                           "\t\ttype filter hook input priority filter; policy drop;\n"
                           "\t\tiifname \"lo\" accept\n");
        g_string_append_printf(s, "\t\tiifname \"%s\" accept\n", cfg->ifname);
        /* Answers to what output let out (the drop there means no conntrack
         * entry is ever confirmed for anything else). */
        g_string_append(s, "\t\tct state established,related accept\n");
        for (size_t i = 0; i < cfg->n_gateways; i++) {
                g_string_append(s, "\t\t");
                append_addr_match(s, &cfg->gateways[i], "saddr");
                g_string_append_printf(s, " udp sport %s accept\n", ports);
        }
        g_string_append(s, "\t\tudp sport 67 udp dport 68 accept\n"
                           "\t\tip6 saddr fe80::/10 udp sport 547 udp dport 546 accept\n"
                           "\t\tip6 nexthdr icmpv6 icmpv6 type { nd-router-advert, "
                           "nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } ip6 hoplimit "
                           "255 accept\n"
                           "\t\tip6 nexthdr icmpv6 icmpv6 type { destination-unreachable, "
                           "packet-too-big, time-exceeded, parameter-problem } ip6 saddr fe80::/10 "
                           "accept\n");
        if (cfg->allow_lan)
                g_string_append(s, "\t\tip saddr @lan4 accept\n"
                                   "\t\tip6 saddr @lan6 accept\n");
        g_string_append(s, "\t\tcounter name \"dropped_in\" drop\n\t}\n");

        /* forward: containers and VMs behind this host must not leak either */
        g_string_append(s, "\tchain forward {\n"
                           "\t\ttype filter hook forward priority filter; policy drop;\n");
        g_string_append_printf(s, "\t\toifname \"%s\" accept\n", cfg->ifname);
        g_string_append_printf(s, "\t\tiifname \"%s\" ct state established,related accept\n",
                               cfg->ifname);
        if (cfg->allow_lan)
                g_string_append(s, "\t\tip daddr @lan4 ip saddr @lan4 accept\n"
                                   "\t\tip6 daddr @lan6 ip6 saddr @lan6 accept\n");
        g_string_append(s, "\t\tcounter name \"dropped_fwd\" drop\n\t}\n}\n");
        return g_string_free(s, FALSE);
}

static char *record_path(const char *state_dir)
{
        return g_strdup_printf("%s/%s", state_dir, KILLSWITCH_RECORD);
}

int killswitch_apply(const struct platform_config *cfg, GError **error)
{
        g_autofree char *path = record_path(cfg->state_dir);
        g_autofree char *record = g_strdup_printf(RECORD_MAGIC "\ntable inet %s\nalways-on %d\n",
                                                  PLATFORM_NFT_TABLE, cfg->always_on);
        g_autofree char *script = killswitch_ruleset(cfg);
        int r;

        r = ensure_dir(cfg->state_dir, error);
        if (r < 0)
                return r;
        r = atomic_write_file(path, record, strlen(record), 0600, error);
        if (r < 0)
                return r;
        r = nft_run(script, NULL, error);
        if (r < 0)
                g_prefix_error(error, "installing the kill switch (table inet %s): ",
                               PLATFORM_NFT_TABLE);
        return r;
}

int killswitch_remove(const char *state_dir, GError **error)
{
        g_autofree char *path = record_path(state_dir);
        int r;

        /* "add" first makes the delete idempotent within one transaction. */
        r = nft_run("add table inet " PLATFORM_NFT_TABLE "\n"
                    "delete table inet " PLATFORM_NFT_TABLE "\n",
                    NULL, error);
        if (r < 0) {
                g_prefix_error(error, "removing the kill switch (table inet %s): ",
                               PLATFORM_NFT_TABLE);
                return r;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
                r = -errno;
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "removing %s: %s",
                            path, g_strerror(errno));
                return r;
        }
        return 0;
}

bool killswitch_recorded(const char *state_dir, bool *ret_always_on)
{
        g_autofree char *path = record_path(state_dir);
        g_autofree char *data = NULL;
        gsize len;

        if (!g_file_get_contents(path, &data, &len, NULL))
                return false;
        if (!g_str_has_prefix(data, RECORD_MAGIC "\n"))
                return true; /* something is there: treat as a plain kill switch */
        *ret_always_on = strstr(data, "\nalways-on 1\n") != NULL;
        return true;
}

static bool counter_packets(const char *out, const char *name, uint64_t *ret)
{
        g_autofree char *needle = g_strdup_printf("counter %s {", name);
        const char *p = strstr(out, needle), *q;

        if (!p)
                return false;
        q = strstr(p, "packets ");
        if (!q)
                return false;
        *ret = g_ascii_strtoull(q + strlen("packets "), NULL, 10);
        return true;
}

int platform_kill_switch_counters(uint64_t *ret_dropped_out, uint64_t *ret_dropped_in,
                                  uint64_t *ret_dropped_fwd, GError **error)
{
        g_autofree char *out = NULL;
        g_autoptr(GError) e = NULL;
        uint64_t o, i, f;

        if (nft_run("list counters table inet " PLATFORM_NFT_TABLE "\n", &out, &e) < 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                            "the kill switch is not installed (%s)", e->message);
                return -ENOENT;
        }
        if (!counter_packets(out, "dropped_out", &o) || !counter_packets(out, "dropped_in", &i) ||
            !counter_packets(out, "dropped_fwd", &f)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "the kill switch's counters are missing");
                return -EBADMSG;
        }
        *ret_dropped_out = o;
        *ret_dropped_in = i;
        *ret_dropped_fwd = f;
        return 0;
}

int platform_kill_switch_remove(const char *state_dir, GError **error)
{
        return killswitch_remove(state_dir, error);
}
