"""The IMAP shell's prompt never keeps a password: masked as typed, never in history.

``LOGIN bob pickles`` (or ``a1 LOGIN bob pickles``): what follows the user name is drawn
as ``*``; such a line, and the octets typed for a LOGIN's literal, never enter the history.
"""

from __future__ import annotations

import re

from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput

_SECRET_START = re.compile(r"(?i)^\s*(?:[A-Za-z0-9.\-_]{1,20}\s+)?(?:LOGIN\s+\S+|AUTHENTICATE\s+\S+)\s")


def secret_start(text: str) -> int | None:
    """Where the secret part of a typed line begins, or None."""
    found = _SECRET_START.match(text)
    return found.end() if found else None


class SecretMask(Processor):
    """Draws the secret part of the line being typed as ``*``."""

    def apply_transformation(self, ti: TransformationInput) -> Transformation:
        start = secret_start(ti.document.text)
        if start is None or ti.lineno != 0:
            return Transformation(ti.fragments)
        out: list = []  # fragments, (style, text) or (style, text, handler)
        position = 0
        for style, text, *rest in ti.fragments:
            shown = "".join("*" if position + i >= start and c not in " \t" else c
                            for i, c in enumerate(text))
            position += len(text)
            out.append((style, shown, *rest))
        return Transformation(out)


class SecretlessHistory(InMemoryHistory):
    """The up arrow brings commands back, never a line that held a password."""

    def append_string(self, string: str) -> None:
        if secret_start(string) is None:
            super().append_string(string)
