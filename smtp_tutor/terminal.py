"""What the program knows about the terminal it runs in, for every layer that asks."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # annotations only
if TYPE_CHECKING:
    from collections.abc import Callable


def stdin_is_tty() -> bool:
    """A person types (the interactive shells); otherwise a script pipes (or a test forces
    the scripted mode with SMTP_TUTOR_FORCE_SCRIPTED=1)."""
    return sys.stdin.isatty() and os.environ.get("SMTP_TUTOR_FORCE_SCRIPTED") != "1"


def on_hangup(cleanup: Callable[[], None]) -> None:
    """A terminal closed (SIGHUP) or a ``kill`` (SIGTERM) while the running task shows a
    screen: ``cleanup`` runs at once (a SIGKILL may follow soon; it must not wait), then the
    task is cancelled so its ``finally`` blocks run as after Ctrl-C. Call it from the task."""
    import asyncio
    import contextlib
    import signal

    loop, task = asyncio.get_running_loop(), asyncio.current_task()

    def stop() -> None:
        cleanup()
        if task is not None:
            task.cancel()

    for number in (signal.SIGHUP, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, stop)
