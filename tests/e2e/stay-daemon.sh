#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Reconnecting through the daemon: tsunagud (with the real, sandboxed
# tsunagu-engine) on a private system bus with polkitd (tests/daemon/lib.sh),
# driven by the real CLI as an unprivileged user, against the lab's strongSwan
# gateway (full tunnel, so the kill switch is up):
#  1. connect; a D-Bus watcher (Session.State and StateChanged) is started;
#  2. the gateway is killed (SIGKILL, no DELETE): D-Bus and `tsunagu status`
#     say `reconnecting` within the DPD interval plus the retransmissions;
#     the TUN device, rules, routes, kill switch and DNS stay exactly as they
#     were; a ping to the LAN does not get through and nothing of it shows up
#     in clear on the client's outer interface;
#  3. the gateway comes back, first without its connections (NO_PROPOSAL_CHOSEN,
#     as while strongSwan starts: the session goes on reconnecting), then
#     with them: `connected` again without anyone asking, the same TUN
#     device, traffic flows;
#  4. disconnect: nothing left behind.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"

tap_require_lab
tsud_require
TSUD_ENGINE="$top_builddir/client/tsunagu-engine"
[ -x "$TSUD_ENGINE" ] || tap_skip_all "tsunagu-engine is not built"
command -v charon-systemd >/dev/null 2>&1 || [ -x /usr/lib/ipsec/charon ] ||
        tap_skip_all "strongSwan is not installed (the lab's gateway)"
command -v tcpdump >/dev/null 2>&1 || tap_skip_all "tcpdump is not installed"

DPD=5 RT=1 TRIES=2 # retransmissions: 1 + 1.8 + 3.24 s
# The check goes out DPD after the last packet from the gateway; then the
# retransmissions (6.04 s, counted as 7) and 1 s of slack.
DEAD_MAX=$((DPD + 7 + 1))

