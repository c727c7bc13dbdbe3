#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Leak test L7 of issue 11 (the rest is in leaks.sh): a full tunnel with the
# kill switch through tsunagud, against the lab's REKEY scenario (the gateway
# rekeys the CHILD SA every 20-25 s and the IKE SA every ~60 s, and here is
# also told to rekey both, again and again, with swanctl --rekey), while
# traffic to many destinations runs (ping, UDP 53 and 9, TCP 80, name
# lookups: mx_traffic of lib-matrix.sh) and the client's network changes
# under it: a link flap (5 s down) and a move to another subnet of the home
# router. A capture on the client's physical interface must see nothing but
# UDP 500/4500 to the gateway, DHCP, ARP and ND: 0 leaked packets.
#
# The control, so that the test can fail: the same traffic, flap and move
# without the tunnel (and so without its kill switch) must be seen leaving.
LAB_PREFIX="tsk$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib-matrix.sh"
. "$top_srcdir/tests/e2e/lib-stay.sh"
command -v tcpdump >/dev/null 2>&1 || tap_skip_all "tcpdump not installed"
command -v conntrack >/dev/null 2>&1 || tap_skip_all "conntrack not installed"

CONN=eap-rekey
TARGETS="$LAB_PUBLIC_WEB_IP 198.51.100.1 192.0.2.1 $LAB_HOME_ROUTER_IP $LAB_LAN_IP"

mx_setup leaksmove
tap_plan_lazy
mx_at_exit st_move_back
mx_at_exit "in_client ip link set $LAB_CLIENT_IF up"
BEFORE=$(mx_netstate)
SNAP0=$(mx_snapshot)
mx_profile l7 REKEY full "kill-switch = true" || { not_ok "import"; tap_done; exit 1; }

# traffic_loop: mx_traffic again and again until traffic_stop, and a ping
# every 0.2 s to the public web host and to the LAN host besides.
traffic_loop() {
        ( while [ ! -e "$TSUD_DIR/traffic.stop" ]; do mx_traffic $TARGETS; done ) &
        TRAFFIC_PID=$!
        in_client ping -n -q -i 0.2 "$LAB_PUBLIC_WEB_IP" >/dev/null 2>&1 &
        PING1_PID=$!
        in_client ping -n -q -i 0.2 "$LAB_LAN_IP" >/dev/null 2>&1 &
        PING2_PID=$!
        MX_PIDS="$MX_PIDS $TRAFFIC_PID $PING1_PID $PING2_PID"
}
traffic_stop() {
        touch "$TSUD_DIR/traffic.stop"
        kill "$PING1_PID" "$PING2_PID" 2>/dev/null
        wait "$TRAFFIC_PID" "$PING1_PID" "$PING2_PID" 2>/dev/null
        rm -f "$TSUD_DIR/traffic.stop"
}
# rekeys N: the gateway rekeys the CHILD SA N times, and the IKE SA once, 2 s apart.
rekeys() {
        local i
        for i in $(seq "$1"); do
                "$LAB" gw swanctl --rekey --child "$CONN" >/dev/null 2>&1 && REKEYS=$((REKEYS + 1))
                sleep 2
        done
        "$LAB" gw swanctl --rekey --ike "$CONN" >/dev/null 2>&1 && IKE_REKEYS=$((IKE_REKEYS + 1))
        sleep 2
}
connected_now() { mx_status_json && grep -q '"state":"connected"' "$TSUD_DIR/status.json"; }
REKEYS=0 IKE_REKEYS=0

