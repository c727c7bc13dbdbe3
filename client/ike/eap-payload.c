/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Extensible Authentication payload, RFC 7296 3.16: its body is one EAP
 * message (RFC 3748 4).
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      | Identifier    |           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      | Type_Data...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Type and Type_Data are present in Requests and Responses only. The EAP
 * Length must equal the payload body: an EAP message never shares a payload.
 */
#include <errno.h>

#include "client/ike/codec.h"

#define EAP_HEADER_LEN   4
#define EAP_EXPANDED_MIN 7 /* Vendor-Id (3) and Vendor-Type (4), RFC 3748 5.7 */

static int eap_check(struct slice msg, size_t at, struct ike_eap *ret, struct ike_error *err)
{
        struct ike_eap eap = { .msg = msg };
        struct rbuf r;
        uint16_t len;

        rbuf_init(&r, msg.ptr, msg.len);
        r.base = at;
        if (rbuf_left(&r) < EAP_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_EAP, at,
                                  "EAP payload: %zu octets < EAP header of 4", msg.len);
        (void)rbuf_u8(&r, &eap.code);
        (void)rbuf_u8(&r, &eap.identifier);
        (void)rbuf_be16(&r, &len);
        if (len != msg.len)
                return ike_syntax(err, IKEV2_PAYLOAD_EAP, at + 2,
                                  "EAP payload: EAP length %u != payload body %zu", len,
                                  msg.len);
        switch (eap.code) {
        case EAP_CODE_REQUEST:
        case EAP_CODE_RESPONSE:
                if (rbuf_u8(&r, &eap.type) < 0)
                        return ike_syntax(err, IKEV2_PAYLOAD_EAP, at + 2,
                                          "EAP payload: %s without a Type (length %u < 5)",
                                          eap.code == EAP_CODE_REQUEST ? "Request" : "Response",
                                          len);
                if (eap.type == EAP_TYPE_EXPANDED && rbuf_left(&r) < EAP_EXPANDED_MIN)
                        return ike_syntax(err, IKEV2_PAYLOAD_EAP, at + 4,
                                          "EAP payload: Expanded Type with %zu octets < %u",
                                          rbuf_left(&r), EAP_EXPANDED_MIN);
                eap.data = rbuf_rest(&r);
                break;
        case EAP_CODE_SUCCESS:
        case EAP_CODE_FAILURE:
                if (len != EAP_HEADER_LEN)
                        return ike_syntax(err, IKEV2_PAYLOAD_EAP, at + 2,
                                          "EAP payload: %s length %u != 4",
                                          eap.code == EAP_CODE_SUCCESS ? "Success" : "Failure",
                                          len);
                break;
        default:
                return ike_syntax(err, IKEV2_PAYLOAD_EAP, at, "EAP payload: unknown code %u",
                                  eap.code);
        }
        *ret = eap;
        return 0;
}

static int eap_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                     struct ike_error *err)
{
        size_t at = rbuf_pos(r);

        return eap_check(rbuf_rest(r), at, &p->u.eap, err);
}

static int eap_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_eap *eap = &p->u.eap;
        bool has_type = eap->code == EAP_CODE_REQUEST || eap->code == EAP_CODE_RESPONSE;
        size_t len = EAP_HEADER_LEN + (has_type ? 1 + eap->data.len : 0);

        if (len > IKE_PAYLOAD_BODY_MAX)
                return -EMSGSIZE;
        wbuf_u8(w, eap->code);
        wbuf_u8(w, eap->identifier);
        wbuf_be16(w, (uint16_t)len);
        if (has_type) {
                wbuf_u8(w, eap->type);
                wbuf_slice_put(w, eap->data);
        }
        return wbuf_error(w);
}

const struct ike_payload_ops ike_eap_ops = {
        .name = "EAP payload",
        .min_len = EAP_HEADER_LEN,
        .parse = eap_parse,
        .write = eap_write,
};

int ike_chain_add_eap(struct ike_chain *c, uint8_t code, uint8_t identifier, uint8_t type,
                      struct slice data)
{
        struct ike_eap eap = { .code = code, .identifier = identifier };
        struct ike_payload *p;
        int k;

        if (!c)
                return -EINVAL;
        switch (code) {
        case EAP_CODE_REQUEST:
        case EAP_CODE_RESPONSE:
                if (data.len > IKE_PAYLOAD_BODY_MAX - EAP_HEADER_LEN - 1)
                        return -EMSGSIZE;
                if (type == EAP_TYPE_EXPANDED && data.len < EAP_EXPANDED_MIN)
                        return -EINVAL;
                eap.type = type;
                if (ike_arena_dup(&c->arena, data, &eap.data) < 0)
                        return -ENOMEM;
                break;
        case EAP_CODE_SUCCESS:
        case EAP_CODE_FAILURE:
                if (type != 0 || data.len != 0)
                        return -EINVAL;
                break;
        default:
                return -EINVAL;
        }
        k = ike_chain_push(c, IKEV2_PAYLOAD_EAP, &p);
        if (k < 0)
                return k;
        p->u.eap = eap;
        return 0;
}

int ike_chain_add_eap_msg(struct ike_chain *c, struct slice msg)
{
        struct ike_eap eap;
        struct slice copy;
        struct ike_payload *p;
        int k;

        if (!c || msg.len > IKE_PAYLOAD_BODY_MAX)
                return -EINVAL;
        if (ike_arena_dup(&c->arena, msg, &copy) < 0)
                return -ENOMEM;
        if (eap_check(copy, 0, &eap, NULL) < 0)
                return -EINVAL;
        k = ike_chain_push(c, IKEV2_PAYLOAD_EAP, &p);
        if (k < 0)
                return k;
        p->u.eap = eap;
        return 0;
}
