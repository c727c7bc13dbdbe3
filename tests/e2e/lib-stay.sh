# tests/e2e/lib-stay.sh - helpers for the lab tests of staying connected
# through tsunagud while the client's network changes (stay-move.sh,
# stay-redirect.sh, leaks-move.sh). Sourced after lib-matrix.sh and
# mx_setup: tsunagud runs in the lab's client namespace.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
#   st_watch_start NAME / st_wait STATE N SECONDS / st_states / st_time STATE N
#       a D-Bus watcher of profile NAME's session (tests/e2e/stay-watch.py)
#   st_move_out / st_move_back
#       the client moves to another subnet of its home router and back
#   st_flap SECONDS
#       the client's link goes down and up, the default route comes back
#   st_gw_sa CONNECTION
#       the gateway's IKE SA: "unique-id initiator-spi remote-address remote-port"
#   st_ping_start DEST SECONDS / st_ping_wait / st_ping_result / st_ping_gap
#       a ping every 0.1 s in the background; "sent received loss%"
#   st_leaks GATEWAY...
#       leaked packets in the last capture (mx_leaks of lib-matrix.sh, for
#       several gateways, and MLD behind its hop-by-hop header allowed)

ST_NEW_NET=192.168.78            # the home router's second subnet on the client link
ST_NEW_IP=$ST_NEW_NET.2
ST_NEW_ROUTER=$ST_NEW_NET.1
in_nat() { ip netns exec "$LAB_NS_NAT" "$@"; }
in_gw() { ip netns exec "$LAB_NS_GW" "$@"; }
st_mono() { $PY -c 'import time; print("%.3f" % time.monotonic())'; } # the watcher's clock

# ------------------------------------------------------------------ the watcher
st_watch_start() {
        ST_WATCH=$TSUD_DIR/watch-$(printf '%s' "$1" | tr -c 'a-zA-Z0-9\n' '_').log
        as "$TSUD_A" "$PY" "$top_srcdir/tests/e2e/stay-watch.py" "$1" >"$ST_WATCH" \
                2>"$ST_WATCH.err" &
        ST_WATCH_PID=$!
        MX_PIDS="$MX_PIDS $ST_WATCH_PID"
        mx_wait 10 grep -q " State " "$ST_WATCH"
}
st_watch_stop() {
        [ -n "${ST_WATCH_PID:-}" ] && kill "$ST_WATCH_PID" 2>/dev/null
        ST_WATCH_PID=
}
# The session's states in order: the State property when the watcher started,
# then one per StateChanged signal (a reconnect in the lab can take less than
# the watcher's 0.1 s poll: the signals see every step), "<time> <state>".
_st_seq() {
        awk '$2 == "State" && !first { print $1, $3; first = 1 } $2 == "signal" { print $1, $3 }' \
                "$ST_WATCH"
}
st_count() { _st_seq | awk -v s="$1" '$2 == s { c++ } END { print c + 0 }'; }
_st_has() { [ "$(st_count "$1")" -ge "$2" ]; }
# st_wait STATE N SECONDS: until the session has been in STATE N times.
st_wait() { mx_wait "$3" _st_has "$1" "$2"; }
# The states, in order, on one line.
st_states() { _st_seq | awk '{ printf "%s ", $2 }'; }
# st_time STATE N: the watcher's clock when the session entered STATE the Nth time.
st_time() { _st_seq | awk -v s="$1" -v n="$2" '$2 == s && ++c == n { print $1 }'; }
st_gateway() { awk '$2 == "Gateway" { g = $3 } END { print g }' "$ST_WATCH"; }
# st_elapsed T0 T1: T1 - T0 in seconds, one decimal.
st_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ------------------------------------------------------------------ moving
# The client joins another subnet of its home router (as when a laptop moves
# to another Wi-Fi or VLAN): the router gets a second address on the client
# link, the client adds its new address, points its default route at the new
# router address and drops the old address. The router's NAT mappings are
# flushed, so that the gateway sees new ones.
st_move_out() {
        in_nat ip addr add "$ST_NEW_ROUTER/24" dev lan 2>/dev/null
        in_client ip addr add "$ST_NEW_IP/24" dev "$LAB_CLIENT_IF"
        in_client ip route replace default via "$ST_NEW_ROUTER" dev "$LAB_CLIENT_IF"
        in_client ip addr del "$LAB_CLIENT_IP/24" dev "$LAB_CLIENT_IF"
        in_nat conntrack -F >/dev/null 2>&1
}
# The way back (also the EXIT trap's: quiet and idempotent).
st_move_back() {
        in_client ip addr add "$LAB_CLIENT_IP/24" dev "$LAB_CLIENT_IF" 2>/dev/null
        in_client ip route replace default via "$LAB_HOME_ROUTER_IP" dev "$LAB_CLIENT_IF"
        in_client ip addr del "$ST_NEW_IP/24" dev "$LAB_CLIENT_IF" 2>/dev/null
        in_nat ip addr del "$ST_NEW_ROUTER/24" dev lan 2>/dev/null
        in_nat conntrack -F >/dev/null 2>&1
        return 0
}
# st_flap SECONDS: the client's link down, then up again, and the default
# route back (the kernel drops it with the link; a DHCP client adds it).
st_flap() {
        local via
        via=$(in_client ip route show default | awk '{ print $3; exit }')
        in_client ip link set "$LAB_CLIENT_IF" down
        sleep "$1"
        in_client ip link set "$LAB_CLIENT_IF" up
        in_client ip route replace default via "${via:-$LAB_HOME_ROUTER_IP}" dev "$LAB_CLIENT_IF"
}

