#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Independent check of the IKEv2 vectors in tests/vectors/ike (prints TAP).

For every scenario directory (one holding manifest.txt and keys.txt):
- recomputes SKEYSEED and SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr of
  every IKE SA from the logged g^ir, nonces and SPIs with the negotiated PRF
  (RFC 7296 2.14; after a rekey, from the old SK_d, RFC 7296 2.18) and
  compares them with strongSwan's logged values;
- recomputes every CHILD SA's KEYMAT (RFC 7296 2.17) from SK_d;
- decrypts every SK and SKF (RFC 7383) message with the logged keys,
  checking the ICV, and checks that the decrypted (for fragments:
  reassembled) payload chain has exactly the payloads of strongSwan's logged
  list in the manifest, down to notify types, CP attribute types, EAP codes
  and types and fragment numbers; plaintext messages likewise;
- verifies every AUTH payload: EAP shared-key MICs with the MSK (or SK_p
  when the method has none), signatures with the certificate sent in the
  same message (RFC 7296 2.15 and 2.16, RFC 7427).
Only the Python standard library and python3-cryptography are used; nothing
is taken from extract.py or capture.sh.

usage: check-vectors.py [DIR]   (default: the directory of this script)
"""

import hashlib
import hmac
import os
import re
import struct
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

# RFC 7296 3.2 payload types, as strongSwan abbreviates them in its lists.
PAYLOAD_TOKENS = {"SA": 33, "KE": 34, "IDi": 35, "IDr": 36, "CERT": 37, "CERTREQ": 38,
                  "AUTH": 39, "No": 40, "N": 41, "D": 42, "V": 43, "TSi": 44, "TSr": 45,
                  "CP": 47, "EAP": 48, "EF": 53}
SK, SKF = 46, 53
# strongSwan's short notify names -> IANA numbers (RFC 7296 3.10.1 and the registry)
NOTIFY = {"CRIT": 1, "INVAL_IKE_SPI": 4, "INVAL_MAJOR": 5, "INVAL_SYN": 7, "INVAL_MID": 9,
          "INVAL_SPI": 11, "NO_PROP": 14, "INVAL_KE": 17, "AUTH_FAILED": 24,
          "SINGLE_PAIR": 34, "NO_ADD_SAS": 35, "INT_ADDR_FAIL": 36, "FAIL_CP_REQ": 37,
          "TS_UNACCEPT": 38, "INVAL_SEL": 39, "TEMP_FAIL": 43, "NO_CHILD_SA": 44,
          "INIT_CONTACT": 16384, "SET_WINSIZE": 16385, "ADD_TS_POSS": 16386,
          "IPCOMP_SUPP": 16387, "NATD_S_IP": 16388, "NATD_D_IP": 16389, "COOKIE": 16390,
          "USE_TRANSP": 16391, "HTTP_CERT_LOOK": 16392, "REKEY_SA": 16393,
          "ESP_TFC_PAD_N": 16394, "NON_FIRST_FRAG": 16395, "MOBIKE_SUP": 16396,
          "ADD_4_ADDR": 16397, "ADD_6_ADDR": 16398, "NO_ADD_ADDR": 16399, "UPD_SA_ADDR": 16400,
          "COOKIE2": 16401, "NO_NATS": 16402, "AUTH_LFT": 16403, "MULT_AUTH": 16404,
          "AUTH_FOLLOWS": 16405, "REDIR_SUP": 16406, "REDIR": 16407, "REDIR_FROM": 16408,
          "EAP_ONLY": 16417, "CHDLESS_SUP": 16418, "MSG_ID_SYN_SUP": 16420,
          "FRAG_SUP": 16430, "HASH_ALG": 16431}
CP_TYPES = {"CPRQ": 1, "CPRP": 2, "CPS": 3, "CPA": 4}
# configuration attributes (RFC 7296 3.15.1, RFC 8598 for 25)
CP_ATTRS = {"ADDR": 1, "MASK": 2, "DNS": 3, "NBNS": 4, "DHCP": 6, "VER": 7, "ADDR6": 8,
            "DNS6": 10, "DHCP6": 12, "SUBNET": 13, "SUP": 14, "SUBNET6": 15, "DOMAIN": 25}
EAP_CODES = {"REQ": 1, "RES": 2, "SUCC": 3, "FAIL": 4}
EAP_TYPES = {"ID": 1, "NTF": 2, "NAK": 3, "MD5": 4, "GTC": 6, "TLS": 13, "TTLS": 21,
             "PEAP": 25, "MSCHAPV2": 26}

PRF_HASH = {2: hashlib.sha1, 5: hashlib.sha256, 6: hashlib.sha384, 7: hashlib.sha512}
# integrity transform -> (hash, key length, ICV length)
INTEG = {2: (hashlib.sha1, 20, 12), 12: (hashlib.sha256, 32, 16),
         13: (hashlib.sha384, 48, 24), 14: (hashlib.sha512, 64, 32)}
ENCR_CBC, ENCR_GCM16, ENCR_CHACHA = 12, 20, 28


class CheckError(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise CheckError(msg)


# ------------------------------------------------------------------ crypto

def prf(alg, key, data):
    need(alg in PRF_HASH, f"PRF {alg} not supported by the checker")
    return hmac.new(key, data, PRF_HASH[alg]).digest()


def prf_plus(alg, key, seed, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = prf(alg, key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:length]


def encr_key_len(encr, keylen):
    """SK_e / ESP encryption key length: AEAD keys carry a 4-byte salt
    (RFC 5282 7.1, RFC 7634 3, RFC 4106 8.1)."""
    if encr == ENCR_CBC:
        return keylen // 8
    if encr == ENCR_GCM16:
        return keylen // 8 + 4
    if encr == ENCR_CHACHA:
        return 36
    raise CheckError(f"encryption transform {encr} not supported by the checker")


def integ_key_len(integ):
    if integ == 0:
        return 0
    need(integ in INTEG, f"integrity transform {integ} not supported by the checker")
    return INTEG[integ][1]


def prf_key_len(alg):
    need(alg in PRF_HASH, f"PRF {alg} not supported by the checker")
    return PRF_HASH[alg]().digest_size


def unprotect(msg, sk_off, skf, keys_e, keys_a, encr, integ):
    """Decrypt the SK (or SKF) payload at sk_off of msg; returns the
    plaintext without padding. RFC 7296 3.14, RFC 5282, RFC 7634; for SKF the
    Fragment Number and Total Fragments are part of the associated data
    (RFC 7383 2.5)."""
    plen = struct.unpack("!H", msg[sk_off + 2:sk_off + 4])[0]
    need(sk_off + plen == len(msg), "the encrypted payload is not the last one")
    hdr = 8 if skf else 4
    body = msg[sk_off + hdr:sk_off + plen]
    aad = msg[:sk_off + hdr]
    if encr in (ENCR_GCM16, ENCR_CHACHA):
        key, salt = keys_e[:-4], keys_e[-4:]
        need(len(body) >= 8 + 16, "encrypted payload too short")
        iv, ct = body[:8], body[8:]
        aead = AESGCM(key) if encr == ENCR_GCM16 else ChaCha20Poly1305(key)
        try:
            pt = aead.decrypt(salt + iv, ct, aad)
        except InvalidTag:
            raise CheckError("AEAD ICV does not verify") from None
    elif encr == ENCR_CBC:
        digest, _, icv_len = INTEG[integ]
        need(len(body) >= 16 + 16 + icv_len, "encrypted payload too short")
        icv = msg[-icv_len:]
        want = hmac.new(keys_a, msg[:-icv_len], digest).digest()[:icv_len]
        need(hmac.compare_digest(icv, want), "HMAC ICV does not verify")
        iv, ct = body[:16], body[16:-icv_len]
        need(len(ct) % 16 == 0, "CBC ciphertext is not a multiple of 16 bytes")
        dec = Cipher(algorithms.AES(keys_e), modes.CBC(iv)).decryptor()
        pt = dec.update(ct) + dec.finalize()
    else:
        raise CheckError(f"encryption transform {encr} not supported")
    need(len(pt) >= 1 and pt[-1] + 1 <= len(pt), "bad pad length")
    return pt[:len(pt) - pt[-1] - 1]


# ------------------------------------------------------------------ payloads

def walk(first, data, what):
    out, t, off = [], first, 0
    while t != 0:
        need(len(data) - off >= 4, f"{what}: payload {t} header past the end")
        nxt, _, plen = struct.unpack("!BBH", data[off:off + 4])
        need(4 <= plen <= len(data) - off, f"{what}: payload {t} length {plen}")
        out.append((t, data[off + 4:off + plen], off, nxt))
        off += plen
        if t in (SK, SKF):
            break
        t = nxt
    need(off == len(data), f"{what}: {len(data) - off} trailing bytes")
    return out


def tokens(plist):
    inner = plist.strip()
    need(inner.startswith("[") and inner.endswith("]"), f"bad payload list {plist}")
    inner = inner[1:-1].strip()
    out, depth, cur = [], 0, ""
    for ch in inner:
        if ch == " " and depth == 0:
            if cur:
                out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        out.append(cur)
    return out


def check_chain(chain, plist, what):
    """The payload chain must be exactly strongSwan's logged list."""
    toks = tokens(plist)
    got = [t for t, _, _, _ in chain]
    need(len(toks) == len(chain), f"{what}: {len(chain)} payloads {got}, list {plist}")
    for (ptype, body, _, _), tok in zip(chain, toks):
        m = re.match(r"^([A-Za-z]+)(?:\((.*)\))?(?:/(\w+)(?:/(\w+))?)?$", tok)
        need(m, f"{what}: cannot read token {tok}")
        name, arg, sub1, sub2 = m.groups()
        if name in CP_TYPES:
            need(ptype == 47, f"{what}: {tok} is payload {ptype}")
            need(body[0] == CP_TYPES[name], f"{what}: {tok} has CFG type {body[0]}")
            attrs, off = [], 4
            while off < len(body):
                atype, alen = struct.unpack("!HH", body[off:off + 4])
                attrs.append(atype & 0x7FFF)
                off += 4 + alen
            need(off == len(body), f"{what}: {tok} attributes overrun")
            names = arg.split() if arg else []
            for n in names:
                need(n in CP_ATTRS, f"{what}: unknown CP attribute name {n} (add it)")
            need(attrs == [CP_ATTRS[n] for n in names], f"{what}: {tok} has attributes {attrs}")
            continue
        need(name in PAYLOAD_TOKENS, f"{what}: unknown payload token {tok}")
        need(ptype == PAYLOAD_TOKENS[name], f"{what}: {tok} expected, payload {ptype} found")
        if name == "N":
            need(arg in NOTIFY, f"{what}: unknown notify name {arg} (add it)")
            ntype = struct.unpack("!H", body[2:4])[0]
            need(ntype == NOTIFY[arg], f"{what}: N({arg}) has type {ntype}")
        elif name == "EAP":
            need(sub1 in EAP_CODES, f"{what}: unknown EAP code {sub1}")
            need(body[0] == EAP_CODES[sub1], f"{what}: {tok} has EAP code {body[0]}")
            need(struct.unpack("!H", body[2:4])[0] == len(body), f"{what}: EAP length")
            if sub2:
                need(sub2 in EAP_TYPES, f"{what}: unknown EAP type {sub2} (add it)")
                need(body[4] == EAP_TYPES[sub2], f"{what}: {tok} has EAP type {body[4]}")
            else:
                need(len(body) == 4, f"{what}: {tok} carries data")
        elif name == "EF":
            k, n = (int(x) for x in arg.split("/"))
            need(struct.unpack("!HH", body[:4]) == (k, n), f"{what}: {tok} numbers differ")


