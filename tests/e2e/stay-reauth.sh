#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Re-authentication (RFC 4478, issue 10) against the lab's strongSwan
# gateway: the connection eap-reauth (tests/lab/conf/gw-swanctl.conf) sends
# AUTH_LIFETIME (reauth within 54-60 s) and closes an IKE SA that was not
# re-authenticated 10 s after. `tsunagu connect --foreground` must make a
# new IKE SA in time (break-before-make: DELETE, IKE_SA_INIT, IKE_AUTH on
# the same sockets, the held password), go RECONNECTING then CONNECTED,
# keep the tunnel device, its address and routes (the gateway gives the
# same virtual IP back: we ask for it), and the gateway must show a new IKE
# SA. iperf3 (UDP, STAY_RATE) runs through the tunnel for STAY_SOAK seconds
# (default 70: one re-authentication; 120: two) and the packets lost in the
# gap are reported; more than two seconds' worth fails. Then a ping, a clean
# disconnect, nothing left behind.
LAB_PREFIX="sra$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

STAY_SOAK=${STAY_SOAK:-70}
STAY_RATE=${STAY_RATE:-2M}
REAUTH_ID=alice@reauth.lab.test

e2e_setup
tap_plan_lazy

# gw_ike_sa: "UNIQUEID SPI_I SPI_R" of the eap-reauth IKE SA(s) on the gateway
gw_ike_sas() {
    "$LAB" gw swanctl --list-sas --ike eap-reauth 2>/dev/null |
        sed -n 's/^eap-reauth: #\([0-9]*\), ESTABLISHED, IKEv2, \([0-9a-f]*\)_i\*\{0,1\} \([0-9a-f]*\)_r.*/\1 \2 \3/p'
}

vip4() { in_client ip -4 -o addr show dev "$1" 2>/dev/null | awk '{print $4}'; }

e2e_profile "$E2E_DIR/reauth.tsunagu" REAUTH

if ! e2e_connect "$E2E_DIR/reauth.tsunagu" "$LAB_EAP_PASSWORD"; then
    not_ok "REAUTH: connected (exit ${E2E_RC:-timeout})"
    diag "$(tail -n 30 "$E2E_OUT")"
    e2e_check_clean REAUTH
    tap_done
    exit
fi
ok "REAUTH: connected in ${E2E_CONNECT_S:-?} s"
ifname=$(sed -n 's/^  interface   \([^,]*\),.*/\1/p' "$E2E_OUT" | head -n 1)
vip_before=$(vip4 "$ifname")
ifindex_before=$(in_client cat "/sys/class/net/$ifname/ifindex" 2>/dev/null)
sa_before=$(gw_ike_sas)
diag "REAUTH: tunnel $ifname ($vip_before); gateway IKE SA $sa_before"
if grep -qE 'the gateway wants re-authentication within [0-9]+ s \(AUTH_LIFETIME\)' "$E2E_OUT"; then
    ok "REAUTH: the gateway sent AUTH_LIFETIME ($(sed -n 's/.*within \([0-9]*\) s (AUTH_LIFETIME).*/\1/p' "$E2E_OUT" | head -n1) s)"
else
    not_ok "REAUTH: no AUTH_LIFETIME from the gateway"
    diag "$(grep -i auth "$E2E_OUT" | tail -n 5)"
fi

# ---- traffic across the re-authentications
before=$("$LAB" exec gw cat /proc/net/snmp | awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $6}')
if in_client iperf3 -u -b "$STAY_RATE" -l 1200 -t "$STAY_SOAK" -c "$LAB_LAN_IP" --json \
    >"$E2E_DIR/reauth.iperf.json" 2>&1; then
    after=$("$LAB" exec gw cat /proc/net/snmp | awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $6}')
    read -r lost packets pps < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
