"""The REPL: prompt, complete, send, explain; the connection and the core do the rest.

It behaves as a terminal program should at every key: a command is shown as it leaves;
a pending reply shows a waiting indicator that Ctrl-C stops (the shell stays); what
the server says on its own is printed when it arrives; several pasted lines go out
one by one; Ctrl-C or Ctrl-D at the AUTH prompts cancel the exchange with ``*``
(RFC 4954 §4); Ctrl-D in DATA asks before abandoning the message.
"""

from __future__ import annotations

import argparse

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

from smtp_tutor import knowledge
from smtp_tutor.knowledge.catalogue import pick, say, sentence
from smtp_tutor.net.errors import TransportError
from smtp_tutor.net.line_display import show_invisible_characters
from smtp_tutor.net.opening import make_connection
from smtp_tutor.net.tls import TlsStarted
from smtp_tutor.paths import data_dir
from smtp_tutor.protocol import CommandSent, DataLineSent, State
from smtp_tutor.protocol.auth import b64, cram_md5_response, plain_response, raw_challenge, xoauth2_response
from smtp_tutor.protocol.chunking import BDAT_LAST
from smtp_tutor.protocol.commands import (
    END_OF_DATA,
    CommandRefused,
    is_secret_line,
    parse_command,
)
from smtp_tutor.protocol.transcript import Transcript
from smtp_tutor.protocol.visible import INVISIBLE_CHARACTERS, visible
from smtp_tutor.render.explanation import format_explanation
from smtp_tutor.render.terminal import TerminalRenderer
from smtp_tutor.render.views import NoteView
from smtp_tutor.render.wrap import cells as wrap_cells
from smtp_tutor.repl import pipelining
from smtp_tutor.repl.certs import cert_command
from smtp_tutor.repl.chunks import bdat_command
from smtp_tutor.repl.completer import SmtpCompleter
from smtp_tutor.repl.compose import attach_command, compose_command, send_command
from smtp_tutor.repl.history import SafeFileHistory
from smtp_tutor.repl.idle import IdleWatch
from smtp_tutor.repl.keys import shell_bindings
from smtp_tutor.repl.meta import EnvelopeTracker, header_lines, parse_meta
from smtp_tutor.repl.saving import save_lesson, save_transcript
from smtp_tutor.repl.toolbar import prompt_text, toolbar_text
from smtp_tutor.repl.waiting import AuthCancelled, StoppedWaiting, wait_visibly

# what the prompt draws as marks (net/line_display), left out before looking for controls
_DRAWN_AS_MARKS = str.maketrans("", "", INVISIBLE_CHARACTERS)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.net.connection import SmtpConnection

META_IN_DATA = ("headers", "help", "raw", "explain", "lang")
HELP_COLUMN = 21  # where :help's descriptions start


async def run_repl(options: argparse.Namespace, lang: str, host: str, port: int) -> int:
    repl = Repl(options, lang, host, port)
    return await repl.run()


