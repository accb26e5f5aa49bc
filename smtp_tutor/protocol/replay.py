"""A recorded dialogue fed through a ``ClientSession``, as if it happened now.

The session then matches every reply to the command it answers, exactly as it does
live, so a pasted transcript gets the same contextual explanations as the REPL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from smtp_tutor.protocol.commands import CommandRefused
from smtp_tutor.protocol.events import Event, Note
from smtp_tutor.protocol.notation import REPLY_SHAPE, TLS_FAILED, resolve_side
from smtp_tutor.protocol.session import ClientSession
from smtp_tutor.protocol.states import State
from smtp_tutor.protocol.transcript import CLIENT, TOOL, Line
from smtp_tutor.record import record


@record(frozen=True)
class TlsAssumed:
    """The transcript goes on after a 220 to STARTTLS: the handshake happened there."""

    line_no: int


@record(frozen=True)
class ReplayNote:
    """Something about the transcript itself (a refused line), tied to its line number."""

    note: Note
    line_no: int


ReplayEvent = Event | TlsAssumed | ReplayNote


def replay(lines: Iterable[Line],
           session: ClientSession | None = None) -> Iterator[ReplayEvent]:
    """Yield the events a live session would have produced for ``lines``."""
    replayer = Replayer(session)
    for line in lines:
        yield from replayer.feed(line)


class Replayer:
    """Feeds dialogue lines one at a time (a transcript, or a server watching a client)."""

    def __init__(self, session: ClientSession | None = None) -> None:
        self.session = session or ClientSession()

    def feed(self, line: Line) -> Iterator[ReplayEvent]:
        session = self.session
        if line.side == TOOL:
            yield from self._tool(line)
            return
        side = resolve_side(line, session.state is State.DATA)
        if side != CLIENT and not REPLY_SHAPE.match(line.text):
            yield ReplayNote(Note("transcript-not-a-reply", {"text": line.text[:60]},
                                  level="warning"), line.line_no)
            return
        if side != CLIENT:
            yield from session.receive(line.text.encode("utf-8") + b"\r\n")
            return
        if session.state is State.GREETING and session.last_reply is None:
            session.assume_greeted()
            yield ReplayNote(Note("transcript-no-greeting"), line.line_no)
        if session.state is State.TLS:
            session.tls_established()
            yield TlsAssumed(line.line_no)
        text = line.text
        if session.state is State.DATA and text.startswith(".."):
            text = text[1:]  # transcripts show the wire: the sender already dot-stuffed it
        try:
            yield from session.send(text).events
        except CommandRefused as refused:
            yield ReplayNote(refused.note, line.line_no)

    def _tool(self, line: Line) -> Iterator[ReplayEvent]:
        """swaks' own lines about TLS: a handshake that failed (kept, never dropped), or
        one that started before any greeting (implicit TLS, port 465, RFC 8314)."""
        session = self.session
        if line.text.startswith(TLS_FAILED):
            detail = line.text[len(TLS_FAILED):].strip().strip("()")
            yield ReplayNote(Note("transcript-tls-failed", {"detail": detail[:200]},
                                  level="error", rfc="RFC 3207 §4"), line.line_no)
        elif session.state is State.GREETING and session.last_reply is None:
            session.implicit_tls()
            yield ReplayNote(Note("transcript-implicit-tls", rfc="RFC 8314 §3.3"), line.line_no)
        elif session.state is State.TLS:
            session.tls_established()
            yield TlsAssumed(line.line_no)
