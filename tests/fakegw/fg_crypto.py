# SPDX-License-Identifier: GPL-2.0-or-later
"""Cryptography of the fake gateway: key exchange (RFC 7296 2.14, RFC 3526,
RFC 5903, RFC 8031), the PRF and prf+ (2.13), the IKE SA and CHILD SA keys
(2.14, 2.17), SK/SKF protection (3.14, RFC 5282, RFC 7634, RFC 7383), AUTH
(2.15, 2.16, RFC 7427), NAT detection (2.23) and the MS-CHAPv2 arithmetic
(RFC 2759, RFC 3079) of an EAP server. Only python3-cryptography (Debian)
and the standard library; MD4, which OpenSSL 3 keeps in its legacy provider,
is written out here from RFC 1320.
"""

import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

import fg_codec as C

# ------------------------------------------------------------------ key exchange
# RFC 3526 2 and 3 (the same primes OpenSSL calls modp_2048 / modp_3072).
MODP_2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)
MODP_3072 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
MODP = {14: MODP_2048, 15: MODP_3072}
ECP = {19: (ec.SECP256R1, 32), 20: (ec.SECP384R1, 48), 21: (ec.SECP521R1, 66)}
SUPPORTED_GROUPS = (14, 15, 19, 20, 21, 31)


def int_bytes(v, n):
    return v.to_bytes(n, "big")


class DH:
    """Our side of one key exchange. public is what goes into KE."""

    def __init__(self, group):
        self.group = group
        if group in MODP:
            p = MODP[group]
            self.n = (p.bit_length() + 7) // 8
            self.x = int.from_bytes(os.urandom(64), "big") | 1
            self.public = int_bytes(pow(2, self.x, p), self.n)
        elif group in ECP:
            curve, self.n = ECP[group]
            self.key = ec.generate_private_key(curve())
            pt = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
            self.public = pt[1:]  # RFC 5903 7: x | y without the 0x04
        elif group == 31:
            self.key = x25519.X25519PrivateKey.generate()
            self.public = self.key.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw)
        else:
            raise ValueError("key exchange group %d not implemented in the fake" % group)

    def shared(self, peer):
        if self.group in MODP:
            p = MODP[self.group]
            y = int.from_bytes(peer, "big")
            if not 1 < y < p - 1:
                raise ValueError("peer's MODP value out of range")
            return int_bytes(pow(y, self.x, p), self.n)
        if self.group in ECP:
            curve, n = ECP[self.group]
            pub = ec.EllipticCurvePublicKey.from_encoded_point(curve(), b"\x04" + peer)
            return self.key.exchange(ec.ECDH(), pub)
        return self.key.exchange(x25519.X25519PublicKey.from_public_bytes(peer))


def invalid_public(group, kind):
    """A public value the peer must refuse (RFC 7296 2.12 and 5; RFC 5903 9;
    RFC 8031 2.3)."""
    if group in MODP:
        p, n = MODP[group], (MODP[group].bit_length() + 7) // 8
        values = {"zero": 0, "one": 1, "p-1": p - 1, "p": p, "p+1": p + 1}
        return int_bytes(values[kind], n)
    if group in ECP:
        curve, n = ECP[group]
        good = DH(group).public
        x, y = good[:n], good[n:]
        if kind == "off-curve":
            y = int_bytes(int.from_bytes(y, "big") ^ 1, n)  # (x, y^1) is not on the curve
            return x + y
        if kind == "zero":
            return b"\0" * (2 * n)  # not a point; the point at infinity has no affine form
        if kind == "short":
            return good[:-1]
        raise ValueError(kind)
    if group == 31:
        if kind == "zero":
            return b"\0" * 32
        if kind == "one":
            return b"\x01" + b"\0" * 31  # of small order: the shared secret is zero too
        raise ValueError(kind)
    raise ValueError("group %d" % group)


# ------------------------------------------------------------------ PRF
PRF_HASH = {C.PRF_HMAC_SHA1: "sha1", C.PRF_HMAC_SHA2_256: "sha256",
            C.PRF_HMAC_SHA2_384: "sha384", C.PRF_HMAC_SHA2_512: "sha512"}


