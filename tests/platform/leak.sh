#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Leak tests on a two-namespace topology:
#
#   client ns                                   router ns
#   tsu0 (TUN, drained by the tool)
#   eth0 192.168.79.2/24, fd79::2/64  ---veth--- peer0 192.168.79.1/24, fd79::1/64
#                                               nft table "watch": counts every packet
#                                               from the client that is not link-local
#                                               housekeeping ("clear") and DNS ("dns")
#
# With a full tunnel up, a rogue DHCP server's more specific routes
# (TunnelVision: 0.0.0.0/1, 128.0.0.0/1, a /32) and a LAN that claims a
# public subnet (TunnelCrack LocalNet) must not take traffic out in clear;
# DNS never leaves outside the tunnel; IPv6 is not leaked by an IPv4-only
# tunnel. A control run with wg-quick's rule order shows the test can fail.
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
command -v python3 >/dev/null || tap_skip_all "python3 missing"
tap_plan_lazy

C=$(plat_netns client) || tap_skip_all "cannot create a network namespace"
R=$(plat_netns router)
ip -n "$C" link add eth0 type veth peer name peer0 netns "$R"
ip -n "$C" link set eth0 up
ip -n "$R" link set peer0 up
ip -n "$C" addr add 192.168.79.2/24 dev eth0
ip -n "$C" -6 addr add fd79::2/64 dev eth0 nodad
ip -n "$R" addr add 192.168.79.1/24 dev peer0
ip -n "$R" -6 addr add fd79::1/64 dev peer0 nodad
ip -n "$C" route add default via 192.168.79.1
ip -n "$C" -6 route add default via fd79::1
ip netns exec "$R" nft -f - <<'NFT'
table inet watch {
        counter clear { }
        counter dns { }
        chain pre {
                type filter hook prerouting priority -300; policy accept;
                iifname != "peer0" accept
                ip6 saddr fe80::/10 accept
                ip6 daddr ff02::/16 accept
                udp dport 53 counter name "dns"
                counter name "clear"
        }
}
NFT
ST=$PLAT_TMP/state
RC=$PLAT_TMP/resolv.conf
printf 'nameserver 192.168.79.1\n' >"$RC"
BASE="--state-dir $ST --resolv-conf $RC --dns-backend resolvconf --gateway 203.0.113.7 --create-tun tsu0 --ipv4 10.79.0.2 --dns 10.79.0.53"

counter() { ip netns exec "$R" nft list counter inet watch "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
reset_counters() { ip netns exec "$R" nft reset counters table inet watch >/dev/null; }

# send DEST... : one ICMP echo and one UDP datagram (to port 53 and 9) per destination.
send() {
        for d in "$@"; do
                case $d in
                *:*) ip netns exec "$C" ping -6 -c1 -W1 "$d" >/dev/null 2>&1 ;;
                *) ip netns exec "$C" ping -c1 -W1 "$d" >/dev/null 2>&1 ;;
                esac
                ip netns exec "$C" python3 - "$d" <<'PY' 2>/dev/null
import socket, sys
d = sys.argv[1]
fam = socket.AF_INET6 if ":" in d else socket.AF_INET
for port in (53, 9):
    try:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01", (d, port))
    except OSError:
        pass
PY
        done
}

# The route a rogue DHCP server pushes (option 121) and a /32 for one victim.
tunnelvision_on() {
        ip -n "$C" route add 0.0.0.0/1 via 192.168.79.1
        ip -n "$C" route add 128.0.0.0/1 via 192.168.79.1
        ip -n "$C" route add 198.51.100.9/32 via 192.168.79.1
}
tunnelvision_off() {
        ip -n "$C" route del 0.0.0.0/1 via 192.168.79.1
        ip -n "$C" route del 128.0.0.0/1 via 192.168.79.1
        ip -n "$C" route del 198.51.100.9/32 via 192.168.79.1
}

tun_packets() { sed -n 's/^tun-packets //p' "$PLAT_OUT"; }

# ---------------------------------------------------------------- control: wg-quick's order leaks
mkfifo "$PLAT_TMP/hold"
ip netns exec "$C" "$TOOL" tun ctl0 <"$PLAT_TMP/hold" >"$PLAT_TMP/ctl.out" 2>&1 &
CTL=$!
PLAT_PIDS="$PLAT_PIDS $CTL"
exec 8>"$PLAT_TMP/hold"
for i in $(seq 1 50); do grep -q ready "$PLAT_TMP/ctl.out" && break; sleep 0.1; done
ip -n "$C" link set ctl0 up
ip -n "$C" addr add 10.79.0.3/32 dev ctl0
ip -n "$C" route add default dev ctl0 table 29811
ip -n "$C" rule add table main suppress_prefixlength 0 pref 32700
ip -n "$C" rule add not fwmark 0x7473 table 29811 pref 32701
tunnelvision_on
reset_counters
send 8.8.8.8 198.51.100.9
n=$(counter clear)
if [ "${n:-0}" -gt 0 ]; then
        ok "control: with wg-quick's rules (suppress_prefixlength 0 first) TunnelVision leaks ($n packets in clear)"
else
        not_ok "control: the wg-quick rule order should leak here, the watch sees nothing (test broken?)"
fi
tunnelvision_off
ip -n "$C" rule del pref 32700
ip -n "$C" rule del pref 32701
ip -n "$C" route del default dev ctl0 table 29811
exec 8>&-
wait "$CTL"