# ------------------------------------------------------------------ files

def read_keys(path):
    blocks, cur = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^\[(ike-sa|child-sa) (\d+)\]$", line)
            if m:
                cur = {"kind": m.group(1), "num": int(m.group(2))}
                blocks.append(cur)
                continue
            need(cur is not None and " = " in line, f"{path}: cannot read '{line}'")
            k, v = line.split(" = ", 1)
            cur[k] = v
    ike = {b["num"]: b for b in blocks if b["kind"] == "ike-sa"}
    child = {b["num"]: b for b in blocks if b["kind"] == "child-sa"}
    return ike, child


def h(block, key):
    return bytes.fromhex(block[key]) if key in block else None


def number(entry):
    return entry["file"].split("-", 1)[0]


def read_manifest(path):
    entries = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, rest = line.rstrip("\n").split(" ", 1)
            cols = dict(re.findall(r"(\w+)=(\[[^\]]*\]|\S+)", rest))
            cols["file"] = name
            entries.append(cols)
    return entries


# ------------------------------------------------------------------ checks

def check_ike_sa(sa, ike):
    enc, keylen = int(sa["encr"]), int(sa["encr_keylen"])
    integ, alg = int(sa["integ"]), int(sa["prf"])
    ni, nr, g = h(sa, "ni"), h(sa, "nr"), h(sa, "g_ir")
    spis = h(sa, "spi_i") + h(sa, "spi_r")
    if sa["rekey_of"] == "-":
        skeyseed = prf(alg, ni + nr, g)                           # RFC 7296 2.14
    else:
        old = ike[int(sa["rekey_of"])]
        need(int(old["prf"]) == alg, "old and new PRF differ; RFC 7296 2.18 is ambiguous")
        skeyseed = prf(int(old["prf"]), h(old, "sk_d"), g + ni + nr)   # RFC 7296 2.18
    need(skeyseed == h(sa, "skeyseed"), "SKEYSEED differs from strongSwan's")
    sizes = [("sk_d", prf_key_len(alg)), ("sk_ai", integ_key_len(integ)),
             ("sk_ar", integ_key_len(integ)), ("sk_ei", encr_key_len(enc, keylen)),
             ("sk_er", encr_key_len(enc, keylen)), ("sk_pi", prf_key_len(alg)),
             ("sk_pr", prf_key_len(alg))]
    keymat = prf_plus(alg, skeyseed, ni + nr + spis, sum(n for _, n in sizes))
    off = 0
    for name, n in sizes:
        if n == 0:
            need(name not in sa, f"{name} logged for an AEAD suite")
            continue
        need(keymat[off:off + n] == h(sa, name), f"{name} differs from strongSwan's")
        off += n
    return f"SKEYSEED and SK_* recomputed ({sa['proposal']})"


