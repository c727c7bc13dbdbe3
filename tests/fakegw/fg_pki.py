# SPDX-License-Identifier: GPL-2.0-or-later
"""The fake gateway's test PKI, made at test time with python3-cryptography:
one root CA and, signed by it,

  gw-rsa      RSA 2048, SAN DNS:vpn.lab.test, IP:203.0.113.2 (the gateway)
  gw-ecdsa    P-256, the same names
  gw-other    RSA 2048, SAN DNS:other.lab.test (trusted CA, wrong identity)
  client      P-256, SAN email:rsa-client@lab.test (for EAP-TLS profiles)

Files in DIR: ca.pem, NAME.pem, NAME.key (PKCS#8 PEM, unencrypted).
"""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

GW_NAME = "vpn.lab.test"
GW_IP = "203.0.113.2"


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tsunagu fakegw"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path, key):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def _write_cert(path, cert):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def make(directory):
    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    later = now + datetime.timedelta(days=2)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder()
          .subject_name(_name("fakegw test root CA")).issuer_name(_name("fakegw test root CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(later)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    _write_cert(os.path.join(directory, "ca.pem"), ca)
    _write_key(os.path.join(directory, "ca.key"), ca_key)

    def leaf(name, key, cn, sans, eku):
        cert = (x509.CertificateBuilder()
                .subject_name(_name(cn)).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now).not_valid_after(later)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    ca_key.public_key()), critical=False)
                .sign(ca_key, hashes.SHA256()))
        _write_cert(os.path.join(directory, name + ".pem"), cert)
        _write_key(os.path.join(directory, name + ".key"), key)

    gw_sans = [x509.DNSName(GW_NAME), x509.IPAddress(ipaddress.ip_address(GW_IP))]
    leaf("gw-rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048), GW_NAME,
         gw_sans, ExtendedKeyUsageOID.SERVER_AUTH)
    leaf("gw-ecdsa", ec.generate_private_key(ec.SECP256R1()), GW_NAME, gw_sans,
         ExtendedKeyUsageOID.SERVER_AUTH)
    leaf("gw-other", rsa.generate_private_key(public_exponent=65537, key_size=2048),
         "other.lab.test", [x509.DNSName("other.lab.test")], ExtendedKeyUsageOID.SERVER_AUTH)
    leaf("client", ec.generate_private_key(ec.SECP256R1()), "rsa-client@lab.test",
         [x509.RFC822Name("rsa-client@lab.test")], ExtendedKeyUsageOID.CLIENT_AUTH)


def load(directory, name):
    """(certificate DER, private key object) of NAME."""
    with open(os.path.join(directory, name + ".pem"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(directory, name + ".key"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    return cert.public_bytes(serialization.Encoding.DER), key
