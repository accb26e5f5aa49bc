"""A practice POP3 server (RFC 1939) on the practice Maildirs: Bob pulls his mail.

STLS (RFC 2595) must come before USER/PASS: a password never crosses the wire in
clear.  CAPA (RFC 2449) lists what is offered.  In the TRANSACTION state: STAT, LIST,
UIDL, RETR, TOP, DELE, NOOP, RSET; QUIT then removes the messages marked with DELE
(the UPDATE state) and, as Dovecot does by default (``pop3_no_flag_updates = no``),
gives the messages RETR'd the IMAP flag \\Seen (``:2,S`` in the Maildir file name).
A message renamed meanwhile by IMAP (a flag changed) is found again by its base name.
Multi-line answers end with a lone ``.``; lines that begin with a dot are dot-stuffed,
as in SMTP's DATA.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.paths import data_dir
from smtp_tutor.protocol.data import encode_body
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.server.certs import ensure_certificates, server_context
from smtp_tutor.server.maildir import MaildirError, checked_box, list_messages

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Pop3Events(Protocol):
        """What the server tells its console: a Pop3Watcher, or any class with these three."""

        def refused(self, limit: int) -> None: ...

        def failed(self, detail: str) -> None: ...

        def retrieved(self, mailbox: str, number: int, octets: int) -> None: ...

MAX_LINE = 255  # RFC 2449 §4: a command line is at most 255 octets
IDLE_TIMEOUT = 600.0  # RFC 1939 §3: at least 10 minutes
MAX_CONNECTIONS = 100  # all clients together; -ERR [SYS/TEMP] beyond (RFC 3206 §4)
CAPABILITIES = ("USER", "STLS", "TOP", "UIDL", "PIPELINING", "RESP-CODES",
                "IMPLEMENTATION smtp-tutor-practice")


def wire_size(message: bytes) -> int:
    """RFC 1939 §5 (LIST): the size in octets as sent, with CRLF line ends."""
    text = message.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if text and not text.endswith(b"\n"):
        text += b"\n"
    return len(text) + text.count(b"\n")


class Pop3Watcher:
    """What the server tells its console; the default says nothing."""

    def refused(self, limit: int) -> None:
        """The first connection over ``limit`` since the count was last under it."""

    def failed(self, detail: str) -> None:
        """A session ended on an error of the server's own (one line, no traceback)."""

    def retrieved(self, mailbox: str, number: int, octets: int) -> None:
        """Message ``number`` of ``mailbox`` (user@domain) was sent whole (RETR)."""


@dataclass
class Pop3Server:
    server: asyncio.base_events.Server
    host: str
    port: int
    locks: set
    name: str = "hamburger.edu"
    writers: set = field(default_factory=set)

    async def stop(self) -> None:
        """Stop listening and close the sessions still open (Python 3.11's
        ``Server.close`` leaves them running)."""
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()


