"""One SMTP connection driven by asyncio: bytes in and out of a ``ClientSession``.

It adds nothing to the dialogue: it writes what the session formats, feeds back what
arrives, waits for each reply within the timeout, and performs the TLS upgrade the
session asks for after a 220 to STARTTLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl

from smtp_tutor.net.errors import TransportError
from smtp_tutor.net.tls import TlsStarted, describe, handshake_error
from smtp_tutor.protocol import ClientSession, Event, Outgoing, ProtocolError, State
from smtp_tutor.protocol.events import ReplyReceived

READ_SIZE = 65536
DEFAULT_TIMEOUT = 30.0

ConnectionEvent = Event | TlsStarted


class SmtpConnection:
    """A TCP (optionally TLS) connection to one SMTP server."""

    def __init__(self, host: str, port: int, *, session: ClientSession | None = None,
                 timeout: float = DEFAULT_TIMEOUT, implicit_tls: bool = False,
                 ssl_context: ssl.SSLContext | None = None, cafile: str | None = None,
                 insecure: bool = False) -> None:
        self.host = host
        self.port = port
        self.session = session or ClientSession()
        self.timeout = timeout
        self.implicit_tls = implicit_tls
        self.ssl_context = ssl_context
        self.cafile = cafile
        self.insecure = insecure
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.closed = False

    @property
    def verified(self) -> bool:
        return bool(self.ssl_context and self.ssl_context.verify_mode != ssl.CERT_NONE)

    async def open(self) -> list[ConnectionEvent]:
        """Connect (and handshake, for implicit TLS), then read the greeting."""
        tls = self._context() if self.implicit_tls else None
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=tls,
                                        server_hostname=self.host if tls else None),
                self.timeout)
        except TimeoutError as error:
            raise TransportError("connect-timeout", host=self.host, port=str(self.port),
                                 seconds=f"{self.timeout:g}") from error
        except ConnectionRefusedError as error:
            raise TransportError("connection-refused", host=self.host,
                                 port=str(self.port)) from error
        except socket.gaierror as error:
            raise TransportError("unknown-host", host=self.host) from error
        except ssl.SSLError as error:
            raise handshake_error(error) from error
        except OSError as error:
            raise TransportError("network-error", detail=error.strerror or str(error)) from error
        events: list[ConnectionEvent] = []
        if tls is not None:
            self.session.implicit_tls()
            events.append(self._tls_info())
        events += await self.read_replies()
        return events

    def _context(self) -> ssl.SSLContext:
        if self.ssl_context is None:
            from smtp_tutor.net.tls import client_context

            self.ssl_context = client_context(cafile=self.cafile, insecure=self.insecure)
        return self.ssl_context

    def _tls_info(self) -> TlsStarted:
        assert self._writer is not None
        ssl_object = self._writer.get_extra_info("ssl_object")
        return describe(ssl_object, self.verified)

    async def send(self, line: str, *, secret: bool | None = None) -> list[ConnectionEvent]:
        """Send one typed line and wait for what it makes the server say."""
        outgoing = self.session.send(line, secret=secret)
        return await self.transmit(outgoing)

    async def transmit(self, outgoing: Outgoing) -> list[ConnectionEvent]:
        """Write prepared bytes; if a reply is now awaited, read it."""
        events: list[ConnectionEvent] = list(outgoing.events)
        await self.write(outgoing.wire)
        if self.session.awaiting_reply:
            events += await self.read_replies()
        return events

    async def write(self, data: bytes) -> None:
        if self._writer is None or self.closed:
            raise TransportError("connection-closed")
        try:
            self._writer.write(data)
            await asyncio.wait_for(self._writer.drain(), self.timeout)
        except TimeoutError as error:
            raise TransportError("reply-timeout", seconds=f"{self.timeout:g}") from error
        except (ConnectionError, OSError) as error:
            self.closed = True
            raise TransportError("server-closed") from error

    async def read_replies(self) -> list[ConnectionEvent]:
        """Read until every command in flight is answered (or the connection ends)."""
        assert self._reader is not None
        events: list[ConnectionEvent] = []
        while self.session.awaiting_reply:
            try:
                chunk = await asyncio.wait_for(self._reader.read(READ_SIZE), self.timeout)
            except TimeoutError as error:
                raise TransportError("reply-timeout", seconds=f"{self.timeout:g}") from error
            except (ConnectionError, OSError) as error:
                self.closed = True
                raise TransportError("server-closed") from error
            if not chunk:
                self.closed = True
                if self.session.reply_incomplete:
                    raise TransportError("closed-mid-reply")
                raise TransportError("server-closed")
            new = self.session.receive(chunk)
            events += new
            if any(isinstance(e, ProtocolError) for e in new):
                await self.close()
                break
            events += await self._after_replies(new)
        if self.session.state is State.CLOSED:
            await self.close()
        return events

    async def _after_replies(self, new: list[Event]) -> list[ConnectionEvent]:
        if self.session.state is not State.TLS:
            return []
        if not any(isinstance(e, ReplyReceived) for e in new):
            return []
        return [await self.start_tls()]

    async def start_tls(self) -> TlsStarted:
        """Upgrade in place after ``220`` to STARTTLS (RFC 3207)."""
        assert self._writer is not None
        try:
            await asyncio.wait_for(
                self._writer.start_tls(self._context(), server_hostname=self.host), self.timeout)
        except TimeoutError as error:
            await self.close()
            raise TransportError("tls-handshake-failed", detail="timeout") from error
        except (ssl.SSLError, ConnectionError, OSError) as error:
            await self.close()
            raise handshake_error(error) from error
        self.session.tls_established()
        return self._tls_info()

    async def close(self) -> None:
        self.closed = True
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(TimeoutError, ConnectionError, OSError, ssl.SSLError):
                await asyncio.wait_for(self._writer.wait_closed(), 2)
