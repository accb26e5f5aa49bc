"""Where a typed IMAP line's secret begins: after ``LOGIN bob`` (or ``a1 LOGIN bob``) and
``AUTHENTICATE PLAIN``.  ``net/secret_input.py`` masks it and keeps it out of the history; the
octets typed for a LOGIN's literal go to a prompt with no history at all.
"""

from __future__ import annotations

import re

_SECRET_START = re.compile(r"(?i)^\s*(?:[A-Za-z0-9.\-_]{1,20}\s+)?(?:LOGIN\s+\S+|AUTHENTICATE\s+\S+)\s")


def secret_start(text: str) -> int | None:
    """Where the secret part of a typed line begins, or None."""
    found = _SECRET_START.match(text)
    return found.end() if found else None


def holds_secret(line: str) -> bool:
    return secret_start(line) is not None
