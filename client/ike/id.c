/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Identification (RFC 7296 3.5) and Authentication (3.8) payloads.
 *
 * IDi / IDr:                           AUTH:
 * +---------------+-----------------+  +---------------+-----------------+
 * |   ID Type     |    RESERVED     |  | Auth Method   |    RESERVED     |
 * +---------------+-----------------+  +---------------+-----------------+
 * ~          Identification Data    ~  ~       Authentication Data      ~
 * +---------------------------------+  +---------------------------------+
 *   (the RESERVED field is 3 octets in both)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "client/ike/codec.h"

#define ID_HEADER_LEN   4
#define AUTH_HEADER_LEN 4

/* RFC 7296 3.5: addresses have their fixed sizes, other types are non-empty. */
static int id_check(const struct ike_id *id, size_t at, uint8_t ptype, struct ike_error *err)
{
        const char *name = ptype == IKEV2_PAYLOAD_IDi ? "IDi payload" : "IDr payload";
        size_t want = 0;

        if (id->data.len > IKE_ID_DATA_MAX)
                return ike_limit(err, ptype, at, "%s: %zu octets of data > maximum %u", name,
                                 id->data.len, IKE_ID_DATA_MAX);
        switch (id->type) {
        case IKEV2_ID_IPV4_ADDR:
                want = 4;
                break;
        case IKEV2_ID_IPV6_ADDR:
                want = 16;
                break;
        case IKEV2_ID_NULL:
                /* RFC 7619 3: the data is empty, but ignored on receipt. */
                return 0;
        default:
                break;
        }
        if (want && id->data.len != want)
                return ike_syntax(err, ptype, at, "%s: ID type %u with %zu octets of data != %zu",
                                  name, id->type, id->data.len, want);
        if (id->data.len == 0)
                return ike_syntax(err, ptype, at, "%s: ID type %u with no data", name,
                                  id->type);
        return 0;
}

static int id_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                    struct ike_error *err)
{
        struct ike_id *id = &p->u.id;
        size_t at;

        (void)rbuf_u8(r, &id->type);
        (void)rbuf_copy(r, id->reserved, sizeof(id->reserved));
        at = rbuf_pos(r);
        id->data = rbuf_rest(r);
        return id_check(id, at, p->type, err);
}

static int id_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_id *id = &p->u.id;

        wbuf_u8(w, id->type);
        wbuf_bytes(w, id->reserved, sizeof(id->reserved));
        return wbuf_slice_put(w, id->data);
}

const struct ike_payload_ops ike_idi_ops = {
        .name = "IDi payload",
        .min_len = ID_HEADER_LEN,
        .parse = id_parse,
        .write = id_write,
};

const struct ike_payload_ops ike_idr_ops = {
        .name = "IDr payload",
        .min_len = ID_HEADER_LEN,
        .parse = id_parse,
        .write = id_write,
};

static int digsig_split(struct slice data, size_t at, struct slice *ret_alg_id,
                        struct slice *ret_signature, struct ike_error *err);

static int auth_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                      struct ike_error *err)
{
        struct ike_auth *auth = &p->u.auth;
        size_t at;

        (void)rbuf_u8(r, &auth->method);
        (void)rbuf_copy(r, auth->reserved, sizeof(auth->reserved));
        at = rbuf_pos(r);
        auth->data = rbuf_rest(r);
        if (auth->data.len > IKE_AUTH_DATA_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_AUTH, at,
                                 "AUTH payload: %zu octets of data > maximum %u",
                                 auth->data.len, IKE_AUTH_DATA_MAX);
        if (auth->method == IKEV2_AUTH_DIGITAL_SIGNATURE) {
                struct slice alg, sig;

                return digsig_split(auth->data, at, &alg, &sig, err);
        }
        return 0;
}

static int auth_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_auth *auth = &p->u.auth;

        wbuf_u8(w, auth->method);
        wbuf_bytes(w, auth->reserved, sizeof(auth->reserved));
        return wbuf_slice_put(w, auth->data);
}

const struct ike_payload_ops ike_auth_ops = {
        .name = "AUTH payload",
        .min_len = AUTH_HEADER_LEN + 1,
        .parse = auth_parse,
        .write = auth_write,
};

