/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sessions: one per profile, created at its first Connect.
 *
 *   Connect ─> resolve the gateway ─> open TUN + UDP (fwmark) ─> spawn the
 *   engine (privsep.c) ─> IPC: STATE, APPLY (netcheck.c, platform_apply),
 *   REVERT, NEED_SECRET (agent.c), LOG, STATUS ─> engine exits ─> revert
 *
 * Whatever way the engine ends (DELETE done, failure, crash, kill -9), the
 * parent reverts what it applied and leaves the session "disconnected" (if
 * asked to) or "failed" with a reason. The parent never trusts the engine:
 * each message is parsed by ipc.c and checked by netcheck.c.
 *
 * The parent keeps its copies of the engine's UDP sockets (the same open
 * file descriptions), so it alone re-points them (udp_reconnect()):
 *
 *   link monitor: network changed ─> re-connect both sockets to the gateway
 *       ─> IPC_NETWORK_CHANGED (new source) ─> the engine: MOBIKE or reconnect
 *   IPC_REDIRECT (RFC 5685) ─> resolve the name (GResolver) ─> check the
 *       address (netcheck_gateway_problem) ─> the kill switch lets it through
 *       (instead of the old gateway) ─> re-connect both sockets ─> Gateway
 *       property ─> IPC_REDIRECT_READY (or a refusal: the engine fails)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/dbus/errors.h"
#include "client/dbus/tsu-dbus.h"
#include "client/daemon/daemon.h"
#include "client/daemon/ipc.h"
#include "client/daemon/log.h"
#include "client/daemon/netcheck.h"
#include "client/daemon/options.h"
#include "client/daemon/privsep.h"
#include "platform/linux/platform.h"
#include "platform/linux/tun.h"
#include "platform/linux/udp.h"

#define NATT_PORT           4500  /* RFC 3948 */
#define DISCONNECT_GRACE_MS 10000 /* DELETE and its answer, then SIGKILL */
/* A new address, the default route replaced, the old address removed: one
 * change, however the network manager or DHCP client spaces the steps. */
#define NET_DEBOUNCE_MS   800
#define NET_RETRY_S       2 /* re-connecting the sockets failed: try again */
#define NET_RETRIES       5

/* Indexed by enum ipc_secret_kind. */
enum secret_slot { SLOT_PASSWORD, SLOT_PASSPHRASE, SLOT_USERNAME, SLOT__COUNT };

struct session {
        struct daemon *d;
        struct dprofile *dp;
        struct bus_object *obj;
        char *path;
        uid_t owner;
        char *caller; /* the bus name that called Connect (its agent is asked first) */
        bool interactive;

        enum ipc_state state;
        enum ipc_reason reason;
        char *error_text;
        char *gateway_text;
        char **vips, **dns, **routes;
        struct ipc_status status;
        char ifname[16];
        int ifindex;

        /* Secrets for this session only, wiped at the end. */
        char *secrets[SLOT__COUNT];

        GCancellable *cancel;       /* resolver, agent */
        GCancellable *child_cancel; /* the wait for the engine: only at session_free() */
        GSubprocess *child;
        int ipc_fd;
        guint ipc_watch;
        guint kill_timer;
        int tun_fd, udp_ike_fd, udp_natt_fd;
        struct platform_addr gw;
        uint16_t gw_port;
        struct platform_state *platform;
        struct netcheck *applied; /* what platform holds (its kill switch's gateway) */
        struct platform_monitor *monitor;
        guint net_retry;
        unsigned net_retries;
        bool redirecting; /* an IPC_REDIRECT is being followed */
        bool stop_requested;
        bool stopping_daemon;
        struct logring log;
};

static const struct bus_object_class session_class;

const char *session_path(const struct session *s)
{
        return s->path;
}

bool session_active(const struct session *s)
{
        return s->state != IPC_ST_DISCONNECTED && s->state != IPC_ST_FAILED;
}

uid_t session_owner(const struct session *s)
{
        return s->owner;
}

GVariant *session_log(const struct session *s)
{
        return logring_to_variant(&s->log);
}

/* ---------------------------------------------------------------- logging */

