"""Persistent history that never stores a secret (AUTH answers, AUTH PLAIN with credentials)."""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.history import FileHistory


class SafeFileHistory(FileHistory):
    """A ``FileHistory`` that asks ``is_secret`` before writing a line."""

    def __init__(self, filename: str, is_secret: Callable[[str], bool]) -> None:
        super().__init__(filename)
        self._is_secret = is_secret

    def append_string(self, string: str) -> None:
        if self._is_secret(string):
            return
        super().append_string(string)