class Prf:
    def __init__(self, prf_id):
        self.id = prf_id
        self.hash = PRF_HASH[prf_id]
        self.size = hashlib.new(self.hash).digest_size

    def __call__(self, key, data):
        return hmac.new(key, data, self.hash).digest()

    def plus(self, key, seed, n):
        """RFC 7296 2.13 prf+."""
        out, t, i = b"", b"", 1
        while len(out) < n:
            t = self(key, t + seed + bytes([i]))
            out += t
            i += 1
        return out[:n]


# ------------------------------------------------------------------ suites
INTEG = {  # id: (hash, key length, ICV length)
    C.INTEG_HMAC_SHA2_256_128: ("sha256", 32, 16),
    C.INTEG_HMAC_SHA2_384_192: ("sha384", 48, 24),
    C.INTEG_HMAC_SHA2_512_256: ("sha512", 64, 32),
}
AEAD_ENCR = (C.ENCR_AES_GCM_16, C.ENCR_CHACHA20_POLY1305)


class Suite:
    """An encryption algorithm (and integrity algorithm for CBC) with its
    key sizes as RFC 7296 2.14 / 2.17 cut them from prf+."""

    def __init__(self, encr, key_bits, integ):
        self.encr, self.key_bits, self.integ = encr, key_bits, integ
        if encr == C.ENCR_AES_GCM_16:
            self.ekey_len, self.aead = key_bits // 8 + 4, True  # key | 4-byte salt
            self.iv_len, self.icv_len, self.block = 8, 16, 1
        elif encr == C.ENCR_CHACHA20_POLY1305:
            self.ekey_len, self.aead = 32 + 4, True
            self.iv_len, self.icv_len, self.block = 8, 16, 1
        elif encr == C.ENCR_AES_CBC:
            self.ekey_len, self.aead = key_bits // 8, False
            self.iv_len, self.block = 16, 16
            if integ not in INTEG:
                raise ValueError("AES-CBC without a supported integrity algorithm")
            self.icv_len = INTEG[integ][2]
        else:
            raise ValueError("encryption algorithm %d not implemented in the fake" % encr)
        self.akey_len = 0 if self.aead else INTEG[integ][1]

    def name(self):
        return {C.ENCR_AES_GCM_16: "AES-GCM-16-%d" % self.key_bits,
                C.ENCR_CHACHA20_POLY1305: "ChaCha20-Poly1305",
                C.ENCR_AES_CBC: "AES-CBC-%d/HMAC" % self.key_bits}[self.encr]


class Dir:
    """The keys of one direction of an SA."""

    def __init__(self, suite, ekey, akey):
        self.suite, self.ekey, self.akey = suite, ekey, akey

    # -- the AEAD / cipher core, shared by SK and ESP
    def seal(self, aad, iv, plain):
        s = self.suite
        if s.encr == C.ENCR_AES_GCM_16:
            return AESGCM(self.ekey[:-4]).encrypt(self.ekey[-4:] + iv, plain, aad)
        if s.encr == C.ENCR_CHACHA20_POLY1305:
            return ChaCha20Poly1305(self.ekey[:-4]).encrypt(self.ekey[-4:] + iv, plain, aad)
        enc = Cipher(algorithms.AES(self.ekey), modes.CBC(iv)).encryptor()
        return enc.update(plain) + enc.finalize()

    def open(self, aad, iv, ct):
        """AEAD: ct includes the tag. CBC: plain decryption (ICV checked by
        the caller)."""
        s = self.suite
        if s.encr == C.ENCR_AES_GCM_16:
            return AESGCM(self.ekey[:-4]).decrypt(self.ekey[-4:] + iv, ct, aad)
        if s.encr == C.ENCR_CHACHA20_POLY1305:
            return ChaCha20Poly1305(self.ekey[:-4]).decrypt(self.ekey[-4:] + iv, ct, aad)
        dec = Cipher(algorithms.AES(self.ekey), modes.CBC(iv)).decryptor()
        return dec.update(ct) + dec.finalize()

    def mac(self, data):
        h, _, icv = INTEG[self.suite.integ]
        return hmac.new(self.akey, data, h).digest()[:icv]


