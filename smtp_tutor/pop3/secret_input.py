"""The POP3 shell's prompt never keeps a password: masked as it is typed, not in history.

``PASS pickles`` typed in full would stay readable in the scrollback (the ``C:`` echo
alone was masked) and come back with the up arrow.  The characters after ``PASS `` (and
after ``AUTH PLAIN `` when a SASL initial response is typed) are drawn as ``*``, and such
a line never enters the history.
"""

from __future__ import annotations

import re

from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput

from smtp_tutor.protocol.pop3 import mask

TYPE_CHECKING = False
if TYPE_CHECKING:
    from prompt_toolkit.formatted_text import StyleAndTextTuples

_SECRET_START = re.compile(r"(?i)^\s*(?:PASS|APOP\s+\S+|AUTH\s+\S+)\s")


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
        out: StyleAndTextTuples = []
        position = 0
        for style, text, *rest in ti.fragments:
            shown = "".join("*" if position + i >= start and c not in " \t" else c
                            for i, c in enumerate(text))
            position += len(text)
            # the fragment's own shape, (style, text) or (style, text, handler): mypy cannot
            # follow the length of a tuple rebuilt from *rest
            out.append((style, shown, *rest))  # type: ignore[arg-type]
        return Transformation(out)


class SecretlessHistory(InMemoryHistory):
    """The up arrow brings commands back, never a line that held a password."""

    def append_string(self, string: str) -> None:
        if not mask(string)[1] and secret_start(string) is None:
            super().append_string(string)
