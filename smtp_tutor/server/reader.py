"""What aiosmtpd reads from a client, passed through strict line handling and the lint.

aiosmtpd reads command lines with ``readuntil(b"\\n")`` (a bare LF ends a command) and
message lines with ``readuntil(b"\\r\\n")`` (a body sent with bare LFs never ends, and
the client hangs).  This reader sits between: a command ending in a bare LF, or holding
a bare CR, is refused with a 500 and never reaches aiosmtpd; a message line with a bare
LF or CR marks the message (refused at its end, as strict servers do); an end marker
written with a bare LF or CR (``.<LF>``: what nc sends, and the SMTP smuggling shape)
refuses the message and ends the connection (``framing``), so the student's client
gets an answer instead of a hang, and nothing after it runs as a command.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from smtp_tutor.server.framing import DataFraming, Verdict

CRLF = b"\r\n"


class LineOwner(Protocol):
    """The connection the reader works for (``PracticeSMTP``)."""

    async def refuse_bare_lf(self) -> None: ...
    async def refuse_bare_cr(self) -> None: ...
    async def refuse_lookalike_end(self) -> None: ...
    def saw_command(self, line: bytes) -> None: ...
    def saw_data_line(self, line: bytes, *, bare_lf: bool) -> None: ...
    def saw_auth_answer(self, line: bytes) -> None: ...
    def saw_overlong(self, octets: int, *, in_data: bool) -> None: ...


DRAIN_PIECE = 64 * 1024  # octets of an over-long line dropped per read


class ClientLineReader:
    """Stands in for aiosmtpd's ``StreamReader``, with the methods and attributes it uses."""

    def __init__(self, reader: asyncio.StreamReader, owner: LineOwner) -> None:
        self._reader = reader
        self._owner = owner
        self._cut = False  # after an overlong line, aiosmtpd reads on to its end
        self._framing: DataFraming | None = None  # inside a message

    # aiosmtpd rewires these two on STARTTLS
    @property
    def _transport(self):  # noqa: ANN202 - aiosmtpd's private attribute
        return self._reader._transport  # type: ignore[attr-defined]

    @_transport.setter
    def _transport(self, value) -> None:  # noqa: ANN001
        self._reader._transport = value  # type: ignore[attr-defined]

    @property
    def _buffer(self) -> bytearray:
        return self._reader._buffer  # type: ignore[attr-defined]

    def discard(self) -> None:
        """Forget what the client sent but nobody read: the connection is being closed."""
        self._buffer.clear()

    def take_pending(self) -> bytes:
        """What the client sent but nobody read, taken out (the connection is ending)."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def waiting(self) -> int:
        """Bytes the client sent that nobody has read yet."""
        return len(self._buffer)

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        in_data = separator == CRLF
        while True:
            try:
                line = await self._reader.readuntil(b"\n")
            except asyncio.LimitOverrunError as error:
                raise self._overrun(error, in_data=in_data) from None
            except asyncio.IncompleteReadError as error:
                if error.partial and hasattr(self._owner, "saw_unfinished"):
                    self._owner.saw_unfinished(error.partial, in_data=in_data)
                raise
            if self._cut:
                self._cut = False
                if in_data and self._framing is not None:
                    self._framing.after_crlf = line.endswith(CRLF)
                return line  # the tail of a line already reported as too long
            if in_data:
                return await self._data_line(line)
            self._framing = None
            self._owner.saw_command(line)
            if line.endswith(CRLF) and line.find(b"\r", 0, len(line) - 2) < 0:
                return line
            if line.endswith(CRLF):
                await self._owner.refuse_bare_cr()
            else:
                await self._owner.refuse_bare_lf()

    async def _data_line(self, line: bytes) -> bytes:
        """A message line: only <CRLF>.<CRLF> ends the message (see ``framing``)."""
        if self._framing is None:
            self._framing = DataFraming()
        verdict = self._framing.line(line)
        if verdict is Verdict.LOOKALIKE:
            self._owner.saw_data_line(line, bare_lf=True)
            await self._owner.refuse_lookalike_end()
            while True:  # the connection is closing; its task is cancelled then
                await asyncio.sleep(3600)
        bare = self._framing.bare_line_ending
        self._owner.saw_data_line(line, bare_lf=bare)
        if verdict is Verdict.END:
            self._framing = None
            return line
        # a line with a bare CR or LF marks the message, which is refused at its end;
        # aiosmtpd gets it as one CRLF line, so it can never end the data
        if line.endswith(CRLF) and not bare:
            return line
        return line.rstrip(b"\r\n").replace(b"\r", b" ").replace(b"\n", b" ") + CRLF

    async def readline(self) -> bytes:
        """aiosmtpd reads AUTH answers with ``readline``: judged, never shown."""
        line = await self._reader.readline()
        self._owner.saw_auth_answer(line)
        return line

    async def read(self, n: int = -1) -> bytes:
        """aiosmtpd drains an over-long line with ``read(consumed)`` and keeps every
        piece until the line's CRLF: a line that never ends would be memory without end.
        So the pieces of a line already cut are read here, in small pieces, and dropped
        (the message is refused at its end all the same: aiosmtpd's TOO_LONG)."""
        data = await self._reader.read(min(n, DRAIN_PIECE) if n >= 0 else DRAIN_PIECE)
        return b"" if self._cut else data

    def _overrun(self, error: asyncio.LimitOverrunError, *,
                 in_data: bool) -> asyncio.LimitOverrunError:
        """The error aiosmtpd expects for a line over its limit; it then reads on."""
        if not self._cut:
            self._owner.saw_overlong(error.consumed, in_data=in_data)
        self._cut = True
        if in_data and error.consumed > 1:
            # aiosmtpd expects readuntil(CRLF)'s count, which leaves a trailing CR
            # unread; a count for LF alone could split the CRLF in two lines
            return asyncio.LimitOverrunError(error.args[0], error.consumed - 1)
        return error