static void slog(struct session *s, int prio, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void slog(struct session *s, int prio, const char *fmt, ...)
{
        const char *secrets[SLOT__COUNT + 1] = {0};
        struct log_fields f = {
                .profile = s->dp->profile->name,
                .gateway = s->gateway_text ? s->gateway_text : s->dp->profile->host,
                .state = ipc_state_to_string(s->state),
                .session = s->path,
        };
        g_autofree char *msg = NULL;
        size_t n = 0;
        va_list ap;

        for (size_t i = 0; i < SLOT__COUNT; i++)
                if (s->secrets[i] && i != SLOT_USERNAME)
                        secrets[n++] = s->secrets[i];
        if (s->dp->profile->eap_password && n < SLOT__COUNT)
                secrets[n++] = s->dp->profile->eap_password;
        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        log_msg(prio, &f, &s->log, secrets, "%s", msg);
}

/* ---------------------------------------------------------------- properties */

static GVariant *strv_or_empty(char **v)
{
        return g_variant_new_strv((const char *const *)(v ? v : (char *[]){NULL}), -1);
}

static GVariant *counters_variant(const struct ipc_status *st)
{
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
        g_variant_builder_add(&b, "{st}", "bytes-in", (guint64)st->bytes_in);
        g_variant_builder_add(&b, "{st}", "bytes-out", (guint64)st->bytes_out);
        g_variant_builder_add(&b, "{st}", "packets-in", (guint64)st->packets_in);
        g_variant_builder_add(&b, "{st}", "packets-out", (guint64)st->packets_out);
        for (size_t i = 0; i < st->n_drops && i < IPC_MAX_DROPS; i++) {
                g_autofree char *k = g_strdup_printf("drops-%s", st->drops[i].name);

                g_variant_builder_add(&b, "{st}", k, (guint64)st->drops[i].count);
        }
        return g_variant_builder_end(&b);
}

static GVariant *session_get_property(void *ud, const char *name)
{
        struct session *s = ud;

        if (strcmp(name, "Profile") == 0)
                return g_variant_new_object_path(s->dp->obj->path);
        if (strcmp(name, "Owner") == 0)
                return g_variant_new_uint32(s->owner);
        if (strcmp(name, "State") == 0)
                return g_variant_new_string(ipc_state_to_string(s->state));
        if (strcmp(name, "LastError") == 0)
                return g_variant_new("(ss)", ipc_reason_to_string(s->reason),
                                     s->error_text ? s->error_text : "");
        if (strcmp(name, "Gateway") == 0)
                return g_variant_new_string(s->gateway_text ? s->gateway_text : "");
        if (strcmp(name, "VirtualIPs") == 0)
                return strv_or_empty(s->vips);
        if (strcmp(name, "DNS") == 0)
                return strv_or_empty(s->dns);
        if (strcmp(name, "Routes") == 0)
                return strv_or_empty(s->routes);
        if (strcmp(name, "Counters") == 0)
                return counters_variant(&s->status);
        if (strcmp(name, "ConnectedSince") == 0)
                return g_variant_new_uint64(s->state == IPC_ST_CONNECTED ? s->status.connected_since
                                                                         : 0);
        if (strcmp(name, "Interface") == 0)
                return g_variant_new_string(s->ifname);
        return NULL;
}

static bool session_visible(void *ud, uid_t uid)
{
        struct session *s = ud;

        return uid == 0 || uid == s->owner;
}

static void changed(struct session *s, const char *const *names)
{
        bus_object_changed(s->obj, names);
}

static void set_state(struct session *s, enum ipc_state st, enum ipc_reason reason,
                      const char *text)
{
        static const char *const names[] = {"State", "LastError", "ConnectedSince", NULL};

        if (st == IPC_ST_FAILED || reason != IPC_REASON_NONE) {
                s->reason = reason;
                g_free(s->error_text);
                s->error_text = g_strdup(text ? text : "");
        } else if (st == IPC_ST_CONNECTING) {
                s->reason = IPC_REASON_NONE;
                g_clear_pointer(&s->error_text, g_free);
        }
        if (st == s->state && st != IPC_ST_FAILED)
                return;
        s->state = st;
        if (st == IPC_ST_CONNECTED && s->status.connected_since == 0)
                s->status.connected_since = (uint64_t)(g_get_real_time() / G_USEC_PER_SEC);
        if (st != IPC_ST_CONNECTED)
                s->status.connected_since = 0;
        if (st == IPC_ST_FAILED)
                slog(s, LOG_ERR, "failed (%s): %s", ipc_reason_to_string(reason), text ? text : "");
        else
                slog(s, LOG_INFO, "%s", ipc_state_to_string(st));
        changed(s, names);
        bus_object_signal(s->obj, "StateChanged",
                          g_variant_new("(sss)", ipc_state_to_string(st),
                                        st == IPC_ST_FAILED ? ipc_reason_to_string(s->reason) : "",
                                        st == IPC_ST_FAILED && s->error_text ? s->error_text : ""));
}

/* ---------------------------------------------------------------- teardown */

static void wipe_secrets(struct session *s)
{
        for (size_t i = 0; i < SLOT__COUNT; i++) {
                if (s->secrets[i])
                        secure_free(s->secrets[i], strlen(s->secrets[i]));
                s->secrets[i] = NULL;
        }
}

static void close_fds(struct session *s)
{
        closep(&s->tun_fd);
        closep(&s->udp_ike_fd);
        closep(&s->udp_natt_fd);
        s->tun_fd = s->udp_ike_fd = s->udp_natt_fd = -1;
}

static void revert_platform(struct session *s, unsigned flags)
{
        g_autoptr(GError) error = NULL;

        if (s->applied) {
                netcheck_clear(s->applied);
                g_clear_pointer(&s->applied, g_free);
        }
        if (!s->platform)
                return;
        if (platform_revert(g_steal_pointer(&s->platform), flags, &error) < 0)
                slog(s, LOG_ERR, "reverting the network configuration: %s", error->message);
        else
                slog(s, LOG_INFO, "network configuration reverted");
        {
                static const char *const names[] = {"VirtualIPs", "DNS", "Routes", NULL};

                g_clear_pointer(&s->vips, g_strfreev);
                g_clear_pointer(&s->dns, g_strfreev);
                g_clear_pointer(&s->routes, g_strfreev);
                changed(s, names);
        }
}

static void stop_monitor(struct session *s)
{
        if (s->net_retry)
                g_source_remove(s->net_retry);
        s->net_retry = 0;
        g_clear_pointer(&s->monitor, platform_monitor_free);
}

/* Ends the session for good: the engine is gone (or never started). */
static void finish(struct session *s, enum ipc_state st, enum ipc_reason reason, const char *text)
{
        static const char *const names[] = {"Interface", "Gateway", "Counters", NULL};
        bool was_stopping = s->stopping_daemon;

        if (s->ipc_watch)
                g_source_remove(s->ipc_watch);
        s->ipc_watch = 0;
        if (s->kill_timer)
                g_source_remove(s->kill_timer);
        s->kill_timer = 0;
        stop_monitor(s);
        s->redirecting = false;
        closep(&s->ipc_fd);
        s->ipc_fd = -1;
        if (s->cancel)
                g_cancellable_cancel(s->cancel);
        g_clear_object(&s->cancel);
        revert_platform(s, 0);
        close_fds(s);
        wipe_secrets(s);
        s->ifname[0] = '\0';
        s->ifindex = 0;
        changed(s, names);
        set_state(s, st, reason, text);
        s->stop_requested = false;
        s->stopping_daemon = false;
        if (was_stopping)
                daemon_session_stopped(s->d);
}

static void fail(struct session *s, enum ipc_reason reason, const char *fmt, ...)
        G_GNUC_PRINTF(3, 4);
static void fail(struct session *s, enum ipc_reason reason, const char *fmt, ...)
{
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, fmt);
        text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (s->child) {
                /* The engine goes; on_child_exit() finishes with this reason. */
                s->reason = reason;
                g_free(s->error_text);
                s->error_text = g_steal_pointer(&text);
                g_subprocess_force_exit(s->child);
                return;
        }
        finish(s, IPC_ST_FAILED, reason, text);
}

static void on_child_exit(GObject *src, GAsyncResult *res, gpointer data)
{
        struct session *s = data;
        GSubprocess *child = G_SUBPROCESS(src);
        g_autofree char *how = NULL;
        g_autoptr(GError) error = NULL;

        if (!g_subprocess_wait_finish(child, res, &error) &&
            g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
                /* session_free(): s is gone. */
                g_object_unref(child);
                return;
        }
        if (s->child != child) {
                g_object_unref(child);
                return;
        }
        g_clear_object(&s->child);
        if (g_subprocess_get_if_signaled(child))
                how = g_strdup_printf("killed by signal %d (%s)", g_subprocess_get_term_sig(child),
                                      g_strsignal(g_subprocess_get_term_sig(child)));
        else
                how = g_strdup_printf("exit status %d", g_subprocess_get_exit_status(child));
        g_object_unref(child);

        if (s->stop_requested) {
                slog(s, LOG_INFO, "engine ended (%s)", how);
                finish(s, IPC_ST_DISCONNECTED, IPC_REASON_NONE, NULL);
        } else if (s->reason != IPC_REASON_NONE && s->error_text) {
                /* fail() made it go, or the engine said why before it ended. */
                g_autofree char *text = g_strdup(s->error_text);

                slog(s, LOG_INFO, "engine ended (%s)", how);
                finish(s, IPC_ST_FAILED, s->reason, text);
        } else {
                g_autofree char *text =
                        g_strdup_printf("the engine process ended unexpectedly (%s)", how);

                finish(s, IPC_ST_FAILED, IPC_REASON_ENGINE_CRASHED, text);
        }
}