# ------------------------------------------------------------------ IKE SA keys
class IkeKeys:
    def __init__(self, prf, suite, ni, nr, gir, spi_i, spi_r):
        self.prf, self.suite = prf, suite
        skeyseed = prf(ni + nr, gir)
        n = prf.size
        lens = [n, suite.akey_len, suite.akey_len, suite.ekey_len, suite.ekey_len, n, n]
        km = prf.plus(skeyseed, ni + nr + spi_i + spi_r, sum(lens))
        parts, off = [], 0
        for ln in lens:
            parts.append(km[off:off + ln])
            off += ln
        self.sk_d, sk_ai, sk_ar, sk_ei, sk_er, self.sk_pi, self.sk_pr = parts
        self.i = Dir(suite, sk_ei, sk_ai)  # what the initiator sends with
        self.r = Dir(suite, sk_er, sk_ar)  # what we send with


def child_keys(prf, sk_d, suite, ni, nr, g=b""):
    """RFC 7296 2.17 KEYMAT -> (initiator's direction, responder's direction)."""
    n = suite.ekey_len + suite.akey_len
    km = prf.plus(sk_d, g + ni + nr, 2 * n)
    i = Dir(suite, km[:suite.ekey_len], km[suite.ekey_len:n])
    r = Dir(suite, km[n:n + suite.ekey_len], km[n + suite.ekey_len:2 * n])
    return i, r


# ------------------------------------------------------------------ SK / SKF
def sk_protect(d, hdr, inner_first, inner, frag=None, corrupt_icv=False, pad_len=None):
    """One protected datagram (RFC 7296 3.14; RFC 7383 2.5 when frag =
    (number, total)). hdr: a fg_codec.Header whose next_payload and length
    are set here. Returns the message bytes (no non-ESP marker)."""
    s = d.suite
    if pad_len is None:
        pad_len = (-(len(inner) + 1)) % s.block
    plain = inner + bytes(pad_len) + bytes([pad_len])
    iv = os.urandom(s.iv_len)
    ct_len = len(plain) + (s.icv_len if s.aead else 0)
    extra = 4 if frag else 0
    body_len = 4 + extra + s.iv_len + ct_len + (0 if s.aead else s.icv_len)
    hdr.next_payload = C.P_SKF if frag else C.P_SK
    hdr.length = C.HEADER_LEN + body_len
    gen = struct.pack("!BBH", inner_first, 0, body_len)
    if frag:
        gen += struct.pack("!HH", frag[0], frag[1])
    aad = hdr.pack() + gen
    if s.aead:
        ct = d.seal(aad, iv, plain)
        msg = aad + iv + ct
    else:
        ct = d.seal(b"", iv, plain)
        msg = aad + iv + ct
        msg += d.mac(msg)
    if corrupt_icv:
        msg = msg[:-1] + bytes([msg[-1] ^ 0x5a])
    return msg


def sk_unprotect(d, msg):
    """-> (header, first inner payload type, inner bytes, (number, total)
    or None). Raises ValueError when it does not decrypt."""
    hdr = C.Header.unpack(msg)
    if hdr.length != len(msg):
        raise ValueError("header length %d, datagram %d" % (hdr.length, len(msg)))
    chain = C.decode_chain(hdr.next_payload, msg[C.HEADER_LEN:])
    sk = chain[-1] if chain else None
    if not sk or sk.type not in (C.P_SK, C.P_SKF):
        raise ValueError("no SK payload")
    start = len(msg) - len(sk.body) - 4  # offset of the SK generic header
    body, frag = sk.body, None
    if sk.type == C.P_SKF:
        frag = struct.unpack("!HH", body[:4])
        body = body[4:]
    s = d.suite
    aad_end = len(msg) - len(body)
    iv = body[:s.iv_len]
    if s.aead:
        plain = d.open(msg[:aad_end], iv, body[s.iv_len:])
    else:
        ct, icv = body[s.iv_len:-s.icv_len], body[-s.icv_len:]
        if not hmac.compare_digest(d.mac(msg[:len(msg) - s.icv_len]), icv):
            raise ValueError("ICV")
        plain = d.open(b"", iv, ct)
    pad = plain[-1]
    if pad + 1 > len(plain):
        raise ValueError("pad length")
    del start
    return hdr, sk.raw_next, plain[:len(plain) - pad - 1], frag


