"""A shell's prompt never keeps a password: masked as it is typed, never in history.

``PASS pickles`` or ``LOGIN bob pickles`` typed in full would stay readable in the
scrollback (the ``C:`` echo alone was masked) and come back with the up arrow.  Each
protocol says where the secret part of a line begins (``pop3/secret_input.py``,
``imap/secret_input.py``); from there the characters are drawn as ``*``, and such a
line never enters the history.  Imported only by an interactive shell (prompt_toolkit).
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from prompt_toolkit.formatted_text import StyleAndTextTuples

SecretStart = Callable[[str], "int | None"]  # where a typed line's secret begins, or None


class SecretMask(Processor):
    """Draws the secret part of the line being typed as ``*``."""

    def __init__(self, secret_start: SecretStart) -> None:
        self.secret_start = secret_start

    def apply_transformation(self, ti: TransformationInput) -> Transformation:
        start = self.secret_start(ti.document.text)
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

    def __init__(self, holds_secret: Callable[[str], bool]) -> None:
        super().__init__()
        self.holds_secret = holds_secret

    def append_string(self, string: str) -> None:
        if not self.holds_secret(string):
            super().append_string(string)
