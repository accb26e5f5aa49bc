"""IMAP's view of the practice Maildirs: flags in file names, UIDs in a uidlist file.

Flags live where every Maildir reader looks for them (maildir(5), as Dovecot does): the
*info* after ``:2,`` in a file name in ``cur/``, one letter each in ASCII order —
``D`` \\Draft, ``F`` \\Flagged, ``R`` \\Answered, ``S`` \\Seen, ``T`` \\Deleted.  A
message in ``new/`` has no flags yet and is \\Recent; SELECT moves it to ``cur/``.

UIDs must never change while UIDVALIDITY stays (RFC 9051 §2.3.1.1).  As Dovecot's
``dovecot-uidlist`` does, a file ``smtp-tutor-uidlist`` in the mailbox keeps them: a
header ``3 V<uidvalidity> N<next uid>``, then one line ``<uid> :<base name>`` per
message (the base name is the file name before ``:``, the part no flag changes).  A new
message gets the next UID when first seen; a lost list starts a new UIDVALIDITY.

Nothing here follows a symbolic link: the mailbox is ``checked_box``'d, entries are
taken only when they are regular files, and files are opened with ``O_NOFOLLOW``.
Folders are Maildir++ subfolders (``.Sent``), listed by IMAP as ``Sent``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

from smtp_tutor.protocol.imap.mailbox import Message
from smtp_tutor.server.maildir import MaildirError, checked_box

UIDLIST = "smtp-tutor-uidlist"
LETTERS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
FLAG_LETTERS = {flag: letter for letter, flag in LETTERS.items()}
MAX_MESSAGE = 64 * 1024 * 1024


def base_name(file_name: str) -> str:
    return file_name.split(":", 1)[0]


def flags_of(file_name: str) -> frozenset[str]:
    _, colon, info = file_name.partition(":")
    if not colon or not info.startswith("2,"):
        return frozenset()
    return frozenset(LETTERS[c] for c in info[2:] if c in LETTERS)


def with_flags(file_name: str, flags: frozenset[str]) -> str:
    """The file name in ``cur/`` carrying ``flags`` (letters of other programs kept)."""
    _, colon, info = file_name.partition(":")
    others = [c for c in info[2:] if c not in LETTERS] if colon and info.startswith("2,") else []
    letters = sorted([FLAG_LETTERS[f] for f in flags if f in FLAG_LETTERS] + others)
    return f"{base_name(file_name)}:2,{''.join(letters)}"


def read_no_follow(path: str, limit: int = MAX_MESSAGE) -> bytes | None:
    """A regular file's bytes, never through a symbolic link; None if gone or not one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return None
        return b"".join(chunks)
    finally:
        os.close(fd)


def crlf(message: bytes) -> bytes:
    """IMAP's wire form: CRLF line ends (the Maildir keeps LF)."""
    text = message.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return text.replace(b"\n", b"\r\n")