/* ---------------------------------------------------------------- engine requests */

static void send_msg(struct session *s, const struct ipc_msg *m)
{
        int r = ipc_send(s->ipc_fd, m);

        if (r < 0 && r != -EPIPE)
                slog(s, LOG_WARNING, "cannot write to the engine: %s", g_strerror(-r));
}

static char *prefix_text(const struct platform_prefix *p, bool host)
{
        char buf[INET6_ADDRSTRLEN];

        inet_ntop(p->addr.family,
                  p->addr.family == AF_INET ? (const void *)&p->addr.v4 : (const void *)&p->addr.v6,
                  buf, sizeof(buf));
        if (host)
                return g_strdup(buf);
        return g_strdup_printf("%s/%u", buf, p->prefixlen);
}

static void publish_config(struct session *s, const struct netcheck *nc)
{
        static const char *const names[] = {"VirtualIPs", "DNS", "Routes", NULL};
        const struct platform_config *cfg = &nc->cfg;
        GPtrArray *v = g_ptr_array_new();
        char buf[INET6_ADDRSTRLEN];

        if (cfg->has_ipv4) {
                inet_ntop(AF_INET, &cfg->ipv4, buf, sizeof(buf));
                g_ptr_array_add(v, g_strdup_printf("%s/32", buf));
        }
        if (cfg->has_ipv6) {
                inet_ntop(AF_INET6, &cfg->ipv6, buf, sizeof(buf));
                g_ptr_array_add(v, g_strdup_printf("%s/128", buf));
        }
        g_ptr_array_add(v, NULL);
        g_strfreev(s->vips);
        s->vips = (char **)g_ptr_array_free(v, FALSE);

        v = g_ptr_array_new();
        for (size_t i = 0; i < cfg->n_dns; i++)
                g_ptr_array_add(v,
                                prefix_text(&(struct platform_prefix){.addr = cfg->dns[i]}, true));
        for (const char *const *d = cfg->routing_domains; d && *d; d++)
                g_ptr_array_add(v, g_strdup_printf("domain:~%s", *d));
        for (const char *const *d = cfg->search_domains; d && *d; d++)
                g_ptr_array_add(v, g_strdup_printf("domain:%s", *d));
        g_ptr_array_add(v, NULL);
        g_strfreev(s->dns);
        s->dns = (char **)g_ptr_array_free(v, FALSE);

        v = g_ptr_array_new();
        if (cfg->mode == PLATFORM_TUNNEL_FULL) {
                g_ptr_array_add(v, g_strdup("0.0.0.0/0"));
                g_ptr_array_add(v, g_strdup("::/0"));
        }
        for (size_t i = 0; i < cfg->n_include; i++) {
                /* A full tunnel's gateway selectors are 0.0.0.0/0 and ::/0
                 * again: listed above already. */
                if (cfg->mode == PLATFORM_TUNNEL_FULL && cfg->include[i].prefixlen == 0)
                        continue;
                g_ptr_array_add(v, prefix_text(&cfg->include[i], false));
        }
        for (size_t i = 0; i < cfg->n_exclude; i++) {
                g_autofree char *t = prefix_text(&cfg->exclude[i], false);

                g_ptr_array_add(v, g_strdup_printf("!%s", t));
        }
        g_ptr_array_add(v, NULL);
        g_strfreev(s->routes);
        s->routes = (char **)g_ptr_array_free(v, FALSE);
        changed(s, names);
}

static void handle_apply(struct session *s, const struct ipc_net_config *c)
{
        struct netcheck_context ctx = {
                .profile = s->dp->profile,
                .ifname = s->ifname,
                .ifindex = s->ifindex,
                .gateway = s->gw,
                .gateway_port = s->gw_port,
                .state_dir = s->d->opts.state_dir,
                .resolv_conf = s->d->opts.resolv_conf,
        };
        /* Kept while applied (a redirect rebuilds the kill switch from it):
         * on the heap, as its cfg points into it. */
        struct netcheck *nc = g_new0(struct netcheck, 1);
        struct ipc_msg reply = {.type = IPC_APPLY_RESULT};
        g_autofree char *why = NULL;
        g_autoptr(GError) error = NULL;
        int r;

        r = netcheck_build(c, &ctx, nc, &why);
        if (r < 0) {
                slog(s, LOG_ERR, "refused the engine's network configuration: %s", why);
                reply.apply_result.error = -EINVAL;
                ipc_set_text(reply.apply_result.text, sizeof(reply.apply_result.text), why);
                send_msg(s, &reply);
                netcheck_clear(nc);
                g_free(nc);
                return;
        }
        /* A new configuration (reconnect, rekey with new addresses) replaces
         * the old one; the kill switch stays up in between. */
        if (s->platform)
                revert_platform(s, PLATFORM_REVERT_KEEP_KILL_SWITCH);
        r = platform_apply(&nc->cfg, &s->platform, &error);
        if (r < 0) {
                slog(s, LOG_ERR, "applying the network configuration: %s", error->message);
                reply.apply_result.error = r;
                ipc_set_text(reply.apply_result.text, sizeof(reply.apply_result.text),
                             error->message);
                netcheck_clear(nc);
                g_free(nc);
        } else {
                slog(s, LOG_INFO, "network configuration applied on %s", s->ifname);
                publish_config(s, nc);
                s->applied = nc;
        }
        send_msg(s, &reply);
}

static void send_secret(struct session *s, enum ipc_secret_kind kind, int error, const char *secret)
{
        struct ipc_msg m = {.type = IPC_SECRET};
        size_t len = secret ? strlen(secret) : 0;

        m.secret.kind = (uint8_t)kind;
        m.secret.error = error;
        if (error == 0) {
                if (len > IPC_SECRET_MAX) {
                        m.secret.error = -E2BIG;
                        len = 0;
                } else
                        memcpy(m.secret.secret, secret, len);
        }
        m.secret.len = m.secret.error ? 0 : (uint16_t)len;
        send_msg(s, &m);
        secure_wipe(&m, sizeof(m));
}

/* The answer may come after the session (or its profile) is gone: it is
 * found again by the profile's path. */