tsud_setup stay
tap_plan_lazy
LAB_PREFIX="tsy$(printf '%s' "$$" | md5sum | cut -c1-4)-"
export LAB_PREFIX
unset LAB_DIR
lab="$top_srcdir/tests/lab/lab"
WATCH_PID="" DUMP_PID=""
stay_cleanup() {
        [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
        [ -n "$DUMP_PID" ] && kill "$DUMP_PID" 2>/dev/null
        tsud_stop
        "$lab" down >/dev/null 2>&1
        TSUD_NS=
        tsud_cleanup
}
trap stay_cleanup EXIT
"$lab" up >"$TSUD_DIR/lab-up.log" 2>&1 || {
        not_ok "lab up"
        diag "$(tail -n 20 "$TSUD_DIR/lab-up.log")"
        tap_done
        exit 1
}
eval "$("$lab" env)"
ip netns del "$TSUD_NS"
TSUD_NS=$LAB_NS_CLIENT
in_client() { ip netns exec "$LAB_NS_CLIENT" "$@"; }

lab_profile EAP_FULL "Lab stay" full \
        "[crypto]" \
        "dpd-interval = ${DPD}s" \
        "retransmit-timeout = ${RT}s" \
        "retransmit-tries = $TRIES" >"$TSUD_DIR/stay.tsunagu"
chmod 644 "$TSUD_DIR/stay.tsunagu"
printf '%s\n' "$LAB_EAP_PASSWORD" >"$TSUD_DIR/pw"
chmod 644 "$TSUD_DIR/pw"

# The D-Bus watcher, run as the user: one line per change, "<monotonic s>
# property|signal <state>". It calls the helper first (signals go only to
# peers that did), then polls State every 0.1 s and listens to StateChanged.
cat >"$TSUD_DIR/watch.py" <<'EOT'
import sys, time
import dbus, dbus.mainloop.glib
from gi.repository import GLib

SESS = "org.tsunagu.Vpn1.Session"
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SystemBus()
om = bus.get_object("org.tsunagu.Vpn1", "/org/tsunagu/Vpn1")
objs = om.GetManagedObjects(dbus_interface="org.freedesktop.DBus.ObjectManager")
path = next(p for p, ifs in objs.items() if SESS in ifs)
sess = bus.get_object("org.tsunagu.Vpn1", path)
last = [None]

def log(kind, state):
    print("%.3f %s %s" % (time.monotonic(), kind, state), flush=True)

def on_signal(state, reason, message):
    log("signal", str(state))

def poll():
    try:
        s = str(sess.Get(SESS, "State", dbus_interface="org.freedesktop.DBus.Properties"))
    except dbus.DBusException as e:
        s = "error:" + e.get_dbus_name()
    if s != last[0]:
        last[0] = s
        log("property", s)
    return True

bus.add_signal_receiver(on_signal, signal_name="StateChanged", dbus_interface=SESS, path=path)
poll()
GLib.timeout_add(100, poll)
GLib.MainLoop().run()
EOT
chmod 644 "$TSUD_DIR/watch.py"
WATCH="$TSUD_DIR/watch.log"

mono() { $PY -c 'import time; print("%.3f" % time.monotonic())'; } # the watcher's clock
# wait_dbus KIND STATE N SECONDS: until the Nth "KIND STATE" line of the watcher.
wait_dbus() {
        local max=$(($4 * 10)) t=0
        while [ $t -lt $max ]; do
                [ "$(grep -c " $1 $2\$" "$WATCH")" -ge "$3" ] && return 0
                sleep 0.1
                t=$((t + 1))
        done
        return 1
}
cli_state() {
        as "$TSUD_A" "$TSUNAGU" status --json 2>/dev/null | $PY -c '
import json, sys
print(json.load(sys.stdin)["sessions"][0]["state"])' 2>/dev/null
}
# capture_start NAME: ICMP on the client's outer interface into NAME.pcap
# (ip netns exec execs tcpdump: DUMP_PID is tcpdump itself; immediate mode:
# no packet waits in the kernel buffer for a timeout); capture_stop
# ends it and waits, so that the file is complete; capture_count NAME FILTER.
capture_start() {
        ip netns exec "$LAB_NS_CLIENT" tcpdump -n -U --immediate-mode -i "$LAB_CLIENT_IF" \
                -w "$TSUD_DIR/$1.pcap" icmp >/dev/null 2>"$TSUD_DIR/$1.err" &
        DUMP_PID=$!
        for _ in $(seq 50); do grep -q "listening on" "$TSUD_DIR/$1.err" && break; sleep 0.1; done
}
capture_stop() {
        sleep 0.3
        kill -INT "$DUMP_PID" 2>/dev/null
        wait "$DUMP_PID" 2>/dev/null
        DUMP_PID=
}
capture_count() { tcpdump -n -r "$TSUD_DIR/$1.pcap" "$2" 2>/dev/null | wc -l; }
tun_index() { in_client ip -o link show | sed -n 's/^\([0-9]*\): tsu[0-9]*:.*/\1/p' | head -n1; }

before=$(tsud_netstate)
tsud_start || { not_ok "tsunagud starts in the client namespace"; tap_done; exit 1; }
expect_exit 0 "A imports a full-tunnel profile with DPD ${DPD} s" \
        as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/stay.tsunagu"

# ---- 1. connected
expect_exit 0 "A connects through tsunagud (--password-stdin --wait)" \
        sh -c "runuser -u '$TSUD_A' -- env DBUS_SYSTEM_BUS_ADDRESS='$DBUS_SYSTEM_BUS_ADDRESS' \
                '$TSUNAGU' connect --password-stdin --wait 'Lab stay' <'$TSUD_DIR/pw'"
as "$TSUD_A" "$PY" "$TSUD_DIR/watch.py" >"$WATCH" 2>"$TSUD_DIR/watch.err" &
WATCH_PID=$!
wait_dbus property connected 1 10 && ok "D-Bus: State is connected" ||
        { not_ok "D-Bus: State is connected"; diag "$(cat "$WATCH" "$TSUD_DIR/watch.err")"; }
tap_check "ping through the tunnel ($LAB_LAN_IP)" in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
in_client nft list tables | grep -q "inet tsunagu" && ok "the kill switch is up" ||
        not_ok "the kill switch is up"
connected_state=$(tsud_netstate)
tun=$(tun_index)

# ICMP in clear on the outer interface (ESP and IKE are UDP, not ICMP).
capture_start outer

# ---- 2. the gateway dies
# Traffic just before the kill: the liveness check counts from it.
in_client ping -c 1 -W 2 "$LAB_LAN_IP" >/dev/null 2>&1
"$lab" gw kill >/dev/null 2>&1
t0=$(mono)
if wait_dbus property reconnecting 1 $((DEAD_MAX + 5)); then
        dt=$(awk -v a="$t0" -v b="$(grep -m1 ' property reconnecting$' "$WATCH" | cut -d' ' -f1)" \
                'BEGIN { printf "%.1f", b - a }')
        diag "gateway killed: D-Bus State reconnecting after $dt s (DPD ${DPD} s + retransmissions)"
        if awk -v d="$dt" -v m="$DEAD_MAX" 'BEGIN { exit !(d <= m) }'; then
                ok "gateway killed: D-Bus State reconnecting after $dt s (at most $DEAD_MAX s)"
        else
                not_ok "gateway killed: reconnecting only after $dt s (more than $DEAD_MAX s)"
        fi
else
        not_ok "gateway killed: D-Bus State goes to reconnecting"
        diag "$(cat "$WATCH")" "$(tail -n 20 "$TSUD_LOG")"
fi
wait_dbus signal reconnecting 1 2 && ok "D-Bus: StateChanged(reconnecting) reaches the user" ||
        not_ok "D-Bus: StateChanged(reconnecting) reaches the user"
[ "$(cli_state)" = reconnecting ] && ok "tsunagu status --json: reconnecting" ||
        not_ok "tsunagu status --json: reconnecting (got '$(cli_state)')"
as "$TSUD_A" "$TSUNAGU" status >"$TSUD_DIR/status.txt" 2>&1
expect_grep "reconnecting" "$TSUD_DIR/status.txt" "tsunagu status: reconnecting"
now=$(tsud_netstate)
if [ "$now" = "$connected_state" ] && [ "$(tun_index)" = "$tun" ]; then
        ok "reconnecting: TUN device, rules, routes, kill switch and DNS stay as they were"
else
        not_ok "reconnecting: TUN device, rules, routes, kill switch and DNS stay as they were"
        diag "connected:" "$connected_state" "reconnecting:" "$now"
fi
in_client ping -c 3 -i 0.2 -W 1 "$LAB_LAN_IP" >/dev/null 2>&1 &&
        not_ok "reconnecting: a ping to the LAN must not get through" ||
        ok "reconnecting: a ping to the LAN does not get through"
capture_stop
leaked=$(capture_count outer "host $LAB_LAN_IP")
[ "$leaked" = 0 ] && ok "reconnecting: nothing for $LAB_LAN_IP in clear on $LAB_CLIENT_IF" ||
        { not_ok "reconnecting: $leaked packets for $LAB_LAN_IP in clear on $LAB_CLIENT_IF"
          diag "$(tcpdump -n -r "$TSUD_DIR/outer.pcap" 2>/dev/null | head -n 5)"; }
grep -qE "is gone: no answer to INFORMATIONAL \((liveness check|UPDATE_SA_ADDRESSES)\)" "$TSUD_LOG" &&
        ok "the liveness check declared the gateway dead" ||
        not_ok "the liveness check declared the gateway dead"

# ---- 3. the gateway comes back, first without its connections (as one
# that is starting: charon answers before swanctl --load-all): it refuses
# our proposals, which must not end the session. IKE to the gateway is
# dropped while it starts and its connections are unloaded.
gwfw() { ip netns exec "$LAB_NS_GW" nft "$@"; }
gwfw add table inet tsystay
gwfw add chain inet tsystay in '{ type filter hook input priority -10; }'
gwfw add rule inet tsystay in udp dport '{ 500, 4500 }' drop
"$lab" gw start >/dev/null 2>&1
# --load-conns unloads what the file does not have: an empty file, all.
: >"$TSUD_DIR/no-conns.conf"
"$lab" gw swanctl --load-conns --file "$TSUD_DIR/no-conns.conf" >"$TSUD_DIR/unload.log" 2>&1
if "$lab" gw swanctl --list-conns 2>/dev/null | grep -q IKEv2; then
        not_ok "the gateway's connections are unloaded"
        diag "$(cat "$TSUD_DIR/unload.log")"
fi
gwfw delete table inet tsystay
refused=0
for _ in $(seq 200); do
        grep -q "NO_PROPOSAL_CHOSEN" "$TSUD_LOG" && { refused=1; break; }
        sleep 0.1
done
if [ $refused = 1 ]; then
        ok "the starting gateway refuses our proposals"
else
        not_ok "the starting gateway refuses our proposals"
        diag "$(tail -n 10 "$TSUD_LOG")"
fi
sleep 0.5
[ "$(cli_state)" = reconnecting ] && ok "... and the session goes on reconnecting" ||
        not_ok "... and the session goes on reconnecting (got '$(cli_state)')"
"$lab" gw swanctl --load-conns >/dev/null 2>&1
t1=$(mono)
if wait_dbus property connected 2 60; then
        t2=$(grep ' property connected$' "$WATCH" | sed -n 2p | cut -d' ' -f1)
        dt=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')
        diag "connections loaded: D-Bus State connected again after $dt s"
        ok "gateway back: connected again by itself after $dt s"
else
        not_ok "gateway back: connected again by itself"
        diag "$(cat "$WATCH")" "$(tail -n 30 "$TSUD_LOG")"
fi
wait_dbus signal connected 1 2 && ok "D-Bus: StateChanged(connected) reaches the user" ||
        not_ok "D-Bus: StateChanged(connected) reaches the user"
# reconnecting, then connected: no other state on the way (no failed, no
# disconnected: the session was never lost).
seq=$(awk '$2 == "property" { print $3 }' "$WATCH" | tr '\n' ' ')
[ "$seq" = "connected reconnecting connected " ] &&
        ok "D-Bus State: connected, reconnecting, connected" ||
        not_ok "D-Bus State: connected, reconnecting, connected (got: $seq)"
[ "$(cli_state)" = connected ] && ok "tsunagu status --json: connected" ||
        not_ok "tsunagu status --json: connected (got '$(cli_state)')"
tap_check "after the reconnect: ping through the tunnel" \
        in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
[ "$(tun_index)" = "$tun" ] && ok "after the reconnect: the same TUN device" ||
        not_ok "after the reconnect: the TUN device changed"
[ "$(tsud_netstate)" = "$connected_state" ] && ok "after the reconnect: the same network state" ||
        { not_ok "after the reconnect: the same network state"; diag "$(tsud_netstate)"; }

# ---- 4. leave
expect_exit 0 "A disconnects" as "$TSUD_A" "$TSUNAGU" disconnect "Lab stay"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left (TUN, routes, rules, kill switch, resolv.conf)" ||
        { not_ok "nothing left"; diag "$now"; }
# The capture saw ICMP on the outer interface at all (the check above can fail).
capture_start control
in_client ping -c 1 -W 2 "$LAB_GW_IP" >/dev/null 2>&1
capture_stop
[ "$(capture_count control "host $LAB_GW_IP")" -ge 1 ] &&
        ok "control: a ping outside the tunnel shows up in the capture" ||
        { not_ok "control: a ping outside the tunnel shows up in the capture"
          diag "$(cat "$TSUD_DIR/control.err")" \
                "$(tcpdump -n -r "$TSUD_DIR/control.pcap" 2>&1 | head -n 5)"; }
kill "$WATCH_PID" 2>/dev/null
WATCH_PID=
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" \
        "no sanitizer report"
tap_done
