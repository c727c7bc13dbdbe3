#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile gateway inside EAP:
# 10. EAP Length fields that disagree with the payload (shorter, longer,
#     65535, below the header), an MS-CHAPv2 MS-Length that lies, an EAP-MD5
#     Value-Size beyond the data; EAP-TLS (raw bytes after the ClientHello,
#     the fake does no TLS): a TLS Message Length of 2^31 - 1, one smaller than
#     the unfragmented data, fragments that add up to more than announced,
#     and a TLS record whose header claims more than TLS allows;
#  and an EAP Notification with control characters and a request of a type
#  nobody knows before the real method: both survived, the connection comes
#  up.
# No password-derived value may leave in any of the failures (for EAP-TLS:
# nothing after the ClientHello but acknowledgements).
LAB_PREFIX=fge-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fakegw/lib.sh"

fg_setup
tap_plan_lazy

# ------------------------------------------------------------------ EAP framing
for c in short long huge tiny; do
    fg_fail "eap-len-$c" "eap-len-$c" 1 \
        "no usable response from gateway vpn.lab.test to IKE_AUTH \(message 2\) .*: EAP payload: EAP length [0-9]+ != payload body 32" \
        none
done
fg_fail eap-ms-length eap-ms-length 1 \
    "EAP-MSCHAPv2: the gateway's EAP packet cannot be used: EAP-MSCHAPv2 MS-Length 34 disagrees with the 27 bytes of the request" \
    none
FG_METHOD=eap-md5 fg_fail eap-md5-value-size eap-md5-value-size 1 \
    "EAP-MD5: the gateway's EAP packet cannot be used: EAP-MD5 Value-Size 200 exceeds the 22 bytes that follow" \
    none

# ------------------------------------------------------------------ EAP-TLS
tls_only_hello() {
    local name=$1 n
    # EAP-TLS responses with data: the ClientHello only (304 bytes with this
    # client certificate's key type), everything else an empty ACK (6)
    n=$(grep -E ' eap-recv code=2 id=[0-9]+ type=13 len=' "$FG_DIR/fakegw.log" |
        grep -vcE 'len=(6|304)$')
    if [ "$n" = 0 ] && grep -qE ' eap-recv code=2 id=[0-9]+ type=13 len=304$' "$FG_DIR/fakegw.log"; then
        ok "$name: only the ClientHello and acknowledgements left"
    else
        not_ok "$name: other EAP-TLS data left"
        diag "$(grep -E ' eap-' "$FG_DIR/fakegw.log")"
    fi
}
tls_fail() {
    FG_METHOD=eap-tls fg_fail "$1" "$1" "$2" "$3" none
}
tls_fail tls-len-huge 1 \
    "EAP-TLS: the gateway's EAP packet cannot be used: EAP-TLS message of 2147483647 bytes is larger than the 65536 accepted"
tls_only_hello tls-len-huge
tls_fail tls-len-short 1 \
    "EAP-TLS: the gateway's EAP packet cannot be used: EAP-TLS TLS Message Length 10 but the unfragmented message has 54 bytes"
tls_only_hello tls-len-short
tls_fail tls-len-overflow 1 \
    "EAP-TLS: the gateway's EAP packet cannot be used: EAP-TLS fragments exceed 100 bytes \(80 \+ 200\)"
tls_only_hello tls-len-overflow
tls_fail tls-record-lie 3 "\(auth-failed\): EAP-TLS failed: EAP-TLS: TLS handshake failed \(packet length too long\)"
tls_only_hello tls-record-lie

# ------------------------------------------------------------------ survivable oddities
notification_hook() {
    fg_out_has "$1" "the notification is shown, sanitized" \
        'message from the gateway: Welcome\?\[31m\?\?\?fake prompt: \?\?'
    if grep -q $'\x1b' "$E2E_OUT"; then
        not_ok "$1: an escape character reached the terminal"
    else
        ok "$1: no control character reached the terminal"
    fi
}
FG_HOOK=notification_hook fg_ok eap-notification eap-notification
unknown_hook() {
    fg_log_has "$1" "the unknown type was refused with a Nak naming MS-CHAPv2" 'eap-nak 1a'
}
FG_HOOK=unknown_hook fg_ok eap-unknown-type eap-unknown-type
FG_HOOK=

tap_done
