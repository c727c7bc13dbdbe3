/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu connect --foreground PROFILE [--password-stdin | --ask]
 *
 * The engine in this process, as root, without tsunagud or a system bus:
 * the profile file is read and validated here (any format profile_import()
 * knows: no import step), the TUN device and the two UDP sockets are opened
 * here, the platform changes are applied here (platform_apply()) and undone
 * on the way out. It prints the states as they come and a status block
 * once connected, stays until SIGINT/SIGTERM, then disconnects politely
 * (DELETE, a bounded wait) and reverts.
 *
 * It is a full owner of the engine: it watches the network (platform
 * monitor; our TUN device ignored) and, when the default route or the
 * addresses change, re-connects both UDP sockets so that the kernel picks
 * the new source, then tells the engine (MOBIKE or a reconnect). When the
 * gateway redirects us (RFC 5685) it resolves the new gateway, refuses
 * addresses no gateway can have, lets it through the kill switch, and
 * points the sockets at it.
 *
 * The platform's crash journal lives in /run/tsunagu, or, in a network
 * namespace other than the machine's (or when that cannot be told), in
 * /run/tsunagu/netns-<inode>, so that platform_recover() never touches what
 * another namespace left.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib.h>

#include "client/cli/cli.h"
#include "client/cli/foreground.h"
#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/profile/profile.h"

int connect_wants_foreground(int argc, char *argv[])
{
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--foreground") == 0 || strcmp(argv[i], "-f") == 0)
                        return 1;
        return 0;
}

static void help(FILE *f)
{
        fprintf(f,
                "Usage: %s connect --foreground [OPTIONS] PROFILE\n"
                "\n"
                "Connects with the profile file PROFILE (tsunagu, .sswan or .mobileconfig) in\n"
                "this process, as root, without tsunagud: opens the tunnel device, applies\n"
                "routes and DNS, prints the state, and stays until Ctrl-C or SIGTERM, which\n"
                "disconnect cleanly.\n"
                "\n"
                "Options:\n"
                "  --password-stdin      read the password (or key passphrase) as one line\n"
                "                        from standard input\n"
                "  --ask                 ask on the terminal when a secret is needed (default\n"
                "                        when standard input is a terminal)\n"
                "  --username=NAME       the EAP user name when the profile has none\n"
                "  --fragment-size=N     IKE fragment size, bytes of an IP packet (default 1280)\n"
                "  -v, --verbose         also print debug messages\n"
                "  -q, --quiet           only errors and the final result\n"
                "  -h, --help            this text\n"
                "\n"
                "SIGINT, SIGTERM and SIGHUP disconnect; a second one leaves at once (what is\n"
                "left is undone at the next start, from the journal in /run/tsunagu).\n"
                "SIGUSR1 prints the status and the datapath counters (packets, bytes, drops\n"
                "by reason).\n"
                "\n"
                "Environment: TSUNAGU_DATAPATH_OFFLOAD=0 moves every packet on its own (no TUN\n"
                "segmentation offloads, no UDP GSO/GRO), as on kernels without them; 1 or\n"
                "unset negotiates them (the default).\n"
                "\n"
                "Exit codes: 0 disconnected on request, 1 failure, 2 usage, 3 authentication\n"
                "failed, 4 gateway unreachable, 5 profile invalid.\n",
                cli_program);
}

#if defined(HAVE_LIBMNL) && defined(HAVE_LIBNFTABLES)

#include "client/engine/engine.h"
#include "platform/linux/platform.h"
#include "platform/linux/tun.h"
#include "platform/linux/udp.h"

#define SECRET_MAX 1024

struct fg {
        struct profile *prof;
        struct engine *engine;
        GMainLoop *loop;
        char ifname[16];
        char state_dir[128];
        struct platform_state *platform;
        struct sockaddr_storage gateway;
        int verbosity; /* 0 quiet, 1 normal, 2 verbose */
        bool ask;
        bool interrupted;
        bool connected_once;
        enum engine_state final;
        struct engine_error error;
        /* staying connected */
        int fd500, fd4500;
        struct platform_monitor *monitor;
        /* The last configuration applied: applied again (revert with the
         * kill switch kept, apply) when a redirect moves the gateway, whose
         * address the kill switch lets through. */
        struct engine_net_config applied;
        bool have_applied;
        GCancellable *resolving; /* a redirect's FQDN */
};

/* ------------------------------------------------------------------ secrets */

/* One line from fd into buf (without the newline); wiped by the caller. */
static int read_line(int fd, char *buf, size_t size)
{
        size_t n = 0;

        while (n + 1 < size) {
                char c;
                ssize_t k = read(fd, &c, 1);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0 || c == '\n')
                        break;
                buf[n++] = c;
        }
        if (n && buf[n - 1] == '\r')
                n--;
        buf[n] = 0;
        return (int)n;
}

