/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scripted engine for the daemon tests: it runs where tsunagu-engine runs
 * (spawned by tsunagud as the engine user, with the same descriptors, the
 * same profile memfd and the same seccomp filter) and speaks the same IPC,
 * but plays a fixed script instead of IKE, so that the parent's side can be
 * tested without a gateway: secrets from Connect or from the agent, a
 * network configuration the parent really applies, counters, a clean
 * disconnect, and whatever the test does to it (kill -9).
 *
 *   (secrets from Connect, START) CONNECTING -> AUTHENTICATING -> (NEED_SECRET password unless
 * given) password "wrong-password": FAILED auth-failed otherwise: APPLY {10.99.0.7/32,
 * fd00:99::7/128 if the profile routes IPv6; DNS 10.20.0.10; domain corp.test; the profile's
 * subnets, or 10.20.0.0/24} -> CONNECTED, STATUS every second (packets read from the TUN are
 * counted and dropped) -> DISCONNECT -> REVERT, exit 0.
 *
 * Like a careless engine, it logs the password it got: the parent must cut
 * it out of every log (the tests grep for it). It also sends the extra
 * messages TSU_SCRIPT asks for through the profile's name (see below):
 *
 *   [bad-route]     APPLY with 0.0.0.0/0 in a split tunnel
 *   [redirect:X]    once CONNECTED: RECONNECTING, IPC_REDIRECT to X (an address
 *                   or a name) -> REDIRECT_READY: CONNECTED with the new
 *                   gateway in STATUS, or FAILED redirected with the parent's
 *                   reason
 *
 * IPC_NETWORK_CHANGED is logged ("network changed: local A:P").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>

#include "client/common/bytes.h"
#include "client/daemon/ipc.h"
#include "client/daemon/privsep.h"
#include "client/daemon/sandbox.h"
#include "client/profile/profile.h"

static struct profile *prof;
static GMainLoop *loop;
static char *password;
static bool applied, connected, asked, redirected;
static struct ipc_status st;
static int exit_code;

static void send_or_die(const struct ipc_msg *m)
{
        int r = ipc_send(ENGINE_FD_IPC, m);

        if (r < 0) {
                fprintf(stderr, "scripted-engine: send: %s\n", strerror(-r));
                exit(3);
        }
}

static void state(enum ipc_state s, enum ipc_reason reason, const char *text)
{
        struct ipc_msg m = {.type = IPC_STATE};

        m.state.state = (uint8_t)s;
        m.state.reason = (uint16_t)reason;
        ipc_set_text(m.state.text, sizeof(m.state.text), text);
        send_or_die(&m);
}

