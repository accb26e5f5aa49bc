"""``smtp-tutor lesson play``: watch a lesson, or type it with hints, against a real server.

Watch mode types the lesson's client lines itself (at a key press, at ``--pace``, or
straight through when stdin is not a terminal).  Practice mode waits for the student's
line, accepts what a server would accept, and hints after a wrong try.  Either way the
line goes to a real server (the embedded practice server unless ``--server``; none at
all with ``--offline``) and the real reply is checked against the lesson.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time

from smtp_tutor.knowledge import explain_note, explain_topic
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.lessons.engine import LessonRun
from smtp_tutor.lessons.matching import accepts, canonical, verb_of
from smtp_tutor.lessons.model import CLIENT, IMAP, POP3, SERVER, SMTP_HOPS, WAIT, Lesson, Step
from smtp_tutor.lessons.placeholders import bindings, has_secret
from smtp_tutor.protocol import State
from smtp_tutor.protocol.commands import is_secret_line
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

    from smtp_tutor.render.base import Renderer

MASK = "********"


def play(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.faces.lesson_open import open_lesson

    if options.report and (problem := report_problem(options.report, lang)):
        sys.stderr.write(for_stream(f"smtp-tutor: {problem}\n"))
        return 2
    lesson = open_lesson(options.lesson, lang)
    if lesson is None:
        return 2
    try:
        return asyncio.run(_play(lesson, options, lang))
    except asyncio.CancelledError:  # SIGHUP or SIGTERM (world lessons): cleaned up, stopped
        return 130


def report_problem(path: str, lang: str) -> str | None:
    """Why ``--report PATH`` cannot be written, checked before the lesson wastes anyone's time."""
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path):
        reason = say("ui", "report_is_folder", lang)
    elif not os.path.isdir(folder):
        reason = say("ui", "report_no_folder", lang, folder=folder)
    elif not os.access(path if os.path.exists(path) else folder, os.W_OK):
        reason = say("ui", "report_read_only", lang)
    else:
        return None
    return say("ui", "report_cannot_write", lang, path=path, reason=reason)


