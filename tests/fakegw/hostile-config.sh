#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile gateway in what it configures and asks once connected:
# 11. traffic selectors with lengths that lie (shorter, longer, 40 for IPv4),
#     a count above what follows, a truncated one, 200 of them; after a
#     successful connect, CREATE_CHILD_SA with REKEY_SA of protocol 0 (and
#     of protocol IKE with an SPI), an INFORMATIONAL with an unknown
#     critical payload, then a DELETE of the CHILD SA: answered, survived,
#     and the end is clean;
# 12. configuration attributes: virtual addresses 0.0.0.0, multicast,
#     loopback, the gateway's own, ::, ff02::1, ::1; DNS servers 0.0.0.0,
#     multicast, loopback (v4 and v6); DNS domains with control characters:
#     each refused with its own log line, the good ones kept; only bad
#     addresses: the attempt fails; selectors covering the gateway's
#     address: IKE still reaches it outside the tunnel.
LAB_PREFIX=fgc-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fakegw/lib.sh"

fg_setup
tap_plan_lazy

# ------------------------------------------------------------------ 11. selectors
ts_fail() {
    # Our AUTH over the MSK went out by design before this last answer.
    fg_fail "$1" "$1" 1 "no usable response from gateway vpn.lab.test to IKE_AUTH \(message 5\) .*: $2" \
        mschapv2-nt-response,msk-auth
}
ts_fail ts-sel-len-short "TSr payload: IPv4 selector 1 length 12 != 16"
ts_fail ts-sel-len-long "TSr payload: IPv4 selector 1 length 17 != 16"
ts_fail ts-v4-len-40 "TSi payload: IPv4 selector 1 length 40 != 16"
ts_fail ts-count-high "TSr payload: selector 2 needs 4 octets, 0 left"
ts_fail ts-truncated "TSr payload: selector 1 length 16 > 13 octets left"
ts_fail ts-many "TSr payload: 201 traffic selectors > maximum 64"

