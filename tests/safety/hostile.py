"""The same hostile strings for every output path: what a terminal would obey."""

from __future__ import annotations

import base64

# each would act on a terminal: clear, title, clipboard, link, C1 CSI, bidi override, bell
PAYLOADS = {
    "clear": "\x1b[2J\x1b[H",
    "title": "\x1b]0;pwned\x07",
    "clipboard": "\x1b]52;c;" + base64.b64encode(b"rm -rf ~").decode() + "\x07",
    "link": "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "c1-csi": "\x9b2J",
    "bidi": "\u202eKO 052",
    "nul-del": "\x00\x7f",
}
HOSTILE = "".join(PAYLOADS.values())
FORBIDDEN = ("\x1b[2J", "\x1b]", "\x9b", "\u202e", "\x07", "\x00", "\x7f")


def assert_inert(text: str, *, styled: bool = False) -> None:
    """No payload reaches the reader raw (``styled``: the renderer's own colours allowed)."""
    for bad in FORBIDDEN:
        assert bad not in text, (bad, text[:2000])
    if not styled:
        assert "\x1b" not in text, text[:2000]


def assert_inert_bytes(data: bytes, *, styled: bool = False) -> None:
    assert_inert(data.decode("utf-8", "replace"), styled=styled)
