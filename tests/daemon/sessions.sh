#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Sessions through tsunagud with the scripted engine (real privilege
# separation, seccomp, IPC and platform_apply in a network namespace; the
# IKE part is scripted): connect with --password-stdin and through the CLI's
# secret agent on a terminal, status, logs, disconnect; the engine's
# sandbox; what the parent refuses from an engine; kill -9 of the engine;
# SIGTERM and SIGKILL of the helper; after each, nothing left behind.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"

tap_require_lab
tsud_require
tsud_setup sessions
tap_plan_lazy

pw="Pw-$$-secret"
mkprofile() { # FILE NAME EXAMPLE
        sed -e "s/^host = .*/host = 203.0.113.2/" -e "s/^name = .*/name = $2/" \
                -e "s/^uuid = .*/uuid = $(cat /proc/sys/kernel/random/uuid)/" \
                "$top_srcdir/packaging/examples/$3" >"$TSUD_DIR/$1"
        chmod 644 "$TSUD_DIR/$1"
}
mkprofile split.tsunagu "Split" eap-mschapv2-split.tsunagu
mkprofile full.tsunagu "Full" eap-mschapv2-full.tsunagu
mkprofile bad.tsunagu "Bad [bad-route]" eap-mschapv2-split.tsunagu
before=$(tsud_netstate)

clean() { # DESCRIPTION
        local now
        now=$(tsud_netstate)
        if [ "$now" = "$before" ]; then ok "$1"; else not_ok "$1"; diag "left: $now"; fi
}
# Live processes of the engine user (a zombie waiting for a slow reaper is dead).
engines() { ps -u "$TSUD_E" -o stat= 2>/dev/null | grep -v -c '^Z'; }
state_of() { # USER NAME -> prints the session state
        as "$1" "$TSUNAGU" status --json | $PY -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    if s["profile"] == sys.argv[1]:
        print(s["state"], s["error"]["reason"])' "$2"
}

tsud_start || { not_ok "tsunagud starts"; tap_done; exit 1; }
for f in split full bad; do
        as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/$f.tsunagu" >/dev/null || not_ok "import $f"
done

# ------------------------------------------------------------ --password-stdin
printf '%s\n' "$pw" >"$TSUD_DIR/pw"
chmod 644 "$TSUD_DIR/pw"
expect_exit 0 "A connects with --password-stdin --wait" \
        sh -c "as() { :; }; runuser -u '$TSUD_A' -- env DBUS_SYSTEM_BUS_ADDRESS='$DBUS_SYSTEM_BUS_ADDRESS' '$TSUNAGU' connect --password-stdin --wait Split <'$TSUD_DIR/pw'"
expect_grep "address 10.99.0.7/32" "$TSUD_DIR/out" "connect prints the virtual address"
expect_exit 0 "A's status --json" as "$TSUD_A" "$TSUNAGU" status --json
if $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
assert s["state"] == "connected", s
assert s["virtual_ips"] == ["10.99.0.7/32"], s
assert s["interface"].startswith("tsu"), s
assert s["gateway"] == "203.0.113.2:4500", s
assert "10.20.0.10" in s["dns"], s
assert s["connected_since"] > 0, s
assert "bytes-in" in s["counters"], s' "$TSUD_DIR/out"; then
        ok "status: connected, virtual IP, interface, gateway, DNS, counters"
else
        not_ok "status: connected, virtual IP, interface, gateway, DNS, counters"; diag "$(cat "$TSUD_DIR/out")"
fi
tun=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["sessions"][0]["interface"])' "$TSUD_DIR/out")
if ip -n "$TSUD_NS" -br addr show dev "$tun" 2>/dev/null | grep -q 10.99.0.7/32; then
        ok "$tun carries 10.99.0.7 in the namespace"
else
        not_ok "$tun carries 10.99.0.7 in the namespace"
fi
ip -n "$TSUD_NS" rule show | grep -q "fwmark 0x7473" && ok "the policy rule is in place" ||
        not_ok "the policy rule is in place"

