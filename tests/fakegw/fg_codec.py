# SPDX-License-Identifier: GPL-2.0-or-later
"""IKEv2 wire format for the fake gateway (RFC 7296 3), written from the RFC
for tests: independent of tsunagu's C codec on purpose, so that a mistake in
one is not mirrored by the other.

Everything here builds or splits bytes; nothing validates beyond what the
fake needs to find its way. The fake must be able to send malformed
messages, so the builders take raw values (lengths, counts, flags) where a
scenario wants to lie.
"""

import struct

# ------------------------------------------------------------------ numbers
# Exchange types (RFC 7296 3.1)
IKE_SA_INIT = 34
IKE_AUTH = 35
CREATE_CHILD_SA = 36
INFORMATIONAL = 37
EXCHANGE_NAMES = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}

# Header flags
F_INITIATOR = 0x08
F_VERSION = 0x10
F_RESPONSE = 0x20

# Payload types (RFC 7296 3.2, RFC 7383 2.5)
P_NONE = 0
P_SA = 33
P_KE = 34
P_IDI = 35
P_IDR = 36
P_CERT = 37
P_CERTREQ = 38
P_AUTH = 39
P_NONCE = 40
P_NOTIFY = 41
P_DELETE = 42
P_VENDOR = 43
P_TSI = 44
P_TSR = 45
P_SK = 46
P_CP = 47
P_EAP = 48
P_SKF = 53
PAYLOAD_NAMES = {
    33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT", 38: "CERTREQ", 39: "AUTH",
    40: "No", 41: "N", 42: "D", 43: "V", 44: "TSi", 45: "TSr", 46: "SK", 47: "CP",
    48: "EAP", 53: "SKF",
}

# Protocols
PROTO_IKE = 1
PROTO_AH = 2
PROTO_ESP = 3

# Transform types and IDs (IANA "IKEv2 Parameters")
T_ENCR = 1
T_PRF = 2
T_INTEG = 3
T_DH = 4
T_ESN = 5
ENCR_AES_CBC = 12
ENCR_AES_GCM_8 = 18
ENCR_AES_GCM_12 = 19
ENCR_AES_GCM_16 = 20
ENCR_CHACHA20_POLY1305 = 28
PRF_HMAC_SHA1 = 2
PRF_HMAC_SHA2_256 = 5
PRF_HMAC_SHA2_384 = 6
PRF_HMAC_SHA2_512 = 7
INTEG_NONE = 0
INTEG_HMAC_SHA2_256_128 = 12
INTEG_HMAC_SHA2_384_192 = 13
INTEG_HMAC_SHA2_512_256 = 14
ATTR_KEY_LENGTH = 14

# Notify types
N_UNSUPPORTED_CRITICAL_PAYLOAD = 1
N_INVALID_IKE_SPI = 4
N_INVALID_SYNTAX = 7
N_INVALID_MESSAGE_ID = 9
N_NO_PROPOSAL_CHOSEN = 14
N_INVALID_KE_PAYLOAD = 17
N_AUTHENTICATION_FAILED = 24
N_NO_ADDITIONAL_SAS = 35
N_INTERNAL_ADDRESS_FAILURE = 36
N_TS_UNACCEPTABLE = 38
N_TEMPORARY_FAILURE = 43
N_INITIAL_CONTACT = 16384
N_NAT_DETECTION_SOURCE_IP = 16388
N_NAT_DETECTION_DESTINATION_IP = 16389
N_COOKIE = 16390
N_REKEY_SA = 16393
N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394
N_MULTIPLE_AUTH_SUPPORTED = 16404
N_ANOTHER_AUTH_FOLLOWS = 16405
N_EAP_ONLY_AUTHENTICATION = 16417
N_IKEV2_FRAGMENTATION_SUPPORTED = 16430
N_SIGNATURE_HASH_ALGORITHMS = 16431
N_REDIRECT_SUPPORTED = 16406  # RFC 5685
N_REDIRECT = 16407
N_REDIRECTED_FROM = 16408
GW_IPV4, GW_IPV6, GW_FQDN = 1, 2, 3  # RFC 5685 10

# ID types, AUTH methods, certificate encodings
ID_IPV4_ADDR = 1
ID_FQDN = 2
ID_RFC822_ADDR = 3
ID_IPV6_ADDR = 5
ID_DER_ASN1_DN = 9
ID_KEY_ID = 11
AUTH_RSA_SIG = 1
AUTH_SHARED_KEY_MIC = 2
AUTH_ECDSA_256 = 9
AUTH_ECDSA_384 = 10
AUTH_ECDSA_521 = 11
AUTH_DIGITAL_SIGNATURE = 14
CERT_X509_SIGNATURE = 4

