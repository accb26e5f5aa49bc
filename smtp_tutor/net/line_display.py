"""How a prompt_toolkit input line draws what is typed or pasted into it.

prompt_toolkit already draws C0 and C1 controls as ``^[`` and ``<9b>``; bidi overrides,
zero-width characters and the other invisible ones it passes to the terminal, which
obeys them: a pasted U+202E would reverse the rest of the line as drawn, so the line
would not say what is sent. Here they are drawn as ``visible()`` shows them in output
(``<U+202E>``), in prompt_toolkit's control-character style; the text itself is kept.
"""

from __future__ import annotations

from smtp_tutor.protocol.visible import INVISIBLE_CHARACTERS, visible


def show_invisible_characters() -> None:
    """Before a prompt is drawn (prompt_toolkit caches drawn characters): each of
    ``INVISIBLE_CHARACTERS`` is drawn as ``visible()`` marks it. Idempotent."""
    from prompt_toolkit.layout.screen import Char

    for char in INVISIBLE_CHARACTERS:
        Char.display_mappings[char] = visible(char)
