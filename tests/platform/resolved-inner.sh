# SPDX-License-Identifier: GPL-2.0-or-later
#
# The inside of tests/platform/resolved.sh, run in a private network and
# mount namespace: sh resolved-inner.sh TOOL TMPDIR RESOLVED RESOLVECTL.
# Prints "ok - ..." / "not ok - ..." lines; exit 3: no overlayfs, 4: resolved
# did not start. (The bus socket lives in the private /run/systemd: resolved
# connects after dropping privileges, and the test's temp dir is 0700.)
set -u
tool=$1 tmp=$2 resolved=$3 resolvectl=$4
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fi; }
mkdir -p "$tmp/up" "$tmp/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/up,workdir=$tmp/work" /etc || exit 3
# resolved drops privileges to this user when started as root.
getent passwd systemd-resolve >/dev/null ||
        echo 'systemd-resolve:x:990:990:systemd Resolver:/:/usr/sbin/nologin' >>/etc/passwd
getent group systemd-resolve >/dev/null || echo 'systemd-resolve:x:990:' >>/etc/group
mkdir -p /etc/systemd
printf '[Resolve]\nDNSStubListener=no\nLLMNR=no\nMulticastDNS=no\n' >/etc/systemd/resolved.conf
mkdir -p /run/systemd
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/resolve
chown systemd-resolve:systemd-resolve /run/systemd/resolve

{
        echo '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
        echo ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">'
        echo '<busconfig>'
        echo '  <type>system</type>'
        echo "  <listen>unix:path=/run/systemd/test_system_bus_socket</listen>"
        echo '  <auth>EXTERNAL</auth>'
        echo '  <policy context="default">'
        echo '    <allow user="*"/>'
        echo '    <allow own="*"/>'
        echo '    <allow send_destination="*"/>'
        echo '    <allow receive_sender="*"/>'
        echo '  </policy>'
        echo '</busconfig>'
} >"$tmp/bus.conf"
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile --print-address=1 \
        >"$tmp/bus.addr" 2>"$tmp/bus.log" &
bus_pid=$!
for i in $(seq 1 50); do [ -s "$tmp/bus.addr" ] && break; sleep 0.1; done
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=/run/systemd/test_system_bus_socket"
"$resolved" >"$tmp/resolved.log" 2>&1 &
resolved_pid=$!
up=0
for i in $(seq 1 100); do
        if dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus.NameHasOwner string:org.freedesktop.resolve1 2>/dev/null |
                grep -q 'boolean true'; then
                up=1
                break
        fi
        kill -0 $resolved_pid 2>/dev/null || break
        sleep 0.1
done
if [ $up = 0 ]; then
        echo "# resolved did not come up:"
        sed 's/^/# /' "$tmp/resolved.log" | tail -n 20
        kill $bus_pid $resolved_pid 2>/dev/null
        exit 4
fi
echo "ok - systemd-resolved runs on a private system bus"

rctl() { "$resolvectl" --no-pager "$@" 2>&1; }
BUS="--bus-address $DBUS_SYSTEM_BUS_ADDRESS"

# ---- full tunnel: ~. and default route
mkfifo "$tmp/ctl1"
"$tool" apply --state-dir "$tmp/state" $BUS --dns-backend auto \
        --no-kill-switch --create-tun tsu0 --ipv4 10.82.0.2 --ipv6 fd00:82::2 \
        --dns 10.82.0.53 --dns fd00:82::53 --search corp.example --routing intra.example \
        <"$tmp/ctl1" >"$tmp/tool1.out" 2>&1 &
pid=$!
exec 5>"$tmp/ctl1"
for i in $(seq 1 50); do grep -q applied "$tmp/tool1.out" && break; sleep 0.1; done
check "full: applied (auto picked resolved)" 'grep -q applied "$tmp/tool1.out"'
check "full: no resolv.conf copy was made (resolved was used)" '[ ! -e "$tmp/state/resolv.conf.saved" ]'
dns=$(rctl dns tsu0)
dom=$(rctl domain tsu0)
dr=$(rctl default-route tsu0)
echo "# dns: $dns"
echo "# domain: $dom"
echo "# default-route: $dr"
check "full: SetLinkDNS (both servers)" 'echo "$dns" | grep -q "10.82.0.53" && echo "$dns" | grep -q "fd00:82::53"'
check "full: search domain corp.example" 'echo "$dom" | grep -q " corp.example"'
check "full: routing domain ~intra.example" 'echo "$dom" | grep -q "~intra.example"'
check "full: routing domain ~. (every name)" 'echo "$dom" | grep -q "~\."'
check "full: DNS default route yes" 'echo "$dr" | grep -q "yes"'
echo >&5
exec 5>&-
wait $pid
check "full: reverted" 'grep -q reverted "$tmp/tool1.out"'
[ -z "$(ls -A "$tmp/state")" ] || { echo "# $(cat "$tmp/tool1.out")"; }

