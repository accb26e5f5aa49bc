"""BDAT chunks (RFC 3030): a command line that says how many octets follow, then them.

A chunk has no line framing and no terminator: after ``BDAT 34 LAST`` the next 34
octets are message data whatever they look like (a line reading ``QUIT`` included),
and the server answers only once all of them have arrived.  So the client must count:
``ChunkInProgress`` is that count for a chunk being typed line by line.
"""

from __future__ import annotations

from smtp_tutor.protocol.commands import Command
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.record import record

BDAT_LAST = "BDAT-LAST"  # the pseudo-verb of a chunk with LAST: its 250 ends the transaction
PREVIEW = 200  # octets of a chunk an event keeps for the raw view


def parse_bdat(args: str) -> tuple[int, bool] | None:
    """``34 LAST`` → (34, True); None when the size is not ASCII digits."""
    words = args.split()
    if not words:
        return None
    size = ascii_int(words[0])
    if size is None:
        return None
    return size, len(words) > 1 and words[1].upper() == "LAST"


def bdat_line(size: int, *, last: bool) -> str:
    return f"BDAT {size}{' LAST' if last else ''}"


def split_message(message: bytes, size: int) -> list[bytes]:
    """The message cut into chunks of at most ``size`` octets (at least one chunk)."""
    size = max(1, size)
    return [message[i:i + size] for i in range(0, len(message), size)] or [b""]


def typed_octets(line: str) -> bytes:
    """A typed line as chunk data: its text and the CRLF the Enter key stands for."""
    return line.rstrip("\r\n").encode("utf-8") + b"\r\n"


@record
class ChunkInProgress:
    """A BDAT whose octets are still being typed; its reply is due only when it is full."""

    command: Command
    size: int
    sent: int = 0

    @property
    def left(self) -> int:
        return self.size - self.sent

    def take(self, octets: bytes) -> tuple[bytes, int]:
        """What of ``octets`` still fits in the chunk, and how many octets did not."""
        fits = octets[: self.left]
        self.sent += len(fits)
        return fits, len(octets) - len(fits)