static int ask_tty(const char *prompt, bool echo, char *buf, size_t size)
{
        _cleanup_close_ int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        struct termios old, quiet;
        bool restore = false;
        int r;

        if (fd < 0)
                return -errno;
        dprintf(fd, "%s: ", prompt);
        if (!echo && tcgetattr(fd, &old) == 0) {
                quiet = old;
                quiet.c_lflag &= ~(tcflag_t)ECHO;
                quiet.c_lflag |= ECHONL;
                restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
        }
        r = read_line(fd, buf, size);
        if (restore)
                (void)tcsetattr(fd, TCSAFLUSH, &old);
        return r;
}

/* ------------------------------------------------------------------ engine callbacks */

static void say(struct fg *f, int min, const char *fmt, ...) _printf_(3, 4);
static void say(struct fg *f, int min, const char *fmt, ...)
{
        va_list ap;

        if (f->verbosity < min)
                return;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fflush(stdout);
}

static void on_log(void *ud, int priority, const char *message)
{
        struct fg *f = ud;

        /* Errors end the connection and are printed once, at the end. */
        if ((priority == 4 /* LOG_WARNING */) ||
            (priority >= 5 && priority <= 6 && f->verbosity >= 1) || f->verbosity >= 2) {
                fprintf(stderr, "%s: %s\n", cli_program, message);
                fflush(stderr);
        }
}

static const char *prefix_text(const struct engine_prefix *p, bool with_len, char *buf, size_t size)
{
        char a[INET6_ADDRSTRLEN];

        inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
        if (with_len)
                snprintf(buf, size, "%s/%u", a, p->prefixlen);
        else
                snprintf(buf, size, "%s", a);
        return buf;
}

/* The details of the status block: printed once connected and on SIGUSR1. */
static void print_details(struct fg *f, const struct engine_status *st, int min)
{
        const struct engine_net_config *c = &st->config;
        char t[64];

        say(f, min, "  interface   %s, MTU %u\n", f->ifname, c->mtu);
        say(f, min, "  virtual IP ");
        for (unsigned i = 0; i < c->n_addrs; i++)
                say(f, min, " %s", prefix_text(&c->addrs[i], false, t, sizeof(t)));
        say(f, min, "\n  DNS        ");
        for (unsigned i = 0; i < c->n_dns; i++)
                say(f, min, " %s", prefix_text(&c->dns[i], false, t, sizeof(t)));
        if (c->n_domains) {
                say(f, min, " (domains:");
                for (unsigned i = 0; i < c->n_domains; i++)
                        say(f, min, " %s", c->domains[i]);
                say(f, min, ")");
        }
        say(f, min, "\n  routes     ");
        if (c->full_tunnel)
                say(f, min, " everything (full tunnel)");
        for (unsigned i = 0; i < c->n_include && !c->full_tunnel; i++)
                say(f, min, " %s", prefix_text(&c->include[i], true, t, sizeof(t)));
        for (unsigned i = 0; i < c->n_exclude; i++)
                say(f, min, " !%s", prefix_text(&c->exclude[i], true, t, sizeof(t)));
        say(f, min, "\n  IKE         %s%s%s\n", st->ike_suite,
            st->nat_local ? ", NAT in front of us" : "",
            st->nat_remote ? ", NAT (or forced encapsulation) at the gateway" : "");
        say(f, min, "  ESP         %s in UDP/4500, SPIs %08x (in) %08x (out)\n", st->esp_suite,
            st->spi_in, st->spi_out);
        say(f, min, "  datapath    %s\n", st->offload);
}

static void print_status(struct fg *f)
{
        struct engine_status st;
        char gw[INET6_ADDRSTRLEN] = "?";

        engine_get_status(f->engine, &st);
        if (f->gateway.ss_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)&f->gateway)->sin_addr, gw, sizeof(gw));
        else
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&f->gateway)->sin6_addr, gw,
                          sizeof(gw));
        say(f, 0, "connected to %s (%s) in %.2f s\n", f->prof->host, gw,
            (double)st.connect_ms / 1000.0);
        print_details(f, &st, 1);
}

/* SIGUSR1: the state, the details when connected, and the datapath
 * counters (the same numbers D-Bus Status gives), whatever the verbosity. */
