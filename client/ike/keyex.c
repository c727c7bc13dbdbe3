/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key Exchange (RFC 7296 3.4) and Nonce (3.9) payloads.
 *
 * KE:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +---------------+---------------+---------------+---------------+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +---------------+---------------+---------------+---------------+
 * ~                       Key Exchange Data                       ~
 * +---------------+---------------+---------------+---------------+
 *
 * Nonce: the generic header, then 16 to 256 octets of Nonce Data.
 */
#include <errno.h>

#include "client/ike/codec.h"

#define KE_HEADER_LEN 4

static int ke_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                    struct ike_error *err)
{
        struct ike_ke *ke = &p->u.ke;

        (void)rbuf_be16(r, &ke->group);
        (void)rbuf_be16(r, &ke->reserved);
        if (rbuf_left(r) > IKE_KE_DATA_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_KE, rbuf_pos(r),
                                 "KE payload: %zu octets of key exchange data > maximum %u",
                                 rbuf_left(r), IKE_KE_DATA_MAX);
        ke->data = rbuf_rest(r);
        return 0;
}

static int ke_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_ke *ke = &p->u.ke;

        wbuf_be16(w, ke->group);
        wbuf_be16(w, ke->reserved);
        return wbuf_slice_put(w, ke->data);
}

const struct ike_payload_ops ike_ke_ops = {
        .name = "KE payload",
        .min_len = KE_HEADER_LEN + 1, /* the data cannot be empty */
        .parse = ke_parse,
        .write = ke_write,
};

static int nonce_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                       struct ike_error *err)
{
        /* RFC 7296 3.9: at least 128 bits and at most 2048 bits. */
        if (rbuf_left(r) > IKE_NONCE_MAX)
                return ike_syntax(err, IKEV2_PAYLOAD_NONCE, rbuf_pos(r),
                                  "Nonce payload: nonce of %zu octets > maximum %u",
                                  rbuf_left(r), IKE_NONCE_MAX);
        p->u.nonce = rbuf_rest(r);
        return 0;
}

static int nonce_write(const struct ike_payload *p, struct wbuf *w)
{
        return wbuf_slice_put(w, p->u.nonce);
}

const struct ike_payload_ops ike_nonce_ops = {
        .name = "Nonce payload",
        .min_len = IKE_NONCE_MIN,
        .parse = nonce_parse,
        .write = nonce_write,
};

int ike_chain_add_ke(struct ike_chain *c, uint16_t group, struct slice data)
{
        struct ike_payload *p;
        struct slice copy;
        int k;

        if (!c || data.len == 0)
                return -EINVAL;
        if (data.len > IKE_KE_DATA_MAX)
                return -E2BIG;
        if (ike_arena_dup(&c->arena, data, &copy) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, IKEV2_PAYLOAD_KE, &p);
        if (k < 0)
                return k;
        p->u.ke = (struct ike_ke){ .group = group, .data = copy };
        return 0;
}

int ike_chain_add_nonce(struct ike_chain *c, struct slice nonce)
{
        struct ike_payload *p;
        struct slice copy;
        int k;

        if (!c || nonce.len < IKE_NONCE_MIN || nonce.len > IKE_NONCE_MAX)
                return -EINVAL;
        if (ike_arena_dup(&c->arena, nonce, &copy) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, IKEV2_PAYLOAD_NONCE, &p);
        if (k < 0)
                return k;
        p->u.nonce = copy;
        return 0;
}
