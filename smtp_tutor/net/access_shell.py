"""What the POP3 and IMAP shells share: a stream to the server, STARTTLS, the close.

Both shells talk to a mail-access server over one asyncio stream, upgrade it with STLS or
STARTTLS, and say so in the same words (each with its own sentences in world.toml,
``<protocol>_tls`` and the like).  Bytes the server sent in clear after agreeing to TLS
are dropped unread, and counted: they could be an attacker's (CVE-2011-0411 for SMTP).
"""

from __future__ import annotations

import asyncio
import contextlib

from smtp_tutor.knowledge.catalogue import say

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import ssl
    from collections.abc import AsyncIterator, Callable
    from typing import Protocol

    from smtp_tutor.render.base import Renderer

    class TlsSession(Protocol):
        """The part of a sans-I/O client core the upgrade needs."""

        def discard_plaintext(self) -> int: ...

        def tls_established(self) -> None: ...


class AccessShell:
    """A base for a shell over one stream; its sentences are ``<words>_<key>`` of
    ``catalogue`` (``pop3_tls`` of world.toml, ``imap_tls`` of imap.toml)."""

    catalogue = "world"
    words = ""
    # render.explanation.explain, set by each shell (render sits above this layer)
    explain: Callable[[list[str], str], int]
    renderer: Renderer
    lang: str
    host: str
    options: argparse.Namespace
    session: TlsSession
    reader: asyncio.StreamReader | None
    writer: asyncio.StreamWriter | None

    port: int

    async def run(self, interactive: bool) -> int:
        """Connect (implicit TLS with ``--tls``), read the greeting, then every line typed
        or piped; 0 when the session ended as the protocol says (QUIT, LOGOUT)."""
        context = self._context() if self.options.tls else None
        try:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, ssl=context,
                                        server_hostname=self.host if context else None),
                self.options.timeout)
        except (OSError, TimeoutError) as error:
            self.renderer.text(self._say("error", detail=str(error)), "note.error")
            return 1
        if context is not None:
            self.session.tls_established()
        self.renderer.text(self._say("connected", host=self.host, port=self.port), "note.info")
        if not await self._read():
            return 1
        lines = self._interactive_lines() if interactive else self._script_lines()
        async for line in lines:
            if not await self._handle(line):
                break
        await self._close()
        return 0 if self._ended_well() else 1

    # what each shell has of its own
    async def _read(self) -> bool:
        raise NotImplementedError

    def _interactive_lines(self) -> AsyncIterator[str]:
        raise NotImplementedError

    async def _script_lines(self) -> AsyncIterator[str]:
        """Lines piped in (a script), read off the event loop."""
        import sys

        loop = asyncio.get_running_loop()
        while True:
            raw = await loop.run_in_executor(None, sys.stdin.buffer.readline)
            if not raw:
                return
            yield raw.decode("utf-8", "replace").rstrip("\r\n")

    async def _handle(self, line: str) -> bool:
        raise NotImplementedError

    def _ended_well(self) -> bool:
        raise NotImplementedError

    async def _transmit(self, wire: bytes) -> bool:
        """Send ``wire`` and show what comes back; False when the connection is gone."""
        assert self.writer is not None
        try:
            self.writer.write(wire)
            await self.writer.drain()
        except (ConnectionError, OSError):
            self.renderer.text(self._say("closed"), "note.error")
            return False
        return await self._read()

    def _meta(self, line: str) -> bool:
        """``:quit``, ``:explain TOPIC``, else the shell's help; False: leave."""
        word, _, rest = line.partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":explain" and rest.strip():
            with contextlib.suppress(SystemExit):
                self.explain([rest.strip()], self.lang)
            return True
        self.renderer.text(self._say("help"), "hint")
        return True

    def _say(self, key: str, **params: object) -> str:
        """One of the shell's sentences: ``<words>_<key>`` of its catalogue."""
        return say(self.catalogue, f"{self.words}_{key}", self.lang, **params)

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
