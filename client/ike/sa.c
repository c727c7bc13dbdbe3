/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Security Association payload, RFC 7296 3.3: proposals, transforms,
 * transform attributes.
 *
 * Proposal substructure (3.3.1):
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Transform substructure (3.3.2):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Transform attribute (3.3.5):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Last Substruc, the lengths and Num Transforms are recomputed on output, so
 * they are checked strictly on input.
 */
#include <errno.h>
#include <string.h>

#include "client/ike/codec.h"

#define PROPOSAL_HEADER_LEN  8
#define TRANSFORM_HEADER_LEN 8
#define ATTR_HEADER_LEN      4
#define LAST_PROPOSAL_MORE   2
#define LAST_TRANSFORM_MORE  3

/* A bounded first pass over substructures "len at offset 2" that only counts
 * them; the parsing pass that follows reports any inconsistency precisely. */
static size_t count_substructs(struct rbuf r, size_t min_len, size_t limit)
{
        size_t n = 0;

        while (rbuf_left(&r) >= 4 && n <= limit) {
                uint16_t len;
                struct rbuf hdr = r;

                (void)rbuf_skip(&hdr, 2);
                (void)rbuf_be16(&hdr, &len);
                if (len < min_len || len > rbuf_left(&r))
                        break;
                (void)rbuf_skip(&r, len);
                n++;
        }
        return n;
}

static int attrs_parse(struct ike_arena *a, struct ike_transform *t, struct rbuf *r,
                       size_t pi, size_t ti, struct ike_error *err)
{
        size_t n_total = 0, cap;
        struct rbuf scan = *r;
        bool have_key_length = false;

        /* Count attributes (TV: 4 octets, TLV: 4 + length). */
        while (rbuf_left(&scan) >= ATTR_HEADER_LEN && n_total <= IKE_ATTRIBUTES_MAX) {
                uint16_t af_type, len;

                (void)rbuf_be16(&scan, &af_type);
                (void)rbuf_be16(&scan, &len);
                if (!(af_type & IKEV2_ATTR_FORMAT_TV) && rbuf_skip(&scan, len) < 0)
                        break;
                n_total++;
        }
        if (n_total > IKE_ATTRIBUTES_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_SA, rbuf_pos(r),
                                 "SA payload: proposal %zu transform %zu has more than %u "
                                 "attributes",
                                 pi, ti, IKE_ATTRIBUTES_MAX);
        cap = n_total;
        t->attrs = cap ? ike_arena_alloc_array(a, cap, sizeof(*t->attrs)) : NULL;
        if (cap && !t->attrs)
                return ike_nomem(err, IKEV2_PAYLOAD_SA, rbuf_pos(r));

        while (!rbuf_empty(r)) {
                size_t at = rbuf_pos(r);
                uint16_t af_type, v;
                struct ike_attr attr = { 0 };

                if (rbuf_left(r) < ATTR_HEADER_LEN)
                        return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                          "SA payload: proposal %zu transform %zu: attribute "
                                          "needs 4 octets, %zu left",
                                          pi, ti, rbuf_left(r));
                (void)rbuf_be16(r, &af_type);
                (void)rbuf_be16(r, &v);
                attr.type = af_type & (uint16_t)~IKEV2_ATTR_FORMAT_TV;
                attr.tv = (af_type & IKEV2_ATTR_FORMAT_TV) != 0;
                if (attr.tv) {
                        attr.tv_value = v;
                } else if (rbuf_slice(r, v, &attr.tlv_value) < 0) {
                        return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 2,
                                          "SA payload: proposal %zu transform %zu: attribute "
                                          "length %u > %zu octets left",
                                          pi, ti, v, rbuf_left(r));
                }
                if (attr.type == IKEV2_ATTR_KEY_LENGTH) {
                        /* RFC 7296 3.3.5: Key Length is TV, in bits. */
                        if (!attr.tv)
                                return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                                  "SA payload: proposal %zu transform %zu: Key "
                                                  "Length attribute in TLV format",
                                                  pi, ti);
                        if (have_key_length)
                                return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                                  "SA payload: proposal %zu transform %zu: "
                                                  "second Key Length attribute",
                                                  pi, ti);
                        if (attr.tv_value == 0)
                                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 2,
                                                  "SA payload: proposal %zu transform %zu: Key "
                                                  "Length 0",
                                                  pi, ti);
                        have_key_length = true;
                        t->key_length = attr.tv_value;
                        t->key_length_pos = (uint8_t)t->n_attrs;
                        continue;
                }
                if (t->n_attrs >= cap) /* cannot happen: counted above */
                        return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                          "SA payload: attribute count changed");
                t->attrs[t->n_attrs++] = attr;
        }
        return 0;
}

