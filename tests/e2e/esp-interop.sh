#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ESP interop with the lab's strongSwan gateway (kernel-libipsec), data both
# ways, for every ESP transform we offer, once with the datapath's offloads
# (TUN TSO/USO, UDP GSO/GRO: the default) and once without
# (TSUNAGU_DATAPATH_OFFLOAD=0, the per-packet path of kernels without them).
# Each case: the ESP suite the gateway shows; a 20 MiB HTTP download from
# the LAN host and a 20 MiB upload to a sink there, both compared by SHA-256;
# iperf3 -t 3 towards the LAN host; 1400-byte pings with DF set (the tunnel's
# MTU); the gateway's SA byte counters saw both 20 MiB; our counters
# (SIGUSR1) agree, show the offload mode asked for and no integrity,
# padding, format or replay drop; a clean disconnect.
LAB_PREFIX="e2i$(printf %s "$$" | md5sum | cut -c1-4)-"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

e2e_setup
command -v iperf3 >/dev/null || tap_skip_all "iperf3 is not installed"
tap_plan_lazy

MIB20=$((20 << 20))
SINK_PORT=9077
in_lan() { ip netns exec "$LAB_NS_LAN" "$@"; }

# The 20 MiB file, served by the LAN host's web server.
webroot=$(dirname "$LAB_HELLO_FILE")
head -c "$MIB20" /dev/urandom >"$webroot/esp-interop.bin"
down_sha=$(sha256sum <"$webroot/esp-interop.bin" | cut -d' ' -f1)
down_url="http://$LAB_LAN_IP/esp-interop.bin"
# What we upload (its own random bytes).
head -c "$MIB20" /dev/urandom >"$E2E_DIR/upload.bin"
up_sha=$(sha256sum <"$E2E_DIR/upload.bin" | cut -d' ' -f1)

# A TCP sink on the LAN host: one connection, prints "BYTES SHA256" at EOF.
SINK_PY='import hashlib, socket, sys
s = socket.create_server((sys.argv[1], int(sys.argv[2])))
s.settimeout(60)
c, _ = s.accept()
c.settimeout(60)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest(), flush=True)'

