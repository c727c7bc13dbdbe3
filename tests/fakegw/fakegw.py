#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fakegw - a small, scriptable, hostile IKEv2 responder for tests.

It speaks enough IKEv2 to bring one client up (IKE_SA_INIT, IKE_AUTH with a
certificate signature of the gateway and EAP-MSCHAPv2 / EAP-MD5 on the
server side, the configuration reply, one CHILD SA, INFORMATIONAL, SK with
AES-GCM / ChaCha20-Poly1305 / AES-CBC+HMAC, SKF fragments, ESP to send
crafted packets) and to break every step of it on purpose: a scenario
(fg_scenarios.py) selects what goes wrong. It is written from the RFCs with
python3-cryptography and shares no code with tsunagu.

    fakegw.py pki DIR                          test PKI (fg_pki.py)
    fakegw.py serve --dir DIR --pki PKIDIR --scenario NAME [--set KNOB=VALUE]...
    fakegw.py ctl DIR COMMAND [ARGS]           talk to a running fake
    fakegw.py scenarios                        list the scenarios
    fakegw.py selftest                         known-answer tests of fg_crypto

`serve` listens on UDP 500 and 4500 (all addresses; run it in a network
namespace), writes DIR/fakegw.log (one event per line, see EVENTS below),
DIR/fakegw.pid, and answers control commands on the UNIX socket DIR/ctl:

    status                       established=0|1 spi_in=... spi_out=...
    esp KIND [SEQ]               send one crafted ESP packet (ESP_KINDS)
    liveness                     an empty INFORMATIONAL request; waits for the answer
    rekey-proto0                 CREATE_CHILD_SA with N(REKEY_SA) of protocol 0
    rekey-proto-ike-spi4         ... of protocol IKE with a 4-byte SPI
    delete                       INFORMATIONAL with the DELETE of the IKE SA
    delete-child                 INFORMATIONAL with the DELETE of the CHILD SA
    info-critical                INFORMATIONAL with an unknown critical payload
    reset DIR SCENARIO [KNOB=VALUE]...
                                 start over as a new fake would (no SAs), with
                                 another scenario, logging to DIR/fakegw.log
    quit

EVENTS (first word after the time stamp), the ones tests look for:

    recv EXCHANGE request|response mid=N payloads=...   every message after decryption
    eap-recv code=C id=I type=T [op=O] len=L            every EAP packet from the client
    eap-identity NAME
    SECRET what                  something derived from the user's password or key
                                 reached us (mschapv2-nt-response, md5-response, msk-auth)
    established spi_in=X spi_out=Y vip=A
    esp-in spi=X seq=N what      ESP from the client, decrypted
    esp-out KIND spi=X seq=N
    misbehave what               the scenario did something hostile
    drop why
