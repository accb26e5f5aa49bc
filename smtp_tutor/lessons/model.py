"""What a lesson is once read: metadata and a list of steps (no I/O, no UI)."""

from __future__ import annotations

from dataclasses import dataclass, field

CLIENT = "client"
SERVER = "server"
WAIT = "wait"


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

    def expects(self, code: int, text: str) -> bool:
        """Does a real reply satisfy this server step?"""
        wanted = self.code
        ok = str(code)[0] == wanted[0] if wanted.endswith("xx") else str(code) == wanted
        if ok and self.pattern:
            ok = compile_pattern(self.pattern).search(text) is not None
        return ok


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

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.id

    @property
    def languages(self) -> list[str]:
        """Languages every narration, hint and the title exist in."""
        texts = [self.title, self.closing] + [
            part for step in self.steps for part in (step.narration, step.hints, step.notes)]
        return [lang for lang in ("en", "vi") if all(lang in t for t in texts if t)]
