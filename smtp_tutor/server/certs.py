"""The practice CA and server certificate, made once and kept in the data directory."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from collections.abc import Iterable
from pathlib import Path

NAMES = ("hamburger.edu", "localhost")
ADDRESSES = ("127.0.0.1", "::1")


def ensure_certificates(directory: Path, domain: str = "hamburger.edu") -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key), created on first use."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = (directory / "ca.pem", directory / "server.pem",
                                    directory / "server.key")
    if not (ca_path.exists() and cert_path.exists() and key_path.exists()):
        _create(ca_path, cert_path, key_path, domain)
    return ca_path, cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def _create(ca_path: Path, cert_path: Path, key_path: Path, domain: str) -> None:
    ca_key, ca_cert = new_ca("smtp-tutor practice CA")
    key, cert = new_server_certificate(ca_key, ca_cert, domain,
                                       dict.fromkeys((domain, *NAMES)), ADDRESSES)
    write_key(key_path, key)
    cert_path.write_bytes(pem(cert))
    ca_path.write_bytes(pem(ca_cert))


def new_ca(common_name: str):  # noqa: ANN201 - (private key, certificate) of cryptography
    """A practice certificate authority: it stands for the public CAs, for ten years."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
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
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_cert


def new_server_certificate(ca_key, ca_cert, domain: str, names: Iterable[str],  # noqa: ANN001
                           addresses: Iterable[str]):  # noqa: ANN201
    """A server certificate for ``domain`` naming ``names`` and ``addresses``, signed by
    the practice CA (825 days: what clients accept for a server certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    alternative: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alternative += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pem(cert) -> bytes:  # noqa: ANN001 - a cryptography certificate
    from cryptography.hazmat.primitives import serialization

    return cert.public_bytes(serialization.Encoding.PEM)


def write_key(path: Path, key) -> None:  # noqa: ANN001 - a cryptography private key
    """A private key readable by its owner only (never, even briefly, by others)."""
    from cryptography.hazmat.primitives import serialization

    secret = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
