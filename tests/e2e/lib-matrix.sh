# tests/e2e/lib-matrix.sh - helpers for matrix.sh, faults.sh and leaks.sh:
# the real tsunagud (with its privsep engine tsunagu-engine) on a private
# system bus, running in the lab's client namespace, driven by the real CLI
# over D-Bus, against the lab's strongSwan gateway.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# A test sets LAB_PREFIX (its own, unique), sources this file, calls
# mx_setup TAG, then mx_profile / mx_connect / mx_disconnect / mx_netstate.
# Everything (daemon, bus, polkitd, users, lab, capture processes) is taken
# down by the EXIT trap, also when the test fails half-way.

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
# shellcheck source=lib.sh
. "$top_srcdir/tests/e2e/lib.sh"     # e2e_profile, in_client, LAB
# shellcheck source=../daemon/lib.sh
. "$top_srcdir/tests/daemon/lib.sh"  # tsud_setup, as, tsud_stop, ...
PY=/usr/bin/python3

MX_PIDS=
MX_CLEANUPS=

# mx_at_exit CMD: run CMD (a string, eval'd) in the EXIT trap, last added first.
mx_at_exit() { MX_CLEANUPS="$1; ${MX_CLEANUPS}"; }

mx_teardown() {
        local rc=$?
        set +e
        eval "$MX_CLEANUPS" >/dev/null 2>&1
        local p
        for p in $MX_PIDS; do
                kill -TERM "$p" 2>/dev/null
        done
        tsud_stop
        if [ "${MX_KEEP:-0}" = 1 ]; then
                diag "keeping the lab (LAB_PREFIX=$LAB_PREFIX) and $TSUD_DIR"
                TSUD_KEEP=1
        else
                "$LAB" down >/dev/null 2>&1
        fi
        TSUD_NS=
        tsud_cleanup
        exit $rc
}

# mx_setup TAG: skips unless everything is here, brings the lab up, prepares
# the bus, polkitd and the users, and starts tsunagud in the client namespace.
mx_setup() {
        local tag=$1
        tap_require_lab
        tsud_require
        TSUD_ENGINE="$top_builddir/client/tsunagu-engine"
        [ -x "$TSUD_ENGINE" ] || tap_skip_all "tsunagu-engine is not built"
        [ -x "$TSUNAGU" ] || tap_skip_all "no $TSUNAGU (build first)"
        command -v charon-systemd >/dev/null 2>&1 || [ -x /usr/lib/ipsec/charon ] ||
                tap_skip_all "strongSwan is not installed (the lab's gateway)"
        export LAB_PREFIX
        unset LAB_DIR
        tsud_setup "$tag"
        trap mx_teardown EXIT
        trap 'exit 130' INT TERM
        E2E_DIR=$TSUD_DIR
        if ! "$LAB" up >"$TSUD_DIR/lab-up.log" 2>&1; then
                echo "1..0 # SKIP the lab does not come up: $(tail -n 3 "$TSUD_DIR/lab-up.log" | tr '\n' ' ')"
                exit 0
        fi
        eval "$("$LAB" env)"
        ip netns del "$TSUD_NS"
        TSUD_NS=$LAB_NS_CLIENT
        E2E_CA_B64=$(openssl x509 -in "$LAB_CA_CERT" -outform DER | base64 -w0)
        MX_RESOLV=/etc/netns/$LAB_NS_CLIENT/resolv.conf
        # A hosts file of the namespace's own, bind-mounted by `ip netns exec`
        # over /etc/hosts: a test may rewrite it in place (same inode) to
        # point the gateway's name elsewhere (leaks.sh, L3).
        cp /etc/hosts "/etc/netns/$LAB_NS_CLIENT/hosts"
        MX_HOSTS=/etc/netns/$LAB_NS_CLIENT/hosts
        printf '%s\n' "$LAB_EAP_PASSWORD" >"$TSUD_DIR/pw"
        chmod 644 "$TSUD_DIR/pw"
        MX_CLIENT_MAC=$(in_client cat /sys/class/net/eth0/address)
        mx_start || { echo "Bail out! tsunagud does not start"; exit 1; }
}

# mx_start: tsunagud in the client namespace, managing the namespace's
# resolv.conf (there is no systemd-resolved on the private bus). It is given
# /etc/resolv.conf, which `ip netns exec` bind-mounts from MX_RESOLV, so it
# rewrites the file in place as in a container (a rename of MX_RESOLV would
# leave tsunagud itself reading the old file: a restarted helper would then
# resolve the gateway with the tunnel's DNS server).
mx_start() {
        ip netns exec "$TSUD_NS" "$TSUNAGUD" --stderr --debug \
                --system-profiles "$TSUD_DIR/sys" --user-profiles "$TSUD_DIR/users" \
                --state-dir "$TSUD_DIR/state" --resolv-conf /etc/resolv.conf \
                --engine "$TSUD_ENGINE" --engine-user "$TSUD_E" >>"$TSUD_LOG" 2>&1 &
        TSUD_PID=$!
        gdbus wait --system --timeout 30 org.tsunagu.Vpn1 || {
                diag "tsunagud did not start:" "$(tail -n 30 "$TSUD_LOG")"
                return 1
        }
}

