"""SASL PLAIN and LOGIN as SMTP carries them (RFC 4954, RFC 4616): base64, nothing more.

Base64 is an encoding, not encryption: a student who decodes ``VXNlcm5hbWU6`` into
``Username:`` sees why AUTH belongs after STARTTLS.
"""

from __future__ import annotations

# base64 is imported by the functions that use it: a session without AUTH never does


def b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def plain_response(username: str, password: str, authzid: str = "") -> str:
    """The PLAIN initial response: base64 of ``authzid NUL username NUL password``."""
    return b64(f"{authzid}\0{username}\0{password}")


def decode_challenge(text: str) -> str | None:
    """The readable form of a 334 challenge, or None when it is not base64."""
    token = text.strip()
    if not token:
        return ""
    import base64
    import binascii

    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # aiosmtpd ends its prompts with a NUL; control characters must not reach a terminal
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 32 or ord(c) == 127 else c for c in decoded)


def cram_md5_digest(challenge: bytes, password: str) -> str:
    """RFC 2195: HMAC-MD5 keyed with the password over the challenge, in lower-case hex."""
    import hashlib
    import hmac

    return hmac.new(password.encode("utf-8"), challenge, hashlib.md5).hexdigest()


def cram_md5_response(user: str, challenge: bytes, password: str) -> tuple[str, str]:
    """(hex digest, the base64 answer line ``user SP digest``): neither holds the password."""
    digest = cram_md5_digest(challenge, password)
    return digest, b64(f"{user} {digest}")


def raw_challenge(text: str) -> bytes | None:
    """The bytes of a 334 challenge, or None when it is not base64."""
    import base64
    import binascii

    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def xoauth2_response(user: str, token: str) -> str:
    """Google's and Microsoft's SASL XOAUTH2 initial response (the token is the secret)."""
    return b64(f"user={user}\x01auth=Bearer {token}\x01\x01")
