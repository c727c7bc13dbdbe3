/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu-engine: the unprivileged process that runs one connection.
 *
 * tsunagud forks it as the engine user with no capabilities, NO_NEW_PRIVS
 * and a parent-death signal (privsep.c), and hands it exactly these
 * descriptors:
 *
 *   3  IPC socket (SOCK_SEQPACKET, ipc.h)     5  UDP to the gateway's IKE port
 *   4  the profile, sealed memfd (secrets)    6  UDP to the gateway's port 4500
 *                                             7  TUN
 *
 * It reads the profile, installs its seccomp filter (sandbox.c), then
 * everything the network sends is parsed here, never in the parent. The
 * engine's callbacks become IPC messages; the parent's answers become
 * engine calls:
 *
 *   state_changed  -> IPC_STATE          IPC_SECRET      -> engine_provide_secret
 *   apply_config   -> IPC_APPLY, waits   IPC_START       -> engine_start
 *                     for APPLY_RESULT   IPC_DISCONNECT  -> engine_disconnect
 *   revert_config  -> IPC_REVERT         the parent gone -> engine_free, exit
 *   need_secret    -> IPC_NEED_SECRET    IPC_NETWORK_CHANGED -> engine_network_changed
 *   redirect       -> IPC_REDIRECT       IPC_REDIRECT_READY  -> engine_redirect_ready
 *   log            -> IPC_LOG            every 2 s       -> IPC_STATUS
 *
 * The sockets (5, 6) are re-connected by the parent, which keeps copies of
 * the same open file descriptions (a network change, a redirect): the
 * engine never calls connect() (seccomp refuses it).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/daemon/ipc.h"
#include "client/daemon/privsep.h"
#include "client/daemon/sandbox.h"
#include "client/engine/engine.h"
#include "client/profile/profile.h"

/* The IPC mirrors the engine's types: keep them in step. */
_Static_assert((int)ENGINE_STATE__COUNT == (int)IPC_ST__COUNT, "states");
_Static_assert((int)ENGINE_STATE_FAILED == (int)IPC_ST_FAILED, "states");
_Static_assert((int)ENGINE_ERROR__COUNT == (int)IPC_REASON_ENGINE_CRASHED, "reasons");
_Static_assert((int)ENGINE_ERROR_INTERNAL == (int)IPC_REASON_INTERNAL, "reasons");
_Static_assert((int)ENGINE_SECRET__COUNT == (int)IPC_SECRET__COUNT, "secret kinds");
_Static_assert((int)ENGINE_SECRET_USERNAME == (int)IPC_SECRET_USERNAME, "secret kinds");
_Static_assert(ENGINE_MAX_ADDRS == IPC_MAX_ADDRS && ENGINE_MAX_DNS == IPC_MAX_DNS &&
                       ENGINE_MAX_DOMAINS == IPC_MAX_DOMAINS &&
                       ENGINE_DOMAIN_MAX == IPC_DOMAIN_MAX &&
                       ENGINE_MAX_PREFIXES == IPC_MAX_PREFIXES &&
                       ENGINE_MAX_DROPS == IPC_MAX_DROPS && ENGINE_DROP_NAME == IPC_DROP_NAME,
               "array sizes");
_Static_assert(ENGINE_MAX_REDIRECTS == IPC_MAX_REDIRECTS &&
                       ENGINE_REDIRECT_FQDN_MAX == IPC_FQDN_MAX,
               "redirects");

#define APPLY_TIMEOUT_MS 30000
#define STATUS_PERIOD_S  2

struct child {
        struct engine *engine;
        struct profile *profile;
        GMainLoop *loop;
        char *secrets[IPC_SECRET__COUNT]; /* given before START */
        bool started;
        bool disconnect_pending; /* arrived while waiting for APPLY_RESULT */
        bool redirect_pending;   /* IPC_REDIRECT sent, REDIRECT_READY not yet here */
        const char *redirect_refusal; /* refused here, answered from the main loop */
        bool done;
        int exit_code;
};

static void die_parent_gone(struct child *c)
{
        /* Without the parent nobody can revert or answer: stop at once. The
         * parent (if it still exists) reverts what it applied. */
        c->done = true;
        c->exit_code = 2;
        if (c->loop)
                g_main_loop_quit(c->loop);
}

