#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Staying connected through tsunagud while the client moves (issue 10): the
# real tsunagud and sandboxed engine in the lab's client namespace, driven
# over D-Bus by the real CLI, a D-Bus watcher on the session's State and
# Gateway (tests/e2e/stay-watch.py), against the lab's strongSwan gateway:
#
#  1. MOBIKE (scenario EAP_SPLIT): connected, a ping every 0.1 s and an iperf3
#     UDP stream to the LAN host run; the client moves to another subnet of
#     its home router (new address, new default route, old address gone, the
#     router's NAT mappings flushed) -> the helper's link monitor re-connects
#     the sockets, the engine sends UPDATE_SA_ADDRESSES: the session stays
#     CONNECTED (never reconnecting), the gateway keeps the same IKE SA with a
#     new remote port, traffic resumes; the loss is reported;
#  2. no MOBIKE (scenario NOMOBIKE): the same move -> RECONNECTING, then
#     CONNECTED by itself within a bound; a link flap (down 5 s, up, the
#     default route back as a DHCP client adds it) -> CONNECTED again;
#  3. after each: nothing of tsunagu's left, and once moved back the client
#     namespace is byte for byte as before (addresses, routes, rules, nft).
LAB_PREFIX="tsm$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib-matrix.sh"
. "$top_srcdir/tests/e2e/lib-stay.sh"
command -v conntrack >/dev/null 2>&1 || tap_skip_all "conntrack not installed"
command -v iperf3 >/dev/null 2>&1 || tap_skip_all "iperf3 not installed"

RECONNECT_MAX=15 # s from the move to CONNECTED again without MOBIKE
MOVE_MAX=10      # s from the move to the gateway's SA on the new port (MOBIKE)

mx_setup move
tap_plan_lazy
mx_at_exit st_move_back
mx_at_exit "in_client ip link set $LAB_CLIENT_IF up"
BEFORE=$(mx_netstate)
SNAP0=$(mx_snapshot)
mx_profile mobike EAP_SPLIT split || { not_ok "import"; tap_done; exit 1; }
mx_profile nomobike NOMOBIKE split || not_ok "import nomobike"
FIGURES=()

up() {
        if mx_connect "$1" "$TSUD_DIR/pw"; then
                ok "$1: connected through tsunagud in $MX_CONNECT_MS ms"
                return 0
        fi
        not_ok "$1: connected"
        diag "$(cat "$TSUD_DIR/connect.out")" "$(tail -n 10 "$TSUD_LOG")"
        return 1
}
down_clean() {
        mx_disconnect "$1" || not_ok "$1: disconnect ($(cat "$TSUD_DIR/disconnect.out"))"
        st_watch_stop
        local now
        now=$(mx_netstate)
        [ "$now" = "$BEFORE" ] && ok "$1: nothing of tsunagu's left" ||
                { not_ok "$1: nothing of tsunagu's left"; diag "$now"; }
        mx_gw_no_sa && ok "$1: no SA left on the gateway" || not_ok "$1: no SA left on the gateway"
}
sa_port_moved() { # OLD-PORT CONNECTION
        local now
        now=$(st_gw_sa "$2")
        [ -n "$now" ] && [ "$(echo "$now" | cut -d' ' -f4)" != "$1" ]
}
log_mark() { LOG_MARK=$(wc -l <"$TSUD_LOG"); }
log_since() { tail -n +"$((LOG_MARK + 1))" "$TSUD_LOG"; }

