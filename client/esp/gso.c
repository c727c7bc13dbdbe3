/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "gso.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "csum.h"

#define IPPROTO_TCP_ 6u
#define IPPROTO_UDP_ 17u

#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u
#define TCP_ECE 0x40u
#define TCP_CWR 0x80u

void vnet_hdr_parse(const uint8_t b[static VNET_HDR_LEN], struct vnet_hdr *ret)
{
        struct vnet_hdr h;

        h.flags = b[0];
        h.gso_type = b[1];
        memcpy(&h.hdr_len, b + 2, 2);
        memcpy(&h.gso_size, b + 4, 2);
        memcpy(&h.csum_start, b + 6, 2);
        memcpy(&h.csum_offset, b + 8, 2);
        *ret = h;
}

void vnet_hdr_write(const struct vnet_hdr *h, uint8_t b[static VNET_HDR_LEN])
{
        b[0] = h->flags;
        b[1] = h->gso_type;
        memcpy(b + 2, &h->hdr_len, 2);
        memcpy(b + 4, &h->gso_size, 2);
        memcpy(b + 6, &h->csum_start, 2);
        memcpy(b + 8, &h->csum_offset, 2);
}

static inline uint16_t get16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static inline uint32_t get32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static void ipv4_fix_csum(uint8_t *ip, size_t hlen)
{
        uint16_t c;

        ip[10] = ip[11] = 0;
        c = csum_finish(csum_add(0, ip, hlen));
        memcpy(ip + 10, &c, 2);
}

/* Where the L3 and L4 headers are, for a packet the kernel built. */
struct l34 {
        int family;
        size_t ip_hlen, hdr_len;
        uint8_t proto;
};

static int parse_l34(const uint8_t *pkt, size_t len, struct l34 *ret)
{
        struct l34 x = {0};

        if (len < 1)
                return -EBADMSG;
        if (pkt[0] >> 4 == 4) {
                if (len < 20)
                        return -EBADMSG;
                x.family = 4;
                x.ip_hlen = (size_t)(pkt[0] & 0x0f) * 4;
                if (x.ip_hlen < 20 || x.ip_hlen > len)
                        return -EBADMSG;
                x.proto = pkt[9];
        } else if (pkt[0] >> 4 == 6) {
                if (len < 40)
                        return -EBADMSG;
                x.family = 6;
                x.ip_hlen = 40;
                x.proto = pkt[6]; /* extension headers are not split through */
        } else
                return -EBADMSG;
        if (x.proto == IPPROTO_TCP_) {
                size_t doff;

                if (len - x.ip_hlen < 20)
                        return -EBADMSG;
                doff = (size_t)(pkt[x.ip_hlen + 12] >> 4) * 4;
                if (doff < 20 || doff > len - x.ip_hlen)
                        return -EBADMSG;
                x.hdr_len = x.ip_hlen + doff;
        } else if (x.proto == IPPROTO_UDP_) {
                if (len - x.ip_hlen < 8)
                        return -EBADMSG;
                x.hdr_len = x.ip_hlen + 8;
        } else
                x.hdr_len = x.ip_hlen;
        *ret = x;
        return 0;
}

int gso_complete_csum(const struct vnet_hdr *h, uint8_t *pkt, size_t len)
{
        size_t start = h->csum_start, off = h->csum_offset;
        uint16_t c;

        if (!(h->flags & VNET_F_NEEDS_CSUM))
                return 0;
        if (start >= len || off > len - start || 2 > len - start - off)
                return -EBADMSG;
        /* The field holds the pseudo-header sum already (Linux
         * CHECKSUM_PARTIAL): sum from csum_start to the end. */
        c = csum_finish(csum_add(0, pkt + start, len - start));
        memcpy(pkt + start + off, &c, 2);
        return 0;
}

static int split_one(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, uint8_t *dst,
                     size_t seg_cap, size_t seg_lens[])
{
        int r;

        if (len > seg_cap)
                return -EMSGSIZE;
        memcpy(dst, pkt, len);
        r = gso_complete_csum(h, dst, len);
        if (r < 0)
                return r;
        seg_lens[0] = len;
        return 1;
}

