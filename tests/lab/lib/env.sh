# tests/lab/lib/env.sh - `lab env`: everything a test needs, as KEY=value lines.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by the files that source this one

# The scenarios. Columns: NAME|gateway connection|IKE IDi|auth|EAP identity|
# client cert (basename in $LAB_DIR/pki, empty for none)|tunnel|IPv4 pool|IPv6 pool
LAB_SCENARIOS=(
    "EAP_SPLIT|eap-split|alice@split.lab.test|eap-mschapv2|alice||split|10.99.0.0/24|fd00:99::/112"
    "EAP_FULL|eap-full|alice@full.lab.test|eap-mschapv2|alice||full|10.98.0.0/24|fd00:99::/112"
    "EAP_MD5|eap-md5|alice@md5.lab.test|eap-md5|alice||split|10.99.0.0/24|fd00:99::/112"
    "EAP_TLS|eap-tls|rsa-client@tls.lab.test|eap-tls|rsa-client@lab.test|rsa-client|split|10.99.0.0/24|fd00:99::/112"
    "RSA|pubkey-rsa|rsa-client@lab.test|pubkey||rsa-client|split|10.99.0.0/24|fd00:99::/112"
    "ECDSA|pubkey-ecdsa|ecdsa-client@lab.test|pubkey||ecdsa-client|split|10.99.0.0/24|fd00:99::/112"
    "BIG|pubkey-big|big-client@lab.test|pubkey||big-client|split|10.99.0.0/24|fd00:99::/112"
    "CERT_EAP|cert-eap|certeap-client@lab.test|pubkey+eap-mschapv2|alice|certeap-client|split|10.99.0.0/24|fd00:99::/112"
    "V4ONLY|eap-v4only|alice@v4only.lab.test|eap-mschapv2|alice||split-v4|10.99.0.0/24|"
    "REKEY|eap-rekey|alice@rekey.lab.test|eap-mschapv2|alice||split|10.99.0.0/24|fd00:99::/112"
    "NOMOBIKE|eap-nomobike|alice@nomobike.lab.test|eap-mschapv2|alice||split|10.99.0.0/24|fd00:99::/112"
    "REAUTH|eap-reauth|alice@reauth.lab.test|eap-mschapv2|alice||split|10.99.0.0/24|fd00:99::/112"
)
LAB_EAP_PASSWORD=alice-lab-password

lab_kv() { printf '%s=%q\n' "$1" "$2"; }