# ------------------------------------------------------------------ 1. MOBIKE
if up mobike; then
        st_watch_start mobike
        sa0=$(st_gw_sa eap-split)
        [ -n "$sa0" ] && ok "mobike: the gateway has the IKE SA (#${sa0%% *}, from ${sa0#* * })" ||
                not_ok "mobike: the gateway has the IKE SA"
        st_ping_start "$LAB_LAN_IP" 14
        in_client timeout 25 iperf3 -c "$LAB_IPERF_SERVER" -u -b 2M -t 10 --json \
                >"$TSUD_DIR/iperf.json" 2>"$TSUD_DIR/iperf.err" &
        IPERF_PID=$!
        sleep 2
        log_mark
        t0=$(st_mono)
        st_move_out
        if mx_wait 10 grep -q "network changed: sockets re-connected to .* from $ST_NEW_IP:" "$TSUD_LOG"; then
                ok "mobike: the helper saw the move and re-connected the sockets from $ST_NEW_IP"
        else
                not_ok "mobike: the helper saw the move"; diag "$(log_since | tail -n 15)"
        fi
        if mx_wait "$MOVE_MAX" sa_port_moved "$(echo "$sa0" | cut -d' ' -f4)" eap-split; then
                sa1=$(st_gw_sa eap-split)
                dt=$(st_elapsed "$t0" "$(st_mono)")
                ok "mobike: the gateway's SA follows to the new mapping within $dt s"
        else
                sa1=$(st_gw_sa eap-split)
                not_ok "mobike: the gateway's SA follows to the new mapping (now: '$sa1')"
                diag "$(log_since | tail -n 20)"
        fi
        if [ "$(echo "$sa1" | cut -d' ' -f1-2)" = "$(echo "$sa0" | cut -d' ' -f1-2)" ] &&
                [ "$(echo "$sa1" | cut -d' ' -f3)" = "$LAB_NAT_WAN_IP" ]; then
                ok "mobike: the same IKE SA (#${sa1%% *}, SPI $(echo "$sa1" | cut -d' ' -f2)), remote $LAB_NAT_WAN_IP port $(echo "$sa0" | cut -d' ' -f4) -> $(echo "$sa1" | cut -d' ' -f4)"
        else
                not_ok "mobike: the same IKE SA, moved (before '$sa0', after '$sa1')"
                diag "$("$LAB" gw swanctl --list-sas 2>&1 | head -n 20)"
        fi
        log_since | grep -q "UPDATE_SA_ADDRESSES" &&
                ok "mobike: the engine's log shows the UPDATE_SA_ADDRESSES exchange" ||
                { not_ok "mobike: the engine's log shows UPDATE_SA_ADDRESSES"; diag "$(log_since | tail -n 20)"; }
        st_ping_wait
        read -r sent got loss <<<"$(st_ping_result)"
        gap=$(st_ping_gap)
        FIGURES+=("MOBIKE move: ping $got/$sent answered ($loss lost, longest gap $gap s)")
        diag "mobike: ping every 0.1 s across the move: $got of $sent answered ($loss lost), longest gap $gap s"
        [ "${got:-0}" -gt 0 ] && ok "mobike: pings answered across the move ($got/$sent)" ||
                not_ok "mobike: pings answered across the move"
        wait "$IPERF_PID"
        irc=$?
        iperf=$($PY - "$TSUD_DIR/iperf.json" <<'PY' 2>/dev/null
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
print("%d %d %.1f" % (s["packets"], s["lost_packets"], s["lost_percent"]))
PY
)
        if [ "$irc" = 0 ] && [ -n "$iperf" ]; then
                read -r ip il ipc <<<"$iperf"
                ok "mobike: iperf3 UDP (2 Mbit/s, 10 s) ran through the move: $il of $ip datagrams lost ($ipc %)"
                FIGURES+=("MOBIKE move: iperf3 UDP $il/$ip lost ($ipc %)")
        else
                not_ok "mobike: iperf3 UDP ran through the move (exit $irc)"
                diag "$(tail -n 5 "$TSUD_DIR/iperf.err" "$TSUD_DIR/iperf.json")"
        fi
        tap_check "mobike: traffic flows after the move" in_client ping -c 3 -i 0.2 -W 2 "$LAB_LAN_IP"
        [ "$(st_states)" = "connected " ] && ok "mobike: D-Bus State stayed connected (no reconnect)" ||
                not_ok "mobike: D-Bus State stayed connected (saw: $(st_states))"
        log_since | grep -q "reconnecting" && not_ok "mobike: the helper's log has no reconnect" ||
                ok "mobike: the helper's log has no reconnect"
        down_clean mobike