static void send_msg(struct child *c, const struct ipc_msg *m)
{
        if (ipc_send(ENGINE_FD_IPC, m) < 0)
                die_parent_gone(c);
}

/* ---------------------------------------------------------------- callbacks */

static void cb_state(void *ud, enum engine_state st, const struct engine_error *err)
{
        struct child *c = ud;
        struct ipc_msg m = {.type = IPC_STATE};

        m.state.state = (uint8_t)st;
        if (st == ENGINE_STATE_FAILED && err) {
                m.state.reason = (uint16_t)err->code;
                ipc_set_text(m.state.text, sizeof(m.state.text), err->text);
        }
        send_msg(c, &m);
        if (st == ENGINE_STATE_DISCONNECTED || st == ENGINE_STATE_FAILED) {
                c->done = true;
                c->exit_code = st == ENGINE_STATE_FAILED;
                g_main_loop_quit(c->loop);
        }
}

static void copy_prefixes(struct ipc_prefix *dst, const struct engine_prefix *src, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                dst[i].family = src[i].family;
                dst[i].prefixlen = src[i].prefixlen;
                memcpy(dst[i].addr, src[i].addr, 16);
                if (src[i].family == 4)
                        memset(dst[i].addr + 4, 0, 12);
        }
}

static void handle(struct child *c, const struct ipc_msg *m);

/* The parent's answer to IPC_APPLY, waited for here because the engine's
 * callback returns the result. Other messages that come first are handled
 * (SECRET) or remembered (DISCONNECT) so that nothing is lost. */
static int wait_apply_result(struct child *c, char **ret_error)
{
        gint64 deadline = g_get_monotonic_time() + (gint64)APPLY_TIMEOUT_MS * 1000;

        for (;;) {
                struct pollfd p = {.fd = ENGINE_FD_IPC, .events = POLLIN};
                gint64 left = (deadline - g_get_monotonic_time()) / 1000;
                struct ipc_msg m;
                int r;

                if (left <= 0) {
                        *ret_error =
                                g_strdup("the helper did not answer the configuration request");
                        return -ETIMEDOUT;
                }
                r = poll(&p, 1, (int)left);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        continue;
                r = ipc_recv(ENGINE_FD_IPC, &m);
                if (r == -EAGAIN)
                        continue;
                if (r < 0) {
                        die_parent_gone(c);
                        *ret_error = g_strdup("the helper went away");
                        return -EPIPE;
                }
                if (m.type == IPC_APPLY_RESULT) {
                        if (m.apply_result.error < 0)
                                *ret_error = g_strdup(m.apply_result.text);
                        return m.apply_result.error;
                }
                if (m.type == IPC_DISCONNECT)
                        c->disconnect_pending = true;
                else
                        handle(c, &m);
                secure_wipe(&m, sizeof(m));
        }
}

static gboolean do_pending_disconnect(gpointer data)
{
        struct child *c = data;

        engine_disconnect(c->engine);
        return G_SOURCE_REMOVE;
}

static int cb_apply(void *ud, const struct engine_net_config *cfg, char **ret_error)
{
        struct child *c = ud;
        struct ipc_msg m = {.type = IPC_APPLY};
        struct ipc_net_config *n = &m.apply;
        int r;

        /* Counts are held to the arrays before anything is copied. */
        if (cfg->n_addrs > IPC_MAX_ADDRS || cfg->n_dns > IPC_MAX_DNS ||
            cfg->n_domains > IPC_MAX_DOMAINS || cfg->n_include > IPC_MAX_PREFIXES ||
            cfg->n_exclude > IPC_MAX_PREFIXES) {
                *ret_error = g_strdup("the configuration is larger than the IPC carries");
                return -E2BIG;
        }
        n->mtu = cfg->mtu;
        n->full_tunnel = cfg->full_tunnel;
        n->n_addrs = cfg->n_addrs;
        copy_prefixes(n->addrs, cfg->addrs, cfg->n_addrs);
        n->n_dns = cfg->n_dns;
        copy_prefixes(n->dns, cfg->dns, cfg->n_dns);
        n->n_domains = cfg->n_domains;
        for (size_t i = 0; i < cfg->n_domains; i++)
                ipc_set_text(n->domains[i], IPC_DOMAIN_MAX, cfg->domains[i]);
        n->n_include = cfg->n_include;
        copy_prefixes(n->include, cfg->include, cfg->n_include);
        n->n_exclude = cfg->n_exclude;
        copy_prefixes(n->exclude, cfg->exclude, cfg->n_exclude);
        r = ipc_send(ENGINE_FD_IPC, &m);
        if (r < 0) {
                die_parent_gone(c);
                *ret_error = g_strdup("the helper went away");
                return r;
        }
        r = wait_apply_result(c, ret_error);
        if (c->disconnect_pending) {
                c->disconnect_pending = false;
                g_idle_add(do_pending_disconnect, c);
        }
        return r;
}

