"""Building and starting the practice server inside a running asyncio loop."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.paths import data_dir
from smtp_tutor.protocol.server import MECHANISMS, Settings
from smtp_tutor.server.certs import ensure_certificates, server_context
from smtp_tutor.server.connection import PracticeConnection, PracticeContext
from smtp_tutor.server.handler import PracticeHandler
from smtp_tutor.server.policy import Limits, TeachingFaults
from smtp_tutor.server.users import DEFAULT_USERS
from smtp_tutor.server.watch import Watcher


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 2525
    domain: str = "hamburger.edu"
    mailbox_dir: Path | None = None
    users: dict[str, str] | None = None
    allow_insecure_auth: bool = False
    limits: Limits = field(default_factory=Limits)
    faults: TeachingFaults = field(default_factory=TeachingFaults)
    watchers: list[Watcher] = field(default_factory=list)
    # the practice world (smtp_tutor/world): another handler (crepes.fr's submission
    # server) and AUTH before MAIL (port 587, RFC 6409 §4.3)
    handler: PracticeHandler | None = None
    auth_required: bool = False
    # mechanisms not offered (the world's submission server keeps to PLAIN and LOGIN, so a
    # mail client such as smtplib, which prefers CRAM-MD5, shows the AUTH PLAIN it teaches)
    auth_exclude: tuple[str, ...] = ()
    # (ca, certificate, key) of this server's own identity (the world's providers);
    # None: the practice server's, in the data directory
    tls_files: tuple[Path, Path, Path] | None = None
    # sockets already listening (the grader binds them inside a sandbox's network):
    # served instead of host/port, which only names the port
    sockets: list[socket.socket] = field(default_factory=list)


@dataclass
class RunningServer:
    server: asyncio.base_events.Server
    handler: PracticeHandler
    host: str
    port: int
    ca_path: Path
    context: PracticeContext
    others: list[asyncio.base_events.Server] = field(default_factory=list)

    async def stop(self) -> None:
        for server in [self.server, *self.others]:
            server.close()
        for server in [self.server, *self.others]:
            await server.wait_closed()
        await self.context.close_all()
        self.handler.store.close()
        for watcher in self.context.watchers:
            watcher.close()


async def start_server(config: ServerConfig) -> RunningServer:
    """Listen on ``config.host``/``config.port`` (0 picks a free port)."""
    home = data_dir()
    mailbox_dir = config.mailbox_dir or home / "mail"
    users = config.users if config.users is not None else dict(DEFAULT_USERS)
    ca_path, cert_path, key_path = (config.tls_files
                                    or ensure_certificates(home / "tls", config.domain))
    handler = config.handler or PracticeHandler(config.domain, users, Path(mailbox_dir),
                                                limits=config.limits, faults=config.faults)
    mechanisms = tuple(m for m in MECHANISMS if m not in config.auth_exclude)
    settings = Settings(domain=config.domain, max_message_size=config.limits.max_message_size,
                        max_errors=config.limits.max_errors,
                        auth_require_tls=not config.allow_insecure_auth,
                        auth_required=config.auth_required, mechanisms=mechanisms)
    context = PracticeContext(config.domain, config.limits, config.faults, config.watchers,
                              settings=settings, users=users,
                              tls=server_context(cert_path, key_path))
    loop = asyncio.get_running_loop()

    def factory() -> PracticeConnection:
        return PracticeConnection(handler, context)

    if config.sockets:
        servers = [await loop.create_server(factory, sock=sock) for sock in config.sockets]
        port = config.port or servers[0].sockets[0].getsockname()[1]
        return RunningServer(servers[0], handler, config.host, port, ca_path, context,
                             servers[1:])
    server = await loop.create_server(factory, host=config.host, port=config.port,
                                      backlog=1024)
    port = server.sockets[0].getsockname()[1]
    return RunningServer(server, handler, config.host, port, ca_path, context)
