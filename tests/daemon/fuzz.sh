#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A D-Bus fuzz loop against tsunagud: random method calls with random
# GVariant arguments (tests/daemon/dbus-fuzz.py, python3-gi), as a user and
# as root, bounded in time. The helper must answer every call, stay up, exit
# cleanly on SIGTERM, leave nothing behind and (under ASan/UBSan, as
# tests/run builds it) report nothing.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"

tap_require_lab
tsud_require
$PY -c 'from gi.repository import Gio' 2>/dev/null || tap_skip_all "python3-gi not installed"
tsud_setup fuzz
tap_plan_lazy
seconds=${TSUD_FUZZ_SECONDS:-20}
seed=${TSUD_FUZZ_SEED:-$(date +%s)}
diag "seed $seed, $seconds s per caller (TSUD_FUZZ_SEED, TSUD_FUZZ_SECONDS)"

for f in eap-mschapv2-split eap-md5-full; do
        sed -e "s/^host = .*/host = 203.0.113.2/" "$top_srcdir/packaging/examples/$f.tsunagu" \
                >"$TSUD_DIR/$f.tsunagu"
        chmod 644 "$TSUD_DIR/$f.tsunagu"
done
cp "$TSUD_DIR/eap-md5-full.tsunagu" "$TSUD_DIR/sys/"
before=$(tsud_netstate)
tsud_start || { not_ok "tsunagud starts"; tap_done; exit 1; }
as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/eap-mschapv2-split.tsunagu" >/dev/null
"$TSUNAGU" import "$TSUD_DIR/eap-mschapv2-split.tsunagu" >/dev/null

api="$top_srcdir/client/dbus/org.tsunagu.Vpn1.xml"
fuzz() { # DESCRIPTION CMD...
        local desc=$1
        shift
        if "$@" >"$TSUD_DIR/fuzz.out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi
        diag "$(tail -n 5 "$TSUD_DIR/fuzz.out")"
}
fuzz "user A: random calls for $seconds s, every one answered" \
        as "$TSUD_A" "$PY" "$top_srcdir/tests/daemon/dbus-fuzz.py" "$seconds" "$seed" "$api"
fuzz "root: random calls for $seconds s, every one answered" \
        "$PY" "$top_srcdir/tests/daemon/dbus-fuzz.py" "$seconds" "$((seed + 1))" "$api"
tap_check "the helper still answers" gdbus call --system -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 \
        -m org.tsunagu.Vpn1.Manager.ListProfiles
tsud_stop
[ "$TSUD_RC" = 0 ] && ok "SIGTERM: exit 0" || { not_ok "SIGTERM: exit 0 (rc $TSUD_RC)"; diag "$(tail -n 40 "$TSUD_LOG")"; }
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left behind" || { not_ok "nothing left behind"; diag "$now"; }
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
tap_done
