"""Starting the class server: SMTP (submission with AUTH over STARTTLS, and a student's own
program without AUTH), POP3 and IMAP on the same Maildirs, state kept in the class folder.

Every password (SMTP AUTH, POP3 PASS, IMAP LOGIN, the lesson channel) is checked by
``Accounts.verify`` with the client's address, so the same limits and locks hold on all
four doors; POP3 and IMAP open only the mailbox of the account that logged in.

The class folder holds ``accounts.json`` (hashed passwords, tokens), ``progress.json``,
``board.json`` (what the board shows, no secrets), ``mail/`` (a Maildir per student),
``tls/`` (the practice CA and the server's certificate) and the slips when written.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.classroom.accounts import Account, Accounts, write_private
from smtp_tutor.classroom.channel import serve_channel
from smtp_tutor.classroom.handler import ClassHandler
from smtp_tutor.classroom.room import Room
from smtp_tutor.classroom.snapshot import snapshot
from smtp_tutor.classroom.tls import ensure_class_certificates, fingerprint
from smtp_tutor.imap.maildir import MaildirAccount
from smtp_tutor.imap.server import ImapServer, start_imap
from smtp_tutor.pop3.server import Pop3Server, start_pop3
from smtp_tutor.server.app import RunningServer, ServerConfig, start_server
from smtp_tutor.server.certs import server_context
from smtp_tutor.server.maildir import MaildirError, checked_box
from smtp_tutor.server.policy import Limits
from smtp_tutor.server.watch import Peer

SAVE_EVERY = 1.0  # seconds between writes of progress.json and board.json


@dataclass
class ClassConfig:
    folder: Path
    host: str = "127.0.0.1"
    port: int = 2525  # SMTP; 0 picks a free one
    pop3_port: int = 2110
    imap_port: int = 2143
    progress_port: int = 2465  # the lesson player's reports (channel.py)
    domain: str = "class.example"
    max_message_size: int = 1024 * 1024
    max_recipients: int = 10
    connections_per_student: int = 4
    messages_per_minute: int = 30
    max_per_client: int = 20  # connections from one address at once (a lab PC), each door
    per_client_on_loopback: bool = False  # loopback is exempt (a test asks for it)
    # the instructor's own (ca, certificate, key) instead of the class's practice CA
    tls_files: tuple[Path, Path, Path] | None = None


@dataclass
class RunningClass:
    config: ClassConfig
    room: Room
    smtp: RunningServer
    pop3: Pop3Server
    imap: ImapServer
    channel: asyncio.base_events.Server
    ca_path: Path
    fingerprint: str
    started: float
    tasks: list[asyncio.Task] = field(default_factory=list)
    last_took: float = 0.0  # seconds the last board.json took to build and write

    @property
    def port(self) -> int:
        return self.smtp.port

    @property
    def pop3_port(self) -> int:
        return self.pop3.port

    @property
    def imap_port(self) -> int:
        return self.imap.port

    @property
    def progress_port(self) -> int:
        return self._progress_port

    def __post_init__(self) -> None:  # asked after stop() too, when the board is written
        self._progress_port = self.channel.sockets[0].getsockname()[1]

    def board(self) -> dict:
        return snapshot(self)

    def write_board(self) -> None:
        began = time.perf_counter()
        board = self.board()
        board["took"] = self.last_took  # the previous write's time (the benchmark reads it)
        write_private(self.config.folder / "board.json",
                      json.dumps(board, ensure_ascii=False).encode("utf-8"), durable=False)
        self.last_took = time.perf_counter() - began

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.channel.close()
        await self.pop3.stop()
        await self.imap.stop()
        await self.smtp.stop()
        await self.channel.wait_closed()
        self.room.save()
        self.write_board()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_folder(folder: Path) -> Accounts:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Accounts(folder / "accounts.json")


async def start_class(config: ClassConfig, accounts: Accounts | None = None) -> RunningClass:
    """Listen for the class; ``accounts`` already made (``open_folder`` and ``add``)."""
    folder = config.folder
    accounts = accounts or open_folder(folder)
    room = Room(folder, accounts, config.domain)
    ca_path, cert_path, key_path = config.tls_files or ensure_class_certificates(
        folder / "tls", config.domain, config.host)
    limits = Limits(max_message_size=config.max_message_size,
                    max_recipients=config.max_recipients, max_per_client=config.max_per_client,
                    per_client_on_loopback=config.per_client_on_loopback)
    # POP3 and IMAP: room for every student's share at once (a class reads its mail when
    # told to), and the same limit by client address as SMTP
    reading_cap = max(100, config.connections_per_student * len(accounts.by_name))
    handler = ClassHandler(config.domain, room, folder / "mail", limits=limits,
                           connections_per_student=config.connections_per_student,
                           messages_per_minute=config.messages_per_minute)

    async def check(user: str, secret: str, address: str) -> Account | None:
        account = await accounts.verify(user, secret, address)
        if account is None:
            room.password_failed(user)
        return account

    async def smtp_verify(user: str, secret: str, peer: Peer) -> bool:
        account = await check(user, secret, peer.host)
        if account is not None:
            room.attribute(peer, account, "auth")
        return account is not None

    async def pop3_verify(user: str, secret: str, address: str) -> bool:
        return await check(user, secret, address) is not None

    async def imap_login(user: str, secret: str, address: str) -> MaildirAccount | None:
        local, _, domain = user.lower().partition("@")
        if domain and domain != room.domain:
            return None
        account = await check(local, secret, address)
        if account is None:
            return None
        try:  # the mailbox of the account that logged in, never another
            checked_box(folder / "mail", account.username)
        except MaildirError:
            return None
        return MaildirAccount(folder / "mail", account.username)

    async def record_lesson(user: str, secret: str, report: dict, address: str) -> bool:
        account = await check(user, secret, address)
        if account is None:
            return False
        room.lesson(account.username, report)
        return True

    smtp = await start_server(ServerConfig(
        host=config.host, port=config.port, domain=config.domain,
        mailbox_dir=folder / "mail", users=handler.users, limits=limits, watchers=[room],
        handler=handler, auth_exclude=("CRAM-MD5",), tls_files=(ca_path, cert_path, key_path),
        verify=smtp_verify))
    pop3: Pop3Server | None = None
    imap: ImapServer | None = None
    try:
        pop3 = await start_pop3(config.host, config.pop3_port, {room.domain: folder / "mail"},
                                {name: "-" for name in accounts.by_name},
                                default_domain=room.domain, tls_paths=(cert_path, key_path),
                                verify=pop3_verify, max_connections=reading_cap,
                                max_per_client=config.max_per_client,
                                per_client_on_loopback=config.per_client_on_loopback)
        imap = await start_imap(config.host, config.imap_port, folder / "mail",
                                {name: "" for name in accounts.by_name}, domain=room.domain,
                                tls_paths=(cert_path, key_path), login=imap_login,
                                max_connections=reading_cap,
                                max_per_client=config.max_per_client,
                                per_client_on_loopback=config.per_client_on_loopback)
        channel = await serve_channel(config.host, config.progress_port,
                                      server_context(cert_path, key_path), record_lesson,
                                      ca_path.read_text())
    except OSError:
        await smtp.stop()
        for other in (pop3, imap):
            if other is not None:
                await other.stop()
        raise
    running = RunningClass(config, room, smtp, pop3, imap, channel, ca_path,
                           fingerprint(ca_path), time.time())
    room.save()
    running.write_board()
    running.tasks.append(asyncio.get_running_loop().create_task(_keep(running)))
    return running


async def _keep(running: RunningClass) -> None:
    """progress.json when something changed, board.json every time (the stuck clocks)."""
    while True:
        await asyncio.sleep(SAVE_EVERY)
        if running.room.dirty:
            running.room.save()
        running.write_board()
