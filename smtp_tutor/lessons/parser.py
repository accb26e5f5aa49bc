"""Reading a lesson file: a header of ``key: value`` lines, then the dialogue.

The body is the textbook notation (``S:``/``C:`` lines, pasted as they are) with
narration (``en:``/``vi:``), hints, presenter notes and a few directives around it;
lessons/README.md is the instructor's guide.  Every problem is reported with its line
and what to write instead, and a lesson with any problem is never played.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from smtp_tutor.lessons.model import (
    CLIENT,
    DNS,
    HOP_KINDS,
    IMAP,
    POP3,
    SERVER,
    WAIT,
    Hop,
    Lesson,
    Step,
    compile_pattern,
)
from smtp_tutor.lessons.placeholders import PLACEHOLDER, has_secret, unknown_names
from smtp_tutor.protocol.numbers import ascii_float, ascii_int
from smtp_tutor.protocol.visible import UNSAFE, visible

HEADER_KEYS = ("id", "title", "title.en", "title.vi", "level", "persona", "requires", "server")
SERVER_OPTIONS = ("greylist", "world", "speedup")
SPEEDUP_RANGE = (1, 100_000)
_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z.\-]*)\s*:(?:\s(.*)|)$")
_REPLY = re.compile(r"^([2-5]\d\d)([ -]|$)(.*)$", re.ASCII)
_CODE = re.compile(r"^([2-5](?:\d\d|xx)|\+OK|-ERR)(?:\s+/(.*)/)?$", re.ASCII | re.IGNORECASE)
_POP3_STATUS = re.compile(r"^(\+OK|-ERR)(\s|$)", re.ASCII)
# IMAP: what ends a server step: a tagged status, a "+" (go on), or the greeting
_IMAP_TAGGED = re.compile(r"^[A-Za-z0-9.\-_]{1,20} (OK|NO|BAD)(\s|$)", re.ASCII)
_IMAP_UNTAGGED_STATUS = re.compile(r"^\* (OK|PREAUTH|BYE)(\s|$)", re.ASCII)
_IMAP_CODE = re.compile(r"^(OK|NO|BAD|PREAUTH|BYE|\+)(?:\s+/(.*)/)?$", re.ASCII | re.IGNORECASE)
_HOP = re.compile(r"^([a-z0-9]+)\s+(.+?)\s*(?:→|->)\s*([^(]+?)\s*(?:\((.*)\))?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_FIELDS = {"en": "narration", "vi": "narration", "hint.en": "hints", "hint.vi": "hints",
               "note.en": "notes", "note.vi": "notes"}
MASKED = "********"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a lesson file: where, what, and what to write instead."""

    path: str
    line: int
    key: str
    params: dict[str, str]

    def __str__(self) -> str:  # English, for logs and assertion messages
        from smtp_tutor.knowledge import explain_note

        text, hint = explain_note(self.key, self.params, "en")
        return f"{self.path}:{self.line}: {text} {hint}".strip()


class LessonError(Exception):
    """The file does not check; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def read_lesson(path: str) -> Lesson:
    """Parse and check the file at ``path``; raises ``LessonError``."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise LessonError([Problem(path, 0, "lesson-unreadable",
                                   {"detail": error.strerror or str(error)})]) from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LessonError([Problem(path, line, "lesson-not-utf8", {})]) from error
    return parse_lesson(text, path)


