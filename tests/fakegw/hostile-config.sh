#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The hostile gateway in what it configures, what it asks once connected,
# and on the datapath (issue 11 section 2, cases 11-13). One lab for all of
# them.
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
#
# A hostile gateway on the datapath (issue 11, case 13): once connected, the
# fake sends ESP packets crafted with the negotiated keys (fakegw.py ctl
# esp KIND SEQ): sequence 0, a duplicate, one left of the replay window, a
# bad ICV (the window must not move: a later packet far below the forged
# sequence number still gets through, and so does the same sequence number
# with a good ICV), bad padding bytes, a Pad Length beyond the payload, an
# unknown SPI, an inner source outside the traffic selectors, an inner
# destination that is not our virtual IP, a next header that is neither IPv4
# nor IPv6, a TFC dummy, a truncated packet. Each must be dropped (the
# client's kernel never answers the ICMP echo inside) and counted under its
# reason in the counters `tsunagu connect --foreground` prints on SIGUSR1;
# the valid packets in between are answered (the fake logs the echo reply
# that comes back through the tunnel).
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
    # and the gateway deletes the tunnel: tsunagu answers, then connects
    # again by itself (issue 10: the tunnel, routes and kill switch stay)
    ctl_expect "$name" "a DELETE of the CHILD SA answered with ours" '^answered mid=4 payloads=D$' \
        delete-child
    local t=0
    until grep -q '^state: connected' <(sed -n '/^state: reconnecting/,$p' "$E2E_OUT") ||
        ! kill -0 "$E2E_PID" 2>/dev/null || [ $t -ge 300 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    fg_out_has "$name" "the deleted tunnel is re-established: reconnecting" \
        'the gateway deleted the tunnel \(CHILD SA [0-9a-f]+\); reconnecting'
    if sed -n '/^state: reconnecting/,$p' "$E2E_OUT" | grep -q '^state: connected'; then
        ok "$name: connected again by itself after $((t / 10)).$((t % 10)) s"
    else
        not_ok "$name: not connected again within 30 s"
        diag "$(tail -n 15 "$E2E_OUT")"
    fi
    fg_disconnect "$name"
}
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

# usr1: SIGUSR1 to tsunagu, then DROPS (the "drops" line, "none" or
# "reason=n ...") and PKTS_IN from the block it prints.
usr1() {
    local before t=0 blk
    before=$(grep -c '^  drops ' "$E2E_OUT")
    kill -USR1 "$E2E_PID"
    while [ "$(grep -c '^  drops ' "$E2E_OUT")" -le "$before" ] && [ $t -lt 250 ]; do
        sleep 0.02
        t=$((t + 1))
    done
    blk=$(awk '/^status: /{b=""} {b=b $0 "\n"} END {printf "%s", b}' "$E2E_OUT")
    DROPS=$(printf '%s' "$blk" | sed -n 's/^  drops *//p' | tail -n1)
    PKTS_IN=$(printf '%s' "$blk" | sed -n 's/^  packets *in \([0-9]*\),.*/\1/p' | tail -n1)
}

# drop_count REASON: its count in DROPS (0 when absent).
drop_count() {
    local v
    v=$(printf '%s\n' "$DROPS" | tr ' ' '\n' | sed -n "s/^$1=//p")
    echo "${v:-0}"
}

# replies ICMPSEQ: how many echo replies with this ICMP sequence number came
# back to the fake through the tunnel.
replies() {
    grep -cE "esp-in spi=[0-9a-f]+ seq=[0-9]+ nh=4 icmp-echo-reply 10\.99\.0\.1 -> 10\.20\.0\.10 icmp-seq=$1\$" \
        "$FG_DIR/fakegw.log"
}