static gboolean on_usr1(gpointer data)
{
        struct fg *f = data;
        struct engine_status st;

        engine_get_status(f->engine, &st);
        say(f, 0, "status: %s\n", engine_state_to_string(st.state));
        if (st.state == ENGINE_STATE_CONNECTED)
                print_details(f, &st, 0);
        say(f, 0, "  packets     in %llu, out %llu\n", (unsigned long long)st.packets_in,
            (unsigned long long)st.packets_out);
        say(f, 0, "  bytes       in %llu, out %llu\n", (unsigned long long)st.bytes_in,
            (unsigned long long)st.bytes_out);
        say(f, 0, "  IKE/4500    in %llu, out %llu; keepalives out %llu\n",
            (unsigned long long)st.ike_in, (unsigned long long)st.ike_out,
            (unsigned long long)st.keepalives_out);
        say(f, 0, "  drops      ");
        if (st.n_drops == 0)
                say(f, 0, " none");
        for (unsigned i = 0; i < st.n_drops; i++)
                say(f, 0, " %s=%llu", st.drops[i].name, (unsigned long long)st.drops[i].count);
        say(f, 0, "\n");
        return G_SOURCE_CONTINUE;
}

static void on_state(void *ud, enum engine_state s, const struct engine_error *err)
{
        struct fg *f = ud;

        say(f, 1, "state: %s\n", engine_state_to_string(s));
        if (s == ENGINE_STATE_CONNECTED) {
                f->connected_once = true;
                print_status(f);
        }
        if (s == ENGINE_STATE_FAILED || s == ENGINE_STATE_DISCONNECTED) {
                f->final = s;
                if (err)
                        f->error = *err;
                g_main_loop_quit(f->loop);
        }
}

static void fill_addr(struct platform_addr *a, const struct engine_prefix *p)
{
        memset(a, 0, sizeof(*a));
        a->family = p->family == 4 ? AF_INET : AF_INET6;
        memcpy(a->family == AF_INET ? (void *)&a->v4 : (void *)&a->v6, p->addr,
               p->family == 4 ? 4 : 16);
}

static int on_apply(void *ud, const struct engine_net_config *c, char **ret_error)
{
        struct fg *f = ud;
        const struct profile *p = f->prof;
        struct platform_config pc;
        struct platform_addr dns[ENGINE_MAX_DNS], gw;
        struct platform_prefix inc[ENGINE_MAX_PREFIXES], exc[ENGINE_MAX_PREFIXES];
        const char *routing[ENGINE_MAX_DOMAINS + 33];
        size_t n_routing = 0;
        g_autoptr(GError) error = NULL;
        int r;

        platform_config_init(&pc);
        pc.state_dir = f->state_dir;
        pc.ifname = f->ifname;
        pc.ifindex = c->tun_ifindex;
        pc.mtu = c->mtu;
        for (unsigned i = 0; i < c->n_addrs; i++) {
                if (c->addrs[i].family == 4 && !pc.has_ipv4) {
                        pc.has_ipv4 = true;
                        memcpy(&pc.ipv4, c->addrs[i].addr, 4);
                } else if (c->addrs[i].family == 6 && !pc.has_ipv6) {
                        pc.has_ipv6 = true;
                        memcpy(&pc.ipv6, c->addrs[i].addr, 16);
                }
        }
        for (unsigned i = 0; i < c->n_dns; i++)
                fill_addr(&dns[i], &c->dns[i]);
        pc.dns = dns;
        pc.n_dns = c->n_dns;
        pc.search_domains = (const char *const *)p->dns_search;
        for (unsigned i = 0; i < c->n_domains; i++)
                routing[n_routing++] = c->domains[i];
        for (size_t i = 0;
             p->dns_routing && p->dns_routing[i] && n_routing < 32u + (size_t)c->n_domains; i++)
                routing[n_routing++] = p->dns_routing[i];
        routing[n_routing] = NULL;
        pc.routing_domains = routing;
        pc.mode = c->full_tunnel ? PLATFORM_TUNNEL_FULL : PLATFORM_TUNNEL_SPLIT;
        for (unsigned i = 0; i < c->n_include; i++) {
                fill_addr(&inc[i].addr, &c->include[i]);
                inc[i].prefixlen = c->include[i].prefixlen;
        }
        for (unsigned i = 0; i < c->n_exclude; i++) {
                fill_addr(&exc[i].addr, &c->exclude[i]);
                exc[i].prefixlen = c->exclude[i].prefixlen;
        }
        pc.include = inc;
        pc.n_include = c->n_include;
        pc.exclude = exc;
        pc.n_exclude = c->n_exclude;
        memset(&gw, 0, sizeof(gw));
        gw.family = f->gateway.ss_family;
        if (gw.family == AF_INET)
                gw.v4 = ((struct sockaddr_in *)&f->gateway)->sin_addr;
        else
                gw.v6 = ((struct sockaddr_in6 *)&f->gateway)->sin6_addr;
        pc.gateways = &gw;
        pc.n_gateways = 1;
        pc.gateway_port = p->port;
        pc.kill_switch = p->kill_switch;
        pc.allow_lan = p->allow_lan;
        pc.block_ipv4 = p->block_ipv4;
        pc.block_ipv6 = p->block_ipv6;
        r = platform_apply(&pc, &f->platform, &error);
        if (r < 0) {
                *ret_error = g_strdup(error ? error->message : g_strerror(-r));
                return r;
        }
        if (c != &f->applied)
                f->applied = *c;
        f->have_applied = true;
        return 0;
}

