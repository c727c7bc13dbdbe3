/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EAP peer state machine (RFC 3748; the peer side of RFC 4137).
 *
 * Every packet from the server, RFC 3748 4:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |  Type-Data ...            (Request, Response)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The peer answers Identity (5.1), Notification (5.2) and proposals of
 * methods it is not configured for (legacy Nak, 5.3.1) itself, and hands the
 * Type-Data of its one configured method to that method's ops. A request
 * repeating the identifier of the last one answered is a retransmission and
 * gets the same response, byte for byte, without being processed again
 * (4.1). Success and Failure (4.2) decide only what the method allows.
 */
#include "eap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/common/macro.h"
#include "client/common/rbuf.h"
#include "client/common/wbuf.h"
#include "client/crypto/legacy.h"
#include "client/ike/ikev2-names.h"
#include "eap_method.h"

#define MAX_NAKS       3    /* proposals of other methods before giving up */
#define MAX_SECRET_LEN 4096 /* password or passphrase bytes */
#define RESPONSE_HEADER_LEN (EAP_HEADER_LEN + 1)

enum peer_state {
        PEER_RUNNING = 0,
        PEER_NEED_SECRET,
        PEER_SUCCESS,
        PEER_FAILURE,
};

struct eap_peer {
        const struct eap_method_ops *ops;
        void *method; /* NULL until the server starts our method */

        struct bytes identity;
        struct bytes secret;
        bool have_secret;
        int (*rng_fill)(void *ctx, uint8_t *buf, size_t n);
        void *rng_ctx;
        unsigned max_rounds;
        struct eap_tls_creds tls;

        enum peer_state state;
        unsigned rounds;
        unsigned naks;

        /* The last request we answered (or are waiting for a secret to
         * answer) and what we answered: RFC 3748 4.1 retransmissions. */
        bool have_last;
        bool last_answered; /* tx holds the response to last_req */
        uint8_t last_id;
        uint8_t *last_req; /* EAP_MAX_PACKET bytes */
        size_t last_req_len;

        uint8_t *tx; /* EAP_MAX_PACKET bytes: the response of the last call */
        size_t tx_len;
        /* Where a method writes its Type-Data; copied to tx only when it is
         * sent, so a dropped request never disturbs a retransmission. */
        uint8_t *scratch;

        uint8_t msk[EAP_MSK_LEN];
        bool have_msk;
        bool server_unproven; /* the method failed: the server did not prove itself */

        enum eap_secret_kind secret_kind;
        char prompt[64 + EAP_MAX_IDENTITY + 8];
        char reason[256];
        char notification[256];
};

static const struct eap_method_ops *const methods[] = {
        &eap_md5_ops,
        &eap_mschapv2_ops,
        &eap_tls_ops,
};

/* "EAP-TLS", "EAP-MD5-Challenge" or "EAP-UNKNOWN(99)" into a small buffer,
 * from the names the codec keeps for logs (ikev2-names.c). */
static const char *type_label(uint8_t type, char buf[static 32])
{
        char name[IKEV2_NAME_BUF];
        const char *n = eap_type_name(type, name);

        snprintf(buf, 32, "%s%s", strncmp(n, "EAP-", 4) == 0 ? "" : "EAP-", n);
        return buf;
}

void eap_sanitize(char *buf, size_t size, struct slice s)
{
        size_t n;

        if (size == 0)
                return;
        n = MIN(s.len, size - 1);
        for (size_t i = 0; i < n; i++)
                buf[i] = s.ptr[i] >= 0x20 && s.ptr[i] < 0x7f ? (char)s.ptr[i] : '?';
        buf[n] = '\0';
}

enum eap_method_status eap_method_reason(struct eap_method_ctx *ctx, enum eap_method_status status,
                                         const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(ctx->reason, ctx->reason_size, fmt, ap);
        va_end(ap);
        return status;
}

_printf_(3, 4) static int result_reason(struct eap_peer *p, enum eap_action action,
                                        const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
        va_end(ap);
        if (action == EAP_ACTION_FAILURE)
                p->state = PEER_FAILURE;
        return action;
}