/*
 * RFC 7427 3:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | ASN.1 Length  | AlgorithmIdentifier ASN.1 object              |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~        AlgorithmIdentifier ASN.1 object continuing            ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Signature Value                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int digsig_split(struct slice data, size_t at, struct slice *ret_alg_id,
                        struct slice *ret_signature, struct ike_error *err)
{
        size_t alg_len;

        if (data.len < 1)
                return ike_syntax(err, IKEV2_PAYLOAD_AUTH, at,
                                  "AUTH payload: digital signature without data");
        alg_len = data.ptr[0];
        if (alg_len == 0 || alg_len >= data.len - 1)
                return ike_syntax(err, IKEV2_PAYLOAD_AUTH, at,
                                  "AUTH payload: AlgorithmIdentifier length %zu leaves no room "
                                  "for a signature in %zu octets",
                                  alg_len, data.len - 1);
        *ret_alg_id = SLICE(data.ptr + 1, alg_len);
        *ret_signature = SLICE(data.ptr + 1 + alg_len, data.len - 1 - alg_len);
        return 0;
}

int ike_auth_digital_signature(const struct ike_auth *a, struct slice *ret_alg_id,
                               struct slice *ret_signature, struct ike_error *err)
{
        if (!a || !ret_alg_id || !ret_signature || a->method != IKEV2_AUTH_DIGITAL_SIGNATURE)
                return -EINVAL;
        return digsig_split(a->data, 0, ret_alg_id, ret_signature, err);
}

int ike_chain_add_id(struct ike_chain *c, uint8_t payload_type, uint8_t id_type,
                     struct slice data)
{
        struct ike_payload *p;
        struct ike_id id = { .type = id_type };
        int k;

        if (!c || (payload_type != IKEV2_PAYLOAD_IDi && payload_type != IKEV2_PAYLOAD_IDr))
                return -EINVAL;
        id.data = data;
        k = id_check(&id, 0, payload_type, NULL);
        if (k < 0)
                return k == -E2BIG ? k : -EINVAL;
        if (ike_arena_dup(&c->arena, data, &id.data) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, payload_type, &p);
        if (k < 0)
                return k;
        p->u.id = id;
        return 0;
}

int ike_chain_add_auth(struct ike_chain *c, uint8_t method, struct slice data)
{
        struct ike_payload *p;
        struct ike_auth auth = { .method = method, .data = data };
        struct slice alg, sig;
        int k;

        if (!c || data.len == 0)
                return -EINVAL;
        if (data.len > IKE_AUTH_DATA_MAX)
                return -E2BIG;
        if (method == IKEV2_AUTH_DIGITAL_SIGNATURE && digsig_split(data, 0, &alg, &sig, NULL) < 0)
                return -EINVAL;
        if (ike_arena_dup(&c->arena, data, &auth.data) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, IKEV2_PAYLOAD_AUTH, &p);
        if (k < 0)
                return k;
        p->u.auth = auth;
        return 0;
}

int ike_chain_add_auth_digital_signature(struct ike_chain *c, struct slice alg_id,
                                         struct slice signature)
{
        struct ike_payload *p;
        uint8_t *buf;
        size_t len;
        int k;

        if (!c || alg_id.len == 0 || alg_id.len > UINT8_MAX || signature.len == 0)
                return -EINVAL;
        if (signature.len > IKE_AUTH_DATA_MAX - 1 - alg_id.len)
                return -E2BIG;
        len = 1 + alg_id.len + signature.len;
        buf = ike_arena_alloc(&c->arena, len);
        if (!buf)
                return -ENOMEM;
        buf[0] = (uint8_t)alg_id.len;
        memcpy(buf + 1, alg_id.ptr, alg_id.len);
        memcpy(buf + 1 + alg_id.len, signature.ptr, signature.len);
        k = ike_chain_push(c, IKEV2_PAYLOAD_AUTH, &p);
        if (k < 0)
                return k;
        p->u.auth = (struct ike_auth){ .method = IKEV2_AUTH_DIGITAL_SIGNATURE,
                                       .data = SLICE(buf, len) };
        return 0;
}

/* ------------------------------------------------------------------ formatting for logs */

static void format_hex(char *buf, size_t size, const char *prefix, struct slice s)
{
        size_t off = 0;
        int n = snprintf(buf, size, "%s", prefix);

        if (n < 0 || (size_t)n >= size)
                return;
        off = (size_t)n;
        for (size_t i = 0; i < s.len; i++) {
                if (size - off < 3 + 4) { /* two digits + NUL, keep room for "..." */
                        if (size - off >= 4)
                                memcpy(buf + off, "...", 4);
                        return;
                }
                snprintf(buf + off, size - off, "%02x", s.ptr[i]);
                off += 2;
        }
}

static void format_text(char *buf, size_t size, struct slice s)
{
        size_t off = 0;

        for (size_t i = 0; i < s.len; i++) {
                uint8_t ch = s.ptr[i];
                size_t need = (ch >= 0x20 && ch < 0x7f && ch != '\\') ? 1 : 4;

                if (size - off < need + 4) {
                        memcpy(buf + off, "...", 3);
                        off += 3;
                        break;
                }
                if (need == 1)
                        buf[off++] = (char)ch;
                else
                        off += (size_t)snprintf(buf + off, size - off, "\\x%02x", ch);
        }
        buf[off] = '\0';
}

void ike_id_format(const struct ike_id *id, char *buf, size_t size)
{
        char prefix[16];

        if (!buf || size == 0)
                return;
        buf[0] = '\0';
        if (!id)
                return;
        if (size < 8) {
                snprintf(buf, size, "?");
                return;
        }
        switch (id->type) {
        case IKEV2_ID_IPV4_ADDR:
        case IKEV2_ID_IPV6_ADDR: {
                char text[INET6_ADDRSTRLEN];
                int af = id->type == IKEV2_ID_IPV4_ADDR ? AF_INET : AF_INET6;

                if (id->data.len == (af == AF_INET ? 4u : 16u) &&
                    inet_ntop(af, id->data.ptr, text, sizeof(text))) {
                        snprintf(buf, size, "%s", text);
                        return;
                }
                break;
        }
        case IKEV2_ID_FQDN:
        case IKEV2_ID_RFC822_ADDR:
                format_text(buf, size, id->data);
                return;
        case IKEV2_ID_NULL:
                snprintf(buf, size, "(null)");
                return;
        default:
                break;
        }
        snprintf(prefix, sizeof(prefix), "%u:", id->type);
        format_hex(buf, size, prefix, id->data);
}
