"""``smtp-tutor connect`` with stdin not a terminal: netcat with CRLF, waiting, explained.

Each input line is one command (or, after 354, one body line); every reply is awaited
and explained.  The exit status tells a script whether the session ended properly.
"""

from __future__ import annotations

import sys
from typing import BinaryIO

from smtp_tutor.knowledge import explain_note
from smtp_tutor.net.connection import SmtpConnection
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import State
from smtp_tutor.protocol.commands import CommandRefused
from smtp_tutor.render.base import Renderer

SHOWN_BODY_LINES = 1000  # later body lines are sent in bulk and summarised
CHUNK = 1 << 20


async def run_script(connection: SmtpConnection, source: BinaryIO, renderer: Renderer) -> int:
    """Play ``source`` line by line; 0 when the server said 221 and closed."""
    try:
        renderer.connected(connection.host, connection.port, connection.implicit_tls)
        renderer.show_all(await connection.open())
        await _play(connection, source, renderer)
    except TransportError as error:
        renderer.message(error.key, error.params, "error")
        await connection.close()
        return _exit(connection, renderer, error)
    await connection.close()
    return _exit(connection, renderer, None)


async def _play(connection: SmtpConnection, source: BinaryIO, renderer: Renderer) -> None:
    session = connection.session
    lines = iter(source)
    for raw in lines:
        if session.state is State.CLOSED:
            break
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if session.state is State.DATA:
            await _send_body(connection, text, lines, renderer)
            continue
        if not text.strip():
            continue
        try:
            renderer.show_all(await connection.send(text))
        except CommandRefused as refused:
            renderer.message(refused.note.key, {}, "error")


async def _send_body(connection: SmtpConnection, first: str, lines, renderer: Renderer) -> None:
    """Send body lines until the lone dot; show the first ones, bulk-send the rest as bytes."""
    session = connection.session
    shown = 0
    bulk = bytearray()
    hidden_lines = hidden_bytes = 0
    text: str | None = first
    raw: bytes | None = None
    while text is not None and text != ".":
        if shown < SHOWN_BODY_LINES:
            outgoing = session.send_data_line(text)
            renderer.show_all(outgoing.events)
            await connection.write(outgoing.wire)
            shown += 1
        else:
            bulk += (raw or b"").rstrip(b"\r\n") + b"\n"
            hidden_lines += 1
            if len(bulk) >= CHUNK:
                hidden_bytes += len(bulk)
                await connection.write(session.send_body_chunk(bytes(bulk)))
                bulk.clear()
        raw = next(lines, None)
        text = None if raw is None else raw.decode("utf-8", "replace").rstrip("\r\n")
    if bulk:
        hidden_bytes += len(bulk)
        await connection.write(session.send_body_chunk(bytes(bulk)))
    if hidden_lines:
        renderer.text(f"C: … {hidden_lines} more body lines ({hidden_bytes} octets) not shown")
    if text is None:
        return
    renderer.show_all(await connection.transmit(session.end_data()))


def _exit(connection: SmtpConnection, renderer: Renderer, failure: TransportError | None) -> int:
    """0 after 221; otherwise 1, with a one-line reason on stderr."""
    session = connection.session
    last = session.last_reply
    if failure is None and session.state is State.CLOSED and last is not None and last.code == 221:
        return 0
    key, params = (failure.key, failure.params) if failure else ("ended-without-quit", {})
    if failure is None:
        renderer.message(key, params, "error")
    text, _ = explain_note(key, params, renderer.lang)
    sys.stderr.write(f"smtp-tutor: {text}\n")
    return 1