/* ------------------------------------------------------------------ lifecycle */

static const struct eap_method_ops *find_method(uint8_t type)
{
        for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
                if (methods[i]->type == type)
                        return methods[i];
        return NULL;
}

_printf_(2, 3) static void config_error(struct eap_error *err, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof(err->text), fmt, ap);
        va_end(ap);
}

int eap_preload(void)
{
        /* MD4 and DES for MS-CHAPv2; RC2 for old PKCS#12 files comes from the
         * same provider, which is then loaded too. */
        return crypto_legacy_preload();
}

int eap_peer_new(struct eap_peer **ret, const struct eap_peer_config *cfg,
                 struct eap_error *ret_error)
{
        struct eap_peer *p;
        char label[32];
        int r;

        if (!ret || !cfg) {
                config_error(ret_error, "no EAP configuration");
                return -EINVAL;
        }
        if (cfg->identity.len == 0 || cfg->identity.len > EAP_MAX_IDENTITY ||
            memchr(cfg->identity.ptr, '\0', cfg->identity.len)) {
                config_error(ret_error, "EAP identity must be 1..%d bytes without NUL (got %zu)",
                             EAP_MAX_IDENTITY, cfg->identity.len);
                return -EINVAL;
        }
        if (!find_method(cfg->method)) {
                config_error(ret_error, "%s is not supported (MD5, MSCHAPv2 and TLS are)",
                             type_label(cfg->method, label));
                return -ENOTSUP;
        }
        if (cfg->max_rounds > EAP_MAX_ROUNDS_LIMIT) {
                config_error(ret_error, "EAP round limit %u is above %d", cfg->max_rounds,
                             EAP_MAX_ROUNDS_LIMIT);
                return -EINVAL;
        }
        if (cfg->secret.ptr && cfg->secret.len > MAX_SECRET_LEN) {
                config_error(ret_error, "EAP secret is %zu bytes long (at most %d)",
                             cfg->secret.len, MAX_SECRET_LEN);
                return -EINVAL;
        }
        if (cfg->method == EAP_TYPE_MSCHAPV2) {
                if (!cfg->rng_fill) {
                        config_error(ret_error, "EAP-MSCHAPv2 needs a random number source");
                        return -EINVAL;
                }
                if (eap_preload() < 0) {
                        config_error(ret_error, "EAP-MSCHAPv2 needs MD4 and DES from OpenSSL's "
                                                "legacy provider, which cannot be loaded");
                        return -ENOTSUP;
                }
        }

        p = calloc(1, sizeof(*p));
        if (!p)
                goto oom;
        p->ops = find_method(cfg->method);
        p->rng_fill = cfg->rng_fill;
        p->rng_ctx = cfg->rng_ctx;
        p->max_rounds = cfg->max_rounds ? cfg->max_rounds : EAP_DEFAULT_MAX_ROUNDS;
        p->tx = calloc(1, EAP_MAX_PACKET);
        p->scratch = calloc(1, EAP_MAX_PACKET);
        p->last_req = calloc(1, EAP_MAX_PACKET);
        if (!p->tx || !p->scratch || !p->last_req || bytes_dup(&p->identity, cfg->identity) < 0)
                goto oom;
        if (cfg->secret.ptr) {
                if (bytes_dup(&p->secret, cfg->secret) < 0)
                        goto oom;
                p->have_secret = true;
        }
        if (cfg->method == EAP_TYPE_TLS) {
                r = eap_tls_creds_load(&p->tls, &cfg->tls, ret_error);
                if (r < 0) {
                        eap_peer_free(p);
                        return r;
                }
        }
        *ret = p;
        return 0;
oom:
        config_error(ret_error, "out of memory");
        eap_peer_free(p);
        return -ENOMEM;
}

