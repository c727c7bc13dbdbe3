# tests/gui/lib.sh - a desktop session for the GUI tests, on top of
# tests/daemon/lib.sh (private system bus, polkitd, test users, tsunagud).
# SPDX-License-Identifier: GPL-2.0-or-later
#
# gui_session_start USER starts, all owned by the test and stopped by
# gui_session_stop (called from the cleanup trap):
#   - Xvfb on a free display (-displayfd), with an X cookie USER can read;
#   - a session dbus-daemon run as USER, with its HOME and XDG_RUNTIME_DIR
#     under $TSUD_DIR;
#   - the accessibility bus (at-spi-bus-launcher, which starts
#     at-spi2-registryd) as USER;
#   - gnome-keyring-daemon (secrets component) as USER, its login keyring
#     created and unlocked with a test password.
# gui_as CMD... runs CMD as USER in that session; gui_env prints the
# variables (for a driver that runs as root: X, the accessibility bus).
#
# Screenshots go to $GUI_OUT ($top_builddir/tests/gui/out by default).

GUI_GTK="$top_builddir/gui/tsunagu-gtk"
GUI_TRAY="$top_builddir/tray/tsunagu-tray"
GUI_OUT=${GUI_OUT:-$top_builddir/tests/gui/out}

gui_require() {
        for prog in Xvfb xauth mcookie dbus-daemon import secret-tool; do
                command -v "$prog" >/dev/null 2>&1 || tap_skip_all "$prog not installed (see packaging/deps/debian.txt)"
        done
        [ -x /usr/libexec/at-spi-bus-launcher ] || tap_skip_all "at-spi2-core not installed"
        command -v gnome-keyring-daemon >/dev/null 2>&1 || tap_skip_all "gnome-keyring not installed"
        $PY -c 'import gi; gi.require_version("Atspi", "2.0"); from gi.repository import Atspi' \
                2>/dev/null || tap_skip_all "python3-gi / gir1.2-atspi-2.0 not installed"
}

gui_session_stop() {
        set +e
        for pid in ${GUI_PIDS:-}; do kill "$pid" 2>/dev/null; done
        [ -n "${GUI_USER:-}" ] && pkill -u "$GUI_USER" 2>/dev/null
        sleep 0.3
        for pid in ${GUI_PIDS:-}; do kill -KILL "$pid" 2>/dev/null; done
        [ -n "${GUI_USER:-}" ] && pkill -KILL -u "$GUI_USER" 2>/dev/null
        GUI_PIDS=
        [ -n "${GUI_XVFB_PID:-}" ] && { kill "$GUI_XVFB_PID" 2>/dev/null; wait "$GUI_XVFB_PID" 2>/dev/null; }
        GUI_XVFB_PID=
}

