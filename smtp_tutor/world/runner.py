"""Starting the practice world in a running asyncio loop, and stopping it.

One process: the DNS on UDP, crepes.fr's submission server, hamburger.edu as MX,
bistro.fr (a domain with no MX), the queue manager with its relay client, the
POP3 servers, and the IMAP server on hamburger.edu's Maildirs (the same files POP3
reads).  Port 0 anywhere picks a free port.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.paths import data_dir
from smtp_tutor.server.app import RunningServer, ServerConfig, start_server
from smtp_tutor.server.maildir import MaildirStore
from smtp_tutor.server.policy import Limits, TeachingFaults
from smtp_tutor.server.users import DEFAULT_USERS
from smtp_tutor.world.certs import ensure_world_certificates
from smtp_tutor.world.events import (
    Delivered,
    Fetched,
    RcptChecked,
    ReaderFailed,
    ReaderRefused,
    WorldWatcher,
    answer_of,
    trace_of,
)
from smtp_tutor.world.handlers import MxHandler, SubmissionHandler
from smtp_tutor.world.manager import QueueManager
from smtp_tutor.world.queue import MailQueue
from smtp_tutor.world.relay import RelayClient
from smtp_tutor.world.retry import RetrySchedule
from smtp_tutor.world.zone import PracticeResolver, ZoneServer, load_zone, serve_zone

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.imap.server import ImapServer
    from smtp_tutor.pop3.server import Pop3Server

SENDER_DOMAIN, MX_DOMAIN, FALLBACK_DOMAIN = "crepes.fr", "hamburger.edu", "bistro.fr"
STATE_FILE = "world.json"


def world_dir() -> Path:
    return data_dir() / "world"


@dataclass
class WorldConfig:
    directory: Path = field(default_factory=world_dir)
    host: str = "127.0.0.1"
    dns_port: int = 10053  # plays 53
    submission_port: int = 2587  # plays 587
    mx_port: int = 2525  # plays 25 on mx.hamburger.edu
    fallback_port: int = 2526  # plays 25 on bistro.fr
    pop3_port: int = 2110  # plays 110 on pop.hamburger.edu
    pop3_crepes_port: int = 2111  # plays 110 on pop.crepes.fr: Alice's own mailbox
    imap_port: int = 2143  # plays 143 on imap.hamburger.edu: Bob's mailbox, kept on the server
    users: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_USERS))
    schedule: RetrySchedule = field(default_factory=RetrySchedule)
    mx_faults: TeachingFaults = field(default_factory=TeachingFaults)
    watcher: WorldWatcher | None = None
    submission_watchers: list = field(default_factory=list)
    pickup_delay: float = 0.0  # seconds before the queue manager takes a new message
    pop3: bool = True
    timeout: float = 30.0
    pop3_max_connections: int = 100  # -ERR [SYS/TEMP] beyond, said once on the console
    imap: bool = True
    imap_max_connections: int = 100  # * BYE [UNAVAILABLE] beyond


@dataclass
class World:
    config: WorldConfig
    dns: ZoneServer
    submission: RunningServer
    mx: RunningServer
    fallback: RunningServer
    manager: QueueManager
    ports: dict[str, int]
    ca_path: Path
    pop3: Pop3Server | None = None
    pop3_crepes: Pop3Server | None = None  # crepes.fr's own POP3 server, for Alice
    imap: ImapServer | None = None  # hamburger.edu's IMAP server, on Bob's Maildir

    @property
    def mail_dir(self) -> Path:
        return self.config.directory / "mail"

    def maildir(self, domain: str) -> Path:
        return self.mail_dir / domain

    async def stop(self) -> None:
        await self.submission.stop()  # no new mail first
        await self.manager.stop()
        for server in (self.mx, self.fallback):
            await server.stop()
        for reader in (self.pop3, self.pop3_crepes, self.imap):
            if reader is not None:
                await reader.stop()
        self.manager.local_store.close()
        self.dns.close()


async def start_world(config: WorldConfig) -> World:
    directory = config.directory
    mail = directory / "mail"
    watcher = config.watcher or WorldWatcher()
    certificates = ensure_world_certificates(directory / "tls")
    dns = await serve_zone(load_zone(), config.host, config.dns_port)
    resolver = PracticeResolver(config.host, dns.port)
    mx = await start_server(ServerConfig(
        host=config.host, port=config.mx_port, domain=MX_DOMAIN, mailbox_dir=mail / MX_DOMAIN,
        users=config.users, faults=config.mx_faults,
        tls_files=certificates.for_domain(MX_DOMAIN),
        handler=MxHandler(MX_DOMAIN, config.users, mail / MX_DOMAIN, faults=config.mx_faults,
                          delivered=_delivered(watcher, MX_DOMAIN))))
    fallback = await start_server(ServerConfig(
        host=config.host, port=config.fallback_port, domain=FALLBACK_DOMAIN,
        mailbox_dir=mail / FALLBACK_DOMAIN, users=config.users,
        tls_files=certificates.for_domain(FALLBACK_DOMAIN),
        handler=MxHandler(FALLBACK_DOMAIN, config.users, mail / FALLBACK_DOMAIN,
                          delivered=_delivered(watcher, FALLBACK_DOMAIN))))
    ports = {f"mx.{MX_DOMAIN}": mx.port, FALLBACK_DOMAIN: fallback.port}
    relay = RelayClient(resolver, ports, SENDER_DOMAIN, watcher=watcher,
                        cafile=str(certificates.ca), timeout=config.timeout)
    manager = QueueManager(MailQueue(directory / "queue"), relay, local_domain=SENDER_DOMAIN,
                           local_users=config.users,
                           local_store=MaildirStore(mail / SENDER_DOMAIN),
                           schedule=config.schedule, watcher=watcher,
                           pickup_delay=config.pickup_delay)
    await manager.load()
    handler = SubmissionHandler(SENDER_DOMAIN, config.users, mail / SENDER_DOMAIN,
                                resolver=resolver, enqueue=manager.submit_id,
                                checked=lambda address, route: watcher.publish(
                                    RcptChecked(address, route.domain, answer_of(route))),
                                limits=Limits())
    submission = await start_server(ServerConfig(
        host=config.host, port=config.submission_port, domain=SENDER_DOMAIN,
        mailbox_dir=mail / SENDER_DOMAIN, users=config.users, handler=handler,
        auth_required=True, watchers=list(config.submission_watchers),
        tls_files=certificates.for_domain(SENDER_DOMAIN),
        auth_exclude=("CRAM-MD5", "XOAUTH2")))
    manager.start()
    world = World(config, dns, submission, mx, fallback, manager, ports, certificates.ca)
    if config.pop3:
        from smtp_tutor.pop3.server import start_pop3

        # each provider its own POP3 server, name and certificate: Bob reads his mail at
        # hamburger.edu, Alice hers (a bounce) at crepes.fr
        for domain, port, attribute in ((MX_DOMAIN, config.pop3_port, "pop3"),
                                        (SENDER_DOMAIN, config.pop3_crepes_port, "pop3_crepes")):
            setattr(world, attribute, await start_pop3(
                config.host, port, {domain: mail / domain}, config.users,
                default_domain=domain, tls_paths=certificates.files[domain],
                max_connections=config.pop3_max_connections,
                watcher=_ReaderConsole(watcher, "pop3")))
    if config.imap:
        from smtp_tutor.imap.server import start_imap

        world.imap = await start_imap(
            config.host, config.imap_port, mail / MX_DOMAIN, config.users, domain=MX_DOMAIN,
            tls_paths=certificates.files[MX_DOMAIN],
            max_connections=config.imap_max_connections, watcher=_ReaderConsole(watcher, "imap"))
    write_state(world)
    return world


def _delivered(watcher: WorldWatcher, domain: str) -> Callable[[str, Path, bytes], None]:
    """An MX's delivery into a Maildir, published as the last hop's event."""
    def publish(user: str, path: Path, message: bytes) -> None:
        watcher.publish(Delivered(domain, user, str(path), trace_of(message)))

    return publish


class _ReaderConsole:
    """The POP3 or IMAP server's console events, published as the world's."""

    def __init__(self, watcher: WorldWatcher, protocol: str) -> None:
        self.watcher = watcher
        self.protocol = protocol

    def refused(self, limit: int) -> None:
        self.watcher.publish(ReaderRefused(self.protocol, limit))

    def failed(self, detail: str) -> None:
        self.watcher.publish(ReaderFailed(self.protocol, detail))

    def retrieved(self, mailbox: str, number: int, octets: int) -> None:
        self.watcher.publish(Fetched(self.protocol, mailbox, number, octets))


def write_state(world: World) -> None:
    """Where everything listens, for `smtp-tutor queue` and the lessons."""
    state = {"pid": os.getpid(), "dns": world.dns.port, "submission": world.submission.port,
             "mx": world.mx.port, "fallback": world.fallback.port,
             "pop3": world.pop3.port if world.pop3 is not None else None,
             "pop3_crepes": world.pop3_crepes.port if world.pop3_crepes is not None else None,
             "imap": world.imap.port if world.imap is not None else None,
             "ca": str(world.ca_path), "directory": str(world.config.directory)}
    path = world.config.directory / STATE_FILE
    path.write_text(json.dumps(state, indent=1), encoding="utf-8")


def read_state(directory: Path | None = None) -> dict | None:
    try:
        return json.loads(((directory or world_dir()) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
