#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Regenerates tsunagu's TEST-ONLY profile test data.

Run it from anywhere: python3 tests/vectors/profiles/gen.py

It creates, with the openssl command line tool:
  * a throw-away root CA (EC P-256, 100 years) whose private key is deleted
    at the end: only its certificate is kept (pki/TEST-ONLY-ca.pem);
  * a client certificate and key signed by it, kept as a PKCS#12 with the
    passphrase "test-only" and as PEM files. This key is TEST DATA ONLY:
    it protects nothing, it is published in this repository;
  * a profile-signing certificate whose key is also deleted after signing
    eap-signed.mobileconfig.
Then it renders every *.in file of this directory and of packaging/examples/
(replacing @CA_B64@, @CA_PEM_B64@, @P12_B64@, @P12_PASSPHRASE@,
@CLIENT_CERT_B64@, @CLIENT_KEY_PEM@), writes the binary property list
eap-binary.mobileconfig and the CMS-signed eap-signed.mobileconfig.
The profile texts themselves were written by hand from the formats'
documentation (see README.md); nothing is copied from real profiles.
"""
import base64
import os
import plistlib
import shutil
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PKI = os.path.join(HERE, "pki")
PASSPHRASE = "test-only"
DAYS = "36500"


def run(*args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def ext_file(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def make_pki(tmp):
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-out", "ca.key", cwd=tmp)
    run("openssl", "req", "-x509", "-new", "-key", "ca.key", "-days", DAYS, "-sha256",
        "-subj", "/O=tsunagu test data/CN=tsunagu TEST-ONLY root CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-out", "ca.pem", cwd=tmp)

    def leaf(name, subj, ext):
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", name + ".key", cwd=tmp)
        run("openssl", "req", "-new", "-key", name + ".key", "-subj", subj,
            "-out", name + ".csr", cwd=tmp)
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", DAYS, "-sha256", "-extfile",
            ext_file(tmp, name + ".ext", ext), "-out", name + ".pem", cwd=tmp)

    leaf("client", "/O=tsunagu test data/CN=alice@example.com TEST-ONLY",
         "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
         "extendedKeyUsage=clientAuth\nsubjectAltName=email:alice@example.com\n")
    leaf("signer", "/O=tsunagu test data/CN=tsunagu TEST-ONLY profile signer",
         "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n")
    run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "client.key", "-out", "client-p8.key",
        cwd=tmp)
    run("openssl", "pkcs12", "-export", "-inkey", "client.key", "-in", "client.pem",
        "-certfile", "ca.pem", "-name", "alice TEST-ONLY", "-passout", "pass:" + PASSPHRASE,
        "-out", "client.p12", cwd=tmp)

    os.makedirs(PKI, exist_ok=True)
    for src, dst in (("ca.pem", "TEST-ONLY-ca.pem"), ("client.pem", "TEST-ONLY-client-cert.pem"),
                     ("client-p8.key", "TEST-ONLY-client-key.pem"),
                     ("client.p12", "TEST-ONLY-client.p12"),
                     ("signer.pem", "TEST-ONLY-signer.pem")):
        shutil.copy(os.path.join(tmp, src), os.path.join(PKI, dst))


def der_b64(tmp, pem):
    out = subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"], cwd=tmp, check=True,
                         stdout=subprocess.PIPE).stdout
    return base64.b64encode(out).decode()


def substitutions(tmp):
    with open(os.path.join(tmp, "client.p12"), "rb") as f:
        p12 = base64.b64encode(f.read()).decode()
    with open(os.path.join(tmp, "ca.pem"), "rb") as f:
        ca_pem = f.read()
    with open(os.path.join(tmp, "client-p8.key")) as f:
        key = f.read()
    return {
        "@CA_B64@": der_b64(tmp, "ca.pem"),
        "@CA_PEM_B64@": base64.b64encode(ca_pem).decode(),
        "@P12_B64@": p12,
        "@P12_PASSPHRASE@": PASSPHRASE,
        "@CLIENT_CERT_B64@": der_b64(tmp, "client.pem"),
        # A keyfile value is one line: newlines are written as \n.
        "@CLIENT_KEY_PEM@": key.strip().replace("\n", "\\n"),
    }


TUNNELS = {
    "full": """[tunnel]
# Everything goes through the tunnel. The kill switch (on by default with a
# full tunnel) blocks all traffic while the tunnel is down or reconnecting;
# the home network (printers, NAS) stays reachable.
mode = full
kill-switch = true
allow-lan = true
block-ipv6 = false""",
    "split": """[tunnel]
# Only the company's networks go through the tunnel, except the guest network.
mode = split
subnets = 10.0.0.0/8;172.16.0.0/12;fd12:3456:789a::/48
excluded = 10.200.0.0/16
mtu = 1400""",
}


def render(directory, subs):
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".in"):
            continue
        with open(os.path.join(directory, name)) as f:
            text = f.read()
        for k, v in subs.items():
            text = text.replace(k, v)
        if "@TUNNEL@" not in text:
            outputs = {name[:-3]: text}
        else:
            # One example per tunnel mode: NAME-full.tsunagu and NAME-split.tsunagu.
            stem, ext = os.path.splitext(name[:-3])
            outputs = {}
            for mode, block in TUNNELS.items():
                out = "%s-%s%s" % (stem, mode, ext)
                u = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://tsunagu.example/examples/" + out))
                outputs[out] = (text.replace("@TUNNEL@", block).replace("@MODE@", mode)
                                .replace("@UUID@", u))
        for out, body in outputs.items():
            with open(os.path.join(directory, out), "w") as f:
                f.write(body)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        make_pki(tmp)
        subs = substitutions(tmp)
        render(HERE, subs)
        render(os.path.join(TOP, "packaging", "examples"), subs)

        with open(os.path.join(HERE, "eap.mobileconfig"), "rb") as f:
            plist = plistlib.load(f)
        with open(os.path.join(HERE, "eap-binary.mobileconfig"), "wb") as f:
            plistlib.dump(plist, f, fmt=plistlib.FMT_BINARY)

        run("openssl", "cms", "-sign", "-binary", "-nodetach", "-outform", "DER",
            "-in", os.path.join(HERE, "eap.mobileconfig"),
            "-signer", "signer.pem", "-inkey", "signer.key", "-certfile", "ca.pem",
            "-out", os.path.join(HERE, "eap-signed.mobileconfig"), cwd=tmp)
        # Leaving the with-block deletes the CA and signer private keys.

    # The fuzz targets start from the same files.
    corpus = os.path.join(TOP, "tests", "fuzz", "corpus")
    for ext, target in ((".tsunagu", "fuzz_profile_keyfile"), (".sswan", "fuzz_profile_sswan"),
                        (".mobileconfig", "fuzz_profile_mobileconfig")):
        for name in sorted(os.listdir(HERE)):
            if name.endswith(ext):
                shutil.copy(os.path.join(HERE, name), os.path.join(corpus, target, name))
    examples = os.path.join(TOP, "packaging", "examples")
    for name in sorted(os.listdir(examples)):
        if name.endswith(".tsunagu"):
            shutil.copy(os.path.join(examples, name),
                        os.path.join(corpus, "fuzz_profile_keyfile", "example-" + name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
