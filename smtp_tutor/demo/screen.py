"""The demo's panes as text: the dialogue (rendered by rich), the ladder, the bars.

Kept apart from the prompt_toolkit application so the export command draws the same
dialogue and diagram into HTML, SVG or Markdown.
"""

from __future__ import annotations

import io

from smtp_tutor.demo.ladder import HOP_MARK, arrows, ladder

THEMES = ("projector", "dark", "light")


def dialogue_ansi(events: list, lang: str, width: int, *, theme: str, explanations: bool,
                  spacing: bool) -> list[str]:
    """The dialogue as ANSI-coloured lines ``width`` wide."""
    from smtp_tutor.render.terminal import TerminalRenderer

    buffer = io.StringIO()
    renderer = TerminalRenderer(lang, buffer, color=True, width=width, theme_name=theme)
    for event in events:
        if not explanations and type(event).__name__ == "ReplyReceived":
            for line in event.reply.wire_lines():
                renderer.text(f"S: {line}", f"reply.{event.reply.klass}xx")
        elif getattr(event, "key", None):
            renderer.message(event.key, {}, getattr(event, "level", "info"))
        else:
            renderer.show(event)
        if spacing and type(event).__name__ == "ReplyReceived":
            renderer.text("")
    return buffer.getvalue().splitlines()


def diagram_lines(events: list, width: int, client: str, server: str,
                  lang: str = "en") -> list[str]:
    return ladder(arrows(events, lang), width, client, server)


def tail(lines: list[str], height: int) -> list[str]:
    """The last ``height`` lines: a growing dialogue scrolls up, like a terminal."""
    return lines[-height:] if height > 0 else []


def pinned_tail(lines: list[str], height: int) -> list[str]:
    """``tail``, but the heading of the hop on screen stays on top (its names too)."""
    shown = tail(lines, height)
    start = len(lines) - len(shown)
    heads = [i for i, line in enumerate(lines) if line.startswith(HOP_MARK)]
    current = max((i for i in heads if i <= start), default=None)
    if current is None or current == start or height < 6:
        return shown
    rest = tail(lines, height - 2)
    if rest and rest[0].startswith((" │─", " │◀")):  # an arrow whose label scrolled away
        rest = rest[1:]
    return lines[current:current + 2] + rest