async def start_pop3(host: str, port: int, roots: dict[str, Path], users: dict[str, str], *,
                     default_domain: str, tls_paths: tuple[Path, Path] | None = None,
                     max_connections: int = MAX_CONNECTIONS,
                     watcher: Pop3Events | None = None,
                     verify: Callable[[str, str, str], Awaitable[bool]] | None = None,
                     max_per_client: int = 0, per_client_on_loopback: bool = False,
                     ) -> Pop3Server:
    """``roots``: domain → Maildir root; ``bob`` means ``bob@default_domain``, the name
    the server greets with.  ``verify(user, secret, address)``: another judge of
    passwords than ``users`` (a class's hashed accounts).  ``tls_paths``: (certificate,
    key) for STLS, else the practice server's.  Beyond ``max_connections`` (or
    ``max_per_client`` from one address, loopback exempt unless ``per_client_on_loopback``)
    a client gets ``-ERR [SYS/TEMP]``."""
    from smtp_tutor.imap.server import PerClient

    if tls_paths is None:
        _, cert_path, key_path = ensure_certificates(data_dir() / "tls", default_domain)
        tls_paths = (cert_path, key_path)
    tls = server_context(*tls_paths)
    locks: set[str] = set()
    watch = watcher or Pop3Watcher()
    count = [0, False]  # connections open, refusing already reported
    writers: set[asyncio.StreamWriter] = set()

    by_client = PerClient(max_per_client, per_client_on_loopback)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count[0] += 1
        writers.add(writer)
        address = by_client.admit(writer)
        session = _Session(reader, writer, roots, users, default_domain, tls, locks)
        session.verify = verify
        session.watch = watch
        try:
            if max_connections and count[0] > max_connections:
                if not count[1]:
                    count[1] = True
                    watch.refused(max_connections)
                await session.say(f"-ERR [SYS/TEMP] {default_domain}: too many connections "
                                  f"({max_connections}), try again later")
                return
            if by_client.over(address):
                await session.say(f"-ERR [SYS/TEMP] {default_domain}: too many connections "
                                  f"from {address} ({max_per_client}), try again later")
                return
            await session.run()
        except (ConnectionError, OSError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except Exception as error:  # noqa: BLE001 - a stranger's input must not kill the console
            watch.failed(f"{type(error).__name__}: {error}"[:200])
        finally:
            writers.discard(writer)
            by_client.release(address)
            count[0] -= 1
            if count[0] < max_connections:
                count[1] = False
            session.unlock()
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)

    server = await asyncio.start_server(handle, host, port, limit=MAX_LINE * 4, backlog=1024)
    return Pop3Server(server, host, server.sockets[0].getsockname()[1], locks, default_domain,
                      writers)


