"""What aiosmtpd reads from a client, passed through strict line handling and the lint.

aiosmtpd reads command lines with ``readuntil(b"\\n")`` (a bare LF ends a command) and
message lines with ``readuntil(b"\\r\\n")`` (a body sent with bare LFs never ends, and
the client hangs).  This reader sits between: a command ending in a bare LF is refused
with a 500 and never reaches aiosmtpd; a message line ending in a bare LF marks the
message (refused at the final dot, as strict servers do), and a bare ``.<LF>`` still
ends it, so a student's client gets an answer instead of a hang.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

CRLF = b"\r\n"


class LineOwner(Protocol):
    """The connection the reader works for (``PracticeSMTP``)."""

    async def refuse_bare_lf(self) -> None: ...
    def saw_command(self, line: bytes) -> None: ...
    def saw_data_line(self, line: bytes, *, bare_lf: bool) -> None: ...
    def saw_auth_answer(self, line: bytes) -> None: ...
    def saw_overlong(self, octets: int, *, in_data: bool) -> None: ...


class ClientLineReader:
    """Stands in for aiosmtpd's ``StreamReader``, with the methods and attributes it uses."""

    def __init__(self, reader: asyncio.StreamReader, owner: LineOwner) -> None:
        self._reader = reader
        self._owner = owner
        self._cut = False  # after an overlong line, aiosmtpd reads on to its end

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
            if self._cut:
                self._cut = False
                return line  # the tail of a line already reported as too long
            crlf = line[-2:-1] == b"\r"
            if in_data:
                self._owner.saw_data_line(line, bare_lf=not crlf)
                # a bare LF marks the message, which will be refused at its end
                return line if crlf else line[:-1] + CRLF
            self._owner.saw_command(line)
            if crlf:
                return line
            await self._owner.refuse_bare_lf()

    async def readline(self) -> bytes:
        """aiosmtpd reads AUTH answers with ``readline``: judged, never shown."""
        line = await self._reader.readline()
        self._owner.saw_auth_answer(line)
        return line

    async def read(self, n: int = -1) -> bytes:
        return await self._reader.read(n)

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
