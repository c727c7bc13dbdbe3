/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initiator's machinery: life cycle, the actions of a call, the task
 * queue, message IDs and windows (RFC 7296 2.3), retransmission (2.1), and
 * the way in for every datagram: header checks, decryption, reassembly
 * (RFC 7383), payload rules, then the task or the request handler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "client/ike/initiator-internal.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/rules.h"
#include "client/ike/sk.h"

#define RT_TIMEOUT_DEFAULT 4000u
#define RT_BASE_DEFAULT    1800u
#define RT_TRIES_DEFAULT   5u
#define RT_TRIES_MAX       20u
#define RT_TIMEOUT_MAX     (10u * 60u * 1000u) /* one wait never exceeds 10 minutes */

const char *ike_fail_name(enum ike_fail f)
{
        static const char *const names[] = {
                [IKE_FAIL_NONE] = "none",
                [IKE_FAIL_TIMEOUT] = "timeout",
                [IKE_FAIL_PROPOSALS] = "proposals-refused",
                [IKE_FAIL_PROPOSAL_INVALID] = "proposal-invalid",
                [IKE_FAIL_PROTOCOL] = "protocol",
                [IKE_FAIL_AUTH_PASSWORD] = "auth-failed-password",
                [IKE_FAIL_AUTH_CERT] = "auth-failed-cert",
                [IKE_FAIL_AUTH] = "auth-failed",
                [IKE_FAIL_GATEWAY_CERT] = "gateway-cert-untrusted",
                [IKE_FAIL_GATEWAY_ID] = "gateway-id-mismatch",
                [IKE_FAIL_GATEWAY_AUTH] = "gateway-auth-invalid",
                [IKE_FAIL_NO_SECRET] = "no-secret",
                [IKE_FAIL_LOCAL] = "local-config",
                [IKE_FAIL_CONFIG] = "config-refused",
                [IKE_FAIL_DELETED] = "deleted",
                [IKE_FAIL_REDIRECT] = "redirected",
                [IKE_FAIL_TEMPORARY] = "temporary-failure",
                [IKE_FAIL_INTERNAL] = "internal",
                [IKE_FAIL_DEAD] = "dead-peer",
        };

        return (size_t)f < ARRAY_SIZE(names) && names[f] ? names[f] : "unknown";
}

const char *ike_state_name(enum ike_state s)
{
        static const char *const names[] = {
                [IKE_STATE_IDLE] = "idle",
                [IKE_STATE_CONNECTING] = "connecting",
                [IKE_STATE_AUTHENTICATING] = "authenticating",
                [IKE_STATE_ESTABLISHED] = "established",
                [IKE_STATE_DELETING] = "deleting",
                [IKE_STATE_CLOSED] = "closed",
        };

        return (size_t)s < ARRAY_SIZE(names) && names[s] ? names[s] : "unknown";
}

const char *ini_exchange_name(uint8_t exchange)
{
        return ikev2_exchange_name(exchange, IKEV2_NAME_TMP);
}

/* ------------------------------------------------------------------ actions */

static void actions_clear(struct ike_initiator *ini)
{
        /* The CHILD SA keys were handed out with INSTALL_CHILD: valid until
         * the next call only. */
        if ((ini->child_keys.encr_i.ptr || ini->child_keys.encr_r.ptr) &&
            ini->child_out_at == UINT64_MAX) {
                ike_child_keys_wipe(&ini->child_keys);
                ini->child.encr_in = ini->child.encr_out = SLICE(NULL, 0);
                ini->child.integ_in = ini->child.integ_out = SLICE(NULL, 0);
        }
        for (size_t i = 0; i < ini->n_owned; i++)
                bytes_free_secret((struct bytes *)ini->owned[i]), free(ini->owned[i]);
        ini->n_owned = 0;
        ini->n_actions = 0;
}

void *ini_keep(struct ike_initiator *ini, const void *p, size_t n)
{
        struct bytes *b;

        if (ini->n_owned == ini->cap_owned) {
                size_t cap = ini->cap_owned ? ini->cap_owned * 2 : 16;
                void **o = realloc(ini->owned, cap * sizeof(*o));

                if (!o)
                        return NULL;
                ini->owned = o;
                ini->cap_owned = cap;
        }
        b = calloc(1, sizeof(*b));
        if (!b)
                return NULL;
        /* One spare octet so that text is always NUL-terminated. */
        if (bytes_alloc(b, n + 1) < 0) {
                free(b);
                return NULL;
        }
        if (n)
                memcpy(b->ptr, p, n);
        ini->owned[ini->n_owned++] = b;
        return b->ptr;
}

struct ike_action *ini_action(struct ike_initiator *ini, enum ike_action_type type)
{
        struct ike_action *a;

        if (ini->n_actions == ini->cap_actions) {
                size_t cap = ini->cap_actions ? ini->cap_actions * 2 : 16;
                struct ike_action *n = realloc(ini->actions, cap * sizeof(*n));

                if (!n)
                        return NULL;
                ini->actions = n;
                ini->cap_actions = cap;
        }
        a = &ini->actions[ini->n_actions++];
        memset(a, 0, sizeof(*a));
        a->type = type;
        return a;
}

void ini_log(struct ike_initiator *ini, int level, const char *fmt, ...)
{
        char buf[640];
        struct ike_action *a;
        const char *text;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        text = ini_keep(ini, buf, strlen(buf));
        if (!text)
                return;
        a = ini_action(ini, IKE_ACTION_LOG);
        if (!a)
                return;
        a->u.log.level = level;
        a->u.log.text = text;
}

void ini_set_state(struct ike_initiator *ini, enum ike_state s)
{
        struct ike_action *a;

        if (ini->state == s)
                return;
        ini->state = s;
        a = ini_action(ini, IKE_ACTION_STATE);
        if (a)
                a->u.state = s;
}

static void request_clear(struct ini_request *r)
{
        ini_dgrams_free(r->dgrams, r->n_dgrams);
        *r = (struct ini_request){0};
}

void ini_close(struct ike_initiator *ini)
{
        request_clear(&ini->req);
        ini->n_tasks = 0;
        ini_frag_reset(&ini->frag);
        if (ini->state != IKE_STATE_CLOSED) {
                /* Every CHILD SA the driver holds goes with the IKE SA (RFC
                 * 7296 1.4.1): old ones around a rekey, then the current one. */
                for (size_t i = 0; i < INI_MAX_CHILDREN; i++)
                        if (ini->children[i].used) {
                                ini_emit_remove(ini, ini->children[i].spi_in,
                                                ini->children[i].spi_out);
                                ini->children[i] = (struct ini_child_ref){0};
                        }
                if (ini->child_installed) {
                        ini_emit_remove(ini, ini->child_spi_in, ini->child_spi_out);
                        ini->child_installed = false;
                }
                ini_set_state(ini, IKE_STATE_CLOSED);
                (void)ini_action(ini, IKE_ACTION_CLOSED);
        }
}

enum ini_task_result ini_fail(struct ike_initiator *ini, enum ike_fail reason, uint16_t notify,
                              const char *fmt, ...)
{
        struct ike_action *a;
        va_list ap;

        if (ini->state == IKE_STATE_CLOSED)
                return INI_TASK_FAILED;
        if (ini->failure.reason == IKE_FAIL_NONE) {
                ini->failure.reason = reason;
                ini->failure.notify = notify;
                va_start(ap, fmt);
                vsnprintf(ini->failure.text, sizeof(ini->failure.text), fmt, ap);
                va_end(ap);
        }
        ini_log(ini, IKE_LOG_ERR, "%s", ini->failure.text);
        a = ini_action(ini, IKE_ACTION_FAILED);
        if (a)
                a->u.failed = &ini->failure;
        ini_close(ini);
        return INI_TASK_FAILED;
}

