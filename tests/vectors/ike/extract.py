#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn one captured scenario into IKEv2 test vectors (standard library only).

Inputs: the gateway-side pcap (tcpdump in the gateway namespace) and the two
charon logs (gateway and strongSwan client, groups ike/enc/net/cfg/chd at
level 4) of one scenario, as written by capture.sh.
Outputs in --out: NN-<exchange>-<request|response>-<i2r|r2i>[-fragKofN].bin
(each IKE message as sent, without IP/UDP headers and without the non-ESP
marker), manifest.txt and keys.txt (formats in README.md).

How the pieces are tied together, with no guessing:
- every IKE datagram on the wire must be byte-identical to a message the
  sending charon logged as it generated it ("generated data of this
  generator"); that log record gives strongSwan's payload list for it (the
  inner list for encrypted messages, and for fragments also the list of the
  whole message) and the plaintext it encrypted ("plain"), from which the
  SPIs, nonces and proposals of CREATE_CHILD_SA exchanges are read;
- every datagram must also appear in the receiving charon's raw packet dumps;
- an IKE key block of the client log belongs to the IKE SA for which
  prf(Ni | Nr, g^ir) (or prf(SK_d old, g^ir | Ni | Nr) after a rekey) gives
  its logged SKEYSEED; a CHILD SA key block to the exchange whose nonces end
  its logged prf+ seed; the gateway log must hold the same values.
Anything that does not fit stops the extraction with an error.
"""

import argparse
import hashlib
import hmac
import os
import re
import struct
import sys

EXCHANGES = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}
PL_SA, PL_KE, PL_NONCE, PL_NOTIFY, PL_SK, PL_SKF = 33, 34, 40, 41, 46, 53
PROTO_IKE, PROTO_ESP = 1, 3
N_REKEY_SA = 16393

# Transform names as strongSwan prints them in "selected proposal: ..." lines.
ENCR_NAMES = {3: "3DES_CBC", 12: "AES_CBC", 13: "AES_CTR", 18: "AES_GCM_8", 19: "AES_GCM_12",
              20: "AES_GCM_16", 28: "CHACHA20_POLY1305"}
INTEG_NAMES = {2: "HMAC_SHA1_96", 5: "AES_XCBC_96", 12: "HMAC_SHA2_256_128",
               13: "HMAC_SHA2_384_192", 14: "HMAC_SHA2_512_256"}
PRF_NAMES = {2: "PRF_HMAC_SHA1", 4: "PRF_AES128_XCBC", 5: "PRF_HMAC_SHA2_256",
             6: "PRF_HMAC_SHA2_384", 7: "PRF_HMAC_SHA2_512", 8: "PRF_AES128_CMAC"}
DH_NAMES = {14: "MODP_2048", 15: "MODP_3072", 16: "MODP_4096", 19: "ECP_256", 20: "ECP_384",
            21: "ECP_521", 31: "CURVE_25519", 32: "CURVE_448"}
ESN_NAMES = {0: "NO_EXT_SEQ", 1: "EXT_SEQ"}
PRF_HASHES = {2: hashlib.sha1, 5: hashlib.sha256, 6: hashlib.sha384, 7: hashlib.sha512}


class VectorError(Exception):
    pass


def fail(msg):
    raise VectorError(msg)


# ---------------------------------------------------------------- pcap

def read_pcap(path):
    """Yield (src, dst, sport, dport, udp_payload) for each IPv4/UDP packet."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        fail(f"{path}: not a pcap file ({len(data)} bytes)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        fail(f"{path}: unknown pcap magic {magic.hex()}")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    n = 0
    while off < len(data):
        if len(data) - off < 16:
            fail(f"{path}: truncated record header at offset {off}")
        _, _, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if incl > len(data) - off:
            fail(f"{path}: record {n} claims {incl} bytes, {len(data) - off} left")
        if incl != orig:
            fail(f"{path}: record {n} truncated by the capture ({incl} of {orig} bytes)")
        pkt = data[off:off + incl]
        off += incl
        n += 1
        if linktype == 1:       # Ethernet
            if len(pkt) < 14:
                continue
            etype = struct.unpack("!H", pkt[12:14])[0]
            ip = pkt[14:]
            if etype == 0x8100 and len(pkt) >= 18:
                etype = struct.unpack("!H", pkt[16:18])[0]
                ip = pkt[18:]
        elif linktype == 113:   # Linux cooked v1
            etype = struct.unpack("!H", pkt[14:16])[0]
            ip = pkt[16:]
        elif linktype == 276:   # Linux cooked v2
            etype = struct.unpack("!H", pkt[0:2])[0]
            ip = pkt[20:]
        else:
            fail(f"{path}: unsupported link type {linktype}")
        if etype != 0x0800 or len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        frag = struct.unpack("!H", ip[6:8])[0]
        if ip[9] != 17:
            continue
        if frag & 0x3FFF:
            fail(f"{path}: record {n - 1} is an IP fragment; IKE fragmentation was expected")
        if total > len(ip) or total < ihl + 8:
            fail(f"{path}: record {n - 1}: bad IPv4 total length {total}")
        udp = ip[ihl:total]
        sport, dport, ulen = struct.unpack("!HHH", udp[:6])
        if ulen != len(udp):
            fail(f"{path}: record {n - 1}: UDP length {ulen}, {len(udp)} bytes in the packet")
        yield (".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20])), sport, dport,
               udp[8:])


