"""Between commands, the server may still speak: an idle-timeout 421, a shutdown notice,
a late reply after Ctrl-C stopped a wait.  ``IdleWatch`` reads while the prompt waits
for the student and hands what arrives to ``show`` at once (printed above the prompt),
instead of blaming it on the next command.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from smtp_tutor.net.errors import TransportError


class IdleWatch:
    def __init__(self, connection, show: Callable[[list, TransportError | None], Awaitable[None]]
                 ) -> None:  # noqa: ANN001
        self.connection = connection
        self.show = show
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self.connection.closed or self._task is not None:
            return
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop reading (the next command's own read takes over); nothing is lost."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        while not self.connection.closed:
            try:
                events = await self.connection.read_unsolicited()
            except TransportError as error:
                await self.show(error.events, error)
                return
            await self.show(events, None)
