#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The resolv.conf fallback for real: the tool rewrites /etc/resolv.conf of a
# private mount namespace (an overlay over /etc, so the host's file is never
# touched), glibc then resolves through the tunnel's DNS server (a tiny
# responder in the network namespace), and revert puts back the file, the
# symlink (with its target) or the bind-mounted file (a container's, where
# rename is impossible) exactly. When a DHCP client rewrote resolv.conf while
# the tunnel was up, revert keeps that newer file instead of our old copy.
. "${top_srcdir:-.}/tests/platform/lib.sh"
plat_require
command -v python3 >/dev/null || tap_skip_all "python3 missing"
command -v unshare >/dev/null || tap_skip_all "unshare missing"
tap_plan_lazy

NS=$(plat_netns resolvconf) || tap_skip_all "cannot create a network namespace"
ip -n "$NS" addr add 10.81.0.53/32 dev lo

# A DNS responder: every A query is answered with 192.0.2.123, anything else
# with an empty NOERROR.
cat >"$PLAT_TMP/dns.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.81.0.53", 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    end = 12
    while end < len(q) and q[end] != 0:
        end += q[end] + 1
    qtype = struct.unpack("!H", q[end + 1:end + 3])[0] if end + 5 <= len(q) else 0
    question = q[12:end + 5]
    name = []
    i = 12
    while i < end:
        name.append(q[i + 1:i + 1 + q[i]].decode())
        i += q[i] + 1
    print("query", ".".join(name), qtype, flush=True)
    an = 1 if qtype == 1 else 0
    r = q[:2] + struct.pack("!HHHHH", 0x8180, 1, an, 0, 0) + question
    if an:
        r += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([192, 0, 2, 123])
    s.sendto(r, peer)
PY
ip netns exec "$NS" python3 "$PLAT_TMP/dns.py" >"$PLAT_TMP/dns.log" 2>&1 &
PLAT_PIDS="$PLAT_PIDS $!"
for i in $(seq 1 50); do grep -q ready "$PLAT_TMP/dns.log" && break; sleep 0.1; done

# The scenario, run inside a private mount namespace; prints "ok - ..." lines.
cat >"$PLAT_TMP/inner.sh" <<'INNER'
set -u
kind=$1 tool=$2 tmp=$3
check() { if eval "$2"; then echo "ok - $kind: $1"; else echo "not ok - $kind: $1"; fi; }
mkdir -p "$tmp/up-$kind" "$tmp/work-$kind"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/up-$kind,workdir=$tmp/work-$kind" /etc || exit 3
case $kind in
file|dhcp)
        printf 'nameserver 192.0.2.1\nsearch lan.example\noptions edns0\n' >/etc/resolv.conf
        chmod 0640 /etc/resolv.conf ;;
symlink)
        printf 'nameserver 192.0.2.1\n' >"$tmp/stub-resolv.conf"
        ln -sfn "$tmp/stub-resolv.conf" /etc/resolv.conf ;;
bind)
        printf 'nameserver 192.0.2.1\n' >"$tmp/bound-resolv.conf"
        : >/etc/resolv.conf
        mount --bind "$tmp/bound-resolv.conf" /etc/resolv.conf ;;
esac
before=$(ls -l /etc/resolv.conf | awk '{print $1, $NF}'; cat /etc/resolv.conf)
mkfifo "$tmp/ctl-$kind"
"$tool" apply --state-dir "$tmp/state-$kind" --dns-backend resolvconf --split --no-kill-switch \
        --create-tun tsu0 --ipv4 10.81.0.2 --include 10.99.0.0/16 --dns 10.81.0.53 \
        --search corp.example <"$tmp/ctl-$kind" >"$tmp/tool-$kind.out" 2>&1 &
pid=$!
exec 5>"$tmp/ctl-$kind"
for i in $(seq 1 50); do grep -q applied "$tmp/tool-$kind.out" && break; sleep 0.1; done
check "applied" 'grep -q applied "$tmp/tool-$kind.out"'
check "resolv.conf names the tunnel's server" 'grep -qx "nameserver 10.81.0.53" /etc/resolv.conf'
check "and its search domain" 'grep -qx "search corp.example" /etc/resolv.conf'
check "glibc resolves through it (host1 -> host1.corp.example -> 192.0.2.123)" \
        '[ "$(getent ahostsv4 host1 | awk "NR==1{print \$1}")" = 192.0.2.123 ]'
[ "$kind" = symlink ] && check "the symlink's target is untouched" 'grep -qx "nameserver 192.0.2.1" "$tmp/stub-resolv.conf"'
[ "$kind" = bind ] && check "the bind-mounted file was rewritten in place" 'grep -qx "nameserver 10.81.0.53" "$tmp/bound-resolv.conf"'
if [ "$kind" = dhcp ]; then
        # A new lease mid-session: the DHCP client replaces the file as
        # dhclient-script does (write a temporary file, rename it over).
        printf 'nameserver 192.0.2.77\nsearch new.example\n' >/etc/resolv.conf.dhclient-new
        mv /etc/resolv.conf.dhclient-new /etc/resolv.conf
fi
echo >&5
exec 5>&-
wait $pid
check "reverted" 'grep -q reverted "$tmp/tool-$kind.out"'
after=$(ls -l /etc/resolv.conf | awk '{print $1, $NF}'; cat /etc/resolv.conf)
if [ "$kind" = dhcp ]; then
        check "the DHCP client's newer resolv.conf is kept, not our old copy" \
                '[ "$(cat /etc/resolv.conf)" = "$(printf "nameserver 192.0.2.77\nsearch new.example")" ]'
else
        check "resolv.conf exactly as before (type, mode, target, content)" '[ "$before" = "$after" ]'
fi
check "the saved copy is gone" '[ -z "$(ls -A "$tmp/state-$kind")" ]'
INNER

for kind in file symlink bind dhcp; do
        out=$(ip netns exec "$NS" unshare -m --propagation private sh "$PLAT_TMP/inner.sh" "$kind" "$(realpath "$TOOL")" "$PLAT_TMP" 2>&1)
        rc=$?
        if [ $rc -eq 3 ]; then echo "ok - # SKIP $kind: no overlayfs here"; continue; fi
        printf '%s\n' "$out" | while IFS= read -r line; do
                case $line in
                "ok - "*) echo "$line" ;;
                "not ok - "*) echo "$line" ;;
                *) echo "# $line" ;;
                esac
        done
        [ -n "$(printf '%s\n' "$out" | grep '^ok - ')" ] || echo "not ok - $kind: the scenario did not run (status $rc)"
done | awk '/^ok - /{n++; sub(/^ok - /, ""); print "ok " n " - " $0; next}
             /^not ok - /{n++; bad=1; sub(/^not ok - /, ""); print "not ok " n " - " $0; next}
             {print}
             END {print "1.." n; exit bad}'
rc=$?
# The host's own file was never touched.
exit $rc
