/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Traffic Selector payloads TSi and TSr, RFC 7296 3.13.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A traffic selector (3.13.1):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +---------------+---------------+-------------------------------+
 * |           Start Port*         |           End Port*           |
 * +-------------------------------+-------------------------------+
 * ~                         Starting Address*                     ~
 * +---------------------------------------------------------------+
 * ~                         Ending Address*                       ~
 * +---------------------------------------------------------------+
 *
 * Addresses are 4 octets for TS_IPV4_ADDR_RANGE (length 16) and 16 for
 * TS_IPV6_ADDR_RANGE (length 40). Other TS types (Fibre Channel, security
 * labels) share only the first four octets; they are kept raw. Whether start
 * <= end is for the state machine to judge (start port 65535 and end port 0
 * means OPAQUE, 3.13.1).
 */
#include <errno.h>
#include <string.h>

#include "client/ike/codec.h"

#define TS_PAYLOAD_HEADER_LEN  4
#define TS_SELECTOR_HEADER_LEN 4
#define TS_IPV4_LEN            16
#define TS_IPV6_LEN            40

static const char *ts_name(uint8_t ptype)
{
        return ptype == IKEV2_PAYLOAD_TSi ? "TSi payload" : "TSr payload";
}

size_t ike_ts_addr_len(const struct ike_ts_selector *s)
{
        if (!s)
                return 0;
        switch (s->type) {
        case IKEV2_TS_IPV4_ADDR_RANGE:
                return 4;
        case IKEV2_TS_IPV6_ADDR_RANGE:
                return 16;
        default:
                return 0;
        }
}

static int selector_parse(struct ike_ts_selector *s, struct rbuf *r, uint8_t ptype, size_t i,
                          struct ike_error *err)
{
        size_t at = rbuf_pos(r), alen, want;
        uint16_t len;
        struct rbuf body;

        if (rbuf_left(r) < TS_SELECTOR_HEADER_LEN)
                return ike_syntax(err, ptype, at, "%s: selector %zu needs 4 octets, %zu left",
                                  ts_name(ptype), i, rbuf_left(r));
        (void)rbuf_u8(r, &s->type);
        (void)rbuf_u8(r, &s->ip_proto);
        (void)rbuf_be16(r, &len);
        if (len < TS_SELECTOR_HEADER_LEN)
                return ike_syntax(err, ptype, at + 2,
                                  "%s: selector %zu length %u < minimum %u", ts_name(ptype), i,
                                  len, TS_SELECTOR_HEADER_LEN);
        if ((size_t)(len - TS_SELECTOR_HEADER_LEN) > rbuf_left(r))
                return ike_syntax(err, ptype, at + 2,
                                  "%s: selector %zu length %u > %zu octets left",
                                  ts_name(ptype), i, len, rbuf_left(r) + TS_SELECTOR_HEADER_LEN);
        (void)rbuf_sub(r, len - TS_SELECTOR_HEADER_LEN, &body);
        alen = ike_ts_addr_len(s);
        if (alen == 0) {
                s->raw = rbuf_rest(&body);
                return 0;
        }
        want = alen == 4 ? TS_IPV4_LEN : TS_IPV6_LEN;
        if (len != want)
                return ike_syntax(err, ptype, at + 2, "%s: %s selector %zu length %u != %zu",
                                  ts_name(ptype), alen == 4 ? "IPv4" : "IPv6", i, len, want);
        (void)rbuf_be16(&body, &s->start_port);
        (void)rbuf_be16(&body, &s->end_port);
        (void)rbuf_copy(&body, s->start, alen);
        (void)rbuf_copy(&body, s->end, alen);
        return 0;
}

static int ts_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                    struct ike_error *err)
{
        struct ike_ts *ts = &p->u.ts;
        size_t at = rbuf_pos(r);
        uint8_t n;
        int k;

        (void)rbuf_u8(r, &n);
        (void)rbuf_copy(r, ts->reserved, sizeof(ts->reserved));
        if (n == 0)
                return ike_syntax(err, p->type, at, "%s: no traffic selectors",
                                  ts_name(p->type));
        if (n > IKE_TS_MAX)
                return ike_limit(err, p->type, at, "%s: %u traffic selectors > maximum %u",
                                 ts_name(p->type), n, IKE_TS_MAX);
        ts->sel = ike_arena_alloc_array(a, n, sizeof(*ts->sel));
        if (!ts->sel)
                return ike_nomem(err, p->type, at);
        for (size_t i = 0; i < n; i++) {
                k = selector_parse(&ts->sel[i], r, p->type, i + 1, err);
                if (k < 0)
                        return k;
        }
        ts->n = n;
        if (!rbuf_empty(r))
                return ike_syntax(err, p->type, rbuf_pos(r),
                                  "%s: %zu octets after its %u selectors", ts_name(p->type),
                                  rbuf_left(r), n);
        return 0;
}

