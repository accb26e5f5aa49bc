"""The console's stream never blocks the server, and says what a stopped terminal lost."""

from __future__ import annotations

import io
import threading
import time

from smtp_tutor.server.outlet import ConsoleStream, ErrorReporter


class Stopped(io.StringIO):
    """A terminal after Ctrl-S: writes block until it is released."""

    def __init__(self) -> None:
        super().__init__()
        self.released = threading.Event()

    def write(self, text: str) -> int:
        self.released.wait(10)
        return super().write(text)

    def isatty(self) -> bool:
        return True


def test_a_stopped_terminal_loses_lines_with_a_count_and_never_blocks():
    terminal = Stopped()
    stream = ConsoleStream(terminal, capacity=5)
    started = time.monotonic()
    for number in range(50):
        stream.write(f"line {number}\n")
        stream.flush()
    assert time.monotonic() - started < 1  # the server's side never waited
    assert stream.dropped > 0
    terminal.released.set()
    stream.write("after\n")
    stream.flush()
    stream.close()
    shown = terminal.getvalue()
    assert f"{stream.dropped} console line(s) dropped" in shown and "line 0\n" in shown


def test_errors_are_said_once_per_kind_per_interval():
    out = io.StringIO()
    reporter = ErrorReporter(out, interval=60)
    for _ in range(1000):
        reporter.report("OSError", "Too many open files")
    reporter.report("ValueError", "bad")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "Too many open files" in lines[0]