# The engine: the engine user, no capabilities, no new privileges, seccomp.
epid=$(pgrep -u "$TSUD_E" -f scripted-engine | head -n 1)
if [ -n "$epid" ]; then
        st=/proc/$epid/status
        [ "$(awk '/^Uid:/ {print $2$3$4$5}' $st)" = "$(id -u "$TSUD_E")$(id -u "$TSUD_E")$(id -u "$TSUD_E")$(id -u "$TSUD_E")" ] &&
                ok "the engine runs as the engine user (real, effective, saved, fs)" ||
                not_ok "the engine runs as the engine user"
        grep -q '^CapEff:[[:space:]]*0000000000000000' $st && grep -q '^CapPrm:[[:space:]]*0000000000000000' $st &&
                ok "the engine has no capabilities" || not_ok "the engine has no capabilities"
        grep -q '^NoNewPrivs:[[:space:]]*1' $st && ok "the engine has NoNewPrivs" || not_ok "the engine has NoNewPrivs"
        if pkg-config --exists libseccomp 2>/dev/null; then
                grep -q '^Seccomp:[[:space:]]*2' $st && ok "the engine runs under a seccomp filter" ||
                        not_ok "the engine runs under a seccomp filter"
        else
                skip "built without libseccomp"
        fi
        [ "$(awk '/^Groups:/ {print NF}' $st)" = 1 ] && ok "the engine has no supplementary groups" ||
                not_ok "the engine has no supplementary groups"
        # Its descriptors: stdio, IPC, UDP x2, TUN (and whatever GLib opened), never the profile memfd.
        ls -l /proc/$epid/fd | grep -q memfd && not_ok "the engine closed the profile memfd" ||
                ok "the engine closed the profile memfd"
else
        for _ in 1 2 3 4 5 6; do not_ok "the engine process is there"; done
fi

expect_exit 0 "B sees no session" as "$TSUD_B" "$TSUNAGU" status
expect_grep "no sessions" "$TSUD_DIR/out" "... none at all"
expect_exit 1 "B cannot disconnect A's tunnel" as "$TSUD_B" "$TSUNAGU" disconnect Split
expect_exit 0 "A reads the session's log" as "$TSUD_A" "$TSUNAGU" logs Split
expect_grep "authenticating" "$TSUD_DIR/out" "the log has the engine's lines"
expect_grep "password: \*\*\*\*\*\*\*\*" "$TSUD_DIR/out" "the password an engine logged is masked"
expect_no_grep "$pw" "$TSUD_DIR/out" "no password in GetLog"
expect_exit 0 "A disconnects" as "$TSUD_A" "$TSUNAGU" disconnect Split
[ "$(state_of "$TSUD_A" Split)" = "disconnected " ] && ok "the session is disconnected" ||
        not_ok "the session is disconnected ($(state_of "$TSUD_A" Split))"
clean "nothing left after disconnect (TUN, rules, routes, nftables, journal)"

# ------------------------------------------------------------ the agent on a terminal
expect_exit 0 "A connects answering the agent's prompt on a terminal" \
        as "$TSUD_A" "$PY" "$top_srcdir/tests/daemon/agent-tty.py" "$pw" "password" \
        "$TSUNAGU" connect Split
expect_grep "connected 'Split'" "$TSUD_DIR/out" "connected after the prompt"
expect_no_grep "$pw" "$TSUD_DIR/out" "the password was not echoed"
expect_exit 0 "disconnect" as "$TSUD_A" "$TSUNAGU" disconnect
clean "nothing left"
expect_exit 3 "a wrong password: exit 3" \
        as "$TSUD_A" "$PY" "$top_srcdir/tests/daemon/agent-tty.py" "wrong-password" "password" \
        "$TSUNAGU" connect Split
[ "$(state_of "$TSUD_A" Split)" = "failed auth-failed-password" ] && ok "failed with reason auth-failed-password" ||
        not_ok "failed with reason auth-failed ($(state_of "$TSUD_A" Split))"
