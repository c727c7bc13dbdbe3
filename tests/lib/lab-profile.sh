# SPDX-License-Identifier: GPL-2.0-or-later
#
# lab_profile SCENARIO NAME MODE [LINE...]: prints a tsunagu profile for one
# of the lab's gateway scenarios (tests/lab/README.md; the LAB_SC_<SCENARIO>_*
# variables of `lab env` must be set), tunnel mode MODE (split or full).
# Extra lines are appended as they are ("[crypto]", "dpd-interval = 5s").
# LAB_PROFILE_UUID, when set, is the profile's UUID (else a new one).
# Certificate scenarios embed the client's PKCS#12 with its passphrase.
lab_profile() {
    local sc=$1 name=$2 mode=$3 auth id eap p12 method line
    shift 3
    eval "auth=\${LAB_SC_${sc}_AUTH:-} id=\${LAB_SC_${sc}_ID:-}"
    eval "eap=\${LAB_SC_${sc}_EAP_ID:-} p12=\${LAB_SC_${sc}_P12:-}"
    if [ -z "$auth" ] || [ -z "$id" ]; then
        echo "lab_profile: unknown scenario '$sc' (is the lab's env loaded?)" >&2
        return 1
    fi
    case $auth in
        pubkey) method=cert ;;
        pubkey+eap-mschapv2) method=cert+eap ;;
        *) method=$auth ;;
    esac
    echo "[profile]"
    echo "version = 1"
    echo "name = $name"
    echo "uuid = ${LAB_PROFILE_UUID:-$(cat /proc/sys/kernel/random/uuid)}"
    echo "[gateway]"
    echo "host = $LAB_GW_NAME"
    echo "remote-id = $LAB_GW_ID"
    echo "[ca]"
    echo "certificates = $(openssl x509 -in "$LAB_CA_CERT" -outform DER | base64 -w0)"
    echo "[auth]"
    echo "method = $method"
    echo "local-id = $id"
    [ -n "$eap" ] && echo "eap-id = $eap"
    case $method in
        cert | cert+eap | eap-tls)
            echo "pkcs12 = $(base64 -w0 "$p12")"
            echo "passphrase = $LAB_P12_PASSPHRASE"
            ;;
    esac
    echo "[tunnel]"
    echo "mode = $mode"
    for line in "$@"; do
        echo "$line"
    done
}
