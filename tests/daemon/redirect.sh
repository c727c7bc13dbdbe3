#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The parent's side of a network change and of a gateway redirect (RFC 5685),
# with the scripted engine (tests/daemon/scripted-engine.c) in a network
# namespace of its own, no gateway needed:
#  - bringing our own tunnel up is not a network change; a new address and
#    default route in the namespace is: tsunagud re-connects the engine's
#    sockets (their new source is the new address) and sends
#    IPC_NETWORK_CHANGED;
#  - a redirect to an address (full tunnel, kill switch): the kill switch lets
#    the new gateway through instead of the old one, the sockets point at it,
#    the Gateway property says so, the engine gets REDIRECT_READY;
#  - a redirect to a name resolves it (the namespace's hosts file);
#  - refused: loopback, an IPv6-only name for IPv4 sockets, a name that does
#    not resolve: the session fails with reason "redirected" and says why;
#  - after each, nothing left behind.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"

tap_require_lab
tsud_require
tsud_setup redirect
tap_plan_lazy
ETC=/etc/netns/$TSUD_NS
rd_cleanup() {
        rm -rf "$ETC"
        tsud_cleanup
}
trap rd_cleanup EXIT
# Names the helper resolves in its namespace: `ip netns exec` bind-mounts
# these over /etc (no DNS server: a name not in hosts fails at once).
mkdir -p "$ETC"
printf '127.0.0.1 localhost\n192.0.2.78 gw2.redirect.test\n2001:db8::6 gw6.redirect.test\n' \
        >"$ETC/hosts"
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n' >"$ETC/resolv.conf"

pw="Pw-$$-secret"
printf '%s\n' "$pw" >"$TSUD_DIR/pw"
chmod 644 "$TSUD_DIR/pw"
mkprofile() { # NAME EXAMPLE
        f="$TSUD_DIR/$(printf '%s' "$1" | md5sum | cut -c1-8).tsunagu"
        sed -e "s/^host = .*/host = 203.0.113.2/" -e "s/^name = .*/name = $1/" \
                -e "s/^uuid = .*/uuid = $(cat /proc/sys/kernel/random/uuid)/" \
                "$top_srcdir/packaging/examples/$2" >"$f"
        chmod 644 "$f"
        as "$TSUD_A" "$TSUNAGU" import "$f" >/dev/null || not_ok "import $1"
}
status_field() { # NAME FIELD
        as "$TSUD_A" "$TSUNAGU" status --json | $PY -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    if s["profile"] == sys.argv[1]:
        v = s[sys.argv[2]]
        print(v if not isinstance(v, dict) else v["reason"] + ": " + v["message"])' "$1" "$2"
}
connect() { # NAME
        runuser -u "$TSUD_A" -- env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                "$TSUNAGU" connect --password-stdin --wait "$1" <"$TSUD_DIR/pw" \
                >"$TSUD_DIR/out" 2>"$TSUD_DIR/err"
}
# wait_log PATTERN SECONDS: until the helper's log has PATTERN.
wait_log() {
        for _ in $(seq $(($2 * 10))); do
                grep -q -- "$1" "$TSUD_LOG" && return 0
                sleep 0.1
        done
        return 1
}
wait_state() { # NAME STATE SECONDS
        for _ in $(seq $(($3 * 10))); do
                [ "$(status_field "$1" state)" = "$2" ] && return 0
                sleep 0.1
        done
        return 1
}
before=$(tsud_netstate)
clean() {
        now=$(tsud_netstate)
        if [ "$now" = "$before" ]; then ok "$1"; else not_ok "$1"; diag "left: $now"; fi
}

tsud_start || { not_ok "tsunagud starts"; tap_done; exit 1; }
mkprofile "Moving" eap-mschapv2-split.tsunagu
mkprofile "To address [redirect:192.0.2.77]" eap-mschapv2-full.tsunagu
mkprofile "To name [redirect:gw2.redirect.test]" eap-mschapv2-split.tsunagu
mkprofile "To loopback [redirect:127.0.0.1]" eap-mschapv2-full.tsunagu
mkprofile "To IPv6 [redirect:gw6.redirect.test]" eap-mschapv2-split.tsunagu
mkprofile "To nowhere [redirect:nx.redirect.test]" eap-mschapv2-split.tsunagu

# ------------------------------------------------------------ a network change
if connect Moving; then ok "connected (split tunnel)"; else not_ok "connected"; diag "$(cat "$TSUD_DIR/err")"; fi
sleep 1.5 # longer than the monitor's pause: the tunnel's own TUN, addresses and routes
grep -q "network changed" "$TSUD_LOG" && not_ok "our own tunnel coming up is not a network change" ||
        ok "our own tunnel coming up is not a network change"
# Another subnet: the new address, the default route through it, the old address gone.
ip -n "$TSUD_NS" addr add 198.18.7.2/24 dev v0
ip -n "$TSUD_NS" route replace default via 198.18.7.1 dev v0
ip -n "$TSUD_NS" addr del 192.0.2.1/24 dev v0
if wait_log "network changed: sockets re-connected to 203.0.113.2:[0-9]* from 198.18.7.2:" 10; then
        ok "network changed: the helper re-connects the sockets, from the new address"
else
        not_ok "network changed: the helper re-connects the sockets, from the new address"
        diag "$(tail -n 15 "$TSUD_LOG")"
