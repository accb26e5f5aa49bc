"""Persistent history that never stores a secret, nor a message body, and never fails.

The file is created 0600 (as bash does): commands can name people and addresses.
A full disk or a read-only home turns persistence off for the session, said once;
the shell keeps working with its in-memory history.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from prompt_toolkit.history import FileHistory


class SafeFileHistory(FileHistory):
    """A ``FileHistory`` that asks ``keep`` before writing a line."""

    def __init__(self, filename: str, keep: Callable[[str], bool]) -> None:
        super().__init__(filename)
        self._keep = keep
        self._broken = False

    def load_history_strings(self):  # noqa: ANN201 - prompt_toolkit's signature
        try:
            return list(super().load_history_strings())
        except OSError:
            return []

    def append_string(self, string: str) -> None:
        if not self._keep(string):
            return
        super().append_string(string)

    def store_string(self, string: str) -> None:
        if self._broken:
            return
        try:
            fd = os.open(self.filename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "ab") as handle:
                handle.write(b"\n# smtp-tutor\n")
                for line in string.split("\n"):
                    handle.write(f"+{line}\n".encode("utf-8", "replace"))
        except OSError as error:
            self._broken = True
            sys.stderr.write(f"smtp-tutor: the history file {self.filename!s} cannot be written "
                             f"({error.strerror}); history is kept for this session only.\n")
