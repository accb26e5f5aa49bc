"""What the board knows of each student: how far their dialogue got, and when.

Milestones are ordered: reaching a new one (or sending a message) is progress; the
board's "stuck" time is the time since the last progress.  Kept in ``progress.json``
of the class folder, so a restarted class server forgets nothing.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from smtp_tutor.classroom.accounts import write_private

MILESTONES = ("none", "connected", "hello", "tls", "auth", "mail", "rcpt", "data", "sent")
# the dialogue's replies that move a student on: (command, reply class) → milestone
BY_REPLY = {("EHLO", "2"): "hello", ("HELO", "2"): "hello", ("STARTTLS", "2"): "tls",
            ("AUTH", "2"): "auth", ("MAIL", "2"): "mail", ("RCPT", "2"): "rcpt",
            ("DATA", "3"): "data", ("MESSAGE", "2"): "sent", ("BDAT", "2"): "sent"}
FLAGS = ("forged-sender", "token-of-another", "token-used-by-another", "guessed",
         "limited")


@dataclass
class Progress:
    reached: str = "none"  # the furthest milestone ever
    sent: int = 0
    received: int = 0
    first_mistake: str = ""  # the lint's first finding: its key (messages.toml)
    first_seen: float = 0.0
    last_progress: float = 0.0
    last_seen: float = 0.0
    flags: list[str] = field(default_factory=list)
    by_own_program: int = 0  # messages sent without AUTH (attributed by token)
    lessons: list[str] = field(default_factory=list)  # finished (the lesson player)
    lesson_tries: dict[str, int] = field(default_factory=dict)
    lesson_help: int = 0  # steps shown or skipped, all lessons together

    def reach(self, milestone: str, now: float | None = None) -> bool:
        """Record ``milestone``; True when it is further than ever before."""
        now = time.time() if now is None else now
        self.last_seen = now
        self.first_seen = self.first_seen or now
        if MILESTONES.index(milestone) > MILESTONES.index(self.reached):
            self.reached = milestone
            self.last_progress = now
            return True
        return False

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


def load_progress(path: Path) -> dict[str, Progress]:
    if not path.exists():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {name: Progress(**row) for name, row in rows.items()}


def save_progress(path: Path, progress: dict[str, Progress]) -> None:
    data = {name: asdict(row) for name, row in progress.items()}
    write_private(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
