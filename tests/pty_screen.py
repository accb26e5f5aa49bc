"""A program in a real pseudo-terminal, read through pyte as a person sees it.

``wait(text)`` polls the screen until ``text`` is on it (no fixed sleeps); ``raw`` keeps
every byte the program wrote, to check that something was never shown at all.
"""

from __future__ import annotations

import os
import time

import pexpect
import pyte

from tests.conftest import spawn_pty, tutor_command


class PtyScreen:
    def __init__(self, *args: str, rows: int = 40, columns: int = 120,
                 env: dict | None = None) -> None:
        full_env = {**os.environ, **(env or {}), "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm",
                    "COLUMNS": str(columns), "LINES": str(rows)}
        command, *rest = tutor_command()
        self.child = spawn_pty(command, [*rest, *args], env=full_env, encoding="utf-8",
                               timeout=15, dimensions=(rows, columns))
        self.screen = pyte.HistoryScreen(columns, rows, history=5000)
        self.stream = pyte.Stream(self.screen)
        self.raw = ""
        self.entered = 0  # where the output stood when Enter was last typed

    def _pump(self, wait: float) -> None:
        if self.child.closed:
            return
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            return
        self.raw += data
        self.stream.feed(data)

    def text(self) -> str:
        """The whole screen now, and the lines scrolled off it."""
        self._pump(0.05)
        above = ["".join(ch.data for ch in line.values()) for line in self.screen.history.top]
        return "\n".join([*above, *self.screen.display])

    def wait(self, needle: str, timeout: float = 20, *, count: int = 1) -> str:
        """Until ``needle`` is on the screen (or above it) ``count`` times: a line that
        comes again must be waited for as the new one, not found as the old one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.text()
            if shown.count(needle) >= count:
                return shown
        raise AssertionError(f"{needle!r} not on screen:\n{self.text()}")

    def reading(self, timeout: float = 20) -> None:
        """Until a prompt started since Enter was last typed reads keys (prompt_toolkit
        turns bracketed paste on when its prompt starts, off when it ends): what is typed
        earlier the terminal would echo as it is, a password too."""
        deadline = time.monotonic() + timeout
        while not (self.raw.rfind("\x1b[?2004h") >= self.entered
                   and self.raw.rfind("\x1b[?2004h") > self.raw.rfind("\x1b[?2004l")):
            if time.monotonic() > deadline:
                raise AssertionError(f"no prompt reads keys:\n{self.text()}")
            self._pump(0.05)

    def wait_cursor_line(self, expected: str, timeout: float = 20) -> None:
        """The line the cursor is on reads ``expected`` (a prompt as now drawn, not as it
        was drawn earlier in the scrollback)."""
        deadline, line = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            self.text()
            line = self.screen.display[self.screen.cursor.y].rstrip()
            if line == expected:
                return
        raise AssertionError(f"the cursor's line is {line!r}, not {expected!r}")

    def type(self, text: str) -> None:
        """As a person types: a few characters at a time."""
        if "\r" in text:
            self._pump(0)
            self.entered = len(self.raw)
        for index in range(0, len(text), 3):
            self.child.send(text[index:index + 3])

    def ended(self, timeout: float = 20) -> int | None:
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.raw += self.child.before or ""
        self.stream.feed(self.child.before or "")
        self.child.close()
        return self.child.exitstatus

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
