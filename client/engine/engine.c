/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's life: sockets and a timer on a GLib main context drive the
 * initiator; its actions become datagrams, the datapath, the owner's
 * callbacks. See engine.h.
 *
 * Threads: everything here runs on the engine's main context, except the
 * datapath's two threads. They hand IKE messages (from port 4500, once the
 * datapath owns that socket) and log lines over to us through a
 * mutex-protected inbox and an eventfd the main context watches.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "client/engine/engine-internal.h"
#include "client/ike/ikev2.h"
#include "client/ike/message.h"

#define RECV_BUDGET 32 /* datagrams read per wake-up */

uint64_t engine_now_ms(void)
{
        return (uint64_t)(g_get_monotonic_time() / 1000);
}

void engine_log(struct engine *e, int priority, const char *fmt, ...)
{
        char buf[768];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (e->cb.log)
                e->cb.log(e->ud, priority, buf);
}

static void set_state(struct engine *e, enum engine_state s)
{
        if (e->state == s)
                return;
        e->state = s;
        if (e->cb.state_changed)
                e->cb.state_changed(e->ud, s, s == ENGINE_STATE_FAILED ? &e->error : NULL);
}

static void teardown(struct engine *e);

void engine_fail(struct engine *e, enum engine_error_code code, const char *fmt, ...)
{
        va_list ap;

        if (e->error.code == ENGINE_ERROR_NONE) {
                e->error.code = code;
                va_start(ap, fmt);
                vsnprintf(e->error.text, sizeof(e->error.text), fmt, ap);
                va_end(ap);
        }
        teardown(e);
        set_state(e, ENGINE_STATE_FAILED);
}

/* ------------------------------------------------------------------ teardown */

static void source_drop(GSource **s)
{
        if (*s) {
                g_source_destroy(*s);
                g_source_unref(*s);
                *s = NULL;
        }
}

static void inbox_clear(struct engine *e)
{
        struct engine_inbox_item *it;

        g_mutex_lock(&e->inbox_lock);
        while ((it = g_queue_pop_head(&e->inbox)))
                g_free(it);
        g_mutex_unlock(&e->inbox_lock);
}

static void teardown(struct engine *e)
{
        if (e->torn_down)
                return;
        e->torn_down = true;
        source_drop(&e->timer);
        source_drop(&e->retry);
        source_drop(&e->restart_src);
        source_drop(&e->redirect_src);
        e->redirect_awaited = false;
        source_drop(&e->src500);
        source_drop(&e->src4500);
        if (e->dp) {
                esp_datapath_free(e->dp); /* stops and joins its threads, wipes the SAs */
                e->dp = NULL;
        }
        source_drop(&e->inbox_src);
        source_drop(&e->deferred);
        inbox_clear(e);
        if (e->applied) {
                e->applied = false;
                if (e->cb.revert_config)
                        e->cb.revert_config(e->ud, false);
        }
        e->connected_since = 0;
}

/* ------------------------------------------------------------------ the initiator's actions */

static void reschedule(struct engine *e);