def check_child_sa(c, ike):
    parent = ike[int(c["ike_sa"])]
    enc, keylen, integ = int(c["encr"]), int(c["encr_keylen"]), int(c["integ"])
    seed = (h(c, "g_ir") or b"") + h(c, "ni") + h(c, "nr")
    need((int(c["dh"]) != 0) == ("g_ir" in c), "DH transform and logged g^ir disagree")
    ek, ik = encr_key_len(enc, keylen), integ_key_len(integ)
    keymat = prf_plus(int(parent["prf"]), h(parent, "sk_d"), seed, 2 * (ek + ik))
    want = {"encr_i": keymat[:ek], "integ_i": keymat[ek:ek + ik],
            "encr_r": keymat[ek + ik:2 * ek + ik], "integ_r": keymat[2 * ek + ik:]}
    for name, val in want.items():
        if val:
            need(val == h(c, name), f"{name} differs from strongSwan's")
        else:
            need(name not in c, f"{name} logged for an AEAD suite")
    return f"KEYMAT recomputed from SK_d of IKE SA {c['ike_sa']} ({c['proposal']})"


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.ike, self.child = read_keys(os.path.join(path, "keys.txt"))
        self.manifest = read_manifest(os.path.join(path, "manifest.txt"))
        self.msgs = {}
        self.frag_parts = {}
        self.inner = {}     # file -> decrypted chain (for fragments: on the last one)

    def sa_for(self, e, msg):
        spi_i, spi_r = msg[:8], msg[8:16]
        if msg[18] == 34:   # IKE_SA_INIT: by the initiator SPI, as the manifest says
            if e["ike_sa"] == "-":     # a COOKIE or INVALID_KE_PAYLOAD round
                need(all(number(e) not in sa["messages"].split() for sa in self.ike.values()),
                     "an IKE SA lists this message, the manifest none")
                return None
            sa = self.ike[int(e["ike_sa"])]
            need(sa["spi_i"] == spi_i.hex(), "SPIi differs from its IKE SA's")
            need(spi_r == bytes(8) or sa["spi_r"] == spi_r.hex(), "SPIr differs")
            return sa
        found = [sa for sa in self.ike.values()
                 if sa["spi_i"] == spi_i.hex() and sa["spi_r"] == spi_r.hex()]
        need(len(found) == 1, f"{len(found)} IKE SAs with SPIs {spi_i.hex()}/{spi_r.hex()}")
        need(str(found[0]["num"]) == e["ike_sa"], f"SPIs belong to IKE SA {found[0]['num']}")
        return found[0]

    def check_message(self, e):
        with open(os.path.join(self.path, e["file"]), "rb") as f:
            msg = f.read()
        self.msgs[e["file"]] = msg
        what = e["file"]
        need(len(msg) >= 28 and msg[17] == 0x20, "not an IKEv2 message")
        need(struct.unpack("!I", msg[24:28])[0] == len(msg) == int(e["length"]),
             "Length field, file size and manifest disagree")
        exch = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA",
                37: "INFORMATIONAL"}.get(msg[18])
        need(exch == e["exchange"], f"exchange {msg[18]}, manifest {e['exchange']}")
        need(struct.unpack("!I", msg[20:24])[0] == int(e["msgid"]), "message ID differs")
        need(bool(msg[19] & 0x20) == (e["type"] == "response"), "R flag differs")
        need(bool(msg[19] & 0x08) == (e["initiator"] == "1"), "I flag differs")
        sa = self.sa_for(e, msg)
        outer = walk(msg[16], msg[28:], what)
        last_type = outer[-1][0] if outer else 0
        if last_type not in (SK, SKF):
            need(e["encrypted"] == "no", "plaintext message marked encrypted")
            check_chain(outer, e["payloads"], what)
            self.inner[e["file"]] = outer
            return f"plaintext, {len(outer)} payloads match {e['payloads']}"
        need(e["encrypted"] == ("SK" if last_type == SK else "SKF"), "encryption kind differs")
        need(len(outer) == 1 or last_type == SK, "SKF is not alone")
        need(sa is not None, "encrypted message without an IKE SA")
        sk_off = 28 + outer[-1][2]
        initiator = bool(msg[19] & 0x08)
        keys_e = h(sa, "sk_ei" if initiator else "sk_er")
        keys_a = h(sa, "sk_ai" if initiator else "sk_ar")
        pt = unprotect(msg, sk_off, last_type == SKF, keys_e, keys_a, int(sa["encr"]),
                       int(sa["integ"]))
        suite = sa["proposal"].split(":")[1].split("/")[0]
        if last_type == SK:
            chain = walk(outer[-1][3], pt, what + " (decrypted)")
            check_chain(chain, e["payloads"], what)
            self.inner[e["file"]] = chain
            return f"SK decrypts ({suite}), ICV ok, inner {e['payloads']}"
        # RFC 7383 2.5: fragment number and total; the first one names the
        # first inner payload, the others carry 0.
        frag_body = outer[0][1]
        k, n = struct.unpack("!HH", frag_body[:4])
        need(f"{k}/{n}" == e["fragment"], f"fragment {k}/{n}, manifest {e['fragment']}")
        need((outer[0][3] != 0) == (k == 1), "Next Payload of a fragment")
        check_chain([(SKF, frag_body, 0, 0)], e["payloads"], what)
        key = (sa["num"], msg[18], struct.unpack("!I", msg[20:24])[0], msg[19] & 0x20)
        parts = self.frag_parts.setdefault(key, {})
        need(k not in parts, f"fragment {k} twice")
        parts[k] = (outer[0][3], pt)
        if len(parts) < n:
            return f"SKF {k}/{n} decrypts ({suite}), ICV ok"
        need(sorted(parts) == list(range(1, n + 1)), "fragments missing")
        chain = walk(parts[1][0], b"".join(parts[i][1] for i in range(1, n + 1)),
                     what + " (reassembled)")
        check_chain(chain, e["reassembled"], what + " (reassembled)")
        self.inner[e["file"]] = chain
        return f"SKF {k}/{n} decrypts ({suite}), ICV ok, reassembled {e['reassembled']}"


