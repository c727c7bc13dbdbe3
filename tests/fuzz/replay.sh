#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays every fuzz target's seed corpus (tests/fuzz/corpus/<target>/) once:
# a regression test that runs with any compiler, in make check.
. "$top_srcdir/tests/lib/tap.sh"

tap_plan_lazy
[ -n "$FUZZ_TARGETS" ] || tap_skip_all "no fuzz targets yet"
for t in $FUZZ_TARGETS; do
        name=$(basename "$t")
        corpus="$top_srcdir/tests/fuzz/corpus/$name"
        if [ ! -d "$corpus" ]; then
                not_ok "$name: seed corpus $corpus is missing"
                continue
        fi
        tap_check "$name replays its seed corpus ($(ls "$corpus" | wc -l) inputs)" \
                "$top_builddir/$t" -runs=0 "$corpus"
done
tap_done
