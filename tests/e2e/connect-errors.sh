#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What a user sees when connecting fails: a wrong password (exit 3, a clear
# message), a gateway whose certificate comes from another CA (exit 3, and
# not even the EAP identity went out), a gateway that does not answer
# (exit 4 after the retransmissions the profile allows), an invalid profile
# (exit 5). Nothing may be left behind in any of them.
LAB_PREFIX=e2x-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_setup
tap_plan_lazy

expect_exit() {
    local name=$1 want=$2 text=$3 rc
    if e2e_connect "$E2E_DIR/$name.tsunagu" "${4:-}"; then
        not_ok "$name: connected although it must not"
        e2e_disconnect
        return
    fi
    rc=${E2E_RC:-124}
    if [ "$rc" = "$want" ]; then
        ok "$name: exit $want"
    else
        not_ok "$name: exit $rc, expected $want"
        diag "$(tail -n 20 "$E2E_OUT")"
    fi
    if grep -q -- "$text" "$E2E_OUT"; then
        ok "$name: says \"$text\""
    else
        not_ok "$name: does not say \"$text\""
        diag "$(tail -n 20 "$E2E_OUT")"
    fi
}

# wrong password
e2e_profile "$E2E_DIR/wrong-password.tsunagu" EAP_SPLIT
expect_exit wrong-password 3 "wrong user name or password" "not-the-password"
e2e_check_clean wrong-password

# the gateway's certificate from another CA: our profile trusts a CA of our
# own making instead of the lab's
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=Some other CA" -keyout "$E2E_DIR/other.key" -out "$E2E_DIR/other.pem" \
    >/dev/null 2>&1
e2e_profile "$E2E_DIR/other-ca.tsunagu" EAP_SPLIT
other=$(openssl x509 -in "$E2E_DIR/other.pem" -outform DER | base64 -w0)
sed -i "s|^certificates = .*|certificates = $other|" "$E2E_DIR/other-ca.tsunagu"
expect_exit other-ca 3 "gateway certificate not trusted" "$LAB_EAP_PASSWORD"
if e2e_gateway_log_since | grep -q "received EAP identity"; then
    not_ok "other-ca: the gateway received an EAP identity"
else
    ok "other-ca: no EAP identity ever reached the gateway"
fi
e2e_check_clean other-ca

# an unreachable gateway (an address nobody answers on) with a short
# retransmission budget: 1 s, then 1.8 s, then 3.24 s
e2e_profile "$E2E_DIR/unreachable.tsunagu" EAP_SPLIT "[crypto]" "retransmit-timeout = 1s" \
    "retransmit-tries = 2"
sed -i "s|^host = .*|host = 203.0.113.99|; s|^remote-id = .*|remote-id = vpn.lab.test|" \
    "$E2E_DIR/unreachable.tsunagu"
start=$(date +%s%N)
expect_exit unreachable 4 "no response from gateway 203.0.113.99 to IKE_SA_INIT" \
    "$LAB_EAP_PASSWORD"
ms=$((($(date +%s%N) - start) / 1000000))
if [ $ms -ge 5500 ] && [ $ms -lt 15000 ]; then
    ok "unreachable: gave up after the retransmission budget (${ms} ms)"
else
    not_ok "unreachable: gave up after ${ms} ms (expected about 6 s)"
fi
e2e_check_clean unreachable

# an invalid profile
printf '[profile]\nname = broken\n[gateway]\nport = 70000\n' >"$E2E_DIR/invalid.tsunagu"
expect_exit invalid 5 "is not a port"

tap_done
