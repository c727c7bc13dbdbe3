#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Gateway redirects (RFC 5685, issue 10) against two fake gateways in the
# lab's gateway namespace: A on the lab's gateway address (203.0.113.2,
# vpn.lab.test) and B on a second address of the same namespace
# (203.0.113.3), each a tests/fakegw/fakegw.py of its own. tsunagu runs as
# `connect --foreground` in the client namespace, behind the lab's NAT.
#
#  redirect-init   A answers IKE_SA_INIT with REDIRECT to B: tsunagu connects
#                  to B, whose IKE_SA_INIT carries REDIRECTED_FROM A; nothing
#                  of EAP ever reached A
#  redirect-auth   A redirects in its last IKE_AUTH answer (after the
#                  client's AUTH verified): tsunagu deletes that IKE SA at A
#                  and connects to B with REDIRECTED_FROM A
#  redirect-info   connected to A, A redirects the established SA in an
#                  INFORMATIONAL: tsunagu answers, deletes the SA at A, stays
#                  up (reconnecting, the tunnel device kept) and is connected
#                  to B
#  redirect-fqdn   the profile points at B, which redirects to the name
#                  vpn.lab.test: resolved through the home router's DNS, A
#  redirect-loop   A and B redirect to each other: tsunagu gives up after
#                  ENGINE_MAX_REDIRECTS (5) followed redirects, exit 1,
#                  reason "redirected", "redirect loop"
#  redirect-to-*   a redirect to 127.0.0.1, 224.0.0.1, 0.0.0.0 and an IPv6
#                  address (the connection is IPv4): refused, exit 1
# Every case: no crash or sanitizer report, the client namespace as before.
LAB_PREFIX="fgr$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fakegw/lib.sh"

GW_A=203.0.113.2
GW_B=203.0.113.3
MAX_REDIRECTS=5 # ENGINE_MAX_REDIRECTS, client/engine/engine.h

rd_stop() {
    local pid
    for pid in ${RD_PID_A:-} ${RD_PID_B:-}; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    RD_PID_A=
    RD_PID_B=
}

rd_teardown() {
    local rc=$?
    rd_stop
    (exit $rc)
    fg_teardown
}

# rd_serve VAR_PID DIR ADDR SCENARIO [--set KNOB=VALUE]...
rd_serve() {
    local var=$1 dir=$2 addr=$3 scenario=$4 t=0
    shift 4
    mkdir -p "$dir"
    ip netns exec "$LAB_NS_GW" "$FG_PY" "$FG" serve --dir "$dir" --pki "$FG_PKI" \
        --bind "$addr" --scenario "$scenario" "$@" >"$dir/stdout" 2>&1 &
    printf -v "$var" '%s' "$!"
    while [ ! -S "$dir/ctl" ] && [ $t -lt 200 ]; do
        kill -0 "${!var}" 2>/dev/null || break
        sleep 0.05
        t=$((t + 1))
    done
    if [ ! -S "$dir/ctl" ]; then
        diag "the fake on $addr did not start:" "$(cat "$dir/stdout")"
        return 1
    fi
}

# rd_case NAME SCENARIO_A [A options] -- SCENARIO_B [B options]: both fakes
# (SCENARIO_B "-": none on B) and the case's profile.
rd_case() {
    local name=$1 a=() b=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        a+=("$1")
        shift
    done
    [ "${1:-}" = -- ] && shift
    b=("$@")
    rd_stop
    FG_CASE=$name
    FG_CASE_T0=$(date +%s%N)
    FG_PROFILE=$E2E_DIR/$name.tsunagu
    fg_profile "$FG_PROFILE"
    RD_DIR_A=$E2E_DIR/$name.A
    RD_DIR_B=$E2E_DIR/$name.B
    rd_serve RD_PID_A "$RD_DIR_A" "$GW_A" "${a[@]}" || return 1
    if [ "${b[0]:--}" != - ]; then
        rd_serve RD_PID_B "$RD_DIR_B" "$GW_B" "${b[@]}" || return 1
    else
        mkdir -p "$RD_DIR_B"
        : >"$RD_DIR_B/fakegw.log"
    fi
    FG_DIR=$RD_DIR_A
}