void eap_peer_free(struct eap_peer *p)
{
        if (!p)
                return;
        if (p->method)
                p->ops->free(p->method);
        eap_tls_creds_done(&p->tls);
        bytes_free(&p->identity);
        bytes_free_secret(&p->secret);
        secure_free(p->tx, EAP_MAX_PACKET);
        secure_free(p->scratch, EAP_MAX_PACKET);
        secure_free(p->last_req, EAP_MAX_PACKET);
        secure_free(p, sizeof(*p)); /* the MSK */
}

int eap_peer_set_secret(struct eap_peer *p, struct slice secret)
{
        struct bytes copy;
        int r;

        if (!p || (!secret.ptr && secret.len > 0))
                return -EINVAL;
        if (secret.len > MAX_SECRET_LEN)
                return -E2BIG;
        r = bytes_dup(&copy, secret);
        if (r < 0)
                return r;
        bytes_free_secret(&p->secret);
        p->secret = copy;
        p->have_secret = true;
        return 0;
}

static void forget_secret(struct eap_peer *p)
{
        bytes_free_secret(&p->secret);
        p->have_secret = false;
}

/* ------------------------------------------------------------------ responses */

/* Finishes the response whose Type-Data is already at tx + 5. */
static void seal_response(struct eap_peer *p, uint8_t identifier, uint8_t type, size_t data_len)
{
        struct wbuf w;
        size_t len = RESPONSE_HEADER_LEN + data_len;

        /* data_len <= EAP_MAX_PACKET - RESPONSE_HEADER_LEN (the wbuf's capacity) */
        wbuf_init(&w, p->tx, RESPONSE_HEADER_LEN);
        wbuf_u8(&w, EAP_CODE_RESPONSE);
        wbuf_u8(&w, identifier);
        wbuf_be16(&w, (uint16_t)len);
        wbuf_u8(&w, type);
        p->tx_len = len;
}

static void remember_request(struct eap_peer *p, uint8_t identifier, struct slice in)
{
        /* in is at most EAP_MAX_PACKET bytes (checked by the caller), and
         * may already be last_req itself when resuming. */
        if (in.ptr != p->last_req)
                memcpy(p->last_req, in.ptr, in.len);
        p->last_req_len = in.len;
        p->last_id = identifier;
        p->have_last = true;
        p->last_answered = false;
}

static int send_response(struct eap_peer *p, uint8_t identifier, uint8_t type, struct slice data,
                         struct slice in, struct eap_result *ret)
{
        /* data is at most EAP_MAX_IDENTITY or a single byte here. */
        if (data.len > 0)
                memcpy(p->tx + RESPONSE_HEADER_LEN, data.ptr, data.len);
        seal_response(p, identifier, type, data.len);
        remember_request(p, identifier, in);
        p->last_answered = true;
        ret->response = SLICE(p->tx, p->tx_len);
        return EAP_ACTION_SEND;
}

/* ------------------------------------------------------------------ requests */

static struct eap_method_ctx method_ctx(struct eap_peer *p, uint8_t identifier)
{
        return (struct eap_method_ctx){
                .identity = SLICE_OF(p->identity),
                .secret = p->have_secret ? &p->secret : NULL,
                .rng_fill = p->rng_fill,
                .rng_ctx = p->rng_ctx,
                .tls = &p->tls,
                .identifier = identifier,
                .reason = p->reason,
                .reason_size = sizeof(p->reason),
        };
}

/* Runs our method on a request whose Type is ours; in is the whole packet. */
static int run_method(struct eap_peer *p, uint8_t identifier, struct slice type_data,
                      struct slice in, struct eap_result *ret)
{
        struct eap_method_ctx ctx = method_ctx(p, identifier);
        enum eap_method_status st;
        char label[32];
        struct wbuf w;
        int r;

        type_label(p->ops->type, label);
        if (!p->method) {
                r = p->ops->new(&p->method, &ctx);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return result_reason(p, EAP_ACTION_FAILURE, "cannot start %s: %s", label,
                                             strerror(-r));
        }