int64_t ini_unix_now(const struct ike_initiator *ini)
{
        return ini->unix_time + (int64_t)((ini->now - ini->started) / 1000);
}

/* ------------------------------------------------------------------ life */

static int dup_str(char **dst, const char *s)
{
        *dst = NULL;
        if (!s)
                return 0;
        *dst = strdup(s);
        return *dst ? 0 : -ENOMEM;
}

static STACK_OF(X509) * stack_dup(STACK_OF(X509) * s)
{
        STACK_OF(X509) *d = sk_X509_new_null();

        if (!d)
                return NULL;
        for (int i = 0; s && i < sk_X509_num(s); i++) {
                X509 *x = sk_X509_value(s, i);

                if (!X509_up_ref(x) || !sk_X509_push(d, x)) {
                        sk_X509_pop_free(d, X509_free);
                        return NULL;
                }
        }
        return d;
}

static int eap_rng_fill(void *ctx, uint8_t *buf, size_t n)
{
        struct ike_initiator *ini = ctx;

        return tsu_rng_fill(&ini->rng, buf, n);
}

static const char *check_config(const struct ike_initiator_config *c)
{
        if (!c->rng || !c->rng->fill)
                return "no random number generator";
        if (!c->ike_proposals || c->ike_proposals->n == 0)
                return "no IKE proposals";
        if (!c->esp_proposals || c->esp_proposals->n == 0)
                return "no ESP proposals";
        if (!c->local_id || c->local_id->len == 0 || c->local_id->len > IKE_IDENTITY_MAX)
                return "no local identity (IDi)";
        if (c->remote_id && (c->remote_id->len == 0 || c->remote_id->len > IKE_IDENTITY_MAX))
                return "empty remote identity";
        if (!c->gateway_host || !*c->gateway_host)
                return "no gateway host";
        if (c->local.family != 4 && c->local.family != 6)
                return "local address is not IPv4 or IPv6";
        if (c->remote.family != c->local.family)
                return "local and gateway addresses are of different families";
        if (!c->trusted || sk_X509_num(c->trusted) == 0)
                return "no CA to verify the gateway's certificate with";
        switch (c->auth) {
        case IKE_AUTH_KIND_CERT:
        case IKE_AUTH_KIND_CERT_EAP:
                if (!c->cert || !c->key)
                        return "certificate authentication without a certificate and key";
                if (c->auth == IKE_AUTH_KIND_CERT)
                        break;
                __attribute__((fallthrough));
        case IKE_AUTH_KIND_EAP:
                if (!c->eap.identity.ptr || c->eap.identity.len == 0 ||
                    c->eap.identity.len > EAP_MAX_IDENTITY)
                        return "EAP without an EAP identity";
                if (c->eap.method != EAP_TYPE_MSCHAPV2 && c->eap.method != EAP_TYPE_MD5 &&
                    c->eap.method != EAP_TYPE_TLS)
                        return "unsupported EAP method";
                break;
        default:
                return "unknown authentication kind";
        }
        if (c->fragment_size && c->fragment_size < IKE_FRAGMENT_SIZE_MIN)
                return "fragment size below 576";
        if (c->retransmit.tries != IKE_RETRANSMIT_DEFAULT_TRIES &&
            c->retransmit.tries > RT_TRIES_MAX)
                return "more than 20 retransmissions";
        if (c->retransmit.base_permille && c->retransmit.base_permille < 1000)
                return "retransmission base below 1.0";
        return NULL;
}

int ike_initiator_new(const struct ike_initiator_config *c, struct ike_initiator **ret,
                      const char **ret_why)
{
        struct ike_initiator *ini;
        const char *why = check_config(c);
        int r = -ENOMEM;

        if (why) {
                if (ret_why)
                        *ret_why = why;
                return -EINVAL;
        }
        ini = calloc(1, sizeof(*ini));
        if (!ini)
                return -ENOMEM;
        ini->rng = *c->rng;
        ini->ike_props = *c->ike_proposals;
        ini->esp_props = *c->esp_proposals;
        ini->local = c->local;
        ini->remote = c->remote;
        if (ini->remote.port == 0)
                ini->remote.port = IKEV2_PORT;
        ini->local_id = *c->local_id;
        if (c->remote_id) {
                ini->have_remote_id = true;
                ini->remote_id = *c->remote_id;
        }
        if (dup_str(&ini->gateway_host, c->gateway_host) < 0 ||
            dup_str(&ini->server_cert_cn, c->server_cert_cn) < 0 ||
            dup_str(&ini->server_ca_cn, c->server_ca_cn) < 0)
                goto fail;
        ini->trusted = stack_dup(c->trusted);
        if (!ini->trusted)
                goto fail;
        ini->send_certreq = c->send_certreq;
        ini->auth_kind = c->auth;
        if (c->cert) {
                if (!X509_up_ref(c->cert))
                        goto fail;
                ini->cert = c->cert;
        }
        if (c->key) {
                if (!EVP_PKEY_up_ref(c->key))
                        goto fail;
                ini->key = c->key;
        }
        if (c->chain) {
                ini->chain = stack_dup(c->chain);
                if (!ini->chain)
                        goto fail;
        }
        ini->rsa_pss = c->rsa_pss;
        if (c->auth != IKE_AUTH_KIND_CERT) {
                ini->eap_cfg = c->eap;
                if (bytes_dup(&ini->eap_identity, c->eap.identity) < 0)
                        goto fail;
                ini->eap_cfg.identity = SLICE_OF(ini->eap_identity);
                if (c->eap.secret.ptr) {
                        if (bytes_alloc(&ini->eap_secret, c->eap.secret.len + 1) < 0)
                                goto fail;
                        memcpy(ini->eap_secret.ptr, c->eap.secret.ptr, c->eap.secret.len);
                        ini->eap_secret.len = c->eap.secret.len;
                        ini->eap_cfg.secret = SLICE_OF(ini->eap_secret);
                        if (!ini->eap_cfg.secret.ptr)
                                ini->eap_cfg.secret.ptr = (const uint8_t *)"";
                } else {
                        ini->eap_cfg.secret = SLICE(NULL, 0);
                }
                if (!ini->eap_cfg.rng_fill) {
                        ini->eap_cfg.rng_fill = eap_rng_fill;
                        ini->eap_cfg.rng_ctx = ini;
                }
        }
        ini->allow_eap_only = c->allow_eap_only;
        ini->rt.timeout_ms =
                c->retransmit.timeout_ms ? c->retransmit.timeout_ms : RT_TIMEOUT_DEFAULT;
        ini->rt.base_permille =
                c->retransmit.base_permille ? c->retransmit.base_permille : RT_BASE_DEFAULT;
        ini->rt.tries = c->retransmit.tries == IKE_RETRANSMIT_DEFAULT_TRIES ? RT_TRIES_DEFAULT
                                                                            : c->retransmit.tries;
        ini->delete_timeout_ms =
                c->delete_timeout_ms ? c->delete_timeout_ms : IKE_DELETE_TIMEOUT_DEFAULT;
        ini->fragmentation = c->fragmentation;
        ini->fragment_size = c->fragment_size ? c->fragment_size : IKE_FRAGMENT_SIZE_DEFAULT;
        ini->child_lifetime_s = c->child_lifetime_s;
        ini->child_rekey_s = c->child_rekey_s;
        ini->unix_time = c->unix_time;
        ini->dpd_ms = c->dpd_interval_s > UINT32_MAX / 1000 ? UINT32_MAX : c->dpd_interval_s * 1000u;
        ini->ike_lifetime_s = c->ike_lifetime_s;
        ini->ike_rekey_s = c->ike_rekey_s;
        ini->reauth_s = c->reauth_s;
        ini->mobike = c->mobike;
        ini->follow_redirects = c->follow_redirects;
        ini->no_initial_contact = c->no_initial_contact;
        if (c->redirected_from.family == 4 || c->redirected_from.family == 6)
                ini->redirected_from = c->redirected_from;
        ini->request_ip4 = c->request_ip4;
        ini->request_ip6 = c->request_ip6;
        memcpy(ini->prev_ip4, c->prev_ip4, sizeof(ini->prev_ip4));
        memcpy(ini->prev_ip6, c->prev_ip6, sizeof(ini->prev_ip6));
        ini->we_initiator = true;
        ini->ike_rekey_at = ini->child_rekey_at = ini->reauth_at = UINT64_MAX;
        ini->child_out_at = UINT64_MAX;
        /* A gateway that only listens on 4500 gets the marker from the start. */
        ini->natt = ini->remote.port == IKEV2_NATT_PORT;
        *ret = ini;
        return 0;
fail:
        ike_initiator_free(ini);
        if (ret_why)
                *ret_why = "out of memory";
        return r;
}

