"""A certificate read field by field, as ``openssl s_client``/``x509 -text`` would show it,
for ``:cert`` and the JSON ``tls`` event.  ``cryptography`` is imported only here, and
only once a handshake has happened."""

from __future__ import annotations

import datetime

FIELDS = ("subject", "issuer", "not_before", "not_after", "san", "key", "signature",
          "serial", "sha256", "self_signed")


def fields(der: bytes, now: datetime.datetime | None = None) -> dict[str, str]:
    """Each field of ``FIELDS`` as text (what it means is ui.toml's ``cert_explain_*``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    cert = x509.load_der_x509_certificate(der)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        san = ", ".join([f"DNS:{n}" for n in names.get_values_for_type(x509.DNSName)]
                        + [f"IP:{a}" for a in names.get_values_for_type(x509.IPAddress)])
    except x509.ExtensionNotFound:
        san = "-"
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_text = f"RSA {key.key_size} bit"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_text = f"EC {key.curve.name} ({key.key_size} bit)"
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_text = "Ed25519"
    elif isinstance(key, ed448.Ed448PublicKey):
        key_text = "Ed448"
    elif isinstance(key, dsa.DSAPublicKey):
        key_text = f"DSA {key.key_size} bit"
    else:
        key_text = type(key).__name__
    algorithm = cert.signature_algorithm_oid._name  # e.g. sha256WithRSAEncryption
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": before.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "not_after": after.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "san": san,
        "key": key_text,
        "signature": algorithm,
        "serial": f"{cert.serial_number:X}",
        "sha256": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
        "self_signed": "yes" if cert.subject == cert.issuer else "no",
    }


def to_pem(chain: tuple[bytes, ...]) -> str:
    import ssl

    return "".join(ssl.DER_cert_to_PEM_cert(der) for der in chain)
