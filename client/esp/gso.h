/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Segmentation and coalescing of the super-packets a TUN device with offloads
 * exchanges with the kernel (sans-I/O: bytes in, bytes out).
 *
 * With IFF_VNET_HDR every packet on the TUN fd is preceded by a virtio-net
 * header (virtio 1.x 5.1.6, legacy layout, native byte order):
 *
 *   +--------+----------+---------+----------+------------+-------------+
 *   | flags  | gso_type | hdr_len | gso_size | csum_start | csum_offset |
 *   |  u8    |   u8     |  u16    |   u16    |    u16     |    u16      |
 *   +--------+----------+---------+----------+------------+-------------+
 *
 * Outbound, the kernel hands us one TCP (or UDP) "super-packet" of up to 64 KiB
 * whose checksum is only partial (NEEDS_CSUM): gso_split() cuts it into
 * packets of at most gso_size payload bytes with correct IP and TCP/UDP
 * headers and full checksums, ready to be encrypted.
 *
 * Inbound, gro_coalesce() finds runs of decrypted TCP segments of one flow
 * that follow each other in sequence and describes each run as one super-
 * packet (a new header plus the payloads of every member), which the datapath
 * writes to TUN with one writev().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN 10u

#define VNET_F_NEEDS_CSUM 1u
#define VNET_F_DATA_VALID 2u
#define VNET_GSO_NONE     0u
#define VNET_GSO_TCPV4    1u
#define VNET_GSO_UDP      3u
#define VNET_GSO_TCPV6    4u
#define VNET_GSO_UDP_L4   5u
#define VNET_GSO_ECN      0x80u

/* Segments we produce from one super-packet at most (the kernel's own
 * TCP stack rarely builds more than 64; the datapath sends them in groups of
 * at most 64, the kernel's UDP_MAX_SEGMENTS on older kernels). */
#define GSO_MAX_SEGS 256u
/* The largest IP packet (IPv4 total length; IPv6 without jumbograms). */
#define GSO_MAX_PACKET 65535u
#define GRO_MAX_SEGS   64u

struct vnet_hdr {
        uint8_t flags;
        uint8_t gso_type;
        uint16_t hdr_len;
        uint16_t gso_size;
        uint16_t csum_start;
        uint16_t csum_offset;
};

void vnet_hdr_parse(const uint8_t b[static VNET_HDR_LEN], struct vnet_hdr *ret);
void vnet_hdr_write(const struct vnet_hdr *h, uint8_t b[static VNET_HDR_LEN]);

/* Splits pkt (len bytes, after its virtio-net header h) into segments. Segment
 * i is written at out + i * stride + headroom and is seg_lens[i] bytes long;
 * each slot has room for seg_cap bytes. A packet that is not GSO is copied as
 * one segment, its checksum completed if NEEDS_CSUM asks for it. Returns the
 * number of segments (1..max_segs) or -EBADMSG (inconsistent headers, which
 * only a hostile or buggy kernel sends), -EMSGSIZE (segments larger than
 * seg_cap or more than max_segs), -EOPNOTSUPP (a GSO type we do not split). */
int gso_split(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, uint8_t *out, size_t stride,
              size_t headroom, size_t seg_cap, size_t max_segs, size_t seg_lens[]);

/* How gso_split() will cut pkt: the longest segment (headers included) and
 * the number of segments. Same errors as gso_split(). */
int gso_layout(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, size_t *ret_seg_max,
               size_t *ret_nseg);

/* Completes a partial checksum (NEEDS_CSUM) of a packet that is not GSO, in
 * place. -EBADMSG when csum_start/csum_offset point outside it. */
int gso_complete_csum(const struct vnet_hdr *h, uint8_t *pkt, size_t len);

/* Inbound coalescing. The caller lists the batch's decrypted inner packets in
 * arrival order; gro_coalesce() groups them. */
struct gro_pkt {
        uint8_t *p;
        size_t len;
};

struct gro_group {
        size_t first; /* index of the first member in the caller's array */
        size_t n;     /* members */
        size_t members[GRO_MAX_SEGS];
        size_t payload_off; /* headers' length (same for every member) */
        size_t total;       /* length of the coalesced packet (headers + payloads) */
        uint16_t gso_size;
        uint8_t family; /* 4 or 6, 0 = not TCP (written as is) */
        uint32_t next_seq;
        bool closed;
};

/* Groups n packets into groups (at most n); returns how many. Packets that
 * cannot be coalesced become groups of one. Per-flow order is kept: groups
 * are to be written in the order returned. */
size_t gro_coalesce(const struct gro_pkt *pkts, size_t n, struct gro_group *groups);

/* Writes the virtio-net header plus the coalesced packet's IP and TCP
 * headers (taken from the first member, with lengths, flags and checksums
 * fixed) into hdr (room for VNET_HDR_LEN + 120 bytes); returns the bytes
 * written. The payloads follow: pkts[g->members[i]].p + g->payload_off. For a
 * group of one, the header describes the packet as it is (no GSO). */
size_t gro_group_header(const struct gro_group *g, const struct gro_pkt *pkts, uint8_t *hdr);
#define GRO_HDR_MAX (VNET_HDR_LEN + 60u + 60u)
