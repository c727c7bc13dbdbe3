/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Payload chains: the generic payload header loop, unknown and critical
 * payloads, the dispatch table to the per-type parsers, chain ownership.
 *
 * RFC 7296 3.2, generic payload header:
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +---------------+---------------+---------------+---------------+
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/ike/codec.h"

int ike_err(struct ike_error *err, int code, uint16_t notify, uint8_t payload, size_t offset,
            const char *fmt, ...)
{
        va_list ap;
        int n;

        if (!err)
                return code;
        *err = (struct ike_error){ .code = code, .notify = notify, .payload = payload,
                                   .offset = offset };
        va_start(ap, fmt);
        n = vsnprintf(err->what, sizeof(err->what), fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof(err->what))
                snprintf(err->what + n, sizeof(err->what) - (size_t)n, " at offset %zu", offset);
        return code;
}

int ike_wbuf_fix_len16(struct wbuf *w, size_t off, size_t start)
{
        size_t len;

        if (w->err)
                return w->err;
        len = w->len - start;
        if (len > UINT16_MAX) {
                w->err = -EMSGSIZE;
                return w->err;
        }
        wbuf_set_be16(w, off, (uint16_t)len);
        return w->err;
}

const struct ike_payload_ops *ike_payload_ops_get(uint8_t type)
{
        static const struct ike_payload_ops *const ops[] = {
                [IKEV2_PAYLOAD_SA] = &ike_sa_ops,
                [IKEV2_PAYLOAD_KE] = &ike_ke_ops,
                [IKEV2_PAYLOAD_IDi] = &ike_idi_ops,
                [IKEV2_PAYLOAD_IDr] = &ike_idr_ops,
                [IKEV2_PAYLOAD_CERT] = &ike_cert_ops,
                [IKEV2_PAYLOAD_CERTREQ] = &ike_certreq_ops,
                [IKEV2_PAYLOAD_AUTH] = &ike_auth_ops,
                [IKEV2_PAYLOAD_NONCE] = &ike_nonce_ops,
                [IKEV2_PAYLOAD_NOTIFY] = &ike_notify_ops,
                [IKEV2_PAYLOAD_DELETE] = &ike_delete_ops,
                [IKEV2_PAYLOAD_VENDOR] = &ike_vendor_ops,
                [IKEV2_PAYLOAD_TSi] = &ike_tsi_ops,
                [IKEV2_PAYLOAD_TSr] = &ike_tsr_ops,
                [IKEV2_PAYLOAD_SK] = &ike_sk_ops,
                [IKEV2_PAYLOAD_CP] = &ike_cp_ops,
                [IKEV2_PAYLOAD_EAP] = &ike_eap_ops,
                [IKEV2_PAYLOAD_SKF] = &ike_skf_ops,
        };

        return type < ARRAY_SIZE(ops) ? ops[type] : NULL;
}

static bool is_encrypted_type(uint8_t type)
{
        return type == IKEV2_PAYLOAD_SK || type == IKEV2_PAYLOAD_SKF;
}

static bool is_ikev1_type(uint8_t type)
{
        return type >= IKEV1_PAYLOAD_FIRST && type <= IKEV1_PAYLOAD_LAST;
}

/* ------------------------------------------------------------------ ownership */

void ike_chain_clear(struct ike_chain *c)
{
        if (!c)
                return;
        ike_arena_free(&c->arena);
        *c = IKE_CHAIN_INIT;
}

void ike_chain_move(struct ike_chain *dst, struct ike_chain *src)
{
        *dst = *src;
        *src = IKE_CHAIN_INIT;
}

/* Appends a zeroed payload; -E2BIG when the chain is full. */
static int chain_push(struct ike_chain *c, uint8_t type, struct ike_payload **ret)
{
        if (c->n >= IKE_PAYLOADS_MAX)
                return -E2BIG;
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 8;
                struct ike_payload *items;

                if (cap > IKE_PAYLOADS_MAX)
                        cap = IKE_PAYLOADS_MAX;
                /* The old array stays in the arena: at most as much again. */
                items = ike_arena_alloc_array(&c->arena, cap, sizeof(*items));
                if (!items)
                        return -ENOMEM;
                if (c->n > 0)
                        memcpy(items, c->items, c->n * sizeof(*items));
                c->items = items;
                c->cap = cap;
        }
        *ret = &c->items[c->n++];
        **ret = (struct ike_payload){ .type = type };
        return 0;
}

struct ike_payload *ike_chain_append(struct ike_chain *c, uint8_t type)
{
        struct ike_payload *p;

        if (!c || chain_push(c, type, &p) < 0)
                return NULL;
        return p;
}

