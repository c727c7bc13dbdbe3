#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Split DNS through systemd-resolved, end to end (issue 11, the matrix's
# "split DNS" row): the real tsunagud and its engine on a private system bus
# (tests/e2e/lib-matrix.sh), and on that bus a real systemd-resolved running
# in the lab's client namespace, with its stub listener 127.0.0.53 in the
# client's resolv.conf and the home router (192.168.77.1) as its upstream, as
# on a desktop. A split-tunnel session then:
#  - hands its DNS server and its domain to resolved (SetLinkDNS,
#    SetLinkDomains ~corp.test, not the default DNS route), read back with
#    resolvectl; resolv.conf stays as it was;
#  - a name in corp.test is answered by the corporate DNS, asked through the
#    tunnel (the lab's dnsmasq-corp log: from the virtual IP) and never in
#    clear on the client's physical interface;
#  - another name is answered by the home resolver (dnsmasq-home log: from
#    the client's LAN address) and never reaches the corporate DNS;
#  - on disconnect tsunagud calls RevertLink (seen by a bus monitor),
#    resolved has no server or domain of the tunnel left, corp.test names are
#    no longer asked from the corporate DNS, and nothing is left behind.
#
# systemd-resolved is not installed on the machine on purpose (its postinst
# turns /etc/resolv.conf into a link to its stub); as tests/platform/resolved.sh
# does, the package is fetched with "apt-get download" and unpacked into the
# build tree when /lib/systemd/systemd-resolved is missing. It runs in its own
# mount namespace (an overlay on /etc for its user and configuration, a tmpfs
# on /run/systemd) as a user of this test's own.
LAB_PREFIX="tsn$(printf '%s' "$$" | md5sum | cut -c1-3)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib-matrix.sh"
command -v tcpdump >/dev/null 2>&1 || tap_skip_all "tcpdump not installed"
command -v dbus-monitor >/dev/null 2>&1 || tap_skip_all "dbus-monitor not installed"
tap_require_lab

. "$top_srcdir/tests/lib/resolved.sh"
resolved_locate

mx_setup splitdns
tap_plan_lazy
ok "the lab is up ($LAB_PREFIX) and tsunagud runs in its client namespace"

# ------------------------------------------------------------------ resolved
# Its own user (resolved drops to "systemd-resolve", which its private
# /etc/passwd maps to this one), allowed to own org.freedesktop.resolve1 on
# the test bus; root may monitor the bus.
RES=$TSUD_DIR/resolved
RES_USER="tsur$(printf '%s' "split$$" | md5sum | cut -c1-6)"
mkdir -p "$RES/up" "$RES/work"
useradd -r -M -N -s /usr/sbin/nologin "$RES_USER" || tap_skip_all "useradd $RES_USER failed"
mx_at_exit "userdel '$RES_USER'"
RES_UID=$(id -u "$RES_USER")
RES_GID=$(id -g "$RES_USER")
cat >"$TSUD_DIR/system.d/resolve1-test.conf" <<EOT
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="$RES_USER">
    <allow own="org.freedesktop.resolve1"/>
    <allow send_destination="org.freedesktop.resolve1"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.resolve1"/>
    <allow receive_sender="org.freedesktop.resolve1"/>
  </policy>
</busconfig>
EOT
chmod 644 "$TSUD_DIR/system.d/resolve1-test.conf"
kill -HUP "$TSUD_DBUS_PID" # dbus-daemon reloads its configuration
sleep 0.5

cat >"$RES/inner.sh" <<'EOT'
# In the client namespace's network, in a mount namespace of its own.
set -eu
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$RES/up,workdir=$RES/work" /etc
echo "systemd-resolve:x:$RES_UID:$RES_GID:systemd Resolver:/:/usr/sbin/nologin" >>/etc/passwd
echo "systemd-resolve:x:$RES_GID:" >>/etc/group
mkdir -p /etc/systemd
# Upstream: the home router, as DHCP gives it (its own resolv.conf, not the
# client's, which points at the stub). No cache: every lookup is a query
# the lab's dnsmasq logs show.
printf 'nameserver %s\n' "$HOME_DNS" >/etc/resolv.conf
printf '[Resolve]\nDNS=%s\nFallbackDNS=\nDomains=\nLLMNR=no\nMulticastDNS=no\nDNSSEC=no\nDNSOverTLS=no\nCache=no\nDNSStubListener=yes\nReadEtcHosts=no\n' \
        "$HOME_DNS" >/etc/systemd/resolved.conf
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/resolve
chown "$RES_UID:$RES_GID" /run/systemd/resolve
exec "$RESOLVED"
EOT
ip netns exec "$LAB_NS_CLIENT" unshare -m --propagation private \
        env RES="$RES" RES_UID="$RES_UID" RES_GID="$RES_GID" RESOLVED="$RESOLVED" \
        HOME_DNS="$LAB_HOME_ROUTER_IP" SYSTEMD_LOG_LEVEL=debug \
        sh "$RES/inner.sh" >"$RES/resolved.log" 2>&1 &
