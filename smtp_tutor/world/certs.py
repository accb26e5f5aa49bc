"""The practice world's own CA, and one certificate per provider.

crepes.fr and hamburger.edu are two companies: each has its own certificate naming its
own hosts (``mx.hamburger.edu``, ``pop.crepes.fr`` …), signed by one practice CA that
stands for the public CAs, so a client that trusts it can check each server's *name*
(RFC 6125), as the relay does with the MX host name (RFC 7672 checks that name too).
Every certificate also names localhost and the loopback addresses, so a student can
``connect 127.0.0.1 … --cafile`` the world's CA.  Kept in the world's directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

LOOPBACK_NAMES = ("localhost",)
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")
HOSTS = {
    "hamburger.edu": ("hamburger.edu", "mx.hamburger.edu", "pop.hamburger.edu"),
    "crepes.fr": ("crepes.fr", "smtp.crepes.fr", "pop.crepes.fr"),
    "bistro.fr": ("bistro.fr",),
}


@dataclass(frozen=True)
class WorldCertificates:
    ca: Path
    files: dict[str, tuple[Path, Path]]  # domain -> (certificate, key)

    def for_domain(self, domain: str) -> tuple[Path, Path, Path]:
        """(ca, certificate, key), as ``server.certs.ensure_certificates`` returns them."""
        cert, key = self.files[domain]
        return self.ca, cert, key


def ensure_world_certificates(directory: Path) -> WorldCertificates:
    """The CA and each provider's certificate, made on first use."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, ca_key = directory / "ca.pem", directory / "ca.key"
    files = {domain: (directory / f"{domain}.pem", directory / f"{domain}.key")
             for domain in HOSTS}
    wanted = [ca_path, ca_key, *(p for pair in files.values() for p in pair)]
    if not all(path.exists() for path in wanted):
        _create(ca_path, ca_key, files)
    return WorldCertificates(ca_path, files)


def _create(ca_path: Path, ca_key_path: Path, files: dict[str, tuple[Path, Path]]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp-tutor world CA")])
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256()))
    for domain, (cert_path, key_path) in files.items():
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName(n) for n in (*HOSTS[domain], *LOOPBACK_NAMES)]
        names += [x509.IPAddress(ipaddress.ip_address(a)) for a in LOOPBACK_ADDRESSES]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
        _write_key(key_path, key)
        cert_path.write_bytes(_pem(cert))
    _write_key(ca_key_path, ca_key)
    ca_path.write_bytes(_pem(ca_cert))  # last: its presence means the set is complete


def _pem(cert) -> bytes:  # noqa: ANN001
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def _write_key(path: Path, key) -> None:  # noqa: ANN001
    """A private key readable by its owner only."""
    from cryptography.hazmat.primitives import serialization

    secret = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