# ------------------------------------------------------------------ AUTH

def payload(chain, ptype):
    return [body for t, body, _, _ in chain if t == ptype]


def der_len(b, off):
    n = b[off]
    if n < 0x80:
        return n, off + 1
    k = n & 0x7F
    return int.from_bytes(b[off + 1:off + 1 + k], "big"), off + 1 + k


SIG_OIDS = {  # RFC 7427 AlgorithmIdentifier OIDs (DER contents)
    bytes.fromhex("2a864886f70d01010b"): ("rsa", hashes.SHA256),
    bytes.fromhex("2a864886f70d01010c"): ("rsa", hashes.SHA384),
    bytes.fromhex("2a864886f70d01010d"): ("rsa", hashes.SHA512),
    bytes.fromhex("2a8648ce3d040302"): ("ecdsa", hashes.SHA256),
    bytes.fromhex("2a8648ce3d040303"): ("ecdsa", hashes.SHA384),
    bytes.fromhex("2a8648ce3d040304"): ("ecdsa", hashes.SHA512),
}


def verify_signature(cert_der, method, data, octets):
    pub = x509.load_der_x509_certificate(cert_der).public_key()
    if method == 14:    # RFC 7427: length, AlgorithmIdentifier, signature
        alen = data[0]
        algid, sig = data[1:1 + alen], data[1 + alen:]
        need(algid[0] == 0x30 and algid[2] == 0x06, "AlgorithmIdentifier")
        oid_len, off = der_len(algid, 3)
        oid = algid[off:off + oid_len]
        need(oid in SIG_OIDS, f"signature algorithm {oid.hex()} not supported by the checker")
        kind, hash_alg = SIG_OIDS[oid]
        if kind == "rsa":
            pub.verify(sig, octets, padding.PKCS1v15(), hash_alg())
        else:
            pub.verify(sig, octets, ec.ECDSA(hash_alg()))
        return f"RFC 7427 {kind}-{hash_alg.name}"
    if method == 1:     # RSA PKCS#1 v1.5 with SHA-1
        pub.verify(data, octets, padding.PKCS1v15(), hashes.SHA1())
        return "RSA-SHA1"
    if method in (9, 10, 11):   # ECDSA r|s, RFC 4754
        half = len(data) // 2
        sig = encode_dss_signature(int.from_bytes(data[:half], "big"),
                                   int.from_bytes(data[half:], "big"))
        hash_alg = {9: hashes.SHA256, 10: hashes.SHA384, 11: hashes.SHA512}[method]
        pub.verify(sig, octets, ec.ECDSA(hash_alg()))
        return f"ECDSA-{hash_alg.name}"
    raise CheckError(f"AUTH method {method} not supported by the checker")


