#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rekeying under load, against the lab's strongSwan gateway:
#  1. the REKEY scenario: the gateway rekeys the CHILD SA every 20-25 s and
#     the IKE SA about every 60 s (gateway-initiated, PFS);
#  2. the client rekeys: a profile with short lifetimes (CHILD SA rekey at
#     about 25 s, IKE SA at about 50 s) against EAP_SPLIT.
# Each runs iperf3 (UDP, STAY_RATE, default 2 Mbit/s) through the tunnel for
# STAY_SOAK seconds (default 65; STAY_SOAK_OURS for case 2, default the same)
# and reports the packets lost: iperf3 must report 0 lost (the drops at the
# gateway's and the iperf3 server's UDP sockets and at the client's TUN
# queue are shown next to it, to tell where a loss happened; the tunnel's
# processes run SCHED_RR meanwhile, see STAY_RT below), and the client's own
# datapath must drop nothing. The rekeys
# the client observed are counted (CHILD and IKE SA, with a minimum for the
# soak's length: the gateway's CHILD SA rekey comes every 20-25 s, its IKE
# SA rekey every 55-60 s) and checked against the gateway's log. Then a clean
# disconnect, nothing left behind.
#
# tests/run runs the long version (STAY_SOAK=600, the gateway's rekeys only:
# STAY_CASES=REKEY) beside its fuzz smoke and production build, with its own
# lab (STAY_LAB_PREFIX); with STAY_SAVE_DIR set, the client's output, the
# gateway's log and iperf3's report of each case are kept there. The last
# line of diagnostics ("figures: ...") sums up loss and rekey counts.
# A prefix of its own per run: another worktree's run of this test must not
# take this lab down (a fixed "sty-" did, mid-soak).
LAB_PREFIX=${STAY_LAB_PREFIX:-sty$(printf '%s' "$$" | md5sum | cut -c1-3)-}
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

STAY_SOAK=${STAY_SOAK:-65}
STAY_SOAK_OURS=${STAY_SOAK_OURS:-$STAY_SOAK}
STAY_RATE=${STAY_RATE:-2M}
STAY_CASES=${STAY_CASES:-REKEY OURS}
STAY_RT=${STAY_RT:-1}

e2e_setup
tap_plan_lazy

# rcvbuf_errors NODE: UDP datagrams the node's sockets dropped for a full
# receive buffer (Udp RcvbufErrors).
rcvbuf_errors() {
    "$LAB" exec "$1" cat /proc/net/snmp | awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $6}'
}
gw_rcvbuf_errors() { rcvbuf_errors gw; }
# tun_tx_dropped: packets the client's TUN device dropped on their way to
# tsunagu (its queue full: the datapath's TX thread did not read in time).
tun_tx_dropped() {
    local dev
    dev=$(in_client ip -o link show | sed -n 's/^[0-9]*: \(tsu[0-9]*\):.*/\1/p' | head -n1)
    [ -n "$dev" ] && in_client cat "/sys/class/net/$dev/statistics/tx_dropped" || echo 0
}

# STAY_RT=1 (the default; 0 turns it off): the tunnel's processes get the
# CPU first. The far end of the tunnel is not what is tested here:
# strongSwan's userspace ESP (kernel-libipsec) reads
# its UDP socket in one thread and the iperf3 server reads its own, each
# with the default 208 KiB receive buffer (about 90 datagrams: 45 ms at
# 20 Mbit/s), which cannot be raised for them (net.core.rmem_default is
# read-only in a network namespace, neither has an option for it). On this
# 2-core machine a CPU-bound neighbour, even at nice 19, makes them (and the
# client) wait longer than that, and iperf3 counts the datagrams their
# sockets dropped (measured with the fuzz smoke at nice 19: lost at the
# gateway's and the iperf3 server's sockets, none at the client; without
# it, none at all). So while a soak runs, the gateway's charon (every
# thread), both iperf3 and the client (every thread) run SCHED_RR priority 1:
# CPU-bound work cannot delay them, and what is lost then is lost by the
# rekeys or the datapath. The client's own drop counters and its TUN
# queue's drops are reported either way.
stay_rt() {
    local pid
    [ "${STAY_RT:-0}" = 1 ] || return 0
    for pid in "$@"; do
        chrt -a -r -p 1 "$pid" >/dev/null 2>&1 || diag "chrt -r 1 $pid failed"
    done
}

