"""The class server's policy: mail between students of the class domain, nothing else.

Per-student limits (connections at once, messages a minute) keep one runaway client
from exhausting the server for the others; the message size and the recipients per
message are the server's ``Limits``.  Every refusal is a reply of the catalogue.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from smtp_tutor.classroom.room import Room
from smtp_tutor.server.handler import PracticeHandler
from smtp_tutor.server.policy import Limits
from smtp_tutor.server.wording import reply

LESSON_MAILBOXES = ("bob", "carol")
LESSON_DOMAIN = "hamburger.edu"  # the lessons' textbook server, played by the class server


class ClassHandler(PracticeHandler):
    """``PracticeHandler`` with the students as its users, and the room told of everything."""

    def __init__(self, domain: str, room: Room, mailbox_dir: Path, *, limits: Limits,
                 connections_per_student: int = 4, messages_per_minute: int = 30) -> None:
        # the lessons' people (bob, carol at hamburger.edu or at the class domain) have
        # practice mailboxes too, so a lesson played on the class server can pass
        users = {**dict.fromkeys(LESSON_MAILBOXES, ""),
                 **{name: "" for name in room.accounts.by_name}}
        super().__init__(domain, users, mailbox_dir, limits=limits)
        self.room = room
        self.connections_per_student = connections_per_student
        self.messages_per_minute = messages_per_minute
        self._recent: dict[str, deque[float]] = {}

    async def handle_MAIL(self, server, session, envelope, address: str,  # noqa: ANN001
                          mail_options: list[str]) -> str:
        self.room.sender(server.peer, address)
        username = self.room.student_of(server.peer)
        if username:
            if self.room.open_count(username) > self.connections_per_student:
                self.room.limited(username)
                return reply("class-connections", user=username,
                             limit=self.connections_per_student)
            now = time.monotonic()
            recent = self._recent.setdefault(username, deque())
            while recent and recent[0] < now - 60:
                recent.popleft()
            if len(recent) >= self.messages_per_minute:
                self.room.limited(username)
                return reply("class-rate", user=username, limit=self.messages_per_minute)
            recent.append(now)
        return reply("sender-ok", address=address or "<>")

    async def handle_RCPT(self, server, session, envelope, address: str,  # noqa: ANN001
                          rcpt_options: list[str]) -> str:
        local, _, domain = address.rpartition("@")
        lesson = domain.lower() == LESSON_DOMAIN and local.lower() in LESSON_MAILBOXES
        if not local or (domain.lower() != self.domain and not lesson):
            return reply("relay-denied", address=address)
        if len(envelope.rcpt_tos) >= self.limits.max_recipients:
            return reply("too-many-recipients", limit=self.limits.max_recipients)
        if local.lower() not in self.users and local.lower() != "postmaster":
            return reply("user-unknown", address=address)
        envelope.rcpt_tos.append(address)
        return reply("recipient-ok", address=address)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("2"):
            self.room.delivered(server.peer, list(envelope.rcpt_tos))
        return answer
