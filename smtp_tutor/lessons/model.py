"""What a lesson is once read: metadata and a list of steps (no I/O, no UI)."""

from __future__ import annotations

from dataclasses import dataclass, field

CLIENT = "client"
SERVER = "server"
WAIT = "wait"

# Hop kinds of a world lesson (``hop:``): which protocol, and whether the student types it.
SUBMISSION, RELAY, DNS, POP3, IMAP = "submission", "relay", "dns", "pop3", "imap"
HOP_KINDS = (SUBMISSION, RELAY, DNS, POP3, IMAP)
SMTP_HOPS = (SUBMISSION, RELAY)


@dataclass(frozen=True)
class Hop:
    """One leg of the journey: who talks to whom, over what (``hop: relay A → B (note)``).

    ``relay`` is performed by crepes.fr's own client: the student watches it."""

    index: int  # 1, 2, ... in the lesson
    kind: str  # one of HOP_KINDS
    source: str
    target: str
    note: str = ""
    label_vi: str = ""  # ``hop.vi:``: the parties and the note in Vietnamese

    @property
    def watched(self) -> bool:
        return self.kind == RELAY

    @property
    def label(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.source} → {self.target}{note}"

    def label_in(self, lang: str) -> str:
        return self.label_vi if lang == "vi" and self.label_vi else self.label


@dataclass
class Step:
    """One line of the dialogue (or a pause), with what is said around it."""

    kind: str  # client, server, wait
    line_no: int
    text: str = ""  # client: the line (may hold {placeholders}); server: the reply's lines
    lines: list[str] = field(default_factory=list)  # server: every line of the reply
    code: str = ""  # server: expected code, e.g. "250" or "4xx"
    pattern: str = ""  # server: optional regex the reply text must match
    alternatives: list[str] = field(default_factory=list)  # client: other accepted lines
    seconds: float = 0.0  # wait
    narration: dict[str, str] = field(default_factory=dict)  # lang -> text, shown before
    hints: dict[str, str] = field(default_factory=dict)  # lang -> hint for a client step
    notes: dict[str, str] = field(default_factory=dict)  # lang -> presenter notes
    hop: Hop | None = None  # world lessons: the leg of the journey this line is on

    def expects(self, code: int | str, text: str) -> bool:
        """Does a real reply satisfy this server step?  ``code``: 250, "+OK", "DNS"."""
        wanted, code = self.code, str(code)
        if wanted == "DNS":  # the zone's answer: the same records, in any order
            return code == "DNS" and _records(text) == _records("\n".join(self.lines))
        ok = code[0] == wanted[0] if wanted.endswith("xx") else code.upper() == wanted
        if ok and self.pattern:
            ok = compile_pattern(self.pattern).search(text) is not None
        return ok


def _records(text: str) -> set[str]:
    return {" ".join(line.lower().split()) for line in text.splitlines() if line.strip()}


def compile_pattern(pattern: str):  # -> re2 pattern
    """A lesson's ``expect`` pattern, compiled by RE2: matching takes linear time, so a
    pattern written to backtrack forever (``/^(a+)+$/``) cannot hang a lesson."""
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return re2.compile(pattern, options)


@dataclass
class Lesson:
    """A lesson file, read and checked."""

    id: str
    path: str
    title: dict[str, str]
    level: int = 1
    persona: str = "hamburger.edu"
    requires: list[str] = field(default_factory=list)
    server: dict[str, str] = field(default_factory=dict)  # practice-server options
    steps: list[Step] = field(default_factory=list)
    closing: dict[str, str] = field(default_factory=dict)  # narration after the last step

    @property
    def world(self) -> bool:
        """Played against the practice world (``server: world``), hop by hop."""
        return "world" in self.server

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.id

    @property
    def languages(self) -> list[str]:
        """Languages every narration, hint and the title exist in."""
        texts = [self.title, self.closing] + [
            part for step in self.steps for part in (step.narration, step.hints, step.notes)]
        return [lang for lang in ("en", "vi") if all(lang in t for t in texts if t)]
