"""A world lesson's IMAP hop, live: Bob's mail program through the IMAP client core.

Each command's whole answer (untagged lines, then the tagged one, or a ``+``) becomes one
``ImapReceived`` event, so the lesson checks it against one ``S:`` step.  STARTTLS
upgrades the connection on the way; what came in clear after its OK is dropped unread.
"""

from __future__ import annotations

import asyncio
import contextlib

from smtp_tutor.lessons.hops import ImapReceived, ImapSent, WorldNote
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol.imap.client import ImapClient, ImapProblem

LOCALHOST = "127.0.0.1"


class ImapPart:
    def __init__(self, port: int, cafile: str, timeout: float, lang: str) -> None:
        self.port, self.cafile, self.timeout, self.lang = port, cafile, timeout, lang
        self.server_name = LOCALHOST  # the name checked in the server's certificate
        self.session = ImapClient()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> list:
        try:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(LOCALHOST, self.port), self.timeout)
        except (OSError, TimeoutError):
            raise TransportError("connection-closed") from None
        return await self._read()

    async def send(self, line: str) -> list:
        assert self.writer is not None
        if self.session.awaiting_continuation:
            secret = self.session.open is not None and self.session.open.secret
            wire = self.session.continue_with(line.encode("utf-8"))
            shown = "********" if secret else line
        else:
            wire, command = self.session.send(line)
            shown = command.display
        try:
            self.writer.write(wire)
            await self.writer.drain()
        except (ConnectionError, OSError):
            raise TransportError("connection-closed") from None
        return [ImapSent(shown), *await self._read()]

    async def _read(self) -> list:
        assert self.reader is not None
        events: list = []
        got: list = []
        while self.session.awaiting_reply:
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), self.timeout)
            except (TimeoutError, ConnectionError, OSError):
                raise TransportError("reply-timeout", seconds=f"{self.timeout:g}") from None
            if not chunk:
                if self.session.state == "logout":
                    break
                raise TransportError("connection-closed")
            plus = False
            for item in self.session.receive(chunk):
                if isinstance(item, ImapProblem):
                    raise TransportError("connection-closed")
                got.append(item)
                plus = plus or item.kind == "continuation"
            if self.session.start_tls:
                events.append(ImapReceived(tuple(got)))
                got = []
                events.append(await self._start_tls())
            if plus:
                break
        if got:
            events.append(ImapReceived(tuple(got)))
        return events

    async def _start_tls(self) -> WorldNote:
        from smtp_tutor.imap.view import say
        from smtp_tutor.net.tls import client_context

        assert self.writer is not None and self.reader is not None
        self.session.discard_plaintext()
        self.reader._buffer.clear()  # type: ignore[attr-defined]
        try:
            await self.writer.start_tls(client_context(cafile=self.cafile),
                                        server_hostname=self.server_name)
        except (OSError, ConnectionError):
            raise TransportError("connection-closed") from None
        self.session.tls_established()
        return WorldNote(say("imap_tls", self.lang), "note.info")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.writer.wait_closed(), 2)
            self.writer = None
