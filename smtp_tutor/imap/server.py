"""The practice IMAP server: asyncio around the sans-I/O core (``protocol.imap.server``).

Bob reads the same Maildir as with POP3, but leaves his mail on the server: flags and
folders are kept there.  The driver only moves bytes: the core decides every reply.
Limits for strangers: a cap on connections (``* BYE [UNAVAILABLE]`` beyond), the core's
line and literal limits, an idle timeout (RFC 9051 §5.4: at least 30 minutes), what was
sent in clear behind STARTTLS dropped unread, no password in any log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.imap.maildir import MaildirAccounts
from smtp_tutor.protocol.imap.mailbox import Account
from smtp_tutor.protocol.imap.server import (
    Action,
    CheckLogin,
    Close,
    Fetched,
    ImapServerSession,
    Pause,
    Send,
    StartTls,
)

# another judge of passwords than ``users``: (user, password, client address) → account
Login = Callable[[str, str, str], Awaitable[Account | None]]

IDLE_TIMEOUT = 30 * 60.0
MAX_CONNECTIONS = 100


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class ImapEvents(Protocol):
        """What the server tells its console: an ImapWatcher, or any class with these three."""

        def refused(self, limit: int) -> None: ...

        def failed(self, detail: str) -> None: ...

        def retrieved(self, mailbox: str, number: int, octets: int) -> None: ...


class ImapWatcher:
    """What the server tells its console; the default says nothing."""

    def refused(self, limit: int) -> None:
        """The first connection over ``limit`` since the count was last under it."""

    def failed(self, detail: str) -> None:
        """A session ended on an error of the server's own (one line, no traceback)."""

    def retrieved(self, mailbox: str, number: int, octets: int) -> None:
        """Message ``number`` of ``mailbox`` (user@domain) was sent whole (``BODY[]``)."""


@dataclass
class ImapServer:
    server: asyncio.base_events.Server
    host: str
    port: int
    name: str = "hamburger.edu"
    writers: set = field(default_factory=set)

    async def stop(self) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()


async def start_imap(host: str, port: int, root: Path, users: dict[str, str], *,
                     domain: str, tls_paths: tuple[Path, Path] | None = None,
                     max_connections: int = MAX_CONNECTIONS,
                     watcher: ImapEvents | None = None,
                     idle_timeout: float = IDLE_TIMEOUT,
                     login: Login | None = None, max_per_client: int = 0,
                     per_client_on_loopback: bool = False) -> ImapServer:
    """Serve ``root``'s Maildirs (``root/bob``) for ``users`` on ``host:port``.
    ``tls_paths``: (certificate, key) for STARTTLS; without them, the practice server's.
    ``login(user, password, address)``: the account, or None, instead of ``users``'
    passwords (a class's hashed accounts, limited by the client's address).
    ``max_per_client``: connections from one address at once (0: no limit; loopback is
    exempt unless ``per_client_on_loopback``, as the SMTP server's ``Limits``)."""
    from smtp_tutor.server.certs import ensure_certificates, server_context

    if tls_paths is None:
        from smtp_tutor.paths import data_dir

        _, cert_path, key_path = ensure_certificates(data_dir() / "tls", domain)
        tls_paths = (cert_path, key_path)
    tls = server_context(*tls_paths)
    accounts = MaildirAccounts(root, users, domain)
    watch = watcher or ImapWatcher()
    count = [0, False]
    writers: set[asyncio.StreamWriter] = set()
    by_client = PerClient(max_per_client, per_client_on_loopback)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        count[0] += 1
        writers.add(writer)
        address = by_client.admit(writer)
        try:
            if max_connections and count[0] > max_connections:
                if not count[1]:
                    count[1] = True
                    watch.refused(max_connections)
                writer.write(f"* BYE [UNAVAILABLE] {domain}: too many connections "
                             f"({max_connections}), try again later\r\n".encode())
                await writer.drain()
                return
            if by_client.over(address):
                writer.write(f"* BYE [UNAVAILABLE] {domain}: too many connections from "
                             f"{address} ({max_per_client}), try again later\r\n".encode())
                await writer.drain()
                return
            session = ImapServerSession(accounts, domain, ask_login=login is not None)
            await _serve(reader, writer, session, tls, idle_timeout, login,
                         lambda fetched: watch.retrieved(f"{fetched.user}@{domain}",
                                                         fetched.number, fetched.octets))
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
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)

    server = await asyncio.start_server(handle, host, port, backlog=1024)
    return ImapServer(server, host, server.sockets[0].getsockname()[1], domain, writers)


class PerClient:
    """Connections by client address, for a limit on each (the SMTP server's ``Gate``
    answers in SMTP; POP3 and IMAP say their own refusals)."""

    def __init__(self, limit: int, on_loopback: bool = False) -> None:
        self.limit, self.on_loopback = limit, on_loopback
        self.open: dict[str, int] = {}

    def admit(self, writer: asyncio.StreamWriter) -> str:
        peer = writer.get_extra_info("peername") or ("?", 0)
        address = str(peer[0])
        self.open[address] = self.open.get(address, 0) + 1
        return address

    def over(self, address: str) -> bool:
        if not self.limit or self.open.get(address, 0) <= self.limit:
            return False
        import ipaddress

        try:
            loopback = ipaddress.ip_address(address).is_loopback
        except ValueError:
            loopback = False
        return self.on_loopback or not loopback

    def release(self, address: str) -> None:
        left = self.open.get(address, 1) - 1
        if left > 0:
            self.open[address] = left
        else:
            self.open.pop(address, None)


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 session: ImapServerSession, tls, idle_timeout: float,  # noqa: ANN001
                 login: Login | None = None,
                 fetched: Callable[[Fetched], None] | None = None) -> None:
    writer.write(session.greeting())
    await writer.drain()
    while True:
        try:
            data = await asyncio.wait_for(reader.read(65536), idle_timeout)
        except TimeoutError:
            writer.write(b"* BYE idle for too long, closing (RFC 9051 \xc2\xa75.4)\r\n")
            await writer.drain()
            return
        if not data:
            return
        if not await _obey(session.receive(data), session, reader, writer, tls, login,
                           fetched):
            return
        await writer.drain()


async def _obey(actions: list[Action], session: ImapServerSession,
                reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls,  # noqa: ANN001
                login: Login | None, fetched: Callable[[Fetched], None] | None = None) -> bool:
    """Carry out the core's actions; False when the connection is to close."""
    while actions:
        action, actions = actions[0], actions[1:]
        if isinstance(action, Send):
            writer.write(action.data)
        elif isinstance(action, Pause):
            await writer.drain()
            await asyncio.sleep(action.seconds)
        elif isinstance(action, StartTls):
            await writer.drain()
            # RFC 9051 §11.1: commands sent in clear behind STARTTLS are dropped
            reader._buffer.clear()  # type: ignore[attr-defined]
            await writer.start_tls(tls)
        elif isinstance(action, Close):
            await writer.drain()
            return False
        elif isinstance(action, CheckLogin) and login is not None:
            peer = writer.get_extra_info("peername") or ("?", 0)
            account = await login(action.user, action.password, str(peer[0]))
            actions = session.login_answer(account) + actions
        elif isinstance(action, Fetched) and fetched is not None:
            fetched(action)
    return True
