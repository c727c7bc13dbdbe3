#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Faults (issue 11, section 3), with the real tsunagud and engine driven
# over D-Bus by the real CLI, against the lab's strongSwan gateway:
#   - 10 % and 30 % random loss of IKE/NAT-T packets on the home NAT in both
#     directions (nftables numgen random) while connecting: the connection
#     comes up by retransmission, within the retransmit budget. The profile
#     uses retransmit-timeout = 1 s and retransmit-tries = 8 (budget
#     1 s * 1.8^n, ~250 s for one exchange) to keep a CI run short. At 30 %
#     both ways one try of an exchange gets through about one time in two
#     (one in three for the fragmented IKE_AUTH answer), and an EAP-MSCHAPv2
#     connect has seven exchanges: about one connect in 25 uses up the whole
#     budget of one exchange and fails as "unreachable", which is the right
#     outcome. Such a failure is reported and the connect tried once more
#     (as a person would); a second one, or any other failure, fails the test.
#   - the NAT forgets its mapping (conntrack flushed on the home router):
#     the client's next packets leave from another public port and the
#     tunnel must follow (NAT-T port float on the gateway, RFC 3948/7296 2.23);
#   - kill -9 of the engine: the session is failed (engine-crashed) and the
#     platform reverted;
#   - kill -9 of tsunagud with a full tunnel and the kill switch on: while it
#     is down nothing leaves the client's physical interface in clear (a
#     control run after the revert sees the same traffic leave); after a
#     restart the state is clean (TUN, routes, rules, nftables, resolv.conf)
#     and a new connection works.
# Left for later (they need DPD, rekey and reconnect, issue 10): gateway
# killed -> reconnecting -> connected by itself; rekeys every 20 s for ten
# minutes under iperf3.
LAB_PREFIX="tsf$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib-matrix.sh"
command -v conntrack >/dev/null 2>&1 || tap_skip_all "conntrack not installed (Debian: conntrack)"
command -v tcpdump >/dev/null 2>&1 || tap_skip_all "tcpdump not installed"

mx_setup faults
tap_plan_lazy
ok "the lab is up ($LAB_PREFIX) and tsunagud runs in its client namespace"
BEFORE=$(mx_netstate)
T0=$SECONDS
in_nat() { ip netns exec "$LAB_NS_NAT" "$@"; }
mx_at_exit 'in_nat nft flush chain inet lab loss'

mx_profile split EAP_SPLIT split "[crypto]" "retransmit-timeout = 1s" "retransmit-tries = 8" ||
        { not_ok "import"; tap_done; exit 1; }

# ------------------------------------------------------------------ loss
for pct in 10 30; do
        in_nat nft flush chain inet lab loss
        in_nat nft add rule inet lab loss udp dport '{ 500, 4500 }' numgen random mod 100 "<" "$pct" counter drop
        in_nat nft add rule inet lab loss udp sport '{ 500, 4500 }' numgen random mod 100 "<" "$pct" counter drop
        attempts=1
        ok_loss=0
        MX_CONNECT_TIMEOUT=600 mx_connect split "$TSUD_DIR/pw"
        rc=$?
        if [ $rc = 0 ]; then
                ok_loss=1
        elif [ $rc = 4 ]; then # gateway unreachable: the budget was used up
                diag "$pct % loss: attempt 1 used up the retransmit budget ($MX_CONNECT_MS ms):" \
                        "$(cat "$TSUD_DIR/connect.out")"
                attempts=2
                MX_CONNECT_TIMEOUT=600 mx_connect split "$TSUD_DIR/pw" && ok_loss=1
        fi
        if [ $ok_loss = 1 ]; then
                dropped=$(in_nat nft list chain inet lab loss | awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }')
                ok "$pct % loss both ways: connected in $MX_CONNECT_MS ms, attempt $attempts ($dropped packets dropped)"
                LOSS_RESULTS="${LOSS_RESULTS:-}$pct%: ${MX_CONNECT_MS} ms, attempt $attempts, $dropped dropped; "
                in_nat nft flush chain inet lab loss
                tap_check "$pct % loss: ping through the tunnel afterwards" \
                        in_client ping -c 3 -i 0.2 -W 2 "$LAB_LAN_IP"
        else
                not_ok "$pct % loss both ways: connected"
                diag "$(cat "$TSUD_DIR/connect.out")" "$(tail -n 20 "$TSUD_LOG")"
                in_nat nft flush chain inet lab loss
        fi
        mx_disconnect split >/dev/null 2>&1
        [ "$(mx_netstate)" = "$BEFORE" ] && ok "$pct % loss: nothing left" ||
                { not_ok "$pct % loss: nothing left"; diag "$(mx_netstate)"; }