# Configuration payload (RFC 7296 3.15, RFC 8598)
CFG_REQUEST = 1
CFG_REPLY = 2
CA_INTERNAL_IP4_ADDRESS = 1
CA_INTERNAL_IP4_NETMASK = 2
CA_INTERNAL_IP4_DNS = 3
CA_INTERNAL_IP6_ADDRESS = 8
CA_INTERNAL_IP6_DNS = 10
CA_INTERNAL_IP4_SUBNET = 13
CA_INTERNAL_DNS_DOMAIN = 25

# Traffic selector types
TS_IPV4_ADDR_RANGE = 7
TS_IPV6_ADDR_RANGE = 8

HEADER_LEN = 28
NON_ESP_MARKER = b"\x00\x00\x00\x00"


class CodecError(Exception):
    pass


# ------------------------------------------------------------------ header
class Header:
    __slots__ = ("spi_i", "spi_r", "next_payload", "version", "exchange", "flags", "msgid", "length")

    def __init__(self, spi_i=b"\0" * 8, spi_r=b"\0" * 8, next_payload=0, version=0x20,
                 exchange=0, flags=0, msgid=0, length=0):
        self.spi_i, self.spi_r = spi_i, spi_r
        self.next_payload, self.version = next_payload, version
        self.exchange, self.flags, self.msgid, self.length = exchange, flags, msgid, length

    def pack(self):
        return (self.spi_i + self.spi_r +
                struct.pack("!BBBBII", self.next_payload, self.version, self.exchange,
                            self.flags, self.msgid, self.length))

    @classmethod
    def unpack(cls, data):
        if len(data) < HEADER_LEN:
            raise CodecError("shorter than the IKE header (%d bytes)" % len(data))
        np_, ver, exch, flags, mid, length = struct.unpack("!BBBBII", data[16:28])
        return cls(data[0:8], data[8:16], np_, ver, exch, flags, mid, length)

    @property
    def is_response(self):
        return bool(self.flags & F_RESPONSE)

    @property
    def exchange_name(self):
        return EXCHANGE_NAMES.get(self.exchange, str(self.exchange))


# ------------------------------------------------------------------ payload chains
class Payload:
    """One payload: its type, body (bytes after the generic header) and the
    critical bit. `raw_len` overrides the generic header's length field (a
    lie), `raw_next` the next-payload field."""
    __slots__ = ("type", "body", "critical", "raw_len", "raw_next")

    def __init__(self, ptype, body=b"", critical=False, raw_len=None, raw_next=None):
        self.type, self.body, self.critical = ptype, bytes(body), critical
        self.raw_len, self.raw_next = raw_len, raw_next

    def __repr__(self):
        return "Payload(%s, %d bytes)" % (PAYLOAD_NAMES.get(self.type, self.type), len(self.body))


def encode_chain(payloads):
    """The payloads back to back; returns (first payload type, bytes)."""
    out = bytearray()
    for i, p in enumerate(payloads):
        nxt = payloads[i + 1].type if i + 1 < len(payloads) else P_NONE
        if p.raw_next is not None:
            nxt = p.raw_next
        length = 4 + len(p.body) if p.raw_len is None else p.raw_len
        out += struct.pack("!BBH", nxt, 0x80 if p.critical else 0, length & 0xffff) + p.body
    return (payloads[0].type if payloads else P_NONE), bytes(out)


def decode_chain(first, data):
    """Splits a chain; raises CodecError on a length that does not fit."""
    out, off, t = [], 0, first
    while t != P_NONE:
        if len(data) - off < 4:
            raise CodecError("payload header of type %d truncated" % t)
        nxt, crit, length = struct.unpack("!BBH", data[off:off + 4])
        if length < 4 or length > len(data) - off:
            raise CodecError("payload type %d: length %d at offset %d does not fit %d bytes"
                             % (t, length, off, len(data)))
        out.append(Payload(t, data[off + 4:off + length], bool(crit & 0x80)))
        off += length
        if t in (P_SK, P_SKF):
            # The encrypted payload is last; its next-payload field names
            # the first payload inside (RFC 7296 3.14).
            out[-1].raw_next = nxt
            break
        t = nxt
    return out


def find(payloads, ptype):
    for p in payloads:
        if p.type == ptype:
            return p
    return None


def find_all(payloads, ptype):
    return [p for p in payloads if p.type == ptype]


