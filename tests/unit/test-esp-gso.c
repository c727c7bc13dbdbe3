/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Super-packet segmentation and coalescing (client/esp/gso.c) and the
 * checksum (csum.c). Checksums are verified with the plain RFC 1071 loop in
 * esp-test-util.h, not with the code under test.
 */
#include <errno.h>
#include <glib.h>

#include "client/esp/csum.h"
#include "client/esp/gso.h"
#include "esp-test-util.h"

#define SEG_STRIDE 2048
#define HEADROOM   24

/* A TCP super-packet as the kernel hands it out: full-length headers, the TCP
 * checksum field holding the pseudo-header sum only (CHECKSUM_PARTIAL). */
static size_t make_super_tcp(uint8_t *p, int family, size_t payload, uint8_t flags, bool opts,
                             struct vnet_hdr *h, uint16_t mss)
{
        size_t ip_hlen = family == 4 ? 20 : 40, thl = opts ? 32 : 20, len;
        uint8_t *tcp;
        uint32_t sum;

        len = make_packet(p, family, family == 4 ? test_vip4 : test_vip6,
                          family == 4 ? test_gw4 : test_gw6, true, 0, 0);
        tcp = p + ip_hlen;
        if (opts) {
                /* NOP NOP timestamps(10) */
                uint8_t o[12] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};

                memcpy(tcp + 20, o, 12);
                tcp[12] = (uint8_t)((thl / 4) << 4);
        }
        tcp[13] = flags;
        for (size_t i = 0; i < payload; i++)
                tcp[thl + i] = (uint8_t)(i * 7 + 3);
        len = ip_hlen + thl + payload;
        if (family == 4) {
                put_be16(p + 2, (uint16_t)len);
                p[10] = p[11] = 0;
                put_be16(p + 10, ref_csum(p, 20, 0));
        } else
                put_be16(p + 4, (uint16_t)(len - 40));
        sum = ref_pseudo(family, p, 6, len - ip_hlen);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        put_be16(tcp + 16, (uint16_t)sum); /* not complemented: partial */
        *h = (struct vnet_hdr){.flags = VNET_F_NEEDS_CSUM,
                               .gso_type = family == 4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6,
                               .hdr_len = (uint16_t)(ip_hlen + thl),
                               .gso_size = mss,
                               .csum_start = (uint16_t)ip_hlen,
                               .csum_offset = 16};
        return len;
}

static void test_csum(void)
{
        uint8_t buf[4099];

        for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t)(i * 131 + 17);
        for (size_t len = 0; len < sizeof(buf); len += 1 + len / 3) {
                uint16_t mine = csum_finish(csum_add(0, buf, len)), ref = ref_csum(buf, len, 0);

                /* csum.c sums in host order: compare as stored bytes. */
                uint8_t m[2];

                memcpy(m, &mine, 2);
                g_assert_cmpuint(get_be16(m), ==, ref);
        }
        /* Split sums at even offsets equal the whole. */
        g_assert_cmpuint(csum_fold(csum_add(csum_add(0, buf, 1000), buf + 1000, 3099)), ==,
                         csum_fold(csum_add(0, buf, 4099)));
}

static void check_segments(const uint8_t *super, size_t super_len, int family, const uint8_t *out,
                           const size_t *lens, int n, size_t mss, size_t hdr)
{
        size_t ip_hlen = family == 4 ? 20 : 40, payload = super_len - hdr, off = 0;
        uint32_t seq0 = get_be32_(super + ip_hlen + 4);
        uint8_t flags0 = super[ip_hlen + 13];

        g_assert_cmpint(n, ==, (int)((payload + mss - 1) / mss));
        for (int i = 0; i < n; i++) {
                const uint8_t *s = out + (size_t)i * SEG_STRIDE + HEADROOM;
                size_t seg = MIN(mss, payload - off);
                bool last = i == n - 1;

                g_assert_cmpuint(lens[i], ==, hdr + seg);
                g_assert_true(packet_checksums_ok(s, lens[i]));
                if (family == 4) {
                        g_assert_cmpuint(get_be16(s + 2), ==, lens[i]);
                        g_assert_cmpuint(get_be16(s + 4), ==, (uint16_t)(get_be16(super + 4) + i));
                } else
                        g_assert_cmpuint(get_be16(s + 4), ==, lens[i] - 40);
                g_assert_cmpuint(get_be32_(s + ip_hlen + 4), ==, seq0 + (uint32_t)off);
                g_assert_cmpuint(s[ip_hlen + 13], ==,
                                 last ? flags0 : (uint8_t)(flags0 & ~(0x01 | 0x08)));
                g_assert_cmpmem(s + hdr, seg, super + hdr + off, seg);
                /* Options are copied into every segment. */
                g_assert_cmpmem(s + ip_hlen + 20, hdr - ip_hlen - 20, super + ip_hlen + 20,
                                hdr - ip_hlen - 20);
                off += seg;
        }
}

