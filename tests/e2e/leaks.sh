#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Leak tests (issue 11, section 4) with the real tsunagud and engine, driven
# over D-Bus by the real CLI, against the lab's strongSwan gateway. A capture
# (tcpdump) runs on the client's physical interface (eth0 of the client
# namespace) while a full tunnel with the kill switch is up and traffic is
# sent to many destinations (ping, UDP 53 and 9, TCP 80, name lookups). Of
# what the client sends, only UDP 500/4500 to the gateway, DHCP, ARP and
# IPv6 neighbour discovery / router solicitation / MLD may appear; every
# other packet is a leak and the test fails on any (target 0). Each case has
# a control run without the tunnel (and so without its kill switch) that
# sends the same traffic under the same attack and must see it leave: that
# proves the capture and the filter can see a leak.
#
#   L1 TunnelVision: a rogue DHCP server (busybox udhcpd on the home router)
#      pushes option 121 routes 0.0.0.0/1, 128.0.0.0/1 and a /32 mid-session;
#      a real DHCP client (busybox udhcpc) in the client namespace applies them;
#   L2 TunnelCrack LocalNet: the local subnet holds a public address
#      (1.2.3.0/24 on the LAN, victim 1.2.3.4), LAN access allowed;
#   L3 TunnelCrack ServerIP: the gateway's name resolves to a decoy
#      (198.51.100.77) that forwards IKE/NAT-T to the gateway; traffic to
#      the decoy's other ports must still go through the tunnel;
#   L4 the DNS server changes mid-session (resolv.conf rewritten by "DHCP"
#      to the home router): no query leaves in clear;
#   L5 a router advertisement (dnsmasq) brings global IPv6 to the client
#      while the tunnel is IPv4-only: no IPv6 leaves in clear;
#   L6 UDP 4500 black-holed at the home router until the client's dead peer
#      detection fires: reconnecting, kill switch kept, nothing leaks while
#      it retries; let through again: connected again by itself;
#   L8 the client namespace's state (ip addr, routes and rules of both
#      families, nft list ruleset, resolv.conf) is byte-identical before and
#      after a session; the control is the same snapshot taken while connected.
# Elsewhere: L7 many rekeys (stay-rekey.sh, and its 10-minute soak in
# tests/run), the engine killed (faults.sh); a link flap and a move to
# another subnet (stay-move.sh, leaks-move.sh).
LAB_PREFIX="tsl$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib-matrix.sh"
command -v tcpdump >/dev/null 2>&1 || tap_skip_all "tcpdump not installed"
command -v busybox >/dev/null 2>&1 || tap_skip_all "busybox not installed (udhcpc/udhcpd for L1)"
command -v dnsmasq >/dev/null 2>&1 || tap_skip_all "dnsmasq not installed (RA for L5)"

mx_setup leaks
tap_plan_lazy
ok "the lab is up ($LAB_PREFIX) and tsunagud runs in its client namespace"
in_nat() { ip netns exec "$LAB_NS_NAT" "$@"; }
in_inet() { ip netns exec "$LAB_NS_INET" "$@"; }
BEFORE=$(mx_netstate)
SNAP0=$(mx_snapshot)
RESULTS=()

mx_profile full EAP_FULL full || { not_ok "import"; tap_done; exit 1; }
mx_profile full-lan EAP_FULL full "allow-lan = true" || not_ok "import full-lan"
mx_profile full-v4 V4ONLY full || not_ok "import full-v4"

# check_case NAME GATEWAY LEAKS-EXPECTED: counts the last capture's leaks
# (to GATEWAY's UDP 500/4500 allowed); "0" must see none, "+" at least one.
check_case() {
        local name=$1 gw=$2 want=$3 n
        n=$(mx_leaks "$gw")
        if [ "$want" = 0 ]; then
                RESULTS+=("$name: $n")
                if [ "$n" = 0 ]; then
                        ok "$name: 0 packets leaked"
                else
                        not_ok "$name: $n packets leaked"
                        diag "$(head -n 20 "$TSUD_DIR/leaks.txt")"
                fi
        else
                RESULTS+=("$name control: $n")
                if [ "$n" -gt 0 ]; then
                        ok "$name control (no tunnel): the capture sees the same traffic leave ($n packets)"
                else
                        not_ok "$name control (no tunnel): nothing seen (the test cannot fail?)"
                        diag "$(tcpdump -n -r "$MX_PCAP" 2>/dev/null | head -n 20)" \
                                "$(in_client ip -4 addr; in_client ip route; in_client nft list tables)"
                fi
        fi
}

