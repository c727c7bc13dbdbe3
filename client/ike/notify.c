/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Notify (RFC 7296 3.10), Delete (3.11) and Vendor ID (3.12) payloads, and
 * typed access to the notify data we act on.
 *
 * Notify:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Delete:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The notify data is only checked for its size here; its format depends on
 * the notify type and is checked by the ike_notify_*() accessors when the
 * state machine uses it.
 */
#include <errno.h>

#include "client/ike/codec.h"

#define NOTIFY_HEADER_LEN 4
#define DELETE_HEADER_LEN 4

static int notify_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                        struct ike_error *err)
{
        struct ike_notify *n = &p->u.notify;
        size_t at = rbuf_pos(r);
        uint8_t spi_size;

        (void)rbuf_u8(r, &n->protocol);
        (void)rbuf_u8(r, &spi_size);
        (void)rbuf_be16(r, &n->type);
        if (rbuf_slice(r, spi_size, &n->spi) < 0)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, at + 1,
                                  "Notify payload: SPI size %u > %zu octets left", spi_size,
                                  rbuf_left(r));
        if (rbuf_left(r) > IKE_NOTIFY_DATA_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_NOTIFY, rbuf_pos(r),
                                 "Notify payload: %zu octets of data > maximum %u",
                                 rbuf_left(r), IKE_NOTIFY_DATA_MAX);
        n->data = rbuf_rest(r);
        return 0;
}

static int notify_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_notify *n = &p->u.notify;

        if (n->spi.len > UINT8_MAX)
                return -EINVAL;
        wbuf_u8(w, n->protocol);
        wbuf_u8(w, (uint8_t)n->spi.len);
        wbuf_be16(w, n->type);
        wbuf_slice_put(w, n->spi);
        return wbuf_slice_put(w, n->data);
}

const struct ike_payload_ops ike_notify_ops = {
        .name = "Notify payload",
        .min_len = NOTIFY_HEADER_LEN,
        .parse = notify_parse,
        .write = notify_write,
};

/* RFC 7296 3.11: no SPI for IKE (it is in the header), 4 octets for ESP/AH. */
static int delete_check(uint8_t protocol, uint8_t spi_size, uint16_t n_spis, size_t at,
                        struct ike_error *err)
{
        switch (protocol) {
        case IKEV2_PROTO_IKE:
                if (spi_size != 0 || n_spis != 0)
                        return ike_syntax(err, IKEV2_PAYLOAD_DELETE, at,
                                          "Delete payload: IKE with SPI size %u and %u SPIs, "
                                          "expected 0 and 0",
                                          spi_size, n_spis);
                return 0;
        case IKEV2_PROTO_ESP:
        case IKEV2_PROTO_AH:
                if (spi_size != 4)
                        return ike_syntax(err, IKEV2_PAYLOAD_DELETE, at + 1,
                                          "Delete payload: SPI size %u != 4 for protocol %u",
                                          spi_size, protocol);
                if (n_spis > IKE_DELETE_SPIS_MAX)
                        return ike_limit(err, IKEV2_PAYLOAD_DELETE, at + 2,
                                         "Delete payload: %u SPIs > maximum %u", n_spis,
                                         IKE_DELETE_SPIS_MAX);
                return 0;
        default:
                return ike_syntax(err, IKEV2_PAYLOAD_DELETE, at,
                                  "Delete payload: unknown protocol %u", protocol);
        }
}

static int delete_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                        struct ike_error *err)
{
        struct ike_delete *d = &p->u.del;
        size_t at = rbuf_pos(r), want;
        int k;

        (void)rbuf_u8(r, &d->protocol);
        (void)rbuf_u8(r, &d->spi_size);
        (void)rbuf_be16(r, &d->n_spis);
        k = delete_check(d->protocol, d->spi_size, d->n_spis, at, err);
        if (k < 0)
                return k;
        want = (size_t)d->spi_size * d->n_spis; /* at most 255 * 65535 */
        if (want != rbuf_left(r))
                return ike_syntax(err, IKEV2_PAYLOAD_DELETE, at + 2,
                                  "Delete payload: %u SPIs of %u octets need %zu octets, %zu "
                                  "present",
                                  d->n_spis, d->spi_size, want, rbuf_left(r));
        d->spis = rbuf_rest(r);
        return 0;
}

