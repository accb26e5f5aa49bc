"""TLS contexts and a readable summary of a negotiated TLS session.

``ssl`` is imported where it is used: every renderer knows ``TlsStarted``, and a
scripted session without TLS should not pay for loading OpenSSL's bindings.
"""

from __future__ import annotations

from smtp_tutor.net.errors import TransportError
from smtp_tutor.record import record

TYPE_CHECKING = False  # (typing costs 2 ms at start: annotations only)
if TYPE_CHECKING:
    import ssl


@record(frozen=True)
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
    servername: str = ""  # the name sent in SNI and checked against the certificate
    # the certificates in DER, the server's first; the whole verified chain where Python
    # exposes it (SSLSocket.get_verified_chain, Python 3.13+), else the peer's alone
    chain: tuple[bytes, ...] = ()
    whole_chain: bool = False


TLS_VERSIONS = ("1.2", "1.3")

# ssl's verify_code (OpenSSL's X509_V_ERR_*) -> the knowledge key that names the reason
VERIFY_REASONS = {
    62: "tls-reason-hostname",  # X509_V_ERR_HOSTNAME_MISMATCH
    64: "tls-reason-hostname",  # X509_V_ERR_IP_ADDRESS_MISMATCH
    10: "tls-reason-expired",  # X509_V_ERR_CERT_HAS_EXPIRED
    9: "tls-reason-not-yet-valid",  # X509_V_ERR_CERT_NOT_YET_VALID
    18: "tls-reason-self-signed",  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    19: "tls-reason-self-signed-chain",  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    20: "tls-reason-unknown-ca",  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    2: "tls-reason-unknown-ca",  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
    21: "tls-reason-unknown-ca",  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
}


def client_context(*, cafile: str | None = None, insecure: bool = False,
                   tls_min: str | None = None, tls_max: str | None = None) -> ssl.SSLContext:
    """Verify certificates by default; ``cafile`` trusts a practice CA; ``insecure`` checks
    nothing; ``tls_min``/``tls_max`` ("1.2", "1.3") bound the versions offered."""
    import ssl

    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as error:
        raise TransportError("cafile-unreadable", path=str(cafile),
                             detail=getattr(error, "strerror", None) or str(error)) from error
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    versions = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
    if tls_min:
        context.minimum_version = versions[tls_min]
    if tls_max:
        context.maximum_version = versions[tls_max]
    return context


def describe(ssl_object: ssl.SSLObject | ssl.SSLSocket, verified: bool, *,
             implicit: bool = False, servername: str = "") -> TlsStarted:
    cipher = ssl_object.cipher()
    peer = ssl_object.getpeercert(binary_form=True)
    subject, issuer = _names(peer)
    chain, whole = _chain(ssl_object, peer, verified)
    return TlsStarted(
        servername=servername,
        chain=chain,
        whole_chain=whole,
        version=ssl_object.version() or "?",
        cipher=cipher[0] if cipher else "?",
        subject=subject,
        issuer=issuer,
        verified=verified,
        implicit=implicit,
    )


def _chain(ssl_object, peer: bytes | None, verified: bool) -> tuple[tuple[bytes, ...], bool]:
    """The verified chain where Python exposes it (3.13+, and only once verified)."""
    getter = getattr(ssl_object, "get_verified_chain", None)
    if verified and getter is not None:
        try:
            chain = getter()
        except Exception:  # noqa: BLE001 - best effort: the peer certificate still helps
            chain = None
        if chain:  # DER bytes, the server's certificate first
            return tuple(bytes(c) for c in chain), True
    return ((peer,) if peer else ()), False


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
        failure = TransportError(key, detail=detail, host=host)
        reason = VERIFY_REASONS.get(error.verify_code or 0)
        if reason:  # shown after the message, named (renderers: base.message)
            failure.params["reason"] = reason
        return failure
    detail = str(getattr(error, "reason", None) or error).rstrip(".")
    key = "starttls-handshake-failed" if after_starttls else "tls-handshake-failed"
    return TransportError(key, detail=detail)