# mx_profile NAME SCENARIO MODE [LINES...]: writes a profile called NAME for
# the lab scenario (tests/e2e/lib.sh e2e_profile) with tunnel mode MODE and
# imports it as user A. The file is $TSUD_DIR/NAME.tsunagu.
mx_profile() {
        local name=$1 sc=$2 mode=$3 f
        shift 3
        f="$TSUD_DIR/$name.tsunagu"
        e2e_profile "$f" "$sc" "$@"
        sed -i -e "s/^name = .*/name = $name/" -e "s/^mode = split$/mode = $mode/" "$f"
        chmod 644 "$f"
        as "$TSUD_A" "$TSUNAGU" import "$f" >"$TSUD_DIR/import.out" 2>&1 || {
                diag "import $name:" "$(cat "$TSUD_DIR/import.out")"
                return 1
        }
}

# mx_connect NAME [PASSWORD-FILE [PASSPHRASE]]: connects user A's profile
# NAME and waits for connected; MX_CONNECT_MS is the wall time of the CLI
# call. With a PASSPHRASE (a PKCS#12 client certificate: the helper does not
# keep secrets from imported profiles and asks its agent) the CLI runs on a
# pseudo-terminal and answers the prompts as a person would (mx-agent.py).
mx_connect() {
        local name=$1 pw=${2:-/dev/null} pass=${3:-} t0 rc
        t0=$(date +%s%N)
        if [ -n "$pass" ]; then
                local answers=("Passphrase for=$pass")
                [ "$pw" != /dev/null ] && answers+=("assword=$(head -n1 "$pw")")
                as "$TSUD_A" "$PY" "$top_srcdir/tests/e2e/mx-agent.py" "${answers[@]}" -- \
                        "$TSUNAGU" connect --ask "$name" >"$TSUD_DIR/connect.out" 2>&1
        else
                runuser -u "$TSUD_A" -- env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
                        "$TSUNAGU" connect --password-stdin --wait --timeout "${MX_CONNECT_TIMEOUT:-120}" \
                        "$name" <"$pw" \
                        >"$TSUD_DIR/connect.out" 2>&1
        fi
        rc=$?
        MX_CONNECT_MS=$((($(date +%s%N) - t0) / 1000000))
        return $rc
}

# mx_disconnect NAME: disconnects and waits until the gateway has no SA.
mx_disconnect() {
        local rc
        as "$TSUD_A" "$TSUNAGU" disconnect "$1" >"$TSUD_DIR/disconnect.out" 2>&1
        rc=$?
        mx_wait 10 mx_gw_no_sa
        return $rc
}

mx_gw_no_sa() { ! "$LAB" gw swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED; }

# mx_status_json: user A's `tsunagu status --json` into $TSUD_DIR/status.json.
mx_status_json() { as "$TSUD_A" "$TSUNAGU" status --json >"$TSUD_DIR/status.json" 2>&1; }

# mx_state NAME: the state of user A's session of profile NAME as
# `tsunagu status --json` shows it ("none" without one).
mx_state() {
        as "$TSUD_A" "$TSUNAGU" status --json 2>/dev/null | "$PY" -c '
import json, sys
s = [x for x in json.load(sys.stdin)["sessions"] if x["profile"] == sys.argv[1]]
print(s[0]["state"] if s else "none")' "$1" 2>/dev/null
}
mx_state_is() { [ "$(mx_state "$1")" = "$2" ]; }

