#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Leave one half-open IKE SA on a gateway (RFC 7296 1.2 and 2.6).

capture.sh runs this in the lab's "internet" namespace for the `cookie`
scenario: with charon.cookie_threshold = 1 the gateway then answers the next
IKE_SA_INIT from the strongSwan client with a COOKIE notify instead of
creating state. The request is complete and valid (AES-GCM-16-256,
PRF-HMAC-SHA2-256, X25519 with a random public value), so the gateway
answers it and keeps the IKE SA half-open until charon.half_open_timeout.

usage: halfopen.py GATEWAY_IP   (exit 0 once the gateway has answered)
"""

import os
import socket
import struct
import sys

IKE_SA_INIT = 34
PL_SA, PL_KE, PL_NONCE = 33, 34, 40


def transform(last, ttype, tid, keylen=None):
    attrs = b"" if keylen is None else struct.pack("!HH", 0x800E, keylen)
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def payload(next_type, body):
    return struct.pack("!BBH", next_type, 0, 4 + len(body)) + body


def build_request():
    transforms = (transform(False, 1, 20, 256)  # ENCR_AES_GCM_16, 256-bit key
                  + transform(False, 2, 5)      # PRF_HMAC_SHA2_256
                  + transform(True, 4, 31))     # Curve25519
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transforms), 1, 1, 0, 3) + transforms
    body = (payload(PL_KE, proposal)
            + payload(PL_NONCE, struct.pack("!HH", 31, 0) + os.urandom(32))
            + payload(0, os.urandom(32)))
    header = struct.pack("!8s8sBBBBII", os.urandom(8), bytes(8), PL_SA, 0x20,
                         IKE_SA_INIT, 0x08, 0, 28 + len(body))
    return header + body


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    request = build_request()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2.0)
        for _ in range(3):
            sock.sendto(request, (sys.argv[1], 500))
            try:
                reply = sock.recv(65535)
            except socket.timeout:
                continue
            # A response carrying an SA payload means the gateway created a
            # (half-open) IKE SA; anything else (a notify) means it did not.
            if (len(reply) >= 28 and reply[:8] == request[:8] and reply[18] == IKE_SA_INIT
                    and reply[19] & 0x20 and reply[16] == PL_SA):
                print(f"half-open IKE SA {reply[:8].hex()}_i {reply[8:16].hex()}_r")
                return 0
            sys.exit(f"halfopen: unexpected answer {reply[:40].hex()}")
    sys.exit("halfopen: no answer from the gateway")


if __name__ == "__main__":
    sys.exit(main())
