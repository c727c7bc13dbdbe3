#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# End to end through tsunagud and the real engine (tsunagu-engine) against
# the lab's strongSwan gateway (tests/lab): import, connect with EAP-MSCHAPv2
# (password on stdin, then through the CLI's agent on a terminal), status,
# ping through the tunnel, disconnect, nothing left; a wrong password.
# tsunagud runs in the lab's client namespace with its own system bus and
# polkitd (tests/daemon/lib.sh). Skipped until the engine is built.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/daemon/lib.sh"

tap_require_lab
tsud_require
TSUD_ENGINE="$top_builddir/client/tsunagu-engine"
[ -x "$TSUD_ENGINE" ] || tap_skip_all "tsunagu-engine is not built (the engine is not merged yet)"
command -v charon-systemd >/dev/null 2>&1 || [ -x /usr/lib/ipsec/charon ] ||
        tap_skip_all "strongSwan is not installed (the lab's gateway)"

tsud_setup lab
tap_plan_lazy
# The lab: its own prefix, taken down at the end.
LAB_PREFIX="tdl$(printf '%s' "$$" | md5sum | cut -c1-4)-"
export LAB_PREFIX
lab="$top_srcdir/tests/lab/lab"
lab_cleanup() {
        tsud_stop
        "$lab" down >/dev/null 2>&1
        TSUD_NS=
        tsud_cleanup
}
trap lab_cleanup EXIT
"$lab" up >"$TSUD_DIR/lab-up.log" 2>&1 || { not_ok "lab up"; diag "$(tail -n 20 "$TSUD_DIR/lab-up.log")"; tap_done; exit 1; }
eval "$("$lab" env)"
ip netns del "$TSUD_NS"
TSUD_NS=$LAB_NS_CLIENT
ok "the lab is up ($LAB_PREFIX)"

lab_profile EAP_SPLIT "Lab split" split >"$TSUD_DIR/lab.tsunagu"
chmod 644 "$TSUD_DIR/lab.tsunagu"
printf '%s\n' "$LAB_EAP_PASSWORD" >"$TSUD_DIR/pw"
chmod 644 "$TSUD_DIR/pw"
before=$(tsud_netstate)

tsud_start || { not_ok "tsunagud starts in the client namespace"; tap_done; exit 1; }
expect_exit 0 "A imports the lab profile" as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/lab.tsunagu"

# ------------------------------------------------------------ --password-stdin
expect_exit 0 "A connects (EAP-MSCHAPv2, --password-stdin)" \
        sh -c "runuser -u '$TSUD_A' -- env DBUS_SYSTEM_BUS_ADDRESS='$DBUS_SYSTEM_BUS_ADDRESS' '$TSUNAGU' connect --password-stdin --wait 'Lab split' <'$TSUD_DIR/pw'"
expect_exit 0 "status --json" as "$TSUD_A" "$TSUNAGU" status --json
if $PY -c '
import ipaddress, json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
assert s["state"] == "connected", s
v4 = [ipaddress.ip_interface(a) for a in s["virtual_ips"] if ":" not in a]
assert v4 and v4[0].ip in ipaddress.ip_network("10.99.0.0/24"), s' "$TSUD_DIR/out"; then
        ok "connected with a virtual IP from the gateway's pool"
else
        not_ok "connected with a virtual IP from the gateway's pool"; diag "$(cat "$TSUD_DIR/out")"
fi
tap_check "ping through the tunnel ($LAB_LAN_IP)" \
        ip netns exec "$LAB_NS_CLIENT" ping -c 3 -W 2 "$LAB_LAN_IP"
