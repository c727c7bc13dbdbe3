/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv2 messages: header, datagram demultiplexing on port 4500, whole
 * messages in and out. The wire format of the header is drawn in message.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/ike/codec.h"
#include "client/ike/message.h"

#define HDR_OFF_NEXT    16
#define HDR_OFF_VERSION 17
#define HDR_OFF_LENGTH  24
#define ESP_MIN_LEN     8 /* SPI and sequence number */

int ike_header_parse(struct slice bytes, struct ike_header *ret, struct ike_error *err)
{
        struct ike_header h;
        struct rbuf r;

        if (!ret)
                return -EINVAL;
        rbuf_init(&r, bytes.ptr, bytes.len);
        if (rbuf_left(&r) < IKEV2_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_NONE, 0,
                                  "IKE header: %zu octets < header length %u", bytes.len,
                                  IKEV2_HEADER_LEN);
        (void)rbuf_be64(&r, &h.spi_i);
        (void)rbuf_be64(&r, &h.spi_r);
        (void)rbuf_u8(&r, &h.next_payload);
        (void)rbuf_u8(&r, &h.version);
        (void)rbuf_u8(&r, &h.exchange);
        (void)rbuf_u8(&r, &h.flags);
        (void)rbuf_be32(&r, &h.message_id);
        (void)rbuf_be32(&r, &h.length);
        if (h.length < IKEV2_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_NONE, HDR_OFF_LENGTH,
                                  "IKE header: length %u < minimum %u", h.length,
                                  IKEV2_HEADER_LEN);
        *ret = h;
        return 0;
}

int ike_header_write(const struct ike_header *h, struct wbuf *w)
{
        if (!h)
                return -EINVAL;
        wbuf_be64(w, h->spi_i);
        wbuf_be64(w, h->spi_r);
        wbuf_u8(w, h->next_payload);
        wbuf_u8(w, h->version);
        wbuf_u8(w, h->exchange);
        wbuf_u8(w, h->flags);
        wbuf_be32(w, h->message_id);
        return wbuf_be32(w, h->length);
}

/* ------------------------------------------------------------------ UDP demultiplexing */

bool ike_is_natt_keepalive(struct slice d)
{
        return d.len == 1 && d.ptr[0] == IKEV2_NATT_KEEPALIVE;
}

static bool has_marker(struct slice d)
{
        static const uint8_t zero[IKEV2_NON_ESP_MARKER_LEN];

        return d.len >= IKEV2_NON_ESP_MARKER_LEN &&
               memcmp(d.ptr, zero, IKEV2_NON_ESP_MARKER_LEN) == 0;
}

int ike_non_esp_marker_strip(struct slice d, struct slice *ret_ike)
{
        if (!ret_ike || !has_marker(d))
                return -EBADMSG;
        *ret_ike = SLICE(d.ptr + IKEV2_NON_ESP_MARKER_LEN, d.len - IKEV2_NON_ESP_MARKER_LEN);
        return 0;
}

int ike_non_esp_marker_write(struct wbuf *w)
{
        return wbuf_zero(w, IKEV2_NON_ESP_MARKER_LEN);
}

enum ike_udp_kind ike_udp_classify(struct slice d, bool natt_port, struct slice *ret_ike)
{
        if (!natt_port) {
                if (d.len < IKEV2_HEADER_LEN)
                        return IKE_UDP_INVALID;
                if (ret_ike)
                        *ret_ike = d;
                return IKE_UDP_IKE;
        }
        if (ike_is_natt_keepalive(d))
                return IKE_UDP_KEEPALIVE;
        if (has_marker(d)) {
                if (d.len < IKEV2_NON_ESP_MARKER_LEN + IKEV2_HEADER_LEN)
                        return IKE_UDP_INVALID;
                if (ret_ike)
                        *ret_ike = SLICE(d.ptr + IKEV2_NON_ESP_MARKER_LEN,
                                         d.len - IKEV2_NON_ESP_MARKER_LEN);
                return IKE_UDP_IKE;
        }
        /* Not a marker, so the SPI is non-zero (RFC 4303 2.1: 0 is reserved). */
        return d.len >= ESP_MIN_LEN ? IKE_UDP_ESP : IKE_UDP_INVALID;
}

