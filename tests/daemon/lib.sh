# tests/daemon/lib.sh - a private system bus with tsunagud on it, for the
# daemon tests. SPDX-License-Identifier: GPL-2.0-or-later
#
# tsud_setup starts, all owned by this test and removed by tsud_cleanup:
#   - a dbus-daemon with a system-bus policy (Debian's defaults) and our
#     packaging/org.tsunagu.Vpn1.conf, on a socket in $TSUD_DIR;
#   - polkitd on that bus, in its own mount namespace where
#     /usr/share/polkit-1/actions holds the system's actions plus
#     packaging/org.tsunagu.vpn.policy and /etc/polkit-1/rules.d holds one
#     rule: the two test users A and B may connect and import (there is no
#     logind session here, so "allow_active" never applies); C gets the
#     defaults (auth_admin, no agent: refused); nobody but root gets
#     manage-system-profiles;
#   - users A, B, C and the engine user E (useradd, unique names);
#   - a network namespace with a veth and a default route, where tsunagud
#     runs (platform_recover and the TUN devices stay in there).
# tsud_start starts tsunagud (the scripted engine unless TSUD_ENGINE is set).
#
# Variables: TSUD_DIR, TSUD_NS, TSUD_A/B/C/E (names), TSUD_LOG (daemon
# stderr), TSUNAGU (the CLI), TSUNAGUD.

# lab_profile, for the tests that connect to the lab gateway
. "$top_srcdir/tests/lib/lab-profile.sh"

TSUNAGU="$top_builddir/client/tsunagu"
TSUNAGUD="$top_builddir/client/tsunagud"
TSUD_ENGINE=${TSUD_ENGINE:-$top_builddir/tests/daemon/scripted-engine}
PY=/usr/bin/python3

tsud_require() {
        for prog in dbus-daemon gdbus ip nft runuser useradd userdel unshare; do
                command -v "$prog" >/dev/null 2>&1 || tap_skip_all "$prog not installed"
        done
        [ -x "$TSUNAGUD" ] || tap_skip_all "tsunagud not built (needs libmnl and libnftables)"
        [ -x /usr/lib/polkit-1/polkitd ] || tap_skip_all "polkitd not installed (Debian: polkitd)"
        $PY -c 'import dbus' 2>/dev/null || tap_skip_all "python3-dbus not installed"
}

tsud_cleanup() {
        [ -n "${TSUD_KEEP:-}" ] && { echo "# kept $TSUD_DIR" >&2; TSUD_DIR=; }
        set +e
        tsud_stop
        [ -n "${TSUD_POLKITD_PID:-}" ] && kill "$TSUD_POLKITD_PID" 2>/dev/null
        [ -n "${TSUD_DBUS_PID:-}" ] && kill "$TSUD_DBUS_PID" 2>/dev/null
        for u in ${TSUD_A:-} ${TSUD_B:-} ${TSUD_C:-} ${TSUD_E:-}; do
                pkill -KILL -u "$u" 2>/dev/null
        done
        sleep 0.3
        for u in ${TSUD_A:-} ${TSUD_B:-} ${TSUD_C:-} ${TSUD_E:-}; do
                userdel "$u" 2>/dev/null
        done
        [ -n "${TSUD_NS:-}" ] && ip netns del "$TSUD_NS" 2>/dev/null
        [ -n "${TSUD_DIR:-}" ] && rm -rf "$TSUD_DIR"
}