static void retired_free(struct ini_retired *r)
{
        crypto_aead_free(r->aead_out);
        crypto_aead_free(r->aead_in);
        ini_dgrams_free(r->cache.dgrams, r->cache.n_dgrams);
        ini_dgrams_free(r->dgrams, r->n_dgrams);
        *r = (struct ini_retired){0};
}

void ike_initiator_free(struct ike_initiator *ini)
{
        if (!ini)
                return;
        actions_clear(ini);
        free(ini->owned);
        free(ini->actions);
        request_clear(&ini->req);
        ini_dgrams_free(ini->resp_cache.dgrams, ini->resp_cache.n_dgrams);
        ini_frag_reset(&ini->frag);
        free(ini->gateway_host);
        free(ini->server_cert_cn);
        free(ini->server_ca_cn);
        sk_X509_pop_free(ini->trusted, X509_free);
        X509_free(ini->cert);
        EVP_PKEY_free(ini->key);
        sk_X509_pop_free(ini->chain, X509_free);
        bytes_free_secret(&ini->eap_identity);
        bytes_free_secret(&ini->eap_secret);
        bytes_free_secret(&ini->ni);
        bytes_free_secret(&ini->nr);
        crypto_dh_free(ini->dh);
        bytes_free(&ini->cookie);
        bytes_free(&ini->sa_init_req);
        bytes_free(&ini->sa_init_resp);
        ike_keys_wipe(&ini->keys);
        crypto_aead_free(ini->aead_out);
        crypto_aead_free(ini->aead_in);
        eap_peer_free(ini->auth.eap);
        bytes_free_secret(&ini->auth.eap_out);
        bytes_free(&ini->auth.idi_body);
        bytes_free(&ini->auth.idr_body);
        X509_free(ini->auth.peer_cert);
        bytes_free_secret(&ini->auth.key_i);
        bytes_free_secret(&ini->auth.key_r);
        ike_child_keys_wipe(&ini->child_keys);
        bytes_free_secret(&ini->crk.ni);
        bytes_free(&ini->crk.peer_min_nonce);
        crypto_dh_free(ini->crk.dh);
        ini_ike_rekey_free(ini);
        retired_free(&ini->retired);
        secure_wipe(ini, sizeof(*ini));
        free(ini);
}

/* ------------------------------------------------------------------ sending */

void ini_dgrams_free(struct bytes *d, size_t n)
{
        for (size_t i = 0; d && i < n; i++)
                bytes_free_secret(&d[i]);
        free(d);
}

static void emit_dgrams(struct ike_initiator *ini, const struct bytes *d, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct ike_action *a;
                const uint8_t *copy = ini_keep(ini, d[i].ptr, d[i].len);

                if (!copy)
                        return;
                a = ini_action(ini, IKE_ACTION_SEND);
                if (!a)
                        return;
                a->u.send.datagram = SLICE(copy, d[i].len);
                a->u.send.natt = ini->natt;
                a->u.send.port = ini->natt ? IKEV2_NATT_PORT : ini->remote.port;
        }
}

/* The unprotected IKE_SA_INIT request as one datagram; RealMessage1 kept. */
static int serialize_plain(struct ike_initiator *ini, const struct ike_message *m,
                           struct bytes **ret, size_t *ret_n)
{
        _cleanup_free_ uint8_t *buf = malloc(IKE_MESSAGE_MAX + IKEV2_NON_ESP_MARKER_LEN);
        struct bytes *d;
        struct wbuf w;
        size_t start;
        int r;

        if (!buf)
                return -ENOMEM;
        wbuf_init(&w, buf, IKE_MESSAGE_MAX + IKEV2_NON_ESP_MARKER_LEN);
        if (ini->natt)
                (void)ike_non_esp_marker_write(&w);
        start = wbuf_len(&w);
        r = ike_message_serialize(m, &w);
        if (r < 0)
                return r;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        if (bytes_dup(d, wbuf_slice(&w)) < 0) {
                free(d);
                return -ENOMEM;
        }
        bytes_free(&ini->sa_init_req);
        if (bytes_dup(&ini->sa_init_req, SLICE(buf + start, wbuf_len(&w) - start)) < 0) {
                ini_dgrams_free(d, 1);
                return -ENOMEM;
        }
        *ret = d;
        *ret_n = 1;
        return 0;
}

static uint32_t next_timeout(const struct ike_initiator *ini, uint32_t t)
{
        uint64_t n = (uint64_t)t * ini->rt.base_permille / 1000u;

        return (uint32_t)MIN(n, (uint64_t)RT_TIMEOUT_MAX);
}

