"""Practice accounts: who has a mailbox, and which password AUTH accepts."""

from __future__ import annotations

from pathlib import Path

DEFAULT_USERS = {"alice": "ketchup", "bob": "pickles", "carol": "crepes", "dave": "hamburger"}


class UsersFileError(ValueError):
    """A line of the users file cannot be read; ``key``/``params`` (ui.toml) say why, in
    the reader's language, with the file and the line."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(f"{key}: {params}")
        self.key, self.params = key, params


def load_users(path: str | None) -> dict[str, str]:
    """``name [password]`` per line, ``#`` comments; the defaults when no file is given."""
    if path is None:
        return dict(DEFAULT_USERS)
    users: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsersFileError("users_file_unreadable", path=str(path),
                             reason=error.strerror or str(error)) from error
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2 or "@" in words[0]:
            raise UsersFileError("users_file_bad_line", path=str(path), line=str(number))
        users[words[0].lower()] = words[1] if len(words) == 2 else ""
    if not users:
        raise UsersFileError("users_file_empty", path=str(path))
    return users