class Repl:
    def __init__(self, options: argparse.Namespace, lang: str, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.renderer = TerminalRenderer(lang)
        self.renderer.raw = options.raw
        self.renderer.shell = True
        self.options = options
        self.connection: SmtpConnection | None = None  # opened by run()
        self.transcript = Transcript()
        self.envelope = EnvelopeTracker()
        self.confirm: str | None = None  # prefilled into the next prompt
        self.flagged: str | None = None  # the line whose refusal was just predicted
        self.data_explained = False
        self.delivered: list[str] = []  # practice users a message was accepted for
        self.pipelining = False  # :pipeline on: a paste leaves as pipelined groups
        self.collecting: list[str] | None = None  # :pipeline … :end
        self.composed: bytes | None = None  # the message built by :compose
        self.attachments: list[str] = []  # :attach FILE, for the next :compose
        self.credentials: PromptSession | None = None
        self.tls_info: TlsStarted | None = None  # the last handshake, for :cert
        self.idle: IdleWatch | None = None
        show_invisible_characters()  # a pasted U+202E is drawn, never obeyed
        self.prompt: PromptSession = PromptSession(
            history=SafeFileHistory(str(data_dir() / "history"), self._keep_in_history),
            completer=SmtpCompleter(lambda: self.session, lambda: self.lang),
            auto_suggest=AutoSuggestFromHistory(),
            key_bindings=shell_bindings(
                lambda: self.session.state not in (State.DATA, State.AUTH)),
            complete_while_typing=False,  # Tab completes; a menu racing it would eat the Tab
            bottom_toolbar=lambda: toolbar_text(self.host, self.port, self.session, self.lang),
        )

    @property
    def lang(self) -> str:
        return self.renderer.lang

    @property
    def session(self):
        return self.connection.session

    def _keep_in_history(self, line: str) -> bool:
        """Commands only: never a secret, never a line of a message body, never a paste,
        never a line longer than a command may be (RFC 5321 §4.5.3.1.4) nor one holding a
        control character (an escape sequence in the history file). A bidi or zero-width
        character is kept: recalled, the prompt draws it as its mark (net/line_display),
        and a line pasted from a PDF with one can be fixed with the up arrow."""
        if self.session.state in (State.AUTH, State.DATA) or "\n" in line \
                or self.session.chunk is not None or self.collecting is not None:
            return False
        if len(line.encode("utf-8", "replace")) > 510:
            return False
        without_marks = line.translate(_DRAWN_AS_MARKS)
        if visible(without_marks) != without_marks:
            return False
        return not is_secret_line(line)

    def show(self, events: list) -> None:
        self.renderer.show_all(events)
        for event in events:
            self.transcript.add(event)
            self._note_delivery(event)
            if isinstance(event, CommandSent | DataLineSent):
                self.envelope.sent(event)
            elif isinstance(event, TlsStarted):
                self.tls_info = event

    def _note_delivery(self, event: object) -> None:
        """A message accepted (250 after the dot or BDAT LAST): remember its practice users."""
        answering = getattr(event, "answering", None)
        reply = getattr(event, "reply", None)
        if answering is None or reply is None or reply.klass != 2 \
                or answering.verb not in (END_OF_DATA, BDAT_LAST):
            return
        for address in self.session.addresses:
            user, _, domain = address.rpartition("@")
            if domain.lower() == "hamburger.edu" and user and user not in self.delivered:
                self.delivered.append(user)

    # -- the loop -------------------------------------------------------------

    async def run(self) -> int:
        from smtp_tutor.net.connection import SmtpConnection

        try:
            connection = make_connection(self.options, self.host, self.port)
        except TransportError as error:  # an unreadable --cafile: said, not a traceback
            self.renderer.message(error.key, error.params, "error")
            return 2
        assert isinstance(connection, SmtpConnection)  # not blocking
        self.connection = connection
        self.renderer.text(say("ui", "shell_banner", self.lang, host=self.host, port=str(self.port)), "hint")
        try:
            self.show(await wait_visibly(self.connection.open(), self.renderer.console,
                                         self._waiting))
        except StoppedWaiting:
            await self.connection.close()
            return 1
        except TransportError as error:
            self.show(error.events)
            self.renderer.message(error.key, error.params, "error")
            return 1
        self.idle = IdleWatch(self.connection, self._unsolicited)
        while not self.connection.closed:
            line = await self._next_line()
            if line is None:
                break
            await self.handle(line)
        await self.idle.stop()
        last = self.session.last_reply
        if self.delivered and getattr(self.options, "practice_mailbox", False):
            # the built-in server: where the mail went, as the lesson's end says (D25)
            self.renderer.text(say("ui", "shell_mailbox_tip", self.lang, user=self.delivered[0]), "hint")
        return 0 if self.session.state is State.CLOSED and last and last.code == 221 else 1

    async def _next_line(self) -> str | None:
        """The next line typed or pasted; None when the shell should end."""
        assert self.connection is not None and self.idle is not None  # opened by run()
        default, self.confirm = self.confirm or "", None
        self.idle.start()
        try:
            return await self.prompt.prompt_async(self._prompt, default=default)
        except KeyboardInterrupt:
            return ""
        except EOFError:
            await self.idle.stop()
            if self.connection.closed:
                return None
            if self.session.chunk is not None:  # the server would read QUIT as octets
                self.renderer.message("bdat-abandoned", {}, "warning")
                await self.connection.close()
                return None
            if self.session.state is State.DATA:
                await self._abandon_message()
                return None if self.connection.closed else await self._next_line()
            await self.quit()
            return None
        finally:
            await self.idle.stop()

    async def _unsolicited(self, events: list, error: TransportError | None) -> None:
        """Printed above the prompt as it arrives; the prompt ends if the server hung up."""
        connection = self.connection
        assert connection is not None  # opened by run()

        def show() -> None:
            self.show(events)
            if error is not None:
                self.renderer.message(error.key, error.params, "error")
            if connection.closed:
                self.renderer.message("connection-now-closed", {}, "error")

        await run_in_terminal(show)
        if connection.closed and self.prompt.app.is_running:
            self.prompt.app.exit(exception=EOFError())

    def _prompt(self) -> str:
        if self.collecting is not None:
            count = say("ui", "prompt_pipeline", self.lang, count=str(len(self.collecting) + 1))
            return f"{self.host} [{count}]> "
        return prompt_text(self.host, self.session, self.lang)

    def _waiting(self, seconds: float) -> str:
        return say("ui", "waiting", self.lang, seconds=f"{seconds:.0f}")

    async def handle(self, text: str) -> None:
        """One accepted input: a meta-command, a command, a body line, or a paste of several."""
        assert self.connection is not None  # opened by run()
        lines = text.split("\n")
        if len(lines) > 1:
            lines = lines[:-1] if lines[-1] == "" else lines
            if self.pipelining and self.collecting is None and pipelining.offered(self):
                await pipelining.send_lines(self, lines)
                return
            for line in lines:  # a paste: each line in turn, each with its reply
                if self.connection.closed:
                    return
                if self.session.state is not State.DATA and self.session.chunk is None:
                    self.renderer.text(f"{self._prompt()}{line}", "hint")
                await self.handle_line(line, confirmed=True)
            return
        await self.handle_line(text)

    async def handle_line(self, line: str, *, confirmed: bool = False) -> None:
        in_chunk = self.session.chunk is not None
        meta = None if in_chunk else parse_meta(line)  # chunk octets are never meta-commands
        if self.collecting is not None and (meta is None or meta.name not in ("end", "cancel")):
            if line.strip():
                self.collecting.append(line)
            return
        if meta is not None and (self.session.state is not State.DATA
                                 or meta.name in META_IN_DATA):
            await self.meta(meta.name, meta.argument)
            return
        if self.session.state is not State.DATA and not in_chunk and not line.strip():
            return
        try:
            confirmed, self.flagged = confirmed or self.flagged == line, None
            await self.dispatch(line, confirmed=confirmed)
        except CommandRefused as refused:
            self.renderer.message(refused.note.key, {}, "error")
        except TransportError as error:
            self.show(error.events)
            self.renderer.message(error.key, error.params, "error")

    async def dispatch(self, line: str, confirmed: bool) -> None:
        state = self.session.state
        if state in (State.DATA, State.AUTH) or self.session.chunk is not None:
            await self.send(line)
            return
        command = parse_command(line)
        if command.verb == "AUTH" and len(command.args.split()) == 1:
            mechanism = command.args.strip().upper()
            if mechanism in ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2") \
                    and not self._predicted_refusal(line):
                await self.auth(mechanism)
                return
        if not confirmed and self._predicted_refusal(line):
            for note in self.session.check(line):
                self.renderer.note(_view(note, self.lang))
            self.renderer.message("confirm-send", {}, "info")
            self.confirm = self.flagged = line
            return
        await self.send(line)

    def _predicted_refusal(self, line: str) -> bool:
        return any(note.expect for note in self.session.check(line))

    async def send(self, line: str, *, secret: bool | None = None) -> None:
        """Shown as it leaves; the reply awaited visibly; Ctrl-C stops only the wait."""
        assert self.connection is not None  # opened by run()
        before = self.session.state
        try:
            await wait_visibly(self.connection.send(line, secret=secret, show=self.show),
                               self.renderer.console, self._waiting)
        except StoppedWaiting:
            self.renderer.message("wait-stopped", {}, "warning")
            return
        if self.session.state is State.DATA and before is not State.DATA:
            self._explain_data_once()
        last = self.session.last_reply
        if self.connection.closed and last is not None and last.code != 221:
            # a 421, or Postfix's 521 after a bad BDAT: said now, not at the next command
            self.renderer.message("closed-after-reply", {"code": str(last.code)}, "error")

    def _explain_data_once(self) -> None:
        # with every 354: the one moment `:headers` can still be used (D15)
        self.renderer.message("headers-tip", {}, "info")
        if self.data_explained:
            return
        self.data_explained = True
        for topic in ("envelope-vs-headers", "dot-stuffing"):
            item = knowledge.explain_topic(topic, self.lang)
            if isinstance(item, knowledge.Explanation):
                self.renderer.note(NoteView(topic, "info", f"{item.title}: {item.short}", ""))

    # -- AUTH -----------------------------------------------------------------

    async def auth(self, mechanism: str) -> None:
        """AUTH PLAIN / LOGIN / CRAM-MD5 / XOAUTH2 with hidden password (token) input; the
        password is never shown, nor the token.

        Ctrl-C or Ctrl-D at a prompt cancels: before anything is sent, nothing is; in
        the middle of AUTH LOGIN, ``*`` tells the server (RFC 4954 §4).
        """
        try:
            if mechanism == "PLAIN":
                user = await self._ask(say("ui", "ask_username", self.lang), default=self._default_user())
                password = await self._ask(say("ui", "ask_password", self.lang), is_password=True)
                self.renderer.text(f"   ℹ AUTH PLAIN = base64(\\0{user}\\0********)", "note.info")
                await self.send(f"AUTH PLAIN {plain_response(user, password)}", secret=True)
                return
            if mechanism == "XOAUTH2":
                user = await self._ask(say("ui", "ask_username", self.lang), default=self._default_user())
                token = await self._ask(say("ui", "ask_token", self.lang), is_password=True)
                self.renderer.text(f"   ℹ {say('ui', 'xoauth2_step', self.lang, user=user)}", "note.info")
                await self.send(f"AUTH XOAUTH2 {xoauth2_response(user, token)}", secret=True)
                return
            if mechanism == "CRAM-MD5":
                await self._cram_md5()
                return
            await self.send("AUTH LOGIN")
            if self.session.state is not State.AUTH:
                return
            user = await self._ask(say("ui", "ask_username", self.lang), default=self._default_user())
            if user == "*":
                await self.send("*", secret=False)
                return
            self.renderer.text(f"   ℹ {user} = {b64(user)}", "note.info")
            await self.send(b64(user), secret=False)
            if self.session.state is not State.AUTH:
                return
            password = await self._ask(say("ui", "ask_password", self.lang), is_password=True)
            await self.send("*" if password == "*" else b64(password), secret=password != "*")
        except AuthCancelled:
            if self.session.state is State.AUTH:
                self.renderer.message("auth-cancelled-sent", {}, "info")
                await self.send("*", secret=False)
            else:
                self.renderer.message("auth-cancelled", {}, "info")

    async def _cram_md5(self) -> None:
        """RFC 2195, step by step: the challenge, the HMAC, the answer; never the password."""

        await self.send("AUTH CRAM-MD5")
        if self.session.state is not State.AUTH:
            return
        last = self.session.last_reply
        challenge = raw_challenge(last.lines[0] if last and last.lines else "")
        if not challenge:
            self.renderer.message("cram-md5-not-challenge", {}, "warning")
            await self.send("*", secret=False)
            return
        shown = visible(challenge.decode("utf-8", "replace"))
        said = say("ui", "cram_step_challenge", self.lang, challenge=shown)
        self.renderer.text(f"   ℹ {said}", "note.info")
        user = await self._ask(say("ui", "ask_username", self.lang), default=self._default_user())
        if user == "*":
            await self.send("*", secret=False)
            return
        password = await self._ask(say("ui", "ask_password", self.lang), is_password=True)
        if password == "*":
            await self.send("*", secret=False)
            return
        digest, line = cram_md5_response(user, challenge, password)
        del password
        self.renderer.text(f"   ℹ {say('ui', 'cram_step_hmac', self.lang, digest=digest)}", "note.info")
        answer = say("ui", "cram_step_answer", self.lang, user=visible(user), digest=digest, line=line)
        self.renderer.text(f"   ℹ {answer}", "note.info")
        await self.send(line, secret=False)

    async def _ask(self, label: str, *, default: str = "", is_password: bool = False) -> str:
        """A prompt outside the REPL's history: credentials are never stored anywhere.

        The default is shown greyed out (Enter takes it), not pre-typed, so typing a
        name replaces it; the password prompt never shows a placeholder.
        """
        from prompt_toolkit.formatted_text import FormattedText

        if self.credentials is None:
            self.credentials = PromptSession()
        placeholder = FormattedText([("class:placeholder fg:ansibrightblack", default)])
        try:
            answer = await self.credentials.prompt_async(
                label, is_password=is_password, placeholder=placeholder if default else "")
        except (KeyboardInterrupt, EOFError):
            raise AuthCancelled() from None
        return answer or default

    # -- leaving --------------------------------------------------------------

    async def _abandon_message(self) -> None:
        """Ctrl-D in DATA: a half-written message is never sent without asking."""
        assert self.connection is not None  # opened by run()
        try:
            # the question on its own lines, cut by word; the prompt is just "[y/N] " (D21)
            question, _, choice = say("ui", "ask_abandon", self.lang).rpartition(" [")
            self.renderer.text(question, "hint")
            answer = await self._ask(f"[{choice}")
        except AuthCancelled:
            answer = ""
        if answer.strip().lower() not in ("y", "yes", "c", "có"):
            self.renderer.message("abandon-kept", {}, "info")
            return
        self.renderer.message("abandon-done", {}, "warning")
        await self.connection.close()

    async def quit(self) -> None:
        assert self.connection is not None  # opened by run()
        if self.connection.closed or self.session.state is State.CLOSED:
            return
        try:
            await self.send("QUIT")
        except TransportError as error:
            self.renderer.message(error.key, error.params, "error")
        await self.connection.close()

    # -- meta-commands --------------------------------------------------------

    def _help(self) -> None:
        """What to type first, then the shell's own commands, one per line: fits 24
        rows at 80 columns, each line cut by word with its description hanging (D21)."""
        self.renderer.text(say("ui", "shell_help_first", self.lang), "hint")
        for command, description in pick(sentence("ui", "shell_help"), self.lang):
            pad = max(HELP_COLUMN - wrap_cells(command), 2)
            self.renderer.text(f"{command}{' ' * pad}{description}")

    async def meta(self, name: str, argument: str) -> None:
        if name in ("quit", "q", "exit"):
            await self.quit()
        elif name == "help":
            self._help()
        elif name == "explain":
            self._explain(argument)
        elif name == "raw":
            self.renderer.raw = argument.lower() != "off"
            self.renderer.text(say("ui", "raw_on" if self.renderer.raw else "raw_off", self.lang), "hint")
        elif name == "lang":
            self._switch_language(argument)
        elif name == "headers":
            await self._headers()
        elif name in ("save", "save!", "save-lesson", "save-lesson!"):
            self._save(name, argument)
        elif name in ("pipeline", "end", "cancel"):
            await self._pipeline(name, argument)
        elif name == "bdat":
            await bdat_command(self, argument)
        elif name == "compose":
            await compose_command(self)
        elif name == "attach":
            attach_command(self, argument)
        elif name == "send":
            await send_command(self)
        elif name == "cert":
            cert_command(self, argument)
        else:
            self.renderer.message("meta-unknown", {"name": f":{name}"}, "warning")

    async def _pipeline(self, name: str, argument: str) -> None:
        """``:pipeline on|off`` for pastes; ``:pipeline`` … ``:end`` (``:cancel``) for a group."""
        if name == "pipeline" and argument.lower() in ("on", "off"):
            self.pipelining = argument.lower() == "on"
            self.renderer.message("pipeline-on" if self.pipelining else "pipeline-off", {}, "info")
            if self.pipelining and not pipelining.offered(self):
                self.renderer.message("pipeline-not-advertised", {}, "warning")
            return
        if name == "pipeline":
            self.collecting = []
            self.renderer.message("pipeline-collecting", {}, "info")
            return
        lines, self.collecting = self.collecting, None
        if name == "cancel" or not lines:
            if lines is not None:
                self.renderer.message("pipeline-cancelled", {}, "info")
            elif name == "cancel" or name == "end":
                self.renderer.message("meta-unknown", {"name": f":{name}"}, "warning")
            return
        if not pipelining.offered(self):
            self.renderer.message("pipeline-not-advertised", {}, "warning")
            for line in lines:
                await self.handle_line(line, confirmed=True)
            return
        await pipelining.send_lines(self, lines)

    def _default_user(self) -> str:
        """The name AUTH offers: ``--auth-user`` when given (a class slip's account), else
        the practice server's Bob."""
        return getattr(self.options, "auth_user", None) or "bob"

    def _switch_language(self, argument: str) -> None:
        if argument not in knowledge.LANGUAGES:
            self.renderer.message("meta-lang-usage", {"given": argument}, "warning")
            return
        self.renderer.lang = argument
        self.renderer.text(say("ui", "lang_switched", self.lang), "hint")

    def _save(self, name: str, path: str) -> None:
        if not path:
            self.renderer.message("meta-save-usage", {"name": f":{name.rstrip('!')}"}, "warning")
            return
        as_lesson = name.startswith("save-lesson")
        saver = save_lesson if as_lesson else save_transcript
        key, params = saver(self, path, overwrite=name.endswith("!"))
        self.renderer.message(key, params, "error" if key.endswith("failed") else "info")

    def _explain(self, topic: str) -> None:
        """``:explain TOPIC``; alone, the last reply's code (reply codes before any reply)."""
        from smtp_tutor.render.explanation import refusal

        last = self.session.last_reply
        topic = topic or (str(last.code) if last is not None else "reply-codes")
        result = knowledge.explain_topic(topic, self.lang)
        if isinstance(result, knowledge.Explanation):
            for line in format_explanation(result, self.lang).splitlines():
                self.renderer.text(line)
            return
        self.renderer.text(refusal(topic, result, self.lang), "note.warning")

    async def _headers(self) -> None:
        if self.session.state is not State.DATA:
            self.renderer.message("headers-outside-data", {}, "warning")
            return
        if not self.envelope.headers_open:
            self.renderer.message("headers-too-late", {}, "warning")
            return
        for line in header_lines(self.session, self.envelope.sender, self.envelope.recipients,
                                 skip=self.envelope.typed_headers):
            await self.send(line)


def _view(note, lang):  # noqa: ANN001, ANN202
    from smtp_tutor.render.views import note_view

    return note_view(note, lang, shell=True)