# ------------------------------------------------------------------ AUTH
def auth_octets(prf, real_message, nonce, sk_p, id_body):
    """RFC 7296 2.15: RealMessage | Nonce | prf(SK_p, ID body)."""
    return real_message + nonce + prf(sk_p, id_body)


def shared_key_auth(prf, key, octets):
    """RFC 7296 2.15/2.16: prf(prf(key, "Key Pad for IKEv2"), octets)."""
    return prf(prf(key, b"Key Pad for IKEv2"), octets)


# RFC 7427 A: AlgorithmIdentifier DER encodings
ALGID = {
    "rsa-sha256": bytes.fromhex("300d06092a864886f70d01010b0500"),
    "rsa-sha384": bytes.fromhex("300d06092a864886f70d01010c0500"),
    "rsa-sha512": bytes.fromhex("300d06092a864886f70d01010d0500"),
    "ecdsa-sha256": bytes.fromhex("300a06082a8648ce3d040302"),
    "ecdsa-sha384": bytes.fromhex("300a06082a8648ce3d040303"),
}
# RFC 8017 9.2 note 1: DigestInfo prefixes
DIGESTINFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


def rsa_raw_sign(key, em):
    """The RSA private operation on an encoded message of our making:
    what lets the fake sign with broken padding."""
    priv = key.private_numbers()
    n = priv.public_numbers.n
    k = (n.bit_length() + 7) // 8
    m = int.from_bytes(em, "big")
    if m >= n:
        raise ValueError("encoded message not below the modulus")
    return int_bytes(pow(m, priv.d, n), k)


def rsa_em(key, octets, kind="good", hname="sha256"):
    """EMSA-PKCS1-v1_5 (RFC 8017 9.2), correct or broken on purpose."""
    k = (key.key_size + 7) // 8
    digest = hashlib.new(hname, octets).digest()
    di = DIGESTINFO[hname] + digest
    bt, ps_byte, sep = b"\x00\x01", b"\xff", b"\x00"
    if kind == "em-trailing":
        # DigestInfo followed by garbage, the padding shortened to fit
        # (Bleichenbacher 2006 signature forgery shape).
        di = di + b"\xde\xad\xbe\xef" * 4
    elif kind == "bad-bt":
        bt = b"\x00\x02"
    elif kind == "bad-ps":
        ps_byte = b"\xfe"
    elif kind == "no-sep":
        sep = b"\xff"
    elif kind == "short-hash":
        di = DIGESTINFO[hname][:-1] + bytes([len(digest) - 1]) + digest[:-1]
        di = bytes([di[0], di[1] - 1]) + di[2:]
    elif kind == "long-hash":
        di = DIGESTINFO[hname][:-1] + bytes([len(digest) + 1]) + digest + b"\x00"
        di = bytes([di[0], di[1] + 1]) + di[2:]
    elif kind == "no-null":
        # AlgorithmIdentifier without the NULL parameters: RFC 8017 allows
        # only one encoding; a verifier comparing DER must refuse the other.
        oid_alg = bytes.fromhex("300b0609608648016503040201")
        di = bytes([0x30, len(oid_alg) + 2 + len(digest)]) + oid_alg + bytes([4, len(digest)]) + digest
    elif kind == "wrong-hash":
        di = DIGESTINFO[hname] + hashlib.new(hname, octets + b"!").digest()
    elif kind == "short-ps":
        # fewer than 8 padding bytes: the hash claim is longer than it is
        pass
    ps_len = k - len(bt) - len(sep) - len(di)
    if kind == "short-ps":
        ps_len = 4
        em = bt + ps_byte * ps_len + sep + di
        em = em + b"\x00" * (k - len(em))
        return em
    return bt + ps_byte * ps_len + sep + di