static void send_datagram(struct engine *e, const struct ike_action *a)
{
        struct slice d = a->u.send.datagram;
        int fd = a->u.send.port == IKEV2_NATT_PORT ? e->p.udp_fd_4500 : e->p.udp_fd_500;
        ssize_t n;

        if (a->u.send.natt && e->dp) {
                /* The datapath owns the 4500 socket now; it adds the marker. */
                int r = esp_datapath_send_ike(e->dp, d.ptr + IKEV2_NON_ESP_MARKER_LEN,
                                              d.len - IKEV2_NON_ESP_MARKER_LEN);

                if (r < 0)
                        engine_log(e, LOG_WARNING, "sending IKE to the gateway failed: %s",
                                   g_strerror(-r));
                return;
        }
        do {
                n = send(fd, d.ptr, d.len, MSG_DONTWAIT);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
                /* Retransmission decides when this means "unreachable". */
                engine_log(e, LOG_WARNING, "sending IKE to the gateway (port %u) failed: %s",
                           a->u.send.port, g_strerror(errno));
}

static void on_dp_ike(void *ud, const uint8_t *msg, size_t len);
static void on_dp_log(void *ud, const char *msg);
static void on_dp_event(void *ud, uint32_t spi, enum esp_dir dir, unsigned events);

static int start_datapath(struct engine *e)
{
        struct esp_dp_config c = {
                .tun_fd = e->p.tun_fd,
                .tun_mode = (enum tun_mode)e->p.tun_mode,
                .udp_fd = e->p.udp_fd_4500,
                .udp_gso = e->p.udp_gso,
                .udp_gro = e->p.udp_gro,
                .keepalive_ms = e->prof->nat_keepalive * 1000u,
                .tun_mtu = e->mtu,
                .on_ike = on_dp_ike,
                .on_event = on_dp_event,
                .on_log = on_dp_log,
                .userdata = e,
        };

        if (e->dp)
                return 0;
        return esp_datapath_new(&c, &e->dp);
}

static void install_child(struct engine *e, const struct ike_child_sa *ch,
                          const struct ike_net_config *net)
{
        int r;

        if (e->dp && e->sa_installed) {
                /* A rekeyed CHILD SA (make-before-break): its inbound SA
                 * joins the current one, its outbound SA replaces ours. */
                r = engine_install_child(e, ch, net);
                if (r < 0)
                        engine_fail(e, ENGINE_ERROR_INTERNAL,
                                    "the rekeyed CHILD SA cannot be installed: %s",
                                    g_strerror(-r));
                return;
        }
        r = start_datapath(e);
        if (r == 0)
                r = engine_install_child(e, ch, net);
        if (r == 0) {
                /* From here on the datapath reads port 4500 (ESP and IKE). */
                source_drop(&e->src4500);
                r = esp_datapath_start(e->dp);
                if (r == -EALREADY)
                        r = 0; /* a reconnect: the threads kept running */
        }
        if (r < 0)
                engine_fail(e, ENGINE_ERROR_INTERNAL, "the ESP datapath cannot start: %s",
                            g_strerror(-r));
}

static void apply_config(struct engine *e, const struct ike_net_config *net)
{
        g_autofree char *msg = NULL;
        struct engine_net_config fresh;
        int r;

        engine_build_net_config(e, net, &fresh);
        if (e->applied) {
                /* A reconnect: the same configuration stays as it is (the
                 * tunnel's routes and kill switch never went away); another
                 * one replaces it, the kill switch kept meanwhile. */
                if (memcmp(&fresh, &e->net, sizeof(fresh)) == 0) {
                        secure_wipe(&fresh, sizeof(fresh));
                        return;
                }
                engine_log(e, LOG_INFO, "the gateway assigned another configuration: applying it");
                e->applied = false;
                if (e->cb.revert_config)
                        e->cb.revert_config(e->ud, true);
        }
        e->net = fresh;
        secure_wipe(&fresh, sizeof(fresh));
        if (!e->cb.apply_config) {
                e->applied = false;
                return;
        }
        r = e->cb.apply_config(e->ud, &e->net, &msg);
        if (r < 0) {
                /* Failed after the batch: the gateway is told first. */
                e->apply_failed = true;
                g_snprintf(e->apply_error, sizeof(e->apply_error), "%s",
                           msg ? msg : g_strerror(-r));
                return;
        }
        e->applied = true;
}

static void begin_connect(struct engine *e);

/* Lost after being connected (the gateway is dead, deleted the IKE SA, or
 * a reconnect attempt did not get through): try again. Errors that another
 * attempt cannot fix (credentials, identities) end the session. Proposals
 * refused are not one of them here: the gateway took these very proposals
 * before, and a gateway that is starting answers NO_PROPOSAL_CHOSEN until
 * its connections are loaded (strongSwan: charon is up before swanctl
 * --load-all); the back-off paces the attempts. */
static bool should_reconnect(const struct engine *e, enum ike_fail reason)
{
        if (!e->was_connected || e->torn_down || e->state == ENGINE_STATE_DISCONNECTING)
                return false;
        switch (reason) {
        case IKE_FAIL_DEAD:
        case IKE_FAIL_DELETED:
        case IKE_FAIL_TIMEOUT:
        case IKE_FAIL_TEMPORARY:
        case IKE_FAIL_PROTOCOL:
        case IKE_FAIL_PROPOSALS:
                return true;
        default:
                return false;
        }
}

static gboolean on_retry(gpointer data)
{
        struct engine *e = data;

        source_drop(&e->retry);
        if (e->torn_down)
                return G_SOURCE_REMOVE;
        e->reconnects++;
        engine_log(e, LOG_INFO, "reconnecting to %s (attempt %u)", e->prof->host, e->reconnects);
        /* REDIRECTED_FROM belongs to the attempt right after the redirect. */
        memset(&e->redirected_from, 0, sizeof(e->redirected_from));
        ike_initiator_free(e->ini);
        e->ini = NULL;
        e->start_ms = engine_now_ms();
        begin_connect(e);
        return G_SOURCE_REMOVE;
}

static void schedule_reconnect(struct engine *e, const char *why)
{
        /* 1 s, 2 s, 4 s ... 60 s (issue 10). */
        e->retry_delay_s = e->retry_delay_s ? MIN(e->retry_delay_s * 2, 60u) : 1;
        source_drop(&e->timer);
        source_drop(&e->retry);
        e->sa_installed = false;
        engine_log(e, LOG_WARNING, "%s; reconnecting in %u s (tunnel, routes and kill switch kept)",
                   why, e->retry_delay_s);
        e->connected_since = 0;
        set_state(e, ENGINE_STATE_RECONNECTING);
        e->retry = g_timeout_source_new_seconds(e->retry_delay_s);
        g_source_set_callback(e->retry, on_retry, e, NULL);
        g_source_attach(e->retry, e->ctx);
}

/* ------------------------------------------------------------------ starting again at once */

static void run_actions_batch(struct engine *e);

static void format_addr(const struct sockaddr_storage *ss, char *buf, size_t size)
{
        const void *a = ss->ss_family == AF_INET6
                                ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                                : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

        if (!inet_ntop(ss->ss_family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
                g_strlcpy(buf, "?", size);
}

/* The network changed or the gateway wants re-authentication: the IKE SA
 * (if any) is left with a best-effort DELETE and a new attempt starts now,
 * the back-off forgotten. TUN, routes and the kill switch stay; the
 * datapath stays too, without SAs until the new CHILD SA. */
static void restart_now(struct engine *e)
{
        if (e->torn_down)
                return;
        source_drop(&e->restart_src);
        source_drop(&e->retry);
        source_drop(&e->timer);
        e->retry_delay_s = 0;
        if (e->ini && ike_initiator_state(e->ini) != IKE_STATE_CLOSED) {
                e->abandoning = true;
                (void)ike_initiator_abandon(e->ini, engine_now_ms());
                run_actions_batch(e);
                e->abandoning = false;
                if (e->torn_down)
                        return;
        }
        e->sa_installed = false;
        e->connected_since = 0;
        if (e->was_connected) {
                set_state(e, ENGINE_STATE_RECONNECTING);
                e->start_ms = engine_now_ms();
        }
        engine_log(e, LOG_INFO, "%s: connecting to %s again now", e->restart_why, e->prof->host);
        ike_initiator_free(e->ini);
        e->ini = NULL;
        begin_connect(e);
}

static gboolean on_restart(gpointer data)
{
        restart_now(data);
        return G_SOURCE_REMOVE;
}

/* From inside a batch of actions: once the batch is done. */
static void schedule_restart(struct engine *e, const char *why)
{
        g_strlcpy(e->restart_why, why, sizeof(e->restart_why));
        if (e->restart_src || e->torn_down)
                return;
        e->restart_src = g_idle_source_new();
        g_source_set_callback(e->restart_src, on_restart, e, NULL);
        g_source_attach(e->restart_src, e->ctx);
}

/* ------------------------------------------------------------------ redirects (RFC 5685) */

static void redirect_target(const struct engine *e, char *buf, size_t size)
{
        if (e->redirect.fqdn[0])
                g_strlcpy(buf, e->redirect.fqdn, size);
        else
                format_addr(&e->redirect.addr, buf, size);
}

static gboolean on_redirect(gpointer data)
{
        struct engine *e = data;

        source_drop(&e->redirect_src);
        if (e->torn_down || !e->redirect_awaited)
                return G_SOURCE_REMOVE;
        /* The owner may answer from inside (engine_redirect_ready()). */
        e->cb.redirect(e->ud, &e->redirect);
        return G_SOURCE_REMOVE;
}

/* The core failed with IKE_FAIL_REDIRECT after a REDIRECT action: its
 * IKE SA is closed (an established one with a DELETE, task-info.c /
 * task-auth.c). The owner is asked to point the sockets elsewhere. */
static void begin_redirect(struct engine *e, const char *text)
{
        char to[ENGINE_REDIRECT_FQDN_MAX];

        e->redirect_seen = false;
        e->redirect.count = ++e->redirects;
        redirect_target(e, to, sizeof(to));
        if (!e->cb.redirect) {
                engine_fail(e, ENGINE_ERROR_REDIRECTED, "%s", text);
                return;
        }
        if (e->redirects > ENGINE_MAX_REDIRECTS) {
                engine_fail(e, ENGINE_ERROR_REDIRECTED,
                            "redirect loop: %u redirects in a row without connecting (at most "
                            "%u), the last to %s",
                            e->redirects, ENGINE_MAX_REDIRECTS, to);
                return;
        }
        source_drop(&e->timer);
        source_drop(&e->retry);
        source_drop(&e->restart_src);
        e->sa_installed = false;
        e->connected_since = 0;
        e->redirected_from = e->p.gateway;
        engine_log(e, LOG_NOTICE, "following the gateway's redirect to %s (%u of at most %u in a row)",
                   to, e->redirects, ENGINE_MAX_REDIRECTS);
        set_state(e, e->was_connected ? ENGINE_STATE_RECONNECTING : ENGINE_STATE_CONNECTING);
        e->redirect_awaited = true;
        e->redirect_src = g_idle_source_new();
        g_source_set_callback(e->redirect_src, on_redirect, e, NULL);
        g_source_attach(e->redirect_src, e->ctx);
}

static void note_redirect(struct engine *e, const struct ike_action *a)
{
        memset(&e->redirect, 0, sizeof(e->redirect));
        if (a->u.redirect.fqdn) {
                g_strlcpy(e->redirect.fqdn, a->u.redirect.fqdn, sizeof(e->redirect.fqdn));
        } else {
                struct ike_addr g = a->u.redirect.gateway;

                g.port = e->prof->port; /* the profile's IKE port at the new gateway */
                engine_ike_to_sockaddr(&g, &e->redirect.addr);
        }
        e->redirect_seen = true;
}

static void run_actions(struct engine *e)
{
        const struct ike_action *a;
        const struct ike_failure *fail = NULL;
        bool closed = false, established = false;
        size_t n;

        if (!e->ini)
                return;
        a = ike_initiator_actions(e->ini, &n);
        for (size_t i = 0; i < n; i++) {
                switch (a[i].type) {
                case IKE_ACTION_SEND:
                        if (!e->torn_down)
                                send_datagram(e, &a[i]);
                        break;
                case IKE_ACTION_STATE:
                        switch (a[i].u.state) {
                        case IKE_STATE_CONNECTING:
                                if (e->state != ENGINE_STATE_RECONNECTING)
                                        set_state(e, ENGINE_STATE_CONNECTING);
                                break;
                        case IKE_STATE_AUTHENTICATING:
                                if (e->state != ENGINE_STATE_RECONNECTING)
                                        set_state(e, ENGINE_STATE_AUTHENTICATING);
                                break;
                        case IKE_STATE_ESTABLISHED:
                                established = true;
                                break;
                        case IKE_STATE_DELETING:
                                if (!e->abandoning)
                                        set_state(e, ENGINE_STATE_DISCONNECTING);
                                break;
                        default:
                                break;
                        }
                        break;
                case IKE_ACTION_LOG:
                        engine_log(e, a[i].u.log.level, "%s", a[i].u.log.text);
                        break;
                case IKE_ACTION_NEED_SECRET:
                        if (e->password && a[i].u.secret.kind == EAP_SECRET_PASSWORD) {
                                /* given up front but the peer wants it again: wrong */
                                (void)ike_initiator_provide_secret(e->ini, a[i].u.secret.kind,
                                                                   SLICE(NULL, 0), engine_now_ms());
                                break;
                        }
                        e->waiting_secret = true;
                        e->core_waiting = true;
                        e->waiting_kind = a[i].u.secret.kind == EAP_SECRET_PASSWORD
                                                  ? ENGINE_SECRET_PASSWORD
                                                  : ENGINE_SECRET_PASSPHRASE;
                        if (e->cb.need_secret)
                                e->cb.need_secret(e->ud, e->waiting_kind, a[i].u.secret.prompt);
                        break;
                case IKE_ACTION_INSTALL_CHILD:
                        break; /* done by run_actions_batch(), before the rest */
                case IKE_ACTION_APPLY_CONFIG:
                        if (!e->torn_down)
                                apply_config(e, a[i].u.config);
                        break;
                case IKE_ACTION_REMOVE_CHILD:
                        if (e->dp && e->sa_installed) {
                                bool current = a[i].u.remove.spi_in == e->spi_in;

                                (void)esp_datapath_remove_sa(e->dp, a[i].u.remove.spi_in,
                                                             ESP_DIR_IN);
                                /* An old SA's outbound half was replaced when
                                 * its successor was installed already. */
                                if (current || a[i].u.remove.spi_out == e->spi_out)
                                        (void)esp_datapath_remove_sa(
                                                e->dp, a[i].u.remove.spi_out, ESP_DIR_OUT);
                                if (current)
                                        e->sa_installed = false;
                        }
                        break;
                case IKE_ACTION_REKEYED:
                        ike_initiator_info(e->ini, &e->info);
                        break;
                case IKE_ACTION_REDIRECT:
                        /* Followed by FAILED and CLOSED with IKE_FAIL_REDIRECT. */
                        note_redirect(e, &a[i]);
                        break;
                case IKE_ACTION_REAUTH:
                        e->reauth_due = true;
                        break;
                case IKE_ACTION_FAILED:
                        fail = a[i].u.failed;
                        break;
                case IKE_ACTION_CLOSED:
                        closed = true;
                        break;
                }
        }
        if (closed) {
                e->reauth_due = false;
                if (e->abandoning)
                        return; /* restart_now() goes on */
                if (fail && fail->reason == IKE_FAIL_REDIRECT && e->redirect_seen &&
                    !e->torn_down && e->state != ENGINE_STATE_DISCONNECTING) {
                        begin_redirect(e, fail->text);
                        return;
                }
                e->redirect_seen = false;
                if (fail && should_reconnect(e, fail->reason)) {
                        schedule_reconnect(e, fail->text);
                        return;
                }
                if (fail && fail->reason != IKE_FAIL_NONE) {
                        engine_fail(e, engine_error_from_fail(fail->reason), "%s", fail->text);
                } else {
                        teardown(e);
                        set_state(e, ENGINE_STATE_DISCONNECTED);
                }
                return;
        }
        if (established && !e->torn_down && e->state != ENGINE_STATE_FAILED) {
                e->connected_since = g_get_real_time() / G_USEC_PER_SEC;
                e->connect_ms = engine_now_ms() - e->start_ms;
                if (e->reauthing)
                        engine_log(e, LOG_NOTICE, "re-authenticated with %s: a new IKE SA",
                                   e->prof->host);
                else if (e->was_connected && e->reconnects == 0)
                        engine_log(e, LOG_NOTICE, "connected to %s again (%s)", e->prof->host,
                                   e->restart_why[0] ? e->restart_why : "reconnected");
                else if (e->was_connected)
                        engine_log(e, LOG_NOTICE, "reconnected to %s after %u attempt%s",
                                   e->prof->host, e->reconnects, e->reconnects == 1 ? "" : "s");
                e->was_connected = true;
                e->reauthing = false;
                e->retry_delay_s = 0;
                e->reconnects = 0;
                e->restart_why[0] = 0;
                e->redirects = 0;
                memset(&e->redirected_from, 0, sizeof(e->redirected_from));
                ike_initiator_info(e->ini, &e->info);
                set_state(e, ENGINE_STATE_CONNECTED);
        }
        if (e->reauth_due && !e->torn_down) {
                /* RFC 4478: a new IKE SA, authenticated again. Break before
                 * make: the old one is deleted first (restart_now()); the
                 * tunnel's state stays and the virtual IPs are asked for
                 * again. */
                e->reauth_due = false;
                e->reauthing = true;
                engine_log(e, LOG_INFO, "re-authentication is due");
                schedule_restart(e, "re-authenticating");
        }
        reschedule(e);
}

/* The configuration could not be applied: a best-effort DELETE (the
 * datagrams of this one call only), then the failure. */
static void fail_after_apply(struct engine *e)
{
        const struct ike_action *a;
        size_t n;

        e->apply_failed = false;
        (void)ike_initiator_disconnect(e->ini, engine_now_ms());
        a = ike_initiator_actions(e->ini, &n);
        for (size_t i = 0; i < n; i++)
                if (a[i].type == IKE_ACTION_SEND)
                        send_datagram(e, &a[i]);
        engine_fail(e, ENGINE_ERROR_PLATFORM, "applying the network configuration failed: %s",
                    e->apply_error);
}

static void run_actions_batch_inner(struct engine *e);

/* Calls into the engine from its own callbacks (a secret typed at a
 * prompt need_secret opened, a disconnect from state_changed) would change
 * the initiator's actions while they are being read: they are run from an
 * idle source once the batch is done. */
static gboolean on_deferred(gpointer data)
{
        struct engine *e = data;

        source_drop(&e->deferred);
        if (e->torn_down)
                return G_SOURCE_REMOVE;
        if (e->deferred_secret_set) {
                char *s = e->deferred_secret;
                size_t len = e->deferred_secret_len;

                e->deferred_secret_set = false;
                e->deferred_secret = NULL;
                (void)engine_provide_secret(e, e->deferred_kind, s, len);
                if (s)
                        secure_free(s, len + 1);
        }
        if (e->deferred_redirect) {
                e->deferred_redirect = false;
                (void)engine_redirect_ready(e, e->deferred_redirect_refused ? NULL : &e->deferred_gw,
                                            &e->deferred_local, e->deferred_why);
        }
        if (e->deferred_net_changed && !e->torn_down) {
                e->deferred_net_changed = false;
                engine_network_changed(e, &e->p.local);
        }
        if (e->deferred_disconnect && !e->torn_down) {
                e->deferred_disconnect = false;
                engine_disconnect(e);
        }
        return G_SOURCE_REMOVE;
}

static void defer(struct engine *e)
{
        if (e->deferred)
                return;
        e->deferred = g_idle_source_new();
        g_source_set_callback(e->deferred, on_deferred, e, NULL);
        g_source_attach(e->deferred, e->ctx);
}

/* The initiator hands both INSTALL_CHILD and APPLY_CONFIG in one batch; the
 * inbound SA's policy needs the virtual addresses of the second, so the
 * batch is looked at as a whole first. */
static void run_actions_batch(struct engine *e)
{
        if (!e->ini)
                return;
        e->in_actions++;
        run_actions_batch_inner(e);
        e->in_actions--;
        if (e->apply_failed && !e->torn_down)
                fail_after_apply(e);
}

static void run_actions_batch_inner(struct engine *e)
{
        const struct ike_action *a;
        const struct ike_child_sa *child = NULL;
        const struct ike_net_config *net = NULL;
        size_t n;

        a = ike_initiator_actions(e->ini, &n);
        for (size_t i = 0; i < n; i++) {
                if (a[i].type == IKE_ACTION_INSTALL_CHILD)
                        child = a[i].u.child;
                else if (a[i].type == IKE_ACTION_APPLY_CONFIG)
                        net = a[i].u.config;
        }
        if (net)
                e->vip = *net;
        if (child && !e->torn_down) {
                /* A rekeyed CHILD SA comes without a configuration: the
                 * inbound policy keeps the virtual IPs assigned first. */
                install_child(e, child, &e->vip);
                if (e->torn_down)
                        return;
        }
        run_actions(e);
}

/* ------------------------------------------------------------------ timer */

static gboolean on_timer(gpointer data)
{
        struct engine *e = data;

        source_drop(&e->timer);
        if (!e->ini || e->torn_down)
                return G_SOURCE_REMOVE;
        if (e->dp && e->sa_installed) {
                /* ESP from the gateway proves it alive (RFC 7296 2.4): DPD
                 * only asks when the tunnel has been quiet for the interval,
                 * counted from the last packet (the datapath's timestamp,
                 * the same clock as engine_now_ms()), not from this timer.
                 * The core ignores a time older than what it saw. */
                struct esp_dp_counters c;

                esp_datapath_counters(e->dp, &c);
                if (c.last_rx_ns)
                        ike_initiator_alive(e->ini, c.last_rx_ns / 1000000u);
        }
        (void)ike_initiator_tick(e->ini, engine_now_ms());
        run_actions_batch(e);
        return G_SOURCE_REMOVE;
}

static void reschedule(struct engine *e)
{
        uint64_t next, now = engine_now_ms();

        source_drop(&e->timer);
        if (!e->ini || e->torn_down)
                return;
        next = ike_initiator_next_timer(e->ini);
        if (next == UINT64_MAX)
                return;
        e->timer = g_timeout_source_new((guint)(next > now ? MIN(next - now, 3600000u) : 0));
        g_source_set_callback(e->timer, on_timer, e, NULL);
        g_source_attach(e->timer, e->ctx);
}

/* ------------------------------------------------------------------ receiving */

static void deliver(struct engine *e, const uint8_t *msg, size_t len, bool natt)
{
        if (!e->ini || e->torn_down)
                return;
        (void)ike_initiator_receive(e->ini, msg, len, natt, engine_now_ms());
        run_actions_batch(e);
}

static gboolean on_udp(gint fd, GIOCondition cond, gpointer data)
{
        struct engine *e = data;
        bool natt = fd == e->p.udp_fd_4500;
        uint8_t buf[IKE_MESSAGE_MAX + IKEV2_NON_ESP_MARKER_LEN];

        (void)cond;
        for (int i = 0; i < RECV_BUDGET && !e->torn_down; i++) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                struct slice ike;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN && errno != EWOULDBLOCK)
                                /* ICMP errors surface here (ECONNREFUSED); the
                                 * retransmissions decide. */
                                engine_log(e, LOG_DEBUG, "receiving on port %u: %s",
                                           natt ? 4500 : 500, g_strerror(errno));
                        break;
                }
                if (!natt) {
                        deliver(e, buf, (size_t)n, false);
                        continue;
                }
                if (ike_udp_classify(SLICE(buf, (size_t)n), true, &ike) == IKE_UDP_IKE)
                        deliver(e, ike.ptr, ike.len, true);
        }
        return G_SOURCE_CONTINUE;
}

