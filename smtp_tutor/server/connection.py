"""One connection to a practice server: a thin asyncio driver over the dialogue core.

``protocol/server.py`` decides every reply it can from the dialogue table; this module
only moves bytes, asks the handler (``handler.py``: who receives mail, where it goes)
when the core asks, checks passwords, starts TLS, and applies what is about time: the
limits (connections, an idle client), the teaching faults that act on every reply
(slow, dropped, split replies), and the watchers that see both sides of every line
(live console, lint report, the grader's recorder).

Flow control keeps memory bounded whatever a client does: reading stops while the
core holds more than ``READ_LIMIT`` octets it has not read, and while the client does
not read its replies (``pause_writing``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import count

from smtp_tutor.protocol.client_lint import ClientLint
from smtp_tutor.protocol.commands import GREETING
from smtp_tutor.protocol.events import Note
from smtp_tutor.protocol.server import (
    NEED_DATA,
    Ask,
    Overlong,
    Seen,
    Send,
    ServerDialogue,
    Settings,
    StartTls,
)
from smtp_tutor.protocol.transcript import COMMAND, UNFINISHED
from smtp_tutor.server.policy import Gate, Limits, TeachingFaults
from smtp_tutor.server.watch import Peer, Watcher
from smtp_tutor.server.wording import finished, reply

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

    from smtp_tutor.server.handler import PracticeHandler

READ_LIMIT = 256 * 1024  # octets received and not yet read before reading pauses
FAIR_SHARE = 32  # events one connection handles before the others get a turn
BARE = frozenset({GREETING, "HELO", "EHLO"})  # no enhanced code when they succeed


@dataclass
class PracticeContext:
    """What every connection of one server shares."""

    domain: str
    limits: Limits = field(default_factory=Limits)
    faults: TeachingFaults = field(default_factory=TeachingFaults)
    watchers: list[Watcher] = field(default_factory=list)
    numbers: count = field(default_factory=lambda: count(1))
    settings: Settings = field(default_factory=Settings)
    users: dict[str, str] = field(default_factory=dict)
    tls: ssl.SSLContext | None = None  # this server's own
    # another judge of passwords (a class's hashed accounts): (user, secret, peer) → ok;
    # PLAIN and LOGIN only, since CRAM-MD5 needs the password itself
    verify: Callable[[str, str, Peer], Awaitable[bool]] | None = None

    def __post_init__(self) -> None:
        self.gate = Gate(self.limits, self.domain)
        self.open: set[PracticeConnection] = set()  # connected now: closed at stop()

    async def close_all(self) -> None:
        """The server stops: every open connection ends, and its task with it."""
        tasks = [task for connection in list(self.open)
                 if (task := connection.abort()) is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=5)


class PracticeConnection(asyncio.Protocol):
    """One client, from connect to close."""

    def __init__(self, handler: PracticeHandler, context: PracticeContext) -> None:
        self.handler = handler
        self.context = context
        self.transport: asyncio.Transport | None = None
        self.peer = Peer(0, "", 0)
        self.watched = bool(context.watchers)  # without watchers, no lint and no console
        self.lint = ClientLint() if self.watched else None
        self.dialogue: ServerDialogue | None = None
        self._wake = asyncio.Event()
        self._can_write = asyncio.Event()
        self._can_write.set()
        self._out: list[bytes] = []
        self._gone = False  # the connection is closed or being closed
        self._admitted = False
        self._paused = False
        self._eof = False  # the client half-closed: answer what it sent, then close
        self._tls = False
        self._task: asyncio.Task | None = None
        self._last_heard = 0.0
        self._idle: asyncio.TimerHandle | None = None

    # -- what the handler sees (aiosmtpd's names, which the handlers were written for)

    @property
    def session(self):  # noqa: ANN201 - the core's Session
        assert self.dialogue is not None
        return self.dialogue.session

    @property
    def envelope(self):  # noqa: ANN201 - the core's Envelope
        assert self.dialogue is not None
        return self.dialogue.envelope

    # -- asyncio.Protocol -----------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        address = transport.get_extra_info("peername") or ("?", 0)
        local = transport.get_extra_info("sockname") or ("", 0)
        context = self.context
        self.peer = Peer(next(context.numbers), str(address[0]), int(address[1]),
                         f"{local[0]}:{local[1]}" if local[0] else "")
        self.dialogue = ServerDialogue(reply, context.settings,
                                       peer=(self.peer.host, self.peer.port))
        refusal = context.gate.admit(self.peer.host)
        self._admitted = True
        context.open.add(self)
        self._tell("opened", self.peer)
        self._task = asyncio.get_running_loop().create_task(self._run(refusal))
        self._heard()

    def data_received(self, data: bytes) -> None:
        if self._gone or self.dialogue is None:
            return
        self.dialogue.receive(data)
        if self.dialogue.taking_chunk:  # BDAT octets: no line ends to count progress by
            self._last_heard = time.monotonic()
        if self.dialogue.buffered > READ_LIMIT and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        self._wake.set()

    def eof_received(self) -> bool:
        """A half-close (``shutdown(SHUT_WR)``, ``nc -N``): every command read before it
        is still answered, then the connection closes."""
        self._eof = True
        self._wake.set()
        return not self._tls  # keep the writing half open (TLS cannot: it closes)

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    def abort(self) -> asyncio.Task | None:
        """End the connection now (the server stops); its task, to wait for."""
        self._gone = True
        if self.transport is not None:
            self.transport.abort()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            return self._task
        return None

    def connection_lost(self, error: Exception | None) -> None:
        self.context.open.discard(self)
        self._gone = True
        self._wake.set()
        self._can_write.set()
        if self._idle is not None:
            self._idle.cancel()
        if self._admitted:
            self._admitted = False
            dialogue = self.dialogue
            if dialogue is not None and dialogue.buffered and not dialogue.in_auth:
                self._tell("client_line", self.peer, dialogue.unfinished(), UNFINISHED)
            self.context.gate.release(self.peer.host)
            self._tell("closed", self.peer)
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # -- the dialogue ---------------------------------------------------------

    async def _run(self, refusal: str) -> None:
        dialogue = self.dialogue
        assert dialogue is not None
        faults = self.context.faults
        try:
            if refusal:
                await self._send(dialogue.greet(refusal))
                return
            if faults.refuse_greeting:
                await self._send(dialogue.greet(faults.refuse_greeting,
                                                listen=faults.refuse_linger > 0))
                if faults.refuse_linger:
                    asyncio.get_running_loop().call_later(faults.refuse_linger, self._cut)
                    await self._watch_only()
                return
            if faults.greeting_seconds:
                await asyncio.sleep(faults.greeting_seconds)
            await self._send(dialogue.greet())
            handled = 0
            while not self._gone:
                event = dialogue.next_event()
                handled += 1
                if handled % FAIR_SHARE == 0:  # a pipelined burst: let the others in
                    self._flush()
                    await asyncio.sleep(0)
                if event is NEED_DATA:
                    if dialogue.closed or self._eof:
                        break
                    await self._wait_for_data()
                elif isinstance(event, Seen):
                    self._last_heard = time.monotonic()
                    self._seen(event)
                elif isinstance(event, Send):
                    await self._send(event)
                    if event.close:
                        break
                    if not self._can_write.is_set():  # the client does not read: wait
                        self._flush()
                        await self._can_write.wait()
                elif isinstance(event, Ask):
                    self._flush()
                    dialogue.answer(await self._decide(event))
                elif isinstance(event, StartTls):
                    await self._start_tls()
                elif isinstance(event, Overlong):
                    self._overlong(event)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._flush()
            self._cut()

    async def _watch_only(self) -> None:
        """Refused at the greeting: what the client still sends is watched, never answered."""
        dialogue = self.dialogue
        assert dialogue is not None
        while not self._gone:
            event = dialogue.next_event()
            if isinstance(event, Seen):
                self._seen(event)
            else:
                await self._wait_for_data()

    async def _wait_for_data(self) -> None:
        """Until more bytes came (or the client half-closed or left). Cleared before any
        wait: bytes that arrive while the client's replies wait to be written must still
        wake the reader (cleared after, they were lost, with reading paused: a stall)."""
        self._flush()
        self._wake.clear()
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        if not self._can_write.is_set():
            await self._can_write.wait()
        if self._eof or self.transport is None or self.transport.is_closing():
            self._gone = True  # the client half-closed (all it sent is read) or left
            return
        await self._wake.wait()

    async def _decide(self, ask: Ask) -> str | list[str]:
        """The handler's (or the accounts') answer to what the core cannot decide."""
        handler, session, envelope = self.handler, self.session, self.envelope
        verb = ask.verb
        if verb == "HELO":
            return await handler.handle_HELO(self, session, envelope, ask.argument)
        if verb == "EHLO":
            dialogue = self.dialogue
            assert dialogue is not None
            return await handler.handle_EHLO(self, session, envelope, ask.argument,
                                             dialogue.ehlo_lines())
        if verb == "MAIL":
            return await handler.handle_MAIL(self, session, envelope, ask.argument,
                                             list(ask.parameters))
        if verb == "RCPT":
            return await handler.handle_RCPT(self, session, envelope, ask.argument,
                                             list(ask.parameters))
        if verb == "VRFY":
            return await handler.handle_VRFY(self, session, envelope, ask.argument)
        if verb == "MESSAGE":
            return await handler.handle_DATA(self, session, envelope)
        verify = self.context.verify
        if verify is not None:
            ok = ask.mechanism != "CRAM-MD5" and await verify(ask.user, ask.secret, self.peer)
        else:
            ok = credentials_ok(self.context.users, ask)
        return reply("auth-ok" if ok else "auth-failed")

    async def _start_tls(self) -> None:
        self._flush()
        loop = asyncio.get_running_loop()
        transport = self.transport
        assert transport is not None and self.dialogue is not None
        assert self.context.tls is not None  # start_server always gives one
        try:
            self.transport = await loop.start_tls(transport, self, self.context.tls,
                                                  server_side=True)
        except (TimeoutError, OSError, ConnectionError, ValueError):
            self._gone = True
            transport.close()
            return
        self._tls = True
        self.dialogue.tls_started()
        self._tell("tls", self.peer)

    # -- writing --------------------------------------------------------------

    async def _send(self, send: Send) -> None:
        """One reply: its lines through the faults and the watchers, then the wire."""
        faults = self.context.faults
        if self._gone:
            return
        if faults.slow_seconds:
            await asyncio.sleep(faults.slow_seconds)
        if faults.drop_rate and faults.roll(faults.drop_rate):
            self._tell("server_line", self.peer, "(connection dropped: --drop-rate)")
            self._cut()
            return
        bare = send.answering in BARE
        pieces = faults.split_seconds or faults.line_seconds
        for index, line in enumerate(send.lines):
            text = finished(line, bare=bare)
            data = text.encode("utf-8", "replace") + b"\r\n"
            if pieces:
                await self._write_in_pieces(data, continuation=index > 0)
            else:
                self._out.append(data)
            if self.watched:
                self._tell("server_line", self.peer, text)
        if self.lint is not None and self.dialogue is not None:
            # judged when the reply's last line leaves: a client that spoke during a
            # paused multi-line reply had not waited for it
            self._found(self.lint.observe(send, offered=self.dialogue.session.extensions,
                                          client_spoke_first=self.dialogue.buffered > 0))
        if send.close:
            self._flush()

    async def _write_in_pieces(self, data: bytes, *, continuation: bool) -> None:
        """`grade`'s scenarios: a reply line written in two pieces, or a multi-line reply
        with pauses between its lines; a client that speaks during a pause acted on part
        of a reply (the single-``recv`` bug), which the lint reports."""
        faults = self.context.faults
        self._flush()
        if continuation and faults.line_seconds:
            await self._pause(faults.line_seconds)
        if faults.split_seconds:
            self._write(data[:2])
            await self._pause(faults.split_seconds)
            data = data[2:]
        self._write(data)

    async def _pause(self, seconds: float) -> None:
        dialogue = self.dialogue
        before = dialogue.buffered if dialogue is not None else 0
        await asyncio.sleep(seconds)
        if dialogue is not None and self.lint is not None and dialogue.buffered > before:
            self._found(self.lint.partial_reply())

    def _flush(self) -> None:
        if self._out:
            data = b"".join(self._out)
            self._out.clear()
            self._write(data)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _cut(self) -> None:
        """Close: what was written leaves first (for ``Limits.close_grace`` seconds: a
        client that never reads would hold its connection slot for ever); what the
        client sent is dropped."""
        self._gone = True
        self._flush()
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        transport.close()
        if transport.get_write_buffer_size():
            asyncio.get_running_loop().call_later(self.context.limits.close_grace,
                                                  transport.abort)

    # -- idle clients (RFC 5321 §4.5.3.2.7) -------------------------------------

    def _heard(self) -> None:
        self._last_heard = time.monotonic()
        timeout = self.context.limits.idle_timeout
        if timeout and timeout > 0:
            self._idle = asyncio.get_running_loop().call_later(timeout, self._check_idle)

    def _check_idle(self) -> None:
        timeout = self.context.limits.idle_timeout
        left = self._last_heard + timeout - time.monotonic()
        if self._gone or self.dialogue is None:
            return
        if left > 0.01:
            self._idle = asyncio.get_running_loop().call_later(left, self._check_idle)
            return
        send = self.dialogue.timed_out()
        text = finished(send.lines[0])
        self._flush()
        self._write(text.encode() + b"\r\n")
        self._tell("server_line", self.peer, text)
        self._cut()

    # -- watchers -------------------------------------------------------------

    def _seen(self, event: Seen) -> None:
        if self.lint is None:
            return
        self._tell("client_line", self.peer, event.line, event.kind)
        self._found(self.lint.observe(event))

    def _overlong(self, event: Overlong) -> None:
        if self.lint is None:
            return
        if not event.in_data:  # the console shows the line the 500 answers, not its text
            shown = f"(a command line of more than {event.octets} octets)\r\n".encode()
            self._tell("client_line", self.peer, shown, COMMAND)
        self._found(self.lint.observe(event))

    def _found(self, notes: list[Note]) -> None:
        if notes:
            self._tell("findings", self.peer, notes)

    def _tell(self, event: str, *args: object) -> None:
        for watcher in self.context.watchers:
            getattr(watcher, event)(*args)


def credentials_ok(users: dict[str, str], ask: Ask) -> bool:
    """A practice account's password, checked the way the mechanism proves it."""
    password = users.get(ask.user.partition("@")[0].lower(), "")
    if not password:
        return False
    if ask.mechanism == "CRAM-MD5":
        expected = hmac.new(password.encode("utf-8"), ask.challenge, hashlib.md5).hexdigest()
        return hmac.compare_digest(expected, ask.secret)
    return hmac.compare_digest(password.encode("utf-8"), ask.secret.encode("utf-8"))