def check_auths(sc):
    """RFC 7296 2.15/2.16: every AUTH payload of each IKE SA set up with
    IKE_AUTH. Yields (description, error or None)."""
    for sa in sc.ike.values():
        if sa["created_by"] != "IKE_SA_INIT":
            continue
        files = {number(e): e for e in sc.manifest}
        init = [files[n] for n in sa["messages"].split()]
        real1 = sc.msgs[[e for e in init if e["type"] == "request"][-1]["file"]]
        real2 = sc.msgs[[e for e in init if e["type"] == "response"][-1]["file"]]
        alg = int(sa["prf"])
        auth_msgs = [e for e in sc.manifest
                     if e["exchange"] == "IKE_AUTH" and e["ike_sa"] == str(sa["num"])
                     and e["file"] in sc.inner]
        ids = {}
        for e in auth_msgs:
            chain = sc.inner[e["file"]]
            side = "i" if e["type"] == "request" else "r"
            for body in payload(chain, 35 if side == "i" else 36):
                ids.setdefault(side, body)
        for e in auth_msgs:
            chain = sc.inner[e["file"]]
            side = "i" if e["type"] == "request" else "r"
            for body in payload(chain, 39):
                who = "initiator" if side == "i" else "responder"
                desc = f"{sc.name}: {e['file']}: AUTH of the {who}"
                try:
                    need(side in ids, "no ID payload for this side")
                    sk_p = h(sa, "sk_p" + side)
                    octets = ((real1 + h(sa, "nr")) if side == "i" else (real2 + h(sa, "ni"))) + \
                        prf(alg, sk_p, ids[side])
                    method, data = body[0], body[4:]
                    if method == 2:     # shared key MIC; after EAP the MSK (or SK_p)
                        secret = h(sa, "msk") or sk_p
                        want = prf(alg, prf(alg, secret, b"Key Pad for IKEv2"), octets)
                        need(hmac.compare_digest(want, data), "MIC differs")
                        kind = "EAP MSK" if "msk" in sa else "SK_p (EAP without MSK)"
                        yield f"{desc} verifies (shared-key MIC with the {kind})", None
                    else:
                        certs = [c for c in payload(chain, 37) if c[0] == 4]
                        need(certs, "no X.509 certificate in the message")
                        how = verify_signature(certs[0][1:], method, data, octets)
                        yield f"{desc} verifies ({how}, certificate from the CERT payload)", None
                except (CheckError, InvalidSignature, ValueError) as err:
                    yield desc, str(err) or type(err).__name__