# gui_session_start USER [WIDTHxHEIGHT]
gui_session_start() {
        local user=$1 size=${2:-1800x1200} i
        GUI_USER=$user
        GUI_DIR="$TSUD_DIR/gui"
        GUI_HOME="$GUI_DIR/home"
        GUI_RUNTIME="$GUI_DIR/run"
        mkdir -p "$GUI_HOME" "$GUI_RUNTIME" "$GUI_OUT"
        chmod 755 "$GUI_DIR"
        chmod 700 "$GUI_HOME" "$GUI_RUNTIME"
        chown "$user" "$GUI_HOME" "$GUI_RUNTIME"

        # X: a cookie only the test and USER can read.
        export XAUTHORITY="$GUI_DIR/Xauthority"
        : >"$XAUTHORITY"
        chmod 640 "$XAUTHORITY"
        chgrp "$(id -gn "$user")" "$XAUTHORITY"
        Xvfb -displayfd 3 -screen 0 "${size}x24" -nolisten tcp -auth "$XAUTHORITY" +extension XTEST \
                3>"$GUI_DIR/display" >"$GUI_DIR/xvfb.log" 2>&1 &
        GUI_XVFB_PID=$!
        for i in $(seq 100); do [ -s "$GUI_DIR/display" ] && break; sleep 0.1; done
        [ -s "$GUI_DIR/display" ] || { diag "Xvfb did not start:" "$(cat "$GUI_DIR/xvfb.log")"; return 1; }
        export DISPLAY=":$(head -n 1 "$GUI_DIR/display")"
        xauth -f "$XAUTHORITY" add "$DISPLAY" . "$(mcookie)" 2>/dev/null
        chmod 640 "$XAUTHORITY"
        chgrp "$(id -gn "$user")" "$XAUTHORITY"

        # The session bus, as USER.
        export DBUS_SESSION_BUS_ADDRESS="unix:path=$GUI_RUNTIME/bus"
        gui_as dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS" \
                >"$GUI_DIR/session-bus.log" 2>&1 &
        GUI_PIDS="$GUI_PIDS $!"
        for i in $(seq 50); do [ -S "$GUI_RUNTIME/bus" ] && break; sleep 0.1; done
        [ -S "$GUI_RUNTIME/bus" ] || { diag "the session bus did not start"; return 1; }

        # Accessibility: the bus launcher publishes the a11y bus on the X root
        # window (AT_SPI_BUS) and on the session bus (org.a11y.Bus).
        gui_as /usr/libexec/at-spi-bus-launcher --launch-immediately >"$GUI_DIR/at-spi.log" 2>&1 &
        GUI_PIDS="$GUI_PIDS $!"
        for i in $(seq 100); do
                AT_SPI_BUS_ADDRESS=$(gui_as gdbus call --session --dest org.a11y.Bus \
                        --object-path /org/a11y/bus --method org.a11y.Bus.GetAddress 2>/dev/null |
                        sed -n "s/^('\(.*\)',)$/\1/p")
                [ -n "$AT_SPI_BUS_ADDRESS" ] && break
                sleep 0.1
        done
        [ -n "$AT_SPI_BUS_ADDRESS" ] || { diag "the accessibility bus did not start:" "$(cat "$GUI_DIR/at-spi.log")"; return 1; }
        export AT_SPI_BUS_ADDRESS

        # The keyring: a login keyring created and unlocked with a password.
        printf 'gui-test-keyring' | gui_as gnome-keyring-daemon --foreground --unlock \
                --components=secrets >"$GUI_DIR/keyring.log" 2>&1 &
        GUI_PIDS="$GUI_PIDS $!"
        # (gdbus wait, not a call: a call would start another, locked, keyring
        # through D-Bus activation.)
        gui_as gdbus wait --session --timeout 10 org.freedesktop.secrets
        for i in $(seq 50); do
                gui_as gdbus call --session --dest org.freedesktop.secrets \
                        --object-path /org/freedesktop/secrets \
                        --method org.freedesktop.Secret.Service.ReadAlias default 2>/dev/null |
                        grep -q "collection/login" && break
                sleep 0.1
        done
        gui_as gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
                --method org.freedesktop.Secret.Service.ReadAlias default 2>/dev/null | grep -q collection/login ||
                { diag "gnome-keyring has no default collection:" "$(cat "$GUI_DIR/keyring.log")"; return 1; }
        return 0
}

# The environment of a program in the session (as USER).
gui_as() {
        runuser -u "$GUI_USER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$GUI_HOME" \
                USER="$GUI_USER" LOGNAME="$GUI_USER" XDG_RUNTIME_DIR="$GUI_RUNTIME" \
                DISPLAY="${DISPLAY:-}" XAUTHORITY="${XAUTHORITY:-}" \
                DBUS_SESSION_BUS_ADDRESS="${DBUS_SESSION_BUS_ADDRESS:-}" \
                DBUS_SYSTEM_BUS_ADDRESS="${DBUS_SYSTEM_BUS_ADDRESS:-}" \
                XDG_DATA_DIRS="${GUI_XDG_DATA_DIRS:-/usr/local/share:/usr/share}" \
                GSETTINGS_BACKEND=memory PYTHONDONTWRITEBYTECODE=1 \
                LANG="${GUI_LANG:-C.UTF-8}" LANGUAGE="${GUI_LANGUAGE:-}" \
                TSUNAGU_LOCALEDIR="$top_builddir/po" GDK_SCALE="${GUI_SCALE:-1}" \
                ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
                UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" G_DEBUG="${GUI_G_DEBUG:-}" \
                TSUNAGU_GTK="$GUI_GTK" TSUNAGU_ICON_THEME_PATH="$top_srcdir/packaging/icons" \
                "$@"
}

# gui_start NAME CMD...: starts a program of the session in the background
# (its output in $GUI_DIR/NAME.log), remembering its pid for the cleanup.
gui_start() {
        local name=$1
        shift
        gui_as "$@" >"$GUI_DIR/$name.log" 2>&1 &
        GUI_PIDS="$GUI_PIDS $!"
        eval "GUI_PID_$name=$!"
}