static GSource *watch_fd(struct engine *e, int fd)
{
        GSource *s = g_unix_fd_source_new(fd, G_IO_IN);

        g_source_set_callback(s, (GSourceFunc)(void (*)(void))on_udp, e, NULL);
        g_source_attach(s, e->ctx);
        return s;
}

/* Datapath threads: copy, queue, wake the main context. */
static void inbox_push(struct engine *e, bool log, const void *data, size_t len)
{
        struct engine_inbox_item *it = g_malloc(sizeof(*it) + len + 1);
        uint64_t one = 1;

        it->log = log;
        it->event = false;
        it->len = len;
        memcpy(it->data, data, len);
        it->data[len] = 0;
        g_mutex_lock(&e->inbox_lock);
        if (g_queue_get_length(&e->inbox) < 256)
                g_queue_push_tail(&e->inbox, it);
        else
                g_free(it);
        g_mutex_unlock(&e->inbox_lock);
        (void)!write(e->inbox_fd, &one, sizeof(one));
}

static void on_dp_ike(void *ud, const uint8_t *msg, size_t len)
{
        inbox_push(ud, false, msg, len);
}

static void on_dp_log(void *ud, const char *msg)
{
        inbox_push(ud, true, msg, strlen(msg));
}

/* From a datapath thread: handed to the main context, which rekeys. */
static void on_dp_event(void *ud, uint32_t spi, enum esp_dir dir, unsigned events)
{
        struct engine *e = ud;
        struct engine_inbox_item *it = g_malloc0(sizeof(*it) + 1);
        uint64_t one = 1;

        (void)dir;
        it->event = true;
        it->spi = spi;
        it->bits = events;
        g_mutex_lock(&e->inbox_lock);
        if (g_queue_get_length(&e->inbox) < 256)
                g_queue_push_tail(&e->inbox, it);
        else
                g_free(it);
        g_mutex_unlock(&e->inbox_lock);
        (void)!write(e->inbox_fd, &one, sizeof(one));
}