# ------------------------------------------------------------------ main

def check_scenario(path, report):
    name = os.path.basename(path)
    try:
        sc = Scenario(path)
    except (CheckError, OSError, KeyError, ValueError) as err:
        report(f"{name}: manifest.txt and keys.txt readable", str(err))
        return
    bins = sorted(f for f in os.listdir(path) if f.endswith(".bin"))
    listed = [e["file"] for e in sc.manifest]
    report(f"{name}: manifest lists the {len(bins)} message files in order",
           None if listed == bins else f"files {bins}, manifest {listed}")
    for num in sorted(sc.ike):
        desc = f"{name}: IKE SA {num}"
        try:
            report(f"{desc}: {check_ike_sa(sc.ike[num], sc.ike)}", None)
        except (CheckError, KeyError, ValueError) as err:
            report(desc, str(err))
    for num in sorted(sc.child):
        desc = f"{name}: CHILD SA {num}"
        try:
            report(f"{desc}: {check_child_sa(sc.child[num], sc.ike)}", None)
        except (CheckError, KeyError, ValueError) as err:
            report(desc, str(err))
    for e in sc.manifest:
        desc = f"{name}: {e['file']}"
        try:
            report(f"{desc}: {sc.check_message(e)}", None)
        except (CheckError, KeyError, ValueError, OSError, struct.error) as err:
            report(desc, str(err))
    for desc, err in check_auths(sc):
        report(desc, err)


