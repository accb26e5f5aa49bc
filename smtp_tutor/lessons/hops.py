"""What a world lesson shows besides SMTP: a new hop, POP3 lines, DNS questions, world notes.

Each event says itself as ``(text, style)`` lines (``shown``), so every renderer
(terminal, plain, JSON, the demo's pane) writes it without knowing POP3 or DNS; the
renderer passes the text through ``visible()``.  ``reply_status`` is what the engine
checks a server step against, whatever the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtp_tutor.lessons.model import Hop
from smtp_tutor.protocol import ReplyReceived
from smtp_tutor.protocol.pop3 import Pop3Command, Pop3Reply

DNS_TYPES = ("MX", "A", "AAAA", "TXT")


@dataclass(frozen=True)
class HopStarted:
    """The journey moves on: who talks to whom now."""

    hop: Hop

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.knowledge import ui

        kind = ui(f"hop_kind_{self.hop.kind}", lang)
        return [("", ""), (ui("hop_heading", lang, index=str(self.hop.index), kind=kind,
                              label=self.hop.label_in(lang)), "heading")]


@dataclass(frozen=True)
class Pop3Sent:
    command: Pop3Command

    def shown(self, lang: str) -> list[tuple[str, str]]:
        return [(f"C: {self.command.display}", "client")]


@dataclass(frozen=True)
class Pop3Received:
    reply: Pop3Reply

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.pop3.view import reply_lines

        return reply_lines(self.reply, lang)


@dataclass(frozen=True)
class ImapSent:
    """A command line (tag added), or the octets of a literal (masked for LOGIN)."""

    display: str

    def shown(self, lang: str) -> list[tuple[str, str]]:
        return [(f"C: {self.display}", "client")]


@dataclass(frozen=True)
class ImapReceived:
    """Everything the server answered to one command: untagged lines, then the tagged one
    (or the ``+`` asking for a literal, or the greeting)."""

    responses: tuple

    @property
    def status(self) -> str:
        last = self.responses[-1] if self.responses else None
        if last is None:
            return ""
        return "+" if last.kind == "continuation" else last.status or last.name

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.imap.view import response_lines

        return [line for response in self.responses for line in response_lines(response, lang)]


@dataclass(frozen=True)
class DnsAsked:
    query: str  # "MX hamburger.edu"

    def shown(self, lang: str) -> list[tuple[str, str]]:
        return [(f"C: {self.query}", "client")]


@dataclass(frozen=True)
class DnsAnswered:
    query: str
    lines: tuple[str, ...]  # records as dig writes them, or the rcode when there are none

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.knowledge import ui

        out = [(f"S: {line}", "reply.2xx") for line in self.lines]
        return out + [(f"   {ui('dns_answer_note', lang)}", "explain")]


@dataclass(frozen=True)
class WorldNote:
    """A line of the world console (queue, DNS, delivery), said as it happens."""

    text: str
    style: str = "note.info"

    def shown(self, lang: str) -> list[tuple[str, str]]:
        return [(self.text, self.style)]


def reply_status(event: object) -> tuple[str, str] | None:
    """(code, text) of a reply event: ("250", …), ("+OK", …), ("DNS", records); else None."""
    if isinstance(event, ReplyReceived):
        return str(event.reply.code), event.reply.text
    if isinstance(event, Pop3Received):
        return event.reply.status, "\n".join([event.reply.text, *event.reply.lines])
    if isinstance(event, DnsAnswered):
        return "DNS", "\n".join(event.lines)
    if isinstance(event, ImapReceived):
        return event.status, "\n".join(r.raw.decode("utf-8", "replace") for r in event.responses)
    return None


def parse_query(line: str) -> tuple[str, str] | None:
    """``MX hamburger.edu`` → ("MX", "hamburger.edu"); None when it is not a question."""
    words = line.split()
    if len(words) != 2 or words[0].upper() not in DNS_TYPES:
        return None
    return words[0].upper(), words[1].rstrip(".").lower()
