"""What the POP3 and IMAP shells share: a stream to the server, STARTTLS, the close.

Both shells talk to a mail-access server over one asyncio stream, upgrade it with STLS or
STARTTLS, and say so in the same words (each with its own sentences in world.toml,
``<protocol>_tls`` and the like).  Bytes the server sent in clear after agreeing to TLS
are dropped unread, and counted: they could be an attacker's (CVE-2011-0411 for SMTP).
"""

from __future__ import annotations

import asyncio
import contextlib

from smtp_tutor.knowledge.words import say

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import ssl
    from typing import Protocol

    from smtp_tutor.render.base import Renderer

    class TlsSession(Protocol):
        """The part of a sans-I/O client core the upgrade needs."""

        def discard_plaintext(self) -> int: ...

        def tls_established(self) -> None: ...


class AccessShell:
    """A base for a shell over one stream; ``words`` names its sentences ("pop3")."""

    words = ""
    renderer: Renderer
    lang: str
    host: str
    options: argparse.Namespace
    session: TlsSession
    reader: asyncio.StreamReader | None
    writer: asyncio.StreamWriter | None

    def _say(self, key: str, **params: object) -> str:
        """One of the shell's sentences (world.toml; a shell with its own catalogue
        overrides this)."""
        return say(f"{self.words}_{key}", self.lang, **params)

    async def _start_tls(self) -> bool:
        assert self.writer is not None and self.reader is not None
        leftover = self.reader._buffer  # type: ignore[attr-defined]  # not in typeshed
        dropped = self.session.discard_plaintext() + len(leftover)
        leftover.clear()
        if dropped:
            self.renderer.text(f"   {self._say('injected', octets=dropped)}", "note.warning")
        try:
            await asyncio.wait_for(
                self.writer.start_tls(self._context(), server_hostname=self.host),
                self.options.timeout)
        except TimeoutError:
            self.renderer.text(self._say("deadline", seconds=self.options.timeout),
                               "note.error")
            return False
        except (OSError, ConnectionError) as error:
            self.renderer.text(self._say("error", detail=str(error)), "note.error")
            return False
        self.session.tls_established()
        self.renderer.text(f"   {self._say('tls')}", "note.info")
        return True

    def _context(self) -> ssl.SSLContext:
        from smtp_tutor.net.tls import client_context

        return client_context(cafile=self.options.cafile, insecure=self.options.insecure)

    async def _close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.writer.wait_closed(), 2)
