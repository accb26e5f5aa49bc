"""One SMTP connection driven by asyncio: bytes in and out of a ``ClientSession``.

It adds nothing to the dialogue: it writes what the session formats, feeds back what
arrives, waits for each reply within the timeout, and performs the TLS upgrade the
session asks for after a 220 to STARTTLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import ssl
from collections.abc import Callable

from smtp_tutor.net.errors import TransportError
from smtp_tutor.net.tls import TlsStarted, describe, handshake_error
from smtp_tutor.protocol import ClientSession, Event, Outgoing, ProtocolError, State
from smtp_tutor.protocol.events import ReplyReceived

READ_SIZE = 65536
DEFAULT_TIMEOUT = 30.0

ConnectionEvent = Event | TlsStarted
Show = Callable[[list], None]


class _Sink:
    """Hands events to ``show`` as they come, or collects them."""

    def __init__(self, show: Show | None) -> None:
        self.show = show
        self.collected: list = []

    def __call__(self, events: list) -> None:
        if not events:
            return
        if self.show is not None:
            self.show(events)
        else:
            self.collected += events


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
        self.tcp_connected = False

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
            raise handshake_error(error, cafile=self.cafile, host=self.host) from error
        except OSError as error:
            raise TransportError("network-error", detail=error.strerror or str(error)) from error
        self.tcp_connected = True
        events: list[ConnectionEvent] = []
        if tls is not None:
            self.session.implicit_tls()
            events.append(self._tls_info(implicit=True))
        try:
            events += await self.read_replies()
        except TransportError as error:
            error.events = events + error.events
            raise
        return events

    def _context(self) -> ssl.SSLContext:
        if self.ssl_context is None:
            from smtp_tutor.net.tls import client_context

            self.ssl_context = client_context(cafile=self.cafile, insecure=self.insecure)
        return self.ssl_context

    def _tls_info(self, *, implicit: bool = False) -> TlsStarted:
        assert self._writer is not None
        ssl_object = self._writer.get_extra_info("ssl_object")
        info = describe(ssl_object, self.verified, implicit=implicit)
        return dataclasses.replace(info, cafile_ignored=bool(self.cafile and self.insecure))

    async def send(self, line: str, *, secret: bool | None = None,
                   show: Show | None = None) -> list[ConnectionEvent]:
        """Send one typed line and wait for what it makes the server say."""
        outgoing = self.session.send(line, secret=secret)
        return await self.transmit(outgoing, show)

    async def transmit(self, outgoing: Outgoing,
                       show: Show | None = None) -> list[ConnectionEvent]:
        """Write prepared bytes; if a reply is now awaited, read it.

        With ``show``, each event is handed over as soon as it exists (the command as it
        leaves, each reply as it arrives) and nothing is returned; without it, the events
        are returned, and on a failure they travel on the error (``error.events``), so a
        face always shows what happened before the failure.
        """
        sink = _Sink(show)
        sink(list(outgoing.events))
        try:
            await self.write(outgoing.wire)
            if self.session.awaiting_reply:
                await self._read(sink)
        except TransportError as error:
            error.events = sink.collected + error.events
            raise
        return sink.collected

    async def send_group(self, lines: list[str],
                         show: Show | None = None) -> list[ConnectionEvent]:
        """PIPELINING (RFC 2920): the commands in one write, then every reply in order.

        Every line is checked before any is queued (a refused one raises
        ``CommandRefused`` with nothing sent), so the session never awaits a reply to a
        command that did not leave."""
        from smtp_tutor.protocol.commands import encode_line

        for line in lines:
            encode_line(line.strip(" "), smtputf8=True)
        session = self.session
        session.begin_group()
        try:
            outgoing = [session.send_command(line) for line in lines]
        finally:
            session.end_group()
        return await self.transmit(Outgoing(b"".join(o.wire for o in outgoing),
                                            [e for o in outgoing for e in o.events]), show)

    async def write(self, data: bytes) -> None:
        if self._writer is None or self.closed:
            raise TransportError("connection-closed")
        try:
            self._writer.write(data)
            await asyncio.wait_for(self._writer.drain(), self.timeout)
        except TimeoutError as error:
            raise TransportError("write-timeout", seconds=f"{self.timeout:g}") from error
        except (ConnectionError, OSError) as error:
            self.closed = True
            raise TransportError("server-closed") from error

    async def read_replies(self, show: Show | None = None) -> list[ConnectionEvent]:
        """Read until every command in flight is answered (or the connection ends)."""
        sink = _Sink(show)
        try:
            await self._read(sink)
        except TransportError as error:
            error.events = sink.collected + error.events
            raise
        return sink.collected

    async def _read(self, sink: _Sink) -> None:
        """The timeout is per reply: a server that dribbles a byte a second still ends."""
        assert self._reader is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while self.session.awaiting_reply:
            try:
                chunk = await asyncio.wait_for(self._reader.read(READ_SIZE),
                                               max(0.0, deadline - loop.time()))
            except TimeoutError as error:
                raise self._timeout_error() from error
            except (ConnectionError, OSError) as error:
                self.closed = True
                raise TransportError("server-closed") from error
            if not chunk:
                self.closed = True
                if self.session.reply_incomplete:
                    raise TransportError("closed-mid-reply")
                raise TransportError("server-closed")
            new = self.session.receive(chunk)
            if any(isinstance(e, ReplyReceived) for e in new):
                deadline = loop.time() + self.timeout
            sink(list(new))
            if any(isinstance(e, ProtocolError) for e in new):
                await self.close()
                break
            if self.session.state is State.TLS and any(isinstance(e, ReplyReceived) for e in new):
                sink([await self.start_tls()])
        if self.session.state is State.CLOSED:
            await self.close()

    async def read_unsolicited(self) -> list[ConnectionEvent]:
        """While nothing is awaited: what the server says on its own (an idle 421).

        Meant to be cancelled when the user sends a command: a cancelled read consumes
        nothing, so the bytes wait for the read that expects them.
        """
        assert self._reader is not None
        while True:
            try:
                chunk = await self._reader.read(READ_SIZE)
            except (ConnectionError, OSError) as error:
                self.closed = True
                raise TransportError("server-closed") from error
            if not chunk:
                self.closed = True
                raise TransportError("server-closed")
            events = self.session.receive(chunk)
            if any(isinstance(e, ProtocolError) for e in events) \
                    or self.session.state is State.CLOSED:
                await self.close()
            if events:
                return events

    def _timeout_error(self) -> TransportError:
        key = "greeting-timeout" if self.session.state is State.GREETING else "reply-timeout"
        return TransportError(key, seconds=f"{self.timeout:g}", port=str(self.port))

    async def start_tls(self) -> TlsStarted:
        """Upgrade in place after ``220`` to STARTTLS (RFC 3207)."""
        assert self._writer is not None and self._reader is not None
        # RFC 3207 §4.2: plaintext the server sent after its 220 must not be read as TLS data
        leftover = self._reader._buffer  # type: ignore[attr-defined]
        injected = bool(leftover) or self.session.discard_plaintext()
        leftover.clear()
        try:
            await asyncio.wait_for(
                self._writer.start_tls(self._context(), server_hostname=self.host), self.timeout)
        except TimeoutError as error:
            await self.close()
            raise TransportError("tls-handshake-failed", detail="timeout") from error
        except (ssl.SSLError, ConnectionError, OSError) as error:
            await self.close()
            raise handshake_error(error, after_starttls=True, cafile=self.cafile,
                                  host=self.host) from error
        self.session.tls_established()
        info = self._tls_info()
        return dataclasses.replace(info, injected=True) if injected else info

    async def close(self) -> None:
        self.closed = True
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(TimeoutError, ConnectionError, OSError, ssl.SSLError):
                await asyncio.wait_for(self._writer.wait_closed(), 2)
