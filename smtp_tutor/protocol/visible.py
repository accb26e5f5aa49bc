"""Untrusted text made safe to show: control and bidi characters become visible marks.

Text from a server, a client, a transcript, a lesson file or a mailbox may hold
terminal escape sequences (ESC, the C1 control CSI U+009B), other C0 controls and
Unicode bidi or invisible format characters.  A terminal obeys them: a hostile
server could clear the screen, set the window title, write the clipboard, or print
``250 OK`` right-to-left over a refusal.  Every output kind turns outside text into
displayable text through ``visible()`` before a renderer sees it, so these
characters are shown (``\\x1b``, ``<U+202E>``) and never obeyed.

``printable()`` is the server's counterpart for text it writes back into a reply or
a trace header (as Postfix's ``printable(..., '?')``): a client can never make the
server echo a control character or forge a header line.
"""

from __future__ import annotations

import re

# Beyond the controls: bidi embeddings, overrides and isolates; zero-width characters
# and line/paragraph separators; Hangul fillers; the BOM; interlinear annotation marks
# (first and last code point of each range). An input line shows them too
# (net/line_display.py).
INVISIBLE_RANGES = ((0x061C, 0x061C), (0x115F, 0x1160), (0x180E, 0x180E), (0x200B, 0x200F),
                    (0x2028, 0x202E), (0x2060, 0x2069), (0x3164, 0x3164), (0xFEFF, 0xFEFF),
                    (0xFFF9, 0xFFFB))
INVISIBLE_CHARACTERS = "".join(chr(code) for first, last in INVISIBLE_RANGES
                               for code in range(first, last + 1))
# C0 controls except TAB, DEL, C1 controls; the invisible ranges; lone surrogates (bytes
# that were not UTF-8, kept by "surrogateescape": no encoder takes them)
_UNSAFE_CLASS = (
    "\x00-\x08\x0a-\x1f\x7f-\x9f"
    + "".join(f"{chr(first)}-{chr(last)}" for first, last in INVISIBLE_RANGES)
    + "\ud800-\udfff"
)
_PATTERNS = {"UNSAFE": f"[{_UNSAFE_CLASS}]", "_UNSAFE_OR_TAB": f"[\t{_UNSAFE_CLASS}]",
             "MARK": r"\\x[0-9a-f]{2}|<U\+[0-9A-F]{4}>"}
_COMPILED: dict[str, re.Pattern[str]] = {}


def _pattern(name: str) -> re.Pattern[str]:
    """``UNSAFE``, ``_UNSAFE_OR_TAB`` and ``MARK``, compiled when first used: the two long
    classes cost 0.6 ms of a piped session, whose text is mostly plain ASCII (``_plain``)."""
    try:
        return _COMPILED[name]
    except KeyError:
        pattern = _COMPILED[name] = re.compile(_PATTERNS[name])
        return pattern


def __getattr__(name: str) -> re.Pattern[str]:  # PEP 562: ``from ... import UNSAFE`` too
    if name not in _PATTERNS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _pattern(name)


def _mark(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as "surrogateescape" kept it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def _plain(text: str) -> bool:
    """Printable ASCII only (0x20-0x7e): no character of the unsafe class, for sure."""
    return text.isascii() and text.isprintable()


def visible(text: str) -> str:
    """``text`` with every control and bidi character shown as a mark (TAB is kept)."""
    if _plain(text):
        return text
    unsafe = _pattern("UNSAFE")
    return text if unsafe.search(text) is None else unsafe.sub(_mark, text)


def visible_lines(text: str) -> list[str]:
    """A multi-line block (a stored message): each line made visible on its own."""
    return [visible(line) for line in text.replace("\r\n", "\n").split("\n")]


def has_unsafe(text: str) -> bool:
    return not _plain(text) and _pattern("UNSAFE").search(text) is not None


def printable(text: str, replacement: str = "?") -> str:
    """For text a server echoes: every control (TAB too) and bidi character replaced."""
    if _plain(text):
        return text
    pattern = _pattern("_UNSAFE_OR_TAB")
    return text if pattern.search(text) is None else pattern.sub(replacement, text)


def visible_wire(data: bytes) -> str:
    """Bytes as text with line endings marked (⏎ CRLF, ␊ bare LF, ␍ bare CR), the rest
    of the controls as in ``visible``."""
    text = data.decode("utf-8", "replace")
    parts = re.split(r"(\r\n|\r|\n)", text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append({"\r\n": "⏎", "\n": "␊", "\r": "␍"}[part])
        else:
            out.append(visible(part))
    return "".join(out)
