"""The class's certificates: the practice CA signs one for the class domain and the
address the server listens on; students compare the CA's fingerprint with the board's."""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
from pathlib import Path

from smtp_tutor.server.certs import new_ca, new_server_certificate, pem, write_key


def ensure_class_certificates(directory: Path, domain: str,
                              host: str) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) in ``directory``, made once; a certificate that
    does not name ``host`` is made again (the class moved to another address)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca_path, cert_path, key_path = (directory / "ca.pem", directory / "server.pem",
                                    directory / "server.key")
    names = [domain, "localhost"]
    addresses = ["127.0.0.1", "::1"]
    try:
        address = ipaddress.ip_address(host)
        if str(address) not in addresses and not address.is_unspecified:
            addresses.append(str(address))
    except ValueError:
        names.append(host)
    marker = directory / "names.txt"
    wanted = " ".join([*names, *addresses])
    if ca_path.exists() and cert_path.exists() and key_path.exists() \
            and marker.exists() and marker.read_text() == wanted:
        return ca_path, cert_path, key_path
    ca_key, ca_cert = new_ca(f"smtp-tutor class CA ({domain})")
    key, cert = new_server_certificate(ca_key, ca_cert, domain, dict.fromkeys(names),
                                       addresses)
    write_key(key_path, key)
    cert_path.write_bytes(pem(cert))
    ca_path.write_bytes(pem(ca_cert))
    marker.write_text(wanted)
    return ca_path, cert_path, key_path


def fingerprint(ca_path: Path) -> str:
    """SHA-256 of the CA certificate (DER), as ``openssl x509 -fingerprint -sha256`` shows."""
    der = ssl.PEM_cert_to_DER_cert(ca_path.read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
