"""What the practice server saw of each connection: a ``Watcher`` that keeps the dialogue.

Both sides in order, as ``transcript.Line`` records (so ``transcript.textbook`` writes
them and ``notation.read_transcript`` reads them back), with the lint's findings where
they happened.  An AUTH answer (and the secret part of ``AUTH PLAIN <token>``) is never
kept: only its place (``transcript.client_line`` masks it).  What is kept is bounded
(connections, lines per connection, characters and wire bytes per line), so a program
that floods its server costs the grader no more memory than one that does not; what is
dropped is counted.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from smtp_tutor.protocol.events import Note
from smtp_tutor.protocol.transcript import (
    CLIENT,
    COMMAND,
    DATA,
    MAX_LINE,
    MAX_RAW,
    SERVER,
    TOOL,
    Line,
    client_line,
    server_line,
    with_kinds,
)
from smtp_tutor.server.watch import Peer, Watcher

__all__ = ["BUDGET", "GUARANTEED", "MAX_CONNECTIONS", "MAX_LINE", "MAX_RAW", "Connection",
           "Recorder"]

MAX_CONNECTIONS = 500  # kept per run; more are counted
MAX_ENTRIES = 1000  # lines kept per connection; more are counted
BUDGET = 20_000  # lines kept per run in all; past it each connection keeps ...
GUARANTEED = 40  # ... its first lines still: enough for a whole transaction
DIALOGUE_BUDGET = 20_000  # past those limits, commands, replies and ends of data still kept
SOURCE = "recorder"


@dataclass
class Connection:
    number: int
    entries: list[Line] = field(default_factory=list)
    closed: bool = False
    dropped: int = 0  # lines not kept (over MAX_ENTRIES)
    local: str = ""  # where the client connected, HOST:PORT

    @property
    def elsewhere(self) -> bool:
        """Connected to another address than loopback (the sandbox routes every IPv4
        address to its own loopback, so a hard-coded host still arrives here)."""
        host = self.local.rpartition(":")[0]
        return bool(host) and not (host.startswith("127.") or host in ("::1", "[::1]"))

    opened_at: float = 0.0  # time.monotonic() when it opened

    @classmethod
    def from_lines(cls, lines: list[Line], number: int = 1) -> Connection:
        """A connection read back from a transcript file (``notation.read_transcript``):
        the judges then decide on it as on one the recorder saw."""
        connection = cls(number)
        for line in with_kinds(lines):
            if line.side in (CLIENT, SERVER):
                connection.add(line)
        return connection

    def add(self, entry: Line, budget: list[int] | None = None) -> None:
        """Keep ``entry`` if there is room for it (``keeps``)."""
        dialogue = entry.side == SERVER or entry.kind == COMMAND or (
            entry.kind == DATA and entry.text == ".")
        if self.keeps(dialogue, budget):
            self.entries.append(entry)

    def keeps(self, dialogue: bool, budget: list[int] | None = None) -> bool:
        """Whether a line is kept, counted against this connection's limit and the run's
        (``budget``: lines left, then the dialogue's own lines left); one not kept is
        counted.  A late connection always keeps its first lines, so a flood sent first
        cannot crowd out the transaction that follows; past the limits the dialogue
        itself (commands, replies, the end of data) is still kept from a second budget,
        and only message lines are dropped, so a long message is still seen to end.
        Asked before a line is built, so a flood costs no more than its count."""
        full = len(self.entries) >= MAX_ENTRIES or (
            budget is not None and budget[0] <= 0 and len(self.entries) >= GUARANTEED)
        if full:
            if not dialogue or budget is None or budget[1] <= 0:
                self.dropped += 1
                return False
            budget[1] -= 1
        elif budget is not None:
            budget[0] -= 1
        return True

    @property
    def greeted(self) -> bool:
        return any(entry.side == SERVER for entry in self.entries)

    def ended_data(self) -> bool:
        """Its end of data got a reply: the transaction was carried through."""
        _, reply, end = self.body()
        return end >= 0 and reply is not None

    def accepted_mail(self) -> bool:
        for index, entry in self.commands():
            if entry.verb == "MAIL":
                reply = self.reply_after(index)
                if reply is not None and reply.code.startswith("2"):
                    return True
        return False

    def commands(self) -> list[tuple[int, Line]]:
        return [(i, e) for i, e in enumerate(self.entries) if e.kind == COMMAND]

    def reply_after(self, index: int) -> Line | None:
        """The final line of the first reply after entry ``index``."""
        for entry in self.entries[index + 1:]:
            if entry.final:
                return entry
            if entry.side == CLIENT and entry.kind == COMMAND:
                return None
        return None

    def findings(self) -> list[tuple[int, Note]]:
        return [(i, e.note) for i, e in enumerate(self.entries) if e.note is not None]

    def body(self) -> tuple[list[str], Line | None, int]:
        """The first message's lines (dot-stuffing undone), the reply to its end, and the
        index of its end (-1: it never ended)."""
        lines: list[str] = []
        in_data = False
        for index, entry in enumerate(self.entries):
            if entry.kind == DATA:
                in_data = True
                text = entry.text.rstrip("\r\n")
                if text == "." and not entry.bare_lf:
                    return lines, self.reply_after(index), index
                lines.append(text[1:] if text.startswith(".") else text)
            elif in_data and entry.kind == COMMAND:
                break
        return lines, None, -1


class Recorder(Watcher):
    def __init__(self) -> None:
        self.connections: list[Connection] = []
        self._by_peer: dict[int, Connection] = {}
        self._open = 0
        self.extra_connections = 0  # not kept (over MAX_CONNECTIONS)
        self.budget = [BUDGET, DIALOGUE_BUDGET]
        self.all_closed = asyncio.Event()
        self.all_closed.set()

    def opened(self, peer: Peer) -> None:
        connection = Connection(peer.number, local=peer.local, opened_at=time.monotonic())
        if len(self.connections) < MAX_CONNECTIONS:
            self.connections.append(connection)
        else:
            self.extra_connections += 1
        self._by_peer[peer.number] = connection
        self._open += 1
        self.all_closed.clear()

    def client_line(self, peer: Peer, line: bytes, kind: str) -> None:
        connection = self._by_peer.get(peer.number)
        dialogue = kind == COMMAND or (kind == DATA and line in (b".\r\n", b".\n"))
        if connection is not None and connection.keeps(dialogue, self.budget):
            connection.entries.append(client_line(
                line, kind, line_no=len(connection.entries) + connection.dropped + 1,
                source=SOURCE, at=time.monotonic() - connection.opened_at,
                connection=connection.number))

    def server_line(self, peer: Peer, line: str) -> None:
        connection = self._by_peer.get(peer.number)
        if connection is not None and connection.keeps(True, self.budget):
            connection.entries.append(server_line(
                line, line_no=len(connection.entries) + connection.dropped + 1,
                source=SOURCE, at=time.monotonic() - connection.opened_at,
                connection=connection.number))

    def findings(self, peer: Peer, notes: list[Note]) -> None:
        connection = self._by_peer.get(peer.number)
        if connection is not None:
            for note in notes:
                if connection.keeps(False, self.budget):
                    connection.entries.append(Line(
                        TOOL, note.key, len(connection.entries) + connection.dropped + 1,
                        SOURCE, at=time.monotonic() - connection.opened_at,
                        connection=connection.number, note=note))

    def closed(self, peer: Peer) -> None:
        # kept in _by_peer: a line cut by the hang-up may be told just after
        connection = self._by_peer.get(peer.number)
        if connection is not None and not connection.closed:
            connection.closed = True
            self._open -= 1
            if self._open <= 0:
                self.all_closed.set()

    def main(self) -> Connection | None:
        """The transaction's connection: the last whose end of data got a reply, else the
        last with an accepted MAIL, else the first that was greeted.  (Not "the one with
        the most lines": a flood of lines must not choose what is graded.)"""
        here = [c for c in self.connections if not c.elsewhere]
        for test in (Connection.ended_data, Connection.accepted_mail):
            chosen = [c for c in here if test(c)]
            if chosen:
                return chosen[-1]
        greeted = [c for c in here if c.greeted]
        return greeted[0] if greeted else (here[0] if here else None)

    def elsewhere(self) -> list[str]:
        """The addresses other than loopback that the program connected to."""
        return list(dict.fromkeys(c.local for c in self.connections if c.elsewhere))

    def others(self) -> list[Connection]:
        main = self.main()
        return [c for c in self.connections if c is not main]