def is_ike_message(b):
    return len(b) >= 28 and b[17] == 0x20 and struct.unpack("!I", b[24:28])[0] == len(b)


def generated_message(b):
    """A complete message as charon's generator dumped it. The dump of a
    plaintext message is taken before the header's Length field is filled
    in (it still says 28): compare messages without that field."""
    if len(b) < 28 or b[17] != 0x20 or struct.unpack("!I", b[24:28])[0] not in (28, len(b)):
        return None
    return b[:24] + b[28:]


# ---------------------------------------------------------------- payloads

def walk_chain(first, data, what):
    """Split a payload chain into [(type, body)]; stops after SK/SKF."""
    out = []
    t, off = first, 0
    while t != 0:
        if len(data) - off < 4:
            fail(f"{what}: payload {t} header at {off} past the end ({len(data)} bytes)")
        nxt, _, plen = struct.unpack("!BBH", data[off:off + 4])
        if plen < 4 or plen > len(data) - off:
            fail(f"{what}: payload {t} at {off} has length {plen}, {len(data) - off} left")
        out.append((t, data[off + 4:off + plen], nxt))
        off += plen
        if t in (PL_SK, PL_SKF):
            break
        t = nxt
    if off != len(data):
        fail(f"{what}: {len(data) - off} bytes after the last payload")
    return out


def parse_sa(body, what):
    props = []
    off = 0
    while off < len(body):
        if len(body) - off < 8:
            fail(f"{what}: short proposal")
        last, _, plen, num, proto, spisize, ntr = struct.unpack("!BBHBBBB", body[off:off + 8])
        if plen < 8 + spisize or plen > len(body) - off:
            fail(f"{what}: proposal length {plen}")
        spi = body[off + 8:off + 8 + spisize]
        t = off + 8 + spisize
        transforms = []
        for _ in range(ntr):
            _, _, tlen, ttype, _, tid = struct.unpack("!BBHBBH", body[t:t + 8])
            attrs = body[t + 8:t + tlen]
            keylen = None
            a = 0
            while a + 4 <= len(attrs):
                atype, aval = struct.unpack("!HH", attrs[a:a + 4])
                if atype & 0x8000:
                    if atype & 0x7FFF == 14:
                        keylen = aval
                    a += 4
                else:
                    a += 4 + aval
            transforms.append((ttype, tid, keylen))
            t += tlen
        props.append({"num": num, "proto": proto, "spi": spi, "transforms": transforms})
        off += plen
        if last == 0:
            break
    return props


def payloads_of(chain, ptype):
    return [body for t, body, _ in chain if t == ptype]


def one(chain, ptype, what):
    bodies = payloads_of(chain, ptype)
    if len(bodies) != 1:
        fail(f"{what}: {len(bodies)} payloads of type {ptype}, expected 1")
    return bodies[0]


def notifies(chain):
    out = []
    for body in payloads_of(chain, PL_NOTIFY):
        proto, spisize, ntype = struct.unpack("!BBH", body[:4])
        out.append((ntype, body[4:4 + spisize], body[4 + spisize:]))
    return out


def proposal_name(prop):
    """strongSwan's rendering of a single chosen proposal."""
    byt = {}
    for ttype, tid, keylen in prop["transforms"]:
        byt.setdefault(ttype, []).append((tid, keylen))
    parts = []
    for tid, keylen in byt.get(1, []):
        name = ENCR_NAMES.get(tid, f"ENCR_{tid}")
        parts.append(f"{name}_{keylen}" if keylen else name)
    for tid, _ in byt.get(3, []):
        parts.append(INTEG_NAMES.get(tid, f"INTEG_{tid}"))
    for tid, _ in byt.get(2, []):
        parts.append(PRF_NAMES.get(tid, f"PRF_{tid}"))
    for tid, _ in byt.get(4, []):
        parts.append(DH_NAMES.get(tid, f"DH_{tid}"))
    for tid, _ in byt.get(5, []):
        parts.append(ESN_NAMES.get(tid, f"ESN_{tid}"))
    proto = {PROTO_IKE: "IKE", PROTO_ESP: "ESP"}.get(prop["proto"], str(prop["proto"]))
    return f"{proto}:" + "/".join(parts)


