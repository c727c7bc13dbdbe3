#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tsunagu-gtk under Xvfb, driven through AT-SPI (dogtail, tests/gui/window.py)
# as an unprivileged test user, against tsunagud (real engine) and the lab's
# strongSwan gateway: import by file chooser, connect, password dialog,
# status with the virtual IP, ping through the tunnel, log, settings,
# disconnect, a wrong password and the helper's reason, remember in the
# keyring, reconnect without a prompt, export, an import error, then the
# window in Japanese at 200 % and remove. Screenshots of each step go to
# $GUI_OUT (tests/gui/out in the build tree).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"
. "$top_srcdir/tests/gui/lib.sh"

tap_require_lab
tsud_require
gui_require
[ -x "$GUI_GTK" ] || tap_skip_all "tsunagu-gtk is not built (configure found no GTK 3)"
$PY -c 'import dogtail' 2>/dev/null || tap_skip_all "python3-dogtail not installed"
gui_lab_up gw || { tap_done; exit 1; }
files=$GUI_FILES
uuid=$GUI_UUID
before=$GUI_NETSTATE_BEFORE

# The driver runs as the test user (AT-SPI talks only to its own user's
# applications); what needs root (a ping in the lab's client namespace) it
# asks for through files in $req.
req="$GUI_DIR/req"
mkdir -p "$req"
chown "$TSUD_A" "$req"
(
        while :; do
                if [ -e "$req/req-ping" ]; then
                        rm -f "$req/req-ping"
                        ip netns exec "$LAB_NS_CLIENT" ping -c 3 -W 2 "$LAB_LAN_IP" >"$req/ping.out" 2>&1
                        echo $? >"$req/ping.rc"
                fi
                sleep 0.2
        done
) &
GUI_ROOT_HELPER_PID=$!

# drive NAME: runs window.py NAME as the test user; its TAP lines become ours.
drive() {
        gui_as env GUI_OUT="$GUI_SHOTS" GUI_REQ_DIR="$req" TSUNAGU="$TSUNAGU" \
                PROFILE_NAME="Lab split" PROFILE_GATEWAY="$LAB_GW_NAME" \
                PROFILE_PASSWORD="$LAB_EAP_PASSWORD" PROFILE_UUID="$uuid" \
                PROFILE_FILE="$files/lab.tsunagu" BROKEN_FILE="$files/broken.tsunagu" \
                EXPORT_FILE="$GUI_HOME/exported.tsunagu" \
                timeout 200 "$PY" "$top_srcdir/tests/gui/window.py" "$1" \
                >"$GUI_DIR/drive-$1.tap" 2>"$GUI_DIR/drive-$1.err"
        rc=$?
        gui_replay "$GUI_DIR/drive-$1.tap"
        [ "$rc" = 0 ] || diag "window.py $1 exited $rc:" "$(tail -n 15 "$GUI_DIR/drive-$1.err")"
}

# wait_gone PID: the program ended (at most 10 s).
wait_gone() {
        for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
        return 1
}

rm -f "$GUI_OUT"/*.png
gui_start gtk "$GUI_GTK"
drive main
gui_as gdbus call --session --dest org.tsunagu.Gtk --object-path /org/tsunagu/Gtk \
        --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null 2>&1
wait_gone "$GUI_PID_gtk" && ok "Quit ends tsunagu-gtk" || not_ok "Quit ends tsunagu-gtk"

GUI_LANGUAGE=ja GUI_SCALE=2 gui_start gtkja "$GUI_GTK"
GUI_LANGUAGE=ja drive japanese

now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left in the client namespace" || { not_ok "nothing left"; diag "$now"; }
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
# GTK's file chooser says "gtk_widget_event: assertion
# 'WIDGET_REALIZED_FOR_EVENT (widget, event)' failed" when the synthetic
# Ctrl+L (XTest, without a window manager) reaches it: not ours, left out.
cat "$GUI_DIR/gtk.log" "$GUI_DIR/gtkja.log" | grep -v "gtk_widget_event: assertion 'WIDGET_REALIZED_FOR_EVENT" >"$GUI_DIR/all-gtk.log"
expect_no_grep "ERROR: AddressSanitizer\|runtime error:\|CRITICAL" "$GUI_DIR/all-gtk.log" \
        "no sanitizer report or GLib critical from tsunagu-gtk"
expect_no_grep "$LAB_EAP_PASSWORD" "$GUI_DIR/all-gtk.log" "no password in tsunagu-gtk's output"
diag "screenshots: $GUI_OUT"
tap_done