fi
wait_log "network changed: local 198.18.7.2:[1-9]" 5 &&
        ok "the engine got IPC_NETWORK_CHANGED with the new source" ||
        { not_ok "the engine got IPC_NETWORK_CHANGED with the new source"; diag "$(tail -n 10 "$TSUD_LOG")"; }
[ "$(grep -c "network changed: sockets re-connected" "$TSUD_LOG")" = 1 ] &&
        ok "one move, one network change (debounced)" ||
        not_ok "one move, one network change ($(grep -c "network changed: sockets" "$TSUD_LOG"))"
# Back where it was (a second change).
ip -n "$TSUD_NS" addr add 192.0.2.1/24 dev v0
ip -n "$TSUD_NS" route replace default via 192.0.2.254 dev v0
ip -n "$TSUD_NS" addr del 198.18.7.2/24 dev v0
wait_log "network changed: local 192.0.2.1:" 10 && ok "and back: the engine is told again" ||
        not_ok "and back: the engine is told again"
[ "$(status_field Moving state)" = connected ] && ok "the session stays connected" ||
        not_ok "the session stays connected ($(status_field Moving state))"
expect_exit 0 "disconnect" as "$TSUD_A" "$TSUNAGU" disconnect Moving
clean "nothing left"

# ------------------------------------------------------------ a redirect to an address, kill switch on
name="To address [redirect:192.0.2.77]"
if connect "$name"; then ok "connected (full tunnel, kill switch)"; else not_ok "connected"; fi
if wait_log "redirect ready: gateway 192.0.2.77:500" 10 && wait_state "$name" connected 5; then
        ok "redirect to 192.0.2.77: followed, connected again"
else
        not_ok "redirect to 192.0.2.77: followed"; diag "$(tail -n 15 "$TSUD_LOG")"
fi
case $(status_field "$name" gateway) in
192.0.2.77:*) ok "the Gateway property is the new gateway ($(status_field "$name" gateway))" ;;
*) not_ok "the Gateway property is the new gateway ($(status_field "$name" gateway))" ;;
esac
ks=$(ip netns exec "$TSUD_NS" nft list chain inet tsunagu output 2>&1)
echo "$ks" | grep -q "ip daddr 192.0.2.77 udp dport { 500, 4500 } accept" &&
        ok "the kill switch lets the new gateway out" ||
        { not_ok "the kill switch lets the new gateway out"; diag "$ks"; }
echo "$ks" | grep -q "203.0.113.2" && not_ok "the old gateway is no longer let through" ||
        ok "the old gateway is no longer let through"
grep -q "redirect: the kill switch lets 192.0.2.77 through" "$TSUD_LOG" &&
        grep -q "redirect: sockets re-connected to 192.0.2.77:500 from 192.0.2.1:" "$TSUD_LOG" &&
        ok "the helper logs each step" || { not_ok "the helper logs each step"; diag "$(grep redirect "$TSUD_LOG")"; }
expect_exit 0 "disconnect" as "$TSUD_A" "$TSUNAGU" disconnect "$name"
clean "nothing left"

# ------------------------------------------------------------ a redirect to a name
name="To name [redirect:gw2.redirect.test]"
connect "$name"
if wait_log "redirect ready: gateway 192.0.2.78:500" 10 && wait_state "$name" connected 5; then
        ok "redirect to a name: resolved (gw2.redirect.test -> 192.0.2.78) and followed"
else
        not_ok "redirect to a name: resolved and followed"; diag "$(tail -n 15 "$TSUD_LOG")"
fi
expect_exit 0 "disconnect" as "$TSUD_A" "$TSUNAGU" disconnect "$name"
clean "nothing left"

# ------------------------------------------------------------ refused
refused() { # NAME WHY-PATTERN DESCRIPTION
        connect "$1"
        if wait_state "$1" failed 15; then
                err=$(status_field "$1" error)
                case $err in
                redirected:*) ;;
                *) not_ok "$3: reason redirected (got '$err')"; return ;;
                esac
                if echo "$err" | grep -q -- "$2"; then ok "$3: failed, redirected ($err)"; else
                        not_ok "$3: the reason says why (got '$err')"; fi
        else
                not_ok "$3: the session fails"; diag "$(tail -n 10 "$TSUD_LOG")"
        fi
        clean "$3: nothing left"
}
refused "To loopback [redirect:127.0.0.1]" "127.0.0.1 is a loopback address" "redirect to loopback"
refused "To IPv6 [redirect:gw6.redirect.test]" "2001:db8::6 is IPv6; the tunnel's sockets are IPv4" \
        "redirect to a name with only an IPv6 address"
refused "To nowhere [redirect:nx.redirect.test]" "cannot resolve nx.redirect.test" \
        "redirect to a name that does not resolve"
grep -c "redirect refused" "$TSUD_LOG" | grep -qx 3 && ok "each refusal logged once" ||
        not_ok "each refusal logged once ($(grep -c "redirect refused" "$TSUD_LOG"))"

gdbus call --system -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 -m org.freedesktop.DBus.Peer.Ping >/dev/null &&
        ok "the helper lives on" || not_ok "the helper lives on"
expect_no_grep "$pw" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" \
        "no sanitizer report"
tsud_stop
clean "the helper stopped: nothing left"
tap_done
