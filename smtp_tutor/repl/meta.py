"""Meta-commands: typed with a ``:`` prefix, never sent to the server."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from smtp_tutor.protocol import ClientSession
from smtp_tutor.protocol.commands import mail_path
from smtp_tutor.protocol.data import looks_like_header


@dataclass(frozen=True)
class MetaCommand:
    name: str
    argument: str


def parse_meta(line: str) -> MetaCommand | None:
    """``:name argument`` → MetaCommand; None when the line is not a meta-command."""
    if not line.startswith(":") or len(line) < 2:
        return None
    name, _, argument = line[1:].strip().partition(" ")
    return MetaCommand(name.lower(), argument.strip())


def header_lines(session: ClientSession, sender: str | None, recipients: list[str],
                 domain: str = "crepes.fr", skip: frozenset[str] | set[str] = frozenset()
                 ) -> list[str]:
    """The header section a message needs today, then the blank line before the body;
    fields already typed (``skip``, lower-case names) are not added again."""
    sender = sender or "alice@crepes.fr"
    to = ", ".join(recipients) or "bob@hamburger.edu"
    host = sender.rpartition("@")[2] or domain
    fields = [
        ("from", f"From: <{sender}>"),
        ("to", f"To: {', '.join(f'<{r}>' for r in recipients) if recipients else f'<{to}>'}"),
        ("date", f"Date: {email.utils.formatdate(localtime=True)}"),
        ("message-id", f"Message-ID: {email.utils.make_msgid(domain=host)}"),
        ("subject", "Subject: Hello from smtp-tutor"),
    ]
    return [line for name, line in fields if name not in skip] + [""]


class EnvelopeTracker:
    """The transaction in progress, for ``:headers``: envelope, and the header fields
    typed so far (RFC 5322 allows one From:, one Subject: ...)."""

    def __init__(self) -> None:
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.typed_headers: set[str] = set()
        self.headers_open = True

    def sent(self, event) -> None:  # noqa: ANN001 - CommandSent or DataLineSent
        command = getattr(event, "command", None)
        if command is None:
            self._body_line(event.text)
            return
        if command.verb == "MAIL":
            self.sender = mail_path(command)
            self.recipients = []
        elif command.verb == "RCPT":
            address = mail_path(command)
            if address:
                self.recipients.append(address)
        elif command.verb == "DATA":
            self.typed_headers = set()
            self.headers_open = True

    def _body_line(self, text: str) -> None:
        if not self.headers_open:
            return
        if text == "" or not looks_like_header(text) and text[:1] not in (" ", "\t"):
            self.headers_open = False
        elif looks_like_header(text):
            self.typed_headers.add(text.partition(":")[0].strip().lower())
