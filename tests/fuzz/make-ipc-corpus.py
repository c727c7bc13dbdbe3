#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes seeds for fuzz_daemon_ipc: valid messages of each type in the
layout of client/daemon/ipc.h (big-endian, fixed arrays, NUL-padded
strings), and an APPLY that netcheck refuses. Run from the source tree."""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "corpus", "fuzz_daemon_ipc")
TEXT, LOG, SECRET, FQDN = 256, 512, 256, 256
MAX_ADDRS, MAX_DNS, MAX_DOMAINS, DOMAIN, MAX_PREFIXES, MAX_DROPS, DROP = 4, 8, 8, 254, 64, 24, 24


def text(s, n):
    b = s.encode()
    assert len(b) < n
    return b + b"\0" * (n - len(b))


def prefix(fam, plen, addr):
    b = bytes(addr)
    return bytes([fam, plen]) + b + b"\0" * (16 - len(b))


def prefixes(items, n):
    return b"".join(prefix(*i) for i in items) + b"\0" * (18 * (n - len(items)))


def endpoint(fam, addr, port):
    if fam == 0:
        return b"\0" * 20
    return prefix(fam, 32 if fam == 4 else 128, addr) + struct.pack(">H", port)


def msg(t, body):
    return struct.pack(">HH", t, len(body)) + body


def apply(addrs, dns, domains, inc, exc, full=0, mtu=1400):
    b = struct.pack(">IB", mtu, full)
    b += bytes([len(addrs)]) + prefixes(addrs, MAX_ADDRS)
    b += bytes([len(dns)]) + prefixes(dns, MAX_DNS)
    b += bytes([len(domains)]) + b"".join(text(d, DOMAIN) for d in domains)
    b += b"\0" * (DOMAIN * (MAX_DOMAINS - len(domains)))
    b += struct.pack(">H", len(inc)) + prefixes(inc, MAX_PREFIXES)
    b += struct.pack(">H", len(exc)) + prefixes(exc, MAX_PREFIXES)
    return msg(2, b)


def status():
    b = struct.pack(">QQQQQ", 1000, 2000, 10, 20, 1700000000)
    b += prefix(4, 0, [203, 0, 113, 2]) + struct.pack(">HB", 4500, 2)
    drops = [("replay", 3), ("bad-icv", 1)]
    b += b"".join(text(n, DROP) + struct.pack(">Q", c) for n, c in drops)
    b += b"\0" * ((DROP + 8) * (MAX_DROPS - len(drops)))
    return msg(6, b)


seeds = {
    "state-connected": msg(1, bytes([3]) + struct.pack(">H", 0) + text("", TEXT)),
    "state-failed": msg(1, bytes([6]) + struct.pack(">H", 8) + text("no answer from 203.0.113.2", TEXT)),
    "apply-split": apply([(4, 32, [10, 99, 0, 7]), (6, 128, [0xfd, 0, 0, 0x99] + [0] * 11 + [7])],
                         [(4, 32, [10, 20, 0, 10])], ["corp.test"],
                         [(4, 24, [10, 20, 0, 0])], [(4, 24, [10, 20, 99, 0])]),
    "apply-full": apply([(4, 32, [10, 98, 0, 7])], [], [], [(4, 0, [0, 0, 0, 0])], [], full=1),
    "apply-refused": apply([(4, 32, [127, 0, 0, 1])], [(4, 32, [224, 0, 0, 1])], ["a..b"],
                           [(4, 0, [0, 0, 0, 0])], [(4, 1, [0, 0, 0, 0])], mtu=100),
    "revert": msg(3, b"\x01"),
    "need-secret": msg(4, b"\x00" + text("Password for alice at vpn.lab.test", TEXT)),
    "log": msg(5, b"\x06" + text("IKE_SA_INIT: AES_GCM_16_256 chosen ✓", LOG)),
    "status": status(),
    "apply-result": msg(32, struct.pack(">i", -22) + text("refused", TEXT)),
    "secret": msg(33, b"\x00" + struct.pack(">iH", 0, 5) + b"hello" + b"\0" * (SECRET - 5)),
    "disconnect": msg(34, b""),
    "start": msg(35, b""),
    "redirect-fqdn": msg(7, prefix(0, 0, []) + text("gw2.lab.test", FQDN) + b"\x01"),
    "redirect-addr": msg(7, prefix(4, 32, [203, 0, 113, 3]) + text("", FQDN) + b"\x02"),
    "network-changed": msg(36, endpoint(4, [192, 168, 77, 10], 40123)),
    "network-changed-unknown": msg(36, endpoint(0, [], 0)),
    "redirect-ready": msg(37, struct.pack(">i", 0) + endpoint(4, [203, 0, 113, 3], 500) +
                          endpoint(4, [192, 168, 77, 10], 40124) + text("", TEXT)),
    "redirect-ready-v6": msg(37, struct.pack(">i", 0) + endpoint(6, [0x20, 1, 0xd, 0xb8] + [0] * 11 + [3], 500) +
                             endpoint(0, [], 0) + text("", TEXT)),
    "redirect-refused": msg(37, struct.pack(">i", -1) + endpoint(0, [], 0) + endpoint(0, [], 0) +
                            text("gw2.lab.test resolves to 127.0.0.1 (loopback)", TEXT)),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
