"""Who watches the practice server's connections: the live console and the lint report.

Each watcher gets both sides of every connection as it happens.  The server calls
them only when there are any, so ``serve --quiet`` pays nothing for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtp_tutor.protocol.events import Note
from smtp_tutor.protocol.transcript import AUTH_ANSWER, COMMAND, DATA, UNFINISHED

__all__ = ["AUTH_ANSWER", "COMMAND", "DATA", "UNFINISHED", "Peer", "Watcher"]


@dataclass(frozen=True)
class Peer:
    """One connection: a number for the console, and the client's address."""

    number: int
    host: str
    port: int
    local: str = ""  # the address the client connected to, HOST:PORT (the grader reads it)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


class Watcher:
    """Does nothing; a watcher overrides what it needs."""

    def opened(self, peer: Peer) -> None:
        pass

    def client_line(self, peer: Peer, line: bytes, kind: str) -> None:
        """``kind``: COMMAND, DATA, UNFINISHED or AUTH_ANSWER (whose text must never be
        shown)."""

    def server_line(self, peer: Peer, line: str) -> None:
        pass

    def findings(self, peer: Peer, notes: list[Note]) -> None:
        pass

    def tls(self, peer: Peer) -> None:
        pass

    def closed(self, peer: Peer) -> None:
        pass

    def close(self) -> None:
        """The server stops: flush what is buffered."""