# ------------------------------------------------------------------ 11. requests once connected
ctl_expect() {
    local name=$1 what=$2 want=$3 got
    shift 3
    got=$(fg_ctl "$@" 2>&1)
    if printf '%s\n' "$got" | grep -qE -- "$want"; then
        ok "$name: $what ($got)"
    else
        not_ok "$name: $what: the fake got '$got', expected /$want/"
        diag "$(tail -n 10 "$E2E_OUT")"
    fi
}
requests_hook() {
    local name=$1
    ctl_expect "$name" "REKEY_SA for protocol 0 refused with NO_ADDITIONAL_SAS" \
        '^answered mid=0 payloads=N\(35\)$' rekey-proto0
    ctl_expect "$name" "REKEY_SA for protocol IKE with a 4-byte SPI refused" \
        '^answered mid=1 payloads=N\(35\)$' rekey-proto-ike-spi4
    ctl_expect "$name" "an unknown critical payload answered with UNSUPPORTED_CRITICAL_PAYLOAD" \
        '^answered mid=2 payloads=N\(1\)$' info-critical
    ctl_expect "$name" "and the next request still answered" '^answered mid=3 payloads=\(empty\)$' \
        liveness
    fg_out_has "$name" "still connected" '^state: connected'
    if grep -q '^state: failed' "$E2E_OUT"; then
        not_ok "$name: the connection failed on the way"
    else
        ok "$name: the connection survived all of it"
    fi
    # and the gateway deletes the tunnel: tsunagu answers and ends
    ctl_expect "$name" "a DELETE of the CHILD SA answered with ours" '^answered mid=4 payloads=D$' \
        delete-child
    local t=0
    while kill -0 "$E2E_PID" 2>/dev/null && [ $t -lt 50 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    wait "$E2E_PID" 2>/dev/null
    E2E_RC=$?
    E2E_PID=
    FG_ERRLINE=$(grep -E 'connection failed \(' "$E2E_OUT" | tail -n1)
    if [ "$E2E_RC" = 1 ] && printf '%s\n' "$FG_ERRLINE" | grep -q '(deleted): the gateway deleted the tunnel'; then
        ok "$name: exit 1, ${FG_ERRLINE#*connection failed }"
    else
        not_ok "$name: exit $E2E_RC after the DELETE: $FG_ERRLINE"
    fi
}
# (fg_ok's disconnect step finds tsunagu gone: done by hand)
fg_case requests ok
if fg_expect_connect requests; then
    requests_hook requests
fi
fg_end_case requests

# ------------------------------------------------------------------ 12. configuration
cp_hook() {
    local name=$1 line
    while IFS= read -r line; do
        fg_out_has "$name" "refused: ${line#*refusing }" "^tsunagu: $line"
    done <<'LINES'
refusing virtual IPv4 address 0\.0\.0\.0 from the gateway: an address in 0\.0\.0\.0/8
refusing virtual IPv4 address 224\.0\.0\.1 from the gateway: a multicast address
refusing virtual IPv4 address 127\.0\.0\.1 from the gateway: a loopback address
refusing virtual IPv4 address 203\.0\.113\.2 from the gateway: the gateway's own address
refusing virtual IPv6 address :: from the gateway: the unspecified address
refusing virtual IPv6 address ff02::1 from the gateway: a multicast address
refusing virtual IPv6 address ::1 from the gateway: the loopback address
refusing DNS server 0\.0\.0\.0 from the gateway: an address in 0\.0\.0\.0/8
refusing DNS server 224\.0\.0\.251 from the gateway: a multicast address
refusing DNS server 127\.0\.0\.53 from the gateway: a loopback address
refusing DNS server ff02::fb from the gateway: a multicast address
refusing DNS server ::1 from the gateway: the loopback address
LINES
    local n
    n=$(grep -c '^tsunagu: refusing a DNS domain from the gateway: not a plain DNS name' "$E2E_OUT")
    if [ "$n" = 3 ]; then
        ok "$name: the 3 DNS domains with control characters refused, one line each"
    else
        not_ok "$name: $n DNS domains refused (expected 3)"
    fi
    fg_out_has "$name" "the good address kept" '^  virtual IP  10\.99\.0\.1$'
    fg_out_has "$name" "the good DNS server and domain kept" '^  DNS         10\.20\.0\.10 \(domains: corp\.test\)$'
    local resolv
    resolv=$(in_client cat /etc/resolv.conf)
    if printf '%s\n' "$resolv" | grep -q '^nameserver 10\.20\.0\.10$' &&
        ! printf '%s\n' "$resolv" | grep -qE '192\.0\.2\.66|127\.0\.0\.53|224\.|::1|ff02'; then
        ok "$name: resolv.conf has the good server only"
    else
        not_ok "$name: resolv.conf: $(printf '%s' "$resolv" | tr '\n' '|')"
    fi
    if in_client ip -o addr | grep -qE ' (0\.0\.0\.0|224\.0\.0\.1|127\.0\.0\.1|203\.0\.113\.2)/32 .*tsu'; then
        not_ok "$name: a refused address is on the tunnel device"
    else
        ok "$name: no refused address on the tunnel device"
    fi
}
FG_HOOK=cp_hook fg_ok cp-hostile cp-hostile
FG_HOOK=
fg_fail cp-only-bad-vip cp-only-bad-vip 1 \
    "\(config-refused\): IKE_AUTH: the gateway assigned no usable virtual IP address" \
    mschapv2-nt-response,msk-auth

gw_route_hook() {
    local name=$1
    if in_client ip route show table all | grep -q '^203\.0\.113\.0/24 dev tsu'; then
        ok "$name: the selector covering the gateway is routed into the tunnel"
    else
        not_ok "$name: no tunnel route for 203.0.113.0/24"
        diag "$(in_client ip route show table all | grep -v local)"
    fi
    ctl_expect "$name" "IKE still reaches the gateway outside the tunnel" \
        '^answered mid=0 payloads=\(empty\)$' liveness
    fg_ctl esp valid 1 >/dev/null
    sleep 0.5
    fg_log_has "$name" "and ESP too (the client's answer to our ping came back)" \
        'esp-in spi=[0-9a-f]+ seq=1 nh=4 icmp-echo-reply 10\.99\.0\.1 -> 10\.20\.0\.10'
}
FG_HOOK=gw_route_hook fg_ok tsr-covers-gateway tsr-covers-gateway
FG_HOOK=

tap_done
