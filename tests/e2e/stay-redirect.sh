#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A gateway redirect (RFC 5685) through tsunagud: the lab's gateway gets a
# second public address (charon listens on all of them; its certificate names
# vpn.lab.test, which is what the client checks, not an address). While a
# full tunnel with the kill switch is up and a ping runs through it, the
# gateway redirects the client (`swanctl --redirect --peer-ip <the NAT's
# public address> --gateway <second address>`):
#  - the session goes RECONNECTING, then CONNECTED to the second address by
#    itself; the Gateway property says so; the gateway's new IKE SA is on the
#    second address; traffic flows again;
#  - the kill switch lets the new gateway through (and no longer the old
#    one); a capture on the client's physical interface sees nothing but
#    UDP 500/4500 to the two gateway addresses (and DHCP, ARP, ND): 0 leaks;
#    a control capture without the tunnel sees the same traffic leave;
#  - after disconnect nothing is left behind.
LAB_PREFIX="tsr$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib-matrix.sh"
. "$top_srcdir/tests/e2e/lib-stay.sh"
command -v tcpdump >/dev/null 2>&1 || tap_skip_all "tcpdump not installed"

GW2=203.0.113.3
REDIRECT_MAX=15 # s from the redirect to CONNECTED at the new gateway

mx_setup redirect
tap_plan_lazy
BEFORE=$(mx_netstate)
SNAP0=$(mx_snapshot)
in_gw ip addr add "$GW2/24" dev wan
mx_at_exit "in_gw ip addr del $GW2/24 dev wan"
tap_check "the gateway answers on its second address $GW2" in_client ping -c 1 -W 2 "$GW2"
san=$(openssl x509 -in "$LAB_GW_CERT" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' ')
case ",$san," in
*",DNS:$LAB_GW_ID,"*)
        ok "the gateway's certificate names $LAB_GW_ID (the identity the client checks; SAN $san)" ;;
*) not_ok "the gateway's certificate names $LAB_GW_ID (SAN $san)" ;;
esac
case ",$san," in
*"IPAddress:$GW2,"*) not_ok "the certificate does not name $GW2 (the identity, not the address, must do)" ;;
*) ok "the certificate does not name $GW2: the identity, not the address, lets the client in" ;;
esac

mx_profile redirect EAP_FULL full "kill-switch = true" || { not_ok "import"; tap_done; exit 1; }
# Leaks: what the client sends that is not for one of the two gateways.
leaks() { st_leaks "$LAB_GW_IP" "$GW2"; }
TARGETS="$LAB_PUBLIC_WEB_IP 198.51.100.1 $LAB_HOME_ROUTER_IP"
gw_is_new() { awk -v p="$GW2:" '$2 == "Gateway" { g = $3 } END { exit !(index(g, p) == 1) }' "$ST_WATCH"; }