RES_PID=$!
# Before its user is removed (userdel refuses while it runs).
mx_at_exit "kill '$RES_PID' 2>/dev/null; sleep 0.5"
if gdbus wait --system --timeout 20 org.freedesktop.resolve1; then
        ok "systemd-resolved runs in the client namespace, on tsunagud's bus"
else
        not_ok "systemd-resolved runs in the client namespace, on tsunagud's bus"
        diag "$(tail -n 20 "$RES/resolved.log")"
        tap_done
        exit 1
fi
rctl() { in_client "$RESOLVECTL" --no-pager "$@" 2>&1; }
mx_wait 10 in_client sh -c 'ss -Hlun | grep -q "127.0.0.53%lo:53 \|127.0.0.53:53 "' ||
        diag "the stub listener does not show in ss:" "$(in_client ss -Hlun)"

# The client's resolv.conf points at resolved's stub (in place: it is
# bind-mounted into tsunagud's mount namespace).
cp "$MX_RESOLV" "$TSUD_DIR/resolv.orig"
mx_at_exit "cat '$TSUD_DIR/resolv.orig' >'$MX_RESOLV'"
printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\n' >"$MX_RESOLV"
RESOLV_STUB=$(cat "$MX_RESOLV")
BEFORE=$(mx_netstate)

CORPLOG=$LAB_DIR/log/dnsmasq-corp.log
HOMELOG=$LAB_DIR/log/dnsmasq-home.log
# since N FILE: FILE's lines after its first N.
since() { tail -n +"$(($1 + 1))" "$2"; }
lookup() { in_client timeout 10 getent ahostsv4 "$1" 2>&1 | awk 'NR == 1 {print $1}'; }

# Before the tunnel: the stub answers through the home resolver.
h0=$(wc -l <"$HOMELOG")
addr=$(lookup "$LAB_PUBLIC_WEB_NAME")
if [ "$addr" = "$LAB_PUBLIC_WEB_IP" ] && since "$h0" "$HOMELOG" | grep -q "query.*$LAB_PUBLIC_WEB_NAME from 192.168.77.2"; then
        ok "without the tunnel: $LAB_PUBLIC_WEB_NAME through resolved's stub and the home resolver"
else
        not_ok "without the tunnel: $LAB_PUBLIC_WEB_NAME through resolved's stub (got '$addr')"
        diag "$(since "$h0" "$HOMELOG")" "$(rctl status)" "$(tail -n 20 "$RES/resolved.log")"
fi

# ------------------------------------------------------------------ split tunnel
mx_profile split EAP_SPLIT split || { not_ok "import"; tap_done; exit 1; }
dbus-monitor --system "type='method_call',interface='org.freedesktop.resolve1.Manager'" \
        >"$TSUD_DIR/monitor.log" 2>&1 &
MON_PID=$!
MX_PIDS="$MX_PIDS $MON_PID"
mx_wait 5 grep -qs 'member=NameAcquired\|signal' "$TSUD_DIR/monitor.log"
log0=$(wc -l <"$TSUD_LOG")
if mx_connect split "$TSUD_DIR/pw"; then
        ok "split tunnel: connected in $MX_CONNECT_MS ms"
else
        not_ok "split tunnel: connected"
        diag "$(cat "$TSUD_DIR/connect.out")" "$(tail -n 20 "$TSUD_LOG")"
        tap_done
        exit 1
fi
dev=$(mx_tun_dev)
ifindex=$(in_client cat "/sys/class/net/$dev/ifindex" 2>/dev/null)
dns=$(rctl dns "$dev")
dom=$(rctl domain "$dev")
dr=$(rctl default-route "$dev")
diag "resolvectl on $dev: $dns | $dom | $dr"
echo "$dns" | grep -q "$LAB_CORP_DNS" && ok "resolved: $dev has the tunnel's DNS server $LAB_CORP_DNS (SetLinkDNS)" ||
        { not_ok "resolved: $dev has the tunnel's DNS server"; diag "$(rctl status)" "$(since "$log0" "$TSUD_LOG" | tail -n 20)"; }
echo "$dom" | grep -q "~corp.test" && ! echo "$dom" | grep -q '~\.' &&
        ok "resolved: $dev routes ~corp.test only (the gateway's INTERNAL_DNS_DOMAIN), not ~." ||
        not_ok "resolved: $dev routes ~corp.test only (got '$dom')"
echo "$dr" | grep -q ": no" && ok "resolved: $dev is not the default DNS route" ||
        not_ok "resolved: $dev is not the default DNS route (got '$dr')"
[ "$(cat "$MX_RESOLV")" = "$RESOLV_STUB" ] && ok "resolv.conf is left as it was (resolved is used, not the file)" ||
        { not_ok "resolv.conf is left as it was"; diag "$(cat "$MX_RESOLV")"; }