# tap_todo ok|not_ok DESCRIPTION: a TAP line for a known gap ("# TODO ..."
# in the description): counted neither as a pass nor as a failure.
tap_todo() {
        _tap_n=$((_tap_n + 1))
        if [ "$1" = ok ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; fi
}

# mx_wait SECONDS CMD...: polls CMD every 0.2 s until it succeeds (0) or
# SECONDS of wall time have passed (1), however long each CMD takes.
mx_wait() {
        local end=$((${EPOCHREALTIME/./} + $1 * 1000000))
        shift
        while :; do
                "$@" && return 0
                [ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
                sleep 0.2
        done
}

# mx_netstate: what tsunagu may change in the client namespace, one line per
# object (TUN, rules, our routing table, nftables, state journal, resolv.conf).
mx_netstate() {
        {
                in_client ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^tsu'
                in_client ip -4 rule show
                in_client ip -6 rule show
                in_client ip route show table all | grep -E 'tsu|table 29811'
                in_client nft list tables 2>/dev/null | grep tsunagu
                ls "$TSUD_DIR/state" 2>/dev/null
                sed 's/^/resolv.conf: /' "$MX_RESOLV"
        } | sort
}

# mx_snapshot: the client namespace's whole network state, byte for byte
# (L8): addresses, routes and rules of both families, nftables, resolv.conf.
mx_snapshot() {
        in_client ip addr
        in_client ip -4 route show table all
        in_client ip -6 route show table all
        in_client ip -4 rule
        in_client ip -6 rule
        in_client nft list ruleset
        cat "$MX_RESOLV"
}

mx_tun_dev() { in_client ip -o link show | sed -n 's/^[0-9]*: \(tsu[0-9a-z]*\)[:@].*/\1/p' | head -n1; }

# ------------------------------------------------------------------ capture
# mx_capture_start NAME: tcpdump on the client's physical interface (eth0
# of the client namespace) into $TSUD_DIR/NAME.pcap.
mx_capture_start() {
        MX_PCAP=$TSUD_DIR/$1.pcap
        # Not through in_client: $! must be tcpdump itself (ip netns exec execs).
        # --immediate-mode: without it packets wait in the ring buffer's
        # current block and a short capture stopped by SIGINT loses them.
        ip netns exec "$LAB_NS_CLIENT" tcpdump -Z root --immediate-mode -i eth0 -n -U -w "$MX_PCAP" \
                >"$TSUD_DIR/tcpdump-$1.log" 2>&1 &
        MX_TCPDUMP=$!
        MX_PIDS="$MX_PIDS $MX_TCPDUMP"
        # Capturing once it says so (its own log: no earlier capture's line).
        mx_wait 10 grep -qs "listening on" "$TSUD_DIR/tcpdump-$1.log"
}

# mx_pcap_count FILTER: packets in the last capture that match FILTER.
mx_pcap_count() { tcpdump -n -r "$MX_PCAP" "$1" 2>/dev/null | wc -l; }

mx_capture_stop() {
        sleep 0.3 # the last packets reach the capture buffer
        kill -INT "$MX_TCPDUMP" 2>/dev/null
        wait "$MX_TCPDUMP" 2>/dev/null
}

# The packets the client may send on its physical interface with the kill
# switch on: IKE/NAT-T to the gateway, DHCP, ARP, and IPv6 neighbour
# discovery / router solicitation and MLD (link-local housekeeping).
# MLD reports always carry a hop-by-hop header (Router Alert, RFC 3810 5),
# so their ICMPv6 type is not at ip6[40] but behind that header: a link
# coming up (a flap) sends some. Link-local housekeeping, allowed by the
# kill switch (ff02::/16) like the rest of mx_allowed.
MX_MLD_HBH="(ip6 and dst net ff02::/16 and ip6[6] == 0 and ip6[40] == 58 and ip6[41] == 0 and (ip6[48] == 143 or (ip6[48] >= 130 and ip6[48] <= 132)))"
mx_allowed() {
        local gw=${1:-$LAB_GW_IP}
        echo "(udp and dst host $gw and (dst port 500 or dst port 4500))" \
                "or arp or (udp and (port 67 or port 68))" \
                "or (icmp6 and (ip6[40] >= 133 and ip6[40] <= 137))" \
                "or (icmp6 and ip6[40] == 143) or (icmp6 and (ip6[40] >= 130 and ip6[40] <= 132))" \
                "or $MX_MLD_HBH"
}

# mx_leaks [GATEWAY]: the number of packets the client sent in the last
# capture that are not allowed; the packets themselves in $TSUD_DIR/leaks.txt.
mx_leaks() {
        local filter
        filter="ether src $MX_CLIENT_MAC and not ($(mx_allowed "${1:-}"))"
        tcpdump -n -r "$MX_PCAP" "$filter" 2>/dev/null >"$TSUD_DIR/leaks.txt"
        wc -l <"$TSUD_DIR/leaks.txt"
}

# mx_traffic DEST...: for each destination, two pings, one UDP datagram to
# port 53 (a DNS query) and one to port 9, and a TCP connection attempt to
# port 80; plus name lookups through the namespace's resolv.conf.
mx_traffic() {
        local d
        for d in "$@"; do
                case $d in
                *:*) in_client ping -6 -c2 -i0.2 -W1 "$d" >/dev/null 2>&1 ;;
                *) in_client ping -c2 -i0.2 -W1 "$d" >/dev/null 2>&1 ;;
                esac
                in_client "$PY" - "$d" <<'PY' 2>/dev/null
import socket, sys
d = sys.argv[1]
fam = socket.AF_INET6 if ":" in d else socket.AF_INET
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"
for port in (53, 9):
    try:
        socket.socket(fam, socket.SOCK_DGRAM).sendto(q, (d, port))
    except OSError:
        pass
try:
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect((d, 80))
except OSError:
    pass
PY
        done
        in_client timeout 3 getent ahosts example.com >/dev/null 2>&1
        in_client timeout 3 getent ahosts "$LAB_PUBLIC_WEB_NAME" >/dev/null 2>&1
}