if mx_connect redirect "$TSUD_DIR/pw"; then
        ok "connected through tsunagud (full tunnel, kill switch) in $MX_CONNECT_MS ms"
        st_watch_start redirect
        case $(st_gateway) in
        "$LAB_GW_IP":*) ok "Gateway is $(st_gateway)" ;;
        *) not_ok "Gateway is $LAB_GW_IP (got '$(st_gateway)')" ;;
        esac
        in_client nft list chain inet tsunagu output | grep -q "ip daddr $LAB_GW_IP udp dport" &&
                ok "the kill switch lets $LAB_GW_IP through" || not_ok "the kill switch lets $LAB_GW_IP through"
        mx_capture_start redirect
        st_ping_start "$LAB_LAN_IP" 10
        sleep 1
        t0=$(st_mono)
        if "$LAB" gw swanctl --redirect --peer-ip "$LAB_NAT_WAN_IP" --gateway "$GW2" \
                >"$TSUD_DIR/redirect.out" 2>&1; then
                ok "the gateway redirects the client: swanctl --redirect --peer-ip $LAB_NAT_WAN_IP --gateway $GW2"
        else
                not_ok "swanctl --redirect"; diag "$(cat "$TSUD_DIR/redirect.out")"
        fi
        if st_wait reconnecting 1 10; then
                ok "redirected: reconnecting after $(st_elapsed "$t0" "$(st_time reconnecting 1)") s"
        else
                not_ok "redirected: reconnecting (saw: $(st_states))"; diag "$(tail -n 20 "$TSUD_LOG")"
        fi
        if st_wait connected 2 "$REDIRECT_MAX"; then
                dt=$(st_elapsed "$t0" "$(st_time connected 2)")
                ok "redirected: connected to the new gateway $dt s after the redirect (at most $REDIRECT_MAX s)"
                REDIRECT_S=$dt
        else
                not_ok "redirected: connected again (saw: $(st_states))"; diag "$(tail -n 30 "$TSUD_LOG")"
        fi
        mx_wait 5 gw_is_new
        case $(st_gateway) in
        "$GW2":*) ok "D-Bus: the Gateway property is $(st_gateway)" ;;
        *) not_ok "D-Bus: the Gateway property is the new gateway (got '$(st_gateway)')" ;;
        esac
        mx_status_json
        grep -q "\"gateway\":\"$GW2:" "$TSUD_DIR/status.json" && ok "tsunagu status: gateway $GW2" ||
                { not_ok "tsunagu status: gateway $GW2"; diag "$(cat "$TSUD_DIR/status.json")"; }
        if "$LAB" gw swanctl --list-sas 2>/dev/null | grep -q "local  '$LAB_GW_ID' @ $GW2\["; then
                ok "the gateway's IKE SA is on $GW2 now"
        else
                not_ok "the gateway's IKE SA is on $GW2"; diag "$("$LAB" gw swanctl --list-sas 2>&1 | head)"
        fi
        for w in "the gateway redirects us to $GW2" "redirect: the kill switch lets $GW2 through" \
                "redirect: sockets re-connected to $GW2:500 from $LAB_CLIENT_IP:"; do
                grep -q "$w" "$TSUD_LOG" && ok "the helper's log: $w" ||
                        { not_ok "the helper's log: $w"; diag "$(grep -i redirect "$TSUD_LOG" | tail -n 10)"; }
        done
        st_ping_wait
        read -r sent got loss <<<"$(st_ping_result)"
        diag "ping every 0.1 s across the redirect: $got of $sent answered ($loss lost), longest gap $(st_ping_gap) s"
        tap_check "traffic flows through the new gateway" in_client ping -c 3 -i 0.2 -W 2 "$LAB_LAN_IP"
        ks=$(in_client nft list chain inet tsunagu output)
        echo "$ks" | grep -q "ip daddr $GW2 udp dport { 500, 4500 } accept" &&
                ok "the kill switch lets $GW2 through" || { not_ok "the kill switch lets $GW2 through"; diag "$ks"; }
        echo "$ks" | grep -q "ip daddr $LAB_GW_IP " && not_ok "the kill switch no longer lets $LAB_GW_IP through" ||
                ok "the kill switch no longer lets $LAB_GW_IP through"
        mx_traffic $TARGETS
        mx_capture_stop
        n=$(leaks)
        [ "$n" = 0 ] && ok "0 packets leaked across the redirect (only UDP 500/4500 to $LAB_GW_IP and $GW2, DHCP, ARP, ND)" ||
                { not_ok "$n packets leaked across the redirect"; diag "$(head -n 20 "$TSUD_DIR/leaks.txt")"; }
        n1=$(mx_pcap_count "ether src $MX_CLIENT_MAC and udp and dst host $LAB_GW_IP and dst port 4500")
        n2=$(mx_pcap_count "ether src $MX_CLIENT_MAC and udp and dst host $GW2 and dst port 4500")
        [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] &&
                ok "the capture sees ESP-in-UDP to both gateways ($n1 to $LAB_GW_IP, $n2 to $GW2)" ||
                not_ok "the capture sees ESP-in-UDP to both gateways ($n1, $n2)"
        st_states | grep -q "failed\|disconnected" && not_ok "never failed ($(st_states))" ||
                ok "D-Bus State: $(st_states)"
        mx_disconnect redirect || not_ok "disconnect ($(cat "$TSUD_DIR/disconnect.out"))"
        st_watch_stop
else
        not_ok "connected"; diag "$(cat "$TSUD_DIR/connect.out")" "$(tail -n 10 "$TSUD_LOG")"
fi
now=$(mx_netstate)
[ "$now" = "$BEFORE" ] && ok "nothing of tsunagu's left (TUN, rules, routes, kill switch, resolv.conf)" ||
        { not_ok "nothing of tsunagu's left"; diag "$now"; }
mx_gw_no_sa && ok "no SA left on the gateway" || not_ok "no SA left on the gateway"

# The control: the same traffic without the tunnel (and its kill switch) leaves.
mx_capture_start control
mx_traffic $TARGETS
mx_capture_stop
n=$(leaks)
[ "$n" -gt 0 ] && ok "control (no tunnel): the capture sees the same traffic leave ($n packets)" ||
        not_ok "control (no tunnel): nothing seen (the test cannot fail?)"

in_gw ip addr del "$GW2/24" dev wan
SNAP1=$(mx_snapshot)
[ "$SNAP1" = "$SNAP0" ] && ok "the client namespace is byte for byte as before" ||
        { not_ok "the client namespace is as before"; diff <(echo "$SNAP0") <(echo "$SNAP1") | head -n 20 | while IFS= read -r l; do diag "$l"; done; }
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
diag "redirect: connected to the new gateway after ${REDIRECT_S:-?} s"
tap_done
