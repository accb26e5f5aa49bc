"""What the POP3 and IMAP shells share: the connection, reading replies, STARTTLS, the close.

Both shells talk to a mail-access server over one asyncio stream, driven by the same
connection plan as SMTP (``net/plan.py``, on ``connection.StreamDriver``): the core
(``Pop3Session``, ``ImapClient``) says when a reply is complete and when to upgrade.
They say what happens in the same words (each with its own sentences in world.toml or
imap.toml, ``<protocol>_tls`` and the like).  Bytes the server sent in clear after
agreeing to TLS are dropped unread, and counted: they could be an attacker's
(CVE-2011-0411 for SMTP).
"""

from __future__ import annotations

import asyncio
import contextlib

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.net import plan
from smtp_tutor.net.connection import StreamDriver
from smtp_tutor.net.errors import TransportError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import ssl
    from collections.abc import AsyncIterator, Callable
    from typing import Protocol

    from prompt_toolkit import PromptSession

    from smtp_tutor.render.base import Renderer

    class TlsSession(plan.Core, Protocol):
        """A sans-I/O client core as the plan and the upgrade need it."""

        tls: bool

        def discard_plaintext(self) -> int: ...

        def tls_established(self) -> None: ...


class AccessShell(StreamDriver):
    """A base for a shell over one stream; ``words`` names its sentences ("pop3")."""

    catalogue = "world"
    words = ""
    # render.explanation.explain, set by each shell (render sits above this layer)
    explain: Callable[[list[str], str], int]
    renderer: Renderer
    lang: str
    host: str
    options: argparse.Namespace
    session: TlsSession

    port: int
    prompt: PromptSession[str] | None = None  # the interactive prompt (None: lines are piped)
    failed = False  # the last read met a reply the core could not read
    last_topic = ""  # what `:explain` alone explains: set by each shell as replies come

    def __init__(self, renderer: Renderer, lang: str, host: str, port: int,
                 options: argparse.Namespace) -> None:
        self.renderer, self.lang, self.host, self.port = renderer, lang, host, port
        self.options = options
        self.session = self._new_session()
        from smtp_tutor.net.line_display import show_invisible_characters

        show_invisible_characters()  # a pasted U+202E is drawn, never obeyed

    def _new_session(self) -> TlsSession:
        """The shell's sans-I/O client core (``Pop3Session``, ``ImapClient``)."""
        raise NotImplementedError

    async def run(self, interactive: bool) -> int:
        """Connect (implicit TLS with ``--tls``), read the greeting, then every line typed
        or piped; 0 when the session ended as the protocol says (QUIT, LOGOUT)."""
        from smtp_tutor.net.opening import check_cafile

        try:
            check_cafile(self.options.cafile)  # before anything is sent in the clear
        except TransportError as error:
            self.renderer.message(error.key, error.params, "error")
            return 2
        context = self._context() if self.options.tls else None
        self.timeout = self.options.timeout
        try:
            self._reader, self._writer = await asyncio.wait_for(
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
    def _show(self, item: object) -> None:
        """One reply (or response line) of the core, shown."""
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

    async def _read(self) -> bool:
        """Read until the core says the reply is in (the greeting, a late reply)."""
        return await self._exchange(plan.receive(self.session, self._shown, self._clock()))

    async def _transmit(self, wire: bytes) -> bool:
        """Send ``wire`` and show what comes back; False when the connection is gone."""
        return await self._exchange(plan.send(self.session, wire, self._shown, self._clock()))

    async def _exchange(self, steps: plan.Plan) -> bool:
        """Run one step of the plan; False when the connection is gone or a reply could
        not be read (each said once, in the shell's words)."""
        self.failed = False
        try:
            await self._run(steps)
        except TransportError as error:
            self._tell(error)
            return False
        return not self.failed

    def _shown(self, items: list) -> None:
        """The core's replies as they come; a problem is said and ends the read."""
        for item in items:
            if self.session.failed([item]):
                self.failed = True
                self.renderer.text(self._say("error", detail=getattr(item, "detail", "")),
                                   "note.error")
            else:
                self._show(item)

    async def _put(self, data: bytes) -> None:
        try:
            await super()._put(data)
        except TransportError as error:
            raise TransportError("connection-closed") from error

    def _tell(self, error: TransportError) -> None:
        key = error.key
        if key == "connection-closed":
            self.renderer.text(self._say("closed"), "note.error")
        elif key == "reply-timeout":
            self.renderer.text(self._say("deadline", seconds=self.options.timeout),
                               "note.error")
        elif key in ("server-closed", "closed-mid-reply"):
            self.renderer.text(self._say("closed"), "note.warning")
        elif key == "network-error":
            self.renderer.text(self._say("error", detail=error.params.get("detail", "")),
                               "note.error")
        # "starttls-handshake-failed": said where the upgrade failed

    def _broken(self, error: BaseException) -> TransportError:
        return TransportError("network-error", detail=str(error) or "timeout")

    def _meta(self, line: str) -> bool:
        """``:quit``, ``:explain TOPIC``, else the shell's help; False: leave."""
        word, _, rest = line.partition(" ")
        if word in (":quit", ":q", ":exit"):
            return False
        topic = rest.strip() or (self.last_topic if word == ":explain" else "")
        if word == ":explain" and topic:  # alone: the last reply, as in the SMTP shell
            with contextlib.suppress(SystemExit):
                self.explain([topic], self.lang)
            return True
        self.renderer.text(self._say("help"), "hint")
        return True

    async def _ask_password(self) -> str:
        """The password, typed hidden at a prompt of its own that remembers nothing (the
        up arrow never recalls it); "" (and said so) when none was typed."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import DummyHistory

        asking: PromptSession[str] = PromptSession(history=DummyHistory())
        try:
            secret = await asking.prompt_async(self._say("ask_password"), is_password=True)
        except (EOFError, KeyboardInterrupt):
            secret = ""
        if not secret:
            self.renderer.text(self._say("pass_kept"), "note.warning")
        return secret

    async def _plaintext_ok(self, holds_secret: bool) -> bool:
        """A password about to cross a connection without TLS is warned about first and,
        typed, must be confirmed; False: it is not sent."""
        if not holds_secret or self.session.tls:
            return True
        self.renderer.text(self._say("pass_plain"), "note.warning")
        if self.prompt is None:
            return True
        try:
            answer = await self.prompt.prompt_async(self._say("pass_confirm"))
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() in ("y", "yes", "c", "có"):
            return True
        self.renderer.text(self._say("pass_kept"), "note.warning")
        return False

    def _say(self, key: str, **params: object) -> str:
        """One of the shell's sentences: ``<words>_<key>`` of its catalogue."""
        return say(self.catalogue, f"{self.words}_{key}", self.lang, **params)

    async def start_tls(self) -> None:
        """The plan's upgrade (after +OK to STLS, OK to STARTTLS), said in the shell."""
        assert self._writer is not None
        dropped = self.session.discard_plaintext() + self._drop_plaintext()
        if dropped:
            self.renderer.text(f"   {self._say('injected', octets=dropped)}", "note.warning")
        try:
            await asyncio.wait_for(
                self._writer.start_tls(self._context(), server_hostname=self.host),
                self.options.timeout)
        except TimeoutError as error:
            self.renderer.text(self._say("deadline", seconds=self.options.timeout),
                               "note.error")
            raise TransportError("starttls-handshake-failed", detail=str(error) or "timeout") from error
        except (OSError, ConnectionError) as error:
            self.renderer.text(self._say("error", detail=str(error)), "note.error")
            raise TransportError("starttls-handshake-failed", detail=str(error) or "timeout") from error
        self.session.tls_established()
        self.renderer.text(f"   {self._say('tls')}", "note.info")

    def _context(self) -> ssl.SSLContext:
        from smtp_tutor.net.tls import client_context

        return client_context(cafile=self.options.cafile, insecure=self.options.insecure)

    async def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer.wait_closed(), 2)
