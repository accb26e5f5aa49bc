"""Loading the bundled TOML data files, each once, only when first needed.

Parsing TOML costs about 15 ms for all files (more than the rest of a scripted
session), so each parsed file is kept in a marshal cache, keyed by the source's size
and modification time: an edited TOML file is parsed again, a stale cache never wins.
"""

from __future__ import annotations

import marshal
import os
import sys
from functools import cache

TYPE_CHECKING = False  # typing itself costs 2 ms of every run's start
if TYPE_CHECKING:
    from typing import Any

FILES = ("replies", "enhanced", "commands", "extensions", "concepts", "messages", "ui", "cli",
         "world", "pop3", "grade", "server", "imap")
DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed contents of ``data/<name>.toml``."""
    if name not in FILES:
        raise KeyError(name)
    source = os.path.join(DATA_DIR, f"{name}.toml")
    status = os.stat(source)
    cached = _cache_path(name, status.st_mtime_ns, status.st_size)
    if cached:
        try:
            with open(cached, "rb") as handle:
                return marshal.loads(handle.read())  # load(handle) reads item by item
        except (OSError, EOFError, ValueError, TypeError):
            pass
    import tomllib

    with open(source, "rb") as handle:
        data = tomllib.load(handle)
    if cached:
        _write_cache(cached, data)
    return data


def _cache_path(name: str, mtime_ns: int, size: int) -> str | None:
    """``$SMTP_TUTOR_CACHE``, else ``$XDG_CACHE_HOME/smtp-tutor``; empty turns caching off."""
    base = os.environ.get("SMTP_TUTOR_CACHE")
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "smtp-tutor")
    if not base:
        return None
    version = f"py{sys.version_info[0]}{sys.version_info[1]}m{marshal.version}"
    return os.path.join(base, f"{name}-{version}-{mtime_ns}-{size}.marshal")


def _write_cache(path: str, data: dict[str, Any]) -> None:
    """Best effort, atomic (a reader never sees half a file); old versions are removed."""
    directory, filename = os.path.split(path)
    prefix = filename.split("-", 1)[0] + "-"
    try:
        os.makedirs(directory, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            marshal.dump(data, handle)
        os.replace(temporary, path)
        for old in os.listdir(directory):
            if old.startswith(prefix) and old != filename and old.endswith(".marshal"):
                os.unlink(os.path.join(directory, old))
    except (OSError, ValueError):
        pass  # a read-only home only costs the parse next time


def refs(entry: dict[str, Any]) -> list[str]:
    """An entry's references as ``RFC 5321 §4.2.2`` strings."""
    out = []
    for document, section in entry.get("rfc", []):
        separator = " §" if document.startswith("RFC") else " "
        out.append(f"{document}{separator}{section}")
    return out