up() {
        mx_connect "$1" "$TSUD_DIR/pw" && return 0
        not_ok "$1: connected"
        diag "$(cat "$TSUD_DIR/connect.out")" "$(tail -n 10 "$TSUD_LOG")"
        return 1
}
down() {
        mx_disconnect "$1" || { not_ok "$1: disconnect"; diag "$(cat "$TSUD_DIR/disconnect.out")"; }
}
# control_start NAME: a control capture, once nothing of tsunagu's is left.
reverted() { [ "$(mx_netstate)" = "$BEFORE" ]; }
control_start() {
        mx_wait 20 reverted || diag "control $1: tsunagu's state is still there:" "$(mx_netstate)"
        mx_capture_start "$1"
}

# ------------------------------------------------------------------ baseline and L8
TARGETS="$LAB_PUBLIC_WEB_IP 198.51.100.1 192.0.2.1 $LAB_HOME_ROUTER_IP"
if up full; then
        ok "full tunnel with the kill switch: connected"
        in_client nft list tables | grep -q tsunagu && ok "the kill switch is up" || not_ok "the kill switch is up"
        SNAP_UP=$(mx_snapshot)
        mx_capture_start base
        mx_traffic $TARGETS
        mx_capture_stop
        check_case "full tunnel" "$LAB_GW_IP" 0
        n=$(mx_pcap_count "ether src $MX_CLIENT_MAC and udp and dst host $LAB_GW_IP and dst port 4500")
        [ "$n" -gt 0 ] && ok "full tunnel: the traffic went out as ESP-in-UDP ($n packets)" ||
                not_ok "full tunnel: no ESP-in-UDP seen (is the capture working?)"
        down full
fi
SNAP1=$(mx_snapshot)
if [ "$SNAP1" = "$SNAP0" ]; then
        ok "L8: ip addr/route/rule -4/-6, nft ruleset and resolv.conf byte-identical before and after"
        RESULTS+=("L8: identical")
else
        not_ok "L8: state differs after the session"
        diff <(echo "$SNAP0") <(echo "$SNAP1") | head -n 30 | while IFS= read -r l; do diag "$l"; done
        RESULTS+=("L8: differs")
fi
if [ -n "${SNAP_UP:-}" ] && [ "$SNAP_UP" != "$SNAP0" ]; then
        ok "L8 control: the same snapshot taken while connected differs ($(diff <(echo "$SNAP0") <(echo "$SNAP_UP") | grep -c '^[<>]') lines)"
else
        not_ok "L8 control: the snapshot does not see the tunnel (the test cannot fail?)"
fi

