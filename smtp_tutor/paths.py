"""Where smtp-tutor keeps a user's files: history, practice mail, the practice CA."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """``$SMTP_TUTOR_HOME``, else ``$XDG_DATA_HOME/smtp-tutor``, else ``~/.local/share/...``."""
    explicit = os.environ.get("SMTP_TUTOR_HOME")
    if explicit:
        path = Path(explicit)
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"),
                                                               ".local", "share")
        path = Path(base) / "smtp-tutor"
    path.mkdir(parents=True, exist_ok=True)
    return path