/* Builds the current task's request and sends it. */
static void send_request(struct ike_initiator *ini)
{
        const struct ini_task_ops *task = ini->tasks[0];
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct bytes *d = NULL;
        size_t n = 0;
        int r;

        request_clear(&ini->req);
        r = ike_message_new(&m);
        if (r < 0) {
                ini_fail(ini, IKE_FAIL_INTERNAL, 0, "%s: out of memory", task->name);
                return;
        }
        m->hdr.spi_i = ini_spi_u64(ini->spi_i);
        m->hdr.spi_r = task->exchange == IKEV2_EXCHANGE_IKE_SA_INIT ? 0 : ini_spi_u64(ini->spi_r);
        m->hdr.exchange = task->exchange;
        m->hdr.flags = ini_flags(ini);
        m->hdr.message_id = ini->next_msgid;
        r = task->build(ini, m);
        if (ini->state == IKE_STATE_CLOSED)
                return; /* build failed and said why */
        if (r < 0) {
                ini_fail(ini, r == -ENOMEM ? IKE_FAIL_INTERNAL : IKE_FAIL_LOCAL, 0,
                         "%s: cannot build the request: %s", task->name, strerror(-r));
                return;
        }
        if (task->exchange == IKEV2_EXCHANGE_IKE_SA_INIT)
                r = serialize_plain(ini, m, &d, &n);
        else
                r = ini_protect(ini, m, task->exchange == IKEV2_EXCHANGE_IKE_AUTH, &d, &n);
        if (r < 0) {
                ini_fail(ini, IKE_FAIL_INTERNAL, 0, "%s: cannot protect the request: %s",
                         task->name, strerror(-r));
                return;
        }
        ini->req = (struct ini_request){
                .active = true,
                .task = task,
                .msgid = ini->next_msgid,
                .dgrams = d,
                .n_dgrams = n,
                .natt = ini->natt,
                .first_sent = ini->now,
                .timeout = ini->rt.timeout_ms,
                .give_up_at = UINT64_MAX,
        };
        ini->req.deadline = ini->now + ini->req.timeout;
        if (task == &ini_task_delete)
                ini->req.give_up_at = ini->now + ini->delete_timeout_ms;
        if (n > 1)
                ini_log(ini, IKE_LOG_DEBUG, "sending %s request (message %u) in %zu fragments",
                        task->name, ini->req.msgid, n);
        else
                ini_log(ini, IKE_LOG_DEBUG, "sending %s request (message %u, %zu bytes)",
                        task->name, ini->req.msgid, d[0].len);
        emit_dgrams(ini, d, n);
}

uint8_t ini_flags(const struct ike_initiator *ini)
{
        return ini->we_initiator ? IKEV2_FLAG_INITIATOR : 0;
}

/* Runs the queue until a request is out, input is awaited or it is empty. */
static void run_tasks(struct ike_initiator *ini)
{
        if (ini->state == IKE_STATE_CLOSED || ini->req.active || ini->n_tasks == 0)
                return;
        if (ini->auth.waiting_secret)
                return;
        send_request(ini);
}

static void task_pop(struct ike_initiator *ini)
{
        if (ini->n_tasks == 0)
                return;
        memmove(&ini->tasks[0], &ini->tasks[1], (ini->n_tasks - 1) * sizeof(ini->tasks[0]));
        ini->n_tasks--;
}

static int task_push(struct ike_initiator *ini, const struct ini_task_ops *t)
{
        if (ini->n_tasks == INI_MAX_TASKS)
                return -E2BIG;
        ini->tasks[ini->n_tasks++] = t;
        return 0;
}

bool ini_task_pending(const struct ike_initiator *ini, const struct ini_task_ops *t)
{
        for (size_t i = 0; i < ini->n_tasks; i++)
                if (ini->tasks[i] == t)
                        return true;
        return false;
}

int ini_task_queue(struct ike_initiator *ini, const struct ini_task_ops *t)
{
        if (ini_task_pending(ini, t))
                return 0;
        return task_push(ini, t);
}

void ini_run_tasks(struct ike_initiator *ini)
{
        run_tasks(ini);
}

int ini_send_oneshot(struct ike_initiator *ini, uint8_t exchange, struct ike_message *m)
{
        struct bytes *d = NULL;
        size_t n = 0;
        int r;

        if (!ini->have_keys)
                return -ENOKEY;
        m->hdr.spi_i = ini_spi_u64(ini->spi_i);
        m->hdr.spi_r = ini_spi_u64(ini->spi_r);
        m->hdr.exchange = exchange;
        m->hdr.flags = ini_flags(ini);
        m->hdr.message_id = ini->next_msgid++;
        r = ini_protect(ini, m, false, &d, &n);
        if (r < 0)
                return r;
        emit_dgrams(ini, d, n);
        ini_dgrams_free(d, n);
        return 0;
}

/* ------------------------------------------------------------------ API */

void ini_begin(struct ike_initiator *ini, uint64_t now)
{
        actions_clear(ini);
        if (now > ini->now)
                ini->now = now;
}

int ike_initiator_start(struct ike_initiator *ini, uint64_t now_ms)
{
        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (ini->state != IKE_STATE_IDLE)
                return -EALREADY;
        ini->started = ini->now;
        ini->tasks[0] = &ini_task_sa_init;
        ini->tasks[1] = &ini_task_auth;
        ini->n_tasks = 2;
        ini_set_state(ini, IKE_STATE_CONNECTING);
        run_tasks(ini);
        return 0;
}

static void timeout_fail(struct ike_initiator *ini)
{
        const struct ini_request *q = &ini->req;
        uint64_t secs = (ini->now - q->first_sent + 500) / 1000;
        char host[300];

        snprintf(host, sizeof(host), "%s", ini->gateway_host);
        if (q->task == &ini_task_delete || ini->state == IKE_STATE_DELETING) {
                ini_log(ini, IKE_LOG_WARNING,
                        "no answer to our DELETE from %s after %llu s; closing anyway", host,
                        (unsigned long long)secs);
                ini_close(ini);
                return;
        }
        if (ini->established_once) {
                /* RFC 7296 2.4: an established SA whose peer stops answering
                 * (or answers only with what cannot be used) is dead; the
                 * driver reconnects. */
                ini_fail(ini, IKE_FAIL_DEAD, 0,
                         "gateway %s is gone: no %sanswer to %s (message %u) after %llu s and "
                         "%u retransmissions",
                         host, q->malformed ? "usable " : "", q->task->name, q->msgid,
                         (unsigned long long)secs, q->retransmits);
                return;
        }
        /* The gateway did answer, but nothing it sent could be used: that
         * is a broken gateway, not an unreachable one. */
        if (q->malformed) {
                ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                         "no usable response from gateway %s to %s (message %u) after %llu s "
                         "and %u retransmissions: %u malformed answer%s dropped, the last "
                         "because: %s",
                         host, q->task->name, q->msgid, (unsigned long long)secs, q->retransmits,
                         q->malformed, q->malformed == 1 ? "" : "s", q->why);
                return;
        }
        ini_fail(ini, IKE_FAIL_TIMEOUT, 0,
                 "no response from gateway %s to %s (message %u) after %llu s and %u "
                 "retransmissions%s%s%s%s",
                 host, q->task->name, q->msgid, (unsigned long long)secs, q->retransmits,
                 q->task->exchange == IKEV2_EXCHANGE_IKE_SA_INIT
                         ? " (is it reachable on UDP port 500, is it an IKEv2 gateway?)"
                         : "",
                 q->unauthenticated ? "; datagrams that claimed to answer were ignored (" : "",
                 q->unauthenticated ? q->why : "", q->unauthenticated ? ")" : "");
}

static void retired_tick(struct ike_initiator *ini);

