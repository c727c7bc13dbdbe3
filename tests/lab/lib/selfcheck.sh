# tests/lab/lib/selfcheck.sh - `lab selfcheck`: prove the lab with strongSwan
# as the client, before tsunagu's own client exists. Prints TAP.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash

# shellcheck source=tests/lib/tap.sh
. "$LAB_HOME/../lib/tap.sh"

sc_nft_counter() {
    nsx nat nft list counter inet lab "$1" | awk '/packets/ { print $2 }'
}

# sc_gw_conns_loaded : every scenario's connection is loaded on the gateway.
sc_gw_conns_loaded() {
    local loaded row conn missing=
    loaded=$(lab_swanctl gw --list-conns | awk -F: '/^[a-z0-9-]+: IKEv2/ { print $1 }')
    for row in "${LAB_SCENARIOS[@]}"; do
        conn=$(cut -d'|' -f2 <<<"$row")
        grep -qx "$conn" <<<"$loaded" || missing="$missing $conn"
    done
    [ -z "$missing" ] || {
        echo "missing on the gateway:$missing"
        return 1
    }
}

sc_dig() {
    local node=$1 server=$2 name=$3 type=${4:-A}
    nsx "$node" dig +time=2 +tries=2 +short @"$server" "$name" "$type"
}

sc_expect() {
    local want=$1 got
    shift
    got=$("$@" 2>&1) || true
    [ "$got" = "$want" ] || {
        echo "expected '$want', got '$got'"
        return 1
    }
}

sc_home_refuses() {
    nsx client dig +time=2 +tries=1 @192.168.77.1 www.example.com A | grep -q 'status: REFUSED'
}

sc_no_route_to_corp() { ! nsx client ping -c1 -W1 10.20.0.10; }

sc_vip4() {
    nsx client ip -4 -o addr show | awk '{ print $4 }' | grep "^${1//./\\.}"
}

sc_http_hello() {
    local url=$1 want=$2 got
    got=$(nsx client curl -fsS --max-time 5 "$url") || return 1
    [ "$got" = "$want" ] || {
        echo "got '$got', want '$want'"
        return 1
    }
}

sc_resolv_has_corp_dns() { grep -q '^nameserver 10\.20\.0\.10' "$LAB_DIR/sswan/resolv.conf"; }

sc_gw_sa_behind_nat() {
    local sas
    sas=$(lab_swanctl gw --list-sas --ike "$1")
    grep -q "@ 198\.51\.100\.2\[" <<<"$sas" || {
        echo "$sas"
        return 1
    }
    # NAT-T: the CHILD SA is ESP-in-UDP and the peer's port was translated
    grep -q "TUNNEL-in-UDP" <<<"$sas" || {
        echo "$sas"
        return 1
    }
}

sc_gw_no_sa() {
    local out
    out=$(lab_swanctl gw --list-sas --raw)
    ! grep -q "list-sa event" <<<"$out" || {
        echo "$out"
        return 1
    }
}

sc_natt_grew() {
    local before=$1 after ike esp
    after=$(sc_nft_counter natt)
    esp=$(sc_nft_counter espraw)
    ike=$(sc_nft_counter ike)
    if [ "$after" -le "$before" ] || [ "$esp" != 0 ]; then
        echo "udp/4500 $before -> $after, udp/500 $ike, raw ESP $esp"
        return 1
    fi
}

sc_gw_sent_dns_domain() {
    # ike level >= 2 logs each attribute the gateway builds; only look at the
    # lines written since line $1.
    tail -n "+$(($1 + 1))" "$LAB_DIR/gw/charon.log" |
        grep -q "building INTERNAL_DNS_DOMAIN attribute"
}

sc_client_got_dns_domain() {
    grep -q "processing INTERNAL_DNS_DOMAIN attribute" "$LAB_DIR/sswan/charon.log"
}

# sc_scenario CONN DESC : connect, prove traffic, disconnect.
sc_scenario() {
    local conn=$1 desc=$2 natt0
    nsx nat nft reset counters table inet lab >/dev/null
    natt0=$(sc_nft_counter natt)
    if ! tap_check "$desc: strongSwan client connects through the NAT" \
        lab_swanctl sswan --initiate --ike "$conn" --child "$conn" --timeout 30; then
        diag "$(tail -n 30 "$LAB_DIR/gw/charon.log")"
        return 0
    fi
    tap_check "$desc: virtual IPv4 from 10.99.0.0/24" sc_vip4 10.99.0.
    tap_check "$desc: gateway sees the client NATed, ESP in UDP" sc_gw_sa_behind_nat "$conn"
    tap_check "$desc: ping 10.20.0.10 through the tunnel" nsx client ping -c3 -i0.2 -W2 10.20.0.10
    tap_check "$desc: ping fd00:20::10 through the tunnel" nsx client ping -6 -c3 -i0.2 -W2 fd00:20::10
    tap_check "$desc: HTTP fetch from the LAN host matches" \
        sc_http_hello http://10.20.0.10/hello.txt "$LAB_HELLO_LAN"
    tap_check "$desc: DNS server 10.20.0.10 received" sc_resolv_has_corp_dns
    tap_check "$desc: intranet.corp.test resolves through the tunnel" \
        sc_expect 10.20.0.10 sc_dig client 10.20.0.10 intranet.corp.test
    tap_check "$desc: only UDP 4500 on the wire (nft counters in nat)" sc_natt_grew "$natt0"
    tap_check "$desc: disconnects" lab_swanctl sswan --terminate --ike "$conn" --timeout 30
    tap_check "$desc: gateway has no SA left" wait_for 5 sc_gw_no_sa
    tap_check "$desc: virtual IP removed from the client" sh -c "! ip netns exec $(ns_name client) ip -4 -o addr show | grep -q ' 10\.99\.'"
}

