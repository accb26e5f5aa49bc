"""The sequence diagram of a session: client on the left, server on the right.

Drawn as text (like the textbook's ladder diagrams and Wireshark's flow graph), so the
demo view, the terminal and the exported slides share one drawing.  Pure: events in,
lines out.  A world lesson is a journey of several hops: each hop starts a two-lifeline
ladder of its own, headed by the hop's number and kind and its two parties' names
(Alice → crepes.fr, crepes.fr → DNS, crepes.fr → hamburger.edu, Bob → hamburger.edu).
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
    parties: tuple[str, str] | None = None  # a hop's heading: its two lifelines' names

HOP_MARK = " ╞"  # how a hop's heading line starts (the demo pins the current one)


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
        elif hasattr(event, "shown"):
            out += _world_arrows(event, lang)
    if body:
        out.append(Arrow(True, _message_label(body, lang)))
    return out


def _world_arrows(event: object, lang: str) -> list[Arrow]:
    """A hop's heading, POP3 and DNS lines; the world's notes draw no arrow."""
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.lessons import hops

    if isinstance(event, hops.HopStarted):
        hop = event.hop
        label = f"{hop.index} · {say('ui', f'hop_ladder_{hop.kind}', lang)}"
        return [Arrow(True, visible(label), parties=(visible(hop.source), visible(hop.target)))]
    if isinstance(event, hops.Pop3Sent):
        return [Arrow(True, visible(event.command.display))]
    if isinstance(event, hops.Pop3Received):
        reply = event.reply
        return [Arrow(False, visible(f"{reply.status} {reply.text}".strip()), 2 if reply.ok else 5)]
    if isinstance(event, hops.ImapSent):
        return [Arrow(True, visible(event.display))]
    if isinstance(event, hops.ImapReceived) and event.responses:
        last = event.responses[-1].raw.decode("utf-8", "replace").split("\r\n")[0]
        return [Arrow(False, visible(last), 5 if event.status in ("NO", "BAD", "BYE") else 2)]
    if isinstance(event, hops.DnsAsked):
        return [Arrow(True, visible(f"{event.query}?"))]
    if isinstance(event, hops.DnsAnswered):
        records = [" ".join(line.split()[3:]) if line.split()[2:3] == ["IN"] else line
                   for line in event.lines if len(line.split()) >= 1]
        return [Arrow(False, visible(", ".join(records)), 2)]
    return []


def _message_label(lines: int, lang: str) -> str:
    """``message (3 lines)`` in the demo's language."""
    from smtp_tutor.knowledge.catalogue import say

    if lines == 1:
        return say("ui", "ladder_message_one", lang)
    return say("ui", "ladder_message", lang, count=str(lines))


def ladder(items: list[Arrow], width: int, client: str = "client", server: str = "server") -> list[str]:
    """Two lifelines and an arrow (label line + shaft) per item, ``width`` columns wide."""
    width = max(width, 20)
    inner = width - 4  # between the two lifelines
    head = f" {client[: width // 2 - 2]}"
    tail = f"{server[: width // 2 - 2]} "
    lines = [head + " " * max(1, width - len(head) - len(tail)) + tail]
    for item in items:
        if item.parties is not None:
            lines += _hop_heading(item, width, inner)
            continue
        label = item.label if len(item.label) <= inner else item.label[: inner - 1] + "…"
        lines.append(f" │{label.center(inner)}│ ")
        shaft = "─" * (inner - 1)
        lines.append(f" │{shaft}▶│ " if item.to_server else f" │◀{shaft}│ ")
    return lines


def _hop_heading(item: Arrow, width: int, inner: int) -> list[str]:
    """``╞═ 2 · relay ═╡`` and the hop's two parties over their lifelines."""
    label = f" {item.label} "[:inner]
    source, target = item.parties or ("", "")
    room = max(1, width // 2 - 2)
    source, target = f" {source[:room]}", f"{target[:room]} "
    names = source + " " * max(1, width - len(source) - len(target)) + target
    return [f"{HOP_MARK}{label.center(inner, '═')}╡ ", names]
