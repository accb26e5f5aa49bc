"""A world lesson's IMAP hop, live: Bob's mail program through the IMAP client core.

Each command's whole answer (untagged lines, then the tagged one, or a ``+``) becomes one
``ImapReceived`` event, so the lesson checks it against one ``S:`` step.  STARTTLS
upgrades the connection on the way; what came in clear after its OK is dropped unread.
"""

from __future__ import annotations

from smtp_tutor.lessons.hops import ImapReceived, ImapSent, TlsUp
from smtp_tutor.lessons.stream_part import StreamPart
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol.imap.client import ImapClient, ImapProblem


class ImapPart(StreamPart):
    session: ImapClient

    def __init__(self, port: int, cafile: str, timeout: float, lang: str) -> None:
        super().__init__(port, cafile, timeout, lang)
        self.session = ImapClient()

    async def send(self, line: str) -> list:
        if self.session.awaiting_continuation:
            secret = self.session.open is not None and self.session.open.secret
            wire = self.session.continue_with(line.encode("utf-8"))
            shown = "********" if secret else line
        else:
            wire, command = self.session.send(line)
            shown = command.display
        await self._write(wire)
        return [ImapSent(shown), *await self._read()]

    async def _read(self) -> list:
        events: list = []
        got: list = []
        while self.session.awaiting_reply:
            chunk = await self._chunk()
            if not chunk:
                if self.session.state == "logout":
                    break
                raise TransportError("connection-closed")
            plus = False
            for item in self.session.receive(chunk):
                if isinstance(item, ImapProblem):
                    raise TransportError("connection-closed")
                got.append(item)
                plus = plus or item.kind == "continuation"
            if self.session.start_tls:
                events.append(ImapReceived(tuple(got)))
                got = []
                await self._upgrade()
                events.append(TlsUp("imap"))
            if plus:
                break
        if got:
            events.append(ImapReceived(tuple(got)))
        return events
