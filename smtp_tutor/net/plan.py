"""What a connection does, written once, for every protocol and every driver.

The dialogue itself lives in a sans-I/O core: SMTP's ``ClientSession``, POP3's
``Pop3Session``, IMAP's ``ImapClient`` (each has what ``Core`` below names).  What is left
for a connection (write what the core formats, or raw bytes; read until the core says
the reply is complete, within a deadline per reply; start TLS after the server's
go-ahead to STARTTLS/STLS, the plaintext it sent after it dropped; hand events to the
face as they come, and on a failure attach what came before it) is written here as
generators that *yield I/O requests*.  ``net/connection.py`` runs them with asyncio (the
SMTP shell, lessons, demo; its ``StreamDriver`` also runs the POP3 and IMAP shells and
the grader's probe); ``net/blocking.py`` runs them on a plain socket (scripted mode, which
then needs no asyncio at all: a third of its start-up).  One copy of the logic, thin
drivers.

A driver answers ``Write`` with None, ``Read`` with the bytes read (b"" at the end of
the stream) and ``StartTls`` with the ``TlsStarted`` summary; it raises a
``TransportError`` *into* the plan (``generator.throw``) when the I/O fails, so the plan
can attach the events already seen.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ClientSession, Outgoing, State

Show = Callable[[list], None]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Core(Protocol):
        """What the plan asks of a protocol's sans-I/O core."""

        @property
        def reply_due(self) -> bool:
            """Read on: a reply is due and nothing needs the client first."""

        @property
        def start_tls(self) -> bool:
            """The server agreed to TLS: the transport must upgrade now."""

        @property
        def closed(self) -> bool:
            """The dialogue is over (QUIT, LOGOUT answered)."""

        @property
        def reply_incomplete(self) -> bool: ...

        @property
        def partial_reply(self) -> str: ...

        def receive(self, chunk: bytes) -> list: ...

        def answered(self, events: list) -> bool:
            """A whole reply is among ``events`` (the per-reply deadline starts again)."""

        def failed(self, events: list) -> bool:
            """An unreadable reply is among ``events``: the connection is closed."""


# The requests are plain classes, not dataclasses: they are built once per I/O step and a
# dataclass costs a scripted session's start-up ~0.3 ms each to define.
class Write:
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class Read:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds  # what is left of this reply's time


