/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificate (RFC 7296 3.6) and Certificate Request (3.7) payloads.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~      Certificate Data  /  Certification Authority             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The certificate itself is parsed by the crypto layer; here only its size.
 */
#include <errno.h>

#include "client/ike/codec.h"

static int cert_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                      struct ike_error *err)
{
        struct ike_cert *cert = &p->u.cert;
        size_t at;

        (void)rbuf_u8(r, &cert->encoding);
        at = rbuf_pos(r);
        cert->data = rbuf_rest(r);
        if (cert->data.len > IKE_CERT_DATA_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_CERT, at,
                                 "CERT payload: certificate of %zu octets > maximum %u",
                                 cert->data.len, IKE_CERT_DATA_MAX);
        /* RFC 7296 3.6: Hash and URL encodings carry a 20-octet hash then a URL. */
        if ((cert->encoding == IKEV2_CERT_HASH_URL_X509 ||
             cert->encoding == IKEV2_CERT_HASH_URL_BUNDLE) &&
            cert->data.len <= IKE_CERTREQ_HASH_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_CERT, at,
                                  "CERT payload: Hash and URL of %zu octets <= hash length %u",
                                  cert->data.len, IKE_CERTREQ_HASH_LEN);
        return 0;
}

static int certreq_check(const struct ike_cert *cr, size_t at, struct ike_error *err)
{
        if (cr->data.len > IKE_CERTREQ_DATA_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_CERTREQ, at,
                                 "CERTREQ payload: %zu octets of authorities > maximum %u",
                                 cr->data.len, IKE_CERTREQ_DATA_MAX);
        /* RFC 7296 3.7: a concatenation of SHA-1 hashes of CA public keys. */
        if (cr->encoding == IKEV2_CERT_X509_SIGNATURE && cr->data.len % IKE_CERTREQ_HASH_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_CERTREQ, at,
                                  "CERTREQ payload: %zu octets of authorities not a multiple "
                                  "of %u",
                                  cr->data.len, IKE_CERTREQ_HASH_LEN);
        return 0;
}

static int certreq_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                         struct ike_error *err)
{
        struct ike_cert *cr = &p->u.cert;
        size_t at;

        (void)rbuf_u8(r, &cr->encoding);
        at = rbuf_pos(r);
        cr->data = rbuf_rest(r);
        return certreq_check(cr, at, err);
}

static int cert_write(const struct ike_payload *p, struct wbuf *w)
{
        wbuf_u8(w, p->u.cert.encoding);
        return wbuf_slice_put(w, p->u.cert.data);
}

const struct ike_payload_ops ike_cert_ops = {
        .name = "CERT payload",
        .min_len = 2, /* encoding and at least one octet */
        .parse = cert_parse,
        .write = cert_write,
};

const struct ike_payload_ops ike_certreq_ops = {
        .name = "CERTREQ payload",
        .min_len = 1,
        .parse = certreq_parse,
        .write = cert_write,
};

size_t ike_certreq_hash_count(const struct ike_cert *certreq)
{
        if (!certreq || certreq->encoding != IKEV2_CERT_X509_SIGNATURE)
                return 0;
        return certreq->data.len / IKE_CERTREQ_HASH_LEN;
}

struct slice ike_certreq_hash(const struct ike_cert *certreq, size_t i)
{
        if (i >= ike_certreq_hash_count(certreq))
                return (struct slice){ 0 };
        return SLICE(certreq->data.ptr + i * IKE_CERTREQ_HASH_LEN, IKE_CERTREQ_HASH_LEN);
}

static int add_cert(struct ike_chain *c, uint8_t type, uint8_t encoding, struct slice data)
{
        struct ike_payload *p;
        struct slice copy;
        int k;

        if (ike_arena_dup(&c->arena, data, &copy) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, type, &p);
        if (k < 0)
                return k;
        p->u.cert = (struct ike_cert){ .encoding = encoding, .data = copy };
        return 0;
}

int ike_chain_add_cert(struct ike_chain *c, uint8_t encoding, struct slice data)
{
        if (!c || data.len == 0)
                return -EINVAL;
        if (data.len > IKE_CERT_DATA_MAX)
                return -E2BIG;
        return add_cert(c, IKEV2_PAYLOAD_CERT, encoding, data);
}

int ike_chain_add_certreq(struct ike_chain *c, uint8_t encoding, struct slice authorities)
{
        struct ike_cert cr = { .encoding = encoding, .data = authorities };
        int k;

        if (!c)
                return -EINVAL;
        k = certreq_check(&cr, 0, NULL);
        if (k < 0)
                return k == -E2BIG ? k : -EINVAL;
        return add_cert(c, IKEV2_PAYLOAD_CERTREQ, encoding, authorities);
}
