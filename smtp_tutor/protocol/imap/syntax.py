"""IMAP's data syntax (RFC 9051 §4), shared by both sides: atoms, strings, lists, literals.

A command or a response is one line, except where a literal ``{n}`` ends a line: then
exactly *n* octets follow (any bytes, CR and LF included) and the line goes on.  The
``Framer`` cuts a byte stream into such logical lines, keeping the literals' bytes;
``parse`` turns one into values: ``bytes`` for atoms, strings and literals, ``None``
for NIL, ``list`` for a parenthesized list.  An atom may hold a bracketed part with
spaces (``BODY[HEADER.FIELDS (FROM)]``), kept whole, as RFC 9051's grammar reads it.
"""

from __future__ import annotations

import re

from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.record import field, record

LITERAL_AT_END = re.compile(rb"\{([0-9]{1,18})(\+?)\}\r?\n?$")
ATOM_SPECIALS = frozenset(b'(){ %*"\\[]') | frozenset(range(0x20)) | {0x7F}

Value = bytes | None | list
_ENDS_ATOM = frozenset(b" ()\r\n")
_STARTS_VALUE = frozenset(b'"{')


class SyntaxProblem(ValueError):
    """Text that is not IMAP syntax; the message says where."""


@record(frozen=True)
class Literal:
    """A literal announced at the end of a line: ``{size}`` or ``{size+}`` (LITERAL+)."""

    size: int
    synchronizing: bool


def literal_at_end(line: bytes) -> Literal | None:
    """``{12}`` (or ``{12+}``) ending ``line``, CRLF not counted."""
    found = LITERAL_AT_END.search(line.rstrip(b"\r\n") + b"\r\n")
    if found is None:
        return None
    size = ascii_int(found.group(1).decode())
    return None if size is None else Literal(size, not found.group(2))


@record
class Framer:
    """Bytes in, logical lines out (literals inside, CRLF removed at the very end).

    ``max_line``: octets of one physical line; ``max_literal``: octets of one literal.
    Past either, ``feed`` raises ``SyntaxProblem`` and the framer starts afresh."""

    max_line: int = 8192
    max_literal: int = 64 * 1024 * 1024
    _buffer: bytearray = field(default_factory=bytearray)
    _parts: list[bytes] = field(default_factory=list)
    _need: int = 0  # octets of a literal still to come
    pending_literal: Literal | None = None  # the literal the current line announced
    refused: bytes = b""  # the first line of a command refused for its literal's size

    def clear(self) -> int:
        """Forget everything buffered (after STARTTLS); returns how many octets."""
        dropped = len(self._buffer) + sum(map(len, self._parts))
        self._buffer.clear()
        self._parts.clear()
        self._need, self.pending_literal = 0, None
        return dropped

    def drop_command(self) -> None:
        """The command being read is refused (a literal too big): forget its start."""
        self._parts.clear()
        self._need, self.pending_literal = 0, None

    @property
    def started(self) -> bytes:
        """The first line of a command still waiting for its literal's octets."""
        return self._parts[0] if self._parts else b""

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_line(self) -> bytes | None:
        """The next complete logical line, or None when more bytes are needed.  When a
        line ends with a literal, ``pending_literal`` says so until its octets are in."""
        while True:
            if self._need:
                if len(self._buffer) < self._need:
                    return None
                self._parts.append(bytes(self._buffer[: self._need]))
                del self._buffer[: self._need]
                self._need, self.pending_literal = 0, None
                continue
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > self.max_line:
                    self.clear()
                    raise SyntaxProblem("line too long")
                return None
            if end + 1 > self.max_line:
                del self._buffer[: end + 1]
                self._parts.clear()
                raise SyntaxProblem("line too long")
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            literal = literal_at_end(line)
            if literal is None:
                whole = b"".join(self._parts) + line.rstrip(b"\r\n")
                self._parts.clear()
                return whole
            if literal.size > self.max_literal:
                self.refused = b"".join(self._parts) + line
                self._parts.clear()
                self.pending_literal = literal
                raise SyntaxProblem("literal too big")
            self._parts.append(line if line.endswith(b"\r\n") else line[:-1] + b"\r\n")
            self._need, self.pending_literal = literal.size, literal
            if literal.size == 0:
                self._need, self.pending_literal = 0, None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def peek(self) -> int | None:
        return self.data[self.at] if self.at < len(self.data) else None

    def value(self) -> Value:
        c = self.peek()
        if c is None:
            raise SyntaxProblem("a value is missing")
        if c == ord("("):
            self.at += 1
            items: list = []
            while True:
                self.spaces()
                if self.peek() == ord(")"):
                    self.at += 1
                    return items
                if self.peek() is None:
                    raise SyntaxProblem("a list is not closed with )")
                items.append(self.value())
        if c == ord('"'):
            return self.quoted()
        if c == ord("{"):
            return self.literal()
        return self.atom()

    def spaces(self) -> None:
        while self.peek() == ord(" "):
            self.at += 1

    def quoted(self) -> bytes:
        self.at += 1
        out = bytearray()
        while True:
            c = self.peek()
            if c is None or c in (10, 13):
                raise SyntaxProblem("a quoted string is not closed")
            self.at += 1
            if c == ord('"'):
                return bytes(out)
            if c == ord("\\"):
                c = self.peek()
                if c not in (ord('"'), ord("\\")):
                    raise SyntaxProblem('only \\" and \\\\ may be escaped in a quoted string')
                self.at += 1
            out.append(c)

    def literal(self) -> bytes:
        found = re.compile(rb"\{([0-9]{1,18})\+?\}\r\n").match(self.data, self.at)
        if found is None:
            raise SyntaxProblem("a literal is {size} then CRLF")
        size = int(found.group(1))
        start = found.end()
        if start + size > len(self.data):
            raise SyntaxProblem("a literal is shorter than announced")
        self.at = start + size
        return self.data[start:start + size]

    def atom(self) -> bytes | None:
        start, depth = self.at, 0
        while (c := self.peek()) is not None:
            if c == ord("["):
                depth += 1
            elif c == ord("]") and depth:
                depth -= 1
            elif depth == 0 and (c in _ENDS_ATOM or (c in _STARTS_VALUE and self.at > start)):
                break
            self.at += 1
        if self.at == start:
            raise SyntaxProblem(f"unexpected character {chr(self.data[start])!r}")
        word = self.data[start:self.at]
        return None if word.upper() == b"NIL" else word


