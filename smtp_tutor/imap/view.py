"""IMAP responses as lines to show: the line itself, then what it means.

Shared by ``connect --imap`` and the world lessons, so a response reads the same in both.
Text from the server is made safe by the renderer (``visible()``) when it is written;
the sentences here pass their text parameters through ``visible()`` too.
"""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import pick, say
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.imap.client import ImapResponse

SHOWN_LINES = 400
_STYLE = {"OK": "reply.2xx", "PREAUTH": "reply.2xx", "NO": "reply.4xx", "BAD": "reply.5xx",
          "BYE": "reply.4xx"}


def response_lines(response: ImapResponse, lang: str) -> list[tuple[str, str]]:
    """(text, style) pairs: ``S: …`` (several lines when a literal holds line breaks),
    then the meaning of the status or the data, and of the response code."""
    style = _STYLE.get(response.status, "reply.2xx")
    text = response.raw.decode("utf-8", "replace")
    lines = text.split("\r\n")
    out = [(f"S: {lines[0]}", style)]
    out += [(f"S: {line}", "client.data") for line in lines[1:SHOWN_LINES]]
    if len(lines) > SHOWN_LINES:
        out.append((f"S: … ({len(lines) - SHOWN_LINES} more)", "hint"))
    out += [(f"   {note}", "explain") for note in meanings(response, lang)]
    return out


def meanings(response: ImapResponse, lang: str) -> list[str]:
    data = load("imap")
    notes: list[str] = []
    if response.kind == "continuation":
        return [_short(data["responses"]["+"], lang)]
    if response.kind == "tagged":
        notes.append(say("imap", "imap_tagged", lang, status=response.status, tag=response.tag,
                         meaning=say("imap", f"imap_done_{response.status.lower()}", lang)))
    elif response.status == "OK" and response.code and response.code != "ALERT":
        pass  # `* OK [UIDVALIDITY …]`: the code is the news, said below
    elif response.status:
        notes.append(say("imap", "imap_untagged", lang,
                         meaning=_short(data["responses"][response.status], lang)))
    else:
        entry = data["responses"].get(response.name) or \
            data["responses"].get(f"{response.name}-RESPONSE")
        if entry is not None:
            notes.append(say("imap", "imap_untagged", lang, meaning=_short(entry, lang)))
    if response.code:
        entry = data["codes"].get(response.code) or data["codes"].get(f"{response.code}-CODE")
        if entry is not None:
            notes.append(say("imap", "imap_code", lang, code=response.code, meaning=_short(entry, lang)))
    if b"}\r\n" in response.raw:
        import re

        for size in re.findall(rb"\{([0-9]{1,12})\+?\}\r\n", response.raw)[:3]:
            notes.append(say("imap", "imap_literal_note", lang, octets=int(size)))
    return notes


def _short(entry: dict, lang: str) -> str:
    return pick(entry, lang)["short"]