# -- every scenario (lab selfcheck --all) ------------------------------------

sc_log_since() { tail -n "+$(($2 + 1))" "$1"; }

sc_no_vip6() { ! nsx client ip -6 -o addr show | grep -q ' fd00:99::'; }

sc_public_via_gw() {
    sc_http_hello http://203.0.113.80/hello.txt "$LAB_HELLO_PUBLIC" || return 1
    # the public host saw the gateway's address (full-tunnel masquerade)
    tail -n 1 "$LAB_DIR/log/http-public.log" | grep -q '^203\.0\.113\.2 '
}

sc_gw_got_fragments() {
    sc_log_since "$LAB_DIR/gw/charon.log" "$1" | grep -q "received fragment #"
}

sc_child_rekey_soon() {
    local secs
    secs=$(lab_swanctl gw --list-sas --ike "$1" |
        sed -n 's/.*installed .* rekeying in \([0-9]*\)s.*/\1/p' | head -n 1)
    if [ -z "$secs" ] || [ "$secs" -gt 25 ]; then
        echo "CHILD SA rekeys in '${secs}' s"
        return 1
    fi
}

sc_no_mobike() {
    local lines
    lines=$(sc_log_since "$LAB_DIR/sswan/charon.log" "$1" | grep "parsed IKE_AUTH response")
    [ -n "$lines" ] && ! grep -q MOBIKE_SUP <<<"$lines"
}

# sc_quick CONN : connect, scenario-specific checks, ping, disconnect.
sc_quick() {
    local conn=$1 gwlog0 cllog0 pool=10.99.0.
    gwlog0=$(wc -l <"$LAB_DIR/gw/charon.log")
    cllog0=$(wc -l <"$LAB_DIR/sswan/charon.log")
    [ "$conn" = eap-full ] && pool=10.98.0.
    if ! tap_check "$conn: connects" \
        lab_swanctl sswan --initiate --ike "$conn" --child "$conn" --timeout 30; then
        diag "$(sc_log_since "$LAB_DIR/gw/charon.log" "$gwlog0" | tail -n 30)"
        return 0
    fi
    tap_check "$conn: virtual IPv4 from ${pool}0/24" sc_vip4 "$pool"
    tap_check "$conn: ping 10.20.0.10" nsx client ping -c2 -i0.2 -W2 10.20.0.10
    case $conn in
    eap-full)
        tap_check "$conn: public web host through the tunnel, masqueraded by the gateway" \
            sc_public_via_gw
        ;;
    eap-v4only)
        tap_check "$conn: no IPv6 virtual IP" sc_no_vip6
        ;;
    pubkey-big)
        tap_check "$conn: IKE_AUTH arrived in fragments" sc_gw_got_fragments "$gwlog0"
        ;;
    eap-rekey)
        tap_check "$conn: CHILD SA rekeys within 25 s" sc_child_rekey_soon "$conn"
        ;;
    eap-nomobike)
        tap_check "$conn: gateway does not offer MOBIKE" sc_no_mobike "$cllog0"
        ;;
    *)
        tap_check "$conn: ping fd00:20::10" nsx client ping -6 -c2 -i0.2 -W2 fd00:20::10
        ;;
    esac
    tap_check "$conn: disconnects" lab_swanctl sswan --terminate --ike "$conn" --timeout 30
    tap_check "$conn: gateway has no SA left" wait_for 5 sc_gw_no_sa
}

selfcheck_main() {
    local t0=$SECONDS gwlog0
    # Each check reports its own failure; go on after one.
    set +e
    # A client left over from an interrupted run would fake the checks.
    charon_stop sswan
    trap 'charon_stop sswan' EXIT
    tap_plan_lazy
    tap_check "gateway charon answers on vici" lab_swanctl gw --stats
    tap_check "gateway has every scenario loaded" sc_gw_conns_loaded
    tap_check "home resolver: vpn.lab.test is 203.0.113.2" \
        sc_expect 203.0.113.2 sc_dig client 192.168.77.1 vpn.lab.test
    tap_check "home resolver refuses other names" sc_home_refuses
    tap_check "client reaches the public web host through the NAT" \
        sc_http_hello http://203.0.113.80/hello.txt "$LAB_HELLO_PUBLIC"
    tap_check "client cannot reach the corporate LAN without the VPN" sc_no_route_to_corp
    tap_check "corporate resolver: intranet.corp.test AAAA" \
        sc_expect fd00:20::10 sc_dig lan 10.20.0.10 intranet.corp.test AAAA

    rm -f "$LAB_DIR/sswan/charon.log" "$LAB_DIR/sswan/resolv.conf"
    if tap_check "strongSwan client charon starts in $(ns_name client)" charon_start sswan; then
        gwlog0=$(wc -l <"$LAB_DIR/gw/charon.log")
        sc_scenario eap-split "EAP-MSCHAPv2"
        tap_check "gateway sent INTERNAL_DNS_DOMAIN (type 25)" sc_gw_sent_dns_domain "$gwlog0"
        tap_check "client received INTERNAL_DNS_DOMAIN (type 25)" sc_client_got_dns_domain
        sc_scenario pubkey-rsa "RSA certificate"
        if [ "${1:-}" = --all ]; then
            local row
            for row in "${LAB_SCENARIOS[@]}"; do
                sc_quick "$(cut -d'|' -f2 <<<"$row")"
            done
        fi
    fi
    charon_stop sswan
    trap - EXIT
    diag "selfcheck took $((SECONDS - t0)) s"
    tap_done
}
