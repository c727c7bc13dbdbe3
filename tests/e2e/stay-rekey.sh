#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Rekeying under load, against the lab's strongSwan gateway:
#  1. the REKEY scenario: the gateway rekeys the CHILD SA every 20-25 s and
#     the IKE SA about every 60 s (gateway-initiated, PFS);
#  2. the client rekeys: a profile with short lifetimes (CHILD SA rekey at
#     about 25 s, IKE SA at about 50 s) against EAP_SPLIT.
# Each runs iperf3 (UDP, STAY_RATE, default 2 Mbit/s) through the tunnel for
# STAY_SOAK seconds (default 65; set e.g. STAY_SOAK=600 for a long soak) and
# reports the packets lost. A packet counts against the client when it is
# lost and not explained by the gateway's own UDP receive-buffer overflows
# (strongSwan's userspace ESP on a shared 2-core machine); the client's own
# datapath must drop nothing. Then a clean disconnect, nothing left behind.
LAB_PREFIX=sty-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

STAY_SOAK=${STAY_SOAK:-65}
STAY_RATE=${STAY_RATE:-2M}

e2e_setup
tap_plan_lazy

gw_rcvbuf_errors() {
    "$LAB" exec gw cat /proc/net/snmp | awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $6}'
}

# soak NAME: iperf3 through the tunnel for STAY_SOAK s, then the verdicts.
soak() {
    local name=$1 before after lost packets gwdrops
    before=$(gw_rcvbuf_errors)
    if ! in_client iperf3 -u -b "$STAY_RATE" -l 1200 -t "$STAY_SOAK" -c "$LAB_LAN_IP" --json \
        >"$E2E_DIR/$name.iperf.json" 2>&1; then
        not_ok "$name: iperf3 through the tunnel for $STAY_SOAK s"
        diag "$(tail -n 5 "$E2E_DIR/$name.iperf.json")"
        return
    fi
    after=$(gw_rcvbuf_errors)
    gwdrops=$((after - before))
    read -r lost packets < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
print(s["lost_packets"], s["packets"])' "$E2E_DIR/$name.iperf.json")
    diag "$name: iperf3 $STAY_RATE for $STAY_SOAK s: $lost of $packets packets lost; gateway UDP receive-buffer drops: $gwdrops"
    STAY_FIGURES="${STAY_FIGURES:-}$name: lost $lost/$packets (gateway rcvbuf $gwdrops); "
    if [ "$lost" -le "$gwdrops" ]; then
        ok "$name: no packet lost by the client across the rekeys ($lost lost, $gwdrops at the gateway's socket)"
    else
        not_ok "$name: $((lost - gwdrops)) packets lost beyond the gateway's own drops"
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

finish() {
    local name=$1 rc
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

# ---- 1. the gateway rekeys
e2e_profile "$E2E_DIR/rekey.tsunagu" REKEY
if e2e_connect "$E2E_DIR/rekey.tsunagu" "$LAB_EAP_PASSWORD"; then
    ok "REKEY: connected"
    soak REKEY
    n=$(grep -c 'the gateway rekeyed CHILD SA' "$E2E_OUT")
    if [ "$n" -ge 2 ]; then
        ok "REKEY: the gateway rekeyed the CHILD SA $n times; we answered"
    else
        not_ok "REKEY: gateway CHILD SA rekeys: $n (expected 2 or more in $STAY_SOAK s)"
    fi
    n=$(grep -c 'the gateway deleted the old CHILD SA' "$E2E_OUT")
    tap_check "REKEY: every old CHILD SA deleted by the gateway ($n)" [ "$n" -ge 2 ]
    if [ "$STAY_SOAK" -ge 65 ]; then
        if grep -q 'IKE SA rekeyed: now .* (the gateway initiated it)' "$E2E_OUT"; then
            ok "REKEY: the gateway rekeyed the IKE SA"
        else
            not_ok "REKEY: no gateway IKE SA rekey in $STAY_SOAK s"
        fi
    fi
    if e2e_gateway_log_since | grep -qiE 'received (NO_PROPOSAL_CHOSEN|INVALID_SYNTAX|TEMPORARY_FAILURE|CHILD_SA_NOT_FOUND)'; then
        not_ok "REKEY: the gateway got an error notify from us"
        diag "$(e2e_gateway_log_since | grep -iE 'received (NO_PROPOSAL|INVALID|TEMPORARY|CHILD_SA_NOT)')"
    else
        ok "REKEY: no error notify to the gateway"
    fi
    finish REKEY
else
    not_ok "REKEY: connected (exit ${E2E_RC:-timeout})"
    diag "$(tail -n 30 "$E2E_OUT")"
    e2e_check_clean REKEY
fi

# ---- 2. we rekey (profile lifetimes; PFS with X25519)
e2e_profile "$E2E_DIR/ours.tsunagu" EAP_SPLIT \
    "[crypto]" "esp = aes256gcm16-x25519" \
    "child-lifetime = 60s" "child-rekey-margin = 35s" \
    "ike-lifetime = 300s" "ike-rekey-margin = 250s"
if e2e_connect "$E2E_DIR/ours.tsunagu" "$LAB_EAP_PASSWORD"; then
    ok "OURS: connected"
    soak OURS
    n=$(grep -c 'CHILD SA rekeyed: .* replaces' "$E2E_OUT")
    tap_check "OURS: we rekeyed the CHILD SA ($n times)" [ "$n" -ge 1 ]
    n=$(grep -c 'old CHILD SA .* deleted' "$E2E_OUT")
    tap_check "OURS: the old CHILD SAs were deleted ($n)" [ "$n" -ge 1 ]
    if [ "$STAY_SOAK" -ge 60 ]; then
        tap_check "OURS: we rekeyed the IKE SA and deleted the old one" \
            grep -q 'the old IKE SA .* is deleted' "$E2E_OUT"
    fi
    gw=$(e2e_gateway_log_since | grep -c 'CHILD_SA .* state change: INSTALLED => REKEYED\|rekeyed CHILD_SA\|CREATE_CHILD_SA request')
    tap_check "OURS: the gateway saw our CREATE_CHILD_SA requests ($gw)" [ "$gw" -ge 1 ]
    finish OURS
else
    not_ok "OURS: connected (exit ${E2E_RC:-timeout})"
    diag "$(tail -n 30 "$E2E_OUT")"
    e2e_check_clean OURS
fi

diag "figures: ${STAY_FIGURES:-none}"
tap_done
