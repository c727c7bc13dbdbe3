# SPDX-License-Identifier: GPL-2.0-or-later
"""ESP for the fake gateway (RFC 4303 tunnel mode in UDP, RFC 3948), just
enough to send crafted packets with the negotiated keys and to read what the
client sends back. No ESN (the fake never offers it).

    SPI (4) | Sequence Number (4) | IV | payload | padding | pad length | next header | ICV
"""

import hmac
import os
import struct

import fg_codec as C

NEXT_IPV4 = 4
NEXT_IPV6 = 41


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipv4_icmp_echo(src, dst, ident=0x7473, seq=1, payload=b"fakegw ping", ttl=64):
    """An IPv4 ICMP echo request, checksums right."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", inet_checksum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0x1234, 0, ttl, 1, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", inet_checksum(hdr)) + hdr[12:]
    return hdr + icmp


def encap(d, spi, seq, inner, next_header=NEXT_IPV4, pad=None, pad_len=None, corrupt_icv=False):
    """One ESP packet with the direction keys d (fg_crypto.Dir). pad /
    pad_len override the padding bytes (RFC 4303 2.4: 1, 2, 3, ...) or the
    Pad Length field."""
    s = d.suite
    align = max(s.block, 4)
    n = (-(len(inner) + 2)) % align
    padding = bytes(range(1, n + 1)) if pad is None else pad
    plen = len(padding) if pad_len is None else pad_len
    plain = inner + padding + bytes([plen, next_header])
    head = struct.pack("!II", spi, seq)
    iv = os.urandom(s.iv_len)
    if s.aead:
        pkt = head + iv + d.seal(head, iv, plain)
    else:
        pkt = head + iv + d.seal(b"", iv, plain)
        pkt += d.mac(pkt)
    if corrupt_icv:
        pkt = pkt[:-1] + bytes([pkt[-1] ^ 0x01])
    return pkt


def decap(d, pkt):
    """-> (spi, seq, next header, inner). Raises ValueError."""
    s = d.suite
    spi, seq = struct.unpack("!II", pkt[:8])
    iv = pkt[8:8 + s.iv_len]
    if s.aead:
        plain = d.open(pkt[:8], iv, pkt[8 + s.iv_len:])
    else:
        if not hmac.compare_digest(d.mac(pkt[:-s.icv_len]), pkt[-s.icv_len:]):
            raise ValueError("ICV")
        plain = d.open(b"", iv, pkt[8 + s.iv_len:-s.icv_len])
    padlen, nh = plain[-2], plain[-1]
    return spi, seq, nh, plain[:len(plain) - 2 - padlen]


def describe_inner(inner):
    """"icmp-echo-reply 10.99.0.1 -> 10.20.0.10 icmp-seq=1" for logs."""
    if len(inner) >= 20 and inner[0] >> 4 == 4:
        src = ".".join(str(b) for b in inner[12:16])
        dst = ".".join(str(b) for b in inner[16:20])
        proto, hl = inner[9], (inner[0] & 15) * 4
        what = "proto-%d" % proto
        tail = ""
        if proto == 1 and len(inner) > hl:
            what = {0: "icmp-echo-reply", 8: "icmp-echo-request"}.get(inner[hl], "icmp")
            if inner[hl] in (0, 8) and len(inner) >= hl + 8:
                tail = " icmp-seq=%d" % struct.unpack("!H", inner[hl + 6:hl + 8])
        return "%s %s -> %s%s" % (what, src, dst, tail)
    if len(inner) >= 40 and inner[0] >> 4 == 6:
        return "ipv6 next-header %d" % inner[6]
    return "non-ip (%d bytes)" % len(inner)


__all__ = ["encap", "decap", "ipv4_icmp_echo", "describe_inner", "C"]