fi
st_move_back

# ------------------------------------------------------------------ 2. no MOBIKE: move, then link flap
if up nomobike; then
        st_watch_start nomobike
        st_ping_start "$LAB_LAN_IP" 12
        sleep 1
        log_mark
        t0=$(st_mono)
        st_move_out
        if st_wait reconnecting 1 10; then
                ok "nomobike: the move -> reconnecting after $(st_elapsed "$t0" "$(st_time reconnecting 1)") s"
        else
                not_ok "nomobike: the move -> reconnecting"; diag "$(log_since | tail -n 20)"
        fi
        if st_wait connected 2 "$RECONNECT_MAX"; then
                dt=$(st_elapsed "$t0" "$(st_time connected 2)")
                ok "nomobike: connected again by itself $dt s after the move (at most $RECONNECT_MAX s)"
                FIGURES+=("no-MOBIKE move: connected again after $dt s")
        else
                not_ok "nomobike: connected again by itself within $RECONNECT_MAX s (saw: $(st_states))"
                diag "$(log_since | tail -n 25)"
        fi
        st_ping_wait
        read -r sent got loss <<<"$(st_ping_result)"
        FIGURES+=("no-MOBIKE move: ping $got/$sent answered ($loss lost, longest gap $(st_ping_gap) s)")
        diag "nomobike: ping every 0.1 s across the move: $got of $sent answered ($loss lost), longest gap $(st_ping_gap) s"
        tap_check "nomobike: traffic flows after the move" in_client ping -c 3 -i 0.2 -W 2 "$LAB_LAN_IP"
        sa=$(st_gw_sa eap-nomobike)
        [ "$(echo "$sa" | cut -d' ' -f3)" = "$LAB_NAT_WAN_IP" ] &&
                ok "nomobike: the gateway has the new IKE SA (#${sa%% *})" ||
                not_ok "nomobike: the gateway has the new IKE SA ('$sa')"

        # A link flap: 5 s without the link.
        n=$(st_count connected)
        log_mark
        st_flap 5
        t0=$(st_mono)
        if st_wait connected $((n + 1)) "$RECONNECT_MAX"; then
                dt=$(st_elapsed "$t0" "$(st_time connected $((n + 1)))")
                ok "nomobike: link flap (5 s): connected again $dt s after the link came back"
                FIGURES+=("no-MOBIKE link flap: connected again $dt s after link up")
        else
                not_ok "nomobike: link flap: connected again (saw: $(st_states))"
                diag "$(log_since | tail -n 25)"
        fi
        log_since | grep -q "network lost" && ok "nomobike: the helper noticed the link was gone" ||
                not_ok "nomobike: the helper noticed the link was gone"
        tap_check "nomobike: traffic flows after the flap" in_client ping -c 3 -i 0.2 -W 2 "$LAB_LAN_IP"
        st_states | grep -q "failed\|disconnected" && not_ok "nomobike: never failed ($(st_states))" ||
                ok "nomobike: never failed nor disconnected ($(st_states))"
        down_clean nomobike
fi
st_move_back

SNAP1=$(mx_snapshot)
if [ "$SNAP1" = "$SNAP0" ]; then
        ok "moved back: the client namespace is byte for byte as before (addresses, routes, rules, nft)"
else
        not_ok "moved back: the client namespace is as before"
        diff <(echo "$SNAP0") <(echo "$SNAP1") | head -n 30 | while IFS= read -r l; do diag "$l"; done
fi
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
diag "figures:" "${FIGURES[@]}"
tap_done
