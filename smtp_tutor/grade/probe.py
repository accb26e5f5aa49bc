"""One connection to a server under test, its replies read by the sans-I/O core.

Commands go through ``ClientSession.send_command`` (so they are formatted as the rest
of smtp-tutor formats them); malformed input (smuggling shapes, long lines) is
written raw.  Replies are always parsed by the core's ``ReplyParser`` inside the
session: there is no second parser here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from smtp_tutor.protocol import ClientSession, ProtocolError, Reply, ReplyReceived
from smtp_tutor.protocol.visible import visible, visible_wire

MAX_SHOWN = 160


class Closed(Exception):
    """The server closed the connection (or never answered in time)."""


class Probe:
    def __init__(self, host: str, port: int, timeout: float = 5.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.session = ClientSession()
        self.transcript: list[str] = []
        self._replies: deque[Reply] = deque()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.eof = False

    async def open(self) -> Reply:
        """Connect and read the greeting."""
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.timeout)
        return await self.reply()

    async def command(self, line: str) -> Reply:
        outgoing = self.session.send_command(line)
        await self.write(outgoing.wire, shown=line)
        return await self.reply()

    async def write(self, data: bytes, *, shown: str | None = None) -> None:
        assert self._writer is not None
        text = visible(shown) if shown is not None else visible_wire(data)
        self.transcript.append("C: " + (text if len(text) <= MAX_SHOWN
                                        else text[:MAX_SHOWN] + f"… ({len(data)} octets)"))
        self._writer.write(data)
        with contextlib.suppress(ConnectionError):
            await self._writer.drain()

    async def reply(self, timeout: float | None = None) -> Reply:
        """The next complete reply; ``Closed`` when the server hangs up or is silent."""
        while not self._replies:
            assert self._reader is not None
            if self.eof:
                raise Closed("closed")
            try:
                chunk = await asyncio.wait_for(self._reader.read(65536), timeout or self.timeout)
            except (TimeoutError, ConnectionError):
                raise Closed("no reply") from None
            if not chunk:
                self.eof = True
                self.transcript.append("   (connection closed by the server)")
                raise Closed("closed")
            for event in self.session.receive(chunk):
                if isinstance(event, ReplyReceived):
                    self._replies.append(event.reply)
                    for line in event.reply.wire_lines():
                        self.transcript.append("S: " + visible(line)[:MAX_SHOWN])
                elif isinstance(event, ProtocolError):
                    self.transcript.append(f"   (unreadable reply: {visible(event.detail)})")
                    self.eof = True
                    raise Closed(event.key)
        return self._replies.popleft()

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

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer.wait_closed(), 1)

    async def __aenter__(self) -> Probe:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