/* ------------------------------------------------------------------ messages */

int ike_message_new(struct ike_message **ret)
{
        struct ike_message *m;

        if (!ret)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->hdr.version = IKEV2_VERSION;
        *ret = m;
        return 0;
}

void ike_message_free(struct ike_message *m)
{
        if (!m)
                return;
        ike_chain_clear(&m->clear);
        ike_chain_clear(&m->inner);
        secure_free(m, sizeof(*m));
}

static const struct ike_payload *last_clear(const struct ike_message *m)
{
        return m && m->clear.n > 0 ? &m->clear.items[m->clear.n - 1] : NULL;
}

const struct ike_sk *ike_message_sk(const struct ike_message *m)
{
        const struct ike_payload *p = last_clear(m);

        if (p && (p->type == IKEV2_PAYLOAD_SK || p->type == IKEV2_PAYLOAD_SKF))
                return &p->u.sk;
        return NULL;
}

bool ike_message_is_fragment(const struct ike_message *m)
{
        const struct ike_payload *p = last_clear(m);

        return p && p->type == IKEV2_PAYLOAD_SKF;
}

int ike_message_parse(struct ike_message **ret, struct slice d, struct ike_error *err)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct ike_header h;
        int k;

        if (!ret)
                return -EINVAL;
        if (d.len > IKE_MESSAGE_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_NONE, 0,
                                 "IKE message: %zu octets > maximum %u", d.len, IKE_MESSAGE_MAX);
        k = ike_header_parse(d, &h, err);
        if (k < 0)
                return k;
        /* RFC 7296 3.1: a different major version is answered with
         * INVALID_MAJOR_VERSION, not parsed; the minor version is ignored. */
        if (h.version >> 4 != IKEV2_MAJOR_VERSION)
                return ike_err(err, -EPROTONOSUPPORT, IKEV2_N_INVALID_MAJOR_VERSION,
                               IKEV2_PAYLOAD_NONE, HDR_OFF_VERSION,
                               "IKE header: major version %u != %u", h.version >> 4,
                               IKEV2_MAJOR_VERSION);
        if (h.length != d.len)
                return ike_syntax(err, IKEV2_PAYLOAD_NONE, HDR_OFF_LENGTH,
                                  "IKE header: length %u != datagram length %zu", h.length,
                                  d.len);
        k = ike_message_new(&m);
        if (k < 0)
                return ike_nomem(err, IKEV2_PAYLOAD_NONE, 0);
        m->hdr = h;
        k = ike_chain_parse(&m->clear, h.next_payload,
                            SLICE(d.ptr + IKEV2_HEADER_LEN, d.len - IKEV2_HEADER_LEN),
                            IKEV2_HEADER_LEN, 0, err);
        if (k < 0)
                return k;
        m->raw = d;
        if (m->clear.n > 0) {
                struct ike_payload *p = &m->clear.items[m->clear.n - 1];

                if (p->type == IKEV2_PAYLOAD_SK || p->type == IKEV2_PAYLOAD_SKF)
                        /* Everything before the body: header, payloads, SK(F) header. */
                        p->u.sk.aad = SLICE(d.ptr, (size_t)(p->u.sk.body.ptr - d.ptr));
        }
        *ret = TAKE_PTR(m);
        return 0;
}

int ike_message_parse_inner(struct ike_message *m, uint8_t first, struct bytes *plaintext,
                            struct ike_error *err)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        int k;

        if (!m || !plaintext)
                return -EINVAL;
        k = ike_chain_parse_owned(&c, first, plaintext, 0, IKE_CHAIN_INNER, err);
        if (k < 0)
                return k;
        ike_chain_clear(&m->inner);
        ike_chain_move(&m->inner, &c);
        m->has_inner = true;
        return 0;
}

