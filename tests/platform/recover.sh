#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Crash recovery: the apply is killed with SIGKILL after each of its steps in
# turn (the tool's step hook), then platform_recover() runs; every time, the
# namespace, the resolv.conf and the state directory must be as before.
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
tap_plan_lazy

NS=$(plat_netns recover) || tap_skip_all "cannot create a network namespace"
PEER=$(plat_netns recover-peer)
ip -n "$NS" link add eth0 type veth peer name peer0 netns "$PEER"
ip -n "$NS" link set eth0 up
ip -n "$NS" addr add 192.168.78.2/24 dev eth0
ip -n "$NS" route add default via 192.168.78.1
ST=$PLAT_TMP/state
RC=$PLAT_TMP/resolv.conf
printf 'nameserver 192.168.78.1\n' >"$RC"

mkfifo "$PLAT_TMP/hold"
ip netns exec "$NS" "$TOOL" tun hold2 <"$PLAT_TMP/hold" >"$PLAT_TMP/tun.out" 2>&1 &
TUNPID=$!
PLAT_PIDS="$PLAT_PIDS $TUNPID"
exec 8>"$PLAT_TMP/hold"
for i in $(seq 1 50); do grep -q ready "$PLAT_TMP/tun.out" && break; sleep 0.1; done
ip -n "$NS" link set hold2 up
ip -n "$NS" link set hold2 down

plat_snapshot "$NS" "$PLAT_TMP/before"
cp "$RC" "$PLAT_TMP/before.rc"
ARGS="--state-dir $ST --resolv-conf $RC --dns-backend resolvconf --gateway 203.0.113.7 \
      --ifname hold2 --mtu 1300 --ipv4 10.78.0.2 --ipv6 fd00:78::2 --dns 10.78.0.53 \
      --exclude 198.18.0.0/15 --allow-lan"

n=1
while :; do
        ip netns exec "$NS" "$TOOL" apply $ARGS --die-after $n </dev/null >"$PLAT_TMP/crash.out" 2>&1
        rc=$?
        if grep -q '^applied' "$PLAT_TMP/crash.out"; then
                # Past the last step: the apply finished. Crash it now, fully applied.
                ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" >/dev/null 2>&1
                break
        fi
        if [ $rc -ne 137 ]; then
                not_ok "step $n: the tool should have died by SIGKILL (status $rc)"
                diag "$(cat "$PLAT_TMP/crash.out")"
                break
        fi
        step=$(sed -n 's/^dying after //p' "$PLAT_TMP/crash.out")
        [ -n "$(ls "$ST" 2>/dev/null)" ] && left=yes || left=no
        if out=$(ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" 2>&1); then
                ok "killed after step $n ($step; state left: $left): recovered"
        else
                not_ok "killed after step $n ($step): recover failed"
                diag "$out"
        fi
        plat_snapshot "$NS" "$PLAT_TMP/after"
        cp "$RC" "$PLAT_TMP/after.rc"
        plat_same "step $n: namespace as before" "$PLAT_TMP/before" "$PLAT_TMP/after"
        plat_same "step $n: resolv.conf as before" "$PLAT_TMP/before.rc" "$PLAT_TMP/after.rc"
        if [ -z "$(ls -A "$ST" 2>/dev/null)" ]; then ok "step $n: no state left"; else not_ok "step $n: state left: $(ls "$ST")"; fi
        n=$((n + 1))
        [ $n -gt 60 ] && { not_ok "more than 60 steps?"; break; }
done
if [ $n -ge 20 ]; then ok "a crash was tried after each of the $((n - 1)) steps"; else not_ok "only $((n - 1)) steps"; fi

# Killed when fully applied (SIGKILL, nothing reverted), then recovered.
if plat_start "$NS" $ARGS; then
        kill -9 "$PLAT_PID"
        wait "$PLAT_PID" 2>/dev/null
        exec 9>&-
        plat_match "fully applied, killed: the kill switch is still there" "$(ip netns exec "$NS" nft list tables)" 'inet tsunagu'
        plat_match "fully applied, killed: resolv.conf is still the tunnel's" "$(cat "$RC")" '10\.78\.0\.53'
        ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" >/dev/null
        plat_snapshot "$NS" "$PLAT_TMP/after"
        plat_same "fully applied, killed, recovered: namespace as before" "$PLAT_TMP/before" "$PLAT_TMP/after"
        plat_same "fully applied, killed, recovered: resolv.conf as before" "$PLAT_TMP/before.rc" "$RC"
        ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" >/dev/null
        plat_snapshot "$NS" "$PLAT_TMP/after2"
        plat_same "recover twice: nothing changes (idempotent)" "$PLAT_TMP/before" "$PLAT_TMP/after2"
else
        not_ok "apply failed"; diag "$(cat "$PLAT_OUT")"
fi

# Leftover TUN devices named tsu* go; other TUNs stay.
ip -n "$NS" tuntap add tsu7 mode tun
ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" >/dev/null
if ip -n "$NS" link show tsu7 >/dev/null 2>&1; then not_ok "recover removes a leftover tsu7"; else ok "recover removes a leftover tsu7"; fi
if ip -n "$NS" link show hold2 >/dev/null 2>&1; then ok "recover leaves hold2 alone"; else not_ok "recover removed hold2"; fi

# A journal that is not ours is refused with a message, not followed.
mkdir -p "$ST"
printf 'tsunagu-platform-journal 1\nroute 4 254 unicast 0.0.0.0/0 1; rm -rf /\n' >"$ST/evil.journal"
out=$(ip netns exec "$NS" "$TOOL" recover --state-dir "$ST" 2>&1)
plat_match "a malformed journal is reported" "$out" 'malformed journal line'
plat_snapshot "$NS" "$PLAT_TMP/after3"
plat_same "a malformed journal changes nothing" "$PLAT_TMP/before" "$PLAT_TMP/after3"
rm -f "$ST/evil.journal"

exec 8>&-
wait "$TUNPID"
tap_done