# esp_case DESCRIPTION KIND SEQ REASON: the fake sends one packet; REASON
# ("accept" for none) must grow by exactly one, the other reasons not at
# all, and an echo reply must come back exactly when it is accepted.
esp_case() {
    local what=$1 kind=$2 seq=$3 reason=$4 sent icmp r0 r1 before after b a
    icmp=$((seq & 0xffff))
    r0=$(replies "$icmp")
    usr1
    before=$DROPS
    local in0=$PKTS_IN
    sent=$(fg_ctl esp "$kind" "$seq" 2>&1)
    case $sent in
    sent*) ;;
    *)
        not_ok "esp $what: the fake did not send it: $sent"
        return
        ;;
    esac
    # accepted: wait (up to 2 s) for the echo reply; dropped: for the
    # counter (once counted, the packet will never be answered)
    local t=0
    if [ "$reason" = accept ]; then
        while [ "$(replies "$icmp")" = "$r0" ] && [ $t -lt 100 ]; do
            sleep 0.02
            t=$((t + 1))
        done
        usr1
    else
        DROPS=$before
        b=$(drop_count "$reason")
        while :; do
            usr1
            if [ "$(drop_count "$reason")" -gt "$b" ] || [ $t -ge 20 ]; then
                break
            fi
            sleep 0.05
            t=$((t + 1))
        done
    fi
    r1=$(replies "$icmp")
    after=$DROPS
    local bad=
    for r in malformed unknown_spi replay bad_icv bad_padding bad_next_header dummy bad_inner \
        inner_dst inner_src sa_expired; do
        DROPS=$before
        b=$(drop_count $r)
        DROPS=$after
        a=$(drop_count $r)
        if [ "$r" = "$reason" ]; then
            [ $((a - b)) = 1 ] || bad="$bad $r $b->$a (expected +1);"
        else
            [ "$a" = "$b" ] || bad="$bad $r $b->$a;"
        fi
    done
    if [ "$reason" = accept ]; then
        [ $((r1 - r0)) = 1 ] || bad="$bad $((r1 - r0)) echo replies (expected 1);"
        [ $((PKTS_IN - in0)) -ge 1 ] || bad="$bad packets in $in0->$PKTS_IN;"
    else
        [ "$r1" = "$r0" ] || bad="$bad answered although dropped;"
    fi
    if [ -z "$bad" ]; then
        if [ "$reason" = accept ]; then
            ok "esp $what (seq $seq): accepted and answered"
        else
            ok "esp $what (seq $seq): dropped, counted as $reason=$(drop_count "$reason")"
        fi
    else
        not_ok "esp $what (seq $seq):$bad"
        diag "sent: $sent" "drops before: $before" "drops after: $after" \
            "$(tail -n 5 "$FG_DIR/fakegw.log")"
    fi
}

fg_case esp ok
if fg_expect_connect esp; then
    usr1
    if [ "$DROPS" = none ]; then
        ok "esp: no drops after the connect"
    else
        not_ok "esp: drops after the connect: $DROPS"
    fi
    esp_case "a valid packet" valid 1 accept
    esp_case "sequence number 0" seq0 2 replay
    esp_case "a duplicate" valid 1 replay
    esp_case "a jump ahead" valid 3000 accept
    esp_case "left of the window (3000 - 1984)" valid 1000 replay
    # the window must not move on a bad ICV: with it at 100000, 5000
    # would be left of it and 6000 a duplicate
    esp_case "a bad ICV far ahead" badicv 100000 bad_icv
    esp_case "a valid packet far below the forged number" valid 5000 accept
    esp_case "a bad ICV" badicv 6000 bad_icv
    esp_case "the same number with a good ICV" valid 6000 accept
    esp_case "padding bytes not 1, 2, 3, ..." badpad 6001 bad_padding
    esp_case "a Pad Length beyond the payload" padlen 6002 bad_padding
    esp_case "an unknown SPI" unknownspi 6003 unknown_spi
    esp_case "an inner source outside the traffic selectors" innersrc 6004 inner_src
    esp_case "an inner destination other than our address" innerdst 6005 inner_dst
    esp_case "next header UDP" badnh 6006 bad_next_header
    esp_case "a TFC dummy (next header 59)" dummy 6007 dummy
    esp_case "12 bytes" short 6008 malformed
    esp_case "and the SA still works" valid 6009 accept
    usr1
    diag "counters at the end: drops $DROPS, packets in $PKTS_IN"
    want="bad_icv=2 bad_next_header=1 bad_padding=2 dummy=1 inner_dst=1 inner_src=1 malformed=1 replay=3 unknown_spi=1"
    got=$(printf '%s\n' "$DROPS" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
    if [ "${got% }" = "$want" ]; then
        ok "esp: the drops by reason add up: $want"
    else
        not_ok "esp: drops '${got% }', expected '$want'"
    fi
    fg_disconnect esp
fi
fg_end_case esp

tap_done