# rd_log_has NAME A|B DESCRIPTION PATTERN
rd_log_has() {
    local FG_DIR
    if [ "$2" = A ]; then FG_DIR=$RD_DIR_A; else FG_DIR=$RD_DIR_B; fi
    fg_log_has "$1" "$3" "$4"
}

rd_connected_to() {
    fg_out_has "$1" "connected to $2" "^connected to .* \\($2\\) in "
}

rd_end() {
    local name=$1
    # a failure of the fake on B itself shows in its log (A's: below)
    if grep -q 'FAKEGW-BUG' "$RD_DIR_B/fakegw.log"; then
        diag "the fake on B failed:" "$(grep FAKEGW-BUG "$RD_DIR_B/fakegw.log" | tr '|' '\n')"
    fi
    fg_check_sanitizers "$name"
    rd_stop
    fg_check_clean "$name"
    diag "$name: $((($(date +%s%N) - FG_CASE_T0) / 1000000)) ms"
}

fg_setup
trap rd_teardown EXIT
# B: a second address of the gateway namespace, reached through the lab's
# internet like the first one.
ip netns exec "$LAB_NS_GW" ip addr add "$GW_B/24" dev wan ||
    tap_skip_all "cannot add $GW_B to the gateway namespace"
tap_plan_lazy

# ------------------------------------------------------------------ IKE_SA_INIT
if rd_case redirect-init redirect-init --set "redirect_init=$GW_B" -- ok; then
    if fg_expect_connect redirect-init; then
        rd_connected_to redirect-init "$GW_B"
        fg_out_has redirect-init "the redirect followed" "following the gateway's redirect to $GW_B \(1 of at most $MAX_REDIRECTS"
        rd_log_has redirect-init A "A redirected in IKE_SA_INIT" "misbehave redirect in IKE_SA_INIT to $GW_B"
        rd_log_has redirect-init A "A saw REDIRECT_SUPPORTED" '^[0-9.]+ redirect-supported$'
        rd_log_has redirect-init B "B saw REDIRECTED_FROM A" "^[0-9.]+ redirected-from $GW_A\$"
        fg_no_eap redirect-init
        FG_DIR=$RD_DIR_B fg_disconnect redirect-init
    fi
else
    not_ok "redirect-init: the fakes did not start"
fi
rd_end redirect-init

# ------------------------------------------------------------------ IKE_AUTH
if rd_case redirect-auth redirect-auth --set "redirect_auth=$GW_B" -- ok; then
    if fg_expect_connect redirect-auth; then
        rd_connected_to redirect-auth "$GW_B"
        rd_log_has redirect-auth A "A redirected in IKE_AUTH, after the client's AUTH verified" \
            'client AUTH verified'
        rd_log_has redirect-auth A "the IKE SA at A deleted" 'delete-from-client proto=1'
        rd_log_has redirect-auth B "B saw REDIRECTED_FROM A" "^[0-9.]+ redirected-from $GW_A\$"
        FG_DIR=$RD_DIR_B fg_disconnect redirect-auth
    fi
else
    not_ok "redirect-auth: the fakes did not start"
fi
rd_end redirect-auth

