"""SEARCH keys (RFC 9051 §6.4.4), the teaching subset, as a tree of tests.

ALL, SEEN, UNSEEN, DELETED, UNDELETED, ANSWERED, UNANSWERED, FLAGGED, UNFLAGGED, DRAFT,
UNDRAFT, RECENT, NEW, FROM, TO, CC, SUBJECT, BODY, TEXT, HEADER field string, LARGER,
SMALLER, UID set, a sequence set, NOT key, OR key key, and (keys) for "all of these".
Strings match as case-insensitive substrings of the decoded header or text.
"""

from __future__ import annotations

from collections.abc import Callable

from smtp_tutor.protocol.imap.sequence import parse_set
from smtp_tutor.protocol.imap.syntax import Value
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.record import record

FLAG_KEYS = {"SEEN": ("\\Seen", True), "UNSEEN": ("\\Seen", False),
             "DELETED": ("\\Deleted", True), "UNDELETED": ("\\Deleted", False),
             "ANSWERED": ("\\Answered", True), "UNANSWERED": ("\\Answered", False),
             "FLAGGED": ("\\Flagged", True), "UNFLAGGED": ("\\Flagged", False),
             "DRAFT": ("\\Draft", True), "UNDRAFT": ("\\Draft", False)}
HEADER_KEYS = ("FROM", "TO", "CC", "BCC", "SUBJECT")


class BadSearch(ValueError):
    """Search keys this server cannot read."""


@record
class Candidate:
    """One message as a search sees it; ``header``/``text`` are read only when a key needs them."""

    number: int
    uid: int
    flags: frozenset[str]
    size: int
    recent: bool
    load: Callable[[], bytes]
    _message: bytes | None = None

    @property
    def message(self) -> bytes:
        if self._message is None:
            self._message = self.load()
        return self._message


Test = Callable[[Candidate], bool]


def compile_keys(values: list[Value], largest_number: int, largest_uid: int) -> Test:
    """All the keys of a SEARCH (after an optional ``CHARSET UTF-8``), ANDed."""
    values = list(values)
    if values and isinstance(values[0], bytes) and values[0].upper() == b"CHARSET":
        if len(values) < 2 or not isinstance(values[1], bytes) or \
                values[1].upper() not in (b"UTF-8", b"US-ASCII"):
            raise BadSearch("BADCHARSET")
        values = values[2:]
    if not values:
        raise BadSearch("SEARCH needs at least one key, e.g. SEARCH ALL")
    reader = _Keys(values, largest_number, largest_uid)
    tests = []
    while reader.more():
        tests.append(reader.key())
    return lambda c: all(test(c) for test in tests)


class _Keys:
    def __init__(self, values: list[Value], largest_number: int, largest_uid: int) -> None:
        self.values, self.at = values, 0
        self.largest_number, self.largest_uid = largest_number, largest_uid

    def more(self) -> bool:
        return self.at < len(self.values)

    def take(self) -> Value:
        if not self.more():
            raise BadSearch("a search key misses its argument")
        value = self.values[self.at]
        self.at += 1
        return value

    def string(self) -> str:
        value = self.take()
        if not isinstance(value, bytes):
            raise BadSearch("a string was expected")
        return value.decode("utf-8", "replace").lower()

    def key(self) -> Test:
        value = self.take()
        if isinstance(value, list):
            inner = _Keys(value, self.largest_number, self.largest_uid)
            tests = []
            while inner.more():
                tests.append(inner.key())
            return lambda c: all(test(c) for test in tests)
        if value is None:
            raise BadSearch("NIL is no search key")
        word = value.decode("ascii", "replace").upper()
        if word == "ALL":
            return lambda c: True
        if word in FLAG_KEYS:
            flag, present = FLAG_KEYS[word]
            return lambda c: (flag in c.flags) == present
        if word == "RECENT":
            return lambda c: c.recent
        if word == "NEW":
            return lambda c: c.recent and "\\Seen" not in c.flags
        if word == "OLD":
            return lambda c: not c.recent
        if word in HEADER_KEYS:
            name, needle = word, self.string()
            return lambda c: needle in header_text(c.message, name)
        if word == "HEADER":
            name, needle = self.string().upper(), self.string()
            return lambda c: needle in header_text(c.message, name)
        if word in ("BODY", "TEXT"):
            needle, whole = self.string(), word == "TEXT"
            return lambda c: needle in body_text(c.message, whole)
        if word in ("LARGER", "SMALLER"):
            size = ascii_int(self.string())
            if size is None:
                raise BadSearch(f"{word} takes a number of octets")
            return (lambda c: c.size > size) if word == "LARGER" else (lambda c: c.size < size)
        if word == "NOT":
            inner_test = self.key()
            return lambda c: not inner_test(c)
        if word == "OR":
            first, second = self.key(), self.key()
            return lambda c: first(c) or second(c)
        if word == "UID":
            uids = parse_set(self.string(), self.largest_uid)
            if uids is None:
                raise BadSearch("UID takes a set of UIDs, e.g. UID 1:5")
            return lambda c: any(low <= c.uid <= high for low, high in uids)
        ranges = parse_set(word, self.largest_number)
        if ranges is not None:
            return lambda c: any(low <= c.number <= high for low, high in ranges)
        raise BadSearch(f"{word[:30]} is not a search key this server knows")


def header_text(message: bytes, name: str) -> str:
    """The decoded values of one header field (RFC 2047 words decoded), lower case."""
    from email.header import decode_header, make_header

    end = message.find(b"\r\n\r\n")
    head = message[:end] if end >= 0 else message
    values: list[list[bytes]] = []
    taking = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if taking:
                values[-1].append(line)
            continue
        field, colon, rest = line.partition(b":")
        taking = bool(colon) and field.strip().decode("ascii", "replace").upper() == name
        if taking:
            values.append([rest])
    out = []
    for parts in values:
        raw = b" ".join(part.strip() for part in parts).decode("utf-8", "replace")
        try:
            out.append(str(make_header(decode_header(raw))))
        except Exception:  # noqa: BLE001 - a malformed encoded word: search the raw text
            out.append(raw)
    return "\n".join(out).lower()


def body_text(message: bytes, whole: bool) -> str:
    end = message.find(b"\r\n\r\n")
    part = message if whole or end < 0 else message[end + 4:]
    return part.decode("utf-8", "replace").lower()
