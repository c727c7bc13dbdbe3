#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Apply and revert each configuration in a throwaway namespace: the result is
# what was asked (checked with ip -j / nft -j), and after revert the namespace
# is byte for byte as before (addresses, all routing tables, rules, ruleset,
# resolv.conf).
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
command -v jq >/dev/null || tap_skip_all "jq missing"
tap_plan_lazy

NS=$(plat_netns apply) || tap_skip_all "cannot create a network namespace"
PEER=$(plat_netns apply-peer)
ip -n "$NS" link add eth0 type veth peer name peer0 netns "$PEER"
ip -n "$NS" link set eth0 up
ip -n "$PEER" link set peer0 up
ip -n "$NS" addr add 192.168.77.2/24 dev eth0
ip -n "$NS" -6 addr add fd77::2/64 dev eth0 nodad
ip -n "$NS" route add default via 192.168.77.1
ip -n "$NS" -6 route add default via fd77::1
ST=$PLAT_TMP/state
RC=$PLAT_TMP/resolv.conf
printf 'nameserver 192.168.77.1\nsearch home.example\n' >"$RC"
COMMON="--state-dir $ST --resolv-conf $RC --dns-backend resolvconf --gateway 203.0.113.7"
J() { ip -n "$NS" -j "$@"; }

# check_revert NAME : the namespace and resolv.conf are as in before.*
check_revert() {
        if plat_stop; then ok "$1: reverted"; else not_ok "$1: revert failed"; diag "$(cat "$PLAT_OUT")"; fi
        plat_snapshot "$NS" "$PLAT_TMP/after"
        cp "$RC" "$PLAT_TMP/after.rc"
        plat_same "$1: namespace as before" "$PLAT_TMP/before" "$PLAT_TMP/after"
        plat_same "$1: resolv.conf as before" "$PLAT_TMP/before.rc" "$PLAT_TMP/after.rc"
        if [ -z "$(ls -A "$ST" 2>/dev/null)" ]; then ok "$1: no state left"; else not_ok "$1: state left: $(ls "$ST")"; fi
}

snap_before() {
        plat_snapshot "$NS" "$PLAT_TMP/before"
        cp "$RC" "$PLAT_TMP/before.rc"
}

