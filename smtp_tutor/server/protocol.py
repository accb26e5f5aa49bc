"""aiosmtpd's SMTP protocol with the textbook's wording where aiosmtpd hard-codes its own.

The hooks (``handler.py``) choose most replies; the 354 after DATA and the 221 after
QUIT have no hook, so they are reworded here, on their way out.
"""

from __future__ import annotations

from aiosmtpd.smtp import SMTP

TEXTBOOK_WORDING = {
    "354 End data with <CR><LF>.<CR><LF>": '354 Enter mail, end with "." on a line by itself',
}


class PracticeSMTP(SMTP):
    """One connection to hamburger.edu."""

    async def push(self, status):  # type: ignore[override]
        if isinstance(status, str):
            if status == "221 Bye":
                status = f"221 2.0.0 {self.hostname} closing connection"
            else:
                status = TEXTBOOK_WORDING.get(status, status)
        await super().push(status)
