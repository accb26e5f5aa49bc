"""The sequence diagram of a session: client on the left, server on the right.

Drawn as text (like the textbook's ladder diagrams and Wireshark's flow graph), so the
demo view, the terminal and the exported slides share one drawing.  Pure: events in,
lines out.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtp_tutor.net.tls import TlsStarted
from smtp_tutor.protocol import CommandSent, DataLineSent, ReplyReceived
from smtp_tutor.protocol.visible import visible


@dataclass(frozen=True)
class Arrow:
    to_server: bool
    label: str
    klass: int = 0  # reply class (2-5) for colouring; 0 for client arrows


def arrows(events: list, lang: str = "en") -> list[Arrow]:
    """One arrow per command and per reply; a message's body lines become one arrow."""
    out: list[Arrow] = []
    body = 0
    for event in events:
        if isinstance(event, DataLineSent):
            body += 1
            continue
        if body:
            out.append(Arrow(True, _message_label(body, lang)))
            body = 0
        if isinstance(event, CommandSent):
            out.append(Arrow(True, visible(event.command.display)))
        elif isinstance(event, ReplyReceived):
            reply = event.reply
            text = reply.lines[0] if reply.lines else ""
            out.append(Arrow(False, visible(f"{reply.code} {text}".strip()), reply.klass))
        elif isinstance(event, TlsStarted) or getattr(event, "key", "") == "transcript-tls-assumed":
            out.append(Arrow(True, "⇄ TLS handshake"))
    if body:
        out.append(Arrow(True, _message_label(body, lang)))
    return out


def _message_label(lines: int, lang: str) -> str:
    """``message (3 lines)`` in the demo's language."""
    from smtp_tutor.knowledge import ui

    if lines == 1:
        return ui("ladder_message_one", lang)
    return ui("ladder_message", lang, count=str(lines))


def ladder(items: list[Arrow], width: int, client: str = "client", server: str = "server") -> list[str]:
    """Two lifelines and an arrow (label line + shaft) per item, ``width`` columns wide."""
    width = max(width, 20)
    inner = width - 4  # between the two lifelines
    head = f" {client[: width // 2 - 2]}"
    tail = f"{server[: width // 2 - 2]} "
    lines = [head + " " * max(1, width - len(head) - len(tail)) + tail]
    for item in items:
        label = item.label if len(item.label) <= inner else item.label[: inner - 1] + "…"
        lines.append(f" │{label.center(inner)}│ ")
        shaft = "─" * (inner - 1)
        lines.append(f" │{shaft}▶│ " if item.to_server else f" │◀{shaft}│ ")
    return lines