# ------------------------------------------------------------------ L1 TunnelVision
DH=$TSUD_DIR/dhcp
mkdir -p "$DH"
cat >"$DH/udhcpd.conf" <<EOT
start 192.168.77.2
end 192.168.77.2
interface lan
lease_file $DH/leases
pidfile $DH/udhcpd.pid
opt router 192.168.77.1
opt subnet 255.255.255.0
opt dns 192.168.77.1
opt lease 600
opt staticroutes 0.0.0.0/1 192.168.77.1, 128.0.0.0/1 192.168.77.1, 198.51.100.9/32 192.168.77.1
EOT
touch "$DH/leases"
# What a DHCP client's hook does with option 121 (RFC 3442): install the routes.
cat >"$DH/udhcpc.script" <<'EOT'
#!/bin/sh
case $1 in
bound|renew)
        set -- $staticroutes
        while [ $# -ge 2 ]; do
                ip route replace "$1" via "$2" dev "$interface" proto dhcp
                echo "route $1 via $2" >>"$LOG"
                shift 2
        done ;;
esac
exit 0
EOT
chmod 755 "$DH/udhcpc.script"
in_nat busybox udhcpd -f "$DH/udhcpd.conf" >"$DH/udhcpd.log" 2>&1 &
MX_PIDS="$MX_PIDS $!"
rogue_routes() {
        in_client env LOG="$DH/routes.log" busybox udhcpc -i eth0 -f -q -n -t 5 -T 1 \
                -s "$DH/udhcpc.script" -r 192.168.77.2 -O staticroutes >"$DH/udhcpc.log" 2>&1
}
rogue_off() { in_client ip route flush proto dhcp 2>/dev/null; }
mx_at_exit rogue_off
L1_TARGETS="198.51.100.9 8.8.8.8 200.0.0.1 $LAB_PUBLIC_WEB_IP"
if up full; then
        mx_capture_start l1
        if rogue_routes && in_client ip route show | grep -q '^0.0.0.0/1 via 192.168.77.1'; then
                ok "L1: the rogue DHCP lease installed option 121 routes mid-session ($(grep -c route "$DH/routes.log") routes)"
        else
                not_ok "L1: the rogue DHCP lease installed its routes"
                diag "$(cat "$DH/udhcpc.log" "$DH/udhcpd.log")"
        fi
        mx_traffic $L1_TARGETS
        mx_capture_stop
        check_case "L1 TunnelVision" "$LAB_GW_IP" 0
        n=$(mx_pcap_count "ether src $MX_CLIENT_MAC and udp and (port 67 or port 68)")
        diag "L1: the DHCP exchange on the wire: $n packets from the client"
        rogue_off
        down full
fi
control_start l1c
rogue_routes
mx_traffic $L1_TARGETS
mx_capture_stop
rogue_off
check_case "L1 TunnelVision" "$LAB_GW_IP" +

# ------------------------------------------------------------------ L2 LocalNet
l2_on() {
        in_client ip addr add 1.2.3.2/24 dev eth0
        in_nat ip addr add 1.2.3.1/24 dev lan
        in_nat ip addr add 1.2.3.4/24 dev lan
}
l2_off() {
        in_client ip addr del 1.2.3.2/24 dev eth0
        in_nat ip addr del 1.2.3.4/24 dev lan
        in_nat ip addr del 1.2.3.1/24 dev lan
}
l2_on
mx_at_exit l2_off
if up full-lan; then
        [ "$(in_client ip route get 1.2.3.4 | sed -n 's/.* dev \([^ ]*\).*/\1/p')" = "$(mx_tun_dev)" ] &&
                ok "L2: 1.2.3.4 (public, 'on the LAN') is routed into the tunnel with LAN access on" ||
                not_ok "L2: 1.2.3.4 routed into the tunnel ($(in_client ip route get 1.2.3.4))"
        in_client ping -c 1 -W 2 "$LAB_HOME_ROUTER_IP" >/dev/null 2>&1 &&
                ok "L2: LAN access on: the home router (private) answers" ||
                not_ok "L2: LAN access on: the home router does not answer"
        mx_capture_start l2
        mx_traffic 1.2.3.4
        mx_capture_stop
        check_case "L2 LocalNet" "$LAB_GW_IP" 0
        n=$(mx_pcap_count "ether src $MX_CLIENT_MAC and arp and arp[24:4] = 0x01020304")
        [ "$n" = 0 ] && ok "L2: not even an ARP request for 1.2.3.4" || not_ok "L2: $n ARP requests for 1.2.3.4"
        down full-lan
        in_client ip -4 addr show dev eth0 | grep -q "inet 1.2.3.2/24" &&
                ok "L2: the LAN's own addresses are untouched after disconnect" ||
                { not_ok "L2: the LAN's own addresses are untouched after disconnect"; diag "$(in_client ip addr show dev eth0)"; }
fi
control_start l2c
mx_traffic 1.2.3.4
mx_capture_stop
check_case "L2 LocalNet" "$LAB_GW_IP" +
l2_off

# ------------------------------------------------------------------ L3 ServerIP
DECOY=198.51.100.77
l3_on() {
        in_inet ip addr add "$DECOY/32" dev home
        in_inet nft -f - <<EOT
table ip tsmdecoy {
        chain pre {
                type nat hook prerouting priority -100; policy accept;
                ip daddr $DECOY udp dport { 500, 4500 } dnat to $LAB_GW_IP
        }
}
EOT
        cp "$MX_HOSTS" "$TSUD_DIR/hosts.orig"
        # In place: the file is bind-mounted into tsunagud's mount namespace.
        printf '%s %s\n' "$DECOY" "$LAB_GW_NAME" >>"$MX_HOSTS"
}
l3_off() {
        cat "$TSUD_DIR/hosts.orig" >"$MX_HOSTS"
        in_inet nft delete table ip tsmdecoy
        in_inet ip addr del "$DECOY/32" dev home
}
l3_on
mx_at_exit l3_off
if up full; then
        mx_status_json
        if grep -q "\"gateway\":\"$DECOY:" "$TSUD_DIR/status.json"; then
                ok "L3: connected through the decoy $DECOY (the gateway's name resolves to it)"
        else
                not_ok "L3: connected through the decoy"
                diag "$(cat "$TSUD_DIR/status.json")"
        fi
        mx_capture_start l3
        mx_traffic "$DECOY"
        mx_capture_stop
        check_case "L3 ServerIP" "$DECOY" 0
        down full
fi
control_start l3c
mx_traffic "$DECOY"
mx_capture_stop
check_case "L3 ServerIP" "$DECOY" +
l3_off

# ------------------------------------------------------------------ L4 DNS server change
NEWDNS=198.51.100.53
cp "$MX_RESOLV" "$TSUD_DIR/resolv.orig"
l4_off() { cat "$TSUD_DIR/resolv.orig" >"$MX_RESOLV"; }
mx_at_exit l4_off
if up full; then
        mx_capture_start l4
        # What a DHCP client does on a new lease: a new resolv.conf, in place.
        printf 'nameserver %s\n' "$NEWDNS" >"$MX_RESOLV"
        in_client timeout 5 getent ahostsv4 "$LAB_PUBLIC_WEB_NAME" >/dev/null 2>&1
        mx_traffic "$NEWDNS"
        mx_capture_stop
        check_case "L4 DNS change" "$LAB_GW_IP" 0
        down full
        diag "L4: after disconnect resolv.conf is: $(grep -v '^#' "$MX_RESOLV" | tr '\n' ' ')"
fi
control_start l4c
printf 'nameserver %s\n' "$NEWDNS" >"$MX_RESOLV"
in_client timeout 5 getent ahostsv4 "$LAB_PUBLIC_WEB_NAME" >/dev/null 2>&1
mx_traffic "$NEWDNS"
mx_capture_stop
check_case "L4 DNS change" "$LAB_GW_IP" +
l4_off

# ------------------------------------------------------------------ L5 RA, IPv4-only tunnel
RA_PREFIX=2001:db8:77
l5_on() {
        in_nat ip -6 addr add "$RA_PREFIX::1/64" dev lan nodad
        in_client sysctl -qw net.ipv6.conf.eth0.accept_ra=2 net.ipv6.conf.eth0.autoconf=1
        in_nat dnsmasq --keep-in-foreground --port=0 --no-resolv --no-hosts \
                --interface=lan --bind-interfaces --enable-ra \
                --dhcp-range="$RA_PREFIX::,ra-only,64,10m" --ra-param=lan,3 \
                --pid-file="$TSUD_DIR/ra.pid" --log-facility="$TSUD_DIR/ra.log" &
        RA_PID=$!
        MX_PIDS="$MX_PIDS $RA_PID"
}
l5_off() {
        kill "$RA_PID" 2>/dev/null
        in_client sysctl -qw net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.eth0.autoconf=0
        in_client ip -6 addr flush dev eth0 scope global
        in_client ip -6 route flush proto ra
        in_client ip -6 route flush proto kernel "$RA_PREFIX::/64" 2>/dev/null
        in_nat ip -6 addr del "$RA_PREFIX::1/64" dev lan
}
has_global6() { in_client ip -6 addr show dev eth0 scope global | grep -q "inet6 $RA_PREFIX:"; }
L5_TARGETS="$RA_PREFIX::1 2001:db8:99::1"
if up full-v4; then
        mx_status_json
        grep -q '"virtual_ips":\["10\.99\.0\.[0-9]*/32"\]' "$TSUD_DIR/status.json" &&
                ok "L5: an IPv4-only tunnel (one virtual IPv4, no IPv6)" ||
                { not_ok "L5: an IPv4-only tunnel"; diag "$(cat "$TSUD_DIR/status.json")"; }
        mx_capture_start l5
        l5_on
        mx_at_exit l5_off
        if mx_wait 30 has_global6; then
                ok "L5: a router advertisement gave the client a global IPv6 address mid-session"
        else
                not_ok "L5: no global IPv6 address from the RA"
                diag "$(in_client ip -6 addr)" "$(cat "$TSUD_DIR/ra.log")"
        fi
        mx_traffic $L5_TARGETS
        mx_capture_stop
        check_case "L5 RA, IPv4-only tunnel" "$LAB_GW_IP" 0
        down full-v4
else
        l5_on
        mx_at_exit l5_off
        mx_wait 30 has_global6
fi
control_start l5c
mx_traffic $L5_TARGETS
mx_capture_stop
check_case "L5 RA, IPv4-only tunnel" "$LAB_GW_IP" +
l5_off

# ------------------------------------------------------------------ L6 UDP 4500 black-holed
# The home router drops NAT-T (UDP 4500, both ways) in its forward chain
# mid-session: the client's liveness check (DPD 5 s, retransmissions 1 +
# 1.8 + 3.24 s) declares the gateway dead and the session goes to
# reconnecting with TUN, routes, DNS and kill switch kept; its reconnect
# attempts (IKE_SA_INIT on UDP 500 is answered, IKE_AUTH on 4500 is not) go
# on while traffic is sent; then the router lets 4500 through again and the
# session must come back by itself. The capture runs all the while.
L6_DPD=5
mx_profile full-dpd EAP_FULL full "[crypto]" "dpd-interval = ${L6_DPD}s" \
        "retransmit-timeout = 1s" "retransmit-tries = 2" || not_ok "import full-dpd"
blackhole_on() {
        in_nat nft add rule inet lab loss udp dport 4500 drop
        in_nat nft add rule inet lab loss udp sport 4500 drop
}
blackhole_off() { in_nat nft flush chain inet lab loss; }
mx_at_exit blackhole_off
L6_TARGETS="$LAB_LAN_IP $TARGETS"
if up full-dpd; then
        SNAP_L6=$(mx_netstate)
        log0=$(wc -l <"$TSUD_LOG")
        mx_capture_start l6
        # Traffic first: the liveness check counts from the last packet received.
        in_client ping -c 1 -W 2 "$LAB_LAN_IP" >/dev/null 2>&1
        blackhole_on
        t0=$SECONDS
        mx_traffic $L6_TARGETS # while the session still thinks it is connected
        if mx_wait 45 mx_state_is full-dpd reconnecting; then
                ok "L6: UDP 4500 black-holed at the home router: reconnecting after $((SECONDS - t0)) s (DPD $L6_DPD s)"
        else
                not_ok "L6: reconnecting once UDP 4500 is black-holed (state '$(mx_state full-dpd)')"
                diag "$(tail -n +"$((log0 + 1))" "$TSUD_LOG" | tail -n 20)"
        fi
        tail -n +"$((log0 + 1))" "$TSUD_LOG" | grep -qE "is gone: no (usable )?answer to INFORMATIONAL" &&
                ok "L6: the liveness check declared the gateway dead" ||
                { not_ok "L6: the liveness check declared the gateway dead"; diag "$(tail -n +"$((log0 + 1))" "$TSUD_LOG" | tail -n 20)"; }
        if in_client nft list tables | grep -q tsunagu && [ "$(mx_netstate)" = "$SNAP_L6" ]; then
                ok "L6: reconnecting: kill switch, TUN, routes and DNS kept as they were"
        else
                not_ok "L6: reconnecting: kill switch, TUN, routes and DNS kept as they were"
                diag "connected:" "$SNAP_L6" "reconnecting:" "$(mx_netstate)"
        fi
        mx_traffic $L6_TARGETS
        in_client ping -c 3 -i 0.2 -W 1 "$LAB_LAN_IP" >/dev/null 2>&1 &&
                not_ok "L6: reconnecting: a ping to the LAN must not get through" ||
                ok "L6: reconnecting: a ping to the LAN does not get through"
        # The reconnect attempts go on meanwhile (and fail at IKE_AUTH).
        sleep 5
        mx_traffic $L6_TARGETS
        n=$(tail -n +"$((log0 + 1))" "$TSUD_LOG" | grep -c "reconnecting in")
        if mx_state_is full-dpd reconnecting; then
                ok "L6: still reconnecting $((SECONDS - t0)) s after the black hole began ($n attempts logged)"
        else
                not_ok "L6: still reconnecting while UDP 4500 is black-holed (state '$(mx_state full-dpd)')"
        fi
        blackhole_off
        t1=$SECONDS
        if mx_wait 90 mx_state_is full-dpd connected; then
                ok "L6: UDP 4500 let through again: connected again by itself after $((SECONDS - t1)) s"
        else
                not_ok "L6: connected again by itself once UDP 4500 is let through (state '$(mx_state full-dpd)')"
                diag "$(tail -n 30 "$TSUD_LOG")"
        fi
        tap_check "L6: traffic flows through the tunnel again" in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
        mx_traffic $L6_TARGETS
        mx_capture_stop
        check_case "L6 UDP 4500 black-holed" "$LAB_GW_IP" 0
        n=$(mx_pcap_count "ether src $MX_CLIENT_MAC and udp and dst host $LAB_GW_IP and dst port 500")
        [ "$n" -gt 0 ] && ok "L6: the reconnect attempts are on the wire ($n IKE packets to UDP 500)" ||
                not_ok "L6: no reconnect attempt on the wire (is the capture working?)"
        down full-dpd
fi
control_start l6c
blackhole_on
mx_traffic $L6_TARGETS
mx_capture_stop
blackhole_off
check_case "L6 UDP 4500 black-holed" "$LAB_GW_IP" +

now=$(mx_netstate)
[ "$now" = "$BEFORE" ] && ok "nothing of tsunagu's left" || { not_ok "nothing of tsunagu's left"; diag "$now"; }
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
diag "leaked packets per case (target 0; controls must be > 0):" "${RESULTS[@]}"
tap_done
