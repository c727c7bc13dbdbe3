#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile gateway in IKE_SA_INIT (tests/fakegw/fakegw.py in the lab's
# gateway namespace, tsunagu in the client namespace):
#  1. public key values a client must refuse: MODP y outside (1, p-1) for
#     group 14, ECP points off the curve (and not a point, and short) for 19,
#     X25519 values of small order (all-zero shared secret) for 31;
#  2. a chosen proposal we never offered, without its DH transform, with a DH
#     group other than the KE's, two of a kind, two proposals;
#  3. an unknown critical payload, an IKEv1 payload, an IKEv1 header (and
#     the same in the first IKE_AUTH answer); an unknown non-critical payload
#     is fine;
#  and a nonce of the wrong size, a zero responder SPI, endless cookies.
# Every case: the exit code and the reason tsunagu prints, no EAP packet
# ever sent, no sanitizer report, nothing left in the client namespace.
LAB_PREFIX=fgi-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fakegw/lib.sh"

fg_setup
tap_plan_lazy

# ------------------------------------------------------------------ 1. key exchange
modp="ike = aes256gcm16-prfsha256-modp2048!"
for v in zero one p-1 p; do
    fg_fail "ke-modp-$v" "ke-modp-$v" 1 \
        "IKE_SA_INIT: the gateway's public value is not valid: MODP public value not in the range \(1, p-1\)" \
        noeap -- "$modp"
done
ecp="ike = aes256gcm16-prfsha256-ecp256!"
fg_fail ke-ecp-off-curve ke-ecp-off-curve 1 "ECP public value is not a point on the curve" \
    noeap -- "$ecp"
fg_fail ke-ecp-zero ke-ecp-zero 1 "ECP public value is the point at infinity" noeap -- "$ecp"
fg_fail ke-ecp-short ke-ecp-short 1 "public value length does not match the group" noeap -- "$ecp"
x25519="ike = aes256gcm16-prfsha256-curve25519!"
for v in zero small-order; do
    fg_fail "ke-x25519-$v" "ke-x25519-$v" 1 \
        "low-order peer public value: all-zero shared secret \(RFC 8031 2.3" noeap -- "$x25519"
done
# the control: the same profiles against a well-behaved fake connect
fg_ok ok-modp2048 ok -- "$modp"
fg_ok ok-curve25519 ok -- "$x25519"

# ------------------------------------------------------------------ 2. proposals
fg_fail sa-encr-not-offered sa-encr-not-offered 1 \
    "invalid choice of the gateway: the gateway chose aes192gcm16, which we did not offer" noeap
fg_fail sa-prf-not-offered sa-prf-not-offered 1 \
    "invalid choice of the gateway: the gateway chose prfsha512, which we did not offer" noeap
fg_fail sa-no-dh sa-no-dh 1 "the gateway's proposal has no key exchange \(DH\) method" noeap
fg_fail sa-dh-not-ke sa-dh-not-ke 1 \
    "the gateway chose key exchange ECP256 but did not ask us to change from CURVE25519" noeap \
    -- "ike = aes256gcm16-prfsha256-curve25519-ecp256!"
fg_fail sa-two-encr sa-two-encr 1 "the gateway chose two transforms of type ENCR" noeap
fg_fail sa-number-not-offered sa-number-not-offered 1 \
    "the gateway chose proposal number 200, we offered 2 proposals" noeap
fg_fail sa-two-proposals sa-two-proposals 1 "the gateway chose 2 proposals \(must be exactly one\)" \
    noeap

# ------------------------------------------------------------------ 3. payloads
# A gateway whose every answer is malformed is not "unreachable" (exit 1,
# the reason says why the answers were dropped).
fg_fail sa-init-unknown-critical sa-init-unknown-critical 1 \
    "no usable response from gateway vpn.lab.test to IKE_SA_INIT \(message 0\) after [0-9]+ s and 1 retransmissions: 2 malformed answers dropped, the last because: payload chain: unsupported critical payload type 200" \
    noeap
fg_ok sa-init-unknown-noncritical sa-init-unknown-noncritical
fg_fail sa-init-ikev1-payload sa-init-ikev1-payload 1 \
    "no usable response .* IKE_SA_INIT .*: payload chain: IKEv1 payload type 8 in an IKEv2 message" \
    noeap
fg_fail sa-init-ikev1-version sa-init-ikev1-version 1 \
    "no usable response .* IKE_SA_INIT .*: not IKEv2 \(version 1.0\)" noeap
fg_fail auth-unknown-critical auth-unknown-critical 1 \
    "no usable response .* IKE_AUTH \(message 1\) .*: payload chain: unsupported critical payload type 200" \
    noeap
fg_fail auth-ikev1-payload auth-ikev1-payload 1 \
    "no usable response .* IKE_AUTH \(message 1\) .*: payload chain: IKEv1 payload type 8" noeap

# ------------------------------------------------------------------ more of IKE_SA_INIT
fg_fail nonce-short nonce-short 1 "no usable response .*: Nonce payload: length 12 < minimum 20" \
    noeap
fg_fail nonce-long nonce-long 1 "no usable response .*: Nonce payload: nonce of 300 octets" noeap
fg_fail spi-r-zero spi-r-zero 1 "IKE_SA_INIT: the gateway's SPI is zero" noeap
fg_fail cookie-loop cookie-loop 1 "the gateway asked for a cookie 4 times in a row; giving up" noeap

tap_done
