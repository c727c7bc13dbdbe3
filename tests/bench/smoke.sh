#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/run --smoke in make check (lab only): the benchmarks run, their
# last line is one JSON object, and traffic really went through the tunnel.
# Never a speed threshold.
. "$top_srcdir/tests/lib/tap.sh"
tap_require_lab
command -v iperf3 >/dev/null || tap_skip_all "iperf3 is not installed"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
tap_plan 6
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
tap_done
