#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The desktop integration files we install, as built (translated from po/):
# desktop-file-validate on the window's desktop file and the tray's
# autostart file, appstream-util validate-relax on the AppStream metainfo,
# and that they point at each other, at our programs and at our icon, with
# the Japanese translation merged in. Skips what configure did not build.
. "$top_srcdir/tests/lib/tap.sh"

gtk_built=0 tray_built=0
[ -x "$top_builddir/gui/tsunagu-gtk" ] && gtk_built=1
[ -x "$top_builddir/tray/tsunagu-tray" ] && tray_built=1
[ "$gtk_built$tray_built" = 00 ] && tap_skip_all "neither tsunagu-gtk nor tsunagu-tray was built"
command -v desktop-file-validate >/dev/null 2>&1 ||
        tap_skip_all "desktop-file-validate not installed (desktop-file-utils)"
command -v appstream-util >/dev/null 2>&1 || tap_skip_all "appstream-util not installed"
tap_plan_lazy

desktop="$top_builddir/gui/org.tsunagu.Gtk.desktop"
metainfo="$top_builddir/gui/org.tsunagu.Gtk.metainfo.xml"
autostart="$top_builddir/tray/org.tsunagu.Tray.desktop"
icon="$top_srcdir/packaging/icons/hicolor/scalable/apps/org.tsunagu.Gtk.svg"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# validate NAME CMD...: CMD exits 0 and says nothing worse than a hint.
validate() {
        local name=$1
        shift
        if "$@" >"$out" 2>&1 && ! grep -qi "error" "$out"; then
                ok "$name"
        else
                not_ok "$name"
                diag "$(cat "$out")"
        fi
}

# key FILE KEY: the value of KEY in the [Desktop Entry] group of FILE.
key() {
        sed -n "/^\[Desktop Entry\]/,/^\[/s/^$2=//p" "$1" | head -n 1
}

if [ "$gtk_built" = 1 ]; then
        validate "desktop-file-validate org.tsunagu.Gtk.desktop" desktop-file-validate "$desktop"
        validate "appstream-util validate-relax org.tsunagu.Gtk.metainfo.xml" \
                appstream-util validate-relax --nonet "$metainfo"
        [ "$(key "$desktop" Exec)" = "tsunagu-gtk %F" ] && ok "the desktop file starts tsunagu-gtk" ||
                not_ok "the desktop file starts tsunagu-gtk: $(key "$desktop" Exec)"
        [ -f "$top_srcdir/packaging/icons/hicolor/scalable/apps/$(key "$desktop" Icon).svg" ] &&
                [ -f "$icon" ] && ok "its icon is the one we ship" ||
                not_ok "its icon is the one we ship: $(key "$desktop" Icon)"
        grep -q "<launchable type=\"desktop-id\">$(basename "$desktop")</launchable>" "$metainfo" &&
                ok "the metainfo launches the desktop file" || not_ok "the metainfo launches the desktop file"
        grep -q "<id>$(basename "$desktop" .desktop)</id>" "$metainfo" &&
                ok "the metainfo's id is the application id" || not_ok "the metainfo's id is the application id"
        [ -n "$(key "$desktop" 'Name\[ja\]')" ] && [ -n "$(key "$desktop" 'Comment\[ja\]')" ] &&
                ok "the desktop file is translated to Japanese" ||
                not_ok "the desktop file is translated to Japanese"
        grep -q '<summary xml:lang="ja">' "$metainfo" && ok "the metainfo is translated to Japanese" ||
                not_ok "the metainfo is translated to Japanese"
else
        skip "tsunagu-gtk was not built: no desktop file or metainfo"
fi

if [ "$tray_built" = 1 ]; then
        validate "desktop-file-validate org.tsunagu.Tray.desktop (autostart)" \
                desktop-file-validate "$autostart"
        [ "$(key "$autostart" Exec)" = tsunagu-tray ] && ok "the autostart file starts tsunagu-tray" ||
                not_ok "the autostart file starts tsunagu-tray: $(key "$autostart" Exec)"
        [ "$(key "$autostart" NoDisplay)" = true ] && ok "... and is not listed as an application" ||
                not_ok "... and is not listed as an application"
        [ -n "$(key "$autostart" 'Name\[ja\]')" ] && ok "the autostart file is translated to Japanese" ||
                not_ok "the autostart file is translated to Japanese"
else
        skip "tsunagu-tray was not built: no autostart file"
fi
tap_done
