"""The message body on the wire (RFC 5321 §4.5.2): CRLF lines, dot-stuffing, ``.`` end.

A body line that begins with ``.`` is sent with one more dot so that no line of the
message can be read as the end of the data; the receiver removes it again.  Line
endings of any kind (CRLF, bare LF, bare CR) become CRLF, so no body can carry the
``<LF>.<LF>`` shape that ends a message early on lenient servers.
"""

from __future__ import annotations

TERMINATOR = b".\r\n"
MAX_TEXT_LINE = 1000  # octets with the CRLF, RFC 5321 §4.5.3.1.6


def encode_line(line: str) -> tuple[bytes, bool]:
    """One typed body line as sent, and whether it was dot-stuffed."""
    text = line.rstrip("\r\n").replace("\r", "").replace("\n", "")
    stuffed = text.startswith(".")
    wire = ("." + text if stuffed else text).encode("utf-8") + b"\r\n"
    return wire, stuffed


def normalise_newlines(body: bytes) -> bytes:
    """Every line ending (CRLF, LF, CR) as LF, for encoding in one pass."""
    return body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def encode_body(body: bytes) -> bytes:
    """A whole message as sent after 354: stuffed, CRLF-terminated, with the final dot."""
    if not body:
        return TERMINATOR
    text = normalise_newlines(body)
    if not text.endswith(b"\n"):
        text += b"\n"
    if text.startswith(b"."):
        text = b"." + text
    text = text.replace(b"\n.", b"\n..")
    # The last "\n.." created above can only be a stuffed line, never the terminator.
    return text.replace(b"\n", b"\r\n") + TERMINATOR


def encode_chunk(lines: bytes) -> bytes:
    """Complete LF- or CRLF-ended body lines, stuffed, without the terminator."""
    text = normalise_newlines(lines)
    if text.startswith(b"."):
        text = b"." + text
    return text.replace(b"\n.", b"\n..").replace(b"\n", b"\r\n")


def unstuff(line: bytes) -> bytes:
    """One received line of the data (SMTP DATA, a POP3 multi-line answer) with the dot
    its sender added removed (RFC 5321 §4.5.2, RFC 1939 §3)."""
    return line[1:] if line.startswith(b".") else line


def decode_body(wire: bytes) -> bytes:
    """What a receiver rebuilds from ``encode_body``'s output (used to prove round trips)."""
    if not wire.endswith(TERMINATOR):
        raise ValueError("data does not end with <CRLF>.<CRLF>")
    text = wire[: -len(TERMINATOR)]
    if text.startswith(b".."):
        text = text[1:]
    return text.replace(b"\r\n..", b"\r\n.")


def looks_like_header(line: str) -> bool:
    """True when a body line has the ``Name: value`` shape of an RFC 5322 header field."""
    name, colon, _ = line.partition(":")
    return bool(colon) and bool(name) and all(33 <= ord(c) <= 126 for c in name)