static int selector_write(const struct ike_ts_selector *s, struct wbuf *w)
{
        size_t alen = ike_ts_addr_len(s);

        wbuf_u8(w, s->type);
        wbuf_u8(w, s->ip_proto);
        if (alen == 0) {
                if (s->raw.len > UINT16_MAX - TS_SELECTOR_HEADER_LEN)
                        return -EMSGSIZE;
                wbuf_be16(w, (uint16_t)(TS_SELECTOR_HEADER_LEN + s->raw.len));
                return wbuf_slice_put(w, s->raw);
        }
        wbuf_be16(w, alen == 4 ? TS_IPV4_LEN : TS_IPV6_LEN);
        wbuf_be16(w, s->start_port);
        wbuf_be16(w, s->end_port);
        wbuf_bytes(w, s->start, alen);
        return wbuf_bytes(w, s->end, alen);
}

static int ts_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_ts *ts = &p->u.ts;
        int k;

        if (ts->n == 0 || ts->n > UINT8_MAX || !ts->sel)
                return -EINVAL;
        wbuf_u8(w, (uint8_t)ts->n);
        wbuf_bytes(w, ts->reserved, sizeof(ts->reserved));
        for (size_t i = 0; i < ts->n; i++) {
                k = selector_write(&ts->sel[i], w);
                if (k < 0)
                        return k;
        }
        return wbuf_error(w);
}

const struct ike_payload_ops ike_tsi_ops = {
        .name = "TSi payload",
        .min_len = TS_PAYLOAD_HEADER_LEN + TS_SELECTOR_HEADER_LEN,
        .parse = ts_parse,
        .write = ts_write,
};

const struct ike_payload_ops ike_tsr_ops = {
        .name = "TSr payload",
        .min_len = TS_PAYLOAD_HEADER_LEN + TS_SELECTOR_HEADER_LEN,
        .parse = ts_parse,
        .write = ts_write,
};

struct ike_ts_selector ike_ts_selector_make(const uint8_t *start, const uint8_t *end,
                                            size_t addr_len, uint8_t ip_proto,
                                            uint16_t start_port, uint16_t end_port)
{
        struct ike_ts_selector s = { .ip_proto = ip_proto, .start_port = start_port,
                                     .end_port = end_port };

        if ((addr_len != 4 && addr_len != 16) || !start || !end)
                return (struct ike_ts_selector){ 0 }; /* type 0: rejected by the builder */
        s.type = addr_len == 4 ? IKEV2_TS_IPV4_ADDR_RANGE : IKEV2_TS_IPV6_ADDR_RANGE;
        memcpy(s.start, start, addr_len);
        memcpy(s.end, end, addr_len);
        return s;
}

int ike_chain_add_ts(struct ike_chain *c, uint8_t payload_type, const struct ike_ts_selector *sel,
                     size_t n)
{
        struct ike_ts_selector *copy;
        struct ike_payload *p;
        int k;

        if (!c || !sel || n == 0 ||
            (payload_type != IKEV2_PAYLOAD_TSi && payload_type != IKEV2_PAYLOAD_TSr))
                return -EINVAL;
        if (n > IKE_TS_MAX)
                return -E2BIG;
        copy = ike_arena_alloc_array(&c->arena, n, sizeof(*copy));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (sel[i].type == 0 ||
                    (ike_ts_addr_len(&sel[i]) == 0 &&
                     sel[i].raw.len > UINT16_MAX - TS_SELECTOR_HEADER_LEN))
                        return -EINVAL;
                copy[i] = sel[i];
                if (ike_arena_dup(&c->arena, sel[i].raw, &copy[i].raw) < 0)
                        return -ENOMEM;
        }
        k = ike_chain_push(c, payload_type, &p);
        if (k < 0)
                return k;
        p->u.ts = (struct ike_ts){ .sel = copy, .n = n };
        return 0;
}
