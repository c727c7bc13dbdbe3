/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration payload, RFC 7296 3.15, with the split-DNS attributes of
 * RFC 8598.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   CFG Type    |                    RESERVED                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Configuration Attributes                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A configuration attribute (3.15.1):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|         Attribute Type      |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Value                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The value lengths of the types we know are checked on parse (0 is always
 * allowed: "please assign one" in a CFG_REQUEST); values are decoded by the
 * ike_cp_attr_*() accessors. RFC 8598 4.2, INTERNAL_DNSSEC_TA value:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Key Tag                |   Algorithm   | Digest Type   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        Digest Data                            ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * It applies to the INTERNAL_DNS_DOMAIN attribute it follows.
 */
#include <errno.h>
#include <string.h>

#include "client/ike/codec.h"

#define CP_HEADER_LEN      4
#define CP_ATTR_HEADER_LEN 4
#define CP_ATTR_R_BIT      0x8000
#define DNSSEC_TA_MIN      5 /* key tag, algorithm, digest type, one digest octet */
#define DNS_NAME_MAX       253

/* The one non-zero length a known attribute may have: 0 means any length. */
static size_t attr_fixed_len(uint16_t type)
{
        switch (type) {
        case IKEV2_CFG_INTERNAL_IP4_ADDRESS:
        case IKEV2_CFG_INTERNAL_IP4_NETMASK:
        case IKEV2_CFG_INTERNAL_IP4_DNS:
        case IKEV2_CFG_INTERNAL_IP4_NBNS:
        case IKEV2_CFG_INTERNAL_IP4_DHCP:
        case IKEV2_CFG_P_CSCF_IP4_ADDRESS:
                return 4;
        case IKEV2_CFG_INTERNAL_IP4_SUBNET:
                return 8;
        case IKEV2_CFG_INTERNAL_IP6_DNS:
        case IKEV2_CFG_INTERNAL_IP6_DHCP:
        case IKEV2_CFG_P_CSCF_IP6_ADDRESS:
                return 16;
        case IKEV2_CFG_INTERNAL_IP6_ADDRESS:
        case IKEV2_CFG_INTERNAL_IP6_SUBNET:
        case IKEV2_CFG_INTERNAL_IP6_PREFIX:
                return 17; /* address and prefix length */
        default:
                return 0;
        }
}

static int attr_check(const struct ike_cp_attr *attr, size_t at, size_t i,
                      struct ike_error *err)
{
        size_t fixed = attr_fixed_len(attr->type), len = attr->value.len;

        if (len == 0)
                return 0;
        if (fixed && len != fixed)
                return ike_syntax(err, IKEV2_PAYLOAD_CP, at + 2,
                                  "CP payload: attribute %zu (type %u) length %zu != %zu", i,
                                  attr->type, len, fixed);
        if (fixed == 17 && attr->value.ptr[16] > 128)
                return ike_syntax(err, IKEV2_PAYLOAD_CP, at + 4 + 16,
                                  "CP payload: attribute %zu (type %u) prefix length %u > 128",
                                  i, attr->type, attr->value.ptr[16]);
        switch (attr->type) {
        case IKEV2_CFG_SUPPORTED_ATTRIBUTES:
                if (len % 2)
                        return ike_syntax(err, IKEV2_PAYLOAD_CP, at + 2,
                                          "CP payload: attribute %zu (SUPPORTED_ATTRIBUTES) odd "
                                          "length %zu",
                                          i, len);
                break;
        case IKEV2_CFG_INTERNAL_DNS_DOMAIN:
                if (len > DNS_NAME_MAX + 1)
                        return ike_syntax(err, IKEV2_PAYLOAD_CP, at + 2,
                                          "CP payload: attribute %zu (INTERNAL_DNS_DOMAIN) "
                                          "length %zu > %u",
                                          i, len, DNS_NAME_MAX + 1);
                break;
        case IKEV2_CFG_INTERNAL_DNSSEC_TA:
                if (len < DNSSEC_TA_MIN)
                        return ike_syntax(err, IKEV2_PAYLOAD_CP, at + 2,
                                          "CP payload: attribute %zu (INTERNAL_DNSSEC_TA) "
                                          "length %zu < minimum %u",
                                          i, len, DNSSEC_TA_MIN);
                break;
        default:
                break;
        }
        return 0;
}