static void cb_revert(void *ud, bool keep_kill_switch)
{
        struct ipc_msg m = {.type = IPC_REVERT};

        m.revert.keep_kill_switch = keep_kill_switch;
        send_msg(ud, &m);
}

static void cb_need_secret(void *ud, enum engine_secret_kind kind, const char *prompt)
{
        struct ipc_msg m = {.type = IPC_NEED_SECRET};

        m.need_secret.kind = (uint8_t)kind;
        ipc_set_text(m.need_secret.prompt, sizeof(m.need_secret.prompt), prompt);
        send_msg(ud, &m);
}

static void cb_log(void *ud, int priority, const char *message)
{
        struct ipc_msg m = {.type = IPC_LOG};

        m.log.priority = (uint8_t)CLAMP(priority, 0, 7);
        ipc_set_text(m.log.text, sizeof(m.log.text), message);
        send_msg(ud, &m);
}

/* ---------------------------------------------------------------- addresses */

/* An IPv4/IPv6 socket address as an IPC endpoint; other families: zero. */
static void endpoint_from_sockaddr(struct ipc_endpoint *ep, const struct sockaddr_storage *ss)
{
        memset(ep, 0, sizeof(*ep));
        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

                ep->addr.family = 4;
                ep->addr.prefixlen = 32;
                memcpy(ep->addr.addr, &a->sin_addr, 4);
                ep->port = ntohs(a->sin_port);
        } else if (ss->ss_family == AF_INET6) {
                const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

                ep->addr.family = 6;
                ep->addr.prefixlen = 128;
                memcpy(ep->addr.addr, &a->sin6_addr, 16);
                ep->port = ntohs(a->sin6_port);
        }
}

/* The reverse; a zero endpoint becomes ss_family 0 ("ask getsockname()"). */
static void sockaddr_from_endpoint(struct sockaddr_storage *ss, const struct ipc_endpoint *ep)
{
        memset(ss, 0, sizeof(*ss));
        if (ep->addr.family == 4) {
                struct sockaddr_in *a = (struct sockaddr_in *)ss;

                a->sin_family = AF_INET;
                memcpy(&a->sin_addr, ep->addr.addr, 4);
                a->sin_port = htons(ep->port);
        } else if (ep->addr.family == 6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

                a->sin6_family = AF_INET6;
                memcpy(&a->sin6_addr, ep->addr.addr, 16);
                a->sin6_port = htons(ep->port);
        }
}

/* ---------------------------------------------------------------- redirect */

static gboolean refuse_redirect(gpointer data)
{
        struct child *c = data;
        const char *why = c->redirect_refusal;

        c->redirect_refusal = NULL;
        if (why && c->engine)
                engine_redirect_ready(c->engine, NULL, NULL, why);
        return G_SOURCE_REMOVE;
}

static void cb_redirect(void *ud, const struct engine_redirect *r)
{
        struct child *c = ud;
        struct ipc_msg m = {.type = IPC_REDIRECT};
        const char *why = NULL;

        if (r->count < 1 || r->count > IPC_MAX_REDIRECTS)
                why = "redirect loop: too many redirects in a row";
        else if (r->addr.ss_family == AF_INET || r->addr.ss_family == AF_INET6) {
                struct ipc_endpoint ep;

                endpoint_from_sockaddr(&ep, &r->addr);
                m.redirect.addr = ep.addr;
        } else if (r->addr.ss_family != 0)
                why = "the gateway redirects to an address that is not IPv4 or IPv6";
        else if (strnlen(r->fqdn, sizeof(r->fqdn)) == sizeof(r->fqdn) || !ipc_fqdn_valid(r->fqdn))
                why = "the gateway redirects to a name that is not a host name";
        else
                memcpy(m.redirect.fqdn, r->fqdn, strlen(r->fqdn) + 1);
        if (why) {
                /* Refused here: the parent gets nothing it would refuse. The
                 * answer comes from the main loop, not from inside the
                 * engine's callback. */
                c->redirect_refusal = why;
                g_idle_add(refuse_redirect, c);
                return;
        }
        m.redirect.count = (uint8_t)r->count;
        c->redirect_pending = true;
        send_msg(c, &m);
}

