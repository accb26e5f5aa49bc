"""Where a lesson's client lines go: a live server, or the replies recorded in the lesson.

Both answer with the same events the protocol core produces, so the player, the
renderers and the demo never know which one they are driving.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtp_tutor.lessons.dialogue import reply_bytes
from smtp_tutor.lessons.model import SERVER, Lesson, Step
from smtp_tutor.protocol import ClientSession, State


@dataclass(frozen=True)
class Message:
    """A knowledge-base message to show between events (e.g. the offline TLS handshake)."""

    key: str
    level: str = "info"


class OfflineBackend:
    """No server: each reply is the one the lesson recorded (``--offline``)."""

    def __init__(self, lesson: Lesson) -> None:
        self.session = ClientSession()
        self._replies: list[Step] = [s for s in lesson.steps if s.kind == SERVER]
        self.host, self.port = lesson.persona, 0

    async def open(self) -> list:
        return self._answer()

    async def send(self, line: str) -> list:
        events: list = []
        if self.session.state is State.TLS:
            self.session.tls_established()
            events.append(Message("transcript-tls-assumed"))
        events += self.session.send(line).events
        if self.session.awaiting_reply:
            events += self._answer()
        return events

    def _answer(self) -> list:
        if not self._replies:
            return []
        return self.session.receive(reply_bytes(self._replies.pop(0)))

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
