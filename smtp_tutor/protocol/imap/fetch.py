"""FETCH's data items (RFC 9051 §6.4.5): which ones a client asked for, and their values.

The teaching subset: FLAGS, UID, RFC822.SIZE, INTERNALDATE, BODY[…] and BODY.PEEK[…]
with the sections "" (all), HEADER, TEXT, HEADER.FIELDS (…), HEADER.FIELDS.NOT (…) and a
partial ``<start.count>``, and RFC 3501's RFC822, RFC822.HEADER, RFC822.TEXT.  ENVELOPE
and BODYSTRUCTURE are refused (``Unsupported``).
"""

from __future__ import annotations

import re
import time

from smtp_tutor.protocol.imap.syntax import Value, nstring, quote, text_of
from smtp_tutor.record import record

MACROS = {"ALL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
          "FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
          "FULL": ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"]}
SIMPLE = ("FLAGS", "UID", "RFC822.SIZE", "INTERNALDATE")
_SECTION = re.compile(r"^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<([0-9]{1,10})(?:\.([0-9]{1,10}))?>)?$",
                      re.IGNORECASE)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Unsupported(ValueError):
    """An item this teaching server does not offer, or one written wrongly."""


@record(frozen=True)
class Item:
    name: str  # FLAGS, UID, RFC822.SIZE, INTERNALDATE, BODY
    section: str = ""  # "", HEADER, TEXT, HEADER.FIELDS, HEADER.FIELDS.NOT
    fields: tuple[str, ...] = ()
    peek: bool = False
    start: int | None = None
    count: int | None = None
    label: str = ""  # how the response names it: BODY[HEADER.FIELDS (FROM)]<0>

    @property
    def sets_seen(self) -> bool:
        return self.name == "BODY" and not self.peek and self.section in ("", "TEXT")


def items(values: list[Value], uid_command: bool) -> list[Item]:
    """The items of ``FETCH 1:* (FLAGS BODY.PEEK[HEADER])`` from the values after the set."""
    if len(values) != 1:
        raise Unsupported("FETCH takes a set and one item or a (list) of items")
    wanted = values[0] if isinstance(values[0], list) else [values[0]]
    names: list[str] = []
    for value in wanted:
        if not isinstance(value, bytes):
            raise Unsupported("a FETCH item is a word such as FLAGS or BODY.PEEK[]")
        word = value.decode("ascii", "replace")
        names += MACROS.get(word.upper(), [word]) if not isinstance(values[0], list) else [word]
    out = [_item(name) for name in names]
    if uid_command and not any(item.name == "UID" for item in out):
        out.insert(0, Item("UID", label="UID"))
    return out


def _item(word: str) -> Item:
    upper = word.upper()
    if upper in SIMPLE:
        return Item(upper, label=upper)
    if upper == "RFC822":
        return Item("BODY", label="RFC822")
    if upper == "RFC822.HEADER":
        return Item("BODY", "HEADER", peek=True, label="RFC822.HEADER")
    if upper == "RFC822.TEXT":
        return Item("BODY", "TEXT", label="RFC822.TEXT")
    found = _SECTION.match(word)
    if found is None:
        raise Unsupported(f"{word[:40]} is not offered by this teaching server "
                          "(FLAGS, UID, RFC822.SIZE, INTERNALDATE, BODY[...], BODY.PEEK[...])")
    section_text = found.group(2).strip()
    section, _, rest = section_text.partition(" ")
    section = section.upper()
    fields: tuple[str, ...] = ()
    if section in ("HEADER.FIELDS", "HEADER.FIELDS.NOT"):
        inside = rest.strip()
        if not (inside.startswith("(") and inside.endswith(")")) or not inside[1:-1].split():
            raise Unsupported(f"{section} takes a list of field names: {section} (FROM SUBJECT)")
        fields = tuple(f.upper() for f in inside[1:-1].split())
    elif section not in ("", "HEADER", "TEXT") or rest:
        raise Unsupported(f"the section [{section_text[:30]}] is not offered here "
                          "([], [HEADER], [TEXT], [HEADER.FIELDS (...)])")
    start = int(found.group(3)) if found.group(3) is not None else None
    count = int(found.group(4)) if found.group(4) is not None else None
    shown = section + (" (" + " ".join(fields) + ")" if fields else "")
    label = f"BODY[{shown}]" + (f"<{start}>" if start is not None else "")
    return Item("BODY", section, fields, found.group(1).upper() == "BODY.PEEK", start, count,
                label)


def split_message(message: bytes) -> tuple[bytes, bytes]:
    """(header with its blank line, text), CRLF line ends."""
    end = message.find(b"\r\n\r\n")
    if end < 0:
        return message, b""
    return message[:end + 4], message[end + 4:]


def header_fields(header: bytes, names: tuple[str, ...], keep: bool) -> bytes:
    """The header lines (with their folded continuations) named in ``names``, or all but
    those, then the blank line."""
    out: list[bytes] = []
    taking = False
    for line in header.split(b"\r\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if taking:
                out.append(line)
            continue
        name = line.split(b":", 1)[0].strip().decode("ascii", "replace").upper()
        taking = (name in names) == keep
        if taking:
            out.append(line)
    return b"".join(line + b"\r\n" for line in out) + b"\r\n"


def body_value(item: Item, message: bytes) -> bytes:
    header, text = split_message(message)
    if item.section == "HEADER":
        data = header
    elif item.section == "TEXT":
        data = text
    elif item.section == "HEADER.FIELDS":
        data = header_fields(header, item.fields, True)
    elif item.section == "HEADER.FIELDS.NOT":
        data = header_fields(header, item.fields, False)
    else:
        data = message
    if item.start is not None:
        data = data[item.start:]
        if item.count is not None:
            data = data[:item.count]
    return data


def internal_date(seconds: float) -> str:
    moment = time.gmtime(seconds)
    return (f"{moment.tm_mday:02d}-{_MONTHS[moment.tm_mon - 1]}-{moment.tm_year:04d} "
            f"{moment.tm_hour:02d}:{moment.tm_min:02d}:{moment.tm_sec:02d} +0000")


def flag_list(flags: frozenset[str] | set[str]) -> bytes:
    return ("(" + " ".join(sorted(flags)) + ")").encode()


def describe(values: list[Value]) -> str:
    return " ".join(text_of(v) for v in values)


__all__ = ["Item", "Unsupported", "body_value", "describe", "flag_list", "internal_date",
           "items", "nstring", "quote"]
