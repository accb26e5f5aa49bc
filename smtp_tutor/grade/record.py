"""What the practice server saw of each connection: a ``Watcher`` that keeps the dialogue.

Both sides in order, with the lint's findings where they happened.  An AUTH answer
(and the secret part of ``AUTH PLAIN <token>``) is never kept: only its place.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from smtp_tutor.protocol.commands import parse_command
from smtp_tutor.protocol.events import Note
from smtp_tutor.server.watch import AUTH_ANSWER, COMMAND, DATA, Peer, Watcher


@dataclass
class Entry:
    side: str  # "C" client, "S" server, "!" a lint finding
    text: str  # as it came (decoded); shown only through visible()
    kind: str = ""  # COMMAND, DATA, AUTH_ANSWER for the client; "" otherwise
    verb: str = ""  # a command's verb, upper-case
    bare_lf: bool = False
    note: Note | None = None

    @property
    def code(self) -> str:
        return self.text[:3] if self.side == "S" else ""

    @property
    def final(self) -> bool:
        return self.side == "S" and self.text[3:4] != "-"


@dataclass
class Connection:
    number: int
    entries: list[Entry] = field(default_factory=list)
    closed: bool = False

    def commands(self) -> list[tuple[int, Entry]]:
        return [(i, e) for i, e in enumerate(self.entries) if e.kind == COMMAND]

    def reply_after(self, index: int) -> Entry | None:
        """The final line of the first reply after entry ``index``."""
        for entry in self.entries[index + 1:]:
            if entry.final:
                return entry
            if entry.side == "C" and entry.kind == COMMAND:
                return None
        return None

    def findings(self) -> list[tuple[int, Note]]:
        return [(i, e.note) for i, e in enumerate(self.entries) if e.note is not None]

    def body(self) -> tuple[list[str], Entry | None, int]:
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
        self.all_closed = asyncio.Event()
        self.all_closed.set()

    def opened(self, peer: Peer) -> None:
        connection = Connection(peer.number)
        self.connections.append(connection)
        self._by_peer[peer.number] = connection
        self._open += 1
        self.all_closed.clear()

    def client_line(self, peer: Peer, line: bytes, kind: str) -> None:
        connection = self._by_peer.get(peer.number)
        if connection is None:
            return
        bare = line.endswith(b"\n") and not line.endswith(b"\r\n")
        if kind == AUTH_ANSWER:
            connection.entries.append(Entry("C", "(AUTH answer, not shown)", kind, "", bare))
            return
        text = line.decode("utf-8", "replace")
        verb = ""
        if kind == COMMAND:
            command = parse_command(text.rstrip("\r\n"))
            verb = command.verb
            if command.secret:
                text = command.display
        connection.entries.append(Entry("C", text.rstrip("\r\n"), kind, verb, bare))

    def server_line(self, peer: Peer, line: str) -> None:
        connection = self._by_peer.get(peer.number)
        if connection is not None:
            connection.entries.append(Entry("S", line))

    def findings(self, peer: Peer, notes: list[Note]) -> None:
        connection = self._by_peer.get(peer.number)
        if connection is not None:
            for note in notes:
                connection.entries.append(Entry("!", note.key, note=note))

    def closed(self, peer: Peer) -> None:
        connection = self._by_peer.pop(peer.number, None)
        if connection is not None:
            connection.closed = True
            self._open -= 1
            if self._open <= 0:
                self.all_closed.set()

    def main(self) -> Connection | None:
        """The connection that carried the most client lines (most programs open one)."""
        if not self.connections:
            return None
        return max(self.connections, key=lambda c: sum(e.side == "C" for e in c.entries))