def transform_ids(prop):
    ids = {"encr": 0, "encr_keylen": 0, "integ": 0, "prf": 0, "dh": 0, "esn": None}
    for ttype, tid, keylen in prop["transforms"]:
        key = {1: "encr", 2: "prf", 3: "integ", 4: "dh", 5: "esn"}.get(ttype)
        if key is None:
            fail(f"unknown transform type {ttype}")
        if key == "esn" and ids["esn"] is not None:
            fail("more than one ESN transform in a chosen proposal")
        if key != "esn" and ids[key]:
            fail(f"more than one {key} transform in a chosen proposal")
        ids[key] = tid
        if key == "encr":
            ids["encr_keylen"] = keylen or 0
    return ids


def prf(alg, key, data):
    if alg not in PRF_HASHES:
        fail(f"PRF {alg} is not supported by the extractor (HMAC-SHA1/SHA2 only)")
    return hmac.new(key, data, PRF_HASHES[alg]).digest()


# ---------------------------------------------------------------- charon logs

LINE = re.compile(r"^\d\d:\d\d:\d\d (\d+)\[(\w+)\] (?:<([^>]*)> )?(.*)$")
DUMP_HDR = re.compile(r"^(.*?)\s*=> (\d+) bytes @ (?:0x[0-9a-f]+|\(nil\))$")
DUMP_LINE = re.compile(r"^\s*(\d+): (.*)$")
GEN = re.compile(r"^generating (\S+) (request|response) (\d+) \[(.*)\]$")
PARSED = re.compile(r"^parsed (\S+) (request|response) (\d+) \[(.*)\]$")
FRAG = re.compile(r"^EF\((\d+)/(\d+)\)$")

IKE_KEY_LABELS = {"shared Diffie Hellman secret": "g_ir", "SKEYSEED": "skeyseed",
                  "Sk_d secret": "sk_d", "Sk_ai secret": "sk_ai", "Sk_ar secret": "sk_ar",
                  "Sk_ei secret": "sk_ei", "Sk_er secret": "sk_er", "Sk_pi secret": "sk_pi",
                  "Sk_pr secret": "sk_pr"}
CHILD_KEY_LABELS = {"encryption initiator key": "encr_i", "encryption responder key": "encr_r",
                    "integrity initiator key": "integ_i", "integrity responder key": "integ_r"}


def plist(text):
    text = text.strip()
    return f"[ {text} ]" if text else "[ ]"


class GenMsg:
    def __init__(self, log, lineno, tag, exchange, mtype, msgid, plist_text, frag, outer):
        self.log, self.lineno, self.tag = log, lineno, tag
        self.exchange, self.mtype, self.msgid = exchange, mtype, msgid
        self.plist = plist_text
        self.frag = frag            # (k, n) for a fragment
        self.outer = outer or self  # the whole message a fragment belongs to
        self.data = None            # bytes as sent (complete IKE message)
        self.plain = None           # the inner payload chain it encrypted
        self.fragments = []


