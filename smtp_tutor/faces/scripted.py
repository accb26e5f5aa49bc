"""``smtp-tutor connect`` with stdin not a terminal: netcat with CRLF, waiting, explained.

Each input line is one command (or, after 354, one body line); every reply is awaited
and explained. A shell command (``:explain``), from a session typed in the shell, is
said and not sent.  Each command is shown as it leaves and each reply as it arrives, so a
failure never hides what happened before it.  Input is read in bounded pieces: a
300 MB line costs a few MB of memory, never the whole line.  The exit status tells a
script whether the session ended properly, and the reason on stderr names the cause.
"""

from __future__ import annotations

import sys

from smtp_tutor.knowledge import explain_note
from smtp_tutor.net.blocking import BlockingConnection
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ProtocolError, ReplyReceived, State
from smtp_tutor.protocol.commands import MAX_COMMAND_LINE, CommandRefused, looks_like_command
from smtp_tutor.protocol.data import encode_chunk
from smtp_tutor.protocol.pipeline import ends_group
from smtp_tutor.render.base import Renderer

TYPE_CHECKING = False  # (typing costs 2 ms at start: annotations only)
if TYPE_CHECKING:
    from typing import BinaryIO

    from smtp_tutor.faces.shortcuts import QuitAfter

SHOWN_BODY_LINES = 1000  # later body lines are sent in bulk and summarised
CHUNK = 1 << 20
PIECE = 1 << 16  # the most of one input line held in memory at once


