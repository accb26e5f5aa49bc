"""Named styles: code refers to ``reply.2xx`` or ``note.warning``, never to a colour."""

from __future__ import annotations

STYLES = {
    "client": "bold cyan",
    "client.data": "cyan",
    "server": "default",
    "reply.2xx": "bold green",
    "reply.3xx": "bold blue",
    "reply.4xx": "bold yellow",
    "reply.5xx": "bold red",
    "explain": "italic",
    "explain.enhanced": "dim italic",
    "wire": "dim",
    "wire.control": "dim reverse",
    "wire.stuffed": "bold magenta",
    "note.info": "blue",
    "note.warning": "yellow",
    "note.error": "bold red",
    "hint": "dim",
    "ext.keyword": "bold",
    "heading": "bold underline",
    "secret": "reverse",
    "narration": "bold",
    "check.ok": "green",
    "check.fail": "bold red",
    "prompt.lesson": "bold cyan",
}


# A projector washes out dim, italic, blue on black and yellow on white: everything is
# bold or bright, and the two failure classes get a background, not just a hue.
PROJECTOR = {
    **{name: "bold bright_white" for name in STYLES},
    "client": "bold bright_cyan",
    "client.data": "bold bright_cyan",
    "reply.2xx": "bold bright_green",
    "reply.3xx": "bold bright_white",
    "reply.4xx": "bold black on bright_yellow",
    "reply.5xx": "bold bright_white on red",
    "note.warning": "bold bright_yellow",
    "note.error": "bold bright_white on red",
    "check.ok": "bold bright_green",
    "check.fail": "bold bright_white on red",
    "explain": "bright_white",
    "explain.enhanced": "bright_white",
    "hint": "white",
    "wire": "white",
}
LIGHT = {
    **STYLES,
    "client": "bold blue",
    "client.data": "blue",
    "reply.2xx": "bold dark_green",
    "reply.3xx": "bold dark_blue",
    "reply.4xx": "bold dark_orange3",
    "reply.5xx": "bold red3",
    "note.warning": "dark_orange3",
    "hint": "grey37",
    "wire": "grey37",
}
THEMES = {"dark": STYLES, "light": LIGHT, "projector": PROJECTOR}


def theme(name: str = "dark"):  # -> rich.theme.Theme, imported lazily
    from rich.theme import Theme

    return Theme(THEMES.get(name, STYLES))
