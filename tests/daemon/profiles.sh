#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tsunagud on a private system bus with polkitd and three users: import,
# list, show, export, remove through the CLI; per-user visibility (also
# through raw D-Bus: objects, properties, GetManagedObjects); polkit
# refusals; unknown and ill-typed arguments refused by name; no secret in
# any output or log.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"

tap_require_lab
tsud_require
tsud_setup profiles
tap_plan_lazy

secret="S3cret-$$-pw"
sed -e "s/^host = .*/host = 203.0.113.2/" \
        -e "s/^# eap-password = .*//" \
        "$top_srcdir/packaging/examples/eap-mschapv2-split.tsunagu" >"$TSUD_DIR/a.tsunagu"
# Put a stored password into the [auth] group.
sed -i "/^\[auth\]/a eap-password = $secret" "$TSUD_DIR/a.tsunagu"
name=$(sed -n 's/^name = //p' "$TSUD_DIR/a.tsunagu")
uuid=$(sed -n 's/^uuid = //p' "$TSUD_DIR/a.tsunagu")
cp "$top_srcdir/packaging/examples/eap-md5-full.tsunagu" "$TSUD_DIR/sys/corp.tsunagu"
printf '[profile]\nname = broken\n[gateway]\nport = 70000\n' >"$TSUD_DIR/bad.tsunagu"
chmod 644 "$TSUD_DIR"/*.tsunagu

tsud_start && ok "tsunagud owns org.tsunagu.Vpn1" || { not_ok "tsunagud starts"; tap_done; exit 1; }

# ------------------------------------------------------------ a build without polkit
if ! gdbus call --system -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 \
        -m org.freedesktop.DBus.Properties.Get org.tsunagu.Vpn1.Manager Features | grep -q "'polkit'"; then
        diag "tsunagud was built without polkit: only root may change anything"
        expect_exit 6 "without polkit, A may not import" as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/a.tsunagu"
        expect_grep "built without polkit" "$TSUD_DIR/err" "... and is told why"
        expect_exit 6 "without polkit, A may not connect a system profile" \
                as "$TSUD_A" "$TSUNAGU" connect --no-ask "Lab VPN (EAP-MD5, full tunnel)"
        expect_exit 0 "A may still list (reading needs no authorisation)" as "$TSUD_A" "$TSUNAGU" list
        expect_exit 0 "without polkit, root imports" "$TSUNAGU" import "$TSUD_DIR/a.tsunagu"
        expect_exit 0 "A does not see root's profile" as "$TSUD_A" "$TSUNAGU" list
        expect_no_grep "$name" "$TSUD_DIR/out" "... (per-uid visibility does not need polkit)"
        expect_exit 0 "without polkit, root removes" "$TSUNAGU" remove "$uuid"
        tsud_stop
        [ "$TSUD_RC" = 0 ] && ok "tsunagud exits 0 on SIGTERM" || not_ok "tsunagud exits 0 on SIGTERM (rc $TSUD_RC)"
        tap_done
        exit
fi

# ------------------------------------------------------------ import, list, show, export
expect_exit 0 "A imports a profile with its password (--keep-secrets)" \
        as "$TSUD_A" "$TSUNAGU" import --keep-secrets "$TSUD_DIR/a.tsunagu"
expect_grep "$uuid" "$TSUD_DIR/out" "import prints the UUID"
uid_a=$(id -u "$TSUD_A")
if [ -f "$TSUD_DIR/users/$uid_a/$uuid.tsunagu" ] &&
   [ "$(stat -c %a "$TSUD_DIR/users/$uid_a/$uuid.tsunagu")" = 600 ]; then
        ok "stored as users/UID/UUID.tsunagu, mode 0600"
else
        not_ok "stored as users/UID/UUID.tsunagu, mode 0600"; diag "$(ls -lR "$TSUD_DIR/users")"
fi

expect_exit 0 "A lists" as "$TSUD_A" "$TSUNAGU" list
expect_grep "$name" "$TSUD_DIR/out" "A's list has A's profile"
expect_grep "Lab VPN" "$TSUD_DIR/out" "A's list has the system profile"
expect_exit 0 "A lists as JSON" as "$TSUD_A" "$TSUNAGU" list --json
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["profiles"]) == 2' "$TSUD_DIR/out"; then
        ok "list --json is JSON with two profiles"
else
        not_ok "list --json is JSON with two profiles"; diag "$(cat "$TSUD_DIR/out")"
fi
expect_exit 0 "A shows it by name" as "$TSUD_A" "$TSUNAGU" show "$name"
expect_grep "secrets:      stored" "$TSUD_DIR/out" "show says a secret is stored"
cp "$TSUD_DIR/out" "$TSUD_DIR/show.out"
expect_exit 0 "A exports it (keyfile)" as "$TSUD_A" "$TSUNAGU" export "$uuid"
cp "$TSUD_DIR/out" "$TSUD_DIR/export.out"
expect_grep "^uuid = $uuid" "$TSUD_DIR/export.out" "the export is the profile"
expect_exit 0 "A exports it (sswan)" as "$TSUD_A" "$TSUNAGU" export --format sswan "$uuid"
cp "$TSUD_DIR/out" "$TSUD_DIR/export-sswan.out"
expect_exit 2 "export --format pdf is a usage error" as "$TSUD_A" "$TSUNAGU" export --format pdf "$uuid"
as "$TSUD_A" gdbus call --system -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 \
        -m org.freedesktop.DBus.ObjectManager.GetManagedObjects >"$TSUD_DIR/gmo-a.out" 2>&1
expect_grep "$name" "$TSUD_DIR/gmo-a.out" "A's GetManagedObjects has A's profile"
for f in show.out export.out export-sswan.out gmo-a.out; do
        expect_no_grep "$secret" "$TSUD_DIR/$f" "no secret in $f"
done

expect_exit 5 "an invalid profile is refused (exit 5)" as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/bad.tsunagu"
expect_grep "bad.tsunagu: \[gateway\] port" "$TSUD_DIR/err" "the error names the file and the field"

# ------------------------------------------------------------ another user
expect_exit 0 "B lists" as "$TSUD_B" "$TSUNAGU" list
expect_no_grep "$name" "$TSUD_DIR/out" "B does not see A's profile"
for cmd in show export remove connect; do
        expect_exit 1 "B cannot $cmd A's profile by UUID" as "$TSUD_B" "$TSUNAGU" $cmd "$uuid"
done
path=/org/tsunagu/Vpn1/Profile/u${uid_a}_$(echo "$uuid" | tr - _)
expect_exit 1 "B's D-Bus Export of A's object: refused" as "$TSUD_B" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.tsunagu.Vpn1.Profile.Export keyfile
expect_grep "NotFound" "$TSUD_DIR/err" "... with NotFound"
expect_exit 1 "B's D-Bus Remove of A's object: refused" as "$TSUD_B" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.tsunagu.Vpn1.Profile.Remove
expect_exit 1 "B's Properties.GetAll on A's object: refused" as "$TSUD_B" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.freedesktop.DBus.Properties.GetAll org.tsunagu.Vpn1.Profile
expect_no_grep "$name" "$TSUD_DIR/out" "... and tells nothing"
as "$TSUD_B" gdbus call --system -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 \
        -m org.freedesktop.DBus.ObjectManager.GetManagedObjects >"$TSUD_DIR/gmo-b.out" 2>&1
expect_no_grep "$uuid" "$TSUD_DIR/gmo-b.out" "B's GetManagedObjects does not have A's profile"
expect_grep "Lab VPN" "$TSUD_DIR/gmo-b.out" "B's GetManagedObjects has the system profile"
expect_exit 0 "B imports the same file (his own copy)" as "$TSUD_B" "$TSUNAGU" import "$TSUD_DIR/a.tsunagu"
expect_exit 0 "A still sees exactly one '$name'" as "$TSUD_A" "$TSUNAGU" show "$name"

# ------------------------------------------------------------ polkit
expect_exit 6 "C (no polkit rule) may not import (exit 6)" as "$TSUD_C" "$TSUNAGU" import "$TSUD_DIR/a.tsunagu"
expect_grep "not authorised" "$TSUD_DIR/err" "... and is told so"
expect_exit 6 "A may not remove the system profile (manage-system-profiles)" \
        as "$TSUD_A" "$TSUNAGU" remove "Lab VPN (EAP-MD5, full tunnel)"
[ -f "$TSUD_DIR/sys/corp.tsunagu" ] && ok "the system profile is still there" || not_ok "the system profile is still there"
expect_exit 0 "root sees A's profile" "$TSUNAGU" show "$path"

# ------------------------------------------------------------ bad arguments
expect_exit 1 "an unknown import option is refused" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 -m org.tsunagu.Vpn1.Manager.ImportProfile \
        "[byte 0x41]" x "{'foo': <1>}"
expect_grep "InvalidArgs: unknown option 'foo'" "$TSUD_DIR/err" "... by name (InvalidArgs)"
expect_exit 1 "an ill-typed import option is refused" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 -m org.tsunagu.Vpn1.Manager.ImportProfile \
        "[byte 0x41]" x "{'keep-secrets': <'yes'>}"
expect_grep "option 'keep-secrets' must be of type b, not s" "$TSUD_DIR/err" "... saying which and why"
expect_exit 1 "an ill-typed Connect option is refused" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.tsunagu.Vpn1.Profile.Connect "{'password': <42>}"
expect_grep "option 'password' must be of type s, not i" "$TSUD_DIR/err" "... by name"
expect_exit 1 "an unknown Connect option is refused" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.tsunagu.Vpn1.Profile.Connect "{'pasword': <'x'>}"
expect_grep "unknown option 'pasword'" "$TSUD_DIR/err" "... by name"
expect_exit 1 "a wrong method signature is refused" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o /org/tsunagu/Vpn1 -m org.tsunagu.Vpn1.Manager.ImportProfile 42
expect_exit 1 "an unknown export format is refused" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.tsunagu.Vpn1.Profile.Export pdf
expect_grep "InvalidArgs: unknown format 'pdf'" "$TSUD_DIR/err" "... by name"
expect_exit 1 "properties are read-only" as "$TSUD_A" gdbus call --system \
        -d org.tsunagu.Vpn1 -o "$path" -m org.freedesktop.DBus.Properties.Set \
        org.tsunagu.Vpn1.Profile Name "<'x'>"

# ------------------------------------------------------------ remove, reload
expect_exit 0 "A removes the profile" as "$TSUD_A" "$TSUNAGU" remove "$uuid"
[ ! -e "$TSUD_DIR/users/$uid_a/$uuid.tsunagu" ] && ok "... its file is gone" || not_ok "... its file is gone"
expect_exit 1 "... and it is gone from the bus" as "$TSUD_A" "$TSUNAGU" show "$uuid"
cp "$top_srcdir/packaging/examples/cert-split.tsunagu" "$TSUD_DIR/sys/cert.tsunagu"
kill -HUP "$TSUD_PID"
sleep 1
expect_exit 0 "SIGHUP reloads the system profiles" as "$TSUD_B" "$TSUNAGU" list
expect_grep "$(sed -n 's/^name = //p' "$TSUD_DIR/sys/cert.tsunagu")" "$TSUD_DIR/out" "... the new one is listed"

tsud_stop
[ "$TSUD_RC" = 0 ] && ok "tsunagud exits 0 on SIGTERM" || not_ok "tsunagud exits 0 on SIGTERM (rc $TSUD_RC)"
expect_no_grep "$secret" "$TSUD_LOG" "no secret in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report from the helper"
tap_done
