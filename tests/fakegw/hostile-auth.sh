#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A hostile gateway that cannot (or does not) prove who it is:
#  7. a certificate from the trusted CA for another identity, with the
#     expected IDr or with its own: the attempt ends before the EAP identity
#     is sent; CERT payloads that are garbage, too many, missing;
#  8. AUTH signatures that must not verify: RSA with bytes after the
#     signature, truncated, s >= n, PKCS#1 v1.5 encodings with trailing
#     garbage (Bleichenbacher 2006), a wrong block type, bad padding bytes,
#     no separator, a hash of the wrong length, a DigestInfo without NULL, a
#     short padding, a hash of other octets, RSA with SHA-1 (method 1,
#     refused by policy), AlgorithmIdentifiers that lie; ECDSA with DER that
#     is not DER (trailing bytes, long-form length, padded or negative
#     integers), r = 0, r = n, s + n, an empty sequence, and RFC 4754 r || s
#     of the wrong length, zero, r = n, or DER in its place. Controls: our raw
#     RSA signing over a correct encoding, our DER encoder over correct
#     values, and classic ECDSA connect;
#  9. EAP-Success before the method completed (in the first answer, after
#     the identity, after the MS-CHAPv2 response), an MS-CHAPv2 Success with
#     a wrong S= or none, a final AUTH that is missing or wrong (MS-CHAPv2
#     and MD5).
# Wycheproof: Debian 12 packages no Wycheproof vectors (no package matches
# "wycheproof"); the RSA and ECDSA cases above are written in their spirit.
LAB_PREFIX=fga-
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fakegw/lib.sh"

fg_setup
tap_plan_lazy

# ------------------------------------------------------------------ 7. identities and certificates
fg_fail cert-other-identity cert-other-identity 3 \
    "\(gateway-id-mismatch\): gateway identity mismatch: it claims vpn.lab.test but its certificate \(CN=other.lab.test,O=tsunagu fakegw\) is not for it" \
    noeap
fg_fail idr-other idr-other 3 \
    "\(gateway-id-mismatch\): gateway identity mismatch: expected vpn.lab.test, got other.lab.test" \
    noeap
fg_fail cert-garbage cert-garbage 3 \
    "\(gateway-cert-untrusted\): gateway certificate not trusted: CERT payload 1 is not an X.509 certificate" \
    noeap
fg_fail cert-none cert-none 3 "\(gateway-cert-untrusted\): .*the gateway sent no certificate" noeap
fg_fail cert-many cert-many 1 "no usable response .*: IKE_AUTH response: 40 CERT payloads > maximum 8" \
    noeap
# a certificate encoding we do not use, before the real one: ignored
fg_ok cert-other-encoding cert-other-encoding

# ------------------------------------------------------------------ 8. signatures
apt_found=$(apt-cache search wycheproof 2>/dev/null | head -n 3)
if [ -z "$apt_found" ]; then
    skip "Wycheproof vectors: no Debian 12 package matches 'wycheproof' (apt-cache search)"
else
    skip "Wycheproof vectors packaged ($apt_found) but not wired in yet"
fi

sig_fail() {
    fg_fail "sig-$1" ok 3 \
        "\(gateway-auth-invalid\): the gateway's AUTH signature does not verify with its certificate CN=vpn.lab.test,O=tsunagu fakegw: $2" \
        noeap --set "bad_sig=$1"
}
for k in rsa-trailing rsa-truncated rsa-sig-ge-n rsa-em-em-trailing rsa-em-bad-bt rsa-em-bad-ps \
    rsa-em-no-sep rsa-em-short-hash rsa-em-long-hash rsa-em-no-null rsa-em-short-ps \
    rsa-em-wrong-hash; do
    sig_fail "$k" "signature does not verify"
done
sig_fail rsa-sha1-classic "AUTH method 1 \(RSA with SHA-1\) refused by policy"
sig_fail rsa-algid-trailing "malformed RFC 7427 AlgorithmIdentifier"
# (the codec already refuses an ASN.1 Length beyond the AUTH data)
fg_fail sig-rsa-algid-len ok 1 \
    "no usable response .*: AUTH payload: AlgorithmIdentifier length 255 leaves no room for a signature" \
    noeap --set bad_sig=rsa-algid-len
for k in ecdsa-der-trailing ecdsa-der-long-form ecdsa-der-padded-int ecdsa-der-negative-r \
    ecdsa-der-r-zero ecdsa-der-r-n ecdsa-der-s-plus-n ecdsa-der-empty ecdsa-classic-zero \
    ecdsa-classic-r-n; do
    sig_fail "$k" "signature does not verify"
done
for k in ecdsa-classic-short ecdsa-classic-long ecdsa-classic-der; do
    sig_fail "$k" "ECDSA signature is not r \|\| s of the curve's length \(RFC 4754 7\)"
done
# controls: the same machinery, correct values
fg_ok sig-rsa-em-good ok --set bad_sig=rsa-em-good
fg_ok sig-ecdsa-der-reencoded ok --set bad_sig=ecdsa-der-reencoded
fg_ok ok-ecdsa ok-ecdsa
fg_ok ok-ecdsa-classic ok-ecdsa-classic

# ------------------------------------------------------------------ 9. EAP and the final AUTH
early="\(gateway-auth-invalid\): EAP-MSCHAPv2: EAP-Success before the method completed"
fg_fail eap-success-in-first eap-success-in-first 3 "$early" noeap
fg_fail eap-success-after-identity eap-success-after-identity 3 "$early" none
# The MS-CHAPv2 response goes out before the server can prove anything
# (RFC 2759); what must not follow is the Success Response and our AUTH
# over the MSK.
fg_fail eap-success-after-response eap-success-after-response 3 "$early" mschapv2-nt-response
unproven="\(gateway-auth-invalid\): EAP-MSCHAPv2: the gateway did not prove it knows the password"
fg_fail mschap-bad-s mschap-bad-s 3 "$unproven \(EAP-MSCHAPv2: the server's authenticator response is wrong" \
    mschapv2-nt-response
fg_fail mschap-no-s mschap-no-s 3 "$unproven \(EAP-MSCHAPv2 Success without an \"S=" \
    mschapv2-nt-response
# Our AUTH goes first by design (RFC 7296 2.16); the gateway's must then
# verify before anything is installed.
fg_fail final-auth-missing final-auth-missing 3 \
    "\(gateway-auth-invalid\): IKE_AUTH: the gateway's last answer has no AUTH" \
    mschapv2-nt-response,msk-auth
fg_fail final-auth-wrong final-auth-wrong 3 \
    "\(gateway-auth-invalid\): the gateway's final AUTH \(over the EAP key\) does not verify" \
    mschapv2-nt-response,msk-auth
FG_METHOD=eap-md5 fg_fail md5-final-auth-wrong md5-final-auth-wrong 3 \
    "\(gateway-auth-invalid\): the gateway's final AUTH \(over the EAP key\) does not verify" \
    md5-response,msk-auth
FG_METHOD=eap-md5 fg_ok ok-md5 ok-md5

tap_done