class Listen:
    """Read if something comes within ``seconds``; answered None when nothing did."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class StartTls:
    __slots__ = ()


class Close:
    __slots__ = ()


Request = Write | Read | Listen | StartTls | Close
EARLY_REPLY = 2.0  # how long an unadvertised BDAT waits for a refusal before its octets
Plan = Generator[Request, object, list]


class Stepper:
    """Walks a plan for a driver: ``next()`` gives the request to carry out (None once the
    plan is done, its events in ``result``); the driver sets ``answer`` or ``error``."""

    def __init__(self, steps: Plan) -> None:
        self.steps = steps
        self.answer: object = None
        self.error: TransportError | None = None
        self.result: list = []

    def next(self) -> Request | None:
        try:
            error, answer = self.error, self.answer
            request = self.steps.throw(error) if error is not None else self.steps.send(answer)
        except StopIteration as done:
            self.result = done.value or []
            return None
        self.answer, self.error = None, None
        return request


class Sink:
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


class Clock:
    """The per-reply deadline: ``timeout`` seconds for each whole reply."""

    def __init__(self, timeout: float, now: Callable[[], float]) -> None:
        self.timeout = timeout
        self.now = now
        self.deadline = now() + timeout

    def restart(self) -> None:
        self.deadline = self.now() + self.timeout

    def left(self) -> float:
        return max(0.0, self.deadline - self.now())


def group(session: ClientSession, lines: list[str]) -> Outgoing:
    """PIPELINING (RFC 2920): the commands formatted for one write.

    Every line is checked before any is queued (a refused one raises ``CommandRefused``
    with nothing sent), so the session never awaits a reply to a command that did not
    leave."""
    from smtp_tutor.protocol.commands import encode_line

    for line in lines:
        encode_line(line.strip(" "), smtputf8=True)
    session.begin_group()
    try:
        outgoing = [session.send_command(line) for line in lines]
    finally:
        session.end_group()
    return Outgoing(b"".join(o.wire for o in outgoing), [e for o in outgoing for e in o.events])


def transmit(session: ClientSession, outgoing: Outgoing, show: Show | None,
             clock: Clock) -> Plan:
    """Write prepared bytes; if a reply is now awaited, read until it is answered."""
    sink = Sink(show)
    sink(list(outgoing.events))
    try:
        yield Write(outgoing.wire)
        if session.chunk_unconfirmed:  # I1: a server without CHUNKING answers at once
            early = yield Listen(min(EARLY_REPLY, clock.timeout))
            if early == b"":
                raise TransportError("server-closed")
            if early:
                assert isinstance(early, bytes)  # what the driver answers a Listen
                sink(list(session.receive(early)))
        if session.reply_due:
            clock.restart()
            yield from read_replies(session, sink, clock)
    except TransportError as error:
        error.events = sink.collected + error.events
        raise
    return sink.collected


def receive(session: Core, show: Show | None, clock: Clock) -> Plan:
    """Read until every command in flight is answered (the greeting, a late reply)."""
    sink = Sink(show)
    clock.restart()
    return (yield from carrying(sink, read_replies(session, sink, clock)))


def carrying(sink: Sink, steps: Steps) -> Plan:
    """``steps``, and on a failure the events that came before it on the error."""
    try:
        yield from steps
    except TransportError as error:
        error.events = sink.collected + error.events
        raise
    return sink.collected


def write(wire: bytes) -> Plan:
    """Only write (the grader's probe writes raw bytes, then reads when it chooses)."""
    yield Write(wire)
    return []


def reply(session: Core, show: Show | None, clock: Clock) -> Plan:
    """Read until one whole reply has come (``read_reply``)."""
    sink = Sink(show)
    return (yield from carrying(sink, read_reply(session, sink, clock)))


def send(session: Core, wire: bytes, show: Show | None, clock: Clock) -> Plan:
    """Any protocol: write ``wire`` (formatted by the core, or raw), then read while the
    core says a reply is due."""
    sink = Sink(show)

    def steps() -> Steps:
        yield Write(wire)
        if session.reply_due:
            clock.restart()
            yield from read_replies(session, sink, clock)

    return (yield from carrying(sink, steps()))


Steps = Generator[Request, object, None]


def read_replies(session: Core, sink: Sink, clock: Clock) -> Steps:
    """Read until the core says no reply is due; upgrade when it says so."""
    while session.reply_due:
        if (yield from read_some(session, sink, clock)) is FAILED:
            return
    if session.closed:
        yield Close()


def read_reply(session: Core, sink: Sink, clock: Clock) -> Steps:
    """Read until one whole reply has come, whatever else is in flight (the grader's
    probe reads one reply at a time, even to commands it wrote raw)."""
    clock.restart()
    while (yield from read_some(session, sink, clock)) is None:
        pass


FAILED, REPLIED = "failed", "replied"


def read_some(session: Core, sink: Sink,
              clock: Clock) -> Generator[Request, object, str | None]:
    """One read, its events handed on: FAILED (an unreadable reply: closed), REPLIED (a
    whole reply came) or None."""
    chunk = yield Read(clock.left())
    if not chunk:
        if session.reply_incomplete:
            raise TransportError("closed-mid-reply", partial=session.partial_reply)
        raise TransportError("server-closed")
    assert isinstance(chunk, bytes)  # what a driver answers a Read
    new = session.receive(chunk)
    replied = session.answered(new)
    if replied:
        clock.restart()
    sink(list(new))
    if session.failed(new):
        yield Close()
        return FAILED
    if session.start_tls:
        info = yield StartTls()
        if info is not None:
            sink([info])
    return REPLIED if replied else None


def timeout_error(session: ClientSession, seconds: float, port: int) -> TransportError:
    """Said when a reply does not come whole in time: what came, if anything."""
    if session.reply_incomplete:
        return TransportError("reply-timeout-partial", seconds=f"{seconds:g}",
                              partial=session.partial_reply)
    key = "greeting-timeout" if session.state is State.GREETING else "reply-timeout"
    return TransportError(key, seconds=f"{seconds:g}", port=str(port))


def connect_error(error: BaseException, host: str, port: int, seconds: float,
                  cafile: str | None) -> TransportError:
    """The message for a connection that could not be made, whichever driver tried."""
    import socket
    import ssl

    from smtp_tutor.net.tls import handshake_error

    if isinstance(error, TimeoutError):
        return TransportError("connect-timeout", host=host, port=str(port),
                              seconds=f"{seconds:g}")
    if isinstance(error, ConnectionRefusedError):
        return TransportError("connection-refused", host=host, port=str(port))
    if isinstance(error, socket.gaierror):
        return TransportError("unknown-host", host=host)
    if isinstance(error, ssl.SSLError):
        return handshake_error(error, cafile=cafile, host=host)
    detail = getattr(error, "strerror", None) or str(error)
    return TransportError("network-error", detail=detail)
