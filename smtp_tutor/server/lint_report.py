"""``serve --lint-report FILE``: client mistakes as JSON lines an autograder can read.

One object per finding, and one per closed connection (with its count of findings, so
a clean client shows up too).  The file is appended to and flushed line by line, so
a grader can read it while the server runs.  No line of the client's text is written.
"""

from __future__ import annotations

import json
import time
from typing import IO

from smtp_tutor.knowledge.lookup import explain_note
from smtp_tutor.protocol.client_lint import rule_of
from smtp_tutor.protocol.events import Note
from smtp_tutor.server.watch import Peer, Watcher


class LintReport(Watcher):
    def __init__(self, stream: IO[str], lang: str = "en") -> None:
        self.stream = stream
        self.lang = lang
        self.counts: dict[int, int] = {}
        self.lines: dict[int, int] = {}

    def opened(self, peer: Peer) -> None:
        self.counts[peer.number] = 0
        self.lines[peer.number] = 0

    def client_line(self, peer: Peer, line: bytes, kind: str) -> None:
        self.lines[peer.number] = self.lines.get(peer.number, 0) + 1

    def findings(self, peer: Peer, notes: list[Note]) -> None:
        for note in notes:
            self.counts[peer.number] = self.counts.get(peer.number, 0) + 1
            text, hint = explain_note(note.key, note.params, self.lang)
            self._write({"event": "finding", "connection": peer.number, "client": peer.address,
                         "client_line": self.lines.get(peer.number, 0), "rule": rule_of(note),
                         "rfc": note.rfc, "message": text, "hint": hint,
                         "params": note.params})

    def closed(self, peer: Peer) -> None:
        self._write({"event": "closed", "connection": peer.number, "client": peer.address,
                     "client_lines": self.lines.pop(peer.number, 0),
                     "findings": self.counts.pop(peer.number, 0)})

    def close(self) -> None:
        self.stream.close()

    def _write(self, record: dict[str, object]) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.stream.write(json.dumps({"time": stamp, **record}, ensure_ascii=False) + "\n")
        self.stream.flush()
