"""What a world lesson shows besides SMTP: a new hop, POP3 lines, DNS questions, the world's events.

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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.world.events import WorldEvent

DNS_TYPES = ("MX", "A", "AAAA", "TXT")


@dataclass(frozen=True)
class HopStarted:
    """The journey moves on: who talks to whom now."""

    hop: Hop

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.knowledge.catalogue import say

        kind = say("ui", f"hop_kind_{self.hop.kind}", lang)
        return [("", ""), (say("ui", "hop_heading", lang, index=str(self.hop.index), kind=kind,
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
        from smtp_tutor.knowledge.catalogue import say

        out = [(f"S: {line}", "reply.2xx") for line in self.lines]
        return out + [(f"   {say('ui', 'dns_answer_note', lang)}", "explain")]


@dataclass(frozen=True)
class WorldNote:
    """Something the world did on the way (a ``world/events.py`` record: the queue, DNS, a
    retry, a bounce, a delivery with its trace), said only when shown, in the reader's
    language then (F3 in the demo switches it)."""

    event: WorldEvent

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.world.events import Delivered, tell

        sentence = self.event.sentence()
        lines = [(tell(sentence, lang), sentence.style)]
        if isinstance(self.event, Delivered):  # quoted from the message (render makes it visible)
            lines += [(f"   │ {line}", "client.data") for line in self.event.trace]
        return lines


@dataclass(frozen=True)
class TlsUp:
    """The hop's POP3 (STLS) or IMAP (STARTTLS) connection is now TLS."""

    protocol: str  # "pop3" or "imap"

    def shown(self, lang: str) -> list[tuple[str, str]]:
        from smtp_tutor.knowledge.catalogue import say

        if self.protocol == "imap":
            return [(say("imap", "imap_tls", lang), "note.info")]
        return [(say("world", "pop3_tls", lang), "note.info")]


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
