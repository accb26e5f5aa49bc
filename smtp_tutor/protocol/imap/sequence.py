"""Sequence sets (RFC 9051 §9, ``sequence-set``): ``1``, ``2:4``, ``5:*``, ``1,3,7:9``."""

from __future__ import annotations

from smtp_tutor.protocol.numbers import ascii_int

MAX_RANGES = 1000


def parse_set(text: str, largest: int) -> list[tuple[int, int]] | None:
    """The ranges a set names, ``*`` being ``largest`` (the last message's number or
    UID; 0 in an empty mailbox); None when the text is no sequence set.  A range may be
    written backwards (``4:2``)."""
    parts = text.split(",")
    if not text or len(parts) > MAX_RANGES:
        return None
    out: list[tuple[int, int]] = []
    for part in parts:
        low_text, colon, high_text = part.partition(":")
        low = _number(low_text, largest)
        high = _number(high_text, largest) if colon else low
        if low is None or high is None:
            return None
        out.append((min(low, high), max(low, high)))
    return out


def pick(ranges: list[tuple[int, int]], numbers: list[int]) -> list[int]:
    """Those of ``numbers`` inside the ranges, in their order."""
    return [n for n in numbers if any(low <= n <= high for low, high in ranges)]


def _number(text: str, largest: int) -> int | None:
    if text == "*":
        return largest
    value = ascii_int(text)
    return value if value is not None and value > 0 else None


def compact(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` → ``1:3,7``."""
    out: list[str] = []
    for number in sorted(numbers):
        if out and ":" not in out[-1].split(",")[-1] and int(out[-1].split(",")[-1]) == number - 1:
            out[-1] = f"{out[-1]}:{number}"
        elif out and ":" in out[-1] and int(out[-1].rsplit(":", 1)[1]) == number - 1:
            out[-1] = f"{out[-1].rsplit(':', 1)[0]}:{number}"
        else:
            out.append(str(number))
    return ",".join(out)
