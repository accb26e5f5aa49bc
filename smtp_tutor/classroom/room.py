"""The class as the server sees it: who each connection is, and how far each student got.

``Room`` is a server ``Watcher`` (both sides of every line, the lint's findings) and
holds the attribution of each connection to a student: by AUTH, or by the personal
token in the EHLO name or the MAIL FROM local part (``alice+t3kx9pqa@class.example``).
Everything it keeps for the board is shown only through ``visible()`` (board.py).
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.classroom.accounts import Account, Accounts
from smtp_tutor.classroom.progress import BY_REPLY, Progress, load_progress, save_progress
from smtp_tutor.protocol.events import Note
from smtp_tutor.server.watch import AUTH_ANSWER, COMMAND, Peer, Watcher

DIALOGUE_LINES = 12  # the last lines of each student's dialogue kept for the board
TOKEN_MASK = "‹token›"
_TOKEN = re.compile(r"(?<![A-Za-z0-9])t[a-z2-9]{7}(?![A-Za-z0-9])", re.IGNORECASE)


@dataclass
class Connection:
    peer: Peer
    student: str = ""  # username, once attributed
    via: str = ""  # "auth" or "token"
    pending: deque[str] = field(default_factory=deque)  # commands awaiting their reply


class Room(Watcher):
    """Every student's progress, fed by the server's watchers and the class handler."""

    def __init__(self, folder: Path, accounts: Accounts, domain: str = "") -> None:
        self.folder = folder
        self.domain = domain.lower()
        self.accounts = accounts
        self.progress: dict[str, Progress] = load_progress(folder / "progress.json")
        for username in accounts.by_name:
            self.progress.setdefault(username, Progress())
        self.connections: dict[int, Connection] = {}
        self.lines: dict[str, deque[str]] = {}
        self.unattributed_messages = 0
        self.dirty = False

    # -- attribution ------------------------------------------------------------

    def open_count(self, username: str) -> int:
        return sum(1 for c in self.connections.values() if c.student == username)

    def attribute(self, peer: Peer, account: Account, via: str) -> None:
        """The connection of ``peer`` is ``account``'s; AUTH wins over a token."""
        connection = self.connections.get(peer.number)
        if connection is None:
            return
        if via == "token" and connection.student \
                and connection.student != account.username:
            # known as one student (by AUTH or a token), using another's token
            self._flag(connection.student, "token-of-another")
            self._flag(account.username, "token-used-by-another")
            return
        if connection.via == "auth" and via == "token":
            return
        first = not connection.student
        connection.student, connection.via = account.username, via
        if first:
            row = self.progress[account.username]
            row.reach("connected")
            if via == "token":  # a token arrives in EHLO or MAIL: the hello is done
                row.reach("hello")
        self.dirty = True

    def by_token_in(self, text: str) -> Account | None:
        """The account whose token is a label of a host name or a ``+tag`` of a local part."""
        for word in text.lower().replace("+", ".").replace("@", ".").split("."):
            if len(word) == 8 and word.startswith("t"):
                account = self.accounts.by_token(word)
                if account is not None:
                    return account
        return None

    def student_of(self, peer: Peer) -> str:
        connection = self.connections.get(peer.number)
        return connection.student if connection is not None else ""

    def _flag(self, username: str, name: str) -> None:
        self.progress[username].flag(name)
        self.dirty = True

    # -- what the handler reports ----------------------------------------------------

    def sender(self, peer: Peer, address: str) -> None:
        """MAIL FROM: a token in the local part attributes; a sender that is not the
        connection's student is accepted, and flagged as a teaching moment."""
        account = self.by_token_in(address.partition("@")[0]) if "@" in address else None
        if account is not None:
            self.attribute(peer, account, "token")
        username = self.student_of(peer)
        if not username:
            return
        local = address.partition("@")[0].partition("+")[0].lower()
        domain = address.rpartition("@")[2].lower()
        if address and (local != username or domain != self.domain):
            self._flag(username, "forged-sender")

    def delivered(self, peer: Peer, recipients: list[str]) -> None:
        now = time.time()
        username = self.student_of(peer)
        connection = self.connections.get(peer.number)
        if username:
            row = self.progress[username]
            row.sent += 1
            row.last_progress = now
            if connection is not None and connection.via == "token":
                row.by_own_program += 1
        else:
            self.unattributed_messages += 1
        for recipient in recipients:
            local = recipient.partition("@")[0].lower()
            if local in self.progress:
                self.progress[local].received += 1
        self.dirty = True

    def lesson(self, username: str, report: dict) -> None:
        """A report of the lesson player (channel.py): tried, or finished."""
        row = self.progress[username]
        name = str(report.get("lesson") or "?")[:40]
        row.lesson_tries[name] = row.lesson_tries.get(name, 0) + 1
        row.lesson_help += int(report.get("shown") or 0) + int(report.get("skipped") or 0)
        if report.get("passed") is True and name not in row.lessons:
            row.lessons.append(name)
            row.last_progress = time.time()
        self.dirty = True

    def limited(self, username: str) -> None:
        self._flag(username, "limited")

    def password_failed(self, user: str) -> None:
        local = user.partition("@")[0].lower()
        if local in self.progress:
            self._flag(local, "guessed")

    # -- Watcher ----------------------------------------------------------------

    def opened(self, peer: Peer) -> None:
        self.connections[peer.number] = Connection(peer)

    def closed(self, peer: Peer) -> None:
        connection = self.connections.pop(peer.number, None)
        if connection is not None and connection.student:
            self.progress[connection.student].last_seen = time.time()
            self.dirty = True

    def client_line(self, peer: Peer, line: bytes, kind: str) -> None:
        connection = self.connections.get(peer.number)
        if connection is None or kind not in (COMMAND, AUTH_ANSWER):
            return
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        verb, _, argument = text.partition(" ")
        verb = verb.upper()
        if kind == AUTH_ANSWER:
            text = "********"
        elif verb == "AUTH":
            text = f"AUTH {argument.split(' ', 1)[0]} ********"[:40]
        else:
            connection.pending.append(verb)
        if verb in ("EHLO", "HELO") and kind == COMMAND:
            account = self.by_token_in(argument.strip())
            if account is not None:
                self.attribute(peer, account, "token")
        if verb == "AUTH":
            connection.pending.append("AUTH")
        self._keep(connection, "C: " + text[:200])

    def server_line(self, peer: Peer, line: str) -> None:
        connection = self.connections.get(peer.number)
        if connection is None or line[3:4] == "-":
            return
        if connection.pending:
            verb = connection.pending.popleft()
            if verb == "AUTH" and line[:1] == "3":
                connection.pending.appendleft("AUTH")  # a challenge: the exchange goes on
            if verb == "DATA" and line[:1] == "3":
                connection.pending.appendleft("MESSAGE")
            milestone = BY_REPLY.get((verb, line[:1]))
            if milestone and connection.student \
                    and self.progress[connection.student].reach(milestone):
                self.dirty = True
        self._keep(connection, "S: " + line[:200])

    def findings(self, peer: Peer, notes: list[Note]) -> None:
        username = self.student_of(peer)
        if not username or not notes:
            return
        row = self.progress[username]
        if not row.first_mistake:
            row.first_mistake = notes[0].key
            self.dirty = True

    def _keep(self, connection: Connection, text: str) -> None:
        """A line for the board's dialogue view, every token in it masked (the board is
        projected: a token seen there could be used by someone else)."""
        if connection.student:
            kept = self.lines.setdefault(connection.student, deque(maxlen=DIALOGUE_LINES))
            kept.append(_TOKEN.sub(self._mask, text))

    def _mask(self, match: re.Match[str]) -> str:
        word = match.group(0)
        return TOKEN_MASK if self.accounts.by_token(word) is not None else word

    # -- state ------------------------------------------------------------------

    def save(self) -> None:
        save_progress(self.folder / "progress.json", self.progress)
        self.accounts.save()
        self.dirty = False