struct secret_wait {
        struct daemon *d;
        char *profile_path;
        enum ipc_secret_kind kind;
};

static void on_agent_secret(void *ud, int error, char *secret, const char *message)
{
        struct secret_wait *w = ud;
        struct dprofile *dp = g_hash_table_lookup(w->d->profiles, w->profile_path);
        struct session *s = dp ? dp->session : NULL;
        enum ipc_secret_kind kind = w->kind;

        g_free(w->profile_path);
        g_free(w);
        if (!s || !s->child || s->stop_requested) {
                if (secret)
                        secure_free(secret, strlen(secret));
                return; /* withdrawn, or nobody to give it to */
        }
        if (error < 0) {
                slog(s, LOG_WARNING, "no %s from the agent: %s", ipc_secret_kind_to_string(kind),
                     message ? message : g_strerror(-error));
                send_secret(s, kind, error, NULL);
                return;
        }
        /* Kept for the session (a reconnect needs it again), wiped at its end. */
        if (s->secrets[kind])
                secure_free(s->secrets[kind], strlen(s->secrets[kind]));
        s->secrets[kind] = secret;
        slog(s, LOG_INFO, "got a %s from the agent", ipc_secret_kind_to_string(kind));
        send_secret(s, kind, 0, secret);
}

static void handle_need_secret(struct session *s, enum ipc_secret_kind kind, const char *prompt)
{
        g_autoptr(GCancellable) c = NULL;
        struct secret_wait *w;
        GVariantBuilder hints;

        slog(s, LOG_INFO, "the engine needs a %s", ipc_secret_kind_to_string(kind));
        if (!s->interactive) {
                send_secret(s, kind, -ENOKEY, NULL);
                return;
        }
        g_variant_builder_init(&hints, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&hints, "{sv}", "profile-name",
                              g_variant_new_string(s->dp->profile->name));
        if (s->dp->profile->eap_id)
                g_variant_builder_add(&hints, "{sv}", "identity",
                                      g_variant_new_string(s->dp->profile->eap_id));
        w = g_new0(struct secret_wait, 1);
        w->d = s->d;
        w->profile_path = g_strdup(s->dp->obj->path);
        w->kind = kind;
        c = agent_ask(s->d, s->owner, s->caller, s->dp->obj->path, ipc_secret_kind_to_string(kind),
                      prompt, g_variant_builder_end(&hints), on_agent_secret, w);
        if (!c) {
                g_free(w->profile_path);
                g_free(w);
                slog(s, LOG_WARNING, "no secret agent registered for uid %u", (unsigned)s->owner);
                send_secret(s, kind, -ENOKEY, NULL);
                return;
        }
        /* A disconnect cancels the question. */
        g_signal_connect_object(s->cancel, "cancelled", G_CALLBACK(g_cancellable_cancel), c,
                                G_CONNECT_SWAPPED);
}

static void handle_status(struct session *s, const struct ipc_status *st)
{
        static const char *const names[] = {"Counters", "Gateway", "ConnectedSince", NULL};
        uint64_t since = s->status.connected_since;

        s->status = *st;
        /* The parent keeps its own clock for ConnectedSince. */
        s->status.connected_since = since;
        if (st->gateway.family) {
                char buf[INET6_ADDRSTRLEN];

                inet_ntop(st->gateway.family == 4 ? AF_INET : AF_INET6, st->gateway.addr, buf,
                          sizeof(buf));
                g_free(s->gateway_text);
                s->gateway_text = g_strdup_printf(st->gateway.family == 6 ? "[%s]:%u" : "%s:%u",
                                                  buf, st->gateway_port);
        }
        changed(s, names);
}

/* ---------------------------------------------------------------- moving the sockets */

static socklen_t sockaddr_of(const struct platform_addr *a, uint16_t port,
                             struct sockaddr_storage *ret)
{
        memset(ret, 0, sizeof(*ret));
        if (a->family == AF_INET) {
                struct sockaddr_in *sin = (struct sockaddr_in *)ret;

                sin->sin_family = AF_INET;
                sin->sin_addr = a->v4;
                sin->sin_port = htons(port);
                return sizeof(*sin);
        }
        {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ret;

                sin6->sin6_family = AF_INET6;
                sin6->sin6_addr = a->v6;
                sin6->sin6_port = htons(port);
                return sizeof(*sin6);
        }
}

static char *addr_text(const struct platform_addr *a)
{
        char buf[INET6_ADDRSTRLEN];

        if (!inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6,
                       buf, sizeof(buf)))
                return g_strdup("?");
        return g_strdup(buf);
}

/* Points both UDP sockets (ours and the engine's: one open file description
 * each) at gw: the IKE port of the profile and 4500 (RFC 3948). The kernel
 * chooses the source for the network as it is now. */
static int reconnect_sockets(struct session *s, const struct platform_addr *gw)
{
        struct sockaddr_storage ss;
        socklen_t len = sockaddr_of(gw, s->dp->profile->port, &ss);
        int r = udp_reconnect(s->udp_ike_fd, (struct sockaddr *)&ss, len);

        if (r < 0)
                return r;
        len = sockaddr_of(gw, NATT_PORT, &ss);
        return udp_reconnect(s->udp_natt_fd, (struct sockaddr *)&ss, len);
}

/* The sockets' source (the IKE socket's; the NAT-T one's differs only in
 * its port), as an IPC endpoint; zero when the kernel will not say. */
static void local_endpoint(struct session *s, struct ipc_endpoint *ret, char **ret_text)
{
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char buf[INET6_ADDRSTRLEN] = "?";

        memset(ret, 0, sizeof(*ret));
        if (getsockname(s->udp_ike_fd, (struct sockaddr *)&ss, &len) == 0) {
                if (ss.ss_family == AF_INET) {
                        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

                        ret->addr = (struct ipc_prefix){.family = 4, .prefixlen = 32};
                        memcpy(ret->addr.addr, &a->sin_addr, 4);
                        ret->port = ntohs(a->sin_port);
                        inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
                } else if (ss.ss_family == AF_INET6) {
                        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

                        ret->addr = (struct ipc_prefix){.family = 6, .prefixlen = 128};
                        memcpy(ret->addr.addr, &a->sin6_addr, 16);
                        ret->port = ntohs(a->sin6_port);
                        inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
                }
        }
        *ret_text = g_strdup_printf(ret->addr.family == 6 ? "[%s]:%u" : "%s:%u", buf, ret->port);
}

static bool engine_connection_running(const struct session *s)
{
        if (!s->child || s->stop_requested || s->ipc_fd < 0)
                return false;
        switch (s->state) {
        case IPC_ST_CONNECTING:
        case IPC_ST_AUTHENTICATING:
        case IPC_ST_CONNECTED:
        case IPC_ST_RECONNECTING:
                return true;
        default:
                return false;
        }
}

