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


def theme():  # -> rich.theme.Theme, imported lazily
    from rich.theme import Theme

    return Theme(STYLES)
