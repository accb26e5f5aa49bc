"""The REPL: prompt, complete, send, explain; the connection and the core do the rest."""

from __future__ import annotations

import argparse
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

from smtp_tutor import knowledge
from smtp_tutor.faces.connect import make_connection
from smtp_tutor.faces.explain import format_explanation
from smtp_tutor.net.errors import TransportError
from smtp_tutor.paths import data_dir
from smtp_tutor.protocol import CommandSent, State
from smtp_tutor.protocol.auth import b64, plain_response
from smtp_tutor.protocol.commands import CommandRefused, is_secret_line, parse_command
from smtp_tutor.protocol.transcript import Transcript
from smtp_tutor.render.terminal import TerminalRenderer
from smtp_tutor.repl.completer import SmtpCompleter
from smtp_tutor.repl.history import SafeFileHistory
from smtp_tutor.repl.meta import HELP, EnvelopeTracker, header_lines, parse_meta
from smtp_tutor.repl.toolbar import prompt_text, toolbar_text


async def run_repl(options: argparse.Namespace, lang: str, host: str, port: int) -> int:
    repl = Repl(options, lang, host, port)
    return await repl.run()


class Repl:
    def __init__(self, options: argparse.Namespace, lang: str, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.renderer = TerminalRenderer(lang)
        self.renderer.raw = options.raw
        self.options = options
        self.connection = None
        self.transcript = Transcript()
        self.envelope = EnvelopeTracker()
        self.confirm: str | None = None  # prefilled into the next prompt
        self.flagged: str | None = None  # the line whose refusal was just predicted
        self.data_explained = False
        self.credentials: PromptSession | None = None
        self.prompt: PromptSession = PromptSession(
            history=SafeFileHistory(str(data_dir() / "history"), self._keep_in_history),
            completer=SmtpCompleter(lambda: self.session, lambda: self.lang),
            auto_suggest=AutoSuggestFromHistory(),
            bottom_toolbar=lambda: toolbar_text(self.host, self.port, self.session, self.lang),
        )

    @property
    def lang(self) -> str:
        return self.renderer.lang

    @property
    def session(self):
        return self.connection.session

    def _keep_in_history(self, line: str) -> bool:
        """Commands only: never a secret, never a line of a message body."""
        if self.session.state in (State.AUTH, State.DATA):
            return False
        return not is_secret_line(line)

    def show(self, events: list) -> None:
        self.renderer.show_all(events)
        for event in events:
            self.transcript.add(event)
            if isinstance(event, CommandSent):
                self.envelope.sent(event.command.verb, event.command)

    async def run(self) -> int:
        try:
            self.connection = make_connection(self.options, self.host, self.port)
            self.renderer.text(knowledge.ui("repl_banner", self.lang, host=self.host, port=self.port), "hint")
            self.show(await self.connection.open())
        except TransportError as error:
            self.show(error.events)
            self.renderer.message(error.key, error.params, "error")
            return 1
        while not self.connection.closed:
            default, self.confirm = self.confirm or "", None
            try:
                line = await self.prompt.prompt_async(prompt_text(self.host, self.session),
                                                      default=default)
            except KeyboardInterrupt:
                continue
            except EOFError:
                await self.quit()
                break
            await self.handle(line)
        return 0 if self.session.state is State.CLOSED else 1

    async def handle(self, line: str) -> None:
        meta = parse_meta(line)
        if meta is not None and (self.session.state is not State.DATA
                                 or meta.name in ("headers", "help", "raw", "explain", "lang")):
            await self.meta(meta.name, meta.argument)
            return
        if self.session.state is not State.DATA and not line.strip():
            return
        try:
            confirmed, self.flagged = self.flagged == line, None
            await self.dispatch(line, confirmed=confirmed)
        except CommandRefused as refused:
            self.renderer.message(refused.note.key, {}, "error")
        except TransportError as error:
            self.show(error.events)
            self.renderer.message(error.key, error.params, "error")

    async def dispatch(self, line: str, confirmed: bool) -> None:
        state = self.session.state
        if state in (State.DATA, State.AUTH):
            await self.send(line)
            return
        command = parse_command(line)
        if command.verb == "AUTH" and len(command.args.split()) == 1:
            mechanism = command.args.strip().upper()
            if mechanism in ("PLAIN", "LOGIN") and not self._predicted_refusal(line):
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
        before = self.session.state
        self.show(await self.connection.send(line, secret=secret))
        if self.session.state is State.DATA and before is not State.DATA:
            self._explain_data_once()

    def _explain_data_once(self) -> None:
        if self.data_explained:
            return
        self.data_explained = True
        for topic in ("envelope-vs-headers", "dot-stuffing"):
            item = knowledge.explain_topic(topic, self.lang)
            if isinstance(item, knowledge.Explanation):
                self.renderer.text(f"   ℹ {item.title}: {item.short}", "note.info")

    async def auth(self, mechanism: str) -> None:
        """AUTH PLAIN / LOGIN with hidden password input; the password is never shown."""
        if mechanism == "PLAIN":
            user = await self._ask(knowledge.ui("repl_username", self.lang), default="bob")
            password = await self._password()
            self.renderer.text(f"   ℹ AUTH PLAIN = base64(\\0{user}\\0********)", "note.info")
            await self.send(f"AUTH PLAIN {plain_response(user, password)}", secret=True)
            return
        await self.send("AUTH LOGIN")
        if self.session.state is not State.AUTH:
            return
        user = await self._ask(knowledge.ui("repl_username", self.lang), default="bob")
        self.renderer.text(f"   ℹ {user} = {b64(user)}", "note.info")
        await self.send(b64(user), secret=False)
        if self.session.state is not State.AUTH:
            return
        password = await self._password()
        await self.send(b64(password), secret=True)

    async def _password(self) -> str:
        return await self._ask(knowledge.ui("repl_password", self.lang), is_password=True)

    async def _ask(self, label: str, *, default: str = "", is_password: bool = False) -> str:
        """A prompt outside the REPL's history: credentials are never stored anywhere.

        The default is shown greyed out (Enter takes it), not pre-typed, so typing a
        name replaces it instead of being appended to it.
        """
        from prompt_toolkit.formatted_text import FormattedText

        if self.credentials is None:
            self.credentials = PromptSession()
        placeholder = FormattedText([("class:placeholder fg:ansibrightblack", default)])
        answer = await self.credentials.prompt_async(label, is_password=is_password,
                                                     placeholder=placeholder if default else None)
        return answer or default

    async def quit(self) -> None:
        if self.connection.closed or self.session.state is State.CLOSED:
            return
        try:
            if self.session.state is State.DATA:
                self.show(await self.connection.send("."))
            self.show(await self.connection.send("QUIT"))
        except TransportError as error:
            self.renderer.message(error.key, error.params, "error")
        await self.connection.close()

    async def meta(self, name: str, argument: str) -> None:
        if name in ("quit", "q", "exit"):
            await self.quit()
        elif name == "help":
            for line in HELP[self.lang]:
                self.renderer.text(line)
        elif name == "explain":
            self._explain(argument)
        elif name == "raw":
            self.renderer.raw = argument.lower() != "off"
            self.renderer.text(knowledge.ui("repl_raw_on" if self.renderer.raw else "repl_raw_off", self.lang), "hint")  # noqa: E501
        elif name == "lang" and argument in knowledge.LANGUAGES:
            self.renderer.lang = argument
        elif name == "headers":
            await self._headers()
        elif name == "save" and argument:
            self._save(argument)
        elif name == "save-lesson" and argument:
            self._save_lesson(argument)
        else:
            self.renderer.text(f"? :{name} {argument}".rstrip() + "   (:help)", "note.warning")

    def _explain(self, topic: str) -> None:
        """``:explain TOPIC``; alone, the last reply's code (reply codes before any reply)."""
        from smtp_tutor.faces.explain import refusal

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
            self.renderer.text(knowledge.ui("repl_headers_when", self.lang), "note.warning")
            return
        for line in header_lines(self.session, self.envelope.sender, self.envelope.recipients):
            await self.send(line)

    def _save(self, path: str) -> None:
        try:
            Path(path).expanduser().write_text(self.transcript.textbook(), encoding="utf-8")
        except OSError as error:
            self.renderer.text(knowledge.ui("repl_cannot_write", self.lang, path=path, reason=error.strerror), "note.error")  # noqa: E501
            return
        self.renderer.text(knowledge.ui("repl_saved", self.lang, count=len(self.transcript.lines), path=path), "hint")  # noqa: E501


    def _save_lesson(self, path: str) -> None:
        """The session as a lesson file that `smtp-tutor lesson play` replays."""
        from smtp_tutor.lessons.recording import lesson_id_for, lesson_text

        greeting = next((text for side, text in self.transcript.lines if side == "S"), "")
        words = greeting.split()
        persona = words[1] if len(words) > 1 else self.connection.host
        text = lesson_text(self.transcript.lines, lesson_id_for(path), persona)
        try:
            Path(path).expanduser().write_text(text, encoding="utf-8")
        except OSError as error:
            self.renderer.text(knowledge.ui("repl_cannot_write", self.lang, path=path, reason=error.strerror), "note.error")  # noqa: E501
            return
        self.renderer.text(knowledge.ui("repl_saved_lesson", self.lang, path=str(path)), "hint")


def _view(note, lang):
    from smtp_tutor.render.views import note_view

    return note_view(note, lang)