static gboolean on_net_retry(gpointer data);

static void network_changed(struct session *s)
{
        struct ipc_msg m = {.type = IPC_NETWORK_CHANGED};
        g_autofree char *local = NULL;
        int r;

        if (!engine_connection_running(s))
                return;
        if (s->redirecting) {
                slog(s, LOG_INFO, "the network changed while following a redirect: the redirect "
                                  "re-connects the sockets");
                return;
        }
        r = reconnect_sockets(s, &s->gw);
        if (r < 0) {
                if (s->net_retries < NET_RETRIES && !s->net_retry) {
                        s->net_retries++;
                        slog(s, LOG_WARNING,
                             "network changed: cannot re-connect the sockets to %s: %s "
                             "(again in %u s)",
                             s->gateway_text, g_strerror(-r), NET_RETRY_S);
                        s->net_retry = g_timeout_add_seconds(NET_RETRY_S, on_net_retry, s);
                } else if (!s->net_retry)
                        slog(s, LOG_ERR,
                             "network changed: cannot re-connect the sockets to %s: %s (giving "
                             "up until the network changes again)",
                             s->gateway_text, g_strerror(-r));
                return;
        }
        s->net_retries = 0;
        local_endpoint(s, &m.network_changed.local, &local);
        slog(s, LOG_NOTICE, "network changed: sockets re-connected to %s from %s; telling the engine",
             s->gateway_text, local);
        send_msg(s, &m);
}

static gboolean on_net_retry(gpointer data)
{
        struct session *s = data;

        s->net_retry = 0;
        network_changed(s);
        return G_SOURCE_REMOVE;
}

static void on_net_event(enum platform_net_event ev, void *ud)
{
        struct session *s = ud;

        if (!engine_connection_running(s))
                return;
        if (ev == PLATFORM_NET_LOST) {
                slog(s, LOG_NOTICE, "network lost: no default route outside the tunnel");
                return;
        }
        if (s->net_retry) {
                g_source_remove(s->net_retry);
                s->net_retry = 0;
        }
        s->net_retries = 0;
        network_changed(s);
}

static void start_monitor(struct session *s)
{
        g_autoptr(GError) error = NULL;

        if (platform_monitor_new(NET_DEBOUNCE_MS, on_net_event, s, &s->monitor, &error) < 0) {
                /* The tunnel works without it; it just does not follow a move at once. */
                slog(s, LOG_WARNING, "no link monitor: %s", error->message);
                return;
        }
        platform_monitor_set_ignore(s->monitor, s->ifindex);
}

/* ---------------------------------------------------------------- redirect (RFC 5685) */

static void redirect_refuse(struct session *s, int error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void redirect_refuse(struct session *s, int error, const char *fmt, ...)
{
        struct ipc_msg m = {.type = IPC_REDIRECT_READY};
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, fmt);
        text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        s->redirecting = false;
        slog(s, LOG_ERR, "redirect refused: %s", text);
        m.redirect_ready.error = error < 0 ? error : -EINVAL;
        ipc_set_text(m.redirect_ready.text, sizeof(m.redirect_ready.text), text);
        send_msg(s, &m);
}

/* The address is known: kill switch, sockets, Gateway, answer. */
static void redirect_to(struct session *s, const struct platform_addr *to)
{
        static const char *const names[] = {"Gateway", NULL};
        struct ipc_msg m = {.type = IPC_REDIRECT_READY};
        g_autofree char *to_text = addr_text(to);
        g_autofree char *local = NULL;
        const char *why = netcheck_gateway_problem(to, s->gw.family);
        uint16_t port = s->dp->profile->port;
        int r;

        if (why) {
                redirect_refuse(s, -EPERM, "the new gateway %s %s", to_text, why);
                return;
        }
        if (s->platform && s->applied && s->applied->cfg.kill_switch) {
                g_autoptr(GError) error = NULL;
                struct platform_addr old = s->applied->gateway;

                /* The old gateway goes: the engine has left it (RFC 5685 6). */
                s->applied->gateway = *to;
                r = platform_kill_switch_update(s->platform, &s->applied->cfg, &error);
                if (r < 0) {
                        s->applied->gateway = old;
                        redirect_refuse(s, r, "the kill switch cannot let %s through: %s", to_text,
                                        error->message);
                        return;
                }
                slog(s, LOG_NOTICE, "redirect: the kill switch lets %s through (instead of the old "
                                    "gateway)", to_text);
        }
        r = reconnect_sockets(s, to);
        if (r < 0) {
                redirect_refuse(s, r, "cannot re-connect the sockets to %s: %s", to_text,
                                g_strerror(-r));
                return;
        }
        s->gw = *to;
        s->gw_port = port;
        g_free(s->gateway_text);
        s->gateway_text = g_strdup_printf(to->family == AF_INET6 ? "[%s]:%u" : "%s:%u", to_text,
                                          port);
        changed(s, names);
        local_endpoint(s, &m.redirect_ready.local, &local);
        slog(s, LOG_NOTICE, "redirect: sockets re-connected to %s from %s; the engine goes on there",
             s->gateway_text, local);
        m.redirect_ready.gateway.addr.family = to->family == AF_INET ? 4 : 6;
        m.redirect_ready.gateway.addr.prefixlen = to->family == AF_INET ? 32 : 128;
        memcpy(m.redirect_ready.gateway.addr.addr,
               to->family == AF_INET ? (const void *)&to->v4 : (const void *)&to->v6,
               to->family == AF_INET ? 4 : 16);
        m.redirect_ready.gateway.port = port;
        if (m.redirect_ready.local.addr.family != m.redirect_ready.gateway.addr.family)
                memset(&m.redirect_ready.local, 0, sizeof(m.redirect_ready.local));
        s->redirecting = false;
        send_msg(s, &m);
}

/* The name is looked up again by the profile's path: the session may be gone. */
struct redirect_lookup {
        struct daemon *d;
        char *profile_path;
        char *fqdn;
        GCancellable *cancel;
};

static void redirect_lookup_free(struct redirect_lookup *l)
{
        g_free(l->profile_path);
        g_free(l->fqdn);
        g_clear_object(&l->cancel);
        g_free(l);
}

