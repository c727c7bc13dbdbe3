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
TSUD_ENGINE="$top_builddir/client/tsunagu-engine"
[ -x "$TSUD_ENGINE" ] || tap_skip_all "tsunagu-engine is not built"
command -v charon-systemd >/dev/null 2>&1 || [ -x /usr/lib/ipsec/charon ] ||
        tap_skip_all "strongSwan is not installed (the lab's gateway)"

tsud_setup gui
tap_plan_lazy
LAB_PREFIX="tgw$(printf '%s' "$$" | md5sum | cut -c1-4)-"
export LAB_PREFIX
lab="$top_srcdir/tests/lab/lab"
ROOT_HELPER_PID=
cleanup() {
        [ -n "$ROOT_HELPER_PID" ] && kill "$ROOT_HELPER_PID" 2>/dev/null
        # The screenshots (taken as the test user) are the test's artifacts.
        [ -n "${GUI_DIR:-}" ] && cp "$GUI_DIR"/shots/*.png "$GUI_OUT"/ 2>/dev/null
        gui_session_stop
        tsud_stop
        "$lab" down >/dev/null 2>&1
        TSUD_NS=
        tsud_cleanup
}
trap cleanup EXIT
"$lab" up >"$TSUD_DIR/lab-up.log" 2>&1 || { not_ok "lab up"; diag "$(tail -n 20 "$TSUD_DIR/lab-up.log")"; tap_done; exit 1; }
eval "$("$lab" env)"
ip netns del "$TSUD_NS"
TSUD_NS=$LAB_NS_CLIENT
ok "the lab is up ($LAB_PREFIX)"

files="$TSUD_DIR/files"
mkdir -p "$files"
uuid=$(cat /proc/sys/kernel/random/uuid)
ca=$(awk '{printf "%s\\n", $0}' "$LAB_CA_CERT")
cat >"$files/lab.tsunagu" <<EOT
[profile]
version = 1
name = Lab split
uuid = $uuid

[gateway]
host = $LAB_GW_NAME
remote-id = $LAB_GW_ID

[ca]
certificates = $ca

[auth]
method = eap-mschapv2
local-id = $LAB_SC_EAP_SPLIT_ID
eap-id = $LAB_SC_EAP_SPLIT_EAP_ID

[tunnel]
mode = split
EOT
printf '[profile]\nversion = 1\nname = Broken\n\n[gateway]\nport = 99999\n' >"$files/broken.tsunagu"
chmod 755 "$files"
chmod 644 "$files"/*
before=$(tsud_netstate)

tsud_start || { not_ok "tsunagud starts in the client namespace"; tap_done; exit 1; }
gui_session_start "$TSUD_A" || { not_ok "the desktop session starts (Xvfb, buses, at-spi, keyring)"; tap_done; exit 1; }
ok "the desktop session is up on $DISPLAY (Xvfb, session bus, at-spi, keyring)"

# The driver runs as the test user (AT-SPI talks only to its own user's
# applications); what needs root (a ping in the lab's client namespace) it
# asks for through files in $req.
req="$GUI_DIR/req"
mkdir -p "$req" "$GUI_DIR/shots"
chown "$TSUD_A" "$req" "$GUI_DIR/shots"
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
ROOT_HELPER_PID=$!

# drive NAME: runs window.py NAME as the test user; its TAP lines become ours.
drive() {
        gui_as env GUI_OUT="$GUI_DIR/shots" GUI_REQ_DIR="$req" TSUNAGU="$TSUNAGU" \
                PROFILE_NAME="Lab split" PROFILE_GATEWAY="$LAB_GW_NAME" \
                PROFILE_PASSWORD="$LAB_EAP_PASSWORD" PROFILE_UUID="$uuid" \
                PROFILE_FILE="$files/lab.tsunagu" BROKEN_FILE="$files/broken.tsunagu" \
                EXPORT_FILE="$GUI_HOME/exported.tsunagu" \
                timeout 200 "$PY" "$top_srcdir/tests/gui/window.py" "$1" \
                >"$GUI_DIR/drive-$1.tap" 2>"$GUI_DIR/drive-$1.err"
        rc=$?
        while IFS= read -r line; do
                case "$line" in
                "ok - "*) ok "${line#ok - }" ;;
                "not ok - "*) not_ok "${line#not ok - }" ;;
                "#"*) echo "$line" ;;
                esac
        done <"$GUI_DIR/drive-$1.tap"
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