def sign_octets(key, octets, scheme):
    """A correct signature of octets: (AUTH method, AUTH data)."""
    if scheme.startswith("rsa-"):
        h = {"rsa-sha256": hashes.SHA256(), "rsa-sha384": hashes.SHA384(),
             "rsa-sha512": hashes.SHA512()}[scheme]
        return C.AUTH_DIGITAL_SIGNATURE, (bytes([len(ALGID[scheme])]) + ALGID[scheme] +
                                          key.sign(octets, padding.PKCS1v15(), h))
    if scheme in ("ecdsa-sha256", "ecdsa-sha384"):
        h = {"ecdsa-sha256": hashes.SHA256(), "ecdsa-sha384": hashes.SHA384()}[scheme]
        return C.AUTH_DIGITAL_SIGNATURE, (bytes([len(ALGID[scheme])]) + ALGID[scheme] +
                                          key.sign(octets, ec.ECDSA(h)))
    if scheme == "ecdsa-classic":
        der = key.sign(octets, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return C.AUTH_ECDSA_256, int_bytes(r, 32) + int_bytes(s, 32)
    raise ValueError(scheme)


def der_int(v, raw=None):
    b = raw if raw is not None else (int_bytes(v, (v.bit_length() + 8) // 8) if v else b"\x00")
    return b"\x02" + bytes([len(b)]) + b


def der_seq(body, long_form=False):
    if long_form:
        return b"\x30\x81" + bytes([len(body)]) + body
    return b"\x30" + bytes([len(body)]) + body


P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def bad_signature(key, octets, kind):
    """A signature of the gateway's that must not verify or must not be
    accepted in its encoding: (AUTH method, AUTH data)."""
    if isinstance(key, rsa.RSAPrivateKey):
        algid = bytes([len(ALGID["rsa-sha256"])]) + ALGID["rsa-sha256"]
        if kind == "rsa-trailing":  # a good signature with bytes after it
            m, data = sign_octets(key, octets, "rsa-sha256")
            return m, data + b"\x00\x01garbage"
        if kind == "rsa-truncated":
            m, data = sign_octets(key, octets, "rsa-sha256")
            return m, data[:-1]
        if kind == "rsa-sig-ge-n":  # s >= n: not a valid signature representative
            n = key.public_key().public_numbers().n
            return C.AUTH_DIGITAL_SIGNATURE, algid + int_bytes(n, (n.bit_length() + 7) // 8)
        if kind == "rsa-sha1-classic":  # AUTH method 1 (PKCS#1 SHA-1): refused by policy
            return C.AUTH_RSA_SIG, key.sign(octets, padding.PKCS1v15(), hashes.SHA1())
        if kind == "rsa-algid-trailing":  # AlgorithmIdentifier with a byte behind it
            m, data = sign_octets(key, octets, "rsa-sha256")
            al = ALGID["rsa-sha256"] + b"\x00"
            return m, bytes([len(al)]) + al + data[1 + len(ALGID["rsa-sha256"]):]
        if kind == "rsa-algid-len":  # ASN.1 Length beyond the AUTH data
            return C.AUTH_DIGITAL_SIGNATURE, b"\xff" + ALGID["rsa-sha256"]
        # "rsa-em-good" is the control: the raw signing itself is right
        if kind.startswith("rsa-em-"):
            em = rsa_em(key, octets, kind[len("rsa-em-"):])
            return C.AUTH_DIGITAL_SIGNATURE, algid + rsa_raw_sign(key, em)
        raise ValueError(kind)
    # ECDSA (P-256)
    der = key.sign(octets, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    algid = bytes([len(ALGID["ecdsa-sha256"])]) + ALGID["ecdsa-sha256"]
    if kind == "ecdsa-der-reencoded":  # control: our DER encoder, correct values
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(r) + der_int(s))
    if kind == "ecdsa-der-trailing":
        return C.AUTH_DIGITAL_SIGNATURE, algid + der + b"\x00"
    if kind == "ecdsa-der-long-form":  # BER long-form length: not DER
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(r) + der_int(s), long_form=True)
    if kind == "ecdsa-der-padded-int":  # a needless leading zero in r
        rb = int_bytes(r, (r.bit_length() + 8) // 8)
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(0, b"\x00" + rb) + der_int(s))
    if kind == "ecdsa-der-negative-r":  # r's top bit set without the zero: negative
        rb = int_bytes(r, 32)
        rb = bytes([rb[0] | 0x80]) + rb[1:]
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(0, rb) + der_int(s))
    if kind == "ecdsa-der-r-zero":
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(0) + der_int(s))
    if kind == "ecdsa-der-r-n":  # r = n (r mod n == 0)
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(P256_N) + der_int(s))
    if kind == "ecdsa-der-s-plus-n":  # s + n: the same value mod n, out of range
        return C.AUTH_DIGITAL_SIGNATURE, algid + der_seq(der_int(r) + der_int(s + P256_N))
    if kind == "ecdsa-der-empty":
        return C.AUTH_DIGITAL_SIGNATURE, algid + b"\x30\x00"
    if kind == "ecdsa-classic-short":  # RFC 4754: r | s, 64 bytes for P-256
        return C.AUTH_ECDSA_256, int_bytes(r, 32) + int_bytes(s, 32)[:-1]
    if kind == "ecdsa-classic-long":
        return C.AUTH_ECDSA_256, int_bytes(r, 32) + int_bytes(s, 32) + b"\x00"
    if kind == "ecdsa-classic-zero":
        return C.AUTH_ECDSA_256, b"\x00" * 64
    if kind == "ecdsa-classic-r-n":
        return C.AUTH_ECDSA_256, int_bytes(P256_N, 32) + int_bytes(s, 32)
    if kind == "ecdsa-classic-der":  # DER where raw r | s belongs
        return C.AUTH_ECDSA_256, der
    raise ValueError(kind)