static void on_redirect_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
        struct redirect_lookup *l = data;
        struct dprofile *dp = g_hash_table_lookup(l->d->profiles, l->profile_path);
        struct session *s = dp ? dp->session : NULL;
        g_autoptr(GError) error = NULL;
        GList *addrs = g_resolver_lookup_by_name_finish(G_RESOLVER(src), res, &error);
        struct platform_addr pick = {0};
        const char *first_problem = NULL;
        g_autofree char *first_text = NULL;

        if (!s || g_cancellable_is_cancelled(l->cancel) || !s->redirecting || !s->child) {
                g_resolver_free_addresses(addrs);
                redirect_lookup_free(l);
                return; /* the session ended (or stopped) meanwhile */
        }
        if (!addrs) {
                redirect_refuse(s, -EHOSTUNREACH, "cannot resolve %s: %s", l->fqdn,
                                error->message);
                redirect_lookup_free(l);
                return;
        }
        for (GList *i = addrs; i && pick.family == 0; i = i->next) {
                g_autofree char *t = g_inet_address_to_string(i->data);
                struct platform_addr a;
                const char *why;

                if (platform_addr_parse(t, &a) < 0)
                        continue;
                why = netcheck_gateway_problem(&a, s->gw.family);
                if (!why)
                        pick = a;
                else if (!first_problem) {
                        first_problem = why;
                        first_text = g_strdup(t);
                }
        }
        g_resolver_free_addresses(addrs);
        if (pick.family == 0) {
                redirect_refuse(s, -EPERM, "%s resolves to no usable address (%s %s)", l->fqdn,
                                first_text ? first_text : "-", first_problem ? first_problem : "");
                redirect_lookup_free(l);
                return;
        }
        {
                g_autofree char *t = addr_text(&pick);

                slog(s, LOG_INFO, "redirect: %s resolves to %s", l->fqdn, t);
        }
        redirect_lookup_free(l);
        redirect_to(s, &pick);
}

static void handle_redirect(struct session *s, const struct ipc_msg *m)
{
        unsigned count = m->redirect.count;

        if (s->redirecting) {
                /* The engine waits for one answer; a second question is a broken engine. */
                slog(s, LOG_ERR, "the engine asked for a second redirect before the first was answered");
                fail(s, IPC_REASON_INTERNAL, "the engine broke the IPC protocol");
                return;
        }
        if (s->stop_requested)
                return; /* going down: the engine gets its DISCONNECT */
        s->redirecting = true;
        if (m->redirect.addr.family != 0) {
                struct platform_addr a = {.family = m->redirect.addr.family == 4 ? AF_INET
                                                                                  : AF_INET6};
                g_autofree char *t = NULL;

                memcpy(a.family == AF_INET ? (void *)&a.v4 : (void *)&a.v6, m->redirect.addr.addr,
                       a.family == AF_INET ? 4 : 16);
                t = addr_text(&a);
                slog(s, LOG_NOTICE, "the gateway redirects us to %s (redirect %u in a row)", t,
                     count);
                redirect_to(s, &a);
                return;
        }
        slog(s, LOG_NOTICE, "the gateway redirects us to %s (redirect %u in a row): resolving it",
             m->redirect.fqdn, count);
        {
                g_autoptr(GResolver) resolver = g_resolver_get_default();
                struct redirect_lookup *l = g_new0(struct redirect_lookup, 1);

                l->d = s->d;
                l->profile_path = g_strdup(s->dp->obj->path);
                l->fqdn = g_strdup(m->redirect.fqdn);
                l->cancel = g_object_ref(s->cancel);
                g_resolver_lookup_by_name_async(resolver, l->fqdn, l->cancel, on_redirect_resolved,
                                                l);
        }
}

static void handle(struct session *s, const struct ipc_msg *m)
{
        switch (m->type) {
        case IPC_STATE:
                if (m->state.state == IPC_ST_FAILED) {
                        /* Remember why; finish when the engine is gone. */
                        s->reason = m->state.reason ? m->state.reason : IPC_REASON_INTERNAL;
                        g_free(s->error_text);
                        s->error_text = g_strdup(m->state.text);
                        slog(s, LOG_ERR, "engine: %s", m->state.text);
                        return;
                }
                if (m->state.state == IPC_ST_DISCONNECTED)
                        return; /* final: the exit tells */
                set_state(s, m->state.state, IPC_REASON_NONE, NULL);
                break;
        case IPC_APPLY:
                handle_apply(s, &m->apply);
                break;
        case IPC_REVERT:
                revert_platform(s,
                                m->revert.keep_kill_switch ? PLATFORM_REVERT_KEEP_KILL_SWITCH : 0);
                break;
        case IPC_NEED_SECRET:
                handle_need_secret(s, m->need_secret.kind, m->need_secret.prompt);
                break;
        case IPC_LOG:
                slog(s, m->log.priority < LOG_ERR ? LOG_ERR : m->log.priority, "%s", m->log.text);
                break;
        case IPC_STATUS:
                handle_status(s, &m->status);
                break;
        case IPC_REDIRECT:
                handle_redirect(s, m);
                break;
        default:
                /* A parent-to-engine type from the engine. */
                slog(s, LOG_ERR, "engine sent a message of type %u it may not send", m->type);
                fail(s, IPC_REASON_INTERNAL, "the engine broke the IPC protocol");
                break;
        }
}