"""

import os
import socket
import sys


def ctl_main(argv):
    """`fakegw.py ctl [--timeout S] DIR COMMAND...` without loading the
    cryptography: tests call it often."""
    timeout = 10.0
    if len(argv) >= 2 and argv[0] == "--timeout":
        timeout, argv = float(argv[1]), argv[2:]
    if len(argv) < 2:
        print("usage: fakegw.py ctl [--timeout S] DIR COMMAND...", file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(os.path.join(argv[0], "ctl"))
        s.sendall((" ".join(argv[1:]) + "\n").encode())
    except OSError as e:
        print("error no fake at %s: %s" % (argv[0], e))
        return 1
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        print("timeout", file=sys.stderr)
        return 1
    out = data.decode().strip()
    print(out)
    return 1 if out.startswith("error") or not out else 0


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "ctl":
    sys.exit(ctl_main(sys.argv[2:]))

import argparse  # noqa: E402
import ast  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fg_codec as C  # noqa: E402
import fg_crypto as X  # noqa: E402
import fg_esp as E  # noqa: E402
import fg_pki  # noqa: E402
import fg_scenarios  # noqa: E402

EAP_REQUEST, EAP_RESPONSE, EAP_SUCCESS, EAP_FAILURE = 1, 2, 3, 4
EAP_IDENTITY, EAP_NAK, EAP_MD5, EAP_TLS, EAP_MSCHAPV2 = 1, 3, 4, 13, 26
VIP = "10.99.0.1"
LAN_HOST = "10.20.0.10"

ESP_KINDS = ("valid", "seq0", "badicv", "badpad", "padlen", "unknownspi", "innersrc", "innerdst",
             "badnh", "short", "dummy")


class Child:
    def __init__(self, suite, spi_in, spi_out, keys_i, keys_r):
        self.suite = suite
        self.spi_in = spi_in    # ours: the client sends with it
        self.spi_out = spi_out  # the client's: we send with it
        self.keys_i, self.keys_r = keys_i, keys_r
        self.seq = 0


class SA:
    """One IKE SA with one client."""

    def __init__(self, spi_i):
        self.spi_i = spi_i
        self.spi_r = os.urandom(8)
        self.addr = {False: None, True: None}  # natt -> last source address
        self.natt = False
        self.msg1 = self.msg2 = None
        self.ni = self.nr = None
        self.prf = self.keys = None
        self.client_frag = False
        self.expect = 1          # the client's next request
        self.cache = {}          # mid -> (datagrams, natt)
        self.receptions = {}     # mid -> how often it came
        self.frag_buf = {}       # (mid, response) -> {number: (first, bytes)}, total
        self.our_mid = 0
        self.pending = {}        # our requests: mid -> (what, ctl connection or None)
        self.idi_body = None
        self.idr_body = None
        self.esp_props = []
        self.client_ts = None
        self.child = None
        self.auth_round = 0
        self.eap_id = 0
        self.eap_last = None
        self.eap_state = "start"
        self.eap_username = b""
        self.msk = None
        self.mschap = {}
        self.tls_stage = 0
        self.tls_out = []
        self.established = False


class Gateway:
    def __init__(self, args, knobs):
        self.args, self.k = args, knobs
        self.dir = args.dir
        self.log_f = open(os.path.join(self.dir, "fakegw.log"), "a", buffering=1)
        self.t0 = time.monotonic()
        self.sas = {}
        self.last_sa = None
        self.ctl_clients = []
        self.waiting = []  # (deadline, conn, predicate, reply builder)
        self._load_cert()
        self.s500 = self._udp(500)
        self.s4500 = self._udp(4500)
        path = os.path.join(self.dir, "ctl")
        if os.path.exists(path):
            os.unlink(path)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.bind(path)
        self.ctl.listen(4)
        self.log("start scenario=%s knobs=%s" % (args.scenario, self._knob_diff()))

    def _load_cert(self):
        gw_cert = self.k["gw_cert"]
        if self.k["bad_sig"] and self.k["bad_sig"].startswith("ecdsa") and gw_cert == "gw-rsa":
            gw_cert = "gw-ecdsa"
        self.cert_der, self.key = fg_pki.load(self.args.pki, gw_cert)

    def reset(self, logdir, scenario, overrides):
        """The next test case without a new process (starting Python and
        its cryptography costs more than most cases): new knobs, no SAs, no
        waiting requests, the log in logdir, nothing left of what the last
        client sent."""
        knobs = fg_scenarios.resolve(scenario, overrides)
        os.makedirs(logdir, exist_ok=True)
        self.log("reset to scenario=%s, log in %s" % (scenario, logdir))
        self.log_f.close()
        self.k, self.args.scenario, self.dir = knobs, scenario, logdir
        self.log_f = open(os.path.join(self.dir, "fakegw.log"), "a", buffering=1)
        self.t0 = time.monotonic()
        self.sas, self.last_sa, self.waiting = {}, None, []
        self._load_cert()
        for s in (self.s500, self.s4500):
            s.setblocking(False)
            try:
                while True:
                    s.recv(65536)
            except OSError:
                pass
            s.setblocking(True)
        self.log("start scenario=%s knobs=%s" % (scenario, self._knob_diff()))

    def _udp(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((self.args.bind, port))
        return s

    def _knob_diff(self):
        d = {k: v for k, v in self.k.items() if v != fg_scenarios.DEFAULTS[k]}
        return repr(d) if len(repr(d)) < 300 else repr(sorted(d))

    def log(self, line):
        self.log_f.write("%.3f %s\n" % (time.monotonic() - self.t0, line))

    # ------------------------------------------------------------------ sending
    def send(self, sa, msg, natt):
        addr = sa.addr[natt]
        if addr is None:
            self.log("drop cannot send: no address for natt=%s" % natt)
            return
        if natt:
            self.s4500.sendto(C.NON_ESP_MARKER + msg, addr)
        else:
            self.s500.sendto(msg, addr)

    def protect(self, sa, exchange, mid, payloads, response=True, frag_size=None,
                corrupt_icv=False):
        """The datagrams of one protected message (fragmented when asked or
        when it is large and the client announced RFC 7383)."""
        first, inner = C.encode_chain(payloads)
        flags = C.F_RESPONSE if response else 0
        if frag_size is None and sa.client_frag and len(inner) > 1100:
            frag_size = 1000
        if not frag_size:
            hdr = C.Header(sa.spi_i, sa.spi_r, 0, 0x20, exchange, flags, mid)
            return [X.sk_protect(sa.keys.r, hdr, first, inner, corrupt_icv=corrupt_icv)]
        return self.fragments(sa, exchange, mid, first, inner, frag_size, flags,
                              corrupt_icv=corrupt_icv)

    def fragments(self, sa, exchange, mid, first, inner, size, flags, total=None, numbers=None,
                  corrupt_icv=False):
        chunks = [inner[i:i + size] for i in range(0, len(inner), size)] or [b""]
        n = len(chunks)
        out = []
        for i, chunk in enumerate(chunks):
            num = numbers[i] if numbers else i + 1
            hdr = C.Header(sa.spi_i, sa.spi_r, 0, 0x20, exchange, flags, mid)
            out.append(X.sk_protect(sa.keys.r, hdr, first if i == 0 else 0, chunk,
                                    frag=(num, total if total is not None else n),
                                    corrupt_icv=corrupt_icv))
        return out

    def respond(self, sa, exchange, mid, payloads, natt, **kw):
        dgrams = self.protect(sa, exchange, mid, payloads, **kw)
        sa.cache[mid] = (dgrams, natt)
        for d in dgrams:
            self.send(sa, d, natt)
        return dgrams

    def request(self, sa, exchange, payloads, what, conn=None):
        mid = sa.our_mid
        sa.our_mid += 1
        dgrams = self.protect(sa, exchange, mid, payloads, response=False)
        sa.pending[mid] = (what, conn, time.monotonic() + 5, dgrams)
        for d in dgrams:
            self.send(sa, d, True)
        self.log("sent %s request mid=%d what=%s" % (C.EXCHANGE_NAMES[exchange], mid, what))
        return mid

    # ------------------------------------------------------------------ receiving
    def on_udp(self, sock, natt):
        try:
            data, addr = sock.recvfrom(70000)
        except OSError as e:
            self.log("drop recv: %s" % e)
            return
        if natt:
            if len(data) == 1 and data[0] == 0xff:
                return  # NAT keepalive
            if data[:4] != C.NON_ESP_MARKER:
                self.on_esp(data, addr)
                return
            data = data[4:]
        try:
            hdr = C.Header.unpack(data)
        except C.CodecError as e:
            self.log("drop datagram: %s" % e)
            return
        if hdr.exchange == C.IKE_SA_INIT and not hdr.is_response:
            self.on_sa_init(hdr, data, addr, natt)
            return
        sa = self.sas.get(hdr.spi_i)
        if not sa or hdr.spi_r != sa.spi_r:
            self.log("drop %s for an unknown IKE SA" % hdr.exchange_name)
            return
        sa.addr[natt] = addr
        if hdr.is_response:
            self.on_response(sa, hdr, data, natt)
        else:
            self.on_request(sa, hdr, data, natt)

    def decrypt(self, sa, hdr, data):
        """-> (first, inner) of a whole message, None while fragments are
        missing or when it does not decrypt."""
        try:
            _, first, inner, frag = X.sk_unprotect(sa.keys.i, data)
        except (ValueError, C.CodecError, Exception) as e:  # noqa: B014 (cryptography raises InvalidTag)
            self.log("drop %s mid=%d: does not decrypt (%s)" % (hdr.exchange_name, hdr.msgid,
                                                                type(e).__name__))
            return None
        if not frag:
            return first, inner
        num, total = frag
        key = (hdr.msgid, hdr.is_response)
        parts = sa.frag_buf.setdefault(key, {})
        parts[num] = (first, inner)
        if len(parts) < total or any(i not in parts for i in range(1, total + 1)):
            return None
        del sa.frag_buf[key]
        self.log("reassembled %s mid=%d from %d fragments" % (hdr.exchange_name, hdr.msgid, total))
        return parts[1][0], b"".join(parts[i][1] for i in range(1, total + 1))

    def on_request(self, sa, hdr, data, natt):
        mid = hdr.msgid
        sa.receptions[mid] = sa.receptions.get(mid, 0) + 1
        if mid in sa.cache and mid < sa.expect:
            dgrams, cnatt = sa.cache[mid]
            self.log("retransmission of mid=%d: answering again" % mid)
            for d in dgrams:
                self.send(sa, d, cnatt)
            return
        if mid != sa.expect:
            self.log("drop request mid=%d, expected %d" % (mid, sa.expect))
            return
        res = self.decrypt(sa, hdr, data)
        if res is None:
            return
        try:
            payloads = C.decode_chain(res[0], res[1])
        except C.CodecError as e:
            self.log("drop request mid=%d: %s" % (mid, e))
            return
        self.log("recv %s request mid=%d payloads=%s" % (hdr.exchange_name, mid,
                                                         C.names(payloads)))
        if hdr.exchange == C.IKE_AUTH:
            if not self.on_auth(sa, hdr, payloads, natt):
                return  # not answered (on purpose): the retransmission is processed anew
        elif hdr.exchange == C.INFORMATIONAL:
            self.on_informational(sa, hdr, payloads, natt)
        else:
            self.respond(sa, hdr.exchange, mid, [C.notify(C.N_NO_ADDITIONAL_SAS)], natt)
        sa.expect = mid + 1

    def on_response(self, sa, hdr, data, natt):
        if hdr.msgid not in sa.pending:
            self.log("drop response mid=%d: no such request" % hdr.msgid)
            return
        res = self.decrypt(sa, hdr, data)
        if res is None:
            return
        try:
            payloads = C.decode_chain(res[0], res[1])
        except C.CodecError as e:
            self.log("drop response mid=%d: %s" % (hdr.msgid, e))
            return
        what, conn, _, _ = sa.pending.pop(hdr.msgid)
        text = C.names(payloads) or "(empty)"
        self.log("recv %s response mid=%d what=%s payloads=%s" % (hdr.exchange_name, hdr.msgid,
                                                                  what, text))
        if conn:
            self.ctl_reply(conn, "answered mid=%d payloads=%s" % (hdr.msgid, text))

    def on_informational(self, sa, hdr, payloads, natt):
        deleted = False
        for p in C.find_all(payloads, C.P_DELETE):
            proto, _, spis = C.decode_delete(p.body)
            self.log("delete-from-client proto=%d spis=%s" % (proto, [s.hex() for s in spis]))
            deleted = deleted or proto == C.PROTO_IKE
        self.respond(sa, C.INFORMATIONAL, hdr.msgid, [], natt)
        if deleted:
            sa.established = False
            sa.child = None

    # ------------------------------------------------------------------ IKE_SA_INIT
    def choose(self, props, ke_group):
        """The first of the client's proposals the fake can do: (proposal,
        encr transform, prf, integ, dh)."""
        for p in props:
            if p.proto != C.PROTO_IKE:
                continue
            encr = next((t for t in p.of_type(C.T_ENCR)
                         if t.id in (C.ENCR_AES_GCM_16, C.ENCR_CHACHA20_POLY1305, C.ENCR_AES_CBC)),
                        None)
            prf = next((t for t in p.of_type(C.T_PRF) if t.id in X.PRF_HASH), None)
            integ = next((t for t in p.of_type(C.T_INTEG) if t.id in X.INTEG), None)
            groups = [t.id for t in p.of_type(C.T_DH)]
            if not encr or not prf or (encr.id == C.ENCR_AES_CBC and not integ):
                continue
            if ke_group in groups:
                return p, encr, prf, integ, ke_group
        return None

    def on_sa_init(self, hdr, data, addr, natt):
        old = self.sas.get(hdr.spi_i)
        if old and old.msg1 == data and old.msg2:
            self.log("retransmission of IKE_SA_INIT: answering again")
            old.addr[natt] = addr
            self.send(old, old.msg2, natt)
            return
        try:
            payloads = C.decode_chain(hdr.next_payload, data[C.HEADER_LEN:])
            props = C.decode_sa(C.find(payloads, C.P_SA).body)
            group, ke_data = C.decode_ke(C.find(payloads, C.P_KE).body)
            ni = C.find(payloads, C.P_NONCE).body
        except (C.CodecError, AttributeError) as e:
            self.log("drop IKE_SA_INIT: %s" % e)
            return
        ns = C.notifies(payloads)
        self.log("recv IKE_SA_INIT request mid=%d payloads=%s ke=%d" % (
            hdr.msgid, C.names(payloads), group))
        if C.N_REDIRECT_SUPPORTED in ns:
            self.log("redirect-supported")
        if C.N_REDIRECTED_FROM in ns:
            try:
                self.log("redirected-from %s" % C.decode_gw_ident(ns[C.N_REDIRECTED_FROM])[0])
            except C.CodecError as e:
                self.log("redirected-from malformed: %s" % e)
        if self.k["redirect_init"]:
            # RFC 5685 4: HDR(A,0), N(REDIRECT, new gateway, Ni)
            self.log("misbehave redirect in IKE_SA_INIT to %s" % self.k["redirect_init"])
            msg = C.encode_message(C.Header(hdr.spi_i, b"\0" * 8, 0, 0x20, C.IKE_SA_INIT,
                                            C.F_RESPONSE, 0),
                                   [C.notify(C.N_REDIRECT,
                                             C.redirect_body(self.k["redirect_init"], ni))])
            (self.s4500 if natt else self.s500).sendto(
                (C.NON_ESP_MARKER if natt else b"") + msg, addr)
            return
        if self.k["cookie_loop"]:
            self.log("misbehave asks for a cookie again (round with %s)" % (
                "a cookie" if C.N_COOKIE in ns else "none"))
            msg = C.encode_message(C.Header(hdr.spi_i, b"\0" * 8, 0, 0x20, C.IKE_SA_INIT,
                                            C.F_RESPONSE, 0),
                                   [C.notify(C.N_COOKIE, os.urandom(16))])
            (self.s4500 if natt else self.s500).sendto(
                (C.NON_ESP_MARKER if natt else b"") + msg, addr)
            return
        sa = SA(hdr.spi_i)
        sa.addr[natt] = addr
        sa.msg1, sa.ni = data, ni
        sa.client_frag = C.N_IKEV2_FRAGMENTATION_SUPPORTED in ns and self.k["fragmentation"]
        chosen = self.choose(props, group)
        if not chosen:
            self.log("no proposal the fake can do (KE group %d)" % group)
            msg = C.encode_message(C.Header(hdr.spi_i, b"\0" * 8, 0, 0x20, C.IKE_SA_INIT,
                                            C.F_RESPONSE, 0), [C.notify(C.N_NO_PROPOSAL_CHOSEN)])
            self.send(sa, msg, natt)
            return
        p, encr, prf, integ, dh_group = chosen
        dh = X.DH(dh_group)
        sa.nr = os.urandom({None: 32, "short": 8, "long": 300}[self.k["nonce"]])
        if self.k["nonce"]:
            self.log("misbehave nonce of %d bytes (RFC 7296 2.10: 16..256)" % len(sa.nr))
        if self.k["spi_r_zero"]:
            sa.spi_r = b"\0" * 8
            self.log("misbehave responder SPI zero")
        trans = [C.Transform(C.T_ENCR, encr.id, encr.key_len), C.Transform(C.T_PRF, prf.id)]
        if encr.id == C.ENCR_AES_CBC:
            trans.append(C.Transform(C.T_INTEG, integ.id))
        trans.append(C.Transform(C.T_DH, dh_group))
        our = [C.Proposal(p.num, C.PROTO_IKE, b"", trans)]
        our = self.tamper_sa(our, props, dh_group)
        ke_public = dh.public
        if self.k["ke_invalid"]:
            ke_public = X.invalid_public(dh_group, self.k["ke_invalid"])
            self.log("misbehave KE of group %d is '%s' (%d bytes)" % (dh_group,
                                                                   self.k["ke_invalid"],
                                                                   len(ke_public)))
        gaddr = socket.inet_aton(self.s500.getsockname()[0] if self.args.bind != "0.0.0.0"
                                 else self.args.public_ip)
        caddr = socket.inet_aton(addr[0])
        out = [C.Payload(C.P_SA, C.encode_sa(our)),
               C.Payload(C.P_KE, C.ke_body(dh_group, ke_public)),
               C.Payload(C.P_NONCE, sa.nr),
               C.notify(C.N_NAT_DETECTION_SOURCE_IP,
                        X.natd_hash(hdr.spi_i, sa.spi_r, gaddr, 4500 if natt else 500)),
               C.notify(C.N_NAT_DETECTION_DESTINATION_IP,
                        X.natd_hash(hdr.spi_i, sa.spi_r, caddr, addr[1]))]
        if self.k["fragmentation"]:
            out.append(C.notify(C.N_IKEV2_FRAGMENTATION_SUPPORTED))
        out.append(C.notify(C.N_SIGNATURE_HASH_ALGORITHMS, struct.pack("!HHH", 2, 3, 4)))
        out += self.extra_payloads(self.k["sa_init_extra"], "IKE_SA_INIT")
        rh = C.Header(hdr.spi_i, sa.spi_r, 0, 0x20, C.IKE_SA_INIT, C.F_RESPONSE, 0)
        if self.k["sa_init_version"] is not None:
            rh.version = self.k["sa_init_version"]
            self.log("misbehave IKE_SA_INIT response with version 0x%02x" % rh.version)
        sa.msg2 = C.encode_message(rh, out)
        try:
            gir = dh.shared(ke_data)
        except Exception as e:
            self.log("drop client's KE: %s" % e)
            return
        suite = X.Suite(encr.id, encr.key_len or 256, integ.id if integ else 0)
        sa.prf = X.Prf(prf.id)
        sa.keys = X.IkeKeys(sa.prf, suite, ni, sa.nr, gir, hdr.spi_i, sa.spi_r)
        self.sas[hdr.spi_i] = sa
        self.last_sa = sa
        self.log("sent IKE_SA_INIT response suite=%s prf=%s dh=%d" % (suite.name(), sa.prf.hash,
                                                                     dh_group))
        self.send(sa, sa.msg2, natt)

    def tamper_sa(self, our, props, dh_group):
        how = self.k["sa_choice"]
        if not how:
            return our
        p = our[0]
        offered = {(t.type, t.id, t.key_len) for q in props for t in q.transforms}
        self.log("misbehave SA choice '%s'" % how)
        if how == "encr-not-offered":
            for cand in ((C.ENCR_AES_GCM_16, 192), (C.ENCR_AES_CBC, 192), (C.ENCR_AES_GCM_16, 128)):
                if (C.T_ENCR, cand[0], cand[1]) not in offered:
                    p.transforms[0] = C.Transform(C.T_ENCR, cand[0], cand[1])
                    break
        elif how == "prf-not-offered":
            for cand in (C.PRF_HMAC_SHA2_512, C.PRF_HMAC_SHA1, C.PRF_HMAC_SHA2_384):
                if (C.T_PRF, cand, None) not in offered:
                    p.transforms[1] = C.Transform(C.T_PRF, cand)
                    break
        elif how == "no-dh":
            p.transforms = [t for t in p.transforms if t.type != C.T_DH]
        elif how == "dh-not-ke":
            other = [t.id for q in props for t in q.of_type(C.T_DH) if t.id != dh_group]
            p.transforms = [t for t in p.transforms if t.type != C.T_DH] + [
                C.Transform(C.T_DH, other[0] if other else 2)]
        elif how == "two-encr":
            p.transforms.insert(1, C.Transform(C.T_ENCR, p.transforms[0].id,
                                               p.transforms[0].key_len))
        elif how == "number-not-offered":
            p.num = 200
        elif how == "two-proposals":
            our = our + [C.Proposal(p.num + 1, C.PROTO_IKE, b"", list(p.transforms))]
        return our

    def extra_payloads(self, what, where):
        if not what:
            return []
        self.log("misbehave %s carries '%s'" % (where, what))
        if what == "unknown-critical":
            return [C.Payload(200, b"\x01\x02\x03\x04", critical=True)]
        if what == "unknown-noncritical":
            return [C.Payload(200, b"\x01\x02\x03\x04", critical=False)]
        if what == "ikev1-payload":
            # an IKEv1 Hash payload (type 8): IKEv2 reserves 1..32 for IKEv1
            return [C.Payload(8, b"\x11" * 20)]
        raise ValueError(what)

    # ------------------------------------------------------------------ IKE_AUTH
    def on_auth(self, sa, hdr, payloads, natt):
        """Returns False when the request is left unanswered on purpose."""
        sa.auth_round += 1
        mid = hdr.msgid
        if sa.auth_round == 1:
            return self.auth_first(sa, hdr, payloads, natt)
        eap = C.find(payloads, C.P_EAP)
        auth = C.find(payloads, C.P_AUTH)
        if auth is not None:
            return self.auth_final(sa, mid, payloads, natt)
        if eap is None:
            self.log("drop IKE_AUTH mid=%d without EAP or AUTH" % mid)
            self.respond(sa, C.IKE_AUTH, mid, [C.notify(C.N_AUTHENTICATION_FAILED)], natt)
            return True
        out = self.eap_step(sa, eap.body)
        if out is None:
            self.respond(sa, C.IKE_AUTH, mid, [C.notify(C.N_AUTHENTICATION_FAILED)], natt)
            return True
        self.respond(sa, C.IKE_AUTH, mid, [C.Payload(C.P_EAP, out)], natt)
        return True

    def auth_first(self, sa, hdr, payloads, natt):
        mid = hdr.msgid
        if self.k["spoof_notify"] and sa.receptions.get(mid, 0) == 1:
            self.spoof(sa, mid, natt)
            sa.auth_round = 0
            return False
        idi = C.find(payloads, C.P_IDI)
        sa_p = C.find(payloads, C.P_SA)
        if not idi or not sa_p:
            self.log("drop first IKE_AUTH without IDi or SA")
            return True
        sa.idi_body = idi.body
        try:
            sa.esp_props = C.decode_sa(sa_p.body)
        except C.CodecError as e:
            self.log("drop client's ESP SA: %s" % e)
            return True
        if C.find(payloads, C.P_AUTH):
            self.log("note the client sent AUTH in its first IKE_AUTH (certificate auth)")
        idr_name = (self.k["idr"] or
                    ("other.lab.test" if self.k["gw_cert"] == "gw-other" else fg_pki.GW_NAME))
        sa.idr_body = C.id_body(C.ID_FQDN, idr_name.encode())
        if self.k["gw_cert"] == "gw-other" or self.k["idr"]:
            self.log("misbehave certificate %s, IDr %s" % (self.k["gw_cert"], idr_name))
        octets = X.auth_octets(sa.prf, sa.msg2, sa.ni, sa.keys.sk_pr, sa.idr_body)
        if self.k["bad_sig"]:
            method, sig = X.bad_signature(self.key, octets, self.k["bad_sig"])
            self.log("misbehave AUTH signature '%s' (method %d, %d bytes)" % (
                self.k["bad_sig"], method, len(sig)))
        else:
            scheme = self.k["auth_scheme"]
            method, sig = X.sign_octets(self.key, octets, scheme)
        certs = [C.Payload(C.P_CERT, C.cert_body(C.CERT_X509_SIGNATURE, self.cert_der))]
        how = self.k["cert"]
        if how:
            self.log("misbehave CERT payloads '%s'" % how)
        if how == "garbage":
            certs = [C.Payload(C.P_CERT, C.cert_body(C.CERT_X509_SIGNATURE,
                                                     b"\x30\x82\xff\xff" + os.urandom(200)))]
        elif how == "many":
            # 40 certificates: the leaf, then the leaf again and again
            certs = certs * 40
        elif how == "none":
            certs = []
        elif how == "other-encoding":
            certs = [C.Payload(C.P_CERT, C.cert_body(12, b"http://192.0.2.1/cert.der"))] + certs
        out = [C.Payload(C.P_IDR, sa.idr_body)] + certs + [
            C.Payload(C.P_AUTH, C.auth_body(method, sig))]
        eap = self.eap_start(sa)
        if eap:
            out.append(C.Payload(C.P_EAP, eap))
        out += self.extra_payloads(self.k["auth_extra"], "IKE_AUTH")
        if self.k["pre_auth_junk"] == "info-bad-msgid":
            self.pre_auth_junk(sa, mid, natt)
        frag = self.k["frag"]
        if frag:
            self.send_frag_scenario(sa, mid, out, natt, frag)
            return True
        if self.k["bad_icv"]:
            bad = self.protect(sa, C.IKE_AUTH, mid, out, corrupt_icv=True)
            self.log("misbehave IKE_AUTH response mid=%d with a broken ICV (%s)" % (
                mid, self.k["bad_icv"]))
            for d in bad:
                self.send(sa, d, natt)
            if self.k["bad_icv"] == "always":
                sa.cache[mid] = (bad, natt)
            else:
                sa.cache[mid] = (self.protect(sa, C.IKE_AUTH, mid, out), natt)
            return True
        self.respond(sa, C.IKE_AUTH, mid, out, natt)
        return True

    def spoof(self, sa, mid, natt):
        """Unprotected answers anyone on the path could send (RFC 7296 2.21)."""
        for n in (C.N_AUTHENTICATION_FAILED, C.N_INVALID_SYNTAX, C.N_NO_PROPOSAL_CHOSEN):
            msg = C.encode_message(C.Header(sa.spi_i, sa.spi_r, 0, 0x20, C.IKE_AUTH, C.F_RESPONSE,
                                            mid), [C.notify(n)])
            self.send(sa, msg, natt)
        msg = C.encode_message(C.Header(sa.spi_i, sa.spi_r, 0, 0x20, C.INFORMATIONAL, 0, 0),
                               [C.Payload(C.P_DELETE, C.delete_body(C.PROTO_IKE))])
        self.send(sa, msg, natt)
        self.log("misbehave spoofed unprotected N(AUTHENTICATION_FAILED), N(INVALID_SYNTAX), "
                 "N(NO_PROPOSAL_CHOSEN) for mid=%d and an unprotected DELETE; not answering" % mid)

    def pre_auth_junk(self, sa, mid, natt):
        # a request far outside the client's window (it expects our mid 0)
        req = self.protect(sa, C.INFORMATIONAL, 5, [C.Payload(C.P_DELETE,
                                                              C.delete_body(C.PROTO_IKE))],
                           response=False)
        # a response to a request the client never made (its request is IKE_AUTH)
        resp = self.protect(sa, C.INFORMATIONAL, mid, [C.Payload(C.P_DELETE,
                                                                 C.delete_body(C.PROTO_IKE))])
        for d in req + resp:
            self.send(sa, d, natt)
        self.log("misbehave encrypted INFORMATIONAL request mid=5 (DELETE) and INFORMATIONAL "
                 "response mid=%d before the IKE_AUTH answer" % mid)

    def send_frag_scenario(self, sa, mid, payloads, natt, how):
        """The first IKE_AUTH answer in SKF fragments (RFC 7383), with bad
        fragments around the good ones. Each bad fragment is protected with
        the real keys: only the gateway can make them, and only its own
        reassembly rules stand between them and the client's memory."""
        first, inner = C.encode_chain(payloads)
        size = self.k["frag_size"]
        flags = C.F_RESPONSE

        def frag(num, total, data, first_type=0):
            hdr = C.Header(sa.spi_i, sa.spi_r, 0, 0x20, C.IKE_AUTH, flags, mid)
            return X.sk_protect(sa.keys.r, hdr, first_type, data, frag=(num, total))

        if how == "flood":
            # more than 100 good fragments, so that their Total Fragments is
            # above the flood's and restarts the reassembly (RFC 7383 2.6.2)
            size = max(1, len(inner) // 110)
        good = self.fragments(sa, C.IKE_AUTH, mid, first, inner, size, flags)
        n = len(good)
        junk = b"\0" * 40
        seq, pace = list(good), 0
        if how == "num-gt-total":
            seq = [frag(n + 3, n, junk, first)] + good
        elif how == "zero-number":
            seq = [frag(0, n, junk, first)] + good
        elif how == "total-changes":
            # n - 1 first; the good ones (n, more) restart the reassembly; one
            # with n - 1 again (fewer) is dropped; n + 2 later, after the
            # message is complete, starts a reassembly that never finishes
            seq = ([frag(2, n - 1, junk)] + good[:1] + [frag(1, n - 1, junk, first)] + good[1:] +
                   [frag(3, n + 2, junk)])
        elif how == "duplicates":
            seq = [d for d in good for _ in range(2)]
        elif how == "too-many":
            seq = [frag(1, 129, junk, first), frag(65535, 65535, junk, first),
                   frag(200, 129, junk)] + good
        elif how == "flood":
            # flood_rounds x 99 fragments of 60000 bytes of one message that
            # never completes (Total Fragments 100): 5.9 MB a round against
            # the client's reassembly limit; then the good ones
            big = os.urandom(60000)
            seq = [frag(i, 100, big, first if i == 1 else 0)
                   for _ in range(self.k["flood_rounds"]) for i in range(1, 100)]
            pace = len(seq)
            seq += good
        elif how != "none":
            raise ValueError(how)
        self.log("misbehave '%s': %d datagrams for the %d good fragments of mid=%d" % (
            how, len(seq), n, mid))
        for i, d in enumerate(seq):
            self.send(sa, d, natt)
            if i < pace:
                time.sleep(0.003)  # let the client read (its socket buffer is small)
        sa.cache[mid] = (good, natt)

    def auth_final(self, sa, mid, payloads, natt):
        method, data = C.decode_auth(C.find(payloads, C.P_AUTH).body)
        if method != C.AUTH_SHARED_KEY_MIC:
            self.log("drop client AUTH method %d" % method)
            self.respond(sa, C.IKE_AUTH, mid, [C.notify(C.N_AUTHENTICATION_FAILED)], natt)
            return True
        key_i = sa.msk if sa.msk else sa.keys.sk_pi
        key_r = sa.msk if sa.msk else sa.keys.sk_pr
        self.log("SECRET msk-auth (%d bytes, keyed with %s)" % (len(data),
                                                              "the MSK" if sa.msk else "SK_pi"))
        octets_i = X.auth_octets(sa.prf, sa.msg1, sa.nr, sa.keys.sk_pi, sa.idi_body)
        if X.shared_key_auth(sa.prf, key_i, octets_i) != data:
            self.log("client AUTH does not verify")
            self.respond(sa, C.IKE_AUTH, mid, [C.notify(C.N_AUTHENTICATION_FAILED)], natt)
            return True
        self.log("client AUTH verified")
        octets_r = X.auth_octets(sa.prf, sa.msg2, sa.ni, sa.keys.sk_pr, sa.idr_body)
        ours = X.shared_key_auth(sa.prf, key_r, octets_r)
        out = []
        if self.k["final_auth"] == "wrong":
            ours = bytes([ours[0] ^ 1]) + ours[1:]
            self.log("misbehave final AUTH is wrong")
        if self.k["final_auth"] != "missing":
            out.append(C.Payload(C.P_AUTH, C.auth_body(C.AUTH_SHARED_KEY_MIC, ours)))
        else:
            self.log("misbehave final answer without AUTH")
        if self.k["redirect_auth"]:
            # RFC 5685 6: the client is authenticated; no CHILD SA, go there
            self.log("misbehave redirect in IKE_AUTH to %s" % self.k["redirect_auth"])
            out.append(C.notify(C.N_REDIRECT, C.redirect_body(self.k["redirect_auth"])))
            self.respond(sa, C.IKE_AUTH, mid, out, natt)
            return True
        out += self.child_payloads(sa)
        self.respond(sa, C.IKE_AUTH, mid, out, natt)
        return True

    # ------------------------------------------------------------------ EAP
    def eap(self, code, ident, type_=None, data=b"", length=None):
        body = (bytes([type_]) if type_ is not None else b"") + data
        n = 4 + len(body) if length is None else length
        return struct.pack("!BBH", code, ident, n & 0xffff) + body

    def next_id(self, sa):
        sa.eap_id = (sa.eap_id + 1) & 0xff
        return sa.eap_id

    def eap_start(self, sa):
        early = self.k["eap_success_early"]
        if early == "in-first":
            self.log("misbehave EAP-Success in the first IKE_AUTH answer")
            return self.eap(EAP_SUCCESS, self.next_id(sa))
        if self.k["eap_identity_request"]:
            sa.eap_state = "identity"
            return self.eap(EAP_REQUEST, self.next_id(sa), EAP_IDENTITY)
        return self.method_start(sa)

    def method_start(self, sa):
        m = self.k["eap_method"]
        ident = self.next_id(sa)
        if m == "mschapv2":
            sa.eap_state = "mschapv2-challenge"
            ch = os.urandom(16)
            sa.mschap["auth_challenge"] = ch
            data = bytes([16]) + ch + b"fakegw"
            ms_len = 4 + len(data)
            if self.k["eap_len"] == "ms-length":
                ms_len += 7
                self.log("misbehave MS-Length %d for %d bytes" % (ms_len, 4 + len(data)))
            td = struct.pack("!BBH", 1, ident, ms_len) + data
            return self.lying_eap(ident, EAP_MSCHAPV2, td)
        if m == "md5":
            sa.eap_state = "md5-challenge"
            ch = os.urandom(16)
            sa.mschap["md5_challenge"] = (ident, ch)
            vs = 16
            if self.k["eap_len"] == "value-size":
                vs = 200
                self.log("misbehave EAP-MD5 Value-Size 200 for 16 bytes")
            return self.lying_eap(ident, EAP_MD5, bytes([vs]) + ch + b"fakegw")
        if m == "tls":
            sa.eap_state = "tls-start"
            return self.eap(EAP_REQUEST, ident, EAP_TLS, b"\x20")
        raise ValueError(m)

    def lying_eap(self, ident, type_, td):
        how = self.k["eap_len"]
        real = 5 + len(td)
        lengths = {"short": real - 3, "long": real + 10, "huge": 0xffff, "tiny": 3}
        if how in lengths:
            self.log("misbehave EAP Length %d for %d bytes" % (lengths[how], real))
            return self.eap(EAP_REQUEST, ident, type_, td, length=lengths[how])
        return self.eap(EAP_REQUEST, ident, type_, td)

    def eap_step(self, sa, pkt):
        """The client's EAP packet -> our next EAP packet, or None to fail."""
        if len(pkt) < 4:
            self.log("drop EAP packet of %d bytes" % len(pkt))
            return None
        code, ident, length = struct.unpack("!BBH", pkt[:4])
        typ = pkt[4] if len(pkt) > 4 else None
        op = pkt[5] if typ == EAP_MSCHAPV2 and len(pkt) > 5 else None
        self.log("eap-recv code=%d id=%d type=%s%s len=%d" % (
            code, ident, typ, "" if op is None else " op=%d" % op, length))
        if code != EAP_RESPONSE:
            return None
        if typ == EAP_IDENTITY:
            sa.eap_username = pkt[5:length]
            self.log("eap-identity %s" % sa.eap_username.decode(errors="replace"))
            if self.k["eap_success_early"] == "after-identity":
                self.log("misbehave EAP-Success right after the identity")
                return self.eap(EAP_SUCCESS, ident)
            extra = self.k["eap_extra"]
            if extra == "notification":
                self.log("misbehave EAP Notification with control characters")
                return self.eap(EAP_REQUEST, self.next_id(sa), 2,
                                b"Welcome\x1b[31m\x07\r\nfake prompt: \xff\xfe")
            if extra == "unknown-type":
                self.log("misbehave EAP request of type 254 (expanded) and of type 99")
                sa.eap_state = "unknown-type"
                return self.eap(EAP_REQUEST, self.next_id(sa), 99, b"\x01\x02")
            return self.method_start(sa)
        if typ == 2 and self.k["eap_extra"] == "notification":
            self.log("eap-notification-response")
            return self.method_start(sa)
        if typ == EAP_NAK:
            self.log("eap-nak %s" % pkt[5:length].hex())
            if sa.eap_state == "unknown-type":
                return self.method_start(sa)
            return None
        if typ == EAP_MSCHAPV2:
            return self.mschapv2_step(sa, ident, pkt[5:length])
        if typ == EAP_MD5:
            return self.md5_step(sa, ident, pkt[5:length])
        if typ == EAP_TLS:
            return self.tls_step(sa, ident, pkt[5:length])
        return None

    def mschapv2_step(self, sa, ident, td):
        op = td[0] if td else 0
        if op == 2 and len(td) >= 4 + 1 + 49:
            value = td[5:5 + 49]
            name = td[5 + 49:]
            peer_ch, nt_resp = value[:16], value[24:48]
            self.log("SECRET mschapv2-nt-response (name %s)" % name.decode(errors="replace"))
            user = name.split(b"\\", 1)[-1]
            want = X.nt_response(sa.mschap["auth_challenge"], peer_ch, user, self.k["password"])
            if want != nt_resp:
                self.log("mschapv2 wrong password")
                msg = b"E=691 R=0 C=" + b"00" * 16 + b" V=3 M=wrong password"
                nid = self.next_id(sa)
                return self.eap(EAP_REQUEST, nid, EAP_MSCHAPV2,
                                struct.pack("!BBH", 4, td[1], 4 + len(msg)) + msg)
            sa.msk = X.mschapv2_msk(self.k["password"], nt_resp)
            if self.k["eap_success_early"] == "after-response":
                self.log("misbehave EAP-Success without the MS-CHAPv2 Success request")
                return self.eap(EAP_SUCCESS, ident)
            s = X.authenticator_response(self.k["password"], nt_resp, peer_ch,
                                         sa.mschap["auth_challenge"], user)
            how = self.k["mschap_success"]
            if how == "bad-s":
                s = "S=" + ("%040X" % (int(s[2:], 16) ^ 1))
                self.log("misbehave MS-CHAPv2 Success with a wrong S=")
            msg = (s + " M=welcome").encode()
            if how == "no-s":
                msg = b"M=welcome, no authenticator response"
                self.log("misbehave MS-CHAPv2 Success without S=")
            sa.eap_state = "mschapv2-success"
            nid = self.next_id(sa)
            return self.eap(EAP_REQUEST, nid, EAP_MSCHAPV2,
                            struct.pack("!BBH", 3, td[1], 4 + len(msg)) + msg)
        if op == 3 and sa.eap_state == "mschapv2-success":
            self.log("mschapv2 success response")
            sa.eap_state = "done"
            return self.eap(EAP_SUCCESS, ident)
        self.log("drop MS-CHAPv2 op %d in state %s" % (op, sa.eap_state))
        return None

    def md5_step(self, sa, ident, td):
        import hashlib
        rid, ch = sa.mschap.get("md5_challenge", (None, None))
        if not td or td[0] != 16 or len(td) < 17:
            self.log("drop EAP-MD5 response with Value-Size %s" % (td[0] if td else None))
            return None
        self.log("SECRET md5-response")
        want = hashlib.md5(bytes([rid]) + self.k["password"].encode() + ch).digest()
        if td[1:17] != want:
            self.log("md5 wrong password")
            return self.eap(EAP_FAILURE, ident)
        sa.eap_state = "done"
        return self.eap(EAP_SUCCESS, ident)

    def tls_step(self, sa, ident, td):
        """Only far enough to lie: after the ClientHello, EAP-TLS packets
        whose lengths are wrong (RFC 5216 3.1 framing, a TLS record header).
        Messages longer than a fragment go out in fragments the client ACKs."""
        flags = td[0] if td else 0
        nid = self.next_id(sa)
        self.log("eap-tls flags=0x%02x bytes=%d stage=%d" % (flags, len(td), sa.tls_stage))
        if flags == 0 and len(td) <= 1 and sa.tls_out:
            return self.eap(EAP_REQUEST, nid, EAP_TLS, sa.tls_out.pop(0))
        sa.tls_stage += 1
        how = self.k["tls_len"]
        hello = b"\x16\x03\x03\x00\x31\x02\x00\x00\x2d\x03\x03" + os.urandom(32) + \
            b"\x00\xc0\x2f\x00\x00\x05\xff\x01\x00\x01\x00"
        if sa.tls_stage == 1:
            if how == "huge":
                self.log("misbehave EAP-TLS L|M with TLS Message Length 0x7fffffff")
                return self.eap(EAP_REQUEST, nid, EAP_TLS,
                                b"\xc0" + struct.pack("!I", 0x7fffffff) + hello)
            if how == "short":
                self.log("misbehave EAP-TLS L with TLS Message Length 10 for %d bytes" % len(hello))
                return self.eap(EAP_REQUEST, nid, EAP_TLS, b"\x80" + struct.pack("!I", 10) + hello)
            if how == "overflow":
                self.log("misbehave EAP-TLS L|M announcing 100 bytes, first fragment of 80")
                junk = hello + b"\0" * (80 - len(hello))
                return self.eap(EAP_REQUEST, nid, EAP_TLS, b"\xc0" + struct.pack("!I", 100) + junk)
            if how == "record-lie":
                # a handshake record whose header claims 18433 bytes (more than
                # TLS allows, RFC 8446 5.1 / RFC 5246 6.2.1), in 1000-byte fragments
                msg = b"\x16\x03\x03" + struct.pack("!H", 18433) + b"\x02" * 18433
                parts = [msg[i:i + 1000] for i in range(0, len(msg), 1000)]
                sa.tls_out = [b"\x40" + p for p in parts[1:-1]] + [b"\x00" + parts[-1]]
                self.log("misbehave TLS record header claiming 18433 bytes, in %d fragments" %
                         len(parts))
                return self.eap(EAP_REQUEST, nid, EAP_TLS,
                                b"\xc0" + struct.pack("!I", len(msg)) + parts[0])
            return self.eap(EAP_FAILURE, ident)
        if how == "overflow" and sa.tls_stage == 2:
            self.log("misbehave EAP-TLS second fragment of 200 bytes (20 were left)")
            return self.eap(EAP_REQUEST, nid, EAP_TLS, b"\x00" + b"\0" * 200)
        self.log("eap-tls giving up (EAP-Failure)")
        return self.eap(EAP_FAILURE, ident)

    # ------------------------------------------------------------------ CHILD SA
    def choose_esp(self, sa):
        for p in sa.esp_props:
            if p.proto != C.PROTO_ESP or len(p.spi) != 4:
                continue
            encr = next((t for t in p.of_type(C.T_ENCR)
                         if t.id in (C.ENCR_AES_GCM_16, C.ENCR_CHACHA20_POLY1305, C.ENCR_AES_CBC)),
                        None)
            integ = next((t for t in p.of_type(C.T_INTEG) if t.id in X.INTEG), None)
            esn = [t.id for t in p.of_type(C.T_ESN)]
            if not encr or (encr.id == C.ENCR_AES_CBC and not integ) or (esn and 0 not in esn):
                continue
            return p, encr, integ
        return None

    def child_payloads(self, sa):
        ch = self.choose_esp(sa)
        if not ch:
            return [C.notify(C.N_NO_PROPOSAL_CHOSEN)]
        p, encr, integ = ch
        spi_in = os.urandom(4)
        trans = [C.Transform(C.T_ENCR, encr.id, encr.key_len)]
        if encr.id == C.ENCR_AES_CBC:
            trans.append(C.Transform(C.T_INTEG, integ.id))
        trans.append(C.Transform(C.T_ESN, 0))
        suite = X.Suite(encr.id, encr.key_len or 256, integ.id if integ else 0)
        ki, kr = X.child_keys(sa.prf, sa.keys.sk_d, suite, sa.ni, sa.nr)
        sa.child = Child(suite, struct.unpack("!I", spi_in)[0], struct.unpack("!I", p.spi)[0],
                         ki, kr)
        cp = self.k["cp"] if self.k["cp"] is not None else fg_scenarios.GOOD_CP
        if self.k["cp"] is not None:
            self.log("misbehave configuration reply with %d attributes" % len(cp))
        if self.k["tsr"] != fg_scenarios.DEFAULTS["tsr"]:
            self.log("misbehave TSr %s" % self.k["tsr"])
        attrs = [C.cp_attr(t, v) for t, v in cp]
        vip = next((v for t, v in cp if t == C.CA_INTERNAL_IP4_ADDRESS and
                    v == socket.inet_aton(VIP)), None)
        tsi = [C.Selector(socket.inet_aton(VIP), socket.inet_aton(VIP))]
        tsr = [C.Selector(socket.inet_aton(a), socket.inet_aton(b)) for a, b in self.k["tsr"]]
        if self.k["ts_many"]:
            # 200 single-address selectors in 10.20.0.0/24 and then some
            tsr = [C.Selector(bytes([10, 20, i // 256, i % 256]), bytes([10, 20, i // 256, i % 256]))
                   for i in range(200)] + tsr
            self.log("misbehave %d TSr selectors" % len(tsr))
        tsi_body, tsr_body = C.ts_body(tsi), C.ts_body(tsr)
        how = self.k["ts"]
        if how:
            self.log("misbehave traffic selectors '%s'" % how)
            if how == "sel-len-short":
                tsr_body = C.ts_body([C.Selector(tsr[0].start, tsr[0].end, raw_len=12)])
            elif how == "sel-len-long":
                tsr_body = C.ts_body([C.Selector(tsr[0].start, tsr[0].end, raw_len=17)]) + b"\0"
            elif how == "count-high":
                tsr_body = C.ts_body(tsr, count=len(tsr) + 2)
            elif how == "v4-len-40":
                tsi_body = C.ts_body([C.Selector(tsi[0].start, tsi[0].end, raw_len=40)]) + \
                    b"\0" * 24
            elif how == "truncated":
                tsr_body = C.ts_body(tsr)[:-3]
            else:
                raise ValueError(how)
        self.log("child offered spi_in=%08x spi_out=%08x suite=%s vip=%s" % (
            sa.child.spi_in, sa.child.spi_out, suite.name(), bool(vip)))
        sa.established = True
        self.log("established spi_in=%08x spi_out=%08x vip=%s" % (sa.child.spi_in,
                                                                 sa.child.spi_out, VIP))
        return [C.Payload(C.P_CP, C.cp_body(C.CFG_REPLY, attrs)),
                C.Payload(C.P_SA, C.encode_sa([C.Proposal(p.num, C.PROTO_ESP, spi_in, trans)])),
                C.Payload(C.P_TSI, tsi_body), C.Payload(C.P_TSR, tsr_body)]

    # ------------------------------------------------------------------ ESP
    def on_esp(self, data, addr):
        sa = self.last_sa
        if not sa or not sa.child:
            self.log("drop ESP without a CHILD SA (%d bytes)" % len(data))
            return
        try:
            spi, seq, nh, inner = E.decap(sa.child.keys_i, data)
        except Exception as e:
            self.log("drop ESP from the client: %s" % type(e).__name__)
            return
        self.log("esp-in spi=%08x seq=%d nh=%d %s" % (spi, seq, nh, E.describe_inner(inner)))

    def send_esp(self, kind, seq):
        sa = self.last_sa
        if not sa or not sa.child:
            return "error no CHILD SA"
        ch = sa.child
        if kind not in ESP_KINDS:
            return "error unknown kind %s" % kind
        if seq is None:
            ch.seq += 1
            seq = ch.seq
        else:
            ch.seq = max(ch.seq, seq)
        vip, lan = socket.inet_aton(VIP), socket.inet_aton(LAN_HOST)
        inner = E.ipv4_icmp_echo(lan, vip, seq=seq & 0xffff)
        spi, kw = ch.spi_out, {}
        if kind == "seq0":
            seq = 0
        elif kind == "badicv":
            kw["corrupt_icv"] = True
        elif kind == "badpad":
            n = (-(len(inner) + 2)) % max(ch.suite.block, 4)
            kw["pad"] = bytes([7] * (n or 4))
        elif kind == "padlen":
            kw["pad_len"] = 250
        elif kind == "unknownspi":
            spi = ch.spi_out ^ 0x00ff00ff
        elif kind == "innersrc":
            inner = E.ipv4_icmp_echo(socket.inet_aton("192.0.2.99"), vip, seq=seq & 0xffff)
        elif kind == "innerdst":
            inner = E.ipv4_icmp_echo(lan, socket.inet_aton("10.99.0.77"), seq=seq & 0xffff)
        elif kind == "badnh":
            kw["next_header"] = 17
        elif kind == "dummy":
            kw["next_header"] = 59
        pkt = E.encap(ch.keys_r, spi, seq, inner, **kw)
        if kind == "short":
            pkt = pkt[:12]
        addr = sa.addr[True]
        if addr is None:
            return "error no port-4500 address of the client"
        self.s4500.sendto(pkt, addr)
        self.log("esp-out %s spi=%08x seq=%d len=%d" % (kind, spi, seq, len(pkt)))
        return "sent %s spi=%08x seq=%d" % (kind, spi, seq)

    # ------------------------------------------------------------------ control
    def ctl_reply(self, conn, text):
        try:
            conn.sendall((text + "\n").encode())
            conn.close()
        except OSError:
            pass
        if conn in self.ctl_clients:
            self.ctl_clients.remove(conn)

    def on_ctl(self, conn):
        try:
            line = conn.recv(4096).decode().strip()
        except OSError:
            line = ""
        if not line:
            self.ctl_clients.remove(conn)
            conn.close()
            return
        words = line.split()
        cmd, rest = words[0], words[1:]
        self.log("ctl %s" % line)
        sa = self.last_sa
        if cmd == "status":
            if sa and sa.child and sa.established:
                self.ctl_reply(conn, "established=1 spi_in=%08x spi_out=%08x" % (
                    sa.child.spi_in, sa.child.spi_out))
            else:
                self.ctl_reply(conn, "established=0")
        elif cmd == "esp":
            seq = int(rest[1]) if len(rest) > 1 else None
            self.ctl_reply(conn, self.send_esp(rest[0] if rest else "valid", seq))
        elif cmd in ("liveness", "delete", "delete-child", "info-critical", "rekey-proto0",
                     "rekey-proto-ike-spi4", "redirect"):
            if not sa or not sa.established:
                self.ctl_reply(conn, "error not established")
                return
            if cmd == "liveness":
                self.request(sa, C.INFORMATIONAL, [], cmd, conn)
            elif cmd == "redirect":
                # RFC 5685 5: an established SA moved elsewhere (no nonce)
                if not rest:
                    self.ctl_reply(conn, "error usage: redirect GATEWAY")
                    return
                self.request(sa, C.INFORMATIONAL,
                             [C.notify(C.N_REDIRECT, C.redirect_body(rest[0]))], cmd, conn)
            elif cmd == "delete":
                self.request(sa, C.INFORMATIONAL,
                             [C.Payload(C.P_DELETE, C.delete_body(C.PROTO_IKE))], cmd, conn)
            elif cmd == "delete-child":
                # RFC 7296 3.11: the SPI the sender expects inbound (ours)
                self.request(sa, C.INFORMATIONAL, [C.Payload(C.P_DELETE, C.delete_body(
                    C.PROTO_ESP, [struct.pack("!I", sa.child.spi_in)]))], cmd, conn)
            elif cmd == "info-critical":
                self.request(sa, C.INFORMATIONAL, [C.Payload(201, b"\0" * 8, critical=True)],
                             cmd, conn)
            else:
                spi = struct.pack("!I", sa.child.spi_out)
                proto = 0 if cmd == "rekey-proto0" else C.PROTO_IKE
                ni = os.urandom(32)
                trans = [C.Transform(C.T_ENCR, C.ENCR_AES_GCM_16, 256), C.Transform(C.T_ESN, 0)]
                everything = [C.Selector(b"\0" * 4, b"\xff" * 4)]
                self.request(sa, C.CREATE_CHILD_SA, [
                    C.notify(C.N_REKEY_SA, proto=proto, spi=spi),
                    C.Payload(C.P_SA, C.encode_sa([C.Proposal(1, C.PROTO_ESP, os.urandom(4),
                                                              trans)])),
                    C.Payload(C.P_NONCE, ni),
                    C.Payload(C.P_TSI, C.ts_body(everything)),
                    C.Payload(C.P_TSR, C.ts_body(everything))], cmd, conn)
        elif cmd == "reset":
            # reset DIR SCENARIO [KNOB=VALUE]...
            if len(rest) < 2:
                self.ctl_reply(conn, "error usage: reset DIR SCENARIO [KNOB=VALUE]...")
                return
            overrides = {}
            for s in rest[2:]:
                k, _, v = s.partition("=")
                overrides[k] = parse_value(v)
            try:
                self.reset(rest[0], rest[1], overrides)
            except KeyError as e:
                self.ctl_reply(conn, "error %s" % e)
                return
            self.ctl_reply(conn, "reset %s" % rest[1])
        elif cmd == "quit":
            self.ctl_reply(conn, "bye")
            raise SystemExit(0)
        else:
            self.ctl_reply(conn, "error unknown command %s" % cmd)

    def expire_pending(self):
        now = time.monotonic()
        for sa in self.sas.values():
            for mid, (what, conn, deadline, dgrams) in list(sa.pending.items()):
                if now >= deadline:
                    del sa.pending[mid]
                    self.log("no answer to our %s request mid=%d" % (what, mid))
                    if conn:
                        self.ctl_reply(conn, "timeout mid=%d" % mid)

    def run(self):
        while True:
            rlist = [self.s500, self.s4500, self.ctl] + self.ctl_clients
            ready, _, _ = select.select(rlist, [], [], 0.2)
            for s in ready:
                if s is self.s500:
                    self.on_udp(s, False)
                elif s is self.s4500:
                    self.on_udp(s, True)
                elif s is self.ctl:
                    conn, _ = self.ctl.accept()
                    self.ctl_clients.append(conn)
                else:
                    self.on_ctl(s)
            self.expire_pending()


# ------------------------------------------------------------------ commands
def parse_value(v):
    try:
        return ast.literal_eval(v)
    except (ValueError, SyntaxError):
        return v


def cmd_serve(args):
    overrides = {}
    for s in args.set or []:
        k, _, v = s.partition("=")
        overrides[k] = parse_value(v)
    knobs = fg_scenarios.resolve(args.scenario, overrides)
    os.makedirs(args.dir, exist_ok=True)
    gw = Gateway(args, knobs)
    with open(os.path.join(args.dir, "fakegw.pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        gw.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    except Exception as e:  # a bug of the fake: say so where the test looks
        import traceback
        gw.log("FAKEGW-BUG %s" % "".join(traceback.format_exception(e)).replace("\n", " | "))
        raise
    finally:
        gw.log("stop")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pki")
    p.add_argument("dir")
    p = sub.add_parser("serve")
    p.add_argument("--dir", required=True)
    p.add_argument("--pki", required=True)
    p.add_argument("--scenario", default="ok")
    p.add_argument("--set", action="append", metavar="KNOB=VALUE")
    p.add_argument("--bind", default="0.0.0.0")
    p.add_argument("--public-ip", default=fg_pki.GW_IP,
                   help="our address for NAT detection when bound to all addresses")
    sub.add_parser("scenarios")
    sub.add_parser("selftest")
    args = ap.parse_args()
    if args.cmd == "pki":
        fg_pki.make(args.dir)
        return 0
    if args.cmd == "serve":
        return cmd_serve(args)
    if args.cmd == "scenarios":
        for name in sorted(fg_scenarios.SCENARIOS):
            print("%-28s %s" % (name, fg_scenarios.SCENARIOS[name]))
        return 0
    if args.cmd == "selftest":
        X.self_test()
        print("fg_crypto known answers: ok")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
