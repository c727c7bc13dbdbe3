#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Dead peer detection and reconnecting, against the lab's strongSwan gateway
# (EAP_SPLIT), with `tsunagu connect --foreground`:
#  1. the gateway is killed (SIGKILL: no DELETE): the client says
#     `reconnecting` within the DPD interval plus the retransmissions, keeps
#     its TUN device and routes, and sends nothing around the tunnel; the
#     gateway comes back: `connected` again by itself, traffic flows;
#  2. the gateway deletes the IKE SA (swanctl --terminate): reconnecting, then
#     connected again;
#  3. a clean disconnect; nothing left behind.
LAB_PREFIX=str-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

DPD=5 RT=1 TRIES=2 # retransmissions: 1 + 1.8 + 3.24 s
# The liveness check goes out DPD after the last packet from the gateway
# (the ping just before the kill), whenever the engine's timer learns of it:
# DPD + the retransmissions (6.04 s, counted as 7) + 1 s of slack.
DEAD_MAX=$((DPD + 7 + 1))

e2e_setup
tap_plan_lazy

count_states() { grep -c "^state: $1\$" "$E2E_OUT"; }

# wait_state STATE N SECONDS: until the Nth "state: STATE" line appears.
wait_state() {
    local s=$1 n=$2 max=$(($3 * 10)) t=0
    while [ $t -lt $max ]; do
        [ "$(count_states "$s")" -ge "$n" ] && return 0
        kill -0 "$E2E_PID" 2>/dev/null || return 1
        sleep 0.1
        t=$((t + 1))
    done
    return 1
}

tun_index() { in_client ip -o link show | sed -n 's/^\([0-9]*\): tsu[0-9]*:.*/\1/p' | head -n1; }

e2e_profile "$E2E_DIR/dpd.tsunagu" EAP_SPLIT "[crypto]" "dpd-interval = ${DPD}s" \
    "retransmit-timeout = ${RT}s" "retransmit-tries = $TRIES"
if ! e2e_connect "$E2E_DIR/dpd.tsunagu" "$LAB_EAP_PASSWORD"; then
    not_ok "connected (exit ${E2E_RC:-timeout})"
    diag "$(tail -n 30 "$E2E_OUT")"
    e2e_check_clean DPD
    tap_done
    exit 0
fi
ok "connected"
tap_check "ping through the tunnel" in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
tun=$(tun_index)

# ---- 1. the gateway dies
"$LAB" gw kill >/dev/null 2>&1
t0=$(date +%s.%N)
if wait_state reconnecting 1 $((DEAD_MAX + 5)); then
    dt=$(echo "$(date +%s.%N) - $t0" | bc)
    diag "gateway killed: reconnecting after $dt s (DPD ${DPD} s + retransmissions)"
    STAY_FIGURES="dead->reconnecting ${dt}s; "
    if [ "$(echo "$dt <= $DEAD_MAX" | bc)" = 1 ]; then
        ok "gateway killed: reconnecting after $dt s (at most $DEAD_MAX s)"
    else
        not_ok "gateway killed: reconnecting only after $dt s (more than $DEAD_MAX s)"
    fi
else
    not_ok "gateway killed: the client says reconnecting"
    diag "$(tail -n 20 "$E2E_OUT")"
fi
grep -qE 'is gone: no answer to INFORMATIONAL \((liveness check|UPDATE_SA_ADDRESSES)\)' "$E2E_OUT" &&
    ok "the liveness check declared the gateway dead" ||
    not_ok "the liveness check declared the gateway dead"
if [ "$(tun_index)" = "$tun" ]; then
    ok "reconnecting: the TUN device stays"
else
    not_ok "reconnecting: the TUN device changed or went away"
fi
if in_client ip route get "$LAB_LAN_IP" | grep -q ' dev tsu'; then
    ok "reconnecting: the tunnel's routes stay"
else
    not_ok "reconnecting: the route to $LAB_LAN_IP left the tunnel"
    diag "$(in_client ip route get "$LAB_LAN_IP")"
fi
# Nothing reaches the LAN around the tunnel while the gateway is gone.
in_client ping -c 3 -i 0.2 -W 1 "$LAB_LAN_IP" >/dev/null 2>&1 &&
    not_ok "reconnecting: ping to the LAN must not get through" ||
    ok "reconnecting: no traffic gets through while the gateway is gone"
if in_client ip route get "$LAB_LAN_IP" | grep -q ' dev eth0'; then
    not_ok "reconnecting: traffic for the LAN would leave on eth0"
fi
sleep 2
"$LAB" gw start >/dev/null 2>&1
t1=$(date +%s.%N)
if wait_state connected 2 75; then
    dt=$(echo "$(date +%s.%N) - $t1" | bc)
    diag "gateway back: connected again after $dt s"
    STAY_FIGURES="$STAY_FIGURES gateway back->connected ${dt}s; "
    ok "gateway back: connected again by itself after $dt s"
else
    not_ok "gateway back: connected again by itself"
    diag "$(tail -n 30 "$E2E_OUT")"
fi
tap_check "after the reconnect: ping through the tunnel" \
    in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
[ "$(tun_index)" = "$tun" ] && ok "after the reconnect: the same TUN device" ||
    not_ok "after the reconnect: the TUN device changed"
grep -q 'reconnected to .* after [0-9]* attempt' "$E2E_OUT" &&
    ok "the client reports the reconnect" || not_ok "the client reports the reconnect"

# ---- 2. the gateway deletes the IKE SA
"$LAB" gw swanctl --terminate --ike "$LAB_SC_EAP_SPLIT_CONN" >/dev/null 2>&1
if wait_state reconnecting 2 10 && wait_state connected 3 30; then
    ok "gateway DELETE of the IKE SA: reconnecting, then connected again"
else
    not_ok "gateway DELETE of the IKE SA: reconnecting, then connected again"
    diag "$(tail -n 20 "$E2E_OUT")"
fi
tap_check "after the second reconnect: ping through the tunnel" \
    in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"

# ---- 3. leave
e2e_disconnect
rc=$?
[ $rc = 0 ] && ok "disconnected cleanly (exit 0)" || {
    not_ok "disconnect exit $rc"
    diag "$(tail -n 20 "$E2E_OUT")"
}
e2e_check_clean RECONNECT
diag "figures: ${STAY_FIGURES:-none}"
tap_done