        wbuf_init(&w, p->scratch, EAP_MAX_PACKET - RESPONSE_HEADER_LEN);
        p->reason[0] = '\0';
        st = p->ops->process(p->method, &ctx, type_data, &w);
        if (wbuf_error(&w) < 0) {
                /* The method computed more than a packet can hold. */
                return result_reason(p, EAP_ACTION_FAILURE, "%s response does not fit in %d bytes",
                                     label, EAP_MAX_PACKET);
        }
        switch (st) {
        case EAP_METHOD_SEND:
                memcpy(p->tx + RESPONSE_HEADER_LEN, p->scratch, wbuf_len(&w));
                seal_response(p, identifier, p->ops->type, wbuf_len(&w));
                remember_request(p, identifier, in);
                p->last_answered = true;
                ret->response = SLICE(p->tx, p->tx_len);
                return EAP_ACTION_SEND;
        case EAP_METHOD_NEED_SECRET:
                if (ctx.forget_secret)
                        forget_secret(p);
                remember_request(p, identifier, in);
                p->state = PEER_NEED_SECRET;
                p->secret_kind = ctx.secret_kind;
                {
                        char who[EAP_MAX_IDENTITY + 1];

                        eap_sanitize(who, sizeof(who), SLICE_OF(p->identity));
                        snprintf(p->prompt, sizeof(p->prompt), "%.60s for '%s'",
                                 ctx.prompt ? ctx.prompt : "Secret", who);
                }
                ret->secret_kind = p->secret_kind;
                ret->prompt = p->prompt;
                return EAP_ACTION_NEED_SECRET;
        case EAP_METHOD_FAIL:
                p->state = PEER_FAILURE;
                p->server_unproven = ctx.server_unproven;
                if (!p->reason[0])
                        snprintf(p->reason, sizeof(p->reason), "%s failed", label);
                if (wbuf_len(&w) > 0) {
                        memcpy(p->tx + RESPONSE_HEADER_LEN, p->scratch, wbuf_len(&w));
                        seal_response(p, identifier, p->ops->type, wbuf_len(&w));
                        ret->response = SLICE(p->tx, p->tx_len);
                }
                return EAP_ACTION_FAILURE;
        case EAP_METHOD_DROP:
        default:
                if (!p->reason[0])
                        snprintf(p->reason, sizeof(p->reason), "%s request ignored", label);
                return EAP_ACTION_DROP;
        }
}

static int handle_request(struct eap_peer *p, uint8_t identifier, struct rbuf *r, struct slice in,
                          struct eap_result *ret)
{
        char ours[32], theirs[32];
        struct slice type_data;
        uint8_t type, mine;

        if (p->state == PEER_NEED_SECRET) {
                if (p->have_last && identifier == p->last_id &&
                    slice_eq(in, SLICE(p->last_req, p->last_req_len))) {
                        ret->secret_kind = p->secret_kind;
                        ret->prompt = p->prompt;
                        return EAP_ACTION_NEED_SECRET;
                }
                return result_reason(p, EAP_ACTION_DROP,
                                     "request %u ignored: waiting for the secret to answer "
                                     "request %u",
                                     identifier, p->last_id);
        }

        /* RFC 3748 4.1: a duplicate gets our original response again,
         * without being processed again. */
        if (p->have_last && identifier == p->last_id) {
                if (!slice_eq(in, SLICE(p->last_req, p->last_req_len)))
                        return result_reason(p, EAP_ACTION_DROP,
                                             "request reuses identifier %u with different "
                                             "content (%zu bytes, first was %zu)",
                                             identifier, in.len, p->last_req_len);
                if (!p->last_answered)
                        return result_reason(p, EAP_ACTION_DROP,
                                             "repeated request %u was never answered",
                                             identifier);
                if (++p->rounds > p->max_rounds)
                        return result_reason(p, EAP_ACTION_FAILURE,
                                             "more than %u EAP requests: giving up",
                                             p->max_rounds);
                ret->response = SLICE(p->tx, p->tx_len);
                return EAP_ACTION_SEND;
        }

        if (rbuf_u8(r, &type) < 0)
                return result_reason(p, EAP_ACTION_DROP, "EAP-Request %u without a Type",
                                     identifier);
        type_data = rbuf_rest(r);

