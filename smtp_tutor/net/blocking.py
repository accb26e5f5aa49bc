"""The connection plan (``net/plan.py``) on a plain blocking socket.

Scripted mode (stdin not a terminal) reads one line, sends it, waits for its reply:
nothing happens concurrently, so it needs no event loop.  Importing asyncio costs about
a third of a scripted session's whole run; this driver runs the same plan as the
asyncio one with ``socket`` and, only when TLS is asked for, ``ssl``.
"""

from __future__ import annotations

import socket
import time

from smtp_tutor.net import plan
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ClientSession, Outgoing

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

READ_SIZE = 65536
DEFAULT_TIMEOUT = 30.0


class BlockingConnection:
    """A TCP (optionally TLS) connection to one SMTP server, without asyncio."""

    def __init__(self, host: str, port: int, *, session: ClientSession | None = None,
                 timeout: float = DEFAULT_TIMEOUT, implicit_tls: bool = False,
                 cafile: str | None = None, insecure: bool = False,
                 servername: str | None = None, tls_min: str | None = None,
                 tls_max: str | None = None) -> None:
        self.host, self.port = host, port
        self.servername = servername or host  # SNI and the name the certificate must bear
        self.tls_min, self.tls_max = tls_min, tls_max
        self.session = session or ClientSession()
        self.timeout = timeout
        self.implicit_tls = implicit_tls
        self.cafile, self.insecure = cafile, insecure
        self.ssl_context: ssl.SSLContext | None = None
        self.closed = False
        self.tcp_connected = False
        self._socket: socket.socket | None = None

    # -- what faces call (the same names as SmtpConnection's) -----------------------

    def open(self, show: plan.Show | None = None, *, greeting: bool = True) -> list:
        """Connect (and handshake, for implicit TLS), then read the greeting (unless
        ``greeting`` is False: ``--quit-after connect``)."""
        try:
            # (typeshed wants a str host; getaddrinfo, which gets it, takes bytes too)
            self._socket = socket.create_connection(
                (_host_bytes(self.host), self.port), self.timeout)  # type: ignore[arg-type]
        except OSError as error:
            raise plan.connect_error(error, self.host, self.port, self.timeout,
                                     self.cafile) from error
        self.tcp_connected = True
        # each body line is its own small write: without this, Nagle's algorithm holds
        # the second one until the server's delayed ACK (40 ms a line); asyncio sets it too
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        events: list = []
        if self.implicit_tls:
            try:
                events.append(self._wrap(implicit=True))
            except OSError as error:
                self.close()
                raise plan.connect_error(error, self.host, self.port, self.timeout,
                                         self.cafile) from error
            self.session.implicit_tls()
        if show is not None:
            show(events)
            events = []
        if not greeting:
            return events
        try:
            return events + self._run(plan.receive(self.session, show, self._clock()))
        except TransportError as error:
            error.events = events + error.events
            raise

    def send(self, line: str, *, secret: bool | None = None,
             show: plan.Show | None = None) -> list:
        return self.transmit(self.session.send(line, secret=secret), show)

    def send_group(self, lines: list[str], show: plan.Show | None = None) -> list:
        """PIPELINING (RFC 2920): the commands in one write, then every reply in order."""
        return self.transmit(plan.group(self.session, lines), show)

    def transmit(self, outgoing: Outgoing, show: plan.Show | None = None) -> list:
        return self._run(plan.transmit(self.session, outgoing, show, self._clock()))

    def write(self, data: bytes) -> None:
        self._write(data)

    def close(self) -> None:
        self.closed = True
        if self._socket is not None:
            try:  # noqa: SIM105 - contextlib would cost 0.4 ms of a piped start
                self._socket.close()
            except OSError:
                pass

    # -- the driver -----------------------------------------------------------------

    def _clock(self) -> plan.Clock:
        return plan.Clock(self.timeout, time.monotonic)

    def _run(self, steps: plan.Plan) -> list:
        stepper = plan.Stepper(steps)
        while (request := stepper.next()) is not None:
            try:
                stepper.answer = self._carry_out(request)
            except TransportError as failure:
                stepper.error = failure
        return stepper.result

    def _carry_out(self, request: plan.Request) -> object:
        if isinstance(request, plan.Write):
            self._write(request.data)
            return None
        if isinstance(request, plan.Read):
            return self._read(request.seconds)
        if isinstance(request, plan.Listen):
            return self._listen(request.seconds)
        if isinstance(request, plan.StartTls):
            return self._start_tls()
        self.close()
        return None

    def _write(self, data: bytes) -> None:
        if self._socket is None or self.closed:
            raise TransportError("connection-closed")
        try:
            self._socket.settimeout(self.timeout)
            self._socket.sendall(data)
        except TimeoutError as failure:
            raise TransportError("write-timeout", seconds=f"{self.timeout:g}") from failure
        except OSError as failure:
            self.closed = True
            raise TransportError("server-closed") from failure

    def _read(self, seconds: float) -> bytes:
        assert self._socket is not None
        if seconds <= 0:
            raise plan.timeout_error(self.session, self.timeout, self.port)
        try:
            self._socket.settimeout(seconds)
            chunk = self._socket.recv(READ_SIZE)
        except TimeoutError as failure:
            raise plan.timeout_error(self.session, self.timeout, self.port) from failure
        except OSError as failure:
            self.closed = True
            raise TransportError("server-closed") from failure
        if not chunk:
            self.closed = True
        return chunk

    def _listen(self, seconds: float) -> bytes | None:
        """What arrives within ``seconds``; None when nothing did (not an error)."""
        assert self._socket is not None
        try:
            self._socket.settimeout(seconds)
            chunk = self._socket.recv(READ_SIZE)
        except TimeoutError:
            return None
        except OSError as failure:
            self.closed = True
            raise TransportError("server-closed") from failure
        if not chunk:
            self.closed = True
        return chunk

    def _start_tls(self):  # noqa: ANN202 - TlsStarted
        """Upgrade in place after 220 to STARTTLS; plaintext still unread is dropped
        (a blocking socket reads only what it is asked for: the session's parser may hold
        the rest, and it is checked there)."""
        import ssl

        from smtp_tutor.net.tls import handshake_error

        injected = self.session.discard_plaintext()
        try:
            info = self._wrap(implicit=False)
        except (ssl.SSLError, OSError) as failure:
            self.close()
            raise handshake_error(failure, after_starttls=True, cafile=self.cafile,
                                  host=self.servername) from failure
        self.session.tls_established()
        if injected:
            from smtp_tutor.record import replace

            info = replace(info, injected=True)
        return info

    def _wrap(self, *, implicit: bool):  # noqa: ANN202 - TlsStarted
        import ssl

        from smtp_tutor.net.tls import client_context, describe
        from smtp_tutor.record import replace

        if self.ssl_context is None:
            self.ssl_context = client_context(cafile=self.cafile, insecure=self.insecure,
                                              tls_min=self.tls_min, tls_max=self.tls_max)
        assert self._socket is not None
        self._socket.settimeout(self.timeout)
        self._socket = self.ssl_context.wrap_socket(self._socket,
                                                    server_hostname=self.servername)
        verified = self.ssl_context.verify_mode != ssl.CERT_NONE
        info = describe(self._socket, verified, implicit=implicit,
                        servername=self.servername)
        return replace(info, cafile_ignored=bool(self.cafile and self.insecure))


def _host_bytes(host: str) -> str | bytes:
    """``host`` as ``getaddrinfo`` would encode it, without the ``idna`` codec when the
    result is the same: an ASCII name whose labels are 1-63 characters (the last may be
    empty) is its ASCII bytes.  Any other name goes as it is, to the codec (and to its
    errors).  Loading the codec costs a piped session ~0.8 ms."""
    if not host.isascii():
        return host
    labels = host.split(".")
    if any(not 0 < len(label) < 64 for label in labels[:-1]) or len(labels[-1]) >= 64:
        return host
    return host.encode("ascii")
