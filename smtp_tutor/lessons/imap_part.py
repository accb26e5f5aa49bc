"""A world lesson's IMAP hop, live: Bob's mail program through the IMAP client core.

Each command's whole answer (untagged lines, then the tagged one, or a ``+``) becomes one
``ImapReceived`` event, so the lesson checks it against one ``S:`` step.  STARTTLS
upgrades the connection on the way; what came in clear after its OK is dropped unread
(``stream_part.py``, on the connection plan).
"""

from __future__ import annotations

from smtp_tutor.lessons.hops import ImapReceived, ImapSent, TlsUp
from smtp_tutor.lessons.stream_part import StreamPart
from smtp_tutor.protocol.imap.client import ImapClient


class ImapPart(StreamPart):
    session: ImapClient

    def __init__(self, port: int, cafile: str, timeout: float, lang: str) -> None:
        super().__init__(port, cafile, timeout, lang)
        self.session = ImapClient()
        self._got: list = []  # the answer under way

    async def send(self, line: str) -> list:
        if self.session.awaiting_continuation:
            secret = self.session.open is not None and self.session.open.secret
            wire = self.session.continue_with(line.encode("utf-8"))
            shown = "********" if secret else line
        else:
            wire, command = self.session.send(line)
            shown = command.display
        return [ImapSent(shown), *await self._send(wire)]

    def _take(self, item: object) -> None:
        """Each command's whole answer is one event (what came before TLS is its own)."""
        self._got.append(item)

    def _upgraded(self) -> None:
        self.events.append(ImapReceived(tuple(self._got)))
        self._got = []
        self.events.append(TlsUp("imap"))

    def _done(self) -> list:
        if self._got:
            self.events.append(ImapReceived(tuple(self._got)))
            self._got = []
        return self.events

    def _ending(self) -> bool:
        return self.session.state == "logout"
