# tests/lib/tap.sh - a few helpers for shell tests that speak TAP.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Source it, call tap_plan N (or tap_plan_lazy and tap_done at the end), then
# ok / not_ok / tap_check "description" command... / tap_skip_all "reason".

_tap_n=0
_tap_failed=0
_tap_lazy=0

tap_plan() { echo "1..$1"; }
tap_plan_lazy() { _tap_lazy=1; }
tap_done() { [ "$_tap_lazy" = 1 ] && echo "1..$_tap_n"; [ "$_tap_failed" = 0 ]; }

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# tap_check DESCRIPTION CMD... : run CMD, ok if it exits 0, else not ok with its output as diag.
tap_check() {
        local desc=$1 out rc
        shift
        out=$("$@" 2>&1)
        rc=$?
        if [ $rc -eq 0 ]; then
                ok "$desc"
        else
                not_ok "$desc (exit $rc)"
                [ -n "$out" ] && diag "$out"
        fi
        return $rc
}

# tap_skip_all REASON : the whole script is skipped (automake counts it as SKIP).
tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# tap_require_lab : skip unless running as root with TSUNAGU_LAB=1 (tests/run sets it).
tap_require_lab() {
        [ "$(id -u)" = 0 ] || tap_skip_all "needs root (network namespaces)"
        [ "${TSUNAGU_LAB:-0}" = 1 ] || tap_skip_all "lab tests run from tests/run (set TSUNAGU_LAB=1)"
}
