/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Encrypted payload SK (RFC 7296 3.14) and the Encrypted Fragment payload
 * SKF (RFC 7383 2.5), as far as the codec sees them: the body is handed to
 * the SK layer (client/ike/sk.*) as it is, and its decrypted plaintext comes
 * back as a payload chain (ike_chain_parse(), ike_message_parse_inner()).
 *
 * SK:                                   SKF:
 * +---------------+-+-------------+---------------------------------+
 * | Next Payload  |C|  RESERVED   |         Payload Length          |
 * +---------------+-+-------------+---------------------------------+
 * |                               |  Fragment Number | Total Frags  | (SKF only)
 * +---------------------------------------------------------------- +
 * |                 Initialization Vector                           |
 * ~                 Encrypted content (payloads, padding, pad len)  ~
 * ~                 Integrity Checksum Data                         ~
 * +-----------------------------------------------------------------+
 *
 * The Next Payload field is the type of the first payload inside (for SKF,
 * in the first fragment; 0 in the others); chain.c stores it in sk.next.
 */
#include <errno.h>

#include "client/ike/codec.h"

#define SKF_HEADER_LEN 4

static int sk_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                    struct ike_error *err)
{
        p->u.sk = (struct ike_sk){ .body = rbuf_rest(r) };
        return 0;
}

static int sk_write(const struct ike_payload *p, struct wbuf *w)
{
        return wbuf_slice_put(w, p->u.sk.body);
}

const struct ike_payload_ops ike_sk_ops = {
        .name = "SK payload",
        .min_len = 0,
        .parse = sk_parse,
        .write = sk_write,
};

static int skf_check(uint16_t num, uint16_t total, size_t at, struct ike_error *err)
{
        /* RFC 7383 2.5: both non-zero, number <= total. */
        if (num == 0 || total == 0)
                return ike_syntax(err, IKEV2_PAYLOAD_SKF, at,
                                  "SKF payload: fragment %u of %u, zero is invalid", num, total);
        if (num > total)
                return ike_syntax(err, IKEV2_PAYLOAD_SKF, at,
                                  "SKF payload: fragment number %u > total %u", num, total);
        if (total > IKE_FRAGMENTS_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_SKF, at + 2,
                                 "SKF payload: %u fragments > maximum %u", total,
                                 IKE_FRAGMENTS_MAX);
        return 0;
}

static int skf_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                     struct ike_error *err)
{
        struct ike_sk *sk = &p->u.sk;
        size_t at = rbuf_pos(r);

        *sk = (struct ike_sk){ 0 };
        (void)rbuf_be16(r, &sk->frag_num);
        (void)rbuf_be16(r, &sk->frag_total);
        sk->body = rbuf_rest(r);
        return skf_check(sk->frag_num, sk->frag_total, at, err);
}

static int skf_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_sk *sk = &p->u.sk;

        wbuf_be16(w, sk->frag_num);
        wbuf_be16(w, sk->frag_total);
        return wbuf_slice_put(w, sk->body);
}

const struct ike_payload_ops ike_skf_ops = {
        .name = "SKF payload",
        .min_len = SKF_HEADER_LEN,
        .parse = skf_parse,
        .write = skf_write,
};

int ike_skf_check(uint16_t frag_num, uint16_t frag_total)
{
        return skf_check(frag_num, frag_total, 0, NULL) < 0 ? -EINVAL : 0;
}