static int transform_parse(struct ike_arena *a, struct ike_transform *t, struct rbuf *r,
                           size_t pi, size_t ti, bool last, struct ike_error *err)
{
        size_t at = rbuf_pos(r);
        uint8_t more, expect = last ? 0 : LAST_TRANSFORM_MORE;
        uint16_t len;
        struct rbuf body;

        if (rbuf_left(r) < TRANSFORM_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                  "SA payload: proposal %zu transform %zu needs 8 octets, %zu "
                                  "left",
                                  pi, ti, rbuf_left(r));
        (void)rbuf_u8(r, &more);
        (void)rbuf_u8(r, &t->reserved[0]);
        (void)rbuf_be16(r, &len);
        (void)rbuf_u8(r, &t->type);
        (void)rbuf_u8(r, &t->reserved[1]);
        (void)rbuf_be16(r, &t->id);
        if (more != expect)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                  "SA payload: proposal %zu transform %zu: Last Substruc %u, "
                                  "expected %u",
                                  pi, ti, more, expect);
        if (len < TRANSFORM_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 2,
                                  "SA payload: proposal %zu transform %zu: length %u < minimum "
                                  "%u",
                                  pi, ti, len, TRANSFORM_HEADER_LEN);
        if ((size_t)(len - TRANSFORM_HEADER_LEN) > rbuf_left(r))
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 2,
                                  "SA payload: proposal %zu transform %zu: length %u > %zu "
                                  "octets left",
                                  pi, ti, len, rbuf_left(r) + TRANSFORM_HEADER_LEN);
        (void)rbuf_sub(r, len - TRANSFORM_HEADER_LEN, &body);
        return attrs_parse(a, t, &body, pi, ti, err);
}

static int proposal_parse(struct ike_arena *a, struct ike_proposal *prop, struct rbuf *r,
                          size_t pi, struct ike_error *err)
{
        size_t at = rbuf_pos(r);
        uint8_t more, spi_size, n_transforms, expect;
        uint16_t len;
        struct rbuf body;
        int k;

        /* The caller checked that 8 octets are there (count_substructs). */
        if (rbuf_left(r) < PROPOSAL_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                  "SA payload: proposal %zu needs 8 octets, %zu left", pi,
                                  rbuf_left(r));
        (void)rbuf_u8(r, &more);
        (void)rbuf_u8(r, &prop->reserved);
        (void)rbuf_be16(r, &len);
        (void)rbuf_u8(r, &prop->num);
        (void)rbuf_u8(r, &prop->protocol);
        (void)rbuf_u8(r, &spi_size);
        (void)rbuf_u8(r, &n_transforms);
        if (len < PROPOSAL_HEADER_LEN)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 2,
                                  "SA payload: proposal %zu: length %u < minimum %u", pi, len,
                                  PROPOSAL_HEADER_LEN);
        if ((size_t)(len - PROPOSAL_HEADER_LEN) > rbuf_left(r))
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 2,
                                  "SA payload: proposal %zu: length %u > %zu octets left", pi,
                                  len, rbuf_left(r) + PROPOSAL_HEADER_LEN);
        /* The last proposal is the one that reaches the end of the payload. */
        expect = (size_t)(len - PROPOSAL_HEADER_LEN) == rbuf_left(r) ? 0 : LAST_PROPOSAL_MORE;
        if (more != expect)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at,
                                  "SA payload: proposal %zu: Last Substruc %u, expected %u", pi,
                                  more, expect);
        (void)rbuf_sub(r, len - PROPOSAL_HEADER_LEN, &body);

        /* RFC 7296 3.3.1: IKE SPIs are 8 octets (0 in IKE_SA_INIT), ESP and AH 4. */
        if ((prop->protocol == IKEV2_PROTO_IKE && spi_size != 0 && spi_size != IKEV2_SPI_LEN) ||
            ((prop->protocol == IKEV2_PROTO_ESP || prop->protocol == IKEV2_PROTO_AH) &&
             spi_size != 4))
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 6,
                                  "SA payload: proposal %zu: SPI size %u invalid for protocol %u",
                                  pi, spi_size, prop->protocol);
        if (rbuf_slice(&body, spi_size, &prop->spi) < 0)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 6,
                                  "SA payload: proposal %zu: SPI size %u > %zu octets left", pi,
                                  spi_size, rbuf_left(&body));
        if (n_transforms == 0)
                return ike_syntax(err, IKEV2_PAYLOAD_SA, at + 7,
                                  "SA payload: proposal %zu has no transforms", pi);
        if (n_transforms > IKE_TRANSFORMS_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_SA, at + 7,
                                 "SA payload: proposal %zu: %u transforms > maximum %u", pi,
                                 n_transforms, IKE_TRANSFORMS_MAX);
        prop->transforms = ike_arena_alloc_array(a, n_transforms, sizeof(*prop->transforms));
        if (!prop->transforms)
                return ike_nomem(err, IKEV2_PAYLOAD_SA, at);
        for (size_t ti = 0; ti < n_transforms; ti++) {
                k = transform_parse(a, &prop->transforms[ti], &body, pi, ti + 1,
                                    ti + 1 == n_transforms, err);
                if (k < 0)
                        return k;
        }
        prop->n_transforms = n_transforms;
        if (!rbuf_empty(&body))
                return ike_syntax(err, IKEV2_PAYLOAD_SA, rbuf_pos(&body),
                                  "SA payload: proposal %zu: %zu octets after its %u transforms",
                                  pi, rbuf_left(&body), n_transforms);
        return 0;
}

