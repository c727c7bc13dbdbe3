/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsu-platform-tool: drives the platform layer from the namespace tests.
 *
 *   apply [options]     apply a configuration, print "applied", wait for a
 *                       line (or EOF) on stdin or SIGTERM, revert, print
 *                       "reverted"; --die-after N kills itself (SIGKILL)
 *                       after N steps of the apply; --redirect-to A then
 *                       replaces the kill switch's gateways with A and
 *                       prints "redirected"
 *   recover             platform_recover()
 *   monitor             print "event changed" / "event lost" as they come
 *   counters            print the kill switch's drop counters
 *   tun NAME            hold a TUN device open (draining it) until stdin closes
 *
 * Exit status 0 on success; errors go to stderr as "error: <message>".
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib-unix.h>
#include <linux/if_tun.h>

#include "platform/linux/hooks.h"
#include "platform/linux/platform.h"

static GMainLoop *loop;
static guint64 tun_packets;

static char *opt_state_dir, *opt_resolv_conf, *opt_bus_address, *opt_ifname, *opt_create_tun;
static char *opt_ipv4, *opt_ipv6, *opt_dns_backend, *opt_ignore, *opt_redirect_to;
static char **opt_dns, **opt_search, **opt_routing, **opt_include, **opt_exclude, **opt_gateway;
static gint opt_mtu, opt_port, opt_die_after = -1, opt_debounce = 300;
static gint64 opt_fwmark, opt_table, opt_priority;
static gboolean opt_split, opt_no_kill_switch, opt_allow_lan, opt_always_on, opt_block4,
        opt_block6, opt_keep_kill_switch, opt_remove_kill_switch, opt_no_revert;