def names(payloads):
    """"IDi,N(INITIAL_CONTACT),..." for logs."""
    out = []
    for p in payloads:
        n = PAYLOAD_NAMES.get(p.type, str(p.type))
        if p.type == P_NOTIFY and len(p.body) >= 4:
            n += "(%d)" % struct.unpack("!H", p.body[2:4])[0]
        out.append(n)
    return ",".join(out)


def encode_message(hdr, payloads):
    """An unprotected message (IKE_SA_INIT, spoofed notifies)."""
    first, body = encode_chain(payloads)
    hdr.next_payload = first
    hdr.length = HEADER_LEN + len(body)
    return hdr.pack() + body


# ------------------------------------------------------------------ SA payloads
class Transform:
    __slots__ = ("type", "id", "key_len")

    def __init__(self, ttype, tid, key_len=None):
        self.type, self.id, self.key_len = ttype, tid, key_len

    def __repr__(self):
        return "T(%d,%d%s)" % (self.type, self.id, "" if self.key_len is None else ",%d" % self.key_len)


class Proposal:
    __slots__ = ("num", "proto", "spi", "transforms")

    def __init__(self, num, proto, spi=b"", transforms=()):
        self.num, self.proto, self.spi, self.transforms = num, proto, spi, list(transforms)

    def of_type(self, ttype):
        return [t for t in self.transforms if t.type == ttype]


def decode_sa(body):
    props, off = [], 0
    while off < len(body):
        if len(body) - off < 8:
            raise CodecError("proposal truncated")
        last, _, plen, num, proto, spisize, ntrans = struct.unpack("!BBHBBBB", body[off:off + 8])
        if plen < 8 or plen > len(body) - off:
            raise CodecError("proposal length %d" % plen)
        pb = body[off + 8:off + plen]
        spi, toff, trans = pb[:spisize], spisize, []
        for _ in range(ntrans):
            if len(pb) - toff < 8:
                raise CodecError("transform truncated")
            _, _, tlen, ttype, _, tid = struct.unpack("!BBHBBH", pb[toff:toff + 8])
            if tlen < 8 or tlen > len(pb) - toff:
                raise CodecError("transform length %d" % tlen)
            attrs, key_len, aoff = pb[toff + 8:toff + tlen], None, 0
            while len(attrs) - aoff >= 4:
                at, av = struct.unpack("!HH", attrs[aoff:aoff + 4])
                if at & 0x8000:
                    if at & 0x7fff == ATTR_KEY_LENGTH:
                        key_len = av
                    aoff += 4
                else:
                    aoff += 4 + av
            trans.append(Transform(ttype, tid, key_len))
            toff += tlen
        props.append(Proposal(num, proto, spi, trans))
        off += plen
        if last == 0:
            break
    return props


def encode_transform(t, last):
    attrs = b"" if t.key_len is None else struct.pack("!HH", 0x8000 | ATTR_KEY_LENGTH, t.key_len)
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), t.type, 0, t.id) + attrs


def encode_proposal(p, last=True):
    tb = b"".join(encode_transform(t, i == len(p.transforms) - 1)
                  for i, t in enumerate(p.transforms))
    return struct.pack("!BBHBBBB", 0 if last else 2, 0, 8 + len(p.spi) + len(tb), p.num, p.proto,
                       len(p.spi), len(p.transforms)) + p.spi + tb


def encode_sa(props):
    return b"".join(encode_proposal(p, i == len(props) - 1) for i, p in enumerate(props))


# ------------------------------------------------------------------ small payloads
def ke_body(group, data):
    return struct.pack("!HH", group, 0) + data


def decode_ke(body):
    if len(body) < 4:
        raise CodecError("KE truncated")
    return struct.unpack("!H", body[:2])[0], body[4:]


def id_body(id_type, data):
    return struct.pack("!B3x", id_type) + data


def cert_body(encoding, data):
    return struct.pack("!B", encoding) + data


def auth_body(method, data):
    return struct.pack("!B3x", method) + data


def decode_auth(body):
    if len(body) < 4:
        raise CodecError("AUTH truncated")
    return body[0], body[4:]


def notify_body(ntype, data=b"", proto=0, spi=b""):
    return struct.pack("!BBH", proto, len(spi), ntype) + spi + data


def decode_notify(body):
    if len(body) < 4:
        raise CodecError("notify truncated")
    proto, spisize, ntype = struct.unpack("!BBH", body[:4])
    if len(body) < 4 + spisize:
        raise CodecError("notify SPI truncated")
    return proto, ntype, body[4:4 + spisize], body[4 + spisize:]