static int check_gso(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, struct l34 *ret)
{
        uint8_t type = h->gso_type & (uint8_t)~VNET_GSO_ECN;
        struct l34 x;
        int r;

        if (type != VNET_GSO_TCPV4 && type != VNET_GSO_TCPV6 && type != VNET_GSO_UDP_L4)
                return -EOPNOTSUPP;
        r = parse_l34(pkt, len, &x);
        if (r < 0)
                return r;
        if ((type == VNET_GSO_TCPV4 && (x.family != 4 || x.proto != IPPROTO_TCP_)) ||
            (type == VNET_GSO_TCPV6 && (x.family != 6 || x.proto != IPPROTO_TCP_)) ||
            (type == VNET_GSO_UDP_L4 && x.proto != IPPROTO_UDP_))
                return -EBADMSG;
        if (h->gso_size == 0)
                return -EBADMSG;
        *ret = x;
        return 0;
}

int gso_layout(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, size_t *ret_seg_max,
               size_t *ret_nseg)
{
        size_t payload;
        struct l34 x;
        int r;

        if ((h->gso_type & (uint8_t)~VNET_GSO_ECN) == VNET_GSO_NONE) {
                *ret_seg_max = len;
                *ret_nseg = 1;
                return 0;
        }
        r = check_gso(h, pkt, len, &x);
        if (r < 0)
                return r;
        payload = len - x.hdr_len;
        *ret_seg_max = x.hdr_len + (payload < h->gso_size ? payload : h->gso_size);
        *ret_nseg = payload == 0 ? 1 : (payload + h->gso_size - 1) / h->gso_size;
        return 0;
}