# ---------------------------------------------------------------- TunnelVision, routing alone (no kill switch)
if plat_start "$C" $BASE --no-kill-switch; then
        tunnelvision_on
        reset_counters
        send 8.8.8.8 1.1.1.1 198.51.100.9 200.0.0.1
        n=$(counter clear)
        if [ "${n:-0}" -eq 0 ]; then ok "TunnelVision, no kill switch: nothing in clear (routing alone)"; else not_ok "TunnelVision, no kill switch: $n packets left in clear"; fi
        plat_match "TunnelVision: 198.51.100.9 still routed into tsu0" "$(ip -n "$C" route get 198.51.100.9)" 'dev tsu0'
        tunnelvision_off
        plat_stop
        t=$(tun_packets)
        if [ "${t:-0}" -ge 8 ]; then ok "TunnelVision: the traffic went into the tunnel ($t packets)"; else not_ok "TunnelVision: only ${t:-0} packets reached the TUN"; diag "$(cat "$PLAT_OUT")"; fi
else
        not_ok "apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# ---------------------------------------------------------------- TunnelVision with the kill switch
if plat_start "$C" $BASE; then
        tunnelvision_on
        reset_counters
        send 8.8.8.8 198.51.100.9 128.66.0.1
        n=$(counter clear)
        if [ "${n:-0}" -eq 0 ]; then ok "TunnelVision, kill switch: nothing in clear"; else not_ok "TunnelVision, kill switch: $n packets in clear"; fi
        tunnelvision_off
        # DNS: the resolver the LAN gave, asked directly, and the tunnel's.
        reset_counters
        send 192.168.79.1 10.79.0.53
        n=$(counter dns)
        if [ "${n:-0}" -eq 0 ]; then ok "DNS: no query leaves outside the tunnel"; else not_ok "DNS: $n queries in clear"; fi
        n=$(counter clear)
        if [ "${n:-0}" -eq 0 ]; then ok "LAN not allowed: nothing to the LAN router in clear"; else not_ok "LAN: $n packets in clear"; fi
        plat_match "DNS: resolv.conf points into the tunnel" "$(cat "$RC")" '^nameserver 10\.79\.0\.53$'
        # A packet that routing would send out eth0 (marked like the gateway socket
        # but to another host) is stopped by the kill switch and counted.
        before=$(ip netns exec "$C" "$TOOL" counters | sed 's/^out \([0-9]*\).*/\1/')
        ip netns exec "$C" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 36, 0x7473)  # SO_MARK
for dest in ("192.0.2.99", "203.0.113.7"):
    try:
        s.sendto(b"x", (dest, 4500))
    except OSError:
        pass  # EPERM: the kill switch dropped it
' 2>/dev/null
        sleep 0.5 # the gateway's datagram may wait for ARP
        after=$(ip netns exec "$C" "$TOOL" counters | sed 's/^out \([0-9]*\).*/\1/')
        if [ "$((after - before))" -eq 1 ]; then ok "kill switch: marked UDP to a non-gateway dropped and counted"; else not_ok "kill switch: counter went $before -> $after"; fi
        n=$(counter clear)
        if [ "${n:-0}" -eq 1 ]; then ok "kill switch: marked UDP to the gateway passes (1 packet on the wire)"; else not_ok "kill switch: $n packets on the wire, expected 1 (the gateway's)"; fi
        plat_stop
else
        not_ok "apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# ---------------------------------------------------------------- TunnelCrack LocalNet, LAN allowed
# The LAN claims 1.2.3.0/24 (a public prefix); the victim is 1.2.3.4.
ip -n "$C" addr add 1.2.3.2/24 dev eth0
ip -n "$R" addr add 1.2.3.1/24 dev peer0
for ks in "" --no-kill-switch; do
        if plat_start "$C" $BASE --allow-lan $ks; then
                reset_counters
                send 1.2.3.4
                n=$(counter clear)
                if [ "${n:-0}" -eq 0 ]; then ok "LocalNet${ks:+ $ks}: 1.2.3.4 on a 'LAN' public subnet not sent in clear"; else not_ok "LocalNet${ks:+ $ks}: $n packets in clear"; fi
                plat_match "LocalNet${ks:+ $ks}: 1.2.3.4 routed into tsu0" "$(ip -n "$C" route get 1.2.3.4)" 'dev tsu0'
                # The real LAN (a private range) is reachable when allowed.
                if ip netns exec "$C" ping -c1 -W1 192.168.79.1 >/dev/null 2>&1; then ok "allow-lan${ks:+ $ks}: the LAN router answers"; else not_ok "allow-lan${ks:+ $ks}: the LAN router is unreachable"; fi
                plat_stop
        else
                not_ok "apply failed"; diag "$(cat "$PLAT_OUT")"
        fi
done
ip -n "$C" addr del 1.2.3.2/24 dev eth0
ip -n "$R" addr del 1.2.3.1/24 dev peer0

# ---------------------------------------------------------------- IPv6 with an IPv4-only tunnel
for ks in "" --no-kill-switch; do
        if plat_start "$C" $BASE $ks; then
                reset_counters
                send 2001:db8::1 fd79::1
                n=$(counter clear)
                if [ "${n:-0}" -eq 0 ]; then ok "IPv4-only tunnel${ks:+ $ks}: no IPv6 leaves in clear"; else not_ok "IPv4-only tunnel${ks:+ $ks}: $n IPv6 packets in clear"; fi
                plat_stop
        else
                not_ok "apply failed"; diag "$(cat "$PLAT_OUT")"
        fi
done

# ---------------------------------------------------------------- after disconnect, traffic flows again
reset_counters
send 8.8.8.8
n=$(counter clear)
if [ "${n:-0}" -gt 0 ]; then ok "after revert: traffic uses the LAN again ($n packets)"; else not_ok "after revert: nothing reaches the router"; fi
tap_done
