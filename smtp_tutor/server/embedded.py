"""The practice server started in-process on a free loopback port, for `smtp-tutor` alone."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

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

    @contextlib.contextmanager
    def in_thread(self) -> Iterator[RunningServer]:
        """The server on an event loop of its own thread, for a caller without one (the
        scripted client, which works on a blocking socket)."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="practice-server", daemon=True)
        thread.start()
        try:
            running = asyncio.run_coroutine_threadsafe(self.__aenter__(), loop).result(30)
            try:
                yield running
            finally:
                asyncio.run_coroutine_threadsafe(self.__aexit__(), loop).result(30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()