static const GOptionEntry entries[] = {
        { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_state_dir, "state directory", "DIR" },
        { "resolv-conf", 0, 0, G_OPTION_ARG_FILENAME, &opt_resolv_conf, "resolv.conf path", "P" },
        { "bus-address", 0, 0, G_OPTION_ARG_STRING, &opt_bus_address, "D-Bus address", "A" },
        { "ifname", 0, 0, G_OPTION_ARG_STRING, &opt_ifname, "existing TUN device", "NAME" },
        { "create-tun", 0, 0, G_OPTION_ARG_STRING, &opt_create_tun, "create and drain a TUN", "N" },
        { "mtu", 0, 0, G_OPTION_ARG_INT, &opt_mtu, "MTU", "N" },
        { "ipv4", 0, 0, G_OPTION_ARG_STRING, &opt_ipv4, "virtual IPv4", "A" },
        { "ipv6", 0, 0, G_OPTION_ARG_STRING, &opt_ipv6, "virtual IPv6", "A" },
        { "dns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_dns, "DNS server", "A" },
        { "search", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_search, "search domain", "D" },
        { "routing", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_routing, "routing domain", "D" },
        { "dns-backend", 0, 0, G_OPTION_ARG_STRING, &opt_dns_backend, "auto|resolved|resolvconf|none", "B" },
        { "split", 0, 0, G_OPTION_ARG_NONE, &opt_split, "split tunnel", NULL },
        { "include", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_include, "included prefix", "P" },
        { "exclude", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_exclude, "excluded prefix", "P" },
        { "gateway", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_gateway, "gateway address", "A" },
        { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "gateway port", "N" },
        { "redirect-to", 0, 0, G_OPTION_ARG_STRING, &opt_redirect_to, "then: the kill switch's new gateway", "A" },
        { "fwmark", 0, 0, G_OPTION_ARG_INT64, &opt_fwmark, "fwmark", "N" },
        { "table", 0, 0, G_OPTION_ARG_INT64, &opt_table, "routing table", "N" },
        { "priority", 0, 0, G_OPTION_ARG_INT64, &opt_priority, "rule priority", "N" },
        { "no-kill-switch", 0, 0, G_OPTION_ARG_NONE, &opt_no_kill_switch, "no kill switch", NULL },
        { "allow-lan", 0, 0, G_OPTION_ARG_NONE, &opt_allow_lan, "allow the LAN", NULL },
        { "always-on", 0, 0, G_OPTION_ARG_NONE, &opt_always_on, "always-on kill switch", NULL },
        { "block-ipv4", 0, 0, G_OPTION_ARG_NONE, &opt_block4, "block IPv4", NULL },
        { "block-ipv6", 0, 0, G_OPTION_ARG_NONE, &opt_block6, "block IPv6", NULL },
        { "keep-kill-switch", 0, 0, G_OPTION_ARG_NONE, &opt_keep_kill_switch, "revert flag", NULL },
        { "remove-kill-switch", 0, 0, G_OPTION_ARG_NONE, &opt_remove_kill_switch, "recover flag", NULL },
        { "no-revert", 0, 0, G_OPTION_ARG_NONE, &opt_no_revert, "exit without reverting", NULL },
        { "die-after", 0, 0, G_OPTION_ARG_INT, &opt_die_after, "SIGKILL after N steps", "N" },
        { "debounce", 0, 0, G_OPTION_ARG_INT, &opt_debounce, "monitor debounce (ms)", "MS" },
        { "ignore", 0, 0, G_OPTION_ARG_STRING, &opt_ignore, "monitor: device to ignore", "NAME" },
        { NULL },
};

static int die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int die(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        fputs("error: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return 1;
}

static gboolean on_signal(gpointer data)
{
        g_main_loop_quit(loop);
        return G_SOURCE_CONTINUE;
}

static guint stdin_watch;

static gboolean on_stdin(gint fd, GIOCondition cond, gpointer data)
{
        char buf[256];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n <= 0 || memchr(buf, '\n', (size_t)n)) {
                g_main_loop_quit(loop);
                stdin_watch = 0;
                return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
}

static gboolean on_tun(gint fd, GIOCondition cond, gpointer data)
{
        char buf[65536];

        while (read(fd, buf, sizeof(buf)) > 0)
                tun_packets++;
        return G_SOURCE_CONTINUE;
}

static void wait_for_stop(void)
{
        guint s1 = g_unix_signal_add(SIGTERM, on_signal, NULL);
        guint s2 = g_unix_signal_add(SIGINT, on_signal, NULL);

        stdin_watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
        g_main_loop_run(loop);
        g_source_remove(s1);
        g_source_remove(s2);
        if (stdin_watch)
                g_source_remove(stdin_watch);
        stdin_watch = 0;
}

/* A TUN device, the way the datapath makes one (without offloads). */
static int tun_create(const char *name, int *ret_ifindex)
{
        struct ifreq ifr = { 0 };
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

        if (fd < 0)
                return -errno;
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
        g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        *ret_ifindex = (int)if_nametoindex(name);
        return fd;
}

static void step_hook(const char *what, void *userdata)
{
        int *left = userdata;

        if (--*left == 0) {
                printf("dying after %s\n", what);
                fflush(stdout);
                raise(SIGKILL);
        }
}

static GDBusConnection *bus_from_option(GError **error)
{
        if (!opt_bus_address)
                return NULL;
        return g_dbus_connection_new_for_address_sync(
                opt_bus_address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, error);
}

static int parse_addrs(char **in, struct platform_addr **ret, size_t *ret_n, const char *what)
{
        size_t n = in ? g_strv_length(in) : 0;
        struct platform_addr *a = g_new0(struct platform_addr, n + 1);

        for (size_t i = 0; i < n; i++)
                if (platform_addr_parse(in[i], &a[i]) < 0) {
                        g_free(a);
                        return die("bad %s address \"%s\"", what, in[i]);
                }
        *ret = a;
        *ret_n = n;
        return 0;
}

static int parse_prefixes(char **in, struct platform_prefix **ret, size_t *ret_n,
                          const char *what)
{
        size_t n = in ? g_strv_length(in) : 0;
        struct platform_prefix *p = g_new0(struct platform_prefix, n + 1);

        for (size_t i = 0; i < n; i++)
                if (platform_prefix_parse(in[i], &p[i]) < 0) {
                        g_free(p);
                        return die("bad %s prefix \"%s\"", what, in[i]);
                }
        *ret = p;
        *ret_n = n;
        return 0;
}

static int cmd_apply(void)
{
        struct platform_config cfg;
        g_autofree struct platform_addr *dns = NULL, *gws = NULL;
        g_autofree struct platform_prefix *inc = NULL, *exc = NULL;
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(GError) error = NULL;
        struct platform_state *st = NULL;
        struct platform_addr a;
        int tun_fd = -1, ifindex = 0, left = opt_die_after;
        guint tun_watch = 0;

        platform_config_init(&cfg);
        if (opt_create_tun) {
                tun_fd = tun_create(opt_create_tun, &ifindex);
                if (tun_fd < 0)
                        return die("creating TUN %s: %s", opt_create_tun, g_strerror(-tun_fd));
                tun_watch = g_unix_fd_add(tun_fd, G_IO_IN, on_tun, NULL);
                cfg.ifname = opt_create_tun;
        } else if (opt_ifname) {
                ifindex = (int)if_nametoindex(opt_ifname);
                if (!ifindex)
                        return die("no device %s", opt_ifname);
                cfg.ifname = opt_ifname;
        }
        cfg.ifindex = ifindex;
        if (opt_state_dir)
                cfg.state_dir = opt_state_dir;
        if (opt_resolv_conf)
                cfg.resolv_conf = opt_resolv_conf;
        bus = bus_from_option(&error);
        if (opt_bus_address && !bus)
                return die("connecting to %s: %s", opt_bus_address, error->message);
        cfg.bus = bus;
        cfg.mtu = (uint32_t)opt_mtu;
        if (opt_ipv4) {
                if (platform_addr_parse(opt_ipv4, &a) < 0 || a.family != AF_INET)
                        return die("bad --ipv4");
                cfg.has_ipv4 = true;
                cfg.ipv4 = a.v4;
        }
        if (opt_ipv6) {
                if (platform_addr_parse(opt_ipv6, &a) < 0 || a.family != AF_INET6)
                        return die("bad --ipv6");
                cfg.has_ipv6 = true;
                cfg.ipv6 = a.v6;
        }
        if (parse_addrs(opt_dns, &dns, &cfg.n_dns, "DNS") ||
            parse_addrs(opt_gateway, &gws, &cfg.n_gateways, "gateway") ||
            parse_prefixes(opt_include, &inc, &cfg.n_include, "include") ||
            parse_prefixes(opt_exclude, &exc, &cfg.n_exclude, "exclude"))
                return 1;
        cfg.dns = dns;
        cfg.gateways = gws;
        cfg.include = inc;
        cfg.exclude = exc;
        cfg.search_domains = (const char *const *)opt_search;
        cfg.routing_domains = (const char *const *)opt_routing;
        if (!opt_dns_backend || strcmp(opt_dns_backend, "auto") == 0)
                cfg.dns_backend = PLATFORM_DNS_AUTO;
        else if (strcmp(opt_dns_backend, "resolved") == 0)
                cfg.dns_backend = PLATFORM_DNS_RESOLVED;
        else if (strcmp(opt_dns_backend, "resolvconf") == 0)
                cfg.dns_backend = PLATFORM_DNS_RESOLV_CONF;
        else if (strcmp(opt_dns_backend, "none") == 0)
                cfg.dns_backend = PLATFORM_DNS_NONE;
        else
                return die("bad --dns-backend");
        cfg.mode = opt_split ? PLATFORM_TUNNEL_SPLIT : PLATFORM_TUNNEL_FULL;
        if (opt_port)
                cfg.gateway_port = (uint16_t)opt_port;
        if (opt_fwmark)
                cfg.fwmark = (uint32_t)opt_fwmark;
        if (opt_table)
                cfg.table = (uint32_t)opt_table;
        if (opt_priority)
                cfg.rule_priority = (uint32_t)opt_priority;
        cfg.kill_switch = !opt_no_kill_switch;
        cfg.allow_lan = opt_allow_lan;
        cfg.always_on = opt_always_on;
        cfg.block_ipv4 = opt_block4;
        cfg.block_ipv6 = opt_block6;
        if (opt_die_after > 0)
                platform_set_step_hook(step_hook, &left);

        if (platform_apply(&cfg, &st, &error) < 0)
                return die("%s", error->message);
        printf("applied %s\n", platform_state_journal_path(st));
        fflush(stdout);
        if (opt_redirect_to) {
                struct platform_addr to;

                if (platform_addr_parse(opt_redirect_to, &to) < 0)
                        return die("bad --redirect-to");
                cfg.gateways = &to;
                cfg.n_gateways = 1;
                if (platform_kill_switch_update(st, &cfg, &error) < 0)
                        return die("%s", error->message);
                printf("redirected\n");
                fflush(stdout);
        }
        wait_for_stop();
        if (opt_no_revert) {
                platform_state_free(st);
                printf("left\n");
        } else {
                if (platform_revert(st, opt_keep_kill_switch ? PLATFORM_REVERT_KEEP_KILL_SWITCH : 0,
                                    &error) < 0)
                        return die("%s", error->message);
                printf("reverted\n");
        }
        if (tun_fd >= 0) {
                on_tun(tun_fd, G_IO_IN, NULL);
                g_source_remove(tun_watch);
                close(tun_fd);
                printf("tun-packets %" G_GUINT64_FORMAT "\n", tun_packets);
        }
        return 0;
}

static int cmd_recover(void)
{
        g_autoptr(GDBusConnection) bus = NULL;
        g_autoptr(GError) error = NULL;

        bus = bus_from_option(&error);
        if (opt_bus_address && !bus)
                return die("connecting to %s: %s", opt_bus_address, error->message);
        if (platform_recover(opt_state_dir ? opt_state_dir : PLATFORM_STATE_DIR, bus,
                             opt_remove_kill_switch ? PLATFORM_RECOVER_REMOVE_KILL_SWITCH : 0,
                             &error) < 0)
                return die("%s", error->message);
        printf("recovered\n");
        return 0;
}

static void on_event(enum platform_net_event ev, void *userdata)
{
        printf("event %s\n", platform_net_event_to_string(ev));
        fflush(stdout);
}

static int cmd_monitor(void)
{
        g_autoptr(platform_monitor) m = NULL;
        g_autoptr(GError) error = NULL;

        if (platform_monitor_new((unsigned)opt_debounce, on_event, NULL, &m, &error) < 0)
                return die("%s", error->message);
        if (opt_ignore)
                platform_monitor_set_ignore(m, (int)if_nametoindex(opt_ignore));
        printf("ready\n");
        fflush(stdout);
        wait_for_stop();
        return 0;
}

static int cmd_counters(void)
{
        g_autoptr(GError) error = NULL;
        uint64_t o, i, f;

        if (platform_kill_switch_counters(&o, &i, &f, &error) < 0)
                return die("%s", error->message);
        printf("out %" G_GUINT64_FORMAT " in %" G_GUINT64_FORMAT " fwd %" G_GUINT64_FORMAT "\n",
               (guint64)o, (guint64)i, (guint64)f);
        return 0;
}

static int cmd_tun(const char *name)
{
        int ifindex, fd = tun_create(name, &ifindex);
        guint w;

        if (fd < 0)
                return die("creating TUN %s: %s", name, g_strerror(-fd));
        w = g_unix_fd_add(fd, G_IO_IN, on_tun, NULL);
        printf("ready %d\n", ifindex);
        fflush(stdout);
        wait_for_stop();
        g_source_remove(w);
        close(fd);
        printf("tun-packets %" G_GUINT64_FORMAT "\n", tun_packets);
        return 0;
}

int main(int argc, char **argv)
{
        g_autoptr(GOptionContext) ctx = g_option_context_new("apply|recover|monitor|counters|tun NAME");
        g_autoptr(GError) error = NULL;
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error))
                return die("%s", error->message);
        if (argc < 2)
                return die("which command?");
        loop = g_main_loop_new(NULL, FALSE);
        if (strcmp(argv[1], "apply") == 0)
                r = cmd_apply();
        else if (strcmp(argv[1], "recover") == 0)
                r = cmd_recover();
        else if (strcmp(argv[1], "monitor") == 0)
                r = cmd_monitor();
        else if (strcmp(argv[1], "counters") == 0)
                r = cmd_counters();
        else if (strcmp(argv[1], "tun") == 0 && argc == 3)
                r = cmd_tun(argv[2]);
        else
                r = die("unknown command %s", argv[1]);
        g_main_loop_unref(loop);
        g_strfreev(opt_dns);
        g_strfreev(opt_search);
        g_strfreev(opt_routing);
        g_strfreev(opt_include);
        g_strfreev(opt_exclude);
        g_strfreev(opt_gateway);
        g_free(opt_state_dir);
        g_free(opt_resolv_conf);
        g_free(opt_bus_address);
        g_free(opt_ifname);
        g_free(opt_create_tun);
        g_free(opt_ipv4);
        g_free(opt_ipv6);
        g_free(opt_redirect_to);
        g_free(opt_dns_backend);
        g_free(opt_ignore);
        return r;
}
