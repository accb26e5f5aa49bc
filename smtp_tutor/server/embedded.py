"""The practice server started in-process on a free loopback port, for `smtp-tutor` alone."""

from __future__ import annotations

from smtp_tutor.server.app import RunningServer, ServerConfig, start_server
from smtp_tutor.server.policy import TeachingFaults


class EmbeddedServer:
    """``async with EmbeddedServer() as server:`` gives ``server.host``/``server.port``."""

    def __init__(self, lang: str = "en", host: str = "127.0.0.1", *,
                 greylist_seconds: float = 0.0) -> None:
        self.lang = lang
        self.config = ServerConfig(host=host, port=0,
                                   faults=TeachingFaults(greylist_seconds=greylist_seconds))
        self.running: RunningServer | None = None

    async def __aenter__(self) -> RunningServer:
        self.running = await start_server(self.config)
        return self.running

    async def __aexit__(self, *exc: object) -> None:
        if self.running is not None:
            await self.running.stop()
