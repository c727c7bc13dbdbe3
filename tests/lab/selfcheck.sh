#!/bin/bash
# tests/lab/selfcheck.sh - automake test: build a lab of its own, prove it
# with strongSwan as the client (`lab selfcheck`, TAP), always tear it down.
# SPDX-License-Identifier: GPL-2.0-or-later
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
tap_require_lab

export LAB_PREFIX=${SELFCHECK_PREFIX:-tsc-}
unset LAB_DIR
lab=$here/lab

# Diagnostics go to stderr as TAP comments so the harness's log keeps them.
teardown() { "$lab" down 2>&1 | sed 's/^/# /' >&2; }
trap teardown EXIT
trap 'exit 130' INT TERM

# Start from scratch even if an interrupted run left a lab with this prefix.
"$lab" down >/dev/null 2>&1 || true
if ! up_log=$("$lab" up 2>&1); then
    echo "1..1"
    echo "not ok 1 - lab up (prefix $LAB_PREFIX)"
    diag "$up_log"
    exit 1
fi
diag "$up_log"
"$lab" selfcheck