print(s["lost_packets"], s["packets"], int(s["packets"] / max(s["seconds"], 1)))' \
        "$E2E_DIR/reauth.iperf.json")
    n=$(grep -c 're-authenticated with .*: a new IKE SA' "$E2E_OUT")
    diag "REAUTH: iperf3 $STAY_RATE for $STAY_SOAK s across $n re-authentication(s): $lost of $packets packets lost (gateway UDP receive-buffer drops: $((after - before)))"
    if [ "$lost" -le $((2 * pps + after - before)) ]; then
        ok "REAUTH: $lost packets lost across $n break-before-make re-authentication(s) (under 2 s worth, $((2 * pps)))"
    else
        not_ok "REAUTH: $lost packets lost across $n re-authentication(s) (more than 2 s worth)"
    fi
else
    not_ok "REAUTH: iperf3 through the tunnel for $STAY_SOAK s"
    diag "$(tail -n 5 "$E2E_DIR/reauth.iperf.json")"
fi

# ---- what happened
n=$(grep -c 're-authenticated with .*: a new IKE SA' "$E2E_OUT")
if [ "$n" -ge 1 ]; then
    ok "REAUTH: re-authenticated $n time(s) in $STAY_SOAK s"
else
    not_ok "REAUTH: no re-authentication in $STAY_SOAK s"
    diag "$(grep -vE 'sending|received' "$E2E_OUT" | tail -n 25)"
fi
if sed -n '/re-authentication is due/,$p' "$E2E_OUT" | grep -q '^state: reconnecting' &&
    sed -n '/^state: reconnecting/,$p' "$E2E_OUT" | grep -q '^state: connected'; then
    ok "REAUTH: reconnecting, then connected"
else
    not_ok "REAUTH: the states were not reconnecting then connected"
    diag "$(grep '^state:' "$E2E_OUT" | tr '\n' ' ')"
fi
if grep -qE '^state: (disconnected|failed|disconnecting)' "$E2E_OUT"; then
    not_ok "REAUTH: the session went down on the way"
else
    ok "REAUTH: the session stayed up (no disconnecting, disconnected or failed state)"
fi
if grep -qE 'the gateway closed the connection|the gateway deleted the tunnel' "$E2E_OUT"; then
    not_ok "REAUTH: the gateway closed an IKE SA that was not re-authenticated in time"
else
    ok "REAUTH: the gateway never had to close an IKE SA itself"
fi
sa_after=$(gw_ike_sas)
if [ -n "$sa_after" ] && [ "$(echo "$sa_after" | wc -l)" = 1 ] &&
    [ "${sa_after#* }" != "${sa_before#* }" ]; then
    ok "REAUTH: the gateway has one IKE SA, a new one ($sa_before -> $sa_after)"
else
    not_ok "REAUTH: gateway IKE SAs before '$sa_before', now '$sa_after'"
    diag "$("$LAB" gw swanctl --list-sas 2>&1 | head -n 20)"
fi
vip_after=$(vip4 "$ifname")
ifindex_after=$(in_client cat "/sys/class/net/$ifname/ifindex" 2>/dev/null)
if [ -n "$vip_before" ] && [ "$vip_after" = "$vip_before" ] &&
    [ "$ifindex_after" = "$ifindex_before" ]; then
    ok "REAUTH: the same tunnel device ($ifname, index $ifindex_after) and virtual IP ($vip_after)"
else
    not_ok "REAUTH: tunnel $ifname index $ifindex_before -> $ifindex_after, address $vip_before -> $vip_after"
fi
if grep -q 'the gateway assigned another configuration' "$E2E_OUT"; then
    not_ok "REAUTH: the configuration was reverted and applied again"
else
    ok "REAUTH: the configuration stayed applied (the same one given back)"
fi
tap_check "REAUTH: ping through the tunnel after the re-authentication(s)" \
    in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
kill -USR1 "$E2E_PID"
sleep 0.5
e2e_disconnect
rc=$?
if [ $rc = 0 ]; then
    ok "REAUTH: disconnected cleanly (exit 0)"
else
    not_ok "REAUTH: disconnect exit $rc"
    diag "$(tail -n 20 "$E2E_OUT")"
fi
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$E2E_OUT"; then
    not_ok "REAUTH: sanitizer report"
    diag "$(grep -E -A8 'ERROR: |runtime error:' "$E2E_OUT" | head -n 30)"
else
    ok "REAUTH: no sanitizer report"
fi
e2e_check_clean REAUTH
tap_done
