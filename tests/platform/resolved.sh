#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# DNS through systemd-resolved, for real: systemd-resolved runs standalone in
# a private network + mount namespace against a private system bus
# (dbus-daemon with a bus configuration of our own); the tool's
# SetLinkDNS / SetLinkDomains / SetLinkDefaultRoute are read back with
# resolvectl, and RevertLink (on revert, and from recovery after SIGKILL)
# leaves the link as it was. The binary comes from resolved_locate
# (tests/lib/resolved.sh).
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
command -v dbus-daemon >/dev/null || tap_skip_all "dbus-daemon missing"
command -v unshare >/dev/null || tap_skip_all "unshare missing"

. "${top_srcdir:-.}/tests/lib/resolved.sh"
resolved_locate

NS=$(plat_netns resolved) || tap_skip_all "cannot create a network namespace"

out=$(ip netns exec "$NS" unshare -m --propagation private sh "${top_srcdir:-.}/tests/platform/resolved-inner.sh" \
        "$(realpath "$TOOL")" "$PLAT_TMP" "$RESOLVED" "$RESOLVECTL" 2>&1)
rc=$?
case $rc in
3) tap_skip_all "no overlayfs for a private /etc" ;;
4) printf '%s\n' "$out" | grep '^#'; tap_skip_all "systemd-resolved did not start here (see its log above)" ;;
esac
printf '%s\n' "$out" | awk '/^ok - /{n++; sub(/^ok - /, ""); print "ok " n " - " $0; next}
             /^not ok - /{n++; bad=1; sub(/^not ok - /, ""); print "not ok " n " - " $0; next}
             {print "# " $0}
             END {if (n == 0) {print "not ok 1 - the scenario did not run"; n = 1; bad = 1}
                  print "1.." n; exit bad}'
