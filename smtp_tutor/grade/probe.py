"""One connection to a server under test, its replies read by the sans-I/O core, its I/O
the connection plan's (``net/plan.py``, on ``connection.StreamDriver``).

Commands go through ``ClientSession.send_command`` (so they are formatted as the rest
of smtp-tutor formats them); malformed input (smuggling shapes, long lines) is
written raw.  Replies are always parsed by the core's ``ReplyParser`` inside the
session: there is no second parser here.

Each reply has a deadline that counts from the moment the probe starts waiting for
it, not from the last byte: a server that sends one byte every half second cannot
stretch a reply for ever.  The transcript notes what decided a wait (nothing came,
part of a reply came, a reply came in pieces), so the excerpt shows the order.

A probe ends its session with QUIT when the dialogue is in step (RFC 5321 §4.1.1.10:
the client does not close before QUIT).  That QUIT decides nothing, so it stays out of
the transcript; the checks that judge QUIT send their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import deque
from collections.abc import Awaitable, Callable

from smtp_tutor.net import plan
from smtp_tutor.net.connection import StreamDriver
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ClientSession, ProtocolError, Reply, ReplyReceived
from smtp_tutor.protocol.transcript import CLIENT, COMMAND, NOTE, RAW, Line, server_line
from smtp_tutor.protocol.visible import visible, visible_wire

MAX_SHOWN = 160
REPLY_TIMEOUT = 30.0  # seconds for one whole reply (grade server --reply-timeout)
GOODBYE_WAIT = 2.0  # seconds for the 221 to the closing QUIT


class Closed(Exception):
    """The server closed the connection, or a reply was not whole by its deadline.

    ``str()`` is the cause: "closed", "no reply", "incomplete reply", or the key of a
    malformed reply.  ``seconds`` is the deadline that passed, ``partial`` what had
    come of the reply by then.
    """

    def __init__(self, cause: str, seconds: float = 0.0, partial: str = "") -> None:
        super().__init__(cause)
        self.seconds = seconds
        self.partial = partial


# how to reach a server that runs in a sandbox's own network: a connected socket
Connector = Callable[[], Awaitable[socket.socket]]


class Probe(StreamDriver):
    """One connection to the server under test, driven by the connection plan
    (``net/plan.py``) on ``StreamDriver``: it only says what each wait means."""

    def __init__(self, host: str, port: int, timeout: float = REPLY_TIMEOUT, *,
                 connect: Connector | None = None, number: int = 1) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.connect = connect
        self.session = ClientSession()
        self.number = number  # 2 for the second of two connections at once
        self.transcript: list[Line] = []
        self._opened_at = 0.0
        self._replies: deque[Reply] = deque()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.eof = False
        self._in_step = False  # every write so far has had its reply read
        self._last_code = 0
        self._reads = 0  # reads of the wait under way
        self._unreadable = ""  # the key of a reply the core could not read

    async def open(self) -> Reply:
        """Connect and read the greeting."""
        self._opened_at = asyncio.get_running_loop().time()
        if self.connect is not None:
            sock = await asyncio.wait_for(self.connect(), self.timeout)
            self._reader, self._writer = await asyncio.open_connection(sock=sock)
        else:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.timeout)
        return await self.reply()

    async def command(self, line: str) -> Reply:
        """Send one command and wait for its reply (never the next before it)."""
        outgoing = self.session.send_command(line)
        await self.write(outgoing.wire, shown=line)
        return await self.reply()

    async def write(self, data: bytes, *, shown: str | None = None) -> None:
        """Write ``data``: a command (``shown``: its line) or raw bytes, line ends inside."""
        assert self._writer is not None
        if shown is not None:
            self._keep(CLIENT, shown, kind=COMMAND, verb=shown.split(" ", 1)[0].upper(),
                       octets=len(data))
        else:  # the text marks the line ends, so raw bytes show what was sent
            self._keep(CLIENT, visible_wire(data), kind=RAW, raw=data[:MAX_SHOWN],
                       octets=len(data))
        self._in_step = False
        # a server that hung up is found by the read that follows
        with contextlib.suppress(TransportError):
            await self._run(plan.write(data))

    async def reply(self, timeout: float | None = None) -> Reply:
        """The next complete reply; ``Closed`` when the server hangs up, or when the
        reply is not whole within ``timeout`` (default: the probe's reply deadline)."""
        seconds = timeout or self.timeout
        if not await self._wait(seconds):
            raise self._late(seconds)
        return self._next()

    async def reply_within(self, seconds: float) -> Reply | None:
        """The next reply if it starts within ``seconds``, else None.

        For the places where a correct server says nothing (it is still reading the
        data): silence is the evidence, written into the transcript.  A reply that has
        begun gets the full reply deadline to finish.
        """
        if await self._wait(seconds):
            return self._next()
        if self.session.reply_incomplete:
            return await self.reply()
        self._keep(NOTE, f"(no reply within {seconds:g} s)")
        return None

    async def replies_until(self, code: int) -> list[Reply]:
        """Replies up to and including one with ``code`` (or the end of the connection)."""
        out: list[Reply] = []
        with contextlib.suppress(Closed):
            while True:
                reply = await self.reply()
                out.append(reply)
                if reply.code == code:
                    break
        return out

    def _next(self) -> Reply:
        reply = self._replies.popleft()
        self._in_step, self._last_code = not self._replies, reply.code
        return reply

    async def _wait(self, seconds: float) -> bool:
        """Read until a reply is queued (True) or ``seconds`` have passed (False)."""
        if self._replies:
            return True
        if self.eof:
            raise Closed("closed")
        self._reads = 0
        clock = plan.Clock(seconds, asyncio.get_running_loop().time)
        try:
            await self._run(plan.reply(self.session, self._take, clock))
        except TransportError as error:
            if error.key == "reply-timeout":
                return bool(self._replies)
            self.eof = True
            self._keep(NOTE, "(connection closed by the server)")
            raise Closed("closed") from error
        if self._unreadable:
            raise Closed(self._unreadable)
        return True

    async def _read_chunk(self, seconds: float) -> bytes:
        self._reads += 1
        return await super()._read_chunk(seconds)

    def _take(self, events: list) -> None:
        """The core's events as the plan hands them on: replies queued and written down."""
        for event in events:
            if isinstance(event, ReplyReceived):
                self._replies.append(event.reply)
                for line in event.reply.wire_lines():
                    self.transcript.append(server_line(line, **self._where()))
                if self._reads > 1:
                    self._keep(NOTE, f"(this reply came in {self._reads} pieces)")
            elif isinstance(event, ProtocolError):
                self._keep(NOTE, f"(unreadable reply: {event.detail})")
                self.eof = True
                self._unreadable = event.key

    def _late(self, seconds: float) -> Closed:
        partial = self.session.partial_reply if self.session.reply_incomplete else ""
        if partial:
            shown = visible(partial)[:MAX_SHOWN]
            self._keep(NOTE, f"(after {seconds:g} s only part of a reply: {shown})")
            return Closed("incomplete reply", seconds, shown)
        self._keep(NOTE, f"(no reply within {seconds:g} s)")
        return Closed("no reply", seconds)

    def _where(self) -> dict:
        at = asyncio.get_running_loop().time() - self._opened_at if self._opened_at else 0.0
        return {"line_no": len(self.transcript) + 1, "source": "probe",
                "at": round(at, 6), "connection": self.number}

    def _keep(self, side: str, text: str, *, kind: str = "", verb: str = "",
              raw: bytes = b"", octets: int = 0) -> None:
        self.transcript.append(Line(side, text, kind=kind, verb=verb, raw=raw, octets=octets,
                                    **self._where()))

    def lines(self, first: int = 0) -> list[str]:
        """The transcript from line ``first``, as a report shows it."""
        return [excerpt_line(line) for line in self.transcript[first:]]

    async def close(self) -> None:
        """QUIT when the dialogue is in step and not in the data, then close."""
        if self._writer is None:
            return
        if self._in_step and not self.eof and self._last_code not in (221, 354):
            await self._goodbye()
        await self._hang_up()

    async def _goodbye(self) -> None:
        shown = len(self.transcript)
        with contextlib.suppress(Closed):
            await self.write(b"QUIT\r\n")
            await self.reply(min(self.timeout, GOODBYE_WAIT))
        del self.transcript[shown:]

    async def __aenter__(self) -> Probe:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def excerpt_line(line: Line) -> str:
    """One probe line as a report shows it: safe, a long write cut with its size, the
    second of two connections at once marked "(2)"."""
    mark = f"   ({line.connection}) " if line.connection > 1 else ""
    text = visible(line.text)
    if line.side == NOTE:
        return f"{mark}   {text}"
    if line.side == CLIENT:
        if len(text) > MAX_SHOWN:
            text = text[:MAX_SHOWN] + f"… ({line.octets} octets)"
        return f"{mark}C: {text}"
    return f"{mark}{line.side}: {text[:MAX_SHOWN]}"
