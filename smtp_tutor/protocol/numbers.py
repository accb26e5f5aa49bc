"""Numbers in untrusted text: ASCII digits only, and never more than fit a real value.

``str.isdigit()`` is true for ``²`` (which ``int()`` refuses) and ``int()`` refuses
more than 4,300 digits: a server's ``SIZE`` or a lesson's ``level`` must never be able
to crash the program with either.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def ascii_int(text: str) -> int | None:
    """The value of 1-18 ASCII digits, or None for anything else."""
    return int(text) if _DIGITS.fullmatch(text) else None


def ascii_float(text: str, *, low: float, high: float) -> float | None:
    """A plain decimal number (``2``, ``0.5``) within [low, high], or None."""
    if not re.fullmatch(r"[0-9]{1,6}(?:\.[0-9]{1,6})?", text):
        return None
    value = float(text)
    return value if low <= value <= high else None
