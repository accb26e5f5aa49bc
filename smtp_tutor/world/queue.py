"""crepes.fr's mail queue: one message per pair of files, on disk before the 250.

``ID.eml`` holds the message as accepted; ``ID.json`` the envelope and the delivery
state (recipients still to do, tries, the next try).  Each file is written in full,
fsync'ed, renamed into place and the directory fsync'ed: the ``.json`` is the commit
mark, so a kill -9 at any moment leaves either a whole entry or nothing that was ever
acknowledged.  An ``.eml`` without its ``.json`` is a submission that never got its
250, and is removed when the queue is loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from itertools import count
from pathlib import Path

from smtp_tutor.server.maildir import fsync_path, write_file

_sequence = count(1)


@dataclass
class Entry:
    id: str
    sender: str  # "" for a bounce (the null reverse-path <>)
    recipients: list[str]  # still to deliver
    created: float
    next_try: float
    tries: int = 0
    last_reply: str = ""  # the last transient failure, for `smtp-tutor queue`
    done: list[str] = field(default_factory=list)  # delivered or bounced
    bounce_of: str = ""  # the id of the message this DSN reports on


def new_id() -> str:
    """Sortable and unique in this process: time, pid, sequence (as Postfix's queue ids)."""
    return f"{time.time_ns() // 1000:X}{os.getpid() % 0xFFF:03X}{next(_sequence):03X}"


class MailQueue:
    """Synchronous on purpose: a few small files; callers run it in an executor thread."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def put(self, sender: str, recipients: list[str], message: bytes, *,
            bounce_of: str = "", now: float | None = None) -> Entry:
        now = time.time() if now is None else now
        entry = Entry(new_id(), sender, list(recipients), now, now, bounce_of=bounce_of)
        self._write(self.directory / f"{entry.id}.eml", message)
        self._write(self.directory / f"{entry.id}.json", _encode(entry))
        _fsync(self.directory)
        return entry

    def update(self, entry: Entry) -> None:
        self._write(self.directory / f"{entry.id}.json", _encode(entry))
        _fsync(self.directory)

    def remove(self, entry: Entry) -> None:
        """The json first: once it is gone, the entry no longer exists."""
        for suffix in (".json", ".eml"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.directory / f"{entry.id}{suffix}")
        _fsync(self.directory)

    def message(self, entry: Entry) -> bytes:
        return (self.directory / f"{entry.id}.eml").read_bytes()

    def entries(self) -> list[Entry]:
        """Every committed entry, oldest first; half-written leftovers are cleaned up."""
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                entry = Entry(**json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            if (self.directory / f"{entry.id}.eml").exists():
                found.append(entry)
        return found

    def clean(self) -> None:
        """Remove what no 250 ever covered: temporaries and ``.eml`` without ``.json``."""
        for path in self.directory.iterdir():
            orphan = path.suffix == ".eml" and not path.with_suffix(".json").exists()
            if path.name.endswith(".tmp") or orphan:
                with contextlib.suppress(OSError):
                    path.unlink()

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        temporary = path.with_name(path.name + ".tmp")
        write_file(str(temporary), data, sync=True, exclusive=False)
        os.replace(temporary, path)


def _encode(entry: Entry) -> bytes:
    return json.dumps(asdict(entry), indent=1).encode("utf-8")


def _fsync(directory: Path) -> None:
    fsync_path(str(directory))
