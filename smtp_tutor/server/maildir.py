"""Maildir delivery that is on disk before the server says 250, with group commit.

A message is written in ``tmp/``, made durable, renamed into ``new/`` and the
directory synced; only then does its 250 go out, so a crash right after a 250 loses
nothing (``mailbox.Maildir`` syncs no directory, and would block the event loop).

Syncing costs far more than writing, so messages that arrive while a sync is under
way wait for the next one and share it (group commit, as databases do): one
``syncfs`` for all their data and one ``fsync`` per directory, however many senders
there are.  One thread writes and syncs: a pool would bounce Python's lock between
threads on every socket call, and the event loop must not wait on a file system
that is busy with a journal commit (creating a file then takes a tenth of a ms).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path

_sequence = count()
_HOST = socket.gethostname().replace("/", "\\057").replace(":", "\\072")


def ensure_maildir(root: Path, user: str) -> Path:
    box = root / user
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    return box


class MaildirStore:
    """``await store.deliver(user, message)`` returns once the message is durable."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._boxes: set[str] = set()
        self._pending: list[tuple[str, bytes, asyncio.Future[Path]]] = []
        self._flushing = False
        self._syncer = ThreadPoolExecutor(1, thread_name_prefix="maildir-sync")

    async def deliver(self, user: str, message: bytes, *, alone: bool = False) -> Path:
        """Store ``message`` for ``user``; raises ``OSError`` if it cannot be made durable.

        ``alone``: the only client connected (a student's client, an autograder run).  With
        no batch to share a sync with, the hand-off to the syncing thread and back costs
        more than it saves (~0.35 ms a message), so the message is committed right here;
        the loop has nobody else to serve meanwhile.
        """
        loop = asyncio.get_running_loop()
        box = self._box(user)
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(_sequence)}.{_HOST}"
        if alone and not self._flushing and not self._pending:
            temporary = f"{box}/tmp/{name}"
            write_and_commit(str(self.root), [(temporary, message)])
            return Path(_final(temporary))
        future: asyncio.Future[Path] = loop.create_future()
        self._pending.append((f"{box}/tmp/{name}", message, future))
        if not self._flushing:
            self._flushing = True
            loop.create_task(self._flush())
        return await asyncio.shield(future)

    def close(self) -> None:
        self._syncer.shutdown(wait=True)

    def _box(self, user: str) -> Path:
        box = self.root / user
        if user not in self._boxes:
            ensure_maildir(self.root, user)
            self._boxes.add(user)
        return box

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                writes = [(temporary, message) for temporary, message, _ in batch]
                try:
                    await loop.run_in_executor(self._syncer, write_and_commit, str(self.root),
                                               writes)
                except OSError as error:
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                else:
                    for temporary, _, future in batch:
                        if not future.done():
                            future.set_result(Path(_final(temporary)))
        finally:
            self._flushing = False


def write_and_commit(root: str, writes: list[tuple[str, bytes]]) -> None:
    """Write each message in ``tmp/``, then commit them all (in the syncing thread, so
    that the event loop never waits on a file system busy with a journal commit)."""
    try:
        if len(writes) == 1:
            _commit_one(*writes[0])
            return
        for temporary, message in writes:
            _write(temporary, message)
        commit(root, [(temporary, _final(temporary)) for temporary, _ in writes])
    except OSError:
        for temporary, _ in writes:  # a full disk leaves no half-written file behind
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise


def _final(temporary: str) -> str:
    box, _, name = temporary.rpartition("/tmp/")
    return f"{box}/new/{name}"


def commit(root: str, moves: list[tuple[str, str]]) -> None:
    """Make the written ``tmp/`` files durable, move them into ``new/``, sync ``new/``."""
    _sync_data(root, [temporary for temporary, _ in moves])
    directories = set()
    for temporary, final in moves:
        os.rename(temporary, final)
        directories.add(os.path.dirname(final))
    for directory in directories:
        fsync_path(directory)


def deliver(root: Path, user: str, message: bytes) -> Path:
    """One message, synchronously and durably (for callers without an event loop)."""
    box = ensure_maildir(root, user)
    temporary = f"{box}/tmp/{time.time_ns()}.P{os.getpid()}Q{next(_sequence)}.{_HOST}"
    write_and_commit(str(root), [(temporary, message)])
    return Path(_final(temporary))


def _commit_one(temporary: str, message: bytes) -> None:
    """One message: written and synced through one descriptor, renamed, ``new/`` synced."""
    write_file(temporary, message, sync=True)
    final = _final(temporary)
    os.rename(temporary, final)
    fsync_path(os.path.dirname(final))


def write_file(path: str, data: bytes, *, sync: bool = False, exclusive: bool = True) -> None:
    """``data`` in a new file readable by its owner only; ``sync``: ``fdatasync`` before
    closing (the data and the size are durable: all a reader needs)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fdatasync(fd)
    finally:
        os.close(fd)


def _write(path: str, message: bytes) -> None:
    write_file(path, message)


SYNCFS_FROM = 3  # files in a batch; below, an fsync each is cheaper (measured here)


def _sync_data(root: str, paths: list[str]) -> None:
    """One ``syncfs`` of the file system holding ``root`` (Linux) for a batch; else an
    fsync per file (syncfs also flushes whatever else is dirty on that file system)."""
    syncfs = _syncfs() if len(paths) >= SYNCFS_FROM else None
    if syncfs is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in paths:
        fsync_path(path)


def fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SYNCFS: list[Callable[[int], int] | None] = []


def _syncfs() -> Callable[[int], int] | None:
    if not _SYNCFS:
        try:
            import ctypes

            _SYNCFS.append(ctypes.CDLL(None, use_errno=True).syncfs)
        except (OSError, AttributeError):
            _SYNCFS.append(None)
    return _SYNCFS[0]


def list_messages(root: Path, user: str) -> list[Path]:
    """Every stored message for ``user``, oldest first."""
    box = root / user
    paths = [p for sub in ("new", "cur") if (box / sub).is_dir() for p in (box / sub).iterdir()]
    return sorted(paths, key=lambda p: p.name)
