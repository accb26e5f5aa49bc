"""What every renderer offers the faces; subclasses decide only the formatting."""

from __future__ import annotations

import sys

from smtp_tutor.net.tls import TlsStarted
from smtp_tutor.protocol import (
    ChunkDataSent,
    CommandSent,
    DataLineSent,
    ProtocolError,
    ReplyReceived,
)
from smtp_tutor.render.views import (
    NoteView,
    ReplyView,
    message_view,
    reply_view,
    sent_notes,
    visible,
)

TYPE_CHECKING = False  # (typing costs 2 ms at start: annotations only)
if TYPE_CHECKING:
    from typing import IO


class Renderer:
    """Consumes events and messages; writes them for a reader."""

    def __init__(self, lang: str, stream: IO[str] | None = None) -> None:
        self.lang = lang
        self.stream = stream or sys.stdout
        self.raw = False
        self.shell = False  # the interactive shell: hints about its keys make sense

    def show(self, event: object) -> None:
        """Render any event the core or the transport produced."""
        if isinstance(event, ReplyReceived):
            self.reply(reply_view(event, self.lang, shell=self.shell))
        elif isinstance(event, CommandSent):
            self.sent(visible(event.command.display), event.wire,
                      sent_notes(event, self.lang, shell=self.shell),
                      event.state.value, stuffed=False,
                      is_data=event.command.verb == "<end-of-data>", group=event.group)
        elif isinstance(event, DataLineSent):
            self.sent(visible(event.text), event.wire, sent_notes(event, self.lang, shell=self.shell),
                      event.state.value, stuffed=event.stuffed, is_data=True)
        elif isinstance(event, ChunkDataSent):
            self.chunk(event)
        elif isinstance(event, ProtocolError):
            self.message(event.key, {"detail": event.detail}, "error")
        elif isinstance(event, TlsStarted):
            self.tls(event)
        elif hasattr(event, "shown"):  # a world lesson's POP3, DNS, hop and world-note events
            for line, style in event.shown(self.lang):
                self.text(line, style)

    def chunk(self, event: ChunkDataSent) -> None:
        """Octets of a BDAT chunk: shown like a body line, with the count in its notes."""
        self.sent(visible(event.text), event.wire, sent_notes(event, self.lang, shell=self.shell),
                  event.state.value, stuffed=False, is_data=True)

    def group_note(self, group: int, commands: int) -> None:
        """A PIPELINING group left in one write."""
        self.message("pipeline-group-sent", {"group": str(group), "commands": str(commands)},
                     "info")

    def show_all(self, events: list) -> None:
        for event in events:
            self.show(event)

    def message(self, key: str, params: dict[str, str] | None = None,
                level: str = "warning") -> None:
        """A transport or UI message from the knowledge base."""
        self.note(message_view(key, params or {}, self.lang, level, shell=self.shell))
        reason = (params or {}).get("reason")
        if reason:  # a failed verification's reason, by name (net/tls.VERIFY_REASONS)
            self.note(message_view(reason, {}, self.lang, "info", shell=self.shell))

    def tls(self, info: TlsStarted) -> None:
        key = "tls-established-implicit" if info.implicit else "tls-established"
        self.message(key, {"version": info.version, "cipher": info.cipher,
                           "subject": info.subject, "issuer": info.issuer}, "info")
        self.tls_warnings(info)

    def tls_warnings(self, info: TlsStarted) -> None:
        if info.injected:
            self.message("starttls-injection", {}, "warning")
        if not info.verified:
            key = "tls-insecure-with-cafile" if info.cafile_ignored else "tls-insecure"
            self.message(key, {}, "warning")

    # -- formatting, per renderer -------------------------------------------

    def reply(self, view: ReplyView) -> None:
        raise NotImplementedError

    def sent(self, display: str, wire: bytes, notes: tuple[NoteView, ...], state: str, *,
             stuffed: bool, is_data: bool, group: int = 0) -> None:
        raise NotImplementedError

    def note(self, view: NoteView) -> None:
        raise NotImplementedError

    def text(self, line: str, style: str = "", *, hang: int | None = None) -> None:
        """Free text from a face (headings, help); plain by default.  ``hang``: where
        a terminal renderer starts the continuation of a cut line (cells)."""
        print(visible(line), file=self.stream, flush=True)

    def connected(self, host: str, port: int, tls: bool) -> None:
        """Start of a session."""

    def bulk(self, lines: int, octets: int) -> None:
        """Body lines sent in bulk, not one by one (a long scripted message)."""
        self.text(f"C: … {lines} more body lines ({octets} octets) not shown")

    # -- lessons -------------------------------------------------------------

    def narration(self, text: str) -> None:
        """A lesson's words between steps."""
        for line in text.split("\n"):
            self.text(f"» {line}", "narration")

    def check(self, line_no: int, expected: str, got: int | str | None, ok: bool,
              text: str) -> None:
        """Whether a reply is the one the lesson expects (``text`` says it to a reader)."""
        self.text(f"   {text}", "check.ok" if ok else "check.fail")