# ------------------------------------------------------------------ NAT detection
def natd_hash(spi_i, spi_r, addr_bytes, port):
    return hashlib.sha1(spi_i + spi_r + addr_bytes + struct.pack("!H", port)).digest()


# ------------------------------------------------------------------ MD4 (RFC 1320)
def md4(data):
    def rol(v, s):
        v &= 0xffffffff
        return ((v << s) | (v >> (32 - s))) & 0xffffffff

    msg = bytearray(data)
    bit_len = (8 * len(data)) & 0xffffffffffffffff
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bit_len)
    a, b, c, d = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
    for blk in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[blk:blk + 64])
        aa, bb, cc, dd = a, b, c, d
        # round 1: F(x,y,z) = xy v (not x)z
        for i in range(16):
            k, s = i, (3, 7, 11, 19)[i % 4]
            f = (b & c) | (~b & d)
            a, b, c, d = d, rol(a + f + x[k], s), b, c
        # round 2: G(x,y,z) = xy v xz v yz, constant 0x5a827999
        for i in range(16):
            k, s = (i % 4) * 4 + i // 4, (3, 5, 9, 13)[i % 4]
            g = (b & c) | (b & d) | (c & d)
            a, b, c, d = d, rol(a + g + x[k] + 0x5a827999, s), b, c
        # round 3: H(x,y,z) = x xor y xor z, constant 0x6ed9eba1
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        for i in range(16):
            k, s = order[i], (3, 9, 11, 15)[i % 4]
            h = b ^ c ^ d
            a, b, c, d = d, rol(a + h + x[k] + 0x6ed9eba1, s), b, c
        a = (a + aa) & 0xffffffff
        b = (b + bb) & 0xffffffff
        c = (c + cc) & 0xffffffff
        d = (d + dd) & 0xffffffff
    return struct.pack("<4I", a, b, c, d)


