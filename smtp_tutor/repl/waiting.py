"""Waiting for the server, visibly, and Ctrl-C to stop waiting (never to kill the shell).

While a reply is pending the terminal is not in prompt mode, so Ctrl-C arrives as
SIGINT.  It cancels the wait only: the command stays in flight in the session, so a
reply that comes later is still matched to it (and shown by the idle watch).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")
SHOW_AFTER = 0.3  # seconds: a fast reply shows no indicator at all
TICK = 0.5


class AuthCancelled(Exception):
    """Ctrl-C or Ctrl-D at a credentials prompt."""


class StoppedWaiting(Exception):
    """The user pressed Ctrl-C while a reply was pending."""


async def wait_visibly(work: Awaitable[T], console, label) -> T:  # noqa: ANN001
    """Run ``work``; after SHOW_AFTER, show ``label(seconds)`` with a spinner on ``console``."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    interrupted = []

    def stop() -> None:
        interrupted.append(True)
        task.cancel()

    installed = _install(loop, stop)
    try:
        done, _ = await asyncio.wait({task}, timeout=SHOW_AFTER)
        if not done:
            started = loop.time() - SHOW_AFTER
            with console.status(label(SHOW_AFTER), spinner="dots") as status:
                while not task.done():
                    await asyncio.wait({task}, timeout=TICK)
                    status.update(label(loop.time() - started))
        return await task
    except asyncio.CancelledError:
        if interrupted:
            raise StoppedWaiting() from None
        raise
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGINT)


def _install(loop: asyncio.AbstractEventLoop, stop) -> bool:  # noqa: ANN001
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, stop)
        return True
    return False
