"""The shell in a real pseudo-terminal, for the REPL tests: start it, type, read, leave."""

from __future__ import annotations

import os
import re

import pexpect

from tests.conftest import spawn_pty, tutor_command

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn_shell(practice, *extra: str, rows: int = 40, columns: int = 120,
                env_extra: dict | None = None, cwd=None):
    """`smtp-tutor connect` on the practice server, waiting at its first prompt."""
    env = {**os.environ, **(env_extra or {}), "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm",
           "COLUMNS": str(columns), "LINES": str(rows)}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "connect", practice.host, str(practice.port),
                                    "--cafile", str(practice.ca_path), *extra],
                      env=env, encoding="utf-8", timeout=15, dimensions=(rows, columns),
                      cwd=cwd)
    child.expect(r"\[helo\]>")
    return child


def type_slowly(child, text: str) -> None:
    for index in range(0, len(text), 4):
        child.send(text[index : index + 4])


def screen(child) -> str:
    return ANSI.sub("", child.before or "")


def save_and_quit(child, path) -> None:
    """`:save PATH`, then Ctrl-D: QUIT, 221, and the shell ends."""
    type_slowly(child, f":save {path}\r")
    child.expect("Saved")
    child.expect(r"\[ready\]>")
    child.sendcontrol("d")
    child.expect("221")
    child.expect(pexpect.EOF)