def notify(ntype, data=b"", proto=0, spi=b""):
    return Payload(P_NOTIFY, notify_body(ntype, data, proto, spi))


def notifies(payloads):
    """{type: data} of the notifies in a chain (the last one wins)."""
    out = {}
    for p in find_all(payloads, P_NOTIFY):
        try:
            _, ntype, _, data = decode_notify(p.body)
        except CodecError:
            continue
        out[ntype] = data
    return out


def redirect_body(gateway, nonce=b""):
    """RFC 5685 8.1: GW Ident Type, GW Ident Len, the gateway (an IPv4 or
    IPv6 literal, else an FQDN), then the nonce (IKE_SA_INIT only)."""
    import ipaddress
    try:
        a = ipaddress.ip_address(gateway)
        kind, ident = (GW_IPV4 if a.version == 4 else GW_IPV6), a.packed
    except ValueError:
        kind, ident = GW_FQDN, gateway.encode()
    return bytes([kind, len(ident)]) + ident + nonce


def decode_gw_ident(data):
    """(text, rest) of a REDIRECTED_FROM / REDIRECT gateway identity."""
    import ipaddress
    if len(data) < 2 or len(data) < 2 + data[1]:
        raise CodecError("gateway identity truncated")
    kind, ident = data[0], data[2:2 + data[1]]
    if kind in (GW_IPV4, GW_IPV6):
        text = str(ipaddress.ip_address(ident))
    else:
        text = ident.decode(errors="replace")
    return text, data[2 + data[1]:]


def delete_body(proto, spis=(), spi_size=None):
    size = spi_size if spi_size is not None else (0 if proto == PROTO_IKE else 4)
    return struct.pack("!BBH", proto, size, len(spis)) + b"".join(spis)


def decode_delete(body):
    if len(body) < 4:
        raise CodecError("delete truncated")
    proto, size, n = struct.unpack("!BBH", body[:4])
    spis = [body[4 + i * size:4 + (i + 1) * size] for i in range(n)] if size else []
    return proto, size, spis


class Selector:
    """A traffic selector; raw_len / raw_type lie on purpose when set."""
    __slots__ = ("ts_type", "proto", "sport", "eport", "start", "end", "raw_len")

    def __init__(self, start, end, proto=0, sport=0, eport=65535, ts_type=None, raw_len=None):
        self.start, self.end = bytes(start), bytes(end)
        self.ts_type = ts_type if ts_type is not None else (
            TS_IPV4_ADDR_RANGE if len(self.start) == 4 else TS_IPV6_ADDR_RANGE)
        self.proto, self.sport, self.eport, self.raw_len = proto, sport, eport, raw_len

    def pack(self):
        length = 8 + len(self.start) + len(self.end)
        if self.raw_len is not None:
            length = self.raw_len
        return struct.pack("!BBHHH", self.ts_type, self.proto, length, self.sport,
                           self.eport) + self.start + self.end


def ts_body(selectors, count=None):
    n = len(selectors) if count is None else count
    return struct.pack("!B3x", n) + b"".join(s.pack() for s in selectors)


def decode_ts(body):
    if len(body) < 4:
        raise CodecError("TS truncated")
    n, off, out = body[0], 4, []
    for _ in range(n):
        if len(body) - off < 8:
            raise CodecError("selector truncated")
        t, proto, length, sp, ep = struct.unpack("!BBHHH", body[off:off + 8])
        alen = 4 if t == TS_IPV4_ADDR_RANGE else 16
        if length != 8 + 2 * alen or length > len(body) - off:
            raise CodecError("selector length %d" % length)
        out.append(Selector(body[off + 8:off + 8 + alen], body[off + 8 + alen:off + length],
                            proto, sp, ep, t))
        off += length
    return out


def cp_attr(attr_type, value=b"", raw_len=None):
    length = len(value) if raw_len is None else raw_len
    return struct.pack("!HH", attr_type & 0x7fff, length) + value


def cp_body(cfg_type, attrs):
    return struct.pack("!B3x", cfg_type) + b"".join(attrs)


def decode_cp(body):
    if len(body) < 4:
        raise CodecError("CP truncated")
    cfg, off, out = body[0], 4, []
    while len(body) - off >= 4:
        t, length = struct.unpack("!HH", body[off:off + 4])
        out.append((t & 0x7fff, body[off + 4:off + 4 + length]))
        off += 4 + length
    return cfg, out
