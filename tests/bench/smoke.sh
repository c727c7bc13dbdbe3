#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/run --smoke in make check (lab only): the benchmarks run, their
# last line is one JSON object, traffic really went through the tunnel, and
# tsunagu, charon-cmd and swanctl connected to the lab's gateway for every
# handshake method.
# Never a speed threshold.
. "$top_srcdir/tests/lib/tap.sh"
tap_require_lab
command -v iperf3 >/dev/null || tap_skip_all "iperf3 is not installed"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
command -v swanctl >/dev/null && command -v charon-cmd >/dev/null ||
        tap_skip_all "strongSwan (swanctl, charon-cmd) is not installed"
tap_plan 11
out=$(python3 "$top_srcdir/tests/bench/run" --smoke --builddir "$top_builddir" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "tests/bench/run --smoke exits 0" || { not_ok "tests/bench/run --smoke exits $rc"; diag "$out"; }
last=$(printf '%s\n' "$out" | tail -n 1)
check() {
        printf '%s' "$last" | python3 -c "import json, sys; j = json.load(sys.stdin); sys.exit(0 if ($1) else 1)"
}
if check "isinstance(j, dict)"; then ok "the last line is a JSON object"; else not_ok "the last line is not JSON: $last"; diag "$out"; fi
if check "j.get('transform_aes128gcm_encap_gbps', 0) > 0 and j.get('transform_aes128gcm_decap_gbps', 0) > 0"; then
        ok "esp-transform measured AES-128-GCM both ways"
else
        not_ok "esp-transform figures missing"
fi
for mode in aes128gcm null fallback; do
        if check "j.get('tunnel_${mode}_rx_packets', 0) > 0 and (j.get('tunnel_tcp_${mode}_gbps') or 0) > 0"; then
                ok "traffic flowed through the $mode tunnel"
        else
                not_ok "no traffic through the $mode tunnel"
                printf '%s\n' "$out" | grep -E 'tunnel|TCP|UDP|esp-static' | sed 's/^/# /'
        fi
done
for m in eap-mschapv2 eap-tls rsa-cert ecdsa-cert; do
        h="handshake_$(printf %s "$m" | tr - _)"
        if check "all((j.get('${h}_%s_median_ms' % c) or 0) > 0 and j.get('${h}_%s_rounds' % c) == 2 for c in ('tsunagu', 'charon_cmd', 'swanctl')) and (j.get('${h}_ratio_vs_charon_cmd') or 0) > 0"; then
                ok "handshake $m: the three clients connected twice ($(printf '%s' "$last" | python3 -c "import json, sys; j = json.load(sys.stdin); print('tsunagu %s ms, charon-cmd %s ms, swanctl %s ms' % (j['${h}_tsunagu_median_ms'], j['${h}_charon_cmd_median_ms'], j['${h}_swanctl_median_ms']))"))"
        else
                not_ok "handshake $m: figures missing"
                printf '%s\n' "$out" | grep -A4 -E "^  $m|handshake" | sed 's/^/# /'
        fi
done
if check "j.get('errors') == []"; then ok "no errors"; else not_ok "errors: $(printf '%s' "$last" | python3 -c "import json, sys; print(json.load(sys.stdin).get('errors'))")"; fi
tap_done