expect_exit 3 "no agent and no password: exit 3 (no-secret)" \
        as "$TSUD_A" "$TSUNAGU" connect --no-ask --wait Split
[ "$(state_of "$TSUD_A" Split)" = "failed no-secret" ] && ok "failed with reason no-secret" ||
        not_ok "failed with reason no-secret ($(state_of "$TSUD_A" Split))"
clean "nothing left after failures"

# ------------------------------------------------------------ full tunnel: the kill switch
printf '%s\n' "$pw" | as "$TSUD_A" "$TSUNAGU" connect --password-stdin --wait Full >/dev/null 2>&1
ip netns exec "$TSUD_NS" nft list tables | grep -q "inet tsunagu" && ok "full tunnel: the kill switch is up" ||
        not_ok "full tunnel: the kill switch is up"

# ------------------------------------------------------------ kill -9 of the engine
epid=$(pgrep -u "$TSUD_E" -f scripted-engine | head -n 1)
kill -KILL "$epid"
for _ in $(seq 50); do [ "$(state_of "$TSUD_A" Full)" = "failed engine-crashed" ] && break; sleep 0.1; done
[ "$(state_of "$TSUD_A" Full)" = "failed engine-crashed" ] && ok "kill -9 of the engine: failed, engine-crashed" ||
        not_ok "kill -9 of the engine: failed, engine-crashed ($(state_of "$TSUD_A" Full))"
clean "... and the platform reverted (kill switch, routes, TUN)"
gdbus call --system -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 -m org.freedesktop.DBus.Peer.Ping >/dev/null &&
        ok "the helper lives on" || not_ok "the helper lives on"

# ------------------------------------------------------------ what the parent refuses
expect_exit 1 "an engine asking for 0.0.0.0/0 in a split profile is refused" \
        sh -c "printf '%s\n' '$pw' | runuser -u '$TSUD_A' -- env DBUS_SYSTEM_BUS_ADDRESS='$DBUS_SYSTEM_BUS_ADDRESS' '$TSUNAGU' connect --password-stdin --wait 'Bad [bad-route]'"
expect_grep "included route .*0.0.0.0/0 in a split-tunnel profile" "$TSUD_DIR/err" "... saying which route and why"
clean "nothing applied"

# ------------------------------------------------------------ SIGTERM with a session
printf '%s\n' "$pw" | as "$TSUD_A" "$TSUNAGU" connect --password-stdin --wait Full >/dev/null 2>&1
[ "$(state_of "$TSUD_A" Full)" = "connected " ] && ok "connected again" || not_ok "connected again"
tsud_stop
[ "$TSUD_RC" = 0 ] && ok "SIGTERM: the helper exits 0" || not_ok "SIGTERM: the helper exits 0 (rc $TSUD_RC)"
sleep 0.3
[ "$(engines)" = 0 ] && ok "SIGTERM: no engine left" || not_ok "SIGTERM: no engine left"
clean "SIGTERM: nothing left behind"

# ------------------------------------------------------------ SIGKILL of the helper, then recovery
tsud_start || not_ok "tsunagud starts again"
printf '%s\n' "$pw" | as "$TSUD_A" "$TSUNAGU" connect --password-stdin --wait Full >/dev/null 2>&1
[ "$(state_of "$TSUD_A" Full)" = "connected " ] && ok "connected (before SIGKILL)" || not_ok "connected (before SIGKILL)"
kill -KILL "$TSUD_PID"
wait "$TSUD_PID" 2>/dev/null
TSUD_PID=
sleep 0.5
[ "$(engines)" = 0 ] && ok "the engine died with its parent" || not_ok "the engine died with its parent"
[ -n "$(ls "$TSUD_DIR/state")" ] && ok "the journal names what was applied" || not_ok "the journal names what was applied"
tsud_start || not_ok "tsunagud starts after a SIGKILL"
clean "the next start recovered: nothing left"
tsud_stop

expect_no_grep "$pw" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
tap_done