class CharonLog:
    """The parts of a charon level-4 log that vectors need."""

    def __init__(self, path, name):
        self.name = name
        self.generated = []
        self.parsed = set()
        self.received_raw = set()
        self.ike_keys = []
        self.child_keys = []
        self.msks = []
        self.proposals = []
        threads = {}
        msk_pending = set()
        with open(path, encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = LINE.match(line.rstrip("\n"))
                if not m:
                    continue
                thread, group, tag, text = m.group(1), m.group(2), m.group(3) or "", m.group(4)
                st = threads.setdefault(thread, {"dump": None, "gen": None, "outer": None,
                                                 "crypt": None, "ike": None, "child": None})
                dump = st["dump"]
                if dump is not None:
                    dm = DUMP_LINE.match(text)
                    if dm and int(dm.group(1)) == len(dump["buf"]):
                        n = min(16, dump["len"] - len(dump["buf"]))
                        hexpart = dm.group(2)[:3 * n - 1].split(" ")
                        if len(hexpart) != n:
                            fail(f"{path}:{lineno}: short hex dump line")
                        dump["buf"] += bytes(int(h, 16) for h in hexpart)
                        if len(dump["buf"]) == dump["len"]:
                            st["dump"] = None
                            self._dump(st, dump, msk_pending)
                        continue
                    fail(f"{path}:{lineno}: hex dump '{dump['label']}' of thread {thread} "
                         f"interrupted after {len(dump['buf'])} of {dump['len']} bytes")
                hm = DUMP_HDR.match(text)
                if hm:
                    dump = {"label": hm.group(1).strip(), "len": int(hm.group(2)), "buf": b"",
                            "group": group, "tag": tag, "lineno": lineno}
                    if dump["len"]:
                        st["dump"] = dump
                    else:
                        self._dump(st, dump, msk_pending)
                    continue
                self._text(st, lineno, group, tag, text, msk_pending)

    def _text(self, st, lineno, group, tag, text, msk_pending):
        m = GEN.match(text)
        if m:
            exch, mtype, msgid, lst = m.group(1), m.group(2), int(m.group(3)), m.group(4)
            fm = FRAG.match(lst.strip())
            if fm:
                outer = st["outer"]
                if outer is None:
                    fail(f"{self.name}:{lineno}: fragment without a message")
                g = GenMsg(self.name, lineno, tag, exch, mtype, msgid, plist(lst),
                           (int(fm.group(1)), int(fm.group(2))), outer)
                outer.fragments.append(g)
            else:
                g = GenMsg(self.name, lineno, tag, exch, mtype, msgid, plist(lst), None, None)
                st["outer"] = g
            st["gen"] = g
            self.generated.append(g)
            st["crypt"] = None
            return
        m = PARSED.match(text)
        if m:
            self.parsed.add(f"{m.group(1)} {m.group(2)} {m.group(3)} {plist(m.group(4))}")
            return
        if text in ("encrypted payload encryption:", "encrypted fragment payload encryption:"):
            st["crypt"] = "enc"
        elif text in ("encrypted payload decryption:", "encrypted fragment payload decryption:"):
            st["crypt"] = "dec"
        elif text.startswith("received packet: from "):
            st["gen"] = st["outer"] = None
            st["crypt"] = None
        elif re.match(r"^EAP method \S+ succeeded, MSK established$", text):
            msk_pending.add(tag)
        elif group == "CFG" and text.startswith("selected proposal: "):
            self.proposals.append((lineno, tag, text[len("selected proposal: "):].strip()))

    def _dump(self, st, dump, msk_pending):
        label, data, group, tag = dump["label"], dump["buf"], dump["group"], dump["tag"]
        if group == "NET" and label == "received packet" and not tag:
            self.received_raw.add(data)
        elif group == "ENC" and label == "generated data of this generator":
            if st["gen"] is not None and generated_message(data) is not None:
                st["gen"].data = data
        elif group == "ENC" and label == "plain":
            if st["crypt"] == "enc" and st["gen"] is not None:
                st["gen"].plain = data
            st["crypt"] = None
        elif group == "IKE" and label in IKE_KEY_LABELS:
            key = IKE_KEY_LABELS[label]
            if key == "g_ir":
                st["ike"] = {"g_ir": data, "tag": tag, "lineno": dump["lineno"]}
                self.ike_keys.append(st["ike"])
            elif st["ike"] is not None and key not in st["ike"]:
                st["ike"][key] = data
        elif group == "IKE" and label == "secret" and tag in msk_pending:
            msk_pending.discard(tag)
            self.msks.append((tag, data))
        elif group == "CHD" and label == "DH secret":
            st["child"] = {"g_ir": data, "tag": tag, "lineno": dump["lineno"]}
            self.child_keys.append(st["child"])
        elif group == "CHD" and label == "seed":
            c = st["child"]
            if c is None or "seed" in c:
                st["child"] = c = {"tag": tag, "lineno": dump["lineno"]}
                self.child_keys.append(c)
            c["seed"] = data
        elif group == "CHD" and label in CHILD_KEY_LABELS:
            c = st["child"]
            key = CHILD_KEY_LABELS[label]
            if c is None or key in c:
                fail(f"{self.name}:{dump['lineno']}: '{label}' outside a CHILD SA key block")
            c[key] = data


# ---------------------------------------------------------------- the scenario

class Message:
    pass


def load_messages(args, clog, glog):
    gen_by_data = {}
    for log in (clog, glog):
        for g in log.generated:
            if g.data is not None:
                gen_by_data.setdefault((log.name, generated_message(g.data)), []).append(g)
    msgs = []
    seen = {}
    skipped = {"esp": 0, "keepalive": 0}
    for src, dst, sport, dport, payload in read_pcap(args.pcap):
        if src == args.client_ip and dst == args.gateway_ip:
            sender, receiver = clog, glog
        elif src == args.gateway_ip and dst == args.client_ip:
            sender, receiver = glog, clog
        else:
            fail(f"datagram {src}:{sport} -> {dst}:{dport} is neither to nor from the client")
        if sport == 500 or dport == 500:
            ike, marker = payload, False
        elif payload == b"\xff":
            skipped["keepalive"] += 1
            continue
        elif len(payload) >= 4 and payload[:4] == bytes(4):
            ike, marker = payload[4:], True
        else:
            skipped["esp"] += 1
            continue
        n = len(msgs) + 1
        if not is_ike_message(ike):
            fail(f"datagram {n}: not one complete IKEv2 message ({len(ike)} bytes)")
        if payload not in receiver.received_raw:
            fail(f"datagram {n}: not in the {receiver.name} log's received packets")
        gens = gen_by_data.get((sender.name, generated_message(ike)))
        if not gens:
            fail(f"datagram {n} ({src} -> {dst}, {len(ike)} bytes): the {sender.name} log "
                 f"never generated it")
        g = gens[0]
        m = Message()
        m.n, m.data, m.gen, m.sender, m.receiver = n, ike, g, sender, receiver
        m.udp_len = len(payload)
        m.port = 500 if (sport == 500 or dport == 500) else 4500
        m.marker = marker
        m.retransmit = seen.get(ike, 0) > 0
        seen[ike] = seen.get(ike, 0) + 1
        m.spi_i, m.spi_r = ike[0:8], ike[8:16]
        m.first, m.exch, m.flags = ike[16], ike[18], ike[19]
        m.msgid = struct.unpack("!I", ike[20:24])[0]
        m.is_response = bool(m.flags & 0x20)
        m.initiator = bool(m.flags & 0x08)
        m.exch_name = EXCHANGES.get(m.exch, f"EXCHANGE_{m.exch}")
        if (g.exchange, g.mtype, g.msgid) != (m.exch_name,
                                               "response" if m.is_response else "request",
                                               m.msgid):
            fail(f"datagram {n}: header says {m.exch_name} {m.msgid}, the log "
                 f"{g.exchange} {g.mtype} {g.msgid}")
        m.outer = walk_chain(m.first, ike[28:], f"datagram {n}")
        last = m.outer[-1][0] if m.outer else 0
        m.encrypted = {PL_SK: "SK", PL_SKF: "SKF"}.get(last, "no")
        m.frag = g.frag
        m.plist = g.plist
        m.whole_plist = g.outer.plist
        msgs.append(m)
    return msgs, skipped


def inner_chain(m):
    """The decrypted payload chain of a message (for fragments: of the whole
    message, known once all its fragments were generated), from the log."""
    if m.encrypted == "no":
        return m.outer
    g = m.gen.outer
    if m.encrypted == "SK":
        if g.plain is None:
            fail(f"datagram {m.n}: the {m.sender.name} log has no plaintext for it")
        first = m.outer[-1][2]
        return walk_chain(first, g.plain, f"datagram {m.n} (decrypted)")
    frags = sorted(g.fragments, key=lambda f: f.frag[0])
    if any(f.plain is None for f in frags) or [f.frag[0] for f in frags] != list(
            range(1, frags[0].frag[1] + 1)):
        fail(f"datagram {m.n}: fragments or their plaintext missing in the log")
    first_frag = frags[0].data
    first_chain = walk_chain(first_frag[16], first_frag[28:], f"datagram {m.n} fragment 1")
    return walk_chain(first_chain[-1][2], b"".join(f.plain for f in frags),
                      f"datagram {m.n} (reassembled)")


def build(args):
    clog = CharonLog(args.client_log, "client")
    glog = CharonLog(args.gw_log, "gateway")
    msgs, skipped = load_messages(args, clog, glog)
    if not msgs:
        fail("no IKE message captured")

    ike_sas = []        # creation order
    child_sas = []
    by_spis = {}
    pending_init = {}
    pending_ccs = {}
    auth_sa = None
    events = []         # SA creations in wire order, for the "selected proposal" lines

    for m in msgs:
        if m.retransmit:
            continue
        if m.encrypted == "SKF" and m.frag[0] != m.frag[1]:
            continue    # handled with the last fragment
        chain = inner_chain(m)
        what = f"datagram {m.n}"
        if m.exch == 34:
            if not m.is_response:
                pending_init[m.spi_i] = {"ni": one(chain, PL_NONCE, what), "msgs": [m]}
                continue
            req = pending_init.get(m.spi_i)
            if req is None:
                fail(f"{what}: IKE_SA_INIT response without a request")
            req["msgs"].append(m)
            if not payloads_of(chain, PL_SA):
                continue    # COOKIE or INVALID_KE_PAYLOAD: the initiator tries again
            props = parse_sa(one(chain, PL_SA, what), what)
            if len(props) != 1:
                fail(f"{what}: {len(props)} proposals in the response")
            sa = {"num": len(ike_sas) + 1, "spi_i": m.spi_i, "spi_r": m.spi_r,
                  "ni": req["ni"], "nr": one(chain, PL_NONCE, what), "prop": props[0],
                  "created_by": "IKE_SA_INIT", "rekey_of": None, "msgs": [],
                  "create_msgs": [x.n for x in req["msgs"]]}
            ike_sas.append(sa)
            by_spis[(sa["spi_i"], sa["spi_r"])] = sa
            events.append(("ike", sa))
            continue
        sa = by_spis.get((m.spi_i, m.spi_r))
        if sa is None:
            fail(f"{what}: no IKE SA with SPIs {m.spi_i.hex()}/{m.spi_r.hex()}")
        if m.exch == 35:
            if payloads_of(chain, PL_SA):
                props = parse_sa(one(chain, PL_SA, what), what)
                if not m.is_response:
                    pending_ccs[(id(sa), "auth")] = {"spi_i": props[0]["spi"], "msgs": [m]}
                else:
                    req = pending_ccs.pop((id(sa), "auth"))
                    child = {"num": len(child_sas) + 1, "ike_sa": sa, "created_by": "IKE_AUTH",
                             "spi_i": req["spi_i"], "spi_r": props[0]["spi"], "ni": sa["ni"],
                             "nr": sa["nr"], "prop": props[0], "rekey_of": None,
                             "initiator": req["msgs"][0].sender.name,
                             "create_msgs": [req["msgs"][0].n, m.n], "pfs": False}
                    child_sas.append(child)
                    events.append(("child", child))
            auth_sa = sa
        elif m.exch == 36:
            key = (id(sa), m.msgid)
            if not m.is_response:
                props = parse_sa(one(chain, PL_SA, what), what)
                ke = payloads_of(chain, PL_KE)
                rekey = [spi for t, spi, _ in notifies(chain) if t == N_REKEY_SA]
                pending_ccs[key] = {"proto": props[0]["proto"], "spi_i": props[0]["spi"],
                                    "ni": one(chain, PL_NONCE, what), "pfs": bool(ke),
                                    "rekey": rekey[0] if rekey else None, "msgs": [m],
                                    "requester": m.sender.name}
                continue
            req = pending_ccs.pop(key, None)
            if req is None:
                fail(f"{what}: CREATE_CHILD_SA response without a request")
            props = parse_sa(one(chain, PL_SA, what), what)
            nr = one(chain, PL_NONCE, what)
            if req["proto"] == PROTO_IKE:
                new = {"num": len(ike_sas) + 1, "spi_i": req["spi_i"], "spi_r": props[0]["spi"],
                       "ni": req["ni"], "nr": nr, "prop": props[0],
                       "created_by": "CREATE_CHILD_SA", "rekey_of": sa, "msgs": [],
                       "create_msgs": [req["msgs"][0].n, m.n]}
                ike_sas.append(new)
                by_spis[(new["spi_i"], new["spi_r"])] = new
                events.append(("ike", new))
            else:
                old = None
                if req["rekey"] is not None:
                    for c in child_sas:
                        if req["rekey"] in (c["spi_i"], c["spi_r"]):
                            old = c
                child = {"num": len(child_sas) + 1, "ike_sa": sa, "created_by": "CREATE_CHILD_SA",
                         "spi_i": req["spi_i"], "spi_r": props[0]["spi"], "ni": req["ni"],
                         "nr": nr, "prop": props[0], "rekey_of": old,
                         "initiator": req["requester"],
                         "create_msgs": [req["msgs"][0].n, m.n], "pfs": req["pfs"]}
                child_sas.append(child)
                events.append(("child", child))

    # IKE SA of every message (IKE_SA_INIT messages by the initiator SPI).
    by_spii = {sa["spi_i"]: sa for sa in ike_sas if sa["created_by"] == "IKE_SA_INIT"}
    for m in msgs:
        if m.exch == 34:
            sa = by_spii.get(m.spi_i)
            # a response without SA (COOKIE, INVALID_KE) leaves no IKE SA
            if sa and m.n not in sa["create_msgs"]:
                sa = None
        else:
            sa = by_spis.get((m.spi_i, m.spi_r))
        m.ike_sa = sa["num"] if sa else None
        if sa:
            sa["msgs"].append(m.n)

    # strongSwan's "selected proposal" lines (client side, in order) name the
    # same proposals the responses chose on the wire.
    logged = [p for _, _, p in sorted(clog.proposals)]
    rendered = [proposal_name(x["prop"]) for _, x in events]
    if logged != rendered:
        fail(f"selected proposals: client log {logged}, wire {rendered}")
    for (_, x), name in zip(events, logged):
        x["proposal"] = name

    match_ike_keys(ike_sas, clog, glog)
    match_child_keys(child_sas, clog, glog)
    if clog.msks:
        if len(clog.msks) != 1 or auth_sa is None:
            fail(f"{len(clog.msks)} MSKs in the client log")
        msk = clog.msks[0][1]
        if msk not in [x for _, x in glog.msks]:
            fail("the gateway log has no MSK equal to the client's")
        auth_sa["msk"] = msk
    return msgs, ike_sas, child_sas, skipped, clog, glog


def same_block(a, b, keys):
    return all(a.get(k) == b.get(k) for k in keys)


IKE_FIELDS = ("g_ir", "skeyseed", "sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er", "sk_pi", "sk_pr")
CHILD_FIELDS = ("g_ir", "seed", "encr_i", "encr_r", "integ_i", "integ_r")


def match_ike_keys(ike_sas, clog, glog):
    used = set()
    for sa in ike_sas:
        ids = transform_ids(sa["prop"])
        cands = []
        for i, blk in enumerate(clog.ike_keys):
            if i in used or "skeyseed" not in blk:
                continue
            if sa["rekey_of"] is None:
                seed = prf(ids["prf"], sa["ni"] + sa["nr"], blk["g_ir"])
            else:
                old = sa["rekey_of"]
                seed = prf(transform_ids(old["prop"])["prf"], old["keys"]["sk_d"],
                           blk["g_ir"] + sa["ni"] + sa["nr"])
            if seed == blk["skeyseed"]:
                cands.append(i)
        if len(cands) != 1:
            fail(f"IKE SA {sa['num']}: {len(cands)} client key blocks fit its nonces")
        used.add(cands[0])
        blk = clog.ike_keys[cands[0]]
        if not any(same_block(blk, g, IKE_FIELDS) for g in glog.ike_keys):
            fail(f"IKE SA {sa['num']}: the gateway log has no identical key block")
        sa["keys"] = blk


def match_child_keys(child_sas, clog, glog):
    for child in child_sas:
        nonces = child["ni"] + child["nr"]
        cands = [c for c in clog.child_keys
                 if "seed" in c and c["seed"].endswith(nonces)
                 and c["seed"][:-len(nonces)] == c.get("g_ir", b"")]
        if len(cands) != 1:
            fail(f"CHILD SA {child['num']}: {len(cands)} client key blocks fit its nonces")
        blk = cands[0]
        if child["pfs"] != ("g_ir" in blk):
            fail(f"CHILD SA {child['num']}: PFS on the wire and in the log disagree")
        if not any(same_block(blk, g, CHILD_FIELDS) for g in glog.child_keys):
            fail(f"CHILD SA {child['num']}: the gateway log has no identical key block")
        child["keys"] = blk


# ---------------------------------------------------------------- output

def file_name(m, width):
    name = (f"{m.n:0{width}d}-{m.exch_name.lower()}-{'response' if m.is_response else 'request'}"
            f"-{'i2r' if m.initiator else 'r2i'}")
    if m.frag:
        name += f"-frag{m.frag[0]}of{m.frag[1]}"
    return name + ".bin"


def write_outputs(args, msgs, ike_sas, child_sas, skipped):
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".bin") or f in ("manifest.txt", "keys.txt"):
            os.unlink(os.path.join(args.out, f))
    width = max(2, len(str(len(msgs))))
    head = [f"# tests/vectors/ike/{args.scenario}: IKEv2 messages between strongSwan as the",
            f"# client and the strongSwan gateway of tests/lab (scenario '{args.scenario}',",
            "# connection in tests/vectors/ike/sswan-vectors.conf), captured on the gateway's",
            f"# side by tests/vectors/ike/capture.sh with {args.source}.",
            "# Lab-generated throw-away keys and certificates; format in",
            "# tests/vectors/ike/README.md."]
    lines = head + [
        f"# {len(msgs)} IKE messages; skipped on the wire: {skipped['esp']} ESP, "
        f"{skipped['keepalive']} NAT keepalives.",
        "# file exchange= msgid= type= initiator= ike_sa= encrypted= fragment= length= "
        "udp_length= port= peer_parsed= retransmit= payloads=[ ] (reassembled=[ ])"]
    for m in msgs:
        name = file_name(m, width)
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(m.data)
        mtype = "response" if m.is_response else "request"
        whole = f"{m.exch_name} {mtype} {m.msgid} {m.whole_plist}"
        peer = "yes" if whole in m.receiver.parsed else "no"
        cols = [name, f"exchange={m.exch_name}", f"msgid={m.msgid}", f"type={mtype}",
                f"initiator={int(m.initiator)}", f"ike_sa={m.ike_sa or '-'}",
                f"encrypted={m.encrypted}",
                f"fragment={m.frag[0]}/{m.frag[1]}" if m.frag else "fragment=-",
                f"length={len(m.data)}", f"udp_length={m.udp_len}", f"port={m.port}",
                f"peer_parsed={peer}", f"retransmit={'yes' if m.retransmit else 'no'}",
                f"payloads={m.plist}"]
        if m.frag:
            cols.append(f"reassembled={m.whole_plist}")
        lines.append(" ".join(cols))
    with open(os.path.join(args.out, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")

    out = head + ["# One block per IKE SA and per CHILD SA; `name = value`, values in hex",
                  "# unless they are decimal transform IDs or described in README.md.", ""]
    for sa in ike_sas:
        ids = transform_ids(sa["prop"])
        k = sa["keys"]
        out += [f"[ike-sa {sa['num']}]",
                f"created_by = {sa['created_by']}",
                "messages = " + " ".join(f"{n:0{width}d}" for n in sa["create_msgs"]),
                f"rekey_of = {sa['rekey_of']['num'] if sa['rekey_of'] else '-'}",
                f"proposal = {sa['proposal']}",
                f"encr = {ids['encr']}", f"encr_keylen = {ids['encr_keylen']}",
                f"integ = {ids['integ']}", f"prf = {ids['prf']}", f"dh = {ids['dh']}",
                f"spi_i = {sa['spi_i'].hex()}", f"spi_r = {sa['spi_r'].hex()}",
                f"ni = {sa['ni'].hex()}", f"nr = {sa['nr'].hex()}"]
        for key in IKE_FIELDS:
            if key in k:
                out.append(f"{key} = {k[key].hex()}")
        if "msk" in sa:
            out.append(f"msk = {sa['msk'].hex()}")
        out.append("")
    for c in child_sas:
        ids = transform_ids(c["prop"])
        k = c["keys"]
        out += [f"[child-sa {c['num']}]",
                f"ike_sa = {c['ike_sa']['num']}",
                f"created_by = {c['created_by']}",
                "messages = " + " ".join(f"{n:0{width}d}" for n in c["create_msgs"]),
                f"rekey_of = {c['rekey_of']['num'] if c['rekey_of'] else '-'}",
                f"initiator = {c['initiator']}",
                f"proposal = {c['proposal']}",
                f"encr = {ids['encr']}", f"encr_keylen = {ids['encr_keylen']}",
                f"integ = {ids['integ']}", f"dh = {ids['dh']}", f"esn = {ids['esn'] or 0}",
                f"spi_i = {c['spi_i'].hex()}", f"spi_r = {c['spi_r'].hex()}",
                f"ni = {c['ni'].hex()}", f"nr = {c['nr'].hex()}"]
        if "g_ir" in k:
            out.append(f"g_ir = {k['g_ir'].hex()}")
        for key in ("encr_i", "integ_i", "encr_r", "integ_r"):
            if key in k:
                out.append(f"{key} = {k[key].hex()}")
        out.append("")
    with open(os.path.join(args.out, "keys.txt"), "w") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--source", required=True, help="strongSwan version note")
    ap.add_argument("--client-ip", required=True,
                    help="the client's address as the gateway sees it")
    ap.add_argument("--gateway-ip", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--gw-log", required=True)
    ap.add_argument("--client-log", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    try:
        msgs, ike_sas, child_sas, skipped, _, _ = build(args)
        write_outputs(args, msgs, ike_sas, child_sas, skipped)
    except VectorError as e:
        print(f"extract[{args.scenario}]: {e}", file=sys.stderr)
        return 1
    frags = sum(1 for m in msgs if m.frag)
    print(f"extract[{args.scenario}]: {len(msgs)} IKE messages ({frags} fragments), "
          f"{len(ike_sas)} IKE SAs, {len(child_sas)} CHILD SAs; skipped {skipped['esp']} ESP, "
          f"{skipped['keepalive']} keepalives", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
