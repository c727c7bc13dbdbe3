# tests/fakegw/lib.sh - helpers for the hostile-gateway tests: the lab
# (tests/lab) with its strongSwan gateway stopped and tests/fakegw/fakegw.py
# listening in the gateway's namespace instead; tsunagu connects from the
# lab's client namespace through the lab's NAT, as in tests/e2e.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A test sets LAB_PREFIX (its own), sources this file, calls fg_setup, then
# for each case fg_case NAME SCENARIO [fakegw --set options], then one of
#   fg_expect_failure NAME EXIT TEXT [PASSWORD]    tsunagu must give up
#   fg_expect_connect NAME [PASSWORD]              tsunagu must connect
# followed by the checks it needs (fg_no_secret, fg_no_eap, fg_log_has,
# fg_out_has, ...), fg_check_sanitizers and fg_check_clean; fg_stop ends the
# fake. Everything is taken down by a trap.

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=../e2e/lib.sh
. "$top_srcdir/tests/e2e/lib.sh"

FG_PY=/usr/bin/python3
# no __pycache__ in the source tree (read-only under make distcheck anyway)
export PYTHONDONTWRITEBYTECODE=1
FG=$top_srcdir/tests/fakegw/fakegw.py
FG_PASSWORD=alice-lab-password
# Short retransmissions: 1 s, then 1.8 s of waiting: the cases where every
# answer is malformed end in under 3 s. A test may set its own before
# sourcing this file.
if [ -z "${FG_RETRANSMIT+set}" ]; then
    FG_RETRANSMIT=("retransmit-timeout = 1s" "retransmit-tries = 1")
fi

fg_teardown() {
    local rc=$?
    fg_stop
    (exit $rc)
    e2e_teardown
}

# fg_setup: the lab without strongSwan, the fake's PKI, the profile CA.
fg_setup() {
    [ -x "$FG_PY" ] && "$FG_PY" -c 'import cryptography' 2>/dev/null ||
        tap_skip_all "no /usr/bin/python3 with python3-cryptography"
    e2e_setup
    trap fg_teardown EXIT
    "$LAB" gw stop >/dev/null 2>&1
    FG_PKI=$E2E_DIR/pki
    "$FG_PY" "$FG" pki "$FG_PKI" || tap_skip_all "the fake's PKI cannot be made"
    FG_CA_B64=$(openssl x509 -in "$FG_PKI/ca.pem" -outform DER | base64 -w0)
    FG_N=0
    FG_STATE_BEFORE=$(fg_snapshot)
}

# fg_profile FILE [KEYFILE LINES...]: an EAP-MSCHAPv2 profile for the fake
# (identity alice, split tunnel, short retransmissions); lines given are
# added to the [crypto] group or start groups of their own.
fg_profile() {
    local file=$1 line
    shift
    {
        echo "[profile]"
        echo "name = fakegw"
        echo "uuid = $(cat /proc/sys/kernel/random/uuid)"
        echo "[gateway]"
        echo "host = $LAB_GW_NAME"
        echo "remote-id = $LAB_GW_ID"
        echo "[ca]"
        echo "certificates = $FG_CA_B64"
        echo "send-certreq = true"
        echo "[auth]"
        echo "method = ${FG_METHOD:-eap-mschapv2}"
        echo "local-id = alice@split.lab.test"
        echo "eap-id = alice"
        if [ "${FG_METHOD:-}" = eap-tls ]; then
            echo "certificate = $(openssl x509 -in "$FG_PKI/client.pem" -outform DER | base64 -w0)"
            echo "private-key = $(awk '{printf "%s\\n", $0}' "$FG_PKI/client.key")"
        fi
        echo "[tunnel]"
        echo "mode = split"
        echo "[crypto]"
        for line in "${FG_RETRANSMIT[@]}" "$@"; do
            echo "$line"
        done
    } >"$file"
}