class _Session:
    def __init__(self, reader, writer, roots, users, default_domain, tls, locks) -> None:  # noqa: ANN001
        self.reader, self.writer = reader, writer
        self.roots, self.users, self.default_domain = roots, users, default_domain
        self.tls_context, self.locks = tls, locks
        self.tls = False
        self.user = ""  # after USER
        self.mailbox = ""  # after PASS: "user@domain", locked
        self.messages: list[Path] = []
        self.deleted: set[int] = set()
        self.retrieved: set[int] = set()
        self.verify: Callable[[str, str, str], Awaitable[bool]] | None = None
        self.watch: Pop3Events = Pop3Watcher()

    async def say(self, line: str, block: bytes = b"") -> None:
        self.writer.write(line.encode("utf-8", "replace") + b"\r\n" + block)
        await self.writer.drain()

    def unlock(self) -> None:
        self.locks.discard(self.mailbox)

    async def run(self) -> None:
        await self.say(f"+OK {self.default_domain} POP3 practice server ready")
        while True:
            try:
                raw = await asyncio.wait_for(self.reader.readuntil(b"\n"), IDLE_TIMEOUT)
            except asyncio.LimitOverrunError:
                await self.say("-ERR line too long (RFC 2449: at most 255 octets)")
                return
            except TimeoutError:
                await self.say("-ERR idle for too long, closing (RFC 1939 §3)")
                return
            if len(raw) > MAX_LINE:
                await self.say("-ERR line too long (RFC 2449: at most 255 octets)")
                continue
            line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
            words = line.split(None, 1)  # a tab separates words too: PASS<TAB>secret
            verb = words[0].upper() if words else ""
            argument = words[1] if len(words) > 1 else ""
            if verb == "QUIT":
                await self._quit()
                return
            handler = getattr(self, f"_cmd_{verb.lower()}", None) if verb.isalpha() else None
            if handler is None:
                await self.say("-ERR unknown command")
                continue
            await handler(argument.strip())

    # -- AUTHORIZATION -------------------------------------------------------

    async def _cmd_capa(self, _: str) -> None:
        capabilities = [c for c in CAPABILITIES if c != "STLS" or not self.tls]
        block = "".join(f"{c}\r\n" for c in capabilities) + ".\r\n"
        await self.say("+OK Capability list follows", block.encode())

    async def _cmd_stls(self, _: str) -> None:
        if self.tls:
            await self.say("-ERR TLS already active")
            return
        if self.mailbox:
            await self.say("-ERR STLS only before login (RFC 2595 §4)")
            return
        await self.say("+OK Begin TLS negotiation")
        # RFC 2595 §4 (the CVE-2011-0411 shape): commands sent in clear behind STLS were
        # not protected by TLS; run them and a man in the middle could add his own
        self.reader._buffer.clear()
        await self.writer.start_tls(self.tls_context)
        self.tls = True
        self.user = ""

    async def _cmd_user(self, name: str) -> None:
        if self.mailbox:
            await self.say("-ERR already logged in")
        elif not self.tls:
            await self.say("-ERR [AUTH] USER only after STLS: the password would travel in clear")
        elif not name:
            await self.say("-ERR USER needs a name, e.g. USER bob")
        else:
            self.user = name
            await self.say(f"+OK send PASS for {_safe(name)}")

    async def _cmd_pass(self, secret: str) -> None:
        if self.mailbox:
            await self.say("-ERR already logged in")
            return
        if not self.user:
            await self.say("-ERR USER first")
            return
        local, _, domain = self.user.lower().partition("@")
        domain = domain or self.default_domain
        self.user = ""
        if not await self._password_ok(domain, local, secret):
            await asyncio.sleep(0.5)  # RFC 1939 §13: slow down guessing
            await self.say("-ERR [AUTH] invalid user name or password")
            return
        mailbox = f"{local}@{domain}"
        if mailbox in self.locks:
            await self.say("-ERR [IN-USE] the mailbox is open in another POP3 session")
            return
        try:
            checked_box(self.roots[domain], local)
        except MaildirError:
            await self.say("-ERR [SYS/PERM] this mailbox cannot be opened safely")
            return
        self.locks.add(mailbox)
        self.mailbox = mailbox
        self.messages = list_messages(self.roots[domain], local)
        size = sum(wire_size(_contents(p)) for p in self.messages)
        await self.say(f"+OK {local}'s maildrop has {len(self.messages)} message(s) "
                       f"({size} octets)")

    async def _password_ok(self, domain: str, local: str, secret: str) -> bool:
        if domain not in self.roots or local not in self.users:
            return False
        if self.verify is not None:
            peer = self.writer.get_extra_info("peername") or ("?", 0)
            return await self.verify(local, secret, str(peer[0]))
        return bool(self.users[local]) and self.users[local] == secret

    # -- TRANSACTION ---------------------------------------------------------

    def _live(self) -> list[tuple[int, Path]]:
        return [(n, p) for n, p in enumerate(self.messages, 1) if n not in self.deleted]

    async def _need_login(self) -> bool:
        if not self.mailbox:
            await self.say("-ERR log in first: USER and PASS (after STLS)")
            return False
        return True

    async def _message(self, argument: str) -> tuple[int, Path] | None:
        number = ascii_int(argument.split()[0]) if argument.split() else None
        if number is None:
            await self.say("-ERR give a message number in digits 0-9, e.g. 1")
            return None
        if not 1 <= number <= len(self.messages):
            await self.say(f"-ERR no message {number}")
            return None
        if number in self.deleted:
            await self.say(f"-ERR message {number} already deleted")
            return None
        if not self.messages[number - 1].is_file():
            moved = _renamed(self.messages[number - 1])  # a flag changed over IMAP
            if moved is None:
                await self.say(f"-ERR message {number} was removed by another program")
                return None
            self.messages[number - 1] = moved
        return number, self.messages[number - 1]

    async def _cmd_stat(self, _: str) -> None:
        if await self._need_login():
            live = self._live()
            size = sum(wire_size(_contents(p)) for _, p in live)
            await self.say(f"+OK {len(live)} {size}")

    async def _cmd_list(self, argument: str) -> None:
        if not await self._need_login():
            return
        if argument:
            found = await self._message(argument)
            if found:
                await self.say(f"+OK {found[0]} {wire_size(_contents(found[1]))}")
            return
        live = self._live()
        block = "".join(f"{n} {wire_size(_contents(p))}\r\n" for n, p in live) + ".\r\n"
        await self.say(f"+OK {len(live)} message(s)", block.encode())

    async def _cmd_uidl(self, argument: str) -> None:
        if not await self._need_login():
            return
        if argument:
            found = await self._message(argument)
            if found:
                await self.say(f"+OK {found[0]} {_uid(found[1])}")
            return
        block = "".join(f"{n} {_uid(p)}\r\n" for n, p in self._live()) + ".\r\n"
        await self.say("+OK unique-id listing follows", block.encode())

    async def _cmd_retr(self, argument: str) -> None:
        if await self._need_login() and (found := await self._message(argument)):
            data = _contents(found[1])
            self.retrieved.add(found[0])
            await self.say(f"+OK {wire_size(data)} octets", encode_body(data))
            self.watch.retrieved(self.mailbox, found[0], wire_size(data))

    async def _cmd_top(self, argument: str) -> None:
        if not await self._need_login():
            return
        words = argument.split()
        if len(words) != 2 or ascii_int(words[1]) is None:
            await self.say("-ERR TOP takes a message number and a number of lines: TOP 1 5")
            return
        if found := await self._message(words[0]):
            data = _contents(found[1]).replace(b"\r\n", b"\n")
            head, _, body = data.partition(b"\n\n")
            lines = body.split(b"\n")[: ascii_int(words[1])]
            await self.say("+OK top of message follows",
                           encode_body(head + b"\n\n" + b"\n".join(lines)))

    async def _cmd_dele(self, argument: str) -> None:
        if await self._need_login() and (found := await self._message(argument)):
            self.deleted.add(found[0])
            await self.say(f"+OK message {found[0]} marked for deletion (removed at QUIT)")

    async def _cmd_rset(self, _: str) -> None:
        if await self._need_login():
            self.deleted.clear()
            await self.say(f"+OK {len(self.messages)} message(s), none marked for deletion")

    async def _cmd_noop(self, _: str) -> None:
        if await self._need_login():
            await self.say("+OK")

    async def _quit(self) -> None:
        """RFC 1939 §6: the UPDATE state, only after a QUIT in TRANSACTION."""
        removed = 0
        for number in sorted(self.deleted):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(_renamed(self.messages[number - 1]) or self.messages[number - 1])
                removed += 1
        for number in sorted(self.retrieved - self.deleted):
            _mark_seen(self.messages[number - 1])
        note = f" ({removed} message(s) deleted)" if self.mailbox else ""
        await self.say(f"+OK {self.default_domain} POP3 server signing off{note}")


