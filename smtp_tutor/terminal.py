"""What the program knows about the terminal it runs in, for every layer that asks."""

from __future__ import annotations

import os
import sys


def stdin_is_tty() -> bool:
    """A person types (the interactive shells); otherwise a script pipes (or a test forces
    the scripted mode with SMTP_TUTOR_FORCE_SCRIPTED=1)."""
    return sys.stdin.isatty() and os.environ.get("SMTP_TUTOR_FORCE_SCRIPTED") != "1"
