# tests/lab/lib/net.sh - namespaces, links, addresses, NAT and the small
# services (DNS, HTTP, iperf3) of the lab.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by the files that source this one
#
# Interface names inside the namespaces (the prefix only appears in the
# namespace names, so several labs never clash):
#
#   client eth0 <-> lan  nat wan <-> home inet dc <-> wan gw corp <-> eth0 lan

# Sysctls every node gets: no DAD delays, no reverse-path filter surprises.
ns_create() {
    local node=$1 ns
    ns=$(ns_name "$node")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    nsx "$node" sysctl -qw \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 >/dev/null
}

# veth NODE_A IF_A NODE_B IF_B : a wire between two namespaces, both ends up,
# with GRO so that UDP datagrams are batched like on a real NIC.
veth() {
    local a=$1 ia=$2 b=$3 ib=$4
    ip -n "$(ns_name "$a")" link add "$ia" type veth peer name "$ib" netns "$(ns_name "$b")"
    ip -n "$(ns_name "$a")" link set "$ia" up
    ip -n "$(ns_name "$b")" link set "$ib" up
    nic_tune "$a" "$ia"
    nic_tune "$b" "$ib"
}

nic_tune() {
    nsx "$1" ethtool -K "$2" gro on rx-udp-gro-forwarding on >/dev/null 2>&1 ||
        nsx "$1" ethtool -K "$2" gro on >/dev/null 2>&1 || true
}

forwarding() {
    nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
}

net_up() {
    local node
    for node in $LAB_NODES; do
        ns_create "$node"
    done

    veth client eth0 nat lan
    veth nat wan inet home
    veth inet dc gw wan
    veth gw corp lan eth0

    # client: the home laptop
    ip -n "$(ns_name client)" addr add 192.168.77.2/24 dev eth0
    ip -n "$(ns_name client)" route add default via 192.168.77.1
    mkdir -p "/etc/netns/$(ns_name client)"
    echo "nameserver 192.168.77.1" >"/etc/netns/$(ns_name client)/resolv.conf"

    # nat: the home router
    ip -n "$(ns_name nat)" addr add 192.168.77.1/24 dev lan
    ip -n "$(ns_name nat)" addr add 198.51.100.2/24 dev wan
    ip -n "$(ns_name nat)" route add default via 198.51.100.1
    forwarding nat
    nsx nat nft -f - <<'NFT'
table ip labnat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan" masquerade random
    }
}
table inet lab {
    counter ike { }
    counter natt { }
    counter espraw { }
    # Empty hook for tests: e.g. `add rule inet lab loss udp dport 4500
    # numgen random mod 100 < 10 drop` simulates 10 % upstream loss.
    chain loss {
        type filter hook forward priority -10; policy accept;
    }
    chain count {
        type filter hook forward priority 0; policy accept;
        oifname "wan" udp dport 500 counter name ike
        oifname "wan" udp dport 4500 counter name natt
        oifname "wan" meta l4proto esp counter name espraw
    }
}
NFT

    # inet: the internet, with a public web host on its loopback
    ip -n "$(ns_name inet)" addr add 198.51.100.1/24 dev home
    ip -n "$(ns_name inet)" addr add 203.0.113.1/24 dev dc
    ip -n "$(ns_name inet)" addr add 203.0.113.80/32 dev lo
    forwarding inet

    # gw: the VPN gateway
    ip -n "$(ns_name gw)" addr add 203.0.113.2/24 dev wan
    ip -n "$(ns_name gw)" route add default via 203.0.113.1
    ip -n "$(ns_name gw)" addr add 10.20.0.1/24 dev corp
    ip -n "$(ns_name gw)" addr add fd00:20::1/64 dev corp nodad
    forwarding gw
    nsx gw nft -f - <<'NFT'
table ip labgw {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr 10.98.0.0/24 oifname "wan" ip daddr 203.0.113.0/24 masquerade
    }
}
NFT

    # lan: a host on the corporate LAN
    ip -n "$(ns_name lan)" addr add 10.20.0.10/24 dev eth0
    ip -n "$(ns_name lan)" addr add fd00:20::10/64 dev eth0 nodad
    ip -n "$(ns_name lan)" route add default via 10.20.0.1
    ip -n "$(ns_name lan)" -6 route add default via fd00:20::1
}

