"""Where a message ends: only ``<CRLF>.<CRLF>`` (RFC 5321 §4.1.1.4), never a look-alike.

SMTP smuggling (CVE-2023-51764/51765/51766) hides a second message inside the first
behind an end marker written with a bare LF or CR (``<LF>.<LF>``, ``<CR><LF>.<LF>``,
``<LF>.<CR><LF>``, ``<CR>.<CR>``): a server that takes the look-alike for the end
runs what follows as new commands.  Here a dot line ends the data only when CRLF is
on both sides of it.  A look-alike refuses the whole message and ends the connection,
so nothing after it can run as a command, however the bytes were split into packets
(as Postfix's ``smtpd_forbid_bare_newline = reject`` and chasquid decide).  A bare
CR or LF anywhere else marks the message, which is refused at its real end.

Pure: fed one LF-terminated line at a time (as the server reads them), no I/O.
"""

from __future__ import annotations

import re
from enum import Enum

CRLF = b"\r\n"
_BREAKS = re.compile(rb"(\r\n|\r|\n)")


class Verdict(Enum):
    BODY = "body"  # a line of the message
    END = "end"  # <CRLF>.<CRLF>: the message is complete
    LOOKALIKE = "lookalike"  # an end marker with a bare CR or LF: refuse and hang up


class DataFraming:
    """One message's data section, line by line."""

    def __init__(self) -> None:
        self.after_crlf = True  # the 354 followed DATA<CRLF>
        self.bare_line_ending = False  # a bare CR or LF was seen: refuse at the end

    def line(self, line: bytes) -> Verdict:
        """Judge one line as read (it ends with LF, or is the last bytes of the stream)."""
        if line.endswith(CRLF) and line.find(b"\r", 0, len(line) - 2) < 0:
            if line == b".\r\n":
                if self.after_crlf:
                    return Verdict.END
                return Verdict.LOOKALIKE  # <LF>.<CRLF>
            self.after_crlf = True
            return Verdict.BODY
        return self._irregular(line)

    def _irregular(self, line: bytes) -> Verdict:
        """A line holding a bare CR or ending in a bare LF: look at every break in it."""
        self.bare_line_ending = True
        parts = _BREAKS.split(line)
        before = CRLF if self.after_crlf else b"\n"
        for index in range(0, len(parts) - 1, 2):
            segment, after = parts[index], parts[index + 1]
            if segment == b"." and not (before == CRLF and after == CRLF):
                return Verdict.LOOKALIKE
            before = after
        tail = parts[-1]
        if tail == b"." and before != CRLF:
            return Verdict.LOOKALIKE  # the stream ends in <LF>.
        self.after_crlf = before == CRLF and tail == b""
        return Verdict.BODY