# fg_start SCENARIO [--set KNOB=VALUE]...: the fake in the gateway's
# namespace as new, with this scenario; its log is FG_DIR/fakegw.log. One
# process serves all cases (`ctl reset` between them: starting Python costs
# more than most cases); its control socket is FG_CTLDIR/ctl.
fg_start() {
    local scenario=$1 t=0 kv=() got
    shift
    FG_N=$((FG_N + 1))
    FG_DIR=$E2E_DIR/fake.$FG_N.$scenario
    mkdir -p "$FG_DIR"
    if [ -n "${FG_PID:-}" ] && kill -0 "$FG_PID" 2>/dev/null; then
        while [ $# -gt 0 ]; do
            [ "$1" = --set ] && shift
            kv+=("$1")
            shift
        done
        got=$("$FG_PY" "$FG" ctl "$FG_CTLDIR" reset "$FG_DIR" "$scenario" "${kv[@]}" 2>&1)
        [ "$got" = "reset $scenario" ] && return 0
        diag "the fake did not reset: $got"
        return 1
    fi
    FG_CTLDIR=$FG_DIR
    ip netns exec "$LAB_NS_GW" "$FG_PY" "$FG" serve --dir "$FG_DIR" --pki "$FG_PKI" \
        --scenario "$scenario" "$@" >"$E2E_DIR/fake.stdout" 2>&1 &
    FG_PID=$!
    while [ ! -S "$FG_DIR/ctl" ] && [ $t -lt 100 ]; do
        kill -0 "$FG_PID" 2>/dev/null || break
        sleep 0.05
        t=$((t + 1))
    done
    if [ ! -S "$FG_DIR/ctl" ]; then
        diag "the fake did not start:" "$(cat "$E2E_DIR/fake.stdout")"
        return 1
    fi
}

fg_stop() {
    if [ -n "${FG_PID:-}" ]; then
        kill -TERM "$FG_PID" 2>/dev/null
        wait "$FG_PID" 2>/dev/null
        FG_PID=
    fi
}

fg_ctl() { "$FG_PY" "$FG" ctl "$FG_CTLDIR" "$@"; }

# fg_case NAME SCENARIO [fake options] [-- PROFILE LINES]: starts the fake
# and writes the case's profile $E2E_DIR/NAME.tsunagu.
fg_case() {
    local name=$1 scenario=$2 opts=() lines=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    [ "${1:-}" = -- ] && shift
    lines=("$@")
    FG_CASE=$name
    FG_CASE_T0=$(date +%s%N)
    FG_PROFILE=$E2E_DIR/$name.tsunagu
    fg_profile "$FG_PROFILE" "${lines[@]}"
    fg_start "$scenario" "${opts[@]}"
}

# fg_connect [PASSWORD]: tsunagu -v in the client namespace (e2e_connect).
fg_connect() {
    local password=${1-$FG_PASSWORD}
    FG_T0=$(date +%s%N)
    # created before tsunagu starts: the loop below reads it at once
    : >"$E2E_DIR/$FG_CASE.out"
    if [ -n "$password" ]; then
        printf '%s\n' "$password" |
            ip netns exec "$LAB_NS_CLIENT" "$TSUNAGU" connect --foreground -v --password-stdin \
                "$FG_PROFILE" >"$E2E_DIR/$FG_CASE.out" 2>&1 &
    else
        ip netns exec "$LAB_NS_CLIENT" "$TSUNAGU" connect --foreground -v "$FG_PROFILE" \
            </dev/null >"$E2E_DIR/$FG_CASE.out" 2>&1 &
    fi
    E2E_PID=$!
    E2E_OUT=$E2E_DIR/$FG_CASE.out
    E2E_RC=
    local t=0
    while [ $t -lt $((E2E_CONNECT_TIMEOUT * 20)) ]; do
        if grep -q '^connected to ' "$E2E_OUT"; then
            return 0
        fi
        if ! kill -0 "$E2E_PID" 2>/dev/null; then
            wait "$E2E_PID"
            E2E_RC=$?
            E2E_PID=
            return "$E2E_RC"
        fi
        sleep 0.05
        t=$((t + 1))
    done
    return 124
}

fg_elapsed_ms() { echo $((($(date +%s%N) - FG_T0) / 1000000)); }

# fg_expect_failure NAME EXIT TEXT [PASSWORD]: tsunagu gives up with exit
# code EXIT and says TEXT (a grep -E pattern) in its final error line.
fg_expect_failure() {
    local name=$1 want=$2 text=$3 rc
    if fg_connect "${4-$FG_PASSWORD}"; then
        not_ok "$name: connected although it must not"
        e2e_disconnect
        return 1
    fi
    rc=${E2E_RC:-124}
    if [ "$rc" = 124 ]; then
        e2e_disconnect >/dev/null
    fi
    FG_ERRLINE=$(grep -E 'connection failed \(' "$E2E_OUT" | tail -n1)
    if [ "$rc" = "$want" ] && printf '%s\n' "$FG_ERRLINE" | grep -qE -- "$text"; then
        ok "$name: exit $rc, ${FG_ERRLINE#*connection failed }"
    else
        not_ok "$name: exit $rc (expected $want) with \"$text\""
        diag "$(tail -n 25 "$E2E_OUT")" "--- fake:" "$(tail -n 15 "$FG_DIR/fakegw.log")"
        return 1
    fi
}

# fg_expect_connect NAME [PASSWORD]
fg_expect_connect() {
    local name=$1
    if fg_connect "${2-$FG_PASSWORD}"; then
        ok "$name: connected ($(sed -n 's/^connected to .* in \([0-9.]*\) s$/\1/p' "$E2E_OUT") s)"
        return 0
    fi
    not_ok "$name: did not connect (exit ${E2E_RC:-timeout})"
    diag "$(tail -n 25 "$E2E_OUT")" "--- fake:" "$(tail -n 15 "$FG_DIR/fakegw.log")"
    [ -n "${E2E_PID:-}" ] && e2e_disconnect >/dev/null
    return 1
}

# fg_disconnect NAME: SIGTERM, exit 0, and the fake saw our DELETE.
fg_disconnect() {
    local name=$1 rc
    e2e_disconnect
    rc=$?
    if [ $rc = 0 ] && grep -q 'delete-from-client proto=1' "$FG_DIR/fakegw.log"; then
        ok "$name: disconnected cleanly (exit 0, DELETE sent)"
    else
        not_ok "$name: disconnect exit $rc"
        diag "$(tail -n 10 "$E2E_OUT")"
    fi
}

# fg_no_secret NAME: nothing derived from the password reached the fake.
fg_no_secret() {
    local name=$1 what
    what=$(grep -E '^[0-9.]+ SECRET ' "$FG_DIR/fakegw.log" | cut -d' ' -f3- | tr '\n' ';')
    if [ -z "$what" ]; then
        ok "$name: no password-derived value sent"
    else
        not_ok "$name: the fake received: $what"
    fi
}

# fg_no_eap NAME: not even an EAP identity reached the fake.
fg_no_eap() {
    local name=$1
    if grep -qE '^[0-9.]+ eap-recv ' "$FG_DIR/fakegw.log"; then
        not_ok "$name: EAP reached the fake: $(grep -E ' eap-(recv|identity) ' "$FG_DIR/fakegw.log" |
            head -n 3 | cut -d' ' -f2- | tr '\n' ';')"
    else
        ok "$name: no EAP packet (not even the identity) sent"
    fi
}

