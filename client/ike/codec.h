/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to the IKE codec: the per-payload-type operations table and the
 * error helper. Not for users of the codec (they include payload.h,
 * message.h, rules.h).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "client/common/macro.h"
#include "client/common/rbuf.h"
#include "client/common/wbuf.h"
#include "client/ike/payload.h"

/*
 * One payload type's parser and serializer. parse() reads the payload body
 * (generic header already consumed) from r, which covers exactly the body and
 * knows its absolute position; it must consume all of it or fail. It
 * allocates from the chain's arena. write() writes the body only.
 */
struct ike_payload_ops {
        const char *name; /* "TS payload", for error texts */
        size_t min_len;   /* smallest body */
        int (*parse)(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                     struct ike_error *err);
        int (*write)(const struct ike_payload *p, struct wbuf *w);
};

extern const struct ike_payload_ops ike_sa_ops;
extern const struct ike_payload_ops ike_ke_ops;
extern const struct ike_payload_ops ike_idi_ops;
extern const struct ike_payload_ops ike_idr_ops;
extern const struct ike_payload_ops ike_cert_ops;
extern const struct ike_payload_ops ike_certreq_ops;
extern const struct ike_payload_ops ike_auth_ops;
extern const struct ike_payload_ops ike_nonce_ops;
extern const struct ike_payload_ops ike_notify_ops;
extern const struct ike_payload_ops ike_delete_ops;
extern const struct ike_payload_ops ike_vendor_ops;
extern const struct ike_payload_ops ike_tsi_ops;
extern const struct ike_payload_ops ike_tsr_ops;
extern const struct ike_payload_ops ike_sk_ops;
extern const struct ike_payload_ops ike_skf_ops;
extern const struct ike_payload_ops ike_cp_ops;
extern const struct ike_payload_ops ike_eap_ops;

/* The ops for a payload type we parse, or NULL (unknown: kept raw). */
const struct ike_payload_ops *ike_payload_ops_get(uint8_t type);

/*
 * Fills *err (when not NULL) and returns code. The text gets " at offset N"
 * appended. Used as: return ike_err(err, -EBADMSG, IKEV2_N_INVALID_SYNTAX,
 * type, off, "TS payload: ... %u != %u", a, b);
 */
_printf_(6, 7) int ike_err(struct ike_error *err, int code, uint16_t notify, uint8_t payload,
                           size_t offset, const char *fmt, ...);

/* Shorthand for the common case: malformed, answer INVALID_SYNTAX. */
#define ike_syntax(err, payload, offset, ...)                                                      \
        ike_err((err), -EBADMSG, IKEV2_N_INVALID_SYNTAX, (payload), (offset), __VA_ARGS__)
/* A limit of ours was exceeded. */
#define ike_limit(err, payload, offset, ...)                                                       \
        ike_err((err), -E2BIG, IKEV2_N_INVALID_SYNTAX, (payload), (offset), __VA_ARGS__)
#define ike_nomem(err, payload, offset)                                                            \
        ike_err((err), -ENOMEM, 0, (payload), (offset), "out of memory")

/* A body longer than a 16-bit payload length allows (65535 - 4). */
#define IKE_PAYLOAD_BODY_MAX (65535u - IKEV2_PAYLOAD_HEADER_LEN)

/* Writes a 16-bit length field reserved at off with the bytes written since
 * start; -EMSGSIZE if it does not fit. */
int ike_wbuf_fix_len16(struct wbuf *w, size_t off, size_t start);

/* For the per-type builders: appends a zeroed payload of type to c once
 * everything it points to is copied into c->arena. -E2BIG when full,
 * -ENOMEM. */
int ike_chain_push(struct ike_chain *c, uint8_t type, struct ike_payload **ret);

/* ike_chain_serialize() with `after` in the last payload's Next Payload field
 * (the SK payload that follows the payloads in the clear). */
int ike_chain_serialize_then(const struct ike_chain *c, uint8_t after, struct wbuf *w);

/* RFC 7383 2.5 fragment number and total: -EINVAL when invalid. */
int ike_skf_check(uint16_t frag_num, uint16_t frag_total);