static int sa_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                    struct ike_error *err)
{
        struct ike_sa *sa = &p->u.sa;
        size_t n = count_substructs(*r, PROPOSAL_HEADER_LEN, IKE_PROPOSALS_MAX), cap;
        int k;

        if (n > IKE_PROPOSALS_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_SA, rbuf_pos(r),
                                 "SA payload: more than %u proposals", IKE_PROPOSALS_MAX);
        /* One more slot than counted: when the count stopped at a proposal
         * with a bad length, that one is parsed to report it precisely. */
        cap = n + 1;
        sa->proposals = ike_arena_alloc_array(a, cap, sizeof(*sa->proposals));
        if (!sa->proposals)
                return ike_nomem(err, IKEV2_PAYLOAD_SA, rbuf_pos(r));
        for (size_t i = 0; i == 0 || !rbuf_empty(r); i++) {
                if (i >= cap) /* cannot happen: counted above */
                        return ike_syntax(err, IKEV2_PAYLOAD_SA, rbuf_pos(r),
                                          "SA payload: proposal count changed");
                k = proposal_parse(a, &sa->proposals[i], r, i + 1, err);
                if (k < 0)
                        return k;
                sa->n_proposals = i + 1;
        }
        return 0;
}

/* ------------------------------------------------------------------ writing */

static int attr_write(const struct ike_attr *attr, struct wbuf *w)
{
        if (attr->type & IKEV2_ATTR_FORMAT_TV)
                return -EINVAL;
        if (attr->tv) {
                wbuf_be16(w, attr->type | IKEV2_ATTR_FORMAT_TV);
                return wbuf_be16(w, attr->tv_value);
        }
        if (attr->tlv_value.len > UINT16_MAX)
                return -EMSGSIZE;
        wbuf_be16(w, attr->type);
        wbuf_be16(w, (uint16_t)attr->tlv_value.len);
        return wbuf_slice_put(w, attr->tlv_value);
}

static int transform_write(const struct ike_transform *t, bool last, struct wbuf *w)
{
        size_t start = wbuf_len(w), len_off;
        int k;

        if (t->n_attrs > 0 && !t->attrs)
                return -EINVAL;
        wbuf_u8(w, last ? 0 : LAST_TRANSFORM_MORE);
        wbuf_u8(w, t->reserved[0]);
        if (wbuf_reserve(w, 2, &len_off) < 0)
                return wbuf_error(w);
        wbuf_u8(w, t->type);
        wbuf_u8(w, t->reserved[1]);
        wbuf_be16(w, t->id);
        for (size_t i = 0; i <= t->n_attrs; i++) {
                /* Key Length goes back where it was (a position past the end
                 * means last). */
                if (t->key_length != 0 &&
                    (i == t->key_length_pos || (i == t->n_attrs && t->key_length_pos > i))) {
                        wbuf_be16(w, IKEV2_ATTR_KEY_LENGTH | IKEV2_ATTR_FORMAT_TV);
                        wbuf_be16(w, t->key_length);
                }
                if (i < t->n_attrs) {
                        if (t->attrs[i].type == IKEV2_ATTR_KEY_LENGTH)
                                return -EINVAL; /* use .key_length */
                        k = attr_write(&t->attrs[i], w);
                        if (k < 0)
                                return k;
                }
        }
        return ike_wbuf_fix_len16(w, len_off, start);
}

