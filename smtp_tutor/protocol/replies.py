"""Reading server replies (RFC 5321 §4.2): ``NNN text`` lines, ``NNN-`` continued.

The parser is incremental and bounded: it holds at most one line of ``max_line``
octets and one reply of ``max_lines`` lines, so a hostile or broken server costs a
clear error, never memory.  A bare LF ending is tolerated (sloppy servers exist) but
flagged, because the same leniency on the server side is what SMTP smuggling abuses.
"""

from __future__ import annotations

import re

from smtp_tutor.protocol.events import Note, ProtocolError
from smtp_tutor.record import field, record

MAX_REPLY_LINE = 8192  # RFC 5321 §4.5.3.1.5 says 512; real servers stay well under this
MAX_REPLY_LINES = 1000

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)", re.ASCII)
_REPLY_LINE = re.compile(rb"^([2-5][0-9][0-9])([ -]|$)(.*)$", re.DOTALL)


def find_enhanced_code(code: int, text: str) -> str | None:
    """The RFC 3463 code at the start of ``text``, if its class matches the reply's."""
    match = _ENHANCED.match(text)
    if match and int(match.group(1)) == code // 100:
        return f"{match.group(1)}.{int(match.group(2))}.{int(match.group(3))}"
    return None


@record(frozen=True)
class Reply:
    """One complete reply: ``code`` and the text of each of its lines."""

    code: int
    lines: tuple[str, ...]
    enhanced: str | None = None
    raw: bytes = b""
    notes: tuple[Note, ...] = field(default=(), compare=False)

    @property
    def klass(self) -> int:
        """First digit: 2 success, 3 intermediate, 4 transient, 5 permanent."""
        return self.code // 100

    @property
    def category(self) -> int:
        """Second digit: 0 syntax, 1 information, 2 connections, 5 mail system."""
        return (self.code // 10) % 10

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def text_without_enhanced(self, index: int = 0) -> str:
        """A line's text with its leading enhanced code removed."""
        line = self.lines[index] if self.lines else ""
        if self.enhanced and line.startswith(self.enhanced.split(".")[0] + "."):
            return _ENHANCED.sub("", line, count=1).lstrip()
        return line

    def wire_lines(self) -> list[str]:
        """The reply as the server sent it, one ``NNN-text``/``NNN text`` per line."""
        last = len(self.lines) - 1
        return [f"{self.code}{'-' if i < last else ' '}{line}" for i, line in enumerate(self.lines)]


class ReplyParser:
    """Turns a byte stream into ``Reply`` objects and ``ProtocolError``s."""

    def __init__(self, max_line: int = MAX_REPLY_LINE, max_lines: int = MAX_REPLY_LINES) -> None:
        self.max_line = max_line
        self.max_lines = max_lines
        self._buffer = bytearray()
        self._lines: list[str] = []
        self._raw = bytearray()
        self._code: int | None = None
        self._notes: list[Note] = []
        self.broken = False

    @property
    def pending(self) -> bool:
        """True while part of a reply has arrived but not its last line."""
        return bool(self._buffer or self._lines)

    def feed(self, data: bytes) -> list[Reply | ProtocolError]:
        """Add bytes; return every reply (or error) they complete."""
        if self.broken:
            return []
        self._buffer += data
        out: list[Reply | ProtocolError] = []
        while not self.broken:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > self.max_line:
                    out.append(self._fail("reply-line-too-long", f"over {self.max_line} octets"))
                break
            if end > self.max_line:
                out.append(self._fail("reply-line-too-long", f"over {self.max_line} octets"))
                break
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            result = self._take_line(line)
            if result is not None:
                out.append(result)
        return out

    def partial(self) -> str:
        """What has arrived of an unfinished reply, as text (for a message, not a reply)."""
        lines = [*self._lines, bytes(self._buffer).decode("utf-8", "replace")]
        return " / ".join(line.strip() for line in lines if line.strip())[:200]

    def discard(self) -> bool:
        """Forget any partial reply; True if there was something to forget."""
        had = self.pending
        self._buffer.clear()
        self._lines.clear()
        self._raw.clear()
        self._code = None
        self._notes = []
        return had

    def _fail(self, key: str, detail: str) -> ProtocolError:
        self.broken = True
        self._buffer.clear()
        self._lines.clear()
        self._raw.clear()
        return ProtocolError(key, detail)

    def _take_line(self, line: bytes) -> Reply | ProtocolError | None:
        self._raw += line
        if line.endswith(b"\r\n"):
            body = line[:-2]
        else:
            body = line[:-1]
            self._add_note(Note("bare-lf-reply", level="warning", rfc="RFC 5321 §2.3.8"))
        match = _REPLY_LINE.match(body)
        if match is None:
            shown = body[:80].decode("utf-8", "replace")
            return self._fail("malformed-reply", shown)
        code = int(match.group(1))
        try:
            text = match.group(3).decode("utf-8")
        except UnicodeDecodeError:
            text = match.group(3).decode("utf-8", "replace")
            self._add_note(Note("non-utf8-reply", level="warning", rfc="RFC 5321 §2.4"))
        if self._code is None:
            self._code = code
        elif code != self._code:
            self._add_note(
                Note("reply-code-mismatch", {"first": str(self._code), "then": str(code)},
                     level="warning", rfc="RFC 5321 §4.2.1")
            )
        self._lines.append(text)
        if match.group(2) == b"-":
            if len(self._lines) >= self.max_lines:
                return self._fail("reply-too-many-lines", f"over {self.max_lines} lines")
            return None
        return self._finish()

    def _add_note(self, note: Note) -> None:
        if note not in self._notes:
            self._notes.append(note)

    def _finish(self) -> Reply:
        code = self._code if self._code is not None else 0
        lines = tuple(self._lines)
        reply = Reply(
            code=code,
            lines=lines,
            enhanced=find_enhanced_code(code, lines[0]) if lines else None,
            raw=bytes(self._raw),
            notes=tuple(self._notes),
        )
        self._lines = []
        self._raw = bytearray()
        self._code = None
        self._notes = []
        return reply