if mx_connect l7 "$TSUD_DIR/pw"; then
        ok "full tunnel, kill switch, REKEY scenario: connected through tsunagud"
        in_client nft list tables | grep -q "inet tsunagu" && ok "the kill switch is up" ||
                not_ok "the kill switch is up"
        st_watch_start l7
        mx_capture_start l7
        traffic_loop
        rekeys 4
        # the link flaps for 5 s
        st_flap 5
        mx_wait 15 connected_now && ok "after a 5 s link flap: connected" ||
                { not_ok "after a 5 s link flap: connected"; diag "$(tail -n 20 "$TSUD_LOG")"; }
        rekeys 3
        # the client moves to another subnet
        st_move_out
        mx_wait 15 grep -q "network changed: sockets re-connected to .* from $ST_NEW_IP:" "$TSUD_LOG" &&
                ok "after the move to $ST_NEW_NET.0/24: the helper re-connected the sockets" ||
                not_ok "after the move: the helper re-connected the sockets"
        rekeys 3
        mx_wait 15 connected_now && ok "after the move: connected" || not_ok "after the move: connected"
        tap_check "after the move: traffic through the tunnel" in_client ping -c 3 -i 0.2 -W 2 "$LAB_LAN_IP"
        traffic_stop
        mx_capture_stop
        n=$(st_leaks "$LAB_GW_IP")
        mld=$(mx_pcap_count "ether src $MX_CLIENT_MAC and $ST_MLD_HBH")
        [ "$mld" -gt 0 ] && diag "L7: $mld MLD reports (link-local, allowed) when the link came back"
        if [ "$n" = 0 ]; then
                ok "L7: 0 packets leaked across $REKEYS CHILD SA and $IKE_REKEYS IKE SA rekeys asked of the gateway, a link flap and a move"
        else
                not_ok "L7: $n packets leaked"; diag "$(head -n 20 "$TSUD_DIR/leaks.txt")"
        fi
        total=$(mx_pcap_count "ether src $MX_CLIENT_MAC")
        esp=$(mx_pcap_count "ether src $MX_CLIENT_MAC and udp and dst host $LAB_GW_IP and dst port 4500")
        diag "L7: the client sent $total packets on $LAB_CLIENT_IF, $esp of them UDP 4500 to the gateway"
        [ "$esp" -gt 0 ] && ok "L7: the traffic went out as ESP-in-UDP ($esp packets): the capture works" ||
                not_ok "L7: no ESP-in-UDP seen (is the capture working?)"
        n=$(grep -c "the gateway rekeyed CHILD SA" "$TSUD_LOG")
        m=$(grep -c "IKE SA rekeyed" "$TSUD_LOG")
        [ "$n" -ge 5 ] && [ "$m" -ge 1 ] &&
                ok "L7: the engine answered $n CHILD SA and $m IKE SA rekeys of the gateway" ||
                { not_ok "L7: the engine answered the gateway's CHILD SA rekeys ($n)"; diag "$(grep -i rekey "$TSUD_LOG" | tail -n 10)"; }
        st_states | grep -q "failed\|disconnected" && not_ok "L7: the session never failed ($(st_states))" ||
                ok "L7: the session never failed nor disconnected (D-Bus: $(st_states))"
        mx_disconnect l7 || not_ok "disconnect ($(cat "$TSUD_DIR/disconnect.out"))"
        st_watch_stop
else
        not_ok "connected"; diag "$(cat "$TSUD_DIR/connect.out")" "$(tail -n 10 "$TSUD_LOG")"
fi
now=$(mx_netstate)
[ "$now" = "$BEFORE" ] && ok "nothing of tsunagu's left" || { not_ok "nothing of tsunagu's left"; diag "$now"; }
st_move_back

# ------------------------------------------------------------------ the control
mx_capture_start l7c
traffic_loop
sleep 2
st_flap 5
st_move_out
sleep 2
traffic_stop
mx_capture_stop
st_move_back
n=$(st_leaks "$LAB_GW_IP")
[ "$n" -gt 0 ] && ok "L7 control (no tunnel, no kill switch): the same traffic, flap and move leak ($n packets)" ||
        not_ok "L7 control: nothing seen (the test cannot fail?)"

SNAP1=$(mx_snapshot)
[ "$SNAP1" = "$SNAP0" ] && ok "the client namespace is byte for byte as before" ||
        { not_ok "the client namespace is as before"; diff <(echo "$SNAP0") <(echo "$SNAP1") | head -n 20 | while IFS= read -r l; do diag "$l"; done; }
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
tap_done
