# SPDX-License-Identifier: GPL-2.0-or-later
"""The fake gateway's scenarios: named sets of knobs. A knob missing from a
scenario has its value from DEFAULTS; `fakegw.py serve --set KEY=VALUE`
overrides single knobs (VALUE is a Python literal, or a bare string).

The knobs, by phase:

  IKE_SA_INIT
    ke_invalid      None | "zero" | "one" | "p-1" | "p" | "off-curve" | "short":
                    our KE public value, broken (fg_crypto.invalid_public)
    sa_choice       None | "encr-not-offered" | "no-dh" | "prf-not-offered" |
                    "dh-not-ke" | "two-encr" | "number-not-offered" | "two-proposals"
    sa_init_extra   None | "unknown-critical" | "unknown-noncritical" | "ikev1-payload"
    sa_init_version None | int: the header's version octet (0x10: IKEv1)
    nonce           None | "short" (8 bytes) | "long" (300 bytes)
    spi_r_zero      our SPI is zero
    cookie_loop     answer every IKE_SA_INIT with a new N(COOKIE)
    fragmentation   announce RFC 7383 support
  IKE_AUTH, transport
    auth_extra      None | "unknown-critical" | "ikev1-payload": added to the first
                    IKE_AUTH response (inside SK)
    spoof_notify    send unprotected error notifies (and an unprotected DELETE)
                    for the first IKE_AUTH request instead of answering it
    pre_auth_junk   None | "info-bad-msgid": before answering the first IKE_AUTH
                    request, an encrypted INFORMATIONAL request with a message ID
                    outside the window (carrying a DELETE of the IKE SA) and an
                    INFORMATIONAL response to no request of the client's
    bad_icv         None | "once" | "always": the first IKE_AUTH response with a
                    broken ICV (once: the retransmission gets a good one)
    frag            None | "num-gt-total" | "total-changes" | "duplicates" |
                    "too-many" | "zero-number" | "flood": bad SKF fragments of the
                    first IKE_AUTH response, then the good ones
    frag_size       bytes of inner payload per fragment when fragmenting
    flood_rounds    how many times "flood" sends its 99 fragments of 60000 bytes
  IKE_AUTH, gateway authentication
    gw_cert         "gw-rsa" | "gw-ecdsa" | "gw-other" (fg_pki names)
    idr             None (the certificate's FQDN, vpn.lab.test) | a FQDN string
    auth_scheme     "rsa-sha256" | "ecdsa-sha256" | "ecdsa-classic"
    bad_sig         None | a fg_crypto.bad_signature kind
    cert            None | "garbage" | "many" (40 CERT payloads) | "none" |
                    "other-encoding" (a hash-and-URL CERT before the good one)
  EAP
    eap_method      "mschapv2" | "md5" | "tls"
    password        the password the fake checks MS-CHAPv2 / MD5 answers with
    eap_identity_request  start with EAP-Request/Identity
    eap_success_early     None | "in-first" | "after-identity" | "after-response"
    mschap_success  None | "bad-s" | "no-s": the MS-CHAPv2 Success request
    eap_extra       None | "notification" (an EAP Notification with control characters)
                    | "unknown-type" (a request of a type nobody knows) before the method
    eap_len         None | "short" | "long" | "huge" | "tiny" | "ms-length" |
                    "value-size": the EAP method request's lengths lie
    tls_len         None | "huge" | "short" | "overflow" | "record-lie":
                    EAP-TLS answers to the ClientHello that lie about lengths
    final_auth      None | "missing" | "wrong": the gateway's AUTH over the MSK
  Redirects (RFC 5685)
    redirect_init   None | a gateway (IPv4/IPv6 literal or FQDN): answer every
                    IKE_SA_INIT with N(REDIRECT) to it (carrying the client's nonce)
    redirect_auth   None | a gateway: the last IKE_AUTH answer (once the client's
                    AUTH verified) has our AUTH and N(REDIRECT) instead of a CHILD SA
  CHILD SA and configuration
    ts              None | "sel-len-short" | "sel-len-long" | "count-high" |
                    "v4-len-40" | "truncated": TSi/TSr of the final answer
    ts_many         200 TSr selectors before the real ones
    tsr             list of (start, end) IPv4 strings reached through the tunnel
    cp              None | list of (attribute type, value bytes) replacing the reply
"""

import ipaddress

import fg_codec as C


def ip4(a):
    return ipaddress.IPv4Address(a).packed


def ip6(a, prefix=None):
    v = ipaddress.IPv6Address(a).packed
    return v if prefix is None else v + bytes([prefix])


