#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/: the unit passes systemd-analyze verify (and its exposure score
# stays low), the D-Bus and polkit XML files are well-formed and say what
# the daemon checks, the D-Bus service file names the unit and the binary.
. "$top_srcdir/tests/lib/tap.sh"

tap_plan_lazy
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-packaging.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
unit="$top_builddir/packaging/tsunagud.service"
service="$top_builddir/packaging/org.tsunagu.Vpn1.service"

if command -v systemd-analyze >/dev/null 2>&1 && [ -x "$top_builddir/client/tsunagud" ]; then
        # verify wants ExecStart to exist: the built binary stands in.
        sed "s|^ExecStart=.*|ExecStart=$top_builddir/client/tsunagud|" "$unit" >"$tmp/tsunagud.service"
        tap_check "systemd-analyze verify tsunagud.service" \
                systemd-analyze verify --man=no "$tmp/tsunagud.service"
        score=$(systemd-analyze security --offline=yes "$tmp/tsunagud.service" 2>/dev/null |
                sed -n 's/.*Overall exposure level for tsunagud.service: \([0-9.]*\).*/\1/p')
        if [ -n "$score" ] && awk "BEGIN { exit !($score <= 3.5) }"; then
                ok "systemd-analyze security: exposure $score (at most 3.5)"
        else
                not_ok "systemd-analyze security: exposure '$score' (at most 3.5)"
        fi
else
        skip "systemd-analyze or tsunagud missing"
        skip "systemd-analyze or tsunagud missing"
fi
grep -q '^Type=dbus$' "$unit" && grep -q '^BusName=org.tsunagu.Vpn1$' "$unit" &&
        ok "the unit is D-Bus activated (Type=dbus, BusName)" || not_ok "the unit is D-Bus activated"
grep -q '^NoNewPrivileges=yes$' "$unit" && grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN' "$unit" &&
        ok "the unit is hardened (NoNewPrivileges, CapabilityBoundingSet)" || not_ok "the unit is hardened"
grep -q '^SystemdService=tsunagud.service$' "$service" && grep -q '^Name=org.tsunagu.Vpn1$' "$service" &&
        grep -q "^Exec=.*/tsunagud$" "$service" && ok "the D-Bus service file names the unit and the binary" ||
        not_ok "the D-Bus service file names the unit and the binary"

if command -v xmllint >/dev/null 2>&1; then
        for f in packaging/org.tsunagu.Vpn1.conf packaging/org.tsunagu.vpn.policy client/dbus/org.tsunagu.Vpn1.xml; do
                tap_check "$f is well-formed XML" xmllint --noout "$top_srcdir/$f"
        done
else
        skip "xmllint missing"
fi
# Every action the daemon checks is declared, and nothing else.
for a in $(sed -n 's/.*#define ACTION_[A-Z_]* *"\(org\.tsunagu\.vpn\.[a-z-]*\)".*/\1/p' \
        "$top_srcdir/client/daemon/daemon.h"); do
        grep -q "<action id=\"$a\">" "$top_srcdir/packaging/org.tsunagu.vpn.policy" &&
                ok "polkit action $a is declared" || not_ok "polkit action $a is declared"
done
# Every interface of the introspection XML may be called by anyone.
for i in $(sed -n 's/.*<interface name="\(org\.tsunagu\.Vpn1\.[A-Za-z]*\)">.*/\1/p' \
        "$top_srcdir/client/dbus/org.tsunagu.Vpn1.xml"); do
        [ "$i" = org.tsunagu.Vpn1.SecretAgent ] && continue
        grep -q "send_interface=\"$i\"" "$top_srcdir/packaging/org.tsunagu.Vpn1.conf" &&
                ok "the bus policy lets users call $i" || not_ok "the bus policy lets users call $i"
done
grep -A3 '<policy user="root">' "$top_srcdir/packaging/org.tsunagu.Vpn1.conf" | grep -q 'allow own="org.tsunagu.Vpn1"' &&
        ok "only root owns org.tsunagu.Vpn1" || not_ok "only root owns org.tsunagu.Vpn1"
grep -q '^u tsunagu ' "$top_srcdir/packaging/sysusers.d/tsunagu.conf" && ok "sysusers.d creates the engine user" ||
        not_ok "sysusers.d creates the engine user"

# The man page formats without warnings; the completion loads and completes.
if command -v man >/dev/null 2>&1; then
        warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$top_srcdir/client/cli/tsunagu.1" 2>&1 >/dev/null)
        [ -z "$warn" ] && ok "tsunagu.1 formats without warnings" || { not_ok "tsunagu.1 formats without warnings"; diag "$warn"; }
else
        skip "man missing"
fi
if [ -f /usr/share/bash-completion/bash_completion ]; then
        got=$(bash -c '. /usr/share/bash-completion/bash_completion
                . "$1"
                COMP_WORDS=(tsunagu dis); COMP_CWORD=1; COMP_LINE="tsunagu dis"; COMP_POINT=11
                _tsunagu; echo "${COMPREPLY[*]}"
                COMP_WORDS=(tsunagu export --format ""); COMP_CWORD=3; COMP_LINE="tsunagu export --format "
                COMP_POINT=24; _tsunagu; echo "${COMPREPLY[*]}"' _ "$top_srcdir/client/cli/completion/tsunagu")
        [ "$got" = "$(printf 'disconnect\nkeyfile sswan')" ] && ok "bash completion completes commands and options" ||
                { not_ok "bash completion completes commands and options"; diag "$got"; }
else
        skip "bash-completion missing"
fi
tap_done
