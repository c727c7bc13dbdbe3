# tests/e2e/lib.sh - helpers for the end-to-end tests: tsunagu's own client
# (`tsunagu connect --foreground`) in the lab's client namespace against the
# lab's strongSwan gateway (tests/lab/README.md).
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A test sets LAB_PREFIX (its own), sources this file, calls e2e_setup,
# then for each case: e2e_profile, e2e_connect, e2e_check_tunnel,
# e2e_disconnect, e2e_check_clean. The lab is taken down by a trap.

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"
# shellcheck source=../lib/lab-profile.sh
. "$top_srcdir/tests/lib/lab-profile.sh"

LAB=$top_srcdir/tests/lab/lab
TSUNAGU=${TSUNAGU:-$top_builddir/client/tsunagu}
E2E_CONNECT_TIMEOUT=${E2E_CONNECT_TIMEOUT:-30}

e2e_teardown() {
    local rc=$?
    if [ -n "${E2E_PID:-}" ] && kill -0 "$E2E_PID" 2>/dev/null; then
        kill -TERM "$E2E_PID" 2>/dev/null
        sleep 1
        kill -KILL "$E2E_PID" 2>/dev/null
    fi
    if [ "${E2E_KEEP:-0}" != 1 ]; then
        "$LAB" down >/dev/null 2>&1
        rm -rf "$E2E_DIR"
    else
        diag "keeping the lab (LAB_PREFIX=$LAB_PREFIX) and $E2E_DIR"
    fi
    exit $rc
}

# e2e_setup: brings the lab up (or skips everything if it cannot run here).
e2e_setup() {
    tap_require_lab
    [ -x "$TSUNAGU" ] || tap_skip_all "no $TSUNAGU (build first)"
    "$TSUNAGU" connect --foreground --help >/dev/null 2>&1 ||
        tap_skip_all "tsunagu built without the platform layer"
    export LAB_PREFIX
    unset LAB_DIR
    E2E_DIR=$(mktemp -d /tmp/tsunagu-e2e.XXXXXX)
    trap e2e_teardown EXIT
    trap 'exit 130' INT TERM
    if ! "$LAB" up >"$E2E_DIR/lab-up.log" 2>&1; then
        echo "1..0 # SKIP the lab does not come up: $(tail -n 3 "$E2E_DIR/lab-up.log" | tr '\n' ' ')"
        exit 0
    fi
    eval "$("$LAB" env)"
    E2E_CA_B64=$(openssl x509 -in "$LAB_CA_CERT" -outform DER | base64 -w0)
    E2E_RESOLV_BEFORE=$(cat "/etc/netns/$LAB_NS_CLIENT/resolv.conf" 2>/dev/null)
}

# e2e_profile FILE SCENARIO [KEYFILE LINES...]: a tsunagu profile for one of
# the lab's scenarios (LAB_SC_<SCENARIO>_*); extra lines are appended as they
# are ("[crypto]", "ike = ...").
e2e_profile() {
    local file=$1 sc=$2
    shift 2
    lab_profile "$sc" "lab $sc" split "$@" >"$file"
}

# e2e_connect PROFILE [PASSWORD]: starts tsunagu in the client namespace and
# waits until it is connected (0) or gone (its exit code, E2E_RC) or the
# timeout passes (124). Output in $E2E_OUT; E2E_CONNECT_S is how long the
# client said connecting took.
e2e_connect() {
    local profile=$1 password=${2:-} t=0
    E2E_OUT=$E2E_DIR/out.$RANDOM.txt
    : >"$E2E_OUT"
    E2E_RC=
    E2E_CONNECT_S=
    E2E_GWLOG_START=$(wc -l <"$LAB_GW_LOG")
    if [ -n "$password" ]; then
        printf '%s\n' "$password" |
            ip netns exec "$LAB_NS_CLIENT" "$TSUNAGU" connect --foreground --password-stdin \
                "$profile" >"$E2E_OUT" 2>&1 &
    else
        ip netns exec "$LAB_NS_CLIENT" "$TSUNAGU" connect --foreground "$profile" \
            </dev/null >"$E2E_OUT" 2>&1 &
    fi
    E2E_PID=$!
    while [ $t -lt $((E2E_CONNECT_TIMEOUT * 10)) ]; do
        if grep -q '^connected to ' "$E2E_OUT"; then
            E2E_CONNECT_S=$(sed -n 's/^connected to .* in \([0-9.]*\) s$/\1/p' "$E2E_OUT")
            return 0
        fi
        if ! kill -0 "$E2E_PID" 2>/dev/null; then
            wait "$E2E_PID"
            E2E_RC=$?
            E2E_PID=
            return "$E2E_RC"
        fi
        sleep 0.1
        t=$((t + 1))
    done
    return 124
}

