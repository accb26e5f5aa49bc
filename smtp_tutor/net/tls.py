"""TLS contexts and a readable summary of a negotiated TLS session.

``ssl`` is imported where it is used: every renderer knows ``TlsStarted``, and a
scripted session without TLS should not pay for loading OpenSSL's bindings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

from smtp_tutor.net.errors import TransportError


@dataclass(frozen=True)
class TlsStarted:
    """What the user is told after a handshake: version, cipher, certificate."""

    version: str
    cipher: str
    subject: str
    issuer: str
    verified: bool
    injected: bool = False  # the server sent plaintext after its 220 (dropped, RFC 3207 §4.2)
    implicit: bool = False  # TLS from the first byte (port 465): nothing was learned before
    cafile_ignored: bool = False  # --insecure given with --cafile: the CA is not used


def client_context(*, cafile: str | None = None, insecure: bool = False) -> ssl.SSLContext:
    """Verify certificates by default; ``cafile`` trusts a practice CA; ``insecure`` checks nothing."""
    import ssl

    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as error:
        raise TransportError("cafile-unreadable", path=str(cafile),
                             detail=getattr(error, "strerror", None) or str(error)) from error
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def describe(ssl_object: ssl.SSLObject | ssl.SSLSocket, verified: bool, *,
             implicit: bool = False) -> TlsStarted:
    cipher = ssl_object.cipher()
    subject, issuer = _names(ssl_object.getpeercert(binary_form=True))
    return TlsStarted(
        version=ssl_object.version() or "?",
        cipher=cipher[0] if cipher else "?",
        subject=subject,
        issuer=issuer,
        verified=verified,
        implicit=implicit,
    )


def _names(der: bytes | None) -> tuple[str, str]:
    if not der:
        return "?", "?"
    from cryptography import x509  # only once a handshake happened

    certificate = x509.load_der_x509_certificate(der)
    return certificate.subject.rfc4514_string(), certificate.issuer.rfc4514_string()


def handshake_error(error: BaseException, *, after_starttls: bool = False,
                    cafile: str | None = None, host: str = "") -> TransportError:
    """The right message for a failed handshake, with a hint that fits the situation:
    a certificate that does not verify (with or without --cafile), a server that said
    220 to STARTTLS and then broke its own handshake, or no TLS spoken at all."""
    import ssl

    if isinstance(error, ssl.SSLCertVerificationError):
        detail = (error.verify_message or str(error)).rstrip(".")
        key = "tls-verify-failed-cafile" if cafile else "tls-verify-failed"
        return TransportError(key, detail=detail, host=host)
    detail = str(getattr(error, "reason", None) or error).rstrip(".")
    key = "starttls-handshake-failed" if after_starttls else "tls-handshake-failed"
    return TransportError(key, detail=detail)