static void on_revert(void *ud, bool keep_kill_switch)
{
        struct fg *f = ud;
        g_autoptr(GError) error = NULL;

        if (!f->platform)
                return;
        if (platform_revert(f->platform, keep_kill_switch ? PLATFORM_REVERT_KEEP_KILL_SWITCH : 0,
                            &error) < 0)
                fprintf(stderr, "%s: undoing the network configuration: %s\n", cli_program,
                        error->message);
        f->platform = NULL;
}

static void on_revert_keep(struct fg *f)
{
        on_revert(f, true);
}

static void on_need_secret(void *ud, enum engine_secret_kind kind, const char *prompt)
{
        struct fg *f = ud;
        char buf[SECRET_MAX];
        int n = -ENOTTY;

        if (f->ask)
                n = ask_tty(prompt, kind == ENGINE_SECRET_USERNAME, buf, sizeof(buf));
        if (n < 0) {
                fprintf(stderr,
                        "%s: %s needed (%s), but there is no terminal to ask on; use "
                        "--password-stdin or --ask\n",
                        cli_program, engine_secret_kind_to_string(kind), prompt);
                (void)engine_provide_secret(f->engine, kind, NULL, 0);
                return;
        }
        (void)engine_provide_secret(f->engine, kind, buf, (size_t)n);
        secure_wipe(buf, sizeof(buf));
}

/* ------------------------------------------------------------------ staying connected */

static void with_port(const struct sockaddr_storage *in, uint16_t port,
                      struct sockaddr_storage *out, socklen_t *len);

static const char *addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
        const void *a = ss->ss_family == AF_INET6
                                ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                                : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

        if (!inet_ntop(ss->ss_family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
                snprintf(buf, size, "?");
        return buf;
}

/* Both sockets at the gateway again (udp_reconnect): the kernel chooses
 * the source address for the network as it is now. */
static int repoint(struct fg *f, const struct sockaddr_storage *gw)
{
        struct sockaddr_storage a;
        socklen_t len;
        int r;

        with_port(gw, f->prof->port, &a, &len);
        r = udp_reconnect(f->fd500, (struct sockaddr *)&a, len);
        if (r < 0)
                return r;
        with_port(gw, 4500, &a, &len);
        return udp_reconnect(f->fd4500, (struct sockaddr *)&a, len);
}

static void on_net(enum platform_net_event event, void *data)
{
        struct fg *f = data;
        enum engine_state s;
        char gw[INET6_ADDRSTRLEN];
        int r;

        if (!f->engine)
                return;
        s = engine_get_state(f->engine);
        if (s == ENGINE_STATE_DISCONNECTED || s == ENGINE_STATE_FAILED ||
            s == ENGINE_STATE_DISCONNECTING)
                return;
        if (event == PLATFORM_NET_LOST) {
                say(f, 1, "network: no default route left; waiting for one\n");
                return;
        }
        r = repoint(f, &f->gateway);
        if (r < 0) {
                /* No route to the gateway yet: the next change tries again. */
                fprintf(stderr, "%s: the network changed, but %s cannot be reached from it: %s\n",
                        cli_program, addr_text(&f->gateway, gw, sizeof(gw)), g_strerror(-r));
                return;
        }
        say(f, 1, "network changed\n");
        engine_network_changed(f->engine, NULL);
}

/* Why an address cannot be a gateway's (RFC 5685 gives any address; we
 * take none that points back at us or at nobody), or NULL. */
static const char *unusable_gateway(const struct sockaddr_storage *ss, int family)
{
        if (ss->ss_family != family)
                return family == AF_INET ? "not an IPv4 address (the connection uses IPv4)"
                                         : "not an IPv6 address (the connection uses IPv6)";
        if (family == AF_INET) {
                uint32_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);

                if ((a >> 24) == 0)
                        return "an address in 0.0.0.0/8";
                if ((a >> 24) == 127)
                        return "a loopback address";
                if ((a >> 28) == 0xe)
                        return "a multicast address";
                if (a == 0xffffffffu)
                        return "the broadcast address";
                return NULL;
        }
        {
                const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

                if (IN6_IS_ADDR_UNSPECIFIED(a))
                        return "the unspecified address";
                if (IN6_IS_ADDR_LOOPBACK(a))
                        return "the loopback address";
                if (IN6_IS_ADDR_MULTICAST(a))
                        return "a multicast address";
                if (IN6_IS_ADDR_V4MAPPED(a))
                        return "an IPv4-mapped address";
        }
        return NULL;
}

