#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tsunagu check: exit codes, output, masked secrets, on the profile vectors,
# the packaged examples and broken files.
. "$top_srcdir/tests/lib/tap.sh"

tsunagu="$top_builddir/client/tsunagu"
vectors="$top_srcdir/tests/vectors/profiles"
examples="$top_srcdir/packaging/examples"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tsunagu-cli-check.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

tap_plan_lazy

# expect_exit CODE DESCRIPTION CMD...: the command exits with CODE.
expect_exit() {
        want=$1 desc=$2
        shift 2
        "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ "$rc" -eq "$want" ]; then
                ok "$desc"
        else
                not_ok "$desc (exit $rc, wanted $want)"
                diag "$(cat "$tmp/out" "$tmp/err" | head -n 20)"
        fi
}

# expect_in FILE TEXT DESCRIPTION / expect_not_in FILE TEXT DESCRIPTION
expect_in() {
        if grep -qF -- "$2" "$1"; then ok "$3"; else not_ok "$3"; diag "$(head -n 20 "$1")"; fi
}
expect_not_in() {
        if grep -qF -- "$2" "$1"; then not_ok "$3"; diag "$(grep -F -- "$2" "$1" | head -n 3)"; else ok "$3"; fi
}

expect_exit 0 "version" "$tsunagu" version
expect_in "$tmp/out" "tsunagu" "version prints the name"
expect_exit 0 "--help" "$tsunagu" --help
expect_in "$tmp/out" "5 profile invalid" "help documents the exit codes"
expect_exit 2 "no command is a usage error" "$tsunagu"
expect_exit 2 "an unknown command is a usage error" "$tsunagu" frobnicate
expect_exit 2 "check without a file is a usage error" "$tsunagu" check
expect_exit 2 "check with an unknown option is a usage error" "$tsunagu" check --bogus x
expect_exit 2 "check with an unknown format is a usage error" "$tsunagu" check --format=ini x
expect_exit 1 "a file that cannot be read" "$tsunagu" check "$tmp/does-not-exist"

sswan=yes
"$tsunagu" version | grep -q 'not built' && sswan=no

for f in "$vectors"/*.tsunagu "$vectors"/*.sswan "$vectors"/*.mobileconfig "$examples"/*.tsunagu; do
        name=${f#"$top_srcdir"/}
        case "$f" in
        *.sswan) if [ "$sswan" = no ]; then skip "$name: built without json-glib"; continue; fi ;;
        esac
        expect_exit 0 "$name is valid" "$tsunagu" check "$f"
        expect_in "$tmp/out" "[profile]" "$name is printed in our format"
done

# Secrets are shown masked, never in clear.
expect_exit 0 "a profile with a stored password" "$tsunagu" check "$vectors/eap-mschapv2-full.tsunagu"
expect_not_in "$tmp/out" "correct horse" "the EAP password is not printed"
expect_in "$tmp/out" "eap-password = ********" "the EAP password is masked"
p12=$(sed -n 's/^pkcs12 = \(.\{40\}\).*/\1/p' "$vectors/cert-eap-full.tsunagu")
expect_exit 0 "a profile with a PKCS#12 and its passphrase" "$tsunagu" check "$vectors/cert-eap-full.tsunagu"
expect_not_in "$tmp/out" "$p12" "the PKCS#12 is not printed"
expect_not_in "$tmp/out" "test-only" "the passphrase is not printed"
expect_in "$tmp/out" "pkcs12 = ********" "the PKCS#12 is masked"
expect_exit 0 "a .mobileconfig with AuthPassword" "$tsunagu" check "$vectors/eap.mobileconfig"
expect_not_in "$tmp/out" "correct horse" "the AuthPassword is not printed"

# Broken profiles: exit 5 and every error named by its field.
printf '[profile]\nname = Broken\n[gateway]\nhost = vpn.example.com\nport = 0\n' >"$tmp/bad.tsunagu"
expect_exit 5 "an invalid profile exits 5" "$tsunagu" check "$tmp/bad.tsunagu"
expect_in "$tmp/err" "[gateway] port" "the error names [gateway] port"
expect_in "$tmp/err" "[auth] method" "the error names [auth] method"
expect_in "$tmp/err" "invalid (2 errors)" "the errors are counted"
head -c 1100000 /dev/zero | tr '\0' '#' >"$tmp/huge.tsunagu"
expect_exit 5 "a file over 1 MiB exits 5" "$tsunagu" check "$tmp/huge.tsunagu"
expect_in "$tmp/err" "limited to 1048576 bytes" "the size limit is named"
printf 'wrong\n' >"$tmp/wrong-pass"
if [ "$sswan" = yes ]; then
        expect_exit 5 "a wrong PKCS#12 passphrase exits 5" \
                "$tsunagu" check --passphrase-file "$tmp/wrong-pass" "$vectors/cert.sswan"
        expect_in "$tmp/err" "/local/p12: wrong passphrase" "the passphrase error names /local/p12"
        printf 'test-only\n' >"$tmp/right-pass"
        expect_exit 0 "the right PKCS#12 passphrase" \
                "$tsunagu" check --passphrase-file "$tmp/right-pass" "$vectors/cert.sswan"
        expect_not_in "$tmp/err" "warning" "no warning once the PKCS#12 was checked"
fi

# Standard input, JSON output.
expect_exit 0 "a profile on standard input" sh -c "\"$tsunagu\" check - <\"$vectors/minimal.tsunagu\""
expect_in "$tmp/out" "name = Minimal" "standard input is read"
expect_exit 0 "--json on a valid profile" "$tsunagu" check --json "$vectors/eap.mobileconfig"
expect_in "$tmp/out" '"valid":true' "--json says valid"
expect_in "$tmp/out" '"format":"mobileconfig"' "--json names the format"
if command -v python3 >/dev/null 2>&1; then
        tap_check "--json output is JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"
fi
expect_exit 5 "--json on an invalid profile exits 5" "$tsunagu" check --json "$tmp/bad.tsunagu"
expect_in "$tmp/out" '"valid":false' "--json says invalid"
expect_in "$tmp/out" '"field":"[gateway] port"' "--json names the field"

# Signed .mobileconfig: trusted with its CA as anchor, untrusted without.
mkdir "$tmp/trust" "$tmp/empty"
cp "$vectors/pki/TEST-ONLY-ca.pem" "$tmp/trust/corp.pem"
expect_exit 0 "a signed .mobileconfig, trusted signer" \
        "$tsunagu" check --quiet --trust-dir "$tmp/trust" "$vectors/eap-signed.mobileconfig"
expect_in "$tmp/err" "(trusted)" "the signer is trusted"
expect_exit 0 "a signed .mobileconfig, untrusted signer (a warning)" \
        "$tsunagu" check --quiet --trust-dir "$tmp/empty" "$vectors/eap-signed.mobileconfig"
expect_in "$tmp/err" "which is not trusted" "the untrusted signer is reported"
expect_not_in "$tmp/out" "[profile]" "--quiet prints no profile"

tap_done
