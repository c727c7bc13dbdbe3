#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Strict reverse-path filtering (net.ipv4.conf.*.rp_filter = 1, the default
# of some distributions) against a full tunnel: the gateway's answers arrive
# on the physical interface with no mark, the source check looks the gateway
# up through the tunnel's rule and table, and drops them. The platform
# raises net.ipv4.conf.all.rp_filter to 2 (loose) while the tunnel is up and
# puts the old value back on revert and on recovery after SIGKILL.
#
#   client 10.82.0.1/24 (veth, rp_filter 1) ---- 10.82.0.2 "gateway"
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
command -v python3 >/dev/null || tap_skip_all "python3 missing"
tap_plan_lazy

C=$(plat_netns rpc) || tap_skip_all "cannot create a network namespace"
G=$(plat_netns rpg) || tap_skip_all "cannot create a network namespace"
ip link add rpc0 netns "$C" type veth peer name rpg0 netns "$G"
ip -n "$C" addr add 10.82.0.1/24 dev rpc0
ip -n "$G" addr add 10.82.0.2/24 dev rpg0
ip -n "$C" link set rpc0 up
ip -n "$G" link set rpg0 up
ip -n "$C" route add default via 10.82.0.2
ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.rpc0.rp_filter=1
ip netns exec "$C" sysctl -qw net.ipv4.conf.default.rp_filter=1

# A listener on the client's port 4500 that prints what arrives.
cat >"$PLAT_TMP/listen.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.82.0.1", 4500))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(2048)
    print("got", data.decode(errors="replace"), peer[0], flush=True)
PY
ip netns exec "$C" python3 "$PLAT_TMP/listen.py" >"$PLAT_TMP/listen.log" 2>&1 &
PLAT_PIDS="$PLAT_PIDS $!"
for _ in $(seq 1 50); do grep -q ready "$PLAT_TMP/listen.log" && break; sleep 0.1; done

# send WORD: one datagram from the gateway's port 4500 to the client's.
send() {
        ip netns exec "$G" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.82.0.2", 4500))
s.sendto(sys.argv[1].encode(), ("10.82.0.1", 4500))' "$1"
        sleep 0.3
}
got() { grep -q "^got $1 " "$PLAT_TMP/listen.log"; }
rp_all() { ip netns exec "$C" cat /proc/sys/net/ipv4/conf/all/rp_filter; }

send before
got before && ok "strict filtering lets the gateway's datagrams in without a tunnel" ||
        not_ok "strict filtering lets the gateway's datagrams in without a tunnel"

plat_start "$C" --state-dir "$PLAT_TMP/state" --dns-backend none --no-kill-switch \
        --create-tun tsu0 --ipv4 10.99.0.2 --gateway 10.82.0.2 ||
        { not_ok "full tunnel applied"; diag "$(cat "$PLAT_OUT")"; tap_done; exit 1; }
ok "full tunnel applied"
[ "$(rp_all)" = 2 ] && ok "net.ipv4.conf.all.rp_filter is 2 (loose) while it is up" ||
        not_ok "net.ipv4.conf.all.rp_filter is 2 (loose) while it is up (it is $(rp_all))"
send during
got during && ok "the gateway's datagrams still arrive with the tunnel's rules in place" ||
        not_ok "the gateway's datagrams still arrive with the tunnel's rules in place"
grep -q "rp-filter 0" "$PLAT_TMP/state/"* 2>/dev/null && ok "the old value is in the journal" ||
        not_ok "the old value is in the journal"

# The control: what strict filtering does to them with the tunnel's rules.
ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=0
send control
got control && not_ok "control: strict filtering drops them once the old value is back" ||
        ok "control: strict filtering drops them once the old value is back"
ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=2

plat_stop && ok "reverted" || not_ok "reverted"
[ "$(rp_all)" = 0 ] && ok "rp_filter is back to 0" || not_ok "rp_filter is back to 0 (it is $(rp_all))"

# Someone else changes it while the tunnel is up: theirs stays.
plat_start "$C" --state-dir "$PLAT_TMP/state" --dns-backend none --no-kill-switch \
        --create-tun tsu0 --ipv4 10.99.0.2 --gateway 10.82.0.2 || not_ok "applied again"
ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=1
plat_stop
[ "$(rp_all)" = 1 ] && ok "a value someone set meanwhile is kept on revert" ||
        not_ok "a value someone set meanwhile is kept on revert (it is $(rp_all))"
ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=0

# SIGKILL, then recovery puts it back.
plat_start "$C" --state-dir "$PLAT_TMP/state" --dns-backend none --no-kill-switch \
        --create-tun tsu0 --ipv4 10.99.0.2 --gateway 10.82.0.2 || not_ok "applied a third time"
kill -KILL "$PLAT_PID"
wait "$PLAT_PID" 2>/dev/null
[ "$(rp_all)" = 2 ] && ok "after SIGKILL the loose value is still there" || not_ok "after SIGKILL the loose value is still there"
ip netns exec "$C" "$TOOL" recover --state-dir "$PLAT_TMP/state" >"$PLAT_TMP/recover.out" 2>&1 &&
        ok "recover" || { not_ok "recover"; diag "$(cat "$PLAT_TMP/recover.out")"; }
[ "$(rp_all)" = 0 ] && ok "recovery put rp_filter back to 0" || not_ok "recovery put rp_filter back to 0 (it is $(rp_all))"

# A split tunnel does not touch it.
plat_start "$C" --state-dir "$PLAT_TMP/state" --dns-backend none --no-kill-switch --split \
        --include 10.20.0.0/24 --create-tun tsu0 --ipv4 10.99.0.2 --gateway 10.82.0.2 ||
        not_ok "split tunnel applied"
[ "$(rp_all)" = 0 ] && ok "a split tunnel leaves rp_filter alone" || not_ok "a split tunnel leaves rp_filter alone"
plat_stop
tap_done
