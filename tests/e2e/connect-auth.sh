#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tsunagu connect --foreground against the lab's strongSwan gateway through
# the home NAT, once per way of authenticating: EAP-MSCHAPv2, EAP-MD5,
# EAP-TLS, RSA and ECDSA certificates, certificate + EAP (RFC 4739), and the
# BIG scenario (RSA 4096 plus its intermediate: IKE_AUTH needs RFC 7383
# fragmentation both ways). Each: connected, virtual IP, ping, HTTP and DNS
# through the tunnel, clean disconnect, nothing left on either side.
LAB_PREFIX=e2a-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_setup
tap_plan_lazy

for sc in EAP_SPLIT EAP_MD5 EAP_TLS RSA ECDSA CERT_EAP BIG; do
    e2e_profile "$E2E_DIR/$sc.tsunagu" "$sc"
    eval "pw=\$LAB_SC_${sc}_PASSWORD"
    e2e_run_case "$sc" "$E2E_DIR/$sc.tsunagu" "$pw"
done

# BIG really fragmented our IKE_AUTH (the gateway reassembled it).
if grep -q 'received fragment #3 of 3' "$LAB_GW_LOG" ||
    grep -q 'received fragment #2 of' "$LAB_GW_LOG"; then
    ok "BIG: the gateway reassembled our fragmented IKE_AUTH"
else
    not_ok "BIG: no fragments seen by the gateway"
fi

# A full tunnel: everything through the gateway (kill switch on by default).
e2e_profile "$E2E_DIR/full.tsunagu" EAP_FULL
sed -i 's/^mode = split$/mode = full/' "$E2E_DIR/full.tsunagu"
e2e_run_case EAP_FULL "$E2E_DIR/full.tsunagu" "$LAB_EAP_PASSWORD" 10.98.0.0/24

# The same gateway from a strongSwan .sswan file, used as it is (no import
# step): profile_import() reads every format.
cat >"$E2E_DIR/lab.sswan" <<EOF
{
  "uuid": "$(cat /proc/sys/kernel/random/uuid)",
  "name": "lab from a .sswan file",
  "type": "ikev2-eap",
  "remote": { "addr": "$LAB_GW_NAME", "id": "$LAB_GW_ID", "cert": "$E2E_CA_B64" },
  "local": { "id": "$LAB_SC_EAP_SPLIT_ID", "eap_id": "$LAB_SC_EAP_SPLIT_EAP_ID" },
  "split-tunneling": { "subnets": "$LAB_CORP_NET" }
}
EOF
e2e_run_case SSWAN "$E2E_DIR/lab.sswan" "$LAB_EAP_PASSWORD"

diag "connect times: $E2E_TIMES"
tap_done
