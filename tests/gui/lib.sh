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
        for i in $(seq 100); do
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
                GSETTINGS_BACKEND=memory \
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