class MaildirMailbox:
    """One Maildir folder as ``protocol.imap.mailbox.Mailbox``."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory, self.name = directory, name
        self.uidvalidity, self._next, self._uids = self._load()
        self._paths: dict[int, str] = {}
        self._sizes: dict[str, tuple[int, int]] = {}  # base name → (mtime ns, CRLF size)

    # -- the uidlist -------------------------------------------------------------

    def _load(self) -> tuple[int, int, dict[str, int]]:
        data = read_no_follow(str(self.directory / UIDLIST), 16 * 1024 * 1024)
        if data:
            lines = data.decode("utf-8", "replace").splitlines()
            header = lines[0].split() if lines else []
            values = {w[0]: w[1:] for w in header[1:] if len(w) > 1}
            if header[:1] == ["3"] and values.get("V", "").isdigit() \
                    and values.get("N", "").isdigit():
                uids: dict[str, int] = {}
                for line in lines[1:]:
                    number, _, name = line.partition(" :")
                    if number.isdigit() and name:
                        uids[name] = int(number)
                return int(values["V"]), int(values["N"]), uids
        return int(time.time()) & 0x7FFFFFFF or 1, 1, {}

    def _save(self) -> None:
        lines = [f"3 V{self.uidvalidity} N{self._next}"]
        lines += [f"{uid} :{name}" for name, uid in sorted(self._uids.items(),
                                                            key=lambda item: item[1])]
        temporary = self.directory / f".{UIDLIST}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(temporary, self.directory / UIDLIST)

    # -- Mailbox ---------------------------------------------------------------------

    def uidnext(self) -> int:
        return self._next

    def _scan(self) -> list[tuple[str, str, str]]:
        """(base name, sub-folder, file name) of every message file, oldest first."""
        checked_box(self.directory.parent, self.directory.name)
        found = []
        for sub in ("new", "cur"):
            with contextlib.suppress(OSError), os.scandir(self.directory / sub) as entries:
                found += [(base_name(e.name), sub, e.name) for e in entries
                          if not e.name.startswith(".") and e.is_file(follow_symlinks=False)]
        return sorted(found)

    def messages(self) -> list[Message]:
        files = self._scan()
        validity, next_uid, uids = self._load()  # other sessions may have numbered some
        changed = validity != self.uidvalidity
        if not changed:
            self._uids, self._next = uids, max(next_uid, self._next)
        for base, _, _ in files:
            if base not in self._uids:
                self._uids[base] = self._next
                self._next += 1
                changed = True
        present = {base for base, _, _ in files}
        for base in [b for b in self._uids if b not in present]:
            del self._uids[base]
            changed = True
        if changed:
            with contextlib.suppress(OSError):
                self._save()
        out, self._paths = [], {}
        for base, sub, name in files:
            uid = self._uids[base]
            path = f"{self.directory}/{sub}/{name}"
            self._paths[uid] = path
            size, mtime = self._size(base, path)
            out.append(Message(uid, flags_of(name) if sub == "cur" else frozenset(), size,
                               mtime, recent=sub == "new"))
        return sorted(out, key=lambda m: m.uid)

    def _size(self, base: str, path: str) -> tuple[int, float]:
        try:
            status = os.lstat(path)
        except OSError:
            return 0, 0.0
        known = self._sizes.get(base)
        if known is not None and known[0] == status.st_mtime_ns:
            return known[1], status.st_mtime
        data = read_no_follow(path)
        size = len(crlf(data)) if data is not None else 0
        self._sizes[base] = (status.st_mtime_ns, size)
        return size, status.st_mtime

    def _path(self, uid: int) -> str | None:
        path = self._paths.get(uid)
        if path is not None and os.path.lexists(path):
            return path
        self.messages()  # renamed by another session or by POP3: look again
        return self._paths.get(uid)

    def read(self, uid: int) -> bytes | None:
        path = self._path(uid)
        data = read_no_follow(path) if path else None
        return crlf(data) if data is not None else None

    def set_flags(self, uid: int, flags: frozenset[str]) -> bool:
        path = self._path(uid)
        if path is None:
            return False
        name = os.path.basename(path)
        target = f"{self.directory}/cur/{with_flags(name, flags)}"
        if target == path:
            return True
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return False
        self._paths[uid] = target
        return True

    def expunge(self, uid: int) -> bool:
        path = self._path(uid)
        if path is None:
            return False
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        self._paths.pop(uid, None)
        return True

    def claim_recent(self) -> None:
        """SELECT: new/ messages move to cur/ with an empty info (maildir(5))."""
        for uid, path in list(self._paths.items()):
            if "/new/" in path[len(str(self.directory)):]:
                name = os.path.basename(path)
                with contextlib.suppress(OSError):
                    os.rename(path, f"{self.directory}/cur/{base_name(name)}:2,")
                    self._paths[uid] = f"{self.directory}/cur/{base_name(name)}:2,"


class MaildirAccount:
    """A user's INBOX (``root/user``) and its Maildir++ folders (``root/user/.Name``)."""

    def __init__(self, root: Path, user: str) -> None:
        self.root, self.user = root, user
        self._open: dict[str, MaildirMailbox] = {}

    def folders(self) -> list[str]:
        names = ["INBOX"]
        box = self.root / self.user
        with contextlib.suppress(OSError), os.scandir(box) as entries:
            names += sorted(e.name[1:] for e in entries
                            if e.name.startswith(".") and len(e.name) > 1
                            and e.name[1:].isascii() and e.name[1:].isprintable()
                            and "/" not in e.name and e.is_dir(follow_symlinks=False)
                            and not e.name.startswith(".."))
        return names

    def mailbox(self, name: str) -> MaildirMailbox | None:
        key = "INBOX" if name.upper() == "INBOX" else name
        if key not in self.folders():
            return None
        if key not in self._open:
            directory = self.root / self.user if key == "INBOX" else self.root / self.user / f".{key}"
            try:
                checked_box(directory.parent, directory.name)
            except MaildirError:
                return None
            self._open[key] = MaildirMailbox(directory, key)
        return self._open[key]


class MaildirAccounts:
    """The practice users (``server.users``) on a root of Maildirs, one per user."""

    def __init__(self, root: Path, users: dict[str, str], domain: str) -> None:
        self.root, self.users, self.domain = root, users, domain

    def login(self, user: str, password: str) -> MaildirAccount | None:
        local, _, domain = user.lower().partition("@")
        if domain and domain != self.domain:
            return None
        if local not in self.users or not self.users[local] or self.users[local] != password:
            return None
        try:
            checked_box(self.root, local)
        except MaildirError:
            return None
        return MaildirAccount(self.root, local)
