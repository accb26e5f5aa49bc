"""What a world lesson's POP3 and IMAP hops share: one stream to the server, driven by the
connection plan (``net/plan.py`` on ``connection.StreamDriver``) over a sans-I/O client
core, upgraded with STLS or STARTTLS on the way.

Nothing that came in clear after the server agreed to TLS is read as a reply (RFC 2595
§4, RFC 9051 §11.1): the core's buffer and the stream's are both emptied first.
"""

from __future__ import annotations

import asyncio

from smtp_tutor.net import plan
from smtp_tutor.net.connection import StreamDriver
from smtp_tutor.net.errors import TransportError

LOCALHOST = "127.0.0.1"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class TlsCore(plan.Core, Protocol):
        def discard_plaintext(self) -> int: ...

        def tls_established(self) -> None: ...


class StreamPart(StreamDriver):
    """A base for one hop's connection; a subclass turns the core's items into the
    lesson's events (``_collect``) and says when a closed connection is an end
    (``_ending``)."""

    session: TlsCore

    def __init__(self, port: int, cafile: str, timeout: float, lang: str) -> None:
        self.port, self.cafile, self.timeout, self.lang = port, cafile, timeout, lang
        self.server_name = LOCALHOST  # the name checked in the server's certificate
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.events: list = []  # what the read under way gave the lesson so far
        self._failed = False  # the read met a reply the core could not read

    async def open(self) -> list:
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(LOCALHOST, self.port), self.timeout)
        except (OSError, TimeoutError):
            raise TransportError("connection-closed") from None
        return await self._exchange(plan.receive(self.session, self._collect, self._clock()))

    async def _send(self, wire: bytes) -> list:
        """Write ``wire``, then what the server answers, as the lesson's events."""
        return await self._exchange(plan.send(self.session, wire, self._collect, self._clock()))

    async def _exchange(self, steps: plan.Plan) -> list:
        self.events, self._failed = [], False
        try:
            await self._run(steps)
        except TransportError as error:
            if error.key in ("server-closed", "closed-mid-reply"):
                if not self._ending():
                    raise TransportError("connection-closed") from None
            else:
                raise
        if self._failed:
            raise TransportError("connection-closed")
        return self._done()

    def _collect(self, items: list) -> None:
        """The core's items as the plan hands them on; an unreadable one ends the read."""
        for item in items:
            if self.session.failed([item]):
                self._failed = True
            else:
                self._take(item)

    def _take(self, item: object) -> None:
        """One reply (or response line) of the core, for the lesson."""
        raise NotImplementedError

    def _done(self) -> list:
        """The events of the read that ended."""
        return self.events

    def _ending(self) -> bool:
        """The server closed while the dialogue was ending (QUIT, LOGOUT sent)."""
        return False

    async def _put(self, data: bytes) -> None:
        try:
            await super()._put(data)
        except TransportError:
            raise TransportError("connection-closed") from None

    def _broken(self, error: BaseException) -> TransportError:
        return TransportError("reply-timeout", seconds=f"{self.timeout:g}")

    async def start_tls(self) -> None:
        from smtp_tutor.net.tls import client_context

        assert self._writer is not None
        self.session.discard_plaintext()
        self._drop_plaintext()
        try:
            await self._writer.start_tls(client_context(cafile=self.cafile),
                                         server_hostname=self.server_name)
        except (OSError, ConnectionError):
            raise TransportError("connection-closed") from None
        self.session.tls_established()
        self._upgraded()

    def _upgraded(self) -> None:
        """Say that TLS is up (the subclass's words)."""

    async def close(self) -> None:
        await self._hang_up()
        self._writer = None
