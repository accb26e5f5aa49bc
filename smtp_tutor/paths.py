"""Where smtp-tutor keeps a user's files: history, practice mail, the practice CA.

A read-only or full home must not stop a student: reading works without creating
anything, and writing falls back to a private directory under the system's temporary
directory, said once on stderr.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

_FALLBACK: list[Path] = []


def home_dir() -> Path:
    """``$SMTP_TUTOR_HOME``, else ``$XDG_DATA_HOME/smtp-tutor``, else ``~/.local/share/...``."""
    explicit = os.environ.get("SMTP_TUTOR_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"),
                                                           ".local", "share")
    return Path(base) / "smtp-tutor"


def data_dir(*, create: bool = True) -> Path:
    """The data directory; with ``create``, one that exists and can be written to."""
    path = home_dir()
    if not create:
        return _FALLBACK[0] if _FALLBACK and not path.is_dir() else path
    if _FALLBACK:
        return _FALLBACK[0]
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.access(path, os.W_OK):
            return path
        reason = ""
    except OSError as error:
        reason = error.strerror or str(error)
    fallback = Path(tempfile.gettempdir()) / f"smtp-tutor-{os.getuid()}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    _FALLBACK.append(fallback)
    from smtp_tutor.knowledge import language_from_env
    from smtp_tutor.knowledge.catalogue import say

    lang = language_from_env()
    sys.stderr.write(say("ui", "data_dir_fallback", lang, path=str(path), fallback=str(fallback),
                        reason=reason or say("ui", "data_dir_read_only", lang)))
    return fallback