# ------------------------------------------------------------------ an established SA
if rd_case redirect-info ok -- ok; then
    if fg_expect_connect redirect-info; then
        rd_connected_to redirect-info "$GW_A"
        got=$(FG_CTLDIR=$RD_DIR_A fg_ctl redirect "$GW_B" 2>&1)
        if [ "$got" = "answered mid=0 payloads=(empty)" ]; then
            ok "redirect-info: the INFORMATIONAL with REDIRECT answered"
        else
            not_ok "redirect-info: A's redirect got '$got'"
        fi
        t=0
        until [ "$(grep -c '^connected to ' "$E2E_OUT")" -ge 2 ] ||
            ! kill -0 "$E2E_PID" 2>/dev/null || [ $t -ge 200 ]; do
            sleep 0.1
            t=$((t + 1))
        done
        if sed -n '/^state: reconnecting/,$p' "$E2E_OUT" | grep -q "^connected to .* ($GW_B) "; then
            ok "redirect-info: reconnecting, then connected to $GW_B in $((t / 10)).$((t % 10)) s"
        else
            not_ok "redirect-info: not connected to $GW_B within 20 s"
            diag "$(tail -n 20 "$E2E_OUT")"
        fi
        if grep -qE '^state: (disconnected|failed)' "$E2E_OUT"; then
            not_ok "redirect-info: the session ended on the way"
        else
            ok "redirect-info: the session stayed (no disconnected or failed state)"
        fi
        rd_log_has redirect-info A "the IKE SA at A deleted" 'delete-from-client proto=1'
        rd_log_has redirect-info B "B saw REDIRECTED_FROM A" "^[0-9.]+ redirected-from $GW_A\$"
        FG_DIR=$RD_DIR_B fg_disconnect redirect-info
    fi
else
    not_ok "redirect-info: the fakes did not start"
fi
rd_end redirect-info

# ------------------------------------------------------------------ an FQDN
if rd_case redirect-fqdn ok -- redirect-init --set "redirect_init=$LAB_GW_NAME"; then
    sed -i "s/^host = .*/host = $GW_B/" "$FG_PROFILE"
    if fg_expect_connect redirect-fqdn; then
        rd_connected_to redirect-fqdn "$GW_A"
        fg_out_has redirect-fqdn "the name resolved" "$LAB_GW_NAME is $GW_A"
        rd_log_has redirect-fqdn A "A saw REDIRECTED_FROM B" "^[0-9.]+ redirected-from $GW_B\$"
        fg_disconnect redirect-fqdn
    fi
else
    not_ok "redirect-fqdn: the fakes did not start"
fi
rd_end redirect-fqdn

# ------------------------------------------------------------------ a loop
if rd_case redirect-loop redirect-init --set "redirect_init=$GW_B" -- \
    redirect-init --set "redirect_init=$GW_A"; then
    fg_expect_failure redirect-loop 1 '\(redirected\): redirect loop: '"$((MAX_REDIRECTS + 1))"' redirects in a row'
    n=$(cat "$RD_DIR_A/fakegw.log" "$RD_DIR_B/fakegw.log" | grep -c 'misbehave redirect in IKE_SA_INIT')
    if [ "$n" = $((MAX_REDIRECTS + 1)) ]; then
        ok "redirect-loop: $n redirects in all ($MAX_REDIRECTS followed)"
    else
        not_ok "redirect-loop: $n redirects, expected $((MAX_REDIRECTS + 1))"
    fi
else
    not_ok "redirect-loop: the fakes did not start"
fi
rd_end redirect-loop

# ------------------------------------------------------------------ refused targets
refused() {
    local name=$1 to=$2 why=$3
    if rd_case "$name" redirect-init --set "redirect_init=$to" -- -; then
        fg_expect_failure "$name" 1 "\\(redirected\\): refusing the redirect to $to: $why"
        n=$(grep -c 'recv IKE_SA_INIT' "$RD_DIR_A/fakegw.log")
        if [ "$n" = 1 ]; then
            ok "$name: nothing sent after the refusal (one IKE_SA_INIT at A)"
        else
            not_ok "$name: $n IKE_SA_INIT requests at A"
        fi
    else
        not_ok "$name: the fake did not start"
    fi
    rd_end "$name"
}
refused redirect-to-loopback 127.0.0.1 'a loopback address'
refused redirect-to-multicast 224.0.0.1 'a multicast address'
refused redirect-to-zero 0.0.0.0 'an address in 0\.0\.0\.0/8'
refused redirect-to-ipv6 2001:db8::1 'not an IPv4 address'

tap_done