/* ------------------------------------------------------------------ parsing */

static int parse_one(struct ike_chain *c, uint8_t type, struct rbuf *r, unsigned flags,
                     uint8_t *ret_next, struct ike_error *err)
{
        const struct ike_payload_ops *ops = ike_payload_ops_get(type);
        const char *name = ops ? ops->name : "payload";
        size_t at = rbuf_pos(r);
        struct ike_payload *p;
        uint8_t next, bits;
        uint16_t len;
        struct rbuf body;
        int k;

        if (is_ikev1_type(type))
                return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, type, at,
                               "payload chain: IKEv1 payload type %u in an IKEv2 message", type);
        if (rbuf_left(r) < IKEV2_PAYLOAD_HEADER_LEN)
                return ike_syntax(err, type, at,
                                  "%s (type %u): header needs 4 octets, %zu left", name, type,
                                  rbuf_left(r));
        (void)rbuf_u8(r, &next);
        (void)rbuf_u8(r, &bits);
        (void)rbuf_be16(r, &len);
        if (len < IKEV2_PAYLOAD_HEADER_LEN)
                return ike_syntax(err, type, at + 2, "%s: length %u < minimum %u", name, len,
                                  IKEV2_PAYLOAD_HEADER_LEN);
        if ((size_t)(len - IKEV2_PAYLOAD_HEADER_LEN) > rbuf_left(r))
                return ike_syntax(err, type, at + 2, "%s: length %u > %zu octets left", name,
                                  len, rbuf_left(r) + IKEV2_PAYLOAD_HEADER_LEN);
        if (!ops && (bits & IKEV2_PAYLOAD_CRITICAL))
                /* RFC 7296 2.5: reject the message, answer with the type. */
                return ike_err(err, -EOPNOTSUPP, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, type, at,
                               "payload chain: unsupported critical payload type %u", type);
        if (ops && (size_t)(len - IKEV2_PAYLOAD_HEADER_LEN) < ops->min_len)
                return ike_syntax(err, type, at + 2, "%s: length %u < minimum %zu", name, len,
                                  ops->min_len + IKEV2_PAYLOAD_HEADER_LEN);
        if (is_encrypted_type(type) && (flags & IKE_CHAIN_INNER))
                return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, type, at,
                               "%s inside an encrypted payload", name);
        k = chain_push(c, type, &p);
        if (k == -E2BIG)
                return ike_limit(err, type, at, "payload chain: more than %u payloads",
                                 IKE_PAYLOADS_MAX);
        if (k < 0)
                return ike_nomem(err, type, at);
        p->critical = (bits & IKEV2_PAYLOAD_CRITICAL) != 0;
        p->reserved = bits & (uint8_t)~IKEV2_PAYLOAD_CRITICAL;
        p->offset = at;

        (void)rbuf_sub(r, len - IKEV2_PAYLOAD_HEADER_LEN, &body);
        if (!ops) {
                /* RFC 7296 2.5: skip it, but keep it for a byte-exact copy. */
                p->u.raw = rbuf_rest(&body);
        } else {
                k = ops->parse(&c->arena, p, &body, err);
                if (k < 0)
                        return k;
                if (!rbuf_empty(&body))
                        return ike_syntax(err, type, rbuf_pos(&body),
                                          "%s: %zu octets after its contents", name,
                                          rbuf_left(&body));
        }
        if (is_encrypted_type(type))
                p->u.sk.next = next;
        *ret_next = next;
        return 0;
}

static int chain_parse(struct ike_chain *c, uint8_t first, struct slice bytes, size_t base,
                       unsigned flags, struct ike_error *err)
{
        struct rbuf r;
        uint8_t type = first;
        int k;

        rbuf_init(&r, bytes.ptr, bytes.len);
        r.base = base;
        if (bytes.len > IKE_CHAIN_MAX)
                return ike_limit(err, first, base, "payload chain: %zu octets > maximum %u",
                                 bytes.len, IKE_CHAIN_MAX);
        while (type != IKEV2_PAYLOAD_NONE) {
                uint8_t next = IKEV2_PAYLOAD_NONE;
                size_t at = rbuf_pos(&r);

                k = parse_one(c, type, &r, flags, &next, err);
                if (k < 0)
                        return k;
                if (is_encrypted_type(type)) {
                        /* RFC 7296 3.14, RFC 7383 2.5: the Encrypted (Fragment)
                         * payload is the last one; its Next Payload field names
                         * the first payload inside. */
                        if (!rbuf_empty(&r))
                                return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, type, at,
                                               "%s: %zu octets follow it, it must be last",
                                               ike_payload_ops_get(type)->name, rbuf_left(&r));
                        return 0;
                }
                type = next;
        }
        if (!rbuf_empty(&r))
                return ike_syntax(err, IKEV2_PAYLOAD_NONE, rbuf_pos(&r),
                                  "payload chain: %zu octets after the last payload",
                                  rbuf_left(&r));
        return 0;
}

