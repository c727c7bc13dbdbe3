#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
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
LAB_PREFIX=fgp-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fakegw/lib.sh"

fg_setup
tap_plan_lazy

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
LAST_DROPS=none
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
            [ "$(drop_count "$reason")" -gt "$b" ] || [ $t -ge 20 ] && break
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