const struct ike_chain *ike_message_payloads(const struct ike_message *m)
{
        if (!m)
                return NULL;
        return m->has_inner ? &m->inner : &m->clear;
}

/* Writes the header with the given Next Payload and a placeholder Length. */
static int write_header(const struct ike_message *m, uint8_t next, struct wbuf *w,
                        size_t *ret_start)
{
        struct ike_header h = m->hdr;

        h.next_payload = next;
        h.length = 0;
        *ret_start = wbuf_len(w);
        return ike_header_write(&h, w);
}

static int fix_length(struct wbuf *w, size_t start)
{
        size_t len;

        if (wbuf_error(w))
                return wbuf_error(w);
        len = wbuf_len(w) - start;
        if (len > IKE_MESSAGE_MAX)
                return -EMSGSIZE;
        wbuf_set_be32(w, start + HDR_OFF_LENGTH, (uint32_t)len);
        return wbuf_error(w);
}

int ike_message_serialize(const struct ike_message *m, struct wbuf *w)
{
        size_t start;
        int k;

        if (!m || !w)
                return -EINVAL;
        if (m->inner.n > 0 && !ike_message_sk(m))
                return -EINVAL;
        write_header(m, ike_chain_first_type(&m->clear), w, &start);
        k = ike_chain_serialize(&m->clear, w);
        if (k < 0)
                return k;
        return fix_length(w, start);
}

/* Header, payloads in the clear, the SK/SKF generic header (and for SKF the
 * fragment fields); then body_len reserved octets. */
static int write_protected(const struct ike_message *m, uint8_t sk_type, uint8_t sk_next,
                           uint16_t frag_num, uint16_t frag_total, size_t body_len,
                           struct wbuf *w, size_t *ret_body_off)
{
        size_t start, sk_len, body_off;
        uint8_t first;
        int k;

        if (ike_message_sk(m))
                return -EINVAL; /* an SK payload in the clear chain already */
        sk_len = IKEV2_PAYLOAD_HEADER_LEN + (sk_type == IKEV2_PAYLOAD_SKF ? 4 : 0);
        if (body_len > UINT16_MAX - sk_len)
                return -EMSGSIZE;
        sk_len += body_len;
        first = m->clear.n > 0 ? ike_chain_first_type(&m->clear) : sk_type;
        write_header(m, first, w, &start);
        k = ike_chain_serialize_then(&m->clear, sk_type, w);
        if (k < 0)
                return k;
        wbuf_u8(w, sk_next);
        wbuf_u8(w, 0);
        wbuf_be16(w, (uint16_t)sk_len);
        if (sk_type == IKEV2_PAYLOAD_SKF) {
                wbuf_be16(w, frag_num);
                wbuf_be16(w, frag_total);
        }
        if (wbuf_reserve(w, body_len, &body_off) < 0)
                return wbuf_error(w);
        k = fix_length(w, start);
        if (k < 0)
                return k;
        *ret_body_off = body_off;
        return 0;
}

int ike_message_write_sk(const struct ike_message *m, size_t body_len, struct wbuf *w,
                         size_t *ret_body_off)
{
        if (!m || !w || !ret_body_off)
                return -EINVAL;
        return write_protected(m, IKEV2_PAYLOAD_SK, ike_chain_first_type(&m->inner), 0, 0,
                               body_len, w, ret_body_off);
}

int ike_message_write_skf(const struct ike_message *m, uint16_t frag_num, uint16_t frag_total,
                          size_t body_len, struct wbuf *w, size_t *ret_body_off)
{
        if (!m || !w || !ret_body_off || m->clear.n > 0 ||
            ike_skf_check(frag_num, frag_total) < 0)
                return -EINVAL;
        /* RFC 7383 2.5: the first inner payload's type in fragment 1 only. */
        return write_protected(m, IKEV2_PAYLOAD_SKF,
                               frag_num == 1 ? ike_chain_first_type(&m->inner) : 0, frag_num,
                               frag_total, body_len, w, ret_body_off);
}