static int delete_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_delete *d = &p->u.del;

        if (d->spis.len != (size_t)d->spi_size * d->n_spis)
                return -EINVAL;
        wbuf_u8(w, d->protocol);
        wbuf_u8(w, d->spi_size);
        wbuf_be16(w, d->n_spis);
        return wbuf_slice_put(w, d->spis);
}

const struct ike_payload_ops ike_delete_ops = {
        .name = "Delete payload",
        .min_len = DELETE_HEADER_LEN,
        .parse = delete_parse,
        .write = delete_write,
};

static int vendor_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                        struct ike_error *err)
{
        if (rbuf_left(r) > IKE_VENDOR_ID_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_VENDOR, rbuf_pos(r),
                                 "Vendor ID payload: %zu octets > maximum %u", rbuf_left(r),
                                 IKE_VENDOR_ID_MAX);
        p->u.vendor = rbuf_rest(r);
        return 0;
}

static int vendor_write(const struct ike_payload *p, struct wbuf *w)
{
        return wbuf_slice_put(w, p->u.vendor);
}

const struct ike_payload_ops ike_vendor_ops = {
        .name = "Vendor ID payload",
        .min_len = 1,
        .parse = vendor_parse,
        .write = vendor_write,
};

/* ------------------------------------------------------------------ builders */

int ike_chain_add_notify(struct ike_chain *c, uint8_t protocol, uint16_t type, struct slice spi,
                         struct slice data)
{
        struct ike_payload *p;
        struct ike_notify n = { .protocol = protocol, .type = type };
        int k;

        if (!c || spi.len > UINT8_MAX)
                return -EINVAL;
        if (data.len > IKE_NOTIFY_DATA_MAX)
                return -E2BIG;
        if (ike_arena_dup(&c->arena, spi, &n.spi) < 0 ||
            ike_arena_dup(&c->arena, data, &n.data) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, IKEV2_PAYLOAD_NOTIFY, &p);
        if (k < 0)
                return k;
        p->u.notify = n;
        return 0;
}

int ike_chain_add_delete(struct ike_chain *c, uint8_t protocol, uint8_t spi_size,
                         uint16_t n_spis, struct slice spis)
{
        struct ike_payload *p;
        struct ike_delete d = { .protocol = protocol, .spi_size = spi_size, .n_spis = n_spis };
        int k;

        if (!c)
                return -EINVAL;
        k = delete_check(protocol, spi_size, n_spis, 0, NULL);
        if (k < 0)
                return k == -E2BIG ? k : -EINVAL;
        if (spis.len != (size_t)spi_size * n_spis)
                return -EINVAL;
        if (ike_arena_dup(&c->arena, spis, &d.spis) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, IKEV2_PAYLOAD_DELETE, &p);
        if (k < 0)
                return k;
        p->u.del = d;
        return 0;
}

int ike_chain_add_vendor(struct ike_chain *c, struct slice vid)
{
        struct ike_payload *p;
        struct slice copy;
        int k;

        if (!c || vid.len == 0)
                return -EINVAL;
        if (vid.len > IKE_VENDOR_ID_MAX)
                return -E2BIG;
        if (ike_arena_dup(&c->arena, vid, &copy) < 0)
                return -ENOMEM;
        k = ike_chain_push(c, IKEV2_PAYLOAD_VENDOR, &p);
        if (k < 0)
                return k;
        p->u.vendor = copy;
        return 0;
}

uint32_t ike_delete_spi32(const struct ike_delete *d, size_t i)
{
        const uint8_t *q;

        if (!d || d->spi_size != 4 || i >= d->n_spis || d->spis.len < (i + 1) * 4)
                return 0;
        q = d->spis.ptr + i * 4;
        return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

/* ------------------------------------------------------------------ typed notify data */

static int notify_expect(const struct ike_notify *n, uint16_t type)
{
        return n && n->type == type ? 0 : -EINVAL;
}

int ike_notify_dh_group(const struct ike_notify *n, uint16_t *ret, struct ike_error *err)
{
        if (notify_expect(n, IKEV2_N_INVALID_KE_PAYLOAD) < 0 || !ret)
                return -EINVAL;
        if (n->data.len != 2)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 0,
                                  "INVALID_KE_PAYLOAD notify: %zu octets of data != 2",
                                  n->data.len);
        *ret = (uint16_t)(n->data.ptr[0] << 8 | n->data.ptr[1]);
        return 0;
}

