"""A world lesson played live: the practice world in this process, one part per hop.

``WorldBackend`` starts the whole world (DNS, crepes.fr, hamburger.edu, POP3) on free
loopback ports in a temporary directory, so a lesson never touches the student's own
world or mailbox, and stops it at the end.  Each hop is one part:

- ``submission``: the student's SMTP to crepes.fr (STARTTLS, then AUTH), as in any lesson;
- ``relay``: crepes.fr's own client performs it; the part replays what the relay
  client really said and heard, taken from the world's watcher, one reply at a time;
- ``dns``: questions to the practice zone, answered by the zone server (dnspython);
- ``pop3``: the student's POP3 through the project's POP3 core, with STLS.

What the world publishes on the way (the queue entry, the MX answer, a retry, the
bounce, the delivery with its ``Received:`` lines: ``world/events.py``) comes along as
``WorldNote``s, each said when the lesson shows it, in the reader's language then. The
feed is a watcher of its own, beside the console: it keeps events, never text.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections import deque
from pathlib import Path

from smtp_tutor.lessons.hops import (
    DnsAnswered,
    DnsAsked,
    HopStarted,
    Pop3Received,
    Pop3Sent,
    TlsUp,
    WorldNote,
    parse_query,
    reply_status,
)
from smtp_tutor.lessons.model import DNS, IMAP, POP3, RELAY, Hop, Lesson
from smtp_tutor.lessons.stream_part import StreamPart
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ClientSession, ReplyReceived, State
from smtp_tutor.world.events import (
    AddressFound,
    Fetched,
    RelayConnecting,
    RelaySaid,
    Routed,
    WorldEvent,
    WorldWatcher,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.lessons.backends import DnsSession
    from smtp_tutor.lessons.imap_part import ImapPart
    from smtp_tutor.protocol.imap.client import ImapClient
    from smtp_tutor.protocol.pop3 import Pop3Session
    from smtp_tutor.world.runner import World

CONNECT = object()  # the relay client opens a connection: a relay hop starts here
LOCALHOST = "127.0.0.1"


class WorldFeed(WorldWatcher):
    """What the world publishes, queued for the lesson's hops in order: the relay's own
    protocol events one by one (the relay hop replays them), every other event as a
    ``WorldNote``; a relay connection is a ``CONNECT`` mark."""

    def __init__(self) -> None:
        self.items: deque = deque()
        self.arrived = asyncio.Event()
        self.held: list = []  # the relay's DNS answers, kept for the relay hop

    def publish(self, event: WorldEvent) -> None:
        if isinstance(event, RelayConnecting):
            self.put(CONNECT)
        elif isinstance(event, RelaySaid):
            for item in event.events:
                self.put(item)
        elif isinstance(event, Fetched):
            pass  # the POP3 or IMAP hop shows its own RETR or FETCH: a note would repeat it
        elif isinstance(event, (Routed, AddressFound)):
            # the relay's DNS answers would give away the DNS hop's questions: they wait
            # for the relay hop (``release``), whenever the relay asked them
            self.held.append(WorldNote(event))
        else:
            self.put(WorldNote(event))

    def put(self, item: object) -> None:
        self.items.append(item)
        self.arrived.set()

    def release(self) -> list:
        held, self.held = self.held, []
        return held

    def drain(self) -> list:
        """The notes waiting now, up to the next relay connection."""
        out = []
        while self.items and self.items[0] is not CONNECT:
            out.append(self.items.popleft())
        return out

    async def take(self, timeout: float) -> object:
        while not self.items:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), timeout)
            except TimeoutError:
                raise TransportError("reply-timeout", seconds=f"{timeout:g}") from None
        return self.items.popleft()

    async def until_reply(self, timeout: float, *, connect: bool = False) -> list:
        """Everything up to the relay's next reply (after its next connection: ``connect``)."""
        out: list = []
        while True:
            item = await self.take(timeout)
            if item is CONNECT:
                connect = False
                continue
            out.append(item)
            if not connect and reply_status(item) is not None:
                return out