# gui_shot NAME: a screenshot of the whole screen.
gui_shot() {
        import -window root "$GUI_OUT/$1.png" 2>/dev/null
}

# gui_lab_up TAG: everything a GUI test needs: tsud_setup, the lab (own
# prefix), tsunagud with the real engine in the lab's client namespace, the
# profile "Lab split" (EAP-MSCHAPv2, split tunnel) in $GUI_FILES/lab.tsunagu
# (UUID $GUI_UUID) and a broken one, and the desktop session of user A.
# Sets the cleanup trap; tap_plan_lazy. Returns non-zero (after not_ok)
# when something did not come up.
gui_lab_up() {
        TSUD_ENGINE="$top_builddir/client/tsunagu-engine"
        [ -x "$TSUD_ENGINE" ] || tap_skip_all "tsunagu-engine is not built"
        command -v charon-systemd >/dev/null 2>&1 || [ -x /usr/lib/ipsec/charon ] ||
                tap_skip_all "strongSwan is not installed (the lab's gateway)"
        tsud_setup "$1"
        tap_plan_lazy
        LAB_PREFIX="t$1$(printf '%s' "$$" | md5sum | cut -c1-4)-"
        export LAB_PREFIX
        GUI_LAB="$top_srcdir/tests/lab/lab"
        trap gui_cleanup EXIT
        # (dash runs the EXIT trap on a signal only when the signal is trapped.)
        trap 'exit 1' HUP INT TERM
        "$GUI_LAB" up >"$TSUD_DIR/lab-up.log" 2>&1 ||
                { not_ok "lab up"; diag "$(tail -n 20 "$TSUD_DIR/lab-up.log")"; return 1; }
        eval "$("$GUI_LAB" env)"
        ip netns del "$TSUD_NS"
        TSUD_NS=$LAB_NS_CLIENT
        ok "the lab is up ($LAB_PREFIX)"

        GUI_FILES="$TSUD_DIR/files"
        mkdir -p "$GUI_FILES"
        GUI_UUID=$(cat /proc/sys/kernel/random/uuid)
        LAB_PROFILE_UUID=$GUI_UUID lab_profile EAP_SPLIT "Lab split" split >"$GUI_FILES/lab.tsunagu"
        printf '[profile]\nversion = 1\nname = Broken\n\n[gateway]\nport = 99999\n' \
                >"$GUI_FILES/broken.tsunagu"
        chmod 755 "$GUI_FILES"
        chmod 644 "$GUI_FILES"/*
        GUI_NETSTATE_BEFORE=$(tsud_netstate)

        tsud_start || { not_ok "tsunagud starts in the client namespace"; return 1; }
        gui_session_start "$TSUD_A" ||
                { not_ok "the desktop session starts (Xvfb, buses, at-spi, keyring)"; return 1; }
        ok "the desktop session is up on $DISPLAY (Xvfb, session bus, at-spi, keyring)"
        GUI_SHOTS="$GUI_DIR/shots"
        mkdir -p "$GUI_SHOTS"
        chown "$TSUD_A" "$GUI_SHOTS"
}

gui_cleanup() {
        # A second signal (a killed process group, an impatient ^C) must not
        # cut the cleanup short; what it runs inherits the ignored signals.
        trap '' HUP INT TERM
        [ -n "${GUI_ROOT_HELPER_PID:-}" ] && kill "$GUI_ROOT_HELPER_PID" 2>/dev/null
        # The screenshots (taken as the test user) are the test's artifacts.
        [ -n "${GUI_SHOTS:-}" ] && cp "$GUI_SHOTS"/*.png "$GUI_OUT"/ 2>/dev/null
        gui_session_stop
        tsud_stop
        [ -n "${GUI_LAB:-}" ] && "$GUI_LAB" down >/dev/null 2>&1
        TSUD_NS=
        tsud_cleanup
}

# gui_replay FILE: a driver's "ok - " / "not ok - " lines become our TAP.
gui_replay() {
        while IFS= read -r line; do
                case "$line" in
                "ok - "*) ok "${line#ok - }" ;;
                "not ok - "*) not_ok "${line#not ok - }" ;;
                "#"*) echo "$line" ;;
                esac
        done <"$1"
}
