"""How the practice server words its replies: the catalogue, and the last look at a line.

Every reply text lives in ``knowledge/data/server.toml`` (the dialogue core and the
policies name replies by key); ``reply(key, **values)`` fills one in, passing every
value through ``printable()`` first, so an address a client chose can never carry a
control or bidi character back to a terminal.  The last look at
every line that leaves (``finished``): a reply from a teaching fault or a lesson that lacks an
enhanced status code gets one (RFC 2034 §3 asks for it on every 2xx, 4xx and 5xx
reply except the greeting and the answer to HELO/EHLO, since the server advertises
ENHANCEDSTATUSCODES).

Pure: no I/O beyond reading the catalogue once.
"""

from __future__ import annotations

import re

from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.visible import printable

_HAS_ENHANCED = re.compile(r"^[245][0-9][0-9][ -][245]\.[0-9]{1,3}\.[0-9]{1,3}(?: |$)")
# subject.detail of the enhanced code added to a reply that has none, by reply code
DEFAULT_DETAIL = {
    "421": "4.2", "450": "2.0", "451": "3.0", "452": "3.1", "454": "7.0",
    "500": "5.2", "501": "5.4", "502": "5.1", "503": "5.1", "504": "5.4",
    "530": "7.0", "550": "0.0", "552": "3.4", "553": "1.3", "554": "0.0", "555": "5.4",
}


def catalogue() -> dict[str, str]:
    """Every reply text by key."""
    return load("server")["replies"]


def reply(key: str, **values: object) -> str:
    """The reply ``key`` with ``values`` filled in, each made printable."""
    text = catalogue()[key]
    if not values:
        return text
    return text.format(**{name: printable(str(value)) for name, value in values.items()})


def finished(text: str, *, bare: bool = False) -> str:
    """One reply line as sent; ``bare``: the greeting or a HELO/EHLO reply, which carry
    no enhanced code when they succeed (RFC 2034 §3)."""
    text = printable(text)
    if (bare and text[:1] == "2") or text[:1] not in "245" or _HAS_ENHANCED.match(text):
        return text
    code = text[:3]
    detail = DEFAULT_DETAIL.get(code, "0.0")
    return f"{text[:4]}{code[0]}.{detail} {text[4:]}".rstrip()
