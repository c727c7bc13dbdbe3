# tests/lab/lib/pki.sh - the lab's certificate authority, generated at `lab up`
# into $LAB_DIR/pki. Nothing here is ever committed.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by the files that source this one
#
#   tsunagu lab root CA (RSA 3072)
#   ├── vpn.lab.test                 gateway, RSA 3072, SAN DNS + IP
#   ├── rsa-client@lab.test          RSA 3072, SAN email
#   ├── ecdsa-client@lab.test        ECDSA P-256, SAN email
#   ├── certeap-client@lab.test      ECDSA P-256 (certificate + EAP scenario)
#   └── tsunagu lab intermediate CA  (RSA 4096)
#       └── big-client@lab.test      RSA 4096: a chain big enough for IKE fragmentation

LAB_P12_PASSPHRASE=tsunagu-lab-p12
LAB_PKI_ORG="O=tsunagu lab"

# pki with only the plugins it needs (no tpm warnings, no surprises).
pki_run() {
    STRONGSWAN_CONF=$LAB_DIR/pki/strongswan.conf pki "$@"
}

# pki_key NAME TYPE SIZE : private key NAME.key
pki_key() {
    pki_run --gen --type "$2" --size "$3" --outform pem >"$LAB_DIR/pki/$1.key"
}

# pki_cert NAME ISSUER DN [pki --issue options...] : NAME.pem signed by ISSUER
pki_cert() {
    local name=$1 issuer=$2 dn=$3
    shift 3
    pki_run --issue --in "$LAB_DIR/pki/$name.key" --type priv \
        --cacert "$LAB_DIR/pki/$issuer.pem" --cakey "$LAB_DIR/pki/$issuer.key" \
        --dn "$dn" --lifetime 730 --digest sha256 --outform pem "$@" \
        >"$LAB_DIR/pki/$name.pem"
}

# pki_p12 NAME [EXTRA_CHAIN_PEM...] : NAME.p12 with key, cert and CA chain
pki_p12() {
    local name=$1 chain=$LAB_DIR/pki/$1.chain.tmp
    shift
    cat "$@" "$LAB_DIR/pki/ca.pem" >"$chain"
    openssl pkcs12 -export -name "$name" \
        -inkey "$LAB_DIR/pki/$name.key" -in "$LAB_DIR/pki/$name.pem" \
        -certfile "$chain" -passout "pass:$LAB_P12_PASSPHRASE" \
        -out "$LAB_DIR/pki/$name.p12"
    rm -f "$chain"
}

pki_up() {
    local d=$LAB_DIR/pki pids=() pid
    mkdir -p "$d"
    chmod 700 "$d"
    cat >"$d/strongswan.conf" <<CONF
pki {
    load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
CONF
    # Key generation is the slow part: run it in parallel.
    pki_key ca rsa 3072 & pids+=($!)
    pki_key intermediate rsa 4096 & pids+=($!)
    pki_key gw rsa 3072 & pids+=($!)
    pki_key rsa-client rsa 3072 & pids+=($!)
    pki_key big-client rsa 4096 & pids+=($!)
    pki_key ecdsa-client ecdsa 256 & pids+=($!)
    pki_key certeap-client ecdsa 256 & pids+=($!)
    for pid in "${pids[@]}"; do
        wait "$pid" || lab_die "key generation failed"
    done

    pki_run --self --ca --in "$d/ca.key" --type priv --lifetime 3650 --digest sha256 \
        --dn "$LAB_PKI_ORG, CN=tsunagu lab root CA" --outform pem >"$d/ca.pem"
    pki_cert intermediate ca "$LAB_PKI_ORG, CN=tsunagu lab intermediate CA" \
        --ca --pathlen 0 --lifetime 1825
    pki_cert gw ca "$LAB_PKI_ORG, CN=vpn.lab.test" \
        --san vpn.lab.test --san 203.0.113.2 --flag serverAuth --flag ikeIntermediate
    pki_cert rsa-client ca "$LAB_PKI_ORG, CN=rsa-client@lab.test" \
        --san rsa-client@lab.test --flag clientAuth
    pki_cert ecdsa-client ca "$LAB_PKI_ORG, CN=ecdsa-client@lab.test" \
        --san ecdsa-client@lab.test --flag clientAuth
    pki_cert certeap-client ca "$LAB_PKI_ORG, CN=certeap-client@lab.test" \
        --san certeap-client@lab.test --flag clientAuth
    pki_cert big-client intermediate "$LAB_PKI_ORG, CN=big-client@lab.test" \
        --san big-client@lab.test --flag clientAuth
    cat "$d/big-client.pem" "$d/intermediate.pem" >"$d/big-client.chain.pem"

    pki_p12 rsa-client
    pki_p12 ecdsa-client
    pki_p12 certeap-client
    pki_p12 big-client "$d/intermediate.pem"
    chmod 600 "$d"/*.key "$d"/*.p12
}