GOOD_CP = [
    (C.CA_INTERNAL_IP4_ADDRESS, ip4("10.99.0.1")),
    (C.CA_INTERNAL_IP4_DNS, ip4("10.20.0.10")),
    (C.CA_INTERNAL_DNS_DOMAIN, b"corp.test"),
]

DEFAULTS = {
    "ke_invalid": None,
    "sa_choice": None,
    "sa_init_extra": None,
    "sa_init_version": None,
    "fragmentation": True,
    "auth_extra": None,
    "spoof_notify": False,
    "pre_auth_junk": None,
    "bad_icv": None,
    "frag": None,
    "frag_size": 300,
    "flood_rounds": 2,
    "gw_cert": "gw-rsa",
    "idr": None,
    "auth_scheme": "rsa-sha256",
    "bad_sig": None,
    "eap_method": "mschapv2",
    "password": "alice-lab-password",
    "eap_identity_request": True,
    "eap_success_early": None,
    "mschap_success": None,
    "eap_len": None,
    "tls_len": None,
    "final_auth": None,
    "ts": None,
    "tsr": [("10.20.0.0", "10.20.0.255")],
    "cp": None,
    "nonce": None,
    "spi_r_zero": False,
    "cookie_loop": False,
    "cert": None,
    "eap_extra": None,
    "ts_many": False,
    "redirect_init": None,
    "redirect_auth": None,
}

# Configuration attributes a client must refuse one by one (and the good
# ones it must keep): case 12.
HOSTILE_CP = [
    (C.CA_INTERNAL_IP4_ADDRESS, ip4("0.0.0.0")),
    (C.CA_INTERNAL_IP4_ADDRESS, ip4("224.0.0.1")),
    (C.CA_INTERNAL_IP4_ADDRESS, ip4("127.0.0.1")),
    (C.CA_INTERNAL_IP4_ADDRESS, ip4("203.0.113.2")),
    (C.CA_INTERNAL_IP4_ADDRESS, ip4("10.99.0.1")),
    (C.CA_INTERNAL_IP6_ADDRESS, ip6("::", 128)),
    (C.CA_INTERNAL_IP6_ADDRESS, ip6("ff02::1", 128)),
    (C.CA_INTERNAL_IP6_ADDRESS, ip6("::1", 128)),
    (C.CA_INTERNAL_IP4_DNS, ip4("0.0.0.0")),
    (C.CA_INTERNAL_IP4_DNS, ip4("224.0.0.251")),
    (C.CA_INTERNAL_IP4_DNS, ip4("127.0.0.53")),
    (C.CA_INTERNAL_IP6_DNS, ip6("ff02::fb")),
    (C.CA_INTERNAL_IP6_DNS, ip6("::1")),
    (C.CA_INTERNAL_IP4_DNS, ip4("10.20.0.10")),
    (C.CA_INTERNAL_DNS_DOMAIN, b"corp\x01test"),
    (C.CA_INTERNAL_DNS_DOMAIN, b"evil.test\nnameserver 192.0.2.66"),
    (C.CA_INTERNAL_DNS_DOMAIN, b"tab\there.test"),
    (C.CA_INTERNAL_DNS_DOMAIN, b"corp.test"),
]