done

diag "(at $((SECONDS - T0)) s)"
# ------------------------------------------------------------------ NAT mapping flushed
gw_peer_port() {
        "$LAB" gw swanctl --list-sas 2>/dev/null |
                sed -n "s/.*remote .*@ $LAB_NAT_WAN_IP\[\([0-9]*\)\].*/\1/p" | head -n1
}
ping_ok() { in_client ping -c 1 -W 1 "$LAB_LAN_IP" >/dev/null 2>&1; }
if mx_connect split "$TSUD_DIR/pw"; then
        ok "NAT: connected"
        port0=$(gw_peer_port)
        ping_ok && ok "NAT: ping through the tunnel" || not_ok "NAT: ping through the tunnel"
        in_nat conntrack -D -p udp >/dev/null 2>&1
        ok "NAT: the home router's UDP mappings flushed (the gateway saw port $port0)"
        t0=$SECONDS
        # The gateway's libipsec does not move an SA on ESP from a new port;
        # strongSwan moves it on an authenticated IKE request from there
        # (RFC 7296 2.23; we do not negotiate MOBIKE, so no UPDATE_SA_ADDRESSES
        # is needed). Our client sends no IKE request once connected until
        # DPD lands (issue 10): until then these two are TODO (XPASS once
        # it works).
        todo="# TODO the gateway follows a NAT rebinding on our first IKE request: needs DPD (issue 10)"
        if mx_wait "${MX_NAT_WAIT:-15}" ping_ok; then
                tap_todo ok "NAT: the tunnel carries traffic again after $((SECONDS - t0)) s $todo"
                NAT_RESULT="follows after $((SECONDS - t0)) s"
        else
                tap_todo not_ok "NAT: the tunnel carries traffic again within ${MX_NAT_WAIT:-15} s $todo"
                NAT_RESULT="does not follow (needs DPD, issue 10)"
        fi
        port1=$(gw_peer_port)
        if [ -n "$port1" ] && [ "$port1" != "$port0" ]; then
                tap_todo ok "NAT: the gateway moved the SA to the new port ($port0 -> $port1) $todo"
        else
                tap_todo not_ok "NAT: the gateway moved the SA to the new port ($port0 -> ${port1:-none}) $todo"
        fi
        NAT_RESULT="$NAT_RESULT, port $port0 -> $port1"
        mx_disconnect split >/dev/null 2>&1
else
        not_ok "NAT: connected"
        diag "$(cat "$TSUD_DIR/connect.out")"
fi
[ "$(mx_netstate)" = "$BEFORE" ] && ok "NAT: nothing left" || { not_ok "NAT: nothing left"; diag "$(mx_netstate)"; }

