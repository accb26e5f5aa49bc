"""A POP3 reply as lines to show: the status, the block, and what it means.

Shared by ``connect --pop3`` and the world lessons, so a reply reads the same in both.
Text from the server is made safe by the renderer (``visible()``) when it is written.
"""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import pick, say
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.pop3 import Pop3Reply

SHOWN_LINES = 400


def reply_lines(reply: Pop3Reply, lang: str) -> list[tuple[str, str]]:
    """(text, style) pairs: ``S: +OK …``, the block's lines, the meaning, a multi-line hint."""
    style = "reply.2xx" if reply.ok else "reply.5xx"
    out = [(f"S: {reply.status} {reply.text}".rstrip(), style)]
    out += [(f"S: {line}", "client.data") for line in reply.lines[:SHOWN_LINES]]
    if len(reply.lines) > SHOWN_LINES:
        out.append((f"S: … ({len(reply.lines) - SHOWN_LINES} more)", "hint"))
    verb = reply.answering.verb if reply.answering else ""
    out.append((f"   {reply.status} {_meaning(reply, verb, lang)}", "explain"))
    if reply.ok and reply.answering is not None and reply.answering.multiline:
        out.append((f"   {say('world', 'pop3_multi', lang, lines=len(reply.lines))}", "hint"))
    return out


def _meaning(reply: Pop3Reply, verb: str, lang: str) -> str:
    """What the reply means for the command it answers, in the state it was sent in."""
    if reply.challenge:
        return say("world", "pop3_challenge", lang)
    if verb == "QUIT" and reply.ok and reply.answering is not None \
            and reply.answering.state == "authorization":
        return say("world", "pop3_quit_before_login", lang)
    data = load("pop3")
    entry = data["commands"].get(verb)
    if reply.ok and entry is not None:
        return pick(entry, lang)["short"]
    return pick(data["replies"][reply.status], lang)["short"]