epid=$(pgrep -u "$TSUD_E" -f tsunagu-engine | head -n 1)
if [ -n "$epid" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$epid/status" &&
   grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$epid/status"; then
        ok "the engine runs unprivileged under its seccomp filter"
else
        not_ok "the engine runs unprivileged under its seccomp filter"
fi
sleep 2.5 # STATUS comes every 2 s
as "$TSUD_A" "$TSUNAGU" status --json >"$TSUD_DIR/status.json"
if $PY -c '
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
c = s["counters"]
assert c["packets-in"] >= 3 and c["packets-out"] >= 3, c
assert s["gateway"].startswith("203.0.113.2:"), s
assert "10.20.0.10" in s["dns"], s' "$TSUD_DIR/status.json"; then
        ok "the counters saw the pings; gateway and DNS are reported"
else
        not_ok "the counters saw the pings; gateway and DNS are reported"; diag "$(cat "$TSUD_DIR/status.json")"
fi
expect_exit 0 "A disconnects" as "$TSUD_A" "$TSUNAGU" disconnect "Lab split"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left (TUN, routes, rules, nftables, resolv.conf)" ||
        { not_ok "nothing left"; diag "$now"; }

# ------------------------------------------------------------ the agent prompt
expect_exit 0 "A connects answering the prompt on a terminal" \
        as "$TSUD_A" "$PY" "$top_srcdir/tests/daemon/agent-tty.py" "$LAB_EAP_PASSWORD" "assword" \
        "$TSUNAGU" connect "Lab split"
tap_check "ping through the tunnel again" ip netns exec "$LAB_NS_CLIENT" ping -c 2 -W 2 "$LAB_LAN_IP"
expect_exit 0 "A disconnects" as "$TSUD_A" "$TSUNAGU" disconnect
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left" || { not_ok "nothing left"; diag "$now"; }

# ------------------------------------------------------------ full tunnel, kill switch
sed -e "s/^name = .*/name = Lab full/" -e "s/^uuid = .*/uuid = $(cat /proc/sys/kernel/random/uuid)/" \
        -e "s/^local-id = .*/local-id = $LAB_SC_EAP_FULL_ID/" -e "s/^mode = split/mode = full/" \
        "$TSUD_DIR/lab.tsunagu" >"$TSUD_DIR/full.tsunagu"
chmod 644 "$TSUD_DIR/full.tsunagu"
expect_exit 0 "A imports a full-tunnel profile" as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/full.tsunagu"
expect_exit 0 "A connects it" \
        sh -c "runuser -u '$TSUD_A' -- env DBUS_SYSTEM_BUS_ADDRESS='$DBUS_SYSTEM_BUS_ADDRESS' '$TSUNAGU' connect --password-stdin --wait 'Lab full' <'$TSUD_DIR/pw'"
ip netns exec "$LAB_NS_CLIENT" nft list tables | grep -q "inet tsunagu" && ok "the kill switch is up" ||
        not_ok "the kill switch is up"
tap_check "the public web host through the tunnel ($LAB_PUBLIC_WEB_IP)" \
        ip netns exec "$LAB_NS_CLIENT" ping -c 2 -W 2 "$LAB_PUBLIC_WEB_IP"
expect_exit 0 "A disconnects" as "$TSUD_A" "$TSUNAGU" disconnect "Lab full"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left (kill switch gone too)" || { not_ok "nothing left"; diag "$now"; }

# ------------------------------------------------------------ a wrong password
expect_exit 3 "a wrong password: exit 3" \
        sh -c "echo wrong | runuser -u '$TSUD_A' -- env DBUS_SYSTEM_BUS_ADDRESS='$DBUS_SYSTEM_BUS_ADDRESS' '$TSUNAGU' connect --password-stdin --wait 'Lab split'"
expect_grep "auth-failed" "$TSUD_DIR/err" "... with an auth-failed reason"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left" || { not_ok "nothing left"; diag "$now"; }

# ------------------------------------------------------------ --passphrase-file
# A certificate profile whose PKCS#12 is encrypted and whose passphrase is not
# in the profile: with no terminal, the passphrase comes from a file.
lab_profile RSA "Lab cert" split | grep -v '^passphrase = ' >"$TSUD_DIR/cert.tsunagu"
chmod 644 "$TSUD_DIR/cert.tsunagu"
printf '%s\n' "$LAB_P12_PASSPHRASE" >"$TSUD_DIR/p12pass"
printf 'not-the-passphrase\n' >"$TSUD_DIR/p12wrong"
chmod 644 "$TSUD_DIR/p12pass" "$TSUD_DIR/p12wrong"
expect_exit 0 "A imports a certificate profile without its passphrase" \
        as "$TSUD_A" "$TSUNAGU" import "$TSUD_DIR/cert.tsunagu"
expect_exit 3 "connect --no-ask without the passphrase: exit 3" \
        as "$TSUD_A" "$TSUNAGU" connect --no-ask --wait "Lab cert"
expect_exit 3 "connect --passphrase-file with a wrong passphrase: exit 3" \
        as "$TSUD_A" "$TSUNAGU" connect --no-ask --wait --passphrase-file="$TSUD_DIR/p12wrong" "Lab cert"
expect_exit 0 "connect --passphrase-file (RSA certificate)" \
        as "$TSUD_A" "$TSUNAGU" connect --no-ask --wait --passphrase-file="$TSUD_DIR/p12pass" "Lab cert"
tap_check "ping through the certificate tunnel" ip netns exec "$LAB_NS_CLIENT" ping -c 2 -W 2 "$LAB_LAN_IP"
expect_exit 0 "A disconnects" as "$TSUD_A" "$TSUNAGU" disconnect "Lab cert"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "nothing left" || { not_ok "nothing left"; diag "$now"; }

# ------------------------------------------------------------ kill -9 of the engine, SIGTERM
connect_split() {
        runuser -u "$TSUD_A" -- env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                "$TSUNAGU" connect --password-stdin --wait "Lab split" <"$TSUD_DIR/pw" >/dev/null 2>&1
}
connect_split && ok "connected again" || not_ok "connected again"
kill -KILL "$(pgrep -u "$TSUD_E" -f tsunagu-engine | head -n 1)"
for _ in $(seq 50); do
        as "$TSUD_A" "$TSUNAGU" status --json | grep -q '"reason":"engine-crashed"' && break
        sleep 0.1
done
as "$TSUD_A" "$TSUNAGU" status --json | grep -q '"state":"failed","error":{"reason":"engine-crashed"' &&
        ok "kill -9 of the engine: failed, engine-crashed" || not_ok "kill -9 of the engine: failed, engine-crashed"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "... and the platform reverted" || { not_ok "... and the platform reverted"; diag "$now"; }
connect_split && ok "connected once more" || not_ok "connected once more"
deletes=$(grep -c "the gateway confirmed the DELETE" "$TSUD_LOG")
tsud_stop
[ "$TSUD_RC" = 0 ] && ok "SIGTERM with a tunnel up: exit 0" || not_ok "SIGTERM with a tunnel up: exit 0 (rc $TSUD_RC)"
[ "$(grep -c "the gateway confirmed the DELETE" "$TSUD_LOG")" -gt "$deletes" ] &&
        ok "... after a DELETE the gateway confirmed" ||
        not_ok "... after a DELETE the gateway confirmed"
now=$(tsud_netstate)
[ "$now" = "$before" ] && ok "... and nothing left" || { not_ok "... and nothing left"; diag "$now"; }

expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
tap_done