diag "(at $((SECONDS - T0)) s)"
# ------------------------------------------------------------------ kill -9 of the engine
engine_pid() { pgrep -u "$TSUD_E" -f tsunagu-engine | head -n 1; }
crashed() { mx_status_json; grep -q '"state":"failed","error":{"reason":"engine-crashed"' "$TSUD_DIR/status.json"; }
mx_profile full EAP_FULL full || not_ok "import full"
if mx_connect full "$TSUD_DIR/pw"; then
        ok "engine: connected (full tunnel, kill switch)"
        kill -KILL "$(engine_pid)"
        if mx_wait 20 crashed; then
                ok "engine kill -9: the session is failed, engine-crashed"
        else
                not_ok "engine kill -9: the session is failed, engine-crashed"
                diag "$(cat "$TSUD_DIR/status.json")"
        fi
        now=$(mx_netstate)
        [ "$now" = "$BEFORE" ] && ok "engine kill -9: the platform reverted" ||
                { not_ok "engine kill -9: the platform reverted"; diag "$now"; }
        mx_connect full "$TSUD_DIR/pw" && ok "engine kill -9: connects again (the gateway replaces the stale SA)" ||
                { not_ok "engine kill -9: connects again"; diag "$(cat "$TSUD_DIR/connect.out")"; }
else
        not_ok "engine: connected"
        diag "$(cat "$TSUD_DIR/connect.out")"
fi

diag "(at $((SECONDS - T0)) s)"
# ------------------------------------------------------------------ kill -9 of tsunagud
TARGETS="$LAB_PUBLIC_WEB_IP 198.51.100.1 $LAB_LAN_IP"
if mx_status_json && grep -q '"state":"connected"' "$TSUD_DIR/status.json"; then
        epid=$(engine_pid)
        kill -KILL "$TSUD_PID"
        wait "$TSUD_PID" 2>/dev/null
        TSUD_PID=
        mx_wait 10 sh -c "! kill -0 $epid 2>/dev/null || grep -q '^State:.*Z' /proc/$epid/status" &&
                ok "tsunagud kill -9: the engine went with it (parent-death signal)" ||
                not_ok "tsunagud kill -9: the engine is still running"
        mx_capture_start down
        mx_traffic $TARGETS
        mx_capture_stop
        n=$(mx_leaks)
        LEAK_DOWN=$n
        if [ "$n" = 0 ]; then
                ok "tsunagud down, kill switch left in place: 0 packets leaked"
        else
                not_ok "tsunagud down: $n packets leaked"
                diag "$(head -n 20 "$TSUD_DIR/leaks.txt")"
        fi
        in_client nft list tables | grep -q tsunagu && ok "tsunagud down: the kill switch table is still there" ||
                not_ok "tsunagud down: the kill switch table is still there"
        mx_start && ok "tsunagud restarted" || not_ok "tsunagud restarted"
        restored() { [ "$(mx_netstate)" = "$BEFORE" ]; }
        if mx_wait 20 restored; then
                ok "tsunagud restart: clean state (TUN, routes, rules, nftables, journal, resolv.conf)"
        else
                not_ok "tsunagud restart: clean state"
                diag "$(mx_netstate)"
        fi
        # Control: the same traffic with nothing of ours in place is seen leaving.
        mx_capture_start control
        mx_traffic $TARGETS
        mx_capture_stop
        n=$(mx_leaks)
        LEAK_CONTROL=$n
        [ "$n" -gt 0 ] && ok "control: without the kill switch the same traffic leaves in clear ($n packets)" ||
                not_ok "control: the capture saw nothing without the kill switch (test broken?)"
        mx_connect full "$TSUD_DIR/pw" && ok "tsunagud restart: connects again" ||
                { not_ok "tsunagud restart: connects again"; diag "$(cat "$TSUD_DIR/connect.out")"; }
        mx_disconnect full >/dev/null 2>&1
        [ "$(mx_netstate)" = "$BEFORE" ] && ok "after all: nothing left" || { not_ok "after all: nothing left"; diag "$(mx_netstate)"; }
else
        not_ok "tsunagud kill -9: not connected before"
fi

diag "(at $((SECONDS - T0)) s)"
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
diag "loss: ${LOSS_RESULTS:-}" "NAT rebinding: ${NAT_RESULT:-}" \
        "tsunagud down: ${LEAK_DOWN:-?} leaked (control without kill switch: ${LEAK_CONTROL:-?})"
tap_done