# ------------------------------------------------------------------ the gateway's view
# st_gw_sa CONNECTION: "unique-id initiator-spi remote-address remote-port"
# of the connection's established IKE SA (swanctl --list-sas).
st_gw_sa() {
        "$LAB" gw swanctl --list-sas --ike "$1" 2>/dev/null | awk '
                /ESTABLISHED/ { id = $2; sub(/^#/, "", id); sub(/,$/, "", id); spi = $5; sub(/_i.*/, "", spi) }
                /^  remote / && id != "" {
                        for (i = 1; i <= NF; i++) if ($i == "@") { a = $(i + 1); break }
                        port = a; sub(/.*\[/, "", port); sub(/\].*/, "", port); sub(/\[.*/, "", a)
                        print id, spi, a, port; exit
                }'
}

# ------------------------------------------------------------------ traffic
st_ping_start() {
        ST_PING=$TSUD_DIR/ping.$RANDOM.txt
        in_client ping -n -i 0.1 -W 1 -w "$2" "$1" >"$ST_PING" 2>&1 &
        ST_PING_PID=$!
        MX_PIDS="$MX_PIDS $ST_PING_PID"
}
# st_ping_wait: until the ping has ended (not from a subshell: it is our child).
st_ping_wait() { wait "$ST_PING_PID" 2>/dev/null; }
# st_ping_result (after st_ping_wait): "sent received loss%".
st_ping_result() {
        sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$ST_PING" |
                awk '{ printf "%d %d %.1f%%\n", $1, $2, $1 ? 100 * ($1 - $2) / $1 : 100 }'
}
# st_ping_gap: the longest run of unanswered pings (in 0.1 s steps), from
# the sequence numbers that came back.
st_ping_gap() {
        awk -F'icmp_seq=' 'NF > 1 { split($2, a, " "); s = a[1] + 0;
                if (last != "" && s - last - 1 > gap) gap = s - last - 1; last = s }
                END { printf "%.1f\n", gap / 10 }' "$ST_PING"
}

# ------------------------------------------------------------------ leaks
# st_leaks GATEWAY...: the number of packets the client sent in the last
# capture (MX_PCAP) that are not allowed (mx_allowed of lib-matrix.sh, for
# each gateway); the packets in $TSUD_DIR/leaks.txt.
st_leaks() {
        local allowed="" gw
        for gw in "$@"; do
                allowed="${allowed:+$allowed or }($(mx_allowed "$gw"))"
        done
        tcpdump -n -r "$MX_PCAP" "ether src $MX_CLIENT_MAC and not ($allowed)" 2>/dev/null \
                >"$TSUD_DIR/leaks.txt"
        wc -l <"$TSUD_DIR/leaks.txt"
}