static void redirect_refuse(struct fg *f, const char *fmt, ...) _printf_(2, 3);
static void redirect_refuse(struct fg *f, const char *fmt, ...)
{
        char why[300];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        (void)engine_redirect_ready(f->engine, NULL, NULL, why);
}

/* A usable address: through the kill switch, the sockets at it, the
 * engine told. */
static void redirect_to(struct fg *f, const struct sockaddr_storage *to)
{
        struct sockaddr_storage gw, old = f->gateway;
        socklen_t len;
        char t[INET6_ADDRSTRLEN];
        const char *why = unusable_gateway(to, f->gateway.ss_family);
        int r;

        addr_text(to, t, sizeof(t));
        if (why) {
                redirect_refuse(f, "refusing the redirect to %s: %s", t, why);
                return;
        }
        with_port(to, f->prof->port, &gw, &len);
        f->gateway = gw;
        if (f->platform && f->have_applied) {
                /* The kill switch names the gateway: apply again for the
                 * new one (kept in place meanwhile). */
                g_autofree char *err = NULL;

                on_revert_keep(f);
                r = on_apply(f, &f->applied, &err);
                if (r < 0) {
                        g_autoptr(GError) ks_error = NULL;

                        /* the connection ends: the kill switch kept by the
                         * revert must not stay behind */
                        (void)platform_kill_switch_remove(f->state_dir, &ks_error);
                        f->gateway = old;
                        redirect_refuse(f, "cannot let %s through the kill switch: %s", t,
                                        err ? err : g_strerror(-r));
                        return;
                }
        }
        r = repoint(f, &gw);
        if (r < 0) {
                redirect_refuse(f, "cannot reach %s: %s", t, g_strerror(-r));
                return;
        }
        say(f, 1, "redirected to %s\n", t);
        (void)engine_redirect_ready(f->engine, &gw, NULL, NULL);
}

static void on_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
        struct fg *f = data;
        g_autoptr(GError) error = NULL;
        GList *list = g_resolver_lookup_by_name_with_flags_finish(G_RESOLVER(src), res, &error);
        struct sockaddr_storage first_bad = {0};
        const char *first_why = NULL;

        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                return; /* f is going away */
        g_clear_object(&f->resolving);
        if (!list) {
                redirect_refuse(f, "cannot resolve the new gateway: %s",
                                error ? error->message : "no address");
                return;
        }
        for (GList *l = list; l; l = l->next) {
                GInetAddress *ia = l->data;
                struct sockaddr_storage ss = {0};
                const char *why;

                if (g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV4) {
                        ss.ss_family = AF_INET;
                        memcpy(&((struct sockaddr_in *)&ss)->sin_addr,
                               g_inet_address_to_bytes(ia), 4);
                } else {
                        ss.ss_family = AF_INET6;
                        memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr,
                               g_inet_address_to_bytes(ia), 16);
                }
                why = unusable_gateway(&ss, f->gateway.ss_family);
                if (!why) {
                        g_resolver_free_addresses(list);
                        redirect_to(f, &ss);
                        return;
                }
                if (!first_why) {
                        first_why = why;
                        first_bad = ss;
                }
        }
        g_resolver_free_addresses(list);
        {
                char t[INET6_ADDRSTRLEN];

                redirect_refuse(f, "refusing the redirect: the new gateway resolves to %s: %s",
                                addr_text(&first_bad, t, sizeof(t)), first_why);
        }
}

static void on_redirect(void *ud, const struct engine_redirect *r)
{
        struct fg *f = ud;

        if (!r->fqdn[0]) {
                redirect_to(f, &r->addr);
                return;
        }
        say(f, 1, "redirected to %s: resolving it\n", r->fqdn);
        g_clear_object(&f->resolving);
        f->resolving = g_cancellable_new();
        g_resolver_lookup_by_name_with_flags_async(
                g_resolver_get_default(), r->fqdn,
                f->gateway.ss_family == AF_INET ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY
                                                : G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY,
                f->resolving, on_resolved, f);
}

