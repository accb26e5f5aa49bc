"""What a server offers in its EHLO reply (RFC 5321 §4.1.1.1): keywords and parameters."""

from __future__ import annotations

from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.record import field, record


@record(frozen=True)
class Capabilities:
    """The extensions of one EHLO reply, keyword upper-cased, in the server's order."""

    offered: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_ehlo_lines(cls, lines: tuple[str, ...]) -> Capabilities:
        """Parse every line after the first; an empty keyword line (smtp-sink) is skipped."""
        offered: dict[str, tuple[str, ...]] = {}
        for line in lines[1:]:
            words = line.split()
            if not words:
                continue
            keyword = words[0].upper()
            if keyword.startswith("AUTH="):  # old, pre-RFC 4954 form
                offered.setdefault("AUTH", tuple(keyword[5:].split()))
                continue
            offered[keyword] = tuple(words[1:])
        return cls(offered)

    def __contains__(self, keyword: str) -> bool:
        return keyword.upper() in self.offered

    def __bool__(self) -> bool:
        return bool(self.offered)

    @property
    def size_limit(self) -> int | None:
        """The SIZE value in octets; None when not offered, 0 when it has no limit."""
        params = self.offered.get("SIZE")
        if params is None:
            return None
        value = ascii_int(params[0]) if params else None
        return value or 0

    @property
    def auth_mechanisms(self) -> tuple[str, ...]:
        return tuple(m.upper() for m in self.offered.get("AUTH", ()))

    def diff(self, before: Capabilities) -> tuple[list[str], list[str]]:
        """Keywords added and removed since ``before`` (e.g. AUTH appears after STARTTLS)."""
        added = [k for k in self.offered if k not in before.offered]
        removed = [k for k in before.offered if k not in self.offered]
        return added, removed
