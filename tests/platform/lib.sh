# tests/platform/lib.sh - helpers for the platform namespace tests.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every namespace is named tsuplat-<pid>-<name>; everything a test made is
# removed on exit (namespaces it created, processes it started, its temp dir).

. "${top_srcdir:-.}/tests/lib/tap.sh"

TOOL=${top_builddir:-.}/tests/platform/tsu-platform-tool
PLAT_PREFIX=tsuplat-$$
PLAT_PIDS=""
PLAT_TMP=$(mktemp -d /tmp/tsuplat.XXXXXX)
PLAT_SEQ=0

plat_cleanup() {
        local p n
        for p in $PLAT_PIDS; do kill "$p" 2>/dev/null; done
        for p in $PLAT_PIDS; do wait "$p" 2>/dev/null; done
        # plat_netns runs in $(...): its list is lost, so go by our unique prefix.
        for n in $(ip netns list | awk '{print $1}' | grep "^$PLAT_PREFIX-"); do
                ip netns del "$n" 2>/dev/null
        done
        rm -rf "$PLAT_TMP"
}
trap plat_cleanup EXIT

plat_require() {
        tap_require_lab
        [ -x "$TOOL" ] || tap_skip_all "tsu-platform-tool is not built"
        command -v ip >/dev/null || tap_skip_all "iproute2 missing"
        command -v nft >/dev/null || tap_skip_all "nft missing"
}

# plat_netns NAME : create namespace $PLAT_PREFIX-NAME with lo up; prints its name.
plat_netns() {
        local n=$PLAT_PREFIX-$1
        ip netns add "$n" || return 1
        ip -n "$n" link set lo up
        # Fresh namespaces inherit IPv4 sysctls from the host: pin the ones that matter.
        ip netns exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
        # No duplicate address detection: snapshots must not catch addresses
        # while they are still "tentative".
        ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
        echo "$n"
}

# plat_snapshot NS FILE : everything the platform layer may touch, as text.
plat_snapshot() {
        ip netns exec "$1" sh -c '
                ip -d addr show
                echo "--- routes"; ip route show table all
                echo "--- routes6"; ip -6 route show table all
                echo "--- rules"; ip rule show
                echo "--- rules6"; ip -6 rule show
                echo "--- nft"; nft list ruleset' >"$2" 2>&1
}

# plat_start NS ARGS... : run "tool apply ARGS" in NS, stdin from a fifo; waits
# until it printed "applied" (return 0) or exited (return 1). Sets PLAT_PID,
# PLAT_OUT (its stdout+stderr file).
plat_start() {
        local ns=$1 i
        shift
        PLAT_SEQ=$((PLAT_SEQ + 1))
        PLAT_FIFO=$PLAT_TMP/fifo.$PLAT_SEQ
        PLAT_OUT=$PLAT_TMP/out.$PLAT_SEQ
        mkfifo "$PLAT_FIFO"
        ip netns exec "$ns" "$TOOL" apply "$@" <"$PLAT_FIFO" >"$PLAT_OUT" 2>&1 &
        PLAT_PID=$!
        PLAT_PIDS="$PLAT_PIDS $PLAT_PID"
        exec 9>"$PLAT_FIFO"
        for i in $(seq 1 100); do
                grep -q '^applied' "$PLAT_OUT" 2>/dev/null && return 0
                kill -0 "$PLAT_PID" 2>/dev/null || { exec 9>&-; return 1; }
                sleep 0.1
        done
        return 1
}

# plat_stop : tell the tool to revert and wait for it; returns its status.
plat_stop() {
        local rc
        echo >&9
        exec 9>&-
        wait "$PLAT_PID"
        rc=$?
        PLAT_PIDS=$(echo "$PLAT_PIDS" | sed "s/ $PLAT_PID\b//")
        return $rc
}

# plat_same DESC BEFORE AFTER : ok when the two snapshots are identical.
plat_same() {
        if cmp -s "$2" "$3"; then
                ok "$1"
        else
                not_ok "$1"
                diag "$(diff -u "$2" "$3" | head -n 40)"
        fi
}

# plat_has DESC FILE-OR-STRING REGEX : ok when the text matches.
plat_match() {
        if printf '%s\n' "$2" | grep -qE -- "$3"; then
                ok "$1"
        else
                not_ok "$1"
                diag "expected /$3/ in:" "$2"
        fi
}
plat_nomatch() {
        if printf '%s\n' "$2" | grep -qE -- "$3"; then
                not_ok "$1"
                diag "unexpected /$3/ in:" "$2"
        else
                ok "$1"
        fi
}
