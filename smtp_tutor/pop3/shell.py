"""``smtp-tutor connect --pop3 HOST [PORT]``: type POP3 yourself, every reply explained.

SMTP pushed Alice's message to hamburger.edu; here Bob pulls it.  The same renderers as
the SMTP shell (colour by outcome, text never trusted: ``visible()``), completion of the
POP3 verbs, ``:explain``; with stdin not a terminal, one command per line (scripted),
exit status 0 only when QUIT got +OK.
"""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.net.access_shell import AccessShell
from smtp_tutor.protocol.pop3 import VERBS, Pop3Reply, Pop3Session, mask
from smtp_tutor.render.explanation import explain

DEFAULT_PORT, TLS_PORT = 110, 995


class Pop3Shell(AccessShell):
    ports = (DEFAULT_PORT, TLS_PORT)  # plain (STARTTLS after), and implicit TLS (--tls)
    words = "pop3"  # its sentences: pop3_tls, pop3_deadline …
    explain = staticmethod(explain)
    session: Pop3Session

    quit_ok = False  # QUIT answered +OK: the session ended as POP3 says

    def _new_session(self) -> Pop3Session:
        return Pop3Session()

    def _ended_well(self) -> bool:
        return self.quit_ok

    async def _interactive_lines(self):  # noqa: ANN202
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter

        from smtp_tutor.net.secret_input import SecretlessHistory, SecretMask
        from smtp_tutor.pop3.secret_input import holds_secret, secret_start

        words = [*VERBS, ":help", ":explain", ":quit"]
        prompt = PromptSession(completer=WordCompleter(words, ignore_case=True, sentence=True),
                               history=SecretlessHistory(holds_secret),
                               input_processors=[SecretMask(secret_start)])
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
            secret = await self._ask_password()
            if not secret:
                return ""
            line = f"PASS {secret}"
        return line if await self._plaintext_ok(mask(line)[1]) else ""

    def _show(self, reply: object) -> None:
        from smtp_tutor.pop3.view import reply_lines

        assert isinstance(reply, Pop3Reply)
        for text, style in reply_lines(reply, self.lang):
            self.renderer.text(text, style)
        verb = reply.answering.verb if reply.answering else ""
        self.last_topic = f"pop3 {verb}" if verb else ("+OK" if reply.ok else "-ERR")
        if verb == "QUIT" and reply.ok:
            self.quit_ok = True