/* Timers of an established IKE SA: reauthentication, rekeys, DPD. */
static void periodic(struct ike_initiator *ini)
{
        if (ini->state != IKE_STATE_ESTABLISHED)
                return;
        if (ini->now >= ini->child_out_at) {
                ini_log(ini, IKE_LOG_INFO,
                        "the gateway did not delete the CHILD SA it rekeyed: sending on the new "
                        "one anyway");
                ini_child_switch_out(ini);
        }
        if (ini->now >= ini->reauth_at && !ini->reauth_sent) {
                ini->reauth_sent = true;
                ini_log(ini, IKE_LOG_INFO, "re-authentication is due (RFC 4478)");
                (void)ini_action(ini, IKE_ACTION_REAUTH);
        }
        if (ini->now >= ini->ike_rekey_at) {
                ini->ike_rekey_at = UINT64_MAX;
                (void)ini_task_queue(ini, &ini_task_ike_rekey);
        }
        if (ini->now >= ini->child_rekey_at) {
                ini->child_rekey_at = UINT64_MAX;
                if (ini->child_installed && !ini->crk.active)
                        (void)ini_task_queue(ini, &ini_task_child_rekey);
        }
        /* Not now - last_rx: the driver's last_rx may be a little ahead of
         * the time it gives this call (two readings of the clock). */
        if (ini->dpd_ms && !ini->req.active && ini->n_tasks == 0 &&
            ini->now >= ini->last_rx + ini->dpd_ms) {
                if (ini->mobike && ini->peer_mobike && ini->nat_local) {
                        /* Behind a NAT the silence may be a home router that
                         * forgot its mapping: our packets now leave from
                         * another public port, and a gateway that agreed to
                         * MOBIKE does not move the SA for a plain request
                         * from there (it waits for UPDATE_SA_ADDRESSES,
                         * RFC 4555 3.5). So the check is the update: it
                         * proves the gateway alive all the same, and moves
                         * the SA to the mapping it came from. */
                        ini_log(ini, IKE_LOG_DEBUG,
                                "nothing from the gateway for %llu s: liveness check with "
                                "UPDATE_SA_ADDRESSES (behind a NAT, MOBIKE)",
                                (unsigned long long)((ini->now - ini->last_rx) / 1000));
                        (void)ini_task_queue(ini, &ini_task_mobike);
                } else {
                        ini_log(ini, IKE_LOG_DEBUG,
                                "nothing from the gateway for %llu s: liveness check",
                                (unsigned long long)((ini->now - ini->last_rx) / 1000));
                        (void)ini_task_queue(ini, &ini_task_liveness);
                }
        }
        run_tasks(ini);
}

static void request_tick(struct ike_initiator *ini)
{
        struct ini_request *q = &ini->req;

        if (!q->active || ini->state == IKE_STATE_CLOSED)
                return;
        if (ini->now >= q->give_up_at) {
                timeout_fail(ini);
                return;
        }
        if (ini->now < q->deadline)
                return;
        if (q->retransmits >= ini->rt.tries) {
                timeout_fail(ini);
                return;
        }
        q->retransmits++;
        q->timeout = next_timeout(ini, q->timeout);
        q->deadline = ini->now + q->timeout;
        ini_log(ini, IKE_LOG_INFO, "retransmitting %s request (message %u), try %u of %u",
                q->task->name, q->msgid, q->retransmits, ini->rt.tries);
        /* RFC 7296 2.1: the same bytes, whatever happened in between. The
         * port too: a retransmission never moves. */
        {
                bool natt = ini->natt;

                ini->natt = q->natt;
                emit_dgrams(ini, q->dgrams, q->n_dgrams);
                ini->natt = natt;
        }
}

int ike_initiator_tick(struct ike_initiator *ini, uint64_t now_ms)
{
        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (ini->state == IKE_STATE_CLOSED || ini->state == IKE_STATE_IDLE)
                return 0;
        request_tick(ini);
        if (ini->state == IKE_STATE_CLOSED)
                return 0;
        retired_tick(ini);
        periodic(ini);
        return 0;
}

uint64_t ike_initiator_next_timer(const struct ike_initiator *ini)
{
        uint64_t t = UINT64_MAX;

        if (!ini || ini->state == IKE_STATE_CLOSED || ini->state == IKE_STATE_IDLE)
                return UINT64_MAX;
        if (ini->req.active)
                t = MIN(ini->req.deadline, ini->req.give_up_at);
        if (ini->retired.active && ini->retired.deleting)
        {
                uint64_t rt = MIN(ini->retired.deadline, ini->retired.give_up_at);

                t = MIN(t, rt);
        }
        if (ini->state == IKE_STATE_ESTABLISHED) {
                if (!ini->reauth_sent)
                        t = MIN(t, ini->reauth_at);
                t = MIN(t, ini->ike_rekey_at);
                t = MIN(t, ini->child_out_at);
                if (!ini->crk.active)
                        t = MIN(t, ini->child_rekey_at);
                if (ini->dpd_ms && !ini->req.active && ini->n_tasks == 0)
                        t = MIN(t, ini->last_rx + ini->dpd_ms);
        }
        return t;
}

const struct ike_action *ike_initiator_actions(const struct ike_initiator *ini, size_t *ret_n)
{
        *ret_n = ini ? ini->n_actions : 0;
        return ini ? ini->actions : NULL;
}

enum ike_state ike_initiator_state(const struct ike_initiator *ini)
{
        return ini->state;
}

const struct ike_failure *ike_initiator_failure(const struct ike_initiator *ini)
{
        return &ini->failure;
}

void ike_initiator_info(const struct ike_initiator *ini, struct ike_sa_info *ret)
{
        char b[IKEV2_NAME_BUF];
        int n;

        memset(ret, 0, sizeof(*ret));
        if (ini->have_keys) {
                char s[64];

                n = snprintf(ret->ike_suite, sizeof(ret->ike_suite), "%s/%s/%s",
                             crypto_suite_name(&ini->suite, s), ini->prf->name,
                             ikev2_dh_name(ini->ike_dh, b));
                (void)n;
        }
        if (ini->child_installed) {
                struct crypto_suite es;
                char s[64];

                if (crypto_suite_lookup(ini->esp_encr, ini->esp_encr_bits, ini->esp_integ, 0, &es,
                                        NULL) == 0)
                        snprintf(ret->esp_suite, sizeof(ret->esp_suite), "%s%s",
                                 crypto_suite_name(&es, s), ini->esp_esn ? "/ESN" : "");
        }
        ret->nat_local = ini->nat_local;
        ret->nat_remote = ini->nat_remote;
        ret->fragmentation = ini->peer_fragmentation && ini->fragmentation;
        ret->spi_i = ini_spi_u64(ini->spi_i);
        ret->spi_r = ini_spi_u64(ini->spi_r);
        ret->spi_in = ini->child_spi_in;
        ret->spi_out = ini->child_spi_out;
        snprintf(ret->peer_id, sizeof(ret->peer_id), "%s", ini->auth.peer_id);
        ret->mobike = ini->mobike && ini->peer_mobike;
        ret->child_rekeys = ini->n_child_rekeys;
        ret->ike_rekeys = ini->n_ike_rekeys;
}

int ike_initiator_provide_secret(struct ike_initiator *ini, enum eap_secret_kind kind,
                                 struct slice secret, uint64_t now_ms)
{
        struct eap_result res;
        int r;

        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        if (!ini->auth.waiting_secret || kind != ini->auth.secret_kind)
                return -EALREADY;
        ini->auth.waiting_secret = false;
        if (!secret.ptr || secret.len == 0) {
                ini_fail(ini, IKE_FAIL_NO_SECRET, 0, "no %s given: connection cancelled",
                         kind == EAP_SECRET_PASSWORD ? "password" : "passphrase");
                return 0;
        }
        r = eap_peer_set_secret(ini->auth.eap, secret);
        if (r == 0)
                r = eap_peer_resume(ini->auth.eap, &res);
        if (r < 0) {
                ini_fail(ini, IKE_FAIL_INTERNAL, 0, "EAP: cannot use the secret: %s", strerror(-r));
                return 0;
        }
        if (res.action != EAP_ACTION_SEND) {
                ini_fail(ini, IKE_FAIL_AUTH_PASSWORD, 0, "EAP: %s",
                         res.reason ? res.reason : "the method gave up after the secret");
                return 0;
        }
        bytes_free_secret(&ini->auth.eap_out);
        if (bytes_dup(&ini->auth.eap_out, res.response) < 0) {
                ini_fail(ini, IKE_FAIL_INTERNAL, 0, "EAP: out of memory");
                return 0;
        }
        run_tasks(ini);
        return 0;
}