static void logline(int prio, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void logline(int prio, const char *fmt, ...)
{
        struct ipc_msg m = {.type = IPC_LOG};
        g_autofree char *t = NULL;
        va_list ap;

        va_start(ap, fmt);
        t = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        m.log.priority = (uint8_t)prio;
        ipc_set_text(m.log.text, sizeof(m.log.text), t);
        send_or_die(&m);
}

static void put_prefix(struct ipc_prefix *p, int family, const uint8_t *addr, unsigned len)
{
        memset(p, 0, sizeof(*p));
        p->family = family == 4 ? 4 : 6;
        p->prefixlen = (uint8_t)len;
        memcpy(p->addr, addr, family == 4 ? 4 : 16);
}

static void apply(void)
{
        struct ipc_msg m = {.type = IPC_APPLY};
        struct ipc_net_config *c = &m.apply;
        static const uint8_t v4[4] = {10, 99, 0, 7}, dns[4] = {10, 20, 0, 10},
                             lan[4] = {10, 20, 0, 0};

        c->full_tunnel = prof->tunnel == PROFILE_TUNNEL_FULL;
        put_prefix(&c->addrs[c->n_addrs++], 4, v4, 32);
        put_prefix(&c->dns[c->n_dns++], 4, dns, 32);
        g_strlcpy(c->domains[c->n_domains++], "corp.test", IPC_DOMAIN_MAX);
        for (size_t i = 0; i < prof->n_subnets && c->n_include < IPC_MAX_PREFIXES; i++)
                put_prefix(&c->include[c->n_include++], prof->subnets[i].family == AF_INET ? 4 : 6,
                           prof->subnets[i].addr, prof->subnets[i].prefixlen);
        if (c->n_include == 0 && !c->full_tunnel)
                put_prefix(&c->include[c->n_include++], 4, lan, 24);
        /* TSU_SCRIPT in the profile's name: ask for what the parent must refuse. */
        if (strstr(prof->name, "[bad-route]")) {
                static const uint8_t all[4] = {0, 0, 0, 0};

                put_prefix(&c->include[c->n_include++], 4, all, 0);
        }
        send_or_die(&m);
}

static const char *endpoint_text(const struct ipc_endpoint *ep, char buf[static 64])
{
        char a[INET6_ADDRSTRLEN] = "-";

        if (ep->addr.family)
                inet_ntop(ep->addr.family == 4 ? AF_INET : AF_INET6, ep->addr.addr, a, sizeof(a));
        snprintf(buf, 64, "%s:%u", a, ep->port);
        return buf;
}

/* [redirect:X] in the profile's name: X, or NULL. */
static char *redirect_target(void)
{
        const char *p = strstr(prof->name, "[redirect:"), *q;

        if (!p)
                return NULL;
        p += strlen("[redirect:");
        q = strchr(p, ']');
        return q ? g_strndup(p, (size_t)(q - p)) : NULL;
}

static void redirect(void)
{
        g_autofree char *to = redirect_target();
        struct ipc_msg m = {.type = IPC_REDIRECT};
        uint8_t a[16];

        if (!to || redirected)
                return;
        redirected = true;
        state(IPC_ST_RECONNECTING, IPC_REASON_NONE, "");
        if (inet_pton(AF_INET, to, a) == 1) {
                put_prefix(&m.redirect.addr, 4, a, 32);
        } else if (inet_pton(AF_INET6, to, a) == 1) {
                put_prefix(&m.redirect.addr, 6, a, 128);
        } else
                g_strlcpy(m.redirect.fqdn, to, sizeof(m.redirect.fqdn));
        m.redirect.count = 1;
        logline(6, "the scripted gateway redirects to %s", to);
        send_or_die(&m);
}

static void authenticate(void)
{
        logline(6, "authenticating as %s (password: %s)", prof->eap_id ? prof->eap_id : "?",
                password);
        if (strcmp(password, "wrong-password") == 0) {
                state(IPC_ST_FAILED, IPC_REASON_AUTH_FAILED_PASSWORD,
                      "EAP-MSCHAPv2: the gateway rejected the password");
                exit_code = 1;
                g_main_loop_quit(loop);
                return;
        }
        apply();
}

static gboolean on_status(gpointer data)
{
        struct ipc_msg m = {.type = IPC_STATUS};

        if (!connected)
                return G_SOURCE_CONTINUE;
        st.bytes_in += 100;
        st.packets_in += 1;
        st.n_drops = 1;
        g_strlcpy(st.drops[0].name, "replay", sizeof(st.drops[0].name));
        m.status = st;
        send_or_die(&m);
        return G_SOURCE_CONTINUE;
}

static gboolean on_tun(int fd, GIOCondition cond, gpointer data)
{
        uint8_t buf[65536 + 64];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));

                if (n <= 0)
                        break;
                st.packets_out++;
                st.bytes_out += (uint64_t)n;
        }
        return G_SOURCE_CONTINUE;
}

static gboolean on_start(gpointer data)
{
        state(IPC_ST_AUTHENTICATING, IPC_REASON_NONE, "");
        if (password) {
                authenticate();
        } else {
                struct ipc_msg m = {.type = IPC_NEED_SECRET};

                asked = true;
                m.need_secret.kind = IPC_SECRET_PASSWORD;
                ipc_set_text(m.need_secret.prompt, sizeof(m.need_secret.prompt),
                             "EAP password for the scripted gateway");
                send_or_die(&m);
        }
        return G_SOURCE_REMOVE;
}