        if (++p->rounds > p->max_rounds)
                return result_reason(p, EAP_ACTION_FAILURE, "more than %u EAP requests: giving up",
                                     p->max_rounds);

        mine = p->ops->type;
        type_label(mine, ours);
        type_label(type, theirs);
        switch (type) {
        case EAP_TYPE_IDENTITY:
                /* RFC 3748 5.1: the Type-Data is a prompt we do not show. */
                return send_response(p, identifier, EAP_TYPE_IDENTITY, SLICE_OF(p->identity), in,
                                     ret);
        case EAP_TYPE_NOTIFICATION:
                /* RFC 3748 5.2: displayed to the user, acknowledged empty. */
                eap_sanitize(p->notification, sizeof(p->notification), type_data);
                ret->notification = p->notification;
                return send_response(p, identifier, EAP_TYPE_NOTIFICATION, SLICE(NULL, 0), in,
                                     ret);
        case EAP_TYPE_NAK:
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP-Request of type Nak: Nak is only a response");
        default:
                break;
        }
        if (type == mine)
                return run_method(p, identifier, type_data, in, ret);
        if (p->method)
                /* RFC 3748 7.8: no switching methods once one has begun;
                 * accepting it would allow a downgrade. */
                return result_reason(p, EAP_ACTION_FAILURE,
                                     "the server switched from %s to %s in the middle of the "
                                     "authentication",
                                     ours, theirs);
        if (++p->naks > MAX_NAKS)
                return result_reason(p, EAP_ACTION_FAILURE,
                                     "the server insists on %s; this profile allows only %s",
                                     theirs, ours);
        /* RFC 3748 5.3.1 legacy Nak listing the one method we are
         * configured for (also the answer to an Expanded Type, 5.3.2). */
        return send_response(p, identifier, EAP_TYPE_NAK, SLICE(&mine, 1), in, ret);
}

static int handle_success(struct eap_peer *p, uint8_t identifier, struct eap_result *ret)
{
        char label[32];

        type_label(p->ops->type, label);
        if (!p->method)
                return result_reason(p, EAP_ACTION_FAILURE,
                                     "EAP-Success before %s began: the server was never "
                                     "authenticated",
                                     label);
        if (p->state == PEER_NEED_SECRET)
                return result_reason(p, EAP_ACTION_FAILURE,
                                     "EAP-Success while %s was still waiting for the secret",
                                     label);
        /* RFC 3748 4.2, RFC 4137 4.1 (reqId == lastId) */
        if (identifier != p->last_id)
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP-Success with identifier %u, the last request was %u",
                                     identifier, p->last_id);
        if (!p->ops->is_complete(p->method))
                return result_reason(p, EAP_ACTION_FAILURE,
                                     "EAP-Success before %s completed: the server is not "
                                     "authenticated",
                                     label);
        if (p->ops->derives_msk) {
                if (p->ops->get_msk(p->method, p->msk) < 0)
                        return result_reason(p, EAP_ACTION_FAILURE,
                                             "%s completed without an MSK", label);
                p->have_msk = true;
        }
        p->state = PEER_SUCCESS;
        (void)ret;
        return EAP_ACTION_SUCCESS;
}

static int handle_failure(struct eap_peer *p)
{
        char label[32];

        type_label(p->ops->type, label);
        if (!p->method)
                return result_reason(p, EAP_ACTION_FAILURE,
                                     "EAP-Failure before %s began (identity rejected?)", label);
        return result_reason(p, EAP_ACTION_FAILURE, "the server rejected %s (EAP-Failure)", label);
}