static int cp_parse(struct ike_arena *a, struct ike_payload *p, struct rbuf *r,
                    struct ike_error *err)
{
        struct ike_cp *cp = &p->u.cp;
        struct rbuf scan;
        size_t n = 0;
        int k;

        (void)rbuf_u8(r, &cp->cfg_type);
        (void)rbuf_copy(r, cp->reserved, sizeof(cp->reserved));

        /* Count first (bounded), then parse with precise errors. */
        scan = *r;
        while (rbuf_left(&scan) >= CP_ATTR_HEADER_LEN && n <= IKE_CP_ATTRS_MAX) {
                uint16_t t, len;

                (void)rbuf_be16(&scan, &t);
                (void)rbuf_be16(&scan, &len);
                if (rbuf_skip(&scan, len) < 0)
                        break;
                n++;
        }
        if (n > IKE_CP_ATTRS_MAX)
                return ike_limit(err, IKEV2_PAYLOAD_CP, rbuf_pos(r),
                                 "CP payload: more than %u attributes", IKE_CP_ATTRS_MAX);
        cp->attrs = ike_arena_alloc_array(a, n + 1, sizeof(*cp->attrs));
        if (!cp->attrs)
                return ike_nomem(err, IKEV2_PAYLOAD_CP, rbuf_pos(r));
        while (!rbuf_empty(r)) {
                struct ike_cp_attr *attr;
                size_t at = rbuf_pos(r);
                uint16_t rt, len;

                /* n + 1 slots: the one the count stopped at is parsed to report
                 * it precisely. More cannot happen. */
                if (cp->n_attrs > n)
                        return ike_syntax(err, IKEV2_PAYLOAD_CP, at,
                                          "CP payload: attribute count changed");
                attr = &cp->attrs[cp->n_attrs];
                if (rbuf_left(r) < CP_ATTR_HEADER_LEN)
                        return ike_syntax(err, IKEV2_PAYLOAD_CP, at,
                                          "CP payload: attribute %zu needs 4 octets, %zu left",
                                          cp->n_attrs + 1, rbuf_left(r));
                (void)rbuf_be16(r, &rt);
                (void)rbuf_be16(r, &len);
                attr->r = (rt & CP_ATTR_R_BIT) != 0;
                attr->type = rt & (uint16_t)~CP_ATTR_R_BIT;
                if (rbuf_slice(r, len, &attr->value) < 0)
                        return ike_syntax(err, IKEV2_PAYLOAD_CP, at + 2,
                                          "CP payload: attribute %zu length %u > %zu octets left",
                                          cp->n_attrs + 1, len, rbuf_left(r));
                k = attr_check(attr, at, cp->n_attrs + 1, err);
                if (k < 0)
                        return k;
                cp->n_attrs++;
        }
        return 0;
}

static int cp_write(const struct ike_payload *p, struct wbuf *w)
{
        const struct ike_cp *cp = &p->u.cp;

        if (cp->n_attrs > 0 && !cp->attrs)
                return -EINVAL;
        wbuf_u8(w, cp->cfg_type);
        wbuf_bytes(w, cp->reserved, sizeof(cp->reserved));
        for (size_t i = 0; i < cp->n_attrs; i++) {
                const struct ike_cp_attr *attr = &cp->attrs[i];

                if (attr->type & CP_ATTR_R_BIT)
                        return -EINVAL;
                if (attr->value.len > UINT16_MAX)
                        return -EMSGSIZE;
                wbuf_be16(w, (uint16_t)(attr->type | (attr->r ? CP_ATTR_R_BIT : 0)));
                wbuf_be16(w, (uint16_t)attr->value.len);
                wbuf_slice_put(w, attr->value);
        }
        return wbuf_error(w);
}

const struct ike_payload_ops ike_cp_ops = {
        .name = "CP payload",
        .min_len = CP_HEADER_LEN,
        .parse = cp_parse,
        .write = cp_write,
};

