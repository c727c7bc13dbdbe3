#!/bin/bash
# tests/lab/demo-strongswan.sh - a guided tour of the lab for humans: build
# it, connect with strongSwan's client, look around, push some traffic, tear
# it down. tsunagu's own client does not exist yet; this shows what it will
# be tested against.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# DEMO_KEEP=1 leaves the lab up afterwards (tear it down with
# `LAB_PREFIX=demo- tests/lab/lab down`).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_PREFIX=${LAB_PREFIX:-demo-}
unset LAB_DIR
lab=$here/lab
conn=eap-split

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

cleanup() {
    local rc=$?
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        section "Leaving the lab up (LAB_PREFIX=$LAB_PREFIX)"
    else
        section "Tearing the lab down"
        "$lab" down
    fi
    exit $rc
}

[ "$(id -u)" = 0 ] || {
    echo "demo: needs root (network namespaces)" >&2
    exit 1
}

section "Building the lab (namespaces ${LAB_PREFIX}{client,nat,inet,gw,lan})"
trap cleanup EXIT
"$lab" up
eval "$("$lab" env)"
cat <<TEXT

  client ${LAB_CLIENT_IP} --NAT ${LAB_HOME_ROUTER_IP}|${LAB_NAT_WAN_IP}-- internet --> gateway ${LAB_GW_IP} (${LAB_GW_NAME})
                                                                       corporate LAN ${LAB_CORP_NET}, host ${LAB_LAN_IP}
TEXT

section "NOTE: tsunagu's own client does not exist yet - this demo connects with strongSwan (charon + swanctl)"
echo "Scenario: EAP-MSCHAPv2, split tunnel; IKE identity ${LAB_SC_EAP_SPLIT_ID}, EAP user ${LAB_SC_EAP_SPLIT_EAP_ID}"
run "$lab" sswan up "$conn"

section "The client's virtual IPs: kernel-libipsec puts them on its TUN device ipsec0"
run ip -n "$LAB_NS_CLIENT" -brief addr show

section "The client's routes: strongSwan puts the tunnel routes in table 220"
run ip -n "$LAB_NS_CLIENT" route show table 220
run ip -n "$LAB_NS_CLIENT" -6 route show table 220
run ip -n "$LAB_NS_CLIENT" rule show

section "DNS servers the gateway pushed (strongSwan's resolve plugin wrote them here)"
run cat "$LAB_DIR/sswan/resolv.conf"

section "SAs on the gateway"
run "$lab" gw swanctl --list-sas

section "Ping the corporate LAN host through the tunnel"
run ip netns exec "$LAB_NS_CLIENT" ping -c 3 -i 0.3 "$LAB_LAN_IP"

section "Resolve ${LAB_INTRANET_NAME} with the corporate resolver and fetch a file"
run ip netns exec "$LAB_NS_CLIENT" dig +short @"$LAB_CORP_DNS" "$LAB_INTRANET_NAME"
run ip netns exec "$LAB_NS_CLIENT" curl -sS "$LAB_HELLO_URL"

section "iperf3 for 3 seconds through the tunnel (userspace ESP on both ends)"
run ip netns exec "$LAB_NS_CLIENT" iperf3 -c "$LAB_IPERF_SERVER" -t 3 --format m

section "What the home router saw (nftables counters: IKE on 500, NAT-T on 4500, raw ESP)"
run ip netns exec "$LAB_NS_NAT" nft list counters table "$LAB_NAT_NFT_TABLE"

section "Disconnecting"
run "$lab" sswan down "$conn"
run "$lab" gw swanctl --list-sas
echo "(no SAs left on the gateway)"