static void handle_redirect_ready(struct child *c, const struct ipc_msg *m)
{
        struct sockaddr_storage gw, local;
        int r;

        if (!c->redirect_pending)
                return; /* stale: the engine moved on (a disconnect) */
        c->redirect_pending = false;
        if (m->redirect_ready.error < 0) {
                r = engine_redirect_ready(c->engine, NULL, NULL, m->redirect_ready.text);
        } else {
                sockaddr_from_endpoint(&gw, &m->redirect_ready.gateway);
                sockaddr_from_endpoint(&local, &m->redirect_ready.local);
                r = engine_redirect_ready(c->engine, &gw, &local, NULL);
        }
        if (r < 0 && r != -EALREADY)
                cb_log(c, LOG_WARNING, "the helper's answer to the redirect was not taken");
}

/* ---------------------------------------------------------------- status */

static gboolean on_status(gpointer data)
{
        struct child *c = data;
        struct engine_status *st;
        struct ipc_msg m = {.type = IPC_STATUS};
        struct ipc_status *s = &m.status;

        if (!c->engine || !c->started)
                return G_SOURCE_CONTINUE;
        st = g_new0(struct engine_status, 1);
        engine_get_status(c->engine, st);
        s->bytes_in = st->bytes_in;
        s->bytes_out = st->bytes_out;
        s->packets_in = st->packets_in;
        s->packets_out = st->packets_out;
        s->connected_since = st->connected_since > 0 ? (uint64_t)st->connected_since : 0;
        if (st->gateway.ss_family == AF_INET) {
                const struct sockaddr_in *a = (const struct sockaddr_in *)&st->gateway;

                s->gateway.family = 4;
                memcpy(s->gateway.addr, &a->sin_addr, 4);
                s->gateway_port = ntohs(a->sin_port);
        } else if (st->gateway.ss_family == AF_INET6) {
                const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&st->gateway;

                s->gateway.family = 6;
                memcpy(s->gateway.addr, &a->sin6_addr, 16);
                s->gateway_port = ntohs(a->sin6_port);
        }
        for (size_t i = 0; i < st->n_drops && s->n_drops < IPC_MAX_DROPS; i++) {
                struct ipc_drop *d = &s->drops[s->n_drops];
                bool ok = st->drops[i].name[0] != '\0';

                /* Names the parent accepts: [a-z0-9-]. */
                for (const char *p = st->drops[i].name; *p && ok; p++)
                        ok = g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-';
                if (!ok || strnlen(st->drops[i].name, ENGINE_DROP_NAME) >= IPC_DROP_NAME)
                        continue;
                g_strlcpy(d->name, st->drops[i].name, sizeof(d->name));
                d->count = st->drops[i].count;
                s->n_drops++;
        }
        g_free(st);
        send_msg(c, &m);
        return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- IPC in */

static void handle(struct child *c, const struct ipc_msg *m)
{
        switch (m->type) {
        case IPC_SECRET: {
                enum engine_secret_kind kind = (enum engine_secret_kind)m->secret.kind;

                if (!c->started) {
                        /* Known up front: kept for engine_new(). */
                        if (m->secret.error == 0) {
                                char **slot = &c->secrets[m->secret.kind];

                                if (*slot)
                                        secure_free(*slot, strlen(*slot));
                                *slot = g_strndup((const char *)m->secret.secret, m->secret.len);
                        }
                        return;
                }
                /* An error (no agent, cancelled) is an empty answer: the
                 * engine fails with NO_SECRET. */
                engine_provide_secret(c->engine, kind,
                                      m->secret.error ? NULL : (const char *)m->secret.secret,
                                      m->secret.error ? 0 : m->secret.len);
                return;
        }
        case IPC_START:
                return; /* main() waited for it before engine_new() */
        case IPC_DISCONNECT:
                engine_disconnect(c->engine);
                return;
        case IPC_NETWORK_CHANGED: {
                struct sockaddr_storage local;

                if (!c->engine)
                        return; /* not started yet: it starts on the new network */
                sockaddr_from_endpoint(&local, &m->network_changed.local);
                engine_network_changed(c->engine, &local);
                return;
        }
        case IPC_REDIRECT_READY:
                if (c->engine)
                        handle_redirect_ready(c, m);
                return;
        default:
                return; /* engine -> parent types, or a stale APPLY_RESULT */
        }
}

static gboolean on_ipc(int fd, GIOCondition cond, gpointer data)
{
        struct child *c = data;

        for (;;) {
                struct ipc_msg m;
                int r = ipc_recv(fd, &m);

                if (r == -EAGAIN)
                        return G_SOURCE_CONTINUE;
                if (r < 0) {
                        die_parent_gone(c);
                        return G_SOURCE_REMOVE;
                }
                handle(c, &m);
                secure_wipe(&m, sizeof(m));
                if (c->done)
                        return G_SOURCE_REMOVE;
        }
}

/* ---------------------------------------------------------------- setup */

static struct profile *read_profile(char **ret_error)
{
        struct profile_import_options o = {.filename = "profile", .keep_secrets = true};
        struct profile_report rep;
        struct profile *p = NULL;
        size_t cap = PROFILE_MAX_FILE_SIZE + 1, len = 0;
        uint8_t *buf = g_malloc(cap);
        int r;

        while (len < cap) {
                ssize_t n = read(ENGINE_FD_PROFILE, buf + len, cap - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        close(ENGINE_FD_PROFILE);
        profile_report_init(&rep);
        r = profile_import(buf, len, &o, &p, &rep);
        secure_free(buf, cap);
        if (r < 0) {
                const struct profile_diag *d =
                        rep.diags && rep.diags->len ? g_ptr_array_index(rep.diags, 0) : NULL;

                *ret_error = d ? profile_diag_format(d) : g_strdup(g_strerror(-r));
                p = NULL;
        }
        profile_report_clear(&rep);
        return p;
}

static void fail_early(enum ipc_reason reason, const char *text)
{
        struct ipc_msg m = {.type = IPC_STATE};

        m.state.state = IPC_ST_FAILED;
        m.state.reason = (uint16_t)reason;
        ipc_set_text(m.state.text, sizeof(m.state.text), text);
        ipc_send(ENGINE_FD_IPC, &m);
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
        static const struct engine_callbacks cbs = {
                .state_changed = cb_state,
                .apply_config = cb_apply,
                .revert_config = cb_revert,
                .need_secret = cb_need_secret,
                .log = cb_log,
                .redirect = cb_redirect,
        };
        struct child c = {0};
        struct engine_params p = {0};
        g_autoptr(GError) error = NULL;
        g_autofree char *why = NULL;
        bool seccomp = true;
        socklen_t len;
        int opt, r;

        p.tun_mode = 0;
        while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
                switch (opt) {
                case 'm':
                        p.tun_mode = (unsigned)strtoul(optarg, NULL, 10);
                        break;
                case 'i':
                        p.tun_ifindex = (int)strtol(optarg, NULL, 10);
                        break;
                case 'n':
                        break;
                case 's':
                        seccomp = false;
                        break;
                default:
                        return 2;
                }
        }
        /* The parent drops us before exec; refuse to run otherwise. */
        if (getuid() == 0 || geteuid() == 0 || getgid() == 0) {
                fail_early(IPC_REASON_INTERNAL, "the engine must not run as root");
                return 4;
        }
        c.profile = read_profile(&why);
        if (!c.profile) {
                fail_early(IPC_REASON_PROFILE, why);
                return 1;
        }
        /* OpenSSL's configuration, its legacy provider (EAP-MSCHAPv2) and the
         * system CA bundle are files: read them before the sandbox closes
         * the file system. -ENOTSUP only costs EAP-MSCHAPv2, which then fails
         * with its own reason. */
        r = engine_preload();
        if (r < 0 && r != -ENOTSUP) {
                fail_early(IPC_REASON_INTERNAL, "cannot preload OpenSSL's providers");
                return 5;
        }
        if (seccomp) {
                r = sandbox_enter();
                if (r < 0 && r != -ENOTSUP) {
                        g_autofree char *t = g_strdup_printf("seccomp: %s", g_strerror(-r));

                        fail_early(IPC_REASON_INTERNAL, t);
                        return 5;
                }
        }

        c.loop = g_main_loop_new(NULL, FALSE);
        /* The secrets known up front come before START. */
        g_unix_fd_add(ENGINE_FD_IPC, G_IO_IN | G_IO_HUP | G_IO_ERR, on_ipc, &c);

        p.profile = c.profile;
        p.udp_fd_500 = ENGINE_FD_UDP_IKE;
        p.udp_fd_4500 = ENGINE_FD_UDP_NATT;
        p.tun_fd = ENGINE_FD_TUN;
        len = sizeof(p.gateway);
        if (getpeername(ENGINE_FD_UDP_IKE, (struct sockaddr *)&p.gateway, &len) < 0) {
                fail_early(IPC_REASON_INTERNAL, "the IKE socket is not connected");
                return 1;
        }
        len = sizeof(p.local);
        if (getsockname(ENGINE_FD_UDP_IKE, (struct sockaddr *)&p.local, &len) < 0)
                memset(&p.local, 0, sizeof(p.local));
        {
                int v = 0;
                socklen_t vl = sizeof(v);

#ifdef UDP_SEGMENT
                p.udp_gso = getsockopt(ENGINE_FD_UDP_NATT, SOL_UDP, UDP_SEGMENT, &v, &vl) == 0;
#endif
                vl = sizeof(v);
#ifdef UDP_GRO
                p.udp_gro = getsockopt(ENGINE_FD_UDP_NATT, SOL_UDP, UDP_GRO, &v, &vl) == 0 && v;
#endif
        }

        /* Wait for START (and the secrets before it), then create and start. */
        while (!c.started && !c.done) {
                struct pollfd pf = {.fd = ENGINE_FD_IPC, .events = POLLIN};
                struct ipc_msg m;

                if (poll(&pf, 1, -1) < 0 && errno != EINTR)
                        break;
                r = ipc_recv(ENGINE_FD_IPC, &m);
                if (r == -EAGAIN)
                        continue;
                if (r < 0) {
                        c.done = true;
                        c.exit_code = 2;
                        break;
                }
                if (m.type == IPC_SECRET)
                        handle(&c, &m);
                else if (m.type == IPC_START)
                        c.started = true;
                else if (m.type == IPC_DISCONNECT)
                        c.done = true;
                secure_wipe(&m, sizeof(m));
        }
        if (c.done)
                goto out;
        p.password = c.secrets[IPC_SECRET_PASSWORD];
        p.passphrase = c.secrets[IPC_SECRET_PASSPHRASE];
        p.username = c.secrets[IPC_SECRET_USERNAME];
        r = engine_new(&p, &cbs, &c, &c.engine, &error);
        for (size_t i = 0; i < IPC_SECRET__COUNT; i++)
                if (c.secrets[i]) {
                        secure_free(c.secrets[i], strlen(c.secrets[i]));
                        c.secrets[i] = NULL;
                }
        if (r < 0) {
                fail_early(IPC_REASON_PROFILE, error->message);
                c.exit_code = 1;
                goto out;
        }
        g_timeout_add_seconds(STATUS_PERIOD_S, on_status, &c);
        if (engine_start(c.engine) < 0) {
                fail_early(IPC_REASON_INTERNAL, "the engine did not start");
                c.exit_code = 1;
                goto out;
        }
        if (!c.done)
                g_main_loop_run(c.loop);
        on_status(&c); /* the last counters */
out:
        engine_free(c.engine);
        for (size_t i = 0; i < IPC_SECRET__COUNT; i++)
                if (c.secrets[i])
                        secure_free(c.secrets[i], strlen(c.secrets[i]));
        profile_free(c.profile);
        if (c.loop)
                g_main_loop_unref(c.loop);
        return c.exit_code;
}