# fg_secret_only NAME WHAT...: exactly these SECRET events (in any order).
fg_secret_only() {
    local name=$1 got want
    shift
    got=$(grep -E '^[0-9.]+ SECRET ' "$FG_DIR/fakegw.log" | awk '{print $3}' | sort -u | tr '\n' ' ')
    want=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
    if [ "$got" = "$want" ]; then
        ok "$name: the fake received only: ${want% }"
    else
        not_ok "$name: the fake received '${got% }', expected '${want% }'"
    fi
}

# fg_log_has NAME DESCRIPTION PATTERN: the fake's log matches.
fg_log_has() {
    if grep -qE -- "$3" "$FG_DIR/fakegw.log"; then
        ok "$1: $2"
    else
        not_ok "$1: $2 (no /$3/ in the fake's log)"
        diag "$(tail -n 15 "$FG_DIR/fakegw.log")"
    fi
}

# fg_out_has NAME DESCRIPTION PATTERN: tsunagu's output matches.
fg_out_has() {
    if grep -qE -- "$3" "$E2E_OUT"; then
        ok "$1: $2"
    else
        not_ok "$1: $2 (no /$3/ in tsunagu's output)"
        diag "$(tail -n 15 "$E2E_OUT")"
    fi
}

# fg_check_sanitizers NAME: no ASan/UBSan/LSan report, no crash signal.
fg_check_sanitizers() {
    local name=$1
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehavior' \
        "$E2E_OUT"; then
        not_ok "$name: sanitizer report"
        diag "$(grep -E -A8 'ERROR: |runtime error:' "$E2E_OUT" | head -n 30)"
    elif [ -n "${E2E_RC:-}" ] && [ "$E2E_RC" -ge 128 ]; then
        not_ok "$name: tsunagu died of signal $((E2E_RC - 128))"
    else
        ok "$name: no crash, no sanitizer report"
    fi
    if grep -q 'FAKEGW-BUG' "$FG_DIR/fakegw.log"; then
        diag "the fake itself failed:" "$(grep FAKEGW-BUG "$FG_DIR/fakegw.log" | tr '|' '\n')"
    fi
}

