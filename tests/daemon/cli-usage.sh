#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The D-Bus subcommands of tsunagu without a helper: usage errors exit 2,
# a missing file or an unreachable helper exit 1 with a message, help lists
# every subcommand, connect refuses contradictory options.
. "$top_srcdir/tests/lib/tap.sh"

tsunagu="$top_builddir/client/tsunagu"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-cli-usage.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# No system bus here: nothing listens on this socket.
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/nobody"
export DBUS_SYSTEM_BUS_ADDRESS
tap_plan_lazy

expect_exit() {
        want=$1 desc=$2
        shift 2
        "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
        rc=$?
        if [ "$rc" -eq "$want" ]; then ok "$desc"; else
                not_ok "$desc (exit $rc, wanted $want)"; diag "$(cat "$tmp/out" "$tmp/err")"; fi
}

expect_exit 0 "help" "$tsunagu" help
for c in import list show connect disconnect status remove export logs check version; do
        grep -q "^  $c " "$tmp/out" && ok "help lists $c" || not_ok "help lists $c"
done
expect_exit 2 "import without a file" "$tsunagu" import
expect_exit 2 "import with two files" "$tsunagu" import a b
expect_exit 1 "import of a missing file" "$tsunagu" import "$tmp/none.tsunagu"
grep -q "none.tsunagu: No such file" "$tmp/err" && ok "... names the file" || not_ok "... names the file"
expect_exit 2 "show without a name" "$tsunagu" show
expect_exit 2 "connect without a name" "$tsunagu" connect
expect_exit 2 "connect --ask --no-ask" "$tsunagu" connect --ask --no-ask x
expect_exit 2 "connect --password-stdin --ask" "$tsunagu" connect --password-stdin --ask x
expect_exit 2 "connect --timeout=0" "$tsunagu" connect --timeout=0 x
expect_exit 2 "export --format pdf" "$tsunagu" export --format pdf x
expect_exit 2 "an unknown option" "$tsunagu" list --frobnicate
expect_exit 2 "remove with an option for a name" "$tsunagu" remove -x
expect_exit 2 "disconnect with two names" "$tsunagu" disconnect a b
expect_exit 2 "an unknown command" "$tsunagu" frobnicate
for c in list status "show x" "export x" "remove x" "disconnect" "logs x"; do
        # shellcheck disable=SC2086
        expect_exit 1 "$c without a helper: exit 1" "$tsunagu" $c
        grep -q "system bus\|tsunagud" "$tmp/err" && ok "... says the helper cannot be reached" ||
                { not_ok "... says the helper cannot be reached"; diag "$(cat "$tmp/err")"; }
done
for c in import list show connect disconnect status remove export logs; do
        expect_exit 0 "$c --help" "$tsunagu" $c --help
done
tap_done