static void sa_event(struct engine *e, uint32_t spi, unsigned bits)
{
        int r;

        if (!e->ini || e->torn_down)
                return;
        engine_log(e, LOG_INFO, "ESP SA %08x reached its %s: rekeying", spi,
                   (bits & ESP_EVENT_HARD_LIFETIME)  ? "hard lifetime"
                   : (bits & ESP_EVENT_SEQ_REKEY) ? "sequence number limit"
                                                  : "soft lifetime");
        r = ike_initiator_rekey_child(e->ini, spi, engine_now_ms());
        if (r < 0 && r != -ENOENT)
                engine_log(e, LOG_WARNING, "cannot rekey ESP SA %08x: %s", spi, g_strerror(-r));
        run_actions_batch(e);
}

static gboolean on_inbox(gint fd, GIOCondition cond, gpointer data)
{
        struct engine *e = data;
        uint64_t v;

        (void)cond;
        (void)!read(fd, &v, sizeof(v));
        for (;;) {
                struct engine_inbox_item *it;

                g_mutex_lock(&e->inbox_lock);
                it = g_queue_pop_head(&e->inbox);
                g_mutex_unlock(&e->inbox_lock);
                if (!it)
                        break;
                if (it->event)
                        sa_event(e, it->spi, it->bits);
                else if (it->log)
                        engine_log(e, LOG_INFO, "datapath: %s", (const char *)it->data);
                else
                        deliver(e, it->data, it->len, true);
                g_free(it);
                if (e->torn_down)
                        break;
        }
        return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ API */

int engine_new(const struct engine_params *p, const struct engine_callbacks *cb, void *ud,
               struct engine **ret, GError **error)
{
        struct engine *e;

        if (!p || !p->profile) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no profile");
                return -EINVAL;
        }
        if (p->udp_fd_500 < 0 || p->udp_fd_4500 < 0 || p->tun_fd < 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "the UDP sockets and the TUN device must be open");
                return -EINVAL;
        }
        if (p->gateway.ss_family != AF_INET && p->gateway.ss_family != AF_INET6) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "the gateway address is not IPv4 or IPv6");
                return -EINVAL;
        }
        e = g_new0(struct engine, 1);
        e->p = *p;
        e->p.password = e->p.passphrase = e->p.username = NULL;
        e->prof = p->profile;
        if (cb)
                e->cb = *cb;
        e->ud = ud;
        e->ctx = p->context ? g_main_context_ref(p->context) : g_main_context_ref_thread_default();
        e->password = g_strdup(p->password);
        e->passphrase = g_strdup(p->passphrase);
        e->username = g_strdup(p->username);
        e->mtu = p->tun_mtu ? p->tun_mtu : e->prof->mtu ? e->prof->mtu : ENGINE_DEFAULT_MTU;
        e->inbox_fd = -1;
        g_mutex_init(&e->inbox_lock);
        g_queue_init(&e->inbox);
        if (e->p.local.ss_family == 0) {
                socklen_t len = sizeof(e->p.local);

                if (getsockname(p->udp_fd_500, (struct sockaddr *)&e->p.local, &len) < 0) {
                        int r = -errno;

                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                                    "the local address of the IKE socket: %s", g_strerror(-r));
                        engine_free(e);
                        return r;
                }
        }
        e->inbox_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (e->inbox_fd < 0) {
                int r = -errno;

                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "eventfd: %s",
                            g_strerror(-r));
                engine_free(e);
                return r;
        }
        *ret = e;
        return 0;
}

