/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux platform layer: everything tsunagud changes on the machine while a
 * tunnel is up, and how it is undone.
 *
 *   addresses, MTU, link up     rtnetlink (libmnl)           addr.c
 *   routes and policy rules     rtnetlink (libmnl)           route.c, plan.c
 *   DNS                         systemd-resolved over D-Bus  dns-resolved.c
 *                               or /etc/resolv.conf          dns-resolvconf.c
 *   kill switch                 nftables (libnftables)       killswitch.c
 *   crash recovery              a journal under /run/tsunagu  journal.c, platform.c
 *   link monitor                rtnetlink groups in a GSource monitor.c
 *
 * Every change is written to the journal (atomically: temp file, fsync,
 * rename) BEFORE it is made, so a crash at any point leaves a journal that
 * names everything that may exist; platform_recover() undoes it. Undoing
 * something that is already gone is not an error.
 *
 * Routing (the wg-quick idea, with the TunnelVision hole closed):
 *
 *   full tunnel, LAN not allowed
 *     pref P+2  not fwmark M lookup T              T: default dev tun (+ throws)
 *   full tunnel, LAN allowed
 *     pref P    not fwmark M lookup T suppress_prefixlength 0   (tunnel's specific routes)
 *     pref P+1  to <private range> lookup main suppress_prefixlength 0
 *     pref P+2  not fwmark M lookup T
 *   split tunnel
 *     pref P+2  not fwmark M lookup T              T: the included prefixes, throws for
 *                                                     the excluded ones; misses fall
 *                                                     through to main
 *
 * Because rule P+2 comes before main (32766) and table T holds a default
 * route, a more specific route that a rogue DHCP server puts into main
 * (0.0.0.0/1, a /32: TunnelVision, CVE-2024-3661) is never consulted for
 * unmarked traffic. wg-quick's "lookup main suppress_prefixlength 0" BEFORE
 * the tunnel rule would let such a route win; we only ever let main answer
 * for private ranges, and only when the profile allows the LAN (a LAN
 * that claims a public subnet, TunnelCrack LocalNet, still goes into the
 * tunnel). The UDP socket to the gateway carries fwmark M and so skips
 * table T: no host route to the gateway is needed.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gio/gio.h>

#define PLATFORM_FWMARK_DEFAULT   0x7473u /* "ts" */
#define PLATFORM_TABLE_DEFAULT    0x7473u
#define PLATFORM_PRIORITY_DEFAULT 32700u /* P above; main is 32766 */
#define PLATFORM_STATE_DIR        "/run/tsunagu"
#define PLATFORM_RESOLV_CONF      "/etc/resolv.conf"
#define PLATFORM_NFT_TABLE        "tsunagu" /* family inet */
#define PLATFORM_TUN_PREFIX       "tsu"     /* devices platform_recover() removes */

/* Limits: what a configuration may hold (the daemon validates the profile and
 * the gateway's configuration payload against these before calling in). */
#define PLATFORM_MAX_PREFIXES 256
#define PLATFORM_MAX_DNS      8
#define PLATFORM_MAX_DOMAINS  32
#define PLATFORM_MAX_GATEWAYS 4

struct platform_addr {
        int family; /* AF_INET or AF_INET6 */
        union {
                struct in_addr v4;
                struct in6_addr v6;
        };
};

struct platform_prefix {
        struct platform_addr addr;
        uint8_t prefixlen;
};

enum platform_tunnel_mode {
        PLATFORM_TUNNEL_FULL,  /* everything not marked goes into the tunnel */
        PLATFORM_TUNNEL_SPLIT, /* only the include prefixes (minus exclude) */
};

enum platform_dns_backend {
        PLATFORM_DNS_AUTO,        /* resolved if org.freedesktop.resolve1 is on the bus, else resolv.conf */
        PLATFORM_DNS_RESOLVED,    /* systemd-resolved only */
        PLATFORM_DNS_RESOLV_CONF, /* rewrite resolv_conf only */
        PLATFORM_DNS_NONE,        /* leave DNS alone */
};

struct platform_config {
        /* Where the journal and saved files go (PLATFORM_STATE_DIR). */
        const char *state_dir;
        /* The resolv.conf the fallback replaces (PLATFORM_RESOLV_CONF). */
        const char *resolv_conf;
        /* The bus on which to find systemd-resolved; NULL: the system bus. */
        GDBusConnection *bus;

        /* The TUN device (created by the datapath); both must name the same link. */
        const char *ifname;
        int ifindex;
        uint32_t mtu; /* 0: leave as is */

        /* Virtual addresses from the gateway (an IPv4 /32, an IPv6 /128). */
        bool has_ipv4;
        struct in_addr ipv4;
        bool has_ipv6;
        struct in6_addr ipv6;

        /* DNS servers and domains. search_domains become search domains,
         * routing_domains routing-only ("~corp.example"); in full tunnel "~."
         * is added. NULL-terminated, may be NULL. */
        const struct platform_addr *dns;
        size_t n_dns;
        const char *const *search_domains;
        const char *const *routing_domains;
        enum platform_dns_backend dns_backend;

        enum platform_tunnel_mode mode;
        /* Split: the prefixes that go into the tunnel. Full: ignored except
         * that they are installed too (harmless, and more specific). */
        const struct platform_prefix *include;
        size_t n_include;
        /* Prefixes that never go into the tunnel (both modes). */
        const struct platform_prefix *exclude;
        size_t n_exclude;

        /* The gateway(s) the marked UDP socket talks to, and its IKE port
         * (500 and 4500 are always allowed; a third port may be given). */
        const struct platform_addr *gateways;
        size_t n_gateways;
        uint16_t gateway_port;

        uint32_t fwmark;        /* 0: PLATFORM_FWMARK_DEFAULT */
        uint32_t table;         /* 0: PLATFORM_TABLE_DEFAULT */
        uint32_t rule_priority; /* 0: PLATFORM_PRIORITY_DEFAULT; uses P..P+2 */

        bool kill_switch; /* nftables table inet tsunagu */
        bool allow_lan;   /* private ranges (RFC 1918, link-local, ULA) bypass tunnel and firewall */
        bool always_on;   /* the kill switch stays when the tunnel is reverted or the helper dies */
        /* Block a family outright (unreachable in table T). A full tunnel
         * blocks a family the tunnel carries no address for on its own. */
        bool block_ipv4;
        bool block_ipv6;
};

/* Fills the defaults: state_dir, resolv_conf, fwmark, table, priority, full
 * tunnel, kill switch on, DNS auto. */
void platform_config_init(struct platform_config *cfg);

struct platform_state;

/* Applies cfg. On failure everything applied so far is rolled back and
 * *error names the step, the object and the cause. */
int platform_apply(const struct platform_config *cfg, struct platform_state **ret,
                   GError **error);

enum {
        /* Leave the kill switch in place (reconnecting). */
        PLATFORM_REVERT_KEEP_KILL_SWITCH = 1 << 0,
};

/* Undoes everything platform_apply() did (the kill switch stays when the
 * profile is always-on or the flag says so) and frees state. Failures to undo
 * one object do not stop the others; the first is reported. NULL-safe. */
int platform_revert(struct platform_state *state, unsigned flags, GError **error);

/* Replaces the kill switch that platform_apply() set up for state with one
 * built from cfg (the same configuration with other gateways: a redirect,
 * RFC 5685), in one nftables transaction: no packet passes between the old
 * table and the new one. -ENOENT when state has no kill switch. */
int platform_kill_switch_update(struct platform_state *state, const struct platform_config *cfg,
                                GError **error);

/* Frees without reverting (tests; a daemon that hands over). */
void platform_state_free(struct platform_state *state);
/* For g_autoptr(platform_state). */
typedef struct platform_state platform_state;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(platform_state, platform_state_free)

/* The journal file this state writes. */
const char *platform_state_journal_path(const struct platform_state *state);

enum {
        /* Remove an always-on kill switch too. */
        PLATFORM_RECOVER_REMOVE_KILL_SWITCH = 1 << 0,
};

/* Undoes whatever a previous instance left according to the journals under
 * state_dir, then removes TUN devices named tsu* in this network namespace.
 * bus: where resolved lives (NULL: system bus). Idempotent. */
int platform_recover(const char *state_dir, GDBusConnection *bus, unsigned flags,
                     GError **error);

/* Removes the kill switch table and its record (the user turned always-on off). */
int platform_kill_switch_remove(const char *state_dir, GError **error);

/* The kill switch's drop counters (packets). -ENOENT when it is not there. */
int platform_kill_switch_counters(uint64_t *ret_dropped_out, uint64_t *ret_dropped_in,
                                  uint64_t *ret_dropped_fwd, GError **error);

/* ---------------------------------------------------------------- monitor */

enum platform_net_event {
        PLATFORM_NET_CHANGED, /* a new default route or address: reconnect / roam */
        PLATFORM_NET_LOST,    /* no default route left outside the tunnel */
};

typedef void (*platform_monitor_cb)(enum platform_net_event event, void *userdata);

struct platform_monitor;

/* Watches links, addresses and routes in the current network namespace from
 * the thread-default main context. Changes are debounced (debounce_ms after
 * the last notification) and reported only when the set of default routes and
 * global addresses outside ignore_ifindex (our TUN, 0: none) and outside
 * devices named PLATFORM_TUN_PREFIX* changed. */
int platform_monitor_new(unsigned debounce_ms, platform_monitor_cb cb, void *userdata,
                         struct platform_monitor **ret, GError **error);
void platform_monitor_set_ignore(struct platform_monitor *m, int ifindex);
void platform_monitor_free(struct platform_monitor *m);
typedef struct platform_monitor platform_monitor;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(platform_monitor, platform_monitor_free)

/* Text forms for logs and tests. */
const char *platform_net_event_to_string(enum platform_net_event event);
int platform_prefix_parse(const char *s, struct platform_prefix *ret);
int platform_addr_parse(const char *s, struct platform_addr *ret);
