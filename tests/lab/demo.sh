#!/bin/bash
# tests/lab/demo.sh - a guided tour for humans: build the lab, connect with
# tsunagu's own client (`tsunagu connect --foreground`, EAP-MSCHAPv2, split
# tunnel) from the home laptop through the NAT to the strongSwan gateway,
# look around, push traffic through the tunnel, disconnect, tear down.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TSUNAGU=path/to/tsunagu (default: build/demo/client/tsunagu, as ./demo
# builds it). DEMO_KEEP=1 leaves the lab up afterwards (tear it down with
# `LAB_PREFIX=demo- tests/lab/lab down`).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
export LAB_PREFIX=${LAB_PREFIX:-demo-}
unset LAB_DIR
lab=$here/lab
tsunagu=${TSUNAGU:-$top/build/demo/client/tsunagu}
work=$(mktemp -d /tmp/tsunagu-demo.XXXXXX)
pid=

if [ -t 1 ]; then
    bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'
else
    bold='' dim='' off=''
fi
section() { printf '\n%s==== %s ====%s\n' "$bold" "$*" "$off"; }
run() {
    printf '%s$ %s%s\n' "$dim" "$*" "$off"
    "$@"
}
in_client() { ip netns exec "$LAB_NS_CLIENT" "$@"; }

cleanup() {
    local rc=$?
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        section "Leaving the lab up (LAB_PREFIX=$LAB_PREFIX)"
    else
        section "Tearing the lab down"
        "$lab" down
    fi
    rm -rf "$work"
    exit $rc
}

[ "$(id -u)" = 0 ] || {
    echo "demo: needs root (network namespaces)" >&2
    exit 1
}
[ -x "$tsunagu" ] || {
    echo "demo: no tsunagu at $tsunagu (run ./demo, or set TSUNAGU=)" >&2
    exit 1
}

section "Building the lab (namespaces ${LAB_PREFIX}{client,nat,inet,gw,lan})"
trap cleanup EXIT
"$lab" up
eval "$("$lab" env)"
cat <<TEXT

  client ${LAB_CLIENT_IP} --NAT ${LAB_HOME_ROUTER_IP}|${LAB_NAT_WAN_IP}-- internet --> gateway ${LAB_GW_IP} (${LAB_GW_NAME}, strongSwan)
                                                                       corporate LAN ${LAB_CORP_NET}, host ${LAB_LAN_IP}
TEXT

section "The profile (tsunagu keyfile; the password is not in it)"
ca=$(openssl x509 -in "$LAB_CA_CERT" -outform DER | base64 -w0)
cat >"$work/corp.tsunagu" <<EOF
[profile]
name = Lab (EAP-MSCHAPv2, split tunnel)
uuid = $(cat /proc/sys/kernel/random/uuid)

[gateway]
host = ${LAB_GW_NAME}
remote-id = ${LAB_GW_ID}

[ca]
certificates = ${ca}

[auth]
method = eap-mschapv2
local-id = ${LAB_SC_EAP_SPLIT_ID}
eap-id = ${LAB_SC_EAP_SPLIT_EAP_ID}

[tunnel]
mode = split
EOF
sed "s|^certificates = .*|certificates = (the lab's root CA, ${#ca} characters of base64)|" \
    "$work/corp.tsunagu"
run "$tsunagu" check --quiet "$work/corp.tsunagu"

section "Connecting: tsunagu connect --foreground (password on stdin)"
printf '%s$ %s%s\n' "$dim" "echo *** | ip netns exec $LAB_NS_CLIENT tsunagu connect --foreground --password-stdin corp.tsunagu &" "$off"
printf '%s\n' "$LAB_EAP_PASSWORD" |
    ip netns exec "$LAB_NS_CLIENT" "$tsunagu" connect --foreground --password-stdin \
        "$work/corp.tsunagu" >"$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    grep -q '^connected to ' "$work/out.txt" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
sed 's/^/    /' "$work/out.txt"
grep -q '^connected to ' "$work/out.txt" || {
    echo "demo: tsunagu did not connect" >&2
    exit 1
}

section "The client's addresses: the virtual IPs are on tsunagu's TUN device"
run ip -n "$LAB_NS_CLIENT" -brief addr show

section "Routing: policy rules send unmarked traffic to tsunagu's table (the IKE/ESP socket carries the fwmark)"
run ip -n "$LAB_NS_CLIENT" rule show
run ip -n "$LAB_NS_CLIENT" route show table all type unicast
run cat "/etc/netns/$LAB_NS_CLIENT/resolv.conf"

section "The gateway's view"
run "$lab" gw swanctl --list-sas

section "Ping the corporate LAN host through the tunnel"
run in_client ping -c 3 -i 0.3 "$LAB_LAN_IP"

section "Resolve ${LAB_INTRANET_NAME} with the DNS the gateway assigned, fetch a file"
run in_client getent ahostsv4 "$LAB_INTRANET_NAME"
run in_client curl -sS "http://${LAB_INTRANET_NAME}/hello.txt"

section "iperf3 for 3 seconds through the tunnel (tsunagu's userspace ESP, strongSwan's kernel-libipsec)"
run in_client iperf3 -c "$LAB_IPERF_SERVER" -t 3 --format m

section "What the home router saw (nftables counters: IKE on 500, NAT-T on 4500, raw ESP)"
run ip netns exec "$LAB_NS_NAT" nft list counters table "$LAB_NAT_NFT_TABLE"

section "Disconnecting (SIGTERM: DELETE to the gateway, then everything undone)"
run kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=
tail -n 5 "$work/out.txt" | sed 's/^/    /'
echo "tsunagu exited with $rc"
run ip -n "$LAB_NS_CLIENT" -brief addr show
run ip -n "$LAB_NS_CLIENT" rule show
run cat "/etc/netns/$LAB_NS_CLIENT/resolv.conf"
run "$lab" gw swanctl --list-sas
echo "(no SAs left on the gateway, nothing left on the client)"