int ike_chain_add_cp(struct ike_chain *c, uint8_t cfg_type, const struct ike_cp_attr *attrs,
                     size_t n)
{
        struct ike_cp_attr *copy = NULL;
        struct ike_payload *p;
        int k;

        if (!c || (n > 0 && !attrs))
                return -EINVAL;
        if (n > IKE_CP_ATTRS_MAX)
                return -E2BIG;
        if (n > 0) {
                copy = ike_arena_alloc_array(&c->arena, n, sizeof(*copy));
                if (!copy)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                if (attrs[i].type & CP_ATTR_R_BIT || attrs[i].value.len > UINT16_MAX ||
                    attr_check(&attrs[i], 0, i + 1, NULL) < 0)
                        return -EINVAL;
                copy[i] = attrs[i];
                if (ike_arena_dup(&c->arena, attrs[i].value, &copy[i].value) < 0)
                        return -ENOMEM;
        }
        k = ike_chain_push(c, IKEV2_PAYLOAD_CP, &p);
        if (k < 0)
                return k;
        p->u.cp = (struct ike_cp){ .cfg_type = cfg_type, .attrs = copy, .n_attrs = n };
        return 0;
}

/* ------------------------------------------------------------------ typed values */

int ike_cp_attr_ip4(const struct ike_cp_attr *a, uint8_t ret[static 4])
{
        if (!a || a->value.len != 4 || attr_fixed_len(a->type) != 4)
                return -EINVAL;
        memcpy(ret, a->value.ptr, 4);
        return 0;
}

int ike_cp_attr_ip6(const struct ike_cp_attr *a, uint8_t ret_addr[static 16],
                    uint8_t *ret_prefix)
{
        size_t fixed;

        if (!a || !ret_prefix)
                return -EINVAL;
        fixed = attr_fixed_len(a->type);
        if ((fixed != 16 && fixed != 17) || a->value.len != fixed)
                return -EINVAL;
        if (fixed == 17 && a->value.ptr[16] > 128)
                return -EINVAL;
        memcpy(ret_addr, a->value.ptr, 16);
        *ret_prefix = fixed == 17 ? a->value.ptr[16] : 128;
        return 0;
}

int ike_cp_attr_ip4_subnet(const struct ike_cp_attr *a, uint8_t ret_addr[static 4],
                           uint8_t ret_mask[static 4])
{
        if (!a || a->type != IKEV2_CFG_INTERNAL_IP4_SUBNET || a->value.len != 8)
                return -EINVAL;
        memcpy(ret_addr, a->value.ptr, 4);
        memcpy(ret_mask, a->value.ptr + 4, 4);
        return 0;
}

static bool dns_char_ok(uint8_t ch)
{
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '-' || ch == '_';
}

int ike_cp_attr_dns_domain(const struct ike_cp_attr *a, struct slice *ret)
{
        size_t len, label = 0;

        if (!a || !ret || a->type != IKEV2_CFG_INTERNAL_DNS_DOMAIN || a->value.len == 0)
                return -EINVAL;
        len = a->value.len;
        /* One trailing dot (the root label) is allowed and not counted. */
        if (a->value.ptr[len - 1] == '.')
                len--;
        if (len == 0 || len > DNS_NAME_MAX)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                uint8_t ch = a->value.ptr[i];

                if (ch == '.') {
                        if (label == 0) /* leading dot or empty label */
                                return -EINVAL;
                        label = 0;
                        continue;
                }
                if (!dns_char_ok(ch) || ++label > 63)
                        return -EINVAL;
        }
        *ret = SLICE(a->value.ptr, len);
        return 0;
}

int ike_cp_attr_dnssec_ta(const struct ike_cp_attr *a, struct ike_dnssec_ta *ret)
{
        const uint8_t *q;

        if (!a || !ret || a->type != IKEV2_CFG_INTERNAL_DNSSEC_TA || a->value.len < DNSSEC_TA_MIN)
                return -EINVAL;
        q = a->value.ptr;
        *ret = (struct ike_dnssec_ta){
                .key_tag = (uint16_t)(q[0] << 8 | q[1]),
                .algorithm = q[2],
                .digest_type = q[3],
                .digest = SLICE(q + 4, a->value.len - 4),
        };
        return 0;
}