mx_capture_start splitdns
c0=$(wc -l <"$CORPLOG")
h0=$(wc -l <"$HOMELOG")
addr=$(lookup "$LAB_INTRANET_NAME")
if [ "$addr" = "$LAB_LAN_IP" ] &&
        since "$c0" "$CORPLOG" | grep -qE "query.*$LAB_INTRANET_NAME from (${LAB_SC_EAP_SPLIT_POOL4%.*}|${LAB_SC_EAP_SPLIT_POOL6%::*}::)"; then
        ok "$LAB_INTRANET_NAME answered by the corporate DNS, asked through the tunnel (from the virtual IP)"
else
        not_ok "$LAB_INTRANET_NAME answered by the corporate DNS through the tunnel (got '$addr')"
        diag "$(since "$c0" "$CORPLOG" | tail -n 5)" "$(rctl status)"
fi
since "$h0" "$HOMELOG" | grep -q "query.*corp\.test" &&
        { not_ok "the home resolver was asked a corp.test name"; diag "$(since "$h0" "$HOMELOG" | grep corp.test)"; } ||
        ok "the home resolver was not asked a corp.test name"
c1=$(wc -l <"$CORPLOG")
h1=$(wc -l <"$HOMELOG")
addr=$(lookup "$LAB_PUBLIC_WEB_NAME")
if [ "$addr" = "$LAB_PUBLIC_WEB_IP" ] &&
        since "$h1" "$HOMELOG" | grep -q "query.*$LAB_PUBLIC_WEB_NAME from 192.168.77.2"; then
        ok "split DNS: $LAB_PUBLIC_WEB_NAME answered by the home resolver (from the LAN address)"
else
        not_ok "split DNS: $LAB_PUBLIC_WEB_NAME answered by the home resolver (got '$addr')"
        diag "$(since "$h1" "$HOMELOG" | tail -n 5)" "$(rctl status)"
fi
since "$c1" "$CORPLOG" | grep -q "query.*$LAB_PUBLIC_WEB_NAME" &&
        { not_ok "split DNS: $LAB_PUBLIC_WEB_NAME was asked through the tunnel"; diag "$(since "$c1" "$CORPLOG" | tail -n 5)"; } ||
        ok "split DNS: $LAB_PUBLIC_WEB_NAME not asked through the tunnel (the corporate DNS never saw it)"
mx_capture_stop
n=$(tcpdump -n -r "$MX_PCAP" -A 'udp port 53 or tcp port 53' 2>/dev/null | grep -ac 'intranet.corp')
[ "$n" = 0 ] && ok "no corp.test query in clear on the physical interface" ||
        not_ok "$n corp.test queries in clear on the physical interface"
n=$(tcpdump -n -r "$MX_PCAP" -A "udp port 53 and dst host $LAB_HOME_ROUTER_IP" 2>/dev/null | grep -ac 'www.public')
[ "$n" -gt 0 ] && ok "control: the capture sees the public name's query to the home resolver ($n)" ||
        not_ok "control: the capture sees the public name's query to the home resolver (the check above cannot fail?)"

# ------------------------------------------------------------------ disconnect
mx_disconnect split && ok "disconnected" || { not_ok "disconnect"; diag "$(cat "$TSUD_DIR/disconnect.out")"; }
sleep 0.5
kill "$MON_PID" 2>/dev/null
wait "$MON_PID" 2>/dev/null
grep -A1 'member=RevertLink' "$TSUD_DIR/monitor.log" | grep -q "int32 $ifindex" &&
        ok "tsunagud called RevertLink($ifindex) on resolved" ||
        { not_ok "tsunagud called RevertLink($ifindex) on resolved"; diag "$(grep -A2 member= "$TSUD_DIR/monitor.log" | head -n 30)"; }
grep -q 'member=SetLinkDNS' "$TSUD_DIR/monitor.log" && ok "control: the monitor saw SetLinkDNS too" ||
        not_ok "control: the monitor saw SetLinkDNS (can the RevertLink check fail?)"
st=$(rctl status)
if ! grep -q "$LAB_CORP_DNS\|corp\.test" <<<"$st"; then
        ok "resolved has no server or domain of the tunnel left"
else
        not_ok "resolved has no server or domain of the tunnel left"
        diag "$st"
fi
c2=$(wc -l <"$CORPLOG")
addr=$(lookup lan.corp.test)
since "$c2" "$CORPLOG" | grep -q "query.*lan.corp.test" &&
        not_ok "after disconnect: lan.corp.test still asked from the corporate DNS" ||
        ok "after disconnect: corp.test names are no longer asked from the corporate DNS (got '${addr:-nothing}')"
now=$(mx_netstate)
[ "$now" = "$BEFORE" ] && ok "nothing of tsunagu's left (resolv.conf still the stub)" ||
        { not_ok "nothing of tsunagu's left"; diag "$now"; }
kill "$RES_PID" 2>/dev/null
wait "$RES_PID" 2>/dev/null
expect_no_grep "$LAB_EAP_PASSWORD" "$TSUD_LOG" "no password in the helper's log"
expect_no_grep "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$TSUD_LOG" "no sanitizer report"
tap_done
