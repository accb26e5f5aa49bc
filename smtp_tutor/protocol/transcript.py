"""A session written down in the textbook's notation: ``S:`` server lines, ``C:`` client lines.

It is built from events, so what it holds is what the screen showed: secrets are
already masked in ``Command.display`` and never reach it.
"""

from __future__ import annotations

from smtp_tutor.protocol.events import (
    ChunkDataSent,
    CommandSent,
    DataLineSent,
    Event,
    ReplyReceived,
)


class Transcript:
    """Collects the dialogue as (side, text) pairs."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self._group = 0

    def add(self, event: Event) -> None:
        if isinstance(event, ReplyReceived):
            self.lines.extend(("S", line) for line in event.reply.wire_lines())
        elif isinstance(event, CommandSent):
            self.lines.append(("C", event.command.display))
            if event.group and event.group != self._group:
                self._group = event.group
                self.lines.insert(len(self.lines) - 1, ("#", f"pipelined group {event.group}"))
        elif isinstance(event, ChunkDataSent | DataLineSent):
            self.lines.append(("C", event.text))

    def extend(self, events: list[Event]) -> None:
        for event in events:
            self.add(event)

    def textbook(self) -> str:
        """``S: 220 ...`` / ``C: HELO ...`` lines, as in the course material."""
        return "".join(f"# {text}\n" if side == "#" else f"{side}: {text}".rstrip(" ") + "\n"
                       for side, text in self.lines)