# upload NAME: 20 MiB to the sink through the tunnel, compared by SHA-256.
upload() {
    local name=$1 out=$E2E_DIR/sink.$RANDOM t=0 got
    in_lan python3 -c "$SINK_PY" "$LAB_LAN_IP" "$SINK_PORT" >"$out" 2>&1 &
    local sink=$!
    while ! in_lan ss -Hltn "sport = :$SINK_PORT" | grep -q LISTEN && [ $t -lt 50 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    in_client timeout 60 bash -c 'cat "$0" >"/dev/tcp/$1/$2"' "$E2E_DIR/upload.bin" \
        "$LAB_LAN_IP" "$SINK_PORT"
    t=0
    while kill -0 "$sink" 2>/dev/null && [ $t -lt 300 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    kill "$sink" 2>/dev/null
    wait "$sink" 2>/dev/null
    got=$(cat "$out")
    if [ "$got" = "$MIB20 $up_sha" ]; then
        ok "$name: 20 MiB upload to the LAN host arrived whole (SHA-256)"
    else
        not_ok "$name: 20 MiB upload to the LAN host: got '$got', want '$MIB20 $up_sha'"
    fi
}

# status_block: SIGUSR1 to our client, then its status block (the lines
# after the last "status:" line) once it is complete.
status_block() {
    local before t=0
    before=$(grep -c '^  drops ' "$E2E_OUT")
    kill -USR1 "$E2E_PID"
    while [ "$(grep -c '^  drops ' "$E2E_OUT")" = "$before" ] && [ $t -lt 50 ]; do
        sleep 0.1
        t=$((t + 1))
    done
    awk '/^status: /{b=""} {b=b $0 "\n"} END{printf "%s", b}' "$E2E_OUT"
}

# gateway_sa_bytes DIR: bytes of the gateway's CHILD SA, "in" (from us) or
# "out" (to us).
gateway_sa_bytes() {
    "$LAB" gw swanctl --list-sas 2>/dev/null |
        sed -n "s/^ *$1  *[0-9a-f]*, *\([0-9]*\) bytes.*/\1/p" | head -n1
}

# The switch refuses what it does not know, before anything else.
out=$(TSUNAGU_DATAPATH_OFFLOAD=maybe "$TSUNAGU" connect --foreground /nonexistent 2>&1)
rc=$?
if [ $rc = 2 ] && grep -q "TSUNAGU_DATAPATH_OFFLOAD must be 0 or 1 (got 'maybe')" <<<"$out"; then
    ok "TSUNAGU_DATAPATH_OFFLOAD=maybe is refused (exit 2)"
else
    not_ok "TSUNAGU_DATAPATH_OFFLOAD=maybe: exit $rc: $out"
fi

# name | ESP proposal | what the gateway must show
algs=(
    "aes-gcm-128|aes128gcm16!|ESP:AES_GCM_16-128"
    "aes-gcm-256|aes256gcm16!|ESP:AES_GCM_16-256"
    "chacha20-poly1305|chacha20poly1305!|ESP:CHACHA20_POLY1305"
    "aes-cbc-256-sha256|aes256-sha256!|ESP:AES_CBC-256/HMAC_SHA2_256_128"
)
declare -A mode_seen=()
for row in "${algs[@]}"; do
    IFS='|' read -r alg esp want <<<"$row"
    e2e_profile "$E2E_DIR/$alg.tsunagu" EAP_SPLIT "[crypto]" "esp = $esp"
    for offload in 1 0; do
        if [ $offload = 1 ]; then name="$alg offloads on"; else name="$alg offloads off"; fi
        export TSUNAGU_DATAPATH_OFFLOAD=$offload
        e2e_connect "$E2E_DIR/$alg.tsunagu" "$LAB_EAP_PASSWORD"
        rc=$?
        unset TSUNAGU_DATAPATH_OFFLOAD
        if [ $rc != 0 ]; then
            not_ok "$name: connected (exit $rc)"
            diag "$(tail -n 20 "$E2E_OUT")"
            [ -n "${E2E_PID:-}" ] && e2e_disconnect
            e2e_check_clean "$name"
            continue
        fi
        ok "$name: connected in ${E2E_CONNECT_S:-?} s"
        E2E_TIMES="${E2E_TIMES:-}$alg/$offload=${E2E_CONNECT_S:-?}s "
        sas=$("$LAB" gw swanctl --list-sas 2>&1)
        if grep -q "${want#ESP:}" <<<"$sas"; then
            ok "$name: the gateway shows ${want#ESP:}"
        else
            not_ok "$name: the gateway shows ${want#ESP:}"
            diag "$sas"
        fi

        # Download: HTTP from the LAN host, compared by SHA-256.
        got=$(in_client curl -sS -m 60 "$down_url" 2>&1 | sha256sum | cut -d' ' -f1)
        if [ "$got" = "$down_sha" ]; then
            ok "$name: 20 MiB HTTP download from the LAN host (SHA-256 matches)"
        else
            not_ok "$name: 20 MiB HTTP download: SHA-256 $got, want $down_sha"
        fi
        upload "$name"
        j=$(in_client iperf3 -c "$LAB_IPERF_SERVER" -t 3 -J 2>&1)
        bps=$(python3 -c 'import json, sys
try:
    print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))
except Exception:
    print(0)' <<<"$j")
        if [ "${bps:-0}" -gt 0 ]; then
            ok "$name: iperf3 TCP upload, $((bps / 1000000)) Mbit/s"
        else
            not_ok "$name: iperf3 TCP upload"
            diag "$(head -c 600 <<<"$j")"
        fi
        # 1400-byte IPv4 packets (1372 bytes of ICMP data): the tunnel's MTU,
        # DF set, so nothing may fragment them.
        tap_check "$name: ping with 1400-byte packets (DF) through the tunnel" \
            in_client ping -c 5 -i 0.2 -W 2 -s 1372 -M do "$LAB_LAN_IP"

        # The gateway saw both transfers on this SA.
        gin=$(gateway_sa_bytes in)
        gout=$(gateway_sa_bytes out)
        if [ "${gin:-0}" -ge "$MIB20" ] && [ "${gout:-0}" -ge "$MIB20" ]; then
            ok "$name: the gateway's SA counted $gin bytes in, $gout bytes out"
        else
            not_ok "$name: the gateway's SA counted ${gin:-?} bytes in, ${gout:-?} bytes out (want >= $MIB20 each)"
            diag "$("$LAB" gw swanctl --list-sas 2>&1)"
        fi

        # Our side: the mode asked for, the same traffic, no bad packets.
        st=$(status_block)
        mode=$(sed -n 's/^  datapath    //p' <<<"$st")
        mode_seen[$alg.$offload]=$mode
        if [ $offload = 0 ]; then
            if [ "$mode" = "tun=plain gso=off gro=off" ]; then
                ok "$name: datapath $mode"
            else
                not_ok "$name: datapath '$mode', want tun=plain gso=off gro=off"
                diag "$st"
            fi
        elif [ -n "$mode" ]; then
            ok "$name: datapath $mode"
        else
            not_ok "$name: no datapath line in the status"
            diag "$st"
        fi
        read -r pin pout < <(sed -n 's/^  packets     in \([0-9]*\), out \([0-9]*\)$/\1 \2/p' <<<"$st")
        read -r bin bout < <(sed -n 's/^  bytes       in \([0-9]*\), out \([0-9]*\)$/\1 \2/p' <<<"$st")
        if [ "${bin:-0}" -ge "$MIB20" ] && [ "${bout:-0}" -ge "$MIB20" ]; then
            ok "$name: our counters: $pin packets $bin bytes in, $pout packets $bout bytes out"
        else
            not_ok "$name: our counters: ${bin:-?} bytes in, ${bout:-?} bytes out (want >= $MIB20 each)"
            diag "$st"
        fi
        drops=$(sed -n 's/^  drops       //p' <<<"$st")
        if [ -n "$drops" ] && ! grep -qE '(^| )(bad_icv|malformed|bad_padding|bad_next_header|replay|unknown_spi|bad_inner)=' <<<"$drops"; then
            ok "$name: no bad-ICV, malformed, padding, next-header, replay, SPI or inner-packet drops ($drops)"
        else
            not_ok "$name: drops: '${drops:-no drops line}'"
            diag "$st"
        fi

        e2e_disconnect
        rc=$?
        [ $rc = 0 ] && ok "$name: disconnected" || not_ok "$name: disconnect exit $rc"
        e2e_check_clean "$name"
    done
    # The switch really changes the datapath.
    on=${mode_seen[$alg.1]:-} off=${mode_seen[$alg.0]:-}
    if [ -z "$on" ] || [ -z "$off" ]; then
        not_ok "$alg: both datapath modes seen ('$on' / '$off')"
    elif [ "$on" = "tun=plain gso=off gro=off" ]; then
        skip "$alg: this kernel offers no TUN or UDP offloads: both runs were per-packet"
    elif [ "$on" != "$off" ]; then
        ok "$alg: offloads on ($on) and off ($off) are different datapaths"
    else
        not_ok "$alg: the same datapath with offloads on and off ($on)"
    fi
done

diag "connect times: $E2E_TIMES"
tap_done