static void begin_connect(struct engine *e)
{
        int r;

        if (e->torn_down)
                return;

        /* need_secret may be answered from inside the callback: deferred. */
        e->in_actions++;
        r = engine_setup(e);
        e->in_actions--;

        if (r == -EAGAIN || r < 0)
                return; /* a question is out, or the failure is reported */
        if (!e->src500)
                e->src500 = watch_fd(e, e->p.udp_fd_500);
        if (!e->src4500 && !e->dp) /* the datapath reads 4500 once it runs */
                e->src4500 = watch_fd(e, e->p.udp_fd_4500);
        if (!e->inbox_src) {
                e->inbox_src = g_unix_fd_source_new(e->inbox_fd, G_IO_IN);
                g_source_set_callback(e->inbox_src, (GSourceFunc)(void (*)(void))on_inbox, e,
                                      NULL);
                g_source_attach(e->inbox_src, e->ctx);
        }
        {
                char addr[INET6_ADDRSTRLEN] = "?";
                const struct sockaddr_storage *g = &e->p.gateway;

                if (g->ss_family == AF_INET)
                        inet_ntop(AF_INET, &((const struct sockaddr_in *)g)->sin_addr, addr,
                                  sizeof(addr));
                else
                        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)g)->sin6_addr, addr,
                                  sizeof(addr));
                engine_log(e, LOG_INFO, "connecting to %s (%s) with profile '%s'", e->prof->host,
                           addr, e->prof->name);
        }
        (void)ike_initiator_start(e->ini, engine_now_ms());
        run_actions_batch(e);
}

