"""Maildir delivery that is on disk before the server says 250.

The message file is written in ``tmp/``, fsync'ed, renamed into ``new/`` and the
directory fsync'ed, so a crash right after the 250 loses nothing (``mailbox.Maildir``
does not sync the directory, and would block the event loop).
"""

from __future__ import annotations

import os
import socket
import time
from itertools import count
from pathlib import Path

_sequence = count()


def ensure_maildir(root: Path, user: str) -> Path:
    box = root / user
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    return box


def deliver(root: Path, user: str, message: bytes) -> Path:
    """Store ``message`` for ``user``; returns its path once it is durable."""
    box = ensure_maildir(root, user)
    name = f"{time.time_ns()}.P{os.getpid()}Q{next(_sequence)}.{socket.gethostname()}"
    temporary = box / "tmp" / name
    final = box / "new" / name
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(message)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(temporary, final)
    _fsync_dir(box / "new")
    return final


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def list_messages(root: Path, user: str) -> list[Path]:
    """Every stored message for ``user``, oldest first."""
    box = root / user
    paths = [p for sub in ("new", "cur") if (box / sub).is_dir() for p in (box / sub).iterdir()]
    return sorted(paths, key=lambda p: p.name)