class WorldBackend:
    """The backend a world lesson plays against, live."""

    def __init__(self, lesson: Lesson, lang: str, *, timeout: float = 30.0) -> None:
        self.lesson = lesson
        self.lang = lang
        self.timeout = timeout
        self.host, self.port = "crepes.fr", 0
        self.session: ClientSession | Pop3Session | ImapClient | DnsSession = ClientSession()
        self.world: World | None = None
        self.feed: WorldFeed | None = None
        self.part: SubmissionPart | RelayPart | DnsPart | Pop3Part | ImapPart | None = None
        self._directory: str | None = None

    async def open(self) -> list:
        from smtp_tutor.server.policy import TeachingFaults
        from smtp_tutor.world.retry import RetrySchedule
        from smtp_tutor.world.runner import WorldConfig, start_world

        options = self.lesson.server
        schedule = RetrySchedule(speedup=float(options.get("speedup") or 600))
        self.feed = WorldFeed()
        self._directory = tempfile.mkdtemp(prefix="smtp-tutor-world-")
        config = WorldConfig(directory=Path(self._directory), dns_port=0, submission_port=0,
                             mx_port=0, fallback_port=0, pop3_port=0, pop3_crepes_port=0,
                             imap_port=0,
                             watcher=self.feed,
                             schedule=schedule, timeout=self.timeout,
                             mx_faults=TeachingFaults(
                                 greylist_seconds=float(options.get("greylist") or 0)))
        self._on_signals()
        self.world = await start_world(config)
        self.port = self.world.submission.port
        return []

    def _on_signals(self) -> None:
        """A terminal closed or a ``kill``: the temporary world goes at once, then the
        lesson stops as after Ctrl-C."""
        import os

        from smtp_tutor.terminal import on_hangup

        directory = self._directory

        def remove() -> None:
            if directory is not None and os.path.isdir(directory):
                shutil.rmtree(directory, ignore_errors=True)

        on_hangup(remove)

    async def enter(self, hop: Hop) -> list:
        """Close the hop before; open this one (a relay hop waits for the relay client)."""
        if self.part is not None:
            await self.part.close()
        assert self.world is not None and self.feed is not None
        if hop.kind == RELAY:
            self.part = RelayPart(self.feed, self.timeout)
        elif hop.kind == DNS:
            self.part = DnsPart(self.world.dns.port, self.feed)
        elif hop.kind == POP3:
            await self._settled()
            # each provider reads its own users' mail: Alice's is at crepes.fr
            crepes = "crepes.fr" in hop.target
            server = self.world.pop3_crepes if crepes else self.world.pop3
            assert server is not None  # the lesson's world runs both POP3 servers
            self.part = Pop3Part(server.port, str(self.world.ca_path), self.timeout,
                                 self.lang)
            self.part.server_name = server.name
        elif hop.kind == IMAP:
            from smtp_tutor.lessons.imap_part import ImapPart

            await self._settled()
            imap = self.world.imap
            assert imap is not None  # the lesson's world runs the IMAP server
            part = ImapPart(imap.port, str(self.world.ca_path), self.timeout, self.lang)
            part.server_name = imap.name
            self.part = part
        else:
            self.part = SubmissionPart(self.world.submission.port, str(self.world.ca_path),
                                       self.timeout, self.feed)
        self.session = self.part.session
        # the relay's own DNS notes wait for the relay hop: a DNS hop asks them itself
        events = [HopStarted(hop), *([] if hop.kind == DNS else self.feed.drain())]
        if hop.kind == RELAY:
            events[1:1] = self.feed.release()
        return events + await self.part.open()

    async def _settled(self) -> None:
        """Before Bob (or Alice) fetches: the queue has delivered or bounced everything."""
        deadline = time.monotonic() + self.timeout
        assert self.world is not None  # opened
        while self.world.manager.entries and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def send(self, line: str) -> list:
        assert self.part is not None
        return await self.part.send(line)

    async def close(self) -> None:
        if self.part is not None:
            await self.part.close()
        if self.world is not None:
            await self.world.stop()
            self.world = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None