int ike_initiator_disconnect(struct ike_initiator *ini, uint64_t now_ms)
{
        if (!ini)
                return -EINVAL;
        ini_begin(ini, now_ms);
        switch (ini->state) {
        case IKE_STATE_CLOSED:
        case IKE_STATE_DELETING:
                return 0;
        case IKE_STATE_ESTABLISHED:
                ini_set_state(ini, IKE_STATE_DELETING);
                /* Nothing else is started now; an exchange in flight may
                 * finish (window 1), within the same bounded wait. */
                ini->n_tasks = ini->req.active ? 1 : 0;
                if (ini->req.active)
                        ini->req.give_up_at = MIN(ini->req.give_up_at,
                                                  ini->now + ini->delete_timeout_ms);
                if (task_push(ini, &ini_task_delete) < 0) {
                        ini_close(ini);
                        return 0;
                }
                run_tasks(ini);
                return 0;
        default:
                /* Half-way: a best-effort DELETE when there is an SA to
                 * delete, and gone at once (the exchange in flight cannot
                 * be finished politely). */
                if (ini->have_keys) {
                        _cleanup_ike_message_ struct ike_message *m = NULL;

                        if (ike_message_new(&m) == 0 &&
                            ike_chain_add_delete(&m->inner, IKEV2_PROTO_IKE, 0, 0,
                                                 SLICE(NULL, 0)) == 0) {
                                if (ini->req.active)
                                        ini->next_msgid = ini->req.msgid + 1;
                                (void)ini_send_oneshot(ini, IKEV2_EXCHANGE_INFORMATIONAL, m);
                        }
                }
                ini_log(ini, IKE_LOG_INFO, "disconnected while %s", ike_state_name(ini->state));
                ini_close(ini);
                return 0;
        }
}

/* ------------------------------------------------------------------ receiving */

/* Decrypts a protected message in place in raw (which m borrows from) and
 * parses its inner payloads. Returns 1 when m is complete, 0 when a
 * fragment was kept for later, negative to drop: *why says why (err holds
 * the text when it is a parse error) and *authentic whether the datagram
 * passed the integrity check, i.e. the gateway itself sent something
 * malformed. */
static int unprotect(struct ike_initiator *ini, struct bytes *raw, struct ike_message *m,
                     struct ike_error *err, const char **why, bool *authentic)
{
        struct ike_sk_plain plain;
        struct ike_sk_error skerr = {0};
        struct bytes inner = {0};
        uint8_t first;
        int r;

        *authentic = false;
        r = ike_sk_unprotect(ini->aead_in, raw->ptr, raw->len, &plain, &skerr);
        if (r < 0) {
                *why = r == -EKEYREJECTED ? "integrity check failed" : skerr.what;
                return r;
        }
        *authentic = true;
        if (plain.fragment) {
                r = ini_frag_add(ini, &m->hdr, plain.frag_number, plain.frag_total,
                                 plain.first_payload, plain.inner, &inner, &first, why);
                if (r == -EALREADY) {
                        /* Retransmissions repeat every fragment: not an error. */
                        ini_log(ini, IKE_LOG_DEBUG, "ignoring fragment %u of message %u: %s",
                                plain.frag_number, m->hdr.message_id, *why);
                        return 0;
                }
                if (r <= 0)
                        return r;
        } else {
                first = plain.first_payload;
                if (bytes_dup(&inner, plain.inner) < 0 && plain.inner.len) {
                        *why = "out of memory";
                        return -ENOMEM;
                }
        }
        r = ike_message_parse_inner(m, first, &inner, err);
        if (r < 0) {
                bytes_free_secret(&inner);
                *why = err->what;
                return r;
        }
        return 1;
}

static void process_response(struct ike_initiator *ini, const struct ike_message *m)
{
        const struct ini_task_ops *task = ini->req.task;
        uint32_t msgid = ini->req.msgid;
        enum ini_task_result res;

        /* The exchange is complete: the response is in, and the window
         * moves on (IKE_SA_INIT keeps message 0 until it succeeds). */
        request_clear(&ini->req);
        if (task->exchange != IKEV2_EXCHANGE_IKE_SA_INIT)
                ini->next_msgid = msgid + 1;
        res = task->process(ini, m);
        if (res == INI_TASK_FAILED || ini->state == IKE_STATE_CLOSED)
                return;
        /* After an IKE SA rekey the new SA counts from 0 (the switch set it). */
        if (res == INI_TASK_DONE && task != &ini_task_ike_rekey)
                ini->next_msgid = msgid + 1;
        if (res == INI_TASK_DONE) {
                task_pop(ini);
                if (task == &ini_task_delete) {
                        ini_log(ini, IKE_LOG_INFO, "the gateway confirmed the DELETE");
                        ini_close(ini);
                        return;
                }
        }
        run_tasks(ini);
}

static void drop(struct ike_initiator *ini, const struct ike_header *h, const char *why)
{
        ini_log(ini, IKE_LOG_DEBUG, "dropping %s %s (message %u): %s",
                ini_exchange_name(h->exchange), ike_header_is_response(h) ? "response" : "request",
                h->message_id, why);
}

/* A datagram that claimed to answer our request (the message ID, exchange
 * and SPIs match) and cannot be used: logged, and remembered for the
 * timeout's text. */
static void drop_answer(struct ike_initiator *ini, const struct ike_header *h, const char *why,
                        bool authentic)
{
        if (authentic)
                ini_log(ini, IKE_LOG_WARNING, "dropping %s response (message %u): %s",
                        ini_exchange_name(h->exchange), h->message_id, why);
        else
                drop(ini, h, why);
        if (authentic)
                ini->req.malformed++;
        else
                ini->req.unauthenticated++;
        snprintf(ini->req.why, sizeof(ini->req.why), "%s", why);
}

static void receive_response(struct ike_initiator *ini, struct bytes *raw,
                             const struct ike_header *h)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct ike_error err = {0};
        const char *why = NULL;
        bool sa_init = h->exchange == IKEV2_EXCHANGE_IKE_SA_INIT, authentic = sa_init;
        int r;

        if (!ini->req.active) {
                drop(ini, h, "no request outstanding (a duplicate?)");
                return;
        }
        if (h->message_id != ini->req.msgid) {
                drop(ini, h, "not the message ID of our request (old or out of window)");
                return;
        }
        if (h->exchange != ini->req.task->exchange) {
                drop(ini, h, "answers another exchange than our request");
                return;
        }
        if (!sa_init && h->spi_r != ini_spi_u64(ini->spi_r)) {
                drop(ini, h, "unknown responder SPI");
                return;
        }
        /* From here on it claims to be the answer. An IKE_SA_INIT answer
         * has no integrity check: whatever it is, it is all we get. */
        r = ike_message_parse(&m, SLICE_OF(*raw), &err);
        if (r < 0) {
                drop_answer(ini, h, err.what, sa_init);
                return;
        }
        if (!sa_init) {
                if (!ike_message_sk(m)) {
                        /* RFC 7296 2.21: unprotected errors after IKE_SA_INIT
                         * are unauthenticated; anyone can send them. */
                        drop_answer(ini, h, "unprotected (an unauthenticated notify is ignored)",
                                    false);
                        return;
                }
                r = unprotect(ini, raw, m, &err, &why, &authentic);
                if (r == 0)
                        return; /* fragment kept */
                if (r < 0) {
                        drop_answer(ini, h, why, authentic);
                        return;
                }
        } else {
                if (ike_message_sk(m)) {
                        drop_answer(ini, h, "an IKE_SA_INIT response cannot be encrypted", true);
                        return;
                }
        }
        r = ike_message_check(m, &err);
        if (r < 0) {
                drop_answer(ini, h, err.what, authentic);
                return;
        }
        ini->last_rx = ini->now;
        process_response(ini, m);
}