SCENARIOS = {
    "ok": {},
    "ok-md5": {"eap_method": "md5"},
    "ok-ecdsa": {"gw_cert": "gw-ecdsa", "auth_scheme": "ecdsa-sha256"},
    "ok-ecdsa-classic": {"gw_cert": "gw-ecdsa", "auth_scheme": "ecdsa-classic"},
    # case 1
    "ke-modp-zero": {"ke_invalid": "zero"},
    "ke-modp-one": {"ke_invalid": "one"},
    "ke-modp-p-1": {"ke_invalid": "p-1"},
    "ke-modp-p": {"ke_invalid": "p"},
    "ke-ecp-off-curve": {"ke_invalid": "off-curve"},
    "ke-ecp-zero": {"ke_invalid": "zero"},
    "ke-ecp-short": {"ke_invalid": "short"},
    "ke-x25519-zero": {"ke_invalid": "zero"},
    "ke-x25519-small-order": {"ke_invalid": "one"},
    # case 2
    "sa-encr-not-offered": {"sa_choice": "encr-not-offered"},
    "sa-prf-not-offered": {"sa_choice": "prf-not-offered"},
    "sa-no-dh": {"sa_choice": "no-dh"},
    "sa-dh-not-ke": {"sa_choice": "dh-not-ke"},
    "sa-two-encr": {"sa_choice": "two-encr"},
    "sa-number-not-offered": {"sa_choice": "number-not-offered"},
    "sa-two-proposals": {"sa_choice": "two-proposals"},
    # case 3
    "sa-init-unknown-critical": {"sa_init_extra": "unknown-critical"},
    "sa-init-unknown-noncritical": {"sa_init_extra": "unknown-noncritical"},
    "sa-init-ikev1-payload": {"sa_init_extra": "ikev1-payload"},
    "sa-init-ikev1-version": {"sa_init_version": 0x10},
    "auth-unknown-critical": {"auth_extra": "unknown-critical"},
    "auth-ikev1-payload": {"auth_extra": "ikev1-payload"},
    "nonce-short": {"nonce": "short"},
    "nonce-long": {"nonce": "long"},
    "spi-r-zero": {"spi_r_zero": True},
    "cookie-loop": {"cookie_loop": True},
    # case 4
    "spoof-notify": {"spoof_notify": True},
    # case 5
    "pre-auth-info-bad-msgid": {"pre_auth_junk": "info-bad-msgid"},
    "bad-icv-once": {"bad_icv": "once"},
    "bad-icv-always": {"bad_icv": "always"},
    # case 6
    "frag-ok": {"frag": "none"},
    "frag-num-gt-total": {"frag": "num-gt-total"},
    "frag-total-changes": {"frag": "total-changes"},
    "frag-duplicates": {"frag": "duplicates"},
    "frag-too-many": {"frag": "too-many"},
    "frag-zero-number": {"frag": "zero-number"},
    "frag-flood": {"frag": "flood", "flood_rounds": 6},
    # case 7
    "cert-other-identity": {"gw_cert": "gw-other", "idr": "vpn.lab.test"},
    "idr-other": {"gw_cert": "gw-other", "idr": "other.lab.test"},
    "cert-garbage": {"cert": "garbage"},
    "cert-many": {"cert": "many"},
    "cert-none": {"cert": "none"},
    "cert-other-encoding": {"cert": "other-encoding"},
    # case 9
    "eap-success-in-first": {"eap_success_early": "in-first"},
    "eap-success-after-identity": {"eap_success_early": "after-identity"},
    "eap-success-after-response": {"eap_success_early": "after-response"},
    "mschap-bad-s": {"mschap_success": "bad-s"},
    "mschap-no-s": {"mschap_success": "no-s"},
    "final-auth-missing": {"final_auth": "missing"},
    "final-auth-wrong": {"final_auth": "wrong"},
    "md5-final-auth-wrong": {"eap_method": "md5", "final_auth": "wrong"},
    # case 10
    "eap-len-short": {"eap_len": "short"},
    "eap-len-long": {"eap_len": "long"},
    "eap-len-huge": {"eap_len": "huge"},
    "eap-len-tiny": {"eap_len": "tiny"},
    "eap-ms-length": {"eap_len": "ms-length"},
    "eap-md5-value-size": {"eap_method": "md5", "eap_len": "value-size"},
    "tls-len-huge": {"eap_method": "tls", "tls_len": "huge"},
    "tls-len-short": {"eap_method": "tls", "tls_len": "short"},
    "tls-len-overflow": {"eap_method": "tls", "tls_len": "overflow"},
    "tls-record-lie": {"eap_method": "tls", "tls_len": "record-lie"},
    "eap-notification": {"eap_extra": "notification"},
    "eap-unknown-type": {"eap_extra": "unknown-type"},
    # case 11
    "ts-sel-len-short": {"ts": "sel-len-short"},
    "ts-sel-len-long": {"ts": "sel-len-long"},
    "ts-count-high": {"ts": "count-high"},
    "ts-v4-len-40": {"ts": "v4-len-40"},
    "ts-truncated": {"ts": "truncated"},
    "ts-many": {"ts_many": True},
    # case 12
    "cp-hostile": {"cp": HOSTILE_CP},
    "cp-only-bad-vip": {"cp": [(C.CA_INTERNAL_IP4_ADDRESS, ip4("203.0.113.2")),
                               (C.CA_INTERNAL_IP4_ADDRESS, ip4("127.0.0.1")),
                               (C.CA_INTERNAL_IP4_DNS, ip4("10.20.0.10"))]},
    # redirects (tests/fakegw/redirect.sh sets the target with --set)
    "redirect-init": {"redirect_init": "203.0.113.3"},
    "redirect-auth": {"redirect_auth": "203.0.113.3"},
    "tsr-covers-gateway": {"tsr": [("10.20.0.0", "10.20.0.255"),
                                   ("203.0.113.0", "203.0.113.255")]},
}


def resolve(name, overrides=None):
    if name not in SCENARIOS:
        raise KeyError("unknown scenario %r (see fakegw.py scenarios)" % name)
    knobs = dict(DEFAULTS)
    knobs.update(SCENARIOS[name])
    for k, v in (overrides or {}).items():
        if k not in DEFAULTS:
            raise KeyError("unknown knob %r" % k)
        knobs[k] = v
    return knobs