class _Outcome:
    """What the session's end depends on: the last protocol error seen, if any."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.protocol_error: ProtocolError | None = None
        self.quit_after: QuitAfter | None = None  # with --quit-after
        self.fallback_said = False  # --pipeline to a server without PIPELINING, said once

    def show(self, events: list) -> None:
        for event in events:
            if isinstance(event, ProtocolError):
                self.protocol_error = event
            if self.quit_after is not None:
                self.quit_after.seen(event)
            self.renderer.show(event)


def _quit_now(connection: BlockingConnection, outcome: _Outcome) -> None:
    """--quit-after reached: say so, then QUIT (the rest of the input is not sent)."""
    assert outcome.quit_after is not None  # reached
    outcome.renderer.message("quit-after-reached", {"state": outcome.quit_after.target}, "info")
    connection.send("QUIT", show=outcome.show)


def _finish_quit_after(connection: BlockingConnection, outcome: _Outcome) -> None:
    quit_after = outcome.quit_after
    if quit_after is None:
        return
    if quit_after.reached:
        if connection.session.state is not State.CLOSED:
            _quit_now(connection, outcome)
    else:
        outcome.renderer.message("quit-after-not-reached", {"state": quit_after.target},
                                 "warning")


def run_script(connection: BlockingConnection, source: BinaryIO, renderer: Renderer, *,
               pipeline: bool = False, quit_after: str | None = None) -> int:
    """Play ``source`` line by line; 0 when the server said 221 and closed.  With
    ``pipeline``, commands leave in PIPELINING groups where the server offers it; with
    ``quit_after`` (faces/shortcuts.QUIT_AFTER), QUIT goes once the dialogue got that far."""
    outcome = _Outcome(renderer)
    if quit_after:
        from smtp_tutor.faces.shortcuts import QuitAfter

        outcome.quit_after = QuitAfter(quit_after)
    failure: TransportError | None = None
    try:
        greeting = connection.open(greeting=quit_after != "connect")
    except TransportError as error:
        failure, greeting = error, error.events
    if connection.tcp_connected:  # never "connected" for a refused connection
        renderer.connected(connection.host, connection.port, connection.implicit_tls)
    outcome.show(greeting)
    if failure is None and quit_after == "connect":  # a port check, like `nc -z`
        renderer.message("quit-after-connect", {"host": connection.host,
                                                "port": str(connection.port)}, "info")
        connection.close()
        return 0
    if failure is None:
        try:
            _play(connection, source, outcome, pipeline)
            _finish_quit_after(connection, outcome)
        except TransportError as error:
            failure = error
            outcome.show(error.events)
    if failure is not None:
        renderer.message(failure.key, failure.params, "error")
    connection.close()
    return _exit(connection, renderer, outcome, failure)


class _Lines:
    """The input's pieces, with one pushed back (a line read ahead that is a command)."""

    def __init__(self, pieces) -> None:  # noqa: ANN001 - a generator of pieces
        self.pieces = pieces
        self.back: list[tuple[bytes, bool]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> tuple[bytes, bool]:
        return self.back.pop() if self.back else next(self.pieces)

    def push(self, item: tuple[bytes, bool]) -> None:
        self.back.append(item)


def _pieces(source: BinaryIO):
    """(piece, complete) pairs: a line longer than PIECE comes in several pieces."""
    while True:
        piece = source.readline(PIECE)
        if not piece:
            return
        yield piece, piece.endswith(b"\n")


def _play(connection: BlockingConnection, source: BinaryIO, outcome: _Outcome,
                pipeline: bool = False) -> None:
    session = connection.session
    pieces = _Lines(_pieces(source))
    for raw, complete in pieces:
        if session.state is State.CLOSED:
            break
        if session.chunk is not None:  # BDAT octets: each line and its CRLF, counted
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            connection.send(text, show=outcome.show)
            continue
        if session.state is State.DATA:
            _send_body(connection, raw, complete, pieces, outcome)
            continue
        if not complete and len(raw) >= PIECE:
            _skip_rest(pieces)
            outcome.renderer.message("input-line-too-long",
                                     {"octets": f">{PIECE}", "limit": str(MAX_COMMAND_LINE)},
                                     "error")
            continue
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not text.strip():
            continue
        if text.lstrip().startswith(":") and session.state is not State.AUTH:
            # `:explain` and the like, from a session typed in the shell: no SMTP command
            # starts with a colon, and a server would count it as an error
            outcome.renderer.message("script-shell-command",
                                     {"command": text.split()[0][:40]}, "warning")
            continue
        if outcome.quit_after is not None and session.state is not State.AUTH \
                and outcome.quit_after.due(text):
            _quit_now(connection, outcome)
            return
        if pipeline and not outcome.fallback_said and "PIPELINING" not in session.capabilities \
                and session.state in (State.READY, State.MAIL, State.RCPT):
            outcome.fallback_said = True
            outcome.renderer.message("pipeline-fallback", {}, "info")
        try:
            if pipeline and session.state is not State.AUTH \
                    and "PIPELINING" in session.capabilities and not ends_group(text):
                text = _send_group(connection, text, pieces, outcome)
            else:
                connection.send(text, show=outcome.show)
        except CommandRefused as refused:
            outcome.renderer.message(refused.note.key, {}, "error")
            continue
        if _is_data(text) and session.state not in (State.DATA, State.CLOSED):
            _skip_body(pieces, outcome)


def _is_data(text: str) -> bool:
    return text.strip().upper() == "DATA"


def _skip_body(pieces: _Lines, outcome: _Outcome) -> None:
    """DATA was refused: the body lines up to the lone dot are not sent (I14): the server
    would read them as commands, as swaks and smtplib know.  A line that is plainly a
    command (`RCPT TO:<…>`, `QUIT`) ends the skipping: the script went on without a body."""
    skipped = 0
    for raw, complete in pieces:
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if complete and text == ".":
            break
        if complete and looks_like_command(text):
            pieces.push((raw, complete))
            break
        skipped += complete
    if skipped:
        outcome.renderer.message("data-refused-body-skipped", {"lines": str(skipped)},
                                 "warning")


def _send_group(connection: BlockingConnection, first: str, pieces,
                      outcome: _Outcome) -> str:
    """``first`` and the lines after it up to a group-ending command, in one write;
    returns the last line sent."""
    group = [first]
    while not ends_group(group[-1]):
        raw, complete = next(pieces, (b"", True))
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not raw or not complete or not text.strip():
            break
        group.append(text)
    if len(group) == 1:
        connection.send(first, show=outcome.show)
        return first
    outcome.renderer.group_note(connection.session.next_group, len(group))
    connection.send_group(group, show=outcome.show)
    return group[-1]


def _skip_rest(pieces) -> None:
    for _, complete in pieces:
        if complete:
            return


def _send_body(connection: BlockingConnection, raw: bytes, complete: bool, pieces,
                     outcome: _Outcome) -> None:
    """Send body lines until the lone dot; show the first ones, bulk-send the rest."""
    session = connection.session
    shown = 0
    bulk = bytearray()
    hidden_lines = hidden_bytes = 0
    current: bytes | None = raw
    while current is not None:
        text = current.decode("utf-8", "replace").rstrip("\r\n")
        if complete and text == ".":
            break
        if not complete:
            hidden_lines, hidden_bytes = _send_long_line(connection, current, pieces,
                                                               outcome, bulk)
            bulk.clear()
            current, complete = next(pieces, (None, True))
            continue
        if shown < SHOWN_BODY_LINES:
            outgoing = session.send_data_line(text)
            outcome.show(outgoing.events)
            connection.write(outgoing.wire)
            shown += 1
        else:
            bulk += current.rstrip(b"\r\n") + b"\n"
            hidden_lines += 1
            if len(bulk) >= CHUNK:
                hidden_bytes += len(bulk)
                connection.write(session.send_body_chunk(bytes(bulk)))
                bulk.clear()
        current, complete = next(pieces, (None, True))
    if bulk:
        hidden_bytes += len(bulk)
        connection.write(session.send_body_chunk(bytes(bulk)))
    if hidden_lines:
        outcome.renderer.bulk(hidden_lines, hidden_bytes)
    if current is None:
        return
    connection.transmit(session.end_data(), outcome.show)


def _send_long_line(connection: BlockingConnection, first: bytes, pieces, outcome: _Outcome,
                          bulk: bytearray) -> tuple[int, int]:
    """One body line longer than PIECE, streamed piece by piece (never held whole)."""
    session = connection.session
    if bulk:
        connection.write(session.send_body_chunk(bytes(bulk)))
    octets = len(first)
    connection.write(encode_chunk(first.replace(b"\r", b"").replace(b"\n", b"")))
    for piece, complete in pieces:
        octets += len(piece)
        connection.write(piece.replace(b"\r", b"").replace(b"\n", b""))
        if complete:
            break
    connection.write(b"\r\n")
    session.send_body_chunk(b"x\n")  # count one (non-blank) line in the session
    outcome.renderer.message("body-line-too-long", {"octets": str(octets)}, "warning")
    return 1, octets


def _exit(connection: BlockingConnection, renderer: Renderer, outcome: _Outcome,
          failure: TransportError | None) -> int:
    """0 after 221; otherwise 1, with a one-line reason on stderr that names the cause."""
    session = connection.session
    last = session.last_reply
    if failure is None and session.state is State.CLOSED and last is not None and last.code == 221:
        return 0
    if failure is not None:
        key, params = failure.key, failure.params
    elif outcome.protocol_error is not None:
        key, params = outcome.protocol_error.key, {"detail": outcome.protocol_error.detail}
    elif session.state is State.CLOSED and last is not None:
        key, params = "server-ended-session", {"code": str(last.code),
                                               "text": last.lines[0] if last.lines else ""}
        renderer.message(key, params, "error")
    else:
        key, params = "ended-without-quit", {}
        renderer.message(key, params, "error")
    from smtp_tutor.protocol.visible import visible

    text, _ = explain_note(key, {k: visible(v) for k, v in params.items()}, renderer.lang)
    from smtp_tutor.render.wrap import for_stream

    sys.stderr.write(for_stream(f"smtp-tutor: {text}\n"))
    return 1


__all__ = ["ReplyReceived", "run_script"]
