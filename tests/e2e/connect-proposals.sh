#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each IKE and ESP proposal family the lab gateway offers, pinned with
# strict proposal lists so that nothing else can be negotiated: AES-GCM-128
# and -256, ChaCha20-Poly1305, AES-CBC-256 with HMAC-SHA2-256; key
# exchange groups 19, 20, 31 and 14. The negotiated suite is read back from
# the gateway.
LAB_PREFIX=e2p-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_setup
tap_plan_lazy

# name | IKE proposal | ESP proposal | what the gateway must show
cases=(
    "gcm128-ecp256|aes128gcm16-prfsha256-ecp256!|aes128gcm16!|AES_GCM_16-128/PRF_HMAC_SHA2_256/ECP_256|ESP:AES_GCM_16-128"
    "gcm256-ecp384|aes256gcm16-prfsha384-ecp384!|aes256gcm16!|AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384|ESP:AES_GCM_16-256"
    "chacha-x25519|chacha20poly1305-prfsha256-curve25519!|chacha20poly1305!|CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519|ESP:CHACHA20_POLY1305"
    "cbc256-modp2048|aes256-sha256-modp2048!|aes256-sha256!|AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048|ESP:AES_CBC-256/HMAC_SHA2_256_128"
)
for row in "${cases[@]}"; do
    IFS='|' read -r name ike esp want_ike want_esp <<<"$row"
    e2e_profile "$E2E_DIR/$name.tsunagu" EAP_SPLIT "[crypto]" "ike = $ike" "esp = $esp"
    if e2e_connect "$E2E_DIR/$name.tsunagu" "$LAB_EAP_PASSWORD"; then
        ok "$name: connected in ${E2E_CONNECT_S:-?} s"
        E2E_TIMES="${E2E_TIMES:-}$name=${E2E_CONNECT_S:-?}s "
        sas=$("$LAB" gw swanctl --list-sas 2>&1)
        if grep -q "$want_ike" <<<"$sas" && grep -q "${want_esp#ESP:}" <<<"$sas"; then
            ok "$name: the gateway shows $want_ike and ${want_esp#ESP:}"
        else
            not_ok "$name: the gateway shows $want_ike and ${want_esp#ESP:}"
            diag "$sas"
        fi
        e2e_check_tunnel "$name" 10.99.0.0/24
        e2e_disconnect
        rc=$?
        [ $rc = 0 ] && ok "$name: disconnected" || not_ok "$name: disconnect exit $rc"
    else
        not_ok "$name: connected (exit $?)"
        diag "$(tail -n 20 "$E2E_OUT")"
    fi
    e2e_check_clean "$name"
done

diag "connect times: $E2E_TIMES"
tap_done
