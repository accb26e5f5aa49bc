"""An RFC 5322 message built with Python's ``email`` package, and why each part looks so.

The envelope (MAIL/RCPT) carries no names and no subject: those are header fields,
and header fields must be ASCII on a server without SMTPUTF8 (RFC 6532), so a
Vietnamese subject or display name becomes an RFC 2047 encoded word.  The body's
Content-Transfer-Encoding follows what the server advertised: ``8bit`` only with
8BITMIME (RFC 6152), otherwise quoted-printable (mostly ASCII text) or base64.
Nothing here sends anything: the result is bytes, explanations and notes.
"""

from __future__ import annotations

import email.utils
import mimetypes
from collections.abc import Container
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from smtp_tutor.protocol.events import Note
from smtp_tutor.record import field, record

MAX_LINE = 998  # octets without the CRLF (RFC 5322 §2.1.1)


@record
class Draft:
    """What the student typed; ``attachments`` are (file name, content) pairs."""

    sender: str
    to: list[str]
    subject: str = ""
    body: str = ""
    cc: list[str] = field(default_factory=list)
    sender_name: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


@record(frozen=True)
class Composed:
    """The message as it will be sent, with one explanation per interesting piece."""

    message: bytes
    parts: list[Note]  # keys of messages.toml: compose-header, compose-part ...
    notes: list[Note]  # warnings before sending


def _address(text: str) -> Address:
    """``Name <user@domain>`` or ``user@domain`` as an Address."""
    name, spec = email.utils.parseaddr(text)
    local, _, domain = (spec or text).rpartition("@")
    return Address(name, local or spec or text, domain)


def body_encoding(body: str, capabilities: Container[str]) -> str:
    """The Content-Transfer-Encoding a text body needs on this server."""
    long_line = any(len(line.encode("utf-8")) > MAX_LINE for line in body.splitlines())
    if body.isascii() and not long_line:
        return "7bit"
    if "8BITMIME" in capabilities and not long_line:
        return "8bit"
    non_ascii = sum(1 for c in body if not c.isascii())
    return "quoted-printable" if non_ascii * 3 < len(body) else "base64"


def compose(draft: Draft, capabilities: Container[str], *, domain: str = "crepes.fr",
            body_8bit: bool = False) -> Composed:
    """Build the message; ``body_8bit``: the MAIL command said BODY=8BITMIME."""
    smtputf8 = "SMTPUTF8" in capabilities
    # encoded words unless an address itself is not ASCII (which only SMTPUTF8 can carry)
    specs = [email.utils.parseaddr(a)[1] or a for a in [draft.sender, *draft.to, *draft.cc]]
    raw_utf8 = smtputf8 and not all(spec.isascii() for spec in specs)
    message = EmailMessage(policy=policy.SMTPUTF8 if raw_utf8 else policy.SMTP)
    sender = _address(draft.sender)
    if draft.sender_name:
        sender = Address(draft.sender_name, sender.username, sender.domain)
    message["From"] = sender
    message["To"] = [_address(a) for a in draft.to]
    if draft.cc:
        message["Cc"] = [_address(a) for a in draft.cc]
    message["Subject"] = draft.subject
    message["Date"] = email.utils.formatdate(localtime=True)
    message["Message-ID"] = email.utils.make_msgid(domain=sender.domain or domain)
    cte = body_encoding(draft.body, capabilities)
    message.set_content(draft.body, charset="utf-8", cte=cte)
    for name, content in draft.attachments:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        maintype, _, subtype = kind.partition("/")
        # as bytes, in base64: the file comes back octet for octet, line ends included
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    if "MIME-Version" not in message:
        message["MIME-Version"] = "1.0"
    wire = message.as_bytes()
    return Composed(wire, _explain(message, wire), _warnings(wire, draft, capabilities,
                                                            body_8bit, smtputf8))


def _explain(message: EmailMessage, wire: bytes) -> list[Note]:
    """One note per encoded header and per MIME part, in the order they are sent."""
    parts: list[Note] = []
    head = wire.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    for raw_line in head.split("\r\n"):
        name, _, value = raw_line.partition(":")
        if "=?" in value:
            decoded = str(message[name]) if name in message else value
            parts.append(Note("compose-encoded-word", {"header": name, "decoded": decoded},
                              rfc="RFC 2047 §2"))
    parts.append(Note("compose-headers", rfc="RFC 5322 §3.6"))
    if message.is_multipart():
        parts.append(Note("compose-multipart", {"boundary": message.get_boundary() or ""},
                          rfc="RFC 2046 §5.1.3"))
    for number, part in enumerate(
            (p for p in message.walk() if not p.is_multipart()), start=1):
        filename = part.get_filename() or ""
        cte = part.get("Content-Transfer-Encoding", "7bit")
        parts.append(Note("compose-part", {"number": str(number),
                                           "type": part.get_content_type(),
                                           "cte": cte, "filename": f" {filename}" if filename
                                           else ""},
                          rfc="RFC 2045 §6"))
        parts.append(Note(f"compose-cte-{cte.lower()}", rfc="RFC 2045 §6"))
    return parts


def _warnings(wire: bytes, draft: Draft, capabilities: Container[str], body_8bit: bool,
              smtputf8: bool) -> list[Note]:
    notes: list[Note] = []
    head, _, body = wire.partition(b"\r\n\r\n")
    if not body.isascii() and not body_8bit:
        notes.append(Note("8bit-without-8bitmime", level="warning", rfc="RFC 6152 §3"))
    specs = [email.utils.parseaddr(a)[1] or a for a in [draft.sender, *draft.to, *draft.cc]]
    if (not head.isascii() or not all(spec.isascii() for spec in specs)) and not smtputf8:
        notes.append(Note("non-ascii-without-smtputf8", level="warning", rfc="RFC 6531 §3.2"))
    longest = max((len(line) for line in wire.split(b"\r\n")), default=0)
    if longest > MAX_LINE:
        notes.append(Note("text-line-too-long", {"octets": str(longest + 2)}, level="warning",
                          rfc="RFC 5321 §4.5.3.1.6"))
    return notes