# Known content for HTTP checks.
LAB_HELLO_LAN="Hello from the tsunagu lab corporate LAN (intranet.corp.test)."
LAB_HELLO_PUBLIC="Hello from the tsunagu lab public internet (www.public.test)."
LAB_BIG_MIB=16

services_up() {
    local d=$LAB_DIR/srv
    mkdir -p "$d/www-lan" "$d/www-public"
    printf '%s\n' "$LAB_HELLO_LAN" >"$d/www-lan/hello.txt"
    printf '%s\n' "$LAB_HELLO_PUBLIC" >"$d/www-public/hello.txt"
    head -c "$((LAB_BIG_MIB << 20))" /dev/urandom >"$d/www-lan/big.bin"
    sha256sum "$d/www-lan/big.bin" | cut -d' ' -f1 >"$d/big.sha256"

    # Home resolver: two public names, REFUSED for everything else.
    cat >"$d/dnsmasq-home.conf" <<CONF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=192.168.77.1
user=root
pid-file=
log-queries
host-record=vpn.lab.test,203.0.113.2
host-record=www.public.test,203.0.113.80
CONF
    # Corporate resolver: authoritative (local) for corp.test.
    cat >"$d/dnsmasq-corp.conf" <<CONF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=10.20.0.10
listen-address=fd00:20::10
user=root
pid-file=
log-queries
local=/corp.test/
host-record=intranet.corp.test,10.20.0.10,fd00:20::10
host-record=gw.corp.test,10.20.0.1,fd00:20::1
host-record=lan.corp.test,10.20.0.10,fd00:20::10
host-record=www.public.test,203.0.113.80
CONF
    lab_spawn dnsmasq-home nat dnsmasq --keep-in-foreground --log-facility=- \
        --conf-file="$d/dnsmasq-home.conf"
    lab_spawn dnsmasq-corp lan dnsmasq --keep-in-foreground --log-facility=- \
        --conf-file="$d/dnsmasq-corp.conf"
    lab_spawn http-lan lan "$LAB_PYTHON" -m http.server 80 --bind :: --directory "$d/www-lan"
    lab_spawn http-public inet "$LAB_PYTHON" -m http.server 80 --bind 203.0.113.80 \
        --directory "$d/www-public"
    lab_spawn iperf3 lan iperf3 --server --forceflush

    wait_for 10 nsx lan curl -fsS -o /dev/null http://10.20.0.10/hello.txt ||
        lab_die "corporate HTTP server did not come up (see $LAB_DIR/log/http-lan.log)"
    wait_for 10 nsx inet curl -fsS -o /dev/null http://203.0.113.80/hello.txt ||
        lab_die "public HTTP server did not come up (see $LAB_DIR/log/http-public.log)"
    wait_for 10 nsx client dig +time=1 +tries=1 +short @192.168.77.1 vpn.lab.test ||
        lab_die "home resolver did not come up (see $LAB_DIR/log/dnsmasq-home.log)"
    wait_for 10 nsx lan dig +time=1 +tries=1 +short @10.20.0.10 intranet.corp.test ||
        lab_die "corporate resolver did not come up (see $LAB_DIR/log/dnsmasq-corp.log)"
    wait_for 10 nsx lan sh -c 'ss -Hltn | grep -q ":5201 "' ||
        lab_die "iperf3 server did not come up (see $LAB_DIR/log/iperf3.log)"
}

# Kill everything that runs in our namespaces, then remove them.
net_down() {
    local node ns pids
    for node in $LAB_NODES; do
        ns=$(ns_name "$node")
        [ -e "/run/netns/$ns" ] || continue
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        # shellcheck disable=SC2086 # word splitting of the pid list is intended
        [ -n "$pids" ] && kill_pids 5 $pids
    done
    for node in $LAB_NODES; do
        ns=$(ns_name "$node")
        [ -e "/run/netns/$ns" ] && ip netns delete "$ns"
    done
    rm -rf "/etc/netns/$(ns_name client)"
}