static gboolean on_signal(gpointer data)
{
        struct fg *f = data;

        if (f->interrupted) {
                say(f, 1, "interrupted again: leaving without waiting\n");
                f->final = ENGINE_STATE_DISCONNECTED;
                g_main_loop_quit(f->loop);
                return G_SOURCE_CONTINUE;
        }
        f->interrupted = true;
        say(f, 1, "disconnecting...\n");
        engine_disconnect(f->engine);
        return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ setup */

/* TSUNAGU_DATAPATH_OFFLOAD=0 forces the per-packet datapath that kernels
 * without TUN offloads or UDP GSO/GRO get anyway, so that it can be tested
 * and measured on one that has them. */
static int offloads_from_env(bool *ret)
{
        const char *v = g_getenv("TSUNAGU_DATAPATH_OFFLOAD");

        if (!v || !*v || strcmp(v, "1") == 0) {
                *ret = true;
                return 0;
        }
        if (strcmp(v, "0") == 0) {
                *ret = false;
                return 0;
        }
        fprintf(stderr, "%s: TSUNAGU_DATAPATH_OFFLOAD must be 0 or 1 (got '%s')\n", cli_program, v);
        return -EINVAL;
}

static int load_profile(const char *path, struct profile **ret)
{
        struct profile_import_options o = {.filename = path, .keep_secrets = true};
        struct profile_report rep;
        struct bytes b = {0};
        int r;

        r = cli_read_profile_file(path, &b);
        if (r < 0) {
                fprintf(stderr, "%s: %s: %s\n", cli_program, path, g_strerror(-r));
                return -ENOENT;
        }
        profile_report_init(&rep);
        r = profile_import(b.ptr, b.len, &o, ret, &rep);
        secure_free(b.ptr, CLI_PROFILE_READ_MAX);
        for (guint i = 0; rep.diags && i < rep.diags->len; i++) {
                const struct profile_diag *d = g_ptr_array_index(rep.diags, i);
                g_autofree char *t = profile_diag_format(d);

                if (r < 0 || d->severity == PROFILE_ERROR)
                        fprintf(stderr, "%s: %s: %s\n", cli_program,
                                d->severity == PROFILE_ERROR ? "error" : "warning", t);
        }
        profile_report_clear(&rep);
        return r;
}

/* The state directory for the platform journal: /run/tsunagu in the
 * machine's own network namespace, a directory per namespace otherwise, so
 * that platform_recover() never undoes what another namespace did. When we
 * cannot tell (PID 1's namespace is hidden from us, as in containers), we
 * take the per-namespace directory. */
static void pick_state_dir(struct fg *f)
{
        struct stat self, init;

        if (stat("/proc/self/ns/net", &self) < 0) {
                snprintf(f->state_dir, sizeof(f->state_dir), "%s", PLATFORM_STATE_DIR);
                return;
        }
        if (stat("/proc/1/ns/net", &init) == 0 && self.st_ino == init.st_ino)
                snprintf(f->state_dir, sizeof(f->state_dir), "%s", PLATFORM_STATE_DIR);
        else
                snprintf(f->state_dir, sizeof(f->state_dir), "%s/netns-%llu", PLATFORM_STATE_DIR,
                         (unsigned long long)self.st_ino);
}

static int resolve(struct fg *f)
{
        struct addrinfo hints = {.ai_socktype = SOCK_DGRAM,
                                 .ai_family = f->prof->ipv6_transport ? AF_UNSPEC : AF_INET};
        struct addrinfo *res = NULL;
        int r;

        r = getaddrinfo(f->prof->host, NULL, &hints, &res);
        if (r != 0 || !res) {
                fprintf(stderr, "%s: cannot resolve the gateway %s: %s\n", cli_program,
                        f->prof->host, r == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(r));
                return -EHOSTUNREACH;
        }
        memcpy(&f->gateway, res->ai_addr, res->ai_addrlen);
        freeaddrinfo(res);
        return 0;
}

static void with_port(const struct sockaddr_storage *in, uint16_t port,
                      struct sockaddr_storage *out, socklen_t *len)
{
        *out = *in;
        if (out->ss_family == AF_INET) {
                ((struct sockaddr_in *)out)->sin_port = htons(port);
                *len = sizeof(struct sockaddr_in);
        } else {
                ((struct sockaddr_in6 *)out)->sin6_port = htons(port);
                *len = sizeof(struct sockaddr_in6);
        }
}

int connect_foreground(int argc, char *argv[])
{
        static const struct option opts[] = {
                {"foreground", no_argument, NULL, 'f'},
                {"password-stdin", no_argument, NULL, 'p'},
                {"ask", no_argument, NULL, 'a'},
                {"username", required_argument, NULL, 'u'},
                {"fragment-size", required_argument, NULL, 'F'},
                {"verbose", no_argument, NULL, 'v'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        struct fg f = {.verbosity = 1, .final = ENGINE_STATE_FAILED, .fd500 = -1, .fd4500 = -1};
        struct engine_params ep = {0};
        struct engine_callbacks cb = {
                .state_changed = on_state,
                .apply_config = on_apply,
                .revert_config = on_revert,
                .need_secret = on_need_secret,
                .log = on_log,
                .redirect = on_redirect,
        };
        struct sockaddr_storage a500, a4500;
        socklen_t l500, l4500;
        struct udp_caps caps500, caps4500;
        struct tun_open_opts to = {0};
        enum tun_mode tun_mode;
        g_autoptr(GError) error = NULL;
        char secret[SECRET_MAX] = "";
        bool password_stdin = false, ask_set = false, offloads = true;
        const char *username = NULL;
        unsigned fragment_size = 0;
        int c, r, ret = CLI_EXIT_FAILURE, tun_fd = -1, fd500 = -1, fd4500 = -1;
        guint sig_int = 0, sig_term = 0, sig_hup = 0, sig_usr1 = 0;

        optind = 1;
        while ((c = getopt_long(argc, argv, "fvqh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        break;
                case 'p':
                        password_stdin = true;
                        break;
                case 'a':
                        ask_set = true;
                        break;
                case 'u':
                        username = optarg;
                        break;
                case 'F': {
                        char *end = NULL;
                        unsigned long v = strtoul(optarg, &end, 10);

                        if (!end || *end || v < 576 || v > 65535) {
                                fprintf(stderr, "%s: --fragment-size: 576..65535\n", cli_program);
                                return CLI_EXIT_USAGE;
                        }
                        fragment_size = (unsigned)v;
                        break;
                }
                case 'v':
                        f.verbosity = 2;
                        break;
                case 'q':
                        f.verbosity = 0;
                        break;
                case 'h':
                        help(stdout);
                        return CLI_EXIT_OK;
                default:
                        help(stderr);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc - 1 || (password_stdin && ask_set)) {
                help(stderr);
                return CLI_EXIT_USAGE;
        }
        f.ask = ask_set || (!password_stdin && isatty(STDIN_FILENO));
        if (offloads_from_env(&offloads) < 0)
                return CLI_EXIT_USAGE;
        to.want_offloads = offloads;

        r = load_profile(argv[optind], &f.prof);
        if (r == -ENOENT)
                return CLI_EXIT_FAILURE;
        if (r < 0)
                return CLI_EXIT_PROFILE;
        if (password_stdin) {
                r = read_line(STDIN_FILENO, secret, sizeof(secret));
                if (r <= 0) {
                        fprintf(stderr, "%s: --password-stdin: no line on standard input\n",
                                cli_program);
                        profile_free(f.prof);
                        return CLI_EXIT_USAGE;
                }
        }
        if (geteuid() != 0) {
                fprintf(stderr,
                        "%s: connect --foreground runs as root (tunnel device, routes, "
                        "DNS); without root use tsunagud\n",
                        cli_program);
                goto out;
        }
        pick_state_dir(&f);
        if (platform_recover(f.state_dir, NULL, 0, &error) < 0) {
                fprintf(stderr, "%s: warning: %s\n", cli_program, error->message);
                g_clear_error(&error);
        }
        if (resolve(&f) < 0) {
                ret = CLI_EXIT_UNREACHABLE;
                goto out;
        }

        to.mtu = f.prof->mtu ? f.prof->mtu : 1400;
        tun_fd = tun_open(&to, f.ifname, &tun_mode, NULL, NULL);
        if (tun_fd < 0) {
                fprintf(stderr, "%s: cannot create the tunnel device: %s\n", cli_program,
                        g_strerror(-tun_fd));
                goto out;
        }
        with_port(&f.gateway, f.prof->port, &a500, &l500);
        with_port(&f.gateway, 4500, &a4500, &l4500);
        fd500 = udp_open(&(struct udp_open_opts){.remote = (struct sockaddr *)&a500,
                                                 .remote_len = l500,
                                                 .fwmark = PLATFORM_FWMARK_DEFAULT,
                                                 .buf_bytes = 256 * 1024},
                         &caps500);
        fd4500 = udp_open(&(struct udp_open_opts){.remote = (struct sockaddr *)&a4500,
                                                  .remote_len = l4500,
                                                  .fwmark = PLATFORM_FWMARK_DEFAULT,
                                                  .want_offloads = offloads},
                          &caps4500);
        if (fd500 < 0 || fd4500 < 0) {
                fprintf(stderr, "%s: cannot open the UDP sockets to %s: %s\n", cli_program,
                        f.prof->host, g_strerror(-(fd500 < 0 ? fd500 : fd4500)));
                ret = CLI_EXIT_UNREACHABLE;
                goto out;
        }

        f.fd500 = fd500;
        f.fd4500 = fd4500;
        ep.profile = f.prof;
        ep.udp_fd_500 = fd500;
        ep.udp_fd_4500 = fd4500;
        ep.udp_gso = caps4500.gso;
        ep.udp_gro = caps4500.gro;
        ep.tun_fd = tun_fd;
        ep.tun_mode = tun_mode;
        ep.tun_ifindex = (int)if_nametoindex(f.ifname);
        ep.tun_mtu = to.mtu;
        ep.gateway = a500;
        ep.fragment_size = fragment_size;
        ep.username = username;
        if (password_stdin) {
                if (profile_auth_uses_password(f.prof->auth))
                        ep.password = secret;
                else
                        ep.passphrase = secret;
        }
        f.loop = g_main_loop_new(NULL, false);
        r = engine_new(&ep, &cb, &f, &f.engine, &error);
        secure_wipe(secret, sizeof(secret));
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", cli_program, error->message);
                goto out;
        }
        sig_int = g_unix_signal_add(SIGINT, on_signal, &f);
        sig_term = g_unix_signal_add(SIGTERM, on_signal, &f);
        sig_hup = g_unix_signal_add(SIGHUP, on_signal, &f); /* the terminal went away */
        sig_usr1 = g_unix_signal_add(SIGUSR1, on_usr1, &f);
        /* Network changes: our own TUN device is not one. */
        if (platform_monitor_new(500, on_net, &f, &f.monitor, &error) == 0) {
                platform_monitor_set_ignore(f.monitor, ep.tun_ifindex);
        } else {
                fprintf(stderr, "%s: warning: network changes will not be noticed: %s\n",
                        cli_program, error ? error->message : "?");
                g_clear_error(&error);
        }
        say(&f, 1, "connecting to %s with profile '%s' (tunnel %s)\n", f.prof->host, f.prof->name,
            f.ifname);
        (void)engine_start(f.engine);
        /* A failure before the loop runs (a quit then would be lost). */
        if (engine_get_state(f.engine) != ENGINE_STATE_FAILED &&
            engine_get_state(f.engine) != ENGINE_STATE_DISCONNECTED)
                g_main_loop_run(f.loop);
        if (engine_get_state(f.engine) == ENGINE_STATE_FAILED) {
                struct engine_status st;

                engine_get_status(f.engine, &st);
                fprintf(stderr, "%s: connection failed (%s): %s\n", cli_program,
                        engine_error_code_to_string(st.last_error.code), st.last_error.text);
                ret = engine_error_exit_code(st.last_error.code);
                if (ret == 0)
                        ret = CLI_EXIT_FAILURE;
        } else if (f.connected_once) {
                say(&f, 1, "disconnected\n");
                ret = CLI_EXIT_OK;
        } else {
                say(&f, 1, "interrupted before the connection was up\n");
                ret = CLI_EXIT_FAILURE;
        }
out:
        platform_monitor_free(f.monitor);
        if (f.resolving) {
                g_cancellable_cancel(f.resolving);
                g_clear_object(&f.resolving);
        }
        if (sig_int)
                g_source_remove(sig_int);
        if (sig_term)
                g_source_remove(sig_term);
        if (sig_hup)
                g_source_remove(sig_hup);
        if (sig_usr1)
                g_source_remove(sig_usr1);
        engine_free(f.engine); /* reverts what is still applied */
        if (f.platform)
                on_revert(&f, false);
        if (fd500 >= 0)
                close(fd500);
        if (fd4500 >= 0)
                close(fd4500);
        if (tun_fd >= 0)
                close(tun_fd); /* the device goes with it (not persistent) */
        /* A per-namespace journal directory goes when it is empty (the
         * journal is removed once everything was undone). */
        if (f.state_dir[0] && strcmp(f.state_dir, PLATFORM_STATE_DIR) != 0)
                (void)rmdir(f.state_dir);
        if (f.loop)
                g_main_loop_unref(f.loop);
        secure_wipe(secret, sizeof(secret));
        secure_wipe(&f.applied, sizeof(f.applied));
        profile_free(f.prof);
        return ret;
}

#else /* no platform layer */

int connect_foreground(int argc, char *argv[])
{
        (void)argc;
        (void)argv;
        fprintf(stderr,
                "%s: connect --foreground needs the platform layer (libmnl and "
                "libnftables), which this build does not have\n",
                cli_program);
        return CLI_EXIT_FAILURE;
}

#endif

/* `tsunagu connect`: the D-Bus form lives with tsunagud (joined by the
 * lead); this build knows only --foreground. */
int cmd_connect(int argc, char *argv[])
{
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                help(stdout);
                return CLI_EXIT_OK;
        }
        if (connect_wants_foreground(argc, argv))
                return connect_foreground(argc, argv);
        fprintf(stderr, "%s: connect without --foreground needs tsunagud (not in this build)\n",
                cli_program);
        return CLI_EXIT_FAILURE;
}
