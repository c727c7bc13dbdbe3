#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The link monitor: addresses and default routes come and go in a namespace;
# the debounced "changed"/"lost" events arrive, once per burst, and changes
# on our own TUN devices (tsu*) and in other tables are ignored.
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
tap_plan_lazy

NS=$(plat_netns monitor) || tap_skip_all "cannot create a network namespace"
PEER=$(plat_netns monitor-peer)
ip -n "$NS" link add eth0 type veth peer name peer0 netns "$PEER"
ip -n "$PEER" link set peer0 up

OUT=$PLAT_TMP/monitor.out
mkfifo "$PLAT_TMP/mon"
ip netns exec "$NS" "$TOOL" monitor --debounce 200 <"$PLAT_TMP/mon" >"$OUT" 2>&1 &
MON=$!
PLAT_PIDS="$PLAT_PIDS $MON"
exec 7>"$PLAT_TMP/mon"
for i in $(seq 1 50); do grep -q ready "$OUT" && break; sleep 0.1; done
grep -q ready "$OUT" || { not_ok "monitor did not start"; diag "$(cat "$OUT")"; tap_done; exit 1; }

seen=0
# expect DESC EVENTS : after the debounce, exactly these new events arrived.
expect() {
        sleep 0.7
        got=$(grep '^event' "$OUT" | tail -n +$((seen + 1)) | sed 's/^event //' | tr '\n' ' ' | sed 's/ $//')
        seen=$(grep -c '^event' "$OUT")
        if [ "$got" = "$2" ]; then ok "$1: [$got]"; else not_ok "$1: got [$got], expected [$2]"; fi
}

ip -n "$NS" link set eth0 up
ip -n "$NS" addr add 192.168.80.2/24 dev eth0
ip -n "$NS" route add default via 192.168.80.1
ip -n "$NS" -6 addr add fd80::2/64 dev eth0 nodad
expect "link up, address, default route (one burst)" "changed"

ip -n "$NS" route del default via 192.168.80.1
expect "default route removed" "lost"

ip -n "$NS" route add default via 192.168.80.1
expect "default route back" "changed"

ip -n "$NS" route replace default via 192.168.80.254
expect "default route via another gateway (roaming)" "changed"

ip -n "$NS" addr add 192.168.80.3/24 dev eth0
expect "a new address" "changed"

for i in 10 11 12 13 14; do ip -n "$NS" addr add 192.168.80.$i/24 dev eth0; done
for i in 10 11 12 13 14; do ip -n "$NS" addr del 192.168.80.$i/24 dev eth0; done
expect "a burst that ends where it started" ""

ip -n "$NS" tuntap add tsu3 mode tun
ip -n "$NS" link set tsu3 up
ip -n "$NS" addr add 10.80.0.2/32 dev tsu3
ip -n "$NS" route add default dev tsu3 table 29811
ip -n "$NS" route add 10.0.0.0/8 dev tsu3
expect "our TUN and table 29811 changing" ""
ip -n "$NS" link del tsu3

ip -n "$NS" addr flush dev eth0
expect "addresses flushed (default route goes with them)" "lost"

ip -n "$NS" addr add 192.168.80.2/24 dev eth0
expect "address back, but no default route yet" ""
ip -n "$NS" route add default via 192.168.80.1
expect "default route back again" "changed"

ip -n "$NS" link set eth0 down
expect "link down" "lost"

exec 7>&-
wait "$MON"
tap_done
