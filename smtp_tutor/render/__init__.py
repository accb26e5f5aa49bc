"""Turning events into what a reader sees: colour for a terminal, plain text, JSON lines.

Every face renders through here, so a reply is explained the same way everywhere.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing costs 2 ms at start: annotations only)
if TYPE_CHECKING:
    from typing import IO

    from smtp_tutor.render.base import Renderer

# Nothing is imported here: `explain` imports render.explanation, and importing the
# package must not bring in the renderers' base (the protocol core, TLS, typing: ~10 ms).


def make_renderer(kind: str, lang: str, stream: IO[str] | None = None, *,
                  color: bool | None = None) -> Renderer:
    """``kind`` is ``terminal``, ``plain`` or ``json``; imports only what it needs."""
    if kind == "json":
        from smtp_tutor.render.jsonl import JsonRenderer

        return JsonRenderer(lang, stream)
    if kind == "terminal":
        from smtp_tutor.render.terminal import TerminalRenderer

        return TerminalRenderer(lang, stream, color=color)
    from smtp_tutor.render.plain import PlainRenderer

    return PlainRenderer(lang, stream)


__all__ = ["Renderer", "make_renderer"]


def shell_renderer(color_option: str, lang: str, interactive: bool) -> Renderer:
    """A mail-access shell's renderer (POP3, IMAP): colours on a terminal (or ``--color
    always``, unless NO_COLOR), plain text into a pipe."""
    import os
    import sys

    color = color_option == "always" or (color_option == "auto" and sys.stdout.isatty()
                                         and not os.environ.get("NO_COLOR"))
    if interactive or color:
        from smtp_tutor.render.terminal import TerminalRenderer

        return TerminalRenderer(lang, sys.stdout, color=color or None)
    from smtp_tutor.render.plain import PlainRenderer

    return PlainRenderer(lang, sys.stdout)
