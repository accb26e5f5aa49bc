"""The practice world's own CA, and one certificate per provider.

crepes.fr and hamburger.edu are two companies: each has its own certificate naming its
own hosts (``mx.hamburger.edu``, ``pop.crepes.fr`` …), signed by one practice CA that
stands for the public CAs, so a client that trusts it can check each server's *name*
(RFC 6125), as the relay does with the MX host name (RFC 7672 checks that name too).
Every certificate also names localhost and the loopback addresses, so a student can
``connect 127.0.0.1 … --cafile`` the world's CA.  Kept in the world's directory.
"""

from __future__ import annotations

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
    from smtp_tutor.server.certs import new_ca, new_server_certificate, pem, write_key

    ca_key, ca_cert = new_ca("smtp-tutor world CA")
    for domain, (cert_path, key_path) in files.items():
        key, cert = new_server_certificate(ca_key, ca_cert, domain,
                                           (*HOSTS[domain], *LOOPBACK_NAMES),
                                           LOOPBACK_ADDRESSES)
        write_key(key_path, key)
        cert_path.write_bytes(pem(cert))
    write_key(ca_key_path, ca_key)
    ca_path.write_bytes(pem(ca_cert))  # last: its presence means the set is complete