def parse_lesson(text: str, path: str = "<lesson>") -> Lesson:
    """Parse and check lesson text; raises ``LessonError`` listing every problem."""
    reader = _Reader(path)
    lesson = reader.read(text.splitlines())
    if reader.problems:
        raise LessonError(reader.problems)
    return lesson


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.header: dict[str, tuple[str, int]] = {}
        self.steps: list[Step] = []
        self.pending: dict[str, dict[str, str]] = {"narration": {}, "hints": {}, "notes": {}}
        self.hop: Hop | None = None

    def problem(self, line: int, key: str, **params: str) -> None:
        self.problems.append(Problem(self.path, line, key, params))

    def read(self, lines: list[str]) -> Lesson:
        for number, line in enumerate(lines, start=1):
            found = UNSAFE.search(line.rstrip("\r"))
            if found:
                self.problem(number, "lesson-control-character", char=visible(found.group()))
        if self.problems:
            return Lesson(id="lesson", path=self.path, title={})
        body_start = self._read_header(lines)
        for number, line in enumerate(lines[body_start:], start=body_start + 1):
            self._read_body_line(number, line.rstrip("\r"))
        return self._finish(len(lines))

    # -- header ---------------------------------------------------------------

    def _read_header(self, lines: list[str]) -> int:
        for index, raw in enumerate(lines):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line == "---":
                return index + 1
            match = _KEY_VALUE.match(line)
            if not match or match.group(1).lower() not in HEADER_KEYS:
                return index  # the body starts (a pasted transcript needs no header)
            self.header[match.group(1).lower()] = ((match.group(2) or "").strip(), index + 1)
        return len(lines)

    # -- body -----------------------------------------------------------------

    def _read_body_line(self, number: int, line: str) -> None:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            return
        if stripped.startswith(("S:", "C:")):
            side, rest = stripped[0], line.split(":", 1)[1]
            rest = rest[1:] if rest.startswith(" ") else rest
            if self._world and self.hop is None:
                self.problem(number, "lesson-hop-missing")
                return
            if side == "S" and self.hop is not None and self.hop.kind == IMAP:
                self._imap_server_line(number, rest.rstrip())
            elif side == "S" and self.hop is not None and self.hop.kind in (POP3, DNS):
                self._other_server_line(number, rest.rstrip())  # a block keeps its indents
            elif side == "S":
                self._server_line(number, rest.strip())
            else:
                self._client_line(number, rest)
            return
        match = _KEY_VALUE.match(stripped)
        if not match:
            self.problem(number, "lesson-unknown-line", text=stripped[:40])
            return
        key, value = match.group(1).lower(), (match.group(2) or "").strip()
        if key in LANG_FIELDS:
            lang = key.rpartition(".")[2]
            bucket = self.pending[LANG_FIELDS[key]]
            bucket[lang] = f"{bucket[lang]}\n{value}" if lang in bucket else value
        elif key == "or":
            self._alternative(number, value)
        elif key == "expect":
            self._expect(number, value)
        elif key == "wait":
            self._wait(number, value)
        elif key == "hop":
            self._hop(number, value)
        elif key == "hop.vi":
            self._hop_vi(number, value)
        else:
            self.problem(number, "lesson-unknown-line", text=stripped[:40])

    @property
    def _world(self) -> bool:
        return "world" in self.header.get("server", ("", 0))[0].split()

    def _hop(self, number: int, value: str) -> None:
        """``hop: KIND FROM → TO (note)``: the lines below it are on that leg of the journey."""
        if not self._world:
            self.problem(number, "lesson-hop-needs-world")
            return
        match = _HOP.match(value)
        if not match or match.group(1) not in HOP_KINDS:
            self.problem(number, "lesson-bad-hop", text=value[:40], kinds=", ".join(HOP_KINDS))
            return
        index = (self.hop.index if self.hop else 0) + 1
        self.hop = Hop(index, match.group(1), match.group(2).strip(), match.group(3).strip(),
                       (match.group(4) or "").strip())

    def _hop_vi(self, number: int, value: str) -> None:
        """``hop.vi: Alice → crepes.fr (cổng 587)``: the hop's parties and note in
        Vietnamese, right under its ``hop:`` line."""
        if self.hop is None or any(step.hop is self.hop for step in self.steps):
            self.problem(number, "lesson-misplaced", directive="hop.vi", after="hop:")
            return
        if not _HOP.match(f"{self.hop.kind} {value}"):
            self.problem(number, "lesson-bad-hop", text=value[:40], kinds=", ".join(HOP_KINDS))
            return
        self.hop = replace(self.hop, label_vi=value.strip())

    def _other_server_line(self, number: int, text: str) -> None:
        """A POP3 reply (``+OK``/``-ERR``, then its block) or a DNS answer (any record lines)."""
        last = self.steps[-1] if self.steps else None
        same = (last is not None and last.kind == SERVER and last.hop is self.hop
                and not any(self.pending.values()))
        if self.hop is not None and self.hop.kind == DNS:
            if same:
                assert last is not None  # `same` says so
                last.lines.append(text)
                last.text = "\n".join(last.lines)
            else:
                self._attach(Step(SERVER, number, text=text, lines=[text], code="DNS"))
            return
        status = _POP3_STATUS.match(text)
        if status is None and same and last is not None and last.lines[-1] != ".":
            last.lines.append(text)  # the block of a +OK
            last.text = "\n".join(last.lines)
        elif status is None:
            self.problem(number, "lesson-bad-pop3-reply", text=text[:40])
        else:
            self._attach(Step(SERVER, number, text=text, lines=[text], code=status.group(1)))

    def _imap_server_line(self, number: int, text: str) -> None:
        """IMAP: untagged lines (``* 3 EXISTS``), literal octets, then the tagged line
        (``a5 OK …``) or a ``+`` end one server step; the greeting is a step of its own."""
        last = self.steps[-1] if self.steps else None
        open_step = (last is not None and last.kind == SERVER and last.hop is self.hop
                     and not last.code and not any(self.pending.values()))
        greeting = not any(step.hop is self.hop for step in self.steps)
        if open_step:
            assert last is not None
            last.lines.append(text)
            last.text = "\n".join(last.lines)
            step = last
        else:
            step = Step(SERVER, number, text=text, lines=[text])
            self._attach(step)
        tagged = _IMAP_TAGGED.match(text)
        untagged = _IMAP_UNTAGGED_STATUS.match(text) if greeting and step.lines == [text] else None
        status = tagged or untagged
        if status is not None:
            step.code = status.group(1)
        elif text == "+" or text.startswith("+ "):
            step.code = "+"

    def _attach(self, step: Step) -> None:
        if step.kind == SERVER and self.pending["hints"]:
            # a hint helps the student type the next C: line; before an S: line nobody sees it
            self.problem(step.line_no, "lesson-hint-before-reply")
        step.hop = self.hop
        step.narration, step.hints, step.notes = (
            self.pending["narration"], self.pending["hints"], self.pending["notes"])
        self.pending = {"narration": {}, "hints": {}, "notes": {}}
        self.steps.append(step)

    def _server_line(self, number: int, text: str) -> None:
        match = _REPLY.match(text)
        if not match:
            self.problem(number, "lesson-bad-reply", text=text[:40])
            return
        last = self.steps[-1] if self.steps else None
        continuing = (last is not None and last.kind == SERVER and last.lines
                      and last.hop is self.hop
                      # every line of an SMTP hop's reply matched _REPLY when it was added
                      and _REPLY.match(last.lines[-1]).group(2) == "-")  # type: ignore[union-attr]
        if continuing and not any(self.pending.values()):
            assert last is not None  # `continuing` says so
            if last.code != match.group(1):
                self.problem(number, "lesson-reply-code-changes", first=last.code,
                             code=match.group(1))
            last.lines.append(text)
            last.text = "\n".join(last.lines)
            return
        self._attach(Step(SERVER, number, text=text, lines=[text], code=match.group(1)))

    def _client_line(self, number: int, text: str) -> None:
        if MASKED in text:
            self.problem(number, "lesson-masked-secret")
        elif not self._typeable(text):
            self.problem(number, "lesson-auth-no-way")
        for name in unknown_names(text):
            self.problem(number, "lesson-unknown-placeholder", name=name)
        self._attach(Step(CLIENT, number, text=text))

    def _typeable(self, text: str) -> bool:
        """Can a student type this line?  AUTH credentials can: ``AUTH PLAIN
        {auth_plain}`` (asked for as in the shell) and AUTH LOGIN's ``{user_b64}`` and
        ``{pass_b64}``; a literal token, or a secret for another mechanism, cannot."""
        words = text.split()
        last = self.steps[-1] if self.steps else None
        after_334 = last is not None and last.kind == SERVER and last.code == "334"
        if after_334:
            return text.strip() == "*" or bool(PLACEHOLDER.fullmatch(text.strip()))
        if not words or words[0].upper() != "AUTH" or len(words) < 3:
            return True
        response = words[2]
        if not PLACEHOLDER.fullmatch(response):
            return False
        return words[1].upper() == "PLAIN" or not has_secret(response)

    def _alternative(self, number: int, value: str) -> None:
        last = self.steps[-1] if self.steps else None
        if last is None or last.kind != CLIENT:
            self.problem(number, "lesson-misplaced", directive="or", after="C:")
            return
        last.alternatives.append(value)

    def _expect(self, number: int, value: str) -> None:
        last = self.steps[-1] if self.steps else None
        if last is None or last.kind != SERVER:
            self.problem(number, "lesson-misplaced", directive="expect", after="S:")
            return
        if last.hop is not None and last.hop.kind == IMAP:
            imap = _IMAP_CODE.match(value)
            if not imap:
                self.problem(number, "lesson-bad-expect", text=value[:40])
                return
            last.code, last.pattern = imap.group(1).upper(), imap.group(2) or ""
            try:
                compile_pattern(last.pattern) if last.pattern else None
            except Exception as error:  # noqa: BLE001 - RE2 raises its own error types
                self.problem(number, "lesson-bad-pattern", detail=str(error)[:80])
            return
        match = _CODE.match(value)
        if not match:
            self.problem(number, "lesson-bad-expect", text=value[:40])
            return
        code = match.group(1).upper() if match.group(1)[0] in "+-" else match.group(1)
        pop3 = last.hop is not None and last.hop.kind == POP3
        if last.code == "DNS" or pop3 != code.startswith(("+", "-")):
            self.problem(number, "lesson-bad-expect", text=value[:40])
            return
        last.code, last.pattern = code, match.group(2) or ""
        if last.pattern:
            try:
                compile_pattern(last.pattern)
            except Exception as error:  # noqa: BLE001 - RE2 raises its own error types
                self.problem(number, "lesson-bad-pattern", detail=str(error)[:80])

    def _wait(self, number: int, value: str) -> None:
        seconds = ascii_float(value, low=0, high=600) or 0.0
        if not 0 < seconds <= 600:
            self.problem(number, "lesson-bad-wait", text=value[:20])
            return
        self._attach(Step(WAIT, number, seconds=seconds))

    # -- the whole file -------------------------------------------------------

    def _finish(self, last_line: int) -> Lesson:
        closing = self.pending["narration"]
        if self.pending["hints"] or self.pending["notes"]:
            self.problem(last_line, "lesson-dangling-hint")
        lesson = Lesson(id=self._id(), path=self.path, title=self._title(),
                        level=self._level(), persona=self._value("persona") or "hamburger.edu",
                        requires=[r.strip() for r in self._value("requires").split(",")
                                  if r.strip()],
                        server=self._server_options(), steps=self.steps, closing=closing)
        if not self.problems:  # a broken line would only cause confusing follow-up problems
            self._check_dialogue(lesson)
        return lesson

    def _value(self, key: str) -> str:
        return self.header.get(key, ("", 0))[0]

    def _id(self) -> str:
        import os

        value, line = self.header.get("id", ("", 0))
        if not value:
            stem = os.path.splitext(os.path.basename(self.path))[0]
            return stem.split(".")[0] if stem and not stem.startswith("<") else "lesson"
        if not _ID.match(value):
            self.problem(line, "lesson-bad-id", text=value)
        return value

    def _title(self) -> dict[str, str]:
        title = {}
        if self._value("title") or self._value("title.en"):
            title["en"] = self._value("title.en") or self._value("title")
        if self._value("title.vi"):
            title["vi"] = self._value("title.vi")
        return title

    def _level(self) -> int:
        value, line = self.header.get("level", ("1", 0))
        level = ascii_int(value)
        if level is not None and 1 <= level <= 3:
            return level
        self.problem(line, "lesson-bad-level", text=value[:20])
        return 1

    def _server_options(self) -> dict[str, str]:
        value, line = self.header.get("server", ("", 0))
        options = {}
        for word in value.split():
            name, _, setting = word.partition("=")
            low, high = SPEEDUP_RANGE if name == "speedup" else (0, 600)
            if name not in SERVER_OPTIONS:
                self.problem(line, "lesson-bad-server-option", text=name[:20],
                             known=", ".join(SERVER_OPTIONS))
            elif name == "world":
                if setting:
                    self.problem(line, "lesson-bad-server-value", text=word[:30])
            elif ascii_float(setting, low=low, high=high) is None:
                self.problem(line, "lesson-bad-server-value", text=word[:30])
            options[name] = setting
        return options

    def _check_dialogue(self, lesson: Lesson) -> None:
        """Replay the lesson's own lines: every command must have its reply, in order."""
        from smtp_tutor.lessons.dialogue import dialogue_problems

        dialogue = [step for step in lesson.steps if step.kind != WAIT]
        if not any(step.kind == CLIENT for step in dialogue):
            self.problem(1, "lesson-no-client-line")
            return
        if lesson.world and not any(s.hop for s in dialogue):
            self.problem(1, "lesson-hop-missing")
            return
        if dialogue[0].kind != SERVER and not lesson.world:
            self.problem(dialogue[0].line_no, "lesson-no-greeting")
            return
        for line_no, key in dialogue_problems(dialogue):
            self.problem(line_no, key)