static int proposal_write(const struct ike_proposal *prop, bool last, struct wbuf *w)
{
        size_t start = wbuf_len(w), len_off;
        int k;

        if (prop->spi.len > UINT8_MAX || prop->n_transforms == 0 ||
            prop->n_transforms > UINT8_MAX || !prop->transforms)
                return -EINVAL;
        wbuf_u8(w, last ? 0 : LAST_PROPOSAL_MORE);
        wbuf_u8(w, prop->reserved);
        if (wbuf_reserve(w, 2, &len_off) < 0)
                return wbuf_error(w);
        wbuf_u8(w, prop->num);
        wbuf_u8(w, prop->protocol);
        wbuf_u8(w, (uint8_t)prop->spi.len);
        wbuf_u8(w, (uint8_t)prop->n_transforms);
        wbuf_slice_put(w, prop->spi);
        for (size_t i = 0; i < prop->n_transforms; i++) {
                k = transform_write(&prop->transforms[i], i + 1 == prop->n_transforms, w);
                if (k < 0)
                        return k;
        }
        return ike_wbuf_fix_len16(w, len_off, start);
}

static int sa_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_sa *sa = &p->u.sa;
        int k;

        if (sa->n_proposals == 0 || !sa->proposals)
                return -EINVAL;
        for (size_t i = 0; i < sa->n_proposals; i++) {
                k = proposal_write(&sa->proposals[i], i + 1 == sa->n_proposals, w);
                if (k < 0)
                        return k;
        }
        return wbuf_error(w);
}

const struct ike_payload_ops ike_sa_ops = {
        .name = "SA payload",
        .min_len = PROPOSAL_HEADER_LEN,
        .parse = sa_parse,
        .write = sa_write,
};

/* ------------------------------------------------------------------ builder */

static int transform_copy(struct ike_arena *a, struct ike_transform *dst,
                          const struct ike_transform *src)
{
        size_t limit = IKE_ATTRIBUTES_MAX - (src->key_length ? 1 : 0);

        if (src->n_attrs > limit)
                return -E2BIG;
        if (src->n_attrs > 0 && !src->attrs)
                return -EINVAL;
        *dst = *src;
        dst->attrs = NULL;
        if (src->n_attrs == 0)
                return 0;
        dst->attrs = ike_arena_alloc_array(a, src->n_attrs, sizeof(*dst->attrs));
        if (!dst->attrs)
                return -ENOMEM;
        for (size_t i = 0; i < src->n_attrs; i++) {
                const struct ike_attr *s = &src->attrs[i];

                if (s->type & IKEV2_ATTR_FORMAT_TV || s->type == IKEV2_ATTR_KEY_LENGTH ||
                    s->tlv_value.len > UINT16_MAX)
                        return -EINVAL;
                dst->attrs[i] = *s;
                if (ike_arena_dup(a, s->tlv_value, &dst->attrs[i].tlv_value) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int proposal_copy(struct ike_arena *a, struct ike_proposal *dst,
                         const struct ike_proposal *src)
{
        int k;

        if (src->n_transforms == 0 || !src->transforms)
                return -EINVAL;
        if (src->n_transforms > IKE_TRANSFORMS_MAX)
                return -E2BIG;
        if ((src->protocol == IKEV2_PROTO_IKE && src->spi.len != 0 &&
             src->spi.len != IKEV2_SPI_LEN) ||
            ((src->protocol == IKEV2_PROTO_ESP || src->protocol == IKEV2_PROTO_AH) &&
             src->spi.len != 4) ||
            src->spi.len > UINT8_MAX)
                return -EINVAL;
        *dst = *src;
        if (ike_arena_dup(a, src->spi, &dst->spi) < 0)
                return -ENOMEM;
        dst->transforms = ike_arena_alloc_array(a, src->n_transforms, sizeof(*dst->transforms));
        if (!dst->transforms)
                return -ENOMEM;
        for (size_t i = 0; i < src->n_transforms; i++) {
                k = transform_copy(a, &dst->transforms[i], &src->transforms[i]);
                if (k < 0)
                        return k;
        }
        return 0;
}

int ike_chain_add_sa(struct ike_chain *c, const struct ike_proposal *proposals, size_t n)
{
        struct ike_proposal *copy;
        struct ike_payload *p;
        int k;

        if (!c || !proposals || n == 0)
                return -EINVAL;
        if (n > IKE_PROPOSALS_MAX)
                return -E2BIG;
        copy = ike_arena_alloc_array(&c->arena, n, sizeof(*copy));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                k = proposal_copy(&c->arena, &copy[i], &proposals[i]);
                if (k < 0)
                        return k;
        }
        k = ike_chain_push(c, IKEV2_PAYLOAD_SA, &p);
        if (k < 0)
                return k;
        p->u.sa = (struct ike_sa){ .proposals = copy, .n_proposals = n };
        return 0;
}

const struct ike_transform *ike_proposal_find_transform(const struct ike_proposal *prop,
                                                        uint8_t type)
{
        if (!prop)
                return NULL;
        for (size_t i = 0; i < prop->n_transforms; i++)
                if (prop->transforms[i].type == type)
                        return &prop->transforms[i];
        return NULL;
}