static void test_split_tcp(gconstpointer data)
{
        int family = GPOINTER_TO_INT(data);
        static uint8_t super[65536], out[200 * SEG_STRIDE];
        size_t lens[GSO_MAX_SEGS];
        struct vnet_hdr h;

        for (size_t payload = 1; payload < 64000; payload = payload * 3 + 1) {
                for (int opts = 0; opts < 2; opts++) {
                        size_t len = make_super_tcp(super, family, payload, 0x18 /* PSH ACK */,
                                                    opts, &h, 1348);
                        size_t hdr = (family == 4 ? 20 : 40) + (opts ? 32 : 20), seg_max, nseg;
                        int n;

                        g_assert_cmpint(gso_layout(&h, super, len, &seg_max, &nseg), ==, 0);
                        g_assert_cmpuint(seg_max, ==, hdr + MIN(payload, (size_t)1348));
                        n = gso_split(&h, super, len, out, SEG_STRIDE, HEADROOM, 1500, GSO_MAX_SEGS,
                                      lens);
                        g_assert_cmpint(n, ==, (int)nseg);
                        check_segments(super, len, family, out, lens, n, 1348, hdr);
                }
        }
        /* FIN travels on the last segment only. */
        {
                size_t len = make_super_tcp(super, family, 5000, 0x11, false, &h, 1000);
                int n = gso_split(&h, super, len, out, SEG_STRIDE, HEADROOM, 1500, GSO_MAX_SEGS,
                                  lens);

                check_segments(super, len, family, out, lens, n, 1000, family == 4 ? 40 : 60);
        }
}

static void test_split_udp(void)
{
        static uint8_t super[20000], out[40 * SEG_STRIDE];
        size_t lens[GSO_MAX_SEGS], len;
        struct vnet_hdr h = {.flags = VNET_F_NEEDS_CSUM,
                             .gso_type = VNET_GSO_UDP_L4,
                             .gso_size = 1200,
                             .csum_start = 20,
                             .csum_offset = 6};
        int n;

        len = make_packet(super, 4, test_vip4, test_gw4, false, 10000, 5);
        n = gso_split(&h, super, len, out, SEG_STRIDE, HEADROOM, 1500, GSO_MAX_SEGS, lens);
        g_assert_cmpint(n, ==, 9);
        for (int i = 0; i < n; i++) {
                const uint8_t *s = out + (size_t)i * SEG_STRIDE + HEADROOM;
                size_t seg = i < 8 ? 1200 : 10000 - 8 * 1200;

                g_assert_cmpuint(lens[i], ==, 28 + seg);
                g_assert_cmpuint(get_be16(s + 24), ==, 8 + seg);
                g_assert_true(packet_checksums_ok(s, lens[i]));
                g_assert_cmpmem(s + 28, seg, super + 28 + (size_t)i * 1200, seg);
        }
}

static void test_complete_csum(void)
{
        uint8_t p[1500];
        struct vnet_hdr h;
        size_t len = make_super_tcp(p, 6, 777, 0x10, true, &h, 0);

        h.gso_type = VNET_GSO_NONE;
        g_assert_false(packet_checksums_ok(p, len));
        g_assert_cmpint(gso_complete_csum(&h, p, len), ==, 0);
        g_assert_true(packet_checksums_ok(p, len));
        h.csum_start = (uint16_t)len;
        g_assert_cmpint(gso_complete_csum(&h, p, len), ==, -EBADMSG);
        h.csum_start = 40;
        h.csum_offset = (uint16_t)(len - 41);
        g_assert_cmpint(gso_complete_csum(&h, p, len), ==, -EBADMSG);
}

static void test_split_rejects(void)
{
        static uint8_t super[65536], out[4 * SEG_STRIDE];
        size_t lens[GSO_MAX_SEGS], seg_max, nseg;
        struct vnet_hdr h, bad;
        size_t len = make_super_tcp(super, 4, 9000, 0x10, false, &h, 1000);

        bad = h;
        bad.gso_size = 0;
        g_assert_cmpint(gso_split(&bad, super, len, out, SEG_STRIDE, HEADROOM, 1500, 4, lens), ==,
                        -EBADMSG);
        bad = h;
        bad.gso_type = VNET_GSO_TCPV6;
        g_assert_cmpint(gso_split(&bad, super, len, out, SEG_STRIDE, HEADROOM, 1500, 4, lens), ==,
                        -EBADMSG);
        bad.gso_type = VNET_GSO_UDP;
        g_assert_cmpint(gso_split(&bad, super, len, out, SEG_STRIDE, HEADROOM, 1500, 4, lens), ==,
                        -EOPNOTSUPP);
        /* More segments than room. */
        g_assert_cmpint(gso_split(&h, super, len, out, SEG_STRIDE, HEADROOM, 1500, 4, lens), ==,
                        -EMSGSIZE);
        /* Segments larger than a slot. */
        g_assert_cmpint(gso_split(&h, super, len, out, SEG_STRIDE, HEADROOM, 500, 100, lens), ==,
                        -EMSGSIZE);
        /* Truncated headers. */
        g_assert_cmpint(gso_layout(&h, super, 30, &seg_max, &nseg), ==, -EBADMSG);
        super[0] = 0x75;
        g_assert_cmpint(gso_layout(&h, super, len, &seg_max, &nseg), ==, -EBADMSG);
}

