"""The class's accounts: hashed passwords, personal tokens, and failed-password limits.

Passwords are stored as scrypt hashes (the printed slips are the only plain copy), each
with its cost, so a later change of ``SCRYPT`` keeps old hashes checkable; the
passwords themselves are random (12 letters of 31: about 59 bits).  A
password checked once is remembered in memory as a keyed digest, so a class logging in
every few seconds does not pay scrypt each time.

Guessing is limited by the guesser's address, so that a classmate cannot lock the owner
out: after ``MAX_FAILURES`` wrong passwords within ``WINDOW`` seconds *from one address*
the account refuses every password *from that address* for ``LOCK_SECONDS`` (the right
one too), while the owner logs in from theirs.  Attempts on one account from one address
are checked one at a time (parallel connections do not multiply the tries), and once an
account has had ``MAX_FAILURES`` wrong passwords from anywhere within ``WINDOW``, every
further wrong answer for it waits ``SLOW_STEP`` seconds more, up to ``SLOW_MAX`` (guessing
from many lab PCs is slowed for the whole account; a right password is never delayed).
The board shows the wrong passwords and the addresses locked out.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from smtp_tutor.classroom.roster import Student

# n = 2**12 (4 MiB, ~30 ms on a slow lab PC): the passwords are random (59 bits), so the
# cost only has to make a stolen accounts.json useless, not to stretch a weak password;
# a class of 200 logging in at once then costs the server seconds, not minutes
SCRYPT = {"n": 2 ** 12, "r": 8, "p": 1}
MAX_FAILURES = 5
WINDOW = 60.0
LOCK_SECONDS = 60.0
SLOW_STEP = 0.5  # seconds added to each wrong answer once an account is being guessed
SLOW_MAX = 5.0
_WORDS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from a paper slip


@dataclass
class Account:
    username: str
    student_id: str
    name: str
    email: str
    token: str
    salt: str
    digest: str  # scrypt of the password, hex
    cost: int = SCRYPT["n"]  # scrypt's n when the hash was made
    failures: list[list] = field(default_factory=list)  # [time, client address] each
    locked: dict[str, float] = field(default_factory=dict)  # address → locked until
    failed_total: int = 0

    def locked_from(self, now: float) -> list[str]:
        """The addresses refused for this account now."""
        return sorted(address for address, until in self.locked.items() if until > now)


def new_password() -> str:
    return "-".join("".join(secrets.choice(_WORDS) for _ in range(4)) for _ in range(3))


def new_token() -> str:
    return "t" + "".join(secrets.choice(_WORDS) for _ in range(7))


def hash_password(password: str, salt: bytes, cost: int | None = None) -> str:
    parameters = {**SCRYPT, "n": cost or SCRYPT["n"]}
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, maxmem=1 << 26,
                          **parameters).hex()


class Accounts:
    """Every account of the class, kept in ``accounts.json`` of the class folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_name: dict[str, Account] = {}
        self._proven: dict[str, bytes] = {}  # username → keyed digest of a proven password
        self._key = secrets.token_bytes(32)
        self.pause = asyncio.sleep  # how a wrong answer is slowed (a test sees the delays)
        self._tokens: dict[str, Account] = {}
        # (user, address) → (its lock, how many attempts hold or await it): one at a time
        self._turns: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        if path.exists():
            for row in json.loads(path.read_text(encoding="utf-8")):
                # a folder written before locks were kept by address: its lock is dropped
                row.pop("locked_until", None)
                row["failures"] = [f for f in row.get("failures", []) if isinstance(f, list)]
                account = Account(**row)
                self.by_name[account.username] = account

    def add(self, students: list[Student]) -> dict[str, str]:
        """Accounts for the students not yet known; returns their new passwords (only
        here, for the slips)."""
        known_ids = {a.student_id for a in self.by_name.values()}
        tokens = {a.token for a in self.by_name.values()}
        passwords: dict[str, str] = {}
        for student in students:
            if student.student_id in known_ids:
                continue
            username = student.username
            while username in self.by_name:
                username += "x"
            token = new_token()
            while token in tokens:
                token = new_token()
            tokens.add(token)
            password = new_password()
            salt = secrets.token_bytes(16)
            self.by_name[username] = Account(username, student.student_id, student.name,
                                             student.email, token, salt.hex(),
                                             hash_password(password, salt), SCRYPT["n"])
            passwords[username] = password
        return passwords

    def save(self) -> None:
        write_private(self.path, json.dumps([asdict(a) for a in self.by_name.values()],
                                            ensure_ascii=False, indent=1).encode("utf-8"))

    def by_token(self, token: str) -> Account | None:
        if len(self._tokens) != len(self.by_name):
            self._tokens = {a.token: a for a in self.by_name.values()}
        return self._tokens.get(token.lower())

    async def verify(self, user: str, secret: str, address: str) -> Account | None:
        """The account if ``secret`` is its password and ``address`` (the client's) is not
        locked out of it; counts a failure against that address otherwise."""
        account = self.by_name.get(user.partition("@")[0].lower())
        if account is None:
            await asyncio.sleep(0.2)
            return None
        key = (account.username, address)
        turn, waiting = self._turns.get(key, (asyncio.Lock(), 0))
        self._turns[key] = (turn, waiting + 1)
        try:
            async with turn:
                return await self._verify(account, secret, address)
        finally:
            turn, waiting = self._turns[key]
            if waiting > 1:
                self._turns[key] = (turn, waiting - 1)
            else:
                del self._turns[key]

    async def _verify(self, account: Account, secret: str, address: str) -> Account | None:
        now = time.time()
        if account.locked.get(address, 0.0) > now:
            return None
        keyed = hmac.new(self._key, secret.encode("utf-8", "replace"), "sha256").digest()
        proven = self._proven.get(account.username)
        if proven is not None and hmac.compare_digest(proven, keyed):
            self._forget_failures(account, address)
            return account
        digest = await asyncio.to_thread(hash_password, secret, bytes.fromhex(account.salt),
                                         account.cost)
        if hmac.compare_digest(digest, account.digest):
            self._proven[account.username] = keyed
            self._forget_failures(account, address)
            return account
        now = time.time()
        account.failed_total += 1
        account.failures = [f for f in account.failures if f[0] > now - WINDOW]
        account.failures.append([now, address])
        account.locked = {a: until for a, until in account.locked.items() if until > now}
        if sum(1 for _, a in account.failures if a == address) >= MAX_FAILURES:
            account.locked[address] = now + LOCK_SECONDS
            self._forget_failures(account, address)
        beyond = len(account.failures) + len(account.locked) * MAX_FAILURES - MAX_FAILURES
        if beyond > 0:  # the account is being guessed: every wrong answer waits more
            await self.pause(min(SLOW_MAX, SLOW_STEP * beyond))
        return None

    @staticmethod
    def _forget_failures(account: Account, address: str) -> None:
        account.failures = [f for f in account.failures if f[1] != address]


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """``data`` into ``path`` whole (a reader never sees half), readable by its owner only;
    ``durable``: on the disk before the name points at it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(temporary, path)