# soak NAME SECONDS: iperf3 through the tunnel for SECONDS, then the verdicts.
soak() {
    local name=$1 secs=$2 before after lost packets gwdrops ooo
    local lan0 lan1 tun0 tun1
    before=$(gw_rcvbuf_errors)
    lan0=$(rcvbuf_errors lan)
    tun0=$(tun_tx_dropped)
    stay_rt "$(cat "$LAB_DIR/pid/charon-gw.pid")" "$(cat "$LAB_DIR/pid/iperf3.pid")" "$E2E_PID"
    local rt=
    [ "${STAY_RT:-0}" = 1 ] && rt="chrt -r 1"
    if ! in_client $rt iperf3 -u -b "$STAY_RATE" -l 1200 -t "$secs" -c "$LAB_LAN_IP" --json \
        >"$E2E_DIR/$name.iperf.json" 2>&1; then
        not_ok "$name: iperf3 through the tunnel for $secs s"
        diag "$(tail -n 5 "$E2E_DIR/$name.iperf.json")"
        STAY_FIGURES="${STAY_FIGURES:-}$name: iperf3 failed; "
        return
    fi
    after=$(gw_rcvbuf_errors)
    gwdrops=$((after - before))
    lan1=$(rcvbuf_errors lan)
    tun1=$(tun_tx_dropped)
    read -r lost packets ooo < <(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
s = e["sum"]
print(s["lost_packets"], s["packets"], e.get("streams", [{}])[0].get("udp", {}).get("out_of_order", 0))' \
        "$E2E_DIR/$name.iperf.json")
    diag "$name: iperf3 UDP $STAY_RATE for $secs s: $lost of $packets packets lost ($ooo out of order); receive-buffer drops at the gateway's UDP socket: $gwdrops, at the iperf3 server's: $((lan1 - lan0)); the client's TUN queue dropped $((tun1 - tun0))"
    STAY_FIGURES="${STAY_FIGURES:-}$name: iperf3 UDP $STAY_RATE ${secs} s lost $lost/$packets (drops: gateway socket $gwdrops, iperf3 server socket $((lan1 - lan0)), client TUN queue $((tun1 - tun0)))"
    if [ "$lost" = 0 ] && [ "$packets" -gt 0 ]; then
        ok "$name: iperf3 UDP reports 0 of $packets packets lost across the rekeys"
    else
        not_ok "$name: iperf3 UDP reports $lost of $packets packets lost"
    fi
    kill -USR1 "$E2E_PID"
    sleep 0.5
    if tail -n 12 "$E2E_OUT" | grep -q '^  drops *none'; then
        ok "$name: the client's datapath dropped nothing"
    else
        not_ok "$name: the client's datapath dropped packets"
        diag "$(tail -n 12 "$E2E_OUT")"
    fi
}

# at_least NAME WHAT COUNT MIN: a rekey count and its minimum.
at_least() {
    if [ "$3" -ge "$4" ]; then
        ok "$1: $2: $3 (at least $4)"
    else
        not_ok "$1: $2: $3 (expected at least $4)"
    fi
}

finish() {
    local name=$1 rc
    if [ -n "${STAY_SAVE_DIR:-}" ]; then
        cp "$E2E_OUT" "$STAY_SAVE_DIR/$name.client.log"
        cp "$E2E_DIR/$name.iperf.json" "$STAY_SAVE_DIR/" 2>/dev/null
        e2e_gateway_log_since >"$STAY_SAVE_DIR/$name.gateway.log"
    fi
    tap_check "$name: ping through the tunnel after the rekeys" \
        in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
    e2e_disconnect
    rc=$?
    if [ $rc = 0 ]; then
        ok "$name: disconnected cleanly (exit 0)"
    else
        not_ok "$name: disconnect exit $rc"
        diag "$(tail -n 20 "$E2E_OUT")"
    fi
    e2e_check_clean "$name"
}

# ---- 1. the gateway rekeys: the CHILD SA every 20-25 s, the IKE SA every
# 55-60 s (tests/lab/conf/gw-swanctl.conf, eap-rekey)
case_rekey() {
    local n gw ike gwike min_child=$((STAY_SOAK / 25)) min_ike=$((STAY_SOAK / 65))
    [ "$min_child" -ge 2 ] || min_child=2
    e2e_profile "$E2E_DIR/rekey.tsunagu" REKEY
    if ! e2e_connect "$E2E_DIR/rekey.tsunagu" "$LAB_EAP_PASSWORD"; then
        not_ok "REKEY: connected (exit ${E2E_RC:-timeout})"
        diag "$(tail -n 30 "$E2E_OUT")"
        e2e_check_clean REKEY
        return
    fi
    ok "REKEY: connected"
    soak REKEY "$STAY_SOAK"
    # The gateway's log first: it logs a rekey after the client answered,
    # so the client may be one ahead if a rekey happens between the reads.
    gw=$(e2e_gateway_log_since | grep -c 'outbound CHILD_SA eap-rekey{[0-9]*} established')
    gwike=$(e2e_gateway_log_since | grep -c 'IKE_SA eap-rekey\[[0-9]*\] rekeyed between')
    n=$(grep -c 'the gateway rekeyed CHILD SA' "$E2E_OUT")
    ike=$(grep -c 'IKE SA rekeyed: now .* (the gateway initiated it)' "$E2E_OUT")
    at_least REKEY "CHILD SA rekeys by the gateway the client answered" "$n" "$min_child"
    tap_check "REKEY: the gateway's log shows the same CHILD SA rekeys ($gw, the client $n)" \
        [ "$n" -ge "$gw" -a "$n" -le $((gw + 1)) ]
    tap_check "REKEY: every old CHILD SA deleted by the gateway ($(grep -c 'the gateway deleted the old CHILD SA' "$E2E_OUT"))" \
        [ "$(grep -c 'the gateway deleted the old CHILD SA' "$E2E_OUT")" -ge "$min_child" ]
    if [ "$STAY_SOAK" -ge 65 ]; then
        at_least REKEY "IKE SA rekeys by the gateway" "$ike" "$min_ike"
        tap_check "REKEY: the gateway's log shows the same IKE SA rekeys ($gwike, the client $ike)" \
            [ "$ike" -ge "$gwike" -a "$ike" -le $((gwike + 1)) ]
    fi
    STAY_FIGURES="${STAY_FIGURES:-}, $n CHILD SA and $ike IKE SA rekeys by the gateway (its log: $gw, $gwike); "
    if e2e_gateway_log_since | grep -qiE 'received (NO_PROPOSAL_CHOSEN|INVALID_SYNTAX|TEMPORARY_FAILURE|CHILD_SA_NOT_FOUND)'; then
        not_ok "REKEY: the gateway got an error notify from us"
        diag "$(e2e_gateway_log_since | grep -iE 'received (NO_PROPOSAL|INVALID|TEMPORARY|CHILD_SA_NOT)')"
    else
        ok "REKEY: no error notify to the gateway"
    fi
    finish REKEY
}

# ---- 2. we rekey (profile lifetimes; PFS with X25519): the CHILD SA at
# about 25 s, the IKE SA at about 50 s
case_ours() {
    local n ike gw secs=$STAY_SOAK_OURS
    e2e_profile "$E2E_DIR/ours.tsunagu" EAP_SPLIT \
        "[crypto]" "esp = aes256gcm16-x25519" \
        "child-lifetime = 60s" "child-rekey-margin = 35s" \
        "ike-lifetime = 300s" "ike-rekey-margin = 250s"
    if ! e2e_connect "$E2E_DIR/ours.tsunagu" "$LAB_EAP_PASSWORD"; then
        not_ok "OURS: connected (exit ${E2E_RC:-timeout})"
        diag "$(tail -n 30 "$E2E_OUT")"
        e2e_check_clean OURS
        return
    fi
    ok "OURS: connected"
    soak OURS "$secs"
    n=$(grep -c 'CHILD SA rekeyed: .* replaces' "$E2E_OUT")
    at_least OURS "CHILD SA rekeys we made" "$n" "$(( secs / 30 > 1 ? secs / 30 : 1 ))"
    tap_check "OURS: the old CHILD SAs were deleted ($(grep -c 'old CHILD SA .* deleted' "$E2E_OUT"))" \
        [ "$(grep -c 'old CHILD SA .* deleted' "$E2E_OUT")" -ge 1 ]
    ike=$(grep -c 'the old IKE SA .* is deleted' "$E2E_OUT")
    if [ "$secs" -ge 60 ]; then
        at_least OURS "IKE SA rekeys we made (the old one deleted)" "$ike" "$(( secs / 60 ))"
    fi
    gw=$(e2e_gateway_log_since | grep -c 'CHILD_SA .* state change: INSTALLED => REKEYED\|rekeyed CHILD_SA\|CREATE_CHILD_SA request')
    tap_check "OURS: the gateway saw our CREATE_CHILD_SA requests ($gw)" [ "$gw" -ge 1 ]
    STAY_FIGURES="${STAY_FIGURES:-}, $n CHILD SA and $ike IKE SA rekeys by us; "
    finish OURS
}

for c in $STAY_CASES; do
    case $c in
    REKEY) case_rekey ;;
    OURS) case_ours ;;
    *) not_ok "STAY_CASES: unknown case $c" ;;
    esac
done

diag "figures: ${STAY_FIGURES:-none}"
tap_done