/* ------------------------------------------------------------------ coalescing */

/* Cuts a super-packet into real segments (with the code under test, checked
 * above), returning pointers into out. */
static int segments(uint8_t *out, int family, size_t payload, uint16_t mss, bool opts,
                    struct gro_pkt *pkts, uint32_t seq, uint16_t sport)
{
        static uint8_t super[65536];
        size_t lens[GSO_MAX_SEGS];
        struct vnet_hdr h;
        size_t len = make_super_tcp(super, family, payload, 0x10, opts, &h, mss);
        size_t ip_hlen = family == 4 ? 20 : 40;
        int n;

        put_be32_(super + ip_hlen + 4, seq);
        put_be16(super + ip_hlen, sport);
        /* Re-do the partial sum is unnecessary: ports/seq are inside the sum
         * gso_split computes from scratch. */
        n = gso_split(&h, super, len, out, SEG_STRIDE, HEADROOM, 1500, GSO_MAX_SEGS, lens);
        g_assert_cmpint(n, >, 0);
        for (int i = 0; i < n; i++)
                pkts[i] = (struct gro_pkt){out + (size_t)i * SEG_STRIDE + HEADROOM, lens[i]};
        return n;
}

/* Builds the coalesced packet the datapath would writev, checks it, splits it
 * again and compares with the members. */
static void check_group(const struct gro_group *g, const struct gro_pkt *pkts)
{
        static uint8_t whole[70000], out[70 * SEG_STRIDE];
        uint8_t hdr[GRO_HDR_MAX];
        size_t hl = gro_group_header(g, pkts, hdr), len = hl - VNET_HDR_LEN, lens[GSO_MAX_SEGS];
        struct vnet_hdr h;
        int n;

        vnet_hdr_parse(hdr, &h);
        memcpy(whole, hdr + VNET_HDR_LEN, len);
        for (size_t i = 0; i < g->n; i++) {
                const struct gro_pkt *p = &pkts[g->members[i]];

                memcpy(whole + len, p->p + g->payload_off, p->len - g->payload_off);
                len += p->len - g->payload_off;
        }
        g_assert_cmpuint(len, ==, g->total);
        if (g->n == 1) {
                g_assert_cmpuint(h.gso_type, ==, VNET_GSO_NONE);
                g_assert_cmpmem(whole, len, pkts[g->first].p, pkts[g->first].len);
                return;
        }
        g_assert_cmpuint(h.flags, ==, VNET_F_NEEDS_CSUM);
        g_assert_cmpuint(h.gso_type, ==, g->family == 4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6);
        g_assert_cmpuint(h.gso_size, ==, pkts[g->first].len - g->payload_off);
        if (g->family == 4) {
                g_assert_cmpuint(get_be16(whole + 2), ==, len);
                g_assert_cmpuint(ref_csum(whole, 20, 0), ==, 0);
        } else
                g_assert_cmpuint(get_be16(whole + 4), ==, len - 40);
        /* What the kernel does with it: resegment. We must get the members back. */
        n = gso_split(&h, whole, len, out, SEG_STRIDE, HEADROOM, 1500, GSO_MAX_SEGS, lens);
        g_assert_cmpint(n, ==, (int)g->n);
        for (int i = 0; i < n; i++) {
                const struct gro_pkt *p = &pkts[g->members[i]];
                const uint8_t *s = out + (size_t)i * SEG_STRIDE + HEADROOM;
                size_t ip_hlen = g->family == 4 ? 20 : 40;

                g_assert_cmpuint(lens[i], ==, p->len);
                /* IPv4 IDs are renumbered from the first, like TSO does. */
                g_assert_cmpmem(s + ip_hlen, lens[i] - ip_hlen, p->p + ip_hlen, p->len - ip_hlen);
                g_assert_true(packet_checksums_ok(s, lens[i]));
        }
}