int gso_split(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, uint8_t *out, size_t stride,
              size_t headroom, size_t seg_cap, size_t max_segs, size_t seg_lens[])
{
        uint8_t type = h->gso_type & (uint8_t)~VNET_GSO_ECN;
        size_t payload, gso = h->gso_size, nseg;
        uint32_t seq = 0;
        uint16_t id = 0;
        struct l34 x;
        int r;

        if (max_segs == 0)
                return -EMSGSIZE;
        if (type == VNET_GSO_NONE)
                return split_one(h, pkt, len, out + headroom, seg_cap, seg_lens);
        r = check_gso(h, pkt, len, &x);
        if (r < 0)
                return r;
        if (x.hdr_len > seg_cap || gso > seg_cap - x.hdr_len)
                return -EMSGSIZE;
        payload = len - x.hdr_len;
        nseg = payload == 0 ? 1 : (payload + gso - 1) / gso;
        if (nseg > max_segs)
                return -EMSGSIZE;
        if (x.family == 4)
                id = get16(pkt + 4);
        if (x.proto == IPPROTO_TCP_)
                seq = get32(pkt + x.ip_hlen + 4);

        for (size_t i = 0, off = 0; i < nseg; i++) {
                size_t seg = payload - off < gso ? payload - off : gso;
                size_t tot = x.hdr_len + seg, l4len = tot - x.ip_hlen;
                uint8_t *d = out + i * stride + headroom, *l4 = d + x.ip_hlen;
                bool last = i + 1 == nseg;
                uint64_t sum;
                uint16_t c;

                memcpy(d, pkt, x.hdr_len);
                memcpy(d + x.hdr_len, pkt + x.hdr_len + off, seg);
                if (x.family == 4) {
                        put16(d + 2, (uint16_t)tot);
                        put16(d + 4, (uint16_t)(id + i)); /* as the kernel's TSO does */
                        ipv4_fix_csum(d, x.ip_hlen);
                } else
                        put16(d + 4, (uint16_t)(tot - 40));
                if (x.proto == IPPROTO_TCP_) {
                        put32(l4 + 4, seq + (uint32_t)off);
                        /* FIN and PSH belong to the last segment, CWR to the
                         * first (what tcp_gso_segment() does). */
                        if (!last)
                                l4[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
                        if (i > 0)
                                l4[13] &= (uint8_t)~TCP_CWR;
                        l4[16] = l4[17] = 0;
                } else {
                        put16(l4 + 4, (uint16_t)l4len);
                        l4[6] = l4[7] = 0;
                }
                sum = csum_pseudo(x.family, d + (x.family == 4 ? 12 : 8),
                                  d + (x.family == 4 ? 16 : 24), x.proto, (uint32_t)l4len);
                sum = csum_add(sum, l4, l4len);
                c = csum_finish(sum);
                if (x.proto == IPPROTO_UDP_ && c == 0)
                        c = 0xffff; /* RFC 768: zero means "no checksum" */
                memcpy(l4 + (x.proto == IPPROTO_TCP_ ? 16 : 6), &c, 2);
                seg_lens[i] = tot;
                off += seg;
        }
        return (int)nseg;
}

/* ------------------------------------------------------------------ coalescing */

struct tcp_view {
        bool tcp;       /* parsed as TCP over IPv4 (no options, not fragmented) or IPv6 */
        bool mergeable; /* carries data, flags only ACK (+PSH) */
        uint8_t family;
        size_t ip_hlen, hdr_len, payload;
        uint32_t seq;
        uint8_t flags;
};

static void view_tcp(const uint8_t *p, size_t len, struct tcp_view *v)
{
        struct l34 x;
        size_t tot;

        *v = (struct tcp_view){0};
        if (parse_l34(p, len, &x) < 0 || x.proto != IPPROTO_TCP_)
                return;
        if (x.family == 4) {
                tot = get16(p + 2);
                if (x.ip_hlen != 20 || (get16(p + 6) & 0x3fff) != 0) /* options, fragments */
                        return;
        } else
                tot = 40 + (size_t)get16(p + 4);
        if (tot != len || x.hdr_len > len)
                return;
        v->tcp = true;
        v->family = (uint8_t)x.family;
        v->ip_hlen = x.ip_hlen;
        v->hdr_len = x.hdr_len;
        v->payload = len - x.hdr_len;
        v->seq = get32(p + x.ip_hlen + 4);
        v->flags = p[x.ip_hlen + 13];
        v->mergeable = v->payload > 0 && (v->flags & TCP_ACK) &&
                       !(v->flags & (uint8_t) ~(TCP_ACK | TCP_PSH));
}

static bool same_flow(const uint8_t *a, const struct tcp_view *va, const uint8_t *b,
                      const struct tcp_view *vb)
{
        if (va->family != vb->family)
                return false;
        if (va->family == 4) {
                if (memcmp(a + 12, b + 12, 8) != 0)
                        return false;
        } else if (memcmp(a + 8, b + 8, 32) != 0)
                return false;
        return memcmp(a + va->ip_hlen, b + vb->ip_hlen, 4) == 0; /* ports */
}

/* Everything but lengths, IDs, checksums, sequence numbers, PSH and the window
 * must match for the kernel to see the same packets after resegmenting. */
static bool same_headers(const uint8_t *a, const struct tcp_view *va, const uint8_t *b,
                         const struct tcp_view *vb)
{
        const uint8_t *ta = a + va->ip_hlen, *tb = b + vb->ip_hlen;

        if (va->hdr_len != vb->hdr_len)
                return false;
        if (va->family == 4) {
                if (memcmp(a, b, 2) != 0 || memcmp(a + 6, b + 6, 4) != 0)
                        return false;
        } else if (memcmp(a, b, 4) != 0 || memcmp(a + 6, b + 6, 2) != 0)
                return false;
        if (memcmp(ta + 8, tb + 8, 5) != 0) /* ack number, data offset */
                return false;
        if ((va->flags & (uint8_t)~TCP_PSH) != (vb->flags & (uint8_t)~TCP_PSH))
                return false;
        return memcmp(ta + 20, tb + 20, va->hdr_len - va->ip_hlen - 20) == 0; /* options */
}

#define GRO_OPEN_MAX 8u

size_t gro_coalesce(const struct gro_pkt *pkts, size_t n, struct gro_group *groups)
{
        size_t open[GRO_OPEN_MAX], n_open = 0, n_groups = 0;
        struct tcp_view first_view[GRO_OPEN_MAX];

        for (size_t k = 0; k < n; k++) {
                const uint8_t *p = pkts[k].p;
                struct tcp_view v;
                struct gro_group *g;
                size_t slot = GRO_OPEN_MAX;

                view_tcp(p, pkts[k].len, &v);
                if (v.tcp)
                        for (size_t i = 0; i < n_open; i++)
                                if (same_flow(pkts[groups[open[i]].first].p, &first_view[i], p,
                                              &v)) {
                                        slot = i;
                                        break;
                                }
                if (slot < GRO_OPEN_MAX) {
                        g = &groups[open[slot]];
                        if (v.mergeable && g->n < GRO_MAX_SEGS && v.seq == g->next_seq &&
                            v.payload <= g->gso_size && v.payload <= GSO_MAX_PACKET - g->total &&
                            same_headers(pkts[g->first].p, &first_view[slot], p, &v)) {
                                g->members[g->n++] = k;
                                g->total += v.payload;
                                g->next_seq += (uint32_t)v.payload;
                                if (v.payload < g->gso_size || (v.flags & TCP_PSH))
                                        g->closed = true;
                        } else
                                g->closed = true;
                        if (g->closed) {
                                open[slot] = open[n_open - 1];
                                first_view[slot] = first_view[n_open - 1];
                                n_open--;
                        }
                        if (g->members[g->n - 1] == k)
                                continue;
                }
                /* A new group (of one, or the start of a run). */
                g = &groups[n_groups];
                *g = (struct gro_group){.first = k, .n = 1, .members = {k}};
                g->total = pkts[k].len;
                if (v.mergeable && !(v.flags & TCP_PSH) && v.payload <= UINT16_MAX) {
                        g->family = v.family;
                        g->payload_off = v.hdr_len;
                        g->gso_size = (uint16_t)v.payload;
                        g->next_seq = v.seq + (uint32_t)v.payload;
                        if (n_open == GRO_OPEN_MAX) {
                                /* Evict the oldest open run. */
                                groups[open[0]].closed = true;
                                memmove(open, open + 1, (n_open - 1) * sizeof(open[0]));
                                memmove(first_view, first_view + 1,
                                        (n_open - 1) * sizeof(first_view[0]));
                                n_open--;
                        }
                        open[n_open] = n_groups;
                        first_view[n_open] = v;
                        n_open++;
                } else
                        g->closed = true;
                n_groups++;
        }
        /* Singles are written as they came. */
        for (size_t i = 0; i < n_groups; i++)
                if (groups[i].n == 1) {
                        groups[i].family = 0;
                        groups[i].payload_off = 0;
                        groups[i].total = pkts[groups[i].first].len;
                }
        return n_groups;
}

size_t gro_group_header(const struct gro_group *g, const struct gro_pkt *pkts, uint8_t *hdr)
{
        struct vnet_hdr vh = {0};
        const uint8_t *first = pkts[g->first].p;
        size_t ip_hlen, hl = g->payload_off;
        uint8_t *ip = hdr + VNET_HDR_LEN, *tcp, flags = 0;
        uint64_t sum;
        uint16_t c;

        if (g->n == 1 || g->family == 0) {
                vnet_hdr_write(&vh, hdr);
                return VNET_HDR_LEN;
        }
        ip_hlen = g->family == 4 ? 20 : 40;
        memcpy(ip, first, hl);
        tcp = ip + ip_hlen;
        for (size_t i = 0; i < g->n; i++)
                flags |= pkts[g->members[i]].p[ip_hlen + 13];
        tcp[13] |= flags & TCP_PSH;
        if (g->family == 4) {
                put16(ip + 2, (uint16_t)g->total);
                ipv4_fix_csum(ip, ip_hlen);
        } else
                put16(ip + 4, (uint16_t)(g->total - 40));
        /* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, the kernel
         * (or the NIC it forwards to) completes each segment's checksum. */
        sum = csum_pseudo(g->family, ip + (g->family == 4 ? 12 : 8),
                          ip + (g->family == 4 ? 16 : 24), IPPROTO_TCP_,
                          (uint32_t)(g->total - ip_hlen));
        c = csum_fold(sum);
        memcpy(tcp + 16, &c, 2);
        vh.flags = VNET_F_NEEDS_CSUM;
        vh.gso_type = g->family == 4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6;
        vh.hdr_len = (uint16_t)hl;
        vh.gso_size = g->gso_size;
        vh.csum_start = (uint16_t)ip_hlen;
        vh.csum_offset = 16;
        vnet_hdr_write(&vh, hdr);
        return VNET_HDR_LEN + hl;
}
