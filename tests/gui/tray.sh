#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tsunagu-tray on the test user's session bus, with a StatusNotifierWatcher
# and a notification server of the test's own (tests/gui/tray.py), against
# tsunagud (real engine) and the lab's strongSwan gateway: the item
# registers, its Status/IconName follow the connection, its dbusmenu lists
# the profile and connects/disconnects it, notifications, a remembered
# password used without a prompt, a wrong one forgotten and asked again,
# "Open tsunagu", "Quit".
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"
. "$top_srcdir/tests/gui/lib.sh"

tap_require_lab
tsud_require
gui_require
[ -x "$GUI_TRAY" ] || tap_skip_all "tsunagu-tray is not built (configure found no ayatana-appindicator3)"
[ -x "$GUI_GTK" ] || tap_skip_all "tsunagu-gtk is not built"
$PY -c 'import dogtail' 2>/dev/null || tap_skip_all "python3-dogtail not installed"
gui_lab_up gt || { tap_done; exit 1; }

expect_exit 0 "the profile is imported with the CLI" \
        gui_as "$TSUNAGU" import "$GUI_FILES/lab.tsunagu"
gui_as env GUI_OUT="$GUI_SHOTS" PROFILE_NAME="Lab split" PROFILE_UUID="$GUI_UUID" \
        PROFILE_PASSWORD="$LAB_EAP_PASSWORD" TSUNAGU_TRAY="$GUI_TRAY" \
        TRAY_LOG="$GUI_HOME/tray.log" \
        timeout 200 "$PY" "$top_srcdir/tests/gui/tray.py" >"$GUI_DIR/tray.tap" 2>"$GUI_DIR/tray.err"
rc=$?
gui_replay "$GUI_DIR/tray.tap"
[ "$rc" = 0 ] || diag "tray.py exited $rc:" "$(tail -n 15 "$GUI_DIR/tray.err")"

now=$(tsud_netstate)
[ "$now" = "$GUI_NETSTATE_BEFORE" ] && ok "nothing left in the client namespace" ||
        { not_ok "nothing left"; diag "$now"; }
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|runtime error:\|CRITICAL" "$GUI_HOME/tray.log" \
        "no sanitizer report or GLib critical from tsunagu-tray"
expect_no_grep "$LAB_EAP_PASSWORD" "$GUI_HOME/tray.log" "no password in tsunagu-tray's output"
tap_done