int engine_start(struct engine *e)
{
        if (e->started)
                return -EALREADY;
        e->started = true;
        e->start_ms = engine_now_ms();
        set_state(e, ENGINE_STATE_CONNECTING);
        begin_connect(e);
        return 0;
}

int engine_provide_secret(struct engine *e, enum engine_secret_kind kind, const char *secret,
                          size_t len)
{
        if (!e->waiting_secret || kind != e->waiting_kind || e->torn_down)
                return -EALREADY;
        if (e->in_actions) {
                if (e->deferred_secret)
                        secure_free(e->deferred_secret, e->deferred_secret_len + 1);
                e->deferred_secret = secret ? g_malloc(len + 1) : NULL;
                if (secret) {
                        memcpy(e->deferred_secret, secret, len);
                        e->deferred_secret[len] = 0;
                }
                e->deferred_secret_len = secret ? len : 0;
                e->deferred_secret_set = true;
                e->deferred_kind = kind;
                defer(e);
                return 0;
        }
        e->waiting_secret = false;
        if (!secret || len == 0) {
                if (e->core_waiting) {
                        (void)ike_initiator_provide_secret(e->ini, EAP_SECRET_PASSWORD,
                                                           SLICE(NULL, 0), engine_now_ms());
                        run_actions_batch(e);
                } else {
                        engine_fail(e, ENGINE_ERROR_NO_SECRET, "no %s given: connection cancelled",
                                    engine_secret_kind_to_string(kind));
                }
                return 0;
        }
        if (e->core_waiting) {
                enum eap_secret_kind k = kind == ENGINE_SECRET_PASSWORD ? EAP_SECRET_PASSWORD
                                                                        : EAP_SECRET_KEY_PASSPHRASE;

                /* Held in memory for this session's reconnects only (wiped
                 * by engine_free), never written anywhere. */
                if (kind == ENGINE_SECRET_PASSWORD) {
                        if (e->password)
                                secure_free(e->password, strlen(e->password));
                        e->password = g_strndup(secret, len);
                }

                (void)ike_initiator_provide_secret(e->ini, k, SLICE(secret, len), engine_now_ms());
                run_actions_batch(e);
                return 0;
        }
        switch (kind) {
        case ENGINE_SECRET_PASSPHRASE:
                if (e->passphrase)
                        secure_free(e->passphrase, strlen(e->passphrase));
                e->passphrase = g_strndup(secret, len);
                break;
        case ENGINE_SECRET_USERNAME:
                g_free(e->username);
                e->username = g_strndup(secret, len);
                break;
        case ENGINE_SECRET_PASSWORD:
        default:
                if (e->password)
                        secure_free(e->password, strlen(e->password));
                e->password = g_strndup(secret, len);
                break;
        }
        begin_connect(e);
        return 0;
}