# fg_snapshot: what tsunagu may change in the client namespace, normalized
# (no lifetimes, no interface indexes): links, addresses, routes and rules
# of both families in every table, the nftables ruleset, resolv.conf as the
# namespace sees it and its /etc/netns copy, and the platform journal
# (/run/tsunagu/netns-<inode of the namespace>). systemd-resolved is listed
# when it runs (not on a machine without systemd as PID 1).
fg_snapshot() {
    # one process in the namespace (this runs twice a case)
    # shellcheck disable=SC2016
    in_client bash -c '
        ino=$(stat -L -c %i /proc/self/ns/net)
        echo "== links"
        ip -o link show | sed "s/^[0-9]*: //; s/ link\/.*//" | sort
        echo "== addresses"
        ip -o addr show | sed "s/^[0-9]*: //; s/\\\\ *valid_lft.*//" | sort
        echo "== routes"
        ip -4 route show table all | sort
        ip -6 route show table all | sed "s/ expires [0-9]*sec//" | sort
        echo "== rules"
        ip -4 rule show
        ip -6 rule show
        echo "== nftables"
        nft list ruleset 2>&1
        echo "== resolv.conf"
        cat /etc/resolv.conf 2>&1
        echo "== /etc/netns resolv.conf"
        cat "/etc/netns/$1/resolv.conf" 2>&1
        echo "== resolved"
        if [ -d /run/systemd/resolve ]; then
            resolvectl status 2>&1 | grep -v "Current DNS Server"
        fi
        echo "== journal"
        find "/run/tsunagu/netns-$ino" 2>/dev/null | sort
    ' fg_snapshot "$LAB_NS_CLIENT"
}

# fg_check_clean NAME: the client namespace as fg_setup found it
# (fg_snapshot before and after, compared line by line).
fg_check_clean() {
    local name=$1 now
    now=$(fg_snapshot)
    if [ "$now" = "$FG_STATE_BEFORE" ]; then
        ok "$name: the client namespace as before (links, addresses, routes, rules, nftables, DNS, journal)"
    else
        not_ok "$name: left behind in the client namespace"
        diag "$(diff <(printf '%s\n' "$FG_STATE_BEFORE") <(printf '%s\n' "$now") | grep '^[<>]')"
    fi
}

# fg_end_case NAME: the checks every case ends with.
fg_end_case() {
    fg_check_sanitizers "$1"
    fg_check_clean "$1"
    diag "$1: $((($(date +%s%N) - ${FG_CASE_T0:-0}) / 1000000)) ms"
}

# fg_fail NAME SCENARIO EXIT TEXT SECRETS [fake options] [-- PROFILE LINES...]:
# one case where tsunagu must give up: the fake misbehaved as asked, tsunagu
# said TEXT (grep -E) and exited EXIT, no crash, nothing left behind, and
# SECRETS holds:
#   noeap   not even the EAP identity was sent
#   none    nothing derived from the password was sent (the identity may)
#   A,B     exactly these SECRET events reached the fake (what the protocol
#           sends before the gateway can be caught, e.g. the MS-CHAPv2 response)
fg_fail() {
    local name=$1 sc=$2 want=$3 text=$4 secrets=$5
    shift 5
    if ! fg_case "$name" "$sc" "$@"; then
        not_ok "$name: the fake did not start"
        return
    fi
    fg_expect_failure "$name" "$want" "$text"
    fg_log_has "$name" "the fake misbehaved" '^[0-9.]+ misbehave '
    case $secrets in
    noeap) fg_no_eap "$name" ;;
    none) fg_no_secret "$name" ;;
    *)
        # shellcheck disable=SC2086
        fg_secret_only "$name" ${secrets//,/ }
        ;;
    esac
    fg_end_case "$name"
}

# fg_ok NAME SCENARIO [fake options] [-- PROFILE LINES...]: tsunagu connects
# in spite of what the fake does (scenarios not named ok* must show their
# misbehaviour in the fake's log), FG_HOOK NAME runs while connected, then a
# clean disconnect and the usual checks.
fg_ok() {
    local name=$1 sc=$2
    shift 2
    if ! fg_case "$name" "$sc" "$@"; then
        not_ok "$name: the fake did not start"
        return
    fi
    if fg_expect_connect "$name"; then
        case $sc in
        ok*) ;;
        *) fg_log_has "$name" "the fake misbehaved" '^[0-9.]+ misbehave ' ;;
        esac
        [ -n "${FG_HOOK:-}" ] && "$FG_HOOK" "$name"
        fg_disconnect "$name"
    fi
    fg_end_case "$name"
}
