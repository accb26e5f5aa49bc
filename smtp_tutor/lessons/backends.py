"""Where a lesson's client lines go: a live server, or the replies recorded in the lesson.

Both answer with the same events the protocol core produces, so the player, the
renderers and the demo never know which one they are driving.  A world lesson moves
from hop to hop (``enter``): offline, each hop replays its recorded replies through its
own core (SMTP, POP3, or the DNS answers as written); live, see ``world_backend``.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtp_tutor.lessons.dialogue import reply_bytes
from smtp_tutor.lessons.hops import (
    DnsAnswered,
    DnsAsked,
    HopStarted,
    ImapReceived,
    ImapSent,
    Pop3Received,
    Pop3Sent,
)
from smtp_tutor.lessons.model import DNS, IMAP, POP3, SERVER, Hop, Lesson, Step
from smtp_tutor.protocol import ClientSession, State

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.protocol.imap.client import ImapClient
    from smtp_tutor.protocol.pop3 import Pop3Session


@dataclass(frozen=True)
class Message:
    """A knowledge-base message to show between events (e.g. the offline TLS handshake)."""

    key: str
    level: str = "info"


class DnsSession:
    """The DNS hop's "session": one question, one answer, no state worth a name."""

    state = "dns"
    awaiting_reply = False


class OfflineBackend:
    """No server: each reply is the one the lesson recorded (``--offline``)."""

    def __init__(self, lesson: Lesson) -> None:
        self.session: ClientSession | Pop3Session | ImapClient | DnsSession = ClientSession()
        self._replies: list[Step] = [s for s in lesson.steps if s.kind == SERVER]
        self.host, self.port = lesson.persona, 0
        self._world = lesson.world
        self._kind = ""
        self._asked = ""

    async def open(self) -> list:
        return [] if self._world else self._answer()  # a world lesson's first hop greets

    async def enter(self, hop: Hop) -> list:
        """A new hop: a new session in its protocol, and its greeting."""
        self._kind = hop.kind
        self.session = (DnsSession() if hop.kind == DNS else self._pop3() if hop.kind == POP3
                        else self._imap() if hop.kind == IMAP else ClientSession())
        return [HopStarted(hop)] + ([] if hop.kind == DNS else self._answer())

    @staticmethod
    def _pop3():  # noqa: ANN205
        from smtp_tutor.protocol.pop3 import Pop3Session

        return Pop3Session()

    @staticmethod
    def _imap():  # noqa: ANN205
        from smtp_tutor.protocol.imap.client import ImapClient

        return ImapClient()

    async def send(self, line: str) -> list:
        if self._kind == IMAP:
            return self._send_imap(line)
        if self._kind == DNS:
            self._asked = line
            return [DnsAsked(line)] + self._answer()
        if self._kind == POP3:
            return self._send_pop3(line)
        events: list = []
        session = self.session
        assert isinstance(session, ClientSession)  # neither a DNS nor a POP3 hop
        if session.state is State.TLS:
            session.tls_established()
            events.append(Message("transcript-tls-assumed"))
        events += session.send(line).events
        if session.awaiting_reply:
            events += self._answer()
        return events

    def _send_pop3(self, line: str) -> list:
        from smtp_tutor.protocol.pop3 import Pop3Session

        events: list = []
        session = self.session
        assert isinstance(session, Pop3Session)  # a POP3 hop
        if session.start_tls:
            session.tls_established()
            events.append(Message("transcript-tls-assumed"))
        _, command = session.send(line)
        return events + [Pop3Sent(command)] + self._answer()

    def _send_imap(self, line: str) -> list:
        from smtp_tutor.protocol.imap.client import ImapClient

        events: list = []
        session = self.session
        assert isinstance(session, ImapClient)  # an IMAP hop
        if session.start_tls:
            session.discard_plaintext()
            session.tls_established()
            events.append(Message("transcript-tls-assumed"))
        if session.awaiting_continuation:
            secret = session.open is not None and session.open.secret
            session.continue_with(line.encode("utf-8"))
            events.append(ImapSent("********" if secret else line))
        else:
            _, command = session.send(line)
            events.append(ImapSent(command.display))
        return events + self._answer()

    def _answer(self) -> list:
        if not self._replies:
            return []
        step = self._replies.pop(0)
        if self._kind == DNS:
            return [DnsAnswered(self._asked, tuple(step.lines))]
        session = self.session
        if self._kind == IMAP:
            from smtp_tutor.protocol.imap.client import ImapClient, ImapResponse

            assert isinstance(session, ImapClient)  # an IMAP hop
            got = [r for r in session.receive(reply_bytes(step))
                   if isinstance(r, ImapResponse)]
            return [ImapReceived(tuple(got))] if got else []
        if self._kind == POP3:
            from smtp_tutor.protocol.pop3 import Pop3Reply, Pop3Session

            assert isinstance(session, Pop3Session)  # a POP3 hop
            return [Pop3Received(reply) for reply in session.receive(reply_bytes(step))
                    if isinstance(reply, Pop3Reply)]
        assert isinstance(session, ClientSession)  # an SMTP hop
        return session.receive(reply_bytes(step))

    async def close(self) -> None:
        self.session.state = State.CLOSED


class LiveBackend:
    """A real server, through the project's asyncio connection."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.session = connection.session
        self.host, self.port = connection.host, connection.port

    async def open(self) -> list:
        return await self.connection.open()

    async def send(self, line: str) -> list:
        return await self.connection.send(line)

    async def close(self) -> None:
        await self.connection.close()