void engine_disconnect(struct engine *e)
{
        if (!e || e->state == ENGINE_STATE_DISCONNECTED || e->state == ENGINE_STATE_FAILED ||
            e->state == ENGINE_STATE_DISCONNECTING)
                return;
        if (e->in_actions) {
                e->deferred_disconnect = true;
                defer(e);
                return;
        }
        if (!e->ini || !e->started || e->retry || e->redirect_awaited ||
            ike_initiator_state(e->ini) == IKE_STATE_CLOSED) {
                /* not started, or waiting to reconnect: nothing to delete */
                teardown(e);
                set_state(e, ENGINE_STATE_DISCONNECTED);
                return;
        }
        set_state(e, ENGINE_STATE_DISCONNECTING);
        (void)ike_initiator_disconnect(e->ini, engine_now_ms());
        run_actions_batch(e);
}

static void local_address(struct engine *e, const struct sockaddr_storage *local)
{
        struct sockaddr_storage ss = {0};
        socklen_t len = sizeof(ss);

        if (local && local->ss_family)
                e->p.local = *local;
        else if (getsockname(e->p.udp_fd_500, (struct sockaddr *)&ss, &len) == 0)
                e->p.local = ss;
}

void engine_network_changed(struct engine *e, const struct sockaddr_storage *local)
{
        char addr[INET6_ADDRSTRLEN];
        struct ike_addr moved;
        int r;

        if (!e || e->torn_down || !e->started)
                return;
        local_address(e, local);
        if (e->in_actions) {
                /* from inside a callback: the initiator's actions are being
                 * read; once they are done */
                e->deferred_net_changed = true;
                defer(e);
                return;
        }
        format_addr(&e->p.local, addr, sizeof(addr));
        switch (e->state) {
        case ENGINE_STATE_CONNECTED: {
                struct sockaddr_storage s4500 = {0};
                socklen_t len = sizeof(s4500);

                if (!e->ini || !e->info.mobike) {
                        engine_log(e, LOG_INFO,
                                   "the network changed (now from %s); the gateway has no MOBIKE",
                                   addr);
                        break; /* reconnect, below */
                }
                /* RFC 4555 3.5: on port 4500, from the 4500 socket's new
                 * address and port (NAT detection hashes both). */
                if (getsockname(e->p.udp_fd_4500, (struct sockaddr *)&s4500, &len) < 0 ||
                    engine_sockaddr_to_ike(&s4500, &moved) < 0) {
                        (void)engine_sockaddr_to_ike(&e->p.local, &moved);
                        moved.port = IKEV2_NATT_PORT;
                }
                engine_log(e, LOG_INFO, "the network changed (now from %s): MOBIKE update", addr);
                r = ike_initiator_update_addresses(e->ini, &moved, engine_now_ms());
                if (r == 0) {
                        run_actions_batch(e);
                        return;
                }
                engine_log(e, LOG_WARNING, "MOBIKE update impossible (%s)", g_strerror(-r));
                break;
        }
        case ENGINE_STATE_CONNECTING:
        case ENGINE_STATE_AUTHENTICATING:
        case ENGINE_STATE_RECONNECTING:
                if (e->redirect_awaited) {
                        /* the owner re-points the sockets anyway */
                        engine_log(e, LOG_INFO, "the network changed (now from %s)", addr);
                        return;
                }
                if (e->waiting_secret) {
                        /* a person is typing: the exchange goes on from the
                         * new address when they are done (or times out) */
                        engine_log(e, LOG_INFO,
                                   "the network changed (now from %s) while waiting for a %s",
                                   addr, engine_secret_kind_to_string(e->waiting_kind));
                        return;
                }
                engine_log(e, LOG_INFO, "the network changed (now from %s) while %s", addr,
                           engine_state_to_string(e->state));
                break;
        default:
                return;
        }
        g_strlcpy(e->restart_why, "the network changed", sizeof(e->restart_why));
        restart_now(e);
}

int engine_redirect_ready(struct engine *e, const struct sockaddr_storage *gateway,
                          const struct sockaddr_storage *local, const char *why)
{
        char to[ENGINE_REDIRECT_FQDN_MAX], addr[INET6_ADDRSTRLEN];

        if (!e)
                return -EINVAL;
        if (!e->redirect_awaited || e->torn_down)
                return -EALREADY;
        if (gateway && ((gateway->ss_family != AF_INET && gateway->ss_family != AF_INET6) ||
                        gateway->ss_family != e->p.gateway.ss_family))
                return -EINVAL;
        if (e->in_actions) {
                /* from inside a callback: the old initiator's actions are
                 * being read; once they are done */
                e->deferred_redirect = true;
                e->deferred_redirect_refused = !gateway;
                if (gateway)
                        e->deferred_gw = *gateway;
                memset(&e->deferred_local, 0, sizeof(e->deferred_local));
                if (local)
                        e->deferred_local = *local;
                g_strlcpy(e->deferred_why, why ? why : "", sizeof(e->deferred_why));
                defer(e);
                return 0;
        }
        e->redirect_awaited = false;
        source_drop(&e->redirect_src);
        redirect_target(e, to, sizeof(to));
        if (!gateway) {
                if (why && *why)
                        engine_fail(e, ENGINE_ERROR_REDIRECTED, "%s", why);
                else
                        engine_fail(e, ENGINE_ERROR_REDIRECTED,
                                    "the gateway redirects us to %s: refused", to);
                return 0;
        }
        /* The profile's IKE port at the new gateway (NAT detection hashes it). */
        e->p.gateway = *gateway;
        if (gateway->ss_family == AF_INET)
                ((struct sockaddr_in *)&e->p.gateway)->sin_port = htons(e->prof->port);
        else
                ((struct sockaddr_in6 *)&e->p.gateway)->sin6_port = htons(e->prof->port);
        local_address(e, local);
        format_addr(gateway, addr, sizeof(addr));
        if (e->redirect.fqdn[0])
                engine_log(e, LOG_INFO, "%s is %s", e->redirect.fqdn, addr);
        ike_initiator_free(e->ini);
        e->ini = NULL;
        if (e->was_connected)
                e->start_ms = engine_now_ms();
        begin_connect(e);
        return 0;
}

