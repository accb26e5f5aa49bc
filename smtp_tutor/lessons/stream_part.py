"""What a world lesson's POP3 and IMAP hops share: one stream to the server, read by a
sans-I/O client core, upgraded with STLS or STARTTLS on the way.

Nothing that came in clear after the server agreed to TLS is read as a reply (RFC 2595
§4, RFC 9051 §11.1): the core's buffer and the stream's are both emptied first.
"""

from __future__ import annotations

import asyncio
import contextlib

from smtp_tutor.net.errors import TransportError

LOCALHOST = "127.0.0.1"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class TlsCore(Protocol):
        def discard_plaintext(self) -> int: ...

        def tls_established(self) -> None: ...


class StreamPart:
    """A base for one hop's connection; a subclass reads replies in ``_read``."""

    session: TlsCore

    def __init__(self, port: int, cafile: str, timeout: float, lang: str) -> None:
        self.port, self.cafile, self.timeout, self.lang = port, cafile, timeout, lang
        self.server_name = LOCALHOST  # the name checked in the server's certificate
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> list:
        try:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(LOCALHOST, self.port), self.timeout)
        except (OSError, TimeoutError):
            raise TransportError("connection-closed") from None
        return await self._read()

    async def _read(self) -> list:
        raise NotImplementedError

    async def _write(self, wire: bytes) -> None:
        assert self.writer is not None
        try:
            self.writer.write(wire)
            await self.writer.drain()
        except (ConnectionError, OSError):
            raise TransportError("connection-closed") from None

    async def _chunk(self) -> bytes:
        """What the server sent next (b"" when it closed)."""
        assert self.reader is not None
        try:
            return await asyncio.wait_for(self.reader.read(65536), self.timeout)
        except (TimeoutError, ConnectionError, OSError):
            raise TransportError("reply-timeout", seconds=f"{self.timeout:g}") from None

    async def _upgrade(self) -> None:
        from smtp_tutor.net.tls import client_context

        assert self.writer is not None and self.reader is not None
        self.session.discard_plaintext()
        self.reader._buffer.clear()  # type: ignore[attr-defined]  # not in typeshed
        try:
            await self.writer.start_tls(client_context(cafile=self.cafile),
                                        server_hostname=self.server_name)
        except (OSError, ConnectionError):
            raise TransportError("connection-closed") from None
        self.session.tls_established()

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.writer.wait_closed(), 2)
            self.writer = None