static gboolean on_ipc(int fd, GIOCondition cond, gpointer data)
{
        struct ipc_msg m;
        int r = ipc_recv(fd, &m);

        if (r == -EAGAIN)
                return G_SOURCE_CONTINUE;
        if (r < 0) {
                /* The parent went away or broke the protocol. */
                exit_code = 2;
                g_main_loop_quit(loop);
                return G_SOURCE_REMOVE;
        }
        switch (m.type) {
        case IPC_SECRET:
                if (m.secret.kind != IPC_SECRET_PASSWORD)
                        break;
                if (m.secret.error < 0) {
                        state(IPC_ST_FAILED, IPC_REASON_NO_SECRET, "no password was given");
                        exit_code = 1;
                        g_main_loop_quit(loop);
                        break;
                }
                if (password)
                        secure_free(password, strlen(password));
                password = g_strndup((const char *)m.secret.secret, m.secret.len);
                if (asked)
                        authenticate();
                break;
        case IPC_APPLY_RESULT:
                if (m.apply_result.error < 0) {
                        state(IPC_ST_FAILED, IPC_REASON_PLATFORM, m.apply_result.text);
                        exit_code = 1;
                        g_main_loop_quit(loop);
                        break;
                }
                applied = true;
                connected = true;
                {
                        static const uint8_t gw[4] = {203, 0, 113, 2};

                        put_prefix(&st.gateway, 4, gw, 32);
                        st.gateway_port = 4500;
                }
                state(IPC_ST_CONNECTED, IPC_REASON_NONE, "");
                on_status(NULL);
                redirect();
                break;
        case IPC_REDIRECT_READY: {
                char g[64], l[64];

                if (m.redirect_ready.error < 0) {
                        state(IPC_ST_FAILED, IPC_REASON_REDIRECTED, m.redirect_ready.text);
                        exit_code = 1;
                        g_main_loop_quit(loop);
                        break;
                }
                logline(6, "redirect ready: gateway %s, local %s",
                        endpoint_text(&m.redirect_ready.gateway, g),
                        endpoint_text(&m.redirect_ready.local, l));
                st.gateway = m.redirect_ready.gateway.addr;
                st.gateway_port = 4500;
                state(IPC_ST_CONNECTED, IPC_REASON_NONE, "");
                on_status(NULL);
                break;
        }
        case IPC_NETWORK_CHANGED: {
                char l[64];

                logline(6, "network changed: local %s",
                        endpoint_text(&m.network_changed.local, l));
                break;
        }
        case IPC_START:
                on_start(NULL);
                break;
        case IPC_DISCONNECT:
                state(IPC_ST_DISCONNECTING, IPC_REASON_NONE, "");
                if (applied)
                        send_or_die(&(struct ipc_msg){.type = IPC_REVERT});
                state(IPC_ST_DISCONNECTED, IPC_REASON_NONE, "");
                g_main_loop_quit(loop);
                break;
        default:
                break;
        }
        secure_wipe(&m, sizeof(m));
        return G_SOURCE_CONTINUE;
}

static struct profile *read_profile(void)
{
        struct profile_import_options o = {.filename = "memfd", .keep_secrets = true};
        struct profile_report rep;
        struct profile *p = NULL;
        GString *s = g_string_new(NULL);
        char buf[4096];
        ssize_t n;

        while ((n = read(ENGINE_FD_PROFILE, buf, sizeof(buf))) > 0)
                g_string_append_len(s, buf, n);
        close(ENGINE_FD_PROFILE);
        profile_report_init(&rep);
        if (profile_import(s->str, s->len, &o, &p, &rep) < 0)
                p = NULL;
        profile_report_clear(&rep);
        secure_wipe(s->str, s->len);
        g_string_free(s, TRUE);
        return p;
}

int main(int argc, char *argv[])
{
        static const struct option options[] = {
                {"tun-mode", required_argument, NULL, 'm'},
                {"tun-ifindex", required_argument, NULL, 'i'},
                {"tun-name", required_argument, NULL, 'n'},
                {"no-seccomp", no_argument, NULL, 's'},
                {},
        };
        bool seccomp = true;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) != -1)
                if (c == 's')
                        seccomp = false;
        if (getuid() == 0 || geteuid() == 0) {
                fprintf(stderr, "scripted-engine: running as root: the parent did not drop\n");
                return 4;
        }
        prof = read_profile();
        if (!prof) {
                state(IPC_ST_FAILED, IPC_REASON_PROFILE, "the profile did not load");
                return 1;
        }
        /* Everything is open: from here on, no new file, socket or process. */
        if (seccomp) {
                r = sandbox_enter();
                if (r < 0 && r != -ENOTSUP) {
                        fprintf(stderr, "scripted-engine: seccomp: %s\n", strerror(-r));
                        return 5;
                }
        }
        loop = g_main_loop_new(NULL, FALSE);
        state(IPC_ST_CONNECTING, IPC_REASON_NONE, "");
        logline(6, "scripted engine for '%s' (uid %u, seccomp %s)", prof->name, (unsigned)getuid(),
                seccomp && sandbox_available() ? "on" : "off");
        g_unix_fd_add(ENGINE_FD_IPC, G_IO_IN | G_IO_HUP | G_IO_ERR, on_ipc, NULL);
        g_unix_fd_add(ENGINE_FD_TUN, G_IO_IN, on_tun, NULL);
        g_timeout_add_seconds(1, on_status, NULL);
        g_main_loop_run(loop);
        if (password)
                secure_free(password, strlen(password));
        profile_free(prof);
        g_main_loop_unref(loop);
        return exit_code;
}