int ike_notify_nat_detection(const struct ike_notify *n, struct slice *ret,
                             struct ike_error *err)
{
        if (!n || !ret || (n->type != IKEV2_N_NAT_DETECTION_SOURCE_IP &&
                           n->type != IKEV2_N_NAT_DETECTION_DESTINATION_IP))
                return -EINVAL;
        /* RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port) */
        if (n->data.len != 20)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 0,
                                  "NAT_DETECTION notify: %zu octets of data != 20", n->data.len);
        *ret = n->data;
        return 0;
}

int ike_notify_cookie(const struct ike_notify *n, struct slice *ret, struct ike_error *err)
{
        if (notify_expect(n, IKEV2_N_COOKIE) < 0 || !ret)
                return -EINVAL;
        /* RFC 7296 2.6: "between 1 and 64 octets" */
        if (n->data.len < 1 || n->data.len > 64)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 0,
                                  "COOKIE notify: %zu octets of data outside 1..64",
                                  n->data.len);
        *ret = n->data;
        return 0;
}

int ike_notify_hash_algorithms(const struct ike_notify *n, uint16_t *ret, size_t max,
                               size_t *ret_n, struct ike_error *err)
{
        size_t count;

        if (notify_expect(n, IKEV2_N_SIGNATURE_HASH_ALGORITHMS) < 0 || !ret_n ||
            (max > 0 && !ret))
                return -EINVAL;
        if (n->data.len % 2)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 0,
                                  "SIGNATURE_HASH_ALGORITHMS notify: odd data length %zu",
                                  n->data.len);
        count = n->data.len / 2;
        for (size_t i = 0; i < count && i < max; i++)
                ret[i] = (uint16_t)(n->data.ptr[2 * i] << 8 | n->data.ptr[2 * i + 1]);
        *ret_n = count;
        return 0;
}

/*
 * RFC 5685 8.1, REDIRECT notify data:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | GW Ident Type |  GW Ident Len |                               |
 * +---------------+---------------+                               |
 * ~                   New Responder GW Identity                   ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        Nonce Data                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ike_notify_redirect(const struct ike_notify *n, struct ike_redirect *ret,
                        struct ike_error *err)
{
        struct ike_redirect rd = { 0 };
        struct rbuf r;
        uint8_t len;

        if (notify_expect(n, IKEV2_N_REDIRECT) < 0 || !ret)
                return -EINVAL;
        rbuf_init(&r, n->data.ptr, n->data.len);
        if (rbuf_u8(&r, &rd.gw_type) < 0 || rbuf_u8(&r, &len) < 0)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 0,
                                  "REDIRECT notify: %zu octets of data < minimum 2",
                                  n->data.len);
        if (rbuf_slice(&r, len, &rd.gw) < 0)
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 1,
                                  "REDIRECT notify: gateway identity length %u > %zu octets "
                                  "left",
                                  len, rbuf_left(&r));
        switch (rd.gw_type) {
        case IKEV2_GW_IPV4:
        case IKEV2_GW_IPV6: {
                size_t want = rd.gw_type == IKEV2_GW_IPV4 ? 4 : 16;

                if (len != want)
                        return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 1,
                                          "REDIRECT notify: address length %u != %zu", len,
                                          want);
                break;
        }
        case IKEV2_GW_FQDN:
                if (len == 0)
                        return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 1,
                                          "REDIRECT notify: empty gateway FQDN");
                break;
        default:
                return ike_syntax(err, IKEV2_PAYLOAD_NOTIFY, 0,
                                  "REDIRECT notify: unknown gateway identity type %u",
                                  rd.gw_type);
        }
        rd.nonce = rbuf_rest(&r);
        *ret = rd;
        return 0;
}
