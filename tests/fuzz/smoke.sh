#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make fuzz-smoke: runs each libFuzzer target for SECONDS under the sanitizers
# the build was configured with, starting from a scratch copy of its seed
# corpus. Prints one TAP line per target; exits non-zero if any target found
# a crash, a leak, a timeout or an out-of-memory.
#
# usage: smoke.sh SECONDS TARGET...
set -u
seconds=$1
shift
. "$top_srcdir/tests/lib/tap.sh"
work="$top_builddir/tests/fuzz/work"
mkdir -p "$work"
echo "1..$#"
for t in "$@"; do
        name=$(basename "$t")
        rm -rf "$work/$name"
        mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
        seed="$top_srcdir/tests/fuzz/corpus/$name"
        dict="$top_srcdir/tests/fuzz/$name.dict"
        set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -artifact_prefix="$work/$name/artifacts/"
        [ -f "$dict" ] && set -- "$@" -dict="$dict"
        log="$work/$name/log"
        if "$top_builddir/$t" "$@" "$work/$name/corpus" "$seed" >"$log" 2>&1; then
                execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
                cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
                ok "$name: ${execs:-?} executions in ${seconds}s, ${cov:-cov: ?}, no finding"
        else
                not_ok "$name: finding, see $log and $work/$name/artifacts/"
                tail -n 40 "$log" | sed 's/^/# /'
        fi
done
tap_done