# e2e_disconnect: SIGTERM, wait (bounded); returns tsunagu's exit code.
e2e_disconnect() {
    local t=0 rc
    [ -n "${E2E_PID:-}" ] || return 1
    kill -TERM "$E2E_PID"
    while kill -0 "$E2E_PID" 2>/dev/null && [ $t -lt 100 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    if kill -0 "$E2E_PID" 2>/dev/null; then
        kill -KILL "$E2E_PID"
        wait "$E2E_PID"
        E2E_PID=
        return 124
    fi
    wait "$E2E_PID"
    rc=$?
    E2E_PID=
    return $rc
}

in_client() { ip netns exec "$LAB_NS_CLIENT" "$@"; }

# e2e_check_tunnel NAME: the virtual IP, ping, HTTP and DNS through the tunnel.
e2e_check_tunnel() {
    local name=$1 pool4=$2 dev
    dev=$(in_client ip -o link show | sed -n 's/^[0-9]*: \(tsu[0-9]*\):.*/\1/p' | head -n1)
    if [ -n "$dev" ] && in_client ip -4 -o addr show dev "$dev" | grep -q "inet ${pool4%.*}"; then
        ok "$name: virtual IP on $dev"
    else
        not_ok "$name: virtual IP on the TUN device"
        diag "$(in_client ip -o addr)"
    fi
    tap_check "$name: ping $LAB_LAN_IP through the tunnel" in_client ping -c 2 -i 0.2 -W 2 "$LAB_LAN_IP"
    local body
    body=$(in_client curl -sS -m 5 "$LAB_HELLO_URL" 2>&1)
    if [ "$body" = "$LAB_HELLO_CONTENT" ]; then
        ok "$name: HTTP from the LAN host"
    else
        not_ok "$name: HTTP from the LAN host"
        diag "$body"
    fi
    local addr
    addr=$(in_client getent ahostsv4 "$LAB_INTRANET_NAME" 2>&1 | awk 'NR==1 {print $1}')
    if [ "$addr" = "$LAB_LAN_IP" ]; then
        ok "$name: $LAB_INTRANET_NAME resolves through the tunnel DNS"
    else
        not_ok "$name: $LAB_INTRANET_NAME resolves through the tunnel DNS (got '$addr')"
        diag "$(in_client cat /etc/resolv.conf)"
    fi
}

# e2e_check_clean NAME: nothing of ours left in the client namespace, no SA
# on the gateway.
e2e_check_clean() {
    local name=$1 left= sas t=0
    in_client ip -o link show | grep -q ': tsu' && left="$left TUN device;"
    in_client ip rule show | grep -vq -E '^(0|32766|32767):' && left="$left ip rules;"
    in_client ip route show table all 2>/dev/null | grep -q 'table 29811' && left="$left routes;"
    in_client nft list tables 2>/dev/null | grep -q tsunagu && left="$left nftables;"
    [ "$(cat "/etc/netns/$LAB_NS_CLIENT/resolv.conf" 2>/dev/null)" = "$E2E_RESOLV_BEFORE" ] ||
        left="$left resolv.conf;"
    # the platform journal of this namespace (tsunagu connect --foreground)
    local ino
    ino=$(in_client stat -L -c %i /proc/self/ns/net)
    [ -e "/run/tsunagu/netns-$ino" ] && left="$left journal directory /run/tsunagu/netns-$ino;"
    if [ -z "$left" ]; then
        ok "$name: nothing left in the client namespace"
    else
        not_ok "$name: left behind:$left"
    fi
    # The gateway forgets the SA when it gets our DELETE; give it a moment.
    while [ $t -lt 20 ]; do
        sas=$("$LAB" gw swanctl --list-sas 2>/dev/null | grep -c ESTABLISHED)
        [ "$sas" = 0 ] && break
        sleep 0.1
        t=$((t + 1))
    done
    if [ "$sas" = 0 ]; then
        ok "$name: no SA left on the gateway"
    else
        not_ok "$name: $sas SA(s) left on the gateway"
        diag "$("$LAB" gw swanctl --list-sas)"
    fi
}

# e2e_gateway_log_since: the gateway's log lines since e2e_connect.
e2e_gateway_log_since() {
    tail -n +"$((E2E_GWLOG_START + 1))" "$LAB_GW_LOG"
}

# e2e_run_case NAME PROFILE PASSWORD POOL4: connect, check, disconnect, clean.
e2e_run_case() {
    local name=$1 profile=$2 password=$3 pool4=${4:-10.99.0.0/24} rc
    if e2e_connect "$profile" "$password"; then
        ok "$name: connected in ${E2E_CONNECT_S:-?} s"
        E2E_TIMES="${E2E_TIMES:-}$name=${E2E_CONNECT_S:-?}s "
        e2e_check_tunnel "$name" "$pool4"
        e2e_disconnect
        rc=$?
        if [ $rc = 0 ]; then
            ok "$name: disconnected cleanly (exit 0)"
        else
            not_ok "$name: disconnect exit $rc"
            diag "$(tail -n 20 "$E2E_OUT")"
        fi
    else
        rc=$?
        not_ok "$name: connected (exit $rc)"
        diag "$(tail -n 30 "$E2E_OUT")"
        [ -n "${E2E_PID:-}" ] && e2e_disconnect
    fi
    e2e_check_clean "$name"
}