enum engine_state engine_get_state(const struct engine *e)
{
        return e->state;
}

void engine_get_status(const struct engine *e, struct engine_status *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->state = e->state;
        ret->last_error = e->error;
        ret->gateway = e->p.gateway;
        ret->connected_since = e->connected_since;
        ret->connect_ms = e->connect_ms;
        if (e->state == ENGINE_STATE_CONNECTED)
                ret->config = e->net;
        g_strlcpy(ret->ike_suite, e->info.ike_suite, sizeof(ret->ike_suite));
        g_strlcpy(ret->esp_suite, e->info.esp_suite, sizeof(ret->esp_suite));
        ret->nat_local = e->info.nat_local;
        ret->nat_remote = e->info.nat_remote;
        ret->spi_in = e->spi_in;
        ret->spi_out = e->spi_out;
        if (e->dp) {
                struct esp_dp_counters c;

                esp_datapath_counters(e->dp, &c);
                ret->bytes_in = c.rx_bytes;
                ret->bytes_out = c.tx_bytes;
                ret->packets_in = c.rx_packets;
                ret->packets_out = c.tx_packets;
                ret->ike_in = c.ike_in;
                ret->ike_out = c.ike_out;
                ret->keepalives_out = c.keepalive_out;
                snprintf(ret->offload, sizeof(ret->offload), "tun=%s gso=%s gro=%s",
                         tun_mode_to_string(c.tun_mode), c.udp_gso ? "on" : "off",
                         c.udp_gro ? "on" : "off");
                for (int d = 1; d < _ESP_DROP_MAX && ret->n_drops < ENGINE_MAX_DROPS; d++) {
                        if (!c.drops[d])
                                continue;
                        g_strlcpy(ret->drops[ret->n_drops].name,
                                  esp_drop_to_string((enum esp_drop)d), ENGINE_DROP_NAME);
                        ret->drops[ret->n_drops].count = c.drops[d];
                        ret->n_drops++;
                }
        }
}

void engine_free(struct engine *e)
{
        if (!e)
                return;
        teardown(e);
        ike_initiator_free(e->ini);
        engine_setup_free(e);
        if (e->password)
                secure_free(e->password, strlen(e->password));
        if (e->passphrase)
                secure_free(e->passphrase, strlen(e->passphrase));
        g_free(e->username);
        if (e->deferred_secret)
                secure_free(e->deferred_secret, e->deferred_secret_len + 1);
        if (e->inbox_fd >= 0)
                close(e->inbox_fd);
        inbox_clear(e);
        g_mutex_clear(&e->inbox_lock);
        g_main_context_unref(e->ctx);
        secure_wipe(&e->net, sizeof(e->net));
        g_free(e);
}

/* ------------------------------------------------------------------ names */

const char *engine_state_to_string(enum engine_state s)
{
        static const char *const names[] = {
                [ENGINE_STATE_DISCONNECTED] = "disconnected",
                [ENGINE_STATE_CONNECTING] = "connecting",
                [ENGINE_STATE_AUTHENTICATING] = "authenticating",
                [ENGINE_STATE_CONNECTED] = "connected",
                [ENGINE_STATE_RECONNECTING] = "reconnecting",
                [ENGINE_STATE_DISCONNECTING] = "disconnecting",
                [ENGINE_STATE_FAILED] = "failed",
        };

        return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

const char *engine_error_code_to_string(enum engine_error_code c)
{
        static const char *const names[] = {
                [ENGINE_ERROR_NONE] = "none",
                [ENGINE_ERROR_AUTH_FAILED_PASSWORD] = "auth-failed-password",
                [ENGINE_ERROR_AUTH_FAILED_CERT] = "auth-failed-cert",
                [ENGINE_ERROR_AUTH_FAILED] = "auth-failed",
                [ENGINE_ERROR_GATEWAY_CERT_UNTRUSTED] = "gateway-cert-untrusted",
                [ENGINE_ERROR_GATEWAY_ID_MISMATCH] = "gateway-id-mismatch",
                [ENGINE_ERROR_GATEWAY_AUTH_INVALID] = "gateway-auth-invalid",
                [ENGINE_ERROR_NO_SECRET] = "no-secret",
                [ENGINE_ERROR_NO_RESPONSE] = "no-response",
                [ENGINE_ERROR_NETWORK] = "network",
                [ENGINE_ERROR_PROFILE] = "profile",
                [ENGINE_ERROR_PROPOSALS_REFUSED] = "proposals-refused",
                [ENGINE_ERROR_CONFIG_REFUSED] = "config-refused",
                [ENGINE_ERROR_PLATFORM] = "platform",
                [ENGINE_ERROR_PROTOCOL] = "protocol",
                [ENGINE_ERROR_DELETED] = "deleted",
                [ENGINE_ERROR_REDIRECTED] = "redirected",
                [ENGINE_ERROR_INTERNAL] = "internal",
        };

        return (unsigned)c < G_N_ELEMENTS(names) ? names[c] : "unknown";
}

const char *engine_secret_kind_to_string(enum engine_secret_kind k)
{
        switch (k) {
        case ENGINE_SECRET_PASSWORD:
                return "password";
        case ENGINE_SECRET_PASSPHRASE:
                return "passphrase";
        case ENGINE_SECRET_USERNAME:
                return "user name";
        default:
                return "secret";
        }
}

int engine_error_exit_code(enum engine_error_code c)
{
        switch (c) {
        case ENGINE_ERROR_NONE:
                return 0;
        case ENGINE_ERROR_AUTH_FAILED_PASSWORD:
        case ENGINE_ERROR_AUTH_FAILED_CERT:
        case ENGINE_ERROR_AUTH_FAILED:
        case ENGINE_ERROR_GATEWAY_CERT_UNTRUSTED:
        case ENGINE_ERROR_GATEWAY_ID_MISMATCH:
        case ENGINE_ERROR_GATEWAY_AUTH_INVALID:
        case ENGINE_ERROR_NO_SECRET:
                return 3;
        case ENGINE_ERROR_NO_RESPONSE:
        case ENGINE_ERROR_NETWORK:
                return 4;
        case ENGINE_ERROR_PROFILE:
                return 5;
        default:
                return 1;
        }
}