# ---- split tunnel on a held TUN, so RevertLink shows on a link that stays
mkfifo "$tmp/hold"
"$tool" tun tsu9 <"$tmp/hold" >"$tmp/tun.out" 2>&1 &
tun_pid=$!
exec 6>"$tmp/hold"
for i in $(seq 1 50); do grep -q ready "$tmp/tun.out" && break; sleep 0.1; done
dns0=$(rctl dns tsu9)
dom0=$(rctl domain tsu9)
mkfifo "$tmp/ctl2"
"$tool" apply --state-dir "$tmp/state" $BUS --dns-backend resolved \
        --no-kill-switch --split --include 10.99.0.0/16 --ifname tsu9 --ipv4 10.82.0.2 \
        --dns 10.82.0.53 --routing corp.example <"$tmp/ctl2" >"$tmp/tool2.out" 2>&1 &
pid=$!
exec 5>"$tmp/ctl2"
for i in $(seq 1 50); do grep -q applied "$tmp/tool2.out" && break; sleep 0.1; done
dns=$(rctl dns tsu9)
dom=$(rctl domain tsu9)
dr=$(rctl default-route tsu9)
echo "# dns: $dns"
echo "# domain: $dom"
echo "# default-route: $dr"
check "split: SetLinkDNS" 'echo "$dns" | grep -q "10.82.0.53"'
check "split: only ~corp.example, no ~." 'echo "$dom" | grep -q "~corp.example" && ! echo "$dom" | grep -q "~\."'
check "split: not the DNS default route" 'echo "$dr" | grep -q "no"'
echo >&5
exec 5>&-
wait $pid
check "split: RevertLink: servers gone" '[ "$(rctl dns tsu9)" = "$dns0" ]'
check "split: RevertLink: domains gone" '[ "$(rctl domain tsu9)" = "$dom0" ]'

# ---- SIGKILL with resolved configured, then recovery reverts the link
"$tool" apply --state-dir "$tmp/state" $BUS --dns-backend resolved \
        --no-kill-switch --split --include 10.99.0.0/16 --ifname tsu9 --ipv4 10.82.0.2 \
        --dns 10.82.0.53 --routing corp.example <"$tmp/hold" >"$tmp/tool3.out" 2>&1 &
pid=$!
for i in $(seq 1 50); do grep -q applied "$tmp/tool3.out" && break; sleep 0.1; done
kill -9 $pid
wait $pid 2>/dev/null
check "killed: resolved still has the servers" 'rctl dns tsu9 | grep -q "10.82.0.53"'
"$tool" recover --state-dir "$tmp/state" $BUS >"$tmp/rec.out" 2>&1
check "killed: recover succeeded" 'grep -q recovered "$tmp/rec.out"'
check "killed: state directory empty" '[ -z "$(ls -A "$tmp/state")" ]'
check "killed: recover removed tsu9 (a leftover tsu* TUN)" '! ip link show tsu9 >/dev/null 2>&1'
check "killed: resolved has no server of ours any more" '! rctl dns | grep -q "10.82.0.53"'
exec 6>&-
wait $tun_pid

# ---- resolved gone: RevertLink from recovery is not an error
kill $resolved_pid
wait $resolved_pid 2>/dev/null
printf 'tsunagu-platform-journal 1\ndns-resolved 77\n' >"$tmp/state/tsu8.journal"
"$tool" recover --state-dir "$tmp/state" $BUS >"$tmp/rec2.out" 2>&1
check "resolved not running: recovering a resolved link succeeds" 'grep -q recovered "$tmp/rec2.out"'
kill $bus_pid
wait $bus_pid 2>/dev/null
exit 0
