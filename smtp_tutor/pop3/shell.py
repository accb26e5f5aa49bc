"""``smtp-tutor connect --pop3 HOST [PORT]``: type POP3 yourself, every reply explained.

SMTP pushed Alice's message to hamburger.edu; here Bob pulls it.  The same renderers as
the SMTP shell (colour by outcome, text never trusted: ``visible()``), completion of the
POP3 verbs, ``:explain``; with stdin not a terminal, one command per line (scripted),
exit status 0 only when QUIT got +OK.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.net.access_shell import AccessShell
from smtp_tutor.protocol.pop3 import VERBS, Pop3Error, Pop3Reply, Pop3Session, mask
from smtp_tutor.render import shell_renderer
from smtp_tutor.render.explanation import explain

DEFAULT_PORT, TLS_PORT = 110, 995


def connect_pop3(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.terminal import stdin_is_tty

    host = options.host or "127.0.0.1"
    port_text = options.port or options.port_arg
    try:
        port = int(port_text) if port_text else (TLS_PORT if options.tls else DEFAULT_PORT)
    except ValueError:
        from smtp_tutor.knowledge.catalogue import say

        said = say("ui", "target_port_nan", lang, port=port_text)
        sys.stderr.write(for_stream(f"smtp-tutor: {said}\n"))
        return 2
    interactive = stdin_is_tty()
    renderer = shell_renderer(options.color, lang, interactive)
    shell = Pop3Shell(renderer, lang, host, port, options)
    try:
        return asyncio.run(shell.run(interactive))
    except KeyboardInterrupt:
        return 130


class Pop3Shell(AccessShell):
    words = "pop3"  # its sentences: pop3_tls, pop3_deadline …
    explain = staticmethod(explain)
    session: Pop3Session

    def __init__(self, renderer, lang: str, host: str, port: int,  # noqa: ANN001
                 options: argparse.Namespace) -> None:
        self.renderer, self.lang, self.host, self.port = renderer, lang, host, port
        self.options = options
        self.session = Pop3Session()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.quit_ok = False
        self.prompt = None  # the interactive PromptSession, for the hidden password

    def _ended_well(self) -> bool:
        return self.quit_ok

    async def _interactive_lines(self):  # noqa: ANN202
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter

        from smtp_tutor.pop3.secret_input import SecretlessHistory, SecretMask

        words = [*VERBS, ":help", ":explain", ":quit"]
        prompt = PromptSession(completer=WordCompleter(words, ignore_case=True, sentence=True),
                               history=SecretlessHistory(), input_processors=[SecretMask()])
        self.prompt = prompt
        while True:
            try:
                line = await prompt.prompt_async("pop3> ", is_password=self.session.challenged)
            except (EOFError, KeyboardInterrupt):
                return
            yield line

    async def _handle(self, line: str) -> bool:
        """False when the session is over."""
        stripped = line.strip()
        if not stripped:
            return True
        if stripped.startswith(":"):
            return self._meta(stripped)
        if not self.session.challenged:
            stripped = await self._credentials(stripped)
            if not stripped:
                return True
        try:
            wire, command = self.session.send(stripped)
        except ValueError:
            return True
        self.renderer.text(f"C: {command.display}", "client")
        if command.verb and command.verb not in VERBS:
            self.renderer.text(f"   {say('world', 'pop3_unknown', self.lang, verb=command.verb)}",
                               "note.warning")
        alive = await self._transmit(wire)
        return alive and self.session.state != "closed"

    async def _credentials(self, line: str) -> str:
        """PASS alone asks for the password, hidden; a password about to cross a
        connection without TLS is warned about first (and, typed, must be confirmed).
        Returns the line to send, or "" when nothing is to be sent."""
        words = line.split(None, 1)
        if words[0].upper() == "PASS" and len(words) == 1 and self.prompt is not None:
            try:
                from prompt_toolkit import PromptSession
                from prompt_toolkit.history import DummyHistory

                # a prompt of its own, remembering nothing: the up arrow never recalls it
                secret = await PromptSession(history=DummyHistory()).prompt_async(
                    say("world", "pop3_ask_password", self.lang), is_password=True)
            except (EOFError, KeyboardInterrupt):
                secret = ""
            if not secret:
                self.renderer.text(say("world", "pop3_pass_kept", self.lang), "note.warning")
                return ""
            line = f"PASS {secret}"
        _, secret_line = mask(line)
        if secret_line and not self.session.tls:
            self.renderer.text(say("world", "pop3_pass_plain", self.lang), "note.warning")
            if self.prompt is not None:
                try:
                    answer = await self.prompt.prompt_async(say("world", "pop3_pass_confirm", self.lang))
                except (EOFError, KeyboardInterrupt):
                    answer = ""
                if answer.strip().lower() not in ("y", "yes", "c", "có"):
                    self.renderer.text(say("world", "pop3_pass_kept", self.lang), "note.warning")
                    return ""
        return line

    async def _read(self) -> bool:
        """Read until the reply (the whole multi-line block) is in, within one deadline
        for all of it: a server that sends a byte now and then cannot hold the shell."""
        assert self.reader is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.timeout
        while self.session.awaiting_reply and not self.session.challenged:
            left = deadline - loop.time()
            try:
                if left <= 0:
                    raise TimeoutError
                chunk = await asyncio.wait_for(self.reader.read(65536), left)
            except TimeoutError:
                self.renderer.text(say("world", "pop3_deadline", self.lang, seconds=self.options.timeout),
                                   "note.error")
                return False
            except (ConnectionError, OSError) as error:
                self.renderer.text(say("world", "pop3_error", self.lang, detail=str(error) or "timeout"),
                                   "note.error")
                return False
            if not chunk:
                self.renderer.text(say("world", "pop3_closed", self.lang), "note.warning")
                return False
            for item in self.session.receive(chunk):
                if isinstance(item, Pop3Error):
                    self.renderer.text(say("world", "pop3_error", self.lang, detail=item.detail),
                                       "note.error")
                    return False
                self._show(item)
            if self.session.start_tls and not await self._start_tls():
                return False
        return True


    def _show(self, reply: Pop3Reply) -> None:
        from smtp_tutor.pop3.view import reply_lines

        for text, style in reply_lines(reply, self.lang):
            self.renderer.text(text, style)
        verb = reply.answering.verb if reply.answering else ""
        if verb == "QUIT" and reply.ok:
            self.quit_ok = True


def for_stream(text: str) -> str:
    """An error line cut by word at the terminal's width (unchanged into a pipe)."""
    from smtp_tutor.render.wrap import for_stream as cut

    return cut(text)