def _contents(path: Path) -> bytes:
    """A message's bytes; one removed meanwhile by another program reads as empty (its
    session goes on) rather than ending the session."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _renamed(path: Path) -> Path | None:
    """The message's file now: the same base name in ``new/`` or ``cur/`` (flags are the
    part after ``:``, and IMAP moves a message to ``cur/`` when it changes them)."""
    if path.is_file():
        return path
    base = path.name.split(":", 1)[0]
    box = path.parent.parent
    for sub in ("cur", "new"):
        with contextlib.suppress(OSError), os.scandir(box / sub) as entries:
            for entry in entries:
                if entry.name.split(":", 1)[0] == base and entry.is_file(follow_symlinks=False):
                    return Path(entry.path)
    return None


def _mark_seen(path: Path) -> None:
    """Dovecot's POP3 sets \\Seen on the messages it sent (pop3_no_flag_updates = no)."""
    from smtp_tutor.imap.maildir import flags_of, with_flags

    current = _renamed(path)
    if current is None:
        return
    flags = flags_of(current.name) if current.parent.name == "cur" else frozenset()
    target = current.parent.parent / "cur" / with_flags(current.name, flags | {"\\Seen"})
    if target != current:
        with contextlib.suppress(OSError):
            os.rename(current, target)


def _uid(path: Path) -> str:
    return path.name.split(":", 1)[0][:70]


def _safe(text: str) -> str:
    from smtp_tutor.protocol.visible import printable

    return printable(text)[:64]