lab_env() {
    local d=$LAB_DIR row name conn id auth eap cert tunnel pool4 pool6 names=
    local sha=
    sha=$(cat "$LAB_DIR/srv/big.sha256" 2>/dev/null || true)
    lab_kv LAB_PREFIX "$P"
    lab_kv LAB_DIR "$d"
    lab_kv LAB_TOOL "$LAB_HOME/lab"
    lab_kv LAB_NS_CLIENT "$(ns_name client)"
    lab_kv LAB_NS_NAT "$(ns_name nat)"
    lab_kv LAB_NS_INET "$(ns_name inet)"
    lab_kv LAB_NS_GW "$(ns_name gw)"
    lab_kv LAB_NS_LAN "$(ns_name lan)"
    # addresses
    lab_kv LAB_CLIENT_IF eth0
    lab_kv LAB_CLIENT_IP 192.168.77.2
    lab_kv LAB_CLIENT_PREFIX 192.168.77.0/24
    lab_kv LAB_HOME_ROUTER_IP 192.168.77.1
    lab_kv LAB_HOME_DNS 192.168.77.1
    lab_kv LAB_NAT_WAN_IP 198.51.100.2
    lab_kv LAB_INET_HOME_IP 198.51.100.1
    lab_kv LAB_INET_DC_IP 203.0.113.1
    lab_kv LAB_PUBLIC_WEB_IP 203.0.113.80
    lab_kv LAB_PUBLIC_WEB_NAME www.public.test
    lab_kv LAB_PUBLIC_HELLO_URL http://203.0.113.80/hello.txt
    lab_kv LAB_PUBLIC_HELLO_CONTENT "$LAB_HELLO_PUBLIC"
    lab_kv LAB_GW_IP 203.0.113.2
    lab_kv LAB_GW_NAME vpn.lab.test
    lab_kv LAB_GW_ID vpn.lab.test
    lab_kv LAB_GW_CORP_IP 10.20.0.1
    lab_kv LAB_GW_CORP_IP6 fd00:20::1
    lab_kv LAB_CORP_NET 10.20.0.0/24
    lab_kv LAB_CORP_NET6 fd00:20::/64
    lab_kv LAB_LAN_IP 10.20.0.10
    lab_kv LAB_LAN_IP6 fd00:20::10
    lab_kv LAB_CORP_DNS 10.20.0.10
    lab_kv LAB_CORP_DNS6 fd00:20::10
    lab_kv LAB_CORP_DOMAIN corp.test
    lab_kv LAB_INTRANET_NAME intranet.corp.test
    lab_kv LAB_POOL_SPLIT 10.99.0.0/24
    lab_kv LAB_POOL_FULL 10.98.0.0/24
    lab_kv LAB_POOL6 fd00:99::/112
    # services on the corporate LAN host
    lab_kv LAB_HELLO_URL http://10.20.0.10/hello.txt
    lab_kv LAB_HELLO_URL6 "http://[fd00:20::10]/hello.txt"
    lab_kv LAB_HELLO_CONTENT "$LAB_HELLO_LAN"
    lab_kv LAB_HELLO_FILE "$d/srv/www-lan/hello.txt"
    lab_kv LAB_BIG_URL http://10.20.0.10/big.bin
    lab_kv LAB_BIG_SIZE "$((LAB_BIG_MIB << 20))"
    lab_kv LAB_BIG_SHA256 "$sha"
    lab_kv LAB_IPERF_SERVER 10.20.0.10
    # the home router's nftables (counters ike/natt/espraw, empty chain "loss")
    lab_kv LAB_NAT_NFT_TABLE "inet lab"
    # PKI
    lab_kv LAB_PKI_DIR "$d/pki"
    lab_kv LAB_CA_CERT "$d/pki/ca.pem"
    lab_kv LAB_INTERMEDIATE_CERT "$d/pki/intermediate.pem"
    lab_kv LAB_GW_CERT "$d/pki/gw.pem"
    lab_kv LAB_P12_PASSPHRASE "$LAB_P12_PASSPHRASE"
    lab_kv LAB_EAP_ID alice
    lab_kv LAB_EAP_PASSWORD "$LAB_EAP_PASSWORD"
    # the gateway's charon
    lab_kv LAB_GW_DIR "$d/gw"
    lab_kv LAB_GW_VICI "$(charon_vici gw)"
    lab_kv LAB_GW_VICI_SOCKET "$d/gw/charon.vici"
    lab_kv LAB_GW_LOG "$d/gw/charon.log"
    lab_kv LAB_GW_STRONGSWAN_CONF "$d/gw/strongswan.conf"
    lab_kv LAB_GW_SWANCTL_DIR "$d/gw/swanctl"
    lab_kv LAB_SSWAN_VICI "$(charon_vici sswan)"
    lab_kv LAB_SSWAN_LOG "$d/sswan/charon.log"
    # scenarios: LAB_SC_<NAME>_{CONN,ID,AUTH,EAP_ID,PASSWORD,CERT,KEY,P12,TUNNEL,POOL4,POOL6}
    for row in "${LAB_SCENARIOS[@]}"; do
        IFS='|' read -r name conn id auth eap cert tunnel pool4 pool6 <<<"$row"
        names="$names $name"
        lab_kv "LAB_SC_${name}_CONN" "$conn"
        lab_kv "LAB_SC_${name}_ID" "$id"
        lab_kv "LAB_SC_${name}_AUTH" "$auth"
        lab_kv "LAB_SC_${name}_EAP_ID" "$eap"
        if [ -n "$eap" ] && [ "$auth" != eap-tls ]; then
            lab_kv "LAB_SC_${name}_PASSWORD" "$LAB_EAP_PASSWORD"
        else
            lab_kv "LAB_SC_${name}_PASSWORD" ""
        fi
        if [ -n "$cert" ]; then
            lab_kv "LAB_SC_${name}_CERT" "$d/pki/$cert.pem"
            lab_kv "LAB_SC_${name}_KEY" "$d/pki/$cert.key"
            lab_kv "LAB_SC_${name}_P12" "$d/pki/$cert.p12"
        else
            lab_kv "LAB_SC_${name}_CERT" ""
            lab_kv "LAB_SC_${name}_KEY" ""
            lab_kv "LAB_SC_${name}_P12" ""
        fi
        lab_kv "LAB_SC_${name}_TUNNEL" "$tunnel"
        lab_kv "LAB_SC_${name}_POOL4" "$pool4"
        lab_kv "LAB_SC_${name}_POOL6" "$pool6"
    done
    lab_kv LAB_SCENARIOS "${names# }"
}