tsud_setup() {
        local tag=$1 rules
        # Short unique names: useradd wants at most 32 characters.
        local id
        id=$(printf '%s' "$tag$$" | md5sum | cut -c1-6)
        TSUD_A="tsua$id" TSUD_B="tsub$id" TSUD_C="tsuc$id" TSUD_E="tsue$id"
        TSUD_NS="tsud-$id"
        TSUD_DIR=$(mktemp -d "/tmp/tsud-$tag.XXXXXX") || exit 1
        trap tsud_cleanup EXIT
        # polkitd and the test users must reach the bus socket.
        chmod 755 "$TSUD_DIR"
        mkdir -p "$TSUD_DIR/system.d" "$TSUD_DIR/pk/actions" "$TSUD_DIR/pk/rules" \
                "$TSUD_DIR/sys" "$TSUD_DIR/users" "$TSUD_DIR/state"
        chmod 755 "$TSUD_DIR/pk" "$TSUD_DIR/pk/actions" "$TSUD_DIR/pk/rules"
        chmod 700 "$TSUD_DIR/users" "$TSUD_DIR/state"

        for u in "$TSUD_A" "$TSUD_B" "$TSUD_C"; do
                useradd -M -N -s /usr/sbin/nologin "$u" || tap_skip_all "useradd $u failed"
        done
        useradd -r -M -N -s /usr/sbin/nologin "$TSUD_E" || tap_skip_all "useradd $TSUD_E failed"

        cp "$top_srcdir/packaging/org.tsunagu.Vpn1.conf" "$TSUD_DIR/system.d/"
        cp /usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf "$TSUD_DIR/system.d/"
        cat >"$TSUD_DIR/bus.conf" <<EOT
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$TSUD_DIR/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>$TSUD_DIR/system.d</includedir>
</busconfig>
EOT
        dbus-daemon --config-file="$TSUD_DIR/bus.conf" --nofork --nopidfile \
                >"$TSUD_DIR/dbus.log" 2>&1 &
        TSUD_DBUS_PID=$!
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$TSUD_DIR/bus.sock"
        for _ in $(seq 50); do [ -S "$TSUD_DIR/bus.sock" ] && break; sleep 0.1; done
        [ -S "$TSUD_DIR/bus.sock" ] || tap_skip_all "dbus-daemon did not start: $(cat "$TSUD_DIR/dbus.log")"

        cp /usr/share/polkit-1/actions/* "$TSUD_DIR/pk/actions/"
        cp "$top_srcdir/packaging/org.tsunagu.vpn.policy" "$TSUD_DIR/pk/actions/"
        chmod 644 "$TSUD_DIR"/pk/actions/*
        rules="$TSUD_DIR/pk/rules/50-tsunagu-test.rules"
        cat >"$rules" <<EOT
polkit.addRule(function(action, subject) {
    if ((action.id == "org.tsunagu.vpn.connect" || action.id == "org.tsunagu.vpn.import-profile") &&
        (subject.user == "$TSUD_A" || subject.user == "$TSUD_B"))
        return polkit.Result.YES;
});
EOT
        chmod 644 "$rules"
        unshare -m -- sh -c "mount --make-rprivate / &&
                mount --bind '$TSUD_DIR/pk/actions' /usr/share/polkit-1/actions &&
                mount --bind '$TSUD_DIR/pk/rules' /etc/polkit-1/rules.d &&
                exec /usr/lib/polkit-1/polkitd --no-debug" >"$TSUD_DIR/polkitd.log" 2>&1 &
        TSUD_POLKITD_PID=$!
        gdbus wait --system --timeout 10 org.freedesktop.PolicyKit1 ||
                tap_skip_all "polkitd did not start: $(cat "$TSUD_DIR/polkitd.log")"

        ip netns add "$TSUD_NS" || tap_skip_all "cannot create a network namespace"
        ip -n "$TSUD_NS" link set lo up
        ip -n "$TSUD_NS" link add v0 type veth peer name v1
        ip -n "$TSUD_NS" addr add 192.0.2.1/24 dev v0
        ip -n "$TSUD_NS" link set v0 up
        ip -n "$TSUD_NS" link set v1 up
        ip -n "$TSUD_NS" route add default via 192.0.2.254
        TSUD_LOG="$TSUD_DIR/tsunagud.log"
        # The DNS fallback's file (no systemd-resolved on the test bus).
        printf 'nameserver 192.0.2.254\n' >"$TSUD_DIR/resolv.conf"
}

# tsud_start [ARGS...]: starts tsunagud in the namespace and waits for its name.
tsud_start() {
        ip netns exec "$TSUD_NS" "$TSUNAGUD" --stderr --debug \
                --system-profiles "$TSUD_DIR/sys" --user-profiles "$TSUD_DIR/users" \
                --state-dir "$TSUD_DIR/state" --resolv-conf "$TSUD_DIR/resolv.conf" \
                --engine "$TSUD_ENGINE" --engine-user "$TSUD_E" "$@" >>"$TSUD_LOG" 2>&1 &
        TSUD_PID=$!
        gdbus wait --system --timeout 15 org.tsunagu.Vpn1 || {
                diag "tsunagud did not start:" "$(tail -n 30 "$TSUD_LOG")"
                return 1
        }
}

# tsud_stop: SIGTERM, then wait (at most 30 s) for it to end.
tsud_stop() {
        [ -n "${TSUD_PID:-}" ] || return 0
        kill -TERM "$TSUD_PID" 2>/dev/null
        for _ in $(seq 300); do
                kill -0 "$TSUD_PID" 2>/dev/null || break
                sleep 0.1
        done
        kill -KILL "$TSUD_PID" 2>/dev/null
        wait "$TSUD_PID" 2>/dev/null
        TSUD_RC=$?
        TSUD_PID=
}

# as USER CMD...: runs CMD as USER with the test bus.
as() {
        local u=$1
        shift
        runuser -u "$u" -- env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
                LSAN_OPTIONS="${LSAN_OPTIONS:-}" "$@"
}

# The network namespace's tunnel state, one line per object, for comparisons.
tsud_netstate() {
        {
                ip -n "$TSUD_NS" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^tsu'
                ip -n "$TSUD_NS" rule show | grep -v -E 'lookup (local|main|default)$'
                ip -n "$TSUD_NS" route show table all | grep -E 'tsu|table 29811'
                ip netns exec "$TSUD_NS" nft list tables 2>/dev/null | grep tsunagu
                ls "$TSUD_DIR/state" 2>/dev/null
                sed 's/^/resolv.conf: /' "$TSUD_DIR/resolv.conf"
        } | sort
}

# expect_exit CODE DESCRIPTION CMD...: the command exits with CODE; its
# output is in $TSUD_DIR/out and $TSUD_DIR/err.
expect_exit() {
        local want=$1 desc=$2 rc
        shift 2
        "$@" >"$TSUD_DIR/out" 2>"$TSUD_DIR/err"
        rc=$?
        if [ "$rc" -eq "$want" ]; then
                ok "$desc"
        else
                not_ok "$desc (exit $rc, wanted $want)"
                diag "$(cat "$TSUD_DIR/out" "$TSUD_DIR/err" | head -n 20)"
        fi
}

# expect_grep PATTERN FILE DESCRIPTION / expect_no_grep PATTERN FILE DESCRIPTION
expect_grep() {
        if grep -q -- "$1" "$2"; then ok "$3"; else not_ok "$3"; diag "$(head -n 20 "$2")"; fi
}
expect_no_grep() {
        if grep -q -- "$1" "$2"; then not_ok "$3"; diag "$(grep -- "$1" "$2" | head -n 5)"; else ok "$3"; fi
}