int ike_chain_parse(struct ike_chain *ret, uint8_t first, struct slice bytes, size_t base,
                    unsigned flags, struct ike_error *err)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        int k;

        if (!ret)
                return -EINVAL;
        k = chain_parse(&c, first, bytes, base, flags, err);
        if (k < 0) {
                ike_chain_clear(&c);
                return k;
        }
        ike_chain_move(ret, &c);
        return 0;
}

int ike_chain_parse_owned(struct ike_chain *ret, uint8_t first, struct bytes *bytes,
                          size_t base, unsigned flags, struct ike_error *err)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        int k;

        if (!ret || !bytes)
                return -EINVAL;
        k = chain_parse(&c, first, SLICE_OF(*bytes), base, flags, err);
        if (k >= 0 && ike_arena_adopt(&c.arena, bytes) < 0)
                k = ike_nomem(err, first, base);
        if (k < 0) {
                ike_chain_clear(&c);
                return k;
        }
        ike_chain_move(ret, &c);
        return 0;
}

/* ------------------------------------------------------------------ serializing */

int ike_payload_serialize_body(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_payload_ops *ops;

        if (!p || p->type == IKEV2_PAYLOAD_NONE || is_ikev1_type(p->type))
                return -EINVAL;
        ops = ike_payload_ops_get(p->type);
        if (!ops)
                return wbuf_slice_put(w, p->u.raw);
        return ops->write(p, w);
}

int ike_chain_serialize(const struct ike_chain *c, struct wbuf *w)
{
        return ike_chain_serialize_then(c, IKEV2_PAYLOAD_NONE, w);
}

int ike_chain_serialize_then(const struct ike_chain *c, uint8_t after, struct wbuf *w)
{
        if (!c)
                return -EINVAL;
        for (size_t i = 0; i < c->n; i++) {
                const struct ike_payload *p = &c->items[i];
                size_t start = wbuf_len(w), len_off;
                uint8_t next = IKEV2_PAYLOAD_NONE;
                int k;

                if (is_encrypted_type(p->type)) {
                        if (i + 1 != c->n)
                                return -EINVAL;
                        next = p->u.sk.next;
                } else {
                        next = i + 1 < c->n ? c->items[i + 1].type : after;
                }
                if (p->reserved & IKEV2_PAYLOAD_CRITICAL)
                        return -EINVAL;
                wbuf_u8(w, next);
                wbuf_u8(w, (uint8_t)((p->critical ? IKEV2_PAYLOAD_CRITICAL : 0) | p->reserved));
                if (wbuf_reserve(w, 2, &len_off) < 0)
                        return wbuf_error(w);
                k = ike_payload_serialize_body(p, w);
                if (k < 0)
                        return k;
                k = ike_wbuf_fix_len16(w, len_off, start);
                if (k < 0)
                        return k;
        }
        return wbuf_error(w);
}

uint8_t ike_chain_first_type(const struct ike_chain *c)
{
        return c && c->n > 0 ? c->items[0].type : IKEV2_PAYLOAD_NONE;
}

/* ------------------------------------------------------------------ lookups */

const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type, size_t from)
{
        if (!c)
                return NULL;
        for (size_t i = from; i < c->n; i++)
                if (c->items[i].type == type)
                        return &c->items[i];
        return NULL;
}

size_t ike_chain_count(const struct ike_chain *c, uint8_t type)
{
        size_t n = 0;

        if (!c)
                return 0;
        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].type == type)
                        n++;
        return n;
}

const struct ike_notify *ike_chain_find_notify(const struct ike_chain *c, uint16_t notify_type)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].type == IKEV2_PAYLOAD_NOTIFY &&
                    c->items[i].u.notify.type == notify_type)
                        return &c->items[i].u.notify;
        return NULL;
}

const struct ike_notify *ike_chain_find_error_notify(const struct ike_chain *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].type == IKEV2_PAYLOAD_NOTIFY &&
                    c->items[i].u.notify.type <= IKEV2_N_ERROR_MAX)
                        return &c->items[i].u.notify;
        return NULL;
}

/* ------------------------------------------------------------------ builders (shared) */

int ike_chain_push(struct ike_chain *c, uint8_t type, struct ike_payload **ret)
{
        if (!c)
                return -EINVAL;
        return chain_push(c, type, ret);
}