async def _play(lesson: Lesson, options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.net.errors import TransportError

    if options.offline:
        from smtp_tutor.lessons.backends import OfflineBackend

        return await _drive(lesson, OfflineBackend(lesson), bindings(lesson.persona), options, lang)
    if lesson.world:  # the whole practice world, in this process, on free ports
        from smtp_tutor.lessons.world_backend import WorldBackend

        backend = WorldBackend(lesson, lang, timeout=options.timeout)
        return await _drive(lesson, backend, bindings(lesson.persona), options, lang)
    if options.server:
        return await _on_server(lesson, options, lang)
    from smtp_tutor.server.embedded import EmbeddedServer

    greylist = float(lesson.server.get("greylist") or 0)
    try:
        async with EmbeddedServer(lang=lang, greylist_seconds=greylist) as server:
            backend = _live(server.host, server.port, str(server.ca_path), options)
            return await _drive(lesson, backend, bindings(lesson.persona), options, lang)
    except TransportError as error:
        text, hint = explain_note(error.key, error.params, lang)
        sys.stderr.write(for_stream(f"smtp-tutor: {text}\n  {hint}\n"))
        return 1


async def _on_server(lesson: Lesson, options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.faces.target import TargetError, parse_target

    try:
        host, port = parse_target(options.server, None, tls=False)
    except TargetError as error:
        sys.stderr.write(for_stream(f"smtp-tutor: {error}\n"))
        return 2
    backend = _live(host, port, options.cafile, options)
    values = bindings(options.domain or lesson.persona)
    if getattr(options, "class_user", None):  # the class server: the student's own account
        options.class_password = _class_password(options.class_user, lang)
        values = bindings(options.domain or lesson.persona, user=options.class_user,
                          password=options.class_password)
        values["sender"] = options.class_user  # the student sends as themselves
    return await _drive(lesson, backend, values, options, lang)


def _class_password(user: str, lang: str) -> str:
    import getpass

    from smtp_tutor.knowledge.catalogue import say

    return os.environ.get("SMTP_TUTOR_CLASS_PASSWORD") or getpass.getpass(
        say("classroom", "class_password", lang, user=user))


def _live(host: str, port: int, cafile: str | None, options: argparse.Namespace):
    from smtp_tutor.lessons.backends import LiveBackend
    from smtp_tutor.net.connection import SmtpConnection

    return LiveBackend(SmtpConnection(host, port, timeout=options.timeout, cafile=cafile,
                                      insecure=options.insecure))


# -- input ----------------------------------------------------------------------


class Asker:
    """Lines from the student: prompt_toolkit on a terminal, plain lines from a pipe."""

    def __init__(self) -> None:
        self.interactive = sys.stdin.isatty()
        self._prompt: PromptSession[str] | None = None
        self._secret_prompt: PromptSession[str] | None = None

    async def ask(self, message: str, *, secret: bool = False) -> str | None:
        if not self.interactive:
            line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            return line.rstrip("\r\n") if line else None
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import DummyHistory

        if self._prompt is None:
            from smtp_tutor.imap.secret_input import secret_start as imap_start
            from smtp_tutor.net.line_display import show_invisible_characters
            from smtp_tutor.net.secret_input import SecretMask
            from smtp_tutor.pop3.secret_input import secret_start as pop3_start

            show_invisible_characters()  # a pasted U+202E is drawn, never obeyed
            # a password typed after PASS, AUTH PLAIN or IMAP's LOGIN bob is drawn as *
            # and never recalled
            self._prompt = PromptSession(history=_NoSecretsHistory(),
                                         input_processors=[SecretMask(pop3_start),
                                                           SecretMask(imap_start)])
            self._secret_prompt = PromptSession(history=DummyHistory())
        try:
            if secret:  # a password asked for alone: a prompt that remembers nothing
                assert self._secret_prompt is not None
                return await self._secret_prompt.prompt_async(message, is_password=True)
            assert self._prompt is not None
            return await self._prompt.prompt_async(message)
        except (EOFError, KeyboardInterrupt):
            return None


    async def key(self, message: str) -> str | None:
        """One key press, no Enter (None: Ctrl-C, Ctrl-D or end of input)."""
        sys.stdout.write(message)
        sys.stdout.flush()
        try:
            key = await asyncio.get_running_loop().run_in_executor(None, read_key)
        finally:
            sys.stdout.write("\r\x1b[K")
            sys.stdout.flush()
        return None if key in ("", "\x03", "\x04") else key


def read_key() -> str:
    """A single key from the terminal in raw mode (an escape sequence counts as one key)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        data = os.read(fd, 32)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    return data.decode("utf-8", "replace")


# -- the run ----------------------------------------------------------------------


@record
class StepRecord:
    """One step of a practice run, for ``--report`` (secrets never stored)."""

    line: int
    kind: str
    expected: str
    tries: list[str] = field(default_factory=list)
    hints: int = 0
    shown: bool = False
    skipped: bool = False
    got: int | str | None = None  # 250, or "+OK" / "DNS" in a world lesson
    ok: bool | None = None
    predicted: str | None = None
    prediction_ok: bool | None = None


@record(frozen=True)
class Sent:
    """The step's line went out already (an AUTH the server accepted), with its events."""

    events: list


@record
class Player:
    run: LessonRun
    renderer: Renderer
    asker: Asker
    options: argparse.Namespace
    lang: str
    records: list[StepRecord] = field(default_factory=list)
    watched_hops: set[int] = field(default_factory=set)  # relay hops announced as watched
    guess: str | None = None
    asked = right = 0
    seen: list[str] = field(default_factory=list)  # narration and hints put on screen
    body: list[str] = field(default_factory=list)  # lines of the message typed so far

    @property
    def watch(self) -> bool:
        return self.options.mode == "watch"

    def say(self, texts: dict[str, str]) -> None:
        text = texts.get(self.lang) or texts.get("en")
        if text:
            self.seen.append(text)
            self.renderer.narration(text)

    def switch_language(self, lang: str) -> None:
        """``:lang en|vi``: everything said from now on, the world's notes too, is in
        ``lang`` (they are put into words when shown, not when they happen)."""
        from smtp_tutor.knowledge import LANGUAGES

        if lang not in LANGUAGES:
            self.renderer.message("meta-lang-usage", {"given": lang}, "warning")
            return
        self.lang = self.renderer.lang = lang
        self.renderer.text(say("ui", "lang_switched", lang), "hint")

    async def play(self) -> bool | None:
        """True: finished green; False: a reply was not the expected one; None: stopped."""
        lesson = self.run.lesson
        self.renderer.text(say("ui", "lesson_heading", self.lang, id=lesson.id,
                              title=lesson.title_in(self.lang)), "heading")
        self.renderer.connected(self.run.backend.host, self.run.backend.port, False)
        self.renderer.show_all(await self.run.start())
        while (step := self.run.current) is not None:
            self.renderer.show_all(await self.run.arrive())  # a new hop: announced first
            self.say(step.narration)
            if step.kind == WAIT:
                self.renderer.text(say("ui", "lesson_wait", self.lang, seconds=f"{step.seconds:g}"))
                await asyncio.sleep(step.seconds)
                self.run.skip()
            elif step.kind == SERVER:
                await self.reveal(step)
            elif not await self.client(step):
                self.renderer.text(say("ui", "lesson_quit", self.lang,
                                      step=str(self.run.position + 1),
                                      steps=str(len(lesson.steps))))
                if not self.watch:  # what the student did before stopping
                    self.renderer.text(say("ui", "lesson_summary", self.lang, **self.totals()))
                return None
        self.closing(lesson.closing)
        failures = sum(1 for outcome in self.run.outcomes if not outcome.ok)
        if self.asked:
            self.renderer.text(say("ui", "lesson_score", self.lang, right=str(self.right),
                                  asked=str(self.asked)))
        self.renderer.text(say("ui", "lesson_passed", self.lang) if not failures else
                           say("ui", "lesson_failed", self.lang, count=str(failures)),
                           "check.ok" if not failures else "check.fail")
        if not self.watch:
            self.renderer.text(say("ui", "lesson_summary", self.lang, **self.totals()))
        return not failures

    def closing(self, texts: dict[str, str]) -> None:
        """The lesson's last words; offline, without the sentences that send you to a mailbox."""
        if not self.options.offline:
            self.say(texts)
            return
        kept = {lang: _without_mailbox(text) for lang, text in texts.items()}
        self.say({lang: text for lang, text in kept.items() if text})
        self.renderer.text(say("ui", "lesson_offline_note", self.lang), "hint")

    def totals(self) -> dict[str, str]:
        """Tries, hints, lines shown and steps skipped over the whole run."""
        clients = [record for record in self.records if record.kind == CLIENT]
        return {"tries": str(sum(len(r.tries) for r in clients)),
                "hints": str(sum(r.hints for r in clients)),
                "shown": str(sum(r.shown for r in clients)),
                "skipped": str(sum(r.skipped for r in clients))}

    @property
    def helped(self) -> int:
        """Client steps whose line was shown or skipped: those were not typed by the student."""
        return sum(1 for r in self.records if r.kind == CLIENT and (r.shown or r.skipped))

    def counts(self, result: bool | None) -> bool:
        """Passed for the record: practice mode, a real server, every line typed, all replies right."""
        return bool(result) and not self.watch and not self.options.offline and not self.helped

    def verdict(self, result: bool | None) -> str:
        """Why the run is, or is not, marked ✓ in ``lesson list``."""
        if self.watch:
            return say("ui", "lesson_unmarked_watch", self.lang)
        if self.options.offline:
            return say("ui", "lesson_unmarked_offline", self.lang)
        if self.helped:
            return say("ui", "lesson_unmarked_help", self.lang, count=str(self.helped))
        return say("ui", "lesson_marked", self.lang) if result else ""

    async def reveal(self, step: Step) -> None:
        outcome, group = await self.run.reveal()
        self.renderer.show_all(group)
        reply = outcome.got
        number = ascii_int(reply) if reply is not None else None
        got: int | str | None = number if number is not None else reply  # the report keeps 250 a number
        expected = step.code + (f" /{step.pattern}/" if step.pattern else "")
        if got is None:
            text = say("ui", "lesson_check_none", self.lang, expected=expected)
        else:
            key = "lesson_check_ok" if outcome.ok else "lesson_check_fail"
            key += "_dns" if step.code == "DNS" else "_offline" if self.options.offline else ""
            text = say("ui", key, self.lang, expected=expected, got=str(got))
        self.renderer.check(step.line_no, expected, got, outcome.ok, text)
        record = StepRecord(step.line_no, SERVER, expected, got=got, ok=outcome.ok)
        if self.guess is not None and got is not None:
            record.predicted, record.prediction_ok = self.guess, _guessed(self.guess, got)
            self.asked += 1
            self.right += record.prediction_ok
            key = "lesson_predict_right" if record.prediction_ok else "lesson_predict_wrong"
            self.renderer.text(say("ui", key, self.lang, guess=self.guess, code=str(got)))
        self.guess = None
        self.records.append(record)

    async def client(self, step: Step) -> bool:
        secret = self.run.session.state is State.AUTH  # an AUTH answer: the whole line
        expected = self.run.line_for(step)
        record = StepRecord(step.line_no, CLIENT,
                            MASK if secret or has_secret(step.text) else expected)
        self.records.append(record)
        line: str | Sent | None
        if step.hop is not None and step.hop.watched and not self.watch:
            if step.hop.index not in self.watched_hops:
                self.watched_hops.add(step.hop.index)
                self.renderer.text(say("ui", "lesson_watch_hop", self.lang), "hint")
            line = expected  # crepes.fr's relay client types this hop, not the student
        elif self.watch:
            if not await self.pace():
                return False
            line = expected
        else:
            line = await self.practice(step, expected, record, secret)
            if line is None:
                return False
            if isinstance(line, Sent):
                self.renderer.show_all(line.events)
                return True
        if self.options.predict and self._reply_follows() and not await self.predict():
            return False
        self.renderer.show_all(await self.run.send(line))
        return True

    async def pace(self) -> bool:
        if self.options.pace is not None:
            await asyncio.sleep(self.options.pace)
            return True
        if not self.asker.interactive:
            return True
        key = await self.asker.key(f"  ({say('ui', 'lesson_next_key', self.lang)}) ")
        return key is not None and key.lower() != "q"

    async def predict(self) -> bool:
        """Ask until the guess is a reply code, a class digit, or nothing (skip)."""
        while True:
            answer = await self.asker.ask(f"  {say('ui', 'lesson_predict', self.lang)} ")
            if answer is None:
                return False
            answer = answer.strip()
            if not answer or _valid_guess(answer):
                self.guess = answer or None
                return True

    def _reply_follows(self) -> bool:
        steps = self.run.lesson.steps
        following = steps[self.run.position + 1:]
        nxt = next((s for s in following if s.kind != WAIT), None)
        smtp = nxt is not None and (nxt.hop is None or nxt.hop.kind in SMTP_HOPS)
        return nxt is not None and nxt.kind == SERVER and smtp

    async def practice(self, step: Step, expected: str, record: StepRecord,
                       secret: bool) -> str | Sent | None:
        if not any(record.kind == CLIENT for record in self.records[:-1]):
            self.renderer.text(say("ui", "lesson_your_turn", self.lang), "hint")
        while True:
            state = getattr(self.run.session.state, "value", self.run.session.state)
            typed = await self.asker.ask(f"[{state}]> ", secret=secret)
            if typed is None or typed.strip() == ":quit":
                return None
            command = typed.strip()
            if command in ("?", ":hint"):
                record.hints += 1
                self.hint(step, expected, record.hints)
                continue
            if command == ":show":
                record.shown = True
                self.show(step, expected, secret)
                continue
            if command == ":skip":
                record.skipped = True
                return expected
            if command.split()[:1] == [":lang"]:
                self.switch_language(command[len(":lang"):].strip())
                continue
            hidden = secret or is_secret_line(typed) or _pop3_secret(typed) or _imap_secret(typed) \
                or self.run.session.state is State.AUTH
            record.tries.append(MASK if hidden else typed)
            if _auth_step(step) and canonical(typed).upper() in ("AUTH PLAIN", "AUTH LOGIN"):
                outcome = await self.log_in(canonical(typed).split()[1].upper())
                if outcome is not None:
                    return outcome
                continue
            if _login_step(step) and len(typed.split()) == 2 \
                    and typed.split()[0].upper() == "LOGIN":
                password = await self.asker.ask(say("ui", "lesson_auth_password", self.lang),
                                                secret=True)
                if not password:
                    continue
                from smtp_tutor.protocol.imap.syntax import quote

                typed = f"{typed.strip()} {quote(password).decode('utf-8', 'replace')}"
            if _pass_step(step) and canonical(typed).upper() == "PASS":
                password = await self.asker.ask(say("ui", "lesson_auth_password", self.lang),
                                                secret=True)
                if not password:
                    continue
                typed = f"PASS {password}"
            too_early = typed == "." and expected != "." and not self.body  # no message yet
            if self.run.in_data and not too_early:
                line = await self.body_line(typed, expected)
                if line is not None:
                    return line
                continue
            if not self.run.in_data and accepts(typed, step, self.run.values, in_data=False):
                if _auth_step(step):  # AUTH PLAIN and a token: the server checks it
                    outcome = await self.attempt(typed.strip())
                    if outcome is not None:
                        return outcome
                    continue
                return typed.strip()
            self.renderer.text(say("ui", "lesson_wrong", self.lang), "check.fail")
            record.hints += 1
            self.hint(step, expected, record.hints, typed)

    async def body_line(self, typed: str, expected: str) -> str | None:
        """A line of the student's own message.  Any line is a body line; ``.`` ends the
        message whenever it comes (the lesson's remaining recorded lines are not asked
        for), and lines beyond the recorded ones are sent as they come."""
        if typed == ".":
            self.body.clear()
            if expected != ".":
                self.run.end_data()
            return "."
        self.body.append(typed)
        if expected == ".":
            self.renderer.show_all(await self.run.send_extra(typed))
            return None
        return typed

    async def log_in(self, mechanism: str) -> Sent | None:
        """AUTH as the shell does it: the user name, the password (hidden), the base64
        built and explained; the server checks the credentials.  None: try again."""
        import base64

        def b64(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        default = self.run.values.get("user", "alice")
        user = await self.asker.ask(say("ui", "lesson_auth_user", self.lang, user=default))
        if user is None:
            return None
        user = user.strip() or default
        password = await self.asker.ask(say("ui", "lesson_auth_password", self.lang), secret=True)
        if not password:
            return None
        if mechanism == "LOGIN" and not self.options.offline:
            for line, key in (("AUTH LOGIN", ""), (b64(user), "lesson_auth_login_user")):
                if key:
                    self.renderer.text(say("ui", key, self.lang, user=user, token=line), "hint")
                events = await self.run.backend.send(line)
                self.renderer.show_all(events)
                if not any(_code(event) == "334" for event in events):
                    self.renderer.text(say("ui", "lesson_auth_retry", self.lang), "hint")
                    return None
            self.renderer.text(say("ui", "lesson_auth_login_password", self.lang), "hint")
            return await self.attempt(b64(password))
        self.renderer.text(say("ui", "lesson_auth_plain_built", self.lang, user=user), "hint")
        return await self.attempt(f"AUTH PLAIN {b64(chr(0) + user + chr(0) + password)}")

    async def attempt(self, line: str) -> Sent | None:
        """Send; a refusal (535) is shown and explained, and the step is asked again."""
        done, events = await self.run.attempt(line)
        if done:
            return Sent(events)
        self.renderer.show_all(events)
        self.renderer.text(say("ui", "lesson_auth_retry", self.lang), "hint")
        return None

    def show(self, step: Step, expected: str, secret: bool) -> None:
        """``:show``: the line to type; a password only where the lesson has shown it,
        and in DATA never a line the student typed already."""
        if self.run.in_data:
            left = [line for line in self.run.data_lines_left() if line not in self.body]
            if not left or expected == ".":
                text = say("ui", "lesson_data_show_end", self.lang)
            elif not left[0].strip():  # “” would say nothing: say what to press
                text = say("ui", "lesson_data_show_blank", self.lang)
            else:
                text = say("ui", "lesson_data_show", self.lang, line=left[0])
        elif _auth_step(step) or _pass_step(step):
            password = self.run.values.get("pass" if _auth_step(step) else "rcpt_pass", "")
            if _pass_step(step):
                password = expected.split(None, 1)[1] if " " in expected else password
            known = bool(password) and any(password in text for text in self.seen)
            kind = "auth" if _auth_step(step) else "pass"
            key = f"lesson_{kind}_show" if known else f"lesson_{kind}_show_hidden"
            text = say("ui", key, self.lang, user=self.run.values.get("user", "alice"),
                      password=password if known else "")
        else:
            text = say("ui", "lesson_show", self.lang, line=MASK if secret else expected)
        self.renderer.text(text, "hint")

    def hint(self, step: Step, expected: str, level: int, typed: str = "") -> None:
        """Each hint says at least what the one before said, and more (D23): the
        lesson's own hint; then also what is wrong and the syntax; then `:show`."""
        own = step.hints.get(self.lang) or step.hints.get("en")
        if self.run.in_data:
            key = "lesson_hint_end" if expected == "." else \
                "lesson_hint_body" if typed == "." else "lesson_hint_data"
            self.renderer.text(say("ui", key, self.lang), "hint")
            return
        if own and level == 1:
            self.seen.append(own)
            self.renderer.text(own, "hint")
            return
        if _auth_step(step) or _pass_step(step):
            key = "lesson_auth_how" if _auth_step(step) else "lesson_pass_how"
            self.renderer.text(say("ui", key, self.lang), "hint")
            return
        verb = verb_of(expected)
        if own:  # D23: each hint says what the one before said, and more
            self.renderer.text(own, "hint")
        if level >= 3:
            self.renderer.text(say("ui", "lesson_hint_show", self.lang), "hint")
        if typed and verb_of(typed) == verb:
            self.renderer.text(say("ui", "lesson_hint_args", self.lang), "hint")
        else:
            self.renderer.text(say("ui", "lesson_hint_verb", self.lang, verb=verb), "hint")
        topic = explain_topic(verb, self.lang)
        if level >= 2 and not isinstance(topic, list) and topic.syntax:
            self.renderer.text(f"  {topic.syntax}", "hint")

    def report(self, started: float, result: bool | None) -> dict:
        lesson = self.run.lesson
        return {"lesson": lesson.id, "title": lesson.title_in(self.lang), "file": lesson.path,
                "mode": self.options.mode, "lang": self.lang, "offline": self.options.offline,
                "started": _iso(started), "finished": _iso(time.time()),
                "completed": result is not None, "passed": self.counts(result),
                "replies_as_expected": bool(result),
                "skipped": sum(1 for r in self.records if r.skipped),
                "shown": sum(1 for r in self.records if r.shown),
                "predictions": {"asked": self.asked, "right": self.right},
                "steps": [record.__dict__ for record in self.records]}


def _auth_step(step: Step) -> bool:
    """AUTH with its credentials in the line (``AUTH PLAIN {auth_plain}``)."""
    return verb_of(step.text) == "AUTH" and has_secret(step.text)


def _pass_step(step: Step) -> bool:
    return step.hop is not None and step.hop.kind == POP3 and verb_of(step.text) == "PASS"


def _NoSecretsHistory():  # noqa: N802, ANN202 - a class made when prompt_toolkit is loaded
    """The up arrow never brings back a line that held a POP3, AUTH or IMAP secret."""
    from smtp_tutor.imap.secret_input import holds_secret as imap_secret
    from smtp_tutor.net.secret_input import SecretlessHistory
    from smtp_tutor.pop3.secret_input import holds_secret as pop3_secret

    return SecretlessHistory(lambda line: pop3_secret(line) or imap_secret(line))


def _login_step(step: Step) -> bool:
    """IMAP's ``LOGIN bob {rcpt_pass}``: ``LOGIN bob`` alone asks for the password."""
    return step.hop is not None and step.hop.kind == IMAP and verb_of(step.text) == "LOGIN"


def _imap_secret(line: str) -> bool:
    from smtp_tutor.protocol.imap.client import mask

    return mask(line)[1]


def _pop3_secret(line: str) -> bool:
    from smtp_tutor.protocol.pop3 import mask

    return mask(line)[1]


def _code(event: object) -> str | None:
    from smtp_tutor.lessons.hops import reply_status

    status = reply_status(event)
    return str(status[0]) if status else None


def _without_mailbox(text: str) -> str:
    """The sentences of ``text`` that do not point at `smtp-tutor mailbox`."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(s for s in sentences if "smtp-tutor mailbox" not in s)


def _valid_guess(answer: str) -> bool:
    return answer in ("2", "3", "4", "5") or (len(answer) == 3 and ascii_int(answer) is not None
                                                and answer[0] in "2345")


def _guessed(guess: str, code: int | str) -> bool:
    return guess == str(code) if len(guess) >= 3 else guess == str(code)[0]


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(moment))


async def _drive(lesson: Lesson, backend, values: dict[str, str], options: argparse.Namespace,
                 lang: str) -> int:
    from smtp_tutor.lessons.progress import mark_finished
    from smtp_tutor.net.errors import TransportError
    from smtp_tutor.render import make_renderer

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    kind = "json" if options.json else ("terminal" if interactive else "plain")
    renderer = make_renderer(kind, lang)
    player = Player(LessonRun(lesson, backend, values), renderer, Asker(), options, lang)
    started = time.time()
    result: bool | None = None
    try:
        result = await player.play()
    except TransportError as error:
        renderer.show_all(error.events)
        renderer.message(error.key, error.params, "error")
        result = False
    finally:
        await player.run.close()
    if result is not None:
        if verdict := player.verdict(result):
            renderer.text(verdict, "hint")
        if player.counts(result):
            mark_finished(lesson.id, options.mode, True)
    if getattr(options, "class_user", None) and options.server:
        await _report_to_class(options, player.report(started, result), lang)
    if options.report and not _write_report(options.report, player.report(started, result), lang):
        return 2
    return 0 if result else 1


async def _report_to_class(options: argparse.Namespace, report: dict, lang: str) -> bool:
    """How the lesson went, to the class server's progress channel (its own TLS
    connection, the student's password; never inside the lesson's transcript)."""
    from smtp_tutor.classroom.channel import send_report
    from smtp_tutor.faces.target import TargetError, parse_target
    from smtp_tutor.knowledge.catalogue import say

    try:
        host, _ = parse_target(options.server, None, tls=False)
    except TargetError:
        return False
    password = getattr(options, "class_password", None) or _class_password(
        options.class_user, lang)
    ok = await send_report(host, options.class_port, options.cafile, options.class_user,
                           password, report)
    key = "progress_sent" if ok else "progress_not_sent"
    sys.stderr.write(for_stream(say("classroom", key, lang, port=options.class_port) + "\n"))
    return ok


def _write_report(path: str, report: dict, lang: str) -> bool:
    """Write the JSON report; False (said on stderr) when it could not be written."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(report, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    except OSError as error:
        reason = error.strerror or str(error)
        said = say("ui", "report_cannot_write", lang, path=path, reason=reason)
        sys.stderr.write(for_stream(f"smtp-tutor: {said}\n"))
        return False
    return True


def for_stream(text: str) -> str:
    """An error line cut by word at the terminal's width (unchanged into a pipe)."""
    from smtp_tutor.render.wrap import for_stream as cut

    return cut(text)