class SubmissionPart:
    """Alice's user agent → crepes.fr: the student's own SMTP, with the world's notes."""

    def __init__(self, port: int, cafile: str, timeout: float, feed: WorldFeed) -> None:
        from smtp_tutor.net.connection import SmtpConnection

        self.connection = SmtpConnection(LOCALHOST, port, timeout=timeout, cafile=cafile)
        self.session = self.connection.session
        self.feed = feed

    async def open(self) -> list:
        return await self.connection.open()

    async def send(self, line: str) -> list:
        events = await self.connection.send(line)
        await asyncio.sleep(0)  # let the world say what this line set off (queue, DNS)
        return events + self.feed.drain()

    async def close(self) -> None:
        await self.connection.close()


class RelayPart:
    """crepes.fr → the MX, as crepes.fr's relay client really performed it.

    A shadow ``ClientSession`` follows the lesson's lines so the hop has a state (DATA,
    TLS) like any other; the events shown are the relay's own."""

    def __init__(self, feed: WorldFeed, timeout: float) -> None:
        self.feed = feed
        self.timeout = timeout
        self.session = ClientSession()

    async def open(self) -> list:
        return self._follow(await self.feed.until_reply(self.timeout, connect=True))

    async def send(self, line: str) -> list:
        if self.session.state is State.TLS:
            self.session.tls_established()
        self.session.send(line)
        if not self.session.awaiting_reply:
            return []  # a body line: the relay's lines come with its final dot
        return self._follow(await self.feed.until_reply(self.timeout))

    def _follow(self, events: list) -> list:
        for event in events:
            if isinstance(event, ReplyReceived) and self.session.awaiting_reply:
                wire = "".join(f"{line}\r\n" for line in event.reply.wire_lines())
                self.session.receive(wire.encode("utf-8", "replace"))
        return events

    async def close(self) -> None:
        self.session.state = State.CLOSED


class DnsPart:
    """Questions to the practice zone on loopback (never the system resolver)."""

    def __init__(self, port: int, feed: WorldFeed) -> None:
        from smtp_tutor.lessons.backends import DnsSession

        self.port = port
        self.feed = feed
        self.session = DnsSession()

    async def open(self) -> list:
        return []

    async def send(self, line: str) -> list:
        import dns.asyncquery
        import dns.message
        import dns.rcode

        query = parse_query(line)
        if query is None:
            return [DnsAsked(line), DnsAnswered(line, ("FORMERR",))]
        rdtype, name = query
        question = dns.message.make_query(name + ".", rdtype)
        try:
            response = await dns.asyncquery.udp(question, LOCALHOST, port=self.port, timeout=5)
        except (TimeoutError, OSError, dns.exception.DNSException):
            raise TransportError("reply-timeout", seconds="5") from None
        lines = tuple(sorted(text for rrset in response.answer  # sorted: a stable screen
                             for text in rrset.to_text().splitlines()))
        return [DnsAsked(line), DnsAnswered(line, lines or (dns.rcode.to_text(response.rcode()),))]

    async def close(self) -> None:
        pass


class Pop3Part(StreamPart):
    """Bob's (or Alice's) mail program: POP3 through the sans-I/O core, STLS on the way."""

    session: Pop3Session

    def __init__(self, port: int, cafile: str, timeout: float, lang: str) -> None:
        from smtp_tutor.protocol.pop3 import Pop3Session

        super().__init__(port, cafile, timeout, lang)
        self.session = Pop3Session()

    async def send(self, line: str) -> list:
        wire, command = self.session.send(line)
        return [Pop3Sent(command), *await self._send(wire)]

    def _take(self, item: object) -> None:
        from smtp_tutor.protocol.pop3 import Pop3Reply

        assert isinstance(item, Pop3Reply)  # the core's items that are not failures
        self.events.append(Pop3Received(item))

    def _upgraded(self) -> None:  # RFC 2595 §4: nothing in clear is read as a reply
        self.events.append(TlsUp("pop3"))

    def _ending(self) -> bool:
        pending = self.session.pending
        return self.session.state == "closed" or bool(pending and pending[0].verb == "QUIT")