static void test_coalesce_runs(gconstpointer data)
{
        int family = GPOINTER_TO_INT(data);
        static uint8_t a[70 * SEG_STRIDE], b[70 * SEG_STRIDE], u[SEG_STRIDE];
        struct gro_pkt pa[70], pb[70], all[160];
        static struct gro_group groups[160];
        size_t n = 0, ng;
        int na, nb;

        na = segments(a, family, 20 * 1300 + 500, 1300, true, pa, 1000, 40000);
        nb = segments(b, family, 10 * 1300, 1300, false, pb, 5000, 40001);
        /* Interleave two flows and a UDP packet. */
        for (int i = 0; i < MAX(na, nb); i++) {
                if (i < na)
                        all[n++] = pa[i];
                if (i < nb)
                        all[n++] = pb[i];
                if (i == 3) {
                        size_t ul = make_packet(u, family, family == 4 ? test_gw4 : test_gw6,
                                                family == 4 ? test_vip4 : test_vip6, false, 100, 0);

                        all[n++] = (struct gro_pkt){u, ul};
                }
        }
        ng = gro_coalesce(all, n, groups);
        g_assert_cmpuint(ng, ==, 3);
        g_assert_cmpuint(groups[0].n, ==, (size_t)na);
        g_assert_cmpuint(groups[1].n, ==, (size_t)nb);
        g_assert_cmpuint(groups[2].n, ==, 1);
        g_assert_cmpuint(groups[2].family, ==, 0);
        for (size_t i = 0; i < ng; i++)
                check_group(&groups[i], all);
}

static void test_coalesce_breaks(void)
{
        static uint8_t a[70 * SEG_STRIDE];
        struct gro_pkt pa[70], v[70];
        static struct gro_group groups[70];
        size_t ng;
        int na = segments(a, 4, 8 * 1000, 1000, false, pa, 1, 40000);

        g_assert_cmpint(na, ==, 8);
        /* A missing segment (out of order): two runs. */
        memcpy(v, pa, sizeof(pa));
        v[3] = pa[4];
        v[4] = pa[3];
        ng = gro_coalesce(v, 8, groups);
        g_assert_cmpuint(ng, ==, 4);
        g_assert_cmpuint(groups[0].n, ==, 3);
        for (size_t i = 0; i < ng; i++)
                check_group(&groups[i], v);
        /* PSH ends a run (the member with PSH is its last). */
        memcpy(v, pa, sizeof(pa));
        v[2].p[20 + 13] |= 0x08;
        put_be16(v[2].p + 36, 0); /* checksum no longer matters for grouping */
        ng = gro_coalesce(v, 8, groups);
        g_assert_cmpuint(ng, ==, 2);
        g_assert_cmpuint(groups[0].n, ==, 3);
        g_assert_cmpuint(groups[1].n, ==, 5);
        v[2].p[20 + 13] &= (uint8_t)~0x08;
        /* SYN/FIN/RST are never merged; the run around it is cut. */
        v[5].p[20 + 13] |= 0x01;
        ng = gro_coalesce(v, 8, groups);
        g_assert_cmpuint(ng, ==, 3);
        g_assert_cmpuint(groups[0].n, ==, 5);
        g_assert_cmpuint(groups[1].n, ==, 1);
        g_assert_cmpuint(groups[2].n, ==, 2);
        v[5].p[20 + 13] &= (uint8_t)~0x01;
        /* A different TTL (or TOS): not the same headers. */
        v[6].p[8] = 1;
        ng = gro_coalesce(v, 8, groups);
        g_assert_cmpuint(ng, ==, 3);
        g_assert_cmpuint(groups[0].n, ==, 6);
        v[6].p[8] = 64;
        /* IP options or fragments: not coalesced. */
        v[0].p[6] |= 0x20; /* MF */
        ng = gro_coalesce(v, 8, groups);
        g_assert_cmpuint(groups[0].n, ==, 1);
        v[0].p[6] &= (uint8_t)~0x20;
        /* A shorter segment closes a run. */
        v[4].len -= 10;
        put_be16(v[4].p + 2, (uint16_t)v[4].len);
        ng = gro_coalesce(v, 8, groups);
        g_assert_cmpuint(ng, ==, 2);
        g_assert_cmpuint(groups[0].n, ==, 5);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/esp/gso/csum", test_csum);
        g_test_add_data_func("/esp/gso/split-tcp4", GINT_TO_POINTER(4), test_split_tcp);
        g_test_add_data_func("/esp/gso/split-tcp6", GINT_TO_POINTER(6), test_split_tcp);
        g_test_add_func("/esp/gso/split-udp", test_split_udp);
        g_test_add_func("/esp/gso/complete-csum", test_complete_csum);
        g_test_add_func("/esp/gso/split-rejects", test_split_rejects);
        g_test_add_data_func("/esp/gro/runs4", GINT_TO_POINTER(4), test_coalesce_runs);
        g_test_add_data_func("/esp/gro/runs6", GINT_TO_POINTER(6), test_coalesce_runs);
        g_test_add_func("/esp/gro/breaks", test_coalesce_breaks);
        return g_test_run();
}
