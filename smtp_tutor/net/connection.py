"""The connection plan (``net/plan.py``) run on asyncio streams: ``StreamDriver`` does
the I/O for any protocol's plan, and ``SmtpConnection`` is one SMTP connection on it, for
the faces that need concurrency (the shell reads unsolicited replies while it prompts;
lessons and the demo run next to an in-process server).

It adds nothing to the dialogue: what to write, read and upgrade is the plan's; this
module only does the I/O (``net/blocking.py`` does the same on a plain socket).
"""

from __future__ import annotations

import asyncio
import ssl

from smtp_tutor.net import plan
from smtp_tutor.net.errors import TransportError
from smtp_tutor.net.tls import TlsStarted, describe, handshake_error
from smtp_tutor.protocol import ClientSession, Event, Outgoing, ProtocolError, State
from smtp_tutor.record import replace

READ_SIZE = 65536
DEFAULT_TIMEOUT = 30.0

ConnectionEvent = Event | TlsStarted
Show = plan.Show


class StreamDriver:
    """Carries out a connection plan's requests on one asyncio stream: the I/O only.

    ``SmtpConnection`` is one; the POP3 and IMAP shells (``net/access_shell.py``) and
    the grader's probe are the others.  Each says what its upgrade to TLS is
    (``start_tls``) and how a deadline or a broken connection is told."""

    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    timeout: float = DEFAULT_TIMEOUT
    closed = False

    def _clock(self) -> plan.Clock:
        return plan.Clock(self.timeout, asyncio.get_running_loop().time)

    async def _run(self, steps: plan.Plan) -> list:
        """Carry out the plan's requests with asyncio; failures go back into the plan."""
        stepper = plan.Stepper(steps)
        while (request := stepper.next()) is not None:
            try:
                stepper.answer = await self._carry_out(request)
            except TransportError as failure:
                stepper.error = failure
        return stepper.result

    async def _carry_out(self, request: plan.Request) -> object:
        if isinstance(request, plan.Write):
            await self._put(request.data)
            return None
        if isinstance(request, plan.Read):
            return await self._read_chunk(request.seconds)
        if isinstance(request, plan.Listen):
            return await self._listen(request.seconds)
        if isinstance(request, plan.StartTls):
            return await self.start_tls()
        await self._hang_up()
        return None

    async def write(self, data: bytes) -> None:
        await self._put(data)

    async def _put(self, data: bytes) -> None:
        """Write and drain, within the deadline (what the plan's ``Write`` asks)."""
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

    async def _read_chunk(self, seconds: float) -> bytes:
        chunk = await self._listen(seconds)
        if chunk is None:
            raise self._timed_out()
        return chunk

    async def _listen(self, seconds: float) -> bytes | None:
        """What arrives within ``seconds``; None when nothing did (a cancelled read
        consumes nothing)."""
        assert self._reader is not None
        try:
            chunk = await asyncio.wait_for(self._reader.read(READ_SIZE), seconds)
        except TimeoutError:
            return None
        except (ConnectionError, OSError) as error:
            self.closed = True
            raise self._broken(error) from error
        if not chunk:
            self.closed = True
        return chunk

    def _timed_out(self) -> TransportError:
        """A reply not whole by its deadline."""
        return TransportError("reply-timeout", seconds=f"{self.timeout:g}")

    def _broken(self, error: BaseException) -> TransportError:
        """The connection failed under a read."""
        return TransportError("server-closed")

    async def start_tls(self) -> object:
        """Upgrade in place after the server's go-ahead; what to hand on (or None)."""
        raise NotImplementedError

    def _drop_plaintext(self) -> int:
        """RFC 3207 §4.2, RFC 2595 §4: what the server sent in clear after agreeing to
        TLS must not be read as TLS data; the octets still unread are dropped (the
        core drops what it holds itself)."""
        assert self._reader is not None
        leftover = self._reader._buffer  # type: ignore[attr-defined]  # not in typeshed
        dropped = len(leftover)
        leftover.clear()
        return dropped

    async def close(self) -> None:
        await self._hang_up()

    async def _hang_up(self) -> None:
        """Close the stream (what the plan's ``Close`` asks)."""
        self.closed = True
        if self._writer is not None:
            self._writer.close()
            try:
                await asyncio.wait_for(self._writer.wait_closed(), 2)
            except (TimeoutError, ConnectionError, OSError, ssl.SSLError):
                pass
            except asyncio.CancelledError:
                # a transport left half-way by a failed STARTTLS reports its own
                # cancellation here; only a cancellation of this task goes on
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise


class SmtpConnection(StreamDriver):
    """A TCP (optionally TLS) connection to one SMTP server."""

    def __init__(self, host: str, port: int, *, session: ClientSession | None = None,
                 timeout: float = DEFAULT_TIMEOUT, implicit_tls: bool = False,
                 ssl_context: ssl.SSLContext | None = None, cafile: str | None = None,
                 insecure: bool = False, servername: str | None = None,
                 tls_min: str | None = None, tls_max: str | None = None) -> None:
        self.host = host
        self.servername = servername or host  # SNI and the name the certificate must bear
        self.tls_min, self.tls_max = tls_min, tls_max
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
                                        server_hostname=self.servername if tls else None),
                self.timeout)
        except (TimeoutError, OSError) as error:  # ssl.SSLError is an OSError
            raise plan.connect_error(error, self.host, self.port, self.timeout,
                                     self.cafile) from error
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

            self.ssl_context = client_context(cafile=self.cafile, insecure=self.insecure,
                                              tls_min=self.tls_min, tls_max=self.tls_max)
        return self.ssl_context

    def _tls_info(self, *, implicit: bool = False) -> TlsStarted:
        assert self._writer is not None
        ssl_object = self._writer.get_extra_info("ssl_object")
        info = describe(ssl_object, self.verified, implicit=implicit,
                        servername=self.servername)
        return replace(info, cafile_ignored=bool(self.cafile and self.insecure))

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
        return await self._run(plan.transmit(self.session, outgoing, show, self._clock()))

    async def send_group(self, lines: list[str],
                         show: Show | None = None) -> list[ConnectionEvent]:
        """PIPELINING (RFC 2920): the commands in one write, then every reply in order."""
        return await self.transmit(plan.group(self.session, lines), show)

    def _timed_out(self) -> TransportError:
        return plan.timeout_error(self.session, self.timeout, self.port)

    async def read_replies(self, show: Show | None = None) -> list[ConnectionEvent]:
        """Read until every command in flight is answered (or the connection ends)."""
        return await self._run(plan.receive(self.session, show, self._clock()))

    async def read_unsolicited(self) -> list[Event]:
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

    async def start_tls(self) -> TlsStarted:
        """Upgrade in place after ``220`` to STARTTLS (RFC 3207)."""
        assert self._writer is not None and self._reader is not None
        injected = bool(self._drop_plaintext()) or self.session.discard_plaintext()
        try:
            await asyncio.wait_for(
                self._writer.start_tls(self._context(), server_hostname=self.servername), self.timeout)
        except TimeoutError as error:
            await self.close()
            raise TransportError("tls-handshake-failed", detail="timeout") from error
        except (ssl.SSLError, ConnectionError, OSError) as error:
            await self.close()
            raise handshake_error(error, after_starttls=True, cafile=self.cafile,
                                  host=self.servername) from error
        self.session.tls_established()
        info = self._tls_info()
        return replace(info, injected=True) if injected else info
