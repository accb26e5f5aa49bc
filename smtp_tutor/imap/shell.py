"""``smtp-tutor connect --imap HOST [PORT]``: type IMAP yourself, every response explained.

Tags are added for you: ``LOGIN bob pickles`` goes out as ``a1 LOGIN bob pickles`` (a
line that starts with a word that is not a command name keeps it as its tag: ``x7
NOOP``), so the student sees tags at work without keeping count.  ``LOGIN bob`` alone
asks for the password, hidden; a password before STARTTLS is warned about.  A line
ending with ``{n}`` announces a literal: after the server's ``+`` the next line typed
is sent as its octets (and the rest of the command).  With stdin not a terminal, one
line per line (scripted); exit status 0 only when LOGOUT got OK.
"""

from __future__ import annotations

from smtp_tutor.imap.view import response_lines
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.net import plan
from smtp_tutor.net.access_shell import AccessShell
from smtp_tutor.protocol.imap.client import (
    COMMAND_NAMES,
    ImapClient,
    ImapResponse,
    is_command_name,
    mask,
)
from smtp_tutor.protocol.imap.syntax import literal_at_end, quote
from smtp_tutor.render.explanation import explain

DEFAULT_PORT, TLS_PORT = 143, 993
COMPLETIONS = ("CAPABILITY", "STARTTLS", "LOGIN", "LIST \"\" \"*\"", "SELECT INBOX",
               "EXAMINE INBOX", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT)", "FETCH",
               "FETCH 1 (FLAGS BODY.PEEK[HEADER])", "FETCH 1 (BODY[])", "STORE",
               "STORE 1 +FLAGS (\\Seen)", "STORE 1 +FLAGS (\\Deleted)", "SEARCH UNSEEN",
               "SEARCH ALL", "UID FETCH", "UID STORE", "UID SEARCH", "NOOP", "EXPUNGE",
               "CLOSE", "UNSELECT", "NAMESPACE", "ENABLE IMAP4rev2", "AUTHENTICATE PLAIN",
               "LOGOUT")


class ImapShell(AccessShell):
    ports = (DEFAULT_PORT, TLS_PORT)  # plain (STARTTLS after), and implicit TLS (--tls)
    catalogue, words = "imap", "imap"  # its sentences: imap_tls, imap_deadline … (imap.toml)
    explain = staticmethod(explain)
    session: ImapClient

    _waiting_plus = _plus = False  # a literal announced; "+" came for it
    logout_ok = False  # LOGOUT answered OK: the session ended as IMAP says
    secret_prompt = None  # for passwords: no history at all

    def _new_session(self) -> ImapClient:
        return ImapClient()

    def _ended_well(self) -> bool:
        return self.logout_ok

    async def _interactive_lines(self):  # noqa: ANN202
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter
        from prompt_toolkit.history import DummyHistory

        from smtp_tutor.imap.secret_input import holds_secret, secret_start
        from smtp_tutor.net.secret_input import SecretlessHistory, SecretMask

        words = [*COMPLETIONS, *sorted(COMMAND_NAMES), ":help", ":explain", ":quit"]
        prompt = PromptSession(completer=WordCompleter(words, ignore_case=True, sentence=True),
                               history=SecretlessHistory(holds_secret),
                               input_processors=[SecretMask(secret_start)])
        self.prompt = prompt
        self.secret_prompt = PromptSession(history=DummyHistory())  # remembers nothing
        while True:
            literal = self.session.awaiting_continuation
            secret = literal and self.session.open is not None and self.session.open.secret
            asking = self.secret_prompt if secret else prompt
            try:
                line = await asking.prompt_async("literal> " if literal else "imap> ",
                                                 is_password=bool(secret))
            except (EOFError, KeyboardInterrupt):
                return
            yield line

    async def _handle(self, line: str) -> bool:
        """False when the session is over."""
        if self.session.awaiting_continuation:
            return await self._literal(line)
        stripped = line.strip()
        if not stripped:
            return True
        if stripped.startswith(":"):
            return self._meta(stripped)
        stripped = await self._credentials(stripped)
        if not stripped:
            return True
        try:
            wire, command = self.session.send(stripped)
        except ValueError:
            return True
        self.renderer.text(f"C: {command.display}", "client")
        name = command.name.split()[-1] if command.name else ""
        if name and not is_command_name(name):
            self.renderer.text(f"   {say('imap', 'imap_unknown', self.lang, name=name)}", "note.warning")
        literal = literal_at_end(wire) if self.session.awaiting_continuation else None
        if literal is not None:  # (AUTHENTICATE waits for "+" too, with no literal)
            self.renderer.text(f"   {say('imap', 'imap_literal_wait', self.lang, size=literal.size)}",
                               "hint")
        return await self._write(wire)

    async def _literal(self, line: str) -> bool:
        """The octets of a literal the server said "+" to, and the rest of the command."""
        command = self.session.open
        data = line.encode("utf-8")
        wire = self.session.continue_with(data)
        shown = "********" if command is not None and command.secret else line
        self.renderer.text(f"C: {shown}", "client")
        return await self._write(wire)

    async def _write(self, wire: bytes) -> bool:
        alive = await self._transmit(wire)
        return alive and self.session.state != "logout"

    async def _credentials(self, line: str) -> str:
        """``LOGIN bob`` asks for the password, hidden (quoted as IMAP needs); a password
        about to cross a connection without TLS is warned about first (and, typed, must be
        confirmed).  Returns the line to send, or "" when nothing is to be sent."""
        words = line.split()
        start = 0 if words and is_command_name(words[0]) else 1
        if len(words) == start + 2 and words[start].upper() == "LOGIN" and self.prompt is not None:
            secret = await self._ask_password()
            if not secret:
                return ""
            line = f"{line} {quote(secret).decode('utf-8', 'replace')}"
        return line if await self._plaintext_ok(mask(line)[1]) else ""

    async def _exchange(self, steps: plan.Plan) -> bool:
        """One step of the plan; a literal announced waits for "+", and is said to be
        refused when the command's tagged line comes instead."""
        self._waiting_plus, self._plus = self.session.awaiting_continuation, False
        alive = await super()._exchange(steps)
        if alive and self._plus and self.session.awaiting_continuation:
            opened = self.session.open
            if opened is not None and opened.name == "AUTHENTICATE":
                asked = say("imap", "imap_sasl_ask", self.lang)
            else:
                asked = say("imap", "imap_literal_ask", self.lang, size=self.session.announced)
            self.renderer.text(f"   {asked}", "hint")
        return alive

    def _show(self, response: object) -> None:
        assert isinstance(response, ImapResponse)
        for text, style in response_lines(response, self.lang):
            self.renderer.text(text, style)
        if response.kind == "tagged" and response.answering is not None:
            self.last_topic = f"imap {response.answering.name}"
        elif response.kind == "untagged" and (topic := _response_topic(response.name)):
            self.last_topic = topic
        if response.kind == "continuation":
            self._plus = True
        elif response.kind == "tagged" and self._waiting_plus and not self._plus:
            self.renderer.text(f"   {say('imap', 'imap_literal_refused', self.lang)}", "hint")
        if response.kind == "tagged" and response.answering is not None \
                and response.answering.name == "LOGOUT" and response.status == "OK":
            self.logout_ok = True


def _response_topic(name: str) -> str:
    """The explain topic of an untagged response's name (``EXISTS``, ``FETCH-RESPONSE``)."""
    from smtp_tutor.knowledge.store import load

    responses = load("imap")["responses"]
    return next((key for key in (name, f"{name}-RESPONSE") if name and key in responses), "")