# ---------------------------------------------------------------- full, dual stack, kill switch
snap_before
if plat_start "$NS" $COMMON --create-tun tsu0 --mtu 1380 --ipv4 10.77.0.2 --ipv6 fd00:77::2 \
        --dns 10.77.0.53 --dns fd00:77::53 --search corp.example; then
        ok "full dual-stack: applied"
        plat_match "full: IPv4 /32 on tsu0" "$(J addr show dev tsu0 | jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"')" '^10\.77\.0\.2/32$'
        plat_match "full: IPv6 /128 on tsu0" "$(J addr show dev tsu0 | jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"')" '^fd00:77::2/128$'
        plat_match "full: MTU 1380, up" "$(J link show dev tsu0 | jq -r '.[0] | "\(.mtu) \(.flags|index("UP")!=null)"')" '^1380 true$'
        plat_match "full: IPv4 default in table 29811" "$(J route show table 29811 | jq -r '.[] | "\(.type // "unicast") \(.dst) \(.dev // "-")"')" '^unicast default tsu0$'
        plat_match "full: IPv6 default in table 29811" "$(J -6 route show table 29811 | jq -r '.[] | "\(.type // "unicast") \(.dst) \(.dev // "-")"')" '^unicast default tsu0$'
        plat_match "full: IPv4 rule not fwmark -> 29811 at 32702" "$(J rule show | jq -r '.[] | "\(.priority) \(has("not")) \(.fwmark // "-") \(.table)"')" '^32702 true 0x7473 29811$'
        plat_match "full: IPv6 rule too" "$(J -6 rule show | jq -r '.[] | "\(.priority) \(has("not")) \(.fwmark // "-") \(.table)"')" '^32702 true 0x7473 29811$'
        plat_nomatch "full: no LAN rules without allow-lan" "$(J rule show | jq -r '.[].priority')" '^3270[01]$'
        plat_match "full: kill switch table" "$(ip netns exec "$NS" nft -j list table inet tsunagu | jq -r '.nftables[] | select(.chain) | .chain.name' | sort | tr '\n' ' ')" '^forward input output $'
        plat_match "full: kill switch lets the marked gateway traffic out" "$(ip netns exec "$NS" nft list chain inet tsunagu output)" 'meta mark 0x00007473 ip daddr 203\.0\.113\.7 udp dport \{ 500, 4500 \} accept'
        plat_match "full: resolv.conf has the tunnel's servers" "$(cat "$RC")" '^nameserver 10\.77\.0\.53$'
        plat_nomatch "full: and not the LAN's" "$(cat "$RC")" '192\.168\.77\.1'
        plat_match "full: route get 8.8.8.8 goes to tsu0" "$(J route get 8.8.8.8 | jq -r '.[0].dev')" '^tsu0$'
        plat_match "full: marked traffic uses main" "$(J route get 203.0.113.7 mark 0x7473 | jq -r '.[0].dev')" '^eth0$'
        plat_match "full: the LAN goes into the tunnel too" "$(J route get 192.168.77.1 | jq -r '.[0].dev')" '^tsu0$'
        check_revert "full dual-stack"
else
        not_ok "full dual-stack: apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# ---------------------------------------------------------------- full, IPv4 only: IPv6 blocked
snap_before
if plat_start "$NS" $COMMON --create-tun tsu0 --ipv4 10.77.0.2 --dns 10.77.0.53; then
        ok "IPv4-only: applied"
        plat_match "IPv4-only: IPv6 default unreachable in 29811" "$(J -6 route show table 29811 | jq -r '.[] | "\(.type // "unicast") \(.dst)"')" '^unreachable default$'
        plat_match "IPv4-only: ND/link-local still thrown to main" "$(J -6 route show table 29811 | jq -r '.[] | "\(.type // "unicast") \(.dst)"')" '^throw fe80::/10$'
        out=$(ip netns exec "$NS" ip -6 route get 2001:db8::1 2>&1)
        plat_match "IPv4-only: IPv6 to the Internet is unreachable, not leaked" "$out" 'unreachable|Network is unreachable|No route to host'
        check_revert "IPv4-only"
else
        not_ok "IPv4-only: apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# ---------------------------------------------------------------- split, no kill switch, existing TUN
mkfifo "$PLAT_TMP/hold"
ip netns exec "$NS" "$TOOL" tun hold1 <"$PLAT_TMP/hold" >"$PLAT_TMP/tun.out" 2>&1 &
TUNPID=$!
PLAT_PIDS="$PLAT_PIDS $TUNPID"
exec 8>"$PLAT_TMP/hold"
for i in $(seq 1 50); do grep -q ready "$PLAT_TMP/tun.out" && break; sleep 0.1; done
# The first "up" attaches the default qdisc for good (noop -> pfifo_fast): a
# datapath's TUN has been up before we configure it, so do that here too.
ip -n "$NS" link set hold1 up
ip -n "$NS" link set hold1 down
snap_before
if plat_start "$NS" $COMMON --ifname hold1 --split --no-kill-switch --ipv4 10.77.0.2 --ipv6 fd00:77::2 \
        --include 10.0.0.0/8 --include 172.16.0.0/12 --include fd00::/8 --exclude 10.99.0.0/16 \
        --dns 10.77.0.53 --routing corp.example --mtu 1400; then
        ok "split: applied"
        routes=$(J route show table 29811 | jq -r '.[] | "\(.type // "unicast") \(.dst) \(.dev // "-")"')
        plat_match "split: 10.0.0.0/8 via hold1" "$routes" '^unicast 10\.0\.0\.0/8 hold1$'
        plat_match "split: 172.16.0.0/12 via hold1" "$routes" '^unicast 172\.16\.0\.0/12 hold1$'
        plat_match "split: excluded 10.99.0.0/16 thrown" "$routes" '^throw 10\.99\.0\.0/16'
        plat_nomatch "split: no default route" "$routes" 'default'
        plat_match "split: fd00::/8 via hold1" "$(J -6 route show table 29811 | jq -r '.[] | "\(.dst) \(.dev // "-")"')" '^fd00::/8 hold1$'
        plat_match "split: 10.1.2.3 via hold1" "$(J route get 10.1.2.3 | jq -r '.[0].dev')" '^hold1$'
        plat_match "split: 10.99.1.1 (excluded) via eth0" "$(J route get 10.99.1.1 | jq -r '.[0].dev')" '^eth0$'
        plat_match "split: 8.8.8.8 via eth0" "$(J route get 8.8.8.8 | jq -r '.[0].dev')" '^eth0$'
        plat_nomatch "split: no kill switch" "$(ip netns exec "$NS" nft list ruleset)" 'tsunagu'
        check_revert "split"
else
        not_ok "split: apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# ---------------------------------------------------------------- full + allow LAN
snap_before
if plat_start "$NS" $COMMON --ifname hold1 --allow-lan --ipv4 10.77.0.2 --exclude 198.18.0.0/15; then
        ok "allow-lan: applied"
        rules=$(J rule show | jq -r '.[] | "\(.priority) \(.dst // "all")/\(.dstlen // 0) \(.table) \(.suppress_prefixlen // "-")"')
        plat_match "allow-lan: tunnel's specific routes first" "$rules" '^32700 all/0 29811 0$'
        plat_match "allow-lan: 192.168/16 may use main (not its default)" "$rules" '^32701 192\.168\.0\.0/16 main 0$'
        plat_match "allow-lan: LAN host via eth0" "$(J route get 192.168.77.1 | jq -r '.[0].dev')" '^eth0$'
        plat_match "allow-lan: private range off the LAN still via hold1" "$(J route get 10.5.5.5 | jq -r '.[0].dev')" '^hold1$'
        plat_match "allow-lan: excluded prefix via eth0" "$(J route get 198.18.0.1 | jq -r '.[0].dev')" '^eth0$'
        plat_match "allow-lan: kill switch has the LAN set" "$(ip netns exec "$NS" nft list table inet tsunagu)" 'ip daddr @lan4 accept'
        check_revert "allow-lan"
else
        not_ok "allow-lan: apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# ---------------------------------------------------------------- a failure half-way rolls back
ip -n "$NS" -6 route add unreachable default table 29811
snap_before
if plat_start "$NS" $COMMON --ifname hold1 --ipv4 10.77.0.2 --ipv6 fd00:77::2 --dns 10.77.0.53; then
        not_ok "rollback: apply should have failed on the existing IPv6 route"
        plat_stop
else
        wait "$PLAT_PID"
        plat_match "rollback: the error names the step, object and cause" "$(cat "$PLAT_OUT")" 'adding route ::/0 dev hold1 table 29811: File exists'
        plat_snapshot "$NS" "$PLAT_TMP/after"
        cp "$RC" "$PLAT_TMP/after.rc"
        plat_same "rollback: namespace as before" "$PLAT_TMP/before" "$PLAT_TMP/after"
        plat_same "rollback: resolv.conf as before" "$PLAT_TMP/before.rc" "$PLAT_TMP/after.rc"
        if [ -z "$(ls -A "$ST" 2>/dev/null)" ]; then ok "rollback: no state left"; else not_ok "rollback: state left: $(ls "$ST")"; fi
fi
ip -n "$NS" -6 route del unreachable default table 29811

# ---------------------------------------------------------------- reconnect keeps the kill switch; always-on
snap_before
if plat_start "$NS" $COMMON --ifname hold1 --ipv4 10.77.0.2 --keep-kill-switch; then
        plat_stop
        plat_match "keep-kill-switch: table stays after revert" "$(ip netns exec "$NS" nft list tables)" 'inet tsunagu'
        plat_match "keep-kill-switch: its record stays" "$(ls "$ST")" '^killswitch$'
        ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" >/dev/null
        plat_snapshot "$NS" "$PLAT_TMP/after"
        plat_same "keep-kill-switch: recover removes it (and leaves hold1, not named tsu*)" "$PLAT_TMP/before" "$PLAT_TMP/after"
fi
if plat_start "$NS" $COMMON --ifname hold1 --ipv4 10.77.0.2 --always-on; then
        plat_stop
        ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" >/dev/null
        plat_match "always-on: recover keeps the table" "$(ip netns exec "$NS" nft list tables)" 'inet tsunagu'
        plat_match "always-on: traffic is dropped while down" "$(ip netns exec "$NS" ping -c1 -W1 192.168.77.1 2>&1)" 'not permitted|100% packet loss'
        ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" --remove-kill-switch >/dev/null
        plat_snapshot "$NS" "$PLAT_TMP/after"
        plat_same "always-on: recover --remove-kill-switch removes it" "$PLAT_TMP/before" "$PLAT_TMP/after"
fi
# ---------------------------------------------------------------- a redirect moves the kill switch's hole
snap_before
if plat_start "$NS" $COMMON --ifname hold1 --ipv4 10.77.0.2 --redirect-to 203.0.113.9; then
        for _ in $(seq 50); do grep -q '^redirected' "$PLAT_OUT" && break; sleep 0.1; done
        out=$(ip netns exec "$NS" nft list chain inet tsunagu output)
        plat_match "redirect: the kill switch lets the new gateway out" "$out" 'meta mark 0x00007473 ip daddr 203\.0\.113\.9 udp dport \{ 500, 4500 \} accept'
        plat_nomatch "redirect: and no longer the old one" "$out" '203\.0\.113\.7'
        plat_match "redirect: the new gateway's answers come in" "$(ip netns exec "$NS" nft list chain inet tsunagu input)" 'ip saddr 203\.0\.113\.9 udp sport \{ 500, 4500 \} accept'
        check_revert "redirect"
else
        not_ok "redirect: apply failed"; diag "$(cat "$PLAT_OUT")"
fi
exec 8>&-
wait "$TUNPID"
tap_done