static gboolean on_ipc(int fd, GIOCondition cond, gpointer data)
{
        struct session *s = data;

        for (unsigned i = 0; i < 64; i++) {
                struct ipc_msg m;
                int r = ipc_recv(fd, &m);

                if (r == -EAGAIN)
                        return G_SOURCE_CONTINUE;
                if (r == -EPIPE) {
                        s->ipc_watch = 0;
                        return G_SOURCE_REMOVE; /* the exit handler finishes */
                }
                if (r < 0) {
                        /* One bad message ends the engine: it is not ours any more. */
                        slog(s, LOG_ERR, "bad message from the engine: %s", g_strerror(-r));
                        s->ipc_watch = 0;
                        fail(s, IPC_REASON_INTERNAL, "the engine sent a malformed message");
                        return G_SOURCE_REMOVE;
                }
                handle(s, &m);
                secure_wipe(&m, sizeof(m));
                if (!s->ipc_watch)
                        return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- start */

static int profile_memfd(const struct profile *p)
{
        char *text = profile_to_keyfile(p, PROFILE_WRITE_SECRETS);
        int fd = privsep_memfd("tsunagu-profile", text, strlen(text));

        profile_secret_free(text);
        return fd;
}

static void tun_log(void *ud, const char *msg)
{
        slog(ud, LOG_NOTICE, "%s", msg);
}

static int open_udp(struct session *s, const struct sockaddr_storage *gw, socklen_t len,
                    uint16_t port)
{
        struct sockaddr_storage ss = *gw;
        struct udp_open_opts o = {
                .remote = (struct sockaddr *)&ss,
                .remote_len = len,
                .fwmark = PLATFORM_FWMARK_DEFAULT,
                .want_offloads = true,
        };

        struct udp_caps caps;

        if (ss.ss_family == AF_INET)
                ((struct sockaddr_in *)&ss)->sin_port = htons(port);
        else
                ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
        return udp_open(&o, &caps);
}

static void start_engine(struct session *s, GInetAddress *addr)
{
        const struct profile *p = s->dp->profile;
        g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(addr, p->port);
        struct sockaddr_storage gw;
        struct tun_open_opts to = {.mtu = p->mtu, .want_offloads = true};
        enum tun_mode mode;
        int sp[2] = {-1, -1};
        _cleanup_close_ int profile_fd = -1, child_ipc = -1;
        g_autofree char *mode_arg = NULL, *ifindex_arg = NULL, *gw_arg = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *addr_text = g_inet_address_to_string(addr);
        uid_t uid;
        gid_t gid;
        int r;

        if (!g_socket_address_to_native(sa, &gw, sizeof(gw), &error)) {
                fail(s, IPC_REASON_INTERNAL, "gateway address: %s", error->message);
                return;
        }
        memset(&s->gw, 0, sizeof(s->gw));
        s->gw.family = gw.ss_family;
        if (gw.ss_family == AF_INET)
                s->gw.v4 = ((struct sockaddr_in *)&gw)->sin_addr;
        else
                s->gw.v6 = ((struct sockaddr_in6 *)&gw)->sin6_addr;
        s->gw_port = p->port;
        g_free(s->gateway_text);
        s->gateway_text =
                g_strdup_printf(gw.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr_text, p->port);

        r = privsep_lookup_user(s->d->opts.engine_user, &uid, &gid);
        if (r < 0) {
                fail(s, IPC_REASON_INTERNAL, "engine user '%s': %s", s->d->opts.engine_user,
                     r == -ENOENT  ? "no such user"
                     : r == -EPERM ? "must not be root"
                                   : g_strerror(-r));
                return;
        }

        r = tun_open(&to, s->ifname, &mode, tun_log, s);
        if (r < 0) {
                fail(s, IPC_REASON_PLATFORM, "cannot create the TUN device: %s", g_strerror(-r));
                return;
        }
        s->tun_fd = r;
        s->ifindex = (int)if_nametoindex(s->ifname);
        s->udp_ike_fd = open_udp(s, &gw, g_socket_address_get_native_size(sa), p->port);
        s->udp_natt_fd = open_udp(s, &gw, g_socket_address_get_native_size(sa), NATT_PORT);
        if (s->udp_ike_fd < 0 || s->udp_natt_fd < 0) {
                r = s->udp_ike_fd < 0 ? s->udp_ike_fd : s->udp_natt_fd;
                fail(s, IPC_REASON_NETWORK, "cannot open a UDP socket to %s: %s", s->gateway_text,
                     g_strerror(-r));
                return;
        }
        profile_fd = profile_memfd(p);
        if (profile_fd < 0) {
                fail(s, IPC_REASON_INTERNAL, "memfd: %s", g_strerror(-profile_fd));
                return;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
                fail(s, IPC_REASON_INTERNAL, "socketpair: %s", g_strerror(errno));
                return;
        }
        s->ipc_fd = sp[0];
        child_ipc = sp[1];

        mode_arg = g_strdup_printf("--tun-mode=%u", (unsigned)mode);
        ifindex_arg = g_strdup_printf("--tun-ifindex=%d", s->ifindex);
        gw_arg = g_strdup_printf("--tun-name=%s", s->ifname);
        {
                const char *extra[] = {mode_arg, ifindex_arg, gw_arg,
                                       s->d->opts.no_seccomp ? "--no-seccomp" : NULL, NULL};
                struct privsep_spawn sp_args = {
                        .engine_path = s->d->opts.engine_path,
                        .uid = uid,
                        .gid = gid,
                        .ipc_fd = child_ipc,
                        .profile_fd = profile_fd,
                        .udp_ike_fd = s->udp_ike_fd,
                        .udp_natt_fd = s->udp_natt_fd,
                        .tun_fd = s->tun_fd,
                        .argv_extra = extra,
                };

                s->child = privsep_spawn(&sp_args, &error);
        }
        if (!s->child) {
                fail(s, IPC_REASON_INTERNAL, "cannot start the engine: %s", error->message);
                return;
        }
        s->ipc_watch = g_unix_fd_add(s->ipc_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_ipc, s);
        start_monitor(s);
        g_subprocess_wait_async(s->child, s->child_cancel, on_child_exit, s);
        g_object_ref(s->child); /* for on_child_exit */
        slog(s, LOG_INFO, "engine %s started as uid %u on %s, gateway %s",
             g_subprocess_get_identifier(s->child), (unsigned)uid, s->ifname, s->gateway_text);
        {
                static const char *const names[] = {"Interface", "Gateway", NULL};

                changed(s, names);
        }
        /* The secrets given with Connect go first: the engine starts with them. */
        for (size_t k = 0; k < SLOT__COUNT; k++)
                if (s->secrets[k])
                        send_secret(s, (enum ipc_secret_kind)k, 0, s->secrets[k]);
        send_msg(s, &(struct ipc_msg){.type = IPC_START});
        /* The tun/udp fds stay open here until the end: the device and the
         * sockets outlive an engine crash long enough to be reverted. */
}

static void on_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
        struct session *s = data;
        g_autoptr(GError) error = NULL;
        GList *addrs = g_resolver_lookup_by_name_finish(G_RESOLVER(src), res, &error);
        GInetAddress *pick = NULL;

        if (!addrs) {
                if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                        return;
                fail(s, IPC_REASON_NETWORK, "cannot resolve %s: %s", s->dp->profile->host,
                     error->message);
                return;
        }
        for (GList *l = addrs; l && !pick; l = l->next)
                if (g_inet_address_get_family(l->data) == G_SOCKET_FAMILY_IPV4)
                        pick = l->data;
        for (GList *l = addrs; l && !pick && s->dp->profile->ipv6_transport; l = l->next)
                pick = l->data;
        if (!pick) {
                g_resolver_free_addresses(addrs);
                fail(s, IPC_REASON_NETWORK,
                     "%s has no IPv4 address (and the profile does not allow IPv6 transport)",
                     s->dp->profile->host);
                return;
        }
        start_engine(s, pick);
        g_resolver_free_addresses(addrs);
}

static const struct option_spec connect_options[] = {
        {"password", "s", IPC_SECRET_MAX},
        {"passphrase", "s", IPC_SECRET_MAX},
        {"eap-identity", "s", IPC_SECRET_MAX},
        {"interactive", "b"},
        {NULL},
};

void session_connect(struct session *s, struct call *c)
{
        g_autoptr(GVariant) opts = NULL;
        g_autofree char *err = NULL;
        static const char *const slot_keys[SLOT__COUNT] = {"password", "passphrase",
                                                           "eap-identity"};
        g_autoptr(GResolver) resolver = NULL;

        g_variant_get(c->params, "(@a{sv})", &opts);
        if (options_check(opts, connect_options, &err) < 0) {
                call_error(c, TSU_ERROR_INVALID_ARGS, "%s", err);
                return;
        }
        if (session_active(s)) {
                call_error(c, TSU_ERROR_BUSY, "'%s' is already %s", s->dp->profile->name,
                           ipc_state_to_string(s->state));
                return;
        }
        wipe_secrets(s);
        for (size_t k = 0; k < SLOT__COUNT; k++) {
                const char *v = options_str(opts, slot_keys[k]);

                if (v)
                        s->secrets[k] = g_strdup(v);
        }
        /* The Connect message that carried them is wiped by nobody (GDBus
         * owns it); our copies are. */
        s->interactive = options_bool(opts, "interactive", true);
        s->owner = c->uid;
        g_free(s->caller);
        s->caller = g_strdup(c->sender);
        memset(&s->status, 0, sizeof(s->status));
        logring_clear(&s->log);
        {
                static const char *const names[] = {"Owner", "Counters", NULL};

                changed(s, names);
        }
        s->cancel = g_cancellable_new();
        set_state(s, IPC_ST_CONNECTING, IPC_REASON_NONE, NULL);
        slog(s, LOG_INFO, "connecting for uid %u (%s)", (unsigned)c->uid, c->sender);
        call_return(c, g_variant_new("(o)", s->path));

        resolver = g_resolver_get_default();
        g_resolver_lookup_by_name_async(resolver, s->dp->profile->host, s->cancel, on_resolved, s);
}

static gboolean on_kill_timer(gpointer data)
{
        struct session *s = data;

        s->kill_timer = 0;
        if (s->child) {
                slog(s, LOG_WARNING, "the engine did not end within %u s: killed",
                     DISCONNECT_GRACE_MS / 1000);
                g_subprocess_force_exit(s->child);
        }
        return G_SOURCE_REMOVE;
}

static void stop(struct session *s)
{
        s->stop_requested = true;
        if (s->cancel)
                g_cancellable_cancel(s->cancel);
        if (!s->child) {
                finish(s, IPC_ST_DISCONNECTED, IPC_REASON_NONE, NULL);
                return;
        }
        set_state(s, IPC_ST_DISCONNECTING, IPC_REASON_NONE, NULL);
        send_msg(s, &(struct ipc_msg){.type = IPC_DISCONNECT});
        if (!s->kill_timer)
                s->kill_timer = g_timeout_add(DISCONNECT_GRACE_MS, on_kill_timer, s);
}

void session_disconnect(struct session *s, struct call *c)
{
        slog(s, LOG_INFO, "disconnect asked by uid %u", (unsigned)c->uid);
        if (session_active(s))
                stop(s);
        call_return(c, NULL);
}

/* Looked up again by the profile's path: the check is asynchronous. */
static void disconnect_authorized(struct call *c, void *ud)
{
        struct dprofile *dp = g_hash_table_lookup(c->d->profiles, ud);

        g_free(ud);
        if (!dp || !dp->session) {
                call_error(c, TSU_ERROR_NOT_FOUND, "the session is gone");
                return;
        }
        session_disconnect(dp->session, c);
}

static void session_call(void *ud, struct call *c)
{
        struct session *s = ud;

        if (strcmp(c->method, "Disconnect") == 0)
                auth_check(c, s->owner != c->uid ? ACTION_MANAGE_SYSTEM : ACTION_CONNECT,
                           disconnect_authorized, g_strdup(s->dp->obj->path), g_free);
        else
                call_error(c, TSU_ERROR_FAILED, "no method %s", c->method);
}

static const struct bus_object_class session_class = {
        .iface_name = TSU_DBUS_IFACE_SESSION,
        .iface_info = tsu_session_interface_info,
        .visible = session_visible,
        .get_property = session_get_property,
        .call = session_call,
};

struct session *session_new(struct dprofile *dp)
{
        struct session *s = g_new0(struct session, 1);
        g_autoptr(GError) error = NULL;

        s->d = dp->d;
        s->dp = dp;
        s->ipc_fd = s->tun_fd = s->udp_ike_fd = s->udp_natt_fd = -1;
        s->state = IPC_ST_DISCONNECTED;
        s->child_cancel = g_cancellable_new();
        s->path = g_strdup_printf(TSU_DBUS_SESSION_DIR "/%u", ++dp->d->next_session);
        s->obj = bus_object_new(dp->d, s->path, &session_class, s, &error);
        if (!s->obj) {
                log_err("cannot export %s: %s", s->path, error->message);
                g_free(s->path);
                g_free(s);
                return NULL;
        }
        return s;
}

void session_free(struct session *s)
{
        if (!s)
                return;
        if (s->child) {
                /* Only at exit, after sessions_stop_all(): no engine may stay. */
                g_subprocess_force_exit(s->child);
                g_clear_object(&s->child);
        }
        s->stopping_daemon = false;
        g_cancellable_cancel(s->child_cancel);
        g_clear_object(&s->child_cancel);
        if (s->ipc_watch)
                g_source_remove(s->ipc_watch);
        if (s->kill_timer)
                g_source_remove(s->kill_timer);
        stop_monitor(s);
        if (s->cancel)
                g_cancellable_cancel(s->cancel);
        g_clear_object(&s->cancel);
        if (s->applied) {
                netcheck_clear(s->applied);
                g_clear_pointer(&s->applied, g_free);
        }
        if (s->platform) {
                g_autoptr(GError) error = NULL;

                platform_revert(g_steal_pointer(&s->platform), 0, &error);
        }
        closep(&s->ipc_fd);
        close_fds(s);
        wipe_secrets(s);
        bus_object_free(s->obj);
        logring_clear(&s->log);
        g_strfreev(s->vips);
        g_strfreev(s->dns);
        g_strfreev(s->routes);
        g_free(s->error_text);
        g_free(s->gateway_text);
        g_free(s->caller);
        g_free(s->path);
        g_free(s);
}

void sessions_stop_all(struct daemon *d)
{
        GHashTableIter it;
        struct dprofile *dp;

        g_hash_table_iter_init(&it, d->profiles);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&dp)) {
                struct session *s = dp->session;

                if (!s || !session_active(s))
                        continue;
                d->n_stopping++;
                s->stopping_daemon = true;
                stop(s);
        }
}
