#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes the seed corpus of fuzz_esp_decap (see the comment atop fuzz_esp_decap.c).
# Usage: make-esp-corpus.py DIR
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

out = sys.argv[1]
KEY = bytes(range(0x10, 0x20)) + bytes([0xa0, 0xa1, 0xa2, 0xa3])
SPI = 0x0badcafe

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ipv4(src, dst, proto, l4):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0,
                              bytes(src), bytes(dst)))
    struct.pack_into("!H", h, 10, csum(bytes(h)))
    return bytes(h) + l4

def tcp(seq, flags, payload):
    return struct.pack("!HHIIBBHHH", 40000, 443, seq, 1, 0x50, flags, 512, 0, 0) + payload

def ipv6(src, dst, nh, l4):
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), nh, 64, src, dst) + l4

def trailer(inner, nh, align=4):
    pad = (align - (len(inner) + 2) % align) % align
    return inner + bytes(range(1, pad + 1)) + bytes([pad, nh])

def write(name, data):
    with open("%s/%s" % (out, name), "wb") as f:
        f.write(data)

gw, vip = [192, 0, 2, 1], [198, 51, 100, 7]
inner = ipv4(gw, vip, 6, tcp(1, 0x10, b"hello"))
# NULL SA (mode 2): header, no IV, payload, no ICV.
write("null-ok", bytes([2]) + b"\0\0\0\0" + struct.pack("!II", SPI, 1) + trailer(inner, 4))
write("null-dummy", bytes([2]) + b"\0\0\0\0" + struct.pack("!II", SPI, 2) + trailer(inner, 59))
write("null-badpad", bytes([2]) + b"\0\0\0\0" + struct.pack("!II", SPI, 3) + inner + b"\x01\x03\x02\x04")
v6src = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1])
v6vip = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [7])
write("null-v6", bytes([3]) + b"\0\0\0\0" + struct.pack("!II", SPI, 9) +
      trailer(ipv6(v6src, v6vip, 6, tcp(5, 0x18, b"x" * 40)), 41))
write("ike", bytes([0]) + b"\0\0\0\0" + b"\0\0\0\0" + b"\x11" * 28)
write("keepalive", bytes([0]) + b"\0\0\0\0" + b"\xff")
# AES-128-GCM (mode 0), IV = sequence number.
for seq in (1, 77):
    iv = struct.pack("!Q", seq)
    hdr = struct.pack("!II", SPI, seq)
    ct = AESGCM(KEY[:16]).encrypt(KEY[16:] + iv, trailer(inner, 4), hdr)
    write("gcm-%d" % seq, bytes([0]) + b"\0\0\0\0" + hdr + iv + ct)
# TSO super-packet (mode 4): vnet header + IPv4/TCP with 5000 bytes.
big = ipv4(vip, gw, 6, tcp(1000, 0x18, bytes(range(256)) * 19 + b"z" * 136))
vh = struct.pack("=BBHHHH", 1, 1, 40, 1300, 20, 16)
write("tso4", bytes([4]) + vh + big)
big6 = ipv6(v6vip, v6src, 6, tcp(1000, 0x10, b"q" * 3000))
write("tso6", bytes([4]) + struct.pack("=BBHHHH", 1, 4, 60, 1000, 40, 16) + big6)
udp = struct.pack("!HHHH", 5000, 5001, 8 + 4000, 0) + b"u" * 4000
write("uso4", bytes([4]) + struct.pack("=BBHHHH", 1, 5, 28, 1200, 20, 6) + ipv4(vip, gw, 17, udp))
write("csum-only", bytes([4]) + struct.pack("=BBHHHH", 1, 0, 0, 0, 20, 16) + inner)
# Coalescing (mode 5): a run of 4 segments, another flow, a UDP packet.
segs = b""
for i in range(4):
    p = ipv4(gw, vip, 6, tcp(1 + 1000 * i, 0x10, b"s" * 1000))
    segs += struct.pack("!H", len(p)) + p
other = ipv4([192, 0, 2, 9], vip, 6, tcp(5, 0x18, b"o" * 100))
segs += struct.pack("!H", len(other)) + other
u = ipv4(gw, vip, 17, struct.pack("!HHHH", 1, 2, 10, 0) + b"ab")
segs += struct.pack("!H", len(u)) + u
write("gro-mix", bytes([5]) + segs)