def flip_hex(text, key):
    """Change the first hex digit of `key = ...` in a keys.txt text."""
    m = re.search(rf"^{key} = ([0-9a-f])", text, re.M)
    need(m, f"no {key} to change")
    digit = "0" if m.group(1) != "0" else "1"
    return text[:m.start(1)] + digit + text[m.end(1):]


def self_test(root, scenario, report):
    """The checker must catch a broken vector: run it on damaged copies of one
    scenario and expect the damage to be reported."""
    import shutil
    import tempfile

    src = os.path.join(root, scenario)
    manifest = read_manifest(os.path.join(src, "manifest.txt"))
    sk_file = next(e["file"] for e in manifest if e["encrypted"] == "SK")

    def damage_file(d):
        with open(os.path.join(d, sk_file), "r+b") as f:
            f.seek(-1, os.SEEK_END)
            last = f.read(1)
            f.seek(-1, os.SEEK_END)
            f.write(bytes([last[0] ^ 0x01]))

    def damage_keys(key):
        def run(d):
            p = os.path.join(d, "keys.txt")
            with open(p) as f:
                text = f.read()
            with open(p, "w") as f:
                f.write(flip_hex(text, key))
        return run

    def damage_list(d):
        p = os.path.join(d, "manifest.txt")
        with open(p) as f:
            text = f.read()
        with open(p, "w") as f:
            f.write(text.replace(" IDi ", " IDr ", 1))

    with open(os.path.join(src, "keys.txt")) as f:
        secret = "msk" if "\nmsk = " in f.read() else "sk_pi"
    cases = [("a flipped ICV bit of " + sk_file, damage_file, sk_file),
             ("a changed SK_d", damage_keys("sk_d"), "IKE SA 1"),
             ("a changed CHILD SA key", damage_keys("encr_i"), "CHILD SA 1"),
             ("a wrong payload in a logged list", damage_list, ".bin"),
             (f"a changed {secret}", damage_keys(secret), "AUTH")]
    for what, damage, where in cases:
        with tempfile.TemporaryDirectory() as tmp:
            d = os.path.join(tmp, scenario)
            shutil.copytree(src, d)
            try:
                damage(d)
            except CheckError as err:
                report(f"self-test: {what}", str(err))
                continue
            failures = []
            check_scenario(d, lambda desc, err: failures.append(desc) if err else None)
            caught = [f for f in failures if where in f]
            report(f"self-test: {what} in {scenario} is caught ({len(failures)} failures)",
                   None if caught else f"not caught; failures: {failures}")


def main():
    args = sys.argv[1:]
    selftest = "--self-test" in args
    args = [a for a in args if a != "--self-test"]
    root = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    scenarios = sorted(d for d in os.listdir(root)
                       if os.path.isfile(os.path.join(root, d, "manifest.txt")))
    n = failed = 0

    def report(desc, err):
        nonlocal n, failed
        n += 1
        if err is None:
            print(f"ok {n} - {desc}")
        else:
            failed += 1
            print(f"not ok {n} - {desc}")
            for line in str(err).splitlines():
                print(f"# {line}")

    if not scenarios:
        report(f"scenarios under {root}", "no scenario directory found")
    for name in scenarios:
        check_scenario(os.path.join(root, name), report)
    if selftest and scenarios:
        # an EAP scenario with a CHILD SA and an SK message: every damage applies
        pick = "eap-mschapv2-gcm" if "eap-mschapv2-gcm" in scenarios else scenarios[0]
        self_test(root, pick, report)
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