def parse(data: bytes) -> list[Value]:
    """Every value of ``data`` (one logical line), separated by spaces."""
    reader = _Reader(data)
    values: list[Value] = []
    while True:
        reader.spaces()
        if reader.peek() is None:
            return values
        if reader.peek() == ord(")"):
            raise SyntaxProblem("a ) closes no list")
        values.append(reader.value())


def split_first(data: bytes, count: int) -> tuple[list[bytes], bytes]:
    """The first ``count`` space-separated words and the rest of the line, unparsed."""
    words: list[bytes] = []
    rest = data
    for _ in range(count):
        word, _, rest = rest.lstrip(b" ").partition(b" ")
        if not word:
            break
        words.append(word)
    return words, rest


def response_code(text: bytes) -> tuple[str, bytes, bytes]:
    """``[UIDVALIDITY 3857529045] UIDs valid`` → ("UIDVALIDITY", b"3857529045", b"UIDs valid")."""
    if not text.startswith(b"["):
        return "", b"", text
    end = text.find(b"]")
    if end < 0:
        return "", b"", text
    inside = text[1:end]
    name, _, argument = inside.partition(b" ")
    return name.decode("ascii", "replace").upper(), argument, text[end + 1:].lstrip(b" ")


def is_atom(data: bytes) -> bool:
    return bool(data) and not any(c in ATOM_SPECIALS or c > 0x7E for c in data) \
        and data.upper() != b"NIL"


def quote(data: bytes | str) -> bytes:
    """An astring as a client or server writes it: an atom when it can be one, else a
    quoted string, else (CR, LF, NUL or 8-bit) a literal ``{n}`` CRLF and the octets."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if is_atom(raw):
        return raw
    if all(0x20 <= c < 0x7F for c in raw):
        return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return b"{%d}\r\n" % len(raw) + raw


def nstring(data: bytes | None) -> bytes:
    """A value the server sends: NIL, or a literal (message text is never quoted)."""
    if data is None:
        return b"NIL"
    return b"{%d}\r\n" % len(data) + data


def text_of(value: Value) -> str:
    """A parsed value as text for people (lists in brackets, NIL as NIL)."""
    if value is None:
        return "NIL"
    if isinstance(value, list):
        return "(" + " ".join(text_of(v) for v in value) + ")"
    return value.decode("utf-8", "replace")
