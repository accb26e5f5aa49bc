"""Output that can never hold up the server: the console's stream and the error reporter.

The live console prints every line of every connection.  If its terminal stops reading
(Ctrl-S, ``serve | less`` not scrolled, a slow SSH link), a blocking write would
freeze the event loop and with it every client.  ``ConsoleStream`` hands text to a
writer thread through a bounded queue; when the queue is full the text is dropped and
counted, and the count is said once the reader catches up.

``ErrorReporter`` keeps a flood of failures (file descriptors exhausted, a peer that
resets every connection) from pouring tracebacks onto the console: at most one line
per kind of error per interval, with the number of repeats it stood for.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from typing import IO

QUEUE_ITEMS = 2000  # rendered console lines waiting for a slow terminal


class ConsoleStream:
    """A file-like object for rich's Console: writes never block."""

    def __init__(self, target: IO[str] | None = None, capacity: int = QUEUE_ITEMS) -> None:
        self.target = target or sys.stdout
        self.dropped = 0
        self._pending: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue(capacity)
        self._thread = threading.Thread(target=self._drain, name="console-writer", daemon=True)
        self._thread.start()

    # what rich uses
    def write(self, text: str) -> int:
        self._pending.append(text)
        return len(text)

    def flush(self) -> None:
        if not self._pending:
            return
        text, self._pending = "".join(self._pending), []
        try:
            self._queue.put_nowait(text)
        except queue.Full:
            self.dropped += text.count("\n") or 1

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.target, "encoding", "utf-8") or "utf-8"

    def close(self, timeout: float = 2.0) -> None:
        """Let the writer finish what it can within ``timeout``."""
        self.flush()
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _drain(self) -> None:
        reported = 0
        while True:
            text = self._queue.get()
            if text is None:
                return
            try:
                if self.dropped > reported:
                    lost, reported = self.dropped - reported, self.dropped
                    self.target.write(f"… {lost} console line(s) dropped: the terminal was "
                                      "not reading (the server went on serving)\n")
                self.target.write(text)
                self.target.flush()
            except (OSError, ValueError):
                return  # the terminal is gone; the server goes on without a console


class ErrorReporter(logging.Handler):
    """One line per kind of error per ``interval`` seconds on ``stream``, no tracebacks."""

    def __init__(self, stream: IO[str] | None = None, interval: float = 10.0) -> None:
        super().__init__(logging.ERROR)
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last: dict[str, tuple[float, int]] = {}

    def report(self, kind: str, text: str) -> None:
        now = time.monotonic()
        last, repeats = self._last.get(kind, (0.0, 0))
        if now - last < self.interval and last:
            self._last[kind] = (last, repeats + 1)
            return
        more = f" (and {repeats} more like it)" if repeats else ""
        self._last[kind] = (now, 0)
        try:
            self.stream.write(f"smtp-tutor: server error: {text}{more}\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        kind = type(error).__name__ if error else record.getMessage()[:40]
        detail = f"{kind}: {error}" if error else record.getMessage()
        self.report(kind, detail[:200])

    def loop_handler(self, loop, context: dict) -> None:  # noqa: ANN001 - asyncio's signature
        """For ``loop.set_exception_handler``: asyncio's own errors, rate-limited."""
        error = context.get("exception")
        kind = type(error).__name__ if error else str(context.get("message", "error"))[:40]
        message = str(context.get("message", ""))
        detail = f"{message}: {error}" if error else message
        self.report(kind, detail[:200])


def install_error_reporter(loop, reporter: ErrorReporter) -> None:  # noqa: ANN001
    """aiosmtpd logs session failures on ``mail.log``; asyncio reports on the loop."""
    logger = logging.getLogger("mail.log")
    logger.handlers = [reporter]
    logger.propagate = False
    loop.set_exception_handler(reporter.loop_handler)