static void resend_cached(struct ike_initiator *ini)
{
        ini_log(ini, IKE_LOG_DEBUG, "the gateway retransmitted request %u: answering again",
                ini->resp_cache.msgid);
        emit_dgrams(ini, ini->resp_cache.dgrams, ini->resp_cache.n_dgrams);
}

static void receive_request(struct ike_initiator *ini, struct bytes *raw,
                            const struct ike_header *h)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct ike_error err = {0};
        const char *why = NULL;
        bool authentic = false;
        int r;

        if (!ini->have_keys || h->spi_r != ini_spi_u64(ini->spi_r)) {
                drop(ini, h, "no IKE SA for it");
                return;
        }
        /* RFC 7296 3.1: the I flag says who made the IKE SA: us, unless the
         * gateway rekeyed it (2.18). */
        if (ike_header_from_initiator(h) == ini->we_initiator) {
                drop(ini, h, "the Initiator flag names the wrong side");
                return;
        }
        /* RFC 7296 2.3: we answer with window size 1: the next request, or a
         * retransmission of the previous one. */
        if (h->message_id != ini->peer_msgid &&
            !(ini->resp_cache.valid && h->message_id == ini->resp_cache.msgid)) {
                drop(ini, h, "outside the window of requests we accept");
                return;
        }
        r = ike_message_parse(&m, SLICE_OF(*raw), &err);
        if (r < 0) {
                drop(ini, h, err.what);
                return;
        }
        if (!ike_message_sk(m)) {
                drop(ini, h, "unprotected (an unauthenticated notify is ignored)");
                return;
        }
        r = unprotect(ini, raw, m, &err, &why, &authentic);
        if (r == 0)
                return;
        if (r < 0) {
                if (!authentic) {
                        drop(ini, h, why);
                        return;
                }
                ini_log(ini, IKE_LOG_WARNING, "dropping %s request (message %u): %s",
                        ini_exchange_name(h->exchange), h->message_id, why);
                /* The gateway sent it (it decrypted): it gets an error back
                 * (err.notify is set for parse errors only). */
                if (h->message_id == ini->peer_msgid)
                        ini_reject_peer_request(ini, h, &err);
                return;
        }
        ini->last_rx = ini->now;
        if (ini->resp_cache.valid && h->message_id == ini->resp_cache.msgid) {
                resend_cached(ini);
                return;
        }
        r = ike_message_check(m, &err);
        if (r < 0) {
                /* A request we cannot parse still deserves an answer (RFC 7296
                 * 2.21.2); INVALID_SYNTAX is for errors of the peer. */
                ini_log(ini, IKE_LOG_WARNING, "dropping %s request (message %u): %s",
                        ini_exchange_name(h->exchange), h->message_id, err.what);
                if (h->message_id == ini->peer_msgid)
                        ini_reject_peer_request(ini, h, &err);
                return;
        }
        ini_handle_peer_request(ini, m);
}

void ini_cache_response(struct ike_initiator *ini, uint32_t msgid, struct bytes *d, size_t n)
{
        ini_dgrams_free(ini->resp_cache.dgrams, ini->resp_cache.n_dgrams);
        ini->resp_cache = (struct ini_response_cache){
                .valid = true, .msgid = msgid, .dgrams = d, .n_dgrams = n};
        ini->peer_msgid = msgid + 1;
        emit_dgrams(ini, d, n);
}

/* ------------------------------------------------------------------ the retired IKE SA */

/* Runs fn with the retired SA's contexts in place of the current ones. */
static void swap_contexts(struct ike_initiator *ini)
{
        struct crypto_aead *o = ini->aead_out, *in = ini->aead_in;

        ini->aead_out = ini->retired.aead_out;
        ini->aead_in = ini->retired.aead_in;
        ini->retired.aead_out = o;
        ini->retired.aead_in = in;
}

int ini_protect_retired(struct ike_initiator *ini, struct ike_message *m, struct bytes **ret,
                        size_t *ret_n)
{
        int r;

        m->hdr.spi_i = ini_spi_u64(ini->retired.spi_i);
        m->hdr.spi_r = ini_spi_u64(ini->retired.spi_r);
        swap_contexts(ini);
        r = ini_protect(ini, m, false, ret, ret_n);
        swap_contexts(ini);
        return r;
}

static void retired_send_delete(struct ike_initiator *ini)
{
        struct ini_retired *rt = &ini->retired;
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct bytes *d = NULL;
        size_t n = 0;

        if (ike_message_new(&m) < 0 ||
            ike_chain_add_delete(&m->inner, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0)) < 0)
                return;
        m->hdr.exchange = IKEV2_EXCHANGE_INFORMATIONAL;
        m->hdr.flags = rt->we_initiator ? IKEV2_FLAG_INITIATOR : 0;
        m->hdr.message_id = rt->del_msgid;
        if (ini_protect_retired(ini, m, &d, &n) < 0)
                return;
        rt->deleting = true;
        rt->dgrams = d;
        rt->n_dgrams = n;
        rt->timeout = ini->rt.timeout_ms;
        rt->deadline = ini->now + rt->timeout;
        rt->give_up_at = ini->now + MAX(ini->delete_timeout_ms, 10000u);
        ini_log(ini, IKE_LOG_DEBUG, "deleting the old IKE SA %016llx_i (message %u)",
                (unsigned long long)ini_spi_u64(rt->spi_i), rt->del_msgid);
        emit_dgrams(ini, d, n);
}

static void retired_tick(struct ike_initiator *ini)
{
        struct ini_retired *rt = &ini->retired;

        if (!rt->active || !rt->deleting)
                return;
        if (ini->now >= rt->give_up_at || (ini->now >= rt->deadline && rt->retransmits >= 3)) {
                ini_log(ini, IKE_LOG_INFO,
                        "no answer to the DELETE of the old IKE SA; forgetting it anyway");
                retired_free(rt);
                return;
        }
        if (ini->now < rt->deadline)
                return;
        rt->retransmits++;
        rt->timeout = next_timeout(ini, rt->timeout);
        rt->deadline = ini->now + rt->timeout;
        emit_dgrams(ini, rt->dgrams, rt->n_dgrams);
}

/* Something on the old IKE SA: the answer to our DELETE, or the gateway's
 * requests (its DELETE after it rekeyed, retransmissions of its rekey
 * request, a DELETE of an old CHILD SA). */