static int process(struct eap_peer *p, struct slice in, struct eap_result *ret)
{
        uint8_t code, identifier;
        uint16_t length;
        struct rbuf r;

        switch (p->state) {
        case PEER_FAILURE:
                return EAP_ACTION_FAILURE; /* p->reason still says why */
        case PEER_SUCCESS:
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP packet after the authentication succeeded");
        default:
                break;
        }

        if (in.len > EAP_MAX_PACKET)
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP packet of %zu bytes is larger than the %d accepted",
                                     in.len, EAP_MAX_PACKET);
        rbuf_init(&r, in.ptr, in.len);
        if (rbuf_u8(&r, &code) < 0 || rbuf_u8(&r, &identifier) < 0 || rbuf_be16(&r, &length) < 0)
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP packet shorter than its header (%zu < %d bytes)",
                                     in.len, EAP_HEADER_LEN);
        if (length < EAP_HEADER_LEN)
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP Length field %u is shorter than the %d-byte header",
                                     length, EAP_HEADER_LEN);
        if (length != in.len)
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP Length field says %u bytes, the packet has %zu",
                                     length, in.len);

        switch (code) {
        case EAP_CODE_REQUEST:
                return handle_request(p, identifier, &r, in, ret);
        case EAP_CODE_SUCCESS:
                return handle_success(p, identifier, ret);
        case EAP_CODE_FAILURE:
                return handle_failure(p);
        case EAP_CODE_RESPONSE:
                return result_reason(p, EAP_ACTION_DROP,
                                     "EAP-Response (code 2) from the server: only peers send "
                                     "responses");
        default:
                return result_reason(p, EAP_ACTION_DROP, "unknown EAP code %u", code);
        }
}

static int finish(struct eap_peer *p, int action, struct eap_result *ret)
{
        if (action < 0) {
                /* Out of memory in the middle of a method: nothing sane can
                 * follow. */
                p->state = PEER_FAILURE;
                snprintf(p->reason, sizeof(p->reason), "%s", strerror(-action));
                return action;
        }
        ret->action = (enum eap_action)action;
        if (action == EAP_ACTION_FAILURE || action == EAP_ACTION_DROP)
                ret->reason = p->reason;
        if (action == EAP_ACTION_FAILURE)
                ret->server_unauthenticated = p->server_unproven;
        return 0;
}

int eap_peer_process(struct eap_peer *p, struct slice in, struct eap_result *ret)
{
        struct eap_result res = { 0 };
        int action;

        if (!p || !ret || (!in.ptr && in.len > 0))
                return -EINVAL;
        action = process(p, in, &res);
        if (action < 0)
                return finish(p, action, &res);
        finish(p, action, &res);
        *ret = res;
        return 0;
}

int eap_peer_resume(struct eap_peer *p, struct eap_result *ret)
{
        struct eap_result res = { 0 };
        struct slice in;
        struct rbuf r;
        uint8_t type;
        int action;

        if (!p || !ret)
                return -EINVAL;
        if (p->state != PEER_NEED_SECRET)
                return -EALREADY;
        if (!p->have_secret) {
                res.action = EAP_ACTION_NEED_SECRET;
                res.secret_kind = p->secret_kind;
                res.prompt = p->prompt;
                *ret = res;
                return 0;
        }
        /* The stored request was validated when it arrived: header, then
         * our Type, then its Type-Data. */
        p->state = PEER_RUNNING;
        in = SLICE(p->last_req, p->last_req_len);
        rbuf_init(&r, in.ptr, in.len);
        if (rbuf_skip(&r, EAP_HEADER_LEN) < 0 || rbuf_u8(&r, &type) < 0)
                return -EINVAL;
        action = run_method(p, p->last_id, rbuf_rest(&r), in, &res);
        if (action < 0)
                return finish(p, action, &res);
        finish(p, action, &res);
        *ret = res;
        return 0;
}

int eap_peer_msk(const struct eap_peer *p, struct slice *ret)
{
        if (!p || !ret)
                return -EINVAL;
        if (p->state != PEER_SUCCESS)
                return -EAGAIN;
        if (!p->have_msk)
                return -ENOKEY;
        *ret = SLICE(p->msk, EAP_MSK_LEN);
        return 0;
}

bool eap_peer_has_msk(const struct eap_peer *p)
{
        return p && p->ops->derives_msk;
}

bool eap_peer_method_completed(const struct eap_peer *p)
{
        return p && p->method && p->ops->is_complete(p->method);
}

uint8_t eap_peer_method(const struct eap_peer *p)
{
        return p ? p->ops->type : 0;
}