# ------------------------------------------------------------------ MS-CHAPv2 (RFC 2759, RFC 3079)
def des_encrypt_7(key7, block):
    """DES with a 7-byte key spread over 8 bytes (RFC 2759 8.6); single DES
    is 3DES-EDE with one key three times."""
    bits = int.from_bytes(key7, "big")
    k8 = bytes(((bits >> (56 - 7 * (i + 1))) & 0x7f) << 1 for i in range(8))
    enc = Cipher(algorithms.TripleDES(k8 * 3), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def nt_password_hash(password):
    return md4(password.encode("utf-16-le"))


def challenge_hash(peer_challenge, auth_challenge, username):
    return hashlib.sha1(peer_challenge + auth_challenge + username).digest()[:8]


def nt_response(auth_challenge, peer_challenge, username, password):
    ch = challenge_hash(peer_challenge, auth_challenge, username)
    z = nt_password_hash(password) + b"\0" * 5
    return des_encrypt_7(z[0:7], ch) + des_encrypt_7(z[7:14], ch) + des_encrypt_7(z[14:21], ch)


MAGIC1 = b"Magic server to client signing constant"
MAGIC2 = b"Pad to make it do more than one iteration"


def authenticator_response(password, nt_resp, peer_challenge, auth_challenge, username):
    hh = md4(nt_password_hash(password))
    digest = hashlib.sha1(hh + nt_resp + MAGIC1).digest()
    ch = challenge_hash(peer_challenge, auth_challenge, username)
    return "S=" + hashlib.sha1(digest + ch + MAGIC2).hexdigest().upper()


MPPE_MAGIC1 = b"This is the MPPE Master Key"
MPPE_MAGIC2 = (b"On the client side, this is the send key; on the server side, it is the "
               b"receive key.")
MPPE_MAGIC3 = (b"On the client side, this is the receive key; on the server side, it is the "
               b"send key.")


def mschapv2_msk(password, nt_resp):
    """The MSK IKEv2 gateways use (strongSwan's layout): the server's
    MasterReceiveKey | MasterSendKey | 32 zero bytes."""
    hh = md4(nt_password_hash(password))
    master = hashlib.sha1(hh + nt_resp + MPPE_MAGIC1).digest()[:16]
    pad1, pad2 = b"\0" * 40, b"\xf2" * 40
    recv = hashlib.sha1(master + pad1 + MPPE_MAGIC2 + pad2).digest()[:16]
    send = hashlib.sha1(master + pad1 + MPPE_MAGIC3 + pad2).digest()[:16]
    return recv + send + b"\0" * 32


def self_test():
    """Known answers: RFC 1320 A.5 (MD4) and RFC 2759 9.2 (MS-CHAPv2)."""
    assert md4(b"").hex() == "31d6cfe0d16ae931b73c59d7e0c089c0"
    assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"
    assert md4(b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
               ).hex() == "e33b4ddc9c38f2199c3e7b164fcc0536"
    user = b"User"
    ac = bytes.fromhex("5B5D7C7D7B3F2F3E3C2C602132262628")
    pc = bytes.fromhex("21402324255E262A28295F2B3A337C7E")
    assert nt_password_hash("clientPass").hex().upper() == "44EBBA8D5312B8D611474411F56989AE"
    resp = nt_response(ac, pc, user, "clientPass")
    assert resp.hex().upper() == "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"
    assert authenticator_response("clientPass", resp, pc, ac, user) == \
        "S=407A5589115FD0D6209F510FE9C04566932CDA56"
    # RFC 3079 3.5.3 (128-bit keys): MasterKey, then the two start keys
    hh = md4(nt_password_hash("clientPass"))
    master = hashlib.sha1(hh + resp + MPPE_MAGIC1).digest()[:16]
    assert master.hex().upper() == "FDECE3717A8C838CB388E527AE3CDD31"
    msk = mschapv2_msk("clientPass", resp)
    assert msk[16:32].hex().upper() == "8B7CDC149B993A1BA118CB153F56DCCB"
    return True