static void receive_retired(struct ike_initiator *ini, struct bytes *raw,
                            const struct ike_header *h)
{
        struct ini_retired *rt = &ini->retired;
        _cleanup_ike_message_ struct ike_message *m = NULL;
        _cleanup_ike_message_ struct ike_message *resp = NULL;
        struct ike_error err = {0};
        const char *why = NULL;
        bool ike_deleted = false, authentic = false;
        struct bytes *d = NULL;
        size_t n = 0;
        int r;

        if (ike_header_is_response(h)) {
                if (!rt->deleting || h->message_id != rt->del_msgid)
                        return;
        } else if (h->message_id != rt->peer_msgid &&
                   !(rt->cache.valid && h->message_id == rt->cache.msgid)) {
                drop(ini, h, "old IKE SA: outside the window");
                return;
        }
        if (ike_message_parse(&m, SLICE_OF(*raw), &err) < 0 || !ike_message_sk(m))
                return;
        swap_contexts(ini);
        r = unprotect(ini, raw, m, &err, &why, &authentic);
        swap_contexts(ini);
        if (r <= 0) {
                if (r < 0 && why)
                        drop(ini, h, why);
                return;
        }
        ini->last_rx = ini->now;
        if (ike_header_is_response(h)) {
                ini_log(ini, IKE_LOG_INFO, "the old IKE SA %016llx_i is deleted",
                        (unsigned long long)ini_spi_u64(rt->spi_i));
                retired_free(rt);
                return;
        }
        if (rt->cache.valid && h->message_id == rt->cache.msgid) {
                emit_dgrams(ini, rt->cache.dgrams, rt->cache.n_dgrams);
                return;
        }
        if (ike_message_check(m, &err) < 0 || ike_message_new(&resp) < 0)
                return;
        if (h->exchange == IKEV2_EXCHANGE_INFORMATIONAL) {
                const struct ike_chain *c = ike_message_payloads(m);

                for (size_t i = 0; i < c->n; i++) {
                        const struct ike_payload *p = &c->items[i];

                        if (p->type != IKEV2_PAYLOAD_DELETE)
                                continue;
                        if (p->u.del.protocol == IKEV2_PROTO_IKE)
                                ike_deleted = true;
                        else if (ini_child_deleted(ini, &p->u.del, resp))
                                ini_log(ini, IKE_LOG_WARNING,
                                        "the gateway deleted the current CHILD SA on the old "
                                        "IKE SA");
                }
        } else if (h->exchange == IKEV2_EXCHANGE_CREATE_CHILD_SA) {
                (void)ike_chain_add_notify(&resp->inner, 0, IKEV2_N_TEMPORARY_FAILURE,
                                           SLICE(NULL, 0), SLICE(NULL, 0));
        } else {
                return;
        }
        resp->hdr.exchange = h->exchange;
        resp->hdr.flags = IKEV2_FLAG_RESPONSE | (rt->we_initiator ? IKEV2_FLAG_INITIATOR : 0);
        resp->hdr.message_id = h->message_id;
        if (ini_protect_retired(ini, resp, &d, &n) < 0)
                return;
        ini_dgrams_free(rt->cache.dgrams, rt->cache.n_dgrams);
        rt->cache = (struct ini_response_cache){
                .valid = true, .msgid = h->message_id, .dgrams = d, .n_dgrams = n};
        rt->peer_msgid = h->message_id + 1;
        emit_dgrams(ini, d, n);
        if (ike_deleted) {
                ini_log(ini, IKE_LOG_INFO, "the gateway deleted the old IKE SA %016llx_i",
                        (unsigned long long)ini_spi_u64(rt->spi_i));
                retired_free(rt);
        }
}

void ini_switch_ike_sa(struct ike_initiator *ini, const uint8_t spi_i[static 8],
                       const uint8_t spi_r[static 8], bool we_initiator, struct ike_keys *keys,
                       struct crypto_aead *out, struct crypto_aead *in, bool we_delete)
{
        struct ini_retired *rt = &ini->retired;
        struct ike_action *a;

        retired_free(rt);
        rt->active = true;
        memcpy(rt->spi_i, ini->spi_i, 8);
        memcpy(rt->spi_r, ini->spi_r, 8);
        rt->we_initiator = ini->we_initiator;
        rt->aead_out = ini->aead_out;
        rt->aead_in = ini->aead_in;
        rt->peer_msgid = ini->peer_msgid;
        rt->cache = ini->resp_cache;
        rt->del_msgid = ini->next_msgid;
        ini->resp_cache = (struct ini_response_cache){0};

        memcpy(ini->spi_i, spi_i, 8);
        memcpy(ini->spi_r, spi_r, 8);
        ini->we_initiator = we_initiator;
        ike_keys_wipe(&ini->keys);
        ini->keys = *keys;
        *keys = (struct ike_keys){0};
        ini->aead_out = out;
        ini->aead_in = in;
        ini->next_msgid = 0;
        ini->peer_msgid = 0;
        ini_frag_reset(&ini->frag);
        ini->n_ike_rekeys++;
        a = ini_action(ini, IKE_ACTION_REKEYED);
        if (a)
                a->u.rekeyed.ike = true;
        ini_log(ini, IKE_LOG_INFO, "IKE SA rekeyed: now %016llx_i %016llx_r (%s initiated it)",
                (unsigned long long)ini_spi_u64(ini->spi_i),
                (unsigned long long)ini_spi_u64(ini->spi_r), we_delete ? "we" : "the gateway");
        ini_schedule_ike(ini);
        if (we_delete)
                retired_send_delete(ini);
}

int ike_initiator_receive(struct ike_initiator *ini, const uint8_t *msg, size_t len, bool natt,
                          uint64_t now_ms)
{
        struct ike_header h;
        struct ike_error err = {0};
        struct bytes raw = {0};

        if (!ini || (!msg && len))
                return -EINVAL;
        ini_begin(ini, now_ms);
        (void)natt;
        if (ini->state == IKE_STATE_IDLE || ini->state == IKE_STATE_CLOSED)
                return 0;
        if (ike_header_parse(SLICE(msg, len), &h, &err) < 0) {
                ini_log(ini, IKE_LOG_DEBUG, "dropping a datagram: %s", err.what);
                return 0;
        }
        if (h.spi_i != ini_spi_u64(ini->spi_i)) {
                if (ini->retired.active && h.spi_i == ini_spi_u64(ini->retired.spi_i) &&
                    h.spi_r == ini_spi_u64(ini->retired.spi_r) &&
                    (h.version >> 4) == IKEV2_MAJOR_VERSION) {
                        if (bytes_dup(&raw, SLICE(msg, len)) < 0)
                                return -ENOMEM;
                        receive_retired(ini, &raw, &h);
                        bytes_free_secret(&raw);
                        return 0;
                }
                ini_log(ini, IKE_LOG_DEBUG, "dropping a message for another IKE SA");
                return 0;
        }
        if ((h.version >> 4) != IKEV2_MAJOR_VERSION) {
                if (ike_header_is_response(&h) && ini->req.active &&
                    h.message_id == ini->req.msgid && h.exchange == ini->req.task->exchange) {
                        char why[64];

                        snprintf(why, sizeof(why), "not IKEv2 (version %u.%u)", h.version >> 4,
                                 h.version & 15);
                        drop_answer(ini, &h, why, h.exchange == IKEV2_EXCHANGE_IKE_SA_INIT);
                } else {
                        drop(ini, &h, "not IKEv2");
                }
                return 0;
        }
        /* The decryption works in place: on our own copy. */
        if (bytes_dup(&raw, SLICE(msg, len)) < 0)
                return -ENOMEM;
        if (ike_header_is_response(&h))
                receive_response(ini, &raw, &h);
        else
                receive_request(ini, &raw, &h);
        bytes_free_secret(&raw);
        return 0;
}
