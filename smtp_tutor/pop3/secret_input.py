"""Where a typed POP3 line's secret begins: after ``PASS``, ``APOP user`` and ``AUTH
PLAIN`` (a SASL initial response).  ``net/secret_input.py`` masks it and keeps it out of the history.
"""

from __future__ import annotations

import re

from smtp_tutor.protocol.pop3 import mask

_SECRET_START = re.compile(r"(?i)^\s*(?:PASS|APOP\s+\S+|AUTH\s+\S+)\s")


def secret_start(text: str) -> int | None:
    """Where the secret part of a typed line begins, or None."""
    found = _SECRET_START.match(text)
    return found.end() if found else None


def holds_secret(line: str) -> bool:
    return mask(line)[1] or secret_start(line) is not None
