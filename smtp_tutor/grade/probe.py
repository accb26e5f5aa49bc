"""One connection to a server under test, its replies read by the sans-I/O core.

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

from smtp_tutor.protocol import ClientSession, ProtocolError, Reply, ReplyReceived
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


class Probe:
    def __init__(self, host: str, port: int, timeout: float = REPLY_TIMEOUT, *,
                 connect: Connector | None = None) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.connect = connect
        self.session = ClientSession()
        self.transcript: list[str] = []
        self._replies: deque[Reply] = deque()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.eof = False
        self._in_step = False  # every write so far has had its reply read
        self._last_code = 0

    async def open(self) -> Reply:
        """Connect and read the greeting."""
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
        assert self._writer is not None
        text = visible(shown) if shown is not None else visible_wire(data)
        self.transcript.append("C: " + (text if len(text) <= MAX_SHOWN
                                        else text[:MAX_SHOWN] + f"… ({len(data)} octets)"))
        self._in_step = False
        self._writer.write(data)
        with contextlib.suppress(ConnectionError):
            await self._writer.drain()

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
        self.transcript.append(f"   (no reply within {seconds:g} s)")
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
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        reads = 0
        while not self._replies:
            if self.eof:
                raise Closed("closed")
            left = deadline - loop.time()
            if left <= 0:
                return False
            chunk = await self._read(left)
            if chunk is None:
                return False
            reads += 1
            self._take(chunk, reads)
        return True

    async def _read(self, seconds: float) -> bytes | None:
        assert self._reader is not None
        try:
            chunk = await asyncio.wait_for(self._reader.read(65536), seconds)
        except TimeoutError:
            return None
        except ConnectionError:
            chunk = b""
        if not chunk:
            self.eof = True
            self.transcript.append("   (connection closed by the server)")
            raise Closed("closed")
        return chunk

    def _take(self, chunk: bytes, reads: int) -> None:
        for event in self.session.receive(chunk):
            if isinstance(event, ReplyReceived):
                self._replies.append(event.reply)
                for line in event.reply.wire_lines():
                    self.transcript.append("S: " + visible(line)[:MAX_SHOWN])
                if reads > 1:
                    self.transcript.append(f"   (this reply came in {reads} pieces)")
            elif isinstance(event, ProtocolError):
                self.transcript.append(f"   (unreadable reply: {visible(event.detail)})")
                self.eof = True
                raise Closed(event.key)

    def _late(self, seconds: float) -> Closed:
        partial = self.session.partial_reply if self.session.reply_incomplete else ""
        if partial:
            shown = visible(partial)[:MAX_SHOWN]
            self.transcript.append(f"   (after {seconds:g} s only part of a reply: {shown})")
            return Closed("incomplete reply", seconds, shown)
        self.transcript.append(f"   (no reply within {seconds:g} s)")
        return Closed("no reply", seconds)

    async def close(self) -> None:
        """QUIT when the dialogue is in step and not in the data, then close."""
        if self._writer is None:
            return
        if self._in_step and not self.eof and self._last_code not in (221, 354):
            await self._goodbye()
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 1)

    async def _goodbye(self) -> None:
        assert self._writer is not None
        shown = len(self.transcript)
        with contextlib.suppress(Closed, ConnectionError):
            self._writer.write(b"QUIT\r\n")
            await self._writer.drain()
            await self.reply(min(self.timeout, GOODBYE_WAIT))
        del self.transcript[shown:]

    async def __aenter__(self) -> Probe:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
