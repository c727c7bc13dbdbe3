#!/bin/bash
# tests/vectors/ike/check.sh - automake test: check-vectors.py proves the
# captured IKEv2 vectors (keys recomputed, every message decrypted, payload
# lists and AUTH payloads verified), then proves that it catches damage.
# SPDX-License-Identifier: GPL-2.0-or-later
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../../lib/tap.sh"

# Debian's interpreter: python3-cryptography is a Debian package
# (packaging/deps/debian.txt), not something a user's PATH python has.
py=/usr/bin/python3
[ -x "$py" ] || tap_skip_all "$py is missing"
"$py" -c 'import cryptography' 2>/dev/null || tap_skip_all "python3-cryptography is missing"

exec "$py" "$here/check-vectors.py" --self-test "$here"
