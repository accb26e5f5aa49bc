"""Building and starting the practice server inside a running asyncio loop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from smtp_tutor.paths import data_dir
from smtp_tutor.server.certs import ensure_certificates, server_context
from smtp_tutor.server.handler import PracticeHandler, make_authenticator

MAX_MESSAGE = 10 * 1024 * 1024


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 2525
    domain: str = "hamburger.edu"
    mailbox_dir: Path | None = None
    users: dict[str, str] | None = None
    allow_insecure_auth: bool = False
    idle_timeout: float = 300.0
    greylist_seconds: float = 0.0


@dataclass
class RunningServer:
    server: asyncio.base_events.Server
    handler: PracticeHandler
    host: str
    port: int
    ca_path: Path

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start_server(config: ServerConfig) -> RunningServer:
    """Listen on ``config.host``/``config.port`` (0 picks a free port)."""
    import warnings

    from smtp_tutor.server.protocol import PracticeSMTP

    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    # aiosmtpd's own log lines (warnings like "aborted AUTH") would print over the
    # dialogue on stderr; the live console and the client already show what happened
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    from smtp_tutor.server.users import DEFAULT_USERS

    home = data_dir()
    mailbox_dir = config.mailbox_dir or home / "mail"
    users = config.users if config.users is not None else dict(DEFAULT_USERS)
    ca_path, cert_path, key_path = ensure_certificates(home / "tls", config.domain)
    tls = server_context(cert_path, key_path)
    handler = PracticeHandler(config.domain, users, Path(mailbox_dir),
                              greylist_seconds=config.greylist_seconds)
    authenticator = make_authenticator(users)
    loop = asyncio.get_running_loop()

    def factory() -> PracticeSMTP:
        return PracticeSMTP(handler, hostname=config.domain, ident="ESMTP smtp-tutor practice server",
                    data_size_limit=MAX_MESSAGE, enable_SMTPUTF8=True, tls_context=tls,
                    authenticator=authenticator, auth_require_tls=not config.allow_insecure_auth,
                    timeout=config.idle_timeout, loop=loop)

    server = await loop.create_server(factory, host=config.host, port=config.port)
    port = server.sockets[0].getsockname()[1]
    return RunningServer(server, handler, config.host, port, ca_path)
